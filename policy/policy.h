/*
 * The IAM policy language: a document is parsed once into a compiled form
 * (pol_parse), and requests are evaluated against sets of compiled
 * documents as AWS documents it (pol_eval).  docs/policy-engine.md says
 * what is implemented and what is not.
 *
 * The compiled form is public and read-only for other modules: trust
 * analysis and effective-permission questions walk statements, principals,
 * pattern lists and conditions directly, and ask the matching functions
 * below for single statements.
 *
 * Ownership: pol_parse* returns a document the caller frees with pol_free;
 * every string and array inside it is owned by the document and lives as
 * long as it.  A pol_ctx is filled and freed by its owner (pol_ctx_free);
 * pol_ctx_set copies what it is given.  pol_eval borrows every document and
 * the request; the result's citations point into the borrowed documents
 * (valid as long as they are) and its arrays are freed by pol_result_free.
 * Nothing here keeps global state; concurrent calls on distinct results
 * are safe, and compiled documents may be shared between threads.
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>

#include <jansson.h>

/* What a document is attached to; decides which elements it must and may have. */
enum pol_kind {
	POL_IDENTITY,		/* user/group/role inline or managed policy: no Principal, Resource required */
	POL_RESOURCE,		/* bucket, key, queue... policy: Principal or NotPrincipal required */
	POL_TRUST,		/* a role's trust policy: a resource policy whose resource is the role */
	POL_BOUNDARY,		/* permissions boundary: as identity */
	POL_SCP,		/* service control policy: no Principal (applies to the account's principals) */
	POL_RCP,		/* resource control policy: Principal required (applies to the account's resources) */
	POL_NKINDS
};
extern const char *const pol_kind_names[POL_NKINDS];	/* "identity", "resource", ... */

enum pol_effect { POL_ALLOW, POL_DENY };

/*
 * A list of strings as written (a JSON string or an array of strings),
 * in document order.  Patterns keep their wildcards and policy variables;
 * matching substitutes variables per request.
 */
struct pol_strs {
	char	**v;
	size_t	  n;
};
/* Free every string and the array, and empty s (for lists built outside a document). */
void	 pol_strs_free(struct pol_strs *s);

/* Principal types, the keys of a Principal object. */
enum pol_ptype {
	POL_P_AWS,		/* account ids, account root, user, role, assumed-role session ARNs, or "*" */
	POL_P_SERVICE,		/* "ec2.amazonaws.com" */
	POL_P_FEDERATED,	/* SAML/OIDC provider ARN or a web-identity host ("accounts.google.com") */
	POL_P_CANONICAL,	/* S3 canonical user id */
	POL_P_NTYPES
};
extern const char *const pol_ptype_names[POL_P_NTYPES];	/* "AWS", "Service", "Federated", "CanonicalUser" */

/*
 * Principal or NotPrincipal.  any: the element is the bare string "*"
 * (everyone, anonymous callers included).  Otherwise by[type] lists the
 * values given for each type ("*" inside a type is kept as a value:
 * {"AWS": "*"} is every AWS principal).
 */
struct pol_principal {
	int		any;
	struct pol_strs	by[POL_P_NTYPES];
};

/* Condition operators, without qualifiers.  pol_op_names parallels it. */
enum pol_op {
	POL_OP_STRING_EQUALS,
	POL_OP_STRING_NOT_EQUALS,
	POL_OP_STRING_EQUALS_IGNORE_CASE,
	POL_OP_STRING_NOT_EQUALS_IGNORE_CASE,
	POL_OP_STRING_LIKE,
	POL_OP_STRING_NOT_LIKE,
	POL_OP_NUMERIC_EQUALS,
	POL_OP_NUMERIC_NOT_EQUALS,
	POL_OP_NUMERIC_LESS_THAN,
	POL_OP_NUMERIC_LESS_THAN_EQUALS,
	POL_OP_NUMERIC_GREATER_THAN,
	POL_OP_NUMERIC_GREATER_THAN_EQUALS,
	POL_OP_DATE_EQUALS,
	POL_OP_DATE_NOT_EQUALS,
	POL_OP_DATE_LESS_THAN,
	POL_OP_DATE_LESS_THAN_EQUALS,
	POL_OP_DATE_GREATER_THAN,
	POL_OP_DATE_GREATER_THAN_EQUALS,
	POL_OP_BOOL,
	POL_OP_BINARY_EQUALS,
	POL_OP_IP_ADDRESS,
	POL_OP_NOT_IP_ADDRESS,
	POL_OP_ARN_EQUALS,
	POL_OP_ARN_LIKE,
	POL_OP_ARN_NOT_EQUALS,
	POL_OP_ARN_NOT_LIKE,
	POL_OP_NULL,
	POL_NOPS
};
extern const char *const pol_op_names[POL_NOPS];	/* "StringEquals", ... */

