/* iamgrade report: snapshots or a results document in, HTML/PDF/CSV/JSON out. */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/compare.h"
#include "report/group.h"
#include "report/report.h"
#include "cli/cli.h"

#define REPORT_MAX_INPUT	(1024UL * 1024 * 1024)	/* a results file or snapshot */
#define REPORT_MAX_OUTPUT	(1024UL * 1024 * 1024)	/* one rendered report */
#define REPORT_RESULTS_SCHEMA	"iamgrade.results/1"

static const char report_usage[] =
    "usage: iamgrade report SNAPSHOT... [--config FILE] [options] OUTPUTS\n"
    "       iamgrade report --results FILE [options] OUTPUTS\n"
    "\n"
    "Render the grade of one account or several side by side.  Inputs are\n"
    "snapshots (graded here, like `iamgrade check`) or one results document\n"
    "(`iamgrade check --format json`).  Nothing is written unless every\n"
    "output renders; each file is written atomically, mode 0644 less the umask\n"
    "(--json: 0600, like snapshots).\n"
    "\n"
    "Outputs (at least one; FILE may be - for standard output, once):\n"
    "  --html FILE        the self-contained HTML report\n"
    "  --pdf FILE         the PDF report\n"
    "  --csv FILE         one row per finding\n"
    "  --json FILE        the results document\n"
    "  --dump FILE        a plain-text dump of the laid-out report (for tests)\n"
    "\n"
    "Options:\n"
    "  --results FILE     read a results document instead of snapshots\n"
    "  --baseline FILE    an earlier run to compare with: a results document or\n"
    "                     snapshots (repeat the option for several files)\n"
    "  --config FILE      thresholds and trusted accounts for grading snapshots\n"
    "  --summary          the side-by-side comparison even for one account\n"
    "  --detail           every account in full, one after another, even for\n"
    "                     several (the default for several is the comparison)\n"
    "\n"
    "Exit status: 0 written, 2 usage or bad input.  A snapshot that cannot be\n"
    "loaded is named and left out, the others are written, and the exit status\n"
    "is 2; any other bad input writes nothing.\n";

enum {
	OPT_HTML = 256, OPT_PDF, OPT_CSV, OPT_JSON, OPT_DUMP, OPT_RESULTS,
	OPT_BASELINE, OPT_CONFIG, OPT_SUMMARY, OPT_DETAIL, OPT_ORG, OPT_GROUP_BY, OPT_SELECT
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
	if (!file_read(path, REPORT_MAX_INPUT, &data, &len, err))
		return 0;
	*doc = json_loadb(data, len, 0, &je);
	free(data);
	if (*doc == NULL)
		return err_set(err, "%s: not JSON: line %d: %s", path, je.line, je.text);
	return 1;
}

