#!/usr/bin/env python3
"""Add service last accessed to a gen_principals.py account, for timing
suggest-policy over every principal (bench stage "suggest").

    python3 tests/bench/gen_usage.py IN.json OUT.json [--seed S]

Every role and user gets an ok ACTION_LEVEL record: 2 to 8 services,
half of them drawn from the services its documents name (inline,
attached, its groups'), most used within the last 90 days of the
snapshot's collection; s3, ec2, lambda and iam (the services the bed
tracks at action level) list tracked actions, some used.  One principal
in fifty has a failed job.  The snapshot becomes schema /3.  The same
arguments always give the same file.
"""
import argparse
import datetime
import json
import random

import gen_principals

TRACKED = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "CreateBucket"],
    "ec2": ["DescribeInstances", "RunInstances", "TerminateInstances", "CreateTags"],
    "lambda": ["InvokeFunction", "GetFunction", "UpdateFunctionCode", "CreateFunction"],
    "iam": ["GetRole", "PassRole", "CreateRole", "AttachRolePolicy"],
}


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def prefixes(docs):
    """Service prefixes the documents' Action and NotAction entries name (a "*" service: none)."""
    out = set()
    for d in docs:
        st = d.get("Statement", []) if isinstance(d, dict) else []
        for s in st if isinstance(st, list) else [st]:
            a = s.get("Action", s.get("NotAction", []))
            for x in a if isinstance(a, list) else [a]:
                p = x.split(":", 1)[0].lower()
                if ":" in x and "*" not in p and "?" not in p:
                    out.add(p)
    return sorted(out)


def documents(entry, managed, groups):
    """An entry's inline and attached documents, and for a user its groups'."""
    docs = [p["PolicyDocument"] for k in ("RolePolicyList", "UserPolicyList", "GroupPolicyList")
            for p in entry.get(k, [])]
    docs += [managed[a["PolicyArn"]] for a in entry.get("AttachedManagedPolicies", [])
             if a["PolicyArn"] in managed]
    for g in entry.get("GroupList", []):
        if g in groups:
            docs += documents(groups[g], managed, {})
    return docs


def record(arn, kind, started, rng, granted):
    if rng.random() < 0.02:
        return {"Arn": arn, "type": kind, "status": "error",
                "error": {"code": "JobFailed", "message": "the job FAILED twice: InternalError"}}
    services = []
    n = rng.randint(2, 8)
    picked = rng.sample(granted, min(len(granted), n // 2))
    others = [x for x in gen_principals.SERVICES + ["iam"] if x not in picked]
    for ns in picked + rng.sample(others, n - len(picked)):
        s = {"ServiceNamespace": ns}
        if rng.random() < 0.7:
            s["LastAuthenticated"] = iso(started - datetime.timedelta(days=rng.randint(0, 200)))
        if ns in TRACKED:
            s["TrackedActionsLastAccessed"] = [
                dict({"ActionName": a}, **({"LastAccessedTime": iso(started - datetime.timedelta(
                    days=rng.randint(0, 120)))} if rng.random() < 0.4 else {}))
                for a in TRACKED[ns]]
        services.append(s)
    return {"Arn": arn, "type": kind, "status": "ok", "JobType": "ACTION_LEVEL",
            "JobCompletionDate": iso(started), "ServicesLastAccessed": services}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.inp, encoding="utf-8") as f:
        snap = json.load(f)
    started = datetime.datetime.strptime(snap["collection"]["started"], "%Y-%m-%dT%H:%M:%SZ")
    details = snap["sources"]["authorization_details"]["data"]
    managed = {p["Arn"]: next(v["Document"] for v in p["PolicyVersionList"] if v.get("IsDefaultVersion"))
               for p in details["policies"]}
    groups = {g["GroupName"]: g for g in details["groups"]}
    principals = [record(r["Arn"], "role", started, rng, prefixes(documents(r, managed, groups)))
                  for r in details["roles"]] + \
        [record(u["Arn"], "user", started, rng, prefixes(documents(u, managed, groups)))
         for u in details["users"]]
    snap["schema"] = "iamgrade.snapshot/3"
    snap["sources"]["last_accessed"] = {
        "status": "ok", "api_call": "iam:GenerateServiceLastAccessedDetails",
        "data": {"granularity": "ACTION_LEVEL", "principals": principals}}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(snap, f)


if __name__ == "__main__":
    main()
