/* One signed AWS call over libcurl: requests, error parsing, standard-mode retries, AssumeRole. */
#include <sys/random.h>

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "collector/aws_int.h"

const char *const aws_svc_names[AWS_SVC__MAX] = {
	"iam", "sts", "cloudtrail", "organizations", "securityhub",
	"s3",
};

/* Query API versions; NULL for the JSON services. */
static const char *const aws_query_version[AWS_SVC__MAX] = {
	"2010-05-08", "2011-06-15", NULL, NULL, NULL,
	NULL,
};

/* X-Amz-Target prefixes; NULL for the Query services. */
static const char *const aws_json_target[AWS_SVC__MAX] = {
	NULL, NULL, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
	"AWSOrganizationsV20161128", NULL,
	NULL,
};

static const char *const aws_result_names[] = {
	"ok", "api-error", "transport-error",
};

/* The retry quota of reference §10 (standard mode). */
#define AWS_QUOTA_MAX		500
#define AWS_QUOTA_RETRY		5
#define AWS_QUOTA_TIMEOUT	10
#define AWS_QUOTA_SUCCESS	1
#define AWS_BACKOFF_CAP		20	/* times the base delay: 20 s by default */
/* Renew temporary credentials this long before they expire. */
#define AWS_REFRESH_EARLY	300

struct aws_client {
	struct aws_config	 cfg;
	struct aws_creds	 creds;
	CURL			*curl;
	unsigned		 calls;
	unsigned		 retries;
	int			 quota;
	uint64_t		 rng;
	long			 base_ms;
	int			(*refresh)(void *, struct aws_creds *, char **);
	void			*refresh_arg;
};

/* One request, as the retry loop sends it again and again. */
struct aws_req {
	enum aws_svc	 svc;
	const char	*op;
	const char	*url;
	const char	*sign_region;
	const char	*content_type;
	char		*target;	/* X-Amz-Target, JSON only */
	const char	*body;
	size_t		 len;
	int		 json;
	const char	*method;	/* NULL: POST; "PUT" or "GET" (S3) */
	const char	*extra[3];	/* more headers, "Name: value", signed; NULL ends */
};

/* What one attempt's callbacks collect. */
struct aws_xfer {
	struct buf	 body;
	int		 too_large;
	char		*request_id;
	char		*error_type;
};

static pthread_once_t aws_once = PTHREAD_ONCE_INIT;

/*
 * Connection reuse across accounts and threads.  A run opens a client per
 * account and per worker of an account, and each new curl handle used to
 * mean a new connection (and on HTTPS a new TLS handshake): ~17,000
 * connections for ~24,000 requests at 1,000 accounts.  libcurl cannot share
 * one connection cache between threads that run transfers at the same time
 * (CURLSHOPT_SHARE(3): CURL_LOCK_DATA_CONNECT "is not supported ... between
 * multiple concurrent threads"), so the handles themselves are kept: a
 * freed client's handle goes back to this pool with its live connections
 * (curl_easy_reset keeps them) and the next client takes it, on whatever
 * thread.  A handle is still used by one thread at a time.  What libcurl
 * does share between threads safely, DNS answers and TLS session ids, is in
 * one share object (aws_share), so a new connection to an endpoint another
 * handle reached resumes its TLS session instead of a full handshake.
 * AWS_POOL_MAX bounds the idle handles, and so the idle connections (each
 * handle keeps up to AWS_HANDLE_CONNS, one per endpoint it reached).
 */
#define AWS_POOL_MAX		512
#define AWS_HANDLE_CONNS	8L

static CURLSH		*aws_share;
static pthread_mutex_t	 aws_share_locks[CURL_LOCK_DATA_LAST];
static pthread_mutex_t	 aws_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static CURL		*aws_pool[AWS_POOL_MAX];
static size_t		 aws_pool_n;

static void
aws_share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *arg)
{
	pthread_mutex_lock(&aws_share_locks[d]);
}

static void
aws_share_unlock(CURL *h, curl_lock_data d, void *arg)
{
	pthread_mutex_unlock(&aws_share_locks[d]);
}

