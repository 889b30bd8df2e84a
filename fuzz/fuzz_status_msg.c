/* fuzz_status_msg.c - the status message parser and writer. */
#include "fuzz_roundtrip.h"

static void
no_extra(idprov_status_msg *m)
{
	(void)m;
}

IDPROV_FUZZ_ROUNDTRIP(idprov_status_msg, idprov_status_msg_parse,
    idprov_status_msg_write, idprov_status_msg_free, no_extra)
