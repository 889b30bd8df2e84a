/*
 * b64.h - standard base64 with padding (RFC 4648 section 4), and the
 * "base64 of PEM, or PEM" decoding that caCert / clientCert need.
 */
#ifndef IDPROV_CORE_B64_H
#define IDPROV_CORE_B64_H

#include <stddef.h>
#include "error.h"

/* malloc'd NUL-terminated base64 of data, or NULL when out of memory. */
char *idprov_b64_encode(const void *data, size_t len);

/* Strict decode: standard alphabet, padding required, no whitespace.
 * *out is malloc'd (NUL-terminated for convenience), *out_len its length. */
idprov_status idprov_b64_decode(const char *in, size_t in_len,
    unsigned char **out, size_t *out_len, idprov_error *err);

/*
 * Accept a certificate field that is either PEM text ("-----BEGIN ...")
 * or the base64 of PEM text, and return the PEM as a malloc'd string.
 * `what` names the field in the error sentence (e.g. "caCert").
 */
idprov_status idprov_pem_from_wire(const char *in, const char *what,
    char **pem_out, idprov_error *err);

#endif
