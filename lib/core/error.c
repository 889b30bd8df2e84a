/*
 * error.c - filling an idprov_error with one sentence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "error.h"

void
idprov_error_clear(idprov_error *err)
{
	if (err == NULL)
		return;
	err->status = IDPROV_OK;
	err->msg[0] = '\0';
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 0)))
#endif
static void
error_vformat(idprov_error *err, idprov_status st, const char *fmt,
    va_list ap)
{
	char *p;
	int n;

	err->status = st;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		err->msg[0] = '\0';
	/* Sentences quote what peers sent (a key name, a time) and end up in
	 * one-line logs: no control byte may split or repaint a line. */
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

idprov_status
idprov_error_set(idprov_error *err, idprov_status st, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return st;
	va_start(ap, fmt);
	error_vformat(err, st, fmt, ap);
	va_end(ap);
	return st;
}

idprov_status
idprov_error_set_ssl(idprov_error *err, idprov_status st, const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	size_t used;
	char reason[160];

	/* Take the oldest queued error: it is the root cause; the later ones
	 * are the layers that passed it up. */
	code = ERR_get_error();
	ERR_clear_error();
	if (err == NULL)
		return st;
	va_start(ap, fmt);
	error_vformat(err, st, fmt, ap);
	va_end(ap);
	if (code == 0)
		return st;
	ERR_error_string_n(code, reason, sizeof(reason));
	used = strlen(err->msg);
	if (used < sizeof(err->msg) - 1) {
		const char *r = ERR_reason_error_string(code);

		snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
		    r != NULL ? r : reason);
	}
	return st;
}
