/* The action catalogue: look-ups in the generated table and action sets over it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/catalogue_data.h"
#include "policy/glob.h"

_Static_assert(PCAT_MAX_ACTIONS % 64 == 0, "a set is whole words");

#define POOL(off)	(pcat_pool + (off))

static const char *const level_names[] = {
	[PCAT_L_LIST] = "List",
	[PCAT_L_READ] = "Read",
	[PCAT_L_WRITE] = "Write",
	[PCAT_L_PERMISSIONS] = "Permissions management",
	[PCAT_L_TAGGING] = "Tagging",
};

const char *
pcat_level_name(enum pcat_level l)
{
	if ((unsigned)l >= sizeof(level_names) / sizeof(level_names[0]))
		return NULL;
	return level_names[l];
}

void
pcat_source(struct pcat_source *s)
{
	s->package = pcat_data.package;
	s->version = pcat_data.version;
	s->date = pcat_data.date;
	s->integrity = pcat_data.integrity;
}

int
pcat_count(void)
{
	return pcat_data.nactions;
}

int
pcat_service_count(void)
{
	return pcat_data.nservices;
}

/* An index out of range is a caller's bug, not bad input: stop loudly. */
static void
check_index(int i, int n, const char *what)
{
	if (i < 0 || i >= n) {
		fprintf(stderr, "iamgrade: catalogue: %s index %d out of range 0..%d\n",
		    what, i, n - 1);
		abort();
	}
}

