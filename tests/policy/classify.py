"""Disagreement classes of the differential suite: which documented
difference between iamgrade's engine and the peer a case falls in
(docs/policy-engine.md says, for each, which side follows AWS and why)."""
import re

VAR = re.compile(r"\$\{([^}]*)\}")


def _ctx(case):
    return {k.lower(): v for k, v in case["request"].get("context", {}).items()}


def unresolvable(s, ctx):
    for m in VAR.finditer(s):
        body = m.group(1)
        if body in ("*", "?", "$"):
            continue
        name = body.split(",")[0].strip().lower()
        if "," in body:
            continue
        v = ctx.get(name)
        if v is None or isinstance(v, list):
            return True
    return False


def statements(case):
    docs = list(case.get("identity", []))
    for k in ("boundary", "resource_policy"):
        if k in case:
            docs.append(case[k])
    for lv in case.get("scp", []) + case.get("rcp", []):
        docs.extend(lv)
    for d in docs:
        st = d["Statement"]
        for s in (st if isinstance(st, list) else [st]):
            yield s


def aslist(v):
    return v if isinstance(v, list) else [v]


# class -> the side that follows AWS's documentation (docs/policy-engine.md)
CLASSES = {
    "ipv4-zero-prefix": "iamgrade: 0.0.0.0/0 holds every IPv4 address (peer reads it as /32)",
    "ip-bare-address-other-family": "iamgrade: a bare address of the other family is simply not equal",
    "negated-operator-unresolved-variable": "iamgrade: AWS says inverted operators match a variable with no value",
    "notresource-unresolved-variable": "iamgrade: AWS says such an entry matches no resource, so NotResource excludes nothing",
}


def classify(case):
    """The documented disagreement class a case falls in, or 'unexplained'."""
    ctx = _ctx(case)
    found = []
    for s in statements(case):
        for op, kv in s.get("Condition", {}).items():
            for key, vals in kv.items():
                vals = [str(v) for v in aslist(vals)]
                if "IpAddress" in op and "0.0.0.0/0" in vals:
                    found.append("ipv4-zero-prefix")
                if "IpAddress" in op and any("/" not in v for v in vals):
                    found.append("ip-bare-address-other-family")
                if "Not" in op and any(unresolvable(v, ctx) for v in vals):
                    found.append("negated-operator-unresolved-variable")
        if "NotResource" in s and any(unresolvable(r, ctx) for r in aslist(s["NotResource"])):
            found.append("notresource-unresolved-variable")
    return found[0] if found else "unexplained"
