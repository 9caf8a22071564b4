/*
 * run's grading and reports: one results account per account selected
 * (NOT_EVALUATED with the reason when it has no usable snapshot), its own
 * pages under accounts/, then the run's results, summary, findings and
 * evidence.json, each format as its row in report/formats.h says.
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "evidence/evidence.h"
#include "report/group.h"
#include "report/report.h"
#include "run/run.h"

static int
render_to(struct run *r, enum report_fmt fmt, const json_t *results, const struct report_opts *o,
    const char *path, char **err)
{
	struct buf b = { 0 };
	int rc = 0, mode = report_file_mode(fmt);

	if (!report_render(fmt, results, o, &b, err))
		goto out;
	if (!file_write_atomic(path, b.p ? b.p : "", b.len, mode, 0, err)) {
		/* Pages are written from the collection's threads. */
		pthread_mutex_lock(&r->lock);
		r->write_failed = 1;
		pthread_mutex_unlock(&r->lock);
		goto out;
	}
	rc = 1;
out:
	buf_free(&b);
	return rc;
}

/* A results document holding only one of the accounts. */
static json_t *
results_of(const json_t *results, json_t *account)
{
	json_t *one = json_copy((json_t *)results);

	json_object_set_new(one, "accounts", json_pack("[O]", account));
	return one;
}

/*
 * An account as it sits in memory until the summary: rebuilt from its
 * text, so that it lies compactly instead of among the freed pieces of its
 * snapshot (checks/files.c says why).  NULL if out of memory.
 */
static json_t *
compact(const json_t *a)
{
	char *text = json_dumps(a, JSON_COMPACT);
	json_t *c = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return c;
}

/*
 * The best name for a job's account: its id from the selection, else from
 * its role ARN, else from the snapshot's file name (ID.json, ID-N.json),
 * else a label naming the profile.  The caller frees it.
 */
char *
run_job_account(const struct collect_job *j)
{
	const char *s = NULL, *p;

	if (j->target.account_id != NULL)
		return xstrdup(j->target.account_id);
	if (j->target.role_arn != NULL && (p = strstr(j->target.role_arn, ":iam::")) != NULL)
		s = p + 6;
	else if (j->snapshot != NULL)
		s = strrchr(j->snapshot, '/') + 1;
	if (s != NULL) {
		char id[13];

		snprintf(id, sizeof(id), "%s", s);
		if (str_is_account_id(id))
			return xstrdup(id);
	}
	return xasprintf("unknown (%s)", j->target.name ? j->target.name : "default credentials");
}

/*
 * One results account per job, in every case: a snapshot that loads is
 * graded; a job without a snapshot, or whose snapshot cannot be loaded or
 * graded, becomes an account with every control NOT_EVALUATED and the
 * reason (check_account_missing), and the job is marked incomplete.  No
 * selected account may be missing from an output.
 */
static json_t *
grade_job(struct run *r, struct collect_job *j, const struct check_config *cc)
{
	json_t *snap, *a = NULL;
	char sha[65], *e = NULL, *id;
	const char *file = j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL, *code;

	/* run.json names the account as the results do (a profile's is learnt). */
	if (j->target.account_id == NULL)
		j->target.account_id = run_job_account(j);
	if (j->snapshot == NULL) {
		code = "NotCollected";
		e = xasprintf("not collected: %s", j->error ? j->error : "no snapshot was written");
	} else if (!snap_load(j->snapshot, &snap, sha, &e)) {
		code = "SnapshotUnusable";
	} else {
		a = check_account(snap, file, sha, cc);
		json_decref(snap);
		if (a != NULL)
			return a;
		code = "SnapshotUnusable";
		e = xasprintf("%s: cannot grade this snapshot", j->snapshot);
	}
	id = run_job_account(j);
	if (j->snapshot != NULL) {
		char *t = str_sanitize_term(str_show_invisible(e));

		log_error("%s: %s", id, t);
		free(t);
	}
	a = check_account_missing(id, j->target.name, file, r->started, code, e, cc);
	j->complete = 0;
	free(j->error);
	j->error = e;
	free(id);
	return a;
}

/* Whether the run writes fmt (its row names the run, in the way asked; --no-pdf leaves PDF out). */
static int
run_writes(const struct run *r, int fmt, int how)
{
	return (report_formats[fmt].commands & how) && report_formats[fmt].run_file != NULL &&
	    !(r->no_pdf && fmt == REPORT_PDF);
}

/* accounts/ID.html and the other per-account formats, from a document of that account alone. */
static int
write_account_pages(struct run *r, const json_t *one_doc, char **err)
{
	struct report_opts one = { .baseline = r->baseline_doc };
	const json_t *a = json_array_get(json_object_get(one_doc, "accounts"), 0);
	char *name, *path;
	int f, ok;

	/* Its own page only under a name that is an account id (ID.html). */
	if (!str_is_account_id(jstr(a, "account_id")))
		return 1;
	name = xasprintf("%s/accounts/%s", r->dir, jstr(a, "account_id"));
	for (f = 0, ok = 1; ok && f < REPORT_FMT__MAX; f++) {
		if (!run_writes(r, f, REPORT_IN_RUN_EACH))
			continue;
		path = xasprintf("%s.%s", name, report_formats[f].name);
		ok = render_to(r, f, one_doc, &one, path, err);
		free(path);
	}
	free(name);
	return ok;
}

