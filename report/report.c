/* The report's one entry point: pick the backend, render, free. */
#include <string.h>

#include "report/report.h"

static const char *const fmt_names[REPORT_FMT__MAX] = {
	"text", "json", "csv", "html", "pdf", "dump"
};

int
report_fmt_parse(const char *s)
{
	int i;

	for (i = 0; i < REPORT_FMT__MAX; i++)
		if (strcmp(s, fmt_names[i]) == 0)
			return i;
	return -1;
}

int
report_render(enum report_fmt fmt, const json_t *results,
    const struct report_opts *opts, struct buf *out, char **err)
{
	static const struct report_opts none;
	const struct report_backend *b = NULL;
	void *ctx;
	int rc;

	switch (fmt) {
	case REPORT_TEXT:
		b = &report_text;
		break;
	case REPORT_JSON:
		b = &report_json;
		break;
	case REPORT_CSV:
		b = &report_csv;
		break;
	case REPORT_HTML:
		b = &report_html;
		break;
	case REPORT_PDF:
		b = &report_pdf;
		break;
	case REPORT_DUMP:
		b = &report_dump;
		break;
	default:
		return err_set(err, "unknown report format %d", (int)fmt);
	}
	if ((ctx = b->alloc(opts ? opts : &none)) == NULL)
		return err_set(err, "%s: cannot set up the renderer", fmt_names[fmt]);
	rc = b->render(ctx, results, out, err);
	b->free(ctx);
	return rc;
}

char *
report_value_text(const json_t *v)
{
	struct buf b = { 0 };
	const json_t *e;
	size_t i;
	char *s;

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
