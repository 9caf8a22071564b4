/* The PDF report's layout: measure, wrap and place once; draw with libharu or dump as text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "report/layout.h"

#ifndef LAY_FONT_DIR
#define LAY_FONT_DIR	"/usr/share/fonts/truetype/dejavu"
#endif
/* Debian's fonts-droid-fallback: a TrueType CJK face libharu can embed. */
#ifndef LAY_FALLBACK_FONT
#define LAY_FALLBACK_FONT "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
#endif

#define LAY_MARK_DEPTH	4	/* bookmark levels */

enum lay_font {
	LAY_F_SANS,
	LAY_F_BOLD,
	LAY_F_MONO,
	LAY_F_FALLBACK,
	LAY_F__MAX
};

static const char *const lay_font_files[LAY_F__MAX] = {
	"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
	LAY_FALLBACK_FONT
};

const char *const lay_style_names[LAY_STYLE__MAX] = {
	"title", "big", "h1", "h2", "h3", "body", "bold", "small", "mono",
	"cell", "cell-bold", "cell-mono", "footer"
};

static const char *const lay_kind_names[LAY_KIND__MAX] = {
	"text", "rect", "rule"
};

static const char *const lay_align_names[LAY_ALIGN__MAX] = {
	"left", "right", "center"
};

static const struct {
	enum lay_font	font;
	double		size;
	double		leading;
} lay_styles[LAY_STYLE__MAX] = {
	[LAY_TITLE] =		{ LAY_F_BOLD, 22, 28 },
	[LAY_BIG] =		{ LAY_F_BOLD, 40, 46 },
	[LAY_H1] =		{ LAY_F_BOLD, 16, 22 },
	[LAY_H2] =		{ LAY_F_BOLD, 12, 17 },
	[LAY_H3] =		{ LAY_F_BOLD, 10, 14 },
	[LAY_BODY] =		{ LAY_F_SANS, 9.5, 13 },
	[LAY_BOLD] =		{ LAY_F_BOLD, 9.5, 13 },
	[LAY_SMALL] =		{ LAY_F_SANS, 8, 10.5 },
	[LAY_MONO] =		{ LAY_F_MONO, 7.5, 9.5 },
	[LAY_CELL] =		{ LAY_F_SANS, 8, 10.5 },
	[LAY_CELL_BOLD] =	{ LAY_F_BOLD, 8, 10.5 },
	[LAY_CELL_MONO] =	{ LAY_F_MONO, 7.5, 10 },
	[LAY_FOOTER] =		{ LAY_F_SANS, 7.5, 10 },
};

#define LAY_CELL_PADX	3.0
#define LAY_CELL_PADY	2.0
#define LAY_CODE_PAD	4.0
#define LAY_HEAD_FILL	0xE4E9F0u
#define LAY_CODE_FILL	0xF2F2F2u
#define LAY_RULE_COLOR	0xC8CDD3u
#define LAY_TOC_STYLE	LAY_BODY	/* a line of the table of contents */

/* What a character is drawn with, cached per primary font. */
enum lay_pick {
	LAY_PICK_UNKNOWN,
	LAY_PICK_PRIMARY,
	LAY_PICK_SANS,
	LAY_PICK_FALLBACK,
	LAY_PICK_NONE
};

struct lay_line {
	char	*text;		/* cleaned UTF-8, logical order */
	double	 w;		/* measured width in points */
};

struct lay_item {
	enum lay_kind	 kind;
	enum lay_style	 style;
	enum lay_align	 align;
	double		 x, y, w, h;
	unsigned	 color;
	struct lay_line	*lines;
	size_t		 nlines;
};

struct lay_page {
	struct lay_item	*items;
	size_t		 nitems;
	size_t		 cap;
	int		 used;		/* flow content placed */
	char		*footer;	/* left footer; NULL: the document's */
};

struct lay_mark {
	char	*title;
	int	 level;
	size_t	 page;
	double	 y;
};

/* lay_toc: where its lines go and, once filled, which bookmark each names. */
struct lay_toc {
	size_t		 page;
	double		 y;
	size_t		 n;		/* lines reserved */
	int		 maxlevel;
	size_t		 first;		/* bookmarks from this index on */
	size_t		*marks;		/* per line, filled by lay_toc_fill */
	size_t		 nmarks;
};

struct lay_face {
	const char	*name;		/* libharu's font name; NULL: not loaded */
	HPDF_FontDef	 def;
	HPDF_Font	 font;
	int16_t		*width;		/* per BMP code point, -1 unknown */
	char		*data;		/* the font file, for its glyph table */
	size_t		 len;
};

struct lay_table {
	struct lay_col	*cols;
	size_t		 ncols;
	char		**head;		/* NULL: no header row */
	int		 open;
};

struct lay {
	HPDF_Doc	 pdf;
	HPDF_STATUS	 hpdf_err;	/* first libharu error */
	HPDF_STATUS	 hpdf_detail;
	struct lay_face	 faces[LAY_F__MAX];
	int		 fallback_tried;
	unsigned char	*pick[LAY_F__MAX];	/* per BMP code point, lay_pick */
	struct lay_page	*pages;
	size_t		 npages;
	struct lay_mark	*marks;
	size_t		 nmarks;
	double		 y;		/* cursor on the last page */
	char		*footer;	/* left footer of pages from now on */
	int		 nest;		/* added to bookmark levels */
	struct lay_table table;
	char		*info[6];	/* title author subject creator keywords created */
	int		 finished;
	struct lay_toc	*toc;		/* lay_toc's reservation, or NULL */
};

static void HPDF_STDCALL
lay_hpdf_error(HPDF_STATUS no, HPDF_STATUS detail, void *arg)
{
	struct lay *l = arg;

	if (l->hpdf_err == 0) {
		l->hpdf_err = no;
		l->hpdf_detail = detail;
	}
}

/* UTF-8 and cleaning. */

/*
 * Characters that must not reach the page as they are: C0 controls and DEL
 * are dropped (a tab becomes spaces, CR and the Unicode separators become
 * newlines); the invisible formatting characters that can reorder or hide
 * text (str_is_invisible: bidi overrides and isolates, zero-width
 * characters, BOM, C1 controls) are shown by name, "<U+202E>".
 */
char *
lay_clean(const char *s)
{
	struct buf b = { 0 };
	size_t i = 0;
	unsigned cp;

	if (s == NULL)
		s = "";
	buf_add(&b, "", 0);
	while (s[i] != '\0') {
		cp = utf8_next(s, &i);
		if (cp == '\r') {
			if (s[i] != '\n')
				buf_add(&b, "\n", 1);
			continue;
		}
		if (cp == '\t') {
			buf_add(&b, "    ", 4);
			continue;
		}
		if (cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
			buf_add(&b, "\n", 1);
			continue;
		}
		if (cp < 0x20 || cp == 0x7F)
			continue;
		if (str_is_invisible(cp)) {
			buf_printf(&b, "<U+%04X>", cp);
			continue;
		}
		/* libharu's UTF-8 CID fonts address the BMP only. */
		if (cp > 0xFFFF)
			cp = UTF8_REPLACEMENT;
		utf8_put(&b, cp);
	}
	return buf_steal(&b);
}

