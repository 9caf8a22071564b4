/* iamgrade simulate: an offline `aws iam simulate-custom-policy` over the policy engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/policy.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct simulate_args {
	struct cli_list	 policy, scp, rcp, context;
	const char	*boundary, *resource_policy, *action, *resource, *principal, *format;
};

static const struct cli_opt simulate_opts[] = {
	CLI_OPT(CLI_LIST, "policy", 0, struct simulate_args, policy, "FILE",
	  "an identity-based policy of the principal"),
	CLI_OPT(CLI_STRING, "boundary", 0, struct simulate_args, boundary, "FILE",
	  "the principal's permissions boundary", .flags = CLI_ONCE),
	CLI_OPT(CLI_LIST, "scp", 0, struct simulate_args, scp, "FILE",
	  "one SCP level, root first; a file holding\n"
	  "a JSON array is a level with several SCPs"),
	CLI_OPT(CLI_LIST, "rcp", 0, struct simulate_args, rcp, "FILE",
	  "one resource control policy level"),
	CLI_OPT(CLI_STRING, "resource-policy", 0, struct simulate_args, resource_policy, "FILE",
	  "the resource's policy (a role's trust policy for\nsts:AssumeRole)", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "action", 0, struct simulate_args, action, "ACTION",
	  "e.g. s3:GetObject"),
	CLI_OPT(CLI_STRING, "resource", 0, struct simulate_args, resource, "ARN",
	  "the resource the action is on"),
	CLI_OPT(CLI_STRING, "principal", 0, struct simulate_args, principal, "P",
	  "the caller: an ARN (user, role, assumed-role session,\n"
	  "account root), a service (ec2.amazonaws.com) or\n"
	  "`anonymous`; default arn:aws:iam::ACCOUNT:user/simulated\n"
	  "in the resource's account (123456789012 if it has none)"),
	CLI_OPT(CLI_LIST, "context", 0, struct simulate_args, context, "KEY=VALUES",
	  "a request context key with comma-separated values.\n"
	  "Values are typed by key where AWS\n"
	  "documents the type: Bool (aws:MultiFactorAuthPresent,\n"
	  "aws:SecureTransport, ...), IP (aws:SourceIp), Date\n"
	  "(aws:CurrentTime, ISO 8601 or epoch seconds), Numeric\n"
	  "(aws:MultiFactorAuthAge), ARN (aws:SourceArn,\n"
	  "aws:PrincipalArn); other keys are Strings.  Keys AWS\n"
	  "documents as multivalued (aws:TagKeys,\n"
	  "aws:PrincipalOrgPaths, ...) and keys given several\n"
	  "values are sets."),
	CLI_OPT(CLI_STRING, "format", 0, struct simulate_args, format, "FMT",
	  "text (default) or json:\n"
	  "{\"decision\": \"allowed\"|\"explicit_deny\"|\"implicit_deny\",\n"
	  " \"statements\": [{\"file\", \"kind\", \"index\", \"sid\"}...],\n"
	  " \"reason\": \"...\"}"),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_simulate = {
	"simulate", "evaluate one request against IAM policies offline (like simulate-custom-policy)",
	"usage: iamgrade simulate --policy FILE [--policy FILE...] [--boundary FILE]\n"
    "                         [--scp FILE...] [--rcp FILE...] [--resource-policy FILE]\n"
    "                         --action ACTION --resource ARN [--principal ARN]\n"
    "                         [--context KEY=VALUE[,VALUE...]]... [--format text|json]\n"
    "\n"
    "Evaluate one request against IAM policies offline, as AWS does: an explicit\n"
    "Deny anywhere wins; every SCP level must allow; identity policies are\n"
    "limited by the permissions boundary; across accounts the resource policy\n"
    "must allow too (docs/policy-engine.md).  Policies are JSON files (plain or\n"
    "URL-encoded, as IAM returns them); a document AWS would reject is an error.\n"
    "\n",
	simulate_opts,
	"Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 bad input\n"
	"(the error names the file and the fault).\n"
};

/* Every document read, for freeing; levels point into it. */
struct docs {
	struct pol_doc	**v;
	size_t		  n;
};

static struct pol_doc *
docs_add(struct docs *d, struct pol_doc *doc)
{
	d->v = xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = doc;
	return doc;
}

/*
 * Read FILE as documents of kind into d.  arrays: a JSON array holds
 * several documents (an SCP level).  Returns how many, 0 on error.
 */
static size_t
load(struct docs *d, const char *file, enum pol_kind kind, int arrays, char **err)
{
	char *text = NULL;
	json_t *j = NULL, *e;
	json_error_t je;
	struct pol_doc *doc;
	size_t len, i, n = 0;

	if (!file_read(file, 1 << 20, &text, &len, err))
		goto out;
	if (arrays && (j = json_loads(text, 0, &je)) != NULL && json_is_array(j)) {
		if (json_array_size(j) == 0) {
			err_set(err, "%s: an empty array of policies", file);
			goto out;
		}
		json_array_foreach(j, i, e) {
			char *name = xasprintf("%s[%zu]", file, i);

			doc = pol_parse(e, kind, name, err);
			free(name);
			if (doc == NULL) {
				n = 0;
				goto out;
			}
			docs_add(d, doc);
			n++;
		}
		goto out;
	}
	if ((doc = pol_parse_text(text, kind, file, err)) == NULL)
		goto out;
	docs_add(d, doc);
	n = 1;
out:
	json_decref(j);
	free(text);
	return n;
}

