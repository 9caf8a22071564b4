/* IAM sources: credential report, password policy, summary, MFA, keys, authorization details. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "collector/credreport.h"
#include "collector/sources.h"

/* Poll interval of the credential report: start, growth cap. */
#define IAM_POLL_MS	2000
#define IAM_POLL_MAX_MS	5000

typedef void iam_page_fn(const json_t *result, void *arg);

/* Append result[key] (an array) to the array arg. */
struct iam_collect {
	const char	*key;
	json_t		*into;
};

static void
iam_append(const json_t *result, void *arg)
{
	struct iam_collect *ic = arg;
	json_t *a = json_object_get(result, ic->key);

	if (json_is_array(a))
		json_array_extend(ic->into, a);
}

/*
 * Every page of a paginated IAM call, MaxItems=1000, following Marker
 * while IsTruncated: page(result, arg) for each, under the source's pager
 * (sources.h: loops and caps).  NULL when all pages were read; else the
 * failing source object, or a partial one without data when a cap stopped
 * it (iam_source adds the data).
 */
static json_t *
iam_pages(struct aws_client *c, struct src_pager *pg, const char *action,
    const char *user, iam_page_fn *page, void *arg)
{
	struct aws_param p[4];
	json_t *res = NULL, *fail = NULL;
	enum snap_status st;
	const char *next;
	char *marker = NULL, *msg = NULL;
	size_t len;
	int n;

	for (;;) {
		n = 0;
		if (user != NULL)
			p[n++] = (struct aws_param){ "UserName", user };
		p[n++] = (struct aws_param){ "MaxItems", "1000" };
		if (marker != NULL)
			p[n++] = (struct aws_param){ "Marker", marker };
		p[n] = (struct aws_param){ NULL, NULL };
		if ((fail = src_query_n(c, AWS_IAM, action, p, &res, &len)) != NULL)
			goto out;
		page(res, arg);
		src_pager_page(pg, len, 0);
		if (!jbool(res, "IsTruncated", 0))
			goto out;
		next = jstr(res, "Marker");
		if (next == NULL || *next == '\0') {
			fail = src_fail(pg->call, "MalformedResponse",
			    "IsTruncated without a Marker", 200);
			goto out;
		}
		if ((st = src_pager_next(pg, user, next, &msg)) == SNAP_ST_PARTIAL) {
			fail = src_partial(pg->call, NULL, pg->code, msg);
			goto out;
		} else if (st != SNAP_ST_OK) {
			fail = src_fail(pg->call, pg->code, msg, 200);
			goto out;
		}
		free(marker);
		marker = xstrdup(next);
		json_decref(res);
		res = NULL;
	}
out:
	json_decref(res);
	free(marker);
	free(msg);
	return fail;
}

/* The source object for data read under a pager: ok, or stop with the data when partial. */
static json_t *
iam_source(const char *call, json_t *stop, json_t *data)
{
	if (stop == NULL)
		return src_ok(call, data);
	if (src_status(stop) == SNAP_ST_PARTIAL)
		json_object_set_new(stop, "data", data);
	else
		json_decref(data);
	return stop;
}

/* All items of key across the pages of action, as a source object of wrap(items). */
static json_t *
iam_list(struct aws_client *c, const char *action, const char *key,
    json_t *(*wrap)(json_t *items))
{
	struct iam_collect ic = { key, json_array() };
	struct src_pager pg;
	json_t *stop, *out;
	char *call = xasprintf("iam:%s", action);

	src_pager_init(&pg, call, 0);
	stop = iam_pages(c, &pg, action, NULL, iam_append, &ic);
	out = iam_source(call, stop, wrap(ic.into));
	src_pager_free(&pg);
	free(call);
	return out;
}

static const char *
src_code(const json_t *src)
{
	return json_string_value(jpath(src, "error.code"));
}

static json_t *
iam_wrap_aliases(json_t *aliases)
{
	return json_pack("{s:o}", "aliases", aliases);
}

json_t *
iam_account_aliases(struct aws_client *c)
{
	return iam_list(c, "ListAccountAliases", "AccountAliases", iam_wrap_aliases);
}

/* A single-call source whose data is one member of the result. */
static json_t *
iam_member(struct aws_client *c, const char *action, const char *member)
{
	json_t *res, *fail, *v, *out;
	char *call, *msg;

	if ((fail = src_query(c, AWS_IAM, action, NULL, &res)) != NULL)
		return fail;
	call = xasprintf("iam:%s", action);
	if (!json_is_object(v = json_object_get(res, member))) {
		msg = xasprintf("malformed response to %s: no %s", call, member);
		out = src_fail(call, "MalformedResponse", msg, 200);
		free(msg);
	} else
		out = src_ok(call, json_incref(v));
	free(call);
	json_decref(res);
	return out;
}

