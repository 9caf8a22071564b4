/* iamgrade suggest-policy: one principal's least-privilege policy, proven (policy/suggest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
#include "checks/grade.h"
#include "policy/suggest.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct suggest_args {
	const char	*principal, *format, *config;
};

static const struct cli_opt suggest_opts[] = {
	CLI_OPT(CLI_STRING, "principal", 0, struct suggest_args, principal, "ARN",
	  "the role or user (required)", .flags = CLI_ONCE),
	CLI_OPT(CLI_STRING, "format", 0, struct suggest_args, format, "FMT",
	  "text (default: what was kept and why, then the\n"
	  "policy) or json ({\"policy\", \"origins\", \"notes\",\n"
	  "\"dropped_services\", \"proof\", \"refused\", ...})"),
	CLI_OPT(CLI_STRING, "config", 0, struct suggest_args, config, "FILE",
	  "the check config (its unused_days is the period;\n"
	  "default 90 days)"),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_suggest = {
	"suggest-policy", "print the least-privilege policy of a role or user, proven",
	"usage: iamgrade suggest-policy SNAPSHOT --principal ARN [--format json|text]\n"
	"                               [--config FILE]\n"
	"\n"
	"Print a policy that grants what the principal used within the period\n"
	"(unused_days before the snapshot) and nothing more: the used actions where\n"
	"AWS tracks actions, else the service's granted actions, each in a copy of\n"
	"the statement that granted it (resources and conditions kept), with the\n"
	"denies that can apply.  It replaces the principal's identity-based\n"
	"policies (a user's groups' too); the boundary stays.  Two checks prove\n"
	"it: no new access, and every used action still allowed\n"
	"(docs/policy-engine.md); a suggestion that fails one is not printed.\n"
	"\n",
	suggest_opts,
	"Exit status: 0 printed (or nothing was used: no policy needed), 1 a check\n"
	"failed (the reason is printed, not the policy), 2 bad input or an unknown\n"
	"principal, 3 the snapshot lacks what is needed (last accessed not\n"
	"collected or not read for it, a policy the engine cannot read).\n"
};

/* The principal's record in authorization details and in last_accessed. */
static int
find_principal(const json_t *snap, const json_t *details, const char *arn, const json_t **entry,
    const char **kind, const json_t **rec, char **err)
{
	static const char *const lists[] = { "roles", "users" };
	const json_t *src = jpath(snap, "sources.last_accessed"), *e, *p;
	size_t i, k;

	*entry = *rec = NULL;
	if (details == NULL)
		return err_set(err, "the snapshot's authorization details were not read"),
		    EXIT_INCOMPLETE;
	for (k = 0; k < 2 && *entry == NULL; k++)
		json_array_foreach(json_object_get(details, lists[k]), i, e)
			if (jstr(e, "Arn") != NULL && strcmp(jstr(e, "Arn"), arn) == 0) {
				*entry = e;
				*kind = k == 0 ? "role" : "user";
				break;
			}
	if (*entry == NULL)
		return err_set(err, "no role or user %s in the snapshot", arn), EXIT_USAGE;
	if (src == NULL)
		return err_set(err, "the snapshot has no last_accessed (collected with "
		    "--no-last-accessed, or before it existed)"), EXIT_INCOMPLETE;
	if (jstr(src, "status") == NULL || strcmp(jstr(src, "status"), "ok") != 0)
		return err_set(err, "last_accessed is %s: %s", jstr(src, "status") ?
		    jstr(src, "status") : "?", json_string_value(jpath(src, "error.message")) ?
		    json_string_value(jpath(src, "error.message")) : "no data"), EXIT_INCOMPLETE;
	json_array_foreach(jpath(src, "data.principals"), i, p)
		if (jstr(p, "Arn") != NULL && strcmp(jstr(p, "Arn"), arn) == 0)
			*rec = p;
	if (*rec == NULL)
		return err_set(err, "last_accessed has no job for %s", arn), EXIT_INCOMPLETE;
	return EXIT_OK;
}

static void
print_sanitized(const char *prefix, const char *s)
{
	char *t = xstrdup(s ? s : "");

	printf("%s%s\n", prefix, str_sanitize_term(t));
	free(t);
}

