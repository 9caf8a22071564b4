/*
 * CHG-*: the window's IAM and CloudTrail changes (the "change_events"
 * source, docs/snapshot-format.md).  CHG-01 grades every role whose trust
 * or permissions changed by the rules of ROLE-01..06 (checks/roles.c's
 * check_role_rules, not copies of them), on the role as it is now, with
 * the last change as evidence; CHG-02 names credentials made for someone
 * else or for root; CHG-03 every call that stopped or weakened logging.
 * Calls that failed changed nothing: they are notes, not findings.
 */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"

/* The role changes of the window, once per snapshot. */
struct check_changes {
	struct check_role	*roles;		/* one per changed role, its last change */
	size_t			 nroles;
	json_t			*log;		/* role name -> [changes], in snapshot order */
	json_t			*slot;		/* role name -> its index in roles */
	const json_t		**trust_rec;	/* per role: the last UpdateAssumeRolePolicy record, or NULL */
	size_t			 nevents;	/* role changes that succeeded */
	json_t			*failed;	/* [text]: role changes that failed */
};

static const char *const role_changes[] = {
	"UpdateAssumeRolePolicy", "AttachRolePolicy", "PutRolePolicy", NULL
};
static const char *const version_changes[] = {
	"CreatePolicyVersion", "SetDefaultPolicyVersion", NULL
};
static const char *const credential_changes[] = {
	"CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile", NULL
};
static const char *const logging_changes[] = {
	"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", NULL
};

static int
in(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static const json_t *
events_of(const struct check_ctx *c)
{
	return json_object_get(c->data[CHECK_SRC_CHANGE_EVENTS], "events");
}

/* The event's name: the record's, else LookupEvents' summary. */
static const char *
event_name(const struct check_role *e, const json_t *ev)
{
	return jstr(e->record, "eventName") ? jstr(e->record, "eventName") : jstr(ev, "EventName");
}

static const json_t *
req_of(const struct check_role *e)
{
	return json_object_get(e->record, "requestParameters");
}

void
check_changes_free(struct check_ctx *c)
{
	struct check_changes *ch = c->changes;

	if (ch == NULL)
		return;
	check_roles_free(ch->roles, ch->nroles);
	free(ch->trust_rec);
	json_decref(ch->log);
	json_decref(ch->slot);
	json_decref(ch->failed);
	free(ch);
	c->changes = NULL;
}

/* Managed policy ARN -> [role names it is attached to], from the authorization details. */
static json_t *
roles_by_policy(const struct check_ctx *c)
{
	const json_t *roles = json_object_get(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], "roles");
	const json_t *r, *a;
	json_t *out = json_object(), *list;
	const char *arn;
	size_t i, k;

	json_array_foreach(roles, i, r)
		json_array_foreach(json_object_get(r, "AttachedManagedPolicies"), k, a) {
			if ((arn = jstr(a, "PolicyArn")) == NULL || jstr(r, "RoleName") == NULL)
				continue;
			if ((list = json_object_get(out, arn)) == NULL)
				json_object_set_new(out, arn, list = json_array());
			json_array_append_new(list, json_string(jstr(r, "RoleName")));
		}
	return out;
}

/* Record one change e (of event ev) to role name. */
static void
add_change(struct check_changes *ch, const char *name, const struct check_role *e,
    const char *en)
{
	json_t *list = json_object_get(ch->log, name), *idx;
	struct check_role *r;
	size_t n;

	if (list == NULL) {
		n = ch->nroles++;
		json_object_set_new(ch->log, name, list = json_array());
		json_object_set_new(ch->slot, name, json_integer((json_int_t)n));
		r = &ch->roles[n];
		*r = *e;
		r->name = name;
		r->event_name = en;
	} else {
		/* ISO 8601 UTC times compare as text: the last change is the evidence. */
		n = (size_t)json_integer_value(json_object_get(ch->slot, name));
		r = &ch->roles[n];
		if (e->time != NULL && (r->time == NULL || strcmp(e->time, r->time) >= 0)) {
			*r = *e;
			r->name = name;
			r->event_name = en;
		}
	}
	if (strcmp(en, "UpdateAssumeRolePolicy") == 0 &&
	    (ch->trust_rec[n] == NULL || strcmp(e->time ? e->time : "",
	    jstr(ch->trust_rec[n], "eventTime") ? jstr(ch->trust_rec[n], "eventTime") : "") >= 0))
		ch->trust_rec[n] = e->record;
	idx = json_pack("{s:s, s:s?, s:s?, s:s?}", "event_name", en, "event_id", e->event_id,
	    "time", e->time, "by", e->creator_arn);
	json_array_append_new(list, idx);
}

