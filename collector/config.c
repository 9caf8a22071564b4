/* The AWS CLI's configuration: shared INI files, profile, region, endpoints and settings. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/aws_int.h"

#define INI_MAX		(4 * 1024 * 1024)	/* a shared file larger than this is not one */

/* The service ids as they appear in AWS_ENDPOINT_URL_<ID> and [services] sections. */
static const char *const cfg_svc_env[AWS_SVC__MAX] = {
	"IAM", "STS", "CLOUDTRAIL", "ORGANIZATIONS", "SECURITYHUB",
	"S3",
};

const char *
aws_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
aws_bool(const char *s, int def)
{
	if (s == NULL)
		return def;
	if (strcasecmp(s, "true") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

char *
aws_path_expand(const char *p)
{
	const char *home;
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];

	if (p == NULL)
		return NULL;
	if (p[0] != '~' || (p[1] != '/' && p[1] != '\0'))
		return xstrdup(p);
	if ((home = aws_env("HOME")) == NULL) {
		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 || pwp == NULL)
			return xstrdup(p);
		home = pw.pw_dir;
	}
	return xasprintf("%s%s", home, p + 1);
}

/* INI files. */

static void
cfg_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * The setting name before eq on line s (cut there), trimmed and lowercased,
 * as AWS's configparser reads it; NULL with *err when it is empty.
 */
static char *
cfg_setting_name(char *s, char *eq, const char *path, int lineno, char **err)
{
	*eq = '\0';
	s = str_trim(s);
	if (*s == '\0') {
		err_set(err, "%s:%d: empty setting name", path, lineno);
		return NULL;
	}
	cfg_lower(s);
	return s;
}

/* "profile    x " -> "profile x": the first word, one space, the rest trimmed. */
static char *
cfg_section_name(const char *s)
{
	size_t n = strcspn(s, " \t");
	const char *rest = s + n;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest == '\0')
		return xstrndup(s, n);
	return xasprintf("%.*s %s", (int)n, s, rest);
}

static struct ini_kv *
ini_add(struct ini_sec *sec, const char *key, const char *sub, const char *value, int line)
{
	struct ini_kv *kv;

	sec->kv = xrealloc(sec->kv, (sec->nkv + 1) * sizeof(*sec->kv));
	kv = &sec->kv[sec->nkv++];
	kv->key = xstrdup(key);
	kv->sub = xstrdup(sub);
	kv->value = xstrdup(value);
	kv->line = line;
	return kv;
}

/*
 * configparser's rules as botocore uses them: full-line comments (# and ;),
 * "[section]", "key = value" with the key folded to lower case; a line
 * indented deeper than its key continues it: "name = value" lines under a
 * key with an empty value are its sub-settings, other text continues the
 * value.  Inline comments are part of the value, as in botocore.
 */
