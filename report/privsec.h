/*
 * The "Privileged access" section of an account's report (issue 11): the
 * access review an auditor works through -- who is administrator-equivalent,
 * who can escalate and how, who may assume which administrator role -- built
 * once from the results (the account's "privileged_access" and its PRIV-01
 * findings) and read by both renderers, so that the HTML page and the PDF
 * cannot disagree on a row.  Inside report/ only.
 *
 * The model (JSON; every string is text from the results, untrusted):
 *   "summary":     one sentence, counts
 *   "note":        why some part could not be evaluated, or null
 *   "admins":      [{"kind", "name", "arn", "granted_by", "note"}]
 *   "escalations": [{"kind", "name", "arn", "how", "granted_by",
 *                    "chains": [{"nodes": [{"text", "cls", "arrow"}]}]}]
 *                  cls: principal, method, target, why; arrow: true on every
 *                  node but the first (an arrow is drawn before it)
 *   "callers_known": true when the results say who may assume administrator roles
 *   "callers":     [{"role_name", "role", "kind", "name", "arn", "granted_by", "admin"}]
 *   "not_judged":  [{"kind", "name", "arn", "reason"}]
 *   "*_more":      "N more ..., listed in results.json" when a list was cut
 *                  to REPORT_MAX_ROWS rows, else absent
 *   "*_none":      the sentence to show when a list is empty and that
 *                  emptiness is known (never for a part not evaluated)
 *   "not_evaluated": true when nothing could be reviewed ("summary" says why)
 * Empty lists are absent, so that a template's data-if reads "none".
 */
#ifndef REPORT_PRIVSEC_H
#define REPORT_PRIVSEC_H

#include <jansson.h>

struct lay;

/*
 * The model of acct (a results account), or NULL when the results carry
 * nothing about privileged access (results made before PRIV-01/02).  The
 * caller decrefs.
 */
json_t	*report_privsec(const json_t *acct);

/* The section in the PDF layout, from the model (report/pdf_privsec.c); NULL draws nothing. */
void	 pdf_privsec(struct lay *, const json_t *model);

#endif
