/*
 * crypto_certs.c - issuing certificates, reading them back, verifying
 * chains (right CA, wrong CA, expired, not yet valid, wrong purpose).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "scratch.h"

typedef struct fixture {
	EVP_PKEY *ca_key, *leaf_key;
	X509 *ca;
	char *dir;
} fixture;

static EVP_PKEY *
gen(idprov_key_type type)
{
	EVP_PKEY *k = NULL;
	idprov_error err;

	assert_int_equal(idprov_key_generate(type, &k, &err), IDPROV_OK);
	return k;
}

static X509 *
make_ca(EVP_PKEY *key, const char *cn)
{
	const idprov_cert_profile p = {
		.cn = cn, .org = "Test Org", .is_ca = 1, .days = 3650
	};
	idprov_error err;
	X509 *ca = NULL;

	idprov_error_clear(&err);
	if (idprov_cert_issue(&p, key, NULL, NULL, &ca, &err) != IDPROV_OK)
		fail_msg("CA issue failed: %s", err.msg);
	return ca;
}

static X509 *
issue(const idprov_cert_profile *p, fixture *f)
{
	idprov_error err;
	X509 *c = NULL;

	idprov_error_clear(&err);
	if (idprov_cert_issue(p, f->leaf_key, f->ca, f->ca_key, &c, &err) !=
	    IDPROV_OK)
		fail_msg("issue failed: %s", err.msg);
	return c;
}

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ca_key = gen(IDPROV_KEY_EC_P256);
	f->leaf_key = gen(IDPROV_KEY_EC_P256);
	f->ca = make_ca(f->ca_key, "Test CA");
	f->dir = scratch_dir();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	EVP_PKEY_free(f->ca_key);
	EVP_PKEY_free(f->leaf_key);
	X509_free(f->ca);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static void
crypto_certs_ca_fields(void **state)
{
	fixture *f = *state;
	idprov_cert_info info;
	idprov_error err;
	BASIC_CONSTRAINTS *bc;
	time_t now = time(NULL);
	int crit = -1;

	assert_int_equal(idprov_cert_get_info(f->ca, &info, &err), IDPROV_OK);
	assert_string_equal(info.cn, "Test CA");
	assert_string_equal(info.org, "Test Org");
	assert_string_equal(info.ou, "");
	assert_string_equal(info.issuer_cn, "Test CA");
	assert_int_equal(info.is_ca, 1);
	/* Back-dated five minutes, ten years long counted from now. */
	assert_in_range(info.not_before, now - 310, now - 290);
	assert_in_range(info.not_after, now + 3650L * 86400 - 10,
	    now + 3650L * 86400 + 10);

	bc = X509_get_ext_d2i(f->ca, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_int_equal(crit, 1);
	assert_true(bc->ca);
	assert_non_null(bc->pathlen);
	assert_int_equal(ASN1_INTEGER_get(bc->pathlen), 0);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(X509_get_key_usage(f->ca),
	    KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	/* Self-signed: SKI, no AKI; and it verifies against itself. */
	assert_non_null(X509_get0_subject_key_id(f->ca));
	assert_null(X509_get0_authority_key_id(f->ca));
	assert_int_equal(idprov_cert_verify(f->ca, f->ca, 0, 0, &err),
	    IDPROV_OK);
}

static void
crypto_certs_leaf_fields(void **state)
{
	fixture *f = *state;
	const char *sans[] = { "dev.example", "127.0.0.1", "::1", NULL };
	const idprov_cert_profile p = {
		.cn = "device-1", .ou = "iotdevice", .client_auth = 1,
		.server_auth = 1, .sans = sans, .days = 7
	};
	X509 *c = issue(&p, f);
	idprov_cert_info info;
	idprov_error err;
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	const ASN1_OCTET_STRING *aki_ca;
	time_t now = time(NULL);
	int crit = -1;

	assert_int_equal(idprov_cert_get_info(c, &info, &err), IDPROV_OK);
	assert_string_equal(info.cn, "device-1");
	assert_string_equal(info.ou, "iotdevice");
	assert_string_equal(info.org, "");
	assert_string_equal(info.issuer_cn, "Test CA");
	assert_int_equal(info.is_ca, 0);
	assert_in_range(info.not_after, now + 7 * 86400 - 10,
	    now + 7 * 86400 + 10);
	/* 16 bytes, positive, no leading zero byte: 32 hex digits, the
	 * first one 1..7. */
	assert_int_equal(strlen(info.serial_hex), 32);
	assert_int_equal(strspn(info.serial_hex, "0123456789ABCDEF"), 32);
	assert_in_range(info.serial_hex[0], '0', '7');
	assert_false(info.serial_hex[0] == '0' && info.serial_hex[1] == '0');
	assert_int_equal(strlen(info.fingerprint), 64);
	assert_int_equal(strspn(info.fingerprint, "0123456789abcdef"), 64);

	assert_int_equal(X509_get_version(c), X509_VERSION_3);
	assert_int_equal(X509_get_key_usage(c), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(c),
	    XKU_SSL_SERVER | XKU_SSL_CLIENT);
	/* AKI names the CA's SKI. */
	aki_ca = X509_get0_authority_key_id(c);
	assert_non_null(aki_ca);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki_ca,
	    X509_get0_subject_key_id(f->ca)), 0);

	names = X509_get_ext_d2i(c, NID_subject_alt_name, &crit, NULL);
	assert_non_null(names);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_GENERAL_NAME_num(names), 3);
	gn = sk_GENERAL_NAME_value(names, 0);
	assert_int_equal(gn->type, GEN_DNS);
	assert_string_equal(ASN1_STRING_get0_data(gn->d.dNSName),
	    "dev.example");
	gn = sk_GENERAL_NAME_value(names, 1);
	assert_int_equal(gn->type, GEN_IPADD);
	assert_int_equal(ASN1_STRING_length(gn->d.iPAddress), 4);
	assert_memory_equal(ASN1_STRING_get0_data(gn->d.iPAddress),
	    "\x7f\0\0\x01", 4);
	gn = sk_GENERAL_NAME_value(names, 2);
	assert_int_equal(gn->type, GEN_IPADD);
	assert_int_equal(ASN1_STRING_length(gn->d.iPAddress), 16);
	GENERAL_NAMES_free(names);
	/* OpenSSL's host and IP checks agree. */
	assert_int_equal(X509_check_host(c, "dev.example", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(c, "::1", 0), 1);
	assert_int_equal(X509_check_host(c, "other.example", 0, 0, NULL), 0);
	X509_free(c);
}

