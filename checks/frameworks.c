/*
 * The frameworks each control supports (README "Frameworks"): one table per
 * framework, its requirements in the framework's own order, each naming the
 * controls that support it.  The per-control view (iamgrade controls,
 * docs/controls.md, results.json) is this table read the other way.
 *
 * Sources: CIS numbering and Security Hub ids from the AWS Security Hub
 * control reference ("Related requirements", which lists CIS v5.0.0 and
 * v3.0.0 for each control) and the CIS benchmarks themselves; SOC 2, ISO/IEC
 * 27001:2022 Annex A, PCI DSS v4.0 and NIST SP 800-53 rev. 5 are this
 * project's mapping of what each control evidences (docs/controls.md says
 * so), reviewed against the requirement texts.  A control a framework has
 * no requirement for is listed in check_unmapped[] with the reason; the
 * test in tests/unit/test_catalogue.c checks every pair is one or the other.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/catalogue.h"

static const struct check_requirement cis3[] = {
	{ "1.4", "Ensure no 'root' user account access key exists", "ROOT-01" },
	{ "1.5", "Ensure MFA is enabled for the 'root' user account", "ROOT-02" },
	{ "1.6", "Ensure hardware MFA is enabled for the 'root' user account", "ROOT-03" },
	{ "1.7", "Eliminate use of the 'root' user for administrative and daily tasks", "ROOT-04" },
	{ "1.8", "Ensure IAM password policy requires minimum length of 14 or greater", "PWD-02" },
	{ "1.9", "Ensure IAM password policy prevents password reuse", "PWD-07" },
	{ "1.10", "Ensure MFA is enabled for all IAM users that have a console password", "USER-01" },
	{ "1.11", "Do not setup access keys during initial user setup for all IAM users that have a console password", "USER-02" },
	{ "1.12", "Ensure credentials unused for 45 days or greater are disabled", "USER-03" },
	{ "1.13", "Ensure there is only one active access key available for any single IAM user", "USER-04" },
	{ "1.14", "Ensure access keys are rotated every 90 days or less", "USER-05" },
	{ "1.15", "Ensure IAM Users Receive Permissions Only Through Groups", "USER-07" },
	{ "1.16", "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached", "POL-01" },
	{ "1.17", "Ensure a support role has been created to manage incidents with AWS Support", "POL-02" },
	{ "3.1", "Ensure CloudTrail is enabled in all regions", "TRAIL-01" },
	{ "3.2", "Ensure CloudTrail log file validation is enabled", "TRAIL-02" },
	{ NULL, NULL, NULL }
};

/* v4.0.0 dropped 1.3 (security questions): section 1 moved up by one from there. */
static const struct check_requirement cis5[] = {
	{ "1.3", "Ensure no 'root' user account access key exists", "ROOT-01" },
	{ "1.4", "Ensure MFA is enabled for the 'root' user account", "ROOT-02" },
	{ "1.5", "Ensure hardware MFA is enabled for the 'root' user account", "ROOT-03" },
	{ "1.6", "Eliminate use of the 'root' user for administrative and daily tasks", "ROOT-04" },
	{ "1.7", "Ensure IAM password policy requires minimum length of 14 or greater", "PWD-02" },
	{ "1.8", "Ensure IAM password policy prevents password reuse", "PWD-07" },
	{ "1.9", "Ensure MFA is enabled for all IAM users that have a console password", "USER-01" },
	{ "1.10", "Do not create access keys during initial setup for IAM users with a console password", "USER-02" },
	{ "1.11", "Ensure credentials unused for 45 days or more are disabled", "USER-03" },
	{ "1.12", "Ensure there is only one active access key for any single IAM user", "USER-04" },
	{ "1.13", "Ensure access keys are rotated every 90 days or less", "USER-05" },
	{ "1.14", "Ensure IAM users receive permissions only through groups", "USER-07" },
	{ "1.15", "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached", "POL-01" },
	{ "1.16", "Ensure a support role has been created to manage incidents with AWS Support", "POL-02" },
	{ "3.1", "Ensure CloudTrail is enabled in all regions", "TRAIL-01" },
	{ "3.2", "Ensure CloudTrail log file validation is enabled", "TRAIL-02" },
	{ NULL, NULL, NULL }
};

