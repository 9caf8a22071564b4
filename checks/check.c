/*
 * Grading: run every row of the catalogue over one snapshot, fill the
 * remediation with the findings' resources, score the account, and wrap
 * accounts into a results document (docs/results-format.md).
 */
#include <ctype.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "common/schema.h"
#include "snapshot/snapshot.h"
#include "checks/grade.h"
#include "policy/policy.h"

const char *const check_status_names[CHECK_STATUS__MAX] = {
	"PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE"
};
const char *const check_severity_names[CHECK_SEV__MAX] = {
	"none", "low", "medium", "high", "critical"
};
const int check_severity_weights[CHECK_SEV__MAX] = { 0, 1, 3, 5, 10 };

int
check_severity_rank(const char *s)
{
	int i;

	for (i = CHECK_SEV_LOW; s != NULL && i < CHECK_SEV__MAX; i++)
		if (strcasecmp(s, check_severity_names[i]) == 0)
			return i;
	return 0;
}

/* Reporting from grading functions. */

json_t *
check_find(struct check_out *o, const char *resource, const char *name,
    const char *fmt, ...)
{
	json_t *f = json_object();
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	json_object_set_new(f, "resource", resource ? json_string(resource) : json_null());
	json_object_set_new(f, "resource_name", name ? json_string(name) : json_null());
	json_object_set_new(f, "reason", json_string(reason));
	json_object_set_new(f, "evidence", json_object());
	json_array_append_new(o->findings, f);
	json_array_append_new(o->fills, json_object());
	free(reason);
	return f;
}

void
check_find_severity(json_t *f, const char *severity)
{
	json_object_set_new(f, "severity", json_string(severity));
}

void
check_fill(struct check_out *o, const char *key, const char *value)
{
	json_t *fill = json_array_get(o->fills, json_array_size(o->fills) - 1);

	if (fill != NULL && value != NULL)
		json_object_set_new(fill, key, json_string(value));
}

void
check_ev_str(json_t *f, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(json_object_get(f, "evidence"), key, json_string(value));
}

void
check_ev_int(json_t *f, const char *key, long long value)
{
	json_object_set_new(json_object_get(f, "evidence"), key, json_integer(value));
}

void
check_ev_json(json_t *f, const json_t *value, const char *key)
{
	char *s;

	if (value == NULL)
		return;
	s = jdump(value, 0);
	check_ev_str(f, key, s);
	free(s);
}

