/*
 * A format's backend: private to report/ (callers use report_render).  Each
 * report/NAME.c defines report_NAME for its row in report/formats.h.  A
 * backend without state leaves alloc and free NULL and gets ctx NULL.
 */
#ifndef REPORT_BACKEND_H
#define REPORT_BACKEND_H

#include "report/report.h"

struct report_backend {
	void	*(*alloc)(const struct report_opts *);	/* NULL: no state */
	int	 (*render)(void *ctx, const json_t *results, struct buf *out, char **err);
	void	 (*free)(void *);
};

#define REPORT_BACKEND_DECL(E, n, ...) extern const struct report_backend report_##n;
REPORT_FORMAT_LIST(REPORT_BACKEND_DECL)
#undef REPORT_BACKEND_DECL

#endif
