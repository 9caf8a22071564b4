/* Look up a template compiled into the binary (tools/embed.sh). */
#include <string.h>

#include "report/templates.h"

const struct tmpl *
tmpl_find(const char *name)
{
	const struct tmpl *t;

	for (t = tmpl_files; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}
