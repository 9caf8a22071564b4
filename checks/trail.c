/*
 * TRAIL-*: CloudTrail.  A trail qualifies for TRAIL-01 when it is multi-
 * region, includes global service events (IAM's), is logging and records
 * every management event, read and write.  One qualifying trail is
 * enough; a trail whose status or selectors could not be read leaves the
 * answer open unless another trail qualifies.
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"

enum trail_verdict { TRAIL_OK, TRAIL_BAD, TRAIL_UNKNOWN };

static int
strings_have(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Advanced selectors: eventCategory = Management, no readOnly filter, no source filter leaving IAM out. */
static int
advanced_records_all(const json_t *sel)
{
	const json_t *fs, *f;
	const char *field;
	size_t i;
	int mgmt = 0;

	fs = json_object_get(sel, "FieldSelectors");
	json_array_foreach(fs, i, f) {
		if ((field = jstr(f, "Field")) == NULL)
			continue;
		if (strcmp(field, "eventCategory") == 0)
			mgmt = strings_have(json_object_get(f, "Equals"), "Management");
		else if (strcmp(field, "readOnly") == 0)
			return 0;
		else if (strcmp(field, "eventSource") == 0)
			return 0;
	}
	return mgmt;
}

static int
records_management_rw(const json_t *d)
{
	const json_t *sels = json_object_get(d, "EventSelectors"), *s;
	const char *rw;
	size_t i;

	json_array_foreach(sels, i, s) {
		rw = jstr(s, "ReadWriteType");
		if (jbool(s, "IncludeManagementEvents", 1) && (rw == NULL || strcmp(rw, "All") == 0) &&
		    !strings_have(json_object_get(s, "ExcludeManagementEventSources"), "iam.amazonaws.com"))
			return 1;
	}
	json_array_foreach(json_object_get(d, "AdvancedEventSelectors"), i, s)
		if (advanced_records_all(s))
			return 1;
	return 0;
}

/*
 * Judge one trail for TRAIL-01: what is wrong with it (appended to bad,
 * "; "-separated) or why it cannot be judged (*why, caller frees).
 */
static enum trail_verdict
trail_judge(const json_t *e, struct buf *bad, char **why)
{
	const json_t *t = json_object_get(e, "trail");
	const json_t *st = json_object_get(e, "status");
	const json_t *sel = json_object_get(e, "event_selectors");
	const char *name = jstr(t, "Name") ? jstr(t, "Name") : jstr(t, "TrailARN");
	struct buf unknown = { 0 };

	*why = NULL;
	if (!jbool(t, "IsMultiRegionTrail", 0))
		buf_printf(bad, "%snot multi-region", bad->len ? "; " : "");
	if (!jbool(t, "IncludeGlobalServiceEvents", 0))
		buf_printf(bad, "%sdoes not include global service events (IAM)", bad->len ? "; " : "");
	if (st == NULL || strcmp(jstr(st, "status"), "ok") != 0) {
		char *w = check_source_why("GetTrailStatus", st);

		buf_printf(&unknown, "trail %s: %s", name ? name : "?", w);
		free(w);
	} else if (!jbool(json_object_get(st, "data"), "IsLogging", 0))
		buf_printf(bad, "%sis not logging", bad->len ? "; " : "");
	if (sel == NULL || strcmp(jstr(sel, "status"), "ok") != 0) {
		char *w = check_source_why("GetEventSelectors", sel);

		buf_printf(&unknown, "%strail %s: %s", unknown.len ? "; " : "", name ? name : "?", w);
		free(w);
	} else if (!records_management_rw(json_object_get(sel, "data")))
		buf_printf(bad, "%sdoes not record all management events (read and write)",
		    bad->len ? "; " : "");
	if (bad->len > 0) {
		buf_free(&unknown);
		return TRAIL_BAD;
	}
	if (unknown.len > 0) {
		*why = buf_steal(&unknown);
		return TRAIL_UNKNOWN;
	}
	return TRAIL_OK;
}

