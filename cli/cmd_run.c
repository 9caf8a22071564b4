/*
 * iamgrade run: the monthly job.  Select accounts, collect them all
 * concurrently, grade them, and write one dated folder of snapshots,
 * results and reports.  Nothing of an earlier run is ever touched.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/schema.h"
#include "collector/collector.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "evidence/evidence.h"
#include "report/group.h"
#include "report/history.h"
#include "report/report.h"
#include "cli/cli.h"
#include "cli/opts.h"

/* A file of the run could not be written (full disk, unwritable folder): exit EXIT_IO. */
static int write_failed;

struct run {
	/* options */
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
	const char	*sign_key;		/* --sign KEYFILE, or NULL */
	const char	*exceptions;		/* --exceptions FILE, or NULL */
	const char	*framework_name;	/* --framework NAME, or NULL */
	const char	*group_by;		/* --group-by, or NULL */
	const char	*select;		/* --select, or NULL */
	struct cli_list	 groups;		/* --group NAME=PROFILE,... */
	/* state */
	const struct check_framework *framework;
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
	json_t		*problems;		/* run-level problems (the account listing), or NULL */
	struct orgs_walk *walk;			/* the OU tree and tags, walked while collecting */
	json_t		*structure;		/* its result (ORGS_SCHEMA), or NULL */
	struct hist	*hist;			/* the earlier runs (--history), or NULL */
};

static const struct cli_opt run_opts[] = {
	CLI_OPT_HEADING("Account selection (default: the account of the default credential chain):"),
	CLI_OPT(CLI_FLAG, "organization", 0, struct run, organization, NULL,
	  "every ACTIVE account of the caller's organization", .value = 1),
	CLI_OPT(CLI_STRING, "accounts", 0, struct run, accounts_file, "FILE",
	  "a CSV file with columns account_id,name[,role_arn[,external_id]]\n"
	  "[,ou][,tag:KEY...] (ou: an OU path such as /Production/Payments)"),
	CLI_OPT(CLI_LIST, "profile", 0, struct run, profiles, "NAME",
	  "a named profile; repeat for several accounts"),
	CLI_OPT(CLI_STRING, "mfa-code", 0, struct run, mfa_code, "CODE",
	  "MFA code for role profiles with mfa_serial (else\n"
	  "IAMGRADE_MFA_CODE, else asked once on the terminal)"),
	CLI_OPT(CLI_STRING, "role-name", 0, struct run, role_name, "NAME",
	  "role to assume in each account (not in the caller's own)"),
	CLI_OPT(CLI_STRING, "external-id", 0, struct run, external_id, "ID",
	  "ExternalId for those AssumeRole calls"),
	CLI_OPT(CLI_STRING, "shard", 0, struct run, shard, "K/N",
	  "only the K-th of N deterministic shares of the accounts;\n"
	  "auto/N or auto: K from AWS_BATCH_JOB_ARRAY_INDEX or\n"
	  "JOB_COMPLETION_INDEX (0-based), N from AWS_BATCH_JOB_ARRAY_SIZE\n"
	  "or IAMGRADE_SHARDS (docs/scale-out.md)"),
	CLI_OPT(CLI_LIST, "group", 0, struct run, groups, "NAME=PROFILE,...",
	  "with several --profile: those profiles are in group (OU\n"
	  "path) /NAME; repeat for each group"),
	CLI_OPT_HEADING("Grouping (README, \"Grouping\"):"),
	CLI_OPT(CLI_STRING, "group-by", 0, struct run, group_by, "ou|tag:KEY|none",
	  "how the summary groups accounts (default: ou when the\n"
	  "accounts have OUs: --organization, an ou column, --group)", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "select", 0, struct run, select, "EXPR",
	  "report on part of the accounts collected: terms separated\n"
	  "by spaces or commas, each an account id, a name glob,\n"
	  "ou:/Path (that OU and below) or tag:KEY=VALUE; terms of one\n"
	  "kind are alternatives, kinds all apply; a term matching\n"
	  "nothing is an error", .flags = CLI_ONCE),
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "out", 0, struct run, out, "DIR",
	  "reports go to DIR/YYYY-MM-DD/ (a new folder each run)"),
	CLI_OPT(CLI_STRING, "baseline", 0, struct run, baseline, "DIR|FILE",
	  "an earlier run folder (or its results.json) to compare with"),
	CLI_OPT(CLI_STRING, "history", 0, struct run, history, "DIR",
	  "the folder of earlier runs for the trend over months\n"
	  "(default: --out)", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "config", 0, struct run, config_file, "FILE",
	  "thresholds and trusted accounts (see iamgrade check --help)"),
	CLI_OPT(CLI_STRING, "fail-on", 0, struct run, fail_on_name, "SEVERITY",
	  "exit 1 if a control of this severity or higher fails"),
	CLI_OPT(CLI_STRING, "exceptions", 0, struct run, exceptions, "FILE",
	  "accepted risks, CSV: control,account,resource,\n"
	  "justification,approved_by,expires (README)"),
	CLI_OPT(CLI_STRING, "framework", 0, struct run, framework_name, "NAME",
	  "add a framework's compliance view to the reports\n"
	  "(iamgrade controls --help lists them)"),
	CLI_OPT(CLI_STRING, "sign", 0, struct run, sign_key, "KEYFILE",
	  "sign MANIFEST.sha256 with this Ed25519 private key\n"
	  "(PEM, from iamgrade keygen) into MANIFEST.sha256.sig"),
	CLI_OPTS_AWS(struct run, aopts.region, aopts.endpoint_url, since_days, report_wait, timeout),
	CLI_OPT(CLI_INT, "jobs", 0, struct run, jobs, "N",
	  "accounts collected at once (default 16)", .min = 1, .max = 256),
	CLI_OPT(CLI_FLAG, "no-pdf", 0, struct run, no_pdf, NULL,
	  "skip the PDF reports", .value = 1),
	CLI_OPT(CLI_FLAG, "no-last-accessed", 0, struct run, no_last_accessed, NULL,
	  "skip service last accessed (LP-03, LP-04 NOT_EVALUATED)", .value = 1),
	CLI_OPTS_VERBOSITY(struct run, level),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_run = {
	"run", "collect, check and report one account or many into a dated folder",
	"usage: iamgrade run [account selection] [options] --out DIR\n",
	run_opts,
	"Exit status: 0 done, 1 --fail-on met, 2 usage or input error, 3 some accounts\n"
	"incomplete, 4 an output could not be written (full disk), 130/143 interrupted\n"
	"by SIGINT/SIGTERM; the first of 130/143, 4, 3, 1 that applies wins.\n"
};

