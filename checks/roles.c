/*
 * ROLE-*: every role that a CreateRole event of the window created, graded
 * on its current trust and permissions (authorization details), or on the
 * trust it was created with when it has been deleted since.  A finding
 * names the role, the event, who created it, when and from where, and the
 * statement that offends.
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"
#include "checks/policy.h"

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

/* Actions that let a principal grant itself more (ROLE-06). */
static const char *const escalation_actions[] = {
	"iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:PutRolePolicy",
	"iam:PutUserPolicy", "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey",
	"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "sts:AssumeRole", NULL
};

#define GITHUB_OIDC	"token.actions.githubusercontent.com"

void
check_role_evidence(json_t *f, const struct check_role *r)
{
	check_ev_str(f, "role_name", r->name);
	check_ev_str(f, "event_id", r->event_id);
	check_ev_str(f, "time", r->time);
	check_ev_str(f, "creator_arn", r->creator_arn);
	check_ev_str(f, "creator_type", r->creator_type);
	check_ev_str(f, "source_ip", r->source_ip);
	check_ev_str(f, "user_agent", r->user_agent);
	check_ev_str(f, "role_exists", r->exists > 0 ? "true" : r->exists == 0 ?
	    "false (graded as created)" : "unknown");
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

/* The trust policy of a created role, or NULL after marking the role unevaluated. */
static const json_t *
trust_of(struct check_out *o, const struct check_role *r)
{
	if (r->error_code != NULL)
		return NULL;
	if (r->trust == NULL)
		check_skip(o, r->arn, "role %s (event %s): %s", r->name ? r->name : "?",
		    r->event_id ? r->event_id : "?", r->trust_err);
	return r->trust;
}

static int
grants_assume(const json_t *st)
{
	return cpol_grants_action(st, "sts:AssumeRole") ||
	    cpol_grants_action(st, "sts:AssumeRoleWithWebIdentity") ||
	    cpol_grants_action(st, "sts:AssumeRoleWithSAML");
}

/* An Allow statement letting someone assume the role, not cancelled by a Deny. */
static int
live_grant(const json_t *doc, const json_t *st)
{
	return cpol_is_allow(st) && grants_assume(st) && !cpol_cancelled(doc, st);
}

void
check_grade_role_public(struct check_ctx *c, struct check_out *o)
{
	const json_t *doc, *st;
	size_t i, j;
	json_t *f;

	if (!roles_created(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if ((doc = trust_of(o, r)) == NULL)
			continue;
		json_array_foreach(json_object_get(doc, "Statement"), j, st) {
			if (!live_grant(doc, st) || !cpol_principal_any(st) || cpol_pins_caller(st, NULL))
				continue;
			f = role_find(o, r, "trust policy lets any principal assume the role%s",
			    cpol_cond_get(st, "sts:ExternalId") ?
			    " (an sts:ExternalId condition does not identify the caller)" :
			    ": no condition pins the caller to known accounts");
			check_ev_statement(f, doc, st);
			break;
		}
	}
}

/* Accounts a statement lets in, with whether an ExternalId guards them. */
static void
statement_accounts(const json_t *st, json_t *out)
{
	const json_t *aws = cpol_principals(st, "AWS");
	json_t *pinned = json_object(), *v;
	int ext = cpol_cond_get(st, "sts:ExternalId") != NULL;
	char acct[13];
	const char *s, *k;
	size_t i, n = cpol_nvalues(aws);

	/* A wildcard principal narrowed by conditions trusts the accounts they name. */
	if (cpol_principal_any(st))
		cpol_pins_caller(st, pinned);
	for (i = 0; i < n; i++)
		if ((s = cpol_value(aws, i)) != NULL && strpbrk(s, "*?") == NULL &&
		    check_arn_account(s, acct))
			json_object_set_new(pinned, acct, json_true());
	json_object_foreach(pinned, k, v) {
		json_t *prev = json_object_get(out, k);

		/* Unguarded anywhere beats guarded elsewhere. */
		if (prev == NULL || (!ext && jbool(prev, "external_id", 0)))
			json_object_set_new(out, k, json_pack("{s:b, s:O}", "external_id", ext,
			    "statement", st));
	}
	json_decref(pinned);
}

void
check_grade_role_accounts(struct check_ctx *c, struct check_out *o)
{
	const json_t *doc, *st, *v;
	json_t *accounts, *f;
	const char *acct;
	size_t i, j;
	int ext;

	if (!roles_created(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if ((doc = trust_of(o, r)) == NULL)
			continue;
		accounts = json_object();
		json_array_foreach(json_object_get(doc, "Statement"), j, st)
			if (live_grant(doc, st))
				statement_accounts(st, accounts);
		json_object_foreach(accounts, acct, v) {
			if (json_object_get(c->trusted, acct) != NULL)
				continue;
			ext = jbool(v, "external_id", 0);
			f = role_find(o, r, "trusts account %s, outside the trusted accounts%s", acct,
			    ext ? " (with an sts:ExternalId condition)" : ", without sts:ExternalId");
			if (ext)
				check_find_severity(f, "medium");
			check_ev_str(f, "account", acct);
			check_ev_str(f, "organization_known", c->org_known ? "true" : "false");
			check_ev_statement(f, doc, json_object_get(v, "statement"));
		}
		json_decref(accounts);
	}
}

/*
 * A GitHub subject value that restricts to an owner: "repo:OWNER/..."
 * with OWNER free of wildcards; custom subject formats must at least not
 * start with a wildcard.  *org_wide is set for "repo:OWNER/" followed by a wildcard.
 */
static int
github_sub_ok(const char *v, int *org_wide)
{
	size_t owner;

	*org_wide = 0;
	if (v == NULL || *v == '\0' || *v == '*' || *v == '?')
		return 0;
	if (strncasecmp(v, "repo:", 5) != 0)
		return 1;
	v += 5;
	owner = strcspn(v, "/:");
	if (owner == 0 || strcspn(v, "*?") < owner)
		return 0;
	*org_wide = v[owner] == '/' && v[owner + 1] == '*';
	return 1;
}

/* Why a GitHub Actions trust admits too many repositories (caller frees), or NULL. */
static char *
github_problem(const json_t *st, const char *host, int *org_wide)
{
	char *key = xasprintf("%s:sub", host), *why = NULL;
	const json_t *vals = cpol_cond_get(st, key);
	const char *v;
	size_t k;
	int wide;

	*org_wide = 0;
	if (vals == NULL)
		why = xasprintf("GitHub OIDC trust without a %s condition: any repository can "
		    "assume the role", key);
	for (k = 0; vals != NULL && k < cpol_nvalues(vals) && why == NULL; k++) {
		if (!github_sub_ok(v = cpol_value(vals, k), &wide))
			why = xasprintf("GitHub OIDC subject condition is a bare wildcard (%s)",
			    v ? v : "not a string");
		*org_wide |= wide;
	}
	free(key);
	return why;
}

/* Why another provider's trust does not name its audience (caller frees), or NULL. */
static char *
audience_problem(const json_t *st, const char *host)
{
	char *key = xasprintf("%s:aud", host), *why = NULL;
	const json_t *vals = cpol_cond_get(st, key);
	const char *v;
	size_t k, n = cpol_nvalues(vals);

	for (k = 0; k < n && why == NULL; k++)
		if ((v = cpol_value(vals, k)) == NULL || strspn(v, "*") == strlen(v))
			why = xasprintf("web-identity trust for %s whose %s condition is a wildcard", host, key);
	if (n == 0)
		why = xasprintf("web-identity trust for %s without a %s condition naming the audience",
		    host, key);
	free(key);
	return why;
}

static void
oidc_statement(struct check_out *o, const struct check_role *r, const json_t *doc,
    const json_t *st)
{
	const json_t *fed = cpol_principals(st, "Federated");
	const char *p, *host;
	size_t i, n = cpol_nvalues(fed);
	int org_wide = 0;
	char *why;
	json_t *f;

	for (i = 0; i < n; i++) {
		if ((p = cpol_value(fed, i)) == NULL || strstr(p, ":saml-provider/") != NULL)
			continue;
		host = strstr(p, "oidc-provider/") ? strstr(p, "oidc-provider/") + 14 : p;
		if (strncmp(host, GITHUB_OIDC, strlen(GITHUB_OIDC)) == 0 &&
		    (host[strlen(GITHUB_OIDC)] == '\0' || host[strlen(GITHUB_OIDC)] == '/'))
			why = github_problem(st, host, &org_wide);
		else
			why = audience_problem(st, host);
		if (why != NULL) {
			f = role_find(o, r, "%s", why);
			check_ev_str(f, "provider", p);
			check_ev_statement(f, doc, st);
			free(why);
		} else if (org_wide)
			check_note(o, r->arn, "role %s: GitHub subject restricts to an organization, "
			    "not a repository (any repository of it can assume the role)",
			    r->name ? r->name : "?");
	}
}

void
check_grade_role_oidc(struct check_ctx *c, struct check_out *o)
{
	const json_t *doc, *st;
	size_t i, j;

	if (!roles_created(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		if ((doc = trust_of(o, &c->roles[i])) == NULL)
			continue;
		json_array_foreach(json_object_get(doc, "Statement"), j, st)
			if (cpol_is_allow(st) && cpol_grants_action(st, "sts:AssumeRoleWithWebIdentity") &&
			    !cpol_cancelled(doc, st))
				oidc_statement(o, &c->roles[i], doc, st);
	}
}

/* Some Allow statement trusts a wildcard or another account's principal. */
static int
trusts_outsiders(const struct check_ctx *c, const json_t *doc)
{
	const json_t *st, *aws;
	const char *s;
	char acct[13];
	size_t i, k;

	json_array_foreach(json_object_get(doc, "Statement"), i, st) {
		if (!live_grant(doc, st))
			continue;
		if (cpol_principal_any(st))
			return 1;
		aws = cpol_principals(st, "AWS");
		for (k = 0; k < cpol_nvalues(aws); k++)
			if ((s = cpol_value(aws, k)) != NULL && check_arn_account(s, acct) &&
			    strcmp(acct, c->account) != 0)
				return 1;
	}
	return 0;
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

void
check_grade_role_deputy(struct check_ctx *c, struct check_out *o)
{
	static const char *const source_keys[] = { "aws:SourceAccount", "aws:SourceArn", NULL };
	const json_t *doc, *st, *svcs;
	const char *svc;
	size_t i, j, k;
	int outsiders;
	json_t *f;

	if (!roles_created(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if ((doc = trust_of(o, r)) == NULL)
			continue;
		outsiders = trusts_outsiders(c, doc);
		json_array_foreach(json_object_get(doc, "Statement"), j, st) {
			if (!live_grant(doc, st) || (svcs = cpol_principals(st, "Service")) == NULL ||
			    cpol_cond_pinned(st, source_keys))
				continue;
			for (k = 0; k < cpol_nvalues(svcs); k++) {
				if ((svc = cpol_value(svcs, k)) == NULL || (!outsiders && !is_deputy(svc)))
					continue;
				f = role_find(o, r, outsiders ?
				    "service principal %s is trusted next to wildcard or cross-account "
				    "principals without aws:SourceAccount or aws:SourceArn" :
				    "service principal %s acts for other accounts and is trusted "
				    "without aws:SourceAccount or aws:SourceArn", svc);
				check_ev_str(f, "service", svc);
				check_ev_statement(f, doc, st);
			}
		}
	}
}

/* A permission document of a role: its name, managed ARN (or NULL) and parsed body. */
struct role_doc {
	const char	*name;
	const char	*arn;
	json_t		*doc;
};

/*
 * The current role's permission documents (inline and attached managed),
 * parsed.  Documents that cannot be read make the role unevaluated.
 * Returns the number of documents in *docs (caller frees with docs_free).
 */
static size_t
role_docs(struct check_ctx *c, struct check_out *o, const struct check_role *r,
    struct role_doc **docs)
{
	const json_t *list = json_object_get(r->role, "RolePolicyList");
	const json_t *att = json_object_get(r->role, "AttachedManagedPolicies"), *p, *pol;
	size_t i, n = 0;
	char *err = NULL;

	*docs = xcalloc(json_array_size(list) + json_array_size(att) + 1, sizeof(**docs));
	json_array_foreach(list, i, p) {
		(*docs)[n].name = jstr(p, "PolicyName");
		if (((*docs)[n].doc = cpol_parse(json_object_get(p, "PolicyDocument"), &err)) == NULL) {
			check_skip(o, r->arn, "role %s: inline policy %s %s", r->name,
			    (*docs)[n].name ? (*docs)[n].name : "?", err);
			continue;
		}
		n++;
	}
	json_array_foreach(att, i, p) {
		(*docs)[n].name = jstr(p, "PolicyName");
		(*docs)[n].arn = jstr(p, "PolicyArn");
		pol = json_object_get(c->policies_by_arn, (*docs)[n].arn ? (*docs)[n].arn : "");
		if (pol == NULL) {
			/* The well-known administrator policies are judged by name. */
			if (check_is_aws_policy((*docs)[n].arn, "AdministratorAccess") ||
			    check_is_aws_policy((*docs)[n].arn, "IAMFullAccess")) {
				(*docs)[n].doc = NULL;
				n++;
			} else
				check_skip(o, r->arn, "role %s: attached policy %s is not in the snapshot",
				    r->name, (*docs)[n].arn ? (*docs)[n].arn : "?");
			continue;
		}
		if (((*docs)[n].doc = cpol_parse(check_policy_document(pol), &err)) == NULL) {
			check_skip(o, r->arn, "role %s: policy %s %s", r->name, (*docs)[n].arn, err);
			continue;
		}
		n++;
	}
	free(err);
	return n;
}

static void
docs_free(struct role_doc *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_decref(docs[i].doc);
	free(docs);
}

/* A Deny in any of the role's documents cancels st exactly. */
static int
cancelled_any(const struct role_doc *docs, size_t n, const json_t *st)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (docs[i].doc != NULL && cpol_cancelled(docs[i].doc, st))
			return 1;
	return 0;
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
doc_fill(struct check_out *o, json_t *f, const struct role_doc *d)
{
	check_ev_str(f, d->arn ? "policy_arn" : "policy_name", d->arn ? d->arn : d->name);
	if (d->arn != NULL)
		check_fill(o, "policy_arn", d->arn);
	else
		check_fill(o, "policy_name", d->name);
}

void
check_grade_role_admin(struct check_ctx *c, struct check_out *o)
{
	struct role_doc *docs;
	const json_t *st;
	size_t i, j, k, n;
	json_t *f;

	if (!roles_existing(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if (r->error_code != NULL || r->exists <= 0)
			continue;
		n = role_docs(c, o, r, &docs);
		for (k = 0; k < n; k++) {
			const struct role_doc *d = &docs[k];

			if (check_is_aws_policy(d->arn, "AdministratorAccess") ||
			    check_is_aws_policy(d->arn, "IAMFullAccess")) {
				f = role_find(o, r, "%s is attached", d->name ? d->name : d->arn);
				doc_fill(o, f, d);
				continue;
			}
			json_array_foreach(json_object_get(d->doc, "Statement"), j, st) {
				if (!cpol_is_allow(st) || !cpol_on_all_resources(st) ||
				    !(cpol_grants_all(st, NULL) || cpol_grants_all(st, "iam")) ||
				    cancelled_any(docs, n, st))
					continue;
				f = role_find(o, r, "%s %s allows %s on \"*\"", d->arn ? "policy" : "inline policy",
				    d->name ? d->name : "?", json_object_get(st, "NotAction") ?
				    "every action but its NotAction" : cpol_grants_all(st, NULL) ? "\"*\"" : "\"iam:*\"");
				doc_fill(o, f, d);
				check_ev_statement(f, d->doc, st);
				break;
			}
		}
		docs_free(docs, n);
	}
}

void
check_grade_role_escalation(struct check_ctx *c, struct check_out *o)
{
	struct role_doc *docs;
	const json_t *st, *first_st = NULL;
	const struct role_doc *first = NULL;
	struct buf acts = { 0 };
	json_t *found, *f;
	size_t i, j, k, a, n;

	if (!roles_existing(c, o))
		return;
	for (i = 0; i < c->nroles; i++) {
		const struct check_role *r = &c->roles[i];

		if (r->error_code != NULL || r->exists <= 0)
			continue;
		n = role_docs(c, o, r, &docs);
		found = json_object();
		first = NULL;
		for (k = 0; k < n; k++) {
			const struct role_doc *d = &docs[k];

			if (d->doc == NULL) {	/* AdministratorAccess / IAMFullAccess by name */
				for (a = 0; escalation_actions[a] != NULL; a++)
					if (strncmp(escalation_actions[a], "iam:", 4) == 0 ||
					    check_is_aws_policy(d->arn, "AdministratorAccess"))
						json_object_set_new(found, escalation_actions[a], json_true());
				if (first == NULL)
					first = d;
				continue;
			}
			json_array_foreach(json_object_get(d->doc, "Statement"), j, st) {
				if (!cpol_is_allow(st) || !cpol_on_all_resources(st) || cancelled_any(docs, n, st))
					continue;
				for (a = 0; escalation_actions[a] != NULL; a++)
					if (cpol_grants_action(st, escalation_actions[a])) {
						json_object_set_new(found, escalation_actions[a], json_true());
						if (first == NULL) {
							first = d;
							first_st = st;
						}
					}
			}
		}
		if (json_object_size(found) > 0) {
			buf_reset(&acts);
			for (a = 0; escalation_actions[a] != NULL; a++)
				if (json_object_get(found, escalation_actions[a]) != NULL)
					buf_printf(&acts, "%s%s", acts.len ? ", " : "", escalation_actions[a]);
			f = role_find(o, r, "can escalate privileges: %s on \"*\" (%s %s)", acts.p,
			    first->arn ? "policy" : "inline policy", first->name ? first->name : "?");
			check_ev_str(f, "actions", acts.p);
			doc_fill(o, f, first);
			if (first->doc != NULL && first_st != NULL)
				check_ev_statement(f, first->doc, first_st);
		}
		json_decref(found);
		first_st = NULL;
		docs_free(docs, n);
	}
	buf_free(&acts);
}

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
