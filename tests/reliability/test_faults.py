"""The fault matrix: `iamgrade run --organization` across the bed's
organization under each fault the issue lists.  For every row the run
finishes with a documented exit status (0, 1 or 3), every account is complete
or marked incomplete with its reason (run.json, results.json, its HTML and
PDF), every file is whole, and no control is PASS when a source it needs
failed; each row also checks what that fault must do (the denied source is
"denied" in that account and only there, a timed-out API is an error, ...).
The outcome goes into docs/reliability.md ("fault-matrix")."""
import re
import time
import unittest

import relutil
from relutil import md_table

# Every call the collector makes per account, the source it feeds, and the
# member account it is denied in (per-trail calls: one that has a trail).
# Accounts are collected independently, so one run covers several rows.
DENY_GROUPS = [
    [("sts:GetCallerIdentity", "caller_identity", "legacy"),
     ("iam:ListAccountAliases", "account_aliases", "hostile"),
     ("iam:GenerateCredentialReport", "credential_report", "development"),
     ("iam:GetCredentialReport", "credential_report", "production"),
     ("iam:GetAccountPasswordPolicy", "password_policy", "sandbox")],
    [("iam:GetAccountSummary", "account_summary", "development"),
     ("iam:ListVirtualMFADevices", "virtual_mfa_devices", "hostile"),
     ("iam:ListAccessKeys", "access_keys", "legacy"),
     ("iam:GetAccountAuthorizationDetails", "authorization_details", "production"),
     ("cloudtrail:DescribeTrails", "trails", "sandbox")],
    [("cloudtrail:GetTrailStatus", "trails[].status", "production"),
     ("cloudtrail:GetEventSelectors", "trails[].event_selectors", "sandbox"),
     ("cloudtrail:LookupEvents", "create_role_events", "hostile")],
]
DENIED_CODES = ("AccessDenied", "AccessDeniedException")


def source_status(snap, source):
    """(status, error code) of a source; trails[].x: the first trail's x."""
    srcs = snap.get("sources") or {}
    if source.startswith("trails[]."):
        trails = (srcs.get("trails") or {}).get("data") or []
        s = (trails[0].get(source.split(".", 1)[1]) or {}) if trails else {}
    else:
        s = srcs.get(source) or {}
    return s.get("status"), (s.get("error") or {}).get("code")


def failed_sources(snap):
    """Names of the snapshot's sources (and per-trail calls) that are not ok/absent."""
    ident = (snap.get("sources") or {}).get("caller_identity") or {}
    if ident.get("status") not in relutil.GOOD:
        return [f"not reached ({ident.get('api_call')} {ident.get('status')} {(ident.get('error') or {}).get('code')})"]
    out = []
    for k, v in sorted((snap.get("sources") or {}).items()):
        if v.get("status") not in relutil.GOOD:
            out.append(f"{k} {v.get('status')} {(v.get('error') or {}).get('code')}")
        if k == "trails":
            for t in v.get("data") or []:
                for sub in ("status", "event_selectors"):
                    x = t.get(sub) or {}
                    if x.get("status") not in relutil.GOOD:
                        out.append(f"trails[].{sub} {x.get('status')} {(x.get('error') or {}).get('code')}")
    return out


