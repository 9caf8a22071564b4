/*
 * USER-*: IAM users, from the credential report (one row per user), the
 * access keys (ListAccessKeys) and the users' policies (authorization
 * details).  Every function walks the users once and finds keys through
 * the by-name index, so grading stays linear in the number of users.
 */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"

/* A key made within this long of its user counts as made with the user (USER-02). */
#define USER_WITH_KEY_SECONDS	3600

/* 1 when there are users to grade; NOT_APPLICABLE otherwise. */
static int
have_users(struct check_ctx *c, struct check_out *o)
{
	if (json_array_size(c->cr_users) > 0)
		return 1;
	check_na(o, "the account has no IAM users");
	return 0;
}

/*
 * Keys of a user whose ListAccessKeys answer lacks active keys the report
 * shows cannot be graded from that list: skip the user, with the reason.
 */
static int
keys_disagree(struct check_ctx *c, struct check_out *o, const json_t *row)
{
	const char *why = jstr(c->keys_disagree, jstr(row, "user"));

	if (why == NULL)
		return 0;
	check_skip(o, jstr(row, "arn"), "%s", why);
	return 1;
}

/*
 * The ListAccessKeys id of key n of a credential-report row: the key created
 * when it was last rotated.  Two keys made in the same second (the report
 * keeps whole seconds) are told apart by order: key 1 is the first listed.
 */
static const char *
key_id(const struct check_ctx *c, const json_t *row, int n)
{
	const json_t *keys = json_object_get(c->keys_by_user, jstr(row, "user")), *k;
	const char *found[2] = { NULL, NULL };
	char col[64];
	time_t rot, t;
	size_t i, nfound = 0;

	snprintf(col, sizeof(col), "access_key_%d_last_rotated", n);
	if (!cr_time(row, col, &rot))
		return NULL;
	json_array_foreach(keys, i, k)
		if (time_parse(jstr(k, "CreateDate"), &t) && t == rot && nfound < 2)
			found[nfound++] = jstr(k, "AccessKeyId");
	return nfound == 2 ? found[n == 2] : found[0];
}

void
check_grade_user_mfa(struct check_ctx *c, struct check_out *o)
{
	const json_t *row;
	json_t *f;
	size_t i;

	if (!have_users(c, o))
		return;
	json_array_foreach(c->cr_users, i, row) {
		if (!cr_true(row, "password_enabled") || cr_true(row, "mfa_active"))
			continue;
		if (jstr(c->mfa_disagree, jstr(row, "user")) != NULL) {
			check_skip(o, jstr(row, "arn"), "%s", jstr(c->mfa_disagree, jstr(row, "user")));
			continue;
		}
		f = check_find(o, jstr(row, "arn"), jstr(row, "user"),
		    "console password without MFA");
		check_ev_str(f, "password_enabled", jstr(row, "password_enabled"));
		check_ev_str(f, "mfa_active", jstr(row, "mfa_active"));
		check_ev_str(f, "password_last_used", jstr(row, "password_last_used"));
		check_fill(o, "user", jstr(row, "user"));
	}
}

void
check_grade_user_initial_keys(struct check_ctx *c, struct check_out *o)
{
	const json_t *row;
	char active[64], rotated[64], used[64];
	time_t created, rot, t;
	const char *id;
	json_t *f;
	size_t i;
	int k;

	if (!have_users(c, o))
		return;
	json_array_foreach(c->cr_users, i, row) {
		if (!cr_time(row, "user_creation_time", &created))
			continue;
		for (k = 1; k <= 2; k++) {
			snprintf(active, sizeof(active), "access_key_%d_active", k);
			snprintf(rotated, sizeof(rotated), "access_key_%d_last_rotated", k);
			snprintf(used, sizeof(used), "access_key_%d_last_used_date", k);
			if (!cr_true(row, active) || cr_time(row, used, &t) ||
			    !cr_time(row, rotated, &rot) ||
			    rot - created > USER_WITH_KEY_SECONDS || created - rot > USER_WITH_KEY_SECONDS)
				continue;
			id = key_id(c, row, k);
			f = check_find(o, jstr(row, "arn"), jstr(row, "user"),
			    "access key %s was created with the user and never used",
			    id ? id : k == 1 ? "1" : "2");
			check_ev_str(f, "access_key_id", id);
			check_ev_int(f, "key", k);
			check_ev_str(f, "created", jstr(row, rotated));
			check_ev_str(f, "user_created", jstr(row, "user_creation_time"));
			check_ev_str(f, "last_used", jstr(row, used));
			check_fill(o, "user", jstr(row, "user"));
			check_fill(o, "key_id", id);
		}
	}
}