/*
 * The OU path --group gives a profile ("/NAME"), or NULL when none does; a
 * profile in two groups, or a group naming a profile not given, is an error.
 */
static int
profile_group(const struct run *r, const char *profile, char **path, char **err)
{
	char *list, *tok, *save = NULL, *p;
	int g, k, found, rc = 1;

	*path = NULL;
	for (g = 0; g < r->groups.n && rc; g++) {
		list = xstrdup(strchr(r->groups.v[g], '=') + 1);
		for (p = list; rc && (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
			for (found = 0, k = 0; k < r->profiles.n; k++)
				found |= strcmp(r->profiles.v[k], tok) == 0;
			if (!found)
				rc = err_set(err, "--group %s: profile %s is not one of the --profile "
				    "options", r->groups.v[g], tok);
			else if (strcmp(tok, profile) == 0 && *path != NULL)
				rc = err_set(err, "--group: profile %s is in two groups", profile);
			else if (strcmp(tok, profile) == 0)
				*path = xasprintf("/%.*s", (int)(strchr(r->groups.v[g], '=') -
				    r->groups.v[g]), r->groups.v[g]);
		}
		free(list);
	}
	if (!rc) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

/* --group and --group-by, before any AWS call. */
static int
check_groups(const struct run *r)
{
	char *path = NULL, *e = NULL;
	int i, rc = EXIT_OK;

	if (r->group_by != NULL && !group_by_valid(r->group_by, &e))
		rc = usage_error("run", "%s", e);
	for (i = 0; i < r->groups.n && rc == EXIT_OK; i++)
		if (strchr(r->groups.v[i], '=') == NULL || *r->groups.v[i] == '=')
			rc = usage_error("run", "--group takes NAME=PROFILE,..., not \"%s\"",
			    r->groups.v[i]);
	if (rc == EXIT_OK && r->groups.n > 0 && r->profiles.n < 2)
		rc = usage_error("run", "--group places --profile accounts: give several --profile");
	for (i = 0; i < r->profiles.n && r->groups.n > 0 && rc == EXIT_OK; i++) {
		if (!profile_group(r, r->profiles.v[i], &path, &e))
			rc = usage_error("run", "%s", e);
		free(path);
	}
	free(e);
	return rc;
}

/* getenv, const: accounts_shard_spec reads the batch engine's variables through it. */
static const char *
run_getenv(const char *name)
{
	return getenv(name);
}

/* --shard K/N, auto/N or auto (docs/scale-out.md); 0 after saying why. */
static int
run_shard(struct run *r)
{
	char *err = NULL;
	int ok = accounts_shard_spec(r->shard, run_getenv, &r->shard_k, &r->shard_n, &err);

	if (!ok)
		usage_error("run", "%s", err);
	free(err);
	return ok;
}

/* What the table cannot say: --shard, --fail-on, the verbosity, and which options go together. */
static int
check_args(struct run *r)
{
	struct stat st;

	if (r->history != NULL && (stat(r->history, &st) != 0 || !S_ISDIR(st.st_mode)))
		return usage_error("run", "--history %s: not a folder", r->history);
	if (r->shard != NULL && !run_shard(r))
		return EXIT_USAGE;
	if (r->fail_on_name != NULL && (r->fail_on = check_severity_rank(r->fail_on_name)) == 0)
		return usage_error("run", "--fail-on takes critical, high, medium or low, not \"%s\"",
		    r->fail_on_name);
	if (r->level >= 0)
		log_level = r->level;
	r->quiet = r->level == 0;
	r->aopts.timeout_ms = r->timeout * 1000L;
	if (r->out == NULL)
		return usage_error("run", "--out DIR is required");
	if (r->organization + (r->accounts_file != NULL) + (r->profiles.n > 1) > 1)
		return usage_error("run", "choose one of --organization, --accounts and several --profile");
	if (r->organization && r->role_name == NULL)
		return usage_error("run", "--organization needs --role-name (the role to assume in each account)");
	if (r->framework_name != NULL && (r->framework = check_framework_find(r->framework_name)) == NULL)
		return usage_error("run", "--framework %s: not a framework (iamgrade controls --help)",
		    r->framework_name);
	return check_groups(r);
}

/* The options into r: EXIT_OK, -1 after --help, or EXIT_USAGE. */
static int
parse_args(struct run *r, int argc, char *argv[])
{
	int first;

	r->since_days = 30;
	r->jobs = 16;
	r->level = -1;
	if ((first = cli_parse(&cli_cmd_run, argc, argv, r)) <= 0)
		return first == 0 ? -1 : EXIT_USAGE;
	if (first < argc)
		return usage_error("run", "unexpected argument \"%s\"", argv[first]);
	return check_args(r);
}

/* The caller's account id, so that its own account is read without AssumeRole. */
static char *
caller_account(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	char *id = collect_caller_account(c, err);

	aws_client_free(c);
	return id;
}

static struct collect_job *
add_target(struct run *r)
{
	struct collect_job *j;

	r->targets = xrealloc(r->targets, (r->ntargets + 1) * sizeof(*r->targets));
	j = &r->targets[r->ntargets++];
	memset(j, 0, sizeof(*j));
	return j;
}

static char *
role_arn_for(const struct run *r, const char *account)
{
	return xasprintf("arn:aws:iam::%s:role/%s", account, r->role_name);
}

/* One target per --profile, each with its own configuration and credentials. */
static int
select_profiles(struct run *r, char **err)
{
	size_t i;

	for (i = 0; i < (size_t)r->profiles.n; i++) {
		struct collect_job *j = add_target(r);
		struct aws_opts o = r->aopts;

		o.profile = r->profiles.v[i];
		j->cfg = xcalloc(1, sizeof(*j->cfg));
		j->target.name = xstrdup(r->profiles.v[i]);
		if (!profile_group(r, r->profiles.v[i], &j->ou_path, err) ||
		    !aws_config_load(&o, j->cfg, err) ||
		    !aws_creds_resolve(j->cfg, &j->creds, err)) {
			char *e = xasprintf("profile %s: %s", r->profiles.v[i], *err);

			free(*err);
			*err = e;
			return 0;
		}
	}
	return 1;
}

/* One target per ACTIVE account of the organization; its ids go to the snapshots. */
static int
select_organization(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	json_t *org = orgs_list_accounts(c, err), *a, *ids;
	size_t i;

	aws_client_free(c);
	if (org == NULL)
		return 0;
	/* Left out of the listing (bad ids, duplicates): say so, and the run is incomplete. */
	json_array_foreach(json_object_get(org, "problems"), i, a)
		log_error("%s", json_string_value(a));	/* log lines are sanitised */
	if (json_array_size(json_object_get(org, "problems")) > 0)
		r->problems = json_incref(json_object_get(org, "problems"));
	ids = json_array();
	json_array_foreach(json_object_get(org, "accounts"), i, a) {
		const char *id = jstr(a, "Id"), *st = jstr(a, "Status");
		struct collect_job *j;

		if (id == NULL)
			continue;
		json_array_append_new(ids, json_string(id));
		if (st != NULL && strcmp(st, "ACTIVE") != 0) {
			char *n = str_sanitize_term(xstrdup(jstr(a, "Name") ? jstr(a, "Name") : ""));
			char *s = str_sanitize_term(xstrdup(st));

			log_info("skipping account %s (%s): status %s", id, n, s);
			free(n);
			free(s);
			continue;
		}
		j = add_target(r);
		j->target.account_id = xstrdup(id);
		j->target.name = xstrdup(jstr(a, "Name"));
	}
	r->organization_ids = json_pack("{s:O?,s:o}", "id",
	    json_object_get(org, "id"), "accounts", ids);
	json_decref(org);
	return 1;
}

/* Roles to assume: each row's own, else --role-name, never into ourselves (self). */
static int
assign_roles(struct run *r, const char *self, char **err)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		struct collect_job *j = &r->targets[i];

		if (strcmp(j->target.account_id, self) == 0) {
			free((char *)j->target.role_arn);
			j->target.role_arn = NULL;
			continue;
		}
		if (j->target.role_arn == NULL && r->role_name != NULL)
			j->target.role_arn = role_arn_for(r, j->target.account_id);
		if (j->target.role_arn == NULL)
			return err_set(err, "account %s: no role to assume (give --role-name or a role_arn column)",
			    j->target.account_id);
		if (j->target.external_id == NULL && r->external_id != NULL)
			j->target.external_id = xstrdup(r->external_id);
	}
	return 1;
}

