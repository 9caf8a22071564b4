/* iamgrade policy: print the least-privilege IAM policy iamgrade needs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "collector/collector.h"
#include "cli/cli.h"

static const char policy_usage[] =
    "usage: iamgrade policy [--runner [--role-name NAME]]\n"
    "\n"
    "Print an IAM policy (JSON).  Without options: what every audited account\n"
    "must allow iamgrade (read-only IAM and CloudTrail calls); attach it to\n"
    "the auditing user, or to the audit role in each account.\n"
    "\n"
    "  --runner          the policy of the identity that runs a multi-account\n"
    "                    job: the above, Organizations ListAccounts and\n"
    "                    DescribeOrganization, and sts:AssumeRole on the audit role\n"
    "  --role-name NAME  the audit role's name (default: any role)\n";

int
cmd_policy(int argc, char *argv[])
{
	enum { O_RUNNER = 256, O_ROLE };
	static const struct option longopts[] = {
		{ "runner", no_argument, NULL, O_RUNNER },
		{ "role-name", required_argument, NULL, O_ROLE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL;
	char *doc;
	int ch, runner = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case O_RUNNER:
			runner = 1;
			break;
		case O_ROLE:
			role = optarg;
			break;
		case 'h':
			fputs(policy_usage, stdout);
			return EXIT_OK;
		default:
			return usage_error("policy", "unknown option '%s' (see --help)",
			    argv[optind - 1]);
		}
	if (optind < argc)
		return usage_error("policy", "unexpected argument '%s'", argv[optind]);
	if (role != NULL && !runner)
		return usage_error("policy", "--role-name goes with --runner");
	doc = collect_policy(runner, role);
	printf("%s\n", doc);
	free(doc);
	return EXIT_OK;
}
