/*
 * Parsing and validating IAM policy documents into the compiled form of
 * policy.h, refusing what AWS refuses (the IAM JSON policy grammar and the
 * per-kind rules of identity, resource, trust, boundary, SCP and RCP
 * documents).
 */
#include <stdarg.h>
#include <string.h>

#include "common/common.h"
#include "policy/policy.h"

const char *const pol_kind_names[POL_NKINDS] = {
	"identity", "resource", "trust", "boundary", "SCP", "RCP",
};

const char *const pol_ptype_names[POL_P_NTYPES] = {
	"AWS", "Service", "Federated", "CanonicalUser",
};

const char *const pol_op_names[POL_NOPS] = {
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
	"StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
	"DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals",
	"IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
	"ArnNotLike", "Null",
};

const char *const pol_decision_names[3] = {
	"allowed", "explicit_deny", "implicit_deny",
};

/* Where a fault is: the document, then the statement when there is one. */
struct where {
	const char	*name;
	const json_t	*st;
	size_t		 index;
	int		 vars;		/* Version 2012-10-17 */
};

static int
fault(char **err, const struct where *w, const char *fmt, ...)
{
	va_list ap;
	char *msg, *at;
	const char *sid;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (w->st == NULL)
		at = xstrdup("");
	else if ((sid = jstr(w->st, "Sid")) != NULL)
		at = xasprintf("statement %zu (Sid \"%s\"): ", w->index + 1, sid);
	else
		at = xasprintf("statement %zu: ", w->index + 1);
	err_set(err, "%s%s%s%s", w->name ? w->name : "", w->name ? ": " : "", at, msg);
	free(at);
	free(msg);
	return 0;
}

int
pol_op_parse(const char *name, enum pol_op *op, enum pol_setq *setq, int *if_exists)
{
	static const struct { const char *p; enum pol_setq q; } quals[] = {
		{ "ForAllValues:", POL_SET_ALL }, { "ForAnyValue:", POL_SET_ANY },
	};
	size_t i, n;

	*setq = POL_SET_NONE;
	*if_exists = 0;
	for (i = 0; i < sizeof(quals) / sizeof(quals[0]); i++)
		if (strncmp(name, quals[i].p, strlen(quals[i].p)) == 0) {
			*setq = quals[i].q;
			name += strlen(quals[i].p);
			break;
		}
	n = strlen(name);
	if (n > 8 && strcmp(name + n - 8, "IfExists") == 0) {
		*if_exists = 1;
		n -= 8;
	}
	for (i = 0; i < POL_NOPS; i++)
		if (strlen(pol_op_names[i]) == n && strncmp(pol_op_names[i], name, n) == 0)
			break;
	/* AWS has no NullIfExists: the operator is about existence itself. */
	if (i == POL_NOPS || (i == POL_OP_NULL && *if_exists))
		return 0;
	*op = (enum pol_op)i;
	return 1;
}

/* A string or a non-empty array of strings into out (copied). */
static int
strs_from(const json_t *v, struct pol_strs *out, const char *elem, int allow_empty,
    const struct where *w, char **err)
{
	const json_t *e;
	size_t i;

	if (json_is_string(v)) {
		out->v = xcalloc(1, sizeof(char *));
		out->v[0] = xstrdup(json_string_value(v));
		out->n = 1;
		return 1;
	}
	if (!json_is_array(v))
		return fault(err, w, "%s must be a string or an array of strings", elem);
	if (json_array_size(v) == 0 && !allow_empty)
		return fault(err, w, "%s is an empty array", elem);
	out->v = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return fault(err, w, "%s item %zu is not a string", elem, i + 1);
		out->v[out->n++] = xstrdup(json_string_value(e));
	}
	return 1;
}

void
pol_strs_free(struct pol_strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
parse_principal(const json_t *v, struct pol_principal *p, const char *elem,
    const struct where *w, char **err)
{
	const char *k;
	const json_t *e;
	size_t i;
	int t;

	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "*") != 0)
			return fault(err, w, "%s must be \"*\" or an object of principal types, not \"%s\"",
			    elem, json_string_value(v));
		p->any = 1;
		return 1;
	}
	if (!json_is_object(v) || json_object_size(v) == 0)
		return fault(err, w, "%s must be \"*\" or a non-empty object of principal types", elem);
	json_object_foreach((json_t *)v, k, e) {
		for (t = 0; t < POL_P_NTYPES; t++)
			if (strcmp(k, pol_ptype_names[t]) == 0)
				break;
		if (t == POL_P_NTYPES)
			return fault(err, w, "%s has an unknown principal type \"%s\"", elem, k);
		if (!strs_from(e, &p->by[t], k, 0, w, err))
			return 0;
		/*
		 * AWS allows no wildcard inside a principal: "*" alone, or a
		 * whole account id, ARN or unique id (IAM shows a deleted
		 * role's principal as its AROA... id; that matches no caller).
		 */
		for (i = 0; t == POL_P_AWS && i < p->by[t].n; i++)
			if (strcmp(p->by[t].v[i], "*") != 0 && strpbrk(p->by[t].v[i], "*?") != NULL)
				return fault(err, w, "%s AWS \"%s\" has a wildcard; only \"*\" alone may",
				    elem, p->by[t].v[i]);
	}
	return 1;
}

