/* The comparison model over the report fixtures: order, counts, risks, baseline diff. */
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "report/compare.h"
#include "tests/unit/t.h"

#define TC(c) T(c, "%s", #c)

#define FIX "tests/report/fixtures/"

static json_t *
load(const char *name)
{
	json_error_t e;
	json_t *j = json_load_file(name, 0, &e);

	if (j == NULL)
		fprintf(stderr, "%s: %s\n", name, e.text);
	return j;
}

static const json_t *
control(const json_t *model, const char *id)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(model, "controls"), i, c)
		if (strcmp(jstr(c, "id"), id) == 0)
			return c;
	return NULL;
}

/* The cell of control id for account acct. */
static const json_t *
cell(const json_t *model, const char *id, const char *acct)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(control(model, id), "cells"), i, c)
		if (strcmp(jstr(c, "account_id"), acct) == 0)
			return c;
	return NULL;
}

static void
test_multi(void)
{
	json_t *r = load(FIX "multi.results.json"), *m;
	const json_t *accts, *a, *risks;
	char *err = NULL;

	m = compare_build(r, NULL, &err);
	TC(m != NULL);
	if (m == NULL)
		goto out;
	accts = json_object_get(m, "accounts");
	TC(json_array_size(accts) == 4);
	/* Unreachable (no score) first, then worst score first. */
	T_STREQ(jstr(json_array_get(accts, 0), "account_id"), "444444444444");
	T_STREQ(jstr(json_array_get(accts, 1), "account_id"), "222222222222");
	T_STREQ(jstr(json_array_get(accts, 2), "account_id"), "111111111111");
	T_STREQ(jstr(json_array_get(accts, 3), "account_id"), "333333333333");
	a = json_array_get(accts, 0);
	TC(jbool(a, "complete", 1) == 0);
	TC(strstr(jstr(a, "incomplete_reason"), "sts:AssumeRole") != NULL);
	TC(json_is_null(json_object_get(a, "score")));
	TC(jint(json_object_get(a, "coverage"), "evaluated", -1) == 0);
	TC(json_is_null(json_object_get(a, "baseline")));
	a = json_array_get(accts, 1);
	TC(jint(a, "index", -1) == 1);
	TC(jint(a, "findings", -1) == 12);
	TC(jint(json_object_get(a, "fail_by_severity"), "critical", -1) == 2);

	TC(json_array_size(json_object_get(m, "controls")) == 30);
	TC(jint(control(m, "USER-05"), "fail_accounts", -1) == 2);
	TC(jint(control(m, "USER-05"), "findings", -1) == 3);
	TC(jint(control(m, "USER-05"), "not_evaluated_accounts", -1) == 1);
	T_STREQ(jstr(cell(m, "USER-05", "222222222222"), "status"), "FAIL");
	TC(jint(cell(m, "USER-05", "222222222222"), "findings", -1) == 2);
	T_STREQ(jstr(cell(m, "ROLE-01", "333333333333"), "status"), "NOT_APPLICABLE");
	TC(json_is_null(json_object_get(cell(m, "ROLE-01", "333333333333"), "change")));

	/* Worst: scored accounts with a failure, worst first; not the unreachable one. */
	TC(json_array_size(json_object_get(m, "worst")) == 3);
	T_STREQ(json_string_value(json_array_get(json_object_get(m, "worst"), 0)), "222222222222");

	/* ROLE-01 (critical) before ROLE-02/03 (high); prod's ROLE-02 after dev's. */
	risks = json_object_get(m, "role_risks");
	TC(json_array_size(risks) == 4);
	T_STREQ(jstr(json_array_get(risks, 0), "control"), "ROLE-01");
	T_STREQ(jstr(json_array_get(risks, 0), "kind"), "wildcard trust");
	T_STREQ(jstr(json_array_get(risks, 3), "account_id"), "111111111111");
	TC(jstr(json_object_get(json_array_get(risks, 0), "evidence"), "creator_arn") != NULL);
	TC(json_array_size(json_object_get(m, "removed_accounts")) == 0);
	TC(jbool(m, "has_baseline", 1) == 0);
out:
	free(err);
	json_decref(m);
	json_decref(r);
}

