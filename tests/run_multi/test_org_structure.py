"""The organization's structure (issue 18): `run --organization` walks the
bed's OU tree (nested two deep, a hostile OU name, a suspended account) and
the accounts' tags while it collects, keeps them once in the run folder
(organization.json), and every account of results.json names its OU and
tags.  With ListOrganizationalUnitsForParent and ListTagsForResource
denied, every account is still there, in OU "unknown" with the reason."""
import csv
import glob
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

import e2eutil  # noqa: E402
from e2eutil import seed  # noqa: E402
import test_run  # noqa: E402
from test_run import ROLE  # noqa: E402


class OrgRun(e2eutil.BedCase):
    """test_run's organization run, without its tests."""
    needs_collector = True
    run_org = test_run.OrgRun.run_org
    load = test_run.OrgRun.load

    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE)


class OrgStructure(OrgRun):
    def test_structure(self):
        out = self.mkdtemp()
        p, d = self.run_org(out)
        self.assertIn(p.returncode, (1, 3), p.stderr)
        st = self.load(d, "organization.json")
        self.assertEqual(st["schema"], "iamgrade.organization/1")
        self.assertTrue(st["complete"], st["problems"])
        self.assertEqual(stat_mode(os.path.join(d, "organization.json")), 0o600)
        paths = {o["path"] for o in st["ous"]}
        for path in ("/", "/Workloads", "/Workloads/Production", "/Sandbox", "/Suspended"):
            self.assertIn(path, paths)
        # The hostile name is kept as data, under its parent.
        self.assertIn("/Sandbox/" + seed.HOSTILE_OU, paths)
        # Calls grow with OUs: 1 + 2 per parent (7 OUs + the root), tags one per account.
        self.assertEqual(st["calls"]["tree"], 1 + 2 * len(st["ous"]))
        self.assertEqual(st["calls"]["tags"], len(self.org.accounts))
        results = self.load(d)
        byid = {a["account_id"]: a for a in results["accounts"]}
        # The suspended account is not collected, and not invented either.
        self.assertNotIn(self.org.suspended, byid)
        self.assertEqual(set(byid), set(self.org.accounts.values()))
        for name, (path, tags) in seed.ORG_PLACES.items():
            a = byid[self.org.accounts[name]]
            self.assertEqual(a["ou"]["path"], path, name)
            self.assertTrue(a["ou"]["id"].startswith("ou-"), a["ou"])
            self.assertEqual(a["tags"], tags, name)
        self.assertEqual(byid[self.org.management]["ou"]["path"], "/")
        self.assertEqual(results["organization"]["ous"], st["ous"])
        run = self.load(d, "run.json")
        self.assertEqual(run["organization"], "organization.json")
        # Grouped by OU by default, one group per OU holding accounts.
        self.assertEqual(results["grouping"]["by"], "ou")
        groups = {g["key"]: g for g in results["grouping"]["groups"]}
        self.assertEqual(set(groups), {"/", "/Workloads", "/Workloads/Production",
                                       "/Workloads/Development", "/Sandbox"})
        self.assertEqual(groups["/Workloads/Production"]["accounts"], [self.org.accounts["production"]])
        # findings.csv names the OU and the tags on every row.
        with open(os.path.join(d, "findings.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        prod = [r for r in rows if r["account_id"] == self.org.accounts["production"]]
        self.assertTrue(prod)
        for r in prod:
            self.assertEqual((r["ou_id"], r["ou_path"]), (byid[r["account_id"]]["ou"]["id"],
                                                          "/Workloads/Production"))
            self.assertEqual(json.loads(r["tags"]), {"env": "prod", "owner": "payments"})
        self.offline(d, results)

    def offline(self, d, results):
        """A report rebuilt from the run folder, offline, groups as the run did."""
        snaps = sorted(glob.glob(os.path.join(d, "snapshots", "*.json")))
        out = os.path.join(self.mkdtemp(), "r.json")
        p = e2eutil.iamgrade(["report", *snaps, "--json", out], env={"PATH": os.environ["PATH"]})
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, encoding="utf-8") as f:
            again = json.load(f)
        self.assertEqual(again["grouping"], results["grouping"])
        self.assertEqual({a["account_id"]: (a["ou"], a["tags"]) for a in again["accounts"]},
                         {a["account_id"]: (a["ou"], a["tags"]) for a in results["accounts"]})
        # --select: kinds combine, a term matching nothing is named.
        cases = [
            (["--select", "ou:/Workloads"], {"production", "development", "legacy"}),
            (["--select", "ou:/Workloads tag:env=prod,tag:env=dev"], {"production", "development"}),
            (["--select", "ou:/Workloads", "--group-by", "tag:owner"], {"production", "development", "legacy"}),
        ]
        for args, want in cases:
            p = e2eutil.iamgrade(["report", *snaps, "--json", out, *args], env={"PATH": os.environ["PATH"]})
            self.assertEqual(p.returncode, 0, (args, p.stderr))
            with open(out, encoding="utf-8") as f:
                got = json.load(f)
            self.assertEqual({a["account_id"] for a in got["accounts"]},
                             {self.org.accounts[n] for n in want}, args)
        self.assertEqual([g["key"] for g in got["grouping"]["groups"]], ["legacy", "payments", "platform"])
        for args, named in [(["--select", "ou:/Workloads ou:/Nowhere"], '"ou:/Nowhere" matches no account'),
                            (["--select", "ou:/Sandbox tag:env=prod"], '"ou:/Sandbox tag:env=prod" matches no account'),
                            (["--group-by", "region"], "--group-by \"region\"")]:
            p = e2eutil.iamgrade(["report", *snaps, "--json", out, *args], env={"PATH": os.environ["PATH"]})
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(named, p.stderr, args)
        # --results: the results document carries the grouping itself.
        p = e2eutil.iamgrade(["report", "--results", os.path.join(d, "results.json"), "--json", out,
                              "--group-by", "tag:env"], env={"PATH": os.environ["PATH"]})
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, encoding="utf-8") as f:
            got = json.load(f)
        self.assertEqual([g["key"] for g in got["grouping"]["groups"]], ["(no env)", "dev", "prod", "sandbox"])


