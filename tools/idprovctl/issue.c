/*
 * issue.c - `idprovctl issue DEVICE --pubkey FILE [--out FILE]`: an
 * administrator's provisioning request on a device's behalf (WIRE.md
 * "Decisions of the server" 1): no OOB secret, the request and the answer
 * signed with the empty key, authorised by the admin certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "lib/core/sign.h"
#include "lib/core/validate.h"
#include "lib/core/wire.h"

static const ctl_opt own[] = {
	{ "pubkey", 1 },
	{ "out", 1 },
	{ "ip", 1 },
	{ "mac", 1 },
	{ "force", 0 },
	{ NULL, 0 }
};

/* The ip field when the admin gives none: the device's address is not
 * known to us, and the field must not be empty. */
#define UNKNOWN_IP "0.0.0.0"

int ctl_issue(int argc, char **argv)
{
	idprov_prov_request req = { 0 };
	idprov_prov_response resp = { 0 };
	idprov_cert_info info;
	ctl_response r = { 0 };
	ctl_conn *conn = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	ctl_args a;
	idprov_error err;
	const char *out_path;
	char *pem = NULL, *body = NULL, what[160];
	size_t pem_len = 0, len = 0;
	int rc;

	if ((rc = ctl_session_args("issue", argc, argv, own, 1, 1, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	if (idprov_validate_device_id(a.pos[0], &err) != IDPROV_OK)
		return ctl_usage_error("issue", "%s", err.msg);
	if (!ctl_arg(&a, "pubkey"))
		return ctl_usage_error("issue", "--pubkey FILE is needed (the "
		    "device's public key, PEM)");
	out_path = ctl_arg(&a, "out");
	if (out_path && (rc = ctl_output_ok(out_path, ctl_flag(&a,
	    "force"))) != 0)
		return rc;
	if (ctl_input_read(ctl_arg(&a, "pubkey"), IDPROV_PUBKEY_PEM_MAX,
	    &pem, &pem_len, &err) != IDPROV_OK) {
		ctl_err("%s", err.msg);
		return CTL_EXIT_BAD_INPUT;
	}
	if (idprov_validate_public_key_pem(pem, &key, &err) != IDPROV_OK) {
		ctl_err("%s: %s", ctl_arg(&a, "pubkey"), err.msg);
		rc = CTL_EXIT_BAD_INPUT;
		goto out;
	}
	req.device_id = strdup(a.pos[0]);
	req.ip = strdup(ctl_arg(&a, "ip") ? ctl_arg(&a, "ip") : UNKNOWN_IP);
	req.mac = strdup(ctl_arg(&a, "mac") ? ctl_arg(&a, "mac") : "");
	req.public_key_pem = pem;
	pem = NULL;
	if (!req.device_id || !req.ip || !req.mac) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	if (idprov_validate_ip(req.ip, &err) != IDPROV_OK ||
	    idprov_validate_mac(req.mac, &err) != IDPROV_OK) {
		rc = ctl_usage_error("issue", "%s", err.msg);
		goto out;
	}
	if (idprov_prov_request_sign(&req, "", 0, &err) != IDPROV_OK ||
	    !(body = idprov_prov_request_write(&req, &len))) {
		rc = ctl_fail("cannot build the request: %s", err.msg);
		goto out;
	}
	snprintf(what, sizeof(what), "a certificate for %s", a.pos[0]);
	if ((rc = ctl_session_connect(&a, &conn)) != 0 ||
	    (rc = ctl_session_call(conn, "POST", IDPROV_PATH_PROVREQ, body, len,
	    what, &r)) != 0)
		goto out;
	if (idprov_prov_response_parse(r.body, r.len, &resp, &err) !=
	    IDPROV_OK) {
		rc = ctl_fail("the server's answer is not a provisioning "
		    "response: %s", err.msg);
		goto out;
	}
	if (strcmp(resp.status, IDPROV_STATUS_APPROVED) != 0) {
		rc = ctl_fail("the server answered %s, not Approved, for %s: "
		    "it did not take the request as an administrator's",
		    resp.status, a.pos[0]);
		goto out;
	}
	if (idprov_prov_response_verify(&resp, "", 0, &err) != IDPROV_OK) {
		rc = ctl_fail("the server's answer for %s is not signed as an "
		    "answer to an admin must be (empty key): %s", a.pos[0],
		    err.msg);
		goto out;
	}
	if (idprov_cert_from_pem(resp.client_cert, &cert, &err) != IDPROV_OK ||
	    idprov_cert_get_info(cert, &info, &err) != IDPROV_OK) {
		rc = ctl_fail("the certificate the server sent is unreadable: "
		    "%s", err.msg);
		goto out;
	}
	if (strcmp(info.cn, a.pos[0]) != 0 || !idprov_cert_matches_key(cert,
	    key)) {
		rc = ctl_fail("the certificate the server sent is not for %s "
		    "and the key in %s", a.pos[0], ctl_arg(&a, "pubkey"));
		goto out;
	}
	if (out_path) {
		if (idprov_cert_save_file(out_path, cert, &err) != IDPROV_OK) {
			ctl_err("%s", err.msg);
			rc = CTL_EXIT_OUTPUT;
			goto out;
		}
		printf("issued a certificate for %s, serial %s: %s\n",
		    a.pos[0], info.serial_hex, out_path);
	} else {
		fputs(resp.client_cert, stdout);
	}
out:
	free(pem);
	free(body);
	EVP_PKEY_free(key);
	X509_free(cert);
	idprov_prov_request_free(&req);
	idprov_prov_response_free(&resp);
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