/* The role as it is now (or as the last trust change left it, when deleted since). */
static void
resolve_changed(struct check_ctx *c, struct check_changes *ch, size_t n)
{
	struct check_role *r = &ch->roles[n];
	const json_t *doc = NULL;
	char *err = NULL;

	r->role = json_object_get(c->roles_by_name, r->name);
	r->exists = r->role != NULL;
	if (r->role != NULL && jstr(r->role, "Arn") != NULL)
		r->arn = xstrdup(jstr(r->role, "Arn"));
	else
		r->arn = xasprintf("arn:%s:iam::%s:role/%s", c->partition, c->account, r->name);
	if (r->role != NULL)
		doc = json_object_get(r->role, "AssumeRolePolicyDocument");
	else if (ch->trust_rec[n] != NULL)
		doc = json_object_get(json_object_get(ch->trust_rec[n], "requestParameters"),
		    "policyDocument");
	else
		return;
	if ((r->trust = pol_parse(doc, POL_TRUST, NULL, &err)) == NULL) {
		r->trust_err = xasprintf("%s trust policy %s", r->role != NULL ? "the role's" :
		    "the UpdateAssumeRolePolicy request's", err);
		free(err);
	}
}

static struct check_changes *
changes_of(struct check_ctx *c)
{
	struct check_changes *ch;
	struct check_role e;
	const json_t *ev, *names, *nm;
	json_t *by_policy;
	const char *en, *name;
	size_t i, k, n = 0;

	if (c->changes != NULL)
		return c->changes;
	c->changes = ch = xcalloc(1, sizeof(*ch));
	ch->log = json_object();
	ch->failed = json_array();
	ch->slot = json_object();
	by_policy = roles_by_policy(c);
	/* At most one slot per role that an event names or reaches through a policy. */
	json_array_foreach(events_of(c), i, ev)
		n++;
	n += json_array_size(json_object_get(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], "roles"));
	ch->roles = xcalloc(n + 1, sizeof(*ch->roles));
	ch->trust_rec = xcalloc(n + 1, sizeof(*ch->trust_rec));
	json_array_foreach(events_of(c), i, ev) {
		memset(&e, 0, sizeof(e));
		check_role_event(c, &e, ev);
		en = event_name(&e, ev);
		if (!in(role_changes, en) && !in(version_changes, en))
			continue;
		if (e.error_code != NULL) {
			json_array_append_new(ch->failed, json_sprintf("%s by %s at %s failed (%s)",
			    en, e.creator_arn ? e.creator_arn : "?", e.time ? e.time : "?", e.error_code));
			continue;
		}
		ch->nevents++;
		if (in(role_changes, en)) {
			if ((name = jstr(req_of(&e), "roleName")) != NULL)
				add_change(ch, name, &e, en);
			continue;
		}
		names = json_object_get(by_policy, jstr(req_of(&e), "policyArn") ?
		    jstr(req_of(&e), "policyArn") : "");
		json_array_foreach(names, k, nm)
			add_change(ch, json_string_value(nm), &e, en);
	}
	for (i = 0; i < ch->nroles; i++)
		resolve_changed(c, ch, i);
	/* The names are borrowed from by_policy's strings or the records: keep them. */
	json_array_append_new(c->owned, by_policy);
	return ch;
}

