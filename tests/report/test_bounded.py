"""Issue 12, item 2: bounded reports over attacker-sized data.

Denied CreateRole calls are free, so an account can hold any number of
them.  The HTML and PDF group repeated findings (the same actor, error and
source address: one row with a count and the first and last time) and show
at most 50 rows per control and 100 events in the appendix, saying how many
more there are and where they are listed; findings.csv and the results
document keep every finding.  Sizes are compared, never times (those are
in make bench, BENCH_STAGES=denied)."""
import csv
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
sys.path.insert(0, HERE)

import gen_denied  # noqa: E402
from test_pdf import MAX_EVENTS, MAX_ROWS, shown_rows  # noqa: E402

IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
PDFTOTEXT = shutil.which("pdftotext")


class Rows(html.parser.HTMLParser):
    """Per failing control (article id ...-ROLE-07): its finding rows' texts, and the page's events."""

    def __init__(self):
        super().__init__()
        self.control, self.rows, self.events, self.cell = None, {}, 0, None
        self.more = {}
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section":
            self.control = None
        if tag == "article" and "control" in cls:
            self.control = a.get("id", "").rsplit("-", 2)[-2] + "-" + a.get("id", "").rsplit("-", 1)[-1]
            self.rows[self.control] = []
        if tag == "article" and "event" in cls:
            self.events += 1
        if tag == "tr" and self.control and self.stack and self.stack[-1] == "tbody":
            self.rows[self.control].append("")
            self.cell = self.control
        if tag == "p" and "more" in cls:
            self.cell = ("more", self.control)
            self.more.setdefault(self.control, "")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag in ("tr", "p"):
            self.cell = None

    def handle_data(self, data):
        if isinstance(self.cell, tuple):
            self.more[self.cell[1]] += data
        elif self.cell:
            self.rows[self.cell][-1] += data


