/*
 * The trend over months (README "Trend"): earlier runs' scores read from
 * the folder that holds them (`run --out`, `--history DIR`), one point per
 * calendar month, for each account of the current results and for the
 * organization.  The HTML and PDF backends draw it (report/trend_html.c,
 * report/trend_pdf.c); they never read a file themselves.
 *
 * What is read, and how it is ordered:
 * - A run is a folder directly under DIR holding run.json.  Its time is
 *   run.json's "started" (when the run began; the folder's own name, which
 *   run derives from it, when run.json does not say).  Folders without a
 *   run.json and a name of the form YYYY-MM-DD[-N] are not runs and are
 *   skipped.
 * - The months are the calendar months (UTC) from the earliest run of the
 *   last HIST_MONTHS months up to the month of the current results
 *   (results.generated_at), which is always the last point and is taken
 *   from the results being rendered, never from disk.  An earlier run in
 *   the current month, or a later one, is not drawn.
 * - A month's point is its latest run whose results.json reads and
 *   validates; a month with no run, or whose every run is unreadable
 *   (corrupt, missing or refused results.json, unreadable run.json), is a
 *   gap, and the gap names why.  A gap is never an error.
 * - Of each run only a few numbers per account are kept (the score and the
 *   failing controls by severity); results documents are read one at a
 *   time and freed at once.
 *
 * The organization's point is the mean of its scored accounts' scores
 * (rounded half up) and the sum of their failing controls by severity,
 * over every account of that run's results (the organization as it was
 * then), or, when the current results are a part of the organization (a
 * --select selection or a shard), over the accounts of that part only.
 *
 * Ownership: hist_load returns a history the caller frees with hist_free;
 * strings returned by the accessors belong to the history.
 */
#ifndef REPORT_HISTORY_H
#define REPORT_HISTORY_H

#include <jansson.h>

#define HIST_MONTHS	12	/* months drawn, the current one included */
#define HIST_MAX_RUNS	5000	/* run folders looked at under DIR */

enum hist_state {
	HIST_OK,		/* a score (or counts) for this month */
	HIST_NO_RUN,		/* no run this month */
	HIST_UNREADABLE,	/* the month's runs could not be read */
	HIST_ABSENT,		/* a run, but not of this account */
	HIST_UNSCORED,		/* the account is in the run, nothing was evaluated */
};

/* One point: the state, and with HIST_OK the numbers. */
struct hist_point {
	enum hist_state	 state;
	int		 score;		/* 0..100 */
	int		 fail[4];	/* failing controls: critical, high, medium, low */
	int		 complete;	/* the collection was complete */
};

struct hist;

/*
 * The history of results (the current run, the last point) against the
 * runs under dir; skip (may be NULL) is a folder under dir not to read
 * (run's own, being written).  NULL with *err only when dir cannot be
 * listed; everything else is a gap.
 */
struct hist	*hist_load(const char *dir, const json_t *results, const char *skip,
		    char **err);
void		 hist_free(struct hist *);

/*
 * For results built one account at a time (run grades each account as it
 * lands): load the history against a document naming the accounts (their
 * account_id alone), then take each account's current point as it is
 * graded -- hist_take_account touches that account's point only, so
 * threads may each take their own while pages are drawn from the others --
 * and at the end hist_retake the current month from the whole results
 * (the organization's point, the arrows).
 */
void		 hist_take_account(struct hist *, const json_t *acct);
void		 hist_retake(struct hist *, const json_t *results);

/* The folder read (as given to hist_load). */
const char	*hist_dir(const struct hist *);
/* Months drawn, 1..HIST_MONTHS (1: no earlier run). */
size_t		 hist_nmonths(const struct hist *);
/* "2026-11" for month m (0 the oldest). */
const char	*hist_month(const struct hist *, size_t m);
/*
 * Why month m is a gap ("no run", "2026-10-02: results.json: not JSON
 * ..."), or NULL when it has a run; the run's folder name (NULL in a gap,
 * "this run" for the last month).
 */
const char	*hist_gap(const struct hist *, size_t m);
const char	*hist_run(const struct hist *, size_t m);

/*
 * The points of account_id (NULL: the organization), out[hist_nmonths()].
 * 0 when the account is not in the current results.
 */
int		 hist_series(const struct hist *, const char *account_id,
		    struct hist_point *out);

/*
 * The direction since the last earlier month with a score: '+' up, '-'
 * down, '=' the same, 0 when there is no earlier score or no score now.
 * *delta the change, *since the month compared with (belongs to h).
 */
int		 hist_arrow(const struct hist *, const char *account_id,
		    int *delta, const char **since);

/*
 * The arrow for people: "↑" "↓" "→" or "–", and its words ("up 7 since
 * 2026-10", "no earlier score"), a new string the caller frees.
 */
const char	*hist_arrow_sign(int dir);
char		*hist_arrow_words(const struct hist *, const char *account_id);

/* One point in words ("62, 3 critical 1 high failing", "no run"); caller frees. */
char		*hist_point_words(const struct hist *, size_t m, const struct hist_point *);

#endif
