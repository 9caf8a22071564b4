/*
 * Independent calls of one account in flight together: a few threads, each
 * with its own sibling of the account's client (aws_client_clone), take
 * the next piece of work from a shared index.  Threads rather than a curl
 * multi handle because every source is written as blocking calls with its
 * own retries, paging guards and pacing; a handful of threads per account
 * keeps that code as it is, and the width bounds what is in flight.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/sources.h"

struct par {
	size_t			 n;
	size_t			 next;
	int			 stop;
	src_par_fn		*fn;
	void			*arg;
	pthread_mutex_t		 lock;
};

static void
par_run(struct par *p, struct aws_client *c)
{
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (p->stop || p->next == p->n || aws_cancelled()) {
			pthread_mutex_unlock(&p->lock);
			return;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (!p->fn(c, i, p->arg)) {
			pthread_mutex_lock(&p->lock);
			p->stop = 1;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

struct par_thread {
	struct par		*p;
	struct aws_client	*c;
	pthread_t		 tid;
};

static void *
par_worker(void *arg)
{
	struct par_thread *t = arg;

	par_run(t->p, t->c);
	return NULL;
}

int
src_par_width(const char *env, int def)
{
	const char *v = getenv(env);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	return *end != '\0' || n < 1 || n > SRC_PAR_MAX ? def : (int)n;
}

void
src_parallel(struct aws_client *c, size_t n, int width, src_par_fn *fn, void *arg)
{
	struct par p;
	struct par_thread *t;
	int i, started = 0;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.fn = fn;
	p.arg = arg;
	if (width < 1)
		width = 1;
	if ((size_t)width > n)
		width = (int)n;
	if (width <= 1) {
		par_run(&p, c);
		return;
	}
	pthread_mutex_init(&p.lock, NULL);
	/* The caller's thread works too, on the account's own client. */
	t = xcalloc((size_t)width - 1, sizeof(*t));
	for (i = 0; i < width - 1; i++) {
		t[i].p = &p;
		t[i].c = aws_client_clone(c);
		if (pthread_create(&t[i].tid, NULL, par_worker, &t[i]) != 0) {
			aws_client_free(t[i].c);
			break;
		}
		started++;
	}
	par_run(&p, c);
	for (i = 0; i < started; i++) {
		pthread_join(t[i].tid, NULL);
		aws_client_merge(c, t[i].c);
	}
	free(t);
	pthread_mutex_destroy(&p.lock);
}