static const struct check_requirement securityhub[] = {
	{ "IAM.1", "IAM policies should not allow full \"*\" administrative privileges", "POL-01" },
	{ "IAM.2", "IAM users should not have IAM policies attached", "USER-07" },
	{ "IAM.3", "IAM users' access keys should be rotated every 90 days or less", "USER-05" },
	{ "IAM.4", "IAM root user access key should not exist", "ROOT-01" },
	{ "IAM.5", "MFA should be enabled for all IAM users that have a console password", "USER-01" },
	{ "IAM.6", "Hardware MFA should be enabled for the root user", "ROOT-03" },
	{ "IAM.7", "Password policies for IAM users should have strong configurations",
	    "PWD-01 PWD-03 PWD-04 PWD-05 PWD-06 PWD-08" },
	{ "IAM.9", "MFA should be enabled for the root user", "ROOT-02" },
	{ "IAM.15", "Ensure IAM password policy requires minimum password length of 14 or greater", "PWD-02" },
	{ "IAM.16", "Ensure IAM password policy prevents password reuse", "PWD-07" },
	{ "IAM.18", "Ensure a support role has been created to manage incidents with AWS Support", "POL-02" },
	{ "IAM.22", "IAM user credentials unused for 45 days should be removed", "USER-03" },
	{ "CloudTrail.1", "CloudTrail should be enabled and configured with at least one multi-Region trail "
	    "that includes read and write management events", "TRAIL-01" },
	{ "CloudTrail.4", "CloudTrail log file validation should be enabled", "TRAIL-02" },
	{ NULL, NULL, NULL }
};

static const struct check_requirement soc2[] = {
	{ "CC6.1", "Logical access security software, infrastructure and architectures over protected information assets",
	    "PWD-01 PWD-02 PWD-03 PWD-04 PWD-05 PWD-06 PWD-07 PWD-08 ROOT-01 ROOT-02 ROOT-03 USER-01 "
	    "USER-04 USER-05 USER-06 ROLE-01 ROLE-03" },
	{ "CC6.2", "Registration and authorization of new users; removal of credentials no longer needed",
	    "USER-02 USER-03 ROLE-07 LP-01 LP-02 CHG-02" },
	{ "CC6.3", "Access based on roles and least privilege; modification and removal of access",
	    "ROOT-04 USER-03 USER-07 POL-01 ROLE-05 ROLE-06 PRIV-01 PRIV-02 LP-03 LP-04 CHG-01" },
	{ "CC6.6", "Logical access security measures against threats from sources outside system boundaries",
	    "ROLE-01 ROLE-02 ROLE-04" },
	{ "CC7.2", "Monitoring of system components for anomalies indicative of malicious acts",
	    "TRAIL-01 TRAIL-02 ROLE-07 CHG-01 CHG-02 CHG-03" },
	{ "CC7.4", "Response to identified security incidents", "POL-02" },
	{ NULL, NULL, NULL }
};

static const struct check_requirement iso27001[] = {
	{ "5.15", "Access control", "USER-07 ROLE-01 ROLE-02 ROLE-04 CHG-01" },
	{ "5.16", "Identity management", "USER-02 ROLE-03" },
	{ "5.17", "Authentication information",
	    "PWD-01 PWD-02 PWD-03 PWD-04 PWD-05 PWD-06 PWD-07 PWD-08 USER-04 USER-05 USER-06 CHG-02" },
	{ "5.18", "Access rights", "ROOT-01 USER-02 USER-03 USER-07 LP-01 LP-02 LP-03" },
	{ "5.19", "Information security in supplier relationships", "ROLE-02" },
	{ "5.24", "Information security incident management planning and preparation", "POL-02" },
	{ "8.2", "Privileged access rights", "ROOT-01 ROOT-04 POL-01 ROLE-05 ROLE-06 ROLE-07 PRIV-01 PRIV-02 LP-04" },
	{ "8.5", "Secure authentication", "ROOT-02 ROOT-03 USER-01 ROLE-03" },
	{ "8.15", "Logging", "TRAIL-01 TRAIL-02 CHG-03" },
	{ "8.16", "Monitoring activities", "ROLE-07 CHG-01 CHG-02 CHG-03" },
	{ NULL, NULL, NULL }
};

