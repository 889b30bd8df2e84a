/*
 * app.c - the application behind the HTTP layer: opens the CA, the
 * registry and the OOB store once, then routes each request to the
 * handler of its endpoint.  Called from every worker thread at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_ctx.h"
#include "crl_build.h"
#include "issue_writer.h"
#include "issuer.h"
#include "oob_store.h"
#include "registry.h"
#include "respond.h"
#include "handlers/handlers.h"
#include "../lib/core/wire.h"

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
	set->renew_unknown = cfg->renew_unknown_certificates;
}

/* `given`, or ca_dir/`name` when the config left it empty. */
static idprov_status
ca_file(const srv_config *cfg, const char *given, const char *name,
    char *out, size_t outsz, idprov_error *err)
{
	int n;

	if (given[0] != '\0')
		n = snprintf(out, outsz, "%s", given);
	else
		n = snprintf(out, outsz, "%s/%s",
		    cfg->ca_dir[0] != '\0' ? cfg->ca_dir : ".", name);
	if (n < 0 || (size_t)n >= outsz)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the path of %s is too long", name);
	return IDPROV_OK;
}

#define ca_cert_path(cfg, out, outsz, err) \
	ca_file(cfg, (cfg)->ca_cert, "ca.pem", out, outsz, err)

void
srv_app_settings(srv_app *app, srv_settings *out)
{
	pthread_rwlock_rdlock(&app->set_lock);
	*out = app->set;
	pthread_rwlock_unlock(&app->set_lock);
}

/* The first lookup sorts the revoked list (and records that it did); do
 * it here, before the CRL is shared, so that lookups from the workers
 * only read. */
static void
sort_once(X509_CRL *crl)
{
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *zero = ASN1_INTEGER_new();

	if (zero != NULL)
		X509_CRL_get0_by_serial(crl, &rev, zero);
	ASN1_INTEGER_free(zero);
}

idprov_status
srv_app_refresh_crl(srv_app *app, idprov_error *err)
{
	srv_settings set;
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	X509_CRL *parsed = NULL, *old;
	idprov_status st;

	srv_app_settings(app, &set);
	/* Under the lock, so two revocations cannot publish their CRLs in
	 * the wrong order (the later number always wins). */
	pthread_mutex_lock(&app->crl_lock);
	st = srv_crl_build(app->issuer, app->reg, time(NULL), set.crl_days,
	    &der, &len, err);
	if (st == IDPROV_OK) {
		p = der;
		if ((parsed = d2i_X509_CRL(NULL, &p, (long)len)) == NULL) {
			free(der);
			st = idprov_error_set(err, IDPROV_ERR_CRYPTO,
			    "the CRL just built does not parse");
		} else {
			if (sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed)) <=
			    0) {
				X509_CRL_free(parsed);
				parsed = NULL;
			} else {
				sort_once(parsed);
			}
			free(app->crl);
			app->crl = der;
			app->crl_len = len;
			pthread_rwlock_wrlock(&app->crl_parsed_lock);
			old = app->crl_parsed;
			app->crl_parsed = parsed;
			pthread_rwlock_unlock(&app->crl_parsed_lock);
			X509_CRL_free(old);
		}
	}
	pthread_mutex_unlock(&app->crl_lock);
	return st;
}

idprov_status
srv_app_open(srv_app **out, const srv_config *cfg, idprov_error *err)
{
	srv_app *app = NULL;
	char cert_path[4200], key_path[4200];
	const char *db_path;
	idprov_status st;

	*out = NULL;
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory opening the application");
	if (pthread_rwlock_init(&app->set_lock, NULL) != 0 ||
	    pthread_rwlock_init(&app->crl_parsed_lock, NULL) != 0 ||
	    pthread_mutex_init(&app->crl_lock, NULL) != 0) {
		free(app);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot create the application's locks");
	}
	settings_from_config(cfg, &app->set);

	if ((st = ca_cert_path(cfg, cert_path, sizeof(cert_path), err)) !=
	    IDPROV_OK ||
	    (st = ca_file(cfg, cfg->ca_key, "ca.key", key_path,
	    sizeof(key_path), err)) != IDPROV_OK)
		goto out;
	if ((st = srv_issuer_open(cert_path, key_path, &app->issuer, err)) !=
	    IDPROV_OK)
		goto out;
	if ((st = srv_directory_build(cfg, srv_issuer_ca_pem(app->issuer),
	    &app->directory, &app->directory_len, err)) != IDPROV_OK)
		goto out;
	db_path = cfg->db_path[0] != '\0' ? cfg->db_path : "idprov.db";
	if ((st = srv_registry_open(db_path, &app->reg, err)) != IDPROV_OK)
		goto out;
	if ((st = srv_oob_open(&app->oob, err)) != IDPROV_OK)
		goto out;
	if ((st = srv_issue_writer_start(app->reg, &app->writer, err)) !=
	    IDPROV_OK)
		goto out;
	if ((st = srv_app_refresh_crl(app, err)) != IDPROV_OK)
		goto out;
	*out = app;
	app = NULL;
out:
	srv_app_close(app);
	return st;
}

idprov_status
srv_app_reload(srv_app *app, const srv_config *cfg, idprov_error *err)
{
	char *dir = NULL, *old;
	size_t dir_len = 0;
	srv_settings set;
	idprov_status st;

	/* The CA, its key and the database need a restart; the rest is
	 * built first and swapped under the lock, so a failed reload leaves
	 * the running settings untouched. */
	settings_from_config(cfg, &set);
	if ((st = srv_directory_build(cfg, srv_issuer_ca_pem(app->issuer),
	    &dir, &dir_len, err)) != IDPROV_OK)
		return st;
	pthread_rwlock_wrlock(&app->set_lock);
	app->set = set;
	old = app->directory;
	app->directory = dir;
	app->directory_len = dir_len;
	pthread_rwlock_unlock(&app->set_lock);
	free(old);
	/* crl_days may have changed. */
	return srv_app_refresh_crl(app, err);
}

