"""iamgrade run across the bed's sample organization (tests/bed/scenarios.md,
"org"): every account graded as seeded, the denied and the unassumable
accounts reported as such, month over month with --baseline, and the same
results under throttling and 5xx."""
import csv
import glob
import html.parser
import json
import os
import re
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

import e2eutil  # noqa: E402
from e2eutil import bedlib, seed  # noqa: E402

ROLE = "iamgrade-audit"
BUCKET = "iamgrade-shards"

# scenarios.md, "org": control -> status per account (legacy: every control
# NOT_EVALUATED, it cannot be reached).
P, F, NE, NA = "PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE"
EXPECTED = {
    #            management production development sandbox
    "PWD-01":   (P, P, F, NE),
    "PWD-02":   (P, F, F, NE),
    "PWD-03":   (P, P, F, NE),
    "PWD-04":   (P, P, F, NE),
    "PWD-05":   (P, P, F, NE),
    "PWD-06":   (P, P, F, NE),
    "PWD-07":   (P, P, F, NE),
    "PWD-08":   (P, P, F, NE),
    "ROOT-01":  (P, P, F, P),
    "ROOT-02":  (P, P, P, P),
    "ROOT-03":  (P, P, F, P),
    "ROOT-04":  (P, P, F, P),
    "USER-01":  (P, P, F, P),
    "USER-02":  (P, P, F, P),
    "USER-03":  (P, P, P, P),
    "USER-04":  (P, P, F, P),
    "USER-05":  (P, F, P, P),
    "USER-06":  (P, P, P, P),
    "USER-07":  (P, P, P, P),
    "POL-01":   (P, P, F, P),
    "POL-02":   (F, P, F, F),
    "TRAIL-01": (P, P, F, F),
    "TRAIL-02": (P, P, F, F),
    "ROLE-01":  (P, P, F, P),
    "ROLE-02":  (P, P, P, P),
    "ROLE-03":  (P, P, P, F),
    "ROLE-04":  (P, P, P, P),
    "ROLE-05":  (P, P, F, P),
    "ROLE-06":  (P, P, F, P),
    "ROLE-07":  (P, P, P, P),
    "CHG-01":   (NA, NA, NA, NA),
    "CHG-02":   (NA, NA, NA, NA),
    "CHG-03":   (P, P, P, P),
}
COLUMNS = ("management", "production", "development", "sandbox")


def statuses(results):
    """{account_id: {control: status}}"""
    return {a["account_id"]: {c["id"]: c["status"] for c in a["controls"]}
            for a in results["accounts"]}


def findings(results):
    """{(account, control, resource)} of every FAIL finding."""
    return {(a["account_id"], c["id"], f.get("resource"))
            for a in results["accounts"] for c in a["controls"]
            if c["status"] == "FAIL" for f in c.get("findings", [])}


