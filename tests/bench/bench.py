#!/usr/bin/env python3
"""make bench: how long iamgrade takes and what it costs, in figures (no
assertions).  Four stages, each printing a table and rewriting its own block
of docs/performance.md:

  org       seed the bed with a synthetic organization, inject a fixed latency
            per AWS call, time `iamgrade run --organization` and compare it
            with the critical-path bound; API calls per account; peak RSS
  baseline  one standalone account at two user counts: `iamgrade collect`
            against the seed document's boto3 loop (tests/bench/baseline.py),
            same bed, same latency
  check     `iamgrade check --format json` over many generated snapshots
            (tests/bench/gen_snapshots.py), then `iamgrade report --summary
            --html` over the same, and `cat` of them (the disk's speed)
  load      where one snapshot's load-and-grade time goes, one thread
            (build/tests/bench_load over at most 100 of the check stage's
            snapshots): reading, jansson's parse and free, checks, grading
  render    `iamgrade report --results` of a large results document
            (tests/report/gen_large.py) to HTML and PDF
  paging    iamgrade against a server that gets paging wrong (repeated,
            alternating, endless markers): seconds, peak RSS, the outcome
            (tests/bench/bench_paging.py; not in the default set)
  catalogue the action catalogue (policy/catalogue.h): first look-up and
            matching BENCH_PATTERNS distinct action patterns, without a
            cache, through a cold one and a warm one (build/tests/bench_catalogue)
  principals the policy questions: one account of BENCH_ROLES roles and
            BENCH_POLICIES customer managed policies (tests/bench/
            gen_principals.py); compile every document and answer the
            administrator and escalation questions for every principal
            against the full catalogue (build/tests/bench_principals)
  orgtree   an organization of BENCH_ORG_ACCOUNTS accounts in OUs two deep with
            three tags each (members unreachable: nothing to collect in them),
            `iamgrade run --organization`: the Organizations calls the OU tree
            and the tags add, the walk's time against the run's, the sizes and
            page counts of summary.html / summary.pdf / results.json
  scale     `iamgrade run --organization` against the benchmark's own fake AWS
            (tests/bench/fakeaws.js: a fixed latency per call, nothing else)
            at BENCH_SCALE_ACCOUNTS accounts: collection span against its
            bound, whole run, time after the last snapshot, peak RSS; one
            account with BENCH_SCALE_HOLDERS key holders (tests/bench/bench_scale.py)
  priv      PRIV-01 and PRIV-02 (issue 11): one account of BENCH_ROLES roles,
            BENCH_POLICIES policies and BENCH_PRIV_USERS users (gen_principals.py),
            every principal asked of the escalation catalogue, the sts:AssumeRole
            edges built and walked (build/tests/bench_priv)
  suggest   suggest-policy (issue 19) for every role and user of one account of
            BENCH_LA_ROLES roles, BENCH_LA_USERS users and BENCH_SUG_POLICIES
            policies (gen_principals.py, then gen_usage.py for last accessed),
            each suggestion proven by both checks (build/tests/bench_suggest)
  lpsection the Least privilege section: one account of BENCH_LP_PRINCIPALS
            roles granted more than they use, `iamgrade check` then
            `iamgrade report --results` to HTML and PDF: seconds, peak RSS,
            sizes and pages (tests/bench/bench_lpsec.py)
  denied    `iamgrade report SNAPSHOT` to HTML and PDF of one account with N
            denied CreateRole calls (tests/bench/gen_denied.py; grading
            included), the attacker-sized case of issue 12
  changes   `iamgrade collect` of one account per BENCH_CHG_USERS x BENCH_CHG_EVENTS
            (change events in the window): the LookupEvents calls of the
            change_events source (tests/bench/bench_changes.py, issue 11)

Sizes come from the environment (defaults in brackets):
  BENCH_STAGES [org baseline check load render catalogue principals priv denied scale lastaccess history
                lpsection suggest changes; also: paging]
  BENCH_ACCOUNTS [50]  BENCH_USERS [100]  BENCH_EVENTS [20]  BENCH_KEY_HOLDERS [10]
  BENCH_LATENCY_MS [50]  BENCH_JOBS [128: run's default]
  BENCH_COMPARE_USERS [BENCH_USERS,4*BENCH_USERS]
  BENCH_SNAPSHOTS [200; a list such as 200,1000 runs each]  BENCH_SNAPSHOT_USERS [1000]
  BENCH_LARGE_USERS [2000]  BENCH_LARGE_EVENTS [300]  BENCH_PATTERNS [10000]
  BENCH_ROLES [5000]  BENCH_POLICIES [2000]  BENCH_PRIV_USERS [2000]
  BENCH_PAGE_KIB [1024]  BENCH_PAGING_MAX_PAGES [the collector's cap]
  BENCH_DENIED [10000,100000: a list, each a snapshot of that many denied calls]
  BENCH_LA_ROLES [2000]  BENCH_LA_USERS [500]  BENCH_LA_JOBS [8,16]  BENCH_LA_DELAY_POLLS [1]
  BENCH_LP_PRINCIPALS [250,2500: the Least privilege section's account sizes]
  BENCH_SUG_POLICIES [1000]
  BENCH_CHG_USERS [100,2000]  BENCH_CHG_EVENTS [0,650,2600]
  BENCH_ORG_ACCOUNTS [1000]
  BENCH_SCALE_ACCOUNTS [100,300,1000]  BENCH_SCALE_HOLDERS [2000]
  BENCH_DOC [docs/performance.md; empty: write no doc]  IAMGRADE [./iamgrade]
Work files go to build/bench/ (generated snapshots are kept and reused).
"""
import datetime
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "bed"))
sys.path.insert(0, HERE)

