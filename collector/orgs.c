/* Organizations: the organization's id and its member accounts, for multi-account runs. */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/sources.h"


/* The message for a failed call, from its source object. */
static int
orgs_fail(json_t *fail, char **err)
{
	const char *code = json_string_value(jpath(fail, "error.code"));

	if (code != NULL && strcmp(code, "AWSOrganizationsNotInUseException") == 0)
		err_set(err, "the account is not a member of an organization "
		    "(AWSOrganizationsNotInUseException): list the accounts with --accounts instead");
	else
		err_set(err, "%s: %s: %s", jstr(fail, "api_call"), code ? code : "error",
		    json_string_value(jpath(fail, "error.message")));
	json_decref(fail);
	return 0;
}

/*
 * Keep the members of page that name an account once, by a valid id; a
 * line in problems for each left out.  ids is the set of ids kept so far.
 */
static void
orgs_keep(json_t *accounts, json_t *ids, json_t *problems, const json_t *page)
{
	json_t *a, *id;
	const char *s;
	char *line;
	size_t i;

	json_array_foreach(page, i, a) {
		id = json_object_get(a, "Id");
		s = json_string_value(id);
		if (!json_is_object(a) || !accounts_valid_id(s)) {
			/*
			 * The text is the server's: kept short (a cut through a
			 * UTF-8 sequence becomes '?'), escaped where it is shown.
			 */
			line = xasprintf("organizations:ListAccounts: an account whose Id is "
			    "not twelve digits (\"%.40s%s\", name \"%.60s\") was skipped",
			    s ? s : json_is_object(a) && id != NULL ? "not a string" : "no Id",
			    s && strlen(s) > 40 ? "..." : "",
			    jstr(a, "Name") ? jstr(a, "Name") : "");
			json_array_append_new(problems, jstring(line));
			free(line);
			continue;
		}
		if (json_object_get(ids, s) != NULL) {
			json_array_append_new(problems, json_sprintf("organizations:ListAccounts: "
			    "account %s is listed twice: collected once", s));
			continue;
		}
		json_object_set_new(ids, s, json_true());
		json_array_append(accounts, a);
	}
}

json_t *
orgs_list_accounts(struct aws_client *c, char **err)
{
	static const char call[] = "organizations:ListAccounts";
	struct src_pager pg;
	json_t *resp = NULL, *fail, *body = NULL, *accounts, *out = NULL, *page;
	json_t *ids, *problems;
	const char *id, *next;
	char *msg = NULL;
	size_t len;
	int ok = 0;

	accounts = json_array();
	ids = json_object();
	problems = json_array();
	src_pager_init(&pg, call, 0);
	if ((fail = src_json(c, AWS_ORGANIZATIONS, NULL, "DescribeOrganization", NULL, &resp)) != NULL) {
		orgs_fail(fail, err);
		goto out;
	}
	if ((id = json_string_value(jpath(resp, "Organization.Id"))) == NULL) {
		err_set(err, "organizations:DescribeOrganization: no Organization.Id in the response");
		goto out;
	}
	out = json_pack("{s:s, s:O?}", "id", id, "management_account",
	    jpath(resp, "Organization.MasterAccountId"));
	body = json_pack("{s:i}", "MaxResults", 20);
	for (;;) {
		json_decref(resp);
		resp = NULL;
		if ((fail = src_json_n(c, AWS_ORGANIZATIONS, NULL, "ListAccounts", body,
		    &resp, &len)) != NULL) {
			orgs_fail(fail, err);
			goto out;
		}
		page = json_object_get(resp, "Accounts");
		if (page != NULL && !json_is_array(page)) {
			err_set(err, "organizations:ListAccounts: Accounts is not an array");
			goto out;
		}
		orgs_keep(accounts, ids, problems, page);
		src_pager_page(&pg, len, json_array_size(page));
		/* Pages can be empty while NextToken is still there. */
		if ((next = jstr(resp, "NextToken")) == NULL || *next == '\0')
			break;
		/* A partial account list would drop accounts unseen: any stop is an error. */
		if (src_pager_next(&pg, NULL, next, &msg) != SNAP_ST_OK) {
			err_set(err, "%s (%s)", msg, pg.code);
			goto out;
		}
		json_object_set_new(body, "NextToken", json_string(next));
	}
	json_object_set(out, "accounts", accounts);
	json_object_set(out, "problems", problems);
	ok = 1;
out:
	if (!ok) {
		json_decref(out);
		out = NULL;
	}
	src_pager_free(&pg);
	json_decref(resp);
	json_decref(body);
	json_decref(accounts);
	json_decref(ids);
	json_decref(problems);
	free(msg);
	return out;
}