/* Fonts and measuring. */

/*
 * libharu 2.3.0 gives a UTF-8 font a /ToUnicode stream holding an
 * encoding CMap ("begincidrange"), which is not a ToUnicode map: poppler
 * warns about it and other readers may not map the text back.  Its codes
 * are the UTF-16 code units themselves, so the right map is the identity,
 * written as bfranges that only vary in their last byte.
 */
static void
lay_fix_tounicode(HPDF_Font font)
{
	HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
	char line[64];
	unsigned hi, n = 0;

	if (tu == NULL || tu->stream == NULL)
		return;
	HPDF_MemStream_FreeData(tu->stream);
	HPDF_Stream_WriteStr(tu->stream, "/CIDInit /ProcSet findresource begin\n"
	    "12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) "
	    "/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS "
	    "def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n"
	    "endcodespacerange\n");
	for (hi = 0; hi < 0x100; hi++) {
		if (hi >= 0xD8 && hi <= 0xDF)
			continue;	/* surrogates: no characters */
		if (n % 100 == 0) {
			snprintf(line, sizeof(line), "%s%u beginbfrange\n",
			    n ? "endbfrange\n" : "", 248 - n < 100 ? 248 - n : 100);
			HPDF_Stream_WriteStr(tu->stream, line);
		}
		snprintf(line, sizeof(line), "<%02X00> <%02XFF> <%02X00>\n", hi, hi,
		    hi);
		HPDF_Stream_WriteStr(tu->stream, line);
		n++;
	}
	HPDF_Stream_WriteStr(tu->stream, "endbfrange\nendcmap\nCMapName "
	    "currentdict /CMap defineresource pop\nend\nend\n");
}

static int
lay_face_load(struct lay *l, enum lay_font f, const char *path)
{
	const char *name;

	if (access(path, R_OK) != 0)
		return 0;
	if ((name = HPDF_LoadTTFontFromFile(l->pdf, path, HPDF_TRUE)) == NULL)
		return 0;
	l->faces[f].name = name;
	l->faces[f].def = HPDF_Doc_FindFontDef(l->pdf, name);
	l->faces[f].font = HPDF_GetFont(l->pdf, name, "UTF-8");
	if (l->faces[f].def == NULL || l->faces[f].font == NULL) {
		l->faces[f].name = NULL;
		return 0;
	}
	lay_fix_tounicode(l->faces[f].font);
	/* Read again for its glyph table (see lay_glyph_use). */
	if (!file_read(path, 64u << 20, &l->faces[f].data, &l->faces[f].len,
	    NULL))
		l->faces[f].data = NULL;
	l->faces[f].width = xmalloc(0x10000 * sizeof(int16_t));
	memset(l->faces[f].width, 0xFF, 0x10000 * sizeof(int16_t));
	return 1;
}

static int
lay_has_glyph(const struct lay *l, enum lay_font f, unsigned cp)
{
	return l->faces[f].name != NULL &&
	    HPDF_TTFontDef_GetGlyphid(l->faces[f].def, (HPDF_UINT16)cp) != 0;
}

/* The fallback face is big: load it only when a character needs it. */
static int
lay_fallback(struct lay *l)
{
	if (!l->fallback_tried) {
		l->fallback_tried = 1;
		if (!lay_face_load(l, LAY_F_FALLBACK, LAY_FALLBACK_FONT)) {
			/* A missing fallback is not fatal: U+FFFD is drawn. */
			HPDF_ResetError(l->pdf);
			l->hpdf_err = 0;
		}
	}
	return l->faces[LAY_F_FALLBACK].name != NULL;
}

static enum lay_pick
lay_pick_font(struct lay *l, enum lay_font primary, unsigned cp)
{
	unsigned char *p;

	if (l->pick[primary] == NULL)
		l->pick[primary] = xcalloc(0x10000, 1);
	p = &l->pick[primary][cp & 0xFFFF];
	if (*p != LAY_PICK_UNKNOWN)
		return *p;
	if (lay_has_glyph(l, primary, cp))
		*p = LAY_PICK_PRIMARY;
	else if (lay_has_glyph(l, LAY_F_SANS, cp))
		*p = LAY_PICK_SANS;
	else if (lay_fallback(l) && lay_has_glyph(l, LAY_F_FALLBACK, cp))
		*p = LAY_PICK_FALLBACK;
	else
		*p = LAY_PICK_NONE;
	return *p;
}

static enum lay_font
lay_pick_face(enum lay_font primary, enum lay_pick pk)
{
	switch (pk) {
	case LAY_PICK_SANS:
		return LAY_F_SANS;
	case LAY_PICK_FALLBACK:
		return LAY_F_FALLBACK;
	default:
		return primary;
	}
}

static unsigned
lay_u16(const char *p)
{
	return ((unsigned)(unsigned char)p[0] << 8) | (unsigned char)p[1];
}

/*
 * Mark glyph gid, and the glyphs it is built from, as used, so the subset
 * libharu embeds holds them.  libharu 2.3.0 walks composite glyphs itself,
 * but reads component ids as signed 16-bit numbers and does not recurse: in
 * a big font (most CJK components of DroidSansFallbackFull are above 32767)
 * it drops components, and characters come out half drawn.  It walks only
 * glyphs not yet marked, so marking them here first replaces its walk.
 */
static void
lay_glyph_use(struct lay_face *fc, unsigned gid, int depth)
{
	HPDF_TTFontDefAttr a = fc->def->attr;
	size_t off, end, p;
	unsigned flags;

	if (gid >= a->num_glyphs || a->glyph_tbl.flgs[gid])
		return;
	a->glyph_tbl.flgs[gid] = 1;
	if (fc->data == NULL || depth > 8)
		return;
	off = a->glyph_tbl.offsets[gid];
	end = a->glyph_tbl.offsets[gid + 1];
	if (a->header.index_to_loc_format == 0)
		off *= 2, end *= 2;
	off += a->glyph_tbl.base_offset;
	end += a->glyph_tbl.base_offset;
	if (end > fc->len || off + 10 > end ||
	    (int16_t)lay_u16(fc->data + off) >= 0)
		return;		/* empty, simple or broken: no components */
	for (p = off + 10; p + 4 <= end; ) {
		flags = lay_u16(fc->data + p);
		lay_glyph_use(fc, lay_u16(fc->data + p + 2), depth + 1);
		p += 4 + (flags & 0x01 ? 4 : 2);
		if (flags & 0x08)
			p += 2;
		else if (flags & 0x40)
			p += 4;
		else if (flags & 0x80)
			p += 8;
		if (!(flags & 0x20))
			break;
	}
}

