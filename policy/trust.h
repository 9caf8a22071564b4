/*
 * Trust analysis: who can assume a role, by caller class, read from the
 * role's compiled trust policy (policy/policy.h).  ROLE-01..04 are
 * readings of this answer (checks/roles.c).
 *
 * The rules, in the order they apply (docs/controls.md repeats them):
 *
 *  - Only Allow statements that grant sts:AssumeRole,
 *    sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML admit anyone.
 *  - Principal "*", {"AWS": "*"} (any wildcard) and NotPrincipal admit any
 *    AWS principal unless a condition pins the caller: a positive operator
 *    (String/Arn Equals or Like, not negated, not ...IfExists, not
 *    ForAllValues:, which is true when the key is missing) on
 *    aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount,
 *    aws:SourceArn (account level), aws:PrincipalOrgID,
 *    aws:PrincipalOrgPaths or aws:SourceOrgID (organization level), with
 *    values that are not wildcards where the identity is (an org id, the
 *    org part of a path, an account id, the account field of an ARN).
 *    Conditions are ANDed, so an account-level pin wins over an
 *    organization-level one.  sts:ExternalId never pins.
 *  - An organization value is compared with the snapshot's organization:
 *    this organization (POL_CALLER_ORG), another one (POL_CALLER_OTHER_ORG:
 *    a set of accounts nobody here can enumerate), or, when the snapshot
 *    does not know its organization, POL_CALLER_ORG_UNKNOWN.
 *  - A Deny takes a wildcard grant back only when the engine shows that it
 *    denies an outsider (an account and an organization the policy does
 *    not name, asked once with and once without an organization) and its
 *    conditions use only keys an outsider cannot choose (the pinning keys
 *    above): a Deny on a tag or a source IP might not apply.
 *  - Web identities are pinned by the keys each provider documents
 *    (pol_oidc_providers); SAML providers are their own class.
 *
 * Ownership: pol_trust_read fills a pol_trust that pol_trust_free empties;
 * grants borrow their statements from the compiled document, which must
 * outlive the answer.
 */
#ifndef POLICY_TRUST_H
#define POLICY_TRUST_H

#include <stddef.h>

#include "policy/policy.h"

enum pol_caller {
	POL_CALLER_ANYONE,		/* any AWS principal (or anyone at all) */
	POL_CALLER_OTHER_ORG,		/* every account of another organization (who: its id) */
	POL_CALLER_ORG_UNKNOWN,		/* an organization, while this account's is unknown */
	POL_CALLER_ORG,			/* the accounts of this account's organization */
	POL_CALLER_SAME_ACCOUNT,	/* principals of this account */
	POL_CALLER_ACCOUNT,		/* principals of another named account (who: its id) */
	POL_CALLER_RESOURCE,		/* pinned by a resource ARN without an account field (an S3 bucket) */
	POL_CALLER_SERVICE,		/* an AWS service (who: "config.amazonaws.com") */
	POL_CALLER_WEB,			/* a web-identity (OIDC) provider (who: the provider) */
	POL_CALLER_SAML,		/* a SAML provider (who: its ARN) */
	POL_CALLER_NCLASSES
};
extern const char *const pol_caller_names[POL_CALLER_NCLASSES];	/* "anyone", "other organization", ... */

/*
 * A web-identity provider and the condition keys that pin its callers,
 * from the provider's documentation (doc).  need lists key suffixes that
 * must each be pinned ("HOST:sub"); "aud|oaud|sub" means any one of them.
 * A pinned value does not start with a wildcard; a subject starting with
 * sub_prefix must also name the segment after it (up to one of sub_stop)
 * without wildcards: "repo:OWNER/", "project_path:GROUP/".  The last row
 * (host "*") is any other OpenID Connect provider.
 */
struct pol_oidc_provider {
	const char	*name;		/* "GitHub Actions" */
	const char	*host;		/* glob over the provider host, case-insensitive */
	const char	*need[3];	/* NULL-terminated */
	const char	*sub_prefix;	/* or NULL */
	const char	*sub_stop;
	const char	*doc;		/* where the keys are documented */
};
extern const struct pol_oidc_provider pol_oidc_providers[];
extern const size_t pol_noidc_providers;

/* The provider row for a Federated value (an oidc-provider ARN or a bare host). */
const struct pol_oidc_provider *pol_oidc_lookup(const char *federated);

/* One way in. */
struct pol_trust_grant {
	enum pol_caller		 cls;
	const struct pol_stmt	*st;		/* the Allow statement */
	char			*who;		/* see the classes; NULL for anyone */
	const char		*pin_key;	/* the condition key that pinned a wildcard principal, or NULL */
	int			 external_id;	/* a positive sts:ExternalId condition */
	int			 source_guard;	/* aws:SourceAccount / SourceArn / SourceOrgID pinned (services) */
	const struct pol_oidc_provider *provider;	/* POL_CALLER_WEB */
	char			*why;		/* why a web identity is not pinned; why anyone gets in */
	int			 owner_wide;	/* web: the subject names an owner, not one repository */
};

struct pol_trust {
	struct pol_trust_grant	*g;
	size_t			 n;
};

/*
 * Read trust (a POL_TRUST document) for the role of account (12 digits)
 * whose organization is org_id (NULL when unknown).  Always succeeds.
 */
void	pol_trust_read(const struct pol_doc *trust, const char *account, const char *org_id,
	    struct pol_trust *out);
void	pol_trust_free(struct pol_trust *);

/* The 12-digit account of an ARN or a bare account id into out; 0 otherwise. */
int	pol_arn_account(const char *arn_or_id, char out[13]);

#endif