static int
select_accounts(struct run *r, char **err)
{
	char *self = NULL;
	int rc = 0;

	if (r->profiles.n > 1)
		return select_profiles(r, err);
	if (!r->organization && r->accounts_file == NULL) {
		add_target(r);
		return 1;
	}
	if ((self = caller_account(r, err)) == NULL)
		goto out;
	if (r->accounts_file == NULL && !select_organization(r, err))
		goto out;
	rc = assign_roles(r, self, err);
out:
	free(self);
	return rc;
}

/* OUT/YYYY-MM-DD, or -2, -3, ... when a run already used it: never reuse. */
static int
make_run_dir(struct run *r, char **err)
{
	char day[21], sub[PATH_MAX];
	int n;

	if (!dir_make(r->out, 0755, err))
		return 0;
	time_fmt(r->started, day);
	day[10] = '\0';
	for (n = 1; n < 1000; n++) {
		free(r->dir);
		r->dir = n == 1 ? xasprintf("%s/%s", r->out, day) :
		    xasprintf("%s/%s-%d", r->out, day, n);
		if (mkdir(r->dir, 0755) == 0)
			break;
		if (errno != EEXIST)
			return err_set(err, "%s: %s", r->dir, strerror(errno));
	}
	if (n == 1000)
		return err_set(err, "%s: too many runs today", r->out);
	snprintf(sub, sizeof(sub), "%s/snapshots", r->dir);
	if (mkdir(sub, 0700) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	snprintf(sub, sizeof(sub), "%s/accounts", r->dir);
	if (mkdir(sub, 0755) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	return 1;
}

/* The run's manifest: what was asked, what happened.  Rewritten atomically. */
static void
write_manifest(struct run *r, const char *status, int exit_code)
{
	json_t *m, *accts = json_array();
	char t[21], *path, *s, *err = NULL;
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		const struct collect_job *j = &r->targets[i];

		json_array_append_new(accts, json_pack("{s:s?,s:s?,s:s?,s:b,s:b,s:s?}",
		    "account_id", j->target.account_id, "name", j->target.name,
		    "snapshot", j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL,
		    "done", j->done, "complete", j->complete, "error", j->error));
	}
	m = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "schema", SCHEMA_RUN,
	    "tool_version", IAMGRADE_VERSION, "status", status,
	    "started", time_fmt(r->started, t), "exit_code", exit_code,
	    "accounts", accts);
	if (r->problems != NULL)
		json_object_set(m, "problems", r->problems);
	/* run.json is outside the manifest (evidence.h): it records the manifest's hash. */
	if (r->manifest_sha256[0] != '\0')
		json_object_set_new(m, "manifest_sha256", json_string(r->manifest_sha256));
	if (r->structure != NULL)
		json_object_set_new(m, "organization", json_string("organization.json"));
	path = xasprintf("%s/%s", r->dir, EV_RUN_JSON);
	s = jdump(m, 1);
	if (!file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 0, &err)) {
		log_error("%s", err);
		write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
	json_decref(m);
}

