/*
 * The collector's service layer, inside collector/ only: source objects
 * (docs/snapshot-format.md "Sources") and one collecting function per
 * source, built on collector/aws.h.
 *
 * Every iam_* / ct_* / sts_* collector returns a source object,
 * {"status": "ok"|"absent"|"denied"|"error", "api_call": "svc:Action",
 * "data"|"error": ...}, never NULL: a failing source is data for the
 * checks, not a reason to stop.  The caller owns the returned reference.
 *
 * The parsing halves (iam_* functions taking a body, ct_*_page) are
 * separate so the unit tests can feed them canned responses.
 */
#ifndef COLLECTOR_SOURCES_H
#define COLLECTOR_SOURCES_H

#include <pthread.h>
#include <time.h>

#include <jansson.h>

#include "collector/aws.h"
#include "snapshot/snapshot.h"

/*
 * Source objects' statuses are snapshot/'s (enum snap_status,
 * snap_status_names): the collector writes the statuses the loader reads.
 */

/* {"status":"ok","api_call":call,"data":data}; steals data (NULL: no data). */
json_t	*src_ok(const char *call, json_t *data);
/* {"status":"absent","api_call":call}. */
json_t	*src_absent(const char *call);
/*
 * {"status":"error"|"denied","api_call":call,"error":{"code","message",
 * "http_status"}}: denied when aws_code_is_denied(code).  http_status 0
 * means there was no HTTP answer.
 */
json_t	*src_fail(const char *call, const char *code, const char *message, long http_status);
/*
 * {"status":"partial","api_call":call,"data":data,"error":{"code","message",
 * "http_status":0}}: a source stopped at a cap (code PageLimit, ByteLimit or
 * ItemLimit); steals data.
 */
json_t	*src_partial(const char *call, json_t *data, const char *code, const char *message);
/* The failure of a call that did not succeed (r->result != AWS_RES_OK). */
json_t	*src_from_resp(const struct aws_resp *r);
/*
 * One Query call (IAM, STS) whose <ActionResult> is converted with xml_iam
 * into *result: NULL on success, else the failure as a source object
 * (MalformedResponse when the body does not parse).
 */
json_t	*src_query(struct aws_client *, enum aws_svc, const char *action,
	    const struct aws_param *, json_t **result);
/* One JSON 1.1 call (CloudTrail, Organizations) likewise; body NULL = {}. */
json_t	*src_json(struct aws_client *, enum aws_svc, const char *region,
	    const char *op, const json_t *body, json_t **result);
/* The same two, also counting the bytes of the answer's body into *len. */
json_t	*src_query_n(struct aws_client *, enum aws_svc, const char *action,
	    const struct aws_param *, json_t **result, size_t *len);
json_t	*src_json_n(struct aws_client *, enum aws_svc, const char *region,
	    const char *op, const json_t *body, json_t **result, size_t *len);

/*
 * Pagination guards, one pager per source (docs/reliability.md, "Paging"):
 * a server that gets paging wrong must not be followed forever, nor fill
 * memory.  A marker or token seen before for the source -- not only the
 * previous one: alternating markers too -- is a loop; pages, answer bytes
 * and items (where max_items is set) are capped.  Markers are remembered by
 * their SHA-256, so a hostile marker's size costs nothing per page.
 *
 * Caps: 10,000 pages and 1 GiB of answers per source, 100,000 CloudTrail
 * events; IAMGRADE_MAX_PAGES, IAMGRADE_MAX_SOURCE_BYTES and
 * IAMGRADE_MAX_EVENTS lower (or raise) them, for tests and the benchmark.
 *
 * Use: src_pager_page after each page read; when the page announces another
 * one, src_pager_next with its marker, which returns SNAP_ST_OK to go on,
 * SNAP_ST_PARTIAL when a cap is reached (stop, keep what was read) or
 * SNAP_ST_ERROR for a loop; *msg then says which cap and how far it got, or
 * which marker came back (caller frees), and code is set (PageLimit,
 * ByteLimit, ItemLimit or PaginationLoop).
 */
