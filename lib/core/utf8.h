/*
 * utf8.h - the one UTF-8 decoder of the core, shared by the canonical
 * writer (which must agree with Go byte for byte) and validation.
 */
#ifndef IDPROV_CORE_UTF8_H
#define IDPROV_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length (1-4) of the valid UTF-8 sequence at s[0..len), or 0 when s[0]
 * does not start one (overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences are invalid).  len must be > 0.
 * When cp is not NULL it receives the code point.
 */
size_t idprov_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Same without the code point. */
size_t idprov_utf8_seq_len(const unsigned char *s, size_t len);

#endif
