"""The Least privilege section end to end: the bed's sample account plus
seed.least_privilege_roles (roles 300 days old, each granted more services
than it uses, two of them assumed once), collected by the auditor through
the front's service-last-accessed jobs, graded and rendered to HTML and PDF.
The AWS CLI reads the same roles as the reference: a role it shows as used
(RoleLastUsed) is not among the unused roles, one it shows as never used is,
with "never"."""
import importlib.util
import json
import os
import subprocess
import tempfile

from e2eutil import REPO, BedCase, aws_cli, bedlib, iamgrade, seed, snapshots


def _report_helpers():
    """tests/report/test_lpsec.py's HTML section parser, under a name of its own."""
    spec = importlib.util.spec_from_file_location("report_test_lpsec",
                                                  os.path.join(REPO, "tests", "report", "test_lpsec.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


section = _report_helpers().section

# role -> (services granted, used), as seed.least_privilege_roles makes them
WANT = {"reporting-etl": (5, 2), "ci-deployer": (4, 3), "old-migration": (1, 0)}


class LeastPrivilegeSection(BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        seed.least_privilege_roles(cls.bed, cls.s.admin, cls.s.account)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.render()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def render(cls):
        out = os.path.join(cls.tmp, "snap")
        env = bedlib.aws_env(cls.bed, cls.s.auditor, home=tempfile.mkdtemp(dir=cls.tmp))
        p = iamgrade(["collect", "--out", out], env=env)
        if p.returncode not in (0, 3):
            raise AssertionError("collect exited %d: %s" % (p.returncode, p.stderr))
        cls.snap = snapshots(out)[0]
        cls.files = {x: os.path.join(cls.tmp, "report." + x) for x in ("json", "html", "pdf")}
        p = iamgrade(["report", cls.snap, "--json", cls.files["json"], "--html", cls.files["html"],
                      "--pdf", cls.files["pdf"]], env=env)
        if p.returncode != 0:
            raise AssertionError("report exited %d: %s" % (p.returncode, p.stderr))
        with open(cls.files["json"]) as f:
            cls.acct = json.load(f)["accounts"][0]
        # The reference reads as the account's administrator (the auditor may not GetRole).
        cls.cli_env = bedlib.aws_env(cls.bed, cls.s.admin, home=tempfile.mkdtemp(dir=cls.tmp))

    def control(self, cid):
        return next(c for c in self.acct["controls"] if c["id"] == cid)

    def test_results_rows(self):
        rows = {p["name"]: (p["services_granted"], p["services_used"])
                for p in self.acct["least_privilege"]["principals"]}
        for name, want in WANT.items():
            self.assertEqual(rows.get(name), want, name)

    def test_unused_roles_agree_with_the_cli(self):
        unused = {f["resource_name"]: f["evidence"]["last_used"] for f in self.control("LP-01")["findings"]}
        for name in WANT:
            role = aws_cli(["iam", "get-role", "--role-name", name], self.cli_env)["Role"]
            last = (role.get("RoleLastUsed") or {}).get("LastUsedDate")
            if last:
                self.assertNotIn(name, unused)
            else:
                self.assertEqual(unused.get(name), "never", name)
        self.assertIn("old-migration", unused)

    def test_html_bars(self):
        rows = section(self.files["html"]).rows["findings lp-usage"]
        got = {}
        for r in rows:
            name = r["cells"][0].strip().split(None, 1)[1].split("arn:aws:iam::")[0]
            got[name] = (r["bar"], " ".join(r["cells"][1].split()))
        for name, (g, u) in WANT.items():
            self.assertEqual(got[name][0], "%.1f" % (100.0 * u / g), name)
            self.assertIn("%d of %d service%s used" % (u, g, "" if g == 1 else "s"), got[name][1])
        names = list(got)
        self.assertLess(names.index("old-migration"), names.index("reporting-etl"))
        self.assertLess(names.index("reporting-etl"), names.index("ci-deployer"))

    def test_pdf_text(self):
        text = subprocess.run(["pdftotext", "-layout", self.files["pdf"], "-"], capture_output=True,
                              check=True).stdout.decode()
        self.assertIn("Least privilege", text)
        for name, (g, u) in WANT.items():
            self.assertRegex(text, r"role %s\s+%d of %d service" % (name, u, g))