import bedlib  # noqa: E402
import bench_changes  # noqa: E402
import bench_lastaccess  # noqa: E402
import bench_history  # noqa: E402
import bench_lpsec  # noqa: E402
import bench_paging  # noqa: E402
import bench_scale  # noqa: E402
import bench_seed  # noqa: E402
import gen_snapshots  # noqa: E402

WORK = os.path.join(REPO, "build", "bench")
ROLE = "iamgrade-audit"
LOOKUP_GAP_S = 0.5      # the collector's LookupEvents pacing (collector/cloudtrail.c)
STAGES = ("org", "baseline", "orgtree", "check", "load", "render", "catalogue", "principals", "priv",
          "denied", "scale", "paging", "lastaccess", "history", "lpsection", "suggest", "changes")
DEFAULT_STAGES = ("org", "baseline", "orgtree", "check", "load", "render", "catalogue", "principals",
                  "priv", "denied", "scale", "lastaccess", "history", "lpsection", "suggest", "changes")


def env_int(name, default):
    v = os.environ.get(name, "")
    try:
        return int(v) if v.strip() else default
    except ValueError:
        sys.exit(f"bench: {name} must be a whole number, not {v!r}")


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    try:
        out = [int(x) for x in v.split(",")] if v else default
    except ValueError:
        out = []
    if not out or min(out) < 1:
        sys.exit(f"bench: {name} is a comma-separated list of whole numbers, not {v!r}")
    return out


def config():
    c = {
        "accounts": env_int("BENCH_ACCOUNTS", 50),
        "users": env_int("BENCH_USERS", 100),
        "events": env_int("BENCH_EVENTS", 20),
        "key_holders": env_int("BENCH_KEY_HOLDERS", 10),
        "latency_ms": env_int("BENCH_LATENCY_MS", 50),
        "jobs": env_int("BENCH_JOBS", 128),   # iamgrade run's default
        "snapshot_users": env_int("BENCH_SNAPSHOT_USERS", 1000),
        "large_users": env_int("BENCH_LARGE_USERS", 2000),
        "large_events": env_int("BENCH_LARGE_EVENTS", 300),
        "iamgrade": os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade")),
        "doc": os.environ.get("BENCH_DOC", os.path.join(REPO, "docs", "performance.md")),
    }
    c["compare_users"] = env_list("BENCH_COMPARE_USERS", [c["users"], 4 * c["users"]])
    c["snapshots"] = env_list("BENCH_SNAPSHOTS", [200])
    c["denied"] = env_list("BENCH_DENIED", [10000, 100000])
    c["stages"] = os.environ.get("BENCH_STAGES", " ".join(DEFAULT_STAGES)).replace(",", " ").split()
    for s in c["stages"]:
        if s not in STAGES:
            sys.exit(f"bench: unknown stage {s!r} in BENCH_STAGES (stages: {' '.join(STAGES)})")
    if c["accounts"] < 1 or c["jobs"] < 1 or c["latency_ms"] < 0:
        sys.exit("bench: BENCH_ACCOUNTS and BENCH_JOBS must be at least 1, BENCH_LATENCY_MS at least 0")
    return c


# --- measuring ---

TIME = "/usr/bin/time"      # GNU time (Debian package time)


def measure(cmd, env=None, stdout=subprocess.DEVNULL, stderr=None):
    """Run cmd; its exit status, wall seconds, CPU seconds and peak RSS (KiB).
    Through GNU time, not wait4 from here: a child's ru_maxrss starts from its
    parent's RSS at fork, which for this Python process is tens of MiB."""
    fd, tfile = tempfile.mkstemp(prefix="bench-time-", dir=WORK)
    os.close(fd)
    t0 = time.monotonic()
    rc = subprocess.run([TIME, "-f", "%U %S %M", "-o", tfile, *cmd], env=env, stdout=stdout,
                        stderr=stderr, cwd=REPO).returncode
    wall = time.monotonic() - t0
    with open(tfile) as f:
        last = f.read().strip().splitlines()[-1]    # after "Command exited with non-zero status N"
    os.remove(tfile)
    user, sys_, rss = last.split()
    return {"rc": rc, "wall": wall, "cpu": float(user) + float(sys_), "rss_kb": int(rss)}


