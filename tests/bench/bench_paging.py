"""The paging stage of make bench (BENCH_STAGES=paging): iamgrade against a
server that gets paging wrong.  The test bed answers one paginated call of
one account with pages of its own (tests/bed/README.md: page_alternate,
page_repeat, page_endless, each page padded to BENCH_PAGE_KIB), and each
row times `iamgrade collect` (or `run --organization` for ListAccounts)
until it gives up: the seconds, the peak RSS, the pages the bed served,
and what the source became.  Before the guards, alternating markers ran to
10,000 pages and 6.3 GB; the figures show where it stops now.

Sizes: BENCH_PAGE_KIB [1024] (padding per page), BENCH_PAGING_MAX_PAGES
[unset: the collector's 10,000] for the endless row.
"""
import json
import os
import shutil

import bedlib

ACCOUNT = "123456789012"    # moto's default account: auth is off, any key lands there


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v.isdigit() else default


ROWS = (
    # what, action, kind, source (None: the run's account list)
    ("IAM markers in turn", "iam:GetAccountAuthorizationDetails", "page_alternate", "authorization_details"),
    ("IAM marker repeated", "iam:ListVirtualMFADevices", "page_repeat", "virtual_mfa_devices"),
    ("CloudTrail NextToken repeated", "cloudtrail:LookupEvents", "page_repeat", "create_role_events"),
    ("CloudTrail NextTokens in turn", "cloudtrail:LookupEvents", "page_alternate", "create_role_events"),
    ("IAM pages for ever (to the 1 GiB cap)", "iam:GetAccountAuthorizationDetails", "page_endless",
     "authorization_details"),
    ("Organizations NextTokens in turn", "organizations:ListAccounts", "page_alternate", None),
)


def stage_paging(c, work, measure, machine):
    pad = env_int("BENCH_PAGE_KIB", 1024) << 10
    max_pages = env_int("BENCH_PAGING_MAX_PAGES", 0)
    log = os.path.join(work, "bed-paging.log")
    res = {"m0": machine(), "pad": pad, "rows": []}
    with bedlib.Bed(log_path=log) as bed:
        # An organization, so that ListAccounts is reached (auth is off).
        bed.client("organizations").create_organization(FeatureSet="ALL")
        for what, action, kind, source in ROWS:
            out = os.path.join(work, "paging-out")
            shutil.rmtree(out, ignore_errors=True)
            home = os.path.join(work, "home-paging")
            shutil.rmtree(home, ignore_errors=True)
            extra = {"IAMGRADE_REPORT_POLL_MS": "20"}
            if max_pages and kind == "page_endless":
                extra["IAMGRADE_MAX_PAGES"] = str(max_pages)
            env = bedlib.aws_env(bed, bedlib.Creds("AKIDBENCHPAGING00000", "bench-secret"), home=home,
                                 extra=extra)
            bed.set_faults([{"account": ACCOUNT, "action": action, "kind": kind, "pad_bytes": pad}])
            bed.reset_stats()
            cmd = [c["iamgrade"], "collect", "--report-wait", "30", "--out", out] if source else \
                [c["iamgrade"], "run", "--organization", "--role-name", "x", "--no-pdf", "--out", out]
            print(f"bench: paging: {what} ...", flush=True)
            errf = os.path.join(work, "paging-stderr")
            with open(errf, "wb") as ef:
                r = measure(cmd, env=env, stderr=ef)
            served = bed.stats(ACCOUNT).get(action, 0)
            bed.clear_faults()
            if source:
                snaps = [n for n in os.listdir(out) if n.endswith(".json")] if os.path.isdir(out) else []
                outcome = "no snapshot"
                if snaps:
                    with open(os.path.join(out, snaps[0])) as f:
                        src = json.load(f)["sources"][source]
                    outcome = f"{source}: {src['status']} {src.get('error', {}).get('code', '')}"
            else:
                with open(errf, encoding="utf-8", errors="replace") as f:
                    lines = [ln.strip() for ln in f if "ListAccounts" in ln]
                outcome = "run error: " + (lines[-1][:120] if lines else "none")
            res["rows"].append({"what": what, "rule": f"{kind} on {action}", "served": served,
                                "outcome": outcome, **r})
    res["m1"] = machine()
    return res


def report_paging(c, res, secs, mib, table, machine_line):
    rows = [(r["what"], r["rule"], r["served"], r["rc"], secs(r["wall"]), secs(r["cpu"]), mib(r["rss_kb"]),
             r["outcome"]) for r in res["rows"]]
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"Each page the bed serves carries {res['pad'] >> 10} KiB of padding and no items.",
        table(("misbehaviour", "bed rule", "pages served", "exit", "wall", "CPU", "peak RSS", "outcome"), rows),
    ])
