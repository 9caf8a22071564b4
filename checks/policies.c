/*
 * POL-*: policies across the account (authorization details), asked
 * through the policy engine: which documents allow every catalogue action
 * on every resource, and whether a support role exists.  Also the
 * principal's documents (inline, managed, its groups', its boundary),
 * compiled once per snapshot, that ROLE-05/06 ask about.
 */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/catalogue.h"
#include "policy/effective.h"
#include "policy/policy.h"

/*
 * AWS-managed policies that a snapshot may name without carrying their
 * documents (GetAccountAuthorizationDetails returns only the attached
 * ones, and older snapshots none), as AWS publishes them.
 */
static const struct {
	const char	*name;
	const char	*doc;
} aws_known[] = {
	{ "AdministratorAccess",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}" },
	{ "IAMFullAccess",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:*\","
	  "\"organizations:DescribeAccount\",\"organizations:DescribeOrganization\","
	  "\"organizations:DescribeOrganizationalUnit\",\"organizations:DescribePolicy\","
	  "\"organizations:ListChildren\",\"organizations:ListParents\","
	  "\"organizations:ListPoliciesForTarget\",\"organizations:ListRoots\","
	  "\"organizations:ListPolicies\",\"organizations:ListTargetsForPolicy\"],\"Resource\":\"*\"}]}" },
};

/* The default version's document of a managed policy entry, or NULL. */
const json_t *
check_policy_document(const json_t *pol)
{
	const json_t *v;
	const char *def = jstr(pol, "DefaultVersionId");
	size_t i;

	json_array_foreach(json_object_get(pol, "PolicyVersionList"), i, v)
		if (jbool(v, "IsDefaultVersion", 0) ||
		    (def != NULL && jstr(v, "VersionId") && strcmp(def, jstr(v, "VersionId")) == 0))
			return json_object_get(v, "Document");
	return NULL;
}

static struct check_pdoc *
pdoc_new(struct check_ctx *c, const json_t *raw, const char *text, const char *label)
{
	struct check_pdoc *d = xcalloc(1, sizeof(*d));

	d->label = xstrdup(label);
	d->doc = text != NULL ? pol_parse_text(text, POL_IDENTITY, NULL, &d->err) :
	    pol_parse(raw, POL_IDENTITY, NULL, &d->err);
	if (d->doc != NULL)
		pol_docsum_make(&d->sum, d->doc, c->pcache);
	return d;
}

void
check_pdoc_free(struct check_pdoc *d)
{
	if (d == NULL)
		return;
	free(d->label);
	free(d->err);
	if (d->doc != NULL)
		pol_docsum_free(&d->sum);
	pol_free(d->doc);
	free(d);
}

/* A managed policy by ARN, compiled once per snapshot; NULL when the snapshot lacks it. */
static const struct check_pdoc *
managed(struct check_ctx *c, const char *arn)
{
	const json_t *pol, *hit;
	struct check_pdoc *d = NULL;
	const char *name;
	char *label;
	size_t i;

	if (arn == NULL)
		return NULL;
	if ((hit = json_object_get(c->pdoc_index, arn)) != NULL)
		return c->pdocs[json_integer_value(hit)];
	name = strrchr(arn, '/') ? strrchr(arn, '/') + 1 : arn;
	label = xasprintf("policy %s", name);
	if ((pol = json_object_get(c->policies_by_arn, arn)) != NULL)
		d = pdoc_new(c, check_policy_document(pol), NULL, label);
	else
		for (i = 0; i < sizeof(aws_known) / sizeof(aws_known[0]) && d == NULL; i++)
			if (check_is_aws_policy(arn, aws_known[i].name)) {
				d = pdoc_new(c, NULL, aws_known[i].doc, label);
				d->by_name = aws_known[i].name;
			}
	free(label);
	if (d == NULL)
		return NULL;
	d->arn = arn;
	c->pdocs = xrealloc(c->pdocs, (c->npdocs + 1) * sizeof(*c->pdocs));
	c->pdocs[c->npdocs] = d;
	json_object_set_new(c->pdoc_index, arn, json_integer((json_int_t)c->npdocs));
	c->npdocs++;
	return d;
}

static void
principal_add(struct check_principal *p, const struct check_pdoc *d)
{
	p->docs = xrealloc(p->docs, (p->ndocs + 1) * sizeof(*p->docs));
	p->docs[p->ndocs++] = d;
	if (d->doc == NULL && p->err == NULL)
		p->err = xasprintf("%s %s", d->label, d->err);
}

