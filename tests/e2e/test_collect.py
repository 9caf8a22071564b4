"""`iamgrade collect` against the bed with request authentication on, running
as an identity that holds exactly the policy `iamgrade policy` prints."""
import contextlib
import hashlib
import json
import os
import shutil
import stat
import sys
import textwrap

import botocore.exceptions

from e2eutil import BedCase, aws_cli, bedlib, content, iamgrade, load, seed, snapshots

A = bedlib.DEFAULT_ACCOUNT
SOURCES = {"credential_report", "password_policy", "account_summary", "virtual_mfa_devices",
           "access_keys", "authorization_details", "trails", "create_role_events", "change_events",
           "account_aliases", "caller_identity", "last_accessed"}
# 20 % throttling and 5 % server errors (half with an AWS body, half empty) on every call.
FLAKY = [
    {"kind": "throttle", "probability": 0.20},
    {"kind": "unavailable", "probability": 0.025},
    {"kind": "unavailable_empty", "probability": 0.025},
]


@contextlib.contextmanager
def auditor_denied(bed, admin, action):
    """The auditor explicitly denied action (an inline Deny) for the block."""
    iam = bed.client("iam", admin)
    bed.auth(False)
    iam.put_user_policy(UserName="iamgrade-auditor", PolicyName="test-deny",
                        PolicyDocument=bedlib.doc({"Effect": "Deny", "Resource": "*", "Action": action}))
    bed.auth(True)
    try:
        yield
    finally:
        bed.auth(False)
        iam.delete_user_policy(UserName="iamgrade-auditor", PolicyName="test-deny")
        bed.auth(True)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CollectSampleTest(BedCase):
    """The sample account (tests/bed/scenarios.md)."""

    needs_collector = True
    PAGED = "555555555555"

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        cls.policy_source = bedlib.iamgrade_policy()[1]
        cls.paged = seed.seed_users(cls.bed, 1, account=cls.PAGED)
        for i in range(150):
            cls.bed.inject_event(cls.PAGED, {"eventTime": seed.ago(0, 1 + i / 10),
                                             "requestParameters": {"roleName": f"bulk-{i}"}})
        cls._baseline = None

    def baseline(self):
        """One fault-free snapshot of the sample account, shared by the tests."""
        if CollectSampleTest._baseline is None:
            self.bed.reset_stats()
            snap, path, _ = self.collect_ok(self.s.auditor)
            CollectSampleTest._baseline = (snap, self.bed.stats(A))
        return CollectSampleTest._baseline

    def test_policy_comes_from_the_binary(self):
        self.assertTrue(self.policy_source.endswith(" policy"), self.policy_source)

    def test_every_source_ok(self):
        snap, counts = self.baseline()
        self.assertEqual(snap["schema"], "iamgrade.snapshot/4")
        self.assertEqual(set(snap["sources"]), SOURCES)
        self.assertSourcesOk(snap)
        self.assertTrue(snap["collection"]["complete"])
        self.assertEqual(snap["collection"]["problems"], [])
        self.assertEqual(snap["account"]["id"], A)
        self.assertEqual(snap["account"]["alias"], "acme-sample")
        self.assertEqual(snap["caller"]["arn"], f"arn:aws:iam::{A}:user/iamgrade-auditor")
        self.assertEqual(snap["collection"]["api_calls"], sum(counts.values()), counts)
        src = snap["sources"]
        rows = src["credential_report"]["data"]["rows"]
        self.assertEqual(rows[0]["user"], "<root_account>")
        self.assertEqual(sorted(r["user"] for r in rows[1:]), sorted(self.s.users))
        self.assertEqual(next(r for r in rows if r["user"] == "o'brien,ops")["arn"],
                         f"arn:aws:iam::{A}:user/o'brien,ops")
        self.assertEqual(src["password_policy"]["data"]["MinimumPasswordLength"], 8)
        self.assertEqual(sorted({k["UserName"] for k in src["access_keys"]["data"]}),
                         sorted(self.s.key_holders))
        names = {e["CloudTrailEvent"]["requestParameters"]["roleName"]
                 for e in src["create_role_events"]["data"]["events"]}
        self.assertEqual(names, set(self.s.roles_created + self.s.failed_roles + self.s.deleted_roles))
        self.assertEqual(counts.get("iam:ListAccessKeys"), len(self.s.key_holders))
        # The window's changes (scenarios.md): the setup's own calls are out of the window.
        changes = src["change_events"]["data"]
        self.assertEqual(sorted(e["EventName"] for e in changes["events"]),
                         ["CreateAccessKey", "PutRolePolicy", "StopLogging", "UpdateAssumeRolePolicy"])
        self.assertEqual((changes["region"], changes["trail_regions"], changes["trail_regions_complete"]),
                         ("us-east-1", ["us-east-1"], True))
        # One series per name: CreateRole's, 8 IAM names and 5 CloudTrail names in one region.
        self.assertGreaterEqual(counts.get("cloudtrail:LookupEvents"), 1 + 8 + 5)
        key = next(e for e in changes["events"] if e["EventName"] == "CreateAccessKey")["CloudTrailEvent"]
        self.assertEqual(key["responseElements"]["accessKey"]["accessKeyId"], self.s.changes["key_id"])
        self.assertNotIn("SecretAccessKey", json.dumps(changes))

    def test_password_policy_denied(self):
        self.baseline()
        with auditor_denied(self.bed, self.s.admin, "iam:GetAccountPasswordPolicy"):
            p, out = self.collect(self.s.auditor)
            self.assertEqual(p.returncode, 3, p.stderr)
            snap = load(snapshots(out)[0])
        pp = snap["sources"]["password_policy"]
        self.assertEqual(pp["status"], "denied")
        self.assertEqual(pp["api_call"], "iam:GetAccountPasswordPolicy")
        self.assertEqual(pp["error"]["code"], "AccessDenied")
        self.assertIn("iam:GetAccountPasswordPolicy", pp["error"]["message"])
        self.assertNotIn("data", pp)
        self.assertSourcesOk(snap, except_={"password_policy"})
        self.assertFalse(snap["collection"]["complete"])
        self.assertEqual(len(snap["collection"]["problems"]), 1, snap["collection"]["problems"])
        self.assertIn("password", snap["collection"]["problems"][0].lower())

    def test_survives_throttling_and_server_errors(self):
        # A fault-free run just before, both finding the credential report made
        # (a first run asks twice: STARTED, then COMPLETE).
        iam = self.bed.client("iam", self.s.admin)
        iam.generate_credential_report()
        iam.get_credential_report()
        self.bed.reset_stats()
        clean, _, _ = self.collect_ok(self.s.auditor)
        clean_calls = sum(self.bed.stats(A).values())
        self.bed.set_faults([dict(r, account=A) for r in FLAKY], seed=20261127)
        self.bed.reset_stats()
        try:
            # Three attempts a call leave 1.4 % of calls failing at a 24 % fault
            # rate; the acceptance is that the run completes, so give it room.
            snap, _, p = self.collect_ok(self.s.auditor, AWS_MAX_ATTEMPTS="8")
            fired = sum(r["fired"] for r in self.bed.faults()["rules"])
            calls = sum(self.bed.stats(A).values())
        finally:
            self.bed.clear_faults()
        print(f"\n  fault-free: {clean_calls} calls; with faults: {calls} calls, {fired} faults injected, "
              f"{snap['collection']['retries']} retries", file=sys.stderr)
        self.assertGreater(fired, 0)
        self.assertTrue(snap["collection"]["complete"])
        self.assertSourcesOk(snap)
        self.assertEqual(snap["collection"]["api_calls"], calls)
        self.assertEqual(snap["collection"]["retries"], calls - clean_calls)
        self.assertGreaterEqual(calls - clean_calls, fired)   # LookupEvents' own throttle may add some
        self.assertEqual(content(snap), content(clean))

    def test_second_collect_keeps_the_first(self):
        out = self.mkdtemp()
        p1, _ = self.collect(self.s.auditor, out=out)
        self.assertEqual(p1.returncode, 0, p1.stderr)
        first = p1.stdout.strip()
        digest, mtime = sha(first), os.stat(first).st_mtime_ns
        p2, _ = self.collect(self.s.auditor, out=out)
        self.assertEqual(p2.returncode, 0, p2.stderr)
        second = p2.stdout.strip()
        self.assertNotEqual(first, second)
        self.assertEqual(sorted(snapshots(out)), sorted([first, second]))
        self.assertEqual(os.path.basename(first), f"{A}.json")
        self.assertEqual((sha(first), os.stat(first).st_mtime_ns), (digest, mtime))
        for path in (first, second):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
        self.assertEqual(load(second)["account"]["id"], A)

    def test_no_secret_in_snapshot_or_debug_output(self):
        # temporary credentials, so that there is a session token to leak
        sts = self.bed.client("sts", self.s.admin)
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{A}:role/admin-role", RoleSessionName="leak-check",
                            DurationSeconds=900)["Credentials"]
        creds = bedlib.Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        for who, cr in (("user", self.s.auditor), ("session", creds)):
            p, out = self.collect(cr, "--debug")
            self.assertIn(p.returncode, (0, 3), p.stderr)
            texts = {"stdout": p.stdout, "stderr": p.stderr}
            for path in snapshots(out):
                with open(path, encoding="utf-8") as f:
                    texts[path] = f.read()
            self.assertGreater(len(texts), 2, f"{who}: no snapshot written")
            self.assertGreater(len(p.stderr), 200, f"{who}: --debug logged almost nothing")
            for name, text in texts.items():
                self.assertNotIn(cr.secret_access_key, text, f"{who}: secret key in {name}")
                if cr.session_token:
                    self.assertNotIn(cr.session_token, text, f"{who}: session token in {name}")
                    self.assertNotIn(cr.session_token[:24], text, f"{who}: part of the token in {name}")

    def test_wrong_secret(self):
        out = self.mkdtemp()
        earlier = os.path.join(out, f"{A}.json")
        snap, path, _ = self.collect_ok(self.s.auditor)
        shutil.copy2(path, earlier)
        digest, mtime = sha(earlier), os.stat(earlier).st_mtime_ns
        bad = bedlib.Creds(self.s.auditor.access_key_id, "wrong" + self.s.auditor.secret_access_key[5:])
        p, _ = self.collect(bad, out=out)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("SignatureDoesNotMatch", p.stderr)
        self.assertIn(self.bed.url, p.stderr)
        self.assertNotIn(bad.secret_access_key, p.stderr + p.stdout)
        self.assertEqual(os.listdir(out), [f"{A}.json"])
        self.assertEqual((sha(earlier), os.stat(earlier).st_mtime_ns), (digest, mtime))

    def test_unknown_option(self):
        p, out = self.collect(self.s.auditor, "--no-such-option")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--no-such-option", p.stderr)
        self.assertEqual(snapshots(out), [])

    def test_role_that_cannot_be_assumed(self):
        arn = f"arn:aws:iam::{A}:role/partner-access"    # trusts another account only
        p, out = self.collect(self.s.auditor, "--role-arn", arn)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("AccessDenied", p.stderr)
        self.assertIn("partner-access", p.stderr)

    def test_credential_report_that_never_completes(self):
        self.bed.report(A, mode="never")
        try:
            p, out = self.collect(self.s.auditor, "--report-wait", "3", timeout=120,
                                  IAMGRADE_REPORT_POLL_MS="100")
        finally:
            self.bed.report(A)
        self.assertEqual(p.returncode, 3, p.stderr)
        snap = load(snapshots(out)[0])
        cr = snap["sources"]["credential_report"]
        self.assertEqual(cr["status"], "error")
        self.assertEqual(cr["error"]["code"], "ReportTimeout")
        self.assertRegex(cr["error"]["message"], r"(?i)credential report")
        self.assertEqual(snap["sources"]["access_keys"]["status"], "error")
        self.assertEqual(snap["sources"]["access_keys"]["error"]["code"], "DependencyFailed")
        self.assertSourcesOk(snap, except_={"credential_report", "access_keys"})

    def test_reference_clients_agree(self):
        snap, _ = self.baseline()
        src = snap["sources"]
        env = bedlib.aws_env(self.bed, self.s.auditor, home=self.mkdtemp())
        b = lambda svc: self.bed.client(svc, self.s.auditor)  # noqa: E731

        # users: the AWS CLI through the admin (the auditor may not ListUsers)
        admin_env = bedlib.aws_env(self.bed, self.s.admin, home=self.mkdtemp())
        users = aws_cli(["iam", "list-users"], admin_env)["Users"]
        self.assertEqual(sorted(u["UserName"] for u in users),
                         sorted(u["UserName"] for u in src["authorization_details"]["data"]["users"]))
        # access keys of every user, boto3
        keys = set()
        for u in users:
            for k in b("iam").list_access_keys(UserName=u["UserName"])["AccessKeyMetadata"]:
                keys.add((k["UserName"], k["AccessKeyId"], k["Status"]))
        self.assertEqual(keys, {(k["UserName"], k["AccessKeyId"], k["Status"]) for k in src["access_keys"]["data"]})
        # MFA devices
        mfa = aws_cli(["iam", "list-virtual-mfa-devices"], env)["VirtualMFADevices"]
        self.assertEqual(sorted((d["SerialNumber"], d.get("User", {}).get("Arn")) for d in mfa),
                         sorted((d["SerialNumber"], d.get("User", {}).get("Arn"))
                                for d in src["virtual_mfa_devices"]["data"]))
        # password policy
        self.assertEqual(aws_cli(["iam", "get-account-password-policy"], env)["PasswordPolicy"],
                         src["password_policy"]["data"])
        # account summary
        self.assertEqual(b("iam").get_account_summary()["SummaryMap"], src["account_summary"]["data"])
        # trails, their status and selectors
        trails = aws_cli(["cloudtrail", "describe-trails"], env)["trailList"]
        self.assertEqual({t["TrailARN"]: t for t in trails},
                         {t["trail"]["TrailARN"]: t["trail"] for t in src["trails"]["data"]})
        for t in src["trails"]["data"]:
            arn = t["trail"]["TrailARN"]
            st = aws_cli(["cloudtrail", "get-trail-status", "--name", arn], env)
            self.assertEqual(st["IsLogging"], t["status"]["data"]["IsLogging"])
            sel = aws_cli(["cloudtrail", "get-event-selectors", "--trail-name", arn], env)
            self.assertEqual(sel["EventSelectors"], t["event_selectors"]["data"]["EventSelectors"])
        # roles with their trust policies (the CLI decodes the URL-encoded documents)
        gaad = aws_cli(["iam", "get-account-authorization-details"], env)
        self.assertEqual({r["RoleName"]: r["AssumeRolePolicyDocument"] for r in gaad["RoleDetailList"]},
                         {r["RoleName"]: r["AssumeRolePolicyDocument"]
                          for r in src["authorization_details"]["data"]["roles"]})
        self.assertEqual(sorted(p["Arn"] for p in gaad["Policies"]),
                         sorted(p["Arn"] for p in src["authorization_details"]["data"]["policies"]))
        # CreateRole events of the snapshot's window
        ev = src["create_role_events"]["data"]
        cli_events = aws_cli(["cloudtrail", "lookup-events", "--lookup-attributes",
                              "AttributeKey=EventName,AttributeValue=CreateRole",
                              "--start-time", ev["start"], "--end-time", ev["end"]], env)["Events"]
        self.assertEqual({e["EventId"]: json.loads(e["CloudTrailEvent"]) for e in cli_events},
                         {e["EventId"]: e["CloudTrailEvent"] for e in ev["events"]})
        self.assertIn(self.s.injected["old-deleted-role"], {e["EventId"] for e in cli_events})
        self.assertNotIn(self.s.injected["ancient-role"], {e["EventId"] for e in ev["events"]})

    def test_lookup_events_paced_with_retries(self):
        # 150 events, 3 pages or more, in an account whose LookupEvents allows
        # 2 requests a second with no burst: a collector that paces every
        # request it sends (retries too) at 2 a second gets them all.
        self.bed.lookup(self.PAGED, rate=2, burst=1)
        self.bed.reset_stats()
        p, out = self.collect(self.paged.auditor, IAMGRADE_LOOKUP_GAP_MS="500")
        lookups = self.bed.stats_full(self.PAGED)["accounts"][self.PAGED]["cloudtrail:LookupEvents"]
        self.assertEqual(p.returncode, 0, f"{p.stderr}\nLookupEvents answers: {lookups}")
        events = load(snapshots(out)[0])["sources"]["create_role_events"]["data"]["events"]
        self.assertEqual(len(events), 150)
        self.assertEqual(len({e["EventId"] for e in events}), 150)

    def test_since_widens_the_window(self):
        snap, _, _ = self.collect_ok(self.s.auditor, "--since", "60")
        ids = {e["EventId"] for e in snap["sources"]["create_role_events"]["data"]["events"]}
        self.assertIn(self.s.injected["ancient-role"], ids)       # 45 days old
        self.assertNotIn(self.s.injected["too-old-role"], ids)    # beyond CloudTrail's 90 days
        self.assertEqual(snap["collection"]["window_days"], 60)


