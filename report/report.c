/* The report's one entry point: pick the format's row, render, free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/backend.h"
#include "report/compare.h"

#define REPORT_FMT_ROW(E, n, mode, renders, commands, run_file, help) \
	[REPORT_##E] = { #n, mode, renders, commands, run_file, help },
const struct report_format report_formats[REPORT_FMT__MAX] = {
	REPORT_FORMAT_LIST(REPORT_FMT_ROW)
};
#undef REPORT_FMT_ROW

#define REPORT_FMT_BACKEND(E, n, ...) [REPORT_##E] = &report_##n,
static const struct report_backend *const backends[REPORT_FMT__MAX] = {
	REPORT_FORMAT_LIST(REPORT_FMT_BACKEND)
};
#undef REPORT_FMT_BACKEND

int
report_fmt_parse(const char *s)
{
	int i;

	for (i = 0; i < REPORT_FMT__MAX; i++)
		if (strcmp(s, report_formats[i].name) == 0)
			return i;
	return -1;
}

int
report_file_mode(enum report_fmt fmt)
{
	return file_mode_umask(report_formats[fmt].mode);
}

int
report_render(enum report_fmt fmt, const json_t *results,
    const struct report_opts *opts, struct buf *out, char **err)
{
	static const struct report_opts none;
	const struct report_backend *b;
	void *ctx = NULL;
	int rc;

	if ((int)fmt < 0 || fmt >= REPORT_FMT__MAX)
		return err_set(err, "unknown report format %d", (int)fmt);
	b = backends[fmt];
	if (b->alloc != NULL && (ctx = b->alloc(opts ? opts : &none)) == NULL)
		return err_set(err, "%s: cannot set up the renderer", report_formats[fmt].name);
	rc = b->render(ctx, results, out, err);
	if (b->free != NULL)
		b->free(ctx);
	return rc;
}

json_t *
report_results_load(const char *path, char **err)
{
	json_error_t je;
	json_t *doc = NULL;
	char *data = NULL, *e = NULL;
	size_t len;

	if (!file_read(path, REPORT_MAX_RESULTS, &data, &len, err))
		goto out;
	if ((doc = json_loadb(data, len, 0, &je)) == NULL) {
		err_set(err, "%s: not JSON: line %d: %s", path, je.line, je.text);
		goto out;
	}
	if (!compare_validate(doc, &e)) {
		err_set(err, "%s: %s", path, e);
		json_decref(doc);
		doc = NULL;
	}
out:
	free(data);
	free(e);
	return doc;
}

char *
report_value_text(const json_t *v)
{
	struct buf b = { 0 };
	const json_t *e;
	size_t i;
	char *s;

	if (v == NULL)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		return xasprintf("%g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("yes");
	case JSON_FALSE:
		return xstrdup("no");
	case JSON_ARRAY:
		buf_add(&b, "", 0);
		json_array_foreach(v, i, e) {
			if (json_is_null(e))
				continue;
			s = json_is_string(e) || json_is_number(e) ?
			    report_value_text(e) : jdump(e, 0);
			buf_printf(&b, "%s%s", b.len ? ", " : "", s);
			free(s);
		}
		return buf_steal(&b);
	case JSON_OBJECT:
		return jdump(v, 0);
	default:
		return NULL;
	}
}

const char *
report_account_name(const json_t *acct)
{
	const char *s;

	if ((s = jstr(acct, "alias")) != NULL && *s != '\0')
		return s;
	if ((s = jstr(acct, "name")) != NULL && *s != '\0')
		return s;
	return jstr(acct, "account_id");
}

/* Whether iso (a time) is before the row's member key, or the row has none. */
static void
row_time(json_t *row, const char *key, const char *iso, int earlier)
{
	const char *cur = jstr(row, key);
	time_t a, b;

	if (iso == NULL || !time_parse(iso, &a))
		return;
	if (cur == NULL || !time_parse(cur, &b) || (earlier ? a < b : a > b))
		json_object_set_new(row, key, json_string(iso));
}

json_t *
report_finding_rows(const json_t *findings, size_t max, size_t *more)
{
	json_t *rows = json_array(), *index = json_object(), *row;
	const json_t *f, *ev;
	const char *code;
	struct buf key = { 0 };
	size_t i;

	*more = 0;
	json_array_foreach(findings, i, f) {
		ev = json_object_get(f, "evidence");
		row = NULL;
		if ((code = jstr(ev, "error_code")) != NULL) {
			/* \\1 separates the parts (an ARN, an error code, an address hold none). */
			buf_reset(&key);
			buf_adds(&key, jstr(f, "resource") ? jstr(f, "resource") : "");
			buf_adds(&key, "\1");
			buf_adds(&key, code);
			buf_adds(&key, "\1");
			buf_adds(&key, jstr(ev, "source_ip") ? jstr(ev, "source_ip") : "");
			row = json_object_get(index, key.p);
		}
		if (row == NULL) {
			if (json_array_size(rows) == max) {
				(*more)++;
				continue;
			}
			row = json_pack("{s:O, s:i, s:n, s:n}", "finding", f, "count", 0,
			    "first", "last");
			json_array_append_new(rows, row);
			if (code != NULL)
				json_object_set(index, key.p, row);
		}
		json_object_set_new(row, "count", json_integer(jint(row, "count", 0) + 1));
		row_time(row, "first", jstr(ev, "time"), 1);
		row_time(row, "last", jstr(ev, "time"), 0);
	}
	buf_free(&key);
	json_decref(index);
	return rows;
}

