/*
 * run --security-hub: ASFF findings into AWS Security Hub with
 * BatchImportFindings (REST-JSON, POST /findings/import), within the
 * API's documented limits (Security Hub partner guide, "Guidelines for
 * using the BatchImportFindings API"): each account's findings are sent
 * with that account's own credentials (a finding's AwsAccountId must be
 * the caller's, for the default product ARN), at most 100 findings and
 * 6 MB a request, a finding over 240 KB is not sent; and at most 10
 * requests a second per account and region.  Throttling and transient
 * errors are retried by the client (collector/aws.c).
 */
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/securityhub.h"

#define SH_PATH		"/findings/import"
#define SH_BATCH_MAX	100			/* findings a request */
#define SH_REQUEST_MAX	(6UL * 1024 * 1024)	/* bytes a request */
#define SH_FINDING_MAX	(240UL * 1024)		/* bytes a finding */
#define SH_GAP_MS	100			/* 10 requests a second */

/* A finding Security Hub did not take: its id, the code, why. */
static void
sh_fail(json_t *acct, const char *id, const char *code, const char *msg)
{
	json_array_append_new(json_object_get(acct, "failed"), json_pack("{s:s, s:s, s:s}",
	    "Id", id != NULL ? id : "", "ErrorCode", code != NULL ? code : "?",
	    "ErrorMessage", msg != NULL ? msg : ""));
}

/* Every finding of batch failed with the call: the code and message of its answer. */
static void
sh_fail_batch(json_t *acct, const json_t *batch, const struct aws_resp *r)
{
	const json_t *f;
	size_t i;

	json_array_foreach(batch, i, f)
		sh_fail(acct, jstr(f, "Id"), r->code, r->message);
	if (jstr(acct, "error") == NULL)
		json_object_set_new(acct, "error", json_sprintf("%s: %s: %s", r->call,
		    r->code ? r->code : "error", r->message ? r->message : ""));
}

/*
 * One request: the answer's SuccessCount and FailedFindings, checked
 * against what was sent (an answer that accounts for fewer findings than
 * were sent is not believed: the rest count as failed).
 */
static void
sh_send(struct aws_client *c, json_t *acct, const json_t *batch)
{
	struct aws_resp r;
	json_t *body = json_pack("{s:O}", "Findings", batch), *ans = NULL, *ff;
	char *text = jdump(body, 0);
	json_int_t ok, failed;
	size_t i;

	aws_rest_json(c, AWS_SECURITYHUB, "BatchImportFindings", SH_PATH, text, strlen(text), &r);
	if (r.result != AWS_RES_OK) {
		sh_fail_batch(acct, batch, &r);
		goto out;
	}
	ans = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
	ok = json_integer_value(json_object_get(ans, "SuccessCount"));
	failed = json_integer_value(json_object_get(ans, "FailedCount"));
	if (!json_is_integer(json_object_get(ans, "SuccessCount")) || ok < 0 ||
	    ok + failed != (json_int_t)json_array_size(batch)) {
		free(r.code);
		r.code = xstrdup("MalformedResponse");
		free(r.message);
		r.message = xasprintf("the answer accounts for %lld of %zu findings",
		    (long long)(ok + failed), json_array_size(batch));
		sh_fail_batch(acct, batch, &r);
		goto out;
	}
	json_object_set_new(acct, "imported", json_integer(jint(acct, "imported", 0) + ok));
	json_array_foreach(json_object_get(ans, "FailedFindings"), i, ff)
		sh_fail(acct, jstr(ff, "Id"), jstr(ff, "ErrorCode"), jstr(ff, "ErrorMessage"));
	/* A FailedCount the list does not itemise still counts. */
	for (i = json_array_size(json_object_get(ans, "FailedFindings")); (json_int_t)i < failed; i++)
		sh_fail(acct, NULL, "Unlisted", "counted in FailedCount but not listed");
out:
	aws_resp_free(&r);
	json_decref(ans);
	json_decref(body);
	free(text);
}