/* One value as written when there is one, else the list. */
static json_t *
strs_json(const struct pol_strs *s)
{
	json_t *a;
	size_t i;

	if (s->n == 1)
		return json_string(s->v[0]);
	a = json_array();
	for (i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static json_t *
principal_json(const struct pol_principal *p)
{
	json_t *o;
	int t;

	if (p->any)
		return json_string("*");
	o = json_object();
	for (t = 0; t < POL_P_NTYPES; t++)
		if (p->by[t].n > 0)
			json_object_set_new(o, pol_ptype_names[t], strs_json(&p->by[t]));
	return o;
}

/* A compiled statement rendered back to the JSON it stands for. */
static json_t *
stmt_json(const struct pol_stmt *st)
{
	json_t *o = json_object(), *cond, *ops;
	size_t i;

	if (st->sid != NULL)
		json_object_set_new(o, "Sid", json_string(st->sid));
	json_object_set_new(o, "Effect", json_string(st->effect == POL_ALLOW ? "Allow" : "Deny"));
	if (st->has_principal)
		json_object_set_new(o, st->not_principal ? "NotPrincipal" : "Principal",
		    principal_json(&st->principal));
	json_object_set_new(o, st->not_action ? "NotAction" : "Action", strs_json(&st->action));
	if (st->has_resource)
		json_object_set_new(o, st->not_resource ? "NotResource" : "Resource",
		    strs_json(&st->resource));
	if (st->ncond > 0) {
		cond = json_object();
		for (i = 0; i < st->ncond; i++) {
			if ((ops = json_object_get(cond, st->cond[i].opname)) == NULL) {
				ops = json_object();
				json_object_set_new(cond, st->cond[i].opname, ops);
			}
			json_object_set_new(ops, st->cond[i].key, strs_json(&st->cond[i].values));
		}
		json_object_set_new(o, "Condition", cond);
	}
	return o;
}

json_t *
check_doc_json(const struct pol_doc *doc)
{
	json_t *o = json_object(), *list = json_array();
	size_t i;

	if (doc->version != NULL)
		json_object_set_new(o, "Version", json_string(doc->version));
	if (doc->id != NULL)
		json_object_set_new(o, "Id", json_string(doc->id));
	for (i = 0; i < doc->nst; i++)
		json_array_append_new(list, stmt_json(&doc->st[i]));
	json_object_set_new(o, "Statement", list);
	return o;
}

void
check_ev_statement(json_t *f, const struct pol_doc *doc, const struct pol_stmt *st)
{
	json_t *s, *denies = json_array();
	size_t i;

	s = stmt_json(st);
	check_ev_json(f, s, "statement");
	json_decref(s);
	for (i = 0; i < doc->nst; i++)
		if (doc->st[i].effect == POL_DENY)
			json_array_append_new(denies, stmt_json(&doc->st[i]));
	if (json_array_size(denies) > 0)
		check_ev_json(f, denies, "deny_statements");
	json_decref(denies);
}

static void
set_status(struct check_out *o, int status, const char *fmt, va_list ap)
{
	free(o->reason);
	o->reason = xvasprintf(fmt, ap);
	o->status = status;
}

void
check_na(struct check_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(o, CHECK_NOT_APPLICABLE, fmt, ap);
	va_end(ap);
}

void
check_ne(struct check_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(o, CHECK_NOT_EVALUATED, fmt, ap);
	va_end(ap);
}

/* Append {"resource": resource, key: text} to list: a skipped resource or a note. */
static void
add_remark(json_t *list, const char *key, const char *resource, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap);

	json_array_append_new(list, json_pack("{s:o,s:s}", "resource",
	    resource ? json_string(resource) : json_null(), key, text));
	free(text);
}

void
check_skip(struct check_out *o, const char *resource, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_remark(o->unevaluated, "reason", resource, fmt, ap);
	va_end(ap);
}

void
check_note(struct check_out *o, const char *resource, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_remark(o->notes, "note", resource, fmt, ap);
	va_end(ap);
}

/* Remediation: templates with {placeholders} filled per finding. */

const char *const check_placeholders[] = {
	/* resources, from the findings */
	"user", "login", "key_id", "role", "policy_arn", "policy_name", "group",
	"trail", "new_trail", "serial", "event_id", "arn",
	/* the account and the thresholds, the same for every finding */
	"account", "min_length", "reuse", "max_age", "root_days", "unused_days",
	"rotation_days", "user_max_age",
	NULL
};

enum fill_lang { FILL_TEXT, FILL_SHELL, FILL_PYTHON };

/* Shell words: plain when safe, else single-quoted. */
static void
quote_shell(struct buf *b, const char *s)
{
	const char *p;

	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_@%+=:,./-") == strlen(s)) {
		buf_adds(b, s);
		return;
	}
	buf_adds(b, "'");
	for (p = s; *p; p++)
		buf_adds(b, *p == '\'' ? "'\\''" : (char[]){ *p, '\0' });
	buf_adds(b, "'");
}

/* A JSON string literal is a Python string literal. */
static void
quote_python(struct buf *b, const char *s)
{
	json_t *j = json_string(s);
	char *t = json_dumps(j, JSON_ENCODE_ANY);

	buf_adds(b, t ? t : "''");
	free(t);
	json_decref(j);
}

/*
 * Fill one template line.  Values come from fill (a finding's resources)
 * then globals (account, thresholds: numbers stay bare).  A placeholder
 * with no value becomes <name>, quoted as a string in Python.  *missing
 * counts the resource placeholders that had no value.
 */
