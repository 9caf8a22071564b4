/*
 * iamgrade run: the monthly job.  Select accounts, collect them all
 * concurrently, grade them, and write one dated folder of snapshots,
 * results and reports.  Nothing of an earlier run is ever touched.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/schema.h"
#include "collector/collector.h"
#include "checks/checks.h"
#include "report/group.h"
#include "report/report.h"
#include "cli/cli.h"

/* A file of the run could not be written (full disk, unwritable folder): exit EXIT_IO. */
static int write_failed;

struct run {
	/* options */
	struct aws_opts	 aopts;
	const char	*profiles[64];
	size_t		 nprofiles;
	int		 organization;
	const char	*accounts_file;
	const char	*role_name;
	const char	*external_id;
	const char	*out;
	const char	*baseline;
	const char	*config_file;
	int		 since_days;
	int		 jobs;
	unsigned	 shard_k, shard_n;
	int		 fail_on;		/* severity rank, 0 = never */
	int		 quiet;
	int		 no_pdf;
	int		 report_wait;		/* seconds, 0 = the collector's default */
	const char	*group_by;		/* --group-by, or NULL */
	const char	*select;		/* --select, or NULL */
	const char	*groups[64];		/* --group NAME=PROFILE,... */
	size_t		 ngroups;
	/* state */
	struct aws_config cfg;
	struct aws_creds creds;
	struct collect_job *targets;
	size_t		 ntargets;
	json_t		*organization_ids;	/* {"id":..., "accounts":[...]} or NULL */
	char		*dir;			/* OUT/YYYY-MM-DD[-N] */
	time_t		 started;
	size_t		 failed;		/* accounts not complete, so far */
	int		 tty;
	json_t		*problems;		/* run-level problems (the account listing), or NULL */
	struct orgs_walk *walk;			/* the OU tree and tags, walked while collecting */
	json_t		*structure;		/* its result (ORGS_SCHEMA), or NULL */
};

static const char usage_text[] =
"usage: iamgrade run [account selection] [options] --out DIR\n"
"\n"
"Account selection (default: the account of the default credential chain):\n"
"  --organization          every ACTIVE account of the caller's organization\n"
"  --accounts FILE         a CSV file with columns account_id,name[,role_arn[,external_id]]\n"
"                          [,ou][,tag:KEY...] (ou: an OU path such as /Production/Payments)\n"
"  --profile NAME          a named profile; repeat for several accounts\n"
"  --role-name NAME        role to assume in each account (not in the caller's own)\n"
"  --external-id ID        ExternalId for those AssumeRole calls\n"
"  --shard K/N             only the K-th of N deterministic shares of the accounts\n"
"  --group NAME=PROFILE,.. with several --profile: put those profiles in group\n"
"                          (OU path) /NAME; repeat for each group\n"
"\n"
"Grouping (docs: README, \"Grouping\"):\n"
"  --group-by ou|tag:KEY|none  how the summary groups accounts (default: ou when\n"
"                          the accounts have OUs: --organization, an ou column, --group)\n"
"  --select EXPR           report on part of the accounts collected: terms\n"
"                          separated by spaces or commas, each an account id, a\n"
"                          name glob, ou:/Path (that OU and below) or tag:KEY=VALUE;\n"
"                          terms of one kind are alternatives, kinds all apply;\n"
"                          a term matching nothing is an error\n"
"\n"
"Options:\n"
"  --out DIR               reports go to DIR/YYYY-MM-DD/ (a new folder each run)\n"
"  --baseline DIR|FILE     an earlier run folder (or its results.json) to compare with\n"
"  --config FILE           thresholds and trusted accounts (see iamgrade check --help)\n"
"  --fail-on SEVERITY      exit 1 if a control of this severity or higher fails\n"
"  --since DAYS            CreateRole look-back window, 1-90 (default 30)\n"
"  --report-wait S         wait at most S seconds for a credential report, 1-3600 (default 300)\n"
"  --timeout S             give up an HTTP attempt after S seconds, 1-3600 (default 60)\n"
"  --jobs N                accounts collected at once (default 16)\n"
"  --region R, --endpoint-url URL\n"
"  --no-pdf                skip the PDF reports\n"
"  -q, --quiet | -v, --verbose | --debug\n"
"\n"
"Exit status: 0 done, 1 --fail-on met, 2 usage or input error, 3 some accounts\n"
"incomplete, 4 an output could not be written (full disk), 130/143 interrupted\n"
"by SIGINT/SIGTERM; the first of 130/143, 4, 3, 1 that applies wins.\n";

