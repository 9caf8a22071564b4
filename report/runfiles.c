/* A run folder's reports, every format the run writes, from one results document. */
#include <stdlib.h>
#include <unistd.h>

#include "common/common.h"
#include "report/runfiles.h"

/* A set of formats is an unsigned's bits. */
_Static_assert(REPORT_FMT__MAX <= 32, "more formats than bits in a format set");

unsigned
report_run_outputs(void)
{
	unsigned set = 0;
	int f;

	for (f = 0; f < REPORT_FMT__MAX; f++)
		if ((report_formats[f].commands & REPORT_IN_RUN) && report_formats[f].run_file != NULL &&
		    !(report_formats[f].commands & REPORT_IN_RUN_ASKED))
			set |= REPORT_BIT(f);
	return set;
}

int
report_write_run(const char *dir, const json_t *results, const struct report_opts *o,
    unsigned outputs, const char *like, char **err)
{
	struct buf b = { 0 };
	char *path = NULL;
	int f, rc = 0;

	for (f = 0; f < REPORT_FMT__MAX; f++) {
		if (!(report_formats[f].commands & REPORT_IN_RUN) || report_formats[f].run_file == NULL)
			continue;
		free(path);
		path = xasprintf("%s/%s", like, report_formats[f].run_file);
		if (!(outputs & REPORT_BIT(f)) &&
		    (!(report_formats[f].commands & REPORT_IN_RUN_ASKED) || access(path, F_OK) != 0))
			continue;
		buf_reset(&b);
		free(path);
		path = xasprintf("%s/%s", dir, report_formats[f].run_file);
		if (!report_render(f, results, o, &b, err) ||
		    !file_write_atomic(path, b.p ? b.p : "", b.len, report_file_mode(f), 1, err))
			goto out;
	}
	rc = 1;
out:
	free(path);
	buf_free(&b);
	return rc;
}
