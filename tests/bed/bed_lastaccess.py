"""Service last accessed, which moto 5.2.1 does not serve: IAM's
GenerateServiceLastAccessedDetails and GetServiceLastAccessedDetails
(reference: shared/reference/aws-api.md §4.20-4.23), as jobs.

- A job is built when it is generated, from moto's state at that moment: the
  services the entity's identity-based policies allow (attached, inline, and
  for a user its groups'), as AWS lists them, each with the last use the
  control API recorded (`/_bed/last_accessed`), or none.
- Services AWS tracks at action level (the bed: s3, ec2, iam, lambda) list
  their tracked actions: the operations of botocore's model for the service
  that the policies allow, plus any action the usage names.
- A job answers IN_PROGRESS to its first `delay_polls` reads (default 2),
  then COMPLETED, paged by MaxItems/Marker; an entity named in `fail` gets
  a FAILED job (Error/Code, Error/Message) every time.
- Only the access key that generated a job can read it (AWS: the same
  session); another gets NoSuchEntity.
- Patterns with a wildcard in the service part ("*", "s*:Get*") allow every
  namespace of the bed's small universe that they match (AWS lists hundreds).
"""
import datetime
import fnmatch
import json
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import botocore.session

import bed_iam
from bed_iam import q

TRACKED = ("ec2", "iam", "lambda", "s3")
UNIVERSE = ("cloudtrail", "dynamodb", "ec2", "iam", "kms", "lambda", "logs",
            "organizations", "s3", "sns", "sqs", "sts")

_ops = {}


def _operations(ns):
    """botocore's operation names for a tracked service (cached)."""
    if ns not in _ops:
        try:
            _ops[ns] = list(botocore.session.get_session().get_service_model(ns).operation_names)
        except Exception:   # an unknown service: nothing tracked
            _ops[ns] = []
    return _ops[ns]


def _as_list(v):
    return v if isinstance(v, list) else [v] if v is not None else []


def _documents(be, arn):
    """The identity-based policy documents of a role or user ARN, or None
    when there is no such entity."""
    docs = []
    kind = arn.split(":", 5)[-1].split("/", 1)[0] if arn.count(":") >= 5 else ""
    name = arn.rsplit("/", 1)[-1]
    try:
        if kind == "role":
            ent = be.get_role_by_arn(arn)
            holders = [ent]
        elif kind == "user":
            ent = be.get_user(name)
            if ent.arn != arn:
                return None
            holders = [ent] + list(be.get_groups_for_user(name))
        else:
            return None
    except Exception:
        return None
    for h in holders:
        docs.extend(h.policies.values())
        for p in h.managed_policies.values():
            for v in p.versions:
                if v.is_default:
                    docs.append(v.document)
    out = []
    for d in docs:
        if isinstance(d, str):
            try:
                d = json.loads(urllib.parse.unquote(d) if d.startswith("%7B") else d)
            except ValueError:
                continue
        out.append(d)
    return out


def _allowed(docs):
    """Action patterns of Allow statements; NotAction allows everything."""
    pats = []
    for d in docs:
        for st in _as_list(d.get("Statement")):
            if not isinstance(st, dict) or st.get("Effect") != "Allow":
                continue
            if "NotAction" in st:
                pats.append("*")
            pats.extend(a for a in _as_list(st.get("Action")) if isinstance(a, str))
    return pats


def services_for(docs, usage):
    """The job's items: [{ns, last, region, actions: [(name, last)] or None}]."""
    pats = _allowed(docs)
    names = set()
    for p in pats:
        svc = p.split(":", 1)[0].lower() if ":" in p else p.lower()
        if any(c in svc for c in "*?"):
            names.update(n for n in UNIVERSE if fnmatch.fnmatchcase(n, svc))
        else:
            names.add(svc)
    items = []
    for ns in sorted(names):
        use = usage.get(ns, {})
        item = {"ns": ns, "last": use.get("last"), "region": use.get("region", "us-east-1"),
                "actions": None}
        if ns in TRACKED:
            mine = [p.split(":", 1)[1] for p in pats
                    if ":" in p and fnmatch.fnmatchcase(ns, p.split(":", 1)[0].lower())]
            mine += ["*"] if "*" in pats else []
            acts = {op for op in _operations(ns)
                    if any(fnmatch.fnmatch(op.lower(), m.lower()) for m in mine)}
            acts.update(use.get("actions", {}))
            item["actions"] = [(a, use.get("actions", {}).get(a)) for a in sorted(acts)]
        items.append(item)
    return items


