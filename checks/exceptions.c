/*
 * Accepted risks: the exceptions file (CSV) and how its rows turn findings
 * into accepted ones (README "Accepted risks").  A post-pass over a results
 * document, so grading itself never knows about exceptions and the score
 * without them is the one grading gave.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/catalogue.h"
#include "checks/grade.h"

/* The columns, in this order: the file is a contract with the people who write it. */
enum xcol { X_CONTROL, X_ACCOUNT, X_RESOURCE, X_JUSTIFICATION, X_APPROVED_BY, X_EXPIRES, X__MAX };
static const char *const xcol_names[X__MAX] = {
	"control", "account", "resource", "justification", "approved_by", "expires"
};

/* An exceptions file larger than this is not a list people keep by hand. */
#define X_FILE_MAX	(16u << 20)

struct xparse {
	const char		*path;
	size_t			 line;		/* physical line being fed */
	size_t			 start;		/* line the current record began on */
	size_t			 field;
	char			*vals[X__MAX];
	int			 header_done;
	struct check_exceptions	*out;
	char			*err;
};

void
check_exceptions_free(struct check_exceptions *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		free(x->v[i].control);
		free(x->v[i].account);
		free(x->v[i].resource);
		free(x->v[i].justification);
		free(x->v[i].approved_by);
	}
	free(x->v);
	free(x->file);
	memset(x, 0, sizeof(*x));
}

static void
x_field(void *s, size_t len, void *arg)
{
	struct xparse *p = arg;

	(void)len;
	if (p->field < X__MAX) {
		free(p->vals[p->field]);
		p->vals[p->field] = xstrdup(str_trim(s ? (char *)s : (char *)""));
	}
	p->field++;
}

/* "YYYY-MM-DD", a real date, into 00:00:00 UTC of that day. */
static int
parse_date(const char *s, time_t *t)
{
	struct tm tm;
	char back[11];
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	*t = timegm(&tm);
	/* 2026-02-30 would normalise to March: refuse what does not round-trip. */
	strftime(back, sizeof(back), "%Y-%m-%d", gmtime_r(t, &tm));
	return strcmp(back, s) == 0;
}

static const char *
row_error(struct xparse *p, time_t *expires)
{
	const char **v = (const char **)p->vals;
	size_t i;

	if (p->field != X__MAX)
		return "needs exactly 6 fields";
	if (check_control_find(v[X_CONTROL]) == NULL)
		return "control: not a control id of the catalogue (iamgrade controls)";
	if (strcmp(v[X_ACCOUNT], "*") != 0 && !str_is_account_id(v[X_ACCOUNT]))
		return "account: 12 digits or *";
	if (*v[X_RESOURCE] == '\0')
		return "resource: empty (an ARN, or * for every resource)";
	if (*v[X_JUSTIFICATION] == '\0')
		return "justification: empty (why the risk is accepted)";
	if (*v[X_APPROVED_BY] == '\0')
		return "approved_by: empty (who accepted it)";
	if (*v[X_EXPIRES] == '\0')
		return "expires: empty (an exception with no end is not an exception)";
	if (!parse_date(v[X_EXPIRES], expires))
		return "expires: not a date YYYY-MM-DD";
	for (i = 0; i < p->out->n; i++) {
		const struct check_exception *e = &p->out->v[i];

		if (strcasecmp(e->control, v[X_CONTROL]) == 0 && strcmp(e->account, v[X_ACCOUNT]) == 0 &&
		    strcmp(e->resource, v[X_RESOURCE]) == 0)
			return "the same control, account and resource as an earlier row";
	}
	return NULL;
}

