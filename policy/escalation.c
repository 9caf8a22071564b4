/* The privilege-escalation catalogue and the questions PRIV-01 asks of it (see escalation.h). */
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "policy/effective.h"
#include "policy/escalation.h"
#include "policy/glob.h"
#include "policy/policy.h"

#define USER	"arn:*:iam::*:user/*"
#define GROUP	"arn:*:iam::*:group/*"
#define ROLE	"arn:*:iam::*:role/*"
#define POLICY	"arn:*:iam::*:policy/*"
#define INSTANCE "arn:*:ec2:*:*:instance/*"

/*
 * Sources.  Rhino Security Labs' list ("AWS IAM Privilege Escalation --
 * Methods and Mitigation", 2018) is where most of these were first
 * written down; pathfinding.cloud (Datadog) catalogues each path with its
 * prerequisites; PMapper (NCC Group) encodes them as edge checks, one file
 * per service (principalmapper/graphing/, a SERVICE_edges.py each).
 */
#define RHINO	"Rhino Security Labs, AWS IAM privilege escalation methods"
#define PF	"pathfinding.cloud"
#define PM(f)	"PMapper " f "_edges.py"

/*
 * Self: for the methods that change the principal's own permissions
 * (attach or put a policy, join a group, drop a boundary) the principal
 * itself is the target, so a grant on itself counts ("self" below).  For
 * the rest (credentials, trust, PassRole) only a resource other than the
 * principal counts: a user creating its own access key gains nothing.
 */
#define SELF	"self: "

