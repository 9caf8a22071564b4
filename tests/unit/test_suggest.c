/*
 * The least-privilege policy (policy/suggest.h), three ways:
 *
 *  - cases as data: each tests/policy/suggest/NAME.json holds the current
 *    policies (and boundary), a last_accessed record, the period and the
 *    expected suggestion (or refusal), dropped services and notes;
 *  - mutations: a suggestion made wider in one way (a condition dropped, a
 *    resource widened, a Deny removed, a grant of a used action removed,
 *    a Deny added) must fail the check that guards it;
 *  - a property test over seeded random policies and usage: for every
 *    suggestion printed, the engine (pol_eval, independent of the checks)
 *    finds no request allowed by the suggestion that the current policies
 *    deny, and no request for a used action allowed by the current
 *    policies that the suggestion denies.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/policy.h"
#include "policy/suggest.h"
#include "t.h"

#define CASEDIR	"tests/policy/suggest"
#define ACCT	"123456789012"

/* ---- a small PRNG (xorshift64*), so that every run sees the same cases ---- */

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

#define PICK(a)	((a)[rnd(sizeof(a) / sizeof((a)[0]))])

/* ---- requests, decided by the engine on both sides ---------------------- */

static const char *const req_actions[] = {
	"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectAcl", "s3:ListBucket",
	"s3:RestoreObject", "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteQueue",
	"sts:AssumeRole", "sts:GetSessionToken", "iam:PassRole", "iam:CreateUser",
	"ec2:DescribeInstances", "ec2:RunInstances", "newsvc:Do",
};
static const char *const req_resources[] = {
	"arn:aws:s3:::a/x", "arn:aws:s3:::b/y", "arn:aws:s3:::a/secret", "arn:aws:s3:::home/alice/k",
	"arn:aws:sqs:us-east-1:" ACCT ":q1", "arn:aws:sqs:us-east-1:" ACCT ":q2",
	"arn:aws:iam::" ACCT ":role/r1", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-1", "*",
};
static const char *const req_principals[] = {
	"arn:aws:iam::" ACCT ":user/alice", "arn:aws:iam::" ACCT ":user/bob",
	"arn:aws:iam::" ACCT ":role/r1",
};

static void
ctx_one(struct pol_ctx *ctx, const char *key, enum pol_ctype type, const char *const *pool,
    size_t n)
{
	char *err = NULL;
	unsigned k = rnd((unsigned)n + 1);

	if (k < n && !pol_ctx_set(ctx, key, type, 0, &pool[k], 1, &err)) {
		printf("context %s: %s\n", key, err);
		abort();
	}
}

static void
random_ctx(struct pol_ctx *ctx)
{
	static const char *const bools[] = { "true", "false" };
	static const char *const ips[] = { "10.1.2.3", "192.0.2.7" };
	static const char *const teams[] = { "build", "ops", "sales" };

	ctx_one(ctx, "aws:SecureTransport", POL_T_BOOL, bools, 2);
	ctx_one(ctx, "aws:MultiFactorAuthPresent", POL_T_BOOL, bools, 2);
	ctx_one(ctx, "aws:SourceIp", POL_T_IP, ips, 2);
	ctx_one(ctx, "aws:PrincipalTag/team", POL_T_STRING, teams, 3);
}

static int
used(const struct pol_usage *u, const char *action)
{
	size_t i;

	for (i = 0; i < u->actions.n; i++)
		if (strcasecmp(u->actions.v[i], action) == 0)
			return 1;
	return 0;
}

/*
 * n random requests decided against the current documents and against the
 * suggestion (same boundary): 0 and a message on the first request the
 * suggestion allows and the current policies do not, or that the current
 * policies allow for a used action and the suggestion does not.
 */