static int profile_group(const struct run *, const char *, char **, char **);

static int
parse_args(struct run *r, int argc, char *argv[])
{
	enum { O_ORG = 256, O_ACCOUNTS, O_PROFILE, O_ROLE, O_EXTID, O_OUT, O_BASE,
	    O_CONFIG, O_SINCE, O_JOBS, O_SHARD, O_FAILON, O_REGION, O_ENDPOINT,
	    O_DEBUG, O_NOPDF, O_REPORT_WAIT, O_TIMEOUT, O_GROUP_BY, O_SELECT, O_GROUP };
	static const struct option longopts[] = {
		{ "organization", no_argument, NULL, O_ORG },
		{ "accounts", required_argument, NULL, O_ACCOUNTS },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "role-name", required_argument, NULL, O_ROLE },
		{ "external-id", required_argument, NULL, O_EXTID },
		{ "out", required_argument, NULL, O_OUT },
		{ "baseline", required_argument, NULL, O_BASE },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "since", required_argument, NULL, O_SINCE },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "shard", required_argument, NULL, O_SHARD },
		{ "fail-on", required_argument, NULL, O_FAILON },
		{ "region", required_argument, NULL, O_REGION },
		{ "endpoint-url", required_argument, NULL, O_ENDPOINT },
		{ "no-pdf", no_argument, NULL, O_NOPDF },
		{ "report-wait", required_argument, NULL, O_REPORT_WAIT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "group-by", required_argument, NULL, O_GROUP_BY },
		{ "select", required_argument, NULL, O_SELECT },
		{ "group", required_argument, NULL, O_GROUP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	size_t i;
	int c;

	r->since_days = 30;
	r->jobs = 16;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case O_ORG:
			r->organization = 1;
			break;
		case O_ACCOUNTS:
			r->accounts_file = optarg;
			break;
		case O_PROFILE:
			if (r->nprofiles == sizeof(r->profiles) / sizeof(r->profiles[0]))
				return usage_error("run", "too many --profile options");
			r->profiles[r->nprofiles++] = optarg;
			break;
		case O_ROLE:
			r->role_name = optarg;
			break;
		case O_EXTID:
			r->external_id = optarg;
			break;
		case O_OUT:
			r->out = optarg;
			break;
		case O_BASE:
			r->baseline = optarg;
			break;
		case O_CONFIG:
			r->config_file = optarg;
			break;
		case O_SINCE:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 90)
				return usage_error("run", "--since takes 1 to 90 days, not \"%s\"", optarg);
			r->since_days = (int)v;
			break;
		case O_JOBS:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 256)
				return usage_error("run", "--jobs takes 1 to 256, not \"%s\"", optarg);
			r->jobs = (int)v;
			break;
		case O_SHARD:
			if (sscanf(optarg, "%u/%u%c", &r->shard_k, &r->shard_n, (char[]){0}) != 2 ||
			    r->shard_n < 1 || r->shard_k < 1 || r->shard_k > r->shard_n)
				return usage_error("run", "--shard takes K/N with 1 <= K <= N, not \"%s\"", optarg);
			break;
		case O_FAILON:
			if ((r->fail_on = check_severity_rank(optarg)) == 0)
				return usage_error("run", "--fail-on takes critical, high, medium or low, not \"%s\"", optarg);
			break;
		case O_REGION:
			r->aopts.region = optarg;
			break;
		case O_ENDPOINT:
			r->aopts.endpoint_url = optarg;
			break;
		case O_NOPDF:
			r->no_pdf = 1;
			break;
		case O_REPORT_WAIT:
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 3600)
				return usage_error("run", "--report-wait takes 1 to 3600 seconds, not \"%s\"", optarg);
			r->report_wait = (int)v;
			break;
		case O_TIMEOUT:
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 3600)
				return usage_error("run", "--timeout takes 1 to 3600 seconds, not \"%s\"", optarg);
			r->aopts.timeout_ms = v * 1000;
			break;
		case O_GROUP_BY: {
			char *e = NULL;

			if (!group_by_valid(optarg, &e)) {
				v = usage_error("run", "%s", e);
				free(e);
				return (int)v;
			}
			r->group_by = optarg;
			break;
		}
		case O_SELECT:
			r->select = optarg;
			break;
		case O_GROUP:
			if (r->ngroups == sizeof(r->groups) / sizeof(r->groups[0]))
				return usage_error("run", "too many --group options");
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				return usage_error("run", "--group takes NAME=PROFILE,..., not \"%s\"", optarg);
			r->groups[r->ngroups++] = optarg;
			break;
		case 'q':
			r->quiet = 1;
			log_level = 0;
			break;
		case 'v':
			log_level = 2;
			break;
		case O_DEBUG:
			log_level = 3;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("run", "unexpected argument \"%s\"", argv[optind]);
	if (r->out == NULL)
		return usage_error("run", "--out DIR is required");
	if (r->organization + (r->accounts_file != NULL) + (r->nprofiles > 1) > 1)
		return usage_error("run", "choose one of --organization, --accounts and several --profile");
	if (r->organization && r->role_name == NULL)
		return usage_error("run", "--organization needs --role-name (the role to assume in each account)");
	if (r->ngroups > 0 && r->nprofiles < 2)
		return usage_error("run", "--group places --profile accounts: give several --profile");
	for (i = 0; i < r->nprofiles && r->ngroups > 0; i++) {
		char *path = NULL, *e = NULL;

		if (!profile_group(r, r->profiles[i], &path, &e)) {
			v = usage_error("run", "%s", e);
			free(e);
			return (int)v;
		}
		free(path);
	}
	return EXIT_OK;
}

