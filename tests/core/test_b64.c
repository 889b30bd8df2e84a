/*
 * test_b64.c - strict base64 and the "PEM or base64 of PEM" fields.
 */
#include "core_test.h"
#include "lib/core/b64.h"

static void
expect_decode(const char *in, const char *want)
{
	unsigned char *out = NULL;
	size_t len = 0;
	idprov_error err;

	if (idprov_b64_decode(in, strlen(in), &out, &len, &err) != IDPROV_OK) {
		print_error("expected \"%s\" to decode: %s\n", in, err.msg);
		fail();
	}
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	assert_int_equal(out[len], '\0');
	free(out);
}

static void
expect_refused(const char *in)
{
	unsigned char *out = (unsigned char *)"x";
	size_t len = 7;
	idprov_error err;

	if (idprov_b64_decode(in, strlen(in), &out, &len, &err) !=
	    IDPROV_ERR_INVALID) {
		print_error("expected \"%s\" to be refused\n", in);
		fail();
	}
	assert_null(out);
	assert_int_equal(len, 0);
	assert_msg_has(err.msg, "base64");
}

static void
b64_rfc4648_vectors(void **state)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	    "Zm9vYmE=", "Zm9vYmFy" };
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++) {
		char *e = idprov_b64_encode(plain[i], strlen(plain[i]));

		assert_non_null(e);
		assert_string_equal(e, coded[i]);
		free(e);
		expect_decode(coded[i], plain[i]);
	}
}

static void
b64_all_bytes_round_trip(void **state)
{
	unsigned char data[256], *out = NULL;
	size_t i, n, len = 0;
	idprov_error err;
	char *e;

	(void)state;
	for (i = 0; i < 256; i++)
		data[i] = (unsigned char)i;
	for (n = 250; n <= 256; n++) {
		e = idprov_b64_encode(data, n);
		assert_non_null(e);
		assert_int_equal(strlen(e), (n + 2) / 3 * 4);
		assert_int_equal(idprov_b64_decode(e, strlen(e), &out, &len,
		    &err), IDPROV_OK);
		assert_int_equal(len, n);
		assert_memory_equal(out, data, n);
		free(out);
		free(e);
	}
}

static void
b64_strict_refusals(void **state)
{
	(void)state;
	expect_refused("Zg");		/* padding missing */
	expect_refused("Zg=");
	expect_refused("Zm9");
	expect_refused("Zm9v\n");	/* whitespace */
	expect_refused(" Zm9v");
	expect_refused("Zm 9v");
	expect_refused("Zm9v!A==");	/* not the alphabet */
	expect_refused("Zm-_");		/* URL alphabet */
	expect_refused("Zg==Zg==");	/* padding in the middle */
	expect_refused("Z===");
	expect_refused("====");
	expect_refused("Zm=v");
	expect_refused("Zh==");		/* non-zero bits under the padding */
	expect_refused("Zm9=");
}

static void
b64_embedded_nul_in_input(void **state)
{
	unsigned char *out = NULL;
	size_t len = 0;
	idprov_error err;

	(void)state;
	assert_int_equal(idprov_b64_decode("Zm\0v", 4, &out, &len, &err),
	    IDPROV_ERR_INVALID);
	assert_null(out);
}

#define PEM "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"

static void
pem_from_wire_both_forms(void **state)
{
	idprov_error err;
	char *pem = NULL, *b64;

	(void)state;
	assert_int_equal(idprov_pem_from_wire(PEM, "caCert", &pem, &err),
	    IDPROV_OK);
	assert_string_equal(pem, PEM);
	free(pem);
	b64 = idprov_b64_encode(PEM, strlen(PEM));
	assert_non_null(b64);
	assert_int_equal(idprov_pem_from_wire(b64, "caCert", &pem, &err),
	    IDPROV_OK);
	assert_string_equal(pem, PEM);
	free(pem);
	free(b64);
}

static void
pem_from_wire_garbage(void **state)
{
	static const char nul_pem[] = "-----BEGIN X\0-----";
	idprov_error err;
	char *pem = (char *)"x", *b64;

	(void)state;
	assert_int_equal(idprov_pem_from_wire("", "caCert", &pem, &err),
	    IDPROV_ERR_INVALID);
	assert_null(pem);
	assert_msg_has(err.msg, "caCert");
	assert_int_equal(idprov_pem_from_wire(NULL, "caCert", &pem, &err),
	    IDPROV_ERR_INVALID);
	assert_int_equal(idprov_pem_from_wire("not base64!", "clientCert",
	    &pem, &err), IDPROV_ERR_INVALID);
	assert_null(pem);
	assert_msg_has(err.msg, "clientCert");
	/* Valid base64 of something that is not PEM. */
	assert_int_equal(idprov_pem_from_wire("aGVsbG8=", "clientCert", &pem,
	    &err), IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "clientCert");
	assert_msg_has(err.msg, "PEM");
	/* Base64 of PEM that hides a NUL byte. */
	b64 = idprov_b64_encode(nul_pem, sizeof(nul_pem) - 1);
	assert_non_null(b64);
	assert_int_equal(idprov_pem_from_wire(b64, "caCert", &pem, &err),
	    IDPROV_ERR_INVALID);
	assert_null(pem);
	free(b64);
	/* PEM-looking text that is base64-decodable is still taken as PEM
	 * only when it starts with the marker; a leading space is neither. */
	assert_int_equal(idprov_pem_from_wire(" " PEM, "caCert", &pem, &err),
	    IDPROV_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_rfc4648_vectors),
		cmocka_unit_test(b64_all_bytes_round_trip),
		cmocka_unit_test(b64_strict_refusals),
		cmocka_unit_test(b64_embedded_nul_in_input),
		cmocka_unit_test(pem_from_wire_both_forms),
		cmocka_unit_test(pem_from_wire_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
