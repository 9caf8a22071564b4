/*
 * The PDF's "Privileged access" section (report/privsec.h's model): tables
 * of administrators and of the callers of administrator roles, and each
 * escalation drawn as a chain of boxes joined by vector arrows, so that the
 * PDF shows what the HTML page shows.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/layout.h"
#include "report/privsec.h"

#define PS_INK		0x000000u
#define PS_GREY		0x666666u
#define PS_BOX_H	15.0	/* a node's box */
#define PS_ROW_GAP	6.0	/* between the rows of a wrapped chain */
#define PS_ARROW	22.0	/* the room an arrow takes between two boxes */
#define PS_PAD		5.0	/* text inside a box */
#define PS_BOX_MAXW	230.0	/* longer text is shortened (the table below it has it whole) */
#define PS_INDENT	12.0

/* Fill and edge of a node's box, by its class. */
static const struct {
	const char	*cls;
	unsigned	 fill, edge;
} ps_colors[] = {
	{ "principal",	0xE8EDF9u, 0x23408Eu },
	{ "method",	0xFFF1D1u, 0x8A5300u },
	{ "target",	0xFCE9E7u, 0xB3261Eu },
	{ "why",	0xFFFFFFu, 0xB3261Eu },
	{ NULL,		0xF5F7FAu, 0x5A6376u }
};

static size_t
ps_color(const char *cls)
{
	size_t i;

	for (i = 0; ps_colors[i].cls != NULL; i++)
		if (cls != NULL && strcmp(cls, ps_colors[i].cls) == 0)
			break;
	return i;
}

/* text, cut at a character boundary with an ellipsis until it fits w (a new string). */
static char *
ps_fit(struct lay *l, const char *text, double w)
{
	char *s = lay_clean(text), *t;
	size_t n = strlen(s);

	if (lay_width(l, LAY_SMALL, s) <= w)
		return s;
	for (;;) {
		/* One character off the end (back over its continuation bytes). */
		do
			n--;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80);
		t = xasprintf("%.*s\xe2\x80\xa6", (int)n, s);
		if (n == 0 || lay_width(l, LAY_SMALL, t) <= w) {
			free(s);
			return t;
		}
		free(t);
	}
}

/* A horizontal arrow from x0 to x1 at height y: a shaft and a two-stroke head. */
static void
ps_arrow(struct lay *l, double x0, double x1, double y)
{
	lay_rule(l, x0, y, x1 - x0, 0, PS_GREY);
	lay_rule(l, x1 - 4, y - 3, 4, 3, PS_GREY);
	lay_rule(l, x1 - 4, y + 3, 4, -3, PS_GREY);
}

static void
ps_box(struct lay *l, double x, double y, double w, size_t c, const char *text)
{
	lay_rect(l, x, y, w, PS_BOX_H, ps_colors[c].fill);
	lay_rule(l, x, y, w, 0, ps_colors[c].edge);
	lay_rule(l, x, y + PS_BOX_H, w, 0, ps_colors[c].edge);
	lay_rule(l, x, y, 0, PS_BOX_H, ps_colors[c].edge);
	lay_rule(l, x + w, y, 0, PS_BOX_H, ps_colors[c].edge);
	lay_text(l, LAY_SMALL, x + PS_PAD, y + 2.5, w - 2 * PS_PAD + 1, LAY_LEFT, PS_INK, text);
}

/*
 * One chain, principal -> method -> target: boxes left to right, a row
 * wrapping when the next box would pass the margin (its arrow then starts
 * the new row).  Laid out first, so that the whole chain stays on a page.
 */
static void
ps_chain(struct lay *l, const json_t *nodes)
{
	const double left = LAY_MARGIN_X + PS_INDENT, right = LAY_MARGIN_X + LAY_BODY_W;
	size_t i, n = json_array_size(nodes), rows = 1;
	double *x = xcalloc(n + 1, sizeof(*x)), *w = xcalloc(n + 1, sizeof(*w));
	size_t *row = xcalloc(n + 1, sizeof(*row));
	char **text = xcalloc(n + 1, sizeof(*text));
	double cx = left, y0;
	const json_t *nd;

	json_array_foreach(nodes, i, nd) {
		text[i] = ps_fit(l, jstr(nd, "text") ? jstr(nd, "text") : "?", PS_BOX_MAXW - 2 * PS_PAD);
		w[i] = lay_width(l, LAY_SMALL, text[i]) + 2 * PS_PAD;
		if (i > 0 && cx + PS_ARROW + w[i] > right) {
			rows++;
			cx = left;
		}
		x[i] = cx + (i > 0 ? PS_ARROW : 0);
		row[i] = rows - 1;
		cx = x[i] + w[i];
	}
	lay_need(l, rows * (PS_BOX_H + PS_ROW_GAP));
	y0 = lay_cursor(l);
	for (i = 0; i < n; i++) {
		double y = y0 + row[i] * (PS_BOX_H + PS_ROW_GAP);

		if (i > 0)
			ps_arrow(l, row[i] == row[i - 1] ? x[i - 1] + w[i - 1] + 2 : left - PS_INDENT + 2,
			    x[i] - 2, y + PS_BOX_H / 2);
		ps_box(l, x[i], y, w[i], ps_color(jstr(json_array_get(nodes, i), "cls")), text[i]);
		free(text[i]);
	}
	lay_advance(l, rows * (PS_BOX_H + PS_ROW_GAP));
	free(x);
	free(w);
	free(row);
	free(text);
}

static void
ps_more(struct lay *l, const json_t *m, const char *key)
{
	if (jstr(m, key) != NULL)
		lay_para(l, LAY_BOLD, 0, PS_GREY, jstr(m, key));
}

