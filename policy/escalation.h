/*
 * The privilege-escalation catalogue (PRIV-01): one row per publicly
 * documented method by which a principal turns the permissions it holds
 * into more, with the actions it needs, the one whose resource must reach
 * another principal, what it reaches, and where the method is documented.
 * Rows are data: adding a method is adding a row to pol_esc_methods[]
 * (policy/escalation.c); docs/controls.md lists them from the table and
 * tests/unit/test_escalation.c derives an escalating and a stopped case
 * for each.
 *
 * Ownership: the table is static and read-only.  A pol_esc_hit's pointers
 * borrow the table and the documents given to pol_esc_find.
 */
#ifndef POLICY_ESCALATION_H
#define POLICY_ESCALATION_H

#include <stddef.h>

#include "policy/effective.h"
#include "policy/policy.h"

#define POL_ESC_MAXACT	4

struct pol_esc_method {
	const char	*id;		/* "iam-create-policy-version": stable, for reports */
	const char	*reach;		/* ARN type the first action must reach beyond self (an ARN pattern: iam user, role, policy...) */
	const char	*target;	/* what it reaches, in words */
	const char	*source;	/* public catalogue(s) documenting it */
	/*
	 * Every action the method needs.  actions[0] must be granted on a
	 * resource of type reach other than the principal itself; the others
	 * on any resource (PassRole's companions create their own function,
	 * stack or instance).
	 */
	const char	*actions[POL_ESC_MAXACT];
};
extern const struct pol_esc_method pol_esc_methods[];
extern const size_t pol_nesc_methods;

/* One method a principal can use, with the grant of each of its actions. */
struct pol_esc_hit {
	const struct pol_esc_method *m;
	struct pol_escalation	 grant[POL_ESC_MAXACT];
	size_t			 ngrant;
	int			 conditional;	/* some grant is under a condition (still counted) */
};

/*
 * The methods a principal's documents (within its boundary, NULL: none)
 * allow, into *out (caller frees the array); returns how many.  self_arn
 * is the principal's ARN, self_name a user's name (for ${aws:username}),
 * NULL for groups and roles.
 */
size_t	pol_esc_find(const struct pol_doc *const *docs, size_t ndocs,
	    const struct pol_doc *boundary, const char *self_arn, const char *self_name,
	    struct pol_esc_hit **out);

/*
 * Whether principal (an IAM user or role ARN) may assume the role of ARN
 * role_arn whose trust policy is trust: the trust allows it (a statement
 * naming the principal, its account or "*", conditions counted as met
 * since the caller may meet them, no unconditional Deny), and either the
 * trust names the principal itself or "*" -- then no identity permission
 * is needed -- or the principal's documents grant sts:AssumeRole on the
 * role (pol_grant_find, POL_REACH_ON).  1 yes, with *via set to the
 * identity grant (action NULL when the trust alone admits).
 */
int	pol_esc_can_assume(const struct pol_doc *const *docs, size_t ndocs,
	    const struct pol_doc *boundary, const char *principal, const char *principal_name,
	    const char *role_arn, const struct pol_doc *trust, struct pol_escalation *via);

#endif
