#!/usr/bin/env python3
"""Generate one account with many principals, for timing the policy questions.

    python3 tests/bench/gen_principals.py ROLES POLICIES OUT.json [--users N] [--seed S]

The account (a gen_snapshots.py snapshot) gets ROLES roles and POLICIES
customer managed policies.  Each role has a trust policy, one or two inline
policies and up to four attached managed ones; one in ten has a permissions
boundary.  Documents are drawn from the shapes real accounts hold: named
actions, "svc:Get*", "svc:*", NotAction, ARN patterns with account ids and
wildcards, conditions, Denies; a few grant administrator or escalation
actions.  The same arguments always give the same file.
"""
import argparse
import json
import random

import gen_snapshots

SERVICES = ["s3", "ec2", "lambda", "dynamodb", "sqs", "sns", "logs", "kms", "cloudwatch",
            "ecr", "ecs", "rds", "secretsmanager", "ssm", "states", "events", "glue", "athena",
            "kinesis", "elasticloadbalancing", "autoscaling", "cloudformation", "route53"]
VERBS = ["Get", "List", "Describe", "Put", "Create", "Delete", "Update", "Tag", "Start", "Batch"]


def doc(*st):
    return {"Version": "2012-10-17", "Statement": list(st)}


def statement(acct, rng):
    k = rng.random()
    svc = rng.choice(SERVICES)
    if k < 0.35:
        acts = ["%s:%s*" % (svc, rng.choice(VERBS)) for _ in range(rng.randrange(1, 5))]
    elif k < 0.55:
        acts = "%s:*" % svc
    elif k < 0.75:
        acts = ["%s:%s%s" % (svc, rng.choice(VERBS), rng.choice(["Object", "Item", "Function", "Queue",
                                                                    "Instances", "Table", "Key"]))
                for _ in range(rng.randrange(1, 8))]
    elif k < 0.80:
        acts = "iam:PassRole"
    elif k < 0.83:
        acts = ["sts:AssumeRole"]
    else:
        acts = ["%s:*" % s for s in rng.sample(SERVICES, rng.randrange(2, 6))]
    res = rng.choice(["*", "*", "arn:aws:%s:us-east-1:%s:*" % (svc, acct),
                      "arn:aws:iam::%s:role/app-*" % acct, "arn:aws:s3:::bucket-%d/*" % rng.randrange(100)])
    st = {"Effect": "Allow", "Action": acts, "Resource": res}
    if rng.random() < 0.15:
        st["Condition"] = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    return st


def policy_doc(acct, rng):
    sts = [statement(acct, rng) for _ in range(rng.randrange(1, 6))]
    r = rng.random()
    if r < 0.01:
        sts.append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    elif r < 0.02:
        sts.append({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    if rng.random() < 0.1:
        sts.append({"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
    return doc(*sts)


def build(roles, policies, users, seed):
    rng = random.Random(seed)
    acct, snap = gen_snapshots.snapshot(0, users, rng)
    az = snap["sources"]["authorization_details"]["data"]
    pols = []
    for i in range(policies):
        name = "pol%05d" % i
        pols.append({"PolicyName": name, "Arn": "arn:aws:iam::%s:policy/%s" % (acct, name),
                     "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
                     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                            "Document": policy_doc(acct, rng)}]})
    rl = []
    for i in range(roles):
        name = "role%05d" % i
        trust = doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": rng.choice([{"Service": "lambda.amazonaws.com"},
                                              {"AWS": "arn:aws:iam::%s:root" % acct},
                                              {"Service": "ecs-tasks.amazonaws.com"}])})
        role = {"RoleName": name, "RoleId": "AROA%016d" % i, "Path": "/",
                "Arn": "arn:aws:iam::%s:role/%s" % (acct, name), "CreateDate": "2025-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [{"PolicyName": "inline%d" % k, "PolicyDocument": policy_doc(acct, rng)}
                                   for k in range(rng.randrange(1, 3))],
                "AttachedManagedPolicies": [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}
                                            for p in rng.sample(pols, rng.randrange(0, 5))]}
        if rng.random() < 0.1:
            b = rng.choice(pols)
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                           "PermissionsBoundaryArn": b["Arn"]}
        rl.append(role)
    az["roles"] = rl
    az["policies"] += pols
    return snap


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roles", type=int)
    ap.add_argument("policies", type=int)
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--seed", type=int, default=10)
    a = ap.parse_args()
    with open(a.out, "w") as f:
        json.dump(build(a.roles, a.policies, a.users, a.seed), f, separators=(",", ":"))


if __name__ == "__main__":
    main()
