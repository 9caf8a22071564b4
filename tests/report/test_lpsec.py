"""The "Least privilege" section (HTML and PDF) and the summary's unused shares.

A synthetic snapshot (tests/checks/base/compliant.json plus the roles of
PRINCIPALS below, each granted the services of an inline policy and using
some of them, by last-accessed data) goes through `iamgrade report`
($IAMGRADE, default ./iamgrade).  The expected rows and bars are computed
here from what the snapshot grants and uses, not typed in: the results'
least_privilege rows, the HTML bar widths (used / granted as a percentage
of the SVG's 100 units), the PDF dump's rectangles (of 150 points) and the
PDF's text through pdftotext.  NOT_EVALUATED (a failed job, a denied
source) must read as such, never as 0 %.
"""
import hashlib
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "checks", "base", "compliant.json")
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
ACCOUNT = "123456789012"
RECENT = "2026-11-20T09:00:00Z"     # within 90 days of the base's collection (2026-11-27)
OLD = "2024-01-01T00:00:00Z"        # created long before the period
HOSTILE = ["<script>document.title='pwned'</script>", "\"><img src=x onerror=alert(1)>",
           "</style>&amp;", "中文-role"]
FILLERS = 55                         # more than REPORT_LP_MAX_ROWS (50) principals in all

# name -> (services granted, services used within the period; None: the job failed)
PRINCIPALS = {
    "lp-wide": (["s3", "ec2", "sqs", "sns"], ["s3"]),
    "lp-third": (["s3", "ec2", "sqs"], ["s3", "ec2"]),
    "lp-none-used": (["dynamodb", "kms"], []),
    "lp-jobfail": (["s3"], None),
}
PRINCIPALS.update({h: (["s3", "sqs"], ["sqs"]) for h in HOSTILE})
PRINCIPALS.update({"filler-%02d" % i: (["s3"], ["s3"]) for i in range(FILLERS)})
# Roles not used at all within the period: name -> RoleLastUsed.LastUsedDate (None: never).
UNUSED = {"lp-never": None, "lp-stale": "2026-01-05T08:00:00Z"}
ACTION = {"s3": "s3:GetObject", "ec2": "ec2:DescribeInstances", "sqs": "sqs:SendMessage",
          "sns": "sns:Publish", "dynamodb": "dynamodb:GetItem", "kms": "kms:Decrypt"}


def arn(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


def role(name, services, last_used):
    r = {"RoleName": name, "RoleId": "AROA" + hashlib.sha1(name.encode()).hexdigest()[:16].upper(), "Arn": arn(name),
         "Path": "/", "CreateDate": OLD,
         "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
             {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
              "Action": "sts:AssumeRole"}]},
         "RolePolicyList": [{"PolicyName": "work", "PolicyDocument": {
             "Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": [ACTION[s] for s in services], "Resource": "*"}]}}],
         "AttachedManagedPolicies": []}
    if last_used is not None:
        r["RoleLastUsed"] = {"LastUsedDate": last_used, "Region": "us-east-1"}
    return r


def usage(name, used):
    if used is None:
        return {"Arn": arn(name), "type": "role", "status": "error",
                "error": {"code": "JobFailed", "message": "the job FAILED twice: InternalError"}}
    return {"Arn": arn(name), "type": "role", "status": "ok", "JobType": "ACTION_LEVEL",
            "JobCompletionDate": "2026-11-27T10:00:04Z",
            "ServicesLastAccessed": [{"ServiceNamespace": s, "LastAuthenticated": RECENT}
                                     for s in used]}


def snapshot(denied=False):
    snap = json.load(open(BASE))
    ad = snap["sources"]["authorization_details"]["data"]
    la = snap["sources"]["last_accessed"]["data"]["principals"]
    for name, (granted, used) in PRINCIPALS.items():
        ad["roles"].append(role(name, granted, RECENT))
        la.append(usage(name, used))
    for name, last in UNUSED.items():
        ad["roles"].append(role(name, ["s3"], last))
        la.append(usage(name, []))
    if denied:
        snap["sources"]["last_accessed"] = {
            "status": "denied", "api_call": "iam:GenerateServiceLastAccessedDetails", "data": None,
            "error": {"code": "AccessDenied", "http_status": 403,
                      "message": "not authorized to perform iam:GenerateServiceLastAccessedDetails"}}
    return snap


def expected_rows():
    """name -> (granted, used) for every principal LP-03 can judge, ours and the base's."""
    out = {}
    for name, (granted, used) in PRINCIPALS.items():
        if used is not None:
            out[name] = (len(granted), len(set(used) & set(granted)))
    for name in UNUSED:
        out[name] = (1, 0)
    return out


