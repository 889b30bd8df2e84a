/*
 * fuzz_roundtrip.h - the body shared by the message fuzz targets.
 *
 * Whatever parses must be written, parsed again and written again to the
 * same bytes: the canonical form is a fixed point.  A refusal must come
 * with a sentence.  Any broken promise aborts, which libFuzzer reports as
 * a crash.
 */
#ifndef IDPROV_FUZZ_ROUNDTRIP_H
#define IDPROV_FUZZ_ROUNDTRIP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/wire.h"

#define IDPROV_FUZZ_ROUNDTRIP(type, parse, write, release, extra)	\
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);		\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	type m1, m2;							\
	idprov_error err;						\
	char *w1, *w2;							\
	size_t l1 = 0, l2 = 0;						\
									\
	idprov_error_clear(&err);					\
	if (parse((const char *)data, size, &m1, &err) != IDPROV_OK) {	\
		if (err.msg[0] == '\0' || err.status == IDPROV_OK)	\
			abort();					\
		return 0;						\
	}								\
	extra(&m1);							\
	w1 = write(&m1, &l1);						\
	if (w1 == NULL || strlen(w1) != l1)				\
		abort();						\
	/* Escaping can grow a body past the limit; nothing to check. */ \
	if (l1 > IDPROV_MAX_BODY) {					\
		free(w1);						\
		release(&m1);						\
		return 0;						\
	}								\
	if (parse(w1, l1, &m2, &err) != IDPROV_OK)			\
		abort();						\
	w2 = write(&m2, &l2);						\
	if (w2 == NULL || l1 != l2 || memcmp(w1, w2, l1) != 0)		\
		abort();						\
	free(w1);							\
	free(w2);							\
	release(&m1);							\
	release(&m2);							\
	return 0;							\
}

#endif