static int
same_or_less(const struct pol_doc *const *docs, size_t ndocs, const struct pol_doc *boundary,
    const struct pol_doc *nd, const struct pol_usage *u, int n, char **why)
{
	struct pol_set olds = { docs, ndocs, boundary, NULL, 0, NULL, 0, NULL };
	struct pol_set news = { &nd, 1, boundary, NULL, 0, NULL, 0, NULL };
	struct pol_request r = { POL_P_AWS, NULL, NULL, NULL, NULL, NULL, NULL };
	struct pol_result ro, rn;
	struct pol_ctx ctx;
	int i, ok = 1;

	for (i = 0; i < n && ok; i++) {
		memset(&ctx, 0, sizeof(ctx));
		random_ctx(&ctx);
		r.principal = PICK(req_principals);
		r.action = rnd(3) == 0 && u->actions.n > 0 ? u->actions.v[rnd((unsigned)u->actions.n)] :
		    PICK(req_actions);
		r.resource = PICK(req_resources);
		r.ctx = &ctx;
		pol_eval(&olds, &r, &ro);
		pol_eval(&news, &r, &rn);
		if (rn.decision == POL_ALLOWED && ro.decision != POL_ALLOWED) {
			*why = xasprintf("new access: %s on %s by %s", r.action, r.resource, r.principal);
			ok = 0;
		} else if (ro.decision == POL_ALLOWED && rn.decision != POL_ALLOWED &&
		    used(u, r.action)) {
			*why = xasprintf("used action lost: %s on %s by %s (%s)", r.action, r.resource,
			    r.principal, rn.reason);
			ok = 0;
		}
		pol_result_free(&ro);
		pol_result_free(&rn);
		pol_ctx_free(&ctx);
	}
	return ok;
}

/* ---- cases as data --------------------------------------------------------- */

struct tcase {
	struct pol_doc	*docs[8];
	const char	*labels[8];
	size_t		 ndocs;
	struct pol_doc	*boundary;
	struct pol_usage u;
	struct pol_suggestion s;
};

static void
tcase_free(struct tcase *c)
{
	size_t i;

	for (i = 0; i < c->ndocs; i++)
		pol_free(c->docs[i]);
	pol_free(c->boundary);
	pol_usage_free(&c->u);
	pol_suggest_free(&c->s);
	memset(c, 0, sizeof(*c));
}

/* Compile the case's documents and usage, and suggest; 0 and a message for a malformed case. */
static int
tcase_run(struct tcase *c, const json_t *j, const char *name)
{
	static const char *const labels[] = { "policy 1", "policy 2", "policy 3", "policy 4",
		"policy 5", "policy 6", "policy 7", "policy 8" };
	const json_t *d;
	time_t since;
	char *err = NULL;
	size_t i;

	memset(c, 0, sizeof(*c));
	json_array_foreach(json_object_get(j, "policies"), i, d) {
		if (i >= 8 || (c->docs[i] = pol_parse(d, POL_IDENTITY, labels[i], &err)) == NULL) {
			printf("%s: policy %zu: %s\n", name, i + 1, err ? err : "too many");
			free(err);
			return 0;
		}
		c->labels[i] = labels[i];
		c->ndocs++;
	}
	if (json_object_get(j, "boundary") != NULL && (c->boundary = pol_parse(json_object_get(j,
	    "boundary"), POL_BOUNDARY, "boundary", &err)) == NULL) {
		printf("%s: boundary: %s\n", name, err);
		free(err);
		return 0;
	}
	if (!time_parse(jstr(j, "since"), &since) || !pol_usage_make(&c->u, json_object_get(j,
	    "usage"), since, (const struct pol_doc *const *)c->docs, c->ndocs, c->boundary, &err)) {
		printf("%s: usage or since: %s\n", name, err ? err : "no since");
		free(err);
		return 0;
	}
	pol_suggest((const struct pol_doc *const *)c->docs, c->labels, c->ndocs, c->boundary,
	    &c->u, NULL, &c->s);
	return 1;
}

static json_t *
note_services(const json_t *notes)
{
	json_t *a = json_array();
	const json_t *n;
	size_t i;

	json_array_foreach(notes, i, n)
		json_array_append_new(a, json_string(jstr(n, "service")));
	return a;
}

