/*
 * PRIV-*: privileged access across the whole account.  Every user (with
 * its groups), group and role of the authorization details is asked of
 * the policy engine once per snapshot (struct check_priv): is it
 * administrator-equivalent (policy/effective.h), which methods of the
 * escalation catalogue can it use (policy/escalation.h), and which roles
 * may it assume.  PRIV-01 follows sts:AssumeRole edges to the roles that
 * are administrators or can escalate (multi-step, cycles included), and
 * PRIV-02 lists the users and groups that hold administrator access
 * themselves.
 */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/effective.h"
#include "policy/escalation.h"
#include "policy/policy.h"

#define NO_NODE	((size_t)-1)

/*
 * Callers of one administrator role listed in the results: a role that
 * trusts the account and users granted sts:AssumeRole on every role make
 * thousands (40,000 callers of 48 roles, 9 MB of JSON at 5,000 roles and 2,000 users in
 * the priv benchmark); past this many, callers_total still counts them.
 */
#define CHECK_PRIV_MAX_CALLERS	100

/* One principal and what the engine says about it. */
struct priv_node {
	struct check_principal	 p;
	int			 ok;		/* every document usable */
	int			 admin;		/* every catalogue action on every resource */
	int			 service_linked; /* a role under /aws-service-role/: only AWS may use it */
	struct pol_esc_hit	*hits;
	size_t			 nhits;
	struct pol_doc		*trust;		/* roles: compiled trust (owned), or NULL */
	char			*trust_err;
	/* The shortest way to a strong role (admin or escalating), or NO_NODE. */
	size_t			 next;
	struct pol_escalation	 via;		/* the identity grant of that step (action NULL: the trust alone admits) */
	/* The same toward a role that could not be judged. */
	size_t			 next_unknown;
};

/* Edges are many (millions in a large account): only their ends are kept. */
struct priv_edge {
	size_t			 from, to;
	int			 unsure;	/* the role's trust could not be read: only the caller's grant is known */
};

struct check_priv {
	struct priv_node	*n;
	size_t			 nn;
	size_t			 nedges;
	/* The edges into administrator roles, kept for the access review (check_priv_access). */
	struct priv_edge	*to_admin;
	size_t			 nto_admin;
};

static int
is_role(const struct priv_node *x)
{
	return strcmp(x->p.kind, "role") == 0;
}

static void
node_docs(const struct priv_node *x, const struct pol_doc ***docs)
{
	size_t k;

	*docs = xcalloc(x->p.ndocs + 1, sizeof(**docs));
	for (k = 0; k < x->p.ndocs; k++)
		(*docs)[k] = x->p.docs[k]->doc;
}

static void
node_load(struct check_ctx *c, struct priv_node *x, const json_t *e, const char *kind)
{
	const struct pol_doc **docs;
	struct pol_effective eff;
	const char *path;
	char *err = NULL;

	x->next = x->next_unknown = NO_NODE;
	x->ok = check_principal_load(c, e, kind, &x->p);
	if (strcmp(kind, "role") == 0) {
		path = jstr(e, "Path");
		x->service_linked = path != NULL && strncmp(path, "/aws-service-role/", 18) == 0;
		if ((x->trust = pol_parse(json_object_get(e, "AssumeRolePolicyDocument"), POL_TRUST,
		    NULL, &err)) == NULL) {
			x->trust_err = xasprintf("trust policy %s", err);
			free(err);
		}
	}
	if (!x->ok || x->p.arn == NULL)
		return;
	check_principal_effective(&x->p, &eff);
	x->admin = pol_effective_admin(&eff);
	pol_effective_free(&eff);
	if (x->admin)
		return;
	node_docs(x, &docs);
	x->nhits = pol_esc_find(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc : NULL,
	    x->p.arn, strcmp(kind, "user") == 0 ? x->p.name : NULL, &x->hits);
	free(docs);
}

/* Some Allow of the principal's documents names sts:AssumeRole on some role. */
static int
may_assume_some(const struct priv_node *x, const struct pol_doc *const *docs)
{
	struct pol_escalation g;

	return pol_grant_find(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc : NULL,
	    "sts:AssumeRole", POL_REACH_ANY, "arn:*:iam::*:role/*", x->p.arn,
	    strcmp(x->p.kind, "user") == 0 ? x->p.name : NULL, &g);
}