/* The text AWS compares for a condition value: strings as they are, numbers and booleans as written. */
static char *
cond_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	if (json_is_real(v))
		return json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	return NULL;
}

static int
parse_conditions(const json_t *v, struct pol_stmt *s, const struct where *w, char **err)
{
	const char *opname, *key;
	const json_t *keys, *vals, *e;
	struct pol_cond *c;
	size_t n = 0, i;

	if (!json_is_object(v))
		return fault(err, w, "Condition must be an object");
	json_object_foreach((json_t *)v, opname, keys) {
		if (!json_is_object(keys))
			return fault(err, w, "Condition operator %s must map to an object of keys", opname);
		n += json_object_size(keys);
	}
	s->cond = xcalloc(n + 1, sizeof(*s->cond));
	json_object_foreach((json_t *)v, opname, keys) {
		enum pol_op op;
		enum pol_setq q;
		int ife;

		if (!pol_op_parse(opname, &op, &q, &ife))
			return fault(err, w, "unknown condition operator \"%s\"", opname);
		if (json_object_size(keys) == 0)
			return fault(err, w, "Condition operator %s has no keys", opname);
		json_object_foreach((json_t *)keys, key, vals) {
			c = &s->cond[s->ncond++];
			c->op = op;
			c->setq = q;
			c->if_exists = ife;
			c->opname = xstrdup(opname);
			c->key = xstrdup(key);
			if (*key == '\0')
				return fault(err, w, "Condition %s has an empty key", opname);
			if (json_is_array(vals)) {
				c->values.v = xcalloc(json_array_size(vals) + 1, sizeof(char *));
				json_array_foreach(vals, i, e) {
					if ((c->values.v[c->values.n] = cond_text(e)) == NULL)
						return fault(err, w, "Condition %s \"%s\" item %zu must be a string, number or boolean",
						    opname, key, i + 1);
					c->values.n++;
				}
			} else {
				c->values.v = xcalloc(2, sizeof(char *));
				if ((c->values.v[0] = cond_text(vals)) == NULL)
					return fault(err, w, "Condition %s \"%s\" must be a string, number, boolean or an array of them",
					    opname, key);
				c->values.n = 1;
			}
		}
	}
	return 1;
}

static int
valid_action(const char *a)
{
	const char *colon = strchr(a, ':');

	return strcmp(a, "*") == 0 || (colon != NULL && colon != a);
}

static int
valid_resource(const char *r)
{
	return strcmp(r, "*") == 0 || strncmp(r, "arn:", 4) == 0;
}

/*
 * An element that comes as a pair (Action / NotAction, Resource /
 * NotResource): at most one of them, a string or a non-empty array of
 * strings each of which valid() accepts.
 */
static int
patterns(const json_t *j, const char *pos, const char *neg, int (*valid)(const char *),
    const char *want, int *not, struct pol_strs *out, int *present, const struct where *w,
    char **err)
{
	const json_t *p = json_object_get(j, pos), *n = json_object_get(j, neg);
	const char *elem = p ? pos : neg;
	size_t i;

	*present = p != NULL || n != NULL;
	if (p != NULL && n != NULL)
		return fault(err, w, "has both %s and %s", pos, neg);
	if (!*present)
		return 1;
	*not = n != NULL;
	if (!strs_from(p ? p : n, out, elem, 0, w, err))
		return 0;
	for (i = 0; i < out->n; i++)
		if (!valid(out->v[i]))
			return fault(err, w, "%s \"%s\" is neither %s", elem, out->v[i], want);
	return 1;
}

