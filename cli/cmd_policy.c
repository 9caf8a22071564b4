/* iamgrade policy: not built yet. */
#include "cli/cli.h"

int
cmd_policy(int argc, char *argv[])
{
	return usage_error("policy", "not built yet");
}
