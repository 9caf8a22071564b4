/*
 * The OCSF backend: findings as OCSF 1.3.0 Compliance Finding events
 * (class_uid 2003, category Findings), one JSON array, as Prowler writes
 * its OCSF output, so that what reads OCSF (Security Lake, OpenSearch,
 * SIEMs) takes them as they are.  docs/results-format.md, "OCSF".
 *
 * The events are those of the ASFF backend: one per finding row of a
 * FAILed (or ACCEPTED) control, the row's resource its subject, with
 * compliance status Fail; one per PASSed control (Pass, the account as
 * resource); NOT_EVALUATED and NOT_APPLICABLE controls are compliance
 * status Warning ("did not yield a result due to missing information")
 * with the reason in status_detail, never Pass.  A finding an exception in
 * force covers is status Suppressed (Prowler's "muted"), still Fail.
 *
 * The account's place in the organization goes where Prowler puts it:
 * cloud.org (uid the organization, ou_uid / ou_name the OU), the tags as
 * cloud.account.labels ("key:value"); the OU path, which OCSF has no
 * attribute for, in unmapped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "report/backend.h"

#define OCSF_VERSION	"1.3.0"
#define OCSF_CLASS	2003		/* Compliance Finding */
#define OCSF_CATEGORY	2		/* Findings */
#define OCSF_CREATE	1		/* activity_id Create */
#define OCSF_ACCOUNT_AWS 10		/* account.type_id "AWS Account" */
#define OCSF_TYPE	"Software and Configuration Checks/Industry and Regulatory Standards"

/* compliance.status_id (OCSF 1.3.0's compliance object) */
enum ocsf_comp { OCSF_PASS = 1, OCSF_WARNING = 2, OCSF_FAIL = 3 };
static const char *const ocsf_comp_name[] = { "", "Pass", "Warning", "Fail" };

struct ocsf {
	const char	*region;	/* cloud.region, or NULL */
};

/* What every event of one account shares. */
struct ocsf_acct {
	const json_t	*results;
	const json_t	*acct;
	const char	*id;
	const char	*partition;
	long long	 ms;		/* the collection's end, ms since the epoch */
	const char	*when;		/* the same, RFC 3339 */
	json_t		*cloud;		/* the cloud object, copied into each event */
};

static void *
ocsf_alloc(const struct report_opts *opts)
{
	struct ocsf *o = xcalloc(1, sizeof(*o));

	o->region = opts->region;
	return o;
}

/* severity_id and its caption, from our severity names. */
static int
ocsf_severity(const char *sev, const char **name)
{
	static const struct { const char *ours, *name; int id; } map[] = {
		{ "informational", "Informational", 1 }, { "low", "Low", 2 },
		{ "medium", "Medium", 3 }, { "high", "High", 4 }, { "critical", "Critical", 5 },
	};
	size_t i;

	for (i = 0; sev != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(sev, map[i].ours) == 0) {
			*name = map[i].name;
			return map[i].id;
		}
	*name = "Unknown";
	return 0;
}

/* The OU's own name, from the organization's OU list (results' "organization"), or NULL. */
static const char *
ocsf_ou_name(const json_t *results, const char *ou_id)
{
	const json_t *ou;
	size_t i;

	if (ou_id == NULL)
		return NULL;
	json_array_foreach(jpath(results, "organization.ous"), i, ou)
		if (jstr(ou, "id") != NULL && strcmp(jstr(ou, "id"), ou_id) == 0)
			return jstr(ou, "name");
	return NULL;
}

/*
 * cloud: provider, the account (uid, name, type, tags as labels), the
 * organization and OU when the run knew them (an OU id of "unknown" is
 * not an OU: the reason goes to unmapped instead).
 */
