/*
 * Where the offline time goes (figures, not assertions): for each snapshot
 * given, one thread, the stages `iamgrade check` goes through -- reading the
 * file, jansson's parse (with snap_load's flags, and without
 * JSON_REJECT_DUPLICATES to see what that costs), the frame and source
 * checks (snapshot/), grading (check_account), the account's part of
 * check's JSON output (report_stream_part, what check writes to its spool),
 * and jansson's free of the snapshot -- in CPU seconds and as shares of the whole.  Prints a Markdown
 * table; tests/bench/bench.py (stage "check") puts it in docs/performance.md.
 *
 *	bench_load SNAPSHOT.json...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/report.h"
#include "snapshot/snapshot.h"

/*
 * What an arena allocator would save jansson (issue 13): its allocations
 * bumped from one region and never freed one by one, for one parse, with
 * the whole region dropped after.  A comparison only: iamgrade keeps
 * malloc (docs/performance.md "Grading" says why).
 */
static char	*arena;
static size_t	 arena_used, arena_cap;

static void *
arena_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (arena_used + n > arena_cap)
		abort();	/* sized below for any snapshot of the bench */
	p = arena + arena_used;
	arena_used += n;
	return p;
}

static void
arena_free(void *p)
{
	(void)p;
}

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum { S_READ, S_PARSE_NODUP, S_FREE_NODUP, S_PARSE_ARENA, S_PARSE, S_CHECK, S_GRADE, S_PART, S_FREE_RESULT, S_FREE,
    S__MAX };
static const char *const names[S__MAX] = {
	"read and hash the file", "parse, without JSON_REJECT_DUPLICATES (for comparison)",
	"free that parse (for comparison)",
	"parse into a bump arena, nothing freed (for comparison)",
	"parse (jansson, snap_load's flags)",
	"frame and source checks (snapshot/)", "grade (check_account)",
	"the account's JSON (report_stream_part)", "free the account's results", "free the snapshot (jansson)"
};

int
main(int argc, char *argv[])
{
	struct check_config cfg;
	double t[S__MAX] = { 0 }, t0, total = 0, in_jansson;
	json_error_t je;
	struct buf part = { 0 };
	json_t *snap, *a;
	char sha[65], *text, *err = NULL, *why = NULL;
	size_t len, bytes = 0;
	int i, s, n = 0;

	if (argc < 2) {
		fputs("usage: bench_load SNAPSHOT.json...\n", stderr);
		return 2;
	}
	check_config_default(&cfg);
	for (i = 1; i < argc; i++) {
		t0 = cpu();
		if (!file_read(argv[i], (size_t)1 << 30, &text, &len, &err)) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		sha256_hex(text, len, sha);
		t[S_READ] += cpu() - t0;
		bytes += len;
		t0 = cpu();
		snap = json_loadb(text, len, JSON_ALLOW_NUL, &je);
		t[S_PARSE_NODUP] += cpu() - t0;
		t0 = cpu();
		json_decref(snap);
		t[S_FREE_NODUP] += cpu() - t0;
		if (arena == NULL)
			arena = xmalloc(arena_cap = 64 * len + ((size_t)1 << 20));
		arena_used = 0;
		t0 = cpu();
		json_set_alloc_funcs(arena_alloc, arena_free);
		snap = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
		json_set_alloc_funcs(malloc, free);
		t[S_PARSE_ARENA] += cpu() - t0;
		t0 = cpu();
		snap = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
		t[S_PARSE] += cpu() - t0;
		free(text);
		if (snap == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], je.text);
			return 1;
		}
		t0 = cpu();
		if (!snap_check_frame(snap, &why)) {
			fprintf(stderr, "%s: %s\n", argv[i], why);
			return 1;
		}
		snap_sources_check(snap);
		t[S_CHECK] += cpu() - t0;
		t0 = cpu();
		a = check_account(snap, argv[i], sha, &cfg);
		t[S_GRADE] += cpu() - t0;
		t0 = cpu();
		part.len = 0;
		if (a == NULL || !report_stream_part(REPORT_JSON, a, &part, &err)) {
			fprintf(stderr, "%s: %s\n", argv[i], err ? err : "not graded");
			return 1;
		}
		t[S_PART] += cpu() - t0;
		t0 = cpu();
		json_decref(a);
		t[S_FREE_RESULT] += cpu() - t0;
		t0 = cpu();
		json_decref(snap);
		t[S_FREE] += cpu() - t0;
		n++;
	}
	for (s = 0; s < S__MAX; s++)
		if (s != S_PARSE_NODUP && s != S_FREE_NODUP && s != S_PARSE_ARENA)
			total += t[s];
	in_jansson = t[S_PARSE] + t[S_FREE];
	printf("%d snapshots, %.1f MB, one thread, CPU seconds:\n\n", n, bytes / 1e6);
	printf("| stage | CPU | share of the load-and-grade total |\n| --- | --- | --- |\n");
	for (s = 0; s < S__MAX; s++)
		printf("| %s | %.2f s | %s%.0f %%%s |\n", names[s], t[s],
		    s == S_PARSE_NODUP || s == S_FREE_NODUP || s == S_PARSE_ARENA ? "(" : "",
		    100 * t[s] / total,
		    s == S_PARSE_NODUP || s == S_FREE_NODUP || s == S_PARSE_ARENA ? ")" : "");
	printf("| total (without the comparison rows) | %.2f s | 100 %% |\n", total);
	printf("\njansson's parse and free: %.2f s, %.0f %% of the total; parse speed %.0f MB/s.\n",
	    in_jansson, 100 * in_jansson / total, t[S_PARSE] > 0 ? bytes / 1e6 / t[S_PARSE] : 0);
	check_config_free(&cfg);
	buf_free(&part);
	free(arena);
	free(err);
	free(why);
	return 0;
}