static void
check_case(const char *path, const char *name)
{
	const json_t *want;
	json_t *j, *notes;
	json_error_t je;
	struct tcase c;
	struct pol_doc *nd;
	char *got, *err = NULL;

	if ((j = json_load_file(path, 0, &je)) == NULL) {
		T(0, "%s: %s:%d", path, je.text, je.line);
		return;
	}
	want = json_object_get(j, "expect");
	if (!tcase_run(&c, j, name)) {
		T(0, "%s: malformed case", name);
		goto out;
	}
	got = c.s.policy ? json_dumps(c.s.policy, JSON_SORT_KEYS) : xstrdup("null");
	if (json_object_get(want, "policy") != NULL)
		T(c.s.policy != NULL && json_equal(c.s.policy, json_object_get(want, "policy")),
		    "%s: policy is %s (refused: %s)", name, got, c.s.refused ? c.s.refused : "-");
	if (jstr(want, "refused") != NULL)
		T(c.s.policy == NULL && c.s.refused != NULL && strstr(c.s.refused,
		    jstr(want, "refused")) != NULL, "%s: refused is \"%s\", policy %s", name,
		    c.s.refused ? c.s.refused : "(none)", got);
	T(c.s.empty == jbool(want, "empty", 0), "%s: empty is %d", name, c.s.empty);
	free(got);
	T(json_equal(c.s.dropped, json_object_get(want, "dropped")), "%s: dropped differs", name);
	notes = note_services(c.s.notes);
	got = json_dumps(c.s.notes, 0);
	T(json_equal(notes, json_object_get(want, "notes")), "%s: notes name other services: %s",
	    name, got);
	free(got);
	json_decref(notes);
	if (c.s.policy != NULL) {
		T(c.s.no_new_access && c.s.still_allowed, "%s: printed without both checks", name);
		nd = pol_parse(c.s.policy, POL_IDENTITY, "suggestion", &err);
		T(nd != NULL && same_or_less((const struct pol_doc *const *)c.docs, c.ndocs,
		    c.boundary, nd, &c.u, 2000, &err), "%s: %s", name, err ? err : "?");
		free(err);
		pol_free(nd);
	}
out:
	tcase_free(&c);
	json_decref(j);
}

static void
t_cases(void)
{
	struct dirent *e;
	DIR *dir;
	char *path;
	size_t n = 0, len;

	rng_state = 20261206;
	if ((dir = opendir(CASEDIR)) == NULL) {
		T(0, "cannot open %s", CASEDIR);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", CASEDIR, e->d_name);
		check_case(path, e->d_name);
		free(path);
		n++;
	}
	closedir(dir);
	T(n >= 8, "only %zu cases in %s", n, CASEDIR);
}

/* ---- mutations: each way of widening must fail its check --------------------- */

static struct pol_doc *
doc(const char *text, const char *name)
{
	char *err = NULL;
	struct pol_doc *d = pol_parse_text(text, POL_IDENTITY, name, &err);

	if (d == NULL) {
		printf("cannot parse %s: %s\n", text, err);
		abort();
	}
	return d;
}

#define V	"{\"Version\": \"2012-10-17\", \"Statement\": ["
#define TLS	"\"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}"
#define GOOD_ALLOW "{\"Effect\": \"Allow\", \"Action\": [\"s3:DeleteObject\", \"s3:GetObject\"], " \
	"\"Resource\": \"arn:aws:s3:::a/*\", " TLS "}"
#define GOOD_DENY "{\"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", " \
	"\"Resource\": \"arn:aws:s3:::a/secret\"}"

