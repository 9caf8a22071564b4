/* The IAM policy analyser: statements, wildcards and conditions (see policy.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "checks/policy.h"
#include "policy/glob.h"

/* Parse JSON text; a JSON string holding JSON text is unwrapped once more. */
static json_t *
parse_text(const char *s, int depth, char **err)
{
	json_error_t je;
	json_t *v, *inner;

	if ((v = json_loads(s, JSON_DECODE_ANY, &je)) == NULL) {
		err_set(err, "does not parse as JSON (line %d, column %d: %s)",
		    je.line, je.column, je.text);
		return NULL;
	}
	if (json_is_string(v) && depth < 2) {
		inner = parse_text(json_string_value(v), depth + 1, err);
		json_decref(v);
		return inner;
	}
	return v;
}

static json_t *
parse_string(const char *s, char **err)
{
	json_t *v;
	char *dec, *first = NULL;

	/* IAM sends documents URL-encoded; CloudTrail sends them as plain text. */
	if ((v = parse_text(s, 0, &first)) == NULL && strchr(s, '%') != NULL) {
		dec = url_decode(s);
		v = parse_text(dec, 0, err);
		free(dec);
	} else if (v == NULL)
		err_set(err, "%s", first);
	free(first);
	return v;
}

json_t *
cpol_parse(const json_t *doc, char **err)
{
	json_t *v = NULL, *out = NULL, *st, *list;
	const char *eff;
	size_t i;

	if (json_is_string(doc))
		v = parse_string(json_string_value(doc), err);
	else if (json_is_object(doc))
		v = json_incref((json_t *)doc);
	else {
		err_set(err, "is %s, not a policy document",
		    doc == NULL ? "missing" : "neither an object nor text");
		goto out;
	}
	if (v == NULL)
		goto out;
	if (!json_is_object(v)) {
		err_set(err, "is not a JSON object");
		goto out;
	}
	st = json_object_get(v, "Statement");
	if (json_is_object(st)) {
		list = json_array();
		json_array_append(list, st);
	} else if (json_is_array(st))
		list = json_incref(st);
	else {
		err_set(err, "has no Statement");
		goto out;
	}
	json_array_foreach(list, i, st) {
		if (!json_is_object(st)) {
			err_set(err, "statement %zu is not an object", i + 1);
			json_decref(list);
			goto out;
		}
		eff = jstr(st, "Effect");
		if (eff == NULL || (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0)) {
			err_set(err, "statement %zu: Effect is not Allow or Deny", i + 1);
			json_decref(list);
			goto out;
		}
	}
	out = json_copy(v);
	json_object_set_new(out, "Statement", list);
out:
	json_decref(v);
	return out;
}

int
cpol_glob(const char *p, const char *s)
{
	return pol_glob(p, s, POL_GLOB_FOLD);
}

/*
 * Does pattern p match every "svc:X" (every "S:X" when svc is NULL)?
 * A character z that p does not contain can only be matched by '?' or
 * '*', so p matches "svc:" + z^k exactly when it matches "svc:" + w for
 * every w of length k; beyond k = len(p) + 1 some '*' absorbs the extra
 * characters, so checking k = 1 .. len(p) + 1 decides it.  Patterns longer
 * than 64 characters are not considered to cover a whole service.
 */
static int
glob_covers(const char *p, const char *svc)
{
	char subj[64 * 2 + 72], z = 1;
	size_t m = strlen(p), a, b, n;

	if (m > 64 || (svc && strlen(svc) > 64))
		return 0;
	while (z < 32 && strchr(p, z) != NULL)
		z++;
	for (a = 1; a <= (svc ? 1 : m + 1); a++)
		for (b = 1; b <= m + 1; b++) {
			if (svc) {
				n = strlen(svc);
				memcpy(subj, svc, n);
			} else {
				memset(subj, z, a);
				n = a;
			}
			subj[n++] = ':';
			memset(subj + n, z, b);
			subj[n + b] = '\0';
			if (!cpol_glob(p, subj))
				return 0;
		}
	return 1;
}

size_t
cpol_nvalues(const json_t *v)
{
	if (json_is_array(v))
		return json_array_size(v);
	return v != NULL && !json_is_null(v);
}

