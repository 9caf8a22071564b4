/*
 * Service and action last accessed, per role and per user (aws-api.md
 * §4.20-4.23): one GenerateServiceLastAccessedDetails job per principal,
 * polled with GetServiceLastAccessedDetails until it completes, all pages
 * read.
 *
 * Why threads: a job costs at least two round trips and AWS documents no
 * job duration, so 2,500 principals read one after another would take
 * minutes of pure latency.  A small pool of workers (each with its own
 * client, the same credentials: a job can only be read by the session that
 * started it) keeps a bounded number of jobs in flight; each worker polls
 * its own job politely (1 s, growing by half to 5 s).  The whole stage has
 * one deadline per account; principals it leaves unread carry "timeout".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "collector/sources.h"

#define LA_POLL_MS	1000
#define LA_POLL_MAX_MS	5000
#define LA_GEN		"iam:GenerateServiceLastAccessedDetails"
#define LA_GET		"iam:GetServiceLastAccessedDetails"

struct la_pool {
	const struct aws_client	*tmpl;		/* each worker signs with a sibling of it */
	json_t			*principals;	/* [{"Arn","type"}], results filled in place */
	size_t			 next;
	time_t			 deadline;
	int			 wait_s;
	long			 poll_ms;
	unsigned		 calls;
	unsigned		 retries;
	json_t			*denied;	/* the first AccessDenied on Generate, stops the stage */
	pthread_mutex_t		 lock;
};

/* IAMGRADE_LA_JOBS (1-64) overrides the jobs in flight, for the benchmark. */
static int
la_jobs(int jobs)
{
	const char *e = getenv("IAMGRADE_LA_JOBS");
	long n = e ? strtol(e, NULL, 10) : 0;

	if (n >= 1 && n <= 64)
		return (int)n;
	return jobs > 0 ? jobs : IAM_LA_JOBS;
}

static long
la_poll_ms(void)
{
	const char *e = getenv("IAMGRADE_LA_POLL_MS");
	long ms = e ? strtol(e, NULL, 10) : 0;

	return ms > 0 ? ms : LA_POLL_MS;
}

/* A principal's record fails: status and the error of a failed source object. */
static void
la_fail(json_t *p, const char *status, const char *code, const char *msg)
{
	json_object_set_new(p, "status", json_string(status));
	json_object_set_new(p, "error", json_pack("{s:s, s:s}", "code", code ? code : "error",
	    "message", msg ? msg : ""));
}

/* Copy a failed source object's status and error into p. */
static void
la_fail_src(json_t *p, const json_t *src)
{
	la_fail(p, jstr(src, "status") ? jstr(src, "status") : "error",
	    json_string_value(jpath(src, "error.code")),
	    json_string_value(jpath(src, "error.message")));
}

int
iam_la_page(const json_t *res, json_t *services, char **err)
{
	const json_t *s, *a, *acts;
	json_t *svc, *out;
	size_t i, j;

	json_array_foreach(json_object_get(res, "ServicesLastAccessed"), i, s) {
		if (jstr(s, "ServiceNamespace") == NULL)
			return err_set(err, "ServicesLastAccessed[%zu] has no ServiceNamespace", i);
		/* Only what the controls read: names, times, tracked actions. */
		svc = json_pack("{s:s}", "ServiceNamespace", jstr(s, "ServiceNamespace"));
		if (jstr(s, "LastAuthenticated") != NULL)
			json_object_set_new(svc, "LastAuthenticated",
			    jstring(jstr(s, "LastAuthenticated")));
		if (jstr(s, "LastAuthenticatedRegion") != NULL)
			json_object_set_new(svc, "LastAuthenticatedRegion",
			    jstring(jstr(s, "LastAuthenticatedRegion")));
		if (json_is_array(acts = json_object_get(s, "TrackedActionsLastAccessed"))) {
			out = json_array();
			json_array_foreach(acts, j, a) {
				if (jstr(a, "ActionName") == NULL)
					continue;
				json_array_append_new(out, jstr(a, "LastAccessedTime") ?
				    json_pack("{s:s, s:s}", "ActionName", jstr(a, "ActionName"),
				    "LastAccessedTime", jstr(a, "LastAccessedTime")) :
				    json_pack("{s:s}", "ActionName", jstr(a, "ActionName")));
			}
			json_object_set_new(svc, "TrackedActionsLastAccessed", out);
		}
		json_array_append_new(services, svc);
	}
	return 1;
}

