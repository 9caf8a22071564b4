/* Effective permissions over the action catalogue: admin and escalation questions (see effective.h). */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/effective.h"
#include "policy/glob.h"
#include "policy/policy.h"

#define ROLE_ARNS	"arn:*:iam::*:role/*"
#define USER_ARNS	"arn:*:iam::*:user/*"
#define POLICY_ARNS	"arn:*:iam::*:policy/*"

/* ROLE-06 (docs/controls.md). */
const struct pol_escalation_action pol_escalation_actions[] = {
	{ "iam:PassRole",		ROLE_ARNS },
	{ "iam:CreatePolicyVersion",	POLICY_ARNS },
	{ "iam:SetDefaultPolicyVersion", POLICY_ARNS },
	{ "iam:AttachRolePolicy",	ROLE_ARNS },
	{ "iam:AttachUserPolicy",	USER_ARNS },
	{ "iam:PutRolePolicy",		ROLE_ARNS },
	{ "iam:PutUserPolicy",		USER_ARNS },
	{ "iam:UpdateAssumeRolePolicy",	ROLE_ARNS },
	{ "iam:CreateAccessKey",	USER_ARNS },
	{ "iam:CreateLoginProfile",	USER_ARNS },
	{ "iam:UpdateLoginProfile",	USER_ARNS },
	{ "sts:AssumeRole",		ROLE_ARNS },
};
const size_t pol_nescalation_actions =
    sizeof(pol_escalation_actions) / sizeof(pol_escalation_actions[0]);

/*
 * A resource pattern that matches every ARN: only stars, or "arn:" then
 * only stars and at most four colons, ending with a star (every ARN has
 * at least four colons after "arn:", and the last star spans the rest).
 */
static int
all_resources(const char *p)
{
	int colons = 0;

	if (*p == '\0')
		return 0;
	if (strspn(p, "*") == strlen(p))
		return 1;
	if (strncmp(p, "arn:", 4) != 0)
		return 0;
	for (p += 4; *p == '*' || *p == ':'; p++)
		colons += *p == ':';
	return *p == '\0' && p[-1] == '*' && colons <= 4;
}

static int
on_every_resource(const struct pol_stmt *st)
{
	size_t i;

	if (!st->has_resource)
		return 0;
	if (st->not_resource)
		return 1;
	for (i = 0; i < st->resource.n; i++)
		if (all_resources(st->resource.v[i]))
			return 1;
	return 0;
}

/*
 * A pattern that matched nothing names an action the catalogue does not
 * know when its service part is literal ("newsvc:Do", "newsvc:*"); one
 * with a wildcard service ("*:x*") names nothing in particular.
 */
static int
names_unknown(const char *p)
{
	size_t svc = strcspn(p, ":");

	return p[svc] == ':' && strcspn(p, "*?") > svc;
}

/* The statement's actions as a set; unknown names into unknown (NULL: drop). */
static void
stmt_actions(const struct pol_stmt *st, struct pcat_set *out, struct pcat_cache *cache,
    struct pcat_names *unknown)
{
	struct pcat_set named;
	size_t i;

	pcat_set_clear(&named);
	for (i = 0; i < st->action.n; i++)
		if (pcat_set_match(&named, st->action.v[i], cache) == 0 && unknown != NULL &&
		    names_unknown(st->action.v[i]))
			pcat_names_add(unknown, st->action.v[i]);
	if (st->not_action) {
		pcat_set_fill(out);
		pcat_set_diff(out, &named);
	} else
		*out = named;
}

