"""`run --security-hub` and `run --ocsf` against the bed's organization.

The findings go to Security Hub with BatchImportFindings, each account's
with the credentials it was collected with (AWS takes a finding only from
its own account), in batches of at most 100: the test asserts that what
the bed's Security Hub keeps for each account is exactly the account's
findings of findings.asff.json (count and ids, one or more per control,
every control there), that the account whose role cannot be assumed gets
nothing and is reported (securityhub.json, stderr, exit 4), and that
refusals and throttling are handled per finding and retried.  The bed's
front enforces what AWS does and moto does not (bed_securityhub.py)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "report"))


import e2eutil  # noqa: E402
from e2eutil import bedlib, seed  # noqa: E402
import test_run  # noqa: E402
from test_run import ROLE  # noqa: E402

IMPORT = "securityhub:BatchImportFindings"


def policy_with_import():
    """`iamgrade policy --security-hub`: what the audit role and the runner need."""
    p = e2eutil.iamgrade(["policy", "--security-hub"], env=dict(os.environ))
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    pol = json.loads(p.stdout)
    assert any(IMPORT in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
               for st in pol["Statement"])
    return pol


class SecurityHub(e2eutil.BedCase):
    needs_collector = True
    run_org = test_run.OrgRun.run_org
    load = test_run.OrgRun.load

    MANY = 150      # console users without MFA in the management account: > 100 findings

    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE, policy=policy_with_import())
        iam = cls.bed.client("iam", cls.org.admin)
        for i in range(cls.MANY):
            seed._console_user(iam, f"temp{i:03d}")

    def stored(self, account):
        return self.bed.ctl("securityhub", query={"account": account})["findings"]

    def test_import(self):
        out = self.mkdtemp()
        p, d = self.run_org(out, "--security-hub", "--ocsf", "--no-pdf")
        # The legacy account's role cannot be assumed: its findings cannot be sent.
        self.assertEqual(p.returncode, 4, p.stderr)
        asff = self.load(d, "findings.asff.json")
        sh = self.load(d, "securityhub.json")
        results = self.load(d)
        region = sh["region"]
        self.assertTrue(region)
        legacy = self.org.unassumable
        by_acct = {}
        for f in asff:
            by_acct.setdefault(f["AwsAccountId"], []).append(f)
        self.assertEqual(set(by_acct), set(self.org.accounts.values()))
        per = {a["account_id"]: a for a in sh["accounts"]}
        for acct in results["accounts"]:
            aid = acct["account_id"]
            mine = by_acct[aid]
            # Every control of the account has at least one finding.
            self.assertEqual({f["GeneratorId"] for f in mine},
                             {"iamgrade/" + c["id"] for c in acct["controls"]})
            kept = [f for f in self.stored(aid) if f["_region"] == region]
            if aid == legacy:
                self.assertEqual(kept, [])
                self.assertEqual(per[aid]["imported"], 0)
                self.assertEqual({x["Id"] for x in per[aid]["failed"]}, {f["Id"] for f in mine})
                self.assertEqual({x["ErrorCode"] for x in per[aid]["failed"]}, {"NoCredentials"})
                self.assertIn(legacy, p.stderr)
                continue
            self.assertEqual(sorted(f["Id"] for f in kept), sorted(f["Id"] for f in mine), aid)
            self.assertEqual(per[aid]["imported"], len(mine))
            self.assertEqual(per[aid]["failed"], [])
            self.assertEqual(per[aid]["requests"], (len(mine) + 99) // 100)
            if aid == self.org.management:
                # More than one batch: 100 at most in each.
                self.assertGreater(len(mine), 100 + self.MANY // 2)
                self.assertGreaterEqual(per[aid]["requests"], 2)
            calls = self.bed.stats(aid).get(IMPORT, 0)
            self.assertGreaterEqual(calls, per[aid]["requests"])
        self.assertEqual(sh["imported"], sum(len(v) for k, v in by_acct.items() if k != legacy))
        self.assertFalse(sh["complete"])
        # OCSF beside it, valid, the same accounts.
        import ocsf_schema
        import jsonschema
        v = jsonschema.Draft202012Validator(ocsf_schema.schema())
        events = self.load(d, "findings.ocsf.json")
        self.assertEqual({e["cloud"]["account"]["uid"] for e in events}, set(self.org.accounts.values()))
        for e in events:
            self.assertEqual(list(v.iter_errors(e)), [])
            self.assertEqual(e["cloud"]["org"]["uid"], results["organization"]["organization_id"])
        # Every file of the run, securityhub.json too, is in the manifest.
        p2 = e2eutil.iamgrade(["verify", d], env=self.env(self.org.auditor))
        self.assertEqual(p2.returncode, 0, p2.stdout + p2.stderr)

    def test_refused_and_throttled(self):
        """Throttling is retried; a finding Security Hub refuses (FailedFindings) is
        reported with its code, not counted as imported."""
        prod = self.org.accounts["production"]
        dev = self.org.accounts["development"]
        p, d = self.run_org(self.mkdtemp(), "--security-hub", "--no-pdf")
        victim = next(f["Id"] for f in self.load(d, "findings.asff.json") if f["AwsAccountId"] == dev)
        before = self.bed.stats(prod).get(IMPORT, 0)
        self.bed.ctl("faults", {"rules": [{"account": prod, "action": IMPORT, "kind": "throttle",
                                            "times": 2}]})
        self.bed.ctl("securityhub", {"refuse": [victim]})
        try:
            p, d = self.run_org(self.mkdtemp(), "--security-hub", "--no-pdf",
                                env=self.env(self.org.auditor, IAMGRADE_RETRY_BASE_MS="1"))
        finally:
            self.bed.ctl("faults", {"rules": []})
            self.bed.ctl("securityhub", {"refuse": []})
        self.assertEqual(p.returncode, 4, p.stderr)
        sh = self.load(d, "securityhub.json")
        per = {a["account_id"]: a for a in sh["accounts"]}
        # Throttled twice, then taken: nothing lost.
        self.assertEqual(per[prod]["failed"], [])
        self.assertEqual(self.bed.stats(prod).get(IMPORT, 0) - before, 3)
        # The refused finding: reported with Security Hub's code, the rest imported.
        self.assertEqual([(x["Id"], x["ErrorCode"]) for x in per[dev]["failed"]], [(victim, "InvalidInput")])
        self.assertEqual(per[dev]["imported"], per[dev]["sent"] - 1)
        self.assertIn(victim, p.stderr)

    def test_the_bed_refuses_what_aws_does(self):
        """The front is as strict as AWS, with boto3 as the reference client: more
        than 100 findings is an error; another account's finding is refused."""
        import botocore.exceptions
        sh = self.bed.client("securityhub", self.org.auditor)
        acct, region = self.org.management, bedlib.REGION
        base = {"SchemaVersion": "2018-10-08", "ProductArn":
                f"arn:aws:securityhub:{region}:{acct}:product/{acct}/default",
                "GeneratorId": "bed-test", "AwsAccountId": acct, "Types": ["Software and Configuration Checks"],
                "CreatedAt": "2026-11-01T00:00:00Z", "UpdatedAt": "2026-11-01T00:00:00Z",
                "Severity": {"Label": "LOW"}, "Title": "t", "Description": "d",
                "Resources": [{"Type": "Other", "Id": "x"}]}
        many = [dict(base, Id=f"bed-{i}") for i in range(101)]
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            sh.batch_import_findings(Findings=many)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidInputException")
        other = self.org.accounts["production"]
        r = sh.batch_import_findings(Findings=[dict(base, Id="bed-ok"),
                                               dict(base, Id="bed-other", AwsAccountId=other)])
        self.assertEqual((r["SuccessCount"], r["FailedCount"]), (1, 1))
        self.assertEqual(r["FailedFindings"][0]["Id"], "bed-other")
        self.assertNotIn("bed-other", {f["Id"] for f in self.stored(acct)})

    def test_needs_a_region(self):
        env = self.env(self.org.auditor)
        env.pop("AWS_REGION", None)
        env.pop("AWS_DEFAULT_REGION", None)
        # Not us-east-1 by default: a region is chosen, or none is imported.
        p = e2eutil.iamgrade(["run", "--security-hub", "--out", self.mkdtemp()], env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--security-hub: no region", p.stderr)


if __name__ == "__main__":
    unittest.main()
