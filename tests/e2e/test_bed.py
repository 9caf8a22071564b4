"""The bed itself, read with boto3 and the AWS CLI as reference clients:
signatures and permissions are enforced, LookupEvents behaves like AWS's,
the credential report and other filled-in answers are right, faults inject
as configured and requests are counted."""
import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.exceptions
import botocore.parsers

from e2eutil import BedCase, aws_cli, bedlib, seed

import bed_iam

A = bedlib.DEFAULT_ACCOUNT
CREATE_ROLE = [{"AttributeKey": "EventName", "AttributeValue": "CreateRole"}]


def client_error(fn, *args, **kw):
    """Call fn; return (code, http status, message) of the ClientError it raises."""
    try:
        fn(*args, **kw)
    except botocore.exceptions.ClientError as e:
        return (e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"].get("Message", ""))
    raise AssertionError(f"{getattr(fn, '__name__', fn)} succeeded; an error was expected")


def raw_body(client, method, **kw):
    """The raw HTTP body of a call (botocore hands back the parsed one)."""
    seen = {}
    client.meta.events.register("before-parse", lambda response_dict, **_: seen.setdefault(
        "body", response_dict["body"]))
    getattr(client, method)(**kw)
    return seen["body"]


class BedAuthTest(BedCase):
    """Signatures and permissions, as moto (with the front's trust fix) enforces them."""

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)

    def test_wrong_secret_is_signature_mismatch_for_iam(self):
        bad = bedlib.Creds(self.s.auditor.access_key_id, "not-the-secret")
        code, status, msg = client_error(self.bed.client("iam", bad).get_account_summary)
        self.assertEqual((code, status), ("SignatureDoesNotMatch", 403))
        self.assertIn("signature we calculated does not match", msg)

    def test_wrong_secret_is_signature_mismatch_for_lookup_events(self):
        # JSON-protocol services name the same failure InvalidSignatureException.
        bad = bedlib.Creds(self.s.auditor.access_key_id, "not-the-secret")
        code, status, msg = client_error(self.bed.client("cloudtrail", bad).lookup_events,
                                         LookupAttributes=CREATE_ROLE)
        self.assertEqual((code, status), ("InvalidSignatureException", 400))
        self.assertIn("signature we calculated does not match", msg)

    def test_unknown_key(self):
        nobody = bedlib.Creds("AKIAUNKNOWNKEY000000", "x")
        self.assertEqual(client_error(self.bed.client("iam", nobody).list_users)[:2],
                         ("InvalidClientTokenId", 403))
        self.assertEqual(client_error(self.bed.client("cloudtrail", nobody).lookup_events)[:2],
                         ("UnrecognizedClientException", 400))

    def test_unsigned_request_refused(self):
        req = urllib.request.Request(self.bed.url + "/", data=b"Action=ListUsers&Version=2010-05-08",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            urllib.request.urlopen(req, timeout=30)
            self.fail("an unsigned request was served")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 403)
            self.assertIn(b"MissingAuthenticationToken", e.read())

    def test_user_without_the_policy_is_denied(self):
        intern = self.bed.client("iam", self.s.intern)
        self.assertEqual(len(intern.list_users()["Users"]), len(self.s.users))   # iam:List* allowed
        code, status, msg = client_error(intern.generate_credential_report)
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("user/intern", msg)
        self.assertEqual(client_error(self.bed.client("cloudtrail", self.s.intern).describe_trails)[:2],
                         ("AccessDeniedException", 400))
        code, status, msg = client_error(self.bed.client("cloudtrail", self.s.intern).lookup_events)
        self.assertEqual((code, status), ("AccessDeniedException", 400))
        self.assertIn("cloudtrail:LookupEvents", msg)

    def test_auditor_can_read_but_not_write(self):
        iam = self.bed.client("iam", self.s.auditor)
        self.assertIn("SummaryMap", iam.get_account_summary())
        self.assertEqual(self.bed.client("sts", self.s.auditor).get_caller_identity()["Arn"],
                         f"arn:aws:iam::{A}:user/iamgrade-auditor")
        self.assertEqual(client_error(iam.create_user, UserName="mallory")[:2], ("AccessDenied", 403))
        self.assertEqual(client_error(iam.list_users)[:2], ("AccessDenied", 403))

    def test_assume_role_follows_the_trust_policy(self):
        sts = self.bed.client("sts", self.s.admin)
        # admin-role trusts the account: the admin (AdministratorAccess) may assume it.
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{A}:role/admin-role", RoleSessionName="test")["Credentials"]
        who = self.bed.client("sts", bedlib.Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
        self.assertEqual(who.get_caller_identity()["Arn"], f"arn:aws:sts::{A}:assumed-role/admin-role/test")
        # partner-access trusts only another account; vendor-any wants an ExternalId.
        self.assertEqual(client_error(sts.assume_role, RoleArn=f"arn:aws:iam::{A}:role/partner-access",
                                      RoleSessionName="test")[:2], ("AccessDenied", 403))
        self.assertEqual(client_error(sts.assume_role, RoleArn=f"arn:aws:iam::{A}:role/vendor-any",
                                      RoleSessionName="test")[:2], ("AccessDenied", 403))
        self.assertEqual(client_error(sts.assume_role, RoleArn=f"arn:aws:iam::{A}:role/vendor-any",
                                      RoleSessionName="test", ExternalId="wrong-id")[:2], ("AccessDenied", 403))
        sts.assume_role(RoleArn=f"arn:aws:iam::{A}:role/vendor-any", RoleSessionName="test",
                        ExternalId="vendor-7781")
        self.assertEqual(client_error(sts.assume_role, RoleArn=f"arn:aws:iam::{A}:role/no-such-role",
                                      RoleSessionName="test")[:2], ("AccessDenied", 403))

    def test_aws_cli_reads_the_bed(self):
        env = bedlib.aws_env(self.bed, self.s.admin, home=self.mkdtemp())
        users = aws_cli(["iam", "list-users"], env)["Users"]
        self.assertEqual(sorted(u["UserName"] for u in users), sorted(self.s.users))
        bad = bedlib.aws_env(self.bed, bedlib.Creds(self.s.admin.access_key_id, "nope"), home=self.mkdtemp())
        with self.assertRaisesRegex(AssertionError, "SignatureDoesNotMatch"):
            aws_cli(["iam", "list-users"], bad)


class BedLookupEventsTest(BedCase):
    """CloudTrail event history: recording, filters, paging, horizon, throttle."""

    @classmethod
    def seed(cls):
        cls.admin = bedlib.bootstrap_admin(cls.bed, A)
        iam = cls.bed.client("iam", cls.admin, headers={"X-Forwarded-For": "198.51.100.9, 10.0.0.1",
                                                        "User-Agent": "bed-test-agent/1.0"})
        cls.trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            indent=2)
        iam.create_role(RoleName="recorded", Path="/app/", Description="recorded by the front",
                        AssumeRolePolicyDocument=cls.trust, MaxSessionDuration=7200,
                        Tags=[{"Key": "team", "Value": "blue"}])
        iam.put_user_policy(UserName="admin", PolicyName="no-roles", PolicyDocument=bedlib.doc(
            {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*"}))
        cls.bed.auth(True)
        try:
            iam.create_role(RoleName="refused", AssumeRolePolicyDocument=cls.trust)
        except botocore.exceptions.ClientError:
            pass
        cls.bed.auth(False)
        iam.delete_user_policy(UserName="admin", PolicyName="no-roles")
        cls.reader = bedlib.create_auditor(cls.bed, A, cls.admin)
        # 120 more events, one a day back from 1 day ago: 89 fall inside 90 days.
        for d in range(1, 121):
            cls.bed.inject_event(A, {"eventTime": seed.ago(d),
                                     "requestParameters": {"roleName": f"injected-{d}"}})
        cls.bed.inject_event(A, {"eventTime": seed.ago(2), "eventName": "DeleteRole",
                                 "requestParameters": {"roleName": "deleted"}})
        cls.bed.inject_event(A, {"eventTime": seed.ago(3), "awsRegion": "eu-west-1",
                                 "requestParameters": {"roleName": "elsewhere"}})
        cls.bed.lookup(A, rate=1000, burst=1000)   # paging tests must not trip the throttle

    def ct(self):
        return self.bed.client("cloudtrail", self.reader)

    def all_events(self, **kw):
        ct, out, token, pages = self.ct(), [], None, 0
        while True:
            args = dict(kw, **({"NextToken": token} if token else {}))
            r = ct.lookup_events(**args)
            pages += 1
            out += r["Events"]
            token = r.get("NextToken")
            if not token:
                return out, pages

    def test_create_role_is_recorded_like_cloudtrail(self):
        evs = [e for e in self.ct().lookup_events(LookupAttributes=CREATE_ROLE, MaxResults=50)["Events"]
               if e["Resources"] and e["Resources"][0]["ResourceName"] == "recorded"]
        self.assertEqual(len(evs), 1)
        e = evs[0]
        self.assertEqual((e["EventName"], e["EventSource"], e["Username"], e["ReadOnly"]),
                         ("CreateRole", "iam.amazonaws.com", "admin", "false"))
        self.assertEqual(e["Resources"], [{"ResourceType": "AWS::IAM::Role", "ResourceName": "recorded"}])
        r = json.loads(e["CloudTrailEvent"])
        self.assertEqual(r["eventID"], e["EventId"])
        ui = r["userIdentity"]
        self.assertEqual((ui["type"], ui["arn"], ui["accountId"], ui["userName"], ui["accessKeyId"]),
                         ("IAMUser", f"arn:aws:iam::{A}:user/admin", A, "admin", self.admin.access_key_id))
        self.assertTrue(ui["principalId"])
        self.assertEqual((r["eventSource"], r["eventName"], r["awsRegion"], r["recipientAccountId"]),
                         ("iam.amazonaws.com", "CreateRole", "us-east-1", A))
        self.assertEqual(r["sourceIPAddress"], "198.51.100.9")
        self.assertEqual(r["userAgent"], "bed-test-agent/1.0")
        self.assertEqual((r["readOnly"], r["eventType"], r["managementEvent"]), (False, "AwsApiCall", True))
        rp = r["requestParameters"]
        self.assertEqual(rp["assumeRolePolicyDocument"], self.trust)   # as sent, not URL-encoded
        self.assertEqual((rp["roleName"], rp["path"], rp["description"], rp["maxSessionDuration"]),
                         ("recorded", "/app/", "recorded by the front", 7200))
        self.assertEqual(rp["tags"], [{"key": "team", "value": "blue"}])
        role = r["responseElements"]["role"]
        self.assertEqual(role["arn"], f"arn:aws:iam::{A}:role/app/recorded")
        self.assertTrue(role["roleId"].startswith("AROA"))
        self.assertNotIn("{", role["assumeRolePolicyDocument"])        # URL-encoded, as IAM returns it
        self.assertEqual(json.loads(urllib.parse.unquote(role["assumeRolePolicyDocument"])),
                         json.loads(self.trust))
        self.assertNotIn("errorCode", r)

    def test_refused_create_role_is_recorded_with_its_error(self):
        evs = self.ct().lookup_events(LookupAttributes=[
            {"AttributeKey": "ResourceName", "AttributeValue": "refused"}])["Events"]
        self.assertEqual(len(evs), 1)
        r = json.loads(evs[0]["CloudTrailEvent"])
        self.assertEqual(r["errorCode"], "AccessDenied")
        self.assertIn("iam:CreateRole", r["errorMessage"])
        self.assertIsNone(r["responseElements"])

    def test_paging_filter_and_horizon(self):
        evs, pages = self.all_events(LookupAttributes=CREATE_ROLE, MaxResults=50)
        names = [e["Resources"][0]["ResourceName"] for e in evs]
        injected = {n for n in names if n.startswith("injected-")}
        # days 1..89 are inside the 90 days CloudTrail keeps (day 90 sits on the edge)
        self.assertTrue({f"injected-{d}" for d in range(1, 90)} <= injected)
        self.assertFalse({f"injected-{d}" for d in range(91, 121)} & injected)
        self.assertNotIn("deleted", names)          # EventName filter
        self.assertNotIn("elsewhere", names)        # another region
        self.assertIn("recorded", names)
        self.assertEqual(len(names), len(set(e["EventId"] for e in evs)))
        self.assertEqual(pages, (len(evs) + 49) // 50)
        times = [e["EventTime"] for e in evs]
        self.assertEqual(times, sorted(times, reverse=True))
        # a StartTime before the horizon does not bring older events back
        old, _ = self.all_events(LookupAttributes=CREATE_ROLE, StartTime=seed.ago(200), MaxResults=50)
        self.assertEqual(len(old), len(evs))

    def test_time_range(self):
        evs, _ = self.all_events(LookupAttributes=CREATE_ROLE, StartTime=seed.ago(10, 12),
                                 EndTime=seed.ago(4, 12))
        self.assertEqual(sorted(e["Resources"][0]["ResourceName"] for e in evs),
                         sorted(f"injected-{d}" for d in range(5, 11)))
        code, status, _ = client_error(self.ct().lookup_events, StartTime=seed.ago(1), EndTime=seed.ago(2))
        self.assertEqual((code, status), ("InvalidTimeRangeException", 400))

    def test_bad_arguments(self):
        ct = self.ct()
        self.assertEqual(client_error(ct.lookup_events, LookupAttributes=CREATE_ROLE + [
            {"AttributeKey": "Username", "AttributeValue": "admin"}])[0], "InvalidLookupAttributesException")
        r = ct.lookup_events(LookupAttributes=CREATE_ROLE, MaxResults=5)
        self.assertEqual(len(r["Events"]), 5)
        self.assertEqual(client_error(ct.lookup_events, LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "DeleteRole"}], NextToken=r["NextToken"])[0],
            "InvalidNextTokenException")

    def test_empty_page_with_token(self):
        self.bed.lookup(A, empty_pages=2)
        try:
            ct = self.ct()
            first = ct.lookup_events(LookupAttributes=CREATE_ROLE, MaxResults=50)
            self.assertEqual(first["Events"], [])
            self.assertIn("NextToken", first)
            evs, _ = self.all_events(LookupAttributes=CREATE_ROLE, MaxResults=50)
            self.assertTrue(any(e["Resources"][0]["ResourceName"] == "recorded" for e in evs))
        finally:
            self.bed.lookup(A, empty_pages=0)

    def test_throttles_above_two_requests_per_second(self):
        self.bed.lookup(A, rate=2, burst=2)
        try:
            ct = self.ct()
            results = []
            for _ in range(8):   # back to back: far more than 2 per second
                try:
                    ct.lookup_events(LookupAttributes=CREATE_ROLE, MaxResults=1)
                    results.append("ok")
                except botocore.exceptions.ClientError as e:
                    results.append((e.response["Error"]["Code"], e.response["Error"]["Message"],
                                    e.response["ResponseMetadata"]["HTTPStatusCode"]))
            self.assertEqual(results[0], "ok")
            self.assertIn(("ThrottlingException", "Rate exceeded", 400), results)
        finally:
            self.bed.lookup(A, rate=1000, burst=1000)

    def test_injected_hostile_and_broken_records(self):
        hostile = "<script>alert(1)</script>\"'&\u202e\u0000"
        self.bed.inject_event(A, {"eventTime": seed.ago(0, 1), "userAgent": hostile,
                                  "requestParameters": {"roleName": "hostile", "description": hostile}})
        self.bed.inject_event(A, {"eventTime": seed.ago(0, 2), "requestParameters": {"roleName": "broken"}},
                              raw="{not json")
        evs, _ = self.all_events(LookupAttributes=CREATE_ROLE, StartTime=seed.ago(0, 3))
        by = {e["Resources"][0]["ResourceName"]: e for e in evs}
        self.assertEqual(json.loads(by["hostile"]["CloudTrailEvent"])["userAgent"], hostile)
        self.assertEqual(by["broken"]["CloudTrailEvent"], "{not json")


class BedAnswersTest(BedCase):
    """The answers the front fills in where moto falls short."""

    OTHER = "333333333333"

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        cls.other = bedlib.bootstrap_admin(cls.bed, cls.OTHER)
        cls.bed.root_row(cls.OTHER, mfa="none", access_keys=[
            {"active": True, "last_rotated": "2020-01-01T00:00:00+00:00"}])

    def report(self, creds):
        iam = self.bed.client("iam", creds)
        iam.generate_credential_report()
        r = iam.get_credential_report()
        return r, list(csv.reader(io.StringIO(r["Content"].decode("utf-8"))))

    def test_credential_report_root_row_and_quoting(self):
        r, rows = self.report(self.s.auditor)
        self.assertEqual(rows[0], list(bed_iam.COLUMNS))
        self.assertTrue(all(len(row) == 22 for row in rows), [len(x) for x in rows])
        self.assertEqual(rows[1][:2], ["<root_account>", f"arn:aws:iam::{A}:root"])
        names = [row[0] for row in rows[2:]]
        self.assertEqual(sorted(names), sorted(self.s.users))
        obrien = next(row for row in rows if row[0] == "o'brien,ops")
        self.assertEqual(obrien[1], f"arn:aws:iam::{A}:user/o'brien,ops")
        self.assertEqual(obrien[3], "true")                      # password_enabled
        self.assertIn('"o\'brien,ops"', r["Content"].decode())   # RFC 4180 quoting
        carol = next(row for row in rows if row[0] == "carol")
        self.assertEqual((carol[8], carol[13], carol[15]), ("true", "true", "N/A"))
        dave = next(row for row in rows if row[0] == "dave")
        self.assertEqual((dave[3], dave[4], dave[10]), ("false", "N/A", "N/A"))
        self.assertGreaterEqual(r["GeneratedTime"].year, 2024)

    def test_root_row_and_account_summary_agree(self):
        _, rows = self.report(self.s.auditor)
        iam = self.bed.client("iam", self.s.auditor)
        summary = iam.get_account_summary()["SummaryMap"]
        self.assertEqual((rows[1][7], rows[1][8]), ("true", "false"))
        self.assertEqual((summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]), (1, 0))
        mfa = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
        root = [d for d in mfa if d.get("User", {}).get("Arn") == f"arn:aws:iam::{A}:root"]
        self.assertEqual(len(root), 1)                           # the sample's root MFA is virtual
        self.assertFalse(any("Base32StringSeed" in d or "QRCodePNG" in d for d in mfa))
        # another account: root without MFA, with an access key
        _, rows = self.report(self.other)
        summary = self.bed.client("iam", self.other).get_account_summary()["SummaryMap"]
        self.assertEqual((rows[1][7], rows[1][8]), ("false", "true"))
        self.assertEqual((summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]), (0, 1))

    def test_authorization_details_are_complete_and_paged(self):
        iam = self.bed.client("iam", self.s.auditor)
        whole = iam.get_account_authorization_details(MaxItems=1000)
        self.assertFalse(whole["IsTruncated"])
        pols = {p["Arn"]: p for p in whole["Policies"]}
        self.assertTrue(all("PolicyName" in p and "PolicyId" in p for p in pols.values()))
        aws = [p for p in pols.values() if p["Arn"].startswith("arn:aws:iam::aws:")]
        self.assertTrue(aws and all(p["AttachmentCount"] > 0 for p in aws))
        self.assertIn("arn:aws:iam::aws:policy/AdministratorAccess", pols)
        # paged with MaxItems=4, the union is the same
        got, marker, pages = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [],
                              "Policies": []}, None, 0
        while True:
            r = iam.get_account_authorization_details(MaxItems=4, **({"Marker": marker} if marker else {}))
            pages += 1
            for k in got:
                got[k] += r[k]
            if not r["IsTruncated"]:
                break
            marker = r["Marker"]
        for k in got:
            self.assertEqual(json.dumps(got[k], default=str, sort_keys=True),
                             json.dumps(whole[k], default=str, sort_keys=True), k)
        self.assertGreater(pages, 5)
        # trust policies travel URL-encoded, as from AWS
        body = raw_body(self.bed.client("iam", self.s.auditor), "get_account_authorization_details",
                        MaxItems=1000)
        ns = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
        docs = [d.text for d in ET.fromstring(body).findall(".//i:RoleDetailList/i:member/i:AssumeRolePolicyDocument", ns)]
        self.assertTrue(docs and all(d.startswith("%7B") for d in docs), docs[:2])

    def test_password_policy_leaves_out_unset_members(self):
        pp = self.bed.client("iam", self.s.auditor).get_account_password_policy()["PasswordPolicy"]
        self.assertNotIn("MaxPasswordAge", pp)
        self.assertEqual((pp["MinimumPasswordLength"], pp["PasswordReusePrevention"], pp["ExpirePasswords"]),
                         (8, 5, False))


