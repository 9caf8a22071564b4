/* CloudTrail sources: trails with their status and selectors, and recent CreateRole events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/sources.h"

/*
 * LookupEvents allows 2 requests per second per account and region.
 * IAMGRADE_LOOKUP_GAP_MS (1-500) narrows the gap for a peer that allows
 * more, as the test bed does for the suites' sake (every account's changes
 * are 14 paced calls: 7 s at AWS's rate); never wider than AWS's.
 */
#define CT_LOOKUP_GAP_MS	500

static long
ct_gap_ms(void)
{
	const char *e = getenv("IAMGRADE_LOOKUP_GAP_MS");
	long ms = e ? strtol(e, NULL, 10) : 0;

	return ms >= 1 && ms <= CT_LOOKUP_GAP_MS ? ms : CT_LOOKUP_GAP_MS;
}

static json_t *
ct_malformed(const char *call, const char *what)
{
	char *msg = xasprintf("malformed response to %s: %s", call, what);
	json_t *s = src_fail(call, "MalformedResponse", msg, 200);

	free(msg);
	return s;
}

int
ct_trails_page(const json_t *resp, json_t *trails, json_t *seen, char **err)
{
	json_t *list = json_object_get(resp, "trailList"), *t;
	const char *key;
	size_t i;

	if (list == NULL)
		return 1;
	if (!json_is_array(list))
		return err_set(err, "trailList is not an array");
	json_array_foreach(list, i, t) {
		if (!json_is_object(t))
			return err_set(err, "a trailList member is not an object");
		/* A multi-region trail shows up once per region it applies to. */
		if ((key = jstr(t, "TrailARN")) == NULL && (key = jstr(t, "Name")) == NULL)
			return err_set(err, "a trail without TrailARN or Name");
		if (json_object_get(seen, key) != NULL)
			continue;
		json_object_set_new(seen, key, json_true());
		json_array_append(trails, t);
	}
	return 1;
}

/* A per-trail call as a source object of its own. */
static json_t *
ct_trail_call(struct aws_client *c, const char *region, const char *op,
    const char *param, const char *trail)
{
	json_t *body = json_pack("{s:s}", param, trail), *resp, *fail;
	char *call;

	fail = src_json(c, AWS_CLOUDTRAIL, region, op, body, &resp);
	json_decref(body);
	if (fail != NULL)
		return fail;
	call = xasprintf("cloudtrail:%s", op);
	fail = src_ok(call, resp);
	free(call);
	return fail;
}

json_t *
ct_trails(struct aws_client *c, const struct aws_config *cfg)
{
	json_t *body, *resp = NULL, *fail, *trails, *seen, *data = NULL, *t, *out = NULL;
	json_t *status, *selectors;
	const char *name, *home;
	char *err = NULL;
	size_t i;

	trails = json_array();
	seen = json_object();
	body = json_pack("{s:b}", "includeShadowTrails", 1);
	if ((fail = src_json(c, AWS_CLOUDTRAIL, cfg->region, "DescribeTrails", body, &resp)) != NULL) {
		out = fail;
		goto out;
	}
	if (!ct_trails_page(resp, trails, seen, &err)) {
		out = ct_malformed("cloudtrail:DescribeTrails", err);
		goto out;
	}
	data = json_array();
	json_array_foreach(trails, i, t) {
		if ((name = jstr(t, "TrailARN")) == NULL)
			name = jstr(t, "Name");
		/* Shadow trails answer only in their home region, by ARN. */
		if ((home = jstr(t, "HomeRegion")) == NULL)
			home = cfg->region;
		status = ct_trail_call(c, home, "GetTrailStatus", "Name", name);
		selectors = ct_trail_call(c, home, "GetEventSelectors", "TrailName", name);
		json_array_append_new(data, json_pack("{s:O, s:o, s:o}", "trail", t,
		    "status", status, "event_selectors", selectors));
	}
	out = src_ok("cloudtrail:DescribeTrails", data);
	data = NULL;
out:
	json_decref(body);
	json_decref(resp);
	json_decref(trails);
	json_decref(seen);
	json_decref(data);
	free(err);
	return out;
}

const char *
ct_events_region(const struct aws_config *cfg)
{
	const char *r = cfg->region ? cfg->region : "";

	/* IAM is global: its events are recorded in the partition's IAM region. */
	if (strncmp(r, "cn-", 3) == 0)
		return "cn-north-1";
	if (strncmp(r, "us-gov-", 7) == 0)
		return "us-gov-west-1";
	return "us-east-1";
}

