"""Run every data-driven case under tests/checks/cases (one test per case).

The format of a case is described in caselib.py.  IAMGRADE names the binary
under test (default ./iamgrade).
"""
import unittest

import caselib


class Cases(unittest.TestCase):
    pass


def _make(name):
    def test(self):
        errs = caselib.run_case(name)
        self.assertFalse(errs, "%s (%s):\n  %s" % (name, caselib.load_expected(name).get("comment", ""),
                                                   "\n  ".join(errs)))
    return test


for _name in caselib.case_names():
    setattr(Cases, "test_" + _name.replace("-", "_"), _make(_name))


if __name__ == "__main__":
    unittest.main()