static void
progress(void *arg, const struct collect_job *j, size_t done, size_t total)
{
	struct run *r = arg;
	long el = (long)(time(NULL) - r->started);
	const char *id = j->target.account_id ? j->target.account_id : "(caller)";

	if (!j->complete)
		r->failed++;
	if (r->quiet)
		return;
	if (r->tty) {
		long left = done ? el * (long)(total - done) / (long)done : 0;

		fprintf(stderr, "\r\033[K[%zu/%zu] %zu incomplete  %02ld:%02ld elapsed  ~%02ld:%02ld left",
		    done, total, r->failed, el / 60, el % 60, left / 60, left % 60);
		if (!j->complete) {
			char *e = str_sanitize_term(str_show_invisible(j->error ? j->error : "incomplete"));

			fprintf(stderr, "\r\033[K%s: incomplete: %s\n", id, e);
			free(e);
		}
		if (done == total)
			fputc('\n', stderr);
	} else {
		/* Both come from AWS (the Organizations account name, error text). */
		char *e = str_sanitize_term(str_show_invisible(j->error ? j->error : ""));
		char *n = str_sanitize_term(str_show_invisible(j->target.name ? j->target.name : ""));

		log_info("[%zu/%zu] %s%s%s: %s%s%s", done, total, id,
		    *n ? " " : "", n, j->complete ? "complete" : "incomplete",
		    *e ? ": " : "", e);
		free(n);
		free(e);
	}
}

static int
render_to(enum report_fmt fmt, const json_t *results, const struct report_opts *o,
    const char *path, char **err)
{
	struct buf b = { 0 };
	int rc = 0, mode = report_file_mode(fmt);

	if (!report_render(fmt, results, o, &b, err))
		goto out;
	if (!file_write_atomic(path, b.p ? b.p : "", b.len, mode, 0, err)) {
		write_failed = 1;
		goto out;
	}
	rc = 1;
out:
	buf_free(&b);
	return rc;
}

