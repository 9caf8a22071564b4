/* The AWS transport: error parsing, retry rules, and real requests against an in-process server. */
#include <fcntl.h>
#include <time.h>

#include "collector/aws_int.h"
#include "collector/s3out.h"
#include "tests/unit/t.h"
#include "tests/unit/aws_srv.h"

static struct srv srv;
static char home[] = "/tmp/iamgrade-http-XXXXXX";

static char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static char source[] = "test", session_token[] = "EXAMPLE-SESSION-TOKEN";
static const struct aws_creds test_creds = { akid, secret, NULL, 0, source, 0 };

/* A client for the canned server, signed for eu-west-1. */
static struct aws_client *
client(const struct aws_creds *creds, int max_attempts, long timeout_ms, size_t body_max)
{
	struct aws_opts o = { 0 };
	struct aws_config cfg;
	struct aws_client *c;
	char *err = NULL;

	o.region = "eu-west-1";
	o.endpoint_url = srv.url;
	o.max_attempts = max_attempts;
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = timeout_ms;
	o.body_max = body_max;
	if (!aws_config_load(&o, &cfg, &err)) {
		printf("config: %s\n", err);
		exit(2);
	}
	c = aws_client_new(&cfg, creds ? creds : &test_creds);
	aws_config_free(&cfg);
	return c;
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Error bodies. */

static void
t_query_error(void)
{
	static const char body[] =
	    "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
	    "  <Error>\n    <Type>Sender</Type>\n    <Code>NoSuchEntity</Code>\n"
	    "    <Message>The Password Policy with domain name 123456789012 cannot be found.</Message>\n"
	    "  </Error>\n  <RequestId>rid-9</RequestId>\n</ErrorResponse>\n";
	struct aws_resp r = { 0 };

	aws_parse_query_error(body, sizeof(body) - 1, 404, &r);
	T_STREQ(r.code, "NoSuchEntity");
	T_STREQ(r.message, "The Password Policy with domain name 123456789012 cannot be found.");
	T_STREQ(r.request_id, "rid-9");
	aws_resp_free(&r);
}

static void
t_query_error_ec2_style(void)
{
	static const char body[] =
	    "<?xml version=\"1.0\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>"
	    "<Message>Request limit exceeded.</Message></Error></Errors>"
	    "<RequestID>ec2-rid</RequestID></Response>";
	struct aws_resp r = { 0 };

	aws_parse_query_error(body, sizeof(body) - 1, 503, &r);
	T_STREQ(r.code, "RequestLimitExceeded");
	T_STREQ(r.message, "Request limit exceeded.");
	T_STREQ(r.request_id, "ec2-rid");
	aws_resp_free(&r);
}

static void
t_query_error_not_xml(void)
{
	static const char html[] = "<html><body>\n503 Service Unavailable\n</body></html>";
	struct aws_resp r = { 0 };

	aws_parse_query_error(html, sizeof(html) - 1, 503, &r);
	T_STREQ(r.code, "HTTP503");
	T(r.message != NULL && strstr(r.message, "503 Service Unavailable") != NULL &&
	    strchr(r.message, '\n') == NULL, "message %s", r.message);
	aws_resp_free(&r);

	aws_parse_query_error(NULL, 0, 502, &r);
	T_STREQ(r.code, "HTTP502");
	T_STREQ(r.message, "HTTP 502 with no error message");
	aws_resp_free(&r);

	/* Entities stay unexpanded and nothing is fetched: the code is used as written. */
	static const char ent[] = "<!DOCTYPE x [<!ENTITY e SYSTEM \"http://127.0.0.1:1/x\">]>"
	    "<ErrorResponse><Error><Code>Bad&e;</Code></Error></ErrorResponse>";
	aws_parse_query_error(ent, sizeof(ent) - 1, 400, &r);
	T(r.code != NULL && strncmp(r.code, "Bad", 3) == 0, "code %s", r.code);
	aws_resp_free(&r);
}

static void
t_json_error(void)
{
	static const char b1[] = "{\"__type\":\"com.amazonaws.cloudtrail.v20131101#"
	    "InvalidTimeRangeException\",\"Message\":\"bad range\"}";
	static const char b2[] = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
	static const char b3[] = "{\"__type\":\"AccessDeniedException:http://internal/\",\"message\":\"no\"}";
	static const char b4[] = "{\"message\":\"from the header\"}";
	static const char b5[] = "not json at all";
	static const char b6[] = "\n<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>"
	    "AccessDeniedException</Code><Message>xml from an emulator</Message></Error></Errors>"
	    "</ErrorResponse>";
	struct aws_resp r = { 0 };

	aws_parse_json_error(b1, sizeof(b1) - 1, 400, NULL, &r);
	T_STREQ(r.code, "InvalidTimeRangeException");
	T_STREQ(r.message, "bad range");
	aws_resp_free(&r);
	aws_parse_json_error(b2, sizeof(b2) - 1, 400, NULL, &r);
	T_STREQ(r.code, "ThrottlingException");
	T_STREQ(r.message, "Rate exceeded");
	aws_resp_free(&r);
	aws_parse_json_error(b3, sizeof(b3) - 1, 400, NULL, &r);
	T_STREQ(r.code, "AccessDeniedException");
	aws_resp_free(&r);
	aws_parse_json_error(b4, sizeof(b4) - 1, 400,
	    "ns#TooManyRequestsException:http://x", &r);
	T_STREQ(r.code, "TooManyRequestsException");
	T_STREQ(r.message, "from the header");
	aws_resp_free(&r);
	aws_parse_json_error(b5, sizeof(b5) - 1, 500, NULL, &r);
	T_STREQ(r.code, "HTTP500");
	T_STREQ(r.message, "not json at all");
	aws_resp_free(&r);
	aws_parse_json_error(b6, sizeof(b6) - 1, 403, NULL, &r);
	T_STREQ(r.code, "AccessDeniedException");
	T_STREQ(r.message, "xml from an emulator");
	aws_resp_free(&r);
}

/* Retry rules. */

static void
t_classify(void)
{
	static const char *const throttles[] = {
		"Throttling", "ThrottlingException", "TooManyRequestsException",
		"RequestLimitExceeded", "SlowDown", "LimitExceededException", NULL,
	};
	static const char *const never[] = {
		"AccessDenied", "AccessDeniedException", "InvalidClientTokenId",
		"UnrecognizedClientException", "SignatureDoesNotMatch", "NoSuchEntity",
		"LimitExceeded", "ValidationError", "ExpiredToken", "BodyTooLarge",
		"TLSError", "RequestError", NULL,
	};
	const char *const *c;
	struct aws_attempt a;

	for (c = throttles; *c != NULL; c++) {
		a = (struct aws_attempt){ 0, 0, 400, *c };
		T(aws_retry_classify(&a) == AWS_RETRY_THROTTLE, "%s not throttling", *c);
	}
	for (c = never; *c != NULL; c++) {
		a = (struct aws_attempt){ 0, 0, 400, *c };
		T(aws_retry_classify(&a) == AWS_RETRY_NO, "%s retried", *c);
	}
	a = (struct aws_attempt){ 0, 0, 429, "HTTP429" };
	T(aws_retry_classify(&a) == AWS_RETRY_THROTTLE, "429");
	a = (struct aws_attempt){ 1, 1, 0, "Timeout" };
	T(aws_retry_classify(&a) == AWS_RETRY_TRANSIENT, "timeout");
	a = (struct aws_attempt){ 0, 0, 400, "RequestTimeout" };
	T(aws_retry_classify(&a) == AWS_RETRY_TRANSIENT, "RequestTimeout");
	a = (struct aws_attempt){ 0, 0, 400, "IDPCommunicationError" };
	T(aws_retry_classify(&a) == AWS_RETRY_TRANSIENT, "IDPCommunicationError");
	a = (struct aws_attempt){ 0, 0, 503, "ServiceUnavailable" };
	T(aws_retry_classify(&a) == AWS_RETRY_TRANSIENT, "503");
	a = (struct aws_attempt){ 0, 0, 501, "HTTP501" };
	T(aws_retry_classify(&a) == AWS_RETRY_NO, "501 retried");
	T(aws_code_is_denied("AccessDenied") && aws_code_is_denied("AccessDeniedException") &&
	    !aws_code_is_denied("NoSuchEntity") && !aws_code_is_denied(NULL), "denied");
}

static void
t_backoff_bounds(void)
{
	int i;

	T(aws_backoff_ms(1, 0.0, 1000) == 0, "u=0");
	T(aws_backoff_ms(1, 0.999, 1000) == 999, "first retry %ld", aws_backoff_ms(1, 0.999, 1000));
	T(aws_backoff_ms(2, 0.5, 1000) == 1000, "second retry");
	T(aws_backoff_ms(5, 0.9999, 1000) <= 16000 && aws_backoff_ms(5, 0.9999, 1000) > 15000,
	    "fifth retry");
	for (i = 6; i < 40; i++)
		T(aws_backoff_ms(i, 0.99999, 1000) <= 20000 &&
		    aws_backoff_ms(i, 0.99999, 1000) > 19000, "retry %d: cap 20 s", i);
	T(aws_backoff_ms(3, 0.99, 1) <= 4, "scaled base");
}

/* Against the server. */

static void
t_retry_503_then_ok(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;

	srv_reset(&srv);
	srv_add(&srv, 503, NULL, "<html>busy</html>");
	srv_add(&srv, 503, NULL, "");
	srv_add(&srv, 200, "x-amzn-RequestId: rid-ok\r\n", "<ListUsersResponse/>");
	T(aws_query(c, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_OK, "result %d %s",
	    r.result, r.code);
	T(r.http_status == 200 && r.body != NULL && strcmp(r.body, "<ListUsersResponse/>") == 0,
	    "body %s", r.body);
	T_STREQ(r.request_id, "rid-ok");
	T_STREQ(r.call, "iam:ListUsers");
	T_STREQ(r.endpoint, srv.url);
	T(aws_client_calls(c) == 3 && aws_client_retries(c) == 2, "calls %u retries %u",
	    aws_client_calls(c), aws_client_retries(c));
	T(srv_nreqs(&srv) == 3, "server saw %d", srv_nreqs(&srv));
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_no_retry_access_denied(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;

	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>"
	    "User: x is not authorized</Message></Error><RequestId>r1</RequestId></ErrorResponse>");
	T(aws_query(c, AWS_IAM, "GetAccountSummary", NULL, &r) == AWS_RES_API_ERROR, "result");
	T_STREQ(r.code, "AccessDenied");
	T_STREQ(r.message, "User: x is not authorized");
	T(r.http_status == 403, "status %ld", r.http_status);
	T(aws_client_calls(c) == 1 && aws_client_retries(c) == 0, "calls %u",
	    aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_gives_up_after_max_attempts(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;

	srv_reset(&srv);
	srv_add(&srv, 400, NULL, "<ErrorResponse><Error><Code>Throttling</Code>"
	    "<Message>Rate exceeded</Message></Error></ErrorResponse>");
	T(aws_query(c, AWS_IAM, "ListRoles", NULL, &r) == AWS_RES_API_ERROR, "result");
	T_STREQ(r.code, "Throttling");
	T(aws_client_calls(c) == 3 && aws_client_retries(c) == 2, "calls %u",
	    aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_body_too_large(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 1000);
	struct aws_resp r;
	char big[5000];

	memset(big, 'x', sizeof(big));
	srv_reset(&srv);
	srv_add_len(&srv, 200, NULL, big, sizeof(big));
	T(aws_query(c, AWS_IAM, "GetAccountAuthorizationDetails", NULL, &r) == AWS_RES_TRANSPORT,
	    "result %d", r.result);
	T_STREQ(r.code, "BodyTooLarge");
	T(r.body == NULL && r.http_status == 200, "body %p status %ld", (void *)r.body,
	    r.http_status);
	T(aws_client_calls(c) == 1, "calls %u (not retried)", aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_timeout(void)
{
	struct aws_client *c = client(NULL, 2, 300, 0);
	struct aws_resp r;
	double t0 = now_s(), dt;

	srv_reset(&srv);
	srv_add(&srv, 0, NULL, NULL);	/* hang */
	T(aws_query(c, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_TRANSPORT, "result");
	dt = now_s() - t0;
	T_STREQ(r.code, "Timeout");
	T(r.http_status == 0 && r.body == NULL, "status %ld", r.http_status);
	T(r.message != NULL && *r.message, "message");
	T(aws_client_calls(c) == 2 && aws_client_retries(c) == 1, "calls %u",
	    aws_client_calls(c));
	T(dt >= 0.55 && dt < 2.0, "took %.2f s for two 0.3 s attempts", dt);
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_connection_refused(void)
{
	struct aws_opts o = { 0 };
	struct aws_config cfg;
	struct aws_client *c;
	struct aws_resp r;
	char url[64], *err = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv_dead_port());
	o.endpoint_url = url;
	T(aws_config_load(&o, &cfg, &err), "config: %s", err);
	c = aws_client_new(&cfg, &test_creds);
	T(aws_query(c, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_TRANSPORT, "result");
	T_STREQ(r.code, "ConnectionError");
	T(r.http_status == 0, "status");
	T(aws_client_calls(c) == 3, "calls %u", aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
	aws_config_free(&cfg);
}

static void
t_retry_quota(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;
	int i;

	srv_reset(&srv);
	srv_add(&srv, 500, NULL, "<ErrorResponse><Error><Code>ServiceFailure</Code>"
	    "</Error></ErrorResponse>");
	/* 500 tokens pay for 100 retries of 5: 50 calls of 3 attempts. */
	for (i = 0; i < 50; i++) {
		aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
		aws_resp_free(&r);
	}
	T(aws_client_calls(c) == 150 && aws_client_retries(c) == 100, "calls %u retries %u",
	    aws_client_calls(c), aws_client_retries(c));
	aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
	T_STREQ(r.code, "ServiceFailure");
	aws_resp_free(&r);
	T(aws_client_calls(c) == 151, "quota empty: no retry, calls %u", aws_client_calls(c));
	/* A success refunds a token; one is not enough for a retry. */
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "ok");
	srv_add(&srv, 503, NULL, "");
	aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
	aws_resp_free(&r);
	aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
	T(r.result == AWS_RES_API_ERROR && aws_client_calls(c) == 153, "calls %u",
	    aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);
}

/* What curl sends: the headers reference §2 and §11 say AWS signs. */

static void
t_signed_query_request(void)
{
	static const struct aws_param p[] = {
		{ "MaxItems", "1000" }, { "Marker", "abc/def+==" }, { "PathPrefix", NULL },
		{ NULL, NULL },
	};
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;
	const char *req;
	char h[1024], scope[256], date[16];
	time_t now = time(NULL);

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "<ListUsersResponse/>");
	T(aws_query(c, AWS_IAM, "ListUsers", p, &r) == AWS_RES_OK, "result %s", r.code);
	req = srv_req(&srv, 0);
	T(strncmp(req, "POST / HTTP/1.1\r\n", 17) == 0, "request line");
	T_STREQ(srv_body(req), "Action=ListUsers&Version=2010-05-08&MaxItems=1000&"
	    "Marker=abc%2Fdef%2B%3D%3D");
	T_STREQ(srv_header(req, "Content-Type", h, sizeof(h)),
	    "application/x-www-form-urlencoded; charset=utf-8");
	T(strncmp(srv_header(req, "User-Agent", h, sizeof(h)), "iamgrade/", 9) == 0, "UA %s", h);
	T(*srv_header(req, "Expect", h, sizeof(h)) == '\0', "Expect sent");
	T(*srv_header(req, "x-amz-security-token", h, sizeof(h)) == '\0', "token sent");
	T(strlen(srv_header(req, "X-Amz-Date", h, sizeof(h))) == 16, "x-amz-date %s", h);
	strftime(date, sizeof(date), "%Y%m%d", gmtime(&now));
	/* A custom endpoint is signed for the configured region (§1). */
	snprintf(scope, sizeof(scope), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%s/eu-west-1/"
	    "iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=", date);
	srv_header(req, "Authorization", h, sizeof(h));
	T(strncmp(h, scope, strlen(scope)) == 0 && strlen(h) == strlen(scope) + 64,
	    "Authorization %s", h);
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_signed_with_session_token(void)
{
	struct aws_creds tc = test_creds;
	struct aws_client *c;
	struct aws_resp r;
	const char *req;
	char h[1024];

	tc.session_token = session_token;
	c = client(&tc, 0, 2000, 0);
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "<GetCallerIdentityResponse/>");
	T(aws_query(c, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_OK, "result");
	req = srv_req(&srv, 0);
	T_STREQ(srv_body(req), "Action=GetCallerIdentity&Version=2011-06-15");
	T_STREQ(srv_header(req, "x-amz-security-token", h, sizeof(h)), "EXAMPLE-SESSION-TOKEN");
	srv_header(req, "Authorization", h, sizeof(h));
	T(strstr(h, "/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token, Signature=") != NULL, "Authorization %s", h);
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_json_request(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;
	const char *req;
	char h[1024];

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "{\"Events\":[]}");
	srv_add(&srv, 400, "x-amzn-RequestId: rid-j\r\n", "{\"__type\":"
	    "\"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException\",\"Message\":\"no trail\"}");
	T(aws_json(c, AWS_CLOUDTRAIL, NULL, "LookupEvents", "{\"MaxResults\":50}", &r) ==
	    AWS_RES_OK, "result");
	T_STREQ(r.body, "{\"Events\":[]}");
	aws_resp_free(&r);
	req = srv_req(&srv, 0);
	T_STREQ(srv_body(req), "{\"MaxResults\":50}");
	T_STREQ(srv_header(req, "Content-Type", h, sizeof(h)), "application/x-amz-json-1.1");
	T_STREQ(srv_header(req, "X-Amz-Target", h, sizeof(h)),
	    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents");
	srv_header(req, "Authorization", h, sizeof(h));
	T(strstr(h, "/eu-west-1/cloudtrail/aws4_request, SignedHeaders=content-type;host;"
	    "x-amz-date;x-amz-target, Signature=") != NULL, "Authorization %s", h);

	/* Another region: the same custom URL, signed for that region; errors parsed. */
	T(aws_json(c, AWS_CLOUDTRAIL, "ap-southeast-2", "DescribeTrails", NULL, &r) ==
	    AWS_RES_API_ERROR, "result");
	T_STREQ(r.code, "TrailNotFoundException");
	T_STREQ(r.message, "no trail");
	T_STREQ(r.request_id, "rid-j");
	T_STREQ(r.call, "cloudtrail:DescribeTrails");
	req = srv_req(&srv, 1);
	T_STREQ(srv_body(req), "{}");
	srv_header(req, "Authorization", h, sizeof(h));
	T(strstr(h, "/ap-southeast-2/cloudtrail/aws4_request") != NULL, "Authorization %s", h);
	aws_resp_free(&r);

	T(aws_json(c, AWS_ORGANIZATIONS, NULL, "ListAccounts", "{}", &r) == AWS_RES_API_ERROR,
	    "orgs");
	T_STREQ(srv_header(srv_req(&srv, 2), "X-Amz-Target", h, sizeof(h)),
	    "AWSOrganizationsV20161128.ListAccounts");
	aws_resp_free(&r);

	T(aws_json(c, AWS_CLOUDTRAIL, "not a region", "DescribeTrails", NULL, &r) ==
	    AWS_RES_TRANSPORT, "bad region");
	T_STREQ(r.code, "RequestError");
	aws_resp_free(&r);
	T(aws_query(c, AWS_CLOUDTRAIL, "DescribeTrails", NULL, &r) == AWS_RES_TRANSPORT,
	    "query to a JSON service");
	T_STREQ(r.code, "RequestError");
	aws_resp_free(&r);
	aws_client_free(c);
}

/* Expired credentials: the refresh hook runs once per call. */

static int refreshes;

static int
refresh_hook(void *arg, struct aws_creds *out, char **err)
{
	(void)err;
	refreshes++;
	memset(out, 0, sizeof(*out));
	out->access_key_id = xstrdup(arg);
	out->secret_access_key = xstrdup("fresh-secret");
	out->session_token = xstrdup("fresh-token");
	out->source = xstrdup("hook");
	return 1;
}

static void
t_expired_token_refresh(void)
{
	static const char expired[] = "<ErrorResponse><Error><Code>ExpiredToken</Code>"
	    "<Message>The security token included in the request is expired</Message>"
	    "</Error></ErrorResponse>";
	static char old_token[] = "old-token", fresh_key[] = "ASIAFRESHKEY1234";
	struct aws_creds tc = test_creds;
	struct aws_client *c;
	struct aws_resp r;
	char h[1024];

	tc.session_token = old_token;
	c = client(&tc, 0, 2000, 0);
	aws_client_set_refresh(c, refresh_hook, fresh_key);
	refreshes = 0;
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, expired);
	srv_add(&srv, 200, NULL, "<GetUserResponse/>");
	T(aws_query(c, AWS_IAM, "GetUser", NULL, &r) == AWS_RES_OK, "result %s", r.code);
	T(refreshes == 1, "refreshes %d", refreshes);
	T(aws_client_calls(c) == 2 && aws_client_retries(c) == 0, "calls %u retries %u",
	    aws_client_calls(c), aws_client_retries(c));
	T(strstr(srv_header(srv_req(&srv, 1), "Authorization", h, sizeof(h)),
	    "Credential=ASIAFRESHKEY1234/") != NULL, "second attempt signed with %s", h);
	T_STREQ(srv_header(srv_req(&srv, 1), "x-amz-security-token", h, sizeof(h)),
	    "fresh-token");
	aws_resp_free(&r);

	/* Still expired after the refresh: give up, one refresh per call. */
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, expired);
	T(aws_query(c, AWS_IAM, "GetUser", NULL, &r) == AWS_RES_API_ERROR, "result");
	T_STREQ(r.code, "ExpiredToken");
	T(refreshes == 2 && srv_nreqs(&srv) == 2, "refreshes %d requests %d", refreshes,
	    srv_nreqs(&srv));
	aws_resp_free(&r);
	aws_client_free(c);

	/* Long-term keys with no hook: no refresh, no retry. */
	c = client(NULL, 0, 2000, 0);
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, expired);
	T(aws_query(c, AWS_IAM, "GetUser", NULL, &r) == AWS_RES_API_ERROR, "result");
	T(srv_nreqs(&srv) == 1, "requests %d", srv_nreqs(&srv));
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_assume_role(void)
{
	static const char ok[] =
	    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	    "  <AssumeRoleResult>\n    <Credentials>\n"
	    "      <AccessKeyId>ASIAEXAMPLEEXAMPLE03</AccessKeyId>\n"
	    "      <SecretAccessKey>EXAMPLE-SECRET</SecretAccessKey>\n"
	    "      <SessionToken>EXAMPLE-TOKEN</SessionToken>\n"
	    "      <Expiration>2099-01-01T01:00:00Z</Expiration>\n    </Credentials>\n"
	    "    <AssumedRoleUser><AssumedRoleId>AROA:iamgrade</AssumedRoleId>"
	    "<Arn>arn:aws:sts::210987654321:assumed-role/Audit/iamgrade</Arn></AssumedRoleUser>\n"
	    "  </AssumeRoleResult>\n  <ResponseMetadata><RequestId>rid-8</RequestId>"
	    "</ResponseMetadata>\n</AssumeRoleResponse>\n";
	struct aws_role role = { "arn:aws:iam::210987654321:role/Audit", "ext-1", "sess", 3600, NULL, NULL };
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_creds out;
	char *err = NULL, want[64];
	const char *body;

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, ok);
	T(aws_assume_role_with(c, &role, &out, &err), "assume: %s", err);
	T_STREQ(out.access_key_id, "ASIAEXAMPLEEXAMPLE03");
	T_STREQ(out.secret_access_key, "EXAMPLE-SECRET");
	T_STREQ(out.session_token, "EXAMPLE-TOKEN");
	T(out.expiration == 4070912400, "expiration %lld", (long long)out.expiration);
	T_STREQ(out.source, "role arn:aws:iam::210987654321:role/Audit");
	T(out.renew == NULL, "not renewable");
	T_STREQ(srv_body(srv_req(&srv, 0)), "Action=AssumeRole&Version=2011-06-15&RoleArn="
	    "arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FAudit&RoleSessionName=sess&"
	    "ExternalId=ext-1&DurationSeconds=3600");
	aws_creds_free(&out);

	/* Defaults: a generated session name, no ExternalId or DurationSeconds. */
	T(aws_assume_role(c, "arn:aws:iam::1:role/x", NULL, NULL, &out, &err), "assume: %s", err);
	body = srv_body(srv_req(&srv, 1));
	snprintf(want, sizeof(want), "RoleSessionName=iamgrade-%lld", (long long)time(NULL) / 100);
	T(strstr(body, want) != NULL && strstr(body, "ExternalId") == NULL &&
	    strstr(body, "DurationSeconds") == NULL, "body %s", body);
	aws_creds_free(&out);

	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>"
	    "not trusted</Message></Error></ErrorResponse>");
	T(!aws_assume_role(c, "arn:aws:iam::1:role/x", NULL, NULL, &out, &err), "denied");
	T_STREQ(err, "assume role arn:aws:iam::1:role/x: AccessDenied: not trusted");
	T(out.access_key_id == NULL, "no creds on failure");

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>");
	T(!aws_assume_role(c, "arn:aws:iam::1:role/x", NULL, NULL, &out, &err), "malformed");
	T(err != NULL && strstr(err, "MalformedResponse") != NULL, "err %s", err);
	free(err);
	aws_client_free(c);
}

/* Clients in threads share nothing: each counts its own calls. */
static void *
thread_calls(void *arg)
{
	struct aws_client *c = arg;
	struct aws_resp r;
	int i;

	for (i = 0; i < 10; i++) {
		aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
		aws_resp_free(&r);
	}
	return NULL;
}

static void
t_clients_in_threads(void)
{
	struct aws_client *c[4];
	pthread_t th[4];
	int i;

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "<ListUsersResponse/>");
	for (i = 0; i < 4; i++)
		c[i] = client(NULL, 0, 5000, 0);
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_calls, c[i]);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++) {
		T(aws_client_calls(c[i]) == 10 && aws_client_retries(c[i]) == 0,
		    "client %d: calls %u", i, aws_client_calls(c[i]));
		aws_client_free(c[i]);
	}
	T(srv_nreqs(&srv) == 40, "server saw %d", srv_nreqs(&srv));
}

/* The debug log names the call and the key's last four characters, never a secret. */
static void
t_debug_log_has_no_secrets(void)
{
	static char token[] = "SESSION-TOKEN-SECRET";
	struct aws_creds tc = test_creds;
	struct aws_client *c;
	struct aws_resp r;
	char path[4096], *log = NULL, *err = NULL;
	int saved = dup(2), fd;

	tc.session_token = token;
	c = client(&tc, 0, 2000, 0);
	snprintf(path, sizeof(path), "%s/log", home);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	log_level = 3;
	srv_reset(&srv);
	srv_add(&srv, 503, NULL, "");
	srv_add(&srv, 200, NULL, "ok");
	aws_query(c, AWS_IAM, "ListUsers", NULL, &r);
	log_level = 1;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	T(file_read(path, 0, &log, NULL, &err), "read log: %s", err);
	T(log != NULL && strstr(log, "iam:ListUsers") != NULL && strstr(log, "...MPLE") != NULL &&
	    strstr(log, "attempt 2/3") != NULL && strstr(log, "HTTP503") != NULL, "log:\n%s", log);
	T(log != NULL && strstr(log, "AKIDEXAMPLE") == NULL && strstr(log, "wJalr") == NULL &&
	    strstr(log, "SESSION-TOKEN") == NULL && strstr(log, "Authorization") == NULL,
	    "secret in log:\n%s", log);
	free(log);
	aws_resp_free(&r);
	aws_client_free(c);
}

/* S3: PUT with the body's SHA-256 signed, the key encoded once, If-None-Match. */
static void
t_s3_put_request(void)
{
	static const char body[] = "{\"a\": 1}\n";
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;
	const char *req;
	char h[1024], sha[65];

	srv_reset(&srv);
	srv_add(&srv, 200, "x-amz-request-id: s3-rid\r\n", "");
	T(aws_s3_put(c, "runs", "p/2026-12-06/a b+\xc3\xbc.json", body, strlen(body),
	    "application/json", 1, &r) == AWS_RES_OK, "result %s", r.code);
	T_STREQ(r.call, "s3:PutObject");
	T_STREQ(r.request_id, "s3-rid");
	req = srv_req(&srv, 0);
	T(strncmp(req, "PUT /runs/p/2026-12-06/a%20b%2B%C3%BC.json HTTP/1.1\r\n", 53) == 0,
	    "request line %.80s", req);
	T_STREQ(srv_body(req), body);
	sha256_hex(body, strlen(body), sha);
	T_STREQ(srv_header(req, "x-amz-content-sha256", h, sizeof(h)), sha);
	T_STREQ(srv_header(req, "If-None-Match", h, sizeof(h)), "*");
	T_STREQ(srv_header(req, "Content-Type", h, sizeof(h)), "application/json");
	srv_header(req, "Authorization", h, sizeof(h));
	T(strstr(h, "/eu-west-1/s3/aws4_request, SignedHeaders=content-type;host;if-none-match;"
	    "x-amz-content-sha256;x-amz-date, Signature=") != NULL, "Authorization %s", h);
	aws_resp_free(&r);
	/* An object already there: S3's 412, an error at once (no retry). */
	srv_reset(&srv);
	srv_add(&srv, 412, NULL, "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed</Code>"
	    "<Message>At least one of the pre-conditions you specified did not hold</Message>"
	    "<RequestId>r412</RequestId></Error>");
	T(aws_s3_put(c, "runs", "k", "x", 1, NULL, 1, &r) == AWS_RES_API_ERROR, "412");
	T_STREQ(r.code, "PreconditionFailed");
	T_STREQ(r.request_id, "r412");
	T(srv_nreqs(&srv) == 1, "server saw %d", srv_nreqs(&srv));
	aws_resp_free(&r);
	T(aws_s3_put(c, "Not_A_Bucket", "k", "x", 1, NULL, 1, &r) == AWS_RES_TRANSPORT, "bucket");
	T_STREQ(r.code, "RequestError");
	T(srv_nreqs(&srv) == 1, "sent a request for a bad bucket");
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_s3_list_request(void)
{
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct aws_resp r;
	const char *req;
	char h[1024];

	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>");
	T(aws_s3_list(c, "runs", "p q/2026-12-06/", 1, NULL, &r) == AWS_RES_OK, "result %s", r.code);
	T_STREQ(r.call, "s3:ListObjectsV2");
	req = srv_req(&srv, 0);
	T(strncmp(req, "GET /runs/?list-type=2&max-keys=1&prefix=p%20q%2F2026-12-06%2F HTTP/1.1\r\n",
	    73) == 0, "request line %.90s", req);
	T_STREQ(srv_header(req, "x-amz-content-sha256", h, sizeof(h)),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	T_STREQ(srv_body(req), "");
	aws_resp_free(&r);
	aws_client_free(c);
}

/*
 * A run folder fetched from S3: every page of the listing followed by its
 * continuation token (signed as sent: the query's names sorted), each
 * object fetched into its relative path; a key that would leave the folder
 * is refused and nothing of it is written.
 */
static void
t_s3_fetch(void)
{
	static const struct {
		const char *page1, *page2, *why;
		int ok;
		size_t nget;
	} cases[] = {
		{ "<ListBucketResult><IsTruncated>true</IsTruncated>"
		  "<NextContinuationToken>t+1/x=</NextContinuationToken>"
		  "<Contents><Key>p/d/run.json</Key></Contents></ListBucketResult>",
		  "<ListBucketResult><IsTruncated>false</IsTruncated>"
		  "<Contents><Key>p/d/snapshots/1.json</Key></Contents></ListBucketResult>",
		  NULL, 1, 2 },
		{ "<ListBucketResult><Contents><Key>p/d/../evil</Key></Contents></ListBucketResult>",
		  NULL, "a key with an empty, . or .. segment", 0, 0 },
		{ "<ListBucketResult><Contents><Key>p/d//x</Key></Contents></ListBucketResult>",
		  NULL, "a key with an empty, . or .. segment", 0, 0 },
		{ "<ListBucketResult><Contents><Key>other/x</Key></Contents></ListBucketResult>",
		  NULL, "a key outside the prefix", 0, 0 },
		{ "<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>",
		  NULL, "no object under this prefix", 0, 0 },
	};
	struct aws_client *c = client(NULL, 0, 2000, 0);
	struct s3_out o;
	char *err = NULL, *dir, *body = NULL, *path;
	size_t i, nget, len;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		srv_reset(&srv);
		srv_add(&srv, 200, NULL, cases[i].page1);
		srv_add(&srv, 200, NULL, "{\"schema\": \"run\"}");
		if (cases[i].page2 != NULL) {
			srv_add(&srv, 200, NULL, cases[i].page2);
			srv_add(&srv, 200, NULL, "{}");
		}
		T(s3_out_parse("s3://runs/p/d", &o, &err), "parse: %s", err);
		T(s3_out_stage(&o, &err), "stage: %s", err);
		dir = xasprintf("%s/in", o.staging);
		ok = s3_out_fetch(c, &o, dir, &nget, &err);
		T(ok == cases[i].ok, "case %zu: fetched %d: %s", i, ok, err ? err : "");
		T(nget == cases[i].nget, "case %zu: %zu objects", i, nget);
		if (cases[i].why != NULL)
			T(err != NULL && strstr(err, cases[i].why) != NULL, "case %zu: %s", i, err);
		if (ok) {
			T(strncmp(srv_req(&srv, 0), "GET /runs/?list-type=2&max-keys=1000&prefix=p%2Fd%2F "
			    "HTTP/1.1", 60) == 0, "first page %.80s", srv_req(&srv, 0));
			T(strncmp(srv_req(&srv, 1), "GET /runs/p/d/run.json HTTP/1.1", 31) == 0,
			    "get %.60s", srv_req(&srv, 1));
			T(strncmp(srv_req(&srv, 2), "GET /runs/?continuation-token=t%2B1%2Fx%3D&"
			    "list-type=2&max-keys=1000&prefix=p%2Fd%2F HTTP/1.1", 90) == 0,
			    "second page %.100s", srv_req(&srv, 2));
			path = xasprintf("%s/run.json", dir);
			T(file_read(path, 0, &body, &len, &err) && strcmp(body, "{\"schema\": \"run\"}") == 0,
			    "run.json: %s", body ? body : err);
			free(body);
			body = NULL;
			free(path);
			path = xasprintf("%s/snapshots/1.json", dir);
			T(access(path, R_OK) == 0, "%s fetched", path);
			free(path);
		}
		path = xasprintf("%s/evil", o.staging);
		T(access(path, F_OK) != 0, "nothing outside the folder");
		free(path);
		free(dir);
		free(err);
		err = NULL;
		T(s3_out_unstage(&o, &err), "unstage: %s", err);
		s3_out_free(&o);
	}
	aws_client_free(c);
}

/* Which URL style where: virtual-hosted on AWS, path-style elsewhere and for dotted buckets. */
static void
t_s3_url_styles(void)
{
	static const struct {
		const char *region, *endpoint, *bucket, *key, *want;
	} cases[] = {
		{ "eu-west-1", NULL, "runs", "a/b c.json", "https://runs.s3.eu-west-1.amazonaws.com/a/b%20c.json" },
		{ "cn-north-1", NULL, "runs", "k", "https://runs.s3.cn-north-1.amazonaws.com.cn/k" },
		{ "eu-west-1", NULL, "my.runs", "k", "https://s3.eu-west-1.amazonaws.com/my.runs/k" },
		{ "eu-west-1", "http://127.0.0.1:4566", "runs", "k/", "http://127.0.0.1:4566/runs/k/" },
		{ "eu-west-1", "https://minio.example/", "runs", "~x", "https://minio.example/runs/~x" },
		{ "eu-west-1", NULL, "Runs", "k", NULL },
		{ "eu-west-1", NULL, "a/b", "k", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aws_opts o = { 0 };
		struct aws_config cfg;
		char *err = NULL, *u;

		o.region = cases[i].region;
		o.endpoint_url = cases[i].endpoint;
		T(aws_config_load(&o, &cfg, &err), "config %zu: %s", i, err);
		u = aws_s3_url(&cfg, cases[i].bucket, cases[i].key, NULL);
		if (cases[i].want == NULL)
			T(u == NULL, "case %zu: %s", i, u);
		else
			T(u != NULL && strcmp(u, cases[i].want) == 0, "case %zu: %s", i, u ? u : "(null)");
		free(u);
		free(err);
		aws_config_free(&cfg);
	}
	/* AWS_ENDPOINT_URL_S3 moves S3 alone, as AWS_ENDPOINT_URL_<SVC> does the others. */
	{
		struct aws_opts o = { 0 };
		struct aws_config cfg;
		char *err = NULL, *u;

		o.region = "eu-west-1";
		setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000", 1);
		T(aws_config_load(&o, &cfg, &err), "config: %s", err);
		unsetenv("AWS_ENDPOINT_URL_S3");
		u = aws_s3_url(&cfg, "runs", "k", NULL);
		T_STREQ(u, "http://127.0.0.1:9000/runs/k");
		T(cfg.endpoint_custom[AWS_S3] && !cfg.endpoint_custom[AWS_IAM], "custom flags");
		free(u);
		free(err);
		aws_config_free(&cfg);
	}
}

int
main(void)
{
	if (mkdtemp(home) == NULL)
		return 2;
	srv_clean_env(home);
	srv_start(&srv);
	RUN(t_query_error);
	RUN(t_query_error_ec2_style);
	RUN(t_query_error_not_xml);
	RUN(t_json_error);
	RUN(t_classify);
	RUN(t_backoff_bounds);
	RUN(t_retry_503_then_ok);
	RUN(t_no_retry_access_denied);
	RUN(t_gives_up_after_max_attempts);
	RUN(t_body_too_large);
	RUN(t_timeout);
	RUN(t_connection_refused);
	RUN(t_retry_quota);
	RUN(t_signed_query_request);
	RUN(t_signed_with_session_token);
	RUN(t_json_request);
	RUN(t_expired_token_refresh);
	RUN(t_assume_role);
	RUN(t_clients_in_threads);
	RUN(t_debug_log_has_no_secrets);
	RUN(t_s3_put_request);
	RUN(t_s3_list_request);
	RUN(t_s3_fetch);
	RUN(t_s3_url_styles);
	srv_stop(&srv);
	srv_rmtree(home);
	return t_done();
}
