"""The organization's structure (issue 18): `run --organization` walks the
bed's OU tree (nested two deep, a hostile OU name, a suspended account) and
the accounts' tags while it collects, keeps them once in the run folder
(organization.json), and every account of results.json names its OU and
tags.  With ListOrganizationalUnitsForParent and ListTagsForResource
denied, every account is still there, in OU "unknown" with the reason."""
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
