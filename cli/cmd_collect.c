/* iamgrade collect: one account's snapshot into --out DIR. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/s3out.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct collect_args {
	const char	*profile, *region, *endpoint, *role, *external_id, *out, *mfa_code;
	int		 since, wait, timeout, level, no_last_accessed;
};

static const struct cli_opt collect_opts[] = {
	CLI_OPT(CLI_STRING, "profile", 0, struct collect_args, profile, "P",
	  "profile from the shared AWS config files"),
	CLI_OPT(CLI_STRING, "mfa-code", 0, struct collect_args, mfa_code, "CODE",
	  "the MFA code for a role profile with mfa_serial (else\n"
	  "IAMGRADE_MFA_CODE, else asked on the terminal)"),
	CLI_OPT(CLI_STRING, "role-arn", 0, struct collect_args, role, "ARN",
	  "assume this role first and collect its account"),
	CLI_OPT(CLI_STRING, "external-id", 0, struct collect_args, external_id, "ID",
	  "the ExternalId the role's trust policy asks for"),
	CLI_OPTS_AWS(struct collect_args, region, endpoint, since, wait, timeout),
	CLI_OPT(CLI_FLAG, "no-last-accessed", 0, struct collect_args, no_last_accessed, NULL,
	  "skip service last accessed per role and user (one IAM job each); LP-03 and "
	  "LP-04 are then NOT_EVALUATED", .value = 1),
	CLI_OPTS_VERBOSITY(struct collect_args, level),
	CLI_OPT(CLI_STRING, "out", 0, struct collect_args, out, "DIR",
	  "where the snapshot goes (created, mode 0700); or\n"
	  "s3://BUCKET/PREFIX/ (uploaded once, never replacing)"),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_collect = {
	"collect", "collect snapshots only",
	"usage: iamgrade collect [--profile P] [--region R] [--endpoint-url URL]\n"
	"                        [--since DAYS] [--role-arn ARN [--external-id ID]]\n"
	"                        [--report-wait SECONDS] [--timeout SECONDS]\n"
	"                        [--no-last-accessed]\n"
	"                        [-v|--verbose] [--debug] [-q] --out DIR\n"
	"\n"
	"Collect the IAM state of the account the credentials (or --role-arn)\n"
	"lead to and write it as DIR/<account-id>.json (never over an earlier\n"
	"snapshot: a second one gets -2, -3, ...).  Prints the snapshot's path.\n"
	"\n",
	collect_opts,
	"Exit status: 0 complete, 2 usage or input error, 3 incomplete or no\n"
	"snapshot, 4 the snapshot could not be written (full disk), 130/143\n"
	"interrupted by SIGINT/SIGTERM (nothing written).\n"
};

/* Tell the user why a snapshot is incomplete (AWS text: no control characters). */
static void
collect_report_problems(const char *path, const json_t *snap)
{
	json_t *p;
	char *line;
	size_t i;

	log_info("%s: collection incomplete:", path);
	json_array_foreach(jpath(snap, "collection.problems"), i, p) {
		line = str_sanitize_term(xstrdup(json_string_value(p) ? json_string_value(p) : "?"));
		log_info("  %s", line);
		free(line);
	}
}

/*
 * --out s3://: the snapshot written into a staging folder, then uploaded
 * once (collector/s3out.h); on failure the staging copy is kept and named.
 * *url is what was written.  An exit code.
 */
static int
collect_to_s3(const struct collect_args *a, const json_t *snap, struct aws_config *cfg,
    struct aws_creds *creds, char **url)
{
	struct s3_out o;
	struct aws_client *c = NULL;
	char *err = NULL, *path = NULL;
	int rc = EXIT_USAGE;

	if (!s3_out_parse(a->out, &o, &err))
		goto out;
	rc = EXIT_IO;
	if (!s3_out_stage(&o, &err) || !snapshot_write(o.staging, snap, &path, &err))
		goto out;
	c = aws_client_new(cfg, creds);
	if (!s3_out_put_fresh(c, &o, path, url, &err)) {
		char *e = str_sanitize_term(err);

		err = xasprintf("%s; the snapshot is kept in %s", e, path);
		free(e);
		goto out;
	}
	if (!s3_out_unstage(&o, &err))
		log_error("%s", err);
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		fprintf(stderr, "iamgrade collect: --out %s: %s\n", a->out, err);
	aws_client_free(c);
	s3_out_free(&o);
	free(path);
	free(err);
	return rc;
}

