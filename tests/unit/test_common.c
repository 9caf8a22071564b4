/* Unit tests: the shared helpers in common/. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/unit/t.h"

static void
t_sanitize_term(void)
{
	char s[] = "a\x1b[31mb\x07\tc\n\x7f" "d\xc2\x9b" "2Je\xc2\xa0" "f\xc3\xa9";

	/* ESC, BEL, DEL and the C1 CSI go; tab, newline, NBSP and é stay. */
	T_STREQ(str_sanitize_term(s), "a[31mb\tc\nd2Je\xc2\xa0" "f\xc3\xa9");
	T(str_sanitize_term(NULL) == NULL, "NULL stays NULL");
}

/* Log lines carry AWS text: no terminal control gets through, whatever the caller passed. */
static void
t_log_sanitised(void)
{
	char path[] = "/tmp/iamgrade-log-XXXXXX", *text = NULL, *err = NULL;
	size_t len = 0;
	int fd = mkstemp(path), saved = dup(2), level = log_level;

	T(fd >= 0 && saved >= 0, "temp file");
	fflush(stderr);
	dup2(fd, 2);
	log_level = 3;
	log_error("name %s", "evil\x1b]0;pwned\x07\x1b[2J\xc2\x9b" "31m end");
	log_debug("%s", "\x1b[31mred");
	fflush(stderr);
	dup2(saved, 2);
	log_level = level;
	T(file_read(path, 0, &text, &len, &err), "read back: %s", err ? err : "");
	T(text != NULL && memchr(text, 0x1b, len) == NULL && strstr(text, "\xc2\x9b") == NULL,
	    "escape sequences stripped: %s", text ? text : "");
	T(text != NULL && strstr(text, "iamgrade: name evil]0;pwned[2J31m end\n") != NULL &&
	    strstr(text, "iamgrade: debug: [31mred\n") != NULL, "the text stays: %s", text ? text : "");
	free(text);
	free(err);
	close(fd);
	close(saved);
	unlink(path);
}

/* Each invisible character, alone and inside a name, shown by its code point. */
static void
t_show_invisible(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "admin\xe2\x80\xaegnp.exe", "admin<U+202E>gnp.exe" },	/* RLO */
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		  "<U+202A><U+202B><U+202C><U+202D>" },
		{ "a\xe2\x81\xa6" "b\xe2\x81\xa7" "c\xe2\x81\xa8" "d\xe2\x81\xa9",
		  "a<U+2066>b<U+2067>c<U+2068>d<U+2069>" },			/* isolates */
		{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "<U+200E><U+200F><U+061C>" }, /* marks */
		{ "x\xe2\x80\x8by\xe2\x80\x8cz\xe2\x80\x8d", "x<U+200B>y<U+200C>z<U+200D>" },
		{ "\xe2\x81\xa0\xef\xbb\xbfok", "<U+2060><U+FEFF>ok" },	/* WJ, BOM */
		{ "soft\xc2\xadhyphen", "soft<U+00AD>hyphen" },
		{ "c1\xc2\x9b", "c1<U+009B>" },
		{ "tag\xf3\xa0\x80\x81", "tag<U+E0001>" },
		{ "line\xe2\x80\xa8sep", "line<U+2028>sep" },
		/* Kept: ASCII, controls (each output's own business), letters of any script. */
		{ "r\xc3\xb4le \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe6\xbc\xa2\tx\n",
		  "r\xc3\xb4le \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe6\xbc\xa2\tx\n" },
		{ "emoji \xf0\x9f\x98\x80\xef\xb8\x8f", "emoji \xf0\x9f\x98\x80\xef\xb8\x8f" },
		/* Malformed UTF-8 is not passed on as is. */
		{ "bad\xff\xe2\x80", "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "", "" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = str_show_invisible(cases[i].in);
		T_STREQ(s, cases[i].out);
		free(s);
	}
	T(str_show_invisible(NULL) == NULL, "NULL stays NULL");
}

static void
t_trim(void)
{
	char s[] = " \t x y \r\n", e[] = "   ";

	T_STREQ(str_trim(s), "x y");
	T_STREQ(str_trim(e), "");
}

