/* The comparison model: results (+ baseline) -> matrix, counts and diff (compare.h). */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/schema.h"
#include "report/compare.h"
#include "report/facts.h"

#define CMP_WORST	5

enum cmp_status {
	CMP_PASS,
	CMP_FAIL,
	CMP_NOT_EVALUATED,
	CMP_NOT_APPLICABLE,
	CMP_ACCEPTED,		/* every finding an accepted risk (README "Accepted risks") */
	CMP_STATUS__MAX
};
static const char *const cmp_status_names[CMP_STATUS__MAX] = {
	"PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE", "ACCEPTED"
};

/* Only the order matters here; the grading itself lives in checks/. */
static const char *const cmp_sev_names[] = { "low", "medium", "high", "critical" };
#define CMP_SEV__MAX (sizeof(cmp_sev_names) / sizeof(cmp_sev_names[0]))

/* The three CreateRole risks the organization page lists, by control. */
static const struct cmp_risk {
	const char	*control;
	const char	*kind;
} cmp_risks[] = {
	{ "ROLE-01", "wildcard trust" },
	{ "ROLE-02", "trusts an account outside the organization" },
	{ "ROLE-03", "OIDC trust without subject or audience" },
	{ NULL, NULL }
};

/* One account while the model is built. */
struct cmp_acct {
	const json_t	*src;		/* results.accounts[index] */
	const json_t	*base;		/* the baseline's account, or NULL */
	json_t		*entry;		/* model.accounts[] */
	json_t		*byid;		/* control id -> control (borrowed values) */
	json_t		*basebyid;	/* the same for the baseline, or NULL */
	size_t		 index;
	int		 has_score;
	long long	 score;
	const char	*id;
};

static int
cmp_status_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < CMP_STATUS__MAX; i++)
		if (strcmp(s, cmp_status_names[i]) == 0)
			return i;
	return -1;
}

static int
cmp_sev_rank(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < CMP_SEV__MAX; i++)
		if (strcmp(s, cmp_sev_names[i]) == 0)
			return (int)i + 1;
	return 0;
}

/* obj[key] if it is a string, else JSON null: a new reference either way. */
static json_t *
cmp_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_incref(v) : json_null();
}

static json_t *
cmp_int_or_null(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer(json_integer_value(v)) : json_null();
}

static size_t
cmp_nfindings(const json_t *control)
{
	json_t *f = json_object_get(control, "findings");

	return json_is_array(f) ? json_array_size(f) : 0;
}

int
compare_validate(const json_t *results, char **err)
{
	const json_t *accounts, *a, *controls, *c, *f;
	const char *schema;
	size_t i, j;

	if (!json_is_object(results))
		return err_set(err, "results: not a JSON object");
	schema = jstr(results, "schema");
	if (schema == NULL || strcmp(schema, SCHEMA_RESULTS) != 0)
		return err_set(err, "results: schema is %s%s%s, expected %s",
		    schema ? "\"" : "", schema ? schema : "missing",
		    schema ? "\"" : "", SCHEMA_RESULTS);
	accounts = json_object_get(results, "accounts");
	if (!json_is_array(accounts))
		return err_set(err, "results: \"accounts\" is not an array");
	json_array_foreach(accounts, i, a) {
		if (!json_is_object(a) || jstr(a, "account_id") == NULL)
			return err_set(err, "results: accounts[%zu] has no string \"account_id\"", i);
		controls = json_object_get(a, "controls");
		if (!json_is_array(controls))
			return err_set(err, "results: accounts[%zu].controls is not an array", i);
		json_array_foreach(controls, j, c) {
			if (!json_is_object(c) || jstr(c, "id") == NULL)
				return err_set(err, "results: accounts[%zu].controls[%zu] has no string \"id\"", i, j);
			if (cmp_status_parse(jstr(c, "status")) < 0)
				return err_set(err, "results: accounts[%zu].controls[%zu] (%s): unknown status",
				    i, j, jstr(c, "id"));
			f = json_object_get(c, "findings");
			if (f != NULL && !json_is_array(f) && !json_is_null(f))
				return err_set(err, "results: accounts[%zu].controls[%zu] (%s): \"findings\" is not an array",
				    i, j, jstr(c, "id"));
		}
	}
	return 1;
}

