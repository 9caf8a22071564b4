/*
 * The policy engine's pieces: every condition operator with its
 * qualifiers (a table of rows: condition, context, expected match),
 * variables, principals, the parser's refusals and forms, the context
 * types, the literal mask of the glob, and the single-statement API the
 * trust analysis builds on.  Whole decisions are data in tests/policy/cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/glob.h"
#include "policy/policy.h"
#include "t.h"

/* Build a context from a JSON object: strings, or arrays for sets. */
static void
ctx_from(struct pol_ctx *ctx, const char *json)
{
	json_t *j = json_loads(json, 0, NULL), *v, *e;
	const char *k, *vals[8];
	size_t n, i;

	json_object_foreach(j, k, v) {
		n = 0;
		if (json_is_array(v))
			json_array_foreach(v, i, e)
				if (n < 8)
					vals[n++] = json_string_value(e);
		if (json_is_string(v))
			vals[n++] = json_string_value(v);
		pol_ctx_set(ctx, k, POL_T_STRING, json_is_array(v), vals, n, NULL);
	}
	json_decref(j);
}

/*
 * Does the condition block hold for the context?  Evaluated through a
 * whole identity policy (Allow s3:* on *), so the row tests exactly what
 * pol_eval sees.
 */
static int
cond_holds(const char *cond, const char *ctxjson, const char *principal, char **err)
{
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_request r = { POL_P_AWS, NULL, NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL };
	struct pol_set set;
	struct pol_result res;
	const struct pol_doc *ids[1];
	struct pol_doc *d;
	char *text;
	int rc = -1;

	text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
	    "\"Resource\":\"*\",\"Condition\":%s}}", cond);
	if ((d = pol_parse_text(text, POL_IDENTITY, "row", err)) == NULL)
		goto out;
	ctx_from(&ctx, ctxjson);
	r.principal = principal ? principal : "arn:aws:iam::111122223333:user/alice";
	r.ctx = &ctx;
	memset(&set, 0, sizeof(set));
	ids[0] = d;
	set.identity = ids;
	set.nidentity = 1;
	pol_eval(&set, &r, &res);
	rc = res.decision == POL_ALLOWED;
	T(rc == pol_match_cond(&d->st[0].cond[0], &r) || d->st[0].ncond != 1,
	    "pol_match_cond disagrees with pol_eval for %s", cond);
	pol_result_free(&res);
out:
	pol_ctx_free(&ctx);
	pol_free(d);
	free(text);
	return rc;
}

