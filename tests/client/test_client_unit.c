/*
 * test_client_unit.c - the device library's pure parts: URL joining of
 * directory endpoints, jitter bounds, backoff, the renewal point, the
 * cleaning of a server's error sentence, and the recovery of an interrupted
 * key rotation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/client/backoff.h"
#include "lib/client/client.h"
#include "lib/client/http.h"
#include "lib/client/url.h"
#include "lib/core/crypto.h"

static void
dir_url(const char *server, const char *want)
{
	char out[256];
	idprov_error err;

	assert_int_equal(idpc_url_directory(server, out, sizeof(out), &err),
	    IDPROV_OK);
	assert_string_equal(out, want);
}

static void
test_directory_url(void **state)
{
	char out[256];
	idprov_error err;

	(void)state;
	dir_url("https://hub:43776", "https://hub:43776/idprov/directory");
	dir_url("https://hub:43776/", "https://hub:43776/idprov/directory");
	dir_url("https://[fe80::1%25eth0]:43776",
	    "https://[fe80::1%25eth0]:43776/idprov/directory");
	dir_url("https://hub/other/dir", "https://hub/other/dir");
	assert_int_equal(idpc_url_directory("http://hub", out, sizeof(out),
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "https://"));
	assert_int_equal(idpc_url_directory("https://", out, sizeof(out),
	    &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_directory("https://hub/a b", out,
	    sizeof(out), &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_directory("", out, sizeof(out), &err),
	    IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_directory("https://hub:1", out, 10, &err),
	    IDPROV_ERR_TOO_LARGE);
}

static void
test_endpoint_url(void **state)
{
	const char *d = "https://127.0.0.1:43776/idprov/directory";
	char out[256];
	idprov_error err;

	(void)state;
	/* a path: on the directory's host and port */
	assert_int_equal(idpc_url_endpoint(d, "/idprov/provreq", "p", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "https://127.0.0.1:43776/idprov/provreq");
	/* an absolute URL: as is */
	assert_int_equal(idpc_url_endpoint(d, "https://other:1/x", "p", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "https://other:1/x");
	/* refused: relative, scheme-relative, plain http, empty, controls */
	assert_int_equal(idpc_url_endpoint(d, "idprov/provreq", "p", out,
	    sizeof(out), &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "\"p\""));
	assert_int_equal(idpc_url_endpoint(d, "//evil/x", "p", out,
	    sizeof(out), &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_endpoint(d, "http://hub/x", "p", out,
	    sizeof(out), &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_endpoint(d, "", "p", out, sizeof(out),
	    &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_endpoint(d, "/a\nb", "p", out, sizeof(out),
	    &err), IDPROV_ERR_INVALID);
	assert_int_equal(idpc_url_endpoint(d, "https:///x", "p", out,
	    sizeof(out), &err), IDPROV_ERR_INVALID);
}

static void
test_url_host(void **state)
{
	char out[64];
	idprov_error err;

	(void)state;
	assert_int_equal(idpc_url_host("https://127.0.0.1:43776/x", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "127.0.0.1");
	assert_int_equal(idpc_url_host("https://[::1]:43776/x", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "::1");
	assert_int_equal(idpc_url_host("https://[fe80::1%25eth0]:1/", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "fe80::1");
	assert_int_equal(idpc_url_host("https://u@hub.local/x", out,
	    sizeof(out), &err), IDPROV_OK);
	assert_string_equal(out, "hub.local");
	assert_int_equal(idpc_url_host("https://[::1/x", out, sizeof(out),
	    &err), IDPROV_ERR_INVALID);
}

static void
test_jitter_bounds(void **state)
{
	double v;
	int i;

	(void)state;
	assert_true(idpc_jitter_apply(30, 20, 0) > 23.999 &&
	    idpc_jitter_apply(30, 20, 0) < 24.001);
	assert_true(idpc_jitter_apply(30, 20, UINT32_MAX) > 35.999 &&
	    idpc_jitter_apply(30, 20, UINT32_MAX) < 36.001);
	v = idpc_jitter_apply(30, 20, UINT32_MAX / 2);
	assert_true(v > 29.99 && v < 30.01);
	for (i = 0; i < 2000; i++) {
		v = idpc_jitter(10, 20);
		assert_true(v >= 8.0 && v <= 12.0);
	}
}

static void
test_waiting_base(void **state)
{
	(void)state;
	assert_int_equal(idpc_waiting_base(0, 30, 3600), 30);
	assert_int_equal(idpc_waiting_base(-5, 30, 3600), 30);
	assert_int_equal(idpc_waiting_base(7, 30, 3600), 7);
	assert_int_equal(idpc_waiting_base(3600, 30, 3600), 3600);
	/* an unsigned answer cannot park the device for a year */
	assert_int_equal(idpc_waiting_base(31536000, 30, 3600), 3600);
}

static void
test_backoff(void **state)
{
	long want[] = { 1, 2, 4, 8, 16, 32, 60, 60 }, b = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		b = idpc_backoff_next(b, 1, 60);
		assert_int_equal(b, want[i]);
	}
}

static void
test_renew_point(void **state)
{
	(void)state;
	assert_int_equal(idpc_renew_point(0, 300), 200);
	assert_int_equal(idpc_renew_point(1000, 1000 + 7 * 86400),
	    1000 + 7 * 86400 * 2 / 3);
	/* nonsense validity: renew at once */
	assert_int_equal(idpc_renew_point(500, 400), 400);
}

/* reason(body): idpc_http_reason of a response with that body. */
static void
expect_reason(const char *body, const char *want)
{
	idpc_http_resp resp;
	char out[256];

	memset(&resp, 0, sizeof(resp));
	resp.body = (char *)body;
	resp.len = strlen(body);
	idpc_http_reason(&resp, out, sizeof(out));
	assert_string_equal(out, want);
}

static void
test_http_reason_controls(void **state)
{
	(void)state;
	/* C0, DEL and ESC, as before */
	expect_reason("bad\x1b[2Jthing\r\n\x7f", "bad [2Jthing");
	/* C1 as UTF-8 (U+009B is CSI), in a text body and in JSON */
	expect_reason("a\xc2\x9b""31mb\xc2\x85""c", "a 31mb c");
	expect_reason("{\"error\":\"x\\u009b2Jy\\u0085z\"}", "x 2Jy z");
	/* raw C1 bytes, not UTF-8 */
	expect_reason("p\x9b""1mq\x80r", "p 1mq r");
	/* a truncated or invalid sequence is not passed on either */
	expect_reason("u\xc3v\xff", "u v");
	/* printable UTF-8, C1 lookalike continuation bytes included, stays */
	expect_reason("caf\xc3\xa9 \xc3\x9b \xe2\x82\xac", "caf\xc3\xa9 \xc3\x9b \xe2\x82\xac");
	expect_reason("{\"error\":\"d\\u00e9j\\u00e0\"}", "d\xc3\xa9j\xc3\xa0");
}

/* A certificate that does not decode is named as such, without OpenSSL's
 * ASN.1 reason ("too long" for base64 of "garbage"), which misleads. */
static void
test_cert_pem_messages(void **state)
{
	idprov_error err;
	X509 *x = NULL;

	(void)state;
	assert_int_equal(idprov_cert_from_pem("-----BEGIN CERTIFICATE-----\n"
	    "Z2FyYmFnZQ==\n-----END CERTIFICATE-----\n", &x, &err),
	    IDPROV_ERR_INVALID);
	assert_null(x);
	assert_string_equal(err.msg, "the text holds no PEM certificate: its "
	    "CERTIFICATE block does not decode to one");
	assert_int_equal(idprov_cert_from_pem("hello", &x, &err),
	    IDPROV_ERR_INVALID);
	assert_string_equal(err.msg, "the text holds no PEM certificate");
}

/* The timeout of one exchange is cut to the time left before the deadline
 * of a provisioning, never under 1 s, and never over the per-request one. */
static void
test_request_timeout(void **state)
{
	idprov_client *c = NULL;
	long ms;

	(void)state;
	assert_int_equal(idprov_client_new(&c, "dev", "/nonexistent/state"),
	    IDPROV_OK);
	assert_int_equal(idpc_request_timeout_ms(c), IDPC_DEFAULT_TIMEOUT * 1000);
	assert_true(idpc_ms_left(c) == LLONG_MAX);
	c->deadline = time(NULL) + 5;
	ms = idpc_request_timeout_ms(c);
	assert_true(ms > 3000 && ms <= 5000);
	c->deadline = time(NULL) - 10;
	assert_int_equal(idpc_request_timeout_ms(c), IDPC_MIN_REQUEST_MS);
	assert_true(idpc_ms_left(c) < 0);
	c->deadline = time(NULL) + 3600;
	assert_int_equal(idpc_request_timeout_ms(c), IDPC_DEFAULT_TIMEOUT * 1000);
	c->deadline = (time_t)LLONG_MAX;
	assert_true(idpc_ms_left(c) == LLONG_MAX);
	assert_int_equal(idpc_request_timeout_ms(c), IDPC_DEFAULT_TIMEOUT * 1000);
	c->deadline = (time_t)LLONG_MIN;
	assert_int_equal(idpc_request_timeout_ms(c), IDPC_MIN_REQUEST_MS);
	idprov_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory_url),
		cmocka_unit_test(test_endpoint_url),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_waiting_base),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_renew_point),
		cmocka_unit_test(test_http_reason_controls),
		cmocka_unit_test(test_cert_pem_messages),
		cmocka_unit_test(test_request_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
