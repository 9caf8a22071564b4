/*
 * The HTML report: a view of the results (plain JSON, every derived figure
 * computed here) poured into a template from templates/ by the template
 * engine (report/tmpl.c), which puts untrusted text only into DOM text
 * nodes and checked attribute values; the convention is documented in
 * templates/README.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "report/compare.h"
#include "report/backend.h"
#include "report/facts.h"
#include "report/group.h"
#include "report/privsec.h"
#include "report/lpsec.h"
#include "report/templates.h"
#include "report/trend.h"

#define HTML_REPORT	"report.html"
#define HTML_COMPARE	"compare.html"
#define HTML_EMPTY	REPORT_EMPTY
#define HTML_MINUS	"\xe2\x88\x92"		/* U+2212 for score deltas */
#define HTML_GAUGE_R	52.0			/* the score gauge's radius (report.html) */
#define HTML_BAR_W	300.0			/* the width of a full bar in the charts */
#define HTML_ROW_H	26			/* the height of a chart row */
#define HTML_HEAT_MAX	20			/* heatmap columns: the largest groups and "other" */
#define HTML_MOVERS	10			/* accounts in "worse" and in "better" */

struct html {
	struct report_opts	 opts;
};

/* Each status as the page shows it: never colour alone (icon and words). */
static const struct html_status {
	const char	*name;
	const char	*label;		/* in tables */
	const char	*cell;		/* in the comparison matrix */
	const char	*icon;
	const char	*cls;
} html_statuses[] = {
	{ "PASS",		"Pass",			"PASS",	"\xe2\x9c\x93",	"pass" },	/* ✓ */
	{ "FAIL",		"Fail",			"FAIL",	"\xe2\x9c\x97",	"fail" },	/* ✗ */
	{ "NOT_EVALUATED",	"Not evaluated",	"N/E",	"?",		"ne" },
	{ "NOT_APPLICABLE",	"Not applicable",	"N/A",	"\xe2\x80\x93",	"na" },		/* – */
	{ "ACCEPTED",		"Accepted risk",	"ACC",	"\xe2\x97\x8b",	"acc" },	/* ○ */
	{ NULL,			"Not in results",	"\xe2\x80\x94", " ",	"none" },
};

static const char *const html_sevs[] = { "critical", "high", "medium", "low", NULL };

static const struct html_status *
html_status(const char *name)
{
	const struct html_status *s;

	for (s = html_statuses; s->name != NULL; s++)
		if (name != NULL && strcmp(s->name, name) == 0)
			break;
	return s;
}

static int
html_sev_rank(const char *s)
{
	int i;

	for (i = 0; s != NULL && html_sevs[i] != NULL; i++)
		if (strcmp(s, html_sevs[i]) == 0)
			return 4 - i;
	return 0;
}

static const char *
html_sev_class(const char *s)
{
	return html_sev_rank(s) > 0 ? s : "unknown";
}

/* ------------------------------------------------------------------ values */

static void
html_set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v != NULL ? v : json_null());
}

static void
html_sets(json_t *o, const char *key, const char *s)
{
	html_set(o, key, s != NULL ? json_string(s) : json_null());
}

