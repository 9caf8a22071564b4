/*
 * The text backend: a readable summary per account for a terminal.  Score,
 * grade and coverage, then the controls by family with their status, the
 * findings of failures and the reason of what could not be graded.  Text
 * from AWS passes through str_show_invisible (bidi controls and zero-width
 * characters shown by name) and str_sanitize_term (no escape sequences reach
 * the terminal) and has its line breaks folded; colour only when opts->color.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/backend.h"

struct txt {
	int	 color;
};

static void *
txt_alloc(const struct report_opts *opts)
{
	struct txt *t = xcalloc(1, sizeof(*t));

	t->color = opts->color;
	return t;
}

/* Untrusted text on one line: control characters dropped, breaks folded. */
static void
txt_put(struct buf *out, const char *s)
{
	char *c, *p;

	if (s == NULL)
		return;
	c = str_sanitize_term(str_show_invisible(s));
	for (p = c; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	buf_adds(out, c);
	free(c);
}

static const char *
txt_color(const char *status)
{
	if (strcmp(status, "PASS") == 0)
		return "\033[32m";
	if (strcmp(status, "FAIL") == 0)
		return "\033[1;31m";
	if (strcmp(status, "NOT_EVALUATED") == 0)
		return "\033[33m";
	return "\033[2m";
}

/*
 * The status column is as wide as the longest status name, and a space
 * always follows it: NOT_APPLICABLE once ran into the id after it.
 */
#define TXT_STATUS_WIDTH	((int)sizeof("NOT_APPLICABLE") - 1)

static void
txt_status(const struct txt *t, struct buf *out, const char *status)
{
	if (t->color)
		buf_adds(out, txt_color(status));
	buf_printf(out, "%-*s", TXT_STATUS_WIDTH, status);
	if (t->color)
		buf_adds(out, "\033[0m");
	buf_adds(out, " ");
}

static void
txt_header(struct buf *out, const json_t *a)
{
	const json_t *counts = json_object_get(a, "counts");
	const json_t *col = json_object_get(a, "collection"), *p;
	size_t i;

	txt_put(out, jstr(a, "account_id"));
	if (jstr(a, "alias") != NULL) {
		buf_adds(out, "  ");
		txt_put(out, jstr(a, "alias"));
	}
	if (jstr(a, "name") != NULL) {
		buf_adds(out, " (");
		txt_put(out, jstr(a, "name"));
		buf_adds(out, ")");
	}
	buf_adds(out, "\n");
	if (json_is_integer(json_object_get(a, "score")))
		buf_printf(out, "  score %lld, grade %s", jint(a, "score", 0), jstr(a, "grade"));
	else
		buf_adds(out, "  no score (nothing could be evaluated)");
	/* With accepted risks, both scores side by side. */
	if (json_is_integer(json_object_get(a, "score_without_exceptions")))
		buf_printf(out, " (without exceptions: %lld, %s)",
		    jint(a, "score_without_exceptions", 0), jstr(a, "grade_without_exceptions"));
	if (json_object_get(counts, "ACCEPTED") != NULL)
		buf_printf(out, ", %lld ACCEPTED", jint(counts, "ACCEPTED", 0));
	buf_printf(out, ", coverage %lld/%lld;  %lld PASS, %lld FAIL, %lld NOT_EVALUATED, "
	    "%lld NOT_APPLICABLE\n",
	    jint(json_object_get(a, "coverage"), "evaluated", 0),
	    jint(json_object_get(a, "coverage"), "total", 0),
	    jint(counts, "PASS", 0), jint(counts, "FAIL", 0),
	    jint(counts, "NOT_EVALUATED", 0), jint(counts, "NOT_APPLICABLE", 0));
	buf_adds(out, "  collected ");
	txt_put(out, jstr(col, "started"));
	buf_adds(out, ", snapshot ");
	txt_put(out, jstr(json_object_get(a, "snapshot"), "file"));
	buf_adds(out, " sha256 ");
	txt_put(out, jstr(json_object_get(a, "snapshot"), "sha256"));
	buf_adds(out, "\n");
	if (!jbool(col, "complete", 1)) {
		buf_adds(out, "  collection incomplete:\n");
		json_array_foreach(json_object_get(col, "problems"), i, p) {
			buf_adds(out, "    ");
			txt_put(out, json_string_value(p));
			buf_adds(out, "\n");
		}
	}
}

static void
txt_control(const struct txt *t, struct buf *out, const json_t *c)
{
	const json_t *f, *n;
	const char *name, *st = jstr(c, "status");
	size_t i;

	buf_adds(out, "    ");
	txt_status(t, out, st);
	buf_printf(out, "%-9s %-9s ", jstr(c, "id"), jstr(c, "severity"));
	txt_put(out, jstr(c, "title"));
	buf_adds(out, "\n");
	if (jstr(c, "reason") != NULL) {
		buf_adds(out, "        ");
		txt_put(out, jstr(c, "reason"));
		buf_adds(out, "\n");
	}
	json_array_foreach(json_object_get(c, "findings"), i, f) {
		name = jstr(f, "resource_name") ? jstr(f, "resource_name") : jstr(f, "resource");
		buf_adds(out, "        - ");
		txt_put(out, name);
		buf_adds(out, ": ");
		txt_put(out, jstr(f, "reason"));
		if (jstr(f, "severity") && strcmp(jstr(f, "severity"), jstr(c, "severity")) != 0)
			buf_printf(out, " [%s]", jstr(f, "severity"));
		if ((n = json_object_get(f, "accepted")) != NULL) {
			buf_adds(out, "\n          accepted until ");
			txt_put(out, jstr(n, "expires"));
			buf_adds(out, " by ");
			txt_put(out, jstr(n, "approved_by"));
			buf_adds(out, ": ");
			txt_put(out, jstr(n, "justification"));
		}
		buf_adds(out, "\n");
	}
	json_array_foreach(json_object_get(c, "unevaluated"), i, n) {
		buf_adds(out, "        not evaluated: ");
		txt_put(out, jstr(n, "reason"));
		buf_adds(out, "\n");
	}
	json_array_foreach(json_object_get(c, "notes"), i, n) {
		buf_adds(out, "        note: ");
		txt_put(out, jstr(n, "note"));
		buf_adds(out, "\n");
	}
}

static void
txt_account(const struct txt *t, struct buf *out, const json_t *families, const json_t *a)
{
	const json_t *fam, *c;
	size_t i, j;

	txt_header(out, a);
	json_array_foreach(families, i, fam) {
		buf_adds(out, "\n  ");
		txt_put(out, jstr(fam, "title"));
		buf_adds(out, "\n");
		json_array_foreach(json_object_get(a, "controls"), j, c)
			if (jstr(c, "family") && jstr(fam, "id") &&
			    strcmp(jstr(c, "family"), jstr(fam, "id")) == 0)
				txt_control(t, out, c);
	}
}

static void
txt_summary(struct buf *out, const json_t *accts)
{
	const json_t *a;
	char score[24];
	size_t i;

	buf_printf(out, "\n%zu accounts\n", json_array_size(accts));
	json_array_foreach(accts, i, a) {
		if (json_is_integer(json_object_get(a, "score")))
			snprintf(score, sizeof(score), "%lld", jint(a, "score", 0));
		else
			snprintf(score, sizeof(score), "-");
		buf_adds(out, "  ");
		txt_put(out, jstr(a, "account_id"));
		buf_printf(out, "  score %-4s grade %-2s FAIL %-3lld NOT_EVALUATED %-3lld ", score,
		    jstr(a, "grade") ? jstr(a, "grade") : "-",
		    jint(json_object_get(a, "counts"), "FAIL", 0),
		    jint(json_object_get(a, "counts"), "NOT_EVALUATED", 0));
		txt_put(out, jstr(a, "alias"));
		buf_adds(out, "\n");
	}
}

/* The exceptions file: what is in force, what expired, what matched nothing. */
static void
txt_exceptions(struct buf *out, const json_t *x)
{
	static const char *const lists[] = { "in_force", "expired", "unused" };
	static const char *const titles[] = { "in force", "expired", "unused (match no finding)" };
	const json_t *e;
	size_t i, k;

	buf_adds(out, "\nAccepted risks (");
	txt_put(out, jstr(x, "file"));
	buf_adds(out, ")\n");
	for (k = 0; k < 3; k++) {
		buf_printf(out, "  %s: %zu\n", titles[k], json_array_size(json_object_get(x, lists[k])));
		json_array_foreach(json_object_get(x, lists[k]), i, e) {
			buf_printf(out, "    line %lld  ", jint(e, "line", 0));
			txt_put(out, jstr(e, "control"));
			buf_adds(out, "  account ");
			txt_put(out, jstr(e, "account"));
			buf_adds(out, "  resource ");
			txt_put(out, jstr(e, "resource"));
			buf_adds(out, "  approved by ");
			txt_put(out, jstr(e, "approved_by"));
			if (k == 1) {
				buf_adds(out, "  expired on ");
				txt_put(out, jstr(e, "expired_on"));
			} else
				buf_printf(out, "  expires %s (%lld days)", jstr(e, "expires"),
				    jint(e, "days_to_expiry", 0));
			buf_adds(out, "\n");
		}
	}
}

static int
txt_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	const struct txt *t = ctx;
	const json_t *accts = json_object_get(results, "accounts"), *a;
	struct buf b = { 0 };	/* uncapped; copied to out in one piece */
	size_t i;
	int ok;

	json_array_foreach(accts, i, a) {
		if (i > 0)
			buf_adds(&b, "\n");
		txt_account(t, &b, json_object_get(results, "families"), a);
	}
	if (json_array_size(accts) > 1)
		txt_summary(&b, accts);
	if (json_array_size(accts) == 0)
		buf_adds(&b, "no account graded\n");
	if (json_object_get(results, "exceptions") != NULL)
		txt_exceptions(&b, json_object_get(results, "exceptions"));
	ok = buf_add(out, b.p, b.len);
	buf_free(&b);
	return ok ? 1 : err_set(err, "text: the results do not fit the output buffer");
}

static void
txt_free(void *ctx)
{
	free(ctx);
}

const struct report_backend report_text = { txt_alloc, txt_render, txt_free };
