/*
 * crypto_keys.c - key generation, PEM forms, files and fingerprints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "scratch.h"

static int
setup(void **state)
{
	*state = scratch_dir();
	return 0;
}

static int
teardown(void **state)
{
	scratch_remove(*state);
	return 0;
}

static EVP_PKEY *
gen(idprov_key_type type)
{
	EVP_PKEY *k = NULL;
	idprov_error err;

	assert_int_equal(idprov_key_generate(type, &k, &err), IDPROV_OK);
	assert_non_null(k);
	return k;
}

static void
check_type(idprov_key_type type, const char *name, int bits)
{
	EVP_PKEY *k = gen(type);
	char *priv = NULL, *pub = NULL;
	idprov_error err;

	assert_true(EVP_PKEY_is_a(k, name));
	assert_int_equal(EVP_PKEY_get_bits(k), bits);
	assert_int_equal(idprov_key_private_pem(k, &priv, &err), IDPROV_OK);
	assert_int_equal(idprov_key_public_pem(k, &pub, &err), IDPROV_OK);
	/* PKCS#8 and PKIX, not the legacy "EC PRIVATE KEY" forms. */
	assert_int_equal(strncmp(priv, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
	assert_int_equal(strncmp(pub, "-----BEGIN PUBLIC KEY-----\n", 27), 0);
	assert_null(strstr(pub, "PRIVATE"));
	free(priv);
	free(pub);
	EVP_PKEY_free(k);
}

static void
crypto_keys_generate_types(void **state)
{
	(void)state;
	check_type(IDPROV_KEY_EC_P256, "EC", 256);
	check_type(IDPROV_KEY_EC_P384, "EC", 384);
	check_type(IDPROV_KEY_ED25519, "ED25519", 256);
}

static void
crypto_keys_generate_unknown_type(void **state)
{
	EVP_PKEY *k = (EVP_PKEY *)state;	/* any non-NULL value */
	idprov_error err;

	idprov_error_clear(&err);
	assert_int_equal(idprov_key_generate((idprov_key_type)42, &k, &err),
	    IDPROV_ERR_INVALID);
	assert_null(k);
	assert_true(err.msg[0] != '\0');
}

/* The PEM texts parse back, with OpenSSL's own reader, to the same key. */
static void
crypto_keys_pem_round_trip(void **state)
{
	EVP_PKEY *k = gen(IDPROV_KEY_EC_P256), *back;
	char *priv = NULL, *pub = NULL;
	idprov_error err;
	BIO *b;

	(void)state;
	assert_int_equal(idprov_key_private_pem(k, &priv, &err), IDPROV_OK);
	assert_int_equal(idprov_key_public_pem(k, &pub, &err), IDPROV_OK);

	b = BIO_new_mem_buf(priv, -1);
	back = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(back);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);

	b = BIO_new_mem_buf(pub, -1);
	back = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(back);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	free(priv);
	free(pub);
	EVP_PKEY_free(k);
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void
crypto_keys_save_load_mode(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "device.key");
	EVP_PKEY *k = gen(IDPROV_KEY_EC_P256), *back = NULL;
	idprov_error err;

	/* A world-readable file already there becomes 0600 on save. */
	assert_int_equal(idprov_file_write_atomic(path, "junk", 4, 0644, &err),
	    IDPROV_OK);
	assert_int_equal(idprov_key_save_file(path, k, &err), IDPROV_OK);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(scratch_count(dir), 1);
	assert_int_equal(idprov_key_load_file(path, &back, &err), IDPROV_OK);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);

	/* Ed25519 goes the same way. */
	k = gen(IDPROV_KEY_ED25519);
	assert_int_equal(idprov_key_save_file(path, k, &err), IDPROV_OK);
	assert_int_equal(idprov_key_load_file(path, &back, &err), IDPROV_OK);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
	free(path);
}