static void
fill_line(struct buf *b, const char *t, size_t len, const json_t *fill,
    const json_t *globals, enum fill_lang lang, int *missing)
{
	const char *end = t + len, *close, *v;
	char key[32];
	json_t *g;

	while (t < end) {
		if (*t != '{' || (close = memchr(t, '}', (size_t)(end - t))) == NULL ||
		    close - t - 1 <= 0 || close - t - 1 >= (long)sizeof(key) ||
		    strspn(t + 1, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(close - t - 1)) {
			buf_add(b, t++, 1);
			continue;
		}
		memcpy(key, t + 1, (size_t)(close - t - 1));
		key[close - t - 1] = '\0';
		t = close + 1;
		if ((g = json_object_get(globals, key)) != NULL && json_is_integer(g)) {
			buf_printf(b, "%lld", (long long)json_integer_value(g));
			continue;
		}
		v = jstr(fill, key) ? jstr(fill, key) : jstr(globals, key);
		if (v == NULL) {
			/* {login} is a user too, named for the lines about passwords. */
			const char *shown = strcmp(key, "login") == 0 ? "user" : key;

			if (missing)
				(*missing)++;
			if (lang == FILL_PYTHON)
				buf_printf(b, "\"<%s>\"", shown);
			else
				buf_printf(b, "<%s>", shown);
		} else if (lang == FILL_SHELL)
			quote_shell(b, v);
		else if (lang == FILL_PYTHON)
			quote_python(b, v);
		else
			buf_adds(b, v);
	}
}

/* Append s to array a unless seen already (dedupe, keeping order). */
static void
add_unique(json_t *a, json_t *seen, const char *s)
{
	if (json_object_get(seen, s) != NULL)
		return;
	json_object_set_new(seen, s, json_true());
	json_array_append_new(a, json_string(s));
}

/*
 * Each line of t filled with fill, appended to out unless already there.
 * With strict, a line naming a resource the finding lacks is left out (an
 * inline-policy command for a finding about a managed policy).
 */
static void
fill_lines(json_t *out, json_t *seen, const char *t, const json_t *fill,
    const json_t *globals, enum fill_lang lang, int strict)
{
	struct buf b = { 0 };
	const char *nl;
	int missing;

	for (; t != NULL && *t; t = nl + 1) {
		nl = strchr(t, '\n');
		buf_reset(&b);
		missing = 0;
		fill_line(&b, t, nl ? (size_t)(nl - t) : strlen(t), fill, globals, lang, &missing);
		if (!(strict && missing) && b.p != NULL)
			add_unique(out, seen, b.p);
		if (nl == NULL)
			break;
	}
	buf_free(&b);
}

/* A whole template (all its lines) filled with fill. */
static void
fill_text(struct buf *b, const char *t, const json_t *fill, const json_t *globals,
    enum fill_lang lang)
{
	if (t != NULL)
		fill_line(b, t, strlen(t), fill, globals, lang, NULL);
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		buf_adds(b, "\n");
}

json_t *
check_globals(const struct check_config *k, const char *account)
{
	json_t *g;

	g = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
	    "min_length", k->password_min_length, "reuse", k->password_reuse_prevention,
	    "max_age", k->password_max_age_days, "root_days", k->root_unused_days,
	    "unused_days", k->credential_unused_days, "rotation_days", k->key_rotation_days,
	    "user_max_age", k->user_password_max_age_days);
	if (account != NULL)
		json_object_set_new(g, "account", json_string(account));
	return g;
}

char *
check_title(const struct check_control *r, const json_t *globals)
{
	struct buf b = { 0 };

	fill_line(&b, r->title, strlen(r->title), NULL, globals, FILL_TEXT, NULL);
	return b.p != NULL ? b.p : xstrdup("");
}

/*
 * Console steps are generic (resources as <user>).  CLI commands and the
 * lines of the Python sketch after its set-up are repeated per finding
 * with its resources, leaving out lines about resources a finding does not
 * have.  Without findings, everything is generic.
 */
