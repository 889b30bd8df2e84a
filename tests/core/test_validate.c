/*
 * test_validate.c - field contents: deviceID, ip, mac boundaries and the
 * public keys accepted or refused (keys generated here with OpenSSL).
 */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core_test.h"
#include "lib/core/b64.h"
#include "lib/core/validate.h"
#include "vectors.h"

/* ---- text fields ---- */

static char *
repeat(char c, size_t n, const char *tail)
{
	char *s = malloc(n + strlen(tail) + 1);

	assert_non_null(s);
	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

static void
expect_id_ok(const char *id)
{
	idprov_error err;

	if (idprov_validate_device_id(id, &err) != IDPROV_OK) {
		print_error("expected deviceID \"%s\" to be accepted: %s\n", id,
		    err.msg);
		fail();
	}
}

static void
expect_id_refused(const char *id, const char *part)
{
	idprov_error err;

	if (idprov_validate_device_id(id, &err) != IDPROV_ERR_INVALID) {
		print_error("expected deviceID \"%s\" to be refused\n",
		    id != NULL ? id : "(null)");
		fail();
	}
	assert_msg_has(err.msg, "deviceID");
	assert_msg_has(err.msg, part);
}

static void
validate_device_id_lengths(void **state)
{
	char *s;

	(void)state;
	expect_id_refused("", "empty");
	expect_id_refused(NULL, "missing");
	expect_id_ok("a");
	s = repeat('a', 64, "");
	expect_id_ok(s);
	free(s);
	s = repeat('a', 65, "");
	expect_id_refused(s, "65 bytes");
	free(s);
	/* The limit is bytes, not characters: a two-byte character that
	 * ends at byte 64 fits, one that ends at 65 does not. */
	s = repeat('a', 62, "\xc3\xa4");
	expect_id_ok(s);
	free(s);
	s = repeat('a', 63, "\xc3\xa4");
	expect_id_refused(s, "65 bytes");
	free(s);
	/* Cut in the middle of the character: not UTF-8. */
	s = repeat('a', 63, "\xc3");
	expect_id_refused(s, "UTF-8");
	free(s);
}

static void
validate_device_id_utf8_and_controls(void **state)
{
	char s[4];
	unsigned c;

	(void)state;
	expect_id_ok("device1");
	expect_id_ok(VEC_REQ3_ID);
	expect_id_ok("dev<&>1");
	expect_id_ok("a b/c\\d\"e");
	expect_id_ok("\xc2\xa0nbsp");			/* U+00A0: after C1 */
	expect_id_ok("\xf0\x9f\x98\x80");		/* U+1F600 */
	expect_id_refused("\xff", "UTF-8");
	expect_id_refused("a\x80", "UTF-8");
	expect_id_refused("\xc0\xaf", "UTF-8");		/* overlong "/" */
	expect_id_refused("\xe0\x80\xaf", "UTF-8");
	expect_id_refused("\xed\xa0\x80", "UTF-8");	/* surrogate */
	expect_id_refused("\xf4\x90\x80\x80", "UTF-8");	/* > U+10FFFF */
	for (c = 1; c < 0x20; c++) {
		s[0] = 'x';
		s[1] = (char)c;
		s[2] = '\0';
		expect_id_refused(s, "control character");
	}
	expect_id_refused("x\x7f", "control character");
	expect_id_refused("x\xc2\x80", "U+0080");
	expect_id_refused("x\xc2\x85y", "U+0085");
	expect_id_refused("\xc2\x9f", "U+009F");
	expect_id_refused("b\bf\fr\r", "control character");
}

static void
validate_ip_and_mac(void **state)
{
	idprov_error err;
	char *s;

	(void)state;
	assert_int_equal(idprov_validate_ip("", &err), IDPROV_OK);
	assert_int_equal(idprov_validate_ip("192.0.2.2", &err), IDPROV_OK);
	assert_int_equal(idprov_validate_ip("<nil>", &err), IDPROV_OK);
	assert_int_equal(idprov_validate_ip("fe80::1%eth0", &err), IDPROV_OK);
	assert_int_equal(idprov_validate_mac("", &err), IDPROV_OK);
	assert_int_equal(idprov_validate_mac("02:00:00:00:00:01", &err),
	    IDPROV_OK);
	s = repeat('1', 64, "");
	assert_int_equal(idprov_validate_ip(s, &err), IDPROV_OK);
	assert_int_equal(idprov_validate_mac(s, &err), IDPROV_OK);
	free(s);
	s = repeat('1', 65, "");
	assert_int_equal(idprov_validate_ip(s, &err), IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "ip");
	assert_int_equal(idprov_validate_mac(s, &err), IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "mac");
	free(s);
	assert_int_equal(idprov_validate_ip("10.0.0.1\n", &err),
	    IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "ip");
	assert_msg_has(err.msg, "control");
	assert_int_equal(idprov_validate_mac("aa\x1b[31m", &err),
	    IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "mac");
	assert_int_equal(idprov_validate_mac("\xc2\x9b", &err),
	    IDPROV_ERR_INVALID);
	assert_int_equal(idprov_validate_ip("\xfe", &err), IDPROV_ERR_INVALID);
	assert_msg_has(err.msg, "UTF-8");
	assert_int_equal(idprov_validate_ip(NULL, &err), IDPROV_ERR_INVALID);
}

static void
validate_utf8_valid(void **state)
{
	(void)state;
	assert_true(idprov_utf8_valid("", 0));
	assert_true(idprov_utf8_valid("abc", 3));
	assert_true(idprov_utf8_valid("a\0b", 3));
	assert_true(idprov_utf8_valid("\xe2\x80\xa8", 3));
	assert_false(idprov_utf8_valid("\xe2\x80", 2));
	assert_false(idprov_utf8_valid("\xc1\x81", 2));
	assert_false(idprov_utf8_valid("\xed\xbf\xbf", 3));
	assert_false(idprov_utf8_valid("\xf8\x88\x80\x80\x80", 5));
}

/* ---- public keys ---- */

static EVP_PKEY *
gen(const char *type, const char *curve)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	else if (curve != NULL)
		k = EVP_PKEY_Q_keygen(NULL, NULL, type, curve);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	assert_non_null(k);
	return k;
}

