"""Security Hub's BatchImportFindings, as AWS enforces it, in front of moto's.

moto 5.2.1 stores whatever it is sent.  AWS (Security Hub partner guide,
"Guidelines for using the BatchImportFindings API", and the API reference)
refuses a request of more than 100 findings or 6 MB, a request whose
members do not fit the ASFF model (botocore's input shape: the same check
the SDKs make), and each finding over 240 KB, of another account than the
caller's, or under a product ARN that is not the caller's default product
in the request's region.  The front checks the request first; moto then
authenticates and authorises the call (securityhub:BatchImportFindings in
the caller's policies) and stores the findings; the ones AWS would have
refused are taken out of moto's store again and reported in FailedFindings.
"""
import json

import botocore.session
from botocore.validate import ParamValidator
from moto.securityhub.models import securityhub_backends

BATCH_MAX = 100
REQUEST_MAX = 6 * 1024 * 1024
FINDING_MAX = 240 * 1024
_SHAPE = None

# Finding ids the test wants refused (POST /_bed/securityhub {"refuse": [...]}).
REFUSE = set()

PATHS = {"/findings/import": "BatchImportFindings", "/findings": "GetFindings"}


def action_of(path):
    """The REST-JSON operation a path names ("Unknown" for others)."""
    return PATHS.get(path.rstrip("/") or "/", "Unknown")


def _shape():
    global _SHAPE
    if _SHAPE is None:
        _SHAPE = botocore.session.get_session().get_service_model("securityhub") \
            .operation_model("BatchImportFindings").input_shape
    return _SHAPE


def check_request(body):
    """(None, findings) for a request AWS takes, else (error code, message)."""
    if len(body) > REQUEST_MAX:
        return ("InvalidInputException", f"the request is larger than {REQUEST_MAX} bytes"), None
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return ("SerializationException", "the request body is not JSON"), None
    findings = params.get("Findings") if isinstance(params, dict) else None
    if not isinstance(findings, list) or not findings:
        return ("InvalidInputException", "Findings: a list of 1 to 100 findings"), None
    if len(findings) > BATCH_MAX:
        return ("InvalidInputException",
                f"Findings: {len(findings)} findings, at most {BATCH_MAX} a request"), None
    report = ParamValidator().validate(params, _shape())
    if report.has_errors():
        return ("InvalidInputException", report.generate_report()[:1000]), None
    return None, findings


def refusals(findings, account, region):
    """{Id: (code, message)} of the findings AWS would refuse one by one."""
    out = {}
    for f in findings:
        fid = f.get("Id", "")
        product = f"arn:aws:securityhub:{region}:{account}:product/{account}/default"
        if fid in REFUSE:
            out[fid] = ("InvalidInput", "refused by the test (bed_securityhub.REFUSE)")
        elif len(json.dumps(f).encode()) > FINDING_MAX:
            out[fid] = ("InvalidInput", f"the finding is larger than {FINDING_MAX} bytes")
        elif f.get("AwsAccountId") != account:
            out[fid] = ("AccessDeniedException",
                        f"account {account} cannot import findings for account {f.get('AwsAccountId')}")
        elif f.get("ProductArn") != product:
            out[fid] = ("InvalidInput", f"ProductArn {f.get('ProductArn')} is not {product}")
    return out


def drop(account, region, ids):
    """Take findings out of moto's store (ones AWS would have refused)."""
    be = securityhub_backends[account][region]
    be.findings = [f for f in be.findings if f.id not in ids]


def amend(body, refused, n):
    """moto's answer to n findings with the refused ones counted as failed."""
    ans = json.loads(body or b"{}")
    failed = [x for x in ans.get("FailedFindings", []) if x.get("Id") not in refused]
    failed += [{"Id": fid, "ErrorCode": code, "ErrorMessage": msg} for fid, (code, msg) in refused.items()]
    ans["SuccessCount"] = n - len(failed)
    ans["FailedCount"] = len(failed)
    ans["FailedFindings"] = failed
    return json.dumps(ans).encode()


def stored(account):
    """Every finding moto keeps for account, in every region: [{Id, Region, ...}]."""
    out = []
    for region, be in securityhub_backends[account].items():
        for f in be.findings:
            d = dict(f.data)
            d["_region"] = region
            out.append(d)
    return out
