/*
 * Collect many accounts at once: a fixed pool of threads takes the next
 * account from a shared index, collects it, writes its snapshot and drops
 * it, so memory stays flat however many accounts a run has; then it hands
 * the account to the caller's next stage (run grades and reports it
 * there), so that stage overlaps the collection.  Inside an
 * account the independent sources run on a few threads of their own
 * (collector/parallel.c); each source's pages stay in order on one thread,
 * which is what keeps CloudTrail's per-account pacing simple.
 *
 * Two pools, because an account's collection is mostly waiting (14
 * LookupEvents calls 500 ms apart, CloudTrail's 2 a second per account) and
 * its landing is all CPU (grading, pages): many accounts wait side by side
 * (the collectors, the caller's --jobs), and one lander per CPU takes the
 * collected accounts from a queue in turn.  Else a wave of accounts landing
 * together would hold all their results and pages in memory at once and
 * thrash the CPUs; and landings spread over a hundred collector threads
 * would leave each malloc arena holding a landing's worth of freed memory
 * (at 300 accounts, 330 MiB at the peak against 230 with the landers).  A
 * collector hands its account over and starts the next one at once.
 */
#include <sys/resource.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/collector.h"
#include "collector/sources.h"

struct pool {
	struct collect_job		*jobs;
	size_t				 n;
	size_t				 next;	/* next job to start */
	size_t				 done;
	const struct aws_creds		*creds;
	const struct collect_opts	*opts;
	const char			*outdir;
	volatile int			*stop;
	collect_landed_fn		 landed;
	collect_progress_fn		 progress;
	void				*arg;
	pthread_mutex_t			 lock;
	/* The landing queue: jobs collected, landed in that order (under lock). */
	size_t				*queue;		/* of n job indices */
	size_t				 qhead, qtail;
	int				 nlanders;	/* 0: each collector lands its own */
	int				 collected;	/* every collector is done */
	pthread_cond_t			 queued;
};

/* The CPUs this process may run on (a cpuset or taskset narrows them). */
static int
cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/*
 * Every call in flight is a socket: each account up to SRC_PAR_SOURCES +
 * SRC_PAR_KEYS, and the handle pool (collector/aws.c) keeps some open
 * between accounts.  Raise the soft open-files limit towards the hard one
 * when that many do not fit (a common default is 1,024, and 128 accounts
 * can start 900 calls at once): else connections fail with EMFILE, are
 * retried, and the accounts end incomplete.  Said when even the hard
 * limit is short.
 */
static void
fit_open_files(int threads)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)threads * (SRC_PAR_SOURCES + SRC_PAR_KEYS) + 1024, was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = was;
	if (rl.rlim_cur < want)
		log_info("open files limit %llu, below the %llu that %d accounts at once may "
		    "need: lower --jobs if connections fail", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)want, threads);
}

/* A job finished: counted, and the caller told (under the lock). */
static void
finish(struct pool *p, struct collect_job *j)
{
	pthread_mutex_lock(&p->lock);
	j->done = 1;
	p->done++;
	if (p->progress != NULL)
		p->progress(p->arg, j, p->done, p->n);
	pthread_mutex_unlock(&p->lock);
}

/* A lander: the collected jobs from the queue, in turn, until the collectors are done. */
static void *
lander(void *arg)
{
	struct pool *p = arg;
	struct collect_job *j;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->qhead == p->qtail && !p->collected)
			pthread_cond_wait(&p->queued, &p->lock);
		if (p->qhead == p->qtail) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		j = &p->jobs[p->queue[p->qhead++]];
		pthread_mutex_unlock(&p->lock);
		p->landed(p->arg, j);
		finish(p, j);
	}
}

static void
run_job(struct pool *p, struct collect_job *j)
{
	struct collect_opts opts = *p->opts;
	const struct aws_creds *creds = j->creds.access_key_id ? &j->creds : p->creds;
	json_t *snap;
	char *err = NULL;

	if (j->cfg != NULL)
		opts.cfg = j->cfg;
	snap = collect_account(&j->target, creds, &opts, &err);
	if (aws_cancelled()) {
		/* Cut short: a snapshot of half the sources would only mislead. */
		json_decref(snap);
		free(err);
		j->error = xstrdup("interrupted before the account was collected");
		return;
	}
	if (snap == NULL) {
		j->error = err ? err : xstrdup("collection failed");
		return;
	}
	j->complete = json_is_true(jpath(snap, "collection.complete"));
	if (!j->complete && err == NULL) {
		json_t *probs = jpath(snap, "collection.problems");

		if (json_array_size(probs) > 0)
			err = xstrdup(json_string_value(json_array_get(probs, 0)));
	}
	if (!snapshot_write(p->outdir, snap, &j->snapshot, &err)) {
		j->complete = 0;
		j->write_failed = 1;
	}
	j->error = err;
	json_decref(snap);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct collect_job *j;

		pthread_mutex_lock(&p->lock);
		if (*p->stop || p->next == p->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->lock);

		run_job(p, j);
		if (p->landed != NULL && p->nlanders > 0) {
			pthread_mutex_lock(&p->lock);
			p->queue[p->qtail++] = (size_t)(j - p->jobs);
			pthread_cond_signal(&p->queued);
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		if (p->landed != NULL)
			p->landed(p->arg, j);
		finish(p, j);
	}
}

size_t
collect_many(struct collect_job *jobs, size_t n, const struct aws_creds *creds,
    const struct collect_opts *opts, const char *outdir, int threads,
    volatile int *stop, collect_landed_fn landed, collect_progress_fn progress, void *arg)
{
	static volatile int never;
	struct pool p;
	pthread_t *tids, *lids = NULL;
	int i, started = 0, ncpu = cpus();

	memset(&p, 0, sizeof(p));
	p.jobs = jobs;
	p.n = n;
	p.creds = creds;
	p.opts = opts;
	p.outdir = outdir;
	p.stop = stop ? stop : &never;
	p.landed = landed;
	p.progress = progress;
	p.arg = arg;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.queued, NULL);
	if (landed != NULL) {
		p.queue = xcalloc(n + 1, sizeof(*p.queue));
		lids = xcalloc((size_t)ncpu, sizeof(*lids));
		while (p.nlanders < ncpu && pthread_create(&lids[p.nlanders], NULL, lander, &p) == 0)
			p.nlanders++;
	}
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > n)
		threads = (int)n;
	fit_open_files(threads);
	tids = xcalloc((size_t)threads, sizeof(*tids));
	for (i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, worker, &p) == 0)
			started++;
		else
			break;
	if (started == 0)
		worker(&p);	/* no threads to be had: do the work here */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_lock(&p.lock);
	p.collected = 1;
	pthread_cond_broadcast(&p.queued);
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < p.nlanders; i++)
		pthread_join(lids[i], NULL);
	free(tids);
	free(lids);
	free(p.queue);
	pthread_cond_destroy(&p.queued);
	pthread_mutex_destroy(&p.lock);
	return p.done;
}
