/*
 * Trust analysis by caller class (policy/trust.c) and effective permissions
 * over the catalogue (policy/effective.c), as tables of documents and the
 * answers they must give.  The glob and pinning cases of the old analyser's
 * test (tests/unit/test_policy.c, removed with checks/policy.c) live on here.
 */
#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/effective.h"
#include "policy/glob.h"
#include "policy/policy.h"
#include "policy/trust.h"
#include "tests/unit/t.h"

#define ACCT	"123456789012"
#define ORG	"o-abc123def4"

static struct pol_doc *
P(const char *text, enum pol_kind kind)
{
	char *err = NULL;
	struct pol_doc *d = pol_parse_text(text, kind, "test", &err);

	if (d == NULL) {
		printf("bad test policy: %s: %s\n", text, err);
		abort();
	}
	return d;
}

/* A trust policy of the statements given (JSON text, comma-separated), read into t. */
static struct pol_doc *
trust_read(struct pol_trust *t, const char *org, const char *stmts)
{
	char *text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[%s]}", stmts);
	struct pol_doc *d = P(text, POL_TRUST);

	pol_trust_read(d, ACCT, org, t);
	free(text);
	return d;
}

static void
t_glob(void)
{
	T(pol_glob("iam:PassRole", "iam:passrole", POL_GLOB_FOLD), "case-insensitive");
	T(pol_glob("iam:PassRol?", "iam:PassRole", POL_GLOB_FOLD), "question mark");
	T(!pol_glob("iam:PassRol?", "iam:PassRoles", POL_GLOB_FOLD), "? is one character");
	T(pol_glob("i*m:*Role", "iam:PassRole", POL_GLOB_FOLD), "two stars");
	T(pol_glob("a*b*c*d", "aXXbYYcZZd", 0) && !pol_glob("a*b*c*d", "aXXbYYcZZ", 0), "backtracking");
	T(pol_glob("arn:aws:iam::*:role/Ab?", "arn:aws:iam::1:role/Abc", 0), "case-sensitive ARN");
	T(!pol_glob("arn:aws:iam::*:role/ab?", "arn:aws:iam::1:role/Abc", 0), "ARNs keep case");
}

static void
t_glob_meet(void)
{
	static const struct { const char *a, *b; int meet; } cases[] = {
		{ "*", "arn:*:iam::*:role/*", 1 },
		{ "arn:aws:iam::*:role/*", "arn:*:iam::*:role/*", 1 },
		{ "arn:aws:iam::" ACCT ":role/app-*", "arn:*:iam::*:role/*", 1 },
		/* As plain strings a star spans colons; pol_arn_meet keeps fields apart. */
		{ "arn:aws:iam::" ACCT ":user/*", "arn:*:iam::*:role/*", 1 },
		{ "a?c", "a*d", 0 },
		{ "a?c", "*c", 1 },
		{ "abc", "abd", 0 },
		{ "", "*", 1 },
		{ "", "?", 0 },
		{ "x*y*z", "*q*", 1 },
	};
	size_t i;

	static const struct { const char *a, *b; int meet; } arns[] = {
		{ "arn:aws:iam::" ACCT ":user/*", "arn:*:iam::*:role/*", 0 },
		{ "arn:aws:s3:::bucket/*", "arn:*:iam::*:role/*", 0 },
		{ "arn:aws:iam::*:*", "arn:*:iam::*:role/*", 1 },
		{ "*", "arn:*:iam::*:role/*", 1 },
		{ "arn:aws:iam::1234567890?2:role/x", "arn:*:iam::*:role/*", 1 },
	};
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T(pol_glob_meet(cases[i].a, cases[i].b) == cases[i].meet &&
		    pol_glob_meet(cases[i].b, cases[i].a) == cases[i].meet,
		    "%s meets %s: want %d", cases[i].a, cases[i].b, cases[i].meet);
	for (i = 0; i < sizeof(arns) / sizeof(arns[0]); i++)
		T(pol_arn_meet(arns[i].a, arns[i].b) == arns[i].meet,
		    "ARN %s meets %s: want %d", arns[i].a, arns[i].b, arns[i].meet);
}

