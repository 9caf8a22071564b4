/* iamgrade suggest-policy: one principal's least-privilege policy, proven (policy/suggest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"
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
		doc = xasprintf("note: %s: %s", jstr(v, "service"), jstr(v, "reason"));
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

int
cmd_suggest(int argc, char *argv[])
{
	struct suggest_args a = { .format = "text" };
	struct pol_suggestion s = { 0 };
	struct check_config cfg;
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
	switch (check_suggest(snap, &cfg, a.principal, &s, &err)) {
	case CHECK_SUG_UNKNOWN:
		usage_error("suggest-policy", "%s: %s", argv[first], err);
		goto out;
	case CHECK_SUG_MISSING:
		usage_error("suggest-policy", "%s: %s", argv[first], err);
		rc = EXIT_INCOMPLETE;
		goto out;
	case CHECK_SUG_OK:
		break;
	}
	if (strcmp(a.format, "json") == 0)
		print_json(&s, a.principal, cfg.unused_days);
	else
		print_text(&s, a.principal, cfg.unused_days);
	rc = s.refused != NULL && !s.empty ? EXIT_FAILED : EXIT_OK;
out:
	free(err);
	pol_suggest_free(&s);
	json_decref(snap);
	check_config_free(&cfg);
	return rc;
}
