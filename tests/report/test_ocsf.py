"""--ocsf: findings as OCSF 1.3.0 Compliance Finding events (class 2003).

Every event is validated against the OCSF 1.3.0 schema, compiled from the
OCSF project's own definitions kept as test data (ocsf_schema.py says how
and why), with python's jsonschema; the validator is shown to reject
broken events, so the test can fail. Then meaning: FAIL rows are Fail with
the resource, PASS is Pass, NOT_EVALUATED and NOT_APPLICABLE are Warning
with the reason (never Pass), accepted findings Suppressed, uids stable;
and the account's OU and tags where Prowler puts them (cloud.org,
cloud.account.labels)."""
import copy
import json
import os
import subprocess
import sys
import unittest

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gradedcases  # noqa: E402
import ocsf_schema  # noqa: E402

IAMGRADE = gradedcases.IAMGRADE
VALIDATOR = jsonschema.Draft202012Validator(ocsf_schema.schema("compliance_finding"))
ORG = {"schema": "iamgrade.organization/1", "source": "organizations",
       "organization_id": "o-abcdefghij", "complete": True, "problems": [],
       "ous": [{"id": "r-ab12", "name": "Root", "parent": None, "path": "/"},
               {"id": "ou-ab12-11111111", "name": "Production", "parent": "r-ab12",
                "path": "/Production"},
               {"id": "ou-ab12-22222222", "name": "Pay<ments>", "parent": "ou-ab12-11111111",
                "path": "/Production/Pay<ments>"}]}


def with_org(results):
    """results placed in an organization: OUs and tags as a run records them."""
    res = copy.deepcopy(results)
    res["organization"] = ORG
    places = [("ou-ab12-22222222", "/Production/Pay<ments>", {"env": "prod", "owner": "team-a"}),
              ("r-ab12", "/", {}),
              ("unknown", "unknown", {})]
    for i, a in enumerate(res["accounts"]):
        oid, path, tags = places[i % len(places)]
        a["ou"] = {"id": oid, "path": path}
        if oid == "unknown":
            a["ou"]["reason"] = "organizations:ListParents: AccessDenied"
        a["tags"] = tags
    return res


