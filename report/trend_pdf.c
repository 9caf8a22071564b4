/*
 * The trend over months in the PDF, drawn as vectors on the layout (rules
 * for the axes and the score line, rectangles for points and bars, no
 * raster), with a table of the same numbers below it so the chart can be
 * read as text (and by pdftotext).
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/trend.h"

#define TREND_PDF_AXIS	34.0	/* width of the score axis' labels */
#define TREND_PDF_SCORE	120.0	/* score panel height */
#define TREND_PDF_GAP	22.0	/* between the panels */
#define TREND_PDF_BARS	50.0	/* failing-controls panel height */
#define TREND_PDF_INK	0x1F3A5Fu
#define TREND_PDF_GREY	0x666666u

static const unsigned trend_pdf_sev[4] = { 0x7A1712u, 0xB3261Eu, 0xD9822Bu, 0x8A92A3u };
static const char *const trend_pdf_sevname[4] = { "critical", "high", "medium", "low" };

/* A line 1.5 points wide: the layout's rules are thin, so three side by side. */
static void
trend_pdf_line(struct lay *l, double x0, double y0, double x1, double y1)
{
	int k;

	for (k = -1; k <= 1; k++)
		lay_rule(l, x0, y0 + k * 0.5, x1 - x0, y1 - y0, TREND_PDF_INK);
}

/* A point: filled, or an outline when the collection was incomplete. */
static void
trend_pdf_dot(struct lay *l, double x, double y, int complete)
{
	const double r = 3;

	if (complete) {
		lay_rect(l, x - r, y - r, 2 * r, 2 * r, TREND_PDF_INK);
		return;
	}
	lay_rect(l, x - r, y - r, 2 * r, 2 * r, 0xFFFFFFu);
	lay_rule(l, x - r, y - r, 2 * r, 0, TREND_PDF_INK);
	lay_rule(l, x - r, y + r, 2 * r, 0, TREND_PDF_INK);
	lay_rule(l, x - r, y - r, 0, 2 * r, TREND_PDF_INK);
	lay_rule(l, x + r, y - r, 0, 2 * r, TREND_PDF_INK);
}

static void
trend_pdf_chart(struct lay *l, const struct hist *h, const struct hist_point *p)
{
	size_t m, n = hist_nmonths(h);
	double x0 = LAY_MARGIN_X + TREND_PDF_AXIS, w = LAY_BODY_W - TREND_PDF_AXIS;
	double col = w / (double)n, top, bars, x, y, bh, px = 0, py = 0;
	int s, k, sum, maxfail = 1, prev = 0;
	char *t;

	for (m = 0; m < n; m++) {
		for (sum = 0, k = 0; k < 4; k++)
			sum += p[m].fail[k];
		if (p[m].state == HIST_OK && sum > maxfail)
			maxfail = sum;
	}
	lay_need(l, TREND_PDF_SCORE + TREND_PDF_GAP + TREND_PDF_BARS + 50);
	top = lay_cursor(l) + 6;
	bars = top + TREND_PDF_SCORE + TREND_PDF_GAP;
	for (s = 0; s <= 100; s += 25) {
		y = top + TREND_PDF_SCORE * (100 - s) / 100.0;
		lay_rule(l, x0, y, w, 0, 0xDDDDDDu);
		t = xasprintf("%d", s);
		lay_text(l, LAY_SMALL, LAY_MARGIN_X, y - 5, TREND_PDF_AXIS - 6, LAY_RIGHT,
		    TREND_PDF_GREY, t);
		free(t);
	}
	lay_rule(l, x0, bars + TREND_PDF_BARS, w, 0, 0xAAAAAAu);
	t = xasprintf("%d", maxfail);
	lay_text(l, LAY_SMALL, LAY_MARGIN_X, bars - 5, TREND_PDF_AXIS - 6, LAY_RIGHT,
	    TREND_PDF_GREY, t);
	free(t);
	lay_text(l, LAY_SMALL, LAY_MARGIN_X, bars + TREND_PDF_BARS - 5,
	    TREND_PDF_AXIS - 6, LAY_RIGHT, TREND_PDF_GREY, "0");
	for (m = 0; m < n; m++) {
		x = x0 + ((double)m + 0.5) * col;
		lay_text(l, LAY_SMALL, x - col / 2, bars + TREND_PDF_BARS + 3, col,
		    LAY_CENTER, TREND_PDF_GREY, hist_month(h, m));
		if (p[m].state != HIST_OK) {
			lay_text(l, LAY_SMALL, x - col / 2, top + TREND_PDF_SCORE / 2 - 5,
			    col, LAY_CENTER, TREND_PDF_GREY, p[m].state == HIST_NO_RUN ?
			    "no run" : p[m].state == HIST_UNREADABLE ? "unreadable" :
			    p[m].state == HIST_ABSENT ? "absent" : "no score");
			prev = 0;
			continue;
		}
		y = top + TREND_PDF_SCORE * (100 - p[m].score) / 100.0;
		if (prev)
			trend_pdf_line(l, px, py, x, y);
		px = x, py = y, prev = 1;
		if (p[m].fail[0] + p[m].fail[1] + p[m].fail[2] + p[m].fail[3] == 0)
			lay_text(l, LAY_SMALL, x - col / 2, bars + TREND_PDF_BARS - 12, col,
			    LAY_CENTER, TREND_PDF_GREY, "0");
		/* Bars from the bottom: critical first, like the HTML chart. */
		for (y = bars + TREND_PDF_BARS, k = 0; k < 4; k++) {
			if (p[m].fail[k] == 0)
				continue;
			bh = TREND_PDF_BARS * p[m].fail[k] / (double)maxfail;
			y -= bh;
			lay_rect(l, x - (col * 0.5 > 30 ? 15 : col * 0.25), y,
			    col * 0.5 > 30 ? 30 : col * 0.5, bh, trend_pdf_sev[k]);
		}
	}
	/* The points last, over the line. */
	for (m = 0; m < n; m++)
		if (p[m].state == HIST_OK)
			trend_pdf_dot(l, x0 + ((double)m + 0.5) * col,
			    top + TREND_PDF_SCORE * (100 - p[m].score) / 100.0, p[m].complete);
	lay_text(l, LAY_SMALL, x0, bars - 14, w, LAY_LEFT, TREND_PDF_GREY,
	    "Failing controls by severity");
	y = bars + TREND_PDF_BARS + 18;
	for (x = x0, k = 0; k < 4; k++) {
		lay_rect(l, x, y + 2, 8, 8, trend_pdf_sev[k]);
		lay_text(l, LAY_SMALL, x + 11, y, 60, LAY_LEFT, 0, trend_pdf_sevname[k]);
		x += 11 + lay_width(l, LAY_SMALL, trend_pdf_sevname[k]) + 14;
	}
	lay_text(l, LAY_SMALL, x, y, 250, LAY_LEFT, 0,
	    "square: score (outline: collection incomplete)");
	lay_advance(l, y + 20 - lay_cursor(l));
}

