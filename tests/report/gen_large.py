#!/usr/bin/env python3
"""Generate a large results document (docs/results-format.md) for the PDF tests.

  gen_large.py [--users 2000] [--events 300] [--accounts 1] [--seed 1] OUT

The default is one 2,000-user account with 300 CreateRole events and
thousands of findings: MFA, unused credentials, old and duplicate keys,
user policies, and risky trust policies (long ones, ARNs without spaces,
conditions, some non-Latin names).  Several accounts (--accounts N) give a
comparison document whose matrix is wider than a page.  The output depends
only on the arguments (seeded), so a render of it can be compared run to run.

The control catalogue (titles, severities, CIS/Security Hub ids, sources)
is read from fixtures/sample.results.json so that the two agree.
"""
import argparse
import hashlib
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1}
NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor",
         "walter", "李雷", "韩梅梅", "محمد", "فاطمة", "zoë", "łukasz", "søren"]
AGENTS = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/iam.create-role",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.2",
    "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.0",
    "console.amazonaws.com",
    "aws-sdk-java/2.21.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.8+7-LTS Java/17.0.8 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/Apache cfg/retry-mode/standard",
]


def catalogue():
    with open(os.path.join(HERE, "fixtures", "sample.results.json")) as f:
        doc = json.load(f)
    return doc["families"], doc["thresholds"], doc["accounts"][0]["controls"]


def user_name(rng, i):
    base = NAMES[i % len(NAMES)]
    return f"{base}.{i:04d}" if rng.random() < 0.9 else f"{base}-with-a-rather-long-service-account-name-{i:04d}"


def trust_policy(rng, acct, i):
    kind = rng.randrange(6)
    if kind == 0:
        st = [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
    elif kind == 1:
        other = f"{rng.randrange(10**11, 10**12):012d}"
        st = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
               "Action": "sts:AssumeRole",
               "Condition": {"StringEquals": {"sts:ExternalId": f"ext-{i:05d}"}}}]
    elif kind == 2:
        st = [{"Effect": "Allow",
               "Principal": {"Federated": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"},
               "Action": "sts:AssumeRoleWithWebIdentity",
               "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                             "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}]
    elif kind == 3:
        # A long policy: many principals, long ARNs without spaces.
        st = [{"Effect": "Allow",
               "Principal": {"AWS": [f"arn:aws:iam::{acct}:role/service-role/very-long-path/segment-{j}/"
                                     f"deployment-pipeline-role-for-application-{i:05d}-{j:02d}"
                                     for j in range(12)]},
               "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
               "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::" + acct + ":role/" + "x" * 180}}}]
    elif kind == 4:
        st = [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]},
               "Action": "sts:AssumeRole"}]
    else:
        st = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
               "Action": "sts:AssumeRole",
               "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]
    return {"Version": "2012-10-17", "Statement": st}, kind