static json_t *
ocsf_cloud(const struct ocsf *o, const json_t *results, const json_t *acct)
{
	json_t *cloud = json_pack("{s:s}", "provider", "aws"), *account, *labels, *org;
	const char *org_id = json_string_value(jpath(results, "organization.organization_id"));
	const char *ou_id = json_string_value(jpath(acct, "ou.id")), *key, *name;
	const json_t *v;

	account = json_pack("{s:s, s:s, s:i, s:s}", "uid", jstr(acct, "account_id"),
	    "name", report_account_name(acct), "type_id", OCSF_ACCOUNT_AWS, "type", "AWS Account");
	if (json_object_size(json_object_get(acct, "tags")) > 0) {
		labels = json_array();
		json_object_foreach((json_t *)json_object_get(acct, "tags"), key, v)
			json_array_append_new(labels, json_sprintf("%s:%s", key,
			    json_string_value(v) ? json_string_value(v) : ""));
		json_object_set_new(account, "labels", labels);
	}
	json_object_set_new(cloud, "account", account);
	if (o->region != NULL)
		json_object_set_new(cloud, "region", json_string(o->region));
	if (org_id != NULL) {
		org = json_pack("{s:s}", "uid", org_id);
		if (ou_id != NULL && strcmp(ou_id, "unknown") != 0) {
			json_object_set_new(org, "ou_uid", json_string(ou_id));
			if ((name = ocsf_ou_name(results, ou_id)) != NULL)
				json_object_set_new(org, "ou_name", json_string(name));
		}
		json_object_set_new(cloud, "org", org);
	}
	return cloud;
}

/* unmapped: what OCSF has no attribute for (the OU path, our control's ids). */
static json_t *
ocsf_unmapped(const struct ocsf_acct *a, const json_t *c)
{
	json_t *u = json_object();
	const char *k[] = { "family", "cis", "securityhub" };
	size_t i;

	json_object_set_new(u, "control_id", json_string(jstr(c, "id")));
	json_object_set_new(u, "control_status", json_string(jstr(c, "status")));
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (jstr(c, k[i]) != NULL)
			json_object_set_new(u, k[i], json_string(jstr(c, k[i])));
	if (json_string_value(jpath(a->acct, "ou.path")) != NULL)
		json_object_set_new(u, "ou_path", json_string(json_string_value(
		    jpath(a->acct, "ou.path"))));
	if (jstr(jpath(a->acct, "ou"), "reason") != NULL)
		json_object_set_new(u, "ou_reason", json_string(jstr(jpath(a->acct, "ou"), "reason")));
	if (jstr(a->acct, "tags_reason") != NULL)
		json_object_set_new(u, "tags_reason", json_string(jstr(a->acct, "tags_reason")));
	return json_pack("{s:o}", "iamgrade", u);
}

/*
 * compliance: our catalogue is the standard the control belongs to; CIS
 * and Security Hub ids, and the --framework's requirements that name the
 * control, are the requirements it maps to.
 */
static json_t *
ocsf_compliance(const struct ocsf_acct *a, const json_t *c, enum ocsf_comp st,
    const char *detail)
{
	json_t *comp = json_object(), *std = json_array(), *req = json_array();
	const json_t *fw = json_object_get(a->results, "framework"), *r, *cid;
	size_t i, j;

	json_array_append_new(std, json_string("iamgrade controls " IAMGRADE_VERSION));
	if (jstr(c, "cis") != NULL) {
		json_array_append_new(std, json_string("CIS Amazon Web Services Foundations "
		    "Benchmark v3.0.0"));
		json_array_append_new(req, json_sprintf("CIS %s", jstr(c, "cis")));
	}
	if (jstr(c, "securityhub") != NULL) {
		json_array_append_new(std, json_string("AWS Foundational Security Best Practices"));
		json_array_append_new(req, json_sprintf("AWS FSBP %s", jstr(c, "securityhub")));
	}
	json_array_foreach(json_object_get(fw, "requirements"), i, r)
		json_array_foreach(json_object_get(r, "controls"), j, cid)
			if (json_string_value(cid) != NULL &&
			    strcmp(json_string_value(cid), jstr(c, "id")) == 0)
				json_array_append_new(req, json_sprintf("%s %s",
				    jstr(fw, "name") ? jstr(fw, "name") : "framework",
				    jstr(r, "id") ? jstr(r, "id") : "?"));
	if (fw != NULL && jstr(fw, "title") != NULL)
		json_array_append_new(std, json_string(jstr(fw, "title")));
	json_object_set_new(comp, "standards", std);
	if (json_array_size(req) > 0)
		json_object_set_new(comp, "requirements", req);
	else
		json_decref(req);
	json_object_set_new(comp, "control", json_string(jstr(c, "id")));
	json_object_set_new(comp, "status_id", json_integer(st));
	json_object_set_new(comp, "status", json_string(ocsf_comp_name[st]));
	json_object_set_new(comp, "status_code", json_string(jstr(c, "status")));
	if (detail != NULL)
		json_object_set_new(comp, "status_detail", json_string(detail));
	return comp;
}

