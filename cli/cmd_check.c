/* iamgrade check: not built yet. */
#include "cli/cli.h"

int
cmd_check(int argc, char *argv[])
{
	return usage_error("check", "not built yet");
}
