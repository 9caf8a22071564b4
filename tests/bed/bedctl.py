#!/usr/bin/env python3
"""Poke the test bed by hand.

    python3 tests/bed/bedctl.py start [--seed N] [--log FILE]
    python3 tests/bed/bedctl.py seed sample|users:N|org [--role-name NAME]
    python3 tests/bed/bedctl.py auth on|off
    eval "$(python3 tests/bed/bedctl.py env)"      # then ./iamgrade collect --out /tmp/snap
    python3 tests/bed/bedctl.py stats [ACCOUNT]
    python3 tests/bed/bedctl.py faults '[{"kind": "throttle", "probability": 0.2}]'
    python3 tests/bed/bedctl.py ctl GET|POST NAME [JSON]   # any /_bed/ endpoint
    python3 tests/bed/bedctl.py stop

The running bed's port and the seeded identities live in a state file
(--state, default build/bedctl.json; mode 0600: it holds the bed's keys).
"""
import argparse
import json
import os
import shlex
import sys
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bedlib  # noqa: E402
import seed as seeding  # noqa: E402


def load_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        sys.exit(f"bedctl: no bed state in {path}: run 'bedctl start' first")


def save_state(path, state):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, path)


def bed_of(state):
    return bedlib.Bed.attach(state["port"])


def cmd_start(args):
    log = args.log or os.path.join(bedlib.REPO, "build", "bedctl-bed.log")
    bed = bedlib.Bed(log_path=log, seed=args.seed)
    bed.start(detach=True)
    save_state(args.state, {"port": bed.port, "pid": bed.proc.pid, "log": log})
    print(f"bed running on {bed.url} (pid {bed.proc.pid}, log {log})")


def cmd_seed(args):
    state = load_state(args.state)
    bed = bed_of(state)
    kw = {"role_name": args.role_name} if args.scenario == "org" and args.role_name else {}
    if args.scenario == "org" and args.least_privilege:
        kw["least_privilege"] = True
    s = seeding.seed(bed, args.scenario, **kw)
    state["scenario"] = args.scenario
    state["account"] = s.account
    state["auditor"] = list(s.auditor)
    if hasattr(s, "accounts"):
        state["accounts"] = s.accounts
        state["role_name"] = s.role_name
    save_state(args.state, state)
    print(f"seeded {args.scenario}: account {s.account}, auditor key {s.auditor.access_key_id}")
    if hasattr(s, "accounts"):
        for name, acct in s.accounts.items():
            print(f"  {name:12} {acct}")
        print(f"  audit role: {s.role_name}")


def cmd_auth(args):
    print("auth", "on" if bed_of(load_state(args.state)).auth(args.onoff == "on") else "off")


def cmd_env(args):
    state = load_state(args.state)
    if "auditor" not in state:
        sys.exit("bedctl: nothing seeded yet: run 'bedctl seed SCENARIO' first")
    home = os.path.abspath(args.home) if args.home else None
    env = bedlib.aws_env(bed_of(state), bedlib.Creds(*state["auditor"]), home=home)
    for k in sorted(env):
        if k.startswith(("AWS_", "IAMGRADE_")) or k == "HOME":
            print(f"export {k}={shlex.quote(env[k])}")


def cmd_stats(args):
    print(json.dumps(bed_of(load_state(args.state)).stats_full(args.account), indent=1))


def cmd_faults(args):
    bed = bed_of(load_state(args.state))
    out = bed.set_faults(json.loads(args.rules)) if args.rules else bed.faults()
    print(json.dumps(out, indent=1))


def cmd_ctl(args):
    bed = bed_of(load_state(args.state))
    body = json.loads(args.json) if args.json else None
    print(json.dumps(bed.ctl(args.name, body, method=args.method.upper()), indent=1))


def cmd_stop(args):
    state = load_state(args.state)
    bed_of(state).stop()
    os.remove(args.state)
    print("bed stopped")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", default=os.environ.get("BEDCTL_STATE",
                                                      os.path.join(bedlib.REPO, "build", "bedctl.json")))
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--log")
    p.set_defaults(fn=cmd_start)
    p = sub.add_parser("seed")
    p.add_argument("scenario", help="sample, users:N or org")
    p.add_argument("--role-name", help="org: the audit role's name (default iamgrade-audit)")
    p.add_argument("--least-privilege", action="store_true",
                   help="org: roles in production granted more than they use (make demo)")
    p.set_defaults(fn=cmd_seed)
    p = sub.add_parser("auth")
    p.add_argument("onoff", choices=("on", "off"))
    p.set_defaults(fn=cmd_auth)
    p = sub.add_parser("env")
    p.add_argument("--home", help="HOME for iamgrade (default: a new temporary directory)")
    p.set_defaults(fn=cmd_env)
    p = sub.add_parser("stats")
    p.add_argument("account", nargs="?")
    p.set_defaults(fn=cmd_stats)
    p = sub.add_parser("faults")
    p.add_argument("rules", nargs="?", help="JSON list of rules; none: show the current ones")
    p.set_defaults(fn=cmd_faults)
    p = sub.add_parser("ctl")
    p.add_argument("method", choices=("get", "post", "GET", "POST"))
    p.add_argument("name")
    p.add_argument("json", nargs="?")
    p.set_defaults(fn=cmd_ctl)
    p = sub.add_parser("stop")
    p.set_defaults(fn=cmd_stop)
    args = ap.parse_args()
    try:
        args.fn(args)
    except bedlib.BedError as e:
        sys.exit(f"bedctl: {e}")
    except (ConnectionError, urllib.error.URLError) as e:
        sys.exit(f"bedctl: cannot reach the bed: {e}")


if __name__ == "__main__":
    main()
