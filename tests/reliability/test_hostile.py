"""Strings from AWS in every output of a real run.  The bed's "hostile"
account (relutil.seed_hostile) carries markup, spreadsheet formulas and
terminal escapes in its Organizations account name, alias, user agents,
source IPs, CreateRole error messages, policy statements and role names;
`iamgrade run --organization` over the whole organization must keep them
text in HTML (strictly parsed here, and in Chromium through
tests/report/test_html.py's helpers), neutralise formulas in CSV, and
print no escape sequence to a terminal or in text output."""
import csv
import html
import io
import os
import re
import subprocess
import threading
import time
import unittest

import relutil
from relutil import th

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def visible(s):
    """s as a renderer that drops control characters shows it."""
    return "".join(c for c in s if c in "\t\n" or (ord(c) >= 0x20 and ord(c) != 0x7f))


# What each test checks, for docs/reliability.md ("hostile").
CHECKS = {
    "test_html_keeps_markup_as_text": ("HTML (summary, the account's page)",
                                       "parses strictly; no `<script>`, `<img>`, `<b>` or handler from AWS text; "
                                       "the text shows as text; no ESC byte"),
    "test_html_in_chromium": ("HTML in Chromium (--dump-dom)", "the same, in the DOM after load"),
    "test_pdf_holds_the_text": ("PDF (summary, the account's)", "qpdf --check; the strings as text; no ESC"),
    "test_csv_neutralises_formulas": ("findings.csv of the run",
                                      "no field starts with `=` `+` `-` `@` tab CR; the alias is `'=hostile-alias`"),
    "test_check_csv_neutralises_formulas": ("iamgrade check --format csv", "the same"),
    "test_check_text_has_no_escape": ("iamgrade check (text, and --color)",
                                      "no ESC but its own colour codes; the strings shown"),
    "test_single_account_run_text": ("iamgrade run of one account (text report on stdout)", "no ESC"),
    "test_run_prints_no_escape": ("iamgrade run --verbose, stdout and stderr", "no ESC; the account's name shown"),
    "test_run_on_a_terminal": ("iamgrade run on a terminal (progress line)", "no ESC but `ESC [K`"),
    "test_collect_debug_has_no_escape": ("iamgrade collect --debug", "no ESC"),
    "test_bidi_shown_in_every_output": ("HTML, PDF, findings.csv, check text and CSV",
                                        "a role named with U+202E, U+2066, U+200B, U+FEFF, U+061C, U+200F "
                                        "shows as `admin<U+202E>gnp.exe...`; no bidi or zero-width "
                                        "character anywhere in the output"),
    "test_bidi_in_chromium": ("HTML in Chromium (--dump-dom)", "the role's name is shown by code point"),
}


