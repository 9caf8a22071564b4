/*
 * Fuzz target: the AWS shared config and credentials files.  The input is
 * the config file, a NUL byte, then the credentials file.  Both are loaded
 * as aws_config_load reads them (region, endpoints, settings), then every
 * profile they name is loaded explicitly and its credential plan worked
 * out (role chains, source_profile loops, credential_process command
 * lines split, never run).
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "collector/aws_int.h"
#include "tests/fuzz/fuzz.h"

/* Profiles tried per input: enough for chains, bounded for speed. */
#define INI_FUZZ_PROFILES	8

/* A section's profile name ("default", "profile x" -> "x", credentials "x"), or NULL. */
static const char *
ini_fuzz_profile(const char *section, int config)
{
	if (!config || strcmp(section, "default") == 0)
		return section;
	if (strncmp(section, "profile ", 8) == 0)
		return section + 8;
	return NULL;
}

static void
ini_fuzz_plan(const struct aws_config *cfg, const char *profile)
{
	struct creds_plan plan;
	struct aws_opts o = { 0 };
	struct aws_config pc;
	char **argv = NULL, *err = NULL, *sign = NULL;
	int s;

	aws_profile_exists(cfg, profile);
	aws_profile_get(cfg, profile, "region", AWS_FILE_BOTH);
	if (creds_plan_profile(cfg, profile, &plan, &err) == 1) {
		free(creds_plan_describe(&plan));
		if (plan.process != NULL && creds_split_command(plan.process, &argv, &err))
			creds_argv_free(argv);
	}
	free(err);
	err = NULL;
	o.profile = profile;
	if (aws_config_load(&o, &pc, &err)) {
		for (s = 0; s < AWS_SVC__MAX; s++) {
			free(aws_endpoint_for_region(&pc, (enum aws_svc)s, pc.region, &sign));
			free(sign);
			sign = NULL;
		}
	}
	aws_config_free(&pc);
	free(err);
}

int
fuzz_ini(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t nconf = nul != NULL ? (size_t)(nul - data) : size;
	struct aws_opts o = { 0 };
	struct aws_config cfg;
	const struct ini_file *f;
	const char *name;
	char *err = NULL;
	int tried = 0, which;
	size_t i;

	setenv("AWS_CONFIG_FILE", fuzz_file(0, data, nconf), 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", nul != NULL ?
	    fuzz_file(1, nul + 1, size - nconf - 1) : fuzz_file(1, "", 0), 1);
	if (aws_config_load(&o, &cfg, &err)) {
		for (which = 0; which < 2; which++) {
			f = which == 0 ? &cfg.files->config : &cfg.files->creds;
			for (i = 0; i < f->nsec && tried < INI_FUZZ_PROFILES; i++)
				if ((name = ini_fuzz_profile(f->sec[i].name, which == 0)) != NULL) {
					ini_fuzz_plan(&cfg, name);
					tried++;
				}
		}
	}
	aws_config_free(&cfg);
	free(err);
	return 0;
}