/* control id -> control object of one account (values borrowed from acct). */
static json_t *
cmp_index_controls(const json_t *acct)
{
	json_t *byid = json_object(), *c;
	size_t i;

	json_array_foreach(json_object_get(acct, "controls"), i, c)
		if (json_object_get(byid, jstr(c, "id")) == NULL)
			json_object_set(byid, jstr(c, "id"), c);
	return byid;
}

static const json_t *
cmp_find_account(const json_t *results, const char *id)
{
	const json_t *a;
	size_t i;

	if (results == NULL)
		return NULL;
	json_array_foreach(json_object_get(results, "accounts"), i, a)
		if (strcmp(jstr(a, "account_id"), id) == 0)
			return a;
	return NULL;
}

/* The per-family status counts of one account, in the document's family order. */
static json_t *
cmp_families(const json_t *results, const json_t *acct)
{
	json_t *out = json_array(), *byid = json_object(), *fam, *c, *row;
	const char *id;
	size_t i;
	int st;

	json_array_foreach(json_object_get(results, "families"), i, fam) {
		if ((id = jstr(fam, "id")) == NULL || json_object_get(byid, id) != NULL)
			continue;
		row = json_pack("{s:s, s:O, s:i, s:i, s:i, s:i}", "id", id,
		    "title", json_is_string(json_object_get(fam, "title")) ?
		    json_object_get(fam, "title") : json_object_get(fam, "id"),
		    "PASS", 0, "FAIL", 0, "NOT_EVALUATED", 0, "NOT_APPLICABLE", 0);
		json_array_append_new(out, row);
		json_object_set(byid, id, row);
	}
	json_array_foreach(json_object_get(acct, "controls"), i, c) {
		id = jstr(c, "family") ? jstr(c, "family") : "other";
		if ((row = json_object_get(byid, id)) == NULL) {
			row = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "id", id,
			    "title", id, "PASS", 0, "FAIL", 0, "NOT_EVALUATED", 0,
			    "NOT_APPLICABLE", 0);
			json_array_append_new(out, row);
			json_object_set(byid, id, row);
		}
		st = cmp_status_parse(jstr(c, "status"));
		json_object_set_new(row, cmp_status_names[st], json_integer(
		    jint(row, cmp_status_names[st], 0) + 1));
	}
	json_decref(byid);
	return out;
}

/* The model's account entry, without "baseline" (filled in later). */
static json_t *
cmp_account_entry(const json_t *results, const json_t *acct, size_t index)
{
	json_t *problems, *p, *entry, *reason, *counts = report_counts(acct);
	const json_t *coll = json_object_get(acct, "collection");
	struct buf b = { 0 };
	size_t i;
	int complete;

	problems = json_array();
	json_array_foreach(json_object_get(coll, "problems"), i, p) {
		if (!json_is_string(p))
			continue;
		json_array_append(problems, p);
		if (b.len > 0)
			buf_adds(&b, "; ");
		buf_adds(&b, json_string_value(p));
	}
	complete = jbool(coll, "complete", 1);
	if (complete)
		reason = json_null();
	else if (b.len > 0)
		reason = json_stringn(b.p, b.len);
	else
		reason = json_string("collection incomplete (no reason recorded)");
	buf_free(&b);

	/* The counts are report_counts' (report/facts.c), which the renderers read too. */
	entry = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:{s:O, s:O}, s:O, s:O,"
	    " s:O, s:O, s:b, s:o, s:o, s:o, s:n}",
	    "index", (json_int_t)index,
	    "account_id", cmp_str(acct, "account_id"),
	    "alias", cmp_str(acct, "alias"),
	    "name", cmp_str(acct, "name"),
	    "score", cmp_int_or_null(acct, "score"),
	    "grade", cmp_str(acct, "grade"),
	    "coverage", "evaluated", json_object_get(counts, "evaluated"),
	    "total", json_object_get(counts, "total"),
	    "counts", json_object_get(counts, "counts"),
	    "findings", json_object_get(counts, "findings"),
	    "fail_by_severity", json_object_get(counts, "fail_by_severity"),
	    "findings_by_severity", json_object_get(counts, "findings_by_severity"),
	    "complete", complete,
	    "problems", problems,
	    "incomplete_reason", reason ? reason : json_null(),
	    "families", cmp_families(results, acct),
	    "baseline");
	json_decref(counts);
	return entry;
}

