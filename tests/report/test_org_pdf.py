"""The organization's summary.pdf is bounded (issue 18): at most 15 pages
for 200 accounts and 40 for 1,000 (316 before), checked like the other PDFs
(qpdf --check, every font embedded) and read back with pdftotext for the OU
names and the heatmap's numbers."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from test_browser import HERE, IAMGRADE, organization

TOOLS = all(shutil.which(t) for t in ("qpdf", "pdffonts", "pdftotext"))


@unittest.skipUnless(TOOLS, "qpdf and poppler-utils not installed (make deps)")
class OrgPdf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-orgpdf-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def render(self, n, tags=None, extra=(), baseline=None, edit=None):
        results, st = organization(n)
        if edit is not None:
            edit(results)
        if tags is not None:
            for i, acct in enumerate(sorted(st["accounts"])):
                st["accounts"][acct]["tags"]["team"] = "team-%03d" % (i % tags)
        paths = {k: os.path.join(self.tmp, "%s%d.json" % (k, n)) for k in ("r", "o")}
        for k, doc in (("r", results), ("o", st)):
            with open(paths[k], "w", encoding="utf-8") as f:
                json.dump(doc, f)
        if baseline is not None:
            paths["b"] = os.path.join(self.tmp, "b%d.json" % n)
            with open(paths["b"], "w", encoding="utf-8") as f:
                json.dump(baseline(results), f)
            extra = list(extra) + ["--baseline", paths["b"]]
        pdf = os.path.join(self.tmp, "s%d-%s-%s.pdf" % (n, tags, edit is not None))
        p = subprocess.run([IAMGRADE, "report", "--results", paths["r"], "--organization", paths["o"],
                            "--summary", "--pdf", pdf] + list(extra), capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        return pdf, st

    def pages(self, pdf):
        return int(subprocess.run(["qpdf", "--show-npages", pdf], capture_output=True,
                                  text=True, check=True).stdout)

    def test_bounded(self):
        for n, most in ((200, 15), (1000, 40)):
            with self.subTest(n):
                pdf, st = self.render(n)
                self.assertLessEqual(self.pages(pdf), most)
                self.assertEqual(subprocess.run(["qpdf", "--check", pdf], capture_output=True).returncode, 0)
                fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout.splitlines()[2:]
                self.assertTrue(fonts and all(re.search(r"\byes\s+yes\s+yes\b", f) for f in fonts), fonts)
                text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                                      text=True).stdout
                for path in ("/Production/Payments", "/Security", "/Development"):
                    self.assertIn(path, text)
                # Heatmap numbers: USER-05 fails in every account of /Security (the fixture's dev account).
                self.assertRegex(text, r"USER-05\s+.*100%")
                self.assertIn("The 25 worst accounts", text)
                self.assertIn("Appendix: every account, by group", text)
                # Every account is in the appendix.
                for acct in list(st["accounts"])[:: max(1, n // 50)]:
                    self.assertIn(acct, text)

    def test_pages_before_the_appendix_do_not_grow(self):
        counts = []
        for n in (60, 600):
            pdf, _ = self.render(n)
            text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
            pages = text.split("\f")
            counts.append(next(i for i, p in enumerate(pages) if "Appendix: every account" in p))
        self.assertEqual(counts[0], counts[1])

    def text_pages(self, pdf):
        return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                              text=True, check=True).stdout.split("\f")

    def test_contents_name_the_right_pages(self):
        """Every line of the contents is a section with the page it starts on
        (found again by pdftotext), and the outline has the same entries."""
        import test_trend
        hist = os.path.join(self.tmp, "history")
        if not os.path.isdir(hist):
            test_trend.build(hist)
        # With a history, the organization's trend is a section of its own.
        pdf, _ = self.render(200, extra=["--history", hist])
        pages = self.text_pages(pdf)
        toc = re.findall(r"^ *(\S.*?\S) +(\d+)$", pages[0].split("Contents", 1)[1].split("\nGroups\n")[0],
                         re.M)
        titles = [t for t, _ in toc]
        for want in ("Groups", "The 25 worst accounts", "The biggest regressions since the baseline",
                     "Heatmap: where each control fails", "Appendix: every account, by group",
                     "/Production/Payments (33 accounts)", "Appendix. Thresholds",
                     "Trend over months: the organization"):
            self.assertIn(want, titles)
        for title, page in toc:
            # The heading is on that page (a hostile name is shown with its bidi control named).
            self.assertIn(title, pages[int(page) - 1], (title, page))
            if int(page) > 1:
                self.assertNotIn("\n" + title + "\n", "\n".join(pages[:int(page) - 1]).split("Contents", 1)[1]
                                 .split("\nGroups\n", 1)[1], (title, page))
        outline = json.loads(subprocess.run(["qpdf", "--json", "--json-key=outlines", pdf], capture_output=True,
                                            text=True, check=True).stdout)["outlines"]
        flat = {}

        def walk(items):
            for o in items:
                flat[o["title"]] = o["destpageposfrom1"]
                walk(o["kids"])
        walk(outline)
        for title, page in toc:
            self.assertEqual(flat.get(title), int(page), title)

    def test_account_report_contents(self):
        """The one-account report has contents on its cover too: each section
        with the page its heading is on, the same as the outline's."""
        pdf = os.path.join(self.tmp, "sample.pdf")
        p = subprocess.run([IAMGRADE, "report", "--results", os.path.join(HERE, "fixtures", "sample.results.json"),
                            "--pdf", pdf], capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        pages = self.text_pages(pdf)
        toc = re.findall(r"^ *(\S.*?\S) +(\d+)$", pages[0].split("Contents", 1)[1].split("iamgrade |")[0],
                         re.M)
        self.assertEqual([t for t, _ in toc][:3], ["Executive summary", "Controls", "Failing controls"])
        self.assertIn("Appendix B. Thresholds", [t for t, _ in toc])
        lines = [{ln.strip() for ln in pg.splitlines()} for pg in pages]
        for title, page in toc:
            # The heading is a line of its own on that page and on no page between.
            self.assertIn(title, lines[int(page) - 1], (title, page))
            self.assertFalse([k for k in range(1, int(page) - 1) if title in lines[k]], (title, page))

    def test_worst_offenders_are_a_table(self):
        """Name, OU, score, grade, failing critical and high, and the change
        since the baseline run, each in its column."""
        def worse(results):
            base = json.loads(json.dumps(results))
            for a in base["accounts"]:
                if a["account_id"].endswith("01") and isinstance(a.get("score"), int):
                    a["score"] = min(100, a["score"] + 7)
            return base
        pdf, _ = self.render(60, baseline=worse)
        pages = self.text_pages(pdf)
        text = "".join(pages)
        worst = text.split("The 25 worst accounts", 2)[2].split("The biggest regressions", 1)[0]
        self.assertRegex(worst, r"Account\s+OU\s+Score\s+Grade\s+Failing\s+Failing\s+Change")
        # acct-001 is in /Security, 56 (F), 2 critical and 5 high failing controls, 7 down.
        self.assertRegex(worst, r"acct-001 \(100000000001\)\s+/Security\s+56\s+F\s+2\s+5\s+-7")
        self.assertNotIn("grade F", worst)
        regress = text.split("The biggest regressions since the baseline", 2)[2].split("Heatmap", 1)[0]
        self.assertRegex(regress, r"acct-001 \(100000000001\)\s+/Security\s+56\s+F\s+2\s+5\s+-7")
        self.assertNotIn("acct-002 ", regress)

    def test_many_tag_groups_stay_bounded(self):
        """300 tag values over 1,000 accounts: the heatmap shows the 19 largest
        groups and "other", the appendix is one table with a Group column,
        and the whole stays within the 40 pages."""
        pdf, st = self.render(1000, tags=300, extra=["--group-by", "tag:team"])
        self.assertLessEqual(self.pages(pdf), 40)
        text = "".join(self.text_pages(pdf))
        self.assertIn("1000 accounts in 300 groups (by tag:team).", text)
        raw = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
        self.assertTrue(re.search(r"other\s+\(281\s+groups\)", raw), "no \"other (281 groups)\" column")
        self.assertIn("The outline (bookmarks) lists every group.", text)
        for acct in list(st["accounts"])[::37]:
            self.assertIn(acct, text)
        self.assertRegex(text, r"Group\s+Account\s+Score\s+Grade\s+Critical\s+High\s+Collection")

    def test_least_privilege_is_two_columns_of_the_appendix(self):
        """With LP-01..04 graded, each account's unused shares are columns of
        the appendix (not a second table of every account): 1,000 accounts
        still fit in 40 pages, a known share is printed, an unknown one is
        n/e and never 0 %."""
        def lp(results):
            for k, a in enumerate(results["accounts"]):
                known = k % 2 == 0
                a["controls"].append({"id": "LP-01", "title": "Roles unused", "severity": "medium",
                                      "status": "FAIL" if known else "NOT_EVALUATED", "findings": []})
                if known:
                    a["least_privilege"] = {"roles": {"unused": 3, "judged": 12}}
        pdf, _ = self.render(1000, edit=lp)
        self.assertLessEqual(self.pages(pdf), 40)
        text = "".join(self.text_pages(pdf))
        self.assertNotIn("Least privilege by account", text)
        self.assertRegex(text, r"Roles\s+Services")
        # acct-000: 3 of 12 roles unused; services not graded. acct-001: LP-01 not evaluated.
        self.assertRegex(text, r"acct-000 \(100000000000\)\s+92\s+A\s+\d+\s+0\s+1\s+25 %\s+n/e\s+complete")
        self.assertRegex(text, r"acct-001 \(100000000001\)\s+56\s+F\s+\d+\s+2\s+5\s+n/e\s+n/e\s+complete")


if __name__ == "__main__":
    unittest.main()
