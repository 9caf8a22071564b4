/*
 * The monthly job's pipeline (`iamgrade run`): select the accounts, collect
 * them into a new dated folder, grade each account and write its reports as
 * its snapshot lands, then the summary, the evidence and run.json.
 * cli/cmd_run.c fills struct run from the command line and calls
 * run_setup, run_collect and run_report in turn; nothing here prints to
 * the user but the log.
 *
 * run/ is the one module besides cli/ that wires the stages together: it
 * includes collector/, checks/, report/ and evidence/ headers; none of
 * them includes run/.
 *
 * Files: run/select.c (inputs and the accounts), run/run.c (the folder,
 * run.json, collection, the seal), run/grade.c (grading and the reports).
 *
 * Ownership: struct run owns every pointer in its state part; run_free
 * releases them (the options part points into argv, owned by the caller,
 * except the lists, which cli_args_free releases).
 */
#ifndef RUN_RUN_H
#define RUN_RUN_H

#include <sys/types.h>

#include <pthread.h>
#include <time.h>

#include <jansson.h>

#include "collector/collector.h"
#include "collector/s3out.h"
#include "checks/checks.h"
#include "common/common.h"

struct check_framework;
struct hist;

struct run {
	/* options (cli/cmd_run.c's table writes them) */
	struct aws_opts	 aopts;
	struct cli_list	 profiles;		/* --profile, repeatable */
	const char	*mfa_code;		/* --mfa-code (a secret: never logged) */
	int		 organization;
	const char	*accounts_file;
	const char	*role_name;
	const char	*external_id;
	const char	*out;
	const char	*baseline;
	const char	*history;		/* --history DIR (default: out) */
	const char	*config_file;
	int		 since_days;
	int		 jobs;
	const char	*shard;			/* "K/N" */
	unsigned	 shard_k, shard_n;
	const char	*fail_on_name;
	int		 fail_on;		/* severity rank, 0 = never */
	int		 level;			/* -q 0, -v 2, --debug 3 (the last); -1 unset */
	int		 quiet;
	int		 timeout;		/* seconds, 0 = the collector's default */
	int		 no_pdf;
	int		 report_wait;		/* seconds, 0 = the collector's default */
	int		 no_last_accessed;
	int		 ocsf;			/* --ocsf: findings.ocsf.json */
	int		 security_hub;		/* --security-hub: findings.asff.json, imported */
	const char	*sign_key;		/* --sign KEYFILE, or NULL */
	const char	*exceptions;		/* --exceptions FILE, or NULL */
	const char	*framework_name;	/* --framework NAME, or NULL */
	const char	*group_by;		/* --group-by, or NULL */
	const char	*select;		/* --select, or NULL */
	struct cli_list	 groups;		/* --group NAME=PROFILE,... */
	/* state */
	const struct check_framework *framework;
	volatile int	*stop;			/* non-zero: a signal asked to stop (its number) */
	int		 argc;			/* the command line, for evidence.json */
	char		**argv;
	char		 manifest_sha256[65];	/* once MANIFEST.sha256 is written */
	struct aws_config cfg;
	struct aws_creds creds;
	struct collect_job *targets;
	size_t		 ntargets;
	json_t		*organization_ids;	/* {"id":..., "accounts":[...]} or NULL */
	char		*dir;			/* OUT/YYYY-MM-DD[-N] */
	time_t		 started;
	size_t		 failed;		/* accounts not complete, so far */
	int		 tty;
	int		 write_failed;		/* a file of the run could not be written: EXIT_IO */
	int		 sh_failed;		/* --security-hub: a finding was not imported: EXIT_IO */
	int		 empty_shard;		/* run_setup: this shard holds no accounts */
	int		 finished;		/* run_report reached run.json's last word */
	collect_progress_fn progress;		/* after each account collected (cli/), or NULL */
	const struct check_config *cc;		/* the thresholds, exceptions (run_report's) */
	struct check_config cc_marked;		/* *cc less the exceptions: accounts come marked */
	const json_t	*baseline_doc;		/* --baseline's results, or NULL */
	unsigned char	*landed;		/* per target: 1 once graded, its record spooled */
	int		 spool_fd;		/* the accounts and their records (run/spool.c) */
	off_t		*spool_off;		/* per slot (a target's, RUN_SPOOL_RECORD): where it is */
	size_t		*spool_len;
	off_t		 spool_end;
	char		*page_error;		/* the first account page that failed, or NULL */
	int		 pages_later;		/* --select, profiles: the pages wait for the selection, the ids */
	int		 hist_at_end;		/* profiles: the trend is loaded once the ids are known */
	struct buf	 text;			/* one account, not -q: the text report for stdout */
	pthread_mutex_t	 lock;			/* graded pages' errors, write_failed */
	json_t		*problems;		/* run-level problems (the account listing), or NULL */
	struct hist	*hist;			/* the earlier runs (--history), or NULL */
	struct orgs_walk *walk;			/* the OU tree and tags, walked while collecting */
	json_t		*structure;		/* its result (ORGS_SCHEMA), or NULL */
	struct s3_out	 s3;			/* --out s3://: bucket, prefix, staging */
	char		*s3_name;		/* the run's folder name under the prefix */
};