def proc_cpu(pid):
    """CPU seconds a running process has used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    memline = next((ln.split() for ln in mem if ln.startswith("Mem:")), [])
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=REPO).returncode != 0
    return {"nproc": os.cpu_count(), "mem_total": memline[1] if len(memline) > 1 else "?",
            "mem_available": memline[6] if len(memline) > 6 else "?",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else ""),
            "load": loadavg()}


def log_span(path, offset):
    """Seconds from the first to the last AWS request the bed logged after offset."""
    stamps = []
    with open(path, "rb") as f:
        f.seek(offset)
        for line in f:
            m = re.match(rb"(\d\d):(\d\d):(\d\d)\.(\d{3}) \d{12} ", line)
            if m:
                h, mi, s, ms = (int(x) for x in m.groups())
                stamps.append(h * 3600 + mi * 60 + s + ms / 1000)
    if len(stamps) < 2:
        return 0.0
    span = stamps[-1] - stamps[0]
    return span + 86400 if span < 0 else span


# --- formatting ---

def table(head, rows):
    """A Markdown table (also what the terminal shows)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def secs(x):
    return f"{x:.1f} s" if x >= 10 else f"{x:.2f} s"


def mib(kb):
    return f"{kb / 1024:.0f} MiB" if kb >= 10 * 1024 else f"{kb / 1024:.1f} MiB"


def size(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def machine_line(m, m_end=None):
    load = m["load"] + (f" at the start, {m_end['load']} at the end" if m_end else "")
    return (f"Measured {m['date']} on {m['nproc']} CPUs, {m['mem_total']} memory "
            f"({m['mem_available']} available), commit {m['commit']}; load average {load}.")


# --- the bed stages ---

class BedRun:
    """The bed, seeded for the org and baseline stages."""

    def __init__(self, c):
        self.c = c
        self.log = os.path.join(WORK, "bed.log")
        if os.path.exists(self.log):
            os.remove(self.log)
        self.bed = bedlib.Bed(log_path=self.log)
        self.org = None
        self.singles = {}
        self.seed_times = {}

    def __enter__(self):
        self.bed.start()
        return self

    def __exit__(self, *exc):
        self.bed.stop()

    def seed(self, want_org, want_single):
        c = self.c
        policy = bedlib.iamgrade_policy()[0]
        if want_org:
            t0 = time.monotonic()
            print(f"bench: seeding an organization of {c['accounts']} accounts x {c['users']} users, "
                  f"{c['events']} CreateRole events each ...", flush=True)
            self.org = bench_seed.seed_org(self.bed, c["accounts"], c["users"], c["events"],
                                           c["key_holders"], ROLE, policy)
            self.seed_times["org"] = time.monotonic() - t0
        if want_single:
            for i, n in enumerate(c["compare_users"]):
                acct = f"9{i + 1:011d}"
                t0 = time.monotonic()
                print(f"bench: seeding standalone account {acct} with {n} users ...", flush=True)
                self.singles[n] = (acct, *bench_seed.seed_single(
                    self.bed, acct, n, c["events"], c["key_holders"], policy))
                self.seed_times[f"single-{n}"] = time.monotonic() - t0
        self.bed.auth(True)
        if c["latency_ms"]:
            self.bed.set_faults([{"kind": "latency", "latency_ms": c["latency_ms"]}])

    def env(self, creds, name):
        home = os.path.join(WORK, "home-" + name)
        shutil.rmtree(home, ignore_errors=True)
        return bedlib.aws_env(self.bed, creds, home=home)


def account_calls(stats, account):
    return {a: v["count"] for a, v in stats["accounts"].get(account, {}).items()}


def stage_org(c, br):
    auditor, ids = br.org
    out = os.path.join(WORK, "run")
    shutil.rmtree(out, ignore_errors=True)
    br.bed.reset_stats()
    env = br.env(auditor, "org")
    cpu0, off = proc_cpu(br.bed.proc.pid), os.path.getsize(br.log)
    m0 = machine()
    print(f"bench: iamgrade run --organization --jobs {c['jobs']} over {len(ids)} accounts ...", flush=True)
    with open(os.path.join(WORK, "run.log"), "w") as err:
        r = measure([c["iamgrade"], "run", "--organization", "--role-name", ROLE, "--out", out,
                     "--jobs", str(c["jobs"]), "-q"], env=env, stderr=err)
    m1 = machine()
    bed_cpu = proc_cpu(br.bed.proc.pid) - cpu0
    span = log_span(br.log, off)
    stats = br.bed.stats_full()
    mgmt = ids[0]
    per = {}
    for a in ids:
        calls = account_calls(stats, a)
        if a == mgmt:
            # The management account's counts also hold the organization's
            # listing and every member's AssumeRole: take those out.
            calls = {k: v for k, v in calls.items()
                     if not k.startswith("organizations:") and k != "sts:AssumeRole"}
        else:
            calls["sts:AssumeRole"] = 1     # counted in the management account
        per[a] = calls
    mcalls = account_calls(stats, mgmt)
    org_calls = sum(v for k, v in mcalls.items() if k.startswith("organizations:"))
    assumes = mcalls.get("sts:AssumeRole", 0)
    totals = [sum(v.values()) for v in per.values()]
    pages = max(v.get("cloudtrail:LookupEvents", 0) for v in per.values())
    lat = c["latency_ms"] / 1000
    chain = max(totals) * lat + max(pages - 1, 0) * LOOKUP_GAP_S
    waves = math.ceil(len(ids) / c["jobs"])
    bound = org_calls * lat + waves * chain
    snaps = [os.path.join(dp, f) for dp, _, fs in os.walk(out) for f in fs
             if re.fullmatch(r"\d{12}\.json", f)]
    retries = complete = 0
    for s in snaps:
        with open(s) as f:
            coll = json.load(f)["collection"]
        retries += coll.get("retries", 0)
        complete += bool(coll.get("complete"))
    member = per[ids[1]] if len(ids) > 1 else per[mgmt]
    res = {"m0": m0, "m1": m1, "run": r, "span": span, "bed_cpu": bed_cpu, "bound": bound,
           "chain": chain, "waves": waves, "totals": totals, "pages": pages, "org_calls": org_calls,
           "assumes": assumes, "snapshots": len(snaps), "complete": complete, "retries": retries,
           "member": member, "total_requests": stats["total"], "bed_rss_kb": proc_rss_kb(br.bed.proc.pid),
           "seed_s": br.seed_times.get("org", 0), "accounts": len(ids)}
    return res


def report_org(c, res):
    r = res["run"]
    t = res["totals"]
    lat = c["latency_ms"]
    rows = [
        ("accounts x users x CreateRole events", f"{res['accounts']} x {c['users']} x {c['events']} "
         f"(+1: the audit role), {c['key_holders']} key holders + the admin per account"),
        ("seeding the bed", secs(res["seed_s"])),
        ("latency injected per AWS call", f"{lat} ms"),
        ("jobs", c["jobs"]),
        ("exit status", r["rc"]),
        ("snapshots written, complete", f"{res['snapshots']}, {res['complete']}"),
        ("wall time, whole run (collect + check + HTML/PDF per account and summary)", secs(r["wall"])),
        ("collection span (first to last AWS request, bed log)", secs(res["span"])),
        ("critical-path bound", f"{secs(res['bound'])} = {res['org_calls']} org calls x {lat} ms + "
         f"ceil({res['accounts']}/{c['jobs']}) = {res['waves']} x {secs(res['chain'])} per account "
         f"({max(t)} calls x {lat} ms + {res['pages'] - 1} x 500 ms LookupEvents pacing)"),
        ("collection span / bound", f"{res['span'] / res['bound']:.2f}" if res["bound"] else "-"),
        ("wall time / bound", f"{r['wall'] / res['bound']:.2f}" if res["bound"] else "-"),
        ("API calls per account (median, min-max)", f"{statistics.median(t):g}, {min(t)}-{max(t)}"),
        ("AssumeRole calls (in the management account's counts)", res["assumes"]),
        ("retries (all snapshots)", res["retries"]),
        ("AWS requests in all (bed)", res["total_requests"]),
        ("iamgrade peak RSS", mib(r["rss_kb"])),
        ("iamgrade CPU (user + sys)", secs(r["cpu"])),
        ("bed CPU during the run (moto + the front, one Python process)", secs(res["bed_cpu"])),
        ("bed peak RSS (all accounts' state)", mib(res["bed_rss_kb"])),
    ]
    calls = sorted(res["member"].items())
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        table(("org run", "figure"), rows),
        "API calls for one member account, by action (AssumeRole is counted in the management account):",
        table(("action", "calls"), calls + [("total", sum(v for _, v in calls))]),
    ])


