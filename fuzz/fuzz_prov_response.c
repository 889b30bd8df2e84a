/*
 * fuzz_prov_response.c - the provisioning response parser and writer,
 * and sign/verify with the empty key (the renewal path).
 */
#include "fuzz_roundtrip.h"
#include "lib/core/sign.h"

static void
sign_and_verify(idprov_prov_response *m)
{
	idprov_error err;
	char *given = m->signature;

	m->signature = NULL;
	if (idprov_prov_response_sign(m, "", 0, &err) != IDPROV_OK ||
	    idprov_prov_response_verify(m, NULL, 0, &err) != IDPROV_OK ||
	    idprov_prov_response_verify(m, "x", 1, &err) != IDPROV_ERR_VERIFY)
		abort();
	free(m->signature);
	m->signature = given;
}

IDPROV_FUZZ_ROUNDTRIP(idprov_prov_response, idprov_prov_response_parse,
    idprov_prov_response_write, idprov_prov_response_free, sign_and_verify)