static void
test_baseline(void)
{
	json_t *r = load(FIX "multi.results.json"), *b = load(FIX "baseline.results.json"), *m;
	const json_t *c, *a;
	char *err = NULL;

	m = compare_build(r, b, &err);
	TC(m != NULL);
	if (m == NULL)
		goto out;
	TC(jbool(m, "has_baseline", 0) == 1);
	/* Carol's key in prod: fixed; the control still fails for alice. */
	c = cell(m, "USER-05", "111111111111");
	T_STREQ(jstr(c, "change"), "unchanged");
	TC(json_array_size(json_object_get(c, "fixed_findings")) == 1);
	T_STREQ(jstr(json_array_get(json_object_get(c, "fixed_findings"), 0), "resource_name"), "carol");
	TC(jint(c, "unchanged_findings", -1) == 1);
	/* The contractor role in dev: new. */
	c = cell(m, "ROLE-02", "222222222222");
	T_STREQ(jstr(c, "change"), "new");
	T_STREQ(jstr(c, "before"), "PASS");
	TC(json_array_size(json_object_get(c, "new_findings")) == 1);
	/* The unreachable account was unreachable then too: nothing is "fixed". */
	c = cell(m, "USER-05", "444444444444");
	TC(json_is_null(json_object_get(c, "change")));

	a = json_array_get(json_object_get(m, "accounts"), 1);	/* dev */
	T_STREQ(jstr(a, "account_id"), "222222222222");
	TC(jint(json_object_get(a, "baseline"), "score_delta", 0) == -5);
	TC(jint(json_object_get(a, "baseline"), "new", -1) == 1);
	TC(jint(json_object_get(a, "baseline"), "fixed", -1) == 0);
	a = json_array_get(json_object_get(m, "accounts"), 2);	/* prod */
	TC(jint(json_object_get(a, "baseline"), "fixed", -1) == 1);
	TC(jint(json_object_get(a, "baseline"), "score_delta", -1) == 0);
	a = json_array_get(json_object_get(m, "accounts"), 0);	/* legacy */
	TC(json_is_null(json_object_get(json_object_get(a, "baseline"), "score_delta")));
out:
	free(err);
	json_decref(m);
	json_decref(r);
	json_decref(b);
}

/* FAIL then, NOT_EVALUATED now, is "unknown", never "fixed". */
static void
test_unknown(void)
{
	json_t *r = load(FIX "multi.results.json"), *b = load(FIX "baseline.results.json"), *m;
	json_t *dev, *ctl;
	const json_t *c;
	size_t i;
	char *err = NULL;

	dev = json_array_get(json_object_get(r, "accounts"), 1);
	json_array_foreach(json_object_get(dev, "controls"), i, ctl)
		if (strcmp(jstr(ctl, "id"), "USER-01") == 0) {
			json_object_set_new(ctl, "status", json_string("NOT_EVALUATED"));
			json_object_set_new(ctl, "findings", json_array());
		}
	m = compare_build(r, b, &err);
	TC(m != NULL);
	c = cell(m, "USER-01", "222222222222");
	T_STREQ(jstr(c, "change"), "unknown");
	TC(json_array_size(json_object_get(c, "fixed_findings")) == 0);
	free(err);
	json_decref(m);
	json_decref(r);
	json_decref(b);
}

static void
test_validate(void)
{
	json_t *r = load(FIX "sample.results.json"), *m;
	char *err = NULL;

	TC(compare_validate(r, &err) == 1);
	json_object_set_new(r, "schema", json_string("iamgrade.results/2"));
	TC(compare_validate(r, &err) == 0);
	TC(err != NULL && strstr(err, "iamgrade.results/2") != NULL);
	m = compare_build(r, NULL, &err);
	TC(m == NULL);
	json_object_set_new(r, "schema", json_string("iamgrade.results/1"));
	json_object_set_new(json_array_get(json_object_get(r, "accounts"), 0), "controls",
	    json_pack("[{s:s, s:s}]", "id", "X-1", "status", "MAYBE"));
	TC(compare_validate(r, &err) == 0);
	TC(err != NULL && strstr(err, "X-1") != NULL);
	json_decref(r);
	r = json_string("x");
	TC(compare_validate(r, &err) == 0);
	free(err);
	json_decref(r);
}

/* Same input, same model: nothing depends on the clock or on hash order. */
static void
test_deterministic(void)
{
	json_t *r = load(FIX "multi.results.json"), *b = load(FIX "baseline.results.json");
	json_t *m1 = compare_build(r, b, NULL), *m2 = compare_build(r, b, NULL);
	char *s1 = json_dumps(m1, JSON_PRESERVE_ORDER), *s2 = json_dumps(m2, JSON_PRESERVE_ORDER);

	TC(s1 != NULL && s2 != NULL && strcmp(s1, s2) == 0);
	free(s1);
	free(s2);
	json_decref(m1);
	json_decref(m2);
	json_decref(r);
	json_decref(b);
}

int
main(void)
{
	RUN(test_multi);
	RUN(test_baseline);
	RUN(test_unknown);
	RUN(test_validate);
	RUN(test_deterministic);
	return t_done();
}
