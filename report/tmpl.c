/*
 * The template engine of the HTML reports: a designer's HTML file, parsed
 * by libxml2, filled from a JSON view through data-* attributes
 * (templates/README), and serialised.  Text from the view only ever
 * becomes DOM text nodes and checked attribute values, never markup.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "report/facts.h"
#include "report/report.h"
#include "report/templates.h"

/* The data being filled in, innermost first; lookups fall back outwards. */
struct tmpl_scope {
	const json_t			*v;
	const struct tmpl_scope		*up;
};

static const json_t *
tmpl_lookup(const struct tmpl_scope *sc, const char *path)
{
	const json_t *v = NULL;
	const char *dot;
	char *seg;

	if (strcmp(path, ".") == 0)
		return sc->v;
	dot = strchr(path, '.');
	seg = dot ? xstrndup(path, (size_t)(dot - path)) : xstrdup(path);
	for (; sc != NULL; sc = sc->up)
		if ((v = json_object_get(sc->v, seg)) != NULL)
			break;
	free(seg);
	while (v != NULL && dot != NULL) {
		path = dot + 1;
		dot = strchr(path, '.');
		seg = dot ? xstrndup(path, (size_t)(dot - path)) : xstrdup(path);
		if (json_is_array(v) && seg[0] >= '0' && seg[0] <= '9')
			v = json_array_get(v, strtoul(seg, NULL, 10));
		else
			v = json_object_get(v, seg);
		free(seg);
	}
	return v;
}

static int
tmpl_truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return 1;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return 0;
	}
}

/* data-if: "path", "!path", "path=value", "path!=value". */
static int
tmpl_cond(const struct tmpl_scope *sc, const char *expr)
{
	const char *eq = strchr(expr, '=');
	char *path, *s;
	int neg = 0, r;

	if (eq == NULL) {
		if (*expr == '!')
			return !tmpl_truthy(tmpl_lookup(sc, expr + 1));
		return tmpl_truthy(tmpl_lookup(sc, expr));
	}
	if (eq > expr && eq[-1] == '!')
		neg = 1;
	path = xstrndup(expr, (size_t)(eq - expr - neg));
	s = report_value_text(tmpl_lookup(sc, path));
	r = s != NULL && strcmp(s, eq + 1) == 0;
	free(s);
	free(path);
	return neg ? !r : r;
}

/* "cell cell-{status_class}": {path} replaced by the value's text. */
static char *
tmpl_subst(const struct tmpl_scope *sc, const char *tmpl)
{
	struct buf b = { 0 };
	const char *p, *end;
	char *path, *s;

	buf_adds(&b, "");
	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			buf_add(&b, p, 1);
			continue;
		}
		path = xstrndup(p + 1, (size_t)(end - p - 1));
		if ((s = report_value_text(tmpl_lookup(sc, path))) != NULL)
			buf_adds(&b, s);
		free(s);
		free(path);
		p = end;
	}
	return buf_steal(&b);
}

static char *
tmpl_attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static void
tmpl_unset(xmlNode *n, const char *name)
{
	xmlUnsetProp(n, (const xmlChar *)name);
}

/*
 * A link to a page beside this one: a relative path of plain characters,
 * no scheme, no absolute or parent path ("accounts/123456789012.html").
 */