static void
crypto_certs_serials_differ(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile p = { .cn = "d", .client_auth = 1,
	    .days = 1 };
	X509 *a = issue(&p, f), *b = issue(&p, f);

	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(a),
	    X509_get0_serialNumber(b)), 0);
	X509_free(a);
	X509_free(b);
}

static void
crypto_certs_verify(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile cp = { .cn = "dev", .ou = "iotdevice",
	    .client_auth = 1, .days = 7 };
	const idprov_cert_profile sp = { .cn = "srv", .server_auth = 1,
	    .days = 7 };
	X509 *client = issue(&cp, f), *server = issue(&sp, f), *other_ca;
	EVP_PKEY *other_key = gen(IDPROV_KEY_EC_P256);
	time_t now = time(NULL);
	idprov_error err;

	assert_int_equal(idprov_cert_verify(client, f->ca,
	    X509_PURPOSE_SSL_CLIENT, 0, &err), IDPROV_OK);
	assert_int_equal(idprov_cert_verify(server, f->ca,
	    X509_PURPOSE_SSL_SERVER, 0, &err), IDPROV_OK);
	assert_int_equal(idprov_cert_verify(client, f->ca, 0, 0, &err),
	    IDPROV_OK);

	/* Purpose mismatch, both ways. */
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_verify(client, f->ca,
	    X509_PURPOSE_SSL_SERVER, 0, &err), IDPROV_ERR_VERIFY);
	assert_non_null(strstr(err.msg, "unsuitable certificate purpose"));
	assert_int_equal(idprov_cert_verify(server, f->ca,
	    X509_PURPOSE_SSL_CLIENT, 0, &err), IDPROV_ERR_VERIFY);

	/* Another CA with the same name is not ours. */
	other_ca = make_ca(other_key, "Test CA");
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_verify(client, other_ca, 0, 0, &err),
	    IDPROV_ERR_VERIFY);
	assert_true(strstr(err.msg, "signature") != NULL ||
	    strstr(err.msg, "issuer") != NULL);

	/* Checked at a time after notAfter, and before notBefore. */
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_verify(client, f->ca, 0,
	    now + 8 * 86400, &err), IDPROV_ERR_VERIFY);
	assert_non_null(strstr(err.msg, "certificate has expired"));
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_verify(client, f->ca, 0, now - 86400,
	    &err), IDPROV_ERR_VERIFY);
	assert_non_null(strstr(err.msg, "not yet valid"));
	assert_int_equal(ERR_peek_error(), 0);
	/* Inside the window it is fine. */
	assert_int_equal(idprov_cert_verify(client, f->ca, 0,
	    now + 6 * 86400, &err), IDPROV_OK);

	X509_free(client);
	X509_free(server);
	X509_free(other_ca);
	EVP_PKEY_free(other_key);
}

