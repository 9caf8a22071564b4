/* The trend over months: earlier runs' scores per account and month (history.h). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/history.h"
#include "report/report.h"

/* run.json is small (a line per account); anything larger is not ours. */
#define HIST_MAX_RUN_JSON	(64UL * 1024 * 1024)

static const char *const hist_sevs[4] = { "critical", "high", "medium", "low" };

/* A run folder found under the history folder. */
struct hist_cand {
	char	*name;		/* the folder's name */
	char	 started[21];	/* run.json's started, else the name's date */
	int	 month;		/* year * 12 + month - 1 */
	char	*err;		/* run.json could not be read, or NULL */
};

struct hist {
	char		*dir;
	size_t		 n;			/* months drawn */
	char		 month[HIST_MONTHS][16];
	char		*gap[HIST_MONTHS];
	char		*run[HIST_MONTHS];
	int		 subset;		/* the results are a selection or a shard */
	size_t		 nacct;
	char		**ids;			/* the current accounts, sorted */
	struct hist_point *pts;			/* nacct rows of HIST_MONTHS */
	struct hist_point org[HIST_MONTHS];
};

/* "2026-11..." as a month number, -1 if it does not start so. */
static int
hist_month_of(const char *s)
{
	int y, m;

	if (s == NULL || strlen(s) < 7 || s[4] != '-' ||
	    sscanf(s, "%4d-%2d", &y, &m) != 2 || y < 1970 || m < 1 || m > 12)
		return -1;
	return y * 12 + m - 1;
}

/* A run folder's name as run makes it: YYYY-MM-DD or YYYY-MM-DD-N. */
static int
hist_run_name(const char *s)
{
	size_t i;

	for (i = 0; i < 10; i++)
		if (s[i] == '\0' || (i == 4 || i == 7 ? s[i] != '-' :
		    (s[i] < '0' || s[i] > '9')))
			return 0;
	if (s[10] == '\0')
		return 1;
	if (s[10] != '-' || s[11] == '\0')
		return 0;
	return strspn(s + 11, "0123456789") == strlen(s + 11);
}

static int
hist_id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct hist_point *
hist_row(const struct hist *h, const char *id)
{
	char **p;

	if (id == NULL || h->nacct == 0)
		return NULL;
	p = bsearch(&id, h->ids, h->nacct, sizeof(*h->ids), hist_id_cmp);
	return p == NULL ? NULL : h->pts + (size_t)(p - h->ids) * HIST_MONTHS;
}

/* Latest first: month, then started, then name (a -2 folder after its day's first). */
static int
hist_cand_cmp(const void *pa, const void *pb)
{
	const struct hist_cand *a = pa, *b = pb;
	int c;

	if (a->month != b->month)
		return a->month > b->month ? -1 : 1;
	if ((c = strcmp(a->started, b->started)) != 0)
		return -c;
	return -strcmp(a->name, b->name);
}

/* Every month of m's column in state st (a gap, or "no account yet"). */
static void
hist_fill(struct hist *h, size_t m, enum hist_state st)
{
	size_t i;

	for (i = 0; i < h->nacct; i++)
		h->pts[i * HIST_MONTHS + m].state = st;
	h->org[m].state = st;
}

/* The few numbers of one account of a results document. */
static void
hist_point_of(const json_t *a, struct hist_point *p)
{
	const json_t *c;
	size_t j;
	int k;

	memset(p, 0, sizeof(*p));
	p->complete = jbool(json_object_get(a, "collection"), "complete", 0);
	json_array_foreach(json_object_get(a, "controls"), j, c) {
		if (jstr(c, "status") == NULL || strcmp(jstr(c, "status"), "FAIL") != 0)
			continue;
		for (k = 0; k < 4; k++)
			if (jstr(c, "severity") != NULL &&
			    strcmp(jstr(c, "severity"), hist_sevs[k]) == 0)
				p->fail[k]++;
	}
	if (json_is_integer(json_object_get(a, "score"))) {
		p->state = HIST_OK;
		p->score = (int)jint(a, "score", 0);
	} else
		p->state = HIST_UNSCORED;
}

/* The few numbers of one results document into month m. */
static void
hist_take(struct hist *h, size_t m, const json_t *results)
{
	const json_t *a;
	struct hist_point p, *row;
	long long sum = 0, scored = 0;
	size_t i;
	int k;

	hist_fill(h, m, HIST_ABSENT);
	memset(&h->org[m], 0, sizeof(h->org[m]));
	h->org[m].complete = 1;
	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		row = hist_row(h, jstr(a, "account_id"));
		/* A selection's organization is the accounts selected, every month. */
		if (row == NULL && h->subset)
			continue;
		hist_point_of(a, &p);
		for (k = 0; k < 4; k++)
			h->org[m].fail[k] += p.fail[k];
		if (!p.complete)
			h->org[m].complete = 0;
		if (p.state == HIST_OK) {
			sum += p.score;
			scored++;
		}
		if (row != NULL)
			row[m] = p;
	}
	h->org[m].state = scored > 0 ? HIST_OK : HIST_UNSCORED;
	h->org[m].score = scored > 0 ? (int)((2 * sum + scored) / (2 * scored)) : 0;
}