/*
 * The trust names principals of AWS (accounts, users, roles, "*"): only
 * such roles can be assumed by the account's users and roles.
 */
static int
trust_admits_aws(const struct pol_doc *t)
{
	size_t i;

	for (i = 0; i < t->nst; i++)
		if (t->st[i].effect == POL_ALLOW && t->st[i].has_principal &&
		    (t->st[i].principal.any || t->st[i].not_principal ||
		    t->st[i].principal.by[POL_P_AWS].n > 0))
			return 1;
	return 0;
}

/* Whether the trust names arn (or everyone) itself. */
static int
trust_names(const struct pol_doc *t, const char *arn)
{
	const struct pol_strs *aws;
	size_t i, k;

	for (i = 0; i < t->nst; i++) {
		if (t->st[i].effect != POL_ALLOW || !t->st[i].has_principal)
			continue;
		if (t->st[i].principal.any || t->st[i].not_principal)
			return 1;
		aws = &t->st[i].principal.by[POL_P_AWS];
		for (k = 0; k < aws->n; k++)
			if (strcmp(aws->v[k], "*") == 0 || strcmp(aws->v[k], arn) == 0)
				return 1;
	}
	return 0;
}

/*
 * Every (user or role) -> role edge.  A principal with no grant of
 * sts:AssumeRole at all can reach only the roles whose trust names it
 * (or everyone), so most principals cost one pass over the few roles that
 * admit AWS principals.
 */
static struct priv_edge *
edges_make(struct check_priv *pv, size_t *nedges)
{
	struct priv_edge *e = NULL;
	const struct pol_doc **docs;
	struct pol_escalation via;
	size_t *aws_roles, naws = 0, ne = 0, cap = 0, s, k, r;
	struct priv_node *x, *y;
	int some;

	aws_roles = xcalloc(pv->nn + 1, sizeof(*aws_roles));
	for (r = 0; r < pv->nn; r++)
		if (is_role(&pv->n[r]) && pv->n[r].p.arn != NULL &&
		    (pv->n[r].trust == NULL || trust_admits_aws(pv->n[r].trust)))
			aws_roles[naws++] = r;
	for (s = 0; s < pv->nn; s++) {
		x = &pv->n[s];
		if (!x->ok || x->p.arn == NULL || strcmp(x->p.kind, "group") == 0)
			continue;
		node_docs(x, &docs);
		some = may_assume_some(x, docs);
		for (k = 0; k < naws; k++) {
			y = &pv->n[aws_roles[k]];
			if (aws_roles[k] == s || (y->trust == NULL && !some) ||
			    (y->trust != NULL && !some && !trust_names(y->trust, x->p.arn)))
				continue;
			if (y->trust == NULL ? !pol_grant_find(docs, x->p.ndocs, x->p.boundary ?
			    x->p.boundary->doc : NULL, "sts:AssumeRole", POL_REACH_ON, y->p.arn, x->p.arn,
			    strcmp(x->p.kind, "user") == 0 ? x->p.name : NULL, &via) :
			    !pol_esc_can_assume(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc :
			    NULL, x->p.arn, strcmp(x->p.kind, "user") == 0 ? x->p.name : NULL,
			    y->p.arn, y->trust, &via))
				continue;
			if (ne == cap) {
				cap = cap ? cap * 2 : 64;
				e = xrealloc(e, cap * sizeof(*e));
			}
			e[ne].from = s;
			e[ne].to = aws_roles[k];
			e[ne].unsure = y->trust == NULL;
			ne++;
		}
		free(docs);
	}
	free(aws_roles);
	*nedges = ne;
	return e;
}

/*
 * Breadth first, backwards from the seed roles: each principal that can
 * assume a marked role takes it as its next step (the shortest path), and
 * a role so marked is pushed in turn.  Cycles end because a role is
 * marked once.  unknown selects the next_unknown links.
 */
