"""The history stage of make bench (BENCH_STAGES=history): what --history
costs.  For each size in BENCH_HISTORY_ACCOUNTS (a list, default 100,500):
a results document of that many accounts (the accounts of
tests/report/fixtures/multi.results.json, copied under new ids) and a
folder of 11 earlier runs of the same accounts (one a month, scores
varied), then `iamgrade report --results DOC --summary --html` with and
without `--history DIR`.  The difference is the reading of 11 results
documents, one at a time (report/history.h): wall, CPU and peak RSS.
Figures, not assertions.
"""
import copy
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MULTI = os.path.join(HERE, "..", "report", "fixtures", "multi.results.json")
MONTHS = 11


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return [int(x) for x in v.split(",") if x.strip().isdigit()] if v else default


def _doc(n, month):
    base = json.load(open(MULTI))
    accts = []
    for i in range(n):
        a = copy.deepcopy(base["accounts"][i % len(base["accounts"])])
        a["account_id"] = "%012d" % (100000000000 + i)
        if a.get("score") is not None:
            a["score"] = max(0, min(100, a["score"] - 2 * MONTHS + 2 * month + i % 7))
        accts.append(a)
    base["accounts"] = accts
    base["generated_at"] = "2026-%02d-27T10:00:00Z" % (month + 1)
    return base


def _build(work, n):
    root = os.path.join(work, f"history-{n}")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for m in range(MONTHS):
        d = os.path.join(root, "2026-%02d-27" % (m + 1))
        os.makedirs(d)
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump({"schema": "iamgrade.run/1", "started": "2026-%02d-27T10:00:00Z" % (m + 1)}, f)
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(_doc(n, m), f)
    cur = os.path.join(work, f"history-{n}.results.json")
    with open(cur, "w") as f:
        json.dump(_doc(n, MONTHS), f)
    return root, cur


def stage_history(c, work, measure, machine):
    res = {"m0": machine(), "rows": []}
    for n in env_list("BENCH_HISTORY_ACCOUNTS", [100, 500]):
        print(f"bench: history of {MONTHS} runs of {n} accounts ...", flush=True)
        root, cur = _build(work, n)
        size = os.path.getsize(os.path.join(root, "2026-01-27", "results.json"))
        out = os.path.join(work, f"history-{n}.html")
        row = {"n": n, "doc_bytes": size}
        row["without"] = measure([c["iamgrade"], "report", "--results", cur, "--summary", "--html", out])
        row["with"] = measure([c["iamgrade"], "report", "--results", cur, "--summary", "--html", out,
                               "--history", root])
        res["rows"].append(row)
        shutil.rmtree(root)
    res["m1"] = machine()
    return res


def report_history(c, res, secs, mib, table, machine_line):
    rows = []
    for r in res["rows"]:
        for how in ("without", "with"):
            m = r[how]
            rows.append((f"{r['n']:,}", f"{r['doc_bytes'] / 1e6:.1f} MB", how, m["rc"], secs(m["wall"]),
                         secs(m["cpu"]), mib(m["rss_kb"])))
    return "\n\n".join([
        machine_line(res["m0"], res["m1"]),
        f"Input: a results document of N accounts and {MONTHS} earlier runs of the same accounts, "
        "one a month (tests/bench/bench_history.py); `iamgrade report --results DOC --summary --html` "
        "without and with `--history DIR`.",
        table(("accounts", "each run's results.json", "--history", "exit", "wall", "CPU", "peak RSS"), rows),
    ])
