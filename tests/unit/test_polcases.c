/*
 * Policy engine cases as data (docs/style.md §8).  Without arguments: every
 * .json file in tests/policy/cases, each a set of policies, a request and the
 * expected decision (or the expected parse error), run through the
 * library.  With --batch FILE: the differential driver, one JSON case per
 * line in, one {"id", "decision"} (or {"id", "error"}) per line out, and
 * the evaluator's rate on standard error (a figure, not an assertion).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/common.h"
#include "policy/policy.h"
#include "t.h"

#define CASEDIR "tests/policy/cases"

/* Everything one case owns. */
struct pcase {
	struct pol_doc		**docs;
	size_t			  ndocs;
	const struct pol_doc	**identity;
	struct pol_level	 *scp, *rcp;
	const struct pol_doc	**lvdocs;	/* SCP and RCP documents, level by level */
	size_t			  nlv;
	struct pol_set		  set;
	struct pol_ctx		  ctx;
	struct pol_request	  req;
};

static struct pol_doc *
add_doc(struct pcase *c, const json_t *j, enum pol_kind kind, const char *name, char **err)
{
	struct pol_doc *d;

	if ((d = pol_parse(j, kind, name, err)) == NULL)
		return NULL;
	c->docs[c->ndocs++] = d;
	return d;
}

static size_t
count_docs(const json_t *j)
{
	const json_t *lv, *e;
	size_t n = json_array_size(json_object_get(j, "identity")) + 2, i, k;

	json_array_foreach(json_object_get(j, "scp"), i, lv)
		json_array_foreach(lv, k, e)
			n++;
	json_array_foreach(json_object_get(j, "rcp"), i, lv)
		json_array_foreach(lv, k, e)
			n++;
	return n;
}

static int
levels(struct pcase *c, const json_t *j, const char *key, enum pol_kind kind,
    struct pol_level **out, size_t *nout, char **err)
{
	const json_t *lvs = json_object_get(j, key), *lv, *e;
	size_t i, k;
	char name[64];

	*out = xcalloc(json_array_size(lvs) + 1, sizeof(**out));
	json_array_foreach(lvs, i, lv) {
		(*out)[i].doc = c->lvdocs + c->nlv;
		json_array_foreach(lv, k, e) {
			snprintf(name, sizeof(name), "%s[%zu][%zu]", key, i, k);
			if ((c->lvdocs[c->nlv] = add_doc(c, e, kind, name, err)) == NULL)
				return 0;
			c->nlv++;
			(*out)[i].n++;
		}
		(*nout)++;
	}
	return 1;
}

/* Build the policy set and request of case j; 0 and *err on a parse error. */
static int
case_load(struct pcase *c, const json_t *j, char **err)
{
	const json_t *req = json_object_get(j, "request"), *ctxj, *v, *e, *rp;
	const char *k, *pt, *action;
	const char **vals;
	size_t i, n;
	int multi, t;
	char name[64];

	memset(c, 0, sizeof(*c));
	n = count_docs(j);
	c->docs = xcalloc(n, sizeof(*c->docs));
	c->lvdocs = xcalloc(n, sizeof(*c->lvdocs));
	c->identity = xcalloc(n, sizeof(*c->identity));
	action = jstr(req, "action");
	if (action == NULL || jstr(req, "resource") == NULL)
		return err_set(err, "request needs action and resource");
	json_array_foreach(json_object_get(j, "identity"), i, e) {
		snprintf(name, sizeof(name), "identity[%zu]", i);
		if ((c->identity[i] = add_doc(c, e, POL_IDENTITY, name, err)) == NULL)
			return 0;
		c->set.nidentity++;
	}
	c->set.identity = c->identity;
	if ((v = json_object_get(j, "boundary")) != NULL &&
	    (c->set.boundary = add_doc(c, v, POL_BOUNDARY, "boundary", err)) == NULL)
		return 0;
	if ((rp = json_object_get(j, "resource_policy")) != NULL &&
	    (c->set.resource = add_doc(c, rp, strncasecmp(action, "sts:AssumeRole", 14) == 0 ?
	    POL_TRUST : POL_RESOURCE, "resource_policy", err)) == NULL)
		return 0;
	if (!levels(c, j, "scp", POL_SCP, &c->scp, &c->set.nscp, err) ||
	    !levels(c, j, "rcp", POL_RCP, &c->rcp, &c->set.nrcp, err))
		return 0;
	c->set.scp = c->scp;
	c->set.rcp = c->rcp;

	c->req.action = action;
	c->req.resource = jstr(req, "resource");
	c->req.principal = jstr(req, "principal");
	c->req.principal_account = jstr(req, "principal_account");
	c->req.resource_account = jstr(req, "resource_account");
	c->req.principal_type = POL_P_AWS;
	if ((pt = jstr(req, "principal_type")) != NULL)
		for (t = 0; t < POL_P_NTYPES; t++)
			if (strcmp(pt, pol_ptype_names[t]) == 0)
				c->req.principal_type = (enum pol_ptype)t;
	ctxj = json_object_get(req, "context");
	json_object_foreach((json_t *)ctxj, k, v) {
		/* Typed by key as the CLI does, but never refused here: type faults are cases too. */
		pol_key_type(k, &multi);
		n = json_is_array(v) ? json_array_size(v) : 1;
		vals = xcalloc(n + 1, sizeof(*vals));
		if (json_is_array(v))
			json_array_foreach(v, i, e)
				vals[i] = json_string_value(e) ? json_string_value(e) : "";
		else
			vals[0] = json_string_value(v) ? json_string_value(v) : "";
		pol_ctx_set(&c->ctx, k, POL_T_STRING, multi || json_is_array(v), vals, n, NULL);
		free(vals);
	}
	c->req.ctx = &c->ctx;
	return 1;
}

