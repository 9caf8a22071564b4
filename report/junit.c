/*
 * The JUnit XML backend: one <testsuite> per account, one <testcase> per
 * control, for the CI dashboards that read JUnit (Jenkins, GitLab, GitHub
 * test reporters).  A FAIL is a <failure> (type: the severity), a control
 * that could not be evaluated an <error> with the reason (it must not show
 * green), NOT_APPLICABLE a <skipped>; PASS has no child.
 *
 * Built as a libxml2 DOM, so AWS text reaches the file only as text nodes
 * and attribute values, never as markup.  Findings are the grouped rows of
 * the HTML report, capped alike (REPORT_MAX_ROWS per control), with the
 * number left out and where the rest is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/common.h"
#include "report/backend.h"

/*
 * Untrusted text as XML 1.0 can carry it: invisible characters by name
 * (str_show_invisible), and the C0 controls XML forbids (all but tab, line
 * feed and carriage return) as U+FFFD.  Caller frees.
 */
static char *
junit_text(const char *s)
{
	char *shown = str_show_invisible(s != NULL ? s : ""), *p;
	struct buf b = { 0 };

	for (p = shown; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			utf8_put(&b, UTF8_REPLACEMENT);
		else
			buf_add(&b, p, 1);
	}
	buf_adds(&b, "");
	free(shown);
	return buf_steal(&b);
}

static void
junit_prop(xmlNode *n, const char *name, const char *value)
{
	char *v = junit_text(value);

	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
	free(v);
}

static void
junit_prop_n(xmlNode *n, const char *name, long long value)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", value);
	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

/* tests, failures, errors, skipped: the counts every reader sums. */
static void
junit_counts(xmlNode *n, const long long counts[4])
{
	junit_prop_n(n, "tests", counts[0]);
	junit_prop_n(n, "failures", counts[1]);
	junit_prop_n(n, "errors", counts[2]);
	junit_prop_n(n, "skipped", counts[3]);
}

