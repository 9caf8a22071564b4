"""Who is calling, and whether they may: moto 5.2.1's request authentication,
with the two places where it is not how AWS decides AssumeRole mended.

moto verifies SigV4 signatures and evaluates the caller's identity policies
itself (moto/core/authorization.py, moto/iam/access_control.py) once
settings.INITIAL_NO_AUTH_ACTION_COUNT is reached; the bed switches that on
and off (set_auth).  What moto 5.2.1 gets wrong for AssumeRole, and the bed
replaces:

- the trust policy is looked up only in the *caller's* account, so a
  cross-account AssumeRole is never checked against the role's trust policy
  (and a role that does not exist can be assumed);
- a principal matches only "*" or the caller's exact ARN: a trust policy
  naming the account ("arn:aws:iam::111122223333:root" or "111122223333"),
  or, for a role session, the role's ARN, does not match; a statement whose
  principal does not match returns DENIED instead of "not applicable", so a
  trust policy with a Service statement first denies everyone (and a
  Principal without an "AWS" key raises TypeError);
- a condition whose key is missing from the request passes
  (sts:ExternalId required but not sent is allowed);
- AccessDenied messages do not name the resource, as AWS's do.

Everything else (signature check, identity policies, explicit Deny) is
moto's own code.
"""
import datetime
import fnmatch
import json
import re

import moto
from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control
from moto.iam.models import iam_backends, get_account_id_from
from moto.sts.models import sts_backends

if moto.__version__ != "5.2.1":
    raise RuntimeError(f"bed_auth patches moto 5.2.1 internals; found moto {moto.__version__}")

PARTITION = "aws"
ACCOUNT_RE = re.compile(r"^arn:aws:(?:iam|sts)::(\d{12}):")


def set_auth(enabled):
    """Switch moto's request authentication on or off for every later request."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if enabled else float("inf")
    ActionAuthenticatorMixin.request_count = 0


def auth_enabled():
    return settings.INITIAL_NO_AUTH_ACTION_COUNT == 0


def account_of_key(access_key_id):
    """The account moto maps an access key to (its default account when unknown)."""
    return get_account_id_from(access_key_id)


def iam_backend(account):
    return iam_backends[account][PARTITION]


def _iso(dt):
    if dt is None:
        return None
    if isinstance(dt, datetime.datetime):
        if dt.tzinfo is not None:
            dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(dt)


def identity(account, access_key_id):
    """CloudTrail's userIdentity for a request signed with access_key_id in
    account: IAMUser, AssumedRole (with sessionContext), or Root when moto
    knows no such key (possible only while auth is off: the bed treats an
    unknown key as the account's root credentials)."""
    be = iam_backend(account)
    for user in list(be.users.values()):
        for key in user.access_keys:
            if key.access_key_id == access_key_id:
                return {
                    "type": "IAMUser",
                    "principalId": user.id,
                    "arn": user.arn,
                    "accountId": account,
                    "accessKeyId": access_key_id,
                    "userName": user.name,
                }
    for ar in list(sts_backends[account][PARTITION].assumed_roles):
        if ar.access_key_id != access_key_id:
            continue
        role_name = ar.role_arn.split("/")[-1]
        try:
            role = be.get_role_by_arn(ar.role_arn)
            role_id = role.id
        except Exception:
            role_id = ar.user_id.split(":")[0]
        created = ar.expiration - datetime.timedelta(seconds=3600)
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{ar.session_name}",
            "arn": ar.arn,
            "accountId": account,
            "accessKeyId": access_key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": ar.role_arn,
                    "accountId": account,
                    "userName": role_name,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": _iso(created), "mfaAuthenticated": "false"},
            },
        }
    return {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": access_key_id,
    }


def caller_arn(account, access_key_id):
    """The caller's ARN for error messages ("User: ARN is not authorized ...")."""
    ident = identity(account, access_key_id)
    return ident["arn"]


# --- AssumeRole trust evaluation (replaces moto's, see the module comment) ---

def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _principal_matches(stmt_principal, caller_arn_, caller_account):
    """Does a trust statement's Principal name this IAM caller?"""
    if stmt_principal == "*":
        return True
    if not isinstance(stmt_principal, dict):
        return False
    names = {caller_arn_, f"arn:aws:iam::{caller_account}:root", caller_account}
    m = re.match(r"^arn:aws:sts::(\d{12}):assumed-role/([^/]+)/", caller_arn_)
    if m:
        names.add(f"arn:aws:iam::{m.group(1)}:role/{m.group(2)}")
    for p in _as_list(stmt_principal.get("AWS")):
        if p == "*" or p in names:
            return True
        # a role ARN with a path names the same role as the session's
        rm = re.match(r"^arn:aws:iam::(\d{12}):role/(?:.*/)?([^/]+)$", p)
        if m and rm and rm.group(1) == m.group(1) and rm.group(2) == m.group(2):
            return True
    return False


