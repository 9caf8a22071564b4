/*
 * Loading a snapshot: read, hash and parse it, check its frame, and run
 * every source through the same rules the collector applied before writing
 * (snapshot/), so that grading can trust the shapes it reads.  Only a file
 * whose frame is broken (not JSON, not an object, an unknown schema, no
 * account id, no collection times) is refused, with the file and the
 * problem named; a source that breaks a rule is loaded as "invalid" with
 * the rule, and only the controls that need it go unevaluated.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
#include "snapshot/snapshot.h"

#define SNAP_MAX	((size_t)1 << 30)	/* 1 GiB: far above any account */

/*
 * The organization's account list, when the snapshot keeps it in the run
 * folder (snapshot.h): read from there and put back, or, when that file is
 * missing, unreadable or not the list the snapshot hashed, the source made
 * invalid, saying so (nothing is trusted on a list that cannot be checked).
 */
static void
snap_org_resolve(const char *path, json_t *snap)
{
	json_t *org = json_object_get(snap, "organization"), *d = json_object_get(org, "data");
	json_t *doc = NULL, *ids;
	char *file = NULL, *text = NULL, *why = NULL, sha[65];
	const char *slash = strrchr(path, '/');
	size_t len;

	if (snap_status(org) != SNAP_ST_OK || json_object_get(d, "accounts") != NULL ||
	    jstr(d, "accounts_in") == NULL)
		return;
	file = slash ? xasprintf("%.*s/%s", (int)(slash - path), path, jstr(d, "accounts_in")) :
	    xstrdup(jstr(d, "accounts_in"));
	if (!file_read(file, SNAP_MAX, &text, &len, &why))
		goto bad;
	ids = json_object_get(json_object_get(doc = json_loadb(text, len, 0, NULL),
	    SNAP_ORG_MEMBER), "accounts");
	if (!json_is_array(ids)) {
		why = xasprintf("%s holds no %s.accounts", file, SNAP_ORG_MEMBER);
		goto bad;
	}
	snap_org_sha256(ids, sha);
	if (strcmp(sha, jstr(d, "accounts_sha256")) != 0 ||
	    (json_int_t)json_array_size(ids) != jint(d, "accounts_count", -1)) {
		why = xasprintf("%s: the account list is not the one this snapshot was "
		    "collected with (its SHA-256 differs)", file);
		goto bad;
	}
	json_object_set(d, "accounts", ids);
	goto out;
bad:
	{
		char *m = xasprintf("the organization's account list: %s", why);

		snap_source_invalidate(snap, snap, "organization", m);
		free(m);
	}
out:
	json_decref(doc);
	free(text);
	free(file);
	free(why);
}

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
	snap_org_resolve(path, snap);
	*snapp = snap;
	snap = NULL;
	rc = 1;
out:
	json_decref(snap);
	free(text);
	free(why);
	return rc;
}