static void
x_record(int c, void *arg)
{
	struct xparse *p = arg;
	struct check_exception *e;
	const char *why;
	time_t expires;
	size_t k;

	(void)c;
	if (p->err != NULL)
		goto out;
	if (!p->header_done && p->field <= 1 && (p->vals[0] == NULL || *p->vals[0] == '\0'))
		goto out;	/* blank lines before the header */
	if (!p->header_done) {
		p->header_done = 1;
		for (k = 0; k < X__MAX; k++)
			if (p->vals[k] == NULL || strcasecmp(p->vals[k], xcol_names[k]) != 0)
				break;
		if (k < X__MAX || p->field != X__MAX)
			err_set(&p->err, "%s:%zu: the header must be "
			    "control,account,resource,justification,approved_by,expires", p->path, p->start);
		goto out;
	}
	/* A blank line, or the \n of a \r\n (CSV_REPALL_NL reports both, for the line count). */
	if (p->field <= 1 && (p->vals[0] == NULL || *p->vals[0] == '\0'))
		goto out;
	if ((why = row_error(p, &expires)) != NULL) {
		err_set(&p->err, "%s:%zu: %s", p->path, p->start, why);
		goto out;
	}
	p->out->v = xrealloc(p->out->v, (p->out->n + 1) * sizeof(*p->out->v));
	e = &p->out->v[p->out->n++];
	memset(e, 0, sizeof(*e));
	/* The catalogue's spelling of the id, whatever case the file used. */
	e->control = xstrdup(check_control_find(p->vals[X_CONTROL])->id);
	e->account = p->vals[X_ACCOUNT];
	e->resource = p->vals[X_RESOURCE];
	e->justification = p->vals[X_JUSTIFICATION];
	e->approved_by = p->vals[X_APPROVED_BY];
	snprintf(e->expires, sizeof(e->expires), "%s", p->vals[X_EXPIRES]);
	e->expires_at = expires;
	e->line = p->start;
	p->vals[X_ACCOUNT] = p->vals[X_RESOURCE] = p->vals[X_JUSTIFICATION] = NULL;
	p->vals[X_APPROVED_BY] = NULL;
out:
	for (k = 0; k < X__MAX; k++) {
		free(p->vals[k]);
		p->vals[k] = NULL;
	}
	p->field = 0;
	/* A record ends with its line's newline: the next begins on the next line. */
	p->start = p->line + 1;
}

int
check_exceptions_load(const char *path, struct check_exceptions *x, char **err)
{
	struct csv_parser csv;
	struct xparse p;
	char *data = NULL, *s, *nl;
	size_t len = 0, k;
	int rc = 0, csv_ok = 0;

	memset(x, 0, sizeof(*x));
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.out = x;
	p.line = p.start = 1;
	if (!file_read(path, X_FILE_MAX, &data, &len, err))
		goto out;
	if (memchr(data, '\0', len) != NULL) {
		err_set(err, "%s: a NUL byte: not a CSV text file", path);
		goto out;
	}
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL | CSV_REPALL_NL) != 0) {
		err_set(err, "%s: cannot set up the CSV parser", path);
		goto out;
	}
	csv_ok = 1;
	/* One physical line at a time, so that every error can name its line. */
	for (s = data; *s != '\0' && p.err == NULL; s = nl, p.line++) {
		size_t n;

		nl = strchr(s, '\n');
		nl = nl ? nl + 1 : s + strlen(s);
		n = (size_t)(nl - s);
		if (csv_parse(&csv, s, n, x_field, x_record, &p) != n && p.err == NULL)
			err_set(&p.err, "%s:%zu: %s", path, p.line, csv_strerror(csv_error(&csv)));
	}
	if (p.err == NULL && csv_fini(&csv, x_field, x_record, &p) != 0)
		err_set(&p.err, "%s:%zu: %s (an unterminated quote?)", path, p.start,
		    csv_strerror(csv_error(&csv)));
	if (p.err == NULL && !p.header_done)
		err_set(&p.err, "%s:1: empty; the header must be "
		    "control,account,resource,justification,approved_by,expires", path);
	if (p.err != NULL) {
		*err = p.err;
		p.err = NULL;
		goto out;
	}
	x->file = xstrdup(path);
	sha256_hex(data, len, x->sha256);
	rc = 1;
out:
	if (csv_ok)
		csv_free(&csv);
	for (k = 0; k < X__MAX; k++)
		free(p.vals[k]);
	free(p.err);
	free(data);
	if (!rc)
		check_exceptions_free(x);
	return rc;
}

