/*
 * The control catalogue as data: one row per control (see catalogue.h for
 * how to add one), and the two ways people read it: `iamgrade controls`
 * and docs/controls.md.
 */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/escalation.h"
#include "policy/trust.h"

const char *const check_family_names[CHECK_FAM__MAX] = {
	"password", "root", "users", "policies", "trail", "roles", "privilege",
	"leastpriv", "changes"
};
const char *const check_family_titles[CHECK_FAM__MAX] = {
	"Password policy", "Root user", "IAM users", "Policies and roles",
	"CloudTrail", "Roles created in the window", "Privileged access",
	"Least privilege", "Changes in the window"
};

#define PY_IAM		"import boto3\n\niam = boto3.client(\"iam\")"
#define PY_CT		"import boto3\n\nct = boto3.client(\"cloudtrail\")"

/* The password-policy rows share one fix: set the whole policy. */
#define PWD_CONSOLE \
	"Open the IAM console and choose Account settings.\n" \
	"Under Password policy choose Edit, then Custom.\n" \
	"Require at least {min_length} characters, uppercase and lowercase letters, numbers and " \
	"non-alphanumeric characters; prevent reuse of {reuse} passwords; expire passwords after " \
	"{max_age} days; choose Save changes.\n" \
	"The CLI and API replace the whole policy: include the settings you want to keep."
#define PWD_CLI \
	"aws iam update-account-password-policy --minimum-password-length {min_length} " \
	"--require-uppercase-characters --require-lowercase-characters --require-numbers " \
	"--require-symbols --password-reuse-prevention {reuse} --max-password-age {max_age} " \
	"--allow-users-to-change-password"
#define PWD_PY_EACH \
	"iam.update_account_password_policy(MinimumPasswordLength={min_length}, " \
	"RequireUppercaseCharacters=True, RequireLowercaseCharacters=True, RequireNumbers=True, " \
	"RequireSymbols=True, PasswordReusePrevention={reuse}, MaxPasswordAge={max_age}, " \
	"AllowUsersToChangePassword=True)"
#define PWD_ROW \
	.family = CHECK_FAM_PASSWORD, .needs = CHECK_NEEDS(PASSWORD_POLICY), \
	.console = PWD_CONSOLE, .cli = PWD_CLI, .python = PY_IAM, .python_each = PWD_PY_EACH

/* Trust-policy fixes (ROLE-01..04) edit the trust document. */
#define TRUST_CLI \
	"aws iam get-role --role-name {role} --query Role.AssumeRolePolicyDocument\n" \
	"aws iam update-assume-role-policy --role-name {role} --policy-document file://trust.json\n" \
	"aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={event_id}"
#define TRUST_PY \
	PY_IAM "\ntrust = {\"Version\": \"2012-10-17\", \"Statement\": []}  # who may assume the role, fixed"
#define TRUST_PY_EACH \
	"iam.update_assume_role_policy(RoleName={role}, PolicyDocument=json.dumps(trust))"
#define ROLE_SOURCES	(CHECK_NEEDS(CREATE_ROLE_EVENTS) | CHECK_NEEDS(AUTHORIZATION_DETAILS))