const struct pol_esc_method pol_esc_methods[] = {
	{ "iam-create-policy-version", POLICY,
	  SELF "rewrites a customer-managed policy, and so every principal it is attached to",
	  RHINO "; " PF "; " PM("iam"), { "iam:CreatePolicyVersion" } },
	{ "iam-set-default-policy-version", POLICY,
	  SELF "makes an older, broader version of a managed policy the one in force",
	  RHINO "; " PF "; " PM("iam"), { "iam:SetDefaultPolicyVersion" } },
	{ "iam-attach-user-policy", USER,
	  SELF "attaches any managed policy (AdministratorAccess included) to a user",
	  RHINO "; " PF "; " PM("iam"), { "iam:AttachUserPolicy" } },
	{ "iam-attach-group-policy", GROUP,
	  SELF "attaches any managed policy to a group, and so to its members",
	  RHINO "; " PF "; " PM("iam"), { "iam:AttachGroupPolicy" } },
	{ "iam-attach-role-policy", ROLE,
	  SELF "attaches any managed policy to a role",
	  RHINO "; " PF "; " PM("iam"), { "iam:AttachRolePolicy" } },
	{ "iam-put-user-policy", USER,
	  SELF "writes an inline policy of any content into a user",
	  RHINO "; " PF "; " PM("iam"), { "iam:PutUserPolicy" } },
	{ "iam-put-group-policy", GROUP,
	  SELF "writes an inline policy of any content into a group, and so its members",
	  RHINO "; " PF "; " PM("iam"), { "iam:PutGroupPolicy" } },
	{ "iam-put-role-policy", ROLE,
	  SELF "writes an inline policy of any content into a role",
	  RHINO "; " PF "; " PM("iam"), { "iam:PutRolePolicy" } },
	{ "iam-add-user-to-group", GROUP,
	  SELF "joins a user (itself) to any group and takes on its policies",
	  RHINO "; " PF "; " PM("iam"), { "iam:AddUserToGroup" } },
	{ "iam-delete-user-permissions-boundary", USER,
	  SELF "removes a user's permissions boundary",
	  PF, { "iam:DeleteUserPermissionsBoundary" } },
	{ "iam-delete-role-permissions-boundary", ROLE,
	  SELF "removes a role's permissions boundary",
	  PF, { "iam:DeleteRolePermissionsBoundary" } },
	{ "iam-create-access-key", USER,
	  "creates an access key for another user and acts as it",
	  RHINO "; " PF "; " PM("iam"), { "iam:CreateAccessKey" } },
	{ "iam-create-login-profile", USER,
	  "sets a console password for another user that has none",
	  RHINO "; " PF "; " PM("iam"), { "iam:CreateLoginProfile" } },
	{ "iam-update-login-profile", USER,
	  "changes another user's console password",
	  RHINO "; " PF "; " PM("iam"), { "iam:UpdateLoginProfile" } },
	{ "iam-update-assume-role-policy", ROLE,
	  "rewrites a role's trust policy to admit itself, then assumes the role",
	  RHINO "; " PF "; " PM("sts"), { "iam:UpdateAssumeRolePolicy" } },
	{ "passrole-ec2-run-instances", ROLE,
	  "passes a role to a new EC2 instance it controls and uses the instance profile's credentials",
	  RHINO "; " PF "; " PM("ec2"), { "iam:PassRole", "ec2:RunInstances" } },
	{ "passrole-lambda-invoke", ROLE,
	  "passes a role to a new Lambda function it writes and invokes",
	  RHINO "; " PF "; " PM("lambda"),
	  { "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction" } },
	{ "passrole-lambda-event-source", ROLE,
	  "passes a role to a new Lambda function and triggers it from an event source",
	  RHINO "; " PF "; " PM("lambda"),
	  { "iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping" } },
	{ "lambda-update-function-code", "arn:*:lambda:*:*:function:*",
	  "replaces the code of an existing function, which runs with that function's role",
	  RHINO "; " PF "; " PM("lambda"), { "lambda:UpdateFunctionCode" } },
	{ "passrole-glue-dev-endpoint", ROLE,
	  "passes a role to a new Glue development endpoint and logs in to it",
	  RHINO "; " PF, { "iam:PassRole", "glue:CreateDevEndpoint" } },
	{ "glue-update-dev-endpoint", "arn:*:glue:*:*:devEndpoint/*",
	  "adds its SSH key to an existing Glue development endpoint and uses its role",
	  RHINO "; " PF, { "glue:UpdateDevEndpoint" } },
	{ "passrole-glue-job", ROLE,
	  "passes a role to a new Glue job and runs it",
	  PF, { "iam:PassRole", "glue:CreateJob", "glue:StartJobRun" } },
	{ "passrole-cloudformation-create-stack", ROLE,
	  "passes a role to a new CloudFormation stack, which creates resources as that role",
	  RHINO "; " PF "; " PM("cloudformation"), { "iam:PassRole", "cloudformation:CreateStack" } },
	{ "cloudformation-update-stack", "arn:*:cloudformation:*:*:stack/*",
	  "updates an existing stack, which acts with the stack's service role",
	  PF "; " PM("cloudformation"), { "cloudformation:UpdateStack" } },
	{ "passrole-datapipeline", ROLE,
	  "passes a role to a new Data Pipeline that runs its commands",
	  RHINO "; " PF,
	  { "iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
	    "datapipeline:ActivatePipeline" } },
	{ "passrole-codebuild-project", ROLE,
	  "passes a role to a new CodeBuild project and starts a build",
	  PF "; " PM("codebuild"),
	  { "iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild" } },
	{ "codebuild-start-build", "arn:*:codebuild:*:*:project/*",
	  "starts a build of an existing project with its own buildspec, run as the project's role",
	  PF "; " PM("codebuild"), { "codebuild:StartBuild" } },
	{ "passrole-sagemaker-notebook", ROLE,
	  "passes a role to a new SageMaker notebook and opens it",
	  PF "; " PM("sagemaker"),
	  { "iam:PassRole", "sagemaker:CreateNotebookInstance",
	    "sagemaker:CreatePresignedNotebookInstanceUrl" } },
	{ "sagemaker-presigned-notebook-url", "arn:*:sagemaker:*:*:notebook-instance/*",
	  "opens an existing SageMaker notebook, which runs as its role",
	  PF, { "sagemaker:CreatePresignedNotebookInstanceUrl" } },
	{ "passrole-sagemaker-training-job", ROLE,
	  "passes a role to a SageMaker training job running its container",
	  PF "; " PM("sagemaker"), { "iam:PassRole", "sagemaker:CreateTrainingJob" } },
	{ "passrole-sagemaker-processing-job", ROLE,
	  "passes a role to a SageMaker processing job running its container",
	  PF, { "iam:PassRole", "sagemaker:CreateProcessingJob" } },
	{ "passrole-ecs-run-task", ROLE,
	  "passes a role to a new ECS task definition and runs it",
	  PF, { "iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask" } },
	{ "passrole-ecs-create-service", ROLE,
	  "passes a role to a new ECS task definition and starts it as a service",
	  PF, { "iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService" } },
	{ "passrole-autoscaling-launch-configuration", ROLE,
	  "passes a role to a launch configuration and starts instances from it",
	  PF "; " PM("autoscaling"),
	  { "iam:PassRole", "autoscaling:CreateLaunchConfiguration",
	    "autoscaling:CreateAutoScalingGroup" } },
	{ "passrole-apprunner-service", ROLE,
	  "passes a role to a new App Runner service running its code",
	  PF, { "iam:PassRole", "apprunner:CreateService" } },
	{ "ssm-send-command", INSTANCE,
	  "runs commands on an instance, with the instance profile's role",
	  PF "; " PM("ssm"), { "ssm:SendCommand" } },
	{ "ssm-start-session", INSTANCE,
	  "opens a shell on an instance, with the instance profile's role",
	  PF "; " PM("ssm"), { "ssm:StartSession" } },
	{ "ec2-modify-user-data", INSTANCE,
	  "rewrites an instance's user data and restarts it, running code as its role",
	  PF, { "ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances" } },
	{ "ec2-instance-connect", INSTANCE,
	  "pushes its SSH key to an instance and logs in, with the instance profile's role",
	  PF, { "ec2-instance-connect:SendSSHPublicKey" } },
};
const size_t pol_nesc_methods = sizeof(pol_esc_methods) / sizeof(pol_esc_methods[0]);