/* A results document holding only one of the accounts. */
static json_t *
results_of(const json_t *results, json_t *account)
{
	json_t *one = json_copy((json_t *)results);

	json_object_set_new(one, "accounts", json_pack("[O]", account));
	return one;
}

/* --baseline: a run's folder (its results.json) or a results document. */
static json_t *
load_baseline(const char *path, char **err)
{
	struct stat st;
	char *file;
	json_t *b;

	file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ?
	    xasprintf("%s/results.json", path) : xstrdup(path);
	b = report_results_load(file, err);
	free(file);
	return b;
}

/*
 * The best name for a job's account: its id from the selection, else from
 * its role ARN, else from the snapshot's file name (ID.json, ID-N.json),
 * else a label naming the profile.  The caller frees it.
 */
static char *
job_account(const struct collect_job *j)
{
	const char *s = NULL, *p;

	if (j->target.account_id != NULL)
		return xstrdup(j->target.account_id);
	if (j->target.role_arn != NULL && (p = strstr(j->target.role_arn, ":iam::")) != NULL)
		s = p + 6;
	else if (j->snapshot != NULL)
		s = strrchr(j->snapshot, '/') + 1;
	if (s != NULL) {
		char id[13];

		snprintf(id, sizeof(id), "%s", s);
		if (str_is_account_id(id))
			return xstrdup(id);
	}
	return xasprintf("unknown (%s)", j->target.name ? j->target.name : "default credentials");
}

/*
 * One results account per job, in every case: a snapshot that loads is
 * graded; a job without a snapshot, or whose snapshot cannot be loaded or
 * graded, becomes an account with every control NOT_EVALUATED and the
 * reason (check_account_missing), and the job is marked incomplete.  No
 * selected account may be missing from an output.
 */
static json_t *
grade_job(struct run *r, struct collect_job *j, const struct check_config *cc)
{
	json_t *snap, *a = NULL;
	char sha[65], *e = NULL, *id;
	const char *file = j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL, *code;

	/* run.json names the account as the results do (a profile's is learnt). */
	if (j->target.account_id == NULL)
		j->target.account_id = job_account(j);
	if (j->snapshot == NULL) {
		code = "NotCollected";
		e = xasprintf("not collected: %s", j->error ? j->error : "no snapshot was written");
	} else if (!snap_load(j->snapshot, &snap, sha, &e)) {
		code = "SnapshotUnusable";
	} else {
		a = check_account(snap, file, sha, cc);
		json_decref(snap);
		if (a != NULL)
			return a;
		code = "SnapshotUnusable";
		e = xasprintf("%s: cannot grade this snapshot", j->snapshot);
	}
	id = job_account(j);
	if (j->snapshot != NULL) {
		char *t = str_sanitize_term(str_show_invisible(e));

		log_error("%s: %s", id, t);
		free(t);
	}
	a = check_account_missing(id, j->target.name, file, r->started, code, e, cc);
	j->complete = 0;
	free(j->error);
	j->error = e;
	free(id);
	return a;
}

/* Whether the run writes fmt (its row names the run, in the way asked; --no-pdf leaves PDF out). */
static int
run_writes(const struct run *r, int fmt, int how)
{
	return (report_formats[fmt].commands & how) && report_formats[fmt].run_file != NULL &&
	    !(r->no_pdf && fmt == REPORT_PDF);
}

/* accounts/ID.html and the other per-account formats, for one account of results. */
static int
write_account_pages(const struct run *r, const json_t *results, json_t *a,
    json_t *baseline, const struct hist *h, char **err)
{
	struct report_opts one = { .baseline = baseline, .history = h };
	json_t *ra;
	char *name, *path;
	int f, ok;

	/* Its own page only under a name that is an account id (ID.html). */
	if (!str_is_account_id(jstr(a, "account_id")))
		return 1;
	ra = results_of(results, a);
	name = xasprintf("%s/accounts/%s", r->dir, jstr(a, "account_id"));
	for (f = 0, ok = 1; ok && f < REPORT_FMT__MAX; f++) {
		if (!run_writes(r, f, REPORT_IN_RUN_EACH))
			continue;
		path = xasprintf("%s.%s", name, report_formats[f].name);
		ok = render_to(f, ra, &one, path, err);
		free(path);
	}
	free(name);
	json_decref(ra);
	return ok;
}

/* What the run adds to its results: the framework viewed, the shard it is. */
static void
results_annotate(const struct run *r, json_t *results)
{
	if (r->framework != NULL)
		json_object_set_new(results, "framework", check_framework_json(r->framework));
	/* A shard says which: joining the shards checks that none overlaps or is missing. */
	if (r->shard_n > 0)
		json_object_set_new(results, "shard", json_pack("{s:i, s:i}",
		    "k", (int)r->shard_k, "n", (int)r->shard_n));
}

