/* Unit tests: the accounts file of `iamgrade run` and sharding. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "collector/collector.h"
#include "tests/unit/t.h"

static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/iamgrade-accounts-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static int
load(const char *text, struct collect_job **jobs, size_t *n, char **err)
{
	char *path = write_tmp(text);
	int rc = accounts_load(path, jobs, n, err);

	unlink(path);
	free(path);
	return rc;
}

static void
free_jobs(struct collect_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		collect_job_free(&jobs[i]);
	free(jobs);
}

static void
t_basic(void)
{
	struct collect_job *j = NULL;
	size_t n = 0;
	char *err = NULL;

	T(load("account_id,name,role_arn\r\n"
	    "111122223333,\"Prod, EU\",arn:aws:iam::111122223333:role/Audit\r\n"
	    "444455556666,Staging,\n", &j, &n, &err), "load: %s", err);
	T(n == 2, "n = %zu", n);
	if (n == 2) {
		T_STREQ(j[0].target.account_id, "111122223333");
		T_STREQ(j[0].target.name, "Prod, EU");
		T_STREQ(j[0].target.role_arn, "arn:aws:iam::111122223333:role/Audit");
		T(j[1].target.role_arn == NULL, "empty role_arn is NULL");
		T_STREQ(j[1].target.name, "Staging");
	}
	free_jobs(j, n);
	free(err);
}

static void
t_reordered_extra_columns(void)
{
	struct collect_job *j = NULL;
	size_t n = 0;
	char *err = NULL;

	T(load("owner,name,account_id\nalice,Sandbox,999988887777", &j, &n, &err),
	    "load: %s", err);
	T(n == 1 && strcmp(j[0].target.account_id, "999988887777") == 0 &&
	    strcmp(j[0].target.name, "Sandbox") == 0, "columns found by name");
	free_jobs(j, n);
	free(err);
}

static void
t_errors(void)
{
	struct collect_job *j = NULL;
	size_t n = 0;
	char *err = NULL;

	T(!load("id,name\n111122223333,x\n", &j, &n, &err), "no account_id column");
	T(err && strstr(err, ":1: no account_id column"), "err: %s", err ? err : "");
	T(!load("account_id,name\n111122223333,a\n12345,b\n", &j, &n, &err), "bad id");
	T(err && strstr(err, ":3: account_id must be 12 digits"), "err names the line: %s", err ? err : "");
	T(!load("account_id,name\n111122223333,a\n444455556666,b\n111122223333,c\n", &j, &n, &err),
	    "an account listed twice");
	T(err && strstr(err, ":4: account 111122223333 is listed twice (first on line 2)"),
	    "err names both lines: %s", err ? err : "");
	/* Arabic-Indic digits are digits to some isdigit(); not to AWS. */
	T(!load("account_id\n11112222333\xd9\xa3\n", &j, &n, &err), "non-ASCII digit");
	T(!load("account_id\n 1111222233334\n", &j, &n, &err), "13 digits");
	T(!load("account_id,name\n", &j, &n, &err), "empty");
	T(err && strstr(err, "no accounts"), "err: %s", err ? err : "");
	T(!load("account_id,name\n111122223333,\"unterminated\n", &j, &n, &err), "bad quoting");
	T(!accounts_load("/nonexistent/accounts.csv", &j, &n, &err), "missing file");
	T(err && strstr(err, "/nonexistent/accounts.csv"), "err names the file: %s", err ? err : "");
	free(err);
}

/* ou and tag:KEY columns: every account placed, "/" and no tags when blank. */
static void
t_ou_tags(void)
{
	static const struct { const char *in, *want; } paths[] = {
		{ "/", "/" }, { "/Prod/", "/Prod" }, { "//Prod//Pay", "/Prod/Pay" },
		{ "/Prod", "/Prod" }, { "Prod", NULL }, { "", NULL },
	};
	struct collect_job *j = NULL;
	json_t *st;
	size_t n = 0, i;
	char *err = NULL, *s;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		s = accounts_ou_path(paths[i].in);
		T((s == NULL && paths[i].want == NULL) ||
		    (s != NULL && paths[i].want != NULL && strcmp(s, paths[i].want) == 0),
		    "\"%s\" -> \"%s\"", paths[i].in, s ? s : "(null)");
		free(s);
	}
	T(load("account_id,ou,tag:env,Tag:Owner\n"
	    "111122223333,/Prod/Payments/,prod,pay\n"
	    "444455556666,,,\n", &j, &n, &err), "load: %s", err);
	T(n == 2, "n = %zu", n);
	if (n == 2) {
		T_STREQ(j[0].ou_path, "/Prod/Payments");
		T_STREQ(jstr(j[0].tags, "env"), "prod");
		T_STREQ(jstr(j[0].tags, "Owner"), "pay");
		T(j[1].ou_path == NULL && j[1].tags == NULL, "blank: no OU, no tags");
		st = accounts_structure(j, n, NULL, "accounts_file");
		T_STREQ(json_string_value(jpath(st, "accounts.444455556666.ou_path")), "/");
		T_STREQ(json_string_value(jpath(st, "accounts.111122223333.ou_path")), "/Prod/Payments");
		/* The OUs are the paths named and their parents, each once. */
		T(json_array_size(json_object_get(st, "ous")) == 3, "ous: %zu",
		    json_array_size(json_object_get(st, "ous")));
		json_decref(st);
	}
	free_jobs(j, n);
	T(!load("account_id,ou\n111122223333,Prod\n", &j, &n, &err), "a relative OU path");
	T(err && strstr(err, ":2: ou must be a path"), "err names the line: %s", err ? err : "");
	free(err);
}

