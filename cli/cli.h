/*
 * The command line: one cmd_*.c per subcommand.  Each parses its arguments
 * (getopt_long), calls the modules and maps the outcome to an exit code.
 * Only cli/ prints to the user or exits (STYLE.md §4).
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

/* Exit codes: public, documented in the README. */
enum {
	EXIT_OK = 0,		/* done; no control failed at or above --fail-on */
	EXIT_FAILED = 1,	/* a control failed at or above --fail-on */
	EXIT_USAGE = 2,		/* bad usage or bad input (a file that is not a snapshot, ...) */
	EXIT_INCOMPLETE = 3,	/* collection incomplete: an account or a source could not be read */
};

int	cmd_run(int, char **);
int	cmd_collect(int, char **);
int	cmd_check(int, char **);
int	cmd_report(int, char **);
int	cmd_policy(int, char **);
int	cmd_controls(int, char **);
int	cmd_simulate(int, char **);

/* Print "iamgrade CMD: message" to stderr and return EXIT_USAGE. */
int	usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
