/* Organizations: the organization's id and its member accounts, for multi-account runs. */
#include <pthread.h>
#include <stdio.h>
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

/*
 * The organization's structure: the OU tree, where each account sits and
 * its tags.  Breadth first from the roots (aws-api.md §7.10): per parent one
 * ListOrganizationalUnitsForParent and one ListAccountsForParent, so the
 * calls grow with the OUs, not the accounts; tags cost one
 * ListTagsForResource per account (no batch form exists).  One request in
 * flight: Organizations publishes no request rate and throttles callers
 * that run several at once (§7.11), so the walk never adds to its own
 * throttling; retries are the client's (§10).
 */

#define ORGS_MAX_DEPTH	8	/* AWS allows five OU levels; deeper is a broken answer */

struct orgs_walk_state {
	struct aws_client	*c;
	json_t			*ous;		/* [{"id","name","parent","path","depth"}] */
	json_t			*where;		/* account id -> {"ou_id","ou_path"} */
	json_t			*problems;	/* ["..."]: every call that failed */
	unsigned		 tree_calls;
	unsigned		 tag_calls;
};

/* A failed call as one line: "organizations:OP (ID): CODE: message". */
static char *
orgs_fail_line(json_t *fail, const char *id)
{
	const char *code = json_string_value(jpath(fail, "error.code"));
	const char *msg = json_string_value(jpath(fail, "error.message"));
	char *s = xasprintf("%s (%s): %s: %s", jstr(fail, "api_call"), id,
	    code ? code : "error", msg ? msg : "no message");

	json_decref(fail);
	return s;
}

/*
 * A path segment for an OU name: '/' and '%' percent-encoded, so that a
 * name holding a slash cannot pose as a nested OU under --select ou:.
 */
static char *
orgs_segment(const char *name)
{
	struct buf b = { 0 };

	for (; *name != '\0'; name++)
		if (*name == '/')
			buf_add(&b, "%2F", 3);
		else if (*name == '%')
			buf_add(&b, "%25", 3);
		else
			buf_add(&b, name, 1);
	buf_add(&b, "", 1);
	return buf_steal(&b);
}

/*
 * Every page of op for parent (member: the array it lists), each item
 * passed to fn.  0 with *line set when a call failed or paging broke.
 */
static int
orgs_list(struct orgs_walk_state *w, const char *op, const char *member,
    const char *parent, int (*fn)(struct orgs_walk_state *, const json_t *, const json_t *),
    const json_t *arg, char **line)
{
	char call[80];
	struct src_pager pg;
	json_t *body, *resp = NULL, *fail, *page, *item;
	const char *next;
	char *msg = NULL;
	size_t len, i;
	int rc = 0;

	snprintf(call, sizeof(call), "organizations:%s", op);
	src_pager_init(&pg, call, 0);
	body = json_pack("{s:s, s:i}", "ParentId", parent, "MaxResults", 20);
	for (;;) {
		json_decref(resp);
		resp = NULL;
		w->tree_calls++;
		if ((fail = src_json_n(w->c, AWS_ORGANIZATIONS, NULL, op, body, &resp, &len)) != NULL) {
			*line = orgs_fail_line(fail, parent);
			goto out;
		}
		page = json_object_get(resp, member);
		if (page != NULL && !json_is_array(page)) {
			*line = xasprintf("%s (%s): %s is not an array", call, parent, member);
			goto out;
		}
		json_array_foreach(page, i, item)
			if (json_is_object(item) && !fn(w, item, arg)) {
				*line = xasprintf("%s (%s): the tree is deeper than %d levels",
				    call, parent, ORGS_MAX_DEPTH);
				goto out;
			}
		src_pager_page(&pg, len, json_array_size(page));
		if ((next = jstr(resp, "NextToken")) == NULL || *next == '\0')
			break;
		if (src_pager_next(&pg, parent, next, &msg) != SNAP_ST_OK) {
			*line = xasprintf("%s (%s)", msg, pg.code);
			goto out;
		}
		json_object_set_new(body, "NextToken", json_string(next));
	}
	rc = 1;
out:
	src_pager_free(&pg);
	json_decref(resp);
	json_decref(body);
	free(msg);
	return rc;
}

