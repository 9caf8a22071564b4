/* The auditor's PDF (libharu) and its plain-text dump: results -> one layout -> PDF or text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/facts.h"
#include "report/group.h"
#include "report/layout.h"
#include "report/privsec.h"
#include "report/lpsec.h"
#include "report/backend.h"
#include "report/trend.h"

struct pdf_ctx {
	struct report_opts	opts;
	int			dump;	/* REPORT_DUMP: print the layout */
};

#define PDF_GREY	0x666666u
#define PDF_INK		0x000000u

static const struct {
	const char	*status;
	const char	*label;		/* in tables and the matrix */
	unsigned	 color;
} pdf_statuses[] = {
	{ "PASS",		"PASS",			0x2E7D32 },
	{ "FAIL",		"FAIL",			0xC62828 },
	{ "NOT_EVALUATED",	"NOT EVALUATED",	0xD98200 },
	{ "NOT_APPLICABLE",	"N/A",			0x8A8A8A },
	{ "ACCEPTED",		"ACCEPTED",		0x5C6BC0 },
};
#define PDF_NSTATUS (sizeof(pdf_statuses) / sizeof(pdf_statuses[0]))

static const char *const pdf_severities[] = {
	"critical", "high", "medium", "low"
};

static int
pdf_status_index(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < PDF_NSTATUS; i++)
		if (strcmp(s, pdf_statuses[i].status) == 0)
			return (int)i;
	return -1;
}

static const char *
pdf_status_label(const char *s)
{
	int i = pdf_status_index(s);

	return i < 0 ? "missing" : pdf_statuses[i].label;
}

static unsigned
pdf_status_color(const char *s)
{
	int i = pdf_status_index(s);

	return i < 0 ? PDF_GREY : pdf_statuses[i].color;
}

static unsigned
pdf_grade_color(const char *grade)
{
	if (grade == NULL)
		return PDF_GREY;
	switch (grade[0]) {
	case 'A':
		return 0x2E7D32;
	case 'B':
		return 0x689F38;
	case 'C':
		return 0xD98200;
	case 'D':
		return 0xE65100;
	default:
		return 0xC62828;
	}
}

/* A member as a string, or def when missing or null. */
static const char *
pdf_str(const json_t *o, const char *key, const char *def)
{
	const char *s = jstr(o, key);

	return s != NULL ? s : def;
}

/* Any JSON value as text for a cell ("-" for null); caller frees. */
static char *
pdf_value(const json_t *v)
{
	char *s = report_value_text(v);

	return s != NULL ? s : xstrdup("-");
}

/* Evidence as "key: value" lines, in the document's order; caller frees. */
static char *
pdf_evidence(const json_t *ev)
{
	struct buf b = { 0 };
	const char *k;
	json_t *v;
	char *s;

	buf_add(&b, "", 0);
	if (json_is_object(ev)) {
		json_object_foreach((json_t *)ev, k, v) {
			s = pdf_value(v);
			buf_printf(&b, "%s%s: %s", b.len ? "\n" : "", k, s);
			free(s);
		}
	} else if (ev != NULL && !json_is_null(ev)) {
		s = pdf_value(ev);
		buf_adds(&b, s);
		free(s);
	}
	return buf_steal(&b);
}

/*
 * "acme-prod (123456789012)" (alias, else name), or "acme-prod\n123456789012"
 * for a narrow column head (head set), or the id alone; caller frees.
 */
static char *
pdf_account_label(const json_t *a, int head)
{
	const char *id = pdf_str(a, "account_id", "?");
	const char *name = report_account_name(a);

	if (name == NULL || strcmp(name, id) == 0)
		return xstrdup(id);
	return head ? xasprintf("%s\n%s", name, id) : xasprintf("%s (%s)", name, id);
}

static char *
pdf_score_text(const json_t *a)
{
	json_t *score = json_object_get(a, "score");

	if (!json_is_integer(score))
		return xstrdup("not scored");
	/* With accepted risks, both scores side by side. */
	if (json_is_integer(json_object_get(a, "score_without_exceptions")))
		return xasprintf("%lld / 100, grade %s (without exceptions: %lld, grade %s)",
		    (long long)json_integer_value(score), pdf_str(a, "grade", "-"),
		    jint(a, "score_without_exceptions", 0), pdf_str(a, "grade_without_exceptions", "-"));
	return xasprintf("%lld / 100, grade %s", (long long)json_integer_value(score),
	    pdf_str(a, "grade", "-"));
}

/* A two-column table of facts. */
static void
pdf_kv_begin(struct lay *l, double keyw)
{
	const struct lay_col cols[2] = {
		{ keyw, LAY_CELL_BOLD }, { LAY_BODY_W - keyw, LAY_CELL }
	};

	lay_table_begin(l, cols, 2, NULL);
}

static void
pdf_kv(struct lay *l, const char *key, const char *value)
{
	const char *cells[2] = { key, value ? value : "-" };

	lay_table_row(l, cells, NULL);
}

static void
pdf_kv_json(struct lay *l, const char *key, const json_t *o, const char *member)
{
	json_t *v = json_object_get(o, member);
	char *s = v ? pdf_value(v) : xstrdup("-");

	pdf_kv(l, key, s);
	free(s);
}

/* Four coloured boxes: how many controls have each status. */
static void
pdf_count_boxes(struct lay *l, const json_t *counts)
{
	/* ACCEPTED (the last) only where an exceptions file made it a state. */
	size_t i, nbox = PDF_NSTATUS - (json_object_get(counts, "ACCEPTED") == NULL);
	double w = (LAY_BODY_W - (double)(nbox - 1) * 8) / (double)nbox, y, x = LAY_MARGIN_X;
	char *n;

	lay_need(l, 46);
	y = lay_cursor(l);
	for (i = 0; i < nbox; i++) {
		lay_rect(l, x, y, w, 42, pdf_statuses[i].color);
		n = xasprintf("%lld", jint(counts, pdf_statuses[i].status, 0));
		lay_text(l, LAY_H1, x, y + 3, w, LAY_CENTER, 0xFFFFFF, n);
		lay_text(l, LAY_SMALL, x, y + 26, w, LAY_CENTER, 0xFFFFFF,
		    pdf_statuses[i].label);
		free(n);
		x += w + 8;
	}
	lay_advance(l, 50);
}

/*
 * The bar chart by control family, drawn as vectors: one stacked bar per
 * family (PASS, FAIL, NOT_EVALUATED, N/A), lengths on a common scale.
 */
static void
pdf_family_chart(struct lay *l, const json_t *families)
{
	const double labw = 120, rowh = 17, barh = 10, numw = 70;
	double area = LAY_BODY_W - labw - numw, unit, x, y, y0, w;
	long long max = 1, total, c, tick, step;
	const json_t *f;
	size_t i, s;
	char *t;

	json_array_foreach(families, i, f) {
		total = 0;
		for (s = 0; s < PDF_NSTATUS; s++)
			total += jint(f, pdf_statuses[s].status, 0);
		if (total > max)
			max = total;
	}
	unit = area / (double)max;
	lay_need(l, json_array_size(families) * rowh + 40);
	y0 = y = lay_cursor(l);
	/* Grid lines at whole counts, so bars can be read off. */
	step = max <= 12 ? 1 : max <= 60 ? 5 : 10;
	for (tick = 0; tick <= max; tick += step) {
		x = LAY_MARGIN_X + labw + tick * unit;
		lay_rule(l, x, y0, 0, json_array_size(families) * rowh, 0xDDDDDD);
		t = xasprintf("%lld", tick);
		lay_text(l, LAY_SMALL, x - 10, y0 + json_array_size(families) * rowh +
		    1, 20, LAY_CENTER, PDF_GREY, t);
		free(t);
	}
	json_array_foreach(families, i, f) {
		lay_text(l, LAY_CELL, LAY_MARGIN_X, y + 3, labw - 6, LAY_LEFT,
		    PDF_INK, pdf_str(f, "title", pdf_str(f, "id", "?")));
		x = LAY_MARGIN_X + labw;
		for (s = 0; s < PDF_NSTATUS; s++) {
			c = jint(f, pdf_statuses[s].status, 0);
			if (c <= 0)
				continue;
			w = c * unit;
			lay_rect(l, x, y + (rowh - barh) / 2, w, barh,
			    pdf_statuses[s].color);
			x += w;
		}
		t = jint(f, "PASS", 0) + jint(f, "FAIL", 0) == 0 ?
		    xstrdup("none graded") : xasprintf("%lld of %lld pass",
		    jint(f, "PASS", 0), jint(f, "PASS", 0) + jint(f, "FAIL", 0));
		lay_text(l, LAY_SMALL, LAY_MARGIN_X + labw + area + 6, y + 3,
		    numw - 6, LAY_LEFT, PDF_GREY, t);
		free(t);
		y += rowh;
	}
	y += 14;
	/* Legend; ACCEPTED (the last) only where a family has one. */
	total = 0;
	json_array_foreach(families, i, f)
		total += jint(f, "ACCEPTED", 0);
	x = LAY_MARGIN_X + labw;
	for (s = 0; s < PDF_NSTATUS - (total == 0); s++) {
		lay_rect(l, x, y + 2, 8, 8, pdf_statuses[s].color);
		w = lay_width(l, LAY_SMALL, pdf_statuses[s].label);
		lay_text(l, LAY_SMALL, x + 11, y, w + 1, LAY_LEFT, PDF_INK,
		    pdf_statuses[s].label);
		x += 11 + w + 14;
	}
	lay_advance(l, y + 16 - y0);
}

/* The failing controls per severity, with their findings (report_counts). */
static void
pdf_severity_table(struct lay *l, const json_t *model_acct)
{
	static const struct lay_col cols[3] = {
		{ 120, LAY_CELL }, { 120, LAY_CELL }, { 120, LAY_CELL }
	};
	static const char *const head[3] = {
		"Severity", "Failing controls", "Findings"
	};
	const json_t *nc = json_object_get(model_acct, "fail_by_severity");
	const json_t *nf = json_object_get(model_acct, "findings_by_severity");
	char *a, *b;
	size_t i;

	lay_table_begin(l, cols, 3, head);
	for (i = 0; i < 4; i++) {
		a = xasprintf("%lld", jint(nc, pdf_severities[i], 0));
		b = xasprintf("%lld", jint(nf, pdf_severities[i], 0));
		lay_table_row(l, (const char *const []){ pdf_severities[i], a, b },
		    NULL);
		free(a);
		free(b);
	}
	lay_table_end(l);
}

/* Single account. */

