/* iamgrade check: grade snapshots and print the results as text, JSON or CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/report.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "run/run.h"

/* What check's options set (cli/opts.h). */
struct check_args {
	const char	*format;
	const char	*fail_on;
	const char	*config;
	struct cli_list	 sets;
	int		 color;		/* -1: when standard output is a terminal */
	int		 require_complete;
	int		 jobs;
	const char	*exceptions;
};

static const struct cli_opt check_opts[] = {
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "format", 0, struct check_args, format, "FMT",
	  "text (default: a summary per account), json (the\n"
	  "results document, docs/results-format.md), csv\n"
	  "(account_id, alias, control_id, severity, status,\n"
	  "resource, reason, ou_id, ou_path, tags: one row per\n"
	  "finding, one row per control that has none), junit\n"
	  "(JUnit XML: a test case per control per account, for CI)\n"
	  "or ocsf (OCSF 1.3.0 Compliance Finding events)"),
	CLI_OPT(CLI_STRING, "fail-on", 0, struct check_args, fail_on, "SEV",
	  "exit 1 when a control FAILs with a finding of severity\n"
	  "SEV or above: critical, high, medium or low (a finding\n"
	  "may be below its control, e.g. ROLE-02 with an\n"
	  "sts:ExternalId is medium)"),
	CLI_OPT(CLI_FLAG, "require-complete", 0, struct check_args, require_complete, NULL,
	  "exit 3 when a snapshot's collection was incomplete", .value = 1),
	CLI_OPT(CLI_INT, "jobs", 0, struct check_args, jobs, "N",
	  "grade N snapshots at a time (default: the CPUs, at most 16)", .min = 1, .max = 256),
	CLI_OPT(CLI_STRING, "config", 0, struct check_args, config, "FILE",
	  "thresholds and trusted accounts (below)"),
	CLI_OPT(CLI_LIST, "set", 0, struct check_args, sets, "KEY=VALUE",
	  "one setting, applied after --config"),
	CLI_OPT(CLI_STRING, "exceptions", 0, struct check_args, exceptions, "FILE",
	  "accepted risks (CSV: control,account,resource,\n"
	  "justification,approved_by,expires); applied last"),
	CLI_OPT(CLI_FLAG, "color", 0, struct check_args, color, NULL,
	  "colour the text format (default: when standard output\n"
	  "is a terminal and NO_COLOR is not set)", .value = 1),
	CLI_OPT(CLI_FLAG, "no-color", 0, struct check_args, color, NULL,
	  "never colour", .value = 0),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_check = {
	"check", "grade snapshots: text, JSON, CSV, JUnit XML or OCSF",
	"usage: iamgrade check [options] SNAPSHOT...\n"
	"\n"
	"Grade snapshots (from `iamgrade collect`) against the control catalogue\n"
	"(`iamgrade controls`) and print the results.  Ages are measured from each\n"
	"snapshot's collection start, so re-grading an old snapshot gives the same\n"
	"answer; the same snapshots give byte-identical output.\n",
	check_opts,
	"Config file: `key = value` lines, `#` comments.  Keys and defaults:\n"
	"  password_min_length = 14           password_reuse_prevention = 24\n"
	"  password_max_age_days = 90         root_unused_days = 90\n"
	"  credential_unused_days = 45        key_rotation_days = 90\n"
	"  user_password_max_age_days = 90    credential_report_max_age_hours = 24\n"
	"  trusted_accounts = 111122223333, 444455556666   (ROLE-02; may repeat)\n"
	"  exceptions = FILE                  accepted risks (README \"Accepted risks\")\n"
	"The results print the thresholds they used.\n"
	"\n"
	"Exit status: 2 when a file is not a valid snapshot (it is named on\n"
	"standard error; the other snapshots are still graded and printed) or on\n"
	"bad usage; else 1 when --fail-on is met; else 3 with --require-complete\n"
	"and an incomplete collection; else 0.  An incomplete collection alone\n"
	"does not change the exit status: the sources it could not read make\n"
	"their controls NOT_EVALUATED, which are listed with the reason and never\n"
	"count as failures or passes.\n",
};

/* Grade every file with jobs threads; bad ones are reported, in order, and skipped (*bad set). */
static json_t *
grade_files(char **files, int n, const struct check_config *cfg, int jobs, int *bad)
{
	json_t **accounts = xcalloc((size_t)n, sizeof(*accounts)), *all = json_array();
	char **errors = xcalloc((size_t)n, sizeof(*errors));
	int i;

	check_files(files, NULL, n, cfg, jobs, accounts, errors);
	for (i = 0; i < n; i++) {
		if (errors[i] != NULL) {
			usage_error("check", "%s", str_sanitize_term(errors[i]));
			*bad = 1;
			free(errors[i]);
		}
		if (accounts[i] != NULL)
			json_array_append_new(all, accounts[i]);
	}
	free(accounts);
	free(errors);
	return check_results(all, cfg);
}

/*
 * A format made one account at a time (JSON, CSV): each account's part
 * spooled as it is graded and only its record kept (run/files.c), so that
 * memory does not grow with the accounts.  The results' document (its
 * records) into *doc; 0 after saying why the output failed (*io: writing).
 */
