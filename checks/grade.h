/*
 * Inside the checks: what a grading function sees (struct check_ctx, built
 * once per snapshot by check_ctx_init) and how it reports (struct
 * check_out).  Only the checks/ sources include this.
 *
 * Every json_t * in the context is borrowed from the snapshot or owned by
 * the context; grading functions never free them.
 */
#ifndef CHECKS_GRADE_H
#define CHECKS_GRADE_H

#include <time.h>

#include <jansson.h>

#include "checks/catalogue.h"
#include "checks/checks.h"
#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/effective.h"
#include "policy/policy.h"

/* One CreateRole event of the window, resolved against the current roles. */
struct check_role {
	const json_t	*record;	/* the CloudTrail record (object), or NULL */
	const char	*event_id;
	const char	*time;		/* eventTime, else LookupEvents EventTime */
	const char	*name;		/* requestParameters.roleName, or NULL */
	const char	*creator_arn;	/* userIdentity.arn, or NULL */
	const char	*creator_type;	/* userIdentity.type, or NULL */
	const char	*source_ip;
	const char	*user_agent;
	const char	*error_code;	/* NULL when the call succeeded */
	const char	*error_message;
	const char	*event_name;	/* NULL for CreateRole; the change's for CHG-01 */
	char		*arn;		/* the role's ARN (owned) */
	const json_t	*role;		/* current RoleDetail, NULL when gone or unknown */
	int		 exists;	/* 1 yes, 0 deleted, -1 unknown (no authorization details) */
	struct pol_doc	*trust;		/* compiled trust policy (owned), or NULL */
	char		*trust_err;	/* why trust is NULL (owned) */
};

struct check_ctx {
	const json_t			*snap;
	const struct check_config	*cfg;
	const struct check_control	*ctl;		/* the row being graded */
	const char			*account;	/* 12 digits */
	char				*partition;	/* "aws", from the caller's ARN */
	char				*root_arn;	/* arn:aws:iam::ACCOUNT:root */
	time_t				 now;		/* collection.started: every age is from here */

	/*
	 * Per source: its data when usable, else NULL and why not.  A
	 * "partial" source has data (a control may FAIL on it) and a why: a
	 * control that needs it never PASSes nor is NOT_APPLICABLE
	 * (checks/check.c).
	 */
	const json_t	*data[CHECK_SRC__MAX];
	char		*why[CHECK_SRC__MAX];
	int		 absent[CHECK_SRC__MAX];	/* status "absent" (data, for the password policy) */
	int		 partial[CHECK_SRC__MAX];	/* status "partial" */

	/* Indexes, built once, so that grading stays linear. */
	const json_t	*cr_root;	/* credential report row <root_account>, or NULL */
	json_t		*cr_users;	/* the other rows (array) */
	json_t		*keys_by_user;	/* user name -> [ListAccessKeys entries] */
	/*
	 * Where two sources disagree about one user, user name -> why (a
	 * string): grading that would need both skips the user with it.
	 */
	json_t		*keys_disagree;	/* ListAccessKeys lists fewer active keys than the report */
	json_t		*mfa_disagree;	/* a virtual MFA device is assigned, the report says mfa_active false */
	json_t		*roles_by_name;	/* role name -> RoleDetail */
	json_t		*policies_by_arn; /* policy ARN -> Policies entry */
	json_t		*groups_by_name; /* group name -> GroupDetail */
	struct check_pdoc **pdocs;	/* managed policies compiled so far (owned) */
	size_t		 npdocs;
	json_t		*pdoc_index;	/* policy ARN -> index in pdocs */
	json_t		*trusted;	/* account id -> true: self, organization, config */
	const char	*org_id;	/* organization id, or NULL */
	int		 org_known;	/* the organization's accounts are known */

	json_t		*owned;		/* CloudTrail records parsed here from text */
	struct pcat_cache *pcache;	/* action patterns met so far (owned) */
	struct check_priv *priv;	/* PRIV-*: every principal asked once (checks/priv.c), or NULL until asked */
	json_t		*lp;		/* LP-01..03's counts and per-principal use, for the results (checks/leastpriv.c) */
	struct check_role *roles;	/* CreateRole events, in snapshot order */
	size_t		 nroles;
	size_t		 nroles_created; /* of which succeeded */
	struct check_changes *changes;	/* CHG-*: the change events read once (checks/changes.c), or NULL */
};

