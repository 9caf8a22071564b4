/*
 * The least-privilege policy of a principal, and the two checks that prove
 * it (policy/suggest.h; docs/policy-engine.md states the argument).
 *
 * Why statements are copied rather than re-derived: the resources and
 * conditions of a grant are the owner's intent (a bucket, an MFA
 * condition); narrowing only the Action element of each granting statement
 * keeps them exactly, and makes "covered by a current statement" a
 * syntactic question the checks can answer soundly without reasoning about
 * the meaning of every condition operator.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/effective.h"
#include "policy/glob.h"
#include "policy/suggest.h"

/* ---- strings ------------------------------------------------------------ */

static void
strs_add(struct pol_strs *s, const char *v)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(v);
}

static int
cmp_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Sort case-insensitively and drop repeats (IAM compares actions so). */
static void
strs_sort_unique(struct pol_strs *s)
{
	size_t i, k = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_ci);
	for (i = 1; i < s->n; i++) {
		if (strcasecmp(s->v[k], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

/*
 * The text of a pattern or condition value as a Version 2012-10-17
 * document must write it to mean what it meant in its own document: under
 * an earlier version "${" is literal text, which 2012-10-17 spells "${$}{"
 * (the User Guide's escape for a literal '$').  Caller frees.
 */
static char *
canon(const char *s, int vars)
{
	struct buf b = { 0 };

	if (vars || strchr(s, '$') == NULL)
		return xstrdup(s);
	for (; *s != '\0'; s++)
		if (*s == '$')
			buf_adds(&b, "${$}");
		else
			buf_add(&b, s, 1);
	return buf_steal(&b);
}

/* a (of a statement with vars av) means the same text as b (bv). */
static int
same_text(const char *a, int av, const char *b, int bv)
{
	char *ca, *cb;
	int rc;

	if (av == bv)
		return strcmp(a, b) == 0;
	ca = canon(a, av);
	cb = canon(b, bv);
	rc = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return rc;
}

static json_t *
json_strs(const struct pol_strs *s, int vars)
{
	json_t *a = json_array();
	char *c;
	size_t i;

	for (i = 0; i < s->n; i++) {
		c = canon(s->v[i], vars);
		json_array_append_new(a, jstring(c));
		free(c);
	}
	return a;
}

/* ---- what is granted, over the catalogue ------------------------------- */

/*
 * Catalogue actions some Allow of docs names, whatever its resources and
 * conditions (a NotAction Allow: every action but the ones it names).
 */
static void
allowed_somewhere(const struct pol_doc *const *docs, size_t ndocs, struct pcat_cache *cache,
    struct pcat_set *g)
{
	struct pcat_set all, not;
	const struct pol_stmt *st;
	size_t d, i, k;

	pcat_set_clear(g);
	for (d = 0; d < ndocs; d++)
		for (i = 0; i < docs[d]->nst; i++) {
			st = &docs[d]->st[i];
			if (st->effect != POL_ALLOW)
				continue;
			if (!st->not_action) {
				for (k = 0; k < st->action.n; k++)
					pcat_set_match(g, st->action.v[k], cache);
				continue;
			}
			pcat_set_clear(&not);
			for (k = 0; k < st->action.n; k++)
				pcat_set_match(&not, st->action.v[k], cache);
			pcat_set_fill(&all);
			pcat_set_diff(&all, &not);
			pcat_set_union(g, &all);
		}
}

/* The granted set within the boundary (NULL: none). */
static void
granted(const struct pol_doc *const *docs, size_t ndocs, const struct pol_doc *boundary,
    struct pcat_cache *cache, struct pcat_set *g)
{
	struct pcat_set b;

	allowed_somewhere(docs, ndocs, cache, g);
	if (boundary != NULL) {
		allowed_somewhere(&boundary, 1, cache, &b);
		pcat_set_inter(g, &b);
	}
}

/* ---- what was used ------------------------------------------------------ */

static int
within(const char *s, time_t since)
{
	time_t t;

	return s != NULL && time_parse(s, &t) && t >= since;
}

static void
note(json_t *notes, const char *svc, char *reason)
{
	json_array_append_new(notes, json_pack("{s:s, s:s}", "service", svc, "reason", reason));
	free(reason);
}

/* ActionName is observed bare ("CreateBucket"); a prefixed one is accepted (reference §4.21). */
static const char *
bare(const char *n)
{
	const char *colon = strchr(n, ':');

	return colon != NULL ? colon + 1 : n;
}

/* A service AWS tracks at action level: used tracked actions, and granted untracked ones. */
static void
usage_tracked(struct pol_usage *u, const char *prefix, const json_t *tracked,
    const struct pcat_set *g, time_t since)
{
	const json_t *a;
	const char *n;
	char name[PCAT_NAME_MAX], *full;
	int svc = pcat_service_find(prefix), first, end, act, kept = 0, known;
	size_t i;

	json_array_foreach(tracked, i, a) {
		if ((n = jstr(a, "ActionName")) == NULL || !within(jstr(a, "LastAccessedTime"), since))
			continue;
		full = xasprintf("%s:%s", prefix, bare(n));
		if ((act = pcat_action_find(full)) >= 0) {
			pcat_action_format(act, name, sizeof(name));
			strs_add(&u->actions, name);
		} else
			strs_add(&u->actions, full);
		free(full);
	}
	if (svc < 0)
		return;
	pcat_service_range(svc, &first, &end);
	for (act = first; act < end; act++) {
		if (!pcat_set_has(g, act))
			continue;
		known = 0;
		json_array_foreach(tracked, i, a)
			if ((n = jstr(a, "ActionName")) != NULL &&
			    strcasecmp(bare(n), pcat_action_name(act)) == 0)
				known = 1;
		if (known)
			continue;
		pcat_action_format(act, name, sizeof(name));
		strs_add(&u->actions, name);
		kept++;
	}
	if (kept > 0)
		note(u->notes, prefix, xasprintf("AWS tracks %zu of its actions; the %d granted "
		    "actions it does not track are kept, since their use shows only as the "
		    "service's", json_array_size(tracked), kept));
}

/* A service AWS reports at service level: every granted action of it, by access level. */
static void
usage_service(struct pol_usage *u, const char *prefix, const struct pcat_set *g)
{
	static const unsigned lv[] = { PCAT_L_LIST, PCAT_L_READ, PCAT_L_WRITE,
		PCAT_L_PERMISSIONS, PCAT_L_TAGGING };
	struct buf b = { 0 };
	char name[PCAT_NAME_MAX];
	unsigned held = 0;
	int svc = pcat_service_find(prefix), first, end, act, kept = 0;
	size_t k;

	if (svc < 0) {
		strs_add(&u->unknown, prefix);
		note(u->notes, prefix, xstrdup("used, but the action catalogue does not know the "
		    "service: its actions cannot be listed"));
		return;
	}
	pcat_service_range(svc, &first, &end);
	for (act = first; act < end; act++)
		if (pcat_set_has(g, act)) {
			pcat_action_format(act, name, sizeof(name));
			strs_add(&u->actions, name);
			held |= (unsigned)pcat_action_level(act);
			kept++;
		}
	for (k = 0; k < sizeof(lv) / sizeof(lv[0]); k++)
		if (held & lv[k])
			buf_printf(&b, "%s%s", b.len ? ", " : "", pcat_level_name(lv[k]));
	if (kept == 0)
		note(u->notes, prefix, xstrdup("used, but no identity-based policy grants any of "
		    "its actions (a resource-based policy may)"));
	else
		note(u->notes, prefix, xasprintf("AWS reports it at service level only: the %d "
		    "granted actions of the access levels held (%s) are kept", kept, b.p));
	buf_free(&b);
}

int
pol_usage_make(struct pol_usage *u, const json_t *rec, time_t since,
    const struct pol_doc *const *docs, size_t ndocs, const struct pol_doc *boundary,
    char **err)
{
	struct pcat_set *g = xmalloc(sizeof(*g));
	const json_t *services = json_object_get(rec, "ServicesLastAccessed"), *s, *tracked;
	const char *prefix, *st = jstr(rec, "status");
	size_t i;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	u->notes = json_array();
	u->used_services = json_array();
	if (st == NULL || strcmp(st, "ok") != 0) {
		err_set(err, "its last-accessed job was not read (status %s)", st ? st : "missing");
		goto out;
	}
	if (!json_is_array(services)) {
		err_set(err, "its last-accessed record has no ServicesLastAccessed");
		goto out;
	}
	granted(docs, ndocs, boundary, NULL, g);
	json_array_foreach(services, i, s) {
		if ((prefix = jstr(s, "ServiceNamespace")) == NULL ||
		    !within(jstr(s, "LastAuthenticated"), since))
			continue;
		json_array_append_new(u->used_services, json_string(prefix));
		if (json_is_array(tracked = json_object_get(s, "TrackedActionsLastAccessed")))
			usage_tracked(u, prefix, tracked, g, since);
		else
			usage_service(u, prefix, g);
	}
	strs_sort_unique(&u->actions);
	rc = 1;
out:
	free(g);
	return rc;
}

void
pol_usage_free(struct pol_usage *u)
{
	pol_strs_free(&u->actions);
	pol_strs_free(&u->unknown);
	json_decref(u->notes);
	json_decref(u->used_services);
	memset(u, 0, sizeof(*u));
}

/* ---- statements compared over the compiled form ------------------------ */

static int
all_stars(const char *p)
{
	return *p != '\0' && strspn(p, "*") == strlen(p);
}

static int
strs_has(const struct pol_strs *s, int svars, const char *v, int vvars)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (same_text(s->v[i], svars, v, vvars))
			return 1;
	return 0;
}

/*
 * Every resource in is (Resource or NotResource element) is also in out's:
 * each Resource pattern of in is one of out's or out has "*"; a NotResource
 * in is within a NotResource out that excludes no more.
 */
static int
res_within(const struct pol_stmt *in, const struct pol_stmt *out)
{
	size_t i;

	if (!out->has_resource || !in->has_resource)
		return !out->has_resource && !in->has_resource;
	if (!out->not_resource) {
		for (i = 0; i < out->resource.n; i++)
			if (all_stars(out->resource.v[i]))
				return 1;
		if (in->not_resource)
			return 0;
		for (i = 0; i < in->resource.n; i++)
			if (!strs_has(&out->resource, out->vars, in->resource.v[i], in->vars))
				return 0;
		return 1;
	}
	if (!in->not_resource)
		return 0;
	for (i = 0; i < out->resource.n; i++)
		if (!strs_has(&in->resource, in->vars, out->resource.v[i], out->vars))
			return 0;
	return 1;
}

static int
cond_same(const struct pol_cond *a, int av, const struct pol_cond *b, int bv)
{
	size_t i;

	if (a->op != b->op || a->setq != b->setq || a->if_exists != b->if_exists ||
	    strcasecmp(a->key, b->key) != 0 || a->values.n != b->values.n)
		return 0;
	for (i = 0; i < a->values.n; i++)
		if (!same_text(a->values.v[i], av, b->values.v[i], bv))
			return 0;
	return 1;
}

/* in has every condition of out (conditions are ANDed: in applies only where out does). */
static int
cond_within(const struct pol_stmt *in, const struct pol_stmt *out)
{
	size_t i, j;

	for (i = 0; i < out->ncond; i++) {
		for (j = 0; j < in->ncond; j++)
			if (cond_same(&in->cond[j], in->vars, &out->cond[i], out->vars))
				break;
		if (j == in->ncond)
			return 0;
	}
	return 1;
}

/* For one action both match: in applies to a request only if out does. */
static int
stmt_within(const struct pol_stmt *in, const struct pol_stmt *out)
{
	return !in->has_principal && !out->has_principal && res_within(in, out) &&
	    cond_within(in, out);
}

/* Two Denies with the same Action or NotAction list (IAM compares actions case-insensitively). */
static int
same_actions(const struct pol_stmt *a, const struct pol_stmt *b)
{
	size_t i;

	if (a->not_action != b->not_action || a->action.n != b->action.n)
		return 0;
	for (i = 0; i < a->action.n; i++)
		if (strcasecmp(a->action.v[i], b->action.v[i]) != 0)
			return 0;
	return 1;
}

/* Some Deny of newdoc applies wherever Deny d does. */
static int
deny_kept(const struct pol_doc *newdoc, const struct pol_stmt *d)
{
	const struct pol_stmt *n;
	size_t i;

	for (i = 0; i < newdoc->nst; i++) {
		n = &newdoc->st[i];
		if (n->effect == POL_DENY && same_actions(n, d) && stmt_within(d, n))
			return 1;
	}
	return 0;
}

/* ASCII-lowercased copy (IAM compares actions case-insensitively; pol_glob_meet does not). */
static char *
lower(const char *s)
{
	char *c = xstrdup(s), *p;

	for (p = c; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

/*
 * Deny d can apply to some action that a (one action, or a pattern) names:
 * for a pattern, some Action pattern of d meets it; a NotAction Deny is
 * counted as meeting every pattern (it names what it does not deny).
 */
static int
deny_overlaps(const struct pol_stmt *d, const char *a)
{
	char *x, *y;
	size_t k;
	int rc = 0;

	if (strpbrk(a, "*?") == NULL)
		return pol_match_action(d, a);
	if (d->not_action)
		return 1;
	x = lower(a);
	for (k = 0; k < d->action.n && !rc; k++) {
		y = lower(d->action.v[k]);
		rc = pol_glob_meet(x, y);
		free(y);
	}
	free(x);
	return rc;
}

/* s names pattern a itself in its Action element (so it grants whatever a matches). */
static int
names_pattern(const struct pol_stmt *s, const char *a)
{
	size_t k;

	if (s->not_action)
		return 0;
	for (k = 0; k < s->action.n; k++)
		if (strcasecmp(s->action.v[k], a) == 0)
			return 1;
	return 0;
}

static char *
why_stmt(const char *name, const struct pol_stmt *st, const char *fmt, const char *a)
{
	char *label = pol_stmt_label(st), *msg, *rc;

	msg = xasprintf(fmt, a);
	rc = xasprintf("%s, %s: %s", name ? name : "a current policy", label, msg);
	free(label);
	free(msg);
	return rc;
}

int
pol_suggest_no_new_access(const struct pol_doc *const *docs, const char *const *labels,
    size_t ndocs, const struct pol_doc *newdoc, char **why)
{
	const struct pol_stmt *n, *s;
	const char *a;
	size_t i, k, d, j;
	int covered, pattern;

	*why = NULL;
	for (i = 0; i < newdoc->nst; i++) {
		n = &newdoc->st[i];
		if (n->effect == POL_DENY)
			continue;	/* a Deny only takes away */
		if (n->not_action || n->has_principal) {
			*why = why_stmt("the suggestion", n, "%san Allow must have Action and no principal", "");
			return 0;
		}
		for (k = 0; k < n->action.n; k++) {
			a = n->action.v[k];
			pattern = strpbrk(a, "*?") != NULL;
			covered = 0;
			for (d = 0; d < ndocs; d++)
				for (j = 0; j < docs[d]->nst; j++) {
					s = &docs[d]->st[j];
					if (s->effect == POL_ALLOW && !covered && stmt_within(n, s) &&
					    (pattern ? names_pattern(s, a) : pol_match_action(s, a)))
						covered = 1;
					if (s->effect == POL_DENY && deny_overlaps(s, a) &&
					    !deny_kept(newdoc, s)) {
						*why = why_stmt(labels ? labels[d] : docs[d]->name, s,
						    "this Deny can apply to %s and the suggestion does not "
						    "keep it", a);
						return 0;
					}
				}
			if (!covered) {
				*why = why_stmt("the suggestion", n, pattern ? "no current Allow names the pattern %s "
				    "on these resources under these conditions" : "no current Allow grants %s "
				    "on these resources under these conditions", a);
				return 0;
			}
		}
	}
	return 1;
}

int
pol_suggest_still_allowed(const struct pol_doc *const *docs, const char *const *labels,
    size_t ndocs, const struct pol_doc *newdoc, const struct pol_usage *u, char **why)
{
	const struct pol_stmt *n, *s;
	const char *a;
	size_t i, d, j, k;
	int found;

	*why = NULL;
	if (u->unknown.n > 0) {
		*why = xasprintf("service %s is used, but the action catalogue does not know its "
		    "actions: no suggestion can be shown to keep it", u->unknown.v[0]);
		return 0;
	}
	/* The new document denies nothing the current ones did not. */
	for (i = 0; i < newdoc->nst; i++) {
		n = &newdoc->st[i];
		if (n->effect != POL_DENY)
			continue;
		found = 0;
		for (d = 0; d < ndocs && !found; d++)
			for (j = 0; j < docs[d]->nst && !found; j++) {
				s = &docs[d]->st[j];
				found = s->effect == POL_DENY && same_actions(n, s) && stmt_within(n, s);
			}
		if (!found) {
			*why = why_stmt("the suggestion", n, "%sthis Deny is not one of the current policies'", "");
			return 0;
		}
	}
	/* Every current grant of a used action is kept, as wide. */
	for (k = 0; k < u->actions.n; k++) {
		a = u->actions.v[k];
		for (d = 0; d < ndocs; d++)
			for (j = 0; j < docs[d]->nst; j++) {
				s = &docs[d]->st[j];
				if (s->effect != POL_ALLOW || !pol_match_action(s, a))
					continue;
				found = 0;
				for (i = 0; i < newdoc->nst && !found; i++) {
					n = &newdoc->st[i];
					found = n->effect == POL_ALLOW && stmt_within(s, n) &&
					    pol_match_action(n, a);
				}
				if (!found) {
					*why = why_stmt(labels ? labels[d] : docs[d]->name, s,
					    "this grant of the used action %s is not kept as wide", a);
					return 0;
				}
			}
	}
	return 1;
}

/* ---- the suggestion ---------------------------------------------------- */

/* The Condition element of st, as a Version 2012-10-17 document writes it; NULL when none. */
static json_t *
cond_json(const struct pol_stmt *st)
{
	json_t *c, *op;
	size_t i;

	if (st->ncond == 0)
		return NULL;
	c = json_object();
	for (i = 0; i < st->ncond; i++) {
		if ((op = json_object_get(c, st->cond[i].opname)) == NULL) {
			op = json_object();
			json_object_set_new(c, st->cond[i].opname, op);
		}
		json_object_set_new(op, st->cond[i].key, json_strs(&st->cond[i].values, st->vars));
	}
	return c;
}

/* A statement with st's effect, resources and conditions, and the given Action (or st's own). */
static json_t *
stmt_json(const struct pol_stmt *st, json_t *actions)
{
	json_t *o = json_object(), *c;

	json_object_set_new(o, "Effect", json_string(st->effect == POL_ALLOW ? "Allow" : "Deny"));
	if (actions != NULL)
		json_object_set_new(o, "Action", actions);
	else
		json_object_set_new(o, st->not_action ? "NotAction" : "Action", json_strs(&st->action, 1));
	if (st->has_resource)
		json_object_set_new(o, st->not_resource ? "NotResource" : "Resource",
		    json_strs(&st->resource, st->vars));
	if ((c = cond_json(st)) != NULL)
		json_object_set_new(o, "Condition", c);
	return o;
}

static void
origin(json_t *origins, const char *name, const struct pol_stmt *st)
{
	char *label = pol_stmt_label(st);

	json_array_append_new(origins, json_sprintf("%s, %s", name ? name : "a document", label));
	free(label);
}

/* Granted services (within the boundary) that were not used: s->dropped. */
static void
suggest_dropped(struct pol_suggestion *s, const struct pcat_set *g, const struct pol_usage *u)
{
	const json_t *v;
	const char *prefix;
	int svc, first, end, act, used;
	size_t i;

	for (svc = 0; svc < pcat_service_count(); svc++) {
		pcat_service_range(svc, &first, &end);
		for (act = first; act < end && !pcat_set_has(g, act); act++)
			;
		if (act == end)
			continue;
		prefix = pcat_service_prefix(svc);
		used = 0;
		json_array_foreach(u->used_services, i, v)
			used |= strcasecmp(json_string_value(v), prefix) == 0;
		if (!used)
			json_array_append_new(s->dropped, json_string(prefix));
	}
}

/* Parse the document and run both checks; refuse it when one fails. */
static void
suggest_prove(const struct pol_doc *const *docs, const char *const *labels, size_t ndocs,
    const struct pol_usage *u, struct pol_suggestion *s)
{
	struct pol_doc *nd;
	char *err = NULL;

	if ((nd = pol_parse(s->policy, POL_IDENTITY, "the suggestion", &err)) == NULL) {
		s->refused = xasprintf("the suggestion is not a valid policy: %s", err);
		goto out;
	}
	s->no_new_access = pol_suggest_no_new_access(docs, labels, ndocs, nd, &err);
	if (!s->no_new_access) {
		s->refused = xasprintf("no new access could not be shown: %s", err);
		goto out;
	}
	s->still_allowed = pol_suggest_still_allowed(docs, labels, ndocs, nd, u, &err);
	if (!s->still_allowed)
		s->refused = xasprintf("still allowed could not be shown: %s", err);
out:
	free(err);
	pol_free(nd);
	if (s->refused != NULL) {
		json_decref(s->policy);
		s->policy = NULL;
	}
}

/*
 * AWS counts a policy's characters without whitespace against its quotas
 * (IAM and AWS STS quotas): 6,144 for a managed policy, 10,240 for a
 * role's inline policies together, 2,048 for a user's.  Compact JSON has
 * whitespace only inside strings, which IAM names and ARNs do not hold.
 */
static void
suggest_size(struct pol_suggestion *s)
{
	char *text;

	if (s->policy == NULL)
		return;
	text = json_dumps(s->policy, JSON_COMPACT);
	s->chars = strlen(text);
	free(text);
	if (s->chars > 6144)
		note(s->notes, "*", xasprintf("the policy has %zu characters; a managed policy may "
		    "have 6,144 and a role's inline policies 10,240 together: split it", s->chars));
}

/* a is among the kept actions (sorted case-insensitively by pol_usage_make). */
static int
kept(const struct pol_usage *u, const char *a)
{
	return u->actions.n > 0 &&
	    bsearch(&a, u->actions.v, u->actions.n, sizeof(*u->actions.v), cmp_ci) != NULL;
}

/*
 * Pattern q (of an Allow) may stand for the kept actions it matches: it is
 * a pattern, and every catalogue action it matches is kept.  Why: a
 * service-level service keeps every granted action, and "ec2:Describe*"
 * reads better than the 190 actions it stands for; it grants no more than
 * the statement it comes from, which the first check verifies.
 */
static int
pattern_kept(const char *q, const struct pol_usage *u, struct pcat_cache *cache)
{
	struct pcat_set *m;
	char name[PCAT_NAME_MAX];
	int act, rc = 0;

	if (strpbrk(q, "*?") == NULL)
		return 0;
	m = xmalloc(sizeof(*m));
	pcat_set_clear(m);
	if (pcat_set_match(m, q, cache) == 0)
		goto out;
	for (act = pcat_set_next(m, 0); act >= 0; act = pcat_set_next(m, act + 1)) {
		pcat_action_format(act, name, sizeof(name));
		if (!kept(u, name))
			goto out;
	}
	rc = 1;
out:
	free(m);
	return rc;
}

/*
 * The Action of Allow st narrowed to the kept actions: its patterns whose
 * every match is kept, then the kept actions those do not cover.  NULL
 * when it grants none of them.  Marks granting[k] for the kept actions it
 * grants, and adds the patterns to *pats (borrowed from st).
 */
static json_t *
narrow(const struct pol_stmt *st, const struct pol_usage *u, struct pcat_cache *cache,
    char *granting, struct pol_strs *pats)
{
	json_t *acts = json_array();
	size_t k, q, first = pats->n;
	int by_pattern;

	for (q = 0; q < st->action.n && !st->not_action; q++)
		if (pattern_kept(st->action.v[q], u, cache)) {
			json_array_append_new(acts, json_string(st->action.v[q]));
			pats->v = xrealloc(pats->v, (pats->n + 1) * sizeof(*pats->v));
			pats->v[pats->n++] = st->action.v[q];
		}
	for (k = 0; k < u->actions.n; k++) {
		if (!pol_match_action(st, u->actions.v[k]))
			continue;
		granting[k] = 1;
		by_pattern = 0;
		for (q = first; q < pats->n && !by_pattern; q++)
			by_pattern = pol_glob(pats->v[q], u->actions.v[k], POL_GLOB_FOLD);
		if (!by_pattern)
			json_array_append_new(acts, json_string(u->actions.v[k]));
	}
	if (json_array_size(acts) == 0) {
		json_decref(acts);
		return NULL;
	}
	return acts;
}

/* Deny st can apply to a kept action or to a pattern the suggestion allows. */
static int
deny_applies(const struct pol_stmt *st, const struct pol_usage *u, const struct pol_strs *pats)
{
	size_t k;

	for (k = 0; k < u->actions.n; k++)
		if (pol_match_action(st, u->actions.v[k]))
			return 1;
	for (k = 0; k < pats->n; k++)
		if (deny_overlaps(st, pats->v[k]))
			return 1;
	return 0;
}

void
pol_suggest(const struct pol_doc *const *docs, const char *const *labels, size_t ndocs,
    const struct pol_doc *boundary, const struct pol_usage *u, struct pcat_cache *cache,
    struct pol_suggestion *s)
{
	struct pcat_set *g = xmalloc(sizeof(*g));
	struct pol_strs pats = { NULL, 0 };
	const struct pol_stmt *st;
	json_t *stmts = json_array(), *acts;
	char *granting = xcalloc(u->actions.n + 1, 1);
	size_t d, i, k, nallow = 0;
	int pass;

	memset(s, 0, sizeof(*s));
	s->origins = json_array();
	s->notes = json_deep_copy(u->notes);
	s->dropped = json_array();
	granted(docs, ndocs, boundary, cache, g);
	s->granted_actions = (size_t)pcat_set_count(g);
	suggest_dropped(s, g, u);
	/* The Allows first: which Denies apply depends on the patterns they keep. */
	for (pass = 0; pass < 2; pass++)
		for (d = 0; d < ndocs; d++)
			for (i = 0; i < docs[d]->nst; i++) {
				st = &docs[d]->st[i];
				if (pass == 0 && st->effect == POL_ALLOW &&
				    (acts = narrow(st, u, cache, granting, &pats)) != NULL) {
					nallow++;
					json_array_append_new(stmts, stmt_json(st, acts));
				} else if (pass == 1 && st->effect == POL_DENY && deny_applies(st, u, &pats))
					json_array_append_new(stmts, stmt_json(st, NULL));	/* whole */
				else
					continue;
				origin(s->origins, labels ? labels[d] : docs[d]->name, st);
			}
	for (k = 0; k < u->actions.n; k++) {
		s->suggested_actions += granting[k] != 0;
		if (!granting[k])
			json_array_append_new(s->notes, json_pack("{s:s%, s:s+}", "service",
			    u->actions.v[k], strcspn(u->actions.v[k], ":"), "reason", u->actions.v[k],
			    " was used, but no identity-based policy grants it (a resource-based "
			    "policy may): left out"));
	}
	free(pats.v);
	if (nallow == 0) {
		s->empty = 1;
		s->refused = xstrdup("nothing the identity-based policies grant was used within the "
		    "period: the least-privilege policy grants nothing (LP-01 and LP-02 ask whether "
		    "the principal should exist)");
		json_decref(stmts);
		goto out;
	}
	s->policy = json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", stmts);
	suggest_prove(docs, labels, ndocs, u, s);
	suggest_size(s);
out:
	free(granting);
	free(g);
}

void
pol_suggest_free(struct pol_suggestion *s)
{
	json_decref(s->policy);
	json_decref(s->origins);
	json_decref(s->notes);
	json_decref(s->dropped);
	free(s->refused);
	memset(s, 0, sizeof(*s));
}