/* Start a job for arn: its JobId (caller frees), or NULL with *fail set. */
static char *
la_generate(struct aws_client *c, const char *arn, json_t **fail)
{
	struct aws_param p[] = {
		{ "Arn", arn }, { "Granularity", "ACTION_LEVEL" }, { NULL, NULL }
	};
	json_t *res = NULL;
	char *id = NULL;

	if ((*fail = src_query(c, AWS_IAM, "GenerateServiceLastAccessedDetails", p, &res)) != NULL)
		return NULL;
	if (jstr(res, "JobId") == NULL || strlen(jstr(res, "JobId")) != 36)
		*fail = src_fail(LA_GEN, "MalformedResponse",
		    "malformed response to " LA_GEN ": no JobId of 36 characters", 200);
	else
		id = xstrdup(jstr(res, "JobId"));
	json_decref(res);
	return id;
}

/*
 * Every page of a COMPLETED job into p's ServicesLastAccessed, starting
 * with the page already read (first).  0 with p marked failed when a page
 * fails or the pager stops.
 */
static int
la_pages(struct aws_client *c, json_t *p, const char *job, json_t *first)
{
	struct src_pager pg;
	struct aws_param q[4];
	json_t *res = json_incref(first), *services = json_array(), *fail = NULL;
	const char *next;
	char *marker = NULL, *msg = NULL, *err = NULL;
	enum snap_status st;
	size_t len = 0;
	int rc = 0;

	src_pager_init(&pg, LA_GET, 0);
	for (;;) {
		if (!iam_la_page(res, services, &err)) {
			msg = xasprintf("malformed response to " LA_GET ": %s", err);
			la_fail(p, "error", "MalformedResponse", msg);
			goto out;
		}
		src_pager_page(&pg, len, 0);
		if (!jbool(res, "IsTruncated", 0))
			break;
		if ((next = jstr(res, "Marker")) == NULL || *next == '\0') {
			la_fail(p, "error", "MalformedResponse", "IsTruncated without a Marker");
			goto out;
		}
		if ((st = src_pager_next(&pg, job, next, &msg)) != SNAP_ST_OK) {
			la_fail(p, st == SNAP_ST_PARTIAL ? "partial" : "error", pg.code, msg);
			goto out;
		}
		free(marker);
		marker = xstrdup(next);
		json_decref(res);
		res = NULL;
		q[0] = (struct aws_param){ "JobId", job };
		q[1] = (struct aws_param){ "MaxItems", "1000" };
		q[2] = (struct aws_param){ "Marker", marker };
		q[3] = (struct aws_param){ NULL, NULL };
		if ((fail = src_query_n(c, AWS_IAM, "GetServiceLastAccessedDetails", q,
		    &res, &len)) != NULL) {
			la_fail_src(p, fail);
			goto out;
		}
	}
	json_object_set_new(p, "status", json_string("ok"));
	json_object_set(p, "ServicesLastAccessed", services);
	rc = 1;
out:
	src_pager_free(&pg);
	json_decref(services);
	json_decref(res);
	json_decref(fail);
	free(marker);
	free(msg);
	free(err);
	return rc;
}

/*
 * One job, start to finish, into p.  Returns -1 when Generate was denied
 * (the stage stops: every other principal would be denied too), else 0.
 */
