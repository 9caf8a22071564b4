/* The evidence pack: a run folder's manifest, its signature, evidence.json. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/common.h"
#include "evidence/evidence.h"

/* A manifest larger than this is not one of ours (a line per file). */
#define EV_MANIFEST_MAX	(64u << 20)
#define EV_SIG_LEN	64

struct names {
	char	**v;
	size_t	 n;
};

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Bytewise order, the order of the manifest (qsort takes no NULL base). */
static void
names_sort(struct names *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), names_cmp);
}

/* The three top-level files the manifest cannot list (evidence.h). */
static int
unlisted(const char *rel)
{
	return strcmp(rel, EV_MANIFEST) == 0 || strcmp(rel, EV_SIGNATURE) == 0 ||
	    strcmp(rel, EV_RUN_JSON) == 0;
}

/*
 * Every entry under dir/rel, recursively, into files (regular files) and
 * odd (anything else but folders, e.g. symlinks, which are never followed).
 * Temporary files of an atomic write in progress are not expected: a run
 * writes its manifest after every other file.
 */
static int
walk(const char *dir, const char *rel, struct names *files, struct names *odd, char **err)
{
	char *path = rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = NULL;
	struct dirent *e;
	int rc = 0;

	if ((d = opendir(path)) == NULL) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char *sub, *full;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		full = xasprintf("%s/%s", dir, sub);
		if (lstat(full, &st) < 0) {
			err_set(err, "%s: %s", full, strerror(errno));
			free(sub);
			free(full);
			goto out;
		}
		free(full);
		if (S_ISDIR(st.st_mode)) {
			int ok = walk(dir, sub, files, odd, err);

			free(sub);
			if (!ok)
				goto out;
			continue;
		}
		if (rel == NULL && unlisted(sub)) {
			free(sub);
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			files->v = xrealloc(files->v, (files->n + 1) * sizeof(*files->v));
			files->v[files->n++] = sub;
		} else {
			odd->v = xrealloc(odd->v, (odd->n + 1) * sizeof(*odd->v));
			odd->v[odd->n++] = sub;
		}
	}
	rc = 1;
out:
	if (d != NULL)
		closedir(d);
	free(path);
	return rc;
}

int
ev_run_dir(const char *out, time_t when, char **dir, char **err)
{
	char day[21];
	int n;

	*dir = NULL;
	if (!dir_make(out, 0755, err))
		return 0;
	time_fmt(when, day);
	day[10] = '\0';
	for (n = 1; n < 1000; n++) {
		free(*dir);
		*dir = n == 1 ? xasprintf("%s/%s", out, day) : xasprintf("%s/%s-%d", out, day, n);
		if (mkdir(*dir, 0755) == 0)
			return 1;
		if (errno != EEXIST)
			break;
	}
	if (n == 1000)
		err_set(err, "%s: too many runs on %s", out, day);
	else
		err_set(err, "%s: %s", *dir, strerror(errno));
	free(*dir);
	*dir = NULL;
	return 0;
}

/* One file of ev_copy_files: its folder made, written once with its mode. */
static int
copy_one(const char *from, const char *to, char **err)
{
	struct stat st;
	char *body = NULL, *d = xstrdup(to);
	size_t len = 0;
	int rc = 0;

	*strrchr(d, '/') = '\0';
	if (lstat(from, &st) < 0) {
		err_set(err, "%s: %s", from, strerror(errno));
		goto out;
	}
	if (!dir_make(d, 0755, err) || !file_read(from, 0, &body, &len, err))
		goto out;
	/* Said plainly when seen; the exclusive write is what guarantees it. */
	if (access(to, F_OK) == 0) {
		err_set(err, "%s: already there: two inputs hold this file", to);
		goto out;
	}
	if (!file_write_atomic(to, body, len, (int)(st.st_mode & 0777), 1, err))
		goto out;
	rc = 1;
out:
	free(body);
	free(d);
	return rc;
}

