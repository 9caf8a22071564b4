/* The JSON backend: the results document itself, pretty-printed with sorted keys (byte-stable). */
#include <stdlib.h>

#include "common/common.h"
#include "report/backend.h"

/* Straight into the output buffer: a results document can be hundreds of megabytes. */
static int
jsonr_put(const char *s, size_t n, void *out)
{
	return buf_add(out, s, n) ? 0 : -1;
}

static int
jsonr_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	if (json_dump_callback(results, jsonr_put, out, JSON_SORT_KEYS | JSON_INDENT(2)) != 0 ||
	    !buf_adds(out, "\n"))
		return err_set(err, "json: the results do not fit the output buffer");
	return 1;
}

const struct report_backend report_json = { NULL, jsonr_render, NULL };
