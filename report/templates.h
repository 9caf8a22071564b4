/*
 * Templates compiled into the binary by tools/embed.sh (see templates/README).
 */
#ifndef REPORT_TEMPLATES_H
#define REPORT_TEMPLATES_H

#include <stddef.h>

#include <jansson.h>

struct tmpl {
	const char		*name;	/* file name, e.g. "report.html" */
	const unsigned char	*data;	/* NUL-terminated contents */
	size_t			 len;	/* without the NUL */
};

/* Terminated by a row whose name is NULL. */
extern const struct tmpl tmpl_files[];

/* The template called name, or NULL. */
const struct tmpl *tmpl_find(const char *name);

/*
 * Template name (an HTML file) filled from view and appended to out as a
 * document (report/tmpl.c): data-field, data-empty, data-if, data-repeat,
 * data-attr-NAME, data-inline and data-sample, as templates/README
 * describes.  1 ok; 0 with *err set (the caller frees it).  Steals view
 * (a reference: it is released as soon as the page is filled).
 */
struct buf;
int	tmpl_render(const char *name, json_t *view, struct buf *out, char **err);

#endif
