/* The default credential chain: environment, profiles (roles, processes, static keys), container, IMDS. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "collector/aws_int.h"

extern char **environ;

const char *const creds_base_names[] = {
	"env", "static", "process", "web-identity", "container", "imds", "sso",
};

#define CREDS_PROCESS_MAX	(1024 * 1024)	/* credential_process stdout */
/*
 * A credential_process may wait on a person or a network forever: it gets
 * this long (IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT seconds overrides it),
 * then its process group gets SIGTERM and, CREDS_KILL_GRACE_MS later,
 * SIGKILL.  An interrupted run ends it the same way at once.
 */
#define CREDS_PROCESS_TIMEOUT_S	60
#define CREDS_KILL_GRACE_MS	500
#define CREDS_STDERR_MAX	(16 * 1024)
#define CREDS_HTTP_MAX		(64 * 1024)	/* container and IMDS answers */
#define CREDS_CONTAINER_MS	2000
#define CREDS_CONTAINER_TRIES	3
#define CREDS_IMDS_TTL		"21600"
/*
 * botocore refreshes an IAM Identity Center access token that has less than
 * this left (SSOTokenProvider._REFRESH_WINDOW); so do we, so that the CLI
 * and iamgrade agree on when the cache file changes.
 */
#define CREDS_SSO_REFRESH_S	(15 * 60)
#define CREDS_MFA_SESSIONS	16
#define CREDS_RENEW_S		300	/* as the client: renew 5 minutes before expiry */

/* Planning: which providers a profile names, from the files alone. */

static const char *
creds_get(const struct aws_config *cfg, const char *profile, const char *key)
{
	return aws_profile_get(cfg, profile, key, AWS_FILE_BOTH);
}

/* Static keys in one file: 1 both, 0 none, -1 only one of the two (an error). */
static int
creds_static_in(const struct aws_config *cfg, const char *profile, enum aws_file_which w,
    char **err)
{
	const char *id = aws_profile_get(cfg, profile, "aws_access_key_id", w);
	const char *secret = aws_profile_get(cfg, profile, "aws_secret_access_key", w);

	if (id == NULL && secret == NULL)
		return 0;
	if (id != NULL && secret != NULL)
		return 1;
	err_set(err, "profile %s in %s: %s without %s", profile,
	    w == AWS_FILE_CREDS ? cfg->files->creds.path : cfg->files->config.path,
	    id ? "aws_access_key_id" : "aws_secret_access_key",
	    id ? "aws_secret_access_key" : "aws_access_key_id");
	return -1;
}

static int
creds_has_static(const struct aws_config *cfg, const char *profile)
{
	return aws_profile_get(cfg, profile, "aws_access_key_id", AWS_FILE_BOTH) != NULL;
}

/* An [sso-session NAME] setting; NULL when unset or empty. */
static const char *
creds_sso_session_get(const struct aws_config *cfg, const char *session, const char *key)
{
	char *name = xasprintf("sso-session %s", session);
	const char *v = ini_sec_get(ini_section(&cfg->files->config, name), key, NULL);

	free(name);
	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * IAM Identity Center settings, as botocore checks them: with sso_session
 * the start URL and region come from [sso-session NAME] (the profile may
 * repeat them, but not differently); the legacy form has all four keys in
 * the profile.
 */
static int
creds_plan_sso(const struct aws_config *cfg, const char *profile, struct creds_plan *plan,
    char **err)
{
	const char *sess = creds_get(cfg, profile, "sso_session");
	const char *url = creds_get(cfg, profile, "sso_start_url");
	const char *region = creds_get(cfg, profile, "sso_region");
	struct buf missing = { 0 };
	int rc = 0;

	plan->base = CREDS_SSO;
	plan->base_profile = profile;
	plan->sso_account_id = creds_get(cfg, profile, "sso_account_id");
	plan->sso_role_name = creds_get(cfg, profile, "sso_role_name");
	if (sess != NULL) {
		const char *surl = creds_sso_session_get(cfg, sess, "sso_start_url");
		const char *sregion = creds_sso_session_get(cfg, sess, "sso_region");

		char *name = xasprintf("sso-session %s", sess);
		int found = ini_section(&cfg->files->config, name) != NULL;

		free(name);
		if (!found) {
			err_set(err, "profile %s: sso_session %s, but %s has no "
			    "[sso-session %s] section", profile, sess, cfg->files->config.path,
			    sess);
			goto out;
		}
		if ((url != NULL && surl != NULL && strcmp(url, surl) != 0) ||
		    (region != NULL && sregion != NULL && strcmp(region, sregion) != 0)) {
			err_set(err, "profile %s: its %s differs from the one in "
			    "[sso-session %s]", profile, url != NULL && surl != NULL &&
			    strcmp(url, surl) != 0 ? "sso_start_url" : "sso_region", sess);
			goto out;
		}
		plan->sso_session = sess;
		url = surl;
		region = sregion;
	}
	plan->sso_start_url = url;
	plan->sso_region = region;
	if (url == NULL)
		buf_adds(&missing, sess != NULL ? ", sso_start_url (in the sso-session)" :
		    ", sso_start_url");
	if (region == NULL)
		buf_adds(&missing, sess != NULL ? ", sso_region (in the sso-session)" :
		    ", sso_region");
	if (plan->sso_account_id == NULL)
		buf_adds(&missing, ", sso_account_id");
	if (plan->sso_role_name == NULL)
		buf_adds(&missing, ", sso_role_name");
	if (missing.len > 0) {
		err_set(err, "profile %s: IAM Identity Center profile without %s", profile,
		    missing.p + 2);
		goto out;
	}
	rc = 1;
out:
	buf_free(&missing);
	return rc;
}

/*
 * A profile's providers other than AssumeRole, in botocore's order: web
 * identity, SSO, static keys in the credentials file, credential_process,
 * static keys in the config file.  env_webid: also the AWS_ROLE_ARN +
 * AWS_WEB_IDENTITY_TOKEN_FILE variables (the selected profile only).
 */
static int
creds_plan_leaf(const struct aws_config *cfg, const char *profile, int env_webid,
    struct creds_plan *plan, char **err)
{
	const char *v;
	int st;

	plan->base_profile = profile;
	if ((v = creds_get(cfg, profile, "web_identity_token_file")) != NULL ||
	    (env_webid && (v = aws_env("AWS_WEB_IDENTITY_TOKEN_FILE")) != NULL)) {
		int from_profile = creds_get(cfg, profile, "web_identity_token_file") != NULL;

		plan->base = CREDS_WEB_IDENTITY;
		plan->token_file = v;
		plan->webid_role = from_profile ? creds_get(cfg, profile, "role_arn") :
		    aws_env("AWS_ROLE_ARN");
		plan->webid_session = from_profile ? creds_get(cfg, profile, "role_session_name") :
		    aws_env("AWS_ROLE_SESSION_NAME");
		if (plan->webid_role == NULL) {
			err_set(err, "profile %s: web identity token file without %s", profile,
			    from_profile ? "role_arn" : "AWS_ROLE_ARN");
			return -1;
		}
		return 1;
	}
	if (creds_get(cfg, profile, "sso_start_url") != NULL ||
	    creds_get(cfg, profile, "sso_session") != NULL)
		return creds_plan_sso(cfg, profile, plan, err) ? 1 : -1;
	if ((st = creds_static_in(cfg, profile, AWS_FILE_CREDS, err)) != 0) {
		plan->base = CREDS_STATIC;
		plan->base_file = AWS_FILE_CREDS;
		return st;
	}
	if ((v = creds_get(cfg, profile, "credential_process")) != NULL) {
		plan->base = CREDS_PROCESS;
		plan->process = v;
		return 1;
	}
	if ((st = creds_static_in(cfg, profile, AWS_FILE_CONFIG, err)) != 0) {
		plan->base = CREDS_STATIC;
		plan->base_file = AWS_FILE_CONFIG;
		return st;
	}
	return 0;
}

static int
creds_duration(const char *profile, const char *v, int *out, char **err)
{
	char *end;
	long n;

	*out = 0;
	if (v == NULL)
		return 1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 900 || n > 43200)
		return err_set(err, "profile %s: duration_seconds \"%s\" is not a number of "
		    "seconds from 900 to 43200", profile, v);
	*out = (int)n;
	return 1;
}

