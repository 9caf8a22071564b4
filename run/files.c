/*
 * check and report over snapshot files, without every account in memory:
 * each account, as check_files' threads grade it, is marked with the
 * accepted risks, its part of the output rendered there (a format made
 * one account at a time, report_stream_part) and put in an unlinked spool,
 * and only its record (run_record) is kept.  The results document of the
 * records, sorted as check_results sorts, then frames the parts.  1,000
 * snapshots of 1,000 users were 3 GiB of results held whole; the records
 * and the parts' places are what stays.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/report.h"
#include "run/run.h"

struct run_files {
	int			 fmt;		/* the format spooled, or -1: records only */
	int			 baseline;	/* run_record's: a baseline reads the findings */
	json_t			*shared;	/* what records say alike, held once (run_record_share) */
	const struct check_config *cfg;
	struct check_config	 marked;	/* cfg less the exceptions: accounts come marked */
	int			 n;
	json_t			**records;	/* per file: its record, NULL when bad */
	char			**texts;	/* per file: its record as text, until files_doc */
	char			**errors;	/* per file: why it is bad */
	int			 fd;		/* the spool, or -1 */
	char			*what;		/* the spool's name, in errors */
	off_t			*off;		/* per file: its part in the spool */
	size_t			*len;
	off_t			 end;
	char			*spool_err;	/* the first part that could not be spooled */
	pthread_mutex_t		 lock;
	json_t			*doc;
	size_t			*order;		/* the doc's accounts as files */
};

/* A finding as check's record keeps it: its severity, and its accepted risk's line. */
static json_t *
files_finding(const json_t *f)
{
	json_t *r = json_object();

	if (jstr(f, "severity") != NULL)
		json_object_set_new(r, "severity", json_string(jstr(f, "severity")));
	if (json_object_get(f, "accepted") != NULL)
		json_object_set_new(r, "accepted", json_pack("{s:I}", "line",
		    (json_int_t)jint(json_object_get(f, "accepted"), "line", 0)));
	return r;
}

/*
 * What check reads of an account once its output is spooled, far less
 * than run_record's: what check_results sorts and dates by, the collection
 * (--require-complete), and of each control that FAILs or has accepted
 * risks its id, status and severity, its findings that are accepted risks
 * (the risks' lists count them) and, when it FAILs, its most severe other
 * finding (--fail-on reads the most severe).  New.
 */
static json_t *
files_check_record(const json_t *a)
{
	static const char *const keep[] = { "account_id", "snapshot", "collection" };
	json_t *r = json_object(), *ctls = json_array(), *c, *f, *fs, *worst;
	size_t i, j, k;
	int rank, max, fail;

	for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
		if (json_object_get(a, keep[k]) != NULL)
			json_object_set_new(r, keep[k], json_deep_copy(json_object_get(a, keep[k])));
	json_array_foreach(json_object_get(a, "controls"), i, c) {
		fs = json_array();
		worst = NULL;
		max = -1;
		json_array_foreach(json_object_get(c, "findings"), j, f) {
			if (json_object_get(f, "accepted") != NULL)
				json_array_append_new(fs, files_finding(f));
			else if ((rank = check_severity_rank(jstr(f, "severity"))) > max) {
				max = rank;
				worst = f;
			}
		}
		fail = jstr(c, "status") != NULL && strcmp(jstr(c, "status"), "FAIL") == 0;
		if (worst != NULL && fail)
			json_array_append_new(fs, files_finding(worst));
		/* A control neither failed nor with an accepted risk is read by nothing here. */
		if (!fail && json_array_size(fs) == 0) {
			json_decref(fs);
			continue;
		}
		json_array_append_new(ctls, json_pack("{s:s?, s:s?, s:s?, s:o}", "id", jstr(c, "id"),
		    "status", jstr(c, "status"), "severity", jstr(c, "severity"), "findings", fs));
	}
	json_object_set_new(r, "controls", ctls);
	return r;
}

/* One account graded (check_files_each, on its thread): marked, its part spooled, its record kept. */
static void
files_landed(void *arg, int i, json_t *a)
{
	struct run_files *f = arg;
	struct buf part = { 0 };
	char *err = NULL;
	json_t *rec;
	off_t at;

	if (f->cfg->exceptions != NULL)
		check_exceptions_account(a, f->cfg->exceptions);
	if (f->fd >= 0) {
		if (report_stream_part(f->fmt, a, &part, &err)) {
			pthread_mutex_lock(&f->lock);
			at = f->end;
			f->end += (off_t)part.len;
			pthread_mutex_unlock(&f->lock);
			if (fd_pwrite_all(f->fd, part.p, part.len, at, f->what, &err)) {
				f->off[i] = at;
				f->len[i] = part.len;
			}
		}
		if (err != NULL) {
			pthread_mutex_lock(&f->lock);
			if (f->spool_err == NULL) {
				f->spool_err = err;
				err = NULL;
			}
			pthread_mutex_unlock(&f->lock);
		}
		buf_free(&part);
		free(err);
	}
	/*
	 * A record is kept as text, one block, until every account is graded:
	 * its many small objects made between two snapshots would pin pages
	 * all over the heap that the next snapshot's parse then spreads over
	 * (300 snapshots cost 17 % more than three times 100; as text, 20 %
	 * less CPU at 300).
	 */
	if (f->fd >= 0) {
		rec = files_check_record(a);
	} else {
		run_record(a, f->baseline);
		rec = json_incref(a);
	}
	if ((f->texts[i] = json_dumps(rec, JSON_COMPACT)) == NULL)
		abort();	/* out of memory: a batch tool stops (xmalloc's rule) */
	json_decref(rec);
	json_decref(a);
}

