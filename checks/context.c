/*
 * The grading context of one snapshot: which sources are usable (and why
 * not), the indexes by name that keep grading linear in the number of
 * users and roles, and the CreateRole events resolved against the roles
 * that exist now.
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/catalogue.h"
#include "policy/policy.h"

int
cr_true(const json_t *row, const char *col)
{
	const char *s = jstr(row, col);

	return s != NULL && strcasecmp(s, "true") == 0;
}

int
cr_time(const json_t *row, const char *col, time_t *t)
{
	return time_parse(jstr(row, col), t);
}

int
check_is_aws_policy(const char *arn, const char *name)
{
	const char *p;

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0 ||
	    (p = strstr(arn, ":iam::aws:policy/")) == NULL)
		return 0;
	p += strlen(":iam::aws:policy/");
	/* AWS-managed policies may sit under a path (service-role/...). */
	if (strrchr(p, '/') != NULL)
		p = strrchr(p, '/') + 1;
	return strcmp(p, name) == 0;
}

/* "password_policy: iam:GetAccountPasswordPolicy denied (AccessDenied: ...)" */
char *
check_source_why(const char *name, const json_t *src)
{
	const char *st, *call, *code, *msg;
	const json_t *e;

	if (src == NULL)
		return xasprintf("%s: not in the snapshot", name);
	st = jstr(src, "status");
	call = jstr(src, "api_call");
	e = json_object_get(src, "error");
	code = jstr(e, "code");
	msg = jstr(e, "message");
	if (strcmp(st, "absent") == 0)
		return xasprintf("%s: %s found nothing to read (absent)", name,
		    call ? call : "the call");
	if (strcmp(st, "invalid") == 0)
		return xasprintf("%s: %s answered with data that is not what AWS documents "
		    "(%s%s%s)", name, call ? call : "the call", code ? code : "InvalidData",
		    msg ? ": " : "", msg ? msg : "");
	if (strcmp(st, "partial") == 0)
		return xasprintf("%s: %s stopped at a limit, so the data is incomplete "
		    "(%s%s%s)", name, call ? call : "the call", code ? code : "no error code",
		    msg ? ": " : "", msg ? msg : "");
	return xasprintf("%s: %s %s (%s%s%s)", name, call ? call : "the call",
	    strcmp(st, "denied") == 0 ? "denied" : "failed",
	    code ? code : "no error code", msg ? ": " : "", msg ? msg : "");
}

static void
init_sources(struct check_ctx *c)
{
	const json_t *srcs = json_object_get(c->snap, "sources"), *s;
	const char *gen;
	time_t t;
	long hours;
	int i;

	for (i = 0; i < CHECK_SRC__MAX; i++) {
		s = json_object_get(srcs, check_source_names[i]);
		if (s != NULL && strcmp(jstr(s, "status"), "ok") == 0)
			c->data[i] = json_object_get(s, "data");
		else if (s != NULL && strcmp(jstr(s, "status"), "partial") == 0) {
			c->data[i] = json_object_get(s, "data");
			c->partial[i] = 1;
			c->why[i] = check_source_why(check_source_names[i], s);
		} else {
			c->absent[i] = s != NULL && strcmp(jstr(s, "status"), "absent") == 0;
			c->why[i] = check_source_why(check_source_names[i], s);
		}
	}
	/* A stale credential report would grade a past account. */
	if (c->data[CHECK_SRC_CREDENTIAL_REPORT] != NULL) {
		gen = jstr(c->data[CHECK_SRC_CREDENTIAL_REPORT], "generated_time");
		time_parse(gen, &t);
		hours = (long)((c->now - t) / 3600);
		if (c->now - t > (time_t)c->cfg->credential_report_max_age_hours * 3600) {
			c->data[CHECK_SRC_CREDENTIAL_REPORT] = NULL;
			c->partial[CHECK_SRC_CREDENTIAL_REPORT] = 0;
			free(c->why[CHECK_SRC_CREDENTIAL_REPORT]);
			c->why[CHECK_SRC_CREDENTIAL_REPORT] = xasprintf(
			    "credential_report: the credential report is %ld hours old "
			    "(generated %s, collection started %s; limit %d hours)",
			    hours, gen, jstr(jpath(c->snap, "collection"), "started"),
			    c->cfg->credential_report_max_age_hours);
		}
	}
}

