/*
 * b64.c - standard padded base64, written here rather than with OpenSSL's
 * EVP_DecodeBlock, which skips whitespace and does not insist on padding:
 * a strict decoder means one encoding per value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
idprov_b64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	size_t out_len, i, o = 0;
	char *out;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	out_len = (len + 2) / 3 * 4;
	out = malloc(out_len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = b64_alphabet[v >> 18 & 0x3F];
		out[o++] = b64_alphabet[v >> 12 & 0x3F];
		out[o++] = b64_alphabet[v >> 6 & 0x3F];
		out[o++] = b64_alphabet[v & 0x3F];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64_alphabet[v >> 18 & 0x3F];
		out[o++] = b64_alphabet[v >> 12 & 0x3F];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = b64_alphabet[v >> 18 & 0x3F];
		out[o++] = b64_alphabet[v >> 12 & 0x3F];
		out[o++] = b64_alphabet[v >> 6 & 0x3F];
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

idprov_status
idprov_b64_decode(const char *in, size_t in_len, unsigned char **out,
    size_t *out_len, idprov_error *err)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *buf;
	size_t pad = 0, i, o = 0;

	*out = NULL;
	*out_len = 0;
	if (in_len % 4 != 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "base64 length %zu is not a multiple of 4", in_len);
	if (in_len > 0 && s[in_len - 1] == '=')
		pad++;
	if (pad == 1 && s[in_len - 2] == '=')
		pad++;
	buf = malloc(in_len / 4 * 3 + 1);
	if (buf == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory decoding base64");
	for (i = 0; i < in_len; i += 4) {
		int v[4], k, last = (i + 4 == in_len);
		uint32_t w;

		for (k = 0; k < 4; k++) {
			if (last && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value(s[i + k]);
			if (v[k] < 0) {
				free(buf);
				return idprov_error_set(err, IDPROV_ERR_INVALID,
				    "base64 has an invalid character at "
				    "offset %zu", i + k);
			}
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		buf[o++] = (unsigned char)(w >> 16);
		if (!last || pad < 2)
			buf[o++] = (unsigned char)(w >> 8);
		if (!last || pad < 1)
			buf[o++] = (unsigned char)w;
		/* Bits under the padding must be zero, or two strings would
		 * decode to the same bytes. */
		if (last && ((pad == 2 && (w & 0xFFFF) != 0) ||
		    (pad == 1 && (w & 0xFF) != 0))) {
			free(buf);
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "base64 has non-zero bits in its padding");
		}
	}
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return IDPROV_OK;
}

#define PEM_BEGIN "-----BEGIN "

idprov_status
idprov_pem_from_wire(const char *in, const char *what, char **pem_out,
    idprov_error *err)
{
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	idprov_status st;

	*pem_out = NULL;
	if (what == NULL)
		what = "certificate";
	if (in == NULL || in[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID, "%s is empty",
		    what);
	if (strncmp(in, PEM_BEGIN, strlen(PEM_BEGIN)) == 0) {
		*pem_out = strdup(in);
		if (*pem_out == NULL)
			return idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "out of memory copying %s", what);
		return IDPROV_OK;
	}
	st = idprov_b64_decode(in, strlen(in), &raw, &raw_len, NULL);
	if (st != IDPROV_OK) {
		if (st == IDPROV_ERR_NOMEM)
			return idprov_error_set(err, st,
			    "out of memory decoding %s", what);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is neither PEM nor base64 of PEM", what);
	}
	if (raw_len < strlen(PEM_BEGIN) ||
	    strncmp((char *)raw, PEM_BEGIN, strlen(PEM_BEGIN)) != 0 ||
	    memchr(raw, '\0', raw_len) != NULL) {
		free(raw);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is base64 but does not decode to PEM text", what);
	}
	*pem_out = (char *)raw;
	return IDPROV_OK;
}
