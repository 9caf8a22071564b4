/*
 * Grading a set of snapshot files, for every command that grades (check,
 * report, run): a few threads share the files; each loads and grades whole
 * snapshots, and the accounts keep the files' order.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"

struct grade_pool {
	char *const			 *files;
	const char *const		 *names;
	int				  n;
	const struct check_config	 *cfg;
	check_landed_fn			  landed;
	void				 *arg;
	char				**errors;	/* per file, why it is bad */
	int				  next;
	pthread_mutex_t			  lock;
};

/* One file: its account, or NULL with *err. */
static json_t *
grade_one(const struct grade_pool *p, int i, char **err)
{
	json_t *snap, *a;
	char sha[65];

	if (!snap_load(p->files[i], &snap, sha, err))
		return NULL;
	a = check_account(snap, p->names ? p->names[i] : p->files[i], sha, p->cfg);
	json_decref(snap);
	if (a == NULL)
		err_set(err, "%s: cannot grade this snapshot", p->files[i]);
	return a;
}

static void *
grade_worker(void *arg)
{
	struct grade_pool *p = arg;
	json_t *a;
	int i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if ((a = grade_one(p, i, &p->errors[i])) != NULL)
			p->landed(p->arg, i, a);
	}
	return NULL;
}

void
check_files_each(char *const *files, const char *const *names, int n,
    const struct check_config *cfg, int jobs, check_landed_fn landed, void *arg, char **errors)
{
	struct grade_pool p = { files, names, n, cfg, landed, arg, errors, 0,
	    PTHREAD_MUTEX_INITIALIZER };
	pthread_t *tids;
	int i, started = 0;

	if (jobs < 1) {
		jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
		jobs = jobs < 1 ? 1 : jobs > 16 ? 16 : jobs;
	}
	if (jobs > n)
		jobs = n;
	tids = xcalloc((size_t)(jobs > 0 ? jobs : 1), sizeof(*tids));
	json_object_seed(0);	/* before any thread makes objects */
	for (i = 1; i < jobs; i++)
		started += pthread_create(&tids[started], NULL, grade_worker, &p) == 0;
	grade_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}

/*
 * Kept whole: kept results interleaved with freed snapshots fragment
 * malloc's heap until every allocation crawls (400 snapshots of 1000 users
 * took 6.6 times as long as 100).  Rebuilt from its text once the snapshot
 * is gone, an account sits compactly and the time stays linear (4.0
 * times).
 */
static void
keep_account(void *arg, int i, json_t *a)
{
	json_t **accounts = arg;

	accounts[i] = jrebuild(a);
	json_decref(a);
}

void
check_files(char *const *files, const char *const *names, int n,
    const struct check_config *cfg, int jobs, json_t **accounts, char **errors)
{
	check_files_each(files, names, n, cfg, jobs, keep_account, accounts, errors);
}
