/*
 * run --security-hub: ASFF findings (report/asff.c) imported into AWS
 * Security Hub with BatchImportFindings, each account's with its own
 * credentials, within the API's limits (collector/securityhub.c says
 * which).
 */
#ifndef COLLECTOR_SECURITYHUB_H
#define COLLECTOR_SECURITYHUB_H

#include <jansson.h>

#include "collector/aws.h"

struct collect_job;

/*
 * Import findings, all of account (the client's credentials' account), in
 * batches.  Returns a new object the caller decrefs: {"account_id",
 * "sent", "imported", "requests", "failed": [{"Id", "ErrorCode",
 * "ErrorMessage"}], "error": the first failed call, when one failed}.
 * Every finding not imported is in "failed", with Security Hub's code or
 * the call's error.
 */
json_t	*sh_import(struct aws_client *, const char *account, const json_t *findings);

/*
 * Import each job's account's findings (by AwsAccountId) with the
 * credentials it was collected with: its role (assumed again from its
 * creds, else the shared creds), else those creds.  Returns a new object
 * the caller decrefs: {"region", "accounts": [sh_import's, ...],
 * "imported", "failed", "complete": every finding imported}.
 */
json_t	*sh_import_all(const struct aws_config *, const struct aws_creds *,
	    const struct collect_job *jobs, size_t njobs, const json_t *findings);

#endif
