/*
 * Unit tests: accepted risks (checks/exceptions.c): the file's errors name
 * FILE:LINE, and a results document turns ACCEPTED, back to FAIL after
 * expiry (relative to the collection, not the clock), with wildcards,
 * partial acceptance, unused and expired rows, and both scores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "tests/unit/t.h"

#define HEADER "control,account,resource,justification,approved_by,expires\n"

static char *
write_tmp(const char *text)
{
	char path[] = "/tmp/iamgrade-exc-XXXXXX";
	int fd = mkstemp(path);

	T(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "temp file");
	close(fd);
	return xstrdup(path);
}

static const struct {
	const char *text;
	const char *want;	/* after "FILE:" */
} bad[] = {
	{ "", "1: empty" },
	{ "control,account,resource\n", "1: the header must be" },
	{ "control,account,resource,justification,approved,expires\n", "1: the header must be" },
	{ HEADER "USER-05,111122223333,*,why,alice\n", "2: needs exactly 6 fields" },
	{ HEADER "USER-05,111122223333,*,why,alice,2027-01-01,extra\n", "2: needs exactly 6 fields" },
	{ HEADER "\nUSER-99,111122223333,*,why,alice,2027-01-01\n", "3: control: not a control id" },
	{ HEADER "USER-05,1111,*,why,alice,2027-01-01\n", "2: account: 12 digits or *" },
	{ HEADER "USER-05,111122223333,,why,alice,2027-01-01\n", "2: resource: empty" },
	{ HEADER "USER-05,111122223333,*,,alice,2027-01-01\n", "2: justification: empty" },
	{ HEADER "USER-05,111122223333,*,why,,2027-01-01\n", "2: approved_by: empty" },
	{ HEADER "USER-05,111122223333,*,why,alice,\n", "2: expires: empty (an exception with no end" },
	{ HEADER "USER-05,111122223333,*,why,alice,never\n", "2: expires: not a date" },
	{ HEADER "USER-05,111122223333,*,why,alice,2027-02-30\n", "2: expires: not a date" },
	{ HEADER "USER-05,111122223333,*,why,alice,27-01-01\n", "2: expires: not a date" },
	{ HEADER "USER-05,111122223333,*,why,alice,2027-01-01T00:00:00Z\n", "2: expires: not a date" },
	/* A quoted justification over three lines: the next row is on line 5. */
	{ HEADER "USER-05,111122223333,*,\"one\ntwo\nthree\",alice,2027-01-01\n"
	  "ROOT-01,111122223333,*,why,bob,2027-13-01\n", "5: expires: not a date" },
	{ HEADER "USER-05,111122223333,*,why,alice,2027-01-01\n"
	  "user-05,111122223333,*,again,bob,2028-01-01\n", "3: the same control, account and resource" },
	{ HEADER "USER-05,111122223333,*,\"unterminated,alice,2027-01-01\n", "2: " },
	{ HEADER "USER-05,111122223333,*,a\"b,alice,2027-01-01\n", "2: " },
};

static void
t_bad_files(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct check_exceptions x;
		char *path = write_tmp(bad[i].text), *err = NULL, *want = xasprintf("%s:%s", path, bad[i].want);

		T(!check_exceptions_load(path, &x, &err) && err && strncmp(err, want, strlen(want)) == 0,
		    "case %zu: got \"%s\", want \"%s...\"", i, err ? err : "(accepted)", want);
		unlink(path);
		free(path);
		free(want);
		free(err);
	}
	{
		struct check_exceptions x;
		char *err = NULL;

		T(!check_exceptions_load("/nonexistent/exc.csv", &x, &err) && err &&
		    strstr(err, "/nonexistent/exc.csv"), "missing file: %s", err ? err : "");
		free(err);
	}
}