static int
parse_stmt(const json_t *j, enum pol_kind kind, struct pol_stmt *s, const struct where *w, char **err)
{
	static const char *const known[] = {
		"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
		"Resource", "NotResource", "Condition", NULL,
	};
	const json_t *v, *pr, *npr;
	const char *k, *eff;
	size_t i;
	int principal_required, principal_allowed, present;

	if (!json_is_object(j))
		return fault(err, w, "is not an object");
	json_object_foreach((json_t *)j, k, v) {
		for (i = 0; known[i] != NULL && strcmp(known[i], k) != 0; i++)
			;
		if (known[i] == NULL)
			return fault(err, w, "unknown element \"%s\"", k);
	}
	if ((v = json_object_get(j, "Sid")) != NULL) {
		if (!json_is_string(v))
			return fault(err, w, "Sid must be a string");
		s->sid = xstrdup(json_string_value(v));
	}
	if ((eff = jstr(j, "Effect")) == NULL)
		return fault(err, w, "Effect is missing or not a string");
	if (strcmp(eff, "Allow") == 0)
		s->effect = POL_ALLOW;
	else if (strcmp(eff, "Deny") == 0)
		s->effect = POL_DENY;
	else
		return fault(err, w, "Effect must be \"Allow\" or \"Deny\", not \"%s\"", eff);

	if (!patterns(j, "Action", "NotAction", valid_action, "\"*\" nor \"service:action\"",
	    &s->not_action, &s->action, &present, w, err))
		return 0;
	if (!present)
		return fault(err, w, "has neither Action nor NotAction");
	if (!patterns(j, "Resource", "NotResource", valid_resource, "\"*\" nor an ARN",
	    &s->not_resource, &s->resource, &s->has_resource, w, err))
		return 0;
	if (!s->has_resource && kind != POL_TRUST && kind != POL_RESOURCE)
		return fault(err, w, "has neither Resource nor NotResource (a %s policy needs one)",
		    pol_kind_names[kind]);
	if (s->has_resource && kind == POL_TRUST)
		return fault(err, w, "has %s, which a trust policy may not have",
		    s->not_resource ? "NotResource" : "Resource");

	pr = json_object_get(j, "Principal");
	npr = json_object_get(j, "NotPrincipal");
	principal_allowed = kind == POL_RESOURCE || kind == POL_TRUST || kind == POL_RCP;
	principal_required = principal_allowed;
	if (pr != NULL && npr != NULL)
		return fault(err, w, "has both Principal and NotPrincipal");
	if ((pr != NULL || npr != NULL) && !principal_allowed)
		return fault(err, w, "has %s, which a%s %s policy may not have",
		    pr ? "Principal" : "NotPrincipal", kind == POL_IDENTITY ? "n" : "", pol_kind_names[kind]);
	if (pr == NULL && npr == NULL && principal_required)
		return fault(err, w, "has neither Principal nor NotPrincipal (a %s policy needs one)",
		    pol_kind_names[kind]);
	if (pr != NULL || npr != NULL) {
		s->has_principal = 1;
		s->not_principal = npr != NULL;
		if (!parse_principal(pr ? pr : npr, &s->principal, pr ? "Principal" : "NotPrincipal", w, err))
			return 0;
	}

	s->vars = w->vars;
	/* AWS's RCP grammar: every principal ("*"), no NotPrincipal, no NotAction, no Action "*". */
	if (kind == POL_RCP) {
		if (s->not_principal || !s->principal.any)
			return fault(err, w, "an RCP statement needs Principal \"*\"");
		if (s->not_action)
			return fault(err, w, "NotAction is not allowed in an RCP");
		for (i = 0; i < s->action.n; i++)
			if (strcmp(s->action.v[i], "*") == 0)
				return fault(err, w, "Action \"*\" is not allowed in an RCP");
	}
	if ((v = json_object_get(j, "Condition")) != NULL && !parse_conditions(v, s, w, err))
		return 0;
	return 1;
}

/* JSON text, a JSON string holding JSON text, or URL-encoded JSON text. */
static json_t *
load_text(const char *text, const char *name, char **err)
{
	json_error_t je;
	json_t *v = NULL, *inner;
	char *dec = NULL;
	int depth;

	for (depth = 0; depth < 3; depth++) {
		if ((v = json_loads(text, JSON_DECODE_ANY, &je)) == NULL && dec == NULL &&
		    strchr(text, '%') != NULL) {
			/* IAM's API returns documents URL-encoded; CloudTrail as plain text. */
			text = dec = url_decode(text);
			v = json_loads(text, JSON_DECODE_ANY, &je);
		}
		if (v == NULL) {
			err_set(err, "%s%sdoes not parse as JSON (line %d, column %d: %s)",
			    name ? name : "", name ? ": " : "", je.line, je.column, je.text);
			break;
		}
		if (!json_is_string(v))
			break;
		inner = v;
		v = NULL;
		free(dec);
		text = dec = xstrdup(json_string_value(inner));
		json_decref(inner);
	}
	free(dec);
	return v;
}