static int
x_matches(const struct check_exception *e, const char *control, const char *account,
    const json_t *finding)
{
	const char *res = jstr(finding, "resource"), *name = jstr(finding, "resource_name");

	if (strcmp(e->control, control) != 0)
		return 0;
	if (strcmp(e->account, "*") != 0 && (account == NULL || strcmp(e->account, account) != 0))
		return 0;
	return strcmp(e->resource, "*") == 0 || (res != NULL && strcmp(e->resource, res) == 0) ||
	    (name != NULL && strcmp(e->resource, name) == 0);
}

static json_t *
score_json(int num, int den)
{
	return den > 0 ? json_integer((json_int_t)floor(100.0 * num / den + 0.5)) : json_null();
}

/*
 * One account: mark its findings, turn controls ACCEPTED, and score it
 * both ways.  used[i] counts the findings exception i accepted.
 */
static void
apply_account(json_t *a, const struct check_exceptions *x, size_t *used)
{
	const char *account = jstr(a, "account_id");
	json_t *ctl, *f, *counts, *score;
	time_t now;
	size_t i, j, k;
	int num = 0, den = 0, num0 = 0, den0 = 0, evaluated = 0, n[5] = { 0 };
	static const char *const names[5] = { "PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE", "ACCEPTED" };

	/* As every control: dates relative to the collection, never the clock. */
	if (!time_parse(jstr(jpath(a, "collection"), "started") ? jstr(jpath(a, "collection"),
	    "started") : "", &now))
		now = 0;	/* no collection time (never collected): nothing is accepted */
	json_array_foreach(json_object_get(a, "controls"), i, ctl) {
		const char *id = jstr(ctl, "id"), *st = jstr(ctl, "status");
		const struct check_control *row = check_control_find(id ? id : "");
		size_t accepted = 0, nf = json_array_size(json_object_get(ctl, "findings"));
		int w = row ? check_severity_weights[row->severity] : 0;

		if (now != 0 && st != NULL && strcmp(st, "FAIL") == 0) {
			json_array_foreach(json_object_get(ctl, "findings"), j, f) {
				for (k = 0; k < x->n; k++)
					if (now < x->v[k].expires_at && x_matches(&x->v[k], id, account, f))
						break;
				if (k == x->n)
					continue;
				used[k]++;
				accepted++;
				json_object_set_new(f, "accepted", json_pack("{s:s,s:s,s:s,s:I,s:I}",
				    "justification", x->v[k].justification, "approved_by", x->v[k].approved_by,
				    "expires", x->v[k].expires, "days_to_expiry",
				    (json_int_t)time_days(now, x->v[k].expires_at),
				    "line", (json_int_t)x->v[k].line));
			}
			if (nf > 0 && accepted == nf) {
				size_t nu = json_array_size(json_object_get(ctl, "unevaluated"));

				json_object_set_new(ctl, "status_without_exceptions", json_string("FAIL"));
				if (nu == 0)
					json_object_set_new(ctl, "status", json_string("ACCEPTED"));
				else {
					/* Accepting what was seen says nothing of what could not be. */
					json_object_set_new(ctl, "status", json_string("NOT_EVALUATED"));
					json_object_set_new(ctl, "reason", json_string(
					    "every finding is an accepted risk, but some resources could not be "
					    "graded (see unevaluated)"));
				}
			}
		}
		st = jstr(ctl, "status");
		for (k = 0; k < 5; k++)
			if (st != NULL && strcmp(st, names[k]) == 0)
				n[k]++;
		if (st != NULL && (strcmp(st, "PASS") == 0 || strcmp(st, "FAIL") == 0)) {
			den += w;
			num += strcmp(st, "PASS") == 0 ? w : 0;
		}
		/* Without exceptions: what grading said. */
		if (json_object_get(ctl, "status_without_exceptions") != NULL ||
		    (st != NULL && (strcmp(st, "PASS") == 0 || strcmp(st, "FAIL") == 0))) {
			den0 += w;
			num0 += st != NULL && strcmp(st, "PASS") == 0 ? w : 0;
		}
	}
	counts = json_object();
	for (k = 0; k < 5; k++)
		json_object_set_new(counts, names[k], json_integer(n[k]));
	json_object_set_new(a, "counts", counts);
	evaluated = n[0] + n[1] + n[3] + n[4];
	json_object_set_new(json_object_get(a, "coverage"), "evaluated", json_integer(evaluated));
	/* An account never graded keeps its null score. */
	if (json_is_null(json_object_get(a, "score")) && den0 == 0)
		return;
	score = score_json(num, den);
	json_object_set_new(a, "score", score);
	json_object_set_new(a, "grade", json_is_null(score) ? json_null() :
	    json_string(check_grade_letter((int)json_integer_value(score))));
	score = score_json(num0, den0);
	json_object_set_new(a, "score_without_exceptions", score);
	json_object_set_new(a, "grade_without_exceptions", json_is_null(score) ? json_null() :
	    json_string(check_grade_letter((int)json_integer_value(score))));
}

