/*
 * revoke.c - `idprovctl revoke DEVICE [--reason R]`: revoke every
 * certificate of a device; `idprovctl revoke --serial HEX` or `--certificate
 * FILE`: revoke one certificate, also one the registry does not know (an
 * admin or plugin certificate from `ca init` or made by hand).  The server
 * regenerates the CRL before it answers, and from then on refuses the
 * certificate for every role.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/buf.h"
#include "lib/core/canon.h"
#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "lib/core/validate.h"

#define REASON_MAX 200
#define CERT_FILE_MAX (64 * 1024)
#define SERIAL_HEX_MAX 40	/* 20 bytes, RFC 5280 4.1.2.2 */

static const ctl_opt own[] = {
	{ "reason", 1 },
	{ "serial", 1 },
	{ "certificate", 1 },
	{ "json", 0 },
	{ NULL, 0 }
};

/* Hex digits, at most 20 bytes' worth once leading zeros are dropped;
 * "0x" and ':' separators (openssl's output) are accepted. */
static int
serial_ok(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
		s += 2;
	for (; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s) || n + 1 >= outsz)
			return 0;
		if (n == 0 && *s == '0')
			continue;
		out[n++] = *s;
	}
	out[n] = '\0';
	return n > 0 && n <= SERIAL_HEX_MAX;
}

int ctl_revoke(int argc, char **argv)
{
	idprov_buf b = IDPROV_BUF_INIT;
	ctl_response r = { 0 };
	ctl_conn *conn = NULL;
	const char *reason, *serial, *cert_file;
	json_t *ans = NULL;
	ctl_args a;
	idprov_error err;
	char what[160], *body = NULL, *pem = NULL, hex[SERIAL_HEX_MAX + 8];
	size_t len = 0, pem_len = 0;
	int rc;

	if ((rc = ctl_session_args("revoke", argc, argv, own, 0, 1, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	serial = ctl_arg(&a, "serial");
	cert_file = ctl_arg(&a, "certificate");
	if ((a.n_pos == 1) + (serial != NULL) + (cert_file != NULL) != 1)
		return ctl_usage_error("revoke", "give exactly one of DEVICE, "
		    "--serial HEX and --certificate FILE");
	if (a.n_pos == 1 && idprov_validate_device_id(a.pos[0], &err) !=
	    IDPROV_OK)
		return ctl_usage_error("revoke", "%s", err.msg);
	if (serial != NULL && !serial_ok(serial, hex, sizeof(hex)))
		return ctl_usage_error("revoke", "--serial must be a serial "
		    "number in hex (at most 20 bytes)");
	reason = ctl_arg(&a, "reason");
	if (reason && strlen(reason) > REASON_MAX)
		return ctl_usage_error("revoke", "--reason is longer than %d "
		    "bytes", REASON_MAX);
	if (cert_file != NULL && ctl_input_read(cert_file, CERT_FILE_MAX,
	    &pem, &pem_len, &err) != IDPROV_OK) {
		ctl_err("%s", err.msg);
		return CTL_EXIT_BAD_INPUT;
	}
	/* Checked here, not by the server: a key file given by mistake
	 * would otherwise travel to it. */
	if (cert_file != NULL) {
		X509 *x = NULL;

		if (idprov_cert_from_pem(pem, &x, &err) != IDPROV_OK) {
			ctl_err("%s holds %s: nothing was sent", cert_file,
			    strstr(pem, "PRIVATE KEY") ? "a private key, not a "
			    "certificate" : "no PEM certificate");
			OPENSSL_cleanse(pem, pem_len);
			free(pem);
			return CTL_EXIT_BAD_INPUT;
		}
		X509_free(x);
	}
	idprov_buf_append_char(&b, '{');
	if (a.n_pos == 1) {
		idprov_canon_key(&b, "deviceID");
		idprov_canon_cstr(&b, a.pos[0]);
		snprintf(what, sizeof(what), "revoking %s", a.pos[0]);
	} else if (serial != NULL) {
		idprov_canon_key(&b, "serial");
		idprov_canon_cstr(&b, hex);
		snprintf(what, sizeof(what), "revoking the certificate with "
		    "serial %s", hex);
	} else {
		idprov_canon_key(&b, "certificate");
		idprov_canon_string(&b, pem, pem_len);
		snprintf(what, sizeof(what), "revoking the certificate in %.100s",
		    cert_file);
	}
	if (reason) {
		idprov_buf_append_char(&b, ',');
		idprov_canon_key(&b, "reason");
		idprov_canon_cstr(&b, reason);
	}
	idprov_buf_append_char(&b, '}');
	if (!(body = idprov_buf_take(&b, &len))) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	if ((rc = ctl_session_connect(&a, &conn)) != 0 ||
	    (rc = ctl_session_call(conn, "POST", "/idprov/admin/revoke", body,
	    len, what, &r)) != 0)
		goto out;
	ans = json_loadb(r.body, r.len, 0, NULL);
	/* Never report a revocation the answer does not show. */
	if (!json_is_object(ans) || !json_is_integer(json_object_get(ans,
	    "revoked"))) {
		rc = ctl_fail("the server's answer to %s is not the JSON of "
		    "docs/admin-api.md, so whether it was revoked is not known: "
		    "look with idprovctl status or crl", what);
		goto out;
	}
	if (ctl_flag(&a, "json")) {
		ctl_print_json(ans);
	} else if (a.n_pos == 1) {
		json_int_t n = ans ? json_integer_value(json_object_get(ans,
		    "revoked")) : 0;

		printf("revoked %s: %lld certificate%s\n", a.pos[0],
		    (long long)n, n == 1 ? "" : "s");
	} else {
		const char *s = ans ? json_string_value(json_object_get(ans,
		    "serial")) : NULL;
		const char *dev = ans ? json_string_value(json_object_get(ans,
		    "deviceID")) : NULL;
		json_int_t n = ans ? json_integer_value(json_object_get(ans,
		    "revoked")) : 0;

		printf("%s certificate %s%s%s\n", n ? "revoked" :
		    "already revoked:", s ? s : "?",
		    dev && dev[0] ? " of device " : "", dev ? dev : "");
	}
out:
	json_decref(ans);
	free(body);
	free(pem);
	idprov_buf_free(&b);
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
