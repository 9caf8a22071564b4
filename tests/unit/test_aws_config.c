/* The shared config files, profile and region selection, and endpoint resolution. */
#include "collector/aws_int.h"
#include "tests/unit/t.h"
#include "tests/unit/aws_srv.h"

static char home[] = "/tmp/iamgrade-config-XXXXXX";
static char cfgpath[4200], credpath[4200];

/* Fresh environment and shared files for one test. */
static void
files(const char *config, const char *credentials)
{
	srv_clean_env(home);
	snprintf(cfgpath, sizeof(cfgpath), "%s", srv_write(home, "config", config ? config : "", 0600));
	snprintf(credpath, sizeof(credpath), "%s", srv_write(home, "credentials",
	    credentials ? credentials : "", 0600));
	setenv("AWS_CONFIG_FILE", cfgpath, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", credpath, 1);
}

static int
load(const struct aws_opts *o, struct aws_config *c, char **err)
{
	static const struct aws_opts none;

	free(*err);
	*err = NULL;
	return aws_config_load(o ? o : &none, c, err);
}

static void
t_ini_parse(void)
{
	static const char text[] =
	    "# a comment\n"
	    "; another\n"
	    "[default]\n"
	    "region = eu-west-1\n"
	    "Output=json\n"
	    "  \n"
	    "[profile   audit ]\n"
	    "role_arn = arn:aws:iam::1:role/a=b\n"
	    "note = keep # this, inline comments are values\n"
	    "    continued\n"
	    "\t# an indented comment\n"
	    "s3 =\n"
	    "  addressing_style = path\n"
	    "  Max_Concurrent_Requests=10\n"
	    "after = yes\r\n"
	    "[services local]\n"
	    "iam =\n"
	    "  endpoint_url = http://127.0.0.1:5000/\n";
	struct ini_file f;
	const struct ini_sec *s;
	char *err = NULL;

	T(ini_parse("cfg", text, &f, &err), "parse: %s", err);
	T(f.nsec == 3, "sections %zu", f.nsec);
	s = ini_section(&f, "default");
	T_STREQ(ini_sec_get(s, "region", NULL), "eu-west-1");
	T_STREQ(ini_sec_get(s, "output", NULL), "json");
	s = ini_section(&f, "profile audit");
	T(s != NULL, "[profile   audit ] normalised");
	T_STREQ(ini_sec_get(s, "role_arn", NULL), "arn:aws:iam::1:role/a=b");
	T_STREQ(ini_sec_get(s, "note", NULL), "keep # this, inline comments are values\ncontinued");
	T_STREQ(ini_sec_get(s, "s3", NULL), "");
	T_STREQ(ini_sec_get(s, "s3", "addressing_style"), "path");
	T_STREQ(ini_sec_get(s, "s3", "max_concurrent_requests"), "10");
	T_STREQ(ini_sec_get(s, "after", NULL), "yes");
	T(ini_sec_get(s, "addressing_style", NULL) == NULL, "sub-setting leaked to the profile");
	T_STREQ(ini_sec_get(ini_section(&f, "services local"), "iam", "endpoint_url"),
	    "http://127.0.0.1:5000/");
	ini_free(&f);
}

static void
t_ini_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "region = x\n", "f.ini:1: setting outside any [section]" },
		{ "[default]\n\n[broken\n", "f.ini:3: malformed section header" },
		{ "[default]\nregion\n", "f.ini:2: expected 'name = value' or '[section]'" },
		{ "[a]\n[]\n", "f.ini:2: empty section name" },
		{ "[a]\n = v\n", "f.ini:2: empty setting name" },
		{ "[a]\ns3 =\n  = 1\n", "f.ini:3: empty setting name" },	/* a sub-setting's */
		{ "[a]\ns3 =\n  a = 1\n  oops\n", "f.ini:4: expected 'name = value' in the "
		    "sub-settings of s3" },
		{ "[a]\nx = 1\n [b]\n", NULL },	/* an indented line continues x */
	};
	struct ini_file f;
	char *err = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ok = ini_parse("f.ini", cases[i].text, &f, &err);

		if (cases[i].want == NULL)
			T(ok, "case %zu: %s", i, err);
		else {
			T(!ok, "case %zu parsed", i);
			T_STREQ(err, cases[i].want);
		}
		ini_free(&f);
	}
	free(err);
}

