/* Thresholds and trusted accounts: defaults, a `key = value` file, single settings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "checks/checks.h"

/* The numeric settings: name, where, and the range that makes sense. */
static const struct {
	const char	*key;
	size_t		 off;
	int		 min, max;
} numbers[] = {
	{ "password_min_length", offsetof(struct check_config, password_min_length), 6, 128 },
	{ "password_reuse_prevention", offsetof(struct check_config, password_reuse_prevention), 1, 24 },
	{ "password_max_age_days", offsetof(struct check_config, password_max_age_days), 1, 1095 },
	{ "root_unused_days", offsetof(struct check_config, root_unused_days), 1, 3650 },
	{ "credential_unused_days", offsetof(struct check_config, credential_unused_days), 1, 3650 },
	{ "key_rotation_days", offsetof(struct check_config, key_rotation_days), 1, 3650 },
	{ "user_password_max_age_days", offsetof(struct check_config, user_password_max_age_days), 1, 3650 },
	{ "credential_report_max_age_hours", offsetof(struct check_config, credential_report_max_age_hours), 1, 24 * 365 },
	{ "unused_days", offsetof(struct check_config, unused_days), 1, 400 },
	{ "lp_min_unused_services", offsetof(struct check_config, lp_min_unused_services), 1, 1000 },
};

void
check_config_default(struct check_config *c)
{
	memset(c, 0, sizeof(*c));
	c->password_min_length = 14;
	c->password_reuse_prevention = 24;
	c->password_max_age_days = 90;
	c->root_unused_days = 90;
	c->credential_unused_days = 45;
	c->key_rotation_days = 90;
	c->user_password_max_age_days = 90;
	c->credential_report_max_age_hours = 24;
	/* AWS tracks service last accessed for 400 days at most (aws-api.md §4.23). */
	c->unused_days = 90;
	c->lp_min_unused_services = 1;
}

void
check_config_free(struct check_config *c)
{
	size_t i;

	for (i = 0; c->trusted_accounts && c->trusted_accounts[i]; i++)
		free(c->trusted_accounts[i]);
	free(c->trusted_accounts);
	c->trusted_accounts = NULL;
	if (c->exceptions != NULL)
		check_exceptions_free(c->exceptions);
	free(c->exceptions);
	c->exceptions = NULL;
}

static int
add_accounts(struct check_config *c, const char *value, char **err)
{
	const char *p = value;
	size_t n = 0, len;

	while (c->trusted_accounts && c->trusted_accounts[n])
		n++;
	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (len != 12 || strspn(p, "0123456789") < 12)
			return err_set(err, "trusted_accounts: \"%.*s\" is not a 12-digit account id",
			    (int)(len > 40 ? 40 : len), p);
		c->trusted_accounts = xrealloc(c->trusted_accounts,
		    (n + 2) * sizeof(*c->trusted_accounts));
		c->trusted_accounts[n++] = xstrndup(p, len);
		c->trusted_accounts[n] = NULL;
		p += len;
	}
	return 1;
}

int
check_config_set(struct check_config *c, const char *key, const char *value, char **err)
{
	char *end;
	long v;
	size_t i;

	if (strcmp(key, "trusted_accounts") == 0)
		return add_accounts(c, value, err);
	if (strcmp(key, "exceptions") == 0) {
		struct check_exceptions *x = xcalloc(1, sizeof(*x));

		if (!check_exceptions_load(value, x, err)) {
			free(x);
			return 0;
		}
		/* The last one given wins (--exceptions after --config). */
		if (c->exceptions != NULL)
			check_exceptions_free(c->exceptions);
		free(c->exceptions);
		c->exceptions = x;
		return 1;
	}
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (strcmp(key, numbers[i].key) == 0)
			break;
	if (i == sizeof(numbers) / sizeof(numbers[0]))
		return err_set(err, "unknown setting \"%s\"", key);
	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0)
		return err_set(err, "%s: \"%s\" is not a whole number", key, value);
	if (v < numbers[i].min || v > numbers[i].max)
		return err_set(err, "%s: %ld is outside %d..%d", key, v,
		    numbers[i].min, numbers[i].max);
	*(int *)((char *)c + numbers[i].off) = (int)v;
	return 1;
}

int
check_config_load(const char *path, struct check_config *c, char **err)
{
	char *text = NULL, *line, *next, *eq, *msg = NULL, *rel = NULL;
	int lineno = 0, rc = 0;

	if (!file_read(path, 1 << 20, &text, NULL, err))
		return 0;
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strchr(line, '#') != NULL)
			*strchr(line, '#') = '\0';
		line = str_trim(line);
		if (*line == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			err_set(err, "%s:%d: expected \"key = value\"", path, lineno);
			goto out;
		}
		*eq = '\0';
		line = str_trim(line);
		eq = str_trim(eq + 1);
		/* A file named in the config is found beside it, wherever one runs from. */
		if (strcmp(line, "exceptions") == 0 && *eq != '/' && strchr(path, '/') != NULL) {
			free(rel);
			rel = xasprintf("%.*s/%s", (int)(strrchr(path, '/') - path), path, eq);
			eq = rel;
		}
		if (!check_config_set(c, line, eq, &msg)) {
			err_set(err, "%s:%d: %s", path, lineno, msg);
			goto out;
		}
	}
	rc = 1;
out:
	free(msg);
	free(rel);
	free(text);
	return rc;
}

json_t *
check_config_json(const struct check_config *c)
{
	json_t *o = json_object(), *ta = json_array();
	size_t i;

	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		json_object_set_new(o, numbers[i].key,
		    json_integer(*(const int *)((const char *)c + numbers[i].off)));
	for (i = 0; c->trusted_accounts && c->trusted_accounts[i]; i++)
		json_array_append_new(ta, json_string(c->trusted_accounts[i]));
	json_object_set_new(o, "trusted_accounts", ta);
	return o;
}
