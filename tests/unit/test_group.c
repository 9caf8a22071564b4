/* Grouping and selection (report/group.c) over a small organization, as a table of cases. */
#include <string.h>

#include "common/common.h"
#include "report/group.h"
#include "tests/unit/t.h"

/* Six accounts: three OUs (one a prefix of another by name only), tags, one unreadable. */
static const char structure_text[] =
"{\"schema\": \"iamgrade.organization/1\", \"source\": \"organizations\","
" \"organization_id\": \"o-abcdefghij\", \"complete\": false,"
" \"problems\": [\"organizations:ListTagsForResource (666666666666): AccessDenied: no\"],"
" \"ous\": [{\"id\": \"r-ab12\", \"name\": \"Root\", \"parent\": null, \"path\": \"/\"}],"
" \"accounts\": {"
"  \"111111111111\": {\"ou_id\": \"r-ab12\", \"ou_path\": \"/\", \"tags\": {}},"
"  \"222222222222\": {\"ou_id\": \"ou-ab12-11111111\", \"ou_path\": \"/Prod\", \"tags\": {\"env\": \"prod\"}},"
"  \"333333333333\": {\"ou_id\": \"ou-ab12-22222222\", \"ou_path\": \"/Prod/Payments\","
"                    \"tags\": {\"env\": \"prod\", \"owner\": \"pay\"}},"
"  \"444444444444\": {\"ou_id\": \"ou-ab12-33333333\", \"ou_path\": \"/Production\", \"tags\": {\"env\": \"dev\"}},"
"  \"666666666666\": {\"ou_id\": \"unknown\", \"ou_path\": \"unknown\", \"ou_reason\": \"denied\","
"                    \"tags\": {}, \"tags_reason\": \"denied\"}}}";

static json_t *
account(const char *id, const char *name, int score, const char *grade, const char *fail)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}",
	    "account_id", id, "name", name, "score", score, "grade", grade, "controls",
	    "id", "MFA-1", "status", fail, "severity", "high",
	    "id", "PWD-1", "status", "PASS", "severity", "low");
}

static json_t *
results(void)
{
	json_error_t e;
	json_t *r, *s = json_loads(structure_text, 0, &e);

	r = json_pack("{s:s, s:[o, o, o, o, o, o]}", "schema", "iamgrade.results/1", "accounts",
	    account("111111111111", "mgmt", 95, "A", "PASS"),
	    account("222222222222", "prod-web", 60, "D", "FAIL"),
	    account("333333333333", "prod-pay", 70, "C", "FAIL"),
	    account("444444444444", "production-old", 80, "B", "NOT_EVALUATED"),
	    account("555555555555", "stray", 90, "A", "PASS"),
	    account("666666666666", "hidden", 50, "F", "FAIL"));
	group_attach(r, s);
	json_decref(s);
	return r;
}

/* The ids left, joined by spaces. */
static char *
ids(const json_t *r)
{
	struct buf b = { 0 };
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(r, "accounts"), i, a)
		buf_printf(&b, "%s%s", i ? " " : "", jstr(a, "account_id"));
	buf_add(&b, "", 1);
	return buf_steal(&b);
}

static const struct {
	const char	*expr;
	const char	*want;		/* ids kept, or NULL for an error */
	const char	*err;		/* what the error names */
} select_cases[] = {
	{ "222222222222", "222222222222", NULL },
	{ "222222222222,111111111111", "111111111111 222222222222", NULL },
	/* Whole segments: /Prod is not a prefix of /Production. */
	{ "ou:/Prod", "222222222222 333333333333", NULL },
	{ "ou:/Prod/", "222222222222 333333333333", NULL },
	{ "ou:/Production", "444444444444", NULL },
	{ "ou:/", "111111111111 222222222222 333333333333 444444444444", NULL },
	{ "ou:unknown", "555555555555 666666666666", NULL },
	{ "ou:ou-ab12-22222222", "333333333333", NULL },
	{ "tag:env=prod", "222222222222 333333333333", NULL },
	{ "tag:owner", "333333333333", NULL },
	{ "prod-*", "222222222222 333333333333", NULL },
	{ "prod*", "222222222222 333333333333 444444444444", NULL },
	/* Kinds all apply, alternatives within a kind. */
	{ "ou:/Prod tag:owner=pay", "333333333333", NULL },
	{ "ou:/Prod ou:/Production tag:env=dev", "444444444444", NULL },
	/* A term that matches nothing is named; so is a selection that does. */
	{ "ou:/Sandbox", NULL, "\"ou:/Sandbox\" matches no account" },
	{ "ou:/Prod tag:env=dev", NULL, "\"ou:/Prod tag:env=dev\" matches no account" },
	{ "tag:env=staging", NULL, "\"tag:env=staging\"" },
	{ "999999999999", NULL, "\"999999999999\"" },
	{ " , ", NULL, "no terms" },
};

