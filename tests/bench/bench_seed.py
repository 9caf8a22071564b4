"""Seed the bed with a synthetic organization for make bench.

Every account gets the same shape (sizes from the caller):

    users       USERS users: every 2nd with a console password, 4 in 5 of
                those with an enabled virtual MFA device; the first
                KEY_HOLDERS with one access key each; each in group
                Developers (PowerUserAccess) or ReadOnly (ReadOnlyAccess)
    roles       EVENTS CreateRole calls through the front (so EVENTS
                CloudTrail events), trust policies of assorted kinds
    rest        an admin user with a key (how the account is seeded), a
                strict password policy, one multi-region trail that logs,
                the audit role trusting the management account (one more
                CreateRole event)

Users go in through the bed's /_bed/users (the moto calls CreateUser,
CreateAccessKey, CreateLoginProfile, CreateVirtualMFADevice,
EnableMFADevice and AddUserToGroup make, one HTTP request per account
instead of several per user); everything else goes through boto3 like
tests/bed/seed.py.  Auth must be off while seeding.
"""
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bed"))

from bedlib import (DEFAULT_ACCOUNT, Creds, allow, bootstrap_admin, collector_policy,  # noqa: E402
                    create_auditor)

OUTSIDE = "210987654321"
USERS_PER_REQUEST = 500     # users per /_bed/users request
_client_lock = threading.Lock()   # boto3's default session is not thread-safe


def _trust(principal, condition=None, action="sts:AssumeRole"):
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def role_trust(account, i):
    """The i-th synthetic role's trust policy: mostly services, some accounts,
    now and then a wildcard with an ExternalId (a finding)."""
    kind = i % 10
    if kind < 6:
        svc = ("ec2", "lambda", "ecs-tasks", "codebuild", "states", "glue")[kind]
        return _trust({"Service": f"{svc}.amazonaws.com"})
    if kind < 8:
        return _trust({"AWS": f"arn:aws:iam::{account}:root"})
    if kind == 8:
        return _trust({"AWS": f"arn:aws:iam::{OUTSIDE}:root"})
    return _trust("*", {"StringEquals": {"sts:ExternalId": f"vendor-{i:04d}"}})


def user_specs(n, key_holders):
    return [{"name": f"user{i:05d}", "keys": 1 if i < key_holders else 0,
             "console": i % 2 == 0, "mfa": i % 2 == 0 and i % 10 != 0,
             "groups": ["Developers" if i % 2 else "ReadOnly"]} for i in range(n)]


def _client(bed, service, creds):
    with _client_lock:
        return bed.client(service, creds)