class CollectCallCountTest(BedCase):
    """Calls per account do not grow with the number of users."""

    needs_collector = True
    SMALL, LARGE = "111111111111", "222222222222"

    @classmethod
    def seed(cls):
        cls.small = seed.seed_users(cls.bed, 5, account=cls.SMALL)
        cls.large = seed.seed_users(cls.bed, 500, account=cls.LARGE)

    def test_500_users_cost_what_5_cost(self):
        counts = {}
        for s in (self.small, self.large):
            self.bed.reset_stats()
            snap, _, _ = self.collect_ok(s.auditor)
            self.assertEqual(snap["account"]["id"], s.account)
            counts[s.n] = self.bed.stats(s.account)
            self.assertEqual(snap["collection"]["api_calls"], sum(counts[s.n].values()))
            self.assertEqual(len(snap["sources"]["credential_report"]["data"]["rows"]), s.n + 3)
            self.assertEqual(counts[s.n].get("iam:ListAccessKeys"), s.key_holders)
            # Service last accessed is a fact per principal (DESIGN.md): one job
            # each, read in delay_polls + 1 calls (one page each here), no more.
            details = snap["sources"]["authorization_details"]["data"]
            principals = len(details["users"]) + len(details["roles"])
            self.assertEqual(counts[s.n].get("iam:GenerateServiceLastAccessedDetails"), principals)
            self.assertEqual(counts[s.n].get("iam:GetServiceLastAccessedDetails"), principals * 3)
        for n in (5, 500):
            print(f"\n  {n} users: {sum(counts[n].values())} calls: "
                  + ", ".join(f"{a} {c}" for a, c in sorted(counts[n].items())), file=sys.stderr)
        varying = {"iam:ListAccessKeys", "cloudtrail:LookupEvents",
                   "iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails"}
        self.assertEqual({a: c for a, c in counts[5].items() if a not in varying},
                         {a: c for a, c in counts[500].items() if a not in varying})