static int
add_context(struct pol_ctx *ctx, const char *arg, char **err)
{
	char *copy = xstrdup(arg), *eq, *p, *tok;
	const char **vals = NULL;
	size_t n = 0;
	enum pol_ctype type;
	int multi, rc = 0;

	if ((eq = strchr(copy, '=')) == NULL || eq == copy) {
		err_set(err, "--context %s: want KEY=VALUE[,VALUE...]", arg);
		goto out;
	}
	*eq = '\0';
	for (p = eq + 1; (tok = strsep(&p, ",")) != NULL; ) {
		vals = xrealloc(vals, (n + 1) * sizeof(*vals));
		vals[n++] = tok;
	}
	type = pol_key_type(copy, &multi);
	rc = pol_ctx_set(ctx, copy, type, multi || n > 1, vals, n, err);
out:
	free(vals);
	free(copy);
	return rc;
}

static void
print_text(const struct pol_result *res)
{
	static const char *const words[] = { "allowed", "explicit deny", "implicit deny" };
	size_t i;
	char *label, *line;

	printf("%s\n", words[res->decision]);
	for (i = 0; i < res->ncite; i++) {
		const struct pol_doc *d = res->cite[i].doc;

		label = pol_stmt_label(&d->st[res->cite[i].stmt]);
		line = xasprintf("  %s (%s policy): %s", d->name ? d->name : "-",
		    pol_kind_names[d->kind], label);
		printf("%s\n", str_sanitize_term(line));
		free(line);
		free(label);
	}
	if (res->decision == POL_IMPLICIT_DENY)
		printf("  %s\n", res->reason);
}

static void
print_json(const struct pol_result *res)
{
	json_t *o = json_object(), *a = json_array(), *s;
	size_t i;
	char *text;

	for (i = 0; i < res->ncite; i++) {
		const struct pol_doc *d = res->cite[i].doc;
		const struct pol_stmt *st = &d->st[res->cite[i].stmt];

		s = json_object();
		json_object_set_new(s, "file", json_string(d->name ? d->name : ""));
		json_object_set_new(s, "kind", json_string(pol_kind_names[d->kind]));
		json_object_set_new(s, "index", json_integer((json_int_t)st->index));
		json_object_set_new(s, "sid", st->sid ? json_string(st->sid) : json_null());
		json_array_append_new(a, s);
	}
	json_object_set_new(o, "decision", json_string(pol_decision_names[res->decision]));
	json_object_set_new(o, "statements", a);
	json_object_set_new(o, "reason", json_string(res->reason));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text);
	free(text);
	json_decref(o);
}

/* What one run holds: every document read, and where each level's documents start. */
struct sim {
	struct docs		  all;
	size_t			  nid, boundary;	/* identity docs are all.v[0..nid) */
	struct span { size_t first, n; } *scp, *rcp;	/* one per --scp / --rcp */
	const struct pol_doc	**ptrs, **identity;
	struct pol_level	 *scpl, *rcpl;
	char			 *defprincipal;
};

/* Read the files of one repeatable option as levels (spans) or single documents. */
static int
sim_load_list(struct sim *s, const struct cli_list *files, enum pol_kind kind,
    struct span **spans, char **err)
{
	size_t first, n;
	int i;

	if (spans != NULL)
		*spans = xcalloc((size_t)files->n + 1, sizeof(**spans));
	for (i = 0; i < files->n; i++) {
		first = s->all.n;
		if ((n = load(&s->all, files->v[i], kind, spans != NULL, err)) == 0)
			return 0;
		if (spans != NULL)
			(*spans)[i] = (struct span){ first, n };
	}
	return 1;
}

