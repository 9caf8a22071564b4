/* iamgrade check: grade snapshots and print the results as text, JSON or CSV. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "report/report.h"
#include "cli/cli.h"

static const char check_usage[] =
    "usage: iamgrade check [options] SNAPSHOT...\n"
    "\n"
    "Grade snapshots (from `iamgrade collect`) against the control catalogue\n"
    "(`iamgrade controls`) and print the results.  Ages are measured from each\n"
    "snapshot's collection start, so re-grading an old snapshot gives the same\n"
    "answer; the same snapshots give byte-identical output.\n"
    "\n"
    "Options:\n"
    "  --format FMT        text (default: a summary per account), json (the\n"
    "                      results document, docs/results-format.md), csv\n"
    "                      (account_id, alias, control_id, severity, status,\n"
    "                      resource, reason: one row per finding, one row per\n"
    "                      control that has none) or junit (JUnit XML: a test\n"
    "                      case per control per account, for CI)\n"
    "  --fail-on SEV       exit 1 when a control FAILs with a finding of severity\n"
    "                      SEV or above: critical, high, medium or low (a finding\n"
    "                      may be below its control, e.g. ROLE-02 with an\n"
    "                      sts:ExternalId is medium)\n"
    "  --require-complete  exit 3 when a snapshot's collection was incomplete\n"
    "  --jobs N            grade N snapshots at a time (default: the CPUs, at most 16)\n"
    "  --config FILE       thresholds and trusted accounts (below)\n"
    "  --set KEY=VALUE     one setting, applied after --config\n"
    "  --color, --no-color colour the text format (default: when standard output\n"
    "                      is a terminal and NO_COLOR is not set)\n"
    "\n"
    "Config file: `key = value` lines, `#` comments.  Keys and defaults:\n"
    "  password_min_length = 14           password_reuse_prevention = 24\n"
    "  password_max_age_days = 90         root_unused_days = 90\n"
    "  credential_unused_days = 45        key_rotation_days = 90\n"
    "  user_password_max_age_days = 90    credential_report_max_age_hours = 24\n"
    "  trusted_accounts = 111122223333, 444455556666   (ROLE-02; may repeat)\n"
    "The results print the thresholds they used.\n"
    "\n"
    "Exit status: 2 when a file is not a valid snapshot (it is named on\n"
    "standard error; the other snapshots are still graded and printed) or on\n"
    "bad usage; else 1 when --fail-on is met; else 3 with --require-complete\n"
    "and an incomplete collection; else 0.  An incomplete collection alone\n"
    "does not change the exit status: the sources it could not read make\n"
    "their controls NOT_EVALUATED, which are listed with the reason and never\n"
    "count as failures or passes.\n";

enum { OPT_FORMAT = 256, OPT_FAIL_ON, OPT_CONFIG, OPT_SET, OPT_COLOR, OPT_NO_COLOR,
	OPT_REQUIRE_COMPLETE, OPT_JOBS };

/*
 * Grading many snapshots is parsing-bound (a 1000-user snapshot is about a
 * megabyte of JSON), so a few threads share the files; each thread loads
 * and grades whole snapshots, and the results keep the files' order.
 */
struct grade_pool {
	char				**files;
	int				  n;
	const struct check_config	 *cfg;
	json_t				**accounts;	/* per file, NULL when bad */
	char				**errors;	/* per file, why it is bad */
	int				  next;
	pthread_mutex_t			  lock;
};

static void *
grade_worker(void *arg)
{
	struct grade_pool *p = arg;
	json_t *snap, *a;
	char sha[65], *text;
	int i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if (!snap_load(p->files[i], &snap, sha, &p->errors[i]))
			continue;
		a = check_account(snap, p->files[i], sha, p->cfg);
		json_decref(snap);
		if (a == NULL) {
			err_set(&p->errors[i], "%s: cannot grade this snapshot", p->files[i]);
			continue;
		}
		/*
		 * Kept results interleaved with freed snapshots fragment
		 * malloc's heap until every allocation crawls (400 snapshots
		 * of 1000 users took 6.6 times as long as 100).  Rebuilt from
		 * its text once the snapshot is gone, an account sits
		 * compactly and the time stays linear (4.0 times).
		 */
		text = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		p->accounts[i] = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (p->accounts[i] == NULL)
			err_set(&p->errors[i], "%s: out of memory", p->files[i]);
	}
	return NULL;
}

