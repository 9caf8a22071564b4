/*
 * iamgrade run: the monthly job.  Select accounts, collect them all
 * concurrently, grade them, and write one dated folder of snapshots,
 * results and reports.  Nothing of an earlier run is ever touched.
 * Here: the options, the progress line and the exit; the pipeline is
 * run/ (run/run.h).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "evidence/evidence.h"
#include "report/group.h"
#include "run/run.h"
#include "cli/cli.h"
#include "cli/opts.h"

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
	CLI_OPT_HEADING(CLI_GROUPING_HEADING),
	CLI_OPTS_GROUPING(struct run, group_by, select, ": --organization, an ou column, --group",
	    "report on part of the accounts collected:\n"),
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "out", 0, struct run, out, "DIR",
	  "reports go to DIR/YYYY-MM-DD/ (a new folder each run);\n"
	  "DIR may be s3://BUCKET/PREFIX/ (staged locally, then\n"
	  "each file uploaded once, run.json last)"),
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
	  "accounts collected at once (default 128: each mostly\n"
	  "waits on CloudTrail's pacing; grading runs one per CPU)", .min = 1, .max = 256),
	CLI_OPT(CLI_FLAG, "ocsf", 0, struct run, ocsf, NULL,
	  "also write findings.ocsf.json: OCSF 1.3.0 Compliance\n"
	  "Finding events, as Prowler's (report --ocsf)", .value = 1),
	CLI_OPT(CLI_FLAG, "security-hub", 0, struct run, security_hub, NULL,
	  "import the findings into AWS Security Hub in --region\n"
	  "(BatchImportFindings, each account's with its own\n"
	  "credentials); keeps findings.asff.json and\n"
	  "securityhub.json (what was imported or refused)", .value = 1),
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
	"incomplete, 4 an output could not be written (full disk) or Security Hub did\n"
	"not take every finding (--security-hub), 130/143 interrupted\n"
	"by SIGINT/SIGTERM; the first of 130/143, 4, 3, 1 that applies wins.\n"
};

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
		if (!run_profile_group(r, r->profiles.v[i], &path, &e))
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
	char *err = NULL;

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
	if (s3_out_is(r->out) && !s3_out_parse(r->out, &r->s3, &err)) {
		usage_error("run", "--out %s", err);
		free(err);
		return EXIT_USAGE;
	}
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
	/* An account is ~7 s of CloudTrail's pacing and little else: many wait side by side. */
	r->jobs = 128;
	r->level = -1;
	if ((first = cli_parse(&cli_cmd_run, argc, argv, r)) <= 0)
		return first == 0 ? -1 : EXIT_USAGE;
	if (first < argc)
		return usage_error("run", "unexpected argument \"%s\"", argv[first]);
	return check_args(r);
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

/* After the run: where it is and the hash it hangs on, or why some of it is missing. */
static void
run_said(const struct run *r, int code)
{
	if (r->empty_shard)
		fprintf(stderr, "iamgrade run: shard %u/%u holds no accounts: nothing to do\n",
		    r->shard_k, r->shard_n);
	if (!r->finished)
		return;
	if (r->text.len > 0)
		fputs(r->text.p, stdout);
	/* --out s3:// said where the run went, or where its staging copy is kept. */
	if (!r->quiet && r->s3.bucket == NULL)
		printf("%s\n", r->dir);
	/* For the auditor's record: the hash the whole run hangs on. */
	if (!r->quiet && r->manifest_sha256[0] != '\0')
		printf("%s sha256 %s%s\n", EV_MANIFEST, r->manifest_sha256,
		    r->sign_key != NULL && !r->write_failed ? " (signed)" : "");
	if (code == EXIT_IO)
		fprintf(stderr, "iamgrade run: some files of %s could not be written (see above)\n",
		    r->dir);
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
	r.stop = &cli_stop;
	r.progress = progress;
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
	run_said(&r, exit_code);
	/* Reports done, or an interruption already told: nothing more to say. */
	if (err == NULL)
		goto out;
	/* A wait cut short by a signal is an interruption, whatever it broke. */
	if (cli_stop)
		exit_code = EXIT_SIGNAL + cli_stop;
	fprintf(stderr, "iamgrade run: %s\n", str_sanitize_term(err));
out:
	run_free(&r);
	cli_args_free(&cli_cmd_run, &r);
	free(err);
	json_decref(baseline);
	check_config_free(&cc);
	return exit_code;
}
