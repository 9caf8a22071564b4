/* iamgrade policy: print the least-privilege IAM policy the collector needs. */
#include <getopt.h>
#include <stdio.h>

#include "collector/collector.h"
#include "cli/cli.h"

static const char policy_usage[] =
    "usage: iamgrade policy\n"
    "\n"
    "Print the IAM policy (JSON) that lets iamgrade collect: read-only IAM,\n"
    "CloudTrail and Organizations calls, and sts:AssumeRole for --role-arn\n"
    "and --role-name runs.\n";

int
cmd_policy(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'h':
			fputs(policy_usage, stdout);
			return EXIT_OK;
		default:
			return usage_error("policy", "unknown option '%s' (see --help)",
			    argv[optind - 1]);
		}
	if (optind < argc)
		return usage_error("policy", "unexpected argument '%s'", argv[optind]);
	fputs(collect_policy(), stdout);
	return EXIT_OK;
}
