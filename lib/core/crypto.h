/*
 * crypto.h - key and certificate helpers on OpenSSL 3.
 *
 * Keys are EVP_PKEY, certificates X509; callers free them with
 * EVP_PKEY_free / X509_free.  Private keys are written as unencrypted
 * PKCS#8 PEM, mode 0600, atomically (fileio.h).
 */
#ifndef IDPROV_CORE_CRYPTO_H
#define IDPROV_CORE_CRYPTO_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>	/* X509_PURPOSE_* for idprov_cert_verify */
#include "error.h"

typedef enum idprov_key_type {
	IDPROV_KEY_EC_P256 = 0,	/* the default everywhere */
	IDPROV_KEY_EC_P384,
	IDPROV_KEY_ED25519
} idprov_key_type;

/* ---- keys ---- */
idprov_status idprov_key_generate(idprov_key_type type, EVP_PKEY **out,
    idprov_error *err);
/* PKCS#8 private key PEM, malloc'd. */
idprov_status idprov_key_private_pem(EVP_PKEY *key, char **pem_out,
    idprov_error *err);
/* PKIX "PUBLIC KEY" PEM, malloc'd. */
idprov_status idprov_key_public_pem(EVP_PKEY *key, char **pem_out,
    idprov_error *err);
idprov_status idprov_key_load_file(const char *path, EVP_PKEY **out,
    idprov_error *err);
/* Write the private key to path: temp file, fsync, rename, mode 0600. */
idprov_status idprov_key_save_file(const char *path, EVP_PKEY *key,
    idprov_error *err);
/* SHA-256 over the DER SubjectPublicKeyInfo, lower-case hex (64 chars). */
idprov_status idprov_key_fingerprint(EVP_PKEY *key, char hex_out[65],
    idprov_error *err);

/* ---- certificates ---- */
/* First certificate of a PEM text. */
idprov_status idprov_cert_from_pem(const char *pem, X509 **out,
    idprov_error *err);
idprov_status idprov_cert_to_pem(X509 *cert, char **pem_out,
    idprov_error *err);
idprov_status idprov_cert_load_file(const char *path, X509 **out,
    idprov_error *err);
/* Write the certificate PEM to path atomically, mode 0644. */
idprov_status idprov_cert_save_file(const char *path, X509 *cert,
    idprov_error *err);

typedef struct idprov_cert_info {
	char cn[256];		/* subject CN, "" if none */
	char ou[256];		/* subject OU, "" if none */
	char org[256];		/* subject O, "" if none */
	char issuer_cn[256];
	time_t not_before;
	time_t not_after;
	char serial_hex[80];	/* upper-case hex, no separators */
	char fingerprint[65];	/* SHA-256 of the DER certificate, hex */
	int is_ca;
} idprov_cert_info;

idprov_status idprov_cert_get_info(X509 *cert, idprov_cert_info *info,
    idprov_error *err);

/* 1 if the certificate's public key is `key`, 0 otherwise. */
int idprov_cert_matches_key(X509 *cert, EVP_PKEY *key);

/*
 * Verify that `cert` chains to `ca` (a self-signed root) at time `at`
 * (0 = now).  `purpose` is X509_PURPOSE_SSL_CLIENT, X509_PURPOSE_SSL_SERVER
 * or 0 for none.  IDPROV_ERR_VERIFY with OpenSSL's reason on failure.
 */
idprov_status idprov_cert_verify(X509 *cert, X509 *ca, int purpose,
    time_t at, idprov_error *err);

/* ---- issuing (CA side: idprovctl ca init, idprovd) ---- */
typedef struct idprov_cert_profile {
	const char *cn;		/* required */
	const char *ou;		/* may be NULL */
	const char *org;	/* may be NULL */
	int is_ca;		/* CA:TRUE, pathlen 0, keyCertSign+cRLSign */
	int server_auth;	/* EKU serverAuth (+ digitalSignature) */
	int client_auth;	/* EKU clientAuth (+ digitalSignature) */
	const char *const *sans;/* DNS names / IP addresses, NULL-terminated */
	time_t not_before;	/* 0 = now minus 5 minutes */
	long days;		/* validity in days, > 0 */
	long seconds;		/* if > 0, validity in seconds instead */
} idprov_cert_profile;

/*
 * Build and sign a certificate for `subject_key` with the profile, issued
 * by (issuer, issuer_key); issuer NULL makes it self-signed (the CA).
 * Serial: 16 random bytes (positive).  SKI always, AKI when issued.
 * Signature SHA-256 (none for Ed25519 issuers).
 */
idprov_status idprov_cert_issue(const idprov_cert_profile *p,
    EVP_PKEY *subject_key, X509 *issuer, EVP_PKEY *issuer_key, X509 **out,
    idprov_error *err);

#endif