class LastAccessed:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.jobs = {}
            self.config = {}   # account -> {"delay_polls", "fail": set(), "usage": {arn: {ns: ...}}}

    def _cfg(self, account):
        return self.config.setdefault(account, {"delay_polls": 2, "fail": set(), "usage": {}})

    def configure(self, account, body):
        """delay_polls N; fail [ARN]; usage {ARN: {ns: {"last": ISO, "region",
        "actions": {Name: ISO|null}}}} (merged per ARN)."""
        with self.lock:
            c = self._cfg(account)
            if "delay_polls" in body:
                c["delay_polls"] = int(body["delay_polls"])
            if "fail" in body:
                c["fail"] = set(body["fail"])
            for arn, svcs in (body.get("usage") or {}).items():
                if not isinstance(svcs, dict):
                    raise ValueError("usage is {ARN: {namespace: {last, region, actions}}}")
                c["usage"].setdefault(arn, {}).update(svcs)
            return {"account": account, "delay_polls": c["delay_polls"],
                    "fail": sorted(c["fail"]), "usage": c["usage"], "jobs": len(self.jobs)}

    def generate(self, account, be, key, params, request_id):
        """(status, code, message) for an error, else (200, body)."""
        arn = params.get("Arn", "")
        gran = params.get("Granularity", "SERVICE_LEVEL")
        if gran not in ("SERVICE_LEVEL", "ACTION_LEVEL") or not (20 <= len(arn) <= 2048):
            return 400, "InvalidInput", "Invalid Arn or Granularity."
        docs = _documents(be, arn)
        if docs is None:
            return 404, "NoSuchEntity", f"The entity {arn} does not exist."
        with self.lock:
            c = self._cfg(account)
            job = {"id": str(uuid.uuid4()), "owner": key, "arn": arn, "granularity": gran,
                   "polls": c["delay_polls"], "fail": arn in c["fail"],
                   "created": _now(), "completed": None,
                   "items": services_for(docs, c["usage"].get(arn, {}))}
            self.jobs[job["id"]] = job
        root = ET.Element(q("GenerateServiceLastAccessedDetailsResponse"))
        res = ET.SubElement(root, q("GenerateServiceLastAccessedDetailsResult"))
        ET.SubElement(res, q("JobId")).text = job["id"]
        _metadata(root, request_id)
        return 200, bed_iam._dump(root)

    def get(self, key, params, request_id):
        jid = params.get("JobId", "")
        if len(jid) != 36:
            return 400, "InvalidInput", "JobId must be 36 characters."
        try:
            max_items = int(params.get("MaxItems", "100"))
        except ValueError:
            return 400, "InvalidInput", "MaxItems is a number."
        if not 1 <= max_items <= 1000:
            return 400, "InvalidInput", "MaxItems is 1 to 1000."
        with self.lock:
            job = self.jobs.get(jid)
            if job is None or job["owner"] != key:
                return 404, "NoSuchEntity", f"Job {jid} not found."
            if job["polls"] > 0:
                job["polls"] -= 1
                status = "IN_PROGRESS"
            else:
                status = "FAILED" if job["fail"] else "COMPLETED"
                job["completed"] = job["completed"] or _now()
        root = ET.Element(q("GetServiceLastAccessedDetailsResponse"))
        res = ET.SubElement(root, q("GetServiceLastAccessedDetailsResult"))
        ET.SubElement(res, q("JobStatus")).text = status
        ET.SubElement(res, q("JobType")).text = job["granularity"]
        ET.SubElement(res, q("JobCreationDate")).text = job["created"]
        if status == "IN_PROGRESS":
            _metadata(root, request_id)
            return 200, bed_iam._dump(root)
        ET.SubElement(res, q("JobCompletionDate")).text = job["completed"]
        if status == "FAILED":
            ET.SubElement(res, q("ServicesLastAccessed"))
            err = ET.SubElement(res, q("Error"))
            ET.SubElement(err, q("Message")).text = "bed: the job failed as configured"
            ET.SubElement(err, q("Code")).text = "InternalError"
            ET.SubElement(res, q("IsTruncated")).text = "false"
            _metadata(root, request_id)
            return 200, bed_iam._dump(root)
        marker = params.get("Marker")
        try:
            start = int(marker[3:]) if marker else 0
            if marker and not marker.startswith("la-"):
                raise ValueError
        except ValueError:
            return 400, "InvalidInput", "Invalid Marker."
        page = job["items"][start:start + max_items]
        more = start + max_items < len(job["items"])
        svcs = ET.SubElement(res, q("ServicesLastAccessed"))
        for it in page:
            m = ET.SubElement(svcs, q("member"))
            ET.SubElement(m, q("ServiceName")).text = f"Bed service {it['ns']}"
            ET.SubElement(m, q("ServiceNamespace")).text = it["ns"]
            if it["last"]:
                ET.SubElement(m, q("LastAuthenticated")).text = it["last"]
                ET.SubElement(m, q("LastAuthenticatedEntity")).text = job["arn"]
                ET.SubElement(m, q("LastAuthenticatedRegion")).text = it["region"]
            ET.SubElement(m, q("TotalAuthenticatedEntities")).text = "1" if it["last"] else "0"
            if it["actions"] is not None and job["granularity"] == "ACTION_LEVEL":
                acts = ET.SubElement(m, q("TrackedActionsLastAccessed"))
                for name, last in it["actions"]:
                    a = ET.SubElement(acts, q("member"))
                    ET.SubElement(a, q("ActionName")).text = name
                    if last:
                        ET.SubElement(a, q("LastAccessedEntity")).text = job["arn"]
                        ET.SubElement(a, q("LastAccessedTime")).text = last
                        ET.SubElement(a, q("LastAccessedRegion")).text = it["region"]
        ET.SubElement(res, q("IsTruncated")).text = "true" if more else "false"
        if more:
            ET.SubElement(res, q("Marker")).text = f"la-{start + max_items}"
        _metadata(root, request_id)
        return 200, bed_iam._dump(root)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _metadata(root, request_id):
    md = ET.SubElement(root, q("ResponseMetadata"))
    ET.SubElement(md, q("RequestId")).text = request_id
