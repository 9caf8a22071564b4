/* IAM/STS XML into JSON: canned responses from the reference, namespaces, errors, broken bodies. */
#include "tests/unit/t.h"

#include "common/common.h"
#include "collector/sources.h"
#include "collector/xml.h"

#define NS "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""
#define META "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"

static json_t *
result(const char *body, const char *action, char **err)
{
	json_t *out = NULL;

	free(*err);
	*err = NULL;
	if (!xml_result(body, strlen(body), action, &xml_iam, &out, err))
		return NULL;
	return out;
}

static void
t_password_policy(void)
{
	char *err = NULL;
	json_t *r = result("<GetAccountPasswordPolicyResponse " NS ">"
	    "<GetAccountPasswordPolicyResult><PasswordPolicy>"
	    "<AllowUsersToChangePassword>true</AllowUsersToChangePassword>"
	    "<RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
	    "<RequireUppercaseCharacters>true</RequireUppercaseCharacters>"
	    "<MinimumPasswordLength>14</MinimumPasswordLength>"
	    "<RequireNumbers>true</RequireNumbers>"
	    "<PasswordReusePrevention>24</PasswordReusePrevention>"
	    "<RequireSymbols>false</RequireSymbols>"
	    "<HardExpiry>false</HardExpiry>"
	    "<ExpirePasswords>true</ExpirePasswords>"
	    "<MaxPasswordAge>90</MaxPasswordAge>"
	    "</PasswordPolicy></GetAccountPasswordPolicyResult>" META
	    "</GetAccountPasswordPolicyResponse>", "GetAccountPasswordPolicy", &err);
	json_t *p = json_object_get(r, "PasswordPolicy");

	T(r != NULL, "parse: %s", err);
	T(json_is_integer(json_object_get(p, "MinimumPasswordLength")) &&
	    jint(p, "MinimumPasswordLength", 0) == 14, "MinimumPasswordLength");
	T(jint(p, "MaxPasswordAge", 0) == 90 && jint(p, "PasswordReusePrevention", 0) == 24, "ints");
	T(json_is_true(json_object_get(p, "RequireNumbers")), "RequireNumbers");
	T(json_is_false(json_object_get(p, "RequireSymbols")), "RequireSymbols");
	T(json_is_false(json_object_get(p, "HardExpiry")), "HardExpiry");
	T(json_object_size(p) == 10, "%zu members", json_object_size(p));
	json_decref(r);
	/* Never-expiring passwords: the members are absent, not zero. */
	r = result("<GetAccountPasswordPolicyResponse><GetAccountPasswordPolicyResult>"
	    "<PasswordPolicy><MinimumPasswordLength>8</MinimumPasswordLength>"
	    "<ExpirePasswords>false</ExpirePasswords></PasswordPolicy>"
	    "</GetAccountPasswordPolicyResult></GetAccountPasswordPolicyResponse>",
	    "GetAccountPasswordPolicy", &err);
	p = json_object_get(r, "PasswordPolicy");
	T(p != NULL && json_object_get(p, "MaxPasswordAge") == NULL &&
	    json_object_get(p, "PasswordReusePrevention") == NULL, "absent members: %s", err);
	json_decref(r);
	free(err);
}

static void
t_summary_map(void)
{
	char *err = NULL;
	json_t *r = result("<GetAccountSummaryResponse " NS "><GetAccountSummaryResult>"
	    "<SummaryMap>"
	    "<entry><key>AccountMFAEnabled</key><value>1</value></entry>"
	    "<entry><key>AccountAccessKeysPresent</key><value>0</value></entry>"
	    "<entry><key>Users</key><value>27</value></entry>"
	    "<entry><key>FutureThing</key><value>n/a</value></entry>"
	    "</SummaryMap></GetAccountSummaryResult>" META "</GetAccountSummaryResponse>",
	    "GetAccountSummary", &err);
	json_t *m = json_object_get(r, "SummaryMap");

	T(r != NULL, "parse: %s", err);
	T(json_is_integer(json_object_get(m, "AccountMFAEnabled")) &&
	    jint(m, "AccountMFAEnabled", -1) == 1, "AccountMFAEnabled");
	T(jint(m, "AccountAccessKeysPresent", -1) == 0, "AccountAccessKeysPresent");
	T(jint(m, "Users", -1) == 27, "Users");
	T_STREQ(jstr(m, "FutureThing"), "n/a");
	json_decref(r);
	free(err);
}

