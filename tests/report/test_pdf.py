"""The PDF report: golden layout dumps, then the PDF checked with real tools.

Renders the fixtures in tests/report/fixtures/ with `iamgrade report --results
F --pdf OUT --dump OUT` ($IAMGRADE, default ./iamgrade).  The dumps (the laid
out pages as text) are compared with tests/report/golden/NAME.dump; set
UPDATE_GOLDEN=1 to rewrite those files after a deliberate layout change, and
read the diff before committing it.  The PDFs go through qpdf --check,
pdffonts, pdfinfo and pdftotext (poppler-utils).  The large case
(gen_large.py: 2,000 users, 300 CreateRole events) prints its page count, size
and render time: figures, not assertions.
"""
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
GOLDEN = os.path.join(HERE, "golden")
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
TOOLS = all(shutil.which(t) for t in ("qpdf", "pdftotext", "pdffonts", "pdfinfo"))
# The faces report/layout.c loads (Debian: fonts-dejavu-core, fonts-droid-fallback).
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"]
HOSTILE = ["<script>document.title='pwned'</script>",
           "\"><img src=x onerror=\"document.title='pwned'\">",
           "</style>", "&amp;", "&<img src=x onerror=alert(1)>;", "]]>",
           "中文", "العربية"]


def fixture(name):
    return os.path.join(FIX, name + ".results.json")


# name -> the arguments of `iamgrade report` (outputs added by the test)
CASES = {
    "sample": ["--results", fixture("sample")],
    "hostile": ["--results", fixture("hostile")],
    "multi": ["--results", fixture("multi")],
    "multi-baseline": ["--results", fixture("multi"), "--baseline", fixture("baseline")],
    "sample-summary": ["--results", fixture("sample"), "--summary"],
}


