/*
 * Loading a snapshot: read, hash, parse and validate it against
 * docs/snapshot-format.md, so that grading can trust the shapes it reads
 * and a broken file is refused with the file and the problem named.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"

#define SNAP_SCHEMA	"iamgrade.snapshot/1"
#define SNAP_PREFIX	"iamgrade.snapshot/"
#define SNAP_MAX	((size_t)1 << 30)	/* 1 GiB: far above any account */

struct val {
	const char	*file;
	char		**err;
	char		 path[256];	/* member being checked, for messages */
};

static int
bad(struct val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
bad(struct val *v, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(v->err, "%s: not a valid snapshot: %s%s%s", v->file, v->path,
	    v->path[0] ? ": " : "", msg);
	free(msg);
	return 0;
}

static void
at(struct val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
at(struct val *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->path, sizeof(v->path), fmt, ap);
	va_end(ap);
}

static const char *
type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:
	case JSON_REAL:		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:	return "a boolean";
	case JSON_NULL:		return "null";
	}
	return "?";
}

/* Member key of o must exist (unless optional) and have type want. */
static int
want(struct val *v, const json_t *o, const char *key, json_type type, int optional)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "a whole number",
		[JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
	};
	json_t *m = json_object_get(o, key);

	if (m == NULL)
		return optional ? 1 : bad(v, "member \"%s\" is missing", key);
	if (json_typeof(m) == type || (type == JSON_TRUE && json_is_boolean(m)) ||
	    (type == JSON_REAL && json_is_number(m)))
		return 1;
	return bad(v, "member \"%s\" is %s, not %s", key, type_name(m), names[type]);
}

static int
want_time(struct val *v, const json_t *o, const char *key, int optional)
{
	const char *s;
	time_t t;

	if (!want(v, o, key, JSON_STRING, optional))
		return 0;
	if ((s = jstr(o, key)) != NULL && !time_parse(s, &t))
		return bad(v, "member \"%s\" is not an ISO 8601 time: \"%.40s\"", key, s);
	return 1;
}

static int
want_string_or_null(struct val *v, const json_t *o, const char *key)
{
	json_t *m = json_object_get(o, key);

	if (m == NULL || json_is_null(m) || json_is_string(m))
		return 1;
	return bad(v, "member \"%s\" is %s, not a string or null", key, type_name(m));
}

/* Each element of array a is an object; check(v, elem, i) validates it. */
static int
each_object(struct val *v, const json_t *a, int (*check)(struct val *, const json_t *))
{
	char base[sizeof(v->path)];
	json_t *e;
	size_t i;

	snprintf(base, sizeof(base), "%s", v->path);
	json_array_foreach(a, i, e) {
		at(v, "%s[%zu]", base, i);
		if (!json_is_object(e))
			return bad(v, "is %s, not an object", type_name(e));
		if (check != NULL && !check(v, e))
			return 0;
	}
	snprintf(v->path, sizeof(v->path), "%s", base);
	return 1;
}

/* Data validators, one per source. */

static int
cr_row(struct val *v, const json_t *row)
{
	const char *k;
	json_t *m;

	if (!want(v, row, "user", JSON_STRING, 0))
		return 0;
	json_object_foreach((json_t *)row, k, m)
		if (!json_is_string(m))
			return bad(v, "column \"%s\" is %s, not a string", k, type_name(m));
	return 1;
}

static int
data_credential_report(struct val *v, const json_t *d)
{
	char base[sizeof(v->path)];

	snprintf(base, sizeof(base), "%s", v->path);
	if (!want_time(v, d, "generated_time", 0) || !want(v, d, "rows", JSON_ARRAY, 0))
		return 0;
	at(v, "%s.rows", base);
	return each_object(v, json_object_get(d, "rows"), cr_row);
}

static int
data_password_policy(struct val *v, const json_t *d)
{
	static const char *const ints[] = {
		"MinimumPasswordLength", "MaxPasswordAge", "PasswordReusePrevention", NULL
	};
	static const char *const bools[] = {
		"RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
		"RequireLowercaseCharacters", "AllowUsersToChangePassword",
		"ExpirePasswords", "HardExpiry", NULL
	};
	int i;

	for (i = 0; ints[i] != NULL; i++)
		if (!want(v, d, ints[i], JSON_INTEGER, 1))
			return 0;
	for (i = 0; bools[i] != NULL; i++)
		if (!want(v, d, bools[i], JSON_TRUE, 1))
			return 0;
	return 1;
}