static void
walk_back(struct check_priv *pv, const struct priv_edge *e, const size_t *first,
    const size_t *order, int unknown)
{
	size_t *queue = xcalloc(pv->nn + 1, sizeof(*queue)), head = 0, tail = 0, r, i, s;
	char *marked = xcalloc(pv->nn + 1, 1);
	struct priv_node *x;

	for (r = 0; r < pv->nn; r++) {
		x = &pv->n[r];
		if (!is_role(x) || x->service_linked)
			continue;
		/*
		 * Unknown: a role whose permissions cannot be read, or whose trust
		 * cannot be read while it is strong or leads to a strong role.
		 */
		if (unknown ? (!x->ok || (x->trust == NULL && (x->admin || x->nhits > 0 ||
		    x->next != NO_NODE))) : (x->ok && (x->admin || x->nhits > 0))) {
			marked[r] = 1;
			queue[tail++] = r;
		}
	}
	while (head < tail) {
		r = queue[head++];
		for (i = first[r]; i < first[r + 1]; i++) {
			s = e[order[i]].from;
			x = &pv->n[s];
			if (!unknown && e[order[i]].unsure)
				continue;
			if (unknown ? x->next_unknown != NO_NODE : x->next != NO_NODE)
				continue;
			if (unknown)
				x->next_unknown = r;
			else
				x->next = r;
			if (is_role(x) && !marked[s]) {
				marked[s] = 1;
				queue[tail++] = s;
			}
		}
	}

	free(queue);
	free(marked);
}

static void
step_grant(struct priv_node *x, const struct priv_node *y)
{
	const struct pol_doc **docs;

	node_docs(x, &docs);
	if (!pol_esc_can_assume(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc : NULL,
	    x->p.arn, strcmp(x->p.kind, "user") == 0 ? x->p.name : NULL, y->p.arn, y->trust, &x->via))
		abort();	/* the edge was found by the same question */
	free(docs);
}

static void
paths_make(struct check_priv *pv)
{
	struct priv_edge *e;
	size_t *first, *order, *fill, ne, i;

	e = edges_make(pv, &ne);
	pv->nedges = ne;
	/* Edges grouped by target (counting sort): a role's callers are first[r] .. first[r + 1]. */
	first = xcalloc(pv->nn + 2, sizeof(*first));
	fill = xcalloc(pv->nn + 1, sizeof(*fill));
	order = xcalloc(ne + 1, sizeof(*order));
	for (i = 0; i < ne; i++)
		first[e[i].to + 1]++;
	for (i = 0; i < pv->nn; i++)
		first[i + 1] += first[i];
	for (i = 0; i < ne; i++)
		order[first[e[i].to] + fill[e[i].to]++] = i;
	walk_back(pv, e, first, order, 0);
	walk_back(pv, e, first, order, 1);
	/* In target order, each role's callers in the order of the snapshot. */
	pv->to_admin = xcalloc(ne + 1, sizeof(*pv->to_admin));
	for (i = 0; i < ne; i++)
		if (pv->n[e[order[i]].to].admin)
			pv->to_admin[pv->nto_admin++] = e[order[i]];
	/* The grant of each chosen step, asked again: one question per principal, not per edge. */
	for (i = 0; i < pv->nn; i++)
		if (pv->n[i].next != NO_NODE)
			step_grant(&pv->n[i], &pv->n[pv->n[i].next]);
	free(first);
	free(fill);
	free(order);
	free(e);
}

static void
priv_free(struct check_priv *pv)
{
	size_t i;

	for (i = 0; i < pv->nn; i++) {
		check_principal_free(&pv->n[i].p);
		free(pv->n[i].hits);
		pol_free(pv->n[i].trust);
		free(pv->n[i].trust_err);
	}
	free(pv->n);
	free(pv->to_admin);
	free(pv);
}

void
check_priv_free(struct check_ctx *c)
{
	if (c->priv != NULL)
		priv_free(c->priv);
	c->priv = NULL;
}