static int
tmpl_relative_ok(const char *v)
{
	const char *p;

	if (*v == '\0' || *v == '/' || strstr(v, "..") != NULL)
		return 0;
	for (p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '.' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/*
 * A download carried in the page (the suggested policy, issue 19): a data:
 * URL of JSON whose body is base64 alone, so that it holds no markup and
 * no script, and fetches nothing.
 */
static int
tmpl_data_json_ok(const char *v)
{
	static const char head[] = "data:application/json;base64,";

	return strncmp(v, head, sizeof(head) - 1) == 0 && v[sizeof(head) - 1] != '\0' &&
	    strspn(v + sizeof(head) - 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") == strlen(v + sizeof(head) - 1);
}

/*
 * An attribute the template may fill: never an event handler or a style,
 * and links only within the page, to a page beside it, or a JSON download
 * carried in it.  The values come from the view, which carries untrusted
 * text; xmlSetProp escapes, this keeps the meaning safe.
 */
static int
tmpl_attr_allowed(const char *name, const char *value)
{
	if (strncasecmp(name, "on", 2) == 0 || strcasecmp(name, "style") == 0 ||
	    strcasecmp(name, "srcdoc") == 0 || strcasecmp(name, "formaction") == 0)
		return 0;
	if (strcasecmp(name, "href") == 0 || strcasecmp(name, "src") == 0 ||
	    strcasecmp(name, "xlink:href") == 0 || strcasecmp(name, "action") == 0)
		return value[0] == '#' ||
		    (strcasecmp(name, "href") == 0 &&
		    (tmpl_relative_ok(value) || tmpl_data_json_ok(value)));
	return 1;
}

/*
 * Replace n's children with one text node.  Characters that would reorder
 * or hide the text around them (a U+202E in a role name) are shown by name.
 */
static void
tmpl_set_text(xmlNode *n, const char *text)
{
	xmlNode *c, *next;
	char *shown = str_show_invisible(text);

	for (c = n->children; c != NULL; c = next) {
		next = c->next;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	xmlAddChild(n, xmlNewDocText(n->doc, (const xmlChar *)shown));
	free(shown);
}

static int tmpl_fill(xmlNode *, const struct tmpl_scope *, char **);

/* The data-* attributes of one element, then its children. */
static int
tmpl_fill_element(xmlNode *n, const struct tmpl_scope *sc, char **err)
{
	struct tmpl_scope inner;
	const json_t *arr, *item;
	xmlAttr *a, *anext;
	xmlNode *clone;
	char *s = NULL, *name, *val, *shown;
	size_t i;
	int rc = 0;

	/* Their text is written raw: nothing from the view may go in. */
	if (xmlStrcasecmp(n->name, (const xmlChar *)"script") == 0 ||
	    xmlStrcasecmp(n->name, (const xmlChar *)"style") == 0) {
		for (a = n->properties; a != NULL; a = a->next)
			if (strncmp((const char *)a->name, "data-", 5) == 0)
				return err_set(err, "html: the template fills a <%s> (%s)",
				    (const char *)n->name, (const char *)a->name);
		return 1;
	}
	if (xmlHasProp(n, (const xmlChar *)"data-sample") != NULL) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		return 1;
	}
	if ((s = tmpl_attr(n, "data-repeat")) != NULL) {
		arr = tmpl_lookup(sc, s);
		tmpl_unset(n, "data-repeat");
		json_array_foreach(arr, i, item) {
			if ((clone = xmlDocCopyNode(n, n->doc, 1)) == NULL) {
				err_set(err, "html: out of memory cloning a template element");
				goto out;
			}
			xmlAddPrevSibling(n, clone);
			inner.v = item;
			inner.up = sc;
			if (!tmpl_fill_element(clone, &inner, err))
				goto out;
		}
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		rc = 1;
		goto out;
	}
	if ((s = tmpl_attr(n, "data-if")) != NULL) {
		tmpl_unset(n, "data-if");
		if (!tmpl_cond(sc, s)) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			rc = 1;
			goto out;
		}
		free(s);
		s = NULL;
	}
	for (a = n->properties; a != NULL; a = anext) {
		anext = a->next;
		if (strncmp((const char *)a->name, "data-attr-", 10) != 0)
			continue;
		name = (char *)a->name + 10;
		free(s);
		s = tmpl_attr(n, (const char *)a->name);
		shown = tmpl_subst(sc, s ? s : "");
		val = str_show_invisible(shown);
		free(shown);
		if (tmpl_attr_allowed(name, val))
			xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)val);
		free(val);
		xmlRemoveProp(a);
	}
	free(s);
	s = NULL;
	if ((s = tmpl_attr(n, "data-field")) != NULL) {
		char *text = report_value_text(tmpl_lookup(sc, s)), *empty = tmpl_attr(n, "data-empty");

		tmpl_set_text(n, text != NULL ? text : empty != NULL ? empty : REPORT_EMPTY);
		free(text);
		free(empty);
		tmpl_unset(n, "data-field");
		tmpl_unset(n, "data-empty");
		rc = 1;
		goto out;
	}
	tmpl_unset(n, "data-empty");
	rc = tmpl_fill(n->children, sc, err);
out:
	free(s);
	return rc;
}

