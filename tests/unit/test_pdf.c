/* Unit tests of the PDF layout (report/layout.c) and the PDF and dump backends (report/pdf.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/layout.h"
#include "report/backend.h"	/* white-box: the backends themselves */
#include "tests/unit/t.h"

#define FIXTURES "tests/report/fixtures/"

static json_t *
load(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (j == NULL)
		printf("     cannot load %s: %s\n", path, je.text);
	return j;
}

/* Render with one backend; returns the output (caller frees) or NULL. */
static char *
render(const struct report_backend *b, const json_t *results,
    const struct report_opts *o, size_t *len, char **err)
{
	static const struct report_opts none;
	struct buf out = { 0 };
	void *ctx = b->alloc(o ? o : &none);
	int ok = b->render(ctx, results, &out, err);

	b->free(ctx);
	if (!ok) {
		buf_free(&out);
		return NULL;
	}
	if (len != NULL)
		*len = out.len;
	return buf_steal(&out);
}

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p) {
		if (*p < 0x80)
			n = 0;
		else if ((*p & 0xE0) == 0xC0)
			n = 1;
		else if ((*p & 0xF0) == 0xE0)
			n = 2;
		else if ((*p & 0xF8) == 0xF0)
			n = 3;
		else
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void
t_clean(void)
{
	char *s;

	/*
	 * ESC, BEL and DEL go; a C1 CSI, a bidi override and a zero-width
	 * space are shown by name (issue 12: never applied, never hidden).
	 */
	s = lay_clean("a\x1b[31mb\x07\x7f" "c\xc2\x9b" "d\xe2\x80\xae" "e\xe2\x80\x8b" "f");
	T_STREQ(s, "a[31mbc<U+009B>d<U+202E>e<U+200B>f");
	free(s);
	/* Newlines survive in every spelling; a tab becomes spaces. */
	s = lay_clean("1\r\n2\r3\xc2\x85" "4\xe2\x80\xa8" "5\t6");
	T_STREQ(s, "1\n2\n3\n4\n5    6");
	free(s);
	/* Broken UTF-8, overlongs, surrogates and non-BMP become U+FFFD. */
	s = lay_clean("x\xff" "y\xc0\xaf" "z\xed\xa0\x80" "w\xf0\x9f\x99\x82");
	T_STREQ(s, "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbdw\xef\xbf\xbd");
	T(utf8_valid(s), "not UTF-8");
	free(s);
	s = lay_clean("中文 العربية <script>&amp;]]>");
	T_STREQ(s, "中文 العربية <script>&amp;]]>");
	free(s);
	s = lay_clean(NULL);
	T_STREQ(s, "");
	free(s);
}

/*
 * Long words break anywhere, never inside a UTF-8 character, and nothing
 * is lost: the lines of a cell put back together give the text again.
 */
static void
t_wrap(void)
{
	static const struct lay_col cols[2] = {
		{ 60, LAY_CELL }, { 80, LAY_CELL_MONO }
	};
	struct buf text = { 0 }, joined = { 0 };
	struct lay *l;
	char *err = NULL, *dump, *line, *save = NULL, *p;
	struct buf out = { 0 };
	int i, in_cell = 0;

	for (i = 0; i < 40; i++)
		buf_adds(&text, "arn:aws:iam::123456789012:role/é中文العربية-");
	T((l = lay_new(NULL, &err)) != NULL, "lay_new: %s", err);
	if (l == NULL)
		goto out;
	lay_table_begin(l, cols, 2, NULL);
	lay_table_row(l, (const char *const []){ "x", text.p }, NULL);
	lay_table_end(l);
	lay_finish(l, "footer");
	T(lay_dump(l, &out, &err), "dump: %s", err);
	dump = out.p;
	T(strstr(dump, "--- overflow ---\nnone\n") != NULL, "overflow:\n%s",
	    strstr(dump, "--- overflow ---"));
	T(lay_npages(l) > 1, "%zu pages: the row should continue", lay_npages(l));
	buf_add(&joined, "", 0);
	for (line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "text cell-mono", 14) == 0) {
			in_cell = 1;
			continue;
		}
		if (strncmp(line, "  | ", 4) != 0) {
			in_cell = 0;
			continue;
		}
		T(utf8_valid(line), "line is not UTF-8: %s", line);
		if (in_cell)
			buf_adds(&joined, line + 4);
	}
	p = joined.p;
	T(p != NULL && strcmp(p, text.p) == 0, "cell text lost or changed");
out:
	lay_free(l);
	buf_free(&text);
	buf_free(&joined);
	buf_free(&out);
	free(err);
}

