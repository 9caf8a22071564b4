/* The credential chain: env, profiles and role chains, credential_process, container, IMDS. */
#include <sys/stat.h>

#include <signal.h>
#include <time.h>

#include "collector/aws_int.h"
#include "tests/unit/t.h"
#include "tests/unit/aws_srv.h"

static struct srv srv;
static char home[] = "/tmp/iamgrade-creds-XXXXXX";
static char cfgpath[4200], credpath[4200];

static const char assume_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<Credentials><AccessKeyId>ASIAROLEKEY%d</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey>"
    "<SessionToken>role-token-%d</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";

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

static void
load(const char *profile, struct aws_config *c)
{
	struct aws_opts o = { 0 };
	char *err = NULL;

	o.profile = profile;
	if (!aws_config_load(&o, c, &err)) {
		printf("config: %s\n", err);
		exit(2);
	}
}

/* Resolve with profile (NULL: not explicit); returns 1/0 and fills *out / *err. */
static int
resolve(const char *profile, struct aws_creds *out, char **err)
{
	struct aws_config c;
	int rc;

	load(profile, &c);
	free(*err);
	*err = NULL;
	rc = aws_creds_resolve(&c, out, err);
	aws_config_free(&c);
	return rc;
}

/* The plan for a profile as text, or "error: ..." / "none". */
static char *
plan(const char *profile)
{
	struct aws_config c;
	struct creds_plan p;
	char *err = NULL, *s;
	int st;

	load(NULL, &c);
	st = creds_plan_profile(&c, profile, &p, &err);
	if (st > 0)
		s = creds_plan_describe(&p);
	else if (st == 0)
		s = xstrdup("none");
	else
		s = xasprintf("error: %s", err);
	free(err);
	aws_config_free(&c);
	return s;
}

#define T_PLAN(profile, want) do {					\
	char *t_p = plan(profile);					\
	T_STREQ(t_p, want);						\
	free(t_p);							\
} while (0)

#define T_PLAN_HAS(profile, part) do {					\
	char *t_p = plan(profile);					\
	T(strstr(t_p, part) != NULL, "plan %s: %s", profile, t_p);	\
	free(t_p);							\
} while (0)

