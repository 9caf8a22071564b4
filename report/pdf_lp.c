/* The PDF's "Least privilege" section and the summary's unused shares, drawn from report_lp_model. */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/layout.h"
#include "report/lpsec.h"

#define LP_INK		0x000000u
#define LP_GREY		0x666666u
#define LP_NE		0xD98200u	/* the report's NOT EVALUATED colour */
#define LP_TRACK	0xE3E6EBu
#define LP_USED		0x2E7D32u

/* Red-amber for NOT EVALUATED, grey for nothing to judge or not graded, ink for a share. */
static unsigned
lp_share_color(const json_t *share)
{
	if (jbool(share, "known", 0))
		return LP_INK;
	return strcmp(jstr(share, "text") ? jstr(share, "text") : "", "not evaluated") == 0 ?
	    LP_NE : LP_GREY;
}

/*
 * A share in words, with its note; caller frees.  The summary (brief) leaves
 * out why a share is unknown: the account's own report says it.
 */
static char *
lp_share_text(const json_t *share, int brief)
{
	const char *text = jstr(share, "text") ? jstr(share, "text") : "not graded";
	const char *note = brief ? NULL : jstr(share, "note");

	if (!jbool(share, "known", 0))
		return xasprintf("%s%s%s", strcmp(text, "not evaluated") == 0 ? "NOT EVALUATED" : text,
		    note ? ": " : "", note ? note : "");
	return jstr(share, "note") ? xasprintf("%s; %s", text, jstr(share, "note")) :
	    xstrdup(text);
}

/*
 * One principal: its name, a bar of used over granted services (the
 * track is what is granted), the words.  The name wraps, the bar does not.
 */
static void
lp_bar_row(struct lay *l, const json_t *row)
{
	const double namew = 190, barx = LAY_MARGIN_X + 196, barw = 150, barh = 9;
	double y, h, used;
	char *name;

	name = xasprintf("%s %s", jstr(row, "kind"), jstr(row, "name"));
	lay_need(l, 2 * lay_leading(LAY_CELL) + 4);
	y = lay_cursor(l);
	h = lay_text(l, LAY_CELL, LAY_MARGIN_X, y, namew, LAY_LEFT, LP_INK, name);
	used = jint(row, "granted", 0) > 0 ?
	    barw * (double)jint(row, "used", 0) / (double)jint(row, "granted", 0) : 0;
	lay_rect(l, barx, y + 2, barw, barh, LP_TRACK);
	if (used > 0)
		lay_rect(l, barx, y + 2, used, barh, LP_USED);
	lay_text(l, LAY_SMALL, barx + barw + 6, y, LAY_BODY_W - (barx - LAY_MARGIN_X) - barw - 6,
	    LAY_LEFT, LP_GREY, jstr(row, "words"));
	lay_advance(l, (h > barh + 4 ? h : barh + 4) + 3);
	free(name);
}

static void
lp_unused_table(struct lay *l, const json_t *m)
{
	static const struct lay_col cols[3] = {
		{ 255.28, LAY_CELL }, { 120, LAY_CELL }, { 120, LAY_CELL }
	};
	static const char *const head[3] = { "Role or user", "Created", "Last used" };
	const json_t *u;
	char *name;
	size_t i;

	json_array_foreach(json_object_get(m, "unused_notes"), i, u)
		lay_para(l, LAY_BODY, 0, LP_NE, json_string_value(u));
	if (json_array_size(json_object_get(m, "unused")) == 0) {
		lay_para(l, LAY_BODY, 0, LP_INK, "None unused within the period.");
		return;
	}
	lay_table_begin(l, cols, 3, head);
	json_array_foreach(json_object_get(m, "unused"), i, u) {
		name = xasprintf("%s %s\n%s", jstr(u, "kind"), jstr(u, "name"), jstr(u, "arn"));
		lay_table_row(l, (const char *const []){ name, jstr(u, "created"),
		    jstr(u, "last_used") }, NULL);
		free(name);
	}
	lay_table_end(l);
	if (jstr(m, "unused_more_words") != NULL)
		lay_para(l, LAY_SMALL, 0, LP_GREY, jstr(m, "unused_more_words"));
}

static void
lp_ne_table(struct lay *l, const json_t *m)
{
	static const struct lay_col cols[3] = {
		{ 200, LAY_CELL_MONO }, { 80, LAY_CELL }, { 215.28, LAY_CELL }
	};
	static const char *const head[3] = { "Principal", "Controls", "Why" };
	const json_t *u;
	size_t i;

	if (json_array_size(json_object_get(m, "not_evaluated")) == 0)
		return;
	lay_heading(l, LAY_H3, -1, "Not evaluated");
	lay_table_begin(l, cols, 3, head);
	json_array_foreach(json_object_get(m, "not_evaluated"), i, u)
		lay_table_row(l, (const char *const []){ jstr(u, "arn"), jstr(u, "controls"),
		    jstr(u, "reason") }, (const unsigned []){ LP_INK, LP_NE, LP_INK });
	lay_table_end(l);
	if (jstr(m, "ne_more_words") != NULL)
		lay_para(l, LAY_SMALL, 0, LP_GREY, jstr(m, "ne_more_words"));
}