/* Read every policy file into s and set (the levels point into s). */
static int
sim_load(struct sim *s, const struct simulate_args *a, struct pol_set *set, char **err)
{
	size_t i, k;

	if (!sim_load_list(s, &a->policy, POL_IDENTITY, NULL, err))
		return 0;
	s->nid = s->all.n;
	if (a->boundary != NULL && load(&s->all, a->boundary, POL_BOUNDARY, 0, err) == 0)
		return 0;
	s->boundary = s->all.n - s->nid;
	if (!sim_load_list(s, &a->scp, POL_SCP, &s->scp, err) ||
	    !sim_load_list(s, &a->rcp, POL_RCP, &s->rcp, err))
		return 0;
	/* For sts:AssumeRole* the resource policy is the role's trust policy (no Resource element). */
	k = s->all.n;
	if (a->resource_policy != NULL && load(&s->all, a->resource_policy,
	    strncasecmp(a->action, "sts:AssumeRole", 14) == 0 ? POL_TRUST : POL_RESOURCE, 0, err) == 0)
		return 0;
	s->ptrs = xcalloc(s->all.n + 1, sizeof(*s->ptrs));
	for (i = 0; i < s->all.n; i++)
		s->ptrs[i] = s->all.v[i];
	s->identity = s->ptrs;
	s->scpl = xcalloc((size_t)a->scp.n + 1, sizeof(*s->scpl));
	s->rcpl = xcalloc((size_t)a->rcp.n + 1, sizeof(*s->rcpl));
	for (i = 0; i < (size_t)a->scp.n; i++)
		s->scpl[i] = (struct pol_level){ .doc = s->ptrs + s->scp[i].first, .n = s->scp[i].n };
	for (i = 0; i < (size_t)a->rcp.n; i++)
		s->rcpl[i] = (struct pol_level){ .doc = s->ptrs + s->rcp[i].first, .n = s->rcp[i].n };
	set->identity = s->identity;
	set->nidentity = s->nid;
	set->boundary = s->boundary ? s->all.v[s->nid] : NULL;
	set->scp = s->scpl;
	set->nscp = (size_t)a->scp.n;
	set->rcp = s->rcpl;
	set->nrcp = (size_t)a->rcp.n;
	set->resource = a->resource_policy != NULL ? s->all.v[k] : NULL;
	return 1;
}

/* --principal into req; with none, a user in the resource's account.  0: usage error. */
static int
sim_principal(struct sim *s, const char *p, struct pol_request *req)
{
	const char *f, *acct_end;
	int i;

	req->principal_type = POL_P_AWS;
	if (p != NULL && strcmp(p, "anonymous") == 0)
		return 1;
	if (p != NULL && strncmp(p, "arn:", 4) == 0) {
		req->principal = p;
		return 1;
	}
	if (p != NULL && strchr(p, '.') != NULL && strchr(p, ':') == NULL) {
		req->principal_type = POL_P_SERVICE;
		req->principal = p;
		return 1;
	}
	if (p != NULL) {
		usage_error("simulate", "--principal %s: want an ARN, a service name or `anonymous`", p);
		return 0;
	}
	f = req->resource;
	for (i = 0; i < 4 && f != NULL; i++)
		if ((f = strchr(f, ':')) != NULL)
			f++;
	acct_end = f ? strchr(f, ':') : NULL;
	if (f != NULL && acct_end != NULL && acct_end > f)
		s->defprincipal = xasprintf("arn:aws:iam::%.*s:user/simulated", (int)(acct_end - f), f);
	else
		s->defprincipal = xstrdup("arn:aws:iam::123456789012:user/simulated");
	req->principal = s->defprincipal;
	return 1;
}

/* The request's words, checked: 0 after a usage error. */
static int
sim_check_args(const struct simulate_args *a)
{
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0)
		return usage_error("simulate", "--format %s: want text or json", a->format), 0;
	if (a->action == NULL || a->resource == NULL)
		return usage_error("simulate", "--action and --resource are required (see --help)"), 0;
	if (strcmp(a->action, "*") == 0 || strchr(a->action, ':') == NULL ||
	    strpbrk(a->action, "*?") != NULL)
		return usage_error("simulate", "--action %s: want one action, service:Action", a->action), 0;
	if (strncmp(a->resource, "arn:", 4) != 0 && strcmp(a->resource, "*") != 0)
		return usage_error("simulate", "--resource %s: want an ARN", a->resource), 0;
	return 1;
}

static void
sim_free(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->all.n; i++)
		pol_free(s->all.v[i]);
	free(s->all.v);
	free(s->ptrs);
	free(s->scp);
	free(s->rcp);
	free(s->scpl);
	free(s->rcpl);
	free(s->defprincipal);
}

int
cmd_simulate(int argc, char *argv[])
{
	struct simulate_args a = { .format = "text" };
	struct sim s = { 0 };
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_set set = { 0 };
	struct pol_request req = { 0 };
	struct pol_result res = { 0 };
	char *err = NULL;
	int first, i, rc = EXIT_USAGE;

	if ((first = cli_parse(&cli_cmd_simulate, argc, argv, &a)) <= 0) {
		rc = first == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (first < argc) {
		usage_error("simulate", "unexpected argument '%s'", argv[first]);
		goto out;
	}
	if (!sim_check_args(&a))
		goto out;
	for (i = 0; i < a.context.n; i++)
		if (!add_context(&ctx, a.context.v[i], &err)) {
			usage_error("simulate", "%s", err);
			goto out;
		}
	req.action = a.action;
	req.resource = a.resource;
	if (!sim_principal(&s, a.principal, &req))
		goto out;
	if (!sim_load(&s, &a, &set, &err)) {
		fprintf(stderr, "iamgrade simulate: %s\n", err);
		goto out;
	}
	req.ctx = &ctx;
	pol_eval(&set, &req, &res);
	if (strcmp(a.format, "json") == 0)
		print_json(&res);
	else
		print_text(&res);
	rc = res.decision == POL_ALLOWED ? EXIT_OK : EXIT_FAILED;
out:
	pol_result_free(&res);
	sim_free(&s);
	free(err);
	pol_ctx_free(&ctx);
	cli_args_free(&cli_cmd_simulate, &a);
	return rc;
}