const struct check_control check_controls[] = {
	{ .id = "PWD-01", PWD_ROW, .severity = CHECK_SEV_HIGH,
	  .securityhub = "IAM.7",
	  .title = "An account password policy is set",
	  .doc =
	    "The account has a custom password policy (GetAccountPasswordPolicy answers). Without one, "
	    "IAM users' console passwords need only 8 characters and nothing else. An account with no "
	    "policy (NoSuchEntity) fails every PWD control; a policy that could not be read makes "
	    "them NOT_EVALUATED.",
	  .grade = check_grade_pwd_set,
	},
	{ .id = "PWD-02", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .cis = "1.8", .securityhub = "IAM.15",
	  .title = "Minimum password length is at least {min_length}",
	  .thresholds = "password_min_length",
	  .doc =
	    "MinimumPasswordLength is at least password_min_length (default 14), as CIS 1.8 asks.",
	  .grade = check_grade_pwd_min_length,
	},
	{ .id = "PWD-03", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .securityhub = "IAM.7",
	  .title = "Passwords require an uppercase letter",
	  .doc = "RequireUppercaseCharacters is true: every password holds a letter A to Z.",
	  .arg = "RequireUppercaseCharacters",
	  .grade = check_grade_pwd_require,
	},
	{ .id = "PWD-04", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .securityhub = "IAM.7",
	  .title = "Passwords require a lowercase letter",
	  .doc = "RequireLowercaseCharacters is true: every password holds a letter a to z.",
	  .arg = "RequireLowercaseCharacters",
	  .grade = check_grade_pwd_require,
	},
	{ .id = "PWD-05", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .securityhub = "IAM.7",
	  .title = "Passwords require a number",
	  .doc = "RequireNumbers is true: every password holds a digit 0 to 9.",
	  .arg = "RequireNumbers",
	  .grade = check_grade_pwd_require,
	},
	{ .id = "PWD-06", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .securityhub = "IAM.7",
	  .title = "Passwords require a non-alphanumeric character",
	  .doc =
	    "RequireSymbols is true: every password holds a character that is neither a letter "
	    "nor a digit (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ').",
	  .arg = "RequireSymbols",
	  .grade = check_grade_pwd_require,
	},
	{ .id = "PWD-07", PWD_ROW, .severity = CHECK_SEV_MEDIUM,
	  .cis = "1.9", .securityhub = "IAM.16",
	  .title = "Password reuse is prevented",
	  .thresholds = "password_reuse_prevention",
	  .doc =
	    "PasswordReusePrevention remembers at least password_reuse_prevention previous passwords "
	    "(default 24, the most IAM allows), as CIS 1.9 asks. Absent means reuse is allowed.",
	  .grade = check_grade_pwd_reuse,
	},
	{ .id = "PWD-08", PWD_ROW, .severity = CHECK_SEV_LOW,
	  .securityhub = "IAM.7",
	  .title = "Passwords expire",
	  .thresholds = "password_max_age_days",
	  .doc =
	    "Passwords expire (ExpirePasswords, MaxPasswordAge set) after at most password_max_age_days "
	    "days (default 90).",
	  .grade = check_grade_pwd_expiry,
	},

	{ .id = "ROOT-01", .family = CHECK_FAM_ROOT, .severity = CHECK_SEV_CRITICAL,
	  .cis = "1.4", .securityhub = "IAM.4",
	  .title = "The root user has no active access key",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .doc =
	    "Neither access_key_1_active nor access_key_2_active is true on the credential report's "
	    "<root_account> row. Root keys cannot be limited by any policy.",
	  .console =
	    "Sign in to the AWS Management Console as the root user.\n"
	    "Open the account menu, then Security credentials.\n"
	    "Under Access keys, make each key inactive, check that nothing breaks, then delete it.",
	  .cli =
	    "# with the root user's own credentials (no IAM principal can delete them):\n"
	    "aws iam list-access-keys\n"
	    "aws iam delete-access-key --access-key-id <root-access-key-id>",
	  .python =
	    PY_IAM "  # with the root user's credentials\n"
	    "for key in iam.list_access_keys()[\"AccessKeyMetadata\"]:\n"
	    "    iam.delete_access_key(AccessKeyId=key[\"AccessKeyId\"])",
	  .python_each = "",
	  .grade = check_grade_root_keys,
	},
	{ .id = "ROOT-02", .family = CHECK_FAM_ROOT, .severity = CHECK_SEV_CRITICAL,
	  .cis = "1.5", .securityhub = "IAM.9",
	  .title = "The root user has MFA",
	  .needs_any = CHECK_NEEDS(ACCOUNT_SUMMARY) | CHECK_NEEDS(CREDENTIAL_REPORT),
	  .doc =
	    "GetAccountSummary's AccountMFAEnabled is 1. When the summary could not be read, the "
	    "credential report's <root_account> mfa_active decides (it can be hours old).",
	  .console =
	    "Sign in to the AWS Management Console as the root user.\n"
	    "Open the account menu, then Security credentials.\n"
	    "Under Multi-factor authentication (MFA) choose Assign MFA device; prefer a hardware "
	    "device (FIDO security key or TOTP token, see ROOT-03).",
	  .cli =
	    "# root MFA is assigned in the console, signed in as root; to check afterwards:\n"
	    "aws iam get-account-summary --query SummaryMap.AccountMFAEnabled",
	  .python = PY_IAM,
	  .python_each =
	    "print(iam.get_account_summary()[\"SummaryMap\"][\"AccountMFAEnabled\"])",
	  .grade = check_grade_root_mfa,
	},
	{ .id = "ROOT-03", .family = CHECK_FAM_ROOT, .severity = CHECK_SEV_HIGH,
	  .cis = "1.6", .securityhub = "IAM.6",
	  .title = "The root user's MFA is a hardware device",
	  .needs = CHECK_NEEDS(VIRTUAL_MFA_DEVICES),
	  .needs_any = CHECK_NEEDS(ACCOUNT_SUMMARY) | CHECK_NEEDS(CREDENTIAL_REPORT),
	  .doc =
	    "The root user has MFA (as in ROOT-02) and no assigned virtual MFA device belongs to it: "
	    "no device in ListVirtualMFADevices has User.Arn equal to the root ARN. A device's serial "
	    "root-account-mfa-device decides only when its User has no Arn, since any IAM user may name "
	    "a device that way. No MFA at all fails too.",
	  .console =
	    "Sign in to the AWS Management Console as the root user.\n"
	    "Open the account menu, then Security credentials.\n"
	    "Assign a hardware MFA device (FIDO security key or hardware TOTP token).\n"
	    "Remove the virtual MFA device from the root user.",
	  .cli =
	    "aws iam list-virtual-mfa-devices --assignment-status Assigned "
	    "--query \"VirtualMFADevices[?User.Arn=='arn:aws:iam::{account}:root']\"\n"
	    "aws iam delete-virtual-mfa-device --serial-number {serial}  # once removed from root in the console",
	  .python = PY_IAM,
	  .python_each =
	    "iam.delete_virtual_mfa_device(SerialNumber={serial})  # once removed from root in the console",
	  .grade = check_grade_root_hw_mfa,
	},
	{ .id = "ROOT-04", .family = CHECK_FAM_ROOT, .severity = CHECK_SEV_HIGH,
	  .cis = "1.7",
	  .title = "The root user was not used recently",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .thresholds = "root_unused_days",
	  .doc =
	    "The <root_account> row's password_last_used and access_key_N_last_used_date are all "
	    "older than root_unused_days (default 90) whole days before the collection started, or "
	    "were never used. Everyday work belongs to IAM roles and users.",
	  .console =
	    "Find out who used the root user and why: CloudTrail > Event history, User name = root.\n"
	    "Move that task to an IAM role or IAM Identity Center user.\n"
	    "Lock the root credentials away; delete root access keys (ROOT-01).",
	  .cli =
	    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root "
	    "--max-results 50",
	  .python = PY_CT,
	  .python_each =
	    "for e in ct.lookup_events(LookupAttributes=[{\"AttributeKey\": \"Username\", "
	    "\"AttributeValue\": \"root\"}])[\"Events\"]:\n"
	    "    print(e[\"EventTime\"], e[\"EventName\"], e.get(\"Username\"))",
	  .grade = check_grade_root_unused,
	},

	{ .id = "USER-01", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_HIGH,
	  .cis = "1.10", .securityhub = "IAM.5",
	  .title = "Every user with a console password has MFA",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .doc =
	    "Every credential-report row with password_enabled true has mfa_active true. An account "
	    "with no IAM users is NOT_APPLICABLE.",
	  .console =
	    "IAM > Users > {user} > Security credentials.\n"
	    "Under Multi-factor authentication (MFA) choose Assign MFA device, with the user.",
	  .cli =
	    "aws iam create-virtual-mfa-device --virtual-mfa-device-name {user} --outfile {user}-mfa.png "
	    "--bootstrap-method QRCodePNG\n"
	    "aws iam enable-mfa-device --user-name {user} --serial-number arn:aws:iam::{account}:mfa/{user} "
	    "--authentication-code1 <code1> --authentication-code2 <code2>",
	  .python = PY_IAM,
	  .python_each =
	    "dev = iam.create_virtual_mfa_device(VirtualMFADeviceName={user})[\"VirtualMFADevice\"]\n"
	    "iam.enable_mfa_device(UserName={user}, SerialNumber=dev[\"SerialNumber\"], "
	    "AuthenticationCode1=\"<code1>\", AuthenticationCode2=\"<code2>\")",
	  .grade = check_grade_user_mfa,
	},
	{ .id = "USER-02", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_LOW,
	  .cis = "1.11",
	  .title = "No access key was created with the user and never used",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .doc =
	    "No active access key has access_key_N_last_used_date N/A (never used) and a "
	    "last_rotated time within an hour of user_creation_time: keys handed out at set-up "
	    "\"just in case\". The key id comes from ListAccessKeys when it was collected.",
	  .console =
	    "IAM > Users > {user} > Security credentials.\n"
	    "Under Access keys, make the never-used key inactive, then delete it.\n"
	    "Create access keys only when the user needs them.",
	  .cli =
	    "aws iam update-access-key --user-name {user} --access-key-id {key_id} --status Inactive\n"
	    "aws iam delete-access-key --user-name {user} --access-key-id {key_id}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.update_access_key(UserName={user}, AccessKeyId={key_id}, Status=\"Inactive\")\n"
	    "iam.delete_access_key(UserName={user}, AccessKeyId={key_id})",
	  .grade = check_grade_user_initial_keys,
	},
	{ .id = "USER-03", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_MEDIUM,
	  .cis = "1.12", .securityhub = "IAM.22",
	  .title = "Credentials unused for the window are disabled",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .thresholds = "credential_unused_days",
	  .doc =
	    "No console password and no active access key went unused for credential_unused_days "
	    "(default 45) days or more before the collection started. As CIS 1.12 writes it, a "
	    "credential never used counts from when it was set: a password by password_last_changed "
	    "(else user_creation_time), a key by access_key_N_last_rotated. Tools that pass "
	    "never-used credentials let them live forever.",
	  .console =
	    "IAM > Users > {user} > Security credentials.\n"
	    "Console sign-in: Manage console access > Disable access, for an unused password.\n"
	    "Access keys: make unused keys inactive, then delete them once nothing breaks.",
	  .cli =
	    "aws iam delete-login-profile --user-name {login}\n"
	    "aws iam update-access-key --user-name {user} --access-key-id {key_id} --status Inactive",
	  .python = PY_IAM,
	  .python_each =
	    "iam.delete_login_profile(UserName={login})\n"
	    "iam.update_access_key(UserName={user}, AccessKeyId={key_id}, Status=\"Inactive\")",
	  .grade = check_grade_user_unused,
	},
	{ .id = "USER-04", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_MEDIUM,
	  .cis = "1.13",
	  .title = "At most one active access key per user",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT) | CHECK_NEEDS(ACCESS_KEYS),
	  .doc =
	    "No user has two keys with Status Active in ListAccessKeys. The remediation names the "
	    "older key.",
	  .console =
	    "IAM > Users > {user} > Security credentials.\n"
	    "Under Access keys, see which key clients use (Last used) and move them to one key.\n"
	    "Make the other key inactive, then delete it.",
	  .cli =
	    "aws iam update-access-key --user-name {user} --access-key-id {key_id} --status Inactive",
	  .python = PY_IAM,
	  .python_each =
	    "iam.update_access_key(UserName={user}, AccessKeyId={key_id}, Status=\"Inactive\")",
	  .grade = check_grade_user_one_key,
	},
	{ .id = "USER-05", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_MEDIUM,
	  .cis = "1.14", .securityhub = "IAM.3",
	  .title = "Active access keys are rotated",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT) | CHECK_NEEDS(ACCESS_KEYS),
	  .thresholds = "key_rotation_days",
	  .doc =
	    "No Active key in ListAccessKeys is older than key_rotation_days (default 90) whole days "
	    "at the collection's start: a key exactly 90 days old passes, one 91 days old fails.",
	  .console =
	    "IAM > Users > {user} > Security credentials > Create access key.\n"
	    "Move every client to the new key.\n"
	    "Make the old key inactive, check that nothing breaks, then delete it.",
	  .cli =
	    "aws iam create-access-key --user-name {user}\n"
	    "aws iam update-access-key --user-name {user} --access-key-id {key_id} --status Inactive\n"
	    "aws iam delete-access-key --user-name {user} --access-key-id {key_id}",
	  .python = PY_IAM,
	  .python_each =
	    "new = iam.create_access_key(UserName={user})[\"AccessKey\"]  # hand it to the clients\n"
	    "iam.update_access_key(UserName={user}, AccessKeyId={key_id}, Status=\"Inactive\")\n"
	    "iam.delete_access_key(UserName={user}, AccessKeyId={key_id})",
	  .grade = check_grade_user_rotation,
	},
	{ .id = "USER-06", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_LOW,
	  .title = "Console passwords are not older than the maximum age",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .thresholds = "user_password_max_age_days",
	  .doc =
	    "No console password's password_last_changed is older than the password policy's "
	    "MaxPasswordAge, or user_password_max_age_days (default 90) when the policy sets none or "
	    "could not be read: the users to force a password reset for.",
	  .console =
	    "IAM > Users > {user} > Security credentials > Manage console access.\n"
	    "Choose Reset password and require a new password at next sign-in, or disable console "
	    "access if the user does not need it.",
	  .cli = "aws iam update-login-profile --user-name {login} --password-reset-required",
	  .python = PY_IAM,
	  .python_each =
	    "iam.update_login_profile(UserName={login}, PasswordResetRequired=True)",
	  .grade = check_grade_user_password_age,
	},
	{ .id = "USER-07", .family = CHECK_FAM_USERS, .severity = CHECK_SEV_LOW,
	  .cis = "1.15", .securityhub = "IAM.2",
	  .title = "Users get permissions only through groups",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "No user in GetAccountAuthorizationDetails has AttachedManagedPolicies or UserPolicyList "
	    "entries: permissions granted through groups are easier to review and revoke. One "
	    "finding per user and policy.",
	  .console =
	    "IAM > User groups: create or pick a group that grants what the user needs.\n"
	    "IAM > Users > {user} > Groups: add the user to it.\n"
	    "IAM > Users > {user} > Permissions: remove the user's own policies.",
	  .cli =
	    "aws iam add-user-to-group --user-name {user} --group-name <group>\n"
	    "aws iam detach-user-policy --user-name {user} --policy-arn {policy_arn}\n"
	    "aws iam delete-user-policy --user-name {user} --policy-name {policy_name}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.add_user_to_group(UserName={user}, GroupName=\"<group>\")\n"
	    "iam.detach_user_policy(UserName={user}, PolicyArn={policy_arn})\n"
	    "iam.delete_user_policy(UserName={user}, PolicyName={policy_name})",
	  .grade = check_grade_user_groups,
	},

	{ .id = "POL-01", .family = CHECK_FAM_POLICIES, .severity = CHECK_SEV_HIGH,
	  .cis = "1.16", .securityhub = "IAM.1",
	  .title = "No policy allows \"*\" actions on \"*\" resources",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "Engine question, per document: does this policy alone allow every action of the "
	    "catalogue on every resource? Each attached customer-managed policy (default version) "
	    "and each inline policy of a user, group or role is compiled by the engine; its Allow "
	    "statements on every resource (\"*\", \"arn:*:*:*:*:*\" and the like, or NotResource) "
	    "give a set of catalogue actions (wildcards expanded case-insensitively, NotAction as "
	    "every catalogue action but the ones it names), minus its own unconditional Deny "
	    "statements on every resource. The policy FAILs when that set is the whole catalogue, "
	    "however the patterns are split (\"*:a*\" .. \"*:z*\" count); a NotAction naming only "
	    "actions the catalogue does not know is still every catalogue action, and the finding "
	    "names them. A conditional Allow still counts (the finding says so); a conditional Deny "
	    "does not subtract and is shown as evidence. A document the engine rejects leaves that "
	    "policy NOT_EVALUATED. AWS-managed policies are not graded.",
	  .console =
	    "IAM > Policies > the policy > Permissions > Edit: replace \"Action\": \"*\" with the "
	    "actions its principals need (IAM Access Analyzer can generate one from activity).\n"
	    "For an inline policy: open the user, group or role > Permissions, remove the inline "
	    "policy and attach a scoped one.",
	  .cli =
	    "aws iam create-policy-version --policy-arn {policy_arn} --policy-document "
	    "file://least-privilege.json --set-as-default\n"
	    "aws iam delete-user-policy --user-name {user} --policy-name {policy_name}\n"
	    "aws iam delete-group-policy --group-name {group} --policy-name {policy_name}\n"
	    "aws iam delete-role-policy --role-name {role} --policy-name {policy_name}",
	  .python =
	    "import boto3, json\n\niam = boto3.client(\"iam\")\n"
	    "least_privilege = {\"Version\": \"2012-10-17\", \"Statement\": []}  # what the principals need",
	  .python_each =
	    "iam.create_policy_version(PolicyArn={policy_arn}, "
	    "PolicyDocument=json.dumps(least_privilege), SetAsDefault=True)\n"
	    "iam.delete_user_policy(UserName={user}, PolicyName={policy_name})\n"
	    "iam.delete_group_policy(GroupName={group}, PolicyName={policy_name})\n"
	    "iam.delete_role_policy(RoleName={role}, PolicyName={policy_name})",
	  .grade = check_grade_pol_admin,
	},
	{ .id = "POL-02", .family = CHECK_FAM_POLICIES, .severity = CHECK_SEV_LOW,
	  .cis = "1.17", .securityhub = "IAM.18",
	  .title = "A support role exists",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "The AWS-managed policy AWSSupportAccess is attached to some user, group or role, so "
	    "that incidents can be handled with AWS Support without the root user.",
	  .console =
	    "IAM > Roles > Create role: trusted entity AWS account, this account.\n"
	    "Attach the AWSSupportAccess managed policy; name the role, e.g. aws-support.\n"
	    "Let the people who open support cases assume it.",
	  .cli =
	    "aws iam create-role --role-name aws-support --assume-role-policy-document "
	    "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Principal\":{\"AWS\":\"arn:aws:iam::{account}:root\"},\"Action\":\"sts:AssumeRole\"}]}'\n"
	    "aws iam attach-role-policy --role-name aws-support --policy-arn "
	    "arn:aws:iam::aws:policy/AWSSupportAccess",
	  .python = "import boto3, json\n\niam = boto3.client(\"iam\")",
	  .python_each =
	    "trust = {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
	    "\"Principal\": {\"AWS\": \"arn:aws:iam::\" + {account} + \":root\"}, "
	    "\"Action\": \"sts:AssumeRole\"}]}\n"
	    "iam.create_role(RoleName=\"aws-support\", AssumeRolePolicyDocument=json.dumps(trust))\n"
	    "iam.attach_role_policy(RoleName=\"aws-support\", "
	    "PolicyArn=\"arn:aws:iam::aws:policy/AWSSupportAccess\")",
	  .grade = check_grade_pol_support,
	},

	{ .id = "TRAIL-01", .family = CHECK_FAM_TRAIL, .severity = CHECK_SEV_HIGH,
	  .cis = "3.1", .securityhub = "CloudTrail.1",
	  .title = "A multi-region trail records management and global service events",
	  .needs = CHECK_NEEDS(TRAILS),
	  .doc =
	    "Some trail is multi-region (IsMultiRegionTrail), includes global service events "
	    "(IncludeGlobalServiceEvents: IAM's, such as CreateRole), is logging (GetTrailStatus "
	    "IsLogging) and records every management event, read and write (a basic selector with "
	    "IncludeManagementEvents and ReadWriteType All not excluding iam.amazonaws.com, or an "
	    "advanced selector on eventCategory Management with no readOnly or eventSource filter). "
	    "A trail whose status or selectors could not be read makes the control NOT_EVALUATED "
	    "unless another trail qualifies.",
	  .console =
	    "CloudTrail > Trails > Create trail, or edit the existing one: apply it to all regions.\n"
	    "Management events: Read and Write; keep global service events included.\n"
	    "Make sure the trail is logging (Start logging).",
	  .cli =
	    "aws cloudtrail create-trail --name {new_trail} --s3-bucket-name <bucket> "
	    "--is-multi-region-trail --include-global-service-events --enable-log-file-validation\n"
	    "aws cloudtrail update-trail --name {trail} --is-multi-region-trail --include-global-service-events\n"
	    "aws cloudtrail put-event-selectors --trail-name {trail} "
	    "--event-selectors '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]'\n"
	    "aws cloudtrail start-logging --name {trail}\n"
	    "aws cloudtrail start-logging --name {new_trail}",
	  .python = PY_CT,
	  .python_each =
	    "ct.create_trail(Name={new_trail}, S3BucketName=\"<bucket>\", IsMultiRegionTrail=True, "
	    "IncludeGlobalServiceEvents=True, EnableLogFileValidation=True)\n"
	    "ct.update_trail(Name={trail}, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)\n"
	    "ct.put_event_selectors(TrailName={trail}, EventSelectors=[{\"ReadWriteType\": \"All\", "
	    "\"IncludeManagementEvents\": True}])\n"
	    "ct.start_logging(Name={trail})\n"
	    "ct.start_logging(Name={new_trail})",
	  .grade = check_grade_trail_logging,
	},
	{ .id = "TRAIL-02", .family = CHECK_FAM_TRAIL, .severity = CHECK_SEV_MEDIUM,
	  .cis = "3.2", .securityhub = "CloudTrail.4",
	  .title = "The trail validates log files",
	  .needs = CHECK_NEEDS(TRAILS),
	  .doc =
	    "A trail that meets TRAIL-01 has LogFileValidationEnabled, so tampered or deleted log "
	    "files can be detected. When no trail meets TRAIL-01, every trail must validate its "
	    "files (CIS 3.2), and an account without trails fails.",
	  .console =
	    "CloudTrail > Trails > the trail > General details > Edit.\n"
	    "Enable Log file validation and save.",
	  .cli =
	    "aws cloudtrail update-trail --name {trail} --enable-log-file-validation\n"
	    "aws cloudtrail create-trail --name {new_trail} --s3-bucket-name <bucket> "
	    "--is-multi-region-trail --include-global-service-events --enable-log-file-validation",
	  .python = PY_CT,
	  .python_each =
	    "ct.update_trail(Name={trail}, EnableLogFileValidation=True)\n"
	    "ct.create_trail(Name={new_trail}, S3BucketName=\"<bucket>\", IsMultiRegionTrail=True, "
	    "IncludeGlobalServiceEvents=True, EnableLogFileValidation=True)",
	  .grade = check_grade_trail_validation,
	},

	{ .id = "ROLE-01", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_CRITICAL,
	  .title = "Trust policies do not let any principal assume the role",
	  .needs = ROLE_SOURCES,
	  .doc =
	    "Engine question: which caller classes can assume the role (policy/trust.h)? FAIL when "
	    "the answer holds \"anyone\" (Principal \"*\", {\"AWS\": \"*\"} or NotPrincipal with no "
	    "condition pinning the caller) or \"another organization\". A condition pins when it "
	    "is positive (String/Arn Equals or Like; not negated, not ...IfExists, not "
	    "ForAllValues:, which holds when the key is missing) on aws:PrincipalAccount, "
	    "aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, "
	    "aws:PrincipalOrgPaths or aws:SourceOrgID, with values that name the account or "
	    "organization without wildcards. An organization value is compared with the snapshot's "
	    "organization id: another organization's accounts cannot be enumerated, so they count "
	    "as anyone; when the snapshot does not know its organization the role is NOT_EVALUATED, "
	    "never PASS. A Deny takes the grant back only when the engine evaluates an outsider's "
	    "request (an account and organization the policy does not name) as explicitly denied "
	    "and the Deny's conditions use only those identity keys. An sts:ExternalId condition "
	    "does not pin: it is a value the third party knows, not an identity. Graded for every "
	    "role a CreateRole event of the window created, on its current trust (or the trust it "
	    "was created with, when it has been deleted); a trust policy the engine rejects leaves "
	    "that role NOT_EVALUATED.",
	  .console =
	    "IAM > Roles > {role} > Trust relationships > Edit trust policy.\n"
	    "Replace Principal \"*\" with the accounts or roles that need the role, or add a condition "
	    "such as aws:PrincipalOrgID; if nobody should assume it, delete the role.\n"
	    "Find out who created it and from where (the event in the finding).",
	  .cli = TRUST_CLI,
	  .python = TRUST_PY,
	  .python_each = TRUST_PY_EACH,
	  .grade = check_grade_role_public,
	},
	{ .id = "ROLE-02", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_HIGH,
	  .title = "Trust policies trust no account outside the trusted set",
	  .needs = ROLE_SOURCES,
	  .thresholds = "trusted_accounts",
	  .doc =
	    "Engine question: which caller classes can assume the role? FAIL for each \"another "
	    "account\" outside the trusted set and each \"another organization\". Trusted: the "
	    "account itself, its organization (the accounts the snapshot lists, and wildcard "
	    "principals pinned to its organization id), and trusted_accounts from the config. "
	    "\"arn:aws:iam::ACCT:root\", \"ACCT\" and any ARN in ACCT count as ACCT; a wildcard "
	    "principal pinned by aws:PrincipalAccount, aws:SourceAccount or an ARN key trusts the "
	    "accounts those name (account-level pins win over organization-level ones: conditions "
	    "are ANDed). An organization pin while the snapshot's organization is unknown leaves "
	    "the role NOT_EVALUATED. A finding is high without an sts:ExternalId condition and "
	    "medium with one.",
	  .console =
	    "IAM > Roles > {role} > Trust relationships > Edit trust policy.\n"
	    "Remove the outside account; for a vendor that needs it, require sts:ExternalId and add "
	    "the account to trusted_accounts in the iamgrade config.",
	  .cli = TRUST_CLI,
	  .python = TRUST_PY,
	  .python_each = TRUST_PY_EACH,
	  .grade = check_grade_role_accounts,
	},
	{ .id = "ROLE-03", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_HIGH,
	  .title = "Web-identity trusts restrict audience and subject",
	  .needs = ROLE_SOURCES,
	  .doc =
	    "Engine question: for each web-identity caller of the trust answer, are its callers "
	    "pinned by the keys its provider documents (the provider table below)? Each key must "
	    "carry a positive condition (not negated, not ...IfExists, not ForAllValues:) whose "
	    "values do not start with a wildcard; a subject with a known format must also name its "
	    "scope: GitHub \"repo:OWNER/\", GitLab \"project_path:GROUP/\", Terraform Cloud "
	    "\"organization:NAME:\", CircleCI \"org/ID/\", EKS \"system:serviceaccount:NAMESPACE:\". "
	    "\"*\", \"repo:*\" or \"repo:*/x\" fail; \"repo:org/*\" passes with a note (any "
	    "repository of the owner). Login with Amazon and Facebook are pinned by :app_id, Google "
	    "by :aud (or :oaud, :sub), Cognito by :aud (the identity pool); EKS, GitLab, Terraform "
	    "Cloud, Bitbucket and CircleCI need :sub and :aud; any other provider :aud. SAML "
	    "providers are their own class and not graded here.",
	  .console =
	    "IAM > Roles > {role} > Trust relationships > Edit trust policy.\n"
	    "GitHub Actions: add StringEquals (or StringLike) token.actions.githubusercontent.com:sub = "
	    "repo:ORG/REPO:ref:refs/heads/main (or :environment:prod) and "
	    "token.actions.githubusercontent.com:aud = sts.amazonaws.com.\n"
	    "Other providers: add the keys the web-identity provider table names (docs/controls.md): "
	    "www.amazon.com:app_id, graph.facebook.com:app_id, accounts.google.com:aud, "
	    "cognito-identity.amazonaws.com:aud (the identity pool), and :sub with :aud for EKS "
	    "(system:serviceaccount:NAMESPACE:NAME), GitLab, Terraform Cloud, Bitbucket and CircleCI.",
	  .cli = TRUST_CLI,
	  .python = TRUST_PY,
	  .python_each = TRUST_PY_EACH,
	  .grade = check_grade_role_oidc,
	},
	{ .id = "ROLE-04", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_LOW,
	  .title = "Service trusts carry aws:SourceAccount or aws:SourceArn",
	  .needs = ROLE_SOURCES,
	  .doc =
	    "Engine question: which caller classes can assume the role, and does each service "
	    "caller carry the confused-deputy guard (a pinning aws:SourceAccount, aws:SourceArn or "
	    "aws:SourceOrgID condition)? FAIL for an unguarded service when the same answer also "
	    "holds anyone, another account or an organization, or when the service acts for other "
	    "accounts (cloudtrail, config, datasync, events, firehose, sagemaker, scheduler, sns, "
	    "ssm, transfer).",
	  .console =
	    "IAM > Roles > {role} > Trust relationships > Edit trust policy.\n"
	    "To the statement naming the service add a condition aws:SourceAccount = {account}, or "
	    "aws:SourceArn = the resource that uses the role.",
	  .cli = TRUST_CLI,
	  .python = TRUST_PY,
	  .python_each = TRUST_PY_EACH,
	  .grade = check_grade_role_deputy,
	},
	{ .id = "ROLE-05", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_HIGH,
	  .title = "Created roles do not hold administrator permissions",
	  .needs = ROLE_SOURCES,
	  .doc =
	    "Engine question: do the role's effective permissions allow every catalogue action, or "
	    "every iam action, on every resource? Effective permissions: the union of what its "
	    "inline and attached managed policies allow on every resource (as POL-01 reads a "
	    "document), minus their unconditional Denies on every resource (a Deny with NotAction "
	    "subtracts every catalogue action but those it names), intersected with what its "
	    "permissions boundary allows (minus the boundary's Denies). Patterns split across "
	    "statements and policies count together. AdministratorAccess and IAMFullAccess are "
	    "read as AWS publishes them when the snapshot lacks their documents. A conditional Allow "
	    "still grants; a conditional Deny does not subtract. A policy the engine rejects, or one "
	    "missing from the snapshot, leaves the role NOT_EVALUATED. Roles deleted since hold "
	    "nothing; when all are, NOT_APPLICABLE.",
	  .console =
	    "IAM > Roles > {role} > Permissions.\n"
	    "Detach the administrator policy, or remove the statement allowing \"*\", and attach a "
	    "policy scoped to the role's job.",
	  .cli =
	    "aws iam detach-role-policy --role-name {role} --policy-arn {policy_arn}\n"
	    "aws iam delete-role-policy --role-name {role} --policy-name {policy_name}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.detach_role_policy(RoleName={role}, PolicyArn={policy_arn})\n"
	    "iam.delete_role_policy(RoleName={role}, PolicyName={policy_name})",
	  .grade = check_grade_role_admin,
	},
	{ .id = "ROLE-06", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_MEDIUM,
	  .title = "Created roles hold no privilege-escalation grant on \"*\"",
	  .needs = ROLE_SOURCES,
	  .doc =
	    "Engine question: does any of the role's Allow statements grant iam:PassRole, "
	    "iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:AttachRolePolicy, "
	    "iam:AttachUserPolicy, iam:PutRolePolicy, iam:PutUserPolicy, iam:UpdateAssumeRolePolicy, "
	    "iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile or sts:AssumeRole "
	    "(matched as the engine matches actions: wildcards, NotAction) on a resource pattern "
	    "that reaches beyond the role: a pattern with a wildcard that can match an ARN of the "
	    "action's resource type (role, user or policy, field by field) and is not the role's "
	    "own ARN (\"*\", \"arn:aws:iam::*:role/*\", \"arn:aws:iam::ACCOUNT:role/*\"), or "
	    "NotResource. A literal ARN naming one other resource is a scoped grant; "
	    "\"${aws:username}\" is the user itself (nothing, for a role); other policy variables "
	    "reach anything. An unconditional Deny of the action on a pattern covering the grant's, "
	    "in the role's policies or its boundary, takes it back, as does a boundary that allows "
	    "the action nowhere the grant reaches. One finding per role, listing the actions.",
	  .console =
	    "IAM > Roles > {role} > Permissions.\n"
	    "Scope iam:PassRole and the other listed actions to named resources (e.g. iam:PassRole on "
	    "the one role it passes, with an iam:PassedToService condition), or remove them.",
	  .cli =
	    "aws iam list-attached-role-policies --role-name {role}\n"
	    "aws iam get-role-policy --role-name {role} --policy-name {policy_name}\n"
	    "aws iam put-role-policy --role-name {role} --policy-name {policy_name} --policy-document file://scoped.json\n"
	    "aws iam create-policy-version --policy-arn {policy_arn} --policy-document file://scoped.json --set-as-default",
	  .python =
	    "import boto3, json\n\niam = boto3.client(\"iam\")\n"
	    "scoped = {\"Version\": \"2012-10-17\", \"Statement\": []}  # the same grants on named resources",
	  .python_each =
	    "iam.put_role_policy(RoleName={role}, PolicyName={policy_name}, PolicyDocument=json.dumps(scoped))\n"
	    "iam.create_policy_version(PolicyArn={policy_arn}, PolicyDocument=json.dumps(scoped), SetAsDefault=True)",
	  .grade = check_grade_role_escalation,
	},
	{ .id = "ROLE-07", .family = CHECK_FAM_ROLES, .severity = CHECK_SEV_MEDIUM,
	  .title = "Roles were not created by root and no CreateRole call was denied",
	  .needs = CHECK_NEEDS(CREATE_ROLE_EVENTS),
	  .doc =
	    "No role of the window was created by the root user (userIdentity.type Root), and no "
	    "CreateRole call failed with AccessDenied: denied calls are evidence of someone probing "
	    "what their credentials can do, and are reported against the caller. Calls that failed "
	    "otherwise (EntityAlreadyExists, MalformedPolicyDocument) are only listed with the "
	    "events. No CreateRole event in the window is NOT_APPLICABLE.",
	  .console =
	    "Review the events: CloudTrail > Event history, Event name = CreateRole.\n"
	    "Roles created by root: find out who used the root user (ROOT-04); recreate the role from "
	    "an IAM principal if it is needed.\n"
	    "Denied calls: find out whether the caller should create roles at all; if not, deactivate "
	    "its credentials.",
	  .cli =
	    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={event_id}",
	  .python = PY_CT,
	  .python_each =
	    "print(ct.lookup_events(LookupAttributes=[{\"AttributeKey\": \"EventId\", "
	    "\"AttributeValue\": {event_id}}])[\"Events\"])",
	  .grade = check_grade_role_creator,
	},
	{ .id = "PRIV-01", .family = CHECK_FAM_PRIV, .severity = CHECK_SEV_HIGH,
	  .title = "No principal can escalate to administrator",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "Every user (with its groups' policies), group and role of the account that is not "
	    "already administrator-equivalent is asked of the policy engine: do its effective "
	    "permissions (its policies' Allows, minus their unconditional Denies, within its "
	    "permissions boundary) let it use a method of the escalation catalogue (listed below, "
	    "with its sources)? A method counts only when all its actions are granted and the first "
	    "is granted on a resource that reaches another principal: an access key, a password or "
	    "a trust policy of another user or role (\"user/${aws:username}\" for the user itself is "
	    "no escalation), a role passed to a service, a function, stack, instance or notebook that "
	    "runs as some role; for the methods that change the principal's own permissions "
	    "(attach or put a policy, join a group, remove a boundary, rewrite a managed policy) the "
	    "principal itself counts. Conditions do not stop a grant (the caller may meet them). "
	    "Multi-step: a user or role that may assume a role (the role's trust admits it -- naming it "
	    "or \"*\" admits it alone, naming its account needs its own sts:AssumeRole grant on the "
	    "role -- and no unconditional Deny refuses it) reaches what that role reaches, through any "
	    "number of roles, cycles included; a path that ends at an administrator-equivalent or "
	    "escalating role is a finding. The finding names the principal, each method with the "
	    "actions, resources, policy and statement that grant it, and the whole path (evidence "
	    "`methods`, `path`, `chain`). Service-linked roles (path /aws-service-role/) are only "
	    "noted: only their service can assume them. Organization SCPs are not in a snapshot; "
	    "leaving them out can only add findings.",
	  .console =
	    "IAM > Users, Groups or Roles > the principal > Permissions.\n"
	    "For each method listed in the finding, remove the grant or scope it to the principal "
	    "itself or to named resources it must manage (e.g. iam:PassRole on the one role, with an "
	    "iam:PassedToService condition).\n"
	    "For a path through sts:AssumeRole, narrow the trust policy of the first role of the path "
	    "to the principals that need it, or remove the caller's sts:AssumeRole grant.\n"
	    "Or attach a permissions boundary that denies the listed actions.",
	  .cli =
	    "aws iam list-attached-user-policies --user-name {user}\n"
	    "aws iam list-user-policies --user-name {user}\n"
	    "aws iam list-attached-group-policies --group-name {group}\n"
	    "aws iam list-attached-role-policies --role-name {role}\n"
	    "aws iam create-policy-version --policy-arn {policy_arn} --policy-document file://scoped.json --set-as-default\n"
	    "aws iam put-user-permissions-boundary --user-name {user} --permissions-boundary arn:aws:iam::{account}:policy/deny-escalation\n"
	    "aws iam put-role-permissions-boundary --role-name {role} --permissions-boundary arn:aws:iam::{account}:policy/deny-escalation",
	  .python = PY_IAM ", json\n"
	    "scoped = {\"Version\": \"2012-10-17\", \"Statement\": []}  # the same grants on named resources",
	  .python_each =
	    "iam.create_policy_version(PolicyArn={policy_arn}, PolicyDocument=json.dumps(scoped), SetAsDefault=True)\n"
	    "iam.put_user_permissions_boundary(UserName={user}, PermissionsBoundary=\"arn:aws:iam::%s:policy/deny-escalation\" % {account})\n"
	    "iam.put_role_permissions_boundary(RoleName={role}, PermissionsBoundary=\"arn:aws:iam::%s:policy/deny-escalation\" % {account})",
	  .grade = check_grade_priv_escalation,
	},
	{ .id = "PRIV-02", .family = CHECK_FAM_PRIV, .severity = CHECK_SEV_HIGH,
	  .title = "Administrator access is not held by IAM users or groups",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "No IAM user (with its groups' policies) or group is administrator-equivalent: its "
	    "effective permissions allow every catalogue action on every resource, whether through "
	    "one policy (AdministratorAccess, an inline \"*:*\", a NotAction that excludes nothing "
	    "the catalogue knows) or through a union of policies that together cover every action "
	    "(the same engine question as POL-01 and ROLE-05, after Denies and within a boundary). "
	    "Administrators should come through roles, assumed with MFA for the session, so that "
	    "long-lived user credentials never carry them. The finding names the principal and the "
	    "policies that grant it.",
	  .console =
	    "IAM > Users (or User groups) > {user} > Permissions: remove the administrator policies.\n"
	    "Create or use an administrator role whose trust requires MFA, and let the people who "
	    "need it assume that role.",
	  .cli =
	    "aws iam detach-user-policy --user-name {user} --policy-arn {policy_arn}\n"
	    "aws iam detach-group-policy --group-name {group} --policy-arn {policy_arn}\n"
	    "aws iam list-user-policies --user-name {user}\n"
	    "aws iam list-group-policies --group-name {group}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.detach_user_policy(UserName={user}, PolicyArn={policy_arn})\n"
	    "iam.detach_group_policy(GroupName={group}, PolicyArn={policy_arn})",
	  .grade = check_grade_priv_admin_users,
	},
	{ .id = "LP-01", .family = CHECK_FAM_LEASTPRIV, .severity = CHECK_SEV_MEDIUM,
	  .title = "No role is unused for the tracking period",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .thresholds = "unused_days",
	  .doc =
	    "No role older than unused_days (default 90) days at the collection's start went unused "
	    "for the last unused_days days: RoleLastUsed.LastUsedDate of GetAccountAuthorizationDetails "
	    "is within the period. Roles younger than the period are not judged yet; service-linked "
	    "roles (path /aws-service-role/) are AWS's to manage and skipped. The finding gives the "
	    "role, its creation date and its last use, or never. An unused role is standing access "
	    "nobody needs: a credential to steal with no job to show for it. "
	    "Maps to SOC 2 CC6.3, ISO/IEC 27001:2022 A.8.2, NIST SP 800-53 AC-6(7) and AC-2(3). ",
	  .console =
	    "IAM > Roles > {role} > Last activity: confirm nothing uses it (and who owns it).\n"
	    "Delete the role, or remove its permissions until someone asks for them.",
	  .cli =
	    "aws iam list-instance-profiles-for-role --role-name {role}\n"
	    "aws iam delete-role --role-name {role}",
	  .python = PY_IAM,
	  .python_each =
	    "print(iam.get_role(RoleName={role})[\"Role\"].get(\"RoleLastUsed\"))\n"
	    "iam.delete_role(RoleName={role})  # after detaching its policies and instance profiles",
	  .grade = check_grade_lp_unused_roles,
	},
	{ .id = "LP-02", .family = CHECK_FAM_LEASTPRIV, .severity = CHECK_SEV_MEDIUM,
	  .title = "No IAM user is unused for the tracking period",
	  .needs = CHECK_NEEDS(CREDENTIAL_REPORT),
	  .thresholds = "unused_days",
	  .doc =
	    "No user older than unused_days (default 90) days had neither a console sign-in "
	    "(password_last_used) nor an access-key use (access_key_1/2_last_used_date) within the "
	    "last unused_days days, from the credential report. Distinct from USER-03, which asks that "
	    "unused credentials be disabled: this one asks whether the user should exist. "
	    "Maps to SOC 2 CC6.3, ISO/IEC 27001:2022 A.8.2, NIST SP 800-53 AC-6(7) and AC-2(3). ",
	  .console =
	    "IAM > Users > {user}: confirm with its owner that nobody uses it.\n"
	    "Delete the user (its keys, password, MFA devices and policies first).",
	  .cli =
	    "aws iam delete-login-profile --user-name {user}\n"
	    "aws iam list-access-keys --user-name {user}\n"
	    "aws iam delete-user --user-name {user}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.delete_user(UserName={user})  # after its keys, login profile, MFA and policies",
	  .grade = check_grade_lp_unused_users,
	},
	{ .id = "LP-03", .family = CHECK_FAM_LEASTPRIV, .severity = CHECK_SEV_MEDIUM,
	  .title = "Principals use the services they are granted",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .thresholds = "unused_days lp_min_unused_services",
	  .doc =
	    "For each role and user older than unused_days (default 90) days: the services granted "
	    "(the engine's effective permissions on every resource, as POL-01 reads them: documents, "
	    "groups, denies and boundary, over the action catalogue) but not accessed within the "
	    "period, from service last accessed (iam:GenerateServiceLastAccessedDetails, ACTION_LEVEL). "
	    "FAIL when a principal has at least lp_min_unused_services (default 1) unused granted "
	    "services; the finding lists them with how many actions each grants, and for used "
	    "services AWS tracks at action level, the granted tracked actions not used. A principal "
	    "whose job failed or timed out, or whose policies the engine cannot use, is NOT_EVALUATED "
	    "with the reason; without last-accessed data (denied, --no-last-accessed, an older "
	    "snapshot) the control is NOT_EVALUATED, never PASS. "
	    "`iamgrade suggest-policy SNAPSHOT --principal ARN` proposes the narrower policy, proven "
	    "to grant nothing new and to keep every used action (docs/policy-engine.md). "
	    "Maps to SOC 2 CC6.3, ISO/IEC 27001:2022 A.8.2, NIST SP 800-53 AC-6(7) and AC-2(3). ",
	  .console =
	    "IAM > Roles (or Users) > the principal {arn} > Last accessed: review the services not used.\n"
	    "Replace the broad policy by one granting only the services and actions it used.",
	  .cli =
	    "aws iam generate-service-last-accessed-details --arn {arn} --granularity ACTION_LEVEL\n"
	    "aws iam get-service-last-accessed-details --job-id JOB_ID",
	  .python = PY_IAM,
	  .python_each =
	    "job = iam.generate_service_last_accessed_details(Arn={arn}, Granularity=\"ACTION_LEVEL\")\n"
	    "print(iam.get_service_last_accessed_details(JobId=job[\"JobId\"]))",
	  .grade = check_grade_lp_unused_services,
	},
	{ .id = "LP-04", .family = CHECK_FAM_LEASTPRIV, .severity = CHECK_SEV_HIGH,
	  .title = "Permissions-management and write access is used where granted",
	  .needs = CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .thresholds = "unused_days",
	  .doc =
	    "LP-03 restricted to actions of access level Write or Permissions management (from the "
	    "catalogue): FAIL when a role or user older than unused_days holds write or "
	    "permissions-management access to a service it did not use within the period, or, for a "
	    "service AWS tracks at action level, such an action it did not use (iam:PutRolePolicy, "
	    "iam:AttachRolePolicy, iam:CreateAccessKey never used are the dangerous case). The same "
	    "NOT_EVALUATED rules as LP-03; `iamgrade suggest-policy` proposes the narrower policy. "
	    "Maps to SOC 2 CC6.3, ISO/IEC 27001:2022 A.8.2, NIST SP 800-53 AC-6(7) and AC-2(3). ",
	  .console =
	    "IAM > Roles (or Users) > the principal {arn} > Permissions: remove the write and "
	    "permissions-management grants it does not use.\n"
	    "Prefer a policy listing the actions it used over wildcards.",
	  .cli =
	    "aws iam generate-service-last-accessed-details --arn {arn} --granularity ACTION_LEVEL",
	  .python = PY_IAM,
	  .python_each =
	    "iam.generate_service_last_accessed_details(Arn={arn}, Granularity=\"ACTION_LEVEL\")",
	  .grade = check_grade_lp_unused_write,
	},
	{ .id = "CHG-01", .family = CHECK_FAM_CHANGES, .severity = CHECK_SEV_HIGH,
	  .title = "Roles changed in the window keep a safe trust and role separation",
	  .needs = CHECK_NEEDS(CHANGE_EVENTS) | CHECK_NEEDS(AUTHORIZATION_DETAILS),
	  .doc =
	    "Every role whose trust policy (UpdateAssumeRolePolicy) or permissions (AttachRolePolicy, "
	    "PutRolePolicy, or CreatePolicyVersion / SetDefaultPolicyVersion of a managed policy "
	    "attached to it now) changed in the window, by a call that succeeded, is graded by the "
	    "rules of ROLE-01 to ROLE-06 (the same code): its trust must not admit anyone, another "
	    "organization or an untrusted account, a web identity without the provider's audience "
	    "and subject, or a cross-account service without aws:SourceAccount / aws:SourceArn; its "
	    "permissions must not be administrator-equivalent nor able to escalate. The role is "
	    "graded as it is now; one deleted since is graded on the trust its last "
	    "UpdateAssumeRolePolicy set, or only noted when no such call says. Each finding names "
	    "the rule (evidence `rule`), the last change (who: `changed_by_arn`, when, source IP, "
	    "user agent) and every change of the window to the role (`changes`). This is the "
	    "classic backdoor: an old role's trust rewritten to admit an outside account, or an "
	    "inline policy replaced, which ROLE-* (roles created in the window) never see. Calls "
	    "that failed changed nothing and are only noted. The events come from the snapshot's "
	    "change_events source (LookupEvents per event name, docs/snapshot-format.md); a denied, "
	    "failed or capped lookup makes the control NOT_EVALUATED, never PASS.",
	  .console =
	    "CloudTrail > Event history > Event ID {event_id}: confirm who changed the role and why.\n"
	    "IAM > Roles > {role} > Trust relationships: remove the principals that should not "
	    "assume it, or restore the previous trust.\n"
	    "IAM > Roles > {role} > Permissions: remove the policy or version that was added, or "
	    "set the previous version as default.",
	  .cli =
	    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={event_id}\n"
	    "aws iam get-role --role-name {role} --query Role.AssumeRolePolicyDocument\n"
	    "aws iam update-assume-role-policy --role-name {role} --policy-document file://trust.json\n"
	    "aws iam list-role-policies --role-name {role}\n"
	    "aws iam list-attached-role-policies --role-name {role}",
	  .python = TRUST_PY,
	  .python_each =
	    "iam.update_assume_role_policy(RoleName={role}, PolicyDocument=json.dumps(trust))\n"
	    "print(iam.list_role_policies(RoleName={role}), iam.list_attached_role_policies(RoleName={role}))",
	  .grade = check_grade_chg_roles,
	},
	{ .id = "CHG-02", .family = CHECK_FAM_CHANGES, .severity = CHECK_SEV_HIGH,
	  .title = "No credentials were created for another principal or for root",
	  .needs = CHECK_NEEDS(CHANGE_EVENTS),
	  .doc =
	    "No CreateAccessKey, CreateLoginProfile or UpdateLoginProfile call of the window, that "
	    "succeeded, made a credential for a user other than the caller (requestParameters."
	    "userName names a user, and the caller is not that IAM user: another user, a role "
	    "session, root or a federated user), and root created no access key of its own "
	    "(CreateAccessKey by Root without a user name). Making a key or a password for someone "
	    "else is how a principal with iam:CreateAccessKey on others takes them over; a root key "
	    "is the account's master key. The finding names the user, the key (responseElements), "
	    "who made it, when, the source IP and the user agent. An administrator provisioning a "
	    "user fails too: confirm it and accept the risk (README \"Accepted risks\") rather than "
	    "wave it through. Failed calls are only noted. A denied, failed or capped lookup makes "
	    "the control NOT_EVALUATED.",
	  .console =
	    "CloudTrail > Event history > Event ID {event_id}: confirm who made the credential and why.\n"
	    "IAM > Users > {user} > Security credentials: deactivate and delete access key {key_id} "
	    "if nobody can vouch for it; for a console password, reset it and require a change.\n"
	    "For a root access key: sign in as root > Security credentials > delete the key.",
	  .cli =
	    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={event_id}\n"
	    "aws iam update-access-key --user-name {user} --access-key-id {key_id} --status Inactive\n"
	    "aws iam delete-access-key --user-name {user} --access-key-id {key_id}\n"
	    "aws iam delete-login-profile --user-name {user}",
	  .python = PY_IAM,
	  .python_each =
	    "iam.update_access_key(UserName={user}, AccessKeyId={key_id}, Status=\"Inactive\")",
	  .grade = check_grade_chg_credentials,
	},
	{ .id = "CHG-03", .family = CHECK_FAM_CHANGES, .severity = CHECK_SEV_HIGH,
	  .title = "Logging was not stopped or weakened",
	  .needs = CHECK_NEEDS(CHANGE_EVENTS),
	  .doc =
	    "No StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors or PutInsightSelectors call "
	    "of the window succeeded: each is a sign of tampering even when the trail is fine today "
	    "(TRAIL-01/02 grade it as it is), since logging stopped for an hour is an hour nobody "
	    "can account for. CloudTrail records its own calls in the region they were made in, so "
	    "they are looked up in the IAM events region, the collection region and every trail's "
	    "home region; when the trails could not be read the control is NOT_EVALUATED unless a "
	    "call was found. The finding names the trail, the call, who, when, the region, the "
	    "source IP, the user agent and the request parameters. A trail deleted in a region "
	    "where no trail is left and that is not the collection region is not looked up there. "
	    "Failed calls are only noted, as attempts. A denied, failed or capped lookup makes the "
	    "control NOT_EVALUATED.",
	  .console =
	    "CloudTrail > Event history > Event ID {event_id}: confirm who made the call and why.\n"
	    "CloudTrail > Trails > {trail}: start logging again, restore the event selectors "
	    "(all management events, read and write) and the settings the call changed.",
	  .cli =
	    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventId,AttributeValue={event_id}\n"
	    "aws cloudtrail start-logging --name {trail}\n"
	    "aws cloudtrail get-event-selectors --trail-name {trail}\n"
	    "aws cloudtrail put-event-selectors --trail-name {trail} --event-selectors '[{\"ReadWriteType\": \"All\", \"IncludeManagementEvents\": true}]'",
	  .python = PY_CT,
	  .python_each =
	    "ct.start_logging(Name={trail})",
	  .grade = check_grade_chg_logging,
	},
};
const size_t check_ncontrols = sizeof(check_controls) / sizeof(check_controls[0]);

