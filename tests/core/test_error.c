/*
 * test_error.c - idprov_error and idprov_status_str.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core_test.h"
#include "lib/core/error.h"

static void
error_set_returns_status_and_sentence(void **state)
{
	idprov_error err;

	(void)state;
	idprov_error_clear(&err);
	assert_int_equal(err.status, IDPROV_OK);
	assert_string_equal(err.msg, "");
	assert_int_equal(idprov_error_set(&err, IDPROV_ERR_INVALID,
	    "field \"%s\" is %d bytes", "deviceID", 65), IDPROV_ERR_INVALID);
	assert_int_equal(err.status, IDPROV_ERR_INVALID);
	assert_string_equal(err.msg, "field \"deviceID\" is 65 bytes");
	/* A NULL err is allowed everywhere. */
	assert_int_equal(idprov_error_set(NULL, IDPROV_ERR_IO, "x"),
	    IDPROV_ERR_IO);
	idprov_error_clear(NULL);
}

static void
error_set_truncates_and_strips_controls(void **state)
{
	char longer[IDPROV_ERROR_MAX * 2];
	idprov_error err;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	idprov_error_set(&err, IDPROV_ERR_INVALID, "%s", longer);
	assert_int_equal(strlen(err.msg), IDPROV_ERROR_MAX - 1);
	idprov_error_set(&err, IDPROV_ERR_INVALID, "a\nb\rc\x1b[0m\x7f" "d");
	assert_string_equal(err.msg, "a?b?c?[0m?d");
}

static void
error_set_ssl_appends_reason_and_clears_queue(void **state)
{
	idprov_error err;
	EVP_PKEY *k;
	const unsigned char junk[3] = { 1, 2, 3 }, *p = junk;

	(void)state;
	k = d2i_PUBKEY(NULL, &p, sizeof(junk));
	assert_null(k);
	assert_int_not_equal(ERR_peek_error(), 0);
	assert_int_equal(idprov_error_set_ssl(&err, IDPROV_ERR_INVALID,
	    "key %s", "broken"), IDPROV_ERR_INVALID);
	assert_true(strncmp(err.msg, "key broken: ", 12) == 0);
	assert_true(strlen(err.msg) > 12);
	assert_int_equal(ERR_peek_error(), 0);
	/* With an empty queue, just the sentence. */
	idprov_error_set_ssl(&err, IDPROV_ERR_CRYPTO, "nothing queued");
	assert_string_equal(err.msg, "nothing queued");
}

static void
status_str_names_every_status(void **state)
{
	int st, other;

	(void)state;
	assert_string_equal(idprov_status_str(IDPROV_OK), "ok");
	assert_string_equal(idprov_status_str(IDPROV_ERR_INVALID),
	    "invalid input");
	for (st = IDPROV_OK; st <= IDPROV_ERR_STATE; st++) {
		const char *s = idprov_status_str((idprov_status)st);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown status");
		for (other = IDPROV_OK; other < st; other++)
			assert_string_not_equal(s,
			    idprov_status_str((idprov_status)other));
	}
	assert_string_equal(idprov_status_str((idprov_status)999),
	    "unknown status");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_set_returns_status_and_sentence),
		cmocka_unit_test(error_set_truncates_and_strips_controls),
		cmocka_unit_test(error_set_ssl_appends_reason_and_clears_queue),
		cmocka_unit_test(status_str_names_every_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