/* Go on: what the steps below return when the run is not over yet. */
#define RUN_GO (-1)

/*
 * Read the inputs (config into cc, baseline, accounts file, credentials)
 * and select the accounts, this shard's share of them.  RUN_GO, or the
 * exit code (with *err set unless there is nothing to say: an empty
 * shard returns EXIT_OK with r->empty_shard set).  *baseline is new or
 * NULL (caller decrefs).
 */
int	run_setup(struct run *, struct check_config *cc, json_t **baseline, char **err);

/*
 * The run's folder, then every account collected into its snapshots/.
 * RUN_GO, or the exit code: with *err set if the folder could not be made,
 * without after an interruption (run.json says so).
 */
int	run_collect(struct run *, char **err);

/*
 * Grade, report and say how it went (run.json, the seal): the exit code.
 * *err set when the reports could not be made.
 */
int	run_report(struct run *, const struct check_config *cc, json_t *baseline, char **err);

/* Release r's state (not r itself, not the option lists). */
void	run_free(struct run *);

/*
 * The OU path --group gives a profile ("/NAME", new) in *path, or NULL when
 * none does; a profile in two groups, or a group naming a profile not
 * given, is an error (0, *err set).
 */
int	run_profile_group(const struct run *, const char *profile, char **path, char **err);

/*
 * check and report over snapshot files without every account in memory
 * (run/files.c).  run_files_grade grades files (named in the results as
 * names[i], or by their paths when names is NULL) with cfg, jobs at a time
 * (check_files); with fmt a format made one account at a time
 * (report_stream_fmt) each account's part of that output waits in an
 * unlinked spool in $TMPDIR (else /tmp), with fmt -1 only the records are
 * kept (run_record's, with baseline as it takes it).  NULL with *err when the spool fails; a file that could not be
 * graded is left out, and run_files_error(f, i) says why (else NULL).
 * run_files_doc: the results document of the accounts' records
 * (run_record; sorted, the accepted risks listed), f's own.
 * run_files_write: fmt's whole output, the doc's frame around the parts,
 * through put (which returns 0 with *err on failure).
 */
struct run_files;
typedef int (*run_put_fn)(void *arg, const void *, size_t, char **err);
struct run_files *run_files_grade(char *const *files, const char *const *names, int n,
	    const struct check_config *, int jobs, int fmt, int baseline, char **err);
const char *run_files_error(const struct run_files *, int i);
const json_t *run_files_doc(const struct run_files *);
int	run_files_write(const struct run_files *, run_put_fn put, void *arg, char **err);
void	run_files_free(struct run_files *);

/* Between run/'s files. */
char	*run_job_account(const struct collect_job *);
void	run_landed(void *run, struct collect_job *);
void	run_history_start(struct run *);
int	run_spool_open(struct run *, char **err);
void	run_spool_close(struct run *);
/* A spool slot: target i's full account is slot i, its record this one. */
#define RUN_SPOOL_RECORD(r, i)	((r)->ntargets + (i))
int	run_spool_put(struct run *, size_t slot, const json_t *acct, char **err);
json_t	*run_spool_get(const struct run *, size_t slot, char **err);	/* new, or NULL */
void	run_record(json_t *acct, int baseline);	/* baseline: one is compared with */
/* rec's values that other records hold alike, taken from shared (a table it adds to). */
void	run_record_share(json_t *rec, json_t *shared);
int	run_grade_and_report(struct run *, const struct check_config *, json_t *baseline,
	    char **err);

#endif