static void
pdf_cover(struct lay *l, const json_t *results, const json_t *acct)
{
	const json_t *coll = json_object_get(acct, "collection");
	const json_t *snap = json_object_get(acct, "snapshot");
	const json_t *problems = json_object_get(coll, "problems"), *p;
	const char *grade = jstr(acct, "grade");
	char *label = pdf_account_label(acct, 0), *s;
	double y, bw = 110;
	size_t i;

	lay_mark(l, 0, "Cover");
	y = lay_cursor(l);
	lay_text(l, LAY_TITLE, LAY_MARGIN_X, y, LAY_BODY_W - bw - 10, LAY_LEFT,
	    0x1F3A5F, "AWS IAM compliance report");
	y += lay_leading(LAY_TITLE) + 4;
	y += lay_text(l, LAY_H2, LAY_MARGIN_X, y, LAY_BODY_W - bw - 10, LAY_LEFT,
	    PDF_INK, label);
	if (jstr(acct, "name") != NULL)
		y += lay_text(l, LAY_BODY, LAY_MARGIN_X, y, LAY_BODY_W - bw - 10,
		    LAY_LEFT, PDF_GREY, jstr(acct, "name"));
	/* The grade badge. */
	lay_rect(l, LAY_PAGE_W - LAY_MARGIN_X - bw, lay_cursor(l), bw, 80,
	    pdf_grade_color(grade));
	lay_text(l, LAY_BIG, LAY_PAGE_W - LAY_MARGIN_X - bw, lay_cursor(l) + 6, bw,
	    LAY_CENTER, 0xFFFFFF, grade ? grade : "-");
	s = json_is_integer(json_object_get(acct, "score")) ?
	    xasprintf("score %lld / 100", jint(acct, "score", 0)) :
	    xstrdup("not scored");
	lay_text(l, LAY_SMALL, LAY_PAGE_W - LAY_MARGIN_X - bw, lay_cursor(l) + 58,
	    bw, LAY_CENTER, 0xFFFFFF, s);
	free(s);
	if (y < lay_cursor(l) + 80)
		y = lay_cursor(l) + 80;
	lay_advance(l, y - lay_cursor(l) + 16);

	pdf_kv_begin(l, 150);
	pdf_kv_json(l, "Account ID", acct, "account_id");
	pdf_kv_json(l, "Alias", acct, "alias");
	pdf_kv_json(l, "Name", acct, "name");
	{
		char *scope, *period;

		report_scope(results, &scope, &period);
		pdf_kv(l, "Scope", scope);
		pdf_kv(l, "Period", period);
		free(scope);
		free(period);
	}
	pdf_kv_json(l, "Collection started", coll, "started");
	pdf_kv_json(l, "Collection finished", coll, "finished");
	s = xasprintf("%lld days", jint(coll, "window_days", 0));
	pdf_kv(l, "CloudTrail window", s);
	free(s);
	pdf_kv(l, "Collection complete", jbool(coll, "complete", 0) ? "yes" :
	    "no: see Collection problems below");
	pdf_kv_json(l, "Collected as", coll, "caller_arn");
	pdf_kv_json(l, "Credential report generated", acct,
	    "credential_report_generated");
	s = report_cred_report_age(acct);
	pdf_kv(l, "Credential report age", s);
	free(s);
	pdf_kv_json(l, "Results generated at", results, "generated_at");
	pdf_kv(l, "Tool version", pdf_str(json_object_get(results, "tool"),
	    "version", "-"));
	pdf_kv_json(l, "Collector version", coll, "tool_version");
	pdf_kv_json(l, "Snapshot file", snap, "file");
	pdf_kv_json(l, "Snapshot SHA-256", snap, "sha256");
	lay_table_end(l);

	if (json_array_size(problems) > 0) {
		lay_heading(l, LAY_H3, -1, "Collection problems");
		json_array_foreach(problems, i, p) {
			s = pdf_value(p);
			lay_para(l, LAY_BODY, 10, 0xC62828, s);
			free(s);
		}
	}
	lay_space(l, 10);
	lay_para(l, LAY_SMALL, 0, PDF_GREY, "All times are UTC. This document "
	    "was rendered from the results document alone; the snapshot "
	    "SHA-256 identifies the data it was graded from.");
	free(label);
}

static void
pdf_summary(struct lay *l, const json_t *acct, const json_t *model_acct)
{
	/* The counts the HTML page shows too (report_counts, via the model). */
	const json_t *cov = json_object_get(model_acct, "coverage");
	long long ev = jint(cov, "evaluated", 0), tot = jint(cov, "total", 0);
	char *score = pdf_score_text(acct), *s;

	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Executive summary");
	s = xasprintf("Score: %s. Coverage: %lld of %lld controls evaluated "
	    "(%lld%%); controls that could not be evaluated are listed in "
	    "\"Not evaluated\" and are never counted as passing.", score, ev, tot,
	    tot > 0 ? ev * 100 / tot : 0);
	lay_para(l, LAY_BODY, 0, PDF_INK, s);
	free(s);
	free(score);
	lay_space(l, 8);
	pdf_count_boxes(l, json_object_get(model_acct, "counts"));
	lay_heading(l, LAY_H3, -1, "Controls by family");
	pdf_family_chart(l, json_object_get(model_acct, "families"));
	lay_heading(l, LAY_H3, -1, "Failing controls by severity");
	pdf_severity_table(l, model_acct);
}

static void
pdf_control_table(struct lay *l, const json_t *acct)
{
	static const struct lay_col cols[6] = {
		{ 56, LAY_CELL_BOLD }, { 213.28, LAY_CELL }, { 50, LAY_CELL },
		{ 74, LAY_CELL_BOLD }, { 36, LAY_CELL }, { 66, LAY_CELL }
	};
	static const char *const head[6] = {
		"ID", "Control", "Severity", "Status", "CIS", "Security Hub"
	};
	unsigned colors[6] = { 0 };
	const json_t *c;
	char *status;
	size_t i, n;

	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Controls");
	lay_table_begin(l, cols, 6, head);
	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		n = json_array_size(json_object_get(c, "findings"));
		status = strcmp(pdf_str(c, "status", ""), "FAIL") == 0 ?
		    xasprintf("FAIL (%zu)", n) :
		    xstrdup(pdf_status_label(jstr(c, "status")));
		colors[3] = pdf_status_color(jstr(c, "status"));
		lay_table_row(l, (const char *const []){ pdf_str(c, "id", "?"),
		    pdf_str(c, "title", ""), pdf_str(c, "severity", ""), status,
		    pdf_str(c, "cis", "-"), pdf_str(c, "securityhub", "-") },
		    colors);
		free(status);
	}
	lay_table_end(l);
}

static void
pdf_findings(struct lay *l, const json_t *c)
{
	static const struct lay_col cols[3] = {
		{ 165, LAY_CELL }, { 150, LAY_CELL }, { 180.28, LAY_CELL_MONO }
	};
	static const char *const head[3] = { "Resource", "Reason", "Evidence" };
	const char *sev = pdf_str(c, "severity", ""), *fsev;
	const json_t *f, *row;
	json_t *rows;
	char *ev, *reason, *words, *t;
	size_t i, more;

	/* Repeated findings are one row; rows past the cap are counted, not shown. */
	rows = report_finding_rows(json_object_get(c, "findings"), REPORT_MAX_ROWS, &more);
	lay_table_begin(l, cols, 3, head);
	json_array_foreach(rows, i, row) {
		f = json_object_get(row, "finding");
		fsev = jstr(f, "severity");
		/* A finding graded differently from its control says so. */
		reason = fsev != NULL && strcmp(fsev, sev) != 0 ?
		    xasprintf("[%s] %s", fsev, pdf_str(f, "reason", "")) :
		    xstrdup(pdf_str(f, "reason", ""));
		if ((words = report_row_words(row)) != NULL) {
			t = xasprintf("%s\n[%s]", reason, words);
			free(reason);
			reason = t;
			free(words);
		}
		ev = pdf_evidence(json_object_get(f, "evidence"));
		lay_table_row(l, (const char *const []){ pdf_str(f, "resource",
		    pdf_str(f, "resource_name", "-")), reason, ev }, NULL);
		free(ev);
		free(reason);
	}
	lay_table_end(l);
	json_decref(rows);
	if (more > 0) {
		t = xasprintf("%zu more finding%s, listed in findings.csv.", more,
		    more == 1 ? "" : "s");
		lay_para(l, LAY_BOLD, 0, PDF_GREY, t);
		free(t);
	}
}

static void
pdf_remediation(struct lay *l, const json_t *rem)
{
	const json_t *console = json_object_get(rem, "console");
	const json_t *cli = json_object_get(rem, "cli"), *v;
	struct buf b = { 0 };
	char *s;
	size_t i;

	lay_heading(l, LAY_H3, -1, "Remediation");
	if (json_array_size(console) > 0) {
		lay_para(l, LAY_BOLD, 0, PDF_INK, "In the console");
		json_array_foreach(console, i, v) {
			s = xasprintf("%zu. %s", i + 1, json_string_value(v) ?
			    json_string_value(v) : "");
			lay_para(l, LAY_BODY, 10, PDF_INK, s);
			free(s);
		}
		lay_space(l, 4);
	}
	if (json_array_size(cli) > 0) {
		lay_para(l, LAY_BOLD, 0, PDF_INK, "With the AWS CLI");
		/* "$ " marks where each command starts once long ones wrap. */
		buf_add(&b, "", 0);
		json_array_foreach(cli, i, v)
			/* Past the cap a line only needs counting (report_cap_lines). */
			buf_printf(&b, "%s$ %s", i ? "\n" : "", i >= REPORT_MAX_COMMANDS ? "-" :
			    json_string_value(v) ? json_string_value(v) : "");
		/* One command per finding: as many as the findings shown, no more. */
		s = report_cap_lines(b.p, REPORT_MAX_COMMANDS);
		lay_code(l, s);
		free(s);
		buf_free(&b);
	}
	if (jstr(rem, "python") != NULL && *jstr(rem, "python") != '\0') {
		lay_para(l, LAY_BOLD, 0, PDF_INK, "With Python (boto3)");
		s = report_cap_lines(jstr(rem, "python"), REPORT_MAX_COMMANDS);
		lay_code(l, s);
		free(s);
	}
}

static void
pdf_failing(struct lay *l, const json_t *acct)
{
	const json_t *c, *src;
	struct buf meta = { 0 };
	size_t i, n = 0, j;
	char *t;

	json_array_foreach(json_object_get(acct, "controls"), i, c)
		if (strcmp(pdf_str(c, "status", ""), "FAIL") == 0)
			n++;
	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Failing controls");
	if (n == 0) {
		lay_para(l, LAY_BODY, 0, PDF_INK, "No control failed.");
		return;
	}
	t = xasprintf("%zu controls failed. Each section lists the offending "
	    "resources with the evidence collected, then how to fix them.", n);
	lay_para(l, LAY_BODY, 0, PDF_INK, t);
	free(t);
	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		if (strcmp(pdf_str(c, "status", ""), "FAIL") != 0)
			continue;
		t = xasprintf("%s  %s", pdf_str(c, "id", "?"),
		    pdf_str(c, "title", ""));
		lay_heading(l, LAY_H2, 1, t);
		free(t);
		buf_reset(&meta);
		buf_printf(&meta, "Severity %s", pdf_str(c, "severity", "-"));
		if (jstr(c, "cis") != NULL)
			buf_printf(&meta, " | CIS %s", jstr(c, "cis"));
		if (jstr(c, "securityhub") != NULL)
			buf_printf(&meta, " | Security Hub %s",
			    jstr(c, "securityhub"));
		buf_printf(&meta, " | %zu finding%s",
		    json_array_size(json_object_get(c, "findings")),
		    json_array_size(json_object_get(c, "findings")) == 1 ? "" : "s");
		if (json_array_size(json_object_get(c, "sources")) > 0) {
			buf_adds(&meta, " | sources:");
			json_array_foreach(json_object_get(c, "sources"), j, src)
				buf_printf(&meta, "%s %s", j ? "," : "",
				    json_string_value(src) ? json_string_value(src) : "?");
		}
		lay_para(l, LAY_SMALL, 0, PDF_GREY, meta.p);
		lay_space(l, 4);
		pdf_findings(l, c);
		pdf_remediation(l, json_object_get(c, "remediation"));
	}
	buf_free(&meta);
}