static void
html_setf(json_t *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
html_setf(json_t *o, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	html_sets(o, key, s);
	free(s);
}

/* A copy of o[key] when it is a string, else null. */
static void
html_copy(json_t *to, const char *key, const json_t *from, const char *fromkey)
{
	json_t *v = json_object_get(from, fromkey ? fromkey : key);

	html_set(to, key, json_is_string(v) ? json_incref(v) : NULL);
}

/* "2026-11-27T10:00:09Z" as "2026-11-27 10:00:09 UTC"; unparsable text is kept as is. */
static void
html_set_time(json_t *o, const char *key, const char *iso)
{
	char s[64];
	struct tm tm;
	time_t t;

	if (iso == NULL) {
		html_set(o, key, NULL);
		return;
	}
	if (!time_parse(iso, &t) || gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		html_sets(o, key, iso);
		return;
	}
	html_sets(o, key, s);
}

/* The part of an identifier safe in an id attribute and a #fragment. */
static char *
html_anchor(const char *prefix, const char *a, const char *b)
{
	struct buf out = { 0 };
	const char *parts[2] = { a, b }, *p;
	int i;

	buf_adds(&out, prefix);
	for (i = 0; i < 2; i++) {
		if (parts[i] == NULL)
			continue;
		buf_adds(&out, "-");
		for (p = parts[i]; *p != '\0'; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
				buf_add(&out, p, 1);
			else
				buf_add(&out, "_", 1);
	}
	return buf_steal(&out);
}

/* Score, grade and their presentation, shared by both pages. */
static void
html_set_score(json_t *o, const json_t *score, const char *grade)
{
	char cls[16] = "grade-none";

	if (json_is_integer(score))
		html_setf(o, "score_text", "%lld", (long long)json_integer_value(score));
	else
		html_sets(o, "score_text", HTML_EMPTY);
	html_sets(o, "grade", grade != NULL && *grade != '\0' ? grade : "?");
	if (grade != NULL && strlen(grade) == 1 && strchr("ABCDF", grade[0]) != NULL)
		snprintf(cls, sizeof(cls), "grade-%c", grade[0] - 'A' + 'a');
	html_sets(o, "grade_class", cls);
}

/* "+7", "−5", "±0" or null. */
static void
html_set_delta(json_t *o, const json_t *delta)
{
	long long d;

	if (!json_is_integer(delta)) {
		html_set(o, "delta_text", NULL);
		html_sets(o, "delta_class", "delta-none");
		return;
	}
	d = json_integer_value(delta);
	if (d > 0)
		html_setf(o, "delta_text", "+%lld", d);
	else if (d < 0)
		html_setf(o, "delta_text", HTML_MINUS "%lld", -d);
	else
		html_sets(o, "delta_text", "\xc2\xb1" "0");
	html_sets(o, "delta_class", d > 0 ? "delta-up" : d < 0 ? "delta-down" : "delta-same");
}

static void
html_set_status(json_t *o, const char *status)
{
	const struct html_status *s = html_status(status);

	html_sets(o, "status", s->name);
	html_sets(o, "status_label", s->label);
	html_sets(o, "status_cell", s->cell);
	html_sets(o, "status_icon", s->icon);
	html_sets(o, "status_class", s->cls);
}

/* "CIS 1.14 · Security Hub IAM.3", or null. */
static void
html_set_refs(json_t *o, const json_t *control)
{
	const char *cis = jstr(control, "cis"), *sh = jstr(control, "securityhub");

	if (cis != NULL && sh != NULL)
		html_setf(o, "refs", "CIS %s \xc2\xb7 Security Hub %s", cis, sh);
	else if (cis != NULL)
		html_setf(o, "refs", "CIS %s", cis);
	else if (sh != NULL)
		html_setf(o, "refs", "Security Hub %s", sh);
	else
		html_set(o, "refs", NULL);
}

/* The service:Action a NOT_EVALUATED reason names, e.g. cloudtrail:DescribeTrails. */
static void
html_set_permission(json_t *o, const char *reason)
{
	const char *p, *q, *colon;
	int denied;

	html_set(o, "permission", NULL);
	html_set(o, "api_call", NULL);
	if (reason == NULL)
		return;
	denied = strstr(reason, "denied") != NULL || strstr(reason, "AccessDenied") != NULL ||
	    strstr(reason, "not authorized") != NULL;
	for (p = reason; *p != '\0'; p = q) {
		for (q = p; (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-'; q++)
			continue;
		if (q > p && *q == ':' && q[1] >= 'A' && q[1] <= 'Z') {
			colon = q;
			for (q = colon + 1; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			    (*q >= '0' && *q <= '9'); q++)
				continue;
			json_object_set_new(o, denied ? "permission" : "api_call",
			    json_stringn(p, (size_t)(q - p)));
			return;
		}
		if (q == p)
			q++;
	}
}

/* Evidence as rows of key and value, in the document's order. */
static json_t *
html_evidence(const json_t *ev)
{
	json_t *rows = json_array(), *row, *v;
	const char *k;
	char *s;

	json_object_foreach((json_t *)ev, k, v) {
		if ((s = report_value_text(v)) == NULL)
			continue;
		row = json_object();
		html_sets(row, "key", k);
		html_sets(row, "value", s);
		json_array_append_new(rows, row);
		free(s);
	}
	return rows;
}

static json_t *
html_finding(const json_t *f, const char *control_sev)
{
	json_t *o = json_object();
	const char *sev = jstr(f, "severity");

	html_copy(o, "resource", f, NULL);
	html_copy(o, "resource_name", f, NULL);
	html_copy(o, "reason", f, NULL);
	html_sets(o, "severity", sev);
	html_sets(o, "sev_class", html_sev_class(sev));
	/* Only worth saying when it differs from the control's (ROLE-02 with an ExternalId). */
	html_set(o, "severity_differs", json_boolean(sev != NULL && control_sev != NULL &&
	    strcmp(sev, control_sev) != 0));
	html_set(o, "evidence", html_evidence(json_object_get(f, "evidence")));
	return o;
}

/*
 * The pass/fail chart by family: one row per family, a stacked bar of its
 * statuses, with the counts in words next to it so it reads in greyscale.
 */
static json_t *
html_family_chart(const json_t *families, json_t *view)
{
	static const char *const keys[] = { "PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE" };
	json_t *rows = json_array(), *row, *segs, *seg;
	const json_t *fam;
	struct buf words = { 0 };
	long long n[4], total;
	double x, w;
	size_t i;
	int k, y = 0;

	json_array_foreach(families, i, fam) {
		total = 0;
		for (k = 0; k < 4; k++)
			total += n[k] = jint(fam, keys[k], 0);
		if (total == 0)
			continue;
		row = json_object();
		html_copy(row, "title", fam, NULL);
		html_setf(row, "y", "%d", y);
		html_setf(row, "text_y", "%d", y + 15);
		html_setf(row, "bar_y", "%d", y + 3);
		segs = json_array();
		buf_reset(&words);
		for (k = 0, x = 0; k < 4; k++) {
			if (n[k] == 0)
				continue;
			w = HTML_BAR_W * (double)n[k] / (double)total;
			seg = json_object();
			html_setf(seg, "x", "%.1f", 200 + x);
			html_setf(seg, "w", "%.1f", w);
			html_setf(seg, "y", "%d", y + 3);
			html_sets(seg, "cls", html_status(keys[k])->cls);
			html_setf(seg, "label", "%lld %s", n[k], html_status(keys[k])->label);
			json_array_append_new(segs, seg);
			if (words.len > 0)
				buf_adds(&words, ", ");
			buf_printf(&words, "%lld %s", n[k], k == 0 ? "pass" : k == 1 ? "fail" :
			    k == 2 ? "not evaluated" : "n/a");
			x += w;
		}
		html_set(row, "segments", segs);
		html_sets(row, "words", words.p);
		html_setf(row, "words_x", "%.0f", 200 + HTML_BAR_W + 12);
		json_array_append_new(rows, row);
		y += HTML_ROW_H;
	}
	buf_free(&words);
	html_setf(view, "chart_h", "%d", y > 0 ? y : HTML_ROW_H);
	html_setf(view, "chart_viewbox", "0 0 760 %d", y > 0 ? y : HTML_ROW_H);
	return rows;
}

/* --------------------------------------------------------- the account page */

/*
 * Which controls flag each event, by event id: {"<event id>": [{"id":
 * "ROLE-07"}, ...]}, built in one pass over the findings so that the
 * appendix stays linear in events and findings.
 */
static json_t *
html_event_flags(const json_t *acct)
{
	json_t *index = json_object(), *flags, *last;
	const json_t *c, *f;
	const char *id;
	size_t i, j;

	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		if (strcmp(jstr(c, "status"), "FAIL") != 0)
			continue;
		json_array_foreach(json_object_get(c, "findings"), j, f) {
			if ((id = jstr(json_object_get(f, "evidence"), "event_id")) == NULL)
				continue;
			if ((flags = json_object_get(index, id)) == NULL) {
				flags = json_array();
				json_object_set_new(index, id, flags);
			}
			/* Once per control: its findings come together. */
			last = json_array_get(flags, json_array_size(flags) - 1);
			if (last == NULL || strcmp(jstr(last, "id"), jstr(c, "id")) != 0)
				json_array_append_new(flags, json_pack("{s:s}", "id", jstr(c, "id")));
		}
	}
	return index;
}

/* The appendix's events (at most REPORT_MAX_EVENTS); *more gets how many are left out. */
static json_t *
html_events(const json_t *acct, size_t *more)
{
	json_t *rows = json_array(), *o, *flags, *f, *index = html_event_flags(acct), *shown;
	const json_t *e, *tp;
	const char *err;
	char *s, *a;
	size_t i, j;

	shown = report_event_rows(json_object_get(acct, "create_role_events"), REPORT_MAX_EVENTS, more);
	json_array_foreach(shown, i, e) {
		o = json_object();
		html_copy(o, "event_id", e, NULL);
		html_set_time(o, "time", jstr(e, "time"));
		html_copy(o, "role_name", e, NULL);
		html_copy(o, "role_arn", e, NULL);
		html_copy(o, "creator_arn", e, NULL);
		html_copy(o, "creator_type", e, NULL);
		html_copy(o, "source_ip", e, NULL);
		html_copy(o, "user_agent", e, NULL);
		err = jstr(e, "error_code");
		if (err != NULL) {
			html_setf(o, "outcome", "Failed: %s", err);
			html_sets(o, "outcome_class", "fail");
		} else if (!jbool(e, "role_exists", 1)) {
			html_sets(o, "outcome", "Created; deleted since");
			html_sets(o, "outcome_class", "na");
		} else {
			html_sets(o, "outcome", "Created; still exists");
			html_sets(o, "outcome_class", "ok");
		}
		tp = json_object_get(e, "trust_policy");
		if (json_is_string(tp))
			html_sets(o, "trust_policy", json_string_value(tp));
		else if (tp != NULL && !json_is_null(tp)) {
			s = json_dumps(tp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			html_sets(o, "trust_policy", s);
			free(s);
		} else
			html_set(o, "trust_policy", NULL);
		flags = json_deep_copy(jstr(e, "event_id") ?
		    json_object_get(index, jstr(e, "event_id")) : NULL);
		if (flags == NULL)
			flags = json_array();
		json_array_foreach(flags, j, f) {
			a = html_anchor("c", jstr(acct, "account_id"), jstr(f, "id"));
			html_setf(f, "href", "#%s", a);
			free(a);
		}
		html_set(o, "flags", flags);
		json_array_append_new(rows, o);
	}
	json_decref(shown);
	json_decref(index);
	return rows;
}

/* A control as the account page shows it; failing ones with findings and remediation. */
static json_t *
html_control(const json_t *acct, const json_t *c)
{
	json_t *o = json_object(), *findings, *rem, *cli, *console, *rows, *f;
	const json_t *r;
	json_t *x;
	const char *sev = jstr(c, "severity");
	struct buf b = { 0 };
	char *a, *s;
	size_t i, nf, more = 0;

	html_copy(o, "id", c, NULL);
	html_copy(o, "title", c, NULL);
	html_copy(o, "family", c, NULL);
	html_sets(o, "severity", sev);
	html_sets(o, "sev_class", html_sev_class(sev));
	html_set_refs(o, c);
	html_copy(o, "cis", c, NULL);
	html_copy(o, "securityhub", c, NULL);
	html_set_status(o, jstr(c, "status"));
	html_copy(o, "reason", c, NULL);
	html_set_permission(o, jstr(c, "reason"));
	a = html_anchor("c", jstr(acct, "account_id"), jstr(c, "id"));
	html_sets(o, "anchor", a);
	html_setf(o, "href", "#%s", a);
	free(a);

	/* Repeated findings are one row; rows past the cap are counted, not shown. */
	findings = json_array();
	nf = 0;
	if (strcmp(jstr(c, "status"), "FAIL") == 0) {
		nf = json_array_size(json_object_get(c, "findings"));
		rows = report_finding_rows(json_object_get(c, "findings"), REPORT_MAX_ROWS, &more);
		json_array_foreach(rows, i, x) {
			f = html_finding(json_object_get(x, "finding"), sev);
			html_set(f, "count_words", (s = report_row_words(x)) ? json_string(s) : NULL);
			free(s);
			json_array_append_new(findings, f);
		}
		json_decref(rows);
		if (more > 0)
			html_setf(o, "more_words", "%zu more finding%s, listed in findings.csv", more,
			    more == 1 ? "" : "s");
	}
	html_setf(o, "findings_count", "%zu", nf);
	html_setf(o, "findings_words", "%zu finding%s", nf, nf == 1 ? "" : "s");
	html_set(o, "findings", findings);

	r = json_object_get(c, "remediation");
	rem = json_object();
	console = json_array();
	json_array_foreach(json_object_get(r, "console"), i, x)
		if (json_is_string(x))
			json_array_append(console, x);
	html_set(rem, "console", console);
	cli = json_object_get(r, "cli");
	json_array_foreach(cli, i, x)
		if (json_is_string(x)) {
			if (b.len > 0)
				buf_adds(&b, "\n");
			/* Past the cap a line only needs counting (report_cap_lines). */
			buf_adds(&b, i < REPORT_MAX_COMMANDS ? json_string_value(x) : "-");
		}
	if (json_is_string(cli))
		buf_adds(&b, json_string_value(cli));
	/* One command per finding: as many as the findings shown, no more. */
	s = b.len > 0 ? report_cap_lines(b.p, REPORT_MAX_COMMANDS) : NULL;
	html_sets(rem, "cli", s);
	free(s);
	buf_free(&b);
	s = jstr(r, "python") ? report_cap_lines(jstr(r, "python"), REPORT_MAX_COMMANDS) : NULL;
	html_sets(rem, "python", s);
	free(s);
	html_set(o, "remediation", rem);
	return o;
}

/* Failing controls: most severe first, then in catalogue order. */
static int
html_fail_order(const void *pa, const void *pb)
{
	json_t *const *a = pa, *const *b = pb;
	int ra = html_sev_rank(jstr(*a, "severity")), rb = html_sev_rank(jstr(*b, "severity"));

	if (ra != rb)
		return ra > rb ? -1 : 1;
	return (int)jint(*a, "_seq", 0) - (int)jint(*b, "_seq", 0);
}

/* What changed since the baseline for the account at position k of the model. */
static json_t *
html_account_changes(const json_t *model, size_t k, const json_t *entry)
{
	json_t *o = json_object(), *news = json_array(), *fixed = json_array(), *row;
	const json_t *ctl, *cell, *f, *base = json_object_get(entry, "baseline");
	const char *lists[2] = { "new_findings", "fixed_findings" };
	json_t *into[2] = { news, fixed };
	size_t i, j, n;
	int l;

	html_set(o, "present", json_boolean(json_is_object(base)));
	html_set_score(o, json_object_get(base, "score"), jstr(base, "grade"));
	html_set_delta(o, json_object_get(base, "score_delta"));
	html_setf(o, "new", "%lld", jint(base, "new", 0));
	html_setf(o, "fixed", "%lld", jint(base, "fixed", 0));
	html_setf(o, "unchanged", "%lld", jint(base, "unchanged", 0));
	json_array_foreach(json_object_get(model, "controls"), i, ctl) {
		cell = json_array_get(json_object_get(ctl, "cells"), k);
		for (l = 0; l < 2; l++)
			json_array_foreach(json_object_get(cell, lists[l]), j, f) {
				row = json_object();
				html_copy(row, "control", ctl, "id");
				html_copy(row, "title", ctl, NULL);
				json_array_append_new(into[l], row);
				/* At most REPORT_MAX_ROWS per control and list; then their number. */
				if (j == REPORT_MAX_ROWS) {
					n = json_array_size(json_object_get(cell, lists[l])) - j;
					html_setf(row, "resource_name", "%zu more, listed in %sfindings.csv",
					    n, l == 0 ? "" : "the baseline's ");
					html_set(row, "resource", NULL);
					html_set(row, "reason", NULL);
					break;
				}
				html_copy(row, "resource_name", f, NULL);
				html_copy(row, "resource", f, NULL);
				html_copy(row, "reason", f, NULL);
			}
		if (jstr(cell, "change") != NULL && strcmp(jstr(cell, "change"), "unknown") == 0) {
			row = json_object();
			html_copy(row, "control", ctl, "id");
			html_copy(row, "title", ctl, NULL);
			html_sets(row, "resource_name", "(not evaluated this time)");
			html_copy(row, "reason", cell, NULL);
			json_array_append_new(into[1], row);
		}
	}
	html_set(o, "new_findings", news);
	html_set(o, "fixed_findings", fixed);
	html_set(o, "any", json_boolean(json_array_size(news) + json_array_size(fixed) > 0));
	return o;
}

static json_t *
html_account_view(const json_t *results, const json_t *model, size_t k)
{
	const json_t *entry = json_array_get(json_object_get(model, "accounts"), k);
	const json_t *acct = json_array_get(json_object_get(results, "accounts"),
	    (size_t)jint(entry, "index", 0));
	const json_t *coll = json_object_get(acct, "collection"), *c, *snap;
	json_t *o = json_object(), *controls, *failing, *ne, *na, *cv, **fails = NULL;
	const json_t *counts = json_object_get(entry, "counts");
	size_t i, nfail = 0, more = 0;
	char *s, *a;
	double dash;

	html_copy(o, "account_id", acct, NULL);
	html_copy(o, "alias", acct, NULL);
	html_copy(o, "name", acct, NULL);
	html_sets(o, "display", report_account_name(acct));
	a = html_anchor("acct", jstr(acct, "account_id"), NULL);
	html_sets(o, "anchor", a);
	html_setf(o, "href", "#%s", a);
	free(a);

	html_set_time(o, "collected", jstr(coll, "finished"));
	html_set_time(o, "started", jstr(coll, "started"));
	/* With accepted risks: the score without them beside it, and how many. */
	if (json_is_integer(json_object_get(acct, "score_without_exceptions")))
		html_setf(o, "score_without", "%lld (%s) without exceptions; %lld accepted",
		    jint(acct, "score_without_exceptions", 0), jstr(acct, "grade_without_exceptions"),
		    jint(counts, "ACCEPTED", 0));
	html_copy(o, "caller_arn", coll, NULL);
	html_set(o, "window_days", json_is_integer(json_object_get(coll, "window_days")) ?
	    json_incref(json_object_get(coll, "window_days")) : NULL);
	html_sets(o, "tool_version", jstr(coll, "tool_version") ? jstr(coll, "tool_version") :
	    jstr(json_object_get(results, "tool"), "version"));
	html_set_time(o, "cred_report", jstr(acct, "credential_report_generated"));
	s = report_cred_report_age(acct);
	html_sets(o, "cred_report_age", s);
	free(s);
	snap = json_object_get(acct, "snapshot");
	html_copy(o, "snapshot_file", snap, "file");
	html_copy(o, "snapshot_sha256", snap, "sha256");

	html_set_score(o, json_object_get(entry, "score"), jstr(entry, "grade"));
	dash = json_is_integer(json_object_get(entry, "score")) ?
	    2 * M_PI * HTML_GAUGE_R * (double)jint(entry, "score", 0) / 100.0 : 0;
	html_setf(o, "gauge_dash", "%.1f %.1f", dash, 2 * M_PI * HTML_GAUGE_R);
	html_setf(o, "coverage_text", "%lld of %lld controls evaluated",
	    jint(json_object_get(entry, "coverage"), "evaluated", 0),
	    jint(json_object_get(entry, "coverage"), "total", 0));
	html_setf(o, "n_pass", "%lld", jint(counts, "PASS", 0));
	html_setf(o, "n_fail", "%lld", jint(counts, "FAIL", 0));
	html_setf(o, "n_ne", "%lld", jint(counts, "NOT_EVALUATED", 0));
	html_setf(o, "n_na", "%lld", jint(counts, "NOT_APPLICABLE", 0));
	html_setf(o, "n_findings", "%lld", jint(entry, "findings", 0));
	html_set(o, "complete", json_boolean(jbool(entry, "complete", 1)));
	html_set(o, "problems", json_incref(json_object_get(entry, "problems")));
	html_set(o, "families", html_family_chart(json_object_get(entry, "families"), o));

	controls = json_array();
	failing = json_array();
	ne = json_array();
	na = json_array();
	fails = xcalloc(json_array_size(json_object_get(acct, "controls")) + 1, sizeof(*fails));
	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		cv = html_control(acct, c);
		json_array_append(controls, cv);
		if (strcmp(jstr(c, "status"), "FAIL") == 0) {
			json_object_set_new(cv, "_seq", json_integer((json_int_t)i));
			fails[nfail++] = json_incref(cv);
		} else if (strcmp(jstr(c, "status"), "NOT_EVALUATED") == 0)
			json_array_append(ne, cv);
		else if (strcmp(jstr(c, "status"), "NOT_APPLICABLE") == 0)
			json_array_append(na, cv);
		json_decref(cv);
	}
	if (nfail > 0)
		qsort(fails, nfail, sizeof(*fails), html_fail_order);
	for (i = 0; i < nfail; i++) {
		json_object_del(fails[i], "_seq");
		json_array_append_new(failing, fails[i]);
	}
	free(fails);
	html_set(o, "controls", controls);
	html_set(o, "failing", failing);
	html_set(o, "not_evaluated", ne);
	html_set(o, "not_applicable", na);
	html_set(o, "privsec", report_privsec(acct));
	html_set(o, "lp", report_lp_model(acct, REPORT_LP_MAX_ROWS));
	html_set(o, "events", html_events(acct, &more));
	if (more > 0)
		html_setf(o, "events_more", "%zu more CreateRole event%s (failed calls are left out "
		    "first), listed in results.json", more, more == 1 ? "" : "s");
	html_setf(o, "window_words", "%lld days", jint(coll, "window_days", 30));
	html_set(o, "changes", json_object_get(model, "has_baseline") == json_true() ?
	    html_account_changes(model, k, entry) : NULL);
	return o;
}

/*
 * The accepted risks (README "Accepted risks"): every exception in force
 * with its approver and days to expiry, then the expired and the unused
 * ones; NULL without an exceptions file.
 */
static json_t *
html_exceptions_view(const json_t *results)
{
	static const char *const lists[] = { "in_force", "expired", "unused" };
	const json_t *x = json_object_get(results, "exceptions"), *e;
	json_t *v, *rows;
	size_t i, k;

	if (x == NULL)
		return NULL;
	v = json_object();
	html_copy(v, "file", x, NULL);
	html_copy(v, "sha256", x, NULL);
	for (k = 0; k < 3; k++) {
		rows = json_array();
		json_array_foreach(json_object_get(x, lists[k]), i, e) {
			json_t *o = json_object();

			html_setf(o, "line", "%lld", jint(e, "line", 0));
			html_copy(o, "control", e, NULL);
			html_copy(o, "account", e, NULL);
			html_copy(o, "resource", e, NULL);
			html_copy(o, "justification", e, NULL);
			html_copy(o, "approved_by", e, NULL);
			html_copy(o, "expires", e, NULL);
			html_setf(o, "days", "%lld", jint(e, "days_to_expiry", 0));
			html_setf(o, "accepted", "%lld", jint(e, "findings_accepted", 0));
			json_array_append_new(rows, o);
		}
		html_set(v, lists[k], json_array_size(rows) ? rows : (json_decref(rows), NULL));
	}
	html_setf(v, "summary", "%zu in force, %zu expired, %zu unused",
	    json_array_size(json_object_get(x, "in_force")), json_array_size(json_object_get(x, "expired")),
	    json_array_size(json_object_get(x, "unused")));
	return v;
}

/* The compliance view (--framework): the shared model (report_framework_view) as the templates read it. */
static json_t *
html_framework_view(const json_t *results)
{
	json_t *fv = report_framework_view(results), *v, *rows, *r, *c, *o, *ctls;
	size_t i, j;

	if (fv == NULL)
		return NULL;
	v = json_object();
	html_copy(v, "title", fv, NULL);
	html_copy(v, "name", fv, NULL);
	rows = json_array();
	json_array_foreach(json_object_get(fv, "requirements"), i, r) {
		o = json_object();
		html_copy(o, "id", r, NULL);
		html_copy(o, "title", r, NULL);
		html_copy(o, "verdict", r, NULL);
		html_set_status(o, jstr(r, "status"));
		ctls = json_array();
		json_array_foreach(json_object_get(r, "controls"), j, c) {
			json_t *x = json_object();

			html_copy(x, "id", c, NULL);
			html_copy(x, "title", c, NULL);
			html_copy(x, "text", c, NULL);
			html_set_status(x, jstr(c, "status"));
			json_array_append_new(ctls, x);
		}
		html_set(o, "controls", ctls);
		json_array_append_new(rows, o);
	}
	html_set(v, "requirements", rows);
	json_decref(fv);
	return v;
}

static json_t *
html_report_view(const json_t *results, const json_t *model)
{
	json_t *v = json_object(), *accts = json_array(), *a;
	size_t k, n = json_array_size(json_object_get(model, "accounts"));

	for (k = 0; k < n; k++)
		json_array_append_new(accts, html_account_view(results, model, k));
	if (n == 1) {
		a = json_array_get(accts, 0);
		html_setf(v, "title", "IAM report: %s (%s)", jstr(a, "display"), jstr(a, "account_id"));
	} else
		html_setf(v, "title", "IAM report: %zu accounts", n);
	html_set(v, "several", json_boolean(n > 1));
	html_set(v, "accounts", accts);
	html_set_time(v, "generated", jstr(results, "generated_at"));
	html_copy(v, "tool_version", json_object_get(results, "tool"), "version");
	html_set(v, "thresholds", report_thresholds(results));
	html_set(v, "exceptions", html_exceptions_view(results));
	html_set(v, "framework", html_framework_view(results));
	html_set_time(v, "baseline_generated", jstr(model, "baseline_generated_at"));
	return v;
}

/* ------------------------------------------------------ the comparison page */

/* "2 critical, 1 high": the failing controls by severity, zeros left out. */
static void html_set_sev_words(json_t *, const json_t *);

/* Where an account sits: its OU path and its tags as "k=v, ..." (text). */
static void
html_set_place(json_t *o, const json_t *acct)
{
	struct buf b = { 0 };
	const char *k;
	json_t *v;

	html_sets(o, "ou_path", json_string_value(jpath(acct, "ou.path")) ?
	    json_string_value(jpath(acct, "ou.path")) : "/");
	json_object_foreach(json_object_get(acct, "tags"), k, v)
		buf_printf(&b, "%s%s=%s", b.len ? ", " : "", k,
		    json_string_value(v) ? json_string_value(v) : "");
	if (b.len > 0)
		html_set(o, "tags_text", json_stringn(b.p, b.len));
	else
		html_set(o, "tags_text", NULL);
	buf_free(&b);
}

/* The heatmap's shade for a share (0-100): six steps, lightness alone. */
static int
html_heat_step(json_int_t share)
{
	return share <= 0 ? 0 : share < 20 ? 1 : share < 40 ? 2 : share < 60 ? 3 : share < 80 ? 4 : 5;
}

/*
 * The heatmap's columns (group_heat_columns: at most HTML_HEAT_MAX, the
 * largest groups and "other") into cols, each {key, href, n}: a group's
 * column links to its folded table, "other" to the list of groups.
 * Returns the columns' aggregates (new reference).  views: the groups'
 * view rows, in grouping order.
 */
static json_t *
html_heat_cols(json_t *cols, const json_t *groups, const json_t *views)
{
	json_t *heat = group_heat_columns(groups, HTML_HEAT_MAX), *col;
	const json_t *g, *x;
	size_t i, k;

	json_array_foreach(heat, i, g) {
		col = json_object();
		html_copy(col, "key", g, NULL);
		html_setf(col, "n", "%lld", jint(g, "n", 0));
		html_sets(col, "href", "#groups");
		json_array_foreach(views, k, x)
			if (!jbool(g, "other", 0) && jstr(x, "key") && jstr(g, "key") &&
			    strcmp(jstr(x, "key"), jstr(g, "key")) == 0) {
				html_copy(col, "href", x, NULL);
				break;
			}
		json_array_append_new(cols, col);
	}
	return heat;
}

/* Account rows by score change, the largest first in the direction asked. */
static int
html_delta_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	long long da = jint(a, "d", 0), db = jint(b, "d", 0);

	if (da != db)
		return da < db ? -1 : 1;
	return strcmp(jstr(a, "id") ? jstr(a, "id") : "", jstr(b, "id") ? jstr(b, "id") : "");
}

/*
 * The accounts that got worse and better since the baseline, HTML_MOVERS
 * of each: the view's account rows (accts, in the model's order) whose
 * score went down (largest drop first) and up (largest gain first).
 */
static void
html_movers_view(json_t *v, const json_t *model, const json_t *accts)
{
	const json_t *e, *d;
	json_t *worse = json_array(), *better = json_array();
	const json_t **down, **up;
	json_t *keys = json_array(), *k;
	size_t i, nd = 0, nu = 0, n = json_array_size(accts);

	down = xcalloc(n + 1, sizeof(*down));
	up = xcalloc(n + 1, sizeof(*up));
	json_array_foreach(json_object_get(model, "accounts"), i, e) {
		d = jpath(e, "baseline.score_delta");
		if (!json_is_integer(d) || json_integer_value(d) == 0 || i >= n)
			continue;
		/* Sort keys beside the rows: the change, signed so that "first" is the largest. */
		k = json_pack("{s:I, s:s?, s:o}", "d", json_integer_value(d) < 0 ?
		    json_integer_value(d) : -json_integer_value(d), "id", jstr(e, "account_id"),
		    "row", json_incref(json_array_get(accts, i)));
		json_array_append_new(keys, k);
		if (json_integer_value(d) < 0)
			down[nd++] = k;
		else
			up[nu++] = k;
	}
	qsort(down, nd, sizeof(*down), html_delta_cmp);
	qsort(up, nu, sizeof(*up), html_delta_cmp);
	for (i = 0; i < nd && i < HTML_MOVERS; i++)
		json_array_append(worse, json_object_get(down[i], "row"));
	for (i = 0; i < nu && i < HTML_MOVERS; i++)
		json_array_append(better, json_object_get(up[i], "row"));
	html_setf(v, "n_worse", "%zu", nd);
	html_setf(v, "n_better", "%zu", nu);
	html_set(v, "movers", json_pack("[{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}]",
	    "title", "Worse", "id", "t-worse", "none", "No account's score went down.", "rows", worse,
	    "title", "Better", "id", "t-better", "none", "No account's score went up.", "rows", better));
	free(down);
	free(up);
	json_decref(keys);
}

/*
 * The organization as it is organized: results.grouping into the overview
 * (one row per group), the heatmap (control x group: the share of the
 * group's evaluated accounts that fail, as a number and a shade that reads
 * in greyscale) and the accounts of each group, folded.  accts: the view's
 * account rows (worst first), reused in each group's table.
 */
static void
html_groups_view(json_t *v, const json_t *results, const json_t *model, const json_t *accts)
{
	const json_t *grouping = json_object_get(results, "grouping"), *g, *ctl, *id, *o;
	json_t *groups = json_array(), *cols = json_array(), *rows = json_array();
	json_t *row, *cells, *cell, *members, *byid = json_object(), *share, *ous, *heat;
	const char *by = jstr(grouping, "by");
	size_t i, j;
	char *a;

	json_array_foreach(accts, i, o)
		json_object_set(byid, jstr(o, "account_id"), (json_t *)o);
	json_array_foreach(json_object_get(grouping, "groups"), i, g) {
		json_t *x = json_object();

		a = xasprintf("group-%zu", i);
		html_sets(x, "anchor", a);
		html_setf(x, "href", "#%s", a);
		free(a);
		html_copy(x, "key", g, NULL);
		html_setf(x, "n", "%lld", jint(g, "n", 0));
		html_setf(x, "n_words", "%lld account%s", jint(g, "n", 0), jint(g, "n", 0) == 1 ? "" : "s");
		html_set_score(x, jpath(g, "score.worst"), NULL);
		html_sets(x, "worst_text", jstr(x, "score_text"));
		html_set_score(x, jpath(g, "score.median"), NULL);
		html_sets(x, "median_text", jstr(x, "score_text"));
		html_set_score(x, jpath(g, "score.best"), NULL);
		html_sets(x, "best_text", jstr(x, "score_text"));
		html_setf(x, "grades_text", "A %lld \xc2\xb7 B %lld \xc2\xb7 C %lld \xc2\xb7 D %lld \xc2\xb7 F %lld",
		    jint(json_object_get(g, "grades"), "A", 0), jint(json_object_get(g, "grades"), "B", 0),
		    jint(json_object_get(g, "grades"), "C", 0), jint(json_object_get(g, "grades"), "D", 0),
		    jint(json_object_get(g, "grades"), "F", 0));
		html_set_sev_words(x, json_object_get(g, "fail_by_severity"));
		html_set_delta(x, json_object_get(g, "score_delta"));
		members = json_array();
		/* The group's accounts, worst first as everywhere on the page. */
		json_array_foreach(accts, j, o) {
			json_t *m;
			size_t k;

			json_array_foreach(json_object_get(g, "accounts"), k, id)
				if (json_string_value(id) != NULL &&
				    strcmp(json_string_value(id), jstr(o, "account_id")) == 0)
					break;
			if (k < json_array_size(json_object_get(g, "accounts"))) {
				m = json_object_get(byid, jstr(o, "account_id"));
				json_array_append(members, m);
			}
		}
		html_set(x, "members", members);
		json_array_append_new(groups, x);
	}
	heat = html_heat_cols(cols, json_object_get(grouping, "groups"), groups);
	json_array_foreach(json_object_get(model, "controls"), i, ctl) {
		row = json_object();
		html_copy(row, "id", ctl, NULL);
		html_copy(row, "title", ctl, NULL);
		html_sets(row, "severity", jstr(ctl, "severity"));
		html_sets(row, "sev_class", html_sev_class(jstr(ctl, "severity")));
		cells = json_array();
		json_array_foreach(heat, j, g) {
			const json_t *c = json_object_get(json_object_get(g, "controls"), jstr(ctl, "id"));

			cell = json_object();
			share = json_object_get(c, "share");
			if (json_is_integer(share)) {
				html_setf(cell, "text", "%lld%%", (long long)json_integer_value(share));
				html_setf(cell, "cls", "heat heat-%d", html_heat_step(json_integer_value(share)));
			} else {
				html_sets(cell, "text", "n/e");
				html_sets(cell, "cls", "heat heat-ne");
			}
			html_setf(cell, "tip", "%s, %s: %lld of %lld evaluated accounts fail",
			    jstr(g, "key"), jstr(ctl, "id"), jint(c, "fail", 0), jint(c, "evaluated", 0));
			html_copy(cell, "href", json_array_get(cols, j), NULL);
			json_array_append_new(cells, cell);
		}
		html_set(row, "cells", cells);
		json_array_append_new(rows, row);
	}
	/* The OU tree, indented by depth: the structure as the run recorded it. */
	ous = json_array();
	json_array_foreach(jpath(results, "organization.ous"), i, o) {
		const char *path = jstr(o, "path"), *p;
		int depth = 0;

		for (p = path ? path : ""; *p; p++)
			depth += *p == '/';
		if (path != NULL && strcmp(path, "/") == 0)
			depth = 0;
		json_array_append_new(ous, json_pack("{s:O, s:s?, s:s}", "name",
		    json_object_get(o, "name"), "path", path, "indent",
		    depth == 0 ? "ou-d0" : depth == 1 ? "ou-d1" : depth == 2 ? "ou-d2" :
		    depth == 3 ? "ou-d3" : "ou-d4"));
	}
	html_set(v, "has_groups", json_boolean(json_array_size(groups) > 0));
	html_sets(v, "group_by", by == NULL ? "none" : strcmp(by, "ou") == 0 ? "organizational unit" :
	    strcmp(by, "none") == 0 ? "none" : by);
	html_set(v, "groups", groups);
	html_set(v, "heat_cols", cols);
	html_set(v, "heat_rows", rows);
	html_set(v, "ous", ous);
	html_set(v, "org_problems", json_incref(jpath(results, "organization.problems")));
	html_set(v, "heat_other", json_boolean(json_array_size(heat) <
	    json_array_size(json_object_get(grouping, "groups"))));
	json_decref(heat);
	json_decref(byid);
}

static void
html_set_sev_words(json_t *o, const json_t *sev)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; html_sevs[i] != NULL; i++) {
		if (jint(sev, html_sevs[i], 0) == 0)
			continue;
		buf_printf(&b, "%s%lld %s", b.len > 0 ? ", " : "", jint(sev, html_sevs[i], 0),
		    html_sevs[i]);
	}
	html_sets(o, "sev_words", b.len > 0 ? b.p : "none");
	buf_free(&b);
}