/* An entry's inline policies (member) and attached managed policies. */
static void
principal_entry(struct check_ctx *c, struct check_principal *p, const json_t *e,
    const char *member, const char *via)
{
	const json_t *x;
	struct check_pdoc *d;
	const struct check_pdoc *m;
	char *label;
	size_t i;

	json_array_foreach(json_object_get(e, member), i, x) {
		label = xasprintf("inline policy %s%s", jstr(x, "PolicyName") ? jstr(x, "PolicyName") : "?",
		    via ? via : "");
		d = pdoc_new(c, json_object_get(x, "PolicyDocument"), NULL, label);
		d->name = jstr(x, "PolicyName");
		free(label);
		p->own = xrealloc(p->own, (p->nown + 1) * sizeof(*p->own));
		p->own[p->nown++] = d;
		principal_add(p, d);
	}
	json_array_foreach(json_object_get(e, "AttachedManagedPolicies"), i, x) {
		if ((m = managed(c, jstr(x, "PolicyArn"))) != NULL)
			principal_add(p, m);
		else if (p->err == NULL)
			p->err = xasprintf("attached policy %s is not in the snapshot",
			    jstr(x, "PolicyArn") ? jstr(x, "PolicyArn") : "?");
	}
}

int
check_principal_load(struct check_ctx *c, const json_t *e, const char *kind,
    struct check_principal *p)
{
	const json_t *g, *gn;
	const char *barn;
	char *via;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->arn = jstr(e, "Arn");
	p->name = jstr(e, strcmp(kind, "user") == 0 ? "UserName" :
	    strcmp(kind, "group") == 0 ? "GroupName" : "RoleName");
	principal_entry(c, p, e, strcmp(kind, "user") == 0 ? "UserPolicyList" :
	    strcmp(kind, "group") == 0 ? "GroupPolicyList" : "RolePolicyList", NULL);
	if (strcmp(kind, "user") == 0)
		json_array_foreach(json_object_get(e, "GroupList"), i, gn) {
			if ((g = json_object_get(c->groups_by_name, json_string_value(gn) ?
			    json_string_value(gn) : "")) == NULL) {
				if (p->err == NULL)
					p->err = xasprintf("group %s is not in the snapshot",
					    json_string_value(gn) ? json_string_value(gn) : "?");
				continue;
			}
			via = xasprintf(" of group %s", json_string_value(gn));
			principal_entry(c, p, g, "GroupPolicyList", via);
			free(via);
		}
	barn = jstr(json_object_get(e, "PermissionsBoundary"), "PermissionsBoundaryArn");
	if (barn != NULL) {
		if ((p->boundary = managed(c, barn)) == NULL) {
			if (p->err == NULL)
				p->err = xasprintf("permissions boundary %s is not in the snapshot", barn);
		} else if (p->boundary->doc == NULL && p->err == NULL)
			p->err = xasprintf("permissions boundary %s", p->boundary->err);
	}
	return p->err == NULL;
}

void
check_principal_free(struct check_principal *p)
{
	size_t i;

	for (i = 0; i < p->nown; i++)
		check_pdoc_free(p->own[i]);
	free(p->own);
	free(p->docs);
	free(p->err);
	memset(p, 0, sizeof(*p));
}

void
check_principal_effective(const struct check_principal *p, struct pol_effective *e)
{
	const struct pol_docsum **sums = xcalloc(p->ndocs + 1, sizeof(*sums));
	size_t i;

	for (i = 0; i < p->ndocs; i++)
		sums[i] = &p->docs[i]->sum;
	pol_effective_make(e, sums, p->ndocs, p->boundary ? &p->boundary->sum : NULL);
	free(sums);
}

const struct check_pdoc *
check_principal_doc_of(const struct check_principal *p, const struct pol_docsum *s)
{
	size_t i;

	for (i = 0; i < p->ndocs; i++)
		if (&p->docs[i]->sum == s)
			return p->docs[i];
	return NULL;
}

void
check_principal_contributors(const struct check_principal *p, const struct pol_effective *e,
    struct buf *b)
{
	struct pcat_set mine;
	size_t i, n = 0;

	for (i = 0; i < p->ndocs; i++) {
		mine = p->docs[i]->sum.allow_all;
		pcat_set_inter(&mine, &e->on_all);
		if (!pcat_set_is_empty(&mine))
			buf_printf(b, "%s%s", n++ ? ", " : "", p->docs[i]->label);
	}
}

void
check_names_text(struct buf *b, const struct pcat_names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", n->v[i]);
}

/* What a document allows on every resource, in words (caller frees). */
char *
check_admin_what(const struct pol_docsum *s)
{
	struct buf b = { NULL, 0, 0, 0 };

	if (s->not_action) {
		buf_adds(&b, "every action but its NotAction");
		if (s->excluded.n > 0) {
			buf_adds(&b, " (which names only actions the catalogue does not know: ");
			check_names_text(&b, &s->excluded);
			buf_adds(&b, ", so every catalogue action)");
		}
	} else if (s->full_stmt != NULL)
		buf_adds(&b, "\"*\"");
	else
		buf_adds(&b, "every catalogue action, through patterns that together cover it,");
	return buf_steal(&b);
}

/* A document that alone allows every catalogue action on every resource, after its own Denies. */
static int
doc_admin(const struct pol_docsum *s)
{
	struct pcat_set a = s->allow_all;

	pcat_set_diff(&a, &s->deny_all);
	return pcat_set_is_full(&a);
}

