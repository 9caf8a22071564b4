/*
 * The collector: one account's AWS state into one snapshot
 * (docs/snapshot-format.md).  It knows nothing about controls.
 *
 * Ownership: collect_account returns a new snapshot (caller json_decref's).
 */
#ifndef COLLECTOR_COLLECTOR_H
#define COLLECTOR_COLLECTOR_H

#include <jansson.h>

#include "common/schema.h"
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
	const char		*organization_in; /* the run keeps the list there (SNAP_ORG_FILE), or NULL: inline */
	int			 report_wait_s;	/* credential report deadline (default 300) */
	int			 no_last_accessed; /* skip service last accessed (--no-last-accessed) */
	int			 la_jobs;	/* last-accessed jobs in flight (0: 16) */
	int			 la_wait_s;	/* last-accessed deadline per account (0: 900) */
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

/*
 * The least-privilege IAM policy as JSON text (caller frees): the reads
 * every audited account must allow; with runner, also what the identity
 * running a multi-account job needs (Organizations reads, sts:AssumeRole
 * on role_name in any account, or on any role when role_name is NULL);
 * with security_hub, securityhub:BatchImportFindings (run --security-hub
 * imports each account's findings with its own credentials, so the audited
 * accounts need it).
 */
char	*collect_policy(int runner, const char *role_name, int security_hub);

/*
 * Organizations ListAccounts (all pages) with the client's credentials:
 * {"id": "o-...", "management_account": "...", "accounts": [{"Id","Name","Status",...}],
 * "problems": ["..."]}.  The listing is untrusted: a member whose Id is not
 * twelve ASCII digits is left out, an account listed twice is kept once,
 * and each is a line in "problems" (AWS text in it: sanitise before
 * printing).  Paging is guarded (sources.h): a loop or a cap is an error.
 */
json_t	*orgs_list_accounts(struct aws_client *, char **err);

/*
 * The organization's structure (docs/results-format.md, "The organization's
 * structure"), schema ORGS_SCHEMA:
 * {"schema", "source": "organizations", "organization_id", "complete",
 *  "problems": ["..."], "calls": {"tree", "tags", "http", "ms": the walk's wall time;
 *            run adds "waited_ms": how long it waited for the walk once collected},
 *  "ous": [{"id", "name", "parent", "path"}]   roots first ("/"), breadth first,
 *  "accounts": {ID: {"ou_id", "ou_path", "ou_reason"?, "tags": {k: v}, "tags_reason"?}}}
 * Every id of ids is in "accounts": one the walk did not find under any
 * parent (a call denied or failed) has ou_id and ou_path "unknown" and the
 * reason; tags that could not be read are {} with tags_reason.  Never NULL;
 * never fails the run.  Calls: 1 + 2 x (OUs + roots) + a page per further
 * 20 children, then one ListTagsForResource per account; one in flight.
 * Names and tags are AWS text: untrusted.  Caller json_decref's.
 */
#define ORGS_SCHEMA	SCHEMA_ORGANIZATION	/* common/schema.h */
json_t	*orgs_structure(struct aws_client *, const char *org_id, const json_t *ids);

/*
 * orgs_structure on its own thread with its own client, started when the
 * accounts are known and finished after they are collected: the walk adds
 * no time to a run unless it is longer than the collection.  finish joins
 * and returns orgs_structure's result (caller json_decref's) and frees w.
 */
struct orgs_walk;
struct orgs_walk *orgs_walk_start(const struct aws_config *, const struct aws_creds *,
	    const char *org_id, const json_t *ids);
json_t	*orgs_walk_finish(struct orgs_walk *);

/* The 12-digit account id of the client's credentials (STS GetCallerIdentity). */
char	*collect_caller_account(struct aws_client *, char **err);

/*
 * Many accounts (`iamgrade run`).  A target list comes from an accounts
 * file, Organizations or named profiles; collect_many() collects them with
 * a pool of threads, writing each snapshot as soon as it is done, so memory
 * does not grow with the number of accounts.
 */