static const struct row {
	const char	*cond;
	const char	*ctx;
	int		 want;
} rows[] = {
	/* String */
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\"}}", "{\"aws:PrincipalTag/t\":\"Red\"}", 0 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":[\"blue\",\"red\"]}}", "{\"aws:principaltag/T\":\"red\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\"}}", "{}", 0 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"r*\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 0 },
	{ "{\"StringNotEquals\":{\"aws:PrincipalTag/t\":[\"red\",\"blue\"]}}", "{\"aws:PrincipalTag/t\":\"green\"}", 1 },
	{ "{\"StringNotEquals\":{\"aws:PrincipalTag/t\":[\"red\",\"blue\"]}}", "{\"aws:PrincipalTag/t\":\"blue\"}", 0 },
	{ "{\"StringNotEquals\":{\"aws:PrincipalTag/t\":\"red\"}}", "{}", 1 },
	{ "{\"StringEqualsIgnoreCase\":{\"aws:PrincipalTag/t\":\"RED\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 1 },
	{ "{\"StringNotEqualsIgnoreCase\":{\"aws:PrincipalTag/t\":\"RED\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 0 },
	{ "{\"StringLike\":{\"aws:PrincipalTag/t\":\"r?d*\"}}", "{\"aws:PrincipalTag/t\":\"redder\"}", 1 },
	{ "{\"StringLike\":{\"aws:PrincipalTag/t\":\"R*\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 0 },
	{ "{\"StringNotLike\":{\"aws:PrincipalTag/t\":[\"b*\",\"g*\"]}}", "{\"aws:PrincipalTag/t\":\"red\"}", 1 },
	{ "{\"StringNotLike\":{\"aws:PrincipalTag/t\":[\"b*\",\"r*\"]}}", "{\"aws:PrincipalTag/t\":\"red\"}", 0 },
	/* Numeric */
	{ "{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":300}}", "{\"aws:MultiFactorAuthAge\":\"300.0\"}", 1 },
	{ "{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":\"300\"}}", "{\"aws:MultiFactorAuthAge\":\"301\"}", 1 },
	{ "{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}", "{\"aws:MultiFactorAuthAge\":\"3600\"}", 0 },
	{ "{\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"3600\"}}", "{\"aws:MultiFactorAuthAge\":\"3600\"}", 1 },
	{ "{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"1.5\"}}", "{\"aws:MultiFactorAuthAge\":\"2\"}", 1 },
	{ "{\"NumericGreaterThanEquals\":{\"aws:MultiFactorAuthAge\":\"2\"}}", "{\"aws:MultiFactorAuthAge\":\"1.99\"}", 0 },
	{ "{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":\"300\"}}", "{\"aws:MultiFactorAuthAge\":\"abc\"}", 0 },
	{ "{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":\"300\"}}", "{\"aws:MultiFactorAuthAge\":\"abc\"}", 0 },
	{ "{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":\"0x10\"}}", "{\"aws:MultiFactorAuthAge\":\"16\"}", 0 },
	/* Date: ISO 8601 and epoch seconds compare as instants */
	{ "{\"DateEquals\":{\"aws:CurrentTime\":\"2024-01-01T00:00:00Z\"}}", "{\"aws:CurrentTime\":\"1704067200\"}", 1 },
	{ "{\"DateNotEquals\":{\"aws:CurrentTime\":\"2024-01-01T00:00:00Z\"}}", "{\"aws:CurrentTime\":\"2024-01-01T01:00:00+01:00\"}", 0 },
	{ "{\"DateLessThan\":{\"aws:CurrentTime\":\"2024-06-01T00:00:00Z\"}}", "{\"aws:CurrentTime\":\"2024-05-31T23:59:59Z\"}", 1 },
	{ "{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"1717200000\"}}", "{\"aws:CurrentTime\":\"2024-06-01T00:00:00Z\"}", 1 },
	{ "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2024-06-01\"}}", "{\"aws:CurrentTime\":\"2024-06-01T00:00:01Z\"}", 1 },
	{ "{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2024-06-01T00:00:00Z\"}}", "{\"aws:CurrentTime\":\"yesterday\"}", 0 },
	/* Bool */
	{ "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", "{\"aws:SecureTransport\":\"TRUE\"}", 1 },
	{ "{\"Bool\":{\"aws:SecureTransport\":true}}", "{\"aws:SecureTransport\":\"false\"}", 0 },
	{ "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", "{}", 0 },
	{ "{\"BoolIfExists\":{\"aws:SecureTransport\":\"false\"}}", "{}", 1 },
	{ "{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}", "{\"aws:SecureTransport\":\"yes\"}", 0 },
	/* Binary */
	{ "{\"BinaryEquals\":{\"aws:UserAgent\":\"QmluYXJ5\"}}", "{\"aws:UserAgent\":\"QmluYXJ5\"}", 1 },
	{ "{\"BinaryEquals\":{\"aws:UserAgent\":\"QmluYXJ5\"}}", "{\"aws:UserAgent\":\"qmluyxj5\"}", 0 },
	/* IP */
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", "{\"aws:SourceIp\":\"203.0.113.255\"}", 1 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", "{\"aws:SourceIp\":\"203.0.114.0\"}", 0 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "{\"aws:SourceIp\":\"198.51.100.1\"}", 1 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/9\"}}", "{\"aws:SourceIp\":\"10.127.0.1\"}", 1 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/9\"}}", "{\"aws:SourceIp\":\"10.128.0.1\"}", 0 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", "{\"aws:SourceIp\":\"2001:db8:ffff::1\"}", 1 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/33\"}}", "{\"aws:SourceIp\":\"2001:db8:8000::1\"}", 0 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::1\"}}", "{\"aws:SourceIp\":\"2001:0db8:0::1\"}", 1 },
	{ "{\"NotIpAddress\":{\"aws:SourceIp\":[\"2001:db8::/32\",\"192.0.2.0/24\"]}}", "{\"aws:SourceIp\":\"198.51.100.1\"}", 1 },
	{ "{\"NotIpAddress\":{\"aws:SourceIp\":[\"2001:db8::/32\",\"192.0.2.0/24\"]}}", "{\"aws:SourceIp\":\"192.0.2.9\"}", 0 },
	{ "{\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}", "{\"aws:SourceIp\":\"not-an-ip\"}", 0 },
	{ "{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/33\"}}", "{\"aws:SourceIp\":\"192.0.2.1\"}", 0 },
	/* ARN */
	{ "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:t-*\"}}", "{\"aws:SourceArn\":\"arn:aws:sns:us-east-1:111122223333:t-1\"}", 1 },
	{ "{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:t-*\"}}", "{\"aws:SourceArn\":\"arn:aws:sns:us-east-1:111122223333:t-1\"}", 1 },
	{ "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:t\"}}", "{\"aws:SourceArn\":\"arn:aws:sns:a:b:111122223333:t\"}", 0 },
	{ "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:lambda:*:*:function:*\"}}", "{\"aws:SourceArn\":\"arn:aws:lambda:eu-west-1:1:function:f:prod\"}", 1 },
	{ "{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:s3:::a-*\"}}", "{\"aws:SourceArn\":\"arn:aws:s3:::b\"}", 1 },
	{ "{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::b\"}}", "{\"aws:SourceArn\":\"arn:aws:s3:::b\"}", 0 },
	{ "{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::b\"}}", "{\"aws:SourceArn\":\"bucket\"}", 0 },
	{ "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::b\"}}", "{}", 0 },
	{ "{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:s3:::b\"}}", "{}", 1 },
	/* Null */
	{ "{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", "{}", 1 },
	{ "{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", "{\"aws:TokenIssueTime\":\"2024-01-01T00:00:00Z\"}", 0 },
	{ "{\"Null\":{\"aws:TokenIssueTime\":false}}", "{\"aws:TokenIssueTime\":\"2024-01-01T00:00:00Z\"}", 1 },
	/* IfExists */
	{ "{\"StringEqualsIfExists\":{\"aws:PrincipalTag/t\":\"red\"}}", "{}", 1 },
	{ "{\"StringEqualsIfExists\":{\"aws:PrincipalTag/t\":\"red\"}}", "{\"aws:PrincipalTag/t\":\"blue\"}", 0 },
	{ "{\"NumericLessThanIfExists\":{\"aws:MultiFactorAuthAge\":\"10\"}}", "{}", 1 },
	/* sets */
	{ "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}", "{}", 1 },
	{ "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}", "{\"aws:TagKeys\":[]}", 1 },
	{ "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}", "{\"aws:TagKeys\":[\"b\",\"a\"]}", 1 },
	{ "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}", "{\"aws:TagKeys\":[\"a\",\"c\"]}", 0 },
	{ "{\"ForAllValues:StringNotLike\":{\"aws:TagKeys\":\"x*\"}}", "{\"aws:TagKeys\":[\"a\",\"b\"]}", 1 },
	{ "{\"ForAllValues:StringNotLike\":{\"aws:TagKeys\":\"x*\"}}", "{\"aws:TagKeys\":[\"a\",\"xb\"]}", 0 },
	{ "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}", "{}", 0 },
	{ "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}", "{\"aws:TagKeys\":[]}", 0 },
	{ "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}", "{\"aws:TagKeys\":[\"z\",\"a\"]}", 1 },
	{ "{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"a\"}}", "{}", 1 },
	{ "{\"ForAnyValue:StringEquals\":{\"aws:PrincipalTag/t\":\"a\"}}", "{\"aws:PrincipalTag/t\":\"a\"}", 1 },
	{ "{\"StringEquals\":{\"aws:TagKeys\":\"a\"}}", "{\"aws:TagKeys\":[\"a\"]}", 0 },
	{ "{\"StringEqualsIfExists\":{\"aws:TagKeys\":\"a\"}}", "{\"aws:TagKeys\":[\"a\",\"b\"]}", 0 },
	/* AND across operators and keys, OR across values */
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\",\"aws:PrincipalTag/u\":\"x\"}}", "{\"aws:PrincipalTag/t\":\"red\"}", 0 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}",
	  "{\"aws:PrincipalTag/t\":\"red\",\"aws:SecureTransport\":\"true\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"red\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}",
	  "{\"aws:PrincipalTag/t\":\"red\",\"aws:SecureTransport\":\"false\"}", 0 },
	/* variables in condition values */
	{ "{\"StringEquals\":{\"aws:PrincipalTag/owner\":\"${aws:username}\"}}", "{\"aws:PrincipalTag/owner\":\"alice\"}", 1 },
	{ "{\"StringLike\":{\"aws:PrincipalTag/p\":\"home/${aws:username}/*\"}}", "{\"aws:PrincipalTag/p\":\"home/alice/x\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"${aws:PrincipalTag/none}\"}}", "{\"aws:PrincipalTag/t\":\"\"}", 0 },
	{ "{\"StringNotEquals\":{\"aws:PrincipalTag/t\":\"${aws:PrincipalTag/none}\"}}", "{\"aws:PrincipalTag/t\":\"x\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"${aws:PrincipalTag/none, 'dflt'}\"}}", "{\"aws:PrincipalTag/t\":\"dflt\"}", 1 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"a${*}b${?}${$}\"}}", "{\"aws:PrincipalTag/t\":\"a*b?$\"}", 1 },
	{ "{\"StringLike\":{\"aws:PrincipalTag/t\":\"a${*}\"}}", "{\"aws:PrincipalTag/t\":\"abc\"}", 0 },
	{ "{\"StringLike\":{\"aws:PrincipalTag/t\":\"${aws:PrincipalTag/v}\"}}", "{\"aws:PrincipalTag/t\":\"abc\",\"aws:PrincipalTag/v\":\"a*\"}", 0 },
	{ "{\"StringEquals\":{\"aws:PrincipalTag/t\":\"${aws:TagKeys}\"}}", "{\"aws:PrincipalTag/t\":\"a\",\"aws:TagKeys\":[\"a\"]}", 0 },
	/* derived keys */
	{ "{\"StringEquals\":{\"aws:username\":\"alice\",\"aws:PrincipalAccount\":\"111122223333\"}}", "{}", 1 },
	{ "{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:user/alice\"}}", "{}", 1 },
};

static void
t_condition_rows(void)
{
	size_t i;
	char *err = NULL;
	int got;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		got = cond_holds(rows[i].cond, rows[i].ctx, NULL, &err);
		T(got == rows[i].want, "row %zu: %s with %s: %d, want %d%s%s", i, rows[i].cond,
		    rows[i].ctx, got, rows[i].want, err ? ": " : "", err ? err : "");
		free(err);
		err = NULL;
	}
}

