/*
 * iamgrade verify DIR [--key PUBFILE]: is a run folder as the run left it?
 * iamgrade keygen PREFIX: an Ed25519 key pair for run --sign.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "evidence/evidence.h"
#include "cli/cli.h"
#include "cli/opts.h"

struct verify_args {
	const char	*key;
};

static const struct cli_opt verify_opts[] = {
	CLI_OPT_HEADING("Options:"),
	CLI_OPT(CLI_STRING, "key", 0, struct verify_args, key, "PUBFILE",
	  "also check MANIFEST.sha256.sig, the Ed25519 signature run\n"
	  "--sign made, with this public key (PEM, iamgrade keygen)", .flags = CLI_ONCE),
	CLI_OPT_END
};

const struct cli_cmd cli_cmd_verify = {
	"verify", "check a run folder against its MANIFEST.sha256 (and signature)",
	"usage: iamgrade verify [--key PUBFILE] DIR\n"
	"\n"
	"Re-hash every file of the run folder DIR against its MANIFEST.sha256 and\n"
	"name every file that is missing, altered or extra (README \"Evidence\").\n",
	verify_opts,
	"Exit status: 0 the folder is whole (and the signature valid), 1 it is not,\n"
	"2 usage error or no readable manifest.\n"
};

/* The signature's verdict on standard output; 1 if it holds. */
static int
verify_signature(const char *dir, const char *key)
{
	char *err = NULL;
	int ok = ev_verify_signature(dir, key, &err);

	if (ok)
		printf("%s: signature valid (%s)\n", EV_MANIFEST, key);
	else
		printf("%s: signature INVALID: %s\n", EV_MANIFEST, str_sanitize_term(err));
	free(err);
	return ok;
}

int
cmd_verify(int argc, char *argv[])
{
	struct verify_args a = { 0 };
	json_t *problems = NULL, *p;
	char *err = NULL, *f;
	size_t i;
	int first, rc = EXIT_USAGE;

	if ((first = cli_parse(&cli_cmd_verify, argc, argv, &a)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (argc - first != 1)
		return usage_error("verify", "give one run folder (see --help)");
	if (!ev_verify(argv[first], &problems, &err)) {
		usage_error("verify", "%s", str_sanitize_term(err));
		goto out;
	}
	rc = EXIT_OK;
	json_array_foreach(problems, i, p) {
		/* File names in the folder are anyone's: sanitised, shown as data. */
		f = str_sanitize_term(str_show_invisible(jstr(p, "file")));
		printf("%s: %s\n", f, jstr(p, "problem"));
		free(f);
		rc = EXIT_FAILED;
	}
	if (a.key != NULL && !verify_signature(argv[first], a.key))
		rc = EXIT_FAILED;
	if (rc == EXIT_OK)
		printf("%s: every file matches %s\n", argv[first], EV_MANIFEST);
	else
		fprintf(stderr, "iamgrade verify: %s does not match its manifest%s\n", argv[first],
		    a.key != NULL ? " or signature" : "");
out:
	free(err);
	json_decref(problems);
	return rc;
}

static const struct cli_opt keygen_opts[] = { CLI_OPT_END };

const struct cli_cmd cli_cmd_keygen = {
	"keygen", "make an Ed25519 key pair for run --sign",
	"usage: iamgrade keygen PREFIX\n"
	"\n"
	"Make an Ed25519 key pair for run --sign: PREFIX.key (private, PEM, mode\n"
	"0600; keep it off the machines that hold the reports) and PREFIX.pub\n"
	"(public, PEM; give it to the auditor).  Neither file may exist.\n",
	keygen_opts, NULL
};

int
cmd_keygen(int argc, char *argv[])
{
	char *err = NULL;
	int first, rc = EXIT_USAGE;

	if ((first = cli_parse(&cli_cmd_keygen, argc, argv, NULL)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (argc - first != 1)
		return usage_error("keygen", "give one PREFIX (see --help)");
	if (!ev_keygen(argv[first], &err)) {
		fprintf(stderr, "iamgrade keygen: %s\n", str_sanitize_term(err));
		rc = EXIT_IO;
		goto out;
	}
	printf("%s.key\n%s.pub\n", argv[first], argv[first]);
	rc = EXIT_OK;
out:
	free(err);
	return rc;
}