def stage_orgtree(c):
    """The organization's structure at BENCH_ORG_ACCOUNTS accounts, on a bed of its own."""
    n = env_int("BENCH_ORG_ACCOUNTS", 1000)
    log = os.path.join(WORK, "bed-orgtree.log")
    bed = bedlib.Bed(log_path=log)
    bed.start()
    try:
        t0 = time.monotonic()
        print(f"bench: seeding an organization of {n} accounts in OUs with tags ...", flush=True)
        auditor, ids = bench_seed.seed_org_only(bed, n, bedlib.iamgrade_policy()[0])
        seed_s = time.monotonic() - t0
        bed.auth(True)
        if c["latency_ms"]:
            bed.set_faults([{"kind": "latency", "latency_ms": c["latency_ms"]}])
        bed.reset_stats()
        out = os.path.join(WORK, "run-orgtree")
        shutil.rmtree(out, ignore_errors=True)
        home = os.path.join(WORK, "home-orgtree")
        shutil.rmtree(home, ignore_errors=True)
        env = bedlib.aws_env(bed, auditor, home=home)
        m0 = machine()
        print(f"bench: iamgrade run --organization over {n} accounts ...", flush=True)
        with open(os.path.join(WORK, "run-orgtree.log"), "w") as err:
            r = measure([c["iamgrade"], "run", "--organization", "--role-name", ROLE, "--out", out,
                         "--jobs", str(c["jobs"]), "-q"], env=env, stderr=err)
        m1 = machine()
        stats = bed.stats_full()
    finally:
        bed.stop()
    d = [os.path.join(out, x) for x in sorted(os.listdir(out))][-1]
    with open(os.path.join(d, "organization.json")) as f:
        st = json.load(f)
    calls = {k: v["count"] for k, v in stats["accounts"].get(ids[0], {}).items()
             if k.startswith("organizations:")}
    files = {name: os.path.getsize(os.path.join(d, name)) for name in
             ("summary.html", "summary.pdf", "results.json", "findings.csv", "organization.json")}
    return {"n": n, "seed_s": seed_s, "run": r, "m0": m0, "m1": m1, "st": st, "calls": calls,
            "files": files, "pages": pdf_pages(os.path.join(d, "summary.pdf"))}


