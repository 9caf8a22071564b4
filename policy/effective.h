/*
 * Effective permissions of a principal as sets over the action catalogue
 * (policy/catalogue.h), and the two questions the checks ask of them:
 * administrator-equivalent (POL-01, ROLE-05) and privilege escalation
 * (ROLE-06).  docs/controls.md states the rules; in short:
 *
 *  - A principal's documents are its inline and attached managed policies
 *    (a user's also its groups'); its permissions boundary, when it has
 *    one, limits them: what the documents allow minus what they deny,
 *    intersected with what the boundary allows minus what it denies.
 *  - "On every resource": Resource "*" (any run of stars), "arn:*:*:*:*:*"
 *    and the like, or NotResource (which excludes a few resources from
 *    every one: counted as every resource, so that a PASS is never false).
 *  - A conditional Allow still grants (the answer says it was
 *    conditional); a conditional Deny does not subtract, since it might
 *    not apply.  An unconditional Deny with NotAction subtracts every
 *    catalogue action but the ones its NotAction names.
 *  - Patterns that match no catalogue action are kept by name: an Allow of
 *    "newsvc:Do" is reported, a NotAction of it is reported as excluding
 *    nothing the catalogue knows.
 *
 * Ownership: a pol_docsum / pol_effective is the caller's (zero it, fill
 * it, pol_docsum_free / pol_effective_free); the statement and document
 * pointers inside borrow the compiled documents, which must outlive them.
 */
#ifndef POLICY_EFFECTIVE_H
#define POLICY_EFFECTIVE_H

#include <stddef.h>

#include "policy/catalogue.h"
#include "policy/policy.h"

/* One document, summarised once however many principals use it. */
struct pol_docsum {
	const struct pol_doc	*doc;
	struct pcat_set		 allow_all;	/* allowed on every resource */
	struct pcat_set		 deny_all;	/* denied on every resource, without conditions */
	const struct pol_stmt	*first_allow;	/* the first Allow statement on every resource */
	const struct pol_stmt	*full_stmt;	/* the first whose actions alone are every catalogue action */
	int			 cond_allow;	/* some Allow on every resource has conditions */
	int			 not_action;	/* some Allow on every resource uses NotAction */
	struct pcat_names	 unknown;	/* Allow patterns naming a service or action the catalogue does not know */
	struct pcat_names	 excluded;	/* NotAction patterns of such Allows naming one */
};
/* cache may be NULL. */
void	pol_docsum_make(struct pol_docsum *, const struct pol_doc *, struct pcat_cache *);
void	pol_docsum_free(struct pol_docsum *);

/* A principal's documents, summarised, and its boundary (NULL: none). */
struct pol_effective {
	struct pcat_set		 on_all;	/* effectively allowed on every resource */
	int			 cond_allow;	/* a contributing Allow has conditions */
	int			 bounded;	/* a boundary took part */
	const struct pol_docsum	*first;		/* a document contributing to on_all, or NULL */
	struct pcat_names	 unknown;	/* union of the documents' unknown names */
	struct pcat_names	 excluded;
};
void	pol_effective_make(struct pol_effective *, const struct pol_docsum *const *docs,
	    size_t ndocs, const struct pol_docsum *boundary);
void	pol_effective_free(struct pol_effective *);

/* Every catalogue action on every resource. */
int	pol_effective_admin(const struct pol_effective *);
/* Every action of service prefix svc ("iam") on every resource; 0 for an unknown service. */
int	pol_effective_service_full(const struct pol_effective *, const char *svc);

/*
 * Escalation: the actions of ROLE-06 (docs/controls.md) that let a principal
 * grant itself more, each with the resource type it acts on.  A grant
 * counts when an Allow statement (of the documents, within the boundary)
 * allows the action on a resource pattern that reaches beyond the
 * principal: a pattern with a wildcard or a policy variable other than
 * the principal's own name that can match an ARN of that type
 * ("*", "arn:aws:iam::*:role/...", "arn:aws:iam::123456789012:role/..." with
 * a trailing star) and
 * is not the principal's own ARN.  A literal ARN naming one other role or
 * user is a scoped grant, not counted here; "${aws:username}" resolves to
 * the user itself (and to nothing for a role).  An unconditional Deny of
 * the action on a pattern that covers the grant's takes it back.
 */
struct pol_escalation_action {
	const char	*action;	/* "iam:PassRole" */
	const char	*rtype;		/* ARN template of its resources ("role/" then a star) */
};
extern const struct pol_escalation_action pol_escalation_actions[];
extern const size_t pol_nescalation_actions;

struct pol_escalation {
	const char		*action;	/* from pol_escalation_actions */
	const struct pol_doc	*doc;		/* where it is granted */
	const struct pol_stmt	*st;
	const char		*resource;	/* the pattern, as written */
	int			 conditional;
};

/*
 * The escalation grants of a principal (self_arn: its ARN; self_name: a
 * user's name, for ${aws:username}, NULL for roles) into *out (caller
 * frees the array, not what it points to): at most one per action, the
 * first found.  Returns how many.
 */
size_t	pol_escalations(const struct pol_doc *const *docs, size_t ndocs,
	    const struct pol_doc *boundary, const char *self_arn, const char *self_name,
	    struct pol_escalation **out);

/*
 * The first grant of one action (an Allow of the documents, within the
 * boundary, not taken back by an unconditional Deny) on a resource
 * pattern that counts for mode, into *out; 1 when found, 0 otherwise.
 * Policy variables resolve as for pol_escalations.
 *
 *  POL_REACH_BEYOND  ROLE-06's rule: a wildcard pattern of ARN type rtype
 *                    that is not self_arn (literal ARNs do not count).
 *  POL_REACH_OTHER   PRIV-01's: a pattern of type rtype that names some
 *                    resource other than self (a literal other user counts;
 *                    "user/${aws:username}" for the user itself does not).
 *  POL_REACH_ANY     any pattern that can match an ARN of type rtype.
 *  POL_REACH_ON      rtype is one literal ARN the pattern must match.
 */
enum pol_reach { POL_REACH_BEYOND, POL_REACH_OTHER, POL_REACH_ANY, POL_REACH_ON };
int	pol_grant_find(const struct pol_doc *const *docs, size_t ndocs,
	    const struct pol_doc *boundary, const char *action, enum pol_reach mode,
	    const char *rtype, const char *self_arn, const char *self_name,
	    struct pol_escalation *out);

/* Some string matches both wildcard patterns ('*' and '?', case-sensitive). */
int	pol_glob_meet(const char *a, const char *b);
/*
 * The same for ARN patterns, field by field: a wildcard stays within its
 * field (partition, service, region, account) as AWS matches ARNs; only
 * the resource part may hold colons.  A pattern of fewer than six fields
 * ("*") is matched whole.
 */
int	pol_arn_meet(const char *a, const char *b);

#endif