const char *
cpol_value(const json_t *v, size_t i)
{
	if (json_is_array(v))
		return json_string_value(json_array_get(v, i));
	return i == 0 ? json_string_value(v) : NULL;
}

int
cpol_is_allow(const json_t *st)
{
	const char *e = jstr(st, "Effect");

	return e != NULL && strcmp(e, "Allow") == 0;
}

int
cpol_is_deny(const json_t *st)
{
	const char *e = jstr(st, "Effect");

	return e != NULL && strcmp(e, "Deny") == 0;
}

static int
any_glob(const json_t *patterns, const char *s)
{
	size_t i, n = cpol_nvalues(patterns);
	const char *p;

	for (i = 0; i < n; i++)
		if ((p = cpol_value(patterns, i)) != NULL && cpol_glob(p, s))
			return 1;
	return 0;
}

int
cpol_grants_action(const json_t *st, const char *action)
{
	const json_t *na = json_object_get(st, "NotAction");

	if (na != NULL)
		return !any_glob(na, action);
	return any_glob(json_object_get(st, "Action"), action);
}

int
cpol_grants_all(const json_t *st, const char *svc)
{
	const json_t *acts = json_object_get(st, "Action");
	const char *p;
	size_t i, n;

	if (json_object_get(st, "NotAction") != NULL)
		return 1;
	n = cpol_nvalues(acts);
	for (i = 0; i < n; i++)
		if ((p = cpol_value(acts, i)) != NULL && glob_covers(p, svc))
			return 1;
	return 0;
}

static int
all_stars(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	while (*s == '*')
		s++;
	return *s == '\0';
}

static int
any_all_stars(const json_t *v)
{
	size_t i, n = cpol_nvalues(v);

	for (i = 0; i < n; i++)
		if (all_stars(cpol_value(v, i)))
			return 1;
	return 0;
}

int
cpol_on_all_resources(const json_t *st)
{
	if (json_object_get(st, "NotResource") != NULL)
		return 1;
	return any_all_stars(json_object_get(st, "Resource"));
}