/* The service whose prefix is p[0..n), case-insensitively, or -1. */
static int
service_findn(const char *p, size_t n)
{
	int lo = 0, hi = pcat_data.nservices;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, c;
		const char *s = POOL(pcat_svc_prefix[mid]);

		c = strncasecmp(s, p, n);
		if (c == 0 && s[n] != '\0')
			c = 1;
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
pcat_service_find(const char *prefix)
{
	return service_findn(prefix, strlen(prefix));
}

const char *
pcat_service_prefix(int svc)
{
	check_index(svc, pcat_data.nservices, "service");
	return POOL(pcat_svc_prefix[svc]);
}

const char *
pcat_service_name(int svc)
{
	check_index(svc, pcat_data.nservices, "service");
	return POOL(pcat_svc_name[svc]);
}

int
pcat_service_rcp(int svc)
{
	check_index(svc, pcat_data.nservices, "service");
	return (pcat_svc_flags[svc] & PCAT_SVC_RCP) != 0;
}

void
pcat_service_range(int svc, int *first, int *end)
{
	check_index(svc, pcat_data.nservices, "service");
	*first = (int)pcat_svc_act[svc];
	*end = (int)pcat_svc_act[svc + 1];
}

/* First action in [lo, hi) whose name is not below key (case-insensitive). */
static int
action_lower(int lo, int hi, const char *key)
{
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (strcasecmp(POOL(pcat_act_name[mid]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
pcat_action_find(const char *name)
{
	const char *colon = strchr(name, ':');
	int svc, a;

	if (colon == NULL || (svc = service_findn(name, colon - name)) < 0)
		return -1;
	a = action_lower(pcat_svc_act[svc], pcat_svc_act[svc + 1], colon + 1);
	if (a < (int)pcat_svc_act[svc + 1] &&
	    strcasecmp(POOL(pcat_act_name[a]), colon + 1) == 0)
		return a;
	return -1;
}

const char *
pcat_action_name(int act)
{
	check_index(act, pcat_data.nactions, "action");
	return POOL(pcat_act_name[act]);
}

int
pcat_action_service(int act)
{
	int lo = 0, hi = pcat_data.nservices;

	check_index(act, pcat_data.nactions, "action");
	/* The last service whose first action is at or before act. */
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if ((int)pcat_svc_act[mid] <= act)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

size_t
pcat_action_format(int act, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s:%s",
	    POOL(pcat_svc_prefix[pcat_action_service(act)]), pcat_action_name(act));

	return n < 0 ? 0 : (size_t)n;
}

unsigned
pcat_action_levels(int act)
{
	check_index(act, pcat_data.nactions, "action");
	return pcat_act_level[act];
}

/* The reference's one level from the data's bits (tools/catalogue.py checks there is one). */
static enum pcat_level
primary_level(unsigned bits)
{
	if (bits & PCAT_L_PERMISSIONS)
		return PCAT_L_PERMISSIONS;
	if (bits & PCAT_L_TAGGING)
		return PCAT_L_TAGGING;
	return (enum pcat_level)bits;
}

enum pcat_level
pcat_action_level(int act)
{
	return primary_level(pcat_action_levels(act));
}

/*
 * Entry k of an action's record: its k-th resource type, or with k < 0 the
 * list of the action's own condition keys that follows them; NULL past the
 * resource types.
 */
static const uint16_t *
record_entry(int act, int k)
{
	const uint16_t *p;
	int nrt, i;

	check_index(act, pcat_data.nactions, "action");
	p = pcat_stream + pcat_act_info[act];
	nrt = *p++;
	if (k >= nrt)
		return NULL;
	if (k < 0)
		k = nrt;
	for (i = 0; i < k; i++)
		p += 2 + p[1];
	return p;
}

const char *
pcat_action_rtype(int act, int k, int *required)
{
	const uint16_t *e = k < 0 ? NULL : record_entry(act, k);

	if (e == NULL)
		return NULL;
	if (required != NULL)
		*required = (e[0] & PCAT_REQUIRED) != 0;
	return POOL(pcat_rt_name[e[0] & ~PCAT_REQUIRED]);
}

const char *
pcat_action_rtype_key(int act, int k, int j)
{
	const uint16_t *e = k < 0 ? NULL : record_entry(act, k);

	if (e == NULL || j < 0 || j >= e[1])
		return NULL;
	return POOL(pcat_key[e[2 + j]]);
}

const char *
pcat_action_key(int act, int j)
{
	const uint16_t *e = record_entry(act, -1);

	if (j < 0 || j >= e[0])
		return NULL;
	return POOL(pcat_key[e[1 + j]]);
}

/* Sets. */

void
pcat_set_clear(struct pcat_set *s)
{
	memset(s, 0, sizeof(*s));
}

/* Set the bits [a, b). */
static void
set_range(struct pcat_set *s, int a, int b)
{
	while (a < b && (a & 63) != 0) {
		s->w[a >> 6] |= (uint64_t)1 << (a & 63);
		a++;
	}
	while (b - a >= 64) {
		s->w[a >> 6] = ~(uint64_t)0;
		a += 64;
	}
	while (a < b) {
		s->w[a >> 6] |= (uint64_t)1 << (a & 63);
		a++;
	}
}

void
pcat_set_fill(struct pcat_set *s)
{
	pcat_set_clear(s);
	set_range(s, 0, pcat_data.nactions);
}

void
pcat_set_add(struct pcat_set *s, int act)
{
	check_index(act, pcat_data.nactions, "action");
	s->w[act >> 6] |= (uint64_t)1 << (act & 63);
}

int
pcat_set_has(const struct pcat_set *s, int act)
{
	check_index(act, pcat_data.nactions, "action");
	return (s->w[act >> 6] >> (act & 63)) & 1;
}

/* Words in use: the rest stay zero in every set. */
static int
nwords(void)
{
	return (pcat_data.nactions + 63) / 64;
}

void
pcat_set_union(struct pcat_set *a, const struct pcat_set *b)
{
	int i, n = nwords();

	for (i = 0; i < n; i++)
		a->w[i] |= b->w[i];
}

void
pcat_set_diff(struct pcat_set *a, const struct pcat_set *b)
{
	int i, n = nwords();

	for (i = 0; i < n; i++)
		a->w[i] &= ~b->w[i];
}

void
pcat_set_inter(struct pcat_set *a, const struct pcat_set *b)
{
	int i, n = nwords();

	for (i = 0; i < n; i++)
		a->w[i] &= b->w[i];
}

int
pcat_set_is_empty(const struct pcat_set *s)
{
	int i, n = nwords();

	for (i = 0; i < n; i++)
		if (s->w[i] != 0)
			return 0;
	return 1;
}

int
pcat_set_is_full(const struct pcat_set *s)
{
	int i, full = pcat_data.nactions / 64, rest = pcat_data.nactions % 64;

	for (i = 0; i < full; i++)
		if (s->w[i] != ~(uint64_t)0)
			return 0;
	return rest == 0 || s->w[full] == ((uint64_t)1 << rest) - 1;
}

int
pcat_set_count(const struct pcat_set *s)
{
	int i, n = nwords(), c = 0;

	for (i = 0; i < n; i++)
		c += __builtin_popcountll(s->w[i]);
	return c;
}

int
pcat_set_next(const struct pcat_set *s, int act)
{
	int i, n = nwords();
	uint64_t w;

	if (act < 0)
		act = 0;
	if (act >= pcat_data.nactions)
		return -1;
	i = act >> 6;
	w = s->w[i] & (~(uint64_t)0 << (act & 63));
	for (;;) {
		if (w != 0)
			return i * 64 + __builtin_ctzll(w);
		if (++i >= n)
			return -1;
		w = s->w[i];
	}
}

/*
 * Matching.  A pattern's result is a list of runs [a, b) of action
 * indices, ascending: the form the cache keeps (a pattern such as "iam:*"
 * or "iam:List*" is one run, since a service's actions are contiguous and
 * sorted by name) and the form that is cheap to OR into a set.
 */
struct runs {
	uint32_t	*r;	/* pairs a, b */
	size_t		 n;	/* pairs */
	size_t		 cap;
	int		 count;	/* actions */
};

static void
runs_add(struct runs *rs, int a, int b)
{
	if (a >= b)
		return;
	rs->count += b - a;
	if (rs->n > 0 && rs->r[2 * rs->n - 1] == (uint32_t)a) {
		rs->r[2 * rs->n - 1] = (uint32_t)b;
		return;
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->r = xrealloc(rs->r, rs->cap * 2 * sizeof(rs->r[0]));
	}
	rs->r[2 * rs->n] = (uint32_t)a;
	rs->r[2 * rs->n + 1] = (uint32_t)b;
	rs->n++;
}

static int
has_wild(const char *p, size_t n)
{
	return memchr(p, '*', n) != NULL || memchr(p, '?', n) != NULL;
}

/* Actions of service svc whose name the pattern ap (lower case, counted) matches. */
static void
match_service(struct runs *rs, int svc, const char *ap, size_t an)
{
	int lo = pcat_svc_act[svc], hi = pcat_svc_act[svc + 1], a;
	size_t head = strcspn(ap, "*?");
	char key[PCAT_NAME_MAX];

	if (an == 1 && ap[0] == '*') {
		runs_add(rs, lo, hi);
		return;
	}
	if (head > an)
		head = an;
	/*
	 * The literal head of the pattern ("put" in "put*policy") bounds the
	 * candidates to one stretch of the sorted names.
	 */
	if (head > 0) {
		memcpy(key, ap, head);
		key[head] = '\0';
		lo = action_lower(lo, hi, key);
	}
	for (a = lo; a < hi; a++) {
		const char *name = POOL(pcat_act_name[a]);

		if (head > 0 && strncasecmp(name, key, head) != 0)
			break;
		if (pol_globn(ap, an, name, strlen(name), POL_GLOB_FOLD))
			runs_add(rs, a, a + 1);
		if (head == an)		/* a literal name: at most one */
			break;
	}
}

/* Every catalogue action the normalised pattern q (see pcat_set_match) matches. */
static void
match_all(struct runs *rs, const char *q, size_t qn)
{
	const char *colon = memchr(q, ':', qn);
	int svc, a;

	if (colon == NULL) {
		/* No colon: the pattern's wildcards span the service and the
		 * action; compare whole names ("*", "iam*"). */
		char full[PCAT_NAME_MAX];

		if (qn == 1 && q[0] == '*') {
			runs_add(rs, 0, pcat_data.nactions);
			return;
		}
		for (svc = 0; svc < pcat_data.nservices; svc++) {
			size_t pn = strlen(POOL(pcat_svc_prefix[svc]));

			memcpy(full, POOL(pcat_svc_prefix[svc]), pn);
			full[pn++] = ':';
			for (a = pcat_svc_act[svc]; a < (int)pcat_svc_act[svc + 1]; a++) {
				const char *name = POOL(pcat_act_name[a]);
				size_t nn = strlen(name);

				/* The generator holds every name under PCAT_NAME_MAX. */
				memcpy(full + pn, name, nn);
				if (pol_globn(q, qn, full, pn + nn, POL_GLOB_FOLD))
					runs_add(rs, a, a + 1);
			}
		}
		return;
	}
	/*
	 * Every catalogue name has exactly one colon, so a literal colon in
	 * the pattern must meet it: the part before matches the prefix
	 * alone, the part after the action alone, and a second literal
	 * colon matches nothing.
	 */
	if (memchr(colon + 1, ':', qn - (size_t)(colon + 1 - q)) != NULL)
		return;
	{
		size_t sn = (size_t)(colon - q), an = qn - sn - 1;

		if (!has_wild(q, sn)) {
			if ((svc = service_findn(q, sn)) >= 0)
				match_service(rs, svc, colon + 1, an);
			return;
		}
		for (svc = 0; svc < pcat_data.nservices; svc++) {
			const char *pre = POOL(pcat_svc_prefix[svc]);

			if (pol_globn(q, sn, pre, strlen(pre), POL_GLOB_FOLD))
				match_service(rs, svc, colon + 1, an);
		}
	}
}

/* The cache: open addressing on the normalised pattern. */
struct centry {
	uint64_t	 hash;
	char		*key;		/* NULL: free slot */
	uint32_t	*r;		/* runs, pairs */
	size_t		 n;
	int		 count;
};

struct pcat_cache {
	struct centry	*e;
	size_t		 cap;		/* power of two */
	size_t		 used;
	size_t		 bytes;		/* the slots, and each kept key and its runs */
	size_t		 hits, misses;
};

struct pcat_cache *
pcat_cache_new(void)
{
	struct pcat_cache *c = xcalloc(1, sizeof(*c));

	c->cap = 1024;
	c->e = xcalloc(c->cap, sizeof(c->e[0]));
	c->bytes = c->cap * sizeof(c->e[0]);
	return c;
}

void
pcat_cache_free(struct pcat_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++) {
		free(c->e[i].key);
		free(c->e[i].r);
	}
	free(c->e);
	free(c);
}

void
pcat_cache_stats(const struct pcat_cache *c, struct pcat_cache_stats *st)
{
	st->hits = c->hits;
	st->misses = c->misses;
	st->patterns = c->used;
	st->bytes = c->bytes;
}

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct centry *
cache_slot(struct centry *e, size_t cap, uint64_t h, const char *q, size_t qn)
{
	size_t i = (size_t)h & (cap - 1);

	while (e[i].key != NULL && (e[i].hash != h ||
	    strncmp(e[i].key, q, qn) != 0 || e[i].key[qn] != '\0'))
		i = (i + 1) & (cap - 1);
	return &e[i];
}

static void
cache_grow(struct pcat_cache *c)
{
	struct centry *old = c->e;
	size_t i, ocap = c->cap;

	c->bytes += c->cap * sizeof(c->e[0]);
	c->cap *= 2;
	c->e = xcalloc(c->cap, sizeof(c->e[0]));
	for (i = 0; i < ocap; i++)
		if (old[i].key != NULL)
			*cache_slot(c->e, c->cap, old[i].hash, old[i].key,
			    strlen(old[i].key)) = old[i];
	free(old);
}

static void
apply_runs(struct pcat_set *set, const uint32_t *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		set_range(set, (int)r[2 * i], (int)r[2 * i + 1]);
}

int
pcat_set_match(struct pcat_set *set, const char *pattern, struct pcat_cache *cache)
{
	char q[2 * PCAT_NAME_MAX + 2];
	size_t qn = 0, lits = 0;
	const char *p;
	struct runs rs = { NULL, 0, 0, 0 };
	struct centry *e = NULL;
	uint64_t h = 0;

	/*
	 * Normalise: lower case (IAM compares actions case-insensitively) and
	 * one '*' for a run of them (the same language).  A pattern with more
	 * literal characters than the longest name matches nothing, and the
	 * check keeps q, and the matching cost, bounded whatever a policy
	 * holds.
	 */
	for (p = pattern; *p != '\0'; p++) {
		if (*p == '*') {
			if (qn > 0 && q[qn - 1] == '*')
				continue;
		} else if (++lits > (size_t)pcat_data.max_name)
			return 0;
		q[qn++] = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
	}
	q[qn] = '\0';
	if (qn == 0)
		return 0;

	if (cache != NULL) {
		h = fnv1a(q, qn);
		e = cache_slot(cache->e, cache->cap, h, q, qn);
		if (e->key != NULL) {
			cache->hits++;
			apply_runs(set, e->r, e->n);
			return e->count;
		}
		cache->misses++;
	}
	match_all(&rs, q, qn);
	apply_runs(set, rs.r, rs.n);
	/* Growing doubles the slots: count them before deciding to keep. */
	if (e != NULL && cache->used < PCAT_CACHE_MAX && cache->bytes + qn + 1 +
	    rs.n * 2 * sizeof(rs.r[0]) + cache->cap * sizeof(cache->e[0]) <= PCAT_CACHE_BYTES) {
		cache->bytes += qn + 1 + rs.n * 2 * sizeof(rs.r[0]);
		e->hash = h;
		e->key = xstrndup(q, qn);
		e->r = rs.r;
		e->n = rs.n;
		e->count = rs.count;
		rs.r = NULL;
		if (++cache->used * 2 > cache->cap)
			cache_grow(cache);
	}
	free(rs.r);
	return rs.count;
}

int
pcat_set_level(struct pcat_set *set, const char *svc, enum pcat_level level)
{
	int lo = 0, hi = pcat_data.nactions, a, n = 0, s;

	if (svc != NULL) {
		if ((s = pcat_service_find(svc)) < 0)
			return 0;
		lo = pcat_svc_act[s];
		hi = pcat_svc_act[s + 1];
	}
	for (a = lo; a < hi; a++)
		if (primary_level(pcat_act_level[a]) == level) {
			set->w[a >> 6] |= (uint64_t)1 << (a & 63);
			n++;
		}
	return n;
}

int
pcat_names_add(struct pcat_names *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], name) == 0)
			return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(l->v[0]));
	}
	l->v[l->n++] = xstrdup(name);
	return 1;
}

void
pcat_names_free(struct pcat_names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
