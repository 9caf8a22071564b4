"""What moto 5.2.1's IAM answers lack or get wrong, filled in by the front so
the collector sees what AWS would send (as the IAM API reference documents it).

- Credential report: moto has no `<root_account>` row, joins fields with raw
  commas (a user named "o'brien,ops" breaks the CSV), writes `not_supported`
  where AWS writes `N/A`, and stamps every report "2015-02-02".  The bed
  builds the 22-column CSV itself from moto's users, RFC 4180-quoted, with a
  configurable root row first.
- GetAccountSummary: AccountMFAEnabled / AccountAccessKeysPresent are always 0
  and AccountPasswordPresent is missing: made consistent with the root row.
- GetAccountAuthorizationDetails: role trust policies come back as raw JSON
  (AWS URL-encodes them), Policies members lack PolicyName and PolicyId, every
  AWS-managed policy (~1500) is listed even when unattached, and MaxItems /
  Marker are ignored.  The bed encodes, fills in, keeps only attached
  AWS-managed policies, and pages.
- GetAccountPasswordPolicy: MaxPasswordAge 0 is sent where AWS leaves it out.
- ListVirtualMFADevices: the MFA seed and QR code are listed (AWS returns
  them only on creation); a root virtual device can be added (root row).
"""
import base64
import csv
import datetime
import io
import json
import urllib.parse
import xml.etree.ElementTree as ET

from moto.iam.models import IAMBackend

from bed_auth import iam_backend

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ET.register_namespace("", IAM_NS)

COLUMNS = ("user,arn,user_creation_time,password_enabled,password_last_used,"
           "password_last_changed,password_next_rotation,mfa_active,"
           "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
           "access_key_1_last_used_region,access_key_1_last_used_service,"
           "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
           "access_key_2_last_used_region,access_key_2_last_used_service,"
           "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated").split(",")

ROOT_KEYS = {"mfa", "created", "password_last_used", "access_keys"}
ROOT_KEY_KEYS = {"active", "last_rotated", "last_used_date", "last_used_region", "last_used_service"}


_moto_gaad = IAMBackend.get_account_authorization_details


def _gaad_attached_only(self, policy_filter):
    """moto lists all ~1500 AWS-managed policies, attached or not; AWS lists
    the attached ones.  Dropping them here spares serialising them at all."""
    out = _moto_gaad(self, policy_filter)
    out["managed_policies"] = [p for p in out["managed_policies"]
                               if not p.arn.startswith("arn:aws:iam::aws:policy/") or p.attachment_count > 0]
    return out


IAMBackend.get_account_authorization_details = _gaad_attached_only


def q(tag):
    return f"{{{IAM_NS}}}{tag}"


def _utc(dt):
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return dt


def report_time(dt):
    return _utc(dt).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def default_root(now):
    """The root row when a test sets none: MFA on a hardware device, no access
    keys, console password last used 200 days ago."""
    return {
        "mfa": "hardware",
        "created": "2019-01-15T10:00:00+00:00",
        "password_last_used": report_time(now - datetime.timedelta(days=200)),
        "access_keys": [],
    }


def check_root(cfg):
    unknown = set(cfg) - ROOT_KEYS
    if unknown:
        raise ValueError(f"unknown root_row member(s): {', '.join(sorted(unknown))}")
    if cfg.get("mfa", "hardware") not in ("hardware", "virtual", "none"):
        raise ValueError("root_row mfa is hardware, virtual or none")
    keys = cfg.get("access_keys", [])
    if not isinstance(keys, list) or len(keys) > 2:
        raise ValueError("root_row access_keys is a list of at most two keys")
    for k in keys:
        if not isinstance(k, dict) or set(k) - ROOT_KEY_KEYS:
            raise ValueError(f"a root access key has members {', '.join(sorted(ROOT_KEY_KEYS))}")


def _key_fields(keys):
    out = []
    for i in range(2):
        if i < len(keys):
            out += keys[i]
        else:
            out += ["false", "N/A", "N/A", "N/A", "N/A"]
    return out


def _root_row(account, root):
    keys = []
    for k in root.get("access_keys", []):
        used = k.get("last_used_date", "N/A")
        keys.append(["true" if k.get("active", True) else "false",
                     k.get("last_rotated", "2020-01-01T00:00:00+00:00"),
                     used,
                     k.get("last_used_region", "N/A" if used == "N/A" else "us-east-1"),
                     k.get("last_used_service", "N/A" if used == "N/A" else "iam")])
    return (["<root_account>", f"arn:aws:iam::{account}:root", root.get("created"),
             "not_supported", root.get("password_last_used") or "no_information",
             "not_supported", "not_supported",
             "false" if root.get("mfa") == "none" else "true"]
            + _key_fields(keys) + ["false", "N/A", "false", "N/A"])


