/*
 * Benchmark of suggest-policy (figures, not assertions): one snapshot's
 * every role and user asked for its least-privilege policy, each proven
 * by the two checks, as the command does it (policy/suggest.h).  Prints a
 * Markdown block; tests/bench/bench.py (stage "suggest") puts it in
 * docs/performance.md.
 *
 *	bench_suggest SNAPSHOT.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/grade.h"
#include "policy/suggest.h"

static double
clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct tally {
	size_t	principals, printed, empty, refused, skipped, bytes, max_bytes, actions, granted;
};

/* One principal, as suggest-policy does it; counted into t. */
static void
one(struct check_ctx *c, const json_t *e, const char *kind, const json_t *rec, struct tally *t)
{
	struct pol_suggestion s;
	char *err = NULL, *text;
	size_t len;

	t->principals++;
	if (rec == NULL || check_suggest_one(c, e, kind, rec, &s, &err) != CHECK_SUG_OK) {
		t->skipped++;
		goto out;
	}
	t->granted += s.granted_actions;
	if (s.policy != NULL) {
		t->printed++;
		t->actions += s.suggested_actions;
		text = json_dumps(s.policy, JSON_COMPACT);
		len = strlen(text);
		t->bytes += len;
		if (len > t->max_bytes)
			t->max_bytes = len;
		free(text);
	} else if (s.empty)
		t->empty++;
	else
		t->refused++;
out:
	free(err);
	pol_suggest_free(&s);
}

int
main(int argc, char **argv)
{
	static const char *const lists[] = { "roles", "users" }, *const kinds[] = { "role", "user" };
	const json_t *az, *e, *p;
	struct check_config cfg;
	struct check_ctx c;
	struct tally t = { 0 };
	struct rusage ru;
	json_t *snap = NULL, *by;
	char sha[65], *err = NULL;
	double w0, wload, w1, c1;
	size_t i, k;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_suggest SNAPSHOT.json\n");
		return 2;
	}
	check_config_default(&cfg);
	w0 = clock_of(CLOCK_MONOTONIC);
	if (!snap_load(argv[1], &snap, sha, &err) || !check_ctx_init(&c, snap, &cfg)) {
		fprintf(stderr, "bench_suggest: %s\n", err ? err : "cannot grade the snapshot");
		return 2;
	}
	wload = clock_of(CLOCK_MONOTONIC) - w0;
	az = c.data[CHECK_SRC_AUTHORIZATION_DETAILS];
	w0 = clock_of(CLOCK_MONOTONIC);
	c1 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
	/* The records by ARN, as check_suggest finds one: grading stays linear. */
	by = json_object();
	json_array_foreach(jpath(snap, "sources.last_accessed.data.principals"), i, p)
		if (jstr(p, "Arn") != NULL)
			json_object_set(by, jstr(p, "Arn"), (json_t *)p);
	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(az, lists[k]), i, e)
			one(&c, e, kinds[k], json_object_get(by, jstr(e, "Arn") ? jstr(e, "Arn") : ""), &t);
	c1 = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c1;
	w1 = clock_of(CLOCK_MONOTONIC) - w0;
	getrusage(RUSAGE_SELF, &ru);

	printf("Input: one account, %zu roles and %zu users, each with a last-accessed record "
	    "(one in fifty a failed job).\n\n", json_array_size(json_object_get(az, "roles")),
	    json_array_size(json_object_get(az, "users")));
	printf("Answers: %zu principals; %zu suggestions printed (both checks held), %zu with nothing "
	    "used, %zu refused by a check, %zu not evaluated (job not read, or a document the engine "
	    "cannot use). Printed suggestions: %.0f bytes on average (compact JSON), %zu at most; "
	    "%.1f actions kept on average of %.1f granted.\n\n", t.principals, t.printed, t.empty,
	    t.refused, t.skipped, t.printed ? (double)t.bytes / t.printed : 0.0, t.max_bytes,
	    t.printed ? (double)t.actions / t.printed : 0.0,
	    t.principals ? (double)t.granted / t.principals : 0.0);
	printf("| step | wall | CPU |\n| --- | --- | --- |\n");
	printf("| load and validate the snapshot, compile the managed policies | %.3f s | - |\n", wload);
	printf("| a proven suggestion for every principal | %.3f s | %.3f s |\n", w1, c1);
	printf("| per principal | %.2f ms | %.2f ms |\n", t.principals ? w1 * 1e3 / t.principals : 0.0,
	    t.principals ? c1 * 1e3 / t.principals : 0.0);
	printf("\nPeak RSS of the whole process (snapshot included): %.0f MiB.\n", ru.ru_maxrss / 1024.0);
	json_decref(by);
	check_ctx_free(&c);
	json_decref(snap);
	check_config_free(&cfg);
	return 0;
}
