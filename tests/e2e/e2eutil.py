"""Shared by the end-to-end tests: one bed per test class, running ./iamgrade
and the AWS CLI against it, and reading snapshots."""
import copy
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "bed"))

import bedlib  # noqa: E402
import seed  # noqa: E402

IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
LOG_DIR = os.environ.get("BED_LOG_DIR") or os.path.join(REPO, "build", "e2e-logs")
os.environ["IAMGRADE"] = IAMGRADE   # bedlib.iamgrade_policy() asks the binary under test


def iamgrade(args, env, timeout=300):
    """Run the binary under test; text output (UTF-8)."""
    return subprocess.run([IAMGRADE] + list(args), env=env, capture_output=True,
                          encoding="utf-8", errors="replace", timeout=timeout)


def aws_cli(args, env, timeout=120):
    """The AWS CLI (python3 -m awscli) as a reference client; returns parsed JSON."""
    p = subprocess.run([sys.executable, "-m", "awscli"] + list(args) + ["--output", "json"],
                       env=dict(env, AWS_PAGER=""), capture_output=True, encoding="utf-8",
                       errors="replace", timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout) if p.stdout.strip() else {}


_collector = None


def collector_available():
    """(True, "") when the binary has a working collect command."""
    global _collector
    if _collector is None:
        try:
            p = subprocess.run([IAMGRADE, "collect", "--help"], capture_output=True, timeout=30)
            _collector = (p.returncode == 0, f"{IAMGRADE} collect --help exited {p.returncode}")
        except OSError as e:
            _collector = (False, f"{IAMGRADE}: {e}")
    return _collector


def snapshots(d):
    return sorted(glob.glob(os.path.join(d, "*.json")))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def content(snap):
    """A snapshot's sources without what differs between two collections of
    the same state: the CloudTrail windows' bounds (CreateRole's and the
    changes') and when each last-accessed job completed (they follow the clock)."""
    s = copy.deepcopy(snap["sources"])
    for name in ("create_role_events", "change_events"):
        data = (s.get(name) or {}).get("data")
        if isinstance(data, dict):
            data.pop("start", None)
            data.pop("end", None)
    for p in ((s.get("last_accessed") or {}).get("data") or {}).get("principals", []):
        p.pop("JobCompletionDate", None)
    return s


def good_and_broken_profiles(home, good):
    """A shared config and credentials file under home with two profiles:
    "good" (the creds given) and "broken" (keys AWS does not know).  Returns
    the environment members that point the CLI at them."""
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write(f"[good]\naws_access_key_id = {good.access_key_id}\n"
                f"aws_secret_access_key = {good.secret_access_key}\n"
                "[broken]\naws_access_key_id = AKIAUNKNOWNEXAMPLE01\n"
                "aws_secret_access_key = bm90LWEta2V5LW5vdC1hLWtleS1ub3QtYS1rZXkK\n")
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("[profile good]\nregion = us-east-1\n[profile broken]\nregion = us-east-1\n")
    return {"HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials")}


class BedCase(unittest.TestCase):
    """One bed for the whole class: seed() runs with auth off, then auth goes on."""

    needs_collector = False
    bed_seed = 42

    @classmethod
    def seed(cls):
        pass

    @classmethod
    def setUpClass(cls):
        if cls.needs_collector:
            ok, why = collector_available()
            if not ok:
                raise unittest.SkipTest(f"no collector to test: {why}")
        os.makedirs(LOG_DIR, exist_ok=True)
        cls.tmp = tempfile.mkdtemp(prefix=f"e2e-{cls.__name__}-")
        log = os.path.join(LOG_DIR, f"bed-{cls.__name__}.log")
        if os.path.exists(log):
            os.remove(log)
        cls.bed = bedlib.Bed(log_path=log, seed=cls.bed_seed)
        cls.bed.start()
        try:
            cls.seed()
            cls.bed.auth(True)
        except BaseException:
            cls.bed.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.bed.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def mkdtemp(self):
        return tempfile.mkdtemp(dir=self.tmp)

    def env(self, creds, **extra):
        return bedlib.aws_env(self.bed, creds, home=self.mkdtemp(), extra=extra)

    _last_run = 0.0

    @staticmethod
    def space():
        """Let a second pass since the last run: each process paces CloudTrail's
        2 requests/second on its own, and the bed, like AWS, counts them all;
        back-to-back runs in a test are not what the pacing is for."""
        gap = 1.0 - (time.monotonic() - BedCase._last_run)
        if gap > 0:
            time.sleep(gap)

    def collect(self, creds, *args, env=None, out=None, timeout=300, spaced=True, **extra):
        """iamgrade collect --out DIR [args]: (process, out dir)."""
        out = out or self.mkdtemp()
        if spaced:
            self.space()
        try:
            p = iamgrade(["collect", "--out", out] + list(args),
                         env=env or self.env(creds, **extra), timeout=timeout)
        finally:
            BedCase._last_run = time.monotonic()
        return p, out

    def collect_ok(self, creds, *args, **kw):
        """Collect, expect exit 0 and one snapshot; return (snapshot, path, process)."""
        p, out = self.collect(creds, *args, **kw)
        self.assertEqual(p.returncode, 0, f"collect exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        path = p.stdout.strip().splitlines()[-1]
        self.assertTrue(os.path.isfile(path), f"collect printed {path!r}, not a file")
        return load(path), path, p

    def assertSourcesOk(self, snap, except_=(), absent=()):
        """Every source ok, but those in absent (must be "absent") and except_ (not looked at)."""
        bad = {k: (v.get("status"), v.get("error")) for k, v in snap["sources"].items()
               if k not in except_ and v.get("status") != ("absent" if k in absent else "ok")}
        self.assertEqual(bad, {}, "sources not as expected")
