/*
 * test_issuer.c - device certificates from the issuer alone, for every kind
 * of CA key idprovd signs with (EC P-256 and P-384, Ed25519, RSA), each
 * checked with OpenSSL: the signature verifies with the CA key, the CN is
 * the deviceID and the key is the device's, passed as the DER SPKI that the
 * provisioning handler hands over (the P-256 fast path of validate.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/core/validate.h"
#include "server/issuer.h"

static char dir[] = "/tmp/idprov-issuer-test.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/idprov-issuer-test.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A self-signed CA with key k, written as ca.pem / ca.key in dir. */
static void
write_ca(EVP_PKEY *k, char *cert_path, char *key_path, size_t sz)
{
	X509 *ca = X509_new();
	X509_NAME *name;
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	FILE *f;

	assert_non_null(ca);
	assert_int_equal(X509_set_version(ca, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(ca), 1);
	X509_gmtime_adj(X509_getm_notBefore(ca), -60);
	X509_gmtime_adj(X509_getm_notAfter(ca), 86400);
	name = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"issuer test CA", -1, -1, 0);
	X509_set_issuer_name(ca, name);
	X509_set_pubkey(ca, k);
	X509V3_set_ctx(&v3, ca, ca, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    "critical,CA:TRUE");
	X509_add_ext(ca, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier,
	    "hash");
	X509_add_ext(ca, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(ca, k, EVP_PKEY_is_a(k, "ED25519") ? NULL :
	    EVP_sha256()) > 0);
	snprintf(cert_path, sz, "%s/ca.pem", dir);
	snprintf(key_path, sz, "%s/ca.key", dir);
	assert_non_null(f = fopen(cert_path, "w"));
	assert_int_equal(PEM_write_X509(f, ca), 1);
	fclose(f);
	assert_non_null(f = fopen(key_path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL),
	    1);
	fclose(f);
	X509_free(ca);
}

static void
issue_with(EVP_PKEY *ca_key)
{
	char cert_path[300], key_path[300], *pem = NULL;
	unsigned char spki[SRV_SPKI_MAX], *der = NULL;
	size_t spki_len = 0;
	EVP_PKEY *dev = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *got;
	EVP_PKEY *none = NULL;
	srv_issuer *is = NULL;
	srv_issued c;
	idprov_error err;
	X509 *x;
	BIO *b;
	char cn[80];
	int n;

	assert_non_null(dev);
	write_ca(ca_key, cert_path, key_path, sizeof(cert_path));
	if (srv_issuer_open(cert_path, key_path, &is, &err) != IDPROV_OK)
		fail_msg("srv_issuer_open: %s", err.msg);
	/* The device key as a request carries it, through validate. */
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(b, dev), 1);
	n = (int)BIO_get_mem_data(b, &pem);
	assert_non_null(pem = strndup(pem, (size_t)n));
	BIO_free(b);
	assert_int_equal(idprov_validate_public_key_pem_spki(pem, &none, spki,
	    &spki_len, &err), IDPROV_OK);
	free(pem);
	assert_null(none);
	assert_int_equal(spki_len, IDPROV_P256_SPKI_LEN);
	if (srv_issuer_issue(is, "dev-1", spki, spki_len, 3600, time(NULL), &c,
	    &err) != IDPROV_OK)
		fail_msg("srv_issuer_issue: %s", err.msg);
	/* Signed by the CA, for dev-1, with the device's key. */
	b = BIO_new_mem_buf(c.pem, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(x);
	assert_int_equal(X509_verify(x, ca_key), 1);
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0);
	assert_string_equal(cn, "dev-1");
	got = X509_get0_pubkey(x);
	assert_non_null(got);
	assert_int_equal(EVP_PKEY_eq(got, dev), 1);
	n = i2d_PUBKEY(got, &der);
	assert_int_equal(n, (int)spki_len);
	assert_memory_equal(der, spki, spki_len);
	assert_int_equal(strlen(c.serial_hex), 32);
	OPENSSL_free(der);
	X509_free(x);
	srv_issued_free(&c);
	srv_issuer_close(is);
	EVP_PKEY_free(dev);
}

static void
test_ca_p256(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	(void)state;
	issue_with(k);
	EVP_PKEY_free(k);
}

static void
test_ca_p384(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");

	(void)state;
	issue_with(k);
	EVP_PKEY_free(k);
}

static void
test_ca_ed25519(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	(void)state;
	issue_with(k);
	EVP_PKEY_free(k);
}

static void
test_ca_rsa(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	(void)state;
	issue_with(k);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ca_p256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_p384, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_ed25519, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ca_rsa, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
