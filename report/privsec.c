/* The "Privileged access" section's model, from the results: built once, drawn by HTML and PDF. */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "report/facts.h"
#include "report/privsec.h"
#include "report/report.h"

/* Whether control id of acct has this status. */
static int
ps_status_is(const json_t *acct, const char *id, const char *status)
{
	const char *s = jstr(report_control(acct, id), "status");

	return s != NULL && strcmp(s, status) == 0;
}

/* "user", "group", "role" from an IAM ARN, else "principal". */
static const char *
ps_kind(const char *arn)
{
	static const char *const kinds[] = { "user", "group", "role", NULL };
	const char *p;
	size_t k;

	if (arn == NULL || (p = strrchr(arn, ':')) == NULL)
		return "principal";
	for (k = 0; kinds[k] != NULL; k++)
		if (strncmp(p + 1, kinds[k], strlen(kinds[k])) == 0 &&
		    p[1 + strlen(kinds[k])] == '/')
			return kinds[k];
	return "principal";
}

/* The name at the end of an ARN's path (not freed), or the ARN itself. */
static const char *
ps_tail(const char *arn)
{
	const char *p = arn ? strrchr(arn, '/') : NULL;

	return p != NULL && p[1] != '\0' ? p + 1 : arn ? arn : "?";
}

/*
 * Members the rows always have: the templates look a missing name up in
 * the enclosing account, which would show the account's name for a
 * principal's.
 */
static const char *
ps_str(const json_t *o, const char *key)
{
	return jstr(o, key) ? jstr(o, key) : REPORT_EMPTY;
}

static const char *
ps_name(const json_t *o, const char *key, const char *arnkey)
{
	return jstr(o, key) ? jstr(o, key) : jstr(o, arnkey) ? ps_tail(jstr(o, arnkey)) : "?";
}

/* A list member, or nothing when empty (the templates' data-if reads absent as none). */
static void
ps_set_list(json_t *o, const char *key, json_t *list, size_t more, const char *what)
{
	if (json_array_size(list) > 0)
		json_object_set_new(o, key, list);
	else
		json_decref(list);
	if (more > 0) {
		char *k = xasprintf("%s_more", key);

		json_object_set_new(o, k, json_sprintf("%zu more %s, listed in results.json",
		    more, what));
		free(k);
	}
}

/* A grant object of the results ({"action", "resource", "policy", "statement"}) or a sentence, in words, into b. */
static void
ps_grant_words(struct buf *b, const json_t *g)
{
	if (json_is_string(g)) {
		buf_adds(b, json_string_value(g));
		return;
	}
	buf_printf(b, "%s on %s: %s, %s%s", jstr(g, "action") ? jstr(g, "action") : "?",
	    jstr(g, "resource") ? jstr(g, "resource") : "?",
	    jstr(g, "policy") ? jstr(g, "policy") : "?",
	    jstr(g, "statement") ? jstr(g, "statement") : "?",
	    jbool(g, "conditional", 0) ? " (under a condition)" : "");
}

static void
ps_node(json_t *nodes, const char *cls, const char *text)
{
	json_array_append_new(nodes, json_pack("{s:s, s:s, s:b}", "text", text ? text : "?",
	    "cls", cls, "arrow", json_array_size(nodes) > 0));
}

static json_t *
ps_chain(json_t *chains)
{
	json_t *nodes = json_array();

	json_array_append_new(chains, json_pack("{s:o}", "nodes", nodes));
	return nodes;
}

/* A JSON value that the evidence holds as compact text (PRIV-01's methods, path), or NULL. */
static json_t *
ps_evidence_json(const json_t *f, const char *key)
{
	const char *s = jstr(json_object_get(f, "evidence"), key);

	return s != NULL ? json_loads(s, 0, NULL) : NULL;
}

/* Why the role at the end of a path is strong: administrator, or the methods it can use. */
static char *
ps_strong_why(const json_t *acct, const json_t *findings, const char *arn)
{
	const json_t *a, *f, *m;
	struct buf b = { NULL, 0, 0, 0 };
	json_t *methods;
	size_t i, k;

	json_array_foreach(json_object_get(json_object_get(acct, "privileged_access"), "admins"), i, a)
		if (arn != NULL && jstr(a, "arn") != NULL && strcmp(jstr(a, "arn"), arn) == 0)
			return xstrdup("administrator-equivalent");
	json_array_foreach(findings, i, f) {
		if (arn == NULL || jstr(f, "resource") == NULL || strcmp(jstr(f, "resource"), arn) != 0 ||
		    (methods = ps_evidence_json(f, "methods")) == NULL)
			continue;
		buf_adds(&b, "can escalate by ");
		json_array_foreach(methods, k, m)
			buf_printf(&b, "%s%s", k ? ", " : "", jstr(m, "method") ? jstr(m, "method") : "?");
		json_decref(methods);
		return b.p;
	}
	return xstrdup("administrator-equivalent or can escalate");
}