static void
t_dump_sample(void)
{
	json_t *r = load(FIXTURES "sample.results.json");
	char *err = NULL, *d = NULL, *p;
	const json_t *c;
	size_t i;

	T(r != NULL, "fixture");
	if (r == NULL)
		return;
	d = render(&report_dump, r, NULL, NULL, &err);
	T(d != NULL, "render: %s", err);
	if (d == NULL)
		goto out;
	T(strstr(d, "--- page 1 of ") != NULL, "no page header");
	T(strstr(d, "  | Page 1 of ") != NULL, "no footer");
	T(strstr(d, "created: 2026-11-27T10:00:09Z\n") != NULL, "creation date");
	T(strstr(d, "--- overflow ---\nnone\n") != NULL, "overflow: %s",
	    strstr(d, "--- overflow ---"));
	/* Every failing control has a bookmark; no other control does. */
	p = strstr(d, "--- outline ---");
	json_array_foreach(json_object_get(json_array_get(
	    json_object_get(r, "accounts"), 0), "controls"), i, c) {
		char *want = xasprintf("\n  %s  ", jstr(c, "id"));

		if (strcmp(jstr(c, "status"), "FAIL") == 0)
			T(p && strstr(p, want), "no bookmark for %s", jstr(c, "id"));
		else
			T(p && !strstr(p, want), "bookmark for %s", jstr(c, "id"));
		free(want);
	}
out:
	free(d);
	free(err);
	json_decref(r);
}

static void
t_pdf_deterministic(void)
{
	json_t *r = load(FIXTURES "hostile.results.json");
	char *err = NULL, *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;

	if (r == NULL)
		return;
	a = render(&report_pdf, r, NULL, &la, &err);
	T(a != NULL, "render: %s", err);
	b = render(&report_pdf, r, NULL, &lb, &err);
	T(b != NULL, "render: %s", err);
	if (a == NULL || b == NULL)
		goto out;
	T(la > 1000 && memcmp(a, "%PDF-1.", 7) == 0, "not a PDF");
	T(la == lb && memcmp(a, b, la) == 0, "two renders differ (%zu, %zu bytes)",
	    la, lb);
	T(memmem(a, la, "D:20261126100005Z", 17) != NULL,
	    "creation date is not the results' generated_at");
	T(memmem(a, la, "/ID", 3) == NULL, "a document ID appeared");
out:
	free(a);
	free(b);
	free(err);
	json_decref(r);
}

static void
t_bad_input(void)
{
	char *err = NULL, *d;
	json_t *r;

	r = json_pack("{s:s, s:[]}", "schema", "iamgrade.results/1", "accounts");
	d = render(&report_pdf, r, NULL, NULL, &err);
	T(d == NULL && err != NULL, "empty results rendered");
	free(d);
	json_decref(r);
	free(err);
	err = NULL;
	r = json_pack("{s:s, s:[]}", "schema", "something/9", "accounts");
	d = render(&report_dump, r, NULL, NULL, &err);
	T(d == NULL && err != NULL && strstr(err, "schema"), "unknown schema: %s",
	    err ? err : "(no error)");
	free(d);
	json_decref(r);
	free(err);
}

/*
 * Members of unexpected types (the renderers trust only what
 * compare_validate checks) render as text or not at all, never crash.
 */
static void
t_odd_types(void)
{
	json_t *r = load(FIXTURES "sample.results.json"), *a, *c, *e;
	struct report_opts o = { 0 };
	char *err = NULL, *d = NULL;
	size_t i;

	if (r == NULL)
		return;
	json_object_set_new(r, "thresholds", json_pack("[i]", 1));
	json_object_set_new(r, "tool", json_string("not an object"));
	a = json_array_get(json_object_get(r, "accounts"), 0);
	json_object_set_new(a, "alias", json_integer(7));
	json_object_set_new(a, "collection", json_null());
	json_object_set_new(a, "coverage", json_pack("{s:s}", "total", "x"));
	json_array_foreach(json_object_get(a, "controls"), i, c) {
		switch (i % 4) {
		case 0:
			json_object_set_new(c, "title", json_integer(5));
			json_array_append_new(json_object_get(c, "findings"),
			    json_integer(3));
			break;
		case 1:
			json_object_set_new(c, "remediation", json_pack("{s:[i,n],s:i,s:{}}",
			    "console", 1, "cli", 2, "python"));
			json_object_set_new(c, "sources", json_pack("[i]", 3));
			break;
		case 2:
			json_array_append_new(json_object_get(c, "findings"),
			    json_pack("{s:[i,{s:[]}],s:n}", "evidence", 1, "a",
			    "resource"));
			break;
		default:
			json_object_set_new(c, "reason", json_object());
			json_object_set_new(c, "severity", json_null());
		}
	}
	e = json_object_get(a, "create_role_events");
	json_array_append_new(e, json_integer(7));
	json_array_append_new(e, json_pack("{s:s,s:s}", "trust_policy", "not json {",
	    "role_name", "\x1b[2J"));
	d = render(&report_dump, r, NULL, NULL, &err);
	T(d != NULL, "dump: %s", err);
	T(d == NULL || strstr(d, "--- overflow ---\nnone\n"), "overflow");
	T(d == NULL || strchr(d, '\x1b') == NULL, "ESC reached the layout");
	free(d);
	o.summary = 1;
	d = render(&report_pdf, r, &o, NULL, &err);
	T(d != NULL, "pdf: %s", err);
	free(d);
	free(err);
	json_decref(r);
}