static xmlNode *
junit_child(xmlNode *parent, const char *name)
{
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static void
junit_property(xmlNode *props, const char *name, const char *value)
{
	xmlNode *p;

	if (value == NULL)
		return;
	p = junit_child(props, "property");
	junit_prop(p, "name", name);
	junit_prop(p, "value", value);
}

/* The <failure> text: one line per finding row, then what was left out. */
static char *
junit_findings(const json_t *control, size_t *nfindings)
{
	const json_t *findings = json_object_get(control, "findings"), *row;
	struct buf b = { 0 };
	json_t *rows;
	size_t i, more = 0;

	*nfindings = json_array_size(findings);
	rows = report_finding_rows(findings, REPORT_MAX_ROWS, &more);
	json_array_foreach(rows, i, row) {
		const json_t *f = json_object_get(row, "finding");
		const char *res = jstr(f, "resource_name");

		buf_printf(&b, "%s: %s", res != NULL ? res : jstr(f, "resource") ?
		    jstr(f, "resource") : "?", jstr(f, "reason") ? jstr(f, "reason") : "");
		if (jint(row, "count", 1) > 1) {
			char *words = report_row_words(row);

			buf_printf(&b, " (%s)", words);
			free(words);
		}
		buf_adds(&b, "\n");
	}
	if (more > 0)
		buf_printf(&b, "... and %zu more findings, listed in the results document and "
		    "findings.csv\n", more);
	json_decref(rows);
	buf_adds(&b, "");
	return buf_steal(&b);
}

static void
junit_testcase(xmlNode *suite, const json_t *acct, const json_t *control, long long counts[4])
{
	const char *status = jstr(control, "status"), *reason = jstr(control, "reason");
	char *name = xasprintf("%s: %s", jstr(control, "id") ? jstr(control, "id") : "?",
	    jstr(control, "title") ? jstr(control, "title") : "");
	char *cls = xasprintf("iamgrade.%s.%s", jstr(acct, "account_id") ?
	    jstr(acct, "account_id") : "unknown", jstr(control, "family") ?
	    jstr(control, "family") : "controls");
	xmlNode *tc = junit_child(suite, "testcase"), *x;

	junit_prop(tc, "name", name);
	junit_prop(tc, "classname", cls);
	xmlSetProp(tc, (const xmlChar *)"time", (const xmlChar *)"0");
	counts[0]++;
	if (status != NULL && strcmp(status, "PASS") == 0)
		goto out;
	if (status != NULL && strcmp(status, "FAIL") == 0) {
		size_t n;
		char *text = junit_findings(control, &n), *msg, *t;

		counts[1]++;
		x = junit_child(tc, "failure");
		msg = xasprintf("%zu finding%s (%s)", n, n == 1 ? "" : "s",
		    jstr(control, "severity") ? jstr(control, "severity") : "?");
		junit_prop(x, "message", msg);
		junit_prop(x, "type", jstr(control, "severity"));
		t = junit_text(text);
		xmlAddChild(x, xmlNewDocText(tc->doc, (const xmlChar *)t));
		free(t);
		free(text);
		free(msg);
	} else if (status != NULL && strcmp(status, "NOT_APPLICABLE") == 0) {
		counts[3]++;
		x = junit_child(tc, "skipped");
		junit_prop(x, "message", reason != NULL ? reason : "not applicable");
	} else {
		/* NOT_EVALUATED, or anything else: never green. */
		counts[2]++;
		x = junit_child(tc, "error");
		junit_prop(x, "type", status != NULL ? status : "NOT_EVALUATED");
		junit_prop(x, "message", reason != NULL ? reason : "not evaluated");
	}
out:
	free(name);
	free(cls);
}

static void
junit_suite(xmlNode *root, const json_t *acct, size_t idx, long long total[4])
{
	xmlNode *suite = junit_child(root, "testsuite"), *props;
	const json_t *control;
	long long counts[4] = { 0, 0, 0, 0 };
	char *name = xasprintf("%s (%s)", jstr(acct, "account_id") ? jstr(acct, "account_id") :
	    "unknown", report_account_name(acct));
	char score[16];
	size_t i;

	junit_prop(suite, "name", name);
	junit_prop_n(suite, "id", (long long)idx);
	xmlSetProp(suite, (const xmlChar *)"package", (const xmlChar *)"iamgrade");
	if (jpath(acct, "collection.finished") != NULL)
		junit_prop(suite, "timestamp", json_string_value(jpath(acct, "collection.finished")));
	props = junit_child(suite, "properties");
	junit_property(props, "account_id", jstr(acct, "account_id"));
	junit_property(props, "alias", jstr(acct, "alias"));
	junit_property(props, "name", jstr(acct, "name"));
	if (json_is_integer(json_object_get(acct, "score"))) {
		snprintf(score, sizeof(score), "%lld",
		    (long long)json_integer_value(json_object_get(acct, "score")));
		junit_property(props, "score", score);
	}
	junit_property(props, "grade", jstr(acct, "grade"));
	junit_property(props, "collection_complete", json_is_true(jpath(acct,
	    "collection.complete")) ? "true" : "false");
	junit_property(props, "snapshot_sha256", json_string_value(jpath(acct, "snapshot.sha256")));
	json_array_foreach(json_object_get(acct, "controls"), i, control)
		junit_testcase(suite, acct, control, counts);
	junit_counts(suite, counts);
	xmlSetProp(suite, (const xmlChar *)"time", (const xmlChar *)"0");
	for (i = 0; i < 4; i++)
		total[i] += counts[i];
	free(name);
}

static int
junit_render(void *ctx, const json_t *results, struct buf *out, char **err)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"testsuites");
	const json_t *acct;
	long long total[4] = { 0, 0, 0, 0 };
	xmlChar *text = NULL;
	int len = 0, rc = 0;
	size_t i;

	(void)ctx;
	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, (const xmlChar *)"name", (const xmlChar *)"iamgrade");
	if (jstr(results, "generated_at") != NULL)
		junit_prop(root, "timestamp", jstr(results, "generated_at"));
	json_array_foreach(json_object_get(results, "accounts"), i, acct)
		junit_suite(root, acct, i, total);
	junit_counts(root, total);
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	if (text == NULL || !buf_add(out, (const char *)text, (size_t)len)) {
		err_set(err, "junit: the document does not fit the output buffer");
		goto out;
	}
	rc = 1;
out:
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

const struct report_backend report_junit = { NULL, junit_render, NULL };
