/*
 * The least-privilege suggestion of one role or user of a snapshot
 * (checks/checks.h, check_suggest): the principal's documents as the
 * checks load them (groups, boundary), its last-accessed record, and
 * policy/suggest.c's proven suggestion.  What the snapshot lacks is a
 * reason, never a guess.
 */
#include <string.h>

#include "common/common.h"
#include "checks/grade.h"
#include "policy/suggest.h"

/* The principal's entry in authorization details, or NULL; *kind "role" or "user". */
static const json_t *
sug_entry(const struct check_ctx *c, const char *arn, const char **kind)
{
	static const char *const lists[] = { "roles", "users" }, *const kinds[] = { "role", "user" };
	const json_t *e;
	size_t i, k;

	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(c->data[CHECK_SRC_AUTHORIZATION_DETAILS], lists[k]), i, e)
			if (jstr(e, "Arn") != NULL && strcmp(jstr(e, "Arn"), arn) == 0) {
				*kind = kinds[k];
				return e;
			}
	return NULL;
}

/* The principal's last_accessed record, or NULL with *err. */
static const json_t *
sug_record(const struct check_ctx *c, const char *arn, char **err)
{
	const json_t *src = jpath(c->snap, "sources.last_accessed"), *p;
	size_t i;

	if (src == NULL) {
		err_set(err, "the snapshot has no last_accessed (collected with --no-last-accessed, "
		    "or before it existed)");
		return NULL;
	}
	if (snap_status(src) != SNAP_ST_OK) {
		err_set(err, "last_accessed is %s: %s", jstr(src, "status") ? jstr(src, "status") : "?",
		    json_string_value(jpath(src, "error.message")) ?
		    json_string_value(jpath(src, "error.message")) : "no data");
		return NULL;
	}
	json_array_foreach(jpath(src, "data.principals"), i, p)
		if (jstr(p, "Arn") != NULL && strcmp(jstr(p, "Arn"), arn) == 0)
			return p;
	err_set(err, "last_accessed has no job for %s", arn);
	return NULL;
}

enum check_sug
check_suggest_one(struct check_ctx *c, const json_t *entry, const char *kind, const json_t *rec,
    struct pol_suggestion *s, char **err)
{
	struct check_principal p = { 0 };
	struct pol_usage u = { 0 };
	const struct pol_doc **docs = NULL;
	const char **labels = NULL;
	enum check_sug rc = CHECK_SUG_MISSING;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!check_principal_load(c, entry, kind, &p)) {
		err_set(err, "%s: %s", p.arn ? p.arn : "?", p.err);
		goto out;
	}
	docs = xcalloc(p.ndocs + 1, sizeof(*docs));
	labels = xcalloc(p.ndocs + 1, sizeof(*labels));
	for (i = 0; i < p.ndocs; i++) {
		docs[i] = p.docs[i]->doc;
		labels[i] = p.docs[i]->label;
	}
	if (!pol_usage_make(&u, rec, c->now - (time_t)c->cfg->unused_days * 86400, docs, p.ndocs,
	    p.boundary ? p.boundary->doc : NULL, err))
		goto out;
	pol_suggest(docs, labels, p.ndocs, p.boundary ? p.boundary->doc : NULL, &u, c->pcache, s);
	rc = CHECK_SUG_OK;
out:
	free(docs);
	free(labels);
	pol_usage_free(&u);
	check_principal_free(&p);
	return rc;
}

enum check_sug
check_suggest(const json_t *snap, const struct check_config *cfg, const char *arn,
    struct pol_suggestion *s, char **err)
{
	struct check_ctx c;
	const json_t *entry, *rec;
	const char *kind = NULL;
	enum check_sug rc = CHECK_SUG_MISSING;

	memset(s, 0, sizeof(*s));
	if (!check_ctx_init(&c, snap, cfg)) {
		err_set(err, "the snapshot cannot be graded");
		return CHECK_SUG_MISSING;
	}
	if (c.data[CHECK_SRC_AUTHORIZATION_DETAILS] == NULL)
		err_set(err, "the snapshot's authorization details were not read");
	else if ((entry = sug_entry(&c, arn, &kind)) == NULL) {
		err_set(err, "no role or user %s in the snapshot", arn);
		rc = CHECK_SUG_UNKNOWN;
	} else if ((rec = sug_record(&c, arn, err)) != NULL)
		rc = check_suggest_one(&c, entry, kind, rec, s, err);
	check_ctx_free(&c);
	return rc;
}

void
check_lp_suggestion(struct check_ctx *c, const json_t *entry, const char *kind, const json_t *rec,
    json_t *row)
{
	struct pol_suggestion s;
	char *err = NULL;

	if (check_suggest_one(c, entry, kind, rec, &s, &err) != CHECK_SUG_OK)
		json_object_set_new(row, "suggestion_refused", json_string(err ? err : "?"));
	else if (s.policy != NULL)
		json_object_set(row, "suggestion", s.policy);
	else
		json_object_set_new(row, "suggestion_refused", json_string(s.refused));
	free(err);
	pol_suggest_free(&s);
}
