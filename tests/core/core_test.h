/*
 * core_test.h - what every core unit test includes: cmocka (which needs
 * its prerequisites first) and a few assertions that print what differed.
 */
#ifndef IDPROV_CORE_TEST_H
#define IDPROV_CORE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The bytes produced must be exactly `want`. */
#define assert_bytes(got, got_len, want) do {				\
	const char *g_ = (got), *w_ = (want);				\
	size_t gl_ = (got_len), wl_ = strlen(w_);			\
	if (g_ == NULL || gl_ != wl_ || memcmp(g_, w_, wl_) != 0) {	\
		print_error("expected the bytes\n  %s\nbut got\n  %.*s\n", \
		    w_, g_ != NULL ? (int)gl_ : 6, g_ != NULL ? g_ : "(null)"); \
		fail();							\
	}								\
} while (0)

/* The error sentence must mention `part` (usually the field name). */
#define assert_msg_has(msg, part) do {					\
	if (strstr((msg), (part)) == NULL) {				\
		print_error("expected the error sentence \"%s\" to name " \
		    "\"%s\"\n", (msg), (part));				\
		fail();							\
	}								\
} while (0)

#endif