static void
crypto_keys_load_errors(void **state)
{
	const char *dir = *state;
	char *absent = scratch_path(dir, "absent.key");
	char *junk = scratch_path(dir, "junk.key");
	char *enc = scratch_path(dir, "encrypted.key");
	EVP_PKEY *k = NULL, *gk;
	idprov_error err;
	BIO *b;
	char *data;
	long n;

	idprov_error_clear(&err);
	assert_int_equal(idprov_key_load_file(absent, &k, &err),
	    IDPROV_ERR_NOT_FOUND);
	assert_null(k);

	assert_int_equal(idprov_file_write_atomic(junk, "not a key\n", 10,
	    0600, &err), IDPROV_OK);
	idprov_error_clear(&err);
	assert_int_equal(idprov_key_load_file(junk, &k, &err),
	    IDPROV_ERR_INVALID);
	assert_null(k);
	assert_non_null(strstr(err.msg, "junk.key"));

	/* An encrypted key fails at once instead of prompting on a tty. */
	gk = gen(IDPROV_KEY_EC_P256);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS8PrivateKey(b, gk, EVP_aes_256_cbc(),
	    "pw", 2, NULL, NULL));
	n = BIO_get_mem_data(b, &data);
	assert_int_equal(idprov_file_write_atomic(enc, data, (size_t)n, 0600,
	    &err), IDPROV_OK);
	BIO_free(b);
	assert_int_equal(idprov_key_load_file(enc, &k, &err),
	    IDPROV_ERR_INVALID);
	assert_null(k);
	EVP_PKEY_free(gk);
	free(absent);
	free(junk);
	free(enc);
}

static void
crypto_keys_fingerprint_stable(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "fp.key");
	EVP_PKEY *a = gen(IDPROV_KEY_EC_P256), *b = gen(IDPROV_KEY_EC_P256);
	EVP_PKEY *back = NULL;
	char fa[65], fa2[65], fb[65], fback[65];
	idprov_error err;

	assert_int_equal(idprov_key_fingerprint(a, fa, &err), IDPROV_OK);
	assert_int_equal(idprov_key_fingerprint(a, fa2, &err), IDPROV_OK);
	assert_int_equal(idprov_key_fingerprint(b, fb, &err), IDPROV_OK);
	assert_int_equal(strlen(fa), 64);
	assert_int_equal(strspn(fa, "0123456789abcdef"), 64);
	assert_string_equal(fa, fa2);
	assert_string_not_equal(fa, fb);

	/* Through a file and back: same public key, same fingerprint. */
	assert_int_equal(idprov_key_save_file(path, a, &err), IDPROV_OK);
	assert_int_equal(idprov_key_load_file(path, &back, &err), IDPROV_OK);
	assert_int_equal(idprov_key_fingerprint(back, fback, &err), IDPROV_OK);
	assert_string_equal(fa, fback);
	EVP_PKEY_free(back);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	free(path);
}

/* The fingerprint of a fixed key is a known constant: a change to its
 * definition (SPKI DER, SHA-256) would break every stored fingerprint. */
static void
crypto_keys_fingerprint_known_value(void **state)
{
	static const char pub_pem[] =
	    "-----BEGIN PUBLIC KEY-----\n"
	    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6MccdOTaBsyaWKJDCwKacBM2NeXy\n"
	    "ftBtTLZq264Ed/9SsSc3G2Ki0SOtEjTgFoooq2CO7DkrW70Z4hnEdKG9lg==\n"
	    "-----END PUBLIC KEY-----\n";
	EVP_PKEY *k;
	char fp[65];
	idprov_error err;
	BIO *b = BIO_new_mem_buf(pub_pem, -1);

	(void)state;
	k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(k);
	assert_int_equal(idprov_key_fingerprint(k, fp, &err), IDPROV_OK);
	/* `openssl pkey -pubin -outform DER | sha256sum` */
	assert_string_equal(fp, "f2b349a5034e685e7a8fb0e8e71ca5c7"
	    "fb2fb823885dbe673545300ad298e8ab");
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crypto_keys_generate_types),
		cmocka_unit_test(crypto_keys_generate_unknown_type),
		cmocka_unit_test(crypto_keys_pem_round_trip),
		cmocka_unit_test_setup_teardown(crypto_keys_save_load_mode,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_keys_load_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(crypto_keys_fingerprint_stable,
		    setup, teardown),
		cmocka_unit_test(crypto_keys_fingerprint_known_value),
	};

	return cmocka_run_group_tests_name("crypto_keys", tests, NULL, NULL);
}
