/* --out s3://: stage the run locally, then upload each file once, run.json last (s3out.h says why). */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/s3out.h"
#include "collector/xml.h"

int
s3_out_is(const char *out)
{
	return out != NULL && strncmp(out, "s3://", 5) == 0;
}

int
s3_out_parse(const char *url, struct s3_out *o, char **err)
{
	const char *b = url + 5, *slash;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (!s3_out_is(url))
		return err_set(err, "%s: not an s3:// URL", url);
	o->url = xstrdup(url);
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	o->bucket = xstrndup(b, n);
	/* S3's bucket naming rules: 3-63 of [a-z0-9.-], a letter or digit at each end. */
	if (n < 3 || n > 63 || strspn(o->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n ||
	    !strchr("abcdefghijklmnopqrstuvwxyz0123456789", o->bucket[0]) ||
	    !strchr("abcdefghijklmnopqrstuvwxyz0123456789", o->bucket[n - 1]))
		return err_set(err, "%s: \"%s\" is not an S3 bucket name (3 to 63 of a-z, 0-9, "
		    "'.' and '-')", url, o->bucket);
	b = slash ? slash + 1 : "";
	while (*b == '/')
		b++;
	n = strlen(b);
	if (strstr(b, "//") != NULL || strstr(b, "/./") != NULL || strstr(b, "/../") != NULL ||
	    strncmp(b, "./", 2) == 0 || strncmp(b, "../", 3) == 0)
		return err_set(err, "%s: the prefix has an empty, . or .. segment", url);
	o->prefix = n == 0 || b[n - 1] == '/' ? xstrdup(b) : xasprintf("%s/", b);
	return 1;
}

int
s3_out_stage(struct s3_out *o, char **err)
{
	const char *tmp = getenv("TMPDIR");
	char *t = xasprintf("%s/iamgrade-s3-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");

	if (mkdtemp(t) == NULL) {
		err_set(err, "%s: cannot make a staging folder: %s", t, strerror(errno));
		free(t);
		return 0;
	}
	o->staging = t;
	return 1;
}

/* Whether a ListObjectsV2 answer lists a key. */
static int
s3_list_any(const char *body, size_t len, int *any, char **err)
{
	xmlDoc *doc = xml_parse(body, len, err);
	xmlNode *root;
	char *kc = NULL;

	if (doc == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	kc = xml_text(xml_child(root, "KeyCount"));
	*any = xml_child(root, "Contents") != NULL || (kc != NULL && strcmp(kc, "0") != 0);
	free(kc);
	xmlFreeDoc(doc);
	return 1;
}

int
s3_out_fresh_name(struct aws_client *c, const struct s3_out *o, const char *day,
    char **name, char **err)
{
	struct aws_resp r;
	char *prefix, *perr = NULL;
	int n, any = 1;

	*name = NULL;
	for (n = 1; n < 1000; n++) {
		*name = n == 1 ? xstrdup(day) : xasprintf("%s-%d", day, n);
		prefix = xasprintf("%s%s/", o->prefix, *name);
		if (aws_s3_list(c, o->bucket, prefix, 1, NULL, &r) != AWS_RES_OK) {
			err_set(err, "%s (s3://%s/%s): %s: %s", r.call, o->bucket, prefix,
			    r.code, r.message);
			goto fail;
		}
		if (!s3_list_any(r.body, r.len, &any, &perr)) {
			err_set(err, "%s (s3://%s/%s): MalformedResponse: %s", r.call, o->bucket,
			    prefix, perr);
			goto fail;
		}
		aws_resp_free(&r);
		free(prefix);
		if (!any)
			return 1;
		free(*name);
		*name = NULL;
	}
	return err_set(err, "%s: too many runs on %s", o->url, day);
fail:
	aws_resp_free(&r);
	free(prefix);
	free(perr);
	free(*name);
	*name = NULL;
	return 0;
}

/* The files under the staging folder, relative to it (nftw has no argument). */
static struct {
	char	**v;
	size_t	  n;
	size_t	  root;
} s3_walk;

static int
s3_walk_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)f;
	if (type == FTW_F) {
		s3_walk.v = xrealloc(s3_walk.v, (s3_walk.n + 1) * sizeof(*s3_walk.v));
		s3_walk.v[s3_walk.n++] = xstrdup(path + s3_walk.root);
	} else if (type != FTW_D && type != FTW_DP)
		return 1;	/* a link, a special file or an unreadable folder: not ours */
	return 0;
}

