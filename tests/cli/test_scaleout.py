"""docs/scale-out.md's job definitions are what they claim: every JSON and
YAML block parses; the AWS Batch definition, array job and join job, and the
Kubernetes Indexed Job and join Job, use only options `iamgrade run` and
`iamgrade report` accept (each shard's arguments are parsed by the binary
with the engine's variables set, up to the point where it would reach AWS);
the shard counts agree with the array size and the completions; and the join
reads the folders the shards write.  (kubectl --dry-run=client needs a
cluster for discovery, so the manifests are checked here instead.)"""
import fnmatch
import json
import os
import re
import shlex
import subprocess
import tempfile
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
IAMGRADE = os.path.abspath(os.environ.get("IAMGRADE") or os.path.join(REPO, "iamgrade"))
DOC = os.path.join(REPO, "docs", "scale-out.md")


def blocks(lang):
    with open(DOC, encoding="utf-8") as f:
        return [b for lg, b in re.findall(r"```(\w+)\n(.*?)```", f.read(), re.S) if lg == lang]


def argv_of(command):
    """The iamgrade argument vector of a container command: a list, or
    ["sh", "-c", "exec iamgrade ..."]."""
    if command[:2] == ["sh", "-c"]:
        words = shlex.split(command[2])
        return words[1:] if words[0] == "exec" else words
    return list(command)


def options(argv):
    return [w for w in argv if w.startswith("--")]


class ScaleOutDoc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.batch = [json.loads(b) for b in blocks("json")]
        cls.kube = [d for b in blocks("yaml") for d in yaml.safe_load_all(b)]
        cls.help = {c: subprocess.run([IAMGRADE, c, "--help"], capture_output=True, text=True).stdout
                    for c in ("run", "report", "merge")}

    def assert_known(self, argv):
        self.assertEqual(argv[0], "iamgrade", argv)
        cmd = argv[1]
        self.assertIn(cmd, ("run", "report", "merge"), argv)
        for opt in options(argv):
            self.assertRegex(self.help[cmd], r"(^|\s)" + re.escape(opt) + r"\b",
                             f"{opt} is not an option of iamgrade {cmd}")

    def shard_args_parse(self, argv, env):
        """The binary takes the shard's arguments with env set: it gets past
        option parsing and --shard to the credentials, where the test stops
        it (no credentials anywhere: exit 2 with a credentials message, not a
        usage message naming an option)."""
        home = tempfile.mkdtemp(prefix="scaleout-")
        out = os.path.join(home, "out")
        argv = [out if a.startswith("/data/") else a for a in argv]
        e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        e.update(env, HOME=home, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                 AWS_EC2_METADATA_DISABLED="true", AWS_ENDPOINT_URL="http://127.0.0.1:9")
        p = subprocess.run([IAMGRADE] + argv[1:], capture_output=True, text=True, env=e, timeout=60)
        self.assertNotIn("--shard", p.stderr, p.stderr)
        self.assertNotIn("unknown option", p.stderr, p.stderr)
        self.assertIn("credentials", p.stderr.lower(), p.stderr)

    def test_aws_batch(self):
        definition = next(d for d in self.batch if "containerProperties" in d)
        array = next(d for d in self.batch if "arrayProperties" in d)
        join = next(d for d in self.batch if "dependsOn" in d)
        size = array["arrayProperties"]["size"]
        env = {e["name"]: e["value"] for e in definition["containerProperties"]["environment"]}
        self.assertEqual(int(env["AWS_BATCH_JOB_ARRAY_SIZE"]), size, "array size and the variable")
        self.assertEqual(array["jobDefinition"], definition["jobDefinitionName"])
        self.assertEqual(join["jobDefinition"], definition["jobDefinitionName"])
        for cmd in (definition["containerProperties"]["command"], array["containerOverrides"]["command"]):
            argv = argv_of(cmd)
            self.assert_known(argv)
            self.assertEqual(argv[argv.index("--shard") + 1], "auto")
        shard = argv_of(array["containerOverrides"]["command"])
        # Every child's arguments, with the variables AWS Batch sets and the job adds.
        for k in (0, size - 1):
            child = [w.replace("$AWS_BATCH_JOB_ARRAY_INDEX", str(k)) for w in shard]
            self.shard_args_parse(child, dict(env, AWS_BATCH_JOB_ARRAY_INDEX=str(k)))
        self.check_join(shard, "$AWS_BATCH_JOB_ARRAY_INDEX", size, argv_of(join["containerOverrides"]["command"]))

    def test_kubernetes(self):
        indexed = next(d for d in self.kube if d["spec"].get("completionMode") == "Indexed")
        join = next(d for d in self.kube if d is not indexed)
        for d in (indexed, join):
            self.assertEqual((d["apiVersion"], d["kind"]), ("batch/v1", "Job"))
            self.assertEqual(d["spec"]["template"]["spec"]["restartPolicy"], "Never")
        n = indexed["spec"]["completions"]
        c = indexed["spec"]["template"]["spec"]["containers"][0]
        shard = argv_of(c["command"] + c["args"])
        self.assert_known(shard)
        self.assertEqual(shard[shard.index("--shard") + 1], f"auto/{n}", "completions and --shard auto/N")
        for k in (0, n - 1):
            child = [w.replace("$JOB_COMPLETION_INDEX", str(k)) for w in shard]
            self.shard_args_parse(child, {"JOB_COMPLETION_INDEX": str(k)})
        j = join["spec"]["template"]["spec"]["containers"][0]
        self.check_join(shard, "$JOB_COMPLETION_INDEX", n, argv_of(j["command"] + j["args"]))
        claims = {v["persistentVolumeClaim"]["claimName"]
                  for d in (indexed, join) for v in d["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(len(claims), 1, "the shards and the join share one volume")

    def check_join(self, shard, var, n, join):
        """The join is merge (or report --results) over the folders the shards write."""
        self.assert_known(join)
        if join[1] == "merge":
            out = shard[shard.index("--out") + 1]
            self.assertIn("--out", join)
            dirs = [w for w in join[2:join.index("--out")]]
            for k in range(n):
                written = out.replace(var, str(k)) + "/2026-12-06"
                self.assertTrue(any(fnmatch.fnmatch(written, d) for d in dirs), f"{dirs} miss {written}")
            return
        self.assertEqual(join[1], "report")
        out = shard[shard.index("--out") + 1]
        pattern = join[join.index("--results") + 1]
        for k in range(n):
            written = out.replace(var, str(k)) + "/2026-12-06/results.json"
            self.assertTrue(fnmatch.fnmatch(written, pattern), f"{pattern} misses {written}")
        for output in ("--html", "--pdf", "--json"):
            self.assertIn(output, join)


if __name__ == "__main__":
    unittest.main()