/* Width in 1/1000 em of cp in face f (which then embeds its glyph). */
static int
lay_glyph_width(struct lay *l, enum lay_font f, unsigned cp)
{
	struct lay_face *fc = &l->faces[f];
	int16_t *w = &fc->width[cp & 0xFFFF];

	if (*w < 0) {
		lay_glyph_use(fc, HPDF_TTFontDef_GetGlyphid(fc->def,
		    (HPDF_UINT16)cp), 0);
		*w = (int16_t)HPDF_Font_GetUnicodeWidth(fc->font,
		    (HPDF_UNICODE)cp);
	}
	return *w;
}

/*
 * Map every character of cleaned text to one a font can draw (U+FFFD, or
 * '?' if even that is missing), so that measuring, wrapping, emitting and
 * the dump all see the same string.
 */
static char *
lay_prepare(struct lay *l, enum lay_style st, const char *s)
{
	enum lay_font primary = lay_styles[st].font;
	char *clean = lay_clean(s);
	struct buf b = { 0 };
	size_t i = 0;
	unsigned cp;

	buf_add(&b, "", 0);
	while (clean[i] != '\0') {
		cp = utf8_next(clean, &i);
		if (cp != '\n' && lay_pick_font(l, primary, cp) == LAY_PICK_NONE)
			cp = lay_pick_font(l, primary, UTF8_REPLACEMENT) ==
			    LAY_PICK_NONE ? '?' : UTF8_REPLACEMENT;
		utf8_put(&b, cp);
	}
	free(clean);
	return buf_steal(&b);
}

/* Width in points of cp in style st (prepared text only). */
static double
lay_cp_width(struct lay *l, enum lay_style st, unsigned cp)
{
	enum lay_font primary = lay_styles[st].font;
	enum lay_font f = lay_pick_face(primary, lay_pick_font(l, primary, cp));

	return lay_glyph_width(l, f, cp) * lay_styles[st].size / 1000.0;
}

/*
 * Width of s[0..n).  Measured one code point at a time from the font's
 * widths: libharu's HPDF_Font_MeasureText can stop inside a UTF-8 sequence,
 * and a run may need two fonts anyway.
 */
static double
lay_measure(struct lay *l, enum lay_style st, const char *s, size_t n)
{
	double w = 0;
	size_t i = 0;

	while (i < n && s[i] != '\0')
		w += lay_cp_width(l, st, utf8_next(s, &i));
	return w;
}

double
lay_width(struct lay *l, enum lay_style st, const char *text)
{
	char *p = lay_prepare(l, st, text);
	double w = lay_measure(l, st, p, strlen(p));

	free(p);
	return w;
}

double
lay_leading(enum lay_style st)
{
	return lay_styles[st].leading;
}

/* Wrapping. */

struct lay_lines {
	struct lay_line	*v;
	size_t		 n;
	size_t		 cap;
};

static void
lay_lines_add(struct lay *l, struct lay_lines *ls, enum lay_style st,
    const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 8;
		ls->v = xrealloc(ls->v, ls->cap * sizeof(*ls->v));
	}
	ls->v[ls->n].text = xstrndup(s, n);
	ls->v[ls->n].w = lay_measure(l, st, s, n);
	ls->n++;
}

static void
lay_lines_free(struct lay_lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->v[i].text);
	free(ls->v);
	ls->v = NULL;
	ls->n = ls->cap = 0;
}

/*
 * Break prepared text into lines no wider than width: at spaces when it
 * can, anywhere inside a word longer than the line (ARNs, policy
 * documents), always at '\n'.  The spaces a line breaks at are dropped;
 * leading spaces of a paragraph are kept (code indentation).
 */
static void
lay_wrap(struct lay *l, enum lay_style st, const char *s, double width,
    struct lay_lines *ls)
{
	size_t start = 0, i = 0, brk = 0, at;
	double w = 0, wbrk = 0, cw;
	int cont = 0;		/* this line continues a wrapped one */
	int word = 0;		/* a non-space seen on this line */
	unsigned cp;

	for (;;) {
		if (s[i] == '\0' || s[i] == '\n') {
			lay_lines_add(l, ls, st, s + start, i - start);
			if (s[i] == '\0')
				break;
			start = ++i;
			w = 0, brk = 0, cont = 0, word = 0;
			continue;
		}
		at = i;
		cp = utf8_next(s, &i);
		cw = lay_cp_width(l, st, cp);
		if (cp == ' ') {
			if (cont && at == start) {
				/* The space a line broke at is not carried over. */
				start = i;
			} else if (w + cw > width && at > start) {
				lay_lines_add(l, ls, st, s + start, at - start);
				start = i;
				w = 0, brk = 0, cont = 1, word = 0;
			} else {
				w += cw;
				/* Indentation is no place to break a line. */
				if (word)
					brk = i, wbrk = w;
			}
			continue;
		}
		word = 1;
		while (w + cw > width && at > start) {
			if (brk > start) {
				/* Back to the last space; the rest moves down. */
				lay_lines_add(l, ls, st, s + start, brk - start);
				w -= wbrk;
				start = brk;
			} else {
				/* A word longer than the line breaks anywhere. */
				lay_lines_add(l, ls, st, s + start, at - start);
				w = 0;
				start = at;
			}
			brk = 0, cont = 1;
			word = 1;
		}
		w += cw;
	}
}

/* Pages and items. */

static struct lay_page *
lay_page(struct lay *l)
{
	if (l->npages == 0) {
		l->pages = xcalloc(1, sizeof(*l->pages));
		l->pages[0].footer = xstrdup(l->footer);
		l->npages = 1;
		l->y = LAY_MARGIN_TOP;
	}
	return &l->pages[l->npages - 1];
}

static double
lay_bottom(void)
{
	return LAY_PAGE_H - LAY_MARGIN_BOT;
}

/* How many lines of height lead fit in room points (none if room < 0). */
static size_t
lay_fit(double room, double lead)
{
	return room <= 0 ? 0 : (size_t)floor(room / lead + 1e-9);
}