int
ct_epoch_iso(const json_t *v, char out[21])
{
	const char *s;
	char *end;
	double d;
	time_t t;

	if (json_is_number(v))
		d = json_number_value(v);
	else if ((s = json_string_value(v)) != NULL) {
		if (time_parse(s, &t)) {
			time_fmt(t, out);
			return 1;
		}
		d = strtod(s, &end);
		if (end == s || *end != '\0')
			return 0;
	} else
		return 0;
	/* Year 1970 to 9999; anything else is not a CloudTrail time. */
	if (!isfinite(d) || d < 0 || d >= 253402300800.0)
		return 0;
	time_fmt((time_t)floor(d), out);
	return 1;
}

static json_t *
ct_event(const json_t *ev)
{
	json_t *out = json_copy((json_t *)ev), *rec;
	const char *text;
	char iso[21];

	if (ct_epoch_iso(json_object_get(ev, "EventTime"), iso))
		json_object_set_new(out, "EventTime", json_string(iso));
	/* The full record arrives as a JSON string inside the JSON answer. */
	if ((text = jstr(ev, "CloudTrailEvent")) != NULL &&
	    (rec = json_loads(text, 0, NULL)) != NULL) {
		if (json_is_object(rec))
			json_object_set_new(out, "CloudTrailEvent", rec);
		else
			json_decref(rec);
	}
	return out;
}

int
ct_events_page(const json_t *resp, json_t *events, json_t *seen, char **next, char **err)
{
	json_t *list = json_object_get(resp, "Events"), *ev, *tok;
	const char *id;
	size_t i;

	*next = NULL;
	if (list != NULL && !json_is_array(list))
		return err_set(err, "Events is not an array");
	json_array_foreach(list, i, ev) {
		if (!json_is_object(ev))
			return err_set(err, "an Events member is not an object");
		if ((id = jstr(ev, "EventId")) != NULL) {
			if (json_object_get(seen, id) != NULL)
				continue;
			json_object_set_new(seen, id, json_true());
		}
		json_array_append_new(events, ct_event(ev));
	}
	tok = json_object_get(resp, "NextToken");
	if (tok != NULL && !json_is_null(tok) && !json_is_string(tok))
		return err_set(err, "NextToken is not a string");
	if (json_string_value(tok) != NULL && *json_string_value(tok) != '\0')
		*next = xstrdup(json_string_value(tok));
	return 1;
}

/*
 * One LookupEvents series: every page of EventName=name over [start, end]
 * in region, appended to events (de-duplicated by seen), paced after the
 * call that ended at *last (-1: none yet) and counted in pg.  NULL when
 * the series is read (*partial set when a cap stopped it, with *msg), else
 * the failure as a source object.
 */
static json_t *
ct_lookup_series(struct aws_client *c, const char *region, const char *name,
    time_t start, time_t end, struct src_pager *pg, json_t *events, json_t *seen,
    long *last, int *partial, char **msg)
{
	static const char call[] = "cloudtrail:LookupEvents";
	enum snap_status st;
	json_t *body, *resp = NULL, *out = NULL;
	char *next = NULL, *err = NULL, *scope;
	long gap, want = ct_gap_ms();
	size_t len, before;

	scope = xasprintf("%s %s", region, name);
	/* NextToken must come back with exactly the same other parameters. */
	body = json_pack("{s:[{s:s, s:s}], s:I, s:I, s:i}",
	    "LookupAttributes", "AttributeKey", "EventName", "AttributeValue", name,
	    "StartTime", (json_int_t)start, "EndTime", (json_int_t)end, "MaxResults", 50);
	for (;;) {
		if (*last >= 0 && (gap = src_now_ms() - *last) < want)
			aws_sleep_ms(want - gap);
		out = src_json_n(c, AWS_CLOUDTRAIL, region, "LookupEvents", body, &resp, &len);
		/* From the end of the call: its last attempt may be a retry. */
		*last = src_now_ms();
		if (out != NULL)
			goto out;
		free(next);
		before = json_array_size(events);
		if (!ct_events_page(resp, events, seen, &next, &err)) {
			out = ct_malformed(call, err);
			goto out;
		}
		src_pager_page(pg, len, json_array_size(events) - before);
		json_decref(resp);
		resp = NULL;
		/* Pages may be empty while NextToken is still there: keep going. */
		if (next == NULL)
			break;
		if ((st = src_pager_next(pg, scope, next, msg)) == SNAP_ST_ERROR) {
			out = src_fail(call, pg->code, *msg, 200);
			goto out;
		}
		if (st == SNAP_ST_PARTIAL) {
			*partial = 1;
			break;
		}
		json_object_set_new(body, "NextToken", json_string(next));
	}
out:
	json_decref(body);
	json_decref(resp);
	free(next);
	free(err);
	free(scope);
	return out;
}

