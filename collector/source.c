/* Source objects: what each source brought back, or why it could not. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "collector/sources.h"
#include "collector/xml.h"

json_t *
src_ok(const char *call, json_t *data)
{
	json_t *s = json_object();

	json_object_set_new(s, "status", json_string(snap_status_names[SNAP_ST_OK]));
	json_object_set_new(s, "api_call", jstring(call));

	if (data != NULL)
		json_object_set_new(s, "data", data);
	return s;
}

json_t *
src_absent(const char *call)
{
	json_t *s = json_object();

	json_object_set_new(s, "status", json_string(snap_status_names[SNAP_ST_ABSENT]));
	json_object_set_new(s, "api_call", jstring(call));
	return s;
}

json_t *
src_fail(const char *call, const char *code, const char *message, long http_status)
{
	enum snap_status st;
	json_t *s, *e;

	if (code == NULL || *code == '\0')
		code = "UnknownError";
	st = aws_code_is_denied(code) ? SNAP_ST_DENIED : SNAP_ST_ERROR;
	e = json_object();
	json_object_set_new(e, "code", jstring(code));
	json_object_set_new(e, "message", jstring(message ? message : code));
	json_object_set_new(e, "http_status", json_integer(http_status));
	s = json_object();
	json_object_set_new(s, "status", json_string(snap_status_names[st]));
	json_object_set_new(s, "api_call", jstring(call));
	json_object_set_new(s, "error", e);
	return s;
}

json_t *
src_partial(const char *call, json_t *data, const char *code, const char *message)
{
	json_t *s = src_ok(call, data);

	json_object_set_new(s, "status", json_string(snap_status_names[SNAP_ST_PARTIAL]));
	json_object_set_new(s, "error", json_pack("{s:o, s:o, s:i}", "code",
	    jstring(code), "message", jstring(message), "http_status", 0));
	return s;
}

json_t *
src_from_resp(const struct aws_resp *r)
{
	char *code = NULL, *msg = NULL;
	json_t *s;

	/*
	 * An error body the transport could not read (it names no code) may
	 * still be Query XML: emulators answer JSON services that way.
	 */
	if (r->result == AWS_RES_API_ERROR && r->body != NULL &&
	    (r->code == NULL || strncmp(r->code, "HTTP", 4) == 0) &&
	    xml_error(r->body, r->len, &code, &msg))
		s = src_fail(r->call ? r->call : "unknown", code, msg, r->http_status);
	else
		s = src_fail(r->call ? r->call : "unknown", r->code, r->message, r->http_status);
	free(code);
	free(msg);
	/* Extra members for people chasing the failure with AWS support. */
	if (r->request_id != NULL && *r->request_id != '\0')
		json_object_set_new(json_object_get(s, "error"), "request_id",
		    jstring(r->request_id));
	if (r->endpoint != NULL && *r->endpoint != '\0')
		json_object_set_new(json_object_get(s, "error"), "endpoint",
		    jstring(r->endpoint));
	return s;
}

enum snap_status
src_status(const json_t *src)
{
	int st = snap_status(src);

	return st < 0 ? SNAP_ST_ERROR : (enum snap_status)st;
}

json_t *
src_query(struct aws_client *c, enum aws_svc svc, const char *action,
    const struct aws_param *params, json_t **result)
{
	size_t len;

	return src_query_n(c, svc, action, params, result, &len);
}

json_t *
src_query_n(struct aws_client *c, enum aws_svc svc, const char *action,
    const struct aws_param *params, json_t **result, size_t *len)
{
	static const struct aws_param none[] = { { NULL, NULL } };
	struct aws_resp r;
	json_t *fail = NULL;
	char *call, *perr = NULL, *msg;

	memset(&r, 0, sizeof(r));
	*result = NULL;
	call = xasprintf("%s:%s", aws_svc_names[svc], action);
	if (aws_query(c, svc, action, params ? params : none, &r) != AWS_RES_OK) {
		if (r.call == NULL)
			r.call = xstrdup(call);
		fail = src_from_resp(&r);
	} else if (!xml_result(r.body, r.len, action, &xml_iam, result, &perr)) {
		msg = xasprintf("malformed response to %s: %s", call, perr);
		fail = src_fail(call, "MalformedResponse", msg, r.http_status);
		free(msg);
	}
	*len = r.result == AWS_RES_OK ? r.len : 0;
	free(call);
	free(perr);
	aws_resp_free(&r);
	return fail;
}

json_t *
src_json(struct aws_client *c, enum aws_svc svc, const char *region,
    const char *op, const json_t *body, json_t **result)
{
	size_t len;

	return src_json_n(c, svc, region, op, body, result, &len);
}