static void
t_virtual_mfa(void)
{
	char *err = NULL;
	json_t *r = result("<ListVirtualMFADevicesResponse " NS "><ListVirtualMFADevicesResult>"
	    "<IsTruncated>false</IsTruncated><VirtualMFADevices>"
	    "<member><SerialNumber>arn:aws:iam::123456789012:mfa/root-account-mfa-device</SerialNumber>"
	    "<User><UserId>123456789012</UserId><Arn>arn:aws:iam::123456789012:root</Arn>"
	    "<CreateDate>2019-01-01T00:00:00Z</CreateDate></User>"
	    "<EnableDate>2019-02-01T00:00:00Z</EnableDate></member>"
	    "<member><SerialNumber>arn:aws:iam::123456789012:mfa/alice</SerialNumber></member>"
	    "</VirtualMFADevices></ListVirtualMFADevicesResult>" META
	    "</ListVirtualMFADevicesResponse>", "ListVirtualMFADevices", &err);
	json_t *d = json_object_get(r, "VirtualMFADevices");

	T(r != NULL, "parse: %s", err);
	T(json_array_size(d) == 2, "devices");
	T_STREQ(json_string_value(jpath(json_array_get(d, 0), "User.Arn")),
	    "arn:aws:iam::123456789012:root");
	T_STREQ(json_string_value(jpath(json_array_get(d, 0), "User.UserId")), "123456789012");
	T_STREQ(jstr(json_array_get(d, 0), "EnableDate"), "2019-02-01T00:00:00Z");
	T(json_object_get(json_array_get(d, 1), "User") == NULL, "unassigned device has a User");
	T(json_is_false(json_object_get(r, "IsTruncated")), "IsTruncated");
	json_decref(r);
	free(err);
}

static void
t_access_keys(void)
{
	char *err = NULL;
	json_t *r = result("<ListAccessKeysResponse " NS "><ListAccessKeysResult>"
	    "<AccessKeyMetadata>"
	    "<member><UserName>alice</UserName><AccessKeyId>AKIAEXAMPLE1</AccessKeyId>"
	    "<Status>Active</Status><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>"
	    "<member><UserName>alice</UserName><AccessKeyId>AKIAEXAMPLE2</AccessKeyId>"
	    "<Status>Inactive</Status><CreateDate>2021-01-01T00:00:00Z</CreateDate></member>"
	    "</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult>" META
	    "</ListAccessKeysResponse>", "ListAccessKeys", &err);
	json_t *k = json_object_get(r, "AccessKeyMetadata");

	T(json_array_size(k) == 2, "keys: %s", err);
	T_STREQ(jstr(json_array_get(k, 1), "Status"), "Inactive");
	T_STREQ(jstr(json_array_get(k, 0), "AccessKeyId"), "AKIAEXAMPLE1");
	json_decref(r);
	free(err);
}

#define TRUST "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect" \
	"%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D" \
	"%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
#define ADMIN "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement" \
	"%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22%2A%22%2C%20" \
	"%22Resource%22%3A%20%22%2A%22%7D%5D%0A%7D"

