/*
 * Evaluating requests against compiled policies as AWS documents it:
 * statement matching (actions, ARNs segment by segment, principals,
 * every condition operator with IfExists and the set qualifiers, policy
 * variables), then the decision over identity, boundary, SCP, RCP and
 * resource-based policies (docs/policy-engine.md).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/glob.h"
#include "policy/policy.h"

const char *const pol_ctype_names[POL_NTYPES] = {
	"String", "Numeric", "Date", "Bool", "Binary", "IP", "ARN",
};

/* ---- condition keys --------------------------------------------------- */

/*
 * The types AWS documents for global condition keys (and a few service
 * keys iamgrade's controls ask about).  Prefix entries end in '/': every
 * tag key under them is a String.
 */
static const struct keytype {
	const char	*key;
	enum pol_ctype	 type;
	int		 multi;
} keytypes[] = {
	{ "aws:CalledVia", POL_T_STRING, 1 },
	{ "aws:CurrentTime", POL_T_DATE, 0 },
	{ "aws:EpochTime", POL_T_DATE, 0 },
	{ "aws:MultiFactorAuthAge", POL_T_NUMERIC, 0 },
	{ "aws:MultiFactorAuthPresent", POL_T_BOOL, 0 },
	{ "aws:PrincipalArn", POL_T_ARN, 0 },
	{ "aws:PrincipalIsAWSService", POL_T_BOOL, 0 },
	{ "aws:PrincipalOrgPaths", POL_T_STRING, 1 },
	{ "aws:PrincipalServiceNamesList", POL_T_STRING, 1 },
	{ "aws:ResourceOrgPaths", POL_T_STRING, 1 },
	{ "aws:SecureTransport", POL_T_BOOL, 0 },
	{ "aws:SourceArn", POL_T_ARN, 0 },
	{ "aws:SourceIp", POL_T_IP, 0 },
	{ "aws:SourceOrgPaths", POL_T_STRING, 1 },
	{ "aws:TagKeys", POL_T_STRING, 1 },
	{ "aws:TokenIssueTime", POL_T_DATE, 0 },
	{ "aws:ViaAWSService", POL_T_BOOL, 0 },
	{ "aws:VpcSourceIp", POL_T_IP, 0 },
	{ "aws:AssumedRoot", POL_T_BOOL, 0 },
	{ "aws:Ec2InstanceSourcePrivateIPv4", POL_T_IP, 0 },
	{ "iam:PolicyARN", POL_T_ARN, 0 },
	{ "iam:PermissionsBoundary", POL_T_ARN, 0 },
	{ "s3:max-keys", POL_T_NUMERIC, 0 },
	{ "s3:signatureAge", POL_T_NUMERIC, 0 },
	{ "s3:object-lock-remaining-retention-days", POL_T_NUMERIC, 0 },
	{ "s3:object-lock-retain-until-date", POL_T_DATE, 0 },
	{ "sts:DurationSeconds", POL_T_NUMERIC, 0 },
	{ "ec2:SourceInstanceARN", POL_T_ARN, 0 },
	{ "kms:GrantIsForAWSResource", POL_T_BOOL, 0 },
	{ "kms:GrantOperations", POL_T_STRING, 1 },
	{ "kms:EncryptionContextKeys", POL_T_STRING, 1 },
	{ "kms:CallerAccount", POL_T_STRING, 0 },
	{ "kms:ViaService", POL_T_STRING, 0 },
	{ "sts:TransitiveTagKeys", POL_T_STRING, 1 },
	{ "cognito-identity.amazonaws.com:amr", POL_T_STRING, 1 },
};

enum pol_ctype
pol_key_type(const char *key, int *multi)
{
	size_t i;

	*multi = 0;
	for (i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (strcasecmp(keytypes[i].key, key) == 0) {
			*multi = keytypes[i].multi;
			return keytypes[i].type;
		}
	return POL_T_STRING;
}

/* Numbers as AWS compares them: decimal, an optional fraction, nothing else. */
static int
parse_num(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*out) &&
	    strpbrk(s, "xXnNiI") == NULL;	/* no hex, nan or inf */
}

/* Epoch seconds (digits only) or ISO 8601. */
static int
parse_date(const char *s, double *out)
{
	time_t t;
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
		*out = strtod(s, NULL);
		return 1;
	}
	if (!time_parse(s, &t))
		return 0;
	*out = (double)t;
	return 1;
}

/* An address or a CIDR block: family, 16 bytes of address, prefix length. */
struct cidr {
	int		 af;
	unsigned char	 a[16];
	int		 bits;
};

