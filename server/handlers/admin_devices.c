/*
 * admin_devices.c - GET /idprov/admin/devices?status=S&offset=N&limit=N:
 * the registry's devices sorted by deviceID (docs/admin-api.md).
 */
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "query.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"
#include "../../lib/core/timeutil.h"

typedef struct list_ctx {
	srv_app *app;
	idprov_buf *b;
	int first;
	time_t now;
} list_ctx;

/* "" for a time the registry does not have. */
static void
time_field(idprov_buf *b, const char *key, time_t t)
{
	char s[21] = "";

	if (t > 0)
		idprov_time_format(t, s);
	idprov_canon_key(b, key);
	idprov_canon_cstr(b, s);
}

static void
str_field(idprov_buf *b, const char *key, const char *v)
{
	idprov_canon_key(b, key);
	idprov_canon_cstr(b, v);
}

static void
one_device(const srv_reg_device *d, void *vctx)
{
	list_ctx *c = vctx;
	idprov_buf *b = c->b;

	if (!c->first)
		idprov_buf_append_char(b, ',');
	c->first = 0;
	idprov_buf_append_char(b, '{');
	str_field(b, "deviceID", d->device_id);
	idprov_buf_append_char(b, ',');
	str_field(b, "status", d->status);
	idprov_buf_append_char(b, ',');
	str_field(b, "serial", d->serial);
	idprov_buf_append_char(b, ',');
	time_field(b, "notBefore", d->not_before);
	idprov_buf_append_char(b, ',');
	time_field(b, "notAfter", d->not_after);
	idprov_buf_append_char(b, ',');
	str_field(b, "ip", d->ip);
	idprov_buf_append_char(b, ',');
	str_field(b, "mac", d->mac);
	idprov_buf_append_char(b, ',');
	str_field(b, "peer", d->peer);
	idprov_buf_append_char(b, ',');
	str_field(b, "keyFingerprint", d->key_fingerprint);
	idprov_buf_append_char(b, ',');
	time_field(b, "firstSeen", d->first_seen);
	idprov_buf_append_char(b, ',');
	time_field(b, "lastSeen", d->last_seen);
	idprov_buf_append_char(b, ',');
	idprov_canon_key(b, "issueCount");
	idprov_canon_int(b, d->issue_count);
	idprov_buf_append_char(b, ',');
	idprov_canon_key(b, "oobPending");
	idprov_buf_append_str(b, srv_oob_has(c->app->oob, d->device_id,
	    c->now) ? "true" : "false");
	/* A lockout is anyone's to cause, so it does not change an approved
	 * device's status: it shows here. */
	idprov_buf_append_char(b, ',');
	idprov_canon_key(b, "oobLockedOut");
	idprov_buf_append_str(b, srv_oob_locked_out(c->app->oob, d->device_id,
	    c->now) ? "true" : "false");
	idprov_buf_append_char(b, '}');
}

void
srv_h_admin_devices(srv_app *app, const srv_request *req,
    srv_response *resp)
{
	static const char *const statuses[] = { "all", "approved", "revoked",
		"waiting", "rejected" };
	char status[16] = "all";
	long long offset, limit, total = 0;
	idprov_error err;
	idprov_buf b = IDPROV_BUF_INIT, rows = IDPROV_BUF_INIT;
	list_ctx c;
	size_t i, len = 0;
	int known = 0;
	char *body;

	idprov_error_clear(&err);
	if (req->role != SRV_ROLE_ADMIN) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (!srv_query_get(req->query, "status", status, sizeof(status)))
		strcpy(status, "all");
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		known |= strcmp(status, statuses[i]) == 0;
	if (!known) {
		srv_respond_error(resp, 400, "bad-request", "status must be "
		    "all, approved, revoked, waiting or rejected");
		return;
	}
	if (srv_query_paging(req->query, 100, 1000, &offset, &limit, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		return;
	}
	c.app = app;
	c.b = &rows;
	c.first = 1;
	c.now = time(NULL);
	if (srv_registry_list_devices(app->reg, status, offset, limit,
	    one_device, &c, &total, &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "total");
	idprov_canon_int(&b, total);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "devices");
	idprov_buf_append_char(&b, '[');
	if (rows.len > 0)
		idprov_buf_append(&b, rows.data, rows.len);
	idprov_buf_append_str(&b, "]}");
	body = rows.failed ? NULL : idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "devices listed: %lld", total);
out:
	idprov_buf_free(&b);
	idprov_buf_free(&rows);
}
