/*
 * crypto.c - keys, certificates and the small CA used by idprovctl and
 * idprovd, on OpenSSL 3.
 *
 * Private key text only ever lives in OpenSSL's secure heap or in buffers
 * we cleanse before freeing.  SAN entries are added as typed GENERAL_NAMEs,
 * never through an OpenSSL config string, so a host name with a comma in
 * it cannot smuggle in another extension value.
 */
#include "lib/core/crypto.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "lib/core/fileio.h"

/* Upper bounds for what we read from disk: generous, but bounded. */
#define KEY_FILE_MAX	(64 * 1024)
#define CERT_FILE_MAX	(256 * 1024)
/* Beyond this a validity is a typo, and time_t arithmetic gets close. */
#define MAX_DAYS	(100L * 366)

/* Copy a memory BIO's contents into a fresh NUL-terminated malloc'd string. */
static idprov_status
bio_to_string(BIO *bio, char **out, idprov_error *err)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0)
		return idprov_error_set(err, IDPROV_ERR_CRYPTO,
		    "OpenSSL produced no PEM text");
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory for a PEM text");
	memcpy(*out, data, (size_t)n);
	(*out)[n] = '\0';
	return IDPROV_OK;
}

static void
hex_lower(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* ---- keys ---- */

idprov_status
idprov_key_generate(idprov_key_type type, EVP_PKEY **out, idprov_error *err)
{
	EVP_PKEY *key = NULL;

	if (out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no output for the generated key");
	*out = NULL;
	switch (type) {
	case IDPROV_KEY_EC_P256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case IDPROV_KEY_EC_P384:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case IDPROV_KEY_ED25519:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "unknown key type %d", (int)type);
	}
	if (key == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "key generation failed");
	*out = key;
	return IDPROV_OK;
}

idprov_status
idprov_key_private_pem(EVP_PKEY *key, char **pem_out, idprov_error *err)
{
	BIO *bio = NULL;
	char *data;
	long n;
	idprov_status st;

	if (key == NULL || pem_out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no key to write as PEM");
	*pem_out = NULL;
	/* Secure heap BIO: the key text is cleansed when the BIO is freed. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a buffer for the private key");
		goto out;
	}
	/* PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY"). */
	if (!PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot encode the private key as PKCS#8 PEM");
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0) {
		st = idprov_error_set(err, IDPROV_ERR_CRYPTO,
		    "OpenSSL produced no private key PEM");
		goto out;
	}
	if ((*pem_out = malloc((size_t)n + 1)) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory for the private key PEM");
		goto out;
	}
	memcpy(*pem_out, data, (size_t)n);
	(*pem_out)[n] = '\0';
	st = IDPROV_OK;
out:
	BIO_free(bio);
	return st;
}

idprov_status
idprov_key_public_pem(EVP_PKEY *key, char **pem_out, idprov_error *err)
{
	BIO *bio = NULL;
	idprov_status st;

	if (key == NULL || pem_out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no key to write as PEM");
	*pem_out = NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a buffer for the public key");
		goto out;
	}
	if (!PEM_write_bio_PUBKEY(bio, key)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot encode the public key as PEM");
		goto out;
	}
	st = bio_to_string(bio, pem_out, err);
out:
	BIO_free(bio);
	return st;
}

idprov_status
idprov_key_load_file(const char *path, EVP_PKEY **out, idprov_error *err)
{
	char *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	idprov_status st;

	if (path == NULL || out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no key file to load");
	*out = NULL;
	if ((st = idprov_file_read(path, KEY_FILE_MAX, &text, &len, err)) !=
	    IDPROV_OK)
		goto out;
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a buffer for %s", path);
		goto out;
	}
	/* No password callback: an encrypted key fails instead of prompting. */
	*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	if (*out == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "%s holds no readable unencrypted private key", path);
		goto out;
	}
	st = IDPROV_OK;
out:
	BIO_free(bio);
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	return st;
}

idprov_status
idprov_key_save_file(const char *path, EVP_PKEY *key, idprov_error *err)
{
	char *pem = NULL;
	idprov_status st;

	if ((st = idprov_key_private_pem(key, &pem, err)) != IDPROV_OK)
		return st;
	st = idprov_file_write_atomic(path, pem, strlen(pem), 0600, err);
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	return st;
}

idprov_status
idprov_key_fingerprint(EVP_PKEY *key, char hex_out[65], idprov_error *err)
{
	unsigned char *der = NULL;
	unsigned char md[32];
	int len;

	if (key == NULL || hex_out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no key to fingerprint");
	hex_out[0] = '\0';
	if ((len = i2d_PUBKEY(key, &der)) <= 0)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot encode the public key as DER");
	if (!EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot hash the public key");
	}
	OPENSSL_free(der);
	hex_lower(md, sizeof(md), hex_out);
	return IDPROV_OK;
}

/* ---- certificates ---- */

/*
 * OpenSSL fills an X509's extension cache (key ids, purposes, flags) on
 * first use, under a lock for the writer but not for readers.  A
 * certificate shared by threads (the CA in idprovd's workers) must have it
 * filled before it is shared, so every certificate we hand out is warmed
 * here, on the thread that made it.
 */
static void
warm_extension_cache(X509 *cert)
{
	(void)X509_check_purpose(cert, -1, 0);
	ERR_clear_error();
}

idprov_status
idprov_cert_from_pem(const char *pem, X509 **out, idprov_error *err)
{
	BIO *bio;

	if (pem == NULL || out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no certificate PEM given");
	*out = NULL;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a buffer for the certificate");
	*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (*out == NULL) {
		/* OpenSSL's reason for a block that does not decode is the
		 * ASN.1 layer's ("too long", "wrong tag"), which misleads more
		 * than it tells: say which of the two cases it is instead. */
		unsigned long code = ERR_peek_last_error();

		ERR_clear_error();
		if (ERR_GET_LIB(code) == ERR_LIB_PEM &&
		    ERR_GET_REASON(code) == PEM_R_NO_START_LINE)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the text holds no PEM certificate");
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the text holds no PEM certificate: its CERTIFICATE "
		    "block does not decode to one");
	}
	warm_extension_cache(*out);
	return IDPROV_OK;
}

idprov_status
idprov_cert_to_pem(X509 *cert, char **pem_out, idprov_error *err)
{
	BIO *bio = NULL;
	idprov_status st;

	if (cert == NULL || pem_out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no certificate to write as PEM");
	*pem_out = NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a buffer for the certificate");
		goto out;
	}
	if (!PEM_write_bio_X509(bio, cert)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot encode the certificate as PEM");
		goto out;
	}
	st = bio_to_string(bio, pem_out, err);
out:
	BIO_free(bio);
	return st;
}

idprov_status
idprov_cert_load_file(const char *path, X509 **out, idprov_error *err)
{
	char *text = NULL;
	idprov_status st;

	if (path == NULL || out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no certificate file to load");
	*out = NULL;
	if ((st = idprov_file_read(path, CERT_FILE_MAX, &text, NULL, err)) !=
	    IDPROV_OK)
		return st;
	st = idprov_cert_from_pem(text, out, err);
	if (st != IDPROV_OK)
		idprov_error_set(err, st, "%s holds no PEM certificate", path);
	free(text);
	return st;
}

idprov_status
idprov_cert_save_file(const char *path, X509 *cert, idprov_error *err)
{
	char *pem = NULL;
	idprov_status st;

	if ((st = idprov_cert_to_pem(cert, &pem, err)) != IDPROV_OK)
		return st;
	st = idprov_file_write_atomic(path, pem, strlen(pem), 0644, err);
	free(pem);
	return st;
}

/*
 * The first entry of `nid` in name as UTF-8 into out ("" when absent).
 * An embedded NUL or a value too long for out is refused: silently cutting
 * a name would let two different certificates look alike.
 */
static idprov_status
name_entry(const X509_NAME *name, int nid, const char *what, char *out,
    size_t outsz, idprov_error *err)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int idx, n;

	out[0] = '\0';
	if (name == NULL || (idx = X509_NAME_get_index_by_NID(name, nid, -1)) < 0)
		return IDPROV_OK;
	e = X509_NAME_get_entry(name, idx);
	if ((n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0)
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "certificate %s is not a readable string", what);
	if ((size_t)n >= outsz || memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "certificate %s is too long or holds a NUL byte", what);
	}
	memcpy(out, utf8, (size_t)n);
	out[n] = '\0';
	OPENSSL_free(utf8);
	return IDPROV_OK;
}

static idprov_status
asn1_time_to_time_t(const ASN1_TIME *t, const char *what, time_t *out,
    idprov_error *err)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "certificate %s is not a valid time", what);
	*out = timegm(&tm);
	return IDPROV_OK;
}