static int
tmpl_fill(xmlNode *n, const struct tmpl_scope *sc, char **err)
{
	xmlNode *next;

	for (; n != NULL; n = next) {
		next = n->next;
		if (n->type == XML_ELEMENT_NODE && !tmpl_fill_element(n, sc, err))
			return 0;
	}
	return 1;
}

/*
 * The body of template name (a page that opens in a browser on its own),
 * from its first element to its last, copied into the include's place:
 * what <section data-include="NAME"> is replaced with, so that report.html
 * and compare.html share sections.  0 with *err.
 */
static int
tmpl_fragment(xmlNode *at, const char *name, char **err)
{
	const struct tmpl *t = tmpl_find(name);
	htmlDocPtr part;
	xmlNode *n = NULL, *first, *last = NULL;

	if (t == NULL)
		return err_set(err, "html: no template \"%s\" to include", name ? name : "");
	part = htmlReadMemory((const char *)t->data, (int)t->len, name, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (part != NULL && (n = xmlDocGetRootElement(part)) != NULL)
		for (n = n->children; n != NULL && (n->type != XML_ELEMENT_NODE ||
		    xmlStrcasecmp(n->name, (const xmlChar *)"body") != 0); n = n->next)
			;
	for (first = n = n ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			last = n;
	while (first != NULL && first->type != XML_ELEMENT_NODE)
		first = first->next;
	if (last == NULL) {
		xmlFreeDoc(part);
		return err_set(err, "html: template %s has no element in its body", name);
	}
	/* The text between the sections comes along, so the page reads as the template. */
	for (n = first; ; n = n->next) {
		xmlAddPrevSibling(at, xmlDocCopyNode(n, at->doc, 1));
		if (n == last)
			break;
	}
	xmlFreeDoc(part);
	return 1;
}

/*
 * <link rel="stylesheet" href="report.css" data-inline> becomes a <style>
 * with that template's text, and <script src="summary.js" data-inline> a
 * <script> with its text, so that the designer's file opens in a browser
 * as is and the report is one self-contained file.
 */
static int
tmpl_inline(xmlNode *n, char **err)
{
	const struct tmpl *t;
	xmlNode *next, *style;
	char *href;
	int rc = 1, is_script;

	for (; n != NULL && rc; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((href = tmpl_attr(n, "data-include")) != NULL) {
			/* Not searched again: a fragment includes nothing. */
			if ((rc = tmpl_fragment(n, href, err))) {
				xmlUnlinkNode(n);
				xmlFreeNode(n);
			}
			free(href);
			continue;
		}
		is_script = xmlStrcasecmp(n->name, (const xmlChar *)"script") == 0;
		if ((!is_script && xmlStrcasecmp(n->name, (const xmlChar *)"link") != 0) ||
		    xmlHasProp(n, (const xmlChar *)"data-inline") == NULL) {
			rc = tmpl_inline(n->children, err);
			continue;
		}
		href = tmpl_attr(n, is_script ? "src" : "href");
		if (href == NULL || (t = tmpl_find(href)) == NULL) {
			rc = err_set(err, "html: no template \"%s\" to inline", href ? href : "");
		} else if (strstr((const char *)t->data, "</") != NULL) {
			rc = err_set(err, "html: %s contains \"</\", which would end its <%s>", href,
			    is_script ? "script" : "style");
		} else {
			style = xmlNewDocNode(n->doc, NULL,
			    (const xmlChar *)(is_script ? "script" : "style"), NULL);
			xmlAddChild(style, xmlNewDocText(n->doc, t->data));
			xmlReplaceNode(n, style);
			xmlFreeNode(n);
		}
		free(href);
	}
	return rc;
}

/* Every element named name under n, in document order. */
static void
tmpl_collect(xmlNode *n, const char *name, xmlNode ***list, size_t *len)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, (const xmlChar *)name) == 0) {
			*list = xrealloc(*list, (*len + 1) * sizeof(**list));
			(*list)[(*len)++] = n;
		} else
			tmpl_collect(n->children, name, list, len);
	}
}

