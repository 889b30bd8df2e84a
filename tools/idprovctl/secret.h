/*
 * secret.h - OOB secrets for the factory: 26 characters of Crockford's
 * base32 alphabet (digits and upper-case letters without I, L, O, U), so
 * 130 bits from the system's random generator, easy to type from a
 * sticker and free of characters that need quoting in CSV or a QR code.
 */
#ifndef IDPROVCTL_SECRET_H
#define IDPROVCTL_SECRET_H

#include <stddef.h>
#include "lib/core/error.h"

#define CTL_SECRET_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define CTL_SECRET_CHARS 26	/* 26 * 5 = 130 bits */

/* out receives CTL_SECRET_CHARS characters and a NUL. */
idprov_status ctl_secret_generate(char out[CTL_SECRET_CHARS + 1],
    idprov_error *err);

#endif
