/*
 * servercert.h - a TLS server's certificate judged as Go's TLS client
 * judges it (the reference peers are Go): it must chain to the trusted CA
 * and be valid now (OpenSSL's usual verification), and its extended key
 * usage, when it has one, must allow serverAuth (or any usage); the key
 * usage bits are not looked at.  OpenSSL's "ssl_server" purpose also
 * demands digitalSignature or keyEncipherment in the key usage, which
 * refuses the Go reference's own test bundle (server certificate with
 * keyUsage certSign|CRLSign only; docs/interop.md, M5).
 *
 * The device library (lib/client) and idprovctl both use it, so that the
 * two never disagree about a server.
 */
#ifndef IDPROV_CORE_SERVERCERT_H
#define IDPROV_CORE_SERVERCERT_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "error.h"

/*
 * IDPROV_OK if cert may be a TLS server's certificate by its extended key
 * usage (serverAuth, anyExtendedKeyUsage, or no EKU extension);
 * IDPROV_ERR_VERIFY when it may not or its extensions do not parse.
 * Only the EKU: the chain is checked elsewhere.
 */
idprov_status idprov_server_cert_check(X509 *cert, idprov_error *err);

/*
 * Make ctx (the client side of a TLS connection that verifies the peer)
 * judge the server certificate by the rule above instead of the
 * "ssl_server" purpose: purpose "any" for the chain, and a verify callback
 * that refuses a leaf failing idprov_server_cert_check with
 * X509_V_ERR_INVALID_PURPOSE.  The verify mode of ctx is kept, so call it
 * after the mode is set (libcurl's CURLOPT_SSL_CTX_FUNCTION runs after).
 */
idprov_status idprov_server_cert_use_rule(SSL_CTX *ctx, idprov_error *err);

#endif
