/* Writing snapshots: atomic, mode 0600, never over an earlier one, JSON that reads back the same. */
#include <sys/stat.h>

#include <dirent.h>
#include <unistd.h>

#include "tests/unit/t.h"

#include "common/common.h"
#include "collector/collector.h"

static char dir[] = "/tmp/iamgrade-snap-XXXXXX";

static json_t *
sample(const char *id)
{
	return json_pack("{s:s, s:{s:s, s:n}, s:{s:b, s:[]},"
	    " s:{s:{s:s, s:s, s:{s:[s], s:[]}}}}",
	    "schema", "iamgrade.snapshot/1",
	    "account", "id", id, "alias",
	    "collection", "complete", 1, "problems",
	    "sources", "credential_report", "status", "ok", "api_call", "iam:GetCredentialReport",
	    "data", "columns", "us\xc3\xa9r", "rows");
}

static size_t
count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
t_write_and_read_back(void)
{
	json_t *s = sample("123456789012"), *back;
	char *path = NULL, *err = NULL, *text = NULL, *want;
	struct stat st;
	size_t len;

	T(snapshot_write(dir, s, &path, &err), "write: %s", err);
	want = xasprintf("%s/123456789012.json", dir);
	T_STREQ(path, want);
	T(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
	T(file_read(path, 0, &text, &len, &err), "read: %s", err);
	back = json_loads(text, 0, NULL);
	T(back != NULL && json_equal(back, s), "round trip");
	/* Pretty and sorted: "account" comes before "collection", one member a line. */
	T(text != NULL && strstr(text, "\n  \"account\": {") != NULL &&
	    strstr(text, "\"account\"") < strstr(text, "\"collection\""), "layout:\n%s", text);
	T(count_files() == 1, "%zu files: a temporary one left behind?", count_files());
	json_decref(back);
	json_decref(s);
	free(want);
	free(path);
	free(text);
	free(err);
}

static void
t_never_overwrite(void)
{
	json_t *s = sample("123456789012"), *back;
	char *path = NULL, *err = NULL, *text = NULL, *want, *first = NULL;
	size_t len;

	/* t_write_and_read_back left 123456789012.json behind. */
	first = xasprintf("%s/123456789012.json", dir);
	T(file_read(first, 0, &text, &len, &err), "read: %s", err);
	json_object_set_new(json_object_get(s, "account"), "alias", json_string("second"));
	T(snapshot_write(dir, s, &path, &err), "write: %s", err);
	want = xasprintf("%s/123456789012-2.json", dir);
	T_STREQ(path, want);
	free(path);
	path = NULL;
	T(snapshot_write(dir, s, &path, &err), "write: %s", err);
	free(want);
	want = xasprintf("%s/123456789012-3.json", dir);
	T_STREQ(path, want);
	/* The first file is untouched. */
	back = json_loads(text, 0, NULL);
	T(back != NULL && json_is_null(jpath(back, "account.alias")), "first file changed");
	T(count_files() == 3, "%zu files", count_files());
	json_decref(back);
	json_decref(s);
	free(first);
	free(want);
	free(path);
	free(text);
	free(err);
}

static void
t_refusals(void)
{
	json_t *s;
	char *path = NULL, *err = NULL, *missing;

	s = sample("../../etc/passwd");
	T(!snapshot_write(dir, s, &path, &err) && path == NULL, "unsafe id written");
	T(err != NULL && strstr(err, "file name") != NULL, "message: %s", err);
	json_decref(s);
	s = json_pack("{s:{}}", "account");
	T(!snapshot_write(dir, s, &path, &err) && strstr(err, "missing") != NULL, "message: %s", err);
	json_decref(s);
	s = sample("210987654321");
	missing = xasprintf("%s/no/such/dir", dir);
	T(!snapshot_write(missing, s, &path, &err) && err != NULL && path == NULL,
	    "wrote into a missing folder");
	json_decref(s);
	free(missing);
	free(err);
}

static void
cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(t_write_and_read_back);
	RUN(t_never_overwrite);
	RUN(t_refusals);
	cleanup();
	return t_done();
}