/* "user carol\narn:..." for a table cell (a new string). */
static char *
ps_who(const json_t *r, const char *kind, const char *name, const char *arn, int admin)
{
	return xasprintf("%s %s%s\n%s", jstr(r, kind) ? jstr(r, kind) : "", jstr(r, name) ?
	    jstr(r, name) : "?", admin ? " (an administrator itself)" : "", jstr(r, arn) ?
	    jstr(r, arn) : "");
}

static void
ps_admins(struct lay *l, const json_t *m)
{
	static const struct lay_col cols[3] = {
		{ 190, LAY_CELL }, { 150, LAY_CELL }, { 155.28, LAY_CELL }
	};
	static const char *const head[3] = { "Principal", "Granted by", "Note" };
	const json_t *r;
	size_t i;
	char *who;

	lay_heading(l, LAY_H3, 1, "Administrator-equivalent principals");
	if (jstr(m, "admins_none") != NULL)
		lay_para(l, LAY_BODY, 0, PS_INK, jstr(m, "admins_none"));
	if (json_array_size(json_object_get(m, "admins")) == 0)
		return;
	lay_table_begin(l, cols, 3, head);
	json_array_foreach(json_object_get(m, "admins"), i, r) {
		who = ps_who(r, "kind", "name", "arn", 0);
		lay_table_row(l, (const char *const []){ who, jstr(r, "granted_by"), jstr(r, "note") },
		    NULL);
		free(who);
	}
	lay_table_end(l);
	ps_more(l, m, "admins_more");
}

static void
ps_escalations(struct lay *l, const json_t *m)
{
	const json_t *e, *c;
	size_t i, k;
	char *t;

	lay_heading(l, LAY_H3, 1, "Who can escalate, and how");
	if (jstr(m, "escalations_none") != NULL)
		lay_para(l, LAY_BODY, 0, PS_INK, jstr(m, "escalations_none"));
	json_array_foreach(json_object_get(m, "escalations"), i, e) {
		lay_space(l, 4);
		lay_need(l, 60);
		t = xasprintf("%s %s", jstr(e, "kind") ? jstr(e, "kind") : "", jstr(e, "name") ?
		    jstr(e, "name") : "?");
		lay_para(l, LAY_BOLD, 0, PS_INK, t);
		free(t);
		lay_para(l, LAY_SMALL, 0, PS_GREY, jstr(e, "arn") ? jstr(e, "arn") : "");
		lay_para(l, LAY_BODY, 0, PS_INK, jstr(e, "how") ? jstr(e, "how") : "");
		lay_space(l, 3);
		json_array_foreach(json_object_get(e, "chains"), k, c)
			ps_chain(l, json_object_get(c, "nodes"));
		t = xasprintf("Granted by: %s", jstr(e, "granted_by") ? jstr(e, "granted_by") : "?");
		lay_para(l, LAY_SMALL, PS_INDENT, PS_INK, t);
		free(t);
	}
	ps_more(l, m, "escalations_more");
}

static void
ps_callers(struct lay *l, const json_t *m)
{
	static const struct lay_col cols[3] = {
		{ 120, LAY_CELL }, { 185, LAY_CELL }, { 190.28, LAY_CELL }
	};
	static const char *const head[3] = { "Administrator role", "May be assumed by", "Admitted by" };
	const json_t *r;
	char *role, *who;
	size_t i;

	lay_heading(l, LAY_H3, 1, "Who may assume an administrator role");
	if (jstr(m, "callers_none") != NULL)
		lay_para(l, LAY_BODY, 0, PS_INK, jstr(m, "callers_none"));
	if (json_array_size(json_object_get(m, "callers")) > 0) {
		lay_table_begin(l, cols, 3, head);
		json_array_foreach(json_object_get(m, "callers"), i, r) {
			role = xasprintf("%s\n%s", jstr(r, "role_name"), jstr(r, "role"));
			who = ps_who(r, "kind", "name", "arn", jbool(r, "admin", 0));
			lay_table_row(l, (const char *const []){ role, who, jstr(r, "granted_by") }, NULL);
			free(role);
			free(who);
		}
		lay_table_end(l);
		ps_more(l, m, "callers_more");
	}
	lay_para(l, LAY_SMALL, 0, PS_GREY, "Only direct callers are listed here; a way through "
	    "roles that are not administrators is an escalation above.");
}

static void
ps_not_judged(struct lay *l, const json_t *m)
{
	static const struct lay_col cols[2] = { { 220, LAY_CELL }, { 275.28, LAY_CELL } };
	static const char *const head[2] = { "Principal", "Why it could not be judged" };
	const json_t *r;
	size_t i;
	char *who;

	if (json_array_size(json_object_get(m, "not_judged")) == 0)
		return;
	lay_heading(l, LAY_H3, 1, "Could not be judged");
	lay_table_begin(l, cols, 2, head);
	json_array_foreach(json_object_get(m, "not_judged"), i, r) {
		who = ps_who(r, "kind", "name", "arn", 0);
		lay_table_row(l, (const char *const []){ who, jstr(r, "reason") }, NULL);
		free(who);
	}
	lay_table_end(l);
	ps_more(l, m, "not_judged_more");
}

void
pdf_privsec(struct lay *l, const json_t *m)
{
	if (m == NULL)
		return;
	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Privileged access");
	lay_para(l, LAY_BODY, 0, PS_INK, jstr(m, "summary") ? jstr(m, "summary") : "");
	if (jstr(m, "note") != NULL)
		lay_para(l, LAY_BOLD, 0, 0x8A5300u, jstr(m, "note"));
	if (jbool(m, "not_evaluated", 0))
		return;
	ps_admins(l, m);
	ps_escalations(l, m);
	if (jbool(m, "callers_known", 0))
		ps_callers(l, m);
	ps_not_judged(l, m);
}