/*
 * Grade one document.  kind/holder name an inline policy's principal
 * ("user", "group", "role"), NULL for a managed policy.
 */
static void
grade_doc(struct check_out *o, const struct check_pdoc *d, const char *resource,
    const char *name, const char *policy_arn, const char *policy_name, const char *kind,
    const char *holder)
{
	const struct pol_stmt *st;
	char *what;
	json_t *f;

	struct buf names = { NULL, 0, 0, 0 };

	if (d == NULL) {
		check_skip(o, resource, "policy %s has no default version in the snapshot",
		    policy_name ? policy_name : "?");
		return;
	}
	if (d->doc == NULL) {
		check_skip(o, resource, "policy %s %s", policy_name ? policy_name : "?", d->err);
		return;
	}
	if (!doc_admin(&d->sum)) {
		/* Kept and named: a service newer than the catalogue is still a grant. */
		if (d->sum.unknown.n > 0) {
			check_names_text(&names, &d->sum.unknown);
			check_note(o, resource, "policy %s allows actions the catalogue does not know: %s",
			    policy_name ? policy_name : "?", names.p);
			buf_free(&names);
		}
		return;
	}
	what = check_admin_what(&d->sum);
	if (kind != NULL)
		f = check_find(o, resource, name, "inline policy %s of %s %s allows %s on \"*\"%s",
		    policy_name ? policy_name : "?", kind, holder ? holder : "?", what,
		    d->sum.cond_allow ? " (under a condition, which still counts as a grant)" : "");
	else
		f = check_find(o, resource, name, "policy %s allows %s on \"*\"%s",
		    policy_name ? policy_name : "?", what,
		    d->sum.cond_allow ? " (under a condition, which still counts as a grant)" : "");
	free(what);
	st = d->sum.full_stmt ? d->sum.full_stmt : d->sum.first_allow;
	check_ev_statement(f, d->doc, st);
	check_ev_str(f, "policy_arn", policy_arn);
	check_ev_str(f, "policy_name", policy_name);
	check_fill(o, "policy_arn", policy_arn);
	if (kind != NULL) {
		check_fill(o, kind, holder);
		check_fill(o, "policy_name", policy_name);
	}
}

static void
grade_inline(struct check_ctx *c, struct check_out *o, const json_t *list, const char *member,
    const char *kind, const char *name_key)
{
	const json_t *p, *pr;
	struct check_pdoc *d;
	size_t i, j;

	json_array_foreach(list, i, pr)
		json_array_foreach(json_object_get(pr, member), j, p) {
			d = pdoc_new(c, json_object_get(p, "PolicyDocument"), NULL, "inline policy");
			grade_doc(o, d, jstr(pr, "Arn"), jstr(pr, name_key), NULL,
			    jstr(p, "PolicyName"), kind, jstr(pr, name_key));
			check_pdoc_free(d);
		}
}

void
check_grade_pol_admin(struct check_ctx *c, struct check_out *o)
{
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *pol;
	const char *arn;
	size_t i;

	json_array_foreach(json_object_get(az, "policies"), i, pol) {
		arn = jstr(pol, "Arn");
		if (strstr(arn, ":iam::aws:policy/") != NULL || jint(pol, "AttachmentCount", 1) == 0)
			continue;	/* AWS-managed, or attached to nobody */
		grade_doc(o, managed(c, arn), arn, jstr(pol, "PolicyName"), arn,
		    jstr(pol, "PolicyName"), NULL, NULL);
	}
	grade_inline(c, o, json_object_get(az, "users"), "UserPolicyList", "user", "UserName");
	grade_inline(c, o, json_object_get(az, "groups"), "GroupPolicyList", "group", "GroupName");
	grade_inline(c, o, json_object_get(az, "roles"), "RolePolicyList", "role", "RoleName");
}

static int
attached_support(const json_t *list, const char *member)
{
	const json_t *pr, *p;
	size_t i, j;

	json_array_foreach(list, i, pr)
		json_array_foreach(json_object_get(pr, member), j, p)
			if (check_is_aws_policy(jstr(p, "PolicyArn"), "AWSSupportAccess"))
				return 1;
	return 0;
}

void
check_grade_pol_support(struct check_ctx *c, struct check_out *o)
{
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *pol;
	char *arn;
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(az, "policies"), i, pol)
		if (check_is_aws_policy(jstr(pol, "Arn"), "AWSSupportAccess") &&
		    jint(pol, "AttachmentCount", 1) > 0)
			return;
	if (attached_support(json_object_get(az, "users"), "AttachedManagedPolicies") ||
	    attached_support(json_object_get(az, "groups"), "AttachedManagedPolicies") ||
	    attached_support(json_object_get(az, "roles"), "AttachedManagedPolicies"))
		return;
	arn = xasprintf("arn:%s:iam::aws:policy/AWSSupportAccess", c->partition);
	f = check_find(o, arn, "AWSSupportAccess",
	    "AWSSupportAccess is attached to no user, group or role");
	check_ev_int(f, "attachments", 0);
	free(arn);
}