static void
index_by(json_t *index, const json_t *list, const char *key)
{
	const json_t *e;
	const char *k;
	size_t i;

	json_array_foreach(list, i, e)
		if ((k = jstr(e, key)) != NULL)
			json_object_set(index, k, (json_t *)e);
}

static void
init_indexes(struct check_ctx *c)
{
	const json_t *cr = c->data[CHECK_SRC_CREDENTIAL_REPORT];
	const json_t *keys = c->data[CHECK_SRC_ACCESS_KEYS];
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS];
	const json_t *row, *k, *list;
	size_t i;

	c->cr_users = json_array();
	json_array_foreach(json_object_get(cr, "rows"), i, row) {
		if (strcmp(jstr(row, "user"), "<root_account>") == 0)
			c->cr_root = row;
		else
			json_array_append(c->cr_users, (json_t *)row);
	}
	c->keys_by_user = json_object();
	json_array_foreach(keys, i, k) {
		const char *u = jstr(k, "UserName");

		if ((list = json_object_get(c->keys_by_user, u)) == NULL) {
			json_object_set_new(c->keys_by_user, u, json_array());
			list = json_object_get(c->keys_by_user, u);
		}
		json_array_append((json_t *)list, (json_t *)k);
	}
	c->roles_by_name = json_object();
	index_by(c->roles_by_name, json_object_get(az, "roles"), "RoleName");
	c->policies_by_arn = json_object();
	index_by(c->policies_by_arn, json_object_get(az, "policies"), "Arn");
	c->groups_by_name = json_object();
	index_by(c->groups_by_name, json_object_get(az, "groups"), "GroupName");
	c->pdoc_index = json_object();
}

/* Active keys of a credential-report row (access_key_N_active). */
static int
report_active_keys(const json_t *row)
{
	return cr_true(row, "access_key_1_active") + cr_true(row, "access_key_2_active");
}

/*
 * Cross-source consistency, as reasons: ListAccessKeys must list at least
 * as many keys as the credential report shows active.  The report may be
 * hours old, so a key made since, or one listed Inactive (deactivated
 * since: the live answer says so), is no contradiction; a key missing from
 * the list is, since nothing tells a deleted key from one left out.  And a
 * user with an assigned virtual MFA device is not without MFA.
 */
static void
init_disagreements(struct check_ctx *c)
{
	const json_t *keys = c->data[CHECK_SRC_ACCESS_KEYS];
	const json_t *devs = c->data[CHECK_SRC_VIRTUAL_MFA_DEVICES];
	const json_t *row, *d;
	json_t *byarn;
	const char *user;
	size_t i;
	int want, have;

	c->keys_disagree = json_object();
	c->mfa_disagree = json_object();
	if (keys != NULL)
		json_array_foreach(c->cr_users, i, row) {
			user = jstr(row, "user");
			if ((want = report_active_keys(row)) == 0)
				continue;
			have = (int)json_array_size(json_object_get(c->keys_by_user, user));
			if (have < want)
				json_object_set_new(c->keys_disagree, user, json_sprintf(
				    "the credential report shows %d active access key%s, "
				    "ListAccessKeys listed %d key%s in all: the sources disagree",
				    want, want == 1 ? "" : "s", have, have == 1 ? "" : "s"));
		}
	if (devs == NULL)
		return;
	byarn = json_object();
	json_array_foreach(c->cr_users, i, row)
		json_object_set(byarn, jstr(row, "arn"), (json_t *)row);
	json_array_foreach(devs, i, d) {
		const json_t *u = json_object_get(d, "User");

		if (u == NULL || (row = json_object_get(byarn, jstr(u, "Arn"))) == NULL ||
		    cr_true(row, "mfa_active"))
			continue;
		json_object_set_new(c->mfa_disagree, jstr(row, "user"), json_sprintf(
		    "virtual MFA device %s is assigned to the user, the credential report "
		    "says mfa_active %s: the sources disagree", jstr(d, "SerialNumber"),
		    jstr(row, "mfa_active")));
	}
	json_decref(byarn);
}

