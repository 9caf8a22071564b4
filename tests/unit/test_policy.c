/* The policy analyser (checks/policy.c): parsing, wildcards, grants, denies, conditions. */
#include "common/common.h"
#include "checks/policy.h"
#include "policy/glob.h"
#include "tests/unit/t.h"

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (j == NULL) {
		printf("bad test JSON: %s: %s\n", text, e.text);
		abort();
	}
	return j;
}

/* The first statement of a document given as JSON text. */
static json_t *
ST(const char *stmt)
{
	return J(stmt);
}

static void
t_glob(void)
{
	T(cpol_glob("iam:PassRole", "iam:passrole"), "case-insensitive");
	T(cpol_glob("iam:Pass*", "iam:PassRole"), "star");
	T(cpol_glob("iam:PassRol?", "iam:PassRole"), "question mark");
	T(!cpol_glob("iam:PassRol?", "iam:PassRoles"), "? is one character");
	T(cpol_glob("*", "anything:at all"), "star matches all");
	T(cpol_glob("*:*", "s3:GetObject"), "*:*");
	T(!cpol_glob("iam:*", "sts:AssumeRole"), "other service");
	T(cpol_glob("i*m:*Role", "iam:PassRole"), "two stars");
	T(!cpol_glob("", "x"), "empty pattern");
	T(cpol_glob("a*b*c*d", "aXXbYYcZZd"), "backtracking");
	T(pol_glob("arn:aws:iam::*:role/Ab?", "arn:aws:iam::1:role/Abc", 0), "case-sensitive ARN");
	T(!pol_glob("arn:aws:iam::*:role/ab?", "arn:aws:iam::1:role/Abc", 0), "ARNs keep case");
	T(pol_glob("a[b]", "a[b]", 0), "brackets are literal");
	T(pol_glob("", "", 0) && pol_glob("**", "", 0), "empty text");
	T(!pol_glob("?", "", 0), "? needs a character");
	T(pol_globn("ab*", 2, "abc", 2, 0), "counted: only the first bytes count");
	T(!cpol_glob("a*b*c*d", "aXXbYYcZZ"), "backtracking fails");
}

