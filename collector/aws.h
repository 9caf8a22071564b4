/*
 * Talking to AWS: credentials, endpoints, and one signed call with retries.
 *
 * Every call is an HTTPS POST with the body given through CURLOPT_POSTFIELDS
 * and signed by libcurl's CURLOPT_AWS_SIGV4 (the traps are written where
 * they are avoided, in aws.c).  Query-protocol services (IAM, STS) take
 * form parameters; JSON 1.1 services (CloudTrail, Organizations) take a
 * JSON body and an X-Amz-Target.  Retries follow the SDK "standard" mode.
 *
 * Ownership: an aws_client owns its curl handle while it lives (then the
 * handle, with its open connections, goes back to a process-wide pool for
 * the next client: aws.c says why) and a copy of the credentials; aws_resp
 * owns its strings (aws_resp_free).  Secrets are never logged: the debug
 * log prints the access key id's last four characters only.
 *
 * Threads: the only global mutable state is that handle pool and libcurl's
 * DNS and TLS-session share, both under their own locks (curl and libxml2
 * are initialised once, under pthread_once, by the first aws_client_new).
 * An aws_client is used by one thread at a time; aws_config and aws_creds
 * are read-only once loaded and may be shared by threads.
 *
 * Environment for tests: IAMGRADE_RETRY_BASE_MS scales the retry backoff
 * (default 1000: the SDK's 1 s base and 20 s cap), e.g. 1 for fault-injection
 * tests.
 */
#ifndef COLLECTOR_AWS_H
#define COLLECTOR_AWS_H

#include <time.h>

#include "common/common.h"

enum aws_svc {
	AWS_IAM,
	AWS_STS,
	AWS_CLOUDTRAIL,
	AWS_ORGANIZATIONS,
	AWS_SECURITYHUB,
	AWS_S3,
	AWS_SVC__MAX
};
extern const char *const aws_svc_names[AWS_SVC__MAX];	/* "iam", "sts", ... */

struct aws_config;

struct aws_creds {
	char	*access_key_id;
	char	*secret_access_key;	/* secret: never logged or stored */
	char	*session_token;		/* secret; NULL for long-term keys */
	time_t	 expiration;		/* 0 = does not expire */
	char	*source;		/* where they came from, for messages: "environment variables", "profile audit (/root/.aws/credentials)" */
	/*
	 * How to renew them, or NULL: aws_creds_resolve for temporary
	 * credentials from the chain (running it again renews them).  A
	 * pointer, so that the client (aws.c) renews without depending on
	 * the chain (creds.c), which uses the client.
	 */
	int	(*renew)(const struct aws_config *, struct aws_creds *out, char **err);
};
void	aws_creds_free(struct aws_creds *);
void	aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src);

/* What the user asked for on the command line; NULL/0 = not given. */
struct aws_opts {
	const char	*profile;	/* --profile */
	const char	*region;	/* --region */
	const char	*endpoint_url;	/* --endpoint-url: all services */
	int		 max_attempts;	/* 0 = AWS_MAX_ATTEMPTS or 3 */
	long		 connect_timeout_ms;	/* 0 = 5000 */
	long		 timeout_ms;		/* 0 = 60000 per attempt */
	size_t		 body_max;		/* 0 = 64 MiB */
};

struct aws_files;	/* the parsed shared files: private (collector/aws_int.h) */

/*
 * Resolved configuration: region, endpoints and settings from options,
 * environment and the shared config files, in the AWS CLI's order
 * (reference §12).  endpoint[s] is always set (the built-in default when
 * nothing overrides it); sign_region[s] is the SigV4 region for s.
 */
struct aws_config {
	char	*region;
	int	 region_given;		/* region set by an option, the environment or the profile, not the default */
	char	*profile;		/* selected profile name, always set ("default" when none chosen) */
	char	*endpoint[AWS_SVC__MAX];
	char	*sign_region[AWS_SVC__MAX];
	char	*ca_bundle;
	int	 max_attempts;
	long	 connect_timeout_ms;
	long	 timeout_ms;
	size_t	 body_max;
	/* Added by the AWS layer; service code need not look at these. */
	int	 endpoint_custom[AWS_SVC__MAX];	/* endpoint came from an override (§12.1) */
	int	 profile_explicit;	/* --profile given: environment credentials are skipped */
	int	 use_fips;		/* AWS_USE_FIPS_ENDPOINT / use_fips_endpoint */
	int	 use_dualstack;		/* AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint */
	int	 sts_legacy;		/* AWS_STS_REGIONAL_ENDPOINTS=legacy: global STS host */
	struct aws_files *files;	/* the parsed shared files (private to the AWS layer) */
};
/*
 * Fill *cfg (caller frees with aws_config_free, also after a failure).
 * Fails on a malformed shared file (the message names file:line), an unknown
 * explicitly selected profile, a bad region name, endpoint URL or setting.
 */