def _user_row(user, pw_changed, max_age):
    if user.password:
        pw_enabled = "true"
        pw_used = report_time(user.password_last_used) if user.password_last_used else "no_information"
        changed = pw_changed or user.create_date
        pw_changed_s = report_time(changed)
        pw_next = report_time(changed + datetime.timedelta(days=max_age)) if max_age else "N/A"
    else:
        pw_enabled, pw_used, pw_changed_s, pw_next = "false", "N/A", "N/A", "N/A"
    keys = []
    for k in user.access_keys[:2]:
        lu = k.last_used
        if lu is None:
            used = ("N/A", "N/A", "N/A")
        elif isinstance(lu, datetime.datetime):
            used = (report_time(lu), "N/A", "N/A")
        else:
            used = (report_time(lu.timestamp), lu.region or "N/A", lu.service or "N/A")
        keys.append(["true" if k.status == "Active" else "false", report_time(k.create_date)] + list(used))
    certs = []
    for c in list(user.signing_certificates.values())[:2]:
        up = getattr(c, "upload_date", None)
        certs += ["true" if c.status == "Active" else "false",
                  report_time(up) if isinstance(up, datetime.datetime) else "N/A"]
    while len(certs) < 4:
        certs += ["false", "N/A"]
    return ([user.name, user.arn, report_time(user.create_date), pw_enabled, pw_used,
             pw_changed_s, pw_next, "true" if user.mfa_devices else "false"]
            + _key_fields(keys) + certs)


def credential_report_csv(account, root, pw_changed):
    """The credential report as AWS writes it: header, root row, one row per user."""
    be = iam_backend(account)
    pol = be.account_password_policy
    max_age = pol.max_password_age if pol is not None and pol.max_password_age else 0
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(COLUMNS)
    w.writerow(_root_row(account, root))
    for user in list(be.users.values()):
        w.writerow(_user_row(user, pw_changed.get(user.name), max_age))
    return buf.getvalue()


def _parse(body):
    return ET.fromstring(body)


def _dump(root):
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def get_credential_report_xml(content, generated, request_id):
    root = ET.Element(q("GetCredentialReportResponse"))
    res = ET.SubElement(root, q("GetCredentialReportResult"))
    ET.SubElement(res, q("Content")).text = base64.b64encode(content.encode()).decode()
    ET.SubElement(res, q("ReportFormat")).text = "text/csv"
    ET.SubElement(res, q("GeneratedTime")).text = generated
    md = ET.SubElement(root, q("ResponseMetadata"))
    ET.SubElement(md, q("RequestId")).text = request_id
    return _dump(root)


def generate_credential_report_xml(state, request_id):
    root = ET.Element(q("GenerateCredentialReportResponse"))
    res = ET.SubElement(root, q("GenerateCredentialReportResult"))
    ET.SubElement(res, q("State")).text = state
    if state != "COMPLETE":
        ET.SubElement(res, q("Description")).text = \
            "No report exists. Starting a new report generation task"
    md = ET.SubElement(root, q("ResponseMetadata"))
    ET.SubElement(md, q("RequestId")).text = request_id
    return _dump(root)


def fix_account_summary(body, root):
    doc = _parse(body)
    smap = doc.find(f"{q('GetAccountSummaryResult')}/{q('SummaryMap')}")
    want = {
        "AccountMFAEnabled": "0" if root.get("mfa") == "none" else "1",
        "AccountAccessKeysPresent": "1" if root.get("access_keys") else "0",
        "AccountPasswordPresent": "1",
    }
    for entry in list(smap):
        k = entry.find(q("key"))
        if k is not None and k.text in want:
            entry.find(q("value")).text = want.pop(k.text)
    for k, v in want.items():
        e = ET.SubElement(smap, q("entry"))
        ET.SubElement(e, q("key")).text = k
        ET.SubElement(e, q("value")).text = v
    return _dump(doc)


def fix_password_policy(body):
    doc = _parse(body)
    pp = doc.find(f"{q('GetAccountPasswordPolicyResult')}/{q('PasswordPolicy')}")
    if pp is not None:
        for name in ("MaxPasswordAge", "PasswordReusePrevention"):
            el = pp.find(q(name))
            if el is not None and (el.text or "0").strip() in ("0", ""):
                pp.remove(el)
    return _dump(doc)


def fix_virtual_mfa(body, account, root, params):
    doc = _parse(body)
    lst = doc.find(f"{q('ListVirtualMFADevicesResult')}/{q('VirtualMFADevices')}")
    if lst is None:
        return body
    for m in lst:
        for name in ("Base32StringSeed", "QRCodePNG"):
            el = m.find(q(name))
            if el is not None:
                m.remove(el)
    trunc = doc.find(f"{q('ListVirtualMFADevicesResult')}/{q('IsTruncated')}")
    last_page = trunc is None or trunc.text != "true"
    if root.get("mfa") == "virtual" and last_page and params.get("AssignmentStatus", "Any") != "Unassigned":
        m = ET.SubElement(lst, q("member"))
        ET.SubElement(m, q("SerialNumber")).text = f"arn:aws:iam::{account}:mfa/root-account-mfa-device"
        u = ET.SubElement(m, q("User"))
        ET.SubElement(u, q("UserId")).text = account
        ET.SubElement(u, q("Arn")).text = f"arn:aws:iam::{account}:root"
        ET.SubElement(u, q("CreateDate")).text = "2019-01-15T10:00:00Z"
        ET.SubElement(m, q("EnableDate")).text = "2019-01-15T10:05:00Z"
    return _dump(doc)


