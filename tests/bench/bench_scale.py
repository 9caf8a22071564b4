"""The scale stage of make bench (BENCH_STAGES=scale): `iamgrade run
--organization` against the benchmark's own fake AWS (tests/bench/fakeaws.js,
one Node.js process), which answers every call after a fixed latency and
costs nothing else, so the figures are iamgrade's and the latency's alone.

For each size in BENCH_SCALE_ACCOUNTS [100,300,1000] (BENCH_USERS users and
BENCH_KEY_HOLDERS key holders per account, BENCH_EVENTS CreateRole events,
BENCH_LATENCY_MS, BENCH_JOBS): the collection span (first to last request
the fake saw) against its bound, org calls x latency + ceil(accounts / jobs)
x the account's critical path; the whole run; the time from the last
snapshot written to the end of the run; peak RSS.  Then one account with
BENCH_SCALE_HOLDERS [2000] key holders, `iamgrade collect`, against the
same latency: ListAccessKeys per holder is the account's longest chain.

The critical path of an account is worked out from the calls the fake
saw (its counts by action, per account): AssumeRole and GetCallerIdentity,
then the longest of the chains that depend on each other
(GenerateCredentialReport -> GetCredentialReport -> ceil(holders / the
collector's ListAccessKeys width) waves of ListAccessKeys;
DescribeTrails -> GetTrailStatus -> GetEventSelectors -> every LookupEvents
call of the account, one after another, 500 ms from the end of one to the
start of the next: CloudTrail's 2 a second per account and region).
Threads are the iamgrade process's most at once (sampled from /proc);
connections are the fake's: opened in all, and open at once at most.
"""
import glob
import json
import math
import os
import shutil
import subprocess
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MGMT = "100000000000"
ROLE = "iamgrade-audit"
KEYS_WIDTH = 16         # SRC_PAR_KEYS (collector/sources.h)
LOOKUP_GAP_S = 0.5      # the collector's LookupEvents pacing (collector/cloudtrail.c)


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return [int(x) for x in v.replace(",", " ").split()] if v else default


class Fake:
    """The fake AWS, started for one organization shape."""

    def __init__(self, work, accounts, users, holders, events, latency_ms):
        self.work = work
        self.env = dict(os.environ, FAKE_ACCOUNTS=str(accounts), FAKE_USERS=str(users),
                        FAKE_KEY_HOLDERS=str(holders), FAKE_EVENTS=str(events),
                        FAKE_LATENCY_MS=str(latency_ms), FAKE_ROLE=ROLE)

    def __enter__(self):
        portfile = os.path.join(self.work, "fakeaws.port")
        if os.path.exists(portfile):
            os.remove(portfile)
        self.log = open(os.path.join(self.work, "fakeaws.log"), "w")
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "fakeaws.js"), portfile],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("bench: the fake AWS did not start (build/bench/fakeaws.log)")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{open(portfile).read().strip()}"
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()

    def stats(self):
        with urllib.request.urlopen(self.url + "/__stats") as r:
            return json.load(r)

    def run_env(self, home):
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(os.path.join(home, ".aws"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials"),
                    "AWS_ENDPOINT_URL": self.url, "AWS_REGION": "us-east-1",
                    "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_ACCESS_KEY_ID": f"AKIA{MGMT}BNCH", "AWS_SECRET_ACCESS_KEY": "bench"})
        return env


def critical_path(holders, lookups, lat):
    """Seconds of an account's longest chain of calls that depend on each
    other; lookups: its LookupEvents calls (all paced on one chain, after
    the trails, whose home regions the change events search)."""
    creds = (2 + math.ceil(holders / KEYS_WIDTH)) * lat
    trails = 3 * lat
    paced = lookups * lat + max(lookups - 1, 0) * LOOKUP_GAP_S
    return 2 * lat + max(creds, trails + paced, lat)


