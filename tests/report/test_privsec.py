"""The per-account "Privileged access" section (issue 11), end to end from
snapshots: the checks' cases of tests/checks/cases (priv-*) are graded with
`iamgrade check --format json`, rendered with `iamgrade report`, and the
section's rows read back from the HTML (strictly parsed) and from the PDF
(pdftotext): who is administrator-equivalent, who can escalate and by which
chain (principal -> method -> target), who may assume which administrator
role and by which grant.  Hostile principal and policy names render as text;
a section that could not be evaluated says so and lists nothing; lists are
bounded.  Set IAMGRADE_SHOTS=DIR to keep a Chromium screenshot and PNG pages
of the PDF there."""
import copy
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "checks"))
import caselib  # noqa: E402  (tests/checks: the cases' snapshots)

IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
SHOTS = os.environ.get("IAMGRADE_SHOTS")
A = "arn:aws:iam::123456789012:"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
LONG_TARGET = A + "user/" + "中文" * 60
HOSTILE = ["<script>document.title='pwned'</script>",
           "\"><img src=x onerror=\"document.title='pwned'\">",
           "</style>", "&amp;", "]]>", "中文"]


class Section(html.parser.HTMLParser):
    """The Privileged access section of a page: its text, its table rows
    (cell texts) by heading, its chains (node texts), the tags in it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0          # > 0 inside the section
        self.text, self.rows, self.chains, self.tags = [], {}, [], set()
        self.heading, self._h, self._row, self._cell, self._node = None, None, None, None, None
        self.problems = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth == 0:
            if tag == "section" and a.get("aria-label") == "Privileged access":
                self.depth = 1
            return
        self.tags.add(tag)
        if any(k.startswith("on") for k in a):
            self.problems.append("handler on <%s>" % tag)
        if tag not in ("br", "img", "meta", "link"):
            self.depth += 1
        if self._cell is not None:
            self._cell += " "   # a block (the ARN under a name) is a word apart
        if tag == "h3":
            self._h = ""
        elif tag == "tr":
            self._row = []
        elif tag == "td":
            self._cell = ""
        elif tag == "li" and "chain" in (a.get("class") or "").split():
            self.chains.append([])
        elif tag == "span" and "node" in (a.get("class") or "").split():
            self._node = ""

    def handle_endtag(self, tag):
        if self.depth == 0:
            return
        self.depth -= 1
        if tag == "h3" and self._h is not None:
            self.heading, self._h = self._h.strip(), None
        elif tag == "td" and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.rows.setdefault(self.heading, []).append(self._row)
            self._row = None
        elif tag == "span" and self._node is not None:
            self.chains[-1].append(self._node)
            self._node = None

    def handle_data(self, data):
        if self.depth == 0:
            return
        self.text.append(data)
        for k in ("_h", "_cell", "_node"):
            if getattr(self, k) is not None:
                setattr(self, k, getattr(self, k) + data)


def section(page):
    p = Section()
    p.feed(page.decode("utf-8"))
    p.close()
    p.alltext = re.sub(r"\s+", " ", "".join(p.text))
    return p


def run(*argv, **kw):
    r = subprocess.run([IAMGRADE, *argv], capture_output=True, timeout=300, **kw)
    if r.returncode not in (0, 1):
        raise AssertionError("iamgrade %s: exit %d: %s" % (" ".join(argv), r.returncode,
                                                           r.stderr.decode(errors="replace")))
    return r


def user(name, managed=(), inline=(), groups=()):
    return {"UserName": name, "UserId": "AIDA" + "X" * 16, "Arn": A + "user/" + name, "Path": "/",
            "CreateDate": "2024-03-01T09:00:00Z", "GroupList": list(groups), "Tags": [],
            "AttachedManagedPolicies": [{"PolicyName": m.split("/")[-1], "PolicyArn": m} for m in managed],
            "UserPolicyList": list(inline)}


def hostile_snapshot():
    """Markup, CDATA ends, entities and CJK in a user's name, its inline
    policy's name and Sid: the user can escalate (iam:CreateAccessKey on
    every user) and another is an administrator through a policy so named."""
    with open(os.path.join(caselib.BASE, "compliant.json"), encoding="utf-8") as f:
        snap = json.load(f)
    users = snap["sources"]["authorization_details"]["data"]["users"]
    evil = "".join(HOSTILE)
    users.append(user("mallory", inline=[{"PolicyName": "keys " + evil, "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Sid": "Sid" + evil, "Effect": "Allow",
                                                  "Action": "iam:CreateAccessKey", "Resource": "*"}]}}]))
    # A target too long for a box of the PDF's chain: cut there (inside CJK), whole in the text.
    users.append(user("trent", inline=[{"PolicyName": "profiles", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateLoginProfile",
                                                  "Resource": LONG_TARGET}]}}]))
    users.append(user(evil, inline=[{"PolicyName": "admin " + evil, "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]))
    return snap


def many_admins_snapshot(n):
    """n administrator users and a role Admin that trusts the account: each
    user may assume it (AdministratorAccess grants sts:AssumeRole)."""
    with open(os.path.join(caselib.BASE, "compliant.json"), encoding="utf-8") as f:
        snap = json.load(f)
    az = snap["sources"]["authorization_details"]["data"]
    for i in range(n):
        az["users"].append(user("admin%03d" % i, managed=[ADMIN]))
    az["roles"].append({"RoleName": "Admin", "RoleId": "AROA" + "A" * 16, "Arn": A + "role/Admin", "Path": "/",
                        "CreateDate": "2024-01-01T00:00:00Z", "RolePolicyList": [],
                        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                            "Action": "sts:AssumeRole"}]},
                        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]})
    return snap


class PrivilegedAccess(unittest.TestCase):
    CASES = ["priv-access-review", "priv-multistep-cycle", "priv-user-attach-self", "priv-access-ne",
             "priv-access-partial"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-privsec-")
        cls.html, cls.pdf, cls.results = {}, {}, {}
        snaps = {name: caselib.build_snapshot(os.path.join(caselib.CASES, name + ".snapshot.json"))
                 for name in cls.CASES}
        snaps["hostile"] = json.dumps(hostile_snapshot(), ensure_ascii=False).encode()
        snaps["many"] = json.dumps(many_admins_snapshot(110)).encode()
        for name, data in snaps.items():
            cls.render(name, data)
        # Results graded before privileged_access existed: PRIV findings only.
        old = copy.deepcopy(cls.results["priv-access-review"])
        del old["accounts"][0]["privileged_access"]
        cls.render("old", None, old)

    @classmethod
    def render(cls, name, snapshot, results=None):
        if results is None:
            snap = os.path.join(cls.tmp, name + ".snapshot.json")
            with open(snap, "wb") as f:
                f.write(snapshot)
            results = json.loads(run("check", "--format", "json", snap).stdout)
        res = os.path.join(cls.tmp, name + ".results.json")
        with open(res, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False)
        cls.results[name] = results
        out = os.path.join(cls.tmp, name)
        run("report", "--results", res, "--html", out + ".html", "--pdf", out + ".pdf")
        with open(out + ".html", "rb") as f:
            cls.html[name] = f.read()
        cls.pdf[name] = out + ".pdf"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def pdf_section(self, name):
        """The section's text in the PDF (pdftotext -layout), up to the next section."""
        r = subprocess.run([PDFTOTEXT, "-layout", self.pdf[name], "-"], capture_output=True, check=True)
        text = r.stdout.decode("utf-8")
        start = re.search(r"(?m)^\f?Privileged access$", text).start()
        return text[start:re.compile(r"(?m)^\f?Not evaluated$").search(text, start).start()]

    def test_review_rows_in_html(self):
        s = section(self.html["priv-access-review"])
        self.assertEqual(s.problems, [])
        self.assertIn("4 administrator-equivalent principals (1 user, 0 groups, 3 roles); "
                      "2 principals can escalate; 4 ways into 2 administrator roles.", s.alltext)
        admins = s.rows["Administrator-equivalent principals"]
        self.assertEqual([r[0].split(" arn:")[0] for r in admins],
                         ["user carol", "role Admin", "role BreakGlass", "role AWSServiceRoleForSupport"])
        self.assertEqual({r[1] for r in admins}, {"policy AdministratorAccess"})
        self.assertIn("should come through a role (PRIV-02)", admins[0][2])
        self.assertIn("service-linked", admins[3][2])
        self.assertEqual(s.chains, [["user alice", "sts:AssumeRole", "role Admin", "administrator-equivalent"],
                                    ["user bob", "sts:AssumeRole", "role BreakGlass", "administrator-equivalent"]])
        callers = [(r[0].split(" arn:")[0], r[1].split(" arn:")[0], r[2])
                   for r in s.rows["Who may assume an administrator role"]]
        self.assertEqual(callers, [
            ("Admin", "user alice", "sts:AssumeRole on " + A + "role/Admin: inline policy assume-admin, "
             "Sid \"AssumeAdmin\""),
            ("Admin", "user carol (an administrator itself)",
             "sts:AssumeRole on *: policy AdministratorAccess, statement 1"),
            ("Admin", "role BreakGlass (an administrator itself)",
             "sts:AssumeRole on *: policy AdministratorAccess, statement 1"),
            ("BreakGlass", "user bob", "the role's trust policy names the caller")])

    def test_chains(self):
        self.assertEqual(section(self.html["priv-multistep-cycle"]).chains, [
            ["user alice", "sts:AssumeRole", "role r1", "sts:AssumeRole", "role r2", "sts:AssumeRole",
             "role r3", "administrator-equivalent"],
            ["role r1", "sts:AssumeRole", "role r2", "sts:AssumeRole", "role r3", "administrator-equivalent"],
            ["role r2", "sts:AssumeRole", "role r3", "administrator-equivalent"]])
        s = section(self.html["priv-user-attach-self"])
        self.assertEqual(s.chains, [["user alice", "iam-attach-user-policy",
                                     "arn:aws:iam::*:user/${aws:username}"]])
        self.assertIn("iam:AttachUserPolicy on arn:aws:iam::*:user/${aws:username}: inline policy "
                      "self-service, Sid \"SelfService\"", s.alltext)
        self.assertIn("No user, group or role is administrator-equivalent.", s.alltext)
        self.assertIn("No user or role of the account may assume an administrator role.", s.alltext)

    def test_not_evaluated_claims_nothing(self):
        s = section(self.html["priv-access-ne"])
        self.assertIn("Privileged access could not be reviewed: authorization_details: "
                      "iam:GetAccountAuthorizationDetails denied", s.alltext)
        self.assertEqual((s.rows, s.chains), ({}, []))
        for claim in ("No user", "No principal", "administrator-equivalent principals"):
            self.assertNotIn(claim, s.alltext)

    def test_partial_says_so(self):
        s = section(self.html["priv-access-partial"])
        self.assertIn("1 administrator-equivalent principal (1 user, 0 groups, 0 roles); escalation not "
                      "evaluated; 0 ways into 0 administrator roles, in what could be read.", s.alltext)
        self.assertIn("The listing is partial: authorization_details: iam:GetAccountAuthorizationDetails "
                      "stopped at a limit", s.alltext)
        self.assertIn("Escalation (PRIV-01) could not be evaluated", s.alltext)
        self.assertIn("None in what could be read (the listing is partial).", s.alltext)
        for claim in ("No user", "No principal"):
            self.assertNotIn(claim, s.alltext)
        self.assertEqual([r[0].split(" arn:")[0] for r in s.rows["Administrator-equivalent principals"]],
                         ["user carol"])

    def test_older_results_say_what_is_missing(self):
        s = section(self.html["old"])
        self.assertIn("graded before the access review was recorded", s.alltext)
        self.assertEqual([r[0].split(" arn:")[0] for r in s.rows["Administrator-equivalent principals"]],
                         ["user carol"])
        self.assertEqual(len(s.chains), 2)
        self.assertNotIn("Who may assume an administrator role", s.alltext)

    def test_no_section_without_priv_controls(self):
        fixture = os.path.join(HERE, "fixtures", "sample.results.json")
        r = run("report", "--results", fixture, "--html", "-")
        self.assertNotIn(b'aria-label="Privileged access"', r.stdout)

    def test_bounded(self):
        s = section(self.html["many"])
        self.assertEqual(len(s.rows["Administrator-equivalent principals"]), 50)
        self.assertIn("61 more administrator-equivalent principals, listed in results.json", s.alltext)
        self.assertEqual(len(s.rows["Who may assume an administrator role"]), 50)
        self.assertIn("60 more ways into administrator roles; results.json lists 50 of them and counts "
                      "the 10 others (callers_total)", s.alltext)
        pa = self.results["many"]["accounts"][0]["privileged_access"]
        self.assertEqual(len(pa["admins"]), 111)
        self.assertEqual([(r["role_name"], r["callers_total"], len(r["callers"]))
                          for r in pa["admin_role_callers"]], [("Admin", 110, 100)])

    def test_hostile_names_are_text(self):
        s = section(self.html["hostile"])
        self.assertEqual(s.problems, [])
        self.assertFalse(s.tags & {"script", "img", "style"}, s.tags)
        evil = "".join(HOSTILE)
        self.assertIn("user " + evil, [r[0].split(" " + A)[0] for r in s.rows["Administrator-equivalent principals"]])
        self.assertIn("inline policy admin " + evil, s.alltext)
        self.assertIn(["user mallory", "iam-create-access-key", "*"], s.chains)
        self.assertIn(["user trent", "iam-create-login-profile", LONG_TARGET], s.chains)
        self.assertIn("inline policy keys " + evil + ", Sid \"Sid" + evil, s.alltext)

    def test_comparison_has_the_controls(self):
        """The comparison and the baseline diff take PRIV-01/02 like any control."""
        res = os.path.join(self.tmp, "priv-access-review.results.json")
        base = os.path.join(self.tmp, "priv-user-attach-self.results.json")
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", run(
            "report", "--results", res, "--summary", "--html", "-").stdout.decode()))
        self.assertRegex(text, r"PRIV-01 No principal can escalate to administrator high 1 of 1 ")
        self.assertRegex(text, r"PRIV-02 Administrator access is not held by IAM users or groups high 1 of 1 ")
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", run(
            "report", "--results", res, "--baseline", base, "--html", "-").stdout.decode()))
        new = text[text.index("New findings"):text.index("Fixed since")]
        self.assertIn("PRIV-02 carol user carol is administrator-equivalent", new)
        self.assertIn("PRIV-01 bob user bob reaches role BreakGlass", new)

    @unittest.skipUnless(CHROMIUM, "chromium not installed")
    def test_hostile_in_chromium(self):
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.tmp)
        page = os.path.join(self.tmp, "hostile.html")
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--user-data-dir=" + profile, "--dump-dom", "file://" + page],
                           capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0)
        s = section(r.stdout)
        self.assertFalse(s.tags & {"script", "img", "style"}, s.tags)
        self.assertIn("inline policy admin " + "".join(HOSTILE), s.alltext)
        self.assertNotIn(b"pwned</title>", r.stdout)
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            for name in ("priv-access-review", "priv-multistep-cycle", "hostile"):
                subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                "--user-data-dir=" + profile, "--window-size=1200,2000",
                                "--screenshot=" + os.path.join(SHOTS, name + ".png"),
                                "file://" + os.path.join(self.tmp, name + ".html")],
                               capture_output=True, timeout=120)

    @unittest.skipUnless(PDFTOTEXT, "poppler-utils not installed")
    def test_pdf_rows(self):
        t = self.pdf_section("priv-access-review")
        self.assertIn("4 administrator-equivalent principals (1 user, 0 groups, 3 roles)", t)
        lines = [re.sub(r"\s+", " ", x).strip() for x in t.splitlines()]
        for who in ("user carol", "role Admin", "role BreakGlass", "role AWSServiceRoleForSupport"):
            self.assertTrue(any(x.startswith(who + " policy AdministratorAccess") for x in lines), who)
        # Each chain is one row of boxes, in order.
        self.assertIn("user alice sts:AssumeRole role Admin administrator-equivalent", lines)
        self.assertIn("user bob sts:AssumeRole role BreakGlass administrator-equivalent", lines)
        self.assertTrue(any(x.startswith("BreakGlass user bob the role's trust policy names the caller")
                            for x in lines), lines)
        t = self.pdf_section("priv-user-attach-self")
        self.assertIn("user alice iam-attach-user-policy arn:aws:iam::*:user/${aws:username}",
                      [re.sub(r"\s+", " ", x).strip() for x in t.splitlines()])
        t = self.pdf_section("priv-access-ne")
        self.assertIn("could not be reviewed", t)
        self.assertNotIn("Administrator-equivalent principals", t)
        t = self.pdf_section("hostile")
        chain = [x for x in t.splitlines() if "iam-create-login-profile" in x and "user trent" in x]
        self.assertEqual(len(chain), 1, t)
        self.assertRegex(chain[0], r"arn:aws:iam::123456789012:user/(中文)+中?\u2026$")
        t = re.sub(r"\s+", "", t)     # wrapped in cells
        for s in HOSTILE + [LONG_TARGET]:
            self.assertIn(re.sub(r"\s+", "", s), t)
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "60", self.pdf["priv-access-review"],
                            os.path.join(SHOTS, "review-pdf")], check=True)
            subprocess.run(["pdftoppm", "-png", "-r", "60", self.pdf["priv-multistep-cycle"],
                            os.path.join(SHOTS, "cycle-pdf")], check=True)


if __name__ == "__main__":
    unittest.main()