static int
creds_visited(const char *const *visited, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(visited[i], name) == 0)
			return 1;
	return 0;
}

/* The AssumeRole step of profile, then (recursively) its source. */
static int
creds_plan_role(const struct aws_config *cfg, const char *profile, const char **visited,
    int nvisited, struct creds_plan *plan, char **err)
{
	const char *src = creds_get(cfg, profile, "source_profile");
	const char *cs = creds_get(cfg, profile, "credential_source");
	struct creds_role *role;
	struct buf path = { 0 };
	int i, st;

	if (plan->nroles == CREDS_MAX_CHAIN)
		return err_set(err, "profile %s: role chain longer than %d profiles", profile,
		    CREDS_MAX_CHAIN);
	if (src != NULL && cs != NULL)
		return err_set(err, "profile %s: both source_profile and credential_source "
		    "are set; choose one", profile);
	if (src == NULL && cs == NULL)
		return err_set(err, "profile %s: role_arn needs source_profile or "
		    "credential_source", profile);
	role = &plan->roles[plan->nroles++];
	role->profile = profile;
	role->role_arn = creds_get(cfg, profile, "role_arn");
	role->external_id = creds_get(cfg, profile, "external_id");
	role->session_name = creds_get(cfg, profile, "role_session_name");
	role->mfa_serial = creds_get(cfg, profile, "mfa_serial");
	if (!creds_duration(profile, creds_get(cfg, profile, "duration_seconds"),
	    &role->duration_s, err))
		return 0;
	if (cs != NULL) {
		if (strcmp(cs, "Environment") == 0)
			plan->base = CREDS_ENV;
		else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
			plan->base = CREDS_IMDS;
		else if (strcmp(cs, "EcsContainer") == 0)
			plan->base = CREDS_CONTAINER;
		else
			return err_set(err, "profile %s: credential_source \"%s\" is not "
			    "Environment, Ec2InstanceMetadata or EcsContainer", profile, cs);
		plan->base_profile = profile;
		return 1;
	}
	if (strcmp(src, profile) == 0) {
		/* A profile may be its own source: it then uses its own static keys. */
		if (!creds_has_static(cfg, profile))
			return err_set(err, "profile %s is its own source_profile but has no "
			    "aws_access_key_id", profile);
		return creds_plan_leaf(cfg, profile, 0, plan, err) == 1;
	}
	if (!aws_profile_exists(cfg, src))
		return err_set(err, "profile %s: source_profile %s not found in %s or %s",
		    profile, src, cfg->files->config.path, cfg->files->creds.path);
	if (creds_visited(visited, nvisited, src)) {
		for (i = 0; i < nvisited; i++)
			buf_printf(&path, "%s -> ", visited[i]);
		buf_adds(&path, src);
		err_set(err, "source_profile loop: %s", path.p);
		buf_free(&path);
		return 0;
	}
	visited[nvisited++] = src;
	/* botocore: a source profile with static keys (or no role) is used as is. */
	if (creds_has_static(cfg, src) || creds_get(cfg, src, "role_arn") == NULL) {
		if ((st = creds_plan_leaf(cfg, src, 0, plan, err)) == 0)
			return err_set(err, "profile %s: source_profile %s has no credentials",
			    profile, src);
		return st == 1;
	}
	return creds_plan_role(cfg, src, visited, nvisited, plan, err);
}

int
creds_plan_profile(const struct aws_config *cfg, const char *profile,
    struct creds_plan *plan, char **err)
{
	const char *visited[CREDS_MAX_CHAIN + 1];

	memset(plan, 0, sizeof(*plan));
	if (creds_get(cfg, profile, "role_arn") != NULL &&
	    creds_get(cfg, profile, "web_identity_token_file") == NULL) {
		visited[0] = profile;
		return creds_plan_role(cfg, profile, visited, 1, plan, err) ? 1 : -1;
	}
	return creds_plan_leaf(cfg, profile, 1, plan, err);
}

char *
creds_plan_describe(const struct creds_plan *plan)
{
	struct buf b = { 0 };
	int i;

	buf_adds(&b, creds_base_names[plan->base]);
	if (plan->base == CREDS_STATIC)
		buf_printf(&b, "(%s:%s)", plan->base_profile,
		    plan->base_file == AWS_FILE_CREDS ? "credentials" : "config");
	else if (plan->base_profile != NULL)
		buf_printf(&b, "(%s)", plan->base_profile);
	for (i = plan->nroles; i-- > 0; )
		buf_printf(&b, " > role(%s%s)", plan->roles[i].profile,
		    plan->roles[i].mfa_serial != NULL ? ", mfa" : "");
	return buf_steal(&b);
}

/* Providers. */

