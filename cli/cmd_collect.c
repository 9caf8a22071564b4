/* iamgrade collect: not built yet. */
#include "cli/cli.h"

int
cmd_collect(int argc, char *argv[])
{
	return usage_error("collect", "not built yet");
}