/* The caller's account id, so that its own account is read without AssumeRole. */
static char *
caller_account(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	char *id = collect_caller_account(c, err);

	aws_client_free(c);
	return id;
}

static struct collect_job *
add_target(struct run *r)
{
	struct collect_job *j;

	r->targets = xrealloc(r->targets, (r->ntargets + 1) * sizeof(*r->targets));
	j = &r->targets[r->ntargets++];
	memset(j, 0, sizeof(*j));
	return j;
}

static char *
role_arn_for(const struct run *r, const char *account)
{
	return xasprintf("arn:aws:iam::%s:role/%s", account, r->role_name);
}

/*
 * The OU path --group gives a profile ("/NAME"), or NULL when none does; a
 * profile in two groups, or a group naming a profile not given, is an error.
 */
static int
profile_group(const struct run *r, const char *profile, char **path, char **err)
{
	size_t g, k;
	char *list, *tok, *save = NULL, *p;
	int found;

	*path = NULL;
	for (g = 0; g < r->ngroups; g++) {
		list = xstrdup(strchr(r->groups[g], '=') + 1);
		for (p = list; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
			for (found = 0, k = 0; k < r->nprofiles; k++)
				found |= strcmp(r->profiles[k], tok) == 0;
			if (!found) {
				err_set(err, "--group %s: profile %s is not one of the --profile options",
				    r->groups[g], tok);
				free(*path);
				*path = NULL;
				free(list);
				return 0;
			}
			if (strcmp(tok, profile) != 0)
				continue;
			if (*path != NULL) {
				err_set(err, "--group: profile %s is in two groups", profile);
				free(*path);
				*path = NULL;
				free(list);
				return 0;
			}
			*path = xasprintf("/%.*s", (int)(strchr(r->groups[g], '=') - r->groups[g]),
			    r->groups[g]);
		}
		free(list);
	}
	return 1;
}

