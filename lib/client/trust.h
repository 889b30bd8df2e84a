/*
 * trust.h - the checks an Approved response must pass before anything is
 * saved (docs/client.md, "Trust").  The response's signature is checked
 * by the caller first; these check what it carries.
 */
#ifndef IDPROV_CLIENT_TRUST_H
#define IDPROV_CLIENT_TRUST_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "lib/core/error.h"
#include "lib/core/wire.h"

typedef struct idpc_trust_in {
	const char *device_id;
	const char *host;	/* host of the URL the session went to */
	X509 *expected_ca;	/* the directory's CA (provisional), or ca.pem */
	/* The server certificate of the session that brought the response,
	 * when curl did not verify it (no CA yet); NULL otherwise. */
	X509 *session_server;
	EVP_PKEY *key;		/* the key the certificate must be for */
	const idprov_prov_response *resp;
} idpc_trust_in;

/*
 * IDPROV_OK and the parsed CA and certificate when every check passes,
 * IDPROV_ERR_UNTRUSTED with the reason otherwise.
 */
idprov_status idpc_trust_check(const idpc_trust_in *in, X509 **ca_out,
    X509 **cert_out, idprov_error *err);

#endif
