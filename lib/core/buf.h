/*
 * buf.h - a growable byte buffer, always NUL-terminated, used by the
 * canonical JSON writer and anything else that builds a response.
 */
#ifndef IDPROV_CORE_BUF_H
#define IDPROV_CORE_BUF_H

#include <stddef.h>
#include <idprov/status.h>

typedef struct idprov_buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;	/* bytes used, without the NUL */
	size_t cap;
	int failed;	/* an allocation failed: later appends do nothing */
} idprov_buf;

#define IDPROV_BUF_INIT { NULL, 0, 0, 0 }

idprov_status idprov_buf_append(idprov_buf *b, const void *data, size_t len);
idprov_status idprov_buf_append_str(idprov_buf *b, const char *s);
idprov_status idprov_buf_append_char(idprov_buf *b, char c);
/* Hand the bytes to the caller (free() them); the buffer is reset. NULL if
 * anything failed. */
char *idprov_buf_take(idprov_buf *b, size_t *len_out);
void idprov_buf_free(idprov_buf *b);

#endif
