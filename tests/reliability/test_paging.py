"""A hostile AWS: paging the server gets wrong, answers that never come, and
an Organizations listing nobody should trust.  The bed plays each one
(tests/bed/README.md: page_repeat, page_alternate, page_endless,
hang_headers, hang_silent, /_bed/list_accounts) against one account of the
shared six-account organization; each test runs `iamgrade run
--organization` and asserts the exact outcome -- the source's status, code
and message, the exit status -- and that every other account is collected
complete and graded.  The outcome goes into docs/reliability.md ("paging").
"""
import os
import re
import subprocess
import time
import unittest

import relutil
from relutil import md_table


class Paging(unittest.TestCase):
    rows = []

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.target = cls.sh.accounts["development"]

    @classmethod
    def tearDownClass(cls):
        cls.sh.bed.ctl("list_accounts", {"extra": []})
        if cls.rows:
            relutil.write_section("paging", PAGING_DOC_HEAD + md_table(
                ["misbehaviour", "bed rule", "exit", "seconds", "outcome", "other accounts", "guarantee"],
                cls.rows))

    def setUp(self):
        self.sh.quiesce()
        self.sh.bed.ctl("list_accounts", {"extra": []})

    def run_with(self, rules, *extra, **env):
        self.sh.bed.set_faults(rules)
        try:
            return self.sh.run(None, "--no-pdf", *extra, env=self.sh.env(**env))
        finally:
            self.sh.bed.clear_faults()

    def others_graded(self, r, skip):
        """Every account but skip complete in run.json and graded in results.json."""
        m = r.manifest()
        ids = {a["account_id"] for a in m["accounts"]}
        self.assertEqual(ids, set(self.sh.accounts.values()), "run.json lists other accounts")
        graded = {a["account_id"]: a for a in r.results()["accounts"]}
        for a in m["accounts"]:
            if a["account_id"] == skip:
                continue
            self.assertTrue(a["complete"], f"{a['account_id']} incomplete: {a.get('error')}")
            self.assertIn(a["account_id"], graded, f"{a['account_id']} not graded")
        return f"{len(ids) - 1} of {len(ids) - 1} complete and graded"

    def source_case(self, what, action, kind, source, status, code, extra=(), env=None,
                    pad=0, message=None):
        rule = {"account": self.target, "action": action, "kind": kind}
        if pad:
            rule["pad_bytes"] = pad
        r = self.run_with([rule], *extra, **(env or {}))
        self.assertEqual(r.rc, 3, r.describe())
        snap = r.snapshot(self.target)
        self.assertIsNotNone(snap, "no snapshot of the misbehaving account: " + r.describe())
        src = snap["sources"][source]
        msg = src.get("error", {}).get("message", "")
        self.assertEqual((src["status"], src.get("error", {}).get("code")), (status, code), src)
        self.assertEqual(src["api_call"], action)
        if status == "partial" or code == "PaginationLoop":
            self.assertIn(action, msg, "the message names the call")
        if message:
            self.assertRegex(msg, message)
        if status == "partial":
            self.assertIn("data", src, "a partial source keeps what was read")
        self.assertFalse(snap["collection"]["complete"])
        self.assertTrue(any(p.startswith(source + ":") for p in snap["collection"]["problems"]),
                        snap["collection"]["problems"])
        others = self.others_graded(r, self.target)
        rule_s = f"{kind} on {action}" + (f", {pad // 1024} KiB a page" if pad else "") + \
            "".join(f", {k}={v}" for k, v in (env or {}).items()) + (" " + " ".join(extra) if extra else "")
        self.rows.append([what, rule_s, r.rc, f"{r.seconds:.1f}",
                          f"{source}: {status} {code}", others, "kept"])
        return r, src

    # --- pagination guards ---

    def test_iam_alternating_markers(self):
        self.source_case("IAM markers in turn (A, B, A)", "iam:ListVirtualMFADevices", "page_alternate",
                         "virtual_mfa_devices", "error", "PaginationLoop", message=r'"bed-A"')

    def test_iam_repeated_marker(self):
        self.source_case("IAM marker repeated", "iam:GetAccountAuthorizationDetails", "page_repeat",
                         "authorization_details", "error", "PaginationLoop", message=r'"bed-loop"')

    def test_iam_endless_pages(self):
        _, src = self.source_case("IAM pages for ever", "iam:ListAccountAliases", "page_endless",
                                  "account_aliases", "partial", "PageLimit",
                                  env={"IAMGRADE_MAX_PAGES": "25"}, message="cap of 25 pages")
        self.assertEqual(src["data"]["aliases"], [])

    def test_iam_oversized_pages(self):
        self.source_case("IAM pages of 256 KiB for ever", "iam:GetAccountAuthorizationDetails",
                         "page_endless", "authorization_details", "partial", "ByteLimit",
                         env={"IAMGRADE_MAX_SOURCE_BYTES": str(2 << 20)}, pad=256 << 10,
                         message=r"cap of 2097152 bytes")

    def test_cloudtrail_repeated_token(self):
        self.source_case("CloudTrail NextToken repeated", "cloudtrail:LookupEvents", "page_repeat",
                         "create_role_events", "error", "PaginationLoop", message=r'"bed-loop"')

    def test_cloudtrail_alternating_tokens(self):
        self.source_case("CloudTrail NextTokens in turn", "cloudtrail:LookupEvents", "page_alternate",
                         "create_role_events", "error", "PaginationLoop", message=r'"bed-A"')

    def test_cloudtrail_endless_pages(self):
        self.source_case("CloudTrail pages for ever", "cloudtrail:LookupEvents", "page_endless",
                         "create_role_events", "partial", "PageLimit",
                         env={"IAMGRADE_MAX_PAGES": "4"}, message="cap of 4 pages")

    def test_organizations_alternating_tokens(self):
        r = self.run_with([{"account": self.sh.management, "action": "organizations:ListAccounts",
                            "kind": "page_alternate"}])
        err = r.stderr.decode("utf-8", "replace")
        self.assertEqual(r.rc, 3, r.describe())
        self.assertRegex(err, r"organizations:ListAccounts: .*\"bed-A\".*\(PaginationLoop\)")
        self.assertIsNone(r.dir, "a run folder for an account list that could not be read")
        self.rows.append(["Organizations NextTokens in turn", "page_alternate on organizations:ListAccounts",
                          r.rc, f"{r.seconds:.1f}", "run error naming organizations:ListAccounts, PaginationLoop",
                          "none collected: the list is unknown", "kept"])

    # --- answers that never come ---

    def hang_case(self, kind):
        t0 = time.monotonic()
        _, src = self.source_case(f"{'headers, then no body' if kind == 'hang_headers' else 'no answer at all'}"
                                  " (--timeout 2, AWS_MAX_ATTEMPTS=2)",
                                  "iam:GetAccountSummary", kind, "account_summary", "error", "Timeout",
                                  extra=("--timeout", "2"), env={"AWS_MAX_ATTEMPTS": "2"})
        self.assertLess(time.monotonic() - t0, 120)

    def test_hang_after_headers(self):
        self.hang_case("hang_headers")

    def test_hang_silent(self):
        self.hang_case("hang_silent")

    def test_collect_timeout(self):
        """collect takes --timeout like run: the hanging answer is a Timeout for its source."""
        acct = self.sh.management
        self.sh.bed.set_faults([{"account": acct, "action": "iam:GetAccountSummary", "kind": "hang_headers"}])
        out = self.sh.mkdtemp("collect-")
        self.sh.space()
        t0 = time.monotonic()
        try:
            p = subprocess.run([relutil.IAMGRADE, "collect", "--timeout", "1", "--report-wait", "5",
                                "--out", out], env=self.sh.env(AWS_MAX_ATTEMPTS="1"), capture_output=True,
                               timeout=120)
        finally:
            self.sh.last_run = time.monotonic()
            self.sh.bed.clear_faults()
        took = time.monotonic() - t0
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 3, err)
        snap = relutil.load_json(os.path.join(out, acct + ".json"))
        src = snap["sources"]["account_summary"]
        self.assertEqual((src["status"], src["error"]["code"]), ("error", "Timeout"), src)
        self.assertIn("account_summary: iam:GetAccountSummary error: Timeout", err)
        bad = subprocess.run([relutil.IAMGRADE, "collect", "--timeout", "0", "--out", out], env=self.sh.env(),
                             capture_output=True, timeout=60)
        self.assertEqual(bad.returncode, 2)
        self.assertIn(b"--timeout takes a number of seconds from 1 to 3600", bad.stderr)
        self.rows.append(["`collect --timeout 1`, headers then no body", "hang_headers on iam:GetAccountSummary, "
                          "AWS_MAX_ATTEMPTS=1", p.returncode, f"{took:.1f}", "account_summary: error Timeout",
                          "(one account)", "kept"])

    # --- Organizations data is untrusted ---

    def test_hostile_listing(self):
        members = self.sh.members()
        dup = members[0]
        extra = [
            {"Id": "12345", "Name": "short " + relutil.ESC_SEQ, "Status": "ACTIVE"},
            {"Id": "1234567890123", "Name": "thirteen", "Status": "ACTIVE"},
            {"Id": "../../etc/x", "Name": "path", "Status": "ACTIVE"},
            {"Id": "11112222333\u0663", "Name": "arabic-indic digit", "Status": "ACTIVE"},
            {"Id": dup, "Name": "listed again " + relutil.ESC_SEQ, "Status": "ACTIVE"},
        ]
        self.sh.bed.ctl("list_accounts", {"extra": extra})
        r = self.sh.run(None, "--no-pdf", "--verbose")
        self.sh.bed.ctl("list_accounts", {"extra": []})
        err = r.stderr.decode("utf-8", "replace")
        self.assertEqual(r.rc, 3, r.describe())
        self.assertNotIn("\x1b", r.text(), "an escape sequence reached the terminal")
        for bad in ('"12345"', '"1234567890123"', '"../../etc/x"', "arabic-indic digit"):
            self.assertIn(bad, err)
        self.assertIn(f"account {dup} is listed twice: collected once", err)
        m = r.manifest()
        self.assertEqual(m["status"], "incomplete")
        self.assertEqual(len(m["problems"]), 5, m["problems"])
        self.assertEqual(sorted(a["account_id"] for a in m["accounts"]), sorted(self.sh.accounts.values()))
        snaps = sorted(os.listdir(os.path.join(r.dir, "snapshots")))
        self.assertEqual(len(snaps), len(self.sh.accounts), snaps)
        self.assertFalse([s for s in snaps if re.search(r"-\d+\.json$", s)], "an account collected twice")
        others = self.others_graded(r, None)
        self.rows.append(["ListAccounts with bad ids, a duplicate, escape sequences in names",
                          "/_bed/list_accounts: 4 bad ids, 1 duplicate", r.rc, f"{r.seconds:.1f}",
                          "each reported (escaped) and skipped; run.json problems: 5; the duplicate collected once",
                          others.replace(f"{len(self.sh.accounts) - 1} of {len(self.sh.accounts) - 1}",
                                         f"{len(self.sh.accounts)} of {len(self.sh.accounts)}"), "kept"])


PAGING_DOC_HEAD = """\
Generated by `tests/reliability/test_paging.py`: one `iamgrade run
--organization --no-pdf` per row, the bed misbehaving for one account
(development) on one call while the other five answer normally.  Pages of
the bed's own carry no items and a marker per the rule (`bed-loop`
always; `bed-A`, `bed-B` in turn; `bed-page-N` for ever); caps are lowered
through the environment where a row says so (the defaults: 10,000 pages
and 1 GiB of answers per source, 100,000 CloudTrail events).  "kept" means
the exit status, the source's status, code and message are exactly the
ones given, the snapshot says incomplete with the source among its
problems, and every other account is complete and graded.

"""


if __name__ == "__main__":
    unittest.main()