static void
aws_global_init(void)
{
	int i;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&aws_share_locks[i], NULL);
	/* Without the share (no memory) every handle keeps its own caches: slower, no less right. */
	if ((aws_share = curl_share_init()) != NULL &&
	    (curl_share_setopt(aws_share, CURLSHOPT_LOCKFUNC, aws_share_lock) != CURLSHE_OK ||
	    curl_share_setopt(aws_share, CURLSHOPT_UNLOCKFUNC, aws_share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(aws_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(aws_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK)) {
		curl_share_cleanup(aws_share);
		aws_share = NULL;
	}
}

/* A handle from the pool (with its live connections), or a new one. */
static CURL *
aws_handle_get(void)
{
	CURL *h = NULL;

	pthread_mutex_lock(&aws_pool_lock);
	if (aws_pool_n > 0)
		h = aws_pool[--aws_pool_n];
	pthread_mutex_unlock(&aws_pool_lock);
	if (h == NULL && (h = curl_easy_init()) == NULL) {
		fputs("iamgrade: curl_easy_init failed\n", stderr);
		abort();
	}
	return h;
}

/* aws.h */
void
aws_release_connections(void)
{
	CURL *idle[AWS_POOL_MAX];
	size_t i, n;

	pthread_mutex_lock(&aws_pool_lock);
	n = aws_pool_n;
	memcpy(idle, aws_pool, n * sizeof(idle[0]));
	aws_pool_n = 0;
	pthread_mutex_unlock(&aws_pool_lock);
	/* Outside the lock: closing a TLS connection may wait for the peer. */
	for (i = 0; i < n; i++)
		curl_easy_cleanup(idle[i]);
}

/* Back to the pool for the next client, or closed when the pool is full. */
static void
aws_handle_put(CURL *h)
{
	pthread_mutex_lock(&aws_pool_lock);
	if (aws_pool_n < AWS_POOL_MAX) {
		aws_pool[aws_pool_n++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&aws_pool_lock);
	curl_easy_cleanup(h);
}

void
aws_init(void)
{
	pthread_once(&aws_once, aws_global_init);
}

/* Codes. */

/*
 * Cancellation (Ctrl-C, SIGTERM during a run): a flag a signal handler may
 * set.  Transfers in progress abort through curl's progress callback, no
 * new attempt starts, and sleeps end early, so every account in flight
 * comes back within a fraction of a second with code "Cancelled".
 */
static volatile sig_atomic_t aws_cancel_flag;

void
aws_cancel(void)
{
	aws_cancel_flag = 1;
}

int
aws_cancelled(void)
{
	return aws_cancel_flag != 0;
}

static int
aws_on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)arg; (void)dt; (void)dn; (void)ut; (void)un;
	return aws_cancelled();
}

static int
aws_code_in(const char *code, const char *const *list)
{
	if (code == NULL)
		return 0;
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

int
aws_code_is_denied(const char *code)
{
	static const char *const denied[] = {
		"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"UnauthorizedAccess", NULL,
	};

	return aws_code_in(code, denied);
}

int
aws_code_is_throttle(const char *code)
{
	static const char *const throttle[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException", NULL,
	};

	return aws_code_in(code, throttle);
}

int
aws_code_is_expired(const char *code)
{
	static const char *const expired[] = {
		"ExpiredToken", "ExpiredTokenException", NULL,
	};

	return aws_code_in(code, expired);
}

enum aws_retry_class
aws_retry_classify(const struct aws_attempt *a)
{
	static const char *const transient[] = {
		"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
		"IDPCommunicationError", NULL,
	};

	if (aws_code_is_throttle(a->code) || a->http_status == 429)
		return AWS_RETRY_THROTTLE;
	if (a->no_response || aws_code_in(a->code, transient))
		return AWS_RETRY_TRANSIENT;
	switch (a->http_status) {
	case 500:
	case 502:
	case 503:
	case 504:
		return AWS_RETRY_TRANSIENT;
	default:
		return AWS_RETRY_NO;
	}
}

long
aws_backoff_ms(int i, double u, long base_ms)
{
	double cap = (double)AWS_BACKOFF_CAP * base_ms, d = base_ms;

	while (--i > 0 && d < cap)
		d *= 2;
	if (d > cap)
		d = cap;
	return (long)(u * d);
}

/* Error bodies. */

/* A short, printable piece of an unparsable body, for a message. */
static char *
aws_excerpt(const char *body, size_t len)
{
	size_t n = len < 200 ? len : 200, i;
	char *s;

	if (body == NULL)
		return xstrdup("");
	while (n < len && n > 0 && ((unsigned char)body[n] & 0xC0) == 0x80)
		n--;		/* do not cut a UTF-8 character */
	s = xstrndup(body, n);
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	return s;
}

static char *
aws_clean(char *s)
{
	return str_sanitize_term(s);
}

/* Fall back to the HTTP status when the body names no error. */
static void
aws_status_error(const char *body, size_t len, long status, struct aws_resp *r)
{
	char *ex;

	if (r->code == NULL)
		r->code = xasprintf("HTTP%ld", status);
	if (r->message == NULL) {
		ex = aws_excerpt(body, len);
		if (*ex == '\0') {
			free(ex);
			ex = xasprintf("HTTP %ld with no error message", status);
		}
		r->message = ex;
	}
}

static int
aws_xml_is(const xmlNode *n, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, local) == 0;
}

static xmlNode *
aws_xml_child(const xmlNode *parent, const char *local)
{
	xmlNode *n;

	for (n = parent ? parent->children : NULL; n != NULL; n = n->next)
		if (aws_xml_is(n, local))
			return n;
	return NULL;
}

/* The first element named local at most depth levels below n (n included). */
static xmlNode *
aws_xml_find(xmlNode *n, const char *local, int depth)
{
	xmlNode *c, *f;

	if (aws_xml_is(n, local))
		return n;
	if (depth <= 0 || n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (f = aws_xml_find(c, local, depth - 1)) != NULL)
			return f;
	return NULL;
}

static char *
aws_xml_text(const xmlNode *n)
{
	xmlChar *t;
	char *s;

	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = xstrdup((const char *)t);
	xmlFree(t);
	return s;
}

/* Parse with the network and entity expansion off: the body is untrusted. */
static xmlDoc *
aws_xml_read(const char *body, size_t len)
{
	if (body == NULL || len == 0 || len > INT_MAX)
		return NULL;
	return xmlReadMemory(body, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

void
aws_parse_query_error(const char *body, size_t len, long status, struct aws_resp *r)
{
	xmlDoc *doc = aws_xml_read(body, len);
	xmlNode *root, *e, *id;

	if (doc != NULL && (root = xmlDocGetRootElement(doc)) != NULL) {
		/* ErrorResponse/Error, or EC2's Response/Errors/Error. */
		if ((e = aws_xml_find(root, "Error", 2)) != NULL) {
			r->code = aws_xml_text(aws_xml_child(e, "Code"));
			r->message = aws_xml_text(aws_xml_child(e, "Message"));
			if (r->code != NULL && *r->code == '\0') {
				free(r->code);
				r->code = NULL;
			}
		}
		id = aws_xml_child(root, "RequestId");
		if (id == NULL)
			id = aws_xml_child(root, "RequestID");
		if (id == NULL)
			id = aws_xml_child(aws_xml_child(root, "ResponseMetadata"), "RequestId");
		if (id != NULL && r->request_id == NULL)
			r->request_id = aws_xml_text(id);
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	aws_status_error(body, len, status, r);
	aws_clean(r->code);
	aws_clean(r->message);
	aws_clean(r->request_id);
}

/* botocore's clean-up: "a:b" -> "a", "ns#Code" -> "Code". */
static char *
aws_json_code(const char *type)
{
	size_t n = strcspn(type, ":");
	char *s = xstrndup(type, n), *hash = strrchr(s, '#');

	if (hash != NULL)
		memmove(s, hash + 1, strlen(hash + 1) + 1);
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

void
aws_parse_json_error(const char *body, size_t len, long status, const char *type_header,
    struct aws_resp *r)
{
	json_t *j = NULL;
	const char *type = NULL, *msg;
	size_t sp = body ? strspn(body, " \t\r\n") : 0;

	/*
	 * AWS answers JSON services in JSON, but emulators (moto's signature
	 * and permission checks) and gateways may answer in the Query XML form.
	 */
	if (type_header == NULL && sp < len && body[sp] == '<') {
		aws_parse_query_error(body + sp, len - sp, status, r);
		return;
	}
	if (body != NULL && len > 0)
		j = json_loadb(body, len, 0, NULL);
	if (json_is_object(j)) {
		type = jstr(j, "__type");
		if ((msg = jstr(j, "message")) == NULL)
			msg = jstr(j, "Message");
		if (msg != NULL)
			r->message = xstrdup(msg);
	}
	if (type != NULL)
		r->code = aws_json_code(type);
	if (r->code == NULL && type_header != NULL)
		r->code = aws_json_code(type_header);
	json_decref(j);
	aws_status_error(body, len, status, r);
	aws_clean(r->code);
	aws_clean(r->message);
}

/* The response. */

void
aws_resp_free(struct aws_resp *r)
{
	free(r->body);
	free(r->code);
	free(r->message);
	free(r->request_id);
	free(r->call);
	free(r->endpoint);
	memset(r, 0, sizeof(*r));
}

/* Forget one attempt's answer, keeping what names the call. */
static void
aws_resp_clear_answer(struct aws_resp *r)
{
	free(r->body);
	free(r->code);
	free(r->message);
	free(r->request_id);
	r->body = r->code = r->message = r->request_id = NULL;
	r->len = 0;
	r->http_status = 0;
}

/* The client. */

static void
aws_seed(struct aws_client *c)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)c;
	c->rng = s ? s : 0x9E3779B97F4A7C15ULL;
}

/* xorshift64*: a per-client generator, so threads share no state. */
static double
aws_rand01(struct aws_client *c)
{
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

/* A config built by hand (tests) may leave settings zero: use the defaults. */
static void
aws_client_defaults(struct aws_config *c)
{
	int s;

	if (c->region == NULL)
		c->region = xstrdup("us-east-1");
	for (s = 0; s < AWS_SVC__MAX; s++)
		if (c->sign_region[s] == NULL)
			c->sign_region[s] = xstrdup(c->region);
	if (c->max_attempts <= 0)
		c->max_attempts = 3;
	if (c->connect_timeout_ms <= 0)
		c->connect_timeout_ms = 5000;
	if (c->timeout_ms <= 0)
		c->timeout_ms = 60000;
	if (c->body_max == 0)
		c->body_max = (size_t)64 * 1024 * 1024;
}

/* Credentials: their lifecycle here, where the client holds them; the chain in creds.c. */

void
aws_creds_free(struct aws_creds *c)
{
	if (c->secret_access_key != NULL)
		explicit_bzero(c->secret_access_key, strlen(c->secret_access_key));
	if (c->session_token != NULL)
		explicit_bzero(c->session_token, strlen(c->session_token));
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

void
aws_creds_copy(struct aws_creds *d, const struct aws_creds *s)
{
	d->access_key_id = xstrdup(s->access_key_id);
	d->secret_access_key = xstrdup(s->secret_access_key);
	d->session_token = xstrdup(s->session_token);
	d->expiration = s->expiration;
	d->source = xstrdup(s->source);
	d->renew = s->renew;
}

struct aws_client *
aws_client_new(const struct aws_config *cfg, const struct aws_creds *creds)
{
	struct aws_client *c;
	const char *v;
	char *end;
	long n;

	aws_init();
	c = xcalloc(1, sizeof(*c));
	aws_config_copy(&c->cfg, cfg);
	aws_client_defaults(&c->cfg);
	aws_creds_copy(&c->creds, creds);
	c->curl = aws_handle_get();
	c->quota = AWS_QUOTA_MAX;
	c->base_ms = 1000;
	if ((v = aws_env("IAMGRADE_RETRY_BASE_MS")) != NULL) {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 0 && n <= 60000)
			c->base_ms = n;
	}
	aws_seed(c);
	return c;
}

void
aws_client_free(struct aws_client *c)
{
	if (c == NULL)
		return;
	aws_handle_put(c->curl);
	aws_config_free(&c->cfg);
	aws_creds_free(&c->creds);
	free(c);
}

void
aws_client_set_creds(struct aws_client *c, const struct aws_creds *creds)
{
	aws_creds_free(&c->creds);
	aws_creds_copy(&c->creds, creds);
}

void
aws_client_set_refresh(struct aws_client *c, int (*fn)(void *, struct aws_creds *, char **),
    void *arg)
{
	c->refresh = fn;
	c->refresh_arg = arg;
}

struct aws_client *
aws_client_clone(const struct aws_client *c)
{
	struct aws_client *s = aws_client_new(&c->cfg, &c->creds);

	s->refresh = c->refresh;
	s->refresh_arg = c->refresh_arg;
	s->base_ms = c->base_ms;
	return s;
}

void
aws_client_merge(struct aws_client *c, struct aws_client *sibling)
{
	if (sibling == NULL)
		return;
	c->calls += sibling->calls;
	c->retries += sibling->retries;
	aws_client_free(sibling);
}

unsigned
aws_client_calls(const struct aws_client *c)
{
	return c->calls;
}

unsigned
aws_client_retries(const struct aws_client *c)
{
	return c->retries;
}

static int
aws_can_refresh(const struct aws_client *c)
{
	return c->refresh != NULL || c->creds.renew != NULL;
}

/* Renew the credentials through the hook or the chain. */
static int
aws_refresh(struct aws_client *c, const char *why)
{
	struct aws_creds fresh;
	char *err = NULL;
	int rc;

	memset(&fresh, 0, sizeof(fresh));
	if (c->refresh != NULL)
		rc = c->refresh(c->refresh_arg, &fresh, &err);
	else
		rc = c->creds.renew(&c->cfg, &fresh, &err);
	if (rc) {
		log_verbose("credentials from %s renewed (%s)", c->creds.source ?
		    c->creds.source : "?", why);
		aws_creds_free(&c->creds);
		c->creds = fresh;
	} else {
		log_verbose("credentials from %s could not be renewed (%s): %s",
		    c->creds.source ? c->creds.source : "?", why, err ? err : "?");
		aws_creds_free(&fresh);
	}
	free(err);
	return rc;
}

/* One attempt. */

static size_t
aws_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct aws_xfer *x = arg;

	if (!buf_add(&x->body, p, size * n)) {
		x->too_large = 1;
		return 0;
	}
	return size * n;
}

/* "Name: value\r\n" -> value if the name matches, else NULL. */
static char *
aws_header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name), e;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	for (e = len; e > 0 && (line[e - 1] == '\r' || line[e - 1] == '\n' ||
	    line[e - 1] == ' '); e--)
		;
	return aws_clean(xstrndup(line, e));
}

static size_t
aws_on_header(char *p, size_t size, size_t n, void *arg)
{
	struct aws_xfer *x = arg;
	size_t len = size * n;
	char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue, say): forget the last. */
		free(x->request_id);
		free(x->error_type);
		x->request_id = x->error_type = NULL;
	} else if ((v = aws_header_value(p, len, "x-amzn-RequestId")) != NULL ||
	    (v = aws_header_value(p, len, "x-amz-request-id")) != NULL) {
		free(x->request_id);
		x->request_id = v;
	} else if ((v = aws_header_value(p, len, "x-amzn-ErrorType")) != NULL) {
		free(x->error_type);
		x->error_type = v;
	}
	return len;
}