idprov_status
idprov_cert_get_info(X509 *cert, idprov_cert_info *info, idprov_error *err)
{
	const X509_NAME *subj, *iss;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	idprov_status st;

	if (cert == NULL || info == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no certificate to describe");
	memset(info, 0, sizeof(*info));
	subj = X509_get_subject_name(cert);
	iss = X509_get_issuer_name(cert);
	if ((st = name_entry(subj, NID_commonName, "subject CN", info->cn,
	    sizeof(info->cn), err)) != IDPROV_OK ||
	    (st = name_entry(subj, NID_organizationalUnitName, "subject OU",
	    info->ou, sizeof(info->ou), err)) != IDPROV_OK ||
	    (st = name_entry(subj, NID_organizationName, "subject O",
	    info->org, sizeof(info->org), err)) != IDPROV_OK ||
	    (st = name_entry(iss, NID_commonName, "issuer CN",
	    info->issuer_cn, sizeof(info->issuer_cn), err)) != IDPROV_OK)
		goto out;
	if ((st = asn1_time_to_time_t(X509_get0_notBefore(cert), "notBefore",
	    &info->not_before, err)) != IDPROV_OK ||
	    (st = asn1_time_to_time_t(X509_get0_notAfter(cert), "notAfter",
	    &info->not_after, err)) != IDPROV_OK)
		goto out;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL)) ==
	    NULL || (hex = BN_bn2hex(bn)) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "certificate serial number is unreadable");
		goto out;
	}
	if (strlen(hex) >= sizeof(info->serial_hex)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "certificate serial number is longer than 39 bytes");
		goto out;
	}
	strcpy(info->serial_hex, hex);

	if (!X509_digest(cert, EVP_sha256(), md, &mdlen) || mdlen != 32) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot hash the certificate");
		goto out;
	}
	hex_lower(md, mdlen, info->fingerprint);
	/* EXFLAG_CA: basicConstraints CA:TRUE (computed by OpenSSL's cache). */
	info->is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
	st = IDPROV_OK;