/* The order of the changes table: what got worse first. */
static const char *const html_change_order[] = {
	"new", "reopened", "unknown", "accepted", "fixed", "unchanged"
};
#define HTML_NCHANGE (sizeof(html_change_order) / sizeof(html_change_order[0]))

static int
html_change_rank(const char *change)
{
	const char *const *order = html_change_order;
	int i;

	for (i = 0; i < (int)HTML_NCHANGE - 1; i++)
		if (strcmp(change, order[i]) == 0)
			break;
	return i;
}

/* "alice, carol": the resource names of findings, or null for none. */
static json_t *
html_names(const json_t *findings)
{
	struct buf b = { 0 };
	const json_t *f;
	const char *name;
	json_t *out;
	size_t i;

	json_array_foreach(findings, i, f) {
		if ((name = jstr(f, "resource_name")) == NULL && (name = jstr(f, "resource")) == NULL)
			name = "?";
		if (b.len > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, name);
	}
	out = b.len > 0 ? json_string(b.p) : NULL;
	buf_free(&b);
	return out;
}

/* "+1 −2": findings that came and went while the control kept failing. */
static void
html_set_moved(json_t *o, const json_t *cell)
{
	size_t nnew = json_array_size(json_object_get(cell, "new_findings"));
	size_t nfixed = json_array_size(json_object_get(cell, "fixed_findings"));
	const char *change = jstr(cell, "change");

	if (change == NULL || strcmp(change, "unchanged") != 0 || nnew + nfixed == 0)
		html_set(o, "moved", NULL);
	else if (nnew > 0 && nfixed > 0)
		html_setf(o, "moved", "+%zu new, %zu fixed", nnew, nfixed);
	else if (nnew > 0)
		html_setf(o, "moved", "+%zu new", nnew);
	else
		html_setf(o, "moved", "%zu fixed", nfixed);
}