def seed_account(bed, account, users, events, key_holders, role_name, trusted, policy):
    """One account of the shape above.  Returns the admin's key."""
    with _client_lock:
        admin = bootstrap_admin(bed, account)
    iam = _client(bed, "iam", admin)
    for group, pol in (("Developers", "PowerUserAccess"), ("ReadOnly", "ReadOnlyAccess")):
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=f"arn:aws:iam::aws:policy/{pol}")
    specs = user_specs(users, key_holders)
    for i in range(0, len(specs), USERS_PER_REQUEST):
        bed.ctl("users", {"account": account, "users": specs[i:i + USERS_PER_REQUEST]})
    iam.update_account_password_policy(
        MinimumPasswordLength=14, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        RequireNumbers=True, RequireSymbols=True, AllowUsersToChangePassword=True,
        PasswordReusePrevention=24, MaxPasswordAge=90)
    s3 = _client(bed, "s3", admin)
    ct = _client(bed, "cloudtrail", admin)
    bucket = f"trail-{account}"
    s3.create_bucket(Bucket=bucket)
    ct.create_trail(Name="main", S3BucketName=bucket, IsMultiRegionTrail=True,
                    IncludeGlobalServiceEvents=True, EnableLogFileValidation=True)
    ct.put_event_selectors(TrailName="main", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    ct.start_logging(Name="main")
    for i in range(events):
        iam.create_role(RoleName=f"app-role-{i:04d}", AssumeRolePolicyDocument=role_trust(account, i),
                        Description=f"synthetic role {i}")
    if role_name:
        arn = collector_policy(iam, account, policy)
        iam.create_role(RoleName=role_name, Description="iamgrade audit role",
                        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{trusted}:root"}))
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    return admin


def seed_org(bed, accounts, users, events, key_holders, role_name, policy, workers=4):
    """An organization of `accounts` accounts (the management account
    included), each of the shape above, and the auditor in the management
    account (`iamgrade policy` plus sts:AssumeRole on the audit roles and the
    Organizations reads).  Returns (auditor creds, [account ids])."""
    mgmt = DEFAULT_ACCOUNT
    madmin = seed_account(bed, mgmt, users, events, key_holders, role_name, mgmt, policy)
    org = bed.client("organizations", madmin)
    org.create_organization(FeatureSet="ALL")
    ids = [mgmt]
    for n in range(1, accounts):
        st = org.create_account(AccountName=f"bench-{n:03d}",
                                Email=f"aws+bench-{n:03d}@example.com")["CreateAccountStatus"]
        ids.append(st["AccountId"])
    with ThreadPoolExecutor(workers) as ex:
        for f in [ex.submit(seed_account, bed, a, users, events, key_holders, role_name, mgmt, policy)
                  for a in ids[1:]]:
            f.result()
    place_accounts(org, ids)
    auditor = create_auditor(bed, mgmt, madmin, policy=policy, extra_statements=[
        allow("sts:AssumeRole", f"arn:aws:iam::*:role/{role_name}"),
        allow(["organizations:ListAccounts", "organizations:DescribeOrganization"] + ORG_TREE)])
    return auditor, ids


ORG_TREE = ["organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListAccountsForParent", "organizations:ListTagsForResource"]
OU_PATHS = ["/Security", "/Production", "/Production/Payments", "/Production/Web", "/Development",
            "/Development/Data", "/Sandbox", "/Suspended"]


def place_accounts(org, ids):
    """OUs two deep (OU_PATHS), the members spread over them round-robin
    (the management account stays at the root), three tags each: the
    shape of issue 18's organization."""
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {"": root}
    for path in OU_PATHS:
        parent, name = path.rsplit("/", 1)
        ous[path] = org.create_organizational_unit(ParentId=ous[parent], Name=name)["OrganizationalUnit"]["Id"]
    for n, a in enumerate(ids[1:]):
        org.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ous[OU_PATHS[n % len(OU_PATHS)]])
        org.tag_resource(ResourceId=a, Tags=[{"Key": "env", "Value": ["prod", "dev", "sandbox"][n % 3]},
                                             {"Key": "owner", "Value": f"team-{n % 12}"},
                                             {"Key": "cost-centre", "Value": f"cc-{n % 40:03d}"}])


def seed_org_only(bed, accounts, policy):
    """An organization of `accounts` accounts placed in OUs with tags, and
    nothing in the members (no audit role: each is reported unreachable):
    what the organization's structure and the bounded summary cost at a
    size the full seed would take hours to build.  Returns (auditor, ids)."""
    mgmt = DEFAULT_ACCOUNT
    madmin = bootstrap_admin(bed, mgmt)
    org = bed.client("organizations", madmin)
    org.create_organization(FeatureSet="ALL")
    ids = [mgmt]
    for n in range(1, accounts):
        st = org.create_account(AccountName=f"bench-{n:04d}",
                                Email=f"aws+bench-{n:04d}@example.com")["CreateAccountStatus"]
        ids.append(st["AccountId"])
    place_accounts(org, ids)
    auditor = create_auditor(bed, mgmt, madmin, policy=policy, extra_statements=[
        allow("sts:AssumeRole", "arn:aws:iam::*:role/iamgrade-audit"),
        allow(["organizations:ListAccounts", "organizations:DescribeOrganization"] + ORG_TREE)])
    return auditor, ids


def seed_single(bed, account, users, events, key_holders, policy):
    """A standalone account (no organization) of the same shape, with two
    identities: the iamgrade auditor (`iamgrade policy`) and "scripter", the
    user a hand-written boto3 script would run as (IAMReadOnlyAccess).
    Returns (auditor creds, scripter creds)."""
    admin = seed_account(bed, account, users, events, key_holders, None, None, policy)
    auditor = create_auditor(bed, account, admin, policy=policy)
    iam = _client(bed, "iam", admin)
    iam.create_user(UserName="scripter")
    iam.attach_user_policy(UserName="scripter", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    k = iam.create_access_key(UserName="scripter")["AccessKey"]
    return auditor, Creds(k["AccessKeyId"], k["SecretAccessKey"])