/* A certificate that is not a CA cannot vouch for another, even when given
 * as the trust anchor. */
static void
crypto_certs_verify_refuses_non_ca_issuer(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile fake = { .cn = "Not a CA", .client_auth = 1,
	    .days = 7 };
	const idprov_cert_profile leaf = { .cn = "victim", .client_auth = 1,
	    .days = 1 };
	X509 *fake_ca = NULL, *c = NULL;
	idprov_error err;

	assert_int_equal(idprov_cert_issue(&fake, f->ca_key, NULL, NULL,
	    &fake_ca, &err), IDPROV_OK);
	assert_int_equal(idprov_cert_issue(&leaf, f->leaf_key, fake_ca,
	    f->ca_key, &c, &err), IDPROV_OK);
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_verify(c, fake_ca, 0, 0, &err),
	    IDPROV_ERR_VERIFY);
	assert_non_null(strstr(err.msg, "invalid CA certificate"));
	X509_free(c);
	X509_free(fake_ca);
}

static void
crypto_certs_validity_options(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile secs = { .cn = "s", .seconds = 60,
	    .days = 365 };
	const idprov_cert_profile fixed = { .cn = "f", .not_before =
	    1700000000, .days = 2 };
	idprov_cert_info info;
	idprov_error err;
	X509 *c;
	time_t now = time(NULL);

	/* seconds wins over days. */
	c = issue(&secs, f);
	assert_int_equal(idprov_cert_get_info(c, &info, &err), IDPROV_OK);
	assert_in_range(info.not_after, now + 55, now + 65);
	X509_free(c);

	c = issue(&fixed, f);
	assert_int_equal(idprov_cert_get_info(c, &info, &err), IDPROV_OK);
	assert_int_equal(info.not_before, 1700000000);
	assert_int_equal(info.not_after, 1700000000 + 2 * 86400);
	X509_free(c);
}

static void
crypto_certs_issue_rejects(void **state)
{
	fixture *f = *state;
	const char *bad_dns[] = { "two words", NULL };
	const char *comma[] = { "a.example,IP:1.2.3.4", NULL };
	const char *empty[] = { "", NULL };
	const idprov_cert_profile no_cn = { .cn = "", .days = 1 };
	const idprov_cert_profile no_days = { .cn = "x" };
	idprov_cert_profile p = { .cn = "x", .days = 1 };
	EVP_PKEY *other = gen(IDPROV_KEY_EC_P256);
	idprov_error err;
	X509 *c = (X509 *)f;	/* non-NULL: must come back NULL */

	assert_int_equal(idprov_cert_issue(&no_cn, f->leaf_key, f->ca,
	    f->ca_key, &c, &err), IDPROV_ERR_INVALID);
	assert_null(c);
	assert_int_equal(idprov_cert_issue(&no_days, f->leaf_key, f->ca,
	    f->ca_key, &c, &err), IDPROV_ERR_INVALID);
	p.sans = bad_dns;
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_issue(&p, f->leaf_key, f->ca, f->ca_key,
	    &c, &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "two words"));
	/* No way to smuggle a second SAN through a config string. */
	p.sans = comma;
	assert_int_equal(idprov_cert_issue(&p, f->leaf_key, f->ca, f->ca_key,
	    &c, &err), IDPROV_ERR_INVALID);
	p.sans = empty;
	assert_int_equal(idprov_cert_issue(&p, f->leaf_key, f->ca, f->ca_key,
	    &c, &err), IDPROV_ERR_INVALID);
	/* The issuer key must belong to the issuer certificate. */
	p.sans = NULL;
	idprov_error_clear(&err);
	assert_int_equal(idprov_cert_issue(&p, f->leaf_key, f->ca, other, &c,
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "issuer key"));
	assert_null(c);
	EVP_PKEY_free(other);
}

