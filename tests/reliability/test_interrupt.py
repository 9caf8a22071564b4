"""Interrupted runs: SIGINT and SIGTERM during collection and during
rendering, and kill -9 at seeded random points.  Each time: no file under a
final name is partial (every .json parses, every .pdf passes qpdf --check,
every .html parses strictly, the CSV is whole; *.tmp.* leftovers are
allowed and readers never see them), an earlier run's folder is untouched
byte for byte, the interrupted folder is not marked complete (run.json
"interrupted" after a signal, still "running" after kill -9), and a rerun
completes.  The outcome goes into docs/reliability.md ("interruption")."""
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
                ["interruption", "when", "exit", "run.json", "files under final names", "temp files left",
                 "earlier run", "rerun", "guarantees"], rows))

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
        self.check_interrupted(f"{signal.Signals(sig).name} during collection", "2 s in, 2 accounts in flight",
                               p.returncode, err, d, out, base_dir, digest, took)
        m = relutil.load_json(os.path.join(d, "run.json"))
        self.assertLess(sum(1 for a in m["accounts"] if a.get("done")), len(self.ids),
                        "every account was collected: the signal did not stop the collection")

    def signal_during_rendering(self, sig):
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
            reports = [f for f in seen if f.startswith("accounts/") and not relutil.is_temp(f)]
            if len(reports) == 2 * len(self.ids):
                # Every report already written: too late to interrupt the rendering.
                p.send_signal(signal.SIGCONT)
                self.finish(p)
                continue
            sent = time.monotonic()
            p.send_signal(sig)
            p.send_signal(signal.SIGCONT)
            _, err = self.finish(p)
            took = time.monotonic() - sent
            self.check_interrupted(f"{signal.Signals(sig).name} during rendering",
                                   f"results.json written, {len(reports)} of {2 * len(self.ids)} account reports",
                                   p.returncode, err, d, out, base_dir, digest, took)
            after = [f for f in relutil.files_under(d) if f.startswith("accounts/") and not relutil.is_temp(f)]
            self.assertLess(len(after), 2 * len(self.ids), "the rendering went on to the end")
            return
        self.fail("never caught the run while it was rendering")

    def check_interrupted(self, what, when, rc, err, d, out, base_dir, digest, took):
        m = relutil.load_json(os.path.join(d, "run.json"))
        problems, temps = relutil.file_problems(d)
        untouched = relutil.tree_digest(base_dir) == digest
        rerun = self.rerun_ok(out)
        ok = rc == 3 and m["status"] == "interrupted" and not problems and untouched and took < 15
        self.rows.append([what, when, rc, m["status"], "whole" if not problems else "; ".join(problems[:3]),
                          len(temps), "untouched" if untouched else "CHANGED", f"complete (new folder DATE{rerun})",
                          "kept" if ok else "BROKEN"])
        self.assertEqual(rc, 3, err.decode(errors="replace")[-2000:])
        self.assertEqual(m["status"], "interrupted")
        self.assertEqual(m["exit_code"], 3)
        self.assertEqual(problems, [])
        self.assertTrue(untouched, f"{base_dir} changed")
        self.assertLess(took, 15, "the run took long to stop")
        self.assertIn(b"interrupted", err)

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
                phase = ("finished first" if finished else
                         "rendering" if os.path.exists(os.path.join(d, "results.json")) else "collection")
                outcomes.append((delay, phase, status, problems, temps))
                self.assertEqual(problems, [])
                if not finished:
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
            self.rows.append([f"kill -9 after {delay:.2f} s (seed {KILL_SEED})", phase, -9, status,
                              "whole" if not problems else "; ".join(problems[:3]), len(temps),
                              "untouched" if untouched else "CHANGED", f"complete (new folder DATE{rerun})",
                              "kept" if not problems and (status != "complete" or phase == "finished first")
                              and untouched else "BROKEN"])
        self.assertTrue(untouched, "an earlier run's folder changed")
        phases = {o[1] for o in outcomes}
        self.assertTrue(phases & {"collection", "rendering"}, f"no kill landed inside a run: {outcomes}")


INTERRUPT_DOC_HEAD = """\
Generated by `tests/reliability/test_interrupt.py`.  Each interrupted run
shares its output folder with an earlier complete run (its files hashed
before and after) and is followed by a rerun into the same folder.  Signals
during collection come 2 s into a run whose IAM calls are slowed (250 ms
each, `--jobs 2`); during rendering, the run is stopped (SIGSTOP) as soon as
results.json appears, the signal queued, and the run continued.  kill -9
points are drawn from a seeded generator (`REL_KILL_SEED`, `REL_KILL_RUNS`)
over the length of a whole run.

"""


if __name__ == "__main__":
    unittest.main()
