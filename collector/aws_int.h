/*
 * Private to the AWS layer (collector/aws.c, config.c, creds.c) and its unit
 * tests: the parsed shared files, the credential plan and a few helpers.
 * Service code (iam.c, sts.c, ...) uses aws.h only.
 *
 * Ownership: strings returned by aws_profile_get* point into the parsed
 * files held by the aws_config and live as long as it does.
 */
#ifndef COLLECTOR_AWS_INT_H
#define COLLECTOR_AWS_INT_H

#include "collector/aws.h"

/* One "key = value" line, or a sub-setting ("  sub = value" under "key ="). */
struct ini_kv {
	char	*key;		/* lower-case, as configparser folds option names */
	char	*sub;		/* sub-setting name, or NULL */
	char	*value;
	int	 line;
};

struct ini_sec {
	char		*name;	/* header text, trimmed: "default", "profile x", "services y" */
	struct ini_kv	*kv;
	size_t		 nkv;
};

struct ini_file {
	char		*path;
	int		 exists;
	struct ini_sec	*sec;
	size_t		 nsec;
};

/* Parse INI text; errors name path:line.  f is cleared first. */
int	ini_parse(const char *path, const char *text, struct ini_file *f, char **err);
/* A missing file is an empty one (exists = 0); an unreadable one an error. */
int	ini_load(const char *path, struct ini_file *f, char **err);
void	ini_free(struct ini_file *);
const struct ini_sec *ini_section(const struct ini_file *, const char *name);
/* Last value of key (sub NULL) or of key's sub-setting sub in sec; NULL if unset. */
const char *ini_sec_get(const struct ini_sec *, const char *key, const char *sub);

/* The shared config and credentials files, parsed once by aws_config_load. */
struct aws_files {
	struct ini_file	config;
	struct ini_file	creds;
};

enum aws_file_which {
	AWS_FILE_CREDS = 1,
	AWS_FILE_CONFIG = 2,
	AWS_FILE_BOTH = 3,	/* credentials file first: its values win */
};
/* A profile's key from the shared files; NULL when unset or empty. */
const char *aws_profile_get(const struct aws_config *, const char *profile,
	    const char *key, enum aws_file_which);
int	aws_profile_exists(const struct aws_config *, const char *profile);

/*
 * The IAM Identity Center portal (oidc 0) or OIDC (oidc 1) endpoint for
 * sso_region: AWS_ENDPOINT_URL_SSO / _SSO_OIDC and the other overrides in
 * the same order as every service (reference §12.1), else the regional
 * host.  Caller frees; NULL with *err on a bad URL or region.
 */
char	*aws_sso_endpoint(const struct aws_config *, int oidc, const char *sso_region, char **err);

/* A setting from the environment variable env, else the selected profile's key. */
const char *aws_setting(const struct aws_config *, const char *env, const char *key);
/* "~/x" -> "$HOME/x"; anything else copied.  Caller frees. */
char	*aws_path_expand(const char *);
/* Environment variable, or NULL when unset or empty. */
const char *aws_env(const char *name);
/* "true"/"false" (any case) -> 1/0, NULL -> def, anything else -1. */
int	aws_bool(const char *s, int def);

/*
 * How the chain will obtain credentials for a profile, worked out from the
 * files without any network call or process: a base provider, then zero or
 * more AssumeRole steps applied innermost first (roles[nroles - 1] first).
 */
enum creds_base {
	CREDS_ENV,		/* environment variables (credential_source = Environment) */
	CREDS_STATIC,		/* aws_access_key_id/aws_secret_access_key of base_profile */
	CREDS_PROCESS,		/* credential_process of base_profile */
	CREDS_WEB_IDENTITY,	/* AssumeRoleWithWebIdentity with a token file */
	CREDS_CONTAINER,	/* credential_source = EcsContainer */
	CREDS_IMDS,		/* credential_source = Ec2InstanceMetadata */
	CREDS_SSO,		/* IAM Identity Center: the cached token, GetRoleCredentials */
};
extern const char *const creds_base_names[];

#define CREDS_MAX_CHAIN 16

struct creds_role {
	const char	*profile;
	const char	*role_arn;
	const char	*external_id;
	const char	*session_name;
	int		 duration_s;	/* 0 = STS default */
	const char	*mfa_serial;	/* NULL: no MFA code sent */
};

struct creds_plan {
	enum creds_base	 base;
	const char	*base_profile;	/* profile holding static keys / process / web identity */
	enum aws_file_which base_file;	/* CREDS_STATIC: which file held the keys */
	const char	*process;	/* CREDS_PROCESS: the command line */
	const char	*token_file;	/* CREDS_WEB_IDENTITY */
	const char	*webid_role;	/* CREDS_WEB_IDENTITY */
	const char	*webid_session;	/* CREDS_WEB_IDENTITY, or NULL */
	/* CREDS_SSO; sso_session NULL for the legacy form (no token refresh). */
	const char	*sso_session;
	const char	*sso_start_url;
	const char	*sso_region;
	const char	*sso_account_id;
	const char	*sso_role_name;
	struct creds_role roles[CREDS_MAX_CHAIN];
	int		 nroles;
};

/*
 * Plan credentials for profile.  Returns 1 with *plan filled, 0 when the
 * profile configures no credentials at all (the chain goes on), -1 on a
 * configuration error (*err says which profile and why).
 */
int	creds_plan_profile(const struct aws_config *, const char *profile,
	    struct creds_plan *plan, char **err);
/* The plan as one line, for tests and debug logs: "static(a) > role(b)". */
char	*creds_plan_describe(const struct creds_plan *);

/* Split a command line shell-style (quotes, backslashes; no expansion). */
int	creds_split_command(const char *, char ***argv, char **err);
void	creds_argv_free(char **);

/* The part of the AWS layer's HTTP answer the retry rules look at. */
struct aws_attempt {
	int	 no_response;	/* no HTTP answer (connection, timeout) */
	int	 timeout;	/* ... because of a timeout (costs more quota) */
	long	 http_status;
	const char *code;	/* AWS or our error code, or NULL */
};
enum aws_retry_class {
	AWS_RETRY_NO,
	AWS_RETRY_TRANSIENT,
	AWS_RETRY_THROTTLE,
};
enum aws_retry_class aws_retry_classify(const struct aws_attempt *);
/* Full-jitter backoff before retry i (1 = first retry), in ms, with u in [0,1). */
long	aws_backoff_ms(int i, double u, long base_ms);
int	aws_code_is_expired(const char *code);

/* curl and libxml2 global initialisation, once per process (pthread_once). */
void	aws_init(void);

/* {Op}Response/{Op}Result/Credentials of STS into out (source unset). */
int	aws_parse_sts_creds(const char *body, size_t len, struct aws_creds *out);

/*
 * An S3 object's URL for cfg (aws.h, aws_s3_put, says which style when),
 * the key encoded once; query appended as given.  Caller frees; NULL for a
 * name that cannot be a bucket.
 */
char	*aws_s3_url(const struct aws_config *, const char *bucket, const char *key,
	    const char *query);

/* Error body parsing, also used by the tests. */
void	aws_parse_query_error(const char *body, size_t len, long status, struct aws_resp *);
void	aws_parse_json_error(const char *body, size_t len, long status,
	    const char *type_header, struct aws_resp *);

#endif