/* Worst first: no score (nothing evaluated) first, then by score, then id. */
static int
cmp_acct_order(const void *pa, const void *pb)
{
	const struct cmp_acct *a = pa, *b = pb;
	int c;

	if (a->has_score != b->has_score)
		return a->has_score ? 1 : -1;
	if (a->has_score && a->score != b->score)
		return a->score < b->score ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static const char *
cmp_finding_key(const json_t *f)
{
	const char *k;

	if ((k = jstr(f, "resource")) != NULL || (k = jstr(f, "resource_name")) != NULL ||
	    (k = jstr(f, "reason")) != NULL)
		return k;
	return "";
}

/* How many findings have each key: {"<key>": n}. */
static json_t *
cmp_key_counts(const json_t *findings)
{
	json_t *n = json_object();
	const json_t *f;
	const char *k;
	size_t i;

	json_array_foreach(findings, i, f) {
		k = cmp_finding_key(f);
		json_object_set_new(n, k, json_integer(jint(n, k, 0) + 1));
	}
	return n;
}

/* Take one finding of key k from counts: 1 if there was one left. */
static int
cmp_take(json_t *counts, const char *k)
{
	json_int_t left = jint(counts, k, 0);

	if (left <= 0)
		return 0;
	json_object_set_new(counts, k, json_integer(left - 1));
	return 1;
}

/*
 * One cell of the matrix: the account's status for the control and, with a
 * baseline for this account, what changed.  Adds the finding counts to *nnew,
 * *nfixed, *nsame.
 */
static json_t *
cmp_cell(const struct cmp_acct *a, const char *cid, long long *nnew,
    long long *nfixed, long long *nsame)
{
	const json_t *c = json_object_get(a->byid, cid), *bc = NULL;
	json_t *cell, *newf, *fixedf, *cur, *old, *f, *g, *oldn, *curn;
	const char *change = NULL;
	long long same = 0;
	size_t i, j;
	int st = -1, bst = -1;

	if (c != NULL)
		st = cmp_status_parse(jstr(c, "status"));
	if (a->basebyid != NULL && (bc = json_object_get(a->basebyid, cid)) != NULL)
		bst = cmp_status_parse(jstr(bc, "status"));
	newf = json_array();
	fixedf = json_array();
	cur = st == CMP_FAIL ? json_object_get(c, "findings") : NULL;
	old = bst == CMP_FAIL ? json_object_get(bc, "findings") : NULL;

	if (a->basebyid != NULL) {
		/*
		 * ACCEPTED is a state of its own: a failure accepted since is
		 * "accepted", an acceptance that lapsed "reopened", neither is
		 * new nor fixed.
		 */
		if (st == CMP_ACCEPTED && bst != CMP_ACCEPTED)
			change = "accepted";
		else if (bst == CMP_ACCEPTED && st == CMP_FAIL)
			change = "reopened";
		else if (bst == CMP_ACCEPTED && st != CMP_ACCEPTED)
			change = st == CMP_NOT_EVALUATED || st < 0 ? "unknown" : "fixed";
		else if (st == CMP_FAIL)
			change = bst == CMP_FAIL ? "unchanged" : "new";
		else if (bst == CMP_FAIL)
			change = st == CMP_NOT_EVALUATED || st < 0 ? "unknown" : "fixed";

		/*
		 * Match findings one to one by key; what is left over is new or
		 * fixed.  Of k current and m earlier findings with one key, the
		 * first min(k, m) of each are matched, so counting keys is enough
		 * (linear, where comparing every pair was quadratic).
		 */
		oldn = cmp_key_counts(old);
		json_array_foreach(cur, i, f)
			if (cmp_take(oldn, cmp_finding_key(f)))
				same++;
			else
				json_array_append(newf, f);
		curn = cmp_key_counts(cur);
		if (st == CMP_PASS || st == CMP_FAIL || st == CMP_NOT_APPLICABLE)
			json_array_foreach(old, j, g)
				if (!cmp_take(curn, cmp_finding_key(g)))
					json_array_append(fixedf, g);
		json_decref(oldn);
		json_decref(curn);
		*nnew += (long long)json_array_size(newf);
		*nfixed += (long long)json_array_size(fixedf);
		*nsame += same;
	}

	cell = json_pack("{s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:I}",
	    "account_id", cmp_str(a->src, "account_id"),
	    "status", st >= 0 ? json_string(cmp_status_names[st]) : json_null(),
	    "findings", (json_int_t)(st == CMP_FAIL ? cmp_nfindings(c) : 0),
	    "reason", c != NULL ? cmp_str(c, "reason") : json_null(),
	    "before", bst >= 0 ? json_string(cmp_status_names[bst]) : json_null(),
	    "change", change ? json_string(change) : json_null(),
	    "new_findings", newf,
	    "fixed_findings", fixedf,
	    "unchanged_findings", (json_int_t)same);
	return cell;
}

/* The union of controls over accounts, in the order first seen. */
static json_t *
cmp_controls(const json_t *results, struct cmp_acct *accts, size_t n)
{
	json_t *controls = json_array(), *seen = json_object(), *c, *row, *cells, *cell;
	const json_t *acct;
	long long *nnew, *nfixed, *nsame;
	long long tally[CMP_STATUS__MAX], findings;
	const char *cid;
	size_t i, j, k;
	int st;

	nnew = xcalloc(n + 1, sizeof(*nnew));
	nfixed = xcalloc(n + 1, sizeof(*nfixed));
	nsame = xcalloc(n + 1, sizeof(*nsame));
	json_array_foreach(json_object_get(results, "accounts"), i, acct) {
		json_array_foreach(json_object_get(acct, "controls"), j, c) {
			cid = jstr(c, "id");
			if (json_object_get(seen, cid) != NULL)
				continue;
			json_object_set_new(seen, cid, json_true());
			memset(tally, 0, sizeof(tally));
			findings = 0;
			cells = json_array();
			for (k = 0; k < n; k++) {
				cell = cmp_cell(&accts[k], cid, &nnew[k], &nfixed[k], &nsame[k]);
				if ((st = cmp_status_parse(jstr(cell, "status"))) >= 0)
					tally[st]++;
				findings += jint(cell, "findings", 0);
				json_array_append_new(cells, cell);
			}
			row = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o}",
			    "id", cid,
			    "title", cmp_str(c, "title"),
			    "family", cmp_str(c, "family"),
			    "severity", cmp_str(c, "severity"),
			    "cis", cmp_str(c, "cis"),
			    "securityhub", cmp_str(c, "securityhub"),
			    "fail_accounts", (json_int_t)tally[CMP_FAIL],
			    "pass_accounts", (json_int_t)tally[CMP_PASS],
			    "not_evaluated_accounts", (json_int_t)tally[CMP_NOT_EVALUATED],
			    "not_applicable_accounts", (json_int_t)tally[CMP_NOT_APPLICABLE],
			    "findings", (json_int_t)findings,
			    "cells", cells);
			if (tally[CMP_ACCEPTED] > 0)
				json_object_set_new(row, "accepted_accounts", json_integer(tally[CMP_ACCEPTED]));
			json_array_append_new(controls, row);
		}
	}
	for (k = 0; k < n; k++) {
		if (accts[k].basebyid == NULL)
			continue;
		json_object_set_new(accts[k].entry, "baseline", json_pack(
		    "{s:o, s:o, s:o, s:I, s:I, s:I}",
		    "score", cmp_int_or_null(accts[k].base, "score"),
		    "grade", cmp_str(accts[k].base, "grade"),
		    "score_delta", accts[k].has_score &&
		    json_is_integer(json_object_get(accts[k].base, "score")) ?
		    json_integer(accts[k].score - jint(accts[k].base, "score", 0)) : json_null(),
		    "new", (json_int_t)nnew[k], "fixed", (json_int_t)nfixed[k],
		    "unchanged", (json_int_t)nsame[k]));
	}
	free(nnew);
	free(nfixed);
	free(nsame);
	json_decref(seen);
	return controls;
}

