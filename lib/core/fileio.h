/*
 * fileio.h - files written so that a crash never leaves half of one:
 * write a temporary file in the same folder, fsync it, rename it over the
 * target, fsync the folder.
 */
#ifndef IDPROV_CORE_FILEIO_H
#define IDPROV_CORE_FILEIO_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/*
 * Test hook: when the environment variable IDPROV_TEST_CRASH_BEFORE_RENAME
 * names the final component of the path being written, the process
 * kills itself with SIGKILL after the temporary file is written and before
 * the rename.  Lets tests prove the old file survives a crash mid-save.
 */
idprov_status idprov_file_write_atomic(const char *path, const void *data,
    size_t len, mode_t mode, idprov_error *err);

/* The same hook for callers that rename files themselves: call it just
 * before renaming into the final component `base`. */
void idprov_file_crash_hook(const char *base);

/* Read a whole file of at most max bytes; *out is malloc'd and
 * NUL-terminated.  IDPROV_ERR_NOT_FOUND when it does not exist,
 * IDPROV_ERR_TOO_LARGE over max. */
idprov_status idprov_file_read(const char *path, size_t max, char **out,
    size_t *len_out, idprov_error *err);

/* The same for a file that must be a regular file: a folder, device,
 * FIFO or socket is refused (IDPROV_ERR_INVALID, "PATH is a folder, not
 * a regular file") before anything is read, so /dev/zero or a pipe can
 * never make a reader wait or spin.  For configuration and input files. */
idprov_status idprov_file_read_regular(const char *path, size_t max,
    char **out, size_t *len_out, idprov_error *err);

/* The number (from 1) of the first line of text longer than max bytes,
 * its newline not counted; 0 when none is.  For files read by parsers
 * with a line buffer (inih cuts a longer line, and takes the rest for
 * the next line). */
int idprov_text_long_line(const char *text, size_t max);

/* mkdir -p with the given mode for the folders it creates. */
idprov_status idprov_mkdir_p(const char *path, mode_t mode,
    idprov_error *err);

#endif
