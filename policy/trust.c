/* Trust analysis by caller class over a compiled trust policy (see trust.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/glob.h"
#include "policy/policy.h"
#include "policy/trust.h"

const char *const pol_caller_names[POL_CALLER_NCLASSES] = {
	"anyone", "another organization", "an organization (this account's is unknown)",
	"this organization", "this account", "another account", "a resource",
	"a service", "a web identity", "a SAML provider",
};

/*
 * The providers and the keys they document.  Sources (checked 2026-12):
 *  - AWS IAM User Guide, "IAM and AWS STS condition context keys", keys
 *    for web identity federation: www.amazon.com:app_id / :user_id,
 *    graph.facebook.com:app_id / :id, accounts.google.com:aud / :oaud /
 *    :sub, cognito-identity.amazonaws.com:aud / :amr / :sub;
 *    reference_policies_iam-condition-keys.html#condition-keys-wif
 *  - Amazon Cognito Developer Guide, "Role trust and permissions": :aud is
 *    the identity pool; :amr only says authenticated or not.
 *  - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services": IAM
 *    recommends evaluating token.actions.githubusercontent.com:sub.
 *  - Amazon EKS User Guide, "Assign IAM roles to Kubernetes service
 *    accounts": OIDC_PROVIDER:sub = system:serviceaccount:NS:SA and :aud =
 *    sts.amazonaws.com.
 *  - GitLab Docs, "Configure OpenID Connect in AWS": gitlab.com:sub =
 *    project_path:GROUP/PROJECT:ref_type:...; gitlab.com:aud.
 *  - HashiCorp, "Dynamic credentials with the AWS provider":
 *    app.terraform.io:aud = aws.workload.identity (the same for every
 *    customer) and app.terraform.io:sub = organization:ORG:project:...
 *  - Atlassian, "Deploy on AWS using Bitbucket Pipelines OpenID Connect":
 *    the workspace's identity provider URL with :aud and :sub
 *    ({REPOSITORY_UUID}:...).
 *  - CircleCI Docs, "Using OpenID Connect tokens in jobs":
 *    oidc.circleci.com/org/ORG_ID with :aud = ORG_ID and :sub =
 *    org/ORG_ID/project/PROJECT_ID/user/USER_ID.
 */
