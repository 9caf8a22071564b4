/*
 * iamgrade merge DIR... --out OUT: the run folders of a sharded run's
 * shards into one run folder, as one whole run would have written it.
 * Each shard's manifest is verified first, so that nothing edited is merged.
 * A shard or the output on S3 goes through a local staging folder
 * (collector/s3out.h): a shard is fetched whole and then verified like a
 * folder; the merged run is written whole, then uploaded, run.json last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "common/schema.h"
#include "checks/checks.h"
#include "collector/aws.h"
#include "collector/s3out.h"
#include "evidence/evidence.h"
#include "report/group.h"
#include "report/report.h"
#include "report/runfiles.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct merge_args {
	const char	*out;
	const char	*sign_key;
	const char	*profile;
	const char	*region;
	const char	*endpoint;
	int		 no_pdf;
	int		 level;
};

static const struct cli_opt merge_opts[] = {
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "out", 0, struct merge_args, out, "DIR",
	  "the merged run goes to DIR/YYYY-MM-DD/ (a new folder, dated\n"
	  "as the shards' run started); or s3://BUCKET/PREFIX/\n"
	  "(uploaded once, never replacing, run.json last)", .flags = CLI_ONCE),
	CLI_OPT(CLI_FLAG, "no-pdf", 0, struct merge_args, no_pdf, NULL,
	  "do not write summary.pdf", .value = 1),
	CLI_OPT(CLI_STRING, "sign", 0, struct merge_args, sign_key, "KEYFILE",
	  "sign MANIFEST.sha256 with this Ed25519 private key\n"
	  "(PEM, from iamgrade keygen) into MANIFEST.sha256.sig", .flags = CLI_ONCE),
	CLI_OPT(CLI_FLAG, "quiet", 'q', struct merge_args, level, NULL,
	  "errors only", .value = 0),
	CLI_OPT_HEADING("S3 (a shard given as s3://BUCKET/PREFIX/, or --out s3://):"),
	CLI_OPT(CLI_STRING, "profile", 0, struct merge_args, profile, "P",
	  "profile from the shared AWS config files", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "region", 0, struct merge_args, region, "R",
	  "the bucket's region", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "endpoint-url", 0, struct merge_args, endpoint, "URL",
	  "send every call to URL (an emulator, a proxy)", .flags = CLI_ONCE),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_merge = {
	"merge", "merge the run folders of a sharded run's shards into one run folder",
	"usage: iamgrade merge SHARD-DIR... --out DIR [--no-pdf] [--sign KEYFILE]\n"
	"\n"
	"Each SHARD-DIR is the run folder of one shard (run --shard K/N), on disk\n"
	"or as the s3://BUCKET/PREFIX/ a shard's run --out s3:// printed.  Every\n"
	"shard's MANIFEST.sha256 is verified, its results joined (each shard once,\n"
	"none missing, no account twice), the summary rendered, and the shards'\n"
	"snapshots and per-account reports copied into one new run folder with\n"
	"its own run.json, evidence.json and MANIFEST.sha256.\n",
	merge_opts,
	"Exit status: 0 merged, 3 merged but a shard's run was incomplete, 2 bad\n"
	"input (a shard edited, unfinished, missing, given twice, overlapping),\n"
	"4 a file could not be written or uploaded.\n"
};

/* What merge keeps of each shard. */
struct shard {
	const char	*dir;		/* on disk: as given, or the staging copy of an S3 shard */
	const char	*label;		/* as given: the folder or the s3:// URL */
	struct s3_out	 s3;		/* an S3 shard: its URL's parts and staging folder */
	char		*name;		/* DIR/results.json, for messages */
	json_t		*run;		/* its run.json */
	json_t		*results;
	char		*region;	/* the region its evidence.json names, or NULL */
};

/* The files of dir that differ from its manifest, as one line; NULL when none. */
static char *
merge_problems(const json_t *problems)
{
	struct buf b = { 0 };
	const json_t *p;
	size_t i;

	json_array_foreach(problems, i, p)
		buf_printf(&b, "%s%s (%s)", i ? ", " : "", jstr(p, "file"), jstr(p, "problem"));
	return buf_steal(&b);
}

/* The region a shard's evidence.json names (ASFF's product ARN), for the merged reports. */
static char *
merge_region(const char *dir)
{
	char *path = xasprintf("%s/%s", dir, EV_EVIDENCE), *region;
	json_t *ev = json_load_file(path, 0, NULL);

	region = xstrdup(json_string_value(json_array_get(json_object_get(ev, "regions"), 0)));
	json_decref(ev);
	free(path);
	return region;
}