out:
	OPENSSL_free(hex);
	BN_free(bn);
	return st;
}

int
idprov_cert_matches_key(X509 *cert, EVP_PKEY *key)
{
	EVP_PKEY *pub;
	int eq;

	if (cert == NULL || key == NULL)
		return 0;
	if ((pub = X509_get0_pubkey(cert)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	/* Keys of different types may leave an error queued; a stale entry
	 * would later confuse SSL_get_error in the same thread. */
	eq = EVP_PKEY_eq(pub, key);
	ERR_clear_error();
	return eq == 1;
}

idprov_status
idprov_cert_verify(X509 *cert, X509 *ca, int purpose, time_t at,
    idprov_error *err)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	idprov_status st;
	int code;

	if (cert == NULL || ca == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no certificate or CA to verify against");
	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
		    "cannot allocate a certificate store");
		goto out;
	}
	if (!X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(ctx, store, cert, NULL)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set up certificate verification");
		goto out;
	}
	/* set_time also turns on X509_V_FLAG_USE_CHECK_TIME. */
	if (at != 0)
		X509_STORE_CTX_set_time(ctx, 0, at);
	if (purpose != 0 && !X509_STORE_CTX_set_purpose(ctx, purpose)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "unknown certificate purpose %d", purpose);
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		code = X509_STORE_CTX_get_error(ctx);
		ERR_clear_error();
		st = idprov_error_set(err, IDPROV_ERR_VERIFY,
		    "certificate does not verify against the CA: %s",
		    X509_verify_cert_error_string(code));
		goto out;
	}
	st = IDPROV_OK;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return st;
}