/* The analysis, made once per snapshot for both controls. */
static struct check_priv *
priv_get(struct check_ctx *c)
{
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *e;
	static const char *const kinds[] = { "user", "group", "role" };
	static const char *const lists[] = { "users", "groups", "roles" };
	struct check_priv *pv;
	size_t i, k, n = 0;

	if (c->priv != NULL)
		return c->priv;
	pv = xcalloc(1, sizeof(*pv));
	for (k = 0; k < 3; k++)
		n += json_array_size(json_object_get(az, lists[k]));
	pv->n = xcalloc(n + 1, sizeof(*pv->n));
	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(az, lists[k]), i, e)
			node_load(c, &pv->n[pv->nn++], e, kinds[k]);
	paths_make(pv);
	c->priv = pv;
	return pv;
}

static const char *
fill_key(const struct priv_node *x)
{
	return x->p.kind;	/* "user", "group", "role": the placeholders' names */
}

/* The label of the principal's document that holds g, or "?". */
static const struct check_pdoc *
grant_doc(const struct priv_node *x, const struct pol_escalation *g)
{
	size_t k;

	for (k = 0; k < x->p.ndocs; k++)
		if (x->p.docs[k]->doc == g->doc)
			return x->p.docs[k];
	return NULL;
}

static json_t *
grant_json(const struct priv_node *x, const struct pol_escalation *g)
{
	const struct check_pdoc *d = grant_doc(x, g);
	char *label = g->st ? pol_stmt_label(g->st) : NULL;
	json_t *j = json_object();

	json_object_set_new(j, "action", json_string(g->action));
	json_object_set_new(j, "resource", json_string(g->resource ? g->resource : "?"));
	json_object_set_new(j, "policy", json_string(d ? d->label : "?"));
	if (d != NULL && d->arn != NULL)
		json_object_set_new(j, "policy_arn", json_string(d->arn));
	json_object_set_new(j, "statement", json_string(label ? label : "?"));
	if (g->conditional)
		json_object_set_new(j, "conditional", json_true());
	free(label);
	return j;
}

static const char *
short_name(const struct priv_node *x)
{
	return x->p.name ? x->p.name : x->p.arn;
}

/* Why the last node of a path is strong, in words, into b. */
static void
strong_why(const struct priv_node *y, struct buf *b)
{
	size_t k;

	if (y->admin) {
		buf_adds(b, "administrator-equivalent");
		return;
	}
	buf_adds(b, "can escalate by ");
	for (k = 0; k < y->nhits; k++)
		buf_printf(b, "%s%s", k ? ", " : "", y->hits[k].m->id);
}

/*
 * The multi-step path of x: its steps (JSON, new reference) and the chain
 * in words, appended to chain.
 */
static json_t *
path_steps(const struct check_priv *pv, const struct priv_node *x, struct buf *chain,
    const struct priv_node **end)
{
	const struct priv_node *cur = x, *y;
	json_t *steps = json_array(), *st;
	struct buf why = { NULL, 0, 0, 0 };
	size_t hops = 0;

	buf_printf(chain, "%s %s", x->p.kind, short_name(x));
	/* The links were set breadth first, backwards from the strong roles: they end there. */
	while (cur->next != NO_NODE && hops++ <= pv->nn) {
		y = &pv->n[cur->next];
		st = json_object();
		json_object_set_new(st, "from", json_string(cur->p.arn));
		json_object_set_new(st, "method", json_string("sts:AssumeRole"));
		json_object_set_new(st, "to", json_string(y->p.arn));
		json_object_set_new(st, "granted_by", cur->via.action != NULL ?
		    grant_json(cur, &cur->via) : json_string("the role's trust policy names the caller"));
		json_array_append_new(steps, st);
		buf_printf(chain, " \xe2\x86\x92 sts:AssumeRole \xe2\x86\x92 role %s", short_name(y));
		cur = y;
		if (cur->admin || cur->nhits > 0)
			break;
	}
	strong_why(cur, &why);
	buf_printf(chain, " (%s)", why.p);
	buf_free(&why);
	*end = cur;
	return steps;
}