json_t *
ct_create_role_events(struct aws_client *c, const struct aws_config *cfg,
    time_t start, time_t end)
{
	static const char call[] = "cloudtrail:LookupEvents";
	const char *region = ct_events_region(cfg);
	struct src_pager pg;
	json_t *events, *seen, *out, *data;
	char *msg = NULL, s[21], e[21];
	long last = -1;
	int partial = 0;

	events = json_array();
	seen = json_object();
	/* Events per source are capped too: a flood of denied calls is free to make. */
	src_pager_init(&pg, call, SRC_MAX_EVENTS);
	out = ct_lookup_series(c, region, "CreateRole", start, end, &pg, events, seen,
	    &last, &partial, &msg);
	if (out != NULL)
		goto out;
	data = json_pack("{s:s, s:s, s:s, s:O}", "start", time_fmt(start, s),
	    "end", time_fmt(end, e), "region", region, "events", events);
	out = partial ? src_partial(call, data, pg.code, msg) : src_ok(call, data);
out:
	src_pager_free(&pg);
	json_decref(events);
	json_decref(seen);
	free(msg);
	return out;
}

/*
 * The event names CHG-* read (docs/snapshot-format.md, "change_events"):
 * IAM's are global, recorded in ct_events_region; CloudTrail's own are
 * recorded in the region the call was made to, the trail's home region.
 */
const char *const ct_change_iam_names[] = {
	"UpdateAssumeRolePolicy", "AttachRolePolicy", "PutRolePolicy", "CreatePolicyVersion",
	"SetDefaultPolicyVersion", "CreateAccessKey", "CreateLoginProfile",
	"UpdateLoginProfile", NULL
};
const char *const ct_change_trail_names[] = {
	"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors",
	"PutInsightSelectors", NULL
};

/* The regions to search for CloudTrail's own events, once each (new array). */
static json_t *
ct_change_regions(const struct aws_config *cfg, const json_t *trails)
{
	json_t *out = json_array(), *seen = json_object(), *t;
	const char *r[2] = { ct_events_region(cfg), cfg->region }, *home;
	size_t i;

	for (i = 0; i < 2; i++)
		if (r[i] != NULL && json_object_get(seen, r[i]) == NULL) {
			json_object_set_new(seen, r[i], json_true());
			json_array_append_new(out, json_string(r[i]));
		}
	json_array_foreach(json_object_get(trails, "data"), i, t) {
		home = jstr(json_object_get(t, "trail"), "HomeRegion");
		if (home != NULL && json_object_get(seen, home) == NULL) {
			json_object_set_new(seen, home, json_true());
			json_array_append_new(out, json_string(home));
		}
	}
	json_decref(seen);
	return out;
}

json_t *
ct_change_events(struct aws_client *c, const struct aws_config *cfg,
    const json_t *trails, time_t start, time_t end)
{
	static const char call[] = "cloudtrail:LookupEvents";
	const char *region = ct_events_region(cfg);
	struct src_pager pg;
	json_t *events, *seen, *regions, *out = NULL, *data, *r;
	char *msg = NULL, s[21], e[21];
	/* Right after CreateRole's series, in the same account and region. */
	long last = src_now_ms();
	int partial = 0, trails_ok = snap_status(trails) == SNAP_ST_OK;
	size_t i, k;

	events = json_array();
	seen = json_object();
	regions = ct_change_regions(cfg, trails_ok ? trails : NULL);
	src_pager_init(&pg, call, SRC_MAX_EVENTS);
	for (i = 0; ct_change_iam_names[i] != NULL && !partial; i++)
		if ((out = ct_lookup_series(c, region, ct_change_iam_names[i], start, end, &pg,
		    events, seen, &last, &partial, &msg)) != NULL)
			goto out;
	json_array_foreach(regions, k, r)
		for (i = 0; ct_change_trail_names[i] != NULL && !partial; i++)
			if ((out = ct_lookup_series(c, json_string_value(r), ct_change_trail_names[i],
			    start, end, &pg, events, seen, &last, &partial, &msg)) != NULL)
				goto out;
	data = json_pack("{s:s, s:s, s:s, s:O, s:b, s:O}", "start", time_fmt(start, s),
	    "end", time_fmt(end, e), "region", region, "trail_regions", regions,
	    "trail_regions_complete", trails_ok, "events", events);
	out = partial ? src_partial(call, data, pg.code, msg) : src_ok(call, data);
out:
	src_pager_free(&pg);
	json_decref(events);
	json_decref(seen);
	json_decref(regions);
	free(msg);
	return out;
}
