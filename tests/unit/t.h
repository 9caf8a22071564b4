/*
 * A tiny unit-test harness: include once per test program.
 *
 *	static void t_parse(void) { T(x == 1, "x is %d", x); }
 *	int main(void) { RUN(t_parse); return t_done(); }
 *
 * Prints "ok NAME" or "FAIL NAME: file:line: message" per test and ends with
 * "N passed, N failed"; tests/run adds those lines up.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail, t_cur_failed;
static const char *t_cur;

#define T(cond, ...) do {						\
	if (!(cond)) {							\
		if (!t_cur_failed)					\
			printf("FAIL %s: ", t_cur);			\
		else							\
			printf("     %s: ", t_cur);			\
		printf("%s:%d: ", __FILE__, __LINE__);			\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_STREQ(a, b) do {						\
	const char *t_a = (a), *t_b = (b);				\
	T(t_a != NULL && t_b != NULL && strcmp(t_a, t_b) == 0,		\
	    "%s is \"%s\", want \"%s\"", #a, t_a ? t_a : "(null)",	\
	    t_b ? t_b : "(null)");					\
} while (0)

#define RUN(fn) do {							\
	t_cur = #fn;							\
	t_cur_failed = 0;						\
	fn();								\
	if (t_cur_failed)						\
		t_fail++;						\
	else {								\
		t_pass++;						\
		printf("ok %s\n", #fn);					\
	}								\
	fflush(stdout);							\
} while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
