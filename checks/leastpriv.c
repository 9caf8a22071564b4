/*
 * Least privilege, measured (LP-01..04): roles and users not used within
 * the tracking period (unused_days), and permissions granted but not used.
 *
 * "Granted" is the principal's effective permissions from the engine
 * (check_principal_effective: documents, groups, denies, boundary), over
 * the action catalogue, exactly as POL-01 and ROLE-05 read them; "used" is
 * service and action last accessed (the snapshot's last_accessed source).
 * A principal whose last-accessed job was not read, or whose documents
 * the engine cannot use, is skipped with the reason, so that the control
 * is NOT_EVALUATED unless another principal FAILs it: never a PASS on
 * missing data.
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"

/* ISO time s is at or after since. */
static int
lp_within(const char *s, time_t since)
{
	time_t t;

	return s != NULL && time_parse(s, &t) && t >= since;
}

static time_t
lp_since(const struct check_ctx *c)
{
	return c->now - (time_t)c->cfg->unused_days * 86400;
}

/*
 * What grading saw, for the results' "least_privilege" member (the report's
 * "Least privilege" section and the summary's shares read it, never the
 * snapshot): member key of ctx->lp, created on first use.
 */
static json_t *
lp_record(struct check_ctx *c, const char *key, json_t *value)
{
	if (c->lp == NULL)
		c->lp = json_object();
	json_object_set_new(c->lp, key, value);
	return value;
}

/* Service-linked roles are AWS's to manage: their path says so. */
static int
lp_service_linked(const json_t *role)
{
	const char *path = jstr(role, "Path");

	return path != NULL && strncmp(path, "/aws-service-role/", 18) == 0;
}

void
check_grade_lp_unused_roles(struct check_ctx *c, struct check_out *o)
{
	const json_t *roles = jpath(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], "roles"), *r;
	const char *name, *created, *last;
	time_t since = lp_since(c), t;
	json_t *f;
	size_t i, judged = 0;

	json_array_foreach(roles, i, r) {
		name = jstr(r, "RoleName");
		created = jstr(r, "CreateDate");
		if (lp_service_linked(r))
			continue;
		if (!time_parse(created, &t)) {
			check_skip(o, jstr(r, "Arn"), "no CreateDate: its age is unknown");
			continue;
		}
		if (t >= since)
			continue;	/* younger than the period: not judged yet */
		judged++;
		last = json_string_value(jpath(r, "RoleLastUsed.LastUsedDate"));
		if (lp_within(last, since))
			continue;
		f = check_find(o, jstr(r, "Arn"), name, "role %s, created %s, last used %s: "
		    "not used within %d days", name, created, last ? last : "never",
		    c->cfg->unused_days);
		check_ev_str(f, "created", created);
		check_ev_str(f, "last_used", last ? last : "never");
		check_fill(o, "role", name);
	}
	lp_record(c, "roles", json_pack("{s:I, s:I, s:I}", "judged", (json_int_t)judged,
	    "unused", (json_int_t)json_array_size(o->findings),
	    "not_evaluated", (json_int_t)json_array_size(o->unevaluated)));
	if (judged == 0 && json_array_size(o->findings) == 0 &&
	    json_array_size(o->unevaluated) == 0)
		check_na(o, "no role other than service-linked ones is older than %d days",
		    c->cfg->unused_days);
}

