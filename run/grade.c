/*
 * run's grading and reports: one results account per account selected
 * (NOT_EVALUATED with the reason when it has no usable snapshot), its own
 * pages under accounts/, then the run's results, summary, findings and
 * evidence.json, each format as its row in report/formats.h says.
 */
#include <sys/stat.h>

#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/securityhub.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "evidence/evidence.h"
#include "report/group.h"
#include "report/history.h"
#include "report/report.h"
#include "report/runfiles.h"
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

/*
 * run's options that change which outputs it writes, a row each: as --ocsf
 * adds its format's row of report/formats.h to the run's outputs, --no-pdf
 * removes PDF's.  A format only run asks for (REPORT_IN_RUN_ASKED) needs a
 * row here to be written at all.
 */
static const struct run_output_opt {
	size_t		 flag;		/* the int member of struct run the option sets */
	int		 fmt;
	int		 add;		/* 1: the option adds the format, 0: it removes it */
} run_output_opts[] = {
	{ offsetof(struct run, ocsf),		REPORT_OCSF,	1 },	/* --ocsf */
	{ offsetof(struct run, security_hub),	REPORT_ASFF,	1 },	/* --security-hub */
	{ offsetof(struct run, no_pdf),		REPORT_PDF,	0 },	/* --no-pdf */
};

/* The formats this run writes: the table's run rows as its options change them. */
static unsigned
run_outputs(const struct run *r)
{
	unsigned set = report_run_outputs();
	size_t i;

	for (i = 0; i < sizeof(run_output_opts) / sizeof(run_output_opts[0]); i++) {
		if (*(const int *)(const void *)((const char *)r + run_output_opts[i].flag) == 0)
			continue;
		if (run_output_opts[i].add)
			set |= REPORT_BIT(run_output_opts[i].fmt);
		else
			set &= ~REPORT_BIT(run_output_opts[i].fmt);
	}
	return set;
}

/* Whether the run writes fmt in the way asked (REPORT_IN_RUN, REPORT_IN_RUN_EACH). */
static int
run_writes(const struct run *r, int fmt, int how)
{
	return (run_outputs(r) & REPORT_BIT(fmt)) && (report_formats[fmt].commands & how) &&
	    report_formats[fmt].run_file != NULL;
}

/* The region the reports name (ASFF's product ARN, OCSF's cloud.region): given, never the default. */
static const char *
run_region(const struct run *r)
{
	return r->cfg.region_given ? r->cfg.region : NULL;
}