static void
t_mutations(void)
{
	static const struct {
		const char	*what, *doc;
		int		 no_new, still;
	} rows[] = {
		{ "the suggestion itself", V GOOD_ALLOW "," GOOD_DENY "]}", 1, 1 },
		{ "a condition dropped", V "{\"Effect\": \"Allow\", \"Action\": [\"s3:DeleteObject\", "
		  "\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::a/*\"}," GOOD_DENY "]}", 0, 1 },
		{ "a resource widened", V "{\"Effect\": \"Allow\", \"Action\": [\"s3:DeleteObject\", "
		  "\"s3:GetObject\"], \"Resource\": \"*\", " TLS "}," GOOD_DENY "]}", 0, 1 },
		{ "the current statement's own pattern", V "{\"Effect\": \"Allow\", \"Action\": "
		  "\"s3:*Object\", \"Resource\": \"arn:aws:s3:::a/*\", " TLS "}," GOOD_DENY "]}", 1, 1 },
		{ "a wider pattern", V "{\"Effect\": \"Allow\", \"Action\": \"s3:*\", "
		  "\"Resource\": \"arn:aws:s3:::a/*\", " TLS "}," GOOD_DENY "]}", 0, 1 },
		{ "a pattern a Deny meets, the Deny dropped", V "{\"Effect\": \"Allow\", \"Action\": "
		  "\"s3:*Object\", \"Resource\": \"arn:aws:s3:::a/*\", " TLS "}]}", 0, 1 },
		{ "the Deny removed", V GOOD_ALLOW "]}", 0, 1 },
		{ "an action not granted", V GOOD_ALLOW "," GOOD_DENY ",{\"Effect\": \"Allow\", "
		  "\"Action\": \"sqs:SendMessage\", \"Resource\": \"*\"}]}", 0, 1 },
		{ "a used action dropped", V "{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", "
		  "\"Resource\": \"arn:aws:s3:::a/*\", " TLS "}," GOOD_DENY "]}", 1, 0 },
		{ "a condition added", V "{\"Effect\": \"Allow\", \"Action\": [\"s3:DeleteObject\", "
		  "\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::a/*\", \"Condition\": {\"Bool\": "
		  "{\"aws:SecureTransport\": \"true\"}, \"StringEquals\": {\"aws:PrincipalTag/team\": "
		  "\"ops\"}}}," GOOD_DENY "]}", 1, 0 },
		{ "a Deny added", V GOOD_ALLOW "," GOOD_DENY ",{\"Effect\": \"Deny\", \"Action\": "
		  "\"s3:GetObject\", \"Resource\": \"*\"}]}", 1, 0 },
	};
	struct pol_doc *cur = doc(V "{\"Effect\": \"Allow\", \"Action\": \"s3:*Object\", "
	    "\"Resource\": \"arn:aws:s3:::a/*\", " TLS "}," GOOD_DENY "]}", "current"), *nd;
	const struct pol_doc *docs[1] = { cur };
	struct pol_usage u;
	char *why = NULL, a1[] = "s3:DeleteObject", a2[] = "s3:GetObject", *acts[] = { a1, a2 };
	size_t i;
	int a, b;

	memset(&u, 0, sizeof(u));
	u.actions.v = acts;
	u.actions.n = 2;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		nd = doc(rows[i].doc, "suggestion");
		a = pol_suggest_no_new_access(docs, NULL, 1, nd, &why);
		T(a == rows[i].no_new, "%s: no new access %d, want %d (%s)", rows[i].what, a,
		    rows[i].no_new, why ? why : "");
		free(why);
		b = pol_suggest_still_allowed(docs, NULL, 1, nd, &u, &why);
		T(b == rows[i].still, "%s: still allowed %d, want %d (%s)", rows[i].what, b,
		    rows[i].still, why ? why : "");
		free(why);
		/* The engine agrees where a check holds: that is the claim the check makes. */
		if (a && b)
			T(same_or_less(docs, 1, NULL, nd, &u, 500, &why), "%s: %s", rows[i].what, why);
		pol_free(nd);
	}
	pol_free(cur);
}

/* ---- the property: what is printed is never wider, and keeps what was used ---- */

