#!/usr/bin/env python3
"""Write seed inputs for the fuzz targets (tests/fuzz/fuzz_*.c) into OUT/NAME/.

    python3 tests/fuzz/seeds.py OUT [--bed]

Sources, all real-shaped:
  - the example bodies of a Markdown file of AWS wire examples named by
    $AWS_API_MD, when set (fenced xml and json blocks);
  - the canned inputs of the unit tests (C string literals in tests/unit/*.c,
    picked by shape);
  - every checks case snapshot (tests/checks), and the responses they stand
    for, written back into AWS's wire forms (Query XML, LookupEvents and
    DescribeTrails JSON, credential report CSV);
  - the report's fixtures (tests/report/fixtures) and a few case snapshots
    for fuzz_report;
  - with --bed: the test bed's answers (tests/bed, moto behind our front) to
    every call the collector makes for the sample scenario, captured raw
    through botocore, and the snapshot iamgrade collects from it.

The seeds are then minimized into tests/fuzz/corpus/NAME with libFuzzer's
-merge=1 (docs/fuzzing.md), which keeps only inputs adding coverage.
"""
import base64
import csv
import glob
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "checks"))
sys.path.insert(0, os.path.join(REPO, "tests", "bed"))

REFERENCE = os.environ.get("AWS_API_MD")
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

# The element names xml.c converts specially (collector/xml.c's tables).
LISTS = {"AccessKeyMetadata", "AccountAliases", "AttachedManagedPolicies", "AttachedPolicies",
         "GroupDetailList", "GroupList", "GroupPolicyList", "Groups", "InstanceProfileList",
         "InstanceProfiles", "MFADevices", "Policies", "PolicyNames", "PolicyVersionList",
         "RoleDetailList", "RolePolicyList", "Roles", "Tags", "UserDetailList", "UserPolicyList",
         "Users", "VirtualMFADevices"}
DOCS = {"AssumeRolePolicyDocument", "Document", "PolicyDocument"}


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode()
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()[:16]
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[target] = self.count.get(target, 0) + 1


# --- Wire forms ---

def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xml(name, v):
    """A JSON value as the Query protocol sends it (the inverse of xml_to_json)."""
    if name in DOCS and not isinstance(v, str):
        v = urllib.parse.quote(json.dumps(v), safe="")
    if isinstance(v, list):
        inner = "".join("<member>%s</member>" % (
            "".join(to_xml(k, x) for k, x in e.items()) if isinstance(e, dict) else esc(str(e)))
            for e in v)
        return "<%s>%s</%s>" % (name, inner, name)
    if isinstance(v, dict):
        if name == "SummaryMap":
            inner = "".join("<entry><key>%s</key><value>%s</value></entry>" % (esc(k), x)
                            for k, x in v.items())
        else:
            inner = "".join(to_xml(k, x) for k, x in v.items())
        return "<%s>%s</%s>" % (name, inner, name)
    if isinstance(v, bool):
        v = "true" if v else "false"
    return "<%s>%s</%s>" % (name, esc(str(v)), name)


def response(action, members, ns=IAM_NS):
    inner = "".join(to_xml(k, v) for k, v in members.items())
    return ('<%sResponse xmlns="%s">\n  <%sResult>%s</%sResult>\n'
            '  <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>\n</%sResponse>\n'
            % (action, ns, action, inner, action, action))


def report_csv(data):
    cols = data.get("columns") or (list(data["rows"][0]) if data.get("rows") else ["user", "arn"])
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(cols)
    for r in data.get("rows", []):
        w.writerow([r.get(c, "N/A") for c in cols])
    return f.getvalue()


def epoch(iso):
    import datetime
    try:
        return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return 1704067200.0


def policy_docs(v):
    """Every policy document inside a snapshot value."""
    if isinstance(v, dict):
        for k, x in v.items():
            if k in DOCS or k == "assumeRolePolicyDocument":
                yield x
            else:
                yield from policy_docs(x)
    elif isinstance(v, list):
        for x in v:
            yield from policy_docs(x)


def from_snapshot(s, snap):
    """The responses a snapshot was made of, in their wire forms (as far as
    a deliberately broken snapshot allows)."""
    s.add("snapshot", json.dumps(snap, separators=(",", ":"), ensure_ascii=False))
    # fuzz_validate: each source's data alone, and the whole snapshot.
    s.add("validate", json.dumps(snap, separators=(",", ":"), ensure_ascii=False))
    for src in (snap.get("sources") or {}).values() if isinstance(snap.get("sources"), dict) else ():
        if isinstance(src, dict) and "data" in src:
            s.add("validate", json.dumps(src["data"], separators=(",", ":"), ensure_ascii=False))
    try:
        wire_forms(s, snap)
    except (AttributeError, KeyError, TypeError, ValueError):
        pass


