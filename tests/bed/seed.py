"""Scenarios for the bed, seeded through boto3 (and so through the front:
CreateRole calls become CloudTrail events).  What each scenario should score
is written down in scenarios.md.

    sample      one account breaking a known set of controls
    users:N     N plain users, 3 of them with keys (call-count tests)
    org         an organization: management account + 4 members, each with
                an audit role trusting the management account

Every function expects auth off and leaves it off; the caller switches it on.
"""
import datetime
import json

from bedlib import (DEFAULT_ACCOUNT, Creds, allow, bootstrap_admin, collector_policy, create_auditor,
                    doc, iamgrade_policy)

OUTSIDE_ACCOUNT = "210987654321"   # an account outside every scenario's organization
GITHUB = "token.actions.githubusercontent.com"
THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"
HOSTILE_DESCRIPTION = "<script>alert('desc')</script> & \"quoted\" </td></tr>"
HOSTILE_AGENT = "<img src=x onerror=alert(1)> Mozilla/5.0 \"evil\""


class Seeded:
    """What a scenario made: account ids, the identities to run as, and facts
    tests compare against."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def ago(days, hours=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days, hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def trust(principal, action="sts:AssumeRole", condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]}, indent=2)


def _trail(bed, creds, name, multi_region=True, validation=False, logging=True, bucket=None):
    s3 = bed.client("s3", creds)
    bucket = bucket or f"{name}-logs-bucket"
    s3.create_bucket(Bucket=bucket)
    ct = bed.client("cloudtrail", creds)
    ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region,
                    IncludeGlobalServiceEvents=True, EnableLogFileValidation=validation)
    ct.put_event_selectors(TrailName=name, EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    if logging:
        ct.start_logging(Name=name)


def _console_user(iam, name, group=None, mfa=False):
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Bed-Passw0rd-!x9")
    if group:
        iam.add_user_to_group(GroupName=group, UserName=name)
    if mfa:
        dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name.replace(",", "-").replace("'", ""))
        iam.enable_mfa_device(UserName=name, SerialNumber=dev["VirtualMFADevice"]["SerialNumber"],
                              AuthenticationCode1="123456", AuthenticationCode2="654321")


def _oidc(iam):
    return iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]


def _github_trust(provider_arn, sub):
    return trust({"Federated": provider_arn}, "sts:AssumeRoleWithWebIdentity", {
        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{GITHUB}:sub": sub}})


def seed_sample(bed, account=DEFAULT_ACCOUNT, policy=None):
    """The sample account (scenarios.md, "sample")."""
    a = account
    admin = bootstrap_admin(bed, a)
    iam = bed.client("iam", admin)
    # An old role (CHG-01): its CreateRole and inline policy moved 120 days back,
    # beyond LookupEvents' horizon, so only its changes in the window show.
    iam.create_role(RoleName="legacy-ops", Description="operations, since long ago",
                    AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{a}:root"}))
    iam.put_role_policy(RoleName="legacy-ops", PolicyName="ops-read",
                        PolicyDocument=doc(allow(["ec2:Describe*", "cloudwatch:Get*"])))
    bed.age_events(a, keep=())
    iam.create_account_alias(AccountAlias="acme-sample")
    iam.update_account_password_policy(
        MinimumPasswordLength=8, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        RequireNumbers=False, RequireSymbols=False, AllowUsersToChangePassword=True,
        PasswordReusePrevention=5)
    bed.root_row(a, mfa="virtual", access_keys=[], password_last_used=ago(3).replace("Z", "+00:00"))

    star = iam.create_policy(PolicyName="ops-everything", PolicyDocument=doc(allow("*")),
                             Description="lets Ops do anything")["Policy"]["Arn"]
    iam.create_group(GroupName="Ops")
    iam.attach_group_policy(GroupName="Ops", PolicyArn=star)
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")

    _console_user(iam, "alice", "Developers", mfa=True)
    _console_user(iam, "bob", "Ops")
    _console_user(iam, "o'brien,ops", "Ops")
    bed.backdate(a, user="o'brien,ops", created=ago(300), password_last_used=ago(100),
                 password_last_changed=ago(200))

    iam.create_user(UserName="zoë")
    iam.put_user_policy(UserName="zoë", PolicyName="s3-read",
                        PolicyDocument=doc(allow(["s3:GetObject", "s3:ListBucket"])))
    iam.create_access_key(UserName="zoë")
    bed.backdate(a, user="zoë", created=ago(400),
                 keys=[{"index": 0, "created": ago(200), "last_used": ago(2), "service": "s3"}])

    iam.create_user(UserName="carol")
    iam.attach_user_policy(UserName="carol", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_access_key(UserName="carol")
    iam.create_access_key(UserName="carol")
    bed.backdate(a, user="carol", created=ago(30), keys=[
        {"index": 0, "created": ago(30), "last_used": ago(1), "service": "ec2"},
        {"index": 1, "created": ago(30), "last_used": None}])

    iam.create_user(UserName="dave")
    iam.create_access_key(UserName="dave")
    bed.backdate(a, user="dave", created=ago(60), keys=[{"index": 0, "created": ago(60), "last_used": None}])

    iam.create_user(UserName="intern")
    iam.put_user_policy(UserName="intern", PolicyName="look-only",
                        PolicyDocument=doc(allow(["iam:Get*", "iam:List*"])))
    k = iam.create_access_key(UserName="intern")["AccessKey"]
    intern = Creds(k["AccessKeyId"], k["SecretAccessKey"])

    # Role separation across the account (PRIV-01): an old user that may attach any policy to
    # itself, and a group whose members may write any policy into it.
    iam.create_user(UserName="legacy-dev")
    iam.put_user_policy(UserName="legacy-dev", PolicyName="self-service",
                        PolicyDocument=doc(allow("iam:AttachUserPolicy",
                                                 resource="arn:aws:iam::*:user/${aws:username}")))
    bed.backdate(a, user="legacy-dev", created=ago(500))
    iam.create_group(GroupName="Tooling")
    iam.put_group_policy(GroupName="Tooling", PolicyName="group-admin",
                         PolicyDocument=doc(allow("iam:PutGroupPolicy",
                                                  resource=f"arn:aws:iam::{a}:group/Tooling")))
    iam.add_user_to_group(GroupName="Tooling", UserName="dave")

    _trail(bed, admin, "main", multi_region=True, validation=False, logging=True,
           bucket="acme-sample-cloudtrail")
    provider = _oidc(iam)

    def role(name, trust_doc, headers=None, **kw):
        c = bed.client("iam", admin, headers=headers) if headers else iam
        c.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kw)

    role("ec2-app", trust({"Service": "ec2.amazonaws.com"}), Description="app servers")
    iam.attach_role_policy(RoleName="ec2-app", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    role("vendor-any", trust("*", condition={"StringEquals": {"sts:ExternalId": "vendor-7781"}}),
         Description="vendor integration", headers={"X-Forwarded-For": "198.51.100.23"})
    role("partner-access", trust({"AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}),
         Description="partner reads reports")
    role("mixed-trust", trust({"Service": "cloudtrail.amazonaws.com",
                               "AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}))
    role("github-deploy", _github_trust(provider, "repo:acme-org/*"), Description="CI deploys")
    role("github-any", _github_trust(provider, "repo:*"), Description="any GitHub repository")
    role("admin-role", trust({"AWS": f"arn:aws:iam::{a}:root"}), Description="break-glass admin")
    iam.attach_role_policy(RoleName="admin-role", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    role("ci-passrole", trust({"Service": "codebuild.amazonaws.com"}))
    iam.put_role_policy(RoleName="ci-passrole", PolicyName="pass-any-role",
                        PolicyDocument=doc(allow("iam:PassRole")))
    role("aws-support", trust({"AWS": f"arn:aws:iam::{a}:root"}), Description="AWS Support cases")
    iam.attach_role_policy(RoleName="aws-support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    role("web-frontend", trust({"Service": "ec2.amazonaws.com"}), Description=HOSTILE_DESCRIPTION,
         headers={"User-Agent": HOSTILE_AGENT})
    # Root creates one: the bootstrap key is unknown to moto, which the front records as Root.
    bed.client("iam", account=a).create_role(
        RoleName="root-made", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))

    # The intern's CreateRole is refused by moto's own permission check.
    bed.auth(True)
    try:
        bed.client("iam", intern).create_role(
            RoleName="intern-test", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{a}:root"}))
        raise RuntimeError("seed: the intern's CreateRole was allowed; auth is not working")
    except iam.exceptions.ClientError as e:
        if e.response["Error"]["Code"] != "AccessDenied":
            raise
    finally:
        bed.auth(False)

    gone = bed.inject_event(a, {
        "eventTime": ago(10),
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAFORMERADMIN00001",
                         "arn": f"arn:aws:iam::{a}:user/former-admin", "accountId": a,
                         "accessKeyId": "AKIAFORMERADMIN00001", "userName": "former-admin"},
        "sourceIPAddress": "203.0.113.77",
        "userAgent": "aws-cli/2.13.0 Python/3.11.4 Linux/5.15",
        "requestParameters": {"roleName": "old-deleted-role", "path": "/",
                              "assumeRolePolicyDocument": trust({"AWS": "*"})},
        "responseElements": {"role": {"path": "/", "roleName": "old-deleted-role",
                                      "roleId": "AROAOLDDELETEDROLE001",
                                      "arn": f"arn:aws:iam::{a}:role/old-deleted-role",
                                      "createDate": "Nov 17, 2026, 9:00:00 AM"}},
    })
    ancient = bed.inject_event(a, {"eventTime": ago(45), "requestParameters": {
        "roleName": "ancient-role", "assumeRolePolicyDocument": trust({"AWS": "*"})}})
    expired = bed.inject_event(a, {"eventTime": ago(100), "requestParameters": {
        "roleName": "too-old-role", "assumeRolePolicyDocument": trust({"AWS": "*"})}})

    auditor = create_auditor(bed, a, admin, policy=policy)
    changes = _window_changes(bed, a, admin)
    return Seeded(
        account=a, admin=admin, auditor=auditor, intern=intern, alias="acme-sample",
        changes=changes,
        users=["admin", "alice", "bob", "o'brien,ops", "zoë", "carol", "dave", "intern", "legacy-dev",
               "iamgrade-auditor"],
        key_holders=["admin", "zoë", "carol", "dave", "intern", "iamgrade-auditor"],
        roles_created=["ec2-app", "vendor-any", "partner-access", "mixed-trust", "github-deploy",
                       "github-any", "admin-role", "ci-passrole", "aws-support", "web-frontend",
                       "root-made"],
        failed_roles=["intern-test"], deleted_roles=["old-deleted-role"],
        injected={"old-deleted-role": gone["eventID"], "ancient-role": ancient["eventID"],
                  "too-old-role": expired["eventID"]},
        trail="main")


def _window_changes(bed, a, admin):
    """The window's changes of the sample (scenarios.md, CHG-*), after the
    setup's own calls are moved out of the window: legacy-ops's trust
    rewritten to admit an outside account and its inline policy replaced, a
    key made for legacy-dev (and deleted again), the trail stopped (and
    started again).  Made by admin from 192.0.2.66 with a user agent of their own."""
    bed.age_events(a)
    headers = {"X-Forwarded-For": "192.0.2.66", "User-Agent": "Boto3/1.34.0 Python/3.11.6 backdoor/1.0"}
    iam = bed.client("iam", admin, headers=headers)
    iam.update_assume_role_policy(RoleName="legacy-ops",
                                  PolicyDocument=trust({"AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"}))
    iam.put_role_policy(RoleName="legacy-ops", PolicyName="ops-read",
                        PolicyDocument=doc(allow(["ec2:Describe*", "cloudwatch:Get*", "s3:GetObject"])))
    key = iam.create_access_key(UserName="legacy-dev")["AccessKey"]["AccessKeyId"]
    iam.delete_access_key(UserName="legacy-dev", AccessKeyId=key)
    ct = bed.client("cloudtrail", admin, headers=headers)
    ct.stop_logging(Name="main")
    ct.start_logging(Name="main")
    return {"role": "legacy-ops", "key_user": "legacy-dev", "key_id": key, "trail": "main",
            "source_ip": "192.0.2.66"}


def seed_users(bed, n, account=DEFAULT_ACCOUNT, key_holders=3, policy=None):
    """n plain users, the first key_holders with one access key each (plus the
    admin and the auditor, who hold keys too)."""
    admin = bootstrap_admin(bed, account)
    iam = bed.client("iam", admin)
    for i in range(n):
        name = f"user{i:04d}"
        iam.create_user(UserName=name)
        if i < key_holders:
            iam.create_access_key(UserName=name)
    auditor = create_auditor(bed, account, admin, policy=policy)
    bed.age_events(account)     # the setup happened long before the window
    return Seeded(account=account, admin=admin, auditor=auditor, n=n,
                  key_holders=key_holders + 2)


def _audit_role(bed, creds, account, role_name, trusted_account, policy, deny=()):
    iam = bed.client("iam", creds)
    arn = collector_policy(iam, account, policy)
    iam.create_role(RoleName=role_name, Description="iamgrade audit role",
                    AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{trusted_account}:root"}))
    iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    if deny:
        iam.put_role_policy(RoleName=role_name, PolicyName="deny-" + "-".join(
            d.split(":")[1] for d in deny), PolicyDocument=doc({"Effect": "Deny", "Action": list(deny),
                                                                "Resource": "*"}))


def _strict_password_policy(iam, length=14):
    iam.update_account_password_policy(
        MinimumPasswordLength=length, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        RequireNumbers=True, RequireSymbols=True, AllowUsersToChangePassword=True,
        PasswordReusePrevention=24, MaxPasswordAge=90)


def least_privilege_roles(bed, admin, account):
    """Roles older than the tracking period with more granted than used
    (scenarios.md, "org", least_privilege): reporting-etl uses 2 of its 5
    services, ci-deployer 3 of 4 (its iam:PassRole never), old-migration
    was never used at all.  The two used roles are assumed once, so that
    RoleLastUsed is set as AWS would; the front serves their service last
    accessed."""
    iam = bed.client("iam", admin)
    grants = {
        "reporting-etl": ["s3:GetObject", "s3:ListAllMyBuckets", "sqs:SendMessage", "sns:Publish",
                          "dynamodb:Query", "kms:Decrypt"],
        "ci-deployer": ["lambda:UpdateFunctionCode", "iam:PassRole", "s3:PutObject", "logs:PutLogEvents"],
        "old-migration": ["dynamodb:*"],
    }
    used = {"reporting-etl": ("s3", "sqs"), "ci-deployer": ("lambda", "s3", "logs"), "old-migration": ()}
    usage = {}
    for name, actions in grants.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{account}:root"}))
        iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=doc(allow(actions)))
        bed.backdate(account, role=name, created=ago(300))
        arn = f"arn:aws:iam::{account}:role/{name}"
        usage[arn] = {ns: {"last": ago(3)} for ns in used[name]}
        if used[name]:
            c = bed.client("sts", admin).assume_role(RoleArn=arn, RoleSessionName="work")["Credentials"]
            bed.client("sts", Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])) \
                .get_caller_identity()
    bed.last_accessed(account, usage=usage)


def seed_org(bed, role_name="iamgrade-audit", deny_password_policy=True, unassumable=True, policy=None,
             deny_tree=(), least_privilege=False):
    """The sample organization (scenarios.md, "org"); least_privilege adds
    least_privilege_roles to production (make demo)."""
    pol = policy if policy is not None else iamgrade_policy()[0]
    mgmt = DEFAULT_ACCOUNT
    madmin = bootstrap_admin(bed, mgmt)
    org = bed.client("organizations", madmin)
    org.create_organization(FeatureSet="ALL")
    names = ["production", "development", "sandbox", "legacy"]
    accounts = {"management": mgmt}
    for name in names:
        st = org.create_account(AccountName=name, Email=f"aws+{name}@acme.example")["CreateAccountStatus"]
        accounts[name] = st["AccountId"]

    # management: the strongest
    iam = bed.client("iam", madmin)
    iam.create_account_alias(AccountAlias="acme-management")
    _strict_password_policy(iam)
    _trail(bed, madmin, "org-trail", validation=True)
    _console_user(iam, "security-lead", "Admins", mfa=True)
    _audit_role(bed, madmin, mgmt, role_name, mgmt, pol)

    # production: strong, one stale key and a short minimum length
    pa = bootstrap_admin(bed, accounts["production"])
    iam = bed.client("iam", pa)
    iam.create_account_alias(AccountAlias="acme-prod")
    _strict_password_policy(iam, length=12)
    _trail(bed, pa, "prod-trail", validation=True)
    _console_user(iam, "oncall", "Admins", mfa=True)
    iam.create_user(UserName="deploy-bot")
    iam.create_access_key(UserName="deploy-bot")
    bed.backdate(accounts["production"], user="deploy-bot", created=ago(400),
                 keys=[{"index": 0, "created": ago(120), "last_used": ago(1), "service": "ecr"}])
    iam.create_role(RoleName="aws-support", AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{accounts['production']}:root"}))
    iam.attach_role_policy(RoleName="aws-support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    _audit_role(bed, pa, accounts["production"], role_name, mgmt, pol)
    if least_privilege:
        least_privilege_roles(bed, pa, accounts["production"])

    # development: weak everywhere, risky roles made from an assumed-role session
    da = bootstrap_admin(bed, accounts["development"])
    iam = bed.client("iam", da)
    iam.create_account_alias(AccountAlias="acme-dev")
    bed.root_row(accounts["development"], mfa="virtual", access_keys=[
        {"active": True, "last_rotated": ago(700).replace("Z", "+00:00"),
         "last_used_date": ago(5).replace("Z", "+00:00"), "last_used_region": "us-east-1",
         "last_used_service": "s3"}])
    star = iam.create_policy(PolicyName="dev-everything", PolicyDocument=doc(allow("*")))["Policy"]["Arn"]
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn=star)
    for u in ("dev1", "dev2", "dev3"):
        _console_user(iam, u, "Developers")
    iam.create_access_key(UserName="dev1")
    iam.create_access_key(UserName="dev1")
    iam.attach_role_policy(RoleName="OrganizationAccountAccessRole",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sess = bed.client("sts", madmin).assume_role(
        RoleArn=f"arn:aws:iam::{accounts['development']}:role/OrganizationAccountAccessRole",
        RoleSessionName="jane")["Credentials"]
    jane = bed.client("iam", Creds(sess["AccessKeyId"], sess["SecretAccessKey"], sess["SessionToken"]),
                      headers={"X-Forwarded-For": "192.0.2.44"})
    jane.create_role(RoleName="contractor-access", Description="for the contractor", AssumeRolePolicyDocument=trust(
        "*", condition={"StringEquals": {"sts:ExternalId": "contractor-2026"}}))
    jane.create_role(RoleName="dev-admin", AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{accounts['development']}:root"}))
    jane.attach_role_policy(RoleName="dev-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    _audit_role(bed, da, accounts["development"], role_name, mgmt, pol)

    # sandbox: a trail that is off, a wide GitHub trust; the password policy may be denied to us
    sa = bootstrap_admin(bed, accounts["sandbox"])
    iam = bed.client("iam", sa)
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireNumbers=True)
    _trail(bed, sa, "sandbox-trail", multi_region=False, logging=False)
    provider = _oidc(iam)
    iam.create_role(RoleName="github-sandbox", AssumeRolePolicyDocument=_github_trust(provider, "repo:*"))
    _audit_role(bed, sa, accounts["sandbox"], role_name, mgmt, pol,
                deny=("iam:GetAccountPasswordPolicy",) if deny_password_policy else ())

    # legacy: its audit role may trust someone else than the management account
    la = bootstrap_admin(bed, accounts["legacy"])
    iam = bed.client("iam", la)
    _console_user(iam, "old-timer")
    _audit_role(bed, la, accounts["legacy"], role_name, OUTSIDE_ACCOUNT if unassumable else mgmt, pol)

    auditor = create_auditor(bed, mgmt, madmin, policy=pol, extra_statements=[
        allow("sts:AssumeRole", f"arn:aws:iam::*:role/{role_name}"),
        allow(["organizations:ListAccounts", "organizations:DescribeOrganization"]
              + [a for a in ORG_TREE_ACTIONS if a not in deny_tree])])
    ous, suspended = _org_structure(org, accounts)
    for acct in {mgmt, *accounts.values()}:
        bed.age_events(acct)    # the setup happened long before the window
    return Seeded(account=mgmt, management=mgmt, accounts=accounts, admin=madmin, auditor=auditor,
                  role_name=role_name, denied_password_policy=accounts["sandbox"] if deny_password_policy else None,
                  unassumable=accounts["legacy"] if unassumable else None, ous=ous, suspended=suspended)


ORG_TREE_ACTIONS = ["organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent",
                    "organizations:ListAccountsForParent", "organizations:ListTagsForResource"]
# Where the org scenario's accounts sit (scenarios.md, "org"), and their tags.
ORG_PLACES = {
    "production": ("/Workloads/Production", {"env": "prod", "owner": "payments"}),
    "development": ("/Workloads/Development", {"env": "dev", "owner": "platform"}),
    "sandbox": ("/Sandbox", {"env": "sandbox", "owner": "<b>lab</b> \u202eevil"}),
    "legacy": ("/Workloads", {"owner": "legacy"}),
}
HOSTILE_OU = "<img src=x onerror=alert(1)> Lab\u202e"


def _org_structure(org, accounts):
    """OUs nested two deep, tags on each member, a hostile OU name and a
    suspended account (in OU /Suspended, never collected)."""
    root = org.list_roots()["Roots"][0]["Id"]
    ids = {"/": root}
    for path in ("/Workloads", "/Workloads/Production", "/Workloads/Development", "/Sandbox",
                 "/Suspended", "/Sandbox/" + HOSTILE_OU):
        parent, name = path.rsplit("/", 1)
        ids[path] = org.create_organizational_unit(
            ParentId=ids[parent or "/"], Name=name)["OrganizationalUnit"]["Id"]
    for name, (path, tags) in ORG_PLACES.items():
        org.move_account(AccountId=accounts[name], SourceParentId=root, DestinationParentId=ids[path])
        org.tag_resource(ResourceId=accounts[name], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    st = org.create_account(AccountName="closed", Email="aws+closed@acme.example")["CreateAccountStatus"]
    org.move_account(AccountId=st["AccountId"], SourceParentId=root, DestinationParentId=ids["/Suspended"])
    org.close_account(AccountId=st["AccountId"])
    return ids, st["AccountId"]


def seed(bed, scenario, **kw):
    """Seed by name: "sample", "users:N", "org"."""
    if scenario == "sample":
        return seed_sample(bed, **kw)
    if scenario.startswith("users:"):
        return seed_users(bed, int(scenario.split(":", 1)[1]), **kw)
    if scenario == "org":
        return seed_org(bed, **kw)
    raise ValueError(f"unknown scenario {scenario!r} (sample, users:N, org)")
