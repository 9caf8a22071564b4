/*
 * Helpers shared by every module: allocation, growable buffers with a hard
 * cap, errors as messages, time, atomic files, SHA-256, logging and a few
 * jansson accessors.  Written once here; modules never re-implement them.
 *
 * Ownership: a function returning char * hands the caller a string to
 * free(3) unless it says otherwise.  Functions returning int return 1 on
 * success and 0 on failure, with a message in *err (caller frees) when err
 * is not NULL.
 */
#ifndef COMMON_H
#define COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#ifndef IAMGRADE_VERSION
#define IAMGRADE_VERSION "0.0.0"
#endif

/* Allocation: a batch tool aborts on out-of-memory (mandoc_aux.c). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);		/* NULL in, NULL out */
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

/*
 * Errors: set *err (if err is not NULL) to a formatted message, freeing any
 * message already there.  Always returns 0 so that `return err_set(...)`
 * reads as a failure.
 */
int	 err_set(char **err, const char *, ...) __attribute__((format(printf, 2, 3)));

/*
 * A list of argv's strings (a repeatable option's values: cli/opts.h
 * fills one; run/ reads it).  The array is the filler's; the strings
 * are argv's.
 */
struct cli_list {
	const char	**v;
	int		  n;
};

/*
 * A growable byte buffer with a hard size cap (curl's dynbuf): buf_add
 * fails, leaving the buffer as it was, once len would exceed max.  max 0
 * means no cap.  The contents are always NUL-terminated when p != NULL.
 */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_adds(struct buf *, const char *);
int	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_free(struct buf *);
char	*buf_steal(struct buf *);		/* caller frees; buffer emptied */

/* Time.  All times are UTC. */
/* ISO 8601 ("2024-01-02T03:04:05Z", fractional seconds, "+00:00" offsets). */
int	 time_parse(const char *, time_t *);
/* "2024-01-02T03:04:05Z" into out (at least 21 bytes); returns out. */
char	*time_fmt(time_t, char *out);
/* Whole days from a to b (b - a), rounded down. */
long	 time_days(time_t a, time_t b);

/*
 * Write a file atomically: a temporary file in the same directory, write,
 * fsync, chmod to mode, rename over path, fsync the directory.  No partial
 * file is ever visible under path.  If excl is set and path already exists
 * the write fails (EEXIST) and nothing is touched.
 */
int	 file_write_atomic(const char *path, const void *, size_t, int mode, int excl, char **err);
/*
 * The same in pieces, for a file too large to hold in memory: open (a
 * temporary file beside path), add as often as needed, then commit (mode,
 * excl and the renaming as above) or abort.  A failed add leaves the file
 * to abort; a failed commit aborts itself.  path must outlive the writer.
 */
struct file_atomic {
	int		 fd;
	char		*tmp;
	const char	*path;
};
int	 file_atomic_open(struct file_atomic *, const char *path, char **err);
int	 file_atomic_add(struct file_atomic *, const void *, size_t, char **err);
int	 file_atomic_commit(struct file_atomic *, int mode, int excl, char **err);
void	 file_atomic_abort(struct file_atomic *);
/* mode less the process's umask (read, then put back as it was). */
int	 file_mode_umask(int mode);
/*
 * A spool: an unlinked temporary file in dir (O_TMPFILE where there is
 * one), for what a command keeps until its output is assembled instead of
 * holding it in memory; nothing of it is ever visible in dir.  The fd, or
 * -1 with *err.  fd_pwrite_all and fd_pread_all move all of len bytes at
 * off (EINTR and short counts retried; what names the file in *err);
 * several threads may use one fd at once on stretches of their own.
 */
int	 fd_spool(const char *dir, char **err);
int	 fd_pwrite_all(int fd, const void *, size_t len, off_t off, const char *what, char **err);
int	 fd_pread_all(int fd, void *, size_t len, off_t off, const char *what, char **err);
/* Read a whole file (at most max bytes, 0 = no cap) into *out (caller frees). */
int	 file_read(const char *path, size_t max, char **out, size_t *len, char **err);
/* mkdir -p with mode; refuses to follow a symlink as the last component. */
int	 dir_make(const char *path, int mode, char **err);