/* accounts/ID.html and the other per-account formats, from a document of that account alone. */
static int
write_account_pages(struct run *r, const json_t *one_doc, char **err)
{
	struct report_opts one = { .baseline = r->baseline_doc, .history = r->hist };
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

/* A document around accounts (stolen) graded with r's config: marked, listed, annotated. */
static json_t *
run_doc(const struct run *r, json_t *accounts)
{
	json_t *doc = check_results(accounts, &r->cc_marked);

	if (r->cc->exceptions != NULL)
		check_exceptions_lists(doc, r->cc->exceptions);
	results_annotate(r, doc);
	return doc;
}

/* The first error of the accounts' threads (the run fails on it once they are done). */
static void
run_fail_later(struct run *r, char *err, int io)
{
	pthread_mutex_lock(&r->lock);
	if (io)
		r->write_failed = 1;
	if (r->page_error == NULL) {
		r->page_error = err;
		err = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	free(err);
}

/*
 * One account landed (collect_many's worker, its snapshot written): grade
 * it and write its pages now, while the other accounts are still being
 * collected.  Its pages are the report of that account alone, as `report
 * SNAPSHOT` makes it: its own results time, the accepted risks as of it.
 * Then the account and its record go to the spool: nothing of it stays in
 * memory until the summary reads the records back (run_grade_and_report).
 */
void
run_landed(void *arg, struct collect_job *j)
{
	struct run *r = arg;
	size_t i = (size_t)(j - r->targets);
	json_t *a, *one;
	char *err = NULL;

	if (*r->stop)
		return;
	a = grade_job(r, j, r->cc);
	/* Marked now: an account's accepted risks depend on that account alone. */
	if (r->cc->exceptions != NULL)
		check_exceptions_account(a, r->cc->exceptions);
	if (!run_spool_put(r, i, a, &err))
		run_fail_later(r, err, 1);
	else if (!r->pages_later) {
		if (r->hist != NULL)
			hist_take_account(r->hist, a);
		one = run_doc(r, json_pack("[O]", a));
		if (!write_account_pages(r, one, &err))
			run_fail_later(r, err, 0);
		json_decref(one);
	}
	run_record(a, r->baseline_doc != NULL);
	err = NULL;
	if (!run_spool_put(r, RUN_SPOOL_RECORD(r, i), a, &err))
		run_fail_later(r, err, 1);
	json_decref(a);
	r->landed[i] = 1;
}

/* Which target a record of the summary's document is (its place in recs). */
static size_t
record_index(const struct run *r, const json_t *rec, const json_t *const *recs)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		if (recs[i] == rec)
			break;
	return i;
}

/*
 * The full account of a record, from the spool, with what the run added
 * to the record since (its place: ou, tags), so that it is the account
 * the whole document would hold.  New, or NULL with *err.
 */
static json_t *
full_account(const struct run *r, const json_t *rec, const json_t *const *recs, char **err)
{
	size_t i = record_index(r, rec, recs);
	const char *k;
	json_t *a, *v;

	if (i == r->ntargets) {
		err_set(err, "an account of the summary is not one of the run's");
		return NULL;
	}
	if ((a = run_spool_get(r, i, err)) == NULL)
		return NULL;
	json_object_foreach((json_t *)rec, k, v)
		if (json_object_get(a, k) == NULL)
			json_object_set(a, k, v);
	return a;
}

/*
 * results.json or findings.csv from the record document and the spool,
 * one account at a time (report_stream_part), framed as the backend frames
 * the whole document.
 */
static int
stream_file(struct run *r, enum report_fmt fmt, const json_t *doc, const json_t *const *recs,
    struct file_atomic *f, char **err)
{
	const json_t *all = json_object_get(doc, "accounts"), *rec;
	struct buf head = { 0 }, tail = { 0 }, part = { 0 };
	const char *sep;
	json_t *a;
	size_t i;
	int ok;

	ok = report_stream_frame(fmt, doc, json_array_size(all), &head, &tail, err) &&
	    file_atomic_add(f, head.p, head.len, err);
	json_array_foreach(all, i, rec) {
		if (!ok || (a = full_account(r, rec, recs, err)) == NULL) {
			ok = 0;
			break;
		}
		part.len = 0;
		sep = report_stream_sep(fmt, i);
		ok = report_stream_part(fmt, a, &part, err) &&
		    file_atomic_add(f, sep, strlen(sep), err) &&
		    file_atomic_add(f, part.p, part.len, err);
		json_decref(a);
	}
	ok = ok && file_atomic_add(f, tail.p, tail.len, err);
	buf_free(&head);
	buf_free(&tail);
	buf_free(&part);
	return ok;
}

/*
 * How the summary writes fmt: from the records (the comparison renderers,
 * which read report/compare.h's model and the grouping: run_record keeps
 * what they read), streamed from the spool (a format whose output is each
 * account's in turn), or from the whole document in memory (any other:
 * correct whatever it reads, but not flat in memory).
 */
enum { FROM_RECORDS, STREAMED, FROM_WHOLE };

static int
summary_source(int fmt)
{
	return fmt == REPORT_HTML || fmt == REPORT_PDF ? FROM_RECORDS :
	    report_stream_fmt(fmt) ? STREAMED : FROM_WHOLE;
}

/* The records' document with every account full, for a format read FROM_WHOLE. */
static json_t *
whole_doc(const struct run *r, const json_t *doc, const json_t *const *recs, char **err)
{
	json_t *whole = json_copy((json_t *)doc), *all = json_array(), *rec, *a;
	size_t i;

	json_object_set_new(whole, "accounts", all);
	json_array_foreach(json_object_get(doc, "accounts"), i, rec) {
		if ((a = full_account(r, rec, recs, err)) == NULL) {
			json_decref(whole);
			return NULL;
		}
		json_array_append_new(all, a);
	}
	return whole;
}

/* One file of the summary. */
static int
write_summary_file(struct run *r, int fmt, const json_t *doc, const json_t *const *recs,
    char **err)
{
	struct report_opts o = { .baseline = r->baseline_doc, .summary = 1,
	    .account_pages = "accounts/%s.html", .history = r->hist, .region = run_region(r) };
	char *path = xasprintf("%s/%s", r->dir, report_formats[fmt].run_file);
	struct file_atomic f;
	json_t *whole;
	int ok = 0;

	switch (summary_source(fmt)) {
	case FROM_RECORDS:
		ok = render_to(r, fmt, doc, &o, path, err);
		break;
	case FROM_WHOLE:
		if ((whole = whole_doc(r, doc, recs, err)) != NULL)
			ok = render_to(r, fmt, whole, &o, path, err);
		json_decref(whole);
		break;
	default:
		if (!file_atomic_open(&f, path, err)) {
			r->write_failed = 1;
			break;
		}
		ok = stream_file(r, fmt, doc, recs, &f, err);
		if (!ok)
			file_atomic_abort(&f);
		else if (!(ok = file_atomic_commit(&f, file_mode_umask(report_file_mode(fmt)), 0, err)))
			r->write_failed = 1;
	}
	free(path);
	return ok;
}

/* The summary formats (summary.html, results.json, ...) and, with --select, the pages. */
static int
write_summary(struct run *r, const json_t *doc, const json_t *const *recs, char **err)
{
	json_t *rec, *a, *one;
	size_t i;
	int f, ok = 1;

	for (f = 0; ok && f < REPORT_FMT__MAX; f++) {
		if (!run_writes(r, f, REPORT_IN_RUN))
			continue;
		/* The summary of a thousand accounts takes a while: a signal ends it between two files. */
		if (*r->stop)
			return err_set(err, "interrupted while writing the reports");
		ok = write_summary_file(r, f, doc, recs, err);
	}
	json_array_foreach(json_object_get(doc, "accounts"), i, rec) {
		if (!ok || !r->pages_later)
			break;
		if (*r->stop)
			return err_set(err, "interrupted while writing the reports");
		if ((a = full_account(r, rec, recs, err)) == NULL)
			return 0;
		one = results_of(doc, a);
		json_decref(a);
		ok = write_account_pages(r, one, err);
		json_decref(one);
	}
	return ok;
}

/*
 * --security-hub: the ASFF findings (from the whole results) into each
 * account's Security Hub, and securityhub.json (what was imported, what was
 * refused and why) beside them.  A finding not taken is said, counted and
 * makes the exit code 4; the run's other outputs stand.  0 only if the
 * whole results or securityhub.json could not be had.
 */
static int
run_security_hub(struct run *r, const json_t *doc, const json_t *const *recs, char **err)
{
	struct report_opts o = { .baseline = r->baseline_doc, .summary = 1,
	    .account_pages = "accounts/%s.html", .history = r->hist, .region = run_region(r) };
	struct buf b = { 0 };
	json_t *whole, *found = NULL, *res = NULL, *a, *f;
	char *path = NULL, *s = NULL;
	size_t i, j;
	int rc = 0;

	if ((whole = whole_doc(r, doc, recs, err)) == NULL)
		return 0;
	if (!report_render(REPORT_ASFF, whole, &o, &b, err) ||
	    (found = json_loadb(b.p, b.len, 0, NULL)) == NULL) {
		r->sh_failed = 1;
		goto out;
	}
	log_info("importing %zu findings into Security Hub in %s", json_array_size(found),
	    r->cfg.region);
	res = sh_import_all(&r->cfg, &r->creds, r->targets, r->ntargets, found);
	json_array_foreach(json_object_get(res, "accounts"), i, a)
		json_array_foreach(json_object_get(a, "failed"), j, f) {
			char *t = str_sanitize_term(xasprintf("%s: finding %s: %s: %s",
			    jstr(a, "account_id"), jstr(f, "Id"), jstr(f, "ErrorCode"),
			    jstr(f, "ErrorMessage")));

			log_error("security hub: %s", t);
			free(t);
		}
	if (!jbool(res, "complete", 0))
		r->sh_failed = 1;
	log_info("security hub: %lld of %zu findings imported, %lld failed",
	    jint(res, "imported", 0), json_array_size(found), jint(res, "failed", 0));
	path = xasprintf("%s/securityhub.json", r->dir);
	s = jdump(res, 1);
	if (!(rc = file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 1, err)))
		r->write_failed = 1;
out:
	buf_free(&b);
	json_decref(whole);
	json_decref(found);
	json_decref(res);
	free(path);
	free(s);
	return rc || !r->write_failed;
}

