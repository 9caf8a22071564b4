/*
 * The ASFF backend: the AWS Security Finding Format, as Security Hub's
 * BatchImportFindings takes it (a JSON array of findings; the importer
 * sends them 100 at a time, the API's limit).
 *
 * One finding per finding row of a FAILed control (the HTML report's
 * grouping: repeated denied calls of one actor are one row, so an attacker
 * cannot turn 100,000 calls into 100,000 findings), with Compliance.Status
 * FAILED and the resource; one per PASSed control (PASSED, severity
 * INFORMATIONAL, the account as resource); NOT_EVALUATED and NOT_APPLICABLE
 * controls are NOT_AVAILABLE with the reason, never PASSED.
 *
 * Ids are stable across runs (account, control, resource, row key), so a
 * re-import updates a finding instead of adding one.  The product ARN is
 * the account's own default product in opts->region.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/backend.h"

#define ASFF_SCHEMA	"2018-10-08"
#define ASFF_TITLE_MAX	256
#define ASFF_DESC_MAX	1024
#define ASFF_TEXT_MAX	512	/* Remediation.Recommendation.Text */
#define ASFF_FIELD_MAX	2048	/* a ProductFields value */
#define ASFF_TYPE	"Software and Configuration Checks/Industry and Regulatory Standards"

struct asff {
	const char	*region;
	const json_t	*results;	/* during render: the organization */
};

static void *
asff_alloc(const struct report_opts *opts)
{
	struct asff *a = xcalloc(1, sizeof(*a));

	a->region = opts->region;
	return a;
}

/* s shown as data and cut to at most max bytes on a UTF-8 boundary. Caller frees. */
static char *
asff_cut(const char *s, size_t max)
{
	char *t = str_show_invisible(s != NULL ? s : "");
	size_t n = strlen(t), i = 0, last = 0;

	if (n <= max)
		return t;
	while (i < n && i <= max - 3) {
		last = i;
		utf8_next(t, &i);
	}
	memcpy(t + last, "...", 4);
	return t;
}

static void
asff_set_text(json_t *o, const char *key, const char *s, size_t max)
{
	char *t = asff_cut(s, max);

	json_object_set_new(o, key, json_string(t));
	free(t);
}