int
ini_parse(const char *path, const char *text, struct ini_file *f, char **err)
{
	char *copy = xstrdup(text), *next = copy, *line;
	struct ini_sec *sec = NULL;
	size_t key_idx = 0;
	int lineno = 0, have_key = 0, key_indent = 0, nested = 0, rc = 0;

	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->exists = 1;
	while ((line = next) != NULL) {
		char *s, *eq;
		int indent;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		indent = (int)strspn(line, " \t");
		s = str_trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (have_key && indent > key_indent) {
			struct ini_kv *kv = &sec->kv[key_idx];

			eq = strchr(s, '=');
			if (*kv->value == '\0' && eq != NULL)
				nested = 1;
			if (nested) {
				if (eq == NULL) {
					err_set(err, "%s:%d: expected 'name = value' in the "
					    "sub-settings of %s", path, lineno, kv->key);
					goto out;
				}
				if ((s = cfg_setting_name(s, eq, path, lineno, err)) == NULL)
					goto out;
				ini_add(sec, kv->key, s, str_trim(eq + 1), lineno);
			} else {
				char *v = xasprintf("%s\n%s", kv->value, s);

				free(kv->value);
				kv->value = v;
			}
			continue;
		}
		have_key = nested = 0;
		if (*s == '[') {
			size_t n = strlen(s);
			char *name;

			if (indent > 0 || s[n - 1] != ']') {
				err_set(err, "%s:%d: malformed section header", path, lineno);
				goto out;
			}
			s[n - 1] = '\0';
			name = str_trim(s + 1);
			if (*name == '\0') {
				err_set(err, "%s:%d: empty section name", path, lineno);
				goto out;
			}
			f->sec = xrealloc(f->sec, (f->nsec + 1) * sizeof(*f->sec));
			sec = &f->sec[f->nsec++];
			memset(sec, 0, sizeof(*sec));
			sec->name = cfg_section_name(name);
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			err_set(err, "%s:%d: expected 'name = value' or '[section]'", path, lineno);
			goto out;
		}
		if (sec == NULL) {
			err_set(err, "%s:%d: setting outside any [section]", path, lineno);
			goto out;
		}
		if ((s = cfg_setting_name(s, eq, path, lineno, err)) == NULL)
			goto out;
		ini_add(sec, s, NULL, str_trim(eq + 1), lineno);
		key_idx = sec->nkv - 1;
		key_indent = indent;
		have_key = 1;
	}
	rc = 1;
out:
	free(copy);
	if (!rc)
		ini_free(f);
	return rc;
}

int
ini_load(const char *path, struct ini_file *f, char **err)
{
	char *text = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		f->path = xstrdup(path);
		return 1;
	}
	if (!file_read(path, INI_MAX, &text, NULL, err))
		return 0;
	rc = ini_parse(path, text, f, err);
	free(text);
	return rc;
}

void
ini_free(struct ini_file *f)
{
	size_t i, j;

	for (i = 0; i < f->nsec; i++) {
		for (j = 0; j < f->sec[i].nkv; j++) {
			free(f->sec[i].kv[j].key);
			free(f->sec[i].kv[j].sub);
			free(f->sec[i].kv[j].value);
		}
		free(f->sec[i].kv);
		free(f->sec[i].name);
	}
	free(f->sec);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static void
ini_copy(struct ini_file *dst, const struct ini_file *src)
{
	size_t i, j;

	memset(dst, 0, sizeof(*dst));
	dst->path = xstrdup(src->path);
	dst->exists = src->exists;
	dst->nsec = src->nsec;
	dst->sec = xcalloc(src->nsec, sizeof(*dst->sec));
	for (i = 0; i < src->nsec; i++) {
		dst->sec[i].name = xstrdup(src->sec[i].name);
		for (j = 0; j < src->sec[i].nkv; j++) {
			const struct ini_kv *kv = &src->sec[i].kv[j];

			ini_add(&dst->sec[i], kv->key, kv->sub, kv->value, kv->line);
		}
	}
}

/* The last section of that name: a repeated section's later keys win anyway. */
const struct ini_sec *
ini_section(const struct ini_file *f, const char *name)
{
	size_t i;

	for (i = f->nsec; i-- > 0; )
		if (strcmp(f->sec[i].name, name) == 0)
			return &f->sec[i];
	return NULL;
}

const char *
ini_sec_get(const struct ini_sec *sec, const char *key, const char *sub)
{
	size_t i;

	if (sec == NULL)
		return NULL;
	for (i = sec->nkv; i-- > 0; ) {
		const struct ini_kv *kv = &sec->kv[i];

		if (strcmp(kv->key, key) != 0)
			continue;
		if (sub == NULL ? kv->sub == NULL : kv->sub != NULL && strcmp(kv->sub, sub) == 0)
			return kv->value;
	}
	return NULL;
}

/* Profiles across the two files. */

static const char *
cfg_get_in(const struct ini_file *f, const char *name, const char *key)
{
	const char *v = ini_sec_get(ini_section(f, name), key, NULL);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The config file names profiles "[profile x]" and the default "[default]". */
static const char *
cfg_get_config(const struct ini_file *f, const char *profile, const char *key)
{
	char *name = xasprintf("profile %s", profile);
	const char *v = cfg_get_in(f, name, key);

	free(name);
	if (v == NULL && strcmp(profile, "default") == 0)
		v = cfg_get_in(f, "default", key);
	return v;
}

const char *
aws_profile_get(const struct aws_config *cfg, const char *profile, const char *key,
    enum aws_file_which which)
{
	const char *v = NULL;

	if (cfg->files == NULL || profile == NULL)
		return NULL;
	if (which & AWS_FILE_CREDS)
		v = cfg_get_in(&cfg->files->creds, profile, key);
	if (v == NULL && (which & AWS_FILE_CONFIG))
		v = cfg_get_config(&cfg->files->config, profile, key);
	return v;
}

int
aws_profile_exists(const struct aws_config *cfg, const char *profile)
{
	char *name;
	int found;

	if (cfg->files == NULL)
		return 0;
	if (ini_section(&cfg->files->creds, profile) != NULL)
		return 1;
	name = xasprintf("profile %s", profile);
	found = ini_section(&cfg->files->config, name) != NULL ||
	    (strcmp(profile, "default") == 0 && ini_section(&cfg->files->config, "default") != NULL);
	free(name);
	return found;
}

/* Regions and endpoints. */

static int
cfg_region_valid(const char *r)
{
	size_t n = strlen(r), i;

	if (n == 0 || n > 64 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)r[i]) || isdigit((unsigned char)r[i]) || r[i] == '-'))
			return 0;
	return 1;
}

