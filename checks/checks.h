/*
 * The checks: snapshots in, results out (docs/results-format.md).  They
 * never talk to AWS and never read anything but the snapshot and the
 * config.  The catalogue itself is data: see checks/catalogue.h.
 *
 * Ownership: functions returning json_t * return a new reference; char *
 * out-parameters (errors) are the caller's to free.
 */
#ifndef CHECKS_CHECKS_H
#define CHECKS_CHECKS_H

#include <time.h>

#include <jansson.h>

struct check_exceptions;

/*
 * Thresholds and trusted accounts: check_config_default(), then a config
 * file (check_config_load) and single settings (check_config_set).
 *
 * The config file is `key = value` lines; `#` starts a comment; blank
 * lines are ignored.  Keys are the member names below; every value is a
 * whole number of days (hours, characters, passwords) except
 * trusted_accounts, a list of 12-digit account ids separated by commas or
 * spaces (repeating the key adds to the list), and exceptions, the accepted
 * risks file (check_exceptions_load; a relative path in a config file is
 * relative to the config file's folder), which check_results applies.
 * Errors name file:line.
 */
struct check_config {
	int	 password_min_length;		/* 14 */
	int	 password_reuse_prevention;	/* 24 */
	int	 password_max_age_days;		/* 90 */
	int	 root_unused_days;		/* 90 */
	int	 credential_unused_days;	/* 45 */
	int	 key_rotation_days;		/* 90 */
	int	 user_password_max_age_days;	/* 90, when the policy sets none */
	int	 credential_report_max_age_hours; /* 24: older reports are stale */
	int	 unused_days;			/* 90: LP-01..04's tracking period */
	int	 lp_min_unused_services;	/* 1: LP-03 fails from this many unused services */
	char	**trusted_accounts;		/* NULL-terminated, or NULL; owned */
	struct check_exceptions *exceptions;	/* `exceptions = FILE`, loaded; NULL or owned */
};
void	check_config_default(struct check_config *);
int	check_config_load(const char *path, struct check_config *, char **err);
/* One setting, as a config line would give it ("key", "value"). */
int	check_config_set(struct check_config *, const char *key, const char *value,
	    char **err);
void	check_config_free(struct check_config *);
/* The thresholds as the results document prints them (new reference). */
json_t	*check_config_json(const struct check_config *);

/*
 * Load and validate a snapshot file: JSON, known schema, required members
 * of the right types, no impossible states (a source "ok" without data).
 * *sha256 gets the file's SHA-256.  Errors name the file and the problem.
 * On success *snap is a new reference.
 */
int	snap_load(const char *path, json_t **snap, char sha256[65], char **err);

/*
 * The least-privilege policy of one role or user (iamgrade suggest-policy;
 * policy/suggest.h): its documents as the checks load them (a user's
 * groups, the boundary), its last_accessed record over the config's
 * unused_days before the snapshot's collection, and the proven suggestion
 * into *s (the caller frees it with pol_suggest_free, whatever the
 * result).  CHECK_SUG_UNKNOWN: the snapshot lists no such role or user;
 * CHECK_SUG_MISSING: what the suggestion needs is not in the snapshot
 * (last accessed not collected or not read for it, a document the engine
 * cannot use); both with *err.
 */
struct pol_suggestion;
enum check_sug { CHECK_SUG_OK, CHECK_SUG_UNKNOWN, CHECK_SUG_MISSING };
enum check_sug check_suggest(const json_t *snap, const struct check_config *, const char *arn,
	    struct pol_suggestion *s, char **err);

/*
 * Grade one snapshot (one that snap_load accepted): a results "account"
 * object.  file is how the results name the snapshot (its base name is
 * kept).
 */
json_t	*check_account(const json_t *snap, const char *file, const char *sha256,
	    const struct check_config *);

/*
 * Load and grade n snapshot files (snap_load, check_account), jobs at a
 * time on threads (jobs < 1: the CPUs, at most 16): grading many snapshots
 * is parsing-bound.  accounts[i] gets file i's account (a new reference),
 * or NULL with errors[i] saying why (the caller frees both; the arrays of
 * n are the caller's, zeroed).  names[i] is how the results name file i
 * (names NULL: the paths).  Call before any other thread makes JSON.
 */
void	check_files(char *const *files, const char *const *names, int n,
	    const struct check_config *, int jobs, json_t **accounts, char **errors);

/*
 * The same, each account handed to landed(arg, i, account) as soon as it
 * is graded, on the thread that graded it (several at once: landed keeps
 * its own state safe), which takes the reference: for a caller that keeps
 * less than every account whole.  errors as above.
 */
