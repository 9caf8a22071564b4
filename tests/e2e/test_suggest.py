"""`iamgrade suggest-policy` on a snapshot collected from the bed (its front
serves service last accessed): the suggestion narrows a role's wildcard to
what it used, keeps the statement's resources and the Deny that applies,
drops the unused service, and is checked again here with `iamgrade
simulate` on requests; a principal whose job failed, an unknown principal
and a snapshot without last-accessed data are clear errors."""
import json
import os

from e2eutil import BedCase, bedlib, iamgrade, seed, snapshots

A = bedlib.DEFAULT_ACCOUNT
RECENT = "2026-11-30T08:15:00Z"
APP = f"arn:aws:iam::{A}:role/suggest-app"
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Artifacts", "Effect": "Allow", "Action": "s3:*Object",
     "Resource": "arn:aws:s3:::acme-artifacts/*"},
    {"Sid": "Queues", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
    {"Sid": "NoProd", "Effect": "Deny", "Action": "s3:Delete*",
     "Resource": "arn:aws:s3:::acme-artifacts/prod/*"}]}


class SuggestPolicyTest(BedCase):
    needs_collector = True
    _snap = {}

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        iam = cls.bed.client("iam", cls.s.admin)
        iam.create_role(RoleName="suggest-app", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]}))
        iam.put_role_policy(RoleName="suggest-app", PolicyName="app", PolicyDocument=json.dumps(POLICY))
        cls.failing = f"arn:aws:iam::{A}:user/alice"
        cls.bed.last_accessed(A, delay_polls=1, fail=[cls.failing], usage={
            APP: {"s3": {"last": RECENT, "actions": {"GetObject": RECENT, "DeleteObject": RECENT}}}})

    def snapshot(self, *args):
        """One collection per set of arguments, shared by the tests."""
        if args not in self._snap:
            p, out = self.collect(self.s.auditor, *args)
            self.assertIn(p.returncode, (0, 3), p.stderr)
            self._snap[args] = snapshots(out)[0]
        return self._snap[args]

    def suggest(self, arn, *args, snap=None):
        return iamgrade(["suggest-policy", snap or self.snapshot(), "--principal", arn] + list(args),
                        env=dict(os.environ))

    def simulate(self, policy, action, resource):
        path = os.path.join(self.mkdtemp(), "p.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(policy, f)
        p = iamgrade(["simulate", "--policy", path, "--action", action, "--resource", resource,
                      "--principal", APP, "--format", "json"], env=dict(os.environ))
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return json.loads(p.stdout)["decision"]

    def test_narrowed_and_proven(self):
        p = self.suggest(APP, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["proof"], {"no_new_access": True, "still_allowed": True})
        self.assertIsNone(out["refused"])
        st = out["policy"]["Statement"]
        allows = [s for s in st if s["Effect"] == "Allow"]
        self.assertEqual(len(allows), 1, st)
        self.assertEqual(allows[0]["Resource"], ["arn:aws:s3:::acme-artifacts/*"])
        self.assertTrue({"s3:GetObject", "s3:DeleteObject"} <= set(allows[0]["Action"]))
        self.assertNotIn("s3:PutObject", allows[0]["Action"])     # tracked, not used
        self.assertFalse([a for a in allows[0]["Action"] if not a.startswith("s3:")])
        denies = [s for s in st if s["Effect"] == "Deny"]
        self.assertEqual(denies, [{"Effect": "Deny", "Action": ["s3:Delete*"],
                                   "Resource": ["arn:aws:s3:::acme-artifacts/prod/*"]}])
        self.assertIn("sqs", out["dropped_services"])
        self.assertEqual(out["origins"][0], "inline policy app, Sid \"Artifacts\"")
        # The engine, asked request by request, agrees.
        pol = out["policy"]
        self.assertEqual(self.simulate(pol, "s3:GetObject", "arn:aws:s3:::acme-artifacts/a"), "allowed")
        self.assertEqual(self.simulate(pol, "s3:DeleteObject", "arn:aws:s3:::acme-artifacts/prod/a"),
                         "explicit_deny")
        self.assertEqual(self.simulate(pol, "s3:GetObject", "arn:aws:s3:::elsewhere/a"), "implicit_deny")
        self.assertEqual(self.simulate(pol, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q"),
                         "implicit_deny")
        self.assertEqual(self.simulate(POLICY, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q"),
                         "allowed")

    def test_text(self):
        p = self.suggest(APP)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("proof: no new access holds, still allowed holds", p.stdout)
        self.assertIn('"s3:GetObject"', p.stdout)

    def test_failed_job(self):
        p = self.suggest(self.failing)
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertIn("not read", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_unknown_principal(self):
        p = self.suggest(f"arn:aws:iam::{A}:role/nobody")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no role or user", p.stderr)

    def test_no_last_accessed(self):
        p = self.suggest(APP, snap=self.snapshot("--no-last-accessed"))
        self.assertEqual(p.returncode, 3)
        self.assertIn("no last_accessed", p.stderr)
