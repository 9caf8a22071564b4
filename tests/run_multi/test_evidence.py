"""Issue 14, the evidence pack: a run folder of the bed's sample organization
ends with MANIFEST.sha256 that `sha256sum -c` accepts (every file of the run
but the three the manifest cannot list), evidence.json saying who ran what
over which accounts, and with --sign a signature that `openssl pkeyutl
-verify` accepts exactly as the README says; `iamgrade verify` names every
byte changed, file removed and file added, exit 1."""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

import e2eutil  # noqa: E402
from e2eutil import seed  # noqa: E402

ROLE = "iamgrade-audit"
UNLISTED = {"MANIFEST.sha256", "MANIFEST.sha256.sig", "run.json"}


def files_of(d):
    """Every file under d, relative, as the manifest names them."""
    return sorted(os.path.relpath(os.path.join(r, n), d) for r, _, ns in os.walk(d) for n in ns)


class Evidence(e2eutil.BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.org = seed.seed_org(cls.bed, role_name=ROLE)

    def setUp(self):
        if getattr(self.__class__, "run_dir", None):
            return
        keys = self.mkdtemp()
        p = e2eutil.iamgrade(["keygen", os.path.join(keys, "audit")], env=os.environ)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.__class__.key = os.path.join(keys, "audit.key")
        self.__class__.pub = os.path.join(keys, "audit.pub")
        out = self.mkdtemp()
        self.space()
        self.__class__.argv = ["run", "--organization", "--role-name", ROLE, "--out", out,
                               "--jobs", "4", "--sign", self.key]
        p = e2eutil.iamgrade(self.argv, env=self.env(self.org.auditor), timeout=900)
        e2eutil.BedCase._last_run = __import__("time").monotonic()
        self.assertEqual(p.returncode, 3, p.stderr)   # legacy cannot be reached
        self.__class__.proc = p
        self.__class__.run_dir = glob.glob(os.path.join(out, "*/"))[0].rstrip("/")

    def iamgrade(self, *args):
        return e2eutil.iamgrade(list(args), env=os.environ)

    def test_manifest_sha256sum(self):
        d = self.run_dir
        with open(os.path.join(d, "MANIFEST.sha256"), "rb") as f:
            manifest = f.read()
        listed = [line.split("  ", 1)[1] for line in manifest.decode().splitlines()]
        self.assertEqual(listed, sorted(set(files_of(d)) - UNLISTED))
        self.assertIn("evidence.json", listed)
        self.assertIn("summary.pdf", listed)
        self.assertTrue(any(n.startswith("snapshots/") for n in listed))
        c = subprocess.run(["sha256sum", "--strict", "-c", "MANIFEST.sha256"], cwd=d,
                           capture_output=True, text=True)
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
        # The hash the run printed last and recorded in run.json.
        h = hashlib.sha256(manifest).hexdigest()
        self.assertEqual(self.proc.stdout.strip().splitlines()[-1], f"MANIFEST.sha256 sha256 {h} (signed)")
        with open(os.path.join(d, "run.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["manifest_sha256"], h)
        p = self.iamgrade("verify", "--key", self.pub, d)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("signature valid", p.stdout)

    def test_openssl_alone(self):
        """README "Evidence": the auditor's two commands, no iamgrade."""
        d = self.run_dir
        v = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", self.pub, "-rawin",
                            "-in", "MANIFEST.sha256", "-sigfile", "MANIFEST.sha256.sig"],
                           cwd=d, capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn("Signature Verified Successfully", v.stdout)
        # Each file's hash with openssl dgst, as the README's loop does.
        loop = ('while read -r h f; do [ "$(openssl dgst -sha256 -r "$f" | cut -d" " -f1)" = "$h" ] '
                '|| echo "$f"; done < MANIFEST.sha256')
        s = subprocess.run(["sh", "-c", loop], cwd=d, capture_output=True, text=True)
        self.assertEqual((s.returncode, s.stdout), (0, ""), s.stderr)

    def test_evidence_json(self):
        with open(os.path.join(self.run_dir, "evidence.json"), encoding="utf-8") as f:
            ev = json.load(f)
        with open(os.path.join(self.run_dir, "results.json"), encoding="utf-8") as f:
            results = json.load(f)
        acc = self.org.accounts
        self.assertEqual(ev["schema"], "iamgrade.evidence/1")
        self.assertEqual(ev["command_line"], ["iamgrade"] + self.argv)
        self.assertEqual(ev["accounts_selected"], len(acc))
        self.assertEqual(ev["accounts_reached"], len(acc) - 1)
        self.assertEqual(ev["thresholds"], results["thresholds"])
        self.assertEqual(ev["catalogue"]["controls"], len(results["accounts"][0]["controls"]))
        self.assertIsNone(ev["exceptions"])
        self.assertEqual(ev["regions"], ["us-east-1"])
        self.assertEqual(ev["window_days"], 30)
        by = {a["account_id"]: a for a in ev["accounts"]}
        self.assertEqual(set(by), set(acc.values()))
        self.assertFalse(by[acc["legacy"]]["reached"])
        self.assertIsNone(by[acc["legacy"]]["caller_arn"])
        for name in ("management", "production", "development", "sandbox"):
            a = by[acc[name]]
            self.assertTrue(a["reached"], name)
            self.assertIn(":assumed-role/" if name != "management" else f"::{acc['management']}:",
                          a["caller_arn"], name)
            self.assertTrue(a["collection_started"] <= a["collection_finished"], name)
            self.assertTrue(a["credential_report_generated"], name)
            with open(os.path.join(self.run_dir, "snapshots", a["snapshot"]["file"]), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), a["snapshot"]["sha256"])

    def tampered(self, change):
        """verify's exit and stdout on a copy of the run changed by change(dir)."""
        d = os.path.join(self.mkdtemp(), "run")
        shutil.copytree(self.run_dir, d, symlinks=True)
        change(d)
        p = self.iamgrade("verify", "--key", self.pub, d)
        return p.returncode, p.stdout

    def test_verify_names_every_change(self):
        for rel in sorted(set(files_of(self.run_dir)) - UNLISTED):
            def flip(d, rel=rel):
                path = os.path.join(d, rel)
                with open(path, "r+b") as f:
                    b = f.read(1)
                    f.seek(0)
                    f.write(bytes([(b[0] if b else 0) ^ 1]))
            rc, out = self.tampered(flip)
            self.assertEqual((rc, out.splitlines()[0] if out else ""), (1, f"{rel}: altered"), rel)
        rc, out = self.tampered(lambda d: os.remove(os.path.join(d, "summary.pdf")))
        self.assertEqual(rc, 1)
        self.assertIn("summary.pdf: missing", out)
        rc, out = self.tampered(lambda d: open(os.path.join(d, "snapshots", "999999999999.json"), "w").close())
        self.assertEqual(rc, 1)
        self.assertIn("snapshots/999999999999.json: extra", out)
        # The manifest itself edited to match an edited file: the signature catches it.

        def forge(d):
            with open(os.path.join(d, "findings.csv"), "a") as f:
                f.write("x\n")
            with open(os.path.join(d, "findings.csv"), "rb") as f:
                h = hashlib.sha256(f.read()).hexdigest()
            m = os.path.join(d, "MANIFEST.sha256")
            with open(m) as f:
                lines = [f"{h}  findings.csv" if ln.endswith("  findings.csv") else ln for ln in f.read().splitlines()]
            with open(m, "w") as f:
                f.write("\n".join(lines) + "\n")
        rc, out = self.tampered(forge)
        self.assertEqual(rc, 1)
        self.assertIn("signature INVALID", out)
        self.assertIn("run.json: its manifest_sha256 does not match", out)

    def test_sign_key_checked_first(self):
        """A key that cannot sign is bad input, before any AWS call."""
        out = self.mkdtemp()
        for key, says in ((self.pub, "not a PEM private key"), ("/nonexistent.key", "/nonexistent.key")):
            p = e2eutil.iamgrade(["run", "--out", out, "--sign", key], env=self.env(self.org.auditor))
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(says, p.stderr)
        self.assertEqual(os.listdir(out), [])


if __name__ == "__main__":
    unittest.main()