const struct check_control *
check_control_find(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < check_ncontrols; i++)
		if (strcasecmp(check_controls[i].id, id) == 0)
			return &check_controls[i];
	return NULL;
}

int
check_catalogue_text(struct buf *out)
{
	struct check_config def;
	json_t *globals;
	char *title;
	size_t i;
	int ok;

	check_config_default(&def);
	globals = check_globals(&def, NULL);

	ok = buf_printf(out, "%-9s %-9s %-5s %-13s %s\n", "ID", "SEVERITY", "CIS",
	    "SECURITY HUB", "TITLE");
	for (i = 0; i < check_ncontrols && ok; i++) {
		const struct check_control *r = &check_controls[i];

		title = check_title(r, globals);
		ok = buf_printf(out, "%-9s %-9s %-5s %-13s %s\n", r->id,
		    check_severity_names[r->severity], r->cis ? r->cis : "-",
		    r->securityhub ? r->securityhub : "-", title);
		free(title);
	}
	json_decref(globals);
	return ok;
}

/* Markdown text: escape what would start emphasis, code, links or tables. */
static void
md_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|", *s) != NULL)
			buf_adds(out, "\\");
		buf_add(out, s, 1);
	}
}

static void
md_sources(struct buf *out, unsigned bits, const char *sep)
{
	int i, n = 0;

	for (i = 0; i < CHECK_SRC__MAX; i++)
		if (bits & (1u << i))
			buf_printf(out, "%s`%s`", n++ ? sep : "", check_source_names[i]);
}