static int
la_one(struct la_pool *pool, struct aws_client *c, json_t *p)
{
	struct aws_param q[] = {
		{ "JobId", NULL }, { "MaxItems", "1000" }, { NULL, NULL }
	};
	const char *arn = jstr(p, "Arn"), *js, *code;
	json_t *fail = NULL, *res = NULL;
	char *job = NULL, *msg;
	long delay = pool->poll_ms, left;
	int tries = 0, rc = 0;

again:
	free(job);
	if ((job = la_generate(c, arn, &fail)) == NULL) {
		code = json_string_value(jpath(fail, "error.code"));
		if (code != NULL && strcmp(code, "NoSuchEntity") == 0)
			/* Deleted since it was listed: nothing to judge. */
			la_fail(p, "absent", code, json_string_value(jpath(fail, "error.message")));
		else
			la_fail_src(p, fail);
		if (src_status(fail) == SNAP_ST_DENIED) {
			pthread_mutex_lock(&pool->lock);
			if (pool->denied == NULL)
				pool->denied = json_incref(fail);
			pthread_mutex_unlock(&pool->lock);
			rc = -1;
		}
		goto out;
	}
	q[0].value = job;
	for (;;) {
		if ((left = (long)(pool->deadline - time(NULL))) <= 0) {
			msg = xasprintf("job not COMPLETED within the account's last-accessed "
			    "deadline (%d s)", pool->wait_s);
			la_fail(p, "timeout", "JobTimeout", msg);
			free(msg);
			goto out;
		}
		aws_sleep_ms(delay < left * 1000 ? delay : left * 1000);
		if (aws_cancelled()) {
			la_fail(p, "error", "Cancelled", "interrupted");
			goto out;
		}
		delay = delay * 3 / 2 > LA_POLL_MAX_MS ? LA_POLL_MAX_MS : delay * 3 / 2;
		json_decref(res);
		res = NULL;
		if ((fail = src_query(c, AWS_IAM, "GetServiceLastAccessedDetails", q, &res)) != NULL) {
			la_fail_src(p, fail);
			goto out;
		}
		if ((js = jstr(res, "JobStatus")) == NULL) {
			la_fail(p, "error", "MalformedResponse",
			    "malformed response to " LA_GET ": no JobStatus");
			goto out;
		}
		if (strcmp(js, "IN_PROGRESS") == 0)
			continue;
		if (strcmp(js, "FAILED") == 0) {
			/* One fresh job is the documented retry (§4.23). */
			if (tries++ == 0) {
				json_decref(res);
				res = NULL;
				delay = pool->poll_ms;
				goto again;
			}
			msg = xasprintf("the job FAILED twice: %s: %s",
			    json_string_value(jpath(res, "Error.Code")) ?
			    json_string_value(jpath(res, "Error.Code")) : "no code",
			    json_string_value(jpath(res, "Error.Message")) ?
			    json_string_value(jpath(res, "Error.Message")) : "no message");
			la_fail(p, "error", "JobFailed", msg);
			free(msg);
			goto out;
		}
		if (strcmp(js, "COMPLETED") != 0) {
			msg = xasprintf("malformed response to " LA_GET ": JobStatus \"%.40s\"", js);
			la_fail(p, "error", "MalformedResponse", msg);
			free(msg);
			goto out;
		}
		break;
	}
	if (jstr(res, "JobType") != NULL)
		json_object_set_new(p, "JobType", jstring(jstr(res, "JobType")));
	if (jstr(res, "JobCompletionDate") != NULL)
		json_object_set_new(p, "JobCompletionDate", jstring(jstr(res, "JobCompletionDate")));
	la_pages(c, p, job, res);
out:
	json_decref(fail);
	json_decref(res);
	free(job);
	return rc;
}

