/*
 * The report: results in (docs/results-format.md), documents out.  It reads
 * only the results model: no snapshot, no grading code, no collector.
 *
 * Every format is one row in report/formats.h and one backend (an alloc /
 * render / free trio, private to report/: report/backend.h).
 * report_render() is the one entry point for callers.
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <jansson.h>

#include "common/common.h"

#include "report/formats.h"

/* The formats, in the order of report/formats.h. */
#define REPORT_FMT_ENUM(E, ...) REPORT_##E,
enum report_fmt {
	REPORT_FORMAT_LIST(REPORT_FMT_ENUM)
	REPORT_FMT__MAX
};
#undef REPORT_FMT_ENUM

enum {
	REPORT_ONE = 1,			/* renders one account */
	REPORT_MANY = 2,		/* renders the side-by-side comparison */
	REPORT_IN_CHECK = 1,		/* check --format NAME (standard output) */
	REPORT_IN_REPORT = 2,		/* report --NAME FILE */
	REPORT_IN_RUN = 4,		/* run writes run_file */
	REPORT_IN_RUN_EACH = 8,		/* and accounts/ID.NAME for each account */
	REPORT_IN_RUN_ASKED = 16,	/* run writes run_file only when asked (run --NAME) */
};

/* A format's row (report/formats.h), for the commands that offer formats. */
struct report_format {
	const char	*name;		/* "html" */
	int		 mode;		/* 0600 or 0644, before the umask */
	int		 renders;	/* REPORT_ONE | REPORT_MANY */
	int		 commands;	/* REPORT_IN_* */
	const char	*run_file;	/* run: "summary.html", or NULL */
	const char	*help;
};
extern const struct report_format report_formats[REPORT_FMT__MAX];

struct hist;				/* report/history.h */

struct report_opts {
	const json_t	*baseline;	/* an earlier results document, or NULL */
	const struct hist *history;	/* earlier runs (--history), or NULL; HTML and PDF draw it */
	int		 summary;	/* several accounts: the side-by-side comparison */
	int		 color;		/* text: ANSI colour allowed */
	const char	*account_pages;	/* comparison: "accounts/%s.html", a link to
					   each account's own report (%s: its id), or NULL */
	const char	*region;	/* asff: the Security Hub region (product ARN) */
};

/*
 * A results document from a file (at most REPORT_MAX_RESULTS bytes),
 * validated as the renderers need it (compare_validate): the one loader
 * for --results, a results document among --baseline files and run's
 * --baseline.  NULL with *err naming the file.
 */
#define REPORT_MAX_RESULTS	(1024UL * 1024 * 1024)
json_t	*report_results_load(const char *path, char **err);

/* Render results as fmt into out (appended).  1 ok, 0 with *err. */
int	report_render(enum report_fmt, const json_t *results,
	    const struct report_opts *, struct buf *out, char **err);

/*
 * The formats made one account at a time (report_stream_fmt: JSON, CSV),
 * for a caller that keeps the accounts on disk instead of in memory (a
 * run's summary, check over many snapshots).  An account's part
 * (report_stream_part, appended to out), wherever and whenever it is
 * graded; then the frame around the parts of a document doc of n accounts
 * (report_stream_frame, appended to head and tail; only doc's members
 * other than "accounts" are read) and before part i its separator
 * (report_stream_sep, static).  head, each account's separator and part in
 * the document's order, then tail: byte for byte report_render's output.
 */
int	report_stream_fmt(enum report_fmt);
int	report_stream_part(enum report_fmt, const json_t *acct, struct buf *out, char **err);
int	report_stream_frame(enum report_fmt, const json_t *doc, size_t n, struct buf *head,
	    struct buf *tail, char **err);
const char *report_stream_sep(enum report_fmt, size_t i);

/*
 * A results value (evidence, mostly) as text for people: strings as they
 * are, numbers in decimal, booleans yes/no, arrays joined with ", ", objects
 * as compact JSON.  NULL for null or NULL; otherwise the caller frees.
 */
char	*report_value_text(const json_t *);

/*
 * The compliance view of results' "framework" (added by --framework): the
 * requirements in the framework's order, each with its controls, their
 * status across the accounts ("fail in 1, pass in 3"; status: the worst of
 * FAIL, NOT_EVALUATED, ACCEPTED, PASS, NOT_APPLICABLE, or NONE when the
 * results lack the control) and the requirement's verdict, which never says
 * "met": failing, cannot tell, accepted risk, controls pass, not graded.
 * NULL without a framework; otherwise the caller decrefs.
 */
json_t	*report_framework_view(const json_t *results);

/*
 * The scope ("5 accounts selected, 4 reached, 2 incomplete") and the period
 * (collection times and the CreateRole window) of a results document, for
 * the covers; both new strings the caller frees.
 */
void	report_scope(const json_t *results, char **scope, char **period);

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

/*
 * For the security tools' formats (ASFF, OCSF): the partition an ARN names
 * ("aws", "aws-cn", "aws-us-gov"; "aws" for NULL or anything else), the
 * resource type Security Hub gives it (AwsIamUser, AwsIamRole, AwsIamPolicy,
 * AwsIamGroup, AwsAccount for the root, else Other), both static strings;
 * and Security Hub's documentation page for a control id such as "IAM.3"
 * (NULL for NULL or another shape; otherwise the caller frees).
 */
const char *report_partition(const char *arn);
/*
 * A finding row's key within its control: resource, error code, source
 * address; a key seen before in seen (an object the caller keeps per
 * control) gets "#N", so that two rows of one resource (a user failing a
 * control twice) are two findings, not one id twice.  Caller frees.
 */
char	*report_row_key(const json_t *finding, const char *resource, json_t *seen);
/* A finding row's reason, with " (2,500 times, ...)" when it holds several (caller frees). */
char	*report_row_reason(const json_t *row);
/* doc as indented JSON and a newline, appended to out; 0 with *err (naming fmt) if it does not fit. */
int	report_json_out(const json_t *doc, struct buf *out, const char *fmt, char **err);
const char *report_resource_type(const char *arn);
char	*report_securityhub_url(const char *shid);

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

/*
 * The mode fmt's file is written with: its row's mode less the process's
 * umask (read without changing it for good).
 */
int	report_file_mode(enum report_fmt);

#endif
