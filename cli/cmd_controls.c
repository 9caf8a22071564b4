/* iamgrade controls: not built yet. */
#include "cli/cli.h"

int
cmd_controls(int argc, char *argv[])
{
	return usage_error("controls", "not built yet");
}
