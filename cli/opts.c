/* One option parser for every command, from its table (cli/opts.h). */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "cli/opts.h"
#include "cli/cli.h"

/* The rows that are options of this command, counted. */
static size_t
opts_count(const struct cli_opt *o)
{
	size_t n = 0;

	for (; o->kind != CLI_END; o++)
		n += o->kind != CLI_HEADING && !(o->flags & CLI_OFF);
	return n;
}

/* getopt_long's tables, from ours: val is the row's index + 256, or the short name. */
static struct option *
opts_getopt(const struct cli_opt *opts, char *shorts)
{
	struct option *lo = xcalloc(opts_count(opts) + 2, sizeof(*lo));
	size_t n = 0, s = 0;
	int i;

	shorts[s++] = ':';
	shorts[s++] = 'h';
	for (i = 0; opts[i].kind != CLI_END; i++) {
		if (opts[i].kind == CLI_HEADING || (opts[i].flags & CLI_OFF))
			continue;
		lo[n++] = (struct option){ opts[i].name,
		    opts[i].kind == CLI_FLAG ? no_argument : required_argument, NULL, 256 + i };
		if (opts[i].short_name != 0) {
			shorts[s++] = (char)opts[i].short_name;
			if (opts[i].kind != CLI_FLAG)
				shorts[s++] = ':';
		}
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	shorts[s] = '\0';
	return lo;
}

/* Store one option's value in args; 0 after a usage error. */
static int
opts_store(const struct cli_cmd *cmd, const struct cli_opt *o, const char *val,
    void *args, int argc)
{
	char *target = (char *)args + o->off, *end;
	struct cli_list *l;
	long v;

	switch (o->kind) {
	case CLI_FLAG:
		*(int *)(void *)target = o->value;
		return 1;
	case CLI_STRING:
		if ((o->flags & CLI_ONCE) && *(const char **)(void *)target != NULL) {
			usage_error(cmd->name, "--%s is given twice", o->name);
			return 0;
		}
		*(const char **)(void *)target = val;
		return 1;
	case CLI_INT:
		v = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0' || v < o->min || v > o->max) {
			usage_error(cmd->name, "--%s takes a number%s from %d to %d, not '%s'",
			    o->name, o->unit ? o->unit : "", o->min, o->max, val);
			return 0;
		}
		*(int *)(void *)target = (int)v;
		return 1;
	case CLI_LIST:
		l = (struct cli_list *)(void *)target;
		if (l->v == NULL)
			l->v = xcalloc((size_t)argc + 1, sizeof(*l->v));
		l->v[l->n++] = val;
		return 1;
	default:
		return 0;
	}
}

/* The row a short option names. */
static const struct cli_opt *
opts_short(const struct cli_opt *o, int ch)
{
	for (; o->kind != CLI_END; o++)
		if (o->short_name == ch && !(o->flags & CLI_OFF) && o->kind != CLI_HEADING)
			return o;
	return NULL;
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args)
{
	char shorts[128];
	struct option *lo = opts_getopt(cmd->opts, shorts);
	const struct cli_opt *o;
	int ch, rc = -1;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (ch == 'h') {
			cli_help(cmd, stdout);
			rc = 0;
			goto out;
		}
		if (ch == ':') {
			usage_error(cmd->name, "%s needs a value (see iamgrade %s --help)",
			    argv[optind - 1], cmd->name);
			goto out;
		}
		o = ch >= 256 ? &cmd->opts[ch - 256] : opts_short(cmd->opts, ch);
		if (o == NULL) {
			usage_error(cmd->name, "unknown option '%s' (see iamgrade %s --help)",
			    argv[optind - 1], cmd->name);
			goto out;
		}
		if (!opts_store(cmd, o, optarg, args, argc))
			goto out;
	}
	rc = optind;
out:
	free(lo);
	return rc;
}

void
cli_args_free(const struct cli_cmd *cmd, void *args)
{
	const struct cli_opt *o;

	for (o = cmd->opts; o->kind != CLI_END; o++)
		if (o->kind == CLI_LIST) {
			free(((struct cli_list *)(void *)((char *)args + o->off))->v);
			((struct cli_list *)(void *)((char *)args + o->off))->v = NULL;
		}
}

/* "-c, --name METAVAR" into out (size n). */
static void
opts_label(const struct cli_opt *o, char *out, size_t n)
{
	char s[8] = "";

	if (o->short_name != 0)
		snprintf(s, sizeof(s), "-%c, ", o->short_name);
	snprintf(out, n, "%s--%s%s%s", s, o->name, o->metavar ? " " : "",
	    o->metavar ? o->metavar : "");
}

void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_opt *o;
	const char *p, *nl;
	char label[128];

	fputs(cmd->usage, f);
	for (o = cmd->opts; o->kind != CLI_END; o++) {
		if (o->flags & CLI_OFF)
			continue;
		if (o->kind == CLI_HEADING) {
			fprintf(f, "\n%s\n", o->help);
			continue;
		}
		opts_label(o, label, sizeof(label));
		fprintf(f, "  %-19s", label);
		/* A label wider than its column puts the help on the next line. */
		if (strlen(label) > 19)
			fprintf(f, "\n%22s", "");
		for (p = o->help; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
			fprintf(f, " %.*s\n%21s", (int)(nl - p), p, "");
		fprintf(f, " %s\n", p);
	}
	if (cmd->epilog != NULL)
		fprintf(f, "\n%s", cmd->epilog);
}

void
cli_markdown(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_opt *o;
	const char *p;
	char label[128];

	fprintf(f, "`iamgrade %s`: %s\n\n| Option | What it does |\n|---|---|\n",
	    cmd->name, cmd->summary);
	for (o = cmd->opts; o->kind != CLI_END; o++) {
		if (o->kind == CLI_HEADING || (o->flags & CLI_OFF))
			continue;
		opts_label(o, label, sizeof(label));
		fprintf(f, "| `%s` | ", label);
		for (p = o->help; *p != '\0'; p++)
			fputc(*p == '\n' ? ' ' : *p == '|' ? '/' : *p, f);
		fputs(o->kind == CLI_LIST ? " (repeatable) |\n" : " |\n", f);
	}
	fputc('\n', f);
}