/*
 * USER-03, CIS 1.12 as the benchmark writes it: a credential never used
 * counts from when it was set (the password's last change, the key's
 * creation), so a never-used credential does not pass forever.
 */
void
check_grade_user_unused(struct check_ctx *c, struct check_out *o)
{
	const int limit = c->cfg->credential_unused_days;
	char active[64], rotated[64], used[64];
	const json_t *row;
	const char *id;
	time_t t;
	long days;
	json_t *f;
	size_t i;
	int k;

	if (!have_users(c, o))
		return;
	json_array_foreach(c->cr_users, i, row) {
		if (cr_true(row, "password_enabled")) {
			int never = !cr_time(row, "password_last_used", &t);

			if ((!never || cr_time(row, "password_last_changed", &t) ||
			    cr_time(row, "user_creation_time", &t)) &&
			    (days = time_days(t, c->now)) >= limit) {
				f = check_find(o, jstr(row, "arn"), jstr(row, "user"), never ?
				    "console password never used, set %ld days ago (limit %d)" :
				    "console password unused for %ld days (limit %d)", days, limit);
				check_ev_str(f, "password_last_used", jstr(row, "password_last_used"));
				check_ev_str(f, "password_last_changed", jstr(row, "password_last_changed"));
				check_ev_int(f, "days", days);
				check_fill(o, "login", jstr(row, "user"));
			}
		}
		for (k = 1; k <= 2; k++) {
			int never;

			snprintf(active, sizeof(active), "access_key_%d_active", k);
			snprintf(rotated, sizeof(rotated), "access_key_%d_last_rotated", k);
			snprintf(used, sizeof(used), "access_key_%d_last_used_date", k);
			if (!cr_true(row, active))
				continue;
			never = !cr_time(row, used, &t);
			if ((never && !cr_time(row, rotated, &t)) || (days = time_days(t, c->now)) < limit)
				continue;
			id = key_id(c, row, k);
			f = check_find(o, jstr(row, "arn"), jstr(row, "user"), never ?
			    "access key %s never used, created %ld days ago (limit %d)" :
			    "access key %s unused for %ld days (limit %d)",
			    id ? id : k == 1 ? "1" : "2", days, limit);
			check_ev_str(f, "access_key_id", id);
			check_ev_int(f, "key", k);
			check_ev_str(f, "last_used", jstr(row, used));
			check_ev_str(f, "created", jstr(row, rotated));
			check_ev_int(f, "days", days);
			check_fill(o, "user", jstr(row, "user"));
			check_fill(o, "key_id", id);
		}
	}
}

void
check_grade_user_one_key(struct check_ctx *c, struct check_out *o)
{
	const json_t *row, *keys, *k, *oldest;
	time_t t, tmin;
	json_t *f, *ids;
	size_t i, j, n;

	if (!have_users(c, o))
		return;
	json_array_foreach(c->cr_users, i, row) {
		if (keys_disagree(c, o, row))
			continue;
		keys = json_object_get(c->keys_by_user, jstr(row, "user"));
		ids = json_array();
		oldest = NULL;
		tmin = 0;
		n = 0;
		json_array_foreach(keys, j, k) {
			if (strcmp(jstr(k, "Status"), "Active") != 0)
				continue;
			n++;
			json_array_append_new(ids, json_string(jstr(k, "AccessKeyId")));
			time_parse(jstr(k, "CreateDate"), &t);
			if (oldest == NULL || t < tmin) {
				oldest = k;
				tmin = t;
			}
		}
		if (n >= 2) {
			f = check_find(o, jstr(row, "arn"), jstr(row, "user"),
			    "%zu active access keys (at most 1)", n);
			check_ev_json(f, ids, "access_key_ids");
			check_ev_int(f, "active_keys", (long long)n);
			check_ev_str(f, "oldest", jstr(oldest, "AccessKeyId"));
			check_fill(o, "user", jstr(row, "user"));
			check_fill(o, "key_id", jstr(oldest, "AccessKeyId"));
		}
		json_decref(ids);
	}
}