/* A child OU of parent (arg): queued at the end of w->ous. */
static int
orgs_add_ou(struct orgs_walk_state *w, const json_t *ou, const json_t *parent)
{
	const char *id = jstr(ou, "Id"), *ppath = jstr(parent, "path");
	char *seg, *path;
	json_int_t depth = json_integer_value(json_object_get(parent, "depth")) + 1;

	if (id == NULL)
		return 1;
	if (depth > ORGS_MAX_DEPTH)
		return 0;
	seg = orgs_segment(jstr(ou, "Name") ? jstr(ou, "Name") : id);
	path = xasprintf("%s%s%s", ppath, strcmp(ppath, "/") == 0 ? "" : "/", seg);
	json_array_append_new(w->ous, json_pack("{s:o, s:o, s:s, s:s, s:I}",
	    "id", jstring(id), "name", jstring(jstr(ou, "Name") ? jstr(ou, "Name") : id),
	    "parent", jstr(parent, "id"), "path", path, "depth", depth));
	free(seg);
	free(path);
	return 1;
}

/* An account directly under parent (arg): placed, if the run lists it. */
static int
orgs_place(struct orgs_walk_state *w, const json_t *a, const json_t *parent)
{
	json_t *e = json_object_get(w->where, jstr(a, "Id") ? jstr(a, "Id") : "");

	if (e != NULL) {
		json_object_set(e, "ou_id", json_object_get(parent, "id"));
		json_object_set(e, "ou_path", json_object_get(parent, "path"));
		json_object_del(e, "ou_reason");
	}
	return 1;
}

/* The tags of account id into e: {"tags": {...}} or "tags_reason". */
static void
orgs_tags(struct orgs_walk_state *w, const char *id, json_t *e)
{
	static const char call[] = "organizations:ListTagsForResource";
	struct src_pager pg;
	json_t *body, *resp = NULL, *fail, *tags, *t;
	const char *next, *k, *v;
	char *msg = NULL, *line = NULL;
	size_t len, i;

	src_pager_init(&pg, call, 0);
	body = json_pack("{s:s}", "ResourceId", id);
	tags = json_object();
	for (;;) {
		json_decref(resp);
		resp = NULL;
		w->tag_calls++;
		if ((fail = src_json_n(w->c, AWS_ORGANIZATIONS, NULL, "ListTagsForResource",
		    body, &resp, &len)) != NULL) {
			line = orgs_fail_line(fail, id);
			goto out;
		}
		json_array_foreach(json_object_get(resp, "Tags"), i, t) {
			/* Keys are UTF-8 text by the API; an invalid one is left out, not guessed. */
			if ((k = jstr(t, "Key")) == NULL || *k == '\0')
				continue;
			v = jstr(t, "Value");
			json_object_set_new(tags, k, jstring(v ? v : ""));
		}
		src_pager_page(&pg, len, json_array_size(json_object_get(resp, "Tags")));
		if ((next = jstr(resp, "NextToken")) == NULL || *next == '\0')
			break;
		if (src_pager_next(&pg, id, next, &msg) != SNAP_ST_OK) {
			line = xasprintf("%s (%s)", msg, pg.code);
			goto out;
		}
		json_object_set_new(body, "NextToken", json_string(next));
	}
out:
	if (line != NULL) {
		/* Tags half read are not the account's tags: none, and why. */
		json_object_set_new(e, "tags", json_object());
		json_object_set_new(e, "tags_reason", jstring(line));
		json_array_append_new(w->problems, jstring(line));
		json_decref(tags);
	} else
		json_object_set_new(e, "tags", tags);
	src_pager_free(&pg);
	json_decref(resp);
	json_decref(body);
	free(msg);
	free(line);
}