/* The same numbers as a table, and why each gap is one. */
static void
trend_pdf_table(struct lay *l, const struct hist *h, const struct hist_point *p)
{
	static const struct lay_col cols[7] = {
		{ 60, LAY_CELL }, { 45, LAY_CELL }, { 45, LAY_CELL }, { 45, LAY_CELL },
		{ 50, LAY_CELL }, { 40, LAY_CELL }, { LAY_BODY_W - 285, LAY_CELL }
	};
	static const char *const head[7] = {
		"Month", "Score", "Critical", "High", "Medium", "Low", "Run"
	};
	char num[5][16], *why;
	const char *cells[7];
	size_t m;
	int k, incomplete = 0;

	lay_table_begin(l, cols, 7, head);
	for (m = 0; m < hist_nmonths(h); m++) {
		cells[0] = hist_month(h, m);
		why = NULL;
		if (p[m].state == HIST_OK) {
			snprintf(num[0], sizeof(num[0]), "%d%s", p[m].score,
			    p[m].complete ? "" : "*");
			for (k = 0; k < 4; k++)
				snprintf(num[k + 1], sizeof(num[k + 1]), "%d", p[m].fail[k]);
			for (k = 0; k < 5; k++)
				cells[k + 1] = num[k];
			cells[6] = hist_run(h, m);
		} else {
			for (k = 1; k < 6; k++)
				cells[k] = "-";
			why = hist_gap(h, m) ? xasprintf("gap: %s", hist_gap(h, m)) :
			    xstrdup(p[m].state == HIST_ABSENT ? "gap: this account is not in that run" :
			    "gap: nothing evaluated");
			cells[6] = why;
		}
		lay_table_row(l, cells, NULL);
		free(why);
		incomplete |= p[m].state == HIST_OK && !p[m].complete;
	}
	lay_table_end(l);
	if (incomplete)
		lay_para(l, LAY_SMALL, 0, TREND_PDF_GREY, "* the collection was incomplete: "
		    "the score covers the controls that could be evaluated.");
}

void
trend_pdf_section(struct lay *l, const struct hist *h, const char *account_id)
{
	struct hist_point p[HIST_MONTHS];
	char *t;

	if (h == NULL || !hist_series(h, account_id, p))
		return;
	/* The chart and its table on one page where they fit (a row may wrap: 20 points). */
	lay_need(l, 90 + TREND_PDF_SCORE + TREND_PDF_GAP + TREND_PDF_BARS + 50 +
	    20.0 * (double)(hist_nmonths(h) + 1) + 30);
	lay_heading(l, LAY_H1, 0, account_id ? "Trend over months" :
	    "Trend over months: the organization");
	if (hist_nmonths(h) < 2) {
		t = xasprintf("No earlier run in %s: the trend starts with this run.",
		    hist_dir(h));
		lay_para(l, LAY_BODY, 0, TREND_PDF_GREY, t);
		free(t);
		return;
	}
	t = xasprintf("The score (0-100) and the failing controls by severity, one "
	    "column per month from %s to %s: each month's latest readable run in %s. "
	    "A month without one is a gap in the line.%s", hist_month(h, 0),
	    hist_month(h, hist_nmonths(h) - 1), hist_dir(h), account_id ? "" :
	    " The organization's score is the mean of its accounts' scores.");
	lay_para(l, LAY_BODY, 0, 0, t);
	free(t);
	trend_pdf_chart(l, h, p);
	trend_pdf_table(l, h, p);
	t = hist_arrow_words(h, account_id);
	lay_para(l, LAY_SMALL, 0, TREND_PDF_GREY, t);
	free(t);
}