def report_orgtree(c, res):
    st, r = res["st"], res["run"]
    walk = st["calls"]["ms"] / 1000
    rows = [
        ("accounts (members: no audit role, reported unreachable)", res["n"]),
        ("OUs (with the root)", len(st["ous"])),
        ("seeding the bed", secs(res["seed_s"])),
        ("latency injected per AWS call", f"{c['latency_ms']} ms"),
        ("exit status", r["rc"]),
        ("wall time, whole run", secs(r["wall"])),
        ("the walk (OU tree + tags, its own thread, during the collection)", secs(walk)),
        ("time the walk adds (the run waiting for it once the accounts are collected)",
         secs(st["calls"].get("waited_ms", 0) / 1000) if "waited_ms" in st["calls"] else "-"),
        ("tree calls (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent)",
         st["calls"]["tree"]),
        ("ListTagsForResource calls (one per account)", st["calls"]["tags"]),
        ("HTTP requests of the walk (retries included)", st["calls"]["http"]),
        ("structure complete", st["complete"]),
        ("iamgrade peak RSS", mib(r["rss_kb"])),
    ] + [(f"{k} (bed count)", v) for k, v in sorted(res["calls"].items())] + [
        (f"{name} size", size(b)) for name, b in res["files"].items()] + [
        ("summary.pdf pages", res["pages"] if res["pages"] is not None else "-")]
    return "\n\n".join([machine_line(res["m0"], res["m1"]), table(("orgtree", "figure"), rows)])


def stage_baseline(c, br):
    rows = []
    m0 = machine()
    for n, (acct, auditor, scripter) in sorted(br.singles.items()):
        out = os.path.join(WORK, f"collect-{n}")
        shutil.rmtree(out, ignore_errors=True)
        print(f"bench: iamgrade collect, then the boto3 loop, on the account with {n} users ...", flush=True)
        br.bed.reset_stats()
        ig = measure([c["iamgrade"], "collect", "--out", out, "-q"], env=br.env(auditor, f"ig{n}"))
        ig_calls = account_calls(br.bed.stats_full(acct), acct)
        br.bed.reset_stats()
        with open(os.path.join(WORK, f"baseline-{n}.json"), "w") as f:
            bl = measure([sys.executable, os.path.join(HERE, "baseline.py")],
                         env=br.env(scripter, f"bl{n}"), stdout=f)
        with open(os.path.join(WORK, f"baseline-{n}.json")) as f:
            blout = json.loads(f.read() or "{}")
        bl_calls = account_calls(br.bed.stats_full(acct), acct)
        rows.append({"users": n, "account": acct, "ig": ig, "ig_calls": ig_calls, "bl": bl,
                     "bl_calls": bl_calls, "bl_out": blout})
    return {"m0": m0, "m1": machine(), "rows": rows}


def report_baseline(c, res):
    head = ("users", "iamgrade collect: calls", "wall", "peak RSS", "boto3 loop: calls",
            "wall (the loop alone)", "peak RSS", "calls ratio", "wall ratio")
    body = []
    for r in res["rows"]:
        ig, bl = r["ig"], r["bl"]
        igc, blc = sum(r["ig_calls"].values()), sum(r["bl_calls"].values())
        body.append((r["users"], igc, secs(ig["wall"]), mib(ig["rss_kb"]), blc,
                     f"{secs(bl['wall'])} ({secs(r['bl_out'].get('seconds', 0))})", mib(bl["rss_kb"]),
                     f"{blc / igc:.1f}" if igc else "-",
                     f"{bl['wall'] / ig['wall']:.1f}" if ig["wall"] else "-"))
    detail = []
    for r in res["rows"]:
        detail.append((r["users"], ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(r["ig_calls"].items())),
                       ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(r["bl_calls"].items())),
                       f"exit {r['ig']['rc']} / exit {r['bl']['rc']}"))
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"Latency {c['latency_ms']} ms per call; {c['key_holders']} key-holding users per account, plus the "
        "admin, the auditor (iamgrade collect runs as this user, no AssumeRole) and the scripter (the loop "
        "runs as this one), who hold keys too; wall times are whole processes (the loop's own time, "
        "without Python's start-up, in brackets).",
        table(head, body),
        table(("users", "iamgrade calls by action", "boto3 loop calls by action", "exit"), detail),
    ])


# --- check and render ---

def _gen_one(args):
    n, users, outdir = args
    rng = random.Random(1 * 1000003 + n)    # what gen_snapshots.py does with --seed 1
    acct, snap = gen_snapshots.snapshot(n, users, rng)
    with open(os.path.join(outdir, acct + ".json"), "w") as f:
        json.dump(snap, f, separators=(",", ":"))


def snapshot_files(n, users):
    """The first n snapshots of `users` users in build/bench/snapshots-USERSu,
    generating (in parallel) those not there yet; kept for later runs."""
    d = os.path.join(WORK, f"snapshots-{users}u")
    stamp = os.path.join(d, ".count")     # how many are complete, 0..count-1
    have = 0
    if os.path.exists(stamp):
        with open(stamp) as f:
            have = int(f.read().strip() or 0)
    os.makedirs(d, exist_ok=True)
    if have < n:
        print(f"bench: generating snapshots {have}..{n - 1} of {users} users in {d} ...", flush=True)
        with Pool(os.cpu_count() or 1) as p:
            p.map(_gen_one, [(i, users, d) for i in range(have, n)], chunksize=4)
        with open(stamp, "w") as f:
            f.write(f"{n}\n")
    # gen_snapshots names snapshot i after account 100000000000 + i
    return [os.path.join(d, f"{100000000000 + i:012d}.json") for i in range(n)]


