/*
 * test_sign.c - the six signatures of WIRE.md, and verification's
 * refusals.
 */
#include "core_test.h"
#include "lib/core/sign.h"
#include "vectors.h"

static char *
dup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void
make_request(idprov_prov_request *m, const char *id, const char *ip,
    const char *mac, const char *pem)
{
	memset(m, 0, sizeof(*m));
	m->device_id = dup(id);
	m->ip = dup(ip);
	m->mac = dup(mac);
	m->public_key_pem = dup(pem);
}

/* Sign under key, compare with the vector, verify, and refuse a wrong key. */
static void
check_request(idprov_prov_request *m, const char *key, const char *want)
{
	idprov_error err;

	assert_int_equal(idprov_prov_request_sign(m, key, strlen(key), &err),
	    IDPROV_OK);
	assert_string_equal(m->signature, want);
	assert_int_equal(idprov_prov_request_verify(m, key, strlen(key), &err),
	    IDPROV_OK);
	assert_int_equal(idprov_prov_request_verify(m, "wrong", 5, &err),
	    IDPROV_ERR_VERIFY);
	assert_msg_has(err.msg, "signature");
	/* Verification does not touch the message. */
	assert_string_equal(m->signature, want);
	idprov_prov_request_free(m);
}

static void
sign_request_vectors(void **state)
{
	idprov_prov_request m;

	(void)state;
	make_request(&m, "device1", "192.0.2.2", "02:00:00:00:00:01", VEC_P);
	check_request(&m, "s3cret", VEC_REQ1_SIG);
	make_request(&m, "dev<&>1", "10.0.0.7", "", VEC_P);
	check_request(&m, "p@ss w0rd", VEC_REQ2_SIG);
	make_request(&m, VEC_REQ3_ID, "fe80::1", "aa:bb:cc:dd:ee:ff", VEC_P);
	check_request(&m, VEC_REQ3_KEY, VEC_REQ3_SIG);
	make_request(&m, "b\bf\fr\r", "", "", "");
	check_request(&m, "k", VEC_REQ4_SIG);
}

static void
sign_response_vectors_including_empty_key(void **state)
{
	idprov_prov_response m = { 0 };
	idprov_error err;

	(void)state;
	m.retry_sec = 3600;
	m.status = dup("Approved");
	m.ca_cert = dup(VEC_CA_PEM);
	m.client_cert = dup(VEC_CERT_PEM);
	m.signature = dup("something stale");
	assert_int_equal(idprov_prov_response_sign(&m, "s3cret", 6, &err),
	    IDPROV_OK);
	assert_string_equal(m.signature, VEC_RESP1_SIG);
	assert_int_equal(idprov_prov_response_verify(&m, "s3cret", 6, &err),
	    IDPROV_OK);
	assert_int_equal(idprov_prov_response_verify(&m, "", 0, &err),
	    IDPROV_ERR_VERIFY);
	idprov_prov_response_free(&m);

	/* Renewal: the empty key, given as "" or as NULL. */
	m.status = dup("Approved");
	m.ca_cert = dup("CA");
	m.client_cert = dup("CERT");
	assert_int_equal(idprov_prov_response_sign(&m, "", 0, &err), IDPROV_OK);
	assert_string_equal(m.signature, VEC_RESP2_SIG);
	assert_int_equal(idprov_prov_response_verify(&m, NULL, 0, &err),
	    IDPROV_OK);
	assert_int_equal(idprov_prov_response_sign(&m, NULL, 0, &err),
	    IDPROV_OK);
	assert_string_equal(m.signature, VEC_RESP2_SIG);
	assert_int_equal(idprov_prov_response_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	idprov_prov_response_free(&m);
}

/* Written and signed in one go: the same bytes as sign, then write. */
static void
response_write_signed_matches_two_steps(void **state)
{
	static const char *const statuses[] = { "Approved", "Rejected" };
	static const long long retry[] = { 3600, 0 };
	idprov_prov_response m = { 0 };
	idprov_error err;
	char *one, *two;
	size_t one_len = 0, two_len = 0;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		m.retry_sec = retry[i];
		m.status = dup(statuses[i]);
		m.ca_cert = dup(i == 0 ? VEC_CA_PEM : "");
		m.client_cert = dup(i == 0 ? VEC_CERT_PEM : "<&>\u2028");
		one = idprov_prov_response_write_signed(&m, "s3cret", 6,
		    &one_len, &err);
		assert_non_null(one);
		assert_int_equal(idprov_prov_response_sign(&m, "s3cret", 6,
		    &err), IDPROV_OK);
		two = idprov_prov_response_write(&m, &two_len);
		assert_non_null(two);
		assert_int_equal(one_len, two_len);
		assert_memory_equal(one, two, two_len);
		assert_int_equal(one[one_len], '\0');
		if (i == 0)
			assert_non_null(strstr(one, VEC_RESP1_SIG));
		free(one);
		free(two);
		idprov_prov_response_free(&m);
	}
	/* The empty key (renewal), given as NULL. */
	m.status = dup("Approved");
	m.ca_cert = dup("CA");
	m.client_cert = dup("CERT");
	one = idprov_prov_response_write_signed(&m, NULL, 0, &one_len, &err);
	assert_non_null(one);
	assert_non_null(strstr(one, VEC_RESP2_SIG));
	free(one);
	idprov_prov_response_free(&m);
}

