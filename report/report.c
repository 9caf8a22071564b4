/* The report's one entry point: pick the format's row, render, free. */
#include <stdlib.h>
#include <string.h>

#include "report/backend.h"
#include "report/compare.h"

#define REPORT_FMT_ROW(E, n, mode, renders, commands, run_file, help) \
	[REPORT_##E] = { #n, mode, renders, commands, run_file, help },
const struct report_format report_formats[REPORT_FMT__MAX] = {
	REPORT_FORMAT_LIST(REPORT_FMT_ROW)
};
#undef REPORT_FMT_ROW

#define REPORT_FMT_BACKEND(E, n, ...) [REPORT_##E] = &report_##n,
static const struct report_backend *const backends[REPORT_FMT__MAX] = {
	REPORT_FORMAT_LIST(REPORT_FMT_BACKEND)
};
#undef REPORT_FMT_BACKEND

int
report_fmt_parse(const char *s)
{
	int i;

	for (i = 0; i < REPORT_FMT__MAX; i++)
		if (strcmp(s, report_formats[i].name) == 0)
			return i;
	return -1;
}

int
report_file_mode(enum report_fmt fmt)
{
	return file_mode_umask(report_formats[fmt].mode);
}

int
report_render(enum report_fmt fmt, const json_t *results,
    const struct report_opts *opts, struct buf *out, char **err)
{
	static const struct report_opts none;
	const struct report_backend *b;
	void *ctx = NULL;
	int rc;

	if ((int)fmt < 0 || fmt >= REPORT_FMT__MAX)
		return err_set(err, "unknown report format %d", (int)fmt);
	b = backends[fmt];
	if (b->alloc != NULL && (ctx = b->alloc(opts ? opts : &none)) == NULL)
		return err_set(err, "%s: cannot set up the renderer", report_formats[fmt].name);
	rc = b->render(ctx, results, out, err);
	if (b->free != NULL)
		b->free(ctx);
	return rc;
}

json_t *
report_results_load(const char *path, char **err)
{
	json_error_t je;
	json_t *doc = NULL;
	char *data = NULL, *e = NULL;
	size_t len;

	if (!file_read(path, REPORT_MAX_RESULTS, &data, &len, err))
		goto out;
	if ((doc = json_loadb(data, len, 0, &je)) == NULL) {
		err_set(err, "%s: not JSON: line %d: %s", path, je.line, je.text);
		goto out;
	}
	if (!compare_validate(doc, &e)) {
		err_set(err, "%s: %s", path, e);
		json_decref(doc);
		doc = NULL;
	}
out:
	free(data);
	free(e);
	return doc;
}

char *
report_value_text(const json_t *v)
{
	struct buf b = { 0 };
	const json_t *e;
	size_t i;
	char *s;

	if (v == NULL)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		return xasprintf("%g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	case JSON_ARRAY:
		buf_add(&b, "", 0);
		json_array_foreach(v, i, e) {
			if (json_is_null(e))
				continue;
			s = json_is_string(e) || json_is_number(e) ?
			    report_value_text(e) : jdump(e, 0);
			buf_printf(&b, "%s%s", b.len ? ", " : "", s);
			free(s);
		}
		return buf_steal(&b);
	case JSON_OBJECT:
		return jdump(v, 0);
	default:
		return NULL;
	}
}

const char *
report_account_name(const json_t *acct)
{
	const char *s;

	if ((s = jstr(acct, "alias")) != NULL && *s != '\0')
		return s;
	if ((s = jstr(acct, "name")) != NULL && *s != '\0')
		return s;
	return jstr(acct, "account_id");
}

/* Whether iso (a time) is before the row's member key, or the row has none. */
static void
row_time(json_t *row, const char *key, const char *iso, int earlier)
{
	const char *cur = jstr(row, key);
	time_t a, b;

	if (iso == NULL || !time_parse(iso, &a))
		return;
	if (cur == NULL || !time_parse(cur, &b) || (earlier ? a < b : a > b))
		json_object_set_new(row, key, json_string(iso));
}

json_t *
report_finding_rows(const json_t *findings, size_t max, size_t *more)
{
	json_t *rows = json_array(), *index = json_object(), *row;
	const json_t *f, *ev;
	const char *code;
	struct buf key = { 0 };
	size_t i;

	*more = 0;
	json_array_foreach(findings, i, f) {
		ev = json_object_get(f, "evidence");
		row = NULL;
		if ((code = jstr(ev, "error_code")) != NULL) {
			/* \\1 separates the parts (an ARN, an error code, an address hold none). */
			buf_reset(&key);
			buf_adds(&key, jstr(f, "resource") ? jstr(f, "resource") : "");
			buf_adds(&key, "\1");
			buf_adds(&key, code);
			buf_adds(&key, "\1");
			buf_adds(&key, jstr(ev, "source_ip") ? jstr(ev, "source_ip") : "");
			row = json_object_get(index, key.p);
		}
		if (row == NULL) {
			if (json_array_size(rows) == max) {
				(*more)++;
				continue;
			}
			row = json_pack("{s:O, s:i, s:n, s:n}", "finding", f, "count", 0,
			    "first", "last");
			json_array_append_new(rows, row);
			if (code != NULL)
				json_object_set(index, key.p, row);
		}
		json_object_set_new(row, "count", json_integer(jint(row, "count", 0) + 1));
		row_time(row, "first", jstr(ev, "time"), 1);
		row_time(row, "last", jstr(ev, "time"), 0);
	}
	buf_free(&key);
	json_decref(index);
	return rows;
}

char *
report_row_words(const json_t *row)
{
	long long n = jint(row, "count", 1);
	const char *first = jstr(row, "first"), *last = jstr(row, "last");

	if (n <= 1)
		return NULL;
	if (first != NULL && last != NULL)
		return xasprintf("%lld times, first %s, last %s", n, first, last);
	return xasprintf("%lld times", n);
}

json_t *
report_event_rows(const json_t *events, size_t max, size_t *more)
{
	json_t *rows = json_array();
	const json_t *e;
	size_t i, n = json_array_size(events);
	int pass;

	*more = n > max ? n - max : 0;
	/* Two passes when capped: roles created first, then failed calls. */
	for (pass = n > max ? 0 : 1; pass < 2; pass++)
		json_array_foreach(events, i, e) {
			if (json_array_size(rows) == max)
				return rows;
			if (n > max && (jstr(e, "error_code") != NULL) != pass)
				continue;
			json_array_append(rows, (json_t *)e);
		}
	return rows;
}

char *
report_cap_lines(const char *text, size_t max)
{
	const char *p = text ? text : "", *q;
	size_t n = 0, rest = 0;

	for (; *p != '\0' && n < max; n++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	if (*p == '\0')
		return xstrdup(text ? text : "");
	for (q = p; *q != '\0'; rest++)
		q = strchr(q, '\n') ? strchr(q, '\n') + 1 : q + strlen(q);
	return xasprintf("%.*s# %zu more line%s, one per finding: listed in findings.csv",
	    (int)(p - text), text, rest, rest == 1 ? "" : "s");
}
