/*
 * status.c - GET /idprov/status/{deviceID}: admin/plugin for any device,
 * an iotdevice certificate for its own ID; 401 without a certificate,
 * 403 otherwise.  Status is Approved, Waiting, Rejected or Revoked (ours).
 * A device the server has never heard of is Waiting, as the Go reference
 * answers: its admin client takes any status >= 400 for a failure, so a
 * 404 would break an admin polling a device before its secret is posted.
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "../issuer.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/b64.h"
#include "../../lib/core/validate.h"
#include "../../lib/core/wire.h"

static const char *
wire_status(const char *reg_status)
{
	if (strcmp(reg_status, "approved") == 0)
		return IDPROV_STATUS_APPROVED;
	if (strcmp(reg_status, "rejected") == 0)
		return IDPROV_STATUS_REJECTED;
	if (strcmp(reg_status, "revoked") == 0)
		return "Revoked";
	return IDPROV_STATUS_WAITING;
}

void
srv_h_status(srv_app *app, const srv_request *req, srv_response *resp)
{
	const char *id = req->path + strlen(IDPROV_PATH_STATUS_PREFIX);
	idprov_status_msg m;
	srv_reg_device dev;
	idprov_error err;
	int found = 0;
	char *body;
	size_t len = 0;

	memset(&m, 0, sizeof(m));
	memset(&dev, 0, sizeof(dev));
	idprov_error_clear(&err);
	if (req->role == SRV_ROLE_NONE || req->role == SRV_ROLE_OTHER ||
	    (req->role == SRV_ROLE_DEVICE && (req->peer_cn == NULL ||
	    strcmp(req->peer_cn, id) != 0))) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (idprov_validate_device_id(id, &err) != IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		return;
	}
	srv_respond_device(resp, id);
	if (srv_registry_get_device(app->reg, id, &dev, &found, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	m.status = (char *)(found ? wire_status(dev.status) :
	    IDPROV_STATUS_WAITING);
	m.device_id = (char *)id;
	m.ca_cert = (char *)srv_issuer_ca_pem(app->issuer);
	/* clientCert is base64 of the PEM ([]byte in Go), null if none. */
	if (dev.cert_pem != NULL && (m.client_cert = idprov_b64_encode(
	    dev.cert_pem, strlen(dev.cert_pem))) == NULL) {
		srv_respond_error(resp, 500, "error", "out of memory");
		goto out;
	}
	body = idprov_status_msg_write(&m, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "status %s", m.status);
out:
	free(m.client_cert);
	srv_reg_device_free(&dev);
}