/* What the run adds to its results: the framework viewed, the shard it is. */
static void
results_annotate(const struct run *r, json_t *results)
{
	if (r->framework != NULL)
		json_object_set_new(results, "framework", check_framework_json(r->framework));
	/* A shard says which: joining the shards checks that none overlaps or is missing. */
	if (r->shard_n > 0)
		json_object_set_new(results, "shard", json_pack("{s:i, s:i}",
		    "k", (int)r->shard_k, "n", (int)r->shard_n));
}

/* evidence.json (README "Evidence"): who ran what over which accounts. */
static int
write_evidence(struct run *r, const json_t *results, char **err)
{
	struct ev_run ev = { .argc = r->argc, .argv = r->argv, .region = r->cfg.region };
	char t0[21], t1[21], *s, *path = xasprintf("%s/%s", r->dir, EV_EVIDENCE);
	json_t *e;
	int ok;

	ev.started = time_fmt(r->started, t0);
	ev.finished = time_fmt(time(NULL), t1);
	e = ev_evidence(results, &ev);
	s = jdump(e, 1);
	/* Like run.json: no findings, so the reports' mode. */
	if (!(ok = file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 1, err)))
		r->write_failed = 1;
	free(s);
	free(path);
	json_decref(e);
	return ok;
}

/*
 * Where each account sits (the same join `report` makes offline), then the
 * selection (of what is reported: every account is still collected, so
 * another selection can be reported later, offline) and the groups.
 */
static int
run_group(const struct run *r, json_t *results, const json_t *baseline, char **err)
{
	if (r->structure != NULL || r->select != NULL || r->group_by != NULL)
		group_attach(results, r->structure);
	if (r->select != NULL && !group_select(results, r->select, err))
		return 0;
	return (r->structure == NULL && r->group_by == NULL) ||
	    group_apply(results, baseline, r->group_by, err);
}

/*
 * One account landed (collect_many's worker, its snapshot written): grade
 * it and write its pages now, while the other accounts are still being
 * collected.  Its pages are the report of that account alone, as `report
 * SNAPSHOT` makes it: its own results time, the accepted risks as of it.
 * The account is kept for the summary, untouched by its pages' document.
 */
void
run_landed(void *arg, struct collect_job *j)
{
	struct run *r = arg;
	size_t i = (size_t)(j - r->targets);
	json_t *a, *kept, *one;
	char *err = NULL;

	if (*r->stop)
		return;
	a = grade_job(r, j, r->cc);
	kept = compact(a);
	if (kept == NULL)
		abort();	/* out of memory: a batch tool stops (xmalloc's rule) */
	if (!r->pages_later) {
		one = check_results(json_pack("[o]", a), r->cc);
		results_annotate(r, one);
		if (!write_account_pages(r, one, &err)) {
			pthread_mutex_lock(&r->lock);
			if (r->page_error == NULL) {
				r->page_error = err;
				err = NULL;
			}
			pthread_mutex_unlock(&r->lock);
		}
		json_decref(one);
	} else
		json_decref(a);
	free(err);
	r->graded[i] = kept;
}

/* The summary formats (summary.html, results.json, ...) and, with --select, the pages. */
static int
write_summary(struct run *r, const json_t *results, char **err)
{
	struct report_opts o = { .baseline = r->baseline_doc, .summary = 1,
	    .account_pages = "accounts/%s.html" };
	json_t *a, *one;
	char *path;
	size_t i;
	int f, ok = 1;

	for (f = 0; ok && f < REPORT_FMT__MAX; f++) {
		if (!run_writes(r, f, REPORT_IN_RUN))
			continue;
		/* The summary of a thousand accounts takes a while: a signal ends it between two files. */
		if (*r->stop)
			return err_set(err, "interrupted while writing the reports");
		path = xasprintf("%s/%s", r->dir, report_formats[f].run_file);
		ok = render_to(r, f, results, &o, path, err);
		free(path);
	}
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		if (!ok || !r->pages_later)
			break;
		if (*r->stop) {
			err_set(err, "interrupted while writing the reports");
			return 0;
		}
		one = results_of(results, a);
		ok = write_account_pages(r, one, err);
		json_decref(one);
	}
	return ok;
}

/* run.h */
int
run_grade_and_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	json_t *accounts = json_array(), *results;
	size_t i;
	int rc = -1;

	/* An account page that failed fails the run as a summary would. */
	if (r->page_error != NULL) {
		*err = r->page_error;
		r->page_error = NULL;
		json_decref(accounts);
		return -1;
	}
	/* Landed accounts are graded; the others (never collected) are graded missing here. */
	for (i = 0; i < r->ntargets && !*r->stop; i++) {
		if (r->graded[i] == NULL)
			run_landed(r, &r->targets[i]);
		json_array_append_new(accounts, r->graded[i]);
		r->graded[i] = NULL;
	}
	if (*r->stop) {
		json_decref(accounts);
		err_set(err, "interrupted while grading");
		return -1;
	}
	results = check_results(accounts, cc);
	results_annotate(r, results);

	/* The invariant every output relies on: one account per job selected. */
	if (json_array_size(json_object_get(results, "accounts")) != r->ntargets) {
		err_set(err, "%zu accounts selected but %zu graded",
		    r->ntargets, json_array_size(json_object_get(results, "accounts")));
		goto out;
	}
	if (!run_group(r, results, baseline, err) || !write_summary(r, results, err) ||
	    !write_evidence(r, results, err))
		goto out;
	rc = check_results_fail(results, r->fail_on);
	/* One account: its text report for the terminal (cli/ prints it); many: none made. */
	if (!r->quiet && r->ntargets == 1) {
		struct report_opts t = { .color = 0 };

		if (!report_render(REPORT_TEXT, results, &t, &r->text, NULL))
			buf_free(&r->text);
	}
out:
	json_decref(results);
	return rc;
}
