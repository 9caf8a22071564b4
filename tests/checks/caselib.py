"""Shared helpers for the checks tests: build case snapshots, run iamgrade, match results.

A case is tests/checks/cases/NAME.snapshot.json plus NAME.expected.json.

NAME.snapshot.json is either a whole snapshot, deliberately broken input
(anything that is not a JSON object naming a base: passed as it is), or
    {"comment": "...", "base": "compliant.json",
     "patch": [JSON Patch (RFC 6902) operations: add, replace, remove],
     "merge": {a JSON merge patch (RFC 7396), applied after "patch"}}
with the base read from tests/checks/base/.

NAME.expected.json:
    {"comment": "...",
     "args": ["--fail-on", "high"],         extra iamgrade check arguments
     "config": "key = value\\n",            written to a file, given with --config
     "exit": 0,                             expected exit status (default 0)
     "stderr": "~text",                     expected standard error
     "accounts": 1,                         number of accounts in the results
     "controls": {"PWD-01": "FAIL",         a status, or a subset of the control
                  "USER-05": {"status": "FAIL", "findings": [{"resource": "..."}]}},
     "account": {...},                      subset of the account object
     "results": {...}}                      subset of the whole results document
Subset matching: objects match when every expected member matches; lists
match when they have the same length and each expected item matches a
different actual item (any order); a string starting with "~" matches any
string containing the rest; anything else must be equal.
"""
import copy
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
BASE = os.path.join(HERE, "base")
IAMGRADE = os.environ.get("IAMGRADE", "./iamgrade")


def _pointer(doc, path):
    """(parent, key) for a JSON Pointer; key is an int index or '-' for arrays."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    cur = doc
    for p in parts[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    last = parts[-1]
    if isinstance(cur, list) and last != "-":
        last = int(last)
    return cur, last


def json_patch(doc, ops):
    for op in ops:
        parent, key = _pointer(doc, op["path"])
        kind = op["op"]
        if kind == "add":
            if isinstance(parent, list):
                parent.insert(len(parent) if key == "-" else key, op["value"])
            else:
                parent[key] = op["value"]
        elif kind == "replace":
            if isinstance(parent, dict) and key not in parent:
                raise KeyError("replace: no member %s" % op["path"])
            parent[key] = op["value"]
        elif kind == "remove":
            del parent[key]
        else:
            raise ValueError("unsupported patch op %r" % kind)
    return doc


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def build_snapshot(path):
    """The bytes of the snapshot a case file describes."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        spec = json.loads(raw)
    except ValueError:
        return raw
    if not (isinstance(spec, dict) and "base" in spec and "schema" not in spec):
        return raw
    with open(os.path.join(BASE, spec["base"]), encoding="utf-8") as f:
        snap = json.load(f)
    json_patch(snap, spec.get("patch", []))
    if "merge" in spec:
        snap = merge_patch(snap, spec["merge"])
    return json.dumps(snap, indent=1, ensure_ascii=False).encode()


def run(args, **kw):
    return subprocess.run([IAMGRADE] + list(args), capture_output=True, timeout=120, **kw)


def match(want, got, where="$"):
    """Errors (a list of strings) where got does not match want."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ["%s: want an object, got %r" % (where, got)]
        errs = []
        for k, v in want.items():
            if k not in got:
                errs.append("%s.%s: missing" % (where, k))
            else:
                errs += match(v, got[k], "%s.%s" % (where, k))
        return errs
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return ["%s: want %d items, got %s" % (where, len(want), json.dumps(got)[:600])]
        used = set()
        errs = []
        for i, w in enumerate(want):
            for j, g in enumerate(got):
                if j not in used and not match(w, g):
                    used.add(j)
                    break
            else:
                errs.append("%s[%d]: nothing matches %s among %s" % (where, i, json.dumps(w),
                                                                   json.dumps(got)[:1200]))
        return errs
    if isinstance(want, str) and want.startswith("~"):
        if isinstance(got, str) and want[1:] in got:
            return []
        return ["%s: want text containing %r, got %r" % (where, want[1:], got)]
    if want != got or type(want) != type(got):
        return ["%s: want %r, got %r" % (where, want, got)]
    return []


def case_names():
    return sorted(n[:-len(".expected.json")] for n in os.listdir(CASES) if n.endswith(".expected.json"))


def load_expected(name):
    with open(os.path.join(CASES, name + ".expected.json"), encoding="utf-8") as f:
        return json.load(f)


def run_case(name):
    """Run one case; returns a list of mismatches (empty when it passes)."""
    exp = load_expected(name)
    with tempfile.TemporaryDirectory() as tmp:
        snap = os.path.join(tmp, name + ".json")
        with open(snap, "wb") as f:
            f.write(build_snapshot(os.path.join(CASES, name + ".snapshot.json")))
        args = ["check", "--format", "json"] + exp.get("args", [])
        if "config" in exp:
            conf = os.path.join(tmp, "iamgrade.conf")
            with open(conf, "w") as f:
                f.write(exp["config"])
            args += ["--config", conf]
        p = run(args + [snap])
    errs = []
    stderr = p.stderr.decode(errors="replace")
    if p.returncode != exp.get("exit", 0):
        errs.append("exit %d, want %d; stderr: %s" % (p.returncode, exp.get("exit", 0), stderr[-2000:]))
    if "stderr" in exp:
        errs += match(exp["stderr"], stderr, "stderr")
    elif "ERROR: AddressSanitizer" in stderr or "runtime error" in stderr:
        errs.append("sanitizer: " + stderr[-3000:])
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return errs + ["stdout is not JSON: %r" % p.stdout[:300]]
    accounts = doc.get("accounts", [])
    if len(accounts) != exp.get("accounts", 1):
        return errs + ["%d accounts in the results, want %d" % (len(accounts), exp.get("accounts", 1))]
    if "results" in exp:
        errs += match(exp["results"], doc, "results")
    if not accounts:
        return errs
    acct = accounts[0]
    if "account" in exp:
        errs += match(exp["account"], acct, "account")
    controls = {c["id"]: c for c in acct["controls"]}
    for cid, want in exp.get("controls", {}).items():
        if isinstance(want, str):
            want = {"status": want}
        if cid not in controls:
            errs.append("%s: not in the results" % cid)
            continue
        errs += match(want, controls[cid], cid)
    return errs


def expected_status(want):
    return want if isinstance(want, str) else want.get("status")
