/*
 * test_canon.c - the canonical string escaping against what Go's
 * encoding/json Marshal writes (WIRE.md "Canonical form").
 */
#include <limits.h>

#include "core_test.h"
#include "lib/core/canon.h"

/* Escape len bytes and compare with the expected JSON text. */
static void
check(const char *in, size_t len, const char *want)
{
	idprov_buf b = IDPROV_BUF_INIT;
	size_t out_len = 0;
	char *out;

	assert_int_equal(idprov_canon_string(&b, in, len), IDPROV_OK);
	out = idprov_buf_take(&b, &out_len);
	assert_bytes(out, out_len, want);
	free(out);
}

#define CHECK(lit, want) check((lit), sizeof(lit) - 1, (want))

static void
canon_plain_ascii_slash_and_del_as_is(void **state)
{
	(void)state;
	CHECK("", "\"\"");
	CHECK("device1", "\"device1\"");
	CHECK("a/b", "\"a/b\"");
	CHECK("x\x7fy", "\"x\x7fy\"");
	CHECK("~ !#$%'()*+,-.:;=?@[]^_`{|}", "\"~ !#$%'()*+,-.:;=?@[]^_`{|}\"");
}

static void
canon_quotes_backslash_and_short_escapes(void **state)
{
	(void)state;
	CHECK("\"", "\"\\\"\"");
	CHECK("\\", "\"\\\\\"");
	CHECK("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
}

static void
canon_html_characters_escaped(void **state)
{
	(void)state;
	CHECK("<", "\"\\u003c\"");
	CHECK(">", "\"\\u003e\"");
	CHECK("&", "\"\\u0026\"");
	CHECK("dev<&>1", "\"dev\\u003c\\u0026\\u003e1\"");
}

/* Every byte below 0x20: \n \r \t short, the rest \u00xx in lower hex. */
static void
canon_all_c0_bytes(void **state)
{
	static const char hex[] = "0123456789abcdef";
	char want[16];
	unsigned char c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		char in = (char)c;

		if (c == '\n')
			strcpy(want, "\"\\n\"");
		else if (c == '\r')
			strcpy(want, "\"\\r\"");
		else if (c == '\t')
			strcpy(want, "\"\\t\"");
		else
			snprintf(want, sizeof(want), "\"\\u00%c%c\"",
			    hex[c >> 4], hex[c & 0xF]);
		check(&in, 1, want);
	}
	CHECK("b\bf\fr\r", "\"b\\u0008f\\u000cr\\r\"");
}

/* Every byte from 0x20 to 0x7f: as it is, but for the five Go escapes
 * (canon.c keeps this set in a table). */
static void
canon_all_ascii_bytes(void **state)
{
	char want[16];
	unsigned int c;

	(void)state;
	for (c = 0x20; c < 0x80; c++) {
		char in = (char)c;

		if (c == '"')
			strcpy(want, "\"\\\"\"");
		else if (c == '\\')
			strcpy(want, "\"\\\\\"");
		else if (c == '<' || c == '>' || c == '&')
			snprintf(want, sizeof(want), "\"\\u00%02x\"", c);
		else
			snprintf(want, sizeof(want), "\"%c\"", (char)c);
		check(&in, 1, want);
	}
}

static void
canon_line_and_paragraph_separators(void **state)
{
	(void)state;
	CHECK("\xe2\x80\xa8", "\"\\u2028\"");
	CHECK("\xe2\x80\xa9", "\"\\u2029\"");
	CHECK("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "\"a\\u2028b\\u2029c\"");
	/* Their neighbours are ordinary characters. */
	CHECK("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

static void
canon_valid_multibyte_as_is(void **state)
{
	(void)state;
	CHECK("Ger\xc3\xa4t-K\xc3\xbc" "che-01",
	    "\"Ger\xc3\xa4t-K\xc3\xbc" "che-01\"");
	CHECK("\xc2\x80\xc2\x9f", "\"\xc2\x80\xc2\x9f\"");	/* C1 as is */
	CHECK("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");		/* U+FFFD */
	CHECK("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	/* U+1F600 */
	CHECK("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
	CHECK("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");		/* U+D7FF */
	CHECK("\xee\x80\x80", "\"\xee\x80\x80\"");		/* U+E000 */
}

#define FFFD "\\ufffd"

/* Each byte that does not start a valid sequence becomes one \ufffd. */
static void
canon_invalid_utf8_each_byte_replaced(void **state)
{
	unsigned c;
	char in;

	(void)state;
	CHECK("\x80", "\"" FFFD "\"");
	CHECK("\xbf", "\"" FFFD "\"");
	CHECK("a\xff" "b", "\"a" FFFD "b\"");
	for (c = 0xf5; c <= 0xff; c++) {
		in = (char)c;
		check(&in, 1, "\"" FFFD "\"");
	}
	/* Overlong encodings ("/" and NUL and U+07FF spelled long). */
	CHECK("\xc0\xaf", "\"" FFFD FFFD "\"");
	CHECK("\xc1\xbf", "\"" FFFD FFFD "\"");
	CHECK("\xc0\x80", "\"" FFFD FFFD "\"");
	CHECK("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
	CHECK("\xe0\x9f\xbf", "\"" FFFD FFFD FFFD "\"");
	CHECK("\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK("\xf0\x8f\xbf\xbf", "\"" FFFD FFFD FFFD FFFD "\"");
	/* UTF-16 surrogates U+D800, U+DFFF. */
	CHECK("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
	CHECK("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"");
	/* Above U+10FFFF. */
	CHECK("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	/* Truncated sequences, at the end and before ASCII. */
	CHECK("\xe2\x82", "\"" FFFD FFFD "\"");
	CHECK("\xe2\x82" "A", "\"" FFFD FFFD "A\"");
	CHECK("\xf0\x9f\x98", "\"" FFFD FFFD FFFD "\"");
	CHECK("\xc3", "\"" FFFD "\"");
	/* A bad byte inside a sequence: the lead is replaced, the rest is
	 * read again on its own. */
	CHECK("\xe2\x28\xa1", "\"" FFFD "(" FFFD "\"");
	/* A truncated separator is not a separator. */
	CHECK("\xe2\x80", "\"" FFFD FFFD "\"");
}

static void
canon_embedded_nul(void **state)
{
	(void)state;
	check("a\0b", 3, "\"a\\u0000b\"");
}

static void
canon_cstr_key_and_int(void **state)
{
	idprov_buf b = IDPROV_BUF_INIT;
	size_t len = 0;
	char *out;

	(void)state;
	idprov_canon_cstr(&b, NULL);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "k<");
	idprov_canon_int(&b, 0);
	idprov_buf_append_char(&b, ',');
	idprov_canon_int(&b, -42);
	idprov_buf_append_char(&b, ',');
	idprov_canon_int(&b, LLONG_MAX);
	out = idprov_buf_take(&b, &len);
	assert_bytes(out, len, "\"\",\"k\\u003c\":0,-42,9223372036854775807");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canon_plain_ascii_slash_and_del_as_is),
		cmocka_unit_test(canon_quotes_backslash_and_short_escapes),
		cmocka_unit_test(canon_html_characters_escaped),
		cmocka_unit_test(canon_all_c0_bytes),
		cmocka_unit_test(canon_all_ascii_bytes),
		cmocka_unit_test(canon_line_and_paragraph_separators),
		cmocka_unit_test(canon_valid_multibyte_as_is),
		cmocka_unit_test(canon_invalid_utf8_each_byte_replaced),
		cmocka_unit_test(canon_embedded_nul),
		cmocka_unit_test(canon_cstr_key_and_int),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
