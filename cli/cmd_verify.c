/*
 * iamgrade verify DIR [--key PUBFILE]: is a run folder as the run left it?
 * iamgrade keygen PREFIX: an Ed25519 key pair for run --sign.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "evidence/evidence.h"
#include "cli/cli.h"

static const char verify_usage[] =
"usage: iamgrade verify [--key PUBFILE] DIR\n"
"\n"
"Re-hash every file of the run folder DIR against its MANIFEST.sha256 and\n"
"name every file that is missing, altered or extra.  With --key, also check\n"
"MANIFEST.sha256.sig, the Ed25519 signature run --sign made, with the public\n"
"key PUBFILE (PEM, from iamgrade keygen).\n"
"\n"
"Exit status: 0 the folder is whole (and the signature valid), 1 it is not,\n"
"2 usage error or no readable manifest.\n";

int
cmd_verify(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *dir;
	json_t *problems = NULL, *p;
	char *err = NULL;
	size_t i;
	int c, rc = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return EXIT_OK;
		default:
			fputs(verify_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(verify_usage, stderr);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (!ev_verify(dir, &problems, &err))
		goto out;
	rc = EXIT_OK;
	json_array_foreach(problems, i, p) {
		/* File names in the folder are anyone's: sanitised, shown as data. */
		char *f = str_sanitize_term(str_show_invisible(jstr(p, "file")));

		printf("%s: %s\n", f, jstr(p, "problem"));
		free(f);
		rc = EXIT_FAILED;
	}
	if (key != NULL) {
		if (ev_verify_signature(dir, key, &err))
			printf("%s: signature valid (%s)\n", EV_MANIFEST, key);
		else {
			printf("%s: signature INVALID: %s\n", EV_MANIFEST, str_sanitize_term(err));
			free(err);
			err = NULL;
			rc = EXIT_FAILED;
		}
	}
	if (rc == EXIT_OK)
		printf("%s: every file matches %s\n", dir, EV_MANIFEST);
	else
		fprintf(stderr, "iamgrade verify: %s does not match its manifest%s\n", dir,
		    key != NULL ? " or signature" : "");
out:
	if (err != NULL)
		fprintf(stderr, "iamgrade verify: %s\n", str_sanitize_term(err));
	free(err);
	json_decref(problems);
	return rc;
}

static const char keygen_usage[] =
"usage: iamgrade keygen PREFIX\n"
"\n"
"Make an Ed25519 key pair for run --sign: PREFIX.key (private, PEM, mode\n"
"0600; keep it off the machines that hold the reports) and PREFIX.pub\n"
"(public, PEM; give it to the auditor).  Neither file may exist.\n";

int
cmd_keygen(int argc, char *argv[])
{
	char *err = NULL;
	int rc = EXIT_USAGE;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(keygen_usage, stdout);
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs(keygen_usage, stderr);
		return EXIT_USAGE;
	}
	if (!ev_keygen(argv[1], &err)) {
		fprintf(stderr, "iamgrade keygen: %s\n", str_sanitize_term(err));
		rc = EXIT_IO;
		goto out;
	}
	printf("%s.key\n%s.pub\n", argv[1], argv[1]);
	rc = EXIT_OK;
out:
	free(err);
	return rc;
}