/* Controls with status st and their reasons; returns how many. */
static size_t
pdf_reason_table(struct lay *l, const json_t *acct, const char *st)
{
	static const struct lay_col cols[3] = {
		{ 56, LAY_CELL_BOLD }, { 170, LAY_CELL }, { 269.28, LAY_CELL }
	};
	static const char *const head[3] = { "ID", "Control", "Reason" };
	const json_t *c;
	size_t i, n = 0;

	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		if (strcmp(pdf_str(c, "status", ""), st) != 0)
			continue;
		if (n++ == 0)
			lay_table_begin(l, cols, 3, head);
		lay_table_row(l, (const char *const []){ pdf_str(c, "id", "?"),
		    pdf_str(c, "title", ""), pdf_str(c, "reason", "(no reason given)") },
		    NULL);
	}
	lay_table_end(l);
	return n;
}

static void
pdf_not_evaluated(struct lay *l, const json_t *acct)
{
	lay_heading(l, LAY_H1, 0, "Not evaluated");
	lay_para(l, LAY_BODY, 0, PDF_INK, "A control is NOT EVALUATED when a "
	    "source it needs was missing, denied or failed. It lowers coverage, "
	    "never the score, and is never reported as passing.");
	lay_space(l, 4);
	if (pdf_reason_table(l, acct, "NOT_EVALUATED") == 0)
		lay_para(l, LAY_BODY, 0, PDF_INK, "Every control could be "
		    "evaluated.");
	lay_heading(l, LAY_H3, -1, "Not applicable");
	if (pdf_reason_table(l, acct, "NOT_APPLICABLE") == 0)
		lay_para(l, LAY_BODY, 0, PDF_INK, "None.");
}

/* Finding lists of the baseline diff for one account (model cells). */
static void
pdf_changes(struct lay *l, const json_t *model, size_t ai)
{
	static const struct lay_col cols[4] = {
		{ 56, LAY_CELL_BOLD }, { 70, LAY_CELL_BOLD }, { 150, LAY_CELL },
		{ 219.28, LAY_CELL }
	};
	static const char *const head[4] = {
		"Control", "Change", "Resource", "Reason"
	};
	const json_t *c, *cell, *f;
	const char *kinds[2] = { "new_findings", "fixed_findings" };
	unsigned colors[4] = { 0 };
	const char *ch;
	char *why, *more;
	size_t i, k, j, rows = 0;

	json_array_foreach(json_object_get(model, "controls"), i, c) {
		cell = json_array_get(json_object_get(c, "cells"), ai);
		if ((ch = jstr(cell, "change")) == NULL)
			continue;
		for (k = 0; k < 2; k++) {
			json_array_foreach(json_object_get(cell, kinds[k]), j, f) {
				if (rows++ == 0)
					lay_table_begin(l, cols, 4, head);
				colors[1] = k == 0 ? 0xC62828 : 0x2E7D32;
				/* At most REPORT_MAX_ROWS per control and kind; then their number. */
				more = j == REPORT_MAX_ROWS ? xasprintf("%zu more, listed in %sfindings.csv",
				    json_array_size(json_object_get(cell, kinds[k])) - j,
				    k == 0 ? "" : "the baseline's ") : NULL;
				lay_table_row(l, (const char *const []){
				    pdf_str(c, "id", "?"),
				    k == 0 ? "new finding" : "fixed finding",
				    more ? more : pdf_str(f, "resource", pdf_str(f, "resource_name", "-")),
				    more ? "" : pdf_str(f, "reason", "") }, colors);
				if (more != NULL) {
					free(more);
					break;
				}
			}
		}
		if (json_array_size(json_object_get(cell, "new_findings")) == 0 &&
		    json_array_size(json_object_get(cell, "fixed_findings")) == 0) {
			if (rows++ == 0)
				lay_table_begin(l, cols, 4, head);
			colors[1] = strcmp(ch, "fixed") == 0 ? 0x2E7D32 :
			    strcmp(ch, "new") == 0 ? 0xC62828 : PDF_GREY;
			if (strcmp(ch, "unknown") == 0)
				why = xstrdup("failed in the baseline, not "
				    "evaluated now");
			else if (strcmp(ch, "unchanged") == 0)
				why = xasprintf("%lld finding%s still open",
				    jint(cell, "unchanged_findings", 0),
				    jint(cell, "unchanged_findings", 0) == 1 ? "" : "s");
			else
				why = xstrdup("");
			lay_table_row(l, (const char *const []){
			    pdf_str(c, "id", "?"), ch, "", why }, colors);
			free(why);
		}
	}
	lay_table_end(l);
	if (rows == 0)
		lay_para(l, LAY_BODY, 0, PDF_INK, "No control changed.");
}

/* The score change and finding counts; with list, the changes themselves. */
static void
pdf_baseline_account(struct lay *l, const json_t *model, const json_t *ma,
    size_t ai, int list)
{
	const json_t *bl = json_object_get(ma, "baseline");
	char *s;

	if (!json_is_object(bl)) {
		lay_para(l, LAY_BODY, 0, PDF_INK, "This account is not in the "
		    "baseline.");
		return;
	}
	if (json_is_integer(json_object_get(bl, "score_delta")))
		s = xasprintf("Score %lld, was %lld (%+lld). Findings: %lld new, "
		    "%lld fixed, %lld unchanged.", jint(ma, "score", 0),
		    jint(bl, "score", 0), jint(bl, "score_delta", 0),
		    jint(bl, "new", 0), jint(bl, "fixed", 0),
		    jint(bl, "unchanged", 0));
	else
		s = xasprintf("Score not comparable (one side not scored). "
		    "Findings: %lld new, %lld fixed, %lld unchanged.",
		    jint(bl, "new", 0), jint(bl, "fixed", 0),
		    jint(bl, "unchanged", 0));
	lay_para(l, LAY_BODY, 0, PDF_INK, s);
	free(s);
	if (list) {
		lay_space(l, 4);
		pdf_changes(l, model, ai);
	}
}

static void
pdf_events(struct lay *l, const json_t *acct)
{
	const json_t *events = json_object_get(acct, "create_role_events"), *e;
	const json_t *tp;
	json_t *parsed, *shown;
	char *s, *doc;
	size_t i, more;

	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Appendix A. CreateRole events");
	s = xasprintf("%zu CreateRole call%s recorded by CloudTrail in the "
	    "%lld-day window, in the order collected.",
	    json_array_size(events), json_array_size(events) == 1 ? "" : "s",
	    jint(json_object_get(acct, "collection"), "window_days", 0));
	lay_para(l, LAY_BODY, 0, PDF_INK, s);
	free(s);
	shown = report_event_rows(events, REPORT_MAX_EVENTS, &more);
	if (more > 0) {
		s = xasprintf("The %d shown are the calls that created a role first, then "
		    "failed ones; %zu more are listed in results.json.", REPORT_MAX_EVENTS, more);
		lay_para(l, LAY_BOLD, 0, PDF_GREY, s);
		free(s);
	}
	json_array_foreach(shown, i, e) {
		s = xasprintf("%zu. %s", i + 1, pdf_str(e, "role_name", "?"));
		/* The heading stays with the first rows of its table. */
		lay_need(l, 90);
		lay_heading(l, LAY_H3, -1, s);
		free(s);
		pdf_kv_begin(l, 110);
		pdf_kv_json(l, "Time", e, "time");
		pdf_kv_json(l, "Creator", e, "creator_arn");
		pdf_kv_json(l, "Creator type", e, "creator_type");
		pdf_kv_json(l, "Source IP", e, "source_ip");
		pdf_kv_json(l, "User agent", e, "user_agent");
		pdf_kv_json(l, "Role ARN", e, "role_arn");
		pdf_kv_json(l, "Error code", e, "error_code");
		pdf_kv_json(l, "Role still exists", e, "role_exists");
		pdf_kv_json(l, "Event ID", e, "event_id");
		lay_table_end(l);
		tp = json_object_get(e, "trust_policy");
		if (tp == NULL || json_is_null(tp))
			continue;
		/* A policy may arrive as a JSON string: show it parsed when it is one. */
		parsed = json_is_string(tp) ? json_loads(json_string_value(tp), 0,
		    NULL) : NULL;
		doc = parsed ? jdump(parsed, 1) : json_is_string(tp) ?
		    xstrdup(json_string_value(tp)) : jdump(tp, 1);
		lay_para(l, LAY_BOLD, 0, PDF_INK, "Trust policy");
		lay_code(l, doc);
		free(doc);
		json_decref(parsed);
	}
	json_decref(shown);
}

/*
 * The compliance view (--framework): the shared model of report.c, one row
 * per requirement in the framework's order, the verdict coloured like the
 * status it stands for.
 */
static void
pdf_framework(struct lay *l, const json_t *results)
{
	static const struct lay_col cols[3] = {
		{ 160, LAY_CELL }, { 70, LAY_CELL_BOLD }, { 265.28, LAY_CELL }
	};
	static const char *const head[3] = { "Requirement", "Verdict", "Controls across the accounts" };
	json_t *fv = report_framework_view(results);
	const json_t *r, *c;
	struct buf b = { 0 };
	char *t;
	size_t i, j;

	if (fv == NULL)
		return;
	t = xasprintf("Compliance view: %s", pdf_str(fv, "title", "?"));
	lay_heading(l, LAY_H1, 0, t);
	free(t);
	lay_para(l, LAY_BODY, 0, PDF_INK, "The framework's requirements in its own order, each with the "
	    "iamgrade controls that support it and their status across the accounts. A control supports "
	    "a requirement; nothing here says a requirement is met. The verdict is the worst of its "
	    "controls': failing, cannot tell (not evaluated), accepted risk, controls pass.");
	lay_space(l, 4);
	lay_table_begin(l, cols, 3, head);
	json_array_foreach(json_object_get(fv, "requirements"), i, r) {
		unsigned colors[3] = { PDF_INK, pdf_status_color(jstr(r, "status")), PDF_INK };
		char *req = xasprintf("%s %s", pdf_str(r, "id", "?"), pdf_str(r, "title", ""));

		buf_reset(&b);
		json_array_foreach(json_object_get(r, "controls"), j, c)
			buf_printf(&b, "%s%s: %s", j ? "\n" : "", pdf_str(c, "id", "?"), pdf_str(c, "text", ""));
		lay_table_row(l, (const char *const []){ req, pdf_str(r, "verdict", ""), b.p ? b.p : "" },
		    colors);
		free(req);
	}
	lay_table_end(l);
	lay_page_break(l);
	buf_free(&b);
	json_decref(fv);
}