/* The console steps, and Security Hub's page for the control (the ASFF's Remediation.Url). */
static json_t *
ocsf_remediation(const json_t *c, const char *title)
{
	json_t *rem = json_object(), *step;
	struct buf steps = { 0 };
	char *url = report_securityhub_url(jstr(c, "securityhub"));
	size_t i;

	json_array_foreach(json_object_get(json_object_get(c, "remediation"), "console"), i, step)
		buf_printf(&steps, "%s%s", i > 0 ? " " : "", json_string_value(step) ?
		    json_string_value(step) : "");
	json_object_set_new(rem, "desc", json_string(steps.len > 0 ? steps.p : title));
	if (url != NULL)
		json_object_set_new(rem, "references", json_pack("[s]", url));
	free(url);
	buf_free(&steps);
	return rem;
}

static json_t *
ocsf_resource(const struct ocsf_acct *a, const char *arn, const char *name)
{
	const json_t *labels = json_object_get(json_object_get(a->cloud, "account"), "labels");
	json_t *r = json_pack("{s:s, s:s, s:s, s:{s:s}}", "uid", arn,
	    "type", report_resource_type(arn), "cloud_partition", a->partition,
	    "group", "name", "iam");

	/* IAM is global: its resources have no region. */
	json_object_set_new(r, "name", json_string(name != NULL ? name : arn));
	/* The account as resource carries its tags, as Prowler's resources do. */
	if (strcmp(report_resource_type(arn), "AwsAccount") == 0 && labels != NULL)
		json_object_set_new(r, "labels", json_deep_copy(labels));
	return r;
}

/*
 * One event.  key tells the finding apart within its control (resource,
 * error, address: the ASFF's), for a uid stable across runs.
 */
static json_t *
ocsf_event(const struct ocsf_acct *a, const json_t *c, const char *key,
    enum ocsf_comp st, int suppressed, const char *sev, const char *detail,
    const char *res, const char *res_name)
{
	const char *cid = jstr(c, "id"), *sevname;
	char hash[65], *title, *uid;
	struct buf k = { 0 };
	json_t *e = json_object(), *info;
	int sevid = ocsf_severity(sev, &sevname);

	buf_printf(&k, "%s\n%s\n%s", a->id, cid, key);
	sha256_hex(k.p, k.len, hash);
	buf_free(&k);
	uid = xasprintf("iamgrade/%s/%s/%.32s", a->id, cid, hash);
	title = xasprintf("%s %s", cid, jstr(c, "title") ? jstr(c, "title") : "");
	json_object_set_new(e, "metadata", json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, "
	    "s:[s, s], s:s}", "version", OCSF_VERSION, "product", "name", "iamgrade",
	    "uid", "iamgrade", "vendor_name", "iamgrade", "version", IAMGRADE_VERSION,
	    "profiles", "cloud", "datetime", "event_code", cid));
	if (json_string_value(jpath(a->results, "organization.organization_id")) != NULL)
		json_object_set_new(json_object_get(e, "metadata"), "tenant_uid", json_string(
		    json_string_value(jpath(a->results, "organization.organization_id"))));
	json_object_set_new(e, "category_uid", json_integer(OCSF_CATEGORY));
	json_object_set_new(e, "category_name", json_string("Findings"));
	json_object_set_new(e, "class_uid", json_integer(OCSF_CLASS));
	json_object_set_new(e, "class_name", json_string("Compliance Finding"));
	json_object_set_new(e, "activity_id", json_integer(OCSF_CREATE));
	json_object_set_new(e, "activity_name", json_string("Create"));
	json_object_set_new(e, "type_uid", json_integer(OCSF_CLASS * 100 + OCSF_CREATE));
	json_object_set_new(e, "type_name", json_string("Compliance Finding: Create"));
	json_object_set_new(e, "severity_id", json_integer(sevid));
	json_object_set_new(e, "severity", json_string(sevname));
	/* The finding's workflow status, as Prowler sets it: New, or Suppressed when muted. */
	json_object_set_new(e, "status_id", json_integer(suppressed ? 3 : 1));
	json_object_set_new(e, "status", json_string(suppressed ? "Suppressed" : "New"));
	json_object_set_new(e, "status_code", json_string(jstr(c, "status")));
	if (detail != NULL)
		json_object_set_new(e, "status_detail", json_string(detail));
	json_object_set_new(e, "message", json_string(detail != NULL ? detail : title));
	json_object_set_new(e, "time", json_integer(a->ms));
	json_object_set_new(e, "time_dt", json_string(a->when));
	info = json_pack("{s:s, s:s, s:[s], s:I, s:s}", "uid", uid, "title", title,
	    "types", OCSF_TYPE, "created_time", (json_int_t)a->ms, "created_time_dt", a->when);
	json_object_set_new(info, "desc", json_string(jstr(c, "description") ?
	    jstr(c, "description") : title));
	json_object_set_new(e, "finding_info", info);
	json_object_set_new(e, "compliance", ocsf_compliance(a, c, st, detail));
	json_object_set_new(e, "remediation", ocsf_remediation(c, title));
	json_object_set_new(e, "resources", json_pack("[o]", ocsf_resource(a, res, res_name)));
	json_object_set(e, "cloud", a->cloud);
	json_object_set_new(e, "unmapped", ocsf_unmapped(a, c));
	free(uid);
	free(title);
	return e;
}