static int
counts_self(const struct pol_esc_method *m)
{
	return strncmp(m->target, SELF, strlen(SELF)) == 0;
}

size_t
pol_esc_find(const struct pol_doc *const *docs, size_t n, const struct pol_doc *boundary,
    const char *self_arn, const char *self_name, struct pol_esc_hit **out)
{
	struct pol_esc_hit *v = xcalloc(pol_nesc_methods, sizeof(*v)), *h;
	const struct pol_esc_method *m;
	size_t i, k, found = 0;
	int ok;

	for (i = 0; i < pol_nesc_methods; i++) {
		m = &pol_esc_methods[i];
		h = &v[found];
		memset(h, 0, sizeof(*h));
		h->m = m;
		ok = pol_grant_find(docs, n, boundary, m->actions[0],
		    counts_self(m) ? POL_REACH_ANY : POL_REACH_OTHER, m->reach, self_arn,
		    self_name, &h->grant[0]);
		for (k = 1; ok && k < POL_ESC_MAXACT && m->actions[k] != NULL; k++)
			ok = pol_grant_find(docs, n, boundary, m->actions[k], POL_REACH_ANY, "*",
			    self_arn, self_name, &h->grant[k]);
		if (!ok)
			continue;
		h->ngrant = k;
		for (k = 0; k < h->ngrant; k++)
			h->conditional |= h->grant[k].conditional;
		found++;
	}
	*out = v;
	return found;
}

/* A trust statement's AWS principals name principal itself or everyone. */
static int
names_exactly(const struct pol_stmt *st, const char *principal)
{
	const struct pol_strs *aws = &st->principal.by[POL_P_AWS];
	size_t i;

	if (st->principal.any)
		return 1;
	for (i = 0; i < aws->n; i++)
		if (strcmp(aws->v[i], "*") == 0 || strcmp(aws->v[i], principal) == 0)
			return 1;
	return 0;
}

int
pol_esc_can_assume(const struct pol_doc *const *docs, size_t n, const struct pol_doc *boundary,
    const char *principal, const char *principal_name, const char *role_arn,
    const struct pol_doc *trust, struct pol_escalation *via)
{
	struct pol_request req;
	const struct pol_stmt *st;
	size_t i;
	int allowed = 0, direct = 0;

	memset(&req, 0, sizeof(req));
	req.principal_type = POL_P_AWS;
	req.principal = principal;
	req.action = "sts:AssumeRole";
	req.resource = role_arn;
	memset(via, 0, sizeof(*via));
	for (i = 0; i < trust->nst; i++) {
		st = &trust->st[i];
		if (!st->has_principal || !pol_match_action(st, req.action))
			continue;
		if (st->not_principal) {
			/* Everyone but a few: counted as admitting the caller, never a false PASS. */
			allowed |= st->effect == POL_ALLOW;
			continue;
		}
		if (!pol_match_principal(st, &req))
			continue;
		if (st->effect == POL_DENY) {
			if (st->ncond == 0)
				return 0;	/* an unconditional Deny of this caller */
			continue;
		}
		/* A condition the caller might meet (MFA, a tag, an external id) still admits it. */
		allowed = 1;
		direct |= names_exactly(st, principal);
	}
	if (!allowed)
		return 0;
	if (direct)
		return 1;
	return pol_grant_find(docs, n, boundary, req.action, POL_REACH_ON, role_arn, principal,
	    principal_name, via);
}