json_t *
iam_password_policy(struct aws_client *c)
{
	json_t *s = iam_member(c, "GetAccountPasswordPolicy", "PasswordPolicy");
	const char *code = src_code(s);

	/* No custom policy is a fact about the account, not a failure. */
	if (src_status(s) == SNAP_ST_ERROR && code != NULL && strcmp(code, "NoSuchEntity") == 0) {
		json_decref(s);
		s = src_absent("iam:GetAccountPasswordPolicy");
	}
	return s;
}

json_t *
iam_account_summary(struct aws_client *c)
{
	return iam_member(c, "GetAccountSummary", "SummaryMap");
}

static json_t *
iam_wrap_devices(json_t *devs)
{
	json_t *d;
	size_t i;

	/* Seeds are only returned on creation; never let one into a snapshot. */
	json_array_foreach(devs, i, d) {
		json_object_del(d, "Base32StringSeed");
		json_object_del(d, "QRCodePNG");
	}
	return devs;
}

json_t *
iam_virtual_mfa_devices(struct aws_client *c)
{
	return iam_list(c, "ListVirtualMFADevices", "VirtualMFADevices", iam_wrap_devices);
}

/* Authorization details. */

json_t *
iam_policy_reduce(const json_t *p)
{
	static const char *const keep[] = {
		"PolicyName", "Arn", "DefaultVersionId", "AttachmentCount",
		"IsAttachable", NULL
	};
	const char *const *k;
	const char *def = jstr(p, "DefaultVersionId"), *vid;
	json_t *out = json_object(), *versions = json_array(), *v;
	size_t i;

	for (k = keep; *k != NULL; k++)
		if (json_object_get(p, *k) != NULL)
			json_object_set(out, *k, json_object_get(p, *k));
	json_array_foreach(json_object_get(p, "PolicyVersionList"), i, v) {
		vid = jstr(v, "VersionId");
		if (jbool(v, "IsDefaultVersion", 0) ||
		    (def != NULL && vid != NULL && strcmp(def, vid) == 0)) {
			json_array_append_new(versions, json_pack("{s:O?, s:b, s:O?}",
			    "VersionId", json_object_get(v, "VersionId"),
			    "IsDefaultVersion", 1,
			    "Document", json_object_get(v, "Document")));
			break;
		}
	}
	json_object_set_new(out, "PolicyVersionList", versions);
	return out;
}

int
iam_policy_kept(const json_t *p)
{
	const char *arn = jstr(p, "Arn");

	/*
	 * AWS returns AWS-managed policies only when attached; an emulator may
	 * send all thousand-odd of them, which no check needs.
	 */
	return arn == NULL || strstr(arn, ":iam::aws:policy/") == NULL ||
	    jint(p, "AttachmentCount", 1) > 0;
}

static void
iam_details_page(const json_t *res, void *arg)
{
	static const struct { const char *from, *to; } lists[] = {
		{ "UserDetailList", "users" },
		{ "GroupDetailList", "groups" },
		{ "RoleDetailList", "roles" },
	};
	json_t *data = arg, *p;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (json_is_array(json_object_get(res, lists[i].from)))
			json_array_extend(json_object_get(data, lists[i].to),
			    json_object_get(res, lists[i].from));
	json_array_foreach(json_object_get(res, "Policies"), i, p)
		if (iam_policy_kept(p))
			json_array_append_new(json_object_get(data, "policies"), iam_policy_reduce(p));
}

json_t *
iam_authorization_details(struct aws_client *c)
{
	static const char call[] = "iam:GetAccountAuthorizationDetails";
	struct src_pager pg;
	json_t *data, *stop;

	data = json_pack("{s:[], s:[], s:[], s:[]}", "users", "groups", "roles", "policies");
	src_pager_init(&pg, call, 0);
	stop = iam_pages(c, &pg, "GetAccountAuthorizationDetails", NULL, iam_details_page, data);
	src_pager_free(&pg);
	return iam_source(call, stop, data);
}

/* Access keys. */

int
iam_row_has_key(const json_t *row)
{
	time_t t;

	/* An inactive key still exists: its last_rotated date gives it away. */
	return jbool(row, "access_key_1_active", 0) ||
	    jbool(row, "access_key_2_active", 0) ||
	    time_parse(jstr(row, "access_key_1_last_rotated"), &t) ||
	    time_parse(jstr(row, "access_key_2_last_rotated"), &t);
}