def stage_check(c):
    runs = []
    m0 = machine()
    for n in c["snapshots"]:
        files = snapshot_files(n, c["snapshot_users"])
        out = os.path.join(WORK, "check.json")
        print(f"bench: iamgrade check --format json over {n} snapshots ...", flush=True)
        load = loadavg()
        with open(out, "w") as f:
            r = measure([c["iamgrade"], "check", "--format", "json", *files], stdout=f)
        r.update(n=n, load=load, out=os.path.getsize(out), inp=sum(os.path.getsize(f) for f in files))
        os.remove(out)      # hundreds of MB; its size is what we wanted
        r.update(offline_extra(c, files))
        runs.append(r)
    return {"m0": m0, "m1": machine(), "runs": runs}


def offline_extra(c, files):
    """Beside check: report's summary over the same snapshots (HTML, made
    from each account's record), and `cat` of the input, the speed of the
    disk (or of the page cache, which the check just filled) to hold the
    figures against."""
    html = os.path.join(WORK, "summary.html")
    print(f"bench: iamgrade report --summary --html over {len(files)} snapshots ...", flush=True)
    rep = measure([c["iamgrade"], "report", "--summary", "--html", html, *files])
    if os.path.exists(html):
        os.remove(html)
    cat = measure(["cat", *files])
    return {"report": rep, "cat": cat}


def stage_load(c):
    """Where a snapshot's time goes, one thread: jansson's parse and free
    against the rest (build/tests/bench_load, over at most 100 snapshots)."""
    prog = os.path.join(REPO, "build", "tests", "bench_load")
    files = snapshot_files(min(max(c["snapshots"]), 100), c["snapshot_users"])
    m0 = machine()
    print(f"bench: where the time of loading {len(files)} snapshots goes ...", flush=True)
    out = subprocess.run([prog, *files], capture_output=True, text=True, check=True).stdout
    return "\n\n".join([machine_line(m0, machine()), out.strip()])


def report_check(c, res):
    runs = res["runs"]
    rows = [
        ("input", [size(r["inp"]) for r in runs]),
        ("exit status", [r["rc"] for r in runs]),
        ("wall time", [secs(r["wall"]) for r in runs]),
        ("CPU time (user + sys)", [secs(r["cpu"]) for r in runs]),
        ("per snapshot: wall", [f"{r['wall'] / r['n'] * 1000:.0f} ms" for r in runs]),
        ("per snapshot: CPU", [f"{r['cpu'] / r['n'] * 1000:.0f} ms" for r in runs]),
        ("peak RSS", [mib(r["rss_kb"]) for r in runs]),
        ("results document written", [size(r["out"]) for r in runs]),
        ("report --summary --html: exit status", [r["report"]["rc"] for r in runs]),
        ("report --summary --html: wall time", [secs(r["report"]["wall"]) for r in runs]),
        ("report --summary --html: CPU time", [secs(r["report"]["cpu"]) for r in runs]),
        ("report --summary --html: peak RSS", [mib(r["report"]["rss_kb"]) for r in runs]),
        ("cat of the input: wall time", [secs(r["cat"]["wall"]) for r in runs]),
        ("load average at the start", [r["load"].split()[0] for r in runs]),
    ]
    head = ["snapshots of %d users" % c["snapshot_users"]] + [str(r["n"]) for r in runs]
    return "\n\n".join([machine_line(res["m0"], res["m1"]),
                        table(head, [[name] + vals for name, vals in rows])])


def pdf_pages(path):
    try:
        p = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
        m = re.search(r"^Pages:\s+(\d+)", p.stdout, re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def stage_render(c):
    src = os.path.join(WORK, f"large-{c['large_users']}u-{c['large_events']}e.results.json")
    subprocess.run([sys.executable, os.path.join(REPO, "tests", "report", "gen_large.py"),
                    "--users", str(c["large_users"]), "--events", str(c["large_events"]), src],
                   check=True, cwd=REPO)
    m0 = machine()
    res = {"src": src, "src_bytes": os.path.getsize(src), "m0": m0}
    with open(src) as f:
        doc = json.load(f)
    res["findings"] = sum(len(ctl.get("findings", [])) for a in doc.get("accounts", [])
                          for ctl in a.get("controls", []))
    for fmt in ("html", "pdf"):
        path = os.path.join(WORK, f"large.{fmt}")
        if os.path.exists(path):
            os.remove(path)
        print(f"bench: iamgrade report --results ... --{fmt} ...", flush=True)
        r = measure([c["iamgrade"], "report", "--results", src, f"--{fmt}", path])
        r["bytes"] = os.path.getsize(path) if os.path.exists(path) else 0
        r["pages"] = pdf_pages(path) if fmt == "pdf" and r["bytes"] else None
        res[fmt] = r
    res["m1"] = machine()
    return res


def report_render(c, res):
    rows = []
    for fmt in ("html", "pdf"):
        r = res[fmt]
        rows.append((fmt.upper(), r["rc"], secs(r["wall"]), secs(r["cpu"]), mib(r["rss_kb"]), size(r["bytes"]),
                     r["pages"] if r["pages"] is not None else "-"))
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"Input: one account, {c['large_users']} users, {c['large_events']} CreateRole events, "
        f"{res['findings']} findings (tests/report/gen_large.py; {size(res['src_bytes'])} of JSON).",
        table(("output", "exit", "wall", "CPU", "peak RSS", "size", "pages"), rows),
    ])