class BedFaultsTest(BedCase):
    """Fault injection and request counting."""

    @classmethod
    def seed(cls):
        cls.s = seed.seed_users(cls.bed, 3)

    def tearDown(self):
        self.bed.clear_faults()
        self.bed.report(A)

    def iam(self):
        return self.bed.client("iam", self.s.auditor)

    def test_throttle_5xx_deny_expired(self):
        ct = self.bed.client("cloudtrail", self.s.auditor)
        self.bed.set_faults([
            {"action": "iam:GetAccountSummary", "kind": "throttle"},
            {"action": "cloudtrail:DescribeTrails", "kind": "throttle"},
            {"action": "iam:ListVirtualMFADevices", "kind": "unavailable"},
            {"action": "iam:ListAccountAliases", "kind": "unavailable_empty"},
            {"action": "iam:GetAccountPasswordPolicy", "kind": "deny"},
            {"action": "cloudtrail:GetTrailStatus", "kind": "deny"},
            {"action": "iam:ListAccessKeys", "kind": "expired_token"},
            {"action": "iam:GenerateCredentialReport", "kind": "internal"},
        ])
        self.assertEqual(client_error(self.iam().get_account_summary)[:3], ("Throttling", 400, "Rate exceeded"))
        self.assertEqual(client_error(ct.describe_trails)[:3], ("ThrottlingException", 400, "Rate exceeded"))
        self.assertEqual(client_error(self.iam().list_virtual_mfa_devices)[:2], ("ServiceUnavailable", 503))
        self.assertEqual(client_error(self.iam().list_account_aliases)[1], 503)
        code, status, msg = client_error(self.iam().get_account_password_policy)
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("iamgrade-auditor is not authorized to perform: iam:GetAccountPasswordPolicy", msg)
        self.assertEqual(client_error(ct.get_trail_status, Name="x")[:2], ("AccessDeniedException", 400))
        self.assertEqual(client_error(self.iam().list_access_keys, UserName="user0000")[:2],
                         ("ExpiredToken", 403))
        self.assertEqual(client_error(self.iam().generate_credential_report)[:2], ("ServiceFailure", 500))

    def test_empty_503_has_no_body(self):
        self.bed.set_faults([{"action": "iam:ListAccountAliases", "kind": "unavailable_empty"}])
        self.assertEqual(raw_status_body(self.bed, self.s.auditor, "ListAccountAliases"), (503, b""))

    def test_broken_transfers(self):
        self.bed.set_faults([
            {"action": "iam:ListAccountAliases", "kind": "reset"},
            {"action": "iam:GetAccountSummary", "kind": "truncate"},
            {"action": "iam:ListVirtualMFADevices", "kind": "malformed"},
        ])
        with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.EndpointConnectionError,
                                botocore.exceptions.ConnectionError)):
            self.iam().list_account_aliases()
        with self.assertRaises(botocore.parsers.ResponseParserError):
            self.iam().get_account_summary()
        with self.assertRaises(botocore.parsers.ResponseParserError):
            self.iam().list_virtual_mfa_devices()
        status, body = raw_status_body(self.bed, self.s.auditor, "GetAccountSummary")
        self.assertEqual(status, 200)
        with self.assertRaises(ET.ParseError):
            ET.fromstring(body)

    def test_probability_is_seeded_and_repeatable(self):
        def pattern():
            self.bed.set_faults([{"action": "iam:ListAccountAliases", "kind": "throttle",
                                  "probability": 0.5}], seed=7)
            out = []
            for _ in range(40):
                try:
                    self.iam().list_account_aliases()
                    out.append(0)
                except botocore.exceptions.ClientError:
                    out.append(1)
            return out
        first, second = pattern(), pattern()
        self.assertEqual(first, second)
        self.assertTrue(5 <= sum(first) <= 35, first)
        self.assertEqual(self.bed.faults()["rules"][0]["fired"], sum(second))

    def test_times_after_and_where(self):
        self.bed.set_faults([
            {"action": "iam:ListAccessKeys", "kind": "throttle", "after": 1, "times": 2,
             "where": {"UserName": "user0001"}},
            {"action": "iam:GetAccountSummary", "kind": "latency", "latency_ms": 5},
        ])
        outcomes = []
        for user in ["user0001", "user0000", "user0001", "user0001", "user0001"]:
            try:
                self.iam().list_access_keys(UserName=user)
                outcomes.append("ok")
            except botocore.exceptions.ClientError as e:
                outcomes.append(e.response["Error"]["Code"])
        self.assertEqual(outcomes, ["ok", "ok", "Throttling", "Throttling", "ok"])
        self.iam().get_account_summary()
        self.assertEqual(self.bed.faults()["rules"][1]["fired"], 1)

    def test_assume_role_that_fails(self):
        sts = self.bed.client("sts", self.s.admin)
        arn = f"arn:aws:iam::{A}:role/whatever"
        self.bed.set_faults([{"action": "sts:AssumeRole", "kind": "deny", "where": {"RoleArn": arn}}])
        code, status, msg = client_error(sts.assume_role, RoleArn=arn, RoleSessionName="test")
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertIn("sts:AssumeRole", msg)

    def test_report_never_completes(self):
        self.bed.report(A, mode="never")
        iam = self.iam()
        states = [iam.generate_credential_report()["State"] for _ in range(3)]
        self.assertEqual(states, ["STARTED", "INPROGRESS", "INPROGRESS"])
        self.assertEqual(client_error(iam.get_credential_report)[:2], ("ReportInProgress", 404))

    def test_report_after_polls(self):
        self.bed.report(A, delay_polls=2)
        iam = self.iam()
        self.assertEqual(iam.generate_credential_report()["State"], "STARTED")
        self.assertEqual(client_error(iam.get_credential_report)[:2], ("ReportInProgress", 404))
        self.assertEqual(iam.get_credential_report()["ReportFormat"], "text/csv")
        self.assertEqual(iam.generate_credential_report()["State"], "COMPLETE")

    def test_requests_are_counted_per_account_and_action(self):
        self.bed.reset_stats()
        for _ in range(3):
            self.iam().list_account_aliases()
        self.bed.set_faults([{"action": "iam:GetAccountSummary", "kind": "throttle"}])
        client_error(self.iam().get_account_summary)
        other = "444444444444"
        full = self.bed.stats_full()
        counts = self.bed.stats(A)
        self.assertEqual(counts, {"iam:ListAccountAliases": 3, "iam:GetAccountSummary": 1})
        self.assertEqual(full["accounts"][A]["iam:GetAccountSummary"]["faults"], {"throttle": 1})
        self.assertEqual(full["accounts"][A]["iam:GetAccountSummary"]["status"], {"400": 1})
        self.assertEqual(self.bed.stats(other), {})