/* The single-step methods of a PRIV-01 finding: chains, words and grants. */
static void
ps_methods(json_t *row, const json_t *methods, struct buf *how, struct buf *grants)
{
	const json_t *m, *g;
	json_t *nodes;
	size_t i, k;

	json_array_foreach(methods, i, m) {
		buf_printf(how, "%s%s", i ? ", " : "", jstr(m, "method") ? jstr(m, "method") : "?");
		json_array_foreach(json_object_get(m, "grants"), k, g) {
			buf_adds(grants, grants->len ? "; " : "");
			ps_grant_words(grants, g);
		}
		/* Three chains tell the story; the words and the grants name every method. */
		if (i >= 3)
			continue;
		nodes = ps_chain(json_object_get(row, "chains"));
		ps_node(nodes, "principal", jstr(row, "label"));
		ps_node(nodes, "method", jstr(m, "method"));
		ps_node(nodes, "target", jstr(json_array_get(json_object_get(m, "grants"), 0), "resource"));
	}
	if (json_array_size(methods) > 3)
		buf_printf(how, " (%zu methods; three drawn)", json_array_size(methods));
}

/* The sts:AssumeRole steps of a PRIV-01 finding: one chain, words and grants. */
static void
ps_path(json_t *row, const json_t *acct, const json_t *findings, const json_t *path,
    struct buf *how, struct buf *grants)
{
	const json_t *st;
	json_t *nodes = ps_chain(json_object_get(row, "chains"));
	const char *end = NULL;
	char *why, *t;
	size_t i;

	ps_node(nodes, "principal", jstr(row, "label"));
	json_array_foreach(path, i, st) {
		end = jstr(st, "to");
		ps_node(nodes, "method", jstr(st, "method"));
		t = xasprintf("role %s", ps_tail(end));
		ps_node(nodes, "target", t);
		free(t);
		buf_adds(grants, grants->len ? "; " : "");
		buf_printf(grants, "step to %s: ", ps_tail(end));
		ps_grant_words(grants, json_object_get(st, "granted_by"));
	}
	why = ps_strong_why(acct, findings, end);
	ps_node(nodes, "why", why);
	buf_printf(how, "%scan assume its way to role %s in %zu step%s (%s)", how->len ? "; " : "",
	    ps_tail(end), json_array_size(path), json_array_size(path) == 1 ? "" : "s", why);
	free(why);
}

static json_t *
ps_escalation(const json_t *acct, const json_t *findings, const json_t *f)
{
	struct buf how = { NULL, 0, 0, 0 }, grants = { NULL, 0, 0, 0 };
	const char *arn = jstr(f, "resource");
	json_t *row, *methods, *path;
	char *label;

	label = xasprintf("%s %s", ps_kind(arn), jstr(f, "resource_name") ? jstr(f, "resource_name") :
	    ps_tail(arn));
	row = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "kind", ps_kind(arn), "name",
	    ps_name(f, "resource_name", "resource"), "arn", ps_str(f, "resource"), "label", label,
	    "chains");
	free(label);
	methods = ps_evidence_json(f, "methods");
	path = ps_evidence_json(f, "path");
	ps_methods(row, methods, &how, &grants);
	if (json_array_size(path) > 0)
		ps_path(row, acct, findings, path, &how, &grants);
	if (how.len == 0)
		buf_adds(&how, jstr(f, "reason") ? jstr(f, "reason") : "?");
	if (json_object_get(f, "accepted") != NULL)
		buf_adds(&how, " (an accepted risk)");
	json_object_set_new(row, "how", json_string(how.p));
	json_object_set_new(row, "granted_by", json_string(grants.len ? grants.p : REPORT_EMPTY));
	json_decref(methods);
	json_decref(path);
	buf_free(&how);
	buf_free(&grants);
	return row;
}

