/* iamgrade simulate: an offline `aws iam simulate-custom-policy` over the policy engine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/policy.h"
#include "cli/cli.h"

static const char simulate_usage[] =
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
    "\n"
    "  --policy FILE           an identity-based policy of the principal (repeatable)\n"
    "  --boundary FILE         the principal's permissions boundary\n"
    "  --scp FILE              one SCP level, root first (repeatable); a file holding\n"
    "                          a JSON array is a level with several SCPs\n"
    "  --rcp FILE              one resource control policy level (repeatable)\n"
    "  --resource-policy FILE  the resource's policy (a role's trust policy for\n"
    "                          sts:AssumeRole)\n"
    "  --action ACTION         e.g. s3:GetObject\n"
    "  --resource ARN          the resource the action is on\n"
    "  --principal P           the caller: an ARN (user, role, assumed-role session,\n"
    "                          account root), a service (ec2.amazonaws.com) or\n"
    "                          `anonymous`; default arn:aws:iam::ACCOUNT:user/simulated\n"
    "                          in the resource's account (123456789012 if it has none)\n"
    "  --context KEY=VALUES    a request context key with comma-separated values\n"
    "                          (repeatable).  Values are typed by key where AWS\n"
    "                          documents the type: Bool (aws:MultiFactorAuthPresent,\n"
    "                          aws:SecureTransport, ...), IP (aws:SourceIp), Date\n"
    "                          (aws:CurrentTime, ISO 8601 or epoch seconds), Numeric\n"
    "                          (aws:MultiFactorAuthAge), ARN (aws:SourceArn,\n"
    "                          aws:PrincipalArn); other keys are Strings.  Keys AWS\n"
    "                          documents as multivalued (aws:TagKeys,\n"
    "                          aws:PrincipalOrgPaths, ...) and keys given several\n"
    "                          values are sets.\n"
    "  --format FMT            text (default) or json:\n"
    "                          {\"decision\": \"allowed\"|\"explicit_deny\"|\"implicit_deny\",\n"
    "                           \"statements\": [{\"file\", \"kind\", \"index\", \"sid\"}...],\n"
    "                           \"reason\": \"...\"}\n"
    "\n"
    "Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 bad input\n"
    "(the error names the file and the fault).\n";

enum { O_POLICY = 256, O_BOUNDARY, O_SCP, O_RCP, O_RESOURCE_POLICY, O_ACTION, O_RESOURCE,
	O_PRINCIPAL, O_CONTEXT, O_FORMAT };

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

int
cmd_simulate(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, O_POLICY },
		{ "boundary", required_argument, NULL, O_BOUNDARY },
		{ "scp", required_argument, NULL, O_SCP },
		{ "rcp", required_argument, NULL, O_RCP },
		{ "resource-policy", required_argument, NULL, O_RESOURCE_POLICY },
		{ "action", required_argument, NULL, O_ACTION },
		{ "resource", required_argument, NULL, O_RESOURCE },
		{ "principal", required_argument, NULL, O_PRINCIPAL },
		{ "context", required_argument, NULL, O_CONTEXT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct docs all = { NULL, 0 };
	struct pol_ctx ctx = { NULL, 0 };
	struct pol_set set;
	struct pol_request req;
	struct pol_result res = { 0 };
	struct pol_level *scp = NULL, *rcp = NULL;
	const struct pol_doc **identity = NULL;
	const struct pol_doc **ptrs = NULL;
	size_t nscp = 0, nrcp = 0, nid = 0, n, i, k;
	const char *format = "text", *f, *acct_end, *respath = NULL;
	char *err = NULL, *defprincipal = NULL;
	int ch, rc = EXIT_USAGE, json, anonymous = 0;
	/* Levels are filled after all files are read: remember (kind, first doc, count). */
	struct { int what; size_t first, n; } *spans = NULL;
	size_t nspans = 0;

	memset(&set, 0, sizeof(set));
	memset(&req, 0, sizeof(req));
	req.principal_type = POL_P_AWS;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		enum pol_kind kind;

		switch (ch) {
		case O_RESOURCE_POLICY:
			if (respath != NULL) {
				usage_error("simulate", "--resource-policy given twice");
				goto out;
			}
			respath = optarg;
			break;
		case O_POLICY:
		case O_BOUNDARY:
		case O_SCP:
		case O_RCP:
			kind = ch == O_POLICY ? POL_IDENTITY : ch == O_BOUNDARY ? POL_BOUNDARY :
			    ch == O_SCP ? POL_SCP : POL_RCP;
			if (ch == O_BOUNDARY && set.boundary != NULL) {
				usage_error("simulate", "--boundary given twice");
				goto out;
			}
			k = all.n;
			if ((n = load(&all, optarg, kind, ch == O_SCP || ch == O_RCP, &err)) == 0) {
				fprintf(stderr, "iamgrade simulate: %s\n", err);
				goto out;
			}
			spans = xrealloc(spans, (nspans + 1) * sizeof(*spans));
			spans[nspans].what = ch;
			spans[nspans].first = k;
			spans[nspans++].n = n;
			if (ch == O_BOUNDARY)
				set.boundary = all.v[k];
			break;
		case O_ACTION:
			req.action = optarg;
			break;
		case O_RESOURCE:
			req.resource = optarg;
			break;
		case O_PRINCIPAL:
			anonymous = strcmp(optarg, "anonymous") == 0;
			req.principal_type = POL_P_AWS;
			req.principal = NULL;
			if (anonymous)
				break;
			if (strncmp(optarg, "arn:", 4) == 0)
				req.principal = optarg;
			else if (strchr(optarg, '.') != NULL && strchr(optarg, ':') == NULL) {
				req.principal_type = POL_P_SERVICE;
				req.principal = optarg;
			} else {
				usage_error("simulate", "--principal %s: want an ARN, a service name or `anonymous`",
				    optarg);
				goto out;
			}
			break;
		case O_CONTEXT:
			if (!add_context(&ctx, optarg, &err)) {
				usage_error("simulate", "%s", err);
				goto out;
			}
			break;
		case O_FORMAT:
			format = optarg;
			break;
		case 'h':
			fputs(simulate_usage, stdout);
			rc = EXIT_OK;
			goto out;
		default:
			usage_error("simulate", "unknown option '%s' (see --help)", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		usage_error("simulate", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		usage_error("simulate", "--format %s: want text or json", format);
		goto out;
	}
	json = strcmp(format, "json") == 0;
	if (req.action == NULL || req.resource == NULL) {
		usage_error("simulate", "--action and --resource are required (see --help)");
		goto out;
	}
	if (strcmp(req.action, "*") == 0 || strchr(req.action, ':') == NULL ||
	    strpbrk(req.action, "*?") != NULL) {
		usage_error("simulate", "--action %s: want one action, service:Action", req.action);
		goto out;
	}
	if (strncmp(req.resource, "arn:", 4) != 0 && strcmp(req.resource, "*") != 0) {
		usage_error("simulate", "--resource %s: want an ARN", req.resource);
		goto out;
	}
	/* For sts:AssumeRole* the resource policy is the role's trust policy (no Resource element). */
	if (respath != NULL) {
		k = all.n;
		if (load(&all, respath, strncasecmp(req.action, "sts:AssumeRole", 14) == 0 ?
		    POL_TRUST : POL_RESOURCE, 0, &err) == 0) {
			fprintf(stderr, "iamgrade simulate: %s\n", err);
			goto out;
		}
		set.resource = all.v[k];
	}
	/* With no --principal: a user in the resource's account. */
	if (req.principal == NULL && !anonymous) {
		f = req.resource;
		for (i = 0; i < 4 && f != NULL; i++)
			if ((f = strchr(f, ':')) != NULL)
				f++;
		acct_end = f ? strchr(f, ':') : NULL;
		if (f != NULL && acct_end != NULL && acct_end > f)
			defprincipal = xasprintf("arn:aws:iam::%.*s:user/simulated", (int)(acct_end - f), f);
		else
			defprincipal = xstrdup("arn:aws:iam::123456789012:user/simulated");
		req.principal = defprincipal;
	}

	ptrs = xcalloc(all.n + 1, sizeof(*ptrs));
	for (i = 0; i < all.n; i++)
		ptrs[i] = all.v[i];
	identity = xcalloc(all.n + 1, sizeof(*identity));
	scp = xcalloc(nspans + 1, sizeof(*scp));
	rcp = xcalloc(nspans + 1, sizeof(*rcp));
	for (i = 0; i < nspans; i++)
		switch (spans[i].what) {
		case O_POLICY:
			identity[nid++] = all.v[spans[i].first];
			break;
		case O_SCP:
			scp[nscp].doc = ptrs + spans[i].first;
			scp[nscp++].n = spans[i].n;
			break;
		case O_RCP:
			rcp[nrcp].doc = ptrs + spans[i].first;
			rcp[nrcp++].n = spans[i].n;
			break;
		}
	set.identity = identity;
	set.nidentity = nid;
	set.scp = scp;
	set.nscp = nscp;
	set.rcp = rcp;
	set.nrcp = nrcp;
	req.ctx = &ctx;

	pol_eval(&set, &req, &res);
	if (json)
		print_json(&res);
	else
		print_text(&res);
	rc = res.decision == POL_ALLOWED ? EXIT_OK : EXIT_FAILED;
out:
	pol_result_free(&res);
	for (i = 0; i < all.n; i++)
		pol_free(all.v[i]);
	free(all.v);
	free(ptrs);
	free(identity);
	free(scp);
	free(rcp);
	free(spans);
	free(defprincipal);
	free(err);
	pol_ctx_free(&ctx);
	return rc;
}
