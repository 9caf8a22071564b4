/* The JSON backend: the results document itself, pretty-printed with sorted keys (byte-stable). */
#include <stdlib.h>

#include "common/common.h"
#include "report/report.h"

struct jsonr {
	int	 unused;
};

static void *
jsonr_alloc(const struct report_opts *opts)
{
	return xcalloc(1, sizeof(struct jsonr));
}

static int
jsonr_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	char *s = jdump(results, 1);
	int ok = buf_adds(out, s) && buf_adds(out, "\n");

	free(s);
	return ok ? 1 : err_set(err, "json: the results do not fit the output buffer");
}

static void
jsonr_free(void *ctx)
{
	free(ctx);
}

const struct report_backend report_json = { jsonr_alloc, jsonr_render, jsonr_free };
