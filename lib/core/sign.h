/*
 * sign.h - HMAC-SHA256 signatures over the canonical form (WIRE.md
 * "Signatures").
 *
 * signature = base64(HMAC-SHA256(key = secret bytes as given,
 *                                msg = canonical JSON with "signature":""))
 * The empty key (len 0) is valid: it is what renewals and admin requests
 * are signed with.  Verification re-serializes the parsed message and
 * compares in constant time; it never looks at the bytes as received.
 */
#ifndef IDPROV_CORE_SIGN_H
#define IDPROV_CORE_SIGN_H

#include <stddef.h>
#include "error.h"
#include "wire.h"

/* Base64 of a 32-byte HMAC with padding: 44 characters + NUL. */
#define IDPROV_SIGNATURE_B64_LEN 44

/* HMAC-SHA256 of msg under key, as padded base64 into out (45 bytes). */
idprov_status idprov_hmac_b64(const void *key, size_t key_len,
    const void *msg, size_t msg_len, char out[IDPROV_SIGNATURE_B64_LEN + 1],
    idprov_error *err);

/* Set m->signature (replacing any) to the signature of m under key. */
idprov_status idprov_prov_request_sign(idprov_prov_request *m,
    const void *key, size_t key_len, idprov_error *err);
idprov_status idprov_prov_response_sign(idprov_prov_response *m,
    const void *key, size_t key_len, idprov_error *err);

/*
 * The response's JSON as sent, signed under key (m->signature is not
 * used): the same bytes as idprov_prov_response_sign then
 * idprov_prov_response_write, with the message written once.  malloc'd;
 * NULL on failure (err says why).
 */
char *idprov_prov_response_write_signed(const idprov_prov_response *m,
    const void *key, size_t key_len, size_t *len_out, idprov_error *err);

/* IDPROV_OK when m->signature is the signature of m under key,
 * IDPROV_ERR_VERIFY when it is not (constant-time compare). m is not
 * modified. */
idprov_status idprov_prov_request_verify(const idprov_prov_request *m,
    const void *key, size_t key_len, idprov_error *err);
idprov_status idprov_prov_response_verify(const idprov_prov_response *m,
    const void *key, size_t key_len, idprov_error *err);

#endif
