/*
 * The checks module: every catalogue row complete, the config file, snapshot
 * loading errors, grading the base snapshot, and grading time that grows
 * linearly with the number of users.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "checks/catalogue.h"
#include "checks/checks.h"
#include "snapshot/snapshot.h"
#include "tests/unit/t.h"

#define BASE_SNAPSHOT	"tests/checks/base/compliant.json"

static const char *const family_prefix[CHECK_FAM__MAX] = {
	"PWD-", "ROOT-", "USER-", "POL-", "TRAIL-", "ROLE-", "PRIV-", "LP-", "CHG-"
};

static int
known_placeholder(const char *name, size_t n)
{
	size_t i;

	for (i = 0; check_placeholders[i] != NULL; i++)
		if (strlen(check_placeholders[i]) == n && strncmp(check_placeholders[i], name, n) == 0)
			return 1;
	return 0;
}

/* Every {name} in t is a known placeholder; returns the first unknown one's offset, or -1. */
static long
unknown_placeholder(const char *t)
{
	const char *p, *close;
	size_t n;

	for (p = t; p && (p = strchr(p, '{')) != NULL; p++) {
		close = strchr(p, '}');
		if (close == NULL)
			break;
		n = (size_t)(close - p - 1);
		if (n == 0 || strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") != n)
			continue;	/* JSON braces, not a placeholder */
		if (!known_placeholder(p + 1, n))
			return p - t;
	}
	return -1;
}

static void
t_catalogue_rows(void)
{
	size_t i, j;

	/* 36 until CHG-01..03 (issue 11) */
	T(check_ncontrols == 39, "%zu controls", check_ncontrols);
	for (i = 0; i < check_ncontrols; i++) {
		const struct check_control *r = &check_controls[i];
		const char *tmpl[] = { r->console, r->cli, r->python, r->python_each };
		size_t k;

		T(r->family < CHECK_FAM__MAX && strncmp(r->id, family_prefix[r->family],
		    strlen(family_prefix[r->family])) == 0, "%s: id and family disagree", r->id);
		T(strlen(r->id) == strlen(family_prefix[r->family]) + 2 &&
		    isdigit((unsigned char)r->id[strlen(r->id) - 1]), "%s: id is FAMILY-NN", r->id);
		T(r->severity >= CHECK_SEV_LOW && r->severity <= CHECK_SEV_CRITICAL, "%s: severity", r->id);
		T(r->title && *r->title && r->title[strlen(r->title) - 1] != '.', "%s: title", r->id);
		T(r->doc && strlen(r->doc) > 30, "%s: no documentation", r->id);
		T(r->console && *r->console, "%s: no console remediation", r->id);
		T(r->cli && *r->cli, "%s: no CLI remediation", r->id);
		T((r->python && *r->python) || (r->python_each && *r->python_each),
		    "%s: no Python remediation", r->id);
		T(r->python && strstr(r->python, "import boto3"), "%s: the Python sketch imports boto3", r->id);
		T(r->needs || r->needs_any, "%s: needs no source", r->id);
		T(r->grade != NULL, "%s: no grading function", r->id);
		for (k = 0; k < sizeof(tmpl) / sizeof(tmpl[0]); k++)
			T(tmpl[k] == NULL || unknown_placeholder(tmpl[k]) < 0,
			    "%s: unknown placeholder at \"%.30s\"", r->id,
			    tmpl[k] + (unknown_placeholder(tmpl[k]) < 0 ? 0 : unknown_placeholder(tmpl[k])));
		for (j = 0; j < i; j++)
			T(strcmp(r->id, check_controls[j].id) != 0, "%s twice", r->id);
		if (i > 0)
			T(r->family >= check_controls[i - 1].family, "%s: rows out of family order", r->id);
	}
	T(check_control_find("user-05") == &check_controls[16], "find is case-insensitive");
	T(check_control_find("USER-99") == NULL, "unknown id");
}

static void
t_severity(void)
{
	T(check_severity_rank("critical") == 4 && check_severity_rank("HIGH") == 3 &&
	    check_severity_rank("medium") == 2 && check_severity_rank("low") == 1, "ranks");
	T(check_severity_rank("none") == 0 && check_severity_rank("severe") == 0 &&
	    check_severity_rank(NULL) == 0, "unknown is 0");
}

static char *
temp_file(const char *text)
{
	char *path = xstrdup("/tmp/iamgrade-test-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static void
t_config(void)
{
	struct check_config c;
	char *path, *err = NULL;
	json_t *j;

	check_config_default(&c);
	T(c.password_min_length == 14 && c.password_reuse_prevention == 24 &&
	    c.password_max_age_days == 90 && c.root_unused_days == 90 &&
	    c.credential_unused_days == 45 && c.key_rotation_days == 90 &&
	    c.user_password_max_age_days == 90 && c.credential_report_max_age_hours == 24 &&
	    c.unused_days == 90 && c.lp_min_unused_services == 1 &&
	    c.trusted_accounts == NULL, "defaults");
	path = temp_file("# iamgrade\n\n  key_rotation_days = 60   # stricter\n"
	    "trusted_accounts = 111122223333, 444455556666\ntrusted_accounts=777788889999\n");
	T(check_config_load(path, &c, &err), "load: %s", err ? err : "");
	T(c.key_rotation_days == 60, "value with a comment");
	T(c.trusted_accounts && c.trusted_accounts[2] && !strcmp(c.trusted_accounts[2], "777788889999") &&
	    c.trusted_accounts[3] == NULL, "accounts accumulate");
	j = check_config_json(&c);
	T(jint(j, "key_rotation_days", 0) == 60 && json_array_size(json_object_get(j, "trusted_accounts")) == 3 &&
	    json_object_size(j) == 11, "json");
	json_decref(j);
	unlink(path);
	free(path);

	path = temp_file("root_unused_days = 30\nroot_unused_days 30\n");
	T(!check_config_load(path, &c, &err) && strstr(err, ":2: expected \"key = value\""), "%s", err);
	T(c.root_unused_days == 30, "lines before the error applied");
	unlink(path);
	free(path);
	T(!check_config_set(&c, "key_rotation_days", "90x", &err) && strstr(err, "not a whole number"), "%s", err);
	T(!check_config_set(&c, "key_rotation_days", "", &err), "empty");
	T(!check_config_set(&c, "trusted_accounts", "11112222333a", &err), "letters in an account");
	T(!check_config_set(&c, "nope", "1", &err) && strstr(err, "unknown setting"), "%s", err);
	T(!check_config_load("/nonexistent/iamgrade.conf", &c, &err) && strstr(err, "/nonexistent/iamgrade.conf"),
	    "missing file named: %s", err);
	check_config_free(&c);
	free(err);
}

static void
t_snap_load(void)
{
	char sha[65], *err = NULL, *path;
	json_t *snap = NULL;

	T(snap_load(BASE_SNAPSHOT, &snap, sha, &err), "base: %s", err ? err : "");
	T(strlen(sha) == 64, "sha256");
	json_decref(snap);

	path = temp_file("{\"schema\": \"iamgrade.snapshot/1\", \"account\": {\"id\": \"123456789012\"}, "
	    "\"collection\": {\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:05Z\", "
	    "\"complete\": true}, \"sources\": {}}");
	T(snap_load(path, &snap, sha, &err), "a minimal snapshot (every source missing): %s", err ? err : "");
	json_decref(snap);
	unlink(path);
	free(path);

	path = temp_file("{\"schema\": \"iamgrade.snapshot/1\", \"account\": {\"id\": \"123456789012\"}, "
	    "\"collection\": {\"started\": \"2026-01-01T00:00:00Z\", \"finished\": \"2026-01-01T00:00:05Z\", "
	    "\"complete\": \"yes\"}, \"sources\": {}}");
	T(!snap_load(path, &snap, sha, &err) && snap == NULL && strstr(err, path) &&
	    strstr(err, "collection: member \"complete\" is a string, not a boolean"), "%s", err);
	unlink(path);
	free(path);

	T(!snap_load("/nonexistent/snap.json", &snap, sha, &err) && strstr(err, "/nonexistent/snap.json"),
	    "missing file: %s", err);
	free(err);
}

/* The organization's list kept once in the run folder (snapshot.h): read back, checked. */
static void
t_snap_org_in_run_folder(void)
{
	char dir[] = "/tmp/iamgrade-orgref-XXXXXX", sha[65], lsha[65], *err = NULL, *p, *s;
	json_t *base = NULL, *snap = NULL, *ids = json_pack("[s,s]", "123456789012", "210987654321");
	json_t *inl, *a, *b, *org;
	struct check_config c;
	const char *orgs[] = { "{\"organization_accounts\": {\"id\": \"o-abc\", \"accounts\": "
	    "[\"123456789012\", \"210987654321\"]}}",
	    "{\"organization_accounts\": {\"id\": \"o-abc\", \"accounts\": [\"123456789012\"]}}",
	    NULL };
	int i;

	check_config_default(&c);
	T(mkdtemp(dir) != NULL, "mkdtemp");
	p = xasprintf("%s/snapshots", dir);
	T(mkdir(p, 0700) == 0, "mkdir");
	free(p);
	T(snap_load(BASE_SNAPSHOT, &base, sha, &err), "base: %s", err);
	/* The inline form, graded, is what the folder form must give. */
	json_object_set_new(base, "organization", json_pack("{s:s, s:s, s:{s:s, s:O}}", "status",
	    "ok", "api_call", "organizations:ListAccounts", "data", "id", "o-abc", "accounts", ids));
	inl = check_account(base, "x.json", sha, &c);
	snap_org_sha256(ids, lsha);
	json_object_set_new(base, "organization", json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i}}",
	    "status", "ok", "api_call", "organizations:ListAccounts", "data", "id", "o-abc",
	    "accounts_in", SNAP_ORG_FILE, "accounts_sha256", lsha, "accounts_count", 2));
	p = xasprintf("%s/snapshots/123456789012.json", dir);
	s = jdump(base, 1);
	T(file_write_atomic(p, s, strlen(s), 0600, 0, &err), "write: %s", err);
	free(s);
	for (i = 0; i < 3; i++) {
		char *o = xasprintf("%s/organization.json", dir);

		unlink(o);
		if (orgs[i] != NULL)
			T(file_write_atomic(o, orgs[i], strlen(orgs[i]), 0600, 0, &err), "org: %s", err);
		free(o);
		T(snap_load(p, &snap, sha, &err), "load %d: %s", i, err);
		org = json_object_get(snap, "organization");
		if (i == 0) {
			T(json_equal(jpath(org, "data.accounts"), ids), "the list is read back");
			a = check_account(snap, "x.json", sha, &c);
			b = json_deep_copy(inl);
			json_object_set(b, "snapshot", json_object_get(a, "snapshot"));
			T(a && json_equal(a, b), "graded as with the list inline");
			json_decref(a);
			json_decref(b);
		} else {
			T(strcmp(jstr(org, "status"), "invalid") == 0, "case %d: status %s", i,
			    jstr(org, "status"));
			T(!jbool(json_object_get(snap, "collection"), "complete", 1), "case %d complete", i);
			s = json_dumps(jpath(snap, "collection.problems"), 0);
			T(s && strstr(s, "account list") != NULL, "case %d: the problem names the list: %s",
			    i, s);
			free(s);
		}
		json_decref(snap);
	}
	s = xasprintf("rm -rf '%s'", dir);
	T(system(s) == 0, "rm");
	free(s);
	free(p);
	free(err);
	json_decref(inl);
	json_decref(base);
	json_decref(ids);
	check_config_free(&c);
}

