/* iamgrade run: not built yet. */
#include "cli/cli.h"

int
cmd_run(int argc, char *argv[])
{
	return usage_error("run", "not built yet");
}