/* PRIV-01's findings as rows; 1 when it was graded (its count of principals holds). */
static int
ps_escalations(json_t *m, const json_t *acct, struct buf *note, size_t *n)
{
	const json_t *c = report_control(acct, "PRIV-01"), *f, *findings;
	json_t *rows = json_array();
	size_t i, more = 0;

	findings = json_object_get(c, "findings");
	*n = json_array_size(findings);
	json_array_foreach(findings, i, f) {
		if (i < REPORT_MAX_ROWS)
			json_array_append_new(rows, ps_escalation(acct, findings, f));
		else
			more++;
	}
	if (c == NULL)
		buf_printf(note, "%sThese results do not grade PRIV-01: escalation is not shown.",
		    note->len ? " " : "");
	else if (strcmp(jstr(c, "status") ? jstr(c, "status") : "", "NOT_EVALUATED") == 0)
		buf_printf(note, "%sEscalation (PRIV-01) could not be evaluated: %s.", note->len ? " " : "",
		    jstr(c, "reason") ? jstr(c, "reason") : "no reason given");
	else if (json_array_size(json_object_get(c, "unevaluated")) > 0)
		buf_printf(note, "%s%zu principal%s could not be judged for escalation (PRIV-01 lists "
		    "them).", note->len ? " " : "", json_array_size(json_object_get(c, "unevaluated")),
		    json_array_size(json_object_get(c, "unevaluated")) == 1 ? "" : "s");
	ps_set_list(m, "escalations", rows, more, "principals that can escalate");
	if (*n == 0 && ps_status_is(acct, "PRIV-01", "PASS"))
		json_object_set_new(m, "escalations_none", json_string("No principal can escalate "
		    "(PRIV-01 passes)."));
	return ps_status_is(acct, "PRIV-01", "PASS") || ps_status_is(acct, "PRIV-01", "FAIL") ||
	    ps_status_is(acct, "PRIV-01", "ACCEPTED");
}

static json_t *
ps_admin(const json_t *a)
{
	const char *kind = jstr(a, "kind") ? jstr(a, "kind") : "principal";
	struct buf note = { NULL, 0, 0, 0 };
	json_t *row;

	if (jbool(a, "service_linked", 0))
		buf_adds(&note, "service-linked: only its AWS service can assume it");
	else if (strcmp(kind, "role") == 0)
		buf_adds(&note, "a role, the way administrators should come (information)");
	else
		buf_adds(&note, "should come through a role (PRIV-02)");
	if (jbool(a, "conditional", 0))
		buf_adds(&note, "; a grant is under a condition, still counted");
	if (jstr(a, "permissions_boundary") != NULL)
		buf_printf(&note, "; boundary %s", jstr(a, "permissions_boundary"));
	row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", kind, "name", ps_name(a, "name", "arn"),
	    "arn", ps_str(a, "arn"), "granted_by", ps_str(a, "granted_by"), "note", note.p);
	buf_free(&note);
	return row;
}

/* Results made before privileged_access: the admin users and groups of PRIV-02's findings. */
static json_t *
ps_admins_of_priv02(const json_t *acct)
{
	const json_t *f;
	json_t *list = json_array();
	size_t i;

	json_array_foreach(json_object_get(report_control(acct, "PRIV-02"), "findings"), i, f)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "kind",
		    ps_kind(jstr(f, "resource")), "name", ps_name(f, "resource_name", "resource"), "arn",
		    ps_str(f, "resource"), "granted_by", ps_str(json_object_get(f, "evidence"), "granted_by")));
	return list;
}

static void
ps_admins(json_t *m, const json_t *acct, const json_t *pa, size_t count[3])
{
	static const char *const kinds[] = { "user", "group", "role" };
	json_t *rows = json_array(), *src;
	const json_t *a;
	size_t i, k, more = 0;

	src = pa != NULL ? json_incref(json_object_get(pa, "admins")) : ps_admins_of_priv02(acct);
	json_array_foreach(src, i, a) {
		for (k = 0; k < 3; k++)
			count[k] += jstr(a, "kind") != NULL && strcmp(jstr(a, "kind"), kinds[k]) == 0;
		if (i < REPORT_MAX_ROWS)
			json_array_append_new(rows, ps_admin(a));
		else
			more++;
	}
	/* "None" only where it was looked at: a partial listing, or PRIV-02 not graded, says less. */
	if (json_array_size(src) == 0 && pa != NULL)
		json_object_set_new(m, "admins_none", json_string(jstr(pa, "reason") == NULL ?
		    "No user, group or role is administrator-equivalent." : "None in what could be "
		    "read (the listing is partial)."));
	else if (json_array_size(src) == 0 && ps_status_is(acct, "PRIV-02", "PASS"))
		json_object_set_new(m, "admins_none", json_string("No user or group is "
		    "administrator-equivalent (PRIV-02); roles are not listed in these results."));
	json_decref(src);
	ps_set_list(m, "admins", rows, more, "administrator-equivalent principals");
}

