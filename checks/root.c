/* ROOT-*: the root user, from the credential report's <root_account> row, the account summary and the virtual MFA devices. */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/trust.h"

#define ROOT_NAME	"<root_account>"

/* The root row, or NULL after marking the control NOT_EVALUATED. */
static const json_t *
root_row(struct check_ctx *c, struct check_out *o)
{
	if (c->cr_root == NULL)
		check_ne(o, "credential_report: the report has no <root_account> row");
	return c->cr_root;
}

void
check_grade_root_keys(struct check_ctx *c, struct check_out *o)
{
	const json_t *row = root_row(c, o);
	char col[64];
	json_t *f;
	int k;

	for (k = 1; row != NULL && k <= 2; k++) {
		snprintf(col, sizeof(col), "access_key_%d_active", k);
		if (!cr_true(row, col))
			continue;
		snprintf(col, sizeof(col), "access_key_%d_last_used_date", k);
		f = check_find(o, c->root_arn, ROOT_NAME, "root access key %d is active (last used: %s)",
		    k, jstr(row, col) ? jstr(row, col) : "N/A");
		check_ev_str(f, "last_used", jstr(row, col));
		snprintf(col, sizeof(col), "access_key_%d_last_rotated", k);
		check_ev_str(f, "created", jstr(row, col));
		check_ev_int(f, "key", k);
	}
}

/*
 * Does root have MFA?  The account summary is read live; the credential
 * report may be hours old, so it only decides when the summary is missing.
 * *from names the source that decided.
 */
static int
root_has_mfa(const struct check_ctx *c, const char **from)
{
	const json_t *sum = c->data[CHECK_SRC_ACCOUNT_SUMMARY];

	if (sum != NULL) {
		*from = "account_summary AccountMFAEnabled";
		return jint(sum, "AccountMFAEnabled", 0) == 1;
	}
	*from = "credential_report mfa_active";
	return cr_true(c->cr_root, "mfa_active");
}

static const json_t *root_virtual_device(const struct check_ctx *);

void
check_grade_root_mfa(struct check_ctx *c, struct check_out *o)
{
	const json_t *dev;
	const char *from;
	json_t *f;

	if (c->data[CHECK_SRC_ACCOUNT_SUMMARY] == NULL && c->cr_root == NULL) {
		check_ne(o, "%s; credential_report: the report has no <root_account> row",
		    c->why[CHECK_SRC_ACCOUNT_SUMMARY]);
		return;
	}
	if (root_has_mfa(c, &from))
		return;
	if ((dev = root_virtual_device(c)) != NULL) {
		check_ne(o, "virtual MFA device %s is assigned to the root user, %s says it has "
		    "no MFA: the sources disagree", jstr(dev, "SerialNumber"), from);
		return;
	}
	f = check_find(o, c->root_arn, ROOT_NAME, "the root user has no MFA device");
	check_ev_str(f, "source", from);
}

/* arn:PARTITION:iam::ACCOUNT:mfa/root-account-mfa-device, the serial root devices used to have. */
static int
legacy_root_serial(const char *serial, const char *account)
{
	static const char tail[] = ":mfa/root-account-mfa-device";
	char acct[13];
	size_t n;

	if (serial == NULL || (n = strlen(serial)) < sizeof(tail) - 1 ||
	    strcmp(serial + n - (sizeof(tail) - 1), tail) != 0)
		return 0;
	return pol_arn_account(serial, acct) && strcmp(acct, account) == 0;
}

/*
 * The root's virtual device is the one whose User.Arn is the root ARN.  Its
 * serial used to be always root-account-mfa-device, but any IAM user can
 * name a device that way now, so the serial (or a User.UserId equal to the
 * account id) decides only for an assigned device with no User.Arn.
 */
static const json_t *
root_virtual_device(const struct check_ctx *c)
{
	const json_t *devs = c->data[CHECK_SRC_VIRTUAL_MFA_DEVICES], *d, *u;
	const json_t *fallback = NULL;
	const char *arn, *uid;
	size_t i;

	json_array_foreach(devs, i, d) {
		if ((u = json_object_get(d, "User")) == NULL)
			continue;	/* not assigned to anyone */
		if ((arn = jstr(u, "Arn")) != NULL) {
			if (strcmp(arn, c->root_arn) == 0)
				return d;
			continue;
		}
		uid = jstr(u, "UserId");
		if (fallback == NULL && ((uid != NULL && strcmp(uid, c->account) == 0) ||
		    legacy_root_serial(jstr(d, "SerialNumber"), c->account)))
			fallback = d;
	}
	return fallback;
}

void
check_grade_root_hw_mfa(struct check_ctx *c, struct check_out *o)
{
	const json_t *dev;
	const char *from;
	json_t *f;

	if (c->data[CHECK_SRC_ACCOUNT_SUMMARY] == NULL && c->cr_root == NULL) {
		check_ne(o, "%s; credential_report: the report has no <root_account> row",
		    c->why[CHECK_SRC_ACCOUNT_SUMMARY]);
		return;
	}
	if (!root_has_mfa(c, &from)) {
		f = check_find(o, c->root_arn, ROOT_NAME,
		    "the root user has no MFA device, so no hardware one");
		check_ev_str(f, "source", from);
		return;
	}
	if ((dev = root_virtual_device(c)) == NULL)
		return;
	f = check_find(o, c->root_arn, ROOT_NAME, "root MFA is a virtual device (%s)",
	    jstr(dev, "SerialNumber"));
	check_ev_str(f, "serial", jstr(dev, "SerialNumber"));
	check_ev_str(f, "enabled", jstr(dev, "EnableDate"));
	check_fill(o, "serial", jstr(dev, "SerialNumber"));
}

void
check_grade_root_unused(struct check_ctx *c, struct check_out *o)
{
	static const struct {
		const char *col, *what;
	} uses[] = {
		{ "password_last_used", "password" },
		{ "access_key_1_last_used_date", "access key 1" },
		{ "access_key_2_last_used_date", "access key 2" },
	};
	const json_t *row = root_row(c, o);
	time_t t, latest = 0;
	const char *what = NULL;
	json_t *f;
	size_t i;

	if (row == NULL)
		return;
	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
		if (cr_time(row, uses[i].col, &t) &&
		    time_days(t, c->now) < c->cfg->root_unused_days && (what == NULL || t > latest)) {
			latest = t;
			what = uses[i].what;
		}
	if (what == NULL)
		return;
	f = check_find(o, c->root_arn, ROOT_NAME,
	    "the root user's %s was used %ld days before collection (within %d days)",
	    what, time_days(latest, c->now), c->cfg->root_unused_days);
	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
		check_ev_str(f, uses[i].col, jstr(row, uses[i].col));
	check_ev_int(f, "days", time_days(latest, c->now));
	check_ev_int(f, "limit", c->cfg->root_unused_days);
}
