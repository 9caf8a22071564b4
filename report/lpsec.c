/* The "Least privilege" section and the summary's unused shares, as one model both renderers read. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "report/facts.h"
#include "report/lpsec.h"

/* A control whose counts stand: it looked (PASS, FAIL, or FAIL made ACCEPTED). */
static int
lp_graded(const json_t *c)
{
	const char *st = jstr(c, "status");

	return st != NULL && (strcmp(st, "PASS") == 0 || strcmp(st, "FAIL") == 0 ||
	    strcmp(st, "ACCEPTED") == 0);
}

/* Down, so that 100 % means all: the group heatmap's rule (docs/results-format.md). */
static long long
lp_pct(long long part, long long whole)
{
	return whole > 0 ? part * 100 / whole : 0;
}

/*
 * One share from control id and its counts (object with the keys part,
 * whole, not_evaluated): known only when the control graded and the counts
 * are there; never 0 % for what could not be seen.
 */
static json_t *
lp_share(const json_t *acct, const char *id, const char *member, const char *part,
    const char *whole)
{
	const json_t *c = report_control(acct, id);
	const json_t *n = jpath(acct, "least_privilege");
	long long p, w, ne;
	char *text, *note = NULL;
	json_t *out;

	n = json_object_get(n, member);
	if (c != NULL && strcmp(jstr(c, "status") ? jstr(c, "status") : "", "NOT_EVALUATED") == 0)
		return json_pack("{s:b, s:n, s:s, s:s?}", "known", 0, "pct", "text", "not evaluated",
		    "note", jstr(c, "reason"));
	if (c != NULL && strcmp(jstr(c, "status") ? jstr(c, "status") : "", "NOT_APPLICABLE") == 0)
		return json_pack("{s:b, s:n, s:s, s:s?}", "known", 0, "pct", "text", "none to judge",
		    "note", jstr(c, "reason"));
	if (c == NULL || !lp_graded(c) || !json_is_object(n))
		return json_pack("{s:b, s:n, s:s, s:n}", "known", 0, "pct", "text", "not graded",
		    "note");
	p = jint(n, part, 0);
	w = jint(n, whole, 0);
	ne = jint(n, "not_evaluated", 0);
	text = xasprintf("%lld of %lld (%lld %%)", p, w, lp_pct(p, w));
	if (ne > 0)
		note = xasprintf("%lld not evaluated", ne);
	out = json_pack("{s:b, s:I, s:s, s:s?}", "known", 1, "pct", (json_int_t)lp_pct(p, w),
	    "text", text, "note", note);
	json_object_set_new(out, "pct_text", json_sprintf("%lld %%", lp_pct(p, w)));
	json_object_set_new(out, "count_text", json_sprintf("%lld of %lld", p, w));
	free(text);
	free(note);
	return out;
}

json_t *
report_lp_shares(const json_t *acct)
{
	return json_pack("{s:o, s:o}",
	    "roles", lp_share(acct, "LP-01", "roles", "unused", "judged"),
	    "services", lp_share(acct, "LP-03", "services", "unused", "granted"));
}

void
report_lp_row_extras(const json_t *p, json_t *row)
{
	const json_t *policy = json_object_get(p, "suggestion");
	unsigned char *b64;
	char *text, *file, *c;
	size_t len;

	if (!json_is_object(policy))
		return;
	/* The policy as the results hold it, base64 so that the link is only letters. */
	text = json_dumps(policy, JSON_INDENT(2) | JSON_SORT_KEYS);
	len = strlen(text);
	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)text, (int)len);
	json_object_set_new(row, "suggestion_href",
	    json_sprintf("data:application/json;base64,%s", (const char *)b64));
	/* A file name of plain characters, whatever the principal is called. */
	file = xasprintf("%s-least-privilege.json", jstr(row, "name") ? jstr(row, "name") : "policy");
	for (c = file; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
			*c = '_';
	json_object_set_new(row, "suggestion_file", json_string(file));
	free(file);
	free(b64);
	free(text);
}