static const struct check_requirement pcidss4[] = {
	{ "7.2.1", "An access control model is defined and includes granting access as needed",
	    "USER-07 ROLE-01 ROLE-02 ROLE-04 CHG-01" },
	{ "7.2.2", "Access is assigned based on job classification and function, with least privileges",
	    "ROOT-04 POL-01 ROLE-05 ROLE-06 PRIV-01 PRIV-02" },
	{ "7.2.4", "User accounts and access privileges are reviewed at least once every six months",
	    "LP-01 LP-02 LP-03 LP-04" },
	{ "8.2.2", "Group, shared or generic accounts are used only when necessary", "ROOT-01" },
	{ "8.2.4", "Addition, deletion and modification of user IDs and authentication factors are managed",
	    "USER-02 CHG-02" },
	{ "8.2.6", "Inactive user accounts are removed or disabled within 90 days of inactivity",
	    "USER-03 LP-02" },
	{ "8.3.6", "Passwords meet a minimum complexity (at least 12 characters, numeric and alphabetic)",
	    "PWD-01 PWD-02 PWD-03 PWD-04 PWD-05 PWD-06" },
	{ "8.3.7", "A new password is not the same as any of the last four", "PWD-07" },
	{ "8.3.9", "Passwords as the only factor are changed at least once every 90 days", "PWD-08 USER-06" },
	{ "8.4.1", "MFA is implemented for all non-console access into the CDE for administrative access",
	    "ROOT-02 ROOT-03" },
	{ "8.4.2", "MFA is implemented for all access into the CDE", "USER-01" },
	{ "8.6.3", "Passwords/passphrases for application and system accounts are protected and changed periodically",
	    "USER-04 USER-05" },
	{ "8.3.1", "All user access is authenticated with at least one factor, including for external identities",
	    "ROLE-03" },
	{ "10.2.1", "Audit logs are enabled and active for all system components", "TRAIL-01 CHG-03" },
	{ "10.2.1.2", "Audit logs capture all actions taken by any individual with administrative access", "ROLE-07" },
	{ "10.3.4", "File integrity monitoring or change-detection is used on audit logs", "TRAIL-02" },
	{ "12.10.1", "An incident response plan exists and is ready to be activated", "POL-02" },
	{ NULL, NULL, NULL }
};

static const struct check_requirement nist80053[] = {
	{ "AC-2", "Account Management", "USER-02 USER-07" },
	{ "AC-2(3)", "Account Management | Disable Accounts", "USER-03 LP-01 LP-02" },
	{ "AC-3", "Access Enforcement", "ROLE-01 ROLE-03 ROLE-04 CHG-01" },
	{ "AC-6", "Least Privilege", "ROOT-01 USER-07 POL-01 ROLE-05 ROLE-06 PRIV-01 PRIV-02" },
	{ "AC-6(2)", "Least Privilege | Non-privileged Access for Nonsecurity Functions", "ROOT-04" },
	{ "AC-6(7)", "Least Privilege | Review of User Privileges", "LP-03 LP-04" },
	{ "AC-6(9)", "Least Privilege | Log Use of Privileged Functions", "ROLE-07" },
	{ "AC-20", "Use of External Systems", "ROLE-02" },
	{ "AU-2", "Event Logging", "TRAIL-01" },
	{ "AU-9", "Protection of Audit Information", "TRAIL-02 CHG-03" },
	{ "AU-12", "Audit Record Generation", "TRAIL-01" },
	{ "IA-2(1)", "Identification and Authentication | Multi-factor Authentication to Privileged Accounts",
	    "ROOT-02 ROOT-03 USER-01" },
	{ "IA-2(2)", "Identification and Authentication | Multi-factor Authentication to Non-privileged Accounts",
	    "USER-01" },
	{ "IA-5", "Authenticator Management", "USER-04 USER-05 CHG-02" },
	{ "IA-5(1)", "Authenticator Management | Password-based Authentication",
	    "PWD-01 PWD-02 PWD-03 PWD-04 PWD-05 PWD-06 PWD-07 PWD-08 USER-06" },
	{ "IA-8", "Identification and Authentication (Non-organizational Users)", "ROLE-03" },
	{ "IR-7", "Incident Response Assistance", "POL-02" },
	{ NULL, NULL, NULL }
};

const struct check_framework check_frameworks[] = {
	{ "cis-v3.0.0", "CIS Amazon Web Services Foundations Benchmark v3.0.0", cis3 },
	{ "cis-v5.0.0", "CIS Amazon Web Services Foundations Benchmark v5.0.0", cis5 },
	{ "securityhub", "AWS Security Hub controls (CSPM)", securityhub },
	{ "soc2", "SOC 2 Trust Services Criteria (2017, points of focus revised 2022)", soc2 },
	{ "iso27001", "ISO/IEC 27001:2022 Annex A", iso27001 },
	{ "pci-dss-v4.0", "PCI DSS v4.0", pcidss4 },
	{ "nist-800-53-r5", "NIST SP 800-53 Rev. 5", nist80053 },
	{ NULL, NULL, NULL }
};

/*
 * Why a framework has nothing for a control.  The test lists these; a pair
 * that is neither mapped nor here fails it.
 */