def run(*args):
    r = subprocess.run([IAMGRADE, *args], capture_output=True, timeout=300)
    if r.returncode not in (0, 1):
        raise AssertionError("iamgrade %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                           r.stderr.decode(errors="replace")))
    return r


class Section(html.parser.HTMLParser):
    """The Least privilege section of a page: its bar rows, unused rows, not-evaluated rows, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0          # <section> nesting inside the LP section (0: outside)
        self.table = None       # class of the table we are in
        self.row = None
        self.rows = {"findings lp-usage": [], "findings lp-unused": [], "lp-ne": []}
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and (self.depth or a.get("aria-label") == "Least privilege"):
            self.depth += 1
        if not self.depth:
            return
        if tag == "table":
            self.table = a.get("class", "")
        elif tag == "tr" and self.table is not None:
            self.row = {"cells": [], "bar": None}
        elif tag == "td" and self.row is not None:
            self.row["cells"].append("")
        elif tag == "rect" and self.row is not None and a.get("class") == "seg-pass":
            self.row["bar"] = a.get("width")
        for k, v in a.items():      # no handler, no script from AWS text
            if k.startswith("on"):
                raise AssertionError("handler attribute %s in the section" % k)
        if tag in ("script", "img", "style"):
            raise AssertionError("<%s> in the section" % tag)

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        elif tag == "table":
            self.table = None
        elif tag == "tr" and self.row is not None:
            if self.row["cells"]:
                self.rows.setdefault(self.table, []).append(self.row)
            self.row = None

    def handle_data(self, data):
        if not self.depth:
            return
        self.text.append(data)
        if self.row is not None and self.row["cells"]:
            self.row["cells"][-1] += data


def section(path):
    p = Section()
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    return p


class Rendered(unittest.TestCase):
    """The snapshots rendered once per class: self.f[kind][format] are the files."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lpsec-")
        cls.f = {}
        for kind, denied in (("ok", False), ("denied", True)):
            snap = os.path.join(cls.tmp, "%s.snapshot.json" % kind)
            with open(snap, "w") as fp:
                json.dump(snapshot(denied), fp)
            out = {x: os.path.join(cls.tmp, "%s.%s" % (kind, x)) for x in ("json", "html", "pdf", "dump")}
            run("report", snap, "--json", out["json"], "--html", out["html"], "--pdf", out["pdf"],
                "--dump", out["dump"])
            cls.f[kind] = out
            cls.f[kind]["snapshot"] = snap
        # The summary of the two (same account id twice: two snapshots of one account, side by side).
        cls.f["summary"] = {x: os.path.join(cls.tmp, "summary.%s" % x) for x in ("html", "dump")}
        run("report", cls.f["ok"]["snapshot"], cls.f["denied"]["snapshot"], "--summary",
            "--html", cls.f["summary"]["html"], "--dump", cls.f["summary"]["dump"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


class LeastPrivilege(Rendered):
    def results(self, kind):
        with open(self.f[kind]["json"]) as fp:
            return json.load(fp)["accounts"][0]

    def test_results_rows(self):
        lp = self.results("ok")["least_privilege"]
        got = {p["name"]: (p["services_granted"], p["services_used"]) for p in lp["principals"]}
        for name, want in expected_rows().items():
            self.assertEqual(got.get(name), want, name)
        self.assertNotIn("lp-jobfail", got)
        want_granted = sum(g for g, _ in got.values())
        self.assertEqual(lp["services"]["granted"], want_granted)
        self.assertEqual(lp["services"]["unused"], sum(g - u for g, u in got.values()))
        self.assertEqual(lp["services"]["not_evaluated"], 1)
        self.assertEqual(lp["roles"]["unused"], len(UNUSED))

    def test_html_bars_worst_first_and_bounded(self):
        lp = self.results("ok")["least_privilege"]
        rows = section(self.f["ok"]["html"]).rows["findings lp-usage"]
        self.assertEqual(len(rows), 50, "bounded to REPORT_LP_MAX_ROWS")
        total = len(lp["principals"])
        text = "".join(section(self.f["ok"]["html"]).text)
        self.assertIn("%d more are listed in results.json" % (total - 50), text)
        want = expected_rows()
        shares = []
        for r in rows:
            name = r["cells"][0].split(None, 1)[1]
            name = name[:name.index("arn:aws:iam::")]
            g, u = want.get(name, (None, None)) if name in want else next(
                (p["services_granted"], p["services_used"]) for p in lp["principals"] if p["name"] == name)
            self.assertEqual(r["bar"], "%.1f" % (100.0 * u / g), name)
            self.assertIn("%d of %d service%s used" % (u, g, "" if g == 1 else "s"), r["cells"][1])
            shares.append((g - u) / g)
        self.assertEqual(shares, sorted(shares, reverse=True), "worst unused share first")
        names = [r["cells"][0] for r in rows]
        self.assertTrue(any("lp-none-used" in n for n in names[:3]))
        self.assertTrue(any("lp-wide" in n for n in names))

    def test_unused_roles_with_last_use(self):
        rows = section(self.f["ok"]["html"]).rows["findings lp-unused"]
        got = {r["cells"][0].split(None, 1)[1].split("arn:")[0]: r["cells"][2].strip() for r in rows}
        for name, last in UNUSED.items():
            self.assertEqual(got.get(name), last or "never", name)

    def test_not_evaluated_principal(self):
        p = section(self.f["ok"]["html"])
        ne = [r for r in p.rows["lp-ne"] if arn("lp-jobfail") in r["cells"][0]]
        self.assertEqual(len(ne), 1)
        self.assertEqual(ne[0]["cells"][1].strip(), "?LP-03, LP-04")
        self.assertIn("JobFailed", ne[0]["cells"][2])
        # LP-03 FAILs on others: the share stands, and says what it could not count.
        text = re.sub(r"\s+", " ", "".join(p.text))
        self.assertIn("Unused granted services ", text)
        self.assertRegex(text, r"Unused granted services \d+ of \d+ \(\d+ %\) · 1 not evaluated")

    def test_denied_source_is_not_a_share(self):
        acct = self.results("denied")
        self.assertIsNone(acct["least_privilege"]["services"])
        text = re.sub(r"\s+", " ", "".join(section(self.f["denied"]["html"]).text))
        self.assertIn("Unused granted services ?not evaluated · last_accessed: "
                      "iam:GenerateServiceLastAccessedDetails denied", text)
        self.assertNotIn("Unused granted services 0", text)
        self.assertIn("Unused roles %d of" % len(UNUSED), text)
        dump = open(self.f["denied"]["dump"], encoding="utf-8").read()
        i = dump.index("| Least privilege\n")
        self.assertIn("| NOT EVALUATED: last_accessed", dump[i:])

    def test_pdf_bars(self):
        dump = open(self.f["ok"]["dump"], encoding="utf-8").read()
        sec = dump[dump.index("| Least privilege\n"):]
        sec = sec[:sec.index("| Unused roles and users")]
        want = expected_rows()
        bars = re.findall(r"  \| role (\S+)\nrect [\d.]+,[\d.]+ 150\.0x9\.0 #e3e6eb\n"
                          r"(?:rect [\d.]+,[\d.]+ ([\d.]+)x9\.0 #2e7d32\n)?", sec)
        self.assertGreaterEqual(len(bars), 10)
        for name, w in bars:
            if name not in want:
                continue
            g, u = want[name]
            self.assertAlmostEqual(float(w or 0), 150.0 * u / g, places=1, msg=name)
        pdf = subprocess.run(["pdftotext", "-layout", self.f["ok"]["pdf"], "-"],
                             capture_output=True, check=True).stdout.decode()
        self.assertIn("Least privilege", pdf)
        self.assertIn("1 of 4 services used", pdf)
        self.assertRegex(pdf, r"role lp-never.*\n?.*never")

    def test_summary_shares(self):
        page = open(self.f["summary"]["html"], encoding="utf-8").read()
        ok = self.results("ok")["least_privilege"]
        pct = ok["services"]["unused"] * 100 // ok["services"]["granted"]
        cells = re.sub(r"<[^>]+>", " ", page[page.index('id="t-accounts"'):])
        cells = html.unescape(re.sub(r"\s+", " ", cells))
        self.assertIn("%d %% %d of %d" % (pct, ok["services"]["unused"], ok["services"]["granted"]),
                      cells)
        self.assertIn("? not evaluated", cells)
        roles = ok["roles"]
        self.assertIn("%d %% %d of %d" % (roles["unused"] * 100 // roles["judged"], roles["unused"],
                                          roles["judged"]), cells)
        dump = open(self.f["summary"]["dump"], encoding="utf-8").read()
        i = dump.index("| Least privilege by account")
        self.assertIn("| NOT EVALUATED\n", dump[i:])
        self.assertIn("| %d of %d (%d %%)" % (ok["services"]["unused"], ok["services"]["granted"], pct),
                      dump[i:])


if __name__ == "__main__":
    unittest.main()