/* Single-step methods of x (JSON, new reference); their ids into words, the first chains into chain. */
static json_t *
method_list(const struct priv_node *x, struct buf *words, struct buf *chain)
{
	json_t *list = json_array(), *m, *grants;
	size_t k, j;

	for (k = 0; k < x->nhits; k++) {
		const struct pol_esc_hit *h = &x->hits[k];

		m = json_object();
		json_object_set_new(m, "method", json_string(h->m->id));
		json_object_set_new(m, "reaches", json_string(h->m->target));
		grants = json_array();
		for (j = 0; j < h->ngrant; j++)
			json_array_append_new(grants, grant_json(x, &h->grant[j]));
		json_object_set_new(m, "grants", grants);
		json_array_append_new(list, m);
		buf_printf(words, "%s%s", k ? ", " : "", h->m->id);
		if (k < 3)
			buf_printf(chain, "%s%s %s \xe2\x86\x92 %s \xe2\x86\x92 %s", k ? "; " : "",
			    x->p.kind, short_name(x), h->m->id, h->grant[0].resource);
	}
	if (x->nhits > 3)
		buf_printf(chain, "; and %zu more", x->nhits - 3);
	return list;
}

/* One PRIV-01 finding: the methods, the path, the chain, the granting policies. */
static void
escalation_finding(const struct check_priv *pv, struct check_out *o, const struct priv_node *x)
{
	struct buf words = { NULL, 0, 0, 0 }, chain = { NULL, 0, 0, 0 }, reason = { NULL, 0, 0, 0 };
	const struct priv_node *end = NULL;
	const struct check_pdoc *d = NULL;
	json_t *f, *methods = NULL, *steps = NULL;

	buf_printf(&reason, "%s %s ", x->p.kind, short_name(x));
	if (x->nhits > 0) {
		methods = method_list(x, &words, &chain);
		d = grant_doc(x, &x->hits[0].grant[0]);
		buf_printf(&reason, "can escalate by %s (first: %s on %s, %s)", words.p,
		    x->hits[0].grant[0].action, x->hits[0].grant[0].resource, d ? d->label : "?");
	}
	if (x->next != NO_NODE) {
		buf_adds(&chain, x->nhits > 0 ? "; " : "");
		buf_reset(&words);
		steps = path_steps(pv, x, &words, &end);
		buf_printf(&reason, "%sreaches role %s in %zu step%s: %s", x->nhits > 0 ? "; it also " : "",
		    short_name(end), json_array_size(steps), json_array_size(steps) == 1 ? "" : "s",
		    words.p);
		buf_adds(&chain, words.p);
	}
	if (x->nhits > 0 && x->hits[0].conditional)
		buf_adds(&reason, " (a grant is under a condition, which still counts)");
	f = check_find(o, x->p.arn, x->p.name, "%s", reason.p);
	check_ev_str(f, "chain", chain.p);
	if (methods != NULL)
		check_ev_json(f, methods, "methods");
	if (steps != NULL) {
		check_ev_json(f, steps, "path");
		check_ev_str(f, "path_ends_at", end->p.arn);
	}
	if (x->p.boundary != NULL)
		check_ev_str(f, "permissions_boundary", x->p.boundary->arn);
	check_fill(o, fill_key(x), x->p.name);
	if (d != NULL && d->arn != NULL)
		check_fill(o, "policy_arn", d->arn);
	else if (d != NULL)
		check_fill(o, "policy_name", d->name);
	json_decref(methods);
	json_decref(steps);
	buf_free(&words);
	buf_free(&chain);
	buf_free(&reason);
}

void
check_grade_priv_escalation(struct check_ctx *c, struct check_out *o)
{
	struct check_priv *pv = priv_get(c);
	const struct priv_node *x;
	size_t i;

	for (i = 0; i < pv->nn; i++) {
		x = &pv->n[i];
		if (x->p.arn == NULL)
			continue;
		if (!x->ok) {
			check_skip(o, x->p.arn, "%s %s: %s", x->p.kind, short_name(x), x->p.err);
			continue;
		}
		if (x->admin)
			continue;	/* already administrator: PRIV-02 (users, groups) and ROLE-05 speak of it */
		if (x->service_linked) {
			if (x->nhits > 0)
				check_note(o, x->p.arn, "service-linked role %s holds escalation actions; "
				    "only its AWS service can assume it and IAM refuses changes to it",
				    short_name(x));
			continue;
		}
		if (x->nhits > 0 || x->next != NO_NODE)
			escalation_finding(pv, o, x);
		else if (x->next_unknown != NO_NODE)
			check_skip(o, x->p.arn, "%s %s may reach role %s, which could not be judged (%s)",
			    x->p.kind, short_name(x), short_name(&pv->n[x->next_unknown]),
			    pv->n[x->next_unknown].p.err ? pv->n[x->next_unknown].p.err :
			    pv->n[x->next_unknown].trust_err);
	}
}