/*
 * The accepted risks (README "Accepted risks"): every exception in force
 * with its approver and days to expiry, then the expired and unused ones.
 * Nothing without an exceptions file.
 */
static void
pdf_accepted(struct lay *l, const json_t *results)
{
	static const struct lay_col cols[6] = {
		{ 52, LAY_CELL_BOLD }, { 72, LAY_CELL }, { 96, LAY_CELL }, { 115.28, LAY_CELL },
		{ 90, LAY_CELL }, { 70, LAY_CELL }
	};
	static const char *const head[6] = {
		"Control", "Account", "Resource", "Justification", "Approved by", "Expires"
	};
	const json_t *x = json_object_get(results, "exceptions"), *e;
	char *t, *exp;
	size_t i, k;

	if (x == NULL)
		return;
	lay_heading(l, LAY_H1, 0, "Accepted risks");
	t = xasprintf("From %s (SHA-256 %s): %zu in force, %zu expired, %zu unused. A control whose "
	    "every finding is an accepted risk is ACCEPTED: it counts neither as PASS nor as FAIL, and "
	    "the score without exceptions is shown beside the score.", pdf_str(x, "file", "?"),
	    pdf_str(x, "sha256", "?"), json_array_size(json_object_get(x, "in_force")),
	    json_array_size(json_object_get(x, "expired")), json_array_size(json_object_get(x, "unused")));
	lay_para(l, LAY_BODY, 0, PDF_INK, t);
	free(t);
	for (k = 0; k < 3; k++) {
		static const char *const lists[] = { "in_force", "expired", "unused" };
		static const char *const titles[] = {
			"In force", "Expired (no longer applied)", "Unused (match no finding)"
		};
		const json_t *rows = json_object_get(x, lists[k]);

		if (json_array_size(rows) == 0 && k > 0)
			continue;
		lay_heading(l, LAY_H3, -1, titles[k]);
		if (json_array_size(rows) == 0) {
			lay_para(l, LAY_BODY, 0, PDF_GREY, "None.");
			continue;
		}
		lay_table_begin(l, cols, 6, head);
		json_array_foreach(rows, i, e) {
			exp = k == 1 ? xasprintf("%s (expired)", pdf_str(e, "expires", "?")) :
			    xasprintf("%s (%lld days)", pdf_str(e, "expires", "?"), jint(e, "days_to_expiry", 0));
			lay_table_row(l, (const char *const []){ pdf_str(e, "control", "?"),
			    pdf_str(e, "account", "?"), pdf_str(e, "resource", "?"),
			    pdf_str(e, "justification", ""), pdf_str(e, "approved_by", ""), exp }, NULL);
			free(exp);
		}
		lay_table_end(l);
	}
	lay_page_break(l);
}

static void
pdf_thresholds(struct lay *l, const json_t *results, const char *title)
{
	json_t *rows = report_thresholds(results), *row;
	size_t i;

	lay_heading(l, LAY_H1, 0, title);
	lay_para(l, LAY_BODY, 0, PDF_INK, "The thresholds the controls were "
	    "graded with.");
	lay_space(l, 4);
	pdf_kv_begin(l, 200);
	json_array_foreach(rows, i, row)
		pdf_kv(l, jstr(row, "label"), jstr(row, "value"));
	lay_table_end(l);
	json_decref(rows);
}

static void
pdf_info(struct lay *l, const json_t *results, const char *title,
    const char *subject)
{
	struct lay_info in = { 0 };
	char *author;

	author = xasprintf("iamgrade %s", pdf_str(json_object_get(results,
	    "tool"), "version", "?"));
	in.title = title;
	in.author = author;
	in.subject = subject;
	in.creator = "iamgrade";
	in.keywords = "AWS IAM compliance CIS Security Hub";
	in.created = jstr(results, "generated_at");
	lay_set_info(l, &in);
	free(author);
}

/* The entry of the model's "accounts" for results.accounts[index]. */
static size_t
pdf_model_pos(const json_t *model, size_t index)
{
	const json_t *ma;
	size_t i;

	json_array_foreach(json_object_get(model, "accounts"), i, ma)
		if ((size_t)jint(ma, "index", -1) == index)
			return i;
	return 0;
}

/*
 * One account's report: the contents at the foot of the cover, its sections
 * with their pages (the outline has the failing controls too).  The number
 * of sections depends on the data and on sections still to come, so the
 * reservation is generous: unused lines are blank at the foot of the cover,
 * which ends with a page break anyway.  Several accounts in one document
 * have the outline (one entry per account) instead.
 */
#define PDF_TOC_ACCOUNT	14

static void
pdf_contents(struct lay *l, const json_t *results)
{
	if (json_array_size(json_object_get(results, "accounts")) != 1)
		return;
	lay_space(l, 14);
	lay_heading(l, LAY_H2, -1, "Contents");
	lay_toc(l, 0, PDF_TOC_ACCOUNT);
}

/* One account in full: cover to CreateRole appendix. */
static void
pdf_account(struct lay *l, const json_t *results, const json_t *model,
    size_t index, const struct report_opts *opts)
{
	const json_t *acct = json_array_get(json_object_get(results, "accounts"),
	    index);
	size_t pos = pdf_model_pos(model, index);
	const json_t *ma = json_array_get(json_object_get(model, "accounts"), pos);
	json_t *ps;
	char *t;

	pdf_cover(l, results, acct);
	pdf_contents(l, results);
	pdf_summary(l, acct, ma);
	trend_pdf_section(l, opts->history, jstr(acct, "account_id"));
	pdf_control_table(l, acct);
	pdf_failing(l, acct);
	ps = report_privsec(acct);
	pdf_privsec(l, ps);
	json_decref(ps);
	pdf_lp_section(l, acct);
	lay_page_break(l);
	pdf_not_evaluated(l, acct);
	if (opts->baseline != NULL) {
		t = xasprintf("Changes since the baseline of %s",
		    pdf_str(model, "baseline_generated_at", "an earlier run"));
		lay_heading(l, LAY_H1, 0, t);
		free(t);
		pdf_baseline_account(l, model, ma, pos, 1);
	}
	pdf_events(l, acct);
}

/*
 * Every account in full, in the results' order (one account: the usual
 * handoff).  With several, each account is a top-level bookmark over its
 * sections and its pages' footers name it.
 */
static void
pdf_detail(struct lay *l, const json_t *results, const json_t *model,
    const struct report_opts *opts)
{
	const json_t *accts = json_object_get(results, "accounts"), *acct;
	size_t i, n = json_array_size(accts);
	char *label, *t, *s, *foot;

	label = pdf_account_label(json_array_get(accts, 0), 0);
	if (n == 1) {
		t = xasprintf("IAM compliance report: %s", label);
		s = xasprintf("AWS IAM controls for account %s, graded %s",
		    pdf_str(json_array_get(accts, 0), "account_id", "?"),
		    pdf_str(results, "generated_at", "-"));
	} else {
		t = xasprintf("IAM compliance report: %zu accounts", n);
		s = xasprintf("AWS IAM controls for %zu accounts, graded %s", n,
		    pdf_str(results, "generated_at", "-"));
	}
	pdf_info(l, results, t, s);
	free(label);
	free(t);
	free(s);
	json_array_foreach(accts, i, acct) {
		label = pdf_account_label(acct, 0);
		lay_page_break(l);
		foot = xasprintf("iamgrade | %s | %s", label,
		    pdf_str(results, "generated_at", "-"));
		lay_set_footer(l, foot);
		if (n > 1) {
			lay_nest(l, 0);
			lay_mark(l, 0, label);
			lay_nest(l, 1);
		}
		pdf_account(l, results, model, i, opts);
		free(foot);
		free(label);
	}
	lay_nest(l, 0);
	lay_page_break(l);
	if (n > 1) {
		foot = xasprintf("iamgrade | %zu accounts | %s", n,
		    pdf_str(results, "generated_at", "-"));
		lay_set_footer(l, foot);
		free(foot);
	}
	pdf_framework(l, results);
	pdf_accepted(l, results);
	pdf_thresholds(l, results, "Appendix B. Thresholds");
	lay_finish(l, NULL);
}

/* Several accounts: the comparison. */

static void
pdf_cmp_cover(struct lay *l, const json_t *results, const json_t *model)
{
	static const struct lay_col cols[7] = {
		{ 140, LAY_CELL }, { 85, LAY_CELL_BOLD }, { 62, LAY_CELL },
		{ 40, LAY_CELL }, { 50, LAY_CELL }, { 63, LAY_CELL },
		{ 55.28, LAY_CELL }
	};
	static const char *const head[7] = {
		"Account", "Score", "Coverage", "FAIL", "Findings", "Critical/high",
		"Complete"
	};
	const json_t *accts = json_object_get(model, "accounts"), *a;
	unsigned colors[7] = { 0 };
	char *label, *score, *cov, *nf, *nfi, *ch, *s;
	size_t i;

	lay_mark(l, 0, "Cover");
	lay_text(l, LAY_TITLE, LAY_MARGIN_X, lay_cursor(l), LAY_BODY_W, LAY_LEFT,
	    0x1F3A5F, "AWS IAM comparison report");
	lay_advance(l, lay_leading(LAY_TITLE) + 6);
	s = xasprintf("%zu accounts side by side, worst first.",
	    json_array_size(accts));
	lay_para(l, LAY_H3, 0, PDF_INK, s);
	free(s);
	lay_space(l, 8);
	pdf_kv_begin(l, 150);
	{
		char *scope, *period;

		report_scope(results, &scope, &period);
		pdf_kv(l, "Scope", scope);
		pdf_kv(l, "Period", period);
		free(scope);
		free(period);
	}
	pdf_kv_json(l, "Results generated at", results, "generated_at");
	pdf_kv(l, "Tool version", pdf_str(json_object_get(results, "tool"),
	    "version", "-"));
	if (jbool(model, "has_baseline", 0))
		pdf_kv_json(l, "Baseline generated at", model,
		    "baseline_generated_at");
	lay_table_end(l);
	lay_heading(l, LAY_H2, -1, "Accounts");
	lay_table_begin(l, cols, 7, head);
	json_array_foreach(accts, i, a) {
		label = pdf_account_label(a, 0);
		if (jstr(a, "name") != NULL) {
			s = xasprintf("%s\n%s", label, jstr(a, "name"));
			free(label);
			label = s;
		}
		score = pdf_score_text(a);
		cov = xasprintf("%lld of %lld", jint(json_object_get(a, "coverage"),
		    "evaluated", 0), jint(json_object_get(a, "coverage"), "total", 0));
		nf = xasprintf("%lld", jint(json_object_get(a, "counts"), "FAIL", 0));
		nfi = xasprintf("%lld", jint(a, "findings", 0));
		ch = xasprintf("%lld / %lld",
		    jint(json_object_get(a, "fail_by_severity"), "critical", 0),
		    jint(json_object_get(a, "fail_by_severity"), "high", 0));
		colors[1] = pdf_grade_color(jstr(a, "grade"));
		colors[6] = jbool(a, "complete", 0) ? PDF_INK : 0xC62828;
		lay_table_row(l, (const char *const []){ label, score, cov, nf, nfi,
		    ch, jbool(a, "complete", 0) ? "yes" : "no" }, colors);
		free(label);
		free(score);
		free(cov);
		free(nf);
		free(nfi);
		free(ch);
	}
	lay_table_end(l);
}

