/*
 * Every fuzz corpus and crash-regression file through its target
 * (tests/fuzz/fuzz.h), in the sanitizer test build: what the fuzzer once
 * found stays fixed, and the seeds keep parsing without a sanitizer report.
 * Each directory runs in a child process; when it fails, its files run
 * again one per child, so the failure names its file.  Usage: test_fuzz_replay [FUZZDIR] (default tests/fuzz).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/t.h"

/* Seconds one directory may take before it counts as a hang. */
#define REPLAY_TIMEOUT	300

static const char *fuzzdir = "tests/fuzz";

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted (caller frees each and the array); 0 if dir is missing. */
static size_t
replay_list(const char *dir, char ***out)
{
	struct dirent *d;
	struct stat st;
	char **v = NULL, *p;
	size_t n = 0;
	DIR *dp;

	*out = NULL;
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, d->d_name);
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = p;
	}
	closedir(dp);
	if (n > 0)
		qsort(v, n, sizeof(*v), replay_cmp);
	*out = v;
	return n;
}

/* How a child ended, as a message for T(); NULL when it exited cleanly. */
static const char *
replay_wait(pid_t pid, char *msg, size_t size)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, size, "waitpid: %s", strerror(errno));
			return msg;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (WIFSIGNALED(status))
		snprintf(msg, size, "killed by signal %d%s", WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (took too long)" : "");
	else
		snprintf(msg, size, "exit status %d (sanitizer report above)",
		    WEXITSTATUS(status));
	return msg;
}

/*
 * Run files[0..n) through t in one child process (a fork per file costs
 * more than the files under ASan); NULL when it came back cleanly.
 */
static const char *
replay_files(const struct fuzz_target *t, char **files, size_t n, char *msg, size_t size)
{
	char *data, *err = NULL;
	size_t len, i;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(msg, size, "fork: %s", strerror(errno));
		return msg;
	}
	if (pid == 0) {
		alarm(REPLAY_TIMEOUT);
		for (i = 0; i < n; i++) {
			if (!file_read(files[i], 0, &data, &len, &err)) {
				fprintf(stderr, "%s\n", err);
				_exit(2);
			}
			t->fn((const uint8_t *)data, len);
			free(data);
		}
		exit(0);	/* exit, not _exit: LeakSanitizer checks at exit */
	}
	return replay_wait(pid, msg, size);
}

/* Replay kind/NAME (corpus or regress); on a failure, name each failing file. */
static size_t
replay_dir(const struct fuzz_target *t, const char *kind)
{
	char *dir = xasprintf("%s/%s/%s", fuzzdir, kind, t->name), **files, msg[128];
	size_t n = replay_list(dir, &files), i;
	const char *why;

	if (n > 0 && replay_files(t, files, n, msg, sizeof(msg)) != NULL)
		for (i = 0; i < n; i++)
			if ((why = replay_files(t, &files[i], 1, msg, sizeof(msg))) != NULL)
				T(0, "%s: %s", files[i], why);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(dir);
	return n;
}

/* Every directory under corpus/ and regress/ belongs to a target. */
static void
t_dirs_known(void)
{
	static const char *const kinds[] = { "corpus", "regress" };
	const struct fuzz_target *t;
	struct dirent *d;
	char *dir;
	size_t k;
	DIR *dp;

	for (k = 0; k < 2; k++) {
		dir = xasprintf("%s/%s", fuzzdir, kinds[k]);
		if ((dp = opendir(dir)) == NULL) {
			T(k == 1, "%s: %s", dir, strerror(errno));
			free(dir);
			continue;
		}
		while ((d = readdir(dp)) != NULL) {
			if (d->d_name[0] == '.')
				continue;
			for (t = fuzz_targets; t->name != NULL; t++)
				if (strcmp(t->name, d->d_name) == 0)
					break;
			T(t->name != NULL, "%s/%s: no fuzz target of that name", dir, d->d_name);
		}
		closedir(dp);
		free(dir);
	}
}

int
main(int argc, char *argv[])
{
	const struct fuzz_target *t;
	char name[64];
	size_t seeds, regress;

	if (argc > 1)
		fuzzdir = argv[1];
	fuzz_init();
	RUN(t_dirs_known);
	/* One test per target, named after it (RUN names tests by function). */
	for (t = fuzz_targets; t->name != NULL; t++) {
		snprintf(name, sizeof(name), "replay_%s", t->name);
		t_cur = name;
		t_cur_failed = 0;
		seeds = replay_dir(t, "corpus");
		regress = replay_dir(t, "regress");
		T(seeds > 0, "%s/corpus/%s: no seed corpus", fuzzdir, t->name);
		if (t_cur_failed)
			t_fail++;
		else {
			t_pass++;
			printf("ok %s (%zu corpus, %zu regression files)\n", name, seeds, regress);
		}
		fflush(stdout);
	}
	return t_done();
}