struct cmp_risk_row {
	json_t	*row;
	int	 sev;
	size_t	 acct;
	size_t	 seq;
};

static int
cmp_risk_order(const void *pa, const void *pb)
{
	const struct cmp_risk_row *a = pa, *b = pb;
	int c;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->acct != b->acct)
		return a->acct < b->acct ? -1 : 1;
	if ((c = strcmp(jstr(a->row, "control"), jstr(b->row, "control"))) != 0)
		return c;
	if ((c = strcmp(jstr(a->row, "resource") ? jstr(a->row, "resource") : "",
	    jstr(b->row, "resource") ? jstr(b->row, "resource") : "")) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ROLE-01/02/03 findings across the organization, most severe first. */
static json_t *
cmp_role_risks(const struct cmp_acct *accts, size_t n)
{
	struct cmp_risk_row *rows = NULL;
	const struct cmp_risk *r;
	const json_t *c, *f;
	json_t *out = json_array(), *ev;
	size_t k, i, nrows = 0, cap = 0;
	const char *sev;

	for (k = 0; k < n; k++) {
		for (r = cmp_risks; r->control != NULL; r++) {
			c = json_object_get(accts[k].byid, r->control);
			if (c == NULL || cmp_status_parse(jstr(c, "status")) != CMP_FAIL)
				continue;
			json_array_foreach(json_object_get(c, "findings"), i, f) {
				if (nrows == cap) {
					cap = cap ? cap * 2 : 16;
					rows = xrealloc(rows, cap * sizeof(*rows));
				}
				sev = jstr(f, "severity") ? jstr(f, "severity") : jstr(c, "severity");
				ev = json_object_get(f, "evidence");
				ev = json_is_object(ev) ? json_incref(ev) : json_object();
				rows[nrows].row = json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
				    "account_id", cmp_str(accts[k].src, "account_id"),
				    "alias", cmp_str(accts[k].src, "alias"),
				    "control", r->control,
				    "kind", r->kind,
				    "severity", sev ? json_string(sev) : json_null(),
				    "resource", cmp_str(f, "resource"),
				    "resource_name", cmp_str(f, "resource_name"),
				    "reason", cmp_str(f, "reason"),
				    "evidence", ev);
				rows[nrows].sev = cmp_sev_rank(sev);
				rows[nrows].acct = k;
				rows[nrows].seq = nrows;
				nrows++;
			}
		}
	}
	if (nrows > 0)
		qsort(rows, nrows, sizeof(*rows), cmp_risk_order);
	for (i = 0; i < nrows; i++)
		json_array_append_new(out, rows[i].row);
	free(rows);
	return out;
}