static int
select_accounts(struct run *r, char **err)
{
	char *self = NULL;
	size_t i;
	int rc = 0;

	if (r->nprofiles > 1) {
		for (i = 0; i < r->nprofiles; i++) {
			struct collect_job *j = add_target(r);
			struct aws_opts o = r->aopts;

			o.profile = r->profiles[i];
			j->cfg = xcalloc(1, sizeof(*j->cfg));
			j->target.name = xstrdup(r->profiles[i]);
			if (!profile_group(r, r->profiles[i], &j->ou_path, err))
				goto out;
			if (!aws_config_load(&o, j->cfg, err) ||
			    !aws_creds_resolve(j->cfg, &j->creds, err)) {
				char *e = xasprintf("profile %s: %s", r->profiles[i], *err);

				free(*err);
				*err = e;
				goto out;
			}
		}
		rc = 1;
		goto out;
	}
	if (!r->organization && r->accounts_file == NULL) {
		add_target(r);
		rc = 1;
		goto out;
	}
	if ((self = caller_account(r, err)) == NULL)
		goto out;
	if (r->accounts_file == NULL) {
		struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
		json_t *org = orgs_list_accounts(c, err), *a, *ids;

		aws_client_free(c);
		if (org == NULL)
			goto out;
		/* Left out of the listing (bad ids, duplicates): say so, and the run is incomplete. */
		json_array_foreach(json_object_get(org, "problems"), i, a)
			log_error("%s", json_string_value(a));	/* log lines are sanitised */
		if (json_array_size(json_object_get(org, "problems")) > 0)
			r->problems = json_incref(json_object_get(org, "problems"));
		ids = json_array();
		json_array_foreach(json_object_get(org, "accounts"), i, a) {
			const char *id = jstr(a, "Id"), *st = jstr(a, "Status");
			struct collect_job *j;

			if (id == NULL)
				continue;
			json_array_append_new(ids, json_string(id));
			if (st != NULL && strcmp(st, "ACTIVE") != 0) {
				char *n = str_sanitize_term(xstrdup(jstr(a, "Name") ? jstr(a, "Name") : ""));
				char *s = str_sanitize_term(xstrdup(st));

				log_info("skipping account %s (%s): status %s", id, n, s);
				free(n);
				free(s);
				continue;
			}
			j = add_target(r);
			j->target.account_id = xstrdup(id);
			j->target.name = xstrdup(jstr(a, "Name"));
		}
		r->organization_ids = json_pack("{s:O?,s:o}", "id",
		    json_object_get(org, "id"), "accounts", ids);
		json_decref(org);
	}
	/* Roles to assume: each row's own, else --role-name, never into ourselves. */
	for (i = 0; i < r->ntargets; i++) {
		struct collect_job *j = &r->targets[i];

		if (strcmp(j->target.account_id, self) == 0) {
			free((char *)j->target.role_arn);
			j->target.role_arn = NULL;
			continue;
		}
		if (j->target.role_arn == NULL && r->role_name != NULL)
			j->target.role_arn = role_arn_for(r, j->target.account_id);
		if (j->target.role_arn == NULL) {
			err_set(err, "account %s: no role to assume (give --role-name or a role_arn column)",
			    j->target.account_id);
			goto out;
		}
		if (j->target.external_id == NULL && r->external_id != NULL)
			j->target.external_id = xstrdup(r->external_id);
	}
	rc = 1;
out:
	free(self);
	return rc;
}

