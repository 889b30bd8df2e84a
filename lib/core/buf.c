/*
 * buf.c - growable NUL-terminated byte buffer.
 *
 * Once an allocation fails the buffer stays failed, so a writer can do a
 * run of appends and check once at idprov_buf_take().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
buf_reserve(idprov_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

idprov_status
idprov_buf_append(idprov_buf *b, const void *data, size_t len)
{
	if (b->failed)
		return IDPROV_ERR_NOMEM;
	if (buf_reserve(b, len) != 0) {
		b->failed = 1;
		return IDPROV_ERR_NOMEM;
	}
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return IDPROV_OK;
}

idprov_status
idprov_buf_append_str(idprov_buf *b, const char *s)
{
	return idprov_buf_append(b, s, strlen(s));
}

idprov_status
idprov_buf_append_char(idprov_buf *b, char c)
{
	return idprov_buf_append(b, &c, 1);
}

char *
idprov_buf_take(idprov_buf *b, size_t *len_out)
{
	char *p;

	if (b->failed) {
		idprov_buf_free(b);
		return NULL;
	}
	/* An empty buffer still hands out a valid empty string. */
	if (b->data == NULL && idprov_buf_append(b, "", 0) != IDPROV_OK) {
		idprov_buf_free(b);
		return NULL;
	}
	p = b->data;
	if (len_out != NULL)
		*len_out = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
	return p;
}

void
idprov_buf_free(idprov_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}
