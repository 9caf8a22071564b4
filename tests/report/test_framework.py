"""--framework NAME (issue 14): the compliance view in HTML and PDF, the
framework's requirements in its own order (as `iamgrade controls
--framework` lists them), each with its controls' status across the
accounts; the PDF validated like the others (qpdf, pdffonts, pdftotext);
an unknown framework is a usage error."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
FIXTURES = os.path.join(HERE, "fixtures")
FRAMEWORKS = ("cis-v3.0.0", "cis-v5.0.0", "securityhub", "soc2", "iso27001", "pci-dss-v4.0", "nist-800-53-r5")


def run(*args):
    return subprocess.run([IAMGRADE, *args], capture_output=True, text=True, timeout=120)


def requirement_ids(name):
    """The framework's requirement ids in order, from `iamgrade controls --framework`."""
    p = run("controls", "--framework", name)
    assert p.returncode == 0, p.stderr
    return [line.split()[0] for line in p.stdout.splitlines()[1:] if not line.strip().startswith("->")]


class Framework(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def render(self, name, fixture):
        out = {ext: os.path.join(self.tmp, f"{name}-{os.path.basename(fixture)}.{ext}") for ext in ("html", "pdf", "json")}
        p = run("report", "--results", os.path.join(FIXTURES, fixture), "--framework", name,
                "--html", out["html"], "--pdf", out["pdf"], "--json", out["json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def test_every_framework_in_order(self):
        for name in FRAMEWORKS:
            with self.subTest(name):
                ids = requirement_ids(name)
                self.assertGreater(len(ids), 3)
                out = self.render(name, "multi.results.json")
                with open(out["json"], encoding="utf-8") as f:
                    doc = json.load(f)
                self.assertEqual([r["id"] for r in doc["framework"]["requirements"]], ids)
                with open(out["html"], encoding="utf-8") as f:
                    page = f.read()
                section = page[page.index('id="compliance"'):]
                section = section[:section.index("</section>")]
                got = re.findall(r"<td>\s*<strong>([^<]+)</strong>", section)
                self.assertEqual(got, ids)
                text = subprocess.run(["pdftotext", "-layout", out["pdf"], "-"], capture_output=True,
                                      text=True).stdout
                start = text.index("Compliance view")
                pos = [text.index(i + " ", start) for i in ids]
                self.assertEqual(pos, sorted(pos), "requirements out of order in the PDF")
                q = subprocess.run(["qpdf", "--check", out["pdf"]], capture_output=True, text=True)
                self.assertEqual(q.returncode, 0, q.stdout)
                fonts = subprocess.run(["pdffonts", out["pdf"]], capture_output=True, text=True).stdout
                for line in fonts.splitlines()[2:]:
                    self.assertIn(" yes ", line, "a font is not embedded: " + line)

    def test_status_across_accounts(self):
        """Each control's cell counts the accounts by status, as results.json has them."""
        out = self.render("soc2", "multi.results.json")
        with open(out["json"], encoding="utf-8") as f:
            doc = json.load(f)
        fails = sum(1 for a in doc["accounts"] for c in a["controls"] if c["id"] == "USER-05" and c["status"] == "FAIL")
        with open(out["html"], encoding="utf-8") as f:
            page = f.read()
        section = page[page.index('id="compliance"'):]
        m = re.search(r'USER-05</span>\s*<span class="status status-[a-z]+">([^<]+)<', section)
        self.assertIsNotNone(m)
        self.assertGreater(fails, 0, "the fixture must fail USER-05 somewhere for this to test anything")
        self.assertIn(f"fail in {fails}", m.group(1))
        # No verdict claims a requirement is met.
        self.assertNotRegex(section, r">\s*(met|compliant|satisfied)\s*<")

    def test_unknown_framework(self):
        p = run("report", "--results", os.path.join(FIXTURES, "sample.results.json"), "--framework", "hipaa",
                "--html", os.path.join(self.tmp, "x.html"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("--framework hipaa", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.html")))


if __name__ == "__main__":
    unittest.main()
