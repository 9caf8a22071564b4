/*
 * The collector: one account's AWS state into one snapshot
 * (docs/snapshot-format.md).  It knows nothing about controls.
 *
 * Ownership: collect_account returns a new snapshot (caller json_decref's).
 */
#ifndef COLLECTOR_COLLECTOR_H
#define COLLECTOR_COLLECTOR_H

#include <jansson.h>

#include "collector/aws.h"

/* One account to collect. */
struct collect_target {
	const char	*account_id;	/* expected id, or NULL (= whoever the credentials are) */
	const char	*name;		/* display name (Organizations, accounts file), or NULL */
	const char	*role_arn;	/* assume this role first, or NULL (use creds as they are) */
	const char	*external_id;	/* for AssumeRole, or NULL */
};

struct collect_opts {
	const struct aws_config	*cfg;
	int			 since_days;	/* CreateRole window, 1..90 (default 30) */
	const json_t		*organization;	/* {"id":..., "accounts":[ids]} or NULL */
	int			 report_wait_s;	/* credential report deadline (default 300) */
};

/*
 * Collect one account with creds (the caller's; the target's role is
 * assumed first when role_arn is set).  Returns a snapshot, complete or
 * marked incomplete, whenever the account id is known (given, or from
 * GetCallerIdentity); returns NULL with *err when nothing could be learnt
 * (bad credentials, unreachable endpoint), so no snapshot is written.
 */
json_t	*collect_account(const struct collect_target *, const struct aws_creds *creds,
	    const struct collect_opts *, char **err);

/*
 * Write snap as DIR/<account-id>.json atomically, mode 0600, never replacing
 * an existing file (a second run gets <account-id>-2.json, ...).  *path is
 * set to the file written (caller frees).
 */
int	snapshot_write(const char *dir, const json_t *snap, char **path, char **err);

/* The least-privilege IAM policy the collector needs, as JSON text (static). */
const char *collect_policy(void);

/*
 * Organizations ListAccounts (all pages) with the client's credentials:
 * {"id": "o-...", "management_account": "...", "accounts": [{"Id","Name","Status",...}]}.
 */
json_t	*orgs_list_accounts(struct aws_client *, char **err);

#endif