static void
t_time(void)
{
	time_t t;
	char out[21];

	T(time_parse("2024-01-02T03:04:05Z", &t) && t == 1704164645, "Z");
	T(time_parse("2024-01-02T05:04:05+02:00", &t) && t == 1704164645, "offset");
	T(time_parse("2024-01-02T03:04:05.123456Z", &t) && t == 1704164645, "fraction");
	T(time_parse("2024-01-02", &t) && t == 1704153600, "date only");
	T(!time_parse("N/A", &t) && !time_parse("no_information", &t) &&
	    !time_parse("2024-13-01T00:00:00Z", &t) && !time_parse("2024-01-02T03:04:05Zjunk", &t),
	    "non-times refused");
	T_STREQ(time_fmt(1704164645, out), "2024-01-02T03:04:05Z");
	T(time_days(0, 86400 * 90) == 90 && time_days(0, 86400 * 90 - 1) == 89, "whole days");
}

static void
t_url(void)
{
	struct buf b = { 0 };
	char *d = url_decode("%7B%22a%22%3A%20%2A%7D%zz%");

	T_STREQ(d, "{\"a\": *}%zz%");
	free(d);
	T(url_encode(&b, "a b/+=~é"), "encode");
	T_STREQ(b.p, "a%20b%2F%2B%3D~%C3%A9");
	buf_free(&b);
}

static void
t_buf_cap(void)
{
	struct buf b = { .max = 8 };

	T(buf_adds(&b, "12345678"), "up to the cap");
	T(!buf_adds(&b, "9"), "past the cap refused");
	T(b.len == 8 && strcmp(b.p, "12345678") == 0, "buffer unchanged");
	buf_free(&b);
}

static void
t_atomic_write(void)
{
	char dir[] = "/tmp/iamgrade-common-XXXXXX", *path, *data = NULL, *err = NULL;
	struct stat st;
	size_t len;

	if (mkdtemp(dir) == NULL)
		abort();
	path = xasprintf("%s/f.json", dir);
	T(file_write_atomic(path, "one", 3, 0600, 1, &err), "write: %s", err);
	T(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	T(!file_write_atomic(path, "two", 3, 0600, 1, &err), "exclusive write refuses");
	T(file_read(path, 0, &data, &len, &err) && len == 3 && strcmp(data, "one") == 0,
	    "first content kept");
	free(data);
	T(file_write_atomic(path, "three", 5, 0644, 0, &err), "replace");
	T(file_read(path, 0, &data, &len, &err) && strcmp(data, "three") == 0, "replaced");
	free(data);
	T(!file_read(path, 4, &data, &len, &err) && err && strstr(err, path), "cap names the file");
	unlink(path);
	rmdir(dir);
	free(path);
	free(err);
}

/* In pieces: nothing under the name until the commit; an abort leaves nothing at all. */
static void
t_atomic_pieces(void)
{
	char dir[] = "/tmp/iamgrade-common-XXXXXX", *path, *data = NULL, *err = NULL;
	struct file_atomic f;
	struct stat st;
	size_t len;

	if (mkdtemp(dir) == NULL)
		abort();
	path = xasprintf("%s/results.json", dir);
	T(file_atomic_open(&f, path, &err) && file_atomic_add(&f, "{\"a\": ", 6, &err) &&
	    file_atomic_add(&f, "1}", 2, &err), "pieces: %s", err ? err : "");
	T(stat(path, &st) < 0, "visible before the commit");
	T(file_atomic_commit(&f, 0600, 1, &err), "commit: %s", err ? err : "");
	T(file_read(path, 0, &data, &len, &err) && strcmp(data, "{\"a\": 1}") == 0, "content");
	T(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	free(data);
	T(file_atomic_open(&f, path, &err) && file_atomic_add(&f, "x", 1, &err), "second");
	T(!file_atomic_commit(&f, 0600, 1, &err), "exclusive commit refuses");
	T(file_atomic_open(&f, path, &err) && file_atomic_add(&f, "y", 1, &err), "third");
	file_atomic_abort(&f);
	T(unlink(path) == 0 && rmdir(dir) == 0, "a temporary file was left behind");
	free(path);
	free(err);
}

int
main(void)
{
	RUN(t_sanitize_term);
	RUN(t_log_sanitised);
	RUN(t_show_invisible);
	RUN(t_trim);
	RUN(t_time);
	RUN(t_url);
	RUN(t_buf_cap);
	RUN(t_atomic_write);
	RUN(t_atomic_pieces);
	return t_done();
}
