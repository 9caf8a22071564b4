#!/usr/bin/env python3
"""The test bed: moto's server app (IAM, STS, CloudTrail, Organizations, ...)
in-process behind "the front", a WSGI layer of ours that adds what moto
lacks (CloudTrail LookupEvents and its event history, the credential
report's root row, AWS-shaped answers), fault injection, per-account request
counts and a control API under /_bed/.  One process, one port.

    python3 tests/bed/bed.py [--port 0] [--port-file F] [--seed N] [--auth on|off]

See tests/bed/README.md for the control API.
"""
import argparse
import datetime
import io
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

# Before moto is imported: AWS-managed policies (AdministratorAccess, ...)
# must exist in every account the bed creates.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.pop("MOTO_ACCOUNT_ID", None)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from werkzeug.datastructures import EnvironHeaders  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.exceptions import (AccessDeniedError, InvalidClientTokenIdError,  # noqa: E402
                                  SignatureDoesNotMatchError)
from moto.iam.models import AccessKeyLastUsed  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402
from moto.moto_api._internal.models import moto_api_backend  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402

import bed_auth  # noqa: E402
import bed_iam  # noqa: E402
from bed_lastaccess import LastAccessed  # noqa: E402
import bed_securityhub  # noqa: E402
import bed_sso  # noqa: E402
from bed_faults import HANG_KINDS, PAGE_KINDS, FaultError, Faults  # noqa: E402
from bed_trail import (CHANGE_NAMES, LookupError_, Trail, change_record, create_role_record,  # noqa: E402
                       fill_injected, parse_time)