/* A 12-digit AWS account id. */

/* One cell of the control matrix: control ctl's cell ce of account e (the model's). */
static json_t *
html_matrix_cell(const json_t *ctl, const json_t *ce, const json_t *e)
{
	json_t *cell = json_object();
	const char *change = jstr(ce, "change");

	html_set_status(cell, jstr(ce, "status"));
	html_copy(cell, "account_id", ce, NULL);
	if (jstr(ce, "status") != NULL && strcmp(jstr(ce, "status"), "FAIL") == 0)
		html_setf(cell, "count", "%lld", jint(ce, "findings", 0));
	else
		html_set(cell, "count", NULL);
	/* The tooltip: who, what, why. */
	html_setf(cell, "tip", "%s (%s), %s: %s%s%s", report_account_name(e),
	    jstr(e, "account_id"), jstr(ctl, "id"), html_status(jstr(ce, "status"))->label,
	    jstr(ce, "reason") ? ". " : "", jstr(ce, "reason") ? jstr(ce, "reason") : "");
	html_sets(cell, "change", change);
	html_set_moved(cell, ce);
	html_setf(cell, "change_class", "change-%s", change ? change : "none");
	return cell;
}

/*
 * The summary's title names what was reported: the organization (its id,
 * as the run recorded it) or the accounts, and the day of the results.
 */