const struct pol_oidc_provider pol_oidc_providers[] = {
	{ "GitHub Actions", "token.actions.githubusercontent.com*", { "sub", NULL },
	  "repo:", "/:", "https://docs.github.com/en/actions/security-for-github-actions/"
	  "security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services" },
	{ "Login with Amazon", "www.amazon.com", { "app_id", NULL }, NULL, NULL,
	  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif" },
	{ "Facebook", "graph.facebook.com", { "app_id", NULL }, NULL, NULL,
	  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif" },
	{ "Google", "accounts.google.com", { "aud|oaud|sub", NULL }, NULL, NULL,
	  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif" },
	{ "Amazon Cognito", "cognito-identity.amazonaws.com", { "aud", NULL }, NULL, NULL,
	  "https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html" },
	{ "Amazon EKS", "oidc.eks.*.amazonaws.com/id/*", { "sub", "aud", NULL },
	  "system:serviceaccount:", ":",
	  "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html" },
	{ "GitLab", "gitlab.com", { "sub", "aud", NULL }, "project_path:", "/:",
	  "https://docs.gitlab.com/ci/cloud_services/aws/" },
	{ "Terraform Cloud", "app.terraform.io", { "sub", "aud", NULL }, "organization:", ":",
	  "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration" },
	{ "Bitbucket Pipelines", "api.bitbucket.org/2.0/workspaces/*/pipelines-config/identity/oidc",
	  { "sub", "aud", NULL }, NULL, NULL,
	  "https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/" },
	{ "CircleCI", "oidc.circleci.com/org/*", { "sub", "aud", NULL }, "org/", "/",
	  "https://circleci.com/docs/openid-connect-tokens/" },
	{ "OpenID Connect provider", "*", { "aud", NULL }, NULL, NULL,
	  "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html" },
};
const size_t pol_noidc_providers = sizeof(pol_oidc_providers) / sizeof(pol_oidc_providers[0]);

/* The keys that pin a wildcard principal; account level first (conditions are ANDed). */
enum pin_kind { PIN_ACCOUNT, PIN_ARN, PIN_ORG, PIN_ORG_PATH };
static const struct {
	const char	*key;
	enum pin_kind	 kind;
} pin_keys[] = {
	{ "aws:PrincipalAccount",	PIN_ACCOUNT },
	{ "aws:SourceAccount",		PIN_ACCOUNT },
	{ "aws:PrincipalArn",		PIN_ARN },
	{ "aws:SourceArn",		PIN_ARN },
	{ "aws:PrincipalOrgID",		PIN_ORG },
	{ "aws:SourceOrgID",		PIN_ORG },
	{ "aws:PrincipalOrgPaths",	PIN_ORG_PATH },
};
#define NPIN (sizeof(pin_keys) / sizeof(pin_keys[0]))

int
pol_arn_account(const char *s, char out[13])
{
	const char *p = s;
	int i;

	out[0] = '\0';
	if (s == NULL)
		return 0;
	if (strncmp(s, "arn:", 4) == 0) {
		for (i = 0; i < 4 && p != NULL; i++)
			if ((p = strchr(p, ':')) != NULL)
				p++;
		if (p == NULL)
			return 0;
	}
	for (i = 0; i < 12; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	if (p[12] != '\0' && (p[12] != ':' || p == s))
		return 0;
	memcpy(out, p, 12);
	out[12] = '\0';
	return 1;
}

static int
wild(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/*
 * An operator that requires the key to be present and to equal or match
 * one of the values: only those can pin.  Negated operators and IfExists
 * hold when the key is absent; ForAllValues: holds for a missing key.
 */
static int
cond_positive(const struct pol_cond *c)
{
	if (c->if_exists || c->setq == POL_SET_ALL)
		return 0;
	switch (c->op) {
	case POL_OP_STRING_EQUALS:
	case POL_OP_STRING_EQUALS_IGNORE_CASE:
	case POL_OP_STRING_LIKE:
	case POL_OP_ARN_EQUALS:
	case POL_OP_ARN_LIKE:
		return 1;
	default:
		return 0;
	}
}

static int
pin_index(const char *key)
{
	size_t k;

	for (k = 0; k < NPIN; k++)
		if (strcasecmp(key, pin_keys[k].key) == 0)
			return (int)k;
	return -1;
}

/* The value of a pinning key names its identity without wildcards. */
static int
pin_value_ok(enum pin_kind kind, const char *v)
{
	char acct[13];
	size_t n;

	if (v == NULL || *v == '\0')
		return 0;
	switch (kind) {
	case PIN_ACCOUNT:
	case PIN_ORG:
		return !wild(v);
	case PIN_ORG_PATH:
		/* "o-abc/r-ab12/ou-...": the organization must be named. */
		n = strcspn(v, "/");
		return n > 0 && strcspn(v, "*?") > n;
	case PIN_ARN:
		if (strncmp(v, "arn:", 4) != 0)
			return 0;
		if (pol_arn_account(v, acct))
			return 1;
		/* No account field (an S3 bucket ARN): the whole ARN must be literal. */
		return !wild(v) && strstr(v, "::") != NULL;
	}
	return 0;
}

static int
cond_pins(const struct pol_cond *c, int *k)
{
	size_t i;

	if (!cond_positive(c) || (*k = pin_index(c->key)) < 0 || c->values.n == 0)
		return 0;
	for (i = 0; i < c->values.n; i++)
		if (!pin_value_ok(pin_keys[*k].kind, c->values.v[i]))
			return 0;
	return 1;
}

static int
has_positive(const struct pol_stmt *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->ncond; i++)
		if (cond_positive(&st->cond[i]) && strcasecmp(st->cond[i].key, key) == 0)
			return 1;
	return 0;
}

static int
source_guarded(const struct pol_stmt *st)
{
	size_t i;
	int k;

	for (i = 0; i < st->ncond; i++)
		if (cond_pins(&st->cond[i], &k) && strncasecmp(pin_keys[k].key, "aws:Source", 10) == 0)
			return 1;
	return 0;
}

static struct pol_trust_grant *
grant_add(struct pol_trust *t, enum pol_caller cls, const struct pol_stmt *st, const char *who)
{
	struct pol_trust_grant *g;

	t->g = xrealloc(t->g, (t->n + 1) * sizeof(*t->g));
	g = &t->g[t->n++];
	memset(g, 0, sizeof(*g));
	g->cls = cls;
	g->st = st;
	g->who = xstrdup(who);
	g->external_id = has_positive(st, "sts:ExternalId");
	return g;
}

/* Does any string of the document's principals or conditions contain s? */
static int
doc_mentions(const struct pol_doc *d, const char *s)
{
	const struct pol_stmt *st;
	size_t i, j, k;
	int t;

	for (i = 0; i < d->nst; i++) {
		st = &d->st[i];
		for (t = 0; t < POL_P_NTYPES; t++)
			for (j = 0; j < st->principal.by[t].n; j++)
				if (strstr(st->principal.by[t].v[j], s) != NULL)
					return 1;
		for (j = 0; j < st->ncond; j++)
			for (k = 0; k < st->cond[j].values.n; k++)
				if (strstr(st->cond[j].values.v[k], s) != NULL)
					return 1;
	}
	return 0;
}

/* An account id / organization id the document does not name, into out. */
static void
unnamed(const struct pol_doc *d, const char *fmt, char *out, size_t len)
{
	unsigned n;

	for (n = 0; n < 1000; n++) {
		snprintf(out, len, fmt, n);
		if (!doc_mentions(d, out))
			return;
	}
}

/* Every condition of the Deny is on a key the caller cannot choose. */
static int
deny_keys_fixed(const struct pol_stmt *d)
{
	size_t i;

	for (i = 0; i < d->ncond; i++)
		if (pin_index(d->cond[i].key) < 0)
			return 0;
	return 1;
}

/*
 * Some Deny of doc applies to the request.  conditional: whether Denies
 * with conditions (on keys the caller cannot choose) may count.
 */
static int
denied(const struct pol_doc *doc, const struct pol_request *req, int conditional)
{
	const struct pol_stmt *d;
	size_t i;

	for (i = 0; i < doc->nst; i++) {
		d = &doc->st[i];
		if (d->effect != POL_DENY || (d->ncond > 0 && (!conditional || !deny_keys_fixed(d))))
			continue;
		if (pol_stmt_applies(d, req))
			return 1;
	}
	return 0;
}

/*
 * An AWS caller from account acct, in organization org (NULL: none), asking
 * for sts:AssumeRole: is it explicitly denied?
 */
static int
aws_caller_denied(const struct pol_doc *doc, const char *role_arn, const char *acct,
    const char *org)
{
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_request req;
	char *arn = xasprintf("arn:aws:iam::%s:root", acct), *path = NULL, *err = NULL;
	const char *v[1];
	int rc = 0;

	if (org != NULL) {
		v[0] = org;
		if (!pol_ctx_set(&ctx, "aws:PrincipalOrgID", POL_T_STRING, 0, v, 1, &err))
			goto out;
		path = xasprintf("%s/r-0000/", org);
		v[0] = path;
		if (!pol_ctx_set(&ctx, "aws:PrincipalOrgPaths", POL_T_STRING, 1, v, 1, &err))
			goto out;
	}
	memset(&req, 0, sizeof(req));
	req.principal_type = POL_P_AWS;
	req.principal = arn;
	req.principal_account = acct;
	req.action = "sts:AssumeRole";
	req.resource = role_arn;
	req.ctx = &ctx;
	rc = denied(doc, &req, 1);
out:
	pol_ctx_free(&ctx);
	free(arn);
	free(path);
	free(err);
	return rc;
}

/* A non-AWS caller (a service, a provider) denied without conditions. */
static int
other_caller_denied(const struct pol_doc *doc, const char *role_arn, enum pol_ptype type,
    const char *who, const char *action)
{
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_request req;

	memset(&req, 0, sizeof(req));
	req.principal_type = type;
	req.principal = who;
	req.action = action;
	req.resource = role_arn;
	req.ctx = &ctx;
	return denied(doc, &req, 0);
}

/* A web-identity subject or audience value pins (see struct pol_oidc_provider). */
static int
oidc_value_ok(const struct pol_oidc_provider *p, const char *suffix, const char *v,
    int *owner_wide)
{
	size_t plen, seg;

	if (v == NULL || *v == '\0' || *v == '*' || *v == '?')
		return 0;
	if (strcmp(suffix, "sub") != 0 || p->sub_prefix == NULL)
		return 1;
	plen = strlen(p->sub_prefix);
	if (strncasecmp(v, p->sub_prefix, plen) != 0)
		return 1;	/* a custom subject format: it starts with no wildcard */
	v += plen;
	seg = strcspn(v, p->sub_stop);
	if (seg == 0 || strcspn(v, "*?") < seg)
		return 0;
	if (v[seg] == '/' && v[seg + 1] == '*')
		*owner_wide = 1;
	return 1;
}

/*
 * Why host's callers are not pinned by one of the alternatives in need
 * ("aud|oaud|sub"), or NULL.  Caller frees.
 */
static char *
oidc_need(const struct pol_stmt *st, const struct pol_oidc_provider *p, const char *host,
    const char *need, int *owner_wide)
{
	char *alts = xstrdup(need), *save = NULL, *suffix, *key = NULL, *why = NULL;
	struct buf b = { NULL, 0, 0, 0 };
	const struct pol_cond *c;
	const char *bad = NULL;
	size_t i, j, hl = strlen(host);
	int ok, wide;

	for (suffix = strtok_r(alts, "|", &save); suffix != NULL;
	    suffix = strtok_r(NULL, "|", &save)) {
		for (i = 0; i < st->ncond; i++) {
			c = &st->cond[i];
			if (strncasecmp(c->key, host, hl) != 0 || c->key[hl] != ':' ||
			    strcasecmp(c->key + hl + 1, suffix) != 0)
				continue;
			if (!cond_positive(c)) {
				if (bad == NULL)
					bad = c->opname;
				continue;
			}
			wide = 0;
			for (ok = c->values.n > 0, j = 0; j < c->values.n && ok; j++)
				ok = oidc_value_ok(p, suffix, c->values.v[j], &wide);
			if (ok) {
				*owner_wide |= wide;
				goto out;
			}
			free(why);
			if (strcmp(suffix, "sub") == 0 && p->sub_prefix != NULL &&
			    strcmp(p->sub_prefix, "repo:") == 0)
				why = xasprintf("GitHub OIDC subject condition is a bare wildcard (%s)",
				    c->values.n ? c->values.v[j - 1] : "no value");
			else
				why = xasprintf("%s trust whose %s:%s condition is a wildcard (%s), "
				    "which pins nothing", p->name, host, suffix,
				    c->values.n ? c->values.v[j - 1] : "no value");
		}
	}
	if (why == NULL) {
		/* The first key named; the alternatives, if any, after it: "(or :oaud, :sub)". */
		key = xasprintf("%s:%.*s", host, (int)strcspn(need, "|"), need);
		free(alts);
		for (buf_reset(&b), suffix = strchr(need, '|'); suffix != NULL;
		    suffix = strchr(suffix + 1, '|'))
			buf_printf(&b, "%s:%.*s", b.len ? ", " : "", (int)strcspn(suffix + 1, "|"),
			    suffix + 1);
		alts = b.p != NULL ? buf_steal(&b) : xstrdup("");
		why = bad != NULL ?
		    xasprintf("%s trust whose %s condition is %s, which holds when the key is "
		    "absent or different: it pins nothing", p->name, key, bad) :
		    xasprintf("%s trust without a %s condition%s%s%s: any caller of that provider "
		    "can assume the role", p->name, key, *alts ? " (or " : "", alts, *alts ? ")" : "");
	}
	free(alts);
	free(key);
	return why;
out:
	free(why);
	free(alts);
	return NULL;
}

const struct pol_oidc_provider *
pol_oidc_lookup(const char *fed)
{
	const char *host = strstr(fed, ":oidc-provider/");
	size_t i;

	host = host != NULL ? host + strlen(":oidc-provider/") : fed;
	for (i = 0; i < pol_noidc_providers; i++)
		if (pol_glob(pol_oidc_providers[i].host, host, POL_GLOB_FOLD))
			return &pol_oidc_providers[i];
	return &pol_oidc_providers[pol_noidc_providers - 1];
}

static void
web_grant(struct pol_trust *t, const struct pol_stmt *st, const char *fed)
{
	const struct pol_oidc_provider *p = pol_oidc_lookup(fed);
	const char *host = strstr(fed, ":oidc-provider/");
	struct pol_trust_grant *g;
	size_t i;
	int wide = 0;

	host = host != NULL ? host + strlen(":oidc-provider/") : fed;
	g = grant_add(t, POL_CALLER_WEB, st, fed);
	g->provider = p;
	for (i = 0; p->need[i] != NULL && g->why == NULL; i++)
		g->why = oidc_need(st, p, host, p->need[i], &wide);
	g->owner_wide = g->why == NULL && wide;
}

/*
 * A wildcard AWS principal: the caller classes its conditions leave, from
 * the first pinning condition of the narrowest level.
 */
static void
wildcard_grant(struct pol_trust *t, const struct pol_stmt *st, const char *account,
    const char *org_id, const char *why_any)
{
	const struct pol_cond *best = NULL, *c;
	struct pol_trust_grant *g;
	enum pol_caller cls;
	char acct[13], *org;
	const char *v;
	size_t i;
	int k, bk = 0;

	for (i = 0; i < st->ncond; i++) {
		c = &st->cond[i];
		if (cond_pins(c, &k) && (best == NULL || pin_keys[k].kind < pin_keys[bk].kind)) {
			best = c;
			bk = k;
		}
	}
	if (best == NULL) {
		g = grant_add(t, POL_CALLER_ANYONE, st, NULL);
		g->why = xstrdup(why_any);
		return;
	}
	for (i = 0; i < best->values.n; i++) {
		v = best->values.v[i];
		switch (pin_keys[bk].kind) {
		case PIN_ACCOUNT:
		case PIN_ARN:
			if (pin_keys[bk].kind == PIN_ACCOUNT ? strlen(v) == 12 && pol_arn_account(v, acct) :
			    pol_arn_account(v, acct))
				cls = strcmp(acct, account) == 0 ? POL_CALLER_SAME_ACCOUNT :
				    POL_CALLER_ACCOUNT;
			else {
				cls = POL_CALLER_RESOURCE;
				snprintf(acct, sizeof(acct), "%s", "");
			}
			g = grant_add(t, cls, st, cls == POL_CALLER_RESOURCE ? v : acct);
			break;
		case PIN_ORG:
		case PIN_ORG_PATH:
			org = xstrndup(v, strcspn(v, "/"));
			cls = org_id == NULL ? POL_CALLER_ORG_UNKNOWN :
			    strcmp(org, org_id) == 0 ? POL_CALLER_ORG : POL_CALLER_OTHER_ORG;
			g = grant_add(t, cls, st, org);
			free(org);
			break;
		default:
			continue;
		}
		g->pin_key = pin_keys[bk].key;
	}
}

static int
grants_assume(const struct pol_stmt *st)
{
	return pol_match_action(st, "sts:AssumeRole") ||
	    pol_match_action(st, "sts:AssumeRoleWithWebIdentity") ||
	    pol_match_action(st, "sts:AssumeRoleWithSAML");
}

static void
read_statement(struct pol_trust *t, const struct pol_stmt *st, const char *account,
    const char *org_id)
{
	const struct pol_strs *s;
	char acct[13];
	size_t i;

	if (st->not_principal) {
		wildcard_grant(t, st, account, org_id,
		    "NotPrincipal with Allow admits every principal but the ones it names");
		return;
	}
	if (st->principal.any) {
		wildcard_grant(t, st, account, org_id, "Principal \"*\" admits any principal");
		return;
	}
	s = &st->principal.by[POL_P_AWS];
	for (i = 0; i < s->n; i++) {
		if (wild(s->v[i]))
			wildcard_grant(t, st, account, org_id, "{\"AWS\": \"*\"} admits any AWS principal");
		else if (pol_arn_account(s->v[i], acct))
			grant_add(t, strcmp(acct, account) == 0 ? POL_CALLER_SAME_ACCOUNT :
			    POL_CALLER_ACCOUNT, st, acct);
	}
	s = &st->principal.by[POL_P_SERVICE];
	for (i = 0; i < s->n; i++)
		grant_add(t, POL_CALLER_SERVICE, st, s->v[i])->source_guard = source_guarded(st);
	s = &st->principal.by[POL_P_FEDERATED];
	for (i = 0; i < s->n; i++) {
		if (strstr(s->v[i], ":saml-provider/") != NULL) {
			if (pol_match_action(st, "sts:AssumeRoleWithSAML"))
				grant_add(t, POL_CALLER_SAML, st, s->v[i]);
		} else if (pol_match_action(st, "sts:AssumeRoleWithWebIdentity"))
			web_grant(t, st, s->v[i]);
	}
}

/* Is grant g taken back by a Deny of the document (trust.h says when)? */
static int
grant_denied(const struct pol_doc *doc, const char *role_arn, const struct pol_trust_grant *g,
    const char *org_id)
{
	char acct[16], org[24];

	switch (g->cls) {
	case POL_CALLER_ANYONE:
	case POL_CALLER_OTHER_ORG:
	case POL_CALLER_ORG_UNKNOWN:
	case POL_CALLER_RESOURCE:
		unnamed(doc, "%012u", acct, sizeof(acct));
		if (g->cls == POL_CALLER_OTHER_ORG || g->cls == POL_CALLER_ORG_UNKNOWN)
			return aws_caller_denied(doc, role_arn, acct, g->who);
		unnamed(doc, "o-%010u", org, sizeof(org));
		return aws_caller_denied(doc, role_arn, acct, org) &&
		    aws_caller_denied(doc, role_arn, acct, NULL);
	case POL_CALLER_SAME_ACCOUNT:
	case POL_CALLER_ACCOUNT:
		return aws_caller_denied(doc, role_arn, g->who, org_id);
	case POL_CALLER_ORG:
		unnamed(doc, "%012u", acct, sizeof(acct));
		return aws_caller_denied(doc, role_arn, acct, org_id);
	case POL_CALLER_SERVICE:
		return other_caller_denied(doc, role_arn, POL_P_SERVICE, g->who, "sts:AssumeRole");
	case POL_CALLER_WEB:
		return other_caller_denied(doc, role_arn, POL_P_FEDERATED, g->who,
		    "sts:AssumeRoleWithWebIdentity");
	case POL_CALLER_SAML:
		return other_caller_denied(doc, role_arn, POL_P_FEDERATED, g->who,
		    "sts:AssumeRoleWithSAML");
	default:
		return 0;
	}
}

static void
grant_clear(struct pol_trust_grant *g)
{
	free(g->who);
	free(g->why);
}

void
pol_trust_read(const struct pol_doc *trust, const char *account, const char *org_id,
    struct pol_trust *out)
{
	char *role_arn = xasprintf("arn:aws:iam::%s:role/*", account);
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < trust->nst; i++)
		if (trust->st[i].effect == POL_ALLOW && grants_assume(&trust->st[i]))
			read_statement(out, &trust->st[i], account, org_id);
	for (i = j = 0; i < out->n; i++) {
		if (grant_denied(trust, role_arn, &out->g[i], org_id))
			grant_clear(&out->g[i]);
		else
			out->g[j++] = out->g[i];
	}
	out->n = j;
	free(role_arn);
}

void
pol_trust_free(struct pol_trust *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		grant_clear(&t->g[i]);
	free(t->g);
	memset(t, 0, sizeof(*t));
}