static void
t_grade_base(void)
{
	struct check_config c;
	json_t *snap = NULL, *a, *b, *ctl, *res, *accts;
	char sha[65];
	size_t i;

	check_config_default(&c);
	if (!snap_load(BASE_SNAPSHOT, &snap, sha, NULL)) {
		T(0, "cannot load %s", BASE_SNAPSHOT);
		return;
	}
	a = check_account(snap, "dir/" BASE_SNAPSHOT, sha, &c);
	b = check_account(snap, BASE_SNAPSHOT, sha, &c);
	T(a && b && json_equal(a, b), "the same snapshot grades the same");
	T(jint(a, "score", -1) == 100 && !strcmp(jstr(a, "grade"), "A"), "score 100, A");
	T(!strcmp(jstr(jpath(a, "snapshot"), "file"), "compliant.json"), "base name of the file");
	json_array_foreach(json_object_get(a, "controls"), i, ctl)
		T(!strcmp(jstr(ctl, "status"), "PASS"), "%s is %s", jstr(ctl, "id"), jstr(ctl, "status"));
	json_object_set_new(b, "account_id", json_string("000000000001"));
	accts = json_array();
	json_array_append_new(accts, a);
	json_array_append_new(accts, b);
	res = check_results(accts, &c);
	T(!strcmp(jstr(json_array_get(json_object_get(res, "accounts"), 0), "account_id"), "000000000001"),
	    "accounts sorted by id");
	T(!strcmp(jstr(res, "generated_at"), "2026-11-27T10:00:09Z"), "generated_at");
	T(json_array_size(json_object_get(res, "families")) == CHECK_FAM__MAX, "families");
	json_decref(res);
	json_decref(snap);
	check_config_free(&c);
}