static void
crypto_certs_matches_key(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile p = { .cn = "m", .client_auth = 1,
	    .days = 1 };
	X509 *c = issue(&p, f);
	EVP_PKEY *other = gen(IDPROV_KEY_EC_P256);
	EVP_PKEY *ed = gen(IDPROV_KEY_ED25519);

	assert_int_equal(idprov_cert_matches_key(c, f->leaf_key), 1);
	assert_int_equal(idprov_cert_matches_key(c, other), 0);
	assert_int_equal(idprov_cert_matches_key(c, ed), 0);
	assert_int_equal(idprov_cert_matches_key(c, f->ca_key), 0);
	assert_int_equal(idprov_cert_matches_key(c, NULL), 0);
	assert_int_equal(idprov_cert_matches_key(NULL, other), 0);
	/* Nothing stale left in OpenSSL's error queue for a later TLS call. */
	assert_int_equal(ERR_peek_error(), 0);
	X509_free(c);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ed);
}

static void
crypto_certs_pem_and_files(void **state)
{
	fixture *f = *state;
	const idprov_cert_profile p = { .cn = "file", .client_auth = 1,
	    .days = 1 };
	X509 *c = issue(&p, f), *back = NULL;
	char *pem = NULL, *path = scratch_path(f->dir, "dev.pem");
	char *absent = scratch_path(f->dir, "absent.pem");
	idprov_error err;
	struct stat sb;

	assert_int_equal(idprov_cert_to_pem(c, &pem, &err), IDPROV_OK);
	assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	assert_int_equal(idprov_cert_from_pem(pem, &back, &err), IDPROV_OK);
	assert_int_equal(X509_cmp(c, back), 0);
	X509_free(back);

	assert_int_equal(idprov_cert_save_file(path, c, &err), IDPROV_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(idprov_cert_load_file(path, &back, &err), IDPROV_OK);
	assert_int_equal(X509_cmp(c, back), 0);
	X509_free(back);

	back = NULL;
	assert_int_equal(idprov_cert_load_file(absent, &back, &err),
	    IDPROV_ERR_NOT_FOUND);
	assert_int_equal(idprov_cert_from_pem("-----BEGIN CERTIFICATE-----\n"
	    "AAAA\n-----END CERTIFICATE-----\n", &back, &err),
	    IDPROV_ERR_INVALID);
	assert_null(back);
	assert_int_equal(idprov_cert_from_pem("", &back, &err),
	    IDPROV_ERR_INVALID);
	free(pem);
	free(path);
	free(absent);
	X509_free(c);
}

/* An Ed25519 CA signs without a digest; P-384 keys certify fine. */
static void
crypto_certs_other_key_types(void **state)
{
	EVP_PKEY *ed_ca_key = gen(IDPROV_KEY_ED25519);
	EVP_PKEY *p384 = gen(IDPROV_KEY_EC_P384);
	X509 *ed_ca = make_ca(ed_ca_key, "Ed CA"), *c = NULL;
	const idprov_cert_profile p = { .cn = "p384", .client_auth = 1,
	    .days = 1 };
	idprov_error err;

	(void)state;
	assert_int_equal(X509_get_signature_nid(ed_ca), NID_ED25519);
	assert_int_equal(idprov_cert_issue(&p, p384, ed_ca, ed_ca_key, &c,
	    &err), IDPROV_OK);
	assert_int_equal(idprov_cert_verify(c, ed_ca, X509_PURPOSE_SSL_CLIENT,
	    0, &err), IDPROV_OK);
	assert_int_equal(idprov_cert_matches_key(c, p384), 1);
	X509_free(c);
	X509_free(ed_ca);
	EVP_PKEY_free(ed_ca_key);
	EVP_PKEY_free(p384);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(crypto_certs_ca_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_leaf_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_serials_differ,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_certs_verify_refuses_non_ca_issuer, setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_validity_options,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_issue_rejects,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_matches_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(crypto_certs_pem_and_files,
		    setup, teardown),
		cmocka_unit_test(crypto_certs_other_key_types),
	};

	return cmocka_run_group_tests_name("crypto_certs", tests, NULL, NULL);
}