static void
t_malformed_file_names_file_and_line(void)
{
	struct aws_config c;
	char *err = NULL, want[4300];

	files("[default]\nregion = eu-west-1\nthis is not a setting\n", NULL);
	T(!load(NULL, &c, &err), "loaded");
	snprintf(want, sizeof(want), "%s:3: expected 'name = value' or '[section]'", cfgpath);
	T_STREQ(err, want);
	aws_config_free(&c);
	free(err);
}

static void
t_missing_files_are_empty(void)
{
	struct aws_config c;
	char *err = NULL, want[4300];

	srv_clean_env(home);
	T(load(NULL, &c, &err), "load: %s", err);
	snprintf(want, sizeof(want), "%s/.aws/config", home);
	T_STREQ(c.files->config.path, want);
	T(!c.files->config.exists && !c.files->creds.exists, "exists");
	T_STREQ(c.profile, "default");
	T_STREQ(c.region, "us-east-1");
	aws_config_free(&c);

	/* ~ in AWS_CONFIG_FILE is the home directory. */
	setenv("AWS_CONFIG_FILE", "~/elsewhere", 1);
	T(load(NULL, &c, &err), "load: %s", err);
	snprintf(want, sizeof(want), "%s/elsewhere", home);
	T_STREQ(c.files->config.path, want);
	aws_config_free(&c);
	free(err);
}

static void
t_profile_selection(void)
{
	static const char config[] = "[default]\nregion = us-west-2\n"
	    "[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n";
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL;

	files(config, "[c]\naws_access_key_id = AKIAC\n");
	T(load(NULL, &c, &err) && strcmp(c.profile, "default") == 0 && !c.profile_explicit,
	    "default: %s", err);
	T_STREQ(c.region, "us-west-2");
	aws_config_free(&c);
	setenv("AWS_DEFAULT_PROFILE", "b", 1);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.profile, "b");
	T_STREQ(c.region, "eu-west-2");
	aws_config_free(&c);
	setenv("AWS_PROFILE", "a", 1);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.profile, "a");
	T(!c.profile_explicit, "AWS_PROFILE is not explicit");
	aws_config_free(&c);
	o.profile = "c";	/* only in the credentials file */
	T(load(&o, &c, &err), "%s", err);
	T_STREQ(c.profile, "c");
	T(c.profile_explicit, "--profile is explicit");
	T_STREQ(c.region, "us-east-1");
	aws_config_free(&c);
	o.profile = "nope";
	T(!load(&o, &c, &err), "unknown profile loaded");
	T(err != NULL && strstr(err, "profile nope not found in") != NULL &&
	    strstr(err, cfgpath) != NULL && strstr(err, credpath) != NULL, "err %s", err);
	aws_config_free(&c);
	free(err);
}

static void
t_region_precedence(void)
{
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL;

	files("[default]\nregion = ap-south-1\n", NULL);
	T(load(NULL, &c, &err) && strcmp(c.region, "ap-south-1") == 0, "profile: %s", c.region);
	aws_config_free(&c);
	setenv("AWS_DEFAULT_REGION", "eu-north-1", 1);
	T(load(NULL, &c, &err) && strcmp(c.region, "eu-north-1") == 0, "default: %s", c.region);
	aws_config_free(&c);
	setenv("AWS_REGION", "ca-central-1", 1);
	T(load(NULL, &c, &err) && strcmp(c.region, "ca-central-1") == 0, "env: %s", c.region);
	aws_config_free(&c);
	o.region = "sa-east-1";
	T(load(&o, &c, &err) && strcmp(c.region, "sa-east-1") == 0, "option: %s", c.region);
	aws_config_free(&c);
	o.region = "eu-west-1.evil.com/";
	T(!load(&o, &c, &err), "bad region accepted");
	T_STREQ(err, "--region: \"eu-west-1.evil.com/\" is not a region name");
	aws_config_free(&c);
	free(err);
}

