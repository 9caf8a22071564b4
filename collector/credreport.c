/* The IAM credential report's CSV, parsed with libcsv and mapped by header name. */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "common/common.h"
#include "collector/credreport.h"

/* Columns without which no row can be attributed to anyone. */
static const char *const credreport_required[] = { "user", "arn", NULL };

struct crp {
	json_t	*columns;	/* header names, in order */
	json_t	*rows;
	json_t	*cur;		/* fields of the record being read (strings) */
	size_t	 record;	/* 1 = the header */
	char	*err;		/* first problem; later callbacks do nothing */
};

/* libcsv trims spaces from unquoted fields by default; values stay verbatim. */
static int
crp_no_space(unsigned char c)
{
	return 0;
}

static void
crp_field(void *s, size_t len, void *arg)
{
	struct crp *p = arg;
	json_t *v;

	if (p->err != NULL)
		return;
	if ((v = json_stringn(s ? s : "", s ? len : 0)) == NULL) {
		err_set(&p->err, "record %zu, field %zu: not UTF-8",
		    p->record + 1, json_array_size(p->cur) + 1);
		return;
	}
	json_array_append_new(p->cur, v);
}

static void
crp_header(struct crp *p)
{
	const char *const *req;
	json_t *seen = json_object(), *v;
	size_t i;

	json_array_foreach(p->cur, i, v) {
		const char *name = json_string_value(v);

		if (json_object_get(seen, name) != NULL) {
			err_set(&p->err, "header: column \"%s\" appears twice", name);
			goto out;
		}
		json_object_set_new(seen, name, json_true());
	}
	for (req = credreport_required; *req != NULL; req++)
		if (json_object_get(seen, *req) == NULL) {
			err_set(&p->err, "header: required column \"%s\" is missing", *req);
			goto out;
		}
	p->columns = json_incref(p->cur);
out:
	json_decref(seen);
}

static void
crp_record(int c, void *arg)
{
	struct crp *p = arg;
	json_t *row, *v;
	size_t i;

	if (p->err != NULL)
		return;
	p->record++;
	if (p->record == 1)
		crp_header(p);
	else if (json_array_size(p->cur) != json_array_size(p->columns))
		err_set(&p->err, "record %zu has %zu fields, the header has %zu",
		    p->record, json_array_size(p->cur), json_array_size(p->columns));
	else {
		row = json_object();
		json_array_foreach(p->columns, i, v)
			json_object_set(row, json_string_value(v), json_array_get(p->cur, i));
		json_array_append_new(p->rows, row);
	}
	json_decref(p->cur);
	p->cur = json_array();
}

json_t *
credreport_parse(const char *csv, size_t len, char **err)
{
	struct csv_parser cp;
	struct crp p = { NULL, NULL, NULL, 0, NULL };
	json_t *out = NULL;
	int inited = 0;

	/* A byte-order mark would otherwise become part of the first name. */
	if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0) {
		csv += 3;
		len -= 3;
	}
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		err_set(err, "credential report: cannot start the CSV parser");
		goto out;
	}
	inited = 1;
	csv_set_space_func(&cp, crp_no_space);
	p.rows = json_array();
	p.cur = json_array();
	if (csv_parse(&cp, csv, len, crp_field, crp_record, &p) != len ||
	    csv_fini(&cp, crp_field, crp_record, &p) != 0) {
		err_set(err, "credential report: not valid CSV after record %zu: %s",
		    p.record, csv_strerror(csv_error(&cp)));
		goto out;
	}
	if (p.err != NULL) {
		err_set(err, "credential report: %s", p.err);
		goto out;
	}
	if (p.columns == NULL) {
		err_set(err, "credential report: empty (no header line)");
		goto out;
	}
	out = json_pack("{s:O, s:O}", "columns", p.columns, "rows", p.rows);
out:
	if (inited)
		csv_free(&cp);
	json_decref(p.columns);
	json_decref(p.rows);
	json_decref(p.cur);
	free(p.err);
	return out;
}
