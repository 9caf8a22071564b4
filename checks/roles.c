/*
 * ROLE-*: every role that a CreateRole event of the window created, graded
 * on its current trust and permissions (authorization details), or on the
 * trust it was created with when it has been deleted since.  A finding
 * names the role, the event, who created it, when and from where, and the
 * statement that offends.  ROLE-01..04 read the engine's trust answer by
 * caller class (policy/trust.h); ROLE-05/06 ask the role's effective
 * permissions (policy/effective.h).
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/effective.h"
#include "policy/policy.h"
#include "policy/trust.h"

/*
 * Services whose principals act for many customers and document
 * aws:SourceAccount / aws:SourceArn in role trust policies against the
 * confused deputy (ROLE-04).  A judgment list: extend it as AWS documents
 * more.
 */
static const char *const deputy_services[] = {
	"cloudtrail.amazonaws.com", "config.amazonaws.com", "datasync.amazonaws.com",
	"events.amazonaws.com", "firehose.amazonaws.com", "sagemaker.amazonaws.com",
	"scheduler.amazonaws.com", "sns.amazonaws.com", "ssm.amazonaws.com",
	"transfer.amazonaws.com", NULL
};

void
check_role_evidence(json_t *f, const struct check_role *r)
{
	check_ev_str(f, "role_name", r->name);
	check_ev_str(f, "event_id", r->event_id);
	check_ev_str(f, "event_name", r->event_name);
	check_ev_str(f, "time", r->time);
	/* A change is made by someone else than the role's creator. */
	check_ev_str(f, r->event_name ? "changed_by_arn" : "creator_arn", r->creator_arn);
	check_ev_str(f, r->event_name ? "changed_by_type" : "creator_type", r->creator_type);
	check_ev_str(f, "source_ip", r->source_ip);
	check_ev_str(f, "user_agent", r->user_agent);
	check_ev_str(f, "role_exists", r->exists > 0 ? "true" : r->exists == 0 ?
	    (r->event_name ? "false (graded as the change left it)" : "false (graded as created)") :
	    "unknown");
}

static json_t *
role_find(struct check_out *o, const struct check_role *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *
role_find(struct check_out *o, const struct check_role *r, const char *fmt, ...)
{
	va_list ap;
	json_t *f;
	char *reason;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	f = check_find(o, r->arn, r->name, "%s", reason);
	free(reason);
	check_role_evidence(f, r);
	check_fill(o, "role", r->name);
	check_fill(o, "event_id", r->event_id);
	return f;
}

/* 1 when some role was created in the window; NOT_APPLICABLE otherwise. */
static int
roles_created(struct check_ctx *c, struct check_out *o)
{
	long long w = jint(jpath(c->snap, "collection"), "window_days", 30);

	if (c->nroles == 0)
		check_na(o, "no CreateRole event in the %lld-day window", w);
	else if (c->nroles_created == 0)
		check_na(o, "no role was created in the %lld-day window (%zu CreateRole call%s failed)",
		    w, c->nroles, c->nroles == 1 ? "" : "s");
	return c->nroles_created > 0;
}

/*
 * The trust answer of a created role into t, or 0 after marking the role
 * unevaluated (its trust policy cannot be read).
 */
static int
trust_of(struct check_ctx *c, struct check_out *o, const struct check_role *r,
    struct pol_trust *t)
{
	if (r->error_code != NULL)
		return 0;
	if (r->trust == NULL) {
		check_skip(o, r->arn, "role %s (event %s): %s", r->name ? r->name : "?",
		    r->event_id ? r->event_id : "?", r->trust_err);
		return 0;
	}
	pol_trust_read(r->trust, c->account, c->org_id, t);
	return 1;
}

static void
org_unknown_skip(struct check_out *o, const struct check_role *r, const struct pol_trust_grant *g)
{
	check_skip(o, r->arn, "role %s: the trust policy admits the accounts of organization %s "
	    "(%s), and the snapshot does not know this account's organization to compare",
	    r->name ? r->name : "?", g->who, g->pin_key);
}

static int roles_existing(struct check_ctx *, struct check_out *);

/* rule over every CreateRole event, once roles_created (or roles_existing) says there is one. */
static void
each_role(struct check_ctx *c, struct check_out *o, int existing,
    void (*rule)(struct check_ctx *, struct check_out *, const struct check_role *))
{
	size_t i;

	if (existing ? roles_existing(c, o) : roles_created(c, o))
		for (i = 0; i < c->nroles; i++)
			rule(c, o, &c->roles[i]);
}

static void
rule_public(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	const struct pol_trust_grant *g, *unknown;
	struct pol_trust t;
	size_t k;
	json_t *f;

	if (!trust_of(c, o, r, &t))
		return;
	f = NULL;
	unknown = NULL;
	for (k = 0; k < t.n && f == NULL; k++) {
		g = &t.g[k];
		if (g->cls == POL_CALLER_ANYONE)
			f = role_find(o, r, "trust policy lets any principal assume the role%s",
			    g->external_id ?
			    " (an sts:ExternalId condition does not identify the caller)" :
			    ": no condition pins the caller to known accounts");
		else if (g->cls == POL_CALLER_OTHER_ORG)
			f = role_find(o, r, "trust policy lets any principal of another "
			    "organization (%s) assume the role: %s names it, and this account "
			    "is in %s", g->who, g->pin_key, c->org_id);
		else if (g->cls == POL_CALLER_ORG_UNKNOWN && unknown == NULL)
			unknown = g;
		if (f != NULL) {
			check_ev_str(f, "caller_class", pol_caller_names[g->cls]);
			check_ev_str(f, "why", g->why);
			check_ev_statement(f, r->trust, g->st);
		}
	}
	if (f == NULL && unknown != NULL)
		org_unknown_skip(o, r, unknown);
	pol_trust_free(&t);
}

void
check_grade_role_public(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 0, rule_public);
}