class Bounded(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def outputs(self, n, actors, addresses):
        snap = os.path.join(self.tmp, f"d{n}-{actors}.json")
        with open(snap, "w", encoding="utf-8") as f:
            json.dump(gen_denied.make(n, actors, addresses), f)
        out = {e: os.path.join(self.tmp, f"d{n}-{actors}.{e}") for e in ("html", "pdf", "csv", "json")}
        p = subprocess.run([IAMGRADE, "report", snap, "--html", out["html"], "--pdf", out["pdf"],
                            "--csv", out["csv"], "--json", out["json"]], capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def role07(self, out):
        with open(out["json"], encoding="utf-8") as f:
            acct = json.load(f)["accounts"][0]
        return acct, [c for c in acct["controls"] if c["id"] == "ROLE-07"][0]

    def test_repeated_denials_are_one_row_each(self):
        """2 callers x 2 addresses: 1,000 denied calls are 4 rows with counts and times."""
        out = self.outputs(1000, 2, 2)
        acct, c = self.role07(out)
        self.assertEqual(len(c["findings"]), 1000, "the results keep every finding")
        with open(out["csv"], encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["control_id"] == "ROLE-07"]
        self.assertEqual(len(rows), 1000, "findings.csv keeps every finding")
        page = Rows()
        with open(out["html"], encoding="utf-8") as f:
            page.feed(f.read())
        self.assertEqual(len(page.rows["ROLE-07"]), 4, page.rows["ROLE-07"][:2])
        for text in page.rows["ROLE-07"]:
            self.assertRegex(text, r"250 times, first 20\d\d-\d\d-\d\dT[0-9:]+Z, last 20\d\d-")
        self.assertNotIn("ROLE-07", page.more)
        self.assertEqual(page.events, MAX_EVENTS)
        self.assertIn("%d more CreateRole events" % (1000 + 1 - MAX_EVENTS), page_text(out["html"]))
        if PDFTOTEXT:
            text = squash(pdf_text(out["pdf"]))
            self.assertIn(squash("[250 times, first"), text)
            self.assertIn(squash("%d more are listed in results.json" % (1000 + 1 - MAX_EVENTS)), text)

    def test_rows_are_capped_with_a_count(self):
        """60 callers: more groups than rows; the rest is counted and pointed to findings.csv."""
        out = self.outputs(600, 60, 1)
        acct, c = self.role07(out)
        rows, left = shown_rows(c["findings"])
        self.assertEqual(len(rows), MAX_ROWS)
        self.assertEqual(left, 100)      # 10 per caller, 10 callers past the cap
        page = Rows()
        with open(out["html"], encoding="utf-8") as f:
            page.feed(f.read())
        self.assertEqual(len(page.rows["ROLE-07"]), MAX_ROWS)
        self.assertEqual(page.more["ROLE-07"].strip(), "100 more findings, listed in findings.csv")
        # Remediation: as many commands as rows at most, and a count of the rest.
        self.assertIn("more lines, one per finding: listed in findings.csv", page_text(out["html"]))
        if PDFTOTEXT:
            self.assertIn(squash("100 more findings, listed in findings.csv."), squash(pdf_text(out["pdf"])))

    def test_size_does_not_follow_the_attacker(self):
        """Ten times the denied calls: the HTML and PDF stay the same size, CSV grows with them."""
        small, large = self.outputs(500, 2, 2), self.outputs(5000, 2, 2)
        for fmt in ("html", "pdf"):
            a, b = os.path.getsize(small[fmt]), os.path.getsize(large[fmt])
            self.assertLess(b, a * 1.2, f"{fmt}: {a} bytes for 500 calls, {b} for 5,000")
        self.assertGreater(os.path.getsize(large["csv"]), 8 * os.path.getsize(small["csv"]) // 2)

    def test_changes_since_the_baseline_are_capped(self):
        """600 new denied calls since a clean month: 50 rows and the count of the rest."""
        base = os.path.join(self.tmp, "base.json")
        with open(base, "w", encoding="utf-8") as f:
            json.dump(gen_denied.make(0), f)
        snap = os.path.join(self.tmp, "now.json")
        with open(snap, "w", encoding="utf-8") as f:
            json.dump(gen_denied.make(600, 600, 1), f)
        out = {e: os.path.join(self.tmp, "changes." + e) for e in ("html", "pdf")}
        p = subprocess.run([IAMGRADE, "report", snap, "--baseline", base, "--html", out["html"],
                            "--pdf", out["pdf"]], capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out["html"], encoding="utf-8") as f:
            page = f.read()
        self.assertEqual(page.count('<td class="id">ROLE-07</td>'), MAX_ROWS + 1)
        self.assertIn("%d more, listed in findings.csv" % (600 - MAX_ROWS), page)
        if PDFTOTEXT:
            self.assertIn(squash("%d more, listed in findings.csv" % (600 - MAX_ROWS)),
                          squash(pdf_text(out["pdf"])))


def page_text(path):
    with open(path, encoding="utf-8") as f:
        return re.sub(r"<[^>]+>", "", f.read())


def pdf_text(path):
    return subprocess.run([PDFTOTEXT, "-q", path, "-"], capture_output=True).stdout.decode("utf-8", "replace")


def squash(s):
    return re.sub(r"\s+", "", s)


if __name__ == "__main__":
    unittest.main()


class WideOrganization(unittest.TestCase):
    """A comparison of more accounts than a matrix can show: the control
    matrix holds the 50 lowest-scoring, worst first, and says where every
    account is; the accounts table, the changes and the machine outputs keep
    them all."""

    def test_matrix_shows_the_worst_fifty(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        res = os.path.join(tmp, "wide.results.json")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_large.py"), "--accounts", "60",
                        "--users", "4", "--events", "1", res], check=True, timeout=120)
        out = {e: os.path.join(tmp, "wide." + e) for e in ("html", "pdf", "dump")}
        p = subprocess.run([IAMGRADE, "report", "--results", res, "--html", out["html"], "--pdf",
                            out["pdf"], "--dump", out["dump"]], capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(res, encoding="utf-8") as f:
            accounts = json.load(f)["accounts"]
        worst = sorted(accounts, key=lambda a: (a["score"] is not None, a["score"] or 0, a["account_id"]))
        with open(out["html"], encoding="utf-8") as f:
            page = f.read()
        matrix = page[page.index('<table class="matrix">'):]
        matrix = matrix[:matrix.index("</table>")]
        head = re.findall(r'<span class="acct-id">(\d{12})</span>', matrix)
        self.assertEqual(head, [a["account_id"] for a in worst[:50]])
        # Each control's row has a cell per account shown, no more.
        for row in re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", matrix, re.S):
            self.assertEqual(row.count('<td class="cell '), 50)
        note = "The 50 lowest-scoring of 60 accounts, worst first."
        self.assertIn(note, page)
        for a in accounts:     # every account is in the accounts table
            self.assertIn('id="%s"' % ("acct-" + a["account_id"]), page)
        with open(out["dump"], encoding="utf-8") as f:
            d = f.read()
        self.assertIn("  | Accounts 49 to 50 of 60\n", d)
        self.assertNotIn(" of 60\n  | Accounts 51", d)
        self.assertNotRegex(d, r"Accounts 5[1-9] to")
        if PDFTOTEXT:
            self.assertIn(squash(note), squash(pdf_text(out["pdf"])))
