/* PWD-*: the account password policy.  No policy at all (absent) is data: every PWD control fails. */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"

#define PWD_NAME	"account password policy"

/* The policy, or NULL after reporting that there is none. */
static const json_t *
policy(struct check_ctx *c, struct check_out *o)
{
	const json_t *p = c->data[CHECK_SRC_PASSWORD_POLICY];
	json_t *f;

	if (p != NULL)
		return p;
	f = check_find(o, c->root_arn, PWD_NAME,
	    "the account has no password policy (IAM defaults apply: 8 characters, no other rule)");
	check_ev_str(f, "password_policy", "absent");
	return NULL;
}

void
check_grade_pwd_set(struct check_ctx *c, struct check_out *o)
{
	policy(c, o);
}

void
check_grade_pwd_min_length(struct check_ctx *c, struct check_out *o)
{
	const json_t *p = policy(c, o);
	long long n;
	json_t *f;

	if (p == NULL)
		return;
	n = jint(p, "MinimumPasswordLength", 0);
	if (n >= c->cfg->password_min_length)
		return;
	f = check_find(o, c->root_arn, PWD_NAME, "minimum password length is %lld (at least %d required)",
	    n, c->cfg->password_min_length);
	check_ev_int(f, "MinimumPasswordLength", n);
	check_ev_int(f, "limit", c->cfg->password_min_length);
}

/* PWD-03..06: the row's arg names the policy member that must be true. */
void
check_grade_pwd_require(struct check_ctx *c, struct check_out *o)
{
	const json_t *p = policy(c, o);
	const char *member = c->ctl->arg;
	json_t *f;

	if (p == NULL || jbool(p, member, 0))
		return;
	f = check_find(o, c->root_arn, PWD_NAME, "%s is %s", member,
	    json_object_get(p, member) ? "false" : "not set");
	check_ev_str(f, member, json_object_get(p, member) ? "false" : "not set");
}

void
check_grade_pwd_reuse(struct check_ctx *c, struct check_out *o)
{
	const json_t *p = policy(c, o);
	long long n;
	json_t *f;

	if (p == NULL)
		return;
	n = jint(p, "PasswordReusePrevention", 0);
	if (n >= c->cfg->password_reuse_prevention)
		return;
	if (n == 0)
		f = check_find(o, c->root_arn, PWD_NAME,
		    "password reuse is not prevented (%d remembered required)",
		    c->cfg->password_reuse_prevention);
	else
		f = check_find(o, c->root_arn, PWD_NAME,
		    "%lld previous passwords remembered (%d required)", n,
		    c->cfg->password_reuse_prevention);
	check_ev_int(f, "PasswordReusePrevention", n);
	check_ev_int(f, "limit", c->cfg->password_reuse_prevention);
}

void
check_grade_pwd_expiry(struct check_ctx *c, struct check_out *o)
{
	const json_t *p = policy(c, o);
	long long age;
	json_t *f;

	if (p == NULL)
		return;
	age = jint(p, "MaxPasswordAge", 0);
	if (age > 0 && jbool(p, "ExpirePasswords", 1) && age <= c->cfg->password_max_age_days)
		return;
	if (age <= 0 || !jbool(p, "ExpirePasswords", 1))
		f = check_find(o, c->root_arn, PWD_NAME, "passwords never expire (limit %d days)",
		    c->cfg->password_max_age_days);
	else
		f = check_find(o, c->root_arn, PWD_NAME, "passwords expire after %lld days (limit %d)",
		    age, c->cfg->password_max_age_days);
	check_ev_int(f, "MaxPasswordAge", age);
	check_ev_int(f, "limit", c->cfg->password_max_age_days);
}