void
pol_docsum_make(struct pol_docsum *s, const struct pol_doc *doc, struct pcat_cache *cache)
{
	const struct pol_stmt *st;
	struct pcat_set a;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->doc = doc;
	for (i = 0; i < doc->nst; i++) {
		st = &doc->st[i];
		if (!on_every_resource(st))
			continue;
		if (st->effect == POL_ALLOW) {
			stmt_actions(st, &a, cache, st->not_action ? &s->excluded : &s->unknown);
			if (pcat_set_is_empty(&a))
				continue;
			pcat_set_union(&s->allow_all, &a);
			if (s->first_allow == NULL)
				s->first_allow = st;
			if (s->full_stmt == NULL && pcat_set_is_full(&a))
				s->full_stmt = st;
			s->cond_allow |= st->ncond > 0;
			s->not_action |= st->not_action;
		} else if (st->ncond == 0 && !st->not_resource) {
			stmt_actions(st, &a, cache, NULL);
			pcat_set_union(&s->deny_all, &a);
		}
	}
}

void
pol_docsum_free(struct pol_docsum *s)
{
	pcat_names_free(&s->unknown);
	pcat_names_free(&s->excluded);
}

static void
names_merge(struct pcat_names *to, const struct pcat_names *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		pcat_names_add(to, from->v[i]);
}

void
pol_effective_make(struct pol_effective *e, const struct pol_docsum *const *docs, size_t n,
    const struct pol_docsum *boundary)
{
	struct pcat_set deny, b, mine;
	size_t i;

	memset(e, 0, sizeof(*e));
	pcat_set_clear(&deny);
	for (i = 0; i < n; i++) {
		pcat_set_union(&e->on_all, &docs[i]->allow_all);
		pcat_set_union(&deny, &docs[i]->deny_all);
	}
	if (boundary != NULL) {
		b = boundary->allow_all;
		pcat_set_diff(&b, &boundary->deny_all);
		pcat_set_inter(&e->on_all, &b);
		e->bounded = 1;
	}
	pcat_set_diff(&e->on_all, &deny);
	for (i = 0; i < n; i++) {
		mine = docs[i]->allow_all;
		pcat_set_inter(&mine, &e->on_all);
		if (pcat_set_is_empty(&mine))
			continue;
		if (e->first == NULL)
			e->first = docs[i];
		e->cond_allow |= docs[i]->cond_allow;
		names_merge(&e->unknown, &docs[i]->unknown);
		names_merge(&e->excluded, &docs[i]->excluded);
	}
}

void
pol_effective_free(struct pol_effective *e)
{
	pcat_names_free(&e->unknown);
	pcat_names_free(&e->excluded);
}

int
pol_effective_admin(const struct pol_effective *e)
{
	return pcat_set_is_full(&e->on_all);
}

int
pol_effective_service_full(const struct pol_effective *e, const char *svc)
{
	int s = pcat_service_find(svc), a, end;

	if (s < 0)
		return 0;
	pcat_service_range(s, &a, &end);
	for (; a < end; a++)
		if (!pcat_set_has(&e->on_all, a))
			return 0;
	return 1;
}

/* ---- escalation ---------------------------------------------------------- */

/*
 * Whether some string matches both patterns: a walk over pairs of
 * positions, memoised (each pair is decided once).  A star of either side
 * may absorb whatever the other side's next symbol produces.
 */
static int
meet(const char *a, size_t i, size_t na, const char *b, size_t j, size_t nb, signed char *memo)
{
	signed char *m = &memo[i * (nb + 1) + j];
	int r;

	if (*m >= 0)
		return *m;
	if (i == na && j == nb)
		r = 1;
	else if (i < na && a[i] == '*')
		r = meet(a, i + 1, na, b, j, nb, memo) || (j < nb && meet(a, i, na, b, j + 1, nb, memo));
	else if (j < nb && b[j] == '*')
		r = meet(a, i, na, b, j + 1, nb, memo) || (i < na && meet(a, i + 1, na, b, j, nb, memo));
	else if (i == na || j == nb)
		r = 0;
	else
		r = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) &&
		    meet(a, i + 1, na, b, j + 1, nb, memo);
	*m = (signed char)r;
	return r;
}