static int
data_account_summary(struct val *v, const json_t *d)
{
	const char *k;
	json_t *m;

	json_object_foreach((json_t *)d, k, m)
		if (!json_is_number(m))
			return bad(v, "member \"%s\" is %s, not a number", k, type_name(m));
	return 1;
}

static int
mfa_device(struct val *v, const json_t *e)
{
	return want(v, e, "SerialNumber", JSON_STRING, 0) &&
	    want(v, e, "User", JSON_OBJECT, 1);
}

static int
data_virtual_mfa_devices(struct val *v, const json_t *d)
{
	return each_object(v, d, mfa_device);
}

static int
access_key(struct val *v, const json_t *e)
{
	return want(v, e, "UserName", JSON_STRING, 0) &&
	    want(v, e, "AccessKeyId", JSON_STRING, 0) &&
	    want(v, e, "Status", JSON_STRING, 0) &&
	    want_time(v, e, "CreateDate", 0);
}

static int
data_access_keys(struct val *v, const json_t *d)
{
	return each_object(v, d, access_key);
}

static int
authz_user(struct val *v, const json_t *e)
{
	return want(v, e, "UserName", JSON_STRING, 0) &&
	    want(v, e, "AttachedManagedPolicies", JSON_ARRAY, 1) &&
	    want(v, e, "UserPolicyList", JSON_ARRAY, 1);
}

static int
authz_group(struct val *v, const json_t *e)
{
	return want(v, e, "GroupName", JSON_STRING, 0) &&
	    want(v, e, "AttachedManagedPolicies", JSON_ARRAY, 1) &&
	    want(v, e, "GroupPolicyList", JSON_ARRAY, 1);
}

static int
authz_role(struct val *v, const json_t *e)
{
	return want(v, e, "RoleName", JSON_STRING, 0) &&
	    want(v, e, "AttachedManagedPolicies", JSON_ARRAY, 1) &&
	    want(v, e, "RolePolicyList", JSON_ARRAY, 1);
}

static int
authz_policy(struct val *v, const json_t *e)
{
	return want(v, e, "Arn", JSON_STRING, 0) &&
	    want(v, e, "PolicyVersionList", JSON_ARRAY, 1);
}

static int
data_authorization_details(struct val *v, const json_t *d)
{
	static const struct {
		const char *key;
		int (*check)(struct val *, const json_t *);
	} lists[] = {
		{ "users", authz_user }, { "groups", authz_group },
		{ "roles", authz_role }, { "policies", authz_policy },
	};
	char base[sizeof(v->path)];
	size_t i;

	snprintf(base, sizeof(base), "%s", v->path);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		snprintf(v->path, sizeof(v->path), "%s", base);
		if (!want(v, d, lists[i].key, JSON_ARRAY, 1))
			return 0;
		at(v, "%s.%s", base, lists[i].key);
		if (!each_object(v, json_object_get(d, lists[i].key), lists[i].check))
			return 0;
	}
	return 1;
}

static int source_object(struct val *, const json_t *, int (*)(struct val *, const json_t *),
    json_type);

static int
trail_entry(struct val *v, const json_t *e)
{
	char base[sizeof(v->path)];

	snprintf(base, sizeof(base), "%s", v->path);
	if (!want(v, e, "trail", JSON_OBJECT, 0))
		return 0;
	at(v, "%s.status", base);
	if (!source_object(v, json_object_get(e, "status"), NULL, JSON_OBJECT))
		return 0;
	at(v, "%s.event_selectors", base);
	if (!source_object(v, json_object_get(e, "event_selectors"), NULL, JSON_OBJECT))
		return 0;
	snprintf(v->path, sizeof(v->path), "%s", base);
	return 1;
}

static int
data_trails(struct val *v, const json_t *d)
{
	return each_object(v, d, trail_entry);
}

static int
event_entry(struct val *v, const json_t *e)
{
	json_t *rec = json_object_get(e, "CloudTrailEvent");

	if (rec != NULL && !json_is_object(rec) && !json_is_string(rec))
		return bad(v, "member \"CloudTrailEvent\" is %s, not an object or text",
		    type_name(rec));
	return want(v, e, "EventId", JSON_STRING, 1);
}