int
ev_copy_files(const char *src, const char *dst, const char *sub, char **err)
{
	struct names files = { 0 }, odd = { 0 };
	struct stat st;
	char *top = xasprintf("%s/%s", src, sub), *from, *to;
	size_t i;
	int rc = 0;

	if (lstat(top, &st) < 0 && errno == ENOENT) {
		rc = 1;
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		from = xasprintf("%s/%s", dst, sub);
		rc = copy_one(top, from, err);
		free(from);
		goto out;
	}
	if (!walk(src, sub, &files, &odd, err))
		goto out;
	if (odd.n > 0) {
		err_set(err, "%s/%s: not a regular file nor a folder", src, odd.v[0]);
		goto out;
	}
	names_sort(&files);
	for (i = 0; i < files.n; i++) {
		from = xasprintf("%s/%s", src, files.v[i]);
		to = xasprintf("%s/%s", dst, files.v[i]);
		rc = copy_one(from, to, err);
		free(from);
		free(to);
		if (!rc)
			goto out;
	}
	rc = 1;
out:
	names_free(&files);
	names_free(&odd);
	free(top);
	return rc;
}

/* SHA-256 of a file, streamed (snapshots may be large), without following a symlink. */
static int
hash_file(const char *path, char out[65], char **err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char chunk[65536], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n, i;
	ssize_t got;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err_set(err, "%s: SHA-256 unavailable", path);
		goto out;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(ctx, chunk, (size_t)got);
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
ev_manifest_write(const char *dir, int mode, char hash[65], char **err)
{
	struct names files = { 0 }, odd = { 0 };
	struct buf b = { 0 };
	char h[65], *path = NULL, *mpath = NULL;
	size_t i;
	int rc = 0;

	if (!walk(dir, NULL, &files, &odd, err))
		goto out;
	if (odd.n > 0) {
		err_set(err, "%s/%s: not a regular file (a run folder holds only files and folders)",
		    dir, odd.v[0]);
		goto out;
	}
	names_sort(&files);
	for (i = 0; i < files.n; i++) {
		/* sha256sum escapes these; our runs never make them, so refuse. */
		if (strpbrk(files.v[i], "\n\r\\") != NULL) {
			err_set(err, "%s: a file name with a newline or backslash", dir);
			goto out;
		}
		free(path);
		path = xasprintf("%s/%s", dir, files.v[i]);
		if (!hash_file(path, h, err))
			goto out;
		buf_printf(&b, "%s  %s\n", h, files.v[i]);
	}
	mpath = xasprintf("%s/%s", dir, EV_MANIFEST);
	if (!file_write_atomic(mpath, b.p ? b.p : "", b.len, mode, 1, err))
		goto out;
	sha256_hex(b.p ? b.p : "", b.len, hash);
	rc = 1;
out:
	names_free(&files);
	names_free(&odd);
	buf_free(&b);
	free(path);
	free(mpath);
	return rc;
}

static void
problem(json_t *list, const char *file, const char *what)
{
	json_array_append_new(list, json_pack("{s:s,s:s}", "file", file, "problem", what));
}

/*
 * One manifest line: 64 hex digits, a space, a space or '*' (sha256sum's
 * binary flag), a relative path that stays inside the folder.
 */
static const char *
parse_line(char *line, char **name)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!(line[i] >= '0' && line[i] <= '9') && !(line[i] >= 'a' && line[i] <= 'f'))
			return "not 64 lower-case hex digits";
	if (line[64] != ' ' || (line[65] != ' ' && line[65] != '*'))
		return "no two-character separator after the hash";
	*name = line + 66;
	if (**name == '\0')
		return "no file name";
	if (**name == '/' || strcmp(*name, "..") == 0 || strncmp(*name, "../", 3) == 0 ||
	    strstr(*name, "/../") != NULL || (strlen(*name) >= 3 &&
	    strcmp(*name + strlen(*name) - 3, "/..") == 0))
		return "a path outside the folder";
	line[64] = '\0';
	return NULL;
}