static const char details[] =
    "<GetAccountAuthorizationDetailsResponse " NS ">"
    "<GetAccountAuthorizationDetailsResult>"
    "<IsTruncated>true</IsTruncated><Marker>m/1+2==</Marker>"
    "<UserDetailList><member><Path>/</Path><UserName>alice</UserName>"
    "<UserId>AIDA1</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
    "<CreateDate>2020-01-01T00:00:00Z</CreateDate>"
    "<GroupList><member>admins</member><member>devs</member></GroupList>"
    "<UserPolicyList><member><PolicyName>inline</PolicyName>"
    "<PolicyDocument>" ADMIN "</PolicyDocument></member></UserPolicyList>"
    "<AttachedManagedPolicies/>"
    "<Tags><member><Key>team</Key><Value>a&amp;b</Value></member></Tags>"
    "</member></UserDetailList>"
    "<GroupDetailList/>"
    "<RoleDetailList><member><Path>/</Path><RoleName>deploy</RoleName><RoleId>AROA1</RoleId>"
    "<Arn>arn:aws:iam::123456789012:role/deploy</Arn><CreateDate>2024-03-01T10:00:00Z</CreateDate>"
    "<AssumeRolePolicyDocument>" TRUST "</AssumeRolePolicyDocument>"
    "<InstanceProfileList/><RolePolicyList/>"
    "<AttachedManagedPolicies><member><PolicyName>AdministratorAccess</PolicyName>"
    "<PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member>"
    "</AttachedManagedPolicies><RoleLastUsed/>"
    "<MaxSessionDuration>3600</MaxSessionDuration></member></RoleDetailList>"
    "<Policies><member><PolicyName>AdministratorAccess</PolicyName><PolicyId>ANPA1</PolicyId>"
    "<Arn>arn:aws:iam::aws:policy/AdministratorAccess</Arn><Path>/</Path>"
    "<DefaultVersionId>v2</DefaultVersionId><AttachmentCount>1</AttachmentCount>"
    "<PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>"
    "<IsAttachable>true</IsAttachable><CreateDate>2015-02-06T18:39:46Z</CreateDate>"
    "<PolicyVersionList>"
    "<member><Document>%7B%22old%22%3Atrue%7D</Document><VersionId>v1</VersionId>"
    "<IsDefaultVersion>false</IsDefaultVersion></member>"
    "<member><Document>" ADMIN "</Document><VersionId>v2</VersionId>"
    "<IsDefaultVersion>true</IsDefaultVersion><CreateDate>2015-02-06T18:39:46Z</CreateDate></member>"
    "</PolicyVersionList></member>"
    "<member><PolicyName>broken</PolicyName><Arn>arn:aws:iam::123456789012:policy/broken</Arn>"
    "<DefaultVersionId>v1</DefaultVersionId><AttachmentCount>0</AttachmentCount>"
    "<IsAttachable>true</IsAttachable><PolicyVersionList><member>"
    "<Document>%7B%22Statement%22%3A</Document><VersionId>v1</VersionId>"
    "<IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member>"
    "</Policies></GetAccountAuthorizationDetailsResult>" META
    "</GetAccountAuthorizationDetailsResponse>";

