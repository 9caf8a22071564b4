"""Credentials as the AWS CLI resolves them, against the bed with request
authentication on: IAM Identity Center (sso-session and legacy), a role
with mfa_serial, web identity and credential_process.

The reference client is botocore, the AWS CLI's engine: `aws configure
export-credentials` (CLI v2) prints exactly Session.get_credentials(), and
the CLI v1 installed here has no such command, so the reference helper
asks botocore the same question for the same config, cache and environment.
iamgrade prints no credentials (they are secrets), so what it arrived at is
read from the bed: the access key that signed its requests (moto verified
the signature with the secret and the session token), the AssumeRole
parameters it sent and the SSO cache it wrote back.
"""
import hashlib
import json
import os
import pty
import select
import stat
import subprocess
import sys
import time

from e2eutil import IAMGRADE, BedCase, bedlib, iamgrade

A = bedlib.DEFAULT_ACCOUNT
ROLE = "iamgrade-audit"
START_URL = "https://bed.awsapps.com/start"

# botocore as `aws configure export-credentials --profile P` uses it.  The
# MFA prompt (getpass in botocore) answers with $REF_MFA_CODE.
REFERENCE = r"""
import json, os, sys, botocore.session
s = botocore.session.Session(profile=sys.argv[1])
code = os.environ.get("REF_MFA_CODE")
if code:
    s.get_component("credential_provider").get_provider("assume-role")._prompter = lambda _: code
c = s.get_credentials().get_frozen_credentials()
print(json.dumps({"AccessKeyId": c.access_key, "SecretAccessKey": c.secret_key,
                  "SessionToken": c.token}))
"""