static const char *
aws_transport_code(CURLcode cc, int too_large, int *retry, int *timeout)
{
	*retry = *timeout = 0;
	if (too_large)
		return "BodyTooLarge";
	switch (cc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return "Cancelled";
	case CURLE_OPERATION_TIMEDOUT:
		*retry = *timeout = 1;
		return "Timeout";
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		*retry = 1;
		return "ConnectionError";
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
		return "TLSError";
	default:
		return "RequestError";
	}
}

static struct curl_slist *
aws_slist_add(struct curl_slist *l, const char *fmt, const char *v)
{
	char *s = xasprintf(fmt, v);
	struct curl_slist *n = curl_slist_append(l, s);

	free(s);
	if (n == NULL) {
		fputs("iamgrade: out of memory\n", stderr);
		abort();
	}
	return n;
}

/*
 * Send q once and fill r with what came back.  The headers are exactly the
 * ones AWS expects signed (reference §11): no header is removed with
 * "Name:", because curl 7.88 would list it in SignedHeaders.
 */
static void
aws_send(struct aws_client *c, const struct aws_req *q, struct aws_resp *r,
    struct aws_attempt *a)
{
	struct aws_xfer x;
	struct curl_slist *hdr = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *sigv4 = NULL;
	CURL *h = c->curl;
	CURLcode cc;
	long status = 0;
	size_t i;