/* One shard, verified and loaded; 0 with *err naming the folder. */
static int
merge_load(struct shard *s, char **err)
{
	json_t *problems = NULL;
	json_error_t je;
	char *path = xasprintf("%s/%s", s->dir, EV_RUN_JSON), *list = NULL;
	const char *st;
	int rc = 0;

	s->name = xasprintf("%s%sresults.json", s->label, s->s3.bucket ? "" : "/");
	if ((s->run = json_load_file(path, 0, &je)) == NULL) {
		err_set(err, "%s: not a run folder: %s: %s", s->label, EV_RUN_JSON, je.text);
		goto out;
	}
	st = jstr(s->run, "status");
	if (jstr(s->run, "schema") == NULL || strcmp(jstr(s->run, "schema"), SCHEMA_RUN) != 0 ||
	    st == NULL || (strcmp(st, "complete") != 0 && strcmp(st, "incomplete") != 0)) {
		err_set(err, "%s: the run is \"%s\", not finished: only a finished run is merged",
		    s->label, st ? st : "?");
		goto out;
	}
	if (!ev_verify(s->dir, &problems, err))
		goto out;
	if (json_array_size(problems) > 0) {
		list = merge_problems(problems);
		err_set(err, "%s differs from its %s: %s; nothing is merged", s->label, EV_MANIFEST,
		    list);
		goto out;
	}
	free(path);
	path = xasprintf("%s/results.json", s->dir);
	if ((s->results = report_results_load(path, err)) == NULL)
		goto out;
	s->region = merge_region(s->dir);
	rc = 1;
out:
	json_decref(problems);
	free(list);
	free(path);
	return rc;
}

/* The shards' results as one document (checks' join), keeping what the run added. */
static json_t *
merge_join(struct shard *sh, size_t n, char **err)
{
	json_t **docs = xcalloc(n, sizeof(*docs)), *accounts, *results = NULL, *v;
	const char **names = xcalloc(n, sizeof(*names)), *k;
	struct check_config cc;
	size_t i;

	for (i = 0; i < n; i++) {
		docs[i] = sh[i].results;
		names[i] = sh[i].name;
	}
	check_config_default(&cc);
	if ((accounts = check_results_join(docs, names, n, err)) == NULL)
		goto out;
	results = check_results(accounts, &cc);
	/* The shards' thresholds, framework, organization ...: one run's, alike in each. */
	json_object_foreach(sh[0].results, k, v)
		if (strcmp(k, "accounts") != 0 && strcmp(k, "shard") != 0 &&
		    strcmp(k, "grouping") != 0 && strcmp(k, "generated_at") != 0)
			json_object_set(results, k, v);
	if (json_object_get(results, "organization") != NULL &&
	    !group_apply(results, NULL, NULL, err)) {
		json_decref(results);
		results = NULL;
	}
out:
	check_config_free(&cc);
	free(docs);
	free(names);
	return results;
}

/* When the shards' run started: the earliest of their run.json "started". */
static time_t
merge_started(const struct shard *sh, size_t n)
{
	time_t t, first = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (jstr(sh[i].run, "started") != NULL && time_parse(jstr(sh[i].run, "started"), &t) &&
		    (first == 0 || t < first))
			first = t;
	return first ? first : time(NULL);
}

/* The shards' snapshots, per-account reports and organization record, copied. */
static int
merge_copy(const struct shard *sh, size_t n, const char *dir, char **err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ev_copy_files(sh[i].dir, dir, "snapshots", err) ||
		    !ev_copy_files(sh[i].dir, dir, "accounts", err))
			return 0;
	/* Every shard walked the whole organization: one record is the run's. */
	return ev_copy_files(sh[0].dir, dir, "organization.json", err);
}

