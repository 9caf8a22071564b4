/*
 * Benchmark of the policy questions (figures, not assertions): for every
 * principal of one snapshot (users with their groups, groups, roles),
 * compile its documents and answer the administrator question (every
 * catalogue action, or every iam action, on every resource) and the
 * escalation question, against the full catalogue.  Prints a Markdown
 * table; tests/bench/bench.py (stage "principals") puts it in
 * docs/performance.md.
 *
 *	bench_principals SNAPSHOT.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/grade.h"
#include "policy/catalogue.h"
#include "policy/effective.h"

static double
clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct tally {
	size_t	principals, docs, admin, iam_full, escalating, unevaluated;
};

static void
ask(struct check_ctx *c, const json_t *entry, const char *kind, struct tally *t)
{
	struct check_principal p;
	struct pol_effective e;
	struct pol_escalation *esc;
	const struct pol_doc **docs;
	size_t k, n;

	t->principals++;
	if (!check_principal_load(c, entry, kind, &p)) {
		t->unevaluated++;
		check_principal_free(&p);
		return;
	}
	t->docs += p.ndocs;
	check_principal_effective(&p, &e);
	t->admin += pol_effective_admin(&e);
	t->iam_full += pol_effective_service_full(&e, "iam");
	pol_effective_free(&e);
	docs = xcalloc(p.ndocs + 1, sizeof(*docs));
	for (k = 0; k < p.ndocs; k++)
		docs[k] = p.docs[k]->doc;
	n = pol_escalations(docs, p.ndocs, p.boundary ? p.boundary->doc : NULL, p.arn,
	    strcmp(kind, "user") == 0 ? p.name : NULL, &esc);
	t->escalating += n > 0;
	free(esc);
	free(docs);
	check_principal_free(&p);
}

/* One pass over every principal; returns wall seconds, *cpu CPU seconds. */
static double
pass(struct check_ctx *c, struct tally *t, double *cpu)
{
	static const char *const kinds[] = { "users", "groups", "roles" };
	static const char *const kind1[] = { "user", "group", "role" };
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *e;
	double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
	size_t i, k;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(az, kinds[k]), i, e)
			ask(c, e, kind1[k], t);
	*cpu = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return clock_of(CLOCK_MONOTONIC) - w0;
}

int
main(int argc, char **argv)
{
	struct check_config cfg;
	struct check_ctx c;
	struct tally t1, t2;
	struct rusage ru;
	json_t *snap = NULL;
	char sha[65], *err = NULL;
	double w0, wload, w1, c1, w2, c2;
	struct pcat_cache_stats cs;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_principals SNAPSHOT.json\n");
		return 2;
	}
	check_config_default(&cfg);
	w0 = clock_of(CLOCK_MONOTONIC);
	if (!snap_load(argv[1], &snap, sha, &err) || !check_ctx_init(&c, snap, &cfg)) {
		fprintf(stderr, "bench_principals: %s\n", err ? err : "cannot grade the snapshot");
		return 2;
	}
	wload = clock_of(CLOCK_MONOTONIC) - w0;
	w1 = pass(&c, &t1, &c1);
	pcat_cache_stats(c.pcache, &cs);
	w2 = pass(&c, &t2, &c2);
	getrusage(RUSAGE_SELF, &ru);

	printf("Input: one account, %zu principals (%zu roles, %zu users, %zu groups), %zu customer "
	    "managed policies compiled, %zu document uses; catalogue of %d actions.\n\n",
	    t1.principals, json_array_size(json_object_get(c.data[CHECK_SRC_AUTHORIZATION_DETAILS], "roles")),
	    json_array_size(json_object_get(c.data[CHECK_SRC_AUTHORIZATION_DETAILS], "users")),
	    json_array_size(json_object_get(c.data[CHECK_SRC_AUTHORIZATION_DETAILS], "groups")),
	    c.npdocs, t1.docs, pcat_count());
	printf("Answers: %zu administrator-equivalent, %zu with every iam action, %zu with an "
	    "escalation grant, %zu not evaluated; pattern cache %zu hits, %zu misses, %zu KiB.\n\n",
	    t1.admin, t1.iam_full, t1.escalating, t1.unevaluated, cs.hits, cs.misses, cs.bytes / 1024);
	printf("| step | wall | CPU | per principal |\n| --- | --- | --- | --- |\n");
	printf("| load and validate the snapshot (JSON, not policy work) | %.3f s | - | - |\n", wload);
	printf("| compile every document and answer both questions for every principal | %.3f s | %.3f s | %.1f µs |\n",
	    w1, c1, t1.principals ? w1 * 1e6 / (double)t1.principals : 0.0);
	printf("| again, managed policies already compiled | %.3f s | %.3f s | %.1f µs |\n",
	    w2, c2, t2.principals ? w2 * 1e6 / (double)t2.principals : 0.0);
	printf("\nPeak RSS of the whole process (snapshot included): %.0f MiB.\n", ru.ru_maxrss / 1024.0);
	check_ctx_free(&c);
	json_decref(snap);
	return 0;
}
