/*
 * Unit tests: what the HTML and PDF show of attacker-sized data (issue 12),
 * report/report.c's rows, events and line caps, and the results account of
 * an account without a gradable snapshot (checks/check.c).
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/report.h"
#include "report/facts.h"
#include "tests/unit/t.h"

static json_t *
finding(const char *resource, const char *code, const char *ip, const char *time)
{
	json_t *ev = json_object();

	if (code != NULL)
		json_object_set_new(ev, "error_code", json_string(code));
	if (ip != NULL)
		json_object_set_new(ev, "source_ip", json_string(ip));
	if (time != NULL)
		json_object_set_new(ev, "time", json_string(time));
	return json_pack("{s:s, s:s, s:o}", "resource", resource, "reason", "r", "evidence", ev);
}

/* Rows: one per actor, error and address when there is an error; order kept; counts and times. */
static void
t_finding_rows(void)
{
	static const struct {
		const char *resource, *code, *ip, *time;
	} in[] = {
		{ "user/a", "AccessDenied", "192.0.2.1", "2026-11-20T10:00:00Z" },
		{ "user/b", "AccessDenied", "192.0.2.1", "2026-11-21T10:00:00Z" },
		{ "user/a", "AccessDenied", "192.0.2.1", "2026-11-01T10:00:00Z" },	/* earliest of a */
		{ "user/a", "AccessDenied", "192.0.2.9", "2026-11-22T10:00:00Z" },	/* another address */
		{ "user/a", "AccessDenied", "192.0.2.1", "2026-11-25T10:00:00+00:00" },	/* latest of a */
		{ "user/a", NULL, NULL, NULL },		/* no error: its own row */
		{ "user/a", NULL, NULL, NULL },		/* however alike */
		{ "user/a", "Other", "192.0.2.1", "2026-11-02T10:00:00Z" },	/* another error */
	};
	static const struct {
		const char *resource;
		long long count;
		const char *first, *last;
	} want[] = {
		{ "user/a", 3, "2026-11-01T10:00:00Z", "2026-11-25T10:00:00+00:00" },
		{ "user/b", 1, "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z" },
		{ "user/a", 1, "2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z" },
		{ "user/a", 1, NULL, NULL },
		{ "user/a", 1, NULL, NULL },
		{ "user/a", 1, "2026-11-02T10:00:00Z", "2026-11-02T10:00:00Z" },
	};
	json_t *fs = json_array(), *rows, *row;
	size_t i, more;
	char *w;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		json_array_append_new(fs, finding(in[i].resource, in[i].code, in[i].ip, in[i].time));
	rows = report_finding_rows(fs, 50, &more);
	T(json_array_size(rows) == sizeof(want) / sizeof(want[0]) && more == 0,
	    "%zu rows, %zu more", json_array_size(rows), more);
	for (i = 0; i < sizeof(want) / sizeof(want[0]) && i < json_array_size(rows); i++) {
		row = json_array_get(rows, i);
		T_STREQ(jstr(json_object_get(row, "finding"), "resource"), want[i].resource);
		T(jint(row, "count", 0) == want[i].count, "row %zu: count %lld", i, jint(row, "count", 0));
		T(want[i].first ? jstr(row, "first") && strcmp(jstr(row, "first"), want[i].first) == 0 :
		    json_is_null(json_object_get(row, "first")), "row %zu: first", i);
		T(want[i].last ? jstr(row, "last") && strcmp(jstr(row, "last"), want[i].last) == 0 :
		    json_is_null(json_object_get(row, "last")), "row %zu: last", i);
	}
	w = report_row_words(json_array_get(rows, 0));
	T_STREQ(w, "3 times, first 2026-11-01T10:00:00Z, last 2026-11-25T10:00:00+00:00");
	free(w);
	T(report_row_words(json_array_get(rows, 1)) == NULL, "a single finding has no count");
	json_decref(rows);

	/* The cap: 2 rows; what the others held is counted, a grouped one included. */
	rows = report_finding_rows(fs, 2, &more);
	T(json_array_size(rows) == 2 && more == 4, "%zu rows, %zu more", json_array_size(rows), more);
	json_decref(rows);
	rows = report_finding_rows(fs, 0, &more);
	T(json_array_size(rows) == 0 && more == 8, "cap 0: %zu rows, %zu more", json_array_size(rows), more);
	json_decref(rows);
	json_decref(fs);
}

