/*
 * The facts both renderers show, computed once (docs/style.md §2): the
 * HTML page and the PDF read these, so that they cannot disagree on a
 * label or leave a fact out.  Inside report/ only.
 *
 * Ownership: every function returns something new that the caller frees
 * (free() for strings, json_decref for JSON).
 */
#ifndef REPORT_FACTS_H
#define REPORT_FACTS_H

#include <jansson.h>

/* The text of a value the results do not hold. */
#define REPORT_EMPTY	"\xe2\x80\x94"		/* an em dash */

/*
 * The control matrix (controls by accounts) shows at most this many
 * accounts, the lowest-scoring first: a table a thousand accounts wide
 * does not read, and its cells would be most of the summary's size and
 * memory.  report_matrix_note says so where it applies, and where every
 * account is to be found; NULL when every account is shown.
 */
#define REPORT_MATRIX_MAX	50
char	*report_matrix_note(size_t naccounts, int grouped);

/*
 * The thresholds the results were graded with, in words: an array of
 * {"label", "value"} strings ("Minimum password length", "14
 * characters"), known keys first in a fixed order, then any other key
 * under its own name.
 */
json_t	*report_thresholds(const json_t *results);

/*
 * How far apart two instants (RFC 3339) are, in words: "4 minutes", "3
 * hours", "2 days"; or a sentence when from is after to.  NULL when
 * either is missing or not a time.
 */
char	*report_age(const char *from, const char *to);

/* The age of an account's credential report at the collection's start, or NULL. */
char	*report_cred_report_age(const json_t *acct);

/*
 * The counts of one results account (results.accounts[]), computed once
 * for both renderers:
 *
 * {"counts": {"PASS": n, "FAIL": n, "NOT_EVALUATED": n, "NOT_APPLICABLE": n},
 *                     plus "ACCEPTED": n where a control has it or grading
 *                     applied an exceptions file (its counts have ACCEPTED)
 *  "evaluated": n,    every status but NOT_EVALUATED
 *  "total": n,        the account's controls
 *  "findings": n,     findings over FAIL controls
 *  "fail_by_severity": {"critical": n, "high": n, "medium": n, "low": n},
 *                     FAIL controls per control severity
 *  "findings_by_severity": {...}}   their findings, per control severity
 */
json_t	*report_counts(const json_t *acct);

/* The control of a results account with this id (borrowed from acct), or NULL. */
const json_t *report_control(const json_t *acct, const char *id);

#endif
