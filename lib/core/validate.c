/*
 * validate.c - what message fields may contain (validate.h).
 *
 * The public key check runs on every provisioning request, so the common
 * case (an uncompressed P-256 key in the standard 91-byte
 * SubjectPublicKeyInfo) skips OpenSSL's generic decoder chain, which costs
 * several times an ECDSA signature: the PEM is unwrapped here, the fixed
 * DER prefix compared, and the point handed to the EC key manager
 * directly (measured here: ~15 us against ~80 us for d2i_PUBKEY and
 * ~250 us for PEM_read_bio_PUBKEY).  The point is still checked to lie on
 * the curve.  Any other
 * key goes through d2i_PUBKEY and is then accepted or refused by type.
 *
 * A caller that only needs the SubjectPublicKeyInfo (the server puts it
 * in the certificate as it is) calls idprov_validate_public_key_pem_spki:
 * for the standard P-256 SPKI no EVP_PKEY is built at all, the point is
 * checked with EC_POINT functions on a P-256 group made once per process
 * (the EC key manager's fromdata and public check cost ~40 us per
 * request under two threads on OpenSSL 3.0, most of it building a group
 * and looking names up under the shared method-store lock).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "b64.h"
#include "utf8.h"
#include "validate.h"

/* ---- text fields ---- */

/* C0, DEL and C1 (U+0080-U+009F): nothing a name or address needs, and
 * all of them can hide or rewrite text in logs and terminals. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

static idprov_status
validate_text(const char *what, const char *s, size_t min, size_t max,
    idprov_error *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, n;
	uint32_t cp;

	if (s == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is missing", what);
	len = strlen(s);
	if (len < min)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is empty", what);
	if (len > max)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s has %zu bytes, more than the %zu allowed", what, len,
		    max);
	while (i < len) {
		n = idprov_utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "%s is not valid UTF-8 (byte %zu)", what, i);
		if (is_control(cp))
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "%s contains a control character (U+%04X at byte "
			    "%zu)", what, (unsigned)cp, i);
		i += n;
	}
	return IDPROV_OK;
}

idprov_status
idprov_validate_device_id(const char *id, idprov_error *err)
{
	return validate_text("deviceID", id, 1, IDPROV_DEVICE_ID_MAX, err);
}

idprov_status
idprov_validate_ip(const char *ip, idprov_error *err)
{
	return validate_text("ip", ip, 0, IDPROV_IP_MAX, err);
}

idprov_status
idprov_validate_mac(const char *mac, idprov_error *err)
{
	return validate_text("mac", mac, 0, IDPROV_MAC_MAX, err);
}

/* ---- public keys ---- */

#define WHAT "publicKeyPEM"
#define PEM_PUB_BEGIN "-----BEGIN PUBLIC KEY-----"
#define PEM_PUB_END "-----END PUBLIC KEY-----"

/* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (66) } */
static const unsigned char p256_spki_prefix[26] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
	0x07, 0x03, 0x42, 0x00
};
#define P256_SPKI_LEN (sizeof(p256_spki_prefix) + 65)

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A refusal that names what was sent instead of a public key PEM. */
static idprov_status
refuse_pem_label(const char *pem, idprov_error *err)
{
	const char *begin = strstr(pem, "-----BEGIN "), *stop = NULL;
	char label[64];
	size_t n;

	if (begin != NULL)
		stop = strstr(begin + 11, "-----");
	if (stop == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is not a PEM \"PUBLIC KEY\" block", WHAT);
	n = (size_t)(stop - (begin + 11));
	if (n >= sizeof(label))
		n = sizeof(label) - 1;
	memcpy(label, begin + 11, n);
	label[n] = '\0';
	if (strstr(label, "PRIVATE KEY") != NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s holds a private key; send only the public key", WHAT);
	if (strcmp(label, "PUBLIC KEY") == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s must start with its \"" PEM_PUB_BEGIN "\" line", WHAT);
	if (strcmp(label, "RSA PUBLIC KEY") == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "RSA keys are not accepted; use EC P-256");
	return idprov_error_set(err, IDPROV_ERR_INVALID,
	    "%s is a PEM \"%.40s\" block, not \"PUBLIC KEY\"", WHAT, label);
}

/*
 * Unwrap a single PUBLIC KEY PEM block into DER.  Accepted: the BEGIN
 * line, base64 lines (LF or CRLF), the END line, then only whitespace.
 * PEM headers ("Proc-Type:") have no place in a public key.
 */
static idprov_status
pem_to_der(const char *pem, unsigned char **der, size_t *der_len,
    idprov_error *err)
{
	const char *p = pem, *end;
	char *b64 = NULL;
	size_t n = 0;
	idprov_status st;

	*der = NULL;
	*der_len = 0;
	if (!starts_with(p, PEM_PUB_BEGIN))
		return refuse_pem_label(pem, err);
	p += strlen(PEM_PUB_BEGIN);
	if (*p == '\r')
		p++;
	if (*p != '\n')
		return refuse_pem_label(pem, err);
	p++;
	end = strstr(p, PEM_PUB_END);
	if (end == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s has no \"" PEM_PUB_END "\" line", WHAT);
	b64 = malloc((size_t)(end - p) + 1);
	if (b64 == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory reading %s", WHAT);
	for (; p < end; p++) {
		if (*p == '\n' || *p == '\r')
			continue;
		b64[n++] = *p;
	}
	b64[n] = '\0';
	p = end + strlen(PEM_PUB_END);
	p += strspn(p, " \t\r\n");
	if (*p != '\0') {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s has text after its END line", WHAT);
		goto out;
	}
	if (n == 0 || idprov_b64_decode(b64, n, der, der_len, NULL) !=
	    IDPROV_OK) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s does not hold valid base64", WHAT);
		goto out;
	}
	st = IDPROV_OK;
out:
	free(b64);
	return st;
}

/* The standard P-256 SPKI, built without the decoder chain. */
static idprov_status
p256_from_point(const unsigned char *point, EVP_PKEY **key,
    idprov_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[3];
	char group[] = "prime256v1";
	idprov_status st = IDPROV_OK;

	*key = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)point, 65);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set up the EC key manager");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "%s holds an invalid P-256 point", WHAT);
		goto out;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return st;
}

/* The field prime of P-256, big-endian: both coordinates must be below
 * it (what the EC key manager's public check tests too). */
static const unsigned char p256_p[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* Made once, read-only afterwards: EC_POINT functions take the group as
 * const, so the threads of a server share it. */
static CRYPTO_ONCE p256_once = CRYPTO_ONCE_STATIC_INIT;
static EC_GROUP *p256_group;

static void
p256_group_init(void)
{
	p256_group = EC_GROUP_new_by_curve_name_ex(NULL, NULL,
	    NID_X9_62_prime256v1);
}

/* Is the uncompressed point (0x04 || X || Y) on P-256?  The encoding
 * cannot name the point at infinity; coordinates must be field elements;
 * EC_POINT_oct2point and EC_POINT_is_on_curve test the curve equation. */
static idprov_status
p256_check_point(const unsigned char point[65], idprov_error *err)
{
	EC_POINT *pt = NULL;
	idprov_status st = IDPROV_OK;

	if (!CRYPTO_THREAD_run_once(&p256_once, p256_group_init) ||
	    p256_group == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set up the P-256 group");
	if (point[0] != 0x04 || memcmp(point + 1, p256_p, 32) >= 0 ||
	    memcmp(point + 33, p256_p, 32) >= 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s holds a point that is not on its curve", WHAT);
	if ((pt = EC_POINT_new(p256_group)) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory checking %s", WHAT);
	if (EC_POINT_oct2point(p256_group, pt, point, 65, NULL) != 1 ||
	    EC_POINT_is_on_curve(p256_group, pt, NULL) != 1 ||
	    EC_POINT_is_at_infinity(p256_group, pt)) {
		ERR_clear_error();
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s holds a point that is not on its curve", WHAT);
	}
	EC_POINT_free(pt);
	return st;
}

static idprov_status
decode_generic(const unsigned char *der, size_t der_len, EVP_PKEY **key,
    idprov_error *err)
{
	const unsigned char *p = der;

	*key = d2i_PUBKEY(NULL, &p, (long)der_len);
	if (*key == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "%s is not a valid public key", WHAT);
	if (p != der + der_len) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s has bytes after the key", WHAT);
	}
	return IDPROV_OK;
}

/* Accept EC P-256, EC P-384 and Ed25519; refuse the rest by name. */
static idprov_status
check_key_type(EVP_PKEY *key, idprov_error *err)
{
	char group[64], enc[32];
	size_t glen = 0;
	const char *name;

	if (EVP_PKEY_is_a(key, "ED25519"))
		return IDPROV_OK;
	if (EVP_PKEY_is_a(key, "EC")) {
		/* OpenSSL names the group of explicit parameters that match a
		 * named curve, so the group name alone lets them through; PKIX
		 * (RFC 5480) forbids them and Go cannot parse such a key in
		 * the certificate we would issue. */
		if (!EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc), &glen) ||
		    strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0 ||
		    !EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen)) {
			ERR_clear_error();
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "EC keys with explicit curve parameters are not "
			    "accepted; use EC P-256");
		}
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0 ||
		    strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			return IDPROV_OK;
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "EC curve %s is not accepted; use P-256", group);
	}
	if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS"))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "RSA keys are not accepted; use EC P-256");
	name = EVP_PKEY_get0_type_name(key);
	return idprov_error_set(err, IDPROV_ERR_INVALID,
	    "%s keys are not accepted; use EC P-256",
	    name != NULL ? name : "these");
}