/* ---- issuing ---- */

static idprov_status
add_name(X509_NAME *name, int nid, const char *value, const char *what,
    idprov_error *err)
{
	if (value == NULL || *value == '\0')
		return IDPROV_OK;
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0))
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "%s \"%s\" cannot go into a certificate name", what, value);
	return IDPROV_OK;
}

/* An extension from an OpenSSL config value we wrote ourselves (constants
 * only: nothing a user typed goes through this). */
static idprov_status
add_ext_conf(X509 *cert, X509V3_CTX *v3, int nid, const char *value,
    idprov_error *err)
{
	X509_EXTENSION *ext;
	int ok;

	if ((ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value)) == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot build the %s extension", OBJ_nid2sn(nid));
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	if (!ok)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot add the %s extension", OBJ_nid2sn(nid));
	return IDPROV_OK;
}

/* A DNS SAN: printable ASCII, no spaces; anything else is a typo or worse. */
static int
dns_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == ',')
			return 0;
	return 1;
}

static idprov_status
add_sans(X509 *cert, const char *const *sans, idprov_error *err)
{
	GENERAL_NAMES *names = NULL;
	GENERAL_NAME *gn = NULL;
	unsigned char ip[16];
	idprov_status st;
	size_t i;

	if (sans == NULL || sans[0] == NULL)
		return IDPROV_OK;
	if ((names = sk_GENERAL_NAME_new_null()) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory for subjectAltName");
		goto out;
	}
	for (i = 0; sans[i] != NULL; i++) {
		const char *s = sans[i];
		int iplen = 0;

		if (inet_pton(AF_INET, s, ip) == 1)
			iplen = 4;
		else if (inet_pton(AF_INET6, s, ip) == 1)
			iplen = 16;
		else if (!dns_name_ok(s)) {
			st = idprov_error_set(err, IDPROV_ERR_INVALID,
			    "host name \"%.64s\" is neither an IP address nor "
			    "a DNS name", s);
			goto out;
		}
		if ((gn = GENERAL_NAME_new()) == NULL)
			goto nomem;
		if (iplen > 0) {
			ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

			if (os == NULL || !ASN1_OCTET_STRING_set(os, ip, iplen)) {
				ASN1_OCTET_STRING_free(os);
				goto nomem;
			}
			GENERAL_NAME_set0_value(gn, GEN_IPADD, os);
		} else {
			ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

			if (ia5 == NULL || !ASN1_STRING_set(ia5, s, -1)) {
				ASN1_IA5STRING_free(ia5);
				goto nomem;
			}
			GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
		}
		if (!sk_GENERAL_NAME_push(names, gn))
			goto nomem;
		gn = NULL;
	}
	if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0,
	    X509V3_ADD_DEFAULT)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot add the subjectAltName extension");
		goto out;
	}
	st = IDPROV_OK;
	goto out;
nomem:
	st = idprov_error_set_ssl(err, IDPROV_ERR_NOMEM,
	    "out of memory for subjectAltName");
out:
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(names);
	return st;
}

/* 16 random bytes, top bit clear (positive) and first byte non-zero, so the
 * DER INTEGER is always exactly 16 bytes long. */
