"""CloudTrail event history, which moto does not have: a per-account store of
event records, filled by the front from the CreateRole calls and the changes
CHG-* read (CHANGE_NAMES) it sees (and by the control API), served through LookupEvents with AWS's paging, filters,
time range, 90-day horizon and 2-requests-per-second throttle."""
import base64
import copy
import datetime
import hashlib
import json
import os
import threading
import time
import uuid

RETENTION_S = 90 * 86400
MAX_RESULTS = 50
ATTR_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType",
             "ResourceName", "EventSource", "AccessKeyId")


class LookupError_(Exception):
    """A LookupEvents client error: (code, message)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(v):
    """Epoch seconds (number) or ISO 8601 text -> epoch seconds."""
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        try:
            return float(s)
        except ValueError:
            pass
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        dt = datetime.datetime.fromisoformat(s)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=datetime.timezone.utc)
        return dt.timestamp()
    raise ValueError(f"not a time: {v!r}")


def human_date(ts):
    """responseElements.role.createDate's non-ISO style ("Nov 27, 2026, 7:04:13 PM")."""
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    hour = d.hour % 12 or 12
    return f"{d.strftime('%b')} {d.day}, {d.year}, {hour}:{d.strftime('%M:%S')} {'AM' if d.hour < 12 else 'PM'}"


