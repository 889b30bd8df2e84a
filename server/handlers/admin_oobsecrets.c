/*
 * admin_oobsecrets.c - POST /idprov/admin/oobsecrets: many OOB secrets in
 * one request, all or nothing (docs/admin-api.md).  Every entry is
 * checked before any is stored; the first bad one is named with its
 * index: 400 {"error":"secrets[3]: ...","index":3}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "handlers.h"
#include "json_body.h"
#include "oob_check.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/buf.h"
#include "../../lib/core/canon.h"

#define MAX_ENTRIES 10000
#define WHAT "OOB secrets"

static void
bad_entry(srv_response *resp, size_t index, const char *msg)
{
	idprov_buf b = IDPROV_BUF_INIT;
	char reason[IDPROV_ERROR_MAX + 32];
	char *body;
	size_t len = 0;

	snprintf(reason, sizeof(reason), "secrets[%zu]: %s", index, msg);
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "error");
	idprov_canon_cstr(&b, reason);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "index");
	idprov_canon_int(&b, (long long)index);
	idprov_buf_append_char(&b, '}');
	body = idprov_buf_take(&b, &len);
	srv_respond_body(resp, 400, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "bad-request: %s", reason);
}

static int
by_id(const void *a, const void *b)
{
	const srv_oob_new *x = a, *y = b;

	return strcmp(x->device_id, y->device_id);
}

void
srv_h_admin_oobsecrets(srv_app *app, const srv_request *req,
    srv_response *resp)
{
	json_t *root = NULL, *arr, *item;
	srv_oob_new *e = NULL, *sorted = NULL;
	const char **ids = NULL;
	const char *id, *secret, *until_s;
	srv_settings set;
	idprov_error err;
	time_t now = time(NULL), until;
	size_t n = 0, i;
	idprov_buf b = IDPROV_BUF_INIT;
	char *body;
	size_t len = 0;

	idprov_error_clear(&err);
	if (req->role != SRV_ROLE_ADMIN) {
		srv_respond_unauthorized(resp, req);
		return;
	}
	if (srv_json_object(req->body, req->body_len, WHAT, &root, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	arr = json_object_get(root, "secrets");
	if (!json_is_array(arr)) {
		srv_respond_error(resp, 400, "bad-request", WHAT
		    ": field \"secrets\" must be an array");
		goto out;
	}
	n = json_array_size(arr);
	if (n > MAX_ENTRIES) {
		srv_respond_error(resp, 400, "bad-request", WHAT
		    ": more than 10000 entries; send them in several requests");
		goto out;
	}
	srv_app_settings(app, &set);
	e = calloc(n + 1, sizeof(*e));
	sorted = calloc(n + 1, sizeof(*sorted));
	ids = calloc(n + 1, sizeof(*ids));
	if (e == NULL || sorted == NULL || ids == NULL) {
		srv_respond_error(resp, 500, "error", "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, item) {
		if (!json_is_object(item)) {
			bad_entry(resp, i, "must be an object");
			goto out;
		}
		if (srv_json_string(item, "deviceID", 1, "entry", &id,
		    &err) != IDPROV_OK ||
		    srv_json_string(item, "oobSecret", 1, "entry", &secret,
		    &err) != IDPROV_OK ||
		    srv_json_string(item, "validUntil", 0, "entry", &until_s,
		    &err) != IDPROV_OK ||
		    srv_oob_check(id, secret, until_s, &set, now, &until,
		    &err) != IDPROV_OK) {
			bad_entry(resp, i, err.msg);
			goto out;
		}
		e[i].device_id = id;
		e[i].secret = secret;
		e[i].secret_len = strlen(secret);
		e[i].valid_until = until;
		ids[i] = id;
	}
	/* No deviceID twice: sort a copy and compare neighbours. */
	memcpy(sorted, e, n * sizeof(*e));
	qsort(sorted, n, sizeof(*sorted), by_id);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i - 1].device_id, sorted[i].device_id) == 0) {
			size_t j, last = 0;

			/* Name the later of the two in the request. */
			for (j = 0; j < n; j++)
				if (strcmp(e[j].device_id,
				    sorted[i].device_id) == 0)
					last = j;
			bad_entry(resp, last, "deviceID appears twice");
			goto out;
		}
	if (srv_oob_put(app->oob, e, n, &err) != IDPROV_OK ||
	    srv_registry_note_oob(app->reg, ids, n, req->peer_addr,
	    req->peer_cn, now,
	    &err) != IDPROV_OK) {
		srv_respond_error(resp, 500, "error", err.msg);
		goto out;
	}
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "accepted");
	idprov_canon_int(&b, (long long)n);
	idprov_buf_append_char(&b, '}');
	body = idprov_buf_take(&b, &len);
	srv_respond_body(resp, 200, body, len, NULL);
	if (body != NULL)
		srv_respond_outcome(resp, "oob-secrets stored: %zu", n);
out:
	idprov_buf_free(&b);
	free(e);
	free(sorted);
	free(ids);
	/* The secrets in the parsed tree are wiped before it is freed. */
	if (root != NULL && (arr = json_object_get(root, "secrets")) != NULL)
		json_array_foreach(arr, i, item) {
			json_t *s = json_object_get(item, "oobSecret");

			if (json_is_string(s))
				OPENSSL_cleanse((void *)json_string_value(s),
				    json_string_length(s));
		}
	json_decref(root);
}
