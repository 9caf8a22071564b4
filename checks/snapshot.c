/*
 * Loading a snapshot: read, hash and parse it, check its frame, and run
 * every source through the same rules the collector applied before writing
 * (snapshot/), so that grading can trust the shapes it reads.  Only a file
 * whose frame is broken (not JSON, not an object, an unknown schema, no
 * account id, no collection times) is refused, with the file and the
 * problem named; a source that breaks a rule is loaded as "invalid" with
 * the rule, and only the controls that need it go unevaluated.
 */
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
#include "snapshot/snapshot.h"

#define SNAP_MAX	((size_t)1 << 30)	/* 1 GiB: far above any account */

int
snap_load(const char *path, json_t **snapp, char sha256[65], char **err)
{
	json_error_t je;
	json_t *snap = NULL;
	char *text = NULL, *why = NULL;
	size_t len;
	int rc = 0;

	*snapp = NULL;
	if (!file_read(path, SNAP_MAX, &text, &len, err))
		goto out;
	if (len == 0) {
		err_set(err, "%s: empty file, not a snapshot", path);
		goto out;
	}
	sha256_hex(text, len, sha256);
	/*
	 * NUL bytes inside strings are let through the parser so that the
	 * source holding one is marked invalid, instead of the whole file
	 * being refused (snapshot/valid.c rejects them per source).
	 */
	if ((snap = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je)) == NULL) {
		err_set(err, "%s: not valid JSON (line %d, column %d: %s)%s", path,
		    je.line, je.column, je.text,
		    je.position >= (int)len ? "; the file looks truncated" : "");
		goto out;
	}
	if (!snap_check_frame(snap, &why)) {
		err_set(err, "%s: not a valid snapshot: %s", path, why);
		goto out;
	}
	snap_sources_check(snap);
	*snapp = snap;
	snap = NULL;
	rc = 1;
out:
	json_decref(snap);
	free(text);
	free(why);
	return rc;
}
