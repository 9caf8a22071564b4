/*
 * Fuzz target: the one definition of a valid snapshot (snapshot/), on any
 * JSON: as the data of every source, as a source object, and as a whole
 * snapshot.  What the rules accept is graded, since that is the promise
 * they make to the checks: data that passes them can be read safely.
 */
#include <stdlib.h>

#include "snapshot/snapshot.h"
#include "tests/fuzz/fuzz.h"

int
fuzz_validate(const uint8_t *data, size_t size)
{
	json_t *j, *copy, *src;
	char *why = NULL;
	int id, ok;

	j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (j == NULL)
		return 0;
	/* The input as a snapshot: its frame, then every source in place. */
	if (snap_check_frame(j, &why)) {
		copy = json_deep_copy(j);
		snap_sources_check(copy);
		json_decref(copy);
	}
	free(why);
	why = NULL;
	/* The input as each source's data (and the organization's). */
	for (id = 0; id <= SNAP_SRC__MAX; id++) {
		const char *name = id < SNAP_SRC__MAX ? snap_source_names[id] : "organization";

		ok = id < SNAP_SRC__MAX ? snap_check_data(id, j, &why) : 0;
		free(why);
		why = NULL;
		src = json_pack("{s:s, s:s, s:O}", "status", "ok", "api_call", "fuzz:Fuzz", "data", j);
		src = snap_source_check(name, src);
		/* The two entry points must agree. */
		if (id < SNAP_SRC__MAX && ok != (snap_status(src) == SNAP_ST_OK))
			abort();
		if (ok && id < SNAP_SRC__MAX)
			fuzz_grade(fuzz_snapshot_new(name, src));
		else
			json_decref(src);
	}
	/* The input as a source object of its own. */
	for (id = 0; id < SNAP_SRC__MAX; id++)
		json_decref(snap_source_check(snap_source_names[id], json_incref(j)));
	json_decref(j);
	return 0;
}
