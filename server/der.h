/*
 * der.h - the little DER writer that builds certificates and CRLs from
 * pre-encoded parts (issuer.c, crl_build.c).  Going through OpenSSL's
 * X509 objects costs several times an ECDSA signature per certificate on
 * OpenSSL 3, so the hot path writes the bytes itself; the tests check
 * every result with the openssl command.
 */
#ifndef IDPROVD_DER_H
#define IDPROVD_DER_H

#include <stddef.h>
#include <time.h>

#include "../lib/core/buf.h"

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_ENUMERATED 0x0a
#define DER_UTF8STRING 0x0c
#define DER_UTCTIME 0x17
#define DER_GENERALIZEDTIME 0x18
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CONTEXT0 0xa0	/* [0] EXPLICIT, constructed */
#define DER_CONTEXT3 0xa3	/* [3] EXPLICIT, constructed */

/* Append tag, length and len bytes of value. */
idprov_status srv_der_tlv(idprov_buf *b, unsigned char tag, const void *value,
    size_t len);
/* Append the bytes of inner wrapped in tag (inner is left as is). */
idprov_status srv_der_wrap(idprov_buf *b, unsigned char tag,
    const idprov_buf *inner);
/* A non-negative INTEGER from big-endian magnitude bytes. */
idprov_status srv_der_uint_bytes(idprov_buf *b, const unsigned char *be,
    size_t len);
idprov_status srv_der_uint(idprov_buf *b, unsigned long long v);
/* UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
idprov_status srv_der_time(idprov_buf *b, time_t t);

#endif