static idprov_status
set_random_serial(X509 *cert, idprov_error *err)
{
	unsigned char raw[16];
	BIGNUM *bn = NULL;
	idprov_status st = IDPROV_OK;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "no random bytes for the serial number");
	raw[0] &= 0x7f;
	if (raw[0] == 0)
		raw[0] = 0x01;
	if ((bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the serial number");
	BN_free(bn);
	return st;
}

static int
is_edwards(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);

	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

idprov_status
idprov_cert_issue(const idprov_cert_profile *p, EVP_PKEY *subject_key,
    X509 *issuer, EVP_PKEY *issuer_key, X509 **out, idprov_error *err)
{
	X509 *cert = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX v3;
	time_t now, not_before, base;
	long long lifetime;
	char eku[32];
	idprov_status st;

	if (out != NULL)
		*out = NULL;
	if (p == NULL || subject_key == NULL || out == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no profile, key or output for the certificate");
	if (p->cn == NULL || *p->cn == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "certificate CN is empty");
	if (p->seconds > 0)
		lifetime = p->seconds;
	else if (p->days > 0 && p->days <= MAX_DAYS)
		lifetime = (long long)p->days * 86400;
	else
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "certificate validity must be 1 to %ld days", MAX_DAYS);
	if (p->seconds > MAX_DAYS * 86400)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "certificate validity must be at most %ld days", MAX_DAYS);
	/* Self-signed: the subject signs itself. */
	if (issuer == NULL) {
		if (issuer_key == NULL)
			issuer_key = subject_key;
		else if (EVP_PKEY_eq(issuer_key, subject_key) != 1)
			return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
			    "a self-signed certificate must be signed by its "
			    "own key");
	} else if (issuer_key == NULL ||
	    !idprov_cert_matches_key(issuer, issuer_key)) {
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the issuer key does not match the issuer certificate");
	}

	if ((cert = X509_new()) == NULL || (name = X509_NAME_new()) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory for a certificate");
		goto out;
	}
	if (!X509_set_version(cert, X509_VERSION_3)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the certificate version");
		goto out;
	}
	if ((st = set_random_serial(cert, err)) != IDPROV_OK)
		goto out;

	/* A little in the past, so a device whose clock lags accepts it.
	 * The lifetime counts from now (or the given start), not from the
	 * backdated notBefore. */
	now = time(NULL);
	not_before = p->not_before != 0 ? p->not_before : now - 300;
	base = p->not_before != 0 ? p->not_before : now;
	if (ASN1_TIME_set(X509_getm_notBefore(cert), not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(cert),
	    (time_t)(base + lifetime)) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "cannot set the certificate validity");
		goto out;
	}

	if ((st = add_name(name, NID_organizationName, p->org, "organization",
	    err)) != IDPROV_OK ||
	    (st = add_name(name, NID_organizationalUnitName, p->ou,
	    "organizational unit", err)) != IDPROV_OK ||
	    (st = add_name(name, NID_commonName, p->cn, "common name",
	    err)) != IDPROV_OK)
		goto out;
	if (!X509_set_subject_name(cert, name) ||
	    !X509_set_issuer_name(cert, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) ||
	    !X509_set_pubkey(cert, subject_key)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the certificate names or key");
		goto out;
	}

	X509V3_set_ctx(&v3, issuer != NULL ? issuer : cert, cert, NULL, NULL,
	    0);
	if ((st = add_ext_conf(cert, &v3, NID_basic_constraints, p->is_ca ?
	    "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE", err)) !=
	    IDPROV_OK ||
	    (st = add_ext_conf(cert, &v3, NID_key_usage, p->is_ca ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature",
	    err)) != IDPROV_OK ||
	    (st = add_ext_conf(cert, &v3, NID_subject_key_identifier, "hash",
	    err)) != IDPROV_OK)
		goto out;
	if (issuer != NULL && (st = add_ext_conf(cert, &v3,
	    NID_authority_key_identifier, "keyid", err)) != IDPROV_OK)
		goto out;
	if (p->server_auth || p->client_auth) {
		snprintf(eku, sizeof(eku), "%s%s%s",
		    p->server_auth ? "serverAuth" : "",
		    p->server_auth && p->client_auth ? "," : "",
		    p->client_auth ? "clientAuth" : "");
		if ((st = add_ext_conf(cert, &v3, NID_ext_key_usage, eku,
		    err)) != IDPROV_OK)
			goto out;
	}
	if ((st = add_sans(cert, p->sans, err)) != IDPROV_OK)
		goto out;

	/* Ed25519 signs the message itself: no separate digest. */
	if (X509_sign(cert, issuer_key, is_edwards(issuer_key) ? NULL :
	    EVP_sha256()) <= 0) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot sign the certificate");
		goto out;
	}
	warm_extension_cache(cert);
	*out = cert;
	cert = NULL;
	st = IDPROV_OK;
out:
	X509_NAME_free(name);
	X509_free(cert);
	return st;
}
