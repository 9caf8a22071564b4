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