static void
html_title(json_t *v, const json_t *results, size_t n)
{
	const char *org = jstr(json_object_get(results, "organization"), "organization_id");
	const char *at = jstr(results, "generated_at");
	int day = at != NULL && strlen(at) >= 10;

	if (org != NULL)
		html_setf(v, "title", "IAM summary of organization %s: %zu account%s%s%.*s", org, n,
		    n == 1 ? "" : "s", day ? ", " : "", day ? 10 : 0, day ? at : "");
	else
		html_setf(v, "title", "IAM comparison: %zu account%s%s%.*s", n, n == 1 ? "" : "s",
		    day ? ", " : "", day ? 10 : 0, day ? at : "");
}

static json_t *
html_compare_view(const json_t *results, const json_t *model, const char *pages)
{
	json_t *v = json_object(), *accts = json_array(), *rows = json_array(), *risks = json_array();
	json_t *worst = json_array(), *incomplete = json_array(), *bars = json_array(), *changes = json_array();
	json_t *changes_by[HTML_NCHANGE];
	json_t *o, *cells, *x, *removed, *matrix;
	const json_t *e, *ctl, *ce, *r, *ev;
	const char *change;
	size_t i, j, n = json_array_size(json_object_get(model, "accounts"));
	char *a;
	int y = 0;

	for (i = 0; i < HTML_NCHANGE; i++)
		changes_by[i] = json_array();
	json_array_foreach(json_object_get(model, "accounts"), i, e) {
		o = json_object();
		html_copy(o, "account_id", e, NULL);
		html_copy(o, "alias", e, NULL);
		html_copy(o, "name", e, NULL);
		html_sets(o, "display", report_account_name(e));
		html_setf(o, "rank", "%zu", i + 1);
		html_set_score(o, json_object_get(e, "score"), jstr(e, "grade"));
		html_setf(o, "coverage_text", "%lld/%lld",
		    jint(json_object_get(e, "coverage"), "evaluated", 0),
		    jint(json_object_get(e, "coverage"), "total", 0));
		html_setf(o, "n_fail", "%lld", jint(json_object_get(e, "counts"), "FAIL", 0));
		html_setf(o, "n_fail_words", "%lld failing control%s",
		    jint(json_object_get(e, "counts"), "FAIL", 0),
		    jint(json_object_get(e, "counts"), "FAIL", 0) == 1 ? "" : "s");
		html_setf(o, "n_ne", "%lld", jint(json_object_get(e, "counts"), "NOT_EVALUATED", 0));
		html_setf(o, "n_findings", "%lld", jint(e, "findings", 0));
		html_set_sev_words(o, json_object_get(e, "fail_by_severity"));
		html_set(o, "complete", json_boolean(jbool(e, "complete", 1)));
		html_copy(o, "incomplete_reason", e, NULL);
		html_set(o, "has_baseline", json_boolean(json_is_object(json_object_get(e, "baseline"))));
		html_set_delta(o, json_object_get(json_object_get(e, "baseline"), "score_delta"));
		x = json_object_get(e, "baseline");
		html_set(o, "base_score_text", NULL);
		if (json_is_object(x)) {
			if (json_is_integer(json_object_get(x, "score")))
				html_setf(o, "base_score_text", "from %lld (%s)", jint(x, "score", 0),
				    jstr(x, "grade") ? jstr(x, "grade") : "?");
			else
				html_sets(o, "base_score_text", "no score then");
			if (jstr(o, "delta_text") == NULL)
				html_sets(o, "delta_text", HTML_EMPTY);
			html_setf(o, "new", "%lld", jint(x, "new", 0));
			html_setf(o, "fixed", "%lld", jint(x, "fixed", 0));
			html_setf(o, "unchanged", "%lld", jint(x, "unchanged", 0));
		}
		html_set_place(o, json_array_get(json_object_get(results, "accounts"),
		    (size_t)jint(e, "index", 0)));
		/* The least-privilege shares (report/lpsec.c); columns only when some account has LP-*. */
		x = json_array_get(json_object_get(results, "accounts"), (size_t)jint(e, "index", 0));
		html_set(o, "lp", report_lp_shares(x));
		if (report_lp_graded(x))
			html_set(v, "has_lp", json_true());
		a = html_anchor("acct", jstr(e, "account_id"), NULL);
		html_sets(o, "anchor", a);
		html_setf(o, "href", "#%s", a);
		free(a);
		/* Only an id of 12 digits becomes part of a link to another file. */
		if (pages != NULL && str_is_account_id(jstr(e, "account_id")))
			html_setf(o, "page", pages, jstr(e, "account_id"));
		json_array_append(accts, o);

		/* Score bars: one row per account, in the same worst-first order. */
		x = json_object();
		html_sets(x, "display", report_account_name(e));
		html_copy(x, "account_id", e, NULL);
		html_setf(x, "y", "%d", y);
		html_setf(x, "text_y", "%d", y + 15);
		html_setf(x, "bar_y", "%d", y + 3);
		html_setf(x, "w", "%.1f", HTML_BAR_W * (double)jint(e, "score", 0) / 100.0);
		html_sets(x, "label", json_is_integer(json_object_get(e, "score")) ?
		    jstr(o, "score_text") : "no score: nothing evaluated");
		html_setf(x, "label_x", "%.1f", 200 + HTML_BAR_W * (double)jint(e, "score", 0) / 100.0 + 8);
		html_sets(x, "grade_class", jstr(o, "grade_class"));
		json_array_append_new(bars, x);
		y += HTML_ROW_H;

		if (!jbool(e, "complete", 1))
			json_array_append(incomplete, o);
		json_decref(o);
	}
	html_setf(v, "bars_viewbox", "0 0 760 %d", y > 0 ? y : HTML_ROW_H);
	html_setf(v, "bars_h", "%d", y > 0 ? y : HTML_ROW_H);

	json_array_foreach(json_object_get(model, "worst"), i, x)
		json_array_foreach(accts, j, o)
			if (strcmp(jstr(o, "account_id"), json_string_value(x)) == 0)
				json_array_append(worst, o);

	json_array_foreach(json_object_get(model, "controls"), i, ctl) {
		o = json_object();
		html_copy(o, "id", ctl, NULL);
		html_copy(o, "title", ctl, NULL);
		html_sets(o, "severity", jstr(ctl, "severity"));
		html_sets(o, "sev_class", html_sev_class(jstr(ctl, "severity")));
		html_set_refs(o, ctl);
		html_setf(o, "fail_text", "%lld of %zu", jint(ctl, "fail_accounts", 0), n);
		html_set(o, "any_fail", json_boolean(jint(ctl, "fail_accounts", 0) > 0));
		html_setf(o, "n_findings", "%lld", jint(ctl, "findings", 0));
		cells = json_array();
		json_array_foreach(json_object_get(ctl, "cells"), j, ce) {
			e = json_array_get(json_object_get(model, "accounts"), j);
			change = jstr(ce, "change");
			/* The matrix's accounts (REPORT_MATRIX_MAX); the changes list has all. */
			if (j < REPORT_MATRIX_MAX)
				json_array_append_new(cells, html_matrix_cell(ctl, ce, e));
			/* A change, or findings that came and went while it kept failing. */
			if (change != NULL && (strcmp(change, "unchanged") != 0 ||
			    json_array_size(json_object_get(ce, "new_findings")) +
			    json_array_size(json_object_get(ce, "fixed_findings")) > 0)) {
				x = json_object();
				html_sets(x, "display", report_account_name(e));
				html_copy(x, "account_id", e, NULL);
				html_copy(x, "control", ctl, "id");
				html_copy(x, "title", ctl, NULL);
				html_sets(x, "change", change);
				html_setf(x, "change_class", "change-%s", change);
				html_set_status(x, jstr(ce, "status"));
				html_sets(x, "before", html_status(jstr(ce, "before"))->label);
				html_setf(x, "detail", "%zu new, %zu fixed, %lld unchanged finding%s",
				    json_array_size(json_object_get(ce, "new_findings")),
				    json_array_size(json_object_get(ce, "fixed_findings")),
				    jint(ce, "unchanged_findings", 0),
				    jint(ce, "unchanged_findings", 0) == 1 ? "" : "s");
				html_set(x, "new_names", html_names(json_object_get(ce, "new_findings")));
				html_set(x, "fixed_names", html_names(json_object_get(ce, "fixed_findings")));
				json_array_append_new(changes_by[html_change_rank(change)], x);
			}
		}
		html_set(o, "cells", cells);
		json_array_append_new(rows, o);
	}

	json_array_foreach(json_object_get(model, "role_risks"), i, r) {
		o = json_object();
		html_copy(o, "account_id", r, NULL);
		html_sets(o, "display", jstr(r, "alias") ? jstr(r, "alias") : jstr(r, "account_id"));
		html_copy(o, "control", r, NULL);
		html_copy(o, "kind", r, NULL);
		html_sets(o, "severity", jstr(r, "severity"));
		html_sets(o, "sev_class", html_sev_class(jstr(r, "severity")));
		html_copy(o, "resource", r, NULL);
		html_copy(o, "resource_name", r, NULL);
		html_copy(o, "reason", r, NULL);
		ev = json_object_get(r, "evidence");
		html_copy(o, "creator_arn", ev, NULL);
		html_set_time(o, "time", jstr(ev, "time"));
		html_copy(o, "source_ip", ev, NULL);
		html_copy(o, "user_agent", ev, NULL);
		json_array_append_new(risks, o);
	}

	removed = json_array();
	json_array_foreach(json_object_get(model, "removed_accounts"), i, r) {
		o = json_object();
		html_copy(o, "account_id", r, NULL);
		html_sets(o, "display", report_account_name(r));
		json_array_append_new(removed, o);
	}

	html_setf(v, "n_accounts", "%zu", n);
	html_setf(v, "n_incomplete", "%zu", json_array_size(incomplete));
	html_setf(v, "n_risks", "%zu", json_array_size(risks));
	html_set_time(v, "generated", jstr(results, "generated_at"));
	html_copy(v, "tool_version", json_object_get(results, "tool"), "version");
	html_set(v, "has_baseline", json_incref(json_object_get(model, "has_baseline")));
	html_set_time(v, "baseline_generated", jstr(model, "baseline_generated_at"));
	matrix = json_array();
	for (i = 0; i < n && i < REPORT_MATRIX_MAX; i++)
		json_array_append(matrix, json_array_get(accts, i));
	html_set(v, "matrix_accounts", matrix);
	a = report_matrix_note(n, json_array_size(jpath(results, "grouping.groups")) > 0);
	html_sets(v, "matrix_note", a);
	free(a);
	html_set(v, "accounts", accts);
	html_set(v, "bars", bars);
	html_set(v, "worst", worst);
	html_set(v, "controls", rows);
	html_set(v, "risks", risks);
	html_set(v, "incomplete", incomplete);
	for (i = 0; i < HTML_NCHANGE; i++) {
		json_array_extend(changes, changes_by[i]);
		json_decref(changes_by[i]);
	}
	html_set(v, "changes", changes);
	html_set(v, "removed", removed);
	html_set(v, "thresholds", report_thresholds(results));
	html_set(v, "exceptions", html_exceptions_view(results));
	html_set(v, "framework", html_framework_view(results));
	html_groups_view(v, results, model, accts);
	html_movers_view(v, model, accts);
	html_title(v, results, n);
	return v;
}

/* ---------------------------------------------------------------- backend */

static void *
html_alloc(const struct report_opts *opts)
{
	struct html *h = xcalloc(1, sizeof(*h));

	h->opts = *opts;
	return h;
}

static int
html_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	struct html *h = ctx;
	json_t *model = NULL, *view = NULL;
	int rc = 0;

	if ((model = compare_build(results, h->opts.baseline, err)) == NULL)
		goto out;
	/*
	 * The view holds what it needs of the model (copies or references),
	 * so the model goes before the page is filled: at a thousand accounts
	 * the model, the view and the page's tree are each tens of MiB.
	 */
	if (h->opts.summary) {
		view = html_compare_view(results, model, h->opts.account_pages);
		json_decref(model);
		model = NULL;
		trend_html_fill(view, h->opts.history, 1);
		rc = tmpl_render(HTML_COMPARE, view, out, err);
	} else {
		view = html_report_view(results, model);
		json_decref(model);
		model = NULL;
		trend_html_fill(view, h->opts.history, 0);
		rc = tmpl_render(HTML_REPORT, view, out, err);
	}
out:
	json_decref(model);
	return rc;
}

static void
html_free(void *ctx)
{
	free(ctx);
}

const struct report_backend report_html = { html_alloc, html_render, html_free };