/*
 * ListAccessKeys over the key holders, several in flight (SRC_PAR_KEYS):
 * an account with 2,000 key holders is 2,000 calls, which one after another
 * at 50 ms would take 100 s.  The credential report cannot replace them:
 * it has no key ids (findings and remediation name the key), and the
 * checks cross-check its key columns against each key's own status.
 * Each holder's keys land in its own slot, so the source lists them in
 * the report's order however the calls finish.
 */
struct iam_keys {
	const char		**users;	/* the key holders, in report order */
	json_t			**keys;		/* each holder's keys */
	json_t			**fail;		/* each holder's failure, or NULL */
	struct src_pager	 pg;		/* one pager: its caps count every holder's pages */
};

static int
iam_keys_one(struct aws_client *c, size_t i, void *arg)
{
	struct iam_keys *k = arg;
	struct iam_collect ic = { "AccessKeyMetadata", NULL };
	json_t *fail;
	const char *code;

	ic.into = k->keys[i] = json_array();
	if ((fail = iam_pages(c, &k->pg, "ListAccessKeys", k->users[i], iam_append, &ic)) == NULL)
		return 1;
	/* Deleted since the report was generated: nothing to list. */
	code = src_code(fail);
	if (code != NULL && strcmp(code, "NoSuchEntity") == 0) {
		log_verbose("ListAccessKeys: user %s no longer exists", k->users[i]);
		json_decref(fail);
		return 1;
	}
	k->fail[i] = fail;
	return 0;	/* the source has failed: start no more holders */
}

json_t *
iam_access_keys(struct aws_client *c, const json_t *report)
{
	static const char call[] = "iam:ListAccessKeys";
	struct iam_keys k;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const char *user;
	json_t *row, *fail = NULL, *into, *out;
	char *msg;
	size_t i, n = 0;

	if (src_status(report) != SNAP_ST_OK) {
		msg = xasprintf("the credential report is %s, so the users holding "
		    "keys are unknown", jstr(report, "status") ? jstr(report, "status") : "missing");
		fail = src_fail("iam:ListAccessKeys", "DependencyFailed", msg, 0);
		free(msg);
		return fail;
	}
	memset(&k, 0, sizeof(k));
	k.users = xcalloc(json_array_size(jpath(report, "data.rows")) + 1, sizeof(*k.users));
	json_array_foreach(jpath(report, "data.rows"), i, row) {
		user = jstr(row, "user");
		/* The root row's keys are in the report and the summary. */
		if (user == NULL || strcmp(user, "<root_account>") == 0 ||
		    !iam_row_has_key(row))
			continue;
		k.users[n++] = user;
	}
	k.keys = xcalloc(n + 1, sizeof(*k.keys));
	k.fail = xcalloc(n + 1, sizeof(*k.fail));
	src_pager_init(&k.pg, call, 0);
	k.pg.lock = &lock;
	src_parallel(c, n, src_par_width("IAMGRADE_PAR_KEYS", SRC_PAR_KEYS), iam_keys_one, &k);
	/*
	 * As the serial loop did: every holder's keys up to the first that
	 * failed (with what it read, when a cap stopped it), and its failure.
	 * A holder never started (after a failure, or cancelled) ends the list.
	 */
	into = json_array();
	for (i = 0; i < n; i++) {
		if (k.keys[i] == NULL) {
			if (fail == NULL && aws_cancelled())
				fail = src_fail(call, "Cancelled", "cancelled", 0);
			break;
		}
		json_array_extend(into, k.keys[i]);
		if ((fail = k.fail[i]) != NULL) {
			k.fail[i] = NULL;
			break;
		}
	}
	out = iam_source(call, fail, into);
	for (i = 0; i < n; i++) {
		json_decref(k.keys[i]);
		json_decref(k.fail[i]);
	}
	src_pager_free(&k.pg);
	free(k.users);
	free(k.keys);
	free(k.fail);
	return out;
}

/* The credential report. */

int
iam_base64_decode(const char *b64, char **out, size_t *lenp)
{
	size_t n = 0, i, pad = 0;
	char *clean, *dec = NULL;
	int len, rc = 0;

	clean = xmalloc(strlen(b64) + 1);
	for (i = 0; b64[i] != '\0'; i++)
		if (strchr(" \t\r\n\f\v", b64[i]) == NULL)
			clean[n++] = b64[i];
	clean[n] = '\0';
	if (n % 4 != 0 || n > (size_t)1 << 30)
		goto out;
	if (n > 0 && clean[n - 1] == '=')
		pad++;
	if (n > 1 && clean[n - 2] == '=')
		pad++;
	dec = xmalloc(n / 4 * 3 + 1);
	if (n > 0 && (len = EVP_DecodeBlock((unsigned char *)dec,
	    (const unsigned char *)clean, (int)n)) < 0)
		goto out;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	*lenp = n / 4 * 3 - pad;
	dec[*lenp] = '\0';
	*out = dec;
	dec = NULL;
	rc = 1;
out:
	free(clean);
	free(dec);
	return rc;
}

