/*
 * Fuzz targets: one function per kind of hostile input, each taking any
 * bytes and returning 0 (libFuzzer's contract).  A crash, a sanitizer
 * report or a leak is the only failure; wrong answers are the unit tests'
 * business.
 *
 * Every target is linked two ways (docs/fuzzing.md):
 *   - with tests/fuzz/main.c into build/fuzz/fuzz/fuzz_NAME, a libFuzzer
 *     binary whose LLVMFuzzerTestOneInput calls fuzz_NAME (make fuzz);
 *   - all together into tests/unit/test_fuzz_replay.c, which runs every
 *     file of tests/fuzz/corpus/NAME/ and tests/fuzz/regress/NAME/ through
 *     fuzz_NAME in the ordinary sanitizer test build (make check).
 *
 * Adding a target: write tests/fuzz/fuzz_NAME.c defining
 * int fuzz_NAME(const uint8_t *, size_t), declare it here, add a row to
 * fuzz_targets[] (fuzzlib.c), and give it a seed corpus in
 * tests/fuzz/corpus/NAME/.  The Makefile finds it by its file name.
 *
 * Where a parser's output has a consumer, the target feeds it on, as the
 * program would: parsed responses become a snapshot that the checks grade
 * and the report renders, so hostile text reaches every stage.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "report/report.h"

int	fuzz_credreport(const uint8_t *, size_t);	/* credential report CSV */
int	fuzz_iamxml(const uint8_t *, size_t);		/* IAM and STS Query XML responses */
int	fuzz_cloudtrail(const uint8_t *, size_t);	/* CloudTrail JSON pages and records */
int	fuzz_policy(const uint8_t *, size_t);		/* an IAM policy document */
int	fuzz_polengine(const uint8_t *, size_t);	/* an IAM policy document through policy/ */
int	fuzz_snapshot(const uint8_t *, size_t);		/* a snapshot file */
int	fuzz_ini(const uint8_t *, size_t);		/* AWS shared config and credentials */
int	fuzz_checkconf(const uint8_t *, size_t);	/* the checks' config file */
int	fuzz_accounts(const uint8_t *, size_t);		/* an accounts file (iamgrade run) */
int	fuzz_report(const uint8_t *, size_t);		/* a snapshot into every report */
int	fuzz_catalogue(const uint8_t *, size_t);	/* an action pattern against the catalogue */
int	fuzz_validate(const uint8_t *, size_t);		/* JSON through snapshot/'s rules */

struct fuzz_target {
	const char	*name;
	int		(*fn)(const uint8_t *, size_t);
};
extern const struct fuzz_target fuzz_targets[];	/* ends with { NULL, NULL } */

/* Once per process: quiet logs, no AWS_* settings from the environment. */
void	 fuzz_init(void);

/* A NUL-terminated copy of the input (caller frees). */
char	*fuzz_strdup(const uint8_t *, size_t);

/*
 * The input as a file for loaders that take a path: a memfd (a temporary
 * file when memfd is unavailable), rewritten on each call.  The path stays
 * valid until the next call with the same slot (0 or 1).
 */
const char *fuzz_file(int slot, const void *, size_t);

/*
 * A minimal valid snapshot holding one source (name, source object stolen;
 * NULL for none).  The caller owns the result.
 */
json_t	*fuzz_snapshot_new(const char *source, json_t *src);

/*
 * A snapshot file's text through snap_load, check_account and
 * check_results: the results document (new reference), or NULL when the
 * snapshot was refused.
 */
json_t	*fuzz_check(const char *text, size_t len);
/* Render results as fmt, discarding the output. */
void	 fuzz_render(const json_t *results, enum report_fmt, const struct report_opts *);
/*
 * What iamgrade check does with a snapshot file: fuzz_check, then the
 * text and CSV reports (the cheap ones: HTML and the PDF layout take
 * 0.1-0.3 s an input, too slow for every target; fuzz_report has them).
 */
void	 fuzz_grade_text(const char *text, size_t len);
/* The same for a snapshot in memory (stolen). */
void	 fuzz_grade(json_t *snap);

#endif
