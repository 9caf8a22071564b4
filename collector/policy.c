/* The least-privilege IAM policy the collector needs (iamgrade policy). */
#include "collector/collector.h"

/*
 * One statement per service, actions sorted.  sts:GetCallerIdentity needs
 * no permission; sts:AssumeRole is only used by --role-arn / --role-name
 * runs (and must also be allowed by the target role's trust policy).
 * Every action here reads: none of them can change the account.
 */
static const char collect_policy_json[] =
"{\n"
"  \"Version\": \"2012-10-17\",\n"
"  \"Statement\": [\n"
"    {\n"
"      \"Sid\": \"IamgradeIamRead\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Action\": [\n"
"        \"iam:GenerateCredentialReport\",\n"
"        \"iam:GetAccountAuthorizationDetails\",\n"
"        \"iam:GetAccountPasswordPolicy\",\n"
"        \"iam:GetAccountSummary\",\n"
"        \"iam:GetCredentialReport\",\n"
"        \"iam:ListAccessKeys\",\n"
"        \"iam:ListAccountAliases\",\n"
"        \"iam:ListVirtualMFADevices\"\n"
"      ],\n"
"      \"Resource\": \"*\"\n"
"    },\n"
"    {\n"
"      \"Sid\": \"IamgradeCloudTrailRead\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Action\": [\n"
"        \"cloudtrail:DescribeTrails\",\n"
"        \"cloudtrail:GetEventSelectors\",\n"
"        \"cloudtrail:GetTrailStatus\",\n"
"        \"cloudtrail:LookupEvents\"\n"
"      ],\n"
"      \"Resource\": \"*\"\n"
"    },\n"
"    {\n"
"      \"Sid\": \"IamgradeOrganizationsRead\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Action\": [\n"
"        \"organizations:DescribeOrganization\",\n"
"        \"organizations:ListAccounts\"\n"
"      ],\n"
"      \"Resource\": \"*\"\n"
"    },\n"
"    {\n"
"      \"Sid\": \"IamgradeAssumeAuditRole\",\n"
"      \"Effect\": \"Allow\",\n"
"      \"Action\": \"sts:AssumeRole\",\n"
"      \"Resource\": \"arn:*:iam::*:role/*\"\n"
"    }\n"
"  ]\n"
"}\n";

const char *
collect_policy(void)
{
	return collect_policy_json;
}
