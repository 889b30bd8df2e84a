/*
 * servercert.c - the server certificate rule of Go's TLS client (see
 * servercert.h).
 */
#include <stdint.h>
#include <openssl/x509v3.h>

#include "servercert.h"

idprov_status
idprov_server_cert_check(X509 *cert, idprov_error *err)
{
	uint32_t xku;

	/* Also computes the cached extension flags; a certificate whose
	 * extensions do not parse is refused. */
	if (cert == NULL || X509_check_purpose(cert, -1, 0) != 1 ||
	    (X509_get_extension_flags(cert) & EXFLAG_INVALID) != 0)
		return idprov_error_set(err, IDPROV_ERR_VERIFY, "the server "
		    "certificate's extensions cannot be read");
	if ((X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) == 0)
		return IDPROV_OK;
	xku = X509_get_extended_key_usage(cert);
	if ((xku & (XKU_SSL_SERVER | XKU_ANYEKU)) == 0)
		return idprov_error_set(err, IDPROV_ERR_VERIFY, "the server "
		    "certificate is not for TLS servers (its extended key "
		    "usage has no serverAuth)");
	return IDPROV_OK;
}

/* The chain as OpenSSL judged it, plus the leaf's EKU. */
static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	if (ok && X509_STORE_CTX_get_error_depth(sctx) == 0 &&
	    idprov_server_cert_check(X509_STORE_CTX_get_current_cert(sctx),
	    NULL) != IDPROV_OK) {
		X509_STORE_CTX_set_error(sctx, X509_V_ERR_INVALID_PURPOSE);
		return 0;
	}
	return ok;
}

idprov_status
idprov_server_cert_use_rule(SSL_CTX *ctx, idprov_error *err)
{
	if (SSL_CTX_set_purpose(ctx, X509_PURPOSE_ANY) != 1)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the TLS verification purpose");
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_cb);
	return IDPROV_OK;
}