class FaultMatrix(unittest.TestCase):
    rows = {}          # name -> doc row, filled as tests run
    ORDER = []

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.all_ids = sorted(cls.sh.accounts.values())

    @classmethod
    def tearDownClass(cls):
        rows = [cls.rows[n] for n in cls.ORDER if n in cls.rows]
        if rows:
            relutil.write_section("fault-matrix", FAULT_DOC_HEAD + md_table(
                ["fault", "bed rules", "exit", "accounts complete", "what failed (account: source status code)",
                 "guarantees"], rows))

    def setUp(self):
        self.sh.quiesce()

    # --- helpers ---

    def name(self, account):
        return self.sh.names.get(account, account)

    def fired(self):
        return sum(r["fired"] for r in self.sh.bed.faults()["rules"])

    def matrix_run(self, label, rules, *args, seed=7, **kw):
        """Set rules, run, check the guarantees; returns (run, per-account failures)."""
        self.sh.bed.set_faults(rules, seed=seed)
        run = self.sh.run(None, *args, **kw)
        fired = self.fired()
        pdf = "--no-pdf" not in args
        problems = (relutil.run_problems(run, self.all_ids, pdf=pdf) if run.dir
                    else ["no run folder: " + run.describe()])
        fails = {}
        if run.dir:
            for a in run.manifest()["accounts"]:
                snap = run.snapshot(a["account_id"])
                fails[a["account_id"]] = failed_sources(snap) if snap else ["no snapshot"]
        complete = sum(1 for f in fails.values() if not f)
        what = "; ".join(f"{self.name(a)}: {', '.join(f)}" for a, f in sorted(fails.items()) if f) or "nothing"
        if label not in self.ORDER:
            self.ORDER.append(label)
        self.rows[label] = [label + ("" if pdf else " (no PDF)"),
                            describe_rules(rules, self.sh.names) + f" ({fired} fired)",
                            run.rc, f"{complete} of {len(fails)}", what,
                            "kept" if not problems else "BROKEN: " + "; ".join(problems[:3])]
        self.assertEqual(problems, [], f"{label}: {run.describe()}")
        return run, fails, fired

    # --- the rows ---

    def test_00_no_fault(self):
        run, fails, _ = self.matrix_run("none (baseline)", [])
        self.assertEqual(run.rc, 0, run.describe())
        self.assertEqual({a: f for a, f in fails.items() if f}, {})

    def random_fault(self, label, rules, seed=7):
        run, fails, fired = self.matrix_run(label, rules, "--no-pdf", seed=seed)
        self.assertGreater(fired, 0, f"{label}: no fault fired; the row tests nothing")
        return run, fails

    def test_01_throttling(self):
        run, fails = self.random_fault("20 % throttling", [{"kind": "throttle", "probability": 0.2}])
        retries = sum((run.snapshot(a) or {}).get("collection", {}).get("retries", 0) for a in fails)
        self.assertGreater(retries, 0, "throttled calls were not retried")

    def test_02_server_errors(self):
        self.random_fault("5 % HTTP 5xx", [{"kind": "unavailable", "probability": 0.02},
                                          {"kind": "internal", "probability": 0.02},
                                          {"kind": "unavailable_empty", "probability": 0.01}],
                          seed=2)   # a seed under which each of the three fires

    def test_03_connection_reset(self):
        self.random_fault("connections reset mid-body (10 %)", [{"kind": "reset", "probability": 0.1}])

    def test_04_truncated(self):
        self.random_fault("responses truncated (10 %)", [{"kind": "truncate", "probability": 0.1}])

    def test_05_malformed(self):
        self.random_fault("malformed XML/JSON bodies (10 %)", [{"kind": "malformed", "probability": 0.1}])

    def test_06_latency_beyond_timeout(self):
        t0 = time.monotonic()
        run, fails, _ = self.matrix_run(
            "latency beyond the timeout on iam:GetAccountSummary (4 s, --timeout 1)",
            [{"action": "iam:GetAccountSummary", "kind": "latency", "latency_ms": 4000}], "--timeout", "1",
            "--no-pdf")
        self.assertLess(time.monotonic() - t0, 60, "the timeout did not bound the run")
        self.assertEqual(run.rc, 3, run.describe())
        for a in self.all_ids:
            st, code = source_status(run.snapshot(a), "account_summary")
            self.assertEqual(st, "error", f"{self.name(a)}: account_summary {st} {code}")
            self.assertEqual([f for f in fails[a] if not f.startswith("account_summary")], [],
                             f"{self.name(a)}: other sources failed too")

    def deny_group(self, group):
        """Deny each action of group in its account; each source must be
        "denied" there and nowhere else, named in the account's problems,
        and leave the controls that need it alone NOT_EVALUATED."""
        needs = relutil.control_needs()
        rules, where = [], {}
        for action, source, name in group:
            acct = self.sh.accounts[name]
            rules.append({"account": acct, "action": action, "kind": "deny"})
            where[acct] = (action, source)
        label = "AccessDenied on " + ", ".join(f"{a} ({n})" for a, _, n in group)
        run, fails, _ = self.matrix_run(label, rules)
        self.assertEqual(run.rc, 3, run.describe())
        results = {a["account_id"]: a for a in run.results()["accounts"]}
        for acct in self.all_ids:
            if acct not in where:
                self.assertEqual(fails[acct], [], f"{self.name(acct)} had no fault")
                continue
            action, source = where[acct]
            st, code = source_status(run.snapshot(acct), source)
            self.assertEqual((st, code in DENIED_CODES), ("denied", True),
                             f"{self.name(acct)}: {source} after {action} denied: {st} {code}")
            problems = " ".join(results[acct]["collection"]["problems"])
            self.assertIn(action, problems, f"{self.name(acct)}: the reason does not name {action}")
            base = source.split("[")[0]
            if base == "caller_identity":
                # Not reached at all: nothing can be graded.
                self.assertEqual({c["status"] for c in results[acct]["controls"]}, {"NOT_EVALUATED"})
                continue
            for c in results[acct]["controls"]:
                all_of, _ = needs[c["id"]]
                if "[]" in source:
                    # A per-trail call: TRAIL-01 stays open, unless the trail
                    # fails it anyway (sandbox's trail is not logging).
                    if c["id"] == "TRAIL-01":
                        want = "FAIL" if self.name(acct) == "sandbox" else "NOT_EVALUATED"
                        self.assertEqual(c["status"], want, f"{self.name(acct)} TRAIL-01: {c['reason']}")
                elif base in all_of:
                    self.assertEqual(c["status"], "NOT_EVALUATED", f"{self.name(acct)} {c['id']}")
                    self.assertRegex(c["reason"] or "", re.escape(base) + "|" + re.escape(action))

    def test_07_denied_sources_1(self):
        self.deny_group(DENY_GROUPS[0])

    def test_08_denied_sources_2(self):
        self.deny_group(DENY_GROUPS[1])

    def test_09_denied_sources_3(self):
        self.deny_group(DENY_GROUPS[2])

    def test_10_denied_organization(self):
        for action in ("organizations:DescribeOrganization", "organizations:ListAccounts"):
            with self.subTest(action):
                self.sh.bed.set_faults([{"action": action, "kind": "deny"}])
                out = self.sh.mkdtemp("out-")
                run = self.sh.run(out)
                label = f"AccessDenied on {action} (management)"
                ok = run.rc == 3 and action in run.text() and relutil.run_dirs(out) == []
                self.ORDER.append(label)
                self.rows[label] = [label, "deny, management account", run.rc, "-",
                                    "no account list: nothing collected, no run folder",
                                    "kept" if ok else "BROKEN: " + run.describe()[:200]]
                self.assertTrue(ok, run.describe())

    def test_11_assume_role_fails(self):
        acct = self.sh.accounts["production"]
        arn = f"arn:aws:iam::{acct}:role/{relutil.ROLE}"
        run, fails, _ = self.matrix_run("AssumeRole refused (production)", [
            {"action": "sts:AssumeRole", "kind": "deny", "where": {"RoleArn": arn}}])
        self.assertEqual(run.rc, 3, run.describe())
        m = {a["account_id"]: a for a in run.manifest()["accounts"]}
        self.assertFalse(m[acct]["complete"])
        self.assertIn("AssumeRole", m[acct]["error"])
        self.assertIn(arn, m[acct]["error"])
        res = {a["account_id"]: a for a in run.results()["accounts"]}
        self.assertEqual({c["status"] for c in res[acct]["controls"]}, {"NOT_EVALUATED"})
        self.assertEqual({a for a, f in fails.items() if f}, {acct})

    def test_12_credential_report_never(self):
        acct = self.sh.accounts["development"]
        self.sh.bed.report(acct, mode="never")
        t0 = time.monotonic()
        run, fails, _ = self.matrix_run("credential report never completes (development, --report-wait 2)",
                                        [], "--report-wait", "2")
        self.assertLess(time.monotonic() - t0, 60)
        self.assertEqual(run.rc, 3, run.describe())
        st, code = source_status(run.snapshot(acct), "credential_report")
        self.assertEqual((st, code), ("error", "ReportTimeout"))
        self.assertEqual({a for a, f in fails.items() if f}, {acct})
        res = {a["account_id"]: a for a in run.results()["accounts"]}[acct]
        for c in res["controls"]:
            if relutil.control_needs()[c["id"]][0] == ["credential_report"]:
                self.assertEqual(c["status"], "NOT_EVALUATED", c["id"])
        self.sh.bed.report(acct, mode="normal")

    def test_13_expired_token(self):
        rules = [{"account": a, "action": "iam:*", "kind": "expired_token", "after": 3, "times": 1}
                 for a in self.sh.members()]
        run, fails, fired = self.matrix_run("session token expires mid-run (each member, once)", rules,
                                            "--no-pdf")
        self.assertEqual(fired, len(rules))
        # The collector renews the role's session and carries on.
        self.assertEqual({a: f for a, f in fails.items() if f}, {}, "an expired session was not renewed")
        self.assertEqual(run.rc, 0)
        # AssumeRole is signed by the auditor, so the bed counts it in the management account.
        assumed = self.sh.bed.stats(self.sh.management).get("sts:AssumeRole", 0)
        self.assertEqual(assumed, 2 * len(rules), "each member's role assumed once, then once more")


