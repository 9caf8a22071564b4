/*
 * Declarative options (in the spirit of git's parse-options): each command
 * is a table of rows (name, short name, kind, target, metavar, help); one
 * parser reads every command's arguments, and --help and the README's
 * command table are printed from the same rows, so they cannot drift.
 * A target is an offset into the command's own arguments struct.
 */
#ifndef CLI_OPTS_H
#define CLI_OPTS_H

#include <stddef.h>
#include <stdio.h>

#include "common/common.h"

enum cli_kind {
	CLI_END,	/* ends a table */
	CLI_HEADING,	/* not an option: help is a heading line for what follows */
	CLI_FLAG,	/* no value: the int target gets .value (last one wins) */
	CLI_STRING,	/* const char * target (last one wins, or CLI_ONCE) */
	CLI_INT,	/* int target, a decimal number from .min to .max */
	CLI_LIST,	/* struct cli_list target: every value, in order (repeatable) */
};

enum {
	CLI_ONCE = 1,	/* given twice is an error */
	CLI_OFF = 2,	/* not an option of this command (a row of a shared list) */
};

/* A repeatable option's values: struct cli_list (common/common.h), allocated by cli_parse. */

struct cli_opt {
	enum cli_kind	 kind;
	const char	*name;		/* --name */
	int		 short_name;	/* -c, or 0 */
	size_t		 off;		/* the target in the command's arguments */
	const char	*metavar;	/* "FILE"; NULL for a flag */
	const char	*help;		/* may hold "\n" for more lines */
	int		 value;		/* CLI_FLAG: what the target gets */
	int		 min, max;	/* CLI_INT: the range */
	const char	*unit;		/* CLI_INT: " of seconds" in the error, or NULL */
	int		 flags;		/* CLI_ONCE, CLI_OFF */
};

/* A row: CLI_OPT(kind, "name", 'c' or 0, struct type, member, "METAVAR", "help"[, .value = 1, ...]). */
#define CLI_OPT(k, n, s, T, m, mv, h, ...)					\
	{ .kind = (k), .name = (n), .short_name = (s), .off = offsetof(T, m),	\
	  .metavar = (mv), .help = (h), __VA_ARGS__ }
#define CLI_OPT_HEADING(text)	{ .kind = CLI_HEADING, .help = (text) }
#define CLI_OPT_END		{ .kind = CLI_END }

/*
 * Rows run and collect share (T's members: a const char * for the region and
 * the endpoint, ints for the rest), so that the two cannot drift.
 */
#define CLI_OPTS_AWS(T, region, endpoint, since, wait, timeout)			\
	CLI_OPT(CLI_STRING, "region", 0, T, region, "R",				\
	  "region (CloudTrail trails are listed there)"),			\
	CLI_OPT(CLI_STRING, "endpoint-url", 0, T, endpoint, "URL",		\
	  "send every call to URL (an emulator, a proxy)"),			\
	CLI_OPT(CLI_INT, "since", 0, T, since, "DAYS",				\
	  "look back DAYS days for CloudTrail events: CreateRole\nand the changes CHG-* read (1-90, default 30)", \
	  .min = 1, .max = 90, .unit = " of days"),       	\
	CLI_OPT(CLI_INT, "report-wait", 0, T, wait, "S",				\
	  "wait at most S seconds for IAM's credential report\n(1-3600, default 300)", \
	  .min = 1, .max = 3600, .unit = " of seconds"),			\
	CLI_OPT(CLI_INT, "timeout", 0, T, timeout, "S",				\
	  "give up an HTTP attempt after S seconds (1-3600, default 60)",	\
	  .min = 1, .max = 3600, .unit = " of seconds")
/*
 * The grouping rows report and run share, under the heading
 * CLI_GROUPING_HEADING; ous ends the sentence on where OUs come from (""
 * or ": ..."), some opens --select's help ("only some accounts: ").
 */
#define CLI_GROUPING_HEADING	"Grouping (README, \"Grouping\"):"
#define CLI_OPTS_GROUPING(T, group_by, select, ous, some)			\
	CLI_OPT(CLI_STRING, "group-by", 0, T, group_by, "ou|tag:KEY|none",	\
	  "how the summary groups accounts (default: ou when the\n"		\
	  "accounts have OUs" ous ")", .flags = CLI_ONCE),			\
	CLI_OPT(CLI_STRING, "select", 0, T, select, "EXPR",			\
	  some "terms separated by spaces or commas,\n"				\
	  "each an account id, a name glob, ou:/Path (that OU and\n"		\
	  "below) or tag:KEY=VALUE; terms of one kind are\n"			\
	  "alternatives, kinds all apply; a term matching nothing\n"		\
	  "is an error", .flags = CLI_ONCE)
/* -q, -v, --debug: the int member gets 0, 2 or 3 (the last given counts). */
#define CLI_OPTS_VERBOSITY(T, level)						\
	CLI_OPT(CLI_FLAG, "quiet", 'q', T, level, NULL,				\
	  "errors only (the last of -q, -v and --debug counts)", .value = 0),	\
	CLI_OPT(CLI_FLAG, "verbose", 'v', T, level, NULL,			\
	  "say what each source returned", .value = 2),			\
	CLI_OPT(CLI_FLAG, "debug", 0, T, level, NULL,				\
	  "log every request (never secrets)", .value = 3)

struct cli_cmd {
	const char		*name;		/* "check" */
	const char		*summary;	/* one line for iamgrade --help and the README */
	const char		*usage;		/* "usage: ..." and what the command does */
	const struct cli_opt	*opts;
	const char		*epilog;	/* after the options (config keys, exit status), or NULL */
};

/*
 * Parse argv (argv[0] is the command's name) into args per cmd->opts.
 * Returns the index of the first operand, 0 after printing --help
 * (exit 0), or -1 after a usage error naming the option (exit 2).
 */
int	cli_parse(const struct cli_cmd *, int argc, char **argv, void *args);
/* Free what cli_parse allocated in args (the lists). */
void	cli_args_free(const struct cli_cmd *, void *args);
/* The command's --help, from its table. */
void	cli_help(const struct cli_cmd *, FILE *);
/* The README's block for the command: a Markdown table of its options. */
void	cli_markdown(const struct cli_cmd *, FILE *);

#endif
