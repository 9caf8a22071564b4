/* iamgrade controls: the control catalogue, as a table or as the Markdown of docs/controls.md. */
#include <getopt.h>
#include <stdio.h>

#include "common/common.h"
#include "checks/catalogue.h"
#include "cli/cli.h"

static const char controls_usage[] =
    "usage: iamgrade controls [--markdown]\n"
    "\n"
    "List the controls iamgrade grades: id, severity, CIS recommendation,\n"
    "Security Hub control and title.  --markdown prints the full catalogue\n"
    "(documentation, sources, thresholds, remediation) as docs/controls.md.\n";

int
cmd_controls(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "markdown", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf out = { 0 };
	int ch, markdown = 0, rc = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'm':
			markdown = 1;
			break;
		case 'h':
			fputs(controls_usage, stdout);
			return EXIT_OK;
		default:
			return usage_error("controls", "unknown option '%s' (see --help)",
			    argv[optind - 1]);
		}
	if (optind < argc)
		return usage_error("controls", "unexpected argument '%s'", argv[optind]);
	if (!(markdown ? check_catalogue_markdown(&out) : check_catalogue_text(&out)))
		usage_error("controls", "cannot format the catalogue");
	else if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		usage_error("controls", "writing to standard output failed");
	else
		rc = EXIT_OK;
	buf_free(&out);
	return rc;
}
