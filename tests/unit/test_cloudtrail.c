/* CloudTrail answers: LookupEvents pages, epoch times, nested records, de-duplication, trails. */
#include "tests/unit/t.h"

#include "common/common.h"
#include "collector/sources.h"

static json_t *
load(const char *s)
{
	json_error_t e;
	json_t *v = json_loads(s, 0, &e);

	if (v == NULL)
		printf("bad test JSON: %s\n", e.text);
	return v;
}

static void
t_epoch(void)
{
	char out[21];
	json_t *v;

	v = json_real(1.7040672E9);
	T(ct_epoch_iso(v, out), "real");
	T_STREQ(out, "2024-01-01T00:00:00Z");
	json_decref(v);
	v = json_integer(1704067200);
	T(ct_epoch_iso(v, out) && strcmp(out, "2024-01-01T00:00:00Z") == 0, "integer: %s", out);
	json_decref(v);
	v = json_real(1704067200.999);
	T(ct_epoch_iso(v, out) && strcmp(out, "2024-01-01T00:00:00Z") == 0, "fraction: %s", out);
	json_decref(v);
	v = json_string("1.7040672E9");
	T(ct_epoch_iso(v, out) && strcmp(out, "2024-01-01T00:00:00Z") == 0, "string: %s", out);
	json_decref(v);
	v = json_string("2024-01-01T00:00:00.5+00:00");
	T(ct_epoch_iso(v, out) && strcmp(out, "2024-01-01T00:00:00Z") == 0, "ISO: %s", out);
	json_decref(v);
	v = json_real(-1);
	T(!ct_epoch_iso(v, out), "negative accepted");
	json_decref(v);
	v = json_real(1e300);
	T(!ct_epoch_iso(v, out), "huge accepted");
	json_decref(v);
	v = json_string("soon");
	T(!ct_epoch_iso(v, out), "text accepted");
	json_decref(v);
	T(!ct_epoch_iso(NULL, out), "missing accepted");
}

static void
t_lookup_pages(void)
{
	/* The same event on two pages (a page boundary moving under us). */
	json_t *p1 = load("{\"Events\": ["
	    "{\"EventId\": \"e1\", \"EventName\": \"CreateRole\", \"ReadOnly\": \"false\","
	    " \"EventTime\": 1.7040672E9, \"Username\": \"alice\","
	    " \"Resources\": [{\"ResourceType\": \"AWS::IAM::Role\", \"ResourceName\": \"deploy\"}],"
	    " \"CloudTrailEvent\": \"{\\\"eventVersion\\\":\\\"1.08\\\",\\\"eventID\\\":\\\"e1\\\","
	    "\\\"requestParameters\\\":{\\\"roleName\\\":\\\"deploy\\\",\\\"assumeRolePolicyDocument\\\":"
	    "\\\"{\\\\\\\"Version\\\\\\\":\\\\\\\"2012-10-17\\\\\\\"}\\\"}}\"},"
	    "{\"EventId\": \"e2\", \"EventName\": \"CreateRole\", \"EventTime\": 1704153600,"
	    " \"CloudTrailEvent\": \"{not json\"}"
	    "], \"NextToken\": \"tok/1+=\"}");
	json_t *p2 = load("{\"Events\": [], \"NextToken\": \"tok2\"}");
	json_t *p3 = load("{\"Events\": [{\"EventId\": \"e1\", \"EventTime\": 1704067200,"
	    " \"CloudTrailEvent\": \"{}\"},"
	    " {\"EventId\": \"e3\", \"EventTime\": 1704240000.5,"
	    " \"CloudTrailEvent\": \"{\\\"errorCode\\\":\\\"AccessDenied\\\"}\"}]}");
	json_t *events = json_array(), *seen = json_object(), *e1, *rec;
	char *next = NULL, *err = NULL;

	T(ct_events_page(p1, events, seen, &next, &err), "page 1: %s", err);
	T_STREQ(next, "tok/1+=");
	free(next);
	T(ct_events_page(p2, events, seen, &next, &err), "page 2: %s", err);
	T_STREQ(next, "tok2");
	free(next);
	T(json_array_size(events) == 2, "empty page added events");
	T(ct_events_page(p3, events, seen, &next, &err), "page 3: %s", err);
	T(next == NULL, "last page has a NextToken");
	T(json_array_size(events) == 3, "%zu events after de-duplication", json_array_size(events));

	e1 = json_array_get(events, 0);
	T_STREQ(jstr(e1, "EventTime"), "2024-01-01T00:00:00Z");
	T_STREQ(jstr(e1, "Username"), "alice");
	rec = json_object_get(e1, "CloudTrailEvent");
	T(json_is_object(rec), "CloudTrailEvent not parsed");
	T_STREQ(json_string_value(jpath(rec, "requestParameters.roleName")), "deploy");
	/* requestParameters' policy stays as CloudTrail wrote it (a string). */
	T_STREQ(json_string_value(jpath(rec, "requestParameters.assumeRolePolicyDocument")),
	    "{\"Version\":\"2012-10-17\"}");
	T_STREQ(jstr(json_array_get(events, 1), "CloudTrailEvent"), "{not json");
	T_STREQ(jstr(json_array_get(events, 1), "EventTime"), "2024-01-02T00:00:00Z");
	/* Failed calls are kept. */
	T_STREQ(json_string_value(jpath(json_array_get(events, 2), "CloudTrailEvent.errorCode")),
	    "AccessDenied");
	T_STREQ(jstr(json_array_get(events, 2), "EventTime"), "2024-01-03T00:00:00Z");
	json_decref(p1);
	json_decref(p2);
	json_decref(p3);
	json_decref(events);
	json_decref(seen);
	free(err);
}

