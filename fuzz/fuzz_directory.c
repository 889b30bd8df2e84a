/* fuzz_directory.c - the directory parser and writer. */
#include "fuzz_roundtrip.h"

static void
no_extra(idprov_directory *m)
{
	(void)m;
}

IDPROV_FUZZ_ROUNDTRIP(idprov_directory, idprov_directory_parse,
    idprov_directory_write, idprov_directory_free, no_extra)
