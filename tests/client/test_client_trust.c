/*
 * test_client_trust.c - the checks an Approved response must pass
 * (lib/client/trust.c), with real certificates made by the core's issuer:
 * the good case, and one test per way the answer can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lib/client/trust.h"
#include "lib/core/crypto.h"

typedef struct fixture {
	EVP_PKEY *ca_key, *other_ca_key, *srv_key, *dev_key, *other_key;
	X509 *ca, *other_ca, *srv;
	char *ca_pem;
} fixture;

static X509 *
issue(const char *cn, const char *ou, int is_ca, int server, int client,
    time_t not_before, long seconds, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *issuer_key)
{
	static const char *const sans[] = { "127.0.0.1", "localhost", NULL };
	idprov_cert_profile p = { 0 };
	X509 *x = NULL;

	p.cn = cn;
	p.ou = ou;
	p.is_ca = is_ca;
	p.server_auth = server;
	p.client_auth = client;
	p.sans = server ? sans : NULL;
	p.not_before = not_before;
	p.days = 1;
	p.seconds = seconds;
	assert_int_equal(idprov_cert_issue(&p, key, issuer, issuer_key, &x,
	    NULL), IDPROV_OK);
	return x;
}

static EVP_PKEY *
key(void)
{
	EVP_PKEY *k = NULL;

	assert_int_equal(idprov_key_generate(IDPROV_KEY_EC_P256, &k, NULL),
	    IDPROV_OK);
	return k;
}

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	f->ca_key = key();
	f->other_ca_key = key();
	f->srv_key = key();
	f->dev_key = key();
	f->other_key = key();
	f->ca = issue("test CA", NULL, 1, 0, 0, 0, 0, f->ca_key, NULL, NULL);
	f->other_ca = issue("other CA", NULL, 1, 0, 0, 0, 0, f->other_ca_key,
	    NULL, NULL);
	f->srv = issue("localhost", NULL, 0, 1, 0, 0, 0, f->srv_key, f->ca,
	    f->ca_key);
	assert_int_equal(idprov_cert_to_pem(f->ca, &f->ca_pem, NULL),
	    IDPROV_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	EVP_PKEY_free(f->ca_key);
	EVP_PKEY_free(f->other_ca_key);
	EVP_PKEY_free(f->srv_key);
	EVP_PKEY_free(f->dev_key);
	EVP_PKEY_free(f->other_key);
	X509_free(f->ca);
	X509_free(f->other_ca);
	X509_free(f->srv);
	free(f->ca_pem);
	free(f);
	return 0;
}

/* Run the check on a response carrying ca_pem and `cert`. */
static idprov_status
check(fixture *f, const char *ca_pem, X509 *cert, const char *host,
    X509 *session, idprov_error *err)
{
	idprov_prov_response r = { 0 };
	idpc_trust_in in = { 0 };
	X509 *ca_out = NULL, *cert_out = NULL;
	char *cert_pem = NULL;
	idprov_status st;

	assert_int_equal(idprov_cert_to_pem(cert, &cert_pem, NULL), IDPROV_OK);
	r.status = (char *)"Approved";
	r.ca_cert = (char *)ca_pem;
	r.client_cert = cert_pem;
	in.device_id = "dev1";
	in.host = host;
	in.expected_ca = f->ca;
	in.session_server = session;
	in.key = f->dev_key;
	in.resp = &r;
	st = idpc_trust_check(&in, &ca_out, &cert_out, err);
	if (st == IDPROV_OK) {
		assert_non_null(ca_out);
		assert_non_null(cert_out);
	} else {
		assert_null(ca_out);
		assert_null(cert_out);
	}
	X509_free(ca_out);
	X509_free(cert_out);
	free(cert_pem);
	return st;
}

static void
test_good(void **state)
{
	fixture *f = *state;
	X509 *c = issue("dev1", "iotdevice", 0, 0, 1, 0, 0, f->dev_key, f->ca,
	    f->ca_key);
	idprov_error err;

	assert_int_equal(check(f, f->ca_pem, c, "127.0.0.1", f->srv, &err),
	    IDPROV_OK);
	/* after provisioning: curl verified the session, no certificate */
	assert_int_equal(check(f, f->ca_pem, c, "127.0.0.1", NULL, &err),
	    IDPROV_OK);
	X509_free(c);
}

static void
test_other_ca_in_response(void **state)
{
	fixture *f = *state;
	X509 *c = issue("dev1", "iotdevice", 0, 0, 1, 0, 0, f->dev_key,
	    f->other_ca, f->other_ca_key);
	char *other = NULL;
	idprov_error err;

	assert_int_equal(idprov_cert_to_pem(f->other_ca, &other, NULL),
	    IDPROV_OK);
	assert_int_equal(check(f, other, c, "127.0.0.1", f->srv, &err),
	    IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "not the CA the server offered"));
	free(other);
	X509_free(c);
}

