"""What tests, the demo and bedctl use to drive the bed: start and stop it,
call its control API, make boto3 clients against it, create the identities
iamgrade runs as, and build the environment for running ./iamgrade so that
nothing of the developer's own AWS set-up leaks in.

    with bedlib.Bed(log_path="build/bed.log") as bed:
        admin = bedlib.bootstrap_admin(bed, bedlib.DEFAULT_ACCOUNT)
        auditor = bedlib.create_auditor(bed, bedlib.DEFAULT_ACCOUNT, admin)
        bed.auth(True)
        env = bedlib.aws_env(bed, auditor, home=tmpdir)
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import namedtuple

BED_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(BED_DIR))
DEFAULT_ACCOUNT = "123456789012"   # moto's default account
REGION = "us-east-1"
BOOTSTRAP = ("AKIABEDBOOTSTRAP0000", "bed-bootstrap-secret")

Creds = namedtuple("Creds", "access_key_id secret_access_key session_token", defaults=(None,))

# The collector's needs when ./iamgrade policy cannot say (before the
# binary is built).  Tests that run ./iamgrade always
# get the binary's own policy.
FALLBACK_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "IamgradeCollectorFallback",
        "Effect": "Allow",
        "Action": [
            "iam:GenerateCredentialReport", "iam:GetCredentialReport",
            "iam:GetAccountPasswordPolicy", "iam:GetAccountSummary",
            "iam:ListVirtualMFADevices", "iam:ListAccessKeys",
            "iam:GetAccountAuthorizationDetails", "iam:ListAccountAliases",
            "iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails",
            "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors", "cloudtrail:LookupEvents",
            "organizations:DescribeOrganization", "organizations:ListAccounts",
            "organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListAccountsForParent", "organizations:ListTagsForResource",
        ],
        "Resource": "*",
    }],
}


class BedError(RuntimeError):
    pass


def iamgrade_binary():
    return os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade")


def iamgrade_policy():
    """(policy document, where it came from): `iamgrade policy`, else
    FALLBACK_POLICY (before the binary is built)."""
    binary = iamgrade_binary()
    try:
        p = subprocess.run([binary, "policy"], capture_output=True, timeout=30)
        if p.returncode == 0:
            return json.loads(p.stdout), f"{binary} policy"
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    return FALLBACK_POLICY, "bedlib.FALLBACK_POLICY"


def doc(*statements):
    """A policy document from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*", **extra):
    st = {"Effect": "Allow", "Action": actions, "Resource": resource}
    st.update(extra)
    return st


class Bed:
    """One bed process on a free port.  Use as a context manager, or start()/stop()."""

    def __init__(self, log_path=None, seed=42, auth=False):
        self.seed = seed
        self.start_auth = auth
        self.log_path = log_path
        self.proc = None
        self.port = None
        self._tmp = None
        self._log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def attach(cls, port):
        """A handle on a bed that is already running (bedctl)."""
        bed = cls()
        bed.port = int(port)
        return bed

    def start(self, timeout=60, detach=False):
        """Start the bed and wait until it answers.  detach: let it outlive this
        process (bedctl start), in its own session."""
        self._tmp = tempfile.mkdtemp(prefix="bed-")
        port_file = os.path.join(self._tmp, "port")
        if self.log_path is None:
            self.log_path = os.path.join(self._tmp, "bed.log")
        os.makedirs(os.path.dirname(os.path.abspath(self.log_path)), exist_ok=True)
        self._log = open(self.log_path, "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_ACCOUNT_ID"}
        env.setdefault("BED_LOOKUP_RATE", "20")   # with aws_env's IAMGRADE_LOOKUP_GAP_MS
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(BED_DIR, "bed.py"), "--port", "0", "--port-file", port_file,
             "--seed", str(self.seed), "--auth", "on" if self.start_auth else "off"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=detach)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BedError(f"the bed exited with {self.proc.returncode}; see {self.log_path}")
            if os.path.exists(port_file):
                with open(port_file) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = int(txt)
                    try:
                        self.health()
                        return self
                    except (OSError, BedError):
                        pass
            time.sleep(0.1)
        self.stop()
        raise BedError(f"the bed did not answer within {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc is None and self.port is not None:
            try:
                self.ctl("shutdown")
            except (OSError, BedError, http.client.HTTPException):
                pass
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.ctl("shutdown")
            except (OSError, BedError, http.client.HTTPException):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- control API ---

    def ctl(self, name, body=None, method=None, query=None):
        url = f"{self.url}/_bed/{name}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        data = None if body is None and method != "POST" else json.dumps(body or {}).encode()
        if method is None:
            method = "POST" if data is not None or name in ("shutdown", "reset", "stats/reset") else "GET"
        if method == "POST" and data is None:
            data = b"{}"
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise BedError(f"/_bed/{name}: HTTP {e.code}: {e.read().decode(errors='replace')}") from None

    def health(self):
        return self.ctl("health")

    def auth(self, enabled):
        return self.ctl("auth", {"enabled": bool(enabled)})["auth"]

    def reset(self):
        return self.ctl("reset", {})

    def set_faults(self, rules, seed=None):
        body = {"rules": rules}
        if seed is not None:
            body["seed"] = seed
        return self.ctl("faults", body)

    def clear_faults(self):
        return self.ctl("faults", {"rules": []})

    def faults(self):
        return self.ctl("faults")

    def stats(self, account):
        """{action: request count} for one account."""
        data = self.ctl("stats", query={"account": account})["accounts"].get(account, {})
        return {a: v["count"] for a, v in data.items()}

    def stats_full(self, account=None):
        return self.ctl("stats", query={"account": account} if account else None)

    def reset_stats(self):
        return self.ctl("stats/reset", {})

    def inject_event(self, account, record, raw=None, summary=None):
        body = {"account": account, "record": record}
        if raw is not None:
            body["raw"] = raw
        if summary is not None:
            body["summary"] = summary
        return self.ctl("inject_event", body)["record"]

    def events(self, account):
        return self.ctl("events", query={"account": account})["events"]

    def root_row(self, account, **cfg):
        return self.ctl("root_row", dict(cfg, account=account))["root"]

    def report(self, account, mode="normal", delay_polls=0):
        return self.ctl("report", {"account": account, "mode": mode, "delay_polls": delay_polls})

    def last_accessed(self, account, **cfg):
        """Service last accessed jobs: delay_polls, fail [ARN], usage {ARN: {ns: ...}}."""
        return self.ctl("last_accessed", dict(cfg, account=account))

    def lookup(self, account, **cfg):
        return self.ctl("lookup", dict(cfg, account=account))

    def age_events(self, account, days=120, keep=("CreateRole",)):
        """The events so far (but keep's) happened days ago: past CloudTrail's 90 days by default."""
        return self.ctl("age_events", {"account": account, "days": days, "keep": list(keep)})

    def backdate(self, account, **kw):
        return self.ctl("backdate", dict(kw, account=account))

    # --- AWS clients ---

    def client(self, service, creds=None, account=None, region=REGION, headers=None, **kw):
        """A boto3 client against the bed.  Without creds it signs with the
        bootstrap key (an unknown key: only works while auth is off, and the
        bed records its CreateRole calls as the account's root user); account
        then picks the account through moto's x-moto-account-id header."""
        import boto3
        from botocore.config import Config
        c = creds or Creds(*BOOTSTRAP)
        client = boto3.client(
            service, endpoint_url=self.url, region_name=region,
            aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key,
            aws_session_token=c.session_token,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}, **kw))
        extra = dict(headers or {})
        if account is not None and creds is None:
            extra["x-moto-account-id"] = account
        if extra:
            def add_headers(request, **_):
                for k, v in extra.items():
                    request.headers[k] = v
            client.meta.events.register("before-sign.*.*", add_headers)
        return client