void
check_grade_lp_unused_users(struct check_ctx *c, struct check_out *o)
{
	static const char *const used_cols[] = {
		"password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"
	};
	const json_t *row, *f;
	const char *user, *last;
	time_t since = lp_since(c), t, best, u;
	size_t i, k, judged = 0;
	char buf[21];

	json_array_foreach(c->cr_users, i, row) {
		user = jstr(row, "user");
		if (!cr_time(row, "user_creation_time", &t)) {
			check_skip(o, jstr(row, "arn"), "user_creation_time is not a time");
			continue;
		}
		if (t >= since)
			continue;
		judged++;
		best = 0;
		for (k = 0; k < sizeof(used_cols) / sizeof(used_cols[0]); k++)
			if (cr_time(row, used_cols[k], &u) && u > best)
				best = u;
		if (best >= since)
			continue;
		last = best > 0 ? time_fmt(best, buf) : "never";
		f = check_find(o, jstr(row, "arn"), user, "user %s, created %s, last sign-in or "
		    "key use %s: not used within %d days", user, jstr(row, "user_creation_time"),
		    last, c->cfg->unused_days);
		check_ev_str((json_t *)f, "created", jstr(row, "user_creation_time"));
		check_ev_str((json_t *)f, "last_used", last);
		check_fill(o, "user", user);
	}
	lp_record(c, "users", json_pack("{s:I, s:I, s:I}", "judged", (json_int_t)judged,
	    "unused", (json_int_t)json_array_size(o->findings),
	    "not_evaluated", (json_int_t)json_array_size(o->unevaluated)));
	if (judged == 0 && json_array_size(o->findings) == 0 &&
	    json_array_size(o->unevaluated) == 0)
		check_na(o, "no user is older than %d days", c->cfg->unused_days);
}

/* The last_accessed principal records by ARN (new reference), or NULL with *why. */
static json_t *
lp_usage_index(const struct check_ctx *c, char **why)
{
	const json_t *src = jpath(c->snap, "sources.last_accessed"), *p;
	json_t *by;
	size_t i;

	*why = NULL;
	if (src == NULL) {
		if (json_array_size(jpath(c->snap, "collection.skipped")) > 0)
			*why = xstrdup("last_accessed: not collected (--no-last-accessed)");
		else
			*why = check_source_why("last_accessed", NULL);
		return NULL;
	}
	if (snap_status(src) != SNAP_ST_OK) {
		*why = check_source_why("last_accessed", src);
		return NULL;
	}
	by = json_object();
	json_array_foreach(jpath(src, "data.principals"), i, p)
		if (jstr(p, "Arn") != NULL)
			json_object_set(by, jstr(p, "Arn"), (json_t *)p);
	return by;
}

/*
 * One service's use by a principal (its last_accessed record): used
 * within the period, and the tracked actions when AWS tracks the service
 * at action level (else NULL).
 */
static void
lp_service_use(const json_t *rec, const char *prefix, time_t since, int *used,
    const json_t **tracked)
{
	const json_t *s;
	size_t i;

	*used = 0;
	*tracked = NULL;
	json_array_foreach(json_object_get(rec, "ServicesLastAccessed"), i, s)
		if (strcasecmp(jstr(s, "ServiceNamespace"), prefix) == 0) {
			*used = lp_within(jstr(s, "LastAuthenticated"), since);
			*tracked = json_object_get(s, "TrackedActionsLastAccessed");
			return;
		}
}

/*
 * Whether the catalogue's act is among the tracked actions (*is_tracked)
 * and was used within the period.  ActionName is observed bare
 * ("CreateBucket"); an already prefixed value is accepted (§4.21).
 */
static int
lp_action_used(const json_t *tracked, int act, time_t since, int *is_tracked)
{
	const json_t *a;
	const char *n, *bare = pcat_action_name(act), *colon;
	size_t i;

	*is_tracked = 0;
	json_array_foreach(tracked, i, a) {
		n = jstr(a, "ActionName");
		if ((colon = strchr(n, ':')) != NULL)
			n = colon + 1;
		if (strcasecmp(n, bare) != 0)
			continue;
		*is_tracked = 1;
		return lp_within(jstr(a, "LastAccessedTime"), since);
	}
	return 0;
}

/*
 * The principal's granted services (actions of levels, 0: any) not used
 * within the period, and for used services tracked at action level the
 * granted tracked actions not used: [{"service", "granted_actions",
 * "service_used", "unused_actions"?}] (new reference).  *ngranted_svc and
 * *nused_svc get how many services it is granted and of those used.
 */
