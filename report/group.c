/* Grouping and selection: a run's OU tree and tags joined into results (group.h). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/group.h"

/* The kinds of --select term, each a set of alternatives. */
enum grp_kind { GRP_ID, GRP_OU, GRP_TAG, GRP_NAME, GRP__MAX };

void
group_attach(json_t *results, const json_t *structure)
{
	const json_t *accts = json_object_get(structure, "accounts");
	json_t *a, *e, *ou, *org;
	size_t i;

	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		if (structure == NULL) {
			if (json_object_get(a, "ou") != NULL)
				continue;
			json_object_set_new(a, "ou", json_pack("{s:n, s:s}", "id", "path", "/"));
			json_object_set_new(a, "tags", json_object());
			continue;
		}
		e = json_object_get(accts, jstr(a, "account_id") ? jstr(a, "account_id") : "");
		if (e == NULL) {
			json_object_set_new(a, "ou", json_pack("{s:s, s:s, s:s}", "id", "unknown",
			    "path", "unknown", "reason", "not in the run's organization record"));
			json_object_set_new(a, "tags", json_object());
			json_object_set_new(a, "tags_reason",
			    json_string("not in the run's organization record"));
			continue;
		}
		ou = json_pack("{s:O, s:O}", "id", json_object_get(e, "ou_id"),
		    "path", json_object_get(e, "ou_path"));
		if (json_object_get(e, "ou_reason") != NULL)
			json_object_set(ou, "reason", json_object_get(e, "ou_reason"));
		json_object_set_new(a, "ou", ou);
		json_object_set_new(a, "tags", json_is_object(json_object_get(e, "tags")) ?
		    json_deep_copy(json_object_get(e, "tags")) : json_object());
		if (json_object_get(e, "tags_reason") != NULL)
			json_object_set(a, "tags_reason", json_object_get(e, "tags_reason"));
		else
			json_object_del(a, "tags_reason");
	}
	if (structure != NULL) {
		org = json_deep_copy(structure);
		json_object_del(org, "accounts");
		/* The account list the snapshots name (snapshot.h): theirs, not the results'. */
		json_object_del(org, "organization_accounts");
		json_object_set_new(results, "organization", org);
	}
}

/* path is prefix or under it, by whole segments ("/Prod" is not under "/Pr"). */
static int
grp_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static enum grp_kind
grp_kind(const char *term)
{
	if (str_is_account_id(term))
		return GRP_ID;
	if (strncmp(term, "ou:", 3) == 0)
		return GRP_OU;
	if (strncmp(term, "tag:", 4) == 0)
		return GRP_TAG;
	return GRP_NAME;
}

static int
grp_match(const json_t *a, const char *term)
{
	const char *eq, *v, *s;
	char *key;
	int m;

	switch (grp_kind(term)) {
	case GRP_ID:
		return (s = jstr(a, "account_id")) != NULL && strcmp(s, term) == 0;
	case GRP_OU:
		s = json_string_value(jpath(a, "ou.path"));
		if (term[3] != '/')	/* an OU id */
			return json_string_value(jpath(a, "ou.id")) != NULL &&
			    strcmp(json_string_value(jpath(a, "ou.id")), term + 3) == 0;
		return s != NULL && grp_under(s, term + 3);
	case GRP_TAG:
		eq = strchr(term + 4, '=');
		key = eq ? xstrndup(term + 4, (size_t)(eq - term - 4)) : xstrdup(term + 4);
		v = jstr(json_object_get(a, "tags"), key);
		m = v != NULL && (eq == NULL || strcmp(v, eq + 1) == 0);
		free(key);
		return m;
	default:
		return ((s = jstr(a, "name")) != NULL && fnmatch(term, s, 0) == 0) ||
		    ((s = jstr(a, "alias")) != NULL && fnmatch(term, s, 0) == 0);
	}
}

int
group_select(json_t *results, const char *expr, char **err)
{
	json_t *accts = json_object_get(results, "accounts"), *kept = NULL, *terms, *t, *a;
	char *copy, *p, *tok, *save = NULL;
	int has[GRP__MAX] = { 0 }, ok[GRP__MAX], any, rc = 0;
	size_t i, j;

	terms = json_array();
	copy = xstrdup(expr);
	for (p = copy; (tok = strtok_r(p, " ,\t", &save)) != NULL; p = NULL)
		json_array_append_new(terms, json_string(tok));
	if (json_array_size(terms) == 0) {
		err_set(err, "--select \"%s\": no terms", expr);
		goto out;
	}
	/* A term matching nothing is almost always a typo: say which. */
	json_array_foreach(terms, j, t) {
		has[grp_kind(json_string_value(t))] = 1;
		any = 0;
		json_array_foreach(accts, i, a)
			if ((any = grp_match(a, json_string_value(t))) != 0)
				break;
		if (!any) {
			err_set(err, "--select: \"%s\" matches no account", json_string_value(t));
			goto out;
		}
	}
	kept = json_array();
	json_array_foreach(accts, i, a) {
		memset(ok, 0, sizeof(ok));
		json_array_foreach(terms, j, t)
			if (grp_match(a, json_string_value(t)))
				ok[grp_kind(json_string_value(t))] = 1;
		for (j = 0; j < GRP__MAX; j++)
			if (has[j] && !ok[j])
				break;
		if (j == GRP__MAX)
			json_array_append(kept, a);
	}
	if (json_array_size(kept) == 0) {
		err_set(err, "--select \"%s\" matches no account", expr);
		goto out;
	}
	json_object_set(results, "accounts", kept);
	json_object_set_new(results, "selection", json_string(expr));
	rc = 1;
out:
	json_decref(kept);
	json_decref(terms);
	free(copy);
	return rc;
}

