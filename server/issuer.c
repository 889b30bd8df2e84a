/*
 * issuer.c - the CA key, behind srv_issuer_sign, and device certificate
 * issuance from pre-encoded parts.
 *
 * Why not X509_new/X509_set_pubkey/X509_sign: on OpenSSL 3.0 decoding and
 * re-encoding the device key through the provider machinery costs several
 * ECDSA signatures per certificate.  The certificate is a fixed shape, so
 * everything but the serial, the validity, the CN and the key is encoded
 * once at open, and the rest is written with der.c.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "der.h"
#include "issuer.h"
#include "../lib/core/crypto.h"
#include "../lib/core/fileio.h"

#define CA_PEM_MAX (64 * 1024)
#define SERIAL_BYTES 16
/* notBefore this far in the past, for devices whose clock lags. */
#define BACKDATE_SEC 300

struct srv_issuer {
	EVP_PKEY *key;		/* the CA key: used in srv_issuer_sign only */
	EVP_MD *sign_md;	/* NULL for Ed25519 */
	/* EC and RSA: a signing context made at open, duplicated for each
	 * signature (never used itself), so that a certificate costs no
	 * algorithm fetch; NULL for Ed25519, which signs the message. */
	EVP_PKEY_CTX *sign_tmpl;
	EVP_MD *sha1;		/* key identifiers */
	EVP_MD *sha256;		/* key fingerprints */
	char *ca_pem;
	unsigned char *name;	/* CA subject, DER */
	size_t name_len;
	unsigned char sig_alg[16];
	size_t sig_alg_len;
	unsigned char aki_ext[64];
	size_t aki_ext_len;
};

/* AlgorithmIdentifiers, DER. */
static const unsigned char alg_ecdsa_sha256[] = { 0x30, 0x0a, 0x06, 0x08,
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const unsigned char alg_ecdsa_sha384[] = { 0x30, 0x0a, 0x06, 0x08,
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 };
static const unsigned char alg_ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b,
	0x65, 0x70 };
static const unsigned char alg_rsa_sha256[] = { 0x30, 0x0d, 0x06, 0x09,
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };

/* SubjectPublicKeyInfo up to the BIT STRING's unused-bits byte. */
static const unsigned char spki_p256[] = { 0x30, 0x59, 0x30, 0x13, 0x06,
	0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
	0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00 };
static const unsigned char spki_p384[] = { 0x30, 0x76, 0x30, 0x10, 0x06,
	0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81,
	0x04, 0x00, 0x22, 0x03, 0x62, 0x00 };
static const unsigned char spki_ed25519[] = { 0x30, 0x2a, 0x30, 0x05, 0x06,
	0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

/* The extensions every device certificate carries, DER:
 * basicConstraints critical CA:FALSE; keyUsage critical
 * digitalSignature; extKeyUsage clientAuth. */
static const unsigned char ext_fixed[] = {
	0x30, 0x0c, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x02,
	0x30, 0x00,
	0x30, 0x0e, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff, 0x04, 0x04,
	0x03, 0x02, 0x07, 0x80,
	0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c, 0x30, 0x0a, 0x06,
	0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };
static const unsigned char oid_ski[] = { 0x06, 0x03, 0x55, 0x1d, 0x0e };
static const unsigned char oid_aki[] = { 0x06, 0x03, 0x55, 0x1d, 0x23 };
static const unsigned char oid_ou[] = { 0x06, 0x03, 0x55, 0x04, 0x0b };
static const unsigned char oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
static const unsigned char version_v3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };

void
srv_hex_upper(const unsigned char *b, size_t len, char *out, size_t outsz)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (outsz == 0)
		return;
	for (i = 0; i < len && 2 * i + 2 < outsz; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0x0f];
	}
	out[2 * i] = '\0';
}