static void
print_text(const struct pol_suggestion *s, const char *arn, int days)
{
	const json_t *v;
	char *doc;
	size_t i;

	print_sanitized("principal: ", arn);
	printf("period: %d days; granted: %zu catalogue actions; kept: %zu actions; %zu characters\n",
	    days, s->granted_actions, s->suggested_actions, s->chars);
	printf("proof: no new access %s, still allowed %s\n",
	    s->no_new_access ? "holds" : "not shown", s->still_allowed ? "holds" : "not shown");
	json_array_foreach(s->notes, i, v) {
		doc = xasprintf("not narrowed: %s: %s", jstr(v, "service"), jstr(v, "reason"));
		print_sanitized("", doc);
		free(doc);
	}
	json_array_foreach(s->dropped, i, v)
		print_sanitized(i == 0 ? "dropped (granted, not used): " : "  ", json_string_value(v));
	if (s->refused != NULL)
		print_sanitized(s->empty ? "no policy: " : "refused: ", s->refused);
	json_array_foreach(s->origins, i, v) {
		doc = xasprintf("statement %zu from %s", i + 1, json_string_value(v));
		print_sanitized("", doc);
		free(doc);
	}
	if (s->policy != NULL) {
		doc = json_dumps(s->policy, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", doc);
		free(doc);
	}
}

static void
print_json(const struct pol_suggestion *s, const char *arn, int days)
{
	json_t *o = json_pack("{s:s, s:i, s:O?, s:O, s:O, s:O, s:I, s:I, s:I, s:{s:b, s:b}, s:s?}",
	    "principal", arn, "period_days", days, "policy", s->policy, "origins", s->origins,
	    "notes", s->notes, "dropped_services", s->dropped,
	    "granted_actions", (json_int_t)s->granted_actions,
	    "suggested_actions", (json_int_t)s->suggested_actions, "chars", (json_int_t)s->chars,
	    "proof", "no_new_access", s->no_new_access, "still_allowed", s->still_allowed,
	    "refused", s->refused);
	char *doc = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	printf("%s\n", doc);
	free(doc);
	json_decref(o);
}

/* Load the principal, read its use, suggest; the exit status. */
static int
suggest(struct check_ctx *c, const json_t *snap, const struct suggest_args *a, int days)
{
	const json_t *entry, *rec;
	const char *kind, **labels = NULL;
	const struct pol_doc **docs = NULL;
	struct check_principal p = { 0 };
	struct pol_usage u = { 0 };
	struct pol_suggestion s = { 0 };
	char *err = NULL;
	size_t i;
	int rc;

	if ((rc = find_principal(snap, c->data[CHECK_SRC_AUTHORIZATION_DETAILS], a->principal,
	    &entry, &kind, &rec, &err)) != EXIT_OK)
		goto out;
	rc = EXIT_INCOMPLETE;
	if (!check_principal_load(c, entry, kind, &p)) {
		err = xasprintf("%s: %s", a->principal, p.err);
		goto out;
	}
	docs = xcalloc(p.ndocs + 1, sizeof(*docs));
	labels = xcalloc(p.ndocs + 1, sizeof(*labels));
	for (i = 0; i < p.ndocs; i++) {
		docs[i] = p.docs[i]->doc;
		labels[i] = p.docs[i]->label;
	}
	if (!pol_usage_make(&u, rec, c->now - (time_t)days * 86400, docs, p.ndocs,
	    p.boundary ? p.boundary->doc : NULL, &err))
		goto out;
	pol_suggest(docs, labels, p.ndocs, p.boundary ? p.boundary->doc : NULL, &u, NULL, &s);
	if (strcmp(a->format, "json") == 0)
		print_json(&s, a->principal, days);
	else
		print_text(&s, a->principal, days);
	rc = s.refused != NULL && !s.empty ? EXIT_FAILED : EXIT_OK;
out:
	if (err != NULL)
		usage_error("suggest-policy", "%s", err);
	free(err);
	free(docs);
	free(labels);
	pol_suggest_free(&s);
	pol_usage_free(&u);
	check_principal_free(&p);
	return rc;
}

int
cmd_suggest(int argc, char *argv[])
{
	struct suggest_args a = { .format = "text" };
	struct check_config cfg;
	struct check_ctx c;
	json_t *snap = NULL;
	char sha[65], *err = NULL;
	int first, rc = EXIT_USAGE;

	check_config_default(&cfg);
	if ((first = cli_parse(&cli_cmd_suggest, argc, argv, &a)) <= 0) {
		rc = first == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (first + 1 != argc || a.principal == NULL) {
		usage_error("suggest-policy", "want one SNAPSHOT and --principal ARN");
		goto out;
	}
	if (strcmp(a.format, "text") != 0 && strcmp(a.format, "json") != 0) {
		usage_error("suggest-policy", "--format %s: want text or json", a.format);
		goto out;
	}
	if ((a.config != NULL && !check_config_load(a.config, &cfg, &err)) ||
	    !snap_load(argv[first], &snap, sha, &err)) {
		usage_error("suggest-policy", "%s", err);
		goto out;
	}
	if (!check_ctx_init(&c, snap, &cfg)) {
		usage_error("suggest-policy", "%s: cannot read the snapshot", argv[first]);
		goto out;
	}
	rc = suggest(&c, snap, &a, cfg.unused_days);
	check_ctx_free(&c);
out:
	free(err);
	json_decref(snap);
	check_config_free(&cfg);
	return rc;
}