static char *
bio_text(BIO *bio)
{
	char *data, *s;
	long n = BIO_get_mem_data(bio, &data);

	s = malloc((size_t)n + 1);
	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(bio);
	return s;
}

static char *
public_pem(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());

	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, k), 1);
	return bio_text(bio);
}

static char *
private_pem(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());

	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	return bio_text(bio);
}

/* PEM of arbitrary DER with the PUBLIC KEY label. */
static char *
der_pem(const unsigned char *der, size_t len)
{
	char *b64 = idprov_b64_encode(der, len), *s;

	assert_non_null(b64);
	s = malloc(strlen(b64) + 80);
	assert_non_null(s);
	sprintf(s, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
	    b64);
	free(b64);
	return s;
}

static void
expect_key_ok(EVP_PKEY *k, const char *pem)
{
	EVP_PKEY *got = NULL;
	idprov_error err;

	if (idprov_validate_public_key_pem(pem, &got, &err) != IDPROV_OK) {
		print_error("expected the key to be accepted: %s\n%s", err.msg,
		    pem);
		fail();
	}
	assert_non_null(got);
	if (k != NULL)
		assert_int_equal(EVP_PKEY_eq(got, k), 1);
	EVP_PKEY_free(got);
	/* key_out is optional. */
	assert_int_equal(idprov_validate_public_key_pem(pem, NULL, &err),
	    IDPROV_OK);
}

static void
expect_key_refused(const char *pem, idprov_status st, const char *part)
{
	EVP_PKEY *got = (EVP_PKEY *)&got;
	idprov_error err;

	if (idprov_validate_public_key_pem(pem, &got, &err) != st) {
		print_error("expected the key to be refused (%s):\n%s\n", part,
		    pem != NULL ? pem : "(null)");
		fail();
	}
	assert_null(got);
	assert_msg_has(err.msg, part);
}

