/*
 * snapshot/: the rules of a valid snapshot as a table of data (source,
 * JSON, the message expected or NULL for valid), the source-object
 * conversions to "invalid", and the frame.  The checks cases
 * (tests/checks/cases/valid-*) hold the graded side of the same rules.
 */
#include "tests/unit/t.h"

#include "common/common.h"
#include "snapshot/snapshot.h"

static const struct {
	enum snap_source	 id;
	const char		*json;
	const char		*want;	/* substring of the message; NULL: valid */
} data_cases[] = {
	{ SNAP_SRC_CALLER_IDENTITY, "{\"Account\": \"123456789012\", \"Arn\": \"arn:aws:iam::123456789012:user/a\"}", NULL },
	{ SNAP_SRC_CALLER_IDENTITY, "{\"Account\": \"1234567890123\", \"Arn\": \"a\"}", "not a 12-digit account id" },
	{ SNAP_SRC_CALLER_IDENTITY, "{\"Account\": \"123456789012\"}", "member \"Arn\" is missing" },
	{ SNAP_SRC_ACCOUNT_ALIASES, "{\"aliases\": [\"acme\"]}", NULL },
	{ SNAP_SRC_ACCOUNT_ALIASES, "{\"aliases\": [7]}", "aliases[0] is a number, not a string" },
	{ SNAP_SRC_ACCOUNT_ALIASES, "[]", "data is an array, not an object" },
	{ SNAP_SRC_ACCOUNT_SUMMARY, "{\"AccountMFAEnabled\": 1, \"Users\": 3}", NULL },
	{ SNAP_SRC_ACCOUNT_SUMMARY, "{\"AccountMFAEnabled\": 1, \"Users\": 3.5}", "member \"Users\" is a number, not a whole number" },
	{ SNAP_SRC_ACCOUNT_SUMMARY, "{\"AccountMFAEnabled\": 1, \"Users\": -1}", "member \"Users\" is negative" },
	{ SNAP_SRC_ACCESS_KEYS, "[]", NULL },
	{ SNAP_SRC_ACCESS_KEYS, "[{\"UserName\": \"a\", \"AccessKeyId\": \"AKIA\", \"Status\": \"Expired\", "
	    "\"CreateDate\": \"2026-01-01T00:00:00Z\"}]", NULL },
	{ SNAP_SRC_ACCESS_KEYS, "[{\"UserName\": \"a\", \"AccessKeyId\": \"AKIA\", \"Status\": \"Active\", "
	    "\"CreateDate\": \"yesterday\"}]", "[0]: member \"CreateDate\" is not an ISO 8601 time: \"yesterday\"" },
	{ SNAP_SRC_ACCESS_KEYS, "[1]", "[0]: is a number, not an object" },
	{ SNAP_SRC_PASSWORD_POLICY, "{\"MinimumPasswordLength\": 6, \"RequireSymbols\": false, \"RequireNumbers\": false, "
	    "\"RequireUppercaseCharacters\": false, \"RequireLowercaseCharacters\": false, "
	    "\"AllowUsersToChangePassword\": false, \"ExpirePasswords\": false}", NULL },
	{ SNAP_SRC_PASSWORD_POLICY, "{\"MinimumPasswordLength\": 6, \"RequireSymbols\": \"true\", \"RequireNumbers\": false, "
	    "\"RequireUppercaseCharacters\": false, \"RequireLowercaseCharacters\": false, "
	    "\"AllowUsersToChangePassword\": false, \"ExpirePasswords\": false}", "member \"RequireSymbols\" is a string, not a boolean" },
	{ SNAP_SRC_PASSWORD_POLICY, "{\"MinimumPasswordLength\": 14, \"RequireSymbols\": false, \"RequireNumbers\": false, "
	    "\"RequireUppercaseCharacters\": false, \"RequireLowercaseCharacters\": false, "
	    "\"AllowUsersToChangePassword\": false, \"ExpirePasswords\": true, \"PasswordReusePrevention\": 25}",
	    "member \"PasswordReusePrevention\" is 25, outside 1..24" },
	{ SNAP_SRC_AUTHORIZATION_DETAILS, "{\"users\": [], \"groups\": [], \"roles\": [], \"policies\": "
	    "[{\"PolicyName\": \"p\", \"Arn\": \"arn:aws:iam::123456789012:policy/p\", \"PolicyVersionList\": "
	    "[{\"VersionId\": \"v1\", \"IsDefaultVersion\": true, \"Document\": {\"Statement\": {}}}]}]}", NULL },
	{ SNAP_SRC_AUTHORIZATION_DETAILS, "{\"users\": [], \"groups\": [], \"roles\": [], \"policies\": "
	    "[{\"PolicyName\": \"p\", \"Arn\": \"a\", \"PolicyVersionList\": [{\"Document\": 3}]}]}",
	    "policies[0].PolicyVersionList[0]: member \"Document\" is a number, not a policy document" },
	{ SNAP_SRC_AUTHORIZATION_DETAILS, "{\"users\": [{\"UserName\": \"u\", \"Arn\": \"a\", \"UserPolicyList\": "
	    "[{\"PolicyName\": \"x\", \"PolicyDocument\": {\"Statement\": \"all\"}}]}], \"groups\": [], \"roles\": [], "
	    "\"policies\": []}", "users[0].UserPolicyList[0]: member \"PolicyDocument\" has a string Statement" },
	{ SNAP_SRC_CREATE_ROLE_EVENTS, "{\"events\": []}", NULL },
	{ SNAP_SRC_CREATE_ROLE_EVENTS, "{\"events\": [{\"EventId\": \"e\", \"EventTime\": \"2026-01-01T00:00:00Z\", "
	    "\"CloudTrailEvent\": \"{\\\"eventName\\\": \\\"CreateRole\\\", \\\"eventTime\\\": \\\"2026-01-01T00:00:00Z\\\", "
	    "\\\"userIdentity\\\": {}}\"}]}", NULL },
	{ SNAP_SRC_CREATE_ROLE_EVENTS, "{\"events\": [{\"EventId\": \"e\", \"EventTime\": \"2026-01-01T00:00:00Z\", "
	    "\"CloudTrailEvent\": \"[1, 2]\"}]}", "events[0]: CloudTrailEvent is an array, not an event record" },
	{ SNAP_SRC_CREATE_ROLE_EVENTS, "{\"events\": [{\"EventId\": \"e\", \"EventTime\": \"2026-01-01T00:00:00Z\", "
	    "\"CloudTrailEvent\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}]}", "does not parse as JSON" },
	{ SNAP_SRC_TRAILS, "[{\"trail\": {\"Name\": \"t\", \"TrailARN\": \"arn\"}, \"status\": {\"status\": \"denied\", "
	    "\"error\": {\"code\": \"AccessDenied\", \"message\": \"no\"}}, \"event_selectors\": {\"status\": \"ok\", "
	    "\"data\": {\"EventSelectors\": []}}}]", NULL },
	{ SNAP_SRC_TRAILS, "[{\"trail\": {\"Name\": \"t\", \"TrailARN\": \"arn\", \"IsMultiRegionTrail\": \"yes\"}}]",
	    "[0].trail: member \"IsMultiRegionTrail\" is a string, not a boolean" },
	{ SNAP_SRC_TRAILS, "[{\"trail\": {\"Name\": \"t\", \"TrailARN\": \"arn\"}, \"status\": {\"status\": \"ok\", "
	    "\"data\": {\"IsLogging\": true}}, \"event_selectors\": {\"status\": \"invalid\"}}]",
	    "[0].event_selectors: status \"invalid\" with error missing, not an object" },
	{ SNAP_SRC_VIRTUAL_MFA_DEVICES, "[{\"SerialNumber\": \"s\", \"User\": {\"UserId\": \"123456789012\"}}]", NULL },
	{ SNAP_SRC_VIRTUAL_MFA_DEVICES, "[{\"SerialNumber\": \"s\", \"User\": \"root\"}]",
	    "[0]: member \"User\" is a string, not an object" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": []}", NULL },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"ok\", \"ServicesLastAccessed\": [{\"ServiceNamespace\": \"s3\", \"LastAuthenticated\": \"2026-01-01T00:00:00Z\", \"TrackedActionsLastAccessed\": [{\"ActionName\": \"CreateBucket\"}]}]}]}", NULL },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"timeout\", \"error\": {\"code\": \"JobTimeout\", \"message\": \"m\"}}]}", NULL },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"ok\"}]}", "member \"ServicesLastAccessed\" is missing" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"done\"}]}", "unknown status \"done\"" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"error\"}]}", "member \"error\" is missing" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:group/g\", \"type\": \"group\", \"status\": \"ok\"}]}", "type \"group\" is neither role nor user" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"ok\", \"ServicesLastAccessed\": [{\"ServiceNamespace\": \"s3\"}, {\"ServiceNamespace\": \"s3\"}]}]}", "lists \"s3\" twice" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"ok\", \"ServicesLastAccessed\": [{\"ServiceNamespace\": \"s 3\"}]}]}", "ServiceNamespace \"s 3\" is not" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"granularity\": \"ACTION_LEVEL\", \"principals\": [{\"Arn\": \"arn:aws:iam::123456789012:role/r\", \"type\": \"role\", \"status\": \"ok\", \"ServicesLastAccessed\": [{\"ServiceNamespace\": \"s3\", \"LastAuthenticated\": \"yesterday\"}]}]}", "member \"LastAuthenticated\" is not an ISO 8601 time" },
	{ SNAP_SRC_LAST_ACCESSED, "{\"principals\": []}", "member \"granularity\" is missing" },
	{ SNAP_SRC_CREDENTIAL_REPORT, "{\"generated_time\": \"2026-01-01T00:00:00Z\", \"rows\": []}", NULL },
	{ SNAP_SRC_CREDENTIAL_REPORT, "{\"generated_time\": \"2026-01-01T00:00:00Z\", \"columns\": [\"user\", 1], "
	    "\"rows\": []}", "columns[1] is a number, not a column name" },
	{ SNAP_SRC_CREDENTIAL_REPORT, "{\"generated_time\": \"2026-01-01T00:00:00Z\", \"rows\": [{\"user\": \"a\"}]}",
	    "rows[0] (a): column \"arn\" is missing" },
};

