#!/usr/bin/env python3
"""A snapshot of one account with N denied CreateRole calls in its window,
for the benchmark (tests/bench/bench.py, stage "denied") and for the report
tests of grouping and caps.

Denied calls are free to make, so an attacker controls N.  The calls come
from a few callers and source addresses (ACTORS x ADDRESSES groups of the
same actor, error and address), each probing another role name, spread over
the 30-day window before the base snapshot's collection.

usage: gen_denied.py N OUT.json [--actors A] [--addresses B]
"""
import argparse
import copy
import datetime
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(os.path.dirname(HERE), "checks", "base", "compliant.json")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def denied_event(i, account, when, actor, address):
    arn = f"arn:aws:iam::{account}:user/{actor}"
    role = f"probe-{i:06d}"
    t = iso(when)
    return {
        "EventId": f"d0000000-0000-4000-8000-{i:012d}",
        "EventName": "CreateRole",
        "EventTime": t,
        "Username": actor,
        "CloudTrailEvent": {
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAPROBEREXAMPLE0001", "arn": arn,
                             "accountId": account, "accessKeyId": "AKIAPROBEREXAMPLE001", "userName": actor},
            "eventTime": t,
            "eventSource": "iam.amazonaws.com",
            "eventName": "CreateRole",
            "awsRegion": "us-east-1",
            "sourceIPAddress": address,
            "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64",
            "errorCode": "AccessDenied",
            "errorMessage": f"User: {arn} is not authorized to perform: iam:CreateRole on resource: "
                            f"arn:aws:iam::{account}:role/{role} because no identity-based policy "
                            "allows the iam:CreateRole action",
            "requestParameters": {
                "roleName": role,
                "assumeRolePolicyDocument": json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}),
            },
            "responseElements": None,
            "eventID": f"d0000000-0000-4000-8000-{i:012d}",
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account,
        },
    }


def make(n, actors=2, addresses=2):
    with open(BASE, encoding="utf-8") as f:
        snap = json.load(f)
    snap = copy.deepcopy(snap)
    account = snap["account"]["id"]
    end = datetime.datetime.strptime(snap["collection"]["started"], "%Y-%m-%dT%H:%M:%SZ")
    span = datetime.timedelta(days=29).total_seconds()
    events = snap["sources"]["create_role_events"]["data"]["events"]
    for i in range(n):
        when = end - datetime.timedelta(seconds=1 + int(span * (n - i) / max(n, 1)))
        events.append(denied_event(i, account, when, f"prober{i % actors + 1}",
                                   f"198.51.100.{(i // actors) % addresses + 10}"))
    events.sort(key=lambda e: e["EventTime"], reverse=True)   # LookupEvents: newest first
    return snap


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--actors", type=int, default=2)
    ap.add_argument("--addresses", type=int, default=2)
    a = ap.parse_args()
    snap = make(a.n, a.actors, a.addresses)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(snap, f)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
