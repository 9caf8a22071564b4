/* The accounts of a multi-account run: the accounts file and sharding. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "collector/collector.h"

/* Columns we know; others are ignored so the file can carry notes. */
enum acol { COL_ID, COL_NAME, COL_ROLE, COL_EXTID, COL_OU, COL__MAX };
static const char *const acol_names[COL__MAX] = {
	"account_id", "name", "role_arn", "external_id", "ou"
};

struct aparse {
	const char		*path;
	int			 col[COL__MAX];	/* header position of each column, -1 if absent */
	size_t			 line;		/* current record's line number */
	size_t			 field;		/* field index within the record */
	char			*vals[COL__MAX];
	struct collect_job	*jobs;
	size_t			 n;
	json_t			*lines;		/* account id -> the line listing it */
	json_t			*tagcols;	/* [key or null] by field index: tag:KEY columns */
	json_t			*tags;		/* the current record's tags */
	char			*err;
};

void
collect_job_free(struct collect_job *j)
{
	free((char *)j->target.account_id);
	free((char *)j->target.name);
	free((char *)j->target.role_arn);
	free((char *)j->target.external_id);
	if (j->cfg != NULL) {
		aws_config_free(j->cfg);
		free(j->cfg);
	}
	aws_creds_free(&j->creds);
	free(j->snapshot);
	free(j->error);
	free(j->ou_path);
	json_decref(j->tags);
	memset(j, 0, sizeof(*j));
}

static void
on_field(void *s, size_t len, void *arg)
{
	struct aparse *p = arg;
	char *v = str_trim(s ? (char *)s : (char *)"");
	int c;

	(void)len;
	if (p->line == 1) {
		for (c = 0; c < COL__MAX; c++)
			if (strcasecmp(v, acol_names[c]) == 0)
				p->col[c] = (int)p->field;
		/* tag:KEY: the key as written (tag keys are case-sensitive). */
		json_array_append_new(p->tagcols, strncasecmp(v, "tag:", 4) == 0 && v[4] != '\0' ?
		    json_string(v + 4) : json_null());
	} else {
		const char *key = json_string_value(json_array_get(p->tagcols, p->field));

		if (key != NULL && *v != '\0')
			json_object_set_new(p->tags, key, json_string(v));
	}
	if (p->line != 1)
		for (c = 0; c < COL__MAX; c++)
			if (p->col[c] == (int)p->field) {
				free(p->vals[c]);
				p->vals[c] = *v ? xstrdup(v) : NULL;
			}
	p->field++;
}

int
accounts_valid_id(const char *s)
{
	size_t i;

	/* isdigit() may take other digits in some locales: ASCII only. */
	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i == 12;
}

static void
on_record(int c, void *arg)
{
	struct aparse *p = arg;
	struct collect_job *j;
	char *ou = NULL;
	int k;

	(void)c;
	if (p->err != NULL)
		goto out;
	if (p->line == 1) {
		if (p->col[COL_ID] < 0)
			err_set(&p->err, "%s:1: no account_id column in the header", p->path);
		goto out;
	}
	if (p->vals[COL_ID] == NULL && p->field <= 1)
		goto out;	/* blank line */
	if (p->vals[COL_ID] == NULL || !accounts_valid_id(p->vals[COL_ID])) {
		err_set(&p->err, "%s:%zu: account_id must be 12 digits, not \"%s\"",
		    p->path, p->line, p->vals[COL_ID] ? p->vals[COL_ID] : "");
		goto out;
	}
	/* Twice the same account would be collected twice, each run of it a guess. */
	if (json_object_get(p->lines, p->vals[COL_ID]) != NULL) {
		err_set(&p->err, "%s:%zu: account %s is listed twice (first on line %lld)",
		    p->path, p->line, p->vals[COL_ID],
		    json_integer_value(json_object_get(p->lines, p->vals[COL_ID])));
		goto out;
	}
	if (p->vals[COL_OU] != NULL && (ou = accounts_ou_path(p->vals[COL_OU])) == NULL) {
		err_set(&p->err, "%s:%zu: ou must be a path such as /Production/Payments, not \"%s\"",
		    p->path, p->line, p->vals[COL_OU]);
		goto out;
	}
	json_object_set_new(p->lines, p->vals[COL_ID], json_integer((json_int_t)p->line));
	p->jobs = xrealloc(p->jobs, (p->n + 1) * sizeof(*p->jobs));
	j = &p->jobs[p->n++];
	memset(j, 0, sizeof(*j));
	j->ou_path = ou;
	ou = NULL;
	if (json_object_size(p->tags) > 0)
		j->tags = json_incref(p->tags);
	j->target.account_id = p->vals[COL_ID];
	j->target.name = p->vals[COL_NAME];
	j->target.role_arn = p->vals[COL_ROLE];
	j->target.external_id = p->vals[COL_EXTID];
	/* The job owns these now; the ou column was copied, normalised, above. */
	p->vals[COL_ID] = p->vals[COL_NAME] = p->vals[COL_ROLE] = p->vals[COL_EXTID] = NULL;
out:
	for (k = 0; k < COL__MAX; k++) {
		free(p->vals[k]);
		p->vals[k] = NULL;
	}
	free(ou);
	json_decref(p->tags);
	p->tags = json_object();
	p->field = 0;
	p->line++;
}

