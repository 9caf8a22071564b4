/*
 * The comparison model: one results document (docs/results-format.md), and
 * optionally an earlier one as the baseline, turned into the facts that the
 * side-by-side and month-over-month pages show.  Shared by html.c and pdf.c
 * so both say the same thing; a pure function of its inputs (no clock, no
 * randomness), so the same results give the same model.
 *
 * Ownership: compare_build returns a new reference (json_decref it); the
 * inputs are only read.
 *
 * The model (every member always present; null where the doc says so):
 *
 * {
 *   "generated_at": "..."            results.generated_at (string or null)
 *   "tool_version": "0.1.0"          results.tool.version (or null)
 *   "has_baseline": true|false
 *   "baseline_generated_at": "..."|null
 *
 *   "accounts": [                    sorted worst first: null score (nothing
 *                                    evaluated) first, then score ascending,
 *                                    ties by account_id; the order to draw in
 *     {"index": 0,                   position in results.accounts (the raw
 *                                    account object is results.accounts[index])
 *      "account_id", "alias", "name",          (alias/name may be null)
 *      "score": 72|null, "grade": "C"|null,
 *      "coverage": {"evaluated": 26, "total": 28},
 *      "counts": {"PASS": n, "FAIL": n, "NOT_EVALUATED": n, "NOT_APPLICABLE": n},
 *      "findings": n,                total findings over FAIL controls
 *      "fail_by_severity": {"critical": n, "high": n, "medium": n, "low": n},
 *                                    FAIL controls per control severity
 *      "findings_by_severity": {...}, their findings, per control severity
 *                                    (counts to findings_by_severity are
 *                                    report_counts', report/facts.h)
 *      "complete": true|false,       collection.complete
 *      "problems": ["..."],          collection.problems (copied)
 *      "incomplete_reason": "..."|null   problems joined with "; ", or a
 *                                    generic sentence when incomplete without
 *                                    problems; null when complete
 *      "families": [{"id", "title", "PASS": n, "FAIL": n,
 *                    "NOT_EVALUATED": n, "NOT_APPLICABLE": n}],
 *                                    results.families order, then any family
 *                                    id the controls use that is not listed
 *      "baseline": null              no baseline, or this account is not in it
 *        | {"score": 65|null, "grade": "D"|null,
 *           "score_delta": 7|null,   score - baseline score (null if either null)
 *           "new": n, "fixed": n, "unchanged": n}   finding counts (below)
 *     }
 *   ],
 *
 *   "controls": [                    union over accounts, in the order first
 *                                    seen (the catalogue order checks emit)
 *     {"id", "title", "family", "severity", "cis", "securityhub",  (cis/sh may be null)
 *      "fail_accounts": n, "pass_accounts": n,
 *      "not_evaluated_accounts": n, "not_applicable_accounts": n,
 *      "findings": n,                total over accounts
 *      "cells": [                    one per entry of "accounts", same order
 *        {"account_id",
 *         "status": "PASS"|"FAIL"|"NOT_EVALUATED"|"NOT_APPLICABLE"|null,
 *                                    null: the account's results lack the control
 *         "findings": n,
 *         "reason": "..."|null,      the control's reason (NOT_EVALUATED, N/A)
 *         "before": status|null,     the baseline's status; null without one
 *         "change": null | "new" | "fixed" | "unchanged" | "unknown",
 *             new:       FAIL now, not FAIL in the baseline
 *             fixed:     FAIL in the baseline, PASS or NOT_APPLICABLE now
 *             unchanged: FAIL in both (see the finding lists for detail)
 *             unknown:   FAIL in the baseline, NOT_EVALUATED now (never
 *                        called fixed: we could not look)
 *             null:      no baseline for this account, or FAIL in neither
 *         "new_findings": [finding],     in this run, not in the baseline
 *         "fixed_findings": [finding],   in the baseline, gone now (only when
 *                                        the control was evaluated now)
 *         "unchanged_findings": n}
 *      ]}
 *   ],
 *
 *   "worst": [account_id, ...]       up to 5 scored accounts with a FAIL, worst
 *                                    first (the "accounts" order)
 *
 *   "role_risks": [                  ROLE-01/02/03 findings across accounts,
 *                                    by finding severity (critical first), then
 *                                    account order, control id, resource
 *     {"account_id", "alias", "control": "ROLE-02",
 *      "kind": "wildcard trust" | "trusts an account outside the organization"
 *              | "OIDC trust without subject or audience",
 *      "severity", "resource", "resource_name", "reason",
 *      "evidence": {...}}            the finding's evidence (copied)
 *   ],
 *
 *   "removed_accounts": [{"account_id", "alias"}]   in the baseline only
 * }
 *
 * A finding is matched against the baseline by control id and resource
 * (resource_name when resource is missing); reasons change month to month
 * (a key gets older) without the finding being new.  Findings with the same
 * key are matched one to one, so two offending statements on one role count
 * as two.  Finding and evidence objects in the model are the results' own
 * (shared references): treat the model as read-only.
 */
#ifndef REPORT_COMPARE_H
#define REPORT_COMPARE_H

#include <jansson.h>

/*
 * Validate the parts of a results document the renderers rely on: schema
 * "iamgrade.results/1", an "accounts" array of objects each with a string
 * "account_id" and a "controls" array of objects with string "id" and a known
 * "status".  1 ok, 0 with *err (which names the member at fault).
 */
int	compare_validate(const json_t *results, char **err);

/*
 * Build the model above from results and (may be NULL) baseline.  Both must
 * pass compare_validate (checked again here).  NULL with *err on bad input.
 */
json_t	*compare_build(const json_t *results, const json_t *baseline, char **err);

#endif