class CollectLastAccessedTest(BedCase):
    """Service last accessed (aws-api.md §4.20-4.23) from the bed's front: jobs
    that take a few polls, one that fails, service- and action-level data."""

    needs_collector = True

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        cls.role = f"arn:aws:iam::{A}:role/ec2-app"
        cls.failing = f"arn:aws:iam::{A}:user/alice"
        cls.bed.last_accessed(A, delay_polls=3, fail=[cls.failing], usage={
            cls.role: {"s3": {"last": "2026-11-30T08:15:00Z", "region": "eu-west-1",
                              "actions": {"GetBucketPolicy": "2026-11-30T08:15:00Z"}}}})

    def principals(self, snap):
        return {p["Arn"]: p for p in snap["sources"]["last_accessed"]["data"]["principals"]}

    def test_jobs_polled_and_read(self):
        self.bed.reset_stats()
        p, out = self.collect(self.s.auditor)
        self.assertEqual(p.returncode, 3, p.stderr)    # one job FAILED: incomplete
        snap = load(snapshots(out)[0])
        self.assertSourcesOk(snap)
        la = snap["sources"]["last_accessed"]["data"]
        details = snap["sources"]["authorization_details"]["data"]
        arns = {r["Arn"] for r in details["roles"]} | {u["Arn"] for u in details["users"]}
        got = self.principals(snap)
        self.assertEqual(set(got), arns)
        counts = self.bed.stats(A)
        self.assertEqual(counts["iam:GenerateServiceLastAccessedDetails"], len(arns) + 1)  # + the retry
        # delay_polls 3: three IN_PROGRESS reads and the COMPLETED one per job.
        self.assertEqual(counts["iam:GetServiceLastAccessedDetails"], 4 * (len(arns) + 1))
        self.assertEqual(snap["collection"]["last_accessed"]["api_calls"], counts["iam:GenerateServiceLastAccessedDetails"]
                         + counts["iam:GetServiceLastAccessedDetails"])
        self.assertEqual(snap["collection"]["api_calls"], sum(counts.values()))
        self.assertEqual(la["granularity"], "ACTION_LEVEL")
        role = got[self.role]
        self.assertEqual(role["status"], "ok")
        s3 = next(x for x in role["ServicesLastAccessed"] if x["ServiceNamespace"] == "s3")
        self.assertEqual(s3["LastAuthenticated"], "2026-11-30T08:15:00Z")
        used = {a["ActionName"]: a.get("LastAccessedTime") for a in s3["TrackedActionsLastAccessed"]}
        self.assertEqual(used["GetBucketPolicy"], "2026-11-30T08:15:00Z")
        self.assertEqual(sum(1 for v in used.values() if v), 1)
        fail = got[self.failing]
        self.assertEqual((fail["status"], fail["error"]["code"]), ("error", "JobFailed"))
        self.assertNotIn("ServicesLastAccessed", fail)
        self.assertEqual([x for x in snap["collection"]["problems"] if "last_accessed" in x],
                         snap["collection"]["problems"])
        self.assertIn(self.failing, snap["collection"]["problems"][0])
        ok = [a for a, x in got.items() if x["status"] == "ok"]
        self.assertEqual(len(ok), len(arns) - 1)

    def test_no_last_accessed(self):
        self.bed.reset_stats()
        p, out = self.collect(self.s.auditor, "--no-last-accessed")
        snap = load(snapshots(out)[0])
        self.assertNotIn("last_accessed", snap["sources"])
        self.assertEqual(snap["collection"]["skipped"], ["last_accessed"])
        counts = self.bed.stats(A)
        self.assertNotIn("iam:GenerateServiceLastAccessedDetails", counts)
        # Skipped on request is not a collection problem of the account.
        self.assertEqual(snap["collection"]["problems"], [])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_generate_denied(self):
        self.bed.reset_stats()
        with auditor_denied(self.bed, self.s.admin, "iam:GenerateServiceLastAccessedDetails"):
            p, out = self.collect(self.s.auditor)
            snap = load(snapshots(out)[0])
        self.assertEqual(p.returncode, 3, p.stderr)
        la = snap["sources"]["last_accessed"]
        self.assertEqual((la["status"], la["error"]["code"]), ("denied", "AccessDenied"))
        self.assertNotIn("data", la)
        self.assertSourcesOk(snap, except_={"last_accessed"})
        # Denied for one is denied for all: the stage stops at the first answers
        # (at most one per worker, 16 by default).
        self.assertLessEqual(self.bed.stats(A)["iam:GenerateServiceLastAccessedDetails"], 16)