static void
t_data_rules(void)
{
	json_error_t je;
	json_t *j;
	char *why = NULL;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		j = json_loads(data_cases[i].json, JSON_DECODE_ANY, &je);
		T(j != NULL, "case %zu does not parse: %s", i, je.text);
		if (j == NULL)
			continue;
		ok = snap_check_data(data_cases[i].id, j, &why);
		if (data_cases[i].want == NULL)
			T(ok, "case %zu (%s): refused: %s", i, snap_source_names[data_cases[i].id], why);
		else
			T(!ok && why != NULL && strstr(why, data_cases[i].want) != NULL,
			    "case %zu (%s): %s, want \"%s\"", i, snap_source_names[data_cases[i].id],
			    ok ? "accepted" : why, data_cases[i].want);
		free(why);
		why = NULL;
		json_decref(j);
	}
}

/* Source objects: what stays, and what becomes invalid (keeping the data). */
static void
t_source_objects(void)
{
	static const struct {
		const char	*name;
		const char	*json;
		const char	*status;	/* after the check */
		const char	*want;		/* substring of error.message when invalid */
	} cases[] = {
		{ "access_keys", "{\"status\": \"ok\", \"api_call\": \"iam:ListAccessKeys\", \"data\": []}", "ok", NULL },
		{ "access_keys", "{\"status\": \"denied\", \"error\": {\"code\": \"AccessDenied\", \"message\": \"m\"}}",
		  "denied", NULL },
		{ "access_keys", "{\"status\": \"error\"}", "error", NULL },
		{ "access_keys", "{\"status\": \"partial\", \"data\": [], \"error\": {\"code\": \"PageLimit\", "
		  "\"message\": \"m\", \"http_status\": 0}}", "partial", NULL },
		{ "access_keys", "{\"status\": \"partial\", \"data\": []}", "invalid",
		  "status \"partial\" with error missing" },
		{ "access_keys", "{\"status\": \"ok\", \"api_call\": \"iam:ListAccessKeys\", \"data\": {}}", "invalid",
		  "data is an object, not an array" },
		{ "access_keys", "[1]", "invalid", "is an array, not a source object" },
		{ "access_keys", "{\"status\": \"maybe\", \"data\": []}", "invalid", "unknown status \"maybe\"" },
		{ "organization", "{\"status\": \"ok\", \"data\": {\"accounts\": [\"12\"]}}", "invalid",
		  "accounts[0] is not a 12-digit account id" },
		{ "organization", "{\"status\": \"ok\", \"data\": {\"id\": \"o-1\", \"accounts\": [{\"Id\": \"123456789012\"}]}}",
		  "ok", NULL },
		{ "something_new", "{\"status\": \"ok\", \"data\": 5}", "ok", NULL },
	};
	json_t *src, *in;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		T(in != NULL, "case %zu does not parse", i);
		if (in == NULL)
			continue;
		src = snap_source_check(cases[i].name, json_incref(in));
		T(strcmp(jstr(src, "status"), cases[i].status) == 0, "case %zu: status %s, want %s (%s)", i,
		    jstr(src, "status"), cases[i].status, json_string_value(jpath(src, "error.message")));
		if (cases[i].want != NULL) {
			const char *m = json_string_value(jpath(src, "error.message"));

			T(m != NULL && strstr(m, cases[i].want) != NULL, "case %zu: message %s", i, m);
			T_STREQ(json_string_value(jpath(src, "error.code")), SNAP_INVALID_CODE);
			T(jint(json_object_get(src, "error"), "http_status", -1) == 0, "http_status");
			/* What came is kept for the archive. */
			T(json_equal(json_object_get(src, "data"), json_is_object(in) &&
			    snap_status(in) >= 0 ? json_object_get(in, "data") : in), "case %zu: data lost", i);
		} else
			T(src == in, "case %zu: a valid source was replaced", i);
		json_decref(src);
		json_decref(in);
	}
}

