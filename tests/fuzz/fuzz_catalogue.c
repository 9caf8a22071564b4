/*
 * Fuzz target: an action pattern (the input up to its first NUL byte)
 * matched against the catalogue, without a cache and twice through one.
 * The three answers must agree, and for inputs short enough to afford it
 * they must agree with plain pol_glob matching of every "service:Action":
 * the shortcuts of pcat_set_match (one service scanned, a binary search
 * for a literal head, hostile patterns cut short) must never change an
 * answer.  A disagreement aborts, so the fuzzer reports it as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/glob.h"
#include "tests/fuzz/fuzz.h"

/* Longest input checked against every name: 22,000 globs of it per input. */
#define CATALOGUE_FUZZ_ORACLE	300

static void
catalogue_fuzz_fail(const char *what, const char *pattern)
{
	fprintf(stderr, "fuzz_catalogue: %s for pattern \"%s\"\n", what,
	    str_sanitize_term(xstrdup(pattern)));
	abort();
}

/* Every "service:Action" once, for the oracle (kept for the process: reachable, no leak). */
static char **catalogue_fuzz_names;

static void
catalogue_fuzz_names_make(void)
{
	char full[PCAT_NAME_MAX];
	int i;

	catalogue_fuzz_names = xcalloc((size_t)pcat_count(), sizeof(char *));
	for (i = 0; i < pcat_count(); i++) {
		pcat_action_format(i, full, sizeof(full));
		catalogue_fuzz_names[i] = xstrdup(full);
	}
}

int
fuzz_catalogue(const uint8_t *data, size_t size)
{
	struct pcat_set *a = xmalloc(sizeof(*a)), *b = xmalloc(sizeof(*b));
	struct pcat_cache *c = pcat_cache_new();
	char *pattern = fuzz_strdup(data, size);
	int n, m, i;

	pcat_set_clear(a);
	n = pcat_set_match(a, pattern, NULL);
	for (i = 0; i < 2; i++) {
		pcat_set_clear(b);
		m = pcat_set_match(b, pattern, c);
		if (m != n || memcmp(a, b, sizeof(*a)) != 0)
			catalogue_fuzz_fail(i ? "the warm cache differs" : "the cold cache differs",
			    pattern);
	}
	if (n != pcat_set_count(a))
		catalogue_fuzz_fail("the count is not the set's size", pattern);
	if (strlen(pattern) <= CATALOGUE_FUZZ_ORACLE) {
		if (catalogue_fuzz_names == NULL)
			catalogue_fuzz_names_make();
		pcat_set_clear(b);
		for (i = 0; i < pcat_count(); i++)
			if (pol_glob(pattern, catalogue_fuzz_names[i], POL_GLOB_FOLD))
				pcat_set_add(b, i);
		if (memcmp(a, b, sizeof(*a)) != 0)
			catalogue_fuzz_fail("plain matching differs", pattern);
	}
	pcat_cache_free(c);
	free(pattern);
	free(a);
	free(b);
	return 0;
}
