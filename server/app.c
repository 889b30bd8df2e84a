/*
 * app.c - the application behind the HTTP layer: opens the CA, the
 * registry and the OOB store once, then routes each request to the
 * handler of its endpoint.  Called from every worker thread at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_ctx.h"
#include "respond.h"
#include "handlers/handlers.h"
#include "../lib/core/fileio.h"
#include "../lib/core/wire.h"

/* The CA certificate is small; refuse anything absurd. */
#define SRV_CA_PEM_MAX (64 * 1024)

static void
settings_from_config(const srv_config *cfg, srv_settings *set)
{
	set->cert_validity_sec = cfg->cert_validity_sec > 0 ?
	    cfg->cert_validity_sec : 7L * 24 * 3600;
	set->retry_sec = cfg->retry_sec > 0 ? cfg->retry_sec : 30;
	set->oob_default_sec = cfg->oob_default_sec > 0 ?
	    cfg->oob_default_sec : 3L * 24 * 3600;
	set->oob_max_sec = cfg->oob_max_sec > 0 ?
	    cfg->oob_max_sec : 30L * 24 * 3600;
	set->lockout_after = cfg->lockout_after > 0 ? cfg->lockout_after : 5;
	set->crl_days = cfg->crl_days > 0 ? cfg->crl_days : 7;
}

/* cfg->ca_cert, or ca_dir/ca.pem when the config left it empty. */
static idprov_status
ca_cert_path(const srv_config *cfg, char *out, size_t outsz,
    idprov_error *err)
{
	int n;

	if (cfg->ca_cert[0] != '\0')
		n = snprintf(out, outsz, "%s", cfg->ca_cert);
	else
		n = snprintf(out, outsz, "%s/ca.pem",
		    cfg->ca_dir[0] != '\0' ? cfg->ca_dir : ".");
	if (n < 0 || (size_t)n >= outsz)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA certificate path is too long");
	return IDPROV_OK;
}

void
srv_app_settings(srv_app *app, srv_settings *out)
{
	pthread_rwlock_rdlock(&app->set_lock);
	*out = app->set;
	pthread_rwlock_unlock(&app->set_lock);
}

idprov_status
srv_app_open(srv_app **out, const srv_config *cfg, idprov_error *err)
{
	srv_app *app = NULL;
	char path[4200];
	char *ca_pem = NULL;
	size_t ca_len = 0;
	idprov_status st;

	*out = NULL;
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory opening the application");
	if (pthread_rwlock_init(&app->set_lock, NULL) != 0) {
		free(app);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot create the settings lock");
	}
	settings_from_config(cfg, &app->set);

	if ((st = ca_cert_path(cfg, path, sizeof(path), err)) != IDPROV_OK)
		goto out;
	if ((st = idprov_file_read(path, SRV_CA_PEM_MAX, &ca_pem, &ca_len,
	    err)) != IDPROV_OK)
		goto out;
	if ((st = srv_directory_build(cfg, ca_pem, &app->directory,
	    &app->directory_len, err)) != IDPROV_OK)
		goto out;
	*out = app;
	app = NULL;
out:
	free(ca_pem);
	srv_app_close(app);
	return st;
}

idprov_status
srv_app_reload(srv_app *app, const srv_config *cfg, idprov_error *err)
{
	char path[4200];
	char *ca_pem = NULL, *dir = NULL, *old;
	size_t ca_len = 0, dir_len = 0;
	srv_settings set;
	idprov_status st;

	/* Build everything first, then swap under the lock, so a bad
	 * reload leaves the running settings untouched. */
	settings_from_config(cfg, &set);
	if ((st = ca_cert_path(cfg, path, sizeof(path), err)) != IDPROV_OK)
		goto out;
	if ((st = idprov_file_read(path, SRV_CA_PEM_MAX, &ca_pem, &ca_len,
	    err)) != IDPROV_OK)
		goto out;
	if ((st = srv_directory_build(cfg, ca_pem, &dir, &dir_len, err)) !=
	    IDPROV_OK)
		goto out;
	pthread_rwlock_wrlock(&app->set_lock);
	app->set = set;
	old = app->directory;
	app->directory = dir;
	app->directory_len = dir_len;
	pthread_rwlock_unlock(&app->set_lock);
	dir = old;
out:
	free(dir);
	free(ca_pem);
	return st;
}

void
srv_app_close(srv_app *app)
{
	if (app == NULL)
		return;
	free(app->directory);
	pthread_rwlock_destroy(&app->set_lock);
	free(app);
}

/* Route by path, then by method. */
void
srv_app_handle(srv_app *app, const srv_request *req, srv_response *resp)
{
	const char *path = req->path != NULL ? req->path : "";
	int is_get = req->method == SRV_METHOD_GET ||
	    req->method == SRV_METHOD_HEAD;

	memset(resp, 0, sizeof(*resp));
	resp->content_type = SRV_CT_JSON;

	if (strcmp(path, IDPROV_PATH_DIRECTORY) == 0) {
		if (!is_get)
			goto bad_method;
		srv_h_directory(app, req, resp);
		return;
	}
	srv_respond_not_found(resp);
	return;
bad_method:
	srv_respond_bad_method(resp);
}