void
srv_app_close(srv_app *app)
{
	if (app == NULL)
		return;
	/* First: it uses the registry (the HTTP layer has stopped, so no
	 * job is left waiting). */
	srv_issue_writer_stop(app->writer);
	srv_oob_close(app->oob);
	srv_registry_close(app->reg);
	srv_issuer_close(app->issuer);
	free(app->crl);
	X509_CRL_free(app->crl_parsed);
	free(app->directory);
	pthread_mutex_destroy(&app->crl_lock);
	pthread_rwlock_destroy(&app->crl_parsed_lock);
	pthread_rwlock_destroy(&app->set_lock);
	free(app);
}

typedef void (*handler_fn)(srv_app *, const srv_request *,
    srv_response *);

static const struct route {
	const char *path;
	srv_method method;	/* GET also answers HEAD */
	handler_fn fn;
} routes[] = {
	{ IDPROV_PATH_DIRECTORY, SRV_METHOD_GET, srv_h_directory },
	{ IDPROV_PATH_OOBSECRET, SRV_METHOD_POST, srv_h_oobsecret },
	{ IDPROV_PATH_PROVREQ, SRV_METHOD_POST, srv_h_provreq },
	{ IDPROV_PATH_CRL, SRV_METHOD_GET, srv_h_crl },
	{ SRV_PATH_ADMIN_OOBSECRETS, SRV_METHOD_POST, srv_h_admin_oobsecrets },
	{ SRV_PATH_ADMIN_DEVICES, SRV_METHOD_GET, srv_h_admin_devices },
	{ SRV_PATH_ADMIN_PENDING, SRV_METHOD_GET, srv_h_admin_pending },
	{ SRV_PATH_ADMIN_REVOKE, SRV_METHOD_POST, srv_h_admin_revoke },
};

static int
method_ok(srv_method want, srv_method got)
{
	return got == want || (want == SRV_METHOD_GET &&
	    got == SRV_METHOD_HEAD);
}

/* The Allow header of a 405 for an endpoint served by `want`. */
static const char *
allow_of(srv_method want)
{
	return want == SRV_METHOD_GET ? "GET, HEAD" : "POST";
}

/*
 * Is the client certificate on the current CRL?  Checked on every request,
 * so a revocation also holds on keep-alive connections opened before it,
 * for every role (admin and plugin certificates are revoked by serial:
 * docs/admin-api.md).  The CRL is the registry's revoked serials, rebuilt
 * on each revocation; certificates not yet expired only, and an expired
 * one does not get through the handshake.
 */
static int
peer_revoked(srv_app *app, X509 *cert)
{
	X509_REVOKED *rev = NULL;
	int revoked = 0;

	if (cert == NULL)
		return 0;
	/* A read lock, not a reference count: the lookup is a binary
	 * search of microseconds, and the lock orders it before the free
	 * of a replaced CRL in a way the thread sanitizer sees too. */
	pthread_rwlock_rdlock(&app->crl_parsed_lock);
	if (app->crl_parsed != NULL)
		revoked = X509_CRL_get0_by_serial(app->crl_parsed, &rev,
		    X509_get0_serialNumber(cert)) == 1;
	pthread_rwlock_unlock(&app->crl_parsed_lock);
	return revoked;
}

/* Route by path, then by method. */
void
srv_app_handle(srv_app *app, const srv_request *req, srv_response *resp)
{
	const char *path = req->path != NULL ? req->path : "";
	size_t i, plen = strlen(IDPROV_PATH_STATUS_PREFIX);
	srv_request anon;

	memset(resp, 0, sizeof(*resp));
	resp->content_type = SRV_CT_JSON;

	if (peer_revoked(app, req->peer_cert)) {
		/* A revoked certificate gives no right.  What anyone may do
		 * (directory, CRL, a provisioning request) goes on as without
		 * a certificate, so a revoked device can still come back with
		 * a new OOB secret; the rest is refused.  A device's own
		 * provisioning request keeps its certificate: the registry
		 * (which the CRL is made from) refuses the renewal and the
		 * handler answers as for any refused renewal. */
		if (strcmp(path, IDPROV_PATH_DIRECTORY) != 0 &&
		    strcmp(path, IDPROV_PATH_CRL) != 0 &&
		    strcmp(path, IDPROV_PATH_PROVREQ) != 0) {
			srv_respond_error(resp, 403, "forbidden",
			    "the client certificate is revoked");
			return;
		}
		if (strcmp(path, IDPROV_PATH_PROVREQ) != 0 ||
		    req->role != SRV_ROLE_DEVICE) {
			anon = *req;
			anon.role = SRV_ROLE_NONE;
			anon.peer_cn = NULL;
			anon.peer_ou = NULL;
			anon.peer_cert = NULL;
			req = &anon;
		}
	}

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(path, routes[i].path) == 0) {
			if (!method_ok(routes[i].method, req->method)) {
				srv_respond_bad_method(resp,
				    allow_of(routes[i].method));
				return;
			}
			routes[i].fn(app, req, resp);
			return;
		}
	if (strncmp(path, IDPROV_PATH_STATUS_PREFIX, plen) == 0 &&
	    path[plen] != '\0') {
		if (!method_ok(SRV_METHOD_GET, req->method)) {
			srv_respond_bad_method(resp, allow_of(SRV_METHOD_GET));
			return;
		}
		srv_h_status(app, req, resp);
		return;
	}
	srv_respond_not_found(resp);
}
