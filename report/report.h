/*
 * The report: results in (docs/results-format.md), documents out.  It reads
 * only the results model: no snapshot, no grading code, no collector.
 *
 * Every format has the same small face (STYLE.md §2): a backend is an
 * alloc / render / free trio, picked in one switch in report.c.
 * report_render() is the one entry point for callers.
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <jansson.h>

#include "common/common.h"

enum report_fmt {
	REPORT_TEXT,	/* readable summary for a terminal */
	REPORT_JSON,	/* the results document itself */
	REPORT_CSV,	/* one row per finding (RFC 4180, libcsv writer) */
	REPORT_HTML,	/* one self-contained page */
	REPORT_PDF,	/* the auditor's document */
	REPORT_DUMP,	/* a plain-text dump of the laid-out report, for tests */
	REPORT_JUNIT,	/* JUnit XML: a test case per control per account, for CI */
	REPORT_ASFF,	/* AWS Security Finding Format: Security Hub's BatchImportFindings */
	REPORT_FMT__MAX
};

struct report_opts {
	const json_t	*baseline;	/* an earlier results document, or NULL */
	int		 summary;	/* several accounts: the side-by-side comparison */
	int		 color;		/* text: ANSI colour allowed */
	const char	*account_pages;	/* comparison: "accounts/%s.html", a link to
					   each account's own report (%s: its id), or NULL */
	const char	*region;	/* asff: the Security Hub region (product ARN) */
};

/* Render results as fmt into out (appended).  1 ok, 0 with *err. */
int	report_render(enum report_fmt, const json_t *results,
	    const struct report_opts *, struct buf *out, char **err);

/*
 * A results value (evidence, mostly) as text for people: strings as they
 * are, numbers in decimal, booleans yes/no, arrays joined with ", ", objects
 * as compact JSON.  NULL for null or NULL; otherwise the caller frees.
 */
char	*report_value_text(const json_t *);

/* What people call an account: its alias, else its name, else its id (not freed). */
const char *report_account_name(const json_t *acct);

/*
 * How much detail the HTML and PDF reports show, so that their size and
 * cost stay bounded whatever the account holds (an attacker can make
 * 100,000 denied CreateRole calls for free).  findings.csv and the results
 * document keep everything; what is left out is counted and the reader
 * told where to find it.
 */
#define REPORT_MAX_ROWS		50	/* finding rows (groups) per control */
#define REPORT_MAX_EVENTS	100	/* CreateRole events in the appendix */
#define REPORT_MAX_COMMANDS	50	/* remediation commands (CLI, Python lines) per control */

/*
 * A control's findings as the HTML and PDF show them, in order: findings
 * of the same actor (resource), error (evidence.error_code) and source
 * address (evidence.source_ip), such as repeated denied calls, are one row;
 * findings without an error code are each their own row.  At most max rows
 * are kept.  Returns a new array of {"finding": the row's first finding,
 * "count": findings in the row, "first", "last": the earliest and latest
 * evidence.time (null if none)}; *more gets how many findings the rows left
 * out held.  Linear in the number of findings.
 */
json_t	*report_finding_rows(const json_t *findings, size_t max, size_t *more);

/* "2,500 times, first 2026-10-29T10:00:05Z, last ..." for a row of count > 1; caller frees. */
char	*report_row_words(const json_t *row);

/*
 * The CreateRole events the appendix shows: all of them when there are at
 * most max; otherwise the calls that created a role first, then the failed
 * ones, max in all, each part in its order.  A new array of the events
 * (references); *more gets how many were left out.
 */
json_t	*report_event_rows(const json_t *events, size_t max, size_t *more);

/*
 * text with at most max lines, and, when lines were left out, a last line
 * "# N more lines, one per finding: listed in findings.csv".  A new string.
 */
char	*report_cap_lines(const char *text, size_t max);

/* "html" -> REPORT_HTML, ...; -1 if unknown. */
int	report_fmt_parse(const char *);

/* The backends (report/<fmt>.c); each ends up in report_render's switch. */
struct report_backend {
	void	*(*alloc)(const struct report_opts *);
	int	 (*render)(void *, const json_t *results, struct buf *out, char **err);
	void	 (*free)(void *);
};
extern const struct report_backend report_text, report_json, report_csv,
	report_html, report_pdf, report_dump, report_junit, report_asff;

#endif