static void
t_role_session_keys(void)
{
	const char *s = "arn:aws:sts::111122223333:assumed-role/app/sess";
	char *err = NULL;

	T(cond_holds("{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/app\"}}", "{}", s, &err) == 1,
	    "a session's aws:PrincipalArn is its role");
	T(cond_holds("{\"Null\":{\"aws:username\":\"true\"}}", "{}", s, &err) == 1, "a session has no aws:username");
	T(cond_holds("{\"StringEquals\":{\"aws:PrincipalArn\":\"x\"}}", "{\"aws:PrincipalArn\":\"x\"}", s, &err) == 1,
	    "the caller's context wins over derived keys");
	free(err);
}

static void
t_op_parse(void)
{
	static const struct { const char *s; int ok; enum pol_op op; enum pol_setq q; int ife; } ops[] = {
		{ "StringEquals", 1, POL_OP_STRING_EQUALS, POL_SET_NONE, 0 },
		{ "ForAllValues:StringLikeIfExists", 1, POL_OP_STRING_LIKE, POL_SET_ALL, 1 },
		{ "ForAnyValue:ArnNotLike", 1, POL_OP_ARN_NOT_LIKE, POL_SET_ANY, 0 },
		{ "DateGreaterThanEqualsIfExists", 1, POL_OP_DATE_GREATER_THAN_EQUALS, POL_SET_NONE, 1 },
		{ "Null", 1, POL_OP_NULL, POL_SET_NONE, 0 },
		{ "NullIfExists", 0, 0, 0, 0 },
		{ "stringequals", 0, 0, 0, 0 },
		{ "ForSomeValues:StringEquals", 0, 0, 0, 0 },
		{ "IfExists", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
	};
	enum pol_op op;
	enum pol_setq q;
	size_t i;
	int ife, ok;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ok = pol_op_parse(ops[i].s, &op, &q, &ife);
		T(ok == ops[i].ok, "%s: %d", ops[i].s, ok);
		if (ok && ops[i].ok)
			T(op == ops[i].op && q == ops[i].q && ife == ops[i].ife, "%s parsed wrong", ops[i].s);
	}
	for (i = 0; i < POL_NOPS; i++)
		T(pol_op_parse(pol_op_names[i], &op, &q, &ife) && op == (enum pol_op)i, "%s", pol_op_names[i]);
}

