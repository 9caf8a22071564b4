/*
 * run's folder and its record: the dated folder (never an earlier run's),
 * run.json rewritten as the run goes, the collection with its progress and
 * the organization's structure beside it, and at the end the seal
 * (MANIFEST.sha256, its signature) and the exit status.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/exit.h"
#include "common/schema.h"
#include "collector/collector.h"
#include "snapshot/snapshot.h"
#include "checks/checks.h"
#include "evidence/evidence.h"
#include "report/history.h"
#include "run/run.h"

/* OUT/YYYY-MM-DD, or -2, -3, ... when a run already used it: never reuse. */
static int
make_run_dir(struct run *r, char **err)
{
	char sub[PATH_MAX];

	free(r->dir);
	if (!ev_run_dir(r->out, r->started, &r->dir, err))
		return 0;
	snprintf(sub, sizeof(sub), "%s/snapshots", r->dir);
	if (mkdir(sub, 0700) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	snprintf(sub, sizeof(sub), "%s/accounts", r->dir);
	if (mkdir(sub, 0755) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	return 1;
}

/* The run's manifest: what was asked, what happened.  Rewritten atomically. */
static void
write_manifest(struct run *r, const char *status, int exit_code)
{
	json_t *m, *accts = json_array();
	char t[21], *path, *s, *err = NULL;
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		const struct collect_job *j = &r->targets[i];

		json_array_append_new(accts, json_pack("{s:s?,s:s?,s:s?,s:b,s:b,s:s?}",
		    "account_id", j->target.account_id, "name", j->target.name,
		    "snapshot", j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL,
		    "done", j->done, "complete", j->complete, "error", j->error));
	}
	m = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "schema", SCHEMA_RUN,
	    "tool_version", IAMGRADE_VERSION, "status", status,
	    "started", time_fmt(r->started, t), "exit_code", exit_code,
	    "accounts", accts);
	if (r->problems != NULL)
		json_object_set(m, "problems", r->problems);
	/* run.json is outside the manifest (evidence.h): it records the manifest's hash. */
	if (r->manifest_sha256[0] != '\0')
		json_object_set_new(m, "manifest_sha256", json_string(r->manifest_sha256));
	if (r->structure != NULL)
		json_object_set_new(m, "organization", json_string("organization.json"));
	path = xasprintf("%s/%s", r->dir, EV_RUN_JSON);
	s = jdump(m, 1);
	if (!file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 0, &err)) {
		log_error("%s", err);
		r->write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
	json_decref(m);
}

/* The exit status of a run that got this far, and what run.json says. */
static int
run_exit(struct run *r, int failed, const char **status)
{
	size_t i;
	int code = failed ? EXIT_FAILED : EXIT_OK;

	*status = "complete";
	for (i = 0; i < r->ntargets; i++)
		if (!r->targets[i].complete)
			code = EXIT_INCOMPLETE;
	if (r->problems != NULL)
		code = EXIT_INCOMPLETE;
	if (code == EXIT_INCOMPLETE)
		*status = "incomplete";
	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].write_failed)
			r->write_failed = 1;
	if (r->write_failed) {
		code = EXIT_IO;
		*status = "failed";
	}
	/* Every file is whole, but not every finding reached Security Hub. */
	if (r->sh_failed)
		code = EXIT_IO;
	return code;
}

/*
 * Where the accounts sit.  --organization: the OU tree and the tags, walked
 * on their own thread while the accounts are collected (never before them),
 * with the runner's credentials (Organizations answers only the management
 * account or a delegated administrator, the identity that listed the
 * accounts).  An accounts file: its ou and tag columns.
 */
static void
start_structure(struct run *r)
{
	json_t *ids;
	size_t i;

	if (r->accounts_file != NULL)
		r->structure = accounts_structure(r->targets, r->ntargets, NULL, "accounts_file");
	if (r->organization_ids == NULL)
		return;
	ids = json_array();
	for (i = 0; i < r->ntargets; i++)
		json_array_append_new(ids, json_string(r->targets[i].target.account_id));
	r->walk = orgs_walk_start(&r->cfg, &r->creds, jstr(r->organization_ids, "id"), ids);
	json_decref(ids);
}

/* Profile runs learn their accounts' ids by collecting them: the groups come after. */
static json_t *
profile_structure(const struct run *r)
{
	char **ids = xcalloc(r->ntargets + 1, sizeof(*ids));
	json_t *st;
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		ids[i] = run_job_account(&r->targets[i]);
	st = accounts_structure(r->targets, r->ntargets, (const char *const *)ids, "profiles");
	for (i = 0; i < r->ntargets; i++)
		free(ids[i]);
	free(ids);
	return st;
}