class ChangesTable(html.parser.HTMLParser):
    """The rows of summary.html's "since the baseline" changes table: the
    text of each <tr> of the table that follows the heading naming it."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


class OrgRun(e2eutil.BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE)

    def run_org(self, out, *args, env=None):
        self.space()
        try:
            p = e2eutil.iamgrade(["run", "--organization", "--role-name", ROLE, "--out", out,
                                  "--jobs", "4"] + list(args),
                                 env=env or self.env(self.org.auditor), timeout=900)
        finally:
            e2eutil.BedCase._last_run = __import__("time").monotonic()
        dirs = sorted(glob.glob(os.path.join(out, "*/")), key=os.path.getmtime)
        return p, (dirs[-1].rstrip("/") if dirs else None)

    def load(self, d, name="results.json"):
        with open(os.path.join(d, name), encoding="utf-8") as f:
            return json.load(f)

    def check_org_list_once(self, d, results):
        """The organization's account list once per run (issue 13), in
        organization.json, each snapshot naming it by hash; `check` of a
        snapshot in the folder grades as the run did, and a snapshot taken
        away from its folder cannot vouch for the list (invalid, incomplete)."""
        import shutil
        org = self.load(d, "organization.json")["organization_accounts"]
        self.assertTrue(set(self.org.accounts.values()) <= set(org["accounts"]))
        self.assertNotIn("organization_accounts", results["organization"])   # the file's, not the results'
        snaps = glob.glob(os.path.join(d, "snapshots", "*.json"))
        self.assertTrue(snaps)
        for path in snaps:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)["organization"]["data"]
            self.assertNotIn("accounts", data)
            self.assertEqual((data["accounts_in"], data["accounts_count"]),
                             ("../organization.json", len(org["accounts"])))
        prod = os.path.join(d, "snapshots", self.org.accounts["production"] + ".json")
        p = e2eutil.iamgrade(["check", "--format", "json", prod], env=self.env(self.org.auditor))
        self.assertEqual(statuses(json.loads(p.stdout))[self.org.accounts["production"]],
                         statuses(results)[self.org.accounts["production"]], p.stderr)
        alone = os.path.join(self.mkdtemp(), "prod.json")
        shutil.copy(prod, alone)
        p = e2eutil.iamgrade(["check", "--format", "json", alone], env=self.env(self.org.auditor))
        a = json.loads(p.stdout)["accounts"][0]
        self.assertFalse(a["collection"]["complete"])
        self.assertIn("account list", " ".join(a["collection"]["problems"]))

    def assert_summary_whole(self, d, *extra):
        env = self.env(self.org.auditor)
        extra = list(extra) + ["--history", os.path.dirname(d)]   # run's default: its --out
        for opt, name in (("--json", "results.json"), ("--csv", "findings.csv"), ("--html", "summary.html")):
            q = e2eutil.iamgrade(["report", "--results", os.path.join(d, "results.json"), "--summary",
                                  opt, "-"] + list(extra), env=env, timeout=300)
            self.assertEqual(q.returncode, 0, q.stderr)
            with open(os.path.join(d, name), encoding="utf-8") as f:   # newlines as q.stdout's
                got = f.read()
            # The one thing only run's summary has: the link to each account's own page.
            # (and the serializer's line break that its removal moves).
            want = q.stdout
            if name.endswith(".html"):
                got = re.sub(r'<span> (?:&middot;|\u00b7) <a class="small" href="accounts/[0-9]{12}\.html">'
                             r'full report</a></span>', "", got)
                got, want = re.sub(r">\s+<", "><", got), re.sub(r">\s+<", "><", want)
            self.assertEqual(got, want, f"{name} is not what the whole results make")
        if os.path.exists(os.path.join(d, "summary.pdf")):
            q = subprocess.run([e2eutil.IAMGRADE, "report", "--results", os.path.join(d, "results.json"),
                                "--summary", "--pdf", "-"] + list(extra), env=env, capture_output=True,
                               timeout=300)
            self.assertEqual(q.returncode, 0, q.stderr)
            with open(os.path.join(d, "summary.pdf"), "rb") as f:
                self.assertTrue(f.read() == q.stdout, "summary.pdf is not what the whole results make")

    def test_1_organization(self):
        out = self.mkdtemp()
        p, d = self.run_org(out)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIsNotNone(d)
        acc = self.org.accounts
        # Every report is there.
        for name in ("results.json", "findings.csv", "summary.html", "summary.pdf", "run.json"):
            self.assertTrue(os.path.getsize(os.path.join(d, name)) > 0, name)
        for a in acc.values():
            for ext in ("html", "pdf"):
                self.assertTrue(os.path.getsize(os.path.join(d, "accounts", f"{a}.{ext}")) > 0)
            snap = os.path.join(d, "snapshots", f"{a}.json")
            self.assertEqual(stat.S_IMODE(os.stat(snap).st_mode), 0o600, snap)
        results = self.load(d)
        got = statuses(results)
        self.assertEqual(set(got), set(acc.values()))
        self.check_org_list_once(d, results)
        for control, want in EXPECTED.items():
            for col, status in zip(COLUMNS, want):
                self.assertEqual(got[acc[col]].get(control), status, f"{control} in {col}")
        # The unassumable account: incomplete, with the reason, nothing graded.
        legacy = next(a for a in results["accounts"] if a["account_id"] == acc["legacy"])
        self.assertFalse(legacy["collection"]["complete"])
        self.assertIn("AssumeRole", " ".join(legacy["collection"]["problems"]))
        self.assertEqual(set(got[acc["legacy"]].values()), {NE})
        self.assertIsNone(legacy["score"])
        # The denied source: exactly the password controls, with the reason.
        sandbox = next(a for a in results["accounts"] if a["account_id"] == acc["sandbox"])
        ne = [c for c in sandbox["controls"] if c["status"] == NE]
        self.assertEqual(sorted(c["id"] for c in ne), sorted(k for k in EXPECTED if k.startswith("PWD-")))
        for c in ne:
            self.assertIn("GetAccountPasswordPolicy", c["reason"])
        # run.json tells the story too.
        run = self.load(d, "run.json")
        self.assertEqual(run["status"], "incomplete")
        self.assertEqual(run["exit_code"], 3)
        by = {a["account_id"]: a for a in run["accounts"]}
        self.assertFalse(by[acc["legacy"]]["complete"])
        self.assertIn("AssumeRole", by[acc["legacy"]]["error"])
        self.assertTrue(by[acc["production"]]["complete"])
        # findings.csv: a row per finding (and per control without one), the
        # same findings as results.json.
        with open(os.path.join(d, "findings.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual({(r["account_id"], r["control_id"], r["resource"]) for r in rows
                          if r["status"] == "FAIL"},
                         findings(results))
        self.assertEqual(sum(r["status"] == "FAIL" for r in rows),
                         sum(len(c.get("findings", [])) for a in results["accounts"]
                             for c in a["controls"] if c["status"] == "FAIL"))
        # summary.html links each account to its own page beside it, and
        # every link it has stays in the page or in the run folder.
        with open(os.path.join(d, "summary.html"), encoding="utf-8") as f:
            page = f.read()
        hrefs = set(re.findall(r'href="([^"]*)"', page))
        self.assertEqual({h for h in hrefs if not h.startswith("#")},
                         {f"accounts/{a}.html" for a in acc.values()})
        # Each account's page is written as its snapshot lands: the report of
        # that account alone, byte for byte what `report` makes of its snapshot.
        for col in ("production", "development"):
            a = acc[col]
            q = e2eutil.iamgrade(["report", os.path.join(d, "snapshots", f"{a}.json"), "--html", "-",
                                  "--history", out],
                                 env=self.env(self.org.auditor), timeout=120)
            self.assertEqual(q.returncode, 0, q.stderr)
            with open(os.path.join(d, "accounts", f"{a}.html"), encoding="utf-8") as f:
                self.assertEqual(f.read(), q.stdout, f"accounts/{a}.html is not its snapshot's report")
        # The summary is built from each account's record and results.json
        # and findings.csv from the accounts kept on disk, one at a time (run/):
        # each is what `report --results` makes of the whole results.json.
        self.assert_summary_whole(d)
        # PDFs are real PDFs.
        q = subprocess.run(["qpdf", "--check", os.path.join(d, "summary.pdf")], capture_output=True)
        self.assertEqual(q.returncode, 0, q.stdout)
        # A second run the same day goes to a new folder; the first is untouched.
        before = {f: os.path.getmtime(f) for f in glob.glob(os.path.join(d, "**"), recursive=True)}
        p2, d2 = self.run_org(out, "--no-pdf")
        self.assertEqual(p2.returncode, 3, p2.stderr)
        self.assertNotEqual(d, d2)
        # --no-pdf leaves out PDF's row of the formats table, and only that row.
        self.assertEqual(glob.glob(os.path.join(d2, "**", "*.pdf"), recursive=True), [])
        for name in ("results.json", "findings.csv", "summary.html"):
            self.assertTrue(os.path.exists(os.path.join(d2, name)), name)
        self.assertTrue(glob.glob(os.path.join(d2, "accounts", "*.html")))
        self.assertEqual(before, {f: os.path.getmtime(f) for f in
                                  glob.glob(os.path.join(d, "**"), recursive=True)})
        self.__class__.first = d

    def test_2_faults_same_results(self):
        """20 % throttling and 5 % 5xx: more calls, the same grades and findings."""
        out = self.mkdtemp()
        self.bed.reset_stats()
        p, d = self.run_org(out, "--no-pdf")
        self.assertEqual(p.returncode, 3, p.stderr)
        calm = self.load(d)
        calls = self.bed.stats_full()["total"]
        self.bed.set_faults([{"kind": "throttle", "probability": 0.2},
                             {"kind": "unavailable", "probability": 0.05}], seed=7)
        # With the SDK's default 3 attempts a call fails all three one time
        # in 64 at this rate, and which call draws a fault depends on thread
        # timing; 8 attempts (AWS_MAX_ATTEMPTS, as with the AWS CLI) make a
        # lost source a one-in-millions event, so the test is not flaky.
        env = self.env(self.org.auditor, AWS_MAX_ATTEMPTS="8")
        try:
            self.bed.reset_stats()
            p, d2 = self.run_org(out, "--no-pdf", env=env)
            stormy_calls = self.bed.stats_full()["total"]
            fired = sum(r.get("fired", 0) for r in self.bed.faults()["rules"])
        finally:
            self.bed.clear_faults()
        self.assertEqual(p.returncode, 3, p.stderr)
        stormy = self.load(d2)
        self.assertGreater(fired, 0)
        self.assertGreater(stormy_calls, calls)
        self.assertEqual(statuses(stormy), statuses(calm))
        self.assertEqual(findings(stormy), findings(calm))
        print(f"\n  calls without faults {calls}, with 20% throttling + 5% 5xx {stormy_calls} "
              f"({fired} faults injected)", file=sys.stderr)

    def test_3_baseline(self):
        """After one key is deactivated and one risky role added, the
        comparison shows exactly those as fixed and new, with the
        administrator user that made the changes (PRIV-02).  (Deactivated, not
        deleted: the credential report may be hours old and still shows the
        key active; ListAccessKeys listing it Inactive explains that, while a
        key missing from the list makes the sources disagree, and USER-05
        is then NOT_EVALUATED for the user, docs/snapshot-format.md.)"""
        out = self.mkdtemp()
        p, base = self.run_org(out, "--no-pdf")
        self.assertEqual(p.returncode, 3, p.stderr)
        acc = self.org.accounts
        prod = acc["production"]
        # An administrator of production makes the changes, so that the
        # CreateRole event names an IAM user (not root, which ROLE-07 flags).
        self.bed.auth(False)
        try:
            ops = bedlib.bootstrap_admin(self.bed, prod, name="ops-admin")
        finally:
            self.bed.auth(True)
        iam = self.bed.client("iam", ops)
        key = iam.list_access_keys(UserName="deploy-bot")["AccessKeyMetadata"][0]["AccessKeyId"]
        iam.update_access_key(UserName="deploy-bot", AccessKeyId=key, Status="Inactive")
        iam.create_role(RoleName="anyone-welcome", AssumeRolePolicyDocument=seed.trust("*"))
        p, d = self.run_org(out, "--no-pdf", "--baseline", base)
        self.assertEqual(p.returncode, 3, p.stderr)
        before, after = self.load(base), self.load(d)
        # The comparison from the records (new and fixed findings, role risks) is the whole one.
        self.assert_summary_whole(d, "--baseline", os.path.join(base, "results.json"))
        self.assertEqual(findings(before) - findings(after),
                         {(prod, "USER-05", f"arn:aws:iam::{prod}:user/deploy-bot")})
        new = findings(after) - findings(before)
        # The administrator user made for the changes is itself a new PRIV-02 finding (issue 11),
        # and so is the key root made for it, a credential for another principal (CHG-02).
        self.assertEqual({(a, c) for a, c, _ in new}, {(prod, "ROLE-01"), (prod, "PRIV-02"), (prod, "CHG-02")})
        self.assertIn("anyone-welcome", " ".join(r for _, c, r in new if c == "ROLE-01"))
        self.assertEqual({r for _, c, r in new if c == "PRIV-02"}, {f"arn:aws:iam::{prod}:user/ops-admin"})
        self.assertEqual({r for _, c, r in new if c == "CHG-02"}, {f"arn:aws:iam::{prod}:user/ops-admin"})
        # What the reader sees: the changes table of summary.html.
        t = ChangesTable()
        with open(os.path.join(d, "summary.html"), encoding="utf-8") as f:
            t.feed(f.read())
        # Its columns: account, control, change, then, now, findings.
        changed = [r for r in t.rows if len(r) == 6 and r[2] in ("new", "fixed", "unchanged", "unknown")]
        text = [" | ".join(r) for r in changed]
        self.assertEqual(len(changed), 4, text)
        # PRIV-02 failed before too (the seeded admins): its status is unchanged, one finding new.
        self.assertTrue(any(r[2] == "unchanged" and prod in r[0] and r[1].startswith("PRIV-02")
                            and "new: ops-admin" in r[5] for r in changed), text)
        self.assertTrue(any(r[2] == "fixed" and prod in r[0] and r[1].startswith("USER-05")
                            and "deploy-bot" in r[5] for r in changed), text)
        self.assertTrue(any(r[2] == "new" and prod in r[0] and r[1].startswith("ROLE-01")
                            and "anyone-welcome" in r[5] for r in changed), text)
        self.assertTrue(any(r[2] == "new" and prod in r[0] and r[1].startswith("CHG-02")
                            and "ops-admin" in r[5] for r in changed), text)

    def test_4_history(self):
        """The trend over months from --out: the first run filed again as
        synthetic months 3 and 1 before it (tests/bed/demo_history.py, as
        make demo does), the month between left without a run; the second
        run draws those, a gap, and itself, never the first run (its month
        is the second's own)."""
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "demo_history", os.path.join(e2eutil.REPO, "tests", "bed", "demo_history.py"))
        demo_history = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(demo_history)
        out = self.mkdtemp()
        p, first = self.run_org(out, "--no-pdf")
        self.assertEqual(p.returncode, 3, p.stderr)
        demo_history.main(first, out)
        p, d = self.run_org(out, "--no-pdf")
        self.assertEqual(p.returncode, 3, p.stderr)
        now = self.load(d)
        scores = [a["score"] for a in now["accounts"] if a["score"] is not None]
        with open(os.path.join(d, "summary.html"), encoding="utf-8") as f:
            page = f.read()
        svg = re.search(r'aria-labelledby="trend-t-org trend-d-org"[^>]*>(.*?)</svg>', page, re.S).group(1)
        months = re.findall(r'text-anchor="middle"[^>]*>(\d{4}-\d\d)</text>', svg)
        self.assertEqual(len(months), 4)
        self.assertEqual(months[-1], now["generated_at"][:7])
        self.assertEqual(re.findall(r'class="trend-gap"[^>]*>([^<]*)<', svg), ["no run"])
        # report/trend.h: y = 20 + 160 * (100 - score) / 100, x centred in its column.
        dots = {round((float(x) - 60) / 170 - 0.5): round(100 - (float(y) - 20) * 100 / 160)
                for x, y in re.findall(r'<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)}
        mean = lambda v: (2 * sum(v) + len(v)) // (2 * len(v))
        self.assertEqual(dots, {0: mean([max(0, s - 12) for s in scores]),
                                2: mean([max(0, s - 6) for s in scores]), 3: mean(scores)})
        prod = self.org.accounts["production"]
        score = next(a["score"] for a in now["accounts"] if a["account_id"] == prod)
        row = re.search(r'<tr[^>]*id="[^"]*%s[^"]*"(?:(?!</tr>).)*</tr>' % prod, page, re.S).group(0)
        self.assertIn('class="trend-sign">\u2191</span>', row)
        self.assertIn("up %d since %s" % (score - max(0, score - 6), months[2]), row)
        with open(os.path.join(d, "accounts", prod + ".html"), encoding="utf-8") as f:
            self.assertIn('aria-labelledby="trend-t-%s trend-d-%s"' % (prod, prod), f.read())
        # The pages drawn as each account landed, and the summary from the
        # records, draw the same trend as the whole results do.
        q = e2eutil.iamgrade(["report", os.path.join(d, "snapshots", f"{prod}.json"), "--html", "-",
                              "--history", out], env=self.env(self.org.auditor), timeout=120)
        self.assertEqual(q.returncode, 0, q.stderr)
        with open(os.path.join(d, "accounts", prod + ".html"), encoding="utf-8") as f:
            self.assertEqual(f.read(), q.stdout, "the page's trend is not its snapshot's")
        self.assert_summary_whole(d)

    def test_5_exceptions(self):
        """Accepted risks through the records: without a baseline a record's
        findings keep only their severity and accepted mark (run/spool.c),
        and the summary and the exceptions lists read no more."""
        first = self.load(self.__class__.first)
        picked = []
        for a in first["accounts"]:
            for c in a["controls"]:
                res = [f["resource"] for f in c.get("findings") or [] if f.get("resource")]
                if c["status"] == "FAIL" and res and len(picked) < 2 and \
                        all(p[0] != c["id"] for p in picked):
                    picked.append((c["id"], a["account_id"], res[0]))
        self.assertEqual(len(picked), 2, "the bed has failing controls with resources")
        ex = os.path.join(self.mkdtemp(), "exceptions.csv")
        with open(ex, "w", encoding="utf-8") as f:
            f.write("control,account,resource,justification,approved_by,expires\n")
            f.write(f"{picked[0][0]},{picked[0][1]},{picked[0][2]},known,ciso@example.com,2099-01-01\n")
            f.write(f"{picked[1][0]},*,*,known too,ciso@example.com,2099-01-01\n")
        out = self.mkdtemp()
        p, d = self.run_org(out, "--exceptions", ex, "--no-pdf")
        self.assertEqual(p.returncode, 3, p.stderr)     # the bed has an incomplete account
        results = self.load(d)
        accepted = [(a["account_id"], c["id"]) for a in results["accounts"] for c in a["controls"]
                    for f in c.get("findings") or [] if f.get("accepted")]
        self.assertIn((picked[0][1], picked[0][0]), accepted)
        self.assertIn(picked[1][0], {c for _, c in accepted})
        # The rows' counts are counted back from the records' accepted marks (check_exceptions_lists).
        rows = {r["control"]: r["findings_accepted"] for r in results["exceptions"]["in_force"]}
        self.assertEqual(results["exceptions"]["unused"], [])
        for control, _, _ in picked:
            self.assertEqual(rows[control], sum(1 for _, c in accepted if c == control), control)
        self.assert_summary_whole(d)



class AccountsFile(e2eutil.BedCase):
    """--accounts FILE, --shard, and the usage errors."""
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE, deny_password_policy=False, unassumable=False)
        # The shards on S3: the runner may write, list and read the runs' bucket.
        cls.bed.client("s3", cls.org.admin).create_bucket(Bucket=BUCKET)
        cls.bed.client("iam", cls.org.admin).put_user_policy(
            UserName="iamgrade-auditor", PolicyName="runs", PolicyDocument=bedlib.doc(bedlib.allow(
                ["s3:PutObject", "s3:GetObject", "s3:ListBucket"],
                [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"])))

    def test_accounts_file_and_shards(self):
        acc = self.org.accounts
        path = os.path.join(self.mkdtemp(), "accounts.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["account_id", "name"])
            for name in ("management", "production", "sandbox"):
                w.writerow([acc[name], f"{name}, the account"])
        ids = set()
        # Each share as a batch engine starts it: shard 1 of 2 as an AWS Batch
        # array child (0-based index and the array's size in the environment),
        # shard 2 as a Kubernetes Indexed Job pod (its completion index, the
        # count on the command line); --shard K/N itself is in test_accounts.
        engines = {1: ("auto", {"AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}),
                   2: ("auto/2", {"JOB_COMPLETION_INDEX": "1"})}
        for k in (1, 2):
            spec, extra = engines[k]
            env = dict(self.env(self.org.auditor), **extra)
            out = self.mkdtemp()
            self.space()
            p = e2eutil.iamgrade(["run", "--accounts", path, "--role-name", ROLE, "--out", out,
                                  "--shard", spec, "--no-pdf", "-q"], env=env, timeout=600)
            e2eutil.BedCase._last_run = __import__("time").monotonic()
            self.assertIn(p.returncode, (0, 1), p.stderr)
            if not glob.glob(os.path.join(out, "*/")):
                self.assertIn("no accounts", p.stderr)   # an empty share: nothing to do
                continue
            d = glob.glob(os.path.join(out, "*/"))[0]
            with open(os.path.join(d, "results.json"), encoding="utf-8") as f:
                r = json.load(f)
            got = {a["account_id"] for a in r["accounts"]}
            self.assertFalse(got & ids, "shards overlap")
            ids |= got
            for a in r["accounts"]:
                self.assertTrue(a["name"].endswith(", the account"), a["name"])
        self.assertEqual(ids, {acc["management"], acc["production"], acc["sandbox"]})

    def test_shards_joined_equal_the_whole_run(self):
        """N shard processes started as AWS Batch array children, joined by
        `iamgrade report` over their results: the same accounts and statuses
        as one whole run; a missing or repeated shard is refused."""
        import hashlib
        acc = self.org.accounts
        # Every account of the organization: with five ids, moto's random ones
        # split into 2 or 3 non-empty shares all but about once in 40 beds.
        ids = sorted(acc[name] for name in ("management", "production", "development", "sandbox",
                                            "legacy"))
        path = os.path.join(self.mkdtemp(), "accounts.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["account_id", "name"])
            for i in ids:
                w.writerow([i, f"account {i}"])

        def share(i, n):    # accounts_shard: the first 64 bits of the id's SHA-256, mod n
            return int(hashlib.sha256(i.encode()).hexdigest()[:16], 16) % n
        # As many shards as keep each one non-empty (an empty share writes nothing).
        n = next((m for m in (3, 2) if len({share(i, m) for i in ids}) == m), 1)

        def run(extra, args):
            out = self.mkdtemp()
            self.space()
            p = e2eutil.iamgrade(["run", "--accounts", path, "--role-name", ROLE, "--out", out,
                                  "--no-pdf", "-q"] + args, env=dict(self.env(self.org.auditor), **extra),
                                 timeout=600)
            e2eutil.BedCase._last_run = __import__("time").monotonic()
            self.assertIn(p.returncode, (0, 1), p.stderr)
            return glob.glob(os.path.join(out, "*", "results.json"))[0]

        def statuses(doc):
            return {a["account_id"]: {c["id"]: c["status"] for c in a["controls"]} for a in doc["accounts"]}

        whole = run({}, [])
        shards = [run({"AWS_BATCH_JOB_ARRAY_INDEX": str(k), "AWS_BATCH_JOB_ARRAY_SIZE": str(n)},
                      ["--shard", "auto"]) for k in range(n)]
        for k, sh in enumerate(shards):
            with open(sh, encoding="utf-8") as f:
                self.assertEqual(json.load(f)["shard"], {"k": k + 1, "n": n})
        joined = os.path.join(self.mkdtemp(), "joined.json")
        p = e2eutil.iamgrade(["report", "--results", *shards, "--json", joined], env=self.env(self.org.auditor))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(whole, encoding="utf-8") as f, open(joined, encoding="utf-8") as g:
            w, j = json.load(f), json.load(g)
        self.assertEqual(sorted(statuses(j)), ids)
        self.assertEqual(statuses(j), statuses(w))
        if n > 1:
            p = e2eutil.iamgrade(["report", "--results", *shards[1:], "--json", joined + "2"], env=self.env(self.org.auditor))
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("missing shard 1/", p.stderr)
            p = e2eutil.iamgrade(["report", "--results", *shards, shards[0], "--json", joined + "3"],
                                 env=self.env(self.org.auditor))
            self.assertNotEqual(p.returncode, 0, p.stderr)
            self.assertIn("overlapping", p.stderr)
        p = e2eutil.iamgrade(["report", "--results", whole, *shards, "--json", joined + "4"], env=self.env(self.org.auditor))
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("not a shard", p.stderr)
        self.check_merge(whole, shards, n)
        self.check_s3(whole, path, n)

    def check_s3(self, whole, accounts, n):
        """The same shards written to S3 (run --out s3://) and merged from S3
        to S3: the merged run S3 holds has the whole run's accounts, statuses
        and findings and verifies by its own manifest once fetched."""
        env = self.env(self.org.auditor)
        urls = []
        for k in range(n):
            self.space()
            p = e2eutil.iamgrade(["run", "--accounts", accounts, "--role-name", ROLE, "--no-pdf",
                                  "--out", f"s3://{BUCKET}/shards/{k}/", "--shard", "auto"],
                                 env=dict(env, TMPDIR=self.mkdtemp(), AWS_BATCH_JOB_ARRAY_INDEX=str(k),
                                          AWS_BATCH_JOB_ARRAY_SIZE=str(n)), timeout=600)
            e2eutil.BedCase._last_run = __import__("time").monotonic()
            self.assertIn(p.returncode, (0, 1), p.stderr)
            urls.append(next(line for line in p.stdout.splitlines() if line.startswith("s3://")))
        tmp = self.mkdtemp()
        p = e2eutil.iamgrade(["merge", *urls, "--out", f"s3://{BUCKET}/runs/", "--no-pdf"],
                             env=dict(env, TMPDIR=tmp))
        self.assertEqual(p.returncode, 0, p.stderr)
        merged = p.stdout.splitlines()[0]
        self.assertTrue(merged.startswith(f"s3://{BUCKET}/runs/"), merged)
        self.assertEqual(os.listdir(tmp), [], "the staging folders are removed")
        s3 = self.bed.client("s3", self.org.admin)
        got = self.mkdtemp()
        prefix = merged[len(f"s3://{BUCKET}/"):]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for o in page["Contents"]:
                dest = os.path.join(got, o["Key"][len(prefix):])
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                s3.download_file(BUCKET, o["Key"], dest)
        v = e2eutil.iamgrade(["verify", got], env=env)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        with open(whole, encoding="utf-8") as f, open(os.path.join(got, "results.json"), encoding="utf-8") as g:
            w, m = json.load(f), json.load(g)

        def view(doc):
            return {a["account_id"]: {c["id"]: (c["status"], json.dumps(c.get("findings"), sort_keys=True))
                                      for c in a["controls"]} for a in doc["accounts"]}
        self.assertEqual(view(m), view(w))
        with open(os.path.join(got, "run.json"), encoding="utf-8") as f:
            self.assertEqual([s["folder"] for s in json.load(f)["merged_from"]], urls)
        # A missing shard on S3 is refused as on disk, and nothing new is written.
        if n > 1:
            before = s3.list_objects_v2(Bucket=BUCKET, Prefix="runs/")["KeyCount"]
            p = e2eutil.iamgrade(["merge", *urls[1:], "--out", f"s3://{BUCKET}/runs/"], env=env)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("missing shard 1/", p.stderr)
            self.assertEqual(s3.list_objects_v2(Bucket=BUCKET, Prefix="runs/")["KeyCount"], before)
        p = e2eutil.iamgrade(["merge", f"s3://{BUCKET}/nothing/here/", "--out", self.mkdtemp()], env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no object under this prefix", p.stderr)

    def check_merge(self, whole, shards, n):
        """`iamgrade merge` of the shards' run folders: one run folder with the
        whole run's accounts, statuses and findings, whole by its own
        manifest; an edited, missing or repeated shard is refused."""
        import shutil
        env = self.env(self.org.auditor)
        dirs = [os.path.dirname(sh) for sh in shards]
        out = self.mkdtemp()
        p = e2eutil.iamgrade(["merge", *dirs, "--out", out, "--no-pdf"], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        merged = p.stdout.splitlines()[0]
        self.assertEqual(os.path.dirname(merged), out)
        v = e2eutil.iamgrade(["verify", merged], env=env)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        with open(whole, encoding="utf-8") as f, open(os.path.join(merged, "results.json"), encoding="utf-8") as g:
            w, m = json.load(f), json.load(g)
        self.assertNotIn("shard", m)

        def view(doc):
            return {a["account_id"]: {c["id"]: (c["status"], json.dumps(c.get("findings"), sort_keys=True))
                                      for c in a["controls"]} for a in doc["accounts"]}
        self.assertEqual(view(m), view(w))
        wdir = os.path.dirname(whole)
        files = lambda d: sorted(os.path.relpath(os.path.join(dp, f), d) for dp, _, fs in os.walk(d) for f in fs
                                 if not f.startswith(("run.json", "MANIFEST")))
        self.assertEqual(files(merged), files(wdir))
        with open(os.path.join(merged, "run.json"), encoding="utf-8") as f:
            run = json.load(f)
        self.assertEqual(run["status"], "complete")
        self.assertEqual(sorted(a["account_id"] for a in run["accounts"]), sorted(view(w)))
        self.assertEqual(len(run["merged_from"]), n)
        with open(os.path.join(merged, "summary.html"), encoding="utf-8") as f:
            page = f.read()
        for acct in view(w):
            self.assertIn(f'href="accounts/{acct}.html"', page)
        if n > 1:
            p = e2eutil.iamgrade(["merge", *dirs[1:], "--out", out], env=env)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("missing shard 1/", p.stderr)
            p = e2eutil.iamgrade(["merge", *dirs, dirs[0], "--out", out], env=env)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("overlapping", p.stderr)
        # An edited shard is not merged: the manifest says which file.
        edited = os.path.join(self.mkdtemp(), "shard")
        shutil.copytree(dirs[0], edited)
        page = glob.glob(os.path.join(edited, "accounts", "*.html"))[0]
        with open(page, "a", encoding="utf-8") as f:
            f.write("<!-- edited -->")
        p = e2eutil.iamgrade(["merge", edited, *dirs[1:], "--out", out], env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("differs from its MANIFEST.sha256: accounts/%s (altered)" % os.path.basename(page), p.stderr)
        self.assertEqual(len(os.listdir(out)), 1, "a refused merge wrote a folder")

    def test_usage_errors(self):
        env = self.env(self.org.auditor)
        out = self.mkdtemp()
        for args, says in ((["--organization"], "--role-name"),
                           (["--shard", "3/2"], "--shard"),
                           (["--shard", "auto"], "how many shards"),
                           (["--jobs", "0"], "--jobs"),
                           (["--accounts", "/nonexistent.csv", "--role-name", ROLE], "/nonexistent.csv"),
                           (["--bogus"], "")):
            p = e2eutil.iamgrade(["run", "--out", out] + args, env=env)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(says, p.stderr)
        self.assertEqual(os.listdir(out) if os.path.isdir(out) else [], [])


if __name__ == "__main__":
    unittest.main()
