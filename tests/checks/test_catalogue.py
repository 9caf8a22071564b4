"""The catalogue keeps its promises: docs/controls.md is current, and every
control has a passing and a failing case (and every source a NOT_EVALUATED
case) among tests/checks/cases.  Per-row documentation and remediation are
checked in C (tests/unit/test_checks.c)."""
import os
import unittest

import caselib

ROOT = os.path.dirname(os.path.dirname(caselib.HERE))
SOURCES = ["credential_report", "password_policy", "account_summary", "virtual_mfa_devices",
           "access_keys", "authorization_details", "trails", "create_role_events", "change_events"]


def control_ids():
    p = caselib.run(["controls"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()[1:]
    return [line.split()[0] for line in lines if line.strip()]


class Catalogue(unittest.TestCase):
    def test_docs_controls_md_is_current(self):
        p = caselib.run(["controls", "--markdown"])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(ROOT, "docs", "controls.md"), "rb") as f:
            self.assertEqual(f.read().decode(), p.stdout.decode(),
                             "docs/controls.md is stale: ./iamgrade controls --markdown > docs/controls.md")

    def test_every_control_has_a_pass_and_a_fail_case(self):
        seen = {}
        for name in caselib.case_names():
            for cid, want in caselib.load_expected(name).get("controls", {}).items():
                seen.setdefault(cid, set()).add(caselib.expected_status(want))
        ids = control_ids()
        self.assertEqual(len(ids), 39)  # 36 until CHG-01..03
        missing = ["%s lacks a %s case" % (cid, st) for cid in ids for st in ("PASS", "FAIL")
                   if st not in seen.get(cid, set())]
        self.assertFalse(missing, "\n".join(missing))

    def test_every_source_has_a_not_evaluated_case(self):
        names = caselib.case_names()
        for src in SOURCES:
            cases = [n for n in names if n.startswith("ne-" + src + "-")]
            self.assertTrue(cases, "no ne-%s-* case" % src)
            self.assertTrue(any("NOT_EVALUATED" in [caselib.expected_status(w) for w in
                                                    caselib.load_expected(n).get("controls", {}).values()]
                                for n in cases),
                            "no ne-%s-* case expects NOT_EVALUATED" % src)

    def test_controls_help_and_errors(self):
        self.assertEqual(caselib.run(["controls", "--help"]).returncode, 0)
        self.assertEqual(caselib.run(["controls", "--bogus"]).returncode, 2)
        self.assertEqual(caselib.run(["controls", "extra"]).returncode, 2)


if __name__ == "__main__":
    unittest.main()
