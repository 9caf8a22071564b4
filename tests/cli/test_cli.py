"""The command line's shape: the README's option block is what the option
tables say, every command names a bad option, and no function in cli/ is
over 60 lines (issue 16: cli/ keeps argument handling and wiring)."""
import os
import re
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
BEGIN, END = "<!-- BEGIN iamgrade help --markdown -->\n", "<!-- END iamgrade help --markdown -->\n"
MAX_LINES = 60

# Functions allowed over the limit: none since every command is on the option
# tables.  The test fails when a listed one gets short (take it off) or any
# other function grows past the limit.
KNOWN_LONG = set()

# Commands on the option tables: an unknown option and a missing value are
# usage errors (2) that name the option.
ON_TABLES = {"run": "--out", "collect": "--out", "check": "--config", "report": "--results", "policy": "--role-name",
             "simulate": "--action"}


def iamgrade(*args):
    return subprocess.run([IAMGRADE] + list(args), capture_output=True, timeout=60)


def functions(path):
    """(name, lines) of each function definition in a C file in house style:
    the name at the start of a line, the body from a '{' line to a '}' line."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, name, start = [], None, None
    for i, line in enumerate(lines):
        m = re.match(r"^([a-z_][a-z0-9_]*)\(", line)
        if m:
            name = m.group(1)
        elif line == "{" and name is not None:
            start = i
        elif line == "}" and start is not None:
            out.append((name, i - start + 1))
            name = start = None
    return out


class Cli(unittest.TestCase):
    def test_readme_block_is_fresh(self):
        want = iamgrade("help", "--markdown")
        self.assertEqual(want.returncode, 0, want.stderr)
        readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
        self.assertIn(BEGIN, readme)
        got = readme.split(BEGIN, 1)[1].split(END, 1)[0]
        self.assertEqual(got, want.stdout.decode(),
                         "README.md's option block differs from `iamgrade help --markdown`: paste it in")

    def test_help_lists_every_option(self):
        md = iamgrade("help", "--markdown").stdout.decode()
        for cmd in ON_TABLES:
            text = iamgrade(cmd, "--help")
            self.assertEqual(text.returncode, 0)
            section = md.split(f"`iamgrade {cmd}`", 1)[1].split("`iamgrade ", 1)[0]
            for opt in re.findall(r"^\| `(--[a-z-]+)", section, re.M):
                self.assertIn(opt, text.stdout.decode(), f"{cmd} --help lacks {opt}")

    def test_bad_options_are_named(self):
        for cmd, valued in ON_TABLES.items():
            with self.subTest(cmd=cmd):
                p = iamgrade(cmd, "--no-such-option")
                self.assertEqual(p.returncode, 2)
                self.assertIn("--no-such-option", p.stderr.decode())
                p = iamgrade(cmd, valued)
                self.assertEqual(p.returncode, 2)
                self.assertIn(f"{valued} needs a value", p.stderr.decode())

    def test_report_offers_the_formats_of_its_rows(self):
        # report/formats.h: text is check's only; the others are report --NAME FILE.
        text = iamgrade("report", "--help").stdout.decode()
        for fmt in ("json", "csv", "html", "pdf", "dump"):
            self.assertIn(f"--{fmt} FILE", text)
        p = iamgrade("report", "--text", "-")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--text'", p.stderr.decode())
        p = iamgrade("check", "--format", "html", "x.json")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--format html", p.stderr.decode())

    def test_no_long_function_in_cli(self):
        long = set()
        for f in sorted(os.listdir(os.path.join(REPO, "cli"))):
            if f.endswith(".c"):
                for name, n in functions(os.path.join(REPO, "cli", f)):
                    if n > MAX_LINES:
                        long.add((f, name))
                        print(f"\n  {f}: {name}() is {n} lines", end="")
        self.assertEqual(long - KNOWN_LONG, set(), "functions in cli/ over 60 lines")
        self.assertEqual(KNOWN_LONG - long, set(), "now short: take them off KNOWN_LONG")


if __name__ == "__main__":
    unittest.main()
