/* AWS Query-protocol XML into jansson values, namespace-agnostic, table-driven. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "common/common.h"
#include "collector/xml.h"

static const char *const iam_lists[] = {
	"AccessKeyMetadata", "AccountAliases", "AttachedManagedPolicies",
	"AttachedPolicies", "GroupDetailList", "GroupList", "GroupPolicyList",
	"Groups", "InstanceProfileList", "InstanceProfiles", "MFADevices",
	"Policies", "PolicyNames", "PolicyVersionList", "RoleDetailList",
	"RolePolicyList", "Roles", "ServicesLastAccessed", "Tags",
	"TrackedActionsLastAccessed", "UserDetailList", "UserPolicyList",
	"Users", "VirtualMFADevices", NULL
};
static const char *const iam_maps[] = { "SummaryMap", NULL };
static const char *const iam_structs[] = {
	"AccessKeyLastUsed", "AssumedRoleUser", "Credentials", "PasswordPolicy",
	"PermissionsBoundary", "RoleLastUsed", "User", NULL
};
static const char *const iam_bools[] = {
	"AllowUsersToChangePassword", "ExpirePasswords", "HardExpiry",
	"IsAttachable", "IsDefaultVersion", "IsTruncated", "RequireLowercaseCharacters",
	"RequireNumbers", "RequireSymbols", "RequireUppercaseCharacters", NULL
};
static const char *const iam_ints[] = {
	"AttachmentCount", "MaxPasswordAge", "MaxSessionDuration",
	"MinimumPasswordLength", "PackedPolicySize", "PasswordReusePrevention",
	"PermissionsBoundaryUsageCount", "TotalAuthenticatedEntities", NULL
};
static const char *const iam_docs[] = {
	"AssumeRolePolicyDocument", "Document", "PolicyDocument", NULL
};

const struct xml_conv xml_iam = {
	iam_lists, iam_maps, iam_structs, iam_bools, iam_ints, iam_docs
};

static int
in_table(const char *const *t, const xmlChar *name)
{
	if (t == NULL)
		return 0;
	for (; *t != NULL; t++)
		if (strcmp(*t, (const char *)name) == 0)
			return 1;
	return 0;
}

xmlDoc *
xml_parse(const char *body, size_t len, char **err)
{
	xmlDoc *doc;
	const xmlError *e;

	if (body == NULL || len == 0) {
		err_set(err, "empty body");
		return NULL;
	}
	if (len > INT_MAX) {
		err_set(err, "body too large to parse");
		return NULL;
	}
	xmlResetLastError();
	/*
	 * NONET: no fetching; no NOENT: entities are never substituted.
	 * NOERROR/NOWARNING keep libxml2 from printing to stderr; the error
	 * is reported through *err instead.
	 */
	doc = xmlReadMemory(body, (int)len, "response.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		e = xmlGetLastError();
		if (e != NULL && e->message != NULL)
			err_set(err, "not well-formed XML (line %d: %.*s)", e->line,
			    (int)strcspn(e->message, "\n"), e->message);
		else
			err_set(err, "not well-formed XML");
		return NULL;
	}
	/* AWS never sends a DTD; one can only be a broken or hostile peer. */
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xmlFreeDoc(doc);
		err_set(err, "XML with a document type declaration");
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		err_set(err, "XML without a root element");
		return NULL;
	}
	return doc;
}

static xmlNode *
elem_from(const xmlNode *n, const char *local)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (local == NULL || strcmp((const char *)n->name, local) == 0))
			return (xmlNode *)n;
	return NULL;
}

xmlNode *
xml_child(const xmlNode *n, const char *local)
{
	return n == NULL ? NULL : elem_from(n->children, local);
}

xmlNode *
xml_next(const xmlNode *n, const char *local)
{
	return n == NULL ? NULL : elem_from(n->next, local);
}

char *
xml_text(const xmlNode *n)
{
	xmlChar *c;
	char *s;

	if (n == NULL)
		return NULL;
	c = xmlNodeGetContent(n);
	s = xstrdup(c ? (const char *)c : "");
	xmlFree(c);
	return s;
}

json_t *
xml_policy_doc(const char *encoded)
{
	json_t *v;
	char *text;

	text = url_decode(encoded);
	v = json_loads(text, 0, NULL);
	if (!json_is_object(v)) {
		json_decref(v);
		v = jstring(text);
	}
	free(text);
	return v;
}