/* OUT/YYYY-MM-DD, or -2, -3, ... when a run already used it: never reuse. */
static int
make_run_dir(struct run *r, char **err)
{
	char day[21], sub[PATH_MAX];
	int n;

	if (!dir_make(r->out, 0755, err))
		return 0;
	time_fmt(r->started, day);
	day[10] = '\0';
	for (n = 1; n < 1000; n++) {
		free(r->dir);
		r->dir = n == 1 ? xasprintf("%s/%s", r->out, day) :
		    xasprintf("%s/%s-%d", r->out, day, n);
		if (mkdir(r->dir, 0755) == 0)
			break;
		if (errno != EEXIST)
			return err_set(err, "%s: %s", r->dir, strerror(errno));
	}
	if (n == 1000)
		return err_set(err, "%s: too many runs today", r->out);
	snprintf(sub, sizeof(sub), "%s/snapshots", r->dir);
	if (mkdir(sub, 0700) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	snprintf(sub, sizeof(sub), "%s/accounts", r->dir);
	if (mkdir(sub, 0755) < 0)
		return err_set(err, "%s: %s", sub, strerror(errno));
	return 1;
}

/*
 * The OU tree and the tags are walked on their own thread while the
 * accounts are collected (never before them), with the runner's
 * credentials: Organizations answers only the management account or a
 * delegated administrator, the identity that listed the accounts.
 */
static void
start_structure(struct run *r)
{
	json_t *ids = json_array();
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		json_array_append_new(ids, json_string(r->targets[i].target.account_id));
	r->walk = orgs_walk_start(&r->cfg, &r->creds,
	    jstr(r->organization_ids, "id"), ids);
	json_decref(ids);
}

static char *job_account(const struct collect_job *);

/* Profile runs learn their accounts' ids by collecting them: the groups come after. */
static json_t *
profile_structure(const struct run *r)
{
	char **ids = xcalloc(r->ntargets + 1, sizeof(*ids));
	json_t *st;
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		ids[i] = job_account(&r->targets[i]);
	st = accounts_structure(r->targets, r->ntargets, (const char *const *)ids, "profiles");
	for (i = 0; i < r->ntargets; i++)
		free(ids[i]);
	free(ids);
	return st;
}

/* Kept once per run, beside run.json: organization.json, read back by `report`. */
static void
finish_structure(struct run *r)
{
	json_t *p;
	char *path, *s, *err = NULL;
	size_t i;

	if (r->walk != NULL) {
		struct timespec t0, t1;

		/* What the walk adds to the run: how long the join waits for it. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r->structure = orgs_walk_finish(r->walk);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->walk = NULL;
		json_object_set_new(json_object_get(r->structure, "calls"), "waited_ms",
		    json_integer((json_int_t)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000)));
	}
	/* A denied call never fails the run: the accounts are "unknown", with why. */
	json_array_foreach(json_object_get(r->structure, "problems"), i, p)
		log_error("organization structure: %s", json_string_value(p));
	log_debug("organization structure: %lld tree calls, %lld tag calls",
	    jint(json_object_get(r->structure, "calls"), "tree", 0),
	    jint(json_object_get(r->structure, "calls"), "tags", 0));
	path = xasprintf("%s/organization.json", r->dir);
	s = jdump(r->structure, 1);
	if (!file_write_atomic(path, s, strlen(s), 0600, 1, &err)) {
		log_error("%s", err);
		write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
}

/* The run's manifest: what was asked, what happened.  Rewritten atomically. */
static void
write_manifest(struct run *r, const char *status, int exit_code)
{
	json_t *m, *accts = json_array();
	char t[21], *path, *s, *err = NULL;
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		const struct collect_job *j = &r->targets[i];

		json_array_append_new(accts, json_pack("{s:s?,s:s?,s:s?,s:b,s:b,s:s?}",
		    "account_id", j->target.account_id, "name", j->target.name,
		    "snapshot", j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL,
		    "done", j->done, "complete", j->complete, "error", j->error));
	}
	m = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "schema", SCHEMA_RUN,
	    "tool_version", IAMGRADE_VERSION, "status", status,
	    "started", time_fmt(r->started, t), "exit_code", exit_code,
	    "accounts", accts);
	if (r->problems != NULL)
		json_object_set(m, "problems", r->problems);
	if (r->structure != NULL)
		json_object_set_new(m, "organization", json_string("organization.json"));
	path = xasprintf("%s/run.json", r->dir);
	s = jdump(m, 1);
	if (!file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 0, &err)) {
		log_error("%s", err);
		write_failed = 1;
	}
	free(s);
	free(path);
	free(err);
	json_decref(m);
}

static void
progress(void *arg, const struct collect_job *j, size_t done, size_t total)
{
	struct run *r = arg;
	long el = (long)(time(NULL) - r->started);
	const char *id = j->target.account_id ? j->target.account_id : "(caller)";

	if (!j->complete)
		r->failed++;
	if (r->quiet)
		return;
	if (r->tty) {
		long left = done ? el * (long)(total - done) / (long)done : 0;

		fprintf(stderr, "\r\033[K[%zu/%zu] %zu incomplete  %02ld:%02ld elapsed  ~%02ld:%02ld left",
		    done, total, r->failed, el / 60, el % 60, left / 60, left % 60);
		if (!j->complete) {
			char *e = str_sanitize_term(str_show_invisible(j->error ? j->error : "incomplete"));

			fprintf(stderr, "\r\033[K%s: incomplete: %s\n", id, e);
			free(e);
		}
		if (done == total)
			fputc('\n', stderr);
	} else {
		/* Both come from AWS (the Organizations account name, error text). */
		char *e = str_sanitize_term(str_show_invisible(j->error ? j->error : ""));
		char *n = str_sanitize_term(str_show_invisible(j->target.name ? j->target.name : ""));

		log_info("[%zu/%zu] %s%s%s: %s%s%s", done, total, id,
		    *n ? " " : "", n, j->complete ? "complete" : "incomplete",
		    *e ? ": " : "", e);
		free(n);
		free(e);
	}
}

static int
render_to(enum report_fmt fmt, const json_t *results, const struct report_opts *o,
    const char *path, char **err)
{
	struct buf b = { 0 };
	int rc = 0, mode = report_file_mode(fmt);

	if (!report_render(fmt, results, o, &b, err))
		goto out;
	if (!file_write_atomic(path, b.p ? b.p : "", b.len, mode, 0, err)) {
		write_failed = 1;
		goto out;
	}
	rc = 1;
out:
	buf_free(&b);
	return rc;
}

