"""Shared by the reliability tests: one bed for the whole suite, running
`iamgrade run` against it, reading back what a run wrote, the guarantees
every run must keep, and the generated sections of docs/reliability.md.

The bed holds the "org" scenario of tests/bed/seed.py made clean (every
audit role assumable, nothing denied, so that each fault is the only thing
that goes wrong) plus a sixth account, "hostile", full of strings that try
to be markup, spreadsheet formulas and terminal escapes.  Seeding costs
about half a minute, so the suite shares one bed (started on first use,
stopped at exit); every test starts from quiesce() (no faults, normal
credential reports, zeroed counters).
"""
import atexit
import concurrent.futures
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "bed"))
sys.path.insert(0, os.path.join(REPO, "tests", "report"))

import bedlib  # noqa: E402
import seed  # noqa: E402
import test_html as th  # noqa: E402  (its strict HTML reader and Chromium flags; imported as a module so its tests do not run here)

IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
os.environ["IAMGRADE"] = IAMGRADE   # bedlib.iamgrade_policy() asks the binary under test
LOG_DIR = os.environ.get("BED_LOG_DIR") or os.path.join(REPO, "build", "e2e-logs")
# The tables go to docs/reliability.md when UPDATE_DOCS=1 (how the committed
# doc is made), else to build/reliability.md, so that `make check` leaves the
# tree as it found it; REL_DOC names another file.
DOC = os.environ.get("REL_DOC") or (
    os.path.join(REPO, "docs", "reliability.md") if os.environ.get("UPDATE_DOCS") == "1"
    else os.path.join(REPO, "build", "reliability.md"))
ROLE = "iamgrade-audit"
QPDF = shutil.which("qpdf")
PDFTOTEXT = shutil.which("pdftotext")

# Hostile strings (tests/reliability/test_hostile.py).  AWS would refuse
# some of them where the bed takes them (an ESC in an Organizations account
# name); the collector must not rely on AWS's validation.
ESC_SEQ = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
MARKUP = "<script>document.title='pwned'</script>"
IMG = "\"><img src=x onerror=\"document.title='pwned'\">"
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_ACCOUNT_NAME = "hostile " + ESC_SEQ + "<b>bold</b> " + FORMULA
HOSTILE_ALIAS = "=hostile-alias"
# moto writes a description into its XML as it is, so no ESC there (AWS
# refuses control characters in descriptions anyway).
HOSTILE_DESCRIPTION = MARKUP + " " + IMG + " " + FORMULA
HOSTILE_AGENT = "agent " + ESC_SEQ + MARKUP + " Mozilla/5.0"
# Valid IAM names ([\w+=,.@-]) that a spreadsheet would run as formulas.
FORMULA_ROLES = ["=1+2", "+cmd", "-3+4", "@SUM"]
INJECTED_ROLE = FORMULA                      # only in a CloudTrail record
# A recorded CreateRole whose role name would display reversed and with
# hidden parts (issue 12): every output must show the characters by name.
BIDI_ROLE = "admin\u202egnp.exe\u2066x\u200by\ufeffz\u061c\u200f"
BIDI_SHOWN = "admin<U+202E>gnp.exe<U+2066>x<U+200B>y<U+FEFF>z<U+061C><U+200F>"
BIDI_CHARS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c" \
    "\u200b\u200c\u200d\u2060\ufeff"
FAILED_ROLE = "+failed"
FAILED_MESSAGE = "denied " + ESC_SEQ + MARKUP + " " + FORMULA


def log(msg):
    print(f"[rel] {msg}", file=sys.stderr, flush=True)


# --- the shared bed ---