enum cfg_partition {
	CFG_AWS,
	CFG_AWS_CN,
	CFG_AWS_US_GOV,
};

static enum cfg_partition
cfg_partition(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return CFG_AWS_CN;
	if (strncmp(region, "us-gov-", 7) == 0)
		return CFG_AWS_US_GOV;
	return CFG_AWS;
}

/* The regions for which legacy STS settings mean the global endpoint. */
static int
cfg_sts_legacy_region(const char *region)
{
	static const char *const legacy[] = {
		"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
		"aws-global", "ca-central-1", "eu-central-1", "eu-north-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	};
	size_t i;

	for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		if (strcmp(region, legacy[i]) == 0)
			return 1;
	return 0;
}

/*
 * The built-in endpoint rules of reference §1.  Variants whose host names
 * the reference does not establish (dual-stack outside the aws partition,
 * FIPS in China, dual-stack Organizations) are refused rather than guessed.
 */
static int
cfg_default_endpoint(const struct aws_config *cfg, enum aws_svc svc, const char *region,
    char **url, char **sign, char **err)
{
	enum cfg_partition part = cfg_partition(region);
	const char *suffix = part == CFG_AWS_CN ? "amazonaws.com.cn" : "amazonaws.com";
	const char *svcname = aws_svc_names[svc];
	int fips = cfg->use_fips, dual = cfg->use_dualstack;

	*url = *sign = NULL;
	if ((fips && dual) || (dual && part != CFG_AWS) || (fips && part == CFG_AWS_CN) ||
	    (dual && svc == AWS_ORGANIZATIONS))
		return err_set(err, "no %s endpoint known for %s in %s; set "
		    "AWS_ENDPOINT_URL_%s", fips && dual ? "FIPS dual-stack" : fips ? "FIPS" :
		    "dual-stack", svcname, region, cfg_svc_env[svc]);
	if (part == CFG_AWS_US_GOV)
		fips = 0;	/* GovCloud's regular host names are its FIPS endpoints */
	switch (svc) {
	case AWS_IAM:
		if (part == CFG_AWS_CN) {
			*url = xstrdup("https://iam.cn-north-1.amazonaws.com.cn/");
			*sign = xstrdup("cn-north-1");
		} else if (part == CFG_AWS_US_GOV) {
			*url = xstrdup("https://iam.us-gov.amazonaws.com/");
			*sign = xstrdup("us-gov-west-1");
		} else {
			*url = xstrdup(fips ? "https://iam-fips.amazonaws.com/" : dual ?
			    "https://iam.global.api.aws/" : "https://iam.amazonaws.com/");
			*sign = xstrdup("us-east-1");
		}
		break;
	case AWS_ORGANIZATIONS:
		if (part == CFG_AWS_CN) {
			*url = xstrdup("https://organizations.cn-northwest-1.amazonaws.com.cn/");
			*sign = xstrdup("cn-northwest-1");
		} else if (part == CFG_AWS_US_GOV) {
			*url = xstrdup("https://organizations.us-gov-west-1.amazonaws.com/");
			*sign = xstrdup("us-gov-west-1");
		} else {
			*url = xstrdup(fips ? "https://organizations-fips.us-east-1.amazonaws.com/" :
			    "https://organizations.us-east-1.amazonaws.com/");
			*sign = xstrdup("us-east-1");
		}
		break;
	case AWS_STS:
		if (cfg->sts_legacy && part == CFG_AWS && !fips && !dual &&
		    cfg_sts_legacy_region(region)) {
			*url = xstrdup("https://sts.amazonaws.com/");
			*sign = xstrdup("us-east-1");
			break;
		}
		/* FALLTHROUGH */
	case AWS_CLOUDTRAIL:
	case AWS_SECURITYHUB:
		if (dual)
			*url = xasprintf("https://%s.%s.api.aws/", svcname, region);
		else
			*url = xasprintf("https://%s%s.%s.%s/", svcname, fips ? "-fips" : "",
			    region, suffix);
		*sign = xstrdup(region);
		break;
	case AWS_S3:
		/* The regional host; aws_s3_put puts the bucket in front of it. */
		*url = xasprintf("https://s3%s%s.%s.%s/", fips ? "-fips" : "",
		    dual ? ".dualstack" : "", region, suffix);
		*sign = xstrdup(region);
		break;
	default:
		return err_set(err, "unknown service %d", (int)svc);
	}
	return 1;
}

static int
cfg_url_valid(const char *u)
{
	const char *p;

	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return 0;
	for (p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return strlen(u) > (u[4] == 's' ? 8u : 7u);
}

/*
 * A configured endpoint URL for svc, following §12.1's order after the
 * command line: AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL, the profile's
 * [services NAME] section, the profile's endpoint_url.  *from names the
 * setting for error messages.
 */
static const char *
cfg_configured_endpoint(const struct aws_config *cfg, const char *svc_env, char **from)
{
	char *var = xasprintf("AWS_ENDPOINT_URL_%s", svc_env);
	const char *v, *services;

	if ((v = aws_env(var)) != NULL) {
		*from = var;
		return v;
	}
	free(var);
	if ((v = aws_env("AWS_ENDPOINT_URL")) != NULL) {
		*from = xstrdup("AWS_ENDPOINT_URL");
		return v;
	}
	services = aws_profile_get(cfg, cfg->profile, "services", AWS_FILE_BOTH);
	if (services != NULL) {
		char *name = xasprintf("services %s", services), svcid[32];

		snprintf(svcid, sizeof(svcid), "%s", svc_env);
		cfg_lower(svcid);
		v = ini_sec_get(ini_section(&cfg->files->config, name), svcid, "endpoint_url");
		free(name);
		if (v != NULL && *v != '\0') {
			*from = xasprintf("%s: [services %s] %s endpoint_url",
			    cfg->files->config.path, services, svcid);
			return v;
		}
	}
	if ((v = aws_profile_get(cfg, cfg->profile, "endpoint_url", AWS_FILE_BOTH)) != NULL) {
		*from = xasprintf("profile %s endpoint_url", cfg->profile);
		return v;
	}
	return NULL;
}

char *
aws_endpoint_for_region(const struct aws_config *cfg, enum aws_svc svc, const char *region,
    char **sign_region)
{
	char *url = NULL;

	*sign_region = NULL;
	if (region == NULL || !cfg_region_valid(region) || (int)svc < 0 || svc >= AWS_SVC__MAX)
		return NULL;
	if (cfg->endpoint_custom[svc]) {
		*sign_region = xstrdup(region);
		return xstrdup(cfg->endpoint[svc]);
	}
	if (!cfg_default_endpoint(cfg, svc, region, &url, sign_region, NULL))
		return NULL;
	return url;
}

const char *
aws_setting(const struct aws_config *cfg, const char *env, const char *key)
{
	const char *v = aws_env(env);

	return v != NULL ? v : aws_profile_get(cfg, cfg->profile, key, AWS_FILE_BOTH);
}

/* An integer setting within [lo, hi] from the first of env, profile key. */
static int
cfg_int(const struct aws_config *cfg, const char *env, const char *key, long lo, long hi,
    long def, long *out, char **err)
{
	const char *v = aws_setting(cfg, env, key);
	char *end;
	long n;

	if (v == NULL) {
		*out = def;
		return 1;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return err_set(err, "%s: \"%s\" is not a number from %ld to %ld",
		    aws_env(env) ? env : key, v, lo, hi);
	*out = n;
	return 1;
}

/* A true/false setting from the first of env, profile key. */
static int
cfg_flag(const struct aws_config *cfg, const char *env, const char *key, int *out, char **err)
{
	const char *v = aws_setting(cfg, env, key);

	if ((*out = aws_bool(v, 0)) < 0)
		return err_set(err, "%s: \"%s\" is neither true nor false",
		    aws_env(env) ? env : key, v);
	return 1;
}

char *
aws_sso_endpoint(const struct aws_config *cfg, int oidc, const char *sso_region, char **err)
{
	const char *v = NULL;
	char *from = NULL, *url = NULL;
	int ignore;

	if (!cfg_flag(cfg, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	    "ignore_configured_endpoint_urls", &ignore, err))
		return NULL;
	if (!ignore && cfg->files != NULL)
		v = cfg_configured_endpoint(cfg, oidc ? "SSO_OIDC" : "SSO", &from);
	if (v != NULL) {
		if (!cfg_url_valid(v))
			err_set(err, "%s: \"%s\" is not an http:// or https:// URL", from, v);
		else
			url = xstrdup(v);
		free(from);
		return url;
	}
	if (!cfg_region_valid(sso_region)) {
		err_set(err, "sso_region \"%s\" is not a region name", sso_region);
		return NULL;
	}
	return xasprintf(oidc ? "https://oidc.%s.%s" : "https://portal.sso.%s.%s", sso_region,
	    cfg_partition(sso_region) == CFG_AWS_CN ? "amazonaws.com.cn" : "amazonaws.com");
}

static int
cfg_endpoints(const struct aws_opts *o, struct aws_config *c, char **err)
{
	const char *v;
	int ignore, s;

	if (!cfg_flag(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	    "ignore_configured_endpoint_urls", &ignore, err))
		return 0;
	for (s = 0; s < AWS_SVC__MAX; s++) {
		char *from = NULL;

		if (o->endpoint_url != NULL) {
			v = o->endpoint_url;
			from = xstrdup("--endpoint-url");
		} else
			v = ignore ? NULL : cfg_configured_endpoint(c, cfg_svc_env[s], &from);
		if (v != NULL) {
			if (!cfg_url_valid(v)) {
				err_set(err, "%s: \"%s\" is not an http:// or https:// URL", from, v);
				free(from);
				return 0;
			}
			free(from);
			c->endpoint[s] = xstrdup(v);
			/* §1: a custom endpoint is signed for the configured region. */
			c->sign_region[s] = xstrdup(c->region);
			c->endpoint_custom[s] = 1;
		} else if (!cfg_default_endpoint(c, (enum aws_svc)s, c->region,
		    &c->endpoint[s], &c->sign_region[s], err))
			return 0;
	}
	return 1;
}

static int
cfg_load_file(const char *env, const char *def, struct ini_file *f, char **err)
{
	const char *v = aws_env(env);
	char *path = aws_path_expand(v != NULL ? v : def);
	int rc = ini_load(path, f, err);

	free(path);
	return rc;
}

int
aws_config_load(const struct aws_opts *o, struct aws_config *c, char **err)
{
	const char *v, *from;
	long n = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->files = xcalloc(1, sizeof(*c->files));
	if (o->profile != NULL) {
		c->profile = xstrdup(o->profile);
		c->profile_explicit = 1;
	} else if ((v = aws_env("AWS_PROFILE")) != NULL ||
	    (v = aws_env("AWS_DEFAULT_PROFILE")) != NULL)
		c->profile = xstrdup(v);
	else
		c->profile = xstrdup("default");

	if (!cfg_load_file("AWS_CONFIG_FILE", "~/.aws/config", &c->files->config, err) ||
	    !cfg_load_file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials",
	    &c->files->creds, err))
		goto out;
	if (strcmp(c->profile, "default") != 0 && !aws_profile_exists(c, c->profile)) {
		err_set(err, "profile %s not found in %s or %s", c->profile,
		    c->files->config.path, c->files->creds.path);
		goto out;
	}

	from = "--region";
	if ((v = o->region) == NULL && (v = aws_env(from = "AWS_REGION")) == NULL &&
	    (v = aws_env(from = "AWS_DEFAULT_REGION")) == NULL &&
	    (v = aws_profile_get(c, c->profile, from = "region", AWS_FILE_BOTH)) == NULL)
		v = "us-east-1";
	else
		c->region_given = 1;
	if (!cfg_region_valid(v)) {
		err_set(err, "%s: \"%s\" is not a region name", from, v);
		goto out;
	}
	c->region = xstrdup(v);

	if (o->max_attempts > 0)
		c->max_attempts = o->max_attempts;
	else if (!cfg_int(c, "AWS_MAX_ATTEMPTS", "max_attempts", 1, 100, 3, &n, err))
		goto out;
	else
		c->max_attempts = (int)n;
	v = aws_setting(c, "AWS_RETRY_MODE", "retry_mode");
	if (v != NULL && strcmp(v, "standard") != 0) {
		if (strcmp(v, "legacy") != 0 && strcmp(v, "adaptive") != 0) {
			err_set(err, "retry mode \"%s\" is not standard, legacy or adaptive", v);
			goto out;
		}
		log_verbose("retry mode %s: using standard", v);
	}
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000;
	c->body_max = o->body_max > 0 ? o->body_max : (size_t)64 * 1024 * 1024;
	if ((v = aws_setting(c, "AWS_CA_BUNDLE", "ca_bundle")) != NULL)
		c->ca_bundle = aws_path_expand(v);
	if (!cfg_flag(c, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &c->use_fips, err) ||
	    !cfg_flag(c, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint",
	    &c->use_dualstack, err))
		goto out;
	v = aws_setting(c, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints");
	if (v != NULL && strcmp(v, "regional") != 0 && strcmp(v, "legacy") != 0) {
		err_set(err, "sts_regional_endpoints \"%s\" is neither regional nor legacy", v);
		goto out;
	}
	c->sts_legacy = v != NULL && strcmp(v, "legacy") == 0;
	if (!cfg_endpoints(o, c, err))
		goto out;
	rc = 1;
out:
	return rc;
}

void
aws_config_free(struct aws_config *c)
{
	int s;

	free(c->region);
	free(c->profile);
	free(c->ca_bundle);
	for (s = 0; s < AWS_SVC__MAX; s++) {
		free(c->endpoint[s]);
		free(c->sign_region[s]);
	}
	if (c->files != NULL) {
		ini_free(&c->files->config);
		ini_free(&c->files->creds);
		free(c->files);
	}
	memset(c, 0, sizeof(*c));
}

void
aws_config_copy(struct aws_config *d, const struct aws_config *s)
{
	int i;

	*d = *s;
	d->region = xstrdup(s->region);
	d->profile = xstrdup(s->profile);
	d->ca_bundle = xstrdup(s->ca_bundle);
	for (i = 0; i < AWS_SVC__MAX; i++) {
		d->endpoint[i] = xstrdup(s->endpoint[i]);
		d->sign_region[i] = xstrdup(s->sign_region[i]);
	}
	if (s->files != NULL) {
		d->files = xcalloc(1, sizeof(*d->files));
		ini_copy(&d->files->config, &s->files->config);
		ini_copy(&d->files->creds, &s->files->creds);
	}
}