/*
 * The escalation catalogue PRIV-01 asks (policy/escalation.c), written from
 * its rows so that the page cannot drift from the table.
 */
static void
md_escalation(struct buf *out)
{
	const struct pol_esc_method *m;
	size_t i, k;

	buf_adds(out, "\n## The escalation catalogue (PRIV-01)\n\n"
	    "One row per method (policy/escalation.c). The first action must be granted on a "
	    "resource of the type shown that reaches another principal; \"self\" methods count on "
	    "the principal itself too. The other actions may be granted on any resource.\n\n"
	    "| method | actions | first action's resource | what it reaches | sources |\n"
	    "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < pol_nesc_methods; i++) {
		m = &pol_esc_methods[i];
		buf_printf(out, "| `%s` | ", m->id);
		for (k = 0; k < POL_ESC_MAXACT && m->actions[k] != NULL; k++)
			buf_printf(out, "%s`%s`", k ? ", " : "", m->actions[k]);
		buf_printf(out, " | `%s` | ", m->reach);
		md_text(out, m->target);
		buf_adds(out, " | ");
		md_text(out, m->source);
		buf_adds(out, " |\n");
	}
}

/* How the policy controls read documents, and the web-identity provider table (policy/trust.c). */
static void
md_policy_rules(struct buf *out)
{
	const struct pol_oidc_provider *p;
	size_t i, k;

	buf_adds(out, "\n## How the policy controls ask the engine\n\n"
	    "POL-01 and ROLE-01..06 never match JSON by hand: every document is compiled by the "
	    "policy engine (policy/policy.h) and each control asks one question of it, named in "
	    "its paragraph above. The rules those questions share:\n\n"
	    "- A document the engine rejects (AWS would refuse it) makes the control NOT_EVALUATED "
	    "for that policy, role or principal, with the engine's reason; never PASS.\n"
	    "- Conditions. A PASS must never be false, so a conditional Allow still counts as a "
	    "grant (the finding says it is conditional), and a conditional Deny does not subtract "
	    "(it might not apply). The one exception is the trust question: a Deny whose conditions "
	    "use only keys a caller cannot choose (aws:PrincipalOrgID, aws:PrincipalOrgPaths, "
	    "aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, "
	    "aws:SourceOrgID) takes a grant back when the engine evaluates an outsider's request "
	    "(an account and an organization the policy does not name, with and without an "
	    "organization) as explicitly denied.\n"
	    "- A condition pins a caller only when its operator is positive (String or Arn Equals "
	    "or Like, ForAnyValue: allowed): a negated operator, ...IfExists and ForAllValues: on a "
	    "single-valued key hold when the key is absent, and a value that starts with a "
	    "wildcard pins nothing.\n"
	    "- An unconditional Deny with NotAction subtracts every catalogue action but those it "
	    "names. A permissions boundary intersects: what it does not allow on every resource is "
	    "not effective on every resource.\n"
	    "- \"On every resource\" is Resource \"*\" (or only stars, or \"arn:\" followed by "
	    "stars and colons) or NotResource (which leaves out a few resources of every one, and "
	    "is counted as every resource so that a PASS is never false).\n"
	    "- Actions the catalogue does not know (a service newer than the table) are kept and "
	    "named in the finding (POL-01 notes them on a policy that passes).\n"
	    "- Service control policies and resource control policies are not in a snapshot: "
	    "they can only take permissions away, so leaving them out can make a finding that an "
	    "SCP would have prevented, never a false PASS.\n\n"
	    "### Web-identity providers (ROLE-03)\n\n"
	    "A trust statement for sts:AssumeRoleWithWebIdentity pins its callers when every key "
	    "of its provider's row carries a positive condition whose values do not start with a "
	    "wildcard (keys separated by \"or\": any one of them). The subject's scope, when the "
	    "row names one, must follow without a wildcard. The providers are matched by the host "
	    "of the Federated principal (the part after `oidc-provider/`), case-insensitively.\n\n"
	    "| provider | host | keys that must pin | subject scope | documented in |\n"
	    "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < pol_noidc_providers; i++) {
		p = &pol_oidc_providers[i];
		buf_adds(out, "| ");
		md_text(out, p->name);
		buf_printf(out, " | `%s` | ", p->host);
		for (k = 0; p->need[k] != NULL; k++) {
			const char *s;

			buf_adds(out, k ? ", " : "");
			for (s = p->need[k]; *s != '\0'; s += strcspn(s, "|") + (s[strcspn(s, "|")] == '|'))
				buf_printf(out, "%s`HOST:%.*s`", s == p->need[k] ? "" : " or ",
				    (int)strcspn(s, "|"), s);
		}
		if (p->sub_prefix != NULL)
			buf_printf(out, " | `%s` then a name up to one of `%s` | ", p->sub_prefix, p->sub_stop);
		else
			buf_adds(out, " | - | ");
		buf_printf(out, "<%s> |\n", p->doc);
	}
}