struct src_pager {
	const char		*call;		/* "iam:ListAccessKeys", not owned */
	json_t			*seen;		/* SHA-256 of each marker: a set */
	long			 pages;
	unsigned long long	 bytes;
	long			 items;
	long			 max_pages;
	unsigned long long	 max_bytes;
	long			 max_items;	/* 0: not capped */
	const char		*code;		/* set with a status other than SNAP_ST_OK */
	pthread_mutex_t		*lock;		/* set when threads share the pager, or NULL */
};
#define SRC_MAX_PAGES	10000L
#define SRC_MAX_BYTES	(1ULL << 30)
#define SRC_MAX_EVENTS	100000L
/* max_items 0: items are not capped; SRC_MAX_EVENTS: IAMGRADE_MAX_EVENTS applies. */
void	 src_pager_init(struct src_pager *, const char *call, long max_items);
void	 src_pager_free(struct src_pager *);
void	 src_pager_page(struct src_pager *, size_t bytes, size_t items);
/* scope tells apart listings inside one source (the user of ListAccessKeys), or NULL. */
enum snap_status src_pager_next(struct src_pager *, const char *scope, const char *marker,
	    char **msg);

/*
 * Work of one account in parallel (collector/parallel.c): fn(client, i, arg)
 * for every i in [0, n), on at most width threads (the caller's among
 * them), each calling through its own sibling of c; the siblings' call
 * counts are added to c.  fn returns 0 to stop handing out further items
 * (items already running finish).  Nothing starts once aws_cancelled().
 * fn must only write what belongs to item i, or lock.
 *
 * Widths: SRC_PAR_SOURCES threads for the independent sources of an
 * account, SRC_PAR_KEYS for ListAccessKeys over the key holders;
 * IAMGRADE_PAR_SOURCES and IAMGRADE_PAR_KEYS override them (1..SRC_PAR_MAX;
 * 1 is the old serial order).  A run holds at most --jobs x (SRC_PAR_SOURCES
 * + SRC_PAR_KEYS) calls in flight.
 */
#define SRC_PAR_SOURCES	8
#define SRC_PAR_KEYS	16
#define SRC_PAR_MAX	64
typedef int src_par_fn(struct aws_client *, size_t i, void *arg);
void	 src_parallel(struct aws_client *, size_t n, int width, src_par_fn *, void *arg);
/* A width from the environment variable env (1..SRC_PAR_MAX), else def. */
int	 src_par_width(const char *env, int def);

/* The source's status; SNAP_ST_ERROR for anything unrecognisable. */
enum snap_status src_status(const json_t *src);

/* A monotonic clock in ms.  (Sleeps: aws_sleep_ms, which ends on cancel.) */
long	 src_now_ms(void);

/* STS. */
/* GetCallerIdentity; data {"Account","Arn","UserId"}. */
json_t	*sts_caller_identity(struct aws_client *);
/*
 * AssumeRole into role_arn: NULL on success with *out filled (caller frees
 * with aws_creds_free), else the failure as a source object, so that an
 * account whose role is refused can still be reported with the AWS code.
 */
json_t	*sts_assume_role(struct aws_client *, const char *role_arn,
	    const char *external_id, struct aws_creds *out);

/* IAM, one function per source. */
json_t	*iam_account_aliases(struct aws_client *);
json_t	*iam_password_policy(struct aws_client *);
json_t	*iam_account_summary(struct aws_client *);
json_t	*iam_virtual_mfa_devices(struct aws_client *);
json_t	*iam_authorization_details(struct aws_client *);
/* ListAccessKeys for the key holders of an "ok" credential_report source. */
json_t	*iam_access_keys(struct aws_client *, const json_t *credential_report);

/*
 * The credential report in two halves, so that IAM builds it while the
 * other sources are collected: start asks for it (GenerateCredentialReport),
 * finish polls with backoff until it is COMPLETE or wait_s seconds have
 * passed since start, then fetches and parses it.  The poll interval
 * starts at 2 s (IAMGRADE_REPORT_POLL_MS overrides it, for tests) and grows
 * by half each time up to 5 s; a report still not COMPLETE at the deadline
 * is an error with code ReportTimeout.
 */
struct iam_report {
	time_t	 deadline;
	int	 wait_s;
	int	 complete;	/* the last GenerateCredentialReport said COMPLETE */
	json_t	*failed;	/* source object of a failure in start, or NULL */
};
void	 iam_report_start(struct aws_client *, struct iam_report *, int wait_s);
json_t	*iam_report_finish(struct aws_client *, struct iam_report *);