int
ev_verify(const char *dir, json_t **problems, char **err)
{
	struct names files = { 0 }, odd = { 0 };
	json_t *listed = json_object(), *out_list = json_array(), *run = NULL;
	char *mpath = xasprintf("%s/%s", dir, EV_MANIFEST), *data = NULL, *line, *next;
	char *path = NULL, h[65], mh[65];
	const char *why;
	size_t len, i, lineno = 0;
	int rc = 0;

	*problems = NULL;
	if (!file_read(mpath, EV_MANIFEST_MAX, &data, &len, err))
		goto out;
	if (memchr(data, '\0', len) != NULL) {
		err_set(err, "%s: not a manifest (a NUL byte)", mpath);
		goto out;
	}
	sha256_hex(data, len, mh);
	for (line = data; *line != '\0'; line = next) {
		char *name;

		lineno++;
		if ((next = strchr(line, '\n')) == NULL) {
			err_set(err, "%s:%zu: the last line has no newline (truncated?)", mpath, lineno);
			goto out;
		}
		*next++ = '\0';
		if ((why = parse_line(line, &name)) != NULL) {
			err_set(err, "%s:%zu: not a sha256sum line: %s", mpath, lineno, why);
			goto out;
		}
		if (json_object_get(listed, name) != NULL) {
			err_set(err, "%s:%zu: %s listed twice", mpath, lineno, name);
			goto out;
		}
		json_object_set_new(listed, name, json_true());
		free(path);
		path = xasprintf("%s/%s", dir, name);
		{
			struct stat st;

			if (lstat(path, &st) < 0) {
				problem(out_list, name, "missing");
				continue;
			}
			if (!S_ISREG(st.st_mode)) {
				problem(out_list, name, "not a regular file");
				continue;
			}
		}
		if (!hash_file(path, h, err))
			goto out;
		if (strcmp(h, line) != 0)
			problem(out_list, name, "altered");
	}
	if (!walk(dir, NULL, &files, &odd, err))
		goto out;
	names_sort(&files);
	names_sort(&odd);
	for (i = 0; i < files.n; i++)
		if (json_object_get(listed, files.v[i]) == NULL)
			problem(out_list, files.v[i], "extra");
	for (i = 0; i < odd.n; i++)
		if (json_object_get(listed, odd.v[i]) == NULL)
			problem(out_list, odd.v[i], "extra (not a regular file)");
	/* run.json is outside the manifest; its record of the manifest must agree. */
	free(path);
	path = xasprintf("%s/%s", dir, EV_RUN_JSON);
	if (access(path, F_OK) == 0) {
		const char *rec;

		run = json_load_file(path, 0, NULL);
		rec = jstr(run, "manifest_sha256");
		if (rec == NULL || strcmp(rec, mh) != 0)
			problem(out_list, EV_RUN_JSON, "its manifest_sha256 does not match "
			    EV_MANIFEST);
	}
	*problems = out_list;
	out_list = NULL;
	rc = 1;
out:
	names_free(&files);
	names_free(&odd);
	json_decref(listed);
	json_decref(out_list);
	json_decref(run);
	free(mpath);
	free(data);
	free(path);
	return rc;
}

