/*
 * exchange.h - one round of the protocol: fetch the directory, send a
 * signed provisioning request, parse the answer.  Provisioning and renewal
 * are loops and checks around it.
 */
#ifndef IDPROV_CLIENT_EXCHANGE_H
#define IDPROV_CLIENT_EXCHANGE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "client.h"
#include "lib/core/wire.h"

typedef struct idpc_round {
	/* in */
	const char *ca_pem;	/* saved CA: verify the server; NULL: none */
	const char *cert_file;	/* mutual TLS (renewal), or NULL */
	const char *key_file;
	EVP_PKEY *key;		/* the key to get a certificate for */
	const void *secret;	/* signs the request (renewal: "") */
	size_t secret_len;
	/* out */
	char directory_url[IDPC_URL_MAX];
	char host[256];		/* host of the provreq URL */
	X509 *offered_ca;	/* the directory's caCert */
	X509 *peer;		/* the provreq session's server certificate */
	idprov_prov_response resp;
} idpc_round;

/*
 * IDPROV_OK: resp holds a parsed answer (any status).  IDPROV_ERR_NETWORK:
 * worth trying again later (no answer, or a 5xx).  Anything else: final.
 */
idprov_status idpc_round_run(idprov_client *c, idpc_round *r);

void idpc_round_free(idpc_round *r);

#endif