JSON_SERVICES = {"cloudtrail", "organizations"}
# AWS takes these unsigned: the token or the assertion is the proof.
UNSIGNED_OK = {"sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}
QUERY_NS = {"iam": bed_iam.IAM_NS, "sts": bed_iam.STS_NS}
REPORT_TTL_S = 4 * 3600
# Errors after which AWS records no CloudTrail event: nobody was identified.
UNIDENTIFIED = {"SignatureDoesNotMatch", "InvalidClientTokenId", "IncompleteSignature",
                "MissingAuthenticationToken", "ExpiredToken"}
JSON_AUTH_CODES = {
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "AccessDenied": "AccessDeniedException",
    "ExpiredToken": "ExpiredTokenException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "IncompleteSignature": "IncompleteSignatureException",
}


def now_ts():
    return time.time()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def iso_z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_dt(v):
    """ISO 8601 text or epoch seconds -> naive UTC datetime (moto's convention)."""
    return datetime.datetime.fromtimestamp(parse_time(v), datetime.timezone.utc).replace(tzinfo=None)


class Request:
    """What the front needs to know about one AWS request."""

    def __init__(self, environ, body):
        self.environ = environ
        self.body = body
        self.headers = EnvironHeaders(environ)
        auth = self.headers.get("Authorization", "")
        m = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
        self.signed = m is not None
        self.access_key = m.group(1) if m else None
        self.region = m.group(2) if m else "us-east-1"
        self.service = m.group(3) if m else None
        target = self.headers.get("X-Amz-Target")
        self.params = {}
        if target:
            self.protocol = "json"
            self.action = target.rsplit(".", 1)[-1]
            try:
                p = json.loads(body or b"{}")
                self.params = p if isinstance(p, dict) else {}
            except ValueError:
                self.params = {}
            if self.service is None:
                self.service = "cloudtrail" if "CloudTrail" in target else \
                    "organizations" if "Organizations" in target else "unknown"
        elif self.service == "securityhub":
            # REST-JSON: the operation is the path; the body is the request.
            self.protocol = "rest-json"
            self.action = bed_securityhub.action_of(environ.get("PATH_INFO", "/"))
        else:
            self.protocol = "query"
            try:
                qs = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                qs = {}
            self.params = {k: v[0] for k, v in qs.items()}
            self.action = self.params.get("Action", "Unknown")
            if self.service is None:
                self.service = "sts" if self.params.get("Version") == "2011-06-15" else \
                    "iam" if self.params.get("Version") == "2010-05-08" else "unknown"
        self.svcaction = f"{self.service}:{self.action}"
        xff = self.headers.get("X-Forwarded-For")
        self.source_ip = xff.split(",")[0].strip() if xff else environ.get("REMOTE_ADDR", "127.0.0.1")
        self.user_agent = self.headers.get("User-Agent", "")
        self.request_id = str(uuid.uuid4())
        self.account = None


class Response:
    def __init__(self, status, headers=None, body=b"", mangle=None):
        self.status = status
        self.headers = [(k, v) for k, v in (headers or []) if k.lower() not in
                        ("content-length", "connection", "transfer-encoding")]
        self.body = body
        self.mangle = mangle

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


class Stats:
    """Requests per account and action, counted on arrival, with their outcomes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}

    def reset(self):
        with self.lock:
            self.data = {}

    def arrive(self, account, action):
        with self.lock:
            a = self.data.setdefault(account, {}).setdefault(action, {"count": 0, "status": {}, "faults": {}})
            a["count"] += 1

    def done(self, account, action, status, fault):
        with self.lock:
            a = self.data.setdefault(account, {}).setdefault(action, {"count": 0, "status": {}, "faults": {}})
            a["status"][str(status)] = a["status"].get(str(status), 0) + 1
            if fault:
                a["faults"][fault] = a["faults"].get(fault, 0) + 1

    def snapshot(self, account=None):
        with self.lock:
            data = json.loads(json.dumps(self.data))
        if account is not None:
            data = {account: data.get(account, {})}
        return {"accounts": data,
                "total": sum(a["count"] for acc in data.values() for a in acc.values())}


class Front:
    def __init__(self, seed=0, log=sys.stderr):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.RLock()   # moto's backends are not thread-safe
        self.log = log
        self.seed = seed
        self.faults = Faults(seed)
        self.trail = Trail()
        self.last_accessed = LastAccessed()
        self.stats = Stats()
        self.sso = bed_sso.SSO()
        self.server = None
        self.state_lock = threading.Lock()
        self._reset_state()
        mock_random.seed(seed)

    def _reset_state(self):
        with self.state_lock:
            self.list_accounts_extra = []   # raw members added to ListAccounts' last page
            self.roots = {}        # account -> root row config
            self.reports = {}      # account -> credential report state
            self.pw_changed = {}   # (account, user) -> datetime of the last password set
            self.signers = []      # access key ids that signed requests, in order of first use
            self.assume_calls = []  # sts:AssumeRole* parameters (no web identity token)

    # --- WSGI entry ---

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_bed/"):
            resp = self.control(environ, path)
            return self._send(environ, start_response, resp)
        t0 = time.monotonic()
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0
        body = environ["wsgi.input"].read(n) if n > 0 else b""
        if bed_sso.is_sso(environ.get("REQUEST_METHOD", "GET"), path):
            return self._sso(environ, start_response, body)
        req = Request(environ, body)
        self._record(req)
        with self.lock:
            req.account = self._account(req)
        self.stats.arrive(req.account, req.svcaction)
        latency, fault = self.faults.pick(req.account, req.svcaction, req.params)
        if latency:
            time.sleep(latency / 1000.0)
        try:
            resp = self.handle(req, fault)
        except Exception:
            # A bug of the bed's, not an AWS answer: say so loudly in the log.
            traceback.print_exc(file=self.log)
            resp = self._error(req, 500, "InternalFailure", "bed: internal error (see the bed's log)")
        kind = fault["kind"] if fault else None
        self.stats.done(req.account, req.svcaction, resp.status, kind)
        ms = (time.monotonic() - t0) * 1000
        stamp = datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]
        print(f"{stamp} {req.account} {req.svcaction} {resp.status} {ms:.0f}ms"
              + (f" fault={kind}" if kind else "") + (f" latency={latency}ms" if latency else ""),
              file=self.log, flush=True)
        return self._send(environ, start_response, resp)

    def _sso(self, environ, start_response, body):
        """The IAM Identity Center portal and OIDC (bed_sso): unsigned, no faults."""
        path = environ.get("PATH_INFO", "")
        action = bed_sso.action_of(path)
        q = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        account = q.get("account_id") if re.fullmatch(r"\d{12}", q.get("account_id", "")) \
            else DEFAULT_ACCOUNT_ID
        self.stats.arrive(account, action)
        status, headers, out = self.sso.handle(environ, EnvironHeaders(environ), body)
        self.stats.done(account, action, status, None)
        print(f"{datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3]} {account} {action} {status}",
              file=self.log, flush=True)
        return self._send(environ, start_response, Response(status, headers, out))

    def _record(self, req):
        """Who signed, and what AssumeRole was asked: the credential tests compare
        iamgrade with the AWS CLI's botocore on exactly these."""
        with self.state_lock:
            if req.access_key and req.access_key not in self.signers:
                self.signers.append(req.access_key)
            if req.service == "sts" and req.action.startswith("AssumeRole"):
                self.assume_calls.append({k: v for k, v in req.params.items()
                                          if k not in ("WebIdentityToken", "Version")})

    def _account(self, req):
        hdr = req.headers.get("x-moto-account-id")
        if hdr:
            return hdr
        if req.access_key:
            return bed_auth.account_of_key(req.access_key)
        return DEFAULT_ACCOUNT_ID

    def _send(self, environ, start_response, resp):
        body = resp.body or b""
        headers = list(resp.headers)
        if resp.mangle == "truncate":
            body = body[:len(body) // 2]
        headers.append(("Content-Length", str(len(body))))
        if isinstance(resp.mangle, tuple) and resp.mangle[0] == "hang_headers":
            start_response(f"{resp.status} OK", headers)
            return self._hang_body(resp.mangle[1])
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
                  410: "Gone", 500: "Internal Server Error", 503: "Service Unavailable"}.get(resp.status, "")
        start_response(f"{resp.status} {reason}".strip(), headers)
        if resp.mangle == "reset":
            return self._reset_body(environ, body)
        return [body]

    @staticmethod
    def _hang(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.1)

    def _hang_body(self, seconds):
        yield b""   # werkzeug sends the status line and headers at the first write
        self._hang(seconds)

    def _page_fault(self, req, fault):
        """A page of our own for a paginated call: no items, a marker per the
        rule's kind (the request's marker tells where the client is), padding."""
        kind, js = fault["kind"], req.protocol != "query"
        prev = req.params.get("NextToken" if js else "Marker")
        prev = prev if isinstance(prev, str) else ""
        if kind == "page_repeat":
            token = "bed-loop"
        elif kind == "page_alternate":
            token = "bed-B" if prev == "bed-A" else "bed-A"
        else:
            n = int(prev[len("bed-page-"):]) + 1 if re.fullmatch(r"bed-page-\d+", prev) else 1
            token = f"bed-page-{n}"
        pad = "x" * fault["pad_bytes"]
        if js:
            member = {"cloudtrail": "Events", "organizations": "Accounts"}.get(req.service, "Items")
            doc = {member: [], "NextToken": token}
            if pad:
                doc["BedPadding"] = pad
            return Response(200, [("Content-Type", "application/x-amz-json-1.1"),
                                  ("x-amzn-RequestId", req.request_id)], json.dumps(doc).encode())
        a, ns = req.action, QUERY_NS.get(req.service, bed_iam.IAM_NS)
        body = (f'<{a}Response xmlns="{ns}"><{a}Result><IsTruncated>true</IsTruncated>'
                f'<Marker>{token}</Marker>' + (f"<BedPadding>{pad}</BedPadding>" if pad else "") +
                f'</{a}Result><ResponseMetadata><RequestId>{req.request_id}</RequestId>'
                f'</ResponseMetadata></{a}Response>')
        return Response(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", req.request_id)],
                        body.encode())

    @staticmethod
    def _reset_body(environ, body):
        yield body[:len(body) // 2]
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            # Linger 0: closing the socket sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raise ConnectionResetError("bed: injected connection reset")

    # --- AWS requests ---

    def _error(self, req, status, code, message):
        if req.protocol != "query":
            if req.service == "organizations" and code == "ThrottlingException":
                code = "TooManyRequestsException"
            body = bed_iam.json_error(code, message)
            return Response(status, [("Content-Type", "application/x-amz-json-1.1"),
                                     ("x-amzn-RequestId", req.request_id),
                                     ("x-amzn-ErrorType", code)], body)
        body = bed_iam.query_error(code, message, req.request_id, sender=status < 500)
        ns = QUERY_NS.get(req.service)
        if ns and ns != bed_iam.IAM_NS:
            body = body.replace(bed_iam.IAM_NS.encode(), ns.encode(), 1)
        return Response(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", req.request_id)], body)

    def _fault_response(self, req, fault):
        kind = fault["kind"]
        js = req.protocol != "query"
        if kind == "throttle":
            return self._error(req, 400, "ThrottlingException" if js else "Throttling", "Rate exceeded")
        if kind == "unavailable":
            return self._error(req, 503, "ServiceUnavailableException" if js else "ServiceUnavailable",
                               "Service is unable to handle request.")
        if kind == "unavailable_empty":
            return Response(503, [("Content-Type", "text/plain")], b"")
        if kind == "internal":
            code = "InternalFailure" if js or req.service != "iam" else "ServiceFailure"
            return self._error(req, 500, code, "We encountered an internal error. Please try again.")
        if kind == "deny":
            with self.lock:
                arn = bed_auth.caller_arn(req.account, req.access_key) if req.access_key else "anonymous"
            resource = req.params.get("RoleArn", "*")
            msg = f"User: {arn} is not authorized to perform: {req.svcaction} on resource: {resource}"
            if js:
                return self._error(req, 400, "AccessDeniedException", msg)
            return self._error(req, 403, "AccessDenied", msg)
        if kind in PAGE_KINDS:
            return self._page_fault(req, fault)
        if kind == "hang_silent":
            self._hang(fault["latency_ms"] / 1000.0 if fault["latency_ms"] else 600)
            return self._error(req, 503, "ServiceUnavailable", "bed: the hang is over")
        if kind == "hang_headers":
            body = b'{"Events": []}' if js else b"<never/>"
            return Response(200, [("Content-Type", "application/x-amz-json-1.1" if js else "text/xml")],
                            body, mangle=("hang_headers", fault["latency_ms"] / 1000.0
                                          if fault["latency_ms"] else 600))
        if kind == "expired_token":
            if js:
                return self._error(req, 400, "ExpiredTokenException",
                                   "The security token included in the request is expired")
            return self._error(req, 403, "ExpiredToken", "The security token included in the request is expired")
        return None

    def handle(self, req, fault):
        if fault is not None:
            r = self._fault_response(req, fault)
            if r is not None:
                return r
        if bed_auth.auth_enabled() and not req.signed and req.svcaction not in UNSIGNED_OK:
            if req.protocol != "query":
                return self._error(req, 400, "MissingAuthenticationTokenException",
                                   "Missing Authentication Token")
            return self._error(req, 403, "MissingAuthenticationToken",
                               "Request is missing Authentication Token")
        if req.svcaction == "cloudtrail:LookupEvents":
            resp = self.lookup_events(req)
        elif req.svcaction == "securityhub:BatchImportFindings":
            resp = self.securityhub_import(req)
        elif req.svcaction in ("iam:GenerateServiceLastAccessedDetails",
                               "iam:GetServiceLastAccessedDetails"):
            resp = self.service_last_accessed(req)
        elif not req.signed and req.svcaction in UNSIGNED_OK:
            # moto's authentication knows no unsigned action: it is off for this one call.
            with self.lock:
                was = bed_auth.auth_enabled()
                bed_auth.set_auth(False)
                try:
                    resp = self.call_moto(req)
                finally:
                    bed_auth.set_auth(was)
            resp = self.post_fix(req, resp)
        else:
            resp = self.call_moto(req)
            resp = self.post_fix(req, resp)
        if fault is not None and fault["kind"] in ("reset", "truncate"):
            resp.mangle = fault["kind"]
        elif fault is not None and fault["kind"] == "strip" and resp.status == 200:
            # A well-formed answer missing a member AWS documents as always there.
            el = fault["element"].encode()
            resp = Response(200, resp.headers, re.sub(b"<" + el + b">.*?</" + el + b">", b"",
                                                      resp.body, count=1, flags=re.S))
        elif fault is not None and fault["kind"] == "malformed":
            if req.protocol != "query":
                body = b'{"Events": [{"EventId": "bed-malformed", "CloudTrailEvent": '
            else:
                tag = f"{req.action}Response".encode()
                body = b"<" + tag + b' xmlns="' + QUERY_NS.get(req.service, bed_iam.IAM_NS).encode() + \
                    b'"><Broken>&bogus;</Mismatched>'
            resp = Response(200, resp.headers, body)
        return resp

    def securityhub_import(self, req):
        """BatchImportFindings with AWS's limits and rules (bed_securityhub)."""
        err, findings = bed_securityhub.check_request(req.body)
        if err is not None:
            return self._error(req, 400, *err)
        resp = self.call_moto(req)
        if resp.status != 200:
            return self.post_fix(req, resp)
        refused = bed_securityhub.refusals(findings, req.account, req.region)
        with self.lock:
            bed_securityhub.drop(req.account, req.region, set(refused))
        return Response(200, [("Content-Type", "application/json")],
                        bed_securityhub.amend(resp.body, refused, len(findings)))

    def call_moto(self, req):
        environ = dict(req.environ)
        environ["wsgi.input"] = io.BytesIO(req.body)
        environ["CONTENT_LENGTH"] = str(len(req.body))
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: chunks.append(data)

        chunks = []
        with self.lock:
            bed_auth.s3_raw_uri = environ.get("REQUEST_URI") if req.service == "s3" else None
            it = self.moto(environ, start_response)
            try:
                for c in it:
                    chunks.append(c)
            finally:
                if hasattr(it, "close"):
                    it.close()
        status = int(captured["status"].split()[0])
        return Response(status, captured["headers"], b"".join(chunks))

    def post_fix(self, req, resp):
        """Make moto's answer what AWS would send, and record what CloudTrail would."""
        if req.action in CHANGE_NAMES.get(req.service, ()):
            self._record_change(req, resp)
        if req.protocol != "query":
            return self._fix_json(req, resp)
        if resp.status >= 400 and b"<Errors>" in resp.body[:300]:
            # moto's auth errors come EC2-style (<ErrorResponse><Errors><Error>); IAM and STS
            # answer <ErrorResponse><Error>...</Error><RequestId>.
            code, msg = bed_iam.error_code_message(resp.body)
            if code:
                resp = self._error(req, resp.status, code, msg or "")
        a = req.svcaction
        if a == "iam:CreateRole":
            self._record_create_role(req, resp)
        elif a in ("iam:CreateLoginProfile", "iam:UpdateLoginProfile") and resp.status == 200:
            with self.state_lock:
                self.pw_changed[(req.account, req.params.get("UserName"))] = utcnow()
        elif a in ("iam:GenerateCredentialReport", "iam:GetCredentialReport"):
            resp = self._credential_report(req, resp)
        elif resp.status != 200:
            return resp
        elif a == "iam:GetAccountSummary":
            resp.body = bed_iam.fix_account_summary(resp.body, self.root(req.account))
        elif a == "iam:GetAccountPasswordPolicy":
            resp.body = bed_iam.fix_password_policy(resp.body)
        elif a == "iam:ListVirtualMFADevices":
            resp.body = bed_iam.fix_virtual_mfa(resp.body, req.account, self.root(req.account), req.params)
        elif a == "iam:GetAccountAuthorizationDetails":
            with self.lock:
                body = bed_iam.fix_authorization_details(resp.body, req.account, req.params)
            if body is None:
                return self._error(req, 400, "InvalidInput", "Invalid Marker.")
            resp.body = body
        return resp

    def _fix_json(self, req, resp):
        resp.set_header("Content-Type", "application/x-amz-json-1.1")
        if resp.status >= 400 and resp.body.lstrip().startswith(b"<"):
            # moto answers auth failures in XML whatever the protocol.
            code, msg = bed_iam.error_code_message(resp.body)
            code = JSON_AUTH_CODES.get(code, code or "InternalFailure")
            return self._error(req, 400 if resp.status < 500 else resp.status, code, msg or "")
        if resp.status != 200:
            return resp
        try:
            if req.svcaction == "cloudtrail:DescribeTrails":
                # moto sends null for members AWS leaves out
                doc = json.loads(resp.body)
                doc["trailList"] = [{k: v for k, v in t.items() if v is not None}
                                    for t in doc.get("trailList", [])]
                resp.body = json.dumps(doc).encode()
            elif req.svcaction == "organizations:ListAccounts" and self.list_accounts_extra:
                # Members of our own on the last page: ids, duplicates, names AWS never sends.
                doc = json.loads(resp.body)
                if not doc.get("NextToken"):
                    doc["Accounts"] = doc.get("Accounts", []) + list(self.list_accounts_extra)
                    resp.body = json.dumps(doc).encode()
            elif req.svcaction == "cloudtrail:GetTrailStatus":
                # moto pretends a log delivery at every GetTrailStatus and sends ""
                # for members AWS leaves out; nothing is ever delivered in the bed
                # but at logging start, so the status stays put between calls.
                doc = {k: v for k, v in json.loads(resp.body).items() if v != ""}
                doc.pop("LatestDeliveryTime", None)
                doc.pop("LatestDeliveryAttemptTime", None)
                if "StartLoggingTime" in doc:
                    doc["LatestDeliveryTime"] = doc["StartLoggingTime"]
                    doc["LatestDeliveryAttemptTime"] = doc.get("TimeLoggingStarted")
                    doc["LatestDeliveryAttemptSucceeded"] = doc.get("TimeLoggingStarted")
                resp.body = json.dumps(doc).encode()
        except (ValueError, AttributeError):
            pass
        return resp

    def _record_create_role(self, req, resp):
        if resp.status == 200:
            role, error = bed_iam.role_from_create_response(resp.body), None
        else:
            code, msg = bed_iam.error_code_message(resp.body)
            if code is None or code in UNIDENTIFIED:
                return
            role, error = None, (code, msg or "")
        with self.lock:
            ident = bed_auth.identity(req.account, req.access_key or "")
        rid = resp.header("x-amzn-RequestId") or req.request_id
        rec = create_role_record(req.account, ident, req.params, now_ts(), req.source_ip,
                                 req.user_agent, rid, role=role, error=error)
        self.trail.add(req.account, rec)

    def _record_change(self, req, resp):
        """A call CHG-* read, as CloudTrail records it (bed_trail.change_record)."""
        response, error = None, None
        if resp.status == 200:
            if req.svcaction == "iam:CreateAccessKey":
                key = bed_iam.access_key_from_create_response(resp.body)
                if key is not None:
                    response = {"accessKey": key}
        else:
            if req.protocol == "json" and not resp.body.lstrip().startswith(b"<"):
                try:
                    doc = json.loads(resp.body)
                    code, msg = str(doc.get("__type", "")).split("#")[-1] or None, doc.get("message")
                except (ValueError, AttributeError):
                    code, msg = None, None
            else:
                code, msg = bed_iam.error_code_message(resp.body)
            if code is None or code in UNIDENTIFIED:
                return
            error = (code, msg or "")
        with self.lock:
            ident = bed_auth.identity(req.account, req.access_key or "")
        rid = resp.header("x-amzn-RequestId") or req.request_id
        self.trail.add(req.account, change_record(
            req.account, req.service, req.action, req.region, ident, req.params, now_ts(),
            req.source_ip, req.user_agent, rid, response=response, error=error))

    def root(self, account):
        with self.state_lock:
            r = self.roots.get(account)
        return r if r is not None else bed_iam.default_root(utcnow())

    def _credential_report(self, req, resp):
        """AWS's generate-then-poll cycle, with a configurable number of polls
        before the report is ready (or never).  The report is frozen when it
        completes and served unchanged for 4 hours, as AWS does.  moto's own
        answer is used only for its authentication verdict."""
        if resp.status not in (200, 410):
            return resp
        now = now_ts()
        with self.lock, self.state_lock:
            st = self.reports.setdefault(req.account, self._new_report())
            if req.action == "GenerateCredentialReport":
                if st["pending"] is None and st["generated"] is not None and \
                        now - st["generated"] < REPORT_TTL_S and st["mode"] == "normal":
                    state = "COMPLETE"
                elif st["pending"] is None:
                    st["generated"], st["content"] = None, None
                    st["pending"] = float("inf") if st["mode"] == "never" else st["delay_polls"]
                    state = "STARTED"
                    if st["pending"] <= 0:
                        self._complete_report(req.account, st, now)
                else:
                    st["pending"] -= 1
                    state = "INPROGRESS"
                    if st["pending"] <= 0:
                        self._complete_report(req.account, st, now)
                        state = "COMPLETE"
                return Response(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", req.request_id)],
                                bed_iam.generate_credential_report_xml(state, req.request_id))
            if st["pending"] is not None:
                st["pending"] -= 1
                if st["pending"] > 0:
                    return self._error(req, 404, "ReportInProgress",
                                       "Credential report is being generated.")
                self._complete_report(req.account, st, now)
            if st["generated"] is None:
                return self._error(req, 410, "ReportNotPresent", "Credential report not present.")
            if now - st["generated"] > REPORT_TTL_S:
                return self._error(req, 410, "ReportExpired", "Credential report has expired.")
            generated = datetime.datetime.fromtimestamp(st["generated"], datetime.timezone.utc)
            content = st["content"]
        return Response(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", req.request_id)],
                        bed_iam.get_credential_report_xml(content, iso_z(generated), req.request_id))

    @staticmethod
    def _new_report():
        return {"mode": "normal", "delay_polls": 0, "generated": None, "pending": None, "content": None}

    def _complete_report(self, account, st, now):
        """Build the report now (caller holds self.lock and self.state_lock)."""
        root = self.roots.get(account) or bed_iam.default_root(utcnow())
        pw = {u: t for (a, u), t in self.pw_changed.items() if a == account}
        st["pending"], st["generated"] = None, now
        st["content"] = bed_iam.credential_report_csv(account, root, pw)

    def _front_auth(self, req, codes):
        """moto's signature and permission check for a call the front serves
        itself: an error Response (codes: (status, signature, key, denied)
        in the protocol's spelling), or None when allowed."""
        if not bed_auth.auth_enabled():
            return None
        try:
            with self.lock:
                bed_auth.check_request(req.account, req.environ.get("REQUEST_METHOD", "POST"),
                                       req.environ.get("PATH_INFO", "/") or "/", req.body,
                                       req.headers, req.action)
        except SignatureDoesNotMatchError as e:
            return self._error(req, codes[0], codes[1], e.message)
        except InvalidClientTokenIdError as e:
            return self._error(req, codes[0], codes[2], e.message)
        except AccessDeniedError as e:
            return self._error(req, codes[0], codes[3], e.message + " because no identity-based "
                               f"policy allows the {req.svcaction} action")
        return None

    def lookup_events(self, req):
        denied = self._front_auth(req, (400, "InvalidSignatureException", "UnrecognizedClientException",
                                        "AccessDeniedException"))
        if denied is not None:
            return denied
        if self.trail.throttled(req.account, req.region):
            return self._error(req, 400, "ThrottlingException", "Rate exceeded")
        try:
            page = self.trail.lookup(req.account, req.region, req.params)
        except LookupError_ as e:
            return self._error(req, 400, e.code, e.message)
        return Response(200, [("Content-Type", "application/x-amz-json-1.1"),
                              ("x-amzn-RequestId", req.request_id)], json.dumps(page).encode())

    def service_last_accessed(self, req):
        """GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails
        (bed_lastaccess.py): jobs that take a few polls, fail when told to."""
        denied = self._front_auth(req, (403, "SignatureDoesNotMatch", "InvalidClientTokenId",
                                        "AccessDenied"))
        if denied is not None:
            return denied
        key = req.access_key or ""
        if req.action == "GenerateServiceLastAccessedDetails":
            with self.lock:
                out = self.last_accessed.generate(req.account, bed_auth.iam_backend(req.account),
                                                  key, req.params, req.request_id)
        else:
            out = self.last_accessed.get(key, req.params, req.request_id)
        if out[0] != 200:
            return self._error(req, out[0], out[1], out[2])
        return Response(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", req.request_id)],
                        out[1])

    # --- control API ---

    def control(self, environ, path):
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0
        raw = environ["wsgi.input"].read(n) if n > 0 else b""
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("the request body is a JSON object")
            name = path[len("/_bed/"):].strip("/")
            fn = getattr(self, "ctl_" + name.replace("/", "_"), None)
            if fn is None:
                return self._json(404, {"error": f"no control endpoint /_bed/{name}"})
            out = fn(method, body, query)
            return self._json(200, out)
        except (ValueError, KeyError, TypeError, FaultError) as e:
            return self._json(400, {"error": f"{type(e).__name__}: {e}"})

    @staticmethod
    def _json(status, obj):
        return Response(status, [("Content-Type", "application/json")],
                        json.dumps(obj, indent=1).encode() + b"\n")

    def _want(self, method, *allowed):
        if method not in allowed:
            raise ValueError(f"use {' or '.join(allowed)}")

    @staticmethod
    def _acct(body):
        a = str(body.get("account", DEFAULT_ACCOUNT_ID))
        if not re.fullmatch(r"\d{12}", a):
            raise ValueError(f"account must be 12 digits, got {a!r}")
        return a

    def ctl_health(self, method, body, query):
        port = self.server.server_address[1] if self.server else None
        return {"ok": True, "auth": bed_auth.auth_enabled(), "port": port, "seed": self.seed,
                "default_account": DEFAULT_ACCOUNT_ID}

    def ctl_auth(self, method, body, query):
        if method == "POST":
            bed_auth.set_auth(bool(body["enabled"]))
        return {"auth": bed_auth.auth_enabled()}

    def ctl_reset(self, method, body, query):
        self._want(method, "POST")
        with self.lock:
            moto_api_backend.reset()
            bed_auth.set_auth(False)
            mock_random.seed(self.seed)
        self.trail.reset()
        self.last_accessed.reset()
        self.stats.reset()
        self.sso.reset()
        self.faults.set_rules([], seed=self.seed)
        self._reset_state()
        return {"reset": True}

    def ctl_faults(self, method, body, query):
        if method == "POST":
            self.faults.set_rules(body.get("rules", []), seed=body.get("seed"))
        return self.faults.describe()

    def ctl_list_accounts(self, method, body, query):
        """Raw members appended to Organizations ListAccounts' last page (hostile
        listings: bad ids, duplicates, escape sequences in names); [] clears."""
        if method == "POST":
            extra = body.get("extra", [])
            if not isinstance(extra, list):
                raise ValueError("extra is a list of ListAccounts members")
            with self.state_lock:
                self.list_accounts_extra = extra
        return {"extra": self.list_accounts_extra}

    def ctl_sso_grant(self, method, body, query):
        self._want(method, "POST")
        return self.sso.grant(body)

    def ctl_sso_client(self, method, body, query):
        self._want(method, "POST")
        return self.sso.client(body)

    def ctl_sso(self, method, body, query):
        return self.sso.describe()

    def ctl_signers(self, method, body, query):
        """The access keys that signed requests and the AssumeRole calls; POST clears."""
        with self.state_lock:
            if method == "POST":
                self.signers, self.assume_calls = [], []
            return {"signers": list(self.signers), "assume_calls": list(self.assume_calls)}

    def ctl_securityhub(self, method, body, query):
        """The findings Security Hub keeps for ?account=ID, every region; POST
        {"refuse": [Id, ...]}: those findings are refused from now on."""
        if method == "POST":
            bed_securityhub.REFUSE.clear()
            bed_securityhub.REFUSE.update(body.get("refuse", []))
            return {"refuse": sorted(bed_securityhub.REFUSE)}
        with self.lock:
            return {"findings": bed_securityhub.stored(query["account"])}

    def ctl_stats(self, method, body, query):
        return self.stats.snapshot(query.get("account"))

    def ctl_stats_reset(self, method, body, query):
        self._want(method, "POST")
        self.stats.reset()
        return {"reset": True}

    def ctl_inject_event(self, method, body, query):
        """Store a record as if CloudTrail had logged it.  body: account, record
        (members override the CreateRole defaults), optional raw (a string served
        as CloudTrailEvent instead of the record) and summary (LookupEvents
        summary members to override)."""
        self._want(method, "POST")
        acct = self._acct(body)
        rec = body.get("record") or {}
        if not isinstance(rec, dict):
            raise ValueError("record is a JSON object")
        full = fill_injected(acct, rec, now_ts())
        raw = body.get("raw")
        if raw is not None and not isinstance(raw, str):
            raise ValueError("raw is a string")
        self.trail.add(acct, full, raw=raw, summary=body.get("summary"))
        return {"record": full}

    def ctl_age_events(self, method, body, query):
        """Move the account's events recorded so far, but CreateRole's (or body's
        keep list), body["days"] days into the past: a seed's setup."""
        self._want(method, "POST")
        acct = self._acct(body)
        keep = tuple(body.get("keep", ["CreateRole"]))
        return {"account": acct, "events": self.trail.age(acct, float(body["days"]) * 86400, keep)}

    def ctl_events(self, method, body, query):
        acct = self._acct(query)
        return {"events": self.trail.records(acct)}

    def ctl_root_row(self, method, body, query):
        acct = self._acct(body if method == "POST" else query)
        if method == "POST":
            cfg = {k: v for k, v in body.items() if k != "account"}
            bed_iam.check_root(cfg)
            merged = dict(bed_iam.default_root(utcnow()))
            merged.update(cfg)
            with self.state_lock:
                self.roots[acct] = merged
        return {"account": acct, "root": self.root(acct)}

    def ctl_report(self, method, body, query):
        """Credential report behaviour: mode normal|never, delay_polls N."""
        acct = self._acct(body if method == "POST" else query)
        with self.state_lock:
            st = self.reports.setdefault(acct, self._new_report())
            if method == "POST":
                if body.get("mode", st["mode"]) not in ("normal", "never"):
                    raise ValueError("report mode is normal or never")
                st["mode"] = body.get("mode", st["mode"])
                st["delay_polls"] = int(body.get("delay_polls", st["delay_polls"]))
                st["generated"], st["pending"], st["content"] = None, None, None
            return {"account": acct, "mode": st["mode"], "delay_polls": st["delay_polls"]}

    def ctl_last_accessed(self, method, body, query):
        """Service last accessed: delay_polls, fail [ARN], usage {ARN: {ns: ...}}."""
        acct = self._acct(body if method == "POST" else query)
        return self.last_accessed.configure(acct, body if method == "POST" else {})

    def ctl_lookup(self, method, body, query):
        """LookupEvents behaviour: empty_pages (before the first real page), rate, burst."""
        self._want(method, "POST")
        acct = self._acct(body)
        return {"account": acct, **self.trail.configure(
            acct, body.get("empty_pages"), body.get("rate"), body.get("burst"))}

    def ctl_backdate(self, method, body, query):
        """Move timestamps moto sets to "now" into the past (user, keys, role)."""
        self._want(method, "POST")
        acct = self._acct(body)
        with self.lock:
            be = bed_auth.iam_backend(acct)
            if "role" in body:
                role = be.get_role(body["role"])
                if "created" in body:
                    role.create_date = to_dt(body["created"])
                return {"role": role.name, "created": iso_z(role.create_date)}
            user = be.get_user(body["user"])
            if "created" in body:
                user.create_date = to_dt(body["created"])
            if "password_last_used" in body:
                v = body["password_last_used"]
                user.password_last_used = to_dt(v) if v else None
            if "password_last_changed" in body:
                with self.state_lock:
                    self.pw_changed[(acct, user.name)] = to_dt(body["password_last_changed"])
            for k in body.get("keys", []):
                if "id" in k:
                    key = next(x for x in user.access_keys if x.access_key_id == k["id"])
                else:
                    key = user.access_keys[int(k.get("index", 0))]
                if "created" in k:
                    key.create_date = to_dt(k["created"])
                if "last_used" in k:
                    key.last_used = None if k["last_used"] is None else AccessKeyLastUsed(
                        to_dt(k["last_used"]), k.get("service", "iam"), k.get("region", "us-east-1"))
                if "status" in k:
                    key.status = k["status"]
            for dev in user.mfa_devices.values():
                if "mfa_enabled" in body:
                    dev.enable_date = to_dt(body["mfa_enabled"])
            return {"user": user.name, "created": iso_z(user.create_date),
                    "keys": [{"id": k.access_key_id, "created": iso_z(k.create_date)}
                             for k in user.access_keys]}

    def ctl_users(self, method, body, query):
        """Many users at once (make bench): for each {"name", "keys": 0-2, "console",
        "mfa", "groups"} the moto calls IAM's CreateUser, CreateAccessKey,
        CreateLoginProfile, CreateVirtualMFADevice + EnableMFADevice and
        AddUserToGroup make, without an HTTP request each.  Not counted in the stats."""
        from moto.core.exceptions import ServiceException
        self._want(method, "POST")
        acct = self._acct(body)
        users = body.get("users")
        if not isinstance(users, list):
            raise ValueError("users is a list of {name, keys, console, mfa, groups}")
        with self.lock:
            be = bed_auth.iam_backend(acct)
            try:
                for u in users:
                    name = u["name"]
                    be.create_user("us-east-1", user_name=name, path=None, tags=[])
                    for _ in range(int(u.get("keys", 0))):
                        be.create_access_key(name)
                    if u.get("console"):
                        be.create_login_profile(name, "Bed-Passw0rd-!x9")
                        with self.state_lock:
                            self.pw_changed[(acct, name)] = utcnow()
                    if u.get("mfa"):
                        dev = be.create_virtual_mfa_device(name, None)
                        be.enable_mfa_device(name, dev.serial_number, "123456", "654321")
                    for g in u.get("groups", []):
                        be.add_user_to_group(g, name)
            except ServiceException as e:
                raise ValueError(f"{e.code}: {e.message}") from None
        return {"account": acct, "users": len(users)}

    def ctl_shutdown(self, method, body, query):
        self._want(method, "POST")
        if self.server is not None:
            def stop():
                time.sleep(0.2)   # let this answer go out first
                self.server.shutdown()
            threading.Thread(target=stop, daemon=True).start()
        return {"shutdown": True}


class QuietHandler(WSGIRequestHandler):
    """The front logs one line per AWS request itself; werkzeug's lines would double it."""

    def make_environ(self):
        # werkzeug drops header names with an underscore (CGI would confuse
        # them with dashes); the IAM Identity Center portal's bearer token
        # header has one, so it is passed on under a name of its own.
        environ = super().make_environ()
        tok = self.headers.get("x-amz-sso_bearer_token")
        if tok is not None:
            environ["bed.sso_bearer_token"] = tok
        return environ

    def log_request(self, code="-", size="-"):
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(description="iamgrade's AWS test bed (moto + the front)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the port number here once listening")
    ap.add_argument("--seed", type=int, default=42, help="seed for moto's ids and fault draws")
    ap.add_argument("--auth", choices=("on", "off"), default="off",
                    help="request authentication at start (seed first, then POST /_bed/auth)")
    args = ap.parse_args(argv)

    bed_auth.set_auth(args.auth == "on")
    front = Front(seed=args.seed)
    server = make_server(args.host, args.port, front, threaded=True, request_handler=QuietHandler)
    front.server = server
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"bed: listening on http://{args.host}:{port} (auth {args.auth}, seed {args.seed})",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print("bed: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
