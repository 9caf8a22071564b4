/* Organizations: the organization's id and its member accounts, for multi-account runs. */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/collector.h"
#include "collector/sources.h"

/* An organization larger than this many pages of 20 is a looping peer. */
#define ORGS_MAX_PAGES	5000

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

json_t *
orgs_list_accounts(struct aws_client *c, char **err)
{
	json_t *resp = NULL, *fail, *body = NULL, *accounts, *out = NULL, *page;
	const char *id, *next;
	int pages, ok = 0;

	accounts = json_array();
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
	for (pages = 1; ; pages++) {
		json_decref(resp);
		resp = NULL;
		if ((fail = src_json(c, AWS_ORGANIZATIONS, NULL, "ListAccounts", body, &resp)) != NULL) {
			orgs_fail(fail, err);
			goto out;
		}
		page = json_object_get(resp, "Accounts");
		if (page != NULL && !json_is_array(page)) {
			err_set(err, "organizations:ListAccounts: Accounts is not an array");
			goto out;
		}
		json_array_extend(accounts, page);
		/* Pages can be empty while NextToken is still there. */
		if ((next = jstr(resp, "NextToken")) == NULL || *next == '\0')
			break;
		if (pages >= ORGS_MAX_PAGES) {
			err_set(err, "organizations:ListAccounts: more than %d pages", ORGS_MAX_PAGES);
			goto out;
		}
		json_object_set_new(body, "NextToken", json_string(next));
	}
	json_object_set(out, "accounts", accounts);
	ok = 1;
out:
	if (!ok) {
		json_decref(out);
		out = NULL;
	}
	json_decref(resp);
	json_decref(body);
	json_decref(accounts);
	return out;
}