/* Horizontal bars of the accounts' scores on a 0-100 scale. */
static void
pdf_score_chart(struct lay *l, const json_t *model)
{
	const double labw = 150, rowh = 16, barh = 10, numw = 90;
	double area = LAY_BODY_W - labw - numw, x, y, y0;
	const json_t *accts = json_object_get(model, "accounts"), *a, *bl;
	char *label, *t;
	size_t i;
	int tick;

	lay_need(l, json_array_size(accts) * rowh + 24);
	y0 = y = lay_cursor(l);
	for (tick = 0; tick <= 100; tick += 20) {
		x = LAY_MARGIN_X + labw + tick * area / 100;
		lay_rule(l, x, y0, 0, json_array_size(accts) * rowh, 0xDDDDDD);
		t = xasprintf("%d", tick);
		lay_text(l, LAY_SMALL, x - 10, y0 + json_array_size(accts) * rowh + 1,
		    20, LAY_CENTER, PDF_GREY, t);
		free(t);
	}
	json_array_foreach(accts, i, a) {
		if (y + rowh > LAY_PAGE_H - LAY_MARGIN_BOT) {
			/* Too many accounts for one page: carry on below. */
			lay_advance(l, y - lay_cursor(l));
			lay_page_break(l);
			y0 = y = lay_cursor(l);
		}
		label = pdf_account_label(a, 0);
		lay_text(l, LAY_CELL, LAY_MARGIN_X, y + 3, labw - 6, LAY_LEFT,
		    PDF_INK, label);
		free(label);
		bl = json_object_get(a, "baseline");
		if (json_is_integer(json_object_get(a, "score"))) {
			lay_rect(l, LAY_MARGIN_X + labw, y + (rowh - barh) / 2,
			    jint(a, "score", 0) * area / 100, barh,
			    pdf_grade_color(jstr(a, "grade")));
			t = json_is_integer(json_object_get(bl, "score_delta")) ?
			    xasprintf("%lld %s (%+lld)", jint(a, "score", 0),
			    pdf_str(a, "grade", ""), jint(bl, "score_delta", 0)) :
			    xasprintf("%lld %s", jint(a, "score", 0),
			    pdf_str(a, "grade", ""));
		} else
			t = xstrdup("not scored");
		lay_text(l, LAY_SMALL, LAY_MARGIN_X + labw + area + 6, y + 3,
		    numw - 6, LAY_LEFT, PDF_GREY, t);
		free(t);
		y += rowh;
	}
	lay_advance(l, y + 16 - lay_cursor(l));
}

static void
pdf_cmp_scores(struct lay *l, const json_t *model)
{
	const json_t *worst = json_object_get(model, "worst"), *w;
	struct buf b = { 0 };
	size_t i;

	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Scores");
	pdf_score_chart(l, model);
	lay_heading(l, LAY_H3, -1, "Worst offenders");
	if (json_array_size(worst) == 0) {
		lay_para(l, LAY_BODY, 0, PDF_INK, "No scored account has a "
		    "failing control.");
		return;
	}
	buf_add(&b, "", 0);
	json_array_foreach(worst, i, w)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(w) ?
		    json_string_value(w) : "?");
	lay_para(l, LAY_BODY, 0, PDF_INK, b.p);
	buf_free(&b);
}

/* The matrix cell text: PASS, FAIL (n), NE, N/A, with the baseline change. */
static char *
pdf_cell_text(const json_t *cell)
{
	const char *st = jstr(cell, "status"), *ch = jstr(cell, "change");
	char *s;

	if (st == NULL)
		s = xstrdup("-");
	else if (strcmp(st, "FAIL") == 0)
		s = xasprintf("FAIL (%lld)", jint(cell, "findings", 0));
	else if (strcmp(st, "NOT_EVALUATED") == 0)
		s = xstrdup("NE");
	else
		s = xstrdup(pdf_status_label(st));
	if (ch != NULL && strcmp(ch, "unchanged") != 0) {
		char *t = xasprintf("%s\n%s", s, ch);

		free(s);
		s = t;
	}
	return s;
}

/*
 * The matrix of controls by accounts.  Wider than a page, it splits into
 * bands of accounts, each with the control column repeated.
 */
static void
pdf_matrix(struct lay *l, const json_t *model)
{
	const double ctlw = 150, minw = 80;
	const json_t *accts = json_object_get(model, "accounts");
	const json_t *controls = json_object_get(model, "controls"), *c;
	size_t na = json_array_size(accts), per, from, to, i, j;
	char *note = report_matrix_note(na, 0);
	double accw;
	struct lay_col *cols;
	const char **cells;
	unsigned *colors;
	char **head, *t;

	per = (size_t)((LAY_BODY_W - ctlw) / minw);
	accw = (LAY_BODY_W - ctlw) / per;
	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Control matrix");
	lay_para(l, LAY_BODY, 0, PDF_INK, "PASS, FAIL (findings), NE (not "
	    "evaluated), N/A (not applicable); \"-\" when an account's results "
	    "lack the control. With a baseline, a cell also says new, fixed or "
	    "unknown (failed before, not evaluated now).");
	if (note != NULL) {
		lay_para(l, LAY_BODY, 0, PDF_INK, note);
		na = REPORT_MATRIX_MAX;
	}
	free(note);
	cols = xcalloc(per + 1, sizeof(*cols));
	head = xcalloc(per + 1, sizeof(*head));
	cells = xcalloc(per + 1, sizeof(*cells));
	colors = xcalloc(per + 1, sizeof(*colors));
	for (from = 0; from < na; from = to) {
		to = from + per < na ? from + per : na;
		if (na > per) {
			t = xasprintf("Accounts %zu to %zu of %zu", from + 1, to,
			    json_array_size(accts));
			if (from > 0)
				lay_page_break(l);
			lay_heading(l, LAY_H3, -1, t);
			free(t);
		}
		cols[0].w = ctlw;
		cols[0].style = LAY_CELL;
		head[0] = xstrdup("Control");
		for (j = from; j < to; j++) {
			cols[j - from + 1].w = accw;
			cols[j - from + 1].style = LAY_CELL_BOLD;
			head[j - from + 1] = pdf_account_label(json_array_get(accts, j), 1);
		}
		lay_table_begin(l, cols, to - from + 1, (const char *const *)head);
		json_array_foreach(controls, i, c) {
			char **tx = xcalloc(per + 1, sizeof(*tx));

			tx[0] = xasprintf("%s  %s", pdf_str(c, "id", "?"),
			    pdf_str(c, "title", ""));
			colors[0] = PDF_INK;
			for (j = from; j < to; j++) {
				const json_t *cell = json_array_get(
				    json_object_get(c, "cells"), j);

				tx[j - from + 1] = pdf_cell_text(cell);
				colors[j - from + 1] = pdf_status_color(
				    jstr(cell, "status"));
			}
			for (j = 0; j <= to - from; j++)
				cells[j] = tx[j];
			lay_table_row(l, cells, colors);
			for (j = 0; j <= to - from; j++)
				free(tx[j]);
			free(tx);
		}
		lay_table_end(l);
		for (j = 0; j <= to - from; j++)
			free(head[j]);
	}
	free(cols);
	free(head);
	free(cells);
	free(colors);
}

/* A page per account (from a new page unless first): figures, chart, what fails. */
static void
pdf_cmp_account(struct lay *l, const json_t *results, const json_t *model,
    const json_t *ma, size_t ai, int first)
{
	static const struct lay_col cols[4] = {
		{ 56, LAY_CELL_BOLD }, { 280, LAY_CELL }, { 70, LAY_CELL },
		{ 89.28, LAY_CELL }
	};
	static const char *const head[4] = {
		"ID", "Failing control", "Severity", "Findings"
	};
	const json_t *acct = json_array_get(json_object_get(results, "accounts"),
	    (size_t)jint(ma, "index", 0));
	const json_t *snap = json_object_get(acct, "snapshot"), *c;
	char *label = pdf_account_label(ma, 0), *s;
	size_t i, n = 0;

	if (!first)
		lay_page_break(l);
	lay_heading(l, LAY_H2, 1, label);
	pdf_kv_begin(l, 150);
	pdf_kv_json(l, "Name", ma, "name");
	s = pdf_score_text(ma);
	pdf_kv(l, "Score", s);
	free(s);
	s = xasprintf("%lld of %lld controls evaluated",
	    jint(json_object_get(ma, "coverage"), "evaluated", 0),
	    jint(json_object_get(ma, "coverage"), "total", 0));
	pdf_kv(l, "Coverage", s);
	free(s);
	pdf_kv(l, "Collection", jbool(ma, "complete", 0) ? "complete" :
	    pdf_str(ma, "incomplete_reason", "incomplete"));
	pdf_kv_json(l, "Collection finished", json_object_get(acct, "collection"),
	    "finished");
	pdf_kv_json(l, "Snapshot SHA-256", snap, "sha256");
	lay_table_end(l);
	pdf_count_boxes(l, json_object_get(ma, "counts"));
	lay_heading(l, LAY_H3, -1, "Controls by family");
	pdf_family_chart(l, json_object_get(ma, "families"));
	lay_heading(l, LAY_H3, -1, "Failing controls");
	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		if (strcmp(pdf_str(c, "status", ""), "FAIL") != 0)
			continue;
		if (n++ == 0)
			lay_table_begin(l, cols, 4, head);
		s = xasprintf("%zu", json_array_size(json_object_get(c, "findings")));
		lay_table_row(l, (const char *const []){ pdf_str(c, "id", "?"),
		    pdf_str(c, "title", ""), pdf_str(c, "severity", ""), s }, NULL);
		free(s);
	}
	lay_table_end(l);
	if (n == 0)
		lay_para(l, LAY_BODY, 0, PDF_INK, "No control failed.");
	lay_heading(l, LAY_H3, -1, "Not evaluated");
	if (pdf_reason_table(l, acct, "NOT_EVALUATED") == 0)
		lay_para(l, LAY_BODY, 0, PDF_INK, "Every control could be "
		    "evaluated.");
	if (jbool(model, "has_baseline", 0)) {
		lay_heading(l, LAY_H3, -1, "Since the baseline");
		pdf_baseline_account(l, model, ma, ai, 0);
	}
	free(label);
}

