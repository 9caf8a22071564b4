/*
 * The schema identifiers of the documents iamgrade writes, in one place
 * (the snapshot's, with its version rules, is SNAP_SCHEMA in
 * snapshot/snapshot.h).  They are public contracts: docs/results-format.md.
 */
#ifndef COMMON_SCHEMA_H
#define COMMON_SCHEMA_H

#define SCHEMA_RESULTS	"iamgrade.results/1"	/* check --format json, results.json */
#define SCHEMA_RUN	"iamgrade.run/1"	/* run.json, a run's manifest */
#define SCHEMA_ORGANIZATION "iamgrade.organization/1" /* organization.json: OU tree, tags */

#endif