static void
t_parse_forms(void)
{
	static const char enc[] = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Sid%22%3A%22A%22"
	    "%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGet*%22%2C%22s3%3AList*%22%5D%2C%22Resource%22%3A%22*%22%7D%7D";
	struct pol_doc *d;
	char *err = NULL, *label;
	json_t *s;

	d = pol_parse_text(enc, POL_IDENTITY, "enc", &err);
	T(d != NULL, "URL-encoded: %s", err ? err : "");
	if (d != NULL) {
		T(d->nst == 1 && d->st[0].action.n == 2 && strcmp(d->st[0].sid, "A") == 0, "compiled wrong");
		T(d->st[0].vars == 1 && strcmp(d->version, "2012-10-17") == 0, "version");
		label = pol_stmt_label(&d->st[0]);
		T_STREQ(label, "Sid \"A\"");
		free(label);
		pol_free(d);
	}
	/* A JSON string holding the document, as some snapshots keep it. */
	s = json_string("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
	d = pol_parse(s, POL_BOUNDARY, NULL, &err);
	T(d != NULL && d->st[0].effect == POL_DENY && d->st[0].vars == 0 && d->version == NULL, "string form");
	if (d != NULL) {
		label = pol_stmt_label(&d->st[0]);
		T_STREQ(label, "statement 1");
		free(label);
	}
	pol_free(d);
	json_decref(s);
	/* Principals by type; numbers and booleans in conditions keep their text. */
	d = pol_parse_text("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
	    "[\"111122223333\",\"arn:aws:iam::1:role/r\"],\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\","
	    "\"Condition\":{\"NumericLessThan\":{\"a:b\":[10,1.5]},\"Bool\":{\"c:d\":true}}}]}", POL_TRUST, "t", &err);
	T(d != NULL, "trust: %s", err ? err : "");
	if (d != NULL) {
		const struct pol_stmt *st = &d->st[0];

		T(st->principal.by[POL_P_AWS].n == 2 && st->principal.by[POL_P_SERVICE].n == 1 && !st->principal.any,
		    "principal types");
		T(!st->has_resource && st->ncond == 2, "trust shape");
		T(strcmp(st->cond[0].values.v[0], "10") == 0 && strcmp(st->cond[0].values.v[1], "1.5") == 0,
		    "numbers: %s %s", st->cond[0].values.v[0], st->cond[0].values.v[1]);
		T(strcmp(st->cond[1].values.v[0], "true") == 0, "boolean text");
		pol_free(d);
	}
	free(err);
}

static void
t_parse_refusals(void)
{
	static const struct { enum pol_kind kind; const char *doc; const char *msg; } bad[] = {
		{ POL_IDENTITY, "[]", "not a JSON object" },
		{ POL_IDENTITY, "{\"Statement\":[]", "does not parse as JSON" },
		{ POL_IDENTITY, "{}", "has no Statement" },
		{ POL_IDENTITY, "{\"Statement\":[1]}", "statement 1 is not an object" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Sid\":3}}", "Sid must be a string" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[\"*\",4]}}", "Resource item 2 is not a string" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"bucket\"}}", "is neither \"*\" nor an ARN" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"NotResource\":\"*\"}}", "both Resource and NotResource" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":[]}}", "Condition must be an object" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{}}}}", "has no keys" },
		{ POL_IDENTITY, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"k:k\":null}}}}", "must be a string, number, boolean" },
		{ POL_IDENTITY, "{\"Id\":5,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", "Id must be a string" },
		{ POL_RESOURCE, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"alice\",\"Action\":\"s3:*\"}}", "must be \"*\" or an object" },
		{ POL_RESOURCE, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"User\":\"x\"},\"Action\":\"s3:*\"}}", "unknown principal type \"User\"" },
		{ POL_RESOURCE, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"s3:*\"}}", "AWS is an empty array" },
		{ POL_RESOURCE, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotPrincipal\":\"*\",\"Action\":\"s3:*\"}}", "both Principal and NotPrincipal" },
		{ POL_SCP, "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", "which a SCP policy may not have" },
		{ POL_SCP, "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:*\"}}", "a SCP policy needs one" },
		{ POL_RCP, "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"1\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}}", "needs Principal \"*\"" },
		{ POL_RCP, "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Action \"*\" is not allowed" },
		{ POL_TRUST, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"NotResource\":\"*\"}}", "has NotResource" },
	};
	struct pol_doc *d;
	char *err = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = pol_parse_text(bad[i].doc, bad[i].kind, "doc.json", &err);
		T(d == NULL, "%s accepted", bad[i].doc);
		T(err != NULL && strstr(err, bad[i].msg) != NULL && strncmp(err, "doc.json: ", 10) == 0,
		    "%s: \"%s\", want \"%s\"", bad[i].doc, err ? err : "", bad[i].msg);
		pol_free(d);
		free(err);
		err = NULL;
	}
}