static void
t_authorization_details(void)
{
	char *err = NULL;
	json_t *r = result(details, "GetAccountAuthorizationDetails", &err);
	json_t *u, *role, *doc, *pol, *broken;

	T(r != NULL, "parse: %s", err);
	u = json_array_get(json_object_get(r, "UserDetailList"), 0);
	T(json_array_size(json_object_get(u, "GroupList")) == 2, "GroupList");
	T_STREQ(json_string_value(json_array_get(json_object_get(u, "GroupList"), 1)), "devs");
	doc = jpath(json_array_get(json_object_get(u, "UserPolicyList"), 0), "PolicyDocument");
	T(json_is_object(doc), "inline document not parsed");
	T_STREQ(json_string_value(jpath(json_array_get(json_object_get(doc, "Statement"), 0),
	    "Action")), "*");
	T(json_is_array(json_object_get(u, "AttachedManagedPolicies")) &&
	    json_array_size(json_object_get(u, "AttachedManagedPolicies")) == 0, "empty list");
	T_STREQ(jstr(json_array_get(json_object_get(u, "Tags"), 0), "Value"), "a&b");
	T(json_is_array(json_object_get(r, "GroupDetailList")) &&
	    json_array_size(json_object_get(r, "GroupDetailList")) == 0, "empty group list");
	role = json_array_get(json_object_get(r, "RoleDetailList"), 0);
	T_STREQ(json_string_value(jpath(role, "AssumeRolePolicyDocument.Version")), "2012-10-17");
	T_STREQ(json_string_value(jpath(json_array_get(jpath(role,
	    "AssumeRolePolicyDocument.Statement"), 0), "Principal.Service")), "ec2.amazonaws.com");
	T(json_is_object(json_object_get(role, "RoleLastUsed")) &&
	    json_object_size(json_object_get(role, "RoleLastUsed")) == 0, "empty RoleLastUsed not {}");
	T(jint(role, "MaxSessionDuration", 0) == 3600, "MaxSessionDuration");
	T(json_is_true(json_object_get(r, "IsTruncated")), "IsTruncated");
	T_STREQ(jstr(r, "Marker"), "m/1+2==");

	pol = iam_policy_reduce(json_array_get(json_object_get(r, "Policies"), 0));
	T(json_object_size(pol) == 6, "reduced policy has %zu members", json_object_size(pol));
	T(json_object_get(pol, "PolicyId") == NULL && json_object_get(pol, "Path") == NULL,
	    "members the snapshot does not keep");
	T(jint(pol, "AttachmentCount", -1) == 1 && json_is_true(json_object_get(pol, "IsAttachable")),
	    "AttachmentCount/IsAttachable");
	T(json_array_size(json_object_get(pol, "PolicyVersionList")) == 1, "versions");
	T_STREQ(jstr(json_array_get(json_object_get(pol, "PolicyVersionList"), 0), "VersionId"), "v2");
	T(json_is_true(json_object_get(json_array_get(json_object_get(pol, "PolicyVersionList"), 0),
	    "IsDefaultVersion")), "IsDefaultVersion");
	T(json_object_size(json_array_get(json_object_get(pol, "PolicyVersionList"), 0)) == 3,
	    "version members");
	T_STREQ(jstr(jpath(json_array_get(json_object_get(pol, "PolicyVersionList"), 0), "Document"),
	    "Version"), "2012-10-17");
	/* A document that does not parse stays the decoded text. */
	broken = iam_policy_reduce(json_array_get(json_object_get(r, "Policies"), 1));
	T_STREQ(jstr(json_array_get(json_object_get(broken, "PolicyVersionList"), 0), "Document"),
	    "{\"Statement\":");
	/* Unattached AWS-managed policies (an emulator sends them all) are dropped. */
	T(iam_policy_kept(json_array_get(json_object_get(r, "Policies"), 0)), "attached AWS policy");
	T(iam_policy_kept(json_array_get(json_object_get(r, "Policies"), 1)),
	    "unattached customer policy");
	json_object_set_new(json_array_get(json_object_get(r, "Policies"), 0), "AttachmentCount",
	    json_integer(0));
	T(!iam_policy_kept(json_array_get(json_object_get(r, "Policies"), 0)),
	    "unattached AWS policy kept");
	json_decref(pol);
	json_decref(broken);
	json_decref(r);
	free(err);
}

static void
t_namespaces(void)
{
	char *err = NULL;
	json_t *r;

	r = result("<iam:ListAccountAliasesResponse xmlns:iam=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
	    "<iam:ListAccountAliasesResult><iam:AccountAliases><iam:member>acme</iam:member>"
	    "</iam:AccountAliases><iam:IsTruncated>false</iam:IsTruncated>"
	    "</iam:ListAccountAliasesResult></iam:ListAccountAliasesResponse>",
	    "ListAccountAliases", &err);
	T_STREQ(json_string_value(json_array_get(json_object_get(r, "AccountAliases"), 0)), "acme");
	json_decref(r);
	r = result("<ListAccountAliasesResponse><ListAccountAliasesResult><AccountAliases/>"
	    "</ListAccountAliasesResult></ListAccountAliasesResponse>", "ListAccountAliases", &err);
	T(r != NULL && json_array_size(json_object_get(r, "AccountAliases")) == 0 &&
	    json_is_array(json_object_get(r, "AccountAliases")), "no namespace, empty list: %s", err);
	json_decref(r);
	r = result("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/auditor</Arn>"
	    "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>"
	    "</GetCallerIdentityResult>" META "</GetCallerIdentityResponse>",
	    "GetCallerIdentity", &err);
	T_STREQ(jstr(r, "Account"), "123456789012");
	T_STREQ(jstr(r, "Arn"), "arn:aws:iam::123456789012:user/auditor");
	json_decref(r);
	/* A result with no members is an empty object. */
	r = result("<GenerateCredentialReportResponse><GenerateCredentialReportResult/>"
	    "</GenerateCredentialReportResponse>", "GenerateCredentialReport", &err);
	T(json_is_object(r) && json_object_size(r) == 0, "empty result: %s", err);
	json_decref(r);
	free(err);
}

