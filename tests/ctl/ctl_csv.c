/*
 * ctl_csv.c - the OOB secret CSV of `oob import`: the dialect of
 * docs/admin-cli.md, every bad line reported by number, no secret in any
 * message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"

/* 2026-11-28T00:00:00Z */
#define NOW ((time_t)1795824000)

static void parse_ok(const char *text, ctl_oob_table *t)
{
	idprov_error err;

	idprov_error_clear(&err);
	if (ctl_csv_parse_oob(text, strlen(text), NOW, t, &err) != IDPROV_OK) {
		for (size_t i = 0; i < t->n_problems; i++)
			fprintf(stderr, "%s\n", t->problems[i].msg);
		fail_msg("expected the file to parse: %s", err.msg);
	}
}

static void header_crlf_bom_blank_lines(void **state)
{
	const char *text = "\xEF\xBB\xBF" "DeviceID,Secret,ValidUntil\r\n"
	    "d1,s1,2026-12-01T00:00:00Z\r\n"
	    "\r\n"
	    "  d2 , s2 \r\n"
	    "Gerät-Küche-01,geheim-ß,\n"
	    "d4,last-line-without-newline";
	ctl_oob_table t;

	(void)state;
	parse_ok(text, &t);
	assert_int_equal(t.n_rows, 4);
	assert_string_equal(t.rows[0].device_id, "d1");
	assert_string_equal(t.rows[0].secret, "s1");
	assert_string_equal(t.rows[0].valid_until, "2026-12-01T00:00:00Z");
	assert_int_equal(t.rows[0].line, 2);
	assert_string_equal(t.rows[1].device_id, "d2");
	assert_string_equal(t.rows[1].secret, "s2");
	assert_string_equal(t.rows[1].valid_until, "");
	assert_int_equal(t.rows[1].line, 4);
	assert_string_equal(t.rows[2].device_id, "Gerät-Küche-01");
	assert_string_equal(t.rows[2].secret, "geheim-ß");
	assert_string_equal(t.rows[3].secret, "last-line-without-newline");
	assert_int_equal(t.rows[3].line, 6);
	ctl_oob_table_free(&t);
}

static void no_header_and_quoted_fields(void **state)
{
	const char *text = "\"dev,1\",\"say \"\"hi\"\" \",\"\"\n"
	    "d2,\" spaced \"\n";
	ctl_oob_table t;

	(void)state;
	parse_ok(text, &t);
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(t.rows[0].device_id, "dev,1");
	assert_string_equal(t.rows[0].secret, "say \"hi\" ");
	assert_string_equal(t.rows[0].valid_until, "");
	assert_string_equal(t.rows[1].secret, " spaced ");
	ctl_oob_table_free(&t);
}

