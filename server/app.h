/*
 * app.h - the application behind the HTTP layer: endpoints, OOB store,
 * CA and registry.  One srv_app per process, shared by every worker
 * thread: srv_app_handle is thread-safe.
 */
#ifndef IDPROVD_APP_H
#define IDPROVD_APP_H

#include "config.h"
#include "request.h"
#include "../lib/core/error.h"

typedef struct srv_app srv_app;

/* Load the CA, open (create, migrate) the registry. */
idprov_status srv_app_open(srv_app **out, const srv_config *cfg,
    idprov_error *err);

/* Answer one request.  Always fills resp (status, body, log fields). */
void srv_app_handle(srv_app *app, const srv_request *req,
    srv_response *resp);

/* Re-read what SIGHUP reloads (settings that need no restart). */
idprov_status srv_app_reload(srv_app *app, const srv_config *cfg,
    idprov_error *err);

void srv_app_close(srv_app *app);

#endif
