/*
 * fuzz_prov_request.c - the provisioning request parser and writer, and
 * sign/verify on whatever parsed (the server's path).
 */
#include "fuzz_roundtrip.h"
#include "lib/core/sign.h"

static void
sign_and_verify(idprov_prov_request *m)
{
	idprov_error err;
	char *given = m->signature;

	/* Whatever parsed can be signed; the signature verifies under its
	 * key and not under another. */
	m->signature = NULL;
	if (idprov_prov_request_sign(m, "fuzz", 4, &err) != IDPROV_OK ||
	    idprov_prov_request_verify(m, "fuzz", 4, &err) != IDPROV_OK ||
	    idprov_prov_request_verify(m, "fuzz!", 5, &err) !=
	    IDPROV_ERR_VERIFY)
		abort();
	free(m->signature);
	m->signature = given;
}

IDPROV_FUZZ_ROUNDTRIP(idprov_prov_request, idprov_prov_request_parse,
    idprov_prov_request_write, idprov_prov_request_free, sign_and_verify)
