/* The least-privilege IAM policies iamgrade needs (iamgrade policy). */
#include <string.h>

#include "collector/collector.h"

/*
 * What every audited account must allow: reads only, none of which can
 * change the account (GenerateServiceLastAccessedDetails starts a report
 * job, as GenerateCredentialReport does; neither changes IAM).
 * sts:GetCallerIdentity needs no permission.
 */
static const char *const policy_read[] = {
	"IamgradeIamRead", "iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails",
	"iam:GenerateServiceLastAccessedDetails", "iam:GetAccountPasswordPolicy",
	"iam:GetAccountSummary", "iam:GetCredentialReport", "iam:GetServiceLastAccessedDetails",
	"iam:ListAccessKeys", "iam:ListAccountAliases", "iam:ListVirtualMFADevices", NULL,
	"IamgradeCloudTrailRead", "cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors",
	"cloudtrail:GetTrailStatus", "cloudtrail:LookupEvents", NULL,
	NULL
};

/* What only the identity that runs a multi-account job adds. */
static const char *const policy_runner[] = {
	"IamgradeOrganizationsRead", "organizations:DescribeOrganization",
	"organizations:ListAccounts", "organizations:ListRoots",
	"organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent",
	"organizations:ListTagsForResource", NULL,
	NULL
};

static void
add_statements(json_t *st, const char *const *p)
{
	while (*p != NULL) {
		json_t *actions = json_array();
		const char *sid = *p++;

		for (; *p != NULL; p++)
			json_array_append_new(actions, json_string(*p));
		p++;
		json_array_append_new(st, json_pack("{s:s,s:s,s:o,s:s}", "Sid", sid,
		    "Effect", "Allow", "Action", actions, "Resource", "*"));
	}
}

char *
collect_policy(int runner, const char *role_name, int security_hub)
{
	json_t *st = json_array(), *doc;
	char *s, *role;

	add_statements(st, policy_read);
	/*
	 * Resource "*": Security Hub takes a finding only from its own account
	 * into that account's product, so this grants no more than the product
	 * ARN would, and it is what emulators that check policies (moto) match.
	 */
	if (security_hub)
		json_array_append_new(st, json_pack("{s:s,s:s,s:s,s:s}", "Sid",
		    "IamgradeSecurityHubImport", "Effect", "Allow", "Action",
		    "securityhub:BatchImportFindings", "Resource", "*"));
	if (runner) {
		add_statements(st, policy_runner);
		/* Only the audit role, in any account: not every role there is. */
		role = xasprintf("arn:*:iam::*:role/%s", role_name ? role_name : "*");
		json_array_append_new(st, json_pack("{s:s,s:s,s:s,s:s}", "Sid",
		    "IamgradeAssumeAuditRole", "Effect", "Allow", "Action", "sts:AssumeRole",
		    "Resource", role));
		free(role);
	}
	doc = json_pack("{s:s,s:o}", "Version", "2012-10-17", "Statement", st);
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}
