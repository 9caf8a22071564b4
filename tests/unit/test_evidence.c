/*
 * Unit tests: the evidence pack (evidence/): the manifest against sha256sum
 * -c, every way a run folder can be changed after the run, malformed
 * manifests, and Ed25519 signatures against openssl pkeyutl.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "evidence/evidence.h"
#include "tests/unit/t.h"

static char tmp[] = "/tmp/iamgrade-evidence-XXXXXX";

static void
put(const char *dir, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", dir, rel), *err = NULL;

	T(file_write_atomic(p, text, strlen(text), 0600, 0, &err), "%s: %s", p, err ? err : "");
	free(err);
	free(p);
}

/* A run folder as run leaves it (before the manifest), under tmp/name. */
static char *
make_run(const char *name)
{
	char *d = xasprintf("%s/%s", tmp, name), *s = xasprintf("%s/snapshots", d);
	char *a = xasprintf("%s/accounts", d);

	T(mkdir(d, 0755) == 0 && mkdir(s, 0700) == 0 && mkdir(a, 0755) == 0, "mkdir %s", d);
	put(d, "results.json", "{\"schema\": \"iamgrade.results/1\"}\n");
	put(d, "summary.html", "<!DOCTYPE html><p>summary</p>\n");
	put(d, "evidence.json", "{}\n");
	put(d, "snapshots/111122223333.json", "{\"schema\": \"iamgrade.snapshot/1\"}\n");
	put(d, "snapshots/444455556666.json", "{\"schema\": \"iamgrade.snapshot/1\", \"x\": 2}\n");
	put(d, "accounts/111122223333.html", "<p>one</p>\n");
	put(d, "accounts/empty.pdf", "");
	free(s);
	free(a);
	return d;
}

