"""What a run writes, and where: snapshots and results 0600 (their folder
0700), reports 0644 unless the umask is stricter; a run folder name taken by
a symlink someone planted (OUT/<today> -> elsewhere, dangling or not) is
never written through; an OUT that is itself a symlink is refused.  The
outcome goes into docs/reliability.md ("files")."""
import datetime
import os
import stat
import subprocess
import time
import unittest

import relutil
from relutil import md_table


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


class Files(unittest.TestCase):
    rows = []

    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()

    @classmethod
    def tearDownClass(cls):
        if cls.rows:
            relutil.write_section("files", FILES_DOC_HEAD + md_table(
                ["case", "expected", "found", "guarantee"], cls.rows))

    def setUp(self):
        self.sh.quiesce()

    def record(self, case, expected, found, ok=None):
        ok = expected == found if ok is None else ok
        self.rows.append([case, expected, found, "kept" if ok else "BROKEN"])

    def run_umask(self, out, umask, *extra):
        self.sh.space()
        try:
            p = subprocess.run(self.sh.run_args(out, *extra), env=self.sh.env(), capture_output=True,
                               preexec_fn=lambda: os.umask(umask), timeout=300)
        finally:
            self.sh.last_run = time.monotonic()
        return relutil.Run(p.returncode, p.stdout, p.stderr, out, 0)

    def modes(self, d):
        """{kind: set of modes} over the run folder."""
        kinds = {}
        for rel in relutil.files_under(d):
            if rel.startswith("snapshots/"):
                k = "snapshots/*.json"
            elif rel in ("results.json", "organization.json"):
                k = rel
            else:
                k = "reports (" + os.path.splitext(rel)[1] + ")"
            kinds.setdefault(k, set()).add(mode(os.path.join(d, rel)))
        kinds["run folder"] = {mode(d)}
        kinds["snapshots/"] = {mode(os.path.join(d, "snapshots"))}
        kinds["accounts/"] = {mode(os.path.join(d, "accounts"))}
        return kinds

    def test_modes_follow_the_umask(self):
        for umask, report, folder in ((0o022, 0o644, 0o755), (0o027, 0o640, 0o750), (0o077, 0o600, 0o700)):
            with self.subTest(umask=oct(umask)):
                r = self.run_umask(self.sh.mkdtemp("modes-"), umask)
                self.assertIn(r.rc, (0, 1), r.describe())
                want = {"snapshots/*.json": {0o600}, "results.json": {0o600}, "snapshots/": {0o700},
                        "run folder": {folder}, "accounts/": {folder},
                        "reports (.html)": {report}, "reports (.pdf)": {report},
                        "reports (.csv)": {report}, "reports (.json)": {report},
                        # The evidence pack (issue 14): the manifest like the reports.
                        "reports (.sha256)": {report},
                        # Collected data, like the snapshots (issue 18): OU names and tags.
                        "organization.json": {0o600}}
                got = self.modes(r.dir)
                for k in want:
                    self.record(f"umask {umask:03o}: {k}", " ".join(f"{m:04o}" for m in sorted(want[k])),
                                " ".join(f"{m:04o}" for m in sorted(got.get(k, ()))))
                self.assertEqual(got, want)

    def today(self):
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def test_planted_symlinks_are_not_followed(self):
        out = self.sh.mkdtemp("planted-")
        elsewhere = self.sh.mkdtemp("elsewhere-")
        gone = os.path.join(self.sh.mkdtemp("gone-"), "target")
        day = self.today()
        os.symlink(elsewhere, os.path.join(out, day))
        os.symlink(gone, os.path.join(out, day + "-2"))
        r = self.sh.run(out, "--no-pdf")
        if r.dir is not None and not os.path.basename(r.dir).startswith(day):
            self.skipTest("the date changed during the run")
        found = os.path.basename(r.dir) if r.dir else "(none)"
        untouched = not os.listdir(elsewhere) and not os.path.lexists(gone)
        self.record("OUT/<today> -> an existing folder, OUT/<today>-2 -> a missing path",
                    "run in <today>-3; both targets untouched",
                    f"exit {r.rc}, run in " + found.replace(day, "<today>") + "; " + (
                        "both targets untouched" if untouched else "a target was written"),
                    r.rc in (0, 1) and found == day + "-3" and untouched)
        self.assertIn(r.rc, (0, 1), r.describe())
        self.assertEqual(found, day + "-3")
        self.assertEqual(os.listdir(elsewhere), [], "iamgrade wrote through the planted symlink")
        self.assertFalse(os.path.lexists(gone), "iamgrade created the dangling symlink's target")
        self.assertTrue(os.path.islink(os.path.join(out, day)))
        self.assertEqual(os.readlink(os.path.join(out, day)), elsewhere)

    def test_out_itself_a_symlink(self):
        base = self.sh.mkdtemp("outlink-")
        target = os.path.join(base, "real")
        os.mkdir(target)
        link = os.path.join(base, "out")
        os.symlink(target, link)
        r = self.sh.run(link, "--no-pdf")
        written = os.listdir(target)
        self.record("OUT itself a symlink", "refused (exit 2), nothing written",
                    f"exit {r.rc}, " + ("nothing written" if not written else f"wrote {written}"),
                    r.rc == 2 and not written)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"symbolic link", r.stderr)
        self.assertEqual(written, [])


FILES_DOC_HEAD = """\
Generated by `tests/reliability/test_files.py`: `iamgrade run
--organization` under three umasks, and into output folders where someone
planted symlinks.

"""


if __name__ == "__main__":
    unittest.main()