/* Grade every file with jobs threads; bad ones are reported, in order, and skipped (*bad set). */
static json_t *
grade_files(char **files, int n, const struct check_config *cfg, int jobs, int *bad)
{
	struct grade_pool p = { files, n, cfg, NULL, NULL, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t *tids;
	json_t *accounts = json_array();
	int i, started = 0;

	p.accounts = xcalloc((size_t)n, sizeof(*p.accounts));
	p.errors = xcalloc((size_t)n, sizeof(*p.errors));
	if (jobs > n)
		jobs = n;
	tids = xcalloc((size_t)jobs, sizeof(*tids));
	json_object_seed(0);	/* before any thread makes objects */
	for (i = 1; i < jobs; i++)
		started += pthread_create(&tids[started], NULL, grade_worker, &p) == 0;
	grade_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < n; i++) {
		if (p.errors[i] != NULL) {
			usage_error("check", "%s", str_sanitize_term(p.errors[i]));
			*bad = 1;
			free(p.errors[i]);
		}
		if (p.accounts[i] != NULL)
			json_array_append_new(accounts, p.accounts[i]);
	}
	free(tids);
	free(p.accounts);
	free(p.errors);
	return check_results(accounts, cfg);
}

int
cmd_check(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "set", required_argument, NULL, OPT_SET },
		{ "color", no_argument, NULL, OPT_COLOR },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "require-complete", no_argument, NULL, OPT_REQUIRE_COMPLETE },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts ropts = { 0 };
	struct check_config cfg;
	struct buf out = { 0 };
	json_t *results = NULL, *a;
	const char *config = NULL;
	char *err = NULL, *eq, **sets;
	int ch, fmt = REPORT_TEXT, fail_on = 0, color = -1, require_complete = 0, jobs;
	int nsets = 0, bad = 0, failed = 0, incomplete = 0, rc = EXIT_USAGE, i;
	size_t j;

	check_config_default(&cfg);
	jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	jobs = jobs < 1 ? 1 : jobs > 16 ? 16 : jobs;
	sets = xcalloc((size_t)argc + 1, sizeof(*sets));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case OPT_FORMAT:
			fmt = report_fmt_parse(optarg);
			if (fmt != REPORT_TEXT && fmt != REPORT_JSON && fmt != REPORT_CSV &&
			    fmt != REPORT_JUNIT) {
				usage_error("check", "--format %s: text, json, csv or junit "
				    "(HTML and PDF: iamgrade report)", optarg);
				goto out;
			}
			break;
		case OPT_FAIL_ON:
			if ((fail_on = check_severity_rank(optarg)) == 0) {
				usage_error("check", "--fail-on %s: critical, high, medium or low", optarg);
				goto out;
			}
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_SET:
			sets[nsets++] = optarg;
			break;
		case OPT_COLOR:
		case OPT_NO_COLOR:
			color = ch == OPT_COLOR;
			break;
		case OPT_REQUIRE_COMPLETE:
			require_complete = 1;
			break;
		case OPT_JOBS:
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 256) {
				usage_error("check", "--jobs %s: a number from 1 to 256", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(check_usage, stdout);
			rc = EXIT_OK;
			goto out;
		default:
			usage_error("check", "unknown option or missing value: '%s' (see --help)",
			    argv[optind - 1]);
			goto out;
		}
	if (optind >= argc) {
		usage_error("check", "no snapshot given (see --help)");
		goto out;
	}
	if (config != NULL && !check_config_load(config, &cfg, &err)) {
		usage_error("check", "%s", err);
		goto out;
	}
	for (i = 0; i < nsets; i++) {
		char *kv = xstrdup(sets[i]);
		int ok;

		if ((eq = strchr(kv, '=')) == NULL) {
			usage_error("check", "--set %s: expected KEY=VALUE", sets[i]);
			free(kv);
			goto out;
		}
		*eq = '\0';
		ok = check_config_set(&cfg, kv, eq + 1, &err);
		free(kv);
		if (!ok) {
			usage_error("check", "--set: %s", err);
			goto out;
		}
	}
	ropts.color = color >= 0 ? color : isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

	results = grade_files(argv + optind, argc - optind, &cfg, jobs, &bad);
	json_array_foreach(json_object_get(results, "accounts"), j, a)
		incomplete |= !jbool(json_object_get(a, "collection"), "complete", 1);
	failed = check_results_fail(results, fail_on);
	if (!report_render(fmt, results, &ropts, &out, &err)) {
		usage_error("check", "%s", err);
		goto out;
	}
	if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		usage_error("check", "writing the results: %s", "standard output failed");
		rc = EXIT_IO;
		goto out;
	}
	rc = bad ? EXIT_USAGE : failed ? EXIT_FAILED :
	    require_complete && incomplete ? EXIT_INCOMPLETE : EXIT_OK;
out:
	buf_free(&out);
	json_decref(results);
	check_config_free(&cfg);
	free(sets);
	free(err);
	return rc;
}