def report(*args, timeout=300):
    r = subprocess.run([IAMGRADE, "report", *args], capture_output=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError("iamgrade report %s: exit %d: %s" % (
            " ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return r


def tool(*argv):
    r = subprocess.run(argv, capture_output=True, timeout=300)
    return r.returncode, r.stdout.decode("utf-8", errors="replace"), \
        r.stderr.decode("utf-8", errors="replace")


def squash(s):
    """Text without whitespace: pdftotext puts line breaks where lines wrap."""
    return re.sub(r"\s+", "", s)


def pages_of(pdf):
    rc, out, _ = tool("pdfinfo", pdf)
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


class Golden(unittest.TestCase):
    """The layout as text: every page, box, style and wrapped line."""

    def test_dumps(self):
        missing = [f for f in FONTS if not os.path.exists(f)]
        self.assertFalse(missing, "fonts missing (make deps): %s" % missing)
        os.makedirs(GOLDEN, exist_ok=True) if UPDATE else None
        with tempfile.TemporaryDirectory() as tmp:
            for name, args in CASES.items():
                with self.subTest(case=name):
                    out = os.path.join(tmp, name + ".dump")
                    report(*args, "--dump", out)
                    with open(out, encoding="utf-8") as f:
                        got = f.read()
                    self.assertIn("--- overflow ---\nnone\n", got,
                                  "the layout reports text outside its box")
                    path = os.path.join(GOLDEN, name + ".dump")
                    if UPDATE:
                        with open(path, "w", encoding="utf-8") as f:
                            f.write(got)
                        continue
                    self.assertTrue(os.path.exists(path),
                                    "%s missing: run with UPDATE_GOLDEN=1" % path)
                    with open(path, encoding="utf-8") as f:
                        want = f.read()
                    if got != want:
                        diff = "".join(list(difflib.unified_diff(
                            want.splitlines(True), got.splitlines(True),
                            path, "rendered", n=2))[:60])
                        self.fail("dump differs from %s (UPDATE_GOLDEN=1 to accept):\n%s"
                                  % (path, diff))


@unittest.skipUnless(TOOLS, "qpdf and poppler-utils are not installed")
class RealTools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pdf = {}
        for name, args in CASES.items():
            cls.pdf[name] = os.path.join(cls.tmp.name, name + ".pdf")
            report(*args, "--pdf", cls.pdf[name])
        with open(fixture("sample")) as f:
            cls.sample = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def text(self, name, *opts):
        rc, out, err = tool("pdftotext", *opts, self.pdf[name], "-")
        self.assertEqual(rc, 0, err)
        # libharu's own /ToUnicode is replaced by a valid one: no warnings.
        self.assertNotIn("ToUnicode", err)
        return out

    def test_qpdf_check(self):
        for name, pdf in self.pdf.items():
            with self.subTest(case=name):
                rc, out, err = tool("qpdf", "--check", pdf)
                self.assertEqual(rc, 0, out + err)
                self.assertIn("No syntax or stream encoding errors", out)

    def test_fonts_embedded(self):
        for name, pdf in self.pdf.items():
            with self.subTest(case=name):
                rc, out, _ = tool("pdffonts", pdf)
                self.assertEqual(rc, 0)
                rows = [l for l in out.splitlines()[2:] if l.strip()]
                self.assertTrue(rows, "no fonts")
                for row in rows:
                    # name type(2 words) encoding emb sub uni object id
                    cols = row.split()
                    self.assertEqual(cols[-5:-2], ["yes", "yes", "yes"],
                                     "font not embedded, subset and mapped: " + row)
                self.assertTrue(any("DejaVuSans" in r for r in rows))
        rc, out, _ = tool("pdffonts", self.pdf["hostile"])
        self.assertIn("DroidSansFallback", out, "CJK needs the fallback face")
        rc, out, _ = tool("pdffonts", self.pdf["sample"])
        self.assertNotIn("DroidSansFallback", out, "fallback loaded without need")

    def test_text_and_footers(self):
        text = self.text("sample")
        acct = self.sample["accounts"][0]
        self.assertIn(acct["account_id"], text)
        self.assertIn(acct["snapshot"]["sha256"], squash(text))
        flat = squash(text)
        for c in acct["controls"]:
            if c["status"] == "FAIL":
                self.assertIn(c["id"], text)
                for f in c["findings"]:
                    self.assertTrue(squash(f["resource"]) in flat, f["resource"])
        n = pages_of(self.pdf["sample"])
        self.assertGreater(n, 5)
        for i in range(1, n + 1):
            self.assertIn("Page %d of %d" % (i, n), text)
        # Footers sit on their own pages.
        page3 = self.text("sample", "-f", "3", "-l", "3")
        self.assertIn("Page 3 of %d" % n, page3)
        self.assertNotIn("Page 4 of", page3)

    def test_info(self):
        rc, out, _ = tool("pdfinfo", self.pdf["sample"])
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"Title:\s+IAM compliance report: acme-prod \(123456789012\)")
        self.assertRegex(out, r"Author:\s+iamgrade 0\.1\.0")
        self.assertRegex(out, r"Subject:\s+AWS IAM controls for account 123456789012")
        # generated_at of the results, never the clock.
        self.assertRegex(out, r"CreationDate:\s+Fri Nov 27 10:00:09 2026 UTC")
        self.assertRegex(out, r"Pages:\s+\d+")
        rc, out, _ = tool("pdfinfo", self.pdf["hostile"])
        self.assertIn("hostile-中文", out, "UTF-8 title")

    def test_bookmarks(self):
        rc, out, err = tool("qpdf", "--json", "--json-key=outlines", self.pdf["sample"])
        self.assertEqual(rc, 0, err)
        tops = json.loads(out)["outlines"]
        titles = [o["title"] for o in tops]
        for want in ("Cover", "Executive summary", "Controls", "Failing controls",
                     "Not evaluated", "Appendix A. CreateRole events",
                     "Appendix B. Thresholds"):
            self.assertIn(want, titles)
        failing = next(o for o in tops if o["title"] == "Failing controls")
        kids = [k["title"].split()[0] for k in failing["kids"]]
        want = [c["id"] for c in self.sample["accounts"][0]["controls"] if c["status"] == "FAIL"]
        self.assertEqual(kids, want)
        pages = [o["destpageposfrom1"] for o in tops]
        self.assertEqual(pages, sorted(pages), "bookmarks out of page order")

    def test_byte_identical(self):
        other = os.path.join(self.tmp.name, "again.pdf")
        time.sleep(1.1)     # a clock-derived date or ID would now differ
        report(*CASES["sample"], "--pdf", other)
        with open(self.pdf["sample"], "rb") as a, open(other, "rb") as b:
            self.assertEqual(a.read(), b.read(), "the same results gave different bytes")
        rc, out, _ = tool("qpdf", "--show-object=trailer", other)
        self.assertNotIn("/ID", out)

    def test_hostile_strings(self):
        text = self.text("hostile")
        for h in HOSTILE:
            self.assertTrue(squash(h) in squash(text), "lost: " + h)
        # Outside the Basic Multilingual Plane (emoji): the replacement character.
        self.assertIn("\ufffd", text)
        self.assertNotIn("🙂", text)
        # (pdftotext itself ends each page with a form feed.)
        self.assertIsNone(re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text),
                          "control characters reached the page")

    def test_comparison(self):
        text = self.text("multi-baseline")
        with open(fixture("multi")) as f:
            multi = json.load(f)
        for a in multi["accounts"]:
            self.assertTrue(a["account_id"] in squash(text), a["account_id"])
        self.assertIn("Control matrix", text)
        self.assertIn("Changes since the baseline", text)
        self.assertRegex(text, r"FAIL \(\d+\)")


@unittest.skipUnless(TOOLS, "qpdf and poppler-utils are not installed")
class Generated(unittest.TestCase):
    """Documents from gen_large.py: a wide matrix, every account in full, a large account."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def gen(self, name, *args):
        path = os.path.join(self.tmp.name, name + ".results.json")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_large.py"), *args, path],
                       check=True, timeout=120)
        return path

    def test_wide_matrix(self):
        res = self.gen("wide", "--accounts", "11", "--users", "20", "--events", "3")
        pdf, dump = (os.path.join(self.tmp.name, "wide." + e) for e in ("pdf", "dump"))
        report("--results", res, "--pdf", pdf, "--dump", dump)
        with open(dump, encoding="utf-8") as f:
            d = f.read()
        self.assertIn("--- overflow ---\nnone\n", d)
        # Four accounts to a band, the control column repeated on each.
        for band in ("1 to 4", "5 to 8", "9 to 11"):
            self.assertIn("  | Accounts %s of 11\n" % band, d)
        pages = d.split("\n--- page ")
        for p in pages:
            if re.search(r"^  \| (PASS|NE|N/A|FAIL \(\d+\))$", p, re.M):
                # A page of the matrix: its rows come under the control column.
                self.assertRegex(p, r"text cell-bold left [\d.,]+ [\d.]+x[\d.]+ #000000\n  \| Control\n",
                                 "a matrix page without its control column")
        rc, out, err = tool("qpdf", "--check", pdf)
        self.assertEqual(rc, 0, out + err)
        with open(res) as f:
            ids = [a["account_id"] for a in json.load(f)["accounts"]]
        rc, text, _ = tool("pdftotext", pdf, "-")
        for i in ids:
            self.assertTrue(i in squash(text), i)

    def test_detail(self):
        pdf, dump = (os.path.join(self.tmp.name, "detail." + e) for e in ("pdf", "dump"))
        report("--results", fixture("multi"), "--detail", "--pdf", pdf, "--dump", dump)
        with open(dump, encoding="utf-8") as f:
            d = f.read()
        self.assertIn("--- overflow ---\nnone\n", d)
        self.assertIn("\nacme-prod (111111111111) -> page ", d)
        self.assertIn("\n  Executive summary -> page ", d)
        rc, out, err = tool("qpdf", "--check", pdf)
        self.assertEqual(rc, 0, out + err)

    def test_large(self):
        res = self.gen("large")
        pdf, dump = (os.path.join(self.tmp.name, "large." + e) for e in ("pdf", "dump"))
        t0 = time.monotonic()
        report("--results", res, "--pdf", pdf)
        secs = time.monotonic() - t0
        report("--results", res, "--dump", dump)
        with open(dump, encoding="utf-8") as f:
            self.assertTrue("--- overflow ---\nnone\n" in f.read(), "overflow")
        rc, out, err = tool("qpdf", "--check", pdf)
        self.assertEqual(rc, 0, out + err)
        n = pages_of(pdf)
        self.assertGreater(n, 10)
        with open(res) as f:
            doc = json.load(f)
        acct = doc["accounts"][0]
        rc, text, _ = tool("pdftotext", pdf, "-")
        self.assertIn("Page %d of %d" % (n, n), text.split("\f")[n - 1])
        for c in acct["controls"]:
            if c["status"] == "FAIL":
                self.assertIn(c["id"], text)
        flat = squash(text)
        # The appendix holds at most MAX_EVENTS events, roles created first
        # (issue 12: bounded output); the rest are counted, and in results.json.
        events, more = shown_events(acct["create_role_events"])
        self.assertEqual(len(events), min(MAX_EVENTS, len(acct["create_role_events"])))
        missing = [e["event_id"] for e in events if e["event_id"] not in flat]
        self.assertFalse(missing, "%d event ids not in the text" % len(missing))
        if more:
            self.assertIn(squash("%d more are listed in results.json" % more), flat)
        # Every row's resource is laid out somewhere, and what the rows left
        # out is counted.  (pdftotext runs the columns of a wrapped row
        # together, so the dump is read here.)
        with open(dump, encoding="utf-8") as f:
            laid = squash("".join(l[4:] for l in f.read().splitlines() if l.startswith("  | ")))
        missing = []
        for c in acct["controls"]:
            rows, left = shown_rows(c["findings"])
            missing += [r["resource"] for r in rows if squash(r["resource"]) not in laid]
            if left:
                self.assertIn(squash("%d more finding%s, listed in findings.csv" %
                                     (left, "" if left == 1 else "s")), flat, c["id"])
        self.assertFalse(missing, "%d resources not laid out, e.g. %s" % (
            len(missing), missing[:3]))
        print("\n  large: %d users, %d events, %d findings -> %d pages, %d bytes, %.2f s "
              "(iamgrade report, wall clock, this machine)" % (
                  2000, len(acct["create_role_events"]),
                  sum(len(c["findings"]) for c in acct["controls"]), n,
                  os.path.getsize(pdf), secs), file=sys.stderr)


# The detail limits of report/report.h, as the reader sees them.
MAX_ROWS, MAX_EVENTS = 50, 100


def shown_rows(findings):
    """The finding rows of a control (report_finding_rows): findings with the
    same resource, evidence.error_code and evidence.source_ip are one row when
    they carry an error code; at most MAX_ROWS rows.  Returns the rows' first
    findings and how many findings were left out."""
    rows, index, left = [], {}, 0
    for f in findings:
        ev = f.get("evidence") or {}
        key = (f.get("resource"), ev.get("error_code"), ev.get("source_ip")) if ev.get("error_code") else None
        if key is not None and key in index:
            continue
        if len(rows) == MAX_ROWS:
            left += 1
            continue
        rows.append(f)
        if key is not None:
            index[key] = f
    return rows, left


def shown_events(events):
    """The appendix's events (report_event_rows) and how many are left out."""
    if len(events) <= MAX_EVENTS:
        return events, 0
    ordered = [e for e in events if not e.get("error_code")] + [e for e in events if e.get("error_code")]
    return ordered[:MAX_EVENTS], len(events) - MAX_EVENTS


if __name__ == "__main__":
    unittest.main()
