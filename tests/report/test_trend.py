"""The trend over months (`--history DIR`, report/history.h).

A folder of synthetic earlier runs is built from HISTORY below (data: each
run's folder name, run.json's started time and the scores it gives the
accounts of tests/report/fixtures/multi.results.json, or how it is broken),
then `iamgrade report --results multi --history DIR` renders it.  The SVG's
points are mapped back to scores through the geometry report/trend.h
documents, the gaps are checked by name, the summary's arrows by their words,
and the PDF as text (pdftotext) and as a picture (pdftoppm; PNGs kept under
$TREND_SHOTS when set, for people to look at).
"""
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
MULTI = os.path.join(HERE, "fixtures", "multi.results.json")
SHOTS = os.environ.get("TREND_SHOTS")
TOOLS = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdfimages"))

P, D, S, L = "111111111111", "222222222222", "333333333333", "444444444444"

# The earlier runs.  multi.results.json was generated 2026-11-27, so the
# chart runs from the earliest run of the last 12 months (2026-06) to 2026-11.
HISTORY = [
    {"dir": "2026-06-28", "started": "2026-06-28T06:00:00Z", "scores": {P: 80, D: 70},
     "pass_all": [P]},
    {"dir": "2026-07-28", "started": "2026-07-28T06:00:00Z", "scores": {P: 85, D: 65}},
    # 2026-08: no run at all.
    {"dir": "2026-09-28", "started": "2026-09-28T06:00:00Z", "scores": {P: 90, D: 60}},
    # An earlier run of the same month, under a name that sorts later: not drawn.
    {"dir": "zz-rerun", "started": "2026-09-02T06:00:00Z", "scores": {P: 10, D: 10}},
    # 2026-10: both runs unreadable (corrupt results, corrupt run.json).
    {"dir": "2026-10-28", "started": "2026-10-28T06:00:00Z", "broken": "results"},
    {"dir": "2026-10-29", "broken": "run.json"},
    # Not drawn: the current month (the results rendered stand for it), a
    # later month, a month 12 months back, and a folder that is no run.
    {"dir": "2026-11-02", "started": "2026-11-02T06:00:00Z", "scores": {P: 1, D: 1}},
    {"dir": "2026-12-01", "started": "2026-12-01T06:00:00Z", "scores": {P: 2, D: 2}},
    {"dir": "2025-11-30", "started": "2025-11-30T06:00:00Z", "scores": {P: 3, D: 3}},
    {"dir": "notes", "no_run": True},
]

# The run each month draws (the current month: the results rendered).
DRAWN = {"2026-06": "2026-06-28", "2026-07": "2026-07-28", "2026-09": "2026-09-28"}
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
GAPS = {"2026-08": "no run", "2026-10": "unreadable"}
# Per account, per month: the score drawn (None: no point).
EXPECT = {
    P: [80, 85, None, 90, None, 92],
    D: [70, 65, None, 60, None, 56],
    S: [99, 99, None, 99, None, 99],
    L: [None] * 6,
}
ARROWS = {P: ("\u2191", "up 2 since 2026-09"), D: ("\u2193", "down 4 since 2026-09"),
          S: ("\u2192", "unchanged since 2026-09"), L: ("\u2013", "no earlier score")}

# report/trend.h
X0, W, TOP, SCORE_H = 60.0, 680.0, 20.0, 160.0


def fails(doc):
    """The failing controls by severity per account, as history.c counts them."""
    out = {}
    for a in doc["accounts"]:
        n = [0, 0, 0, 0]
        for c in a["controls"]:
            if c["status"] == "FAIL" and c.get("severity") in ("critical", "high", "medium", "low"):
                n[["critical", "high", "medium", "low"].index(c["severity"])] += 1
        out[a["account_id"]] = n
    return out


