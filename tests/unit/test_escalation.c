/*
 * The escalation catalogue as data (policy/escalation.h): for every row,
 * a principal granted the row's actions escalates, and a Deny, a
 * permissions boundary or a resource constraint stops it; each case is
 * derived from the row itself, so a new row is tested by being added.
 * Then who may assume a role (pol_esc_can_assume).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/catalogue.h"
#include "policy/escalation.h"
#include "policy/policy.h"
#include "t.h"

#define ACCT	"123456789012"
#define ME	"arn:aws:iam::" ACCT ":user/alice"

static struct pol_doc *
doc(enum pol_kind kind, const char *text)
{
	char *err = NULL;
	struct pol_doc *d = pol_parse_text(text, kind, "test", &err);

	if (d == NULL) {
		printf("cannot parse %s: %s\n", text, err);
		abort();
	}
	return d;
}

/* The row's actions as a JSON array. */
static char *
actions_json(const struct pol_esc_method *m)
{
	struct buf b = { NULL, 0, 0, 0 };
	size_t k;

	buf_adds(&b, "[");
	for (k = 0; k < POL_ESC_MAXACT && m->actions[k] != NULL; k++)
		buf_printf(&b, "%s\"%s\"", k ? "," : "", m->actions[k]);
	buf_adds(&b, "]");
	return buf_steal(&b);
}

/* Whether the method of row m is among what docs (and boundary) allow. */
static int
escalates(const struct pol_esc_method *m, struct pol_doc **docs, size_t n, struct pol_doc *bnd)
{
	struct pol_esc_hit *hits;
	size_t i, nh;
	int found = 0;

	nh = pol_esc_find((const struct pol_doc *const *)docs, n, bnd, ME, "alice", &hits);
	for (i = 0; i < nh; i++)
		found |= hits[i].m == m;
	free(hits);
	return found;
}

static void
t_rows_known(void)
{
	size_t i, k, j;

	T(pol_nesc_methods >= 35, "only %zu methods", pol_nesc_methods);
	for (i = 0; i < pol_nesc_methods; i++) {
		const struct pol_esc_method *m = &pol_esc_methods[i];

		T(m->id && m->reach && m->target && m->source && m->actions[0], "row %zu incomplete", i);
		for (k = 0; k < POL_ESC_MAXACT && m->actions[k] != NULL; k++)
			T(pcat_action_find(m->actions[k]) >= 0, "%s: %s is not in the action catalogue",
			    m->id, m->actions[k]);
		for (j = 0; j < i; j++)
			T(strcmp(m->id, pol_esc_methods[j].id) != 0, "%s repeated", m->id);
	}
}

static void
t_each_row(void)
{
	struct pol_doc *d[2], *b;
	char *acts, *text;
	size_t i;

	for (i = 0; i < pol_nesc_methods; i++) {
		const struct pol_esc_method *m = &pol_esc_methods[i];
		int self = strncmp(m->target, "self: ", 6) == 0;

		acts = actions_json(m);

		/* Escalates: every action on every resource. */
		text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		    "\"Action\":%s,\"Resource\":\"*\"}]}", acts);
		d[0] = doc(POL_IDENTITY, text);
		free(text);
		T(escalates(m, d, 1, NULL), "%s: granted on \"*\" and not found", m->id);

		/* Stopped by a Deny of the first action, in another policy. */
		text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
		    "\"Action\":\"%s\",\"Resource\":\"*\"}]}", m->actions[0]);
		d[1] = doc(POL_IDENTITY, text);
		free(text);
		T(!escalates(m, d, 2, NULL), "%s: found despite a Deny", m->id);
		pol_free(d[1]);

		/* Stopped by a boundary that allows everything but the first action. */
		text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		    "\"NotAction\":\"%s\",\"Resource\":\"*\"}]}", m->actions[0]);
		b = doc(POL_BOUNDARY, text);
		free(text);
		T(!escalates(m, d, 1, b), "%s: found outside the boundary", m->id);
		pol_free(b);

		/* A boundary that allows it all stops nothing. */
		b = doc(POL_BOUNDARY, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		    "\"Action\":\"*\",\"Resource\":\"*\"}]}");
		T(escalates(m, d, 1, b), "%s: lost inside an open boundary", m->id);
		pol_free(b);
		pol_free(d[0]);

		/* Stopped by a resource constraint: the first action only on a resource of another type. */
		text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		    "\"Action\":%s,\"Resource\":\"arn:aws:s3:::" "some-bucket/*\"}]}", acts);
		d[0] = doc(POL_IDENTITY, text);
		free(text);
		T(!escalates(m, d, 1, NULL), "%s: found on an S3 object", m->id);
		pol_free(d[0]);

		/* On the user itself: escalation only for the methods that change its own permissions. */
		if (strstr(m->reach, ":user/") != NULL) {
			text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
			    "\"Action\":%s,\"Resource\":\"arn:aws:iam::*:user/${aws:username}\"}]}", acts);
			d[0] = doc(POL_IDENTITY, text);
			free(text);
			T(escalates(m, d, 1, NULL) == self, "%s: on itself, %s", m->id,
			    self ? "not found" : "found");
			pol_free(d[0]);
			/* A literal other user is another principal. */
			text = xasprintf("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
			    "\"Action\":%s,\"Resource\":\"arn:aws:iam::" ACCT ":user/admin\"}]}", acts);
			d[0] = doc(POL_IDENTITY, text);
			free(text);
			T(escalates(m, d, 1, NULL), "%s: on another user, not found", m->id);
			pol_free(d[0]);
		}
		free(acts);
	}
}