struct collect_job {
	struct collect_target	 target;	/* strings owned by the job */
	struct aws_config	*cfg;		/* NULL = collect_opts.cfg; owned when set */
	struct aws_creds	 creds;		/* empty = the shared creds given to collect_many */
	char			*ou_path;	/* "/Production/Payments" (accounts file, --group), or NULL */
	json_t			*tags;		/* {key: value} from tag:KEY columns, or NULL */
	/* Filled in by collect_many: */
	char			*snapshot;	/* path written, or NULL */
	char			*error;		/* why nothing or an incomplete snapshot was written */
	int			 complete;
	int			 done;
	int			 write_failed;	/* the snapshot could not be written (I/O) */
};
void	collect_job_free(struct collect_job *);

/*
 * Read an accounts file: CSV with a header naming account_id, name and
 * optionally role_arn, external_id, ou (an OU path: "/Production/Payments")
 * and tag:KEY columns (RFC 4180 via libcsv).  Errors name file:line.
 * *jobs is a new array of *n jobs (free each, then the array).
 */
int	accounts_load(const char *path, struct collect_job **jobs, size_t *n, char **err);

/*
 * The structure record (ORGS_SCHEMA, source given: "accounts_file",
 * "profiles") of jobs placed by their ou_path and tags: every account is
 * in it, "/" and no tags when the job names none; the OUs are the paths
 * named and their parents.  ids[i] names job i (NULL: the jobs' account_id;
 * a job without either is left out).  Caller json_decref's.
 */
json_t	*accounts_structure(const struct collect_job *jobs, size_t n, const char *const *ids,
	    const char *source);

/* A normalised OU path ("/A/B": one leading slash, none trailing), or NULL when not one. */
char	*accounts_ou_path(const char *);

/* An AWS account id: exactly twelve ASCII digits. */
int	accounts_valid_id(const char *);

/*
 * The shard a process runs (--shard): "K/N" (1 <= K <= N), or the index
 * from the batch engine's environment -- AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch
 * array jobs) or JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), both
 * 0-based -- with "auto/N" (N shards) or "auto" (N from
 * AWS_BATCH_JOB_ARRAY_SIZE, or IAMGRADE_SHARDS, which the job sets: neither
 * engine tells a task how many there are).  getenv_fn is getenv, or a
 * table for the tests.  Fills *k (1-based) and *n, or sets *err naming the
 * option or the variable that is wrong.
 */
int	accounts_shard_spec(const char *arg, const char *(*getenv_fn)(const char *),
	    unsigned *k, unsigned *n, char **err);

/* Keep only shard k of n (1 <= k <= n), chosen by a hash of the account id. */
size_t	accounts_shard(struct collect_job *jobs, size_t n, unsigned k, unsigned of);

/* Called after each job finishes (and has landed), under a lock. */
typedef void (*collect_progress_fn)(void *arg, const struct collect_job *, size_t done, size_t total);

/*
 * Called after each job's snapshot is written (or could not be), without
 * the lock, before the progress call: the next stage of the caller (run
 * grades and reports the account here), so that it overlaps the
 * collection.  It runs on one of collect_many's landers, one per CPU,
 * which take the collected jobs in turn (collector/schedule.c says why).
 * The job is the callee's until it returns.
 */
typedef void (*collect_landed_fn)(void *arg, struct collect_job *);

/*
 * Collect every job with at most `threads` at a time into outdir.  creds are
 * the caller's, used for jobs without creds of their own (AssumeRole into
 * target.role_arn happens inside collect_account).  Stops starting new jobs
 * once *stop becomes non-zero.  landed and progress may be NULL; arg is
 * passed to both.  Returns the number of jobs finished.
 */
size_t	collect_many(struct collect_job *, size_t n, const struct aws_creds *creds,
	    const struct collect_opts *, const char *outdir, int threads,
	    volatile int *stop, collect_landed_fn, collect_progress_fn, void *arg);

#endif
