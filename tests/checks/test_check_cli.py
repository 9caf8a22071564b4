"""iamgrade check as a command: several snapshots (bad ones among them),
byte-stable output, the text and CSV formats, --fail-on, config errors."""
import copy
import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
import unittest

import caselib

with open(os.path.join(caselib.BASE, "compliant.json"), encoding="utf-8") as _f:
    BASE = json.load(_f)


def variant(account_id=None, alias=None, finished=None, patch=()):
    snap = copy.deepcopy(BASE)
    if account_id:
        snap["account"]["id"] = account_id
    if alias is not None:
        snap["account"]["alias"] = alias
    if finished:
        snap["collection"]["finished"] = finished
    caselib.json_patch(snap, list(patch))
    return snap


class Check(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, snap):
        path = os.path.join(self.tmp, name)
        with open(path, "w" if isinstance(snap, str) else "wb") as f:
            f.write(snap if isinstance(snap, str) else json.dumps(snap, indent=1).encode())
        return path

    def check(self, *args):
        return caselib.run(["check"] + list(args))

    def test_bad_snapshot_among_good_ones(self):
        a = self.write("a.json", variant("111111111111"))
        text = json.dumps(BASE)
        bad = self.write("broken.json", text[:len(text) // 3])
        b = self.write("b.json", variant("222222222222"))
        p = self.check("--format", "json", a, bad, b)
        self.assertEqual(p.returncode, 2)
        err = p.stderr.decode()
        self.assertIn(bad, err)
        self.assertIn("truncated", err)
        doc = json.loads(p.stdout)
        self.assertEqual([x["account_id"] for x in doc["accounts"]], ["111111111111", "222222222222"])

    def test_report_bad_snapshot_among_good_ones(self):
        """Issue 12: report names the file it cannot load (exit 2) and still writes the others."""
        a = self.write("a.json", variant("111111111111"))
        text = json.dumps(BASE)
        bad = self.write("broken.json", text[:len(text) // 3])
        b = self.write("b.json", variant("222222222222"))
        out = os.path.join(self.tmp, "r.json")
        p = caselib.run(["report", a, bad, b, "--json", out, "--html", os.path.join(self.tmp, "r.html")])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(bad, p.stderr.decode())
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual([x["account_id"] for x in doc["accounts"]], ["111111111111", "222222222222"])
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "r.html")))
        # Nothing gradable: nothing written.
        out2 = os.path.join(self.tmp, "none.json")
        p = caselib.run(["report", bad, "--json", out2])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(bad, p.stderr.decode())
        self.assertFalse(os.path.exists(out2))

    def test_missing_file_is_named(self):
        a = self.write("a.json", BASE)
        p = self.check(a, os.path.join(self.tmp, "nope.json"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.json", p.stderr.decode())
        self.assertIn(b"123456789012", p.stdout)

    def test_same_snapshots_same_bytes_in_any_order(self):
        a = self.write("a.json", variant("333333333333", finished="2026-11-27T10:00:20Z"))
        b = self.write("b.json", variant("111111111111"))
        for fmt in ("json", "text", "csv"):
            one = self.check("--format", fmt, a, b)
            two = self.check("--format", fmt, b, a)
            self.assertEqual(one.returncode, 0, one.stderr)
            self.assertEqual(one.stdout, two.stdout, fmt)
        doc = json.loads(self.check("--format", "json", a, b).stdout)
        self.assertEqual(doc["generated_at"], "2026-11-27T10:00:20Z")
        self.assertEqual([x["account_id"] for x in doc["accounts"]], ["111111111111", "333333333333"])

    def test_streamed_output_is_the_whole_documents(self):
        """check's JSON and CSV, and report's when it is the one output, are
        written from a spool, one account at a time, and report's summary HTML
        and PDF from each account's record (run/files.c): byte for byte what
        report renders from the whole results in memory,
        with accepted risks, a failed control's findings, an account twice,
        a bad file among them and a framework."""
        cases = sorted(os.listdir(caselib.CASES))
        snaps = [self.write("s%d.json" % i, json.loads(caselib.build_snapshot(os.path.join(caselib.CASES, c))))
                 for i, c in enumerate(c for c in cases if c.endswith(".snapshot.json")
                                       and not c.startswith("bad-"))][:40]
        snaps.append(self.write("late.json", variant("111111111111", finished="2026-11-27T10:00:20Z")))
        snaps.append(self.write("early.json", variant("111111111111")))
        snaps.insert(5, self.write("bad.json", "[]"))
        exc = self.write("exc.csv", "control,account,resource,justification,approved_by,expires\n"
                         + "".join("%s,*,*,accepted,ciso@example.com,2030-01-01\n" % c
                                   for c in ("ROOT-01", "USER-02", "USER-03", "ROLE-02", "PRIV-01"))
                         + "USER-01,*,*,expired,ciso@example.com,2020-01-01\n"
                         "POL-01,999999999999,*,unused,ciso@example.com,2030-01-01\n")
        html = os.path.join(self.tmp, "also.html")
        for extra in ([], ["--exceptions", exc]):
            for fmt in ("json", "csv"):
                streamed = self.check("--format", fmt, *extra, *snaps)
                out = os.path.join(self.tmp, "report." + fmt)
                by_report = caselib.run(["report", "--" + fmt, out, *extra, *snaps])
                # With a second output report holds the whole results and renders them.
                whole = caselib.run(["report", "--" + fmt, "-", "--html", html, *extra, *snaps])
                self.assertEqual((streamed.returncode, by_report.returncode, whole.returncode), (2, 2, 2),
                                 whole.stderr)
                self.assertGreater(len(streamed.stdout), 10000, streamed.stderr[-500:])
                self.assertEqual(streamed.stdout, whole.stdout, (fmt, extra))
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), whole.stdout, (fmt, extra))
                self.assertEqual(os.stat(out).st_mode & 0o777, 0o600 if fmt == "json" else 0o644)
            res = self.write("results.json", self.check("--format", "json", *extra, *snaps).stdout.decode())
            base = self.write("base.json", self.check("--format", "json", *snaps[10:30]).stdout.decode())
            for fmt, more in (("html", []), ("pdf", []), ("html", ["--framework", "soc2"]),
                              ("html", ["--baseline", base])):
                records = caselib.run(["report", "--" + fmt, "-", *more, *extra, *snaps])
                whole = caselib.run(["report", "--" + fmt, "-", "--summary", *more, "--results", res])
                self.assertEqual(records.returncode, 2, records.stderr)
                self.assertEqual(whole.returncode, 0, whole.stderr)
                self.assertEqual(records.stdout, whole.stdout, (fmt, more, extra))

    def test_jobs_do_not_change_the_output(self):
        files = [self.write("s%d.json" % i, variant("%012d" % (900000000000 - i))) for i in range(6)]
        files.insert(3, self.write("bad1.json", "{}"))
        files.append(self.write("bad2.json", "[]"))
        one = self.check("--format", "json", "--jobs", "1", *files)
        four = self.check("--format", "json", "--jobs", "4", *files)
        self.assertEqual((one.returncode, four.returncode), (2, 2))
        self.assertEqual(one.stdout, four.stdout)
        self.assertEqual(one.stderr, four.stderr)
        self.assertLess(one.stderr.index(b"bad1.json"), one.stderr.index(b"bad2.json"))
        self.assertEqual(len(json.loads(one.stdout)["accounts"]), 6)
        self.assertEqual(self.check("--jobs", "0", files[0]).returncode, 2)

    def test_snapshot_hash_and_name(self):
        a = self.write("123456789012.json", BASE)
        with open(a, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        doc = json.loads(self.check("--format", "json", a).stdout)
        self.assertEqual(doc["accounts"][0]["snapshot"], {"file": "123456789012.json", "sha256": sha})
        self.assertEqual(doc["schema"], "iamgrade.results/1")

    def test_csv_rows_quoting_and_injection(self):
        snap = variant(alias="=HYPERLINK(\"http://x\")", patch=[
            {"op": "replace", "path": "/sources/credential_report/data/rows/1/mfa_active", "value": "false"},
            {"op": "replace", "path": "/sources/credential_report/data/rows/1/user", "value": "+a,\"b\""},
            {"op": "replace", "path": "/sources/credential_report/data/rows/1/arn", "value": "-x\nline"},
        ])
        p = self.check("--format", "csv", self.write("s.json", snap))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(b"account_id,alias,control_id,severity,status,resource,reason,"
                                        b"ou_id,ou_path,tags\r\n"))
        rows = list(csv.reader(io.StringIO(p.stdout.decode(), newline="")))
        self.assertEqual(rows[0], ["account_id", "alias", "control_id", "severity", "status", "resource", "reason",
                                   "ou_id", "ou_path", "tags"])
        self.assertEqual(len(rows), 1 + 39)  # one finding (USER-01) and 38 controls without one
        user01 = [r for r in rows if r[2] == "USER-01"]
        self.assertEqual(user01, [["123456789012", "'=HYPERLINK(\"http://x\")", "USER-01", "high", "FAIL",
                                   "'-x\nline", "console password without MFA", "", "", ""]])
        self.assertTrue(all(r[1].startswith("'=") for r in rows[1:]))

    def test_csv_reason_of_not_evaluated(self):
        snap = variant(patch=[{"op": "replace", "path": "/sources/trails", "value": {
            "status": "denied", "api_call": "cloudtrail:DescribeTrails",
            "error": {"code": "AccessDeniedException", "message": "no", "http_status": 400}}}])
        rows = list(csv.reader(io.StringIO(self.check("--format", "csv", self.write("s.json", snap))
                                           .stdout.decode(), newline="")))
        trail = [r for r in rows if r[2] == "TRAIL-01"][0]
        self.assertEqual(trail[4:7], ["NOT_EVALUATED", "",
                                     "trails: cloudtrail:DescribeTrails denied (AccessDeniedException: no)"])

    def test_text_strips_terminal_controls(self):
        hostile = "evil\x1b]0;pwned\x07\x1b[2J\rname"
        snap = variant(alias=hostile, patch=[
            {"op": "replace", "path": "/sources/authorization_details/data/roles/1/AssumeRolePolicyDocument",
             "value": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                                "Action": "sts:AssumeRole"}]}},
            {"op": "replace", "path": "/sources/authorization_details/data/roles/1/RoleName", "value": "deploy"},
            {"op": "replace", "path": "/sources/create_role_events/data/events/0/CloudTrailEvent/requestParameters/roleName",
             "value": "deploy"}])
        path = self.write("s.json", snap)
        plain = self.check(path).stdout
        self.assertNotIn(b"\x1b", plain)
        self.assertNotIn(b"\x07", plain)
        self.assertIn(b"evil]0;pwned[2Jname", plain)
        colored = self.check("--color", path).stdout
        self.assertIn(b"\x1b[1;31mFAIL", colored)
        self.assertNotIn(b"\x1b]0;", colored)
        self.assertNotIn(b"\x1b[2J", colored)
        self.assertEqual(self.check("--color", "--no-color", path).stdout, plain)

    def test_text_columns_fit_every_status(self):
        """Issue 12 item 8: NOT_APPLICABLE ran into the id (NOT_APPLICABLEROLE-01)."""
        import re
        snap = variant(patch=[
            {"op": "replace", "path": "/sources/create_role_events/data/events", "value": []},
            {"op": "replace", "path": "/sources/trails", "value": {
                "status": "denied", "api_call": "cloudtrail:DescribeTrails",
                "error": {"code": "AccessDeniedException", "message": "no", "http_status": 400}}}])
        text = self.check(self.write("s.json", snap)).stdout.decode()
        doc = json.loads(self.check("--format", "json", self.write("s.json", snap)).stdout)
        want = {c["id"]: c["status"] for c in doc["accounts"][0]["controls"]}
        self.assertIn("NOT_APPLICABLE", want.values())
        self.assertIn("NOT_EVALUATED", want.values())
        line = re.compile(r"^    (PASS|FAIL|NOT_EVALUATED|NOT_APPLICABLE) +([A-Z]+-[0-9]+) +"
                          r"(critical|high|medium|low) +\S")
        got = {}
        for ln in text.splitlines():
            m = line.match(ln)
            if m:
                got[m.group(2)] = m.group(1)
                # the id starts in the same column on every line
                self.assertEqual(ln.index(m.group(2)), len("    NOT_APPLICABLE "), ln)
        self.assertEqual(got, want)

    def test_fail_on(self):
        snap = variant(patch=[{"op": "replace", "path": "/sources/account_summary/data/AccountMFAEnabled",
                               "value": 0}])  # ROOT-02 (critical) and ROOT-03 (high) fail
        path = self.write("s.json", snap)
        self.assertEqual(self.check(path).returncode, 0)
        self.assertEqual(self.check("--fail-on", "critical", path).returncode, 1)
        self.assertEqual(self.check("--fail-on", "LOW", path).returncode, 1)
        ok = self.write("ok.json", BASE)
        self.assertEqual(self.check("--fail-on", "low", ok).returncode, 0)
        p = self.check("--fail-on", "severe", ok)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"critical, high, medium or low", p.stderr)

    def test_bad_input_wins_over_failures(self):
        snap = variant(patch=[{"op": "replace", "path": "/sources/account_summary/data/AccountMFAEnabled",
                               "value": 0}])
        p = self.check("--fail-on", "low", self.write("s.json", snap), self.write("bad.json", "[]"))
        self.assertEqual(p.returncode, 2)

    def test_config_errors_name_file_and_line(self):
        ok = self.write("ok.json", BASE)
        for text, msg in [("# thresholds\nroot_unused_days = 90\nbogus = 1\n", "conf:3: unknown setting \"bogus\""),
                          ("key_rotation_days = ninety\n", "conf:1: key_rotation_days: \"ninety\" is not a whole number"),
                          ("password_min_length = 2\n", "conf:1: password_min_length: 2 is outside 6..128"),
                          ("trusted_accounts = 1234\n", "conf:1: trusted_accounts: \"1234\" is not a 12-digit account id"),
                          ("just words\n", "conf:1: expected \"key = value\"")]:
            conf = self.write("conf", text)
            p = self.check("--config", conf, ok)
            self.assertEqual(p.returncode, 2, text)
            self.assertIn(msg, p.stderr.decode())
        p = self.check("--config", os.path.join(self.tmp, "none.conf"), ok)
        self.assertEqual(p.returncode, 2)
        self.assertIn("none.conf", p.stderr.decode())

    def test_set_overrides_config(self):
        ok = self.write("ok.json", BASE)
        conf = self.write("conf", "password_min_length = 16\n")
        doc = json.loads(self.check("--format", "json", "--config", conf, "--set", "password_min_length=14",
                                    "--set", "trusted_accounts=999988887777", ok).stdout)
        self.assertEqual(doc["thresholds"]["password_min_length"], 14)
        self.assertEqual(doc["thresholds"]["trusted_accounts"], ["999988887777"])
        self.assertEqual(self.check("--set", "nothing", ok).returncode, 2)
        self.assertEqual(self.check("--set", "nope=1", ok).returncode, 2)

    def test_usage(self):
        self.assertEqual(self.check().returncode, 2)
        h = self.check("--help")
        self.assertEqual(h.returncode, 0)
        self.assertIn(b"Exit status", h.stdout)
        ok = self.write("ok.json", BASE)
        self.assertEqual(self.check("--format", "html", ok).returncode, 2)
        self.assertEqual(self.check("--bogus", ok).returncode, 2)
        self.assertEqual(self.check("--format").returncode, 2)

    def test_python_remediation_compiles(self):
        """Every Python sketch, generic or filled with odd names, is valid Python."""
        names = ["user-odd-names", "role-public-trust", "pol-admin-inline-star-colon", "user-direct-policies",
                 "trail-none", "role-access-denied", "all-pass"]
        for name in names:
            snap = self.write(name + ".json", caselib.build_snapshot(
                os.path.join(caselib.CASES, name + ".snapshot.json")).decode())
            for ctl in json.loads(self.check("--format", "json", snap).stdout)["accounts"][0]["controls"]:
                compile(ctl["remediation"]["python"], "%s %s" % (name, ctl["id"]), "exec")

    def test_report_reads_our_results(self):
        """The report stage accepts what check writes (the results contract)."""
        snap = variant(patch=[{"op": "replace", "path": "/sources/account_summary/data/AccountMFAEnabled",
                               "value": 0}])
        results = os.path.join(self.tmp, "results.json")
        with open(results, "wb") as f:
            f.write(self.check("--format", "json", self.write("s.json", snap)).stdout)
        html = os.path.join(self.tmp, "r.html")
        p = caselib.run(["report", "--results", results, "--html", html])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(os.path.getsize(html), 1000)


if __name__ == "__main__":
    unittest.main()