/* Worst first: the larger unused share, then more unused services, then name and ARN. */
static int
lp_row_order(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	long long ua = jint(a, "unused", 0), ga = jint(a, "granted", 0);
	long long ub = jint(b, "unused", 0), gb = jint(b, "granted", 0);
	int d;

	/* ua/ga against ub/gb without division; nothing granted sorts last. */
	if ((ga == 0) != (gb == 0))
		return ga == 0 ? 1 : -1;
	if (ua * gb != ub * ga)
		return ua * gb > ub * ga ? -1 : 1;
	if (ua != ub)
		return ua > ub ? -1 : 1;
	if ((d = strcmp(jstr(a, "name"), jstr(b, "name"))) != 0)
		return d;
	return strcmp(jstr(a, "arn"), jstr(b, "arn"));
}

static json_t *
lp_row(const json_t *acct, const json_t *p)
{
	long long g = jint(p, "services_granted", 0), u = jint(p, "services_used", 0);
	json_t *row;
	char pct[16], *words;

	if (u > g)	/* a document that says so is not ours: do not draw past the track */
		u = g;
	snprintf(pct, sizeof(pct), "%.1f", g > 0 ? 100.0 * (double)u / (double)g : 0.0);
	words = g == 0 ? xstrdup("no service granted") :
	    xasprintf("%lld of %lld service%s used", u, g, g == 1 ? "" : "s");
	row = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:s}",
	    "kind", jstr(p, "kind") ? jstr(p, "kind") : "principal",
	    "name", jstr(p, "name") ? jstr(p, "name") : "",
	    "arn", jstr(p, "arn") ? jstr(p, "arn") : "",
	    "granted", (json_int_t)g, "used", (json_int_t)u, "unused", (json_int_t)(g - u),
	    "unused_actions", (json_int_t)jint(p, "unused_tracked_actions", 0),
	    "used_pct", pct, "unused_pct", (json_int_t)lp_pct(g - u, g), "words", words);
	free(words);
	report_lp_row_extras(p, row);
	return row;
}

/* The principals' bars, worst max first. */
static void
lp_rows(json_t *m, const json_t *acct, size_t max)
{
	const json_t *ps = jpath(acct, "least_privilege.principals"), *p;
	json_t **v, *rows = json_array();
	size_t i, n = json_array_size(ps);

	v = xcalloc(n + 1, sizeof(*v));
	json_array_foreach(ps, i, p)
		v[i] = lp_row(acct, p);
	qsort(v, n, sizeof(*v), lp_row_order);
	for (i = 0; i < n; i++) {
		if (i < max)
			json_array_append(rows, v[i]);
		json_decref(v[i]);
	}
	free(v);
	json_object_set_new(m, "rows", rows);
	json_object_set_new(m, "rows_total", json_integer((json_int_t)n));
	json_object_set_new(m, "rows_more", json_integer((json_int_t)(n > max ? n - max : 0)));
	json_object_set_new(m, "rows_more_words", n > max ? json_sprintf("The %zu principals "
	    "with the largest unused share are shown; %zu more are listed in results.json "
	    "(least_privilege.principals).", max, n - max) : json_null());
}

/* LP-01's and LP-02's findings: the unused roles and users with their creation and last use. */
static void
lp_unused(json_t *m, const json_t *acct, size_t max)
{
	static const char *const ids[] = { "LP-01", "LP-02" };
	static const char *const kinds[] = { "role", "user" };
	static const char *const what[] = { "Roles (LP-01)", "Users (LP-02)" };
	const json_t *c, *f, *ev;
	json_t *list = json_array(), *notes = json_array();
	size_t i, k, n = 0;

	for (k = 0; k < 2; k++) {
		if ((c = report_control(acct, ids[k])) == NULL)
			continue;
		if (strcmp(jstr(c, "status") ? jstr(c, "status") : "", "NOT_EVALUATED") == 0)
			json_array_append_new(notes, json_sprintf("%s: not evaluated: %s", what[k],
			    jstr(c, "reason") ? jstr(c, "reason") : "no reason given"));
		json_array_foreach(json_object_get(c, "findings"), i, f) {
			if (n++ >= max)
				continue;
			ev = json_object_get(f, "evidence");
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}",
			    "kind", kinds[k],
			    "name", jstr(f, "resource_name") ? jstr(f, "resource_name") : "",
			    "arn", jstr(f, "resource") ? jstr(f, "resource") : "",
			    "created", jstr(ev, "created") ? jstr(ev, "created") : "unknown",
			    "last_used", jstr(ev, "last_used") ? jstr(ev, "last_used") : "never"));
		}
	}
	json_object_set_new(m, "unused", list);
	json_object_set_new(m, "unused_more", json_integer((json_int_t)(n > max ? n - max : 0)));
	json_object_set_new(m, "unused_more_words", n > max ? json_sprintf("%zu more unused "
	    "roles and users are listed in findings.csv (LP-01, LP-02).", n - max) : json_null());
	json_object_set_new(m, "unused_notes", notes);
}

