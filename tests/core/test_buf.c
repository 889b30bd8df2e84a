/*
 * test_buf.c - the growable buffer: growth, NUL termination, take/free.
 */
#include "core_test.h"
#include "lib/core/buf.h"

static void
buf_appends_and_stays_nul_terminated(void **state)
{
	idprov_buf b = IDPROV_BUF_INIT;
	size_t len = 0, i;
	char *s;

	(void)state;
	assert_int_equal(idprov_buf_append_str(&b, "ab"), IDPROV_OK);
	assert_int_equal(idprov_buf_append_char(&b, 'c'), IDPROV_OK);
	assert_int_equal(idprov_buf_append(&b, "d\0e", 3), IDPROV_OK);
	assert_int_equal(b.len, 6);
	assert_int_equal(b.data[6], '\0');
	/* Grow well past the first allocation. */
	for (i = 0; i < 10000; i++)
		assert_int_equal(idprov_buf_append_char(&b, 'x'), IDPROV_OK);
	assert_int_equal(b.len, 10006);
	assert_int_equal(b.data[b.len], '\0');
	s = idprov_buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 10006);
	assert_memory_equal(s, "abcd\0e", 6);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
buf_take_of_empty_is_empty_string(void **state)
{
	idprov_buf b = IDPROV_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	s = idprov_buf_take(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void
buf_failed_stays_failed(void **state)
{
	idprov_buf b = IDPROV_BUF_INIT;

	(void)state;
	idprov_buf_append_str(&b, "abc");
	b.failed = 1;
	assert_int_equal(idprov_buf_append_str(&b, "x"), IDPROV_ERR_NOMEM);
	assert_null(idprov_buf_take(&b, NULL));
	assert_null(b.data);
	idprov_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_appends_and_stays_nul_terminated),
		cmocka_unit_test(buf_take_of_empty_is_empty_string),
		cmocka_unit_test(buf_failed_stays_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
