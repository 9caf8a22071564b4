#!/usr/bin/env python3
"""Seeded generator of policy-evaluation cases for the differential suite.

Every case is one JSON line: policies (identity, boundary, scp levels, rcp
levels, resource_policy), a request and "class", the feature the case was
built to exercise (disagreements are reported by it).  The same seed gives
the same cases.  Actions and resource ARNs are real ones (the peer checks
them against the Service Authorization Reference); context keys are global
keys of the types AWS documents.

    python3 tests/policy/gen.py [--seed N] [--count N] > cases.jsonl
"""
import argparse
import json
import random

ACCT = "111122223333"
OTHER = "444455556666"
V = "2012-10-17"

# (action, ARN template); {a} is the resource's account.
TARGETS = [
    ("s3:GetObject", "arn:aws:s3:::{b}/{k}"),
    ("s3:PutObject", "arn:aws:s3:::{b}/{k}"),
    ("s3:ListBucket", "arn:aws:s3:::{b}"),
    ("iam:PassRole", "arn:aws:iam::{a}:role/{r}"),
    ("iam:GetRole", "arn:aws:iam::{a}:role/{r}"),
    ("iam:CreateUser", "arn:aws:iam::{a}:user/{u}"),
    ("sqs:SendMessage", "arn:aws:sqs:us-east-1:{a}:{q}"),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:{a}:table/{t}"),
    ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:{a}:function:{f}"),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:{a}:secret:{s}"),
    ("ec2:StartInstances", "arn:aws:ec2:us-east-1:{a}:instance/{i}"),
]
NAMES = {
    "b": ["data", "logs", "data-eu"], "k": ["alice/x.txt", "bob/y", "public/z", "a?b"],
    "r": ["admin", "app", "ci-deploy", "path/app"], "u": ["alice", "bob", "carol"],
    "q": ["jobs", "jobs-dlq"], "t": ["orders", "users"], "f": ["resize", "resize:prod"],
    "s": ["db-AbCdEf", "api-123456"], "i": ["i-0abc", "i-0def"],
}
USERS = ["alice", "bob", "carol"]
ROLES = ["admin", "app", "ci-deploy"]

STRING_KEYS = ["aws:PrincipalTag/team", "aws:PrincipalOrgID", "aws:RequestedRegion",
               "aws:UserAgent", "aws:SourceVpc"]
MULTI_KEYS = ["aws:PrincipalOrgPaths", "aws:TagKeys", "aws:CalledVia",
              "aws:PrincipalServiceNamesList"]
