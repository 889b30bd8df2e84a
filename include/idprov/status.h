/*
 * idprov/status.h - status codes shared by the device library and the
 * protocol core.
 *
 * Every idprov_ call returns one of these.  A zero value means success, so
 * callers can write `if (idprov_x(...) != IDPROV_OK)`.  The human sentence
 * that goes with a failure is kept separately (see idprov_error in the core,
 * idprov_client_errmsg() in the public API).
 */
#ifndef IDPROV_STATUS_H
#define IDPROV_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum idprov_status {
	IDPROV_OK = 0,
	IDPROV_ERR_INVALID,	/* bad argument, message, field or file content */
	IDPROV_ERR_TOO_LARGE,	/* input over a documented size limit */
	IDPROV_ERR_NOMEM,	/* allocation failed */
	IDPROV_ERR_IO,		/* file system or socket failure */
	IDPROV_ERR_CRYPTO,	/* OpenSSL failed where it should not */
	IDPROV_ERR_VERIFY,	/* a signature, certificate or chain did not verify */
	IDPROV_ERR_NETWORK,	/* server unreachable, TLS or HTTP failure */
	IDPROV_ERR_WAITING,	/* server has no OOB secret for us yet */
	IDPROV_ERR_REJECTED,	/* server refused the request */
	IDPROV_ERR_UNTRUSTED,	/* the server could not be trusted */
	IDPROV_ERR_TIMEOUT,	/* a caller-given deadline passed */
	IDPROV_ERR_NOT_FOUND,	/* no such thing: file, device, service */
	IDPROV_ERR_EXPIRED,	/* certificate expired: a new OOB secret is needed */
	IDPROV_ERR_STATE	/* call not valid in the current state */
} idprov_status;

/* A short constant name for a status, e.g. "invalid input". Never NULL. */
const char *idprov_status_str(idprov_status st);

#ifdef __cplusplus
}
#endif
#endif
