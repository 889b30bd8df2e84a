/*
 * oobsecret.c - POST /idprov/oobsecret: an administrator gives the server
 * a device's one-time secret (WIRE.md "OOB secret").  Answers 200 with
 * {"deviceID":...,"validUntil":...}; a later post replaces the secret.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "oob_check.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"
#include "../../lib/core/timeutil.h"
#include "../../lib/core/wire.h"

void
srv_h_oobsecret(srv_app *app, const srv_request *req, srv_response *resp)
{
	idprov_oob_secret m;
	idprov_error err;
	srv_settings set;
	srv_oob_new e;
	time_t now = time(NULL), until = 0;
	char until_s[21];
	const char *ids[1];
	idprov_buf b = IDPROV_BUF_INIT;
	size_t len = 0;
	char *body;

	memset(&m, 0, sizeof(m));
	idprov_error_clear(&err);
	if (req->role != SRV_ROLE_ADMIN) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (idprov_oob_secret_parse(req->body, req->body_len, &m, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	srv_respond_device(resp, m.device_id);
	srv_app_settings(app, &set);
	if (srv_oob_check(m.device_id, m.oob_secret, m.valid_until, &set, now,
	    &until, &err) != IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	e.device_id = m.device_id;
	e.secret = m.oob_secret;
	e.secret_len = strlen(m.oob_secret);
	e.valid_until = until;
	if (srv_oob_put(app->oob, &e, 1, &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	ids[0] = m.device_id;
	if (srv_registry_note_oob(app->reg, ids, 1, req->peer_addr,
	    req->peer_cn, now,
	    &err) != IDPROV_OK) {
		/* The secret is stored and works; only the bookkeeping
		 * failed.  Say so rather than pretend nothing happened. */
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	idprov_time_format(until, until_s);
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, m.device_id);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "validUntil");
	idprov_canon_cstr(&b, until_s);
	idprov_buf_append_char(&b, '}');
	body = idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "oob-secret stored until %s",
		    until_s);
out:
	idprov_buf_free(&b);
	idprov_oob_secret_free(&m);
}
