/* What the fuzz targets share: the target table, input files, and a snapshot carried through checks and report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/checks.h"
#include "snapshot/snapshot.h"
#include "tests/fuzz/fuzz.h"

const struct fuzz_target fuzz_targets[] = {
	{ "credreport",	fuzz_credreport },
	{ "iamxml",	fuzz_iamxml },
	{ "cloudtrail",	fuzz_cloudtrail },
	{ "policy",	fuzz_policy },
	{ "polengine",	fuzz_polengine },
	{ "snapshot",	fuzz_snapshot },
	{ "ini",	fuzz_ini },
	{ "checkconf",	fuzz_checkconf },
	{ "accounts",	fuzz_accounts },
	{ "report",	fuzz_report },
	{ "catalogue",	fuzz_catalogue },
	{ "validate",	fuzz_validate },
	{ NULL,		NULL },
};

#define FUZZ_SLOTS 2

static int fuzz_fd[FUZZ_SLOTS] = { -1, -1 };
static char fuzz_path[FUZZ_SLOTS][4096];

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, strerror(errno));
	abort();
}

static void
fuzz_unlink(void)
{
	int i;

	for (i = 0; i < FUZZ_SLOTS; i++)
		if (fuzz_fd[i] >= 0 && strncmp(fuzz_path[i], "/proc/", 6) != 0)
			unlink(fuzz_path[i]);
}

void
fuzz_init(void)
{
	extern char **environ;
	char **names = NULL, **e;
	size_t n = 0, i;

	log_level = 0;
	/* The targets must behave the same wherever they run. */
	for (e = environ; *e != NULL; e++)
		if (strncmp(*e, "AWS_", 4) == 0 || strncmp(*e, "IAMGRADE_", 9) == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrndup(*e, strcspn(*e, "="));
		}
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	free(names);
}

char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

const char *
fuzz_file(int slot, const void *p, size_t n)
{
	const char *tmp;
	ssize_t w;
	size_t off;
	int fd;

	if (fuzz_fd[slot] < 0) {
		if ((fd = memfd_create("iamgrade-fuzz", MFD_CLOEXEC)) >= 0)
			snprintf(fuzz_path[slot], sizeof(fuzz_path[slot]), "/proc/self/fd/%d", fd);
		else {
			if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
				tmp = "/tmp";
			snprintf(fuzz_path[slot], sizeof(fuzz_path[slot]),
			    "%s/iamgrade-fuzz-XXXXXX", tmp);
			if ((fd = mkstemp(fuzz_path[slot])) < 0)
				fuzz_die(fuzz_path[slot]);
			atexit(fuzz_unlink);
		}
		fuzz_fd[slot] = fd;
	}
	if (ftruncate(fuzz_fd[slot], 0) < 0)
		fuzz_die("ftruncate");
	for (off = 0; off < n; off += (size_t)w)
		if ((w = pwrite(fuzz_fd[slot], (const char *)p + off, n - off, (off_t)off)) <= 0)
			fuzz_die("pwrite");
	return fuzz_path[slot];
}

json_t *
fuzz_snapshot_new(const char *source, json_t *src)
{
	json_t *snap, *sources = json_object();

	if (source != NULL && src != NULL)
		json_object_set_new(sources, source, src);
	else
		json_decref(src);
	snap = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:n, s:s}, s:s,"
	    " s:{s:s, s:s, s:i, s:i, s:i, s:b, s:[]}, s:o}",
	    "schema", SNAP_SCHEMA,
	    "tool", "name", "iamgrade", "version", "0.1.0",
	    "account", "id", "123456789012", "alias", "name", "fuzz",
	    "region", "us-east-1",
	    "collection", "started", "2026-11-27T10:00:00Z", "finished", "2026-11-27T10:00:09Z",
	    "api_calls", 1, "retries", 0, "window_days", 30, "complete", 1, "problems",
	    "sources", sources);
	if (snap == NULL)
		abort();
	return snap;
}

json_t *
fuzz_check(const char *text, size_t len)
{
	struct check_config cfg;
	json_t *snap = NULL, *acct, *results = NULL;
	char sha[65], *err = NULL;

	check_config_default(&cfg);
	if (snap_load(fuzz_file(0, text, len), &snap, sha, &err)) {
		acct = check_account(snap, "fuzz.json", sha, &cfg);
		results = check_results(json_pack("[o]", acct), &cfg);
	}
	json_decref(snap);
	check_config_free(&cfg);
	free(err);
	return results;
}

void
fuzz_render(const json_t *results, enum report_fmt fmt, const struct report_opts *ro)
{
	struct buf out = { 0 };
	char *err = NULL;

	report_render(fmt, results, ro, &out, &err);
	buf_free(&out);
	free(err);
}

void
fuzz_grade_text(const char *text, size_t len)
{
	struct report_opts ro = { 0 };
	json_t *results;

	if ((results = fuzz_check(text, len)) == NULL)
		return;
	/* The cheap formats; HTML and the layout take 0.1-0.3 s (fuzz_report). */
	fuzz_render(results, REPORT_TEXT, &ro);
	fuzz_render(results, REPORT_CSV, &ro);
	json_decref(results);
}

void
fuzz_grade(json_t *snap)
{
	char *text = jdump(snap, 0);

	fuzz_grade_text(text, strlen(text));
	free(text);
	json_decref(snap);
}
