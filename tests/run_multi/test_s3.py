"""iamgrade run --out s3://bucket/prefix/ against the bed's S3 (moto, request
authentication on): the run staged locally, every file uploaded once with
If-None-Match: *, run.json last; what S3 holds read back with boto3 equals
the staged run byte for byte (its own MANIFEST.sha256, `iamgrade verify`) and
has the files and statuses of a disk run of the same bed; a second run never
overwrites the first; a denied PutObject names the call and the key and
keeps the staging copy."""
import glob
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))

import e2eutil  # noqa: E402
from e2eutil import bedlib, seed  # noqa: E402

BUCKET = "iamgrade-runs"


def writer(bed, s, name, actions):
    """A user holding the collector's policy and actions on BUCKET (auth off)."""
    iam = bed.client("iam", s.admin)
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn=f"arn:aws:iam::{s.account}:policy/iamgrade-collector")
    iam.put_user_policy(UserName=name, PolicyName="runs", PolicyDocument=bedlib.doc(
        bedlib.allow(actions, [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"])))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return bedlib.Creds(k["AccessKeyId"], k["SecretAccessKey"])


class RunToS3(e2eutil.BedCase):
    needs_collector = True

    @classmethod
    def seed(cls):
        cls.s = seed.seed_sample(cls.bed)
        cls.bed.client("s3", cls.s.admin).create_bucket(Bucket=BUCKET)
        cls.writer = writer(cls.bed, cls.s, "s3-writer", ["s3:PutObject", "s3:ListBucket"])
        cls.lister = writer(cls.bed, cls.s, "s3-lister", ["s3:ListBucket"])

    def run_s3(self, creds, url):
        tmp = self.mkdtemp()
        self.space()
        p = e2eutil.iamgrade(["run", "--out", url, "--no-pdf"],
                             env=self.env(creds, TMPDIR=tmp), timeout=600)
        e2eutil.BedCase._last_run = __import__("time").monotonic()
        return p, tmp

    def objects(self, prefix):
        s3 = self.bed.client("s3", self.s.admin)
        out = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"][len(prefix):]] = s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()
        return out

    def test_run_to_s3_equals_a_disk_run(self):
        p, tmp = self.run_s3(self.writer, f"s3://{BUCKET}/monthly/")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(tmp), [], "the staging folder is removed after the upload")
        first = next(line for line in p.stdout.splitlines() if line.startswith("s3://"))
        day = first.rstrip("/").rsplit("/", 1)[-1]
        self.assertEqual(first, f"s3://{BUCKET}/monthly/{day}/")
        got = self.objects(f"monthly/{day}/")
        self.assertIn("run.json", got)
        self.assertIn("MANIFEST.sha256", got)
        # Byte for byte what the run wrote: its manifest and `iamgrade verify`.
        local = self.mkdtemp()
        for rel, body in got.items():
            os.makedirs(os.path.dirname(os.path.join(local, rel)), exist_ok=True)
            with open(os.path.join(local, rel), "wb") as f:
                f.write(body)
        v = e2eutil.iamgrade(["verify", local], env=self.env(self.writer))
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertEqual(json.loads(got["run.json"])["exit_code"], 0)
        # The same files and statuses as a disk run of the same bed.
        out = self.mkdtemp()
        self.space()
        d = e2eutil.iamgrade(["run", "--out", out, "--no-pdf", "-q"], env=self.env(self.writer), timeout=600)
        e2eutil.BedCase._last_run = __import__("time").monotonic()
        self.assertEqual(d.returncode, 0, d.stderr)
        run = glob.glob(os.path.join(out, "*/"))[0]
        disk = {os.path.relpath(os.path.join(dp, f), run) for dp, _, fs in os.walk(run) for f in fs}
        strip = lambda names: {n.split("/")[0] if n.startswith("snapshots/") else n for n in names}
        self.assertEqual(strip(disk), strip(got))

        def statuses(doc):
            return {a["account_id"]: {c["id"]: c["status"] for c in a["controls"]} for a in doc["accounts"]}
        with open(os.path.join(run, "results.json"), encoding="utf-8") as f:
            self.assertEqual(statuses(json.loads(got["results.json"])), statuses(json.load(f)))
        # A second run the same day: a new name, the first run untouched.
        p2, _ = self.run_s3(self.writer, f"s3://{BUCKET}/monthly")
        self.assertEqual(p2.returncode, 0, p2.stderr)
        self.assertIn(f"\ns3://{BUCKET}/monthly/{day}-2/\n", "\n" + p2.stdout)
        self.assertEqual(self.objects(f"monthly/{day}/"), got)

    def test_denied_put_keeps_the_staging_copy(self):
        p, tmp = self.run_s3(self.lister, f"s3://{BUCKET}/denied/")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertRegex(p.stderr, r"s3:PutObject s3://%s/denied/\d{4}-\d\d-\d\d/\S+: AccessDenied" % BUCKET)
        kept = glob.glob(os.path.join(tmp, "iamgrade-s3-*", "*", "run.json"))
        self.assertEqual(len(kept), 1, p.stderr)
        self.assertIn("kept in " + os.path.dirname(kept[0]), p.stderr)
        self.assertEqual(self.objects("denied/"), {})

    def test_collect_to_s3_never_replaces(self):
        urls = []
        for _ in range(2):
            tmp = self.mkdtemp()
            p, _ = self.collect(self.writer, out=f"s3://{BUCKET}/snaps/", TMPDIR=tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(os.listdir(tmp), [])
            urls.append(p.stdout.strip())
        acct = self.s.account
        self.assertEqual(urls, [f"s3://{BUCKET}/snaps/{acct}.json", f"s3://{BUCKET}/snaps/{acct}-2.json"])
        got = self.objects("snaps/")
        self.assertEqual(sorted(got), [f"{acct}-2.json", f"{acct}.json"])
        for body in got.values():
            self.assertEqual(json.loads(body)["account"]["id"], acct)
        tmp = self.mkdtemp()
        p, _ = self.collect(self.lister, out=f"s3://{BUCKET}/snaps2/", TMPDIR=tmp)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(f"s3:PutObject s3://{BUCKET}/snaps2/{acct}.json: AccessDenied", p.stderr)
        self.assertEqual(len(glob.glob(os.path.join(tmp, "iamgrade-s3-*", "*.json"))), 1)

    def test_unlistable_bucket_fails_before_collecting(self):
        p, tmp = self.run_s3(self.s.auditor, f"s3://{BUCKET}/x/")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("s3:ListObjectsV2 (s3://%s/x/" % BUCKET, p.stderr)
        self.assertIn("AccessDenied", p.stderr)
        self.assertEqual(os.listdir(tmp), [])
        p, _ = self.run_s3(self.writer, "s3://No_Such/x/")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("not an S3 bucket name", p.stderr)


if __name__ == "__main__":
    unittest.main()
