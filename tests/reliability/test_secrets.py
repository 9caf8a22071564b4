"""No secret reaches a file or a terminal.  The demo's flow (`iamgrade run
--organization` with one account denying its password policy and one whose
role cannot be assumed, as tests/bed/demo.sh shows it; then collect, check
and report by hand) runs at default, --verbose and --debug levels through a
small recording proxy in front of the bed, which notes every secret the bed
hands out (the SecretAccessKey and SessionToken of each AssumeRole answer).
With the auditor's own secret key, and a session token of the auditor's
own, every file written (output folders, HOME, TMPDIR) and everything
printed is searched for each secret and every 20-character piece of one:
zero hits.  The outcome goes into docs/reliability.md ("secrets")."""
import http.client
import http.server
import os
import re
import subprocess
import threading
import time
import unittest
import urllib.parse

import relutil
from relutil import md_table

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}
PIECE = 20


class RecordingProxy:
    """HTTP in front of the bed; keeps the secrets of STS answers."""

    def __init__(self, upstream):
        self.secrets = set()
        self.requests = 0
        u = urllib.parse.urlsplit(upstream)
        host, port = u.hostname, u.port
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                c = http.client.HTTPConnection(host, port, timeout=120)
                try:
                    c.request(self.command, self.path, body=body, headers=headers)
                    r = c.getresponse()
                    data = r.read()
                    status, rheaders = r.status, r.getheaders()
                finally:
                    c.close()
                proxy.requests += 1
                for tag in (b"SecretAccessKey", b"SessionToken"):
                    for m in re.finditer(rb"<" + tag + rb">([^<]+)</" + tag + rb">", data):
                        proxy.secrets.add(m.group(1).decode())
                self.send_response(status)
                for k, v in rheaders:
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pieces(secret):
    return {secret[i:i + PIECE] for i in range(0, max(1, len(secret) - PIECE + 1))}