def build(root):
    """The history folder; returns the results document of each drawn month."""
    base = json.load(open(MULTI))
    docs = {}
    for run in HISTORY:
        d = os.path.join(root, run["dir"])
        os.makedirs(d)
        if run.get("no_run"):
            open(os.path.join(d, "README"), "w").write("not a run\n")
            continue
        if run.get("broken") == "run.json":
            open(os.path.join(d, "run.json"), "w").write("{\"started\": ")
            continue
        json.dump({"schema": "iamgrade.run/1", "started": run["started"], "status": "complete"},
                  open(os.path.join(d, "run.json"), "w"))
        if run.get("broken") == "results":
            open(os.path.join(d, "results.json"), "w").write("{\"schema\": corrupt")
            continue
        doc = copy.deepcopy(base)
        for a in doc["accounts"]:
            if a["account_id"] in run["scores"]:
                a["score"] = run["scores"][a["account_id"]]
            if a["account_id"] in run.get("pass_all", []):
                for c in a["controls"]:
                    if c["status"] == "FAIL":
                        c["status"], c["findings"] = "PASS", []
        json.dump(doc, open(os.path.join(d, "results.json"), "w"))
        if run["dir"] in DRAWN.values():
            docs[run["started"][:7]] = doc
    docs["2026-11"] = base
    return docs


def svg_of(html, key):
    m = re.search(r'<svg[^>]*aria-labelledby="trend-t-%s trend-d-%s"[^>]*>(.*?)</svg>' % (key, key),
                  html, re.S)
    assert m, "no trend chart for %s" % key
    return m.group(1)


def points(svg):
    """The chart's dots mapped back to {month index: score}."""
    n = len(MONTHS)
    out = {}
    for cx, cy in re.findall(r'<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', svg):
        m = (float(cx) - X0) / (W / n) - 0.5
        s = 100 - (float(cy) - TOP) * 100 / SCORE_H
        assert abs(m - round(m)) < 0.01 and abs(s - round(s)) < 0.01, (cx, cy)
        out[round(m)] = round(s)
    return out


def run_report(*args):
    return subprocess.run([IAMGRADE, "report", "--results", MULTI, *args],
                          capture_output=True, text=True, timeout=300)


