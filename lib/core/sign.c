/*
 * sign.c - HMAC-SHA256 over the canonical form with "signature":"".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "b64.h"
#include "sign.h"

/*
 * HMAC-SHA256 through a context made once per process with the algorithm
 * and the digest already fetched, duplicated for each use.  HMAC()
 * one-shot and EVP_MAC_init with a digest name look both up by name on
 * every call (OpenSSL 3.0: the shared method-store lock, strcmp, malloc),
 * which showed in the server's profile with two worker threads.  The
 * template holds no key and is never changed after it is made.
 */
static CRYPTO_ONCE hmac_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MAC_CTX *hmac_template;

static void
hmac_template_init(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	char digest[] = "SHA256";
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) == 1)
		hmac_template = ctx;
	else
		EVP_MAC_CTX_free(ctx);
	/* The context keeps its own reference to the algorithm. */
	EVP_MAC_free(mac);
}

static int
hmac_sha256(const void *key, size_t key_len, const void *msg,
    size_t msg_len, unsigned char mac[32])
{
	EVP_MAC_CTX *ctx;
	size_t mac_len = 0;
	int ok;

	if (!CRYPTO_THREAD_run_once(&hmac_once, hmac_template_init) ||
	    hmac_template == NULL ||
	    (ctx = EVP_MAC_CTX_dup(hmac_template)) == NULL)
		return 0;
	ok = EVP_MAC_init(ctx, key, key_len, NULL) == 1 &&
	    EVP_MAC_update(ctx, msg, msg_len) == 1 &&
	    EVP_MAC_final(ctx, mac, &mac_len, 32) == 1 && mac_len == 32;
	EVP_MAC_CTX_free(ctx);
	return ok;
}

idprov_status
idprov_hmac_b64(const void *key, size_t key_len, const void *msg,
    size_t msg_len, char out[IDPROV_SIGNATURE_B64_LEN + 1], idprov_error *err)
{
	/* OpenSSL's HMAC treats a NULL key as "reuse the previous key" and
	 * fails without one, so the empty key must be a real pointer. */
	static const unsigned char empty_key[1] = { 0 };
	unsigned char mac[32];
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
	if (!hmac_sha256(key, key_len, msg, msg_len, mac))
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "HMAC-SHA256 failed");
	b64 = idprov_b64_encode(mac, sizeof(mac));
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

char *
idprov_prov_response_write_signed(const idprov_prov_response *m,
    const void *key, size_t key_len, size_t *len_out, idprov_error *err)
{
	/* "signature" is the last field: the bytes sent are the bytes
	 * signed, with the empty string's "" filled in.  The two PEMs are
	 * most of the message; canonical JSON is written once, not twice. */
	static const char empty_tail[] = "\"\"}";
	char sig[IDPROV_SIGNATURE_B64_LEN + 1];
	size_t len = 0;
	char *canon = idprov_prov_response_write_sig(m, "", &len), *out;

	if (canon == NULL) {
		idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory writing the response");
		return NULL;
	}
	if (len < 3 || memcmp(canon + len - 3, empty_tail, 3) != 0) {
		free(canon);
		idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the response does not end with its signature");
		return NULL;
	}
	if (idprov_hmac_b64(key, key_len, canon, len, sig, err) != IDPROV_OK) {
		free(canon);
		return NULL;
	}
	if ((out = realloc(canon, len + IDPROV_SIGNATURE_B64_LEN + 1)) ==
	    NULL) {
		free(canon);
		idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory writing the response");
		return NULL;
	}
	/* ...,"signature":"" + "}  ->  ...,"signature":"SIG"} */
	memcpy(out + len - 2, sig, IDPROV_SIGNATURE_B64_LEN);
	memcpy(out + len - 2 + IDPROV_SIGNATURE_B64_LEN, "\"}", 3);
	*len_out = len + IDPROV_SIGNATURE_B64_LEN;
	return out;
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
