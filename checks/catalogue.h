/*
 * The control catalogue: one row per control in check_controls[]
 * (checks/catalogue.c), in report order.  docs/controls.md, generated from
 * these rows, is what each control checks and why.
 *
 * Adding a control
 * ================
 *
 * 1. Take the next free id of its family (PWD, ROOT, USER, POL, TRAIL,
 *    ROLE, PRIV, LP, CHG).  Ids are public (reports, exports, --fail-on, dashboards): never
 *    reuse one or change what it means.
 *
 * 2. Write the grading function in the family's file (checks/password.c,
 *    root.c, users.c, policies.c, trail.c, roles.c) and declare it at the
 *    end of this header:
 *
 *	void check_grade_foo(struct check_ctx *, struct check_out *);
 *
 *    It reads the snapshot through ctx (checks/grade.h: the sources'
 *    data, indexes by name, ctx->now = collection.started, ctx->cfg) and
 *    reports through out: check_find() once per offending resource (with
 *    evidence and the placeholder values for remediation, check_fill()),
 *    check_na() when there is nothing to grade, check_ne() when it cannot
 *    tell, check_skip() for one resource it cannot grade.  A function that
 *    reports nothing has PASSED.  It never sees a source that is missing,
 *    denied, errored or stale: the caller has already made the control
 *    NOT_EVALUATED, from the row's `needs` and `needs_any`.
 *
 * 3. Add the row to check_controls[], naming its fields (.id =,
 *    .family =, .severity =, .cis =, .securityhub =, .title =, .needs =,
 *    .needs_any =, .thresholds =, .doc =, .console =, .cli =, .python =,
 *    .python_each =, .arg =, .grade =); a field left out is NULL or 0.
 *    The title may name a threshold as a placeholder ("at least
 *    {min_length}"): results print the value in force, the catalogue and
 *    docs/controls.md the default.  .thresholds lists the config keys the
 *    control reads.  Remediation comes in three forms: console steps, AWS
 *    CLI commands (one per line) and a Python (boto3) sketch (.python
 *    once, then .python_each once per finding).  Write {placeholders}
 *    where a finding's resource goes (the list is check_placeholders[] in
 *    checks/check.c: {user}, {key_id}, {role}, {policy_arn}, {account},
 *    ...): results fill them per finding, shell-quoted in CLI lines and as
 *    Python string literals in Python lines.
 *
 * 4. Add at least one PASS and one FAIL case under tests/checks/cases/
 *    (NAME.snapshot.json + NAME.expected.json; see tests/checks/README).
 *
 * 5. Regenerate the documentation:
 *	./iamgrade controls --markdown > docs/controls.md
 *
 * `make check` fails if a row has no documentation or remediation, uses an
 * unknown placeholder, lacks a PASS or a FAIL case, or if docs/controls.md
 * is stale.
 */
#ifndef CHECKS_CATALOGUE_H
#define CHECKS_CATALOGUE_H

#include <stddef.h>

#include "common/common.h"
#include "snapshot/snapshot.h"

enum check_family {
	CHECK_FAM_PASSWORD,
	CHECK_FAM_ROOT,
	CHECK_FAM_USERS,
	CHECK_FAM_POLICIES,
	CHECK_FAM_TRAIL,
	CHECK_FAM_ROLES,
	CHECK_FAM_PRIV,
	CHECK_FAM_LEASTPRIV,
	CHECK_FAM_CHANGES,
	CHECK_FAM__MAX
};
extern const char *const check_family_names[CHECK_FAM__MAX];	/* "password" */
extern const char *const check_family_titles[CHECK_FAM__MAX];	/* "Password policy" */

/* Ordered: a higher value is more severe (check_severity_rank()). */
enum check_severity {
	CHECK_SEV_NONE,
	CHECK_SEV_LOW,
	CHECK_SEV_MEDIUM,
	CHECK_SEV_HIGH,
	CHECK_SEV_CRITICAL,
	CHECK_SEV__MAX
};
extern const char *const check_severity_names[CHECK_SEV__MAX];	/* "low" */
extern const int check_severity_weights[CHECK_SEV__MAX];	/* 1, 3, 5, 10 */

enum check_status {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_NOT_EVALUATED,
	CHECK_NOT_APPLICABLE,
	CHECK_STATUS__MAX
};
extern const char *const check_status_names[CHECK_STATUS__MAX];	/* "PASS" */

/*
 * The snapshot's sources that controls read, as bits for the rows:
 * snapshot/'s SNAP_SOURCES_GRADED, the first of its list, whose names they
 * use.
 */
enum check_source {
#define CHECK_X_ENUM(id, name, type)	CHECK_SRC_##id = SNAP_SRC_##id,
	SNAP_SOURCES_GRADED(CHECK_X_ENUM)
#undef CHECK_X_ENUM
	CHECK_SRC__MAX
};
#define check_source_names	snap_source_names	/* "credential_report" */
#define CHECK_NEEDS(src)	(1u << CHECK_SRC_##src)

struct check_ctx;
struct check_out;