def wire_forms(s, snap):
    src = snap.get("sources", {})

    def data(name):
        o = src.get(name)
        return o.get("data") if isinstance(o, dict) and o.get("status") == "ok" else None

    for d in policy_docs(src):
        s.add("policy", d if isinstance(d, str) else json.dumps(d, indent=1))
    if (d := data("credential_report")) and isinstance(d, dict) and d.get("rows") is not None:
        text = report_csv(d)
        s.add("credreport", text)
        s.add("iamxml", response("GetCredentialReport", {
            "Content": base64.b64encode(text.encode()).decode(), "ReportFormat": "text/csv",
            "GeneratedTime": d.get("generated_time", "2026-11-27T09:58:00Z")}))
    if (d := data("password_policy")) is not None:
        s.add("iamxml", response("GetAccountPasswordPolicy", {"PasswordPolicy": d}))
    if (d := data("account_summary")) is not None:
        s.add("iamxml", response("GetAccountSummary", {"SummaryMap": d}))
    if (d := data("virtual_mfa_devices")) is not None:
        s.add("iamxml", response("ListVirtualMFADevices", {"VirtualMFADevices": d, "IsTruncated": False}))
    if (d := data("access_keys")) is not None:
        s.add("iamxml", response("ListAccessKeys", {"AccessKeyMetadata": d, "IsTruncated": False}))
    if (d := data("account_aliases")) is not None and isinstance(d, dict):
        s.add("iamxml", response("ListAccountAliases", {"AccountAliases": d.get("aliases", [])}))
    if (d := data("caller_identity")) is not None:
        s.add("iamxml", response("GetCallerIdentity", d, STS_NS))
    if (d := data("authorization_details")) is not None and isinstance(d, dict):
        s.add("iamxml", response("GetAccountAuthorizationDetails", {
            "UserDetailList": d.get("users", []), "GroupDetailList": d.get("groups", []),
            "RoleDetailList": d.get("roles", []), "Policies": d.get("policies", []),
            "IsTruncated": False}))
    if (d := data("trails")) is not None and isinstance(d, list) and d:
        s.add("cloudtrail", json.dumps({"trailList": [t.get("trail") for t in d if isinstance(t, dict)]}))
        for t in d[:1]:
            for k in ("status", "event_selectors"):
                o = t.get(k) if isinstance(t, dict) else None
                if isinstance(o, dict) and "data" in o:
                    s.add("cloudtrail", json.dumps(o["data"]))
    for name in ("create_role_events", "change_events"):
        lookup_events_seeds(s, data(name))


def lookup_events_seeds(s, d):
    """A create_role_events or change_events source's data as LookupEvents pages and records."""
    if d is not None and isinstance(d, dict):
        evs = []
        for e in d.get("events", []):
            if not isinstance(e, dict):
                continue
            e = dict(e)
            if isinstance(e.get("EventTime"), str):
                e["EventTime"] = epoch(e["EventTime"])
            rec = e.get("CloudTrailEvent")
            if isinstance(rec, dict):
                e["CloudTrailEvent"] = json.dumps(rec)
                s.add("cloudtrail", json.dumps(rec, indent=1))
            evs.append(e)
        s.add("cloudtrail", json.dumps({"Events": evs, "NextToken": "n"}))


# --- Sources ---