/* A trust statement (JSON text) and the classes the answer must hold, in order. */
static const struct {
	const char	*stmt;
	const char	*org;		/* this account's organization, NULL unknown */
	const char	*classes;	/* pol_caller_names joined by '|' */
	const char	*who;		/* the first grant's who, or NULL */
} trust_cases[] = {
	{ "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"" ORG "\"}}}", ORG, "this organization", ORG },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEquals\":{\"AWS:principalorgid\":\"o-other00000\"}}}", ORG,
	  "another organization", "o-other00000" },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"" ORG "\"}}}", NULL,
	  "an organization (this account's is unknown)", ORG },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":\"o-zzz/r-ab12/*\"}}}", ORG,
	  "another organization", "o-zzz" },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringLike\":{\"aws:PrincipalOrgPaths\":\"o-*/r-ab12/*\"}}}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEqualsIfExists\":{\"aws:PrincipalOrgID\":\"" ORG "\"}}}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"ForAllValues:StringEquals\":{\"aws:PrincipalOrgID\":\"" ORG "\"}}}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-other00000\"}}}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x\"}}}", ORG, "anyone", NULL },
	/* Conditions are ANDed: the account pin wins over the organization one. */
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-other00000\","
	  "\"aws:PrincipalAccount\":\"" ACCT "\"}}}", ORG, "this account", ACCT },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::777788889999:role/*\"}}}", ORG,
	  "another account", "777788889999" },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x\"}}}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
	  "\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bucket\"}}}", ORG, "a resource",
	  "arn:aws:s3:::bucket" },
	{ "{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" ACCT ":root\"},"
	  "\"Action\":\"sts:AssumeRole\"}", ORG, "anyone", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" ACCT "\",\"arn:aws:iam::210987654321:role/ci\"]},"
	  "\"Action\":\"sts:AssumeRole\"}", ORG, "this account|another account", ACCT },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"config.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}",
	  ORG, "a service", "config.amazonaws.com" },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::" ACCT ":saml-provider/okta\"},"
	  "\"Action\":\"sts:AssumeRoleWithSAML\"}", ORG, "a SAML provider", NULL },
	{ "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"graph.facebook.com\"},"
	  "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}", ORG, "a web identity", "graph.facebook.com" },
	/* Not a grant of an assume action: nobody. */
	{ "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:TagSession\"}", ORG, "", NULL },
};

static void
t_trust_classes(void)
{
	struct pol_doc *d;
	struct pol_trust t;
	struct buf got = { NULL, 0, 0, 0 };
	size_t i, k;

	for (i = 0; i < sizeof(trust_cases) / sizeof(trust_cases[0]); i++) {
		d = trust_read(&t, trust_cases[i].org, trust_cases[i].stmt);
		buf_reset(&got);
		buf_adds(&got, "");
		for (k = 0; k < t.n; k++)
			buf_printf(&got, "%s%s", k ? "|" : "", pol_caller_names[t.g[k].cls]);
		T(strcmp(got.p, trust_cases[i].classes) == 0, "case %zu: classes \"%s\", want \"%s\"",
		    i, got.p, trust_cases[i].classes);
		if (trust_cases[i].who != NULL)
			T(t.n > 0 && t.g[0].who != NULL && strcmp(t.g[0].who, trust_cases[i].who) == 0,
			    "case %zu: who %s, want %s", i, t.n && t.g[0].who ? t.g[0].who : "(none)",
			    trust_cases[i].who);
		pol_trust_free(&t);
		pol_free(d);
	}
	buf_free(&got);
}

