/*
 * issuer.h - the CA of idprovd: its key, loaded once and used by one
 * function only (srv_issuer_sign), and the issuance of device
 * certificates from a template prepared at open.
 *
 * Keeping every use of the key behind srv_issuer_sign lets it move into a
 * separate signer process later without touching the callers.
 */
#ifndef IDPROVD_ISSUER_H
#define IDPROVD_ISSUER_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>

#include "../lib/core/buf.h"
#include "../lib/core/error.h"

typedef struct srv_issuer srv_issuer;

/* Serial numbers are 16 random bytes: 32 upper-case hex digits. */
#define SRV_SERIAL_HEX_MAX 80

idprov_status srv_issuer_open(const char *ca_cert_path,
    const char *ca_key_path, srv_issuer **out, idprov_error *err);
void srv_issuer_close(srv_issuer *is);

/* The CA certificate as PEM text, as found in its file. */
const char *srv_issuer_ca_pem(const srv_issuer *is);

/* Pre-encoded DER parts for builders of signed structures. */
typedef struct srv_issuer_parts {
	const unsigned char *sig_alg;	/* AlgorithmIdentifier */
	size_t sig_alg_len;
	const unsigned char *name;	/* the CA's subject Name */
	size_t name_len;
	const unsigned char *aki_ext;	/* authorityKeyIdentifier Extension */
	size_t aki_ext_len;
} srv_issuer_parts;

void srv_issuer_get_parts(const srv_issuer *is, srv_issuer_parts *out);

/*
 * The only use of the CA key: sign tbs (a DER TBSCertificate or
 * TBSCertList) and append the complete signed structure
 * SEQUENCE { tbs, sig_alg, BIT STRING signature } to out.
 * Thread-safe.
 */
idprov_status srv_issuer_sign(srv_issuer *is, const unsigned char *tbs,
    size_t tbs_len, idprov_buf *out, idprov_error *err);

/*
 * The SubjectPublicKeyInfo DER of key (EC P-256, P-384 or Ed25519), built
 * from the key's encoded point without OpenSSL's encoders.  At most 128
 * bytes; *len_out receives the length.
 */
#define SRV_SPKI_MAX 128
idprov_status srv_spki_der(EVP_PKEY *key, unsigned char out[SRV_SPKI_MAX],
    size_t *len_out, idprov_error *err);

/* SHA-256 of the SPKI DER, lower-case hex (the key fingerprint). */
void srv_spki_fingerprint(srv_issuer *is, const unsigned char *spki,
    size_t len, char hex_out[65]);

typedef struct srv_issued {
	char *pem;		/* malloc'd certificate PEM */
	char serial_hex[SRV_SERIAL_HEX_MAX];
	time_t not_before;
	time_t not_after;
} srv_issued;

/*
 * A device certificate (WIRE.md "Issued certificates"): subject
 * OU=iotdevice, CN=device_id; clientAuth, digitalSignature, CA:FALSE;
 * 16 random serial bytes; SKI and AKI; notBefore 5 minutes before now;
 * validity_sec long.  spki is the device key's DER SubjectPublicKeyInfo.
 */
idprov_status srv_issuer_issue(srv_issuer *is, const char *device_id,
    const unsigned char *spki, size_t spki_len, long validity_sec,
    time_t now, srv_issued *out, idprov_error *err);
void srv_issued_free(srv_issued *c);

/* Upper-case hex of big-endian bytes (a serial number). */
void srv_hex_upper(const unsigned char *b, size_t len, char *out,
    size_t outsz);

#endif