json_t *
src_json_n(struct aws_client *c, enum aws_svc svc, const char *region,
    const char *op, const json_t *body, json_t **result, size_t *len)
{
	struct aws_resp r;
	json_error_t je;
	json_t *fail = NULL;
	char *call, *req, *msg;

	memset(&r, 0, sizeof(r));
	*result = NULL;
	call = xasprintf("%s:%s", aws_svc_names[svc], op);
	req = body ? jdump(body, 0) : xstrdup("{}");
	if (aws_json(c, svc, region, op, req, &r) != AWS_RES_OK) {
		if (r.call == NULL)
			r.call = xstrdup(call);
		fail = src_from_resp(&r);
	} else if (r.body == NULL ||
	    (*result = json_loadb(r.body, r.len, 0, &je)) == NULL ||
	    !json_is_object(*result)) {
		msg = xasprintf("malformed response to %s: %s", call,
		    r.body == NULL || r.len == 0 ? "empty body" :
		    *result == NULL ? je.text : "not a JSON object");
		fail = src_fail(call, "MalformedResponse", msg, r.http_status);
		free(msg);
		json_decref(*result);
		*result = NULL;
	}
	*len = r.result == AWS_RES_OK ? r.len : 0;
	free(call);
	free(req);
	aws_resp_free(&r);
	return fail;
}

long
src_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Pagination guards. */

/* A cap from the environment (tests, the benchmark), else def. */
static unsigned long long
src_cap(const char *env, unsigned long long def)
{
	const char *v = getenv(env);
	unsigned long long n;
	char *end;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno != 0 || *end != '\0' || n == 0 ? def : n;
}

void
src_pager_init(struct src_pager *pg, const char *call, long max_items)
{
	memset(pg, 0, sizeof(*pg));
	pg->call = call;
	pg->seen = json_object();
	pg->max_pages = (long)src_cap("IAMGRADE_MAX_PAGES", SRC_MAX_PAGES);
	pg->max_bytes = src_cap("IAMGRADE_MAX_SOURCE_BYTES", SRC_MAX_BYTES);
	if (max_items == SRC_MAX_EVENTS)
		max_items = (long)src_cap("IAMGRADE_MAX_EVENTS", SRC_MAX_EVENTS);
	pg->max_items = max_items;
}

void
src_pager_free(struct src_pager *pg)
{
	json_decref(pg->seen);
	pg->seen = NULL;
}

void
src_pager_page(struct src_pager *pg, size_t bytes, size_t items)
{
	if (pg->lock != NULL)
		pthread_mutex_lock(pg->lock);
	pg->pages++;
	pg->bytes += bytes;
	pg->items += (long)items;
	if (pg->lock != NULL)
		pthread_mutex_unlock(pg->lock);
}

static enum snap_status src_pager_next_locked(struct src_pager *, const char *,
	    const char *, char **);

enum snap_status
src_pager_next(struct src_pager *pg, const char *scope, const char *marker, char **msg)
{
	enum snap_status st;

	if (pg->lock != NULL)
		pthread_mutex_lock(pg->lock);
	st = src_pager_next_locked(pg, scope, marker, msg);
	if (pg->lock != NULL)
		pthread_mutex_unlock(pg->lock);
	return st;
}

static enum snap_status
src_pager_next_locked(struct src_pager *pg, const char *scope, const char *marker, char **msg)
{
	char hex[65], *key, shown[41];
	size_t n;

	/* Scope and marker, NUL apart: "a" + "bc" is not "ab" + "c". */
	n = scope ? strlen(scope) + 1 : 0;
	key = xmalloc(n + strlen(marker) + 1);
	if (scope != NULL)
		memcpy(key, scope, n);
	strcpy(key + n, marker);
	sha256_hex(key, n + strlen(marker), hex);
	free(key);
	if (json_object_get(pg->seen, hex) != NULL) {
		/* Shown truncated: the marker is the server's, of any size. */
		snprintf(shown, sizeof(shown), "%s", marker);
		*msg = xasprintf("%s: the server sent a %s it had sent before, after "
		    "page %ld%s%s: \"%s%s\" (a pagination loop)", pg->call,
		    strncmp(pg->call, "iam:", 4) == 0 ? "Marker" : "NextToken", pg->pages,
		    scope ? " of " : "", scope ? scope : "", shown,
		    strlen(marker) >= sizeof(shown) ? "..." : "");
		pg->code = "PaginationLoop";
		return SNAP_ST_ERROR;
	}
	json_object_set_new(pg->seen, hex, json_true());
	if (pg->pages >= pg->max_pages) {
		*msg = xasprintf("%s: stopped at the cap of %ld pages per source "
		    "(%ld pages, %llu bytes read; the server announced more)",
		    pg->call, pg->max_pages, pg->pages, pg->bytes);
		pg->code = "PageLimit";
		return SNAP_ST_PARTIAL;
	}
	if (pg->bytes >= pg->max_bytes) {
		*msg = xasprintf("%s: stopped at the cap of %llu bytes of answers per "
		    "source (%llu bytes in %ld pages read; the server announced more)",
		    pg->call, pg->max_bytes, pg->bytes, pg->pages);
		pg->code = "ByteLimit";
		return SNAP_ST_PARTIAL;
	}
	if (pg->max_items > 0 && pg->items >= pg->max_items) {
		*msg = xasprintf("%s: stopped at the cap of %ld items per source "
		    "(%ld read in %ld pages; the server announced more)",
		    pg->call, pg->max_items, pg->items, pg->pages);
		pg->code = "ItemLimit";
		return SNAP_ST_PARTIAL;
	}
	return SNAP_ST_OK;
}
