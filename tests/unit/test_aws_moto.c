/*
 * The AWS layer against a real peer: moto's server with request
 * authentication on checks our SigV4 signatures and IAM permissions.  A
 * Python child starts moto on a free port, seeds it through boto3 (the
 * first calls are exempt from authentication), prints the URL and keys,
 * and stops when its stdin closes.  Skipped when moto is not importable.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include "collector/aws_int.h"
#include "tests/unit/t.h"
#include "tests/unit/aws_srv.h"

extern char **environ;

static const char peer_py[] =
    "import os, sys, json\n"
    "os.environ['INITIAL_NO_AUTH_ACTION_COUNT'] = '8'\n"
    "for k in ('AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'):\n"
    "    os.environ.pop(k, None)\n"
    "try:\n"
    "    from moto.moto_server.threaded_moto_server import ThreadedMotoServer\n"
    "    import boto3\n"
    "except ImportError:\n"
    "    print('SKIP', flush=True); sys.exit(0)\n"
    "srv = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
    "srv.start()\n"
    "url = 'http://%s:%d/' % srv.get_host_and_port()\n"
    "iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1',\n"
    "    aws_access_key_id='AKIASEEDSEEDSEEDSEED', aws_secret_access_key='seed')\n"
    "allow = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',\n"
    "    'Action': ['iam:*', 'sts:*', 'cloudtrail:*', 'organizations:*'], 'Resource': '*'}]})\n"
    "trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow',\n"
    "    'Principal': {'AWS': 'arn:aws:iam::123456789012:user/auditor'},\n"
    "    'Action': 'sts:AssumeRole'}]})\n"
    "iam.create_user(UserName='auditor')\n"
    "k1 = iam.create_access_key(UserName='auditor')['AccessKey']\n"
    "iam.put_user_policy(UserName='auditor', PolicyName='all', PolicyDocument=allow)\n"
    "iam.create_user(UserName='nobody')\n"
    "k2 = iam.create_access_key(UserName='nobody')['AccessKey']\n"
    "role = iam.create_role(RoleName='Audit', AssumeRolePolicyDocument=trust)['Role']['Arn']\n"
    "iam.put_role_policy(RoleName='Audit', PolicyName='all', PolicyDocument=allow)\n"
    "iam.create_user(UserName='x/y+z=w', Path='/')\n"
    "print(url, k1['AccessKeyId'], k1['SecretAccessKey'], k2['AccessKeyId'],\n"
    "    k2['SecretAccessKey'], role, flush=True)\n"
    "sys.stdin.read()\n"
    "os._exit(0)\n";	/* skip the interpreter's slow teardown */

static char url[128], akid[64], secret[128], akid2[64], secret2[128], role_arn[128];
static char src_name[] = "moto";
static pid_t peer = -1;
static int peer_in = -1;

/* Start the peer; 1 ready, 0 skipped (no moto), -1 failed. */
static int
peer_start(void)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)"python3", (char *)"-c", (char *)peer_py, NULL };
	char line[1024];
	int in[2], out[2], devnull, n;
	FILE *f;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, devnull, 2);	/* werkzeug's request log */
	n = posix_spawnp(&peer, "python3", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	close(devnull);
	if (n != 0) {
		close(in[1]);
		close(out[0]);
		peer = -1;
		return 0;
	}
	peer_in = in[1];
	f = fdopen(out[0], "r");
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if (strncmp(line, "SKIP", 4) == 0)
		return 0;
	n = sscanf(line, "%127s %63s %127s %63s %127s %127s", url, akid, secret, akid2, secret2,
	    role_arn);
	return n == 6 ? 1 : -1;
}

static void
peer_stop(void)
{
	if (peer_in >= 0)
		close(peer_in);
	if (peer > 0)
		waitpid(peer, NULL, 0);
}

static struct aws_client *
client(const char *id, const char *sec, const char *token, const char *region)
{
	struct aws_opts o = { 0 };
	struct aws_config cfg;
	struct aws_creds cr = { (char *)id, (char *)sec, (char *)token, 0, src_name, 0 };
	struct aws_client *c;
	char *err = NULL;

	o.endpoint_url = url;
	o.region = region;
	if (!aws_config_load(&o, &cfg, &err)) {
		printf("config: %s\n", err);
		exit(2);
	}
	c = aws_client_new(&cfg, &cr);
	aws_config_free(&cfg);
	return c;
}