void
hist_take_account(struct hist *h, const json_t *acct)
{
	struct hist_point *row;

	if (h->n > 0 && (row = hist_row(h, jstr(acct, "account_id"))) != NULL)
		hist_point_of(acct, &row[h->n - 1]);
}

void
hist_retake(struct hist *h, const json_t *results)
{
	if (h->n > 0)
		hist_take(h, h->n - 1, results);
}

/* One folder under dir: a run to consider (1), or not a run (0). */
static int
hist_cand_read(const char *dir, const char *name, struct hist_cand *c)
{
	char *path = xasprintf("%s/%s/run.json", dir, name), *data = NULL, *e = NULL;
	json_t *run = NULL;
	json_error_t je;
	const char *started = NULL;
	struct stat st;
	size_t len;
	time_t t = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (stat(path, &st) != 0 && !hist_run_name(name))
		goto out;
	if (!file_read(path, HIST_MAX_RUN_JSON, &data, &len, &e))
		c->err = e, e = NULL;
	else if ((run = json_loadb(data, len, 0, &je)) == NULL)
		c->err = xasprintf("%s: not JSON: line %d: %s", path, je.line, je.text);
	else if ((started = jstr(run, "started")) == NULL || !time_parse(started, &t))
		c->err = xasprintf("%s: no valid \"started\" time", path);
	if (c->err == NULL)
		time_fmt(t, c->started);
	else if (hist_run_name(name))
		snprintf(c->started, sizeof(c->started), "%.10s", name);
	else {
		/* Unplaceable: a folder that is not a run, or whose run.json says nothing. */
		free(c->err);
		c->err = NULL;
		goto out;
	}
	c->month = hist_month_of(c->started);
	c->name = xstrdup(name);
	rc = 1;
out:
	json_decref(run);
	free(data);
	free(e);
	free(path);
	return rc;
}

/* The run folders under dir, latest first, in *out (caller frees); -1 if unlistable. */
static long
hist_list(const char *dir, const char *skip, struct hist_cand **out, char **err)
{
	struct hist_cand *v = NULL, c;
	const char *skipname = NULL;
	struct dirent *d;
	size_t n = 0, looked = 0;
	DIR *dp;

	if (skip != NULL)
		skipname = strrchr(skip, '/') ? strrchr(skip, '/') + 1 : skip;
	if ((dp = opendir(dir)) == NULL) {
		err_set(err, "--history %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)) != NULL && looked < HIST_MAX_RUNS) {
		if (d->d_name[0] == '.' || (skipname && strcmp(d->d_name, skipname) == 0))
			continue;
		looked++;
		if (!hist_cand_read(dir, d->d_name, &c))
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = c;
	}
	closedir(dp);
	if (n > 0)
		qsort(v, n, sizeof(*v), hist_cand_cmp);
	*out = v;
	return (long)n;
}

/* Month m from the runs of that month (latest first): a point or a named gap. */
static void
hist_month_fill(struct hist *h, size_t m, int month, const struct hist_cand *v, size_t n)
{
	char *path, *e = NULL;
	json_t *doc;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].month != month)
			continue;
		if (v[i].err != NULL) {
			if (h->gap[m] == NULL)
				h->gap[m] = xasprintf("%s: %s", v[i].name, v[i].err);
			continue;
		}
		path = xasprintf("%s/%s/results.json", h->dir, v[i].name);
		doc = report_results_load(path, &e);
		free(path);
		if (doc == NULL) {
			if (h->gap[m] == NULL)
				h->gap[m] = xasprintf("%s: %s", v[i].name, e);
			free(e);
			e = NULL;
			continue;
		}
		hist_take(h, m, doc);
		json_decref(doc);
		free(h->gap[m]);
		h->gap[m] = NULL;
		h->run[m] = xstrdup(v[i].name);
		return;
	}
	if (h->gap[m] == NULL) {
		h->gap[m] = xstrdup("no run");
		hist_fill(h, m, HIST_NO_RUN);
	} else
		hist_fill(h, m, HIST_UNREADABLE);
}

