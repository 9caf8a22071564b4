/*
 * The accounts of a run kept on disk until the summary, so that memory
 * does not grow with the accounts: each account's full results go to one
 * unlinked file in the run's folder (nothing of it is ever visible there),
 * and what stays in memory is its record, the account less what only its
 * own pages and the per-finding outputs read.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "run/run.h"

int
run_spool_open(struct run *r, char **err)
{
	r->spool_off = xcalloc(r->ntargets + 1, sizeof(*r->spool_off));
	r->spool_len = xcalloc(r->ntargets + 1, sizeof(*r->spool_len));
	return (r->spool_fd = fd_spool(r->dir, err)) >= 0;
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
	char *text = json_dumps(acct, JSON_COMPACT), *what;
	size_t len;
	off_t at;
	int ok;

	if (text == NULL)
		abort();	/* out of memory: a batch tool stops (xmalloc's rule) */
	len = strlen(text);
	/* Each account its own stretch of the file: reserve it, then write without the lock. */
	pthread_mutex_lock(&r->lock);
	at = r->spool_end;
	r->spool_end += (off_t)len;
	pthread_mutex_unlock(&r->lock);
	what = xasprintf("%s: the accounts' spool", r->dir);
	if ((ok = fd_pwrite_all(r->spool_fd, text, len, at, what, err))) {
		r->spool_off[i] = at;
		r->spool_len[i] = len;
	}
	free(what);
	free(text);
	return ok;
}

json_t *
run_spool_get(const struct run *r, size_t i, char **err)
{
	char *text = xmalloc(r->spool_len[i] + 1), *what = xasprintf("%s: the accounts' spool", r->dir);
	json_t *a = NULL;

	if (fd_pread_all(r->spool_fd, text, r->spool_len[i], r->spool_off[i], what, err) &&
	    (a = json_loadb(text, r->spool_len[i], 0, NULL)) == NULL)
		err_set(err, "%s: account %zu unreadable", what, i);
	free(what);
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
 * resource, severity and accepted mark are the summary's.
 */
void
run_record(json_t *a)
{
	static const char *const drop[] = { "remediation", "description", "unevaluated",
	    "frameworks", "notes" };
	json_t *c, *f;
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
		json_array_foreach(json_object_get(c, "findings"), j, f)
			json_object_del(f, "evidence");
	}
}