/* A results document holding only one of the accounts. */
static json_t *
results_of(const json_t *results, json_t *account)
{
	json_t *one = json_copy((json_t *)results);

	json_object_set_new(one, "accounts", json_pack("[O]", account));
	return one;
}

/* --baseline: a run's folder (its results.json) or a results document. */
static json_t *
load_baseline(const char *path, char **err)
{
	struct stat st;
	char *file;
	json_t *b;

	file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ?
	    xasprintf("%s/results.json", path) : xstrdup(path);
	b = report_results_load(file, err);
	free(file);
	return b;
}

/*
 * The best name for a job's account: its id from the selection, else from
 * its role ARN, else from the snapshot's file name (ID.json, ID-N.json),
 * else a label naming the profile.  The caller frees it.
 */
static char *
job_account(const struct collect_job *j)
{
	const char *s = NULL, *p;

	if (j->target.account_id != NULL)
		return xstrdup(j->target.account_id);
	if (j->target.role_arn != NULL && (p = strstr(j->target.role_arn, ":iam::")) != NULL)
		s = p + 6;
	else if (j->snapshot != NULL)
		s = strrchr(j->snapshot, '/') + 1;
	if (s != NULL) {
		char id[13];

		snprintf(id, sizeof(id), "%s", s);
		if (str_is_account_id(id))
			return xstrdup(id);
	}
	return xasprintf("unknown (%s)", j->target.name ? j->target.name : "default credentials");
}

/*
 * One results account per job, in every case: a snapshot that loads is
 * graded; a job without a snapshot, or whose snapshot cannot be loaded or
 * graded, becomes an account with every control NOT_EVALUATED and the
 * reason (check_account_missing), and the job is marked incomplete.  No
 * selected account may be missing from an output.
 */
static json_t *
grade_job(struct run *r, struct collect_job *j, const struct check_config *cc)
{
	json_t *snap, *a = NULL;
	char sha[65], *e = NULL, *id;
	const char *file = j->snapshot ? strrchr(j->snapshot, '/') + 1 : NULL, *code;

	/* run.json names the account as the results do (a profile's is learnt). */
	if (j->target.account_id == NULL)
		j->target.account_id = job_account(j);
	if (j->snapshot == NULL) {
		code = "NotCollected";
		e = xasprintf("not collected: %s", j->error ? j->error : "no snapshot was written");
	} else if (!snap_load(j->snapshot, &snap, sha, &e)) {
		code = "SnapshotUnusable";
	} else {
		a = check_account(snap, file, sha, cc);
		json_decref(snap);
		if (a != NULL)
			return a;
		code = "SnapshotUnusable";
		e = xasprintf("%s: cannot grade this snapshot", j->snapshot);
	}
	id = job_account(j);
	if (j->snapshot != NULL) {
		char *t = str_sanitize_term(str_show_invisible(e));

		log_error("%s: %s", id, t);
		free(t);
	}
	a = check_account_missing(id, j->target.name, file, r->started, code, e, cc);
	j->complete = 0;
	free(j->error);
	j->error = e;
	free(id);
	return a;
}

/* Whether the run writes fmt (its row names the run, in the way asked; --no-pdf leaves PDF out). */
static int
run_writes(const struct run *r, int fmt, int how)
{
	return (report_formats[fmt].commands & how) && report_formats[fmt].run_file != NULL &&
	    !(r->no_pdf && fmt == REPORT_PDF);
}

