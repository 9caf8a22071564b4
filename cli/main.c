/* iamgrade: pick the subcommand from a table and run it. */
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "common/common.h"
#include "collector/aws.h"
#include "cli/cli.h"
#include "cli/opts.h"

/* A command's summary and options are its table's (cli/opts.h); a NULL table: still its own getopt. */
static const struct command {
	const char		*name;
	int			(*fn)(int, char **);
	const char		*summary;
	const struct cli_cmd	*cmd;
} commands[] = {
	{ "run",	cmd_run,	NULL, &cli_cmd_run },
	{ "collect",	cmd_collect,	NULL, &cli_cmd_collect },
	{ "check",	cmd_check,	NULL, &cli_cmd_check },
	{ "report",	cmd_report,	NULL, &cli_cmd_report },
	{ "policy",	cmd_policy,	NULL, &cli_cmd_policy },
	{ "controls",	cmd_controls,	NULL, &cli_cmd_controls },
	{ "simulate",	cmd_simulate,	NULL, &cli_cmd_simulate },
	{ NULL, NULL, NULL, NULL }
};

static const char *
command_summary(const struct command *c)
{
	return c->cmd != NULL ? c->cmd->summary : c->summary;
}

/*
 * iamgrade help --markdown: the README's command reference, printed from
 * the option tables (tests/unit/readme_fresh.sh compares it with README.md).
 */
static int
help_markdown(void)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (c->cmd != NULL)
			cli_markdown(c->cmd, stdout);
	return EXIT_OK;
}

int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iamgrade %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

volatile int cli_stop;

static void
cli_on_signal(int sig)
{
	if (cli_stop == 0)
		cli_stop = sig;
	aws_cancel();	/* async-signal-safe: sets a flag every wait looks at */
}

void
cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: iamgrade COMMAND [options]   (iamgrade COMMAND --help)\n\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-9s %s\n", c->name, command_summary(c));
}

int
main(int argc, char *argv[])
{
	const struct command *c;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc == 3 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "--markdown") == 0)
		return help_markdown();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("iamgrade %s\n", IAMGRADE_VERSION);
		return EXIT_OK;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (c->name == NULL) {
		fprintf(stderr, "iamgrade: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/*
	 * No fastbins: a snapshot is millions of small jansson allocations
	 * freed together, and glibc then spends a fifth of the time
	 * consolidating fastbins (100,000 denied CreateRole calls to HTML:
	 * 6.6 s with them, 5.4 s without; docs/performance.md).
	 */
	mallopt(M_MXFAST, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	rc = c->fn(argc - 1, argv + 1);
	/* What went to standard output must have arrived (a full disk, /dev/full). */
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc < EXIT_IO) {
		/* A command that saw it already said so (and returned EXIT_USAGE). */
		if (rc != EXIT_USAGE)
			fprintf(stderr, "iamgrade %s: standard output: write failed\n", c->name);
		rc = EXIT_IO;
	}
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