	memset(&x, 0, sizeof(x));
	memset(a, 0, sizeof(*a));
	x.body.max = c->cfg.body_max;
	curl_easy_reset(h);
	if (q->content_type != NULL)
		hdr = aws_slist_add(hdr, "Content-Type: %s", q->content_type);
	if (q->target != NULL)
		hdr = aws_slist_add(hdr, "X-Amz-Target: %s", q->target);
	for (i = 0; i < sizeof(q->extra) / sizeof(q->extra[0]) && q->extra[i] != NULL; i++)
		hdr = aws_slist_add(hdr, "%s", q->extra[i]);
	if (c->creds.access_key_id != NULL) {
		sigv4 = xasprintf("aws:amz:%s:%s", q->sign_region, aws_svc_names[q->svc]);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->creds.access_key_id);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->creds.secret_access_key ?
		    c->creds.secret_access_key : "");
		if (c->creds.session_token != NULL)
			hdr = aws_slist_add(hdr, "x-amz-security-token: %s",
			    c->creds.session_token);
	}
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* curl_easy_reset cleared these; the handle's connections outlive it (aws_handle_get). */
	if (aws_share != NULL)
		curl_easy_setopt(h, CURLOPT_SHARE, aws_share);
	curl_easy_setopt(h, CURLOPT_MAXCONNECTS, AWS_HANDLE_CONNS);
	if (q->method != NULL && strcmp(q->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else {
		/* PUT with a body in memory: libcurl signs the method it sends. */
		if (q->method != NULL)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "iamgrade/" IAMGRADE_VERSION);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, aws_on_progress);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, aws_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, aws_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	if (c->cfg.ca_bundle != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_bundle);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);	/* errbuf is about to go */
	r->request_id = x.request_id;
	x.request_id = NULL;
	if (cc != CURLE_OK) {
		int retry, timeout;

		r->result = AWS_RES_TRANSPORT;
		r->code = xstrdup(aws_transport_code(cc, x.too_large, &retry, &timeout));
		if (x.too_large) {
			r->http_status = status;
			r->message = xasprintf("the answer is larger than %zu bytes",
			    c->cfg.body_max);
		} else
			r->message = aws_clean(xstrdup(*errbuf ? errbuf : curl_easy_strerror(cc)));
		a->no_response = retry;
		a->timeout = timeout;
		a->code = r->code;
		goto out;
	}
	r->http_status = a->http_status = status;
	r->len = x.body.len;
	r->body = buf_steal(&x.body);
	if (status >= 200 && status < 300) {
		r->result = AWS_RES_OK;
		goto out;
	}
	r->result = AWS_RES_API_ERROR;
	if (q->json)
		aws_parse_json_error(r->body, r->len, status, x.error_type, r);
	else
		aws_parse_query_error(r->body, r->len, status, r);
	a->code = r->code;
