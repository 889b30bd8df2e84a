/*
 * respond.h - filling a srv_response: JSON bodies, error bodies
 * ({"error":"..."}, WIRE.md) and the log fields.
 */
#ifndef IDPROVD_RESPOND_H
#define IDPROVD_RESPOND_H

#include <stddef.h>
#include "request.h"

#define SRV_CT_JSON "application/json"
#define SRV_CT_CRL "application/pkix-crl"

/* Hand a malloc'd body to resp with the status (body NULL = out of
 * memory: becomes a 500). */
void srv_respond_body(srv_response *resp, int status, char *body,
    size_t len, const char *content_type);

/* {"error":reason} with the status; outcome "<kind>: <reason>". */
void srv_respond_error(srv_response *resp, int status, const char *kind,
    const char *reason);

/* A copy of len bytes of data as the body. */
void srv_respond_copy(srv_response *resp, int status, const void *data,
    size_t len, const char *content_type);

/* Log fields; device may be NULL. */
void srv_respond_device(srv_response *resp, const char *device);
void srv_respond_outcome(srv_response *resp, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The usual refusals. */
void srv_respond_not_found(srv_response *resp);
void srv_respond_bad_method(srv_response *resp, const char *allow);
/* 401 without a certificate, 403 with one that lacks the right. */
void srv_respond_unauthorized(srv_response *resp, const srv_request *req);

#endif
