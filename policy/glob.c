/* IAM wildcards: '*' and '?', linear in practice by the one-star backtrack. */
#include <string.h>

#include "policy/glob.h"

static int
fold(int c, int flags)
{
	if ((flags & POL_GLOB_FOLD) && c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

/*
 * Why one remembered star is enough: when a later '*' is reached, any
 * match of the text before it through an earlier star is as good as
 * another, so backtracking only ever resumes from the latest star.  That
 * keeps the worst case at O(plen * slen) and the usual case linear.
 */
int
pol_globl(const char *p, const unsigned char *lit, size_t pn, const char *s, size_t sn, int flags)
{
	size_t pi = 0, si = 0, star = (size_t)-1, back = 0;

#define WILD(i, c) (p[i] == (c) && (lit == NULL || !lit[i]))
	while (si < sn) {
		if (pi < pn && WILD(pi, '*')) {
			star = pi++;
			back = si;
		} else if (pi < pn && (WILD(pi, '?') ||
		    fold((unsigned char)p[pi], flags) == fold((unsigned char)s[si], flags))) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++back;
		} else
			return 0;
	}
	while (pi < pn && WILD(pi, '*'))
		pi++;
	return pi == pn;
#undef WILD
}

int
pol_globn(const char *p, size_t pn, const char *s, size_t sn, int flags)
{
	return pol_globl(p, NULL, pn, s, sn, flags);
}

int
pol_glob(const char *p, const char *s, int flags)
{
	return pol_globn(p, strlen(p), s, strlen(s), flags);
}
