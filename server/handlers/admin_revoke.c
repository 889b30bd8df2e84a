/*
 * admin_revoke.c - POST /idprov/admin/revoke {"deviceID":..,"reason":..}:
 * every unrevoked certificate of the device is marked revoked, the
 * device's OOB secret (if any) is forgotten, and the CRL is rebuilt
 * before the answer 200 {"deviceID":..,"revoked":N}; 404 for a device
 * the registry does not know.  The device comes back only through a new
 * OOB secret posted by an admin.
 * {"serial":"HEX"} or {"certificate":"PEM"} instead of deviceID revokes
 * one certificate, also one idprovd did not issue (admin and plugin
 * certificates): 200 {"serial":..,"deviceID":..,"revoked":0|1}.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "handlers.h"
#include "json_body.h"
#include "../crl_build.h"
#include "../issuer.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"
#include "../../lib/core/validate.h"

#define WHAT "revocation"
#define REASON_MAX 200

/* Serial numbers of up to 20 bytes (RFC 5280 4.1.2.2), as hex. */
#define SERIAL_HEX_MAX 40

/* hex -> upper case without leading zeros, an even number of digits (the
 * form srv_hex_upper gives an ASN1_INTEGER's content).  0 if not hex of a
 * positive number of at most 20 bytes. */
static int
serial_normalize(const char *in, char *out, size_t outsz)
{
	size_t i, n;

	while (*in == '0')
		in++;
	n = strlen(in);
	if (n == 0 || n > SERIAL_HEX_MAX || outsz < SERIAL_HEX_MAX + 2)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)in[i]))
			return 0;
	i = 0;
	if (n % 2 != 0)
		out[i++] = '0';
	for (; *in != '\0'; in++)
		out[i++] = (char)toupper((unsigned char)*in);
	out[i] = '\0';
	return 1;
}

/* The CA certificate, parsed (rare: revocations only). */
static X509 *
ca_cert(srv_app *app)
{
	const char *pem = srv_issuer_ca_pem(app->issuer);
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *ca = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return ca;
}

/* From {"serial"} or {"certificate"}: the normalized serial and until
 * when the CRL must list it.  A certificate must be one our CA signed. */
static idprov_status
target_of(srv_app *app, const char *serial, const char *pem, char *hex,
    size_t hexsz, time_t *not_after, idprov_error *err)
{
	X509 *ca = NULL, *cert = NULL;
	BIO *b = NULL;
	const ASN1_INTEGER *sn;
	const ASN1_TIME *t;
	struct tm tm;
	idprov_status st = IDPROV_ERR_INVALID;

	if ((ca = ca_cert(app)) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_CRYPTO,
		    "the CA certificate does not parse");
		goto out;
	}
	if (serial != NULL) {
		if (!serial_normalize(serial, hex, hexsz)) {
			idprov_error_set(err, st, "serial must be the hex of a "
			    "positive number of at most 20 bytes");
			goto out;
		}
		/* Unknown expiry: no certificate of this CA outlives it. */
		t = X509_get0_notAfter(ca);
	} else {
		if ((b = BIO_new_mem_buf(pem, -1)) == NULL ||
		    (cert = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
			idprov_error_set(err, st, "certificate is not a PEM "
			    "certificate");
			goto out;
		}
		if (X509_verify(cert, X509_get0_pubkey(ca)) != 1) {
			idprov_error_set(err, st, "certificate is not signed by "
			    "this server's CA");
			goto out;
		}
		sn = X509_get0_serialNumber(cert);
		if (ASN1_STRING_length(sn) <= 0 ||
		    ASN1_STRING_length(sn) > SERIAL_HEX_MAX / 2) {
			idprov_error_set(err, st, "certificate has a serial "
			    "number of more than 20 bytes");
			goto out;
		}
		srv_hex_upper(ASN1_STRING_get0_data(sn),
		    (size_t)ASN1_STRING_length(sn), hex, hexsz);
		t = X509_get0_notAfter(cert);
	}
	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		idprov_error_set(err, st, "certificate has an unreadable "
		    "notAfter");
		goto out;
	}
	*not_after = timegm(&tm);
	st = IDPROV_OK;
out:
	X509_free(cert);
	X509_free(ca);
	BIO_free(b);
	return st;
}

