/*
 * tls.h - idprovd's TLS settings (WIRE.md "Transport"): TLS 1.2 at least,
 * groups X25519 then P-256, the server certificate and key from the
 * configuration, client certificates requested but not required and
 * verified against the CA, ALPN http/1.1 or none (never h2).
 */
#ifndef IDPROVD_TLS_H
#define IDPROVD_TLS_H

#include <openssl/ssl.h>

#include "config.h"
#include "request.h"
#include "../lib/core/error.h"

/* A new server SSL_CTX for cfg (certificate, key, CA).  The sentence
 * names the file at fault. */
idprov_status srv_tls_ctx_new(const srv_config *cfg, SSL_CTX **out,
    idprov_error *err);

/* Who is on the other end of a finished handshake. */
typedef struct srv_peer {
	srv_role role;
	X509 *cert;		/* verified client certificate, or NULL;
				 * a reference owned by the srv_peer */
	char cn[256];		/* "" when none */
	char ou[256];
} srv_peer;

/* Fill peer from ssl: the certificate only if it verified. */
void srv_tls_peer(SSL *ssl, srv_peer *peer);
void srv_tls_peer_clear(srv_peer *peer);

/* OU -> role (WIRE.md "Authorization by certificate"). */
srv_role srv_tls_role_of_ou(const char *ou);

#endif