class Trend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trend-")
        cls.hist = os.path.join(cls.tmp, "reports")
        cls.docs = build(cls.hist)
        out = lambda n: os.path.join(cls.tmp, n)
        for mode, html, pdf in (("--detail", "detail.html", "detail.pdf"),
                                ("--summary", "summary.html", "summary.pdf")):
            r = run_report("--history", cls.hist, mode, "--html", out(html), "--pdf", out(pdf))
            assert r.returncode == 0, r.stderr
        cls.detail = open(out("detail.html"), encoding="utf-8").read()
        cls.summary = open(out("summary.html"), encoding="utf-8").read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_points_map_back_to_scores(self):
        for acct, scores in EXPECT.items():
            got = points(svg_of(self.detail, acct))
            want = {i: s for i, s in enumerate(scores) if s is not None}
            self.assertEqual(got, want, acct)

    def test_line_breaks_at_gaps(self):
        # acme-prod: 06-07 joined; 09 and 11 stand alone between gaps.
        svg = svg_of(self.detail, P)
        lines = re.findall(r'<polyline[^>]*points="([^"]*)"', svg)
        self.assertEqual(len(lines), 1)
        self.assertEqual(len(lines[0].split()), 2)

    def test_months_and_named_gaps(self):
        svg = svg_of(self.detail, P)
        labels = re.findall(r'<text class="chart-words"[^>]*text-anchor="middle"[^>]*>([^<]*)</text>', svg)
        # Each month's label; 2026-06, with a run and nothing failing, says 0 where its bar would be.
        self.assertEqual(labels, [MONTHS[0], "0"] + MONTHS[1:])
        gaps = re.findall(r'<text class="trend-gap"[^>]*>([^<]*)</text>', svg)
        self.assertEqual(gaps, [GAPS[m] for m in MONTHS if m in GAPS])
        # The list under the chart says why: no run; which file could not be read.
        self.assertIn("2026-08</strong>: <span>no run</span>", self.detail)
        m = re.search(r"2026-10</strong>: <span>([^<]*)</span>", self.detail)
        self.assertTrue(m and "2026-10-29" in m.group(1) and "run.json" in m.group(1), m)

    def test_accessible_title_and_desc(self):
        m = re.search(r'<desc id="trend-d-%s">([^<]*)</desc>' % P, self.detail)
        self.assertTrue(m)
        self.assertIn("2026-06: score 80; failing controls: 0 critical, 0 high, 0 medium, 0 low",
                      m.group(1))
        self.assertIn("2026-08: no run", m.group(1))
        self.assertIn('<title id="trend-t-%s">' % P, self.detail)

    def test_failing_bars(self):
        # The bars' titles carry each month's counts, recomputed here from the documents.
        svg = svg_of(self.detail, D)
        got = {}
        for month, n, sev in re.findall(r"<title>(\d{4}-\d\d): (\d+) (\w+) failing</title>", svg):
            got.setdefault(month, {})[sev] = int(n)
        for month, doc in self.docs.items():
            want = dict(zip(("critical", "high", "medium", "low"), fails(doc)[D]))
            want = {k: v for k, v in want.items() if v}
            self.assertEqual(got.get(month, {}), want, month)

    def test_organization(self):
        svg = svg_of(self.summary, "org")
        want = {}
        for i, month in enumerate(MONTHS):
            if month in self.docs:
                s = [a["score"] for a in self.docs[month]["accounts"] if a["score"] is not None]
                want[i] = int((2 * sum(s) + len(s)) // (2 * len(s)))
        self.assertEqual(points(svg), want)

    def test_selection_is_its_own_organization(self):
        # With --select the organization line is the accounts selected, every month.
        out = os.path.join(self.tmp, "sel.html")
        r = run_report("--history", self.hist, "--select", "%s %s" % (P, D), "--summary", "--html", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        svg = svg_of(open(out, encoding="utf-8").read(), "org")
        want = {i: (EXPECT[P][i] + EXPECT[D][i] + 1) // 2 for i in range(len(MONTHS))
                if EXPECT[P][i] is not None}
        self.assertEqual(points(svg), want)

    def test_hostile_folder_name(self):
        # A gap names the folder it could not read: as text, never markup.
        hist = os.path.join(self.tmp, "hostile")
        bad = os.path.join(hist, '<img src=x onerror=alert(1)>"')
        os.makedirs(bad)
        json.dump({"started": "2026-10-03T00:00:00Z"}, open(os.path.join(bad, "run.json"), "w"))
        out = os.path.join(self.tmp, "hostile.html")
        r = run_report("--history", hist, "--detail", "--html", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        html = open(out, encoding="utf-8").read()
        self.assertNotIn("<img", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)

    def test_twelve_months_across_a_year(self):
        # Results of 2027-01: a run of 2026-02 is the 12th month back (drawn), 2026-01 the 13th (not).
        hist = os.path.join(self.tmp, "year")
        base = json.load(open(MULTI))
        for day, score in (("2026-01-15", 10), ("2026-02-15", 20), ("2026-12-31", 30)):
            d = os.path.join(hist, day)
            os.makedirs(d)
            json.dump({"started": day + "T23:59:59Z"}, open(os.path.join(d, "run.json"), "w"))
            doc = copy.deepcopy(base)
            for a in doc["accounts"]:
                if a["account_id"] == P:
                    a["score"] = score
            json.dump(doc, open(os.path.join(d, "results.json"), "w"))
        cur = copy.deepcopy(base)
        cur["generated_at"] = "2027-01-02T00:00:00Z"
        path = os.path.join(self.tmp, "2027.results.json")
        json.dump(cur, open(path, "w"))
        out = os.path.join(self.tmp, "year.html")
        r = subprocess.run([IAMGRADE, "report", "--results", path, "--history", hist, "--detail",
                            "--html", out], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        svg = svg_of(open(out, encoding="utf-8").read(), P)
        labels = re.findall(r'text-anchor="middle"[^>]*>(\d{4}-\d\d)</text>', svg)
        self.assertEqual(labels, ["2026-%02d" % m for m in range(2, 13)] + ["2027-01"])
        n = len(labels)
        got = {}
        for cx, cy in re.findall(r'<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', svg):
            got[round((float(cx) - X0) / (W / n) - 0.5)] = round(100 - (float(cy) - TOP) * 100 / SCORE_H)
        self.assertEqual(got, {0: 20, 10: 30, 11: 92})

    def test_summary_arrows(self):
        for acct, (sign, words) in ARROWS.items():
            m = re.search(r'<tr[^>]*>(?:(?!</tr>).)*?%s(?:(?!</tr>).)*?</tr>' % acct, self.summary, re.S)
            self.assertTrue(m, acct)
            row = m.group(0)
            self.assertIn('<span aria-hidden="true" class="trend-sign">%s</span>' % sign, row)
            self.assertIn("<span class=\"small\">%s</span>" % words, row)

    def test_without_history_nothing_changes(self):
        r = run_report("--summary", "--html", os.path.join(self.tmp, "plain.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        plain = open(os.path.join(self.tmp, "plain.html"), encoding="utf-8").read()
        self.assertNotIn("trend-chart", plain)
        self.assertNotIn('class="trend-sign"', plain)

    def test_empty_history(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty, exist_ok=True)
        r = run_report("--history", empty, "--detail", "--html", os.path.join(self.tmp, "e.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        html = open(os.path.join(self.tmp, "e.html"), encoding="utf-8").read()
        self.assertIn("the trend starts with this run", html)
        self.assertNotIn("<svg class=\"chart trend-chart\"", html)

    def test_history_not_a_folder(self):
        r = run_report("--history", os.path.join(self.tmp, "nope"), "--html",
                       os.path.join(self.tmp, "x.html"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("--history %s" % os.path.join(self.tmp, "nope"), r.stderr)

    @unittest.skipUnless(TOOLS, "poppler-utils not installed")
    def test_pdf_text_and_picture(self):
        text = subprocess.run(["pdftotext", "-layout", os.path.join(self.tmp, "detail.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages = text.split("\f")
        trend = [p for p in pages if "Trend over months" in p]
        self.assertEqual(len(trend), 4)    # one per account
        prod = next(p for p in trend if re.search(r"^2026-06\s+80\s", p, re.M))
        for month, score in zip(MONTHS, EXPECT[P]):
            if score is None:
                self.assertRegex(prod, r"(?m)^%s\s+-\s+-\s+-\s+-\s+-\s+gap: " % month)
            else:
                self.assertRegex(prod, r"(?m)^%s\s+%d\*?\s" % (month, score))
        self.assertIn("up 2 since 2026-09", prod)
        stext = subprocess.run(["pdftotext", os.path.join(self.tmp, "summary.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
        self.assertIn("Trend over months: the organization", stext)
        # Vector only: no image in either PDF.
        for pdf in ("detail.pdf", "summary.pdf"):
            imgs = subprocess.run(["pdfimages", "-list", os.path.join(self.tmp, pdf)],
                                  capture_output=True, text=True, check=True).stdout
            self.assertEqual(len(imgs.strip().splitlines()), 2, pdf)    # the header only
        # The pages as pictures, for people.
        page = pages.index(prod) + 1
        dest = SHOTS or self.tmp
        os.makedirs(dest, exist_ok=True)
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "80", "-png",
                        os.path.join(self.tmp, "detail.pdf"), os.path.join(dest, "account-trend")],
                       check=True)
        spage = stext.split("\f").index(next(p for p in stext.split("\f")
                                              if "Trend over months" in p)) + 1
        subprocess.run(["pdftoppm", "-f", str(spage), "-l", str(spage), "-r", "80", "-png",
                        os.path.join(self.tmp, "summary.pdf"), os.path.join(dest, "org-trend")],
                       check=True)
        self.assertTrue(any(f.startswith("account-trend") for f in os.listdir(dest)))


if __name__ == "__main__":
    unittest.main()