struct pol_doc *
pol_parse_text(const char *text, enum pol_kind kind, const char *name, char **err)
{
	json_t *v;
	struct pol_doc *d;

	if ((v = load_text(text, name, err)) == NULL)
		return NULL;
	d = pol_parse(v, kind, name, err);
	json_decref(v);
	return d;
}

struct pol_doc *
pol_parse(const json_t *j, enum pol_kind kind, const char *name, char **err)
{
	struct pol_doc *d = NULL, *out = NULL;
	struct where w = { name, NULL, 0, 0 };
	const json_t *v, *sts;
	const char *k;
	size_t i, k2;

	if (json_is_string(j))
		return pol_parse_text(json_string_value(j), kind, name, err);
	if (!json_is_object(j)) {
		fault(err, &w, "is %s, not a policy document", j == NULL ? "missing" : "not a JSON object");
		goto out;
	}
	d = xcalloc(1, sizeof(*d));
	d->kind = kind;
	d->name = xstrdup(name);
	json_object_foreach((json_t *)j, k, v)
		if (strcmp(k, "Version") != 0 && strcmp(k, "Id") != 0 && strcmp(k, "Statement") != 0) {
			fault(err, &w, "unknown top-level element \"%s\"", k);
			goto out;
		}
	if ((v = json_object_get(j, "Version")) != NULL) {
		if (!json_is_string(v) || (strcmp(json_string_value(v), "2012-10-17") != 0 &&
		    strcmp(json_string_value(v), "2008-10-17") != 0)) {
			fault(err, &w, "Version must be \"2012-10-17\" or \"2008-10-17\"");
			goto out;
		}
		d->version = xstrdup(json_string_value(v));
		w.vars = strcmp(d->version, "2012-10-17") == 0;
	}
	if ((v = json_object_get(j, "Id")) != NULL) {
		if (!json_is_string(v)) {
			fault(err, &w, "Id must be a string");
			goto out;
		}
		d->id = xstrdup(json_string_value(v));
	}
	sts = json_object_get(j, "Statement");
	if (json_is_object(sts)) {
		d->st = xcalloc(1, sizeof(*d->st));
		d->nst = 1;
		w.st = sts;
		if (!parse_stmt(sts, kind, &d->st[0], &w, err))
			goto out;
	} else if (json_is_array(sts)) {
		d->st = xcalloc(json_array_size(sts) + 1, sizeof(*d->st));
		json_array_foreach(sts, i, v) {
			w.st = json_is_object(v) ? v : NULL;
			w.index = i;
			d->st[i].index = i;
			d->nst = i + 1;
			if (w.st == NULL) {
				err_set(err, "%s%sstatement %zu is not an object", name ? name : "",
				    name ? ": " : "", i + 1);
				goto out;
			}
			if (!parse_stmt(v, kind, &d->st[i], &w, err))
				goto out;
			/*
			 * IAM refuses a policy whose Sids repeat (an empty Sid, as
			 * old consoles wrote, is none).  Other services' rules
			 * differ, so only identity policies and boundaries.
			 */
			for (k2 = 0; (kind == POL_IDENTITY || kind == POL_BOUNDARY) && d->st[i].sid != NULL &&
			    *d->st[i].sid != '\0' && k2 < i; k2++)
				if (d->st[k2].sid != NULL && strcmp(d->st[k2].sid, d->st[i].sid) == 0) {
					fault(err, &w, "Sid \"%s\" is also statement %zu's", d->st[i].sid, k2 + 1);
					goto out;
				}
		}
	} else {
		fault(err, &w, sts == NULL ? "has no Statement" : "Statement must be an object or an array of objects");
		goto out;
	}
	out = d;
	d = NULL;
out:
	pol_free(d);
	return out;
}

void
pol_free(struct pol_doc *d)
{
	size_t i, j;
	int t;

	if (d == NULL)
		return;
	for (i = 0; i < d->nst; i++) {
		struct pol_stmt *s = &d->st[i];

		free((char *)s->sid);
		for (t = 0; t < POL_P_NTYPES; t++)
			pol_strs_free(&s->principal.by[t]);
		pol_strs_free(&s->action);
		pol_strs_free(&s->resource);
		for (j = 0; j < s->ncond; j++) {
			free((char *)s->cond[j].opname);
			free((char *)s->cond[j].key);
			pol_strs_free(&s->cond[j].values);
		}
		free(s->cond);
	}
	free(d->st);
	free((char *)d->name);
	free((char *)d->version);
	free((char *)d->id);
	free(d);
}

char *
pol_stmt_label(const struct pol_stmt *s)
{
	if (s->sid != NULL && *s->sid != '\0')
		return xasprintf("Sid \"%s\"", s->sid);
	return xasprintf("statement %zu", s->index + 1);
}