int
accounts_load(const char *path, struct collect_job **jobs, size_t *n, char **err)
{
	struct csv_parser csv;
	struct aparse p;
	char *data = NULL;
	size_t len = 0, i;
	int rc = 0, k;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.line = 1;
	p.lines = json_object();
	p.tagcols = json_array();
	p.tags = json_object();
	for (k = 0; k < COL__MAX; k++)
		p.col[k] = -1;
	if (!file_read(path, 16u << 20, &data, &len, err))
		goto out;
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		err_set(err, "%s: cannot set up the CSV parser", path);
		goto out;
	}
	if (csv_parse(&csv, data, len, on_field, on_record, &p) != len ||
	    csv_fini(&csv, on_field, on_record, &p) != 0) {
		if (p.err == NULL)
			err_set(&p.err, "%s:%zu: %s", path, p.line,
			    csv_strerror(csv_error(&csv)));
	}
	csv_free(&csv);
	if (p.err != NULL) {
		err_set(err, "%s", p.err);
		goto out;
	}
	if (p.n == 0) {
		err_set(err, "%s: no accounts listed", path);
		goto out;
	}
	*jobs = p.jobs;
	*n = p.n;
	p.jobs = NULL;
	p.n = 0;
	rc = 1;
out:
	for (i = 0; i < p.n; i++)
		collect_job_free(&p.jobs[i]);
	free(p.jobs);
	for (k = 0; k < COL__MAX; k++)
		free(p.vals[k]);
	json_decref(p.lines);
	json_decref(p.tagcols);
	json_decref(p.tags);
	free(p.err);
	free(data);
	return rc;
}

size_t
accounts_shard(struct collect_job *jobs, size_t n, unsigned k, unsigned of)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		char hex[65];
		uint64_t h;

		sha256_hex(jobs[i].target.account_id, strlen(jobs[i].target.account_id), hex);
		hex[16] = '\0';
		h = strtoull(hex, NULL, 16);
		if (h % of == k - 1)
			jobs[kept++] = jobs[i];
		else
			collect_job_free(&jobs[i]);
	}
	return kept;
}

char *
accounts_ou_path(const char *s)
{
	struct buf b = { 0 };
	const char *seg, *end;

	if (s == NULL || *s != '/')
		return NULL;
	/* Empty segments ("//") are dropped; a trailing slash names the same OU. */
	for (seg = s; *seg != '\0'; seg = end) {
		while (*seg == '/')
			seg++;
		for (end = seg; *end != '\0' && *end != '/'; end++)
			;
		if (end > seg) {
			buf_adds(&b, "/");
			buf_add(&b, seg, (size_t)(end - seg));
		}
	}
	if (b.len == 0)
		buf_adds(&b, "/");
	buf_add(&b, "", 1);
	return buf_steal(&b);
}