def reference(s):
    if not REFERENCE:
        print("seeds: no $AWS_API_MD, reference examples skipped", file=sys.stderr)
        return
    try:
        with open(REFERENCE, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print("seeds: no reference (%s), skipped" % e, file=sys.stderr)
        return
    for lang, body in re.findall(r"```(xml|json)\n(.*?)```", text, re.S):
        body = body.strip() + "\n"
        if lang == "xml":
            s.add("iamxml", body)
            continue
        for line in body.splitlines() if body.startswith('{"__type"') else [body]:
            s.add("cloudtrail", line)
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            for d in policy_docs(rec):
                s.add("policy", d if isinstance(d, str) else json.dumps(d))
            if "eventName" in rec:
                s.add("cloudtrail", json.dumps({"Events": [{
                    "EventId": rec.get("eventID", "e1"), "EventName": "CreateRole",
                    "EventTime": 1704067200, "CloudTrailEvent": json.dumps(rec)}]}))
    m = re.search(r"Header line: `([^`]*)`", text)
    if m:
        s.add("credreport", m.group(1) + "\n")


C_LIT = re.compile(r'"((?:\\.|[^"\\\n])*)"')


def c_strings(path):
    """The string literals of a C file, adjacent ones joined, escapes decoded."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    out, cur, end = [], None, 0
    for m in C_LIT.finditer(src):
        if cur is not None and src[end:m.start()].strip() == "":
            cur += m.group(1)
        else:
            if cur is not None:
                out.append(cur)
            cur = m.group(1)
        end = m.end()
    if cur is not None:
        out.append(cur)
    res = []
    for lit in out:
        try:
            b = re.sub(rb"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", _unescape, lit.encode())
        except ValueError:
            continue
        res.append(b)
    return res


def _unescape(m):
    e = m.group(1)
    simple = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b'"': b'"', b"\\": b"\\", b"'": b"'",
              b"0": b"\0", b"a": b"\a", b"f": b"\f", b"v": b"\v", b"?": b"?"}
    if e[:1] == b"x":
        return bytes([int(e[1:], 16)])
    if e[:1].isdigit() and e != b"0":
        return bytes([int(e, 8) & 0xff])
    return simple.get(e, e)


def unit_tests(s):
    """Canned inputs of the unit tests, each to the target of its shape."""
    def lits(*names):
        for n in names:
            p = os.path.join(REPO, "tests", "unit", n)
            if os.path.exists(p):
                yield from c_strings(p)

    for b in lits("test_iamxml.c", "test_aws_http.c", "test_collect.c", "test_aws_creds.c"):
        if b.lstrip().startswith(b"<") and len(b) > 20:
            s.add("iamxml", b)
    for b in lits("test_cloudtrail.c", "test_collect.c", "test_aws_http.c"):
        if b.lstrip().startswith(b"{") and len(b) > 10:
            s.add("cloudtrail", b)
    for b in lits("test_policy.c", "test_checks.c"):
        if b.lstrip().startswith((b"{", b"%7B")) and b"Statement" in b:
            s.add("policy", b)
    for b in lits("test_credreport.c"):
        if b"," in b and b"\n" in b:
            s.add("credreport", b)
    for b in lits("test_aws_config.c", "test_aws_creds.c"):
        if re.search(rb"^\s*\[", b) and b"=" in b:
            s.add("ini", b)
    for b in lits("test_accounts.c"):
        if b"account_id" in b or b.count(b",") >= 2:
            s.add("accounts", b)
    for b in lits("test_checks.c"):
        if re.search(rb"^\w+ *= *\S", b, re.M) and b"\n" in b:
            s.add("checkconf", b)


def checks_cases(s):
    import caselib
    for p in sorted(glob.glob(os.path.join(caselib.CASES, "*.snapshot.json"))):
        raw = caselib.build_snapshot(p)
        try:
            snap = json.loads(raw)
        except ValueError:
            s.add("snapshot", raw)
            continue
        if isinstance(snap, dict):
            from_snapshot(s, snap)
        else:
            s.add("snapshot", raw)
    with open(os.path.join(caselib.BASE, "compliant.json"), encoding="utf-8") as f:
        from_snapshot(s, json.load(f))
    for p in sorted(glob.glob(os.path.join(caselib.CASES, "*.expected.json"))):
        with open(p, encoding="utf-8") as f:
            exp = json.load(f)
        if isinstance(exp.get("config"), str):
            s.add("checkconf", exp["config"])


# Snapshots for fuzz_report (slow: a few, the ones with hostile or varied text).
REPORT_CASES = ("all-pass", "account-unreachable", "user-odd-names", "role-stratus-backdoor",
                "role-public-trust", "role-record-as-text", "pol-unparsable-and-admin",
                "trail-none", "ne-authorization_details-denied")


def report_inputs(s):
    """The report's own fixtures (results documents) and a few case snapshots."""
    import caselib
    for p in sorted(glob.glob(os.path.join(REPO, "tests", "report", "fixtures", "*.results.json"))):
        with open(p, "rb") as f:
            s.add("report", f.read())
    for name in REPORT_CASES:
        p = os.path.join(caselib.CASES, name + ".snapshot.json")
        if os.path.exists(p):
            s.add("report", caselib.build_snapshot(p))


def handwritten(s):
    """Shapes the other sources lack (reference §12, §8.1's quoting rules)."""
    s.add("ini", "[default]\nregion = eu-west-1\nservices = local\n"
          "[services local]\niam =\n  endpoint_url = http://127.0.0.1:5000\n"
          "[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/audit\n"
          "source_profile = default\nexternal_id = x\nduration_seconds = 3600\n"
          "\0[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n")
    s.add("ini", "[profile web]\nweb_identity_token_file = /tmp/t\n"
          "role_arn = arn:aws:iam::1:role/w\n[profile p]\n"
          "credential_process = /bin/tool --flag \"two words\" 'single' back\\ slash\n"
          "[profile c]\nrole_arn = arn:aws:iam::1:role/c\ncredential_source = EcsContainer\n"
          "[profile f]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n"
          "sts_regional_endpoints = legacy\nmax_attempts = 5\nretry_mode = adaptive\n"
          "[profile cn]\nregion = cn-north-1\n[profile gov]\nregion = us-gov-west-1\n")
    s.add("credreport", '\ufeffuser,arn,password_enabled\r\n"a,b","arn:aws:iam::1:user/a,b",'
          '"true"\r\n"multi\nline","arn:""q""",false')
    s.add("accounts", "account_id,name,role_arn,external_id\n111122223333,\"Prod, EU\","
          "arn:aws:iam::111122223333:role/audit,ext\n444455556666,Dev,,\n")
    s.add("checkconf", "# thresholds\npassword_min_length = 16\nkey_rotation_days=30\n"
          "trusted_accounts = 111122223333, 444455556666\ntrusted_accounts = 777788889999\n")


def bed(s, out):
    """Raw answers of the test bed to the collector's calls, and a collected snapshot."""
    import bedlib
    import seed as seeding
    from botocore.exceptions import ClientError

    b = bedlib.Bed(log_path=os.path.join(out, "bed.log")).start()
    try:
        seeded = seeding.seed(b, "sample")
        creds = bedlib.Creds(*seeded.auditor)
        captured = []

        def keep(http_response, **_):
            captured.append(http_response.content)

        clients = {n: b.client(n, creds) for n in ("iam", "sts", "cloudtrail")}
        for c in clients.values():
            c.meta.events.register("after-call.*.*", keep)
        iam, sts, ct = clients["iam"], clients["sts"], clients["cloudtrail"]
        calls = [
            lambda: sts.get_caller_identity(),
            lambda: iam.list_account_aliases(),
            lambda: iam.get_account_password_policy(),
            lambda: iam.get_account_summary(),
            lambda: iam.list_virtual_mfa_devices(),
            lambda: iam.get_account_authorization_details(MaxItems=1000),
            lambda: iam.get_account_authorization_details(MaxItems=2),
            lambda: iam.generate_credential_report(),
            lambda: iam.get_credential_report(),
            lambda: iam.list_access_keys(UserName="no-such-user"),
            lambda: ct.describe_trails(includeShadowTrails=True),
            lambda: ct.get_trail_status(Name="no-such-trail"),
            lambda: ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "CreateRole"}], MaxResults=50),
        ]
        for call in calls:
            try:
                r = call()
            except ClientError:
                continue
            if "trailList" in r:
                for t in r["trailList"]:
                    for f in (lambda: ct.get_trail_status(Name=t["TrailARN"]),
                              lambda: ct.get_event_selectors(TrailName=t["TrailARN"])):
                        try:
                            f()
                        except ClientError:
                            pass
            if "UserDetailList" in r:
                for u in r["UserDetailList"][:3]:
                    try:
                        iam.list_access_keys(UserName=u["UserName"])
                    except ClientError:
                        pass
        for body in captured:
            text = body.lstrip()
            if text.startswith(b"<"):
                s.add("iamxml", body)
            elif text.startswith(b"{"):
                s.add("cloudtrail", body)
                try:
                    for e in json.loads(body).get("Events", []):
                        s.add("cloudtrail", e.get("CloudTrailEvent", ""))
                except (ValueError, AttributeError):
                    pass
            m = re.search(rb"<Content>([^<]*)</Content>", body)
            if m:
                s.add("credreport", base64.b64decode(m.group(1)))
        binary = os.path.join(REPO, "iamgrade")
        if os.access(binary, os.X_OK):
            snaps = os.path.join(out, "bed-snapshots")
            env = bedlib.aws_env(b, creds)
            subprocess.run([binary, "collect", "--out", snaps], env=env, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for p in glob.glob(os.path.join(snaps, "*.json")):
                with open(p, encoding="utf-8") as f:
                    from_snapshot(s, json.load(f))
    finally:
        b.stop()


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    out = sys.argv[1]
    s = Seeds(out)
    reference(s)
    unit_tests(s)
    checks_cases(s)
    report_inputs(s)
    handwritten(s)
    if "--bed" in sys.argv[2:]:
        bed(s, out)
    for t in sorted(s.count):
        print("%-11s %4d seeds in %s" % (t, s.count[t], os.path.join(out, t)))


if __name__ == "__main__":
    main()