static int
s3_path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
s3_content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".pdf", "application/pdf" },
		{ ".json", "application/json" }, { ".csv", "text/csv; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" }, { ".xml", "application/xml" },
		{ ".sarif", "application/json" },
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* An answer saying the key is taken (If-None-Match: *). */
static int
s3_taken(const struct aws_resp *r)
{
	return r->http_status == 412 || r->http_status == 409;
}

/* body under key, never replacing an object: 1 written, 0 failed, -1 taken (when taken_ok). */
static int
s3_put_key(struct aws_client *c, const struct s3_out *o, const char *key, const char *body,
    size_t len, int taken_ok, char **err)
{
	struct aws_resp r;
	int rc = 1;

	if (aws_s3_put(c, o->bucket, key, body, len, s3_content_type(key), 1, &r) != AWS_RES_OK) {
		if (taken_ok && s3_taken(&r))
			rc = -1;
		else {
			err_set(err, "%s s3://%s/%s: %s: %s%s", r.call, o->bucket, key, r.code,
			    r.message, s3_taken(&r) ?
			    " (an object is already there: a run is never overwritten)" : "");
			rc = 0;
		}
	}
	aws_resp_free(&r);
	return rc;
}

/* One file into PREFIX[NAME/]rel. */
static int
s3_put_file(struct aws_client *c, const struct s3_out *o, const char *dir, const char *name,
    const char *rel, char **err)
{
	char *path = xasprintf("%s/%s", dir, rel), *key, *body = NULL;
	size_t len = 0;
	int rc = 0;

	key = name ? xasprintf("%s%s/%s", o->prefix, name, rel) : xasprintf("%s%s", o->prefix, rel);
	if (file_read(path, S3OUT_FILE_MAX, &body, &len, err))
		rc = s3_put_key(c, o, key, body, len, 0, err);
	free(body);
	free(key);
	free(path);
	return rc;
}

int
s3_out_put_fresh(struct aws_client *c, const struct s3_out *o, const char *path, char **url,
    char **err)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *dot = strrchr(base, '.') ? strrchr(base, '.') : base + strlen(base);
	char *body = NULL, *key = NULL;
	size_t len = 0;
	int n, rc = 0, put = -1;

	*url = NULL;
	if (!file_read(path, S3OUT_FILE_MAX, &body, &len, err))
		goto out;
	for (n = 1; n < 1000 && put < 0; n++) {
		free(key);
		key = n == 1 ? xasprintf("%s%s", o->prefix, base) :
		    xasprintf("%s%.*s-%d%s", o->prefix, (int)(dot - base), base, n, dot);
		if ((put = s3_put_key(c, o, key, body, len, 1, err)) == 0)
			goto out;
	}
	if (put < 0) {
		err_set(err, "s3://%s/%s: too many objects of that name", o->bucket, key);
		goto out;
	}
	*url = xasprintf("s3://%s/%s", o->bucket, key);
	rc = 1;
out:
	free(key);
	free(body);
	return rc;
}

int
s3_out_upload(struct aws_client *c, const struct s3_out *o, const char *dir,
    const char *name, const char *last, size_t *nput, char **err)
{
	size_t i, n;
	int rc = 0, walked;

	*nput = 0;
	s3_walk.v = NULL;
	s3_walk.n = 0;
	s3_walk.root = strlen(dir) + 1;
	walked = nftw(dir, s3_walk_file, 16, FTW_PHYS);
	if (walked != 0) {
		err_set(err, "%s: %s", dir, walked < 0 ? strerror(errno) :
		    "holds something other than files and folders");
		goto out;
	}
	n = s3_walk.n;
	qsort(s3_walk.v, n, sizeof(*s3_walk.v), s3_path_cmp);
	for (i = 0; i < n; i++)		/* last goes last */
		if (last != NULL && strcmp(s3_walk.v[i], last) == 0 && i + 1 < n) {
			char *t = s3_walk.v[i];

			memmove(&s3_walk.v[i], &s3_walk.v[i + 1], (n - i - 1) * sizeof(*s3_walk.v));
			s3_walk.v[n - 1] = t;
			break;
		}
	for (i = 0; i < n; i++) {
		if (!s3_put_file(c, o, dir, name, s3_walk.v[i], err))
			goto out;
		++*nput;
	}
	rc = 1;
out:
	for (i = 0; i < s3_walk.n; i++)
		free(s3_walk.v[i]);
	free(s3_walk.v);
	s3_walk.v = NULL;
	s3_walk.n = 0;
	return rc;
}

