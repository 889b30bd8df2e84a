/*
 * validate.h - what the fields of a message may contain.
 *
 * deviceID: 1-64 bytes of valid UTF-8, no control characters (C0, DEL,
 * C1); it becomes a certificate CN, whose upper bound is 64.
 * ip, mac: at most 64 bytes, no control characters (may be empty; the
 * server decides whether empty is acceptable).
 * publicKeyPEM: a PKIX "PUBLIC KEY" PEM of EC P-256, P-384 or Ed25519;
 * anything else is refused by name ("RSA keys are not accepted").
 */
#ifndef IDPROV_CORE_VALIDATE_H
#define IDPROV_CORE_VALIDATE_H

#include <stddef.h>
#include <openssl/evp.h>
#include "error.h"

#define IDPROV_DEVICE_ID_MAX 64
#define IDPROV_IP_MAX 64
#define IDPROV_MAC_MAX 64
#define IDPROV_PUBKEY_PEM_MAX 4096

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int idprov_utf8_valid(const char *s, size_t len);

idprov_status idprov_validate_device_id(const char *id, idprov_error *err);
idprov_status idprov_validate_ip(const char *ip, idprov_error *err);
idprov_status idprov_validate_mac(const char *mac, idprov_error *err);

/* Parse and check a public key PEM; on success *key_out (if not NULL)
 * receives the key (caller frees with EVP_PKEY_free). */
idprov_status idprov_validate_public_key_pem(const char *pem,
    EVP_PKEY **key_out, idprov_error *err);

/* The DER SubjectPublicKeyInfo of an uncompressed P-256 key. */
#define IDPROV_P256_SPKI_LEN 91

/* The same checks, for a caller that wants the key's DER: when the PEM
 * holds the standard uncompressed P-256 SubjectPublicKeyInfo, those
 * IDPROV_P256_SPKI_LEN bytes go to spki_out, *spki_len is set to that
 * length and *key_out is left NULL (no EVP_PKEY is built: cheaper); for
 * any other accepted key *spki_len is 0 and *key_out receives the key
 * (caller frees). */
idprov_status idprov_validate_public_key_pem_spki(const char *pem,
    EVP_PKEY **key_out, unsigned char spki_out[IDPROV_P256_SPKI_LEN],
    size_t *spki_len, idprov_error *err);

#endif