static void
init_trusted(struct check_ctx *c)
{
	const json_t *org = json_object_get(c->snap, "organization"), *a;
	size_t i;

	c->trusted = json_object();
	json_object_set_new(c->trusted, c->account, json_true());
	if (json_is_object(org) && strcmp(jstr(org, "status"), "ok") == 0) {
		const json_t *d = json_object_get(org, "data");

		c->org_id = jstr(d, "id");
		c->org_known = json_is_array(json_object_get(d, "accounts"));
		json_array_foreach(json_object_get(d, "accounts"), i, a) {
			const char *id = json_is_string(a) ? json_string_value(a) : jstr(a, "Id");

			json_object_set_new(c->trusted, id, json_true());
		}
	}
	for (i = 0; c->cfg->trusted_accounts && c->cfg->trusted_accounts[i]; i++)
		json_object_set_new(c->trusted, c->cfg->trusted_accounts[i], json_true());
}

/* "arn:aws-cn:..." -> "aws-cn", from the caller's ARN; "aws" otherwise. */
static char *
partition(const json_t *snap)
{
	const char *arn = jstr(json_object_get(snap, "caller"), "arn");
	const char *p, *q;

	if (arn != NULL && strncmp(arn, "arn:", 4) == 0 &&
	    (q = strchr(p = arn + 4, ':')) != NULL && q > p && q - p < 20)
		return xstrndup(p, (size_t)(q - p));
	return xstrdup("aws");
}

static const char *
role_name_of(const json_t *ev, const json_t *rec)
{
	const json_t *r;
	const char *n;
	size_t i;

	if ((n = jstr(json_object_get(rec, "requestParameters"), "roleName")) != NULL)
		return n;
	json_array_foreach(json_object_get(ev, "Resources"), i, r)
		if ((n = jstr(r, "ResourceType")) != NULL &&
		    strcmp(n, "AWS::IAM::Role") == 0)
			return jstr(r, "ResourceName");
	return NULL;
}

void
check_role_event(struct check_ctx *c, struct check_role *r, const json_t *ev)
{
	const json_t *rec = json_object_get(ev, "CloudTrailEvent"), *ui;

	if (json_is_string(rec)) {
		json_t *p = json_loads(json_string_value(rec), 0, NULL);

		if (json_is_object(p))
			json_array_append(c->owned, p);
		rec = json_is_object(p) ? p : NULL;
		json_decref(p);
	}
	r->record = rec;
	ui = json_object_get(rec, "userIdentity");
	r->event_id = jstr(rec, "eventID") ? jstr(rec, "eventID") : jstr(ev, "EventId");
	r->time = jstr(rec, "eventTime") ? jstr(rec, "eventTime") : jstr(ev, "EventTime");
	r->creator_arn = jstr(ui, "arn");
	r->creator_type = jstr(ui, "type");
	r->source_ip = jstr(rec, "sourceIPAddress");
	r->user_agent = jstr(rec, "userAgent");
	r->error_code = jstr(rec, "errorCode");
	r->error_message = jstr(rec, "errorMessage");
	if (r->creator_arn == NULL && r->creator_type != NULL &&
	    strcmp(r->creator_type, "Root") == 0)
		r->creator_arn = c->root_arn;
}