/* A snapshot of n users, each with a password, MFA and a fresh key. */
static json_t *
big_snapshot(int n)
{
	json_t *snap = NULL, *rows, *keys, *users, *row;
	char name[32], arn[96];
	int i;

	if (!snap_load(BASE_SNAPSHOT, &snap, (char[65]){ 0 }, NULL))
		return NULL;
	rows = jpath(snap, "sources.credential_report.data.rows");
	keys = jpath(snap, "sources.access_keys.data");
	users = jpath(snap, "sources.authorization_details.data.users");
	row = json_deep_copy(json_array_get(rows, 1));
	for (i = 0; i < n; i++) {
		json_t *r = json_deep_copy(row);

		snprintf(name, sizeof(name), "user%06d", i);
		snprintf(arn, sizeof(arn), "arn:aws:iam::123456789012:user/%s", name);
		json_object_set_new(r, "user", json_string(name));
		json_object_set_new(r, "arn", json_string(arn));
		json_array_append_new(rows, r);
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:s}", "UserName", name,
		    "AccessKeyId", "AKIAEXAMPLE", "Status", "Active", "CreateDate", "2026-10-15T12:00:00Z"));
		json_array_append_new(users, json_pack("{s:s, s:s, s:[], s:[]}", "UserName", name,
		    "Arn", arn, "AttachedManagedPolicies", "UserPolicyList"));
	}
	json_decref(row);
	return snap;
}