static void *
la_worker(void *arg)
{
	struct la_pool *pool = arg;
	struct aws_client *c = aws_client_clone(pool->tmpl);
	json_t *p;
	size_t i;
	int stop;

	for (;;) {
		pthread_mutex_lock(&pool->lock);
		stop = pool->denied != NULL || aws_cancelled();
		i = pool->next++;
		pthread_mutex_unlock(&pool->lock);
		if (stop || i >= json_array_size(pool->principals))
			break;
		p = json_array_get(pool->principals, i);
		if (time(NULL) >= pool->deadline) {
			la_fail(p, "timeout", "JobTimeout",
			    "not started: the account's last-accessed deadline passed");
			continue;
		}
		if (la_one(pool, c, p) < 0)
			break;
	}
	pthread_mutex_lock(&pool->lock);
	pool->calls += aws_client_calls(c);
	pool->retries += aws_client_retries(c);
	pthread_mutex_unlock(&pool->lock);
	aws_client_free(c);
	return NULL;
}

/* The roles and users of an authorization_details source, as [{"Arn","type"}]. */
static json_t *
la_principals(const json_t *details)
{
	static const struct { const char *list, *type; } kinds[] = {
		{ "roles", "role" }, { "users", "user" },
	};
	json_t *out = json_array(), *e;
	size_t i, k;

	for (k = 0; k < 2; k++)
		json_array_foreach(jpath(details, kinds[k].list), i, e)
			if (jstr(e, "Arn") != NULL)
				json_array_append_new(out, json_pack("{s:s, s:s}",
				    "Arn", jstr(e, "Arn"), "type", kinds[k].type));
	return out;
}

json_t *
iam_last_accessed(const struct aws_client *tmpl, const json_t *details, const struct iam_la_opts *o, struct iam_la_count *cnt)
{
	struct la_pool pool;
	pthread_t *tids;
	json_t *out, *p, *data;
	long t0 = src_now_ms();
	size_t i, n, started = 0;
	int jobs = la_jobs(o->jobs);
	char *msg;

	memset(cnt, 0, sizeof(*cnt));
	if (src_status(details) != SNAP_ST_OK) {
		msg = xasprintf("authorization_details is %s, so the roles and users to ask "
		    "about are unknown", jstr(details, "status") ? jstr(details, "status") : "missing");
		out = src_fail(LA_GEN, "DependencyFailed", msg, 0);
		free(msg);
		return out;
	}
	memset(&pool, 0, sizeof(pool));
	pool.tmpl = tmpl;
	pool.principals = la_principals(json_object_get(details, "data"));
	pool.wait_s = o->wait_s > 0 ? o->wait_s : IAM_LA_WAIT_S;
	pool.deadline = time(NULL) + pool.wait_s;
	pool.poll_ms = la_poll_ms();
	pthread_mutex_init(&pool.lock, NULL);
	n = json_array_size(pool.principals);
	if ((size_t)jobs > n)
		jobs = n > 0 ? (int)n : 1;
	tids = xcalloc((size_t)jobs, sizeof(*tids));
	for (i = 0; i < (size_t)jobs; i++) {
		if (pthread_create(&tids[i], NULL, la_worker, &pool) != 0)
			break;
		started++;
	}
	if (started == 0)
		la_worker(&pool);	/* no thread to be had: do it here, one at a time */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&pool.lock);
	cnt->calls = pool.calls;
	cnt->retries = pool.retries;
	cnt->ms = src_now_ms() - t0;
	cnt->concurrency = jobs;
	cnt->wait_s = pool.wait_s;
	if (pool.denied != NULL) {
		/* Denied for one is denied for all: the source says so once. */
		json_decref(pool.principals);
		return pool.denied;
	}
	/* Principals a cancel left untouched carry no status: say so. */
	json_array_foreach(pool.principals, i, p)
		if (jstr(p, "status") == NULL)
			la_fail(p, "error", "Cancelled", "not read: the collection was interrupted");
	data = json_pack("{s:s, s:o}", "granularity", "ACTION_LEVEL",
	    "principals", pool.principals);
	return src_ok(LA_GEN, data);
}