/* The records' document, and which file each of its accounts is. */
static void
files_doc(struct run_files *f)
{
	json_t *all = json_array(), *a;
	size_t j, k, m = 0, *byptr = xcalloc((size_t)f->n + 1, sizeof(*byptr));
	int i;

	for (i = 0; i < f->n; i++) {
		if (f->texts[i] != NULL) {
			if ((f->records[i] = json_loads(f->texts[i], JSON_ALLOW_NUL, NULL)) == NULL)
				abort();	/* our own text: only memory can fail */
			free(f->texts[i]);
			f->texts[i] = NULL;
			/* Most of a run_record is what every account's says alike: held once. */
			if (f->fd < 0)
				run_record_share(f->records[i], f->shared);
		}
	}
	for (i = 0; i < f->n; i++)
		if (f->records[i] != NULL) {
			json_array_append(all, f->records[i]);
			byptr[m++] = (size_t)i;
		}
	f->doc = check_results(all, &f->marked);
	if (f->cfg->exceptions != NULL)
		check_exceptions_lists(f->doc, f->cfg->exceptions);
	/* check_results keeps the records themselves, in its order: found again by identity. */
	f->order = xcalloc(m + 1, sizeof(*f->order));
	json_array_foreach(json_object_get(f->doc, "accounts"), j, a)
		for (k = 0; k < m; k++)
			if (f->records[byptr[k]] == a) {
				f->order[j] = byptr[k];
				break;
			}
	free(byptr);
}

struct run_files *
run_files_grade(char *const *files, const char *const *names, int n,
    const struct check_config *cfg, int jobs, int fmt, int baseline, char **err)
{
	struct run_files *f = xcalloc(1, sizeof(*f));
	const char *dir = getenv("TMPDIR");

	f->fmt = fmt;
	f->baseline = baseline;
	f->shared = json_object();
	f->cfg = cfg;
	f->marked = *cfg;
	f->marked.exceptions = NULL;
	f->n = n;
	f->records = xcalloc((size_t)n + 1, sizeof(*f->records));
	f->texts = xcalloc((size_t)n + 1, sizeof(*f->texts));
	f->errors = xcalloc((size_t)n + 1, sizeof(*f->errors));
	f->off = xcalloc((size_t)n + 1, sizeof(*f->off));
	f->len = xcalloc((size_t)n + 1, sizeof(*f->len));
	f->fd = -1;
	pthread_mutex_init(&f->lock, NULL);
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	f->what = xasprintf("the results' spool in %s", dir);
	if (fmt >= 0 && (f->fd = fd_spool(dir, err)) < 0) {
		run_files_free(f);
		return NULL;
	}
	check_files_each(files, names, n, cfg, jobs, files_landed, f, f->errors);
	if (f->spool_err != NULL) {
		err_set(err, "%s", f->spool_err);
		run_files_free(f);
		return NULL;
	}
	files_doc(f);
	return f;
}

const char *
run_files_error(const struct run_files *f, int i)
{
	return f->errors[i];
}

const json_t *
run_files_doc(const struct run_files *f)
{
	return f->doc;
}

int
run_files_write(const struct run_files *f, run_put_fn put, void *arg, char **err)
{
	struct buf head = { 0 }, tail = { 0 };
	size_t j, i, n = json_array_size(json_object_get(f->doc, "accounts")), cap = 0;
	const char *sep;
	char *part = NULL;
	int ok;

	if (f->fd < 0)
		return err_set(err, "the results were graded for their records only");
	ok = report_stream_frame(f->fmt, f->doc, n, &head, &tail, err) &&
	    put(arg, head.p, head.len, err);
	for (j = 0; ok && j < n; j++) {
		i = f->order[j];
		if (f->len[i] > cap)
			part = xrealloc(part, cap = f->len[i]);
		sep = report_stream_sep(f->fmt, j);
		ok = fd_pread_all(f->fd, part, f->len[i], f->off[i], f->what, err) &&
		    put(arg, sep, strlen(sep), err) && put(arg, part, f->len[i], err);
	}
	ok = ok && put(arg, tail.p, tail.len, err);
	buf_free(&head);
	buf_free(&tail);
	free(part);
	return ok;
}

void
run_files_free(struct run_files *f)
{
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		json_decref(f->records[i]);
		free(f->texts[i]);
		free(f->errors[i]);
	}
	if (f->fd >= 0)
		close(f->fd);
	json_decref(f->doc);
	json_decref(f->shared);
	pthread_mutex_destroy(&f->lock);
	free(f->records);
	free(f->texts);
	free(f->errors);
	free(f->off);
	free(f->len);
	free(f->order);
	free(f->what);
	free(f->spool_err);
	free(f);
}