class CollectProfileTest(BedCase):
    """Credentials from the shared files: static keys, role_arn + source_profile,
    credential_process."""

    needs_collector = True

    @classmethod
    def seed(cls):
        cls.s = seed.seed_users(cls.bed, 2)
        iam = cls.bed.client("iam", cls.s.admin)
        iam.create_role(RoleName="audit-via-profile", AssumeRolePolicyDocument=seed.trust(
            {"AWS": f"arn:aws:iam::{A}:user/iamgrade-auditor"}))
        iam.attach_role_policy(RoleName="audit-via-profile",
                               PolicyArn=f"arn:aws:iam::{A}:policy/iamgrade-collector")
        # `iamgrade policy` is reads only; assuming a role is the runner's
        # extra (`iamgrade policy --runner --role-name audit-via-profile`).
        iam.put_user_policy(UserName="iamgrade-auditor", PolicyName="assume-audit-role",
                            PolicyDocument=bedlib.doc(bedlib.allow(
                                "sts:AssumeRole", f"arn:aws:iam::{A}:role/audit-via-profile")))

    def home(self, config, credentials=""):
        home = self.mkdtemp()
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(textwrap.dedent(config))
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write(textwrap.dedent(credentials))
        return bedlib.aws_env(self.bed, None, home=home)

    def creds_file(self):
        return f"""\
            [audit]
            aws_access_key_id = {self.s.auditor.access_key_id}
            aws_secret_access_key = {self.s.auditor.secret_access_key}
            """

    def test_static_keys_profile(self):
        env = self.home("[profile audit]\nregion = us-east-1\n", self.creds_file())
        snap, _, _ = self.collect_ok(None, "--profile", "audit", env=env)
        self.assertEqual(snap["caller"]["arn"], f"arn:aws:iam::{A}:user/iamgrade-auditor")
        self.assertSourcesOk(snap, absent={"password_policy"})

    def test_profile_from_environment(self):
        env = self.home("[profile audit]\nregion = us-east-1\n", self.creds_file())
        env["AWS_PROFILE"] = "audit"
        snap, _, _ = self.collect_ok(None, env=env)
        self.assertEqual(snap["caller"]["arn"], f"arn:aws:iam::{A}:user/iamgrade-auditor")

    def test_role_arn_with_source_profile(self):
        env = self.home(f"""\
            [profile viarole]
            role_arn = arn:aws:iam::{A}:role/audit-via-profile
            source_profile = audit
            role_session_name = e2e-profile
            region = us-east-1
            """, self.creds_file())
        snap, _, _ = self.collect_ok(None, "--profile", "viarole", env=env)
        self.assertEqual(snap["caller"]["arn"], f"arn:aws:sts::{A}:assumed-role/audit-via-profile/e2e-profile")
        self.assertSourcesOk(snap, absent={"password_policy"})

    def test_credential_process(self):
        helper = os.path.join(self.mkdtemp(), "creds.py")
        with open(helper, "w") as f:
            f.write("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': %r, 'SecretAccessKey': %r}))\n"
                    % (self.s.auditor.access_key_id, self.s.auditor.secret_access_key))
        env = self.home(f"""\
            [profile proc]
            credential_process = {sys.executable} {helper}
            region = us-east-1
            """)
        snap, _, p = self.collect_ok(None, "--profile", "proc", env=env)
        self.assertEqual(snap["caller"]["arn"], f"arn:aws:iam::{A}:user/iamgrade-auditor")
        self.assertNotIn(self.s.auditor.secret_access_key, p.stdout + p.stderr)

    def test_missing_profile_is_an_error(self):
        env = self.home("[profile audit]\nregion = us-east-1\n", self.creds_file())
        p, out = self.collect(None, "--profile", "nope", env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nope", p.stderr)
        self.assertEqual(snapshots(out), [])


class CollectOrgTest(BedCase):
    """Assuming the audit role into member accounts of the sample organization."""

    needs_collector = True

    @classmethod
    def seed(cls):
        cls.o = seed.seed_org(cls.bed)

    def role(self, name):
        return f"arn:aws:iam::{self.o.accounts[name]}:role/{self.o.role_name}"

    def test_member_account_through_its_role(self):
        acct = self.o.accounts["development"]
        snap, _, _ = self.collect_ok(self.o.auditor, "--role-arn", self.role("development"))
        self.assertEqual(snap["account"]["id"], acct)
        self.assertEqual(snap["account"]["alias"], "acme-dev")
        self.assertRegex(snap["caller"]["arn"], rf"^arn:aws:sts::{acct}:assumed-role/{self.o.role_name}/.+")
        self.assertSourcesOk(snap, absent={"password_policy"})
        creators = {e["CloudTrailEvent"]["requestParameters"]["roleName"]:
                    e["CloudTrailEvent"]["userIdentity"]
                    for e in snap["sources"]["create_role_events"]["data"]["events"]}
        self.assertEqual(creators["contractor-access"]["type"], "AssumedRole")
        self.assertEqual(creators["contractor-access"]["sessionContext"]["sessionIssuer"]["userName"],
                         "OrganizationAccountAccessRole")
        self.assertEqual(snap["sources"]["trails"]["data"], [])

    def test_explicit_deny_in_the_role(self):
        p, out = self.collect(self.o.auditor, "--role-arn", self.role("sandbox"))
        self.assertEqual(p.returncode, 3, p.stderr)
        snap = load(snapshots(out)[0])
        self.assertEqual(snap["account"]["id"], self.o.accounts["sandbox"])
        self.assertEqual(snap["sources"]["password_policy"]["status"], "denied")
        self.assertSourcesOk(snap, except_={"password_policy"})

    def test_role_the_management_account_may_not_assume(self):
        # The account is still written, marked unreachable (docs/snapshot-format.md).
        p, out = self.collect(self.o.auditor, "--role-arn", self.role("legacy"))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("AccessDenied", p.stderr)
        self.assertIn(self.role("legacy"), p.stderr)
        snap = load(snapshots(out)[0])
        self.assertEqual(snap["account"]["id"], self.o.accounts["legacy"])
        self.assertFalse(snap["collection"]["complete"])
        self.assertTrue(snap["collection"]["problems"])
        self.assertEqual({k: v["status"] for k, v in snap["sources"].items()
                          if v["status"] not in ("denied", "error")}, {})

    def test_organization_as_the_cli_sees_it(self):
        env = bedlib.aws_env(self.bed, self.o.auditor, home=self.mkdtemp())
        ids = {a["Id"] for a in aws_cli(["organizations", "list-accounts"], env)["Accounts"]}
        # The organization also holds a closed (SUSPENDED) account, never collected.
        self.assertEqual(ids, set(self.o.accounts.values()) | {self.o.suspended})
        with self.assertRaises(botocore.exceptions.ClientError):
            self.bed.client("sts", self.o.auditor).assume_role(RoleArn=self.role("legacy"),
                                                                RoleSessionName="check")
