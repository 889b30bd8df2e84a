/*
 * crl_build.h - the CA's CRL (X.509 v2): thisUpdate now, nextUpdate
 * now + days, a CRL number from the registry, the authority key
 * identifier, and every revoked, unexpired certificate with its reason.
 * Signed through srv_issuer_sign.
 */
#ifndef IDPROVD_CRL_BUILD_H
#define IDPROVD_CRL_BUILD_H

#include <stddef.h>
#include <time.h>

#include "issuer.h"
#include "registry.h"

/* RFC 5280 CRLReason from the admin's reason text: the names
 * keyCompromise, affiliationChanged, superseded, cessationOfOperation;
 * anything else is unspecified (0). */
int srv_crl_reason_code(const char *reason);

/* DER of a freshly signed CRL, malloc'd. */
idprov_status srv_crl_build(srv_issuer *is, srv_registry *reg, time_t now,
    long days, unsigned char **der_out, size_t *len_out, idprov_error *err);

#endif
