/* Writing a snapshot: DIR/<account-id>.json, atomically, never over an earlier one. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"

/* A second run into the same folder the same day is normal; a thousandth is not. */
#define SNAP_MAX_SUFFIX	1000

/* The account id becomes a file name: only [A-Za-z0-9_-], never empty. */
static int
snap_safe_name(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'z') &&
		    !(*s >= 'A' && *s <= 'Z') && *s != '-' && *s != '_')
			return 0;
	return 1;
}

int
snapshot_write(const char *dir, const json_t *snap, char **pathp, char **err)
{
	const char *id = json_string_value(jpath(snap, "account.id"));
	struct stat st;
	char *text = NULL, *path = NULL, *werr = NULL;
	int n, rc = 0;

	*pathp = NULL;
	if (!snap_safe_name(id)) {
		err_set(err, "snapshot: account id %s%s%s is not usable as a file name",
		    id ? "\"" : "", id ? id : "missing", id ? "\"" : "");
		goto out;
	}
	/* Sorted keys and indentation: two snapshots diff line by line. */
	text = jdump(snap, 1);
	for (n = 1; n <= SNAP_MAX_SUFFIX; n++) {
		free(path);
		path = n == 1 ? xasprintf("%s/%s.json", dir, id) :
		    xasprintf("%s/%s-%d.json", dir, id, n);
		if (file_write_atomic(path, text, strlen(text), 0600, 1, &werr)) {
			*pathp = path;
			path = NULL;
			rc = 1;
			goto out;
		}
		/* Taken (by an earlier run, or a concurrent one): try the next name. */
		if (lstat(path, &st) != 0) {
			err_set(err, "snapshot: %s", werr);
			goto out;
		}
	}
	err_set(err, "snapshot: %s/%s.json and %d numbered variants exist already",
	    dir, id, SNAP_MAX_SUFFIX - 1);
out:
	free(text);
	free(path);
	free(werr);
	return rc;
}