/* The built-in rules of reference §1. */
static void
t_default_endpoints(void)
{
	static const struct {
		const char *region, *env, *val;
		const char *url[AWS_SVC__MAX], *sign[AWS_SVC__MAX];
	} cases[] = {
		{ "us-east-1", NULL, NULL,
		    { "https://iam.amazonaws.com/", "https://sts.us-east-1.amazonaws.com/",
		      "https://cloudtrail.us-east-1.amazonaws.com/",
		      "https://organizations.us-east-1.amazonaws.com/",
		      "https://securityhub.us-east-1.amazonaws.com/",
		      "https://s3.us-east-1.amazonaws.com/" },
		    { "us-east-1", "us-east-1", "us-east-1", "us-east-1", "us-east-1", "us-east-1" } },
		{ "eu-west-1", NULL, NULL,
		    { "https://iam.amazonaws.com/", "https://sts.eu-west-1.amazonaws.com/",
		      "https://cloudtrail.eu-west-1.amazonaws.com/",
		      "https://organizations.us-east-1.amazonaws.com/",
		      "https://securityhub.eu-west-1.amazonaws.com/",
		      "https://s3.eu-west-1.amazonaws.com/" },
		    { "us-east-1", "eu-west-1", "eu-west-1", "us-east-1", "eu-west-1", "eu-west-1" } },
		{ "cn-north-1", NULL, NULL,
		    { "https://iam.cn-north-1.amazonaws.com.cn/",
		      "https://sts.cn-north-1.amazonaws.com.cn/",
		      "https://cloudtrail.cn-north-1.amazonaws.com.cn/",
		      "https://organizations.cn-northwest-1.amazonaws.com.cn/",
		      "https://securityhub.cn-north-1.amazonaws.com.cn/",
		      "https://s3.cn-north-1.amazonaws.com.cn/" },
		    { "cn-north-1", "cn-north-1", "cn-north-1", "cn-northwest-1", "cn-north-1", "cn-north-1" } },
		{ "us-gov-east-1", NULL, NULL,
		    { "https://iam.us-gov.amazonaws.com/", "https://sts.us-gov-east-1.amazonaws.com/",
		      "https://cloudtrail.us-gov-east-1.amazonaws.com/",
		      "https://organizations.us-gov-west-1.amazonaws.com/",
		      "https://securityhub.us-gov-east-1.amazonaws.com/",
		      "https://s3.us-gov-east-1.amazonaws.com/" },
		    { "us-gov-west-1", "us-gov-east-1", "us-gov-east-1", "us-gov-west-1", "us-gov-east-1", "us-gov-east-1" } },
		{ "eu-west-1", "AWS_STS_REGIONAL_ENDPOINTS", "legacy",
		    { "https://iam.amazonaws.com/", "https://sts.amazonaws.com/",
		      "https://cloudtrail.eu-west-1.amazonaws.com/",
		      "https://organizations.us-east-1.amazonaws.com/",
		      "https://securityhub.eu-west-1.amazonaws.com/",
		      "https://s3.eu-west-1.amazonaws.com/" },
		    { "us-east-1", "us-east-1", "eu-west-1", "us-east-1", "eu-west-1", "eu-west-1" } },
		{ "eu-west-1", "AWS_USE_FIPS_ENDPOINT", "true",
		    { "https://iam-fips.amazonaws.com/", "https://sts-fips.eu-west-1.amazonaws.com/",
		      "https://cloudtrail-fips.eu-west-1.amazonaws.com/",
		      "https://organizations-fips.us-east-1.amazonaws.com/",
		      "https://securityhub-fips.eu-west-1.amazonaws.com/",
		      "https://s3-fips.eu-west-1.amazonaws.com/" },
		    { "us-east-1", "eu-west-1", "eu-west-1", "us-east-1", "eu-west-1", "eu-west-1" } },
	};
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL;
	size_t i;
	int s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		files(NULL, NULL);
		if (cases[i].env != NULL)
			setenv(cases[i].env, cases[i].val, 1);
		o.region = cases[i].region;
		T(load(&o, &c, &err), "case %zu: %s", i, err);
		for (s = 0; s < AWS_SVC__MAX; s++) {
			T_STREQ(c.endpoint[s], cases[i].url[s]);
			T_STREQ(c.sign_region[s], cases[i].sign[s]);
			T(!c.endpoint_custom[s], "case %zu custom", i);
		}
		aws_config_free(&c);
	}
	/* A variant nobody has established is refused, not guessed. */
	files(NULL, NULL);
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "true", 1);
	T(!load(NULL, &c, &err), "dual-stack organizations guessed");
	T(err && strstr(err, "AWS_ENDPOINT_URL_ORGANIZATIONS"), "err %s", err);
	aws_config_free(&c);
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "maybe", 1);
	T(!load(NULL, &c, &err), "bad flag");
	T_STREQ(err, "AWS_USE_DUALSTACK_ENDPOINT: \"maybe\" is neither true nor false");
	aws_config_free(&c);
	free(err);
}

