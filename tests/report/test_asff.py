"""--asff: findings in the AWS Security Finding Format, validated in batches
of 100 (the API's limit) against Security Hub's own BatchImportFindings
input model as botocore ships it (required members, types, lengths), and
checked for meaning: FAIL rows are FAILED with the resource, PASS is PASSED
and INFORMATIONAL, NOT_EVALUATED and NOT_APPLICABLE are NOT_AVAILABLE with
the reason (never PASSED), ids stable across runs."""
import json
import os
import subprocess
import sys
import unittest

import botocore.session
from botocore.validate import ParamValidator

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gradedcases  # noqa: E402

IAMGRADE = gradedcases.IAMGRADE
SHAPE = botocore.session.get_session().get_service_model("securityhub") \
    .operation_model("BatchImportFindings").input_shape


class AsffTest(gradedcases.DistinctAccounts, unittest.TestCase):
    prefix = "asff-"

    def render(self, results, *args, env=None):
        rpath = os.path.join(self.tmp, "results.json")
        with open(rpath, "w") as f:
            json.dump(results, f)
        out = os.path.join(self.tmp, "asff.json")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([IAMGRADE, "report", "--results", rpath, "--asff", out] + list(args),
                           capture_output=True, encoding="utf-8", env=env)
        return p, out

    def findings(self, results, region="eu-west-1"):
        p, out = self.render(results, "--region", region)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            return json.load(f)

    def test_valid_for_batch_import(self):
        found = self.findings(self.results)
        self.assertTrue(found)
        for i in range(0, len(found), 100):
            report = ParamValidator().validate({"Findings": found[i:i + 100]}, SHAPE)
            self.assertFalse(report.has_errors(), report.generate_report())
        for f in found:
            self.assertEqual(f["SchemaVersion"], "2018-10-08")
            self.assertEqual(f["ProductArn"], f"arn:aws:securityhub:eu-west-1:{f['AwsAccountId']}:"
                                              f"product/{f['AwsAccountId']}/default")
            self.assertLessEqual(len(f["Title"]), 256)
            self.assertLessEqual(len(f["Description"].encode()), 1024)
            self.assertIn(f["Severity"]["Label"], ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"))
            self.assertIn(f["Compliance"]["Status"], ("PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"))

    def test_statuses_mean_what_they_say(self):
        found = self.findings(self.results)
        by = {}
        for f in found:
            by.setdefault((f["AwsAccountId"], f["ProductFields"]["iamgrade/ControlId"]), []).append(f)
        seen = set()
        for acct in self.results["accounts"]:
            for c in acct["controls"]:
                fs = by[(acct["account_id"], c["id"])]
                statuses = {f["Compliance"]["Status"] for f in fs}
                seen.add(c["status"])
                self.assertTrue(all(f["GeneratorId"] == "iamgrade/" + c["id"] for f in fs))
                if c["status"] == "FAIL":
                    self.assertEqual(statuses, {"FAILED"})
                    self.assertEqual({f["Resources"][0]["Id"] for f in fs},
                                     {x["resource"] for x in c["findings"]})
                    self.assertEqual({f["Severity"]["Label"] for f in fs},
                                     {x["severity"].upper() for x in c["findings"]})
                elif c["status"] == "PASS":
                    self.assertEqual(len(fs), 1)
                    self.assertEqual(statuses, {"PASSED"})
                    self.assertEqual(fs[0]["Severity"]["Label"], "INFORMATIONAL")
                    self.assertEqual(fs[0]["Resources"][0]["Type"], "AwsAccount")
                else:
                    self.assertEqual(statuses, {"NOT_AVAILABLE"}, c["id"])
                    self.assertIn(c["reason"][:100], fs[0]["Compliance"]["StatusReasons"][0]["Description"])
                if c.get("securityhub"):
                    sh_svc, num = c["securityhub"].lower().split(".")
                    self.assertTrue(fs[0]["Remediation"]["Recommendation"]["Url"].endswith(
                        f"/{sh_svc}-controls.html#{sh_svc}-{num}"))
        self.assertEqual(seen, {"PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE"})

    def test_ids_are_stable_and_unique(self):
        a = self.findings(self.results)
        b = self.findings(self.results)
        self.assertEqual([f["Id"] for f in a], [f["Id"] for f in b])
        self.assertEqual(len({f["Id"] for f in a}), len(a))

    def test_two_rows_of_one_resource_are_two_findings(self):
        """A resource failing a control twice (no error code: two rows) gets two ids,
        not one id twice (Security Hub would keep one); the first keeps the plain key."""
        res = json.loads(json.dumps(self.results))
        a, c = next((a, c) for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        one = dict(c["findings"][0])
        one.pop("evidence", None)
        c["findings"] = [one]
        first = [f["Id"] for f in self.findings(res) if f["GeneratorId"] == "iamgrade/" + c["id"]
                 and f["AwsAccountId"] == a["account_id"]]
        c["findings"] = [one, dict(one, reason="another reason")]
        ids = [f["Id"] for f in self.findings(res) if f["GeneratorId"] == "iamgrade/" + c["id"]
               and f["AwsAccountId"] == a["account_id"]]
        self.assertEqual(len(ids), 2)
        self.assertEqual(len(set(ids)), 2)
        self.assertEqual(ids[0], first[0])

    def test_repeated_calls_are_one_finding(self):
        """Repeated denied calls of one actor are one finding row, as in the HTML report."""
        res = json.loads(json.dumps(self.results))
        a, c = next((a, c) for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        base = dict(c["findings"][0], evidence={"error_code": "AccessDenied", "source_ip": "203.0.113.9"})
        c["findings"] = [base] * 5000
        fs = [f for f in self.findings(res) if f["GeneratorId"] == "iamgrade/" + c["id"]
              and f["AwsAccountId"] == a["account_id"]]
        self.assertEqual(len(fs), 1)
        self.assertIn("(5000 times", fs[0]["Description"])

    def test_region_required(self):
        env = {k: v for k, v in os.environ.items() if k not in ("AWS_REGION", "AWS_DEFAULT_REGION")}
        p, out = self.render(self.results, env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no region", p.stderr)
        self.assertFalse(os.path.exists(out))
        p, out = self.render(self.results, env=dict(env, AWS_REGION="ap-south-1"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            self.assertTrue(all(":ap-south-1:" in x["ProductArn"] for x in json.load(f)))

    def test_long_text_is_cut_on_a_character(self):
        res = json.loads(json.dumps(self.results))
        a, c = next((a, c) for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        c["findings"] = c["findings"][:1]
        c["findings"][0]["reason"] = "é" * 2000 + "\u202e"
        f = next(f for f in self.findings(res) if f["GeneratorId"] == "iamgrade/" + c["id"]
                 and f["AwsAccountId"] == a["account_id"])
        self.assertLessEqual(len(f["Description"].encode()), 1024)
        self.assertTrue(f["Description"].endswith("..."))

    def test_ou_in_product_fields(self):
        """Issue 18: the account's organization and OU, as Security Hub filters them."""
        import test_ocsf
        res = test_ocsf.with_org(self.results)
        found = self.findings(res)
        for i in range(0, len(found), 100):
            report = ParamValidator().validate({"Findings": found[i:i + 100]}, SHAPE)
            self.assertFalse(report.has_errors(), report.generate_report())
        seen = set()
        for f in found:
            acct = next(a for a in res["accounts"] if a["account_id"] == f["AwsAccountId"])
            pf = f["ProductFields"]
            self.assertEqual(pf["iamgrade/OrganizationId"], "o-abcdefghij")
            self.assertEqual(pf["iamgrade/OrganizationalUnitId"], acct["ou"]["id"])
            self.assertEqual(pf["iamgrade/OrganizationalUnitPath"], acct["ou"]["path"])
            if acct["ou"]["id"] == "unknown":
                self.assertIn("AccessDenied", pf["iamgrade/OrganizationalUnitReason"])
            seen.add(acct["ou"]["id"])
        self.assertEqual(len(seen), 3)
        # Without an organization nothing is claimed.
        self.assertFalse(any(k.startswith("iamgrade/Organization")
                             for f in self.findings(self.results) for k in f["ProductFields"]))


if __name__ == "__main__":
    unittest.main()
