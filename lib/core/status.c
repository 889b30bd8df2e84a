/*
 * status.c - short names for the status codes of idprov/status.h.
 */
#include <idprov/status.h>

const char *
idprov_status_str(idprov_status st)
{
	switch (st) {
	case IDPROV_OK:			return "ok";
	case IDPROV_ERR_INVALID:	return "invalid input";
	case IDPROV_ERR_TOO_LARGE:	return "input too large";
	case IDPROV_ERR_NOMEM:		return "out of memory";
	case IDPROV_ERR_IO:		return "input/output error";
	case IDPROV_ERR_CRYPTO:		return "cryptography failure";
	case IDPROV_ERR_VERIFY:		return "verification failed";
	case IDPROV_ERR_NETWORK:	return "network failure";
	case IDPROV_ERR_WAITING:	return "waiting for approval";
	case IDPROV_ERR_REJECTED:	return "rejected by the server";
	case IDPROV_ERR_UNTRUSTED:	return "server not trusted";
	case IDPROV_ERR_TIMEOUT:	return "timed out";
	case IDPROV_ERR_NOT_FOUND:	return "not found";
	case IDPROV_ERR_EXPIRED:	return "certificate expired";
	case IDPROV_ERR_STATE:		return "not valid in this state";
	}
	return "unknown status";
}
