/*
 * The IAM policy analyser shared by the POL-* and ROLE-* controls.
 *
 * It answers narrow questions about one statement ("does it grant this
 * action on every resource?", "does a condition pin the caller to known
 * accounts?") by the rules of CONTROLS.md: values may be a string or an
 * array; actions match case-insensitively with * and ?; NotAction,
 * NotResource and NotPrincipal with Allow are broad grants; a Deny is
 * reported, not subtracted, unless it exactly cancels the grant; condition
 * keys are case-insensitive.
 *
 * Ownership: cpol_parse returns a new reference; everything else borrows.
 */
#ifndef CHECKS_POLICY_H
#define CHECKS_POLICY_H

#include <jansson.h>

/*
 * A policy document as it may arrive: a JSON object, JSON text, or URL-
 * encoded JSON text (IAM API).  The result has a "Statement" array of
 * objects, each with Effect "Allow" or "Deny".  NULL with *err otherwise.
 */
json_t	*cpol_parse(const json_t *doc, char **err);

/* Case-insensitive glob: '*' any run of characters, '?' exactly one. */
int	cpol_glob(const char *pattern, const char *s);

/* A string-or-array value: how many strings, and the i-th (NULL if not a string). */
size_t	cpol_nvalues(const json_t *v);
const char *cpol_value(const json_t *v, size_t i);

int	cpol_is_allow(const json_t *st);
int	cpol_is_deny(const json_t *st);

/* The statement grants action ("iam:PassRole"): an Action matches, or NotAction does not. */
int	cpol_grants_action(const json_t *st, const char *action);
/*
 * The statement grants every action of service svc ("iam"), or every
 * action at all when svc is NULL.  NotAction counts as such a grant.
 */
int	cpol_grants_all(const json_t *st, const char *svc);
/* Resource "*" (or only stars), or NotResource. */
int	cpol_on_all_resources(const json_t *st);

/* A Deny statement of doc without conditions that covers st's grant exactly. */
int	cpol_cancelled(const json_t *doc, const json_t *st);
/* The doc's Deny statements as compact JSON text (caller frees), or NULL. */
char	*cpol_denies_text(const json_t *doc);

/* Principal "*", {"AWS": "*"} (or any wildcard), or NotPrincipal. */
int	cpol_principal_any(const json_t *st);
/* Principal[type] ("AWS", "Service", "Federated") as a string-or-array, or NULL. */
const json_t *cpol_principals(const json_t *st, const char *type);

/*
 * A condition operator that requires the key to be present and to match:
 * not negated, not ...IfExists, not Null, not ForAllValues:.
 */
int	cpol_op_positive(const char *op);

/*
 * Visit the statement's conditions: fn(op, key, values, arg) for every
 * (operator, key); stops when fn returns non-zero and returns that.
 */
int	cpol_cond_each(const json_t *st,
	    int (*fn)(const char *op, const char *key, const json_t *values, void *),
	    void *arg);
/* The values of the first positive condition on key (case-insensitive), or NULL. */
const json_t *cpol_cond_get(const json_t *st, const char *key);

/*
 * The statement carries a positive condition that pins the caller to known
 * accounts: aws:PrincipalOrgID, aws:PrincipalOrgPaths,
 * aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn
 * or aws:SourceOrgID, with values that are not wildcards.  Account ids
 * named by those conditions are added to accounts (an object used as a set)
 * when it is not NULL.  sts:ExternalId never pins.
 */
int	cpol_pins_caller(const json_t *st, json_t *accounts);

/* A positive condition among keys (NULL-terminated) with non-wildcard values. */
int	cpol_cond_pinned(const json_t *st, const char *const *keys);

#endif