static void
t_ctx_types(void)
{
	static const struct { const char *key; enum pol_ctype type; int multi; } keys[] = {
		{ "aws:MultiFactorAuthPresent", POL_T_BOOL, 0 }, { "AWS:SOURCEIP", POL_T_IP, 0 },
		{ "aws:CurrentTime", POL_T_DATE, 0 }, { "aws:MultiFactorAuthAge", POL_T_NUMERIC, 0 },
		{ "aws:SourceArn", POL_T_ARN, 0 }, { "aws:TagKeys", POL_T_STRING, 1 },
		{ "aws:PrincipalOrgPaths", POL_T_STRING, 1 }, { "aws:PrincipalTag/x", POL_T_STRING, 0 },
	};
	static const struct { enum pol_ctype type; const char *v; int ok; } vals[] = {
		{ POL_T_BOOL, "True", 1 }, { POL_T_BOOL, "1", 0 }, { POL_T_IP, "10.0.0.0/8", 1 },
		{ POL_T_IP, "::1", 1 }, { POL_T_IP, "10.0.0", 0 }, { POL_T_DATE, "1704067200", 1 },
		{ POL_T_DATE, "2024-01-01T00:00:00Z", 1 }, { POL_T_DATE, "soon", 0 }, { POL_T_NUMERIC, "-1.5", 1 },
		{ POL_T_NUMERIC, "nan", 0 }, { POL_T_NUMERIC, "", 0 }, { POL_T_ARN, "arn:aws:s3:::b", 1 },
		{ POL_T_ARN, "b", 0 }, { POL_T_STRING, "", 1 },
	};
	struct pol_ctx ctx = { NULL, 0 };
	const char *two[] = { "a", "b" };
	char *err = NULL;
	size_t i;
	int multi;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		T(pol_key_type(keys[i].key, &multi) == keys[i].type && multi == keys[i].multi, "%s", keys[i].key);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		T(pol_ctx_set(&ctx, "k", vals[i].type, 0, &vals[i].v, 1, &err) == vals[i].ok,
		    "%s \"%s\"", pol_ctype_names[vals[i].type], vals[i].v);
		free(err);
		err = NULL;
	}
	/* Setting a key again replaces it; lookups ignore case. */
	pol_ctx_set(&ctx, "aws:TagKeys", POL_T_STRING, 1, two, 2, NULL);
	pol_ctx_set(&ctx, "AWS:tagkeys", POL_T_STRING, 1, two, 1, NULL);
	T(pol_ctx_get(&ctx, "aws:tagKEYS") != NULL && pol_ctx_get(&ctx, "aws:tagKEYS")->values.n == 1, "replace");
	T(ctx.n == 2, "%zu keys", ctx.n);
	pol_ctx_free(&ctx);
}

