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
	REPORT_FMT__MAX
};

struct report_opts {
	const json_t	*baseline;	/* an earlier results document, or NULL */
	int		 summary;	/* several accounts: the side-by-side comparison */
	int		 color;		/* text: ANSI colour allowed */
	const char	*account_pages;	/* comparison: "accounts/%s.html", a link to
					   each account's own report (%s: its id), or NULL */
};

/* Render results as fmt into out (appended).  1 ok, 0 with *err. */
int	report_render(enum report_fmt, const json_t *results,
	    const struct report_opts *, struct buf *out, char **err);

/*
 * A results value (evidence, mostly) as text for people: strings as they
 * are, numbers in decimal, booleans yes/no, arrays joined with ", ", objects
 * as compact JSON.  NULL for null; otherwise the caller frees.
 */
char	*report_value_text(const json_t *);

/* What people call an account: its alias, else its name, else its id (not freed). */
const char *report_account_name(const json_t *acct);

/* "html" -> REPORT_HTML, ...; -1 if unknown. */
int	report_fmt_parse(const char *);

/* The backends (report/<fmt>.c); each ends up in report_render's switch. */
struct report_backend {
	void	*(*alloc)(const struct report_opts *);
	int	 (*render)(void *, const json_t *results, struct buf *out, char **err);
	void	 (*free)(void *);
};
extern const struct report_backend report_text, report_json, report_csv,
	report_html, report_pdf, report_dump;

#endif
