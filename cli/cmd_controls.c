/* iamgrade controls: the control catalogue, as a table or as the Markdown of docs/controls.md. */
#include <getopt.h>
#include <stdio.h>

#include "common/common.h"
#include "checks/catalogue.h"
#include "cli/cli.h"

static const char controls_usage[] =
    "usage: iamgrade controls [--markdown | --framework NAME]\n"
    "\n"
    "List the controls iamgrade grades: id, severity, CIS recommendation,\n"
    "Security Hub control and title.  --markdown prints the full catalogue\n"
    "(documentation, sources, thresholds, remediation, frameworks) as\n"
    "docs/controls.md.  --framework NAME lists a framework's requirements in\n"
    "its own order with the controls that support each: cis-v3.0.0,\n"
    "cis-v5.0.0, securityhub, soc2, iso27001, pci-dss-v4.0, nist-800-53-r5.\n";

int
cmd_controls(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "markdown", no_argument, NULL, 'm' },
		{ "framework", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf out = { 0 };
	const struct check_framework *fw = NULL;
	int ch, markdown = 0, rc = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'm':
			markdown = 1;
			break;
		case 'f':
			if ((fw = check_framework_find(optarg)) == NULL)
				return usage_error("controls", "--framework %s: not a framework (see --help)", optarg);
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
	if (markdown && fw != NULL)
		return usage_error("controls", "--markdown and --framework exclude each other");
	if (!(fw ? check_framework_text(fw, &out) : markdown ? check_catalogue_markdown(&out) :
	    check_catalogue_text(&out)))
		usage_error("controls", "cannot format the catalogue");
	else if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		usage_error("controls", "writing to standard output failed");
	else
		rc = EXIT_OK;
	buf_free(&out);
	return rc;
}