static int
creds_from_env(struct aws_creds *out, int *found, char **err)
{
	const char *id = aws_env("AWS_ACCESS_KEY_ID"), *secret = aws_env("AWS_SECRET_ACCESS_KEY");
	const char *token = aws_env("AWS_SESSION_TOKEN"), *exp;

	*found = id != NULL || secret != NULL;
	if (!*found)
		return 1;
	if (id == NULL || secret == NULL)
		return err_set(err, "%s is set but %s is not",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (token == NULL)
		token = aws_env("AWS_SECURITY_TOKEN");
	if ((exp = aws_env("AWS_CREDENTIAL_EXPIRATION")) != NULL &&
	    !time_parse(exp, &out->expiration))
		return err_set(err, "AWS_CREDENTIAL_EXPIRATION: \"%s\" is not an ISO 8601 time",
		    exp);
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	out->session_token = xstrdup(token);
	out->source = xstrdup("environment variables");
	return 1;
}

static void
creds_from_profile(const struct aws_config *cfg, const char *profile, enum aws_file_which w,
    struct aws_creds *out)
{
	out->access_key_id = xstrdup(aws_profile_get(cfg, profile, "aws_access_key_id", w));
	out->secret_access_key = xstrdup(aws_profile_get(cfg, profile,
	    "aws_secret_access_key", w));
	out->session_token = xstrdup(aws_profile_get(cfg, profile, "aws_session_token", w));
	out->source = xasprintf("profile %s (%s)", profile, w == AWS_FILE_CREDS ?
	    cfg->files->creds.path : cfg->files->config.path);
}

/*
 * The JSON the process, container and IMDS providers return.  Messages
 * never quote the document: it holds the secret.
 */
static int
creds_from_json(const char *what, const char *text, size_t len, int process,
    struct aws_creds *out, char **err)
{
	json_t *j = json_loadb(text, len, 0, NULL), *ver;
	const char *id, *secret, *token, *exp;
	int rc = 0;

	if (!json_is_object(j)) {
		err_set(err, "%s: the answer is not a JSON object", what);
		goto out;
	}
	if (process) {
		ver = json_object_get(j, "Version");
		if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
			err_set(err, "%s: Version is %s, want 1", what, ver == NULL ? "missing" :
			    "not 1");
			goto out;
		}
		token = jstr(j, "SessionToken");
	} else {
		const char *code = jstr(j, "Code");

		if (code != NULL && strcmp(code, "Success") != 0) {
			err_set(err, "%s: Code is not Success", what);
			goto out;
		}
		token = jstr(j, "Token");
	}
	id = jstr(j, "AccessKeyId");
	secret = jstr(j, "SecretAccessKey");
	if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0') {
		err_set(err, "%s: AccessKeyId or SecretAccessKey missing", what);
		goto out;
	}
	if ((exp = jstr(j, "Expiration")) != NULL && !time_parse(exp, &out->expiration)) {
		err_set(err, "%s: Expiration is not an ISO 8601 time", what);
		goto out;
	}
	if (out->expiration != 0 && out->expiration <= time(NULL)) {
		char t[21];

		err_set(err, "%s: the credentials expired at %s", what,
		    time_fmt(out->expiration, t));
		goto out;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	out->session_token = xstrdup(token && *token ? token : NULL);
	rc = 1;
out:
	json_decref(j);
	return rc;
}

/* credential_process */

void
creds_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* POSIX shell word splitting without expansion: '...', "..." with \" \\ \$ \`, \x. */
int
creds_split_command(const char *s, char ***argvp, char **err)
{
	char **argv = xcalloc(1, sizeof(*argv));
	struct buf w = { 0 };
	size_t n = 0;
	int inword = 0, rc = 0;

	while (1) {
		char c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (inword) {
				argv = xrealloc(argv, (n + 2) * sizeof(*argv));
				argv[n++] = buf_steal(&w);
				argv[n] = NULL;
				inword = 0;
			}
			if (c == '\0')
				break;
			s++;
			continue;
		}
		inword = 1;
		if (c == '\'') {
			const char *e = strchr(s + 1, '\'');

			if (e == NULL) {
				err_set(err, "unterminated ' quote");
				goto out;
			}
			buf_add(&w, s + 1, (size_t)(e - s - 1));
			buf_adds(&w, "");	/* '' is an empty word, not none */
			s = e + 1;
		} else if (c == '"') {
			for (s++; *s != '"'; s++) {
				if (*s == '\0') {
					err_set(err, "unterminated \" quote");
					goto out;
				}
				if (*s == '\\' && s[1] != '\0' && strchr("\"\\$`", s[1]) != NULL)
					s++;
				buf_add(&w, s, 1);
			}
			buf_adds(&w, "");
			s++;
		} else if (c == '\\') {
			if (s[1] == '\0') {
				err_set(err, "trailing backslash");
				goto out;
			}
			buf_add(&w, s + 1, 1);
			s += 2;
		} else {
			buf_add(&w, s, 1);
			s++;
		}
	}
	*argvp = argv;
	argv = NULL;
	rc = 1;
out:
	buf_free(&w);
	creds_argv_free(argv);
	return rc;
}

static long
creds_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The credential_process deadline in seconds, from the environment or the default. */
static int
creds_process_timeout(long *secs, char **err)
{
	const char *v = aws_env("IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT");
	char *end;

	*secs = CREDS_PROCESS_TIMEOUT_S;
	if (v == NULL)
		return 1;
	*secs = strtol(v, &end, 10);
	if (*end != '\0' || *secs < 1 || *secs > 3600)
		return err_set(err, "IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT takes a number of "
		    "seconds from 1 to 3600, not \"%.40s\"", v);
	return 1;
}

/* SIGTERM to the child's process group, SIGKILL after a grace period; reaps the child. */
static void
creds_stop_group(pid_t pid, int *status, int reaped)
{
	long until = creds_now_ms() + CREDS_KILL_GRACE_MS;

	kill(-pid, SIGTERM);
	while (!reaped && creds_now_ms() < until) {
		if (waitpid(pid, status, WNOHANG) == pid)
			reaped = 1;
		else
			poll(NULL, 0, 20);
	}
	/* Whatever of the group is left (the child, or what it started). */
	kill(-pid, SIGKILL);
	if (!reaped)
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
}

/*
 * Read both pipes to their ends and reap the child, stdout beyond its cap
 * drained and flagged.  Returns 1 when the child exited (*status) and its
 * pipes closed; 0 when the deadline passed or the run was cancelled first
 * (*why says which), the child's group then stopped and the child reaped.
 */
static int
creds_wait(pid_t pid, int outfd, int errfd, long timeout_ms, struct buf *out,
    struct buf *errb, int *too_big, int *status, const char **why)
{
	struct pollfd pf[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	struct buf *dst[2] = { out, errb };
	long deadline = creds_now_ms() + timeout_ms, left;
	char chunk[4096];
	int open = 2, reaped = 0, i;

	*why = NULL;
	for (;;) {
		if (!reaped && waitpid(pid, status, WNOHANG) == pid)
			reaped = 1;
		if (reaped && open == 0)
			return 1;
		if (aws_cancelled()) {
			*why = "interrupted";
			break;
		}
		if ((left = deadline - creds_now_ms()) <= 0) {
			*why = "timeout";
			break;
		}
		/* Short slices: a cancel or the deadline is noticed within 100 ms. */
		if (poll(pf, 2, left < 100 ? (int)left : 100) < 0) {
			if (errno != EINTR)
				poll(NULL, 0, 10);
			continue;
		}
		for (i = 0; i < 2; i++) {
			ssize_t r;

			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			r = read(pf[i].fd, chunk, sizeof(chunk));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				pf[i].fd = -1;
				open--;
				continue;
			}
			if (!buf_add(dst[i], chunk, (size_t)r) && i == 0)
				*too_big = 1;
		}
	}
	creds_stop_group(pid, status, reaped);
	return 0;
}

