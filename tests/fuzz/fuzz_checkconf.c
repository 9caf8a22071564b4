/* Fuzz target: the checks' config file (check_config_load). */
#include <stdlib.h>

#include "common/common.h"
#include "checks/checks.h"
#include "tests/fuzz/fuzz.h"

int
fuzz_checkconf(const uint8_t *data, size_t size)
{
	struct check_config cfg;
	json_t *j;
	char *err = NULL;

	check_config_default(&cfg);
	if (check_config_load(fuzz_file(0, data, size), &cfg, &err)) {
		j = check_config_json(&cfg);
		free(jdump(j, 0));
		json_decref(j);
	}
	check_config_free(&cfg);
	free(err);
	return 0;
}
