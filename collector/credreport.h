/*
 * The IAM credential report: RFC 4180 CSV (libcsv, strict) into
 * {"columns": [header names in order], "rows": [{column: value, ...}]}.
 *
 * Columns are mapped by header name, never by position: every column is
 * kept, reordered and unknown columns are fine, values stay verbatim
 * strings ("true", "N/A", "no_information", timestamps).  The report fails
 * as a whole, with a message, when a required column (user, arn) is
 * missing, a header name repeats, a row has the wrong number of fields, the
 * text is not valid CSV or not UTF-8.  A report with a header and no rows
 * is valid (no users).
 *
 * Ownership: credreport_parse returns a new reference; *err is the
 * caller's to free.
 */
#ifndef COLLECTOR_CREDREPORT_H
#define COLLECTOR_CREDREPORT_H

#include <stddef.h>

#include <jansson.h>

json_t	*credreport_parse(const char *csv, size_t len, char **err);

#endif