json_t *
check_remediation(const struct check_control *r, const struct check_out *o, const json_t *globals)
{
	json_t *console = json_array(), *cli = json_array(), *pylines = json_array(), *fill, *rem;
	json_t *seen_console = json_object(), *seen_cli = json_object(), *seen_py = json_object();
	struct buf py = { 0 };
	size_t i;

	fill_lines(console, seen_console, r->console, NULL, globals, FILL_TEXT, 0);
	json_array_foreach(o->fills, i, fill)
		fill_lines(cli, seen_cli, r->cli, fill, globals, FILL_SHELL, 1);
	if (json_array_size(cli) == 0)
		fill_lines(cli, seen_cli, r->cli, NULL, globals, FILL_SHELL, 0);

	fill_text(&py, r->python, NULL, globals, FILL_PYTHON);
	json_array_foreach(o->fills, i, fill)
		fill_lines(pylines, seen_py, r->python_each, fill, globals, FILL_PYTHON, 1);
	if (json_array_size(pylines) == 0)
		fill_lines(pylines, seen_py, r->python_each, NULL, globals, FILL_PYTHON, 0);
	json_array_foreach(pylines, i, fill) {
		buf_adds(&py, json_string_value(fill));
		buf_adds(&py, "\n");
	}
	rem = json_pack("{s:o, s:o, s:s}", "console", console, "cli", cli,
	    "python", py.p ? py.p : "");
	buf_free(&py);
	json_decref(pylines);
	json_decref(seen_console);
	json_decref(seen_cli);
	json_decref(seen_py);
	return rem;
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
sources_of(const struct check_control *r)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < CHECK_SRC__MAX; i++)
		if ((r->needs | r->needs_any) & (1u << i))
			json_array_append_new(a, json_string(check_source_names[i]));
	return a;
}

/* The sources a row needs that are not usable: NULL if grading may go on. */
static char *
unusable(const struct check_ctx *c, const struct check_control *r)
{
	struct buf b = { 0 };
	int i, any = 0, have_any = 0;

	for (i = 0; i < CHECK_SRC__MAX; i++) {
		int usable = c->data[i] != NULL ||
		    (i == CHECK_SRC_PASSWORD_POLICY && c->absent[i]);

		if ((r->needs & (1u << i)) && !usable)
			buf_printf(&b, "%s%s", b.len ? "; " : "", c->why[i]);
		if (r->needs_any & (1u << i)) {
			any = 1;
			have_any |= usable;
		}
	}
	if (any && !have_any)
		for (i = 0; i < CHECK_SRC__MAX; i++)
			if (r->needs_any & (1u << i))
				buf_printf(&b, "%s%s", b.len ? "; " : "", c->why[i]);
	return b.p;
}

/*
 * A control that read a partial source may FAIL on what is there, but
 * what is missing could hold the failure: a PASS or a NOT_APPLICABLE
 * becomes NOT_EVALUATED with the reasons of every partial source it may
 * have read (needs and needs_any alike).
 */
static void
partial_guard(const struct check_ctx *c, const struct check_control *r, struct check_out *o)
{
	struct buf b = { 0 };
	int i;

	if (json_array_size(o->findings) > 0)
		return;
	for (i = 0; i < CHECK_SRC__MAX; i++)
		if (((r->needs | r->needs_any) & (1u << i)) && c->partial[i])
			buf_printf(&b, "%s%s", b.len ? "; " : "", c->why[i]);
	if (b.p == NULL)
		return;
	free(o->reason);
	o->reason = buf_steal(&b);
	o->status = CHECK_NOT_EVALUATED;
}