static void
ps_callers(json_t *m, const json_t *pa, size_t *nroles, size_t *ncallers)
{
	const json_t *r, *c;
	struct buf g = { NULL, 0, 0, 0 };
	json_t *rows = json_array();
	size_t i, k, more = 0, unlisted = 0;

	json_array_foreach(json_object_get(pa, "admin_role_callers"), i, r) {
		(*nroles)++;
		*ncallers += (size_t)jint(r, "callers_total", (json_int_t)json_array_size(
		    json_object_get(r, "callers")));
		unlisted += (size_t)jint(r, "callers_total", 0) > json_array_size(json_object_get(r,
		    "callers")) ? (size_t)jint(r, "callers_total", 0) - json_array_size(json_object_get(r,
		    "callers")) : 0;
		json_array_foreach(json_object_get(r, "callers"), k, c) {
			if (json_array_size(rows) >= REPORT_MAX_ROWS) {
				more++;
				continue;
			}
			buf_reset(&g);
			ps_grant_words(&g, json_object_get(c, "granted_by"));
			if (jstr(c, "unsure") != NULL)
				buf_printf(&g, " (the role's trust could not be read: %s)", jstr(c, "unsure"));
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
			    "role_name", ps_name(r, "role_name", "role"), "role", ps_str(r, "role"),
			    "kind", jstr(c, "kind") ? jstr(c, "kind") : "principal",
			    "name", ps_name(c, "name", "arn"), "arn", ps_str(c, "arn"), "granted_by", g.p ? g.p : "?",
			    "admin", jbool(c, "admin", 0)));
		}
	}
	buf_free(&g);
	if (*ncallers == 0)
		json_object_set_new(m, "callers_none", json_string(jstr(pa, "reason") == NULL ?
		    "No user or role of the account may assume an administrator role." :
		    "None in what could be read (the listing is partial)."));
	ps_set_list(m, "callers", rows, more, "ways into administrator roles");
	if (unlisted > 0)
		json_object_set_new(m, "callers_more", json_sprintf("%zu more ways into administrator "
		    "roles; results.json lists %zu of them and counts the %zu others (callers_total)",
		    more + unlisted, more, unlisted));
}

static void
ps_not_judged(json_t *m, const json_t *pa)
{
	const json_t *x;
	json_t *rows = json_array();
	size_t i, more = 0;

	json_array_foreach(json_object_get(pa, "not_judged"), i, x) {
		if (i < REPORT_MAX_ROWS)
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "kind",
			    jstr(x, "kind") ? jstr(x, "kind") : "principal", "name", ps_name(x, "name", "arn"),
			    "arn", ps_str(x, "arn"), "reason", ps_str(x, "reason")));
		else
			more++;
	}
	ps_set_list(m, "not_judged", rows, more, "principals that could not be judged");
}

json_t *
report_privsec(const json_t *acct)
{
	const json_t *pa = json_object_get(acct, "privileged_access");
	struct buf note = { NULL, 0, 0, 0 };
	size_t count[3] = { 0, 0, 0 }, nesc = 0, nroles = 0, ncallers = 0;
	char *esc;
	json_t *m;

	if (pa == NULL && report_control(acct, "PRIV-01") == NULL && report_control(acct, "PRIV-02") == NULL)
		return NULL;
	m = json_object();
	if (pa != NULL && !jbool(pa, "evaluated", 0)) {
		json_object_set_new(m, "summary", json_sprintf("Privileged access could not be "
		    "reviewed: %s.", jstr(pa, "reason") ? jstr(pa, "reason") : "no reason given"));
		json_object_set_new(m, "not_evaluated", json_true());
		return m;
	}
	if (pa == NULL)
		buf_adds(&note, "These results were graded before the access review was recorded: "
		    "administrator roles and who may assume them are not listed; grade the snapshot "
		    "again to see them.");
	else if (jstr(pa, "reason") != NULL)
		buf_printf(&note, "The listing is partial: %s.", jstr(pa, "reason"));
	ps_admins(m, acct, pa, count);
	esc = ps_escalations(m, acct, &note, &nesc) ? xasprintf("%zu principal%s can escalate",
	    nesc, nesc == 1 ? "" : "s") : xstrdup("escalation not evaluated");
	if (pa != NULL) {
		json_object_set_new(m, "callers_known", json_true());
		ps_callers(m, pa, &nroles, &ncallers);
		ps_not_judged(m, pa);
	}
	if (pa == NULL)
		json_object_set_new(m, "summary", json_sprintf("%zu administrator-equivalent user%s and "
		    "group%s (PRIV-02); %s.", count[0] + count[1], count[0] + count[1] == 1 ? "" : "s",
		    count[0] + count[1] == 1 ? "" : "s", esc));
	else
		json_object_set_new(m, "summary", json_sprintf("%zu administrator-equivalent principal%s "
		    "(%zu user%s, %zu group%s, %zu role%s); %s; %zu way%s into %zu administrator role%s%s.",
		    count[0] + count[1] + count[2], count[0] + count[1] + count[2] == 1 ? "" : "s",
		    count[0], count[0] == 1 ? "" : "s", count[1], count[1] == 1 ? "" : "s", count[2],
		    count[2] == 1 ? "" : "s", esc, ncallers, ncallers == 1 ? "" : "s", nroles,
		    nroles == 1 ? "" : "s", jstr(pa, "reason") ? ", in what could be read" : ""));
	free(esc);
	if (note.len > 0)
		json_object_set_new(m, "note", json_string(note.p));
	buf_free(&note);
	return m;
}