typedef void (*check_landed_fn)(void *arg, int i, json_t *acct);
void	check_files_each(char *const *files, const char *const *names, int n,
	    const struct check_config *, int jobs, check_landed_fn landed, void *arg,
	    char **errors);

/*
 * The results "account" of a selected account that has no gradable
 * snapshot: it was never collected, or its snapshot could not be loaded or
 * graded.  It is graded as an account that could not be reached is: every
 * source failed with code `code` and `reason` as the message, so every
 * control is NOT_EVALUATED with the reason, the collection is incomplete
 * with the reason as its problem, and there is no score.  account_id may
 * be any text (the caller's best name for the account); file (the snapshot
 * that failed, or NULL) and started (when the run began) name the entry.
 * Every output lists it, so no selected account is ever left out.
 */
json_t	*check_account_missing(const char *account_id, const char *name, const char *file,
	    time_t started, const char *code, const char *reason, const struct check_config *);

/*
 * A results document around accounts (an array, stolen).  Accounts are
 * sorted by account id, then snapshot file, then collection start, so the
 * same snapshots give byte-identical results whatever their order.
 */
json_t	*check_results(json_t *accounts, const struct check_config *);

/*
 * The shards of a sharded run joined (iamgrade report over several results
 * documents): docs[i] read from names[i].  A document from `run --shard K/N`
 * carries "shard": {"k": K, "n": N}; when one does, all must, with the same
 * N, each K once and every K from 1 to N present -- an overlapping or
 * missing shard is an error naming the files and shards.  An account in two
 * documents is an error whether sharded or not.  Returns a new array of the
 * accounts (references to the documents' own; caller decrefs), or NULL with
 * *err set.
 */
json_t	*check_results_join(json_t *const *docs, const char *const *names, size_t n, char **err);

/*
 * Whether any account's control FAILs at or above severity rank (0: never).
 * A failed control counts at its most severe finding's severity (ROLE-02
 * with an sts:ExternalId is medium), else at the control's own.
 */
int	check_results_fail(const json_t *results, int rank);

/*
 * Accepted risks (README "Accepted risks"): a CSV file with the header
 * control,account,resource,justification,approved_by,expires, one accepted
 * risk a row.  account and resource may be `*`; resource is otherwise a
 * finding's resource ARN (or its resource_name, e.g. "account password
 * policy"); expires (YYYY-MM-DD) is required, and the exception is in force
 * until 00:00 UTC that day, measured from each account's collection start
 * (as every control measures time).  check_exceptions_load refuses a
 * malformed file with FILE:LINE (the physical line the row begins on).
 */
struct check_exception {
	char	*control;		/* the catalogue's id */
	char	*account;		/* 12 digits or "*" */
	char	*resource;		/* an ARN, a resource name or "*" */
	char	*justification;
	char	*approved_by;
	char	 expires[11];		/* YYYY-MM-DD as written */
	time_t	 expires_at;		/* 00:00:00 UTC that day: expired from then on */
	size_t	 line;
};
struct check_exceptions {
	char			*file;		/* the path as given */
	char			 sha256[65];	/* of the file's bytes, for evidence.json */
	struct check_exception	*v;
	size_t			 n;
};
int	check_exceptions_load(const char *path, struct check_exceptions *, char **err);
void	check_exceptions_free(struct check_exceptions *);

/*
 * Apply exceptions to a results document, in place.  A finding of a FAIL
 * control matched by an exception in force gets "accepted" (justification,
 * approved_by, expires, days_to_expiry, line).  A control whose every
 * finding is accepted becomes ACCEPTED (NOT_EVALUATED when it also has
 * resources it could not grade) with "status_without_exceptions": "FAIL".
 * Each account's counts gain ACCEPTED; score and grade leave ACCEPTED
 * controls out, and score_without_exceptions / grade_without_exceptions
 * are what grading gave.  The document gains "exceptions": the file, its
 * SHA-256, and the rows in force, expired and unused (as of generated_at).
 */
void	check_exceptions_apply(json_t *results, const struct check_exceptions *);

/*
 * The same in two steps, for results built one account at a time (run
 * grades each account as it lands): mark one account (it depends on that
 * account alone), then, once the document holds every account so marked,
 * its "exceptions" lists, the findings each row accepted counted from the
 * marks.  apply == account for each, then lists.
 */
void	check_exceptions_account(json_t *acct, const struct check_exceptions *);
void	check_exceptions_lists(json_t *results, const struct check_exceptions *);

/* Severity names and order: "critical" 4 .. "low" 1; 0 for unknown. */
int	check_severity_rank(const char *);

#endif