/* run.json of the merged folder: the shards' accounts, and which shards, by manifest hash. */
static int
merge_run_json(const struct shard *sh, size_t n, const char *dir, const char *hash,
    int code, char **err)
{
	json_t *m, *accts = json_array(), *from = json_array();
	char t[21], *path = xasprintf("%s/%s", dir, EV_RUN_JSON), *s;
	size_t i;
	int ok;

	for (i = 0; i < n; i++) {
		json_array_extend(accts, json_object_get(sh[i].run, "accounts"));
		json_array_append_new(from, json_pack("{s:s, s:s?}", "folder", sh[i].label,
		    "manifest_sha256", jstr(sh[i].run, "manifest_sha256")));
	}
	m = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s}", "schema", SCHEMA_RUN,
	    "tool_version", IAMGRADE_VERSION, "status", code == EXIT_OK ? "complete" : "incomplete",
	    "started", time_fmt(merge_started(sh, n), t), "exit_code", code, "accounts", accts,
	    "merged_from", from, "manifest_sha256", hash);
	if (json_object_get(sh[0].run, "organization") != NULL)
		json_object_set_new(m, "organization", json_string("organization.json"));
	s = jdump(m, 1);
	ok = file_write_atomic(path, s, strlen(s), file_mode_umask(0644), 1, err);
	free(s);
	free(path);
	json_decref(m);
	return ok;
}

/* evidence.json, the manifest and its signature. */
static int
merge_seal(const struct merge_args *a, int argc, char **argv, const struct shard *sh,
    size_t n, const json_t *results, const char *dir, char hash[65], char **err)
{
	struct ev_run ev = { .argc = argc, .argv = argv, .region = sh[0].region };
	char t0[21], t1[21], *s, *path = xasprintf("%s/%s", dir, EV_EVIDENCE);
	int mode = file_mode_umask(0644), ok;
	json_t *e;

	ev.started = time_fmt(merge_started(sh, n), t0);
	ev.finished = time_fmt(time(NULL), t1);
	e = ev_evidence(results, &ev);
	s = jdump(e, 1);
	ok = file_write_atomic(path, s, strlen(s), mode, 1, err) &&
	    ev_manifest_write(dir, mode, hash, err) &&
	    (a->sign_key == NULL || ev_sign(dir, a->sign_key, mode, err));
	free(s);
	free(path);
	json_decref(e);
	return ok;
}

/* The merged folder under out, written whole, run.json last, as *dir; an exit code. */
static int
merge_write(const struct merge_args *a, const char *out, int argc, char **argv,
    struct shard *sh, size_t n, const json_t *results, char **dir, char hash[65], char **err)
{
	struct report_opts o = { .summary = 1, .account_pages = "accounts/%s.html",
	    .region = sh[0].region };
	size_t i;
	int code = EXIT_OK;

	for (i = 0; i < n; i++)
		if (strcmp(jstr(sh[i].run, "status"), "complete") != 0)
			code = EXIT_INCOMPLETE;
	if (!ev_run_dir(out, merge_started(sh, n), dir, err) ||
	    !merge_copy(sh, n, *dir, err) ||
	    !report_write_run(*dir, results, &o, report_run_outputs() &
	    ~(a->no_pdf ? REPORT_BIT(REPORT_PDF) : 0u), sh[0].dir, err) ||
	    !merge_seal(a, argc, argv, sh, n, results, *dir, hash, err) ||
	    !merge_run_json(sh, n, *dir, hash, code, err)) {
		if (*dir != NULL) {
			char *e = *err;

			*err = NULL;
			err_set(err, "%s (in %s, left unfinished: no run.json)", e, *dir);
			free(e);
		}
		code = EXIT_IO;
	}
	return code;
}

/*
 * --out s3://: the merged run named as a run on S3 is (the first free
 * day, day-2, ... under the prefix), written whole into a staging folder,
 * then uploaded; a failed upload keeps the staging copy and names it.
 */
static int
merge_write_s3(const struct merge_args *a, struct aws_client *c, int argc, char **argv,
    struct shard *sh, size_t n, const json_t *results, char **url, char hash[65], char **err)
{
	struct s3_out o;
	char day[21], *name = NULL, *dir = NULL, *e;
	size_t nput = 0;
	int code = EXIT_USAGE;

	time_fmt(merge_started(sh, n), day);
	day[10] = '\0';
	if (!s3_out_parse(a->out, &o, err) || !s3_out_fresh_name(c, &o, day, &name, err) ||
	    !s3_out_stage(&o, err))
		goto out;
	if ((code = merge_write(a, o.staging, argc, argv, sh, n, results, &dir, hash, err)) ==
	    EXIT_IO)
		goto out;
	if (!s3_out_upload(c, &o, dir, name, EV_RUN_JSON, &nput, err)) {
		e = *err;
		*err = NULL;
		err_set(err, "%s; %zu object%s written under s3://%s/%s%s/; the whole run is kept "
		    "in %s", e, nput, nput == 1 ? "" : "s", o.bucket, o.prefix, name, dir);
		free(e);
		code = EXIT_IO;
		goto out;
	}
	*url = xasprintf("s3://%s/%s%s/", o.bucket, o.prefix, name);
	if (!s3_out_unstage(&o, &e)) {
		log_error("%s", e);
		free(e);
	}
out:
	free(dir);
	free(name);
	s3_out_free(&o);
	return code;
}