json_t *
compare_build(const json_t *results, const json_t *baseline, char **err)
{
	struct cmp_acct *accts = NULL;
	json_t *model = NULL, *list, *worst, *removed, *a;
	const json_t *src;
	size_t i, n = 0;
	char *e = NULL;

	if (!compare_validate(results, err))
		goto out;
	if (baseline != NULL && !compare_validate(baseline, &e)) {
		err_set(err, "baseline %s", e);
		goto out;
	}
	n = json_array_size(json_object_get(results, "accounts"));
	accts = xcalloc(n + 1, sizeof(*accts));
	json_array_foreach(json_object_get(results, "accounts"), i, src) {
		accts[i].src = src;
		accts[i].index = i;
		accts[i].id = jstr(src, "account_id");
		accts[i].has_score = json_is_integer(json_object_get(src, "score"));
		accts[i].score = jint(src, "score", 0);
		accts[i].entry = cmp_account_entry(results, src, i);
		accts[i].byid = cmp_index_controls(src);
		if ((accts[i].base = cmp_find_account(baseline, accts[i].id)) != NULL)
			accts[i].basebyid = cmp_index_controls(accts[i].base);
	}
	if (n > 0)
		qsort(accts, n, sizeof(*accts), cmp_acct_order);

	list = json_array();
	worst = json_array();
	for (i = 0; i < n; i++) {
		json_array_append(list, accts[i].entry);
		if (accts[i].has_score && json_array_size(worst) < CMP_WORST &&
		    jint(json_object_get(accts[i].entry, "counts"), "FAIL", 0) > 0)
			json_array_append_new(worst, json_string(accts[i].id));
	}
	removed = json_array();
	if (baseline != NULL)
		json_array_foreach(json_object_get(baseline, "accounts"), i, src)
			if (cmp_find_account(results, jstr(src, "account_id")) == NULL) {
				a = json_pack("{s:o, s:o}", "account_id", cmp_str(src, "account_id"),
				    "alias", cmp_str(src, "alias"));
				json_array_append_new(removed, a);
			}

	model = json_pack("{s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "generated_at", cmp_str(results, "generated_at"),
	    "tool_version", cmp_str(json_object_get(results, "tool"), "version"),
	    "has_baseline", baseline != NULL,
	    "baseline_generated_at", baseline ? cmp_str(baseline, "generated_at") : json_null(),
	    "accounts", list,
	    "controls", cmp_controls(results, accts, n),
	    "worst", worst,
	    "role_risks", cmp_role_risks(accts, n),
	    "removed_accounts", removed);
	if (model == NULL)
		err_set(err, "results: cannot build the comparison model");
out:
	for (i = 0; accts != NULL && i < n; i++) {
		json_decref(accts[i].entry);
		json_decref(accts[i].byid);
		json_decref(accts[i].basebyid);
	}
	free(accts);
	free(e);
	return model;
}
