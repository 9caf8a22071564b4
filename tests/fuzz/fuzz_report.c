/*
 * Fuzz target: what `iamgrade report` reads: a results document (validated
 * by compare_validate, as --results is) or a snapshot (graded), rendered
 * into the formats fuzz_grade leaves out: the PDF's laid-out text dump,
 * JSON, and HTML compared against itself as a baseline (hostile text must
 * stay text in the DOM).  Slow, a few inputs a second: its corpus is for
 * replaying hostile documents through every output more than for long
 * runs.  The PDF itself is left out (half a second an input); its layout
 * is the dump.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/compare.h"
#include "tests/fuzz/fuzz.h"

int
fuzz_report(const uint8_t *data, size_t size)
{
	struct report_opts ro = { 0 };
	json_t *doc, *results = NULL;
	const char *schema;
	char *err = NULL;

	doc = json_loadb((const char *)data, size, 0, NULL);
	schema = jstr(doc, "schema");
	if (schema != NULL && strncmp(schema, "iamgrade.results/", 17) == 0) {
		if (compare_validate(doc, &err))
			results = json_incref(doc);
		free(err);
	} else
		results = fuzz_check((const char *)data, size);
	json_decref(doc);
	if (results == NULL)
		return 0;
	fuzz_render(results, REPORT_DUMP, &ro);
	fuzz_render(results, REPORT_JSON, &ro);
	ro.baseline = results;
	fuzz_render(results, REPORT_HTML, &ro);
	json_decref(results);
	return 0;
}
