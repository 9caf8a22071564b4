"""iamgrade suggest-policy on the checks' base snapshot (no bed needed): exit
codes for each outcome (printed, nothing used, refused, not evaluated,
unknown principal, bad arguments), the JSON form with the statement each
comes from, and hostile policy names kept off the terminal."""
import copy
import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IAMGRADE = os.environ.get("IAMGRADE", os.path.join(ROOT, "iamgrade"))
if not os.path.isabs(IAMGRADE):
    IAMGRADE = os.path.join(ROOT, IAMGRADE)
BASE = os.path.join(ROOT, "tests", "checks", "base", "compliant.json")
A = "123456789012"
BOB = f"arn:aws:iam::{A}:user/bob"
DEPLOY = f"arn:aws:iam::{A}:role/deploy"


class SuggestCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(BASE, encoding="utf-8") as f:
            cls.base = json.load(f)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def snap(self, edit=None):
        s = copy.deepcopy(self.base)
        if edit:
            edit(s)
        path = os.path.join(self.tmp.name, f"s{len(os.listdir(self.tmp.name))}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(s, f)
        return path

    def run_(self, *args):
        return subprocess.run([IAMGRADE, "suggest-policy"] + list(args), capture_output=True,
                              encoding="utf-8", errors="replace")

    @staticmethod
    def principal(s, arn):
        return next(p for p in s["sources"]["last_accessed"]["data"]["principals"] if p["Arn"] == arn)

    def test_printed_json(self):
        p = self.run_(self.snap(), "--principal", BOB, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["proof"], {"no_new_access": True, "still_allowed": True})
        self.assertIsNone(out["refused"])
        self.assertEqual(out["period_days"], 90)
        self.assertEqual(len(out["origins"]), len(out["policy"]["Statement"]))
        # bob's grants come through his group's managed policy.
        self.assertEqual(out["origins"], ["policy ReadOnlyAccess, statement 1"])
        self.assertEqual({n["service"] for n in out["notes"]}, {"ec2", "s3"})
        self.assertGreater(out["chars"], 0)

    def test_nothing_used(self):
        def old(s):
            for svc in self.principal(s, DEPLOY)["ServicesLastAccessed"]:
                svc.pop("LastAuthenticated", None)
        p = self.run_(self.snap(old), "--principal", DEPLOY)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("no policy: nothing the identity-based policies grant was used", p.stdout)
        self.assertNotIn('"Statement"', p.stdout)

    def test_refused(self):
        def newsvc(s):
            self.principal(s, DEPLOY)["ServicesLastAccessed"].append(
                {"ServiceNamespace": "newsvc", "LastAuthenticated": "2026-11-20T00:00:00Z"})
        p = self.run_(self.snap(newsvc), "--principal", DEPLOY, "--format", "json")
        self.assertEqual(p.returncode, 1, p.stderr)
        out = json.loads(p.stdout)
        self.assertIsNone(out["policy"])
        self.assertIn("still allowed could not be shown: service newsvc", out["refused"])
        self.assertFalse(out["proof"]["still_allowed"])

    def test_job_not_read(self):
        def failed(s):
            rec = self.principal(s, DEPLOY)
            rec.pop("ServicesLastAccessed")
            rec.update(status="timeout", error={"code": "JobTimeout", "message": "not COMPLETED"})
        p = self.run_(self.snap(failed), "--principal", DEPLOY)
        self.assertEqual(p.returncode, 3)
        self.assertIn("not read (status timeout)", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_usage_errors(self):
        snap = self.snap()
        for args in ([snap], ["--principal", BOB], [snap, "--principal", BOB, "--format", "csv"],
                     [snap, snap, "--principal", BOB]):
            p = self.run_(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertTrue(p.stderr.startswith("iamgrade suggest-policy: "), p.stderr)
        p = self.run_(snap, "--principal", f"arn:aws:iam::{A}:role/none")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no role or user", p.stderr)

    def test_hostile_names_off_the_terminal(self):
        def hostile(s):
            role = next(r for r in s["sources"]["authorization_details"]["data"]["roles"]
                        if r["Arn"] == DEPLOY)
            role["RolePolicyList"][0]["PolicyName"] = "evil\u001b]0;owned\u0007name"
        p = self.run_(self.snap(hostile), "--principal", DEPLOY)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("\u001b", p.stdout)
        self.assertNotIn("\u0007", p.stdout)
        self.assertIn("statement 1 from inline policy evil", p.stdout)


if __name__ == "__main__":
    unittest.main()
