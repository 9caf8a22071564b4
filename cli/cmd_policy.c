/* iamgrade policy: print the least-privilege IAM policy iamgrade needs. */
#include <stdio.h>
#include <stdlib.h>

#include "collector/collector.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct policy_args {
	int		 runner;
	int		 security_hub;
	const char	*role;
};

static const struct cli_opt policy_opts[] = {
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_FLAG, "runner", 0, struct policy_args, runner, NULL,
	  "the policy of the identity that runs a multi-account\n"
	  "job: the above, Organizations ListAccounts and\n"
	  "DescribeOrganization, and sts:AssumeRole on the audit role", .value = 1),
	CLI_OPT(CLI_STRING, "role-name", 0, struct policy_args, role, "NAME",
	  "the audit role's name (default: any role)"),
	CLI_OPT(CLI_FLAG, "security-hub", 0, struct policy_args, security_hub, NULL,
	  "also securityhub:BatchImportFindings, for run\n"
	  "--security-hub (each account imports its own findings)", .value = 1),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_policy = {
	"policy", "print the least-privilege IAM policy the collector needs",
	"usage: iamgrade policy [--runner [--role-name NAME]] [--security-hub]\n"
	"\n"
	"Print an IAM policy (JSON).  Without options: what every audited account\n"
	"must allow iamgrade (read-only IAM and CloudTrail calls); attach it to\n"
	"the auditing user, or to the audit role in each account.\n",
	policy_opts, NULL
};

int
cmd_policy(int argc, char *argv[])
{
	struct policy_args a = { 0 };
	char *doc;
	int first;

	if ((first = cli_parse(&cli_cmd_policy, argc, argv, &a)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (first < argc)
		return usage_error("policy", "unexpected argument '%s'", argv[first]);
	if (a.role != NULL && !a.runner)
		return usage_error("policy", "--role-name goes with --runner");
	doc = collect_policy(a.runner, a.role, a.security_hub);
	printf("%s\n", doc);
	free(doc);
	return EXIT_OK;
}