def bootstrap_admin(bed, account, name="admin"):
    """An administrator in account (group Admins with AdministratorAccess) and
    its access key: the identity scenarios seed with.  Auth must be off."""
    iam = bed.client("iam", account=account)
    try:
        iam.create_group(GroupName="Admins")
        iam.attach_group_policy(GroupName="Admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="Admins", UserName=name)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return Creds(k["AccessKeyId"], k["SecretAccessKey"])


def collector_policy(iam, account, policy):
    """The customer-managed policy iamgrade-collector in account (created once)."""
    try:
        return iam.create_policy(PolicyName="iamgrade-collector", PolicyDocument=json.dumps(policy),
                                 Description="what iamgrade collect needs")["Policy"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return f"arn:aws:iam::{account}:policy/iamgrade-collector"


def create_auditor(bed, account, admin, name="iamgrade-auditor", policy=None, extra_statements=()):
    """The identity iamgrade runs as: a user in group Auditors, which holds the
    customer-managed policy iamgrade-collector (exactly `iamgrade policy`,
    unless policy is given).  extra_statements go into a second, inline group
    policy (e.g. sts:AssumeRole for organization runs).  Returns its key."""
    iam = bed.client("iam", admin)
    pol = policy if policy is not None else iamgrade_policy()[0]
    arn = collector_policy(iam, account, pol)
    iam.create_group(GroupName="Auditors")
    iam.attach_group_policy(GroupName="Auditors", PolicyArn=arn)
    if extra_statements:
        iam.put_group_policy(GroupName="Auditors", PolicyName="iamgrade-run",
                             PolicyDocument=doc(*extra_statements))
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="Auditors", UserName=name)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return Creds(k["AccessKeyId"], k["SecretAccessKey"])


def aws_env(bed, creds=None, home=None, region=REGION, extra=None):
    """Environment for running ./iamgrade (or the AWS CLI) against the bed:
    nothing from the caller's AWS_* variables or ~/.aws, credentials from
    creds (or none: then the temp ~/.aws files decide)."""
    if home is None:
        home = tempfile.mkdtemp(prefix="bedhome-")
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("HOME", "MOTO_ACCOUNT_ID")}
    env.update({
        "HOME": home,
        "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials"),
        "AWS_ENDPOINT_URL": bed.url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,   # the AWS CLI v1 reads only this one
        "AWS_EC2_METADATA_DISABLED": "true",
        "IAMGRADE_RETRY_BASE_MS": "10",
        # Last-accessed jobs take a few polls in the bed: 1 s apart would
        # only make the tests slow (the interval's growth is unit-tested).
        "IAMGRADE_LA_POLL_MS": "20",
        # LookupEvents paced at 20 a second, which the suites' bed allows
        # (BED_LOOKUP_RATE): AWS's 2 would add 7 s to every account
        # collected; the pacing itself is tested at AWS's rate.
        "IAMGRADE_LOOKUP_GAP_MS": "50",
    })
    if creds is not None:
        env["AWS_ACCESS_KEY_ID"] = creds.access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = creds.secret_access_key
        if creds.session_token:
            env["AWS_SESSION_TOKEN"] = creds.session_token
    env.update(extra or {})
    return env