/* After the reports: the import into Security Hub when asked, then evidence.json. */
static int
run_deliver(struct run *r, const json_t *doc, const json_t *const *recs, char **err)
{
	return (!r->security_hub || run_security_hub(r, doc, recs, err)) &&
	    write_evidence(r, doc, err);
}

/* One account, not -q: its text report for the terminal (cli/ prints it); many: none made. */
static void
run_text(struct run *r, const json_t *doc, const json_t *const *recs)
{
	struct report_opts t = { .color = 0 };
	json_t *whole;

	if (r->quiet || r->ntargets != 1 || (whole = whole_doc(r, doc, recs, NULL)) == NULL)
		return;
	if (!report_render(REPORT_TEXT, whole, &t, &r->text, NULL))
		buf_free(&r->text);
	json_decref(whole);
}

/* The earlier runs under --history (default --out) against results; said once when unlistable. */
static void
run_history_load(struct run *r, const json_t *results)
{
	char *err = NULL;

	if ((r->hist = hist_load(r->history ? r->history : r->out, results, r->dir, &err)) == NULL) {
		log_error("%s; the reports have no trend", err);
		free(err);
	}
}

/* run.h */
void
run_history_start(struct run *r)
{
	json_t *doc, *ids = json_array();
	char t[21];
	size_t i;
	int pages_now = 1;

	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].target.account_id != NULL)
			json_array_append_new(ids, json_pack("{s:s}", "account_id",
			    r->targets[i].target.account_id));
		else
			pages_now = 0;
	/* Accounts known only once collected (profiles): the trend and the pages wait for them. */
	if (!pages_now) {
		r->pages_later = r->hist_at_end = 1;
		json_decref(ids);
		return;
	}
	doc = json_pack("{s:s, s:o}", "generated_at", time_fmt(r->started, t), "accounts", ids);
	/* The organization's point is a part's when the results will be one. */
	if (r->select != NULL)
		json_object_set_new(doc, "selection", json_string(r->select));
	if (r->shard_n > 0)
		json_object_set_new(doc, "shard", json_true());
	run_history_load(r, doc);
	json_decref(doc);
}

