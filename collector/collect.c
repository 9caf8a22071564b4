/* One account's collection: every source in order, each with its status, into a snapshot. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/sources.h"
#include "snapshot/snapshot.h"

#define COLLECT_WINDOW_DAYS	30

/* The 12-digit account id of an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:...). */
static char *
collect_arn_account(const char *arn)
{
	const char *p = arn;
	size_t n;
	int i;

	for (i = 0; i < 4 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	n = strcspn(p, ":");
	for (i = 0; i < (int)n; i++)
		if (!isdigit((unsigned char)p[i]))
			return NULL;
	return n == 12 ? xstrndup(p, n) : NULL;
}

/* Add a problem line for src (named name) when it is neither ok nor absent. */
static void
collect_problem(json_t *problems, const char *name, const json_t *src)
{
	enum snap_status st = src_status(src);

	if (st == SNAP_ST_OK || st == SNAP_ST_ABSENT)
		return;
	json_array_append_new(problems, json_sprintf("%s: %s %s: %s: %s", name,
	    jstr(src, "api_call") ? jstr(src, "api_call") : "?",
	    jstr(src, "status") ? jstr(src, "status") : "?",
	    json_string_value(jpath(src, "error.code")) ?
	    json_string_value(jpath(src, "error.code")) : "?",
	    json_string_value(jpath(src, "error.message")) ?
	    json_string_value(jpath(src, "error.message")) : ""));
}

/* Whether the source name was left out on request (collection.skipped). */
static int
collect_skipped(const json_t *snap, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(jpath(snap, "collection.skipped"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/*
 * A last-accessed job that failed is a problem of its principal only: one
 * line says how many, and the first reason, so the run still reports the
 * collection incomplete (exit 3) as for a failed trail call.
 */
static void
collect_la_problems(json_t *problems, const json_t *src)
{
	const json_t *p, *first = NULL;
	size_t i, bad = 0;

	if (src_status(src) != SNAP_ST_OK)
		return;
	json_array_foreach(jpath(src, "data.principals"), i, p) {
		if (jstr(p, "status") != NULL && (strcmp(jstr(p, "status"), "ok") == 0 ||
		    strcmp(jstr(p, "status"), "absent") == 0))
			continue;
		if (bad++ == 0)
			first = p;
	}
	if (bad == 0)
		return;
	json_array_append_new(problems, json_sprintf("last_accessed: %zu of %zu principals "
	    "not read, first %s: %s: %s: %s", bad, json_array_size(jpath(src, "data.principals")),
	    jstr(first, "Arn"), jstr(first, "status"),
	    json_string_value(jpath(first, "error.code")) ?
	    json_string_value(jpath(first, "error.code")) : "?",
	    json_string_value(jpath(first, "error.message")) ?
	    json_string_value(jpath(first, "error.message")) : ""));
}

/* collection.complete and collection.problems, from the sources. */
static void
collect_verdict(json_t *snap, int reached)
{
	json_t *sources = json_object_get(snap, "sources"), *coll, *problems, *t;
	const char *name;
	char *label;
	size_t i;
	int s;

	problems = json_array();
	if (!reached) {
		/* Every source carries the same failure: say it once. */
		collect_problem(problems, "account not reached",
		    json_object_get(sources, snap_source_names[SNAP_SRC_CALLER_IDENTITY]));
		goto out;
	}
	for (s = 0; s < SNAP_SRC__MAX; s++) {
		/* Skipped on request (--no-last-accessed): not a problem of the account. */
		if (json_object_get(sources, snap_source_names[s]) == NULL &&
		    collect_skipped(snap, snap_source_names[s]))
			continue;
		collect_problem(problems, snap_source_names[s],
		    json_object_get(sources, snap_source_names[s]));
	}
	collect_la_problems(problems, json_object_get(sources, "last_accessed"));
	/* Per-trail calls are sources of their own: a denied one counts. */
	json_array_foreach(jpath(sources, "trails.data"), i, t) {
		name = json_string_value(jpath(t, "trail.Name"));
		label = xasprintf("trails[%s].status", name ? name : "?");
		collect_problem(problems, label, json_object_get(t, "status"));
		free(label);
		label = xasprintf("trails[%s].event_selectors", name ? name : "?");
		collect_problem(problems, label, json_object_get(t, "event_selectors"));
		free(label);
	}
	if (json_object_get(snap, "organization") != NULL)
		collect_problem(problems, "organization", json_object_get(snap, "organization"));
out:
	coll = json_object_get(snap, "collection");
	json_object_set_new(coll, "complete", json_boolean(reached && json_array_size(problems) == 0));
	json_object_set_new(coll, "problems", problems);
}

/*
 * The organization as the snapshot holds it: its id and account ids, or,
 * when the run keeps the list once in its folder (in), where and its hash.
 */
static json_t *
collect_organization(const json_t *org, const char *in)
{
	json_t *ids = json_array(), *a;
	char sha[65];
	size_t i;

	json_array_foreach(json_object_get(org, "accounts"), i, a) {
		/* Accept orgs_list_accounts' account objects as well as ids. */
		if (json_is_object(a))
			a = json_object_get(a, "Id");
		if (json_is_string(a))
			json_array_append(ids, a);
	}
	if (in != NULL) {
		snap_org_sha256(ids, sha);
		a = json_pack("{s:O?, s:s, s:s, s:I}", "id", json_object_get(org, "id"),
		    "accounts_in", in, "accounts_sha256", sha,
		    "accounts_count", (json_int_t)json_array_size(ids));
		json_decref(ids);
		return src_ok("organizations:ListAccounts", a);
	}
	return src_ok("organizations:ListAccounts", json_pack("{s:O?, s:o}",
	    "id", json_object_get(org, "id"), "accounts", ids));
}

/* The snapshot's frame, with every member the format names but the verdict. */
static json_t *
collect_frame(const char *account_id, const struct collect_target *t,
    const struct collect_opts *o, int window)
{
	const struct aws_config *cfg = o->cfg;
	json_t *snap, *eps;
	int s;

	eps = json_object();
	for (s = 0; s < AWS_SVC__MAX; s++)
		json_object_set_new(eps, aws_svc_names[s], jstring(cfg->endpoint[s]));
	snap = json_pack("{s:s, s:{s:s, s:s}, s:{s:o, s:n, s:o}, s:n, s:o, s:o,"
	    " s:{s:I, s:[]}, s:{}}",
	    "schema", SNAP_SCHEMA,
	    "tool", "name", "iamgrade", "version", IAMGRADE_VERSION,
	    "account", "id", jstring(account_id), "alias", "name", jstring(t->name),
	    "caller",
	    "region", jstring(cfg->region),
	    "endpoints", eps,
	    "collection", "window_days", (json_int_t)window, "skipped",
	    "sources");
	if (o->organization != NULL)
		json_object_set_new(snap, "organization", snap_source_check("organization",
		    collect_organization(o->organization, o->organization_in)));
	return snap;
}

/* extra: calls sent on clients of their own (the last-accessed workers). */
static void
collect_times(json_t *snap, time_t started, struct aws_client *c,
    const struct iam_la_count *extra)
{
	json_t *coll = json_object_get(snap, "collection");
	char buf[21];

	json_object_set_new(coll, "started", json_string(time_fmt(started, buf)));
	json_object_set_new(coll, "finished", json_string(time_fmt(time(NULL), buf)));
	json_object_set_new(coll, "api_calls", json_integer(aws_client_calls(c) + extra->calls));
	json_object_set_new(coll, "retries", json_integer(aws_client_retries(c) + extra->retries));
	if (extra->concurrency > 0)
		json_object_set_new(coll, "last_accessed", json_pack("{s:i, s:i, s:I, s:I, s:I}",
		    "concurrency", extra->concurrency, "wait_s", extra->wait_s,
		    "api_calls", (json_int_t)extra->calls, "retries", (json_int_t)extra->retries,
		    "ms", (json_int_t)extra->ms));
}

/* Every source of an account that could not be read carries the failure. */
static void
collect_unreachable(json_t *snap, const json_t *fail)
{
	json_t *sources = json_object_get(snap, "sources");
	int s;

	for (s = 0; s < SNAP_SRC__MAX; s++)
		json_object_set_new(sources, snap_source_names[s], json_deep_copy(fail));
}

/*
 * Keep a source (stolen) in the snapshot, checked first against what AWS
 * documents (snapshot/): data that breaks a rule is written "invalid" with
 * the rule, never "ok".  Returns the source as kept (borrowed).
 */
static json_t *
collect_set(json_t *snap, const char *account, const char *name, json_t *src)
{
	src = snap_source_check(name, src);
	log_verbose("%s: %s: %s", account, name, snap_status_names[src_status(src)]);
	json_object_set_new(json_object_get(snap, "sources"), name, src);
	return src;
}

/* What reading one source of a reachable account may use. */
struct collect_run {
	const struct collect_opts	*o;
	time_t				 started;
	int				 window;	/* days */
	json_t				*kept[SNAP_SRC__MAX];	/* each source, checked */
	unsigned char			 skipped[SNAP_SRC__MAX];	/* not read, on request */
	struct iam_la_count		 la;		/* the last-accessed workers' cost */
};

typedef json_t *collect_read_fn(struct aws_client *, struct collect_run *);

static json_t *
read_aliases(struct aws_client *c, struct collect_run *r)
{
	return iam_account_aliases(c);
}

static json_t *
read_password_policy(struct aws_client *c, struct collect_run *r)
{
	return iam_password_policy(c);
}

static json_t *
read_account_summary(struct aws_client *c, struct collect_run *r)
{
	return iam_account_summary(c);
}

static json_t *
read_mfa_devices(struct aws_client *c, struct collect_run *r)
{
	return iam_virtual_mfa_devices(c);
}

static json_t *
read_authz(struct aws_client *c, struct collect_run *r)
{
	return iam_authorization_details(c);
}

/*
 * One job per role and user of the authorization details just read, on
 * workers of their own, each with a sibling of c (the same session, and
 * the same renewal of the role's credentials when they run out).  NULL
 * when skipped on request (--no-last-accessed).
 */
static json_t *
read_last_accessed(struct aws_client *c, struct collect_run *r)
{
	struct iam_la_opts la = { r->o->la_jobs, r->o->la_wait_s };

	if (r->o->no_last_accessed)
		return NULL;
	return iam_last_accessed(c, r->kept[SNAP_SRC_AUTHORIZATION_DETAILS], &la, &r->la);
}

static json_t *
read_trails(struct aws_client *c, struct collect_run *r)
{
	return ct_trails(c, r->o->cfg);
}

static json_t *
read_events(struct aws_client *c, struct collect_run *r)
{
	return ct_create_role_events(c, r->o->cfg,
	    r->started - (time_t)r->window * 86400, r->started);
}

/* After the trails (their home regions) and CreateRole's series (the pace). */
static json_t *
read_changes(struct aws_client *c, struct collect_run *r)
{
	return ct_change_events(c, r->o->cfg, r->kept[SNAP_SRC_TRAILS],
	    r->started - (time_t)r->window * 86400, r->started);
}

static json_t *
read_report(struct aws_client *c, struct collect_run *r)
{
	struct iam_report rep;

	iam_report_start(c, &rep, r->o->report_wait_s);
	return iam_report_finish(c, &rep);
}

/* An invalid report names no key holders: the keys depend on it as kept. */
static json_t *
read_keys(struct aws_client *c, struct collect_run *r)
{
	return iam_access_keys(c, r->kept[SNAP_SRC_CREDENTIAL_REPORT]);
}

/*
 * How each source of snapshot/'s list (SNAP_SOURCES) is read.  The
 * independent ones are in flight together (collector/parallel.c), so an
 * account takes as long as its longest chain of calls that depend on each
 * other; a step with an `after` is read right after that source, on the
 * same thread (the access keys need the report's key holders).  Rows are
 * handed out in this order: the longest chains first (the trails, whose
 * home regions the change events search, then the LookupEvents series
 * one after the other, paced at 2 per second together, the pages of GetAccountAuthorizationDetails, the
 * report and then ListAccessKeys per key holder).  caller_identity has no
 * row: it is read first, to learn the account (collect_identify).  A new
 * source is a row here.
 */
#define COLLECT_NONE	SNAP_SRC__MAX
static const struct collect_step {
	enum snap_source	  id;
	collect_read_fn		 *read;
	enum snap_source	  after;	/* COLLECT_NONE: starts at once */
	const char		 *call;		/* its first call, for a source never read */
} collect_steps[] = {
	{ SNAP_SRC_TRAILS,			read_trails,		COLLECT_NONE,
	    "cloudtrail:DescribeTrails" },
	{ SNAP_SRC_CREATE_ROLE_EVENTS,		read_events,		SNAP_SRC_TRAILS,
	    "cloudtrail:LookupEvents" },
	{ SNAP_SRC_CHANGE_EVENTS,		read_changes,		SNAP_SRC_CREATE_ROLE_EVENTS,
	    "cloudtrail:LookupEvents" },
	{ SNAP_SRC_AUTHORIZATION_DETAILS,	read_authz,		COLLECT_NONE,
	    "iam:GetAccountAuthorizationDetails" },
	{ SNAP_SRC_CREDENTIAL_REPORT,		read_report,		COLLECT_NONE,
	    "iam:GenerateCredentialReport" },
	{ SNAP_SRC_ACCESS_KEYS,			read_keys,		SNAP_SRC_CREDENTIAL_REPORT,
	    "iam:ListAccessKeys" },
	{ SNAP_SRC_LAST_ACCESSED,		read_last_accessed,	SNAP_SRC_AUTHORIZATION_DETAILS,
	    "iam:GenerateServiceLastAccessedDetails" },
	{ SNAP_SRC_ACCOUNT_ALIASES,		read_aliases,		COLLECT_NONE,
	    "iam:ListAccountAliases" },
	{ SNAP_SRC_PASSWORD_POLICY,		read_password_policy,	COLLECT_NONE,
	    "iam:GetAccountPasswordPolicy" },
	{ SNAP_SRC_ACCOUNT_SUMMARY,		read_account_summary,	COLLECT_NONE,
	    "iam:GetAccountSummary" },
	{ SNAP_SRC_VIRTUAL_MFA_DEVICES,		read_mfa_devices,	COLLECT_NONE,
	    "iam:ListVirtualMFADevices" },
};
#define COLLECT_NSTEPS	(sizeof(collect_steps) / sizeof(collect_steps[0]))
_Static_assert(COLLECT_NSTEPS == SNAP_SRC__MAX - 1,
    "every source but caller_identity has a step");

/* Read step i and, on the same thread, the steps that come after it; each checked (snapshot/). */
static void
collect_chain(struct aws_client *c, struct collect_run *r, size_t i)
{
	enum snap_source id = collect_steps[i].id;
	json_t *src = collect_steps[i].read(c, r);
	size_t j;

	if (src == NULL)
		r->skipped[id] = 1;
	else
		r->kept[id] = snap_source_check(snap_source_names[id], src);
	for (j = 0; j < COLLECT_NSTEPS; j++)
		if (collect_steps[j].after == id)
			collect_chain(c, r, j);
}

/* The n-th step that starts at once (src_parallel's item n). */
static int
collect_task(struct aws_client *c, size_t n, void *arg)
{
	size_t i;

	for (i = 0; i < COLLECT_NSTEPS; i++)
		if (collect_steps[i].after == COLLECT_NONE && n-- == 0) {
			collect_chain(c, arg, i);
			break;
		}
	return 1;
}

/*
 * Every source of a reachable account.  The snapshot takes them in the
 * list's order once all have finished, so it does not depend on timing; a
 * source never read (the run was cancelled first) is an error.
 */
static void
collect_sources_all(json_t *snap, const char *account, struct aws_client *c,
    const struct collect_opts *o, time_t started, int window, struct iam_la_count *extra)
{
	struct collect_run run = { .o = o, .started = started, .window = window };
	enum snap_source id;
	json_t *src;
	const json_t *alias;
	size_t i, heads = 0;

	for (i = 0; i < COLLECT_NSTEPS; i++)
		heads += collect_steps[i].after == COLLECT_NONE;
	src_parallel(c, heads, src_par_width("IAMGRADE_PAR_SOURCES", SRC_PAR_SOURCES),
	    collect_task, &run);
	for (i = 0; i < COLLECT_NSTEPS; i++) {
		id = collect_steps[i].id;
		if (run.skipped[id]) {
			json_array_append_new(jpath(snap, "collection.skipped"),
			    json_string(snap_source_names[id]));
			continue;
		}
		if ((src = run.kept[id]) == NULL)
			src = src_fail(collect_steps[i].call, "Cancelled",
			    "cancelled before the call was made", 0);
		log_verbose("%s: %s: %s", account, snap_source_names[id],
		    snap_status_names[src_status(src)]);
		json_object_set_new(json_object_get(snap, "sources"), snap_source_names[id], src);
	}
	*extra = run.la;
	alias = json_array_get(jpath(json_object_get(json_object_get(snap, "sources"),
	    snap_source_names[SNAP_SRC_ACCOUNT_ALIASES]), "data.aliases"), 0);
	json_object_set(json_object_get(snap, "account"), "alias", alias ? (json_t *)alias : json_null());
}

/* What renewing the target role's credentials needs (they last an hour). */
struct collect_role {
	const struct aws_config		*cfg;
	const struct aws_creds		*base;
	const struct collect_target	*target;
};

static int
collect_reassume(void *arg, struct aws_creds *out, char **err)
{
	struct collect_role *cr = arg;
	struct aws_role role = { cr->target->role_arn, cr->target->external_id, NULL, 0,
	    NULL, NULL };
	struct aws_client *c = aws_client_new(cr->cfg, cr->base);
	int rc;

	rc = aws_assume_role_with(c, &role, out, err);
	aws_client_free(c);
	return rc;
}

/*
 * Assume the target's role when there is one, then ask who we are.
 * Returns the caller_identity source, or NULL with *fail set.
 */
static json_t *
collect_identify(struct aws_client *c, struct collect_role *cr,
    const char *known, struct aws_creds *role, json_t **fail)
{
	const struct collect_target *t = cr->target;
	json_t *ident;
	const char *account;
	char *msg;

	*fail = NULL;
	if (t->role_arn != NULL) {
		if ((*fail = sts_assume_role(c, t->role_arn, t->external_id, role)) != NULL)
			return NULL;
		aws_client_set_creds(c, role);
		aws_client_set_refresh(c, collect_reassume, cr);
	}
	ident = sts_caller_identity(c);
	if (src_status(ident) != SNAP_ST_OK) {
		*fail = ident;
		return NULL;
	}
	account = json_string_value(jpath(ident, "data.Account"));
	if (!accounts_valid_id(account)) {
		/* It names files and reports: never anything but twelve digits. */
		*fail = src_fail("sts:GetCallerIdentity", "MalformedResponse",
		    "malformed response to sts:GetCallerIdentity: Account is not twelve digits", 200);
		json_decref(ident);
		return NULL;
	}
	if (known != NULL && strcmp(known, account) != 0) {
		/* Never file one account's state under another's id. */
		msg = xasprintf("the credentials belong to account %s, not %s", account, known);
		*fail = src_fail("sts:GetCallerIdentity", "AccountMismatch", msg, 0);
		free(msg);
		json_decref(ident);
		return NULL;
	}
	return ident;
}

json_t *
collect_account(const struct collect_target *t, const struct aws_creds *creds,
    const struct collect_opts *o, char **err)
{
	struct aws_client *c;
	struct aws_creds role;
	struct collect_role cr = { o->cfg, creds, t };
	json_t *snap = NULL, *fail = NULL, *ident;
	const char *account, *endpoint, *code;
	char *known;
	time_t started = time(NULL);
	int window = o->since_days, reached = 0;
	struct iam_la_count extra = { 0, 0, 0, 0, 0 };

	memset(&role, 0, sizeof(role));
	if (window <= 0)
		window = COLLECT_WINDOW_DAYS;
	if (window > 90)
		window = 90;	/* all that CloudTrail keeps */
	/* With a role ARN the target's id is known even if the role is refused. */
	known = xstrdup(t->account_id);
	if (known == NULL && t->role_arn != NULL)
		known = collect_arn_account(t->role_arn);
	c = aws_client_new(o->cfg, creds);
	if ((ident = collect_identify(c, &cr, known, &role, &fail)) != NULL) {
		account = json_string_value(jpath(ident, "data.Account"));
		snap = collect_frame(account, t, o, window);
		json_object_set_new(snap, "caller", json_pack("{s:O, s:O?}",
		    "arn", jpath(ident, "data.Arn"), "user_id", jpath(ident, "data.UserId")));
		collect_set(snap, account, "caller_identity", ident);
		collect_sources_all(snap, account, c, o, started, window, &extra);
		reached = 1;
	} else if (known != NULL) {
		snap = collect_frame(known, t, o, window);
		collect_unreachable(snap, fail);
	} else {
		/* Nothing learnt at all: say where and why, and write nothing. */
		code = json_string_value(jpath(fail, "error.code"));
		if ((endpoint = json_string_value(jpath(fail, "error.endpoint"))) == NULL)
			endpoint = o->cfg->endpoint[AWS_STS];
		err_set(err, "%s: %s: %s", endpoint, code ? code : "error",
		    json_string_value(jpath(fail, "error.message")));
		goto out;
	}
	collect_times(snap, started, c, &extra);
	collect_verdict(snap, reached);
out:
	json_decref(fail);
	aws_creds_free(&role);
	aws_client_free(c);
	free(known);
	return snap;
}
