/* iamgrade: pick the subcommand from a table and run it. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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
	{ "merge",	cmd_merge,	NULL, &cli_cmd_merge },
	{ "policy",	cmd_policy,	NULL, &cli_cmd_policy },
	{ "controls",	cmd_controls,	NULL, &cli_cmd_controls },
	{ "simulate",	cmd_simulate,	NULL, &cli_cmd_simulate },
	{ "suggest-policy", cmd_suggest, NULL, &cli_cmd_suggest },
	{ "verify",	cmd_verify,	NULL, &cli_cmd_verify },
	{ "keygen",	cmd_keygen,	NULL, &cli_cmd_keygen },
	{ NULL, NULL, NULL, NULL }
};

static const char *
command_summary(const struct command *c)
{
	return c->cmd != NULL ? c->cmd->summary : c->summary;
}

/* cli.h */
int
cli_put_stdout(void *arg, const void *p, size_t len, char **err)
{
	return len == 0 || fwrite(p, 1, len, stdout) == len ||
	    err_set(err, "standard output: write failed");
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

/*
 * The MFA code prompt (aws_mfa_set_prompt): on the controlling terminal,
 * never on standard output (a report may go there) and without echo; no
 * terminal (cron, CI) means no prompt, and the AWS layer says to use
 * --mfa-code.  The profile and serial come from the config file: sanitised.
 */
static int
cli_mfa_prompt(const char *profile, const char *serial, char *buf, size_t n)
{
	struct termios old, quiet;
	char *p = str_sanitize_term(xstrdup(profile)), *s = str_sanitize_term(xstrdup(serial));
	ssize_t got;
	size_t len = 0;
	char c;
	int fd, echo_off = 0, rc = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		goto out;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	dprintf(fd, "MFA code for %s (profile %s): ", s, p);
	while ((got = read(fd, &c, 1)) == 1 && c != '\n')
		if (len + 1 < n)
			buf[len++] = c;
	buf[len] = '\0';
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	rc = got == 1 || len > 0;
out:
	if (fd >= 0)
		close(fd);
	free(p);
	free(s);
	return rc;
}

extern char **environ;

/*
 * iamgrade help [COMMAND]: the manual page (iamgrade(1), iamgrade-run(1),
 * ...) through man(1), as git help does; where no page is installed (a
 * build tree, or no man), the command's --help.  1 when man showed it.
 */
static int
cli_man(const char *page)
{
	char *const argv[] = { (char *)"man", (char *)page, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;

	/* man's own "No manual entry" would only precede the --help fallback. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	fflush(stdout);
	if (posix_spawnp(&pid, "man", &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
	return st == 0;
}

const char *
cli_region(const char *given)
{
	const char *v;

	if (given != NULL)
		return given;
	if ((v = getenv("AWS_REGION")) != NULL && *v != '\0')
		return v;
	if ((v = getenv("AWS_DEFAULT_REGION")) != NULL && *v != '\0')
		return v;
	return NULL;
}

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: iamgrade COMMAND [options]   (iamgrade COMMAND --help)\n\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-15s %s\n", c->name, command_summary(c));
}

/* iamgrade help [--markdown | COMMAND]. */
static int
main_help(int argc, char *argv[])
{
	const struct command *c;
	char *page, *help[3];
	int rc;

	if (argc == 3 && strcmp(argv[2], "--markdown") == 0)
		return help_markdown();
	if (argc < 3) {
		if (!cli_man("iamgrade"))
			usage(stdout);
		return EXIT_OK;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[2]) == 0)
			break;
	if (c->name == NULL) {
		fprintf(stderr, "iamgrade help: unknown command '%s'\n", argv[2]);
		usage(stderr);
		return EXIT_USAGE;
	}
	page = xasprintf("iamgrade-%s", argv[2]);
	help[0] = argv[2];
	help[1] = (char *)"--help";
	help[2] = NULL;
	rc = cli_man(page) ? EXIT_OK : c->fn(2, help);
	free(page);
	return rc;
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
	if (strcmp(argv[1], "help") == 0)
		return main_help(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
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
	aws_mfa_set_prompt(cli_mfa_prompt);
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
