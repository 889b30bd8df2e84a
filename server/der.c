/*
 * der.c - DER tag-length-value writing into an idprov_buf.
 */
#include <stdio.h>
#include <string.h>

#include "der.h"

static idprov_status
der_header(idprov_buf *b, unsigned char tag, size_t len)
{
	unsigned char h[2 + sizeof(size_t)];
	size_t n = 0, i, nbytes = 0, v;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else {
		for (v = len; v > 0; v >>= 8)
			nbytes++;
		h[n++] = (unsigned char)(0x80 | nbytes);
		for (i = nbytes; i > 0; i--)
			h[n++] = (unsigned char)(len >> (8 * (i - 1)));
	}
	return idprov_buf_append(b, h, n);
}

idprov_status
srv_der_tlv(idprov_buf *b, unsigned char tag, const void *value, size_t len)
{
	idprov_status st = der_header(b, tag, len);

	if (st == IDPROV_OK && len > 0)
		st = idprov_buf_append(b, value, len);
	return st;
}

idprov_status
srv_der_wrap(idprov_buf *b, unsigned char tag, const idprov_buf *inner)
{
	if (inner->failed)
		return IDPROV_ERR_NOMEM;
	return srv_der_tlv(b, tag, inner->data, inner->len);
}

idprov_status
srv_der_uint_bytes(idprov_buf *b, const unsigned char *be, size_t len)
{
	idprov_status st;

	/* Minimal encoding: no leading zeros, one 0x00 before a high bit. */
	while (len > 1 && be[0] == 0) {
		be++;
		len--;
	}
	if (len == 0)
		return srv_der_tlv(b, DER_INTEGER, "\0", 1);
	if (be[0] & 0x80) {
		if ((st = der_header(b, DER_INTEGER, len + 1)) != IDPROV_OK)
			return st;
		if ((st = idprov_buf_append_char(b, '\0')) != IDPROV_OK)
			return st;
		return idprov_buf_append(b, be, len);
	}
	return srv_der_tlv(b, DER_INTEGER, be, len);
}

idprov_status
srv_der_uint(idprov_buf *b, unsigned long long v)
{
	unsigned char be[sizeof(v)];
	size_t i;

	for (i = 0; i < sizeof(v); i++)
		be[sizeof(v) - 1 - i] = (unsigned char)(v >> (8 * i));
	return srv_der_uint_bytes(b, be, sizeof(v));
}

idprov_status
srv_der_time(idprov_buf *b, time_t t)
{
	struct tm tm;
	char s[20];
	int n;

	if (gmtime_r(&t, &tm) == NULL)
		return IDPROV_ERR_INVALID;
	if (tm.tm_year + 1900 >= 1950 && tm.tm_year + 1900 <= 2049) {
		n = snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ",
		    tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		return srv_der_tlv(b, DER_UTCTIME, s, (size_t)n);
	}
	n = snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return srv_der_tlv(b, DER_GENERALIZEDTIME, s, (size_t)n);
}