static void
t_good_file(void)
{
	struct check_exceptions x;
	char *path = write_tmp("Control, Account ,resource,justification,approved_by,expires\r\n"
	    "user-05,*,\"arn:aws:iam::111122223333:user/a,b\",\"two\nlines\",alice,2027-01-01\r\n"
	    "\r\n"
	    "ROOT-01,111122223333,*,why,bob,2026-12-31\r\n"), *err = NULL;
	char h[65];
	size_t len = 0;
	char *data = NULL;

	T(check_exceptions_load(path, &x, &err), "%s", err ? err : "");
	T(x.n == 2, "%zu rows", x.n);
	if (x.n == 2) {
		T_STREQ(x.v[0].control, "USER-05");
		T_STREQ(x.v[0].resource, "arn:aws:iam::111122223333:user/a,b");
		T_STREQ(x.v[0].justification, "two\nlines");
		T(x.v[0].line == 2 && x.v[1].line == 5, "lines %zu %zu", x.v[0].line, x.v[1].line);
		T(x.v[1].expires_at == 1798675200, "2026-12-31 is %lld", (long long)x.v[1].expires_at);
	}
	file_read(path, 0, &data, &len, NULL);
	sha256_hex(data, len, h);
	T_STREQ(x.sha256, h);
	check_exceptions_free(&x);
	free(data);
	unlink(path);
	free(path);
}

/*
 * One results document, two accounts collected a month apart, graded
 * alike: PWD-01 (high) PASS, USER-05 (medium) FAIL for two users, ROOT-01
 * (critical) FAIL for the account, POL-02 FAIL with one finding and a
 * resource it could not grade.
 */
static json_t *
results(void)
{
	static const char acct[] =
	    "{\"account_id\": \"%s\", \"collection\": {\"started\": \"%s\"}, \"score\": 0, \"grade\": \"F\","
	    " \"coverage\": {\"evaluated\": 4, \"total\": 4},"
	    " \"controls\": ["
	    "  {\"id\": \"PWD-01\", \"status\": \"PASS\", \"findings\": []},"
	    "  {\"id\": \"USER-05\", \"status\": \"FAIL\", \"findings\": ["
	    "    {\"resource\": \"arn:aws:iam::%s:user/alice\", \"resource_name\": \"alice\"},"
	    "    {\"resource\": \"arn:aws:iam::%s:user/bob\", \"resource_name\": \"bob\"}]},"
	    "  {\"id\": \"ROOT-01\", \"status\": \"FAIL\", \"findings\": ["
	    "    {\"resource\": \"arn:aws:iam::%s:root\", \"resource_name\": \"<root_account>\"}]},"
	    "  {\"id\": \"POL-02\", \"status\": \"FAIL\", \"findings\": ["
	    "    {\"resource\": \"arn:aws:iam::%s:policy/p\", \"resource_name\": \"p\"}],"
	    "   \"unevaluated\": [{\"resource\": \"x\", \"reason\": \"does not parse\"}]}]}";
	char *a = xasprintf(acct, "111122223333", "2026-11-30T10:00:00Z", "111122223333",
	    "111122223333", "111122223333", "111122223333");
	char *b = xasprintf(acct, "444455556666", "2026-12-31T10:00:00Z", "444455556666",
	    "444455556666", "444455556666", "444455556666");
	char *doc = xasprintf("{\"generated_at\": \"2026-12-31T10:05:00Z\", \"accounts\": [%s, %s]}", a, b);
	json_error_t je;
	json_t *r = json_loads(doc, 0, &je);

	T(r != NULL, "fixture: %s", je.text);
	free(a);
	free(b);
	free(doc);
	return r;
}

static const char *
status(json_t *r, size_t acct, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(jpath(json_array_get(json_object_get(r, "accounts"), acct), "controls"), i, c)
		if (strcmp(jstr(c, "id"), id) == 0)
			return jstr(c, "status");
	return "(none)";
}

static json_t *
finding(json_t *r, size_t acct, const char *id, size_t n)
{
	json_t *c;
	size_t i;

	json_array_foreach(jpath(json_array_get(json_object_get(r, "accounts"), acct), "controls"), i, c)
		if (strcmp(jstr(c, "id"), id) == 0)
			return json_array_get(json_object_get(c, "findings"), n);
	return NULL;
}

