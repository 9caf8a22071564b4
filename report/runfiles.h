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

/* A set of formats: a bit per row of formats.h. */
#define REPORT_BIT(fmt)	(1u << (fmt))

/*
 * The formats a run folder gets unless an option says otherwise: every row
 * with REPORT_IN_RUN and a run_file, but those REPORT_IN_RUN_ASKED (written
 * only when asked).  Options add or remove rows from this set (run --ocsf
 * adds OCSF, run --no-pdf removes PDF), so that which files a run writes
 * is always read from the table.
 */
unsigned	report_run_outputs(void);

/*
 * Render results into dir/RUN_FILE for each format in outputs (a set of
 * REPORT_BIT), each written atomically and never replacing a file; a
 * format run writes only when asked (REPORT_IN_RUN_ASKED: OCSF, ASFF) is
 * written too when the folder like holds its file (the shards were asked).
 * 1, or 0 with *err naming the file.
 */
int	report_write_run(const char *dir, const json_t *results, const struct report_opts *,
	    unsigned outputs, const char *like, char **err);

#endif
