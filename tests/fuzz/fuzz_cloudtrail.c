/*
 * Fuzz target: CloudTrail's JSON.  Every input is tried as a LookupEvents
 * page, as a DescribeTrails page (whose object also stands for each
 * trail's GetTrailStatus and GetEventSelectors answer), as a JSON error
 * body, and as one CloudTrailEvent record (the string inside a page).
 * What parses becomes the snapshot's create_role_events or trails source
 * and is graded.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/aws_int.h"
#include "collector/sources.h"
#include "tests/fuzz/fuzz.h"

/* ct_events_page on a page, then grade the events it kept. */
static void
ct_fuzz_events(const json_t *page)
{
	json_t *events = json_array(), *seen = json_object(), *data;
	char *next = NULL, *err = NULL;

	if (ct_events_page(page, events, seen, &next, &err)) {
		data = json_pack("{s:s, s:s, s:s, s:O}", "start", "2026-10-28T10:00:00Z",
		    "end", "2026-11-27T10:00:00Z", "region", "us-east-1", "events", events);
		fuzz_grade(fuzz_snapshot_new("create_role_events",
		    src_ok("cloudtrail:LookupEvents", data)));
	}
	free(next);
	free(err);
	json_decref(events);
	json_decref(seen);
}

static void
ct_fuzz_trails(json_t *page)
{
	json_t *trails = json_array(), *seen = json_object(), *data, *t;
	char *err = NULL;
	size_t i;

	if (ct_trails_page(page, trails, seen, &err) && json_array_size(trails) > 0) {
		data = json_array();
		json_array_foreach(trails, i, t)
			json_array_append_new(data, json_pack("{s:O, s:o, s:o}", "trail", t,
			    "status", src_ok("cloudtrail:GetTrailStatus", json_incref(page)),
			    "event_selectors", src_ok("cloudtrail:GetEventSelectors",
			    json_incref(page))));
		fuzz_grade(fuzz_snapshot_new("trails", src_ok("cloudtrail:DescribeTrails", data)));
	}
	free(err);
	json_decref(trails);
	json_decref(seen);
}

int
fuzz_cloudtrail(const uint8_t *data, size_t size)
{
	struct aws_resp r = { 0 };
	json_t *page, *rec;
	char *body = fuzz_strdup(data, size);

	if ((page = json_loadb(body, size, 0, NULL)) != NULL) {
		ct_fuzz_events(page);
		ct_fuzz_trails(page);
		json_decref(page);
	}
	aws_parse_json_error(body, size, 400, NULL, &r);
	aws_resp_free(&r);
	/* The record arrives as a string; json_stringn refuses invalid UTF-8 as the page would. */
	if ((rec = json_stringn(body, size)) != NULL) {
		page = json_pack("{s:[{s:s, s:s, s:f, s:s, s:o}]}", "Events",
		    "EventId", "fuzz-1", "EventName", "CreateRole", "EventTime", 1795000000.5,
		    "Username", "fuzz", "CloudTrailEvent", rec);
		ct_fuzz_events(page);
		json_decref(page);
	}
	free(body);
	return 0;
}