static int
meetn(const char *a, size_t na, const char *b, size_t nb)
{
	signed char *memo;
	int r;

	if (na > 4096 || nb > 4096)
		return 1;	/* too long to decide cheaply: assume they meet (broader, never a false PASS) */
	memo = xmalloc((na + 1) * (nb + 1));
	memset(memo, -1, (na + 1) * (nb + 1));
	r = meet(a, 0, na, b, 0, nb, memo);
	free(memo);
	return r;
}

int
pol_glob_meet(const char *a, const char *b)
{
	return meetn(a, strlen(a), b, strlen(b));
}

int
pol_arn_meet(const char *a, const char *b)
{
	const char *ea, *eb;
	int f;

	for (f = 0; f < 5; f++) {
		if ((ea = strchr(a, ':')) == NULL || (eb = strchr(b, ':')) == NULL)
			return pol_glob_meet(a, b);
		if (!meetn(a, (size_t)(ea - a), b, (size_t)(eb - b)))
			return 0;
		a = ea + 1;
		b = eb + 1;
	}
	return pol_glob_meet(a, b);
}

/*
 * The pattern with policy variables resolved for reach: ${aws:username}
 * is the user's own name (none for a role: the pattern matches nothing,
 * NULL); ${$} is '$'; ${*}, ${?} and every other variable become '*' (a
 * tag or an id the principal might influence reaches anything).  Caller
 * frees.
 */
static char *
resolve(const struct pol_doc *doc, const char *p, const char *self_name)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *end;
	size_t n;

	/* Version 2012-10-17 substitutes variables; earlier versions take ${...} literally. */
	if (doc->version == NULL || strcmp(doc->version, "2012-10-17") != 0)
		return xstrdup(p);
	while (*p != '\0') {
		if (p[0] != '$' || p[1] != '{' || (end = strchr(p, '}')) == NULL) {
			buf_add(&b, p++, 1);
			continue;
		}
		n = (size_t)(end - p - 2);
		if (n == 12 && strncasecmp(p + 2, "aws:username", 12) == 0) {
			if (self_name == NULL) {
				buf_free(&b);
				return NULL;
			}
			buf_adds(&b, self_name);
		} else if (n == 1 && p[2] == '$')
			buf_adds(&b, "$");
		else
			buf_adds(&b, "*");
		p = end + 1;
	}
	return b.p != NULL ? buf_steal(&b) : xstrdup("");
}

/* The resolved pattern reaches a resource of type rtype other than self. */
static int
reaches_beyond(const char *p, const char *rtype, const char *self_arn)
{
	if (strpbrk(p, "*?") == NULL)
		return 0;	/* a literal ARN: the principal itself or one named resource */
	return pol_arn_meet(p, rtype) && strcmp(p, self_arn) != 0;
}

/* An unconditional Deny of doc covers action on every resource p matches. */
static int
deny_covers(const struct pol_doc *doc, const char *action, const char *p)
{
	const struct pol_stmt *d;
	size_t i, k;
	int cover;

	for (i = 0; i < doc->nst; i++) {
		d = &doc->st[i];
		if (d->effect != POL_DENY || d->ncond > 0 || !d->has_resource ||
		    !pol_match_action(d, action))
			continue;
		if (d->not_resource) {
			/* Denied everywhere but its NotResource: covers p when they never meet. */
			for (cover = 1, k = 0; k < d->resource.n && cover; k++)
				cover = !pol_arn_meet(d->resource.v[k], p);
			if (cover)
				return 1;
			continue;
		}
		/* A pattern without '?' that matches p's text matches every string p does. */
		for (k = 0; k < d->resource.n; k++)
			if (strchr(d->resource.v[k], '?') == NULL &&
			    pol_glob(d->resource.v[k], p, 0))
				return 1;
	}
	return 0;
}

/* The boundary allows action somewhere p reaches, and does not deny it all. */
static int
boundary_allows(const struct pol_doc *b, const char *action, const char *p)
{
	const struct pol_stmt *st;
	size_t i, k;

	if (b == NULL)
		return 1;
	if (deny_covers(b, action, p))
		return 0;
	for (i = 0; i < b->nst; i++) {
		st = &b->st[i];
		if (st->effect != POL_ALLOW || !st->has_resource || !pol_match_action(st, action))
			continue;
		if (st->not_resource)
			return 1;
		for (k = 0; k < st->resource.n; k++)
			if (pol_arn_meet(st->resource.v[k], p))
				return 1;
	}
	return 0;
}