static json_t *
lp_unused(const struct pol_effective *eff, const json_t *rec, time_t since, unsigned levels,
    size_t *ngranted_svc, size_t *nused_svc)
{
	const json_t *tracked;
	json_t *out = json_array(), *acts, *item;
	char name[PCAT_NAME_MAX];
	int svc, first, end, act, used, ngranted, is_tracked;

	*ngranted_svc = *nused_svc = 0;
	for (svc = 0; svc < pcat_service_count(); svc++) {
		pcat_service_range(svc, &first, &end);
		ngranted = 0;
		lp_service_use(rec, pcat_service_prefix(svc), since, &used, &tracked);
		acts = json_array();
		for (act = first; act < end; act++) {
			if (!pcat_set_has(&eff->on_all, act) ||
			    (levels != 0 && (pcat_action_levels(act) & levels) == 0))
				continue;
			ngranted++;
			if (used && tracked != NULL &&
			    !lp_action_used(tracked, act, since, &is_tracked) && is_tracked) {
				pcat_action_format(act, name, sizeof(name));
				json_array_append_new(acts, json_string(name));
			}
		}
		if (ngranted > 0) {
			(*ngranted_svc)++;
			*nused_svc += used != 0;
		}
		if (ngranted == 0 || (used && json_array_size(acts) == 0)) {
			json_decref(acts);
			continue;
		}
		item = json_pack("{s:s, s:i, s:b}", "service", pcat_service_prefix(svc),
		    "granted_actions", ngranted, "service_used", used);
		if (used)
			json_object_set_new(item, "unused_actions", acts);
		else
			json_decref(acts);
		json_array_append_new(out, item);
	}
	return out;
}

/*
 * The finding of one principal, when its unused access fails the control;
 * returns how many granted tracked actions of used services it left unused.
 */
static size_t
lp_finding(struct check_ctx *c, struct check_out *o, const struct check_principal *p,
    const json_t *unused, unsigned levels)
{
	const json_t *u;
	json_t *f;
	struct buf b = { 0 };
	size_t i, nsvc = 0, nact = 0;

	json_array_foreach(unused, i, u) {
		if (!jbool(u, "service_used", 0)) {
			/* The reason names ten; the evidence has them all. */
			if (nsvc++ < 10)
				buf_printf(&b, "%s%s", b.len ? ", " : "", jstr(u, "service"));
			else if (nsvc == 11)
				buf_printf(&b, ", ...");
		} else
			nact += json_array_size(json_object_get(u, "unused_actions"));
	}
	/* LP-03 fails on unused services (at least the minimum); LP-04 on any unused write. */
	if (levels == 0 ? nsvc < (size_t)c->cfg->lp_min_unused_services : nsvc + nact == 0)
		goto out;
	f = check_find(o, p->arn, p->name, "%s %s: %zu granted service%s%s not used within %d "
	    "days%s%s%s", p->kind, p->name, nsvc, nsvc == 1 ? "" : "s",
	    levels == 0 ? "" : " with write or permissions-management access",
	    c->cfg->unused_days, nsvc ? " (" : "", nsvc ? b.p : "", nsvc ? ")" : "");
	if (nact > 0)
		check_ev_int(f, "unused_tracked_actions", (long long)nact);
	check_ev_json(f, unused, "unused");
	check_fill(o, p->kind, p->name);
	check_fill(o, "arn", p->arn);
out:
	buf_free(&b);
	return nact;
}

/*
 * LP-03 (levels 0: every action) and LP-04 (levels Write | Permissions
 * management): per principal older than the period, the granted services
 * (with actions of those levels) not used within it, and for services
 * tracked at action level, the granted tracked actions not used.
 */