FAULT_DOC_HEAD = """\
Generated by `tests/reliability/test_faults.py` (one `iamgrade run
--organization` per row against the bed's six-account organization:
management, production, development, sandbox, legacy and hostile; fault
draws seeded, so a row repeats).  "guarantees" is `kept` when the run exited
0, 1 or 3 as documented, run.json, results.json and each account's HTML and
PDF agree on which accounts are incomplete and say why, every file parses
(JSON, qpdf --check, strict HTML, CSV), and no control is PASS while a source
it needs (docs/controls.md) failed; each row also checks its own effect.
Rows marked "(no PDF)" skip the PDFs to keep the suite short (the others
check them).

"""


def describe_rules(rules, names):
    if not rules:
        return "none"
    parts = []
    for r in rules:
        s = r["kind"]
        if r.get("probability", 1) != 1:
            s += f" p={r['probability']}"
        if r.get("action", "*") != "*":
            s += f" {r['action']}"
        if r.get("account", "*") != "*":
            s += f" in {names.get(r['account'], r['account'])}"
        if r.get("latency_ms"):
            s += f" {r['latency_ms']} ms"
        if r.get("after"):
            s += f" after {r['after']}"
        if r.get("times"):
            s += f" x{r['times']}"
        if r.get("where"):
            s += " where " + ", ".join(f"{k}={v.rsplit(':', 1)[-1]}" for k, v in r["where"].items())
        parts.append(s)
    return "; ".join(parts)


if __name__ == "__main__":
    unittest.main()