static int
check_streamed(char **files, int n, const struct check_config *cfg, int jobs, int fmt,
    json_t **doc, int *bad, int *io)
{
	struct run_files *f;
	char *err = NULL;
	int i, ok = 0;

	if ((f = run_files_grade(files, NULL, n, cfg, jobs, fmt, 0, &err)) == NULL) {
		usage_error("check", "%s", err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (run_files_error(f, i) != NULL) {
			char *e = xstrdup(run_files_error(f, i));

			usage_error("check", "%s", str_sanitize_term(e));
			free(e);
			*bad = 1;
		}
	*doc = json_incref((json_t *)run_files_doc(f));
	if (!run_files_write(f, cli_put_stdout, NULL, &err) || fflush(stdout) != 0) {
		usage_error("check", "writing the results: %s", err ? err : "standard output failed");
		*io = 1;
		goto out;
	}
	ok = 1;
out:
	run_files_free(f);
	free(err);
	return ok;
}

/* The config file, then each --set KEY=VALUE; 0 after a usage error. */
static int
check_configure(const struct check_args *a, struct check_config *cfg)
{
	char *err = NULL, *kv, *eq;
	int i, ok = 1;

	if (a->config != NULL && !check_config_load(a->config, cfg, &err)) {
		usage_error("check", "%s", err);
		ok = 0;
	}
	for (i = 0; ok && i < a->sets.n; i++) {
		kv = xstrdup(a->sets.v[i]);
		if ((eq = strchr(kv, '=')) == NULL) {
			usage_error("check", "--set %s: expected KEY=VALUE", a->sets.v[i]);
			ok = 0;
		} else {
			*eq = '\0';
			if (!(ok = check_config_set(cfg, kv, eq + 1, &err)))
				usage_error("check", "--set: %s", err);
		}
		free(kv);
	}
	if (ok && a->exceptions != NULL && !(ok = check_config_set(cfg, "exceptions", a->exceptions, &err)))
		usage_error("check", "--exceptions: %s", err);
	free(err);
	return ok;
}

/* --format and --fail-on as values; 0 after a usage error. */
static int
check_values(const struct check_args *a, int *fmt, int *fail_on)
{
	*fmt = REPORT_TEXT;
	*fail_on = 0;
	if (a->format != NULL && ((*fmt = report_fmt_parse(a->format)) < 0 ||
	    !(report_formats[*fmt].commands & REPORT_IN_CHECK))) {
		usage_error("check", "--format %s: text, json, csv, junit or ocsf "
		    "(HTML and PDF: iamgrade report)", a->format);
		return 0;
	}
	if (a->fail_on != NULL && (*fail_on = check_severity_rank(a->fail_on)) == 0) {
		usage_error("check", "--fail-on %s: critical, high, medium or low", a->fail_on);
		return 0;
	}
	return 1;
}

/* The whole results in memory, rendered in fmt to standard output; 0 after saying why (*io: writing). */
static int
check_whole(char **files, int n, const struct check_config *cfg, int jobs, int fmt,
    const struct report_opts *ropts, json_t **results, int *bad, int *io)
{
	struct buf out = { 0 };
	char *err = NULL;
	int ok = 0;

	*results = grade_files(files, n, cfg, jobs, bad);
	if (!report_render(fmt, *results, ropts, &out, &err)) {
		usage_error("check", "%s", err);
		goto out;
	}
	if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		usage_error("check", "writing the results: %s", "standard output failed");
		*io = 1;
		goto out;
	}
	ok = 1;
out:
	buf_free(&out);
	free(err);
	return ok;
}

int
cmd_check(int argc, char *argv[])
{
	struct check_args a = { .color = -1 };
	struct report_opts ropts = { 0 };
	struct check_config cfg;
	json_t *results = NULL, *acct;
	int first, fmt, fail_on, bad = 0, io = 0, failed, incomplete = 0, ok, rc = EXIT_USAGE;
	size_t j;

	check_config_default(&cfg);
	if ((first = cli_parse(&cli_cmd_check, argc, argv, &a)) <= 0) {
		rc = first == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (first >= argc) {
		usage_error("check", "no snapshot given (see --help)");
		goto out;
	}
	if (!check_values(&a, &fmt, &fail_on) || !check_configure(&a, &cfg))
		goto out;
	ropts.color = a.color >= 0 ? a.color : isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

	ok = report_stream_fmt(fmt) ?
	    check_streamed(argv + first, argc - first, &cfg, a.jobs, fmt, &results, &bad, &io) :
	    check_whole(argv + first, argc - first, &cfg, a.jobs, fmt, &ropts, &results, &bad, &io);
	if (!ok) {
		rc = io ? EXIT_IO : EXIT_USAGE;
		goto out;
	}
	json_array_foreach(json_object_get(results, "accounts"), j, acct)
		incomplete |= !jbool(json_object_get(acct, "collection"), "complete", 1);
	failed = check_results_fail(results, fail_on);
	rc = bad ? EXIT_USAGE : failed ? EXIT_FAILED :
	    a.require_complete && incomplete ? EXIT_INCOMPLETE : EXIT_OK;
out:
	json_decref(results);
	check_config_free(&cfg);
	cli_args_free(&cli_cmd_check, &a);
	return rc;
}
