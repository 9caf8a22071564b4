/*
 * Fuzz target: an IAM policy document, as JSON and as text (plain or
 * URL-encoded, as cpol_parse takes it).  Every analysis function of
 * checks/policy.h runs on every statement; then the document is put where
 * the checks read policies (a user's, group's and role's inline and
 * managed policies, a role's trust policy, a CreateRole request) and the
 * snapshot is graded.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/policy.h"
#include "collector/sources.h"
#include "tests/fuzz/fuzz.h"

/* Cap the pairwise pattern checks: documents may hold thousands of values. */
#define POL_FUZZ_PAIRS	32

static const char *const cpol_fuzz_actions[] = {
	"iam:PassRole", "sts:AssumeRole", "iam:CreateAccessKey", "s3:GetObject",
	"iam:*", "*", "", NULL
};
static const char *const cpol_fuzz_svcs[] = { "iam", "sts", "s3", "*", "", NULL };
static const char *const cpol_fuzz_types[] = { "AWS", "Service", "Federated", "CanonicalUser", NULL };
static const char *const cpol_fuzz_keys[] = {
	"aws:PrincipalOrgID", "aws:SourceAccount", "aws:PrincipalArn", "sts:ExternalId",
	"aws:MultiFactorAuthPresent", NULL
};

static int
cpol_fuzz_cond(const char *op, const char *key, const json_t *values, void *arg)
{
	size_t i, n = cpol_nvalues(values);
	const char *v;

	cpol_op_positive(op);
	for (i = 0; i < n && i < POL_FUZZ_PAIRS; i++)
		if ((v = cpol_value(values, i)) != NULL)
			cpol_glob(v, key);
	return 0;
}

/* Each value of a as a pattern against each of b. */
static void
cpol_fuzz_globs(const json_t *a, const json_t *b)
{
	size_t i, j, na = cpol_nvalues(a), nb = cpol_nvalues(b);
	const char *p, *s;

	for (i = 0; i < na && i < POL_FUZZ_PAIRS; i++)
		for (j = 0; j < nb && j < POL_FUZZ_PAIRS; j++)
			if ((p = cpol_value(a, i)) != NULL && (s = cpol_value(b, j)) != NULL)
				cpol_glob(p, s);
}

static void
cpol_fuzz_statement(const json_t *doc, const json_t *st)
{
	const json_t *v;
	json_t *accounts;
	size_t i, n;

	cpol_is_allow(st);
	cpol_is_deny(st);
	for (i = 0; cpol_fuzz_actions[i] != NULL; i++)
		cpol_grants_action(st, cpol_fuzz_actions[i]);
	cpol_grants_all(st, NULL);
	for (i = 0; cpol_fuzz_svcs[i] != NULL; i++)
		cpol_grants_all(st, cpol_fuzz_svcs[i]);
	cpol_on_all_resources(st);
	cpol_cancelled(doc, st);
	cpol_principal_any(st);
	for (i = 0; cpol_fuzz_types[i] != NULL; i++) {
		v = cpol_principals(st, cpol_fuzz_types[i]);
		for (n = 0; n < cpol_nvalues(v) && n < POL_FUZZ_PAIRS; n++)
			cpol_value(v, n);
	}
	cpol_cond_each(st, cpol_fuzz_cond, NULL);
	for (i = 0; cpol_fuzz_keys[i] != NULL; i++)
		cpol_cond_get(st, cpol_fuzz_keys[i]);
	cpol_cond_pinned(st, cpol_fuzz_keys);
	accounts = json_object();
	cpol_pins_caller(st, accounts);
	json_decref(accounts);
	cpol_fuzz_globs(json_object_get(st, "Action"), json_object_get(st, "NotAction"));
	cpol_fuzz_globs(json_object_get(st, "Resource"), json_object_get(st, "Action"));
}

static void
cpol_fuzz_analyse(const json_t *in)
{
	json_t *doc, *st;
	char *err = NULL;
	size_t i;

	if ((doc = cpol_parse(in, &err)) != NULL) {
		json_array_foreach(json_object_get(doc, "Statement"), i, st)
			cpol_fuzz_statement(doc, st);
		free(cpol_denies_text(doc));
		json_decref(doc);
	}
	free(err);
}

/* A snapshot whose every policy is doc (borrowed). */
static json_t *
cpol_fuzz_snapshot(json_t *doc, const char *text)
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
		cpol_fuzz_analyse(doc);
	if (text != NULL) {
		cpol_fuzz_analyse(text);
		fuzz_grade(cpol_fuzz_snapshot(json_is_object(doc) ? doc : text,
		    json_string_value(text)));
	}
	json_decref(doc);
	json_decref(text);
	return 0;
}
