/*
 * The trend over months as an HTML view: the coordinates of an inline SVG
 * chart (report/trend.h), which templates/report.html and compare.html
 * turn into DOM nodes; no markup is made here.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/trend.h"

#define TREND_BAR_TOP	215.0	/* the failing-controls panel */
#define TREND_BAR_H	75.0
#define TREND_LABEL_Y	312.0	/* the months' labels */

static const char *const trend_sevs[4] = { "critical", "high", "medium", "low" };

static void
trend_setf(json_t *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
trend_setf(json_t *o, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	json_object_set_new(o, key, jstring(s));
	free(s);
}

static double
trend_x(size_t m, size_t n)
{
	return TREND_SVG_X0 + ((double)m + 0.5) * TREND_SVG_W / (double)n;
}

static double
trend_y(int score)
{
	return TREND_SVG_TOP + TREND_SVG_SCORE_H * (100 - score) / 100.0;
}

/* The axes: score grid lines and the bar panel's scale. */
static json_t *
trend_grid(int maxfail)
{
	json_t *grid = json_array(), *g;
	int s;

	for (s = 0; s <= 100; s += 25) {
		g = json_object();
		trend_setf(g, "y", "%.1f", trend_y(s));
		trend_setf(g, "ty", "%.1f", trend_y(s) + 4);
		trend_setf(g, "label", "%d", s);
		json_array_append_new(grid, g);
	}
	g = json_object();
	trend_setf(g, "y", "%.1f", TREND_BAR_TOP);
	trend_setf(g, "ty", "%.1f", TREND_BAR_TOP + 4);
	trend_setf(g, "label", "%d", maxfail);
	json_array_append_new(grid, g);
	g = json_object();
	trend_setf(g, "y", "%.1f", TREND_BAR_TOP + TREND_BAR_H);
	trend_setf(g, "ty", "%.1f", TREND_BAR_TOP + TREND_BAR_H + 4);
	trend_setf(g, "label", "%d", 0);
	json_array_append_new(grid, g);
	return grid;
}

/* One month's column: its label, its gap, its stacked bar of failing controls. */
static json_t *
trend_month(const struct hist *h, size_t m, const struct hist_point *p, int maxfail)
{
	json_t *o = json_object(), *bars = json_array(), *b;
	double x = trend_x(m, hist_nmonths(h)), y = TREND_BAR_TOP + TREND_BAR_H, bh;
	double bw = TREND_SVG_W / (double)hist_nmonths(h) * 0.5;
	int k;

	trend_setf(o, "label", "%s", hist_month(h, m));
	trend_setf(o, "x", "%.1f", x);
	if (p->state != HIST_OK) {
		trend_setf(o, "gap", "%s", p->state == HIST_NO_RUN ? "no run" :
		    p->state == HIST_UNREADABLE ? "unreadable" : p->state == HIST_ABSENT ?
		    "absent" : "no score");
		trend_setf(o, "gap_y", "%.1f", trend_y(50));
	}
	if (bw > 40)
		bw = 40;
	/* No bar is not no data: say 0 where a month has a run and nothing fails. */
	if (p->state == HIST_OK && p->fail[0] + p->fail[1] + p->fail[2] + p->fail[3] == 0)
		json_object_set_new(o, "no_fail", json_true());
	for (k = 0; p->state == HIST_OK && k < 4; k++) {
		if (p->fail[k] == 0)
			continue;
		bh = TREND_BAR_H * p->fail[k] / (double)maxfail;
		y -= bh;
		b = json_object();
		trend_setf(b, "sev", "%s", trend_sevs[k]);
		trend_setf(b, "x", "%.1f", x - bw / 2);
		trend_setf(b, "y", "%.1f", y);
		trend_setf(b, "w", "%.1f", bw);
		trend_setf(b, "h", "%.1f", bh);
		trend_setf(b, "label", "%s: %d %s failing", hist_month(h, m), p->fail[k],
		    trend_sevs[k]);
		json_array_append_new(bars, b);
	}
	json_object_set_new(o, "bars", bars);
	return o;
}

/* The chart of one series; label names it in the title. */
static json_t *
trend_chart(const struct hist *h, const char *account_id, const char *label)
{
	struct hist_point p[HIST_MONTHS];
	json_t *v, *months = json_array(), *lines = json_array(), *dots = json_array();
	json_t *gaps = json_array(), *o;
	struct buf desc = { 0 }, pts = { 0 };
	size_t m, n = hist_nmonths(h), inline_pts = 0;
	int maxfail = 1, k, sum;
	char *w;

	if (!hist_series(h, account_id, p))
		return json_null();
	v = json_object();
	for (m = 0; m < n; m++) {
		for (sum = 0, k = 0; k < 4; k++)
			sum += p[m].fail[k];
		if (p[m].state == HIST_OK && sum > maxfail)
			maxfail = sum;
	}
	for (m = 0; m < n; m++) {
		json_array_append_new(months, trend_month(h, m, &p[m], maxfail));
		w = hist_point_words(h, m, &p[m]);
		buf_printf(&desc, "%s%s", m ? "; " : "", w);
		if (p[m].state == HIST_OK) {
			o = json_object();
			trend_setf(o, "cx", "%.1f", trend_x(m, n));
			trend_setf(o, "cy", "%.1f", trend_y(p[m].score));
			trend_setf(o, "label", "%s", w);
			trend_setf(o, "cls", "%s", p[m].complete ? "trend-dot" : "trend-dot trend-incomplete");
			json_array_append_new(dots, o);
			buf_printf(&pts, "%s%.1f,%.1f", inline_pts ? " " : "",
			    trend_x(m, n), trend_y(p[m].score));
			inline_pts++;
		}
		if (p[m].state != HIST_OK || m + 1 == n) {
			/* The line breaks at a gap; one point alone is only its dot. */
			if (inline_pts > 1)
				json_array_append_new(lines, json_pack("{s:s}", "points", pts.p));
			buf_reset(&pts);
			inline_pts = 0;
		}
		if (hist_gap(h, m) != NULL)
			json_array_append_new(gaps, json_pack("{s:s,s:o}", "month",
			    hist_month(h, m), "why", jstring(hist_gap(h, m))));
		else if (p[m].state == HIST_ABSENT)
			json_array_append_new(gaps, json_pack("{s:s,s:o}", "month",
			    hist_month(h, m), "why", jstring("this account is not in that run")));
		free(w);
	}
	trend_setf(v, "title", "Score and failing controls by month, %s to %s: %s",
	    hist_month(h, 0), hist_month(h, n - 1), label);
	json_object_set_new(v, "desc", jstring(desc.p));
	trend_setf(v, "title_id", "trend-t-%s", account_id ? account_id : "org");
	trend_setf(v, "desc_id", "trend-d-%s", account_id ? account_id : "org");
	trend_setf(v, "viewbox", "0 0 760 %d", TREND_SVG_H);
	json_object_set_new(v, "single", json_boolean(n < 2));
	json_object_set_new(v, "dir", jstring(hist_dir(h)));
	json_object_set_new(v, "grid", trend_grid(maxfail));
	json_object_set_new(v, "months", months);
	json_object_set_new(v, "lines", lines);
	json_object_set_new(v, "dots", dots);
	json_object_set_new(v, "gaps", gaps);
	w = hist_arrow_words(h, account_id);
	json_object_set_new(v, "words", jstring(w));
	free(w);
	buf_free(&desc);
	buf_free(&pts);
	return v;
}

void
trend_html_fill(json_t *view, const struct hist *h, int summary)
{
	const char *id, *since;
	json_t *a;
	size_t i;
	char *w;
	int delta;

	if (h == NULL)
		return;
	json_object_set_new(view, "has_trend", json_true());
	if (summary)
		json_object_set_new(view, "trend", trend_chart(h, NULL, "the organization"));
	json_array_foreach(json_object_get(view, "accounts"), i, a) {
		if ((id = jstr(a, "account_id")) == NULL)
			continue;
		if (!summary) {
			json_object_set_new(a, "trend", trend_chart(h, id,
			    jstr(a, "display") ? jstr(a, "display") : id));
			continue;
		}
		w = hist_arrow_words(h, id);
		json_object_set_new(a, "trend_sign", jstring(hist_arrow_sign(
		    hist_arrow(h, id, &delta, &since))));
		json_object_set_new(a, "trend_words", jstring(w));
		free(w);
	}
}
