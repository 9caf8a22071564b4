/*
 * The checks: snapshots in, results out (docs/results-format.md).  They
 * never talk to AWS and never read anything but the snapshot and the
 * config.  The catalogue itself is data: see checks/catalogue.h.
 *
 * Ownership: functions returning json_t * return a new reference.
 */
#ifndef CHECKS_CHECKS_H
#define CHECKS_CHECKS_H

#include <jansson.h>

/* Thresholds and trusted accounts: defaults, then a config file. */
struct check_config {
	int	 password_min_length;		/* 14 */
	int	 password_reuse_prevention;	/* 24 */
	int	 password_max_age_days;		/* 90 */
	int	 root_unused_days;		/* 90 */
	int	 credential_unused_days;	/* 45 */
	int	 key_rotation_days;		/* 90 */
	int	 user_password_max_age_days;	/* 90, when the policy sets none */
	char	**trusted_accounts;		/* NULL-terminated, or NULL */
};
void	check_config_default(struct check_config *);
int	check_config_load(const char *path, struct check_config *, char **err);
void	check_config_free(struct check_config *);

/*
 * Load and validate a snapshot file: JSON, known schema, required members
 * of the right types.  *sha256 gets the file's SHA-256.  Errors name the
 * file and the problem.
 */
int	snap_load(const char *path, json_t **snap, char sha256[65], char **err);

/* Grade one snapshot: a results "account" object. */
json_t	*check_account(const json_t *snap, const char *file, const char *sha256,
	    const struct check_config *);

/* A results document around accounts (an array, stolen). */
json_t	*check_results(json_t *accounts, const struct check_config *);

/* Severity names and order: "critical" 4 .. "low" 1; 0 for unknown. */
int	check_severity_rank(const char *);

#endif