/* Same strings, in any order and case. */
static int
same_values(const json_t *a, const json_t *b)
{
	size_t i, j, na = cpol_nvalues(a), nb = cpol_nvalues(b);
	const char *x, *y;
	int found;

	if (na == 0 || nb == 0)
		return na == nb;
	for (i = 0; i < na; i++) {
		if ((x = cpol_value(a, i)) == NULL)
			return 0;
		for (found = 0, j = 0; j < nb && !found; j++)
			found = (y = cpol_value(b, j)) != NULL && strcasecmp(x, y) == 0;
		if (!found)
			return 0;
	}
	for (j = 0; j < nb; j++) {
		if ((y = cpol_value(b, j)) == NULL)
			return 0;
		for (found = 0, i = 0; i < na && !found; i++)
			found = strcasecmp(cpol_value(a, i), y) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

static int
deny_covers_actions(const json_t *d, const json_t *st)
{
	const json_t *da = json_object_get(d, "Action");
	const json_t *dna = json_object_get(d, "NotAction");
	const char *p;
	size_t i, n;

	if (dna != NULL)
		return json_object_get(st, "NotAction") != NULL &&
		    same_values(dna, json_object_get(st, "NotAction"));
	n = cpol_nvalues(da);
	for (i = 0; i < n; i++)
		if ((p = cpol_value(da, i)) != NULL && glob_covers(p, NULL))
			return 1;
	return json_object_get(st, "Action") != NULL &&
	    same_values(da, json_object_get(st, "Action"));
}

static int
deny_covers_resources(const json_t *d, const json_t *st)
{
	const json_t *dr = json_object_get(d, "Resource");

	if (json_object_get(d, "NotResource") != NULL)
		return 0;
	if (dr == NULL)		/* trust policies name no resource */
		return json_object_get(st, "Resource") == NULL &&
		    json_object_get(st, "NotResource") == NULL;
	if (any_all_stars(dr))
		return 1;
	return json_object_get(st, "Resource") != NULL &&
	    same_values(dr, json_object_get(st, "Resource"));
}

static int
deny_covers_principals(const json_t *d, const json_t *st)
{
	const json_t *dp = json_object_get(d, "Principal");
	const json_t *sp = json_object_get(st, "Principal");

	if (json_object_get(d, "NotPrincipal") != NULL)
		return 0;
	if (sp == NULL && json_object_get(st, "NotPrincipal") == NULL)
		return dp == NULL;
	if (dp == NULL)
		return 0;
	if (json_is_string(dp) && strcmp(json_string_value(dp), "*") == 0)
		return 1;
	if (json_is_object(dp) && json_object_size(dp) == 1 &&
	    all_stars(cpol_value(json_object_get(dp, "AWS"), 0)))
		return 1;
	return sp != NULL && json_equal((json_t *)dp, (json_t *)sp);
}

int
cpol_cancelled(const json_t *doc, const json_t *st)
{
	const json_t *list = json_object_get(doc, "Statement"), *d;
	size_t i;

	json_array_foreach(list, i, d) {
		if (!cpol_is_deny(d) || json_object_get(d, "Condition") != NULL)
			continue;
		if (deny_covers_actions(d, st) && deny_covers_resources(d, st) &&
		    deny_covers_principals(d, st))
			return 1;
	}
	return 0;
}

char *
cpol_denies_text(const json_t *doc)
{
	const json_t *list = json_object_get(doc, "Statement"), *d;
	json_t *denies = json_array();
	char *s = NULL;
	size_t i;

	json_array_foreach(list, i, d)
		if (cpol_is_deny(d))
			json_array_append(denies, (json_t *)d);
	if (json_array_size(denies) > 0)
		s = jdump(denies, 0);
	json_decref(denies);
	return s;
}

const json_t *
cpol_principals(const json_t *st, const char *type)
{
	const json_t *p = json_object_get(st, "Principal"), *v;
	const char *k;

	if (!json_is_object(p))
		return NULL;
	json_object_foreach((json_t *)p, k, v)
		if (strcasecmp(k, type) == 0)
			return v;
	return NULL;
}

int
cpol_principal_any(const json_t *st)
{
	const json_t *p = json_object_get(st, "Principal"), *aws;
	const char *s;
	size_t i, n;

	if (json_object_get(st, "NotPrincipal") != NULL)
		return 1;
	if (json_is_string(p))
		return strchr(json_string_value(p), '*') != NULL;
	aws = cpol_principals(st, "AWS");
	n = cpol_nvalues(aws);
	for (i = 0; i < n; i++)
		if ((s = cpol_value(aws, i)) != NULL && strpbrk(s, "*?") != NULL)
			return 1;
	return 0;
}

int
cpol_op_positive(const char *op)
{
	size_t n;

	if (op == NULL || strncasecmp(op, "ForAllValues:", 13) == 0)
		return 0;
	if (strncasecmp(op, "ForAnyValue:", 12) == 0)
		op += 12;
	n = strlen(op);
	if (n >= 8 && strcasecmp(op + n - 8, "IfExists") == 0)
		return 0;
	if (strcasecmp(op, "Null") == 0 || strcasestr(op, "Not") != NULL)
		return 0;
	return 1;
}

int
cpol_cond_each(const json_t *st,
    int (*fn)(const char *, const char *, const json_t *, void *), void *arg)
{
	const json_t *cond = json_object_get(st, "Condition"), *keys, *vals;
	const char *op, *key;
	int rc;

	if (!json_is_object(cond))
		return 0;
	json_object_foreach((json_t *)cond, op, keys) {
		if (!json_is_object(keys))
			continue;
		json_object_foreach((json_t *)keys, key, vals)
			if ((rc = fn(op, key, vals, arg)) != 0)
				return rc;
	}
	return 0;
}

struct cond_find {
	const char	*key;
	const json_t	*found;
};

static int
find_cb(const char *op, const char *key, const json_t *vals, void *arg)
{
	struct cond_find *f = arg;

	if (!cpol_op_positive(op) || strcasecmp(key, f->key) != 0)
		return 0;
	f->found = vals;
	return 1;
}

const json_t *
cpol_cond_get(const json_t *st, const char *key)
{
	struct cond_find f = { key, NULL };

	cpol_cond_each(st, find_cb, &f);
	return f.found;
}

static int
has_wild(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* Twelve digits ending at ':' or the end of s, copied into acct. */
static int
digits12(const char *s, char acct[13])
{
	int i;

	for (i = 0; i < 12; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[12] != ':' && s[12] != '\0')
		return 0;
	memcpy(acct, s, 12);
	acct[12] = '\0';
	return 1;
}

/* An ARN value names a known account: its account field is 12 plain digits,
 * or it has no account field (an S3 bucket ARN) and no wildcard at all. */
static int
arn_pins(const char *v, char acct[13])
{
	const char *p = v;
	int i;

	acct[0] = '\0';
	if (strncmp(v, "arn:", 4) != 0)
		return 0;
	for (i = 0; i < 4 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL)
		return 0;
	if (*p == ':')
		return !has_wild(v);
	return digits12(p, acct);
}

/* The pinning keys and how their values are judged. */
enum pin_kind { PIN_ID, PIN_PATH, PIN_ARN };
static const struct {
	const char	*key;
	enum pin_kind	 kind;
	int		 account;	/* its values are account ids */
} pin_keys[] = {
	{ "aws:PrincipalOrgID",		PIN_ID,		0 },
	{ "aws:PrincipalOrgPaths",	PIN_PATH,	0 },
	{ "aws:PrincipalAccount",	PIN_ID,		1 },
	{ "aws:PrincipalArn",		PIN_ARN,	0 },
	{ "aws:SourceAccount",		PIN_ID,		1 },
	{ "aws:SourceArn",		PIN_ARN,	0 },
	{ "aws:SourceOrgID",		PIN_ID,		0 },
};

struct pin_state {
	const char *const	*only;		/* restrict to these keys, or NULL */
	json_t			*accounts;
	int			 pinned;
};

static int
value_pins(enum pin_kind kind, const char *v, char acct[13])
{
	const char *slash;

	acct[0] = '\0';
	if (v == NULL || *v == '\0')
		return 0;
	switch (kind) {
	case PIN_ID:
		return !has_wild(v);
	case PIN_PATH:
		/* "o-abc/r-ab12/ou-..." : the organization must be named. */
		slash = strchr(v, '/');
		return slash != v && (slash == NULL ? !has_wild(v) :
		    strcspn(v, "*?") > (size_t)(slash - v));
	case PIN_ARN:
		return arn_pins(v, acct);
	}
	return 0;
}

static int
pin_cb(const char *op, const char *key, const json_t *vals, void *arg)
{
	struct pin_state *ps = arg;
	char acct[13];
	const char *v;
	size_t i, k, n;
	int ok;

	if (!cpol_op_positive(op))
		return 0;
	for (k = 0; k < sizeof(pin_keys) / sizeof(pin_keys[0]); k++)
		if (strcasecmp(key, pin_keys[k].key) == 0)
			break;
	if (k == sizeof(pin_keys) / sizeof(pin_keys[0]))
		return 0;
	if (ps->only != NULL) {
		for (i = 0; ps->only[i] != NULL; i++)
			if (strcasecmp(ps->only[i], key) == 0)
				break;
		if (ps->only[i] == NULL)
			return 0;
	}
	n = cpol_nvalues(vals);
	for (ok = n > 0, i = 0; i < n && ok; i++)
		ok = value_pins(pin_keys[k].kind, cpol_value(vals, i), acct);
	if (!ok)
		return 0;
	ps->pinned = 1;
	for (i = 0; i < n && ps->accounts != NULL; i++) {
		v = cpol_value(vals, i);
		value_pins(pin_keys[k].kind, v, acct);
		if (pin_keys[k].account)
			json_object_set_new(ps->accounts, v, json_true());
		else if (acct[0] != '\0')
			json_object_set_new(ps->accounts, acct, json_true());
	}
	return 0;
}

int
cpol_pins_caller(const json_t *st, json_t *accounts)
{
	struct pin_state ps = { NULL, accounts, 0 };

	cpol_cond_each(st, pin_cb, &ps);
	return ps.pinned;
}

int
cpol_cond_pinned(const json_t *st, const char *const *keys)
{
	struct pin_state ps = { keys, NULL, 0 };

	cpol_cond_each(st, pin_cb, &ps);
	return ps.pinned;
}