/* The framework mapping (checks/frameworks.c): per framework, its requirements in order. */
static void
md_frameworks(struct buf *out)
{
	const struct check_framework *f;
	const struct check_requirement *r;
	const struct check_unmapped *u;

	buf_adds(out, "\n## Frameworks\n\n"
	    "Each control supports requirements of these frameworks (checks/frameworks.c; "
	    "`iamgrade controls --framework NAME`; `frameworks` of each control in results.json; "
	    "`--framework NAME` on `report` and `run` adds the compliance view). CIS numbering and "
	    "Security Hub ids follow the AWS Security Hub control reference; the SOC 2, ISO/IEC "
	    "27001:2022, PCI DSS v4.0 and NIST SP 800-53 rev. 5 mappings are this project's reading "
	    "of what each control evidences, not an auditor's or the standard body's. A control "
	    "supports a requirement; no control or set of controls satisfies one on its own.\n");
	for (f = check_frameworks; f->name != NULL; f++) {
		buf_printf(out, "\n### %s (`%s`)\n\n| requirement | title | controls |\n| --- | --- | --- |\n",
		    f->title, f->name);
		for (r = f->reqs; r->id != NULL; r++) {
			buf_printf(out, "| %s | ", r->id);
			md_text(out, r->title);
			buf_printf(out, " | %s |\n", r->controls);
		}
		for (u = check_unmapped; u->framework != NULL; u++)
			if (strcmp(u->framework, f->name) == 0) {
				buf_printf(out, "\nNot mapped: %s. ", u->controls);
				md_text(out, u->reason);
				buf_adds(out, ".\n");
			}
	}
}

