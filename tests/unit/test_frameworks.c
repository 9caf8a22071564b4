/*
 * Unit tests: the framework mapping (checks/frameworks.c).  Every control is
 * mapped to a requirement of every framework or has a written reason why
 * not (listed here, so the log shows what is unmapped and why); mappings
 * name only controls of the catalogue; the rows' CIS and Security Hub ids
 * agree with the tables.
 */
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "checks/catalogue.h"
#include "tests/unit/t.h"

static const char *
unmapped_reason(const char *fw, const char *id)
{
	const struct check_unmapped *u;

	for (u = check_unmapped; u->framework != NULL; u++)
		if (strcmp(u->framework, fw) == 0 && check_list_has(u->controls, id))
			return u->reason;
	return NULL;
}

static int
mapped(const struct check_framework *f, const char *id)
{
	const struct check_requirement *r;

	for (r = f->reqs; r->id != NULL; r++)
		if (check_list_has(r->controls, id))
			return 1;
	return 0;
}

static void
t_every_control_mapped_or_explained(void)
{
	const struct check_framework *f;
	size_t i;

	for (f = check_frameworks; f->name != NULL; f++)
		for (i = 0; i < check_ncontrols; i++) {
			const char *id = check_controls[i].id, *why = unmapped_reason(f->name, id);

			T(mapped(f, id) || why != NULL, "%s: %s is neither mapped nor explained", f->name, id);
			T(!(mapped(f, id) && why != NULL), "%s: %s is mapped and explained as unmapped", f->name, id);
			if (why != NULL)
				printf("# unmapped %s %s: %s\n", f->name, id, why);
		}
}

/* Requirements name only controls of the catalogue, each id once per framework. */
static void
t_requirements_name_controls(void)
{
	const struct check_framework *f;
	const struct check_requirement *r, *q;
	const struct check_unmapped *u;

	for (f = check_frameworks; f->name != NULL; f++) {
		T(f->reqs[0].id != NULL, "%s has no requirement", f->name);
		for (r = f->reqs; r->id != NULL; r++) {
			char *list = xstrdup(r->controls), *tok, *save = NULL;

			T(r->title != NULL && *r->title != '\0', "%s %s: no title", f->name, r->id);
			for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				T(check_control_find(tok) != NULL && strcmp(check_control_find(tok)->id, tok) == 0,
				    "%s %s: %s is not a control", f->name, r->id, tok);
			free(list);
			for (q = f->reqs; q < r; q++)
				T(strcmp(q->id, r->id) != 0, "%s: %s twice", f->name, r->id);
		}
	}
	for (u = check_unmapped; u->framework != NULL; u++)
		T(check_framework_find(u->framework) != NULL, "unmapped: no framework %s", u->framework);
}

/* The catalogue rows' own CIS (v3.0.0) and Security Hub ids say the same as the tables. */
static void
t_rows_agree(void)
{
	const struct check_framework *cis = check_framework_find("cis-v3.0.0");
	const struct check_framework *sh = check_framework_find("securityhub");
	size_t i;

	T(cis != NULL && sh != NULL, "frameworks missing");
	for (i = 0; cis && sh && i < check_ncontrols; i++) {
		const struct check_control *c = &check_controls[i];
		json_t *fw = check_frameworks_of(c->id);
		json_t *a = json_object_get(fw, "cis-v3.0.0"), *b = json_object_get(fw, "securityhub");

		if (c->cis != NULL)
			T(json_array_size(a) == 1 && strcmp(json_string_value(json_array_get(a, 0)), c->cis) == 0,
			    "%s: row says CIS %s, table %s", c->id, c->cis, jdump(a, 0));
		else
			T(json_array_size(a) == 0, "%s: CIS only in the table", c->id);
		if (c->securityhub != NULL)
			T(json_array_size(b) == 1 &&
			    strcmp(json_string_value(json_array_get(b, 0)), c->securityhub) == 0,
			    "%s: row says %s, table %s", c->id, c->securityhub, jdump(b, 0));
		else
			T(json_array_size(b) == 0, "%s: Security Hub only in the table", c->id);
		json_decref(fw);
	}
	T(check_framework_find("SOC2") != NULL && check_framework_find("hipaa") == NULL, "find");
	T(check_list_has("USER-05 USER-04", "USER-04") && !check_list_has("USER-055", "USER-05") &&
	    !check_list_has("XUSER-05", "USER-05"), "check_list_has");
}

int
main(void)
{
	RUN(t_every_control_mapped_or_explained);
	RUN(t_requirements_name_controls);
	RUN(t_rows_agree);
	return t_done();
}