out:
	curl_slist_free_all(hdr);
	free(sigv4);
	buf_free(&x.body);
	free(x.request_id);
	free(x.error_type);
}

static long
aws_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

void
aws_sleep_ms(long ms)
{
	/* In slices, so that a cancelled run does not wait out a backoff. */
	while (ms > 0 && !aws_cancelled()) {
		long n = ms < 100 ? ms : 100;
		struct timespec ts = { 0, n * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		ms -= n;
	}
}

static void
aws_log_attempt(const struct aws_client *c, const struct aws_req *q, const struct aws_resp *r,
    int attempt, long ms)
{
	const char *key = c->creds.access_key_id;
	size_t n = key ? strlen(key) : 0;

	log_debug("aws %s:%s %s attempt %d/%d: %s http %ld%s%s (%ld ms, %s%s)",
	    aws_svc_names[q->svc], q->op, q->url, attempt, c->cfg.max_attempts,
	    aws_result_names[r->result], r->http_status, r->code ? " " : "",
	    r->code ? r->code : "", ms, key == NULL ? "unsigned" : "key ...",
	    key == NULL ? "" : n >= 4 ? key + n - 4 : "");
}

/*
 * The SDK "standard" retry mode (reference §10): up to max_attempts, only
 * for throttling and transient errors, full-jitter exponential backoff and
 * a per-client quota.  An expired token renews the credentials once per call,
 * outside the quota.
 */
static enum aws_result
aws_call(struct aws_client *c, const struct aws_req *q, struct aws_resp *r)
{
	struct aws_attempt a;
	struct timespec t0;
	int attempt, refreshed = 0, cost = 0;

	r->call = xasprintf("%s:%s", aws_svc_names[q->svc], q->op);
	r->endpoint = xstrdup(q->url);
	if (aws_can_refresh(c) && c->creds.expiration != 0 &&
	    time(NULL) >= c->creds.expiration - AWS_REFRESH_EARLY) {
		aws_refresh(c, "about to expire");
		refreshed = 1;
	}
	for (attempt = 1; ; attempt++) {
		aws_resp_clear_answer(r);
		if (aws_cancelled()) {
			r->result = AWS_RES_TRANSPORT;
			r->code = xstrdup("Cancelled");
			r->message = xstrdup("the run was interrupted");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		aws_send(c, q, r, &a);
		c->calls++;
		aws_log_attempt(c, q, r, attempt, aws_ms_since(&t0));
		if (r->result == AWS_RES_OK) {
			c->quota += cost ? cost : AWS_QUOTA_SUCCESS;
			if (c->quota > AWS_QUOTA_MAX)
				c->quota = AWS_QUOTA_MAX;
			break;
		}
		if (aws_code_is_expired(r->code) && !refreshed && aws_can_refresh(c)) {
			refreshed = 1;
			if (aws_refresh(c, r->code)) {
				attempt--;
				continue;
			}
		}
		if (aws_retry_classify(&a) == AWS_RETRY_NO || attempt >= c->cfg.max_attempts)
			break;
		cost = a.timeout ? AWS_QUOTA_TIMEOUT : AWS_QUOTA_RETRY;
		if (c->quota < cost) {
			log_verbose("%s: retry quota exhausted, giving up after %s", r->call,
			    r->code);
			break;
		}
		c->quota -= cost;
		c->retries++;
		{
			long ms = aws_backoff_ms(attempt, aws_rand01(c), c->base_ms);

			log_verbose("%s: %s, retrying in %ld ms (attempt %d of %d)", r->call,
			    r->code ? r->code : "error", ms, attempt + 1, c->cfg.max_attempts);
			aws_sleep_ms(ms);
		}
	}
	return r->result;
}

/* A request that never left: our own error, reported like a transport one. */
static enum aws_result
aws_local_error(enum aws_svc svc, const char *op, const char *url, struct aws_resp *r,
    char *message)
{
	r->result = AWS_RES_TRANSPORT;
	r->call = xasprintf("%s:%s", aws_svc_names[svc], op);
	r->endpoint = xstrdup(url ? url : "");
	r->code = xstrdup("RequestError");
	r->message = message;
	return r->result;
}

enum aws_result
aws_query(struct aws_client *c, enum aws_svc svc, const char *action,
    const struct aws_param *params, struct aws_resp *r)
{
	struct aws_req q;
	struct buf b = { 0 };
	enum aws_result res;

	memset(r, 0, sizeof(*r));
	if ((int)svc < 0 || svc >= AWS_SVC__MAX || aws_query_version[svc] == NULL)
		return aws_local_error(svc < AWS_SVC__MAX ? svc : AWS_IAM, action, NULL, r,
		    xasprintf("service %d does not speak the Query protocol", (int)svc));
	if (c->cfg.endpoint[svc] == NULL)
		return aws_local_error(svc, action, NULL, r,
		    xasprintf("no %s endpoint configured", aws_svc_names[svc]));
	buf_adds(&b, "Action=");
	url_encode(&b, action);
	buf_adds(&b, "&Version=");
	buf_adds(&b, aws_query_version[svc]);
	for (; params != NULL && params->name != NULL; params++) {
		if (params->value == NULL)
			continue;
		buf_adds(&b, "&");
		url_encode(&b, params->name);
		buf_adds(&b, "=");
		url_encode(&b, params->value);
	}
	memset(&q, 0, sizeof(q));
	q.svc = svc;
	q.op = action;
	q.url = c->cfg.endpoint[svc];
	q.sign_region = c->cfg.sign_region[svc];
	q.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	q.body = b.p;
	q.len = b.len;
	res = aws_call(c, &q, r);
	buf_free(&b);
	return res;
}

enum aws_result
aws_json(struct aws_client *c, enum aws_svc svc, const char *region, const char *op,
    const char *body, struct aws_resp *r)
{
	struct aws_req q;
	char *url = NULL, *sign = NULL;
	enum aws_result res;

	memset(r, 0, sizeof(*r));
	if ((int)svc < 0 || svc >= AWS_SVC__MAX || aws_json_target[svc] == NULL)
		return aws_local_error(svc < AWS_SVC__MAX ? svc : AWS_IAM, op, NULL, r,
		    xasprintf("service %d does not speak JSON 1.1", (int)svc));
	if (region == NULL && c->cfg.endpoint[svc] == NULL)
		return aws_local_error(svc, op, NULL, r,
		    xasprintf("no %s endpoint configured", aws_svc_names[svc]));
	if (region == NULL) {
		url = xstrdup(c->cfg.endpoint[svc]);
		sign = xstrdup(c->cfg.sign_region[svc]);
	} else if ((url = aws_endpoint_for_region(&c->cfg, svc, region, &sign)) == NULL)
		return aws_local_error(svc, op, NULL, r,
		    xasprintf("no %s endpoint for region \"%s\"", aws_svc_names[svc], region));
	memset(&q, 0, sizeof(q));
	q.svc = svc;
	q.op = op;
	q.url = url;
	q.sign_region = sign;
	q.content_type = "application/x-amz-json-1.1";
	q.target = xasprintf("%s.%s", aws_json_target[svc], op);
	q.body = body ? body : "{}";
	q.len = strlen(q.body);
	q.json = 1;
	res = aws_call(c, &q, r);
	free(q.target);
	free(url);
	free(sign);
	return res;
}

enum aws_result
aws_rest_json(struct aws_client *c, enum aws_svc svc, const char *op, const char *path,
    const char *body, size_t len, struct aws_resp *r)
{
	struct aws_req q;
	const char *base;
	char *url;
	size_t n;
	enum aws_result res;

	memset(r, 0, sizeof(*r));
	if ((int)svc < 0 || svc >= AWS_SVC__MAX || (base = c->cfg.endpoint[svc]) == NULL)
		return aws_local_error(svc < AWS_SVC__MAX ? svc : AWS_IAM, op, NULL, r,
		    xasprintf("no %s endpoint configured", svc < AWS_SVC__MAX ?
		    aws_svc_names[svc] : "?"));
	/* An endpoint may end in "/" (ours do) or not (AWS_ENDPOINT_URL_*). */
	n = strlen(base);
	url = xasprintf("%.*s%s", (int)(n > 0 && base[n - 1] == '/' ? n - 1 : n), base, path);
	memset(&q, 0, sizeof(q));
	q.svc = svc;
	q.op = op;
	q.url = url;
	q.sign_region = c->cfg.sign_region[svc];
	q.content_type = "application/json";
	q.body = body;
	q.len = len;
	q.json = 1;
	res = aws_call(c, &q, r);
	free(url);
	return res;
}

/* S3. */

/*
 * The object's URL: path-style under a custom endpoint (emulators, VPC
 * endpoints, S3-compatible stores) and for a bucket with a dot (the
 * wildcard certificate *.s3.REGION.amazonaws.com does not cover it),
 * virtual-hosted on AWS otherwise, as the SDKs address it.  NULL for a
 * bucket name that cannot be one (it would change the URL's meaning).
 */
char *
aws_s3_url(const struct aws_config *cfg, const char *bucket, const char *key,
    const char *query)
{
	const char *ep = cfg->endpoint[AWS_S3], *p;
	struct buf b = { 0 };
	size_t n;

	if (ep == NULL || *bucket == '\0' || strlen(bucket) > 63 ||
	    strspn(bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(bucket))
		return NULL;
	n = strlen(ep);
	while (n > 0 && ep[n - 1] == '/')
		n--;
	if (cfg->endpoint_custom[AWS_S3] || strchr(bucket, '.') != NULL ||
	    (p = strstr(ep, "://")) == NULL)
		buf_printf(&b, "%.*s/%s/", (int)n, ep, bucket);
	else
		buf_printf(&b, "%.*s%s.%.*s/", (int)(p + 3 - ep), ep, bucket,
		    (int)(n - (size_t)(p + 3 - ep)), p + 3);
	/* Each segment encoded once (SigV4 for S3 does not encode twice), '/' kept. */
	while (key != NULL && *key != '\0') {
		char *seg = xstrndup(key, strcspn(key, "/"));

		url_encode(&b, seg);
		key += strlen(seg);
		free(seg);
		if (*key == '/') {
			buf_adds(&b, "/");
			key++;
		}
	}
	if (query != NULL)
		buf_printf(&b, "?%s", query);
	return buf_steal(&b);
}

enum aws_result
aws_s3_put(struct aws_client *c, const char *bucket, const char *key, const void *body,
    size_t len, const char *content_type, int create_only, struct aws_resp *r)
{
	struct aws_req q;
	char sha[65], *url, *hsha;
	enum aws_result res;

	memset(r, 0, sizeof(*r));
	if ((url = aws_s3_url(&c->cfg, bucket, key, NULL)) == NULL)
		return aws_local_error(AWS_S3, "PutObject", NULL, r,
		    xasprintf("\"%s\" is not an S3 bucket name", bucket));
	sha256_hex(body, len, sha);
	hsha = xasprintf("x-amz-content-sha256: %s", sha);
	memset(&q, 0, sizeof(q));
	q.svc = AWS_S3;
	q.op = "PutObject";
	q.url = url;
	q.sign_region = c->cfg.sign_region[AWS_S3];
	q.content_type = content_type ? content_type : "application/octet-stream";
	q.body = body != NULL ? body : "";
	q.len = len;
	q.method = "PUT";
	q.extra[0] = hsha;
	q.extra[1] = create_only ? "If-None-Match: *" : NULL;
	res = aws_call(c, &q, r);
	free(hsha);
	free(url);
	return res;
}

/* A GET of an S3 URL (ListObjectsV2, GetObject): no body, so the empty body's hash. */
static enum aws_result
aws_s3_get_url(struct aws_client *c, const char *op, char *url, const char *bucket,
    struct aws_resp *r)
{
	struct aws_req q;
	enum aws_result res;

	if (url == NULL)
		return aws_local_error(AWS_S3, op, NULL, r,
		    xasprintf("\"%s\" is not an S3 bucket name", bucket));
	memset(&q, 0, sizeof(q));
	q.svc = AWS_S3;
	q.op = op;
	q.url = url;
	q.sign_region = c->cfg.sign_region[AWS_S3];
	q.method = "GET";
	q.extra[0] = "x-amz-content-sha256: "
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	res = aws_call(c, &q, r);
	free(url);
	return res;
}

enum aws_result
aws_s3_list(struct aws_client *c, const char *bucket, const char *prefix, int max_keys,
    const char *token, struct aws_resp *r)
{
	struct buf qs = { 0 };
	char *url;

	memset(r, 0, sizeof(*r));
	/* Already canonical (names sorted, values encoded): signed as sent. */
	if (token != NULL) {
		buf_adds(&qs, "continuation-token=");
		url_encode(&qs, token);
		buf_adds(&qs, "&");
	}
	buf_printf(&qs, "list-type=2&max-keys=%d&prefix=", max_keys);
	url_encode(&qs, prefix ? prefix : "");
	url = aws_s3_url(&c->cfg, bucket, NULL, qs.p);
	buf_free(&qs);
	return aws_s3_get_url(c, "ListObjectsV2", url, bucket, r);
}

enum aws_result
aws_s3_get(struct aws_client *c, const char *bucket, const char *key, struct aws_resp *r)
{
	memset(r, 0, sizeof(*r));
	return aws_s3_get_url(c, "GetObject", aws_s3_url(&c->cfg, bucket, key, NULL), bucket, r);
}

/* STS credentials. */

int
aws_parse_sts_creds(const char *body, size_t len, struct aws_creds *out)
{
	xmlDoc *doc = aws_xml_read(body, len);
	xmlNode *cr;
	char *exp = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (doc == NULL)
		goto out;
	/* {Op}Response/{Op}Result/Credentials */
	if ((cr = aws_xml_find(xmlDocGetRootElement(doc), "Credentials", 2)) == NULL)
		goto out;
	out->access_key_id = aws_xml_text(aws_xml_child(cr, "AccessKeyId"));
	out->secret_access_key = aws_xml_text(aws_xml_child(cr, "SecretAccessKey"));
	out->session_token = aws_xml_text(aws_xml_child(cr, "SessionToken"));
	exp = aws_xml_text(aws_xml_child(cr, "Expiration"));
	if (out->access_key_id == NULL || *out->access_key_id == '\0' ||
	    out->secret_access_key == NULL || *out->secret_access_key == '\0' ||
	    out->session_token == NULL || exp == NULL || !time_parse(exp, &out->expiration))
		goto out;
	rc = 1;
out:
	free(exp);
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (!rc)
		aws_creds_free(out);
	return rc;
}

int
aws_assume_role_with(struct aws_client *c, const struct aws_role *role,
    struct aws_creds *out, char **err)
{
	struct aws_param p[7];
	struct aws_resp r;
	char session[64], duration[16];
	int n = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	if (role->session_name != NULL)
		snprintf(session, sizeof(session), "%s", role->session_name);
	else
		snprintf(session, sizeof(session), "iamgrade-%lld", (long long)time(NULL));
	p[n++] = (struct aws_param){ "RoleArn", role->role_arn };
	p[n++] = (struct aws_param){ "RoleSessionName", session };
	if (role->external_id != NULL)
		p[n++] = (struct aws_param){ "ExternalId", role->external_id };
	if (role->duration_s > 0) {
		snprintf(duration, sizeof(duration), "%d", role->duration_s);
		p[n++] = (struct aws_param){ "DurationSeconds", duration };
	}
	if (role->mfa_serial != NULL && role->token_code != NULL) {
		p[n++] = (struct aws_param){ "SerialNumber", role->mfa_serial };
		p[n++] = (struct aws_param){ "TokenCode", role->token_code };
	}
	p[n] = (struct aws_param){ NULL, NULL };
	if (aws_query(c, AWS_STS, "AssumeRole", p, &r) != AWS_RES_OK) {
		err_set(err, "assume role %s: %s: %s", role->role_arn, r.code, r.message);
		goto out;
	}
	if (!aws_parse_sts_creds(r.body, r.len, out)) {
		err_set(err, "assume role %s: MalformedResponse: the answer holds no "
		    "complete credentials", role->role_arn);
		goto out;
	}
	out->source = xasprintf("role %s", role->role_arn);
	rc = 1;
out:
	aws_resp_free(&r);
	return rc;
}

int
aws_assume_role(struct aws_client *c, const char *role_arn, const char *external_id,
    const char *session_name, struct aws_creds *out, char **err)
{
	struct aws_role role = { role_arn, external_id, session_name, 0, NULL, NULL };

	return aws_assume_role_with(c, &role, out, err);
}