static void
t_lookup_malformed(void)
{
	json_t *events = json_array(), *seen = json_object(), *p;
	char *next = NULL, *err = NULL;

	p = load("{\"Events\": {\"EventId\": \"x\"}}");
	T(!ct_events_page(p, events, seen, &next, &err) && err != NULL, "Events object accepted");
	json_decref(p);
	p = load("{\"Events\": [1]}");
	T(!ct_events_page(p, events, seen, &next, &err), "number event accepted");
	json_decref(p);
	p = load("{\"Events\": [], \"NextToken\": 5}");
	T(!ct_events_page(p, events, seen, &next, &err), "numeric NextToken accepted");
	json_decref(p);
	p = load("{\"NextToken\": null}");
	T(ct_events_page(p, events, seen, &next, &err) && next == NULL, "null NextToken: %s", err);
	json_decref(p);
	json_decref(events);
	json_decref(seen);
	free(err);
}

static void
t_trails_dedup(void)
{
	json_t *trails = json_array(), *seen = json_object(), *p;
	char *err = NULL;

	p = load("{\"trailList\": ["
	    "{\"Name\": \"org-trail\", \"HomeRegion\": \"us-east-1\", \"IsMultiRegionTrail\": true,"
	    " \"TrailARN\": \"arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail\","
	    " \"LogFileValidationEnabled\": true},"
	    "{\"Name\": \"org-trail\", \"HomeRegion\": \"us-east-1\","
	    " \"TrailARN\": \"arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail\"},"
	    "{\"Name\": \"local\", \"HomeRegion\": \"eu-west-1\","
	    " \"TrailARN\": \"arn:aws:cloudtrail:eu-west-1:123456789012:trail/local\"},"
	    "{\"Name\": \"local\", \"HomeRegion\": \"eu-west-2\","
	    " \"TrailARN\": \"arn:aws:cloudtrail:eu-west-2:123456789012:trail/local\"}]}");
	T(ct_trails_page(p, trails, seen, &err), "page: %s", err);
	T(json_array_size(trails) == 3, "%zu trails", json_array_size(trails));
	T(json_is_true(json_object_get(json_array_get(trails, 0), "LogFileValidationEnabled")),
	    "first copy kept");
	T_STREQ(jstr(json_array_get(trails, 2), "HomeRegion"), "eu-west-2");
	json_decref(p);
	p = load("{}");
	T(ct_trails_page(p, trails, seen, &err) && json_array_size(trails) == 3, "no trailList");
	json_decref(p);
	p = load("{\"trailList\": [{\"HomeRegion\": \"x\"}]}");
	T(!ct_trails_page(p, trails, seen, &err) && strstr(err, "TrailARN") != NULL,
	    "nameless trail: %s", err);
	json_decref(p);
	json_decref(trails);
	json_decref(seen);
	free(err);
}

static void
t_events_region(void)
{
	struct aws_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.region = (char *)"eu-west-1";
	T_STREQ(ct_events_region(&cfg), "us-east-1");
	cfg.region = (char *)"cn-northwest-1";
	T_STREQ(ct_events_region(&cfg), "cn-north-1");
	cfg.region = (char *)"us-gov-east-1";
	T_STREQ(ct_events_region(&cfg), "us-gov-west-1");
}

static void
t_source_objects(void)
{
	json_t *s;

	s = src_fail("cloudtrail:GetTrailStatus", "AccessDeniedException", "no", 400);
	T_STREQ(jstr(s, "status"), "denied");
	T_STREQ(jstr(s, "api_call"), "cloudtrail:GetTrailStatus");
	T(jint(json_object_get(s, "error"), "http_status", 0) == 400, "http_status");
	T(src_status(s) == SNAP_ST_DENIED, "src_status");
	json_decref(s);
	s = src_fail("cloudtrail:GetEventSelectors", "TrailNotFoundException", NULL, 400);
	T_STREQ(jstr(s, "status"), "error");
	T_STREQ(json_string_value(jpath(s, "error.message")), "TrailNotFoundException");
	json_decref(s);
	s = src_ok("cloudtrail:GetEventSelectors", load("{\"AdvancedEventSelectors\": "
	    "[{\"Name\": \"m\", \"FieldSelectors\": [{\"Field\": \"eventCategory\","
	    " \"Equals\": [\"Management\"]}]}]}"));
	T_STREQ(json_string_value(json_array_get(jpath(json_array_get(json_object_get(
	    json_array_get(jpath(s, "data.AdvancedEventSelectors"), 0), "FieldSelectors"), 0),
	    "Equals"), 0)), "Management");
	T(src_status(s) == SNAP_ST_OK && json_object_get(s, "error") == NULL, "ok");
	json_decref(s);
	s = src_fail("x:Y", "Bad\xff", "m\xc3", 0);
	T(s != NULL && jstr(json_object_get(s, "error"), "code") != NULL, "invalid UTF-8");
	json_decref(s);
}

int
main(void)
{
	RUN(t_epoch);
	RUN(t_lookup_pages);
	RUN(t_lookup_malformed);
	RUN(t_trails_dedup);
	RUN(t_events_region);
	RUN(t_source_objects);
	return t_done();
}
