"""A full disk and an unwritable output, for every command that writes:
`run`, `collect` and `report` into a tmpfs mounted for the test (full:
filled to the last byte; read-only: mounted ro), `check`, `policy` and
`controls` into /dev/full.  Each must exit 4 (EXIT_IO, README), name what
it could not write, and leave no file under a final name that is not
whole.  The outcome goes into docs/reliability.md ("full-disk").

Mounting needs root (CAP_SYS_ADMIN); without it the tmpfs cases are
skipped, saying so.
"""
import os
import re
import subprocess
import tempfile
import time
import unittest

import relutil
from relutil import md_table


def mount_tmpfs(path, size_kib, ro=False):
    opts = f"size={size_kib}k" + (",ro" if ro else "")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], capture_output=True)
    return p.returncode == 0, p.stderr.decode(errors="replace").strip()


def fill(path):
    """Fill the file system of path to the last byte (path/fill/filler)."""
    os.mkdir(os.path.join(path, "fill"))
    fd = os.open(os.path.join(path, "fill", "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)


class FullDisk(unittest.TestCase):
    rows = []

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.sh.quiesce()
        # Snapshots to render, from a normal run.
        r = cls.sh.run(None, "--no-pdf")
        if r.rc != 0:
            raise AssertionError("the earlier run failed: " + r.describe())
        cls.snaps = sorted(os.path.join(r.dir, "snapshots", n) for n in os.listdir(os.path.join(r.dir, "snapshots")))
        cls.mounts = []

    @classmethod
    def tearDownClass(cls):
        for m in cls.mounts:
            subprocess.run(["umount", "-l", m], capture_output=True)
        if cls.rows:
            relutil.write_section("full-disk", FULL_DOC_HEAD + md_table(
                ["command", "output", "exit", "says", "files under final names", "guarantee"], cls.rows))

    def setUp(self):
        self.sh.quiesce()

    def tmpfs(self, ro=False, full=False):
        d = tempfile.mkdtemp(prefix="fs-", dir=self.sh.tmp)
        ok, why = mount_tmpfs(d, 256, ro=ro)
        if not ok:
            self.skipTest(f"cannot mount a tmpfs ({why}): run as root")
        self.mounts.append(d)
        if full:
            os.mkdir(os.path.join(d, "out"))
            fill(d)
            return os.path.join(d, "out")
        return d

    def check(self, what, where, p, fs=None):
        err = p.stderr.decode("utf-8", "replace")
        problems = []
        if fs is not None:
            problems, _ = relutil.file_problems(fs)
        said = next((ln for ln in err.splitlines()
                     if re.search(r"No space left|Read-only|standard output.*failed|write failed", ln)), "")
        said = said.replace(fs or "\0", "$OUT")
        said = re.sub(r"\.tmp\.\w+", ".tmp.*", re.sub(r"/\d{4}-\d\d-\d\d", "/DATE", said))
        ok = p.returncode == 4 and said and not problems
        self.rows.append([what, where, p.returncode, said[:160], "whole" if not problems else "; ".join(problems[:3]),
                          "kept" if ok else "BROKEN"])
        self.assertEqual(p.returncode, 4, err[-2000:])
        self.assertTrue(said, "no message naming the failed write: " + err[-2000:])
        self.assertNotIn("\x1b", err)
        self.assertEqual(problems, [])

    def iamgrade(self, *args, stdout=None):
        return subprocess.run([relutil.IAMGRADE, *args], env=self.sh.env(), capture_output=stdout is None,
                              stdout=stdout, stderr=subprocess.PIPE if stdout is not None else None, timeout=300)

    def test_run_full(self):
        fs = self.tmpfs(full=True)
        self.sh.space()
        p = subprocess.run(self.sh.run_args(fs, "--no-pdf"), env=self.sh.env(),
                           capture_output=True, timeout=300)
        self.sh.last_run = time.monotonic()
        self.check("iamgrade run --organization", "a full tmpfs", p, fs)

    def test_run_read_only(self):
        fs = self.tmpfs(ro=True)
        self.sh.space()
        p = subprocess.run(self.sh.run_args(fs, "--no-pdf"), env=self.sh.env(), capture_output=True, timeout=300)
        self.sh.last_run = time.monotonic()
        self.check("iamgrade run --organization", "a read-only tmpfs", p, fs)

    def test_collect_full(self):
        fs = self.tmpfs(full=True)
        self.sh.space()
        p = self.iamgrade("collect", "--report-wait", "5", "--out", fs)
        self.sh.last_run = time.monotonic()
        self.check("iamgrade collect", "a full tmpfs", p, fs)

    def test_collect_read_only(self):
        fs = self.tmpfs(ro=True)
        self.sh.space()
        p = self.iamgrade("collect", "--report-wait", "5", "--out", fs)
        self.sh.last_run = time.monotonic()
        self.check("iamgrade collect", "a read-only tmpfs", p, fs)

    def test_report_full(self):
        for opt, name in (("--html", "r.html"), ("--pdf", "r.pdf"), ("--csv", "r.csv"), ("--json", "r.json")):
            with self.subTest(opt=opt):
                fs = self.tmpfs(full=True)
                p = self.iamgrade("report", *self.snaps, opt, os.path.join(fs, name))
                self.check(f"iamgrade report {opt}", "a full tmpfs", p, fs)

    def test_stdout_full(self):
        for args in (("check", *self.snaps), ("check", "--format", "json", *self.snaps),
                     ("report", *self.snaps, "--csv", "-"), ("policy",), ("controls",)):
            with self.subTest(cmd=args[0]):
                with open("/dev/full", "wb") as full:
                    p = self.iamgrade(*args, stdout=full)
                shown = " ".join(a if not a.endswith(".json") else "SNAPSHOT" for a in args)
                shown = shown.replace("SNAPSHOT " * (len(self.snaps) - 1) + "SNAPSHOT", "SNAPSHOT...")
                self.check(f"iamgrade {shown}", "standard output on /dev/full", p)


FULL_DOC_HEAD = """\
Generated by `tests/reliability/test_full_disk.py`: each command that
writes, into a folder ($OUT) of a 256 KiB tmpfs filled to the last byte
or mounted read-only, or with its standard output on /dev/full.  "kept": exit 4
(an output could not be written: not 2, which is for usage and input),
a message naming the failed write, and every file under a final name
whole (temporary files are removed).

"""


if __name__ == "__main__":
    unittest.main()