static int
parse_cidr(const char *s, struct cidr *c, int allow_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long bits;

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	memset(c, 0, sizeof(*c));
	if ((slash = strchr(buf, '/')) != NULL) {
		if (!allow_prefix)
			return 0;
		*slash++ = '\0';
		errno = 0;
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0)
			return 0;
	} else
		bits = -1;
	if (inet_pton(AF_INET, buf, c->a) == 1)
		c->af = AF_INET;
	else if (inet_pton(AF_INET6, buf, c->a) == 1)
		c->af = AF_INET6;
	else
		return 0;
	if (bits > (c->af == AF_INET ? 32 : 128))
		return 0;
	c->bits = bits < 0 ? (c->af == AF_INET ? 32 : 128) : (int)bits;
	return 1;
}

static int
in_cidr(const struct cidr *net, const struct cidr *ip)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (net->af != ip->af)
		return 0;
	if (memcmp(net->a, ip->a, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((net->a[full] ^ ip->a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
pol_ctx_set(struct pol_ctx *ctx, const char *key, enum pol_ctype type, int multi,
    const char *const *values, size_t n, char **err)
{
	struct pol_ctx_key *k = NULL;
	struct cidr c;
	double d;
	size_t i;
	int ok;

	for (i = 0; i < n; i++) {
		switch (type) {
		case POL_T_NUMERIC:
			ok = parse_num(values[i], &d);
			break;
		case POL_T_DATE:
			ok = parse_date(values[i], &d);
			break;
		case POL_T_BOOL:
			ok = strcasecmp(values[i], "true") == 0 || strcasecmp(values[i], "false") == 0;
			break;
		case POL_T_IP:
			ok = parse_cidr(values[i], &c, 1);
			break;
		case POL_T_ARN:
			ok = strncmp(values[i], "arn:", 4) == 0;
			break;
		default:
			ok = 1;
		}
		if (!ok)
			return err_set(err, "context key %s: \"%s\" is not a valid %s value",
			    key, values[i], pol_ctype_names[type]);
	}
	for (i = 0; i < ctx->n; i++)
		if (strcasecmp(ctx->k[i].key, key) == 0) {
			k = &ctx->k[i];
			free(k->key);
			while (k->values.n > 0)
				free(k->values.v[--k->values.n]);
			free(k->values.v);
			break;
		}
	if (k == NULL) {
		ctx->k = xrealloc(ctx->k, (ctx->n + 1) * sizeof(*ctx->k));
		k = &ctx->k[ctx->n++];
	}
	memset(k, 0, sizeof(*k));
	k->key = xstrdup(key);
	k->type = type;
	k->multi = multi;
	k->values.v = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		k->values.v[i] = xstrdup(values[i]);
	k->values.n = n;
	return 1;
}

const struct pol_ctx_key *
pol_ctx_get(const struct pol_ctx *ctx, const char *key)
{
	size_t i;

	for (i = 0; ctx != NULL && i < ctx->n; i++)
		if (strcasecmp(ctx->k[i].key, key) == 0)
			return &ctx->k[i];
	return NULL;
}

void
pol_ctx_free(struct pol_ctx *ctx)
{
	size_t i, j;

	for (i = 0; i < ctx->n; i++) {
		free(ctx->k[i].key);
		for (j = 0; j < ctx->k[i].values.n; j++)
			free(ctx->k[i].values.v[j]);
		free(ctx->k[i].values.v);
	}
	free(ctx->k);
	ctx->k = NULL;
	ctx->n = 0;
}

/* ---- the request's own facts ------------------------------------------ */

/* The i-th colon-separated field of an ARN (0 is "arn"), as pointer and length. */
static int
arn_field(const char *arn, int i, const char **f, size_t *n)
{
	const char *p = arn, *c;

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
		return 0;
	while (i-- > 0) {
		if ((p = strchr(p, ':')) == NULL)
			return 0;
		p++;
	}
	c = strchr(p, ':');
	*f = p;
	*n = c ? (size_t)(c - p) : strlen(p);
	return 1;
}

/* Copy an ARN's account field into out; 0 when it has none. */
static int
arn_account(const char *arn, char out[64])
{
	const char *f;
	size_t n;

	if (!arn_field(arn, 4, &f, &n) || n == 0 || n >= 64)
		return 0;
	memcpy(out, f, n);
	out[n] = '\0';
	return 1;
}

/* The principal's account: given, or from its ARN. */
static int
principal_account(const struct pol_request *r, char out[64])
{
	if (r->principal_account != NULL) {
		snprintf(out, 64, "%s", r->principal_account);
		return 1;
	}
	return r->principal_type == POL_P_AWS && arn_account(r->principal, out);
}

static int
resource_account(const struct pol_request *r, char out[64])
{
	if (r->resource_account != NULL) {
		snprintf(out, 64, "%s", r->resource_account);
		return 1;
	}
	/* S3 bucket and object ARNs carry no account: the owner is the caller's here. */
	return arn_account(r->resource, out) || principal_account(r, out);
}

/* "arn:P:sts::A:assumed-role/ROLE/SESSION": the role's name, or NULL. */
static const char *
session_role(const char *arn, size_t *len)
{
	const char *f, *slash;
	size_t n;

	if (!arn_field(arn, 2, &f, &n) || n != 3 || strncmp(f, "sts", 3) != 0 ||
	    !arn_field(arn, 5, &f, &n) || strncmp(f, "assumed-role/", 13) != 0)
		return NULL;
	f += 13;
	if ((slash = strchr(f, '/')) == NULL)
		return NULL;
	*len = (size_t)(slash - f);
	return f;
}

/*
 * A context key's values: the request context first, then what the
 * request itself says (AWS sets these on every authenticated request).
 */
struct val {
	const char *const *v;
	size_t		   n;
	int		   multi;
	const char	  *one;
	char		   buf[512];
};

static int
lookup(const struct pol_request *r, const char *key, struct val *out)
{
	const struct pol_ctx_key *k;
	const char *f, *name;
	size_t n, rn;
	char acct[64];

	if ((k = pol_ctx_get(r->ctx, key)) != NULL) {
		out->v = (const char *const *)k->values.v;
		out->n = k->values.n;
		out->multi = k->multi;
		return 1;
	}
	out->one = out->buf;
	out->v = &out->one;
	out->n = 1;
	out->multi = 0;
	if (r->principal_type != POL_P_AWS || r->principal == NULL)
		return 0;
	if (strcasecmp(key, "aws:PrincipalAccount") == 0 && principal_account(r, acct)) {
		snprintf(out->buf, sizeof(out->buf), "%s", acct);
		return 1;
	}
	if (strcasecmp(key, "aws:PrincipalArn") == 0) {
		/* For a role session AWS gives the role's ARN, not the session's. */
		if ((name = session_role(r->principal, &rn)) != NULL && arn_field(r->principal, 1, &f, &n) &&
		    principal_account(r, acct))
			snprintf(out->buf, sizeof(out->buf), "arn:%.*s:iam::%s:role/%.*s",
			    (int)n, f, acct, (int)rn, name);
		else
			snprintf(out->buf, sizeof(out->buf), "%s", r->principal);
		return 1;
	}
	if (strcasecmp(key, "aws:username") == 0 && arn_field(r->principal, 5, &f, &n) &&
	    strncmp(f, "user/", 5) == 0) {
		name = strrchr(f, '/') + 1;
		snprintf(out->buf, sizeof(out->buf), "%s", name);
		return 1;
	}
	return 0;
}

/* ---- policy variables ---------------------------------------------------- */

/* A pattern after substitution: text and which bytes are literal. */
struct pat {
	struct buf	 s;
	struct buf	 lit;
};

static void
pat_add(struct pat *p, const char *s, size_t n, int literal)
{
	size_t i;

	buf_add(&p->s, s, n);
	for (i = 0; i < n; i++)
		buf_add(&p->lit, literal ? "\1" : "\0", 1);
}

static void
pat_free(struct pat *p)
{
	buf_free(&p->s);
	buf_free(&p->lit);
}

/*
 * Substitute ${...} in v into p, from the position from on (NULL: all of
 * v).  0 when a variable has no value and no default (the element then
 * does not match, as AWS documents).  A value from the context is literal
 * text: its '*' is no wildcard.
 */
static int
subst_from(const char *v, const char *from, int vars, const struct pol_request *r, struct pat *p)
{
	const char *end, *comma, *q, *d;
	char name[256];
	struct val val;
	size_t n;

	buf_reset(&p->s);
	buf_reset(&p->lit);
	while (*v != '\0') {
		if (!vars || v < from || v[0] != '$' || v[1] != '{' || (end = strchr(v + 2, '}')) == NULL) {
			pat_add(p, v, 1, 0);
			v++;
			continue;
		}
		q = v + 2;
		n = (size_t)(end - q);
		if (n == 1 && (*q == '*' || *q == '?' || *q == '$')) {
			pat_add(p, q, 1, 1);
			v = end + 1;
			continue;
		}
		d = NULL;
		if ((comma = memchr(q, ',', n)) != NULL) {
			d = comma + 1;
			while (d < end && *d == ' ')
				d++;
			/* A default is a quoted string: ${aws:username, 'guest'}. */
			if (d >= end - 1 || *d != '\'' || end[-1] != '\'')
				d = NULL;
			n = (size_t)(comma - q);
		}
		while (n > 0 && q[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof(name))
			return 0;
		memcpy(name, q, n);
		name[n] = '\0';
		/* A key with no value (absent, empty, or a set) has nothing to substitute. */
		if (lookup(r, name, &val) && !val.multi && val.n == 1 && *val.v[0] != '\0')
			pat_add(p, val.v[0], strlen(val.v[0]), 1);
		else if (d != NULL)
			pat_add(p, d + 1, (size_t)(end - 1 - (d + 1)), 1);
		else
			return 0;
		v = end + 1;
	}
	if (p->s.p == NULL)
		buf_add(&p->s, "", 0);
	if (p->lit.p == NULL)
		buf_add(&p->lit, "", 0);
	return 1;
}

static int
subst(const char *v, int vars, const struct pol_request *r, struct pat *p)
{
	return subst_from(v, NULL, vars, r, p);
}

static int
pat_glob(const struct pat *p, const char *s, size_t sn, int flags)
{
	return pol_globl(p->s.p, (const unsigned char *)p->lit.p, p->s.len, s, sn, flags);
}

/* ---- actions, resources, principals --------------------------------------- */

int
pol_match_action(const struct pol_stmt *st, const char *action)
{
	size_t i;
	int any = 0;

	for (i = 0; i < st->action.n && !any; i++)
		any = pol_glob(st->action.v[i], action, POL_GLOB_FOLD);
	return st->not_action ? !any : any;
}

/*
 * An ARN pattern against an ARN, segment by segment: partition, service,
 * region and account each match on their own (a wildcard never spans a
 * colon there); the resource part, which may hold colons itself, matches
 * as a whole.  -1 when a variable has no value.  resource_only: variables
 * count only in the resource part, as AWS allows them in a Resource
 * element (elsewhere "${...}" is literal text).
 */
static int
arn_match(const char *pattern, int vars, int resource_only, const char *arn,
    const struct pol_request *r)
{
	struct pat p = { { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 } };
	const char *pf, *af, *from = NULL;
	size_t pn, an, off[6], i;
	int rc = 0, seg;

	if (strcmp(pattern, "*") == 0)
		return 1;
	if (resource_only) {
		for (from = pattern, seg = 0; seg < 5 && from != NULL; seg++)
			if ((from = strchr(from, ':')) != NULL)
				from++;
		if (from == NULL)
			from = pattern + strlen(pattern);
	}
	if (!subst_from(pattern, from, vars, r, &p)) {
		rc = -1;
		goto out;
	}
	if (arn == NULL || strncmp(arn, "arn:", 4) != 0 || strncmp(p.s.p, "arn:", 4) != 0)
		goto out;
	/* Field starts in the substituted pattern (its colons are never literal-only). */
	for (seg = 0, i = 0; seg < 6; seg++) {
		off[seg] = i;
		if (seg == 5)
			break;
		while (i < p.s.len && p.s.p[i] != ':')
			i++;
		if (i == p.s.len)
			goto out;
		i++;
	}
	for (seg = 1; seg <= 5; seg++) {
		if (!arn_field(arn, seg, &af, &an))
			goto out;
		pf = p.s.p + off[seg];
		pn = seg == 5 ? p.s.len - off[5] : off[seg + 1] - off[seg] - 1;
		if (seg == 5)
			an = strlen(af);
		if (!pol_globl(pf, (const unsigned char *)p.lit.p + off[seg], pn, af, an, 0))
			goto out;
	}
	rc = 1;
out:
	pat_free(&p);
	return rc;
}

/*
 * AWS: a Resource or NotResource entry whose variable has no value
 * matches no resource.  So an unresolvable entry never grants through
 * Resource, and under NotResource it simply excludes nothing.
 */
int
pol_match_resource(const struct pol_stmt *st, const struct pol_request *r)
{
	size_t i;
	int any = 0;

	if (!st->has_resource)
		return 1;
	for (i = 0; i < st->resource.n && !any; i++)
		any = arn_match(st->resource.v[i], st->vars, 1, r->resource, r) > 0;
	return st->not_resource ? !any : any;
}

/* How a principal entry matched: the kinds AWS's same-account rules tell apart. */
enum pmatch { PM_NONE, PM_ACCOUNT, PM_SESSION_ROLE, PM_DIRECT };

static int
is_account_id(const char *s)
{
	return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

static enum pmatch
aws_entry(const char *v, const struct pol_request *r)
{
	char acct[64];
	const char *f, *name, *rn;
	size_t n, len, rlen;

	if (strcmp(v, "*") == 0)
		return PM_DIRECT;
	if (r->principal_type != POL_P_AWS || r->principal == NULL)
		return PM_NONE;
	if (is_account_id(v) || (arn_field(v, 5, &f, &n) && n == 4 && strncmp(f, "root", 4) == 0 &&
	    arn_field(v, 2, &f, &n) && n == 3 && strncmp(f, "iam", 3) == 0)) {
		if (!principal_account(r, acct))
			return PM_NONE;
		if (is_account_id(v))
			return strcmp(v, acct) == 0 ? PM_ACCOUNT : PM_NONE;
		/* "arn:aws:iam::ACCOUNT:root" names the account, as the bare id does. */
		arn_field(v, 4, &f, &n);
		return strlen(acct) == n && strncmp(f, acct, n) == 0 ? PM_ACCOUNT : PM_NONE;
	}
	if (strcmp(v, r->principal) == 0)
		return PM_DIRECT;
	/* A role ARN names every session of that role (same partition and account). */
	if ((rn = session_role(r->principal, &rlen)) != NULL &&
	    arn_field(v, 2, &f, &n) && n == 3 && strncmp(f, "iam", 3) == 0 &&
	    arn_field(v, 5, &name, &len) && strncmp(name, "role/", 5) == 0) {
		const char *base = strrchr(name, '/') + 1;
		const char *vp, *sp;
		size_t vn, sn;

		if (strlen(base) == rlen && strncasecmp(base, rn, rlen) == 0 &&
		    arn_field(v, 1, &vp, &vn) && arn_field(r->principal, 1, &sp, &sn) &&
		    vn == sn && strncmp(vp, sp, vn) == 0 &&
		    arn_field(v, 4, &vp, &vn) && principal_account(r, acct) &&
		    strlen(acct) == vn && strncmp(vp, acct, vn) == 0)
			return PM_SESSION_ROLE;
	}
	return PM_NONE;
}

static enum pmatch
principal_level(const struct pol_stmt *st, const struct pol_request *r)
{
	enum pmatch best = PM_NONE, m;
	size_t i;
	int t;

	if (st->principal.any)
		return PM_DIRECT;
	for (t = 0; t < POL_P_NTYPES; t++)
		for (i = 0; i < st->principal.by[t].n; i++) {
			const char *v = st->principal.by[t].v[i];

			if (t == POL_P_AWS)
				m = aws_entry(v, r);
			else
				m = r->principal_type == (enum pol_ptype)t && r->principal != NULL &&
				    strcmp(v, r->principal) == 0 ? PM_DIRECT : PM_NONE;
			if (m > best)
				best = m;
		}
	return best;
}

/* As principal_level, with NotPrincipal inverted and no Principal element read as a match. */
static enum pmatch
stmt_principal(const struct pol_stmt *st, const struct pol_request *r)
{
	enum pmatch m;

	if (!st->has_principal)
		return PM_DIRECT;
	m = principal_level(st, r);
	if (st->not_principal)
		return m == PM_NONE ? PM_DIRECT : PM_NONE;
	return m;
}

int
pol_match_principal(const struct pol_stmt *st, const struct pol_request *r)
{
	return stmt_principal(st, r) != PM_NONE;
}

/* ---- conditions ------------------------------------------------------------ */

enum vres { V_NO, V_YES, V_ERR };

static int
op_negated(enum pol_op op)
{
	switch (op) {
	case POL_OP_STRING_NOT_EQUALS:
	case POL_OP_STRING_NOT_EQUALS_IGNORE_CASE:
	case POL_OP_STRING_NOT_LIKE:
	case POL_OP_NUMERIC_NOT_EQUALS:
	case POL_OP_DATE_NOT_EQUALS:
	case POL_OP_NOT_IP_ADDRESS:
	case POL_OP_ARN_NOT_EQUALS:
	case POL_OP_ARN_NOT_LIKE:
		return 1;
	default:
		return 0;
	}
}

static int
cmp_num(enum pol_op op, double ctx, double pol)
{
	switch (op) {
	case POL_OP_NUMERIC_EQUALS:
	case POL_OP_NUMERIC_NOT_EQUALS:
	case POL_OP_DATE_EQUALS:
	case POL_OP_DATE_NOT_EQUALS:
		return ctx == pol;
	case POL_OP_NUMERIC_LESS_THAN:
	case POL_OP_DATE_LESS_THAN:
		return ctx < pol;
	case POL_OP_NUMERIC_LESS_THAN_EQUALS:
	case POL_OP_DATE_LESS_THAN_EQUALS:
		return ctx <= pol;
	case POL_OP_NUMERIC_GREATER_THAN:
	case POL_OP_DATE_GREATER_THAN:
		return ctx > pol;
	default:
		return ctx >= pol;
	}
}

/*
 * One context value against one policy value, positively (StringNotLike
 * asks "like?" here; the caller negates).  A policy value whose variable
 * has no value is null, equal to and like nothing: V_NO, so a negated
 * operator holds (AWS's "policy variables with no value").  V_ERR when
 * either side is not of the operator's type: such a pair never satisfies
 * the condition, negated or not.
 */
static enum vres
one(const struct pol_cond *c, int vars, const char *cv, const char *pv,
    const struct pol_request *r, struct pat *p)
{
	double a, b;
	struct cidr net, ip;
	int (*parse)(const char *, double *);

	switch (c->op) {
	case POL_OP_STRING_EQUALS:
	case POL_OP_STRING_NOT_EQUALS:
		if (!subst(pv, vars, r, p))
			return V_NO;
		return strcmp(p->s.p, cv) == 0 ? V_YES : V_NO;
	case POL_OP_STRING_EQUALS_IGNORE_CASE:
	case POL_OP_STRING_NOT_EQUALS_IGNORE_CASE:
		if (!subst(pv, vars, r, p))
			return V_NO;
		return strcasecmp(p->s.p, cv) == 0 ? V_YES : V_NO;
	case POL_OP_STRING_LIKE:
	case POL_OP_STRING_NOT_LIKE:
		if (!subst(pv, vars, r, p))
			return V_NO;
		return pat_glob(p, cv, strlen(cv), 0) ? V_YES : V_NO;
	case POL_OP_NUMERIC_EQUALS:
	case POL_OP_NUMERIC_NOT_EQUALS:
	case POL_OP_NUMERIC_LESS_THAN:
	case POL_OP_NUMERIC_LESS_THAN_EQUALS:
	case POL_OP_NUMERIC_GREATER_THAN:
	case POL_OP_NUMERIC_GREATER_THAN_EQUALS:
	case POL_OP_DATE_EQUALS:
	case POL_OP_DATE_NOT_EQUALS:
	case POL_OP_DATE_LESS_THAN:
	case POL_OP_DATE_LESS_THAN_EQUALS:
	case POL_OP_DATE_GREATER_THAN:
	case POL_OP_DATE_GREATER_THAN_EQUALS:
		parse = c->op >= POL_OP_DATE_EQUALS ? parse_date : parse_num;
		if (!parse(cv, &a) || !parse(pv, &b))
			return V_ERR;
		return cmp_num(c->op, a, b) ? V_YES : V_NO;
	case POL_OP_BOOL:
		if (!subst(pv, vars, r, p))
			return V_NO;
		if ((strcasecmp(p->s.p, "true") != 0 && strcasecmp(p->s.p, "false") != 0) ||
		    (strcasecmp(cv, "true") != 0 && strcasecmp(cv, "false") != 0))
			return V_ERR;
		return strcasecmp(p->s.p, cv) == 0 ? V_YES : V_NO;
	case POL_OP_BINARY_EQUALS:
		return strcmp(pv, cv) == 0 ? V_YES : V_NO;
	case POL_OP_IP_ADDRESS:
	case POL_OP_NOT_IP_ADDRESS:
		if (!parse_cidr(pv, &net, 1) || !parse_cidr(cv, &ip, 0))
			return V_ERR;
		return in_cidr(&net, &ip) ? V_YES : V_NO;
	case POL_OP_ARN_EQUALS:
	case POL_OP_ARN_LIKE:
	case POL_OP_ARN_NOT_EQUALS:
	case POL_OP_ARN_NOT_LIKE:
		/* ArnEquals and ArnLike are the same operator in AWS's reference: both take wildcards. */
		if (strncmp(cv, "arn:", 4) != 0)
			return V_ERR;
		return arn_match(pv, vars, 0, cv, r) > 0 ? V_YES : V_NO;
	default:
		return V_ERR;
	}
}

/*
 * One context value against the condition's values: ORed for positive
 * operators; for negated ones, true when no value matches (and none is
 * in error).
 */
static int
value_matches(const struct pol_cond *c, int vars, const char *cv, const struct pol_request *r,
    struct pat *p)
{
	size_t i;
	enum vres v;
	int neg = op_negated(c->op), err = 0;

	for (i = 0; i < c->values.n; i++) {
		v = one(c, vars, cv, c->values.v[i], r, p);
		if (v == V_YES)
			return !neg;
		if (v == V_ERR)
			err = 1;
	}
	return neg && !err;
}

static int
cond_match(const struct pol_cond *c, int vars, const struct pol_request *r)
{
	struct pat p = { { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 } };
	struct val kv;
	size_t i, j;
	int present, rc = 0;

	present = lookup(r, c->key, &kv);
	if (c->op == POL_OP_NULL) {
		/* "true": the key is absent; "false": it is present.  ORed over values. */
		for (i = 0; i < c->values.n; i++)
			if (strcasecmp(c->values.v[i], present ? "false" : "true") == 0)
				return 1;
		return 0;
	}
	switch (c->setq) {
	case POL_SET_NONE:
		if (!present) {
			/* Negated operators hold for an absent key, as ...IfExists does. */
			rc = c->if_exists || op_negated(c->op);
			goto out;
		}
		/* A single-valued operator never matches a set-valued key. */
		if (kv.multi || kv.n != 1)
			goto out;
		rc = value_matches(c, vars, kv.v[0], r, &p);
		break;
	case POL_SET_ALL:
		/* Vacuously true for an absent key or an empty set. */
		rc = 1;
		for (j = 0; present && j < kv.n && rc; j++)
			rc = value_matches(c, vars, kv.v[j], r, &p);
		break;
	case POL_SET_ANY:
		if (!present) {
			rc = c->if_exists;
			goto out;
		}
		for (j = 0; j < kv.n && !rc; j++)
			rc = value_matches(c, vars, kv.v[j], r, &p);
		break;
	}
out:
	pat_free(&p);
	return rc;
}

int
pol_match_cond(const struct pol_cond *c, const struct pol_request *r)
{
	return cond_match(c, 1, r);
}

static int
conds_match(const struct pol_stmt *st, const struct pol_request *r)
{
	size_t i;

	for (i = 0; i < st->ncond; i++)
		if (!cond_match(&st->cond[i], st->vars, r))
			return 0;
	return 1;
}

/* The statement's match with the principal's level (PM_NONE: it does not apply). */
static enum pmatch
stmt_level(const struct pol_stmt *st, const struct pol_request *r)
{
	enum pmatch m;

	if (!pol_match_action(st, r->action) || !pol_match_resource(st, r))
		return PM_NONE;
	if ((m = stmt_principal(st, r)) == PM_NONE)
		return PM_NONE;
	return conds_match(st, r) ? m : PM_NONE;
}

int
pol_stmt_applies(const struct pol_stmt *st, const struct pol_request *r)
{
	return stmt_level(st, r) != PM_NONE;
}

/* ---- the decision ------------------------------------------------------------ */

/* What one layer of policies says: its strongest allow and whether it denies. */
struct layer {
	int		 deny;
	enum pmatch	 allow;		/* best principal level among matching Allows */
	int		 account_allow;	/* an Allow that matched at account level */
};

struct acc {
	struct pol_cite	*cite;
	size_t		 n, cap;
	struct pol_cite	*allow;		/* allows, cited only when the request is allowed */
	size_t		 nallow, capallow;
};

static void
cite_add(struct pol_cite **v, size_t *n, size_t *cap, const struct pol_doc *d, size_t i)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].doc = d;
	(*v)[(*n)++].stmt = i;
}

/*
 * Read one document into a layer.  np_deny_all: a NotPrincipal Deny
 * applies to every caller, as AWS documents for principals that have a
 * permissions boundary.
 */
static void
layer_doc(struct layer *l, const struct pol_doc *d, const struct pol_request *r, struct acc *a,
    int cite_allows, int np_deny_all)
{
	const struct pol_stmt *st;
	enum pmatch m;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nst; i++) {
		st = &d->st[i];
		if (np_deny_all && st->effect == POL_DENY && st->not_principal)
			m = pol_match_action(st, r->action) && pol_match_resource(st, r) &&
			    conds_match(st, r) ? PM_DIRECT : PM_NONE;
		else
			m = stmt_level(st, r);
		if (m == PM_NONE)
			continue;
		if (d->st[i].effect == POL_DENY) {
			l->deny = 1;
			cite_add(&a->cite, &a->n, &a->cap, d, i);
		} else {
			if (m > l->allow)
				l->allow = m;
			if (m == PM_ACCOUNT)
				l->account_allow = 1;
			if (cite_allows)
				cite_add(&a->allow, &a->nallow, &a->capallow, d, i);
		}
	}
}

/*
 * Services whose resource policy must grant access even in the same
 * account: a role's trust policy (sts) and a KMS key policy.  An identity
 * policy counts there only when the resource policy trusts the account.
 */
static int
resource_policy_required(const struct pol_request *r)
{
	const char *f;
	size_t n;

	if (strncasecmp(r->action, "sts:", 4) == 0)
		return 1;
	return strncasecmp(r->action, "kms:", 4) == 0 && arn_field(r->resource, 5, &f, &n) &&
	    strncmp(f, "key/", 4) == 0;
}

/* A principal a resource policy can name so that a boundary does not limit it. */
static int
session_or_user(const struct pol_request *r)
{
	const char *f;
	size_t n, rl;

	if (session_role(r->principal, &rl) != NULL)
		return 1;
	return arn_field(r->principal, 5, &f, &n) && (strncmp(f, "user/", 5) == 0 ||
	    strncmp(f, "federated-user/", 15) == 0);
}

void
pol_eval(const struct pol_set *set, const struct pol_request *r, struct pol_result *res)
{
	struct layer id = { 0 }, pb = { 0 }, rp = { 0 }, lv;
	struct acc a = { NULL, 0, 0, NULL, 0, 0 };
	char pacct[64], racct[64];
	size_t i, j;
	int same, core, scp_ok = 1, aws, anonymous, service;

	memset(res, 0, sizeof(*res));
	anonymous = r->principal == NULL;
	service = !anonymous && r->principal_type != POL_P_AWS;
	aws = !anonymous && !service;

	/* sts:GetCallerIdentity needs no permission and cannot be denied (AWS STS reference). */
	if (aws && strcasecmp(r->action, "sts:GetCallerIdentity") == 0) {
		res->decision = POL_ALLOWED;
		res->reason = "sts:GetCallerIdentity is always allowed";
		return;
	}

	/* Identity-side policies belong to authenticated AWS principals only. */
	if (aws) {
		for (i = 0; i < set->nidentity; i++)
			layer_doc(&id, set->identity[i], r, &a, 1, 0);
		layer_doc(&pb, set->boundary, r, &a, 1, 0);
	}
	layer_doc(&rp, set->resource, r, &a, 1, aws && set->boundary != NULL);
	/* SCPs limit the principal's account: not service principals, not anonymous callers. */
	for (i = 0; aws && i < set->nscp; i++) {
		memset(&lv, 0, sizeof(lv));
		for (j = 0; j < set->scp[i].n; j++)
			layer_doc(&lv, set->scp[i].doc[j], r, &a, 1, 0);
		if (lv.deny)
			id.deny = 1;
		else if (lv.allow == PM_NONE && scp_ok) {
			scp_ok = 0;
			res->reason = "a service control policy level does not allow the action";
		}
	}
	/*
	 * RCPs limit the resource's account.  AWS attaches RCPFullAWSAccess to
	 * every level and it cannot be detached, so RCPs only ever deny.
	 */
	for (i = 0; i < set->nrcp; i++)
		for (j = 0; j < set->rcp[i].n; j++) {
			memset(&lv, 0, sizeof(lv));
			layer_doc(&lv, set->rcp[i].doc[j], r, &a, 0, 0);
			if (lv.deny)
				id.deny = 1;
		}

	if (id.deny || pb.deny || rp.deny) {
		res->decision = POL_EXPLICIT_DENY;
		res->reason = "an explicit Deny applies";
		res->cite = a.cite;
		res->ncite = a.n;
		a.cite = NULL;
		goto out;
	}

	same = aws && principal_account(r, pacct) && resource_account(r, racct) &&
	    strcmp(pacct, racct) == 0;
	if (!aws) {
		/* Anonymous and service callers: only a resource policy naming them grants. */
		core = rp.allow == PM_DIRECT;
		if (!core)
			res->reason = "no resource-based policy allows the caller";
	} else if (same) {
		int identity_ok = id.allow != PM_NONE;
		int resource_ok = rp.allow == PM_DIRECT || rp.allow == PM_SESSION_ROLE;

		if (resource_policy_required(r) && (set->resource != NULL ||
		    strncasecmp(r->action, "kms:", 4) == 0))
			identity_ok = identity_ok && rp.account_allow;
		/* The boundary limits the identity path; a resource policy naming a user or session passes it. */
		if (set->boundary != NULL && pb.allow == PM_NONE) {
			identity_ok = 0;
			resource_ok = resource_ok && rp.allow == PM_DIRECT && session_or_user(r);
		}
		core = identity_ok || resource_ok;
		if (!core)
			res->reason = set->boundary != NULL && pb.allow == PM_NONE ?
			    "the permissions boundary does not allow the action" :
			    "no identity-based or resource-based policy allows the action";
	} else {
		/* Across accounts both sides must allow. */
		core = id.allow != PM_NONE && rp.allow != PM_NONE &&
		    (set->boundary == NULL || pb.allow != PM_NONE);
		if (!core)
			res->reason = id.allow == PM_NONE ? "no identity-based policy allows the action" :
			    rp.allow == PM_NONE ? "cross-account access needs the resource-based policy to allow it" :
			    "the permissions boundary does not allow the action";
	}
	if (core && scp_ok) {
		res->decision = POL_ALLOWED;
		res->reason = "allowed";
		res->cite = a.allow;
		res->ncite = a.nallow;
		a.allow = NULL;
	} else {
		res->decision = POL_IMPLICIT_DENY;
		if (res->reason == NULL)
			res->reason = "no policy allows the action";
	}
out:
	free(a.cite);
	free(a.allow);
}

void
pol_result_free(struct pol_result *res)
{
	free(res->cite);
	res->cite = NULL;
	res->ncite = 0;
}
