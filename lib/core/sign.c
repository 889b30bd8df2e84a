/*
 * sign.c - HMAC-SHA256 over the canonical form with "signature":"".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "sign.h"

idprov_status
idprov_hmac_b64(const void *key, size_t key_len, const void *msg,
    size_t msg_len, char out[IDPROV_SIGNATURE_B64_LEN + 1], idprov_error *err)
{
	/* OpenSSL's HMAC treats a NULL key as "reuse the previous key" and
	 * fails without one, so the empty key must be a real pointer. */
	static const unsigned char empty_key[1] = { 0 };
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char *b64;

	if (key == NULL || key_len == 0) {
		key = empty_key;
		key_len = 0;
	}
	if (key_len > INT32_MAX)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the signing key is too long");
	if (msg == NULL)
		msg = "";
	if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, mac,
	    &mac_len) == NULL || mac_len != 32)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "HMAC-SHA256 failed");
	b64 = idprov_b64_encode(mac, mac_len);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (b64 == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding the signature");
	memcpy(out, b64, IDPROV_SIGNATURE_B64_LEN + 1);
	free(b64);
	return IDPROV_OK;
}

/* Sign the canonical bytes; on success *sig holds the base64. */
static idprov_status
sign_canonical(char *canon, size_t canon_len, const void *key,
    size_t key_len, char sig[IDPROV_SIGNATURE_B64_LEN + 1], idprov_error *err)
{
	idprov_status st;

	if (canon == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory writing the message to sign");
	st = idprov_hmac_b64(key, key_len, canon, canon_len, sig, err);
	free(canon);
	return st;
}

static idprov_status
replace_signature(char **field, const char *sig, idprov_error *err)
{
	char *copy = strdup(sig);

	if (copy == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory storing the signature");
	free(*field);
	*field = copy;
	return IDPROV_OK;
}

static idprov_status
compare_signature(const char *what, const char *given,
    const char expected[IDPROV_SIGNATURE_B64_LEN + 1], idprov_error *err)
{
	/* The length of a signature is public; only its bytes need a
	 * constant-time compare. */
	if (given == NULL || strlen(given) != IDPROV_SIGNATURE_B64_LEN ||
	    CRYPTO_memcmp(given, expected, IDPROV_SIGNATURE_B64_LEN) != 0)
		return idprov_error_set(err, IDPROV_ERR_VERIFY,
		    "%s: field \"signature\" does not verify", what);
	return IDPROV_OK;
}

idprov_status
idprov_prov_request_sign(idprov_prov_request *m, const void *key,
    size_t key_len, idprov_error *err)
{
	char sig[IDPROV_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	char *canon = idprov_prov_request_write_sig(m, "", &len);
	idprov_status st;

	st = sign_canonical(canon, len, key, key_len, sig, err);
	if (st != IDPROV_OK)
		return st;
	return replace_signature(&m->signature, sig, err);
}

idprov_status
idprov_prov_response_sign(idprov_prov_response *m, const void *key,
    size_t key_len, idprov_error *err)
{
	char sig[IDPROV_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	char *canon = idprov_prov_response_write_sig(m, "", &len);
	idprov_status st;

	st = sign_canonical(canon, len, key, key_len, sig, err);
	if (st != IDPROV_OK)
		return st;
	return replace_signature(&m->signature, sig, err);
}

idprov_status
idprov_prov_request_verify(const idprov_prov_request *m, const void *key,
    size_t key_len, idprov_error *err)
{
	char sig[IDPROV_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	char *canon = idprov_prov_request_write_sig(m, "", &len);
	idprov_status st;

	st = sign_canonical(canon, len, key, key_len, sig, err);
	if (st != IDPROV_OK)
		return st;
	return compare_signature("provisioning request", m->signature, sig,
	    err);
}

idprov_status
idprov_prov_response_verify(const idprov_prov_response *m, const void *key,
    size_t key_len, idprov_error *err)
{
	char sig[IDPROV_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	char *canon = idprov_prov_response_write_sig(m, "", &len);
	idprov_status st;

	st = sign_canonical(canon, len, key, key_len, sig, err);
	if (st != IDPROV_OK)
		return st;
	return compare_signature("provisioning response", m->signature, sig,
	    err);
}