/*
 * The policies that alone make x administrator, else the ones whose union
 * does, into who; *e gets x's effective permissions (the caller frees them).
 */
static void
admin_grantors(const struct priv_node *x, struct pol_effective *e, struct buf *who)
{
	size_t k;

	check_principal_effective(&x->p, e);
	for (k = 0; k < x->p.ndocs; k++)
		if (pcat_set_is_full(&x->p.docs[k]->sum.allow_all))
			buf_printf(who, "%s%s", who->len ? ", " : "", x->p.docs[k]->label);
	if (who->len == 0)
		check_principal_contributors(&x->p, e, who);
}

void
check_grade_priv_admin_users(struct check_ctx *c, struct check_out *o)
{
	struct check_priv *pv = priv_get(c);
	struct pol_effective e;
	struct buf who = { NULL, 0, 0, 0 };
	struct priv_node *x;
	json_t *f;
	size_t i, k;

	for (i = 0; i < pv->nn; i++) {
		x = &pv->n[i];
		if (x->p.arn == NULL || is_role(x))
			continue;
		if (!x->ok) {
			check_skip(o, x->p.arn, "%s %s: %s", x->p.kind, short_name(x), x->p.err);
			continue;
		}
		if (!x->admin)
			continue;
		buf_reset(&who);
		admin_grantors(x, &e, &who);
		f = check_find(o, x->p.arn, x->p.name, "%s %s is administrator-equivalent through %s%s; "
		    "administrators should come through roles", x->p.kind, short_name(x), who.p,
		    e.cond_allow ? " (under a condition, which still counts as a grant)" : "");
		check_ev_str(f, "granted_by", who.p);
		check_fill(o, fill_key(x), x->p.name);
		for (k = 0; k < x->p.ndocs; k++)
			if (x->p.docs[k]->arn != NULL &&
			    pcat_set_is_full(&x->p.docs[k]->sum.allow_all)) {
				check_fill(o, "policy_arn", x->p.docs[k]->arn);
				break;
			}
		pol_effective_free(&e);
	}
	buf_free(&who);
}

void
check_priv_stats(struct check_ctx *c, struct check_priv_stats *st)
{
	struct check_priv *pv = priv_get(c);
	size_t i;

	memset(st, 0, sizeof(*st));
	st->principals = pv->nn;
	st->edges = pv->nedges;
	for (i = 0; i < pv->nn; i++) {
		st->admin += pv->n[i].admin;
		st->escalating += pv->n[i].nhits > 0;
		st->multi_step += pv->n[i].next != NO_NODE && !pv->n[i].admin;
	}
}

/* {"kind", "arn", "name"} of x (new reference). */
static json_t *
who_json(const struct priv_node *x)
{
	return json_pack("{s:s, s:s, s:s?}", "kind", x->p.kind, "arn", x->p.arn, "name", x->p.name);
}

static json_t *
admin_json(const struct priv_node *x)
{
	struct buf who = { NULL, 0, 0, 0 };
	struct pol_effective e;
	json_t *j = who_json(x), *arns = json_array();
	size_t k;

	admin_grantors(x, &e, &who);
	json_object_set_new(j, "granted_by", json_string(who.p));
	for (k = 0; k < x->p.ndocs; k++)
		if (x->p.docs[k]->arn != NULL && pcat_set_is_full(&x->p.docs[k]->sum.allow_all))
			json_array_append_new(arns, json_string(x->p.docs[k]->arn));
	json_object_set_new(j, "policy_arns", arns);
	if (e.cond_allow)
		json_object_set_new(j, "conditional", json_true());
	if (x->service_linked)
		json_object_set_new(j, "service_linked", json_true());
	if (x->p.boundary != NULL)
		json_object_set_new(j, "permissions_boundary", json_string(x->p.boundary->arn));
	pol_effective_free(&e);
	buf_free(&who);
	return j;
}

