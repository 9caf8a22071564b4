/* iamgrade report: snapshots or a results document in, HTML/PDF/CSV/JSON out. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/schema.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "report/compare.h"
#include "report/group.h"
#include "report/history.h"
#include "report/report.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "run/run.h"


#define REPORT_MAX_OUTPUT	(1024UL * 1024 * 1024)	/* one rendered report */

/* What report's options set (cli/opts.h). */
struct report_args {
	const char	*out[REPORT_FMT__MAX];	/* --NAME FILE per format */
	const char	*results;
	struct cli_list	 bases;
	const char	*config;
	const char	*exceptions;
	const char	*framework;
	const char	*region;
	int		 summary, detail;
	const char	*organization;		/* --organization FILE */
	const char	*group_by;
	const char	*select;
	const char	*history;		/* --history DIR */
};

/* report --NAME FILE for each format whose row offers it (report/formats.h). */
#define REPORT_OUT_OPT(E, n, mode, renders, commands, run_file, help)		\
	CLI_OPT(CLI_STRING, #n, 0, struct report_args, out[REPORT_##E], "FILE",	\
	  help, .flags = CLI_ONCE | ((commands) & REPORT_IN_REPORT ? 0 : CLI_OFF)),

static const struct cli_opt report_opts_table[] = {
	CLI_OPT_HEADING("Outputs (at least one; FILE may be - for standard output, once):"),
	REPORT_FORMAT_LIST(REPORT_OUT_OPT)
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "results", 0, struct report_args, results, "FILE",
	  "read a results document instead of snapshots; with more\n"
	  "files after it, the results of a sharded run's shards,\n"
	  "joined (each shard once, none missing, no account twice)", .flags = CLI_ONCE),
	CLI_OPT(CLI_LIST, "baseline", 0, struct report_args, bases, "FILE",
	  "an earlier run to compare with: a results document or\n"
	  "snapshots (repeat the option for several files)"),
	CLI_OPT(CLI_STRING, "config", 0, struct report_args, config, "FILE",
	  "thresholds and trusted accounts for grading snapshots"),
	CLI_OPT(CLI_STRING, "exceptions", 0, struct report_args, exceptions, "FILE",
	  "accepted risks for grading snapshots (README\n"
	  "\"Accepted risks\"); a results document carries its own"),
	CLI_OPT(CLI_STRING, "framework", 0, struct report_args, framework, "NAME",
	  "add the compliance view of a framework: cis-v3.0.0,\n"
	  "cis-v5.0.0, securityhub, soc2, iso27001, pci-dss-v4.0,\n"
	  "nist-800-53-r5 (iamgrade controls --framework NAME)"),
	CLI_OPT(CLI_STRING, "region", 0, struct report_args, region, "R",
	  "the Security Hub region of --asff's product ARN\n"
	  "(default: AWS_REGION, then AWS_DEFAULT_REGION)"),
	CLI_OPT(CLI_STRING, "history", 0, struct report_args, history, "DIR",
	  "the folder of earlier runs (run's --out): the HTML and\n"
	  "PDF draw the score and failing controls over the last 12\n"
	  "months, and the summary a trend arrow per account", .flags = CLI_ONCE),
	CLI_OPT(CLI_FLAG, "summary", 0, struct report_args, summary, NULL,
	  "the side-by-side comparison even for one account", .value = 1),
	CLI_OPT(CLI_FLAG, "detail", 0, struct report_args, detail, NULL,
	  "every account in full, one after another, even for\n"
	  "several (the default for several is the comparison)", .value = 1),
	CLI_OPT_HEADING(CLI_GROUPING_HEADING),
	CLI_OPT(CLI_STRING, "organization", 0, struct report_args, organization, "FILE",
	  "where each account sits: a run's organization.json (read\n"
	  "by default from RUN/ for snapshots in RUN/snapshots/, so a\n"
	  "report rebuilt offline groups as the run did)", .flags = CLI_ONCE),
	CLI_OPTS_GROUPING(struct report_args, group_by, select, "", "only some accounts: "),
	CLI_OPT_END
};
#undef REPORT_OUT_OPT