static int
sh(const char *fmt, const char *a, const char *b)
{
	char *cmd = xasprintf(fmt, a, b);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

/* A fresh folder: sha256sum -c agrees with every line, and verify finds nothing. */
static void
t_manifest_fresh(void)
{
	char *d = make_run("fresh"), *err = NULL, *m = NULL, *mp, h[65], mh[65];
	json_t *problems = NULL;
	size_t len = 0;

	T(ev_manifest_write(d, 0644, h, &err), "manifest: %s", err ? err : "");
	mp = xasprintf("%s/%s", d, EV_MANIFEST);
	T(file_read(mp, 0, &m, &len, &err), "read: %s", err ? err : "");
	sha256_hex(m ? m : "", len, mh);
	T_STREQ(h, mh);
	/* Sorted bytewise, relative paths, every file including the empty one. */
	T(m != NULL && strstr(m, "  accounts/111122223333.html\n") < strstr(m, "  accounts/empty.pdf\n") &&
	    strstr(m, "  accounts/empty.pdf\n") < strstr(m, "  evidence.json\n") &&
	    strstr(m, "  results.json\n") < strstr(m, "  snapshots/111122223333.json\n") &&
	    strstr(m, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  accounts/empty.pdf\n"),
	    "manifest:\n%s", m ? m : "");
	T(sh("cd '%s' && sha256sum --quiet --strict -c %s", d, EV_MANIFEST) == 0, "sha256sum -c fails");
	T(ev_verify(d, &problems, &err), "verify: %s", err ? err : "");
	T(json_array_size(problems) == 0, "problems: %s", jdump(problems, 0));
	/* Written once: a second manifest is refused. */
	T(!ev_manifest_write(d, 0644, h, &err) && err && strstr(err, "MANIFEST.sha256"), "rewritten: %s",
	    err ? err : "");
	json_decref(problems);
	free(mp);
	free(m);
	free(err);
	free(d);
}

/* Every way the folder can change after the run, and what verify must say. */
static const struct {
	const char *name;
	const char *cmd;	/* sh, %s is the folder */
	const char *want;	/* "file: problem" lines, sorted as verify lists them */
} tampers[] = {
	{ "byte", "printf x | dd of=%s/results.json bs=1 seek=3 conv=notrunc 2>/dev/null",
	    "results.json: altered\n" },
	{ "appended", "echo >> %s/snapshots/444455556666.json", "snapshots/444455556666.json: altered\n" },
	{ "emptied", ": > %s/summary.html", "summary.html: altered\n" },
	{ "filled", "echo x > %s/accounts/empty.pdf", "accounts/empty.pdf: altered\n" },
	{ "removed", "rm %s/snapshots/111122223333.json", "snapshots/111122223333.json: missing\n" },
	{ "added", "echo '{}' > %s/snapshots/777788889999.json", "snapshots/777788889999.json: extra\n" },
	{ "added-top", "echo x > %s/notes.txt", "notes.txt: extra\n" },
	{ "added-folder", "mkdir %s/new && echo x > %s/new/a", "new/a: extra\n" },
	{ "symlink", "ln -s /etc/passwd %s/accounts/link", "accounts/link: extra (not a regular file)\n" },
	{ "replaced-by-link", "rm %s/summary.html && ln -s results.json %s/summary.html",
	    "summary.html: not a regular file\n" },
	{ "renamed", "mv %s/summary.html %s/summary2.html", "summary.html: missing\nsummary2.html: extra\n" },
	{ "run.json", "echo '{\"manifest_sha256\": \"0\"}' > %s/run.json",
	    "run.json: its manifest_sha256 does not match MANIFEST.sha256\n" },
	{ "signature", "echo x > %s/MANIFEST.sha256.sig", "" },	/* checked by --key, not here */
};

static void
t_tampered(void)
{
	size_t i;

	for (i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++) {
		char *d = make_run(tampers[i].name), *err = NULL, h[65];
		json_t *problems = NULL, *p;
		struct buf got = { 0 };
		size_t j;

		T(ev_manifest_write(d, 0644, h, &err), "%s: %s", tampers[i].name, err ? err : "");
		T(sh(tampers[i].cmd, d, d) == 0, "%s: the change failed", tampers[i].name);
		T(ev_verify(d, &problems, &err), "%s: %s", tampers[i].name, err ? err : "");
		json_array_foreach(problems, j, p)
			buf_printf(&got, "%s: %s\n", jstr(p, "file"), jstr(p, "problem"));
		T(strcmp(got.p ? got.p : "", tampers[i].want) == 0, "%s: got\n%swant\n%s",
		    tampers[i].name, got.p ? got.p : "", tampers[i].want);
		buf_free(&got);
		json_decref(problems);
		free(err);
		free(d);
	}
}

/* run.json that records the right hash is whole. */
static void
t_run_json_agrees(void)
{
	char *d = make_run("runjson"), *err = NULL, h[65], *s;
	json_t *problems = NULL;

	T(ev_manifest_write(d, 0644, h, &err), "%s", err ? err : "");
	s = xasprintf("{\"manifest_sha256\": \"%s\"}", h);
	put(d, "run.json", s);
	T(ev_verify(d, &problems, &err) && json_array_size(problems) == 0, "problems: %s",
	    problems ? jdump(problems, 0) : err);
	json_decref(problems);
	free(s);
	free(err);
	free(d);
}

/* A manifest that is not one: an error naming FILE:LINE, never a verdict. */
static const struct {
	const char *text;
	const char *want;	/* in the message */
} bad_manifests[] = {
	{ "", NULL },		/* empty is a manifest of nothing: every file is extra */
	{ "e3b0  results.json\n", "MANIFEST.sha256:1: not a sha256sum line" },
	{ "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855  results.json\n", ":1: not a sha256sum line" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 results.json\n", ":1: not a sha256sum line" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  \n", ":1: not a sha256sum line: no file name" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a\n"
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/passwd\n", ":2: not a sha256sum line: a path outside" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  ../x\n", ":1: not a sha256sum line: a path outside" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/../../x\n", ":1: not a sha256sum line: a path outside" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a\n"
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 *a\n", ":2: a listed twice" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a", ":1: the last line has no newline" },
};

static void
t_bad_manifest(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_manifests) / sizeof(bad_manifests[0]); i++) {
		char *d = xasprintf("%s/bad%zu", tmp, i), *err = NULL;
		json_t *problems = NULL;
		int ok;

		T(mkdir(d, 0755) == 0, "mkdir");
		put(d, EV_MANIFEST, bad_manifests[i].text);
		ok = ev_verify(d, &problems, &err);
		if (bad_manifests[i].want == NULL)
			T(ok && json_array_size(problems) == 0, "case %zu: %s", i, err ? err : "");
		else
			T(!ok && err && strstr(err, bad_manifests[i].want) && strstr(err, d),
			    "case %zu: %s", i, err ? err : "(accepted)");
		json_decref(problems);
		free(err);
		free(d);
	}
	/* No manifest at all: an error, not a verdict. */
	{
		json_t *problems = NULL;
		char *err = NULL;

		T(!ev_verify(tmp, &problems, &err) && err && strstr(err, EV_MANIFEST), "no manifest: %s",
		    err ? err : "");
		free(err);
	}
}

