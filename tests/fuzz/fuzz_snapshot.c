/* Fuzz target: a snapshot file through snap_load, the checks and the report. */
#include "tests/fuzz/fuzz.h"

int
fuzz_snapshot(const uint8_t *data, size_t size)
{
	fuzz_grade_text((const char *)data, size);
	return 0;
}