static idprov_status
pick_sig_alg(srv_issuer *is, idprov_error *err)
{
	const unsigned char *alg = NULL;
	size_t len = 0;
	const char *md = NULL;

	if (EVP_PKEY_is_a(is->key, "EC")) {
		if (EVP_PKEY_get_bits(is->key) > 256) {
			alg = alg_ecdsa_sha384;
			len = sizeof(alg_ecdsa_sha384);
			md = "SHA384";
		} else {
			alg = alg_ecdsa_sha256;
			len = sizeof(alg_ecdsa_sha256);
			md = "SHA256";
		}
	} else if (EVP_PKEY_is_a(is->key, "ED25519")) {
		alg = alg_ed25519;
		len = sizeof(alg_ed25519);
	} else if (EVP_PKEY_is_a(is->key, "RSA")) {
		alg = alg_rsa_sha256;
		len = sizeof(alg_rsa_sha256);
		md = "SHA256";
	} else {
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA key is of a type idprovd cannot sign with");
	}
	memcpy(is->sig_alg, alg, len);
	is->sig_alg_len = len;
	if (md == NULL)
		return IDPROV_OK;
	if ((is->sign_md = EVP_MD_fetch(NULL, md, NULL)) == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot fetch %s", md);
	if ((is->sign_tmpl = EVP_PKEY_CTX_new_from_pkey(NULL, is->key,
	    NULL)) == NULL || EVP_PKEY_sign_init(is->sign_tmpl) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(is->sign_tmpl, is->sign_md) != 1)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set up signing with the CA key");
	return IDPROV_OK;
}

/* authorityKeyIdentifier = the CA's subjectKeyIdentifier (or the SHA-1
 * of its key when the CA has none). */
static idprov_status
build_aki(srv_issuer *is, X509 *ca, idprov_error *err)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca);
	unsigned char id[EVP_MAX_MD_SIZE];
	unsigned int id_len = 0;
	idprov_buf kid = IDPROV_BUF_INIT, seq = IDPROV_BUF_INIT,
	    oct = IDPROV_BUF_INIT, ext = IDPROV_BUF_INIT;
	idprov_status st = IDPROV_OK;

	if (ski != NULL && ASN1_STRING_length(ski) > 0 &&
	    ASN1_STRING_length(ski) <= 32) {
		id_len = (unsigned int)ASN1_STRING_length(ski);
		memcpy(id, ASN1_STRING_get0_data(ski), id_len);
	} else {
		const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(ca);

		if (bits == NULL || !EVP_Digest(ASN1_STRING_get0_data(bits),
		    (size_t)ASN1_STRING_length(bits), id, &id_len, is->sha1,
		    NULL))
			return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
			    "cannot compute the CA key identifier");
	}
	/* AuthorityKeyIdentifier ::= SEQUENCE { [0] IMPLICIT keyIdentifier } */
	srv_der_tlv(&kid, 0x80, id, id_len);
	srv_der_wrap(&seq, DER_SEQUENCE, &kid);
	idprov_buf_append(&ext, oid_aki, sizeof(oid_aki));
	srv_der_wrap(&oct, DER_OCTET_STRING, &seq);
	idprov_buf_append(&ext, oct.data, oct.len);
	idprov_buf_free(&kid);
	srv_der_wrap(&kid, DER_SEQUENCE, &ext);
	if (kid.failed || kid.len > sizeof(is->aki_ext)) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot encode the authority key identifier");
		goto out;
	}
	memcpy(is->aki_ext, kid.data, kid.len);
	is->aki_ext_len = kid.len;
out:
	idprov_buf_free(&kid);
	idprov_buf_free(&seq);
	idprov_buf_free(&oct);
	idprov_buf_free(&ext);
	return st;
}

idprov_status
srv_issuer_open(const char *ca_cert_path, const char *ca_key_path,
    srv_issuer **out, idprov_error *err)
{
	srv_issuer *is;
	X509 *ca = NULL;
	size_t pem_len = 0;
	unsigned char *p;
	int n;
	idprov_status st;

	*out = NULL;
	if ((is = calloc(1, sizeof(*is))) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory loading the CA");
	if ((st = idprov_file_read(ca_cert_path, CA_PEM_MAX, &is->ca_pem,
	    &pem_len, err)) != IDPROV_OK)
		goto out;
	if ((st = idprov_cert_from_pem(is->ca_pem, &ca, err)) != IDPROV_OK)
		goto out;
	if ((st = idprov_key_load_file(ca_key_path, &is->key, err)) !=
	    IDPROV_OK)
		goto out;
	if (!idprov_cert_matches_key(ca, is->key)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA key %s does not belong to the CA certificate %s",
		    ca_key_path, ca_cert_path);
		goto out;
	}
	is->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	is->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (is->sha1 == NULL || is->sha256 == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot fetch SHA-1 and SHA-256");
		goto out;
	}
	if ((st = pick_sig_alg(is, err)) != IDPROV_OK)
		goto out;
	n = i2d_X509_NAME(X509_get_subject_name(ca), NULL);
	if (n <= 0 || (is->name = malloc((size_t)n)) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot encode the CA subject name");
		goto out;
	}
	p = is->name;
	i2d_X509_NAME(X509_get_subject_name(ca), &p);
	is->name_len = (size_t)n;
	if ((st = build_aki(is, ca, err)) != IDPROV_OK)
		goto out;
	*out = is;
	is = NULL;
out:
	X509_free(ca);
	srv_issuer_close(is);
	return st;
}

