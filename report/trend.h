/*
 * Drawing the trend over months (report/history.h) in the HTML and PDF
 * reports; private to report/.  Both draw the same chart: the score
 * (0-100, a line broken where a month is a gap) above the failing controls
 * by severity (stacked bars), one column per month, the gaps named below.
 *
 * The HTML chart's geometry is a contract the tests rely on: in its
 * viewBox (0 0 760 TREND_SVG_H) month m of n is centred at
 * x = TREND_SVG_X0 + (m + 0.5) * TREND_SVG_W / n, and a score s is drawn at
 * y = TREND_SVG_TOP + TREND_SVG_SCORE_H * (100 - s) / 100.
 */
#ifndef REPORT_TREND_H
#define REPORT_TREND_H

#include <jansson.h>

#include "report/history.h"
#include "report/layout.h"

#define TREND_SVG_X0		60.0
#define TREND_SVG_W		680.0
#define TREND_SVG_TOP		20.0
#define TREND_SVG_SCORE_H	160.0
#define TREND_SVG_H		330

/*
 * Add the trend to an HTML view (report/html.c): with summary, the
 * organization's chart as view.trend and each view.accounts[] entry's
 * arrow (trend_sign, trend_words); without, each view.accounts[] entry's
 * own chart as its trend.  Does nothing when h is NULL.
 */
void	trend_html_fill(json_t *view, const struct hist *h, int summary);

/*
 * The chart of account_id (NULL: the organization) at the cursor, under
 * an H1 heading "Trend over months", with the gaps listed below it.
 */
void	trend_pdf_section(struct lay *, const struct hist *h, const char *account_id);

#endif