static void
t_env(void)
{
	struct aws_creds cr;
	char *err = NULL;

	files("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", NULL);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SECURITY_TOKEN", "old-alias-token", 1);
	T(resolve(NULL, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIAENV");
	T_STREQ(cr.session_token, "old-alias-token");
	T_STREQ(cr.source, "environment variables");
	T(cr.renew == NULL, "env creds are not renewable");
	aws_creds_free(&cr);
	setenv("AWS_SESSION_TOKEN", "new-token", 1);
	T(resolve(NULL, &cr, &err) && strcmp(cr.session_token, "new-token") == 0, "token");
	aws_creds_free(&cr);
	/* --profile skips the environment (botocore). */
	T(resolve("default", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIAFILE");
	aws_creds_free(&cr);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	T(!resolve(NULL, &cr, &err), "partial env");
	T_STREQ(err, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	free(err);
}

static void
t_static_profiles(void)
{
	static const char config[] =
	    "[profile both]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = cs\n"
	    "[profile cfgonly]\naws_access_key_id = AKIACFGONLY\naws_secret_access_key = cs\n"
	    "aws_session_token = cfg-token\n"
	    "[profile half]\naws_access_key_id = AKIAHALF\n";
	static const char creds[] =
	    "[both]\naws_access_key_id = AKIACREDS\naws_secret_access_key = ks\n";
	struct aws_creds cr;
	char *err = NULL, want[4300];

	files(config, creds);
	T(resolve("both", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIACREDS");
	T_STREQ(cr.secret_access_key, "ks");
	snprintf(want, sizeof(want), "profile both (%s)", credpath);
	T_STREQ(cr.source, want);
	aws_creds_free(&cr);
	T(resolve("cfgonly", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIACFGONLY");
	T_STREQ(cr.session_token, "cfg-token");
	aws_creds_free(&cr);
	T(!resolve("half", &cr, &err), "half");
	snprintf(want, sizeof(want), "profile half in %s: aws_access_key_id without "
	    "aws_secret_access_key", cfgpath);
	T_STREQ(err, want);
	free(err);
}

static void
t_role_plans(void)
{
	static const char config[] =
	    "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	    "[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = c\n"
	    "[profile c]\naws_access_key_id = AKIAC\naws_secret_access_key = s\n"
	    "[profile self]\nrole_arn = arn:aws:iam::3:role/s\nsource_profile = self\n"
	    "aws_access_key_id = AKIASELF\naws_secret_access_key = s\n"
	    "[profile selfless]\nrole_arn = arn:aws:iam::3:role/s\nsource_profile = selfless\n"
	    "[profile loop1]\nrole_arn = arn:aws:iam::4:role/l\nsource_profile = loop2\n"
	    "[profile loop2]\nrole_arn = arn:aws:iam::4:role/l\nsource_profile = loop3\n"
	    "[profile loop3]\nrole_arn = arn:aws:iam::4:role/l\nsource_profile = loop1\n"
	    "[profile both]\nrole_arn = arn:aws:iam::5:role/x\nsource_profile = c\n"
	    "credential_source = Environment\n"
	    "[profile neither]\nrole_arn = arn:aws:iam::5:role/x\n"
	    "[profile mfa]\nrole_arn = arn:aws:iam::5:role/x\nsource_profile = c\n"
	    "mfa_serial = arn:aws:iam::5:mfa/me\n"
	    "[profile env]\nrole_arn = arn:aws:iam::6:role/e\ncredential_source = Environment\n"
	    "[profile ec2]\nrole_arn = arn:aws:iam::6:role/e\ncredential_source = Ec2InstanceMetadata\n"
	    "[profile ecs]\nrole_arn = arn:aws:iam::6:role/e\ncredential_source = EcsContainer\n"
	    "[profile odd]\nrole_arn = arn:aws:iam::6:role/e\ncredential_source = Laptop\n"
	    "[profile ghost]\nrole_arn = arn:aws:iam::6:role/e\nsource_profile = nowhere\n"
	    "[profile keyed]\nrole_arn = arn:aws:iam::7:role/k\nsource_profile = keyedsrc\n"
	    "[profile keyedsrc]\nrole_arn = arn:aws:iam::8:role/ignored\n"
	    "[profile proc]\nrole_arn = arn:aws:iam::9:role/p\nsource_profile = procsrc\n"
	    "[profile procsrc]\ncredential_process = /bin/true\n"
	    "[profile dur]\nrole_arn = arn:aws:iam::9:role/d\nsource_profile = c\n"
	    "duration_seconds = 60\n"
	    "[profile static]\naws_access_key_id = AKIA\naws_secret_access_key = s\n"
	    "role_arn = arn:aws:iam::9:role/r\nsource_profile = c\n"
	    "[profile empty]\nregion = eu-west-1\n"
	    "[profile sso]\nsso_session = corp\n"
	    "[profile ssook]\nsso_session = corp2\nsso_account_id = 111122223333\n"
	    "sso_role_name = Audit\n"
	    "[profile ssoclash]\nsso_session = corp2\nsso_account_id = 111122223333\n"
	    "sso_role_name = Audit\nsso_region = us-east-1\n"
	    "[profile ssolegacy]\nsso_start_url = https://x.awsapps.com/start\n"
	    "sso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n"
	    "[profile ssohalf]\nsso_start_url = https://x.awsapps.com/start\n"
	    "sso_account_id = 1\n"
	    "[profile ssorole]\nrole_arn = arn:aws:iam::9:role/s\nsource_profile = ssolegacy\n"
	    "[sso-session corp2]\nsso_start_url = https://corp.awsapps.com/start\n"
	    "sso_region = eu-west-1\n";
	static const char creds[] = "[keyedsrc]\naws_access_key_id = AKIAK\naws_secret_access_key = s\n";

	files(config, creds);
	T_PLAN("a", "static(c:config) > role(b) > role(a)");
	T_PLAN("self", "static(self:config) > role(self)");
	T_PLAN("selfless", "error: profile selfless is its own source_profile but has no "
	    "aws_access_key_id");
	T_PLAN("loop1", "error: source_profile loop: loop1 -> loop2 -> loop3 -> loop1");
	T_PLAN("both", "error: profile both: both source_profile and credential_source are "
	    "set; choose one");
	T_PLAN("neither", "error: profile neither: role_arn needs source_profile or "
	    "credential_source");
	T_PLAN("mfa", "static(c:config) > role(mfa, mfa)");
	T_PLAN("env", "env(env) > role(env)");
	T_PLAN("ec2", "imds(ec2) > role(ec2)");
	T_PLAN("ecs", "container(ecs) > role(ecs)");
	T_PLAN("odd", "error: profile odd: credential_source \"Laptop\" is not Environment, "
	    "Ec2InstanceMetadata or EcsContainer");
	T_PLAN_HAS("ghost", "error: profile ghost: source_profile nowhere not found in");
	/* A source profile with static keys is used as is, even with a role_arn. */
	T_PLAN("keyed", "static(keyedsrc:credentials) > role(keyed)");
	T_PLAN("proc", "process(procsrc) > role(proc)");
	T_PLAN("dur", "error: profile dur: duration_seconds \"60\" is not a number of seconds "
	    "from 900 to 43200");
	/* In the selected profile role_arn wins over static keys (§12.3). */
	T_PLAN("static", "static(c:config) > role(static)");
	T_PLAN("empty", "none");
	T_PLAN_HAS("sso", "error: profile sso: sso_session corp, but ");
	T_PLAN_HAS("sso", " has no [sso-session corp] section");
	T_PLAN("ssook", "sso(ssook)");
	T_PLAN("ssoclash", "error: profile ssoclash: its sso_region differs from the one in "
	    "[sso-session corp2]");
	T_PLAN("ssolegacy", "sso(ssolegacy)");
	T_PLAN("ssohalf", "error: profile ssohalf: IAM Identity Center profile without "
	    "sso_region, sso_role_name");
	/* botocore takes an SSO profile as a role's source too. */
	T_PLAN("ssorole", "sso(ssolegacy) > role(ssorole)");
}

/* The whole chain up to STS, against the canned server. */
static void
t_role_chain_calls_sts(void)
{
	char config[1024], body[1024], h[1024];
	struct aws_creds cr;
	char *err = NULL;

	snprintf(config, sizeof(config),
	    "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/Top\nsource_profile = b\n"
	    "external_id = ext-a\nrole_session_name = audit-run\nduration_seconds = 1800\n"
	    "region = eu-west-1\n"
	    "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/Mid\nsource_profile = c\n"
	    "[profile c]\naws_access_key_id = AKIABASEKEY1\naws_secret_access_key = base-secret\n"
	    "[profile envrole]\nrole_arn = arn:aws:iam::333333333333:role/E\n"
	    "credential_source = Environment\n"
	    "[profile ec2role]\nrole_arn = arn:aws:iam::333333333333:role/I\n"
	    "credential_source = Ec2InstanceMetadata\n");
	files(config, NULL);
	setenv("AWS_ENDPOINT_URL_STS", srv.url, 1);
	srv_reset(&srv);
	snprintf(body, sizeof(body), assume_ok, 1, 1);
	srv_add(&srv, 200, NULL, body);
	snprintf(body, sizeof(body), assume_ok, 2, 2);
	srv_add(&srv, 200, NULL, body);
	T(resolve("a", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIAROLEKEY2");
	T_STREQ(cr.session_token, "role-token-2");
	T_STREQ(cr.source, "role arn:aws:iam::111111111111:role/Top (profile a)");
	T(cr.renew != NULL && cr.expiration == 4070908800, "renewable %d exp %lld", cr.renew != NULL,
	    (long long)cr.expiration);
	aws_creds_free(&cr);
	T(srv_nreqs(&srv) == 2, "STS calls %d", srv_nreqs(&srv));
	/* First the middle role with the base keys, ... */
	T(strstr(srv_header(srv_req(&srv, 0), "Authorization", h, sizeof(h)),
	    "Credential=AKIABASEKEY1/") != NULL && strstr(h, "/eu-west-1/sts/") != NULL, "%s", h);
	T(strstr(srv_body(srv_req(&srv, 0)), "RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole"
	    "%2FMid&RoleSessionName=iamgrade-") != NULL, "%s", srv_body(srv_req(&srv, 0)));
	/* ... then the top role with the middle role's session. */
	T(strstr(srv_header(srv_req(&srv, 1), "Authorization", h, sizeof(h)),
	    "Credential=ASIAROLEKEY1/") != NULL, "%s", h);
	T_STREQ(srv_header(srv_req(&srv, 1), "x-amz-security-token", h, sizeof(h)),
	    "role-token-1");
	T(strstr(srv_body(srv_req(&srv, 1)), "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole"
	    "%2FTop&RoleSessionName=audit-run&ExternalId=ext-a&DurationSeconds=1800") != NULL,
	    "%s", srv_body(srv_req(&srv, 1)));

	/* A refusal names the profile, the role, the code and the message. */
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>"
	    "not trusted</Message></Error></ErrorResponse>");
	T(!resolve("a", &cr, &err), "refused");
	T_STREQ(err, "profile b: assume role arn:aws:iam::222222222222:role/Mid: AccessDenied: "
	    "not trusted");

	/* credential_source: the environment's keys sign the AssumeRole. */
	srv_reset(&srv);
	snprintf(body, sizeof(body), assume_ok, 3, 3);
	srv_add(&srv, 200, NULL, body);
	T(!resolve("envrole", &cr, &err), "no env keys");
	T_STREQ(err, "profile envrole: credential_source Environment, but AWS_ACCESS_KEY_ID and "
	    "AWS_SECRET_ACCESS_KEY are not set");
	setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV1", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	T(resolve("envrole", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIAROLEKEY3");
	aws_creds_free(&cr);
	T(strstr(srv_header(srv_req(&srv, 0), "Authorization", h, sizeof(h)),
	    "Credential=AKIAFROMENV1/") != NULL, "%s", h);
	T(!resolve("ec2role", &cr, &err), "IMDS is disabled");
	T_STREQ(err, "profile ec2role: credential_source Ec2InstanceMetadata: disabled by "
	    "AWS_EC2_METADATA_DISABLED");
	free(err);
}

static const char *
script(const char *name, const char *text)
{
	return srv_write(home, name, text, 0755);
}

static void
t_credential_process(void)
{
	char config[8192], spaced[4300];
	struct aws_creds cr;
	char *err = NULL;

	script("good.sh", "#!/bin/sh\n"
	    "printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": "
	    "\"%s\", \"SessionToken\": \"tok\", \"Expiration\": \"2099-01-01T00:00:00Z\"}' \"$1\"\n");
	script("longterm.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIALT\", "
	    "\"SecretAccessKey\": \"s\"}'\n");
	script("badjson.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIA-LEAK\"'\n");
	script("v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", "
	    "\"SecretAccessKey\": \"TOPSECRET\"}'\n");
	script("fail.sh", "#!/bin/sh\necho 'token expired: run login' >&2\nexit 3\n");
	script("expired.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", "
	    "\"SecretAccessKey\": \"s\", \"Expiration\": \"2001-01-01T00:00:00Z\"}'\n");
	/* Waits on a person forever, with a child that would outlive it. */
	script("hang.sh", "#!/bin/sh\nsleep 60 &\necho $! > \"$(dirname \"$0\")/hang.child\"\nsleep 60\n");
	snprintf(spaced, sizeof(spaced), "%s/dir with space", home);
	mkdir(spaced, 0700);
	script("dir with space/q.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": "
	    "\"AKIAQUOTED\", \"SecretAccessKey\": \"s\"}'\n");
	snprintf(config, sizeof(config),
	    "[profile good]\ncredential_process = %s/good.sh \"sec ret\"\n"
	    "[profile longterm]\ncredential_process = %s/longterm.sh\n"
	    "[profile badjson]\ncredential_process = %s/badjson.sh\n"
	    "[profile v2]\ncredential_process = %s/v2.sh\n"
	    "[profile fail]\ncredential_process = %s/fail.sh\n"
	    "[profile expired]\ncredential_process = %s/expired.sh\n"
	    "[profile quoted]\ncredential_process = '%s/dir with space/q.sh'\n"
	    "[profile missing]\ncredential_process = %s/no-such-program\n"
	    "[profile hang]\ncredential_process = %s/hang.sh\n"
	    "[profile unterminated]\ncredential_process = \"%s/good.sh\n",
	    home, home, home, home, home, home, home, home, home, home);
	files(config, NULL);
	T(resolve("good", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIAPROC");
	T_STREQ(cr.secret_access_key, "sec ret");
	T_STREQ(cr.session_token, "tok");
	T(cr.expiration == 4070908800 && cr.renew != NULL, "expiration %lld",
	    (long long)cr.expiration);
	T_STREQ(cr.source, "credential_process of profile good");
	aws_creds_free(&cr);
	T(resolve("longterm", &cr, &err) && cr.expiration == 0 && cr.session_token == NULL,
	    "long-term: %s", err);
	aws_creds_free(&cr);
	T(resolve("quoted", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIAQUOTED");
	aws_creds_free(&cr);
	T(!resolve("badjson", &cr, &err), "bad json");
	T_STREQ(err, "credential_process of profile badjson: the answer is not a JSON object");
	T(!resolve("v2", &cr, &err), "v2");
	T_STREQ(err, "credential_process of profile v2: Version is not 1, want 1");
	T(!resolve("fail", &cr, &err), "fail");
	T_STREQ(err, "credential_process of profile fail exited with status 3: "
	    "token expired: run login");
	T(!resolve("expired", &cr, &err), "expired");
	T_STREQ(err, "credential_process of profile expired: the credentials expired at "
	    "2001-01-01T00:00:00Z");
	T(!resolve("missing", &cr, &err), "missing");
	T(err != NULL && strstr(err, "cannot run") != NULL && strstr(err, "No such file") != NULL,
	    "err %s", err);
	T(!resolve("unterminated", &cr, &err), "unterminated");
	T(err != NULL && strstr(err, "unterminated \" quote") != NULL, "err %s", err);
	{
		char path[4200], *text = NULL, *e2 = NULL;
		struct timespec t0, t1;
		long ms, child = 0;

		setenv("IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT", "1", 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		T(!resolve("hang", &cr, &err), "a hanging process");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		T(err != NULL && strstr(err, "credential_process of profile hang (") != NULL &&
		    strstr(err, "/hang.sh) did not finish within 1 s") != NULL, "err %s", err);
		T(ms >= 1000 && ms < 3000, "stopped after %ld ms", ms);
		/* The whole group went: the child it started too. */
		snprintf(path, sizeof(path), "%s/hang.child", home);
		if (file_read(path, 0, &text, NULL, &e2))
			child = strtol(text, NULL, 10);
		free(text);
		text = NULL;
		/*
		 * Gone, or a zombie waiting for whoever reaps orphans.  The signal
		 * is sent by then, but a loaded machine may take a while to run the
		 * child to its end: it has 5 s to get there.
		 */
		snprintf(path, sizeof(path), "/proc/%ld/stat", child);
		for (ms = 0; child > 0 && ms < 5000; ms += 50) {
			free(text);
			text = NULL;
			if (kill((pid_t)child, 0) < 0 || (file_read(path, 0, &text, NULL, &e2) &&
			    strstr(text, ") Z ") != NULL))
				break;
			usleep(50 * 1000);
		}
		T(child > 0 && ms < 5000, "the child %ld outlived the deadline", child);
		setenv("IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT", "never", 1);
		T(!resolve("good", &cr, &err) && err != NULL &&
		    strstr(err, "IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT takes a number of seconds") != NULL,
		    "a bad setting is an error: %s", err);
		unsetenv("IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT");
		free(text);
		free(e2);
	}
	free(err);
}

static void
t_split_command(void)
{
	static const struct {
		const char *in, *out;	/* words joined with | */
	} cases[] = {
		{ "a b  c", "a|b|c" },
		{ "  'x y' \"p q\"  ", "x y|p q" },
		{ "say\\ hi \"a\\\"b\" 'c\\d'", "say hi|a\"b|c\\d" },
		{ "'' x", "|x" },
		{ "aws configure export-credentials --profile p --format process",
		    "aws|configure|export-credentials|--profile|p|--format|process" },
		{ "", "" },
	};
	struct buf b = { 0 };
	char **argv, *err = NULL;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T(creds_split_command(cases[i].in, &argv, &err), "%s", err);
		buf_reset(&b);
		buf_adds(&b, "");
		for (j = 0; argv[j] != NULL; j++)
			buf_printf(&b, "%s%s", j ? "|" : "", argv[j]);
		T_STREQ(b.p, cases[i].out);
		creds_argv_free(argv);
	}
	T(!creds_split_command("a 'b", &argv, &err), "unterminated '");
	T(!creds_split_command("a \\", &argv, &err), "trailing backslash");
	buf_free(&b);
	free(err);
}

static const char container_ok[] = "{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":"
    "\"cs\",\"Token\":\"ctok\",\"Expiration\":\"2099-01-01T00:00:00Z\",\"RoleArn\":\"arn\"}";

static void
t_container(void)
{
	struct aws_creds cr;
	char url[128], h[256], *err = NULL;

	files(NULL, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v2/credentials/abc", srv.port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token", 1);
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, container_ok);
	T(resolve(NULL, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIACONTAINER");
	T_STREQ(cr.session_token, "ctok");
	T(cr.renew != NULL, "renewable");
	aws_creds_free(&cr);
	T(strncmp(srv_req(&srv, 0), "GET /v2/credentials/abc HTTP/1.1", 32) == 0, "request %s",
	    srv_req(&srv, 0));
	T_STREQ(srv_header(srv_req(&srv, 0), "Authorization", h, sizeof(h)), "env-token");

	/* The token file wins over the variable. */
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", srv_write(home, "tok", "file-token\n",
	    0600), 1);
	T(resolve(NULL, &cr, &err), "%s", err);
	aws_creds_free(&cr);
	T_STREQ(srv_header(srv_req(&srv, 1), "Authorization", h, sizeof(h)), "file-token");
	srv_write(home, "tok", "a\r\nX-Injected: 1", 0600);
	T(!resolve(NULL, &cr, &err), "CR/LF accepted");
	T_STREQ(err, "the container authorization token contains a line break");
	T(srv_nreqs(&srv) == 2, "request sent with a bad token");
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");

	/* Failures are errors, not the next provider. */
	srv_reset(&srv);
	srv_add(&srv, 500, NULL, "oops");
	T(!resolve(NULL, &cr, &err), "500");
	T(err != NULL && strstr(err, "HTTP 500") != NULL, "err %s", err);
	T(srv_nreqs(&srv) == 3, "tries %d", srv_nreqs(&srv));

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.1/creds", 1);
	T(!resolve(NULL, &cr, &err), "non-loopback http");
	T(err != NULL && strstr(err, "only https") != NULL, "err %s", err);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1@evil.example/", 1);
	T(!resolve(NULL, &cr, &err), "userinfo trick");
	free(err);
}

static const char imds_creds[] = "{\"Code\":\"Success\",\"LastUpdated\":\"2024-01-01T00:00:00Z\","
    "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"is\","
    "\"Token\":\"itok\",\"Expiration\":\"2099-01-01T06:00:00Z\"}";

static void
t_imds_v2(void)
{
	struct aws_creds cr;
	char h[256], *err = NULL;

	files(NULL, NULL);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.url, 1);
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "TOKEN-123");
	srv_add(&srv, 200, NULL, "audit-role\n");
	srv_add(&srv, 200, NULL, imds_creds);
	T(resolve(NULL, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIAIMDS");
	T_STREQ(cr.session_token, "itok");
	T_STREQ(cr.source, "EC2 instance metadata (role audit-role)");
	T(cr.renew != NULL, "renewable");
	aws_creds_free(&cr);
	T(strncmp(srv_req(&srv, 0), "PUT /latest/api/token ", 22) == 0, "%s", srv_req(&srv, 0));
	T_STREQ(srv_header(srv_req(&srv, 0), "X-aws-ec2-metadata-token-ttl-seconds", h, sizeof(h)),
	    "21600");
	T(strncmp(srv_req(&srv, 1), "GET /latest/meta-data/iam/security-credentials/ ", 48) == 0,
	    "%s", srv_req(&srv, 1));
	T_STREQ(srv_header(srv_req(&srv, 1), "X-aws-ec2-metadata-token", h, sizeof(h)), "TOKEN-123");
	T(strncmp(srv_req(&srv, 2), "GET /latest/meta-data/iam/security-credentials/audit-role ",
	    58) == 0, "%s", srv_req(&srv, 2));
	T_STREQ(srv_header(srv_req(&srv, 2), "X-aws-ec2-metadata-token", h, sizeof(h)), "TOKEN-123");
	free(err);
}

static void
t_imds_v1_fallback(void)
{
	struct aws_creds cr;
	char h[256], *err = NULL, want[512];

	files(NULL, NULL);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.url, 1);
	srv_reset(&srv);
	srv_add(&srv, 405, NULL, "");
	srv_add(&srv, 200, NULL, "r1");
	srv_add(&srv, 200, NULL, imds_creds);
	T(resolve(NULL, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIAIMDS");
	aws_creds_free(&cr);
	T(srv_nreqs(&srv) == 3, "requests %d", srv_nreqs(&srv));
	T(*srv_header(srv_req(&srv, 1), "X-aws-ec2-metadata-token", h, sizeof(h)) == '\0',
	    "v1 sent a token");

	setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "");
	T(!resolve(NULL, &cr, &err), "v1 disabled");
	snprintf(want, sizeof(want), "EC2 instance metadata (%.*s: no IMDSv2 token and IMDSv1 is "
	    "disabled)", (int)strlen(srv.url) - 1, srv.url);
	T(err != NULL && strstr(err, want) != NULL, "err %s", err);
	unsetenv("AWS_EC2_METADATA_V1_DISABLED");

	/* 400 is a hard stop; 404 on the role list means no instance profile. */
	srv_reset(&srv);
	srv_add(&srv, 400, NULL, "");
	T(!resolve(NULL, &cr, &err) && strstr(err, "token request refused with HTTP 400"),
	    "err %s", err);
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, "T");
	srv_add(&srv, 404, NULL, "");
	T(!resolve(NULL, &cr, &err) && strstr(err, "no instance profile attached"), "err %s", err);
	free(err);
}

/* Nothing anywhere: the error lists everything tried, and it comes fast. */
static void
t_nothing_found(void)
{
	struct aws_creds cr;
	char url[64], want[16384], *err = NULL;
	struct timespec t0, t1;

	files(NULL, NULL);
	T(!resolve(NULL, &cr, &err), "found something");
	snprintf(want, sizeof(want), "no credentials found: tried environment variables, profile "
	    "default in %s and %s, container credentials (not configured), EC2 instance metadata "
	    "(disabled by AWS_EC2_METADATA_DISABLED)", credpath, cfgpath);
	T_STREQ(err, want);

	unsetenv("AWS_EC2_METADATA_DISABLED");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv_dead_port());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(!resolve("default", &cr, &err), "found something");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(want, sizeof(want), "no credentials found: tried environment variables "
	    "(skipped: --profile given), profile default in %s and %s, container credentials "
	    "(not configured), EC2 instance metadata (%s: no answer)", credpath, cfgpath, url);
	T_STREQ(err, want);
	T(t1.tv_sec - t0.tv_sec < 2, "took %lds", (long)(t1.tv_sec - t0.tv_sec));

	/* An IMDS that accepts but never answers: the token PUT times out, v1 is tried. */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.url, 1);
	setenv("AWS_METADATA_SERVICE_TIMEOUT", "0.3", 1);
	srv_reset(&srv);
	srv_add(&srv, 0, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(!resolve(NULL, &cr, &err), "found something");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T(t1.tv_sec - t0.tv_sec < 2, "took %lds", (long)(t1.tv_sec - t0.tv_sec));
	T(srv_nreqs(&srv) == 2, "requests %d (PUT, then the v1 GET)", srv_nreqs(&srv));
	T(err != NULL && strstr(err, "EC2 instance metadata (") != NULL &&
	    strstr(err, "timed out") != NULL, "err %s", err);
	free(err);
}

/* Renewal: a client whose chain creds expire re-runs the chain. */
static void
t_client_renews_from_chain(void)
{
	char config[1024];
	struct aws_config c;
	struct aws_creds cr;
	struct aws_client *cl;
	struct aws_resp r;
	char h[1024], *err = NULL;

	script("count.sh", "#!/bin/sh\nn=$(cat \"$0.n\" 2>/dev/null || echo 0); n=$((n+1)); "
	    "echo $n > \"$0.n\"\necho \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIARUN$n\\\", "
	    "\\\"SecretAccessKey\\\": \\\"s\\\", \\\"SessionToken\\\": \\\"t$n\\\", "
	    "\\\"Expiration\\\": \\\"2099-01-01T00:00:00Z\\\"}\"\n");
	snprintf(config, sizeof(config), "[default]\ncredential_process = %s/count.sh\n", home);
	files(config, NULL);
	setenv("AWS_ENDPOINT_URL", srv.url, 1);
	load(NULL, &c);
	T(aws_creds_resolve(&c, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "AKIARUN1");
	cl = aws_client_new(&c, &cr);
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "<ErrorResponse><Error><Code>ExpiredToken</Code></Error>"
	    "</ErrorResponse>");
	srv_add(&srv, 200, NULL, "<GetCallerIdentityResponse/>");
	T(aws_query(cl, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_OK, "%s", r.code);
	T(strstr(srv_header(srv_req(&srv, 1), "Authorization", h, sizeof(h)),
	    "Credential=AKIARUN2/") != NULL, "renewed: %s", h);
	T(aws_client_calls(cl) == 2, "calls %u", aws_client_calls(cl));
	aws_resp_free(&r);
	aws_client_free(cl);
	aws_creds_free(&cr);
	aws_config_free(&c);
	free(err);
}

static void
t_web_identity(void)
{
	static const char ok[] = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
	    "<Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>ws</SecretAccessKey>"
	    "<SessionToken>wtok</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
	    "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
	struct aws_creds cr;
	char h[256], *err = NULL;
	const char *body;

	files(NULL, NULL);
	setenv("AWS_ENDPOINT_URL_STS", srv.url, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/pod", 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", srv_write(home, "jwt", "eyJ.jwt.sig\n", 0600), 1);
	setenv("AWS_ROLE_SESSION_NAME", "pod-session", 1);
	srv_reset(&srv);
	srv_add(&srv, 200, NULL, ok);
	T(resolve(NULL, &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIAWEB");
	T_STREQ(cr.source, "web identity role arn:aws:iam::1:role/pod");
	aws_creds_free(&cr);
	body = srv_body(srv_req(&srv, 0));
	T_STREQ(body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3A"
	    "iam%3A%3A1%3Arole%2Fpod&RoleSessionName=pod-session&WebIdentityToken=eyJ.jwt.sig");
	T(*srv_header(srv_req(&srv, 0), "Authorization", h, sizeof(h)) == '\0',
	    "signed: %s", h);
	free(err);
}


/* IAM Identity Center: the CLI's token cache, OIDC refresh, GetRoleCredentials. */
static const char sso_config[] =
    "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\n"
    "sso_role_name = Audit\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
    "[profile old]\nsso_start_url = https://legacy.awsapps.com/start\n"
    "sso_region = us-east-1\nsso_account_id = 444455556666\nsso_role_name = Old Role\n";
static const char role_creds[] = "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO%d\","
    "\"secretAccessKey\":\"sso-secret\",\"sessionToken\":\"sso-token\","
    "\"expiration\":4070908800000}}";

/* Write the cache file `aws sso login` would have written, expiring in secs. */
static void
sso_cache(const char *sha1, const char *access, long secs, int with_refresh)
{
	char dir[4300], name[128], text[1024], t[21], r[21];

	snprintf(dir, sizeof(dir), "%s/.aws/sso/cache", home);
	T(dir_make(dir, 0700, NULL), "mkdir %s", dir);
	snprintf(name, sizeof(name), ".aws/sso/cache/%s.json", sha1);
	time_fmt(time(NULL) + secs, t);
	time_fmt(time(NULL) + 86400, r);
	if (with_refresh)
		snprintf(text, sizeof(text), "{\"startUrl\":\"https://corp.awsapps.com/start\","
		    "\"region\":\"eu-west-1\",\"accessToken\":\"%s\",\"expiresAt\":\"%s\","
		    "\"clientId\":\"cid\",\"clientSecret\":\"csecret\",\"registrationExpiresAt\":"
		    "\"%s\",\"refreshToken\":\"refresh-1\"}", access, t, r);
	else
		snprintf(text, sizeof(text), "{\"startUrl\":\"https://legacy.awsapps.com/start\","
		    "\"region\":\"us-east-1\",\"accessToken\":\"%s\",\"expiresAt\":\"%s\"}",
		    access, t);
	srv_write(home, name, text, 0600);
}

static void
t_sso(void)
{
	static const char corp_sha1[] = "ee0bfd2552fbd840c02cc48b6e823320543c450f";
	static const char old_sha1[] = "79e435d7a515078e81c9dffc35f38d5687ebd3a7";
	struct aws_creds cr;
	struct stat st;
	char body[1024], h[1024], path[4300], *err = NULL, *text = NULL;
	json_t *j;

	files(sso_config, NULL);
	setenv("AWS_ENDPOINT_URL_SSO", srv.url, 1);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", srv.url, 1);
	srv_reset(&srv);
	/* No token cached: the login to run, and nothing sent. */
	T(!resolve("corp", &cr, &err), "no cache");
	T(strstr(err, "profile corp: no IAM Identity Center token is cached for sso-session "
	    "corp (") != NULL && strstr(err, "; run: aws sso login --profile corp") != NULL,
	    "%s", err);
	T(srv_nreqs(&srv) == 0, "sent %d", srv_nreqs(&srv));

	/* A valid token: GetRoleCredentials with it as the bearer token. */
	sso_cache(corp_sha1, "access-1", 3600, 1);
	snprintf(body, sizeof(body), role_creds, 1);
	srv_add(&srv, 200, NULL, body);
	T(resolve("corp", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIASSO1");
	T_STREQ(cr.session_token, "sso-token");
	T(cr.expiration == 4070908800 && cr.renew != NULL, "exp %lld", (long long)cr.expiration);
	T_STREQ(cr.source, "IAM Identity Center role Audit in account 111122223333 (profile corp)");
	aws_creds_free(&cr);
	T(srv_nreqs(&srv) == 1 && strncmp(srv_req(&srv, 0), "GET /federation/credentials?"
	    "account_id=111122223333&role_name=Audit HTTP/1.1", 71) == 0, "%s", srv_req(&srv, 0));
	T_STREQ(srv_header(srv_req(&srv, 0), "x-amz-sso_bearer_token", h, sizeof(h)), "access-1");
	T(*srv_header(srv_req(&srv, 0), "Authorization", h, sizeof(h)) == '\0', "signed: %s", h);

	/* Ten minutes left: refreshed first (OIDC CreateToken), the cache written back. */
	srv_reset(&srv);
	sso_cache(corp_sha1, "access-1", 600, 1);
	srv_add(&srv, 200, NULL, "{\"accessToken\":\"access-2\",\"expiresIn\":28800,"
	    "\"refreshToken\":\"refresh-2\",\"tokenType\":\"Bearer\"}");
	snprintf(body, sizeof(body), role_creds, 2);
	srv_add(&srv, 200, NULL, body);
	T(resolve("corp", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIASSO2");
	aws_creds_free(&cr);
	T(strncmp(srv_req(&srv, 0), "POST /token HTTP/1.1", 20) == 0, "%s", srv_req(&srv, 0));
	j = json_loads(srv_body(srv_req(&srv, 0)), 0, NULL);
	T(j != NULL && strcmp(jstr(j, "grantType"), "refresh_token") == 0 &&
	    strcmp(jstr(j, "refreshToken"), "refresh-1") == 0 &&
	    strcmp(jstr(j, "clientId"), "cid") == 0 &&
	    strcmp(jstr(j, "clientSecret"), "csecret") == 0, "%s", srv_body(srv_req(&srv, 0)));
	json_decref(j);
	T_STREQ(srv_header(srv_req(&srv, 1), "x-amz-sso_bearer_token", h, sizeof(h)), "access-2");
	snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s.json", home, corp_sha1);
	T(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
	T(file_read(path, 0, &text, NULL, NULL), "read %s", path);
	j = json_loads(text, 0, NULL);
	T(j != NULL && strcmp(jstr(j, "accessToken"), "access-2") == 0 &&
	    strcmp(jstr(j, "refreshToken"), "refresh-2") == 0 &&
	    strcmp(jstr(j, "startUrl"), "https://corp.awsapps.com/start") == 0 &&
	    strcmp(jstr(j, "region"), "eu-west-1") == 0 &&
	    strcmp(jstr(j, "clientId"), "cid") == 0, "%s", text);
	json_decref(j);
	free(text);

	/* Expired, and the refresh refused: the login to run. */
	srv_reset(&srv);
	sso_cache(corp_sha1, "access-1", -60, 1);
	srv_add(&srv, 400, NULL, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Invalid refresh token provided\"}");
	T(!resolve("corp", &cr, &err), "expired");
	T(strstr(err, "profile corp: the IAM Identity Center token expired at ") != NULL &&
	    strstr(err, "and could not be refreshed: sso-oidc:CreateToken (") != NULL &&
	    strstr(err, "HTTP 400: invalid_grant: Invalid refresh token provided; run: aws sso "
	    "login --profile corp") != NULL, "%s", err);
	T(srv_nreqs(&srv) == 1, "sent %d", srv_nreqs(&srv));

	/* The portal no longer takes the token. */
	srv_reset(&srv);
	sso_cache(corp_sha1, "access-1", 3600, 1);
	srv_add(&srv, 401, NULL, "{\"message\":\"Session token not found or invalid\"}");
	T(!resolve("corp", &cr, &err), "401");
	T(strstr(err, "the IAM Identity Center session is no longer valid; run: aws sso login "
	    "--profile corp") != NULL, "%s", err);
	srv_reset(&srv);
	srv_add(&srv, 403, NULL, "{\"message\":\"No access\"}");
	T(!resolve("corp", &cr, &err), "403");
	T(strstr(err, "sso:GetRoleCredentials for role Audit in account 111122223333 (") != NULL &&
	    strstr(err, "): HTTP 403: No access") != NULL, "%s", err);

	/* Legacy form: keyed by the start URL, never refreshed; an expired token is a login. */
	srv_reset(&srv);
	sso_cache(old_sha1, "legacy-access", 600, 0);
	snprintf(body, sizeof(body), role_creds, 3);
	srv_add(&srv, 200, NULL, body);
	T(resolve("old", &cr, &err), "%s", err);
	T_STREQ(cr.access_key_id, "ASIASSO3");
	aws_creds_free(&cr);
	T(srv_nreqs(&srv) == 1 && strstr(srv_req(&srv, 0), "role_name=Old%20Role ") != NULL,
	    "%s", srv_req(&srv, 0));
	sso_cache(old_sha1, "legacy-access", -1, 0);
	T(!resolve("old", &cr, &err), "expired legacy");
	T(strstr(err, "the IAM Identity Center token expired at ") != NULL &&
	    strstr(err, "; run: aws sso login --profile old") != NULL &&
	    strstr(err, "refreshed") == NULL, "%s", err);
	T(srv_nreqs(&srv) == 1, "sent %d", srv_nreqs(&srv));
	free(err);
}

/* mfa_serial: the code from the environment or a prompt, once; the session reused. */
static int prompts;
static const char *prompt_answer;

static int
fake_prompt(const char *profile, const char *serial, char *buf, size_t n)
{
	(void)profile, (void)serial;
	prompts++;
	if (prompt_answer == NULL)
		return 0;
	snprintf(buf, n, "%s", prompt_answer);
	return 1;
}

static void
t_mfa(void)
{
	static const char config[] =
	    "[profile m1]\nrole_arn = arn:aws:iam::111111111111:role/M\nsource_profile = base\n"
	    "mfa_serial = arn:aws:iam::999999999999:mfa/me\nduration_seconds = 3600\n"
	    "[profile m2]\nrole_arn = arn:aws:iam::222222222222:role/M\nsource_profile = base\n"
	    "mfa_serial = arn:aws:iam::999999999999:mfa/me\n"
	    "[profile m3]\nrole_arn = arn:aws:iam::333333333333:role/M\nsource_profile = base\n"
	    "mfa_serial = arn:aws:iam::999999999999:mfa/me\n"
	    "[profile base]\naws_access_key_id = AKIAMFABASE1\naws_secret_access_key = s\n";
	struct aws_creds cr;
	char body[1024], *err = NULL;
	int i;

	files(config, NULL);
	setenv("AWS_ENDPOINT_URL_STS", srv.url, 1);
	srv_reset(&srv);
	aws_mfa_set_prompt(fake_prompt);
	prompt_answer = NULL;
	T(!resolve("m1", &cr, &err), "no code");
	T_STREQ(err, "profile m1: role_arn with mfa_serial arn:aws:iam::999999999999:mfa/me "
	    "needs an MFA code: give --mfa-code CODE or IAMGRADE_MFA_CODE, or run on a "
	    "terminal to be asked");
	T(prompts == 1 && srv_nreqs(&srv) == 0, "prompts %d sent %d", prompts, srv_nreqs(&srv));
	setenv("IAMGRADE_MFA_CODE", "12ab56", 1);
	T(!resolve("m1", &cr, &err), "bad code");
	T_STREQ(err, "profile m1: the MFA code for arn:aws:iam::999999999999:mfa/me is not six "
	    "digits");
	T(srv_nreqs(&srv) == 0, "sent %d", srv_nreqs(&srv));

	/* The environment's code: sent with the serial; the session then reused. */
	setenv("IAMGRADE_MFA_CODE", "123456", 1);
	snprintf(body, sizeof(body), assume_ok, 7, 7);
	srv_add(&srv, 200, NULL, body);
	for (i = 0; i < 3; i++) {
		T(resolve("m1", &cr, &err), "%s", err);
		T_STREQ(cr.access_key_id, "ASIAROLEKEY7");
		aws_creds_free(&cr);
	}
	T(srv_nreqs(&srv) == 1, "AssumeRole calls %d", srv_nreqs(&srv));
	T(strstr(srv_body(srv_req(&srv, 0)), "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole"
	    "%2FM&RoleSessionName=iamgrade-") != NULL && strstr(srv_body(srv_req(&srv, 0)),
	    "&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A999999999999%3Amfa%2Fme"
	    "&TokenCode=123456") != NULL, "%s", srv_body(srv_req(&srv, 0)));

	/* --mfa-code wins over the environment; a prompt is asked only without both. */
	aws_mfa_set_code("654321");
	srv_reset(&srv);
	snprintf(body, sizeof(body), assume_ok, 8, 8);
	srv_add(&srv, 200, NULL, body);
	T(resolve("m2", &cr, &err), "%s", err);
	aws_creds_free(&cr);
	T(strstr(srv_body(srv_req(&srv, 0)), "&TokenCode=654321") != NULL, "%s",
	    srv_body(srv_req(&srv, 0)));
	aws_mfa_set_code(NULL);
	unsetenv("IAMGRADE_MFA_CODE");
	prompts = 0;
	prompt_answer = "000111";
	srv_reset(&srv);
	snprintf(body, sizeof(body), assume_ok, 9, 9);
	srv_add(&srv, 200, NULL, body);
	for (i = 0; i < 2; i++) {
		T(resolve("m3", &cr, &err), "%s", err);
		T_STREQ(cr.access_key_id, "ASIAROLEKEY9");
		aws_creds_free(&cr);
	}
	T(prompts == 1 && srv_nreqs(&srv) == 1, "prompts %d calls %d", prompts, srv_nreqs(&srv));
	T(strstr(srv_body(srv_req(&srv, 0)), "&TokenCode=000111") != NULL, "%s",
	    srv_body(srv_req(&srv, 0)));
	aws_mfa_set_prompt(NULL);
	free(err);
}

int
main(void)
{
	if (mkdtemp(home) == NULL)
		return 2;
	srv_clean_env(home);
	srv_start(&srv);
	RUN(t_env);
	RUN(t_static_profiles);
	RUN(t_role_plans);
	RUN(t_role_chain_calls_sts);
	RUN(t_credential_process);
	RUN(t_split_command);
	RUN(t_container);
	RUN(t_imds_v2);
	RUN(t_imds_v1_fallback);
	RUN(t_nothing_found);
	RUN(t_client_renews_from_chain);
	RUN(t_web_identity);
	RUN(t_sso);
	RUN(t_mfa);
	srv_stop(&srv);
	srv_rmtree(home);
	return t_done();
}
