/*
 * Where each account sits in its organization, and the groups a report
 * shows: the join of a run's structure record (ORGS, "iamgrade.organization/1",
 * docs/results-format.md "Grouping") into results, --select and --group-by.
 *
 * Every account of grouped results has "ou": {"id", "path", "reason"?} and
 * "tags": {k: v} (with "tags_reason" when they could not be read); path is
 * "/" for an account placed nowhere in particular and "unknown" when the
 * walk could not place it.
 *
 * Ownership: group_attach and group_select edit results in place;
 * group_build returns a new reference (json_decref it).
 */
#ifndef REPORT_GROUP_H
#define REPORT_GROUP_H

#include <jansson.h>

/*
 * Give every account of results its "ou" and "tags" from structure (NULL:
 * "/" and no tags), and results "organization": the structure without its
 * per-account map (id, source, complete, problems, ous).  An account the
 * structure does not list is "unknown", with that reason.  Accounts that
 * already carry "ou" (results read back) keep it when structure is NULL.
 */
void	group_attach(json_t *results, const json_t *structure);

/*
 * Keep only the accounts expr selects.  expr: terms separated by spaces or
 * commas; a 12-digit account id, "ou:/Path" (that OU and those under it, by
 * whole segments), "tag:KEY=VALUE" or "tag:KEY" (any value), anything else
 * a glob (fnmatch) over the account's name and alias.  Terms of one kind
 * are alternatives, kinds all apply: "ou:/Prod ou:/Sec tag:env=prod" is
 * (Prod or Sec) and env=prod.  0 with *err naming the term when a term
 * matches no account or the whole selection matches nothing.
 */
int	group_select(json_t *results, const char *expr, char **err);

/* The key of the group results account a is in, by a valid by; caller frees. */
char	*group_key(const json_t *a, const char *by);

/* by is "ou", "tag:KEY" or "none"; 0 with *err otherwise. */
int	group_by_valid(const char *by, char **err);

/*
 * Per-group aggregates of results by "ou", "tag:KEY" or "none"; sorted by key:
 * [{"key", "accounts": [ids], "n",
 *   "score": {"worst", "median", "best"} (null members with no score),
 *   "grades": {"A".."F", "none": n},
 *   "fail_by_severity": {"critical".."low": n}   FAIL controls summed,
 *   "controls": {ID: {"fail": n, "evaluated": n, "share": 0..100|null}},
 *                share: percent of the group's accounts where ID is FAIL,
 *                over those where it was evaluated (PASS or FAIL);
 *                null when none was
 *   "score_delta": n|null}]   sum of score changes since baseline (NULL: null)
 * An account without the tag is in group "(no KEY)"; with unreadable tags,
 * "unknown".  NULL with *err for a bad by.
 */
json_t	*group_build(const json_t *results, const json_t *baseline, const char *by, char **err);

/*
 * Set results "grouping": {"by", "groups": group_build(...)}; by NULL is "ou"
 * when results carry an "organization" (every account then has an OU),
 * else "none".  0 with *err for a bad by.
 */
int	group_apply(json_t *results, const json_t *baseline, const char *by, char **err);

/*
 * The columns of a control x group heatmap, at most max of them (max >= 2):
 * every group when there are that few, else the max - 1 groups with the
 * most accounts (in the groups' own order) and one more, "other (N
 * groups)" with "other": true, whose "n" and "controls" {ID: {"fail",
 * "evaluated", "share"}} pool the rest (share as group_build rounds it).
 * Why not a transposed map: 300 tag values as rows would make the page
 * (and the PDF before its appendix) grow with the organization; the table
 * of groups above the heatmap still lists every group.  New reference.
 */
json_t	*group_heat_columns(const json_t *groups, size_t max);

#endif
