/*
 * run's inputs: the config, the baseline, the accounts file and the
 * credentials, then the accounts to collect (one profile, several, an
 * accounts file or the organization) and this shard's share of them.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/exit.h"
#include "collector/collector.h"
#include "checks/checks.h"
#include "evidence/evidence.h"
#include "report/report.h"
#include "run/run.h"

/* run.h */
int
run_profile_group(const struct run *r, const char *profile, char **path, char **err)
{
	char *list, *tok, *save = NULL, *p;
	int g, k, found, rc = 1;

	*path = NULL;
	for (g = 0; g < r->groups.n && rc; g++) {
		list = xstrdup(strchr(r->groups.v[g], '=') + 1);
		for (p = list; rc && (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
			for (found = 0, k = 0; k < r->profiles.n; k++)
				found |= strcmp(r->profiles.v[k], tok) == 0;
			if (!found)
				rc = err_set(err, "--group %s: profile %s is not one of the --profile "
				    "options", r->groups.v[g], tok);
			else if (strcmp(tok, profile) == 0 && *path != NULL)
				rc = err_set(err, "--group: profile %s is in two groups", profile);
			else if (strcmp(tok, profile) == 0)
				*path = xasprintf("/%.*s", (int)(strchr(r->groups.v[g], '=') -
				    r->groups.v[g]), r->groups.v[g]);
		}
		free(list);
	}
	if (!rc) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

/* The caller's account id, so that its own account is read without AssumeRole. */
static char *
caller_account(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	char *id = collect_caller_account(c, err);

	aws_client_free(c);
	return id;
}

static struct collect_job *
add_target(struct run *r)
{
	struct collect_job *j;

	r->targets = xrealloc(r->targets, (r->ntargets + 1) * sizeof(*r->targets));
	j = &r->targets[r->ntargets++];
	memset(j, 0, sizeof(*j));
	return j;
}

static char *
role_arn_for(const struct run *r, const char *account)
{
	return xasprintf("arn:aws:iam::%s:role/%s", account, r->role_name);
}

/* One target per --profile, each with its own configuration and credentials. */
static int
select_profiles(struct run *r, char **err)
{
	size_t i;

	for (i = 0; i < (size_t)r->profiles.n; i++) {
		struct collect_job *j = add_target(r);
		struct aws_opts o = r->aopts;

		o.profile = r->profiles.v[i];
		j->cfg = xcalloc(1, sizeof(*j->cfg));
		j->target.name = xstrdup(r->profiles.v[i]);
		if (!run_profile_group(r, r->profiles.v[i], &j->ou_path, err) ||
		    !aws_config_load(&o, j->cfg, err) ||
		    !aws_creds_resolve(j->cfg, &j->creds, err)) {
			char *e = xasprintf("profile %s: %s", r->profiles.v[i], *err);

			free(*err);
			*err = e;
			return 0;
		}
	}
	return 1;
}

/* One target per ACTIVE account of the organization; its ids go to the snapshots. */
static int
select_organization(struct run *r, char **err)
{
	struct aws_client *c = aws_client_new(&r->cfg, &r->creds);
	json_t *org = orgs_list_accounts(c, err), *a, *ids;
	size_t i;

	aws_client_free(c);
	if (org == NULL)
		return 0;
	/* Left out of the listing (bad ids, duplicates): say so, and the run is incomplete. */
	json_array_foreach(json_object_get(org, "problems"), i, a)
		log_error("%s", json_string_value(a));	/* log lines are sanitised */
	if (json_array_size(json_object_get(org, "problems")) > 0)
		r->problems = json_incref(json_object_get(org, "problems"));
	ids = json_array();
	json_array_foreach(json_object_get(org, "accounts"), i, a) {
		const char *id = jstr(a, "Id"), *st = jstr(a, "Status");
		struct collect_job *j;

		if (id == NULL)
			continue;
		json_array_append_new(ids, json_string(id));
		if (st != NULL && strcmp(st, "ACTIVE") != 0) {
			char *n = str_sanitize_term(xstrdup(jstr(a, "Name") ? jstr(a, "Name") : ""));
			char *s = str_sanitize_term(xstrdup(st));

			log_info("skipping account %s (%s): status %s", id, n, s);
			free(n);
			free(s);
			continue;
		}
		j = add_target(r);
		j->target.account_id = xstrdup(id);
		j->target.name = xstrdup(jstr(a, "Name"));
	}
	r->organization_ids = json_pack("{s:O?,s:o}", "id",
	    json_object_get(org, "id"), "accounts", ids);
	json_decref(org);
	return 1;
}

/* Roles to assume: each row's own, else --role-name, never into ourselves (self). */
static int
assign_roles(struct run *r, const char *self, char **err)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		struct collect_job *j = &r->targets[i];

		if (strcmp(j->target.account_id, self) == 0) {
			free((char *)j->target.role_arn);
			j->target.role_arn = NULL;
			continue;
		}
		if (j->target.role_arn == NULL && r->role_name != NULL)
			j->target.role_arn = role_arn_for(r, j->target.account_id);
		if (j->target.role_arn == NULL)
			return err_set(err, "account %s: no role to assume (give --role-name or a role_arn column)",
			    j->target.account_id);
		if (j->target.external_id == NULL && r->external_id != NULL)
			j->target.external_id = xstrdup(r->external_id);
	}
	return 1;
}