char *
report_row_words(const json_t *row)
{
	long long n = jint(row, "count", 1);
	const char *first = jstr(row, "first"), *last = jstr(row, "last");

	if (n <= 1)
		return NULL;
	if (first != NULL && last != NULL)
		return xasprintf("%lld times, first %s, last %s", n, first, last);
	return xasprintf("%lld times", n);
}

json_t *
report_event_rows(const json_t *events, size_t max, size_t *more)
{
	json_t *rows = json_array();
	const json_t *e;
	size_t i, n = json_array_size(events);
	int pass;

	*more = n > max ? n - max : 0;
	/* Two passes when capped: roles created first, then failed calls. */
	for (pass = n > max ? 0 : 1; pass < 2; pass++)
		json_array_foreach(events, i, e) {
			if (json_array_size(rows) == max)
				return rows;
			if (n > max && (jstr(e, "error_code") != NULL) != pass)
				continue;
			json_array_append(rows, (json_t *)e);
		}
	return rows;
}

char *
report_cap_lines(const char *text, size_t max)
{
	const char *p = text ? text : "", *q;
	size_t n = 0, rest = 0;

	for (; *p != '\0' && n < max; n++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	if (*p == '\0')
		return xstrdup(text ? text : "");
	for (q = p; *q != '\0'; rest++)
		q = strchr(q, '\n') ? strchr(q, '\n') + 1 : q + strlen(q);
	return xasprintf("%.*s# %zu more line%s, one per finding: listed in findings.csv",
	    (int)(p - text), text, rest, rest == 1 ? "" : "s");
}

/*
 * The compliance view (README "Frameworks"): no requirement is called met.
 * A requirement is "failing" when a control supporting it fails in some
 * account, "cannot tell" when none fails but one could not be evaluated,
 * "accepted risk" when the only failures are accepted, and otherwise its
 * controls "pass" (or are not applicable); a requirement whose controls the
 * results do not hold is "not graded".
 */
json_t *
report_framework_view(const json_t *results)
{
	static const char *const st[] = { "FAIL", "NOT_EVALUATED", "ACCEPTED", "PASS", "NOT_APPLICABLE" };
	static const char *const word[] = { "fail", "not evaluated", "accepted", "pass", "n/a" };
	const json_t *fw = json_object_get(results, "framework"), *req, *cid, *a, *c;
	json_t *rows, *controls, *row, *ctl;
	size_t i, j, k, m;

	if (fw == NULL)
		return NULL;
	rows = json_array();
	json_array_foreach(json_object_get(fw, "requirements"), i, req) {
		long long total[5] = { 0 };
		const char *verdict;

		controls = json_array();
		json_array_foreach(json_object_get(req, "controls"), j, cid) {
			long long n[5] = { 0 };
			const json_t *seen = NULL;
			struct buf b = { 0 };

			json_array_foreach(json_object_get(results, "accounts"), k, a)
				json_array_foreach(json_object_get(a, "controls"), m, c) {
					size_t s;

					if (jstr(c, "id") == NULL || strcmp(jstr(c, "id"), json_string_value(cid)) != 0)
						continue;
					seen = c;
					for (s = 0; s < 5; s++)
						if (jstr(c, "status") && strcmp(jstr(c, "status"), st[s]) == 0)
							n[s]++;
				}
			for (k = 0; k < 5; k++) {
				total[k] += n[k];
				if (n[k] > 0)
					buf_printf(&b, "%s%s in %lld", b.len ? ", " : "", word[k], n[k]);
			}
			ctl = json_pack("{s:O,s:s?,s:s?,s:s}", "id", cid, "title", seen ? jstr(seen, "title") : NULL,
			    "severity", seen ? jstr(seen, "severity") : NULL, "text", b.len ? b.p : "not graded");
			json_object_set_new(ctl, "status", json_string(n[0] ? "FAIL" : n[1] ? "NOT_EVALUATED" :
			    n[2] ? "ACCEPTED" : n[3] ? "PASS" : n[4] ? "NOT_APPLICABLE" : "NONE"));
			json_array_append_new(controls, ctl);
			buf_free(&b);
		}
		verdict = total[0] ? "failing" : total[1] ? "cannot tell" : total[2] ? "accepted risk" :
		    total[3] || total[4] ? "controls pass" : "not graded";
		row = json_pack("{s:O?,s:O?,s:o,s:s,s:s}", "id", json_object_get(req, "id"),
		    "title", json_object_get(req, "title"), "controls", controls, "verdict", verdict,
		    "status", total[0] ? "FAIL" : total[1] ? "NOT_EVALUATED" : total[2] ? "ACCEPTED" :
		    total[3] || total[4] ? "PASS" : "NONE");
		json_array_append_new(rows, row);
	}
	return json_pack("{s:O?,s:O?,s:o}", "name", json_object_get(fw, "name"),
	    "title", json_object_get(fw, "title"), "requirements", rows);
}

/*
 * The evidence statements of a report (README "Evidence"): its scope and
 * its period, from the results alone.  An account is reached when
 * iamgrade had an identity inside it (a caller ARN), as evidence.json says.
 */
void
report_scope(const json_t *results, char **scope, char **period)
{
	const json_t *a, *col;
	const char *first = NULL, *last = NULL, *s;
	size_t i, n = 0, reached = 0, incomplete = 0;
	long long window = -1;
	int varies = 0;

	json_array_foreach(json_object_get(results, "accounts"), i, a) {
		col = json_object_get(a, "collection");
		n++;
		reached += jstr(col, "caller_arn") != NULL;
		incomplete += !jbool(col, "complete", 0);
		if (json_is_integer(json_object_get(col, "window_days"))) {
			if (window >= 0 && window != jint(col, "window_days", 0))
				varies = 1;
			window = jint(col, "window_days", 0);
		}
		/* ISO 8601 UTC with Z, as the checks write them: text order is time order. */
		if ((s = jstr(col, "started")) != NULL && (first == NULL || strcmp(s, first) < 0))
			first = s;
		if ((s = jstr(col, "finished")) != NULL && (last == NULL || strcmp(s, last) > 0))
			last = s;
	}
	*scope = xasprintf("%zu account%s selected, %zu reached, %zu incomplete", n, n == 1 ? "" : "s",
	    reached, incomplete);
	if (window < 0)
		*period = xasprintf("collected %s to %s", first ? first : "-", last ? last : "-");
	else
		*period = xasprintf("collected %s to %s; CreateRole look-back window %s%lld days",
		    first ? first : "-", last ? last : "-", varies ? "up to " : "", window);
}

const char *
report_partition(const char *arn)
{
	if (arn == NULL)
		return "aws";
	if (strncmp(arn, "arn:aws-cn:", 11) == 0)
		return "aws-cn";
	if (strncmp(arn, "arn:aws-us-gov:", 15) == 0)
		return "aws-us-gov";
	return "aws";
}

const char *
report_resource_type(const char *arn)
{
	static const struct { const char *part, *type; } map[] = {
		{ ":user/", "AwsIamUser" }, { ":role/", "AwsIamRole" },
		{ ":policy/", "AwsIamPolicy" }, { ":group/", "AwsIamGroup" },
	};
	size_t i, n;

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0 || strstr(arn, ":iam::") == NULL)
		return "Other";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(arn, map[i].part) != NULL)
			return map[i].type;
	n = strlen(arn);
	return n > 5 && strcmp(arn + n - 5, ":root") == 0 ? "AwsAccount" : "Other";
}

