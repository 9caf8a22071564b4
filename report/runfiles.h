/*
 * The reports of a run folder: every format whose row names a run_file
 * (formats.h, REPORT_IN_RUN: results.json, findings.csv, summary.html,
 * summary.pdf ...), rendered from one results document into the folder.
 * Used by `iamgrade merge`, whose folder must hold what a whole run's does.
 */
#ifndef REPORT_RUNFILES_H
#define REPORT_RUNFILES_H

#include <jansson.h>

#include "report/report.h"

/*
 * Render results into dir/RUN_FILE for each such format (no_pdf: PDF left
 * out), each written atomically and never replacing a file.  A format run
 * writes only when asked (REPORT_IN_RUN_ASKED: OCSF, ASFF) is written when
 * the folder like holds its file (the shards were asked), else not.  1, or
 * 0 with *err naming the file.
 */
int	report_write_run(const char *dir, const json_t *results, const struct report_opts *,
	    int no_pdf, const char *like, char **err);

#endif
