"""The lastaccess stage of make bench (BENCH_STAGES=lastaccess): service last
accessed for one account of BENCH_LA_ROLES roles and BENCH_LA_USERS users,
every bed answer BENCH_LATENCY_MS late, each job ready at its
BENCH_LA_DELAY_POLLS + 1-th read.  Rows: `iamgrade collect` with and without
--no-last-accessed (the difference is what last accessed costs: calls and
seconds, with the concurrency used, per account and per 1,000 principals),
for BENCH_LA_JOBS jobs in flight (a list: one row each); then `iamgrade
check` of the collected snapshot (LP-01..04 over every principal, one core:
seconds and peak RSS) next to the check of the snapshot without last
accessed.  Figures, not assertions.

Sizes: BENCH_LA_ROLES [2000], BENCH_LA_USERS [500], BENCH_LA_JOBS [8,16],
BENCH_LA_DELAY_POLLS [1].
"""
import json
import os
import shutil

import bedlib

ACCOUNT = "123456789012"


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v.isdigit() else default


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return [int(x) for x in v.split(",") if x.strip().isdigit()] if v else default


def _seed(bed, roles, users):
    admin = bedlib.bootstrap_admin(bed, ACCOUNT)
    iam = bed.client("iam", admin)
    trust = bedlib.doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole"})
    pol = iam.create_policy(PolicyName="app", PolicyDocument=bedlib.doc(
        {"Effect": "Allow", "Action": ["s3:*", "dynamodb:GetItem", "sqs:SendMessage"],
         "Resource": "*"}))["Policy"]["Arn"]
    for i in range(roles):
        iam.create_role(RoleName=f"app-{i:05d}", AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName=f"app-{i:05d}", PolicyArn=pol)
    bed.ctl("users", {"account": ACCOUNT, "users": [
        {"name": f"user-{i:05d}", "keys": 1 if i % 2 else 0, "console": i % 3 == 0}
        for i in range(users)]})
    return bedlib.create_auditor(bed, ACCOUNT, admin)


def stage_lastaccess(c, work, measure, machine):
    roles, users = env_int("BENCH_LA_ROLES", 2000), env_int("BENCH_LA_USERS", 500)
    delay = env_int("BENCH_LA_DELAY_POLLS", 1)
    res = {"m0": machine(), "roles": roles, "users": users, "delay": delay,
           "latency": c["latency_ms"], "rows": []}
    log = os.path.join(work, "bed-lastaccess.log")
    with bedlib.Bed(log_path=log) as bed:
        print(f"bench: seeding {roles} roles and {users} users ...", flush=True)
        auditor = _seed(bed, roles, users)
        bed.last_accessed(ACCOUNT, delay_polls=delay)
        bed.auth(True)
        if c["latency_ms"]:
            bed.set_faults([{"kind": "latency", "latency_ms": c["latency_ms"]}])
        home = os.path.join(work, "home-lastaccess")
        shutil.rmtree(home, ignore_errors=True)
        snaps = {}
        for jobs in [None] + env_list("BENCH_LA_JOBS", [8, 16]):
            out = os.path.join(work, f"lastaccess-{jobs or 'none'}")
            shutil.rmtree(out, ignore_errors=True)
            # The real poll interval: the bench measures it, not the tests' 20 ms.
            env = bedlib.aws_env(bed, auditor, home=home, extra={"IAMGRADE_LA_POLL_MS": "1000"})
            if jobs:
                env["IAMGRADE_LA_JOBS"] = str(jobs)
            args = [c["iamgrade"], "collect", "--out", out, "-q"] + ([] if jobs else ["--no-last-accessed"])
            print(f"bench: collect {'with ' + str(jobs) + ' jobs' if jobs else '--no-last-accessed'} ...",
                  flush=True)
            bed.reset_stats()
            r = measure(args, env=env)
            files = [f for f in os.listdir(out) if f.endswith(".json")] if os.path.isdir(out) else []
            snap = json.load(open(os.path.join(out, files[0]))) if files else {}
            coll = snap.get("collection", {})
            stats = bed.stats(ACCOUNT)
            la = coll.get("last_accessed", {})
            st = {}
            for p in ((snap.get("sources", {}).get("last_accessed") or {}).get("data") or {}).get("principals", []):
                st[p["status"]] = st.get(p["status"], 0) + 1
            res["rows"].append({"jobs": jobs, **r, "calls": coll.get("api_calls"),
                                "la_calls": la.get("api_calls", 0), "la_ms": la.get("ms", 0),
                                "gen": stats.get("iam:GenerateServiceLastAccessedDetails", 0),
                                "get": stats.get("iam:GetServiceLastAccessedDetails", 0),
                                "statuses": st})
            if files:
                snaps[jobs] = os.path.join(out, files[0])
    res["checks"] = []
    for jobs, path in sorted(snaps.items(), key=lambda kv: kv[0] or 0)[:2]:
        print(f"bench: check {os.path.basename(os.path.dirname(path))} ...", flush=True)
        r = measure([c["iamgrade"], "check", "--format", "json", path])
        res["checks"].append({"what": "with last accessed (LP-01..04 graded)" if jobs else
                              "without (LP-03/04 NOT_EVALUATED)", **r})
    res["m1"] = machine()
    return res


def report_lastaccess(c, res, secs, mib, table, machine_line):
    n = res["roles"] + res["users"]
    base = next((r for r in res["rows"] if r["jobs"] is None), None)
    rows = []
    for r in res["rows"]:
        extra_s = r["wall"] - base["wall"] if base and r["jobs"] else 0
        rows.append((r["jobs"] or "--no-last-accessed", r["calls"], r["gen"], r["get"],
                     secs(r["wall"]), secs(extra_s) if r["jobs"] else "",
                     f"{r['la_calls'] * 1000 / n:.0f}" if r["jobs"] else "",
                     secs(extra_s * 1000 / n) if r["jobs"] else "",
                     secs(r["cpu"]), mib(r["rss_kb"]),
                     ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))))
    checks = [(k["what"], secs(k["wall"]), secs(k["cpu"]), mib(k["rss_kb"])) for k in res["checks"]]
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"One account of {res['roles']} roles and {res['users']} users ({n} principals), every "
        f"answer {res['latency']} ms late, each job COMPLETED at read number {res['delay'] + 1}, "
        "polled from 1 s.",
        table(("jobs in flight", "calls", "Generate", "Get", "wall", "added", "calls / 1,000 principals",
               "added s / 1,000 principals", "CPU", "peak RSS", "principals"), rows),
        "`iamgrade check` of those snapshots (one core):",
        table(("snapshot", "wall", "CPU", "peak RSS"), checks),
    ])
