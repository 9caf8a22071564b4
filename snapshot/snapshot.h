/*
 * What a valid snapshot is (docs/snapshot-format.md), defined once for the
 * collector that writes one and the checks that read one: the schema, the
 * names of the sources and of their statuses, and per source the rules AWS
 * documents for what it sends (the IAM, CloudTrail and STS API references;
 * docs/snapshot-format.md names them per source).  Both sides run the same rules, so a source the collector would
 * write as "invalid" is "invalid" when a hand-edited or foreign snapshot
 * is loaded too.
 *
 * Includes only common/ and jansson.
 *
 * Ownership: functions returning char * (messages) hand the caller a
 * string to free; snap_source_check steals its argument and returns a new
 * reference.
 */
#ifndef SNAPSHOT_SNAPSHOT_H
#define SNAPSHOT_SNAPSHOT_H

#include <jansson.h>

/*
 * The schema this iamgrade writes, and the versions it reads.  /2 added
 * the statuses "partial" and "invalid", which a /1 reader refuses as
 * unknown, so the version went up; /1 files are still read (their sources
 * never carry the new statuses, and their data is validated the same way).
 * /3 added the source "last_accessed" (service and action last accessed
 * per role and user); a /1 or /2 file has none, which the controls that
 * need it read as "not in the snapshot" (NOT_EVALUATED), never as unused.
 * /4 added the source "change_events" (the window's IAM and CloudTrail
 * changes CHG-* read); an older file has none, and CHG-* are NOT_EVALUATED
 * on it.
 */
#define SNAP_SCHEMA_PREFIX	"iamgrade.snapshot/"
#define SNAP_SCHEMA_VERSION	4
#define SNAP_SCHEMA		"iamgrade.snapshot/4"

/*
 * The members of "sources", in report order: X(ID, name, type of data).
 * One row adds a source everywhere: the enum and names below, the
 * loader's checks (valid.c), the checks' bits and the results' list.  The
 * first list holds the sources controls read (the checks' CHECK_SRC_*
 * bits, checks/catalogue.h); the second the ones only the collector and
 * the report use.  The collector reads each by a row of collect_steps[]
 * (collector/collect.c); valid.c has its data rule.
 */
#define SNAP_SOURCES_GRADED(X) \
	X(CREDENTIAL_REPORT,	 "credential_report",	  JSON_OBJECT) \
	X(PASSWORD_POLICY,	 "password_policy",	  JSON_OBJECT) \
	X(ACCOUNT_SUMMARY,	 "account_summary",	  JSON_OBJECT) \
	X(VIRTUAL_MFA_DEVICES,	 "virtual_mfa_devices",	  JSON_ARRAY) \
	X(ACCESS_KEYS,		 "access_keys",		  JSON_ARRAY) \
	X(AUTHORIZATION_DETAILS, "authorization_details", JSON_OBJECT) \
	X(TRAILS,		 "trails",		  JSON_ARRAY) \
	X(CREATE_ROLE_EVENTS,	 "create_role_events",	  JSON_OBJECT) \
	X(CHANGE_EVENTS,	 "change_events",	  JSON_OBJECT)
#define SNAP_SOURCES_OTHER(X) \
	X(ACCOUNT_ALIASES,	 "account_aliases",	  JSON_OBJECT) \
	X(CALLER_IDENTITY,	 "caller_identity",	  JSON_OBJECT) \
	X(LAST_ACCESSED,	 "last_accessed",	  JSON_OBJECT)
#define SNAP_SOURCES(X)	SNAP_SOURCES_GRADED(X) SNAP_SOURCES_OTHER(X)

enum snap_source {
#define SNAP_X_ENUM(id, name, type)	SNAP_SRC_##id,
	SNAP_SOURCES(SNAP_X_ENUM)
#undef SNAP_X_ENUM
	SNAP_SRC__MAX
};
extern const char *const snap_source_names[SNAP_SRC__MAX];	/* "credential_report" */
/* The source called name, or -1. */
int	snap_source_id(const char *name);

/*
 * Statuses of a source object.  partial: collection stopped at a
 * documented cap, data holds what was read (error.code PageLimit,
 * ByteLimit or ItemLimit).  invalid: AWS answered, but not with what AWS
 * documents; data keeps what came, error.code is InvalidData and
 * error.message the rule that failed.
 */
#define SNAP_STATUSES(X) \
	X(OK, "ok") X(ABSENT, "absent") X(DENIED, "denied") X(ERROR, "error") \
	X(PARTIAL, "partial") X(INVALID, "invalid")

enum snap_status {
#define SNAP_X_ENUM(id, name)	SNAP_ST_##id,
	SNAP_STATUSES(SNAP_X_ENUM)
#undef SNAP_X_ENUM
	SNAP_ST__MAX
};
extern const char *const snap_status_names[SNAP_ST__MAX];	/* "ok" */
/* The status of a source object, or -1 (not an object, no or unknown status). */
int	snap_status(const json_t *src);

#define SNAP_INVALID_CODE	"InvalidData"

/*
 * The frame of a snapshot, which no source can stand in for: a JSON
 * object with a schema this iamgrade reads, an account id of 12 digits,
 * the collection times and window, a caller object or null, and a
 * "sources" object.  1 when it holds; else 0 and *why names the member.
 */
int	snap_check_frame(const json_t *snap, char **why);

/*
 * Whether data (of source id) is what AWS documents: 1, or 0 with *why
 * naming the rule, the row or element, and the column or member.
 */
int	snap_check_data(enum snap_source id, const json_t *data, char **why);

/*
 * A source object as it may be kept: steals src, returns it (a new
 * reference) when it is well formed and its data, for ok and partial,
 * passes snap_check_data; otherwise returns an "invalid" source object in
 * its place that keeps the api_call and the data received (the whole of
 * src when it was not a source object) and says why.  name is the member
 * of "sources", or "organization" for the snapshot's organization; any
 * other name is only checked for being a source object.
 */
json_t	*snap_source_check(const char *name, json_t *src);

/*
 * Every source of a snapshot (and its organization) through
 * snap_source_check, in place.  For each source made invalid,
 * collection.complete becomes false and collection.problems gets a line.
 * Returns how many were made invalid.
 */
int	snap_sources_check(json_t *snap);

/*
 * The organization's account list once per run, not in every snapshot
 * (issue 13: a copy per snapshot made the bytes a run writes grow with
 * accounts squared).  A run's snapshot may hold, in its organization's
 * data, instead of "accounts": "accounts_in", the file that holds the list
 * relative to the snapshot's folder (SNAP_ORG_FILE: the run folder's
 * organization.json, member SNAP_ORG_MEMBER = {"id", "accounts"}),
 * "accounts_sha256", snap_org_sha256 of the list, and "accounts_count".
 * Loading puts the list back in (checks/snapshot.c); snapshots with the
 * list inline are read as before.
 */
#define SNAP_ORG_FILE	"../organization.json"
#define SNAP_ORG_MEMBER	"organization_accounts"
/* SHA-256 (hex) of the account id list as compact JSON, the form both sides hash. */
void	snap_org_sha256(const json_t *ids, char out[65]);
/*
 * Make parent[name] an "invalid" source saying why (keeping what it held)
 * and note it in collection.problems, as loading does for a broken source.
 */
void	snap_source_invalidate(json_t *snap, json_t *parent, const char *name, const char *why);

#endif