/*
 * The principals LP-01..04 could not judge, one entry per resource and
 * reason (LP-03 and LP-04 skip a principal for the same reason), with the
 * controls that skipped it.
 */
static void
lp_not_evaluated(json_t *m, const json_t *acct, size_t max)
{
	static const char *const ids[] = { "LP-01", "LP-02", "LP-03", "LP-04" };
	const json_t *c, *u;
	json_t *list = json_array(), *seen = json_object(), *e;
	size_t i, k, n = 0;
	char *key, *t;

	for (k = 0; k < 4; k++) {
		if ((c = report_control(acct, ids[k])) == NULL)
			continue;
		json_array_foreach(json_object_get(c, "unevaluated"), i, u) {
			key = xasprintf("%s\n%s", jstr(u, "resource") ? jstr(u, "resource") : "",
			    jstr(u, "reason") ? jstr(u, "reason") : "");
			if ((e = json_object_get(seen, key)) != NULL) {
				t = xasprintf("%s, %s", jstr(e, "controls"), ids[k]);
				json_object_set_new(e, "controls", json_string(t));
				free(t);
			} else if (n++ < max) {
				e = json_pack("{s:s, s:s, s:s}",
				    "arn", jstr(u, "resource") ? jstr(u, "resource") : "",
				    "reason", jstr(u, "reason") ? jstr(u, "reason") : "no reason given",
				    "controls", ids[k]);
				json_object_set(seen, key, e);
				json_array_append_new(list, e);
			} else
				json_object_set_new(seen, key, json_object());
			free(key);
		}
	}
	json_decref(seen);
	json_object_set_new(m, "not_evaluated", list);
	json_object_set_new(m, "ne_more", json_integer((json_int_t)(n > max ? n - max : 0)));
	json_object_set_new(m, "ne_more_words", n > max ? json_sprintf("%zu more principals "
	    "not evaluated are listed in results.json (the controls' unevaluated).", n - max) :
	    json_null());
}

int
report_lp_graded(const json_t *acct)
{
	return report_control(acct, "LP-01") != NULL || report_control(acct, "LP-02") != NULL ||
	    report_control(acct, "LP-03") != NULL || report_control(acct, "LP-04") != NULL;
}

json_t *
report_lp_model(const json_t *acct, size_t max)
{
	const json_t *lp3 = report_control(acct, "LP-03");
	const json_t *lp = json_object_get(acct, "least_privilege");
	json_t *m;
	const char *usage;

	if (!report_lp_graded(acct))
		return NULL;
	if (lp3 != NULL && strcmp(jstr(lp3, "status") ? jstr(lp3, "status") : "",
	    "NOT_EVALUATED") == 0)
		usage = "not_evaluated";
	else if (!json_is_object(json_object_get(lp, "services")))
		usage = "not_recorded";
	else
		usage = "evaluated";
	m = json_object();
	json_object_set_new(m, "period_words", json_is_integer(json_object_get(lp, "unused_days")) ?
	    json_sprintf("%lld days", jint(lp, "unused_days", 0)) : json_string("the tracking period"));
	json_object_set_new(m, "shares", report_lp_shares(acct));
	json_object_set_new(m, "usage", json_string(usage));
	json_object_set_new(m, "usage_reason", strcmp(usage, "not_evaluated") == 0 &&
	    jstr(lp3, "reason") ? json_string(jstr(lp3, "reason")) : json_null());
	lp_rows(m, acct, max);
	lp_unused(m, acct, max);
	lp_not_evaluated(m, acct, max);
	return m;
}