static void
t_errors(void)
{
	char *code = NULL, *msg = NULL, *err = NULL;
	static const char nse[] = "<ErrorResponse " NS "><Error><Type>Sender</Type>"
	    "<Code>NoSuchEntity</Code><Message>The Password Policy with domain name "
	    "123456789012 cannot be found.</Message></Error><RequestId>rid-9</RequestId>"
	    "</ErrorResponse>";
	static const char ec2[] = "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
	    "<Message>no</Message></Error></Errors><RequestID>r</RequestID></Response>";
	json_t *r;

	T(xml_error(nse, strlen(nse), &code, &msg), "query error not found");
	T_STREQ(code, "NoSuchEntity");
	T(msg != NULL && strstr(msg, "cannot be found") != NULL, "message %s", msg);
	free(code);
	free(msg);
	T(xml_error(ec2, strlen(ec2), &code, &msg), "EC2-style error not found");
	T_STREQ(code, "UnauthorizedOperation");
	free(code);
	free(msg);
	T(!xml_error("<html>503</html>", 16, &code, &msg) && code == NULL, "HTML is no error body");
	T(!xml_error("Service Unavailable", 19, &code, &msg), "text is no error body");
	/* An error body where a result was expected names the code. */
	r = result(nse, "GetAccountPasswordPolicy", &err);
	T(r == NULL && err != NULL && strstr(err, "NoSuchEntity") != NULL, "message: %s", err);
	r = result("<ListUsersResponse><ListUsersResult/></ListUsersResponse>", "GetAccountSummary", &err);
	T(r == NULL && err != NULL && strstr(err, "GetAccountSummaryResponse") != NULL, "root: %s", err);
	r = result("<GetAccountSummaryResponse><Other/></GetAccountSummaryResponse>",
	    "GetAccountSummary", &err);
	T(r == NULL && err != NULL && strstr(err, "GetAccountSummaryResult") != NULL, "result: %s", err);
	free(err);
}

static void
t_malformed(void)
{
	char *err = NULL;
	json_t *r;
	size_t n;

	r = result("<GetAccountSummaryResponse><GetAccountSummaryResult><SummaryMap>",
	    "GetAccountSummary", &err);
	T(r == NULL && err != NULL && strstr(err, "not well-formed") != NULL, "truncated: %s", err);
	r = result("", "GetAccountSummary", &err);
	T(r == NULL && err != NULL, "empty body accepted");
	r = result("{\"not\": \"xml\"}", "GetAccountSummary", &err);
	T(r == NULL && err != NULL, "JSON accepted");
	/* Entities are never expanded; a DTD is refused outright. */
	r = result("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<ListAccountAliasesResponse><ListAccountAliasesResult><AccountAliases>"
	    "<member>&e;</member></AccountAliases></ListAccountAliasesResult>"
	    "</ListAccountAliasesResponse>", "ListAccountAliases", &err);
	T(r == NULL && err != NULL && strstr(err, "document type") != NULL, "DTD: %s", err);
	r = result("<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
	    "<X>&b;</X>", "X", &err);
	T(r == NULL, "entity expansion accepted");
	/* Every prefix of a good body: a result or a message, never a crash. */
	for (n = 0; n < sizeof(details) - 1; n += 7) {
		json_t *out = NULL;

		free(err);
		err = NULL;
		if (xml_result(details, n, "GetAccountAuthorizationDetails", &xml_iam, &out, &err))
			T(out != NULL, "prefix %zu: ok without a result", n);
		else
			T(err != NULL, "prefix %zu: no message", n);
		json_decref(out);
	}
	free(err);
}

static void
t_bad_values(void)
{
	char *err = NULL;
	json_t *r = result("<GetAccountPasswordPolicyResponse><GetAccountPasswordPolicyResult>"
	    "<PasswordPolicy><MinimumPasswordLength>fourteen</MinimumPasswordLength>"
	    "<RequireSymbols>yes</RequireSymbols></PasswordPolicy>"
	    "</GetAccountPasswordPolicyResult></GetAccountPasswordPolicyResponse>",
	    "GetAccountPasswordPolicy", &err);

	/* What does not fit its type stays the text AWS sent: checks see no number. */
	T_STREQ(json_string_value(jpath(r, "PasswordPolicy.MinimumPasswordLength")), "fourteen");
	T_STREQ(json_string_value(jpath(r, "PasswordPolicy.RequireSymbols")), "yes");
	json_decref(r);
	r = xml_policy_doc("%7B%22a%22%3A%22%FF%22%7D");
	T(json_is_string(r), "invalid UTF-8 document is a string");
	json_decref(r);
	r = xml_policy_doc("%5B1%5D");
	T_STREQ(json_string_value(r), "[1]");
	json_decref(r);
	free(err);
}

