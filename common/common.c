/* Shared helpers: allocation, buffers, errors, time, files, hashing, logging. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/common.h"

int log_level = 1;

static void
oom(void)
{
	fputs("iamgrade: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
err_set(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return 0;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return 0;
}

/* Buffers. */

int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t need;

	if (n > SIZE_MAX - b->len - 1)
		return 0;
	need = b->len + n + 1;
	if (b->max && b->len + n > b->max)
		return 0;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 1;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	rc = buf_adds(b, s);
	free(s);
	return rc;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Time. */

static int
digits(const char **sp, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**sp))
			return 0;
		v = v * 10 + (*(*sp)++ - '0');
	}
	*out = v;
	return 1;
}

int
time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d))
		return 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
			return 0;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, &sec))
				return 0;
		}
		if (*s == '.' || *s == ',') {
			s++;
			if (!isdigit((unsigned char)*s))
				return 0;
			while (isdigit((unsigned char)*s))
				s++;
		}
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (!digits(&s, 2, &oh))
				return 0;
			if (*s == ':')
				s++;
			if (*s != '\0' && !digits(&s, 2, &om))
				return 0;
		}
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 1;
}

char *
time_fmt(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

long
time_days(time_t a, time_t b)
{
	long long d = (long long)b - (long long)a;

	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

/* Files. */

static int
fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = 0;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) >= 0) {
		rc = fsync(fd) == 0 || errno == EINVAL;
		close(fd);
	}
	free(copy);
	return rc;
}

int
file_mode_umask(int mode)
{
	mode_t m = umask(0);

	umask(m);
	return mode & ~(int)m;
}

int
file_atomic_open(struct file_atomic *f, const char *path, char **err)
{
	f->path = path;
	f->tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((f->fd = mkstemp(f->tmp)) < 0) {
		err_set(err, "%s: %s", f->tmp, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		return 0;
	}
	return 1;
}

int
file_atomic_add(struct file_atomic *f, const void *data, size_t len, char **err)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(err, "%s: write: %s", f->tmp, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

void
file_atomic_abort(struct file_atomic *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp != NULL)
		unlink(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
}

int
file_atomic_commit(struct file_atomic *f, int mode, int excl, char **err)
{
	int rc = 0;

	if (fchmod(f->fd, (mode_t)mode) < 0 || fsync(f->fd) < 0) {
		err_set(err, "%s: %s", f->tmp, strerror(errno));
		goto out;
	}
	if (close(f->fd) < 0) {
		f->fd = -1;
		err_set(err, "%s: close: %s", f->tmp, strerror(errno));
		goto out;
	}
	f->fd = -1;
	if (excl) {
		/* link(2) fails with EEXIST rather than replacing. */
		if (link(f->tmp, f->path) < 0) {
			err_set(err, "%s: %s", f->path, strerror(errno));
			goto out;
		}
		unlink(f->tmp);
	} else if (rename(f->tmp, f->path) < 0) {
		err_set(err, "%s: %s", f->path, strerror(errno));
		goto out;
	}
	fsync_dir(f->path);
	free(f->tmp);
	f->tmp = NULL;
	rc = 1;
out:
	if (!rc)
		file_atomic_abort(f);
	return rc;
}

int
file_write_atomic(const char *path, const void *data, size_t len, int mode,
    int excl, char **err)
{
	struct file_atomic f;

	if (!file_atomic_open(&f, path, err))
		return 0;
	if (!file_atomic_add(&f, data, len, err)) {
		file_atomic_abort(&f);
		return 0;
	}
	return file_atomic_commit(&f, mode, excl, err);
}

int
file_read(const char *path, size_t max, char **out, size_t *lenp, char **err)
{
	struct buf b = { .max = max };
	char chunk[65536];
	struct stat st;
	FILE *f;
	size_t n;
	int rc = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return err_set(err, "%s: %s", path, strerror(errno));
	/* A file known to be too large is refused before any of it is read. */
	if (max > 0 && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size > max) {
		err_set(err, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_add(&b, chunk, n)) {
			err_set(err, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	if (ferror(f)) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (lenp)
		*lenp = b.len;
	*out = buf_steal(&b);
	rc = 1;
out:
	fclose(f);
	buf_free(&b);
	return rc;
}

int
fd_spool(const char *dir, char **err)
{
	char *tmp;
	int fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	/* No O_TMPFILE here: a named file, unlinked at once. */
	tmp = xasprintf("%s/.spool.XXXXXX", dir);
	if ((fd = mkstemp(tmp)) < 0)
		err_set(err, "%s: %s", tmp, strerror(errno));
	else
		unlink(tmp);
	free(tmp);
	return fd;
}

int
fd_pwrite_all(int fd, const void *data, size_t len, off_t off, const char *what, char **err)
{
	const char *p = data;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(err, "%s: %s", what, n < 0 ? strerror(errno) : "nothing written");
		done += (size_t)n;
	}
	return 1;
}

int
fd_pread_all(int fd, void *data, size_t len, off_t off, const char *what, char **err)
{
	char *p = data;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(err, "%s: %s", what, n < 0 ? strerror(errno) : "cut short");
		done += (size_t)n;
	}
	return 1;
}

int
dir_make(const char *path, int mode, char **err)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			err_set(err, "%s: %s", p, strerror(errno));
			goto out;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (lstat(path, &st) < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(err, "%s: not a directory%s", path,
		    S_ISLNK(st.st_mode) ? " (a symbolic link; refusing to follow it)" : "");
		goto out;
	}
	rc = 1;
out:
	free(p);
	return rc;
}

static void
digest_hex(const EVP_MD *md_type, const void *data, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(data, len, md, &n, md_type, NULL);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	digest_hex(EVP_sha256(), data, len, out);
}

void
sha1_hex(const void *data, size_t len, char out[41])
{
	digest_hex(EVP_sha1(), data, len, out);
}

/* Logging. */

/*
 * Log lines carry AWS text (error codes and messages, names from
 * Organizations, user names): every one is stripped of terminal controls
 * here, once, whatever the caller passed.
 */
static void
vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	char *line;

	if (log_level < level)
		return;
	line = str_sanitize_term(xvasprintf(fmt, ap));
	fprintf(stderr, "iamgrade: %s%s\n", prefix, line);
	free(line);
}

#define LOGFN(name, level, prefix)				\
void name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	vlog(level, prefix, fmt, ap);				\
	va_end(ap);						\
}
LOGFN(log_error, 0, "")
LOGFN(log_info, 1, "")
LOGFN(log_verbose, 2, "")
LOGFN(log_debug, 3, "debug: ")

