"""The changes stage of make bench (BENCH_STAGES=changes): what collecting the
window's IAM and CloudTrail changes (the change_events source, CHG-01..03)
costs per account.  One account per row of BENCH_CHG_USERS users and
BENCH_CHG_EVENTS change events in the window (spread evenly over the 13
event names, stored in the bed's CloudTrail as the front stores real calls),
every bed answer BENCH_LATENCY_MS late; `iamgrade collect --no-last-accessed`
each, counting the LookupEvents calls the bed answered and the wall time.
The calls must grow with the events (one more per 50 of one name), not with
the users.  Figures, not assertions.

Sizes: BENCH_CHG_USERS [100,2000], BENCH_CHG_EVENTS [0,650,2600].
"""
import json
import os
import shutil

import bedlib
from bed_trail import CHANGE_NAMES

BASE = 333300000000


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return [int(x) for x in v.split(",") if x.strip().isdigit()] if v else default


def _names():
    return sorted(CHANGE_NAMES["iam"]) + sorted(CHANGE_NAMES["cloudtrail"])


def _seed(bed, account, users, events):
    admin = bedlib.bootstrap_admin(bed, account)
    bed.ctl("users", {"account": account, "users": [{"name": f"user-{i:05d}"} for i in range(users)]})
    auditor = bedlib.create_auditor(bed, account, admin)
    bed.age_events(account)     # the setup is not a change of the window
    names = _names()
    for i in range(events):
        name = names[i % len(names)]
        ct = name in CHANGE_NAMES["cloudtrail"]
        bed.inject_event(account, {
            "eventName": name, "eventSource": "cloudtrail.amazonaws.com" if ct else "iam.amazonaws.com",
            "requestParameters": {"name": "main"} if ct else {"userName": f"user-{i % max(users, 1):05d}",
                                                              "roleName": f"role-{i}"}})
    return auditor


def stage_changes(c, work, measure, machine):
    res = {"m0": machine(), "latency": c["latency_ms"], "rows": []}
    log = os.path.join(work, "bed-changes.log")
    with bedlib.Bed(log_path=log) as bed:
        n = 0
        for users in env_list("BENCH_CHG_USERS", [100, 2000]):
            for events in env_list("BENCH_CHG_EVENTS", [0, 650, 2600]):
                n += 1
                account = str(BASE + n)
                print(f"bench: changes: seeding {users} users, {events} change events ...", flush=True)
                bed.auth(False)
                bed.set_faults([])
                auditor = _seed(bed, account, users, events)
                bed.auth(True)
                if c["latency_ms"]:
                    bed.set_faults([{"kind": "latency", "latency_ms": c["latency_ms"]}])
                out = os.path.join(work, f"changes-{users}u-{events}e")
                shutil.rmtree(out, ignore_errors=True)
                env = bedlib.aws_env(bed, auditor, home=os.path.join(work, "home-changes"))
                bed.reset_stats()
                r = measure([c["iamgrade"], "collect", "--out", out, "-q", "--no-last-accessed"], env=env)
                files = [f for f in os.listdir(out) if f.endswith(".json")] if os.path.isdir(out) else []
                snap = json.load(open(os.path.join(out, files[0]))) if files else {}
                src = snap.get("sources", {}).get("change_events", {})
                stats = bed.stats(account)
                res["rows"].append({"users": users, "events": events, **r,
                                    "lookups": stats.get("cloudtrail:LookupEvents", 0),
                                    "calls": snap.get("collection", {}).get("api_calls"),
                                    "kept": len((src.get("data") or {}).get("events", [])),
                                    "status": src.get("status", "-")})
    res["m1"] = machine()
    return res


def report_changes(c, res, secs, mib, table, machine_line):
    rows = [(r["users"], r["events"], r["status"], r["kept"], r["lookups"], r["calls"], secs(r["wall"]),
             secs(r["cpu"]), mib(r["rss_kb"])) for r in res["rows"]]
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"One account a row, every answer {res['latency']} ms late, the events spread evenly over "
        f"the 13 names (so 50 x 13 = 650 events still fit one page a name). LookupEvents counts "
        "CreateRole's series (1 call: no role was created) and the 13 change series (one region: "
        "the account has no trail).",
        table(("users", "change events", "change_events", "events kept", "LookupEvents calls",
               "API calls in all", "collect wall", "CPU", "peak RSS"), rows),
    ])