int	aws_config_load(const struct aws_opts *, struct aws_config *, char **err);
void	aws_config_free(struct aws_config *);
/* Deep copy (aws_config_free both). */
void	aws_config_copy(struct aws_config *dst, const struct aws_config *src);
/*
 * Endpoint and signing region for svc in another region (CloudTrail home
 * regions).  With a custom endpoint: the same URL, signed for region.  Both
 * strings are the caller's; NULL when region is not a valid region name.
 */
char	*aws_endpoint_for_region(const struct aws_config *, enum aws_svc, const char *region, char **sign_region);

/*
 * The default credential chain (reference §12.7): env (skipped when
 * --profile was given), the selected profile (role_arn with source_profile
 * or credential_source, web identity, static keys in the credentials file,
 * credential_process, static keys in the config file), container
 * credentials, IMDSv2.  A provider that is configured but fails (a process
 * exiting non-zero, a refused AssumeRole) is an error at once; when nothing
 * is configured *err lists what was tried ("no credentials found: tried
 * environment variables, profile default in ~/.aws/credentials and
 * ~/.aws/config, container credentials (not configured), EC2 instance
 * metadata (http://169.254.169.254: no answer)").  IAM Identity Center
 * profiles (sso_session, or the legacy sso_start_url) use the token `aws sso
 * login` cached, refreshing it as the AWS CLI does; with no valid token
 * *err gives the `aws sso login --profile NAME` to run.  A role profile with
 * mfa_serial takes the code from aws_mfa_set_code, IAMGRADE_MFA_CODE or the
 * prompt hook, once per run: its role session is kept for the whole
 * process and reused until 5 minutes before it expires.
 * Fills *out (caller frees with aws_creds_free); safe to call from threads.
 */
int	aws_creds_resolve(const struct aws_config *, struct aws_creds *, char **err);

/*
 * MFA codes for mfa_serial profiles, process-wide (one prompt per run,
 * whatever the number of accounts and threads).  aws_mfa_set_code: the code
 * from the command line (copied; NULL clears it), which wins over
 * IAMGRADE_MFA_CODE.  aws_mfa_set_prompt: asks a person (the cli reads the
 * terminal without echo); fn writes the code, NUL-terminated, into buf of n
 * bytes and returns 1, or returns 0 when there is no terminal.  The code is
 * a secret: never logged, wiped after use.
 */
void	aws_mfa_set_code(const char *code);
void	aws_mfa_set_prompt(int (*fn)(const char *profile, const char *serial,
	    char *buf, size_t n));

/*
 * One client per account (and thread): a curl handle, counters, retry quota.
 * The client copies the config and the credentials.  Credentials without an
 * access key id make an anonymous client: its requests go unsigned (STS
 * AssumeRoleWithWebIdentity).
 *
 * Expired credentials: when a call fails with ExpiredToken /
 * ExpiredTokenException, or the credentials are within 5 minutes of their
 * expiration before a call, the client renews them once per call -- with the
 * refresh hook if one is set, else by running aws_creds_resolve again when
 * the credentials have a renew function -- and retries (outside the retry
 * quota, but counted in calls).  aws_client_set_creds keeps the hook.
 */
struct aws_client;
struct aws_client *aws_client_new(const struct aws_config *, const struct aws_creds *);
void	aws_client_free(struct aws_client *);
void	aws_client_set_creds(struct aws_client *, const struct aws_creds *);
/* fn fills *out with fresh credentials (returns 1) or sets *err (returns 0). */
void	aws_client_set_refresh(struct aws_client *,
	    int (*fn)(void *arg, struct aws_creds *out, char **err), void *arg);
/*
 * A sibling of c for another thread: the same configuration, current
 * credentials and refresh hook, its own curl handle, counters and retry
 * quota (so one throttled call does not starve the others).  Free it with
 * aws_client_merge, which adds its counters to c's, or aws_client_free.
 */
struct aws_client *aws_client_clone(const struct aws_client *);
/*
 * Close the connections that freed clients left open for the next ones
 * (the handle pool, aws.c): when the peer is done with, as a test's fake
 * server is.  Clients still in use keep theirs.
 */
void	aws_release_connections(void);
void	aws_client_merge(struct aws_client *c, struct aws_client *sibling);
unsigned aws_client_calls(const struct aws_client *);	/* HTTP requests sent, retries included */
unsigned aws_client_retries(const struct aws_client *);

enum aws_result {
	AWS_RES_OK,		/* 2xx */
	AWS_RES_API_ERROR,	/* AWS answered with an error: code/message set */
	AWS_RES_TRANSPORT,	/* no usable answer: connection, timeout, body too large */
};

/*
 * Always filled: result, call, endpoint; http_status when an answer came.
 * AWS_RES_OK: body/len; request_id when sent.  AWS_RES_API_ERROR: code
 * (e.g. "AccessDenied", or "HTTP503" for a body that names none), message,
 * request_id when found, body (the raw error body).  AWS_RES_TRANSPORT:
 * code "Timeout", "ConnectionError", "TLSError", "BodyTooLarge" or
 * "RequestError" (a bad URL or option: our bug), message from libcurl,
 * body NULL; http_status 0 except for BodyTooLarge.
 */