const struct cli_cmd cli_cmd_report = {
	"report", "render HTML, PDF, CSV, JSON, JUnit, ASFF or OCSF reports from snapshots or results",
	"usage: iamgrade report SNAPSHOT... [--config FILE] [options] OUTPUTS\n"
	"       iamgrade report --results FILE [FILE...] [options] OUTPUTS\n"
	"\n"
	"Render the grade of one account or several side by side.  Inputs are\n"
	"snapshots (graded here, like `iamgrade check`) or one results document\n"
	"(`iamgrade check --format json`).  Nothing is written unless every\n"
	"output renders; each file is written atomically, mode 0644 less the umask\n"
	"(--json: 0600, like snapshots).\n",
	report_opts_table,
	"Exit status: 0 written, 2 usage or bad input.  A snapshot that cannot be\n"
	"loaded is named and left out, the others are written, and the exit status\n"
	"is 2; any other bad input writes nothing.\n"
};

/* One requested output: format and path, and the rendered bytes. */
struct report_out {
	enum report_fmt	 fmt;
	const char	*path;
	struct buf	 data;
};

/* Print an error that may carry text from the input files. */
static int
report_fail(char *err)
{
	int rc;

	str_sanitize_term(err);
	rc = usage_error("report", "%s", err ? err : "failed");
	free(err);
	return rc;
}

/* The schema a JSON file declares, or NULL (*doc gets the parsed file). */
static int
report_read_json(const char *path, json_t **doc, char **err)
{
	json_error_t je;
	char *data = NULL;
	size_t len;

	*doc = NULL;
	if (!file_read(path, REPORT_MAX_RESULTS, &data, &len, err))
		return 0;
	*doc = json_loadb(data, len, 0, &je);
	free(data);
	if (*doc == NULL)
		return err_set(err, "%s: not JSON: line %d: %s", path, je.line, je.text);
	return 1;
}

/*
 * RUN/organization.json when every file is in RUN/snapshots/ and it exists:
 * the run's own record of where its accounts sit (caller frees), or NULL.
 */
static char *
report_run_structure(char **files, int n)
{
	char *dir = NULL, *p, *cand;
	struct stat st;
	int i;

	for (i = 0; i < n; i++) {
		p = xstrdup(files[i]);
		cand = strrchr(p, '/');
		if (cand == NULL || cand - p < 10 || strncmp(cand - 10, "/snapshots", 10) != 0 ||
		    (cand[-10] = '\0', dir != NULL && strcmp(dir, p) != 0)) {
			free(p);
			free(dir);
			return NULL;
		}
		free(dir);
		dir = p;
	}
	if (dir == NULL)
		return NULL;
	cand = xasprintf("%s/organization.json", dir);
	free(dir);
	if (stat(cand, &st) != 0) {
		free(cand);
		return NULL;
	}
	return cand;
}