static void every_bad_line_reported(void **state)
{
	const char *text = "deviceID,secret,validUntil\n"
	    "d1,topsecret1\n"			/* 2 good */
	    "d2\n"				/* 3 one field */
	    "d3,s3,2027-01-01T00:00:00Z,x\n"	/* 4 four fields */
	    "d4,\n"				/* 5 empty secret */
	    ",s5\n"				/* 6 empty deviceID */
	    "d1,topsecret2\n"			/* 7 duplicate of line 2 */
	    "d8,s8,yesterday\n"			/* 8 bad time */
	    "d9,s9,2020-01-01T00:00:00Z\n"	/* 9 in the past */
	    "d10,\"open\n"			/* 10 unclosed quote */
	    "d11,se\"cret\n"			/* 11 stray quote */
	    "d12,\xff\xfe\n"			/* 12 not UTF-8 */
	    "d13,s13\n";			/* 13 good */
	static const size_t want[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	ctl_oob_table t;
	idprov_error err;

	(void)state;
	assert_int_equal(ctl_csv_parse_oob(text, strlen(text), NOW, &t, &err),
	    IDPROV_ERR_INVALID);
	assert_int_equal(t.n_problems, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < t.n_problems; i++) {
		char prefix[32];

		assert_int_equal(t.problems[i].line, want[i]);
		snprintf(prefix, sizeof(prefix), "line %zu: ", want[i]);
		assert_memory_equal(t.problems[i].msg, prefix, strlen(prefix));
		/* a secret never appears in a message */
		assert_null(strstr(t.problems[i].msg, "topsecret"));
		assert_null(strstr(t.problems[i].msg, "se\"cret"));
	}
	assert_non_null(strstr(t.problems[0].msg, "found 1"));
	assert_non_null(strstr(t.problems[1].msg, "found 4"));
	assert_non_null(strstr(t.problems[2].msg, "secret is empty"));
	assert_non_null(strstr(t.problems[3].msg, "deviceID is empty"));
	assert_non_null(strstr(t.problems[4].msg, "already given on line 2"));
	assert_non_null(strstr(t.problems[5].msg, "'yesterday'"));
	assert_non_null(strstr(t.problems[6].msg, "in the past"));
	assert_non_null(strstr(t.problems[7].msg, "not closed"));
	assert_non_null(strstr(t.problems[8].msg, "double quote"));
	assert_non_null(strstr(t.problems[9].msg, "UTF-8"));
	assert_non_null(strstr(err.msg, "10 lines"));
	ctl_oob_table_free(&t);
}

static void limits(void **state)
{
	char text[600];
	ctl_oob_table t;
	idprov_error err;

	(void)state;
	/* a 257-byte secret is one too many */
	memset(text, 0, sizeof(text));
	strcpy(text, "d1,");
	memset(text + 3, 'x', 257);
	assert_int_equal(ctl_csv_parse_oob(text, strlen(text), NOW, &t, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(t.problems[0].msg, "longer than 256"));
	ctl_oob_table_free(&t);
	/* 256 bytes are fine */
	text[3 + 256] = '\0';
	parse_ok(text, &t);
	ctl_oob_table_free(&t);
	/* an empty file, or only a header, has nothing to import */
	assert_int_equal(ctl_csv_parse_oob("deviceID,secret\n", 16, NOW, &t,
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "no rows"));
	ctl_oob_table_free(&t);
}

static void ten_thousand_rows(void **state)
{
	size_t cap = 10000 * 64, len = 0;
	char *text = malloc(cap);
	ctl_oob_table t;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "device-%05d,secret-%05d,2026-12-24T00:00:00Z\n", i, i);
	/* the last line repeats the first deviceID */
	len += (size_t)snprintf(text + len, cap - len, "device-00000,x\n");
	{
		idprov_error err;

		assert_int_equal(ctl_csv_parse_oob(text, len, NOW, &t, &err),
		    IDPROV_ERR_INVALID);
		assert_int_equal(t.n_problems, 1);
		assert_int_equal(t.problems[0].line, 10001);
		ctl_oob_table_free(&t);
	}
	len -= strlen("device-00000,x\n");
	text[len] = '\0';
	parse_ok(text, &t);
	assert_int_equal(t.n_rows, 10000);
	assert_string_equal(t.rows[9999].device_id, "device-09999");
	ctl_oob_table_free(&t);
	free(text);
}

/* Hostile input: random lines built from the characters that matter to
 * the parser.  Nothing may crash (run under ASan), every line is either a
 * row or a problem, never both, and rows come in line order. */
static void random_input_is_accounted_for(void **state)
{
	static const char pieces[] = ",,\"\"\r\n\n ab\xc3\xa4\xff\t0Z-T:";
	unsigned int seed = 12345;
	char text[512];

	(void)state;
	for (int round = 0; round < 3000; round++) {
		size_t len = 0, want = (size_t)(rand_r(&seed) % sizeof(text));
		ctl_oob_table t;
		size_t r = 0, p = 0, last = 0;

		while (len < want)
			text[len++] = pieces[rand_r(&seed) %
			    (sizeof(pieces) - 1)];
		(void)ctl_csv_parse_oob(text, len, NOW, &t, NULL);
		/* one line may have several problems, but a row's line has
		 * none and comes after everything before it */
		while (r < t.n_rows || p < t.n_problems) {
			if (p >= t.n_problems || (r < t.n_rows &&
			    t.rows[r].line < t.problems[p].line)) {
				assert_true(t.rows[r].line > last);
				last = t.rows[r++].line;
			} else {
				assert_true(t.problems[p].line >= last);
				assert_true(r == 0 || t.problems[p].line >
				    t.rows[r - 1].line);
				last = t.problems[p++].line;
			}
		}
		for (size_t i = 0; i < t.n_rows; i++) {
			assert_true(t.rows[i].device_id[0] != '\0');
			assert_true(t.rows[i].secret[0] != '\0');
		}
		ctl_oob_table_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_crlf_bom_blank_lines),
		cmocka_unit_test(no_header_and_quoted_fields),
		cmocka_unit_test(every_bad_line_reported),
		cmocka_unit_test(limits),
		cmocka_unit_test(ten_thousand_rows),
		cmocka_unit_test(random_input_is_accounted_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
