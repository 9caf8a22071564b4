/*
 * The command line: one cmd_*.c per subcommand.  Each parses its arguments
 * (cli_parse, from its option table: cli/opts.h), calls the modules and maps the outcome to an exit code.
 * Only cli/ prints to the user or exits (docs/style.md §4).
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>

#include "common/exit.h"	/* the exit codes */

/*
 * SIGINT and SIGTERM for the commands that talk to AWS (run, collect): the
 * first one cancels every AWS call, sleep and credential_process in
 * progress (aws_cancel) and sets cli_stop to the signal's number, so the
 * command winds down within a second or two and exits EXIT_SIGNAL + the
 * signal; a second one is not caught (SA_RESETHAND) and ends the process
 * at once.
 */
extern volatile int cli_stop;
void	cli_catch_signals(void);

/* A writer for run_files_write: standard output (arg unused); 0 with *err when a write fails. */
int	cli_put_stdout(void *arg, const void *p, size_t len, char **err);

/* The commands' option tables (cli/opts.h), for main's help and the README. */
struct cli_cmd;
extern const struct cli_cmd cli_cmd_run, cli_cmd_collect, cli_cmd_check, cli_cmd_report, cli_cmd_controls, cli_cmd_policy,
    cli_cmd_simulate, cli_cmd_verify, cli_cmd_keygen, cli_cmd_suggest, cli_cmd_merge;

int	cmd_run(int, char **);
int	cmd_collect(int, char **);
int	cmd_check(int, char **);
int	cmd_report(int, char **);
int	cmd_policy(int, char **);
int	cmd_controls(int, char **);
int	cmd_simulate(int, char **);
int	cmd_suggest(int, char **);
int	cmd_verify(int, char **);
int	cmd_keygen(int, char **);
int	cmd_merge(int, char **);

/* The region a command was given, else AWS_REGION, else AWS_DEFAULT_REGION, else NULL. */
const char *cli_region(const char *given);

/* Print "iamgrade CMD: message" to stderr and return EXIT_USAGE. */
int	usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