class Shared:
    """The bed and what was seeded: accounts {name: id}, the auditor's key."""

    def __init__(self):
        os.makedirs(LOG_DIR, exist_ok=True)
        path = os.path.join(LOG_DIR, "bed-reliability.log")
        if os.path.exists(path):
            os.remove(path)
        self.tmp = tempfile.mkdtemp(prefix="reliability-")
        self.bed = bedlib.Bed(log_path=path, seed=42)
        self.bed.start()
        try:
            t0 = time.monotonic()
            self.s = seed.seed_org(self.bed, role_name=ROLE, deny_password_policy=False,
                                   unassumable=False)
            self.accounts = dict(self.s.accounts)
            self.accounts["hostile"] = seed_hostile(self.bed, self.s)
            self.bed.auth(True)
            log(f"bed seeded in {time.monotonic() - t0:.0f} s: {self.accounts}")
        except BaseException:
            self.bed.stop()
            raise
        self.auditor = self.s.auditor
        self.management = self.s.management
        self.names = {v: k for k, v in self.accounts.items()}
        self.last_run = 0.0

    def stop(self):
        self.bed.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def members(self):
        return [a for n, a in sorted(self.accounts.items()) if a != self.management]

    def quiesce(self):
        """No faults, every credential report normal, the Organizations listing
        as moto has it, counters zeroed."""
        self.bed.clear_faults()
        self.bed.ctl("list_accounts", {"extra": []})
        for a in self.accounts.values():
            self.bed.report(a, mode="normal")
        self.bed.reset_stats()

    def mkdtemp(self, prefix="t-"):
        return tempfile.mkdtemp(prefix=prefix, dir=self.tmp)

    def env(self, home=None, creds=None, **extra):
        """./iamgrade's environment: the auditor's key (or creds), a fresh HOME
        and TMPDIR, short retry and credential-report waits."""
        home = home or self.mkdtemp("home-")
        tmpdir = os.path.join(home, "tmp")
        os.makedirs(tmpdir, exist_ok=True)
        e = {"IAMGRADE_REPORT_POLL_MS": "20", "TMPDIR": tmpdir}
        e.update(extra)
        return bedlib.aws_env(self.bed, creds or self.auditor, home=home, extra=e)

    def space(self):
        """A second between runs: each run paces CloudTrail LookupEvents to
        2 a second on its own, and the bed counts them all."""
        gap = 1.0 - (time.monotonic() - self.last_run)
        if gap > 0:
            time.sleep(gap)

    def run_args(self, out, *extra):
        return [IAMGRADE, "run", "--organization", "--role-name", ROLE, "--out", out,
                "--report-wait", "5", *extra]

    def run(self, out=None, *extra, env=None, timeout=300):
        """iamgrade run --organization into out (default: a new folder)."""
        out = out or self.mkdtemp("out-")
        self.space()
        t0 = time.monotonic()
        try:
            p = subprocess.run(self.run_args(out, *extra), env=env or self.env(),
                               capture_output=True, timeout=timeout)
        finally:
            self.last_run = time.monotonic()
        log(f"run {' '.join(extra)}: exit {p.returncode} in {time.monotonic() - t0:.1f} s")
        return Run(p.returncode, p.stdout, p.stderr, out, time.monotonic() - t0)


_shared = None
_shared_error = None


def shared():
    """The suite's bed, started and seeded on first use."""
    global _shared, _shared_error
    if _shared_error is not None:
        raise _shared_error
    if _shared is None:
        try:
            _shared = Shared()
        except BaseException as e:
            _shared_error = e
            raise
        atexit.register(_shared.stop)
    return _shared