/* The frame: what refuses the file, and which schemas are read. */
static void
t_frame(void)
{
	static const struct {
		const char	*json;
		const char	*want;	/* NULL: accepted */
	} cases[] = {
		{ "{\"schema\": \"iamgrade.snapshot/1\", \"account\": {\"id\": \"123456789012\"}, \"collection\": "
		  "{\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:01Z\", \"complete\": true}, "
		  "\"sources\": {}}", NULL },
		{ "{\"schema\": \"iamgrade.snapshot/2\", \"account\": {\"id\": \"123456789012\"}, \"collection\": "
		  "{\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:01Z\", \"complete\": true}, "
		  "\"sources\": {}}", NULL },
		{ "{\"schema\": \"iamgrade.snapshot/3\", \"account\": {\"id\": \"123456789012\"}, \"collection\": "
		  "{\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:01Z\", \"complete\": true}, "
		  "\"sources\": {}}", NULL },
		{ "{\"schema\": \"iamgrade.snapshot/4\", \"account\": {\"id\": \"123456789012\"}, \"collection\": "
		  "{\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:01Z\", \"complete\": true}, "
		  "\"sources\": {}}", NULL },
		{ "{\"schema\": \"iamgrade.snapshot/5\"}", "is newer than this iamgrade reads" },
		{ "{\"schema\": \"iamgrade.snapshot/0\"}", "unknown schema" },
		{ "{\"schema\": \"iamgrade.snapshot/2x\"}", "unknown schema" },
		{ "{\"schema\": \"iamgrade.snapshot/2\", \"account\": {\"id\": \"123456789012\\u0000x\"}}",
		  "a string holds a NUL byte" },
		{ "{\"schema\": \"iamgrade.snapshot/2\", \"account\": {\"id\": \"12345678901\"}}",
		  "account: id \"12345678901\" is not a 12-digit account id" },
		{ "[]", "the top level is an array, not an object" },
	};
	json_t *j;
	char *why = NULL;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = json_loads(cases[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		T(j != NULL, "case %zu does not parse", i);
		ok = snap_check_frame(j, &why);
		if (cases[i].want == NULL)
			T(ok, "case %zu refused: %s", i, why);
		else
			T(!ok && strstr(why, cases[i].want) != NULL, "case %zu: %s", i, ok ? "accepted" : why);
		free(why);
		why = NULL;
		json_decref(j);
	}
}

/* snap_sources_check marks the collection incomplete, once per source made invalid. */
static void
t_sources_check(void)
{
	json_t *snap = json_loads("{\"collection\": {\"complete\": true}, \"sources\": {"
	    "\"access_keys\": {\"status\": \"ok\", \"api_call\": \"iam:ListAccessKeys\", \"data\": [{}]},"
	    "\"trails\": {\"status\": \"invalid\", \"error\": {\"code\": \"InvalidData\", \"message\": \"m\"}},"
	    "\"future_source\": 12}}", 0, NULL);

	T(snap_sources_check(snap) == 1, "one made invalid");
	T(json_is_false(jpath(snap, "collection.complete")), "complete");
	T(json_array_size(jpath(snap, "collection.problems")) == 1, "problems");
	T(strstr(json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)),
	    "access_keys: iam:ListAccessKeys invalid: InvalidData: [0]: member \"UserName\" is missing") != NULL,
	    "problem: %s", json_string_value(json_array_get(jpath(snap, "collection.problems"), 0)));
	T(json_integer_value(jpath(snap, "sources.future_source")) == 12, "an unknown source is kept as it is");
	json_decref(snap);
}