/* The set qualifier of an operator ("ForAllValues:StringLike"). */
enum pol_setq { POL_SET_NONE, POL_SET_ALL, POL_SET_ANY };

/*
 * One (operator, key) entry of a Condition block.  Values are kept as the
 * text AWS compares: JSON numbers and booleans become their text ("10",
 * "true").  The conditions of a statement are ANDed; the values of one
 * entry are ORed (for the negated operators: the key matches none).
 */
struct pol_cond {
	enum pol_op	 op;
	enum pol_setq	 setq;
	int		 if_exists;	/* "...IfExists" */
	const char	*opname;	/* as written, for citations; owned by the document */
	const char	*key;		/* as written; compared case-insensitively */
	struct pol_strs	 values;
};

struct pol_stmt {
	size_t		 index;		/* 0-based position in the document */
	const char	*sid;		/* NULL when absent */
	enum pol_effect	 effect;
	int		 has_principal;	/* Principal or NotPrincipal present */
	int		 not_principal;
	struct pol_principal principal;
	int		 not_action;
	struct pol_strs	 action;	/* Action or NotAction patterns */
	int		 has_resource;	/* Resource or NotResource present (trust policies have neither) */
	int		 not_resource;
	struct pol_strs	 resource;
	struct pol_cond	*cond;
	size_t		 ncond;
	int		 vars;		/* policy variables are substituted: Version "2012-10-17" (earlier versions take ${...} literally) */
};

struct pol_doc {
	enum pol_kind	 kind;
	const char	*name;		/* label for errors and citations (a file name, a policy ARN); may be NULL */
	const char	*version;	/* "2012-10-17", "2008-10-17", or NULL when absent */
	const char	*id;		/* the Id element, or NULL */
	struct pol_stmt	*st;
	size_t		 nst;
};

/*
 * Parse and validate a document of the given kind: a JSON object, JSON
 * text, or URL-encoded JSON text (as IAM's API returns them; a JSON string
 * holding JSON text is unwrapped).  name labels the document in errors and
 * citations and is copied.  A document AWS would reject gives NULL and
 * *err (caller frees) naming the fault, e.g. "statement 2 (Sid \"X\"):
 * Effect must be \"Allow\" or \"Deny\", not \"allow\"".
 */
struct pol_doc *pol_parse(const json_t *doc, enum pol_kind, const char *name, char **err);
struct pol_doc *pol_parse_text(const char *text, enum pol_kind, const char *name, char **err);
void	 pol_free(struct pol_doc *);

/* The statement's label for citations: "Sid \"X\"" or "statement 3" (1-based); caller frees. */
char	*pol_stmt_label(const struct pol_stmt *);

/*
 * Condition operator by name with its qualifiers ("ForAnyValue:StringLikeIfExists").
 * 1 when known (case-sensitive as AWS is), 0 otherwise.
 */
int	 pol_op_parse(const char *name, enum pol_op *, enum pol_setq *, int *if_exists);

/* ---- requests ---------------------------------------------------------- */

/* Types of context values, deciding how a --context value is checked. */
enum pol_ctype {
	POL_T_STRING, POL_T_NUMERIC, POL_T_DATE, POL_T_BOOL, POL_T_BINARY,
	POL_T_IP, POL_T_ARN, POL_NTYPES
};
extern const char *const pol_ctype_names[POL_NTYPES];	/* "String", "Numeric", ... */

/*
 * The type AWS documents for a condition key ("aws:MultiFactorAuthPresent"
 * Bool, "aws:SourceIp" IP, "aws:CurrentTime" Date, ...); String for keys it
 * does not know.  *multi is set to 1 for keys AWS documents as multivalued
 * (aws:TagKeys, aws:PrincipalOrgPaths, ...).  Case-insensitive.
 */
enum pol_ctype pol_key_type(const char *key, int *multi);

struct pol_ctx_key {
	char		*key;		/* as given; looked up case-insensitively */
	enum pol_ctype	 type;
	int		 multi;		/* a set-valued key (even with 0 or 1 values) */
	struct pol_strs	 values;
};

/* The request context: keys with one or many values.  Zero-initialise. */
struct pol_ctx {
	struct pol_ctx_key *k;
	size_t		    n;
};