/* One certificate, by serial or as PEM. */
static void
revoke_one(srv_app *app, const srv_request *req, srv_response *resp,
    const char *serial, const char *pem, const char *reason)
{
	idprov_buf b = IDPROV_BUF_INIT;
	idprov_error err;
	char hex[SERIAL_HEX_MAX + 2], dev[72];
	time_t not_after = 0;
	int newly = 0;
	size_t len = 0;
	char *body;

	idprov_error_clear(&err);
	if (target_of(app, serial, pem, hex, sizeof(hex), &not_after, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, err.status == IDPROV_ERR_INVALID ? 400 :
		    500, err.status == IDPROV_ERR_INVALID ? "bad-request" :
		    "error", err.msg);
		return;
	}
	if (srv_registry_revoke_serial(app->reg, hex, not_after, reason,
	    srv_crl_reason_code(reason), req->peer_addr, req->peer_cn,
	    time(NULL), dev, sizeof(dev), &newly, &err) != IDPROV_OK ||
	    (newly && srv_app_refresh_crl(app, &err) != IDPROV_OK)) {
		srv_respond_error(resp, 500, "error", err.msg);
		return;
	}
	srv_respond_device(resp, dev);
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "serial");
	idprov_canon_cstr(&b, hex);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, dev);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "revoked");
	idprov_canon_int(&b, newly);
	idprov_buf_append_char(&b, '}');
	body = idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "revoked certificate %s%s", hex,
		    newly ? "" : " (already)");
	idprov_buf_free(&b);
}

void
srv_h_admin_revoke(srv_app *app, const srv_request *req, srv_response *resp)
{
	json_t *root = NULL;
	const char *id = NULL, *serial = NULL, *pem = NULL, *reason = NULL;
	idprov_error err;
	idprov_buf b = IDPROV_BUF_INIT;
	long long count = 0;
	int found = 0;
	size_t i, len = 0;
	char *body;

	idprov_error_clear(&err);
	if (req->role != SRV_ROLE_ADMIN) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (srv_json_object(req->body, req->body_len, WHAT, &root, &err) !=
	    IDPROV_OK ||
	    srv_json_string(root, "deviceID", 0, WHAT, &id, &err) !=
	    IDPROV_OK ||
	    srv_json_string(root, "serial", 0, WHAT, &serial, &err) !=
	    IDPROV_OK ||
	    srv_json_string(root, "certificate", 0, WHAT, &pem, &err) !=
	    IDPROV_OK ||
	    srv_json_string(root, "reason", 0, WHAT, &reason, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	if ((id != NULL) + (serial != NULL) + (pem != NULL) != 1) {
		srv_respond_error(resp, 400, "bad-request", "give exactly one "
		    "of deviceID, serial and certificate");
		goto out;
	}
	if (id != NULL && idprov_validate_device_id(id, &err) != IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	if (id != NULL)
		srv_respond_device(resp, id);
	if (reason == NULL)
		reason = "";
	if (strlen(reason) > REASON_MAX ||
	    !idprov_utf8_valid(reason, strlen(reason))) {
		srv_respond_error(resp, 400, "bad-request",
		    "reason must be UTF-8 text of at most 200 bytes");
		goto out;
	}
	for (i = 0; reason[i] != '\0'; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f) {
			srv_respond_error(resp, 400, "bad-request",
			    "reason must not contain control characters");
			goto out;
		}
	if (id == NULL) {
		revoke_one(app, req, resp, serial, pem, reason);
		goto out;
	}
	/* The secret goes first: a provisioning that takes it after this
	 * point gets Waiting, not a certificate issued after the revocation. */
	srv_oob_remove(app->oob, id);
	if (srv_registry_revoke(app->reg, id, reason,
	    srv_crl_reason_code(reason), req->peer_addr, req->peer_cn,
	    time(NULL), &found,
	    &count, &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	if (!found) {
		srv_respond_error(resp, 404, "not-found",
		    "the registry does not know this device");
		goto out;
	}
	if (srv_app_refresh_crl(app, &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, id);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "revoked");
	idprov_canon_int(&b, count);
	idprov_buf_append_char(&b, '}');
	body = idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "revoked %lld certificates", count);
out:
	idprov_buf_free(&b);
	json_decref(root);
}
