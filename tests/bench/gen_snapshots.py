#!/usr/bin/env python3
"""Generate N synthetic snapshots of M users each, for timing `iamgrade check`.

    python3 tests/bench/gen_snapshots.py N M OUTDIR [--seed S]
    time ./iamgrade check --format json OUTDIR/*.json > /dev/null

Each snapshot (docs/snapshot-format.md) is a plausible account: M users with
console passwords, MFA and access keys of assorted ages (about one in ten
breaks something), groups, a few roles created in the window, one trail.
The same arguments always give the same files.
"""
import argparse
import datetime
import json
import os
import random

STARTED = datetime.datetime(2026, 11, 27, 10, 0, 0, tzinfo=datetime.timezone.utc)
# The credential report's 22 columns, as AWS sends them (every row has them all).
COLUMNS = ["user", "arn", "user_creation_time", "password_enabled", "password_last_used",
           "password_last_changed", "password_next_rotation", "mfa_active"] + [
    "access_key_%d_%s" % (k, c) for k in (1, 2)
    for c in ("active", "last_rotated", "last_used_date", "last_used_region", "last_used_service")] + [
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"]


def ts(days_ago, rng, fmt="%Y-%m-%dT%H:%M:%S+00:00"):
    t = STARTED - datetime.timedelta(days=days_ago, seconds=rng.randrange(86400))
    return t.strftime(fmt)


def user(acct, i, rng):
    name = "user%06d" % i
    arn = "arn:aws:iam::%s:user/%s" % (acct, name)
    created = rng.randrange(100, 2000)
    pw = rng.random() < 0.7
    row = {"user": name, "arn": arn, "user_creation_time": ts(created, rng),
           "password_enabled": "true" if pw else "false",
           "password_last_used": ts(rng.randrange(0, 60), rng) if pw else "N/A",
           "password_last_changed": ts(rng.randrange(0, 120), rng) if pw else "N/A",
           "password_next_rotation": "N/A",
           "mfa_active": "true" if (not pw or rng.random() < 0.95) else "false",
           "cert_1_active": "false", "cert_1_last_rotated": "N/A",
           "cert_2_active": "false", "cert_2_last_rotated": "N/A"}
    keys = []
    nkeys = rng.choice([0, 1, 1, 1, 2]) if rng.random() < 0.6 else 0
    for k in (1, 2):
        p = "access_key_%d_" % k
        if k <= nkeys:
            age = rng.randrange(1, 130)
            row.update({p + "active": "true", p + "last_rotated": ts(age, rng),
                        p + "last_used_date": ts(rng.randrange(0, min(age, 50)), rng),
                        p + "last_used_region": "us-east-1", p + "last_used_service": "s3"})
            keys.append({"UserName": name, "AccessKeyId": "AKIA%016d" % (i * 2 + k),
                         "Status": "Active", "CreateDate": row[p + "last_rotated"].replace("+00:00", "Z")})
        else:
            row.update({p + "active": "false", p + "last_rotated": "N/A", p + "last_used_date": "N/A",
                        p + "last_used_region": "N/A", p + "last_used_service": "N/A"})
    detail = {"UserName": name, "UserId": "AIDA%016d" % i, "Arn": arn, "Path": "/",
              "CreateDate": row["user_creation_time"].replace("+00:00", "Z"),
              "GroupList": ["group%02d" % (i % 20)], "UserPolicyList": [], "Tags": [],
              "AttachedManagedPolicies": ([{"PolicyName": "ReadOnlyAccess",
                                            "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
                                          if rng.random() < 0.05 else [])}
    return row, keys, detail


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def snapshot(n, m, rng):
    acct = "%012d" % (100000000000 + n)
    rows = [{"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % acct,
             "user_creation_time": "2018-01-01T00:00:00+00:00", "password_enabled": "not_supported",
             "password_last_used": ts(rng.randrange(10, 400), rng), "password_last_changed": "not_supported",
             "password_next_rotation": "not_supported", "mfa_active": "true",
             "access_key_1_active": "false", "access_key_1_last_rotated": "N/A",
             "access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A",
             "access_key_1_last_used_service": "N/A", "access_key_2_active": "false",
             "access_key_2_last_rotated": "N/A", "access_key_2_last_used_date": "N/A",
             "access_key_2_last_used_region": "N/A", "access_key_2_last_used_service": "N/A",
             "cert_1_active": "false", "cert_1_last_rotated": "N/A",
             "cert_2_active": "false", "cert_2_last_rotated": "N/A"}]
    keys, users = [], []
    for i in range(m):
        row, k, d = user(acct, i, rng)
        rows.append(row)
        keys += k
        users.append(d)
    groups = [{"GroupName": "group%02d" % g, "Arn": "arn:aws:iam::%s:group/group%02d" % (acct, g),
               "GroupPolicyList": [], "AttachedManagedPolicies": [
                   {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
              for g in range(20)]
    roles, events = [], []
    for r in range(10):
        name = "role%02d" % r
        other = rng.random() < 0.2
        trust = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
            "AWS": "arn:aws:iam::%s:root" % ("999988887777" if other else acct)}})
        roles.append({"RoleName": name, "RoleId": "AROA%016d" % r, "Arn": "arn:aws:iam::%s:role/%s" % (acct, name),
                      "Path": "/", "CreateDate": ts(r, rng, "%Y-%m-%dT%H:%M:%SZ"),
                      "AssumeRolePolicyDocument": trust, "AttachedManagedPolicies": [],
                      "RolePolicyList": [{"PolicyName": "work", "PolicyDocument": doc(
                          {"Effect": "Allow", "Action": ["s3:GetObject", "sqs:*"], "Resource": "*"})}]})
        eid = "%08x-0000-4000-8000-%012d" % (n, r)
        events.append({"EventId": eid, "EventName": "CreateRole", "EventTime": roles[-1]["CreateDate"],
                       "Username": "admin", "CloudTrailEvent": {
                           "eventID": eid, "eventName": "CreateRole", "eventTime": roles[-1]["CreateDate"],
                           "userIdentity": {"type": "AssumedRole",
                                            "arn": "arn:aws:sts::%s:assumed-role/Admin/admin" % acct},
                           "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2.15.0",
                           "requestParameters": {"roleName": name, "assumeRolePolicyDocument": json.dumps(trust)}}})
    ok = lambda call, data: {"status": "ok", "api_call": call, "data": data}
    return acct, {
        "schema": "iamgrade.snapshot/1",
        "tool": {"name": "iamgrade", "version": "0.1.0"},
        "account": {"id": acct, "alias": "bench-%d" % n, "name": None},
        "caller": {"arn": "arn:aws:sts::%s:assumed-role/iamgrade-audit/iamgrade" % acct, "user_id": "AROA:x"},
        "region": "us-east-1", "endpoints": {},
        "collection": {"started": STARTED.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "finished": (STARTED + datetime.timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "api_calls": 20 + len(keys), "retries": 0, "window_days": 30, "complete": True,
                       "problems": []},
        "sources": {
            "credential_report": ok("iam:GetCredentialReport", {
                "generated_time": (STARTED - datetime.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "columns": COLUMNS, "rows": rows}),
            "password_policy": ok("iam:GetAccountPasswordPolicy", {
                "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
                "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
                "PasswordReusePrevention": 24}),
            "account_summary": ok("iam:GetAccountSummary", {"AccountMFAEnabled": 1, "Users": m}),
            "virtual_mfa_devices": ok("iam:ListVirtualMFADevices", []),
            "access_keys": ok("iam:ListAccessKeys", keys),
            "authorization_details": ok("iam:GetAccountAuthorizationDetails", {
                "users": users, "groups": groups, "roles": roles, "policies": [
                    {"PolicyName": "ReadOnlyAccess", "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                     "DefaultVersionId": "v1", "AttachmentCount": 20, "IsAttachable": True,
                     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": doc(
                         {"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"})}]}]}),
            "trails": ok("cloudtrail:DescribeTrails", [{
                "trail": {"Name": "main", "TrailARN": "arn:aws:cloudtrail:us-east-1:%s:trail/main" % acct,
                          "HomeRegion": "us-east-1", "IsMultiRegionTrail": True,
                          "IncludeGlobalServiceEvents": True, "LogFileValidationEnabled": n % 3 != 0},
                "status": ok("cloudtrail:GetTrailStatus", {"IsLogging": True}),
                "event_selectors": ok("cloudtrail:GetEventSelectors", {"EventSelectors": [
                    {"ReadWriteType": "All", "IncludeManagementEvents": True}]})}]),
            "create_role_events": ok("cloudtrail:LookupEvents", {
                "start": "2026-10-28T10:00:00Z", "end": "2026-11-27T10:00:00Z", "region": "us-east-1",
                "events": events}),
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("snapshots", type=int)
    ap.add_argument("users", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for n in range(a.snapshots):
        rng = random.Random(a.seed * 1000003 + n)
        acct, snap = snapshot(n, a.users, rng)
        with open(os.path.join(a.outdir, acct + ".json"), "w") as f:
            json.dump(snap, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