static void
lp_grade_unused_access(struct check_ctx *c, struct check_out *o, unsigned levels)
{
	static const char *const lists[] = { "roles", "users" };
	static const char *const kinds[] = { "role", "user" };
	const json_t *details = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *e, *rec;
	struct check_principal p;
	struct pol_effective eff;
	json_t *by, *unused, *rows = NULL;
	time_t since = lp_since(c), t;
	const char *arn, *st;
	char *why = NULL;
	size_t i, k, judged = 0, ngranted, nused, nact, sum_granted = 0, sum_used = 0;

	if ((by = lp_usage_index(c, &why)) == NULL) {
		check_ne(o, "%s", why);
		free(why);
		return;
	}
	/* LP-03 looks at every action: its counts are the section's bars. */
	if (levels == 0)
		rows = lp_record(c, "principals", json_array());
	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(details, lists[k]), i, e) {
			arn = jstr(e, "Arn");
			if (k == 0 && lp_service_linked(e))
				continue;
			if (!time_parse(jstr(e, "CreateDate"), &t)) {
				check_skip(o, arn, "no CreateDate: its age is unknown");
				continue;
			}
			if (t >= since)
				continue;
			if ((rec = json_object_get(by, arn)) == NULL) {
				check_skip(o, arn, "last_accessed has no job for it");
				continue;
			}
			if ((st = jstr(rec, "status")) == NULL || strcmp(st, "ok") != 0) {
				check_skip(o, arn, "its last-accessed job was not read: %s: %s: %s",
				    st ? st : "?", json_string_value(jpath(rec, "error.code")) ?
				    json_string_value(jpath(rec, "error.code")) : "?",
				    json_string_value(jpath(rec, "error.message")) ?
				    json_string_value(jpath(rec, "error.message")) : "");
				continue;
			}
			if (!check_principal_load(c, e, kinds[k], &p)) {
				check_skip(o, arn, "%s", p.err);
				check_principal_free(&p);
				continue;
			}
			judged++;
			check_principal_effective(&p, &eff);
			unused = lp_unused(&eff, rec, since, levels, &ngranted, &nused);
			pol_effective_free(&eff);
			nact = lp_finding(c, o, &p, unused, levels);
			if (rows != NULL) {
				json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}",
				    "kind", kinds[k], "name", p.name ? p.name : "", "arn", arn,
				    "services_granted", (json_int_t)ngranted,
				    "services_used", (json_int_t)nused,
				    "unused_tracked_actions", (json_int_t)nact));
				if (ngranted > nused || nact > 0)
					check_lp_suggestion(c, e, kinds[k], rec,
					    json_array_get(rows, json_array_size(rows) - 1));
			}
			sum_granted += ngranted;
			sum_used += nused;
			json_decref(unused);
			check_principal_free(&p);
		}
	json_decref(by);
	if (levels == 0)
		lp_record(c, "services", json_pack("{s:I, s:I, s:I, s:I}",
		    "principals", (json_int_t)judged, "granted", (json_int_t)sum_granted,
		    "unused", (json_int_t)(sum_granted - sum_used),
		    "not_evaluated", (json_int_t)json_array_size(o->unevaluated)));
	if (judged == 0 && json_array_size(o->findings) == 0 &&
	    json_array_size(o->unevaluated) == 0)
		check_na(o, "no role or user is older than %d days", c->cfg->unused_days);
}

void
check_grade_lp_unused_services(struct check_ctx *c, struct check_out *o)
{
	lp_grade_unused_access(c, o, 0);
}

void
check_grade_lp_unused_write(struct check_ctx *c, struct check_out *o)
{
	lp_grade_unused_access(c, o, PCAT_L_WRITE | PCAT_L_PERMISSIONS);
}

json_t *
check_lp_summary(const struct check_ctx *c)
{
	json_t *out = json_pack("{s:i, s:n, s:n, s:n, s:[]}", "unused_days", c->cfg->unused_days,
	    "roles", "users", "services", "principals");

	/* What a control did not get to grade (its source missing) stays null. */
	if (c->lp != NULL)
		json_object_update(out, c->lp);
	return out;
}
