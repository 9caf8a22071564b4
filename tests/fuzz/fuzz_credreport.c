/* Fuzz target: the credential report's CSV, then the checks that read its rows. */
#include <stdlib.h>

#include "common/common.h"
#include "collector/credreport.h"
#include "collector/sources.h"
#include "tests/fuzz/fuzz.h"

int
fuzz_credreport(const uint8_t *data, size_t size)
{
	json_t *rep, *row;
	char *err = NULL;
	size_t i;

	if ((rep = credreport_parse((const char *)data, size, &err)) == NULL) {
		free(err);
		return 0;
	}
	/* What iam_access_keys asks of each row. */
	json_array_foreach(json_object_get(rep, "rows"), i, row)
		iam_row_has_key(row);
	json_object_set_new(rep, "generated_time", json_string("2026-11-27T09:58:00Z"));
	fuzz_grade(fuzz_snapshot_new("credential_report",
	    src_ok("iam:GetCredentialReport", rep)));
	return 0;
}
