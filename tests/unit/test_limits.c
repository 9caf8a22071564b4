/*
 * Hostile sizes and depths: an answer claiming 2 GB, XML and JSON nested a
 * hundred thousand deep in responses, snapshots, policy documents and
 * CloudTrail records, an oversized snapshot file.  Each is refused with a
 * message that says why, never an out-of-memory or a stack overflow; and
 * what real accounts send (a 5,000-user credential report, a policy nested
 * near the JSON limit) still goes through.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "collector/aws_int.h"
#include "collector/sources.h"
#include "collector/xml.h"
#include "checks/checks.h"
#include "policy/policy.h"
#include "report/report.h"
#include "tests/unit/t.h"
#include "tests/unit/aws_srv.h"

#define DEEP		100000		/* nesting far past every parser's limit */
#define JSON_DEPTH_OK	2000		/* under jansson's JSON_PARSER_MAX_DEPTH (2048) */

static char home[] = "/tmp/iamgrade-limits-XXXXXX";
static char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static char source[] = "test";
static const struct aws_creds test_creds = { akid, secret, NULL, 0, source, 0 };

/* open, n times; inner; close, n times (caller frees). */
static char *
nest(const char *open, const char *inner, const char *close, int n)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < n; i++)
		buf_adds(&b, open);
	buf_adds(&b, inner);
	for (i = 0; i < n; i++)
		buf_adds(&b, close);
	return buf_steal(&b);
}

static struct aws_client *
client(const char *url, size_t body_max)
{
	struct aws_opts o = { 0 };
	struct aws_config cfg;
	struct aws_client *c;
	char *err = NULL;

	o.region = "us-east-1";
	o.endpoint_url = url;
	o.max_attempts = 2;
	o.timeout_ms = 20000;
	o.connect_timeout_ms = 5000;
	o.body_max = body_max;
	if (!aws_config_load(&o, &cfg, &err)) {
		printf("config: %s\n", err);
		exit(2);
	}
	c = aws_client_new(&cfg, &test_creds);
	aws_config_free(&cfg);
	return c;
}

/*
 * A peer that announces a 2 GiB body and streams it until the client hangs
 * up: what a broken proxy or a hostile endpoint can do.
 */
struct big {
	int		 fd;
	char		 url[64];
	pthread_t	 th;
	size_t		 sent;
};

#define BIG_LEN	((size_t)2 << 30)

static void *
big_main(void *arg)
{
	static char chunk[1 << 16];
	struct big *b = arg;
	struct pollfd pf = { b->fd, POLLIN, 0 };
	char *req, head[256];
	ssize_t n;
	int c;

	if (poll(&pf, 1, 20000) <= 0 || (c = accept(b->fd, NULL, NULL)) < 0)
		return NULL;
	if ((req = srv_read_request(c)) != NULL) {
		free(req);
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n", BIG_LEN);
		send(c, head, (size_t)n, MSG_NOSIGNAL);
		memset(chunk, 'x', sizeof(chunk));
		while (b->sent < BIG_LEN &&
		    (n = send(c, chunk, sizeof(chunk), MSG_NOSIGNAL)) > 0)
			b->sent += (size_t)n;
	}
	close(c);
	return NULL;
}