static void
pdf_cmp_baseline(struct lay *l, const json_t *model)
{
	static const struct lay_col cols[5] = {
		{ 175, LAY_CELL }, { 120, LAY_CELL }, { 66, LAY_CELL },
		{ 66, LAY_CELL }, { 68.28, LAY_CELL }
	};
	static const char *const head[5] = {
		"Account", "Score (change)", "New", "Fixed", "Unchanged"
	};
	const json_t *a, *bl, *r;
	char *label, *sc, *n1, *n2, *n3;
	size_t i;

	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Changes since the baseline");
	lay_table_begin(l, cols, 5, head);
	json_array_foreach(json_object_get(model, "accounts"), i, a) {
		bl = json_object_get(a, "baseline");
		label = pdf_account_label(a, 0);
		if (!json_is_object(bl)) {
			lay_table_row(l, (const char *const []){ label,
			    "not in the baseline", "", "", "" }, NULL);
			free(label);
			continue;
		}
		sc = json_is_integer(json_object_get(bl, "score_delta")) ?
		    xasprintf("%lld, was %lld (%+lld)", jint(a, "score", 0),
		    jint(bl, "score", 0), jint(bl, "score_delta", 0)) :
		    xstrdup("not comparable");
		n1 = xasprintf("%lld", jint(bl, "new", 0));
		n2 = xasprintf("%lld", jint(bl, "fixed", 0));
		n3 = xasprintf("%lld", jint(bl, "unchanged", 0));
		lay_table_row(l, (const char *const []){ label, sc, n1, n2, n3 },
		    NULL);
		free(label);
		free(sc);
		free(n1);
		free(n2);
		free(n3);
	}
	lay_table_end(l);
	json_array_foreach(json_object_get(model, "removed_accounts"), i, r) {
		label = pdf_account_label(r, 0);
		n1 = xasprintf("%s was in the baseline and is not in these "
		    "results.", label);
		lay_para(l, LAY_BODY, 0, PDF_INK, n1);
		free(n1);
		free(label);
	}
	/* Then what changed, account by account. */
	json_array_foreach(json_object_get(model, "accounts"), i, a) {
		if (!json_is_object(json_object_get(a, "baseline")))
			continue;
		label = pdf_account_label(a, 0);
		lay_heading(l, LAY_H3, -1, label);
		pdf_changes(l, model, i);
		free(label);
	}
}

static void
pdf_cmp_risks(struct lay *l, const json_t *model)
{
	static const struct lay_col cols[5] = {
		{ 90, LAY_CELL }, { 50, LAY_CELL_BOLD }, { 50, LAY_CELL },
		{ 140, LAY_CELL }, { 165.28, LAY_CELL }
	};
	static const char *const head[5] = {
		"Account", "Control", "Severity", "Role", "Reason"
	};
	const json_t *risks = json_object_get(model, "role_risks"), *r;
	size_t i;

	lay_heading(l, LAY_H1, 0, "Risky roles created in the window");
	if (json_array_size(risks) == 0) {
		lay_para(l, LAY_BODY, 0, PDF_INK, "No role created in the window "
		    "trusts a wildcard, an outside account or an unrestricted "
		    "OIDC provider.");
		return;
	}
	lay_table_begin(l, cols, 5, head);
	json_array_foreach(risks, i, r) {
		char *acct = pdf_account_label(r, 0);

		lay_table_row(l, (const char *const []){ acct,
		    pdf_str(r, "control", "?"), pdf_str(r, "severity", ""),
		    pdf_str(r, "resource", pdf_str(r, "resource_name", "-")),
		    pdf_str(r, "reason", "") }, NULL);
		free(acct);
	}
	lay_table_end(l);
}


/*
 * The summary of an organization (results carry "grouping"), bounded: the
 * pages before the appendix depend on the number of groups and controls,
 * never on the number of accounts.  Contents, the organization page with
 * the group table, the control x group heatmap (vector), the worst
 * accounts, the biggest regressions, then the appendix: every account,
 * grouped, in a dense table.
 */
#define PDF_ORG_WORST	25	/* accounts in "worst accounts" and "regressions" */
#define PDF_HEAT_COLS	10	/* groups per heatmap slice */
#define PDF_HEAT_MAX	20	/* heatmap columns at most: the largest groups and "other" */
#define PDF_TOC_GROUPS	20	/* the contents list each group up to this many */
#define PDF_APPX_HEADED	40	/* the appendix has a heading per group up to this many */

/* The heatmap's fill for a share: lightness alone, so it reads in greyscale. */
static unsigned
pdf_heat_fill(const json_t *share)
{
	static const unsigned steps[6] = {
		0xFFFFFF, 0xFDE6E2, 0xF7B8AD, 0xE3796A, 0xB3261E, 0x5C0F0B
	};
	json_int_t v;

	if (!json_is_integer(share))
		return 0xEEF0F4;
	v = json_integer_value(share);
	return steps[v <= 0 ? 0 : v < 20 ? 1 : v < 40 ? 2 : v < 60 ? 3 : v < 80 ? 4 : 5];
}

static void
pdf_org_groups(struct lay *l, const json_t *grouping, int has_baseline)
{
	static const struct lay_col cols[7] = {
		{ 140, LAY_CELL_BOLD }, { 55, LAY_CELL }, { 80, LAY_CELL },
		{ 85, LAY_CELL }, { 75, LAY_CELL }, { 60.28, LAY_CELL }, { 0, LAY_CELL }
	};
	static const char *const head[6] = {
		"Group", "Accounts", "Worst / median / best", "Accounts per grade A B C D F",
		"Failing: critical / high", "Score change"
	};
	const json_t *g;
	char *n, *sc, *gr, *sev, *d;
	size_t i;

	lay_table_begin(l, cols, 6, head);
	json_array_foreach(json_object_get(grouping, "groups"), i, g) {
#define PDF_SC(k) (json_is_integer(jpath(g, k)) ? (long long)json_integer_value(jpath(g, k)) : -1)
		n = xasprintf("%lld", jint(g, "n", 0));
		sc = PDF_SC("score.worst") < 0 ? xstrdup("not scored") :
		    xasprintf("%lld / %lld / %lld", PDF_SC("score.worst"),
		    PDF_SC("score.median"), PDF_SC("score.best"));
#undef PDF_SC
		gr = xasprintf("%lld %lld %lld %lld %lld",
		    jint(json_object_get(g, "grades"), "A", 0), jint(json_object_get(g, "grades"), "B", 0),
		    jint(json_object_get(g, "grades"), "C", 0), jint(json_object_get(g, "grades"), "D", 0),
		    jint(json_object_get(g, "grades"), "F", 0));
		sev = xasprintf("%lld / %lld", jint(json_object_get(g, "fail_by_severity"), "critical", 0),
		    jint(json_object_get(g, "fail_by_severity"), "high", 0));
		d = !has_baseline ? xstrdup("no baseline") :
		    json_is_integer(json_object_get(g, "score_delta")) ?
		    xasprintf("%+lld", jint(g, "score_delta", 0)) : xstrdup("-");
		lay_table_row(l, (const char *const []){ pdf_str(g, "key", "?"), n, sc, gr, sev, d },
		    NULL);
		free(n);
		free(sc);
		free(gr);
		free(sev);
		free(d);
	}
	lay_table_end(l);
}

#define PDF_HEAT_ROWH	13.0
#define PDF_HEAT_CTLW	95.0

/* The head of a heatmap slice: the groups from to to, their names cut to fit. */
static void
pdf_heat_head(struct lay *l, const json_t *groups, size_t from, size_t to, double w)
{
	const json_t *g;
	double y = lay_cursor(l), h, hmax = 16;
	size_t j;
	char *t;

	lay_text(l, LAY_CELL_BOLD, LAY_MARGIN_X, y, PDF_HEAT_CTLW, LAY_LEFT, PDF_INK, "Control");
	for (j = from; j < to; j++) {
		g = json_array_get(groups, j);
		/* A long name is cut (the group table has it whole). */
		t = xasprintf("%.40s%s (%lld)", pdf_str(g, "key", "?"),
		    strlen(pdf_str(g, "key", "?")) > 40 ? "..." : "", jint(g, "n", 0));
		h = lay_text(l, LAY_CELL_BOLD, LAY_MARGIN_X + PDF_HEAT_CTLW + w * (double)(j - from),
		    y, w - 2, LAY_CENTER, PDF_INK, t);
		hmax = h + 4 > hmax ? h + 4 : hmax;
		free(t);
	}
	lay_advance(l, hmax);
}

/*
 * Control x group, PDF_HEAT_COLS groups a slice, at most PDF_HEAT_MAX
 * groups (group_heat_columns: the largest, then "other"): shaded cells with
 * the share in each.  A slice starts where a head and a few rows fit and
 * continues on the next page with its head repeated, rather than leaving
 * the rest of a page empty.
 */
static void
pdf_org_heatmap(struct lay *l, const json_t *grouping, const json_t *model)
{
	const double rowh = PDF_HEAT_ROWH;
	json_t *groups = group_heat_columns(json_object_get(grouping, "groups"), PDF_HEAT_MAX);
	const json_t *c, *g, *share;
	size_t ng = json_array_size(groups), from, to, i, j;
	size_t nall = json_array_size(json_object_get(grouping, "groups"));
	double w, x, y;
	size_t page;
	unsigned fill;
	char *t;

	lay_heading(l, LAY_H1, 0, "Heatmap: where each control fails");
	t = xasprintf("Each cell: the share of the group's accounts, among those where the "
	    "control was evaluated, that fail it; darker is worse, the number is in every cell, "
	    "\"n/e\" where no account could be evaluated.%s", nall > ng ? " The largest groups "
	    "have a column each; \"other\" pools the rest (every group is in the table of "
	    "groups and in the appendix)." : "");
	lay_para(l, LAY_BODY, 0, PDF_INK, t);
	free(t);
	for (from = 0; from < ng || from == 0; from = to) {
		to = from + PDF_HEAT_COLS < ng ? from + PDF_HEAT_COLS : ng;
		w = (LAY_BODY_W - PDF_HEAT_CTLW) / (double)(to > from ? to - from : 1);
		lay_need(l, 60 + rowh * 8);
		if (ng > PDF_HEAT_COLS) {
			t = xasprintf("Groups %zu to %zu of %zu", from + 1, to, ng);
			lay_heading(l, LAY_H3, -1, t);
			free(t);
		}
		pdf_heat_head(l, groups, from, to, w);
		page = lay_npages(l);
		json_array_foreach(json_object_get(model, "controls"), i, c) {
			lay_need(l, rowh);
			if (lay_npages(l) != page) {
				pdf_heat_head(l, groups, from, to, w);
				page = lay_npages(l);
			}
			y = lay_cursor(l);
			lay_text(l, LAY_CELL, LAY_MARGIN_X, y + 1.5, PDF_HEAT_CTLW, LAY_LEFT, PDF_INK,
			    pdf_str(c, "id", "?"));
			for (j = from; j < to; j++) {
				g = json_array_get(groups, j);
				share = jpath(json_object_get(g, "controls"), pdf_str(c, "id", ""));
				share = json_object_get(share, "share");
				x = LAY_MARGIN_X + PDF_HEAT_CTLW + w * (double)(j - from);
				fill = pdf_heat_fill(share);
				lay_rect(l, x, y, w - 1, rowh - 1, fill);
				t = json_is_integer(share) ?
				    xasprintf("%lld%%", (long long)json_integer_value(share)) : xstrdup("n/e");
				lay_text(l, LAY_CELL, x, y + 1.5, w - 1, LAY_CENTER,
				    fill == 0xB3261E || fill == 0x5C0F0B ? 0xFFFFFF : PDF_INK, t);
				free(t);
			}
			lay_advance(l, rowh);
		}
		lay_space(l, 10);
	}
	json_decref(groups);
}

