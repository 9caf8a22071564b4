/* iamgrade controls: the control catalogue, as a table or as the Markdown of docs/controls.md. */
#include <stdio.h>

#include "common/common.h"
#include "checks/catalogue.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct controls_args {
	int		 markdown;
	const char	*framework;
};

static const struct cli_opt controls_opts[] = {
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_FLAG, "markdown", 0, struct controls_args, markdown, NULL,
	  "the full catalogue as docs/controls.md", .value = 1),
	CLI_OPT(CLI_STRING, "framework", 0, struct controls_args, framework, "NAME",
	  "a framework's requirements in its own order, with the controls that\n"
	  "support each: cis-v3.0.0, cis-v5.0.0, securityhub, soc2, iso27001,\n"
	  "pci-dss-v4.0, nist-800-53-r5"),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_controls = {
	"controls", "list the control catalogue",
	"usage: iamgrade controls [--markdown | --framework NAME]\n"
	"\n"
	"List the controls iamgrade grades: id, severity, CIS recommendation,\n"
	"Security Hub control and title.  --markdown prints the full catalogue\n"
	"(documentation, sources, thresholds, remediation, frameworks) as\n"
	"docs/controls.md.\n",
	controls_opts, NULL
};

int
cmd_controls(int argc, char *argv[])
{
	struct controls_args a = { 0 };
	struct buf out = { 0 };
	const struct check_framework *fw = NULL;
	int first, rc = EXIT_USAGE;

	if ((first = cli_parse(&cli_cmd_controls, argc, argv, &a)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (first < argc)
		return usage_error("controls", "unexpected argument '%s'", argv[first]);
	if (a.framework != NULL && (fw = check_framework_find(a.framework)) == NULL)
		return usage_error("controls", "--framework %s: not a framework (see --help)", a.framework);
	if (a.markdown && fw != NULL)
		return usage_error("controls", "--markdown and --framework exclude each other");
	if (!(fw ? check_framework_text(fw, &out) : a.markdown ? check_catalogue_markdown(&out) :
	    check_catalogue_text(&out)))
		usage_error("controls", "cannot format the catalogue");
	else if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		usage_error("controls", "writing to standard output failed");
	else
		rc = EXIT_OK;
	buf_free(&out);
	return rc;
}