json_t *
sh_import(struct aws_client *c, const char *account, const json_t *findings)
{
	json_t *acct = json_pack("{s:s, s:I, s:i, s:[]}", "account_id", account,
	    "sent", (json_int_t)0, "imported", 0, "failed"), *batch = json_array();
	const json_t *f;
	size_t i, bytes = 0, n, requests = 0;
	char *one;

	json_array_foreach(findings, i, f) {
		one = jdump(f, 0);
		n = strlen(one) + 1;
		free(one);
		if (n > SH_FINDING_MAX) {
			sh_fail(acct, jstr(f, "Id"), "FindingTooLarge",
			    "larger than Security Hub's 240 KB per finding: not sent");
			continue;
		}
		if (json_array_size(batch) == SH_BATCH_MAX || bytes + n > SH_REQUEST_MAX - 64) {
			if (requests++ > 0)
				aws_sleep_ms(SH_GAP_MS);
			sh_send(c, acct, batch);
			json_array_clear(batch);
			bytes = 0;
		}
		json_array_append(batch, (json_t *)f);
		bytes += n;
		json_object_set_new(acct, "sent", json_integer(jint(acct, "sent", 0) + 1));
	}
	if (json_array_size(batch) > 0) {
		if (requests++ > 0)
			aws_sleep_ms(SH_GAP_MS);
		sh_send(c, acct, batch);
	}
	json_object_set_new(acct, "requests", json_integer((json_int_t)requests));
	json_decref(batch);
	return acct;
}

/* The credentials account's findings go with: the job's role, assumed, else its own. */
static struct aws_client *
sh_client(const struct collect_job *j, const struct aws_config *cfg,
    const struct aws_creds *creds, char **err)
{
	const struct aws_creds *base = j->creds.access_key_id != NULL ? &j->creds : creds;
	struct aws_client *c = aws_client_new(j->cfg != NULL ? j->cfg : cfg, base);
	struct aws_creds role;

	if (j->target.role_arn == NULL)
		return c;
	memset(&role, 0, sizeof(role));
	if (!aws_assume_role(c, j->target.role_arn, j->target.external_id, NULL, &role, err)) {
		aws_client_free(c);
		return NULL;
	}
	aws_client_set_creds(c, &role);
	aws_creds_free(&role);
	return c;
}

json_t *
sh_import_all(const struct aws_config *cfg, const struct aws_creds *creds,
    const struct collect_job *jobs, size_t njobs, const json_t *findings)
{
	json_t *out = json_pack("{s:s, s:[], s:i, s:i}", "region", cfg->region ? cfg->region : "",
	    "accounts", "imported", 0, "failed", 0), *mine, *res;
	struct aws_client *c;
	const json_t *f;
	size_t i, k, nf;
	char *err = NULL;

	for (k = 0; k < njobs && !aws_cancelled(); k++) {
		const char *id = jobs[k].target.account_id;

		if (id == NULL || !accounts_valid_id(id))
			continue;
		mine = json_array();
		json_array_foreach(findings, i, f)
			if (jstr(f, "AwsAccountId") != NULL && strcmp(jstr(f, "AwsAccountId"), id) == 0)
				json_array_append(mine, (json_t *)f);
		if (json_array_size(mine) == 0) {
			json_decref(mine);
			continue;
		}
		if ((c = sh_client(&jobs[k], cfg, creds, &err)) == NULL) {
			res = json_pack("{s:s, s:I, s:i, s:[], s:s}", "account_id", id,
			    "sent", (json_int_t)0, "imported", 0, "failed", "error", err);
			json_array_foreach(mine, i, f)
				sh_fail(res, jstr(f, "Id"), "NoCredentials", err);
			free(err);
			err = NULL;
		} else {
			res = sh_import(c, id, mine);
			aws_client_free(c);
		}
		nf = json_array_size(json_object_get(res, "failed"));
		json_object_set_new(out, "imported", json_integer(jint(out, "imported", 0) +
		    jint(res, "imported", 0)));
		json_object_set_new(out, "failed", json_integer(jint(out, "failed", 0) +
		    (json_int_t)nf));
		json_array_append_new(json_object_get(out, "accounts"), res);
		json_decref(mine);
	}
	json_object_set_new(out, "complete", json_boolean(!aws_cancelled() &&
	    jint(out, "failed", 0) == 0 && jint(out, "imported", 0) ==
	    (json_int_t)json_array_size(findings)));
	return out;
}
