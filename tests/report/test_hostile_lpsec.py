"""Hostile principal names in the Least privilege section: text in HTML and PDF.

Role names carrying markup, a closing </style>, an entity and CJK (tests/
report/test_lpsec.py's HOSTILE) must show as the same text in the section's
HTML (parsed: no element, handler or script comes from them; the Section
parser raises on any) and in the PDF (pdftotext), in the bars and the
results alike.
"""
import subprocess
import unittest

import test_lpsec
from test_lpsec import HOSTILE, section


class HostileNames(test_lpsec.Rendered):

    def test_html_text(self):
        p = section(self.f["ok"]["html"])
        names = [r["cells"][0].strip() for r in p.rows["findings lp-usage"]]
        for h in HOSTILE:
            self.assertTrue(any(n.startswith("role " + h + "arn:aws:iam::") for n in names), h)
        page = open(self.f["ok"]["html"], encoding="utf-8").read()
        self.assertNotIn("<img src=x", page)
        self.assertEqual(page.count("<script"), 0)

    def test_pdf_text(self):
        pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", self.f["ok"]["pdf"], "-"],
                             capture_output=True, check=True).stdout.decode()
        flat = pdf.replace("\n", "")
        for h in HOSTILE:
            self.assertIn("role " + h, flat, h)
        self.assertNotRegex(pdf, "[\x00-\x08\x1b]")


if __name__ == "__main__":
    unittest.main()