static void
t_parse(void)
{
	json_t *in, *d;
	char *err = NULL;

	in = J("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}");
	d = cpol_parse(in, &err);
	T(d != NULL && json_is_array(json_object_get(d, "Statement")), "single statement object becomes an array");
	T(json_is_object(json_object_get(in, "Statement")), "input left alone");
	json_decref(d);
	json_decref(in);

	in = json_string("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22"
	    "%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D");
	d = cpol_parse(in, &err);
	T(d != NULL && json_array_size(json_object_get(d, "Statement")) == 1, "URL-encoded document");
	json_decref(d);
	json_decref(in);

	in = json_string("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}");
	d = cpol_parse(in, &err);
	T(d != NULL, "JSON text (CloudTrail requestParameters)");
	json_decref(d);
	json_decref(in);

	in = json_string("\"{\\\"Statement\\\": []}\"");
	d = cpol_parse(in, &err);
	T(d != NULL, "JSON text holding JSON text");
	json_decref(d);
	json_decref(in);

	in = json_string("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": ");
	d = cpol_parse(in, &err);
	T(d == NULL && err && strstr(err, "does not parse as JSON"), "truncated: %s", err ? err : "(none)");
	json_decref(in);

	in = J("{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\"}]}");
	d = cpol_parse(in, &err);
	T(d == NULL && strstr(err, "statement 1: Effect is not Allow or Deny"), "bad effect: %s", err);
	json_decref(in);

	in = J("{\"Version\": \"2012-10-17\"}");
	d = cpol_parse(in, &err);
	T(d == NULL && strstr(err, "has no Statement"), "no statement: %s", err);
	json_decref(in);

	in = J("[1, 2]");
	d = cpol_parse(in, &err);
	T(d == NULL, "an array is not a document");
	json_decref(in);
	T(cpol_parse(NULL, &err) == NULL && strstr(err, "missing"), "missing: %s", err);
	free(err);
}

static void
t_grants(void)
{
	json_t *s;

	s = ST("{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"*\"], \"Resource\": \"*\"}");
	T(cpol_grants_all(s, NULL) && cpol_on_all_resources(s), "* on * in an array");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"*:*\", \"Resource\": [\"**\"]}");
	T(cpol_grants_all(s, NULL) && cpol_on_all_resources(s), "*:* on **");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"iam:*\", \"Resource\": \"*\"}");
	T(!cpol_grants_all(s, NULL) && cpol_grants_all(s, "iam"), "iam:* covers iam only");
	T(!cpol_grants_all(s, "sts"), "not sts");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"I?m:*\", \"Resource\": \"*\"}");
	T(cpol_grants_all(s, "iam"), "I?m:* covers iam");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"iam:?*\", \"Resource\": \"*\"}");
	T(cpol_grants_all(s, "iam"), "iam:?* covers every (non-empty) iam action");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"iam:??*\", \"Resource\": \"*\"}");
	T(!cpol_grants_all(s, "iam"), "iam:??* misses one-letter actions");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"iam:Get*\", \"Resource\": \"*\"}");
	T(!cpol_grants_all(s, "iam") && cpol_grants_action(s, "iam:GetRole") &&
	    !cpol_grants_action(s, "iam:PassRole"), "iam:Get*");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"NotAction\": [\"iam:*\"], \"NotResource\": \"arn:aws:s3:::x\"}");
	T(cpol_grants_all(s, NULL) && cpol_on_all_resources(s), "NotAction/NotResource are broad");
	T(!cpol_grants_action(s, "iam:PassRole") && cpol_grants_action(s, "s3:GetObject"),
	    "NotAction excludes what it names");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"arn:aws:iam::1:role/x\"}");
	T(!cpol_on_all_resources(s), "a named resource");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"}");
	T(!cpol_on_all_resources(s), "no Resource (trust policy)");
	json_decref(s);
}

static void
t_cancel(void)
{
	json_t *d, *allow;

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},"
	    "{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(cpol_cancelled(d, allow), "Deny * on * cancels");
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"iam:PassRole\", \"s3:*\"], \"Resource\": \"*\"},"
	    "{\"Effect\": \"Deny\", \"Action\": [\"S3:*\", \"iam:passrole\"], \"Resource\": \"*\"}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(cpol_cancelled(d, allow), "same actions in another order and case");
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},"
	    "{\"Effect\": \"Deny\", \"Action\": \"iam:*\", \"Resource\": \"*\"}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(!cpol_cancelled(d, allow), "a partial Deny is reported, not subtracted");
	{
		char *t = cpol_denies_text(d);

		T(t && strstr(t, "\"iam:*\""), "denies text: %s", t ? t : "(null)");
		free(t);
	}
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},"
	    "{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\","
	    " \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"false\"}}}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(!cpol_cancelled(d, allow), "a conditional Deny does not cancel");
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:AssumeRole\"},"
	    "{\"Effect\": \"Deny\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:*\"}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(!cpol_cancelled(d, allow), "sts:* is not the same set as sts:AssumeRole, nor everything");
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:AssumeRole\"},"
	    "{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"sts:AssumeRole\"}]}");
	allow = json_array_get(json_object_get(d, "Statement"), 0);
	T(cpol_cancelled(d, allow), "trust: Deny everyone the same action");
	json_decref(d);

	d = J("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}");
	T(cpol_denies_text(d) == NULL, "no Deny, no text");
	json_decref(d);
}