static void
t_event_rows(void)
{
	json_t *ev = json_array(), *rows;
	size_t i, more;
	char id[8];

	/* e0 e2 e4 failed; e1 e3 created. */
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "e%zu", i);
		json_array_append_new(ev, json_pack("{s:s, s:s?}", "event_id", id,
		    "error_code", i % 2 ? NULL : "AccessDenied"));
	}
	rows = report_event_rows(ev, 5, &more);
	T(json_array_size(rows) == 5 && more == 0, "not capped: %zu", json_array_size(rows));
	T_STREQ(jstr(json_array_get(rows, 0), "event_id"), "e0");	/* order as collected */
	json_decref(rows);
	rows = report_event_rows(ev, 3, &more);
	T(json_array_size(rows) == 3 && more == 2, "capped: %zu, %zu more", json_array_size(rows), more);
	T_STREQ(jstr(json_array_get(rows, 0), "event_id"), "e1");	/* created first */
	T_STREQ(jstr(json_array_get(rows, 1), "event_id"), "e3");
	T_STREQ(jstr(json_array_get(rows, 2), "event_id"), "e0");
	json_decref(rows);
	json_decref(ev);
}

static void
t_cap_lines(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *out;
	} cases[] = {
		{ "a\nb\nc", 3, "a\nb\nc" },
		{ "a\nb\nc\n", 3, "a\nb\nc\n" },
		{ "a\nb\nc\nd", 2, "a\nb\n# 2 more lines, one per finding: listed in findings.csv" },
		{ "a\nb\nc", 2, "a\nb\n# 1 more line, one per finding: listed in findings.csv" },
		{ "", 0, "" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = report_cap_lines(cases[i].in, cases[i].max);
		T_STREQ(s, cases[i].out);
		free(s);
	}
}

/* An account with no gradable snapshot: in the results, every control NOT_EVALUATED with the reason. */
static void
t_account_missing(void)
{
	struct check_config cfg;
	json_t *a, *c;
	size_t i;

	check_config_default(&cfg);
	a = check_account_missing("123456789012", "prod", "123456789012.json", 1764237600,
	    "SnapshotUnusable", "snapshots/123456789012.json: not valid JSON", &cfg);
	T(a != NULL, "no account");
	if (a == NULL)
		goto out;
	T_STREQ(jstr(a, "account_id"), "123456789012");
	T_STREQ(jstr(a, "name"), "prod");
	T_STREQ(jstr(json_object_get(a, "snapshot"), "file"), "123456789012.json");
	T(json_is_null(json_object_get(a, "score")), "a score");
	T(json_is_false(jpath(a, "collection.complete")), "complete");
	T_STREQ(json_string_value(json_array_get(jpath(a, "collection.problems"), 0)),
	    "snapshots/123456789012.json: not valid JSON");
	T(jint(json_object_get(a, "counts"), "NOT_EVALUATED", 0) ==
	    (long long)json_array_size(json_object_get(a, "controls")), "not all NOT_EVALUATED");
	json_array_foreach(json_object_get(a, "controls"), i, c)
		T(jstr(c, "reason") && strstr(jstr(c, "reason"), "not valid JSON") &&
		    strstr(jstr(c, "reason"), "SnapshotUnusable"), "%s: %s", jstr(c, "id"),
		    jstr(c, "reason") ? jstr(c, "reason") : "(no reason)");
	json_decref(a);
out:
	check_config_free(&cfg);
}

