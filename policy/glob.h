/*
 * Wildcard matching as the IAM policy language has it: '*' matches any run
 * of characters (the empty run too), '?' exactly one character, and every
 * other character only itself (no brackets, no escapes: policy variables
 * such as ${*} are substituted before matching).  Used for actions
 * (case-insensitive) and for ARNs, principals and String/ArnLike
 * conditions (case-sensitive).
 */
#ifndef POLICY_GLOB_H
#define POLICY_GLOB_H

#include <stddef.h>

#define POL_GLOB_FOLD	1	/* ASCII case-insensitive (actions, service names) */

/* 1 when pattern matches all of s. */
int	pol_glob(const char *pattern, const char *s, int flags);
/* The same over counted strings (no NUL needed, none special). */
int	pol_globn(const char *pattern, size_t plen, const char *s, size_t slen, int flags);
/*
 * The same with a literal mask: where lit[i] is non-zero, pattern[i] is an
 * ordinary character even when it is '*' or '?' (the text of a policy
 * variable, or ${*} and ${?}).  lit may be NULL.
 */
int	pol_globl(const char *pattern, const unsigned char *lit, size_t plen,
	    const char *s, size_t slen, int flags);

#endif