/* The untrusted accounts and organizations a trust answer admits, guarded or not. */
static void
outsiders(const struct check_ctx *c, const struct pol_trust *t, json_t *out)
{
	const struct pol_trust_grant *g;
	json_t *prev;
	size_t k;

	for (k = 0; k < t->n; k++) {
		g = &t->g[k];
		if ((g->cls != POL_CALLER_ACCOUNT && g->cls != POL_CALLER_OTHER_ORG) ||
		    (g->cls == POL_CALLER_ACCOUNT && json_object_get(c->trusted, g->who) != NULL))
			continue;
		prev = json_object_get(out, g->who);
		/* Unguarded anywhere beats guarded elsewhere. */
		if (prev == NULL || (!g->external_id && jbool(prev, "external_id", 0)))
			json_object_set_new(out, g->who, json_pack("{s:b, s:b, s:I}", "external_id",
			    g->external_id, "org", g->cls == POL_CALLER_OTHER_ORG, "grant", (json_int_t)k));
	}
}

static void
rule_accounts(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	const struct pol_trust_grant *g;
	struct pol_trust t;
	const json_t *v;
	json_t *found, *f;
	const char *who;
	size_t k;
	int ext;

	if (!trust_of(c, o, r, &t))
		return;
	found = json_object();
	outsiders(c, &t, found);
	json_object_foreach(found, who, v) {
		ext = jbool(v, "external_id", 0);
		g = &t.g[json_integer_value(json_object_get(v, "grant"))];
		if (jbool(v, "org", 0))
			f = role_find(o, r, "trusts every account of organization %s, not this "
			    "account's (%s)%s", who, c->org_id, ext ?
			    " (with an sts:ExternalId condition)" : ", without sts:ExternalId");
		else
			f = role_find(o, r, "trusts account %s, outside the trusted accounts%s", who,
			    ext ? " (with an sts:ExternalId condition)" : ", without sts:ExternalId");
		if (ext)
			check_find_severity(f, "medium");
		check_ev_str(f, jbool(v, "org", 0) ? "organization" : "account", who);
		check_ev_str(f, "caller_class", pol_caller_names[g->cls]);
		check_ev_str(f, "organization_known", c->org_known ? "true" : "false");
		check_ev_statement(f, r->trust, g->st);
	}
	if (json_object_size(found) == 0)
		for (k = 0; k < t.n; k++)
			if (t.g[k].cls == POL_CALLER_ORG_UNKNOWN) {
				org_unknown_skip(o, r, &t.g[k]);
				break;
			}
	json_decref(found);
	pol_trust_free(&t);
}

void
check_grade_role_accounts(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 0, rule_accounts);
}

static void
rule_oidc(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	const struct pol_trust_grant *g;
	struct pol_trust t;
	size_t k;
	json_t *f;

	if (!trust_of(c, o, r, &t))
		return;
	for (k = 0; k < t.n; k++) {
		g = &t.g[k];
		if (g->cls != POL_CALLER_WEB)
			continue;
		if (g->why != NULL) {
			f = role_find(o, r, "%s", g->why);
			check_ev_str(f, "provider", g->who);
			check_ev_str(f, "provider_kind", g->provider->name);
			check_ev_str(f, "provider_keys_documented", g->provider->doc);
			check_ev_statement(f, r->trust, g->st);
		} else if (g->owner_wide)
			check_note(o, r->arn, "role %s: the %s subject restricts to an organization "
			    "or group, not one repository (any repository of it can assume the role)",
			    r->name ? r->name : "?", g->provider->name);
	}
	pol_trust_free(&t);
}