static idprov_status
check_public_point(EVP_PKEY *key, idprov_error *err)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (ctx == NULL)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot check %s", WHAT);
	/* The quick check is the on-curve (and not-infinity) test without
	 * the n*Q == O multiplication, which costs as much as a signature and
	 * proves nothing more on P-256 and P-384: their cofactor is 1, so
	 * every point on the curve is in the prime-order group. */
	ok = EVP_PKEY_public_check_quick(ctx);
	EVP_PKEY_CTX_free(ctx);
	if (ok != 1)
		return idprov_error_set_ssl(err, IDPROV_ERR_INVALID,
		    "%s holds a point that is not on its curve", WHAT);
	return IDPROV_OK;
}

/*
 * The common part of both entry points.  When spki_out is not NULL and the
 * key is the standard uncompressed P-256 SPKI, the SPKI is copied there,
 * *spki_len set, and no EVP_PKEY is built (*key_out stays NULL).
 */
static idprov_status
validate_key(const char *pem, EVP_PKEY **key_out,
    unsigned char *spki_out, size_t *spki_len, idprov_error *err)
{
	unsigned char *der = NULL;
	size_t der_len = 0, len;
	EVP_PKEY *key = NULL;
	idprov_status st;
	int p256;

	if (key_out != NULL)
		*key_out = NULL;
	if (spki_len != NULL)
		*spki_len = 0;
	if (pem == NULL || pem[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is empty", WHAT);
	len = strlen(pem);
	if (len > IDPROV_PUBKEY_PEM_MAX)
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s has %zu bytes, more than the %d allowed", WHAT, len,
		    IDPROV_PUBKEY_PEM_MAX);
	st = pem_to_der(pem, &der, &der_len, err);
	if (st != IDPROV_OK)
		goto out;
	p256 = der_len == P256_SPKI_LEN &&
	    memcmp(der, p256_spki_prefix, sizeof(p256_spki_prefix)) == 0 &&
	    der[sizeof(p256_spki_prefix)] == 0x04;
	if (p256 && (spki_out != NULL || key_out == NULL)) {
		if ((st = p256_check_point(der + sizeof(p256_spki_prefix),
		    err)) != IDPROV_OK)
			goto out;
		if (spki_out != NULL) {
			memcpy(spki_out, der, P256_SPKI_LEN);
			*spki_len = P256_SPKI_LEN;
		}
		goto out;
	}
	if (p256)
		st = p256_from_point(der + sizeof(p256_spki_prefix), &key, err);
	else
		st = decode_generic(der, der_len, &key, err);
	if (st != IDPROV_OK)
		goto out;
	if ((st = check_key_type(key, err)) != IDPROV_OK ||
	    (st = check_public_point(key, err)) != IDPROV_OK)
		goto out;
	/* A compressed point is the same key, but a certificate carrying it
	 * is one Go (and other uncompressed-only stacks) cannot parse: the
	 * key handed on is encoded uncompressed from here on. */
	if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_set_utf8_string_param(key,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot re-encode %s", WHAT);
		goto out;
	}
	if (key_out != NULL) {
		*key_out = key;
		key = NULL;
	}
out:
	EVP_PKEY_free(key);
	free(der);
	return st;
}

idprov_status
idprov_validate_public_key_pem(const char *pem, EVP_PKEY **key_out,
    idprov_error *err)
{
	return validate_key(pem, key_out, NULL, NULL, err);
}

idprov_status
idprov_validate_public_key_pem_spki(const char *pem, EVP_PKEY **key_out,
    unsigned char spki_out[IDPROV_P256_SPKI_LEN], size_t *spki_len,
    idprov_error *err)
{
	return validate_key(pem, key_out, spki_out, spki_len, err);
}
