/*
 * conn.h - idprovctl's HTTPS connection to idprovd: libcurl with the
 * administrator's certificate, one handle per run so the TLS connection is
 * reused across requests (a bulk import sends many).
 */
#ifndef IDPROVCTL_CONN_H
#define IDPROVCTL_CONN_H

#include <stddef.h>
#include "lib/core/error.h"
#include "settings.h"

typedef struct ctl_conn ctl_conn;

typedef struct ctl_response {
	long code;		/* HTTP status */
	char *body;		/* NUL-terminated, malloc'd */
	size_t len;
} ctl_response;

/*
 * Check the certificate, key and CA files (readable, the key matches the
 * certificate) and prepare a connection.  IDPROV_ERR_INVALID or
 * IDPROV_ERR_NOT_FOUND with a sentence naming the file.
 */
idprov_status ctl_conn_open(const ctl_settings *s, ctl_conn **out,
    idprov_error *err);
void ctl_conn_close(ctl_conn *c);

/*
 * One request.  `path` starts with '/'; body may be NULL (GET).  IDPROV_OK
 * when the server answered (any HTTP status: see ctl_conn_check),
 * IDPROV_ERR_NETWORK when no HTTPS conversation happened (the sentence says
 * why: connection refused, untrusted server certificate, ...).
 */
idprov_status ctl_conn_request(ctl_conn *c, const char *method,
    const char *path, const char *body, size_t body_len, ctl_response *r,
    idprov_error *err);

/*
 * Turn an answer that is not 200 into one plain sentence: 401 "no
 * certificate", 403 with the OU read from the local certificate ("the
 * server refused the certificate admin.pem: its OU is iotdevice, not
 * admin"), 404, or the server's {"error":...}.  IDPROV_OK for 200;
 * IDPROV_ERR_NOT_FOUND for 404; IDPROV_ERR_REJECTED otherwise.
 * `what` says what was asked ("posting the secret of d1").
 */
idprov_status ctl_conn_check(ctl_conn *c, const ctl_response *r,
    const char *what, idprov_error *err);

void ctl_response_free(ctl_response *r);

/* The server URL in use, for messages. */
const char *ctl_conn_server(const ctl_conn *c);
/* The CA certificate file in use, "" for the system's CAs. */
const char *ctl_conn_ca(const ctl_conn *c);

/* Text from the server made one printable line, in place: C0, DEL, C1
 * and bytes that are not UTF-8 become spaces. */
void ctl_printable_line(char *s);

/* Percent-encode s for a URL path segment or query value (malloc'd). */
char *ctl_url_escape(const char *s);

#endif
