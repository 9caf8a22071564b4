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

from test_browser import IAMGRADE, organization

TOOLS = all(shutil.which(t) for t in ("qpdf", "pdffonts", "pdftotext"))


@unittest.skipUnless(TOOLS, "qpdf and poppler-utils not installed (make deps)")
class OrgPdf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-orgpdf-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def render(self, n):
        results, st = organization(n)
        paths = {k: os.path.join(self.tmp, "%s%d.json" % (k, n)) for k in ("r", "o")}
        for k, doc in (("r", results), ("o", st)):
            with open(paths[k], "w", encoding="utf-8") as f:
                json.dump(doc, f)
        pdf = os.path.join(self.tmp, "s%d.pdf" % n)
        p = subprocess.run([IAMGRADE, "report", "--results", paths["r"], "--organization", paths["o"],
                            "--summary", "--pdf", pdf], capture_output=True, timeout=600)
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


if __name__ == "__main__":
    unittest.main()
