/*
 * canon.h - the canonical JSON writer of spec/WIRE.md ("Canonical form"):
 * Go encoding/json Marshal's string escaping, byte for byte.
 *
 * Used both for signatures and for every message the project sends.
 */
#ifndef IDPROV_CORE_CANON_H
#define IDPROV_CORE_CANON_H

#include <stddef.h>
#include "buf.h"

/*
 * Append `s` (len bytes, may contain any byte) as a quoted JSON string,
 * escaped as Go does: \" \\ \n \r \t, other bytes < 0x20 as \u00xx (lower
 * hex), < > & as \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029,
 * each invalid UTF-8 byte as \ufffd, everything else as is.
 */
idprov_status idprov_canon_string(idprov_buf *b, const char *s, size_t len);

/* Same for a NUL-terminated string; NULL is written as "". */
idprov_status idprov_canon_cstr(idprov_buf *b, const char *s);

/* Append "key": with the key canonically escaped. */
idprov_status idprov_canon_key(idprov_buf *b, const char *key);

/* Append a decimal integer. */
idprov_status idprov_canon_int(idprov_buf *b, long long v);

#endif
