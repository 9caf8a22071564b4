/* POL-*: policies across the account (authorization details): "*" on "*" grants, and a support role. */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"
#include "checks/policy.h"

/* The default version's document of a managed policy entry, or NULL. */
const json_t *
check_policy_document(const json_t *pol)
{
	const json_t *v;
	const char *def = jstr(pol, "DefaultVersionId");
	size_t i;

	json_array_foreach(json_object_get(pol, "PolicyVersionList"), i, v)
		if (jbool(v, "IsDefaultVersion", 0) ||
		    (def != NULL && jstr(v, "VersionId") && strcmp(def, jstr(v, "VersionId")) == 0))
			return json_object_get(v, "Document");
	return NULL;
}

/* The first Allow statement of doc granting every action on every resource, not cancelled. */
static const json_t *
admin_statement(const json_t *doc)
{
	const json_t *st;
	size_t i;

	json_array_foreach(json_object_get(doc, "Statement"), i, st)
		if (cpol_is_allow(st) && cpol_grants_all(st, NULL) && cpol_on_all_resources(st) &&
		    !cpol_cancelled(doc, st))
			return st;
	return NULL;
}

/*
 * Grade one document.  kind/holder name an inline policy's principal
 * ("user", "group", "role"), NULL for a managed policy.
 */
static void
grade_doc(struct check_out *o, const json_t *raw, const char *resource, const char *name,
    const char *policy_arn, const char *policy_name, const char *kind, const char *holder)
{
	const json_t *st;
	json_t *doc, *f;
	char *err = NULL;

	if ((doc = cpol_parse(raw, &err)) == NULL) {
		check_skip(o, resource, "policy %s %s", policy_name ? policy_name : "?", err);
		free(err);
		return;
	}
	if ((st = admin_statement(doc)) != NULL) {
		const char *what = json_object_get(st, "NotAction") ?
		    "every action but its NotAction" : "\"*\"";

		if (kind != NULL)
			f = check_find(o, resource, name, "inline policy %s of %s %s allows %s on \"*\"",
			    policy_name ? policy_name : "?", kind, holder ? holder : "?", what);
		else
			f = check_find(o, resource, name, "policy %s allows %s on \"*\"",
			    policy_name ? policy_name : "?", what);
		check_ev_statement(f, doc, st);
		check_ev_str(f, "policy_arn", policy_arn);
		check_ev_str(f, "policy_name", policy_name);
		check_fill(o, "policy_arn", policy_arn);
		if (kind != NULL) {
			check_fill(o, kind, holder);
			check_fill(o, "policy_name", policy_name);
		}
	}
	json_decref(doc);
}

static void
grade_inline(struct check_out *o, const json_t *list, const char *member, const char *kind,
    const char *name_key, const char *doc_key)
{
	const json_t *p, *pr;
	size_t i, j;

	json_array_foreach(list, i, pr)
		json_array_foreach(json_object_get(pr, member), j, p)
			grade_doc(o, json_object_get(p, doc_key), jstr(pr, "Arn"), jstr(pr, name_key),
			    NULL, jstr(p, "PolicyName"), kind, jstr(pr, name_key));
}

void
check_grade_pol_admin(struct check_ctx *c, struct check_out *o)
{
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *pol;
	const char *arn;
	size_t i;

	json_array_foreach(json_object_get(az, "policies"), i, pol) {
		arn = jstr(pol, "Arn");
		if (strstr(arn, ":iam::aws:policy/") != NULL || jint(pol, "AttachmentCount", 1) == 0)
			continue;	/* AWS-managed, or attached to nobody */
		grade_doc(o, check_policy_document(pol), arn, jstr(pol, "PolicyName"), arn,
		    jstr(pol, "PolicyName"), NULL, NULL);
	}
	grade_inline(o, json_object_get(az, "users"), "UserPolicyList", "user", "UserName", "PolicyDocument");
	grade_inline(o, json_object_get(az, "groups"), "GroupPolicyList", "group", "GroupName", "PolicyDocument");
	grade_inline(o, json_object_get(az, "roles"), "RolePolicyList", "role", "RoleName", "PolicyDocument");
}

static int
attached_support(const json_t *list, const char *member)
{
	const json_t *pr, *p;
	size_t i, j;

	json_array_foreach(list, i, pr)
		json_array_foreach(json_object_get(pr, member), j, p)
			if (check_is_aws_policy(jstr(p, "PolicyArn"), "AWSSupportAccess"))
				return 1;
	return 0;
}

void
check_grade_pol_support(struct check_ctx *c, struct check_out *o)
{
	const json_t *az = c->data[CHECK_SRC_AUTHORIZATION_DETAILS], *pol;
	char *arn;
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(az, "policies"), i, pol)
		if (check_is_aws_policy(jstr(pol, "Arn"), "AWSSupportAccess") &&
		    jint(pol, "AttachmentCount", 1) > 0)
			return;
	if (attached_support(json_object_get(az, "users"), "AttachedManagedPolicies") ||
	    attached_support(json_object_get(az, "groups"), "AttachedManagedPolicies") ||
	    attached_support(json_object_get(az, "roles"), "AttachedManagedPolicies"))
		return;
	arn = xasprintf("arn:%s:iam::aws:policy/AWSSupportAccess", c->partition);
	f = check_find(o, arn, "AWSSupportAccess",
	    "AWSSupportAccess is attached to no user, group or role");
	check_ev_int(f, "attachments", 0);
	free(arn);
}
