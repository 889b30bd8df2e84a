/*
 * servercert.c - the server certificate's extended key usage (see
 * servercert.h).
 */
#include <stdint.h>
#include <openssl/x509v3.h>

#include "servercert.h"

int
idpc_server_eku_ok(X509 *cert)
{
	uint32_t xku;

	/* Also computes the cached extension flags; a certificate whose
	 * extensions do not parse is refused. */
	if (X509_check_purpose(cert, -1, 0) != 1 ||
	    (X509_get_extension_flags(cert) & EXFLAG_INVALID) != 0)
		return 0;
	if ((X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) == 0)
		return 1;
	xku = X509_get_extended_key_usage(cert);
	return (xku & (XKU_SSL_SERVER | XKU_ANYEKU)) != 0;
}