static int
creds_process(const char *cmd, const char *profile, struct aws_creds *out, char **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	struct buf sout = { .max = CREDS_PROCESS_MAX }, serr = { .max = CREDS_STDERR_MAX };
	char **argv = NULL, *what = xasprintf("credential_process of profile %s", profile);
	char *e = NULL, *prog;
	const char *why;
	long timeout_s;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, too_big = 0, fa_init = 0;
	int sa_init = 0, i, rc = 0;
	pid_t pid = -1;

	if (!creds_process_timeout(&timeout_s, err))
		goto out;
	if (!creds_split_command(cmd, &argv, &e)) {
		err_set(err, "%s: %s", what, e);
		goto out;
	}
	if (argv[0] == NULL) {
		err_set(err, "%s: empty command", what);
		goto out;
	}
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		err_set(err, "%s: pipe: %s", what, strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	fa_init = 1;
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	/* A process group of its own, so that stopping it stops what it started. */
	posix_spawnattr_init(&sa);
	sa_init = 1;
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&sa, 0);
	if ((errno = posix_spawnp(&pid, argv[0], &fa, &sa, argv, environ)) != 0) {
		pid = -1;
		err_set(err, "%s: cannot run %s: %s", what, argv[0], strerror(errno));
		goto out;
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (!creds_wait(pid, po[0], pe[0], timeout_s * 1000, &sout, &serr, &too_big,
	    &status, &why)) {
		pid = -1;
		prog = str_sanitize_term(xstrdup(argv[0]));
		if (strcmp(why, "timeout") == 0)
			err_set(err, "%s (%s) did not finish within %ld s: stopped "
			    "(IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT sets the limit)", what, prog,
			    timeout_s);
		else
			err_set(err, "%s (%s): interrupted: the process was stopped", what, prog);
		free(prog);
		goto out;
	}
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *msg = serr.p ? str_sanitize_term(serr.p) : NULL;
		size_t n = msg ? strlen(msg) : 0;

		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		if (WIFEXITED(status))
			err_set(err, "%s exited with status %d%s%s", what, WEXITSTATUS(status),
			    n ? ": " : "", n ? msg : "");
		else
			err_set(err, "%s was killed by signal %d%s%s", what, WTERMSIG(status),
			    n ? ": " : "", n ? msg : "");
		goto out;
	}
	if (too_big) {
		err_set(err, "%s: output larger than %d bytes", what, CREDS_PROCESS_MAX);
		goto out;
	}
	if (!creds_from_json(what, sout.p ? sout.p : "", sout.len, 1, out, err))
		goto out;
	out->source = what;
	what = NULL;
	rc = 1;
out:
	if (sout.p != NULL)
		explicit_bzero(sout.p, sout.len);
	buf_free(&sout);
	buf_free(&serr);
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (sa_init)
		posix_spawnattr_destroy(&sa);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	creds_argv_free(argv);
	free(what);
	free(e);
	return rc;
}

/* Unsigned HTTP to the metadata endpoints: never through a proxy, short timeouts. */

struct creds_http {
	long		 status;
	struct buf	 body;
	int		 connected;	/* a TCP connection was made */
	CURLcode	 cc;
	char		 errbuf[CURL_ERROR_SIZE];
};

static size_t
creds_on_body(char *p, size_t size, size_t n, void *arg)
{
	return buf_add(arg, p, size * n) ? size * n : 0;
}

/* One unsigned request; body: sent with POST (NULL for GET and PUT). */
static void
creds_http(const char *method, const char *url, const char *const *headers, long timeout_ms,
    const char *body, struct creds_http *res)
{
	struct curl_slist *hdr = NULL, *n;
	curl_off_t connect_us = 0;
	CURL *h;

	aws_init();
	memset(res, 0, sizeof(*res));
	res->body.max = CREDS_HTTP_MAX;
	if ((h = curl_easy_init()) == NULL) {
		res->cc = CURLE_OUT_OF_MEMORY;
		return;
	}
	for (; headers != NULL && *headers != NULL; headers++)
		if ((n = curl_slist_append(hdr, *headers)) != NULL)
			hdr = n;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "iamgrade/" IAMGRADE_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, res->errbuf);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, creds_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &res->body);
	res->cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	res->connected = connect_us > 0 || res->status != 0;
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
}

/* The metadata answers' credentials, with some context for errors. */
static int
creds_http_failed(const struct creds_http *res)
{
	return res->cc != CURLE_OK || res->status >= 500;
}

static char *
creds_http_why(const char *url, const struct creds_http *res)
{
	if (res->cc != CURLE_OK)
		return xasprintf("%s: %s", url, res->connected ? (*res->errbuf ? res->errbuf :
		    curl_easy_strerror(res->cc)) : "no answer");
	return xasprintf("%s: HTTP %ld", url, res->status);
}

/* Container credentials (§12.5). */

static int
creds_host_allowed(const char *host)
{
	static const char *const ok[] = {
		"localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1", NULL,
	};
	const char *const *p;

	for (p = ok; *p != NULL; p++)
		if (strcmp(host, *p) == 0)
			return 1;
	/* 127.0.0.0/8, written as a dotted quad. */
	return strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == strlen(host);
}

/* 1 and *url, 0 when not configured, -1 when the URL is refused. */
static int
creds_container_url(char **url, char **err)
{
	const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI"), *h;
	char host[256];
	size_t n;

	*url = NULL;
	if (rel != NULL) {
		*url = xasprintf("http://169.254.170.2%s%s", *rel == '/' ? "" : "/", rel);
		return 1;
	}
	if (full == NULL)
		return 0;
	if (strncmp(full, "https://", 8) == 0) {
		*url = xstrdup(full);
		return 1;
	}
	if (strncmp(full, "http://", 7) != 0)
		goto refuse;
	h = full + 7;
	n = strcspn(h, "/?#");
	if (memchr(h, '@', n) != NULL)
		goto refuse;
	if (*h == '[') {
		const char *e = memchr(h, ']', n);

		if (e == NULL)
			goto refuse;
		h++;
		n = (size_t)(e - h);
	} else
		n = strcspn(h, ":/?#");
	if (n == 0 || n >= sizeof(host))
		goto refuse;
	memcpy(host, h, n);
	host[n] = '\0';
	if (!creds_host_allowed(host))
		goto refuse;
	*url = xstrdup(full);
	return 1;
refuse:
	err_set(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: only https, or http to a "
	    "loopback address, 169.254.170.2 or 169.254.170.23, is allowed", full);
	return -1;
}