static json_t *
row_json(const struct check_exception *e)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "line", (json_int_t)e->line,
	    "control", e->control, "account", e->account, "resource", e->resource,
	    "justification", e->justification, "approved_by", e->approved_by, "expires", e->expires);
}

/* The document's lists, as of its generated_at; used[i]: the findings exception i accepted. */
static void
exc_lists(json_t *results, const struct check_exceptions *x, const size_t *used)
{
	json_t *in_force = json_array(), *expired = json_array(), *unused = json_array(), *r;
	size_t i;
	time_t now;

	/* The lists are as of the results' time: the latest collection. */
	if (!time_parse(jstr(results, "generated_at") ? jstr(results, "generated_at") : "", &now))
		now = 0;
	for (i = 0; i < x->n; i++) {
		r = row_json(&x->v[i]);
		json_object_set_new(r, "findings_accepted", json_integer((json_int_t)used[i]));
		if (now >= x->v[i].expires_at) {
			json_object_set_new(r, "expired_on", json_string(x->v[i].expires));
			json_array_append_new(expired, r);
			continue;
		}
		json_object_set_new(r, "days_to_expiry", json_integer((json_int_t)time_days(now,
		    x->v[i].expires_at)));
		json_array_append(in_force, r);
		if (used[i] == 0)
			json_array_append(unused, r);
		json_decref(r);
	}
	json_object_set_new(results, "exceptions", json_pack("{s:s,s:s,s:o,s:o,s:o}",
	    "file", x->file ? x->file : "", "sha256", x->sha256,
	    "in_force", in_force, "expired", expired, "unused", unused));
}

void
check_exceptions_apply(json_t *results, const struct check_exceptions *x)
{
	json_t *a;
	size_t i, *used = xcalloc(x->n ? x->n : 1, sizeof(*used));

	json_array_foreach(json_object_get(results, "accounts"), i, a)
		apply_account(a, x, used);
	exc_lists(results, x, used);
	free(used);
}

void
check_exceptions_account(json_t *acct, const struct check_exceptions *x)
{
	size_t *used = xcalloc(x->n ? x->n : 1, sizeof(*used));

	apply_account(acct, x, used);
	free(used);
}

void
check_exceptions_lists(json_t *results, const struct check_exceptions *x)
{
	json_t *a, *c, *f;
	size_t i, j, k, m, *used = xcalloc(x->n ? x->n : 1, sizeof(*used));
	json_int_t line;

	/* What each row accepted, counted back from the marks apply_account left (its line). */
	json_array_foreach(json_object_get(results, "accounts"), i, a)
		json_array_foreach(json_object_get(a, "controls"), j, c)
			json_array_foreach(json_object_get(c, "findings"), k, f) {
				if ((line = jint(json_object_get(f, "accepted"), "line", 0)) <= 0)
					continue;
				for (m = 0; m < x->n; m++)
					if ((json_int_t)x->v[m].line == line)
						used[m]++;
			}
	exc_lists(results, x, used);
	free(used);
}