/* The comparison: several accounts, a baseline, the matrix. */
static void
t_comparison(void)
{
	json_t *r = load(FIXTURES "multi.results.json");
	json_t *bl = load(FIXTURES "baseline.results.json");
	struct report_opts o = { 0 };
	char *err = NULL, *d = NULL;

	if (r == NULL || bl == NULL)
		goto out;
	o.baseline = bl;
	o.summary = 1;
	d = render(&report_dump, r, &o, NULL, &err);
	T(d != NULL, "render: %s", err);
	if (d == NULL)
		goto out;
	T(strstr(d, "title: IAM comparison report: 4 accounts\n") != NULL, "title");
	T(strstr(d, "\nControl matrix -> page ") != NULL, "no matrix bookmark");
	T(strstr(d, "\nChanges since the baseline -> page ") != NULL,
	    "no baseline section");
	T(strstr(d, "  | new finding\n") != NULL, "no new finding listed");
	T(strstr(d, "--- overflow ---\nnone\n") != NULL, "overflow");
	free(d);
	/* Without summary: every account in full, each a top-level bookmark. */
	o.summary = 0;
	d = render(&report_dump, r, &o, NULL, &err);
	T(d != NULL, "render: %s", err);
	if (d == NULL)
		goto out;
	T(strstr(d, "title: IAM compliance report: 4 accounts\n") != NULL, "title");
	T(strstr(d, "\nacme-dev (222222222222) -> page ") != NULL, "account bookmark");
	T(strstr(d, "\n  Executive summary -> page ") != NULL, "nested section");
	T(strstr(d, "\n    USER-01  ") != NULL, "nested control");
	T(strstr(d, "  | iamgrade | acme-sandbox (333333333333) | ") != NULL,
	    "footer naming the account");
out:
	free(d);
	free(err);
	json_decref(r);
	json_decref(bl);
}

/*
 * lay_toc: the lines reserved are filled, once the layout is finished, with
 * the bookmarks made after it (level <= maxlevel, the first n), each with the
 * page its heading landed on.  Cases: the reservation, and the contents the
 * first page must show ("title|page" lines, in order).
 */
static void
t_toc(void)
{
	static const struct {
		int		 maxlevel;
		size_t		 n;
		const char	*want;
	} cases[] = {
		{ 0, 4, "First|1\nSecond|2\nThird|3\n" },
		{ 1, 8, "First|1\nInner|2\nSecond|2\nThird|3\n" },
		{ 1, 2, "First|1\nInner|2\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = { 0 }, got = { 0 };
		struct lay *l;
		char *err = NULL, *line, *save = NULL, *page = NULL, *end;
		int take = 0;

		if ((l = lay_new(NULL, &err)) == NULL) {
			T(0, "lay_new: %s", err);
			free(err);
			return;
		}
		lay_heading(l, LAY_H1, 0, "Before");	/* made before the contents: not listed */
		lay_toc(l, cases[i].maxlevel, cases[i].n);
		lay_heading(l, LAY_H1, 0, "First");
		lay_page_break(l);
		lay_heading(l, LAY_H2, 1, "Inner");
		lay_heading(l, LAY_H1, 0, "Second");
		lay_page_break(l);
		lay_heading(l, LAY_H1, 0, "Third");
		lay_finish(l, NULL);
		T(lay_dump(l, &out, &err), "dump: %s", err);
		/* Page 1's body-style lines: a number (flush right), then its title. */
		if (out.p != NULL && (end = strstr(out.p, "--- page 2")) != NULL)
			*end = '\0';
		buf_add(&got, "", 0);
		for (line = strtok_r(out.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "text body ", 10) == 0) {
				take = strncmp(line, "text body right", 15) == 0 ? 1 : 2;
				continue;
			}
			if (strncmp(line, "  | ", 4) == 0 && take == 1)
				page = line + 4;
			else if (strncmp(line, "  | ", 4) == 0 && take == 2 && page != NULL)
				buf_printf(&got, "%s|%s\n", line + 4, page);
			take = 0;
		}
		T(strcmp(got.p, cases[i].want) == 0, "case %zu: contents\n%s\nwant\n%s", i, got.p,
		    cases[i].want);
		lay_free(l);
		buf_free(&out);
		buf_free(&got);
		free(err);
	}
}

int
main(void)
{
	RUN(t_clean);
	RUN(t_wrap);
	RUN(t_dump_sample);
	RUN(t_pdf_deterministic);
	RUN(t_bad_input);
	RUN(t_odd_types);
	RUN(t_comparison);
	RUN(t_toc);
	return t_done();
}
