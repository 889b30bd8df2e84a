/*
 * admin_pending.c - GET /idprov/admin/pending?offset=N&limit=N: devices
 * that asked while no secret was known (docs/admin-api.md).  A device
 * leaves the list when it is issued a certificate.
 */
#include <string.h>

#include "handlers.h"
#include "query.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"
#include "../../lib/core/timeutil.h"

typedef struct pending_ctx {
	idprov_buf *b;
	int first;
} pending_ctx;

static void
field(idprov_buf *b, const char *key, const char *v, int comma)
{
	if (comma)
		idprov_buf_append_char(b, ',');
	idprov_canon_key(b, key);
	idprov_canon_cstr(b, v);
}

static void
one_pending(const srv_reg_pending *p, void *vctx)
{
	pending_ctx *c = vctx;
	char first[21], last[21];

	idprov_time_format(p->first_seen, first);
	idprov_time_format(p->last_seen, last);
	if (!c->first)
		idprov_buf_append_char(c->b, ',');
	c->first = 0;
	idprov_buf_append_char(c->b, '{');
	field(c->b, "deviceID", p->device_id, 0);
	field(c->b, "ip", p->ip, 1);
	field(c->b, "mac", p->mac, 1);
	field(c->b, "peer", p->peer, 1);
	field(c->b, "keyFingerprint", p->key_fingerprint, 1);
	field(c->b, "firstSeen", first, 1);
	field(c->b, "lastSeen", last, 1);
	idprov_buf_append_char(c->b, ',');
	idprov_canon_key(c->b, "count");
	idprov_canon_int(c->b, p->count);
	idprov_buf_append_char(c->b, '}');
}

void
srv_h_admin_pending(srv_app *app, const srv_request *req,
    srv_response *resp)
{
	long long offset, limit, total = 0;
	idprov_error err;
	idprov_buf b = IDPROV_BUF_INIT, rows = IDPROV_BUF_INIT;
	pending_ctx c;
	size_t len = 0;
	char *body;

	idprov_error_clear(&err);
	if (req->role != SRV_ROLE_ADMIN) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (srv_query_paging(req->query, 100, 1000, &offset, &limit, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		return;
	}
	c.b = &rows;
	c.first = 1;
	if (srv_registry_list_pending(app->reg, offset, limit, one_pending, &c,
	    &total, &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "total");
	idprov_canon_int(&b, total);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "pending");
	idprov_buf_append_char(&b, '[');
	if (rows.len > 0)
		idprov_buf_append(&b, rows.data, rows.len);
	idprov_buf_append_str(&b, "]}");
	body = rows.failed ? NULL : idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "pending listed: %lld", total);
out:
	idprov_buf_free(&b);
	idprov_buf_free(&rows);
}