static void
ocsf_control(const struct ocsf_acct *a, const json_t *c, const char *root, json_t *out)
{
	const char *status = jstr(c, "status") ? jstr(c, "status") : "?";
	json_t *rows, *row;
	size_t i, more = 0;

	if (strcmp(status, "FAIL") == 0 || strcmp(status, "ACCEPTED") == 0) {
		json_t *seen = json_object();

		rows = report_finding_rows(json_object_get(c, "findings"), (size_t)-1, &more);
		json_array_foreach(rows, i, row) {
			const json_t *fd = json_object_get(row, "finding");
			const char *res = jstr(fd, "resource") ? jstr(fd, "resource") : root;
			char *key = report_row_key(fd, res, seen), *why = report_row_reason(row);

			json_array_append_new(out, ocsf_event(a, c, key, OCSF_FAIL,
			    json_object_get(fd, "accepted") != NULL,
			    jstr(fd, "severity") ? jstr(fd, "severity") : jstr(c, "severity"),
			    why, res, jstr(fd, "resource_name")));
			free(why);
			free(key);
		}
		json_decref(rows);
		json_decref(seen);
	} else if (strcmp(status, "PASS") == 0) {
		json_array_append_new(out, ocsf_event(a, c, "control", OCSF_PASS, 0,
		    "informational", NULL, root, a->id));
	} else {
		/* NOT_EVALUATED, NOT_APPLICABLE: no result, with why; never Pass. */
		json_array_append_new(out, ocsf_event(a, c, "control", OCSF_WARNING, 0,
		    jstr(c, "severity"), jstr(c, "reason") ? jstr(c, "reason") : status,
		    root, a->id));
	}
}

static void
ocsf_account(const struct ocsf *o, const json_t *results, const json_t *acct, json_t *out)
{
	struct ocsf_acct a = { .results = results, .acct = acct };
	const json_t *c;
	char *root;
	time_t t = 0;
	size_t i;

	a.id = jstr(acct, "account_id");
	a.partition = report_partition(json_string_value(jpath(acct, "collection.caller_arn")));
	a.when = json_string_value(jpath(acct, "collection.finished"));
	if (a.when == NULL || !time_parse(a.when, &t))
		a.when = jstr(results, "generated_at");
	if (a.when == NULL || !time_parse(a.when, &t))
		a.when = "1970-01-01T00:00:00Z";
	a.ms = (long long)t * 1000;
	a.cloud = ocsf_cloud(o, results, acct);
	root = xasprintf("arn:%s:iam::%s:root", a.partition, a.id);
	json_array_foreach(json_object_get(acct, "controls"), i, c)
		ocsf_control(&a, c, root, out);
	free(root);
	json_decref(a.cloud);
}

static int
ocsf_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	const json_t *acct;
	json_t *all = json_array();
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(results, "accounts"), i, acct) {
		if (!str_is_account_id(jstr(acct, "account_id")))
			continue;	/* an account nothing is known about: no event can name it */
		ocsf_account(ctx, results, acct, all);
	}
	if (!report_json_out(all, out, "ocsf", err))
		goto out;
	rc = 1;
out:
	json_decref(all);
	return rc;
}

static void
ocsf_free(void *ctx)
{
	free(ctx);
}

const struct report_backend report_ocsf = { ocsf_alloc, ocsf_render, ocsf_free };
