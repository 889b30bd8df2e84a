/*
 * fuzz_validate.c - deviceID/ip/mac and public key validation.
 *
 * The first byte picks the mode: even, the rest is text given to every
 * validator; odd, the rest is DER wrapped in a PUBLIC KEY PEM here, so the
 * key decoders see arbitrary DER rather than mostly broken base64.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "lib/core/b64.h"
#include "lib/core/utf8.h"
#include "lib/core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An accepted key must be a promised type and survive a re-export. */
static void
check_key(EVP_PKEY *key)
{
	EVP_PKEY *again = NULL;
	idprov_error err;
	BIO *bio;
	char *pem;
	long n;

	if (key == NULL)
		abort();
	if (!EVP_PKEY_is_a(key, "EC") && !EVP_PKEY_is_a(key, "ED25519"))
		abort();
	/* explicit curve parameters are refused even when they spell a
	 * named curve (PKIX forbids them; Go cannot parse them) */
	if (EVP_PKEY_is_a(key, "EC")) {
		char enc[32];
		size_t n_enc = 0;

		if (!EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc), &n_enc) ||
		    strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0)
			abort();
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_PUBKEY(bio, key) != 1)
		abort();
	n = BIO_get_mem_data(bio, &pem);
	pem = strndup(pem, (size_t)n);
	BIO_free(bio);
	if (pem == NULL)
		abort();
	if (idprov_validate_public_key_pem(pem, &again, &err) != IDPROV_OK ||
	    EVP_PKEY_eq(key, again) != 1)
		abort();
	EVP_PKEY_free(again);
	free(pem);
}

static void
check_text_fields(const char *s, size_t len)
{
	idprov_error err;
	size_t i;

	if (idprov_validate_device_id(s, &err) == IDPROV_OK) {
		if (len < 1 || len > IDPROV_DEVICE_ID_MAX ||
		    !idprov_utf8_valid(s, len))
			abort();
		for (i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	if (idprov_validate_ip(s, &err) == IDPROV_OK &&
	    (len > IDPROV_IP_MAX || !idprov_utf8_valid(s, len)))
		abort();
	if (idprov_validate_mac(s, &err) == IDPROV_OK && len > IDPROV_MAC_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *key = NULL;
	idprov_error err;
	char *text, *b64 = NULL;
	size_t len;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		b64 = idprov_b64_encode(data + 1, size - 1);
		if (b64 == NULL)
			abort();
		len = strlen(b64) + 64;
		text = malloc(len);
		if (text == NULL)
			abort();
		snprintf(text, len, "-----BEGIN PUBLIC KEY-----\n%s\n"
		    "-----END PUBLIC KEY-----\n", b64);
		free(b64);
	} else {
		text = strndup((const char *)data + 1, size - 1);
		if (text == NULL)
			abort();
		check_text_fields(text, strlen(text));
	}
	if (idprov_validate_public_key_pem(text, &key, &err) == IDPROV_OK)
		check_key(key);
	else if (key != NULL || err.msg[0] == '\0')
		abort();
	EVP_PKEY_free(key);
	free(text);
	return 0;
}