def raw_status_body(bed, creds, action):
    """Send one signed IAM Query call by hand: (HTTP status, body bytes)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    body = f"Action={action}&Version=2010-05-08"
    req = AWSRequest(method="POST", url=bed.url + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key), "iam", "us-east-1").add_auth(req)
    r = urllib.request.Request(bed.url + "/", data=body.encode(), headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class BedResetTest(BedCase):
    """POST /_bed/reset forgets everything."""

    @classmethod
    def seed(cls):
        cls.s = seed.seed_users(cls.bed, 2)
        cls.bed.inject_event(A, {"eventTime": seed.ago(1)})
        cls.bed.set_faults([{"action": "iam:ListUsers", "kind": "throttle"}])

    def test_reset(self):
        self.assertGreater(self.bed.stats_full()["total"], 0)
        self.bed.reset()
        self.assertEqual(self.bed.health()["auth"], False)
        self.assertEqual(self.bed.stats_full()["total"], 0)
        self.assertEqual(self.bed.events(A), [])
        self.assertEqual(self.bed.faults()["rules"], [])
        # moto's state is gone: the old keys mean nothing, a fresh seed works
        self.assertEqual(self.bed.client("iam", self.s.admin).list_users()["Users"], [])
        again = seed.seed_users(self.bed, 1)
        self.assertEqual(len(self.bed.client("iam", again.admin).list_users()["Users"]), 3)