/* The Authorization header value: the token file wins over the variable. */
static int
creds_container_auth(char **hdr, char **err)
{
	const char *file = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	char *tok = NULL;
	size_t n;
	int rc = 0;

	*hdr = NULL;
	if (file != NULL) {
		if (!file_read(file, 16384, &tok, &n, err))
			goto out;
		while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
			tok[--n] = '\0';
	} else if (aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL)
		tok = xstrdup(aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	if (tok != NULL && strpbrk(tok, "\r\n") != NULL) {
		err_set(err, "the container authorization token contains a line break");
		goto out;
	}
	if (tok != NULL)
		*hdr = xasprintf("Authorization: %s", tok);
	rc = 1;
out:
	if (tok != NULL)
		explicit_bzero(tok, strlen(tok));
	free(tok);
	return rc;
}

/* 1 with creds, 0 when not configured, -1 on failure (*err). */
static int
creds_container(struct aws_creds *out, char **err)
{
	struct creds_http res;
	const char *hdrs[2] = { NULL, NULL };
	char *url = NULL, *auth = NULL, *why = NULL, *what = NULL;
	int st, i, rc = -1;

	memset(&res, 0, sizeof(res));
	if ((st = creds_container_url(&url, err)) <= 0)
		return st;
	what = xasprintf("container credentials (%s)", url);
	if (!creds_container_auth(&auth, err))
		goto out;
	hdrs[0] = auth;
	for (i = 0; i < CREDS_CONTAINER_TRIES; i++) {
		buf_free(&res.body);
		creds_http("GET", url, hdrs, CREDS_CONTAINER_MS, NULL, &res);
		if (!creds_http_failed(&res))
			break;
	}
	if (res.cc != CURLE_OK || res.status != 200) {
		why = creds_http_why(url, &res);
		err_set(err, "container credentials: %s", why);
		goto out;
	}
	if (!creds_from_json(what, res.body.p, res.body.len, 0, out, err))
		goto out;
	out->source = what;
	what = NULL;
	rc = 1;
out:
	if (res.body.p != NULL)
		explicit_bzero(res.body.p, res.body.len);
	buf_free(&res.body);
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	free(why);
	free(what);
	return rc;
}

/* EC2 instance metadata (§12.6). */

struct creds_imds_cfg {
	char	*base;		/* endpoint without a trailing slash */
	long	 timeout_ms;
	int	 attempts;
	int	 v1_disabled;
};

static void
creds_imds_cfg(const struct aws_config *cfg, struct creds_imds_cfg *ic)
{
	const char *v, *mode;
	double secs;
	size_t n;

	v = aws_setting(cfg, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
	mode = aws_setting(cfg, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	    "ec2_metadata_service_endpoint_mode");
	if (v == NULL)
		v = mode != NULL && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]" :
		    "http://169.254.169.254";
	ic->base = xstrdup(v);
	n = strlen(ic->base);
	while (n > 0 && ic->base[n - 1] == '/')
		ic->base[--n] = '\0';
	ic->timeout_ms = 1000;
	if ((v = aws_setting(cfg, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"))
	    != NULL && (secs = strtod(v, NULL)) > 0 && secs <= 60)
		ic->timeout_ms = (long)(secs * 1000);
	ic->attempts = 1;
	if ((v = aws_setting(cfg, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
	    "metadata_service_num_attempts")) != NULL && atoi(v) > 0 && atoi(v) <= 10)
		ic->attempts = atoi(v);
	ic->v1_disabled = aws_bool(aws_setting(cfg, "AWS_EC2_METADATA_V1_DISABLED",
	    "ec2_metadata_v1_disabled"), 0) == 1;
}

static void
creds_imds_get(const struct creds_imds_cfg *ic, const char *method, const char *path,
    const char *hdr, struct creds_http *res)
{
	const char *hdrs[2] = { hdr, NULL };
	char *url = xasprintf("%s%s", ic->base, path);
	int i;

	for (i = 0; i < ic->attempts; i++) {
		buf_free(&res->body);
		creds_http(method, url, hdrs, ic->timeout_ms, NULL, res);
		if (!creds_http_failed(res) || !res->connected)
			break;
	}
	free(url);
}

/* 1 with creds; 0 with *why (what happened, for the "tried" list). */
static int
creds_imds(const struct aws_config *cfg, struct aws_creds *out, char **why)
{
	struct creds_imds_cfg ic;
	struct creds_http res;
	struct buf path = { 0 };
	char *token = NULL, *hdr = NULL, *role = NULL, *e = NULL;
	size_t n;
	int rc = 0;

	memset(&res, 0, sizeof(res));
	if (aws_bool(aws_env("AWS_EC2_METADATA_DISABLED"), 0) == 1) {
		*why = xstrdup("disabled by AWS_EC2_METADATA_DISABLED");
		return 0;
	}
	creds_imds_cfg(cfg, &ic);
	creds_imds_get(&ic, "PUT", "/latest/api/token",
	    "X-aws-ec2-metadata-token-ttl-seconds: " CREDS_IMDS_TTL, &res);
	if (res.cc == CURLE_OK && res.status == 200 && res.body.len > 0) {
		token = buf_steal(&res.body);
		token[strcspn(token, "\r\n")] = '\0';
		hdr = xasprintf("X-aws-ec2-metadata-token: %s", token);
	} else if (res.cc != CURLE_OK && !res.connected) {
		*why = xasprintf("%s: no answer", ic.base);
		goto out;
	} else if (res.cc == CURLE_OK && res.status != 403 && res.status != 404 &&
	    res.status != 405) {
		*why = xasprintf("%s: token request refused with HTTP %ld", ic.base, res.status);
		goto out;
	} else if (ic.v1_disabled) {
		*why = xasprintf("%s: no IMDSv2 token and IMDSv1 is disabled", ic.base);
		goto out;
	}
	/* Else a timeout after connecting or 403/404/405: IMDSv1 (no token). */
	creds_imds_get(&ic, "GET", "/latest/meta-data/iam/security-credentials/", hdr, &res);
	if (res.cc == CURLE_OK && res.status == 404) {
		*why = xasprintf("%s: no instance profile attached", ic.base);
		goto out;
	}
	if (res.cc != CURLE_OK || res.status != 200) {
		*why = creds_http_why(ic.base, &res);
		goto out;
	}
	n = strcspn(res.body.p ? res.body.p : "", "\r\n");
	if (n == 0) {
		*why = xasprintf("%s: no instance profile role", ic.base);
		goto out;
	}
	role = xstrndup(res.body.p, n);
	buf_adds(&path, "/latest/meta-data/iam/security-credentials/");
	url_encode(&path, role);
	creds_imds_get(&ic, "GET", path.p, hdr, &res);
	if (res.cc != CURLE_OK || res.status != 200) {
		*why = creds_http_why(ic.base, &res);
		goto out;
	}
	if (!creds_from_json("EC2 instance metadata", res.body.p, res.body.len, 0, out, &e)) {
		*why = xasprintf("%s: %s", ic.base, e);
		goto out;
	}
	out->source = xasprintf("EC2 instance metadata (role %s)", role);
	rc = 1;
out:
	if (res.body.p != NULL)
		explicit_bzero(res.body.p, res.body.len);
	buf_free(&res.body);
	buf_free(&path);
	free(ic.base);
	free(token);
	free(hdr);
	free(role);
	free(e);
	return rc;
}

/*
 * IAM Identity Center, as botocore does it: the access token `aws sso login`
 * cached in ~/.aws/sso/cache/SHA1.json (SHA-1 of the sso-session name, or of
 * the start URL for the legacy form), refreshed through SSO OIDC CreateToken
 * when less than CREDS_SSO_REFRESH_S is left (sso-session form only: the
 * legacy form has no refresh token), then the portal's GetRoleCredentials.
 * Threads resolving the same profile refresh one at a time.
 */
static pthread_mutex_t creds_sso_lock = PTHREAD_MUTEX_INITIALIZER;

static char *
creds_sso_cache_path(const struct creds_plan *plan)
{
	const char *key = plan->sso_session != NULL ? plan->sso_session : plan->sso_start_url;
	char hex[41], *dir, *path;

	sha1_hex(key, strlen(key), hex);
	dir = aws_path_expand("~/.aws/sso/cache");
	path = xasprintf("%s/%s.json", dir, hex);
	free(dir);
	return path;
}

/* base + path, without doubling the slash between them. */
static char *
creds_url_join(const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, base, path);
}

/* The AWS error a JSON answer names: x-amzn-ErrorType is not kept, so the body's. */
static char *
creds_json_error(const struct creds_http *res)
{
	json_t *j = json_loadb(res->body.p ? res->body.p : "", res->body.len, 0, NULL);
	const char *code = jstr(j, "error"), *msg = jstr(j, "message");
	char *s;

	if (msg == NULL)
		msg = jstr(j, "error_description");
	if (msg == NULL)
		msg = jstr(j, "Message");
	s = xasprintf("HTTP %ld%s%.100s%s%.200s", res->status, code ? ": " : "", code ? code : "",
	    msg ? ": " : "", msg ? msg : "");
	json_decref(j);
	return s;
}

/* SSO OIDC CreateToken with the cached refresh token; *tok replaced and written back. */
static int
creds_sso_refresh(const struct aws_config *cfg, const struct creds_plan *plan,
    const char *path, json_t **tok, char **err)
{
	const char *cid = jstr(*tok, "clientId"), *csecret = jstr(*tok, "clientSecret");
	const char *refresh = jstr(*tok, "refreshToken"), *regexp = jstr(*tok, "registrationExpiresAt");
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	const char *access, *newrefresh;
	struct creds_http res;
	json_t *req = NULL, *ans = NULL, *fresh = NULL;
	char *base = NULL, *url = NULL, *body = NULL, *text = NULL, *why = NULL, t[21];
	time_t regexp_t, now = time(NULL);
	json_int_t expires_in;
	int rc = 0;

	memset(&res, 0, sizeof(res));
	if (cid == NULL || csecret == NULL || refresh == NULL || regexp == NULL) {
		err_set(err, "the cached token has no refresh token");
		goto out;
	}
	if (!time_parse(regexp, &regexp_t) || regexp_t <= now) {
		err_set(err, "the cached client registration expired");
		goto out;
	}
	if ((base = aws_sso_endpoint(cfg, 1, plan->sso_region, err)) == NULL)
		goto out;
	url = creds_url_join(base, "/token");
	req = json_pack("{s:s, s:s, s:s, s:s}", "clientId", cid, "clientSecret", csecret,
	    "grantType", "refresh_token", "refreshToken", refresh);
	body = jdump(req, 0);
	creds_http("POST", url, hdrs, cfg->timeout_ms, body, &res);
	if (res.cc != CURLE_OK) {
		why = creds_http_why(url, &res);
		err_set(err, "sso-oidc:CreateToken: %s", why);
		goto out;
	}
	if (res.status != 200) {
		why = creds_json_error(&res);
		err_set(err, "sso-oidc:CreateToken (%s): %s", url, why);
		goto out;
	}
	ans = json_loadb(res.body.p ? res.body.p : "", res.body.len, 0, NULL);
	access = jstr(ans, "accessToken");
	newrefresh = jstr(ans, "refreshToken");
	expires_in = json_integer_value(json_object_get(ans, "expiresIn"));
	if (access == NULL || *access == '\0' || expires_in <= 0) {
		err_set(err, "sso-oidc:CreateToken (%s): the answer holds no accessToken and "
		    "expiresIn", url);
		goto out;
	}
	/* The document botocore's SSOTokenProvider writes, key for key. */
	fresh = json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:s, s:s}",
	    "startUrl", plan->sso_start_url, "region", plan->sso_region, "accessToken", access,
	    "expiresAt", time_fmt(now + (time_t)expires_in, t), "clientId", cid,
	    "clientSecret", csecret, "registrationExpiresAt", regexp);
	if (newrefresh != NULL)
		json_object_set_new(fresh, "refreshToken", json_string(newrefresh));
	text = jdump(fresh, 0);
	if (!file_write_atomic(path, text, strlen(text), 0600, 0, err))
		goto out;
	json_decref(*tok);
	*tok = fresh;
	fresh = NULL;
	rc = 1;
out:
	if (body != NULL)
		explicit_bzero(body, strlen(body));
	if (text != NULL)
		explicit_bzero(text, strlen(text));
	if (res.body.p != NULL)
		explicit_bzero(res.body.p, res.body.len);
	buf_free(&res.body);
	json_decref(req);
	json_decref(ans);
	json_decref(fresh);
	free(base);
	free(url);
	free(body);
	free(text);
	free(why);
	return rc;
}