static int
data_create_role_events(struct val *v, const json_t *d)
{
	char base[sizeof(v->path)];

	snprintf(base, sizeof(base), "%s", v->path);
	if (!want(v, d, "events", JSON_ARRAY, 0))
		return 0;
	at(v, "%s.events", base);
	return each_object(v, json_object_get(d, "events"), event_entry);
}

static int
org_account(const json_t *a)
{
	return json_is_string(a) || (json_is_object(a) && jstr(a, "Id") != NULL);
}

static int
data_organization(struct val *v, const json_t *d)
{
	json_t *a;
	size_t i;

	if (!want(v, d, "id", JSON_STRING, 1) || !want(v, d, "accounts", JSON_ARRAY, 1))
		return 0;
	json_array_foreach(json_object_get(d, "accounts"), i, a)
		if (!org_account(a))
			return bad(v, "accounts[%zu] is neither an account id nor {\"Id\": ...}", i);
	return 1;
}

/*
 * A source object: a status, and data when the status is "ok" (of type
 * data_type, checked further by check), or an error object otherwise.
 */
static int
source_object(struct val *v, const json_t *src, int (*check)(struct val *, const json_t *),
    json_type data_type)
{
	static const char *const statuses[] = { "ok", "absent", "denied", "error", NULL };
	char base[sizeof(v->path)];
	const json_t *data, *e;
	const char *st;
	int i;

	if (!json_is_object(src))
		return bad(v, "is %s, not a source object", src ? type_name(src) : "missing");
	if (!want(v, src, "status", JSON_STRING, 0) || !want(v, src, "api_call", JSON_STRING, 1))
		return 0;
	st = jstr(src, "status");
	for (i = 0; statuses[i] != NULL && strcmp(statuses[i], st) != 0; i++)
		;
	if (statuses[i] == NULL)
		return bad(v, "unknown status \"%.40s\"", st);
	data = json_object_get(src, "data");
	if (strcmp(st, "ok") == 0) {
		if (data == NULL || json_is_null(data))
			return bad(v, "status \"ok\" without data");
		if (json_typeof(data) != data_type)
			return bad(v, "data is %s, not %s", type_name(data),
			    data_type == JSON_ARRAY ? "an array" : "an object");
		snprintf(base, sizeof(base), "%s", v->path);
		at(v, "%s.data", base);
		if (check != NULL && !check(v, data))
			return 0;
		snprintf(v->path, sizeof(v->path), "%s", base);
	} else if (strcmp(st, "denied") == 0 || strcmp(st, "error") == 0) {
		e = json_object_get(src, "error");
		if (e != NULL && !json_is_object(e))
			return bad(v, "error is %s, not an object", type_name(e));
		if (e != NULL && (!want(v, e, "code", JSON_STRING, 1) ||
		    !want(v, e, "message", JSON_STRING, 1)))
			return 0;
	}
	return 1;
}

static const struct {
	const char	*name;
	json_type	 type;
	int		(*check)(struct val *, const json_t *);
} sources[] = {
	{ "credential_report",		JSON_OBJECT,	data_credential_report },
	{ "password_policy",		JSON_OBJECT,	data_password_policy },
	{ "account_summary",		JSON_OBJECT,	data_account_summary },
	{ "virtual_mfa_devices",	JSON_ARRAY,	data_virtual_mfa_devices },
	{ "access_keys",		JSON_ARRAY,	data_access_keys },
	{ "authorization_details",	JSON_OBJECT,	data_authorization_details },
	{ "trails",			JSON_ARRAY,	data_trails },
	{ "create_role_events",		JSON_OBJECT,	data_create_role_events },
	{ "account_aliases",		JSON_OBJECT,	NULL },
	{ "caller_identity",		JSON_OBJECT,	NULL },
};

static int
check_schema(struct val *v, const json_t *snap)
{
	const char *s = jstr(snap, "schema");

	if (json_object_get(snap, "schema") == NULL)
		return bad(v, "no \"schema\" member: this is not an iamgrade snapshot");
	if (s == NULL)
		return bad(v, "\"schema\" is not a string");
	if (strcmp(s, SNAP_SCHEMA) == 0)
		return 1;
	if (strncmp(s, SNAP_PREFIX, strlen(SNAP_PREFIX)) == 0 &&
	    atoi(s + strlen(SNAP_PREFIX)) > 1)
		return bad(v, "schema \"%.60s\" is newer than this iamgrade reads (%s); "
		    "upgrade iamgrade", s, SNAP_SCHEMA);
	if (strncmp(s, "iamgrade.results/", 17) == 0)
		return bad(v, "this is a results document (%.60s), not a snapshot", s);
	return bad(v, "unknown schema \"%.60s\" (this iamgrade reads %s)", s, SNAP_SCHEMA);
}

