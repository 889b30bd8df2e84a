/*
 * error.h - the human sentence that goes with a failing status.
 *
 * Core functions take an `idprov_error *err` last; it may be NULL when the
 * caller does not want the sentence.  Messages name the field or file at
 * fault and never contain a secret.
 */
#ifndef IDPROV_CORE_ERROR_H
#define IDPROV_CORE_ERROR_H

#include <idprov/status.h>

#define IDPROV_ERROR_MAX 256

typedef struct idprov_error {
	idprov_status status;
	char msg[IDPROV_ERROR_MAX];
} idprov_error;

/* Clear err (NULL is fine). */
void idprov_error_clear(idprov_error *err);

/*
 * Record a failure and return `st`, so a caller can write
 *     return idprov_error_set(err, IDPROV_ERR_INVALID, "deviceID is empty");
 * err may be NULL.  The message is truncated to fit.
 */
idprov_status idprov_error_set(idprov_error *err, idprov_status st,
    const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Like idprov_error_set, but appends the first queued OpenSSL error
 * ("...: <openssl reason>") and clears OpenSSL's error queue.
 */
idprov_status idprov_error_set_ssl(idprov_error *err, idprov_status st,
    const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