const struct check_unmapped check_unmapped[] = {
	{ "cis-v3.0.0", "PWD-01 PWD-03 PWD-04 PWD-05 PWD-06 PWD-08 USER-06",
	    "CIS recommends only length (1.8) and reuse (1.9) of the password policy" },
	{ "cis-v5.0.0", "PWD-01 PWD-03 PWD-04 PWD-05 PWD-06 PWD-08 USER-06",
	    "CIS recommends only length (1.7) and reuse (1.8) of the password policy" },
	{ "cis-v3.0.0", "ROLE-01 ROLE-02 ROLE-03 ROLE-04 ROLE-05 ROLE-06 ROLE-07",
	    "CIS has no recommendation on role trust policies or on roles created recently" },
	{ "cis-v5.0.0", "ROLE-01 ROLE-02 ROLE-03 ROLE-04 ROLE-05 ROLE-06 ROLE-07",
	    "CIS has no recommendation on role trust policies or on roles created recently" },
	{ "securityhub", "ROOT-04 USER-02 USER-04 USER-06",
	    "Security Hub has no control for it (CIS covers it without a Security Hub equivalent)" },
	{ "securityhub", "ROLE-01 ROLE-02 ROLE-03 ROLE-04 ROLE-05 ROLE-06 ROLE-07",
	    "Security Hub has no control on role trust policies (IAM Access Analyzer covers external access)" },
	{ "cis-v3.0.0", "PRIV-01 PRIV-02", "CIS has no recommendation on privilege-escalation paths" },
	{ "cis-v5.0.0", "PRIV-01 PRIV-02", "CIS has no recommendation on privilege-escalation paths" },
	{ "securityhub", "PRIV-01 PRIV-02", "Security Hub has no control on privilege-escalation paths" },
	{ "cis-v3.0.0", "LP-01 LP-02 LP-03 LP-04",
	    "CIS asks only that unused credentials be disabled (USER-03), not about unused principals or permissions" },
	{ "cis-v5.0.0", "LP-01 LP-02 LP-03 LP-04",
	    "CIS asks only that unused credentials be disabled (USER-03), not about unused principals or permissions" },
	{ "securityhub", "LP-01 LP-02 LP-03 LP-04",
	    "Security Hub leaves unused access to IAM Access Analyzer's unused-access findings" },
	{ "cis-v3.0.0", "CHG-01 CHG-02 CHG-03",
	    "CIS asks for a CloudWatch metric filter and alarm on IAM policy and CloudTrail changes "
	    "(monitoring section), which is alarm configuration iamgrade does not collect; CHG-* "
	    "read the events themselves" },
	{ "cis-v5.0.0", "CHG-01 CHG-02 CHG-03",
	    "CIS asks for a CloudWatch metric filter and alarm on IAM policy and CloudTrail changes "
	    "(monitoring section), which is alarm configuration iamgrade does not collect; CHG-* "
	    "read the events themselves" },
	{ "securityhub", "CHG-01 CHG-02 CHG-03",
	    "Security Hub's CloudWatch.4/CloudWatch.5 check that an alarm exists on these changes, "
	    "not the changes; iamgrade does not collect alarms" },
	{ NULL, NULL, NULL }
};

const struct check_framework *
check_framework_find(const char *name)
{
	const struct check_framework *f;

	for (f = check_frameworks; name != NULL && f->name != NULL; f++)
		if (strcasecmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Whether the space-separated list has id as a whole word. */
int
check_list_has(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, id)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

json_t *
check_frameworks_of(const char *control)
{
	const struct check_framework *f;
	const struct check_requirement *r;
	json_t *o = json_object(), *ids;

	for (f = check_frameworks; f->name != NULL; f++) {
		ids = json_array();
		for (r = f->reqs; r->id != NULL; r++)
			if (check_list_has(r->controls, control))
				json_array_append_new(ids, json_string(r->id));
		json_object_set_new(o, f->name, ids);
	}
	return o;
}

json_t *
check_framework_json(const struct check_framework *f)
{
	const struct check_requirement *r;
	json_t *reqs = json_array(), *ids;
	char *list, *tok, *save = NULL;

	for (r = f->reqs; r->id != NULL; r++) {
		ids = json_array();
		list = xstrdup(r->controls);
		for (tok = strtok_r(list, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
			json_array_append_new(ids, json_string(tok));
		free(list);
		json_array_append_new(reqs, json_pack("{s:s,s:s,s:o}", "id", r->id, "title", r->title,
		    "controls", ids));
	}
	return json_pack("{s:s,s:s,s:o}", "name", f->name, "title", f->title, "requirements", reqs);
}
