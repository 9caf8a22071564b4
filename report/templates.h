/*
 * Templates compiled into the binary by tools/embed.sh (see templates/README).
 */
#ifndef REPORT_TEMPLATES_H
#define REPORT_TEMPLATES_H

#include <stddef.h>

struct tmpl {
	const char		*name;	/* file name, e.g. "report.html" */
	const unsigned char	*data;	/* NUL-terminated contents */
	size_t			 len;	/* without the NUL */
};

/* Terminated by a row whose name is NULL. */
extern const struct tmpl tmpl_files[];

/* The template called name, or NULL. */
const struct tmpl *tmpl_find(const char *name);

#endif