/* run.h */
int
run_grade_and_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	json_t *accounts = json_array(), *results = NULL, **recs, *shared = NULL;
	size_t i;
	int rc = -1;

	/* An account page that failed fails the run as a summary would. */
	if (r->page_error != NULL) {
		*err = r->page_error;
		r->page_error = NULL;
		json_decref(accounts);
		return -1;
	}
	/*
	 * The collection's threads are done: what their arenas hold free goes
	 * back to the system before the records are read (on this thread, so
	 * they lie together) and the summary is drawn.
	 */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	/* Landed accounts are graded; the others (never collected) are graded missing here. */
	recs = xcalloc(r->ntargets + 1, sizeof(*recs));
	shared = json_object();
	for (i = 0; i < r->ntargets; i++) {
		if (!r->landed[i])
			run_landed(r, &r->targets[i]);
		if (*r->stop || r->page_error != NULL)
			break;
		if ((recs[i] = run_spool_get(r, RUN_SPOOL_RECORD(r, i), err)) == NULL) {
			json_decref(accounts);
			goto out;
		}
		run_record_share(recs[i], shared);
		/* recs keeps a reference: a record --select drops is still not another's. */
		json_array_append(accounts, recs[i]);
	}
	/* The records hold what they share; the table is done with. */
	json_decref(shared);
	shared = NULL;
	if (*r->stop || r->page_error != NULL) {
		json_decref(accounts);
		if (r->page_error != NULL) {
			*err = r->page_error;
			r->page_error = NULL;
		} else
			err_set(err, "interrupted while grading");
		goto out;
	}
	results = run_doc(r, accounts);

	/* The invariant every output relies on: one account per job selected. */
	if (json_array_size(json_object_get(results, "accounts")) != r->ntargets) {
		err_set(err, "%zu accounts selected but %zu graded",
		    r->ntargets, json_array_size(json_object_get(results, "accounts")));
		goto out;
	}
	if (!run_group(r, results, baseline, err))
		goto out;
	/* The trend's current month from the whole results: the organization's point, the arrows. */
	if (r->hist != NULL)
		hist_retake(r->hist, results);
	else if (r->hist_at_end)
		run_history_load(r, results);
	if (!write_summary(r, results, (const json_t *const *)recs, err) ||
	    !run_deliver(r, results, (const json_t *const *)recs, err))
		goto out;
	rc = check_results_fail(results, r->fail_on);
	run_text(r, results, (const json_t *const *)recs);
out:
	for (i = 0; i < r->ntargets; i++)
		json_decref(recs[i]);
	free(recs);
	json_decref(results);
	json_decref(shared);
	return rc;
}