/* The cached access token, refreshed when due; *err ends with the login to run. */
static int
creds_sso_token(const struct aws_config *cfg, const struct creds_plan *plan, char **token,
    char **err)
{
	const char *who = plan->base_profile, *atok, *exp;
	char *path = creds_sso_cache_path(plan), *text = NULL, *e = NULL, t[21];
	json_t *tok = NULL;
	time_t expires;
	size_t n;
	int rc = 0;

	pthread_mutex_lock(&creds_sso_lock);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		err_set(err, "profile %s: no IAM Identity Center token is cached for %s %s "
		    "(%s); run: aws sso login --profile %s", who, plan->sso_session ?
		    "sso-session" : "start URL", plan->sso_session ? plan->sso_session :
		    plan->sso_start_url, path, who);
		goto out;
	}
	if (!file_read(path, CREDS_HTTP_MAX, &text, &n, err))
		goto out;
	tok = json_loadb(text, n, 0, NULL);
	if ((atok = jstr(tok, "accessToken")) == NULL || *atok == '\0' ||
	    (exp = jstr(tok, "expiresAt")) == NULL || !time_parse(exp, &expires)) {
		err_set(err, "profile %s: %s is not an AWS CLI token cache file (no accessToken "
		    "and expiresAt); run: aws sso login --profile %s", who, path, who);
		goto out;
	}
	if (plan->sso_session != NULL && expires - time(NULL) < CREDS_SSO_REFRESH_S) {
		if (creds_sso_refresh(cfg, plan, path, &tok, &e)) {
			log_verbose("profile %s: IAM Identity Center token refreshed (%s)", who,
			    path);
			atok = jstr(tok, "accessToken");
			time_parse(jstr(tok, "expiresAt"), &expires);
		} else
			log_verbose("profile %s: IAM Identity Center token not refreshed: %s",
			    who, e);
	}
	if (expires <= time(NULL)) {
		err_set(err, "profile %s: the IAM Identity Center token expired at %s%s%s; run: "
		    "aws sso login --profile %s", who, time_fmt(expires, t),
		    e != NULL ? " and could not be refreshed: " : "", e != NULL ? e : "", who);
		goto out;
	}
	*token = xstrdup(atok);
	rc = 1;
out:
	pthread_mutex_unlock(&creds_sso_lock);
	if (text != NULL)
		explicit_bzero(text, strlen(text));
	json_decref(tok);
	free(text);
	free(path);
	free(e);
	return rc;
}