/* The join: how long the run waited for the walk once collected (what it adds). */
static void
join_structure(struct run *r)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->structure = orgs_walk_finish(r->walk);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->walk = NULL;
	json_object_set_new(json_object_get(r->structure, "calls"), "waited_ms",
	    json_integer((json_int_t)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000)));
}

/* Kept once per run, beside run.json: organization.json, read back by `report`. */
static void
finish_structure(struct run *r)
{
	json_t *p;
	char *path, *s, *err = NULL;
	size_t i;

	if (r->walk != NULL)
		join_structure(r);
	else if (r->groups.n > 0)
		r->structure = profile_structure(r);
	if (r->structure == NULL)
		return;
	if (r->organization_ids != NULL)
		json_object_set(r->structure, SNAP_ORG_MEMBER, r->organization_ids);
	/* A denied call never fails the run: the accounts are "unknown", with why. */
	json_array_foreach(json_object_get(r->structure, "problems"), i, p)
		log_error("organization structure: %s", json_string_value(p));
	path = xasprintf("%s/organization.json", r->dir);
	s = jdump(r->structure, 1);
	json_object_del(r->structure, SNAP_ORG_MEMBER);	/* the file's, not the results' */
	/* Over write_org_list's record (an org run), or new: excl only when there was none. */
	if (!file_write_atomic(path, s, strlen(s), 0600, r->organization_ids == NULL, &err)) {
		log_error("%s", err);
		r->write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
}

/*
 * --out s3://: pick the run's name under the prefix before anything is
 * collected (a bucket that cannot be listed fails the run at once), then
 * write the run into a local staging folder (collector/s3out.h says why).
 */
static int
run_s3_begin(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	char day[21];
	int rc = 0;

	time_fmt(r->started, day);
	day[10] = '\0';
	if (!s3_out_fresh_name(c, &r->s3, day, &r->s3_name, err) || !s3_out_stage(&r->s3, err))
		goto out;
	r->out = r->s3.staging;
	rc = 1;
out:
	aws_client_free(c);
	return rc;
}

/* Upload the finished run; on failure the staging copy stays, named: the exit code. */
static int
run_s3_finish(struct run *r, int code)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	char *err = NULL, *e;
	size_t n = 0;

	if (!s3_out_upload(c, &r->s3, r->dir, r->s3_name, EV_RUN_JSON, &n, &err)) {
		e = str_sanitize_term(err);
		fprintf(stderr, "iamgrade run: %s\niamgrade run: %zu object%s written under "
		    "s3://%s/%s%s/; the whole run is kept in %s\n", e, n, n == 1 ? "" : "s",
		    r->s3.bucket, r->s3.prefix, r->s3_name, r->dir);
		code = EXIT_IO;
	} else {
		if (!s3_out_unstage(&r->s3, &err))
			log_error("%s", err);
		if (!r->quiet)
			printf("s3://%s/%s%s/\n", r->s3.bucket, r->s3.prefix, r->s3_name);
	}
	aws_client_free(c);
	free(err);
	return code;
}

/*
 * The organization's account list, written before the first account is
 * collected: each account is graded as its snapshot lands, and its
 * snapshot names the list in organization.json (snapshot.h).  A record
 * with no structure yet (every account "unknown"), which finish_structure
 * replaces, whole, once the walk is done.  0 if it could not be written (said).
 */
static int
write_org_list(struct run *r, char **err)
{
	json_t *rec;
	char *path, *s;
	int ok;

	if (r->organization_ids == NULL)
		return 1;
	rec = json_pack("{s:s, s:s, s:b, s:[s], s:[], s:{}, s:O}", "schema", ORGS_SCHEMA,
	    "source", "organizations", "complete", 0, "problems",
	    "the run ended before the organization's structure was walked",
	    "ous", "accounts", SNAP_ORG_MEMBER, r->organization_ids);
	path = xasprintf("%s/organization.json", r->dir);
	s = jdump(rec, 1);
	ok = file_write_atomic(path, s, strlen(s), 0600, 1, err);
	free(s);
	free(path);
	json_decref(rec);
	return ok;
}

