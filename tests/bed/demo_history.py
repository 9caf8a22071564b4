"""make demo: file a run again as synthetic earlier months for the trend.

demo_history.py RUN OUT: copies RUN's run.json and results.json into
OUT/synthetic-YYYY-MM-DD/ for 3 months and 1 month before RUN started, with
every score lowered (by 12 and by 6 points), so that the next run's reports
draw a trend with a gap (the month between has no run).  Only the demo does
this: the folders say they are synthetic, and they hold no snapshot.
"""
import datetime
import json
import os
import sys


def month_back(t, n):
    y, m = divmod(t.year * 12 + t.month - 1 - n, 12)
    return t.replace(year=y, month=m + 1, day=min(t.day, 28))


def main(run, out):
    os.umask(0o077)     # results.json holds findings: private like the run's own
    with open(os.path.join(run, "run.json")) as f:
        meta = json.load(f)
    started = datetime.datetime.strptime(meta["started"], "%Y-%m-%dT%H:%M:%SZ")
    for back, drop in ((3, 12), (1, 6)):
        when = month_back(started, back)
        d = os.path.join(out, "synthetic-" + when.strftime("%Y-%m-%d"))
        if os.path.exists(d):
            continue
        with open(os.path.join(run, "results.json")) as f:
            results = json.load(f)
        for a in results["accounts"]:
            if a.get("score") is not None:
                a["score"] = max(0, a["score"] - drop)
        os.makedirs(d)
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(results, f)
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump(dict(meta, started=when.strftime("%Y-%m-%dT%H:%M:%SZ")), f)
        print("demo:   synthetic earlier run %s (scores %d lower)" % (d, drop))


if __name__ == "__main__":
    main(*sys.argv[1:3])
