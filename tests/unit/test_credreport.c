/* The credential report CSV parser: quoting, line ends, column mapping, broken input. */
#include "tests/unit/t.h"

#include "common/common.h"
#include "collector/credreport.h"

#define HEADER "user,arn,user_creation_time,password_enabled,password_last_used," \
	"password_last_changed,password_next_rotation,mfa_active,access_key_1_active," \
	"access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," \
	"access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated," \
	"access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," \
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
#define ROOT "<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00," \
	"not_supported,2026-11-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A," \
	"N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
#define ALICE_TAIL ",arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,true," \
	"no_information,2020-01-01T00:00:00+00:00,N/A,false,true,2020-01-01T00:00:00+00:00," \
	"N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"

static json_t *
parse(const char *s, char **err)
{
	free(*err);
	*err = NULL;
	return credreport_parse(s, strlen(s), err);
}

static const char *
cell(const json_t *r, size_t row, const char *col)
{
	return jstr(json_array_get(json_object_get(r, "rows"), row), col);
}

static void
t_standard(void)
{
	char *err = NULL;
	json_t *r = parse(HEADER "\n" ROOT "\nalice" ALICE_TAIL "\n", &err);

	T(r != NULL, "parse failed: %s", err);
	T(json_array_size(json_object_get(r, "columns")) == 22, "%zu columns",
	    json_array_size(json_object_get(r, "columns")));
	T(json_array_size(json_object_get(r, "rows")) == 2, "rows");
	T_STREQ(cell(r, 0, "user"), "<root_account>");
	T_STREQ(cell(r, 0, "password_enabled"), "not_supported");
	T_STREQ(cell(r, 1, "password_last_used"), "no_information");
	T_STREQ(cell(r, 1, "access_key_1_last_rotated"), "2020-01-01T00:00:00+00:00");
	T_STREQ(json_string_value(json_array_get(json_object_get(r, "columns"), 21)),
	    "cert_2_last_rotated");
	T(json_object_size(json_array_get(json_object_get(r, "rows"), 1)) == 22, "row width");
	json_decref(r);
	free(err);
}

static void
t_quoted_names(void)
{
	char *err = NULL;
	json_t *r = parse("user,arn\n"
	    "\"a,b\",arn:1\n"
	    "\"say \"\"hi\"\"\",arn:2\n"
	    "\"two\nlines\",\"arn:3\"\n"
	    "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac,arn:4\n"
	    " spaced ,arn:5\n", &err);

	T(r != NULL, "parse failed: %s", err);
	T_STREQ(cell(r, 0, "user"), "a,b");
	T_STREQ(cell(r, 1, "user"), "say \"hi\"");
	T_STREQ(cell(r, 2, "user"), "two\nlines");
	T_STREQ(cell(r, 2, "arn"), "arn:3");
	T_STREQ(cell(r, 3, "user"), "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac");
	/* Verbatim: libcsv would trim these by default. */
	T_STREQ(cell(r, 4, "user"), " spaced ");
	json_decref(r);
	free(err);
}

static void
t_crlf_and_no_final_newline(void)
{
	char *err = NULL;
	json_t *r = parse("user,arn\r\nalice,arn:a\r\n\"b\r\nob\",arn:b", &err);

	T(r != NULL, "parse failed: %s", err);
	T(json_array_size(json_object_get(r, "rows")) == 2, "rows");
	T_STREQ(cell(r, 0, "arn"), "arn:a");
	T_STREQ(cell(r, 1, "user"), "b\r\nob");
	T_STREQ(cell(r, 1, "arn"), "arn:b");
	json_decref(r);
	r = parse("user,arn", &err);
	T(r != NULL && json_array_size(json_object_get(r, "rows")) == 0,
	    "header without newline: %s", err);
	json_decref(r);
	free(err);
}