void
srv_issuer_close(srv_issuer *is)
{
	if (is == NULL)
		return;
	EVP_PKEY_free(is->key);
	EVP_PKEY_CTX_free(is->sign_tmpl);
	EVP_MD_free(is->sign_md);
	EVP_MD_free(is->sha1);
	EVP_MD_free(is->sha256);
	free(is->ca_pem);
	free(is->name);
	free(is);
}

const char *
srv_issuer_ca_pem(const srv_issuer *is)
{
	return is->ca_pem;
}

void
srv_issuer_get_parts(const srv_issuer *is, srv_issuer_parts *out)
{
	out->sig_alg = is->sig_alg;
	out->sig_alg_len = is->sig_alg_len;
	out->name = is->name;
	out->name_len = is->name_len;
	out->aki_ext = is->aki_ext;
	out->aki_ext_len = is->aki_ext_len;
}

/* Sign tbs into sig (*sig_len: its size in, the signature's length out):
 * EC and RSA hash here and sign the digest with a copy of the prepared
 * context; Ed25519 signs the message itself. */
static int
sign_bytes(srv_issuer *is, EVP_MD_CTX *mctx, const unsigned char *tbs,
    size_t tbs_len, unsigned char *sig, size_t *sig_len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_PKEY_CTX *pctx;
	int ok;

	if (is->sign_tmpl == NULL)
		return EVP_DigestSignInit(mctx, NULL, NULL, NULL, is->key) == 1 &&
		    EVP_DigestSign(mctx, sig, sig_len, tbs, tbs_len) == 1;
	if (EVP_DigestInit_ex(mctx, is->sign_md, NULL) != 1 ||
	    EVP_DigestUpdate(mctx, tbs, tbs_len) != 1 ||
	    EVP_DigestFinal_ex(mctx, md, &md_len) != 1 ||
	    (pctx = EVP_PKEY_CTX_dup(is->sign_tmpl)) == NULL)
		return 0;
	ok = EVP_PKEY_sign(pctx, sig, sig_len, md, md_len) == 1;
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

idprov_status
srv_issuer_sign(srv_issuer *is, const unsigned char *tbs, size_t tbs_len,
    idprov_buf *out, idprov_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = (size_t)EVP_PKEY_get_size(is->key);
	idprov_buf body = IDPROV_BUF_INIT, bits = IDPROV_BUF_INIT;
	idprov_status st = IDPROV_OK;

	if ((sig = malloc(sig_len)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory signing");
		goto out;
	}
	if (!sign_bytes(is, ctx, tbs, tbs_len, sig, &sig_len)) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "the CA key failed to sign");
		goto out;
	}
	idprov_buf_append(&body, tbs, tbs_len);
	idprov_buf_append(&body, is->sig_alg, is->sig_alg_len);
	idprov_buf_append_char(&bits, '\0');	/* no unused bits */
	idprov_buf_append(&bits, sig, sig_len);
	srv_der_wrap(&body, DER_BIT_STRING, &bits);
	if (srv_der_wrap(out, DER_SEQUENCE, &body) != IDPROV_OK ||
	    out->failed)
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding a signed structure");
out:
	EVP_MD_CTX_free(ctx);
	free(sig);
	idprov_buf_free(&body);
	idprov_buf_free(&bits);
	return st;
}