/* Parsing halves, for tests. */
/* A row of the credential report holds an access key (active or not). */
int	 iam_row_has_key(const json_t *row);
/* Base64 (whitespace ignored) into *out, NUL-terminated; 0 when invalid. */
int	 iam_base64_decode(const char *b64, char **out, size_t *len);
/* GetCredentialReport's result object into the source's data. */
int	 iam_report_data(const json_t *result, json_t **data, char **err);
/* A Policies member the snapshot keeps: customer-managed, or AWS-managed and attached. */
int	 iam_policy_kept(const json_t *policy);
/* One Policies member reduced to the members the snapshot keeps. */
json_t	*iam_policy_reduce(const json_t *policy);

/*
 * Service and action last accessed (aws-api.md §4.20-4.23) for every role
 * and user of an "ok" authorization_details source: one ACTION_LEVEL job
 * each, at most jobs at a time (each on a client of its own with creds),
 * all within wait_s seconds.  The source is denied as a whole when
 * Generate is denied (it would be for everyone); otherwise "ok" with
 * data {"granularity","concurrency","wait_s","api_calls","ms",
 * "principals":[{"Arn","type":"role"|"user","status":"ok"|"absent"|
 * "error"|"denied"|"timeout"|"partial","error":{"code","message"},
 * "JobType","JobCompletionDate","ServicesLastAccessed":[...]}]}: a job
 * that fails is a failure of that principal only.  *n gets what the
 * stage cost (run metadata, kept out of the source's data, which holds
 * only what AWS said).  IAMGRADE_LA_POLL_MS sets the first poll
 * interval (tests), IAMGRADE_LA_JOBS (1-64) the jobs in flight (benchmark).
 */
#define IAM_LA_JOBS	16
#define IAM_LA_WAIT_S	900
struct iam_la_opts {
	int	jobs;		/* 0: IAM_LA_JOBS */
	int	wait_s;		/* 0: IAM_LA_WAIT_S */
};
struct iam_la_count {
	unsigned	calls;		/* HTTP requests of the stage's own clients */
	unsigned	retries;
	long		ms;		/* wall time of the stage */
	int		concurrency;	/* jobs in flight at most */
	int		wait_s;		/* the deadline used */
};
json_t	*iam_last_accessed(const struct aws_client *,
	    const json_t *authorization_details, const struct iam_la_opts *,
	    struct iam_la_count *n);
/*
 * One GetServiceLastAccessedDetails result's ServicesLastAccessed appended
 * to services, reduced to ServiceNamespace, LastAuthenticated(Region) and
 * TrackedActionsLastAccessed [{ActionName, LastAccessedTime}].
 */
int	 iam_la_page(const json_t *result, json_t *services, char **err);

/* CloudTrail. */
/* DescribeTrails, then GetTrailStatus and GetEventSelectors per trail. */
json_t	*ct_trails(struct aws_client *, const struct aws_config *);
/* LookupEvents EventName=CreateRole over [start, end], all pages, paced. */
json_t	*ct_create_role_events(struct aws_client *, const struct aws_config *,
	    time_t start, time_t end);
/*
 * The window's changes CHG-* read: one LookupEvents series (all pages,
 * paced) per name of ct_change_iam_names in ct_events_region, and per name
 * of ct_change_trail_names in that region, cfg's and every home region of
 * trails (an "ok" trails source; otherwise only the first two, and
 * data.trail_regions_complete is false).  LookupEvents takes one
 * attribute: a series per name costs one call per name and region when
 * nothing happened and grows with the matching events only, where one by
 * EventSource would page through every IAM read, our own collection's
 * included (docs/performance.md).  Any failed call fails the source.
 */
extern const char *const ct_change_iam_names[];		/* NULL-terminated */
extern const char *const ct_change_trail_names[];
json_t	*ct_change_events(struct aws_client *, const struct aws_config *,
	    const json_t *trails, time_t start, time_t end);
/* The region where IAM's global events are recorded for cfg's partition. */
const char *ct_events_region(const struct aws_config *);

/* Parsing halves, for tests. */
/* Append DescribeTrails' trailList members not yet in seen (by TrailARN) to trails. */
int	 ct_trails_page(const json_t *resp, json_t *trails, json_t *seen, char **err);
/*
 * Add one LookupEvents page's events to events (skipping EventIds in seen),
 * converted: EventTime to ISO 8601, CloudTrailEvent parsed.  *next is the
 * page's NextToken (caller frees) or NULL.
 */
int	 ct_events_page(const json_t *resp, json_t *events, json_t *seen, char **next, char **err);
/* An EventTime (epoch number, numeric string, or ISO string) as ISO 8601. */
int	 ct_epoch_iso(const json_t *v, char out[21]);

#endif