struct check_out {
	int		 status;	/* -1 until set; CHECK_* */
	char		*reason;	/* NOT_EVALUATED / NOT_APPLICABLE reason */
	json_t		*findings;	/* array of finding objects */
	json_t		*fills;		/* parallel array: placeholder values per finding */
	json_t		*unevaluated;	/* [{"resource", "reason"}]: resources it could not grade */
	json_t		*notes;		/* [{"resource", "note"}]: worth knowing, not failing */
};

/* Build the context for a snapshot that snap_load accepted.  1 ok. */
int	check_ctx_init(struct check_ctx *, const json_t *snap, const struct check_config *);
void	check_ctx_free(struct check_ctx *);

/*
 * Report one offending resource: returns the finding, whose "evidence"
 * object the caller may add to (check_ev_*).  severity NULL = the control's.
 */
json_t	*check_find(struct check_out *, const char *resource, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	check_find_severity(json_t *finding, const char *severity);
/* Set a placeholder value ({user}, {key_id}, ...) for the last finding. */
void	check_fill(struct check_out *, const char *key, const char *value);
/* Evidence on a finding; NULL strings are skipped. */
void	check_ev_str(json_t *finding, const char *key, const char *value);
void	check_ev_int(json_t *finding, const char *key, long long value);
void	check_ev_json(json_t *finding, const json_t *value, const char *key); /* compact JSON text */
/*
 * The offending statement of doc and doc's Deny statements, as compact
 * JSON text rendered from the compiled form.
 */
void	check_ev_statement(json_t *finding, const struct pol_doc *doc, const struct pol_stmt *statement);
/* A compiled document as JSON (new reference): Version, Id, Statement. */
json_t	*check_doc_json(const struct pol_doc *doc);
/* Nothing to grade / cannot tell (whole control) / cannot grade one resource. */
void	check_na(struct check_out *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	check_ne(struct check_out *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	check_skip(struct check_out *, const char *resource, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Why a source object (or a missing one: NULL) cannot be used; caller frees. */
char	*check_source_why(const char *name, const json_t *src);

/* A remark on a resource that passes (kept whatever the status). */
void	check_note(struct check_out *, const char *resource, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * The remediation object {"console", "cli", "python"} of row r for the
 * findings' placeholder values (o->fills) and globals (account, thresholds;
 * numbers stay bare).  New reference.
 */
json_t	*check_remediation(const struct check_control *r, const struct check_out *o,
	    const json_t *globals);

/*
 * The globals of the templates: the thresholds of k, numbers, and the
 * account when not NULL ({account} stays <account> without).  New reference.
 */
json_t	*check_globals(const struct check_config *k, const char *account);

/*
 * Row r's title with the thresholds in force ("Minimum password length is
 * at least 16" under a config asking for 16).  The caller frees it.
 */
char	*check_title(const struct check_control *r, const json_t *globals);

/* Credential-report cells. */
int	cr_true(const json_t *row, const char *col);		/* "true", any case */
int	cr_time(const json_t *row, const char *col, time_t *);	/* a timestamp, not N/A etc. */

/* "arn:aws:iam::aws:policy/NAME" in any partition, NAME given. */
int	check_is_aws_policy(const char *arn, const char *name);

/* The default version's document of a managed policy (a Policies entry), or NULL. */
const json_t *check_policy_document(const json_t *policy);

/*
 * A permission document of a principal, compiled (checks/policies.c):
 * doc is NULL when the engine rejects it, with err saying why.
 */
struct check_pdoc {
	char			*label;		/* "inline policy NAME", "policy NAME" */
	const char		*name;		/* an inline policy's name, or NULL */
	const char		*arn;		/* a managed policy's ARN, or NULL */
	const char		*by_name;	/* an AWS-managed policy known by name, not in the snapshot */
	struct pol_doc		*doc;
	char			*err;
	struct pol_docsum	 sum;
};
void	check_pdoc_free(struct check_pdoc *);

/*
 * A principal (user with its groups, group, role) and its documents.
 * Managed documents are compiled once per snapshot and borrowed from the
 * context; inline ones are owned here.  err (owned) says why some
 * document cannot be used: the principal is then NOT_EVALUATED.
 */
struct check_principal {
	const char		 *kind;		/* "user", "group", "role" */
	const char		 *arn;
	const char		 *name;
	const struct check_pdoc	**docs;
	size_t			  ndocs;
	struct check_pdoc	**own;
	size_t			  nown;
	const struct check_pdoc	 *boundary;	/* or NULL */
	char			 *err;
};
/* entry: a UserDetail, GroupDetail or RoleDetail.  1 when every document is usable. */
int	check_principal_load(struct check_ctx *, const json_t *entry, const char *kind,
	    struct check_principal *);
void	check_principal_free(struct check_principal *);
void	check_principal_effective(const struct check_principal *, struct pol_effective *);
/* The principal's document whose summary s is. */
const struct check_pdoc *check_principal_doc_of(const struct check_principal *,
	    const struct pol_docsum *s);
/* Labels of the principal's documents that contribute to e's grants on every resource, into b. */
void	check_principal_contributors(const struct check_principal *, const struct pol_effective *e,
	    struct buf *b);
/*
 * check_suggest (checks/checks.h) for many principals of one context:
 * entry (a RoleDetail or UserDetail, kind "role" or "user") and rec, its
 * last_accessed record, found by the caller (checks/suggest.c).
 */
enum check_sug check_suggest_one(struct check_ctx *, const json_t *entry, const char *kind,
	    const json_t *rec, struct pol_suggestion *s, char **err);
/*
 * For the results' least_privilege.principals row of a principal granted
 * more than it used: its suggestion as "suggestion" (the policy), or why
 * there is none as "suggestion_refused" (checks/suggest.c).
 */
void	check_lp_suggestion(struct check_ctx *, const json_t *entry, const char *kind,
	    const json_t *rec, json_t *row);
/*
 * The account's "least_privilege" member of the results
 * (docs/results-format.md), from what LP-01..03 recorded while grading:
 * a new reference.
 */
json_t	*check_lp_summary(const struct check_ctx *);
/* Free ctx->priv (checks/priv.c). */
void	check_priv_free(struct check_ctx *);
/* Sizes of the PRIV-* analysis, made if not yet (for the benchmark). */
struct check_priv_stats {
	size_t	principals, admin, escalating, edges, multi_step;
};
void	check_priv_stats(struct check_ctx *, struct check_priv_stats *);
/*
 * The account's privileged access, for the reports' access review
 * (docs/results-format.md "Privileged access"): the administrator-equivalent
 * users, groups and roles with their granting policies, the callers of each
 * administrator role, the principals that could not be judged.  New
 * reference.
 */
json_t	*check_priv_access(struct check_ctx *);
/* What a document allows on every resource, in words (caller frees). */
char	*check_admin_what(const struct pol_docsum *);
/* Names, comma-separated, appended to b. */
void	check_names_text(struct buf *, const struct pcat_names *);

/*
 * The who, when and where of a CloudTrail event (a LookupEvents entry)
 * into r: record (parsed here when it came as text, kept in c->owned),
 * event_id, time, creator_*, source_ip, user_agent, error_*.
 */
void	check_role_event(struct check_ctx *, struct check_role *r, const json_t *ev);
/* Free n roles' owned members, and the array. */
void	check_roles_free(struct check_role *, size_t n);
/* Free ctx->changes (checks/changes.c). */
void	check_changes_free(struct check_ctx *);

/* Shared by the ROLE-* functions (checks/roles.c): add the event's evidence. */
void	check_role_evidence(json_t *finding, const struct check_role *);

/*
 * The rules of ROLE-01..06 for one role (checks/roles.c), in id order,
 * ending with { NULL, NULL }: CHG-01 grades the roles changed in the
 * window by them.  Each reports through check_find / check_skip /
 * check_note like its control; a role it cannot grade is skipped.
 */
struct check_role_rule {
	const char	*id;
	void		(*grade)(struct check_ctx *, struct check_out *, const struct check_role *);
};
extern const struct check_role_rule check_role_rules[];

/* The letter of a score 0-100: A >= 90, B >= 80, C >= 70, D >= 60, F. */
const char *check_grade_letter(int score);

#endif
