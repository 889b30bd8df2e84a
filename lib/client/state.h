/*
 * state.h - the device's state folder (layout in idprov/idprov.h).
 *
 * Commit points: an approval (provisioning) is staged whole first, each
 * file saved under a dot name (.ca.pem.new, .server.url.new, then
 * .cert.pem.new), so a full disk stops it before anything is in place; it
 * is committed once .cert.pem.new is saved, then the three are renamed
 * into place (ca.pem, server.url, cert.pem last).  A key rotation commits
 * when cert.pem is in place: the new key waits in key.next.pem until
 * then, and is moved over key.pem right after.  idpc_state_recover()
 * finishes a committed approval or rotation and discards an uncommitted
 * one, so the next run sees all of an approval or none of it, and a key
 * pair that matches.
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

/* Finish or discard an interrupted approval or key rotation (above). */
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

/* After an Approved provisioning: stage ca.pem, server.url and cert.pem,
 * then put them in place (see above).  When staging fails nothing is
 * changed and the message says the OOB secret is used up. */
idprov_status idpc_state_save_provisioned(idprov_client *c, X509 *ca,
    X509 *cert, const char *directory_url);

/* After a renewal: with new_key, key.next.pem, cert.pem, then the rename
 * of key.next.pem over key.pem; without, just cert.pem. */
idprov_status idpc_state_save_renewed(idprov_client *c, X509 *cert,
    EVP_PKEY *new_key);

#endif
