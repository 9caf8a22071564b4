"""--junit: one test case per control per account, read back by a real JUnit
reader (junitparser, Debian's python3-junitparser, run by the system
python3) and by xmllint; FAIL is a failure, NOT_EVALUATED an error (never
green), NOT_APPLICABLE skipped; AWS text stays text."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gradedcases  # noqa: E402

IAMGRADE = gradedcases.IAMGRADE
SYSTEM_PYTHON = "/usr/bin/python3"   # where Debian's python3-junitparser lives

READER = r"""
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    cases = []
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        msgs = [r.message for r in case.result]
        texts = [r.text for r in case.result]
        cases.append({"name": case.name, "classname": case.classname, "kinds": kinds,
                      "messages": msgs, "texts": texts})
    out.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                "errors": suite.errors, "skipped": suite.skipped, "cases": cases,
                "properties": {p.name: p.value for p in suite.properties()}})
print(json.dumps(out))
"""

KIND = {"PASS": [], "FAIL": ["Failure"], "NOT_EVALUATED": ["Error"], "NOT_APPLICABLE": ["Skipped"]}


class JUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="junit-")
        cls.results = gradedcases.graded(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def render(self, results):
        rpath = os.path.join(self.tmp, "results.json")
        with open(rpath, "w") as f:
            json.dump(results, f)
        out = os.path.join(self.tmp, "junit.xml")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([IAMGRADE, "report", "--results", rpath, "--junit", out],
                           capture_output=True, encoding="utf-8")
        self.assertEqual(p.returncode, 0, p.stderr)
        lint = subprocess.run(["xmllint", "--noout", out], capture_output=True, encoding="utf-8")
        self.assertEqual(lint.returncode, 0, lint.stderr)
        return out

    def read(self, path):
        p = subprocess.run([SYSTEM_PYTHON, "-c", READER, path], capture_output=True, encoding="utf-8")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_a_case_per_control_per_account(self):
        suites = self.read(self.render(self.results))
        accounts = self.results["accounts"]
        self.assertEqual(len(suites), len(accounts))
        statuses = set()
        for suite, acct in zip(suites, accounts):
            controls = acct["controls"]
            self.assertEqual(suite["tests"], len(controls))
            self.assertEqual(suite["properties"]["account_id"], acct["account_id"])
            want = {s: sum(1 for c in controls if c["status"] == s) for s in KIND}
            self.assertEqual((suite["failures"], suite["errors"], suite["skipped"]),
                             (want["FAIL"], want["NOT_EVALUATED"], want["NOT_APPLICABLE"]))
            for case, c in zip(suite["cases"], controls):
                statuses.add(c["status"])
                self.assertEqual(case["name"], f"{c['id']}: {c['title']}")
                self.assertEqual(case["classname"], f"iamgrade.{acct['account_id']}.{c['family']}")
                self.assertEqual(case["kinds"], KIND[c["status"]], c["id"])
                if c["status"] == "NOT_EVALUATED":
                    self.assertEqual(case["messages"], [c["reason"]])
                if c["status"] == "FAIL":
                    for f in c["findings"][:3]:
                        self.assertIn(f["reason"], case["texts"][0])
        self.assertEqual(set(KIND), statuses,
                             "the cases cover the statuses that matter")

    def test_untrusted_text_stays_text(self):
        res = json.loads(json.dumps(self.results))
        c = next(c for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        evil = "</failure><testcase name=\"forged\"/>\x1b[31m\u202eevil & \x01"
        c["findings"][0]["reason"] = evil
        c["findings"][0]["resource_name"] = "]]><x/>"
        suites = self.read(self.render(res))
        names = [case["name"] for s in suites for case in s["cases"]]
        self.assertNotIn("forged", names)
        text = next(case["texts"][0] for s in suites for case in s["cases"]
                    if case["name"].startswith(c["id"] + ":") and case["kinds"] == ["Failure"])
        self.assertIn("</failure><testcase name=\"forged\"/>", text)
        self.assertIn("<U+202E>", text)
        self.assertNotIn("\x1b", text)
        self.assertIn("]]><x/>", text)

    def test_many_findings_are_capped_and_counted(self):
        res = json.loads(json.dumps(self.results))
        c = next(c for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        base = dict(c["findings"][0])
        c["findings"] = [dict(base, resource=f"arn:aws:iam::1:user/u{i}", resource_name=f"u{i}",
                              reason=f"reason {i}") for i in range(500)]
        suites = self.read(self.render(res))
        text = next(case["texts"][0] for s in suites for case in s["cases"]
                    if case["name"].startswith(c["id"] + ":") and case["kinds"] == ["Failure"])
        self.assertEqual(text.count("\n"), 51, "50 rows and the count of the rest")
        self.assertIn("and 450 more findings", text)
        msg = next(case["messages"][0] for s in suites for case in s["cases"]
                   if case["name"].startswith(c["id"] + ":") and case["kinds"] == ["Failure"])
        self.assertTrue(msg.startswith("500 findings"), msg)


if __name__ == "__main__":
    unittest.main()
