/*
 * Fuzz target: an IAM policy document, as JSON and as text (plain or
 * URL-encoded, as the engine's pol_parse takes it).  Every kind of
 * document is parsed; what parses is read as a trust policy by caller
 * class, summarised over the action catalogue, asked the escalation
 * question and evaluated for a few requests.  Then the document is put
 * where the checks read policies (a user's, group's and role's inline and
 * managed policies, a role's trust policy, a CreateRole request) and the
 * snapshot is graded.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/sources.h"
#include "policy/catalogue.h"
#include "policy/effective.h"
#include "policy/policy.h"
#include "policy/trust.h"
#include "tests/fuzz/fuzz.h"

static const char *const pol_fuzz_actions[] = {
	"iam:PassRole", "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "s3:GetObject", NULL
};

static void
pol_fuzz_doc(const struct pol_doc *d)
{
	struct pol_request req;
	struct pol_result res;
	struct pol_trust t;
	struct pol_docsum sum;
	struct pol_escalation *esc;
	const struct pol_doc *docs[1] = { d };
	const struct pol_doc *set_id[1] = { d };
	struct pol_set set;
	size_t i;

	pol_trust_read(d, "123456789012", "o-abc123def4", &t);
	pol_trust_free(&t);
	pol_trust_read(d, "123456789012", NULL, &t);
	pol_trust_free(&t);
	pol_docsum_make(&sum, d, NULL);
	pol_docsum_free(&sum);
	pol_escalations(docs, 1, d, "arn:aws:iam::123456789012:role/fuzz", "fuzz", &esc);
	free(esc);
	memset(&set, 0, sizeof(set));
	if (d->kind == POL_TRUST)
		set.resource = d;
	else {
		set.identity = set_id;
		set.nidentity = 1;
	}
	for (i = 0; pol_fuzz_actions[i] != NULL; i++) {
		memset(&req, 0, sizeof(req));
		req.principal_type = POL_P_AWS;
		req.principal = "arn:aws:iam::123456789012:user/fuzz";
		req.action = pol_fuzz_actions[i];
		req.resource = "arn:aws:iam::123456789012:role/fuzz";
		pol_eval(&set, &req, &res);
		pol_result_free(&res);
	}
}

static void
pol_fuzz_analyse(const json_t *in)
{
	static const enum pol_kind kinds[] = { POL_IDENTITY, POL_TRUST, POL_RESOURCE };
	struct pol_doc *d;
	char *err = NULL;
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if ((d = pol_parse(in, kinds[k], "fuzz", &err)) != NULL)
			pol_fuzz_doc(d);
		pol_free(d);
		free(err);
		err = NULL;
	}
}

/* A snapshot whose every policy is doc (borrowed). */
static json_t *
pol_fuzz_snapshot(json_t *doc, const char *text)
{
	json_t *snap, *authz, *events, *rec, *managed;

	managed = json_pack("[{s:s, s:s}]", "PolicyName", "fuzz",
	    "PolicyArn", "arn:aws:iam::123456789012:policy/fuzz");
	authz = json_pack("{s:[{s:s, s:s, s:O, s:[{s:s, s:O}]}],"
	    " s:[{s:s, s:s, s:[s], s:O, s:[{s:s, s:O}]}],"
	    " s:[{s:s, s:s, s:O, s:[{s:s, s:O}]}],"
	    " s:[{s:s, s:s, s:s, s:i, s:b, s:[{s:s, s:b, s:O}]}]}",
	    "groups", "GroupName", "fuzz-group", "Arn", "arn:aws:iam::123456789012:group/fuzz-group",
	    "AttachedManagedPolicies", managed, "GroupPolicyList", "PolicyName", "inline",
	    "PolicyDocument", doc,
	    "users", "UserName", "fuzz-user", "Arn", "arn:aws:iam::123456789012:user/fuzz-user",
	    "GroupList", "fuzz-group", "AttachedManagedPolicies", managed, "UserPolicyList",
	    "PolicyName", "inline", "PolicyDocument", doc,
	    "roles", "RoleName", "fuzz-role", "Arn", "arn:aws:iam::123456789012:role/fuzz-role",
	    "AssumeRolePolicyDocument", doc, "RolePolicyList", "PolicyName", "inline",
	    "PolicyDocument", doc,
	    "policies", "PolicyName", "fuzz", "Arn", "arn:aws:iam::123456789012:policy/fuzz",
	    "DefaultVersionId", "v1", "AttachmentCount", 3, "IsAttachable", 1,
	    "PolicyVersionList", "VersionId", "v1", "IsDefaultVersion", 1, "Document", doc);
	json_object_set_new(json_array_get(json_object_get(authz, "roles"), 0),
	    "AttachedManagedPolicies", managed);
	/* A role created in the window and deleted since: its request's trust policy is read. */
	rec = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}",
	    "eventName", "CreateRole", "eventID", "fuzz-2", "eventTime", "2026-11-20T08:00:00Z",
	    "userIdentity", "type", "IAMUser", "arn", "arn:aws:iam::123456789012:user/fuzz-user",
	    "requestParameters", "roleName", "fuzz-gone", "assumeRolePolicyDocument", text);
	events = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:{s:s, s:{s:s, s:O}}}]}",
	    "start", "2026-10-28T10:00:00Z", "end", "2026-11-27T10:00:00Z", "region", "us-east-1",
	    "events", "EventId", "fuzz-2", "EventName", "CreateRole",
	    "EventTime", "2026-11-20T08:00:00Z", "CloudTrailEvent", rec,
	    "EventId", "fuzz-3", "EventName", "CreateRole", "EventTime", "2026-11-21T08:00:00Z",
	    "CloudTrailEvent", "eventName", "CreateRole", "requestParameters", "roleName",
	    "fuzz-role", "assumeRolePolicyDocument", doc);
	if (authz == NULL || events == NULL)
		abort();
	snap = fuzz_snapshot_new("authorization_details",
	    src_ok("iam:GetAccountAuthorizationDetails", authz));
	json_object_set_new(json_object_get(snap, "sources"), "create_role_events",
	    src_ok("cloudtrail:LookupEvents", events));
	return snap;
}

int
fuzz_policy(const uint8_t *data, size_t size)
{
	json_t *doc, *text;

	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	text = json_stringn((const char *)data, size);
	if (doc != NULL)
		pol_fuzz_analyse(doc);
	if (text != NULL) {
		pol_fuzz_analyse(text);
		fuzz_grade(pol_fuzz_snapshot(json_is_object(doc) ? doc : text,
		    json_string_value(text)));
	}
	json_decref(doc);
	json_decref(text);
	return 0;
}
