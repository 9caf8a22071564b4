/* iamgrade collect: one account's snapshot into --out DIR. */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "cli/cli.h"

static const char collect_usage[] =
    "usage: iamgrade collect [--profile P] [--region R] [--endpoint-url URL]\n"
    "                        [--since DAYS] [--role-arn ARN [--external-id ID]]\n"
    "                        [--report-wait SECONDS] [--timeout SECONDS]\n"
    "                        [--mfa-code CODE]\n"
    "                        [-v|--verbose] [--debug] [-q] --out DIR\n"
    "\n"
    "Collect the IAM state of the account the credentials (or --role-arn)\n"
    "lead to and write it as DIR/<account-id>.json (never over an earlier\n"
    "snapshot: a second one gets -2, -3, ...).  Prints the snapshot's path.\n"
    "\n"
    "  --profile P        profile from the shared AWS config files\n"
    "  --mfa-code CODE    the MFA code for a role profile with mfa_serial (else\n"
    "                     IAMGRADE_MFA_CODE, else asked on the terminal)\n"
    "  --region R         region (CloudTrail trails are listed there)\n"
    "  --endpoint-url URL send every call to URL (an emulator, a proxy)\n"
    "  --since DAYS       look back DAYS days for CreateRole events (1-90, default 30)\n"
    "  --role-arn ARN     assume this role first and collect its account\n"
    "  --external-id ID   the ExternalId the role's trust policy asks for\n"
    "  --report-wait S    wait at most S seconds for IAM's credential report\n"
    "                     (1-3600, default 300)\n"
    "  --timeout S        give up an HTTP attempt after S seconds (1-3600, default 60)\n"
    "  -v, --verbose      say what each source returned\n"
    "  --debug            log every request (never secrets)\n"
    "  -q, --quiet        errors only\n"
    "  --out DIR          where the snapshot goes (created, mode 0700)\n"
    "\n"
    "Exit status: 0 complete, 2 usage or input error, 3 incomplete or no\n"
    "snapshot, 4 the snapshot could not be written (full disk), 130/143\n"
    "interrupted by SIGINT/SIGTERM (nothing written).\n";

enum {
	OPT_PROFILE = 256, OPT_REGION, OPT_ENDPOINT, OPT_SINCE, OPT_ROLE,
	OPT_EXTERNAL_ID, OPT_DEBUG, OPT_OUT, OPT_REPORT_WAIT, OPT_TIMEOUT, OPT_MFA_CODE
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

int
cmd_collect(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "profile",		required_argument, NULL, OPT_PROFILE },
		{ "region",		required_argument, NULL, OPT_REGION },
		{ "endpoint-url",	required_argument, NULL, OPT_ENDPOINT },
		{ "mfa-code",		required_argument, NULL, OPT_MFA_CODE },
		{ "since",		required_argument, NULL, OPT_SINCE },
		{ "role-arn",		required_argument, NULL, OPT_ROLE },
		{ "external-id",	required_argument, NULL, OPT_EXTERNAL_ID },
		{ "report-wait",	required_argument, NULL, OPT_REPORT_WAIT },
		{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
		{ "verbose",		no_argument,	   NULL, 'v' },
		{ "debug",		no_argument,	   NULL, OPT_DEBUG },
		{ "quiet",		no_argument,	   NULL, 'q' },
		{ "out",		required_argument, NULL, OPT_OUT },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct aws_opts ao;
	struct aws_config cfg;
	struct aws_creds creds;
	struct collect_target target;
	struct collect_opts co;
	json_t *snap = NULL;
	const char *out = NULL;
	char *err = NULL, *path = NULL, *end;
	struct stat st;
	long since = 30, wait = 300, timeout;
	int ch, rc = EXIT_USAGE, have_cfg = 0, have_creds = 0;

	memset(&ao, 0, sizeof(ao));
	memset(&cfg, 0, sizeof(cfg));
	memset(&creds, 0, sizeof(creds));
	memset(&target, 0, sizeof(target));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1)
		switch (ch) {
		case OPT_PROFILE:
			ao.profile = optarg;
			break;
		case OPT_REGION:
			ao.region = optarg;
			break;
		case OPT_ENDPOINT:
			ao.endpoint_url = optarg;
			break;
		case OPT_MFA_CODE:
			aws_mfa_set_code(optarg);
			break;
		case OPT_SINCE:
			since = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || since < 1 || since > 90)
				return usage_error("collect", "--since takes a number of days "
				    "from 1 to 90 (CloudTrail keeps 90), not '%s'", optarg);
			break;
		case OPT_REPORT_WAIT:
			wait = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait < 1 || wait > 3600)
				return usage_error("collect", "--report-wait takes a number of "
				    "seconds from 1 to 3600, not '%s'", optarg);
			break;
		case OPT_TIMEOUT:
			timeout = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout < 1 || timeout > 3600)
				return usage_error("collect", "--timeout takes a number of "
				    "seconds from 1 to 3600, not '%s'", optarg);
			ao.timeout_ms = timeout * 1000;
			break;
		case OPT_ROLE:
			target.role_arn = optarg;
			break;
		case OPT_EXTERNAL_ID:
			target.external_id = optarg;
			break;
		case 'v':
			if (log_level < 2)
				log_level = 2;
			break;
		case OPT_DEBUG:
			log_level = 3;
			break;
		case 'q':
			log_level = 0;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case 'h':
			fputs(collect_usage, stdout);
			return EXIT_OK;
		default:
			return usage_error("collect", "unknown option or missing value: '%s' "
			    "(see --help)", argv[optind - 1]);
		}
	if (optind < argc)
		return usage_error("collect", "unexpected argument '%s'", argv[optind]);
	if (out == NULL)
		return usage_error("collect", "--out DIR is required");
	if (target.external_id != NULL && target.role_arn == NULL)
		return usage_error("collect", "--external-id needs --role-arn");

	/* From here on every wait (credential_process included) can be interrupted. */
	cli_catch_signals();
	rc = EXIT_INCOMPLETE;
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
	memset(&co, 0, sizeof(co));
	co.cfg = &cfg;
	co.since_days = (int)since;
	co.report_wait_s = (int)wait;
	if ((snap = collect_account(&target, &creds, &co, &err)) == NULL) {
		fprintf(stderr, "iamgrade collect: %s\n", str_sanitize_term(err));
		goto out;
	}
	if (cli_stop) {
		/* Cut short: a snapshot of half the sources would only mislead. */
		fprintf(stderr, "iamgrade collect: interrupted: no snapshot written\n");
		goto out;
	}
	if (!dir_make(out, 0700, &err) || !snapshot_write(out, snap, &path, &err)) {
		fprintf(stderr, "iamgrade collect: %s\n", err);
		/* DIR a file or a planted symlink is bad input; the rest is I/O. */
		rc = lstat(out, &st) == 0 && !S_ISDIR(st.st_mode) ? EXIT_USAGE : EXIT_IO;
		goto out;
	}
	printf("%s\n", path);
	if (jbool(json_object_get(snap, "collection"), "complete", 0))
		rc = EXIT_OK;
	else
		collect_report_problems(path, snap);
out:
	/* A wait cut short by a signal is an interruption, whatever it broke. */
	if (cli_stop)
		rc = EXIT_SIGNAL + cli_stop;
	json_decref(snap);
	free(path);
	free(err);
	if (have_creds)
		aws_creds_free(&creds);
	if (have_cfg)
		aws_config_free(&cfg);
	return rc;
}
