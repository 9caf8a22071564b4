"""Differential testing of the policy engine against @cloud-copilot/iam-simulate.

tests/policy/gen.py makes 12,000 seeded cases; the C driver (test_polcases
--batch, one process over the library) and the peer (node peer.mjs, a
separate process; AGPL, test-only) decide every one.  The suite asserts
agreement of at least 99.5 %, that every disagreement falls in a class
documented in docs/policy-engine.md, and that the cases cover what the
engine implements.  Figures (agreement, classes, the C evaluator's rate)
are printed, never asserted on time.
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import classify  # noqa: E402

COUNT = 12000
SEED = 20261206
DRIVER = os.path.join(os.environ.get("UNITDIR", os.path.join(ROOT, "build", "tests")), "test_polcases")
NODE_DIR = os.path.join(HERE, "node")

OPERATORS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
             "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
             "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
             "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
             "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
             "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"]


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Differential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.cases_path = os.path.join(d, "cases.jsonl")
        with open(cls.cases_path, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), "--seed", str(SEED),
                            "--count", str(COUNT)], stdout=f, check=True)
        cls.cases = read_lines(cls.cases_path)
        ours = subprocess.run([DRIVER, "--batch", cls.cases_path], capture_output=True, cwd=ROOT)
        cls.ours_rc, cls.ours_err = ours.returncode, ours.stderr.decode()
        cls.ours = [json.loads(x) for x in ours.stdout.decode().splitlines() if x.strip()]
        peer = subprocess.run(["node", "peer.mjs", cls.cases_path], capture_output=True, cwd=NODE_DIR)
        cls.peer_rc, cls.peer_err = peer.returncode, peer.stderr.decode()
        cls.peer = [json.loads(x) for x in peer.stdout.decode().splitlines() if x.strip()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_both_sides_decide_every_case(self):
        self.assertEqual(self.ours_rc, 0, self.ours_err)
        self.assertEqual(self.peer_rc, 0, self.peer_err + "\n(is the peer installed? make deps)")
        self.assertEqual(len(self.ours), COUNT)
        self.assertEqual(len(self.peer), COUNT)
        errors = [(o["id"], o.get("error"), p.get("error")) for o, p in zip(self.ours, self.peer)
                  if "error" in o or "error" in p]
        self.assertFalse(errors[:10], "%d cases one side refused" % len(errors))

    def test_agreement(self):
        # zip() stops at the shorter side: an empty answer must not read as agreement.
        self.assertEqual((len(self.ours), len(self.peer)), (COUNT, COUNT),
                         "both sides must decide all %d cases (peer: %s)" % (COUNT, self.peer_err[-300:]))
        by_class = collections.Counter()
        total = collections.Counter()
        examples = collections.defaultdict(list)
        for c, o, p in zip(self.cases, self.ours, self.peer):
            self.assertEqual(c["id"], o["id"])
            self.assertEqual(c["id"], p["id"])
            total[c["class"]] += 1
            if o.get("decision") != p.get("decision"):
                k = classify.classify(c)
                by_class[k] += 1
                examples[k].append("%d (%s: ours %s, peer %s)" % (c["id"], c["class"], o.get("decision"),
                                                                   p.get("decision")))
        n = sum(by_class.values())
        rate = 1 - n / len(self.cases)
        m = re.search(r"= (\d+) evaluations/s", self.ours_err)
        print("\n  differential: %d cases, %d disagree, agreement %.2f %%" % (len(self.cases), n, 100 * rate))
        print("  C evaluator: %s" % self.ours_err.strip())
        print("  peer: %s" % self.peer_err.strip())
        print("  cases by scenario: %s" % dict(sorted(total.items())))
        for k, v in by_class.most_common():
            print("  %-38s %4d  %s  e.g. %s" % (k, v, classify.CLASSES.get(k, "NOT DOCUMENTED"),
                                               ", ".join(examples[k][:2])))
        self.assertIsNotNone(m, self.ours_err)
        self.assertGreaterEqual(rate, 0.995)
        self.assertEqual(by_class.get("unexplained", 0), 0,
                         "disagreements outside the documented classes: %s" % examples["unexplained"][:10])
        with open(os.path.join(ROOT, "docs", "policy-engine.md")) as f:
            doc = f.read()
        for k in by_class:
            self.assertIn(k, doc, "class %s is not in docs/policy-engine.md" % k)

    def test_cases_cover_the_language(self):
        text = open(self.cases_path).read()
        for op in OPERATORS:
            self.assertIn('"%s' % op, text.replace("ForAllValues:", "").replace("ForAnyValue:", ""), op)
        for what in ["IfExists", "ForAllValues:", "ForAnyValue:", '"NotAction"', '"NotResource"',
                     '"NotPrincipal"', '"boundary"', '"scp"', '"rcp"', '"resource_policy"', "${aws:username}",
                     "${*}", "'public'", '"Deny"', "sts:AssumeRole", '"principal": null',
                     '"principal_type": "Service"']:
            self.assertIn(what, text, what)
        classes = collections.Counter(c["class"] for c in self.cases)
        for k in ["cross-account", "trust", "boundary", "scp", "rcp", "variables", "deny-precedence",
                  "conditions", "anonymous", "service", "resource-same"]:
            self.assertGreater(classes[k], 100, k)
        # set operators meet both empty and missing keys
        empty = sum(1 for c in self.cases for v in c["request"]["context"].values() if v == [])
        self.assertGreater(empty, 100)


if __name__ == "__main__":
    unittest.main()