void
check_grade_role_oidc(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 0, rule_oidc);
}

static int
is_deputy(const char *svc)
{
	size_t i;

	for (i = 0; deputy_services[i] != NULL; i++)
		if (strcasecmp(svc, deputy_services[i]) == 0)
			return 1;
	return 0;
}

/* Some grant admits a wildcard principal or another account (trusted or not). */
static int
trusts_outsiders(const struct pol_trust *t)
{
	size_t k;

	for (k = 0; k < t->n; k++)
		switch (t->g[k].cls) {
		case POL_CALLER_ANYONE:
		case POL_CALLER_OTHER_ORG:
		case POL_CALLER_ORG_UNKNOWN:
		case POL_CALLER_ORG:
		case POL_CALLER_ACCOUNT:
		case POL_CALLER_RESOURCE:
			return 1;
		default:
			break;
		}
	return 0;
}

static void
rule_deputy(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	const struct pol_trust_grant *g;
	struct pol_trust t;
	size_t k;
	int out;
	json_t *f;

	if (!trust_of(c, o, r, &t))
		return;
	out = trusts_outsiders(&t);
	for (k = 0; k < t.n; k++) {
		g = &t.g[k];
		if (g->cls != POL_CALLER_SERVICE || g->source_guard || (!out && !is_deputy(g->who)))
			continue;
		f = role_find(o, r, out ?
		    "service principal %s is trusted next to wildcard or cross-account "
		    "principals without aws:SourceAccount, aws:SourceArn or aws:SourceOrgID" :
		    "service principal %s acts for other accounts and is trusted "
		    "without aws:SourceAccount, aws:SourceArn or aws:SourceOrgID", g->who);
		check_ev_str(f, "service", g->who);
		check_ev_statement(f, r->trust, g->st);
	}
	pol_trust_free(&t);
}

void
check_grade_role_deputy(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 0, rule_deputy);
}

/* 1 when some created role still exists to hold permissions. */
static int
roles_existing(struct check_ctx *c, struct check_out *o)
{
	size_t i;

	if (!roles_created(c, o))
		return 0;
	for (i = 0; i < c->nroles; i++)
		if (c->roles[i].error_code == NULL && c->roles[i].exists > 0)
			return 1;
	check_na(o, "every role created in the window has been deleted since: none holds permissions");
	return 0;
}

static void
doc_fill(struct check_out *o, json_t *f, const struct check_pdoc *d)
{
	check_ev_str(f, d->arn ? "policy_arn" : "policy_name", d->arn ? d->arn : d->name);
	if (d->arn != NULL)
		check_fill(o, "policy_arn", d->arn);
	else
		check_fill(o, "policy_name", d->name);
}

/* The role's documents, or 0 after marking it unevaluated (or when it no longer exists). */
static int
role_principal(struct check_ctx *c, struct check_out *o, const struct check_role *r,
    struct check_principal *p)
{
	if (r->error_code != NULL || r->exists <= 0)
		return 0;
	if (!check_principal_load(c, r->role, "role", p)) {
		check_skip(o, r->arn, "role %s: %s", r->name ? r->name : "?", p->err);
		check_principal_free(p);
		return 0;
	}
	return 1;
}

static void
admin_finding(struct check_out *o, const struct check_role *r, const struct check_principal *p,
    const struct pol_effective *e, int all)
{
	const struct check_pdoc *d = check_principal_doc_of(p, e->first);
	struct buf why = { NULL, 0, 0, 0 }, who = { NULL, 0, 0, 0 };
	char *what;
	json_t *f;

	if (d == NULL)
		buf_adds(&why, all ? "allows every catalogue action on \"*\"" :
		    "allows every iam action on \"*\"");
	else if (d->by_name != NULL)
		buf_printf(&why, "%s is attached", d->by_name);
	else if (all && pcat_set_is_full(&d->sum.allow_all)) {
		what = check_admin_what(&d->sum);
		buf_printf(&why, "%s allows %s on \"*\"", d->label, what);
		free(what);
	} else if (all) {
		check_principal_contributors(p, e, &who);
		buf_printf(&why, "allows every catalogue action on \"*\" across its policies (%s)", who.p);
	} else
		buf_printf(&why, "%s allows \"iam:*\" on \"*\"", d->label);
	if (e->cond_allow)
		buf_adds(&why, " (under a condition, which still counts as a grant)");
	if (e->unknown.n > 0) {
		buf_adds(&why, "; it also allows actions the catalogue does not know: ");
		check_names_text(&why, &e->unknown);
	}
	f = role_find(o, r, "%s", why.p);
	if (d != NULL)
		doc_fill(o, f, d);
	if (d != NULL && d->doc != NULL && d->by_name == NULL)
		check_ev_statement(f, d->doc, d->sum.full_stmt ? d->sum.full_stmt : d->sum.first_allow);
	if (p->boundary != NULL)
		check_ev_str(f, "permissions_boundary", p->boundary->arn);
	buf_free(&why);
	buf_free(&who);
}