static int
docs_deny(const struct pol_doc *const *docs, size_t n, const char *action, const char *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (deny_covers(docs[i], action, p))
			return 1;
	return 0;
}

/* The resource part of an ARN (after its fifth colon), or NULL. */
static const char *
arn_resource(const char *a)
{
	int f;

	for (f = 0; f < 5 && a != NULL; f++)
		if ((a = strchr(a, ':')) != NULL)
			a++;
	return a;
}

/*
 * The resolved pattern names only self: its resource part is literal and
 * is self's.  IAM acts on its own account's users, roles and policies
 * only, so a wildcard in the account field does not reach further.
 */
static int
self_only(const char *p, const char *self_arn)
{
	const char *rp = arn_resource(p), *rs = arn_resource(self_arn);

	if (rp == NULL || rs == NULL || strpbrk(rp, "*?") != NULL)
		return 0;
	return strcmp(rp, rs) == 0;
}

/* Whether resolved pattern p counts for a grant of the given mode. */
static int
grant_reaches(const char *p, enum pol_reach mode, const char *rtype, const char *self_arn)
{
	switch (mode) {
	case POL_REACH_BEYOND:
		return reaches_beyond(p, rtype, self_arn);
	case POL_REACH_OTHER:
		return pol_arn_meet(p, rtype) && !self_only(p, self_arn);
	case POL_REACH_ANY:
		return pol_arn_meet(p, rtype);
	case POL_REACH_ON:
		return pol_glob(p, rtype, 0);
	}
	return 0;
}

int
pol_grant_find(const struct pol_doc *const *docs, size_t n, const struct pol_doc *boundary,
    const char *action, enum pol_reach mode, const char *rtype, const char *self_arn,
    const char *self_name, struct pol_escalation *out)
{
	const struct pol_stmt *st;
	const char *written;
	size_t i, j, k;
	char *p;
	int hit;

	for (i = 0; i < n; i++)
		for (j = 0; j < docs[i]->nst; j++) {
			st = &docs[i]->st[j];
			if (st->effect != POL_ALLOW || !st->has_resource ||
			    !pol_match_action(st, action))
				continue;
			for (k = 0; k < (st->not_resource ? 1 : st->resource.n); k++) {
				/* NotResource reaches every resource but a few. */
				written = st->not_resource ? "*" : st->resource.v[k];
				if ((p = resolve(docs[i], written, self_name)) == NULL)
					continue;
				/* A deny or boundary is judged on what the grant reaches: the target, when one is named. */
				hit = grant_reaches(p, mode, rtype, self_arn) &&
				    !docs_deny(docs, n, action, mode == POL_REACH_ON ? rtype : p) &&
				    boundary_allows(boundary, action, mode == POL_REACH_ON ? rtype : p);
				free(p);
				if (hit) {
					out->action = action;
					out->doc = docs[i];
					out->st = st;
					out->resource = st->not_resource ? "NotResource" : written;
					out->conditional = st->ncond > 0;
					return 1;
				}
			}
		}
	return 0;
}

size_t
pol_escalations(const struct pol_doc *const *docs, size_t n, const struct pol_doc *boundary,
    const char *self_arn, const char *self_name, struct pol_escalation **out)
{
	struct pol_escalation *v = xcalloc(pol_nescalation_actions, sizeof(*v));
	size_t a, found = 0;

	for (a = 0; a < pol_nescalation_actions; a++)
		found += pol_grant_find(docs, n, boundary, pol_escalation_actions[a].action,
		    POL_REACH_BEYOND, pol_escalation_actions[a].rtype, self_arn, self_name, &v[found]);
	*out = v;
	return found;
}
