"""iamgrade report from snapshots: grading, --config, --baseline, every output at once.

Snapshots are made from the checks suite's compliant base snapshot
(tests/checks/base/compliant.json) with a few members changed.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BASE = os.path.join(ROOT, "tests", "checks", "base", "compliant.json")
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")


def iamgrade(*args):
    return subprocess.run([IAMGRADE, *args], capture_output=True, timeout=120)


@unittest.skipUnless(os.path.exists(BASE), "no base snapshot in tests/checks/base")
class FromSnapshots(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-report-")
        with open(BASE, encoding="utf-8") as f:
            base = json.load(f)
        cls.a = os.path.join(cls.tmp, "a.json")
        shutil.copy(BASE, cls.a)
        # Another account: no password policy (every PWD control fails).
        b = json.loads(json.dumps(base))
        b["account"].update({"id": "999999999999", "alias": "other", "name": "Other"})
        b["sources"]["password_policy"] = {"status": "absent", "api_call": "iam:GetAccountPasswordPolicy"}
        cls.b = cls.write("b.json", b)
        # Account a a month earlier, when it had no password policy either.
        old = json.loads(json.dumps(base))
        old["collection"].update({"started": "2026-10-28T10:00:00Z", "finished": "2026-10-28T10:00:09Z"})
        old["sources"]["password_policy"] = {"status": "absent", "api_call": "iam:GetAccountPasswordPolicy"}
        cls.old = cls.write("old.json", old)

    @classmethod
    def write(cls, name, doc):
        path = os.path.join(cls.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def out(self, name):
        return os.path.join(self.tmp, name)

    def read(self, name):
        with open(self.out(name), encoding="utf-8") as f:
            return f.read()

    def test_several_snapshots_compare(self):
        r = iamgrade("report", self.a, self.b, "--html", self.out("cmp.html"), "--json", self.out("cmp.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        page = self.read("cmp.html")
        self.assertIn("IAM comparison: 2 accounts", page)
        # worst first: the account without a password policy
        self.assertEqual(re.findall(r'<tr id="acct-(\d+)"', page), ["999999999999", "123456789012"])
        # the JSON output is the results document `iamgrade check` prints
        chk = iamgrade("check", "--format", "json", self.a, self.b)
        self.assertEqual(chk.returncode, 0, chk.stderr)
        self.assertEqual(json.loads(chk.stdout), json.loads(self.read("cmp.json")))

    def test_detail_and_summary_flags(self):
        r = iamgrade("report", self.a, self.b, "--detail", "--html", self.out("d.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(re.findall(r'<article class="account"', self.read("d.html"))), 2)
        r = iamgrade("report", self.a, "--summary", "--html", self.out("s.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("IAM comparison: 1 account", self.read("s.html"))

    def test_baseline_snapshot_and_results(self):
        r = iamgrade("report", self.a, "--baseline", self.old, "--html", self.out("b1.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        page = self.read("b1.html")
        self.assertIn("Since the baseline", page)
        self.assertRegex(page, r'<strong class="delta-up">\+\d+</strong>')
        self.assertIn("PWD-01", page)
        # an earlier results document works as the baseline too
        r = iamgrade("report", self.old, "--json", self.out("old.results.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = iamgrade("report", self.a, "--baseline", self.out("old.results.json"), "--html", self.out("b2.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("b1.html"), self.read("b2.html"))

    def test_config_thresholds(self):
        cfg = os.path.join(self.tmp, "iamgrade.conf")
        with open(cfg, "w") as f:
            f.write("password_min_length = 20\n")
        r = iamgrade("report", self.a, "--config", cfg, "--html", self.out("c.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("20 characters", self.read("c.html"))
        with open(cfg, "w") as f:
            f.write("no_such_threshold = 1\n")
        r = iamgrade("report", self.a, "--config", cfg, "--html", self.out("c2.html"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(cfg, r.stderr.decode())
        self.assertFalse(os.path.exists(self.out("c2.html")))

    def test_every_output(self):
        names = {"--html": "all.html", "--pdf": "all.pdf", "--csv": "all.csv",
                 "--json": "all.json", "--dump": "all.dump"}
        args = [x for opt, name in names.items() for x in (opt, self.out(name))]
        r = iamgrade("report", self.a, self.b, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in names.values():
            self.assertGreater(os.path.getsize(self.out(name)), 100, name)
        with open(self.out("all.pdf"), "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")

    def test_bad_snapshot_named_the_others_written(self):
        bad = self.write("bad.json", {"schema": "iamgrade.snapshot/1"})
        # Issue 12: a snapshot that cannot be loaded is named and the exit
        # status is 2, but the others are graded and written.
        r = iamgrade("report", self.a, bad, "--html", self.out("bad.html"), "--json", self.out("bad.json.out"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(bad, r.stderr.decode())
        with open(self.out("bad.json.out"), encoding="utf-8") as f:
            self.assertEqual(len(json.load(f)["accounts"]), 1)
        self.assertTrue(os.path.exists(self.out("bad.html")))
        os.remove(self.out("bad.html"))
        # Nothing that can be graded: nothing written.
        r = iamgrade("report", bad, "--html", self.out("bad.html"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(bad, r.stderr.decode())
        self.assertFalse(os.path.exists(self.out("bad.html")))
        # A bad baseline still fails the whole.
        r = iamgrade("report", self.a, "--baseline", bad, "--html", self.out("bad.html"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(bad, r.stderr.decode())
        self.assertFalse(os.path.exists(self.out("bad.html")))


if __name__ == "__main__":
    unittest.main()