/* Grade row r: its results control object; *status gets its status. */
static json_t *
grade_one(struct check_ctx *c, const struct check_control *r, const json_t *globals, int *status)
{
	char *title;
	struct check_out o = { -1, NULL, json_array(), json_array(), json_array(), json_array() };
	json_t *ctl, *f;
	struct buf b = { 0 };
	size_t i;
	char *why;

	c->ctl = r;
	if ((why = unusable(c, r)) != NULL) {
		o.status = CHECK_NOT_EVALUATED;
		o.reason = why;
	} else
		r->grade(c, &o);

	if (o.status < 0 || o.status == CHECK_NOT_APPLICABLE)
		partial_guard(c, r, &o);
	if (o.status < 0) {
		if (json_array_size(o.findings) > 0)
			o.status = CHECK_FAIL;
		else if (json_array_size(o.unevaluated) > 0) {
			o.status = CHECK_NOT_EVALUATED;
			json_array_foreach(o.unevaluated, i, f)
				buf_printf(&b, "%s%s: %s", i ? "; " : "",
				    jstr(f, "resource") ? jstr(f, "resource") : "?", jstr(f, "reason"));
			o.reason = buf_steal(&b);
		} else
			o.status = CHECK_PASS;
	}
	if (o.status != CHECK_FAIL) {
		json_array_clear(o.findings);
		json_array_clear(o.fills);
	}
	json_array_foreach(o.findings, i, f)
		if (json_object_get(f, "severity") == NULL)
			json_object_set_new(f, "severity",
			    json_string(check_severity_names[r->severity]));

	ctl = json_object();
	json_object_set_new(ctl, "id", json_string(r->id));
	json_object_set_new(ctl, "family", json_string(check_family_names[r->family]));
	title = check_title(r, globals);
	json_object_set_new(ctl, "title", json_string(title));
	free(title);
	json_object_set_new(ctl, "description", json_string(r->doc));
	json_object_set_new(ctl, "severity", json_string(check_severity_names[r->severity]));
	json_object_set_new(ctl, "cis", str_or_null(r->cis));
	json_object_set_new(ctl, "securityhub", str_or_null(r->securityhub));
	json_object_set_new(ctl, "frameworks", check_frameworks_of(r->id));
	json_object_set_new(ctl, "status", json_string(check_status_names[o.status]));
	json_object_set_new(ctl, "reason", o.status == CHECK_NOT_EVALUATED ||
	    o.status == CHECK_NOT_APPLICABLE ? str_or_null(o.reason) : json_null());
	json_object_set_new(ctl, "sources", sources_of(r));
	json_object_set_new(ctl, "remediation", check_remediation(r, &o, globals));
	json_object_set_new(ctl, "findings", o.findings);
	json_object_set_new(ctl, "unevaluated", o.unevaluated);
	json_object_set_new(ctl, "notes", o.notes);
	json_decref(o.fills);
	free(o.reason);
	*status = o.status;
	return ctl;
}

static json_t *
event_json(const struct check_role *r)
{
	json_t *e = json_object();

	json_object_set_new(e, "event_id", str_or_null(r->event_id));
	json_object_set_new(e, "time", str_or_null(r->time));
	json_object_set_new(e, "role_name", str_or_null(r->name));
	json_object_set_new(e, "role_arn", str_or_null(r->arn));
	json_object_set_new(e, "creator_arn", str_or_null(r->creator_arn));
	json_object_set_new(e, "creator_type", str_or_null(r->creator_type));
	json_object_set_new(e, "source_ip", str_or_null(r->source_ip));
	json_object_set_new(e, "user_agent", str_or_null(r->user_agent));
	json_object_set_new(e, "error_code", str_or_null(r->error_code));
	json_object_set_new(e, "error_message", str_or_null(r->error_message));
	json_object_set_new(e, "trust_policy", r->trust ? check_doc_json(r->trust) : json_null());
	if (r->trust_err != NULL)
		json_object_set_new(e, "trust_policy_error", json_string(r->trust_err));
	json_object_set_new(e, "role_exists", r->exists < 0 ? json_null() : json_boolean(r->exists));
	return e;
}