/*
 * A key's path below the prefix, as a relative path on disk: refused when
 * it could leave the folder or name it twice (an empty, . or .. segment, a
 * leading /): keys are the bucket's, not ours.
 */
static int
s3_rel_ok(const char *rel)
{
	const char *seg = rel;
	size_t n;

	if (*rel == '\0' || *rel == '/')
		return 0;
	for (;;) {
		n = strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && strncmp(seg, "..", 2) == 0))
			return 0;
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
	}
}

/* One object into dir/rel (its folders made, mode 0700); 0 with *err naming the key. */
static int
s3_get_file(struct aws_client *c, const struct s3_out *o, const char *key, const char *dir,
    char **err)
{
	const char *rel = key + strlen(o->prefix);
	char *path = xasprintf("%s/%s", dir, rel), *slash;
	struct aws_resp r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (!s3_rel_ok(rel)) {
		err_set(err, "s3://%s/%s: a key with an empty, . or .. segment is not a file "
		    "of a run", o->bucket, key);
		goto out;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	if (!dir_make(path, 0700, err))
		goto out;
	*slash = '/';
	if (aws_s3_get(c, o->bucket, key, &r) != AWS_RES_OK) {
		err_set(err, "%s s3://%s/%s: %s: %s", r.call, o->bucket, key, r.code, r.message);
		goto out;
	}
	rc = file_write_atomic(path, r.body ? r.body : "", r.len, 0600, 1, err);
out:
	aws_resp_free(&r);
	free(path);
	return rc;
}

int
s3_out_fetch(struct aws_client *c, const struct s3_out *o, const char *dir, size_t *nget,
    char **err)
{
	struct aws_resp r;
	xmlDoc *doc = NULL;
	xmlNode *root, *n;
	char *token = NULL, *key, *more, *perr = NULL;
	int rc = 0, ok, pages;

	*nget = 0;
	memset(&r, 0, sizeof(r));
	for (pages = 0; pages < 100000; pages++) {
		if (aws_s3_list(c, o->bucket, o->prefix, 1000, token, &r) != AWS_RES_OK) {
			err_set(err, "%s (%s): %s: %s", r.call, o->url, r.code, r.message);
			goto out;
		}
		if ((doc = xml_parse(r.body, r.len, &perr)) == NULL) {
			err_set(err, "%s (%s): MalformedResponse: %s", r.call, o->url, perr);
			goto out;
		}
		root = xmlDocGetRootElement(doc);
		for (n = xml_child(root, "Contents"); n != NULL; n = xml_next(n, "Contents")) {
			key = xml_text(xml_child(n, "Key"));
			if (key == NULL || strncmp(key, o->prefix, strlen(o->prefix)) != 0) {
				err_set(err, "%s (%s): a key outside the prefix: %s", r.call, o->url,
				    key ? key : "(none)");
				free(key);
				goto out;
			}
			ok = s3_get_file(c, o, key, dir, err);
			free(key);
			if (!ok)
				goto out;
			++*nget;
		}
		more = xml_text(xml_child(root, "IsTruncated"));
		free(token);
		token = more != NULL && strcmp(more, "true") == 0 ?
		    xml_text(xml_child(root, "NextContinuationToken")) : NULL;
		free(more);
		xmlFreeDoc(doc);
		doc = NULL;
		aws_resp_free(&r);
		if (token == NULL)
			break;
	}
	if (token != NULL)
		err_set(err, "%s (%s): more than 100,000 pages", "s3:ListObjectsV2", o->url);
	else if (*nget == 0)
		err_set(err, "%s: no object under this prefix", o->url);
	else
		rc = 1;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	aws_resp_free(&r);
	free(token);
	free(perr);
	return rc;
}

static int
s3_rm(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)type; (void)f;
	return remove(path) == 0 ? 0 : -1;
}

int
s3_out_unstage(struct s3_out *o, char **err)
{
	if (o->staging == NULL)
		return 1;
	if (nftw(o->staging, s3_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return err_set(err, "%s: cannot remove the staging folder: %s", o->staging,
		    strerror(errno));
	free(o->staging);
	o->staging = NULL;
	return 1;
}

void
s3_out_free(struct s3_out *o)
{
	free(o->url);
	free(o->bucket);
	free(o->prefix);
	free(o->staging);
	memset(o, 0, sizeof(*o));
}