static void
t_credential_report(void)
{
	static const char csv[] = "user,arn,access_key_1_active\n<root_account>,arn:r,false\n"
	    "\"a,b\",arn:ab,true\n";
	char *err = NULL, *out = NULL;
	size_t len = 0;
	json_t *res, *data = NULL;
	/* base64 of csv, wrapped as some encoders do. */
	const char *b64 = "dXNlcixhcm4sYWNjZXNzX2tleV8xX2FjdGl2ZQo8cm9vdF9hY2NvdW50Pixhcm46cixm\n"
	    "YWxzZQoiYSxiIixhcm46YWIsdHJ1ZQo=";

	T(iam_base64_decode(b64, &out, &len), "decode");
	T(len == sizeof(csv) - 1 && out != NULL && memcmp(out, csv, len) == 0, "decoded %zu bytes", len);
	free(out);
	out = NULL;
	T(iam_base64_decode("", &out, &len) && len == 0, "empty");
	free(out);
	out = NULL;
	T(iam_base64_decode(" d X N l \r\n c g = = ", &out, &len) && len == 4 &&
	    memcmp(out, "user", 4) == 0, "whitespace and padding");
	free(out);
	out = NULL;
	T(!iam_base64_decode("dXNlc", &out, &len), "length not a multiple of 4");
	T(!iam_base64_decode("dX!lcg==", &out, &len), "bad character");

	res = json_pack("{s:s, s:s, s:s}", "Content", b64, "ReportFormat", "text/csv",
	    "GeneratedTime", "2026-11-27T09:58:00Z");
	T(iam_report_data(res, &data, &err), "report: %s", err);
	T_STREQ(jstr(data, "generated_time"), "2026-11-27T09:58:00Z");
	T_STREQ(jstr(json_array_get(json_object_get(data, "rows"), 1), "user"), "a,b");
	T(json_array_size(json_object_get(data, "columns")) == 3, "columns");
	json_decref(data);
	json_object_set_new(res, "Content", json_string("bm9uZQ=="));	/* "none": no arn */
	T(!iam_report_data(res, &data, &err) && strstr(err, "\"user\"") != NULL, "message: %s", err);
	json_object_set_new(res, "Content", json_string("%%%%"));
	T(!iam_report_data(res, &data, &err) && strstr(err, "base64") != NULL, "message: %s", err);
	json_decref(res);
	free(err);
}

static void
t_key_holders(void)
{
	json_t *r;

	r = json_pack("{s:s, s:s, s:s, s:s}", "access_key_1_active", "true",
	    "access_key_2_active", "false", "access_key_1_last_rotated", "2020-01-01T00:00:00+00:00",
	    "access_key_2_last_rotated", "N/A");
	T(iam_row_has_key(r), "active key");
	json_decref(r);
	r = json_pack("{s:s, s:s, s:s, s:s}", "access_key_1_active", "false",
	    "access_key_2_active", "false", "access_key_1_last_rotated", "N/A",
	    "access_key_2_last_rotated", "2021-05-01T00:00:00+00:00");
	T(iam_row_has_key(r), "an inactive key exists");
	json_decref(r);
	r = json_pack("{s:s, s:s, s:s, s:s}", "access_key_1_active", "FALSE",
	    "access_key_2_active", "false", "access_key_1_last_rotated", "N/A",
	    "access_key_2_last_rotated", "not_supported");
	T(!iam_row_has_key(r), "no key");
	json_decref(r);
	r = json_pack("{s:s}", "access_key_2_active", "TRUE");
	T(iam_row_has_key(r), "upper-case TRUE");
	json_decref(r);
}

int
main(void)
{
	RUN(t_password_policy);
	RUN(t_summary_map);
	RUN(t_virtual_mfa);
	RUN(t_access_keys);
	RUN(t_authorization_details);
	RUN(t_namespaces);
	RUN(t_errors);
	RUN(t_malformed);
	RUN(t_bad_values);
	RUN(t_credential_report);
	RUN(t_key_holders);
	return t_done();
}
