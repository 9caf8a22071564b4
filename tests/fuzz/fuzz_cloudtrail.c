/*
 * Fuzz target: CloudTrail's JSON.  Every input is tried as a LookupEvents
 * page, as a DescribeTrails page (whose object also stands for each
 * trail's GetTrailStatus and GetEventSelectors answer), as a JSON error
 * body, and as one CloudTrailEvent record (the string inside a page).
 * What parses becomes the snapshot's create_role_events or trails source
 * and is graded; the events also become a change_events source, next to
 * authorization details holding the roles and policies they name (trust
 * and inline policy from the request), so that CHG-01 runs ROLE-01..06's
 * rules on hostile documents and CHG-02/03 read hostile callers and targets.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/aws_int.h"
#include "collector/sources.h"
#include "tests/fuzz/fuzz.h"

/* At most this many roles from one input's events: grading stays cheap. */
#define CT_FUZZ_ROLES	8

/* A RoleDetail for the role an event names, from its request's documents. */
static json_t *
ct_fuzz_role(const json_t *rp, const char *name)
{
	json_t *doc = json_object_get(rp, "policyDocument"), *r;
	const char *arn = jstr(rp, "policyArn");

	if (doc == NULL)
		doc = json_string("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
	else
		json_incref(doc);
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:[{s:s, s:O}], s:[]}",
	    "RoleName", name, "RoleId", "AROAFUZZ", "Arn", "arn:aws:iam::123456789012:role/fuzz",
	    "Path", "/", "CreateDate", "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument", doc,
	    "RolePolicyList", "PolicyName", jstr(rp, "policyName") ? jstr(rp, "policyName") : "p",
	    "PolicyDocument", doc, "AttachedManagedPolicies");
	if (r != NULL && arn != NULL)
		json_array_append_new(json_object_get(r, "AttachedManagedPolicies"),
		    json_pack("{s:s, s:s}", "PolicyName", "fuzz", "PolicyArn", arn));
	json_decref(doc);
	return r;
}

/* The events as change_events, with the roles they name, graded. */
static void
ct_fuzz_changes(const json_t *events)
{
	json_t *data, *snap, *roles = json_array(), *r, *ev;
	const json_t *rp;
	const char *name;
	size_t i;

	json_array_foreach(events, i, ev) {
		rp = jpath(ev, "CloudTrailEvent.requestParameters");
		if (json_array_size(roles) < CT_FUZZ_ROLES && (name = jstr(rp, "roleName")) != NULL &&
		    (r = ct_fuzz_role(rp, name)) != NULL)
			json_array_append_new(roles, r);
	}
	data = json_pack("{s:s, s:s, s:s, s:[s], s:b, s:O}", "start", "2026-10-28T10:00:00Z",
	    "end", "2026-11-27T10:00:00Z", "region", "us-east-1", "trail_regions", "us-east-1",
	    "trail_regions_complete", 1, "events", events);
	snap = fuzz_snapshot_new("change_events", src_ok("cloudtrail:LookupEvents", data));
	json_object_set_new(json_object_get(snap, "sources"), "authorization_details",
	    src_ok("iam:GetAccountAuthorizationDetails", json_pack("{s:[], s:[], s:o, s:[]}",
	    "users", "groups", "roles", roles, "policies")));
	fuzz_grade(snap);
}

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
		ct_fuzz_changes(events);
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
