"""iamgrade simulate, end to end: exit codes, the text and JSON forms, errors
that name the file and the fault, context typing, and the data cases of
tests/policy/cases replayed through the command line."""
import glob
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
V = "2012-10-17"


def run(args, cwd=None):
    return subprocess.run([IAMGRADE, "simulate"] + args, capture_output=True, cwd=cwd)


class Simulate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, obj):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        return path

    def test_allowed_text_names_file_and_sid(self):
        p = self.write("id.json", {"Version": V, "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]})
        r = run(["--policy", p, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertTrue(out.startswith("allowed\n"), out)
        self.assertIn("id.json", out)
        self.assertIn('Sid "Read"', out)

    def test_explicit_deny_json(self):
        p = self.write("id.json", {"Version": V, "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}]})
        r = run(["--policy", p, "--action", "iam:CreateUser", "--resource",
                 "arn:aws:iam::111122223333:user/x", "--format", "json"])
        self.assertEqual(r.returncode, 1, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["decision"], "explicit_deny")
        self.assertEqual(j["statements"], [{"file": p, "kind": "identity", "index": 1, "sid": None}])

    def test_implicit_deny_by_boundary(self):
        p = self.write("id.json", {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        b = self.write("pb.json", {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        r = run(["--policy", p, "--boundary", b, "--action", "iam:CreateUser", "--resource",
                 "arn:aws:iam::111122223333:user/x", "--format", "json"])
        self.assertEqual(r.returncode, 1)
        j = json.loads(r.stdout)
        self.assertEqual(j["decision"], "implicit_deny")
        self.assertIn("boundary", j["reason"])

    def test_scp_levels_and_url_encoded(self):
        p = self.write("id.json", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect"
                                   "%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D")
        full = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        s3only = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        root = self.write("root.json", [full])
        ou = self.write("ou.json", s3only)
        args = ["--policy", p, "--scp", root, "--scp", ou, "--resource", "arn:aws:s3:::b/k"]
        self.assertEqual(run(args + ["--action", "s3:GetObject"]).returncode, 0)
        r = run(args + ["--action", "ec2:RunInstances", "--format", "json"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["decision"], "implicit_deny")

    def test_trust_policy_for_assume_role(self):
        t = self.write("trust.json", {"Version": V, "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]})
        i = self.write("id.json", {"Version": V, "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
        base = ["--policy", i, "--resource-policy", t, "--action", "sts:AssumeRole", "--resource",
                "arn:aws:iam::111122223333:role/r", "--principal", "arn:aws:iam::444455556666:user/u"]
        self.assertEqual(run(base + ["--context", "aws:PrincipalOrgID=o-abc"]).returncode, 0)
        self.assertEqual(run(base + ["--context", "aws:PrincipalOrgID=o-other"]).returncode, 1)
        self.assertEqual(run(base).returncode, 1)

    def test_context_types_and_sets(self):
        p = self.write("id.json", {"Version": V, "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}}]})
        base = ["--policy", p, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"]
        self.assertEqual(run(base + ["--context", "aws:SourceIp=10.1.2.3", "--context", "aws:TagKeys=env,team"]).returncode, 0)
        self.assertEqual(run(base + ["--context", "aws:SourceIp=10.1.2.3", "--context", "aws:TagKeys=env,cost"]).returncode, 1)
        r = run(base + ["--context", "aws:SourceIp=10.1.2"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("aws:SourceIp", r.stderr.decode())
        r = run(base + ["--context", "aws:MultiFactorAuthPresent=yes"])
        self.assertEqual(r.returncode, 2)

    def test_bad_input_names_file_and_fault(self):
        p = self.write("bad.json", {"Version": V, "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]})
        r = run(["--policy", p, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"])
        self.assertEqual(r.returncode, 2)
        err = r.stderr.decode()
        self.assertIn("bad.json", err)
        self.assertIn("StringEqualz", err)
        r = run(["--policy", self.write("nojson.json", "{"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("nojson.json", r.stderr.decode())
        r = run(["--policy", os.path.join(self.d, "missing.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.json", r.stderr.decode())

    def test_usage_errors(self):
        p = self.write("id.json", {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        for args in (["--policy", p, "--resource", "arn:aws:s3:::b"],
                     ["--policy", p, "--action", "s3:Get*", "--resource", "arn:aws:s3:::b"],
                     ["--policy", p, "--action", "s3:GetObject", "--resource", "bucket"],
                     ["--policy", p, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b", "--format", "xml"],
                     ["--bogus"]):
            self.assertEqual(run(args).returncode, 2, args)
        r = run(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("--resource-policy", r.stdout.decode())

    def test_terminal_output_is_sanitised(self):
        p = self.write("id.json", {"Version": V, "Statement": [
            {"Sid": "x\u001b[31mred", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
        r = run(["--policy", p, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"])
        self.assertEqual(r.returncode, 0)
        self.assertNotIn(b"\x1b", r.stdout)

    def test_cases_through_the_command_line(self):
        """Every data case with identity/boundary/resource policies only replays through simulate."""
        n = 0
        for path in sorted(glob.glob(os.path.join(HERE, "cases", "*.json"))):
            with open(path) as f:
                c = json.load(f)
            rq = c["request"]
            if "expect" not in c or "scp" in c or "rcp" in c or rq.get("principal_type", "AWS") != "AWS" \
                    or rq.get("principal") is None or rq.get("resource_account") or any(isinstance(v, list) for v in rq["context"].values()):
                continue
            args = ["--action", rq["action"], "--resource", rq["resource"], "--principal", rq["principal"],
                    "--format", "json"]
            for i, d in enumerate(c.get("identity", [])):
                args += ["--policy", self.write("id%d.json" % i, d)]
            if "boundary" in c:
                args += ["--boundary", self.write("pb.json", c["boundary"])]
            if "resource_policy" in c:
                args += ["--resource-policy", self.write("rp.json", c["resource_policy"])]
            for k, v in rq["context"].items():
                args += ["--context", "%s=%s" % (k, v)]
            r = run(args)
            self.assertIn(r.returncode, (0, 1), (path, r.stderr))
            self.assertEqual(json.loads(r.stdout)["decision"], c["expect"], path)
            n += 1
        self.assertGreater(n, 30)


if __name__ == "__main__":
    unittest.main()