def make_account(rng, idx, n_users, n_events, controls, window):
    acct = f"{100000000000 + idx * 111111111:012d}"[-12:]
    users = [user_name(rng, i) for i in range(n_users)]
    arn = lambda kind, name: f"arn:aws:iam::{acct}:{kind}/{name}"
    findings = {c["id"]: [] for c in controls}
    cli = {c["id"]: [] for c in controls}
    console = {c["id"]: [] for c in controls}
    for i, u in enumerate(users):
        key = f"AKIA{hashlib.sha1(f'{acct}{u}'.encode()).hexdigest()[:16].upper()}"
        if rng.random() < 0.35:
            findings["USER-01"].append({"resource": arn("user", u), "resource_name": u,
                "reason": "console password without MFA", "severity": "high",
                "evidence": {"password_enabled": "true", "mfa_active": "false",
                             "password_last_used": f"2026-11-{rng.randrange(1, 27):02d}T08:00:00Z"}})
            console["USER-01"].append(f"IAM > Users > {u} > Security credentials > Assign MFA device.")
            cli["USER-01"].append(f"aws iam create-virtual-mfa-device --virtual-mfa-device-name {u} "
                                  f"--outfile {u}-qr.png --bootstrap-method QRCodePNG")
        if rng.random() < 0.2:
            days = rng.randrange(46, 900)
            findings["USER-03"].append({"resource": arn("user", u), "resource_name": u,
                "reason": f"access key {key} unused for {days} days (limit 45)", "severity": "medium",
                "evidence": {"access_key_id": key, "days": days}})
            cli["USER-03"].append(f"aws iam update-access-key --user-name {u} --access-key-id {key} --status Inactive")
        if rng.random() < 0.3:
            age = rng.randrange(91, 1500)
            findings["USER-05"].append({"resource": arn("user", u), "resource_name": u,
                "reason": f"access key {key} is {age} days old (limit 90)", "severity": "medium",
                "evidence": {"access_key_id": key, "age_days": age, "created": "2024-01-01T00:00:00Z"}})
            cli["USER-05"] += [f"aws iam create-access-key --user-name {u}",
                               f"aws iam update-access-key --user-name {u} --access-key-id {key} --status Inactive",
                               f"aws iam delete-access-key --user-name {u} --access-key-id {key}"]
        if rng.random() < 0.05:
            findings["USER-04"].append({"resource": arn("user", u), "resource_name": u,
                "reason": "2 active access keys", "severity": "medium",
                "evidence": {"access_key_ids": f"{key}, {key[:-1]}Z"}})
        if rng.random() < 0.15:
            pol = f"arn:aws:iam::{acct}:policy/inline-{u}-permissions"
            findings["USER-07"].append({"resource": arn("user", u), "resource_name": u,
                "reason": f"policy {pol} is attached to the user", "severity": "low",
                "evidence": {"policy_arn": pol}})
            cli["USER-07"].append(f"aws iam detach-user-policy --user-name {u} --policy-arn {pol}")
    events = []
    for i in range(n_events):
        name = f"role-{i:04d}-" + rng.choice(["deploy", "reader", "vendor", "ci", "etl", "审计", "مراجعة"])
        tp, kind = trust_policy(rng, acct, i)
        creator = arn("user", rng.choice(users)) if rng.random() < 0.5 else \
            f"arn:aws:sts::{acct}:assumed-role/Admin/{rng.choice(users)}"
        ev = {"event_id": f"{rng.getrandbits(128):032x}", "time": f"2026-11-{1 + i % 26:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
              "role_name": name, "role_arn": arn("role", name), "creator_arn": creator,
              "creator_type": "IAMUser" if ":user/" in creator else "AssumedRole",
              "source_ip": f"203.0.113.{i % 250}", "user_agent": rng.choice(AGENTS),
              "error_code": "AccessDenied" if i % 37 == 0 else None,
              "trust_policy": tp, "role_exists": i % 11 != 0}
        events.append(ev)
        base = {"event_id": ev["event_id"], "creator_arn": creator, "time": ev["time"],
                "source_ip": ev["source_ip"], "user_agent": ev["user_agent"],
                "statement": json.dumps(tp["Statement"][0], sort_keys=True)}
        cid = {0: "ROLE-01", 1: "ROLE-02", 2: "ROLE-03", 3: "ROLE-06"}.get(kind)
        if cid:
            findings[cid].append({"resource": ev["role_arn"], "resource_name": name,
                "reason": f"trust policy of {name} is too broad ({['wildcard principal', 'outside account', 'OIDC subject repo:*', 'escalation grant'][kind]})",
                "severity": "medium" if kind == 1 else None, "evidence": base})
            cli[cid].append(f"aws iam update-assume-role-policy --role-name {name} --policy-document file://{name}-trust.json")
    out = []
    for c in controls:
        c = json.loads(json.dumps(c))
        c["findings"] = findings.get(c["id"], [])
        for f in c["findings"]:
            if f["severity"] is None:
                f["severity"] = c["severity"]
        if c["findings"]:
            c["status"], c["reason"] = "FAIL", None
            if cli[c["id"]]:
                c["remediation"]["cli"] = cli[c["id"]]
            if console[c["id"]]:
                c["remediation"]["console"] = c["remediation"]["console"][:2] + console[c["id"]]
        elif c["status"] == "FAIL":
            c["status"] = "PASS"
        out.append(c)
    counts = {s: sum(1 for c in out if c["status"] == s)
              for s in ("PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE")}
    graded = [c for c in out if c["status"] in ("PASS", "FAIL")]
    total = sum(WEIGHT[c["severity"]] for c in graded)
    score = round(100 * sum(WEIGHT[c["severity"]] for c in graded if c["status"] == "PASS") / total) if total else None
    grade = None if score is None else next(g for g, lim in (("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", -1)) if score >= lim)
    return {
        "account_id": acct, "alias": f"large-{idx}", "name": f"Large account {idx} 大",
        "snapshot": {"file": f"{acct}.json", "sha256": hashlib.sha256(acct.encode()).hexdigest()},
        "collection": {"started": "2026-11-27T10:00:00Z", "finished": "2026-11-27T10:05:00Z",
                       "complete": True, "problems": [], "caller_arn": f"arn:aws:iam::{acct}:role/iamgrade-audit",
                       "tool_version": "0.1.0", "window_days": window},
        "credential_report_generated": "2026-11-27T09:58:00Z",
        "score": score, "grade": grade,
        "coverage": {"evaluated": counts["PASS"] + counts["FAIL"] + counts["NOT_APPLICABLE"], "total": len(out)},
        "counts": counts, "controls": out, "create_role_events": events,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--accounts", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    families, thresholds, controls = catalogue()
    doc = {"schema": "iamgrade.results/1", "tool": {"name": "iamgrade", "version": "0.1.0"},
           "generated_at": "2026-11-27T10:05:00Z", "thresholds": thresholds, "families": families,
           "accounts": [make_account(rng, i + 1, a.users, a.events, controls, 30) for i in range(a.accounts)]}
    with open(a.out, "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