static void
t_endpoint_precedence(void)
{
	static const char config[] =
	    "[default]\nregion = eu-west-1\nservices = local\n"
	    "endpoint_url = http://profile.example/\n"
	    "[services local]\n"
	    "sts =\n  endpoint_url = http://services-sts.example/\n";
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL;

	files(config, NULL);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_STS], "http://services-sts.example/");
	T_STREQ(c.endpoint[AWS_IAM], "http://profile.example/");
	/* A custom endpoint signs with the configured region, IAM included. */
	T_STREQ(c.sign_region[AWS_IAM], "eu-west-1");
	T(c.endpoint_custom[AWS_IAM] && c.endpoint_custom[AWS_STS], "custom");
	aws_config_free(&c);

	setenv("AWS_ENDPOINT_URL", "http://all.example:4566", 1);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_STS], "http://all.example:4566");
	T_STREQ(c.endpoint[AWS_CLOUDTRAIL], "http://all.example:4566");
	aws_config_free(&c);

	setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", "https://ct.example/prefix/", 1);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_CLOUDTRAIL], "https://ct.example/prefix/");
	T_STREQ(c.endpoint[AWS_ORGANIZATIONS], "http://all.example:4566");
	T_STREQ(c.sign_region[AWS_ORGANIZATIONS], "eu-west-1");
	aws_config_free(&c);

	o.endpoint_url = "http://cli.example/";
	T(load(&o, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_CLOUDTRAIL], "http://cli.example/");
	T_STREQ(c.endpoint[AWS_IAM], "http://cli.example/");
	aws_config_free(&c);

	/* Ignoring configured endpoints ignores env and files, not the option. */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	T(load(&o, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_IAM], "http://cli.example/");
	aws_config_free(&c);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(c.endpoint[AWS_IAM], "https://iam.amazonaws.com/");
	T_STREQ(c.sign_region[AWS_IAM], "us-east-1");
	T_STREQ(c.endpoint[AWS_STS], "https://sts.eu-west-1.amazonaws.com/");
	T(!c.endpoint_custom[AWS_IAM], "custom");
	aws_config_free(&c);

	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	setenv("AWS_ENDPOINT_URL_IAM", "ftp://x/", 1);
	T(!load(NULL, &c, &err), "ftp accepted");
	T_STREQ(err, "AWS_ENDPOINT_URL_IAM: \"ftp://x/\" is not an http:// or https:// URL");
	aws_config_free(&c);
	free(err);
}

static void
t_endpoint_for_region(void)
{
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL, *url, *sign;

	files(NULL, NULL);
	T(load(NULL, &c, &err), "%s", err);
	url = aws_endpoint_for_region(&c, AWS_CLOUDTRAIL, "ap-northeast-1", &sign);
	T_STREQ(url, "https://cloudtrail.ap-northeast-1.amazonaws.com/");
	T_STREQ(sign, "ap-northeast-1");
	free(url);
	free(sign);
	url = aws_endpoint_for_region(&c, AWS_IAM, "eu-west-3", &sign);
	T_STREQ(url, "https://iam.amazonaws.com/");
	T_STREQ(sign, "us-east-1");
	free(url);
	free(sign);
	T(aws_endpoint_for_region(&c, AWS_CLOUDTRAIL, "EU WEST", &sign) == NULL && sign == NULL,
	    "bad region");
	aws_config_free(&c);

	o.endpoint_url = "http://127.0.0.1:5000";
	T(load(&o, &c, &err), "%s", err);
	url = aws_endpoint_for_region(&c, AWS_CLOUDTRAIL, "ap-northeast-1", &sign);
	T_STREQ(url, "http://127.0.0.1:5000");
	T_STREQ(sign, "ap-northeast-1");
	free(url);
	free(sign);
	aws_config_free(&c);
	free(err);
}