static void
t_shard(void)
{
	struct collect_job *all = NULL, *part;
	size_t n = 0, i, k, total = 0, kept;
	char *err = NULL, text[8192], *p = text;

	p += sprintf(p, "account_id\n");
	for (i = 0; i < 60; i++)
		p += sprintf(p, "%012zu\n", 100000000000 + i * 7919);
	T(load(text, &all, &n, &err), "load: %s", err);
	/* Every account lands in exactly one of 4 shards, each one non-empty. */
	for (k = 1; k <= 4; k++) {
		struct collect_job *copy = NULL;
		size_t m = 0;

		T(load(text, &copy, &m, &err), "reload");
		part = copy;
		kept = accounts_shard(part, m, (unsigned)k, 4);
		T(kept > 0 && kept < 60, "shard %zu has %zu", k, kept);
		total += kept;
		free_jobs(part, kept);
	}
	T(total == 60, "shards add up to %zu", total);
	free_jobs(all, n);
	free(err);
}

/* --shard's forms, and the batch engines' variables, as data. */
static const char *const *shard_env;	/* NAME=VALUE ..., NULL */

static const char *
shard_getenv(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; shard_env[i] != NULL; i++)
		if (strncmp(shard_env[i], name, n) == 0 && shard_env[i][n] == '=')
			return shard_env[i] + n + 1;
	return NULL;
}

static void
t_shard_spec(void)
{
	static const struct {
		const char	*arg;
		const char	*env[4];
		unsigned	 k, n;		/* 0: an error ... */
		const char	*err;		/* ... whose message holds this */
	} cases[] = {
		{ "2/5", { NULL }, 2, 5, NULL },
		{ "1/1", { "AWS_BATCH_JOB_ARRAY_INDEX=3", NULL }, 1, 1, NULL },
		{ "0/5", { NULL }, 0, 0, "--shard's K must be a whole number from 1 to 5" },
		{ "6/5", { NULL }, 0, 0, "--shard's K" },
		{ "1/0", { NULL }, 0, 0, "--shard's N" },
		{ "1/x", { NULL }, 0, 0, "--shard's N" },
		{ "3", { NULL }, 0, 0, "--shard takes K/N, auto/N or auto" },
		{ "automatic", { NULL }, 0, 0, "--shard takes K/N, auto/N or auto" },
		/* AWS Batch: 0-based index, the size from the job's environment. */
		{ "auto", { "AWS_BATCH_JOB_ARRAY_INDEX=0", "AWS_BATCH_JOB_ARRAY_SIZE=4", NULL }, 1, 4, NULL },
		{ "auto", { "AWS_BATCH_JOB_ARRAY_INDEX=3", "AWS_BATCH_JOB_ARRAY_SIZE=4", NULL }, 4, 4, NULL },
		{ "auto", { "AWS_BATCH_JOB_ARRAY_INDEX=4", "AWS_BATCH_JOB_ARRAY_SIZE=4", NULL }, 0, 0,
		    "AWS_BATCH_JOB_ARRAY_INDEX (--shard auto, 4 shards) must be a whole number from 0 to 3, not \"4\"" },
		{ "auto/3", { "AWS_BATCH_JOB_ARRAY_INDEX=2", NULL }, 3, 3, NULL },
		/* Kubernetes Indexed Job: the completions count given. */
		{ "auto/8", { "JOB_COMPLETION_INDEX=5", NULL }, 6, 8, NULL },
		{ "auto", { "JOB_COMPLETION_INDEX=5", "IAMGRADE_SHARDS=8", NULL }, 6, 8, NULL },
		{ "auto", { "JOB_COMPLETION_INDEX=5", NULL }, 0, 0, "how many shards?" },
		{ "auto/8", { "JOB_COMPLETION_INDEX=-1", NULL }, 0, 0, "JOB_COMPLETION_INDEX" },
		{ "auto/8", { "JOB_COMPLETION_INDEX=", NULL }, 0, 0, "JOB_COMPLETION_INDEX" },
		{ "auto/8", { NULL }, 0, 0, "neither AWS_BATCH_JOB_ARRAY_INDEX" },
		{ "auto", { "AWS_BATCH_JOB_ARRAY_SIZE=0", "AWS_BATCH_JOB_ARRAY_INDEX=0", NULL }, 0, 0,
		    "AWS_BATCH_JOB_ARRAY_SIZE (--shard auto) must be a whole number from 1" },
		{ "auto/4", { "AWS_BATCH_JOB_ARRAY_INDEX=1", "JOB_COMPLETION_INDEX=2", NULL }, 0, 0, "disagree" },
		{ "auto/4", { "AWS_BATCH_JOB_ARRAY_INDEX=1", "JOB_COMPLETION_INDEX=1", NULL }, 2, 4, NULL },
	};
	unsigned k, n;
	char *err;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		shard_env = cases[i].env;
		err = NULL;
		k = n = 0;
		ok = accounts_shard_spec(cases[i].arg, shard_getenv, &k, &n, &err);
		if (cases[i].k != 0) {
			T(ok && k == cases[i].k && n == cases[i].n, "%s: %u/%u, want %u/%u (%s)",
			    cases[i].arg, k, n, cases[i].k, cases[i].n, err ? err : "");
		} else
			T(!ok && err != NULL && strstr(err, cases[i].err) != NULL,
			    "%s: error \"%s\", want one with \"%s\"", cases[i].arg, err ? err : "(none)",
			    cases[i].err);
		free(err);
	}
}

int
main(void)
{
	RUN(t_basic);
	RUN(t_reordered_extra_columns);
	RUN(t_errors);
	RUN(t_ou_tags);
	RUN(t_shard);
	RUN(t_shard_spec);
	return t_done();
}