static void
test_session_of_other_ca(void **state)
{
	fixture *f = *state;
	X509 *c = issue("dev1", "iotdevice", 0, 0, 1, 0, 0, f->dev_key, f->ca,
	    f->ca_key);
	X509 *evil = issue("localhost", NULL, 0, 1, 0, 0, 0, f->srv_key,
	    f->other_ca, f->other_ca_key);
	idprov_error err;

	assert_int_equal(check(f, f->ca_pem, c, "127.0.0.1", evil, &err),
	    IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "does not chain"));
	X509_free(evil);
	X509_free(c);
}

static void
test_session_not_a_server(void **state)
{
	fixture *f = *state;
	X509 *c = issue("dev1", "iotdevice", 0, 0, 1, 0, 0, f->dev_key, f->ca,
	    f->ca_key);
	/* another device's certificate of the same CA posing as the server */
	X509 *dev2 = issue("dev2", "iotdevice", 0, 0, 1, 0, 0, f->other_key,
	    f->ca, f->ca_key);
	idprov_error err;

	assert_int_equal(check(f, f->ca_pem, c, "127.0.0.1", dev2, &err),
	    IDPROV_ERR_UNTRUSTED);
	/* and a server certificate for another host */
	assert_int_equal(check(f, f->ca_pem, c, "hub.example", f->srv, &err),
	    IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "not for host hub.example"));
	X509_free(dev2);
	X509_free(c);
}

static void
test_wrong_key_id_or_issuer(void **state)
{
	fixture *f = *state;
	X509 *other_key = issue("dev1", "iotdevice", 0, 0, 1, 0, 0,
	    f->other_key, f->ca, f->ca_key);
	X509 *other_id = issue("dev2", "iotdevice", 0, 0, 1, 0, 0, f->dev_key,
	    f->ca, f->ca_key);
	X509 *other_issuer = issue("dev1", "iotdevice", 0, 0, 1, 0, 0,
	    f->dev_key, f->other_ca, f->other_ca_key);
	idprov_error err;

	assert_int_equal(check(f, f->ca_pem, other_key, "127.0.0.1", f->srv,
	    &err), IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "another key"));
	assert_int_equal(check(f, f->ca_pem, other_id, "127.0.0.1", f->srv,
	    &err), IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "another deviceID"));
	assert_int_equal(check(f, f->ca_pem, other_issuer, "127.0.0.1", f->srv,
	    &err), IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "does not verify against the CA"));
	X509_free(other_key);
	X509_free(other_id);
	X509_free(other_issuer);
}

static void
test_not_valid_now(void **state)
{
	fixture *f = *state;
	X509 *expired = issue("dev1", "iotdevice", 0, 0, 1,
	    time(NULL) - 7200, 60, f->dev_key, f->ca, f->ca_key);
	X509 *future = issue("dev1", "iotdevice", 0, 0, 1,
	    time(NULL) + 7200, 60, f->dev_key, f->ca, f->ca_key);
	idprov_error err;

	assert_int_equal(check(f, f->ca_pem, expired, "127.0.0.1", f->srv,
	    &err), IDPROV_ERR_UNTRUSTED);
	assert_non_null(strstr(err.msg, "not valid now"));
	assert_int_equal(check(f, f->ca_pem, future, "127.0.0.1", f->srv,
	    &err), IDPROV_ERR_UNTRUSTED);
	X509_free(expired);
	X509_free(future);
}

static void
test_garbage_fields(void **state)
{
	fixture *f = *state;
	X509 *c = issue("dev1", "iotdevice", 0, 0, 1, 0, 0, f->dev_key, f->ca,
	    f->ca_key);
	idprov_error err;

	assert_int_equal(check(f, "", c, "127.0.0.1", f->srv, &err),
	    IDPROV_ERR_UNTRUSTED);
	assert_int_equal(check(f, "-----BEGIN CERTIFICATE-----\nAA==\n"
	    "-----END CERTIFICATE-----\n", c, "127.0.0.1", f->srv, &err),
	    IDPROV_ERR_UNTRUSTED);
	X509_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_other_ca_in_response),
		cmocka_unit_test(test_session_of_other_ca),
		cmocka_unit_test(test_session_not_a_server),
		cmocka_unit_test(test_wrong_key_id_or_issuer),
		cmocka_unit_test(test_not_valid_now),
		cmocka_unit_test(test_garbage_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
