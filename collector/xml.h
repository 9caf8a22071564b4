/*
 * Reading AWS Query-protocol XML (IAM, STS) with libxml2.
 *
 * Elements are matched by local name only, so a response parses the same
 * with, without or under another namespace.  Documents are parsed with
 * XML_PARSE_NONET and never with entity substitution; a body carrying a
 * DTD is refused.
 *
 * xml_to_json() turns a subtree into jansson values, driven by a small
 * table (struct xml_conv) that says which element names are lists
 * (<X><member>..</member></X> -> array), maps (<entry><key/><value/></entry>
 * -> object), booleans, integers, URL-encoded policy documents (decoded and
 * parsed into an object), and structures that stay objects even when empty.
 * Anything else is an object when it has element children and a string
 * otherwise.
 *
 * Ownership: xml_parse returns a document the caller frees with
 * xmlFreeDoc; xml_text and xml_error's strings are the caller's to free;
 * json_t results are new references.
 */
#ifndef COLLECTOR_XML_H
#define COLLECTOR_XML_H

#include <stddef.h>

#include <jansson.h>
#include <libxml/tree.h>

struct xml_conv {
	const char *const	*lists;		/* <X><member>: array */
	const char *const	*maps;		/* <X><entry><key><value>: object */
	const char *const	*structs;	/* always an object, even when empty */
	const char *const	*bools;		/* "true"/"false": boolean */
	const char *const	*ints;		/* decimal: integer */
	const char *const	*docs;		/* URL-encoded JSON: decoded, parsed */
};

/* The table for every IAM and STS response the collector reads. */
extern const struct xml_conv xml_iam;

/* Parse a response body; NULL with *err when it is not well-formed XML. */
xmlDoc	*xml_parse(const char *body, size_t len, char **err);

/* First element child of n named local (any namespace), or NULL. */
xmlNode	*xml_child(const xmlNode *n, const char *local);
/* Next element sibling after n named local, or NULL. */
xmlNode	*xml_next(const xmlNode *n, const char *local);
/* Text content of n (caller frees); NULL when n is NULL. */
char	*xml_text(const xmlNode *n);

/* n converted by conv (new reference, never NULL). */
json_t	*xml_to_json(const xmlNode *n, const struct xml_conv *conv);

/*
 * A policy document as IAM sends it: percent-decoded and parsed into an
 * object; the decoded string when that is not a JSON object (new reference).
 */
json_t	*xml_policy_doc(const char *encoded);

/*
 * The <{action}Result> of a <{action}Response> body, converted with conv
 * into *out (an object; {} when the result element is empty).  Fails with
 * a message (not naming the call: the caller does) when the body is not
 * XML, is an error response, or has another root.
 */
int	 xml_result(const char *body, size_t len, const char *action,
	    const struct xml_conv *conv, json_t **out, char **err);

/*
 * The code and message of an error body (<ErrorResponse><Error> or the
 * EC2-style <Response><Errors><Error>).  Returns 0 when the body holds no
 * <Error><Code>.  *message is NULL when there is none.
 */
int	 xml_error(const char *body, size_t len, char **code, char **message);

#endif