static json_t *
sources_status(const json_t *snap)
{
	const json_t *srcs = json_object_get(snap, "sources"), *s;
	json_t *out = json_object(), *o;
	int i;

	for (i = 0; i < CHECK_SRC__MAX; i++) {
		s = json_object_get(srcs, check_source_names[i]);
		o = json_object();
		json_object_set_new(o, "status", json_string(s ? jstr(s, "status") : "missing"));
		if (s != NULL && jstr(s, "api_call") != NULL)
			json_object_set_new(o, "api_call", json_string(jstr(s, "api_call")));
		if (s != NULL && json_object_get(s, "error") != NULL)
			json_object_set(o, "error", json_object_get(s, "error"));
		json_object_set_new(out, check_source_names[i], o);
	}
	return out;
}

const char *
check_grade_letter(int score)
{
	return score >= 90 ? "A" : score >= 80 ? "B" : score >= 70 ? "C" :
	    score >= 60 ? "D" : "F";
}

static json_t *
collection_of(const json_t *snap)
{
	const json_t *col = json_object_get(snap, "collection");
	json_t *problems = json_object_get(col, "problems");

	return json_pack("{s:O, s:O, s:O, s:o, s:o, s:o, s:I}",
	    "started", json_object_get(col, "started"),
	    "finished", json_object_get(col, "finished"),
	    "complete", json_object_get(col, "complete"),
	    "problems", problems ? json_incref(problems) : json_array(),
	    "caller_arn", str_or_null(jstr(json_object_get(snap, "caller"), "arn")),
	    "tool_version", str_or_null(jstr(json_object_get(snap, "tool"), "version")),
	    "window_days", (json_int_t)jint(col, "window_days", 30));
}

json_t *
check_account(const json_t *snap, const char *file, const char *sha256,
    const struct check_config *cfg)
{
	struct check_ctx c;
	json_t *acct, *controls, *globals, *events, *ctl, *counts;
	const json_t *account = json_object_get(snap, "account");
	int n[CHECK_STATUS__MAX] = { 0 }, num = 0, den = 0, st, score = -1;
	char *copy = xstrdup(file ? file : "");
	size_t i;

	if (!check_ctx_init(&c, snap, cfg)) {
		free(copy);
		return NULL;
	}
	globals = check_globals(c.cfg, c.account);
	controls = json_array();
	for (i = 0; i < check_ncontrols; i++) {
		const struct check_control *r = &check_controls[i];

		ctl = grade_one(&c, r, globals, &st);
		n[st]++;
		if (st == CHECK_PASS || st == CHECK_FAIL) {
			den += check_severity_weights[r->severity];
			if (st == CHECK_PASS)
				num += check_severity_weights[r->severity];
		}
		json_array_append_new(controls, ctl);
	}
	if (den > 0)
		score = (int)floor(100.0 * num / den + 0.5);

	events = json_array();
	for (i = 0; i < c.nroles; i++)
		json_array_append_new(events, event_json(&c.roles[i]));
	counts = json_object();
	for (st = 0; st < CHECK_STATUS__MAX; st++)
		json_object_set_new(counts, check_status_names[st], json_integer(n[st]));

	acct = json_object();
	json_object_set_new(acct, "account_id", json_string(c.account));
	json_object_set_new(acct, "alias", str_or_null(jstr(account, "alias")));
	json_object_set_new(acct, "name", str_or_null(jstr(account, "name")));
	json_object_set_new(acct, "snapshot", json_pack("{s:s, s:s}",
	    "file", basename(copy), "sha256", sha256 ? sha256 : ""));
	json_object_set_new(acct, "collection", collection_of(snap));
	json_object_set_new(acct, "credential_report_generated", str_or_null(jstr(jpath(snap,
	    "sources.credential_report.data"), "generated_time")));
	json_object_set_new(acct, "score", score < 0 ? json_null() : json_integer(score));
	json_object_set_new(acct, "grade", score < 0 ? json_null() : json_string(check_grade_letter(score)));
	json_object_set_new(acct, "coverage", json_pack("{s:i, s:i}", "evaluated",
	    n[CHECK_PASS] + n[CHECK_FAIL] + n[CHECK_NOT_APPLICABLE], "total", (int)check_ncontrols));
	json_object_set_new(acct, "counts", counts);
	json_object_set_new(acct, "sources", sources_status(snap));
	json_object_set_new(acct, "controls", controls);
	json_object_set_new(acct, "create_role_events", events);
	json_object_set_new(acct, "privileged_access", check_priv_access(&c));
	json_object_set_new(acct, "least_privilege", check_lp_summary(&c));

	json_decref(globals);
	check_ctx_free(&c);
	free(copy);
	return acct;
}