/*
 * report_counts (report/facts.c), the counts both renderers read: an
 * account's controls in, the counts that follow out, compared whole.
 */
static void
t_counts(void)
{
	static const struct {
		const char	*name;
		const char	*acct;
		const char	*want;
	} cases[] = {
		{ "empty", "{\"controls\": []}",
		  "{\"counts\": {\"PASS\": 0, \"FAIL\": 0, \"NOT_EVALUATED\": 0, \"NOT_APPLICABLE\": 0},"
		  " \"evaluated\": 0, \"total\": 0, \"findings\": 0,"
		  " \"fail_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0},"
		  " \"findings_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0}}" },
		{ "mixed", "{\"controls\": ["
		  "{\"status\": \"FAIL\", \"severity\": \"critical\", \"findings\": [{}, {}]},"
		  "{\"status\": \"FAIL\", \"severity\": \"critical\", \"findings\": [{}]},"
		  "{\"status\": \"FAIL\", \"severity\": \"low\"},"
		  "{\"status\": \"FAIL\", \"severity\": \"odd\", \"findings\": [{}]},"
		  "{\"status\": \"PASS\", \"severity\": \"high\", \"findings\": [{}]},"
		  "{\"status\": \"NOT_EVALUATED\"}, {\"status\": \"NOT_APPLICABLE\"},"
		  "{\"status\": \"BOGUS\"}]}",
		  "{\"counts\": {\"PASS\": 1, \"FAIL\": 4, \"NOT_EVALUATED\": 1, \"NOT_APPLICABLE\": 1},"
		  " \"evaluated\": 6, \"total\": 8, \"findings\": 4,"
		  " \"fail_by_severity\": {\"critical\": 2, \"high\": 0, \"medium\": 0, \"low\": 1},"
		  " \"findings_by_severity\": {\"critical\": 3, \"high\": 0, \"medium\": 0, \"low\": 0}}" },
		{ "accepted", "{\"controls\": [{\"status\": \"ACCEPTED\", \"severity\": \"high\","
		  " \"findings\": [{}]}, {\"status\": \"PASS\"}]}",
		  "{\"counts\": {\"PASS\": 1, \"FAIL\": 0, \"NOT_EVALUATED\": 0, \"NOT_APPLICABLE\": 0,"
		  " \"ACCEPTED\": 1}, \"evaluated\": 2, \"total\": 2, \"findings\": 0,"
		  " \"fail_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0},"
		  " \"findings_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0}}" },
		/* Graded with an exceptions file that accepted nothing: ACCEPTED is a state, 0. */
		{ "exceptions, none accepted", "{\"counts\": {\"ACCEPTED\": 0},"
		  " \"controls\": [{\"status\": \"PASS\"}]}",
		  "{\"counts\": {\"PASS\": 1, \"FAIL\": 0, \"NOT_EVALUATED\": 0, \"NOT_APPLICABLE\": 0,"
		  " \"ACCEPTED\": 0}, \"evaluated\": 1, \"total\": 1, \"findings\": 0,"
		  " \"fail_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0},"
		  " \"findings_by_severity\": {\"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0}}" },
	};
	json_t *acct, *want, *got;
	char *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		acct = json_loads(cases[i].acct, 0, NULL);
		want = json_loads(cases[i].want, 0, NULL);
		T(acct != NULL && want != NULL, "%s: bad case", cases[i].name);
		got = report_counts(acct);
		s = json_dumps(got, JSON_SORT_KEYS);
		T(json_equal(got, want), "%s: got %s", cases[i].name, s);
		free(s);
		json_decref(got);
		json_decref(want);
		json_decref(acct);
	}
}

int
main(void)
{
	RUN(t_finding_rows);
	RUN(t_event_rows);
	RUN(t_cap_lines);
	RUN(t_account_missing);
	RUN(t_counts);
	return t_done();
}