/* jansson accessors. */

const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long long
jint(const json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

int
jbool(const json_t *o, const char *key, int def)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (json_is_boolean(v))
		return json_is_true(v);
	if ((s = json_string_value(v)) != NULL) {
		if (strcasecmp(s, "true") == 0)
			return 1;
		if (strcasecmp(s, "false") == 0)
			return 0;
	}
	return def;
}

json_t *
jpath(const json_t *o, const char *path)
{
	char key[256];
	const char *dot;
	json_t *v = (json_t *)o;

	while (v != NULL && *path) {
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		path += n + (dot != NULL);
	}
	return v;
}

char *
jdump(const json_t *o, int pretty)
{
	char *s = json_dumps(o, JSON_SORT_KEYS | JSON_ENCODE_ANY |
	    (pretty ? JSON_INDENT(2) : JSON_COMPACT));

	if (s == NULL)
		oom();
	return s;
}

json_t *
jrebuild(const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *c = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;

	if (c == NULL)
		oom();
	free(text);
	return c;
}

json_t *
jstring(const char *s)
{
	json_t *v;
	char *copy;
	size_t i;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	copy = xstrdup(s);
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Encoding. */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
url_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		int hi, lo;

		if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

int
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3];

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			if (!buf_add(b, s, 1))
				return 0;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (!buf_add(b, e, 3))
			return 0;
	}
	return 1;
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
str_sanitize_term(char *s)
{
	char *r = s, *w = s;

	if (s == NULL)
		return NULL;
	for (; *r; r++) {
		unsigned char c = (unsigned char)*r;

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			continue;
		/* C1 controls U+0080..U+009F (U+009B is a CSI) in UTF-8. */
		if (c == 0xc2 && (unsigned char)r[1] >= 0x80 && (unsigned char)r[1] <= 0x9f) {
			r++;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

unsigned
utf8_next(const char *s, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	unsigned cp, min;
	size_t n, k;

	if (p[0] < 0x80) {
		*i += 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2, cp = p[0] & 0x1F, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3, cp = p[0] & 0x0F, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		*i += 1;
		return UTF8_REPLACEMENT;
	}
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			*i += 1;
			return UTF8_REPLACEMENT;
		}
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	*i += n;
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return UTF8_REPLACEMENT;
	return cp;
}

int
utf8_put(struct buf *b, unsigned cp)
{
	char s[4];

	if (cp < 0x80) {
		s[0] = (char)cp;
		return buf_add(b, s, 1);
	}
	if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		return buf_add(b, s, 2);
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		return buf_add(b, s, 3);
	}
	s[0] = (char)(0xF0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	s[3] = (char)(0x80 | (cp & 0x3F));
	return buf_add(b, s, 4);
}

/*
 * Unicode's Default_Ignorable_Code_Point and Bidi_Control sets, less the
 * variation selectors (they pick an emoji's or a CJK glyph's form; they
 * cannot reorder or hide text) and the unassigned reserved ranges.
 */
int
str_is_invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x34F ||
	    cp == 0x61C || cp == 0x115F || cp == 0x1160 ||
	    cp == 0x17B4 || cp == 0x17B5 || cp == 0x180E ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) ||
	    cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 ||
	    (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

char *
str_show_invisible(const char *s)
{
	struct buf b = { 0 };
	size_t i = 0;
	unsigned cp;

	if (s == NULL)
		return NULL;
	buf_add(&b, "", 0);
	while (s[i] != '\0') {
		cp = utf8_next(s, &i);
		if (str_is_invisible(cp))
			buf_printf(&b, "<U+%04X>", cp);
		else
			utf8_put(&b, cp);
	}
	return buf_steal(&b);
}

int
str_is_account_id(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] >= '0' && s[i] <= '9'; i++)
		continue;
	return s != NULL && i == 12 && s[12] == '\0';
}