/* One framework's requirements, in its order, with their controls: `iamgrade controls --framework`. */
int
check_framework_text(const struct check_framework *f, struct buf *out)
{
	const struct check_requirement *r;
	int ok;

	ok = buf_printf(out, "%s (%s)\n", f->title, f->name);
	for (r = f->reqs; r->id != NULL && ok; r++)
		ok = buf_printf(out, "  %-10s %s\n  %-10s -> %s\n", r->id, r->title, "", r->controls);
	return ok;
}

int
check_catalogue_markdown(struct buf *out)
{
	struct check_config def;
	json_t *globals, *rem, *v;
	char *title;
	size_t i, j;
	int fam;

	check_config_default(&def);
	globals = check_globals(&def, NULL);

	buf_adds(out, "# Controls\n\n"
	    "<!-- Generated by `iamgrade controls --markdown` from checks/catalogue.c: do not edit. -->\n\n"
	    "The catalogue iamgrade grades, one row of `check_controls[]` per control. Control ids "
	    "are public and never change meaning. Every control yields one status per account: "
	    "PASS, FAIL (each offending resource is a finding), NOT_EVALUATED (a source it needs "
	    "is missing, denied, errored, stale, invalid (not what AWS documents) or partial (cut "
	    "at a collection cap, unless what is there already fails), or two sources disagree: "
	    "the report says which and why; never PASS on missing data) or NOT_APPLICABLE (nothing to grade). The score is the "
	    "severity-weighted share of evaluated controls that pass (critical 10, high 5, medium "
	    "3, low 1); grades A >= 90, B >= 80, C >= 70, D >= 60, F below. Ages are measured from "
	    "the snapshot's collection start, in whole days. Thresholds are the defaults; a config "
	    "file changes them (`iamgrade check --help`).\n\n"
	    "CIS: CIS Amazon Web Services Foundations Benchmark v3.0.0. Security Hub: AWS Security "
	    "Hub control.\n\n"
	    "| id | severity | CIS | Security Hub | title |\n"
	    "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < check_ncontrols; i++) {
		const struct check_control *r = &check_controls[i];

		buf_printf(out, "| [%s](#%s) | %s | %s | %s | ", r->id, r->id,
		    check_severity_names[r->severity], r->cis ? r->cis : "",
		    r->securityhub ? r->securityhub : "");
		title = check_title(r, globals);
		md_text(out, title);
		free(title);
		buf_adds(out, " |\n");
	}
	for (fam = 0; fam < CHECK_FAM__MAX; fam++) {
		buf_printf(out, "\n## %s\n", check_family_titles[fam]);
		for (i = 0; i < check_ncontrols; i++) {
			const struct check_control *r = &check_controls[i];
			struct check_out none = { 0 };

			if ((int)r->family != fam)
				continue;
			buf_printf(out, "\n<a id=\"%s\"></a>\n### %s: ", r->id, r->id);
			title = check_title(r, globals);
			md_text(out, title);
			free(title);
			buf_printf(out, "\n\nSeverity %s; CIS %s; Security Hub %s; sources ",
			    check_severity_names[r->severity], r->cis ? r->cis : "-",
			    r->securityhub ? r->securityhub : "-");
			if (r->needs)
				md_sources(out, r->needs, ", ");
			if (r->needs && r->needs_any)
				buf_adds(out, ", and ");
			if (r->needs_any) {
				md_sources(out, r->needs_any, " or ");
				buf_adds(out, r->needs ? "" : " (either)");
			}
			buf_printf(out, "; thresholds %s%s%s.\n\n", r->thresholds ? "`" : "",
			    r->thresholds ? r->thresholds : "none", r->thresholds ? "`" : "");
			md_text(out, r->doc);
			buf_adds(out, "\n\nRemediation, console:\n\n");
			none.fills = json_array();
			rem = check_remediation(r, &none, globals);
			json_array_foreach(json_object_get(rem, "console"), j, v) {
				buf_adds(out, "- ");
				md_text(out, json_string_value(v));
				buf_adds(out, "\n");
			}
			buf_adds(out, "\nAWS CLI:\n\n```sh\n");
			json_array_foreach(json_object_get(rem, "cli"), j, v)
				buf_printf(out, "%s\n", json_string_value(v));
			buf_printf(out, "```\n\nPython (boto3):\n\n```python\n%s```\n",
			    jstr(rem, "python"));
			json_decref(rem);
			json_decref(none.fills);
		}
	}
	json_decref(globals);
	md_policy_rules(out);
	md_escalation(out);
	md_frameworks(out);
	return 1;
}