void
pdf_lp_section(struct lay *l, const json_t *acct)
{
	static const struct lay_col kv[2] = {
		{ 150, LAY_CELL_BOLD }, { LAY_BODY_W - 150, LAY_CELL }
	};
	json_t *m = report_lp_model(acct, REPORT_LP_MAX_ROWS);
	const json_t *row;
	char *t, *r, *s;
	size_t i;

	if (m == NULL)
		return;
	lay_page_break(l);
	lay_heading(l, LAY_H1, 0, "Least privilege");
	t = xasprintf("Granted is what the policy engine finds the principal may do (policies, "
	    "groups, denies, boundary); used is IAM's service last accessed within the last %s. "
	    "Only roles and users older than that are judged.", jstr(m, "period_words"));
	lay_para(l, LAY_BODY, 0, LP_INK, t);
	free(t);
	lay_space(l, 4);
	r = lp_share_text(jpath(m, "shares.roles"), 0);
	s = lp_share_text(jpath(m, "shares.services"), 0);
	lay_table_begin(l, kv, 2, NULL);
	lay_table_row(l, (const char *const []){ "Unused roles", r },
	    (const unsigned []){ LP_INK, lp_share_color(jpath(m, "shares.roles")) });
	lay_table_row(l, (const char *const []){ "Unused granted services", s },
	    (const unsigned []){ LP_INK, lp_share_color(jpath(m, "shares.services")) });
	lay_table_end(l);
	free(r);
	free(s);

	lay_heading(l, LAY_H3, -1, "Services used of those granted");
	if (strcmp(jstr(m, "usage"), "not_evaluated") == 0) {
		t = xasprintf("LP-03 NOT EVALUATED: %s", jstr(m, "usage_reason") ?
		    jstr(m, "usage_reason") : "no reason given");
		lay_para(l, LAY_BODY, 0, LP_NE, t);
		free(t);
	} else if (strcmp(jstr(m, "usage"), "not_recorded") == 0)
		lay_para(l, LAY_BODY, 0, LP_GREY, "These results do not record services used "
		    "against granted per principal.");
	if (json_array_size(json_object_get(m, "rows")) == 0)
		lay_para(l, LAY_BODY, 0, LP_GREY, "No principal to show.");
	json_array_foreach(json_object_get(m, "rows"), i, row)
		lp_bar_row(l, row);
	if (jstr(m, "rows_more_words") != NULL)
		lay_para(l, LAY_SMALL, 0, LP_GREY, jstr(m, "rows_more_words"));

	lay_heading(l, LAY_H3, -1, "Unused roles and users");
	lp_unused_table(l, m);
	lp_ne_table(l, m);
	json_decref(m);
}

void
pdf_lp_summary(struct lay *l, const json_t *results, const json_t *model)
{
	static const struct lay_col cols[3] = {
		{ 165.28, LAY_CELL }, { 165, LAY_CELL }, { 165, LAY_CELL }
	};
	static const char *const head[3] = { "Account", "Unused roles", "Unused granted services" };
	const json_t *ma, *acct;
	json_t *sh;
	char *label, *r, *s;
	size_t i, n = 0;

	/* Results of an older iamgrade, without LP-01..04 anywhere: no table. */
	json_array_foreach(json_object_get(results, "accounts"), i, acct)
		if (report_lp_graded(acct))
			break;
	if (i == json_array_size(json_object_get(results, "accounts")))
		return;
	json_array_foreach(json_object_get(model, "accounts"), i, ma) {
		acct = json_array_get(json_object_get(results, "accounts"), (size_t)jint(ma, "index", 0));
		sh = report_lp_shares(acct);
		if (n++ == 0) {
			lay_heading(l, LAY_H1, 0, "Least privilege by account");
			lay_para(l, LAY_BODY, 0, LP_INK, "Per account, worst score first: the roles "
			    "not used within the tracking period (LP-01) and the granted services "
			    "not used (LP-03), as shares of what could be judged. NOT EVALUATED is "
			    "never counted as 0 %; each account's report says why.");
			lay_table_begin(l, cols, 3, head);
		}
		label = xasprintf("%s (%s)", jstr(ma, "alias") ? jstr(ma, "alias") :
		    jstr(ma, "name") ? jstr(ma, "name") : jstr(ma, "account_id"), jstr(ma, "account_id"));
		r = lp_share_text(json_object_get(sh, "roles"), 1);
		s = lp_share_text(json_object_get(sh, "services"), 1);
		lay_table_row(l, (const char *const []){ label, r, s }, (const unsigned []){ LP_INK,
		    lp_share_color(json_object_get(sh, "roles")),
		    lp_share_color(json_object_get(sh, "services")) });
		free(label);
		free(r);
		free(s);
		json_decref(sh);
	}
	if (n > 0)
		lay_table_end(l);
}
