/*
 * Benchmark of PRIV-01 and PRIV-02 (figures, not assertions): one
 * snapshot's every user, group and role asked of the engine (administrator,
 * the escalation catalogue, who may assume which role) and the multi-step
 * walk, through the grading functions themselves.  Prints a Markdown
 * block; tests/bench/bench.py (stage "priv") puts it in
 * docs/performance.md.
 *
 *	bench_priv SNAPSHOT.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/grade.h"
#include "policy/escalation.h"

static double
clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Grade one control function into a fresh output; returns its findings. */
static size_t
grade(struct check_ctx *c, void (*fn)(struct check_ctx *, struct check_out *), double *wall,
    double *cpu)
{
	struct check_out o = { -1, NULL, json_array(), json_array(), json_array(), json_array() };
	double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
	size_t n;

	fn(c, &o);
	*cpu = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*wall = clock_of(CLOCK_MONOTONIC) - w0;
	n = json_array_size(o.findings);
	free(o.reason);
	json_decref(o.findings);
	json_decref(o.fills);
	json_decref(o.unevaluated);
	json_decref(o.notes);
	return n;
}

int
main(int argc, char **argv)
{
	const json_t *az;
	struct check_priv_stats st;
	struct check_config cfg;
	struct check_ctx c;
	struct rusage ru;
	json_t *snap = NULL;
	char sha[65], *err = NULL;
	double w0, wload, w1, c1, w2, c2, w3, c3;
	size_t f1, f2, ncallers = 0, listed = 0, i;
	json_t *pa;
	char *text;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_priv SNAPSHOT.json\n");
		return 2;
	}
	check_config_default(&cfg);
	w0 = clock_of(CLOCK_MONOTONIC);
	if (!snap_load(argv[1], &snap, sha, &err) || !check_ctx_init(&c, snap, &cfg)) {
		fprintf(stderr, "bench_priv: %s\n", err ? err : "cannot grade the snapshot");
		return 2;
	}
	wload = clock_of(CLOCK_MONOTONIC) - w0;
	f1 = grade(&c, check_grade_priv_escalation, &w1, &c1);
	f2 = grade(&c, check_grade_priv_admin_users, &w2, &c2);
	w0 = clock_of(CLOCK_MONOTONIC);
	c3 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
	pa = check_priv_access(&c);
	c3 = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c3;
	w3 = clock_of(CLOCK_MONOTONIC) - w0;
	for (i = 0; i < json_array_size(json_object_get(pa, "admin_role_callers")); i++) {
		const json_t *r = json_array_get(json_object_get(pa, "admin_role_callers"), i);

		ncallers += (size_t)jint(r, "callers_total", 0);
		listed += json_array_size(json_object_get(r, "callers"));
	}
	text = jdump(pa, 0);
	check_priv_stats(&c, &st);
	getrusage(RUSAGE_SELF, &ru);
	az = c.data[CHECK_SRC_AUTHORIZATION_DETAILS];

	printf("Input: one account, %zu principals (%zu roles, %zu users, %zu groups), %zu customer "
	    "managed policies compiled; %zu escalation methods in the catalogue.\n\n",
	    st.principals, json_array_size(json_object_get(az, "roles")),
	    json_array_size(json_object_get(az, "users")),
	    json_array_size(json_object_get(az, "groups")), c.npdocs, pol_nesc_methods);
	printf("Answers: %zu administrator-equivalent, %zu with a single-step method, %zu "
	    "sts:AssumeRole edges, %zu reaching a strong role in steps; PRIV-01 %zu findings, "
	    "PRIV-02 %zu.\n\n", st.admin, st.escalating, st.edges, st.multi_step, f1, f2);
	printf("| step | wall | CPU |\n| --- | --- | --- |\n");
	printf("| load and validate the snapshot (JSON, not policy work) | %.3f s | - |\n", wload);
	printf("| PRIV-01: compile, ask every principal, build the edges, walk them, write findings | %.3f s | %.3f s |\n",
	    w1, c1);
	printf("| PRIV-02 on the same analysis | %.3f s | %.3f s |\n", w2, c2);
	printf("| privileged access for the reports (results' privileged_access: %zu administrators, "
	    "%zu callers of %zu administrator roles, %zu listed, %zu bytes of JSON) | %.3f s | %.3f s |\n",
	    json_array_size(json_object_get(pa, "admins")), ncallers,
	    json_array_size(json_object_get(pa, "admin_role_callers")), listed, strlen(text), w3, c3);
	printf("\nPeak RSS of the whole process (snapshot included): %.0f MiB.\n", ru.ru_maxrss / 1024.0);
	free(text);
	json_decref(pa);
	check_ctx_free(&c);
	json_decref(snap);
	return 0;
}
