/*
 * The accounts of a run kept on disk until the summary, so that memory
 * does not grow with the accounts: each account's full results and its
 * record (the account less what only its own pages and the per-finding
 * outputs read) go to one unlinked file in the run's folder (nothing of
 * it is ever visible there); nothing of an account stays in memory.
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
	/* Two stretches a target: its full account, then (RUN_SPOOL_RECORD) its record. */
	r->spool_off = xcalloc(2 * r->ntargets + 1, sizeof(*r->spool_off));
	r->spool_len = xcalloc(2 * r->ntargets + 1, sizeof(*r->spool_len));
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

/*
 * One value of a record in place of an equal one another record already
 * holds (the table's), so that it is held once: at its key, the value's
 * compact text.
 */
static void
record_share_one(json_t *shared, const char *what, json_t *v, json_t *in, const char *k,
    size_t at)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *key;
	json_t *s;

	if (text == NULL)
		abort();	/* out of memory: a batch tool stops (xmalloc's rule) */
	key = xasprintf("%s\x1f%s", what, text);
	free(text);
	if ((s = json_object_get(shared, key)) == NULL)
		json_object_set(shared, key, v);
	else if (k != NULL)
		json_object_set(in, k, s);
	else
		json_array_set(in, at, s);
	free(key);
}

/*
 * What every account's record says alike, held once (run.h): each
 * control's catalogue members (the same title, family, severity, ids and
 * sources in every account) and each finding that only a severity and an
 * accepted mark are left of (run_record without a baseline: one of a few
 * kinds).  The rest (a control's status reason, a finding with its
 * resource) is the account's own and stays its own.  Records are only read
 * from here on, so sharing is safe.  Why: parsed alone, a record is ~100 KB
 * of jansson objects for ~14 KB of text, most of it these repeats.
 */
void
run_record_share(json_t *rec, json_t *shared)
{
	static const char *const same[] = { "id", "title", "family", "severity", "cis",
	    "securityhub", "sources", "status" };
	json_t *c, *f, *v, *fs;
	size_t i, j, k;
	const char *key;
	int slim;

	json_array_foreach(json_object_get(rec, "controls"), i, c) {
		for (k = 0; k < sizeof(same) / sizeof(same[0]); k++)
			if ((v = json_object_get(c, same[k])) != NULL &&
			    (json_is_string(v) || json_is_array(v)))
				record_share_one(shared, same[k], v, c, same[k], 0);
		fs = json_object_get(c, "findings");
		json_array_foreach(fs, j, f) {
			slim = json_is_object(f);
			json_object_foreach(f, key, v)
				if (strcmp(key, "severity") != 0 && strcmp(key, "accepted") != 0)
					slim = 0;
			if (slim)
				record_share_one(shared, "finding", f, fs, NULL, j);
		}
	}
}
