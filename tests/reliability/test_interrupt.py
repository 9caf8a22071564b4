"""Interrupted runs: SIGINT and SIGTERM during collection and during
rendering, during each wait (a hanging credential_process, an HTTP answer
that never comes, the credential-report poll, LookupEvents pacing), and
kill -9 at seeded random points.  Each time: no file under a
final name is partial (every .json parses, every .pdf passes qpdf --check,
every .html parses strictly, the CSV is whole; *.tmp.* leftovers are
allowed and readers never see them), an earlier run's folder is untouched
byte for byte, the interrupted folder is not marked complete (run.json
"interrupted" after a signal, still "running" after kill -9), the exit
status is the shell's for the signal (130, 143), the waits end within two
seconds, and a rerun completes.  The outcome goes into docs/reliability.md ("interruption")."""
import glob
import os
import random
import signal
import subprocess
import time
import unittest

import relutil
from relutil import md_table

KILL_RUNS = int(os.environ.get("REL_KILL_RUNS", "6"))
KILL_SEED = int(os.environ.get("REL_KILL_SEED", "20261127"))


class Interrupt(unittest.TestCase):
    rows = []

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.ids = sorted(cls.sh.accounts.values())
        # One output folder for the signal tests, with a complete run in it
        # that every interrupted run must leave untouched.
        cls.sh.quiesce()
        cls.out = cls.sh.mkdtemp("sig-")
        r = cls.sh.run(cls.out, "--no-pdf")
        if r.rc != 0:
            raise AssertionError("the earlier run failed: " + r.describe())
        cls.base_dir, cls.digest = r.dir, relutil.tree_digest(r.dir)

    @classmethod
    def tearDownClass(cls):
        if cls.rows:
            rows = sorted(cls.rows, key=lambda r: r[0].startswith("kill"))   # signals first
            relutil.write_section("interruption", INTERRUPT_DOC_HEAD + md_table(
                ["interruption", "when", "exit", "seconds to stop", "run.json", "files under final names",
                 "temp files left", "earlier run", "rerun", "guarantees"], rows))
        if TIMEOUT_ROWS:
            relutil.write_section("credential-process", TIMEOUT_DOC_HEAD + md_table(
                ["command", "setting", "exit", "seconds", "message", "processes left", "guarantee"],
                TIMEOUT_ROWS))

    def setUp(self):
        self.sh.quiesce()

    def start(self, out, *extra):
        self.sh.space()
        p = subprocess.Popen(self.sh.run_args(out, *extra), env=self.sh.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p

    def finish(self, p, timeout=120):
        try:
            out, err = p.communicate(timeout=timeout)
        finally:
            self.sh.last_run = time.monotonic()
        return out, err

    def newest(self, out, before):
        dirs = [d for d in relutil.run_dirs(out) if d not in before]
        return dirs[-1] if dirs else None

    def rerun_ok(self, out):
        r = self.sh.run(out, "--no-pdf")
        ok = r.rc == 0 and r.manifest()["status"] == "complete"
        self.assertTrue(ok, "the rerun did not complete: " + r.describe())
        return os.path.basename(r.dir)[len("YYYY-MM-DD"):] or "-1"

    def signal_during_collection(self, sig):
        out, base_dir, digest = self.out, self.base_dir, self.digest
        before = relutil.run_dirs(out)
        # Slow every IAM call so that collection lasts ~10 s at --jobs 2.
        self.sh.bed.set_faults([{"action": "iam:*", "kind": "latency", "latency_ms": 250}])
        p = self.start(out, "--jobs", "2", "--no-pdf")
        time.sleep(2.0)
        self.assertIsNone(p.poll(), "the run ended before the signal")
        d = self.newest(out, before)
        self.assertIsNotNone(d, "no run folder after 2 s")
        sent = time.monotonic()
        p.send_signal(sig)
        _, err = self.finish(p)
        took = time.monotonic() - sent
        self.sh.bed.clear_faults()
        self.check_interrupted(sig, f"{signal.Signals(sig).name} during collection",
                               "2 s in, 2 accounts in flight", p.returncode, err, d, out, base_dir, digest, took)
        m = relutil.load_json(os.path.join(d, "run.json"))
        self.assertLess(sum(1 for a in m["accounts"] if a.get("done")), len(self.ids),
                        "every account was collected: the signal did not stop the collection")

    def signal_during_rendering(self, sig):
        # Each account's pages are written as its snapshot lands (during
        # collection, which the signals above cover); what follows the last
        # snapshot is the summary: catch the run once results.json (the
        # first of the summary's files) is there and summary.pdf is not.
        out, base_dir, digest = self.out, self.base_dir, self.digest
        for attempt in range(5):
            before = relutil.run_dirs(out)
            p = self.start(out)
            d = seen = None
            deadline = time.monotonic() + 120
            while p.poll() is None and time.monotonic() < deadline:
                d = d or self.newest(out, before)
                if d and os.path.exists(os.path.join(d, "results.json")):
                    p.send_signal(signal.SIGSTOP)
                    seen = relutil.files_under(d)
                    break
                time.sleep(0.002)
            if seen is None:
                self.finish(p)
                continue
            if "summary.pdf" in seen:
                # The summary already written: too late to interrupt the rendering.
                p.send_signal(signal.SIGCONT)
                self.finish(p)
                continue
            sent = time.monotonic()
            p.send_signal(sig)
            p.send_signal(signal.SIGCONT)
            _, err = self.finish(p)
            took = time.monotonic() - sent
            summary = [f for f in seen if f.startswith("summary.") and not relutil.is_temp(f)]
            self.check_interrupted(sig, f"{signal.Signals(sig).name} during rendering",
                                   f"results.json written, {len(summary)} of 2 summary files",
                                   p.returncode, err, d, out, base_dir, digest, took)
            after = relutil.files_under(d)
            self.assertNotIn("summary.pdf", after, "the rendering went on to the end")
            return
        self.fail("never caught the run while it was rendering")

    def check_interrupted(self, sig, what, when, rc, err, d, out, base_dir, digest, took, limit=15):
        m = relutil.load_json(os.path.join(d, "run.json"))
        problems, temps = relutil.file_problems(d)
        untouched = relutil.tree_digest(base_dir) == digest
        rerun = self.rerun_ok(out)
        ok = rc == 128 + sig and m["status"] == "interrupted" and not problems and untouched and took < limit
        self.rows.append([what, when, rc, f"{took:.2f}", m["status"],
                          "whole" if not problems else "; ".join(problems[:3]),
                          len(temps), "untouched" if untouched else "CHANGED", f"complete (new folder DATE{rerun})",
                          "kept" if ok else "BROKEN"])
        self.assertEqual(rc, 128 + sig, err.decode(errors="replace")[-2000:])
        self.assertEqual(m["status"], "interrupted")
        self.assertEqual(m["exit_code"], 128 + sig)
        self.assertEqual(problems, [])
        self.assertTrue(untouched, f"{base_dir} changed")
        self.assertLess(took, limit, "the run took long to stop")
        self.assertIn(b"interrupted", err)

    # --- every wait can be interrupted, within two seconds ---

    def signal_during_wait(self, sig, what, rules, *extra, setup=None, delay=2.0):
        """A run held in one wait by the bed (rules) or setup(); the signal
        comes delay seconds in and must end it within two seconds."""
        out, base_dir, digest = self.out, self.base_dir, self.digest
        before = relutil.run_dirs(out)
        if setup:
            setup()
        self.sh.bed.set_faults(rules)
        try:
            p = self.start(out, "--no-pdf", *extra)
            time.sleep(delay)
            self.assertIsNone(p.poll(), "the run ended before the signal")
            d = self.newest(out, before)
            self.assertIsNotNone(d, f"no run folder after {delay} s")
            sent = time.monotonic()
            p.send_signal(sig)
            _, err = self.finish(p)
            took = time.monotonic() - sent
        finally:
            self.sh.quiesce()
        self.check_interrupted(sig, f"{signal.Signals(sig).name} {what}", f"{delay:g} s in", p.returncode, err,
                               d, out, base_dir, digest, took, limit=2.0)

    def test_sigint_during_hanging_answer(self):
        self.signal_during_wait(signal.SIGINT, "while an HTTP answer never comes (default --timeout 60)",
                                [{"account": self.sh.accounts["production"], "action": "iam:GetAccountSummary",
                                  "kind": "hang_silent"}])

    def test_sigterm_during_hanging_body(self):
        self.signal_during_wait(signal.SIGTERM, "while a body never comes after the headers",
                                [{"account": self.sh.accounts["production"], "action": "iam:GetAccountSummary",
                                  "kind": "hang_headers"}])

    def test_sigterm_during_report_poll(self):
        acct = self.sh.accounts["production"]
        self.signal_during_wait(signal.SIGTERM, "while polling a credential report that never completes "
                                "(--report-wait 600)", [], "--report-wait", "600",
                                setup=lambda: self.sh.bed.report(acct, mode="never"), delay=4.0)

    def test_sigint_during_lookup_pacing(self):
        self.signal_during_wait(signal.SIGINT, "while paging LookupEvents at 2 a second, for ever",
                                [{"account": self.sh.accounts["production"], "action": "cloudtrail:LookupEvents",
                                  "kind": "page_endless"}], delay=4.0)

    # --- credential_process: a deadline, and a signal stops it ---

    def hanging_profile(self, home):
        """A profile whose credential_process starts a child and hangs; both
        write their pids to home/pids."""
        script = os.path.join(home, "hang.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsleep 300 &\necho $$ $! > \"$(dirname \"$0\")/pids\"\n"
                    "echo waiting for a person >&2\nsleep 300\n")
        os.chmod(script, 0o755)
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(f"[profile hang]\ncredential_process = {script} --account prod\nregion = us-east-1\n")
        return os.path.join(home, "pids")

    def alive(self, pidfile):
        try:
            with open(pidfile) as f:
                pids = [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            return ["no pid file"]
        left = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().split(")")[-1].split()[0] != "Z":
                        left.append(pid)
            except OSError:
                pass
        return left

    def process_env(self, **extra):
        home = self.sh.mkdtemp("home-")
        env = self.sh.env(home=home, **extra)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(k, None)
        return env, self.hanging_profile(home)

    def credential_process_case(self, cmd, sig):
        env, pids = self.process_env()
        out = self.sh.mkdtemp("cp-")
        args = [relutil.IAMGRADE, cmd, "--profile", "hang", "--out", out]
        p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not os.path.exists(pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        sent = time.monotonic()
        p.send_signal(sig)
        _, err = p.communicate(timeout=30)
        took = time.monotonic() - sent
        left = self.alive(pids)
        written = relutil.files_under(out)
        ok = p.returncode == 128 + sig and took < 2.0 and not left and not written
        self.rows.append([f"{signal.Signals(sig).name} while iamgrade {cmd} waits on a hanging credential_process",
                          "the process and its child started", p.returncode, f"{took:.2f}",
                          "(no run folder yet)" if cmd == "run" else "(collect)", "nothing written",
                          0, "-", "-", "kept" if ok else "BROKEN"])
        self.assertEqual(p.returncode, 128 + sig, err)
        self.assertLess(took, 2.0)
        self.assertEqual(left, [], "the credential_process (or its child) outlived the run")
        self.assertEqual(written, [])
        self.assertIn(b"profile hang", err)

    def test_sigterm_during_credential_process_run(self):
        self.credential_process_case("run", signal.SIGTERM)

    def test_sigint_during_credential_process_collect(self):
        self.credential_process_case("collect", signal.SIGINT)

    def test_credential_process_timeout(self):
        env, pids = self.process_env(IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT="2")
        out = self.sh.mkdtemp("cpt-")
        t0 = time.monotonic()
        p = subprocess.run([relutil.IAMGRADE, "collect", "--profile", "hang", "--out", out],
                           env=env, capture_output=True, timeout=60)
        took = time.monotonic() - t0
        err = p.stderr.decode("utf-8", "replace")
        left = self.alive(pids)
        shown = err.strip().splitlines()[-1] if err.strip() else ""
        shown = shown.replace(os.path.dirname(pids), "$HOME")
        TIMEOUT_ROWS.append(["iamgrade collect --profile hang", "IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT=2",
                             p.returncode, f"{took:.1f}", shown,
                             "none" if not left else f"{len(left)} LEFT",
                             "kept" if p.returncode == 3 and not left and 2 <= took < 5 else "BROKEN"])
        self.assertEqual(p.returncode, 3, err)
        self.assertRegex(err, r"credential_process of profile hang \(.*/hang\.sh\) did not finish within 2 s")
        self.assertEqual(left, [], "the credential_process (or its child) outlived its deadline")
        self.assertGreaterEqual(took, 2.0)
        self.assertLess(took, 5.0)
        bad = subprocess.run([relutil.IAMGRADE, "collect", "--profile", "hang", "--out", out],
                             env=dict(env, IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT="soon"), capture_output=True,
                             timeout=60)
        self.assertIn(b"IAMGRADE_CREDENTIAL_PROCESS_TIMEOUT takes a number of seconds", bad.stderr)

    def test_sigint_during_collection(self):
        self.signal_during_collection(signal.SIGINT)

    def test_sigterm_during_collection(self):
        self.signal_during_collection(signal.SIGTERM)

    def test_sigint_during_rendering(self):
        self.signal_during_rendering(signal.SIGINT)

    def test_sigterm_during_rendering(self):
        self.signal_during_rendering(signal.SIGTERM)

    def test_kill_9_at_random_points(self):
        out, base_dir, digest = self.sh.mkdtemp("kill-"), self.base_dir, self.digest
        # How long a whole run takes, so that kills spread over collection and
        # rendering; its folder is the earlier run here.
        t = self.sh.run(out)
        self.assertEqual(t.rc, 0, t.describe())
        full = t.seconds
        digest_t = relutil.tree_digest(t.dir)
        rng = random.Random(KILL_SEED)
        outcomes = []
        for i in range(KILL_RUNS):
            delay = rng.uniform(0.05, full * 1.05)
            before = relutil.run_dirs(out)
            p = self.start(out)
            time.sleep(delay)
            finished = p.poll() is not None
            if not finished:
                p.kill()
            self.finish(p)
            d = self.newest(out, before)
            with self.subTest(kill=i, delay=round(delay, 2)):
                if d is None:
                    outcomes.append((delay, "before the folder", "-", [], []))
                    continue
                mpath = os.path.join(d, "run.json")
                status = relutil.load_json(mpath)["status"] if os.path.exists(mpath) else "(none yet)"
                problems, temps = relutil.file_problems(d)
                final = status in ("complete", "incomplete", "failed")
                phase = ("finished first" if finished else
                         "exiting" if final else
                         "rendering" if os.path.exists(os.path.join(d, "results.json")) else "collection")
                outcomes.append((delay, phase, status, problems, temps))
                self.assertEqual(problems, [])
                if not finished and final:
                    # run.json is written last: a kill after it but before the
                    # process is gone (ASan's exit checks take a while) found a
                    # finished run, which must then be whole.
                    for name in ("results.json", "findings.csv", "summary.html", "summary.pdf"):
                        self.assertTrue(os.path.exists(os.path.join(d, name)),
                                        f"run.json says {status} but {name} is missing")
                elif not finished:
                    self.assertIn(status, ("running", "(none yet)"), "a killed run says it is done")
                # Readers take final names only: check reads what the shell globs.
                snaps = glob.glob(os.path.join(d, "snapshots", "*.json"))
                if snaps:
                    c = subprocess.run([relutil.IAMGRADE, "check", "--format", "json", *snaps],
                                       capture_output=True, timeout=120)
                    self.assertIn(c.returncode, (0, 1), c.stderr)
        untouched = relutil.tree_digest(base_dir) == digest and relutil.tree_digest(t.dir) == digest_t
        rerun = self.rerun_ok(out)
        for delay, phase, status, problems, temps in outcomes:
            self.rows.append([f"kill -9 after {delay:.2f} s (seed {KILL_SEED})", phase, -9, "-", status,
                              "whole" if not problems else "; ".join(problems[:3]), len(temps),
                              "untouched" if untouched else "CHANGED", f"complete (new folder DATE{rerun})",
                              "kept" if not problems and (status != "complete" or phase in ("finished first", "exiting"))
                              and untouched else "BROKEN"])
        self.assertTrue(untouched, "an earlier run's folder changed")
        phases = {o[1] for o in outcomes}
        self.assertTrue(phases & {"collection", "rendering"}, f"no kill landed inside a run: {outcomes}")


TIMEOUT_ROWS = []

INTERRUPT_DOC_HEAD = """\
Generated by `tests/reliability/test_interrupt.py`.  Each interrupted run
shares its output folder with an earlier complete run (its files hashed
before and after) and is followed by a rerun into the same folder.  Signals
during collection come 2 s into a run whose IAM calls are slowed (250 ms
each, `--jobs 2`; each account's pages are written as it lands, so
these stop the pages too); during rendering, the run is stopped (SIGSTOP)
as soon as results.json, the first of the summary's files, appears, the
signal queued, and the run continued.  Signals
during a wait come while the bed holds one account in it (an answer that
never comes, a credential report that never completes, LookupEvents pages
for ever) and must end the run within 2 s; a hanging credential_process
(a script that starts a child and sleeps) must be gone, child included,
and nothing written.  The exit status is 128 + the signal: 130 for SIGINT,
143 for SIGTERM.  kill -9 points are drawn from a seeded generator
(`REL_KILL_SEED`, `REL_KILL_RUNS`) over the length of a whole run.

"""

TIMEOUT_DOC_HEAD = """\
Generated by `tests/reliability/test_interrupt.py`: a profile whose
credential_process starts a child and never answers, with the deadline
lowered to 2 s (default 60 s).  At the deadline the process group gets
SIGTERM, then SIGKILL 0.5 s later; the message names the profile and the
command.

"""


if __name__ == "__main__":
    unittest.main()