class OcsfTest(gradedcases.DistinctAccounts, unittest.TestCase):
    prefix = "ocsf-"

    def events(self, results, *args):
        rpath = os.path.join(self.tmp, "results.json")
        with open(rpath, "w") as f:
            json.dump(results, f)
        out = os.path.join(self.tmp, "ocsf.json")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([IAMGRADE, "report", "--results", rpath, "--ocsf", out] + list(args),
                           capture_output=True, encoding="utf-8")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.stat(out).st_mode & 0o077, 0, "findings are private like results.json")
        with open(out) as f:
            return json.load(f)

    def assertValid(self, events):
        self.assertIsInstance(events, list)
        self.assertTrue(events)
        for e in events:
            errors = [f"{list(x.absolute_path)}: {x.message}" for x in VALIDATOR.iter_errors(e)]
            self.assertEqual(errors, [], e["finding_info"]["uid"])

    def test_every_event_validates(self):
        for res in (self.results, with_org(self.results)):
            events = self.events(res, "--region", "eu-west-1")
            self.assertValid(events)
            for e in events:
                self.assertEqual((e["class_uid"], e["category_uid"], e["type_uid"]), (2003, 2, 200301))
                self.assertEqual(e["metadata"]["version"], "1.3.0")
                self.assertEqual(e["cloud"]["provider"], "aws")
                self.assertEqual(e["cloud"]["region"], "eu-west-1")

    def test_fixtures_validate(self):
        """The report tests' fixtures (hostile text, many accounts, a framework) too."""
        for name in ("multi", "hostile", "sample"):
            with open(os.path.join(HERE, "fixtures", name + ".results.json")) as f:
                res = json.load(f)
            self.assertValid(self.events(res, "--framework", "soc2") if name == "sample"
                             else self.events(res))

    def test_validator_rejects_what_ocsf_does_not_allow(self):
        good = self.events(self.results)[0]
        self.assertEqual(list(VALIDATOR.iter_errors(good)), [])
        bad = []
        e = copy.deepcopy(good)
        del e["compliance"]["standards"]
        bad.append(e)
        e = copy.deepcopy(good)
        e["compliance"]["status_id"] = 7
        bad.append(e)
        e = copy.deepcopy(good)
        e["ou_path"] = "/x"         # not an OCSF attribute: belongs in unmapped
        bad.append(e)
        e = copy.deepcopy(good)
        del e["cloud"]              # the cloud profile is named in metadata.profiles
        bad.append(e)
        e = copy.deepcopy(good)
        e["time_dt"] = "last Tuesday"
        bad.append(e)
        e = copy.deepcopy(good)
        e["class_uid"] = 2001
        bad.append(e)
        e = copy.deepcopy(good)
        e["cloud"]["org"] = {"ou_uid": "ou-x"}    # an organization needs a name or uid
        bad.append(e)
        for e in bad:
            self.assertTrue(list(VALIDATOR.iter_errors(e)), json.dumps(e)[:200])

    def test_statuses_mean_what_they_say(self):
        events = self.events(self.results)
        by = {}
        for e in events:
            by.setdefault((e["cloud"]["account"]["uid"], e["compliance"]["control"]), []).append(e)
        seen = set()
        for acct in self.results["accounts"]:
            for c in acct["controls"]:
                es = by[(acct["account_id"], c["id"])]
                comp = {e["compliance"]["status"] for e in es}
                seen.add(c["status"])
                self.assertTrue(all(e["metadata"]["event_code"] == c["id"] for e in es))
                self.assertTrue(all(e["status_code"] == c["status"] for e in es))
                if c["status"] == "FAIL":
                    self.assertEqual(comp, {"Fail"})
                    self.assertEqual({e["resources"][0]["uid"] for e in es},
                                     {x["resource"] for x in c["findings"]})
                    self.assertEqual({e["severity"].lower() for e in es},
                                     {x["severity"] for x in c["findings"]})
                elif c["status"] == "PASS":
                    self.assertEqual(len(es), 1)
                    self.assertEqual(comp, {"Pass"})
                    self.assertEqual(es[0]["severity_id"], 1)
                    self.assertEqual(es[0]["resources"][0]["type"], "AwsAccount")
                else:
                    self.assertEqual(len(es), 1)
                    self.assertEqual(comp, {"Warning"}, c["id"])
                    self.assertEqual(es[0]["compliance"]["status_detail"], c["reason"])
                if c.get("cis"):
                    self.assertIn("CIS " + c["cis"], es[0]["compliance"]["requirements"])
                if c.get("securityhub"):
                    self.assertTrue(es[0]["remediation"]["references"][0].endswith(
                        "#" + c["securityhub"].lower().replace(".", "-")))
        self.assertEqual(seen, {"PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE"})

    def test_accepted_finding_is_suppressed_not_passed(self):
        res = copy.deepcopy(self.results)
        a, c = next((a, c) for a in res["accounts"] for c in a["controls"] if c["status"] == "FAIL")
        c["findings"] = c["findings"][:1]
        c["findings"][0]["accepted"] = {"justification": "break-glass", "approved_by": "ciso",
                                        "expires": "2027-03-31", "line": 2, "days_to_expiry": 100}
        c["status"] = "ACCEPTED"
        es = [e for e in self.events(res) if e["cloud"]["account"]["uid"] == a["account_id"]
              and e["compliance"]["control"] == c["id"]]
        self.assertEqual(len(es), 1)
        self.assertEqual((es[0]["status"], es[0]["status_id"]), ("Suppressed", 3))
        self.assertEqual(es[0]["compliance"]["status"], "Fail")
        self.assertValid(es)

    def test_uids_stable_and_unique(self):
        a = self.events(self.results)
        b = self.events(self.results)
        self.assertEqual([e["finding_info"]["uid"] for e in a], [e["finding_info"]["uid"] for e in b])
        self.assertEqual(len({e["finding_info"]["uid"] for e in a}), len(a))

    def test_ou_and_tags_as_prowler_has_them(self):
        res = with_org(self.results)
        events = self.events(res)
        seen = set()
        for e in events:
            acct = next(a for a in res["accounts"] if a["account_id"] == e["cloud"]["account"]["uid"])
            org = e["cloud"]["org"]
            self.assertEqual(org["uid"], "o-abcdefghij")
            self.assertEqual(e["metadata"]["tenant_uid"], "o-abcdefghij")
            self.assertEqual(e["unmapped"]["iamgrade"]["ou_path"], acct["ou"]["path"])
            if acct["ou"]["id"] == "unknown":
                # Not an OU: no OU claimed, the reason kept.
                self.assertNotIn("ou_uid", org)
                self.assertIn("AccessDenied", e["unmapped"]["iamgrade"]["ou_reason"])
                seen.add("unknown")
            else:
                self.assertEqual(org["ou_uid"], acct["ou"]["id"])
                name = {"r-ab12": "Root", "ou-ab12-22222222": "Pay<ments>"}[acct["ou"]["id"]]
                self.assertEqual(org["ou_name"], name)
                seen.add(acct["ou"]["id"])
            self.assertEqual(sorted(e["cloud"]["account"].get("labels", [])),
                             sorted(f"{k}:{v}" for k, v in acct["tags"].items()))
        self.assertEqual(seen, {"unknown", "r-ab12", "ou-ab12-22222222"})

    def test_check_format_ocsf(self):
        snap = os.path.join(self.tmp, "0.json")
        p = subprocess.run([IAMGRADE, "check", "--format", "ocsf", snap], capture_output=True,
                           encoding="utf-8")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        events = json.loads(p.stdout)
        self.assertValid(events)
        self.assertNotIn("region", events[0]["cloud"])


if __name__ == "__main__":
    unittest.main()