POOLS = {
    "aws:PrincipalTag/team": ["red", "blue", "Red", "re*", ""],
    "aws:PrincipalOrgID": ["o-abc123", "o-xyz789"],
    "aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-west-2"],
    "aws:UserAgent": ["aws-cli/2", "Boto3/1.3", "QmluYXJ5"],
    "aws:SourceVpc": ["vpc-111", "vpc-222"],
    "aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-11111111/", "o-abc123/r-ab12/ou-ab12-22222222/",
                              "o-xyz789/r-cd34/"],
    "aws:TagKeys": ["env", "team", "cost", "Env"],
    "aws:CalledVia": ["cloudformation.amazonaws.com", "athena.amazonaws.com"],
    "aws:PrincipalServiceNamesList": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
    "aws:MultiFactorAuthAge": ["0", "300", "3600", "7200.5", "abc"],
    "aws:CurrentTime": ["2024-01-01T00:00:00Z", "2024-06-15T12:00:00Z", "2025-01-01T00:00:00Z"],
    "aws:TokenIssueTime": ["2024-01-01T00:00:00Z", "2024-06-15T12:00:00Z"],
    "aws:EpochTime": ["1704067200", "1718452800", "1735689600"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:SecureTransport": ["true", "false"],
    "aws:SourceIp": ["203.0.113.5", "198.51.100.7", "10.1.2.3", "2001:db8::1", "2001:db8:1::5"],
    "aws:SourceArn": ["arn:aws:s3:::data", "arn:aws:sns:us-east-1:111122223333:topic",
                      "arn:aws:lambda:us-east-1:444455556666:function:f"],
}
POLICY_VALUES = {
    "aws:PrincipalTag/team": ["red", "blue", "RED", "r*", "re?", "${aws:username}", "*"],
    "aws:PrincipalOrgID": ["o-abc123", "o-*", "o-xyz789"],
    "aws:RequestedRegion": ["us-east-1", "eu-*", "us-*-2"],
    "aws:UserAgent": ["aws-cli/2", "QmluYXJ5", "*"],
    "aws:SourceVpc": ["vpc-111", "vpc-*"],
    "aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-11111111/", "o-abc123/*", "o-xyz789/r-cd34/"],
    "aws:TagKeys": ["env", "team", "cost", "e*"],
    "aws:CalledVia": ["cloudformation.amazonaws.com", "athena.amazonaws.com"],
    "aws:PrincipalServiceNamesList": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
    "aws:MultiFactorAuthAge": ["300", "3600", "0", "1.5"],
    "aws:CurrentTime": ["2024-03-01T00:00:00Z", "2024-06-15T12:00:00Z", "2024-12-31T23:59:59Z"],
    "aws:TokenIssueTime": ["2024-03-01T00:00:00Z", "2024-06-15T12:00:00Z"],
    "aws:EpochTime": ["1710000000", "1718452800"],
    "aws:MultiFactorAuthPresent": ["true", "false"],
    "aws:SecureTransport": ["true", "false"],
    # "0.0.0.0/0" and bare addresses meet two defects of the peer
    # (docs/policy-engine.md); they stay, at a lower weight than CIDRs.
    "aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8", "198.51.100.7/32", "2001:db8::/32",
                     "2001:db8:1::/48", "198.51.100.0/25", "10.1.0.0/16", "203.0.113.0/28",
                     "2001:db8::/64", "10.0.0.0/9", "192.0.2.0/24", "198.51.100.7/31",
                     "203.0.113.5", "2001:db8:1::5", "0.0.0.0/0"],
    "aws:SourceArn": ["arn:aws:s3:::data", "arn:aws:s3:::*", "arn:aws:sns:*:111122223333:*",
                      "arn:aws:lambda:us-east-1:*:function:*"],
}
OPS_BY_KEY = {
    "string": ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
               "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "BinaryEquals"],
    "aws:MultiFactorAuthAge": ["NumericEquals", "NumericNotEquals", "NumericLessThan",
                               "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"],
    "date": ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
             "DateGreaterThan", "DateGreaterThanEquals"],
    "bool": ["Bool"],
    "aws:SourceIp": ["IpAddress", "NotIpAddress"],
    "aws:SourceArn": ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, xs):
        return self.r.choice(xs)

    def chance(self, p):
        return self.r.random() < p

    # ---- requests -------------------------------------------------------
    def target(self, acct):
        action, tmpl = self.pick(TARGETS)
        res = tmpl.format(a=acct, **{k: self.pick(v) for k, v in NAMES.items()})
        return action, res

    def principal(self, acct):
        kind = self.pick(["user", "user", "session", "root"])
        if kind == "user":
            u = self.pick(USERS)
            return f"arn:aws:iam::{acct}:user/{u}", {"aws:username": u,
                    "aws:PrincipalArn": f"arn:aws:iam::{acct}:user/{u}"}
        if kind == "session":
            ro = self.pick(ROLES)
            return (f"arn:aws:sts::{acct}:assumed-role/{ro}/sess",
                    {"aws:PrincipalArn": f"arn:aws:iam::{acct}:role/{ro}"})
        return f"arn:aws:iam::{acct}:root", {"aws:PrincipalArn": f"arn:aws:iam::{acct}:root"}

    def context(self, keys):
        ctx = {}
        for k in keys:
            if self.chance(0.2):
                continue    # missing
            if k in MULTI_KEYS:
                pool = POOLS[k]
                ctx[k] = self.r.sample(pool, self.r.randint(0, min(3, len(pool))))
            else:
                ctx[k] = self.pick(POOLS[k])
        return ctx

    # ---- policy pieces --------------------------------------------------
    def action_pattern(self, action):
        svc, name = action.split(":")
        return self.pick([action, action, f"{svc}:*", f"{svc}:{name[:3]}*", "*",
                          f"{svc}:{name[:-1]}?", f"{svc.upper()}:{name.lower()}",
                          f"{svc}:Put*", "iam:*", f"{svc}:*Object"])

    def resource_pattern(self, res):
        parts = res.split(":", 5)
        choices = [res, "*", res[:-1] + "*", ":".join(parts[:5]) + ":*",
                   ":".join(parts[:3]) + ":*:" + ":".join(parts[4:]),
                   ":".join(parts[:4]) + ":*:" + parts[5],
                   res.replace("111122223333", "444455556666"),
                   "arn:aws:iam::*:role/*", "arn:aws:s3:::data/*", "arn:aws:s3:::*",
                   "arn:aws:s3:::data/${aws:username}/*",
                   "arn:aws:iam::111122223333:user/${aws:username}",
                   "arn:aws:s3:::data/${aws:PrincipalTag/team, 'public'}/*",
                   "arn:aws:s3:::data/a${*}b"]
        return self.pick(choices)

    def condition(self, keys=None):
        n = self.pick([1, 1, 1, 2, 3])
        cond = {}
        for _ in range(n):
            fam = self.pick(["string", "string", "multi", "aws:MultiFactorAuthAge", "date",
                             "bool", "aws:SourceIp", "aws:SourceArn", "null"])
            setq = ""
            if fam == "multi":
                key = self.pick(MULTI_KEYS)
                op = self.pick(OPS_BY_KEY["string"][:6])
                setq = self.pick(["ForAllValues:", "ForAnyValue:", "ForAllValues:",
                                  "ForAnyValue:", ""])
            elif fam == "null":
                key = self.pick(STRING_KEYS + MULTI_KEYS + ["aws:SourceIp"])
                op = "Null"
            elif fam == "string":
                key = self.pick(STRING_KEYS)
                op = self.pick(OPS_BY_KEY["string"])
                if self.chance(0.1):
                    setq = self.pick(["ForAllValues:", "ForAnyValue:"])
            elif fam == "date":
                key = self.pick(["aws:CurrentTime", "aws:TokenIssueTime", "aws:EpochTime"])
                op = self.pick(OPS_BY_KEY["date"])
            elif fam == "bool":
                key = self.pick(["aws:MultiFactorAuthPresent", "aws:SecureTransport"])
                op = "Bool"
            else:
                key = fam
                op = self.pick(OPS_BY_KEY[fam])
            if op != "Null" and not setq.startswith("ForAnyValue") and self.chance(0.25):
                op += "IfExists"
            if op == "Null":
                vals = [self.pick(["true", "false"])]
            else:
                vals = self.r.sample(POLICY_VALUES[key], self.r.randint(1, min(3, len(POLICY_VALUES[key]))))
            if keys is not None:
                keys.add(key)
            kcase = key if self.chance(0.8) else key.lower()
            v = vals[0] if len(vals) == 1 and self.chance(0.5) else vals
            cond.setdefault(setq + op, {})[kcase] = v
        return cond

    def statement(self, action, res, effect=None, principal=None, resource=True, keys=None,
                  cond_p=0.35, sid=None, rcp=False):
        st = {"Effect": effect or self.pick(["Allow", "Allow", "Deny"])}
        if sid:
            st["Sid"] = sid
        if principal is not None:
            if rcp:
                st["Principal"] = "*"
            elif self.chance(0.08):
                st["NotPrincipal"] = principal
            else:
                st["Principal"] = principal
        acts = [self.action_pattern(action) for _ in range(self.pick([1, 1, 2]))]
        if rcp:
            # AWS's RCP grammar: no NotAction, no Action "*"
            acts = [a for a in acts if a != "*"] or [action]
        st["NotAction" if self.chance(0.15) and not rcp else "Action"] = acts[0] if len(acts) == 1 else acts
        if resource:
            rs = [self.resource_pattern(res) for _ in range(self.pick([1, 1, 2]))]
            st["NotResource" if self.chance(0.12) else "Resource"] = rs[0] if len(rs) == 1 else rs
        if self.chance(cond_p):
            st["Condition"] = self.condition(keys)
        return st

    def doc(self, action, res, n=None, **kw):
        n = n or self.pick([1, 1, 2, 3])
        return {"Version": V, "Statement": [self.statement(action, res, sid=f"S{i}" if self.chance(0.5) else None, **kw)
                                            for i in range(n)]}

    def principal_element(self, principal, acct):
        opts = ["*", {"AWS": "*"}, {"AWS": acct}, {"AWS": f"arn:aws:iam::{acct}:root"},
                {"AWS": principal}, {"AWS": OTHER},
                {"AWS": f"arn:aws:iam::{acct}:role/app"},
                {"AWS": [f"arn:aws:iam::{acct}:user/alice", f"arn:aws:iam::{acct}:role/admin"]},
                {"Service": "ec2.amazonaws.com"}, {"Service": "lambda.amazonaws.com"}]
        return self.pick(opts)

    # ---- cases --------------------------------------------------------------
    def case(self, i):
        cls = self.pick(["identity", "identity", "conditions", "conditions", "conditions",
                         "variables", "boundary", "scp", "rcp", "resource-same",
                         "cross-account", "trust", "service", "anonymous", "deny-precedence"])
        keys = set()
        racct = ACCT
        pacct = OTHER if cls == "cross-account" else ACCT
        principal, pctx = self.principal(pacct)
        ptype = "AWS"
        action, res = self.target(racct)
        c = {"id": i, "class": cls}
        if cls == "conditions":
            c["identity"] = [self.doc(action, res, keys=keys, cond_p=1.0)]
        elif cls == "variables":
            st = self.statement(action, res, effect="Allow", keys=keys)
            st["Resource"] = self.pick(["arn:aws:s3:::data/${aws:username}/*",
                                        "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}",
                                        "arn:aws:s3:::data/${aws:PrincipalTag/team, 'public'}/*",
                                        "arn:aws:s3:::data/${aws:PrincipalTag/none, 'bob'}/*",
                                        "arn:aws:s3:::${aws:PrincipalTag/team}*",
                                        "arn:aws:s3:::data/a${*}b", "arn:aws:s3:::data/${aws:username}?*",
                                        "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"])
            st.pop("NotResource", None)
            if self.chance(0.1):
                # a variable with no value under NotResource excludes nothing
                st["NotResource"] = st.pop("Resource").replace("team}", "none}")
            c["identity"] = [{"Version": V, "Statement": [st]}]
            keys.add("aws:PrincipalTag/team")
        elif cls == "boundary":
            c["identity"] = [self.doc(action, res, keys=keys)]
            c["boundary"] = self.doc(action, res, keys=keys)
        elif cls == "scp":
            c["identity"] = [self.doc(action, res, keys=keys)]
            c["scp"] = [[{"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]]
            for _ in range(self.pick([1, 2])):
                c["scp"].append([self.doc(action, res, keys=keys, cond_p=0.15)])
        elif cls == "rcp":
            c["identity"] = [self.doc(action, res, keys=keys)]
            rcp = self.doc(action, res, effect="Deny", principal="*", keys=keys, cond_p=0.5, rcp=True)
            c["rcp"] = [[rcp]]
        elif cls in ("resource-same", "cross-account"):
            if self.chance(0.8):
                c["identity"] = [self.doc(action, res, keys=keys)]
            c["resource_policy"] = self.doc(action, res, principal=self.principal_element(principal, pacct),
                                            keys=keys)
            if self.chance(0.2):
                c["boundary"] = self.doc(action, res, keys=keys)
        elif cls == "trust":
            action = self.pick(["sts:AssumeRole", "sts:TagSession"])
            res = f"arn:aws:iam::{racct}:role/{self.pick(ROLES)}"
            if self.chance(0.3):
                pacct = OTHER
                principal, pctx = self.principal(pacct)
            if self.chance(0.7):
                c["identity"] = [self.doc(action, res, keys=keys)]
            stmts = []
            for _ in range(self.pick([1, 2])):
                st = self.statement(action, res, principal=self.principal_element(principal, pacct),
                                    resource=False, keys=keys, cond_p=0.3)
                stmts.append(st)
            c["resource_policy"] = {"Version": V, "Statement": stmts}
        elif cls == "service":
            principal, pctx, ptype = self.pick(["ec2.amazonaws.com", "lambda.amazonaws.com"]), {}, "Service"
            c["resource_policy"] = self.doc(action, res, principal=self.principal_element("x", racct), keys=keys)
        elif cls == "anonymous":
            principal, pctx, ptype = None, {}, "AWS"
            c["resource_policy"] = self.doc(action, res, principal=self.pick(["*", {"AWS": "*"}, {"AWS": ACCT}]),
                                            keys=keys)
        elif cls == "deny-precedence":
            allow = self.statement(action, res, effect="Allow", keys=keys, cond_p=0.1)
            deny = self.statement(action, res, effect="Deny", keys=keys, cond_p=0.4)
            c["identity"] = [{"Version": V, "Statement": [allow]}, {"Version": V, "Statement": [deny]}]
        else:
            c["identity"] = [self.doc(action, res, keys=keys) for _ in range(self.pick([1, 2]))]
        ctx = self.context(sorted(keys))
        ctx.update(pctx)
        if ptype == "AWS" and principal is not None:
            ctx["aws:PrincipalAccount"] = pacct
        c["request"] = {"principal": principal, "principal_type": ptype, "action": action,
                        "resource": res, "resource_account": racct, "context": ctx}
        return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--count", type=int, default=12000)
    a = ap.parse_args()
    g = Gen(a.seed)
    for i in range(a.count):
        print(json.dumps(g.case(i), sort_keys=True))


if __name__ == "__main__":
    main()
