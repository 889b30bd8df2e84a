/*
 * upload.c - the bulk upload: canonical JSON chunks under the body limit,
 * the server's "index" of a refused entry mapped back to the file's line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <jansson.h>

#include "ctl.h"
#include "upload.h"
#include "lib/core/buf.h"
#include "lib/core/canon.h"

idprov_status ctl_upload_entry(idprov_buf *b, const ctl_oob_row *row)
{
	idprov_buf_append_char(b, '{');
	idprov_canon_key(b, "deviceID");
	idprov_canon_cstr(b, row->device_id);
	idprov_buf_append_char(b, ',');
	idprov_canon_key(b, "oobSecret");
	idprov_canon_cstr(b, row->secret);
	idprov_buf_append_char(b, ',');
	idprov_canon_key(b, "validUntil");
	idprov_canon_cstr(b, row->valid_until);
	return idprov_buf_append_char(b, '}');
}

/* Wipe and free a body that held secrets. */
static void body_free(idprov_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	idprov_buf_free(b);
}

/* The index the server names in a 400 answer, or -1. */
static long refused_index(const ctl_response *r)
{
	json_t *j = json_loadb(r->body, r->len, 0, NULL);
	json_t *ix = j ? json_object_get(j, "index") : NULL;
	long v = ix && json_is_integer(ix) ? (long)json_integer_value(ix) : -1;

	json_decref(j);
	return v;
}

int ctl_upload_secrets(ctl_conn *conn, const ctl_oob_row *rows, size_t n,
    const char *source, int quiet, ctl_upload_result *res)
{
	ctl_progress prog;
	size_t i = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	ctl_progress_start(&prog, n, quiet);
	while (i < n) {
		idprov_buf body = IDPROV_BUF_INIT, entry = IDPROV_BUF_INIT;
		ctl_response r;
		idprov_error err;
		idprov_status st;
		size_t first = i, count = 0;

		idprov_buf_append_str(&body, "{\"secrets\":[");
		while (i < n && count < CTL_UPLOAD_CHUNK_ROWS) {
			entry.len = 0;
			if (entry.data)
				entry.data[0] = '\0';
			ctl_upload_entry(&entry, &rows[i]);
			if (entry.failed) {
				body_free(&entry);
				body_free(&body);
				ctl_progress_end(&prog);
				ctl_err("out of memory");
				return CTL_EXIT_REFUSED;
			}
			/* +2 for the comma and the closing "]}" */
			if (count > 0 && body.len + entry.len + 3 >
			    CTL_UPLOAD_CHUNK_BYTES)
				break;
			if (count > 0)
				idprov_buf_append_char(&body, ',');
			idprov_buf_append(&body, entry.data, entry.len);
			count++;
			i++;
		}
		idprov_buf_append_str(&body, "]}");
		body_free(&entry);
		if (body.failed) {
			body_free(&body);
			ctl_progress_end(&prog);
			ctl_err("out of memory");
			return CTL_EXIT_REFUSED;
		}

		idprov_error_clear(&err);
		st = ctl_conn_request(conn, "POST", "/idprov/admin/oobsecrets",
		    body.data, body.len, &r, &err);
		body_free(&body);
		res->requests++;
		if (st == IDPROV_OK && r.code == 400) {
			long ix = refused_index(&r);
			char why[IDPROV_ERROR_MAX];

			ctl_conn_check(conn, &r, "the secrets", &err);
			snprintf(why, sizeof(why), "%s", err.msg);
			ctl_progress_end(&prog);
			if (ix >= 0 && (size_t)ix < count)
				ctl_err("%s line %zu (deviceID %s): %s", source,
				    rows[first + (size_t)ix].line,
				    rows[first + (size_t)ix].device_id, why);
			else
				ctl_err("%s", why);
			ctl_response_free(&r);
			rc = CTL_EXIT_REFUSED;
			break;
		}
		if (st == IDPROV_OK)
			st = ctl_conn_check(conn, &r, "the secrets", &err);
		ctl_response_free(&r);
		if (st != IDPROV_OK) {
			ctl_progress_end(&prog);
			ctl_err("%s", err.msg);
			rc = ctl_exit_for(st);
			break;
		}
		res->stored += count;
		ctl_progress_update(&prog, res->stored);
	}
	if (rc == 0)
		ctl_progress_end(&prog);
	if (rc != 0 && res->stored > 0)
		ctl_err("the server stored the first %zu secret%s (up to %s "
		    "line %zu) before this; the others were not stored",
		    res->stored, res->stored == 1 ? "" : "s", source,
		    rows[res->stored - 1].line);
	else if (rc != 0)
		ctl_err("no secret was stored");
	return rc;
}