static void
t_conditional(void)
{
	struct pol_doc *d = doc(POL_IDENTITY, "{\"Version\":\"2012-10-17\",\"Statement\":[{"
	    "\"Effect\":\"Allow\",\"Action\":\"iam:CreateAccessKey\",\"Resource\":\"*\","
	    "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]}");
	struct pol_esc_hit *h;
	size_t n = pol_esc_find((const struct pol_doc *const *)&d, 1, NULL, ME, "alice", &h);

	T(n == 1, "%zu hits", n);
	if (n == 1) {
		T_STREQ(h[0].m->id, "iam-create-access-key");
		T(h[0].conditional, "not marked conditional");
		T(h[0].grant[0].st == &d->st[0], "wrong statement cited");
	}
	free(h);
	pol_free(d);
}

struct assume_case {
	const char	*name;
	const char	*identity;	/* NULL: none */
	const char	*trust;
	int		 want;
};

static const struct assume_case assume_cases[] = {
	{ "trust names the user, no identity grant needed", NULL,
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ME "\"},\"Action\":\"sts:AssumeRole\"}]}", 1 },
	{ "trust names the account, identity grants", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT ":root\"},\"Action\":\"sts:AssumeRole\"}]}", 1 },
	{ "trust names the account, no identity grant", NULL,
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"sts:AssumeRole\"}]}", 0 },
	{ "trust names the account, identity grants another role", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::" ACCT ":role/other\"}]}",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"sts:AssumeRole\"}]}", 0 },
	{ "trust with an MFA condition still admits", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]}", 1 },
	{ "trust denies the user", NULL,
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" ME "\"},\"Action\":\"sts:AssumeRole\"}]}", 0 },
	{ "service role: no user may assume it", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}", 0 },
	{ "identity grant taken back by a Deny", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"arn:aws:iam::*:role/admin\"}]}",
	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},\"Action\":\"sts:AssumeRole\"}]}", 0 },
};

static void
t_can_assume(void)
{
	struct pol_escalation via;
	struct pol_doc *id, *tr;
	size_t i;
	int got;

	for (i = 0; i < sizeof(assume_cases) / sizeof(assume_cases[0]); i++) {
		const struct assume_case *c = &assume_cases[i];

		id = c->identity ? doc(POL_IDENTITY, c->identity) : NULL;
		tr = doc(POL_TRUST, c->trust);
		got = pol_esc_can_assume((const struct pol_doc *const *)&id, id ? 1 : 0, NULL, ME,
		    "alice", "arn:aws:iam::" ACCT ":role/admin", tr, &via);
		T(got == c->want, "%s: %d, want %d", c->name, got, c->want);
		pol_free(id);
		pol_free(tr);
	}
}

int
main(void)
{
	RUN(t_rows_known);
	RUN(t_each_row);
	RUN(t_conditional);
	RUN(t_can_assume);
	return t_done();
}