static void
t_reordered_extra(void)
{
	char *err = NULL;
	json_t *r = parse("future_column,arn,mfa_active,user\nx,arn:a,true,alice\n", &err);

	T(r != NULL, "parse failed: %s", err);
	T_STREQ(cell(r, 0, "user"), "alice");
	T_STREQ(cell(r, 0, "arn"), "arn:a");
	T_STREQ(cell(r, 0, "future_column"), "x");
	T_STREQ(json_string_value(json_array_get(json_object_get(r, "columns"), 0)),
	    "future_column");
	json_decref(r);
	free(err);
}

static void
t_missing_column(void)
{
	char *err = NULL;
	json_t *r = parse("user,mfa_active\nalice,true\n", &err);

	T(r == NULL, "accepted a report without arn");
	T(err != NULL && strstr(err, "\"arn\"") != NULL, "message: %s", err);
	r = parse("arn\narn:a\n", &err);
	T(r == NULL && err != NULL && strstr(err, "\"user\"") != NULL, "message: %s", err);
	r = parse("user,arn,user\na,b,c\n", &err);
	T(r == NULL && err != NULL && strstr(err, "twice") != NULL, "duplicate: %s", err);
	free(err);
}

static void
t_ragged(void)
{
	char *err = NULL;
	json_t *r = parse("user,arn,mfa_active\nalice,arn:a,true\nbob,arn:b\n", &err);

	T(r == NULL, "accepted a short row");
	T(err != NULL && strstr(err, "record 3 has 2 fields, the header has 3") != NULL,
	    "message: %s", err);
	r = parse("user,arn\nalice,arn:a,extra\n", &err);
	T(r == NULL && err != NULL && strstr(err, "record 2 has 3 fields") != NULL,
	    "long row: %s", err);
	free(err);
}

static void
t_header_only(void)
{
	char *err = NULL;
	json_t *r = parse(HEADER "\n", &err);

	T(r != NULL, "parse failed: %s", err);
	T(json_is_array(json_object_get(r, "rows")) &&
	    json_array_size(json_object_get(r, "rows")) == 0, "rows not []");
	T(json_array_size(json_object_get(r, "columns")) == 22, "columns");
	json_decref(r);
	r = parse("", &err);
	T(r == NULL && err != NULL && strstr(err, "empty") != NULL, "empty: %s", err);
	r = parse("\xef\xbb\xbfuser,arn\na,b\n", &err);
	T(r != NULL && cell(r, 0, "user") != NULL, "byte-order mark: %s", err);
	json_decref(r);
	free(err);
}

static void
t_broken(void)
{
	char *err = NULL, junk[512];
	json_t *r;
	unsigned seed = 12345;
	size_t i, k;

	r = parse("user,arn\n\"alice,arn:a\n", &err);
	T(r == NULL && err != NULL && strstr(err, "not valid CSV") != NULL,
	    "unterminated quote: %s", err);
	r = parse("user,arn\n\"al\"ice,arn:a\n", &err);
	T(r == NULL && err != NULL, "stray quote accepted");
	r = parse("user,arn\n\xff\xfe,arn:a\n", &err);
	T(r == NULL && err != NULL && strstr(err, "UTF-8") != NULL, "bad UTF-8: %s", err);
	/* Garbage of every kind: an answer or a message, never a crash. */
	for (k = 0; k < 300; k++) {
		for (i = 0; i < sizeof(junk); i++) {
			seed = seed * 1103515245 + 12345;
			junk[i] = "ua,\"\n\r x\xc3\xa9"[(seed >> 16) % 11];
		}
		free(err);
		err = NULL;
		r = credreport_parse(junk, (seed >> 8) % sizeof(junk), &err);
		T((r != NULL) != (err != NULL), "case %zu: result and error", k);
		json_decref(r);
	}
	free(err);
}

int
main(void)
{
	RUN(t_standard);
	RUN(t_quoted_names);
	RUN(t_crlf_and_no_final_newline);
	RUN(t_reordered_extra);
	RUN(t_missing_column);
	RUN(t_ragged);
	RUN(t_header_only);
	RUN(t_broken);
	return t_done();
}