def _condition_holds(cond, context):
    """Evaluate a trust statement's Condition block against context (key ->
    value).  String operators only; a key the request does not carry fails the
    condition (unless ...IfExists), an operator the bed does not know fails it
    too: the bed refuses rather than guesses."""
    for op, pairs in (cond or {}).items():
        if_exists = op.endswith("IfExists")
        base = op[:-len("IfExists")] if if_exists else op
        for key, expected in pairs.items():
            actual = context.get(key.lower())
            if actual is None:
                if if_exists:
                    continue
                if base in ("StringNotEquals", "StringNotLike"):
                    continue
                return False
            exp = [str(e) for e in _as_list(expected)]
            if base == "StringEquals":
                ok = actual in exp
            elif base == "StringEqualsIgnoreCase":
                ok = actual.lower() in [e.lower() for e in exp]
            elif base == "StringLike":
                ok = any(fnmatch.fnmatchcase(actual, e) for e in exp)
            elif base == "StringNotEquals":
                ok = actual not in exp
            elif base == "StringNotLike":
                ok = not any(fnmatch.fnmatchcase(actual, e) for e in exp)
            else:
                return False
            if not ok:
                return False
    return True


def trust_allows(role_arn, caller_arn_, caller_account, external_id):
    """True when role_arn exists and its trust policy lets the caller assume it."""
    m = re.match(r"^arn:aws:iam::(\d{12}):role/", role_arn or "")
    if not m:
        return False
    try:
        role = iam_backend(m.group(1)).get_role_by_arn(role_arn)
    except Exception:
        return False
    try:
        doc = json.loads(role.assume_role_policy_document)
    except ValueError:
        return False
    context = {
        "aws:principalaccount": caller_account,
        "aws:principalarn": caller_arn_,
    }
    if external_id is not None:
        context["sts:externalid"] = external_id
    allowed = False
    for st in _as_list(doc.get("Statement")):
        actions = _as_list(st.get("Action"))
        if "NotAction" in st:
            concerned = not any(fnmatch.fnmatchcase("sts:assumerole", a.lower())
                                for a in _as_list(st["NotAction"]))
        else:
            concerned = any(fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in actions)
        if not concerned:
            continue
        if not _principal_matches(st.get("Principal"), caller_arn_, caller_account):
            continue
        if not _condition_holds(st.get("Condition"), context):
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed


def _is_assuming_role_operation(self, resource_arn):
    return self._action.lower() == "sts:assumerole" and ":role/" in resource_arn


def _check_role_trust_relationship(self, role_arn):
    ext = self._data.get("ExternalId")
    if isinstance(ext, list):
        ext = ext[0] if ext else None
    return trust_allows(role_arn, self._access_key.arn, self.account_id, ext)


_moto_check_action_permitted = access_control.IAMRequestBase.check_action_permitted


def _check_action_permitted(self, resource):
    self._bed_resource = resource
    return _moto_check_action_permitted(self, resource)


def _raise_access_denied(self):
    # AWS names the resource ("... on resource: arn:aws:iam::...:role/x"); moto does not.
    res = getattr(self, "_bed_resource", "*")
    action = self._action if res == "*" else f"{self._action} on resource: {res}"
    raise access_control.AccessDeniedError(user_arn=self._access_key.arn, action=action)


access_control.IAMRequestBase._is_assuming_role_operation = _is_assuming_role_operation
access_control.IAMRequestBase._check_role_trust_relationship = _check_role_trust_relationship
access_control.IAMRequestBase.check_action_permitted = _check_action_permitted
access_control.IAMRequest._raise_access_denied = _raise_access_denied


# moto rebuilds an S3 request's URL decoded before checking its signature
# ("%2F" in a query becomes "/"), so every signed S3 call whose query or key
# holds an encoded character fails SignatureDoesNotMatch, boto3's too.  The
# front sets the URI as sent (under its lock, around each moto call), and
# S3's check signs that, as S3 does.
s3_raw_uri = None
_moto_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _s3_create_aws_request(self):
    req = _moto_create_aws_request(self)
    if s3_raw_uri is not None:
        req.url = s3_raw_uri
    return req


access_control.S3IAMRequest._create_aws_request = _s3_create_aws_request


def check_request(account, method, path, body, headers, action):
    """Run moto's own signature and permission check for a request the front
    serves itself (CloudTrail LookupEvents).  Raises moto's errors
    (SignatureDoesNotMatchError, InvalidClientTokenIdError, AccessDeniedError)."""
    req = access_control.IAMRequest(
        account_id=account, method=method, path=path, data={}, body=body,
        headers=headers, action=action)
    req.check_signature()
    req.check_action_permitted("*")