/* A structure record ("iamgrade.organization/1"), or NULL with *err. */
static json_t *
report_load_structure(const char *path, char **err)
{
	json_t *doc = NULL;
	const char *schema;

	if (!report_read_json(path, &doc, err))
		return NULL;
	if ((schema = jstr(doc, "schema")) == NULL || strcmp(schema, SCHEMA_ORGANIZATION) != 0 ||
	    !json_is_object(json_object_get(doc, "accounts")) ||
	    !json_is_array(json_object_get(doc, "ous"))) {
		err_set(err, "%s: not an organization record (schema %s with accounts and ous)",
		    path, SCHEMA_ORGANIZATION);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * Where each account sits (the run's record, or --organization), then
 * --select and --group-by.  Without a record nor a grouping asked for, the
 * results stay as `iamgrade check` prints them.  0 after saying why.
 */
static int
report_group(const struct report_args *a, char **files, int nfiles, json_t *results,
    const json_t *baseline)
{
	json_t *st = NULL;
	char *path = NULL, *err = NULL;
	int ok = 0;

	if (a->organization == NULL && a->results == NULL)
		path = report_run_structure(files, nfiles);
	if ((a->organization != NULL || path != NULL) &&
	    (st = report_load_structure(a->organization ? a->organization : path, &err)) == NULL)
		goto out;
	if (st != NULL || a->select != NULL || a->group_by != NULL)
		group_attach(results, st);
	if ((a->select != NULL && !group_select(results, a->select, &err)) ||
	    ((st != NULL || a->group_by != NULL || json_object_get(results, "organization")) &&
	    !group_apply(results, baseline, a->group_by, &err)))
		goto out;
	ok = 1;
out:
	if (!ok)
		report_fail(err);
	json_decref(st);
	free(path);
	return ok;
}

/* A snapshot left out: say which and why, and remember the exit status. */
static void
report_skip(char **err, int *bad)
{
	report_fail(*err);
	*err = NULL;
	*bad = 1;
}

/*
 * A file that is not a snapshot may be a results document: 1 with *doc
 * (caller decrefs), 0 if it is not one, -1 with *err if it is but may not
 * be given here or is invalid.
 */
static int
report_take_results(const char *path, int allow, json_t **doc, char **err)
{
	const char *schema;

	*doc = NULL;
	if (!report_read_json(path, doc, NULL) || (schema = jstr(*doc, "schema")) == NULL ||
	    strcmp(schema, SCHEMA_RESULTS) != 0) {
		json_decref(*doc);
		*doc = NULL;
		return 0;
	}
	json_decref(*doc);
	*doc = NULL;
	if (!allow) {
		err_set(err, "%s is a results document: give it with --results", path);
		return -1;
	}
	if ((*doc = report_results_load(path, err)) == NULL)
		return -1;
	return 1;
}

/*
 * Grade files into a results document (check_files: all of them at once,
 * on threads).  Each file is a snapshot, or (when allow_results) a results
 * document whose accounts are taken as they are; several results documents
 * are joined as the shards of a run (check_results_join: each shard once,
 * none missing, no account twice).  A single results document is returned
 * whole.  With bad != NULL a snapshot that cannot be loaded or graded is
 * named on standard error, *bad is set and the others are graded (NULL only
 * when none could be); without it the first bad file fails the whole.
 */
static json_t *
report_grade(char **files, int n, int allow_results, const struct check_config *cfg,
    int *bad, char **err)
{
	json_t **acc = xcalloc((size_t)n, sizeof(*acc)), *accounts = json_array();
	json_t **docs = xcalloc((size_t)n + 1, sizeof(*docs)), *results = NULL, *joined, *a;
	const char **names = xcalloc((size_t)n + 1, sizeof(*names));
	char **errs = xcalloc((size_t)n, sizeof(*errs));
	size_t j, ndocs = 0;
	int i, r = 0;

	check_files(files, NULL, n, cfg, 0, acc, errs);
	for (i = 0; i < n && r >= 0; i++) {
		if (acc[i] != NULL) {
			json_array_append_new(accounts, acc[i]);
			acc[i] = NULL;
		} else if ((r = report_take_results(files[i], allow_results, &docs[ndocs],
		    err)) == 1) {
			names[ndocs++] = files[i];
		} else if (r == 0) {
			free(*err);
			*err = errs[i];
			errs[i] = NULL;
			if (bad == NULL)
				r = -1;
			else
				report_skip(err, bad);
		}
	}
	if (r >= 0 && n == 1 && ndocs == 1) {
		results = docs[0];
		docs[0] = NULL;
	} else if (r >= 0 && ndocs > 0) {
		/* Joined once all are read: shards are checked as a set. */
		if ((joined = check_results_join(docs, names, ndocs, err)) == NULL)
			r = -1;
		json_array_foreach(joined, j, a)
			json_array_append(accounts, a);
		json_decref(joined);
	}
	if (r >= 0 && results == NULL) {
		if (json_array_size(accounts) == 0 && bad != NULL && *bad)
			err_set(err, "no snapshot could be graded: nothing written");
		else if ((results = check_results(json_incref(accounts), cfg)) == NULL)
			err_set(err, "cannot assemble the results");
	}
	for (i = 0; i < n; i++) {
		json_decref(acc[i]);
		free(errs[i]);
	}
	for (j = 0; j < ndocs; j++)
		json_decref(docs[j]);
	free(docs);
	free(names);
	free(acc);
	free(errs);
	json_decref(accounts);
	return results;
}

/*
 * report_grade for outputs that read only the accounts' records or are
 * made one account at a time (report_plan): each snapshot graded to its
 * record (run/files.c; with fmt -1 run_record's, what the comparison
 * renderers read, else check's, with each account's part of fmt spooled
 * and *spool set, the caller's to free), so that a thousand snapshots do
 * not sit in memory whole.  The same errors as report_grade without
 * results documents (a snapshot that fails is named and skipped).  For the
 * comparison without summary, a single account left is graded whole
 * (report_grade) for its own page.
 */
static json_t *
report_grade_records(char **files, int n, int summary, int fmt, int baseline,
    const struct check_config *cfg, int *bad, struct run_files **spool, char **err)
{
	struct run_files *f;
	json_t *results = NULL, *doc;
	size_t count;
	int i, r = 0;

	if ((f = run_files_grade(files, NULL, n, cfg, 0, fmt, baseline, err)) == NULL)
		return NULL;
	for (i = 0; i < n && r >= 0; i++)
		if (run_files_error(f, i) != NULL &&
		    (r = report_take_results(files[i], 0, &doc, err)) == 0) {
			err_set(err, "%s", run_files_error(f, i));
			report_skip(err, bad);
		}
	count = json_array_size(json_object_get(run_files_doc(f), "accounts"));
	if (r >= 0 && count == 0 && *bad)
		err_set(err, "no snapshot could be graded: nothing written");
	else if (r >= 0 && count == 1 && !summary && fmt < 0) {
		for (i = 0; run_files_error(f, i) != NULL; i++)
			;
		results = report_grade(files + i, 1, 0, cfg, bad, err);
	} else if (r >= 0) {
		results = json_incref((json_t *)run_files_doc(f));
		if (fmt >= 0) {
			*spool = f;
			f = NULL;
		}
	}
	run_files_free(f);
	return results;
}

/* How report grades snapshots for its outputs (report_plan). */
enum { PLAN_WHOLE = -2, PLAN_RECORDS = -1 };

/*
 * PLAN_RECORDS when every output is the comparison of several accounts
 * in HTML or PDF, which read the accounts' records only (run_record says
 * what they keep): --summary, or several snapshots without --detail.  The
 * format when the one output is made one account at a time (JSON, CSV) and
 * nothing places the accounts in an organization (which adds to each
 * account after grading).  Else PLAN_WHOLE: the whole results in memory.
 */
static int
report_plan(const struct report_args *a, const struct report_out *outs, int nout,
    char **files, int nfiles)
{
	char *structure;
	int i;

	if (a->results != NULL)
		return PLAN_WHOLE;
	if (nout == 1 && report_stream_fmt(outs[0].fmt) && a->organization == NULL &&
	    a->select == NULL && a->group_by == NULL) {
		structure = report_run_structure(files, nfiles);
		free(structure);
		return structure == NULL ? (int)outs[0].fmt : PLAN_WHOLE;
	}
	if (a->detail || (!a->summary && nfiles < 2))
		return PLAN_WHOLE;
	for (i = 0; i < nout; i++)
		if (outs[i].fmt != REPORT_HTML && outs[i].fmt != REPORT_PDF)
			return PLAN_WHOLE;
	return PLAN_RECORDS;
}

/* "--json, --csv, --html, --pdf or --dump": the outputs report offers (static). */
static const char *
report_out_names(void)
{
	static char s[256];
	size_t len = 0, n = 0, k = 0;
	int f;

	for (f = 0; f < REPORT_FMT__MAX; f++)
		n += (report_formats[f].commands & REPORT_IN_REPORT) != 0;
	for (f = 0; f < REPORT_FMT__MAX; f++)
		if (report_formats[f].commands & REPORT_IN_REPORT) {
			k++;
			len += (size_t)snprintf(s + len, sizeof(s) - len, "%s--%s",
			    k == 1 ? "" : k == n ? " or " : ", ", report_formats[f].name);
			if (len >= sizeof(s))
				break;
		}
	return s;
}

/* Add an output; 0 (after saying why) if the path is taken. */
static int
report_add_out(struct report_out *outs, int *nout, enum report_fmt fmt, const char *path)
{
	int i;

	for (i = 0; i < *nout; i++) {
		if (strcmp(outs[i].path, path) == 0 && strcmp(path, "-") != 0) {
			usage_error("report", "%s is given for two outputs", path);
			return 0;
		}
	}
	outs[*nout].fmt = fmt;
	outs[*nout].path = path;
	outs[*nout].data.max = REPORT_MAX_OUTPUT;
	(*nout)++;
	return 1;
}

/* The outputs asked for, in the formats' order; 0 after a usage error. */
static int
report_outputs(const struct report_args *a, struct report_out *outs, int *nout)
{
	int f, i, nstdout = 0;

	if (a->summary && a->detail) {
		usage_error("report", "--summary and --detail exclude each other");
		return 0;
	}
	for (f = 0; f < REPORT_FMT__MAX; f++)
		if (a->out[f] != NULL && !report_add_out(outs, nout, f, a->out[f]))
			return 0;
	if (*nout == 0) {
		usage_error("report", "nothing to write: give %s", report_out_names());
		return 0;
	}
	for (i = 0; i < *nout; i++)
		nstdout += strcmp(outs[i].path, "-") == 0;
	if (nstdout > 1) {
		usage_error("report", "only one output can go to standard output");
		return 0;
	}
	return 1;
}

/* --results A B C: the results of a sharded run's shards, joined. */
static json_t *
report_shards(const char *first, char **files, int nfiles, const struct check_config *cfg,
    char **err)
{
	char **all = xcalloc((size_t)nfiles + 2, sizeof(*all));
	json_t *results;

	all[0] = (char *)first;
	memcpy(all + 1, files, (size_t)nfiles * sizeof(*all));
	results = report_grade(all, nfiles + 1, 1, cfg, NULL, err);
	free(all);
	return results;
}

/*
 * --results FILE alone: a whole run's results, or a one-shard run's.  One
 * shard of several is a join with shards missing (checks' join says which),
 * never a summary of part of the accounts.
 */
static json_t *
report_lone(const char *path, char **err)
{
	json_t *doc = report_results_load(path, err), *joined;

	if (doc != NULL && jint(json_object_get(doc, "shard"), "n", 1) > 1) {
		joined = check_results_join(&doc, &path, 1, err);
		json_decref(joined);
		json_decref(doc);
		doc = NULL;
		if (joined != NULL)	/* cannot be: shard K/N of N > 1 alone misses one */
			err_set(err, "%s: one shard of several", path);
	}
	return doc;
}

/* The results and the baseline, per the inputs given and the plan (report_plan); 0 after saying why. */
static int
report_inputs(const struct report_args *a, char **files, int nfiles, int plan,
    struct run_files **spool, json_t **results, json_t **baseline, int *bad)
{
	struct check_config cfg;
	char *err = NULL;
	int ok = 0;

	check_config_default(&cfg);
	if (a->results == NULL && nfiles == 0)
		usage_error("report", "no input: give snapshot files or --results FILE");
	else if (a->config != NULL && !check_config_load(a->config, &cfg, &err))
		report_fail(err);
	/* A results document was graded already, with or without exceptions. */
	else if (a->exceptions != NULL && a->results != NULL)
		usage_error("report", "--exceptions applies when grading snapshots, not to --results "
		    "(grade again: iamgrade check --exceptions FILE --format json)");
	else if (a->exceptions != NULL && !check_config_set(&cfg, "exceptions", a->exceptions, &err))
		report_fail(err);
	else if ((*results = a->results == NULL ? (plan != PLAN_WHOLE ?
	    report_grade_records(files, nfiles, a->summary, plan, a->bases.n > 0, &cfg, bad,
	    spool, &err) :
	    report_grade(files, nfiles, 0, &cfg, bad, &err)) : nfiles == 0 ?
	    report_lone(a->results, &err) :
	    report_shards(a->results, files, nfiles, &cfg, &err)) == NULL ||
	    (a->bases.n > 0 && (*baseline = report_grade((char **)a->bases.v, a->bases.n, 1,
	    &cfg, NULL, &err)) == NULL))
		report_fail(err);
	else
		ok = 1;
	/* A snapshot that did not load leaves its message behind when it was a results document. */
	if (ok)
		free(err);
	check_config_free(&cfg);
	return ok;
}

/* Write every rendered output: files atomically, "-" to standard output. */
static int
report_write(struct report_out *outs, int nout)
{
	char *err = NULL;
	int i;

	for (i = 0; i < nout; i++) {
		if (strcmp(outs[i].path, "-") == 0) {
			if (outs[i].data.len > 0 &&
			    fwrite(outs[i].data.p, 1, outs[i].data.len, stdout) != outs[i].data.len) {
				usage_error("report", "standard output: write failed");
				return EXIT_IO;
			}
			continue;
		}
		if (!file_write_atomic(outs[i].path, outs[i].data.p ? outs[i].data.p : "",
		    outs[i].data.len, report_file_mode(outs[i].fmt), 0, &err)) {
			report_fail(err);
			return EXIT_IO;	/* a full disk is not a usage error */
		}
	}
	if (fflush(stdout) != 0) {
		usage_error("report", "standard output: write failed");
		return EXIT_IO;
	}
	return EXIT_OK;
}

/* Render every output first (one failure writes nothing), then write them. */
static int
report_emit(struct report_out *outs, int nout, const json_t *results,
    const struct report_opts *opts)
{
	char *err = NULL;
	int i;

	for (i = 0; i < nout; i++)
		if (!report_render(outs[i].fmt, results, opts, &outs[i].data, &err))
			return report_fail(err);
	return report_write(outs, nout);
}

/* run_files_write's writer to a file written atomically (cli_put_stdout: to standard output). */
static int
report_put_file(void *arg, const void *p, size_t len, char **err)
{
	return file_atomic_add(arg, p, len, err);
}

/* The one output, from the spooled accounts (report_plan): atomically, or to standard output. */
static int
report_emit_spooled(const struct report_out *o, const struct run_files *spool)
{
	struct file_atomic f;
	char *err = NULL;

	if (strcmp(o->path, "-") == 0) {
		if (!run_files_write(spool, cli_put_stdout, NULL, &err) || fflush(stdout) != 0) {
			report_fail(err ? err : xstrdup("standard output: write failed"));
			return EXIT_IO;
		}
		return EXIT_OK;
	}
	if (!file_atomic_open(&f, o->path, &err)) {
		report_fail(err);
		return EXIT_IO;
	}
	if (!run_files_write(spool, report_put_file, &f, &err)) {
		file_atomic_abort(&f);
		report_fail(err);
		return EXIT_IO;
	}
	if (!file_atomic_commit(&f, report_file_mode(o->fmt), 0, &err)) {
		report_fail(err);
		return EXIT_IO;
	}
	return EXIT_OK;
}

int
cmd_report(int argc, char *argv[])
{
	struct report_args a = { 0 };
	struct report_out outs[REPORT_FMT__MAX];
	struct report_opts opts;
	json_t *results = NULL, *baseline = NULL;
	const struct check_framework *fw = NULL;
	struct hist *hist = NULL;
	struct run_files *spool = NULL;
	char *err = NULL;
	int i, first, nout = 0, bad = 0, rc = EXIT_USAGE;

	memset(outs, 0, sizeof(outs));
	memset(&opts, 0, sizeof(opts));
	if ((first = cli_parse(&cli_cmd_report, argc, argv, &a)) <= 0) {
		rc = first == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (a.framework != NULL && (fw = check_framework_find(a.framework)) == NULL) {
		usage_error("report", "--framework %s: not a framework (iamgrade controls --help)", a.framework);
		goto out;
	}
	if (!report_outputs(&a, outs, &nout) ||
	    !report_inputs(&a, argv + first, argc - first,
	    report_plan(&a, outs, nout, argv + first, argc - first), &spool, &results, &baseline, &bad) ||
	    !report_group(&a, argv + first, argc - first, results, baseline))
		goto out;
	if (fw != NULL)
		json_object_set_new(results, "framework", check_framework_json(fw));
	opts.baseline = baseline;
	if (a.history != NULL && (hist = hist_load(a.history, results, NULL, &err)) == NULL) {
		rc = report_fail(err);
		err = NULL;
		goto out;
	}
	opts.history = hist;
	opts.region = cli_region(a.region);
	opts.summary = a.summary || (!a.detail &&
	    json_array_size(json_object_get(results, "accounts")) > 1);
	rc = spool != NULL ? report_emit_spooled(&outs[0], spool) :
	    report_emit(outs, nout, results, &opts);
	if (rc == EXIT_OK && bad)
		rc = EXIT_USAGE;
out:
	for (i = 0; i < REPORT_FMT__MAX; i++)
		buf_free(&outs[i].data);
	json_decref(results);
	json_decref(baseline);
	hist_free(hist);
	run_files_free(spool);
	cli_args_free(&cli_cmd_report, &a);
	free(err);
	return rc;
}
