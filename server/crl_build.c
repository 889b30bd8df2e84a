/*
 * crl_build.c - TBSCertList written with der.c, signed by the issuer.
 */
#include <stdlib.h>
#include <string.h>

#include "crl_build.h"
#include "der.h"

static const unsigned char oid_reason[] = { 0x06, 0x03, 0x55, 0x1d, 0x15 };
static const unsigned char oid_crl_number[] = { 0x06, 0x03, 0x55, 0x1d,
	0x14 };

int
srv_crl_reason_code(const char *reason)
{
	if (reason == NULL)
		return 0;
	if (strcmp(reason, "keyCompromise") == 0)
		return 1;
	if (strcmp(reason, "affiliationChanged") == 0)
		return 3;
	if (strcmp(reason, "superseded") == 0)
		return 4;
	if (strcmp(reason, "cessationOfOperation") == 0)
		return 5;
	return 0;
}

typedef struct entries_ctx {
	idprov_buf list;	/* the revokedCertificates contents */
	int bad;
} entries_ctx;

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
add_entry(const char *serial_hex, time_t revoked_at, int reason_code,
    void *vctx)
{
	entries_ctx *ctx = vctx;
	unsigned char serial[40];
	size_t n = strlen(serial_hex), i;
	idprov_buf e = IDPROV_BUF_INIT, ext = IDPROV_BUF_INIT,
	    tmp = IDPROV_BUF_INIT;
	unsigned char enumerated[3] = { DER_ENUMERATED, 1, 0 };

	if (n == 0 || n % 2 != 0 || n / 2 > sizeof(serial)) {
		ctx->bad = 1;
		return;
	}
	for (i = 0; i < n / 2; i++) {
		int hi = hex_val(serial_hex[2 * i]),
		    lo = hex_val(serial_hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			ctx->bad = 1;
			return;
		}
		serial[i] = (unsigned char)(hi << 4 | lo);
	}
	srv_der_uint_bytes(&e, serial, n / 2);
	srv_der_time(&e, revoked_at);
	/* RFC 5280 5.3.1: no reasonCode extension for unspecified. */
	if (reason_code > 0) {
		enumerated[2] = (unsigned char)reason_code;
		idprov_buf_append(&ext, oid_reason, sizeof(oid_reason));
		srv_der_tlv(&ext, DER_OCTET_STRING, enumerated,
		    sizeof(enumerated));
		srv_der_wrap(&tmp, DER_SEQUENCE, &ext);
		idprov_buf_free(&ext);
		srv_der_wrap(&ext, DER_SEQUENCE, &tmp);
		idprov_buf_append(&e, ext.data, ext.len);
	}
	srv_der_wrap(&ctx->list, DER_SEQUENCE, &e);
	if (e.failed || ext.failed || tmp.failed)
		ctx->bad = 1;
	idprov_buf_free(&e);
	idprov_buf_free(&ext);
	idprov_buf_free(&tmp);
}

idprov_status
srv_crl_build(srv_issuer *is, srv_registry *reg, time_t now, long days,
    unsigned char **der_out, size_t *len_out, idprov_error *err)
{
	entries_ctx ctx;
	srv_issuer_parts parts;
	unsigned long long number = 0;
	idprov_buf body = IDPROV_BUF_INIT, tbs = IDPROV_BUF_INIT,
	    exts = IDPROV_BUF_INIT, tmp = IDPROV_BUF_INIT,
	    out = IDPROV_BUF_INIT;
	idprov_status st;

	*der_out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	if ((st = srv_registry_crl_entries(reg, now, add_entry, &ctx, &number,
	    err)) != IDPROV_OK)
		goto out;
	if (ctx.bad) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "registry: a revoked serial number is malformed");
		goto out;
	}
	srv_issuer_get_parts(is, &parts);
	srv_der_uint(&body, 1);		/* v2 */
	idprov_buf_append(&body, parts.sig_alg, parts.sig_alg_len);
	idprov_buf_append(&body, parts.name, parts.name_len);
	srv_der_time(&body, now);
	srv_der_time(&body, now + days * 86400L);
	if (ctx.list.len > 0)
		srv_der_wrap(&body, DER_SEQUENCE, &ctx.list);
	/* crlExtensions: AKI, CRL number */
	idprov_buf_append(&exts, parts.aki_ext, parts.aki_ext_len);
	srv_der_uint(&tmp, number);
	{
		idprov_buf oct = IDPROV_BUF_INIT, ext = IDPROV_BUF_INIT;

		idprov_buf_append(&ext, oid_crl_number, sizeof(oid_crl_number));
		srv_der_wrap(&oct, DER_OCTET_STRING, &tmp);
		idprov_buf_append(&ext, oct.data, oct.len);
		srv_der_wrap(&exts, DER_SEQUENCE, &ext);
		idprov_buf_free(&oct);
		idprov_buf_free(&ext);
	}
	idprov_buf_free(&tmp);
	srv_der_wrap(&tmp, DER_SEQUENCE, &exts);
	srv_der_wrap(&body, DER_CONTEXT0, &tmp);
	if (srv_der_wrap(&tbs, DER_SEQUENCE, &body) != IDPROV_OK ||
	    body.failed || tbs.failed) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding the CRL");
		goto out;
	}
	if ((st = srv_issuer_sign(is, (const unsigned char *)tbs.data,
	    tbs.len, &out, err)) != IDPROV_OK)
		goto out;
	*der_out = (unsigned char *)idprov_buf_take(&out, len_out);
	if (*der_out == NULL)
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding the CRL");
out:
	idprov_buf_free(&ctx.list);
	idprov_buf_free(&body);
	idprov_buf_free(&tbs);
	idprov_buf_free(&exts);
	idprov_buf_free(&tmp);
	idprov_buf_free(&out);
	return st;
}