static void
t_principals(void)
{
	json_t *s;

	s = ST("{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"sts:AssumeRole\"}");
	T(cpol_principal_any(s), "Principal \"*\"");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\", \"*\"]}}");
	T(cpol_principal_any(s), "AWS list with *");
	T(cpol_nvalues(cpol_principals(s, "aws")) == 2, "type lookup is case-insensitive");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}}");
	T(!cpol_principal_any(s), "one account");
	T(cpol_principals(s, "Service") == NULL, "no service");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"NotPrincipal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}}");
	T(cpol_principal_any(s), "NotPrincipal is broad");
	json_decref(s);
	s = ST("{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}}");
	T(!cpol_principal_any(s), "a service is not anyone");
	json_decref(s);
}

static void
t_conditions(void)
{
	static const char *const src[] = { "aws:SourceAccount", "aws:SourceArn", NULL };
	json_t *s, *accts = json_object();

	T(cpol_op_positive("StringEquals") && cpol_op_positive("ForAnyValue:StringLike") &&
	    cpol_op_positive("ArnLike"), "positive operators");
	T(!cpol_op_positive("StringNotEquals") && !cpol_op_positive("StringEqualsIfExists") &&
	    !cpol_op_positive("Null") && !cpol_op_positive("ForAllValues:StringEquals") &&
	    !cpol_op_positive("ArnNotLike") && !cpol_op_positive("NotIpAddress"), "non-pinning operators");

	s = ST("{\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-abc\"}}}");
	T(cpol_pins_caller(s, NULL), "org id pins");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringEquals\": {\"AWS:PRINCIPALACCOUNT\": [\"111122223333\", \"444455556666\"]}}}");
	T(cpol_pins_caller(s, accts), "keys are case-insensitive");
	T(json_object_size(accts) == 2 && json_object_get(accts, "444455556666"), "accounts collected");
	json_decref(s);
	s = ST("{\"Condition\": {\"ArnLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::777788889999:role/*\"}}}");
	T(cpol_pins_caller(s, accts) && json_object_get(accts, "777788889999"), "an ARN with a known account pins");
	json_decref(s);
	s = ST("{\"Condition\": {\"ArnLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::*:role/admin\"}}}");
	T(!cpol_pins_caller(s, NULL), "a wildcard account does not pin");
	json_decref(s);
	s = ST("{\"Condition\": {\"ArnEquals\": {\"aws:SourceArn\": \"arn:aws:s3:::my-bucket\"}}}");
	T(cpol_pins_caller(s, NULL) && cpol_cond_pinned(s, src), "an S3 bucket ARN (no account field) pins");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringLike\": {\"aws:SourceArn\": \"arn:aws:s3:::*\"}}}");
	T(!cpol_pins_caller(s, NULL), "any bucket does not pin");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringLike\": {\"aws:PrincipalOrgPaths\": [\"o-abc/r-1/ou-2/*\"]}}}");
	T(cpol_pins_caller(s, NULL), "org paths naming the org pin");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringLike\": {\"aws:PrincipalOrgPaths\": \"o-*/r-1/*\"}}}");
	T(!cpol_pins_caller(s, NULL), "an org wildcard does not pin");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": [\"o-abc\", \"*\"]}}}");
	T(!cpol_pins_caller(s, NULL), "one wildcard value among several does not pin");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"secret\"}}}");
	T(!cpol_pins_caller(s, NULL), "ExternalId never pins");
	T(cpol_cond_get(s, "STS:externalid") != NULL, "but is found");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-abc\"}}}");
	T(!cpol_cond_pinned(s, src), "restricted to the source keys");
	json_decref(s);
	s = ST("{\"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"\"}}}");
	T(!cpol_pins_caller(s, NULL), "an empty value does not pin");
	json_decref(s);
	s = ST("{\"Condition\": \"nonsense\"}");
	T(!cpol_pins_caller(s, NULL) && cpol_cond_get(s, "aws:SourceAccount") == NULL, "a malformed Condition");
	json_decref(s);
	json_decref(accts);
}

int
main(void)
{
	RUN(t_glob);
	RUN(t_parse);
	RUN(t_grants);
	RUN(t_cancel);
	RUN(t_principals);
	RUN(t_conditions);
	return t_done();
}
