/*
 * scratch.h - a private temporary folder per test, removed afterwards.
 */
#ifndef TESTS_CRYPTO_SCRATCH_H
#define TESTS_CRYPTO_SCRATCH_H

#include <stddef.h>

/* mkdtemp under $TMPDIR (or /tmp); aborts the test program on failure. */
char *scratch_dir(void);
/* rm -r of the folder made by scratch_dir, then free it. */
void scratch_remove(char *dir);
/* dir + "/" + name into a static-free malloc'd string. */
char *scratch_path(const char *dir, const char *name);
/* Number of entries in dir besides "." and "..". */
int scratch_count(const char *dir);

#endif