idprov_status
srv_spki_der(EVP_PKEY *key, unsigned char out[SRV_SPKI_MAX],
    size_t *len_out, idprov_error *err)
{
	const unsigned char *prefix;
	size_t prefix_len, point_len, want;
	unsigned char point[SRV_SPKI_MAX];
	char group[32];

	if (EVP_PKEY_is_a(key, "ED25519")) {
		prefix = spki_ed25519;
		prefix_len = sizeof(spki_ed25519);
		want = 32;
	} else if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) == 1) {
		if (strcmp(group, "prime256v1") == 0) {
			prefix = spki_p256;
			prefix_len = sizeof(spki_p256);
			want = 65;
		} else if (strcmp(group, "secp384r1") == 0) {
			prefix = spki_p384;
			prefix_len = sizeof(spki_p384);
			want = 97;
		} else {
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "publicKeyPEM: the curve %s is not accepted", group);
		}
	} else {
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "publicKeyPEM: the key type is not accepted");
	}
	/* EC: the uncompressed point; Ed25519: the 32 raw key bytes. */
	point_len = sizeof(point);
	if ((want == 32 ? EVP_PKEY_get_raw_public_key(key, point,
	    &point_len) : EVP_PKEY_get_octet_string_param(key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
	    &point_len)) != 1 || point_len != want) {
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "publicKeyPEM: cannot read the public key");
	}
	memcpy(out, prefix, prefix_len);
	memcpy(out + prefix_len, point, point_len);
	*len_out = prefix_len + point_len;
	return IDPROV_OK;
}

