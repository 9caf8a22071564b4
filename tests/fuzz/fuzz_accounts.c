/* Fuzz target: the accounts file of a multi-account run (accounts_load, accounts_shard). */
#include <stdlib.h>

#include "common/common.h"
#include "collector/collector.h"
#include "tests/fuzz/fuzz.h"

int
fuzz_accounts(const uint8_t *data, size_t size)
{
	struct collect_job *jobs = NULL;
	char *err = NULL;
	size_t n = 0, i;

	if (accounts_load(fuzz_file(0, data, size), &jobs, &n, &err)) {
		n = accounts_shard(jobs, n, 2, 3);
		for (i = 0; i < n; i++)
			collect_job_free(&jobs[i]);
		free(jobs);
	}
	free(err);
	return 0;
}