static void
t_select(void)
{
	size_t i;

	for (i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]); i++) {
		json_t *r = results();
		char *err = NULL, *got;
		int ok = group_select(r, select_cases[i].expr, &err);

		got = ids(r);
		if (select_cases[i].want != NULL) {
			T(ok && strcmp(got, select_cases[i].want) == 0, "%s: kept \"%s\" (%s), want \"%s\"",
			    select_cases[i].expr, got, err ? err : "", select_cases[i].want);
			T(ok && strcmp(jstr(r, "selection"), select_cases[i].expr) == 0, "%s: selection",
			    select_cases[i].expr);
		} else {
			T(!ok && err != NULL && strstr(err, select_cases[i].err) != NULL,
			    "%s: error \"%s\", want one naming %s", select_cases[i].expr,
			    err ? err : "(none)", select_cases[i].err);
			/* Nothing is dropped on an error. */
			T(json_array_size(json_object_get(r, "accounts")) == 6, "%s: accounts dropped",
			    select_cases[i].expr);
		}
		free(got);
		free(err);
		json_decref(r);
	}
}

static void
t_attach(void)
{
	json_t *r = results(), *a;

	a = json_array_get(json_object_get(r, "accounts"), 4);	/* not in the record */
	T_STREQ(json_string_value(jpath(a, "ou.path")), "unknown");
	T(json_string_value(jpath(a, "ou.reason")) != NULL, "a reason");
	a = json_array_get(json_object_get(r, "accounts"), 5);
	T_STREQ(json_string_value(jpath(a, "ou.reason")), "denied");
	T_STREQ(jstr(a, "tags_reason"), "denied");
	T(json_object_get(json_object_get(r, "organization"), "accounts") == NULL,
	    "the per-account map is not copied into results.organization");
	T_STREQ(json_string_value(jpath(r, "organization.organization_id")), "o-abcdefghij");
	/* Read back (no structure): what the results carry stays. */
	group_attach(r, NULL);
	T_STREQ(json_string_value(jpath(json_array_get(json_object_get(r, "accounts"), 2), "ou.path")),
	    "/Prod/Payments");
	json_decref(r);
}

/* The group of by that has key, or NULL. */
static const json_t *
group(const json_t *groups, const char *key)
{
	const json_t *g;
	size_t i;

	json_array_foreach(groups, i, g)
		if (strcmp(jstr(g, "key"), key) == 0)
			return g;
	return NULL;
}

static void
t_build(void)
{
	json_t *r = results(), *g, *base;
	const json_t *p;
	char *err = NULL;

	g = group_build(r, NULL, "ou", &err);
	T(g != NULL && json_array_size(g) == 5, "5 OU groups, got %zu", json_array_size(g));
	T_STREQ(jstr(json_array_get(g, 0), "key"), "/");
	p = group(g, "/Prod");
	T(p != NULL && jint(p, "n", 0) == 1, "/Prod holds its own account only");
	p = group(g, "unknown");
	T(p != NULL && jint(p, "n", 0) == 2, "unknown: the denied and the unlisted account");
	T(jint(json_object_get(p, "controls"), "x", -1) == -1, "no such control");
	T(json_integer_value(jpath(p, "controls.MFA-1.share")) == 50,
	    "MFA-1 fails in one of two: 50");
	T(json_integer_value(jpath(p, "score.worst")) == 50 &&
	    json_integer_value(jpath(p, "score.median")) == 50 &&
	    json_integer_value(jpath(p, "score.best")) == 90, "worst/median/best");
	T(jint(json_object_get(p, "grades"), "F", 0) == 1 && jint(json_object_get(p, "grades"), "A", 0) == 1,
	    "grades");
	T(jint(json_object_get(p, "fail_by_severity"), "high", 0) == 1, "one high FAIL");
	p = group(g, "/Production");
	/* NOT_EVALUATED is never counted as passing: no share at all. */
	T(json_is_null(jpath(p, "controls.MFA-1.share")), "not evaluated: null share");
	json_decref(g);

	g = group_build(r, NULL, "tag:env", &err);
	T(group(g, "prod") != NULL && jint(group(g, "prod"), "n", 0) == 2, "env=prod: 2");
	T(group(g, "(no env)") != NULL && jint(group(g, "(no env)"), "n", 0) == 1, "(no env): 1");
	T(group(g, "unknown") != NULL && jint(group(g, "unknown"), "n", 0) == 2,
	    "unreadable tags: unknown");
	T(json_integer_value(jpath(group(g, "prod"), "controls.MFA-1.share")) == 100, "all fail: 100");
	json_decref(g);

	g = group_build(r, NULL, "none", &err);
	T(json_array_size(g) == 1 && jint(json_array_get(g, 0), "n", 0) == 6, "none: one group");
	/* 3 of 5 evaluated fail. */
	T(json_integer_value(jpath(json_array_get(g, 0), "controls.MFA-1.share")) == 60,
	    "3 of 5: 60, got %lld", json_integer_value(jpath(json_array_get(g, 0), "controls.MFA-1.share")));
	json_decref(g);

	base = results();
	json_integer_set(json_object_get(json_array_get(json_object_get(base, "accounts"), 1), "score"), 70);
	g = group_build(r, base, "ou", &err);
	T(json_integer_value(jpath(group(g, "/Prod"), "score_delta")) == -10, "score delta -10");
	T(json_integer_value(jpath(group(g, "/"), "score_delta")) == 0, "unchanged: 0");
	json_decref(g);
	json_decref(base);

	T(group_build(r, NULL, "tag:", &err) == NULL && err && strstr(err, "tag:KEY"),
	    "bad --group-by");
	T(!group_by_valid("region", &err), "region is not a grouping");
	free(err);
	json_decref(r);
}

int
main(void)
{
	RUN(t_select);
	RUN(t_attach);
	RUN(t_build);
	return t_done();
}
