"""The HTML report: well-formed, self-contained, deterministic, safe with hostile text.

Renders the fixtures in tests/report/fixtures/ with `iamgrade report --results`
($IAMGRADE, default ./iamgrade), parses the pages back, and, when Chromium is
installed, loads them headless: screenshots, the DOM after load, console errors,
and a print to PDF.
"""
import base64
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
XMLLINT = shutil.which("xmllint")

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# Elements libxml2's HTML 4 parser does not know but every browser does.
HTML5 = {"article", "aside", "footer", "header", "main", "nav", "section", "svg", "g", "details", "summary",
         "rect", "circle", "text", "tspan", "line", "path", "title", "figure", "figcaption"}
HOSTILE = ["<script>document.title='pwned'</script>",
           "\"><img src=x onerror=\"document.title='pwned'\">",
           "</style>", "&amp;", "&<img src=x onerror=alert(1)>;", "]]>",
           "中文", "العربية", "🙂🔥"]


def fixture(name):
    return os.path.join(FIX, name + ".results.json")


def run(*args, umask=None):
    def pre():
        if umask is not None:
            os.umask(umask)
    return subprocess.run([IAMGRADE, "report", *args], capture_output=True,
                          preexec_fn=pre, timeout=120)


class Page(html.parser.HTMLParser):
    """A strict reading: balanced tags, and everything that could fetch or run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.text = [], [], []
        self.urls, self.tags, self.styles, self.title = [], {}, [], None
        self.scripts, self.csp = [], None
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("href", "src", "xlink:href", "action", "srcset", "poster", "data"):
                self.urls.append(v or "")
            if k.startswith("on"):
                self.problems.append("event handler attribute %s on <%s>" % (k, tag))
            if k == "style":
                self.styles.append(v or "")
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.csp = dict(attrs).get("content")
        if tag == "script":
            self.scripts.append("")
        if tag in ("style", "title", "script"):
            self._in = tag
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        self._in = None
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append("</%s> at %s closes %s" % (tag, self.getpos(),
                                 self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "title":
            self.title = (self.title or "") + data
        elif self._in == "script":
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def close(self):
        super().close()
        if self.stack:
            self.problems.append("unclosed: %s" % self.stack)


with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "templates", "summary.js"), encoding="utf-8") as _f:
    SUMMARY_JS = _f.read()


def only_our_script(test, page):
    """No script but ours (templates/summary.js, on the summary only), and a
    Content-Security-Policy that allows it by its hash and nothing else."""
    test.assertIn(page.scripts, ([], [SUMMARY_JS]))
    if page.scripts:
        digest = base64.b64encode(hashlib.sha256(SUMMARY_JS.encode()).digest()).decode()
        test.assertIsNotNone(page.csp)
        test.assertIn("default-src 'none'", page.csp)
        test.assertIn("script-src 'sha256-%s';" % digest, page.csp)


def parse(data):
    p = Page()
    p.feed(data.decode("utf-8"))
    p.close()
    p.alltext = re.sub(r"\s+", " ", "".join(p.text))
    return p


class Rendered(unittest.TestCase):
    """Each fixture renders, parses back cleanly and holds what it must."""

    CASES = {
        "sample": ([fixture("sample")], []),
        "hostile": ([fixture("hostile")], []),
        "hostile-compare": ([fixture("hostile")], ["--summary"]),
        "multi": ([fixture("multi")], []),
        "multi-detail": ([fixture("multi")], ["--detail"]),
        "multi-baseline": ([fixture("multi")], ["--baseline", fixture("baseline")]),
        "sample-baseline": ([fixture("sample")], ["--baseline", fixture("sample")]),
    }

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-html-")
        cls.out = {}
        for name, (inputs, extra) in cls.CASES.items():
            path = os.path.join(cls.tmp, name + ".html")
            r = run("--results", inputs[0], *extra, "--html", path)
            if r.returncode != 0:
                raise AssertionError("%s: exit %d: %s" % (name, r.returncode, r.stderr.decode()))
            with open(path, "rb") as f:
                cls.out[name] = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_parses_cleanly(self):
        for name, data in self.out.items():
            with self.subTest(name):
                self.assertTrue(data.startswith(b"<!DOCTYPE html>"), data[:40])
                page = parse(data)
                self.assertEqual(page.problems, [])
                self.assertIn("utf-8", data[:400].decode().lower())

    @unittest.skipUnless(XMLLINT, "xmllint (libxml2-utils) not installed")
    def test_xmllint_finds_no_error(self):
        for name in self.out:
            with self.subTest(name):
                r = subprocess.run([XMLLINT, "--html", "--noout",
                                    os.path.join(self.tmp, name + ".html")],
                                   capture_output=True, timeout=60)
                errors = [line for line in r.stderr.decode("utf-8", "replace").splitlines()
                          if "parser error" in line or "parser warning" in line]
                real = [e for e in errors
                        if not (m := re.search(r"Tag (\w+) invalid", e)) or m.group(1) not in HTML5]
                self.assertEqual(real, [])

    def test_self_contained(self):
        for name, data in self.out.items():
            with self.subTest(name):
                page = parse(data)
                self.assertEqual([u for u in page.urls if not u.startswith("#")], [])
                for s in page.styles:
                    self.assertNotRegex(s, r"url\(\s*['\"]?(?!#)", "url() in a style")
                    self.assertNotIn("@import", s)
                    self.assertNotIn("@font-face", s)
                for tag in ("link", "img", "iframe", "object", "embed", "base", "form"):
                    self.assertNotIn(tag, page.tags, "<%s> in the page" % tag)
                only_our_script(self, page)
                self.assertEqual(page.problems, [])

    def test_failing_controls_and_accounts_present(self):
        for name, (inputs, _) in self.CASES.items():
            with self.subTest(name):
                with open(inputs[0], encoding="utf-8") as f:
                    doc = json.load(f)
                text = parse(self.out[name]).alltext
                for acct in doc["accounts"]:
                    self.assertIn(acct["account_id"], text)
                    for c in acct["controls"]:
                        if c["status"] == "FAIL":
                            self.assertIn(c["id"], text)

    def test_single_account_content(self):
        text = parse(self.out["sample"]).alltext
        for want in (
                "123456789012", "acme-prod", "Production", "2026-11-27 10:00:09 UTC",
                "2 minutes", "0.1.0",
                "224fefbac765345059aea0b5fb5a16527f71573941723b3d380fd52e74420f4b",
                "39", "28 of 30 controls evaluated", "CIS 1.14", "IAM.3",
                # remediation in three forms, with the resource filled in
                "aws iam update-access-key --user-name legacy-etl --access-key-id AKIAIOSFODNN7LEGACY6",
                "iam.update_access_key(UserName='alice'", "IAM > Users > alice",
                # NOT_EVALUATED with the reason and the missing permission
                "Permission needed: cloudtrail:DescribeTrails", "Not applicable",
                # CreateRole events: creator, time, source IP, user agent, trust policy
                "arn:aws:iam::123456789012:user/build-bot", "2026-11-24 02:03:58 UTC",
                "185.220.101.4", "python-requests/2.31.0", "Failed: AccessDenied",
                '"sts:AssumeRoleWithWebIdentity"',
                # thresholds used
                "Minimum password length", "14 characters", "111122223333"):
            self.assertIn(want, text)
        page = self.out["sample"].decode()
        # the trust policy is pretty-printed in a <pre>, not squeezed on one line
        self.assertRegex(page, r'<pre>\{\n  "Version": "2012-10-17",\n  "Statement": \[\n')
        # failing controls are ordered by severity: ROLE-01 (critical) first
        first = re.search(r'<article class="control" id="([^"]+)"', page).group(1)
        self.assertEqual(first, "c-123456789012-ROLE-01")
        self.assertNotIn("Since the baseline", text)

    def test_comparison_content(self):
        text = parse(self.out["multi"]).alltext
        page = self.out["multi"].decode()
        self.assertIn("IAM comparison: 4 accounts", text)
        # accounts worst first, the unreachable one (no score) ahead of all
        order = re.findall(r'<tr id="acct-(\d+)"', page)
        self.assertEqual(order, ["444444444444", "222222222222", "111111111111", "333333333333"])
        self.assertIn("account unreachable: sts:AssumeRole denied", text)
        self.assertIn("2 of 4", text)            # USER-05 and ROLE-02 fail in two accounts
        for kind in ("wildcard trust", "trusts an account outside the organization",
                     "OIDC trust without subject or audience"):
            self.assertIn(kind, text)
        # every control row has one cell per account
        rows = re.findall(r'<tr>\s*<th scope="row" class="ctl">(.*?)</tr>', page, re.S)
        self.assertEqual(len(rows), 30)
        for row in rows:
            self.assertEqual(len(re.findall(r'<td class="cell ', row)), 4)
        self.assertNotIn("Changes since the baseline", text)

    def test_baseline_content(self):
        text = parse(self.out["multi-baseline"]).alltext
        page = self.out["multi-baseline"].decode()
        self.assertIn("Changes since the baseline", text)
        self.assertIn("\u22125 from 61 (D)", text)       # dev's score fell by 5
        self.assertIn("1 fixed", text)                  # carol's key in prod
        self.assertRegex(page, r'class="cell cell-fail change-new"')
        self.assertIn("1 new, 0 fixed, 0 unchanged findings", text)
        # the changes table: exactly the new failure and the fixed finding, new first
        changes = page.split("Changes since the baseline</h2>")[1].split("</table>")[0]
        self.assertEqual(re.findall(r'<span class="chg (change-\w+)">', changes),
                         ["change-new", "change-unchanged"])
        self.assertRegex(changes, r'new: <span class="mono">contractor</span>')
        self.assertRegex(changes, r'fixed: <span class="mono">carol</span>')
        # the same run as its own baseline: nothing new, nothing fixed
        text = parse(self.out["sample-baseline"]).alltext
        self.assertIn("Since the baseline", text)
        self.assertIn("\u00b10", text)
        self.assertIn("0 new, 0 fixed and 27 unchanged findings", text)

    def test_detail_of_several(self):
        page = self.out["multi-detail"].decode()
        self.assertEqual(re.findall(r'<article class="account" id="acct-(\d+)"', page),
                         ["444444444444", "222222222222", "111111111111", "333333333333"])
        self.assertIn("IAM report: 4 accounts", page)

    def test_hostile_text_stays_text(self):
        for name in ("hostile", "hostile-compare"):
            with self.subTest(name):
                page = parse(self.out[name])
                for s in HOSTILE:
                    self.assertTrue(s in page.alltext, "%r is not in the page's text" % s)
                self.assertNotIn("img", page.tags)
                only_our_script(self, page)
                self.assertNotIn("pwned", page.title)
                for s in page.styles:
                    self.assertNotIn("pwned", s)

    def test_byte_identical(self):
        for name, (inputs, extra) in self.CASES.items():
            with self.subTest(name):
                r = run("--results", inputs[0], *extra, "--html", "-")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout, self.out[name])


class Files(unittest.TestCase):
    """How reports are written, and how bad input is refused."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="iamgrade-html-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def test_mode_follows_umask(self):
        for umask, mode in ((0o022, 0o644), (0o027, 0o640), (0o077, 0o600)):
            with self.subTest(umask=oct(umask)):
                out = self.path("r%o.html" % umask)
                r = run("--results", fixture("sample"), "--html", out, umask=umask)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(os.stat(out).st_mode & 0o777, mode)
        # The results document is private, like the snapshots it grades.
        out = self.path("r.json")
        r = run("--results", fixture("sample"), "--json", out, umask=0o022)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["r.json", "r22.html", "r27.html", "r77.html"])

    def test_replaces_atomically(self):
        out = self.path("r.html")
        with open(out, "w") as f:
            f.write("old")
        ino = os.stat(out).st_ino
        r = run("--results", fixture("sample"), "--html", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(os.stat(out).st_ino, ino)      # a new file renamed over
        self.assertEqual(os.listdir(self.tmp), ["r.html"])  # no temporary left

    def expect_refusal(self, args, *words):
        outdir = self.path("out")
        os.makedirs(outdir, exist_ok=True)
        out = os.path.join(outdir, "r.html")
        with open(out, "w") as f:
            f.write("earlier run")
        r = run(*args, "--html", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        err = r.stderr.decode()
        for w in words:
            self.assertIn(w, err)
        with open(out) as f:
            self.assertEqual(f.read(), "earlier run")          # untouched
        self.assertEqual(os.listdir(outdir), ["r.html"])
        return err

    def test_bad_inputs(self):
        notjson = self.path("notjson.json")
        with open(notjson, "w") as f:
            f.write("{ not json")
        wrong = self.path("wrong.json")
        with open(wrong, "w") as f:
            json.dump({"schema": "iamgrade.results/9", "accounts": []}, f)
        broken = self.path("broken.json")
        with open(fixture("sample"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["accounts"][0]["controls"][3]["status"] = "MAYBE"
        with open(broken, "w") as f:
            json.dump(doc, f)
        self.expect_refusal(["--results", notjson], notjson, "not JSON")
        self.expect_refusal(["--results", wrong], wrong, "iamgrade.results/9", "iamgrade.results/1")
        self.expect_refusal(["--results", broken], broken, "PWD-04", "status")
        self.expect_refusal(["--results", self.path("missing.json")], "missing.json")
        self.expect_refusal(["--results", fixture("multi"), "--baseline", wrong], wrong)
        self.expect_refusal([fixture("sample")], fixture("sample"), "--results")

    def test_usage_errors(self):
        self.expect_refusal(["--results", fixture("sample"), "--frobnicate"], "--frobnicate")
        self.expect_refusal(["--results", fixture("sample"), "--summary", "--detail"], "exclude")
        self.expect_refusal([], "no input")
        r = run("--results", fixture("sample"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing to write", r.stderr.decode())
        r = run("--results", fixture("sample"), "--html", self.path("a"), "--html", self.path("b"))
        self.assertEqual(r.returncode, 2)
        self.assertFalse(os.path.exists(self.path("a")) or os.path.exists(self.path("b")))
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--baseline", r.stdout.decode())


@unittest.skipUnless(CHROMIUM, "chromium not installed (make deps)")
class Browser(unittest.TestCase):
    """What a browser makes of the pages: no script runs, no error, it draws."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--virtual-time-budget=1000",
             "--enable-logging=stderr", "--v=0"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iamgrade-chromium-")
        cls.pages = {}
        for name, args in (("sample", ["--results", fixture("sample")]),
                           ("multi", ["--results", fixture("multi"), "--baseline", fixture("baseline")]),
                           ("hostile", ["--results", fixture("hostile")]),
                           ("hostile-compare", ["--results", fixture("hostile"), "--summary"])):
            path = os.path.join(cls.tmp, name + ".html")
            r = run(*args, "--html", path)
            if r.returncode != 0:
                raise AssertionError(r.stderr.decode())
            cls.pages[name] = path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def chromium(self, page, *args):
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.tmp)
        try:
            r = subprocess.run([CHROMIUM, *self.FLAGS, "--user-data-dir=" + profile, *args,
                                "file://" + page], capture_output=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        err = r.stderr.decode("utf-8", "replace")
        self.assertNotRegex(err, r"Uncaught|CONSOLE")
        return r, err

    def dom(self, name):
        r, _ = self.chromium(self.pages[name], "--dump-dom")
        self.assertEqual(r.returncode, 0)
        return r.stdout

    def test_hostile_runs_no_script(self):
        for name in ("hostile", "hostile-compare"):
            with self.subTest(name):
                dom = self.dom(name)
                page = parse(dom)
                self.assertEqual(page.problems, [])
                self.assertNotIn("pwned", page.title)
                self.assertTrue(page.title.startswith("IAM "), page.title)
                self.assertIn("hostile-中文", page.title if name == "hostile" else page.alltext)
                for s in HOSTILE:
                    self.assertTrue(s in page.alltext, "%r is not in the DOM's text" % s)
                self.assertNotIn("img", page.tags)
                only_our_script(self, page)

    def test_screenshots(self):
        for name in ("sample", "multi"):
            with self.subTest(name):
                png = os.path.join(self.tmp, name + ".png")
                r, _ = self.chromium(self.pages[name], "--window-size=1280,2000",
                                     "--screenshot=" + png)
                self.assertEqual(r.returncode, 0)
                with open(png, "rb") as f:
                    head = f.read(24)
                self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
                self.assertEqual(int.from_bytes(head[16:20], "big"), 1280)
                self.assertGreater(os.path.getsize(png), 20000)   # not a blank page

    @unittest.skipUnless(shutil.which("pdftotext"), "poppler-utils not installed")
    def test_prints(self):
        pdf = os.path.join(self.tmp, "sample.pdf")
        r, _ = self.chromium(self.pages["sample"], "--no-pdf-header-footer", "--print-to-pdf=" + pdf)
        self.assertEqual(r.returncode, 0)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                              timeout=60).stdout.decode()
        for want in ("acme-prod", "USER-05", "Failing controls", "Thresholds used"):
            self.assertIn(want, text)
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, timeout=60).stdout.decode()
        self.assertGreater(int(re.search(r"Pages:\s+(\d+)", info).group(1)), 3)


if __name__ == "__main__":
    unittest.main()