class ProfileGroups(OrgRun):
    def test_groups(self):
        """--group NAME=PROFILE,...: a profile run grouped, the account
        nothing could be learnt about included, in its group."""
        env = self.env(None, **e2eutil.good_and_broken_profiles(self.mkdtemp(), self.org.auditor))
        out = self.mkdtemp()
        for args, named in ((["--profile", "good", "--group", "Prod=good"], "give several --profile"),
                            (["--profile", "good", "--profile", "broken", "--group", "Prod=nope"],
                             "profile nope is not one of"),
                            (["--profile", "good", "--profile", "broken", "--group", "P=good",
                              "--group", "Q=good"], "in two groups"),
                            (["--profile", "good", "--profile", "broken", "--group-by", "colour"],
                             "--group-by \"colour\"")):
            p = e2eutil.iamgrade(["run", "--out", out, *args], env=env)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(named, p.stderr, args)
        self.space()
        p = e2eutil.iamgrade(["run", "--profile", "good", "--profile", "broken", "--group", "Prod=good",
                              "--group", "Lab=broken", "--out", out, "--report-wait", "5", "--no-pdf"],
                             env=env, timeout=600)
        self.assertEqual(p.returncode, 3, p.stderr[-2000:])
        d = glob.glob(os.path.join(out, "*/"))[0].rstrip("/")
        results = self.load(d)
        self.assertEqual({x["account_id"]: x["ou"]["path"] for x in results["accounts"]},
                         {self.org.management: "/Prod", "unknown (broken)": "/Lab"})
        self.assertEqual(self.load(d, "organization.json")["source"], "profiles")
        self.assertEqual([g["key"] for g in results["grouping"]["groups"]], ["/Lab", "/Prod"])


class OrgStructureDenied(OrgRun):
    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE, deny_tree=(
            "organizations:ListOrganizationalUnitsForParent", "organizations:ListTagsForResource"))

    def test_denied(self):
        out = self.mkdtemp()
        p, d = self.run_org(out)
        self.assertIn(p.returncode, (1, 3), p.stderr)
        st = self.load(d, "organization.json")
        self.assertFalse(st["complete"])
        results = self.load(d)
        byid = {a["account_id"]: a for a in results["accounts"]}
        # Every account is still there, graded as before.
        self.assertEqual(set(byid), set(self.org.accounts.values()))
        for a in byid.values():
            self.assertEqual(a["ou"]["path"], "unknown", a["account_id"])
            self.assertIn("ListOrganizationalUnitsForParent", a["ou"]["reason"])
            self.assertIn("AccessDenied", a["ou"]["reason"])
            self.assertEqual(a["tags"], {})
            self.assertIn("ListTagsForResource", a["tags_reason"])
        self.assertIn("organization structure", p.stderr)


def stat_mode(path):
    import stat
    return stat.S_IMODE(os.stat(path).st_mode)


if __name__ == "__main__":
    unittest.main()