/* evidence.json (README "Evidence"): who ran what over which accounts. */
static int
write_evidence(const struct run *r, const json_t *results, char **err)
{
	struct ev_run ev = { .argc = r->argc, .argv = r->argv, .region = r->cfg.region };
	char t0[21], t1[21], *s, *path = xasprintf("%s/%s", r->dir, EV_EVIDENCE);
	json_t *e;
	int ok;

	ev.started = time_fmt(r->started, t0);
	ev.finished = time_fmt(time(NULL), t1);
	e = ev_evidence(results, &ev);
	s = jdump(e, 1);
	/* Like run.json: no findings, so the reports' mode. */
	if (!(ok = file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 1, err)))
		write_failed = 1;
	free(s);
	free(path);
	json_decref(e);
	return ok;
}

/* Grade every account selected and write the reports.  Returns 1 if fail-on is met. */
/*
 * Where each account sits (the same join `report` makes offline), then the
 * selection (of what is reported: every account is still collected, so
 * another selection can be reported later, offline) and the groups.
 */
static int
run_group(const struct run *r, json_t *results, const json_t *baseline, char **err)
{
	if (r->structure != NULL || r->select != NULL || r->group_by != NULL)
		group_attach(results, r->structure);
	if (r->select != NULL && !group_select(results, r->select, err))
		return 0;
	return (r->structure == NULL && r->group_by == NULL) ||
	    group_apply(results, baseline, r->group_by, err);
}

/*
 * The earlier runs under --history (default --out) for the trend; without
 * them (an unlistable folder) the reports go on without a trend, said once.
 */
static struct hist *
run_history(const struct run *r, const json_t *results)
{
	struct hist *h;
	char *err = NULL;

	if ((h = hist_load(r->history ? r->history : r->out, results, r->dir, &err)) == NULL) {
		log_error("%s; the reports have no trend", err);
		free(err);
	}
	return h;
}

static int
grade_and_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	struct report_opts o = { .baseline = baseline, .summary = 1,
	    .account_pages = "accounts/%s.html" };
	json_t *accounts = json_array(), *results, *a;
	char *path = NULL;
	size_t i;
	int rc = -1, f;

	/* Grading thousands of accounts takes a while: a signal ends it between two. */
	for (i = 0; i < r->ntargets && !cli_stop; i++)
		json_array_append_new(accounts, grade_job(r, &r->targets[i], cc));
	if (cli_stop) {
		json_decref(accounts);
		err_set(err, "interrupted while grading");
		return -1;
	}
	results = check_results(accounts, cc);
	results_annotate(r, results);

	/* The invariant every output relies on: one account per job selected. */
	if (json_array_size(json_object_get(results, "accounts")) != r->ntargets) {
		err_set(err, "%zu accounts selected but %zu graded",
		    r->ntargets, json_array_size(json_object_get(results, "accounts")));
		goto out;
	}
	if (!run_group(r, results, baseline, err))
		goto out;
	o.history = r->hist = run_history(r, results);
#define OUT(name) (free(path), path = xasprintf("%s/%s", r->dir, name))
	for (f = 0; f < REPORT_FMT__MAX; f++)
		if (run_writes(r, f, REPORT_IN_RUN) &&
		    !render_to(f, results, &o, OUT(report_formats[f].run_file), err))
			goto out;
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		if (cli_stop) {
			err_set(err, "interrupted while writing the reports");
			goto out;
		}
		if (!write_account_pages(r, results, a, baseline, o.history, err))
			goto out;
	}
#undef OUT
	if (!write_evidence(r, results, err))
		goto out;
	rc = check_results_fail(results, r->fail_on);
	if (!r->quiet) {
		struct report_opts t = { .color = 0 };
		struct buf b = { 0 };

		if (report_render(REPORT_TEXT, results, &t, &b, NULL) && b.len &&
		    r->ntargets == 1)
			fputs(b.p, stdout);
		buf_free(&b);
	}
out:
	free(path);
	json_decref(results);
	return rc;
}

/* The exit status of a run that got this far, and what run.json says. */
static int
run_exit(const struct run *r, int failed, const char **status)
{
	size_t i;
	int code = failed ? EXIT_FAILED : EXIT_OK;

	*status = "complete";
	for (i = 0; i < r->ntargets; i++)
		if (!r->targets[i].complete)
			code = EXIT_INCOMPLETE;
	if (r->problems != NULL)
		code = EXIT_INCOMPLETE;
	if (code == EXIT_INCOMPLETE)
		*status = "incomplete";
	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].write_failed)
			write_failed = 1;
	if (write_failed) {
		code = EXIT_IO;
		*status = "failed";
	}
	return code;
}

/* Go on: what the steps below return when the run is not over yet. */
#define RUN_GO (-1)

/*
 * Read the inputs (config, baseline, accounts file, credentials) and select
 * the accounts, this shard's share of them.  RUN_GO, or the exit code
 * (with *err set unless there is nothing to say).
 */