class HostileRun(unittest.TestCase):
    FLAGS = th.Browser.FLAGS      # for th.Browser.chromium, called with this case as self
    passed = set()

    @classmethod
    def tearDownClass(cls):
        rows = [[what, check, "kept" if name in cls.passed else "BROKEN (or skipped)"]
                for name, (what, check) in CHECKS.items()]
        relutil.write_section("hostile", HOSTILE_DOC_HEAD + relutil.md_table(
            ["output", "checked", "guarantee"], rows))

    def tearDown(self):
        # unittest's record so far: no error, failure or skip of this test or its subtests.
        res = self._outcome.result
        if not [t for t, _ in res.errors + res.failures + res.skipped
                if t is self or getattr(t, "test_case", None) is self]:
            self.passed.add(self._testMethodName)

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.sh.quiesce()
        cls.acct = cls.sh.accounts["hostile"]
        cls.org = cls.sh.run(None, "--verbose")
        if cls.org.rc not in (0, 1) or cls.org.dir is None:
            raise AssertionError("the hostile run failed: " + cls.org.describe())
        cls.snapshot = os.path.join(cls.org.dir, "snapshots", cls.acct + ".json")

    def path(self, *rel):
        return os.path.join(self.org.dir, *rel)

    def read(self, *rel):
        with open(self.path(*rel), "rb") as f:
            return f.read()

    def assertNoEscape(self, data, what):
        at = data.find(b"\x1b")
        self.assertEqual(at, -1, f"{what} holds an ESC: {data[max(0, at - 60):at + 60]!r}")

    # --- HTML ---

    def check_page(self, page, what, texts):
        self.assertEqual(page.problems, [], what)
        for tag in ("img", "b", "iframe", "object"):
            self.assertNotIn(tag, page.tags, f"{what}: AWS text became a <{tag}>")
        # The one script a page may hold is ours (the summary's, allowed by its
        # hash): any other <script> is AWS text that became markup.
        th.only_our_script(self, page)
        self.assertNotIn("pwned", page.title or "")
        for s in page.styles:
            self.assertNotIn("pwned", s)
        for t in texts:
            self.assertIn(visible(t), page.alltext, f"{what}: {t!r} is not in the page's text")

    def test_html_keeps_markup_as_text(self):
        account_texts = [relutil.HOSTILE_ACCOUNT_NAME, relutil.HOSTILE_ALIAS, relutil.HOSTILE_AGENT,
                         relutil.IMG, relutil.FAILED_MESSAGE, relutil.INJECTED_ROLE]
        for rel, texts in ((("accounts", self.acct + ".html"), account_texts),
                           (("summary.html",), [relutil.HOSTILE_ALIAS])):
            with self.subTest(rel[-1]):
                data = self.read(*rel)
                self.assertNoEscape(data, rel[-1])
                self.check_page(th.parse(data), rel[-1], texts)

    @unittest.skipUnless(th.CHROMIUM, "chromium not installed (make deps)")
    def test_html_in_chromium(self):
        self.tmp = self.sh.mkdtemp("chromium-")   # th.Browser.chromium keeps its profile there
        for rel in (("accounts", self.acct + ".html"), ("summary.html",)):
            with self.subTest(rel[-1]):
                r, _ = th.Browser.chromium(self, self.path(*rel), "--dump-dom")
                self.assertEqual(r.returncode, 0)
                page = th.parse(r.stdout)
                self.check_page(page, "DOM of " + rel[-1], [relutil.HOSTILE_ALIAS])
                self.assertTrue(page.title.startswith("IAM "), page.title)

    # --- PDF ---

    def test_pdf_holds_the_text(self):
        if not relutil.PDFTOTEXT or not relutil.QPDF:
            self.skipTest("poppler-utils or qpdf not installed (make deps)")
        for rel in (("accounts", self.acct + ".pdf"), ("summary.pdf",)):
            with self.subTest(rel[-1]):
                q = subprocess.run([relutil.QPDF, "--check", self.path(*rel)], capture_output=True)
                self.assertEqual(q.returncode, 0, q.stdout)
                text = relutil.pdf_text(self.path(*rel))
                self.assertNotIn("\x1b", text)
                self.assertIn(relutil.HOSTILE_ALIAS, text)
        text = relutil.pdf_text(self.path("accounts", self.acct + ".pdf"))
        for t in (relutil.HOSTILE_ACCOUNT_NAME, relutil.HOSTILE_AGENT, relutil.IMG):
            self.assertIn(visible(t), text)

    # --- CSV ---

    def test_csv_neutralises_formulas(self):
        data = self.read("findings.csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        bad = [(i, f) for i, row in enumerate(rows) for f in row if f.startswith(FORMULA_START)]
        self.assertEqual(bad, [], "fields a spreadsheet would run")
        mine = [r for r in rows[1:] if r[0] == self.acct]
        self.assertTrue(mine)
        # The hostile values did reach the CSV, neutralised or inside a field.
        self.assertEqual({r[1] for r in mine}, {"'" + relutil.HOSTILE_ALIAS})
        resources = {r[5] for r in mine}
        for name in relutil.FORMULA_ROLES + [relutil.INJECTED_ROLE]:
            self.assertIn(f"arn:aws:iam::{self.acct}:role/{name}", resources)

    def test_check_csv_neutralises_formulas(self):
        p = subprocess.run([relutil.IAMGRADE, "check", "--format", "csv", self.snapshot], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"), newline="")))
        self.assertEqual([f for row in rows for f in row if f.startswith(FORMULA_START)], [])
        self.assertIn("'" + relutil.HOSTILE_ALIAS, {r[1] for r in rows[1:]})

    # --- bidirectional and invisible characters (issue 12 item 7) ---

    def assertShown(self, text, what):
        self.assertTrue(relutil.BIDI_SHOWN in text, f"{what}: the role's name is not shown by code point")
        hidden = sorted({f"U+{ord(c):04X}" for c in text if c in relutil.BIDI_CHARS})
        self.assertEqual(hidden, [], f"{what}: holds invisible characters")

    def test_bidi_shown_in_every_output(self):
        with self.subTest("account html"):
            data = self.read("accounts", self.acct + ".html")
            self.assertShown(th.parse(data).alltext, "account HTML's text")
            self.assertShown(html.unescape(data.decode("utf-8")), "account HTML's source")
        with self.subTest("findings.csv"):
            self.assertShown(self.read("findings.csv").decode("utf-8"), "findings.csv")
        if relutil.PDFTOTEXT:
            for rel in (("accounts", self.acct + ".pdf"),):
                with self.subTest(rel[-1]):
                    self.assertShown(relutil.pdf_text(self.path(*rel)), rel[-1])
        for fmt in ("text", "csv"):
            with self.subTest("check " + fmt):
                p = subprocess.run([relutil.IAMGRADE, "check", "--format", fmt, self.snapshot],
                                   capture_output=True)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertShown(p.stdout.decode("utf-8"), "check --format " + fmt)
        # results.json is data, not display: it keeps what AWS sent.
        acct = [a for a in self.org.results()["accounts"] if a["account_id"] == self.acct][0]
        self.assertIn(relutil.BIDI_ROLE, [e["role_name"] for e in acct["create_role_events"]])

    @unittest.skipUnless(th.CHROMIUM, "chromium not installed (make deps)")
    def test_bidi_in_chromium(self):
        self.tmp = self.sh.mkdtemp("chromium-")
        r, _ = th.Browser.chromium(self, self.path("accounts", self.acct + ".html"), "--dump-dom")
        self.assertEqual(r.returncode, 0)
        self.assertShown(th.parse(r.stdout).alltext, "DOM of the account page")

    # --- text and terminal ---

    def test_run_prints_no_escape(self):
        self.assertNoEscape(self.org.stdout, "run's standard output")
        self.assertNoEscape(self.org.stderr, "run's standard error (--verbose)")
        self.assertIn(visible(relutil.HOSTILE_ACCOUNT_NAME), self.org.stderr.decode("utf-8"),
                      "the hostile account's progress line is missing")

    def test_check_text_has_no_escape(self):
        p = subprocess.run([relutil.IAMGRADE, "check", self.snapshot], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNoEscape(p.stdout + p.stderr, "check's text output")
        out = p.stdout.decode("utf-8")
        for t in (relutil.HOSTILE_ACCOUNT_NAME, relutil.INJECTED_ROLE, relutil.FORMULA_ROLES[0]):
            self.assertIn(visible(t), out)
        p = subprocess.run([relutil.IAMGRADE, "check", "--color", self.snapshot], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"\x1b[", p.stdout, "--color printed no colour: the check below tests nothing")
        self.assertNoEscape(SGR.sub(b"", p.stdout), "check --color's output, colours aside")

    def test_single_account_run_text(self):
        """A run of one account prints the text report on standard output."""
        d = self.sh.mkdtemp("one-")
        accounts = os.path.join(d, "accounts.csv")
        with open(accounts, "w") as f:
            f.write("account_id,name,role_arn\n")
            f.write(f"{self.acct},hostile,arn:aws:iam::{self.acct}:role/{relutil.ROLE}\n")
        self.sh.space()
        p = subprocess.run([relutil.IAMGRADE, "run", "--accounts", accounts, "--out", os.path.join(d, "out"),
                            "--no-pdf", "--report-wait", "5"], env=self.sh.env(), capture_output=True)
        self.sh.last_run = time.monotonic()
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn(visible(relutil.INJECTED_ROLE), p.stdout.decode("utf-8"))
        self.assertNoEscape(p.stdout + p.stderr, "a one-account run's output")

    def test_collect_debug_has_no_escape(self):
        self.sh.space()
        p = subprocess.run([relutil.IAMGRADE, "collect", "--debug", "--report-wait", "5",
                            "--role-arn", f"arn:aws:iam::{self.acct}:role/{relutil.ROLE}",
                            "--out", self.sh.mkdtemp("collect-")], env=self.sh.env(), capture_output=True)
        self.sh.last_run = time.monotonic()
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertNoEscape(p.stdout + p.stderr, "collect --debug's output")

    def test_run_on_a_terminal(self):
        """On a terminal the progress line redraws with ESC [K; nothing else may pass."""
        master, slave = os.openpty()
        chunks = []

        def drain():
            while True:
                try:
                    b = os.read(master, 65536)
                except OSError:
                    return
                if not b:
                    return
                chunks.append(b)
        t = threading.Thread(target=drain)
        t.start()
        self.sh.space()
        try:
            p = subprocess.run(self.sh.run_args(self.sh.mkdtemp("tty-"), "--no-pdf"), env=self.sh.env(),
                               stdout=subprocess.PIPE, stderr=slave, timeout=300)
        finally:
            self.sh.last_run = time.monotonic()
            os.close(slave)
            t.join(timeout=10)
            os.close(master)
        data = b"".join(chunks)
        self.assertIn(p.returncode, (0, 1))
        self.assertIn(b"\x1b[K", data, "no progress line on the terminal: the check below tests nothing")
        self.assertNoEscape(data.replace(b"\x1b[K", b""), "the terminal's progress output")


HOSTILE_DOC_HEAD = """\
Generated by `tests/reliability/test_hostile.py`: one `iamgrade run
--organization` over the bed's organization, whose "hostile" account has an
Organizations name with an OSC/CSI escape sequence, `<b>` and a formula;
the alias `=hostile-alias`; roles named `=1+2`, `+cmd`, `-3+4`, `@SUM`;
CreateRole calls whose user agent holds escapes and `<script>`; a recorded
CreateRole of a role named `=cmd|' /C calc'!A0` from a source IP
`"><img src=x onerror=...>`; a recorded CreateRole of a role whose name holds
bidirectional controls and zero-width characters (U+202E, U+2066, U+200B,
U+FEFF, U+061C, U+200F); a refused one whose error message holds all of
these; and a policy statement whose Sid does.  Control characters are
dropped from HTML, PDF and terminal text; bidirectional, zero-width and
other invisible format characters are shown by code point (`<U+202E>`,
common/common.c str_show_invisible); the rest stays text.

"""


if __name__ == "__main__":
    unittest.main()
