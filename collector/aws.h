/*
 * Talking to AWS: credentials, endpoints, and one signed call with retries.
 *
 * Every call is an HTTPS POST with the body given through CURLOPT_POSTFIELDS
 * and signed by libcurl's CURLOPT_AWS_SIGV4 (see shared/reference/
 * libraries.md for the traps).  Query-protocol services (IAM, STS) take
 * form parameters; JSON 1.1 services (CloudTrail, Organizations) take a
 * JSON body and an X-Amz-Target.  Retries follow the SDK "standard" mode.
 *
 * Ownership: an aws_client owns its curl handle and a copy of the
 * credentials; aws_resp owns its strings (aws_resp_free).  Secrets are never
 * logged: the debug log prints the access key id's last four characters only.
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
	AWS_SVC__MAX
};
extern const char *const aws_svc_names[AWS_SVC__MAX];	/* "iam", "sts", ... */

struct aws_creds {
	char	*access_key_id;
	char	*secret_access_key;	/* secret: never logged or stored */
	char	*session_token;		/* secret; NULL for long-term keys */
	time_t	 expiration;		/* 0 = does not expire */
	char	*source;		/* where they came from, for messages: "env", "profile audit (~/.aws/credentials)" */
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

/*
 * Resolved configuration: region, endpoints and settings from options,
 * environment and the shared config files, in the AWS CLI's order
 * (reference §12).  endpoint[s] is always set (the built-in default when
 * nothing overrides it); sign_region[s] is the SigV4 region for s.
 */
struct aws_config {
	char	*region;
	char	*profile;		/* selected profile name (NULL = none/default) */
	char	*endpoint[AWS_SVC__MAX];
	char	*sign_region[AWS_SVC__MAX];
	char	*ca_bundle;
	int	 max_attempts;
	long	 connect_timeout_ms;
	long	 timeout_ms;
	size_t	 body_max;
};
int	aws_config_load(const struct aws_opts *, struct aws_config *, char **err);
void	aws_config_free(struct aws_config *);
/* Endpoint and signing region for svc in another region (CloudTrail home regions). */
char	*aws_endpoint_for_region(const struct aws_config *, enum aws_svc, const char *region, char **sign_region);

/*
 * The default credential chain (reference §12.7): env, the selected profile
 * (role_arn + source_profile/credential_source, credential_process, static
 * keys), container credentials, IMDSv2.  On failure *err lists what was
 * tried ("no credentials found: tried env, profile default in ...").
 */
int	aws_creds_resolve(const struct aws_config *, struct aws_creds *, char **err);

/* One client per account (and thread): a curl handle, counters, retry quota. */
struct aws_client;
struct aws_client *aws_client_new(const struct aws_config *, const struct aws_creds *);
void	aws_client_free(struct aws_client *);
void	aws_client_set_creds(struct aws_client *, const struct aws_creds *);
unsigned aws_client_calls(const struct aws_client *);	/* HTTP requests sent, retries included */
unsigned aws_client_retries(const struct aws_client *);

enum aws_result {
	AWS_RES_OK,		/* 2xx */
	AWS_RES_API_ERROR,	/* AWS answered with an error: code/message set */
	AWS_RES_TRANSPORT,	/* no usable answer: connection, timeout, body too large */
};

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
 */
enum aws_result aws_query(struct aws_client *, enum aws_svc, const char *action,
	    const struct aws_param *, struct aws_resp *r);

/* JSON 1.1 (CloudTrail, Organizations): body is the JSON request ("{}" for none). */
enum aws_result aws_json(struct aws_client *, enum aws_svc, const char *region,
	    const char *op, const char *body, struct aws_resp *r);

/* True for access-denied codes (AccessDenied, AccessDeniedException, ...). */
int	aws_code_is_denied(const char *code);

/*
 * STS AssumeRole with the client's credentials; fills out (caller frees with
 * aws_creds_free).  On failure *err names the role, the code and message.
 */
int	aws_assume_role(struct aws_client *, const char *role_arn, const char *external_id,
	    const char *session_name, struct aws_creds *out, char **err);

#endif
