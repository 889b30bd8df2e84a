/*
 * fuzz_canon.c - the canonical string writer against jansson's reader:
 * the output must be one valid JSON string that decodes to the input (when
 * the input is valid UTF-8), and must contain none of the characters Go
 * escapes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/core/canon.h"
#include "lib/core/utf8.h"
#include "lib/core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	idprov_buf b = IDPROV_BUF_INIT;
	json_error_t jerr;
	json_t *v;
	size_t len = 0, i;
	char *out;

	idprov_canon_string(&b, (const char *)data, size);
	out = idprov_buf_take(&b, &len);
	if (out == NULL || !idprov_utf8_valid(out, len))
		abort();
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 || c == '<' || c == '>' || c == '&')
			abort();
		if (c == 0xE2 && i + 2 < len && (unsigned char)out[i + 1] ==
		    0x80 && ((unsigned char)out[i + 2] == 0xA8 ||
		    (unsigned char)out[i + 2] == 0xA9))
			abort();
	}
	v = json_loadb(out, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (v == NULL || !json_is_string(v))
		abort();
	if (idprov_utf8_valid((const char *)data, size) &&
	    (json_string_length(v) != size ||
	    memcmp(json_string_value(v), data, size) != 0))
		abort();
	json_decref(v);
	free(out);
	return 0;
}