/* The first OpenSSL error as text, for a message. */
static const char *
ssl_error(void)
{
	static char s[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "unknown error";
	ERR_error_string_n(e, s, sizeof(s));
	ERR_clear_error();
	return s;
}

/* Never prompt for a pass phrase: a batch job has no one to ask. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static EVP_PKEY *
load_key(const char *file, int public, char **err)
{
	EVP_PKEY *k = NULL;
	BIO *in;

	if ((in = BIO_new_file(file, "r")) == NULL) {
		err_set(err, "%s: %s", file, strerror(errno));
		return NULL;
	}
	k = public ? PEM_read_bio_PUBKEY(in, NULL, no_passphrase, NULL) :
	    PEM_read_bio_PrivateKey(in, NULL, no_passphrase, NULL);
	BIO_free(in);
	if (k == NULL) {
		err_set(err, "%s: not a PEM %s key%s (%s)", file, public ? "public" : "private",
		    public ? "" : " without a pass phrase", ssl_error());
		return NULL;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		err_set(err, "%s: not an Ed25519 key (iamgrade keygen makes one)", file);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int
ev_key_usable(const char *keyfile, char **err)
{
	EVP_PKEY *k = load_key(keyfile, 0, err);

	EVP_PKEY_free(k);
	return k != NULL;
}

/*
 * What signing and verifying share: the key (public or private) and the
 * run folder's manifest, read.  ev_manifest_close frees what open took,
 * whether it succeeded or not.
 */
struct ev_signed {
	EVP_PKEY	*k;
	EVP_MD_CTX	*ctx;
	char		*mpath;		/* dir/MANIFEST.sha256 */
	char		*spath;		/* dir/MANIFEST.sha256.sig */
	char		*data;		/* the manifest's bytes */
	size_t		 len;
};

static int
ev_manifest_open(struct ev_signed *m, const char *dir, const char *keyfile, int public,
    char **err)
{
	memset(m, 0, sizeof(*m));
	m->mpath = xasprintf("%s/%s", dir, EV_MANIFEST);
	m->spath = xasprintf("%s/%s", dir, EV_SIGNATURE);
	return (m->k = load_key(keyfile, public, err)) != NULL &&
	    file_read(m->mpath, EV_MANIFEST_MAX, &m->data, &m->len, err) &&
	    (m->ctx = EVP_MD_CTX_new()) != NULL;
}

static void
ev_manifest_close(struct ev_signed *m)
{
	EVP_MD_CTX_free(m->ctx);
	EVP_PKEY_free(m->k);
	free(m->mpath);
	free(m->spath);
	free(m->data);
}

int
ev_sign(const char *dir, const char *keyfile, int mode, char **err)
{
	struct ev_signed m;
	unsigned char sig[EV_SIG_LEN];
	size_t siglen = sizeof(sig);
	int rc = 0;

	if (!ev_manifest_open(&m, dir, keyfile, 0, err)) {
		if (m.data != NULL)
			err_set(err, "%s: signing failed (%s)", m.mpath, ssl_error());
		goto out;
	}
	/* Ed25519 signs the message itself (no digest first): what pkeyutl -rawin verifies. */
	if (EVP_DigestSignInit(m.ctx, NULL, NULL, NULL, m.k) != 1 ||
	    EVP_DigestSign(m.ctx, sig, &siglen, (unsigned char *)m.data, m.len) != 1) {
		err_set(err, "%s: signing failed (%s)", m.mpath, ssl_error());
		goto out;
	}
	if (!file_write_atomic(m.spath, sig, siglen, mode, 1, err))
		goto out;
	rc = 1;
out:
	ev_manifest_close(&m);
	return rc;
}

int
ev_verify_signature(const char *dir, const char *pubfile, char **err)
{
	struct ev_signed m;
	char *sig = NULL;
	size_t siglen;
	int rc = 0;

	if (!ev_manifest_open(&m, dir, pubfile, 1, err)) {
		if (m.data != NULL)
			err_set(err, "%s: cannot verify (%s)", pubfile, ssl_error());
		goto out;
	}
	if (!file_read(m.spath, 4096, &sig, &siglen, err))
		goto out;
	if (siglen != EV_SIG_LEN) {
		err_set(err, "%s: %zu bytes, not an Ed25519 signature (64)", m.spath, siglen);
		goto out;
	}
	if (EVP_DigestVerifyInit(m.ctx, NULL, NULL, NULL, m.k) != 1) {
		err_set(err, "%s: cannot verify (%s)", pubfile, ssl_error());
		goto out;
	}
	if (EVP_DigestVerify(m.ctx, (unsigned char *)sig, siglen, (unsigned char *)m.data,
	    m.len) != 1) {
		ERR_clear_error();
		err_set(err, "%s: the signature does not match %s and the key %s",
		    m.spath, EV_MANIFEST, pubfile);
		goto out;
	}
	rc = 1;
out:
	ev_manifest_close(&m);
	free(sig);
	return rc;
}

/* A PEM encoding of k (private or public) into a new string; caller frees. */
static char *
pem_of(EVP_PKEY *k, int public, size_t *len)
{
	BIO *m = BIO_new(BIO_s_mem());
	char *p, *s = NULL;
	long n;

	if (m == NULL)
		return NULL;
	if (public ? PEM_write_bio_PUBKEY(m, k) : PEM_write_bio_PrivateKey(m, k, NULL, NULL, 0, NULL, NULL)) {
		n = BIO_get_mem_data(m, &p);
		s = xstrndup(p, (size_t)n);
		*len = (size_t)n;
	}
	BIO_free(m);
	return s;
}

int
ev_keygen(const char *prefix, char **err)
{
	EVP_PKEY *k = NULL;
	char *kpath = xasprintf("%s.key", prefix), *ppath = xasprintf("%s.pub", prefix);
	char *priv = NULL, *pub = NULL;
	size_t plen = 0, ulen = 0;
	int rc = 0;

	/* Check both first, so that a refusal leaves nothing behind. */
	if (access(ppath, F_OK) == 0) {
		err_set(err, "%s: already exists (a key is never overwritten)", ppath);
		goto out;
	}
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    (priv = pem_of(k, 0, &plen)) == NULL || (pub = pem_of(k, 1, &ulen)) == NULL) {
		err_set(err, "Ed25519 key generation failed (%s)", ssl_error());
		goto out;
	}
	if (!file_write_atomic(kpath, priv, plen, 0600, 1, err))
		goto out;
	if (!file_write_atomic(ppath, pub, ulen, 0644, 1, err)) {
		unlink(kpath);
		goto out;
	}
	rc = 1;
out:
	if (priv != NULL)
		OPENSSL_cleanse(priv, plen);
	free(priv);
	free(pub);
	free(kpath);
	free(ppath);
	EVP_PKEY_free(k);
	return rc;
}

