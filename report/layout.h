/*
 * The PDF report's layout, done once (docs/style.md §2): text is cleaned,
 * measured with the real fonts and wrapped, and placed on A4 pages as
 * positioned items (text blocks of wrapped lines, filled rectangles, rules).
 * The finished layout is then either drawn by libharu (lay_emit_pdf) or
 * printed as plain text (lay_dump) so that tests diff text, not PDF bytes.
 *
 * The flow functions (lay_heading, lay_para, lay_code, lay_table_*) move a
 * cursor down the current page and start a new page when the next piece
 * does not fit; long paragraphs, code blocks and table rows continue on the
 * next page, a table's header row is repeated there.  Coordinates are in
 * points with the origin at the top-left corner of the page, y downwards.
 *
 * Every string handed to this module is untrusted: it is decoded as UTF-8
 * (bad bytes become U+FFFD), control and bidi-override characters are
 * dropped, and a character that no font has is drawn as U+FFFD.  Callers
 * keep ownership of the strings they pass; the layout copies what it keeps.
 */
#ifndef REPORT_LAYOUT_H
#define REPORT_LAYOUT_H

#include <stddef.h>

#include "common/common.h"

/* Page geometry (A4 portrait). */
#define LAY_PAGE_W	595.28
#define LAY_PAGE_H	841.89
#define LAY_MARGIN_X	50.0
#define LAY_MARGIN_TOP	50.0
#define LAY_MARGIN_BOT	60.0	/* the footer lives below the body */
#define LAY_BODY_W	(LAY_PAGE_W - 2 * LAY_MARGIN_X)

/* Text styles: a face, a size and a line height; see lay_styles in layout.c. */
enum lay_style {
	LAY_TITLE,		/* cover title */
	LAY_BIG,		/* the grade letter */
	LAY_H1,			/* section heading */
	LAY_H2,			/* sub-section (one failing control) */
	LAY_H3,			/* a heading inside a section */
	LAY_BODY,
	LAY_BOLD,
	LAY_SMALL,
	LAY_MONO,		/* code blocks, policy documents */
	LAY_CELL,		/* table cells */
	LAY_CELL_BOLD,
	LAY_CELL_MONO,
	LAY_FOOTER,
	LAY_STYLE__MAX
};
extern const char *const lay_style_names[LAY_STYLE__MAX];

enum lay_kind {
	LAY_TEXT,		/* a block of wrapped lines */
	LAY_RECT,		/* a filled rectangle */
	LAY_RULE,		/* a line from (x, y) to (x + w, y + h) */
	LAY_KIND__MAX
};

enum lay_align {
	LAY_LEFT,
	LAY_RIGHT,
	LAY_CENTER,
	LAY_ALIGN__MAX
};

/* Document information, all optional; copied by lay_set_info. */
struct lay_info {
	const char	*title;
	const char	*author;
	const char	*subject;
	const char	*creator;
	const char	*keywords;
	const char	*created;	/* ISO 8601 UTC; the results' generated_at */
};

/* One column of a table: its width in points and the style of its cells. */
struct lay_col {
	double		 w;
	enum lay_style	 style;
};

struct lay;

/*
 * A new, empty layout with the fonts loaded (DejaVu Sans, Sans Bold and
 * Sans Mono from fontdir, or LAY_FONT_DIR when NULL; the CJK fallback is
 * loaded the first time a character needs it).  NULL with *err when a font
 * cannot be loaded.  Free with lay_free.
 */
struct lay	*lay_new(const char *fontdir, char **err);
void		 lay_free(struct lay *);

void	 lay_set_info(struct lay *, const struct lay_info *);

/* The flow. */
void	 lay_page_break(struct lay *);		/* no-op on an empty page */
void	 lay_space(struct lay *, double pts);	/* vertical gap (dropped at a page top) */
/* Make sure h points fit below the cursor, breaking the page if not. */
void	 lay_need(struct lay *, double h);
double	 lay_cursor(const struct lay *);	/* y of the cursor */
void	 lay_advance(struct lay *, double h);	/* move the cursor down */
/* A heading kept with what follows; level >= 0 also makes a bookmark. */
void	 lay_heading(struct lay *, enum lay_style, int level, const char *text);
/* A bookmark at the cursor without a heading. */
void	 lay_mark(struct lay *, int level, const char *title);
/* Add levels to the level of every bookmark from now on (0 to stop). */
void	 lay_nest(struct lay *, int levels);
/*
 * A table of contents: n lines reserved at the cursor, filled when the
 * layout is finished with the bookmarks made after this call whose level is
 * at most maxlevel (the first n of them), each with its page number and, in
 * the PDF, a link to it.  Once per layout; callers count the entries they
 * will make (a reservation too small leaves the rest out, too big leaves
 * blank lines).
 */
void	 lay_toc(struct lay *, int maxlevel, size_t n);
/* The left footer of the current page, if still empty, and of later pages. */
void	 lay_set_footer(struct lay *, const char *text);
/* A wrapped paragraph, indented by indent points, in colour. */
void	 lay_para(struct lay *, enum lay_style, double indent, unsigned color,
	    const char *text);
/* Preformatted text on a shaded background: newlines kept, long lines wrap. */
void	 lay_code(struct lay *, const char *text);

/* Tables: begin (header row may be NULL), rows, end. */
void	 lay_table_begin(struct lay *, const struct lay_col *, size_t ncols,
	    const char *const *head);
/* cells[ncols] (NULL is empty); colors[ncols] or NULL for black. */
void	 lay_table_row(struct lay *, const char *const *cells,
	    const unsigned *colors);
void	 lay_table_end(struct lay *);

/* Free placement on the current page (charts, the cover). */
void	 lay_rect(struct lay *, double x, double y, double w, double h,
	    unsigned fill);
void	 lay_rule(struct lay *, double x, double y, double w, double h,
	    unsigned color);
/* Text wrapped to width w at (x, y); returns the height it took. */
double	 lay_text(struct lay *, enum lay_style, double x, double y, double w,
	    enum lay_align, unsigned color, const char *text);
/* Width of text in one line of style (after cleaning). */
double	 lay_width(struct lay *, enum lay_style, const char *text);
double	 lay_leading(enum lay_style);

/*
 * Second pass, once everything is placed: "Page N of M" footers, with the
 * page's lay_set_footer text, else footer_left (may be NULL), on the left.
 * Call once, before emitting.
 */
void	 lay_finish(struct lay *, const char *footer_left);

size_t	 lay_npages(const struct lay *);

/* Draw the layout with libharu and append the PDF to out.  1 ok, 0 *err. */
int	 lay_emit_pdf(struct lay *, struct buf *out, char **err);
/* Append the plain-text dump of the layout to out.  1 ok, 0 *err. */
int	 lay_dump(const struct lay *, struct buf *out, char **err);

/* Clean untrusted text for the layout (see above); caller frees. */
char	*lay_clean(const char *);

#endif