static void
validate_key_accepted_types(void **state)
{
	static const char *types[][2] = {
		{ "EC", "P-256" }, { "EC", "P-384" }, { "ED25519", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		EVP_PKEY *k = gen(types[i][0], types[i][1]);
		char *pem = public_pem(k);

		expect_key_ok(k, pem);
		free(pem);
		EVP_PKEY_free(k);
	}
	expect_key_ok(NULL, VEC_P);
}

/* The key built on the fast path is a full key: it encodes back to the
 * same SubjectPublicKeyInfo (what the issuer puts in the certificate). */
static void
validate_key_fast_path_encodes_back(void **state)
{
	static const char b64[] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4"
	    "Pb3pIhlbXoNOhesDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==";
	unsigned char *der = NULL, *again = NULL;
	size_t der_len = 0;
	EVP_PKEY *k = NULL;
	idprov_error err;
	int n;

	(void)state;
	assert_int_equal(idprov_b64_decode(b64, strlen(b64), &der, &der_len,
	    &err), IDPROV_OK);
	assert_int_equal(idprov_validate_public_key_pem(VEC_P, &k, &err),
	    IDPROV_OK);
	assert_true(EVP_PKEY_is_a(k, "EC"));
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	n = i2d_PUBKEY(k, &again);
	assert_int_equal(n, (int)der_len);
	assert_memory_equal(again, der, der_len);
	OPENSSL_free(again);
	EVP_PKEY_free(k);
	free(der);
}

static void
validate_key_p256_variants(void **state)
{
	EVP_PKEY *k = gen("EC", "P-256");
	char *pem, *crlf, *p, *q;

	(void)state;
	/* CRLF line ends and trailing whitespace. */
	pem = public_pem(k);
	crlf = malloc(strlen(pem) * 2 + 8);
	assert_non_null(crlf);
	for (p = pem, q = crlf; *p != '\0'; p++) {
		if (*p == '\n')
			*q++ = '\r';
		*q++ = *p;
	}
	strcpy(q, "  \n");
	expect_key_ok(k, crlf);
	free(crlf);
	free(pem);
	/* A compressed point takes the generic path, and is the same key. */
	assert_int_equal(EVP_PKEY_set_utf8_string_param(k,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	pem = public_pem(k);
	assert_true(strlen(pem) < strlen(VEC_P));
	expect_key_ok(k, pem);
	/* ...handed on uncompressed, so the certificate issued for it holds
	 * the standard 91-byte SPKI that every peer can parse. */
	{
		EVP_PKEY *out = NULL;

		assert_int_equal(idprov_validate_public_key_pem(pem, &out,
		    NULL), IDPROV_OK);
		assert_int_equal(i2d_PUBKEY(out, NULL), 91);
		EVP_PKEY_free(out);
	}
	free(pem);
	EVP_PKEY_free(k);
}

static void
validate_key_refused_types(void **state)
{
	EVP_PKEY *k;
	char *pem, *p;

	(void)state;
	k = gen("RSA", NULL);
	pem = public_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID,
	    "RSA keys are not accepted; use EC P-256");
	free(pem);
	/* The PKCS#1 label is refused by name without decoding. */
	expect_key_refused("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n"
	    "-----END RSA PUBLIC KEY-----\n", IDPROV_ERR_INVALID,
	    "RSA keys are not accepted");
	pem = private_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "private key");
	free(pem);
	EVP_PKEY_free(k);

	k = gen("EC", "secp256k1");
	pem = public_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID,
	    "EC curve secp256k1 is not accepted");
	free(pem);
	pem = private_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "private key");
	free(pem);
	EVP_PKEY_free(k);

	k = gen("EC", "P-521");
	pem = public_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID,
	    "EC curve secp521r1 is not accepted");
	free(pem);
	EVP_PKEY_free(k);

	k = gen("X25519", NULL);
	pem = public_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID,
	    "X25519 keys are not accepted");
	free(pem);
	EVP_PKEY_free(k);

	k = gen("ED448", NULL);
	pem = public_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID,
	    "ED448 keys are not accepted");
	free(pem);

	/* A private key of an accepted type is still a private key. */
	EVP_PKEY_free(k);
	k = gen("EC", "P-256");
	pem = private_pem(k);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "private key");
	free(pem);
	/* The traditional "EC PRIVATE KEY" label too. */
	pem = strdup("-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
	    "-----END EC PRIVATE KEY-----\n");
	assert_non_null(pem);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "private key");
	free(pem);
	/* A certificate is not a public key. */
	expect_key_refused("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", IDPROV_ERR_INVALID, "CERTIFICATE");
	EVP_PKEY_free(k);
	(void)p;
}

