/*
 * http.h - one HTTPS exchange with libcurl, as the protocol needs it.
 *
 * A fresh connection per exchange (no reuse, no TLS session cache), so the
 * server certificate captured is the one of *this* exchange: the trust
 * check after an Approved response depends on that.
 */
#ifndef IDPROV_CLIENT_HTTP_H
#define IDPROV_CLIENT_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <openssl/x509.h>
#include "lib/core/error.h"

typedef struct idpc_http_req {
	const char *url;
	const char *body;	/* NULL: GET; else POST of body_len bytes */
	size_t body_len;
	/* CA PEM to verify the server with (host name included); NULL: no
	 * verification at all (only before the device has a CA). */
	const char *ca_pem;
	const char *cert_file;	/* client certificate (PEM), or NULL */
	const char *key_file;	/* its key (PEM), or NULL */
	/* bound of the whole exchange; connecting gets at most 10 s of it */
	long timeout_ms;
	const volatile sig_atomic_t *stop;
} idpc_http_req;

typedef struct idpc_http_resp {
	long code;		/* HTTP status */
	char *body;		/* NUL-terminated, at most IDPROV_MAX_BODY */
	size_t len;
	X509 *peer;		/* the server's leaf certificate */
	char local_ip[64];	/* our address on this connection */
} idpc_http_resp;

/*
 * Do the exchange.  IDPROV_OK means an HTTP answer arrived (any code).
 * IDPROV_ERR_NETWORK: no answer (connect, TLS, timeout);
 * IDPROV_ERR_UNTRUSTED: the server's certificate did not verify against
 * ca_pem; IDPROV_ERR_TOO_LARGE: the body is over the limit;
 * IDPROV_ERR_TIMEOUT: the stop flag was raised.
 */
idprov_status idpc_http_do(const idpc_http_req *req, idpc_http_resp *resp,
    idprov_error *err);

void idpc_http_resp_free(idpc_http_resp *resp);

/* The sentence of a non-200 answer: the "error" of a JSON body, or the
 * start of a text body, into out. */
void idpc_http_reason(const idpc_http_resp *resp, char *out, size_t out_len);

#endif
