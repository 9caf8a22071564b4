/*
 * The CSV backend: one row per finding, for spreadsheets.  Columns:
 * account_id, alias, control_id, severity, status, resource, reason,
 * ou_id, ou_path, tags (the account's tags as a JSON object, keys sorted:
 * a tag value may hold any separator we could pick; empty without OU
 * data, "unknown" path and tags_reason when they could not be read).  A
 * FAIL gives one row per finding (with the finding's severity); every other
 * status one row with no resource and the reason, so each control of each
 * account appears.  Fields are quoted by libcsv; a field that a spreadsheet
 * would run as a formula (starting with = + - @, tab or CR) gets a leading
 * apostrophe.  Characters that reorder or hide text (bidi controls,
 * zero-width characters) are shown by name, "<U+202E>" (str_show_invisible).
 * Lines end with CRLF (RFC 4180).
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "common/common.h"
#include "report/backend.h"

static int
csvr_field(struct buf *out, const char *s, int last)
{
	char *shown = str_show_invisible(s ? s : ""), *tmp = NULL, *q;
	const char *v = shown;
	size_t n, need;
	int ok;

	if (v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL)
		v = tmp = xasprintf("'%s", v);
	n = strlen(v);
	need = 2 * n + 2;
	q = xmalloc(need);
	need = csv_write(q, need, v, n);
	ok = buf_add(out, q, need) && buf_adds(out, last ? "\r\n" : ",");
	free(q);
	free(tmp);
	free(shown);
	return ok;
}

static int
csvr_row(struct buf *out, const json_t *acct, const json_t *ctl, const char *severity,
    const char *status, const char *resource, const char *reason, const char *tags)
{
	return csvr_field(out, jstr(acct, "account_id"), 0) &&
	    csvr_field(out, jstr(acct, "alias"), 0) &&
	    csvr_field(out, jstr(ctl, "id"), 0) &&
	    csvr_field(out, severity, 0) &&
	    csvr_field(out, status, 0) &&
	    csvr_field(out, resource, 0) &&
	    csvr_field(out, reason, 0) &&
	    csvr_field(out, json_string_value(jpath(acct, "ou.id")), 0) &&
	    csvr_field(out, json_string_value(jpath(acct, "ou.path")), 0) &&
	    csvr_field(out, tags, 1);
}

static int
csvr_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	const json_t *acct, *ctl, *f;
	size_t i, j, k;
	char *tags;
	int ok;

	ok = buf_adds(out, "account_id,alias,control_id,severity,status,resource,reason,"
	    "ou_id,ou_path,tags\r\n");
	json_array_foreach(json_object_get(results, "accounts"), i, acct) {
		tags = json_object_get(acct, "tags") == NULL ? NULL :
		    json_dumps(json_object_get(acct, "tags"), JSON_COMPACT | JSON_SORT_KEYS);
		json_array_foreach(json_object_get(acct, "controls"), j, ctl) {
			const json_t *fs = json_object_get(ctl, "findings");

			if (json_array_size(fs) == 0)
				ok = ok && csvr_row(out, acct, ctl, jstr(ctl, "severity"),
				    jstr(ctl, "status"), NULL, jstr(ctl, "reason"), tags);
			json_array_foreach(fs, k, f) {
				const json_t *acc = json_object_get(f, "accepted");
				char *why = NULL;

				/*
				 * An accepted finding is its own row state, whatever
				 * its control's: filtering on FAIL gives what is open.
				 */
				if (acc != NULL)
					why = xasprintf("%s (accepted risk until %s, approved by %s: %s)",
					    jstr(f, "reason") ? jstr(f, "reason") : "", jstr(acc, "expires"),
					    jstr(acc, "approved_by"), jstr(acc, "justification"));
				ok = ok && csvr_row(out, acct, ctl, jstr(f, "severity") ?
				    jstr(f, "severity") : jstr(ctl, "severity"),
				    acc != NULL ? "ACCEPTED" : jstr(ctl, "status"),
				    jstr(f, "resource"), why ? why : jstr(f, "reason"), tags);
				free(why);
			}
		}
		free(tags);
	}
	return ok ? 1 : err_set(err, "csv: the results do not fit the output buffer");
}

const struct report_backend report_csv = { NULL, csvr_render, NULL };