static char *
asff_severity(const char *sev)
{
	char *s = xstrdup(sev != NULL ? sev : "informational"), *p;

	for (p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return s;
}

/*
 * Where the account sits (issue 18), in ProductFields, which Security Hub
 * lets a delegated administrator filter on: the organization, the OU's id
 * and path (an account the walk could not place: "unknown" with why).
 */
static void
asff_org_fields(json_t *pf, const json_t *results, const json_t *acct)
{
	const char *org = json_string_value(jpath(results, "organization.organization_id"));
	const char *id = json_string_value(jpath(acct, "ou.id"));
	const char *path = json_string_value(jpath(acct, "ou.path"));
	const char *why = json_string_value(jpath(acct, "ou.reason"));

	if (org != NULL)
		asff_set_text(pf, "iamgrade/OrganizationId", org, ASFF_FIELD_MAX);
	if (id != NULL)
		asff_set_text(pf, "iamgrade/OrganizationalUnitId", id, ASFF_FIELD_MAX);
	if (path != NULL)
		asff_set_text(pf, "iamgrade/OrganizationalUnitPath", path, ASFF_FIELD_MAX);
	if (why != NULL)
		asff_set_text(pf, "iamgrade/OrganizationalUnitReason", why, ASFF_FIELD_MAX);
}

static json_t *
asff_base(const struct asff *a, const json_t *acct, const json_t *c, const char *key)
{
	const char *id = jstr(acct, "account_id"), *cid = jstr(c, "id");
	const char *when = json_string_value(jpath(acct, "collection.finished"));
	json_t *f = json_object(), *rem = json_object(), *rec = json_object(), *pf, *step;
	char hash[65], *fid, *url, *title;
	struct buf k = { 0 }, steps = { 0 };
	size_t i;

	buf_printf(&k, "%s\n%s\n%s", id, cid, key);
	sha256_hex(k.p, k.len, hash);
	buf_free(&k);
	fid = xasprintf("iamgrade/%s/%s/%.32s", id, cid, hash);
	json_object_set_new(f, "SchemaVersion", json_string(ASFF_SCHEMA));
	json_object_set_new(f, "Id", json_string(fid));
	json_object_set_new(f, "ProductArn", json_sprintf("arn:%s:securityhub:%s:%s:product/%s/default",
	    report_partition(json_string_value(jpath(acct, "collection.caller_arn"))), a->region,
	    id, id));
	json_object_set_new(f, "ProductName", json_string("iamgrade"));
	json_object_set_new(f, "CompanyName", json_string("iamgrade"));
	json_object_set_new(f, "GeneratorId", json_sprintf("iamgrade/%s", cid));
	json_object_set_new(f, "AwsAccountId", json_string(id));
	json_object_set_new(f, "Region", json_string(a->region));
	json_object_set_new(f, "Types", json_pack("[s]", ASFF_TYPE));
	json_object_set_new(f, "CreatedAt", json_string(when));
	json_object_set_new(f, "UpdatedAt", json_string(when));
	title = xasprintf("%s %s", cid, jstr(c, "title") ? jstr(c, "title") : "");
	asff_set_text(f, "Title", title, ASFF_TITLE_MAX);
	asff_set_text(f, "Description", jstr(c, "description") ? jstr(c, "description") :
	    title, ASFF_DESC_MAX);
	json_array_foreach(json_object_get(json_object_get(c, "remediation"), "console"), i, step)
		buf_printf(&steps, "%s%s", i > 0 ? " " : "", json_string_value(step) ?
		    json_string_value(step) : "");
	asff_set_text(rec, "Text", steps.len > 0 ? steps.p : title, ASFF_TEXT_MAX);
	if ((url = report_securityhub_url(jstr(c, "securityhub"))) != NULL)
		json_object_set_new(rec, "Url", json_string(url));
	json_object_set_new(rem, "Recommendation", rec);
	json_object_set_new(f, "Remediation", rem);
	json_object_set_new(f, "RecordState", json_string("ACTIVE"));
	/* ProductFields is a map of strings: members without a value are left out. */
	pf = json_pack("{s:s, s:s}", "iamgrade/ControlId", cid, "iamgrade/Status",
	    jstr(c, "status") ? jstr(c, "status") : "?");
	if (jstr(c, "cis") != NULL)
		json_object_set_new(pf, "iamgrade/CIS", json_string(jstr(c, "cis")));
	if (jstr(c, "securityhub") != NULL)
		json_object_set_new(pf, "iamgrade/SecurityHub", json_string(jstr(c, "securityhub")));
	asff_org_fields(pf, a->results, acct);
	json_object_set_new(f, "ProductFields", pf);
	free(fid);
	free(url);
	free(title);
	buf_free(&steps);
	return f;
}

static void
asff_resource(json_t *f, const char *arn, const char *region)
{
	json_t *r = json_object();

	json_object_set_new(r, "Type", json_string(report_resource_type(arn)));
	asff_set_text(r, "Id", arn, 512);
	json_object_set_new(r, "Partition", json_string(report_partition(arn)));
	json_object_set_new(r, "Region", json_string(region));
	json_object_set_new(f, "Resources", json_pack("[o]", r));
}

static void
asff_compliance(json_t *f, const char *status, const char *sev, const char *reason)
{
	json_t *comp = json_pack("{s:s}", "Status", status);
	char *label = asff_severity(sev);

	if (reason != NULL) {
		json_t *sr = json_object();

		json_object_set_new(sr, "ReasonCode", json_string(strcmp(status, "NOT_AVAILABLE")
		    == 0 ? "CONFIG_EVALUATIONS_EMPTY" : "CONFIG_RETURNS_NOT_APPLICABLE"));
		asff_set_text(sr, "Description", reason, 2048);
		json_object_set_new(comp, "StatusReasons", json_pack("[o]", sr));
	}
	json_object_set_new(f, "Compliance", comp);
	json_object_set_new(f, "Severity", json_pack("{s:s}", "Label", label));
	free(label);
}

static void
asff_control(const struct asff *a, const json_t *acct, const json_t *c, json_t *out)
{
	const char *status = jstr(c, "status"), *id = jstr(acct, "account_id");
	char *root = xasprintf("arn:%s:iam::%s:root", report_partition(json_string_value(
	    jpath(acct, "collection.caller_arn"))), id);
	json_t *f, *rows, *row;
	size_t i, more = 0;

	if (status != NULL && strcmp(status, "FAIL") == 0) {
		json_t *seen = json_object();

		rows = report_finding_rows(json_object_get(c, "findings"), (size_t)-1, &more);
		json_array_foreach(rows, i, row) {
			const json_t *fd = json_object_get(row, "finding");
			const char *res = jstr(fd, "resource") ? jstr(fd, "resource") : root;
			char *key = report_row_key(fd, res, seen), *why = report_row_reason(row);

			f = asff_base(a, acct, c, key);
			asff_set_text(f, "Description", why, ASFF_DESC_MAX);
			free(why);
			asff_resource(f, res, a->region);
			asff_compliance(f, "FAILED", jstr(fd, "severity") ? jstr(fd, "severity") :
			    jstr(c, "severity"), NULL);
			json_array_append_new(out, f);
			free(key);
		}
		json_decref(rows);
		json_decref(seen);
	} else {
		int pass = status != NULL && strcmp(status, "PASS") == 0;

		f = asff_base(a, acct, c, "control");
		asff_resource(f, root, a->region);
		asff_compliance(f, pass ? "PASSED" : "NOT_AVAILABLE",
		    pass ? "informational" : jstr(c, "severity"),
		    pass ? NULL : jstr(c, "reason") ? jstr(c, "reason") : status);
		json_array_append_new(out, f);
	}
	free(root);
}

static int
asff_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	struct asff *a = ctx;
	const json_t *acct, *c;
	json_t *all = json_array();
	size_t i, j;
	int rc = 0;

	a->results = results;
	if (a->region == NULL) {
		err_set(err, "asff: no region for the product ARN (--region or AWS_REGION)");
		goto out;
	}
	json_array_foreach(json_object_get(results, "accounts"), i, acct) {
		if (!str_is_account_id(jstr(acct, "account_id")))
			continue;	/* an account nothing is known about: no finding can name it */
		json_array_foreach(json_object_get(acct, "controls"), j, c)
			asff_control(a, acct, c, all);
	}
	if (!report_json_out(all, out, "asff", err))
		goto out;
	rc = 1;
out:
	json_decref(all);
	return rc;
}

static void
asff_free(void *ctx)
{
	free(ctx);
}

const struct report_backend report_asff = { asff_alloc, asff_render, asff_free };