int
group_by_valid(const char *by, char **err)
{
	if (by != NULL && (strcmp(by, "ou") == 0 || strcmp(by, "none") == 0 ||
	    (strncmp(by, "tag:", 4) == 0 && by[4] != '\0')))
		return 1;
	return err_set(err, "--group-by \"%s\": use ou, tag:KEY or none", by ? by : "");
}

char *
group_key(const json_t *a, const char *by)
{
	const char *v;

	if (strcmp(by, "none") == 0)
		return xstrdup("all accounts");
	if (strcmp(by, "ou") == 0)
		return xstrdup(json_string_value(jpath(a, "ou.path")) ?
		    json_string_value(jpath(a, "ou.path")) : "/");
	if ((v = jstr(json_object_get(a, "tags"), by + 4)) != NULL)
		return xstrdup(v);
	if (json_object_get(a, "tags_reason") != NULL)
		return xstrdup("unknown");
	return xasprintf("(no %s)", by + 4);
}

static int
grp_cmp_ll(const void *pa, const void *pb)
{
	long long a = *(const long long *)pa, b = *(const long long *)pb;

	return a < b ? -1 : a > b;
}

/* e's "share" of its "fail" over "evaluated", null when none was evaluated. */
static void
grp_set_share(json_t *e)
{
	json_int_t f = jint(e, "fail", 0), ev = jint(e, "evaluated", 0);

	/* Rounded down, so that 0 means none failed and 100 means all did. */
	json_object_set_new(e, "share", ev > 0 ?
	    json_integer(f == ev ? 100 : f * 100 / ev) : json_null());
}

static int
grp_cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* A group's aggregates from its accounts (results' own objects). */
static json_t *
grp_aggregate(const char *key, const json_t *members, const json_t *baseline)
{
	static const char *const grades[] = { "A", "B", "C", "D", "F" };
	json_t *ids, *gr, *sev, *ctl, *c, *a, *b, *e, *bc;
	long long *scores, delta = 0;
	size_t i, j, ns = 0, n = json_array_size(members);
	const char *st, *g;
	int has_delta = 0;

	scores = xcalloc(n + 1, sizeof(*scores));
	ids = json_array();
	gr = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "A", 0, "B", 0, "C", 0, "D", 0,
	    "F", 0, "none", 0);
	sev = json_pack("{s:i, s:i, s:i, s:i}", "critical", 0, "high", 0, "medium", 0, "low", 0);
	ctl = json_object();
	json_array_foreach(members, i, a) {
		json_array_append(ids, json_object_get(a, "account_id"));
		if (json_is_integer(json_object_get(a, "score")))
			scores[ns++] = json_integer_value(json_object_get(a, "score"));
		g = jstr(a, "grade");
		for (j = 0; j < 5 && (g == NULL || strcmp(g, grades[j]) != 0); j++)
			;
		e = json_object_get(gr, j < 5 ? grades[j] : "none");
		json_integer_set(e, json_integer_value(e) + 1);
		json_array_foreach(json_object_get(a, "controls"), j, c) {
			if ((st = jstr(c, "status")) == NULL || jstr(c, "id") == NULL)
				continue;
			if ((e = json_object_get(ctl, jstr(c, "id"))) == NULL) {
				e = json_pack("{s:i, s:i}", "fail", 0, "evaluated", 0);
				json_object_set_new(ctl, jstr(c, "id"), e);
			}
			if (strcmp(st, "FAIL") == 0 || strcmp(st, "PASS") == 0)
				json_integer_set(json_object_get(e, "evaluated"),
				    jint(e, "evaluated", 0) + 1);
			if (strcmp(st, "FAIL") == 0) {
				json_integer_set(json_object_get(e, "fail"), jint(e, "fail", 0) + 1);
				if ((bc = json_object_get(sev, jstr(c, "severity") ?
				    jstr(c, "severity") : "")) != NULL)
					json_integer_set(bc, json_integer_value(bc) + 1);
			}
		}
		if (baseline != NULL) {
			json_array_foreach(json_object_get(baseline, "accounts"), j, b)
				if (jstr(b, "account_id") && jstr(a, "account_id") &&
				    strcmp(jstr(b, "account_id"), jstr(a, "account_id")) == 0 &&
				    json_is_integer(json_object_get(b, "score")) &&
				    json_is_integer(json_object_get(a, "score"))) {
					delta += jint(a, "score", 0) - jint(b, "score", 0);
					has_delta = 1;
					break;
				}
		}
	}
	json_object_foreach(ctl, st, e)
		grp_set_share(e);
	qsort(scores, ns, sizeof(*scores), grp_cmp_ll);
	e = json_pack("{s:s, s:o, s:I, s:{s:o, s:o, s:o}, s:o, s:o, s:o, s:o}",
	    "key", key, "accounts", ids, "n", (json_int_t)n,
	    "score",
	    "worst", ns ? json_integer(scores[0]) : json_null(),
	    "median", ns ? json_integer(scores[(ns - 1) / 2]) : json_null(),
	    "best", ns ? json_integer(scores[ns - 1]) : json_null(),
	    "grades", gr, "fail_by_severity", sev, "controls", ctl,
	    "score_delta", has_delta ? json_integer(delta) : json_null());
	free(scores);
	return e;
}