/*
 * The caller of an edge into an administrator role, with what lets it in:
 * the identity grant of sts:AssumeRole (the same question the edge was
 * found by), or the trust alone.
 */
static json_t *
caller_json(const struct priv_node *x, const struct priv_node *role, int unsure)
{
	const struct pol_doc **docs;
	struct pol_escalation via;
	json_t *j = who_json(x);
	const char *name = strcmp(x->p.kind, "user") == 0 ? x->p.name : NULL;
	int ok;

	node_docs(x, &docs);
	ok = unsure ? pol_grant_find(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc : NULL,
	    "sts:AssumeRole", POL_REACH_ON, role->p.arn, x->p.arn, name, &via) :
	    pol_esc_can_assume(docs, x->p.ndocs, x->p.boundary ? x->p.boundary->doc : NULL,
	    x->p.arn, name, role->p.arn, role->trust, &via);
	free(docs);
	if (!ok)
		abort();	/* the edge was found by the same question */
	json_object_set_new(j, "granted_by", via.action != NULL ? grant_json(x, &via) :
	    json_string("the role's trust policy names the caller"));
	if (x->admin)
		json_object_set_new(j, "admin", json_true());
	if (unsure)
		json_object_set_new(j, "unsure", json_string(role->trust_err ? role->trust_err :
		    "its trust policy could not be read"));
	return j;
}

json_t *
check_priv_access(struct check_ctx *c)
{
	const char *why = c->why[CHECK_SRC_AUTHORIZATION_DETAILS];
	json_t *out, *admins, *roles, *unjudged, *r = NULL, *callers = NULL;
	const struct priv_node *x, *y;
	struct check_priv *pv;
	size_t i, last = NO_NODE;

	out = json_object();
	if (c->data[CHECK_SRC_AUTHORIZATION_DETAILS] == NULL) {
		json_object_set_new(out, "evaluated", json_false());
		json_object_set_new(out, "reason", json_string(why ? why :
		    "the authorization details were not collected"));
		return out;
	}
	pv = priv_get(c);
	admins = json_array();
	unjudged = json_array();
	for (i = 0; i < pv->nn; i++) {
		x = &pv->n[i];
		if (x->p.arn == NULL)
			continue;
		if (!x->ok)
			json_array_append_new(unjudged, json_pack("{s:s, s:s, s:s?, s:s}", "kind",
			    x->p.kind, "arn", x->p.arn, "name", x->p.name, "reason", x->p.err));
		else if (x->admin)
			json_array_append_new(admins, admin_json(x));
	}
	roles = json_array();
	for (i = 0; i < pv->nto_admin; i++) {
		y = &pv->n[pv->to_admin[i].to];
		/* Service-linked roles act only for their service, and IAM refuses changes to them. */
		if (y->service_linked || pv->n[pv->to_admin[i].from].service_linked)
			continue;
		if (pv->to_admin[i].to != last) {
			last = pv->to_admin[i].to;
			r = json_pack("{s:s, s:s?, s:o, s:i}", "role", y->p.arn, "role_name", y->p.name,
			    "callers", callers = json_array(), "callers_total", 0);
			json_array_append_new(roles, r);
		}
		json_object_set_new(r, "callers_total", json_integer(jint(r, "callers_total", 0) + 1));
		if (json_array_size(callers) < CHECK_PRIV_MAX_CALLERS)
			json_array_append_new(callers, caller_json(&pv->n[pv->to_admin[i].from], y,
			    pv->to_admin[i].unsure));
	}
	json_object_set_new(out, "evaluated", json_true());
	/* A partial listing: what is shown holds, but someone may be missing. */
	json_object_set_new(out, "reason", c->partial[CHECK_SRC_AUTHORIZATION_DETAILS] && why ?
	    json_string(why) : json_null());
	json_object_set_new(out, "admins", admins);
	json_object_set_new(out, "admin_role_callers", roles);
	json_object_set_new(out, "not_judged", unjudged);
	return out;
}
