/*
 * state.h - the device's state folder (layout in idprov/idprov.h).
 *
 * Commit points: a provisioning is committed when cert.pem is renamed into
 * place (ca.pem is written just before it); a key rotation too: the new key
 * waits in key.next.pem until cert.pem for it is in place, and is moved
 * over key.pem right after.  idpc_state_recover() finishes or discards an
 * interrupted rotation, so the pair on disk always matches.
 */
#ifndef IDPROV_CLIENT_STATE_H
#define IDPROV_CLIENT_STATE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "client.h"

/* Fill the path members of c from c->state_dir. */
idprov_status idpc_state_paths(idprov_client *c);

/* Create the folder (0700) if it is missing. */
idprov_status idpc_state_mkdir(idprov_client *c);

/* Finish or discard an interrupted key rotation (see above). */
idprov_status idpc_state_recover(idprov_client *c);

/* ca.pem as PEM text and as X509; IDPROV_ERR_NOT_FOUND when absent. */
idprov_status idpc_state_load_ca(idprov_client *c, char **pem, X509 **ca);

/* cert.pem; IDPROV_ERR_NOT_FOUND when absent. */
idprov_status idpc_state_load_cert(idprov_client *c, X509 **cert);

/* key.pem, generated (EC P-256) and saved (0600) when absent. */
idprov_status idpc_state_key(idprov_client *c, EVP_PKEY **key);

/* key.pem; IDPROV_ERR_NOT_FOUND when absent. */
idprov_status idpc_state_load_key(idprov_client *c, EVP_PKEY **key);

/* server.url into out ("" and IDPROV_ERR_NOT_FOUND when absent). */
idprov_status idpc_state_load_url(idprov_client *c, char *out,
    size_t out_len);

/* After an Approved provisioning: ca.pem, server.url, then cert.pem. */
idprov_status idpc_state_save_provisioned(idprov_client *c, X509 *ca,
    X509 *cert, const char *directory_url);

/* After a renewal: with new_key, key.next.pem, cert.pem, then the rename
 * of key.next.pem over key.pem; without, just cert.pem. */
idprov_status idpc_state_save_renewed(idprov_client *c, X509 *cert,
    EVP_PKEY *new_key);

#endif