class Bucket:
    """Token bucket: `burst` requests at once, refilled at `rate` per second."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.t = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


# AWS's LookupEvents rate (2 a second per account and region); the suites'
# bed (bedlib) allows 20, with the collector's gap narrowed to match
# (IAMGRADE_LOOKUP_GAP_MS): pacing tests set 2 on their account.
DEFAULT_RATE = float(os.environ.get("BED_LOOKUP_RATE", "2"))


class Trail:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.events = {}      # account -> [entry]; entry = {"time", "record", "raw", "summary"}
            self.buckets = {}     # (account, region) -> Bucket
            self.config = {}      # account -> {"empty_pages", "rate", "burst"}
            self.seq = 0

    def configure(self, account, empty_pages=None, rate=None, burst=None):
        with self.lock:
            c = self.config.setdefault(account, {"empty_pages": 0, "rate": DEFAULT_RATE, "burst": 2.0})
            if empty_pages is not None:
                c["empty_pages"] = int(empty_pages)
            if rate is not None:
                c["rate"] = float(rate)
            if burst is not None:
                c["burst"] = float(burst)
            for key in [k for k in self.buckets if k[0] == account]:
                del self.buckets[key]
            return dict(c)

    def _cfg(self, account):
        return self.config.get(account, {"empty_pages": 0, "rate": DEFAULT_RATE, "burst": 2.0})

    # --- storing ---

    def add(self, account, record, raw=None, summary=None):
        """Store an event record (dict).  raw, when given, is served as
        CloudTrailEvent instead of the record's JSON (hostile or broken
        records); summary overrides LookupEvents' summary fields."""
        t = parse_time(record["eventTime"])
        with self.lock:
            self.seq += 1
            self.events.setdefault(account, []).append(
                {"time": t, "seq": self.seq, "record": record, "raw": raw, "summary": summary or {}})
        return record

    def age(self, account, seconds, keep=("CreateRole",)):
        """Move the events recorded so far, but those named in keep, seconds into
        the past: a seed's setup happened long before the window it grades."""
        with self.lock:
            for e in self.events.get(account, []):
                if e["record"].get("eventName") in keep:
                    continue
                e["time"] -= seconds
                e["record"]["eventTime"] = iso(e["time"])
            return len(self.events.get(account, []))

    def records(self, account):
        with self.lock:
            return [copy.deepcopy(e["record"]) for e in self.events.get(account, [])]

    # --- LookupEvents ---

    def throttled(self, account, region):
        with self.lock:
            c = self._cfg(account)
            b = self.buckets.get((account, region))
            if b is None:
                b = self.buckets[(account, region)] = Bucket(c["rate"], c["burst"])
            return not b.take()

    @staticmethod
    def _summary(e):
        r = e["record"]
        ui = r.get("userIdentity") or {}
        if ui.get("type") == "IAMUser":
            username = ui.get("userName")
        elif ui.get("type") == "AssumedRole":
            username = (ui.get("arn") or "").rsplit("/", 1)[-1] or None
        elif ui.get("type") == "Root":
            username = "root"
        else:
            username = ui.get("userName")
        rp = r.get("requestParameters") or {}
        s = {
            "EventId": r.get("eventID"),
            "EventName": r.get("eventName"),
            "ReadOnly": "true" if r.get("readOnly") else "false",
            "AccessKeyId": ui.get("accessKeyId"),
            "EventTime": e["time"],
            "EventSource": r.get("eventSource"),
            "Username": username,
            "Resources": ([{"ResourceType": "AWS::IAM::Role", "ResourceName": rp["roleName"]}]
                          if isinstance(rp, dict) and rp.get("roleName") else []),
            "CloudTrailEvent": e["raw"] if e["raw"] is not None else json.dumps(r),
        }
        s.update(e["summary"])
        return {k: v for k, v in s.items() if v is not None}

    def lookup(self, account, region, params, now=None):
        """One LookupEvents page.  Raises LookupError_ on a client error."""
        now = time.time() if now is None else now
        attrs = params.get("LookupAttributes") or []
        if not isinstance(attrs, list) or len(attrs) > 1:
            raise LookupError_("InvalidLookupAttributesException",
                               "You cannot specify more than one lookup attribute.")
        attr = None
        if attrs:
            a = attrs[0]
            if not isinstance(a, dict) or a.get("AttributeKey") not in ATTR_KEYS or \
                    not isinstance(a.get("AttributeValue"), str) or not 1 <= len(a["AttributeValue"]) <= 2000:
                raise LookupError_("InvalidLookupAttributesException",
                                   "The lookup attribute key or value is not valid.")
            attr = (a["AttributeKey"], a["AttributeValue"])
        cat = params.get("EventCategory")
        if cat is not None and cat != "insight":
            raise LookupError_("InvalidEventCategoryException", "The event category is not valid.")
        maxr = params.get("MaxResults", MAX_RESULTS)
        if not isinstance(maxr, int) or isinstance(maxr, bool) or not 1 <= maxr <= MAX_RESULTS:
            raise LookupError_("InvalidMaxResultsException",
                               "MaxResults must be a number between 1 and 50.")
        try:
            start = parse_time(params["StartTime"]) if "StartTime" in params else now - RETENTION_S
            end = parse_time(params["EndTime"]) if "EndTime" in params else now
        except (ValueError, TypeError):
            raise LookupError_("InvalidTimeRangeException", "StartTime or EndTime is not a valid time.")
        if start > end:
            raise LookupError_("InvalidTimeRangeException",
                               "Start time must be less than or equal to end time.")
        start = max(start, now - RETENTION_S)

        canon = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")},
                           sort_keys=True)
        h = hashlib.sha256(canon.encode()).hexdigest()[:16]
        offset, pad = 0, self._cfg(account)["empty_pages"]
        if params.get("NextToken") is not None:
            try:
                tok = json.loads(base64.b64decode(params["NextToken"], validate=True))
                offset, pad, th = int(tok["o"]), int(tok["p"]), tok["h"]
            except Exception:
                raise LookupError_("InvalidNextTokenException", "Invalid NextToken.")
            if th != h:
                raise LookupError_("InvalidNextTokenException",
                                   "The NextToken was issued for different request parameters.")

        def token(o, p):
            return base64.b64encode(json.dumps({"o": o, "p": p, "h": h}).encode()).decode()

        if cat == "insight":
            return {"Events": []}
        if pad > 0:
            # An empty page that still carries a token, as AWS sometimes sends.
            return {"Events": [], "NextToken": token(offset, pad - 1)}

        with self.lock:
            entries = list(self.events.get(account, []))
        out = []
        for e in entries:
            r = e["record"]
            if not start <= e["time"] <= end:
                continue
            if r.get("awsRegion", "us-east-1") != region:
                continue
            s = self._summary(e)
            if attr is not None:
                k, v = attr
                if k == "ResourceType":
                    if not any(x.get("ResourceType") == v for x in s.get("Resources", [])):
                        continue
                elif k == "ResourceName":
                    if not any(x.get("ResourceName") == v for x in s.get("Resources", [])):
                        continue
                elif str(s.get(k)) != v:
                    continue
            out.append((e["time"], e["seq"], s))
        out.sort(key=lambda x: (x[0], x[1]), reverse=True)
        page = [s for _, _, s in out[offset:offset + maxr]]
        resp = {"Events": page}
        if offset + maxr < len(out):
            resp["NextToken"] = token(offset + maxr, 0)
        return resp