json_t *
check_account_missing(const char *account_id, const char *name, const char *file,
    time_t started, const char *code, const char *reason, const struct check_config *cfg)
{
	json_t *snap, *sources, *acct;
	char t[21];
	int i;

	sources = json_object();
	for (i = 0; i < CHECK_SRC__MAX; i++)
		json_object_set_new(sources, check_source_names[i], json_pack(
		    "{s:s, s:{s:s, s:s, s:i}}", "status", "error", "error", "code", code,
		    "message", reason, "http_status", 0));
	time_fmt(started, t);
	snap = json_pack("{s:s, s:{s:s, s:n, s:s?}, s:{s:s, s:s, s:b, s:[s], s:i}, s:o}",
	    "schema", SNAP_SCHEMA,
	    "account", "id", account_id, "alias", "name", name,
	    "collection", "started", t, "finished", t, "complete", 0,
	    "problems", reason, "window_days", 30,
	    "sources", sources);
	acct = check_account(snap, file, NULL, cfg);
	json_decref(snap);
	return acct;
}

static int
account_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int d;

	if ((d = strcmp(jstr(x, "account_id"), jstr(y, "account_id"))) != 0)
		return d;
	if ((d = strcmp(jstr(jpath(x, "snapshot"), "file"), jstr(jpath(y, "snapshot"), "file"))) != 0)
		return d;
	if ((d = strcmp(jstr(jpath(x, "collection"), "started"),
	    jstr(jpath(y, "collection"), "started"))) != 0)
		return d;
	return strcmp(jstr(jpath(x, "snapshot"), "sha256"), jstr(jpath(y, "snapshot"), "sha256"));
}

json_t *
check_results(json_t *accounts, const struct check_config *cfg)
{
	json_t *doc, *fams, *sorted, **v;
	const char *latest = NULL, *fin;
	size_t i, n = json_array_size(accounts);

	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i] = json_array_get(accounts, i);
		fin = jstr(jpath(v[i], "collection"), "finished");
		/* ISO 8601 UTC with Z sorts as text only when written alike: compare times. */
		if (fin != NULL) {
			time_t a, b;

			if (latest == NULL || (time_parse(fin, &a) && time_parse(latest, &b) && a > b))
				latest = fin;
		}
	}
	qsort(v, n, sizeof(*v), account_cmp);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);

	fams = json_array();
	for (i = 0; i < CHECK_FAM__MAX; i++)
		json_array_append_new(fams, json_pack("{s:s, s:s}", "id", check_family_names[i],
		    "title", check_family_titles[i]));
	doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o}",
	    "schema", SCHEMA_RESULTS,
	    "tool", "name", "iamgrade", "version", IAMGRADE_VERSION,
	    "generated_at", str_or_null(latest),
	    "thresholds", check_config_json(cfg),
	    "families", fams,
	    "accounts", sorted);
	json_decref(accounts);
	/* Accepted risks last: the score without them is what grading gave. */
	if (cfg->exceptions != NULL)
		check_exceptions_apply(doc, cfg->exceptions);
	return doc;
}