/* Accounts by score change since the baseline, the largest drop first. */
static int
pdf_delta_order(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	long long da = jint(json_object_get(a, "baseline"), "score_delta", 0);
	long long db = jint(json_object_get(b, "baseline"), "score_delta", 0);

	if (da != db)
		return da < db ? -1 : 1;
	return strcmp(pdf_str(a, "account_id", ""), pdf_str(b, "account_id", ""));
}

/*
 * The tables of accounts (worst accounts, regressions, the appendix) are
 * built from columns: a head, a width, a style and one small function that
 * gives a model account's cell (caller frees) and its colour (0: ink).  A new
 * column is one function and one row in a column list.
 */
struct pdf_acol {
	const char	*head;
	double		 w;
	enum lay_style	 style;
	char		*(*cell)(const json_t *results, const json_t *ma, unsigned *color);
};

static char *
pdf_col_account(const json_t *results, const json_t *ma, unsigned *color)
{
	return pdf_account_label(ma, 0);
}

static char *
pdf_col_ou(const json_t *results, const json_t *ma, unsigned *color)
{
	const json_t *a = json_array_get(json_object_get(results, "accounts"),
	    (size_t)jint(ma, "index", 0));
	const char *p = json_string_value(jpath(a, "ou.path"));

	return xstrdup(p ? p : "/");
}

/* The group, when the appendix is one table (many groups). */
static char *
pdf_col_group(const json_t *results, const json_t *ma, unsigned *color)
{
	const char *by = jstr(json_object_get(results, "grouping"), "by");

	return group_key(json_array_get(json_object_get(results, "accounts"),
	    (size_t)jint(ma, "index", 0)), by != NULL ? by : "none");
}

static char *
pdf_col_score(const json_t *results, const json_t *ma, unsigned *color)
{
	if (!json_is_integer(json_object_get(ma, "score")))
		return xstrdup("not scored");
	*color = pdf_grade_color(jstr(ma, "grade"));
	return xasprintf("%lld", jint(ma, "score", 0));
}

static char *
pdf_col_grade(const json_t *results, const json_t *ma, unsigned *color)
{
	*color = pdf_grade_color(jstr(ma, "grade"));
	return xstrdup(pdf_str(ma, "grade", "-"));
}

static char *
pdf_col_critical(const json_t *results, const json_t *ma, unsigned *color)
{
	json_int_t n = jint(json_object_get(ma, "fail_by_severity"), "critical", 0);

	*color = n > 0 ? 0xC62828 : 0;
	return xasprintf("%lld", (long long)n);
}

static char *
pdf_col_high(const json_t *results, const json_t *ma, unsigned *color)
{
	json_int_t n = jint(json_object_get(ma, "fail_by_severity"), "high", 0);

	*color = n > 0 ? 0xE65100 : 0;
	return xasprintf("%lld", (long long)n);
}

static char *
pdf_col_failing(const json_t *results, const json_t *ma, unsigned *color)
{
	return xasprintf("%lld", jint(json_object_get(ma, "counts"), "FAIL", 0));
}

/* The score's change since the baseline run: "+3", "-12", "±0", "no score then" or "-". */
static char *
pdf_col_change(const json_t *results, const json_t *ma, unsigned *color)
{
	const json_t *b = json_object_get(ma, "baseline"), *d = json_object_get(b, "score_delta");

	if (!json_is_object(b))
		return xstrdup("-");
	if (!json_is_integer(d))
		return xstrdup(json_is_integer(json_object_get(b, "score")) ? "no score now" :
		    "no score then");
	*color = json_integer_value(d) < 0 ? 0xC62828 : json_integer_value(d) > 0 ? 0x2E7D32 : 0;
	if (json_integer_value(d) == 0)
		return xstrdup("\xc2\xb1" "0");
	return xasprintf("%+lld", (long long)json_integer_value(d));
}

static char *
pdf_col_collection(const json_t *results, const json_t *ma, unsigned *color)
{
	if (jbool(ma, "complete", 0))
		return xstrdup("complete");
	*color = 0xC62828;
	return xstrdup("incomplete");
}

/* An unused share of least privilege (report_lp_shares): "25 %", or "n/e" when not known. */
static char *
pdf_col_lp(const json_t *results, const json_t *ma, unsigned *color, const char *which)
{
	json_t *sh = report_lp_shares(json_array_get(json_object_get(results, "accounts"),
	    (size_t)jint(ma, "index", 0)));
	const json_t *one = json_object_get(sh, which);
	char *t;

	if (jbool(one, "known", 0) && jstr(one, "pct_text") != NULL)
		t = xstrdup(jstr(one, "pct_text"));
	else {
		*color = PDF_GREY;
		t = xstrdup("n/e");
	}
	json_decref(sh);
	return t;
}

static char *
pdf_col_lp_roles(const json_t *results, const json_t *ma, unsigned *color)
{
	return pdf_col_lp(results, ma, color, "roles");
}

static char *
pdf_col_lp_services(const json_t *results, const json_t *ma, unsigned *color)
{
	return pdf_col_lp(results, ma, color, "services");
}

#define PDF_NACOL(cols) (sizeof(cols) / sizeof((cols)[0]))

/* Worst accounts and regressions: who, where, how bad, and which way it goes. */
static const struct pdf_acol pdf_ranked_cols[] = {
	{ "Account", 165, LAY_CELL, pdf_col_account },
	{ "OU", 125, LAY_CELL, pdf_col_ou },
	{ "Score", 38, LAY_CELL_BOLD, pdf_col_score },
	{ "Grade", 35, LAY_CELL_BOLD, pdf_col_grade },
	{ "Failing critical", 45, LAY_CELL, pdf_col_critical },
	{ "Failing high", 40, LAY_CELL, pdf_col_high },
	{ "Change since last run", 47.28, LAY_CELL, pdf_col_change },
};

/* The appendix, grouped already: the OU column would repeat the heading. */
static const struct pdf_acol pdf_appendix_cols[] = {
	{ "Account", 186, LAY_CELL, pdf_col_account },
	{ "Score", 58, LAY_CELL_BOLD, pdf_col_score },
	{ "Grade", 35, LAY_CELL_BOLD, pdf_col_grade },
	{ "Failing", 40, LAY_CELL, pdf_col_failing },
	{ "Critical", 40, LAY_CELL, pdf_col_critical },
	{ "High", 40, LAY_CELL, pdf_col_high },
	{ "Collection", 96.28, LAY_CELL, pdf_col_collection },
};

/* The appendix of many groups, one table: the group is a column, not a heading. */
static const struct pdf_acol pdf_appendix_flat_cols[] = {
	{ "Group", 110, LAY_CELL, pdf_col_group },
	{ "Account", 149, LAY_CELL, pdf_col_account },
	{ "Score", 58, LAY_CELL_BOLD, pdf_col_score },
	{ "Grade", 35, LAY_CELL_BOLD, pdf_col_grade },
	{ "Critical", 40, LAY_CELL, pdf_col_critical },
	{ "High", 40, LAY_CELL, pdf_col_high },
	{ "Collection", 63.28, LAY_CELL, pdf_col_collection },
};

/*
 * With least privilege graded (LP-01..04), the appendix carries each
 * account's unused shares (LP-01 roles, LP-03 services) as two narrow
 * columns: the numbers the HTML summary shows, in the table that already has
 * a row per account, rather than a second table of every account after it.
 */
static const struct pdf_acol pdf_appendix_lp_cols[] = {
	{ "Account", 126, LAY_CELL, pdf_col_account },
	{ "Score", 58, LAY_CELL_BOLD, pdf_col_score },
	{ "Grade", 35, LAY_CELL_BOLD, pdf_col_grade },
	{ "Failing", 40, LAY_CELL, pdf_col_failing },
	{ "Critical", 40, LAY_CELL, pdf_col_critical },
	{ "High", 40, LAY_CELL, pdf_col_high },
	{ "Roles unused", 45, LAY_CELL, pdf_col_lp_roles },
	{ "Services unused", 45, LAY_CELL, pdf_col_lp_services },
	{ "Collection", 66.28, LAY_CELL, pdf_col_collection },
};

static const struct pdf_acol pdf_appendix_flat_lp_cols[] = {
	{ "Group", 80, LAY_CELL, pdf_col_group },
	{ "Account", 114, LAY_CELL, pdf_col_account },
	{ "Score", 58, LAY_CELL_BOLD, pdf_col_score },
	{ "Grade", 35, LAY_CELL_BOLD, pdf_col_grade },
	{ "Critical", 36, LAY_CELL, pdf_col_critical },
	{ "High", 30, LAY_CELL, pdf_col_high },
	{ "Roles unused", 45, LAY_CELL, pdf_col_lp_roles },
	{ "Services unused", 45, LAY_CELL, pdf_col_lp_services },
	{ "Collection", 52.28, LAY_CELL, pdf_col_collection },
};

/* Whether any account of results has least privilege graded. */
static int
pdf_any_lp(const json_t *results)
{
	const json_t *acct;
	size_t i;

	json_array_foreach(json_object_get(results, "accounts"), i, acct)
		if (report_lp_graded(acct))
			return 1;
	return 0;
}

#define PDF_ACOL_MAX	12	/* columns of an account table at most */

static void
pdf_acct_table_begin(struct lay *l, const struct pdf_acol *cols, size_t ncols)
{
	struct lay_col lc[PDF_ACOL_MAX];
	const char *head[PDF_ACOL_MAX];
	size_t i;

	for (i = 0; i < ncols && i < PDF_ACOL_MAX; i++) {
		lc[i].w = cols[i].w;
		lc[i].style = cols[i].style;
		head[i] = cols[i].head;
	}
	lay_table_begin(l, lc, i, head);
}

static void
pdf_acct_table_row(struct lay *l, const json_t *results, const struct pdf_acol *cols,
    size_t ncols, const json_t *ma)
{
	char *cells[PDF_ACOL_MAX] = { NULL };
	unsigned colors[PDF_ACOL_MAX] = { 0 };
	size_t i;

	for (i = 0; i < ncols && i < PDF_ACOL_MAX; i++)
		cells[i] = cols[i].cell(results, ma, &colors[i]);
	lay_table_row(l, (const char *const *)cells, colors);
	for (i = 0; i < ncols && i < PDF_ACOL_MAX; i++)
		free(cells[i]);
}

static void
pdf_org_ranked(struct lay *l, const json_t *results, const json_t **list, size_t n)
{
	size_t i;

	pdf_acct_table_begin(l, pdf_ranked_cols, PDF_NACOL(pdf_ranked_cols));
	for (i = 0; i < n; i++)
		pdf_acct_table_row(l, results, pdf_ranked_cols, PDF_NACOL(pdf_ranked_cols), list[i]);
	lay_table_end(l);
}