static json_t *
applied(const char *rows, struct check_exceptions *x)
{
	char *text = xasprintf(HEADER "%s", rows), *path = write_tmp(text), *err = NULL;
	json_t *r = results();

	T(check_exceptions_load(path, x, &err), "%s", err ? err : "");
	check_exceptions_apply(r, x);
	unlink(path);
	free(path);
	free(text);
	free(err);
	return r;
}

/* ROOT-01 accepted until 2026-12-15: in force for the account collected on 30 Nov, expired for 31 Dec. */
static void
t_accepted_then_expired(void)
{
	struct check_exceptions x;
	json_t *r = applied("ROOT-01,*,*,break-glass kept in a safe,ciso@example.com,2026-12-15\n", &x);
	json_t *a0 = json_array_get(json_object_get(r, "accounts"), 0);
	json_t *a1 = json_array_get(json_object_get(r, "accounts"), 1);
	json_t *acc = json_object_get(finding(r, 0, "ROOT-01", 0), "accepted");

	T_STREQ(status(r, 0, "ROOT-01"), "ACCEPTED");
	T_STREQ(status(r, 1, "ROOT-01"), "FAIL");
	T_STREQ(jstr(acc, "approved_by"), "ciso@example.com");
	T(jint(acc, "days_to_expiry", -1) == 14 && jint(acc, "line", 0) == 2, "accepted: %s", jdump(acc, 0));
	T(json_object_get(finding(r, 1, "ROOT-01", 0), "accepted") == NULL, "accepted after expiry");
	/* Scores: PWD-01 PASS high 5; FAIL USER-05 medium 3, ROOT-01 critical 10, POL-02 low 1. */
	T(jint(a0, "score", -1) == 56 && jint(a0, "score_without_exceptions", -1) == 26,
	    "account 0: %lld / %lld", jint(a0, "score", -1), jint(a0, "score_without_exceptions", -1));
	T_STREQ(jstr(a0, "grade"), "F");
	T(jint(a1, "score", -1) == 26 && jint(a1, "score_without_exceptions", -1) == 26, "account 1");
	T(jint(jpath(a0, "counts"), "ACCEPTED", -1) == 1 && jint(jpath(a0, "counts"), "FAIL", -1) == 2 &&
	    jint(jpath(a1, "counts"), "ACCEPTED", -1) == 0, "counts %s", jdump(jpath(a0, "counts"), 0));
	T(jint(jpath(a0, "coverage"), "evaluated", -1) == 4, "coverage");
	/* As of generated_at (31 Dec) the row has expired, and is listed so. */
	T(json_array_size(jpath(r, "exceptions.expired")) == 1 &&
	    strcmp(jstr(json_array_get(jpath(r, "exceptions.expired"), 0), "expired_on"), "2026-12-15") == 0,
	    "expired: %s", jdump(json_object_get(r, "exceptions"), 0));
	T(json_array_size(jpath(r, "exceptions.in_force")) == 0, "in force");
	json_decref(r);
	check_exceptions_free(&x);
}

/* Exact resources, by ARN or name; a control with one of two findings accepted still FAILs. */
static void
t_partial_and_unused(void)
{
	struct check_exceptions x;
	json_t *r = applied(
	    "USER-05,111122223333,arn:aws:iam::111122223333:user/alice,vendor key,alice@example.com,2027-06-01\n"
	    "USER-05,444455556666,alice,vendor key,alice@example.com,2027-06-01\n"
	    "USER-05,444455556666,bob,vendor key,alice@example.com,2027-06-01\n"
	    "TRAIL-01,*,*,nothing fails here,bob@example.com,2027-06-01\n", &x);
	json_t *in_force = jpath(r, "exceptions.in_force"), *unused = jpath(r, "exceptions.unused");

	T_STREQ(status(r, 0, "USER-05"), "FAIL");
	T(json_object_get(finding(r, 0, "USER-05", 0), "accepted") != NULL &&
	    json_object_get(finding(r, 0, "USER-05", 1), "accepted") == NULL, "alice only");
	T_STREQ(status(r, 1, "USER-05"), "ACCEPTED");
	T(json_array_size(in_force) == 4, "in force: %zu", json_array_size(in_force));
	T(jint(json_array_get(in_force, 0), "days_to_expiry", -1) == 151, "days %lld",
	    jint(json_array_get(in_force, 0), "days_to_expiry", -1));
	T(json_array_size(unused) == 1 && strcmp(jstr(json_array_get(unused, 0), "control"), "TRAIL-01") == 0 &&
	    jint(json_array_get(unused, 0), "line", 0) == 5, "unused: %s", jdump(unused, 0));
	json_decref(r);
	check_exceptions_free(&x);
}