static int
run_setup(struct run *r, struct check_config *cc, json_t **baseline, char **err)
{
	if (r->config_file != NULL && !check_config_load(r->config_file, cc, err))
		return EXIT_USAGE;
	/* Bad exceptions or a key that cannot sign are bad input, found before any AWS call. */
	if (r->exceptions != NULL && !check_config_set(cc, "exceptions", r->exceptions, err))
		return EXIT_USAGE;
	if (r->sign_key != NULL && !ev_key_usable(r->sign_key, err))
		return EXIT_USAGE;
	if (r->baseline != NULL && (*baseline = load_baseline(r->baseline, err)) == NULL)
		return EXIT_USAGE;
	/* A bad accounts file is bad input (exit 2), found before any AWS call. */
	if (r->accounts_file != NULL &&
	    !accounts_load(r->accounts_file, &r->targets, &r->ntargets, err))
		return EXIT_USAGE;
	r->aopts.profile = r->profiles.n == 1 ? r->profiles.v[0] : NULL;
	if (r->mfa_code != NULL)
		aws_mfa_set_code(r->mfa_code);
	if (!aws_config_load(&r->aopts, &r->cfg, err))
		return EXIT_USAGE;
	if (r->profiles.n <= 1 && !aws_creds_resolve(&r->cfg, &r->creds, err))
		return EXIT_INCOMPLETE;
	if (!select_accounts(r, err))
		return EXIT_INCOMPLETE;
	if (r->shard_n > 0) {
		r->ntargets = accounts_shard(r->targets, r->ntargets, r->shard_k, r->shard_n);
		log_info("shard %u/%u: %zu accounts", r->shard_k, r->shard_n, r->ntargets);
		if (r->ntargets == 0) {
			/* A share may be empty: nothing to do is not an error. */
			fprintf(stderr, "iamgrade run: shard %u/%u holds no accounts: nothing to do\n",
			    r->shard_k, r->shard_n);
			return EXIT_OK;
		}
	}
	if (r->ntargets == 0) {
		*err = xstrdup("no accounts to collect");
		return EXIT_USAGE;
	}
	return RUN_GO;
}

/*
 * The run's folder, then every account collected into its snapshots/.
 * RUN_GO, or the exit code: with *err set if the folder could not be made,
 * without after an interruption (run.json says so).
 */
/*
 * Where the accounts sit.  --organization: the OU tree and the tags, walked
 * on their own thread while the accounts are collected (never before them),
 * with the runner's credentials (Organizations answers only the management
 * account or a delegated administrator, the identity that listed the
 * accounts).  An accounts file: its ou and tag columns.
 */
static void
start_structure(struct run *r)
{
	json_t *ids;
	size_t i;

	if (r->accounts_file != NULL)
		r->structure = accounts_structure(r->targets, r->ntargets, NULL, "accounts_file");
	if (r->organization_ids == NULL)
		return;
	ids = json_array();
	for (i = 0; i < r->ntargets; i++)
		json_array_append_new(ids, json_string(r->targets[i].target.account_id));
	r->walk = orgs_walk_start(&r->cfg, &r->creds, jstr(r->organization_ids, "id"), ids);
	json_decref(ids);
}

/* Profile runs learn their accounts' ids by collecting them: the groups come after. */
static json_t *
profile_structure(const struct run *r)
{
	char **ids = xcalloc(r->ntargets + 1, sizeof(*ids));
	json_t *st;
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		ids[i] = job_account(&r->targets[i]);
	st = accounts_structure(r->targets, r->ntargets, (const char *const *)ids, "profiles");
	for (i = 0; i < r->ntargets; i++)
		free(ids[i]);
	free(ids);
	return st;
}

/* The join: how long the run waited for the walk once collected (what it adds). */
static void
join_structure(struct run *r)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->structure = orgs_walk_finish(r->walk);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->walk = NULL;
	json_object_set_new(json_object_get(r->structure, "calls"), "waited_ms",
	    json_integer((json_int_t)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000)));
}

