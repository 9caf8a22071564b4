/* The facts the HTML and PDF reports both show, computed once. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "report/facts.h"
#include "report/report.h"

/* The thresholds the results carry, in words, in the order shown. */
static const struct report_threshold {
	const char	*key;
	const char	*label;
	const char	*unit;
} report_threshold_words[] = {
	{ "password_min_length",	"Minimum password length",		" characters" },
	{ "password_reuse_prevention",	"Passwords remembered",			"" },
	{ "password_max_age_days",	"Maximum password age",			" days" },
	{ "root_unused_days",		"Root unused for",			" days" },
	{ "credential_unused_days",	"Credentials unused for at most",	" days" },
	{ "key_rotation_days",		"Access key rotation",			" days" },
	{ "user_password_max_age_days",	"User password age without a policy",	" days" },
	{ "trusted_accounts",		"Trusted outside accounts",		"" },
	{ NULL, NULL, NULL }
};

static void
add_fact(json_t *rows, const char *label, char *value)
{
	json_array_append_new(rows, json_pack("{s:s, s:s}", "label", label, "value", value));
	free(value);
}

static int
fact_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
report_thresholds(const json_t *results)
{
	const json_t *th = json_object_get(results, "thresholds"), *v;
	const struct report_threshold *t;
	json_t *rows = json_array();
	const char *k, **keys;
	size_t i, n = 0;
	char *s;

	for (t = report_threshold_words; t->key != NULL; t++) {
		if ((v = json_object_get(th, t->key)) == NULL)
			continue;
		s = report_value_text(v);
		if (json_is_array(v) && json_array_size(v) == 0)
			add_fact(rows, t->label, xstrdup("none"));
		else
			add_fact(rows, t->label, xasprintf("%s%s", s ? s : REPORT_EMPTY, t->unit));
		free(s);
	}
	/*
	 * The others in the order of their names, not of the object: results
	 * read from a file (sorted keys) and results just graded (the
	 * config's order) show the same rows.
	 */
	keys = xcalloc(json_object_size(th) + 1, sizeof(*keys));
	json_object_foreach((json_t *)th, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), fact_cmp_str);
	for (i = 0; i < n; i++) {
		v = json_object_get(th, keys[i]);
		for (t = report_threshold_words; t->key != NULL; t++)
			if (strcmp(t->key, keys[i]) == 0)
				break;
		if (t->key != NULL || (s = report_value_text(v)) == NULL)
			continue;
		add_fact(rows, keys[i], s);
	}
	free(keys);
	return rows;
}

char *
report_age(const char *from, const char *to)
{
	time_t a, b;
	long long d;

	if (from == NULL || to == NULL || !time_parse(from, &a) || !time_parse(to, &b))
		return NULL;
	d = (long long)(b - a);
	if (d < 0)
		return xstrdup("generated after the collection started");
	if (d < 120)
		return xasprintf("%lld seconds", d);
	if (d < 2 * 3600)
		return xasprintf("%lld minutes", d / 60);
	if (d < 2 * 86400)
		return xasprintf("%lld hours", d / 3600);
	return xasprintf("%lld days", d / 86400);
}

char *
report_cred_report_age(const json_t *acct)
{
	return report_age(jstr(acct, "credential_report_generated"),
	    jstr(json_object_get(acct, "collection"), "started"));
}

/* Statuses in the order the counts list them; ACCEPTED last (only with exceptions). */
static const char *const report_status_keys[] = {
	"PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE", "ACCEPTED"
};
#define REPORT_NSTATUS	(sizeof(report_status_keys) / sizeof(report_status_keys[0]))

/* Most severe first, the order both renderers show them in. */
static const char *const report_sev_keys[] = { "critical", "high", "medium", "low" };
#define REPORT_NSEV	(sizeof(report_sev_keys) / sizeof(report_sev_keys[0]))

char *
report_matrix_note(size_t n, int grouped)
{
	if (n <= REPORT_MATRIX_MAX)
		return NULL;
	return xasprintf("The %d lowest-scoring of %zu accounts, worst first. Every account "
	    "is in the accounts table%s and has a page of its own; results.json and "
	    "findings.csv hold every account's controls.", REPORT_MATRIX_MAX, n,
	    grouped ? ", the heatmap shows every control by group," : "");
}

static int
fact_index(const char *const *keys, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, keys[i]) == 0)
			return (int)i;
	return -1;
}

json_t *
report_counts(const json_t *acct)
{
	long long n[REPORT_NSTATUS] = { 0 }, fsev[REPORT_NSEV] = { 0 }, nfsev[REPORT_NSEV] = { 0 };
	long long findings = 0, nf;
	json_t *out, *counts, *byc, *byf;
	const json_t *c, *f;
	size_t i;
	int st, sev, accepted;

	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		/* An unknown status is counted nowhere (compare_validate refuses it). */
		if ((st = fact_index(report_status_keys, REPORT_NSTATUS, jstr(c, "status"))) < 0)
			continue;
		n[st]++;
		if (strcmp(report_status_keys[st], "FAIL") != 0)
			continue;
		f = json_object_get(c, "findings");
		nf = json_is_array(f) ? (long long)json_array_size(f) : 0;
		findings += nf;
		if ((sev = fact_index(report_sev_keys, REPORT_NSEV, jstr(c, "severity"))) >= 0) {
			fsev[sev]++;
			nfsev[sev] += nf;
		}
	}
	/*
	 * ACCEPTED only where an exceptions file made it a state (grading
	 * then counts it, even as 0) or a control has it: results graded
	 * without exceptions read as before.
	 */
	accepted = n[REPORT_NSTATUS - 1] > 0 ||
	    json_object_get(json_object_get(acct, "counts"), "ACCEPTED") != NULL;
	counts = json_object();
	for (i = 0; i < REPORT_NSTATUS; i++)
		if (strcmp(report_status_keys[i], "ACCEPTED") != 0 || accepted)
			json_object_set_new(counts, report_status_keys[i], json_integer(n[i]));
	byc = json_object();
	byf = json_object();
	for (i = 0; i < REPORT_NSEV; i++) {
		json_object_set_new(byc, report_sev_keys[i], json_integer(fsev[i]));
		json_object_set_new(byf, report_sev_keys[i], json_integer(nfsev[i]));
	}
	out = json_pack("{s:o, s:I, s:I, s:I, s:o, s:o}", "counts", counts,
	    "evaluated", (json_int_t)(n[0] + n[1] + n[3] + n[4]),
	    "total", (json_int_t)json_array_size(json_object_get(acct, "controls")),
	    "findings", (json_int_t)findings,
	    "fail_by_severity", byc, "findings_by_severity", byf);
	return out;
}

const json_t *
report_control(const json_t *acct, const char *id)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(acct, "controls"), i, c)
		if (jstr(c, "id") != NULL && strcmp(jstr(c, "id"), id) == 0)
			return c;
	return NULL;
}