static json_t *
leaf(const xmlNode *n, const struct xml_conv *conv)
{
	json_t *v = NULL;
	char *text = xml_text(n), *end;
	long long i;

	if (in_table(conv->bools, n->name)) {
		if (strcasecmp(text, "true") == 0)
			v = json_true();
		else if (strcasecmp(text, "false") == 0)
			v = json_false();
	} else if (in_table(conv->ints, n->name)) {
		errno = 0;
		i = strtoll(text, &end, 10);
		if (*text != '\0' && *end == '\0' && errno == 0)
			v = json_integer(i);
	} else if (in_table(conv->docs, n->name))
		v = xml_policy_doc(text);
	/* Anything that does not fit its type stays the text AWS sent. */
	if (v == NULL)
		v = jstring(text);
	free(text);
	return v;
}

static json_t *
map(const xmlNode *n)
{
	json_t *o = json_object();
	xmlNode *e;
	char *k, *val, *end;
	long long i;

	for (e = xml_child(n, "entry"); e != NULL; e = xml_next(e, "entry")) {
		if ((k = xml_text(xml_child(e, "key"))) == NULL)
			continue;
		val = xml_text(xml_child(e, "value"));
		errno = 0;
		i = val ? strtoll(val, &end, 10) : 0;
		if (val == NULL)
			json_object_set_new(o, k, json_null());
		else if (*val != '\0' && *end == '\0' && errno == 0)
			json_object_set_new(o, k, json_integer(i));
		else
			json_object_set_new(o, k, jstring(val));
		free(k);
		free(val);
	}
	return o;
}

json_t *
xml_to_json(const xmlNode *n, const struct xml_conv *conv)
{
	json_t *v;
	xmlNode *c;

	if (in_table(conv->lists, n->name)) {
		v = json_array();
		for (c = xml_child(n, "member"); c != NULL; c = xml_next(c, "member"))
			json_array_append_new(v, xml_child(c, NULL) != NULL ?
			    xml_to_json(c, conv) : leaf(c, conv));
		return v;
	}
	if (in_table(conv->maps, n->name))
		return map(n);
	if (xml_child(n, NULL) == NULL && !in_table(conv->structs, n->name))
		return leaf(n, conv);
	v = json_object();
	for (c = xml_child(n, NULL); c != NULL; c = xml_next(c, NULL))
		json_object_set_new(v, (const char *)c->name, xml_to_json(c, conv));
	return v;
}

int
xml_result(const char *body, size_t len, const char *action,
    const struct xml_conv *conv, json_t **out, char **err)
{
	xmlDoc *doc = NULL;
	xmlNode *root, *res;
	char *want = NULL, *perr = NULL, *code = NULL, *msg = NULL;
	int rc = 0;

	*out = NULL;
	if ((doc = xml_parse(body, len, &perr)) == NULL) {
		err_set(err, "%s", perr);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	want = xasprintf("%sResponse", action);
	if (strcmp((const char *)root->name, want) != 0) {
		if (xml_error(body, len, &code, &msg))
			err_set(err, "an error body in a success response: %s: %s",
			    code, msg ? msg : "");
		else
			err_set(err, "root element <%s>, not <%s>",
			    (const char *)root->name, want);
		goto out;
	}
	free(want);
	want = xasprintf("%sResult", action);
	if ((res = xml_child(root, want)) == NULL) {
		err_set(err, "no <%s> in <%sResponse>", want, action);
		goto out;
	}
	/* A result is always a structure, even one with no members. */
	*out = xml_child(res, NULL) == NULL ? json_object() : xml_to_json(res, conv);
	rc = 1;
out:
	free(want);
	free(perr);
	free(code);
	free(msg);
	xmlFreeDoc(doc);
	return rc;
}

int
xml_error(const char *body, size_t len, char **code, char **message)
{
	xmlDoc *doc;
	xmlNode *root, *e;
	int rc = 0;

	*code = *message = NULL;
	if ((doc = xml_parse(body, len, NULL)) == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	/* <ErrorResponse><Error> (Query) or <Response><Errors><Error> (EC2 style). */
	if ((e = xml_child(root, "Error")) == NULL)
		e = xml_child(xml_child(root, "Errors"), "Error");
	if (e == NULL && strcmp((const char *)root->name, "Error") == 0)
		e = root;
	if (e != NULL && (*code = xml_text(xml_child(e, "Code"))) != NULL) {
		if (**code == '\0') {
			free(*code);
			*code = NULL;
		} else {
			*message = xml_text(xml_child(e, "Message"));
			rc = 1;
		}
	}
	xmlFreeDoc(doc);
	return rc;
}
