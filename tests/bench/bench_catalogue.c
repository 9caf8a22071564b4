/*
 * Benchmark of policy/catalogue (figures, not assertions): the first
 * look-up, matching N distinct action patterns into fresh sets without a
 * cache, through a cold cache, and again through the warm cache.  Prints a
 * Markdown table; tests/bench/bench.py (stage "catalogue") puts it in
 * docs/performance.md.
 *
 *	bench_catalogue [N]	(default 10000 patterns)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/common.h"
#include "policy/catalogue.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long seed = 20260926;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

/*
 * Patterns as policies write them, from the table's own names: whole
 * names (most of them), "svc:Head*", "svc:*", "svc:*Tail", a '?', and a
 * few with a wildcard service ("*:Get*").
 */
static char *
make_pattern(void)
{
	char full[PCAT_NAME_MAX];
	int a = (int)rnd((unsigned)pcat_count()), k = (int)rnd(100);
	const char *svc = pcat_service_prefix(pcat_action_service(a));
	const char *name = pcat_action_name(a);
	size_t n = strlen(name), cut = 1 + rnd((unsigned)(n > 1 ? n - 1 : 1));

	pcat_action_format(a, full, sizeof(full));
	if (k < 45)
		return xstrdup(rnd(2) ? full : svc);	/* svc alone: "svc:*" below */
	if (k < 70)
		return xasprintf("%s:%.*s*", svc, (int)cut, name);
	if (k < 85)
		return xasprintf("%s:*%s", svc, name + cut);
	if (k < 95) {
		char *p = xstrdup(full);

		p[strlen(svc) + cut] = '?';
		return p;
	}
	return xasprintf("*:%.*s*", (int)cut, name);
}

static int
cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 10000, n = 0, i, tries = 0, round;
	char **pat = NULL;
	double t0, t_first, t_plain, t_cold, t_warm;
	long matched = 0, unknown = 0;
	struct pcat_cache *c;
	struct pcat_set *s = xmalloc(sizeof(*s));
	struct pcat_cache_stats st;

	if (want < 1)
		want = 10000;
	t0 = now();
	i = pcat_action_find("iam:PassRole");
	t_first = now() - t0;
	if (i < 0)
		return 1;

	/* N distinct patterns (case-insensitively, as the cache sees them). */
	pat = xcalloc((size_t)want * 2, sizeof(*pat));
	while (n < want && tries++ < want * 20) {
		char *p = make_pattern();

		if (strchr(p, ':') == NULL) {
			char *q = xasprintf("%s:*", p);

			free(p);
			p = q;
		}
		pat[n++] = p;
		if (n == want) {
			int j, m = 0;

			qsort(pat, (size_t)n, sizeof(*pat), cmp);
			for (j = 0; j < n; j++) {
				if (m > 0 && strcasecmp(pat[m - 1], pat[j]) == 0)
					free(pat[j]);
				else
					pat[m++] = pat[j];
			}
			n = m;
		}
	}
	/* Shuffle: sorted input would flatter the caches. */
	for (i = n - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1);
		char *t = pat[i];

		pat[i] = pat[j];
		pat[j] = t;
	}

	t0 = now();
	for (i = 0; i < n; i++) {
		int m;

		pcat_set_clear(s);
		m = pcat_set_match(s, pat[i], NULL);
		matched += m;
		unknown += m == 0;
	}
	t_plain = now() - t0;

	c = pcat_cache_new();
	t_cold = t_warm = 0;
	for (round = 0; round < 2; round++) {
		t0 = now();
		for (i = 0; i < n; i++) {
			pcat_set_clear(s);
			pcat_set_match(s, pat[i], c);
		}
		if (round == 0)
			t_cold = now() - t0;
		else
			t_warm = now() - t0;
	}
	pcat_cache_stats(c, &st);

	printf("Catalogue: %d actions in %d services; %d distinct patterns "
	    "(%ld actions matched in all, %ld patterns matching nothing); "
	    "cache %zu hits, %zu misses, %zu patterns kept in %.1f MiB.\n\n", pcat_count(),
	    pcat_service_count(), n, matched, unknown, st.hits, st.misses, st.patterns,
	    st.bytes / 1048576.0);
	printf("| step | total | per pattern |\n| --- | --- | --- |\n");
	printf("| load (first look-up; the table is static data, nothing is built) | %.1f µs | - |\n",
	    t_first * 1e6);
	printf("| match, no cache | %.1f ms | %.2f µs |\n", t_plain * 1e3, t_plain * 1e6 / n);
	printf("| match, cold cache (computed and kept) | %.1f ms | %.2f µs |\n",
	    t_cold * 1e3, t_cold * 1e6 / n);
	printf("| match again, warm cache | %.1f ms | %.2f µs |\n", t_warm * 1e3, t_warm * 1e6 / n);
	printf("\nEvery step clears a %zu-byte set before each pattern, as a caller "
	    "building one set per statement would.\n", sizeof(*s));

	for (i = 0; i < n; i++)
		free(pat[i]);
	free(pat);
	free(s);
	pcat_cache_free(c);
	return 0;
}