def stage_catalogue(c):
    prog = os.path.join(REPO, "build", "tests", "bench_catalogue")
    if not os.access(prog, os.X_OK):
        sys.exit(f"bench: {prog} is not built (make build/tests/bench_catalogue)")
    n = env_int("BENCH_PATTERNS", 10000)
    print(f"bench: catalogue, {n} patterns ...", flush=True)
    m0 = machine()
    out = subprocess.run([prog, str(n)], check=True, capture_output=True, text=True).stdout
    return "\n\n".join([machine_line(m0, machine()), out.strip()])


def stage_principals(c):
    prog = os.path.join(REPO, "build", "tests", "bench_principals")
    if not os.access(prog, os.X_OK):
        sys.exit(f"bench: {prog} is not built (make build/tests/bench_principals)")
    roles, pols = env_int("BENCH_ROLES", 5000), env_int("BENCH_POLICIES", 2000)
    path = os.path.join(WORK, f"principals-{roles}-{pols}.json")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_principals.py"), str(roles), str(pols), path],
                       check=True)
    print(f"bench: principals, {roles} roles and {pols} policies ...", flush=True)
    return one_core(prog, path)


def stage_priv(c):
    prog = os.path.join(REPO, "build", "tests", "bench_priv")
    if not os.access(prog, os.X_OK):
        sys.exit(f"bench: {prog} is not built (make build/tests/bench_priv)")
    roles, pols = env_int("BENCH_ROLES", 5000), env_int("BENCH_POLICIES", 2000)
    users = env_int("BENCH_PRIV_USERS", 2000)
    path = os.path.join(WORK, f"priv-{roles}-{pols}-{users}.json")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_principals.py"), str(roles), str(pols), path,
                        "--users", str(users)], check=True)
    print(f"bench: priv, {roles} roles, {pols} policies, {users} users ...", flush=True)
    return one_core(prog, path)


def one_core(prog, path):
    """A C benchmark on one snapshot, pinned to one core: its Markdown under the machine line.
    One core: the questions run on one thread; taskset keeps the figure honest on a shared machine."""
    m0 = machine()
    cmd = ["taskset", "-c", "0", prog, path] if shutil.which("taskset") else [prog, path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return "\n\n".join([machine_line(m0, machine()), out.strip()])


def stage_suggest(c):
    prog = os.path.join(REPO, "build", "tests", "bench_suggest")
    if not os.access(prog, os.X_OK):
        sys.exit(f"bench: {prog} is not built (make build/tests/bench_suggest)")
    roles, users = env_int("BENCH_LA_ROLES", 2000), env_int("BENCH_LA_USERS", 500)
    pols = env_int("BENCH_SUG_POLICIES", 1000)
    base = os.path.join(WORK, f"suggest-{roles}-{pols}-{users}.base.json")
    path = os.path.join(WORK, f"suggest-{roles}-{pols}-{users}.json")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_principals.py"), str(roles), str(pols), base,
                        "--users", str(users)], check=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_usage.py"), base, path], check=True)
    print(f"bench: suggest, {roles} roles, {pols} policies, {users} users ...", flush=True)
    return one_core(prog, path)


def stage_denied(c):
    sys.path.insert(0, os.path.join(REPO, "tests", "bench"))
    import gen_denied
    m0 = machine()
    runs = []
    for n in c["denied"]:
        src = os.path.join(WORK, f"denied-{n}.json")
        if not os.path.exists(src):
            tmp = src + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(gen_denied.make(n), f)
            os.replace(tmp, src)
        r = {"n": n, "src_bytes": os.path.getsize(src)}
        for fmt in ("html", "pdf"):
            path = os.path.join(WORK, f"denied-{n}.{fmt}")
            if os.path.exists(path):
                os.remove(path)
            print(f"bench: iamgrade report (a snapshot of {n} denied CreateRole calls) --{fmt} ...", flush=True)
            load = loadavg()
            m = measure([c["iamgrade"], "report", src, f"--{fmt}", path])
            m["bytes"] = os.path.getsize(path) if os.path.exists(path) else 0
            m["pages"] = pdf_pages(path) if fmt == "pdf" and m["bytes"] else None
            m["load"] = load
            r[fmt] = m
        runs.append(r)
    return {"m0": m0, "m1": machine(), "runs": runs}