int
iam_report_data(const json_t *res, json_t **data, char **err)
{
	const char *content = jstr(res, "Content"), *fmt = jstr(res, "ReportFormat");
	char *csv = NULL;
	size_t len = 0;
	int rc = 0;

	*data = NULL;
	if (fmt != NULL && strcmp(fmt, "text/csv") != 0) {
		err_set(err, "report format %s, not text/csv", fmt);
		goto out;
	}
	if (content == NULL) {
		err_set(err, "no Content");
		goto out;
	}
	if (!iam_base64_decode(content, &csv, &len)) {
		err_set(err, "Content is not base64");
		goto out;
	}
	if ((*data = credreport_parse(csv, len, err)) == NULL)
		goto out;
	json_object_set_new(*data, "generated_time", jstring(jstr(res, "GeneratedTime")));
	rc = 1;
out:
	free(csv);
	return rc;
}

/* One GenerateCredentialReport; sets r->complete or r->failed. */
static void
iam_report_generate(struct aws_client *c, struct iam_report *r)
{
	json_t *res = NULL, *fail;
	const char *code;

	r->complete = 0;
	if ((fail = src_query(c, AWS_IAM, "GenerateCredentialReport", NULL, &res)) != NULL) {
		code = src_code(fail);
		/* Too many generations: the last report may still be there. */
		if (code != NULL && strcmp(code, "ReportGenerationLimitExceeded") == 0) {
			r->complete = 1;
			json_decref(fail);
		} else
			r->failed = fail;
		return;
	}
	r->complete = jstr(res, "State") != NULL && strcmp(jstr(res, "State"), "COMPLETE") == 0;
	json_decref(res);
}

void
iam_report_start(struct aws_client *c, struct iam_report *r, int wait_s)
{
	memset(r, 0, sizeof(*r));
	r->wait_s = wait_s > 0 ? wait_s : 300;
	r->deadline = time(NULL) + r->wait_s;
	iam_report_generate(c, r);
}

static long
iam_poll_ms(void)
{
	const char *e = getenv("IAMGRADE_REPORT_POLL_MS");
	long ms = e ? strtol(e, NULL, 10) : 0;

	return ms > 0 ? ms : IAM_POLL_MS;
}

json_t *
iam_report_finish(struct aws_client *c, struct iam_report *r)
{
	json_t *res = NULL, *fail, *data, *out = NULL;
	long delay = iam_poll_ms(), cap, left;
	const char *code;
	char *err = NULL, *msg;
	int attempt;

	cap = delay > IAM_POLL_MAX_MS ? delay : IAM_POLL_MAX_MS;
	for (attempt = 0; out == NULL; attempt++) {
		if (r->failed != NULL) {
			out = r->failed;
			r->failed = NULL;
			break;
		}
		if (attempt > 0) {
			if ((left = (long)(r->deadline - time(NULL))) <= 0) {
				msg = xasprintf("credential report not COMPLETE after %d s", r->wait_s);
				out = src_fail("iam:GenerateCredentialReport", "ReportTimeout", msg, 0);
				free(msg);
				break;
			}
			aws_sleep_ms(delay < left * 1000 ? delay : left * 1000);
			delay = delay * 3 / 2 > cap ? cap : delay * 3 / 2;
		}
		if (!r->complete) {
			iam_report_generate(c, r);
			if (r->failed != NULL || !r->complete)
				continue;
		}
		if ((fail = src_query(c, AWS_IAM, "GetCredentialReport", NULL, &res)) != NULL) {
			code = src_code(fail);
			if (code != NULL && (strcmp(code, "ReportInProgress") == 0 ||
			    strcmp(code, "ReportNotPresent") == 0 ||
			    strcmp(code, "ReportExpired") == 0)) {
				/* Not (or no longer) there: generate again. */
				json_decref(fail);
				r->complete = 0;
				continue;
			}
			out = fail;
			break;
		}
		if (!iam_report_data(res, &data, &err)) {
			msg = xasprintf("malformed response to iam:GetCredentialReport: %s", err);
			out = src_fail("iam:GetCredentialReport", "MalformedResponse", msg, 200);
			free(msg);
		} else
			out = src_ok("iam:GetCredentialReport", data);
		json_decref(res);
		res = NULL;
	}
	free(err);
	return out;
}