/* Denies: taken back only when an outsider is shown denied on keys it cannot choose. */
static void
t_trust_denies(void)
{
	static const struct { const char *deny; size_t left; } cases[] = {
		{ "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}", 0 },
		{ "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
		  "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"" ORG "\"}}}", 0 },
		/* Tags are the caller's to choose: might not apply. */
		{ "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
		  "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalTag/team\":\"x\"}}}", 1 },
		/* Denies one named account: others stay in. */
		{ "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
		  "\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":\"000000000000\"}}}", 1 },
		{ "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:TagSession\"}", 1 },
	};
	struct pol_trust t;
	struct pol_doc *d;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = xasprintf("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
		    "\"Action\":\"sts:AssumeRole\"},%s", cases[i].deny);
		d = trust_read(&t, ORG, text);
		T(t.n == cases[i].left, "deny %zu: %zu grants left, want %zu", i, t.n, cases[i].left);
		pol_trust_free(&t);
		pol_free(d);
		free(text);
	}
}

/* Web identity: each provider's keys (pinned or not), through the answer's why. */
static void
t_trust_web(void)
{
	static const struct { const char *fed, *cond; int pinned, wide; } cases[] = {
		{ "token.actions.githubusercontent.com", "{\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:acme/app:*\"}}", 1, 0 },
		{ "token.actions.githubusercontent.com", "{\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:acme/*\"}}", 1, 1 },
		{ "token.actions.githubusercontent.com", "{\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:*/app:*\"}}", 0, 0 },
		{ "token.actions.githubusercontent.com", "{\"StringEquals\":{\"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\"}}", 0, 0 },
		{ "www.amazon.com", "{\"StringEquals\":{\"www.amazon.com:app_id\":\"amzn1.app\"}}", 1, 0 },
		{ "www.amazon.com", "{\"StringEquals\":{\"www.amazon.com:aud\":\"amzn1.app\"}}", 0, 0 },
		{ "graph.facebook.com", "{\"StringEquals\":{\"graph.facebook.com:app_id\":\"1\"}}", 1, 0 },
		{ "accounts.google.com", "{\"StringEquals\":{\"accounts.google.com:oaud\":\"x\"}}", 1, 0 },
		{ "accounts.google.com", "{\"StringNotEquals\":{\"accounts.google.com:aud\":\"x\"}}", 0, 0 },
		{ "cognito-identity.amazonaws.com", "{\"StringEquals\":{\"cognito-identity.amazonaws.com:aud\":\"us-east-1:x\"}}", 1, 0 },
		{ "cognito-identity.amazonaws.com", "{\"StringEqualsIfExists\":{\"cognito-identity.amazonaws.com:aud\":\"us-east-1:x\"}}", 0, 0 },
		{ "oidc.eks.us-east-1.amazonaws.com/id/AB", "{\"StringEquals\":{\"oidc.eks.us-east-1.amazonaws.com/id/AB:sub\":\"system:serviceaccount:ns:sa\",\"oidc.eks.us-east-1.amazonaws.com/id/AB:aud\":\"sts.amazonaws.com\"}}", 1, 0 },
		{ "oidc.eks.us-east-1.amazonaws.com/id/AB", "{\"StringLike\":{\"oidc.eks.us-east-1.amazonaws.com/id/AB:sub\":\"system:serviceaccount:*:sa\",\"oidc.eks.us-east-1.amazonaws.com/id/AB:aud\":\"sts.amazonaws.com\"}}", 0, 0 },
		{ "gitlab.com", "{\"StringLike\":{\"gitlab.com:sub\":\"project_path:acme/app:*\",\"gitlab.com:aud\":\"https://gitlab.com\"}}", 1, 0 },
		{ "app.terraform.io", "{\"StringLike\":{\"app.terraform.io:sub\":\"organization:*:project:*\",\"app.terraform.io:aud\":\"aws.workload.identity\"}}", 0, 0 },
		{ "oidc.circleci.com/org/X", "{\"StringLike\":{\"oidc.circleci.com/org/X:sub\":\"org/X/project/*\",\"oidc.circleci.com/org/X:aud\":\"X\"}}", 1, 0 },
		{ "id.example.com", "{\"StringEquals\":{\"id.example.com:aud\":\"client\"}}", 1, 0 },
		{ "id.example.com", "{\"ForAllValues:StringEquals\":{\"id.example.com:aud\":\"client\"}}", 0, 0 },
	};
	struct pol_trust t;
	struct pol_doc *d;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = xasprintf("{\"Effect\":\"Allow\","
		    "\"Principal\":{\"Federated\":\"arn:aws:iam::" ACCT ":oidc-provider/%s\"},"
		    "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":%s}",
		    cases[i].fed, cases[i].cond);
		d = trust_read(&t, ORG, text);
		T(t.n == 1 && t.g[0].cls == POL_CALLER_WEB, "web %zu: one web grant", i);
		if (t.n == 1) {
			T((t.g[0].why == NULL) == cases[i].pinned, "web %zu (%s): pinned %d, why %s", i,
			    t.g[0].provider->name, cases[i].pinned, t.g[0].why ? t.g[0].why : "(none)");
			T(t.g[0].owner_wide == cases[i].wide, "web %zu: owner-wide %d", i, t.g[0].owner_wide);
		}
		pol_trust_free(&t);
		pol_free(d);
		free(text);
	}
}