static void
t_glob_literal(void)
{
	const unsigned char lit[] = { 0, 1, 0 };

	T(pol_globl("a*b", lit, 3, "a*b", 3, 0), "literal star matches a star");
	T(!pol_globl("a*b", lit, 3, "axb", 3, 0), "literal star is no wildcard");
	T(pol_globl("a*b", NULL, 3, "axyb", 4, 0), "NULL mask: wildcard");
	T(pol_glob("S3:Get*", "s3:getobject", POL_GLOB_FOLD) && !pol_glob("S3:Get*", "s3:getobject", 0), "fold");
}

/* The single-statement API trust analysis walks: levels of principal match, and applies. */
static void
t_statement_api(void)
{
	struct pol_doc *d;
	char *err = NULL;
	struct pol_request r = { POL_P_AWS, "arn:aws:sts::111122223333:assumed-role/App/s", NULL,
	    "sts:AssumeRole", "arn:aws:iam::111122223333:role/x", NULL, NULL };

	d = pol_parse_text("{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/path/app\"},\"Action\":\"sts:*\"},"
	    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:role/app\"},\"Action\":\"sts:*\"},"
	    "{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"111122223333\"},\"Action\":\"sts:*\"},"
	    "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
	    POL_TRUST, "t", &err);
	T(d != NULL, "%s", err ? err : "");
	if (d == NULL)
		return;
	T(pol_match_principal(&d->st[0], &r), "a role ARN (any path, name case-insensitive) names its sessions");
	T(!pol_match_principal(&d->st[1], &r), "not another account's role of that name");
	T(!pol_match_principal(&d->st[2], &r), "NotPrincipal excludes the account's principals");
	T(!pol_match_principal(&d->st[3], &r), "a service entry is not an AWS caller");
	T(pol_match_action(&d->st[3], "STS:assumerole") && !pol_match_action(&d->st[3], "sts:TagSession"), "action");
	T(pol_match_resource(&d->st[0], &r), "no Resource element: every resource");
	T(pol_stmt_applies(&d->st[0], &r) && !pol_stmt_applies(&d->st[1], &r), "applies");
	r.principal_type = POL_P_SERVICE;
	r.principal = "ec2.amazonaws.com";
	T(pol_stmt_applies(&d->st[3], &r), "service caller");
	T(pol_stmt_applies(&d->st[2], &r), "NotPrincipal: a service is not in the account");
	pol_free(d);
}

int
main(void)
{
	RUN(t_condition_rows);
	RUN(t_role_session_keys);
	RUN(t_op_parse);
	RUN(t_parse_forms);
	RUN(t_parse_refusals);
	RUN(t_ctx_types);
	RUN(t_glob_literal);
	RUN(t_statement_api);
	return t_done();
}