static void
rule_admin(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	struct check_principal p;
	struct pol_effective e;
	int all;

	if (!role_principal(c, o, r, &p))
		return;
	check_principal_effective(&p, &e);
	all = pol_effective_admin(&e);
	if (all || pol_effective_service_full(&e, "iam"))
		admin_finding(o, r, &p, &e, all);
	pol_effective_free(&e);
	check_principal_free(&p);
}

void
check_grade_role_admin(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 1, rule_admin);
}

static void
rule_escalation(struct check_ctx *c, struct check_out *o, const struct check_role *r)
{
	const struct pol_doc **docs;
	const struct check_pdoc *d;
	struct check_principal p;
	struct pol_escalation *esc;
	struct buf acts = { NULL, 0, 0, 0 };
	size_t k, n;
	json_t *f;

	if (!role_principal(c, o, r, &p))
		return;
	docs = xcalloc(p.ndocs + 1, sizeof(*docs));
	for (k = 0; k < p.ndocs; k++)
		docs[k] = p.docs[k]->doc;
	n = pol_escalations(docs, p.ndocs, p.boundary ? p.boundary->doc : NULL, r->arn,
	    NULL, &esc);
	if (n > 0) {
		for (k = 0; k < n; k++)
			buf_printf(&acts, "%s%s", k ? ", " : "", esc[k].action);
		for (d = NULL, k = 0; k < p.ndocs && d == NULL; k++)
			if (p.docs[k]->doc == esc[0].doc)
				d = p.docs[k];
		f = role_find(o, r, "can escalate privileges: %s (first: %s on %s, %s%s)",
		    acts.p, esc[0].action, esc[0].resource, d ? d->label : "?",
		    esc[0].conditional ? ", under a condition, which still counts" : "");
		check_ev_str(f, "actions", acts.p);
		check_ev_str(f, "resource", esc[0].resource);
		if (d != NULL) {
			doc_fill(o, f, d);
			check_ev_statement(f, esc[0].doc, esc[0].st);
		}
	}
	free(esc);
	free(docs);
	check_principal_free(&p);
	buf_free(&acts);
}

void
check_grade_role_escalation(struct check_ctx *c, struct check_out *o)
{
	each_role(c, o, 1, rule_escalation);
}

/* ROLE-01..06, one role at a time, for CHG-01 (checks/changes.c). */
const struct check_role_rule check_role_rules[] = {
	{ "ROLE-01", rule_public },
	{ "ROLE-02", rule_accounts },
	{ "ROLE-03", rule_oidc },
	{ "ROLE-04", rule_deputy },
	{ "ROLE-05", rule_admin },
	{ "ROLE-06", rule_escalation },
	{ NULL, NULL }
};

static int
denied(const char *code)
{
	return code != NULL && (strstr(code, "AccessDenied") != NULL ||
	    strstr(code, "UnauthorizedOperation") != NULL);
}

void
check_grade_role_creator(struct check_ctx *c, struct check_out *o)
{
	const char *who, *slash;
	size_t i;
	json_t *f;

	if (c->nroles == 0) {
		check_na(o, "no CreateRole event in the %lld-day window",
		    jint(jpath(c->snap, "collection"), "window_days", 30));
		return;
	}
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if (r->error_code == NULL && r->creator_type != NULL &&
		    strcmp(r->creator_type, "Root") == 0) {
			role_find(o, r, "created by the root user");
		} else if (denied(r->error_code)) {
			who = r->creator_arn ? r->creator_arn : "unknown caller";
			slash = strrchr(who, '/');
			f = check_find(o, who, slash ? slash + 1 : who,
			    "CreateRole for %s denied (%s): probing?", r->name ? r->name : "?",
			    r->error_code);
			check_role_evidence(f, r);
			check_ev_str(f, "error_code", r->error_code);
			check_ev_str(f, "error_message", r->error_message);
			check_fill(o, "event_id", r->event_id);
		}
	}
}