/* Identity documents (their Statement arrays), a boundary, and the answers. */
static const struct {
	const char	*docs[3];
	const char	*boundary;
	int		 admin, iam_full;
	const char	*escalations;	/* comma-separated, "" for none */
} eff_cases[] = {
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]" }, NULL, 1, 1, "all" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":[\"*:a*\",\"*:b*\",\"*:c*\",\"*:d*\",\"*:e*\",\"*:f*\",\"*:g*\","
	    "\"*:h*\",\"*:i*\",\"*:j*\",\"*:k*\",\"*:l*\",\"*:m*\"],\"Resource\":\"*\"}]",
	    "[{\"Effect\":\"Allow\",\"Action\":[\"*:n*\",\"*:o*\",\"*:p*\",\"*:q*\",\"*:r*\",\"*:s*\",\"*:t*\","
	    "\"*:u*\",\"*:v*\",\"*:w*\",\"*:x*\",\"*:y*\",\"*:z*\"],\"Resource\":\"arn:*:*:*:*:*\"}]" },
	  NULL, 1, 1, "all" },
	{ { "[{\"Effect\":\"Allow\",\"NotAction\":\"newsvc:Do\",\"Resource\":\"*\"}]" }, NULL, 1, 1, "all" },
	{ { "[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]" }, NULL, 0, 0, "sts:AssumeRole" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
	    "{\"Effect\":\"Deny\",\"NotAction\":\"s3:GetObject\",\"Resource\":\"*\"}]" }, NULL, 0, 0, "" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
	    "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]" },
	  NULL, 1, 1, "all" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]" },
	  "[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]", 0, 0, "" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"arn:aws:iam::" ACCT ":role/*\"}]" }, NULL, 0, 0,
	  "iam:PassRole,iam:AttachRolePolicy,iam:PutRolePolicy,iam:UpdateAssumeRolePolicy" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::" ACCT ":role/one\"}]" },
	  NULL, 0, 0, "" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:PutRolePolicy\",\"Resource\":\"arn:aws:iam::" ACCT ":role/self*\"}]" },
	  NULL, 0, 0, "iam:PutRolePolicy" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:CreateAccessKey\",\"Resource\":\"arn:aws:iam::" ACCT ":user/${aws:username}\"}]" },
	  NULL, 0, 0, "" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:CreateAccessKey\",\"Resource\":\"arn:aws:iam::" ACCT ":user/${aws:PrincipalTag/x}\"}]" },
	  NULL, 0, 0, "iam:CreateAccessKey" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::*:role/*\"},"
	    "{\"Effect\":\"Deny\",\"Action\":\"sts:*\",\"Resource\":\"arn:aws:iam::*:role/*\"}]" }, NULL, 0, 0, "" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"NotResource\":\"arn:aws:iam::" ACCT ":role/admin\"}]" },
	  NULL, 0, 0, "iam:PassRole" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]" },
	  "[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::" ACCT ":role/app-*\"}]",
	  0, 0, "iam:PassRole" },
	{ { "[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]" },
	  "[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]", 0, 0, "" },
};

static void
t_effective(void)
{
	struct pol_docsum sums[3], bsum;
	const struct pol_docsum *sp[3];
	const struct pol_doc *dp[3];
	struct pol_doc *docs[3], *b;
	struct pol_effective e;
	struct pol_escalation *esc;
	struct pcat_cache *cache = pcat_cache_new();
	struct buf got = { NULL, 0, 0, 0 };
	size_t i, k, n, ne;
	char *text;

	for (i = 0; i < sizeof(eff_cases) / sizeof(eff_cases[0]); i++) {
		for (n = 0; n < 3 && eff_cases[i].docs[n] != NULL; n++) {
			text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":%s}", eff_cases[i].docs[n]);
			docs[n] = P(text, POL_IDENTITY);
			free(text);
			pol_docsum_make(&sums[n], docs[n], cache);
			sp[n] = &sums[n];
			dp[n] = docs[n];
		}
		b = NULL;
		if (eff_cases[i].boundary != NULL) {
			text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":%s}", eff_cases[i].boundary);
			b = P(text, POL_BOUNDARY);
			free(text);
			pol_docsum_make(&bsum, b, cache);
		}
		pol_effective_make(&e, sp, n, b ? &bsum : NULL);
		T(pol_effective_admin(&e) == eff_cases[i].admin, "case %zu: admin %d", i, !eff_cases[i].admin);
		T(pol_effective_service_full(&e, "iam") == eff_cases[i].iam_full, "case %zu: iam full", i);
		ne = pol_escalations(dp, n, b, "arn:aws:iam::" ACCT ":role/self", NULL, &esc);
		buf_reset(&got);
		buf_adds(&got, "");
		for (k = 0; k < ne; k++)
			buf_printf(&got, "%s%s", k ? "," : "", esc[k].action);
		if (strcmp(eff_cases[i].escalations, "all") == 0)
			T(ne == pol_nescalation_actions, "case %zu: %zu escalations (%s), want all", i, ne, got.p);
		else
			T(strcmp(got.p, eff_cases[i].escalations) == 0, "case %zu: escalations \"%s\", want \"%s\"",
			    i, got.p, eff_cases[i].escalations);
		free(esc);
		pol_effective_free(&e);
		for (k = 0; k < n; k++) {
			pol_docsum_free(&sums[k]);
			pol_free(docs[k]);
		}
		if (b != NULL) {
			pol_docsum_free(&bsum);
			pol_free(b);
		}
	}
	buf_free(&got);
	pcat_cache_free(cache);
}

/* Unknown actions are kept by name; a NotAction of only unknown ones excludes nothing known. */
static void
t_unknown_names(void)
{
	struct pol_doc *d = P("{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":[\"newsvc:Do\",\"s3:GetObject\",\"*:Zzzz*\"],\"Resource\":\"*\"},"
	    "{\"Effect\":\"Allow\",\"NotAction\":\"other:Thing\",\"Resource\":\"*\"}]}", POL_IDENTITY);
	struct pol_docsum s;

	pol_docsum_make(&s, d, NULL);
	T(s.unknown.n == 1 && strcmp(s.unknown.v[0], "newsvc:Do") == 0,
	    "unknown Allow kept; a wildcard-service pattern matching nothing names nothing");
	T(s.excluded.n == 1 && strcmp(s.excluded.v[0], "other:Thing") == 0, "unknown NotAction kept");
	T(pcat_set_is_full(&s.allow_all) && s.not_action && s.full_stmt == &d->st[1], "still every action");
	pol_docsum_free(&s);
	pol_free(d);
}

int
main(void)
{
	RUN(t_glob);
	RUN(t_glob_meet);
	RUN(t_trust_classes);
	RUN(t_trust_denies);
	RUN(t_trust_web);
	RUN(t_effective);
	RUN(t_unknown_names);
	return t_done();
}