json_t *
group_build(const json_t *results, const json_t *baseline, const char *by, char **err)
{
	json_t *bykey, *out = NULL, *m, *a;
	const char *k, **keys;
	char *key;
	size_t i, n = 0;

	if (!group_by_valid(by, err))
		return NULL;
	bykey = json_object();
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		key = group_key(a, by);
		if ((m = json_object_get(bykey, key)) == NULL)
			json_object_set_new(bykey, key, m = json_array());
		json_array_append(m, a);
		free(key);
	}
	/* Sorted keys: the same results give the same groups, in the same order. */
	keys = xcalloc(json_object_size(bykey) + 1, sizeof(*keys));
	json_object_foreach(bykey, k, m)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), grp_cmp_str);
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, grp_aggregate(keys[i],
		    json_object_get(bykey, keys[i]), baseline));
	free(keys);
	json_decref(bykey);
	return out;
}

int
group_apply(json_t *results, const json_t *baseline, const char *by, char **err)
{
	json_t *g;

	if (by == NULL)
		by = json_object_get(results, "organization") != NULL ? "ou" : "none";
	if ((g = group_build(results, baseline, by, err)) == NULL)
		return 0;
	json_object_set_new(results, "grouping", json_pack("{s:s, s:o}", "by", by, "groups", g));
	return 1;
}

/* Groups by size, largest first; the earlier (by key) first among equals. */
static int
grp_cmp_size(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	json_int_t na = jint(a, "n", 0), nb = jint(b, "n", 0);

	if (na != nb)
		return na > nb ? -1 : 1;
	return strcmp(jstr(a, "key") ? jstr(a, "key") : "", jstr(b, "key") ? jstr(b, "key") : "");
}

json_t *
group_heat_columns(const json_t *groups, size_t max)
{
	size_t n = json_array_size(groups), i, kept = 0;
	const json_t **bysize, *g, *c;
	json_t *out = json_array(), *other, *ctl, *e;
	json_int_t total = 0;
	const char *id;

	if (max < 2)
		max = 2;
	if (n <= max) {
		json_array_foreach(groups, i, g)
			json_array_append(out, (json_t *)g);
		return out;
	}
	bysize = xcalloc(n, sizeof(*bysize));
	json_array_foreach(groups, i, g)
		bysize[i] = g;
	qsort(bysize, n, sizeof(*bysize), grp_cmp_size);
	/* The largest max - 1 are marked by n in the sorted copy; kept in key order. */
	ctl = json_object();
	json_array_foreach(groups, i, g) {
		size_t r;

		for (r = 0; r < max - 1 && bysize[r] != g; r++)
			;
		if (r < max - 1) {
			json_array_append(out, (json_t *)g);
			kept++;
			continue;
		}
		total += jint(g, "n", 0);
		json_object_foreach((json_t *)json_object_get(g, "controls"), id, c) {
			if ((e = json_object_get(ctl, id)) == NULL)
				json_object_set_new(ctl, id, e = json_pack("{s:I, s:I}", "fail",
				    (json_int_t)0, "evaluated", (json_int_t)0));
			json_object_set_new(e, "fail", json_integer(jint(e, "fail", 0) + jint(c, "fail", 0)));
			json_object_set_new(e, "evaluated",
			    json_integer(jint(e, "evaluated", 0) + jint(c, "evaluated", 0)));
		}
	}
	json_object_foreach(ctl, id, e)
		grp_set_share(e);
	other = json_pack("{s:o, s:I, s:b, s:o}", "key", json_sprintf("other (%zu groups)",
	    n - kept), "n", total, "other", 1, "controls", ctl);
	json_array_append_new(out, other);
	free(bysize);
	return out;
}