class Threads:
    """The most threads at once of the process whose command line holds
    `mark` (sampled every 50 ms from /proc while the with-block runs)."""

    def __init__(self, mark):
        self.mark = mark.encode()
        self.most = 0
        self.done = threading.Event()

    def _sample(self):
        while not self.done.wait(0.05):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if self.mark not in f.read():
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("Threads:"):
                                self.most = max(self.most, int(line.split()[1]))
                except OSError:
                    pass

    def __enter__(self):
        self.t = threading.Thread(target=self._sample, daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.t.join()


def stage_scale(c, work, measure, machine):
    sizes = env_list("BENCH_SCALE_ACCOUNTS", [100, 300, 1000])
    holders_big = env_list("BENCH_SCALE_HOLDERS", [2000])[0]
    lat = c["latency_ms"] / 1000
    res = {"m0": machine(), "rows": [], "sizes": sizes}
    for n in sizes:
        with Fake(work, n, c["users"], c["key_holders"], c["events"], c["latency_ms"]) as fake:
            out = os.path.join(work, "scale-run")
            shutil.rmtree(out, ignore_errors=True)
            env = fake.run_env(os.path.join(work, "home-scale"))
            print(f"bench: scale: iamgrade run --organization --jobs {c['jobs']} over {n} accounts "
                  f"(fake AWS, {c['latency_ms']} ms per call) ...", flush=True)
            with open(os.path.join(work, "scale-run.log"), "w") as err:
                # The fake serves no service last accessed (the lastaccess stage
                # measures that): without --no-last-accessed every account would
                # be incomplete after 100 failing calls of its own.
                with Threads(out) as th:
                    r = measure([c["iamgrade"], "run", "--organization", "--role-name", ROLE, "--out", out,
                                 "--jobs", str(c["jobs"]), "--no-last-accessed", "-q"], env=env, stderr=err)
            end = time.time()
            st = fake.stats()
        snaps = glob.glob(os.path.join(out, "*", "snapshots", "*.json"))
        last = max((os.path.getmtime(s) for s in snaps), default=end)
        complete = 0
        for s in snaps:
            with open(s) as f:
                complete += bool(json.load(f)["collection"].get("complete"))
        org_calls = st["calls"].get("ListAccounts", 0) + st["calls"].get("DescribeOrganization", 0)
        lookups = math.ceil(st["calls"].get("LookupEvents", 0) / n)
        chain = critical_path(c["key_holders"], lookups, lat)
        waves = math.ceil(n / c["jobs"])
        times = st.get("times", {})
        # Did the accounts start while ListAccounts was still paging?
        overlap = (times["ListAccounts"][1] - times["AssumeRole"][0]) / 1000 \
            if "ListAccounts" in times and "AssumeRole" in times else None
        bound = org_calls * lat + waves * chain
        span = (st["last"] - st["first"]) / 1000
        res["rows"].append({"accounts": n, "run": r, "span": span, "bound": bound, "chain": chain,
                            "org_calls": org_calls, "waves": waves, "after": end - last,
                            "snapshots": len(snaps), "complete": complete, "requests": st["requests"],
                            "connections": st["connections"], "open_max": st.get("open_max"),
                            "lookups": lookups, "threads": th.most, "overlap": overlap})
    # One account, many key holders: ListAccessKeys is its longest chain.
    with Fake(work, 1, holders_big, holders_big, c["events"], c["latency_ms"]) as fake:
        out = os.path.join(work, "scale-keys")
        shutil.rmtree(out, ignore_errors=True)
        env = fake.run_env(os.path.join(work, "home-scale"))
        print(f"bench: scale: iamgrade collect, one account with {holders_big} key holders ...", flush=True)
        with open(os.path.join(work, "scale-keys.log"), "w") as err:
            r = measure([c["iamgrade"], "collect", "--out", out, "--no-last-accessed", "-q"], env=env, stderr=err)
        st = fake.stats()
        snaps = glob.glob(os.path.join(out, "*.json"))
        keys = 0
        for s in snaps:
            with open(s) as f:
                keys = len(json.load(f)["sources"]["access_keys"].get("data") or [])
        chain = critical_path(holders_big, st["calls"].get("LookupEvents", 0), lat)
        res["keys"] = {"holders": holders_big, "run": r, "span": (st["last"] - st["first"]) / 1000,
                       "bound": chain, "keys": keys, "calls": st["calls"].get("ListAccessKeys", 0)}
    res["m1"] = machine()
    return res


def report_scale(c, res, secs, mib, table, machine_line):
    lat = c["latency_ms"]
    rows = []
    for x in res["rows"]:
        r = x["run"]
        rows.append((x["accounts"], c["jobs"], f"{x['snapshots']} / {x['complete']}", r["rc"],
                     secs(x["span"]),
                     f"{secs(x['bound'])} = {x['org_calls']} x {lat} ms + {x['waves']} x {secs(x['chain'])}",
                     f"{x['span'] / x['bound']:.2f}", secs(r["wall"]), secs(x["after"]),
                     f"{x['after'] / x['span']:.2f}" if x["span"] else "-",
                     mib(r["rss_kb"]), secs(r["cpu"]), x.get("threads", "-"), x["requests"],
                     f"{x['connections']} ({x.get('open_max', '-')})"))
    first = res["rows"][0]["run"]["rss_kb"] if res["rows"] else 0
    ratio = [f"{x['accounts']}: {x['run']['rss_kb'] / first:.2f}" for x in res["rows"]] if first else []
    k = res["keys"]
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"Fake AWS (tests/bench/fakeaws.js): {lat} ms per call and nothing else; {c['users']} users, "
        f"{c['key_holders']} key holders and {c['events']} CreateRole events per account.",
        table(("accounts", "jobs", "snapshots / complete", "exit", "collection span",
               "bound (org calls x latency + waves x critical path)", "span / bound", "whole run",
               "after the last snapshot", "after / span", "peak RSS", "CPU", "threads (most)",
               "AWS requests", "connections (most open)"), rows),
        "Critical path per account, from the calls the fake saw: " + "; ".join(
            f"{x['accounts']}: {secs(x['chain'])} = 2 x {lat} ms (identity) + 3 x {lat} ms (trails) + "
            f"{x['lookups']} LookupEvents x {lat} ms + {max(x['lookups'] - 1, 0)} x 500 ms pacing"
            for x in res["rows"]) + ".",
        "Accounts collecting while ListAccounts still paged (last ListAccounts after the first "
        "AssumeRole, positive: they overlap): " + ", ".join(
            f"{x['accounts']}: {x['overlap']:+.2f} s" if x.get("overlap") is not None else f"{x['accounts']}: -"
            for x in res["rows"]) + ".",
        "Peak RSS relative to the smallest run: " + (", ".join(ratio) or "-") + ".",
        table(("one account", "figure"), [
            ("key holders (ListAccessKeys calls made)", f"{k['holders']} ({k['calls']})"),
            ("keys in the snapshot", k["keys"]),
            ("exit status", k["run"]["rc"]),
            ("collection span", secs(k["span"])),
            ("critical path (identity, then the longer of the report and ceil(holders / 16) waves of "
             "ListAccessKeys, or the trails and the paced LookupEvents)", secs(k["bound"])),
            ("wall time, `iamgrade collect`", secs(k["run"]["wall"])),
            ("peak RSS", mib(k["run"]["rss_kb"])),
        ]),
    ])