char *
report_securityhub_url(const char *shid)
{
	char svc[32], *p;
	const char *dot;

	if (shid == NULL || (dot = strchr(shid, '.')) == NULL || dot == shid ||
	    (size_t)(dot - shid) >= sizeof(svc))
		return NULL;
	snprintf(svc, sizeof(svc), "%.*s", (int)(dot - shid), shid);
	for (p = svc; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return xasprintf("https://docs.aws.amazon.com/securityhub/latest/userguide/"
	    "%s-controls.html#%s-%s", svc, svc, dot + 1);
}

char *
report_row_key(const json_t *fd, const char *resource, json_t *seen)
{
	const char *code = json_string_value(jpath(fd, "evidence.error_code"));
	const char *ip = json_string_value(jpath(fd, "evidence.source_ip"));
	char *key = xasprintf("%s\n%s\n%s", resource, code ? code : "", ip ? ip : ""), *k2;
	json_int_t n = json_integer_value(json_object_get(seen, key));

	json_object_set_new(seen, key, json_integer(n + 1));
	if (n == 0)
		return key;
	/* The first keeps the plain key, so ids stay what they were. */
	k2 = xasprintf("%s\n#%lld", key, (long long)n + 1);
	free(key);
	return k2;
}

char *
report_row_reason(const json_t *row)
{
	const json_t *fd = json_object_get(row, "finding");
	struct buf d = { 0 };

	buf_printf(&d, "%s", jstr(fd, "reason") ? jstr(fd, "reason") : "");
	if (jint(row, "count", 1) > 1) {
		char *w = report_row_words(row);

		buf_printf(&d, " (%s)", w);
		free(w);
	}
	return d.p != NULL ? buf_steal(&d) : xstrdup("");
}

int
report_json_out(const json_t *doc, struct buf *out, const char *fmt, char **err)
{
	char *text = jdump(doc, 1);
	int rc = buf_adds(out, text) && buf_adds(out, "\n");

	if (!rc)
		err_set(err, "%s: the output does not fit its buffer", fmt);
	free(text);
	return rc;
}
