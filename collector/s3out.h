/*
 * --out s3://bucket/prefix/: a run (or a collect) written to S3.
 *
 * Why staging: S3 has no rename, but one PutObject is atomic (an object is
 * visible whole under its key or not at all).  So the run is written as on
 * disk into a private local folder (mkdtemp under $TMPDIR), and only when it
 * is complete is every file uploaded, once, with If-None-Match: * (never
 * replacing an object: a key already there is an error), run.json last as
 * on disk, so that a reader that finds run.json finds the whole run.  A
 * failed upload keeps the staging folder and names it, so nothing is lost.
 *
 * Ownership: struct s3_out owns its strings (s3_out_free); the client is
 * the caller's.  Errors name the call, the s3:// URL of the key and AWS's
 * code and message.
 */
#ifndef COLLECTOR_S3OUT_H
#define COLLECTOR_S3OUT_H

#include <stddef.h>

#include "collector/aws.h"

#define S3OUT_FILE_MAX	((size_t)4 << 30)	/* one PutObject takes at most 5 GiB */

struct s3_out {
	char	*url;		/* as given, for messages */
	char	*bucket;
	char	*prefix;	/* "" or ending in '/' */
	char	*staging;	/* the local staging folder, once made */
};

/* Whether --out names S3 rather than a folder. */
int	s3_out_is(const char *out);
/* "s3://bucket[/prefix[/]]" into *o (cleared first; s3_out_free also after a failure). */
int	s3_out_parse(const char *url, struct s3_out *o, char **err);
/* mkdtemp $TMPDIR/iamgrade-s3-XXXXXX (mode 0700) into o->staging. */
int	s3_out_stage(struct s3_out *o, char **err);
/*
 * The first of day, day-2, day-3, ... under which the prefix holds no
 * object (ListObjectsV2, max-keys 1), as a run folder on disk is never
 * reused.  *name is the caller's.
 */
int	s3_out_fresh_name(struct aws_client *, const struct s3_out *o, const char *day,
	    char **name, char **err);
/*
 * Upload every regular file under dir to PREFIX[NAME/]RELATIVE-PATH, in
 * path order with the file named last (a relative path, e.g. "run.json")
 * at the end, each created once (If-None-Match: *).  *nput counts the
 * objects written, also after a failure.
 */
int	s3_out_upload(struct aws_client *, const struct s3_out *o, const char *dir,
	    const char *name, const char *last, size_t *nput, char **err);
/*
 * Upload the file at path as PREFIX + its base name, or NAME-2.EXT,
 * NAME-3.EXT, ... when the key is taken, as snapshot_write names files on
 * disk: If-None-Match picks the name, so two writers never share one.
 * *url is the s3:// URL written (caller frees).
 */
int	s3_out_put_fresh(struct aws_client *, const struct s3_out *o, const char *path,
	    char **url, char **err);
/*
 * The other way: every object under the prefix (ListObjectsV2, 1,000 keys a
 * page) fetched (GetObject) into dir/RELATIVE-PATH, folders made as
 * needed, each file written atomically.  A key that could leave dir (an
 * empty, . or .. segment) or a prefix with no object is an error naming
 * it.  *nget counts the objects fetched, also after a failure.
 */
int	s3_out_fetch(struct aws_client *, const struct s3_out *o, const char *dir,
	    size_t *nget, char **err);
/* Remove the staging folder and everything in it. */
int	s3_out_unstage(struct s3_out *o, char **err);
void	s3_out_free(struct s3_out *o);

#endif