/* Grade every account selected and write the reports.  Returns 1 if fail-on is met. */
static int
grade_and_report(struct run *r, const struct check_config *cc, json_t *baseline, char **err)
{
	struct report_opts o = { .baseline = baseline, .summary = 1,
	    .account_pages = "accounts/%s.html" };
	json_t *accounts = json_array(), *results, *a;
	char *path = NULL;
	size_t i;
	int rc = -1, f, ok;

	/* Grading thousands of accounts takes a while: a signal ends it between two. */
	for (i = 0; i < r->ntargets && !cli_stop; i++)
		json_array_append_new(accounts, grade_job(r, &r->targets[i], cc));
	if (cli_stop) {
		json_decref(accounts);
		err_set(err, "interrupted while grading");
		return -1;
	}
	results = check_results(accounts, cc);
	/* Where each account sits: the same join `report` makes offline. */
	if (r->structure != NULL || r->select != NULL || r->group_by != NULL)
		group_attach(results, r->structure);

	/* The invariant every output relies on: one account per job selected. */
	if (json_array_size(json_object_get(results, "accounts")) != r->ntargets) {
		err_set(err, "%zu accounts selected but %zu graded",
		    r->ntargets, json_array_size(json_object_get(results, "accounts")));
		goto out;
	}
	/*
	 * A selection applies to what is reported, not to what is collected:
	 * the snapshots of every account are kept, so another selection can be
	 * reported later, offline.
	 */
	if ((r->select != NULL && !group_select(results, r->select, err)) ||
	    ((r->structure != NULL || r->group_by != NULL) &&
	    !group_apply(results, baseline, r->group_by, err)))
		goto out;
#define OUT(name) (free(path), path = xasprintf("%s/%s", r->dir, name))
	for (f = 0; f < REPORT_FMT__MAX; f++)
		if (run_writes(r, f, REPORT_IN_RUN) &&
		    !render_to(f, results, &o, OUT(report_formats[f].run_file), err))
			goto out;
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		struct report_opts one = { .baseline = baseline };

		if (cli_stop) {
			err_set(err, "interrupted while writing the reports");
			goto out;
		}
		json_t *ra;
		char *name;

		/* Its own page only under a name that is an account id (ID.html). */
		if (!str_is_account_id(jstr(a, "account_id")))
			continue;
		ra = results_of(results, a);
		name = xasprintf("accounts/%s", jstr(a, "account_id"));

		OUT(name);
		free(name);
		name = path;
		path = NULL;
		for (f = 0, ok = 1; ok && f < REPORT_FMT__MAX; f++) {
			if (!run_writes(r, f, REPORT_IN_RUN_EACH))
				continue;
			free(path);
			path = xasprintf("%s.%s", name, report_formats[f].name);
			ok = render_to(f, ra, &one, path, err);
		}
		free(name);
		json_decref(ra);
		if (!ok)
			goto out;
	}
#undef OUT
	rc = check_results_fail(results, r->fail_on);
	if (!r->quiet) {
		struct report_opts t = { .color = 0 };
		struct buf b = { 0 };

		if (report_render(REPORT_TEXT, results, &t, &b, NULL) && b.len &&
		    r->ntargets == 1)
			fputs(b.p, stdout);
		buf_free(&b);
	}
out:
	free(path);
	json_decref(results);
	return rc;
}

/* The exit status of a run that got this far, and what run.json says. */
static int
run_exit(const struct run *r, int failed, const char **status)
{
	size_t i;
	int code = failed ? EXIT_FAILED : EXIT_OK;

	*status = "complete";
	for (i = 0; i < r->ntargets; i++)
		if (!r->targets[i].complete)
			code = EXIT_INCOMPLETE;
	if (r->problems != NULL)
		code = EXIT_INCOMPLETE;
	if (code == EXIT_INCOMPLETE)
		*status = "incomplete";
	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].write_failed)
			write_failed = 1;
	if (write_failed) {
		code = EXIT_IO;
		*status = "failed";
	}
	return code;
}