/* SHA-256 of data as 64 lower-case hex digits plus NUL into out[65]. */
void	 sha256_hex(const void *, size_t, char out[65]);
/*
 * SHA-1 the same way, out[41]: only where another tool names files by it
 * (the AWS CLI's SSO token cache), never for integrity.
 */
void	 sha1_hex(const void *, size_t, char out[41]);

/*
 * Logging to stderr.  Levels: 0 quiet (errors only), 1 normal, 2 verbose,
 * 3 debug.  Each line goes through str_sanitize_term, so AWS text may be
 * passed as it is.  Never pass a secret to these.
 */
extern int log_level;
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_verbose(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/* jansson accessors: NULL / def when the key is missing or of another type. */
const char *jstr(const json_t *, const char *key);
long long   jint(const json_t *, const char *key, long long def);
int	    jbool(const json_t *, const char *key, int def);	/* accepts true/false and "true"/"false" */
json_t	   *jpath(const json_t *, const char *path);		/* "a.b.c" through objects */
/* Serialise compactly with sorted keys, for hashing and stable output. */
char	   *jdump(const json_t *, int pretty);
/*
 * v rebuilt from its compact text (a new reference): kept values rebuilt
 * once what they were made beside is freed lie compactly in the heap
 * instead of among its freed pieces (checks/files.c says why).  Aborts
 * when out of memory, as xmalloc does.
 */
json_t	   *jrebuild(const json_t *v);
/* A JSON string for s (null for NULL); bytes of invalid UTF-8 become '?'.  New reference. */
json_t	   *jstring(const char *s);

/* Percent-decoding (%XX) of IAM's URL-encoded documents; caller frees. */
char	*url_decode(const char *);
/* RFC 3986 encoding of s (unreserved kept, upper-case hex) appended to b. */
int	 url_encode(struct buf *, const char *s);

/* Trim leading and trailing white space (isspace) in place; returns the start. */
char	*str_trim(char *);

/*
 * Strip terminal controls from s in place: C0 controls but \t and \n (ESC
 * and friends), DEL, and UTF-8-encoded C1 controls (U+009B is a CSI).
 */
char	*str_sanitize_term(char *);

/* Whether s is an AWS account id: exactly twelve ASCII digits. */
int	 str_is_account_id(const char *s);

/*
 * UTF-8, one code point at a time.  utf8_next decodes the code point at
 * s[*i] and advances *i past it; a malformed or overlong sequence, a
 * surrogate or a value past U+10FFFF gives U+FFFD and advances one byte.
 * utf8_put appends cp's encoding to b.
 */
#define UTF8_REPLACEMENT	0xFFFDu
unsigned utf8_next(const char *s, size_t *i);
int	 utf8_put(struct buf *, unsigned cp);

/*
 * Whether cp, placed in text, would change how the text around it is shown
 * without being seen itself: bidirectional embeddings, overrides, isolates
 * and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C),
 * zero-width and invisible characters (U+200B-U+200D, U+2060-U+2064,
 * U+FEFF, U+00AD, U+034F, U+180E, Hangul fillers, U+FFF9-U+FFFB, the tag
 * characters U+E0000-U+E007F, the deprecated format characters
 * U+206A-U+206F), the line and paragraph separators U+2028/U+2029, and the
 * C1 controls U+0080-U+009F.
 */
int	 str_is_invisible(unsigned cp);

/*
 * Untrusted text shown as data: every str_is_invisible character becomes
 * its visible name, "<U+202E>", so a role cannot be displayed under another
 * name.  Everything else (including C0 controls, which each output treats
 * in its own way) is kept; malformed UTF-8 becomes U+FFFD.  Every renderer
 * (text, HTML, PDF, CSV) passes AWS text through this.  NULL gives NULL;
 * otherwise a new string the caller frees.
 */
char	*str_show_invisible(const char *s);

#endif
