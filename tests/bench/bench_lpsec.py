"""The lpsection stage of make bench (BENCH_STAGES=lpsection): the "Least
privilege" section of one account with BENCH_LP_PRINCIPALS roles (a list:
one row each), each granted 1 to 8 services of an inline policy and using
some of them (tests/checks/base/compliant.json plus generated roles and
their last-accessed records; the same sizes always give the same file).
Rows: `iamgrade check` (LP-01..04 and the results' least_privilege rows),
then `iamgrade report --results` to HTML and to PDF, with the bytes and
pages, so that one can read that the section stays bounded (50 bars, the
rest counted) while the results keep every principal.  Figures, not
assertions.

Sizes: BENCH_LP_PRINCIPALS [250,2500].
"""
import json
import os
import random

ACCOUNT = "123456789012"
ACTIONS = ["s3:GetObject", "ec2:DescribeInstances", "sqs:SendMessage", "sns:Publish",
           "dynamodb:Query", "kms:Decrypt", "lambda:InvokeFunction", "logs:PutLogEvents"]


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return [int(x) for x in v.split(",") if x.strip().isdigit()] if v else default


def snapshot(repo, n, path):
    """Write the account of n generated roles to path (kept and reused)."""
    if os.path.exists(path):
        return
    rng = random.Random(n)
    with open(os.path.join(repo, "tests", "checks", "base", "compliant.json")) as f:
        snap = json.load(f)
    roles = snap["sources"]["authorization_details"]["data"]["roles"]
    la = snap["sources"]["last_accessed"]["data"]["principals"]
    for i in range(n):
        name = "app-%05d" % i
        arn = "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)
        granted = rng.sample(ACTIONS, rng.randrange(1, len(ACTIONS) + 1))
        used = [a.split(":")[0] for a in granted if rng.random() < 0.5]
        roles.append({"RoleName": name, "RoleId": "AROA%016d" % i, "Arn": arn, "Path": "/",
                      "CreateDate": "2024-01-01T00:00:00Z",
                      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]},
                      "RolePolicyList": [{"PolicyName": "app", "PolicyDocument": {
                          "Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": granted, "Resource": "*"}]}}],
                      "AttachedManagedPolicies": [],
                      "RoleLastUsed": {"LastUsedDate": "2026-11-20T09:00:00Z", "Region": "us-east-1"}
                      if used or rng.random() < 0.8 else {}})
        la.append({"Arn": arn, "type": "role", "status": "ok", "JobType": "ACTION_LEVEL",
                   "JobCompletionDate": "2026-11-27T10:00:04Z",
                   "ServicesLastAccessed": [{"ServiceNamespace": s, "LastAuthenticated": "2026-11-20T09:00:00Z"}
                                            for s in used]})
    with open(path + ".tmp", "w") as f:
        json.dump(snap, f)
    os.replace(path + ".tmp", path)


def stage_lpsection(c, work, repo, measure, machine, pdf_pages):
    res = {"m0": machine(), "rows": []}
    for n in env_list("BENCH_LP_PRINCIPALS", [250, 2500]):
        snap = os.path.join(work, "lpsec-%d.snapshot.json" % n)
        results = os.path.join(work, "lpsec-%d.results.json" % n)
        snapshot(repo, n, snap)
        print("bench: lpsection, %d roles: check, report --html, --pdf ..." % n, flush=True)
        with open(results, "w") as out:
            chk = measure([c["iamgrade"], "check", "--format", "json", snap], stdout=out)
        with open(results) as f:
            principals = len(json.load(f)["accounts"][0]["least_privilege"]["principals"])
        row = {"n": n, "principals": principals, "check": chk}
        for fmt in ("html", "pdf"):
            path = os.path.join(work, "lpsec-%d.%s" % (n, fmt))
            if os.path.exists(path):
                os.remove(path)
            r = measure([c["iamgrade"], "report", "--results", results, "--" + fmt, path])
            r["bytes"] = os.path.getsize(path) if os.path.exists(path) else 0
            r["pages"] = pdf_pages(path) if fmt == "pdf" and r["bytes"] else None
            row[fmt] = r
        res["rows"].append(row)
    res["m1"] = machine()
    return res


def report_lpsection(c, res, secs, mib, size, table, machine_line):
    rows = []
    for r in res["rows"]:
        rows.append((r["n"], r["principals"], secs(r["check"]["wall"]), mib(r["check"]["rss_kb"]),
                     secs(r["html"]["wall"]), mib(r["html"]["rss_kb"]), size(r["html"]["bytes"]),
                     secs(r["pdf"]["wall"]), mib(r["pdf"]["rss_kb"]), size(r["pdf"]["bytes"]),
                     r["pdf"]["pages"] if r["pdf"]["pages"] is not None else "-"))
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        "One account of N generated roles (tests/bench/bench_lpsec.py), each granted 1-8 services and "
        "using about half; `iamgrade check` then `iamgrade report --results` (one process each).",
        table(("roles", "rows in results", "check wall", "check RSS", "HTML wall", "HTML RSS", "HTML size",
               "PDF wall", "PDF RSS", "PDF size", "PDF pages"), rows),
    ])
