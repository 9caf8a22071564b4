/*
 * The "Least privilege" section of an account's report and the unused
 * shares of the summary, computed once from the results (the account's
 * "least_privilege" member and LP-01..04, docs/results-format.md) and read
 * by the HTML and the PDF alike, so that they cannot disagree on a number.
 * Inside report/ only.
 *
 * Ownership: report_lp_model and report_lp_shares return new references
 * (json_decref them); the account is only read, and strings in the model
 * are copies.
 */
#ifndef REPORT_LPSEC_H
#define REPORT_LPSEC_H

#include <jansson.h>

/*
 * How much the section shows, whatever the account holds: the principals
 * with the largest unused share, the unused roles and users, and the
 * principals not evaluated; the rest is counted and left to results.json.
 */
#define REPORT_LP_MAX_ROWS	50

/*
 * A share of the summary, for one account:
 *   {"known": true,  "pct": 25, "text": "3 of 12 (25 %)", "note": "2 not evaluated"|null,
 *    "pct_text": "25 %", "count_text": "3 of 12"}
 *   {"known": false, "pct": null, "text": "not evaluated", "note": the reason}
 * pct is rounded down, 100 only when all are unused; known only when the
 * control (LP-01 for roles, LP-03 for services) is PASS, FAIL or ACCEPTED
 * and the results carry its counts.  Unknown texts: "not evaluated" (the
 * control was NOT_EVALUATED), "none to judge" (NOT_APPLICABLE), "not graded"
 * (results without the control or its counts).
 *
 * report_lp_shares: {"roles": share, "services": share}.
 */
json_t	*report_lp_shares(const json_t *acct);

/* Whether the account's results have any of LP-01..04 (not those of an older iamgrade). */
int	report_lp_graded(const json_t *acct);

/*
 * The section, or NULL when the account's results have none of LP-01..04
 * (results of an older iamgrade).  max bounds each list.
 *
 * {"period_words": "90 days",
 *  "shares": report_lp_shares(acct),
 *  "usage": "evaluated" | "not_evaluated" | "not_recorded",
 *  "usage_reason": LP-03's reason when not_evaluated, else null,
 *  "rows": [{"kind", "name", "arn", "granted", "used", "unused",
 *            "unused_actions",               (integers)
 *            "used_pct": "33.3",              used / granted, one decimal, "0.0" when nothing granted
 *            "unused_pct": 66,                rounded down
 *            "words": "1 of 3 services used"}],
 *            worst first: unused share, then unused count, then name, arn
 *  "rows_total": n, "rows_more": n, "rows_more_words": "..."|null,
 *  "unused": [{"kind", "name", "arn", "created", "last_used"}],
 *            LP-01's then LP-02's findings ("never" when never used)
 *  "unused_more": n, "unused_more_words": "..."|null,
 *  "unused_notes": ["Roles (LP-01): not evaluated: reason"],
 *  "not_evaluated": [{"arn", "reason", "controls": "LP-03, LP-04"}],
 *            LP-01..04's unevaluated, one entry per resource and reason
 *  "ne_more": n, "ne_more_words": "..."|null}
 */
json_t	*report_lp_model(const json_t *acct, size_t max);

/*
 * A per-principal action beside a row of the model: when the principal's
 * results row p (least_privilege.principals) carries its suggested policy
 * (issue 19's suggest-policy), row gets "suggestion_href" (a data: URL of
 * the policy's JSON, base64) and "suggestion_file" (a file name of plain
 * characters) for the HTML's download link.
 */
void	report_lp_row_extras(const json_t *p, json_t *row);

struct lay;
/* The section in the PDF (report/pdf_lp.c): a heading, the shares, the bars, the lists. */
void	pdf_lp_section(struct lay *, const json_t *acct);
/* The summary PDF's table of every account's shares (report/pdf_lp.c). */
void	pdf_lp_summary(struct lay *, const json_t *results, const json_t *model);

#endif
