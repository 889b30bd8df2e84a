/*
 * fuzz_b64.c - strict base64 and idprov_pem_from_wire.
 *
 * Strictness means one encoding per value: whatever decodes must encode
 * back to the same text, and whatever is encoded must decode back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out = NULL;
	size_t out_len = 0;
	idprov_error err;
	char *enc, *text, *pem = NULL;

	if (idprov_b64_decode((const char *)data, size, &out, &out_len,
	    &err) == IDPROV_OK) {
		enc = idprov_b64_encode(out, out_len);
		if (enc == NULL || strlen(enc) != size ||
		    memcmp(enc, data, size) != 0 || out[out_len] != '\0')
			abort();
		free(enc);
		free(out);
	} else if (out != NULL || err.msg[0] == '\0') {
		abort();
	}

	enc = idprov_b64_encode(data, size);
	if (enc == NULL || strlen(enc) != (size + 2) / 3 * 4)
		abort();
	if (idprov_b64_decode(enc, strlen(enc), &out, &out_len, &err) !=
	    IDPROV_OK || out_len != size || memcmp(out, data, size) != 0)
		abort();
	free(out);
	free(enc);

	text = strndup((const char *)data, size);
	if (text == NULL)
		abort();
	if (idprov_pem_from_wire(text, "caCert", &pem, &err) == IDPROV_OK) {
		if (pem == NULL || strncmp(pem, "-----BEGIN ", 11) != 0)
			abort();
		free(pem);
	} else if (pem != NULL || strstr(err.msg, "caCert") == NULL) {
		abort();
	}
	free(text);
	return 0;
}