int
cmd_run(int argc, char *argv[])
{
	struct run r;
	struct check_config cc;
	struct collect_opts copts;
	struct stat st;
	json_t *baseline = NULL;
	const char *status;
	char *err = NULL, *snapdir = NULL;
	size_t i, done;
	int rc, exit_code = EXIT_USAGE, failed;

	memset(&r, 0, sizeof(r));
	check_config_default(&cc);
	if ((rc = parse_args(&r, argc, argv)) != EXIT_OK) {
		exit_code = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	/* From here on every wait (credential_process included) can be interrupted. */
	cli_catch_signals();
	if (r.config_file != NULL && !check_config_load(r.config_file, &cc, &err))
		goto usage;
	if (r.baseline != NULL && (baseline = load_baseline(r.baseline, &err)) == NULL)
		goto usage;
	/* A bad accounts file is bad input (exit 2), found before any AWS call. */
	if (r.accounts_file != NULL &&
	    !accounts_load(r.accounts_file, &r.targets, &r.ntargets, &err))
		goto usage;
	r.aopts.profile = r.nprofiles == 1 ? r.profiles[0] : NULL;
	if (!aws_config_load(&r.aopts, &r.cfg, &err))
		goto usage;
	if (r.nprofiles <= 1 && !aws_creds_resolve(&r.cfg, &r.creds, &err)) {
		exit_code = EXIT_INCOMPLETE;
		goto fail;
	}
	if (!select_accounts(&r, &err)) {
		exit_code = EXIT_INCOMPLETE;
		goto fail;
	}
	if (r.shard_n > 0) {
		r.ntargets = accounts_shard(r.targets, r.ntargets, r.shard_k, r.shard_n);
		log_info("shard %u/%u: %zu accounts", r.shard_k, r.shard_n, r.ntargets);
		if (r.ntargets == 0) {
			/* A share may be empty: nothing to do is not an error. */
			fprintf(stderr, "iamgrade run: shard %u/%u holds no accounts: nothing to do\n",
			    r.shard_k, r.shard_n);
			exit_code = EXIT_OK;
			goto out;
		}
	}
	if (r.ntargets == 0) {
		err = xstrdup("no accounts to collect");
		goto usage;
	}
	r.started = time(NULL);
	r.tty = isatty(STDERR_FILENO) && log_level == 1;
	if (!make_run_dir(&r, &err)) {
		/* OUT a file or a planted symlink is bad input; the rest is I/O. */
		exit_code = lstat(r.out, &st) == 0 && !S_ISDIR(st.st_mode) ? EXIT_USAGE : EXIT_IO;
		goto fail;
	}
	write_manifest(&r, "running", -1);

	memset(&copts, 0, sizeof(copts));
	copts.cfg = &r.cfg;
	copts.since_days = r.since_days;
	copts.report_wait_s = r.report_wait;
	copts.organization = r.organization_ids;
	snapdir = xasprintf("%s/snapshots", r.dir);
	if (!r.quiet)
		log_info("collecting %zu account%s, %d at a time, into %s", r.ntargets,
		    r.ntargets == 1 ? "" : "s", r.jobs, r.dir);
	if (r.organization_ids != NULL)
		start_structure(&r);
	else if (r.accounts_file != NULL)
		r.structure = accounts_structure(r.targets, r.ntargets, NULL, "accounts_file");
	done = collect_many(r.targets, r.ntargets, &r.creds, &copts, snapdir,
	    r.jobs, &cli_stop, progress, &r);
	if (r.ngroups > 0)
		r.structure = profile_structure(&r);
	if (r.walk != NULL || r.structure != NULL)
		finish_structure(&r);

	if (cli_stop) {
		for (done = i = 0; i < r.ntargets; i++)
			done += r.targets[i].snapshot != NULL;
		log_error("interrupted: %zu of %zu accounts collected; %s is marked interrupted",
		    done, r.ntargets, r.dir);
		exit_code = EXIT_SIGNAL + cli_stop;
		write_manifest(&r, "interrupted", exit_code);
		goto out;
	}
	failed = grade_and_report(&r, &cc, baseline, &err);
	if (cli_stop) {
		/* Whatever was written is whole (atomic), but the set is not. */
		log_error("interrupted while writing the reports; %s is marked interrupted", r.dir);
		exit_code = EXIT_SIGNAL + cli_stop;
		write_manifest(&r, "interrupted", exit_code);
		goto out;
	}
	if (failed < 0) {
		exit_code = write_failed ? EXIT_IO : EXIT_USAGE;
		write_manifest(&r, "failed", exit_code);
		goto fail;
	}
	exit_code = run_exit(&r, failed, &status);
	write_manifest(&r, status, exit_code);
	if (!r.quiet)
		printf("%s\n", r.dir);
	if (exit_code == EXIT_IO)
		fprintf(stderr, "iamgrade run: some files of %s could not be written (see above)\n",
		    r.dir);
	goto out;
usage:
	exit_code = EXIT_USAGE;
fail:
	/* A wait cut short by a signal is an interruption, whatever it broke. */
	if (cli_stop)
		exit_code = EXIT_SIGNAL + cli_stop;
	fprintf(stderr, "iamgrade run: %s\n", err ? str_sanitize_term(err) : "failed");
out:
	for (i = 0; i < r.ntargets; i++)
		collect_job_free(&r.targets[i]);
	free(r.targets);
	free(r.dir);
	free(snapdir);
	free(err);
	json_decref(r.organization_ids);
	json_decref(r.problems);
	json_decref(r.structure);
	json_decref(baseline);
	aws_config_free(&r.cfg);
	aws_creds_free(&r.creds);
	check_config_free(&cc);
	return exit_code;
}
