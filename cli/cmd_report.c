/* iamgrade report: not built yet. */
#include "cli/cli.h"

int
cmd_report(int argc, char *argv[])
{
	return usage_error("report", "not built yet");
}
