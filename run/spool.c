/*
 * The accounts of a run kept on disk until the summary, so that memory
 * does not grow with the accounts: each account's full results and its
 * record (the account less what only its own pages and the per-finding
 * outputs read) go to one unlinked file in the run's folder (nothing of
 * it is ever visible there); nothing of an account stays in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "run/run.h"

int
run_spool_open(struct run *r, char **err)
{
	char *tmp;

	/* Two stretches a target: its full account, then (RUN_SPOOL_RECORD) its record. */
	r->spool_off = xcalloc(2 * r->ntargets + 1, sizeof(*r->spool_off));
	r->spool_len = xcalloc(2 * r->ntargets + 1, sizeof(*r->spool_len));
#ifdef O_TMPFILE
	if ((r->spool_fd = open(r->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return 1;
#endif
	/* No O_TMPFILE here: a named file, unlinked at once. */
	tmp = xasprintf("%s/.spool.XXXXXX", r->dir);
	if ((r->spool_fd = mkstemp(tmp)) < 0) {
		err_set(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return 0;
	}
	unlink(tmp);
	free(tmp);
	return 1;
}

void
run_spool_close(struct run *r)
{
	if (r->spool_off != NULL && r->spool_fd >= 0)
		close(r->spool_fd);
	free(r->spool_off);
	free(r->spool_len);
	r->spool_off = NULL;
	r->spool_len = NULL;
}

int
run_spool_put(struct run *r, size_t i, const json_t *acct, char **err)
{
	char *text = json_dumps(acct, JSON_COMPACT);
	size_t len, done = 0;
	off_t at;
	ssize_t n;

	if (text == NULL)
		abort();	/* out of memory: a batch tool stops (xmalloc's rule) */
	len = strlen(text);
	/* Each account its own stretch of the file: reserve it, then write without the lock. */
	pthread_mutex_lock(&r->lock);
	at = r->spool_end;
	r->spool_end += (off_t)len;
	pthread_mutex_unlock(&r->lock);
	while (done < len) {
		n = pwrite(r->spool_fd, text + done, len - done, at + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(text);
			return err_set(err, "%s: the accounts' spool: %s", r->dir, strerror(errno));
		}
		done += (size_t)n;
	}
	r->spool_off[i] = at;
	r->spool_len[i] = len;
	free(text);
	return 1;
}

json_t *
run_spool_get(const struct run *r, size_t i, char **err)
{
	char *text = xmalloc(r->spool_len[i] + 1);
	size_t done = 0;
	json_t *a = NULL;
	ssize_t n;

	while (done < r->spool_len[i]) {
		n = pread(r->spool_fd, text + done, r->spool_len[i] - done,
		    r->spool_off[i] + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, "%s: the accounts' spool: %s", r->dir,
			    n < 0 ? strerror(errno) : "cut short");
			goto out;
		}
		done += (size_t)n;
	}
	if ((a = json_loadb(text, done, 0, NULL)) == NULL)
		err_set(err, "%s: the accounts' spool: account %zu unreadable", r->dir, i);
out:
	free(text);
	return a;
}

/*
 * What the summary reads of an account (report/compare.h's model, the
 * grouping, evidence.json, --fail-on), in place: every member but the ones
 * only an account's own pages and the per-finding outputs (results.json,
 * findings.csv) read -- each control's remediation, description,
 * unevaluated list, framework ids and notes, the CreateRole events, and the
 * evidence of each finding but the role-trust ones (ROLE-01..03, which the
 * summary's role risks show).  The findings themselves stay: their count,
 * severity and accepted mark are the summary's.  Their resource, name and
 * reason only a baseline reads (a finding's key, and the new and fixed
 * lists): without one a finding keeps its severity and accepted mark alone.
 * Why: the findings are most of a record (LP-02 alone can hold one a user,
 * each a jansson object of a few hundred bytes), and the records are what
 * grows with the accounts until the summary is written.
 */
void
run_record(json_t *a, int baseline)
{
	static const char *const drop[] = { "remediation", "description", "unevaluated",
	    "frameworks", "notes" };
	static const char *const keep[] = { "severity", "accepted" };
	json_t *c, *f, *v, *slim;
	size_t i, j, k;
	const char *id;

	json_object_del(a, "create_role_events");
	json_array_foreach(json_object_get(a, "controls"), i, c) {
		for (k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			json_object_del(c, drop[k]);
		id = jstr(c, "id");
		if (id != NULL && (strcmp(id, "ROLE-01") == 0 || strcmp(id, "ROLE-02") == 0 ||
		    strcmp(id, "ROLE-03") == 0))
			continue;
		json_array_foreach(json_object_get(c, "findings"), j, f) {
			json_object_del(f, "evidence");
			if (baseline || !json_is_object(f))
				continue;
			/* Rebuilt rather than emptied: a new object's table is the smallest. */
			slim = json_object();
			for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
				if ((v = json_object_get(f, keep[k])) != NULL)
					json_object_set(slim, keep[k], v);
			json_array_set_new(json_object_get(c, "findings"), j, slim);
		}
	}
}