static void
big_start(struct big *b)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(b, 0, sizeof(*b));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((b->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(b->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(b->fd, 1) < 0 ||
	    getsockname(b->fd, (struct sockaddr *)&a, &alen) < 0) {
		perror("big_start");
		exit(2);
	}
	snprintf(b->url, sizeof(b->url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	pthread_create(&b->th, NULL, big_main, b);
}

static void
big_stop(struct big *b)
{
	pthread_join(b->th, NULL);
	close(b->fd);
}

/* The default cap (64 MiB) stops a 2 GiB answer early, once, with a clear error. */
static void
t_body_2gb_refused(void)
{
	struct aws_client *c;
	struct aws_resp r;
	struct big b;

	big_start(&b);
	c = client(b.url, 0);
	T(aws_query(c, AWS_IAM, "GetAccountAuthorizationDetails", NULL, &r) == AWS_RES_TRANSPORT,
	    "result %d", r.result);
	T_STREQ(r.code, "BodyTooLarge");
	T_STREQ(r.message, "the answer is larger than 67108864 bytes");
	T(r.body == NULL && r.http_status == 200, "body %p, status %ld", (void *)r.body,
	    r.http_status);
	T(aws_client_calls(c) == 1, "calls %u: a body too large is not retried",
	    aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
	big_stop(&b);
	/* What the kernel's socket buffers took beyond the cap, not the 2 GiB. */
	T(b.sent < ((size_t)80 << 20), "the peer got to send %zu bytes", b.sent);
}

/* Through the service layer the refusal is the source's error, naming the call. */
static void
t_body_cap_source(void)
{
	struct aws_client *c;
	json_t *res, *fail;
	struct big b;

	big_start(&b);
	c = client(b.url, 1 << 20);
	fail = src_query(c, AWS_IAM, "GetAccountAuthorizationDetails", NULL, &res);
	T(fail != NULL && res == NULL, "refused");
	T_STREQ(jstr(fail, "status"), "error");
	T_STREQ(json_string_value(jpath(fail, "error.code")), "BodyTooLarge");
	T_STREQ(json_string_value(jpath(fail, "error.message")),
	    "the answer is larger than 1048576 bytes");
	T_STREQ(jstr(fail, "api_call"), "iam:GetAccountAuthorizationDetails");
	json_decref(fail);
	aws_client_free(c);
	big_stop(&b);
}

/* libxml2 stops at depth 256 (XML_PARSE_HUGE, which lifts it, is never set). */
static void
t_xml_deep(void)
{
	char *body = nest("<a>", "x", "</a>", DEEP), *err = NULL, *code, *msg;
	size_t len = strlen(body);
	struct aws_resp r = { 0 };
	struct aws_creds cr;
	json_t *res;
	xmlDoc *doc;

	doc = xml_parse(body, len, &err);
	T(doc == NULL, "a %d-deep document parsed", DEEP);
	T(err != NULL && strstr(err, "not well-formed XML") && strstr(err, "depth"), "err: %s",
	    err ? err : "(none)");
	free(err);
	err = NULL;
	T(!xml_result(body, len, "GetAccountSummary", &xml_iam, &res, &err) && res == NULL,
	    "xml_result refuses it");
	T(err != NULL && strstr(err, "depth"), "err: %s", err ? err : "(none)");
	free(err);
	T(!xml_error(body, len, &code, &msg), "no error code in it");
	aws_parse_query_error(body, len, 400, &r);
	T_STREQ(r.code, "HTTP400");
	aws_resp_free(&r);
	T(!aws_parse_sts_creds(body, len, &cr), "no credentials in it");
	free(body);
}

/* Real documents are far shallower: 200 levels still convert (recursively). */
static void
t_xml_under_limit(void)
{
	char *inner = nest("<a>", "x", "</a>", 200), *err = NULL, *body;
	json_t *res;

	body = xasprintf("<GetAccountSummaryResponse><GetAccountSummaryResult>%s"
	    "</GetAccountSummaryResult></GetAccountSummaryResponse>", inner);
	T(xml_result(body, strlen(body), "GetAccountSummary", &xml_iam, &res, &err),
	    "err: %s", err ? err : "");
	T(json_is_object(json_object_get(res, "a")), "converted");
	json_decref(res);
	free(err);
	free(body);
	free(inner);
}

/* A 5,000-user credential report (IAM's user quota): a 2 MB text node, under libxml2's 10 MB. */
static void
t_xml_big_report(void)
{
	struct buf csv = { 0 }, b64 = { 0 };
	json_t *res = NULL, *data = NULL;
	char *body, *err = NULL;
	int i;

	buf_adds(&csv, "user,arn,user_creation_time,password_enabled,password_last_used,"
	    "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
	    "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
	    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
	    "access_key_2_last_used_date,access_key_2_last_used_region,"
	    "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
	    "cert_2_last_rotated\n");
	for (i = 0; i < 5000; i++)
		buf_printf(&csv, "user-with-a-longish-name-%05d,arn:aws:iam::123456789012:user/"
		    "engineering/user-with-a-longish-name-%05d,2020-01-01T00:00:00+00:00,true,"
		    "2026-11-01T00:00:00+00:00,2026-10-01T00:00:00+00:00,N/A,true,true,"
		    "2026-09-01T00:00:00+00:00,2026-11-20T00:00:00+00:00,us-east-1,s3,false,N/A,"
		    "N/A,N/A,N/A,false,N/A,false,N/A\n", i, i);
	b64.p = xmalloc(csv.len / 3 * 4 + 8);
	b64.len = (size_t)EVP_EncodeBlock((unsigned char *)b64.p,
	    (const unsigned char *)csv.p, (int)csv.len);
	body = xasprintf("<GetCredentialReportResponse><GetCredentialReportResult>"
	    "<Content>%s</Content><ReportFormat>text/csv</ReportFormat>"
	    "<GeneratedTime>2026-11-27T09:58:00Z</GeneratedTime>"
	    "</GetCredentialReportResult></GetCredentialReportResponse>", b64.p);
	T(b64.len > 2000000, "the report is %zu bytes of base64", b64.len);
	T(xml_result(body, strlen(body), "GetCredentialReport", &xml_iam, &res, &err),
	    "err: %s", err ? err : "");
	T(iam_report_data(res, &data, &err), "err: %s", err ? err : "");
	T(json_array_size(json_object_get(data, "rows")) == 5000, "rows %zu",
	    json_array_size(json_object_get(data, "rows")));
	json_decref(res);
	json_decref(data);
	free(err);
	free(body);
	buf_free(&b64);
	buf_free(&csv);
}

static char *
write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", home, name), *err = NULL;

	if (!file_write_atomic(path, text, strlen(text), 0600, 0, &err)) {
		printf("%s\n", err);
		exit(2);
	}
	return path;
}

#define SNAP_HEAD "{\"schema\": \"iamgrade.snapshot/1\", \"account\": {\"id\": \"123456789012\"}," \
	" \"collection\": {\"started\": \"2026-11-27T10:00:00Z\", \"finished\":" \
	" \"2026-11-27T10:00:09Z\", \"complete\": true}, \"sources\": "

/* jansson's depth limit (2048) refuses a 100,000-deep snapshot: an error, not a stack overflow. */
static void
t_json_deep_snapshot(void)
{
	char *text[3], *path, *err = NULL, *deep, sha[65];
	json_t *snap;
	size_t i;

	text[0] = nest("[", "0", "]", DEEP);
	text[1] = nest("{\"a\":", "0", "}", DEEP);
	deep = nest("[", "", "]", DEEP);
	text[2] = xasprintf(SNAP_HEAD "{\"x\": %s}}", deep);	/* a valid head, then the depth */
	free(deep);
	for (i = 0; i < 3; i++) {
		path = write_tmp("deep.json", text[i]);
		T(!snap_load(path, &snap, sha, &err) && snap == NULL, "shape %zu loaded", i);
		T(err != NULL && strstr(err, path) && strstr(err, "maximum parsing depth reached"),
		    "shape %zu: err: %s", i, err ? err : "(none)");
		free(err);
		err = NULL;
		free(path);
		free(text[i]);
	}
}

/* The policy engine refuses a deep document, as JSON text and URL-encoded. */
static void
t_json_deep_policy(void)
{
	char *text = nest("[", "0", "]", DEEP), *enc = nest("%5B", "0", "%5D", DEEP), *err = NULL;
	struct pol_doc *doc;
	json_t *s;

	s = json_string(text);
	T((doc = pol_parse(s, POL_IDENTITY, NULL, &err)) == NULL, "parsed");
	T(err != NULL && strstr(err, "maximum parsing depth reached"), "err: %s", err ? err : "");
	json_decref(s);
	free(err);
	err = NULL;
	s = json_string(enc);
	T((doc = pol_parse(s, POL_IDENTITY, NULL, &err)) == NULL, "URL-encoded parsed");
	T(err != NULL && strstr(err, "maximum parsing depth reached"), "err: %s", err ? err : "");
	json_decref(s);
	free(err);
	/* IAM's URL-encoded document that does not parse stays the decoded text. */
	s = xml_policy_doc(enc);
	T(json_is_string(s) && strcmp(json_string_value(s), text) == 0, "kept as text");
	json_decref(s);
	free(text);
	free(enc);
}

/* A CloudTrail record too deep to parse stays the string it came as. */
static void
t_json_deep_record(void)
{
	char *rec = nest("{\"a\":", "0", "}", DEEP), *next = NULL, *err = NULL;
	json_t *page, *events = json_array(), *seen = json_object();

	page = json_pack("{s:[{s:s, s:s, s:i, s:s}]}", "Events", "EventId", "e1",
	    "EventName", "CreateRole", "EventTime", 1795000000, "CloudTrailEvent", rec);
	T(ct_events_page(page, events, seen, &next, &err), "err: %s", err ? err : "");
	T(json_is_string(json_object_get(json_array_get(events, 0), "CloudTrailEvent")),
	    "CloudTrailEvent kept as text");
	json_decref(page);
	json_decref(events);
	json_decref(seen);
	free(rec);
	free(err);
}

/*
 * Just under the limit, a policy nested 2,000 deep in a role's trust loads,
 * grades and renders: no recursion of ours gives out first.
 */
static void
t_json_near_limit(void)
{
	struct check_config cfg;
	struct report_opts ro = { 0 };
	struct buf out = { 0 };
	json_t *snap, *acct, *results;
	char *deep = nest("[", "\"x\"", "]", JSON_DEPTH_OK), *text, *path, *err = NULL, sha[65];

	text = xasprintf(SNAP_HEAD "{\"authorization_details\": {\"status\": \"ok\", \"data\":"
	    " {\"roles\": [{\"RoleName\": \"deep\", \"Arn\": \"arn:aws:iam::123456789012:role/deep\","
	    " \"AssumeRolePolicyDocument\": {\"Statement\": [{\"Effect\": \"Allow\","
	    " \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:AssumeRole\", \"Condition\":"
	    " {\"StringEquals\": {\"sts:ExternalId\": %s}}}]}}]}}}}", deep);
	path = write_tmp("near.json", text);
	check_config_default(&cfg);
	T(snap_load(path, &snap, sha, &err), "err: %s", err ? err : "");
	acct = check_account(snap, "near.json", sha, &cfg);
	T(acct != NULL, "graded");
	results = check_results(json_pack("[o]", acct), &cfg);
	T(report_render(REPORT_TEXT, results, &ro, &out, &err) && out.len > 0, "err: %s",
	    err ? err : "");
	buf_free(&out);
	json_decref(results);
	json_decref(snap);
	check_config_free(&cfg);
	free(err);
	free(path);
	free(text);
	free(deep);
}

/* A 2 GiB snapshot file (sparse) is refused by its size, before any of it is read. */
static void
t_file_2gb_refused(void)
{
	char *path = xasprintf("%s/huge.json", home), *err = NULL, sha[65];
	struct timespec t0, t1;
	json_t *snap;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    ftruncate(fd, (off_t)BIG_LEN) < 0) {
		T(0, "%s: %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(!snap_load(path, &snap, sha, &err), "loaded");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T(err != NULL && strstr(err, path) && strstr(err, "larger than"), "err: %s",
	    err ? err : "(none)");
	T(t1.tv_sec - t0.tv_sec < 2, "took %ld s: the file was read", (long)(t1.tv_sec - t0.tv_sec));
out:
	unlink(path);
	free(err);
	free(path);
}

/* The same answers through the service layer: MalformedResponse naming the call and the depth. */
static void
t_deep_answers_source(void)
{
	char *xml = nest("<a>", "", "</a>", DEEP), *json = nest("[", "", "]", DEEP);
	struct aws_client *c;
	json_t *res, *fail;
	const char *msg;
	struct srv s;

	srv_start(&s);
	srv_add(&s, 200, NULL, xml);
	srv_add(&s, 200, NULL, json);
	c = client(s.url, 0);
	fail = src_query(c, AWS_IAM, "GetAccountAuthorizationDetails", NULL, &res);
	msg = json_string_value(jpath(fail, "error.message"));
	T_STREQ(json_string_value(jpath(fail, "error.code")), "MalformedResponse");
	T(msg != NULL && strstr(msg, "malformed response to iam:GetAccountAuthorizationDetails: "
	    "not well-formed XML") && strstr(msg, "depth"), "message: %s", msg ? msg : "(none)");
	json_decref(fail);
	fail = src_json(c, AWS_CLOUDTRAIL, NULL, "DescribeTrails", NULL, &res);
	msg = json_string_value(jpath(fail, "error.message"));
	T_STREQ(json_string_value(jpath(fail, "error.code")), "MalformedResponse");
	T(msg != NULL && strstr(msg, "malformed response to cloudtrail:DescribeTrails: "
	    "maximum parsing depth reached"), "message: %s", msg ? msg : "(none)");
	json_decref(fail);
	aws_client_free(c);
	srv_stop(&s);
	free(xml);
	free(json);
}

int
main(void)
{
	if (mkdtemp(home) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	srv_clean_env(home);
	log_level = 0;
	RUN(t_body_2gb_refused);
	RUN(t_body_cap_source);
	RUN(t_xml_deep);
	RUN(t_xml_under_limit);
	RUN(t_xml_big_report);
	RUN(t_json_deep_snapshot);
	RUN(t_json_deep_policy);
	RUN(t_json_deep_record);
	RUN(t_json_near_limit);
	RUN(t_file_2gb_refused);
	RUN(t_deep_answers_source);
	srv_rmtree(home);
	return t_done();
}