def reference(profile, env):
    p = subprocess.run([sys.executable, "-c", REFERENCE, profile], env=env, capture_output=True,
                       encoding="utf-8", timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"botocore for profile {profile}: {p.stderr}")
    return json.loads(p.stdout)


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class CredsTest(BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        admin = bedlib.bootstrap_admin(cls.bed, A)
        cls.auditor = bedlib.create_auditor(
            cls.bed, A, admin, extra_statements=[bedlib.allow("sts:AssumeRole")])
        iam = cls.bed.client("iam", admin)
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "sts:AssumeRole"}]}))
        iam.attach_role_policy(RoleName=ROLE, PolicyArn=f"arn:aws:iam::{A}:policy/iamgrade-collector")
        cls.role_arn = f"arn:aws:iam::{A}:role/{ROLE}"
        idp = iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])["OpenIDConnectProviderArn"]
        iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": idp},
                "Action": "sts:AssumeRoleWithWebIdentity"}]}))
        iam.attach_role_policy(RoleName="ci", PolicyArn=f"arn:aws:iam::{A}:policy/iamgrade-collector")

    def setUp(self):
        self.bed.ctl("signers", method="POST")

    def role_session(self):
        """Fresh role credentials, in the portal's shape: what an SSO role hands out."""
        sts = self.bed.client("sts", self.auditor)
        c = sts.assume_role(RoleArn=self.role_arn, RoleSessionName="sso-user")["Credentials"]
        return {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                "sessionToken": c["SessionToken"],
                "expiration": int(c["Expiration"].timestamp() * 1000)}

    def home(self, config, credentials=""):
        env = self.env(None)
        with open(env["AWS_CONFIG_FILE"], "w") as f:
            f.write(config)
        with open(env["AWS_SHARED_CREDENTIALS_FILE"], "w") as f:
            f.write(credentials)
        return env

    def cache(self, env, key, doc):
        d = os.path.join(env["HOME"], ".aws", "sso", "cache")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, sha1(key) + ".json")
        with open(path, "w") as f:
            json.dump(doc, f)
        os.chmod(path, 0o600)
        return path

    def signers(self):
        return self.bed.ctl("signers", method="GET")

    def collect_as(self, profile, env, *args):
        self.space()
        p = iamgrade(["collect", "--profile", profile, "--out", self.mkdtemp()] + list(args),
                     env=env)
        BedCase._last_run = time.monotonic()
        return p

    def assertCollected(self, p):
        self.assertEqual(p.returncode, 0, f"stdout: {p.stdout}\nstderr: {p.stderr}")

    # --- IAM Identity Center ---

    SSO_SESSION = (f"[profile corp]\nsso_session = corp\nsso_account_id = {A}\n"
                   f"sso_role_name = Audit\n"
                   f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
                   f"sso_registration_scopes = sso:account:access\n")

    def sso_login(self, env, n):
        """What `aws sso login --profile corp` leaves: a token with ten minutes left
        (inside the 15-minute refresh window) and a registered client."""
        creds = self.role_session()
        tok, refresh = f"access-{n}", f"refresh-{n}"
        self.bed.ctl("sso_grant", {"access_token": tok, "expires_in": 600, "account": A,
                                   "role_name": "Audit", "credentials": creds})
        self.bed.ctl("sso_client", {"client_id": "cid", "client_secret": "csecret",
                                    "refresh_token": refresh, "access_token": tok})
        path = self.cache(env, "corp", {
            "startUrl": START_URL, "region": "us-east-1", "accessToken": tok,
            "expiresAt": iso(time.time() + 600), "clientId": "cid", "clientSecret": "csecret",
            "registrationExpiresAt": iso(time.time() + 86400), "refreshToken": refresh})
        return creds, path

    def test_sso_session_refreshes_like_the_cli(self):
        env = self.home(self.SSO_SESSION)
        creds, path = self.sso_login(env, 1)
        ref = reference("corp", env)
        self.assertEqual(ref, {"AccessKeyId": creds["accessKeyId"],
                               "SecretAccessKey": creds["secretAccessKey"],
                               "SessionToken": creds["sessionToken"]})
        with open(path) as f:
            cli_cache = json.load(f)
        self.assertNotEqual(cli_cache["accessToken"], "access-1", "botocore refreshed")

        env = self.home(self.SSO_SESSION)
        creds, path = self.sso_login(env, 2)
        self.bed.ctl("signers", method="POST")
        p = self.collect_as("corp", env)
        self.assertCollected(p)
        self.assertEqual(self.signers()["signers"], [creds["accessKeyId"]])
        with open(path) as f:
            ours = json.load(f)
        self.assertTrue(ours["accessToken"].startswith("bed-access-"), ours["accessToken"])
        self.assertTrue(ours["refreshToken"].startswith("bed-refresh-"))
        self.assertEqual(sorted(ours), sorted(cli_cache), "the document botocore writes")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        # The refreshed token is valid for eight hours: the next run uses it as is.
        calls = len(self.bed.ctl("sso")["calls"])
        self.assertCollected(self.collect_as("corp", env))
        new = [c[0] for c in self.bed.ctl("sso")["calls"][calls:]]
        self.assertEqual(new, ["GetRoleCredentials"])

    def test_legacy_sso(self):
        env = self.home(f"[profile old]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
                        f"sso_account_id = {A}\nsso_role_name = Audit\n")
        creds = self.role_session()
        self.bed.ctl("sso_grant", {"access_token": "legacy-1", "account": A, "role_name": "Audit",
                                   "credentials": creds})
        self.cache(env, START_URL, {"startUrl": START_URL, "region": "us-east-1",
                                    "accessToken": "legacy-1", "expiresAt": iso(time.time() + 3600)})
        want = {"AccessKeyId": creds["accessKeyId"], "SecretAccessKey": creds["secretAccessKey"],
                "SessionToken": creds["sessionToken"]}
        self.assertEqual(reference("old", env), want)
        self.bed.ctl("signers", method="POST")
        self.assertCollected(self.collect_as("old", env))
        self.assertEqual(self.signers()["signers"], [creds["accessKeyId"]])
        # Expired: no refresh in this form; the login to run, and no snapshot.
        self.cache(env, START_URL, {"startUrl": START_URL, "region": "us-east-1",
                                    "accessToken": "legacy-1", "expiresAt": iso(time.time() - 60)})
        p = self.collect_as("old", env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("run: aws sso login --profile old", p.stderr)

    def test_no_login_says_which(self):
        env = self.home(self.SSO_SESSION)
        p = self.collect_as("corp", env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no IAM Identity Center token is cached for sso-session corp", p.stderr)
        self.assertIn("run: aws sso login --profile corp", p.stderr)

    # --- mfa_serial ---

    MFA = (f"[profile mfa]\nrole_arn = arn:aws:iam::{A}:role/{ROLE}\nsource_profile = base\n"
           f"mfa_serial = arn:aws:iam::{A}:mfa/auditor\nduration_seconds = 3600\n"
           f"role_session_name = audit-mfa\n")

    def mfa_home(self):
        a = self.auditor
        return self.home(self.MFA, f"[base]\naws_access_key_id = {a.access_key_id}\n"
                                   f"aws_secret_access_key = {a.secret_access_key}\n")

    def test_mfa_role_sends_what_the_cli_sends(self):
        env = self.mfa_home()
        ref = reference("mfa", dict(env, REF_MFA_CODE="908172"))
        cli_call = self.signers()["assume_calls"]
        self.assertEqual(len(cli_call), 1, cli_call)
        self.assertTrue(ref["AccessKeyId"].startswith("ASIA"))
        self.bed.ctl("signers", method="POST")
        p = self.collect_as("mfa", env, "--mfa-code", "908172")
        self.assertCollected(p)
        s = self.signers()
        self.assertEqual(s["assume_calls"], cli_call, "the same AssumeRole, MFA included")
        self.assertEqual(s["assume_calls"][0]["SerialNumber"], f"arn:aws:iam::{A}:mfa/auditor")
        self.assertEqual(s["assume_calls"][0]["TokenCode"], "908172")
        self.assertEqual(s["assume_calls"][0]["DurationSeconds"], "3600")
        self.assertEqual(s["signers"][0], self.auditor.access_key_id)
        self.assertTrue(all(k.startswith("ASIA") for k in s["signers"][1:]), s["signers"])
        self.assertNotIn("908172", p.stderr + p.stdout)
        # IAMGRADE_MFA_CODE does the same; without either and without a terminal: a clear error.
        self.assertCollected(self.collect_as("mfa", dict(env, IAMGRADE_MFA_CODE="654321")))
        p = self.collect_as("mfa", env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("needs an MFA code: give --mfa-code CODE or IAMGRADE_MFA_CODE", p.stderr)

    def test_mfa_prompt_on_the_terminal_without_echo(self):
        env = self.mfa_home()
        self.bed.ctl("signers", method="POST")
        self.space()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(IAMGRADE,
                      ["iamgrade", "collect", "--profile", "mfa", "-q", "--out", self.mkdtemp()], env)
        out, sent, deadline = b"", False, time.monotonic() + 120
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 1)
            if not r:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not sent and b"MFA code for" in out:
                os.write(fd, b"246810\n")
                sent = True
        _, status = os.waitpid(pid, 0)
        BedCase._last_run = time.monotonic()
        text = out.decode(errors="replace")
        self.assertTrue(sent, text)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertEqual(text.count("MFA code for"), 1, text)
        self.assertIn(f"MFA code for arn:aws:iam::{A}:mfa/auditor (profile mfa): ", text)
        self.assertNotIn("246810", text, "the code was echoed")
        self.assertEqual(self.signers()["assume_calls"][0]["TokenCode"], "246810")

    # --- web identity and credential_process ---

    def test_web_identity(self):
        env = self.home(f"[profile ci]\nrole_arn = arn:aws:iam::{A}:role/ci\n"
                        f"web_identity_token_file = {self.tmp}/token\nrole_session_name = ci-run\n")
        with open(f"{self.tmp}/token", "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXVkaXQifQ.c2ln\n")
        ref = reference("ci", env)
        cli_call = self.signers()["assume_calls"]
        self.assertTrue(ref["AccessKeyId"].startswith("ASIA"))
        self.bed.ctl("signers", method="POST")
        self.assertCollected(self.collect_as("ci", env))
        s = self.signers()
        self.assertEqual(s["assume_calls"], cli_call)
        self.assertEqual(cli_call[0]["Action"], "AssumeRoleWithWebIdentity")
        self.assertEqual(cli_call[0]["RoleSessionName"], "ci-run")

    def test_credential_process(self):
        a = self.auditor
        script = os.path.join(self.tmp, "creds.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nprintf '%s' '" + json.dumps({
                "Version": 1, "AccessKeyId": a.access_key_id,
                "SecretAccessKey": a.secret_access_key}) + "'\n")
        os.chmod(script, 0o755)
        env = self.home(f"[profile proc]\ncredential_process = {script}\n")
        self.assertEqual(reference("proc", env), {"AccessKeyId": a.access_key_id,
                                                  "SecretAccessKey": a.secret_access_key,
                                                  "SessionToken": None})
        self.assertCollected(self.collect_as("proc", env))
        self.assertEqual(self.signers()["signers"], [a.access_key_id])
