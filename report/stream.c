/*
 * The formats whose output is each account's part in turn (JSON, CSV),
 * made one account at a time: a caller that cannot hold every account (a
 * run's summary, check over a thousand snapshots) renders each account's
 * part where it is graded, keeps the parts on disk and writes them framed.
 * The frame and the parts, in the document's order, are byte for byte what
 * report_render makes of the whole document.
 */
#include <string.h>

#include "common/common.h"
#include "report/report.h"

int
report_stream_fmt(enum report_fmt fmt)
{
	return fmt == REPORT_JSON || fmt == REPORT_CSV;
}

/* jansson's callback: text straight into the buffer. */
static int
stream_put(const char *s, size_t n, void *out)
{
	return buf_add(out, s, n) ? 0 : -1;
}

/*
 * JSON: the JSON backend's layout (sorted members, two spaces a level)
 * of an account alone, indented two levels deeper, line by line: jansson
 * escapes every newline inside a string, so lines are the layout's.
 */
static int
stream_json_part(const json_t *acct, struct buf *out, char **err)
{
	struct buf b = { 0 };
	const char *at, *nl, *end;
	int ok = 0;

	if (json_dump_callback(acct, stream_put, &b, JSON_SORT_KEYS | JSON_INDENT(2)) != 0) {
		err_set(err, "json: an account did not dump");
		goto out;
	}
	end = b.p + b.len;
	for (at = b.p; at < end && (nl = memchr(at, '\n', (size_t)(end - at))) != NULL; at = nl + 1)
		if (!buf_add(out, at, (size_t)(nl - at)) || !buf_add(out, "\n    ", 5))
			goto full;
	if (!buf_add(out, at, (size_t)(end - at)))
		goto full;
	ok = 1;
	goto out;
full:
	err_set(err, "json: the results do not fit the output buffer");
out:
	buf_free(&b);
	return ok;
}

int
report_stream_part(enum report_fmt fmt, const json_t *acct, struct buf *out, char **err)
{
	struct buf b = { 0 };
	json_t *one;
	const char *p;
	int ok;

	if (fmt == REPORT_JSON)
		return stream_json_part(acct, out, err);
	if (fmt != REPORT_CSV)
		return err_set(err, "%s: not a format made one account at a time",
		    report_formats[fmt].name);
	/* The CSV rows of an account are its own: rendered alone, less the header. */
	one = json_pack("{s:[O]}", "accounts", (json_t *)acct);
	if ((ok = report_render(REPORT_CSV, one, NULL, &b, err))) {
		p = (p = memchr(b.p, '\n', b.len)) == NULL ? b.p + b.len : p + 1;
		ok = buf_add(out, p, b.len - (size_t)(p - b.p)) ||
		    err_set(err, "csv: the results do not fit the output buffer");
	}
	json_decref(one);
	buf_free(&b);
	return ok;
}

const char *
report_stream_sep(enum report_fmt fmt, size_t i)
{
	return fmt != REPORT_JSON ? "" : i == 0 ? "\n    " : ",\n    ";
}

int
report_stream_frame(enum report_fmt fmt, const json_t *doc, size_t n, struct buf *head,
    struct buf *tail, char **err)
{
	json_t *empty = json_copy((json_t *)doc);
	char *text = NULL, *at;
	int ok = 0;

	json_object_set_new(empty, "accounts", json_array());
	if (fmt == REPORT_CSV) {
		ok = report_render(REPORT_CSV, empty, NULL, head, err);
		goto out;
	}
	if (fmt != REPORT_JSON) {
		err_set(err, "%s: not a format made one account at a time", report_formats[fmt].name);
		goto out;
	}
	/* The document with no accounts, cut inside its "accounts": [] (its members sorted). */
	text = json_dumps(empty, JSON_SORT_KEYS | JSON_INDENT(2));
	if (text == NULL || (at = strstr(text, "\"accounts\": []")) == NULL) {
		err_set(err, "json: the results' head did not dump");
		goto out;
	}
	at += strlen("\"accounts\": [");
	ok = buf_add(head, text, (size_t)(at - text)) &&
	    (n == 0 || buf_adds(tail, "\n  ")) && buf_adds(tail, at) && buf_adds(tail, "\n");
	if (!ok)
		err_set(err, "json: the results do not fit the output buffer");
out:
	json_decref(empty);
	free(text);
	return ok;
}