/* Every finding accepted but a resource not graded: NOT_EVALUATED, never ACCEPTED. */
static void
t_unevaluated_stays_unknown(void)
{
	struct check_exceptions x;
	json_t *r = applied("POL-02,*,*,legacy admin policy,cto@example.com,2027-06-01\n", &x);
	json_t *c = json_array_get(jpath(json_array_get(json_object_get(r, "accounts"), 0), "controls"), 3);

	T_STREQ(status(r, 0, "POL-02"), "NOT_EVALUATED");
	T_STREQ(jstr(c, "status_without_exceptions"), "FAIL");
	T(jstr(c, "reason") && strstr(jstr(c, "reason"), "could not be graded"), "reason");
	json_decref(r);
	check_exceptions_free(&x);
}

/* An exception for another account, or another control, accepts nothing. */
static void
t_no_match(void)
{
	struct check_exceptions x;
	json_t *r = applied("ROOT-01,999999999999,*,elsewhere,a@example.com,2027-06-01\n"
	    "USER-04,*,alice,not this control,a@example.com,2027-06-01\n", &x);

	T_STREQ(status(r, 0, "ROOT-01"), "FAIL");
	T_STREQ(status(r, 0, "USER-05"), "FAIL");
	T(json_array_size(jpath(r, "exceptions.unused")) == 2, "unused");
	json_decref(r);
	check_exceptions_free(&x);
}

/*
 * In two steps (run marks each account as it lands, then lists): the same
 * document as check_exceptions_apply, for every set of rows above.
 */
static const char *const two_step_rows[] = {
	"ROOT-01,*,*,break-glass kept in a safe,ciso@example.com,2026-12-15\n",
	"USER-05,111122223333,arn:aws:iam::111122223333:user/alice,vendor key,alice@example.com,2027-06-01\n"
	"USER-05,444455556666,alice,vendor key,alice@example.com,2027-06-01\n"
	"USER-05,444455556666,bob,vendor key,alice@example.com,2027-06-01\n"
	"TRAIL-01,*,*,nothing fails here,bob@example.com,2027-06-01\n",
	"POL-02,*,*,legacy admin policy,cto@example.com,2027-06-01\n",
	"ROOT-01,999999999999,*,elsewhere,a@example.com,2027-06-01\n"
	"USER-04,*,alice,not this control,a@example.com,2027-06-01\n",
	"USER-05,*,*,every key,a@example.com,2027-06-01\nROOT-01,*,*,root,b@example.com,2027-06-01\n",
};

static void
t_two_steps(void)
{
	struct check_exceptions x;
	json_t *whole, *steps, *a;
	size_t i, k;

	for (k = 0; k < sizeof(two_step_rows) / sizeof(two_step_rows[0]); k++) {
		whole = applied(two_step_rows[k], &x);
		steps = results();
		json_array_foreach(json_object_get(steps, "accounts"), i, a)
			check_exceptions_account(a, &x);
		check_exceptions_lists(steps, &x);
		T(json_equal(whole, steps), "rows %zu: %s\n!=\n%s", k, jdump(whole, 0), jdump(steps, 0));
		json_decref(whole);
		json_decref(steps);
		check_exceptions_free(&x);
	}
}

int
main(void)
{
	RUN(t_bad_files);
	RUN(t_good_file);
	RUN(t_accepted_then_expired);
	RUN(t_partial_and_unused);
	RUN(t_unevaluated_stays_unknown);
	RUN(t_no_match);
	RUN(t_two_steps);
	return t_done();
}
