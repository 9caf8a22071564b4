/*
 * The evidence pack of a run folder (README "Evidence"): MANIFEST.sha256,
 * the SHA-256 of every file of the run in the format `sha256sum -c` reads;
 * MANIFEST.sha256.sig, an Ed25519 signature of the manifest's bytes made
 * through OpenSSL's libcrypto (raw 64 bytes, what `openssl pkeyutl -verify
 * -rawin -sigfile` reads); evidence.json, what an auditor asks about a run.
 *
 * The manifest lists every regular file under the folder but three at the
 * top: the manifest and its signature (they cannot list themselves) and
 * run.json, which records the manifest's hash and so is written after it.
 * Verification checks that run.json's hash agrees with the manifest.
 *
 * Includes only common/.  Functions return 1 on success and 0 on failure
 * with a message in *err (caller frees), as common/ does.
 */
#ifndef EVIDENCE_EVIDENCE_H
#define EVIDENCE_EVIDENCE_H

#include <time.h>

#include <jansson.h>

#define EV_MANIFEST	"MANIFEST.sha256"
#define EV_SIGNATURE	"MANIFEST.sha256.sig"
#define EV_RUN_JSON	"run.json"
#define EV_EVIDENCE	"evidence.json"

/*
 * Hash every file under dir and write dir/MANIFEST.sha256 atomically,
 * refusing to replace one (a run's manifest is written once).  Files are
 * listed by path relative to dir, sorted bytewise; a name sha256sum would
 * have to escape (newline, backslash) or anything but a regular file or a
 * folder (a symlink, a FIFO) is refused.  hash receives the manifest's own
 * SHA-256 in hex; mode is the file's (the run's report mode, after the umask).
 */
int	 ev_manifest_write(const char *dir, int mode, char hash[65], char **err);

/*
 * Re-hash dir against its manifest.  *problems (caller decrefs) receives an
 * array of {"file", "problem"}: problem is "missing", "altered", "extra"
 * (a file the manifest does not list), "not a regular file", or, for
 * run.json, "its manifest_sha256 does not match MANIFEST.sha256".  An empty
 * array means the folder is as the run left it.  Returns 0 (with *err) only
 * when verification could not be done: no manifest, or a manifest line
 * that is not a sha256sum line (named FILE:LINE).
 */
int	 ev_verify(const char *dir, json_t **problems, char **err);

/* Sign dir/MANIFEST.sha256 with the Ed25519 private key in PEM keyfile into dir/MANIFEST.sha256.sig. */
int	 ev_sign(const char *dir, const char *keyfile, int mode, char **err);

/* Whether keyfile holds an Ed25519 private key ev_sign can use (checked before a run starts). */
int	 ev_key_usable(const char *keyfile, char **err);

/*
 * Whether dir/MANIFEST.sha256.sig is a valid signature of the manifest by
 * the Ed25519 public key in PEM pubfile.  0 with *err saying why when not
 * (no signature, a key of another type, a bad signature).
 */
int	 ev_verify_signature(const char *dir, const char *pubfile, char **err);

/*
 * A new Ed25519 key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub
 * (SubjectPublicKeyInfo PEM), the files `openssl genpkey -algorithm
 * ed25519` and `openssl pkey -pubout` make.  Neither may exist already.
 */
int	 ev_keygen(const char *prefix, char **err);

/*
 * A new run folder OUT/YYYY-MM-DD (the UTC day of when), or -2, -3, ...
 * when that name is taken: a run folder is never reused.  OUT is made
 * (mode 0755) when missing.  *dir is the caller's.
 */
int	 ev_run_dir(const char *out, time_t when, char **dir, char **err);

/*
 * Copy every regular file under src/sub (or src/sub itself, a file) to the same path under dst
 * (folders made as needed), each written atomically with its mode and
 * never replacing a file: a name already taken fails, naming it.  A
 * missing src/sub copies nothing; anything but files and folders in it
 * (a symlink, a FIFO) is refused.
 */
int	 ev_copy_files(const char *src, const char *dst, const char *sub, char **err);

/*
 * What evidence.json records about a run that only the command knows; the
 * rest (accounts, thresholds, the exceptions file) comes from the results
 * document.
 */
struct ev_run {
	int		 argc;
	char		**argv;		/* the command line, as given */
	const char	*region;
	const char	*started, *finished;	/* the run's wall clock, ISO 8601 */
};

/*
 * The evidence document (iamgrade.evidence/1, docs/results-format.md) for
 * a results document; the caller decrefs it.
 */
json_t	*ev_evidence(const json_t *results, const struct ev_run *);

#endif