/* A results document from path, validated. */
static json_t *
report_load_results(const char *path, char **err)
{
	json_t *doc = NULL;
	char *e = NULL;

	if (!report_read_json(path, &doc, err))
		return NULL;
	if (!compare_validate(doc, &e)) {
		err_set(err, "%s: %s", path, e);
		free(e);
		json_decref(doc);
		return NULL;
	}
	return doc;
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
		if (cand == NULL || cand - p < 10 || strncmp(cand - 10, "/snapshots", 10) != 0) {
			free(p);
			free(dir);
			return NULL;
		}
		cand[-10] = '\0';
		if (dir != NULL && strcmp(dir, p) != 0) {
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

/* A structure record (ORGS schema, "iamgrade.organization/1"), or NULL with *err. */
static json_t *
report_load_structure(const char *path, char **err)
{
	json_t *doc = NULL;
	const char *schema;

	if (!report_read_json(path, &doc, err))
		return NULL;
	if ((schema = jstr(doc, "schema")) == NULL ||
	    strcmp(schema, "iamgrade.organization/1") != 0 ||
	    !json_is_object(json_object_get(doc, "accounts")) ||
	    !json_is_array(json_object_get(doc, "ous"))) {
		err_set(err, "%s: not an organization record (schema iamgrade.organization/1 "
		    "with accounts and ous)", path);
		json_decref(doc);
		return NULL;
	}
	return doc;
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
 * Grade files into a results document.  Each file is a snapshot, or (when
 * allow_results) a results document whose accounts are taken as they are.
 * A single results document is returned whole.  With bad != NULL a snapshot
 * that cannot be loaded or graded is named on standard error, *bad is set
 * and the others are graded (NULL only when none could be); without it the
 * first bad file fails the whole.
 */
static json_t *
report_grade(char **files, int n, int allow_results, const struct check_config *cfg,
    int *bad, char **err)
{
	json_t *accounts = json_array(), *doc = NULL, *snap, *a, *results = NULL;
	const char *schema;
	char sha[65];
	size_t j;
	int i;

	for (i = 0; i < n; i++) {
		/*
		 * A snapshot is read and parsed once (a large one costs seconds):
		 * only a file that does not load as one is looked at again, as a
		 * results document.
		 */
		a = NULL;
		if (snap_load(files[i], &snap, sha, err)) {
			if ((a = check_account(snap, files[i], sha, cfg)) == NULL)
				err_set(err, "%s: cannot grade this snapshot", files[i]);
			json_decref(snap);
		} else if (report_read_json(files[i], &doc, NULL) &&
		    (schema = jstr(doc, "schema")) != NULL &&
		    strcmp(schema, REPORT_RESULTS_SCHEMA) == 0) {
			json_decref(doc);
			doc = NULL;
			if (!allow_results) {
				err_set(err, "%s is a results document: give it with --results", files[i]);
				goto out;
			}
			if ((doc = report_load_results(files[i], err)) == NULL)
				goto out;
			if (n == 1) {
				results = doc;
				doc = NULL;
				goto out;
			}
			json_array_foreach(json_object_get(doc, "accounts"), j, a)
				json_array_append(accounts, a);
			json_decref(doc);
			doc = NULL;
			continue;
		}
		json_decref(doc);
		doc = NULL;
		if (a == NULL && bad == NULL)
			goto out;
		if (a == NULL)
			report_skip(err, bad);
		else
			json_array_append_new(accounts, a);
	}
	if (json_array_size(accounts) == 0 && bad != NULL && *bad) {
		err_set(err, "no snapshot could be graded: nothing written");
		goto out;
	}
	results = check_results(accounts, cfg);
	accounts = NULL;
	if (results == NULL)
		err_set(err, "cannot assemble the results");
out:
	json_decref(doc);
	json_decref(accounts);
	return results;
}

/* Add an output; 0 (after saying why) if the path or the format is taken. */
static int
report_add_out(struct report_out *outs, int *nout, enum report_fmt fmt,
    const char *opt, const char *path)
{
	int i;

	for (i = 0; i < *nout; i++) {
		if (outs[i].fmt == fmt) {
			usage_error("report", "--%s is given twice", opt);
			return 0;
		}
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

int
cmd_report(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "html",	required_argument, NULL, OPT_HTML },
		{ "pdf",	required_argument, NULL, OPT_PDF },
		{ "csv",	required_argument, NULL, OPT_CSV },
		{ "json",	required_argument, NULL, OPT_JSON },
		{ "dump",	required_argument, NULL, OPT_DUMP },
		{ "results",	required_argument, NULL, OPT_RESULTS },
		{ "baseline",	required_argument, NULL, OPT_BASELINE },
		{ "config",	required_argument, NULL, OPT_CONFIG },
		{ "summary",	no_argument,	   NULL, OPT_SUMMARY },
		{ "detail",	no_argument,	   NULL, OPT_DETAIL },
		{ "organization", required_argument, NULL, OPT_ORG },
		{ "group-by",	required_argument, NULL, OPT_GROUP_BY },
		{ "select",	required_argument, NULL, OPT_SELECT },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_out outs[REPORT_FMT__MAX];
	struct report_opts opts;
	struct check_config cfg;
	json_t *results = NULL, *baseline = NULL;
	const char *results_path = NULL, *config = NULL, *org_path = NULL, *select = NULL;
	json_t *structure = NULL;
	char *org_auto = NULL;
	const char *group_by = NULL;
	char **bases = NULL, *err = NULL;
	int ch, i, nout = 0, nbase = 0, summary = -1, nstdout = 0, bad = 0, rc = EXIT_USAGE;
	mode_t mask;

	memset(outs, 0, sizeof(outs));
	memset(&opts, 0, sizeof(opts));
	check_config_default(&cfg);
	bases = xcalloc((size_t)argc + 1, sizeof(*bases));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_HTML:
			if (!report_add_out(outs, &nout, REPORT_HTML, "html", optarg))
				goto out;
			break;
		case OPT_PDF:
			if (!report_add_out(outs, &nout, REPORT_PDF, "pdf", optarg))
				goto out;
			break;
		case OPT_CSV:
			if (!report_add_out(outs, &nout, REPORT_CSV, "csv", optarg))
				goto out;
			break;
		case OPT_JSON:
			if (!report_add_out(outs, &nout, REPORT_JSON, "json", optarg))
				goto out;
			break;
		case OPT_DUMP:
			if (!report_add_out(outs, &nout, REPORT_DUMP, "dump", optarg))
				goto out;
			break;
		case OPT_RESULTS:
			if (results_path != NULL) {
				rc = usage_error("report", "--results is given twice");
				goto out;
			}
			results_path = optarg;
			break;
		case OPT_BASELINE:
			bases[nbase++] = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_SUMMARY:
		case OPT_DETAIL:
			if (summary >= 0 && summary != (ch == OPT_SUMMARY)) {
				rc = usage_error("report", "--summary and --detail exclude each other");
				goto out;
			}
			summary = ch == OPT_SUMMARY;
			break;
		case OPT_ORG:
			org_path = optarg;
			break;
		case OPT_GROUP_BY:
			if (!group_by_valid(optarg, &err)) {
				rc = report_fail(err);
				err = NULL;
				goto out;
			}
			group_by = optarg;
			break;
		case OPT_SELECT:
			select = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			rc = EXIT_OK;
			goto out;
		case ':':
			rc = usage_error("report", "%s needs an argument", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("report", "unknown option '%s' (see iamgrade report --help)",
			    argv[optind - 1]);
			goto out;
		}
	}
	if (nout == 0) {
		rc = usage_error("report", "nothing to write: give --html, --pdf, --csv, --json or --dump");
		goto out;
	}
	for (i = 0; i < nout; i++)
		nstdout += strcmp(outs[i].path, "-") == 0;
	if (nstdout > 1) {
		rc = usage_error("report", "only one output can go to standard output");
		goto out;
	}
	if (results_path != NULL && optind < argc) {
		rc = usage_error("report", "give snapshots or --results, not both");
		goto out;
	}
	if (results_path == NULL && optind >= argc) {
		rc = usage_error("report", "no input: give snapshot files or --results FILE");
		goto out;
	}
	if (config != NULL && !check_config_load(config, &cfg, &err)) {
		rc = report_fail(err);
		err = NULL;
		goto out;
	}

	if (results_path != NULL)
		results = report_load_results(results_path, &err);
	else
		results = report_grade(argv + optind, argc - optind, 0, &cfg, &bad, &err);
	if (results == NULL || (nbase > 0 &&
	    (baseline = report_grade(bases, nbase, 1, &cfg, NULL, &err)) == NULL)) {
		rc = report_fail(err);
		err = NULL;
		goto out;
	}

	if (org_path == NULL && results_path == NULL)
		org_path = org_auto = report_run_structure(argv + optind, argc - optind);
	if (org_path != NULL) {
		if ((structure = report_load_structure(org_path, &err)) == NULL) {
			rc = report_fail(err);
			err = NULL;
			goto out;
		}
		group_attach(results, structure);
	} else if (select != NULL || group_by != NULL)
		group_attach(results, NULL);
	/*
	 * Without a record of the organization nor a grouping asked for, the
	 * results stay as `iamgrade check` prints them, and the page as before.
	 */
	if ((select != NULL && !group_select(results, select, &err)) ||
	    ((structure != NULL || group_by != NULL ||
	    json_object_get(results, "organization") != NULL) &&
	    !group_apply(results, baseline, group_by, &err))) {
		rc = report_fail(err);
		err = NULL;
		goto out;
	}
	opts.baseline = baseline;
	opts.summary = summary >= 0 ? summary :
	    json_array_size(json_object_get(results, "accounts")) > 1;
	/* Render everything first: one failure writes nothing. */
	for (i = 0; i < nout; i++)
		if (!report_render(outs[i].fmt, results, &opts, &outs[i].data, &err)) {
			rc = report_fail(err);
			err = NULL;
			goto out;
		}
	mask = umask(0);
	umask(mask);
	for (i = 0; i < nout; i++) {
		if (strcmp(outs[i].path, "-") == 0) {
			if (outs[i].data.len > 0 &&
			    fwrite(outs[i].data.p, 1, outs[i].data.len, stdout) != outs[i].data.len) {
				usage_error("report", "standard output: write failed");
				rc = EXIT_IO;
				goto out;
			}
			continue;
		}
		/* The results document is private like the snapshots it grades. */
		if (!file_write_atomic(outs[i].path, outs[i].data.p ? outs[i].data.p : "",
		    outs[i].data.len, (outs[i].fmt == REPORT_JSON ? 0600 : 0644) & ~(int)mask,
		    0, &err)) {
			report_fail(err);
			err = NULL;
			rc = EXIT_IO;	/* a full disk is not a usage error */
			goto out;
		}
	}
	if (fflush(stdout) != 0) {
		usage_error("report", "standard output: write failed");
		rc = EXIT_IO;
		goto out;
	}
	rc = bad ? EXIT_USAGE : EXIT_OK;
out:
	for (i = 0; i < REPORT_FMT__MAX; i++)
		buf_free(&outs[i].data);
	json_decref(results);
	json_decref(baseline);
	json_decref(structure);
	free(org_auto);
	check_config_free(&cfg);
	free(bases);
	free(err);
	return rc;
}