static void
resolve_role(struct check_ctx *c, struct check_role *r, const json_t *ev,
    const char *part)
{
	const json_t *rec, *req, *doc;
	const char *path;
	char *err = NULL;

	check_role_event(c, r, ev);
	rec = r->record;
	req = json_object_get(rec, "requestParameters");
	r->name = role_name_of(ev, rec);

	if (r->name != NULL && c->data[CHECK_SRC_AUTHORIZATION_DETAILS] != NULL) {
		r->role = json_object_get(c->roles_by_name, r->name);
		r->exists = r->role != NULL;
	} else
		r->exists = -1;
	if (r->role != NULL && jstr(r->role, "Arn") != NULL)
		r->arn = xstrdup(jstr(r->role, "Arn"));
	else if (jstr(jpath(rec, "responseElements.role"), "arn") != NULL)
		r->arn = xstrdup(jstr(jpath(rec, "responseElements.role"), "arn"));
	else if (r->name != NULL) {
		path = jstr(req, "path");
		if (path == NULL || path[0] != '/')
			path = "/";
		r->arn = xasprintf("arn:%s:iam::%s:role%s%s", part, c->account, path, r->name);
	}

	/* The role's trust as it is now; as it was created when it is gone. */
	if (rec == NULL)
		r->trust_err = xstrdup("the CloudTrail record does not parse");
	else {
		doc = r->role != NULL ? json_object_get(r->role, "AssumeRolePolicyDocument") :
		    json_object_get(req, "assumeRolePolicyDocument");
		if ((r->trust = pol_parse(doc, POL_TRUST, NULL, &err)) == NULL) {
			r->trust_err = xasprintf("%s trust policy %s",
			    r->role != NULL ? "the role's" : "the CreateRole request's", err);
			free(err);
		}
	}
}

static void
init_roles(struct check_ctx *c)
{
	const json_t *events = json_object_get(c->data[CHECK_SRC_CREATE_ROLE_EVENTS], "events");
	const json_t *ev, *rec;
	const char *en;
	size_t i;

	c->owned = json_array();
	c->roles = xcalloc(json_array_size(events) + 1, sizeof(*c->roles));
	json_array_foreach(events, i, ev) {
		rec = json_object_get(ev, "CloudTrailEvent");
		en = jstr(ev, "EventName") ? jstr(ev, "EventName") : jstr(rec, "eventName");
		if (en != NULL && strcmp(en, "CreateRole") != 0)
			continue;
		resolve_role(c, &c->roles[c->nroles], ev, c->partition);
		if (c->roles[c->nroles].error_code == NULL)
			c->nroles_created++;
		c->nroles++;
	}
}

void
check_roles_free(struct check_role *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].arn);
		pol_free(r[i].trust);
		free(r[i].trust_err);
	}
	free(r);
}

int
check_ctx_init(struct check_ctx *c, const json_t *snap, const struct check_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->snap = snap;
	c->cfg = cfg;
	c->account = jstr(json_object_get(snap, "account"), "id");
	if (!time_parse(jstr(jpath(snap, "collection"), "started"), &c->now))
		return 0;
	c->partition = partition(snap);
	c->root_arn = xasprintf("arn:%s:iam::%s:root", c->partition, c->account);
	init_sources(c);
	init_indexes(c);
	init_disagreements(c);
	init_trusted(c);
	init_roles(c);
	c->pcache = pcat_cache_new();
	return 1;
}

void
check_ctx_free(struct check_ctx *c)
{
	size_t i;

	check_priv_free(c);
	check_changes_free(c);
	json_decref(c->lp);
	for (i = 0; i < CHECK_SRC__MAX; i++)
		free(c->why[i]);
	check_roles_free(c->roles, c->nroles);
	free(c->root_arn);
	free(c->partition);
	json_decref(c->owned);
	pcat_cache_free(c->pcache);
	json_decref(c->cr_users);
	json_decref(c->keys_by_user);
	json_decref(c->keys_disagree);
	json_decref(c->mfa_disagree);
	json_decref(c->roles_by_name);
	json_decref(c->policies_by_arn);
	json_decref(c->groups_by_name);
	json_decref(c->pdoc_index);
	for (i = 0; i < c->npdocs; i++)
		check_pdoc_free(c->pdocs[i]);
	free(c->pdocs);
	json_decref(c->trusted);
}