static void
t_signed_query_calls(void)
{
	struct aws_client *c = client(akid, secret, NULL, "us-east-1");
	struct aws_resp r;

	T(aws_query(c, AWS_IAM, "GetUser", NULL, &r) == AWS_RES_OK, "GetUser: %s %s", r.code,
	    r.message);
	T(r.body && strstr(r.body, "<UserName>auditor</UserName>"), "body %s", r.body);
	aws_resp_free(&r);
	T(aws_query(c, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_OK, "ListUsers: %s", r.code);
	T(r.body && strstr(r.body, "<UserName>nobody</UserName>") &&
	    strstr(r.body, "<UserName>x/y+z=w</UserName>"), "body %s", r.body);
	aws_resp_free(&r);
	T(aws_query(c, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_OK, "GCI: %s", r.code);
	T(r.body && strstr(r.body, "arn:aws:iam::123456789012:user/auditor"), "body %s", r.body);
	aws_resp_free(&r);
	T(aws_client_calls(c) == 3 && aws_client_retries(c) == 0, "calls %u",
	    aws_client_calls(c));
	aws_client_free(c);

	/* Any region signs a custom endpoint; parameters with / + = are encoded. */
	c = client(akid, secret, NULL, "eu-west-1");
	{
		static const struct aws_param p[] = { { "UserName", "x/y+z=w" }, { NULL, NULL } };

		T(aws_query(c, AWS_IAM, "GetUser", p, &r) == AWS_RES_OK, "GetUser x/y+z=w: %s %s",
		    r.code, r.message);
		aws_resp_free(&r);
	}
	aws_client_free(c);
}

static void
t_bad_signatures_rejected(void)
{
	struct aws_client *c = client(akid, "wrong-secret", NULL, "us-east-1");
	struct aws_resp r;

	T(aws_query(c, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_API_ERROR, "accepted");
	T_STREQ(r.code, "SignatureDoesNotMatch");
	T(r.http_status == 403 && aws_client_calls(c) == 1, "status %ld calls %u", r.http_status,
	    aws_client_calls(c));
	aws_resp_free(&r);
	aws_client_free(c);

	c = client("AKIAUNKNOWNUNKNOWN00", secret, NULL, "us-east-1");
	T(aws_query(c, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_API_ERROR, "accepted");
	T_STREQ(r.code, "InvalidClientTokenId");
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_permissions_enforced(void)
{
	struct aws_client *c = client(akid2, secret2, NULL, "us-east-1");
	struct aws_resp r;

	T(aws_query(c, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_API_ERROR, "accepted");
	T(aws_code_is_denied(r.code), "code %s: %s", r.code, r.message);
	T(aws_client_calls(c) == 1, "denied was retried");
	aws_resp_free(&r);
	aws_client_free(c);
}

static void
t_assume_role_and_session_token(void)
{
	struct aws_client *c = client(akid, secret, NULL, "us-east-1"), *rc;
	struct aws_creds cr;
	struct aws_resp r;
	char *err = NULL;

	T(aws_assume_role(c, role_arn, NULL, NULL, &cr, &err), "assume: %s", err);
	T(cr.access_key_id && strncmp(cr.access_key_id, "ASIA", 4) == 0 && cr.session_token &&
	    cr.expiration > 0, "creds %s", cr.access_key_id);
	aws_client_free(c);
	if (cr.access_key_id == NULL)
		return;
	rc = client(cr.access_key_id, cr.secret_access_key, cr.session_token, "us-east-1");
	T(aws_query(rc, AWS_STS, "GetCallerIdentity", NULL, &r) == AWS_RES_OK, "GCI: %s", r.code);
	T(r.body && strstr(r.body, "assumed-role/Audit/iamgrade-"), "body %s", r.body);
	aws_resp_free(&r);
	T(aws_query(rc, AWS_IAM, "ListUsers", NULL, &r) == AWS_RES_OK, "ListUsers as role: %s %s",
	    r.code, r.message);
	aws_resp_free(&r);
	aws_client_free(rc);
	aws_creds_free(&cr);
	free(err);
}

static void
t_json_calls(void)
{
	struct aws_client *c = client(akid, secret, NULL, "us-east-1");
	struct aws_resp r;

	T(aws_json(c, AWS_CLOUDTRAIL, NULL, "DescribeTrails", "{\"includeShadowTrails\":true}",
	    &r) == AWS_RES_OK, "DescribeTrails: %s %s", r.code, r.message);
	T(r.body && strstr(r.body, "trailList"), "body %s", r.body);
	aws_resp_free(&r);
	T(aws_json(c, AWS_ORGANIZATIONS, NULL, "DescribeOrganization", NULL, &r) ==
	    AWS_RES_API_ERROR, "DescribeOrganization");
	T_STREQ(r.code, "AWSOrganizationsNotInUseException");
	aws_resp_free(&r);
	aws_client_free(c);

	c = client(akid, "wrong-secret", NULL, "us-east-1");
	T(aws_json(c, AWS_CLOUDTRAIL, "eu-west-1", "DescribeTrails", NULL, &r) == AWS_RES_API_ERROR,
	    "wrong secret accepted");
	T(r.code && (strcmp(r.code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(r.code, "InvalidSignatureException") == 0), "code %s body %s", r.code, r.body);
	aws_resp_free(&r);
	aws_client_free(c);
}

int
main(void)
{
	static char home[] = "/tmp/iamgrade-moto-XXXXXX";
	int st;

	if (mkdtemp(home) == NULL)
		return 2;
	srv_clean_env(home);
	signal(SIGPIPE, SIG_IGN);
	st = peer_start();
	if (st <= 0) {
		peer_stop();
		srv_rmtree(home);
		if (st == 0) {
			printf("moto is not importable: skipped\n");
			return t_done();
		}
		printf("FAIL moto: the peer did not start\n");
		return 1;
	}
	RUN(t_signed_query_calls);
	RUN(t_bad_signatures_rejected);
	RUN(t_permissions_enforced);
	RUN(t_assume_role_and_session_token);
	RUN(t_json_calls);
	peer_stop();
	srv_rmtree(home);
	return t_done();
}