/* The catalogue a results document was graded with: its controls, hashed. */
static json_t *
catalogue_of(const json_t *results)
{
	json_t *a = json_array_get(json_object_get(results, "accounts"), 0), *list = json_array(), *c;
	char h[65], *s;
	size_t i;

	json_array_foreach(json_object_get(a, "controls"), i, c)
		json_array_append_new(list, json_pack("[s?,s?,s?]", jstr(c, "id"),
		    jstr(c, "title"), jstr(c, "severity")));
	s = jdump(list, 0);
	sha256_hex(s, strlen(s), h);
	free(s);
	c = json_pack("{s:s,s:I,s:s}", "version", IAMGRADE_VERSION,
	    "controls", (json_int_t)json_array_size(list), "sha256", h);
	json_decref(list);
	return c;
}

json_t *
ev_evidence(const json_t *results, const struct ev_run *r)
{
	json_t *ev, *argv = json_array(), *accts = json_array(), *a, *window;
	size_t i, reached = 0, incomplete = 0;
	int k;

	json_array_append_new(argv, json_string("iamgrade"));
	for (k = 0; k < r->argc; k++)
		json_array_append_new(argv, json_string(r->argv[k]));
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		const json_t *col = json_object_get(a, "collection");
		const char *sha = jstr(jpath(a, "snapshot"), "sha256");
		const char *caller = jstr(col, "caller_arn");
		int complete = jbool(col, "complete", 0);

		/*
		 * Reached: iamgrade acted inside the account (it has a caller
		 * there).  An account whose role could not be assumed still has
		 * a snapshot saying so, so a snapshot is not enough.
		 */
		reached += caller != NULL;
		incomplete += !complete;
		json_array_append_new(accts, json_pack(
		    "{s:s?,s:s?,s:b,s:b,s:s?,s:s?,s:s?,s:s?,s:{s:s?,s:s?}}",
		    "account_id", jstr(a, "account_id"), "name", jstr(a, "name"),
		    "reached", caller != NULL, "complete", complete,
		    "caller_arn", caller,
		    "collection_started", jstr(col, "started"),
		    "collection_finished", jstr(col, "finished"),
		    "credential_report_generated", jstr(a, "credential_report_generated"),
		    "snapshot", "file", jstr(jpath(a, "snapshot"), "file"), "sha256", sha));
	}
	ev = json_pack("{s:s,s:s,s:o,s:o,s:s?,s:s?,s:[s?],s:O?,s:I,s:I,s:I,s:o}",
	    "schema", "iamgrade.evidence/1", "tool_version", IAMGRADE_VERSION,
	    "catalogue", catalogue_of(results), "command_line", argv,
	    "started", r->started, "finished", r->finished, "regions", r->region,
	    "thresholds", json_object_get(results, "thresholds"),
	    "accounts_selected", (json_int_t)json_array_size(accts),
	    "accounts_reached", (json_int_t)reached,
	    "accounts_incomplete", (json_int_t)incomplete, "accounts", accts);
	/* The period: every account of a run is collected with the same window. */
	window = json_object_get(jpath(json_array_get(json_object_get(results, "accounts"), 0),
	    "collection"), "window_days");
	json_object_set_new(ev, "window_days", window ? json_copy(window) : json_null());
	/* The accepted risks the results were graded with, as check_results recorded them. */
	json_object_set_new(ev, "exceptions", json_object_get(results, "exceptions") == NULL ?
	    json_null() : json_pack("{s:s?,s:s?}", "file", jstr(jpath(results, "exceptions"), "file"),
	    "sha256", jstr(jpath(results, "exceptions"), "sha256")));
	return ev;
}