/* The shard a results document says it is: 1 with *k, *n; 0 when it is none; -1 when malformed. */
static int
check_shard_of(const json_t *doc, json_int_t *k, json_int_t *n)
{
	const json_t *sh = json_object_get(doc, "shard");

	if (sh == NULL)
		return 0;
	*k = jint(sh, "k", 0);
	*n = jint(sh, "n", 0);
	return json_is_object(sh) && *n >= 1 && *k >= 1 && *k <= *n ? 1 : -1;
}

json_t *
check_results_join(json_t *const *docs, const char *const *names, size_t n, char **err)
{
	json_t *accounts = json_array(), *seen = json_object(), *a, *out = NULL;
	const char **holder = NULL, *id, *prev;
	json_int_t k, of = 0, k0, n0;
	struct buf missing = { 0 };
	size_t i, j, sharded = 0;
	int st;

	for (i = 0; i < n; i++) {
		if ((st = check_shard_of(docs[i], &k, &n0)) < 0) {
			err_set(err, "%s: \"shard\" is not {\"k\": K, \"n\": N} with 1 <= K <= N", names[i]);
			goto out;
		}
		sharded += (size_t)st;
	}
	if (sharded > 0) {
		for (i = 0; i < n; i++)
			if (check_shard_of(docs[i], &k, &n0) == 0) {
				err_set(err, "%s is not a shard of a run, but %s is: join the shards "
				    "of one run only", names[i], names[i == 0 ? 1 : 0]);
				goto out;
			}
		check_shard_of(docs[0], &k0, &of);
		holder = xcalloc((size_t)of + 1, sizeof(*holder));
		for (i = 0; i < n; i++) {
			check_shard_of(docs[i], &k, &n0);
			if (n0 != of) {
				err_set(err, "%s is shard %lld/%lld but %s is shard %lld/%lld: "
				    "shards of different runs", names[i], (long long)k, (long long)n0,
				    names[0], (long long)k0, (long long)of);
				goto out;
			}
			if (holder[k] != NULL) {
				err_set(err, "%s and %s are both shard %lld/%lld (overlapping shards)",
				    holder[k], names[i], (long long)k, (long long)of);
				goto out;
			}
			holder[k] = names[i];
		}
		for (k = 1; k <= of; k++)
			if (holder[k] == NULL)
				buf_printf(&missing, "%s%lld/%lld", missing.len ? ", " : "",
				    (long long)k, (long long)of);
		if (missing.len > 0) {
			err_set(err, "missing shard%s %s: the joined results would leave "
			    "their accounts out", strchr(missing.p, ',') ? "s" : "", missing.p);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		json_array_foreach(json_object_get(docs[i], "accounts"), j, a) {
			if ((id = jstr(a, "account_id")) != NULL &&
			    (prev = json_string_value(json_object_get(seen, id))) != NULL) {
				err_set(err, "account %s is in both %s and %s (overlapping results)",
				    id, prev, names[i]);
				goto out;
			}
			if (id != NULL)
				json_object_set_new(seen, id, json_string(names[i]));
			json_array_append(accounts, a);
		}
	out = accounts;
	accounts = NULL;
out:
	json_decref(accounts);
	json_decref(seen);
	buf_free(&missing);
	free(holder);
	return out;
}

/* The most severe finding of a failed control (the control's when it has none). */
static int
failed_rank(const json_t *ctl)
{
	const json_t *f;
	size_t i;
	int r, max = 0;

	if (jstr(ctl, "status") == NULL || strcmp(jstr(ctl, "status"), "FAIL") != 0)
		return 0;
	json_array_foreach(json_object_get(ctl, "findings"), i, f)
		if ((r = check_severity_rank(jstr(f, "severity"))) > max)
			max = r;
	return max ? max : check_severity_rank(jstr(ctl, "severity"));
}

int
check_results_fail(const json_t *results, int rank)
{
	const json_t *a, *c;
	size_t i, k;

	if (rank == 0)
		return 0;
	json_array_foreach(json_object_get(results, "accounts"), i, a)
		json_array_foreach(json_object_get(a, "controls"), k, c)
			if (failed_rank(c) >= rank)
				return 1;
	return 0;
}
