/* STS: who the credentials belong to (GetCallerIdentity needs no permission). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/sources.h"

json_t *
sts_caller_identity(struct aws_client *c)
{
	json_t *res, *fail, *out;
	const char *acct;

	if ((fail = src_query(c, AWS_STS, "GetCallerIdentity", NULL, &res)) != NULL)
		return fail;
	acct = jstr(res, "Account");
	if (acct == NULL || *acct == '\0' || jstr(res, "Arn") == NULL)
		out = src_fail("sts:GetCallerIdentity", "MalformedResponse",
		    "malformed response to sts:GetCallerIdentity: no Account or Arn", 200);
	else
		out = src_ok("sts:GetCallerIdentity", json_pack("{s:O, s:O, s:O?}",
		    "Account", json_object_get(res, "Account"),
		    "Arn", json_object_get(res, "Arn"),
		    "UserId", json_object_get(res, "UserId")));
	json_decref(res);
	return out;
}

json_t *
sts_assume_role(struct aws_client *c, const char *role_arn, const char *external_id,
    struct aws_creds *out)
{
	struct aws_param p[4];
	json_t *res, *fail, *cr;
	char session[32], *msg;
	time_t exp;
	int n = 0;

	memset(out, 0, sizeof(*out));
	snprintf(session, sizeof(session), "iamgrade-%lld", (long long)time(NULL));
	p[n++] = (struct aws_param){ "RoleArn", role_arn };
	p[n++] = (struct aws_param){ "RoleSessionName", session };
	if (external_id != NULL)
		p[n++] = (struct aws_param){ "ExternalId", external_id };
	p[n] = (struct aws_param){ NULL, NULL };
	if ((fail = src_query(c, AWS_STS, "AssumeRole", p, &res)) != NULL) {
		/* AWS's message does not always name the role; people need it. */
		msg = xasprintf("cannot assume %s: %s", role_arn,
		    json_string_value(jpath(fail, "error.message")));
		json_object_set_new(json_object_get(fail, "error"), "message", jstring(msg));
		free(msg);
		return fail;
	}
	cr = json_object_get(res, "Credentials");
	if (jstr(cr, "AccessKeyId") == NULL || jstr(cr, "SecretAccessKey") == NULL ||
	    jstr(cr, "SessionToken") == NULL)
		fail = src_fail("sts:AssumeRole", "MalformedResponse",
		    "malformed response to sts:AssumeRole: incomplete Credentials", 200);
	else {
		out->access_key_id = xstrdup(jstr(cr, "AccessKeyId"));
		out->secret_access_key = xstrdup(jstr(cr, "SecretAccessKey"));
		out->session_token = xstrdup(jstr(cr, "SessionToken"));
		out->expiration = time_parse(jstr(cr, "Expiration"), &exp) ? exp : 0;
		out->source = xasprintf("role %s", role_arn);
	}
	json_decref(res);
	return fail;
}

char *
collect_caller_account(struct aws_client *c, char **err)
{
	json_t *ident = sts_caller_identity(c);
	const char *endpoint;
	char *acct = NULL;

	if (src_status(ident) == SNAP_ST_OK)
		acct = xstrdup(json_string_value(jpath(ident, "data.Account")));
	else {
		endpoint = json_string_value(jpath(ident, "error.endpoint"));
		err_set(err, "%s: %s: %s", endpoint ? endpoint : "sts",
		    json_string_value(jpath(ident, "error.code")),
		    json_string_value(jpath(ident, "error.message")));
	}
	json_decref(ident);
	return acct;
}