/* A client for the shards or the output on S3 (NULL: neither is there, or *err). */
static struct aws_client *
merge_client(const struct merge_args *a, char *const *dirs, int n, struct aws_config *cfg,
    struct aws_creds *creds, char **err)
{
	struct aws_opts ao = { .profile = a->profile, .region = a->region,
	    .endpoint_url = a->endpoint, .body_max = S3OUT_FILE_MAX };
	struct s3_out o;
	int i, ok, s3 = 0;

	/* Every URL checked before any call (dirs[n] is --out). */
	for (i = 0; i <= n; i++) {
		if (!s3_out_is(i < n ? dirs[i] : a->out))
			continue;
		s3 = 1;
		ok = s3_out_parse(i < n ? dirs[i] : a->out, &o, err);
		s3_out_free(&o);
		if (!ok)
			return NULL;
	}
	if (!s3)
		return NULL;
	if (!aws_config_load(&ao, cfg, err))
		return NULL;
	if (!aws_creds_resolve(cfg, creds, err)) {
		aws_config_free(cfg);
		return NULL;
	}
	return aws_client_new(cfg, creds);
}

/* An S3 shard fetched whole into its staging folder, which stands for it from then on. */
static int
merge_fetch(struct aws_client *c, struct shard *s, char **err)
{
	size_t nget;

	if (!s3_out_is(s->label))
		return 1;
	if (!s3_out_parse(s->label, &s->s3, err) || !s3_out_stage(&s->s3, err) ||
	    !s3_out_fetch(c, &s->s3, s->s3.staging, &nget, err))
		return 0;
	s->dir = s->s3.staging;
	return 1;
}

static void
merge_free(struct shard *sh, int n)
{
	char *err = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!s3_out_unstage(&sh[i].s3, &err)) {
			log_error("%s", err);
			free(err);
			err = NULL;
		}
		s3_out_free(&sh[i].s3);
		free(sh[i].name);
		free(sh[i].region);
		json_decref(sh[i].run);
		json_decref(sh[i].results);
	}
	free(sh);
}

int
cmd_merge(int argc, char *argv[])
{
	struct merge_args a = { .level = 1 };
	struct aws_config cfg;
	struct aws_creds creds;
	struct aws_client *c = NULL;
	struct shard *sh = NULL;
	json_t *results = NULL;
	char *err = NULL, *where = NULL, hash[65];
	int first, i, n = 0, code = EXIT_USAGE;

	if ((first = cli_parse(&cli_cmd_merge, argc, argv, &a)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (a.out == NULL)
		return usage_error("merge", "--out DIR is required");
	if (first >= argc)
		return usage_error("merge", "no shard: give the shards' run folders");
	if (a.sign_key != NULL && !ev_key_usable(a.sign_key, &err))
		goto out;
	if ((c = merge_client(&a, argv + first, argc - first, &cfg, &creds, &err)) == NULL &&
	    err != NULL)
		goto out;
	sh = xcalloc((size_t)(argc - first), sizeof(*sh));
	for (i = first; i < argc; i++, n++) {
		sh[n].dir = sh[n].label = argv[i];
		if (!merge_fetch(c, &sh[n], &err) || !merge_load(&sh[n], &err))
			goto out;
	}
	if ((results = merge_join(sh, (size_t)n, &err)) != NULL)
		code = c != NULL && s3_out_is(a.out) ?
		    merge_write_s3(&a, c, argc, argv, sh, (size_t)n, results, &where, hash, &err) :
		    merge_write(&a, a.out, argc, argv, sh, (size_t)n, results, &where, hash, &err);
	if (code != EXIT_IO && code != EXIT_USAGE && a.level != 0)
		printf("%s\n%s sha256 %s\n", where, EV_MANIFEST, hash);
out:
	if (err != NULL)
		fprintf(stderr, "iamgrade merge: %s\n", str_sanitize_term(err));
	merge_free(sh, sh != NULL ? argc - first : 0);	/* zeroed: unused ones free as nothing */
	if (c != NULL) {
		aws_client_free(c);
		aws_creds_free(&creds);
		aws_config_free(&cfg);
	}
	json_decref(results);
	free(where);
	free(err);
	cli_args_free(&cli_cmd_merge, &a);
	return code;
}
