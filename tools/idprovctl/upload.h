/*
 * upload.h - many OOB secrets to POST /idprov/admin/oobsecrets in chunks
 * that stay under the server's 64 KiB body limit, on one connection.
 */
#ifndef IDPROVCTL_UPLOAD_H
#define IDPROVCTL_UPLOAD_H

#include <stddef.h>
#include "conn.h"
#include "csv.h"
#include "lib/core/buf.h"
#include "session.h"

/* Body bytes per request: the server takes 64 KiB; keep a margin. */
#define CTL_UPLOAD_CHUNK_BYTES (60 * 1024)
#define CTL_UPLOAD_CHUNK_ROWS 10000

typedef struct ctl_upload_result {
	size_t stored;		/* rows the server accepted */
	size_t requests;	/* requests sent */
} ctl_upload_result;

/*
 * Upload rows[0..n).  `source` names where the rows came from in messages
 * ("secrets.csv"); rows[i].line is reported when the server refuses one.
 * Returns 0 or the exit code after printing the sentence.
 */
int ctl_upload_secrets(ctl_conn *conn, const ctl_oob_row *rows, size_t n,
    const char *source, int quiet, ctl_upload_result *res);

/* Append one {"deviceID":..,"oobSecret":..,"validUntil":..} object. */
idprov_status ctl_upload_entry(idprov_buf *b, const ctl_oob_row *row);

#endif