static const char *const gen_actions[] = {
	"\"s3:*Object\"", "\"s3:GetObject\"", "\"s3:Put*\"", "[\"s3:GetObject\", \"s3:GetObjectAcl\"]",
	"\"sqs:*\"", "\"sqs:Send*\"", "\"sts:Get*\"", "\"iam:PassRole\"", "\"ec2:Describe*\"",
	"[\"s3:DeleteObject\", \"sqs:ReceiveMessage\"]", "\"newsvc:Do\"", "\"*\"", "\"s3:*\"",
};
static const char *const gen_notactions[] = { "\"iam:*\"", "[\"s3:Delete*\", \"iam:*\"]" };
static const char *const gen_resources[] = {
	"\"Resource\": \"*\"", "\"Resource\": \"arn:aws:s3:::a/*\"",
	"\"Resource\": [\"arn:aws:s3:::a/*\", \"arn:aws:s3:::b/*\"]",
	"\"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"",
	"\"Resource\": \"arn:aws:sqs:*:" ACCT ":q1\"", "\"NotResource\": \"arn:aws:s3:::a/secret\"",
	"\"Resource\": \"arn:aws:iam::" ACCT ":role/*\"",
};
static const char *const gen_conds[] = {
	"", "", "", ", " TLS, ", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}",
	", \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": [\"build\", \"ops\"]}}",
	", \"Condition\": {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}}",
};
static const char *const gen_services[] = { "s3", "sqs", "sts", "iam", "ec2", "newsvc" };
static const char *const gen_tracked[] = {
	"GetObject", "PutObject", "DeleteObject", "ReplicateObject", "RestoreObject", "ListBucket",
};

static char *
gen_doc(int deny_share)
{
	struct buf b = { 0 };
	unsigned i, n = 1 + rnd(3);
	int deny;

	buf_printf(&b, "{\"Version\": \"%s\", \"Statement\": [", rnd(8) ? "2012-10-17" : "2008-10-17");
	for (i = 0; i < n; i++) {
		deny = (int)rnd(10) < deny_share;
		buf_printf(&b, "%s{\"Effect\": \"%s\", ", i ? ", " : "", deny ? "Deny" : "Allow");
		if (rnd(10) == 0)
			buf_printf(&b, "\"NotAction\": %s, ", PICK(gen_notactions));
		else
			buf_printf(&b, "\"Action\": %s, ", PICK(gen_actions));
		buf_printf(&b, "%s%s}", PICK(gen_resources), PICK(gen_conds));
	}
	buf_adds(&b, "]}");
	return buf_steal(&b);
}

/* A last_accessed record: services used or not, s3 mostly tracked at action level. */
static json_t *
gen_usage(void)
{
	json_t *svcs = json_array(), *s, *tr;
	size_t i, k;

	for (i = 0; i < sizeof(gen_services) / sizeof(gen_services[0]); i++) {
		if (rnd(4) == 0)
			continue;
		s = json_pack("{s:s}", "ServiceNamespace", gen_services[i]);
		if (rnd(3) != 0)
			json_object_set_new(s, "LastAuthenticated", json_string(rnd(4) ?
			    "2026-11-20T08:15:00Z" : "2025-01-01T00:00:00Z"));
		if (strcmp(gen_services[i], "s3") == 0 && rnd(4) != 0) {
			tr = json_array();
			for (k = 0; k < sizeof(gen_tracked) / sizeof(gen_tracked[0]); k++)
				if (rnd(4) != 0)
					json_array_append_new(tr, rnd(2) ? json_pack("{s:s, s:s}", "ActionName",
					    gen_tracked[k], "LastAccessedTime", "2026-11-01T00:00:00Z") :
					    json_pack("{s:s}", "ActionName", gen_tracked[k]));
			json_object_set_new(s, "TrackedActionsLastAccessed", tr);
		}
		json_array_append_new(svcs, s);
	}
	return json_pack("{s:s, s:o}", "status", "ok", "ServicesLastAccessed", svcs);
}

static void
t_property(void)
{
	struct pol_doc *docs[4], *bnd, *nd;
	struct pol_usage u;
	struct pol_suggestion s;
	struct pcat_cache *cache = pcat_cache_new();
	json_t *rec;
	char *text, *err = NULL;
	size_t nd_, i;
	int n, printed = 0, refused = 0, empty = 0, failed = 0;
	time_t since = 1788220800;	/* 2026-09-01 */

	rng_state = 0x5eed2026ULL;
	for (n = 0; n < 2000 && failed < 3; n++) {
		nd_ = 1 + rnd(3);
		for (i = 0; i < nd_; i++) {
			text = gen_doc(i == 0 ? 2 : 4);
			docs[i] = doc(text, "current");
			free(text);
		}
		bnd = NULL;
		if (rnd(5) == 0) {
			text = gen_doc(1);
			docs[nd_] = doc(text, "boundary");
			bnd = docs[nd_];
			free(text);
		}
		rec = gen_usage();
		T(pol_usage_make(&u, rec, since, (const struct pol_doc *const *)docs, nd_, bnd, &err),
		    "case %d: %s", n, err);
		pol_suggest((const struct pol_doc *const *)docs, NULL, nd_, bnd, &u, cache, &s);
		if (s.policy != NULL) {
			printed++;
			nd = pol_parse(s.policy, POL_IDENTITY, "suggestion", &err);
			if (nd == NULL || !same_or_less((const struct pol_doc *const *)docs, nd_, bnd,
			    nd, &u, getenv("NREQ") ? atoi(getenv("NREQ")) : 60, &err)) {
				text = json_dumps(s.policy, 0);
				T(0, "case %d: %s\n  suggestion %s", n, err ? err : "does not parse", text);
				free(text);
				failed++;
			}
			free(err);
			err = NULL;
			pol_free(nd);
		} else if (s.empty)
			empty++;
		else {
			refused++;
			if (getenv("SUGGEST_DEBUG"))
				printf("refused: %s\n", s.refused);
		}
		pol_suggest_free(&s);
		pol_usage_free(&u);
		json_decref(rec);
		for (i = 0; i < nd_; i++)
			pol_free(docs[i]);
		pol_free(bnd);
	}
	pcat_cache_free(cache);
	printf("property: %d cases, %d printed, %d with nothing used, %d refused\n", n, printed,
	    empty, refused);
	/* A property over cases that are all refused would prove nothing. */
	T(printed >= n / 3, "only %d of %d suggestions printed", printed, n);
}

int
main(void)
{
	RUN(t_cases);
	RUN(t_mutations);
	RUN(t_property);
	return t_done();
}