/* GetRoleCredentials: the role's keys for the account, with the bearer token. */
static int
creds_sso(const struct aws_config *cfg, const struct creds_plan *plan, struct aws_creds *out,
    char **err)
{
	const char *who = plan->base_profile, *hdrs[2] = { NULL, NULL };
	const char *id, *secret, *session;
	struct creds_http res;
	struct buf q = { 0 };
	json_t *j = NULL, *rc_j;
	char *token = NULL, *hdr = NULL, *base = NULL, *url = NULL, *why = NULL;
	json_int_t exp_ms;
	int rc = 0;

	memset(&res, 0, sizeof(res));
	if (!creds_sso_token(cfg, plan, &token, err))
		goto out;
	if ((base = aws_sso_endpoint(cfg, 0, plan->sso_region, err)) == NULL)
		goto out;
	buf_adds(&q, "/federation/credentials?account_id=");
	url_encode(&q, plan->sso_account_id);
	buf_adds(&q, "&role_name=");
	url_encode(&q, plan->sso_role_name);
	url = creds_url_join(base, q.p);
	hdr = xasprintf("x-amz-sso_bearer_token: %s", token);
	hdrs[0] = hdr;
	creds_http("GET", url, hdrs, cfg->timeout_ms, NULL, &res);
	if (res.cc != CURLE_OK) {
		why = creds_http_why(base, &res);
		err_set(err, "profile %s: sso:GetRoleCredentials: %s", who, why);
		goto out;
	}
	if (res.status == 401) {
		err_set(err, "profile %s: sso:GetRoleCredentials (%s): the IAM Identity Center "
		    "session is no longer valid; run: aws sso login --profile %s", who, base, who);
		goto out;
	}
	if (res.status != 200) {
		why = creds_json_error(&res);
		err_set(err, "profile %s: sso:GetRoleCredentials for role %s in account %s "
		    "(%s): %s", who, plan->sso_role_name, plan->sso_account_id, base, why);
		goto out;
	}
	j = json_loadb(res.body.p, res.body.len, 0, NULL);
	rc_j = json_object_get(j, "roleCredentials");
	id = jstr(rc_j, "accessKeyId");
	secret = jstr(rc_j, "secretAccessKey");
	session = jstr(rc_j, "sessionToken");
	exp_ms = json_integer_value(json_object_get(rc_j, "expiration"));
	if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0' || exp_ms <= 0) {
		err_set(err, "profile %s: sso:GetRoleCredentials (%s): MalformedResponse: the "
		    "answer holds no complete roleCredentials", who, base);
		goto out;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	out->session_token = xstrdup(session && *session ? session : NULL);
	out->expiration = (time_t)(exp_ms / 1000);
	out->source = xasprintf("IAM Identity Center role %s in account %s (profile %s)",
	    plan->sso_role_name, plan->sso_account_id, who);
	rc = 1;
out:
	if (res.body.p != NULL)
		explicit_bzero(res.body.p, res.body.len);
	buf_free(&res.body);
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	if (hdr != NULL)
		explicit_bzero(hdr, strlen(hdr));
	buf_free(&q);
	json_decref(j);
	free(token);
	free(hdr);
	free(base);
	free(url);
	free(why);
	return rc;
}

/*
 * MFA: a role profile with mfa_serial needs a code for AssumeRole.  A code
 * is good once, and a person should be asked once per run, so the role
 * session it buys is kept for the process and handed to every account and
 * thread until CREDS_RENEW_S before it expires.
 */
static pthread_mutex_t creds_mfa_lock = PTHREAD_MUTEX_INITIALIZER;
static char *creds_mfa_code;
static int (*creds_mfa_prompt)(const char *, const char *, char *, size_t);
static struct {
	char			*key;	/* profile, role, serial */
	struct aws_creds	 creds;
} creds_mfa_sessions[CREDS_MFA_SESSIONS];
static int creds_mfa_nsessions;

void
aws_mfa_set_code(const char *code)
{
	pthread_mutex_lock(&creds_mfa_lock);
	if (creds_mfa_code != NULL)
		explicit_bzero(creds_mfa_code, strlen(creds_mfa_code));
	free(creds_mfa_code);
	creds_mfa_code = xstrdup(code);
	pthread_mutex_unlock(&creds_mfa_lock);
}

void
aws_mfa_set_prompt(int (*fn)(const char *, const char *, char *, size_t))
{
	pthread_mutex_lock(&creds_mfa_lock);
	creds_mfa_prompt = fn;
	pthread_mutex_unlock(&creds_mfa_lock);
}

/* The code, from the command line, the environment or a person; 0 with *err. */
static int
creds_mfa_get_code(const struct creds_role *ro, char *code, size_t n, char **err)
{
	const char *given = creds_mfa_code != NULL ? creds_mfa_code : aws_env("IAMGRADE_MFA_CODE");

	if (given != NULL)
		snprintf(code, n, "%s", given);
	else if (creds_mfa_prompt == NULL ||
	    !creds_mfa_prompt(ro->profile, ro->mfa_serial, code, n))
		return err_set(err, "profile %s: role_arn with mfa_serial %s needs an MFA "
		    "code: give --mfa-code CODE or IAMGRADE_MFA_CODE, or run on a terminal "
		    "to be asked", ro->profile, ro->mfa_serial);
	/* STS takes six digits; say so here rather than send a secret to be refused. */
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return err_set(err, "profile %s: the MFA code for %s is not six digits",
		    ro->profile, ro->mfa_serial);
	return 1;
}

static int
creds_assume_mfa(const struct aws_config *cfg, const struct creds_role *ro,
    const struct aws_creds *cur, struct aws_creds *next, char **err)
{
	struct aws_role role = { ro->role_arn, ro->external_id, ro->session_name,
	    ro->duration_s, ro->mfa_serial, NULL };
	struct aws_client *c = NULL;
	char *key = xasprintf("%s\n%s\n%s", ro->profile, ro->role_arn, ro->mfa_serial);
	char code[16], *e = NULL;
	time_t now = time(NULL);
	int i, rc = 0;

	memset(code, 0, sizeof(code));
	pthread_mutex_lock(&creds_mfa_lock);
	for (i = 0; i < creds_mfa_nsessions; i++)
		if (strcmp(creds_mfa_sessions[i].key, key) == 0)
			break;
	if (i < creds_mfa_nsessions && (creds_mfa_sessions[i].creds.expiration == 0 ||
	    creds_mfa_sessions[i].creds.expiration - now > CREDS_RENEW_S)) {
		aws_creds_copy(next, &creds_mfa_sessions[i].creds);
		rc = 1;
		goto out;
	}
	if (!creds_mfa_get_code(ro, code, sizeof(code), err))
		goto out;
	role.token_code = code;
	c = aws_client_new(cfg, cur);
	if (!aws_assume_role_with(c, &role, next, &e)) {
		err_set(err, "profile %s: %s", ro->profile, e);
		goto out;
	}
	if (i == creds_mfa_nsessions && i < CREDS_MFA_SESSIONS)
		creds_mfa_sessions[creds_mfa_nsessions++].key = xstrdup(key);
	if (i < CREDS_MFA_SESSIONS) {
		aws_creds_free(&creds_mfa_sessions[i].creds);
		aws_creds_copy(&creds_mfa_sessions[i].creds, next);
	}
	rc = 1;
out:
	pthread_mutex_unlock(&creds_mfa_lock);
	explicit_bzero(code, sizeof(code));
	aws_client_free(c);
	free(key);
	free(e);
	return rc;
}