def seed_hostile(bed, s):
    """A sixth organization account whose every free-text field is hostile.
    Returns its id."""
    org = bed.client("organizations", s.admin)
    acct = org.create_account(AccountName=HOSTILE_ACCOUNT_NAME,
                              Email="aws+hostile@acme.example")["CreateAccountStatus"]["AccountId"]
    admin = bedlib.bootstrap_admin(bed, acct)
    iam = bed.client("iam", admin)
    iam.create_account_alias(AccountAlias=HOSTILE_ALIAS)
    agent = bed.client("iam", admin, headers={"User-Agent": HOSTILE_AGENT})
    for name in FORMULA_ROLES:
        agent.create_role(RoleName=name, AssumeRolePolicyDocument=seed.trust("*"),
                          Description=HOSTILE_DESCRIPTION)
    pol = iam.create_policy(
        PolicyName="@everything", Description="policy " + MARKUP,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "sid" + ESC_SEQ + MARKUP, "Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=FORMULA_ROLES[0], PolicyArn=pol)
    iam.create_user(UserName="@console-user")
    iam.create_login_profile(UserName="@console-user", Password="Bed-Passw0rd-!x9")
    bed.inject_event(acct, {
        "eventTime": seed.ago(3),
        "userAgent": HOSTILE_AGENT,
        "sourceIPAddress": IMG,
        "requestParameters": {"roleName": INJECTED_ROLE,
                              "assumeRolePolicyDocument": seed.trust("*")}})
    bed.inject_event(acct, {
        "eventTime": seed.ago(3),
        "sourceIPAddress": "192.0.2.7",
        "requestParameters": {"roleName": BIDI_ROLE,
                              "assumeRolePolicyDocument": seed.trust("*")}})
    bed.inject_event(acct, {
        "eventTime": seed.ago(2),
        "userAgent": HOSTILE_AGENT,
        "errorCode": "AccessDenied",
        "errorMessage": FAILED_MESSAGE,
        "requestParameters": {"roleName": FAILED_ROLE,
                              "assumeRolePolicyDocument": seed.trust("*")}})
    seed._audit_role(bed, admin, acct, ROLE, s.management, bedlib.iamgrade_policy()[0])
    return acct


# --- what a run wrote ---

class Run:
    def __init__(self, rc, stdout, stderr, out, seconds):
        self.rc, self.stdout, self.stderr, self.out, self.seconds = rc, stdout, stderr, out, seconds
        dirs = run_dirs(out)
        self.dir = dirs[-1] if dirs else None

    def text(self):
        return (self.stdout + self.stderr).decode("utf-8", "replace")

    def manifest(self):
        return load_json(os.path.join(self.dir, "run.json"))

    def results(self):
        return load_json(os.path.join(self.dir, "results.json"))

    def snapshot(self, account):
        for a in self.manifest()["accounts"]:
            if a["account_id"] == account and a.get("snapshot"):
                return load_json(os.path.join(self.dir, "snapshots", a["snapshot"]))
        return None

    def describe(self):
        return f"exit {self.rc} after {self.seconds:.1f} s; stderr:\n{self.stderr.decode('utf-8', 'replace')[-3000:]}"


def run_dirs(out):
    """The run folders under out, oldest first (YYYY-MM-DD, then -2, -3...)."""
    def key(name):
        m = re.fullmatch(r"(\d{4}-\d\d-\d\d)(?:-(\d+))?", name)
        return (m.group(1), int(m.group(2) or 1))
    if not os.path.isdir(out):
        return []
    names = [n for n in os.listdir(out) if re.fullmatch(r"\d{4}-\d\d-\d\d(-\d+)?", n)
             and os.path.isdir(os.path.join(out, n)) and not os.path.islink(os.path.join(out, n))]
    return [os.path.join(out, n) for n in sorted(names, key=key)]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def is_temp(name):
    return ".tmp." in name


def files_under(d):
    """Every regular file under d (relative paths), sorted."""
    out = []
    for root, _, names in os.walk(d):
        for n in names:
            out.append(os.path.relpath(os.path.join(root, n), d))
    return sorted(out)


def tree_digest(d):
    """{relative path: (mode, sha256)} of every file under d."""
    res = {}
    for rel in files_under(d):
        p = os.path.join(d, rel)
        with open(p, "rb") as f:
            res[rel] = (os.stat(p).st_mode & 0o7777, hashlib.sha256(f.read()).hexdigest())
    return res


def pdf_text(path):
    if not PDFTOTEXT:
        return ""
    p = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", path, "-"], capture_output=True, timeout=120)
    return p.stdout.decode("utf-8", "replace")


def file_problems(d):
    """Every file under d under a final name is whole: .json parses, .pdf
    passes qpdf --check, .html parses strictly, .csv has its header and ends
    its last line.  Temporary files (*.tmp.*) are skipped: readers ignore
    them.  Returns (problems, temp files seen)."""
    problems, temps, pdfs = [], [], []
    for rel in files_under(d):
        p = os.path.join(d, rel)
        if is_temp(os.path.basename(rel)):
            temps.append(rel)
            continue
        with open(p, "rb") as f:
            data = f.read()
        try:
            if rel.endswith(".json"):
                json.loads(data)
            elif rel.endswith(".pdf"):
                if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
                    problems.append(f"{rel}: not a whole PDF")
                elif QPDF:
                    pdfs.append(rel)
            elif rel.endswith(".html"):
                page = th.parse(data)
                if page.problems:
                    problems.append(f"{rel}: {page.problems[:3]}")
                if not data.rstrip().endswith(b"</html>"):
                    problems.append(f"{rel}: does not end with </html>")
            elif rel.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
                if not rows or rows[0][:3] != ["account_id", "alias", "control_id"]:
                    problems.append(f"{rel}: no CSV header")
                if not data.endswith(b"\r\n"):
                    problems.append(f"{rel}: last line not ended")
            elif rel == "MANIFEST.sha256":
                # The evidence pack (issue 14): whole, and every line true of its file.
                import hashlib  # noqa: PLC0415
                for line in data.decode("utf-8").splitlines():
                    h, _, name = line.partition("  ")
                    with open(os.path.join(d, name), "rb") as g:
                        if hashlib.sha256(g.read()).hexdigest() != h:
                            problems.append(f"{rel}: {name} does not match")
                if not data.endswith(b"\n"):
                    problems.append(f"{rel}: last line not ended")
            elif rel == "MANIFEST.sha256.sig":
                if len(data) != 64:
                    problems.append(f"{rel}: {len(data)} bytes, not an Ed25519 signature")
            else:
                problems.append(f"{rel}: a file iamgrade does not write")
        except (ValueError, UnicodeDecodeError, csv.Error) as e:
            problems.append(f"{rel}: {e}")

    def qpdf(rel):
        q = subprocess.run([QPDF, "--check", os.path.join(d, rel)], capture_output=True, timeout=120)
        if q.returncode != 0:
            return f"{rel}: qpdf --check exit {q.returncode}: {q.stdout.decode(errors='replace')[-300:]}"
        return None
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        problems += [x for x in pool.map(qpdf, pdfs) if x]
    return problems, temps


# --- the guarantees of a finished run ---

_needs = None


def control_needs():
    """{control: (all-of sources, any-of sources)} from docs/controls.md (the
    catalogue's own words: "sources `a`, and `b` or `c`")."""
    global _needs
    if _needs is None:
        _needs = {}
        cur = None
        with open(os.path.join(REPO, "docs", "controls.md"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"### ([A-Z]+-\d\d):", line)
                if m:
                    cur = m.group(1)
                m = re.search(r"; sources (.*?); thresholds", line)
                if m and cur:
                    text = m.group(1).replace(" (either)", "")
                    all_part, _, any_part = text.partition(", and ")
                    if not any_part and " or " in all_part:
                        all_part, any_part = "", all_part
                    _needs[cur] = (re.findall(r"`(\w+)`", all_part), re.findall(r"`(\w+)`", any_part))
                    cur = None
    return _needs


GOOD = ("ok", "absent")


def pass_problems(results, snapshots):
    """No control is PASS when a source it needs failed.  snapshots:
    {account: snapshot} (for the per-trail calls)."""
    needs = control_needs()
    problems = []
    for a in results["accounts"]:
        src = {k: v.get("status") for k, v in a.get("sources", {}).items()}
        snap = snapshots.get(a["account_id"]) or {}
        for k, v in (snap.get("sources") or {}).items():
            if k in src and v.get("status") != src[k]:
                problems.append(f"{a['account_id']}: source {k} is {v.get('status')} in the snapshot, "
                                f"{src[k]} in the results")
        trails = ((snap.get("sources") or {}).get("trails") or {}).get("data") or []
        some_trail_read = any((t.get("status") or {}).get("status") == "ok" and
                              (t.get("event_selectors") or {}).get("status") == "ok" for t in trails)
        for c in a["controls"]:
            if c["status"] != "PASS":
                continue
            all_of, any_of = needs[c["id"]]
            bad = [s for s in all_of if src.get(s) not in GOOD]
            if any_of and not any(src.get(s) in GOOD for s in any_of):
                bad.append(" or ".join(any_of))
            if c["id"] == "TRAIL-01" and not some_trail_read:
                bad.append("every trail's status or event selectors")
            if bad:
                problems.append(f"{a['account_id']} {c['id']} is PASS though {', '.join(bad)} failed")
    return problems


def run_problems(run, expect_accounts, pdf=True):
    """The guarantees of a run that finished: documented exit status, the
    manifest agrees with it, every account complete or marked incomplete
    with its reason (manifest, results, its HTML and PDF), every file whole,
    and no PASS without its sources."""
    problems = []
    if run.rc not in (0, 1, 3):
        return [f"exit {run.rc}, not 0, 1 or 3"]
    if run.dir is None:
        return ["no run folder"]
    m = run.manifest()
    incomplete = [a for a in m["accounts"] if not a.get("complete")]
    want_status = "incomplete" if incomplete else "complete"
    if m["status"] != want_status:
        problems.append(f"run.json status {m['status']}, expected {want_status}")
    if (run.rc == 3) != bool(incomplete):
        problems.append(f"exit {run.rc} with {len(incomplete)} incomplete accounts")
    if m.get("exit_code") != run.rc:
        problems.append(f"run.json exit_code {m.get('exit_code')}, process exit {run.rc}")
    ids = sorted(a["account_id"] for a in m["accounts"])
    if ids != sorted(expect_accounts):
        problems.append(f"run.json accounts {ids}, expected {sorted(expect_accounts)}")
    for a in m["accounts"]:
        if not a.get("done"):
            problems.append(f"{a['account_id']}: not done")
        if not a.get("complete") and not (a.get("error") or "").strip():
            problems.append(f"{a['account_id']}: incomplete without a reason")
    fp, _ = file_problems(run.dir)
    problems += fp
    if fp:
        return problems
    results = run.results()
    snaps = {}
    by_id = {a["account_id"]: a for a in m["accounts"]}
    for ra in results["accounts"]:
        aid = ra["account_id"]
        snaps[aid] = run.snapshot(aid)
        coll = ra.get("collection") or {}
        want = bool(by_id.get(aid, {}).get("complete"))
        if bool(coll.get("complete")) != want:
            problems.append(f"{aid}: results say complete={coll.get('complete')}, run.json {want}")
        if not want:
            if not coll.get("problems"):
                problems.append(f"{aid}: incomplete in results.json without problems")
            html = os.path.join(run.dir, "accounts", aid + ".html")
            if os.path.exists(html):
                with open(html, "rb") as f:
                    txt = th.parse(f.read()).alltext
                first = re.sub(r"\s+", " ", coll["problems"][0])[:40] if coll.get("problems") else ""
                if "Collection incomplete" not in txt or first not in txt:
                    problems.append(f"{aid}: its HTML does not say it is incomplete and why")
            pdf_path = os.path.join(run.dir, "accounts", aid + ".pdf")
            if os.path.exists(pdf_path) and PDFTOTEXT and "Collection problems" not in pdf_text(pdf_path):
                problems.append(f"{aid}: its PDF does not list the collection problems")
        for ext in ("html", "pdf") if pdf else ("html",):
            if not os.path.exists(os.path.join(run.dir, "accounts", f"{aid}.{ext}")):
                problems.append(f"{aid}: no accounts/{aid}.{ext}")
    if sorted(results_ids := [a["account_id"] for a in results["accounts"]]) != sorted(
            a["account_id"] for a in m["accounts"] if a.get("snapshot")):
        problems.append(f"results.json accounts {results_ids} differ from the snapshots written")
    problems += pass_problems(results, snaps)
    return problems


# --- docs/reliability.md ---

def write_section(name, body):
    """Replace the generated section `name` of docs/reliability.md (between
    its markers) with body; append it when the markers are missing."""
    begin = f"<!-- generated: {name} -->"
    end = f"<!-- end: {name} -->"
    try:
        with open(DOC, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        # Start from the committed doc, so the prose around the tables stays.
        try:
            with open(os.path.join(REPO, "docs", "reliability.md"), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            text = "# Reliability\n"
        os.makedirs(os.path.dirname(DOC), exist_ok=True)
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        i, j = text.index(begin), text.index(end) + len(end)
        text = text[:i] + block + text[j:]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    tmp = DOC + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, DOC)


def md_table(header, rows):
    def cell(x):
        return str(x).replace("|", "\\|").replace("\n", " ")
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)