struct aws_resp {
	enum aws_result	 result;
	long		 http_status;	/* 0 when there was no HTTP answer */
	char		*body;		/* NUL-terminated; may be NULL */
	size_t		 len;
	char		*code;		/* AWS error code or ours (Timeout, ConnectionError, BodyTooLarge) */
	char		*message;
	char		*request_id;
	char		*call;		/* "iam:GetAccountPasswordPolicy", for messages */
	char		*endpoint;	/* URL the call went to */
};
void	aws_resp_free(struct aws_resp *);

/* Form parameters for Query calls, terminated by { NULL, NULL }. */
struct aws_param {
	const char	*name;
	const char	*value;
};

/*
 * Query protocol (IAM, STS): POST Action=...&Version=...&params, signed.
 * Returns the result (also in r->result); retries have already happened.
 * Goes to the config's endpoint[svc], signed for sign_region[svc] (STS: the
 * configured region).  A parameter whose value is NULL is left out.  *r is
 * cleared on entry: free an earlier answer first.
 */
enum aws_result aws_query(struct aws_client *, enum aws_svc, const char *action,
	    const struct aws_param *, struct aws_resp *r);

/*
 * JSON 1.1 (CloudTrail, Organizations): body is the JSON request ("{}" or
 * NULL for none).  region NULL: the config's endpoint; else
 * aws_endpoint_for_region (a bad region name: AWS_RES_TRANSPORT with code
 * RequestError, nothing sent).
 */
enum aws_result aws_json(struct aws_client *, enum aws_svc, const char *region,
	    const char *op, const char *body, struct aws_resp *r);

/*
 * REST-JSON (Security Hub): POST body (JSON) to the config's endpoint[svc]
 * with path appended ("/findings/import"); op names the call in messages
 * and logs.  Retries, throttling and errors as for aws_json.
 */
enum aws_result aws_rest_json(struct aws_client *, enum aws_svc, const char *op,
	    const char *path, const char *body, size_t len, struct aws_resp *r);

/*
 * S3 (REST: the method, the bucket and key in the URL, the body's SHA-256
 * signed in x-amz-content-sha256).  A custom endpoint (AWS_ENDPOINT_URL_S3,
 * ...) is addressed path-style, ENDPOINT/BUCKET/KEY; AWS virtual-hosted,
 * BUCKET.s3.REGION.amazonaws.com/KEY (path-style for a bucket name with a
 * dot, which the wildcard certificate does not cover).  The key is
 * URI-encoded once, as SigV4 signs it for S3 ('/' kept).
 *
 * aws_s3_put: PutObject of len bytes of body.  create_only sends
 * If-None-Match: *, so that an existing object is never replaced: S3 answers
 * 412 PreconditionFailed (or 409 ConditionalRequestConflict while another
 * write of the key is in flight) and nothing changes.
 * aws_s3_list: ListObjectsV2 of at most max_keys keys under prefix, from
 * the continuation token of the page before (NULL: the first page); the
 * answer's XML body is in r->body.
 * aws_s3_get: GetObject; the object is r->body (at most the client's
 * body_max bytes: BodyTooLarge otherwise).
 */
enum aws_result aws_s3_put(struct aws_client *, const char *bucket, const char *key,
	    const void *body, size_t len, const char *content_type, int create_only,
	    struct aws_resp *r);
enum aws_result aws_s3_list(struct aws_client *, const char *bucket, const char *prefix,
	    int max_keys, const char *token, struct aws_resp *r);
enum aws_result aws_s3_get(struct aws_client *, const char *bucket, const char *key,
	    struct aws_resp *r);

/*
 * Cancel every call in progress and to come (async-signal-safe: a signal
 * handler may call it).  Cancelled calls fail with code "Cancelled".
 */
void	aws_cancel(void);
int	aws_cancelled(void);
/* Sleep ms milliseconds, returning early once cancelled. */
void	aws_sleep_ms(long ms);

/* True for access-denied codes (AccessDenied, AccessDeniedException, ...). */
int	aws_code_is_denied(const char *code);
/* True for throttling codes (Throttling, ThrottlingException, ...; reference §10). */
int	aws_code_is_throttle(const char *code);

/*
 * STS AssumeRole with the client's credentials; fills out (caller frees with
 * aws_creds_free).  On failure *err names the role, the code and message.
 */
int	aws_assume_role(struct aws_client *, const char *role_arn, const char *external_id,
	    const char *session_name, struct aws_creds *out, char **err);

/*
 * The same with every AssumeRole input the profiles use.  session_name NULL:
 * "iamgrade-<unix time>"; external_id NULL and duration_s 0: not sent.
 * out->source is "role ARN"; out->renew is NULL.
 */
struct aws_role {
	const char	*role_arn;
	const char	*external_id;
	const char	*session_name;
	int		 duration_s;
	const char	*mfa_serial;	/* SerialNumber, with token_code; NULL: not sent */
	const char	*token_code;	/* secret: the six-digit MFA code */
};
int	aws_assume_role_with(struct aws_client *, const struct aws_role *,
	    struct aws_creds *out, char **err);

#endif