json_t *
orgs_structure(struct aws_client *c, const char *org_id, const json_t *ids)
{
	struct orgs_walk_state w;
	json_t *resp = NULL, *fail, *r, *ou, *e, *out, *id, *body;
	const char *k;
	char *line = NULL, *reason = NULL;
	size_t i;
	unsigned before = aws_client_calls(c);
	long t0 = src_now_ms();

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.ous = json_array();
	w.where = json_object();
	w.problems = json_array();
	json_array_foreach(ids, i, id)
		if (json_is_string(id))
			json_object_set_new(w.where, json_string_value(id), json_object());

	/* Roots first; each is a parent of the walk, path "/". */
	w.tree_calls++;
	body = json_pack("{s:i}", "MaxResults", 20);
	fail = src_json(c, AWS_ORGANIZATIONS, NULL, "ListRoots", body, &resp);
	json_decref(body);
	if (fail != NULL) {
		line = orgs_fail_line(fail, "roots");
		json_array_append_new(w.problems, jstring(line));
		reason = line;
		line = NULL;
		goto place;
	}
	json_array_foreach(json_object_get(resp, "Roots"), i, r)
		if (jstr(r, "Id") != NULL)
			json_array_append_new(w.ous, json_pack("{s:o, s:o, s:n, s:s, s:i}",
			    "id", jstring(jstr(r, "Id")),
			    "name", jstring(jstr(r, "Name") ? jstr(r, "Name") : "Root"),
			    "parent", "path", "/", "depth", 0));
	/* w.ous grows while it is walked: the queue of the breadth-first walk. */
	for (i = 0; i < json_array_size(w.ous); i++) {
		ou = json_array_get(w.ous, i);
		if (aws_cancelled())
			break;
		if (!orgs_list(&w, "ListOrganizationalUnitsForParent", "OrganizationalUnits",
		    jstr(ou, "id"), orgs_add_ou, ou, &line) ||
		    !orgs_list(&w, "ListAccountsForParent", "Accounts",
		    jstr(ou, "id"), orgs_place, ou, &line)) {
			/* The subtree's accounts stay unplaced: "unknown", with this reason. */
			json_array_append_new(w.problems, jstring(line));
			if (reason == NULL)
				reason = line;
			else
				free(line);
			line = NULL;
		}
	}
place:
	json_object_foreach(w.where, k, e) {
		if (json_object_get(e, "ou_id") == NULL) {
			json_object_set_new(e, "ou_id", json_string("unknown"));
			json_object_set_new(e, "ou_path", json_string("unknown"));
			json_object_set_new(e, "ou_reason", jstring(reason != NULL ? reason :
			    "not found under any organizational unit of the organization"));
		}
		if (!aws_cancelled())
			orgs_tags(&w, k, e);
		else {
			json_object_set_new(e, "tags", json_object());
			json_object_set_new(e, "tags_reason", json_string("interrupted"));
		}
	}
	json_array_foreach(w.ous, i, ou)
		json_object_del(ou, "depth");
	out = json_pack("{s:s, s:s, s:o?, s:b, s:o, s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
	    "schema", ORGS_SCHEMA, "source", "organizations", "organization_id",
	    org_id ? json_string(org_id) : NULL,
	    "complete", json_array_size(w.problems) == 0,
	    "problems", w.problems,
	    "calls", "tree", (json_int_t)w.tree_calls, "tags", (json_int_t)w.tag_calls,
	    "http", (json_int_t)(aws_client_calls(c) - before),
	    "ms", (json_int_t)(src_now_ms() - t0),
	    "ous", w.ous, "accounts", w.where);
	json_decref(resp);
	free(reason);
	return out;
}

/* The walk on its own thread, so that it runs while the accounts are collected. */
struct orgs_walk {
	pthread_t		 thread;
	struct aws_client	*c;
	char			*org_id;
	json_t			*ids;
	json_t			*result;
};

static void *
orgs_walk_main(void *arg)
{
	struct orgs_walk *w = arg;

	w->result = orgs_structure(w->c, w->org_id, w->ids);
	return NULL;
}

struct orgs_walk *
orgs_walk_start(const struct aws_config *cfg, const struct aws_creds *creds,
    const char *org_id, const json_t *ids)
{
	struct orgs_walk *w = xcalloc(1, sizeof(*w));

	w->c = aws_client_new(cfg, creds);
	w->org_id = org_id ? xstrdup(org_id) : NULL;
	w->ids = json_deep_copy(ids);	/* jansson's references are not thread-safe */
	if (pthread_create(&w->thread, NULL, orgs_walk_main, w) != 0) {
		/* No thread: walk here, before the accounts; slower, never wrong. */
		orgs_walk_main(w);
		w->thread = pthread_self();
	}
	return w;
}

json_t *
orgs_walk_finish(struct orgs_walk *w)
{
	json_t *r;

	if (!pthread_equal(w->thread, pthread_self()))
		pthread_join(w->thread, NULL);
	r = w->result;
	aws_client_free(w->c);
	json_decref(w->ids);
	free(w->org_id);
	free(w);
	return r;
}