static int
select_accounts(struct run *r, char **err)
{
	char *self = NULL;
	int rc = 0;

	if (r->profiles.n > 1)
		return select_profiles(r, err);
	if (!r->organization && r->accounts_file == NULL) {
		add_target(r);
		return 1;
	}
	if ((self = caller_account(r, err)) == NULL)
		goto out;
	if (r->accounts_file == NULL && !select_organization(r, err))
		goto out;
	rc = assign_roles(r, self, err);
out:
	free(self);
	return rc;
}

/* --baseline: a run's folder (its results.json) or a results document. */
static json_t *
load_baseline(const char *path, char **err)
{
	struct stat st;
	char *file;
	json_t *b;

	file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ?
	    xasprintf("%s/results.json", path) : xstrdup(path);
	b = report_results_load(file, err);
	free(file);
	return b;
}

/* run.h */
int
run_setup(struct run *r, struct check_config *cc, json_t **baseline, char **err)
{
	if (r->config_file != NULL && !check_config_load(r->config_file, cc, err))
		return EXIT_USAGE;
	/* Bad exceptions or a key that cannot sign are bad input, found before any AWS call. */
	if (r->exceptions != NULL && !check_config_set(cc, "exceptions", r->exceptions, err))
		return EXIT_USAGE;
	if (r->sign_key != NULL && !ev_key_usable(r->sign_key, err))
		return EXIT_USAGE;
	if (r->baseline != NULL && (*baseline = load_baseline(r->baseline, err)) == NULL)
		return EXIT_USAGE;
	/* A bad accounts file is bad input (exit 2), found before any AWS call. */
	if (r->accounts_file != NULL &&
	    !accounts_load(r->accounts_file, &r->targets, &r->ntargets, err))
		return EXIT_USAGE;
	r->aopts.profile = r->profiles.n == 1 ? r->profiles.v[0] : NULL;
	if (r->mfa_code != NULL)
		aws_mfa_set_code(r->mfa_code);
	if (!aws_config_load(&r->aopts, &r->cfg, err))
		return EXIT_USAGE;
	if (r->security_hub && !r->cfg.region_given) {
		*err = xstrdup("--security-hub: no region for Security Hub (--region, AWS_REGION "
		    "or the profile's region)");
		return EXIT_USAGE;
	}
	if (r->profiles.n <= 1 && !aws_creds_resolve(&r->cfg, &r->creds, err))
		return EXIT_INCOMPLETE;
	if (!select_accounts(r, err))
		return EXIT_INCOMPLETE;
	if (r->shard_n > 0) {
		r->ntargets = accounts_shard(r->targets, r->ntargets, r->shard_k, r->shard_n);
		log_info("shard %u/%u: %zu accounts", r->shard_k, r->shard_n, r->ntargets);
		if (r->ntargets == 0) {
			/* A share may be empty: nothing to do is not an error. */
			r->empty_shard = 1;
			return EXIT_OK;
		}
	}
	if (r->ntargets == 0) {
		*err = xstrdup("no accounts to collect");
		return EXIT_USAGE;
	}
	/* What grading each account as it lands needs. */
	r->cc = cc;
	r->cc_marked = *cc;
	r->cc_marked.exceptions = NULL;
	r->baseline_doc = *baseline;
	return RUN_GO;
}
