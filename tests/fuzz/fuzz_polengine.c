/*
 * Fuzz target: an IAM policy document through the engine (policy/).  The
 * input is parsed as every kind of document (JSON, JSON text or URL-encoded
 * text, as pol_parse_text takes it); a document that parses is evaluated
 * in every role a policy set has, for requests whose context feeds policy
 * variables and every operator family, and its statements go through the
 * single-statement API that trust analysis uses.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/escalation.h"
#include "policy/policy.h"
#include "tests/fuzz/fuzz.h"

static const struct polfuzz_req {
	enum pol_ptype	 type;
	const char	*principal;
	const char	*action;
	const char	*resource;
} polfuzz_reqs[] = {
	{ POL_P_AWS, "arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/alice/k" },
	{ POL_P_AWS, "arn:aws:sts::444455556666:assumed-role/app/s", "sts:AssumeRole", "arn:aws:iam::111122223333:role/app" },
	{ POL_P_AWS, "arn:aws:iam::111122223333:root", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1" },
	{ POL_P_SERVICE, "ec2.amazonaws.com", "iam:PassRole", "arn:aws:iam::111122223333:role/x" },
	{ POL_P_AWS, NULL, "s3:GetObject", "arn:aws:s3:::pub/x" },
};

static void
polfuzz_ctx(struct pol_ctx *ctx)
{
	static const char *const one[][2] = {
		{ "aws:PrincipalTag/team", "red" }, { "aws:SourceIp", "203.0.113.5" },
		{ "aws:CurrentTime", "2024-06-01T00:00:00Z" }, { "aws:EpochTime", "1717200000" },
		{ "aws:MultiFactorAuthAge", "300" }, { "aws:MultiFactorAuthPresent", "true" },
		{ "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t" }, { "aws:UserAgent", "QmluYXJ5" },
		{ "aws:PrincipalTag/empty", "" }, { "aws:SourceIpv6", "2001:db8::1" },
	};
	static const char *const set[] = { "env", "team", "a*b" };
	size_t i;

	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		pol_ctx_set(ctx, one[i][0], POL_T_STRING, 0, &one[i][1], 1, NULL);
	pol_ctx_set(ctx, "aws:TagKeys", POL_T_STRING, 1, set, 3, NULL);
	pol_ctx_set(ctx, "aws:CalledVia", POL_T_STRING, 1, set, 0, NULL);
}

/*
 * The escalation questions (policy/escalation.h): an identity document as
 * a user's, a boundary over an open policy, a trust policy for who may
 * assume its role.
 */
static void
polfuzz_escalation(const struct pol_doc *d, enum pol_kind kind)
{
	struct pol_doc *open = pol_parse_text("{\"Version\":\"2012-10-17\",\"Statement\":[{"
	    "\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}", POL_IDENTITY, "open", NULL);
	const struct pol_doc *docs[1];
	struct pol_esc_hit *hits = NULL;
	struct pol_escalation via;
	const char *me = "arn:aws:iam::123456789012:user/alice";

	if (open == NULL)
		abort();
	docs[0] = kind == POL_IDENTITY ? d : open;
	if (kind == POL_IDENTITY || kind == POL_BOUNDARY) {
		pol_esc_find(docs, 1, kind == POL_BOUNDARY ? d : NULL, me, "alice", &hits);
		free(hits);
	}
	if (kind == POL_TRUST)
		pol_esc_can_assume(docs, 1, NULL, me, "alice", "arn:aws:iam::123456789012:role/r", d, &via);
	pol_free(open);
}

int
fuzz_polengine(const uint8_t *data, size_t size)
{
	struct pol_doc *d;
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_request r;
	struct pol_result res;
	struct pol_set set;
	struct pol_level lv;
	const struct pol_doc *one[1];
	char *text = fuzz_strdup(data, size), *err = NULL, *label;
	size_t i, k, j;
	int kind;

	polfuzz_ctx(&ctx);
	for (kind = 0; kind < POL_NKINDS; kind++) {
		if ((d = pol_parse_text(text, (enum pol_kind)kind, "fuzz", &err)) == NULL) {
			free(err);
			err = NULL;
			continue;
		}
		one[0] = d;
		lv.doc = one;
		lv.n = 1;
		for (i = 0; i < sizeof(polfuzz_reqs) / sizeof(polfuzz_reqs[0]); i++) {
			memset(&r, 0, sizeof(r));
			r.principal_type = polfuzz_reqs[i].type;
			r.principal = polfuzz_reqs[i].principal;
			r.action = polfuzz_reqs[i].action;
			r.resource = polfuzz_reqs[i].resource;
			r.ctx = &ctx;
			memset(&set, 0, sizeof(set));
			switch (kind) {
			case POL_IDENTITY:
				set.identity = one;
				set.nidentity = 1;
				break;
			case POL_BOUNDARY:
				set.identity = one;
				set.nidentity = 1;
				set.boundary = d;
				break;
			case POL_SCP:
				set.scp = &lv;
				set.nscp = 1;
				break;
			case POL_RCP:
				set.rcp = &lv;
				set.nrcp = 1;
				break;
			default:
				set.resource = d;
				break;
			}
			pol_eval(&set, &r, &res);
			for (k = 0; k < res.ncite; k++) {
				label = pol_stmt_label(&res.cite[k].doc->st[res.cite[k].stmt]);
				free(label);
			}
			pol_result_free(&res);
			for (k = 0; k < d->nst && k < 64; k++) {
				pol_stmt_applies(&d->st[k], &r);
				for (j = 0; j < d->st[k].ncond && j < 64; j++)
					pol_match_cond(&d->st[k].cond[j], &r);
			}
		}
		polfuzz_escalation(d, (enum pol_kind)kind);
		pol_free(d);
	}
	pol_ctx_free(&ctx);
	free(text);
	return 0;
}
