#!/usr/bin/env python3
"""The method a user would otherwise write (the seed document's boto3 loop),
for make bench to compare iamgrade with: list every user, then for each
user list its MFA devices and its access keys.  One account, one call at a
time, boto3's defaults (credentials, endpoint and region from the
environment, e.g. `eval "$(python3 tests/bed/bedctl.py env)"`).

    python3 tests/bench/baseline.py       # prints one JSON line

The line holds users, the MFA devices and access keys found, the calls
made (counted on the client, pages included) and the seconds the loop took
(client creation included, Python's start-up and imports not).
"""
import json
import sys
import time

import boto3


def main():
    t0 = time.monotonic()
    iam = boto3.client("iam")
    calls = 0

    def count(**_):
        nonlocal calls
        calls += 1

    iam.meta.events.register("before-send.iam.*", count)
    users = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
    mfa = keys = 0
    for u in users:
        name = u["UserName"]
        for page in iam.get_paginator("list_mfa_devices").paginate(UserName=name):
            mfa += len(page["MFADevices"])
        for page in iam.get_paginator("list_access_keys").paginate(UserName=name):
            keys += len(page["AccessKeyMetadata"])
    print(json.dumps({"users": len(users), "mfa_devices": mfa, "access_keys": keys,
                      "calls": calls, "seconds": round(time.monotonic() - t0, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