void
check_grade_user_rotation(struct check_ctx *c, struct check_out *o)
{
	const json_t *row, *keys, *k;
	time_t t;
	long days;
	json_t *f;
	size_t i, j;

	if (!have_users(c, o))
		return;
	json_array_foreach(c->cr_users, i, row) {
		if (keys_disagree(c, o, row))
			continue;
		keys = json_object_get(c->keys_by_user, jstr(row, "user"));
		json_array_foreach(keys, j, k) {
			if (strcmp(jstr(k, "Status"), "Active") != 0 ||
			    !time_parse(jstr(k, "CreateDate"), &t) ||
			    (days = time_days(t, c->now)) <= c->cfg->key_rotation_days)
				continue;
			f = check_find(o, jstr(row, "arn"), jstr(row, "user"),
			    "access key %s is %ld days old (limit %d)", jstr(k, "AccessKeyId"),
			    days, c->cfg->key_rotation_days);
			check_ev_str(f, "access_key_id", jstr(k, "AccessKeyId"));
			check_ev_int(f, "age_days", days);
			check_ev_str(f, "created", jstr(k, "CreateDate"));
			check_fill(o, "user", jstr(row, "user"));
			check_fill(o, "key_id", jstr(k, "AccessKeyId"));
		}
	}
}

void
check_grade_user_password_age(struct check_ctx *c, struct check_out *o)
{
	const json_t *pp = c->data[CHECK_SRC_PASSWORD_POLICY], *row;
	long long limit = c->cfg->user_password_max_age_days;
	const char *from = "default";
	time_t t;
	long days;
	json_t *f;
	size_t i;

	if (!have_users(c, o))
		return;
	if (pp != NULL && jbool(pp, "ExpirePasswords", 1) && jint(pp, "MaxPasswordAge", 0) > 0) {
		limit = jint(pp, "MaxPasswordAge", 0);
		from = "password policy MaxPasswordAge";
	} else if (pp == NULL && !c->absent[CHECK_SRC_PASSWORD_POLICY])
		from = "default (the password policy could not be read)";
	json_array_foreach(c->cr_users, i, row) {
		if (!cr_true(row, "password_enabled") || !cr_time(row, "password_last_changed", &t) ||
		    (days = time_days(t, c->now)) <= limit)
			continue;
		f = check_find(o, jstr(row, "arn"), jstr(row, "user"),
		    "console password is %ld days old (limit %lld, %s)", days, limit, from);
		check_ev_str(f, "password_last_changed", jstr(row, "password_last_changed"));
		check_ev_int(f, "age_days", days);
		check_ev_int(f, "limit", limit);
		check_ev_str(f, "limit_from", from);
		check_fill(o, "login", jstr(row, "user"));
	}
}

void
check_grade_user_groups(struct check_ctx *c, struct check_out *o)
{
	const json_t *users = json_object_get(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], "users");
	const json_t *u, *p;
	json_t *f;
	size_t i, j;

	if (json_array_size(users) == 0) {
		check_na(o, "the account has no IAM users");
		return;
	}
	json_array_foreach(users, i, u) {
		json_array_foreach(json_object_get(u, "AttachedManagedPolicies"), j, p) {
			f = check_find(o, jstr(u, "Arn"), jstr(u, "UserName"),
			    "managed policy %s is attached to the user", jstr(p, "PolicyName"));
			check_ev_str(f, "policy_arn", jstr(p, "PolicyArn"));
			check_fill(o, "user", jstr(u, "UserName"));
			check_fill(o, "policy_arn", jstr(p, "PolicyArn"));
		}
		json_array_foreach(json_object_get(u, "UserPolicyList"), j, p) {
			f = check_find(o, jstr(u, "Arn"), jstr(u, "UserName"),
			    "inline policy %s is embedded in the user", jstr(p, "PolicyName"));
			check_ev_str(f, "policy_name", jstr(p, "PolicyName"));
			check_fill(o, "user", jstr(u, "UserName"));
			check_fill(o, "policy_name", jstr(p, "PolicyName"));
		}
	}
}