struct hist *
hist_load(const char *dir, const json_t *results, const char *skip, char **err)
{
	struct hist *h = NULL, *rv = NULL;
	struct hist_cand *v = NULL;
	const json_t *a;
	long n, i;
	size_t k, m;
	int now, first;

	if ((n = hist_list(dir, skip, &v, err)) < 0)
		goto out;
	h = xcalloc(1, sizeof(*h));
	h->dir = xstrdup(dir);
	h->subset = json_object_get(results, "selection") != NULL ||
	    json_object_get(results, "shard") != NULL;
	json_array_foreach(json_object_get(results, "accounts"), k, a)
		if (jstr(a, "account_id") != NULL) {
			h->ids = xrealloc(h->ids, (h->nacct + 1) * sizeof(*h->ids));
			h->ids[h->nacct++] = xstrdup(jstr(a, "account_id"));
		}
	if (h->nacct > 0)
		qsort(h->ids, h->nacct, sizeof(*h->ids), hist_id_cmp);
	h->pts = xcalloc(h->nacct ? h->nacct : 1, HIST_MONTHS * sizeof(*h->pts));
	/* Results with no time (nothing collected): no month to draw. */
	if ((now = hist_month_of(jstr(results, "generated_at"))) < 0) {
		rv = h, h = NULL;
		goto out;
	}
	for (first = now, i = 0; i < n; i++)
		if (v[i].month >= now - (HIST_MONTHS - 1) && v[i].month < first)
			first = v[i].month;
	h->n = (size_t)(now - first) + 1;
	for (m = 0; m < h->n; m++)
		snprintf(h->month[m], sizeof(h->month[m]), "%04d-%02d",
		    (first + (int)m) / 12, (first + (int)m) % 12 + 1);
	for (m = 0; m + 1 < h->n; m++)
		hist_month_fill(h, m, first + (int)m, v, (size_t)n);
	hist_take(h, h->n - 1, results);
	h->run[h->n - 1] = xstrdup("this run");
	rv = h, h = NULL;
out:
	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].err);
	}
	free(v);
	hist_free(h);
	return rv;
}

void
hist_free(struct hist *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < HIST_MONTHS; i++) {
		free(h->gap[i]);
		free(h->run[i]);
	}
	for (i = 0; i < h->nacct; i++)
		free(h->ids[i]);
	free(h->ids);
	free(h->pts);
	free(h->dir);
	free(h);
}

const char *
hist_dir(const struct hist *h)
{
	return h->dir;
}

size_t
hist_nmonths(const struct hist *h)
{
	return h->n;
}

const char *
hist_month(const struct hist *h, size_t m)
{
	return m < h->n ? h->month[m] : NULL;
}

const char *
hist_gap(const struct hist *h, size_t m)
{
	return m < h->n ? h->gap[m] : NULL;
}

const char *
hist_run(const struct hist *h, size_t m)
{
	return m < h->n ? h->run[m] : NULL;
}

int
hist_series(const struct hist *h, const char *account_id, struct hist_point *out)
{
	const struct hist_point *row = account_id == NULL ? h->org : hist_row(h, account_id);

	if (row == NULL || h->n == 0)
		return 0;
	memcpy(out, row, h->n * sizeof(*out));
	return 1;
}

int
hist_arrow(const struct hist *h, const char *account_id, int *delta, const char **since)
{
	struct hist_point p[HIST_MONTHS];
	size_t m;

	*delta = 0;
	*since = NULL;
	if (!hist_series(h, account_id, p) || p[h->n - 1].state != HIST_OK)
		return 0;
	for (m = h->n - 1; m-- > 0;)
		if (p[m].state == HIST_OK) {
			*delta = p[h->n - 1].score - p[m].score;
			*since = h->month[m];
			return *delta > 0 ? '+' : *delta < 0 ? '-' : '=';
		}
	return 0;
}

const char *
hist_arrow_sign(int dir)
{
	return dir == '+' ? "\xe2\x86\x91" : dir == '-' ? "\xe2\x86\x93" :
	    dir == '=' ? "\xe2\x86\x92" : "\xe2\x80\x93";
}

char *
hist_arrow_words(const struct hist *h, const char *account_id)
{
	const char *since;
	int delta, dir = hist_arrow(h, account_id, &delta, &since);

	if (dir == 0)
		return xstrdup("no earlier score");
	if (dir == '=')
		return xasprintf("unchanged since %s", since);
	return xasprintf("%s %d since %s", dir == '+' ? "up" : "down",
	    abs(delta), since);
}

char *
hist_point_words(const struct hist *h, size_t m, const struct hist_point *p)
{
	switch (p->state) {
	case HIST_OK:
		return xasprintf("%s: score %d; failing controls: %d critical, %d high, "
		    "%d medium, %d low%s", h->month[m], p->score, p->fail[0], p->fail[1],
		    p->fail[2], p->fail[3], p->complete ? "" : " (collection incomplete)");
	case HIST_NO_RUN:
		return xasprintf("%s: no run", h->month[m]);
	case HIST_UNREADABLE:
		return xasprintf("%s: run unreadable", h->month[m]);
	case HIST_ABSENT:
		return xasprintf("%s: not in that run", h->month[m]);
	case HIST_UNSCORED:
	default:
		return xasprintf("%s: nothing evaluated", h->month[m]);
	}
}