void
srv_spki_fingerprint(srv_issuer *is, const unsigned char *spki, size_t len,
    char hex_out[65])
{
	unsigned char md[32];
	unsigned int md_len = 0;
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	if (!EVP_Digest(spki, len, md, &md_len, is->sha256, NULL) ||
	    md_len != 32) {
		hex_out[0] = '\0';
		return;
	}
	for (i = 0; i < 32; i++) {
		hex_out[2 * i] = digits[md[i] >> 4];
		hex_out[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex_out[64] = '\0';
}

/* The BIT STRING contents of an SPKI (after the unused-bits byte): the
 * input of the subjectKeyIdentifier (RFC 5280 4.2.1.2, method 1). */
static int
spki_key_bits(const unsigned char *spki, size_t len,
    const unsigned char **bits, size_t *bits_len)
{
	/* Our SPKIs come from srv_spki_der: short-form lengths only. */
	size_t alg_len, pos;

	if (len < 4 || spki[0] != 0x30 || spki[1] >= 0x80 ||
	    (size_t)spki[1] + 2 != len || spki[2] != 0x30 || spki[3] >= 0x80)
		return 0;
	alg_len = spki[3];
	pos = 4 + alg_len;
	if (pos + 3 > len || spki[pos] != DER_BIT_STRING ||
	    spki[pos + 1] >= 0x80 || pos + 2 + spki[pos + 1] != len ||
	    spki[pos + 2] != 0)
		return 0;
	*bits = spki + pos + 3;
	*bits_len = len - pos - 3;
	return 1;
}

static char *
pem_encode(const unsigned char *der, size_t len, const char *label)
{
	idprov_buf b = IDPROV_BUF_INIT;
	unsigned char line[65];
	size_t off, n;
	int m;

	idprov_buf_append_str(&b, "-----BEGIN ");
	idprov_buf_append_str(&b, label);
	idprov_buf_append_str(&b, "-----\n");
	for (off = 0; off < len; off += n) {
		n = len - off < 48 ? len - off : 48;
		m = EVP_EncodeBlock(line, der + off, (int)n);
		idprov_buf_append(&b, line, (size_t)m);
		idprov_buf_append_char(&b, '\n');
	}
	idprov_buf_append_str(&b, "-----END ");
	idprov_buf_append_str(&b, label);
	idprov_buf_append_str(&b, "-----\n");
	return idprov_buf_take(&b, NULL);
}

/* Name ::= SEQUENCE { SET { OU=iotdevice }, SET { CN=device_id } } */
static void
device_subject(idprov_buf *out, const char *device_id)
{
	idprov_buf atv = IDPROV_BUF_INIT, set = IDPROV_BUF_INIT,
	    rdns = IDPROV_BUF_INIT;

	idprov_buf_append(&atv, oid_ou, sizeof(oid_ou));
	srv_der_tlv(&atv, DER_UTF8STRING, "iotdevice", 9);
	srv_der_wrap(&set, DER_SEQUENCE, &atv);
	srv_der_wrap(&rdns, DER_SET, &set);
	idprov_buf_free(&atv);
	idprov_buf_free(&set);
	idprov_buf_append(&atv, oid_cn, sizeof(oid_cn));
	srv_der_tlv(&atv, DER_UTF8STRING, device_id, strlen(device_id));
	srv_der_wrap(&set, DER_SEQUENCE, &atv);
	srv_der_wrap(&rdns, DER_SET, &set);
	srv_der_wrap(out, DER_SEQUENCE, &rdns);
	idprov_buf_free(&atv);
	idprov_buf_free(&set);
	idprov_buf_free(&rdns);
}

idprov_status
srv_issuer_issue(srv_issuer *is, const char *device_id,
    const unsigned char *spki, size_t spki_len, long validity_sec,
    time_t now, srv_issued *out, idprov_error *err)
{
	unsigned char serial[SERIAL_BYTES];
	unsigned char ski[EVP_MAX_MD_SIZE];
	unsigned int ski_len = 0;
	const unsigned char *bits;
	size_t bits_len;
	idprov_buf tbs = IDPROV_BUF_INIT, body = IDPROV_BUF_INIT,
	    tmp = IDPROV_BUF_INIT, ext = IDPROV_BUF_INIT,
	    cert = IDPROV_BUF_INIT;
	idprov_status st = IDPROV_OK;

	memset(out, 0, sizeof(*out));
	if (!spki_key_bits(spki, spki_len, &bits, &bits_len) ||
	    !EVP_Digest(bits, bits_len, ski, &ski_len, is->sha1, NULL)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "publicKeyPEM: not a key idprovd can certify");
		goto out;
	}
	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "no random bytes for a serial number");
		goto out;
	}
	/* Positive and exactly 16 bytes long: a stable 32-digit hex. */
	serial[0] &= 0x7f;
	if (serial[0] == 0)
		serial[0] = 0x01;
	out->not_before = now - BACKDATE_SEC;
	out->not_after = now + validity_sec;

	idprov_buf_append(&body, version_v3, sizeof(version_v3));
	srv_der_uint_bytes(&body, serial, sizeof(serial));
	idprov_buf_append(&body, is->sig_alg, is->sig_alg_len);
	idprov_buf_append(&body, is->name, is->name_len);
	srv_der_time(&tmp, out->not_before);
	srv_der_time(&tmp, out->not_after);
	srv_der_wrap(&body, DER_SEQUENCE, &tmp);
	idprov_buf_free(&tmp);
	device_subject(&body, device_id);
	idprov_buf_append(&body, spki, spki_len);

	/* extensions: the fixed three, SKI, AKI */
	idprov_buf_append(&ext, ext_fixed, sizeof(ext_fixed));
	{
		idprov_buf ski_ext = IDPROV_BUF_INIT, oct = IDPROV_BUF_INIT;

		srv_der_tlv(&oct, DER_OCTET_STRING, ski, ski_len);
		idprov_buf_append(&ski_ext, oid_ski, sizeof(oid_ski));
		srv_der_wrap(&ski_ext, DER_OCTET_STRING, &oct);
		srv_der_wrap(&ext, DER_SEQUENCE, &ski_ext);
		idprov_buf_free(&ski_ext);
		idprov_buf_free(&oct);
	}
	idprov_buf_append(&ext, is->aki_ext, is->aki_ext_len);
	srv_der_wrap(&tmp, DER_SEQUENCE, &ext);
	srv_der_wrap(&body, DER_CONTEXT3, &tmp);
	if (srv_der_wrap(&tbs, DER_SEQUENCE, &body) != IDPROV_OK ||
	    tbs.failed || body.failed || tmp.failed) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding a certificate");
		goto out;
	}
	if ((st = srv_issuer_sign(is, (const unsigned char *)tbs.data,
	    tbs.len, &cert, err)) != IDPROV_OK)
		goto out;
	if ((out->pem = pem_encode((const unsigned char *)cert.data,
	    cert.len, "CERTIFICATE")) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding a certificate");
		goto out;
	}
	srv_hex_upper(serial, sizeof(serial), out->serial_hex,
	    sizeof(out->serial_hex));
out:
	idprov_buf_free(&tbs);
	idprov_buf_free(&body);
	idprov_buf_free(&tmp);
	idprov_buf_free(&ext);
	idprov_buf_free(&cert);
	if (st != IDPROV_OK)
		srv_issued_free(out);
	return st;
}

void
srv_issued_free(srv_issued *c)
{
	if (c == NULL)
		return;
	free(c->pem);
	c->pem = NULL;
}