static void
t_settings(void)
{
	static const char config[] = "[default]\nmax_attempts = 5\nca_bundle = ~/ca.pem\n"
	    "region = eu-west-1\n";
	static const char creds[] = "[default]\nregion = eu-central-1\n";
	struct aws_opts o = { 0 };
	struct aws_config c;
	char *err = NULL, want[4300];

	files(config, creds);
	T(load(NULL, &c, &err), "%s", err);
	T(c.max_attempts == 5, "profile max_attempts %d", c.max_attempts);
	snprintf(want, sizeof(want), "%s/ca.pem", home);
	T_STREQ(c.ca_bundle, want);
	/* The credentials file's value wins for the same profile (§12.2). */
	T_STREQ(c.region, "eu-central-1");
	T(c.connect_timeout_ms == 5000 && c.timeout_ms == 60000 &&
	    c.body_max == 64u * 1024 * 1024, "defaults");
	aws_config_free(&c);
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	setenv("AWS_CA_BUNDLE", "/etc/ca.pem", 1);
	T(load(NULL, &c, &err) && c.max_attempts == 2, "env max_attempts %d", c.max_attempts);
	T_STREQ(c.ca_bundle, "/etc/ca.pem");
	aws_config_free(&c);
	o.max_attempts = 7;
	o.timeout_ms = 1234;
	o.body_max = 99;
	T(load(&o, &c, &err) && c.max_attempts == 7 && c.timeout_ms == 1234 && c.body_max == 99,
	    "options");
	aws_config_free(&c);
	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	T(!load(NULL, &c, &err), "0 attempts");
	T_STREQ(err, "AWS_MAX_ATTEMPTS: \"0\" is not a number from 1 to 100");
	aws_config_free(&c);
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("AWS_RETRY_MODE", "fancy", 1);
	T(!load(NULL, &c, &err), "retry mode");
	aws_config_free(&c);
	free(err);
}

static void
t_profile_lookup_and_copy(void)
{
	static const char config[] = "[default]\nregion = eu-west-1\n"
	    "[profile a]\naws_access_key_id = CONFIGKEY\nregion = eu-west-2\n";
	static const char creds[] = "[a]\naws_access_key_id = CREDSKEY\n[profile b]\nx = 1\n";
	struct aws_config c, d;
	char *err = NULL;

	files(config, creds);
	T(load(NULL, &c, &err), "%s", err);
	T_STREQ(aws_profile_get(&c, "a", "aws_access_key_id", AWS_FILE_BOTH), "CREDSKEY");
	T_STREQ(aws_profile_get(&c, "a", "aws_access_key_id", AWS_FILE_CONFIG), "CONFIGKEY");
	T_STREQ(aws_profile_get(&c, "a", "region", AWS_FILE_BOTH), "eu-west-2");
	T_STREQ(aws_profile_get(&c, "default", "region", AWS_FILE_BOTH), "eu-west-1");
	/* The credentials file has no "profile " prefix: [profile b] is a profile named so. */
	T(aws_profile_exists(&c, "profile b") && !aws_profile_exists(&c, "b"), "b");
	aws_config_copy(&d, &c);
	aws_config_free(&c);
	T_STREQ(aws_profile_get(&d, "a", "aws_access_key_id", AWS_FILE_BOTH), "CREDSKEY");
	T_STREQ(d.endpoint[AWS_STS], "https://sts.eu-west-1.amazonaws.com/");
	aws_config_free(&d);
	free(err);
}

int
main(void)
{
	if (mkdtemp(home) == NULL)
		return 2;
	RUN(t_ini_parse);
	RUN(t_ini_errors);
	RUN(t_malformed_file_names_file_and_line);
	RUN(t_missing_files_are_empty);
	RUN(t_profile_selection);
	RUN(t_region_precedence);
	RUN(t_default_endpoints);
	RUN(t_endpoint_precedence);
	RUN(t_endpoint_for_region);
	RUN(t_settings);
	RUN(t_profile_lookup_and_copy);
	srv_rmtree(home);
	return t_done();
}