/* Prefix the findings a rule added from index from with its id and the change history. */
static void
mark_rule(struct check_out *o, size_t from, const char *rule, const struct check_role *r,
    const json_t *log)
{
	json_t *f;
	char *reason;
	size_t i;

	for (i = from; i < json_array_size(o->findings); i++) {
		f = json_array_get(o->findings, i);
		reason = xasprintf("%s: %s; last changed by %s (%s at %s)", rule,
		    jstr(f, "reason"), r->creator_arn ? r->creator_arn : "an unknown caller",
		    r->event_name, r->time ? r->time : "an unknown time");
		json_object_set_new(f, "reason", json_string(reason));
		free(reason);
		check_ev_str(f, "rule", rule);
		check_ev_json(f, log, "changes");
	}
}

void
check_grade_chg_roles(struct check_ctx *c, struct check_out *o)
{
	const struct check_role_rule *rule;
	struct check_changes *ch = changes_of(c);
	const struct check_role *r;
	const json_t *t;
	size_t i;

	json_array_foreach(ch->failed, i, t)
		check_note(o, NULL, "%s: nothing changed", json_string_value(t));
	if (ch->nroles == 0) {
		check_na(o, "no role's trust or permissions changed in the %lld-day window%s",
		    jint(jpath(c->snap, "collection"), "window_days", 30), ch->nevents > 0 ?
		    " (the policy versions changed are attached to no role)" : "");
		return;
	}
	for (i = 0; i < ch->nroles; i++) {
		r = &ch->roles[i];
		if (!r->exists && r->trust == NULL && r->trust_err == NULL) {
			check_note(o, r->arn, "role %s changed in the window (%s at %s) and has been "
			    "deleted since", r->name, r->event_name, r->time ? r->time : "?");
			continue;
		}
		for (rule = check_role_rules; rule->id != NULL; rule++) {
			size_t from = json_array_size(o->findings);

			rule->grade(c, o, r);
			mark_rule(o, from, rule->id, r, json_object_get(ch->log, r->name));
		}
	}
}

/* Event ev into e when its name is in list: the name, else NULL. */
static const char *
event_in(struct check_ctx *c, const json_t *ev, const char *const *list, struct check_role *e)
{
	const char *en;

	memset(e, 0, sizeof(*e));
	check_role_event(c, e, ev);
	en = event_name(e, ev);
	return in(list, en) ? en : NULL;
}

/* The evidence every CHG-02/03 finding carries: who, when, from where. */
static void
event_evidence(json_t *f, const struct check_role *e, const char *en)
{
	check_ev_str(f, "event_name", en);
	check_ev_str(f, "event_id", e->event_id);
	check_ev_str(f, "time", e->time);
	check_ev_str(f, "actor_arn", e->creator_arn);
	check_ev_str(f, "actor_type", e->creator_type);
	check_ev_str(f, "region", jstr(e->record, "awsRegion"));
	check_ev_str(f, "source_ip", e->source_ip);
	check_ev_str(f, "user_agent", e->user_agent);
}

/* The caller's own user name when it is an IAM user, else NULL. */
static const char *
caller_user(const struct check_role *e)
{
	const json_t *ui = json_object_get(e->record, "userIdentity");
	const char *arn, *slash;

	if (e->creator_type == NULL || strcmp(e->creator_type, "IAMUser") != 0)
		return NULL;
	if (jstr(ui, "userName") != NULL)
		return jstr(ui, "userName");
	if ((arn = jstr(ui, "arn")) != NULL && (slash = strrchr(arn, '/')) != NULL)
		return slash + 1;
	return NULL;
}

static const char *
user_arn(struct check_ctx *c, const char *name, char **own)
{
	const json_t *u;
	size_t i;

	json_array_foreach(json_object_get(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], "users"), i, u)
		if (jstr(u, "UserName") != NULL && strcmp(jstr(u, "UserName"), name) == 0 &&
		    jstr(u, "Arn") != NULL)
			return jstr(u, "Arn");
	return *own = xasprintf("arn:%s:iam::%s:user/%s", c->partition, c->account, name);
}