/* " 'sha256-BASE64'" of each name element's text, as CSP names inline blocks. */
static void
tmpl_csp_hashes(xmlNode *root, const char *name, struct buf *b)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 4];
	xmlNode **els = NULL;
	xmlChar *text;
	unsigned int mdlen;
	size_t n = 0, i;

	tmpl_collect(root, name, &els, &n);
	if (n == 0)
		buf_adds(b, " 'none'");
	for (i = 0; i < n; i++) {
		text = xmlNodeGetContent(els[i]);
		mdlen = 0;
		EVP_Digest(text ? (const char *)text : "", text ? strlen((const char *)text) : 0,
		    md, &mdlen, EVP_sha256(), NULL);
		EVP_EncodeBlock(b64, md, (int)mdlen);
		buf_printf(b, " 'sha256-%s'", (const char *)b64);
		xmlFree(text);
	}
	free(els);
}

/*
 * <meta http-equiv="Content-Security-Policy" data-csp>: the policy allows
 * the page's own inline scripts and stylesheets by their hashes and nothing
 * else (no other source, no connection, no form target), so that nothing
 * the page carries from AWS could run even if it ever reached markup.
 */
static int
tmpl_csp(xmlNode *root, char **err)
{
	xmlNode **metas = NULL;
	struct buf b = { 0 };
	size_t n = 0, i;
	int rc = 1;

	tmpl_collect(root, "meta", &metas, &n);
	for (i = 0; i < n; i++)
		if (xmlHasProp(metas[i], (const xmlChar *)"data-csp") != NULL)
			break;
	if (i < n) {
		buf_adds(&b, "default-src 'none'; base-uri 'none'; form-action 'none'; script-src");
		tmpl_csp_hashes(root, "script", &b);
		buf_adds(&b, "; style-src");
		tmpl_csp_hashes(root, "style", &b);
		if (!buf_add(&b, "", 1))
			rc = err_set(err, "html: out of memory");
		else {
			xmlSetProp(metas[i], (const xmlChar *)"content", (const xmlChar *)b.p);
			xmlUnsetProp(metas[i], (const xmlChar *)"data-csp");
		}
	}
	free(metas);
	buf_free(&b);
	return rc;
}

/* The serialiser's output, appended to the caller's buffer as it comes (tmpl_render). */
static int
tmpl_out_write(void *ctx, const char *p, int n)
{
	return n >= 0 && buf_add(ctx, p, (size_t)n) ? n : -1;
}

static int
tmpl_out_close(void *ctx)
{
	return 0;
}

int
tmpl_render(const char *name, json_t *view, struct buf *out, char **err)
{
	const struct tmpl *t;
	struct tmpl_scope top = { view, NULL };
	xmlOutputBuffer *ob = NULL;
	htmlDocPtr doc = NULL;
	xmlNode *root;
	size_t len0 = out->len;
	int rc = 0, filled;

	if ((t = tmpl_find(name)) == NULL) {
		err_set(err, "html: template %s is not compiled in", name);
		goto out;
	}
	doc = htmlReadMemory((const char *)t->data, (int)t->len, name, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		err_set(err, "html: cannot parse template %s", name);
		goto out;
	}
	filled = tmpl_inline(root, err) && tmpl_fill(root, &top, err);
	/*
	 * The tree holds copies of the view's text: the view goes before the
	 * tree is serialised, so that a large summary holds its view, its
	 * tree and its text two at a time, never all three.
	 */
	json_decref(view);
	view = NULL;
	if (!filled || !tmpl_csp(root, err))
		goto out;
	/* Straight into out: the serialiser's own buffer would be a second copy of the page. */
	if ((ob = xmlOutputBufferCreateIO(tmpl_out_write, tmpl_out_close, out, NULL)) == NULL) {
		err_set(err, "html: out of memory");
		goto out;
	}
	htmlDocContentDumpFormatOutput(ob, doc, "UTF-8", 1);
	rc = xmlOutputBufferClose(ob);
	ob = NULL;
	if (rc < 0 || out->len == len0) {
		rc = 0;
		out->len = len0;
		if (out->p != NULL)
			out->p[len0] = '\0';
		err_set(err, "html: cannot write the document (too large?)");
		goto out;
	}
	rc = 1;
out:
	if (ob != NULL)
		xmlOutputBufferClose(ob);
	json_decref(view);
	xmlFreeDoc(doc);
	return rc;
}