def create_role_record(account, ident, params, now, source_ip, user_agent,
                       request_id, role=None, error=None):
    """The CloudTrail record of one CreateRole call (reference §9).  params are
    the Query parameters as sent; role is the created role's fields from
    moto's answer (None on failure); error is (code, message) on failure."""
    rp = {"roleName": params.get("RoleName")}
    if params.get("Path") is not None:
        rp["path"] = params["Path"]
    if params.get("Description") is not None:
        rp["description"] = params["Description"]
    if params.get("MaxSessionDuration") is not None:
        try:
            rp["maxSessionDuration"] = int(params["MaxSessionDuration"])
        except ValueError:
            rp["maxSessionDuration"] = params["MaxSessionDuration"]
    if params.get("PermissionsBoundary") is not None:
        rp["permissionsBoundary"] = params["PermissionsBoundary"]
    rp["assumeRolePolicyDocument"] = params.get("AssumeRolePolicyDocument")
    tags = []
    i = 1
    while f"Tags.member.{i}.Key" in params:
        tags.append({"key": params[f"Tags.member.{i}.Key"],
                     "value": params.get(f"Tags.member.{i}.Value", "")})
        i += 1
    if tags:
        rp["tags"] = tags
    rec = {
        "eventVersion": "1.08",
        "userIdentity": ident,
        "eventTime": iso(now),
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateRole",
        "awsRegion": "us-east-1",
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
    }
    if error is not None:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = rp
    if role is not None:
        re_ = {
            "path": role.get("Path", "/"),
            "roleName": role.get("RoleName"),
            "roleId": role.get("RoleId"),
            "arn": role.get("Arn"),
            "createDate": human_date(now),
            "assumeRolePolicyDocument": role.get("AssumeRolePolicyDocument"),
        }
        if role.get("Description") is not None:
            re_["description"] = role["Description"]
        if role.get("MaxSessionDuration") is not None:
            re_["maxSessionDuration"] = int(role["MaxSessionDuration"])
        if tags:
            re_["tags"] = tags
        rec["responseElements"] = {"role": re_}
    else:
        rec["responseElements"] = None
    return _finish(rec, account, request_id, "iam.amazonaws.com")


def _finish(rec, account, request_id, host):
    """The members every management event record ends with."""
    rec.update({
        "requestID": request_id,
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": host},
    })
    return rec


def fill_injected(account, rec, now):
    """Complete an injected record with the defaults of a CreateRole record,
    keeping every member the caller gave (even hostile values)."""
    out = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "Root", "principalId": account,
                         "arn": f"arn:aws:iam::{account}:root", "accountId": account},
        "eventTime": iso(now),
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateRole",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
        "requestParameters": None,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    out.update(rec)
    if isinstance(out.get("eventTime"), (int, float)):
        out["eventTime"] = iso(out["eventTime"])
    return out


# The calls CHG-* read (collector/cloudtrail.c ct_change_*_names), by service.
CHANGE_NAMES = {
    "iam": {"UpdateAssumeRolePolicy", "AttachRolePolicy", "PutRolePolicy", "CreatePolicyVersion",
            "SetDefaultPolicyVersion", "CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile"},
    "cloudtrail": {"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors",
                   "PutInsightSelectors"},
}
# What CloudTrail leaves out of requestParameters: secrets.
SECRET_PARAMS = {"Password", "password"}
BOOL_PARAMS = {"SetAsDefault", "PasswordResetRequired"}


def _lower_first(k):
    return k[:1].lower() + k[1:]


def _camel(v):
    """JSON request members as CloudTrail writes them: lowerCamelCase keys, all the way down."""
    if isinstance(v, dict):
        return {_lower_first(k): _camel(x) for k, x in v.items() if k not in SECRET_PARAMS}
    if isinstance(v, list):
        return [_camel(x) for x in v]
    return v


def change_record(account, service, action, region, ident, params, now, source_ip, user_agent,
                  request_id, response=None, error=None):
    """The CloudTrail record of one change call (reference §9's shape, as for
    CreateRole).  params: the Query parameters (IAM) or the JSON body
    (CloudTrail) as sent; response: responseElements or None; error: (code,
    message) on failure.  Passwords never reach the record, as in AWS."""
    if service == "iam":
        rp = {}
        for k, v in params.items():
            if k in ("Action", "Version") or k in SECRET_PARAMS:
                continue
            rp[_lower_first(k)] = (v.lower() == "true") if k in BOOL_PARAMS and isinstance(v, str) else v
        source, rec_region = "iam.amazonaws.com", "us-east-1"
    else:
        rp = _camel(params)
        source, rec_region = "cloudtrail.amazonaws.com", region
    rec = {
        "eventVersion": "1.08",
        "userIdentity": ident,
        "eventTime": iso(now),
        "eventSource": source,
        "eventName": action,
        "awsRegion": rec_region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
    }
    if error is not None:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = rp or None
    rec["responseElements"] = response if error is None else None
    return _finish(rec, account, request_id,
                   source if service == "iam" else f"cloudtrail.{region}.amazonaws.com")
