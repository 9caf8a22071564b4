"""Accepted risks through the commands (issue 14): check --exceptions and
`exceptions = FILE` in a config file turn a failing control ACCEPTED in the
JSON, text and CSV outputs, show both scores, list expired and unused rows;
a malformed file is exit 2 naming FILE:LINE; report --exceptions renders
the ACCEPTED status in HTML and PDF; --fail-on ignores accepted risks."""
import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import caselib

HEADER = "control,account,resource,justification,approved_by,expires\n"


class Exceptions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        # The root access key case: ROOT-01 FAILs (critical), collected 2026-11-27.
        cls.snap = os.path.join(cls.tmp, "root.json")
        with open(cls.snap, "wb") as f:
            f.write(caselib.build_snapshot(os.path.join(caselib.CASES, "root-access-key.snapshot.json")))
        plain = json.loads(caselib.run(["check", "--format", "json", cls.snap]).stdout)["accounts"][0]
        cls.account = plain["account_id"]
        # The score without exceptions is what grading gives (the catalogue may grow).
        cls.base = (plain["score"], plain["grade"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def graded(self, *args):
        p = caselib.run(["check", "--format", "json"] + list(args) + [self.snap])
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        return doc, {c["id"]: c for c in doc["accounts"][0]["controls"]}

    def test_accepted_until_expiry(self):
        """Expiry is measured from the collection (2026-11-27), not today."""
        for expires, want in (("2026-11-28", "ACCEPTED"), ("2026-11-27", "FAIL"), ("2026-01-01", "FAIL")):
            exc = self.write(f"exc-{expires}.csv", HEADER +
                             f'ROOT-01,{self.account},*,"break-glass, in the safe",ciso@example.com,{expires}\n')
            doc, ctl = self.graded("--exceptions", exc)
            self.assertEqual(ctl["ROOT-01"]["status"], want, expires)
            a = doc["accounts"][0]
            x = doc["exceptions"]
            if want == "ACCEPTED":
                f = ctl["ROOT-01"]["findings"][0]["accepted"]
                self.assertEqual((f["approved_by"], f["expires"], f["days_to_expiry"]),
                                 ("ciso@example.com", expires, 0))
                self.assertEqual(ctl["ROOT-01"]["status_without_exceptions"], "FAIL")
                self.assertEqual((a["score"], a["score_without_exceptions"]), (100, self.base[0]))
                self.assertEqual(a["counts"]["ACCEPTED"], 1)
                self.assertEqual(len(x["in_force"]), 1)
            else:
                self.assertNotIn("accepted", ctl["ROOT-01"]["findings"][0])
                self.assertEqual(a["score"], a["score_without_exceptions"])
                self.assertEqual([e["expired_on"] for e in x["expired"]], [expires])

    def test_wildcards_unused_and_text(self):
        exc = self.write("wild.csv", HEADER +
                         "ROOT-01,*,arn:aws:iam::%s:root,vendor,bob@example.com,2027-01-31\n" % self.account +
                         "USER-05,*,*,never fails here,bob@example.com,2027-01-31\n")
        doc, ctl = self.graded("--exceptions", exc)
        self.assertEqual(ctl["ROOT-01"]["status"], "ACCEPTED")
        self.assertEqual([(e["control"], e["line"]) for e in doc["exceptions"]["unused"]], [("USER-05", 3)])
        text = caselib.run(["check", "--exceptions", exc, self.snap]).stdout.decode()
        self.assertIn(f"(without exceptions: {self.base[0]}, {self.base[1]}), 1 ACCEPTED", text)
        self.assertIn("accepted until 2027-01-31 by bob@example.com: vendor", text)
        self.assertIn("unused (match no finding): 1", text)
        rows = list(csv.DictReader(io.StringIO(
            caselib.run(["check", "--format", "csv", "--exceptions", exc, self.snap]).stdout.decode())))
        root = [r for r in rows if r["control_id"] == "ROOT-01"]
        self.assertEqual([r["status"] for r in root], ["ACCEPTED"])
        self.assertIn("approved by bob@example.com", root[0]["reason"])
        # --fail-on counts what is open: the accepted critical does not trip it.
        p = caselib.run(["check", "--fail-on", "critical", "--exceptions", exc, self.snap])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = caselib.run(["check", "--fail-on", "critical", self.snap])
        self.assertEqual(p.returncode, 1, p.stderr)

    def test_config_file_relative(self):
        d = os.path.join(self.tmp, "conf")
        os.makedirs(d, exist_ok=True)
        self.write("conf/accepted.csv", HEADER + "ROOT-01,*,*,why,ciso@example.com,2027-01-31\n")
        conf = self.write("conf/iamgrade.conf", "exceptions = accepted.csv\n")
        _, ctl = self.graded("--config", conf)
        self.assertEqual(ctl["ROOT-01"]["status"], "ACCEPTED")

    def test_malformed_names_file_and_line(self):
        for body, line, says in (("ROOT-01,*,*,why,ciso,\n", 2, "expires: empty"),
                                 ("ROOT-01,*,*,why,ciso,2027-01-31\nNOPE-1,*,*,why,ciso,2027-01-31\n", 3,
                                  "control: not a control id")):
            exc = self.write("bad.csv", HEADER + body)
            for cmd in (["check", "--exceptions", exc, self.snap],
                        ["report", "--exceptions", exc, self.snap, "--json", os.path.join(self.tmp, "x.json")]):
                p = caselib.run(cmd)
                self.assertEqual(p.returncode, 2, (cmd, p.stderr))
                self.assertIn(f"{exc}:{line}: {says}", p.stderr.decode())

    def test_report_renders_accepted(self):
        exc = self.write("rep.csv", HEADER + "ROOT-01,*,*,break-glass,ciso@example.com,2027-01-31\n")
        html, pdf = os.path.join(self.tmp, "r.html"), os.path.join(self.tmp, "r.pdf")
        p = caselib.run(["report", "--exceptions", exc, self.snap, "--html", html, "--pdf", pdf])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(html, encoding="utf-8") as f:
            page = f.read()
        self.assertIn("Accepted risk", page)
        # The section: the row in force with approver and days left, and the score beside.
        section = page[page.index('id="accepted-risks"'):]
        for text in ("ROOT-01", "break-glass", "ciso@example.com", "2027-01-31", ">64<"):
            self.assertIn(text, section[:section.index("</section>")])
        self.assertIn(f"{self.base[0]} ({self.base[1]}) without exceptions; 1 accepted", page)
        t = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True)
        self.assertIn("ACCEPTED", t.stdout)
        self.assertIn("Accepted risks", t.stdout)
        self.assertIn("2027-01-31 (64", t.stdout)
        self.assertIn(f"without exceptions: {self.base[0]}, grade {self.base[1]}", t.stdout)
        q = subprocess.run(["qpdf", "--check", pdf], capture_output=True)
        self.assertEqual(q.returncode, 0, q.stdout)


if __name__ == "__main__":
    unittest.main()