/* Web identity: AssumeRoleWithWebIdentity is sent unsigned. */
static int
creds_web_identity(const struct aws_config *cfg, const struct creds_plan *plan,
    struct aws_creds *out, char **err)
{
	struct aws_creds anon;
	struct aws_client *c = NULL;
	struct aws_param p[4];
	struct aws_resp r;
	char *path = aws_path_expand(plan->token_file), *tok = NULL, session[64];
	size_t n;
	int rc = 0;

	memset(&anon, 0, sizeof(anon));
	memset(&r, 0, sizeof(r));
	if (!file_read(path, 65536, &tok, &n, err))
		goto out;
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		tok[--n] = '\0';
	if (plan->webid_session != NULL)
		snprintf(session, sizeof(session), "%s", plan->webid_session);
	else
		snprintf(session, sizeof(session), "iamgrade-%lld", (long long)time(NULL));
	p[0] = (struct aws_param){ "RoleArn", plan->webid_role };
	p[1] = (struct aws_param){ "RoleSessionName", session };
	p[2] = (struct aws_param){ "WebIdentityToken", tok };
	p[3] = (struct aws_param){ NULL, NULL };
	c = aws_client_new(cfg, &anon);
	if (aws_query(c, AWS_STS, "AssumeRoleWithWebIdentity", p, &r) != AWS_RES_OK) {
		err_set(err, "web identity role %s: %s: %s", plan->webid_role, r.code, r.message);
		goto out;
	}
	if (!aws_parse_sts_creds(r.body, r.len, out)) {
		err_set(err, "web identity role %s: MalformedResponse: the answer holds no "
		    "complete credentials", plan->webid_role);
		goto out;
	}
	out->source = xasprintf("web identity role %s", plan->webid_role);
	rc = 1;
out:
	aws_client_free(c);
	aws_resp_free(&r);
	if (tok != NULL)
		explicit_bzero(tok, strlen(tok));
	free(tok);
	free(path);
	return rc;
}

/* Carry out a plan: the base provider, then each AssumeRole, innermost first. */
static int
creds_run_plan(const struct aws_config *cfg, const struct creds_plan *plan,
    struct aws_creds *out, char **err)
{
	struct aws_creds cur, next;
	const char *who = plan->base_profile;
	char *e = NULL;
	int i, found, st, rc = 0;

	memset(&cur, 0, sizeof(cur));
	switch (plan->base) {
	case CREDS_ENV:
		if (!creds_from_env(&cur, &found, err))
			goto out;
		if (!found) {
			err_set(err, "profile %s: credential_source Environment, but "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set", who);
			goto out;
		}
		break;
	case CREDS_STATIC:
		creds_from_profile(cfg, who, plan->base_file, &cur);
		break;
	case CREDS_PROCESS:
		if (!creds_process(plan->process, who, &cur, err))
			goto out;
		break;
	case CREDS_WEB_IDENTITY:
		if (!creds_web_identity(cfg, plan, &cur, err))
			goto out;
		break;
	case CREDS_CONTAINER:
		if ((st = creds_container(&cur, &e)) <= 0) {
			err_set(err, "profile %s: credential_source EcsContainer: %s", who,
			    st == 0 ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI "
			    "are not set" : e);
			goto out;
		}
		break;
	case CREDS_IMDS:
		if (!creds_imds(cfg, &cur, &e)) {
			err_set(err, "profile %s: credential_source Ec2InstanceMetadata: %s",
			    who, e);
			goto out;
		}
		break;
	case CREDS_SSO:
		if (!creds_sso(cfg, plan, &cur, err))
			goto out;
		break;
	}
	for (i = plan->nroles; i-- > 0; ) {
		const struct creds_role *ro = &plan->roles[i];
		struct aws_role role = { ro->role_arn, ro->external_id, ro->session_name,
		    ro->duration_s, NULL, NULL };
		struct aws_client *c;

		cur.renew = NULL;	/* this one-call client renews nothing */
		if (ro->mfa_serial != NULL) {
			if (!creds_assume_mfa(cfg, ro, &cur, &next, err))
				goto out;
		} else {
			c = aws_client_new(cfg, &cur);
			st = aws_assume_role_with(c, &role, &next, &e);
			aws_client_free(c);
			if (!st) {
				err_set(err, "profile %s: %s", ro->profile, e);
				goto out;
			}
		}
		free(next.source);
		next.source = xasprintf("role %s (profile %s)", ro->role_arn, ro->profile);
		aws_creds_free(&cur);
		cur = next;
	}
	cur.renew = plan->nroles > 0 ||
	    (plan->base != CREDS_STATIC && plan->base != CREDS_ENV) ? aws_creds_resolve : NULL;
	*out = cur;
	memset(&cur, 0, sizeof(cur));
	rc = 1;
out:
	aws_creds_free(&cur);
	free(e);
	return rc;
}

int
aws_creds_resolve(const struct aws_config *cfg, struct aws_creds *out, char **err)
{
	struct creds_plan plan;
	struct buf tried = { 0 };
	char *why = NULL, *desc;
	int st, found, rc = 0;

	memset(out, 0, sizeof(*out));
	if (cfg->profile_explicit)
		buf_adds(&tried, "environment variables (skipped: --profile given)");
	else {
		if (!creds_from_env(out, &found, err))
			goto out;
		if (found) {
			rc = 1;
			goto out;
		}
		buf_adds(&tried, "environment variables");
	}

	if ((st = creds_plan_profile(cfg, cfg->profile, &plan, err)) < 0)
		goto out;
	if (st > 0) {
		desc = creds_plan_describe(&plan);
		log_debug("credentials: profile %s: %s", cfg->profile, desc);
		free(desc);
		rc = creds_run_plan(cfg, &plan, out, err);
		goto out;
	}
	if (cfg->files != NULL)
		buf_printf(&tried, ", profile %s in %s and %s", cfg->profile,
		    cfg->files->creds.path, cfg->files->config.path);

	if ((st = creds_container(out, err)) != 0) {
		rc = st > 0;
		out->renew = rc ? aws_creds_resolve : NULL;
		goto out;
	}
	buf_adds(&tried, ", container credentials (not configured)");

	if (creds_imds(cfg, out, &why)) {
		out->renew = aws_creds_resolve;
		rc = 1;
		goto out;
	}
	buf_printf(&tried, ", EC2 instance metadata (%s)", why);
	err_set(err, "no credentials found: tried %s", tried.p);
out:
	if (!rc)
		aws_creds_free(out);
	else
		log_verbose("credentials from %s", out->source);
	buf_free(&tried);
	free(why);
	return rc;
}