static int
check_account_member(struct val *v, const json_t *snap)
{
	const json_t *a = json_object_get(snap, "account");
	const char *id;
	int i;

	if (!want(v, snap, "account", JSON_OBJECT, 0))
		return 0;
	at(v, "account");
	if (!want(v, a, "id", JSON_STRING, 0) || !want_string_or_null(v, a, "alias") ||
	    !want_string_or_null(v, a, "name"))
		return 0;
	id = jstr(a, "id");
	for (i = 0; i < 12 && isdigit((unsigned char)id[i]); i++)
		;
	if (i != 12 || id[12] != '\0')
		return bad(v, "id \"%.40s\" is not a 12-digit account id", id);
	return 1;
}

static int
check_collection(struct val *v, const json_t *snap)
{
	const json_t *c = json_object_get(snap, "collection"), *p;
	long long w;
	size_t i;

	at(v, "%s", "");
	if (!want(v, snap, "collection", JSON_OBJECT, 0))
		return 0;
	at(v, "collection");
	if (!want_time(v, c, "started", 0) || !want_time(v, c, "finished", 0) ||
	    !want(v, c, "complete", JSON_TRUE, 0) || !want(v, c, "window_days", JSON_INTEGER, 1) ||
	    !want(v, c, "problems", JSON_ARRAY, 1))
		return 0;
	w = jint(c, "window_days", 30);
	if (w < 1 || w > 90)
		return bad(v, "window_days %lld is outside 1..90", w);
	json_array_foreach(json_object_get(c, "problems"), i, p)
		if (!json_is_string(p))
			return bad(v, "problems[%zu] is %s, not a string", i, type_name(p));
	return 1;
}

static int
snap_validate(struct val *v, const json_t *snap)
{
	const json_t *srcs, *caller, *org;
	size_t i;

	if (!json_is_object(snap))
		return bad(v, "the top level is %s, not an object", type_name(snap));
	if (!check_schema(v, snap) || !check_account_member(v, snap) ||
	    !check_collection(v, snap))
		return 0;
	at(v, "%s", "");
	caller = json_object_get(snap, "caller");
	if (caller != NULL && !json_is_null(caller) && !json_is_object(caller))
		return bad(v, "\"caller\" is %s, not an object or null", type_name(caller));
	if ((org = json_object_get(snap, "organization")) != NULL && !json_is_null(org)) {
		at(v, "organization");
		if (!source_object(v, org, data_organization, JSON_OBJECT))
			return 0;
	}
	at(v, "%s", "");
	if (!want(v, snap, "sources", JSON_OBJECT, 0))
		return 0;
	srcs = json_object_get(snap, "sources");
	/* A missing source is allowed: its controls are NOT_EVALUATED. */
	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		const json_t *s = json_object_get(srcs, sources[i].name);

		if (s == NULL)
			continue;
		at(v, "sources.%s", sources[i].name);
		if (!source_object(v, s, sources[i].check, sources[i].type))
			return 0;
	}
	return 1;
}

int
snap_load(const char *path, json_t **snapp, char sha256[65], char **err)
{
	struct val v = { path, err, "" };
	json_error_t je;
	json_t *snap = NULL;
	char *text = NULL;
	size_t len;
	int rc = 0;

	*snapp = NULL;
	if (!file_read(path, SNAP_MAX, &text, &len, err))
		goto out;
	if (len == 0) {
		err_set(err, "%s: empty file, not a snapshot", path);
		goto out;
	}
	sha256_hex(text, len, sha256);
	if ((snap = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		err_set(err, "%s: not valid JSON (line %d, column %d: %s)%s", path,
		    je.line, je.column, je.text,
		    je.position >= (int)len ? "; the file looks truncated" : "");
		goto out;
	}
	if (!snap_validate(&v, snap))
		goto out;
	*snapp = snap;
	snap = NULL;
	rc = 1;
out:
	json_decref(snap);
	free(text);
	return rc;
}