static void
credential_finding(struct check_ctx *c, struct check_out *o, const struct check_role *e,
    const char *en, const char *target)
{
	const char *key = jstr(jpath(e->record, "responseElements.accessKey"), "accessKeyId");
	char *own = NULL;
	json_t *f;

	if (target == NULL) {
		f = check_find(o, c->root_arn, "root", "%s by the root user: an access key for root",
		    en);
		check_ev_str(f, "target", "root");
	} else {
		f = check_find(o, user_arn(c, target, &own), target, "%s for user %s by %s, "
		    "not by %s", en, target, e->creator_arn ? e->creator_arn : "an unknown caller",
		    target);
		check_ev_str(f, "target_user", target);
		check_fill(o, "user", target);
	}
	event_evidence(f, e, en);
	check_ev_str(f, "access_key_id", key);
	check_fill(o, "key_id", key);
	check_fill(o, "event_id", e->event_id);
	free(own);
}

void
check_grade_chg_credentials(struct check_ctx *c, struct check_out *o)
{
	struct check_role e;
	const json_t *ev;
	const char *en, *target, *self;
	size_t i, n = 0;

	json_array_foreach(events_of(c), i, ev) {
		if ((en = event_in(c, ev, credential_changes, &e)) == NULL)
			continue;
		n++;
		if (e.error_code != NULL) {
			check_note(o, NULL, "%s by %s at %s failed (%s): nothing was created", en,
			    e.creator_arn ? e.creator_arn : "?", e.time ? e.time : "?", e.error_code);
			continue;
		}
		target = jstr(req_of(&e), "userName");
		self = caller_user(&e);
		/* No user named: the caller's own credential, which for root is a root key. */
		if (target == NULL) {
			if (e.creator_type != NULL && strcmp(e.creator_type, "Root") == 0 &&
			    strcmp(en, "CreateAccessKey") == 0)
				credential_finding(c, o, &e, en, NULL);
			continue;
		}
		if (self == NULL || strcmp(self, target) != 0)
			credential_finding(c, o, &e, en, target);
	}
	if (n == 0)
		check_na(o, "no access key or console password was created or changed in the "
		    "%lld-day window", jint(jpath(c->snap, "collection"), "window_days", 30));
}

void
check_grade_chg_logging(struct check_ctx *c, struct check_out *o)
{
	const json_t *d = c->data[CHECK_SRC_CHANGE_EVENTS], *ev, *rp;
	struct check_role e;
	const char *en, *trail;
	struct buf regions = { NULL, 0, 0, 0 };
	size_t i;
	json_t *f, *r;

	json_array_foreach(events_of(c), i, ev) {
		if ((en = event_in(c, ev, logging_changes, &e)) == NULL)
			continue;
		rp = req_of(&e);
		if ((trail = jstr(rp, "name")) == NULL && (trail = jstr(rp, "trailName")) == NULL)
			trail = "?";
		if (e.error_code != NULL) {
			check_note(o, trail, "%s on trail %s by %s at %s failed (%s): an attempt", en,
			    trail, e.creator_arn ? e.creator_arn : "?", e.time ? e.time : "?",
			    e.error_code);
			continue;
		}
		f = check_find(o, trail, strrchr(trail, '/') ? strrchr(trail, '/') + 1 : trail,
		    "%s on trail %s by %s at %s", en, trail,
		    e.creator_arn ? e.creator_arn : "an unknown caller", e.time ? e.time : "?");
		event_evidence(f, &e, en);
		if (json_is_object(rp))
			check_ev_json(f, rp, "request_parameters");
		check_fill(o, "trail", trail);
		check_fill(o, "event_id", e.event_id);
	}
	json_array_foreach(json_object_get(d, "trail_regions"), i, r)
		buf_printf(&regions, "%s%s", i ? ", " : "", json_string_value(r));
	if (!jbool(d, "trail_regions_complete", 0))
		check_skip(o, NULL, "the trails could not be read, so CloudTrail's own calls were "
		    "looked up only in %s, not in every trail's home region",
		    regions.p ? regions.p : "no region");
	else
		check_note(o, NULL, "CloudTrail's own calls were looked up in %s",
		    regions.p ? regions.p : "no region");
	buf_free(&regions);
}
