/*
 * The least-privilege policy of a principal (issue 19): from its identity
 * documents and what it used within a period (a last_accessed record of
 * the snapshot, docs/snapshot-format.md), a policy that grants the used
 * actions and nothing more, keeping the resources and conditions of the
 * statements that granted them, with the denies that can apply to them.
 * Two checks over the compiled form prove each suggestion
 * (docs/policy-engine.md, "The least-privilege policy"):
 *
 *  - no new access (pol_suggest_no_new_access): every Allow of the new
 *    document grants single actions, each covered by an Allow of the
 *    current documents at least as narrow in resources and conditions,
 *    and every current Deny that can match one of them is in the new
 *    document; so the new identity policy allows no request the current
 *    ones did not.
 *  - still allowed (pol_suggest_still_allowed): for every used action,
 *    every current Allow of it is in the new document with the same
 *    resources and no more conditions, and the new document denies
 *    nothing the current ones did not; so every request the current
 *    policies allowed for a used action is still allowed.
 *
 * The new document replaces every identity-based policy of the principal
 * (for a user, its groups' too); the permissions boundary, SCPs, RCPs and
 * resource policies stay as they are, and apply to both sides alike.
 *
 * Ownership: the caller zeroes a struct pol_suggestion, pol_suggest fills
 * it, pol_suggest_free empties it; every json_t and string in it is the
 * suggestion's.  Documents are borrowed.
 */
#ifndef POLICY_SUGGEST_H
#define POLICY_SUGGEST_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "policy/catalogue.h"
#include "policy/policy.h"

/* The used actions of one last_accessed record, as the checks read them. */
struct pol_usage {
	struct pol_strs	 actions;	/* "svc:Name" the principal must keep, sorted, unique */
	struct pol_strs	 unknown;	/* used services the catalogue does not know (cannot be enumerated) */
	json_t		*notes;		/* [{"service", "reason"}]: what could not be narrowed, and why */
	json_t		*used_services;	/* ["s3", ...] used within the period */
};

/*
 * What rec (a last_accessed principal record with status "ok") says the
 * principal used since `since`, over the principal's current documents
 * and boundary (NULL: none):
 *
 *  - a service AWS tracks at action level: its tracked actions used
 *    within the period, and its granted actions AWS does not track (their
 *    use is visible only as the service's), with a note;
 *  - a service AWS reports at service level only: every action of it
 *    that the documents grant (within the boundary), with a note naming
 *    their access levels;
 *  - services not used within the period: nothing.
 *
 * Fills *u (pol_usage_free empties it).  0 and *err (caller frees) when
 * rec is not such a record.
 */
int	pol_usage_make(struct pol_usage *u, const json_t *rec, time_t since,
	    const struct pol_doc *const *docs, size_t ndocs, const struct pol_doc *boundary,
	    char **err);
void	pol_usage_free(struct pol_usage *);

struct pol_suggestion {
	json_t	*policy;	/* the document (Version 2012-10-17), or NULL: refused, or nothing used */
	json_t	*origins;	/* per statement of policy: "DOC, statement label" it comes from */
	json_t	*notes;		/* [{"service", "reason"}]: what could not be narrowed, and why */
	json_t	*dropped;	/* granted services not used within the period: ["ec2", ...] */
	int	 no_new_access;	/* the first check held */
	int	 still_allowed;	/* the second check held */
	char	*refused;	/* why no policy is given (a check failed, nothing used), or NULL */
	int	 empty;		/* refused because nothing granted was used: not a failed check */
	size_t	 granted_actions;	/* catalogue actions the documents allow somewhere */
	size_t	 suggested_actions;	/* kept actions the new document allows */
	size_t	 chars;		/* the document's size as AWS counts it (compact JSON) */
};

/*
 * The suggestion for a principal with documents docs (labels[i] names
 * docs[i] in origins; labels NULL: the documents' names), boundary (NULL: none) and usage u.  Both checks are run on
 * the new document as compiled by pol_parse; when one fails, policy is
 * NULL and refused says which and why.  cache may be NULL.
 */
void	pol_suggest(const struct pol_doc *const *docs, const char *const *labels, size_t ndocs,
	    const struct pol_doc *boundary, const struct pol_usage *u, struct pcat_cache *cache, struct pol_suggestion *out);
void	pol_suggest_free(struct pol_suggestion *);

/*
 * The two checks, on their own (the tests call them): 1 holds; 0 and *why
 * (caller frees) naming the statement, its document by labels[i] (labels
 * NULL: the documents' names).
 */
int	pol_suggest_no_new_access(const struct pol_doc *const *docs, const char *const *labels,
	    size_t ndocs, const struct pol_doc *newdoc, char **why);
int	pol_suggest_still_allowed(const struct pol_doc *const *docs, const char *const *labels,
	    size_t ndocs, const struct pol_doc *newdoc, const struct pol_usage *u, char **why);

#endif