json_t *
accounts_structure(const struct collect_job *jobs, size_t n, const char *const *ids,
    const char *source)
{
	json_t *accts = json_object(), *ous = json_array(), *seen = json_object();
	const char *path;
	char *p, *slash;
	size_t i;

	json_array_append_new(ous, json_pack("{s:n, s:s, s:n, s:s}", "id", "name", "Root",
	    "parent", "path", "/"));
	json_object_set_new(seen, "/", json_true());
	for (i = 0; i < n; i++) {
		path = jobs[i].ou_path ? jobs[i].ou_path : "/";
		if ((ids ? ids[i] : jobs[i].target.account_id) == NULL)
			continue;
		json_object_set_new(accts, ids ? ids[i] : jobs[i].target.account_id, json_pack("{s:n, s:s, s:o}",
		    "ou_id", "ou_path", path, "tags", jobs[i].tags ? json_deep_copy(jobs[i].tags) : json_object()));
		/* The path and each of its parents is an OU of the tree. */
		p = xstrdup(path);
		while (json_object_get(seen, p) == NULL) {
			json_object_set_new(seen, p, json_true());
			slash = strrchr(p, '/');
			json_array_append_new(ous, json_pack("{s:n, s:s, s:s#, s:s}", "id",
			    "name", slash + 1, "parent", p, slash == p ? (size_t)1 : (size_t)(slash - p),
			    "path", p));
			*(slash == p ? slash + 1 : slash) = '\0';
		}
		free(p);
	}
	json_decref(seen);
	return json_pack("{s:s, s:s, s:n, s:b, s:[], s:o, s:o}", "schema", ORGS_SCHEMA,
	    "source", source, "organization_id", "complete", 1, "problems", "ous", ous,
	    "accounts", accts);
}

/* A whole number in [lo, hi] naming where it came from when it is not. */
static int
accounts_uint(const char *what, const char *v, unsigned long lo, unsigned long hi,
    unsigned *out, char **err)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = v != NULL && *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
	if (v == NULL || *v < '0' || *v > '9' || *end != '\0' || errno != 0 || x < lo || x > hi) {
		err_set(err, "%s must be a whole number from %lu to %lu, not \"%s\"", what, lo, hi,
		    v ? v : "");
		return 0;
	}
	*out = (unsigned)x;
	return 1;
}

#define SHARDS_MAX	100000UL

int
accounts_shard_spec(const char *arg, const char *(*getenv_fn)(const char *),
    unsigned *k, unsigned *n, char **err)
{
	const char *batch = getenv_fn("AWS_BATCH_JOB_ARRAY_INDEX");
	const char *kube = getenv_fn("JOB_COMPLETION_INDEX");
	const char *ivar, *count = NULL, *cvar = NULL;
	char *what = NULL;
	unsigned idx;
	int rc = 0;

	if (strncmp(arg, "auto", 4) != 0) {
		const char *slash = strchr(arg, '/');
		char *kk;

		if (slash == NULL) {
			err_set(err, "--shard takes K/N, auto/N or auto, not \"%s\"", arg);
			goto out;
		}
		kk = xstrndup(arg, (size_t)(slash - arg));
		rc = accounts_uint("--shard's N", slash + 1, 1, SHARDS_MAX, n, err) &&
		    accounts_uint("--shard's K", kk, 1, *n, k, err);
		free(kk);
		goto out;
	}
	if (arg[4] == '/') {
		if (!accounts_uint("--shard auto/N's N", arg + 5, 1, SHARDS_MAX, n, err))
			goto out;
	} else if (arg[4] != '\0') {
		err_set(err, "--shard takes K/N, auto/N or auto, not \"%s\"", arg);
		goto out;
	} else {
		cvar = getenv_fn("AWS_BATCH_JOB_ARRAY_SIZE") ? "AWS_BATCH_JOB_ARRAY_SIZE" :
		    getenv_fn("IAMGRADE_SHARDS") ? "IAMGRADE_SHARDS" : NULL;
		if (cvar == NULL) {
			err_set(err, "--shard auto: how many shards? Set AWS_BATCH_JOB_ARRAY_SIZE or "
			    "IAMGRADE_SHARDS, or give --shard auto/N");
			goto out;
		}
		count = getenv_fn(cvar);
		what = xasprintf("%s (--shard auto)", cvar);
		if (!accounts_uint(what, count, 1, SHARDS_MAX, n, err))
			goto out;
	}
	/* Two engines at once would be two different answers: refuse to guess. */
	if (batch != NULL && kube != NULL && strcmp(batch, kube) != 0) {
		err_set(err, "--shard auto: AWS_BATCH_JOB_ARRAY_INDEX (%s) and JOB_COMPLETION_INDEX "
		    "(%s) disagree", batch, kube);
		goto out;
	}
	ivar = batch != NULL ? "AWS_BATCH_JOB_ARRAY_INDEX" : "JOB_COMPLETION_INDEX";
	if (batch == NULL && kube == NULL) {
		err_set(err, "--shard auto: neither AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job) "
		    "nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set");
		goto out;
	}
	free(what);
	what = xasprintf("%s (--shard auto, %u shards)", ivar, *n);
	if (!accounts_uint(what, batch ? batch : kube, 0, *n - 1, &idx, err))
		goto out;
	*k = idx + 1;
	rc = 1;
out:
	free(what);
	return rc;
}