/* run.h */
int
run_collect(struct run *r, char **err)
{
	struct collect_opts copts;
	struct stat st;
	char *snapdir;
	size_t i, done;
	int code;

	r->started = time(NULL);
	r->tty = isatty(STDERR_FILENO) && log_level == 1;
	if (r->s3.bucket != NULL && !run_s3_begin(r, err))
		return EXIT_IO;
	if (!make_run_dir(r, err))
		/* OUT a file or a planted symlink is bad input; the rest is I/O. */
		return lstat(r->out, &st) == 0 && !S_ISDIR(st.st_mode) ? EXIT_USAGE : EXIT_IO;
	write_manifest(r, "running", -1);
	if (!write_org_list(r, err)) {
		write_manifest(r, "failed", EXIT_IO);
		return EXIT_IO;
	}
	r->landed = xcalloc(r->ntargets + 1, sizeof(*r->landed));
	pthread_mutex_init(&r->lock, NULL);
	if (!run_spool_open(r, err)) {
		write_manifest(r, "failed", EXIT_IO);
		return EXIT_IO;
	}

	memset(&copts, 0, sizeof(copts));
	copts.cfg = &r->cfg;
	copts.since_days = r->since_days;
	copts.report_wait_s = r->report_wait;
	copts.no_last_accessed = r->no_last_accessed;
	copts.organization = r->organization_ids;
	/* The list once, in organization.json, not in every snapshot (snapshot.h). */
	if (r->organization_ids != NULL)
		copts.organization_in = SNAP_ORG_FILE;
	snapdir = xasprintf("%s/snapshots", r->dir);
	if (!r->quiet)
		log_info("collecting %zu account%s, %d at a time, into %s", r->ntargets,
		    r->ntargets == 1 ? "" : "s", r->jobs, r->dir);
	start_structure(r);
	/* Each account is graded and its pages written as it lands (run_landed). */
	r->pages_later = r->select != NULL;
	/* The trend's earlier runs, once, before the first page needs them. */
	run_history_start(r);
	collect_many(r->targets, r->ntargets, &r->creds, &copts, snapdir,
	    r->jobs, r->stop, run_landed, r->progress, r);
	free(snapdir);
	finish_structure(r);
	if (!*r->stop)
		return RUN_GO;
	for (done = i = 0; i < r->ntargets; i++)
		done += r->targets[i].snapshot != NULL;
	log_error("interrupted: %zu of %zu accounts collected; %s is marked interrupted",
	    done, r->ntargets, r->dir);
	code = EXIT_SIGNAL + *r->stop;
	write_manifest(r, "interrupted", code);
	return code;
}

/* The evidence pack: every file is written; hash them all, then sign.  0 if it failed (said). */
static int
run_seal(struct run *r)
{
	char *err = NULL;
	int mode = file_mode_umask(0644);

	if (ev_manifest_write(r->dir, mode, r->manifest_sha256, &err) &&
	    (r->sign_key == NULL || ev_sign(r->dir, r->sign_key, mode, &err)))
		return 1;
	log_error("%s", err);
	free(err);
	r->write_failed = 1;
	return 0;
}

/* run.h */
int
run_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	const char *status;
	int failed, code;

	failed = run_grade_and_report(r, cc, baseline, err);
	if (*r->stop) {
		/* Whatever was written is whole (atomic), but the set is not. */
		log_error("interrupted while writing the reports; %s is marked interrupted", r->dir);
		code = EXIT_SIGNAL + *r->stop;
		write_manifest(r, "interrupted", code);
		return code;
	}
	if (failed < 0) {
		code = r->write_failed ? EXIT_IO : EXIT_USAGE;
		write_manifest(r, "failed", code);
		return code;
	}
	code = run_exit(r, failed, &status);
	if (!run_seal(r))
		code = run_exit(r, failed, &status);
	write_manifest(r, status, code);
	r->finished = 1;
	if (r->s3.bucket != NULL)
		code = run_s3_finish(r, code);
	return code;
}

/* run.h */
void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		collect_job_free(&r->targets[i]);
	free(r->targets);
	free(r->dir);
	json_decref(r->organization_ids);
	json_decref(r->problems);
	json_decref(r->structure);
	hist_free(r->hist);
	s3_out_free(&r->s3);
	free(r->s3_name);
	if (r->landed != NULL) {
		free(r->landed);
		pthread_mutex_destroy(&r->lock);
		run_spool_close(r);
	}
	free(r->page_error);
	buf_free(&r->text);
	aws_config_free(&r->cfg);
	aws_creds_free(&r->creds);
}