struct check_control {
	const char		*id;		/* "PWD-02": public, never re-meant */
	enum check_family	 family;
	enum check_severity	 severity;
	const char		*cis;		/* CIS AWS Foundations v3.0.0, or NULL */
	const char		*securityhub;	/* Security Hub control, or NULL */
	const char		*title;		/* one line, no trailing period */
	unsigned		 needs;		/* CHECK_NEEDS() bits: every one */
	unsigned		 needs_any;	/* CHECK_NEEDS() bits: at least one */
	const char		*thresholds;	/* config keys it reads, space-separated, or NULL */
	const char		*doc;		/* what it checks and why (docs/controls.md) */
	const char		*console;	/* remediation: console steps, one per line */
	const char		*cli;		/* AWS CLI commands, one per line */
	const char		*python;	/* boto3 sketch: set-up, once */
	const char		*python_each;	/* boto3 sketch: once per finding */
	const char		*arg;		/* a parameter for grade, or NULL */
	void			(*grade)(struct check_ctx *, struct check_out *);
};

extern const struct check_control check_controls[];
extern const size_t check_ncontrols;

/* The row of id ("USER-05", case-insensitive), or NULL. */
const struct check_control *check_control_find(const char *id);

/* Placeholders the templates may use: NULL-terminated ("user", ...). */
extern const char *const check_placeholders[];

/*
 * The catalogue for people: a table (id, severity, CIS, Security Hub,
 * title) or the Markdown of docs/controls.md, appended to out.  1 ok.
 */
int	check_catalogue_text(struct buf *out);
int	check_catalogue_markdown(struct buf *out);

/* The grading functions, one family per file. */
void	check_grade_pwd_set(struct check_ctx *, struct check_out *);
void	check_grade_pwd_min_length(struct check_ctx *, struct check_out *);
void	check_grade_pwd_require(struct check_ctx *, struct check_out *);
void	check_grade_pwd_reuse(struct check_ctx *, struct check_out *);
void	check_grade_pwd_expiry(struct check_ctx *, struct check_out *);

void	check_grade_root_keys(struct check_ctx *, struct check_out *);
void	check_grade_root_mfa(struct check_ctx *, struct check_out *);
void	check_grade_root_hw_mfa(struct check_ctx *, struct check_out *);
void	check_grade_root_unused(struct check_ctx *, struct check_out *);

void	check_grade_user_mfa(struct check_ctx *, struct check_out *);
void	check_grade_user_initial_keys(struct check_ctx *, struct check_out *);
void	check_grade_user_unused(struct check_ctx *, struct check_out *);
void	check_grade_user_one_key(struct check_ctx *, struct check_out *);
void	check_grade_user_rotation(struct check_ctx *, struct check_out *);
void	check_grade_user_password_age(struct check_ctx *, struct check_out *);
void	check_grade_user_groups(struct check_ctx *, struct check_out *);

void	check_grade_pol_admin(struct check_ctx *, struct check_out *);
void	check_grade_pol_support(struct check_ctx *, struct check_out *);

void	check_grade_trail_logging(struct check_ctx *, struct check_out *);
void	check_grade_trail_validation(struct check_ctx *, struct check_out *);

void	check_grade_role_public(struct check_ctx *, struct check_out *);
void	check_grade_role_accounts(struct check_ctx *, struct check_out *);
void	check_grade_role_oidc(struct check_ctx *, struct check_out *);
void	check_grade_role_deputy(struct check_ctx *, struct check_out *);
void	check_grade_role_admin(struct check_ctx *, struct check_out *);
void	check_grade_role_escalation(struct check_ctx *, struct check_out *);
void	check_grade_role_creator(struct check_ctx *, struct check_out *);
/* checks/leastpriv.c */
void	check_grade_lp_unused_roles(struct check_ctx *, struct check_out *);
void	check_grade_lp_unused_users(struct check_ctx *, struct check_out *);
void	check_grade_lp_unused_services(struct check_ctx *, struct check_out *);
void	check_grade_lp_unused_write(struct check_ctx *, struct check_out *);

/*
 * Frameworks (checks/frameworks.c): each a table of its requirements in its
 * own order, each naming the controls that support it (space-separated).
 * check_unmapped[] says why a framework has no requirement for a control.
 */
struct check_requirement {
	const char	*id;		/* "CC6.1", "1.14", "IA-5(1)" */
	const char	*title;
	const char	*controls;	/* "USER-05 USER-04" */
};
struct check_framework {
	const char			*name;	/* --framework NAME and results key: "soc2" */
	const char			*title;
	const struct check_requirement	*reqs;	/* NULL-id terminated */
};
struct check_unmapped {
	const char	*framework;
	const char	*controls;
	const char	*reason;
};
extern const struct check_framework check_frameworks[];	/* NULL-name terminated */
extern const struct check_unmapped check_unmapped[];
const struct check_framework *check_framework_find(const char *name);	/* case-insensitive, or NULL */
int	check_list_has(const char *list, const char *id);
int	check_framework_text(const struct check_framework *, struct buf *out);
/*
 * The framework as a results document carries it for the compliance view
 * (docs/results-format.md "framework"): {name, title, requirements: [{id,
 * title, controls: [ids]}]}, so the report renders it without the catalogue.
 */
json_t	*check_framework_json(const struct check_framework *);
/* {"cis-v3.0.0": ["1.14"], "soc2": ["CC6.1"], ...} for one control (new reference). */
json_t	*check_frameworks_of(const char *control);
void	check_grade_priv_escalation(struct check_ctx *, struct check_out *);
void	check_grade_priv_admin_users(struct check_ctx *, struct check_out *);
void	check_grade_chg_roles(struct check_ctx *, struct check_out *);
void	check_grade_chg_credentials(struct check_ctx *, struct check_out *);
void	check_grade_chg_logging(struct check_ctx *, struct check_out *);

#endif
