/*
 * handlers.h - one function per endpoint; each lives in its own file in
 * server/handlers/.  app.c routes a request to one of them after checking
 * the method; the handler checks who is calling and the body.
 */
#ifndef IDPROVD_HANDLERS_H
#define IDPROVD_HANDLERS_H

#include <stddef.h>

#include "../app_ctx.h"
#include "../config.h"
#include "../request.h"
#include "../../lib/core/error.h"

#define SRV_PATH_ADMIN_OOBSECRETS "/idprov/admin/oobsecrets"
#define SRV_PATH_ADMIN_DEVICES "/idprov/admin/devices"
#define SRV_PATH_ADMIN_PENDING "/idprov/admin/pending"
#define SRV_PATH_ADMIN_REVOKE "/idprov/admin/revoke"

/* The directory body of WIRE.md for this configuration and CA PEM text,
 * malloc'd.  Built once at open (and at reload) and served from memory. */
idprov_status srv_directory_build(const srv_config *cfg, const char *ca_pem,
    char **body_out, size_t *len_out, idprov_error *err);

void srv_h_directory(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_oobsecret(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_provreq(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_status(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_crl(srv_app *app, const srv_request *req, srv_response *resp);
void srv_h_admin_oobsecrets(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_admin_devices(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_admin_pending(srv_app *app, const srv_request *req,
    srv_response *resp);
void srv_h_admin_revoke(srv_app *app, const srv_request *req,
    srv_response *resp);

#endif
