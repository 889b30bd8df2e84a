/*
 * status.c - `idprovctl status DEVICE [--json]`: the standard status
 * endpoint, with the certificate it returns decoded for a person.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/b64.h"
#include "lib/core/crypto.h"
#include "lib/core/timeutil.h"
#include "lib/core/validate.h"
#include "lib/core/wire.h"

static const ctl_opt own[] = {
	{ "json", 0 },
	{ NULL, 0 }
};

int ctl_status(int argc, char **argv)
{
	idprov_status_msg m = { 0 };
	idprov_cert_info info;
	int have_cert = 0;
	ctl_response r = { 0 };
	ctl_conn *conn = NULL;
	ctl_args a;
	idprov_error err;
	char path[512], what[160], nb[21], na[21];
	char *id = NULL, *pem = NULL;
	X509 *cert = NULL;
	int rc;

	if ((rc = ctl_session_args("status", argc, argv, own, 1, 1, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	if (idprov_validate_device_id(a.pos[0], &err) != IDPROV_OK)
		return ctl_usage_error("status", "%s", err.msg);
	if (!(id = ctl_url_escape(a.pos[0])))
		return ctl_fail("out of memory");
	snprintf(path, sizeof(path), "%s%s", IDPROV_PATH_STATUS_PREFIX, id);
	snprintf(what, sizeof(what), "the status of %s", a.pos[0]);
	if ((rc = ctl_session_connect(&a, &conn)) != 0 ||
	    (rc = ctl_session_call(conn, "GET", path, NULL, 0, what, &r)) != 0)
		goto out;
	if (idprov_status_msg_parse(r.body, r.len, &m, &err) != IDPROV_OK) {
		rc = ctl_fail("the server's answer for %s is not a status "
		    "message: %s", a.pos[0], err.msg);
		goto out;
	}
	if (m.client_cert && m.client_cert[0] &&
	    idprov_pem_from_wire(m.client_cert, "clientCert", &pem, &err) ==
	    IDPROV_OK && idprov_cert_from_pem(pem, &cert, &err) == IDPROV_OK &&
	    idprov_cert_get_info(cert, &info, &err) == IDPROV_OK) {
		have_cert = 1;
		idprov_time_format(info.not_before, nb);
		idprov_time_format(info.not_after, na);
	}

	if (ctl_flag(&a, "json")) {
		json_t *o = json_object();

		json_object_set_new(o, "deviceID", json_string(m.device_id));
		json_object_set_new(o, "status", json_string(m.status));
		if (have_cert)
			json_object_set_new(o, "certificate", json_pack(
			    "{s:s,s:s,s:s,s:s,s:s}", "serial", info.serial_hex,
			    "notBefore", nb, "notAfter", na, "subjectOU",
			    info.ou, "fingerprint", info.fingerprint));
		else
			json_object_set_new(o, "certificate", json_null());
		ctl_print_json(o);
		json_decref(o);
	} else {
		/* the server's words, for a terminal */
		ctl_printable_line(m.device_id);
		ctl_printable_line(m.status);
		printf("deviceID     %s\nstatus       %s\n", m.device_id,
		    m.status);
		if (have_cert)
			printf("certificate  serial %s\n             valid "
			    "%s to %s\n", info.serial_hex, nb, na);
		else
			printf("certificate  none\n");
	}
out:
	free(id);
	free(pem);
	X509_free(cert);
	idprov_status_msg_free(&m);
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