/* An s3:// --out that cannot be one is a usage error before anything is collected. */
static int
collect_out_valid(const char *out)
{
	struct s3_out o;
	char *err = NULL;
	int ok = !s3_out_is(out) || s3_out_parse(out, &o, &err);

	if (!ok)
		usage_error("collect", "--out %s", err);
	if (s3_out_is(out))
		s3_out_free(&o);
	free(err);
	return ok;
}

/* Collect with the resolved configuration and write the snapshot; an exit code. */
static int
collect_write(const struct collect_args *a, struct collect_target *target,
    struct aws_config *cfg, struct aws_creds *creds)
{
	struct collect_opts co;
	json_t *snap = NULL;
	char *err = NULL, *path = NULL;
	struct stat st;
	int rc = EXIT_INCOMPLETE;

	memset(&co, 0, sizeof(co));
	co.cfg = cfg;
	co.since_days = a->since;
	co.report_wait_s = a->wait;
	co.no_last_accessed = a->no_last_accessed;
	if ((snap = collect_account(target, creds, &co, &err)) == NULL) {
		fprintf(stderr, "iamgrade collect: %s\n", str_sanitize_term(err));
		goto out;
	}
	if (cli_stop) {
		/* Cut short: a snapshot of half the sources would only mislead. */
		fprintf(stderr, "iamgrade collect: interrupted: no snapshot written\n");
		goto out;
	}
	if (s3_out_is(a->out)) {
		if ((rc = collect_to_s3(a, snap, cfg, creds, &path)) != EXIT_OK)
			goto out;
		rc = EXIT_INCOMPLETE;
	} else if (!dir_make(a->out, 0700, &err) || !snapshot_write(a->out, snap, &path, &err)) {
		fprintf(stderr, "iamgrade collect: %s\n", err);
		/* DIR a file or a planted symlink is bad input; the rest is I/O. */
		rc = lstat(a->out, &st) == 0 && !S_ISDIR(st.st_mode) ? EXIT_USAGE : EXIT_IO;
		goto out;
	}
	printf("%s\n", path);
	if (jbool(json_object_get(snap, "collection"), "complete", 0))
		rc = EXIT_OK;
	else
		collect_report_problems(path, snap);
out:
	json_decref(snap);
	free(path);
	free(err);
	return rc;
}

int
cmd_collect(int argc, char *argv[])
{
	struct collect_args a = { .since = 30, .wait = 300, .timeout = 0, .level = -1 };
	struct aws_opts ao;
	struct aws_config cfg;
	struct aws_creds creds;
	struct collect_target target;
	char *err = NULL;
	int first, rc = EXIT_INCOMPLETE, have_cfg = 0, have_creds = 0;

	if ((first = cli_parse(&cli_cmd_collect, argc, argv, &a)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (first < argc)
		return usage_error("collect", "unexpected argument '%s'", argv[first]);
	if (a.out == NULL)
		return usage_error("collect", "--out DIR is required");
	if (!collect_out_valid(a.out))
		return EXIT_USAGE;
	if (a.external_id != NULL && a.role == NULL)
		return usage_error("collect", "--external-id needs --role-arn");
	if (a.level >= 0)
		log_level = a.level;
	memset(&ao, 0, sizeof(ao));
	memset(&cfg, 0, sizeof(cfg));
	memset(&creds, 0, sizeof(creds));
	memset(&target, 0, sizeof(target));
	ao.profile = a.profile;
	if (a.mfa_code != NULL)
		aws_mfa_set_code(a.mfa_code);
	ao.region = a.region;
	ao.endpoint_url = a.endpoint;
	ao.timeout_ms = a.timeout * 1000L;
	target.role_arn = a.role;
	target.external_id = a.external_id;

	/* From here on every wait (credential_process included) can be interrupted. */
	cli_catch_signals();
	if (!aws_config_load(&ao, &cfg, &err)) {
		fprintf(stderr, "iamgrade collect: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	have_cfg = 1;
	if (!aws_creds_resolve(&cfg, &creds, &err)) {
		fprintf(stderr, "iamgrade collect: %s\n", str_sanitize_term(err));
		goto out;
	}
	have_creds = 1;
	rc = collect_write(&a, &target, &cfg, &creds);
out:
	/* A wait cut short by a signal is an interruption, whatever it broke. */
	if (cli_stop)
		rc = EXIT_SIGNAL + cli_stop;
	free(err);
	if (have_creds)
		aws_creds_free(&creds);
	if (have_cfg)
		aws_config_free(&cfg);
	return rc;
}