static void
case_free(struct pcase *c)
{
	size_t i;

	for (i = 0; i < c->ndocs; i++)
		pol_free(c->docs[i]);
	free(c->docs);
	free(c->lvdocs);
	free(c->identity);
	free(c->scp);
	free(c->rcp);
	pol_ctx_free(&c->ctx);
}

/* One case file: the decision, the cited Sids, or the parse error it expects. */
static void
run_file(const char *path)
{
	struct pcase c;
	struct pol_result res = { 0 };
	json_error_t je;
	json_t *j, *cites, *e;
	const char *want, *want_err;
	char *err = NULL, *label;
	size_t i, k;
	int ok;

	if ((j = json_load_file(path, 0, &je)) == NULL) {
		T(0, "%s: %s", path, je.text);
		return;
	}
	want = jstr(j, "expect");
	want_err = jstr(j, "expect_error");
	T(want != NULL || want_err != NULL, "%s: no expect nor expect_error", path);
	ok = case_load(&c, j, &err);
	if (want_err != NULL) {
		T(!ok && err != NULL && strstr(err, want_err) != NULL,
		    "%s: error \"%s\", want one containing \"%s\"", path, err ? err : "(none)", want_err);
	} else if (!ok) {
		T(0, "%s: %s", path, err);
	} else {
		pol_eval(&c.set, &c.req, &res);
		T(want != NULL && strcmp(pol_decision_names[res.decision], want) == 0,
		    "%s: %s (%s), want %s", path, pol_decision_names[res.decision], res.reason,
		    want ? want : "?");
		/* Each cited label ("Sid \"X\"" or "statement N") must be among the result's. */
		cites = json_object_get(j, "expect_cite");
		json_array_foreach(cites, i, e) {
			int found = 0;

			for (k = 0; k < res.ncite && !found; k++) {
				label = pol_stmt_label(&res.cite[k].doc->st[res.cite[k].stmt]);
				found = json_string_value(e) && strcmp(label, json_string_value(e)) == 0;
				free(label);
			}
			T(found, "%s: %s not cited", path, json_string_value(e));
		}
		if (json_is_array(cites))
			T(json_array_size(cites) == res.ncite, "%s: %zu statements cited, want %zu",
			    path, res.ncite, json_array_size(cites));
		pol_result_free(&res);
	}
	free(err);
	case_free(&c);
	json_decref(j);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
t_cases(void)
{
	DIR *dir;
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, i, len;

	if ((dir = opendir(CASEDIR)) == NULL) {
		T(0, "%s: cannot open (run from the repository root)", CASEDIR);
		return;
	}
	while ((de = readdir(dir)) != NULL)
		if ((len = strlen(de->d_name)) > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp);
	T(n >= 20, "only %zu cases in %s", n, CASEDIR);
	/* Each case counts as a test of its own, named after its file. */
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", CASEDIR, names[i]);
		t_cur = names[i];
		t_cur_failed = 0;
		run_file(path);
		if (t_cur_failed)
			t_fail++;
		else {
			t_pass++;
			printf("ok %s\n", names[i]);
		}
		free(path);
		free(names[i]);
	}
	t_cur = "t_cases";
	t_cur_failed = 0;
	free(names);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The differential driver: every line a case; parse once, then evaluate. */
static int
batch(const char *file)
{
	FILE *f;
	char *line = NULL, *err = NULL, *text;
	size_t cap = 0, ncase = 0, i;
	ssize_t len;
	json_t *j, *out;
	json_error_t je;
	struct pcase c;
	struct pol_result res;
	double t0, tparse = 0, teval = 0;
	int reps = 20, r;

	if ((f = fopen(file, "r")) == NULL) {
		perror(file);
		return 2;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if ((j = json_loads(line, 0, &je)) == NULL) {
			fprintf(stderr, "%s: line %zu: %s\n", file, ncase + 1, je.text);
			return 2;
		}
		out = json_object();
		json_object_set(out, "id", json_object_get(j, "id"));
		t0 = now();
		if (!case_load(&c, j, &err)) {
			tparse += now() - t0;
			json_object_set_new(out, "error", json_string(err));
			free(err);
			err = NULL;
		} else {
			tparse += now() - t0;
			/* Evaluate a few times so the rate measures evaluation, not the clock. */
			t0 = now();
			for (r = 0; r < reps; r++) {
				pol_eval(&c.set, &c.req, &res);
				if (r + 1 < reps)
					pol_result_free(&res);
			}
			teval += now() - t0;
			json_object_set_new(out, "decision", json_string(pol_decision_names[res.decision]));
			pol_result_free(&res);
		}
		case_free(&c);
		text = json_dumps(out, JSON_COMPACT);
		printf("%s\n", text);
		free(text);
		json_decref(out);
		json_decref(j);
		ncase++;
	}
	free(line);
	fclose(f);
	i = ncase * (size_t)reps;
	fprintf(stderr, "policy engine: %zu cases; parse %.3f s; %zu evaluations in %.3f s = %.0f evaluations/s\n",
	    ncase, tparse, i, teval, teval > 0 ? (double)i / teval : 0.0);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "--batch") == 0)
		return batch(argv[2]);
	RUN(t_cases);
	return t_done();
}