class Secrets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sh = relutil.shared()
        cls.proxy = RecordingProxy(cls.sh.bed.url)
        cls.root = cls.sh.mkdtemp("secrets-")
        cls.home = os.path.join(cls.root, "home")
        os.makedirs(cls.home)
        cls.printed = []       # (command, bytes)
        cls.commands = []

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()

    def setUp(self):
        self.sh.quiesce()

    def env(self, creds=None):
        return self.sh.env(home=self.home, creds=creds, AWS_ENDPOINT_URL=self.proxy.url)

    def iamgrade(self, args, env=None, ok=(0, 1, 3)):
        self.sh.space()
        try:
            p = subprocess.run([relutil.IAMGRADE, *args], env=env or self.env(), capture_output=True,
                               cwd=self.root, timeout=300)
        finally:
            self.sh.last_run = time.monotonic()
        self.printed.append((" ".join(args), p.stdout + p.stderr))
        shown = [re.sub(r"/\d{4}-\d\d-\d\d/snapshots/.*", "/DATE/snapshots/*.json", a.replace(self.root, "$T"))
                 for a in args]
        self.commands.append("iamgrade " + " ".join(dict.fromkeys(shown)))
        self.assertIn(p.returncode, ok, f"iamgrade {' '.join(args)}: {p.stderr.decode(errors='replace')[-2000:]}")
        return p

    def search(self, secrets):
        """[(secret group, where)]: every file under the test's folder and
        everything printed, for each secret and each PIECE-long part of one."""
        files = [os.path.join(r, n) for r, _, ns in os.walk(self.root) for n in ns]
        hits = []
        for name, group in secrets.items():
            needles = set().union(*(pieces(s) for s in group)) | group
            for path in files:
                with open(path, "rb") as f:
                    text = f.read().decode("latin-1")
                hits += [(name, os.path.relpath(path, self.root)) for n in needles if n in text][:1]
            for cmd, data in self.printed:
                text = data.decode("latin-1")
                hits += [(name, "output of iamgrade " + cmd) for n in needles if n in text][:1]
        return hits

    def test_demo_flow_leaks_nothing(self):
        sh = self.sh
        # The demo's organization: sandbox denies its password policy, legacy's role cannot be assumed.
        legacy = sh.accounts["legacy"]
        sh.bed.set_faults([
            {"account": sh.accounts["sandbox"], "action": "iam:GetAccountPasswordPolicy", "kind": "deny"},
            {"action": "sts:AssumeRole", "kind": "deny",
             "where": {"RoleArn": f"arn:aws:iam::{legacy}:role/{relutil.ROLE}"}}])
        runs = []
        for level in (["--verbose"], ["--debug"]):
            out = os.path.join(self.root, "out" + "".join(level).replace("--", "-"))
            p = self.iamgrade(sh.run_args(out, *level)[1:], ok=(3,))
            runs.append(relutil.run_dirs(out)[-1])
        run_dir = runs[0]
        snaps = sorted(os.path.join(run_dir, "snapshots", f) for f in os.listdir(os.path.join(run_dir, "snapshots")))
        member = sh.accounts["production"]
        self.iamgrade(["collect", "--debug", "--report-wait", "5", "--out", os.path.join(self.root, "collect")])
        self.iamgrade(["collect", "--debug", "--report-wait", "5", "--role-arn",
                       f"arn:aws:iam::{member}:role/{relutil.ROLE}", "--out", os.path.join(self.root, "collect")])
        for fmt in ("text", "json", "csv"):
            self.iamgrade(["check", "--format", fmt, *snaps])
        rep = os.path.join(self.root, "report")
        os.makedirs(rep)
        self.iamgrade(["report", *snaps, "--html", f"{rep}/r.html", "--pdf", f"{rep}/r.pdf",
                       "--csv", f"{rep}/r.csv", "--json", f"{rep}/r.json"], ok=(0,))

        # The auditor with a session of its own (its management-account audit role).
        sess = sh.bed.client("sts", sh.auditor).assume_role(
            RoleArn=f"arn:aws:iam::{sh.management}:role/{relutil.ROLE}",
            RoleSessionName="secrets-test")["Credentials"]
        own = relutil.bedlib.Creds(sess["AccessKeyId"], sess["SecretAccessKey"], sess["SessionToken"])
        self.iamgrade(["collect", "--debug", "--report-wait", "5", "--out", os.path.join(self.root, "session")],
                      env=self.env(own), ok=(0,))

        secrets = {"the auditor's secret key": {sh.auditor.secret_access_key},
                   "the auditor's session (secret key, token)": {own.secret_access_key, own.session_token},
                   "assumed-role sessions (secret keys, tokens)": set(self.proxy.secrets)}
        # Some AssumeRole answers must have been seen, or the search proves nothing.
        members_reached = len(sh.members()) - 1
        self.assertGreaterEqual(len(self.proxy.secrets), 2 * (2 * members_reached + 1))
        self.assertTrue(all(len(s) >= 40 for group in secrets.values() for s in group))

        # The search finds a piece of a secret planted in a file of its own.
        canary = os.path.join(self.root, "canary")
        with open(canary, "w") as f:
            f.write("x" + own.session_token[7:40] + "x")
        self.assertEqual([h[0] for h in self.search(secrets)], ["the auditor's session (secret key, token)"])
        os.remove(canary)

        hits = self.search(secrets)
        files = [os.path.join(r, n) for r, _, ns in os.walk(self.root) for n in ns]
        nbytes = sum(os.path.getsize(p) for p in files) + sum(len(d) for _, d in self.printed)
        relutil.write_section("secrets", SECRETS_DOC_HEAD + md_table(
            ["secrets searched", "how many", "files searched", "outputs searched", "hits"],
            [[name, len(group), len(files), len(self.printed),
              sum(1 for h in hits if h[0] == name)] for name, group in secrets.items()])
            + f"\n\n{nbytes} bytes searched.  Commands run (`$T` the test's folder):\n\n"
            + "\n".join(f"    {c}" for c in self.commands))
        self.assertEqual(hits, [], "secrets leaked")


SECRETS_DOC_HEAD = """\
Generated by `tests/reliability/test_secrets.py`: the demo's flow run
through a recording proxy that notes every secret the bed hands out; each
secret and each 20-character piece of one searched for in every file
written (run folders, snapshots, reports, HOME, TMPDIR) and in everything
printed.

"""


if __name__ == "__main__":
    unittest.main()
