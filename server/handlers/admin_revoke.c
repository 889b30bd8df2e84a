/*
 * admin_revoke.c - POST /idprov/admin/revoke {"deviceID":..,"reason":..}:
 * every unrevoked certificate of the device is marked revoked, the
 * device's OOB secret (if any) is forgotten, and the CRL is rebuilt
 * before the answer 200 {"deviceID":..,"revoked":N}; 404 for a device
 * the registry does not know.  The device comes back only through a new
 * OOB secret posted by an admin.
 */
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "json_body.h"
#include "../crl_build.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"
#include "../../lib/core/validate.h"

#define WHAT "revocation"
#define REASON_MAX 200

void
srv_h_admin_revoke(srv_app *app, const srv_request *req, srv_response *resp)
{
	json_t *root = NULL;
	const char *id, *reason;
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
	    srv_json_string(root, "deviceID", 1, WHAT, &id, &err) !=
	    IDPROV_OK ||
	    srv_json_string(root, "reason", 0, WHAT, &reason, &err) !=
	    IDPROV_OK ||
	    idprov_validate_device_id(id, &err) != IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
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