/* Kept once per run, beside run.json: organization.json, read back by `report`. */
static void
finish_structure(struct run *r)
{
	json_t *p;
	char *path, *s, *err = NULL;
	size_t i;

	if (r->walk != NULL)
		join_structure(r);
	else if (r->groups.n > 0)
		r->structure = profile_structure(r);
	if (r->structure == NULL)
		return;
	/* A denied call never fails the run: the accounts are "unknown", with why. */
	json_array_foreach(json_object_get(r->structure, "problems"), i, p)
		log_error("organization structure: %s", json_string_value(p));
	path = xasprintf("%s/organization.json", r->dir);
	s = jdump(r->structure, 1);
	if (!file_write_atomic(path, s, strlen(s), 0600, 1, &err)) {
		log_error("%s", err);
		write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
}

static int
run_collect(struct run *r, char **err)
{
	struct collect_opts copts;
	struct stat st;
	char *snapdir;
	size_t i, done;
	int code;

	r->started = time(NULL);
	r->tty = isatty(STDERR_FILENO) && log_level == 1;
	if (!make_run_dir(r, err))
		/* OUT a file or a planted symlink is bad input; the rest is I/O. */
		return lstat(r->out, &st) == 0 && !S_ISDIR(st.st_mode) ? EXIT_USAGE : EXIT_IO;
	write_manifest(r, "running", -1);

	memset(&copts, 0, sizeof(copts));
	copts.cfg = &r->cfg;
	copts.since_days = r->since_days;
	copts.report_wait_s = r->report_wait;
	copts.no_last_accessed = r->no_last_accessed;
	copts.organization = r->organization_ids;
	snapdir = xasprintf("%s/snapshots", r->dir);
	if (!r->quiet)
		log_info("collecting %zu account%s, %d at a time, into %s", r->ntargets,
		    r->ntargets == 1 ? "" : "s", r->jobs, r->dir);
	start_structure(r);
	collect_many(r->targets, r->ntargets, &r->creds, &copts, snapdir,
	    r->jobs, &cli_stop, progress, r);
	free(snapdir);
	finish_structure(r);
	if (!cli_stop)
		return RUN_GO;
	for (done = i = 0; i < r->ntargets; i++)
		done += r->targets[i].snapshot != NULL;
	log_error("interrupted: %zu of %zu accounts collected; %s is marked interrupted",
	    done, r->ntargets, r->dir);
	code = EXIT_SIGNAL + cli_stop;
	write_manifest(r, "interrupted", code);
	return code;
}

/* The evidence pack: every file is written; hash them all, then sign.  0 if it failed (said). */
static int
run_seal(struct run *r)
{
	char *err = NULL;
	int mode = file_mode_umask(0644);

	if (ev_manifest_write(r->dir, mode, r->manifest_sha256, &err) &&
	    (r->sign_key == NULL || ev_sign(r->dir, r->sign_key, mode, &err)))
		return 1;
	log_error("%s", err);
	free(err);
	write_failed = 1;
	return 0;
}

/* Grade, report and say how it went (run.json, the folder's name): the exit code. */
static int
run_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	const char *status;
	int failed, code;

	failed = grade_and_report(r, cc, baseline, err);
	if (cli_stop) {
		/* Whatever was written is whole (atomic), but the set is not. */
		log_error("interrupted while writing the reports; %s is marked interrupted", r->dir);
		code = EXIT_SIGNAL + cli_stop;
		write_manifest(r, "interrupted", code);
		return code;
	}
	if (failed < 0) {
		code = write_failed ? EXIT_IO : EXIT_USAGE;
		write_manifest(r, "failed", code);
		return code;
	}
	code = run_exit(r, failed, &status);
	if (!run_seal(r))
		code = run_exit(r, failed, &status);
	write_manifest(r, status, code);
	if (!r->quiet)
		printf("%s\n", r->dir);
	/* For the auditor's record: the hash the whole run hangs on. */
	if (!r->quiet && r->manifest_sha256[0] != '\0')
		printf("%s sha256 %s%s\n", EV_MANIFEST, r->manifest_sha256,
		    r->sign_key != NULL && !write_failed ? " (signed)" : "");
	if (code == EXIT_IO)
		fprintf(stderr, "iamgrade run: some files of %s could not be written (see above)\n",
		    r->dir);
	return code;
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		collect_job_free(&r->targets[i]);
	free(r->targets);
	free(r->dir);
	json_decref(r->organization_ids);
	json_decref(r->problems);
	json_decref(r->structure);
	hist_free(r->hist);
	aws_config_free(&r->cfg);
	aws_creds_free(&r->creds);
	cli_args_free(&cli_cmd_run, r);
}

int
cmd_run(int argc, char *argv[])
{
	struct run r;
	struct check_config cc;
	json_t *baseline = NULL;
	char *err = NULL;
	int exit_code;

	memset(&r, 0, sizeof(r));
	r.argc = argc;		/* argv[0] is "run" */
	r.argv = argv;
	check_config_default(&cc);
	if ((exit_code = parse_args(&r, argc, argv)) != EXIT_OK) {
		exit_code = exit_code < 0 ? EXIT_OK : exit_code;
		goto out;
	}
	/* From here on every wait (credential_process included) can be interrupted. */
	cli_catch_signals();
	if ((exit_code = run_setup(&r, &cc, &baseline, &err)) == RUN_GO &&
	    (exit_code = run_collect(&r, &err)) == RUN_GO)
		exit_code = run_report(&r, &cc, baseline, &err);
	/* Reports done, or an interruption already told: nothing more to say. */
	if (err == NULL)
		goto out;
	/* A wait cut short by a signal is an interruption, whatever it broke. */
	if (cli_stop)
		exit_code = EXIT_SIGNAL + cli_stop;
	fprintf(stderr, "iamgrade run: %s\n", str_sanitize_term(err));
out:
	run_free(&r);
	free(err);
	json_decref(baseline);
	check_config_free(&cc);
	return exit_code;
}