/*
 * Set key to n values (copied), replacing an earlier setting of the same
 * key.  multi 1 makes it set-valued.  Values are checked against type
 * (a Bool is "true" or "false", a Date ISO 8601 or epoch seconds, an IP an
 * address or CIDR, a Numeric a number): 0 and *err naming the fault.
 */
int	 pol_ctx_set(struct pol_ctx *, const char *key, enum pol_ctype type, int multi,
	    const char *const *values, size_t n, char **err);
const struct pol_ctx_key *pol_ctx_get(const struct pol_ctx *, const char *key);
void	 pol_ctx_free(struct pol_ctx *);

/*
 * A request.  Every pointer is borrowed.  principal is an ARN for
 * POL_P_AWS callers (user, role, assumed-role session, account root), a
 * service name for POL_P_SERVICE, a provider for POL_P_FEDERATED; NULL
 * for an anonymous caller.  principal_account and resource_account may be
 * NULL: they are then taken from the ARNs (the resource's account falls
 * back to the principal's when its ARN has none, as for S3 buckets).
 * Keys the caller sets in ctx win over the ones derived from the request
 * (aws:PrincipalArn -- a role session's is its role's ARN --,
 * aws:PrincipalAccount and, for IAM users, aws:username are derived when
 * absent, for matching and for policy variables).
 */
struct pol_request {
	enum pol_ptype	 principal_type;
	const char	*principal;
	const char	*principal_account;
	const char	*action;
	const char	*resource;
	const char	*resource_account;
	const struct pol_ctx *ctx;
};

/* ---- the documents that apply to a request ---------------------------- */

/* One level of an organization (root, an OU, the account): every level must allow. */
struct pol_level {
	const struct pol_doc *const *doc;
	size_t		  n;
};

/*
 * The policies in force.  Absent parts are NULL / 0: no boundary means no
 * limit from a boundary; no SCP levels means no organization (or the
 * management account); the same for RCPs.  resource is the resource-based
 * policy (a role's trust policy for sts:AssumeRole* requests).
 */
struct pol_set {
	const struct pol_doc *const *identity;
	size_t		  nidentity;
	const struct pol_doc *boundary;
	const struct pol_level *scp;
	size_t		  nscp;
	const struct pol_level *rcp;
	size_t		  nrcp;
	const struct pol_doc *resource;
};

/* ---- decisions ------------------------------------------------------------ */

enum pol_decision { POL_ALLOWED, POL_EXPLICIT_DENY, POL_IMPLICIT_DENY };
extern const char *const pol_decision_names[3];	/* "allowed", "explicit_deny", "implicit_deny" */

/* A statement that decided: the document and the statement's index in it. */
struct pol_cite {
	const struct pol_doc *doc;
	size_t		  stmt;
};

/*
 * The decision and its grounds.  Explicit deny: every Deny statement that
 * matched.  Allowed: the Allow statements that made each required layer
 * allow (identity or resource policy, boundary, each SCP and RCP level).
 * Implicit deny: no statements; reason names the layer that had no Allow
 * ("no identity-based or resource-based policy allows", "the permissions
 * boundary does not allow", "SCP level 2 does not allow", ...).
 */
struct pol_result {
	enum pol_decision decision;
	struct pol_cite	*cite;
	size_t		 ncite;
	const char	*reason;	/* static text, never NULL */
};

/* Evaluate req against set into *res (which pol_result_free empties). */
void	 pol_eval(const struct pol_set *, const struct pol_request *, struct pol_result *);
void	 pol_result_free(struct pol_result *);

/*
 * Single statements, for analysis over the compiled form.  Each answers
 * for the request as pol_eval does for that element (pol_eval adds what
 * needs the whole set: a NotPrincipal Deny applies to every caller that
 * has a boundary).  A policy variable with no value follows AWS: a
 * Resource or NotResource entry holding it matches no resource, positive
 * condition operators do not match it, negated ones do.  pol_match_cond
 * substitutes variables as under Version 2012-10-17; the others follow
 * the statement's vars.
 */
int	 pol_match_action(const struct pol_stmt *, const char *action);
int	 pol_match_resource(const struct pol_stmt *, const struct pol_request *);
int	 pol_match_principal(const struct pol_stmt *, const struct pol_request *);
int	 pol_match_cond(const struct pol_cond *, const struct pol_request *);
/* All of the above that the statement has (Principal only when it has one). */
int	 pol_stmt_applies(const struct pol_stmt *, const struct pol_request *);

#endif