def report_denied(c, res):
    rows = []
    for r in res["runs"]:
        for fmt in ("html", "pdf"):
            m = r[fmt]
            rows.append((f"{r['n']:,}", size(r["src_bytes"]), fmt.upper(), m["rc"], secs(m["wall"]),
                         secs(m["cpu"]), mib(m["rss_kb"]), size(m["bytes"]),
                         m["pages"] if m["pages"] is not None else "-", m["load"].split()[0]))
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        "Input: tests/checks/base/compliant.json with N denied CreateRole calls from 2 callers and "
        "2 addresses (tests/bench/gen_denied.py); `iamgrade report SNAPSHOT --html|--pdf`, grading "
        "included.",
        table(("denied calls", "snapshot", "output", "exit", "wall", "CPU", "peak RSS", "size", "pages",
               "load"), rows),
    ])


# --- the document ---

def write_blocks(path, blocks):
    """Replace each stage's block between its markers in path."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name, body in blocks.items():
        begin, end = f"<!-- bench:{name} begin -->", f"<!-- bench:{name} end -->"
        i, j = text.find(begin), text.find(end)
        if i < 0 or j < i:
            print(f"bench: {path} has no {begin} ... {end} markers; its {name} figures are not written",
                  file=sys.stderr)
            continue
        text = text[:i + len(begin)] + "\n" + body.rstrip() + "\n" + text[j:]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    c = config()
    if not os.access(c["iamgrade"], os.X_OK):
        sys.exit(f"bench: {c['iamgrade']} is not built (run make)")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"bench: {TIME} is missing (Debian package time): it measures peak RSS")
    os.environ["IAMGRADE"] = c["iamgrade"]     # bedlib.iamgrade_policy() asks it
    os.makedirs(WORK, exist_ok=True)
    blocks = {}
    want_org, want_single = "org" in c["stages"], "baseline" in c["stages"]
    if want_org or want_single:
        with BedRun(c) as br:
            br.seed(want_org, want_single)
            if want_org:
                blocks["org"] = report_org(c, stage_org(c, br))
                print("\n" + blocks["org"] + "\n", flush=True)
            if want_single:
                blocks["baseline"] = report_baseline(c, stage_baseline(c, br))
                print("\n" + blocks["baseline"] + "\n", flush=True)
    if "orgtree" in c["stages"]:
        blocks["orgtree"] = report_orgtree(c, stage_orgtree(c))
        print("\n" + blocks["orgtree"] + "\n", flush=True)
    if "check" in c["stages"]:
        blocks["check"] = report_check(c, stage_check(c))
        print("\n" + blocks["check"] + "\n", flush=True)
    if "load" in c["stages"]:
        blocks["load"] = stage_load(c)
        print("\n" + blocks["load"] + "\n", flush=True)
    if "render" in c["stages"]:
        blocks["render"] = report_render(c, stage_render(c))
        print("\n" + blocks["render"] + "\n", flush=True)
    if "catalogue" in c["stages"]:
        blocks["catalogue"] = stage_catalogue(c)
        print("\n" + blocks["catalogue"] + "\n", flush=True)
    if "principals" in c["stages"]:
        blocks["principals"] = stage_principals(c)
        print("\n" + blocks["principals"] + "\n", flush=True)
    if "priv" in c["stages"]:
        blocks["priv"] = stage_priv(c)
        print("\n" + blocks["priv"] + "\n", flush=True)
    if "paging" in c["stages"]:
        blocks["paging"] = bench_paging.report_paging(
            c, bench_paging.stage_paging(c, WORK, measure, machine), secs, mib, table, machine_line)
        print("\n" + blocks["paging"] + "\n", flush=True)
    if "suggest" in c["stages"]:
        blocks["suggest"] = stage_suggest(c)
        print("\n" + blocks["suggest"] + "\n", flush=True)
    if "lastaccess" in c["stages"]:
        blocks["lastaccess"] = bench_lastaccess.report_lastaccess(
            c, bench_lastaccess.stage_lastaccess(c, WORK, measure, machine), secs, mib, table, machine_line)
        print("\n" + blocks["lastaccess"] + "\n", flush=True)
    if "history" in c["stages"]:
        blocks["history"] = bench_history.report_history(
            c, bench_history.stage_history(c, WORK, measure, machine), secs, mib, table, machine_line)
        print("\n" + blocks["history"] + "\n", flush=True)
    if "lpsection" in c["stages"]:
        blocks["lpsection"] = bench_lpsec.report_lpsection(
            c, bench_lpsec.stage_lpsection(c, WORK, REPO, measure, machine, pdf_pages), secs, mib, size,
            table, machine_line)
        print("\n" + blocks["lpsection"] + "\n", flush=True)
    if "changes" in c["stages"]:
        blocks["changes"] = bench_changes.report_changes(
            c, bench_changes.stage_changes(c, WORK, measure, machine), secs, mib, table, machine_line)
        print("\n" + blocks["changes"] + "\n", flush=True)
    if "denied" in c["stages"]:
        blocks["denied"] = report_denied(c, stage_denied(c))
        print("\n" + blocks["denied"] + "\n", flush=True)
    if "scale" in c["stages"]:
        blocks["scale"] = bench_scale.report_scale(
            c, bench_scale.stage_scale(c, WORK, measure, machine), secs, mib, table, machine_line)
        print("\n" + blocks["scale"] + "\n", flush=True)
    if c["doc"]:
        write_blocks(c["doc"], blocks)
        print(f"bench: figures written to {os.path.relpath(c['doc'], REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