static void
sign_hmac_b64_direct(void **state)
{
	char out[IDPROV_SIGNATURE_B64_LEN + 1];
	idprov_error err;

	(void)state;
	assert_int_equal(idprov_hmac_b64("", 0, VEC_RESP2_CANON,
	    strlen(VEC_RESP2_CANON), out, &err), IDPROV_OK);
	assert_string_equal(out, VEC_RESP2_SIG);
	assert_int_equal(strlen(out), IDPROV_SIGNATURE_B64_LEN);
	assert_int_equal(idprov_hmac_b64("s3cret", 6, VEC_REQ1_CANON,
	    strlen(VEC_REQ1_CANON), out, &err), IDPROV_OK);
	assert_string_equal(out, VEC_REQ1_SIG);
	/* RFC 4231 test case 2. */
	assert_int_equal(idprov_hmac_b64("Jefe", 4,
	    "what do ya want for nothing?", 28, out, &err), IDPROV_OK);
	assert_string_equal(out, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

/* The receiver's path: parse the bytes as sent, then verify. */
static void
sign_verify_after_parse(void **state)
{
	static const char body[] = "{\"mac\":\"\",\"signature\":\"" VEC_REQ2_SIG
	    "\", \"deviceID\":\"dev<&>1\",\"ip\":\"10.0.0.7\",\"publicKeyPEM\":\""
	    VEC_P_JSON "\"}";
	idprov_prov_request m;
	idprov_error err;

	(void)state;
	/* Neither key order, whitespace nor unescaped <&> matter: the
	 * signature is over the canonical form. */
	assert_int_equal(idprov_prov_request_parse(body, strlen(body), &m,
	    &err), IDPROV_OK);
	assert_int_equal(idprov_prov_request_verify(&m, "p@ss w0rd", 9, &err),
	    IDPROV_OK);
	idprov_prov_request_free(&m);
}

static void
sign_verify_refusals(void **state)
{
	idprov_prov_request m;
	idprov_error err;
	char *saved;

	(void)state;
	make_request(&m, "device1", "192.0.2.2", "02:00:00:00:00:01", VEC_P);
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);	/* no signature at all */
	m.signature = dup(VEC_REQ1_SIG);
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_OK);
	/* Any field changed: refused. */
	free(m.mac);
	m.mac = dup("02:00:00:00:00:02");
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	assert_msg_has(err.msg, "provisioning request");
	free(m.mac);
	m.mac = dup("02:00:00:00:00:01");
	/* A secret one byte longer or shorter: refused. */
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret!", 7, &err),
	    IDPROV_ERR_VERIFY);
	assert_int_equal(idprov_prov_request_verify(&m, "s3cre", 5, &err),
	    IDPROV_ERR_VERIFY);
	/* A signature with the last character changed, cut short, or with
	 * trailing bytes: refused. */
	saved = m.signature;
	m.signature = dup(VEC_REQ1_SIG);
	m.signature[42] = m.signature[42] == 'a' ? 'b' : 'a';
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	m.signature[42] = '\0';
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	free(m.signature);
	m.signature = dup(VEC_REQ1_SIG "AAAA");
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	free(m.signature);
	m.signature = dup("");
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_ERR_VERIFY);
	free(m.signature);
	m.signature = saved;
	assert_int_equal(idprov_prov_request_verify(&m, "s3cret", 6, &err),
	    IDPROV_OK);
	idprov_prov_request_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_request_vectors),
		cmocka_unit_test(sign_response_vectors_including_empty_key),
		cmocka_unit_test(response_write_signed_matches_two_steps),
		cmocka_unit_test(sign_hmac_b64_direct),
		cmocka_unit_test(sign_verify_after_parse),
		cmocka_unit_test(sign_verify_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