static struct lay_item *
lay_item_add_to(struct lay_page *pg, enum lay_kind kind, double x, double y,
    double w, double h, unsigned color)
{
	struct lay_item *it;

	if (pg->nitems == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 32;
		pg->items = xrealloc(pg->items, pg->cap * sizeof(*pg->items));
	}
	it = &pg->items[pg->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->x = x, it->y = y, it->w = w, it->h = h;
	it->color = color;
	return it;
}

/* An item on the current page. */
static struct lay_item *
lay_item_add(struct lay *l, enum lay_kind kind, double x, double y,
    double w, double h, unsigned color)
{
	return lay_item_add_to(lay_page(l), kind, x, y, w, h, color);
}

/* A text item on pg holding lines [from, from + n) of ls (copied). */
static struct lay_item *
lay_text_item_to(struct lay_page *pg, enum lay_style st, enum lay_align al,
    double x, double y, double w, unsigned color, const struct lay_lines *ls,
    size_t from, size_t n)
{
	struct lay_item *it;
	size_t i;

	it = lay_item_add_to(pg, LAY_TEXT, x, y, w, n * lay_styles[st].leading,
	    color);
	it->style = st;
	it->align = al;
	it->lines = xcalloc(n, sizeof(*it->lines));
	it->nlines = n;
	for (i = 0; i < n; i++) {
		it->lines[i].text = xstrdup(ls->v[from + i].text);
		it->lines[i].w = ls->v[from + i].w;
	}
	return it;
}

static struct lay_item *
lay_text_item(struct lay *l, enum lay_style st, enum lay_align al,
    double x, double y, double w, unsigned color, const struct lay_lines *ls,
    size_t from, size_t n)
{
	return lay_text_item_to(lay_page(l), st, al, x, y, w, color, ls, from, n);
}

void
lay_page_break(struct lay *l)
{
	struct lay_page *pg = lay_page(l);

	if (!pg->used && pg->nitems == 0)
		return;
	l->pages = xrealloc(l->pages, (l->npages + 1) * sizeof(*l->pages));
	memset(&l->pages[l->npages], 0, sizeof(*l->pages));
	l->pages[l->npages].footer = xstrdup(l->footer);
	l->npages++;
	l->y = LAY_MARGIN_TOP;
}

void
lay_set_footer(struct lay *l, const char *text)
{
	struct lay_page *pg;

	free(l->footer);
	l->footer = xstrdup(text);
	/* The current page takes it too while nothing is on it. */
	if (l->npages > 0 && !(pg = lay_page(l))->used && pg->nitems == 0) {
		free(pg->footer);
		pg->footer = xstrdup(text);
	}
}

void
lay_nest(struct lay *l, int levels)
{
	l->nest = levels;
}

static int
lay_at_top(struct lay *l)
{
	lay_page(l);
	return l->y <= LAY_MARGIN_TOP;
}

void
lay_space(struct lay *l, double pts)
{
	if (lay_at_top(l))
		return;
	l->y += pts;
	if (l->y > lay_bottom())
		lay_page_break(l);
}

void
lay_need(struct lay *l, double h)
{
	lay_page(l);
	if (l->y + h > lay_bottom() && !lay_at_top(l))
		lay_page_break(l);
}

double
lay_cursor(const struct lay *l)
{
	return l->npages ? l->y : LAY_MARGIN_TOP;
}

void
lay_advance(struct lay *l, double h)
{
	lay_page(l)->used = 1;
	l->y += h;
}

void
lay_mark(struct lay *l, int level, const char *title)
{
	struct lay_mark *m;

	lay_page(l);
	l->marks = xrealloc(l->marks, (l->nmarks + 1) * sizeof(*l->marks));
	m = &l->marks[l->nmarks++];
	m->title = lay_clean(title);
	/* A bookmark title is one line. */
	for (char *p = m->title; *p; p++)
		if (*p == '\n')
			*p = ' ';
	m->level = level + l->nest;
	m->page = l->npages - 1;
	m->y = l->y;
}

/* Place lines of st flowing down the pages at x, width w. */
static void
lay_flow_lines(struct lay *l, enum lay_style st, double x, double w,
    unsigned color, const struct lay_lines *ls)
{
	double lead = lay_styles[st].leading;
	size_t done = 0, fit;

	while (done < ls->n) {
		lay_page(l);
		fit = lay_fit(lay_bottom() - l->y, lead);
		if (fit == 0) {
			lay_page_break(l);
			continue;
		}
		if (fit > ls->n - done)
			fit = ls->n - done;
		lay_text_item(l, st, LAY_LEFT, x, l->y, w, color, ls, done, fit);
		lay_page(l)->used = 1;
		l->y += fit * lead;
		done += fit;
	}
}

void
lay_heading(struct lay *l, enum lay_style st, int level, const char *text)
{
	struct lay_lines ls = { 0 };
	char *p = lay_prepare(l, st, text);
	double before = st == LAY_H1 ? 10 : st == LAY_H2 ? 8 : 5;

	lay_space(l, before);
	lay_wrap(l, st, p, LAY_BODY_W, &ls);
	/*
	 * Keep the heading with what follows: a few lines, more under a
	 * section heading, where a table's head and first rows come next.
	 */
	lay_need(l, ls.n * lay_styles[st].leading +
	    (st == LAY_H3 ? 4 : 7) * lay_styles[LAY_BODY].leading);
	if (level >= 0)
		lay_mark(l, level, text);
	lay_flow_lines(l, st, LAY_MARGIN_X, LAY_BODY_W, 0x1F3A5F, &ls);
	l->y += 3;
	lay_lines_free(&ls);
	free(p);
}

void
lay_para(struct lay *l, enum lay_style st, double indent, unsigned color,
    const char *text)
{
	struct lay_lines ls = { 0 };
	char *p = lay_prepare(l, st, text);

	lay_wrap(l, st, p, LAY_BODY_W - indent, &ls);
	lay_flow_lines(l, st, LAY_MARGIN_X + indent, LAY_BODY_W - indent, color,
	    &ls);
	lay_lines_free(&ls);
	free(p);
}

void
lay_code(struct lay *l, const char *text)
{
	struct lay_lines ls = { 0 };
	char *p = lay_prepare(l, LAY_MONO, text);
	double lead = lay_styles[LAY_MONO].leading;
	double inner = LAY_BODY_W - 2 * LAY_CODE_PAD;
	size_t done = 0, fit;

	lay_wrap(l, LAY_MONO, p, inner, &ls);
	while (done < ls.n) {
		lay_page(l);
		fit = lay_fit(lay_bottom() - l->y - 2 * LAY_CODE_PAD, lead);
		if (fit == 0 || (fit < 2 && ls.n - done > 1 && !lay_at_top(l))) {
			lay_page_break(l);
			continue;
		}
		if (fit > ls.n - done)
			fit = ls.n - done;
		lay_item_add(l, LAY_RECT, LAY_MARGIN_X, l->y, LAY_BODY_W,
		    fit * lead + 2 * LAY_CODE_PAD, LAY_CODE_FILL);
		lay_text_item(l, LAY_MONO, LAY_LEFT, LAY_MARGIN_X + LAY_CODE_PAD,
		    l->y + LAY_CODE_PAD, inner, 0x202020, &ls, done, fit);
		lay_page(l)->used = 1;
		l->y += fit * lead + 2 * LAY_CODE_PAD;
		done += fit;
	}
	l->y += 3;
	lay_lines_free(&ls);
	free(p);
}

/* Tables. */

static double
lay_table_width(const struct lay_table *t)
{
	double w = 0;
	size_t i;

	for (i = 0; i < t->ncols; i++)
		w += t->cols[i].w;
	return w;
}

/* Wrap each cell of a row; returns the number of lines of the tallest. */
static size_t
lay_row_wrap(struct lay *l, const struct lay_table *t, const char *const *cells,
    int head, struct lay_lines *out)
{
	size_t i, n = 0;
	enum lay_style st;
	char *p;

	for (i = 0; i < t->ncols; i++) {
		st = head ? LAY_CELL_BOLD : t->cols[i].style;
		p = lay_prepare(l, st, cells[i] ? cells[i] : "");
		lay_wrap(l, st, p, t->cols[i].w - 2 * LAY_CELL_PADX, &out[i]);
		free(p);
		if (out[i].n > n)
			n = out[i].n;
	}
	return n;
}

/* Lines [from, from + k) of every cell as one band of the row at the cursor. */
static void
lay_row_band(struct lay *l, const struct lay_table *t, struct lay_lines *cells,
    size_t from, size_t k, double lead, int head, const unsigned *colors)
{
	double x = LAY_MARGIN_X, h = k * lead + 2 * LAY_CELL_PADY;
	enum lay_style st;
	size_t i, n;

	if (head)
		lay_item_add(l, LAY_RECT, x, l->y, lay_table_width(t), h,
		    LAY_HEAD_FILL);
	for (i = 0; i < t->ncols; i++) {
		st = head ? LAY_CELL_BOLD : t->cols[i].style;
		n = cells[i].n > from ? cells[i].n - from : 0;
		if (n > k)
			n = k;
		if (n > 0)
			lay_text_item(l, st, LAY_LEFT, x + LAY_CELL_PADX,
			    l->y + LAY_CELL_PADY, t->cols[i].w - 2 * LAY_CELL_PADX,
			    colors ? colors[i] : 0x000000, &cells[i], from, n);
		x += t->cols[i].w;
	}
	lay_item_add(l, LAY_RULE, LAY_MARGIN_X, l->y + h, lay_table_width(t), 0,
	    LAY_RULE_COLOR);
	lay_page(l)->used = 1;
	l->y += h;
}

static void
lay_table_head(struct lay *l)
{
	struct lay_table *t = &l->table;
	struct lay_lines *cells;
	size_t i, n;

	if (t->head == NULL)
		return;
	cells = xcalloc(t->ncols, sizeof(*cells));
	n = lay_row_wrap(l, t, (const char *const *)t->head, 1, cells);
	lay_row_band(l, t, cells, 0, n, lay_styles[LAY_CELL_BOLD].leading, 1,
	    NULL);
	for (i = 0; i < t->ncols; i++)
		lay_lines_free(&cells[i]);
	free(cells);
}

void
lay_table_begin(struct lay *l, const struct lay_col *cols, size_t ncols,
    const char *const *head)
{
	struct lay_table *t = &l->table;
	size_t i;

	lay_table_end(l);
	t->cols = xcalloc(ncols, sizeof(*t->cols));
	memcpy(t->cols, cols, ncols * sizeof(*cols));
	t->ncols = ncols;
	if (head != NULL) {
		t->head = xcalloc(ncols, sizeof(*t->head));
		for (i = 0; i < ncols; i++)
			t->head[i] = xstrdup(head[i] ? head[i] : "");
	}
	t->open = 1;
	lay_need(l, 2 * lay_styles[LAY_CELL_BOLD].leading +
	    3 * lay_styles[LAY_CELL].leading + 4 * LAY_CELL_PADY);
	lay_table_head(l);
}

void
lay_table_row(struct lay *l, const char *const *cells, const unsigned *colors)
{
	struct lay_table *t = &l->table;
	struct lay_lines *cl;
	double lead = 0, room;
	size_t i, n, done = 0, fit;
	int fresh = 0;		/* just broke the page for this row */

	if (!t->open)
		return;
	for (i = 0; i < t->ncols; i++)
		if (lay_styles[t->cols[i].style].leading > lead)
			lead = lay_styles[t->cols[i].style].leading;
	cl = xcalloc(t->ncols, sizeof(*cl));
	if ((n = lay_row_wrap(l, t, cells, 0, cl)) == 0)
		n = 1;
	while (done < n) {
		lay_page(l);
		room = lay_bottom() - l->y - 2 * LAY_CELL_PADY;
		fit = lay_fit(room, lead);
		/*
		 * A row that does not fit moves to the next page whole if it
		 * is short (under a third of a page); a tall one is split
		 * here, but never to leave a single line behind.
		 */
		if (fit < n - done && !fresh && (fit == 0 || (done == 0 &&
		    (n * lead < (lay_bottom() - LAY_MARGIN_TOP) / 3 || fit < 2)))) {
			lay_page_break(l);
			lay_table_head(l);
			fresh = 1;
			continue;
		}
		if (fit == 0)
			fit = 1;	/* a page cannot hold one line: never loop */
		if (fit > n - done)
			fit = n - done;
		lay_row_band(l, t, cl, done, fit, lead, 0, colors);
		done += fit;
		fresh = 0;
	}
	for (i = 0; i < t->ncols; i++)
		lay_lines_free(&cl[i]);
	free(cl);
}

void
lay_table_end(struct lay *l)
{
	struct lay_table *t = &l->table;
	size_t i;

	if (!t->open)
		return;
	if (t->head != NULL)
		for (i = 0; i < t->ncols; i++)
			free(t->head[i]);
	free(t->head);
	free(t->cols);
	memset(t, 0, sizeof(*t));
	l->y += 6;
}

/* Free placement. */

void
lay_rect(struct lay *l, double x, double y, double w, double h, unsigned fill)
{
	lay_item_add(l, LAY_RECT, x, y, w, h, fill);
}

void
lay_rule(struct lay *l, double x, double y, double w, double h, unsigned color)
{
	lay_item_add(l, LAY_RULE, x, y, w, h, color);
}

double
lay_text(struct lay *l, enum lay_style st, double x, double y, double w,
    enum lay_align al, unsigned color, const char *text)
{
	struct lay_lines ls = { 0 };
	char *p = lay_prepare(l, st, text);
	double h;

	lay_wrap(l, st, p, w, &ls);
	lay_text_item(l, st, al, x, y, w, color, &ls, 0, ls.n);
	h = ls.n * lay_styles[st].leading;
	lay_lines_free(&ls);
	free(p);
	return h;
}

/* Set up, finish, free. */

struct lay *
lay_new(const char *fontdir, char **err)
{
	struct lay *l = xcalloc(1, sizeof(*l)), *rc = NULL;
	char *path;
	int f, ok;

	if (fontdir == NULL)
		fontdir = LAY_FONT_DIR;
	if ((l->pdf = HPDF_New(lay_hpdf_error, l)) == NULL) {
		err_set(err, "libharu: cannot create a document");
		goto out;
	}
	/*
	 * Compression applies to streams created afterwards (the fonts'
	 * included), so it is switched on first.
	 */
	HPDF_SetCompressionMode(l->pdf, HPDF_COMP_ALL);
	if (HPDF_UseUTFEncodings(l->pdf) != HPDF_OK) {
		err_set(err, "libharu: no UTF-8 encoder");
		goto out;
	}
	for (f = LAY_F_SANS; f <= LAY_F_MONO; f++) {
		path = xasprintf("%s/%s", fontdir, lay_font_files[f]);
		ok = lay_face_load(l, f, path);
		if (!ok)
			err_set(err, "cannot load the font %s (Debian: "
			    "fonts-dejavu-core)", path);
		free(path);
		if (!ok)
			goto out;
	}
	rc = l;
	l = NULL;
out:
	lay_free(l);
	return rc;
}

void
lay_free(struct lay *l)
{
	size_t i, j, k;

	if (l == NULL)
		return;
	lay_table_end(l);
	for (i = 0; i < l->npages; i++) {
		for (j = 0; j < l->pages[i].nitems; j++) {
			for (k = 0; k < l->pages[i].items[j].nlines; k++)
				free(l->pages[i].items[j].lines[k].text);
			free(l->pages[i].items[j].lines);
		}
		free(l->pages[i].items);
		free(l->pages[i].footer);
	}
	free(l->pages);
	free(l->footer);
	for (i = 0; i < l->nmarks; i++)
		free(l->marks[i].title);
	free(l->marks);
	if (l->toc != NULL)
		free(l->toc->marks);
	free(l->toc);
	for (i = 0; i < LAY_F__MAX; i++) {
		free(l->faces[i].width);
		free(l->faces[i].data);
		free(l->pick[i]);
	}
	for (i = 0; i < sizeof(l->info) / sizeof(l->info[0]); i++)
		free(l->info[i]);
	if (l->pdf != NULL)
		HPDF_Free(l->pdf);
	free(l);
}

void
lay_set_info(struct lay *l, const struct lay_info *in)
{
	const char *v[6] = { in->title, in->author, in->subject, in->creator,
	    in->keywords, in->created };
	size_t i;

	for (i = 0; i < 6; i++) {
		free(l->info[i]);
		l->info[i] = v[i] ? lay_clean(v[i]) : NULL;
	}
}

size_t
lay_npages(const struct lay *l)
{
	return l->npages;
}

void
lay_toc(struct lay *l, int maxlevel, size_t n)
{
	double lead = lay_styles[LAY_TOC_STYLE].leading;

	if (l->toc != NULL || n == 0)
		return;
	lay_need(l, n * lead);
	l->toc = xcalloc(1, sizeof(*l->toc));
	l->toc->page = l->npages - 1;
	l->toc->y = l->y;
	l->toc->n = n;
	l->toc->maxlevel = maxlevel;
	l->toc->first = l->nmarks;
	l->toc->marks = xcalloc(n, sizeof(*l->toc->marks));
	lay_advance(l, n * lead);
}

/*
 * Once every page is placed: one line per bookmark, indented by its level,
 * its page number flush right, and a dotted leader between them so that the
 * eye finds the number that goes with a title.
 */
static void
lay_toc_fill(struct lay *l)
{
	struct lay_toc *t = l->toc;
	struct lay_lines ls = { 0 };
	struct lay_page *pg;
	const struct lay_mark *m;
	double lead = lay_styles[LAY_TOC_STYLE].leading, x, wn, y;
	char *title, *num;
	size_t i;

	if (t == NULL)
		return;
	pg = &l->pages[t->page];
	for (i = t->first; i < l->nmarks && t->nmarks < t->n; i++) {
		m = &l->marks[i];
		if (m->level > t->maxlevel)
			continue;
		y = t->y + (double)t->nmarks * lead;
		x = LAY_MARGIN_X + 14 * (double)(m->level < 0 ? 0 : m->level);
		num = xasprintf("%zu", m->page + 1);
		lay_lines_add(l, &ls, LAY_TOC_STYLE, num, strlen(num));
		wn = ls.v[0].w;
		lay_text_item_to(pg, LAY_TOC_STYLE, LAY_RIGHT, LAY_PAGE_W - LAY_MARGIN_X - wn,
		    y, wn, 0x1F3A5F, &ls, 0, 1);
		lay_lines_free(&ls);
		/* One line: a title too long for it is cut at the line's end. */
		title = lay_prepare(l, LAY_TOC_STYLE, m->title);
		lay_wrap(l, LAY_TOC_STYLE, title, LAY_PAGE_W - LAY_MARGIN_X - wn - 30 - x, &ls);
		lay_text_item_to(pg, LAY_TOC_STYLE, LAY_LEFT, x, y, ls.v[0].w, 0x1F3A5F, &ls, 0, 1);
		lay_item_add_to(pg, LAY_RULE, x + ls.v[0].w + 4, y + lead - 4,
		    LAY_PAGE_W - LAY_MARGIN_X - wn - 8 - (x + ls.v[0].w + 4), 0, LAY_RULE_COLOR);
		lay_lines_free(&ls);
		free(title);
		free(num);
		t->marks[t->nmarks++] = i;
	}
}

/* Each line of the table of contents is also a link to its page. */
static void
lay_toc_links(struct lay *l, HPDF_Page *pages)
{
	const struct lay_toc *t = l->toc;
	double lead = lay_styles[LAY_TOC_STYLE].leading, top;
	HPDF_Destination dst;
	HPDF_Annotation an;
	HPDF_Rect r;
	size_t i;

	if (t == NULL || l->hpdf_err != 0)
		return;
	for (i = 0; i < t->nmarks && l->hpdf_err == 0; i++) {
		const struct lay_mark *m = &l->marks[t->marks[i]];

		top = LAY_PAGE_H - (t->y + (double)i * lead);
		r.left = LAY_MARGIN_X;
		r.right = LAY_PAGE_W - LAY_MARGIN_X;
		r.top = top;
		r.bottom = top - lead;
		dst = HPDF_Page_CreateDestination(pages[m->page]);
		HPDF_Destination_SetFitH(dst, LAY_PAGE_H - m->y + 6);
		an = HPDF_Page_CreateLinkAnnot(pages[t->page], r, dst);
		HPDF_LinkAnnot_SetBorderStyle(an, 0, 0, 0);
	}
}

void
lay_finish(struct lay *l, const char *footer_left)
{
	struct lay_lines ls = { 0 };
	struct lay_page *pg;
	double y = LAY_PAGE_H - LAY_MARGIN_BOT + 22, wn;
	char *num, *left;
	size_t i;

	if (l->finished)
		return;
	l->finished = 1;
	lay_table_end(l);
	lay_page(l);
	/* A trailing empty page (a break with nothing after it) is dropped. */
	if (l->npages > 1 && l->pages[l->npages - 1].nitems == 0) {
		free(l->pages[l->npages - 1].items);
		l->npages--;
	}
	lay_toc_fill(l);
	/* The second pass: now that M is known, "Page N of M" on every page. */
	for (i = 0; i < l->npages; i++) {
		pg = &l->pages[i];
		left = lay_prepare(l, LAY_FOOTER, pg->footer ? pg->footer :
		    footer_left ? footer_left : "");
		num = xasprintf("Page %zu of %zu", i + 1, l->npages);
		lay_item_add_to(pg, LAY_RULE, LAY_MARGIN_X, y - 4, LAY_BODY_W, 0,
		    LAY_RULE_COLOR);
		lay_lines_add(l, &ls, LAY_FOOTER, num, strlen(num));
		wn = ls.v[0].w;
		lay_text_item_to(pg, LAY_FOOTER, LAY_RIGHT,
		    LAY_PAGE_W - LAY_MARGIN_X - wn, y, wn, 0x555555, &ls, 0, 1);
		lay_lines_free(&ls);
		if (*left != '\0') {
			/* One line: a footer that does not fit is cut at a line. */
			lay_wrap(l, LAY_FOOTER, left, LAY_BODY_W - wn - 20, &ls);
			lay_text_item_to(pg, LAY_FOOTER, LAY_LEFT, LAY_MARGIN_X, y,
			    LAY_BODY_W - wn - 20, 0x555555, &ls, 0, 1);
			lay_lines_free(&ls);
		}
		free(num);
		free(left);
	}
}

/* Emitting with libharu. */

static int
lay_is_rtl(unsigned cp)
{
	return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
	    (cp >= 0xFE70 && cp <= 0xFEFF);
}

static int
lay_is_neutral(unsigned cp)
{
	return cp == ' ' || cp == '.' || cp == ',' || cp == '-' || cp == ':' ||
	    cp == ';' || cp == '!' || cp == '?' || cp == '"' || cp == '\'';
}

/*
 * Right-to-left runs (Arabic, Hebrew) are drawn in visual order: each run
 * of RTL letters, with the neutral characters between them, is reversed.
 * This is a small part of the Unicode bidi algorithm (no shaping, no
 * nesting), enough for names and descriptions to read in the right order
 * and to come back out of text extraction in logical order.
 */
static size_t
lay_visual(const char *s, unsigned **out)
{
	size_t i = 0, n = 0, a, b, j, k, end;
	unsigned *cp, t;

	cp = xmalloc((strlen(s) + 1) * sizeof(*cp));
	while (s[i] != '\0')
		cp[n++] = utf8_next(s, &i);
	for (a = 0; a < n; a = b) {
		if (!lay_is_rtl(cp[a])) {
			b = a + 1;
			continue;
		}
		end = a + 1;
		for (b = a + 1; b < n && (lay_is_rtl(cp[b]) ||
		    lay_is_neutral(cp[b])); b++)
			if (lay_is_rtl(cp[b]))
				end = b + 1;
		b = end;
		for (j = a, k = b - 1; j < k; j++, k--) {
			t = cp[j];
			cp[j] = cp[k];
			cp[k] = t;
		}
	}
	*out = cp;
	return n;
}

static void
lay_rgb(unsigned c, HPDF_REAL *r, HPDF_REAL *g, HPDF_REAL *b)
{
	*r = ((c >> 16) & 0xFF) / 255.0f;
	*g = ((c >> 8) & 0xFF) / 255.0f;
	*b = (c & 0xFF) / 255.0f;
}

/* Draw one line in runs of one font each. */
static void
lay_emit_line(struct lay *l, HPDF_Page page, enum lay_style st, double x,
    double base, const char *text)
{
	enum lay_font primary = lay_styles[st].font, f, rf = LAY_F__MAX;
	double size = lay_styles[st].size, rx = x;
	struct buf run = { 0 };
	unsigned *cp;
	size_t n, i;

	n = lay_visual(text, &cp);
	for (i = 0; i <= n; i++) {
		f = i < n ? lay_pick_face(primary, lay_pick_font(l, primary,
		    cp[i])) : LAY_F__MAX;
		if (f != rf && run.len > 0) {
			HPDF_Page_SetFontAndSize(page, l->faces[rf].font, size);
			HPDF_Page_TextOut(page, rx, LAY_PAGE_H - base, run.p);
			rx = x;
			buf_reset(&run);
		}
		if (i == n)
			break;
		rf = f;
		utf8_put(&run, cp[i]);
		x += lay_glyph_width(l, f, cp[i]) * size / 1000.0;
	}
	buf_free(&run);
	free(cp);
}

static void
lay_emit_item(struct lay *l, HPDF_Page page, const struct lay_item *it)
{
	HPDF_REAL r, g, b;
	double lead, size, base, x;
	size_t i;

	lay_rgb(it->color, &r, &g, &b);
	switch (it->kind) {
	case LAY_RECT:
		HPDF_Page_SetRGBFill(page, r, g, b);
		HPDF_Page_Rectangle(page, it->x, LAY_PAGE_H - it->y - it->h,
		    it->w, it->h);
		HPDF_Page_Fill(page);
		break;
	case LAY_RULE:
		HPDF_Page_SetRGBStroke(page, r, g, b);
		HPDF_Page_SetLineWidth(page, 0.5);
		HPDF_Page_MoveTo(page, it->x, LAY_PAGE_H - it->y);
		HPDF_Page_LineTo(page, it->x + it->w, LAY_PAGE_H - it->y - it->h);
		HPDF_Page_Stroke(page);
		break;
	case LAY_TEXT:
		lead = lay_styles[it->style].leading;
		size = lay_styles[it->style].size;
		HPDF_Page_BeginText(page);
		HPDF_Page_SetRGBFill(page, r, g, b);
		for (i = 0; i < it->nlines; i++) {
			if (it->lines[i].text[0] == '\0')
				continue;
			/* DejaVu: ascent 0.93 em, descent 0.24 em. */
			base = it->y + i * lead + (lead - 1.17 * size) / 2 +
			    0.93 * size;
			x = it->x;
			if (it->align == LAY_RIGHT)
				x += it->w - it->lines[i].w;
			else if (it->align == LAY_CENTER)
				x += (it->w - it->lines[i].w) / 2;
			lay_emit_line(l, page, it->style, x, base,
			    it->lines[i].text);
		}
		HPDF_Page_EndText(page);
		break;
	default:
		break;
	}
}

static int
lay_date(const char *iso, HPDF_Date *d)
{
	struct tm tm;
	time_t t;

	if (iso == NULL || !time_parse(iso, &t) || gmtime_r(&t, &tm) == NULL)
		return 0;
	memset(d, 0, sizeof(*d));
	d->year = tm.tm_year + 1900;
	d->month = tm.tm_mon + 1;
	d->day = tm.tm_mday;
	d->hour = tm.tm_hour;
	d->minutes = tm.tm_min;
	d->seconds = tm.tm_sec;
	d->ind = 'Z';
	return 1;
}

int
lay_emit_pdf(struct lay *l, struct buf *out, char **err)
{
	static const HPDF_InfoType types[5] = { HPDF_INFO_TITLE,
	    HPDF_INFO_AUTHOR, HPDF_INFO_SUBJECT, HPDF_INFO_CREATOR,
	    HPDF_INFO_KEYWORDS };
	HPDF_Page *pages = NULL;
	HPDF_Outline parent[LAY_MARK_DEPTH] = { NULL }, o;
	HPDF_Destination dst;
	HPDF_Encoder enc;
	HPDF_Date date;
	HPDF_BYTE chunk[65536];
	HPDF_UINT32 n, size;
	size_t i, j;
	int rc = 0, lv;

	lay_finish(l, NULL);
	HPDF_SetPageMode(l->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
	/* Info strings are UTF-8: the encoder must be set before them. */
	HPDF_SetCurrentEncoder(l->pdf, "UTF-8");
	enc = HPDF_GetEncoder(l->pdf, "UTF-8");
	for (i = 0; i < 5; i++)
		if (l->info[i] != NULL && *l->info[i] != '\0')
			HPDF_SetInfoAttr(l->pdf, types[i], l->info[i]);
	/* The results' time, never the clock: the same input, the same bytes. */
	if (lay_date(l->info[5], &date)) {
		HPDF_SetInfoDateAttr(l->pdf, HPDF_INFO_CREATION_DATE, date);
		HPDF_SetInfoDateAttr(l->pdf, HPDF_INFO_MOD_DATE, date);
	}
	pages = xcalloc(l->npages, sizeof(*pages));
	for (i = 0; i < l->npages && l->hpdf_err == 0; i++) {
		pages[i] = HPDF_AddPage(l->pdf);
		if (pages[i] == NULL)
			break;
		HPDF_Page_SetWidth(pages[i], LAY_PAGE_W);
		HPDF_Page_SetHeight(pages[i], LAY_PAGE_H);
		for (j = 0; j < l->pages[i].nitems; j++)
			lay_emit_item(l, pages[i], &l->pages[i].items[j]);
	}
	for (i = 0; i < l->nmarks && l->hpdf_err == 0; i++) {
		/* Nest under the last entry one level up, if there is one. */
		lv = l->marks[i].level;
		if (lv >= LAY_MARK_DEPTH)
			lv = LAY_MARK_DEPTH - 1;
		while (lv > 0 && parent[lv - 1] == NULL)
			lv--;
		o = HPDF_CreateOutline(l->pdf, lv ? parent[lv - 1] : NULL,
		    l->marks[i].title, enc);
		if (o == NULL)
			break;
		dst = HPDF_Page_CreateDestination(pages[l->marks[i].page]);
		HPDF_Destination_SetFitH(dst, LAY_PAGE_H - l->marks[i].y + 6);
		HPDF_Outline_SetDestination(o, dst);
		HPDF_Outline_SetOpened(o, HPDF_FALSE);
		parent[lv] = o;
		for (j = lv + 1; j < LAY_MARK_DEPTH; j++)
			parent[j] = NULL;
	}
	lay_toc_links(l, pages);
	if (l->hpdf_err == 0)
		HPDF_SaveToStream(l->pdf);
	if (l->hpdf_err != 0) {
		err_set(err, "libharu error 0x%04X (detail %u)",
		    (unsigned)l->hpdf_err, (unsigned)l->hpdf_detail);
		goto out;
	}
	HPDF_ResetStream(l->pdf);
	size = HPDF_GetStreamSize(l->pdf);
	while (size > 0) {
		n = size < sizeof(chunk) ? size : sizeof(chunk);
		if (HPDF_ReadFromStream(l->pdf, chunk, &n) != HPDF_OK &&
		    n == 0) {
			err_set(err, "libharu: cannot read the document back");
			goto out;
		}
		if (!buf_add(out, chunk, n)) {
			err_set(err, "the PDF is larger than the output limit");
			goto out;
		}
		size -= n;
	}
	rc = 1;
out:
	free(pages);
	return rc;
}

/* The plain-text dump. */

static void
lay_dump_hex(struct buf *b, unsigned c)
{
	buf_printf(b, " #%06x", c & 0xFFFFFF);
}

int
lay_dump(const struct lay *l, struct buf *out, char **err)
{
	static const char *const keys[6] = { "title", "author", "subject",
	    "creator", "keywords", "created" };
	const struct lay_item *it;
	size_t i, j, k, bad = 0;
	struct buf b = { 0 };
	int rc = 0;

	buf_adds(&b, "--- info ---\n");
	for (i = 0; i < 6; i++)
		if (l->info[i] != NULL)
			buf_printf(&b, "%s: %s\n", keys[i], l->info[i]);
	for (i = 0; i < l->npages; i++) {
		buf_printf(&b, "--- page %zu of %zu ---\n", i + 1, l->npages);
		for (j = 0; j < l->pages[i].nitems; j++) {
			it = &l->pages[i].items[j];
			buf_printf(&b, "%s", lay_kind_names[it->kind]);
			if (it->kind == LAY_TEXT)
				buf_printf(&b, " %s %s", lay_style_names[it->style],
				    lay_align_names[it->align]);
			buf_printf(&b, " %.1f,%.1f %.1fx%.1f", it->x, it->y,
			    it->w, it->h);
			lay_dump_hex(&b, it->color);
			buf_adds(&b, "\n");
			for (k = 0; k < it->nlines; k++)
				buf_printf(&b, "  | %s\n", it->lines[k].text);
		}
	}
	buf_adds(&b, "--- outline ---\n");
	for (i = 0; i < l->nmarks; i++)
		buf_printf(&b, "%*s%s -> page %zu\n", 2 * l->marks[i].level, "",
		    l->marks[i].title, l->marks[i].page + 1);
	/* The layout's own invariant: nothing leaves the page or its box. */
	buf_adds(&b, "--- overflow ---\n");
	for (i = 0; i < l->npages; i++) {
		for (j = 0; j < l->pages[i].nitems; j++) {
			it = &l->pages[i].items[j];
			if (it->x < -0.01 || it->y < -0.01 ||
			    it->x + it->w > LAY_PAGE_W + 0.01 ||
			    it->y + it->h > LAY_PAGE_H + 0.01) {
				buf_printf(&b, "page %zu item %zu leaves the page\n",
				    i + 1, j + 1);
				bad++;
			}
			for (k = 0; k < it->nlines; k++)
				if (it->lines[k].w > it->w + 0.01) {
					buf_printf(&b, "page %zu item %zu line %zu "
					    "is %.1f wide in %.1f\n", i + 1, j + 1,
					    k + 1, it->lines[k].w, it->w);
					bad++;
				}
		}
	}
	if (bad == 0)
		buf_adds(&b, "none\n");
	if (b.p == NULL || !buf_add(out, b.p, b.len)) {
		err_set(err, "the dump is larger than the output limit");
		goto out;
	}
	rc = 1;
out:
	buf_free(&b);
	return rc;
}