/*
 * The appendix: every account, by group, one dense row each.  With many
 * groups (300 tag values) a heading and a table head per group would cost a
 * page per dozen groups; then it is one table with the group as a column,
 * and the outline no longer lists the groups.
 */
static void
pdf_org_appendix(struct lay *l, const json_t *results, const json_t *model,
    const json_t *grouping)
{
	const json_t *g, *id, *ma;
	size_t ng = json_array_size(json_object_get(grouping, "groups")), i, j, k;
	int flat = ng > PDF_APPX_HEADED, lp = pdf_any_lp(results);
	const struct pdf_acol *cols;
	size_t ncols;
	char *t;

	if (lp) {
		cols = flat ? pdf_appendix_flat_lp_cols : pdf_appendix_lp_cols;
		ncols = flat ? PDF_NACOL(pdf_appendix_flat_lp_cols) : PDF_NACOL(pdf_appendix_lp_cols);
	} else {
		cols = flat ? pdf_appendix_flat_cols : pdf_appendix_cols;
		ncols = flat ? PDF_NACOL(pdf_appendix_flat_cols) : PDF_NACOL(pdf_appendix_cols);
	}
	lay_heading(l, LAY_H1, 0, "Appendix: every account, by group");
	lay_para(l, LAY_SMALL, 0, PDF_GREY, lp ? "Within each group, the lowest score first. "
	    "Critical and high: the failing controls of that severity. Roles and services "
	    "unused: the shares of least privilege (LP-01, LP-03) not used in the tracking "
	    "period; n/e where they could not be judged (never read as 0 %; the account's "
	    "report says why)." : "Within each group, the lowest score first. "
	    "Critical and high: the failing controls of that severity.");
	if (flat)
		pdf_acct_table_begin(l, cols, ncols);
	json_array_foreach(json_object_get(grouping, "groups"), i, g) {
		if (!flat) {
			t = xasprintf("%s (%lld account%s)", pdf_str(g, "key", "?"), jint(g, "n", 0),
			    jint(g, "n", 0) == 1 ? "" : "s");
			lay_heading(l, LAY_H3, 1, t);
			free(t);
			pdf_acct_table_begin(l, cols, ncols);
		}
		/* The model's order (worst first), kept within each group. */
		json_array_foreach(json_object_get(model, "accounts"), j, ma) {
			json_array_foreach(json_object_get(g, "accounts"), k, id)
				if (strcmp(json_string_value(id) ? json_string_value(id) : "",
				    pdf_str(ma, "account_id", "")) == 0)
					break;
			if (k < json_array_size(json_object_get(g, "accounts")))
				pdf_acct_table_row(l, results, cols, ncols, ma);
		}
		if (!flat)
			lay_table_end(l);
	}
	lay_table_end(l);
}

/* Scope and period, as the evidence pack states them (issue 14). */
static void
pdf_org_scope(struct lay *l, const json_t *results, const json_t *model)
{
	const json_t *ma;
	size_t i, n = json_array_size(json_object_get(model, "accounts")), inc = 0;
	char *t;

	json_array_foreach(json_object_get(model, "accounts"), i, ma)
		inc += !jbool(ma, "complete", 0);
	pdf_kv_begin(l, 150);
	pdf_kv_json(l, "Results generated at", results, "generated_at");
	pdf_kv_json(l, "Organization", json_object_get(results, "organization"),
	    "organization_id");
	t = xasprintf("%zu reported, %zu collected completely, %zu incomplete", n, n - inc, inc);
	pdf_kv(l, "Accounts", t);
	free(t);
	if (jbool(model, "has_baseline", 0))
		pdf_kv_json(l, "Baseline generated at", model, "baseline_generated_at");
	if (json_object_get(results, "selection") != NULL)
		pdf_kv_json(l, "Selection", results, "selection");
	lay_table_end(l);
}

/*
 * The page budget: the contents and the group table on the first page, the
 * worst accounts and the regressions flowing after them, then the heatmap,
 * whose slices are each kept whole on a page (so it comes after the tables
 * that can flow around a page break, not before them), the appendix right
 * after.  No section starts a page of its own, so no page is left half empty
 * by a short section.
 */
static void
pdf_org_comparison(struct lay *l, const json_t *results, const json_t *model,
    const struct hist *history)
{
	const json_t *grouping = json_object_get(results, "grouping");
	const json_t *accts = json_object_get(model, "accounts"), *ma;
	const json_t **list;
	size_t n = json_array_size(accts), k = 0, i;
	size_t ng = json_array_size(json_object_get(grouping, "groups"));
	int has_baseline = jbool(model, "has_baseline", 0);
	char *t, *foot;

	t = xasprintf("IAM organization report: %zu accounts", n);
	pdf_info(l, results, t, "AWS IAM controls by organizational unit");
	lay_mark(l, 0, "Organization");
	lay_text(l, LAY_TITLE, LAY_MARGIN_X, lay_cursor(l), LAY_BODY_W, LAY_LEFT,
	    0x1F3A5F, "AWS IAM organization report");
	lay_advance(l, lay_leading(LAY_TITLE) + 6);
	free(t);
	t = xasprintf("%zu accounts in %zu groups (by %s).", n, ng, pdf_str(grouping, "by", "none"));
	lay_para(l, LAY_H3, 0, PDF_INK, t);
	free(t);
	lay_space(l, 6);
	pdf_org_scope(l, results, model);
	json_array_foreach(jpath(results, "organization.problems"), i, ma)
		lay_para(l, LAY_SMALL, 0, 0xC62828, json_string_value(ma));
	/*
	 * Six sections, the trend's with a history (a line too many, left
	 * blank, if it has nothing to draw), and each group of the appendix
	 * while they are few.  Least privilege is two columns of the appendix.
	 */
	lay_heading(l, LAY_H2, -1, "Contents");
	lay_toc(l, ng <= PDF_TOC_GROUPS ? 1 : 0, 6 + (history != NULL) +
	    (ng <= PDF_TOC_GROUPS ? ng : 0));
	if (ng > PDF_TOC_GROUPS)
		lay_para(l, LAY_SMALL, 0, PDF_GREY, "The outline (bookmarks) lists every group.");
	lay_heading(l, LAY_H1, 0, "Groups");
	pdf_org_groups(l, grouping, has_baseline);
	trend_pdf_section(l, history, NULL);

	list = xcalloc(n + 1, sizeof(*list));
	json_array_foreach(accts, i, ma)
		if (json_is_integer(json_object_get(ma, "score")) && k < PDF_ORG_WORST)
			list[k++] = ma;
	t = xasprintf("The %zu worst accounts", k);
	lay_heading(l, LAY_H1, 0, t);
	free(t);
	pdf_org_ranked(l, results, list, k);
	lay_heading(l, LAY_H1, 0, "The biggest regressions since the baseline");
	k = 0;
	json_array_foreach(accts, i, ma)
		if (jint(json_object_get(ma, "baseline"), "score_delta", 0) < 0)
			list[k++] = ma;
	if (!has_baseline)
		lay_para(l, LAY_BODY, 0, PDF_GREY, "No baseline was given.");
	else if (k == 0)
		lay_para(l, LAY_BODY, 0, PDF_GREY, "No account's score went down.");
	else {
		qsort(list, k, sizeof(*list), pdf_delta_order);
		pdf_org_ranked(l, results, list, k < PDF_ORG_WORST ? k : PDF_ORG_WORST);
	}
	free(list);
	pdf_org_heatmap(l, grouping, model);
	pdf_org_appendix(l, results, model, grouping);
	pdf_thresholds(l, results, "Appendix. Thresholds");
	foot = xasprintf("iamgrade | organization of %zu accounts | %s", n,
	    pdf_str(results, "generated_at", "-"));
	lay_finish(l, foot);
	free(foot);
}

static void
pdf_comparison(struct lay *l, const json_t *results, const json_t *model,
    const struct hist *history)
{
	const json_t *accts = json_object_get(model, "accounts"), *ma;
	char *t, *foot;
	size_t i;

	if (json_object_get(results, "grouping") != NULL) {
		pdf_org_comparison(l, results, model, history);
		return;
	}
	t = xasprintf("IAM comparison report: %zu accounts",
	    json_array_size(accts));
	pdf_info(l, results, t, "AWS IAM controls side by side");
	pdf_cmp_cover(l, results, model);
	pdf_cmp_scores(l, model);
	trend_pdf_section(l, history, NULL);
	pdf_matrix(l, model);
	if (jbool(model, "has_baseline", 0))
		pdf_cmp_baseline(l, model);
	lay_page_break(l);
	pdf_cmp_risks(l, model);
	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Accounts");
	lay_para(l, LAY_BODY, 0, PDF_INK, "A summary page per account, worst "
	    "first.");
	json_array_foreach(accts, i, ma)
		pdf_cmp_account(l, results, model, ma, i, i == 0);
	lay_page_break(l);
	pdf_lp_summary(l, results, model);
	pdf_framework(l, results);
	pdf_accepted(l, results);
	pdf_thresholds(l, results, "Appendix. Thresholds");
	foot = xasprintf("iamgrade | comparison of %zu accounts | %s",
	    json_array_size(accts), pdf_str(results, "generated_at", "-"));
	lay_finish(l, foot);
	free(foot);
	free(t);
}

/* The backends. */

static void *
pdf_alloc(const struct report_opts *opts)
{
	struct pdf_ctx *c = xcalloc(1, sizeof(*c));

	c->opts = *opts;
	return c;
}

static void *
pdf_alloc_dump(const struct report_opts *opts)
{
	struct pdf_ctx *c = pdf_alloc(opts);

	c->dump = 1;
	return c;
}

static int
pdf_render(void *arg, const json_t *results, struct buf *out, char **err)
{
	struct pdf_ctx *c = arg;
	struct lay *l = NULL;
	json_t *model = NULL;
	int rc = 0;

	if (!compare_validate(results, err))
		goto out;
	if (json_array_size(json_object_get(results, "accounts")) == 0) {
		err_set(err, "the results hold no account");
		goto out;
	}
	if (c->opts.baseline != NULL && !compare_validate(c->opts.baseline, err))
		goto out;
	if ((model = compare_build(results, c->opts.baseline, err)) == NULL)
		goto out;
	if ((l = lay_new(NULL, err)) == NULL)
		goto out;
	/*
	 * The caller chooses (iamgrade report defaults to the comparison for
	 * several accounts): the side by side, or every account in full.
	 */
	if (c->opts.summary)
		pdf_comparison(l, results, model, c->opts.history);
	else
		pdf_detail(l, results, model, &c->opts);
	if (c->dump)
		rc = lay_dump(l, out, err);
	else
		rc = lay_emit_pdf(l, out, err);
out:
	lay_free(l);
	json_decref(model);
	return rc;
}

static void
pdf_free(void *arg)
{
	free(arg);
}

const struct report_backend report_pdf = {
	pdf_alloc, pdf_render, pdf_free
};

const struct report_backend report_dump = {
	pdf_alloc_dump, pdf_render, pdf_free
};