static void
validate_key_garbage(void **state)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	idprov_error err;
	const char *b64;
	char *pem, *big;

	(void)state;
	expect_key_refused(NULL, IDPROV_ERR_INVALID, "publicKeyPEM is empty");
	expect_key_refused("", IDPROV_ERR_INVALID, "publicKeyPEM is empty");
	expect_key_refused("hello", IDPROV_ERR_INVALID, "publicKeyPEM");
	expect_key_refused(" " VEC_P, IDPROV_ERR_INVALID, "publicKeyPEM");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\n!!!!\n"
	    "-----END PUBLIC KEY-----\n", IDPROV_ERR_INVALID, "base64");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\n"
	    "-----END PUBLIC KEY-----\n", IDPROV_ERR_INVALID, "base64");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\nAAAA\n",
	    IDPROV_ERR_INVALID, "END");
	expect_key_refused(VEC_P "more", IDPROV_ERR_INVALID, "after its END");
	expect_key_refused(VEC_P VEC_P, IDPROV_ERR_INVALID, "after its END");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n", IDPROV_ERR_INVALID,
	    "not a valid public key");
	/* Over the size limit, even if it were a key. */
	big = malloc(IDPROV_PUBKEY_PEM_MAX + 2);
	assert_non_null(big);
	memset(big, 'A', IDPROV_PUBKEY_PEM_MAX + 1);
	memcpy(big, VEC_P, strlen(VEC_P) - 1);
	big[IDPROV_PUBKEY_PEM_MAX + 1] = '\0';
	expect_key_refused(big, IDPROV_ERR_TOO_LARGE, "publicKeyPEM");
	free(big);

	/* The P vector's DER, tampered with. */
	b64 = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4Pb3pIhlbXoNOh"
	    "esDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==";
	assert_int_equal(idprov_b64_decode(b64, strlen(b64), &der, &der_len,
	    &err), IDPROV_OK);
	assert_int_equal(der_len, 91);
	/* A point off the curve (last byte of y changed). */
	der[90] ^= 0x01;
	pem = der_pem(der, der_len);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "publicKeyPEM");
	free(pem);
	der[90] ^= 0x01;
	/* The point at "infinity"-ish all zeros. */
	{
		unsigned char zero[91];

		memcpy(zero, der, 27);
		memset(zero + 27, 0, 64);
		pem = der_pem(zero, sizeof(zero));
		expect_key_refused(pem, IDPROV_ERR_INVALID, "publicKeyPEM");
		free(pem);
	}
	/* A hybrid/unknown point form byte (0x05) takes the generic path
	 * and fails there. */
	der[26] = 0x05;
	pem = der_pem(der, der_len);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "publicKeyPEM");
	free(pem);
	der[26] = 0x04;
	/* Trailing bytes after a valid key. */
	{
		unsigned char longer[92];

		memcpy(longer, der, 91);
		longer[91] = 0;
		pem = der_pem(longer, sizeof(longer));
		expect_key_refused(pem, IDPROV_ERR_INVALID, "after the key");
		free(pem);
	}
	/* Truncated. */
	pem = der_pem(der, 90);
	expect_key_refused(pem, IDPROV_ERR_INVALID, "publicKeyPEM");
	free(pem);
	/* Unchanged, it is still good (the tampering above was undone). */
	pem = der_pem(der, der_len);
	expect_key_ok(NULL, pem);
	free(pem);
	free(der);
}