/* A message quoting AWS's text clipped inside a character stays UTF-8, so it can be reported. */
static void
t_message_utf8(void)
{
	json_t *src;
	const char *m;

	/* "Status" clipped at 40 bytes, inside the 2-byte é at bytes 39-40. */
	src = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "status", "ok", "data",
	    "UserName", "u", "AccessKeyId", "AKIA", "CreateDate", "2026-01-01T00:00:00Z",
	    "Status", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\xc3\xa9\xc3\xa9");
	src = snap_source_check("access_keys", src);
	m = json_string_value(jpath(src, "error.message"));
	T(m != NULL && strstr(m, "AAAAAAA\", not Active") != NULL, "message: %s", m ? m : "(lost)");
	json_decref(src);
}

static void
t_names(void)
{
	T_STREQ(snap_source_names[SNAP_SRC_CREDENTIAL_REPORT], "credential_report");
	T_STREQ(snap_source_names[SNAP_SRC_CALLER_IDENTITY], "caller_identity");
	T(snap_source_id("trails") == SNAP_SRC_TRAILS && snap_source_id("nope") < 0, "snap_source_id");
	T_STREQ(snap_status_names[SNAP_ST_PARTIAL], "partial");
	T_STREQ(snap_status_names[SNAP_ST_INVALID], "invalid");
}

int
main(void)
{
	log_level = 0;
	RUN(t_data_rules);
	RUN(t_source_objects);
	RUN(t_frame);
	RUN(t_sources_check);
	RUN(t_message_utf8);
	RUN(t_names);
	return t_done();
}
