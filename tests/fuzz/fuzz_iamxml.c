/*
 * Fuzz target: an IAM or STS Query-protocol response body.  The action is
 * the root element's name less "Response", so the corpus holds bodies as
 * AWS sends them; every body also goes through the error and STS
 * credential parsers.  A result the collector keeps becomes its snapshot
 * source, as the collector builds it, and is graded.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/common.h"
#include "collector/aws_int.h"
#include "collector/sources.h"
#include "collector/xml.h"
#include "tests/fuzz/fuzz.h"

/* <XResponse> -> "X"; a default for anything else (caller frees). */
static char *
iamxml_action(const char *body, size_t len)
{
	xmlDoc *doc;
	const char *name;
	char *action = NULL;
	size_t n;

	if ((doc = xml_parse(body, len, NULL)) != NULL) {
		name = (const char *)xmlDocGetRootElement(doc)->name;
		n = strlen(name);
		if (n > 8 && strcmp(name + n - 8, "Response") == 0)
			action = xstrndup(name, n - 8);
		xmlFreeDoc(doc);
	}
	return action != NULL ? action : xstrdup("GetAccountSummary");
}

/* GetAccountAuthorizationDetails as iam_details_page gathers it. */
static json_t *
iamxml_details(const json_t *res)
{
	static const char *const lists[][2] = {
		{ "UserDetailList", "users" }, { "GroupDetailList", "groups" },
		{ "RoleDetailList", "roles" },
	};
	json_t *data, *p;
	size_t i;

	data = json_pack("{s:[], s:[], s:[], s:[]}", "users", "groups", "roles", "policies");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (json_is_array(json_object_get(res, lists[i][0])))
			json_array_extend(json_object_get(data, lists[i][1]),
			    json_object_get(res, lists[i][0]));
	json_array_foreach(json_object_get(res, "Policies"), i, p)
		if (iam_policy_kept(p))
			json_array_append_new(json_object_get(data, "policies"),
			    iam_policy_reduce(p));
	return data;
}

/* res[key] if it has the type the collector requires, else NULL (new reference). */
static json_t *
iamxml_member(const json_t *res, const char *key, json_type type)
{
	json_t *v = json_object_get(res, key);

	return v != NULL && json_typeof(v) == type ? json_incref(v) : NULL;
}

/* The snapshot source the collector makes of res, or NULL; *name is set. */
static json_t *
iamxml_source(const char *action, const json_t *res, const char **name)
{
	json_t *data = NULL, *d;
	char *call, *err = NULL;
	size_t i;

	if (strcmp(action, "GetAccountAuthorizationDetails") == 0) {
		*name = "authorization_details";
		data = iamxml_details(res);
	} else if (strcmp(action, "GetCredentialReport") == 0) {
		*name = "credential_report";
		iam_report_data(res, &data, &err);
		free(err);
	} else if (strcmp(action, "GetAccountPasswordPolicy") == 0) {
		*name = "password_policy";
		data = iamxml_member(res, "PasswordPolicy", JSON_OBJECT);
	} else if (strcmp(action, "GetAccountSummary") == 0) {
		*name = "account_summary";
		data = iamxml_member(res, "SummaryMap", JSON_OBJECT);
	} else if (strcmp(action, "ListVirtualMFADevices") == 0) {
		*name = "virtual_mfa_devices";
		if ((data = iamxml_member(res, "VirtualMFADevices", JSON_ARRAY)) != NULL)
			json_array_foreach(data, i, d) {
				json_object_del(d, "Base32StringSeed");
				json_object_del(d, "QRCodePNG");
			}
	} else if (strcmp(action, "ListAccessKeys") == 0) {
		*name = "access_keys";
		data = iamxml_member(res, "AccessKeyMetadata", JSON_ARRAY);
	} else if (strcmp(action, "ListAccountAliases") == 0) {
		*name = "account_aliases";
		if ((d = iamxml_member(res, "AccountAliases", JSON_ARRAY)) != NULL)
			data = json_pack("{s:o}", "aliases", d);
	} else if (strcmp(action, "GetCallerIdentity") == 0) {
		*name = "caller_identity";
		data = json_incref((json_t *)res);
	}
	if (data == NULL)
		return NULL;
	call = xasprintf("%s:%s", strcmp(*name, "caller_identity") == 0 ? "sts" : "iam", action);
	d = src_ok(call, data);
	free(call);
	return d;
}

int
fuzz_iamxml(const uint8_t *data, size_t size)
{
	struct aws_resp r = { 0 };
	struct aws_creds creds;
	json_t *res, *src;
	const char *name = NULL;
	char *body = fuzz_strdup(data, size), *action, *err = NULL, *code, *msg;

	action = iamxml_action(body, size);
	if (xml_result(body, size, action, &xml_iam, &res, &err)) {
		if ((src = iamxml_source(action, res, &name)) != NULL)
			fuzz_grade(fuzz_snapshot_new(name, src));
		json_decref(res);
	}
	free(err);
	if (xml_error(body, size, &code, &msg)) {
		free(code);
		free(msg);
	}
	aws_parse_query_error(body, size, 400, &r);
	aws_resp_free(&r);
	if (aws_parse_sts_creds(body, size, &creds))
		aws_creds_free(&creds);
	free(action);
	free(body);
	return 0;
}