def _encode_policy(text):
    t = (text or "").lstrip()
    if t.startswith("{"):
        return urllib.parse.quote(text, safe="-_.~")
    return text


def _marker(offset):
    return base64.b64encode(json.dumps({"gaad": offset}).encode()).decode()


def fix_authorization_details(body, account, params):
    """Encode trust policies, complete Policies, drop unattached AWS-managed
    policies, and cut one page (MaxItems 1..1000, default 100; Marker)."""
    doc = _parse(body)
    res = doc.find(q("GetAccountAuthorizationDetailsResult"))
    be = iam_backend(account)
    lists = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    items = []
    for name in lists:
        el = res.find(q(name))
        if el is None:
            continue
        for m in list(el):
            if name == "RoleDetailList":
                d = m.find(q("AssumeRolePolicyDocument"))
                if d is not None:
                    d.text = _encode_policy(d.text)
            if name == "Policies":
                arn = m.findtext(q("Arn"))
                pol = be.managed_policies.get(arn)
                count = int(m.findtext(q("AttachmentCount")) or "0")
                if arn and arn.startswith("arn:aws:iam::aws:policy/") and count == 0:
                    continue
                if pol is not None and m.find(q("PolicyName")) is None:
                    n = ET.Element(q("PolicyName"))
                    n.text = pol.name
                    m.insert(0, n)
                    i = ET.Element(q("PolicyId"))
                    i.text = pol.id
                    m.insert(1, i)
            items.append((name, m))
        res.remove(el)
    try:
        max_items = int(params.get("MaxItems", 100))
    except ValueError:
        max_items = 100
    max_items = max(1, min(1000, max_items))
    offset = 0
    if params.get("Marker"):
        try:
            offset = int(json.loads(base64.b64decode(params["Marker"]))["gaad"])
        except Exception:
            offset = -1
    if offset < 0 or offset > len(items):
        return None
    page = items[offset:offset + max_items]
    for el in list(res):
        res.remove(el)
    for name in lists:
        w = ET.SubElement(res, q(name))
        for n, m in page:
            if n == name:
                w.append(m)
    more = offset + max_items < len(items)
    ET.SubElement(res, q("IsTruncated")).text = "true" if more else "false"
    if more:
        ET.SubElement(res, q("Marker")).text = _marker(offset + max_items)
    return _dump(doc)


def role_from_create_response(body):
    """The role member of a CreateRole answer, as a dict of its text children."""
    doc = _parse(body)
    role = doc.find(f"{q('CreateRoleResult')}/{q('Role')}")
    if role is None:
        return None
    out = {}
    for el in role:
        tag = el.tag.split("}", 1)[-1]
        if len(el) == 0:
            out[tag] = el.text
    if out.get("AssumeRolePolicyDocument") is not None:
        out["AssumeRolePolicyDocument"] = _encode_policy(out["AssumeRolePolicyDocument"])
    return out


def access_key_from_create_response(body):
    """CreateAccessKey's answer as CloudTrail's responseElements.accessKey:
    the key id, status, user and date, never the secret."""
    try:
        key = _parse(body).find(f"{q('CreateAccessKeyResult')}/{q('AccessKey')}")
    except ET.ParseError:
        return None
    if key is None:
        return None
    out = {}
    for el in key:
        tag = el.tag.split("}", 1)[-1]
        if tag in ("AccessKeyId", "Status", "UserName", "CreateDate"):
            out[tag[:1].lower() + tag[1:]] = el.text
    return out


def error_code_message(body):
    """(code, message) from an AWS/moto Query error body, or (None, None)."""
    try:
        doc = ET.fromstring(body)
    except ET.ParseError:
        return None, None
    code = msg = None
    for el in doc.iter():
        tag = el.tag.split("}", 1)[-1]
        if tag == "Code" and code is None:
            code = el.text
        elif tag == "Message" and msg is None:
            msg = el.text
    return code, msg


def query_error(code, message, request_id, sender=True):
    """An AWS Query-protocol error body (reference §2.1)."""
    root = ET.Element("ErrorResponse", {"xmlns": IAM_NS})
    err = ET.SubElement(root, "Error")
    ET.SubElement(err, "Type").text = "Sender" if sender else "Receiver"
    ET.SubElement(err, "Code").text = code
    ET.SubElement(err, "Message").text = message
    ET.SubElement(root, "RequestId").text = request_id
    return ET.tostring(root, encoding="utf-8")


def json_error(code, message):
    return json.dumps({"__type": code, "message": message}).encode()