static double
grade_seconds(const json_t *snap, const struct check_config *c)
{
	struct timespec t0, t1;
	double best = 1e9, s;
	json_t *a;
	int k;

	for (k = 0; k < 2; k++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		a = check_account(snap, "big.json", "", c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		json_decref(a);
		s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (s < best)
			best = s;
	}
	return best;
}

/*
 * Grading must stay linear in the number of users (keys and users are
 * found through indexes, never by scanning): eight times the users may
 * not take anywhere near sixty-four times as long.
 */
static void
t_linear(void)
{
	struct check_config c;
	json_t *small = big_snapshot(1000), *large = big_snapshot(8000);
	double ts, tl;

	check_config_default(&c);
	if (small == NULL || large == NULL) {
		T(0, "cannot build the snapshots");
		return;
	}
	ts = grade_seconds(small, &c);
	tl = grade_seconds(large, &c);
	T(tl < ts * 24 + 0.05, "1000 users %.3f s, 8000 users %.3f s: worse than linear", ts, tl);
	printf("# grading: 1000 users %.3f s, 8000 users %.3f s\n", ts, tl);
	json_decref(small);
	json_decref(large);
}

/*
 * Joining the shards of a run, as data: each case is a set of results
 * documents written as "K/N:ids" ("-:ids" for one from an unsharded run,
 * "x:" for a malformed shard member), and either the accounts joined or
 * the words the error must hold.
 */
static json_t *
join_doc(const char *spec)
{
	json_t *doc = json_object(), *accounts = json_array();
	const char *ids = strchr(spec, ':') + 1;
	unsigned k, n;
	char id[13];

	if (sscanf(spec, "%u/%u:", &k, &n) == 2)
		json_object_set_new(doc, "shard", json_pack("{s:i, s:i}", "k", (int)k, "n", (int)n));
	else if (spec[0] == 'x')
		json_object_set_new(doc, "shard", json_pack("{s:i, s:i}", "k", 3, "n", 2));
	for (; *ids != '\0'; ids += ids[12] == ',' ? 13 : 12) {
		snprintf(id, sizeof(id), "%.12s", ids);
		json_array_append_new(accounts, json_pack("{s:s}", "account_id", id));
	}
	json_object_set_new(doc, "accounts", accounts);
	return doc;
}

static void
t_results_join(void)
{
	static const struct {
		const char	*docs[4];
		const char	*want;	/* joined ids, comma-separated, or "!" and error words */
	} cases[] = {
		{ { "1/2:111111111111", "2/2:222222222222,333333333333", NULL },
		  "111111111111,222222222222,333333333333" },
		{ { "2/2:222222222222", "1/2:111111111111", NULL }, "222222222222,111111111111" },
		{ { "1/3:111111111111", "3/3:333333333333", NULL }, "!missing shard 2/3" },
		{ { "2/3:111111111111", NULL }, "!missing shards 1/3, 3/3" },
		{ { "1/2:111111111111", "1/2:222222222222", NULL }, "!b and c are both shard 1/2" },
		{ { "1/2:111111111111", "1/3:222222222222", NULL }, "!shards of different runs" },
		{ { "1/2:111111111111", "-:222222222222", NULL }, "!c is not a shard of a run, but b is" },
		{ { "-:111111111111", "1/1:222222222222", NULL }, "!b is not a shard of a run, but c is" },
		{ { "x:111111111111", NULL }, "!\"shard\" is not" },
		{ { "1/2:111111111111", "2/2:111111111111", NULL },
		  "!account 111111111111 is in both b and c" },
		/* Unsharded results join too, and still never hold an account twice. */
		{ { "-:111111111111", "-:222222222222", NULL }, "111111111111,222222222222" },
		{ { "-:111111111111", "-:111111111111", NULL }, "!account 111111111111 is in both" },
	};
	static const char *const names[] = { "b", "c", "d", "e" };
	json_t *docs[4], *got, *a;
	struct buf ids = { 0 };
	char *err;
	size_t i, j, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; cases[i].docs[n] != NULL; n++)
			docs[n] = join_doc(cases[i].docs[n]);
		err = NULL;
		got = check_results_join(docs, names, n, &err);
		if (cases[i].want[0] == '!') {
			T(got == NULL && err != NULL && strstr(err, cases[i].want + 1) != NULL,
			    "case %zu: error \"%s\", want one with \"%s\"", i, err ? err : "(none)",
			    cases[i].want + 1);
		} else {
			buf_reset(&ids);
			json_array_foreach(got, j, a)
				buf_printf(&ids, "%s%s", j ? "," : "", jstr(a, "account_id"));
			T(got != NULL && ids.p != NULL && strcmp(ids.p, cases[i].want) == 0,
			    "case %zu: joined %s, want %s (%s)", i, ids.p ? ids.p : "nothing",
			    cases[i].want, err ? err : "");
		}
		json_decref(got);
		for (j = 0; j < n; j++)
			json_decref(docs[j]);
		free(err);
	}
	buf_free(&ids);
}

int
main(void)
{
	RUN(t_catalogue_rows);
	RUN(t_severity);
	RUN(t_config);
	RUN(t_snap_load);
	RUN(t_snap_org_in_run_folder);
	RUN(t_grade_base);
	RUN(t_linear);
	RUN(t_results_join);
	return t_done();
}
