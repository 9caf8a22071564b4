"""Results documents graded from tests/checks cases, for the format tests."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "checks"))
import caselib  # noqa: E402

IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
# An account of every status: PASS, FAIL, NOT_EVALUATED and NOT_APPLICABLE controls.
CASES = ["all-pass", "pwd-weak", "ne-credential_report-denied", "role-none-in-window"]


def graded(tmp, cases=CASES):
    """`iamgrade check --format json` of the cases' snapshots, written into tmp."""
    snaps = []
    for i, name in enumerate(cases):
        path = os.path.join(tmp, f"{i}.json")
        with open(path, "wb") as f:
            f.write(caselib.build_snapshot(os.path.join(REPO, "tests", "checks", "cases",
                                                        name + ".snapshot.json")))
        snaps.append(path)
    p = subprocess.run([IAMGRADE, "check", "--format", "json"] + snaps, capture_output=True,
                       encoding="utf-8")
    if not p.stdout:
        raise AssertionError(f"iamgrade check: {p.stderr}")
    return json.loads(p.stdout)




class DistinctAccounts:
    """A test class mixin: cls.results graded from CASES into cls.tmp, each
    account its own id (the cases share one; ASFF and OCSF key findings by
    account)."""
    prefix = "graded-"

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.tmp = tempfile.mkdtemp(prefix=cls.prefix)
        cls.results = graded(cls.tmp)
        for i, acct in enumerate(cls.results["accounts"]):
            acct["account_id"] = str(210000000000 + i)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.tmp, ignore_errors=True)
