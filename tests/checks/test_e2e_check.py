"""End to end on the test bed: seed the sample account, collect it as the
auditor (holding exactly `iamgrade policy`), check the snapshot and compare
all 39 statuses with the expectations of tests/bed/scenarios.md; then deny
the password policy and see exactly the PWD controls turn NOT_EVALUATED, and
LookupEvents and see exactly the ROLE and CHG controls do (and the
comparison with the first run say so)."""
import csv
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

from e2eutil import REPO, BedCase, bedlib, iamgrade, load, seed, snapshots  # noqa: E402


def sample_expectations():
    """{control id: status} from the `sample` section's "Expected" table of scenarios.md."""
    with open(os.path.join(REPO, "tests", "bed", "scenarios.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## `sample`"):]
    section = section[:section.index("\n## ", 1)]
    table = section[section.index("| control | status |"):]
    rows = re.findall(r"^\| ([A-Z]+-\d\d) \| ([A-Z_]+) \|", table, flags=re.M)
    return dict(rows)


class CheckSampleTest(BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)

    def check(self, path, fmt="json"):
        p = iamgrade(["check", "--format", fmt, path], env=dict(os.environ))
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return p.stdout

    def statuses(self, results):
        acct = json.loads(results)["accounts"][0]
        return {c["id"]: c["status"] for c in acct["controls"]}, acct

    def test_sample_grades_as_scenarios_md_says(self):
        expected = sample_expectations()
        self.assertEqual(len(expected), 39, expected)  # 36 until CHG-01..03
        snap, path, _ = self.collect_ok(self.s.auditor)
        got, acct = self.statuses(self.check(path))
        self.assertEqual(got, expected)
        controls = {c["id"]: c for c in acct["controls"]}
        # Findings name the seeded offenders, and remediation names them too.
        self.assertEqual({f["resource_name"] for f in controls["USER-01"]["findings"]}, {"bob", "o'brien,ops"})
        self.assertIn("aws iam update-access-key --user-name carol --access-key-id", " ".join(
            controls["USER-04"]["remediation"]["cli"]))
        roles01 = {f["resource_name"] for f in controls["ROLE-01"]["findings"]}
        self.assertEqual(roles01, {"vendor-any", "old-deleted-role"})
        deleted = next(f for f in controls["ROLE-01"]["findings"] if f["resource_name"] == "old-deleted-role")
        self.assertEqual(deleted["evidence"]["source_ip"], "203.0.113.77")
        self.assertEqual(deleted["evidence"]["role_exists"], "false (graded as created)")
        self.assertIn("intern", {f["resource_name"] for f in controls["ROLE-07"]["findings"]})
        # Role separation across the account (issue 11): the seeded escalations and administrators.
        priv = {f["resource_name"]: f for f in controls["PRIV-01"]["findings"]}
        self.assertTrue({"legacy-dev", "Tooling", "dave", "alice"} <= set(priv), sorted(priv))
        self.assertNotIn("ci-passrole", priv)
        self.assertIn("iam-attach-user-policy", priv["legacy-dev"]["reason"])
        self.assertIn("inline policy self-service", priv["legacy-dev"]["evidence"]["methods"])
        self.assertIn("iam-put-group-policy", priv["dave"]["reason"])
        self.assertIn("admin-role", priv["alice"]["evidence"].get("path", ""))
        self.assertEqual({f["resource_name"] for f in controls["PRIV-02"]["findings"]},
                         {"admin", "Admins", "bob", "o'brien,ops", "Ops"})
        # The access review the reports show: admin-role too, and who may assume it.
        pa = acct["privileged_access"]
        self.assertEqual({(a["kind"], a["name"]) for a in pa["admins"]},
                         {("user", "admin"), ("user", "bob"), ("user", "o'brien,ops"), ("group", "Admins"),
                          ("group", "Ops"), ("role", "admin-role")})
        self.assertEqual([(r["role_name"], sorted(c["name"] for c in r["callers"]))
                          for r in pa["admin_role_callers"]],
                         [("admin-role", ["admin", "alice", "bob", "o'brien,ops"])])
        self.assertEqual(acct["collection"]["caller_arn"], f"arn:aws:iam::{bedlib.DEFAULT_ACCOUNT}:user/iamgrade-auditor")
        self.check_changes(controls)
        # The CSV quotes the name with a comma and a quote.
        rows = list(csv.reader(io.StringIO(self.check(path, "csv"), newline="")))
        self.assertIn(f"arn:aws:iam::{bedlib.DEFAULT_ACCOUNT}:user/o'brien,ops",
                      [r[5] for r in rows if r[2] == "USER-01"])

    def check_changes(self, controls):
        """CHG-*: the window's changes the seed made (scenarios.md), with who, when and from where."""
        ch = self.s.changes
        admin = f"arn:aws:iam::{bedlib.DEFAULT_ACCOUNT}:user/admin"
        [f] = controls["CHG-01"]["findings"]
        self.assertEqual(f["resource_name"], ch["role"])
        ev = f["evidence"]
        self.assertEqual(ev["rule"], "ROLE-02")
        self.assertIn("trusts account 210987654321", f["reason"])
        self.assertEqual((ev["changed_by_arn"], ev["changed_by_type"], ev["source_ip"]),
                         (admin, "IAMUser", ch["source_ip"]))
        self.assertIn("backdoor/1.0", ev["user_agent"])
        self.assertEqual([c["event_name"] for c in json.loads(ev["changes"])],
                         ["UpdateAssumeRolePolicy", "PutRolePolicy"])
        [f] = controls["CHG-02"]["findings"]
        self.assertEqual((f["resource_name"], f["evidence"]["access_key_id"], f["evidence"]["actor_arn"]),
                         (ch["key_user"], ch["key_id"], admin))
        self.assertIn(f"--access-key-id {ch['key_id']}", " ".join(controls["CHG-02"]["remediation"]["cli"]))
        [f] = controls["CHG-03"]["findings"]
        self.assertEqual((f["resource_name"], f["evidence"]["event_name"], f["evidence"]["source_ip"]),
                         (ch["trail"], "StopLogging", ch["source_ip"]))
        self.assertEqual(controls["TRAIL-01"]["status"], "PASS")

    def deny_auditor(self, action):
        """Collect as the auditor with action denied; the snapshot's path."""
        admin = self.bed.client("iam", self.s.admin)
        self.bed.auth(False)
        admin.put_user_policy(UserName="iamgrade-auditor", PolicyName="deny-one",
                              PolicyDocument=bedlib.doc({"Effect": "Deny", "Resource": "*", "Action": action}))
        self.bed.auth(True)
        try:
            p, out = self.collect(self.s.auditor)
            self.assertEqual(p.returncode, 3, p.stderr)
            return snapshots(out)[0]
        finally:
            self.bed.auth(False)
            admin.delete_user_policy(UserName="iamgrade-auditor", PolicyName="deny-one")
            self.bed.auth(True)

    def test_lookup_events_denied_turns_exactly_role_and_chg_not_evaluated(self):
        expected = sample_expectations()
        _, before, _ = self.collect_ok(self.s.auditor)
        path = self.deny_auditor("cloudtrail:LookupEvents")
        src = load(path)["sources"]
        self.assertEqual((src["change_events"]["status"], src["create_role_events"]["status"]),
                         ("denied", "denied"))
        got, acct = self.statuses(self.check(path))
        want = {cid: ("NOT_EVALUATED" if cid.startswith(("ROLE-", "CHG-")) else st)
                for cid, st in expected.items()}
        self.assertEqual(got, want)
        reason = next(c["reason"] for c in acct["controls"] if c["id"] == "CHG-03")
        self.assertTrue(reason.startswith("change_events: cloudtrail:LookupEvents denied"), reason)
        # The comparison with the first run: each CHG control went from FAIL to NOT_EVALUATED.
        p = iamgrade(["report", path, "--baseline", before, "--dump", "-"], env=dict(os.environ))
        self.assertEqual(p.returncode, 0, p.stderr)
        section = p.stdout[p.stdout.index("| Changes since the baseline"):]
        cells = [line[4:] for line in section.splitlines() if line.startswith("  | ")]
        for cid in ("CHG-01", "CHG-02", "CHG-03"):
            rows = [cells[i:i + 4] for i, cell in enumerate(cells) if cell == cid]
            self.assertTrue(any("failed in the baseline, not evaluated now" in r for r in rows), (cid, rows))

    def test_password_policy_denied_turns_exactly_pwd_not_evaluated(self):
        expected = sample_expectations()
        admin = self.bed.client("iam", self.s.admin)
        self.bed.auth(False)
        admin.put_user_policy(UserName="iamgrade-auditor", PolicyName="no-password-policy",
                              PolicyDocument=bedlib.doc({"Effect": "Deny", "Resource": "*",
                                                         "Action": "iam:GetAccountPasswordPolicy"}))
        self.bed.auth(True)
        try:
            p, out = self.collect(self.s.auditor)
            self.assertEqual(p.returncode, 3, p.stderr)
            path = snapshots(out)[0]
        finally:
            self.bed.auth(False)
            admin.delete_user_policy(UserName="iamgrade-auditor", PolicyName="no-password-policy")
            self.bed.auth(True)
        self.assertEqual(load(path)["sources"]["password_policy"]["status"], "denied")
        got, acct = self.statuses(self.check(path))
        want = {cid: ("NOT_EVALUATED" if cid.startswith("PWD-") else st) for cid, st in expected.items()}
        self.assertEqual(got, want)
        reason = next(c["reason"] for c in acct["controls"] if c["id"] == "PWD-01")
        self.assertTrue(reason.startswith("password_policy: iam:GetAccountPasswordPolicy denied (AccessDenied"),
                        reason)


if __name__ == "__main__":
    import unittest
    unittest.main()