/* Signatures: ours verify with openssl alone (README "Evidence"), and the reverse. */
static void
t_signature(void)
{
	char *d = make_run("signed"), *err = NULL, h[65];
	char *pre = xasprintf("%s/k", tmp), *key = xasprintf("%s/k.key", tmp), *pub = xasprintf("%s/k.pub", tmp);
	char *okey = xasprintf("%s/o.key", tmp), *opub = xasprintf("%s/o.pub", tmp), *rsa = xasprintf("%s/rsa.key", tmp);
	struct stat st;

	T(ev_keygen(pre, &err), "keygen: %s", err ? err : "");
	T(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600, "private key mode %o", st.st_mode & 0777);
	T(!ev_keygen(pre, &err) && err && strstr(err, "exists"), "keygen overwrote: %s", err ? err : "");
	T(ev_manifest_write(d, 0644, h, &err), "%s", err ? err : "");
	T(ev_sign(d, key, 0644, &err), "sign: %s", err ? err : "");
	T(ev_verify_signature(d, pub, &err), "verify: %s", err ? err : "");
	/* Exactly the README's command, run in the folder. */
	T(sh("cd %s && openssl pkeyutl -verify -pubin -inkey %s -rawin -in MANIFEST.sha256 "
	    "-sigfile MANIFEST.sha256.sig >/dev/null", d, pub) == 0, "openssl pkeyutl -verify refuses it");
	/* A key made by openssl signs what we verify. */
	T(sh("openssl genpkey -algorithm ed25519 -out %s && test -s %s", okey, okey) == 0,
	    "openssl genpkey");
	T(sh("openssl pkey -in %s -pubout -out %s", okey, opub) == 0, "openssl pkey");
	T(!ev_verify_signature(d, opub, &err) && err && strstr(err, "does not match"),
	    "another key verifies: %s", err ? err : "");
	/* One byte of the manifest changed: the signature no longer holds. */
	T(sh("sed -i 's/^./0/' %s/MANIFEST.sha256%s", d, "") == 0, "sed");
	T(!ev_verify_signature(d, pub, &err) && err && strstr(err, "does not match"),
	    "altered manifest verifies: %s", err ? err : "");
	/* Not Ed25519: refused by name, before anything is signed. */
	T(sh("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out %s 2>/dev/null%s", rsa, "") == 0,
	    "openssl rsa");
	T(!ev_key_usable(rsa, &err) && err && strstr(err, "not an Ed25519 key"), "rsa: %s", err ? err : "");
	T(!ev_key_usable(pub, &err) && err && strstr(err, "not a PEM private key"), "public as private: %s",
	    err ? err : "");
	T(ev_key_usable(okey, &err), "openssl's key: %s", err ? err : "");
	free(d);
	free(err);
	free(pre);
	free(key);
	free(pub);
	free(okey);
	free(opub);
	free(rsa);
}

/* merge's helpers: a fresh dated folder each time; files copied once, with their modes. */
static void
t_run_dir_and_copy(void)
{
	char *out = xasprintf("%s/runs", tmp), *d1 = NULL, *d2 = NULL, *err = NULL;
	char *src = make_run("copy-src"), *p, *body = NULL;
	time_t when = 1796083200;	/* 2026-12-01T00:00:00Z */
	struct stat st;
	size_t len;

	T(ev_run_dir(out, when, &d1, &err) && ev_run_dir(out, when, &d2, &err), "%s", err);
	T(d1 && strcmp(strrchr(d1, '/'), "/2026-12-01") == 0, "first %s", d1);
	T(d2 && strcmp(strrchr(d2, '/'), "/2026-12-01-2") == 0, "second %s", d2);
	T(ev_copy_files(src, d1, "snapshots", &err), "copy: %s", err);
	T(ev_copy_files(src, d1, "results.json", &err), "copy a file: %s", err);
	T(ev_copy_files(src, d1, "no-such-folder", &err), "a missing folder copies nothing: %s", err);
	p = xasprintf("%s/snapshots/111122223333.json", d1);
	T(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
	T(file_read(p, 0, &body, &len, &err) && strcmp(body, "{\"schema\": \"iamgrade.snapshot/1\"}\n") == 0,
	    "body %s", body ? body : err);
	/* The same file from a second source is refused, not replaced. */
	T(!ev_copy_files(src, d1, "snapshots", &err) && strstr(err, "already there") != NULL,
	    "second copy: %s", err ? err : "accepted");
	free(p);
	p = xasprintf("ln -s /etc/passwd '%s/accounts/link.html'", src);
	T(system(p) == 0, "ln");
	T(!ev_copy_files(src, d2, "accounts", &err) && strstr(err, "not a regular file") != NULL,
	    "symlink: %s", err ? err : "copied");
	free(p);
	free(body);
	free(err);
	free(src);
	free(d1);
	free(d2);
	free(out);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(t_manifest_fresh);
	RUN(t_tampered);
	RUN(t_run_json_agrees);
	RUN(t_bad_manifest);
	RUN(t_signature);
	RUN(t_run_dir_and_copy);
	sh("rm -rf '%s'%s", tmp, "");
	return t_done();
}
