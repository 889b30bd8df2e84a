/*
 * servercert.h - what a server certificate must allow, judged as Go's TLS
 * client judges it (the reference peers are Go): the extended key usage
 * must allow serverAuth (or any, or be absent); the key usage bits are not
 * looked at.  OpenSSL's "ssl_server" purpose also demands digitalSignature
 * or keyEncipherment in the key usage, which refuses the reference's own
 * test bundle (docs/interop.md, M5).
 */
#ifndef IDPROV_CLIENT_SERVERCERT_H
#define IDPROV_CLIENT_SERVERCERT_H

#include <openssl/x509.h>

/* 1 if cert may be a TLS server's certificate by its EKU, else 0. */
int idpc_server_eku_ok(X509 *cert);

#endif
