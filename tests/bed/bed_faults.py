"""Fault injection rules: which request gets which failure.

A rule matches requests by account, action ("service:Action", fnmatch
pattern) and optionally request parameters, and fires with a probability,
after skipping the first `after` matches, at most `times` times.  Whether a
rule fires is drawn from a random stream per (seed, rule, account, action),
so a run is repeatable as long as each account's calls come in the same order
(they do: the collector keeps one account's calls on one thread), whatever
the interleaving of accounts.
"""
import fnmatch
import hashlib
import random
import threading

KINDS = (
    "throttle",           # IAM/STS "Throttling" 400 XML; JSON "ThrottlingException" 400
    "unavailable",        # 503 with an AWS-shaped body
    "unavailable_empty",  # 503 with no body at all
    "internal",           # 500 ServiceFailure / InternalFailure
    "deny",               # AccessDenied (403 Query) / AccessDeniedException (400 JSON)
    "expired_token",      # ExpiredToken (403 Query) / ExpiredTokenException (400 JSON)
    "reset",              # the real answer's headers, half its body, then a TCP reset
    "truncate",           # the real answer cut in half, Content-Length matching the cut
    "malformed",          # 200 with a body that is not XML/JSON
    "latency",            # add latency_ms and go on (other rules still apply)
    "strip",              # the real answer without its first XML element named `element`
    # Paging the server gets wrong (a page of its own, no items, pad_bytes of padding):
    "page_repeat",        # always the same Marker / NextToken
    "page_alternate",     # two markers in turn: A, B, A, ...
    "page_endless",       # a fresh marker every page, for ever
    # Answers that never come (for latency_ms, default 10 minutes):
    "hang_headers",       # the status line and headers, then no body
    "hang_silent",        # nothing at all
)
PAGE_KINDS = ("page_repeat", "page_alternate", "page_endless")
HANG_KINDS = ("hang_headers", "hang_silent")

RULE_KEYS = {"account", "action", "kind", "probability", "times", "after", "latency_ms", "where",
             "pad_bytes", "element"}


class FaultError(ValueError):
    pass


def check_rule(rule):
    """Validate one rule (a dict from the control API) and fill defaults."""
    if not isinstance(rule, dict):
        raise FaultError("a fault rule is a JSON object")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise FaultError(f"unknown fault rule member(s): {', '.join(sorted(unknown))}")
    kind = rule.get("kind")
    if kind not in KINDS:
        raise FaultError(f"fault kind must be one of {', '.join(KINDS)}; got {kind!r}")
    r = {
        "account": str(rule.get("account", "*")),
        "action": str(rule.get("action", "*")),
        "kind": kind,
        "probability": float(rule.get("probability", 1.0)),
        "times": rule.get("times"),
        "after": int(rule.get("after", 0)),
        "latency_ms": int(rule.get("latency_ms", 0)),
        "where": dict(rule.get("where") or {}),
        "pad_bytes": int(rule.get("pad_bytes", 0)),
        "element": str(rule.get("element", "")),
    }
    if not 0 <= r["pad_bytes"] <= 64 << 20:
        raise FaultError("pad_bytes must be within 0..64 MiB")
    if not 0.0 <= r["probability"] <= 1.0:
        raise FaultError("probability must be within 0..1")
    if r["times"] is not None:
        r["times"] = int(r["times"])
    if kind == "latency" and r["latency_ms"] <= 0:
        raise FaultError("a latency rule needs latency_ms > 0")
    if kind == "strip" and not r["element"].isalnum():
        raise FaultError("a strip rule needs element, an XML element name")
    return r


class Faults:
    def __init__(self, seed=0):
        self.lock = threading.Lock()
        self.seed = seed
        self.rules = []
        self.matched = []   # per rule: matching requests seen
        self.fired = []     # per rule: times it fired
        self.streams = {}

    def set_rules(self, rules, seed=None):
        checked = [check_rule(r) for r in rules]
        with self.lock:
            if seed is not None:
                self.seed = int(seed)
            self.rules = checked
            self.matched = [0] * len(checked)
            self.fired = [0] * len(checked)
            self.streams = {}

    def describe(self):
        with self.lock:
            return {"seed": self.seed,
                    "rules": [dict(r, matched=m, fired=f)
                              for r, m, f in zip(self.rules, self.matched, self.fired)]}

    def _stream(self, idx, account, action):
        key = (idx, account, action)
        rng = self.streams.get(key)
        if rng is None:
            h = hashlib.sha256(f"{self.seed}/{idx}/{account}/{action}".encode()).digest()
            rng = self.streams[key] = random.Random(int.from_bytes(h[:8], "big"))
        return rng

    def pick(self, account, action, params):
        """Return (latency_ms, rule or None) for this request."""
        latency = 0
        chosen = None
        with self.lock:
            for i, r in enumerate(self.rules):
                if r["account"] != "*" and r["account"] != account:
                    continue
                if not fnmatch.fnmatchcase(action, r["action"]):
                    continue
                if any(str(params.get(k)) != str(v) for k, v in r["where"].items()):
                    continue
                self.matched[i] += 1
                if self.matched[i] <= r["after"]:
                    continue
                if r["times"] is not None and self.fired[i] >= r["times"]:
                    continue
                # Draw even when probability is 1 so streams stay aligned.
                if self._stream(i, account, action).random() >= r["probability"]:
                    continue
                self.fired[i] += 1
                latency += r["latency_ms"]
                if r["kind"] == "latency":
                    continue
                chosen = r
                break
        return latency, chosen