/* idprov_validate_public_key_pem_spki: the standard P-256 SPKI comes back
 * as its DER without a key; other keys come back as keys; bad points are
 * refused on both paths. */
static void
expect_spki_refused(const unsigned char *der, size_t len)
{
	unsigned char spki[IDPROV_P256_SPKI_LEN];
	size_t spki_len = 1;
	EVP_PKEY *got = (EVP_PKEY *)&got;
	idprov_error err;
	char *pem = der_pem(der, len);

	if (idprov_validate_public_key_pem_spki(pem, &got, spki, &spki_len,
	    &err) != IDPROV_ERR_INVALID) {
		print_error("expected the key to be refused:\n%s\n", pem);
		fail();
	}
	assert_null(got);
	assert_int_equal(spki_len, 0);
	assert_msg_has(err.msg, "publicKeyPEM");
	free(pem);
}

static void
validate_key_spki(void **state)
{
	/* The field prime of P-256: not a valid coordinate. */
	static const unsigned char p[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff
	};
	static const char *other[][2] = {
		{ "EC", "P-384" }, { "ED25519", NULL },
	};
	unsigned char spki[IDPROV_P256_SPKI_LEN], *der = NULL, bad[91];
	size_t spki_len = 0, i;
	EVP_PKEY *k, *got = NULL;
	idprov_error err;
	char *pem;
	int n;

	(void)state;
	/* P-256: the DER, no key. */
	k = gen("EC", "P-256");
	pem = public_pem(k);
	assert_int_equal(idprov_validate_public_key_pem_spki(pem, &got, spki,
	    &spki_len, &err), IDPROV_OK);
	assert_null(got);
	assert_int_equal(spki_len, IDPROV_P256_SPKI_LEN);
	n = i2d_PUBKEY(k, &der);
	assert_int_equal(n, IDPROV_P256_SPKI_LEN);
	assert_memory_equal(spki, der, IDPROV_P256_SPKI_LEN);
	free(pem);
	EVP_PKEY_free(k);

	/* Off the curve, a coordinate equal to the prime, all zeros. */
	memcpy(bad, der, sizeof(bad));
	bad[90] ^= 0x01;
	expect_spki_refused(bad, sizeof(bad));
	memcpy(bad, der, sizeof(bad));
	memcpy(bad + 27, p, 32);
	expect_spki_refused(bad, sizeof(bad));
	memcpy(bad, der, sizeof(bad));
	memcpy(bad + 59, p, 32);
	expect_spki_refused(bad, sizeof(bad));
	memset(bad + 27, 0, 64);
	expect_spki_refused(bad, sizeof(bad));
	OPENSSL_free(der);

	/* Other accepted keys: the key, no DER. */
	for (i = 0; i < 2; i++) {
		k = gen(other[i][0], other[i][1]);
		pem = public_pem(k);
		spki_len = 1;
		assert_int_equal(idprov_validate_public_key_pem_spki(pem, &got,
		    spki, &spki_len, &err), IDPROV_OK);
		assert_int_equal(spki_len, 0);
		assert_non_null(got);
		assert_int_equal(EVP_PKEY_eq(got, k), 1);
		EVP_PKEY_free(got);
		got = NULL;
		free(pem);
		EVP_PKEY_free(k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validate_device_id_lengths),
		cmocka_unit_test(validate_device_id_utf8_and_controls),
		cmocka_unit_test(validate_ip_and_mac),
		cmocka_unit_test(validate_utf8_valid),
		cmocka_unit_test(validate_key_accepted_types),
		cmocka_unit_test(validate_key_fast_path_encodes_back),
		cmocka_unit_test(validate_key_p256_variants),
		cmocka_unit_test(validate_key_refused_types),
		cmocka_unit_test(validate_key_garbage),
		cmocka_unit_test(validate_key_spki),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