static json_t *
trail_find(struct check_out *o, const json_t *e, const char *fmt, const char *detail)
{
	const json_t *t = json_object_get(e, "trail");
	const char *name = jstr(t, "Name"), *arn = jstr(t, "TrailARN");
	json_t *f;

	f = check_find(o, arn ? arn : name, name ? name : arn, fmt, detail);
	check_ev_str(f, "home_region", jstr(t, "HomeRegion"));
	check_ev_str(f, "multi_region", jbool(t, "IsMultiRegionTrail", 0) ? "true" : "false");
	check_ev_str(f, "global_service_events", jbool(t, "IncludeGlobalServiceEvents", 0) ? "true" : "false");
	check_ev_str(f, "log_file_validation", jbool(t, "LogFileValidationEnabled", 0) ? "true" : "false");
	check_fill(o, "trail", arn ? arn : name);
	return f;
}

static void
no_trail(struct check_ctx *c, struct check_out *o)
{
	json_t *f = check_find(o, c->root_arn, "CloudTrail", "the account has no trail");

	check_ev_int(f, "trails", 0);
	check_fill(o, "new_trail", "account-trail");
}

void
check_grade_trail_logging(struct check_ctx *c, struct check_out *o)
{
	const json_t *trails = c->data[CHECK_SRC_TRAILS], *e;
	struct buf bad = { 0 }, unknown = { 0 };
	json_t *failing = json_array();
	size_t i;
	char *why;

	json_array_foreach(trails, i, e) {
		buf_reset(&bad);
		switch (trail_judge(e, &bad, &why)) {
		case TRAIL_OK:
			goto out;	/* one qualifying trail is enough */
		case TRAIL_UNKNOWN:
			buf_printf(&unknown, "%s%s", unknown.len ? "; " : "", why);
			free(why);
			break;
		case TRAIL_BAD:
			json_array_append_new(failing, json_pack("{s:O, s:s}", "e", e, "why", bad.p));
			break;
		}
	}
	if (unknown.len > 0)
		check_ne(o, "no trail is known to qualify; %s", unknown.p);
	else if (json_array_size(trails) == 0)
		no_trail(c, o);
	else
		json_array_foreach(failing, i, e)
			trail_find(o, json_object_get(e, "e"), "trail %s", jstr(e, "why"));
out:
	json_decref(failing);
	buf_free(&bad);
	buf_free(&unknown);
}

/*
 * TRAIL-02: the trail TRAIL-01 relies on validates its log files.  With no
 * qualifying trail, fall back to CIS 3.2's reading: every trail validates.
 */
void
check_grade_trail_validation(struct check_ctx *c, struct check_out *o)
{
	const json_t *trails = c->data[CHECK_SRC_TRAILS], *e;
	struct buf bad = { 0 }, unknown = { 0 };
	json_t *qualifying = json_array();
	size_t i;
	char *why;

	json_array_foreach(trails, i, e) {
		buf_reset(&bad);
		switch (trail_judge(e, &bad, &why)) {
		case TRAIL_OK:
			if (jbool(json_object_get(e, "trail"), "LogFileValidationEnabled", 0))
				goto out;
			json_array_append(qualifying, (json_t *)e);
			break;
		case TRAIL_UNKNOWN:
			buf_printf(&unknown, "%s%s", unknown.len ? "; " : "", why);
			free(why);
			break;
		case TRAIL_BAD:
			break;
		}
	}
	if (json_array_size(qualifying) > 0)
		json_array_foreach(qualifying, i, e)
			trail_find(o, e, "%s: log file validation is off", jstr(json_object_get(e, "trail"), "Name"));
	else if (unknown.len > 0)
		check_ne(o, "no trail is known to qualify for TRAIL-01; %s", unknown.p);
	else if (json_array_size(trails) == 0)
		no_trail(c, o);
	else
		json_array_foreach(trails, i, e)
			if (!jbool(json_object_get(e, "trail"), "LogFileValidationEnabled", 0))
				trail_find(o, e, "%s: log file validation is off (and no trail meets TRAIL-01)",
				    jstr(json_object_get(e, "trail"), "Name"));
out:
	json_decref(qualifying);
	buf_free(&bad);
	buf_free(&unknown);
}
