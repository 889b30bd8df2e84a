/* fuzz_oob_secret.c - the OOB secret parser and writer. */
#include "fuzz_roundtrip.h"

static void
no_extra(idprov_oob_secret *m)
{
	(void)m;
}

IDPROV_FUZZ_ROUNDTRIP(idprov_oob_secret, idprov_oob_secret_parse,
    idprov_oob_secret_write, idprov_oob_secret_free, no_extra)
