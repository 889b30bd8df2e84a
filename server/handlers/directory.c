/*
 * directory.c - GET /idprov/directory (WIRE.md "Directory").  The body
 * never changes between reloads, so it is built once and copied out.
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "../respond.h"
#include "../../lib/core/b64.h"
#include "../../lib/core/wire.h"

static int
service_cmp(const void *a, const void *b)
{
	const idprov_service_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

idprov_status
srv_directory_build(const srv_config *cfg, const char *ca_pem,
    char **body_out, size_t *len_out, idprov_error *err)
{
	idprov_directory d;
	idprov_service_entry svc[SRV_MAX_SERVICES];
	idprov_status st = IDPROV_OK;
	size_t i;

	memset(&d, 0, sizeof(d));
	*body_out = NULL;
	/* The struct's strings are only borrowed here: never call
	 * idprov_directory_free on it. */
	d.ep_directory = (char *)IDPROV_PATH_DIRECTORY;
	d.ep_status = (char *)IDPROV_PATH_STATUS;
	d.ep_post_oob_secret = (char *)IDPROV_PATH_OOBSECRET;
	d.ep_post_provision_request = (char *)IDPROV_PATH_PROVREQ;
	d.ep_crl = (char *)IDPROV_PATH_CRL;
	d.version = (char *)IDPROV_WIRE_VERSION;
	/* The reference client decodes caCert as bytes: base64 of the PEM. */
	d.ca_cert = idprov_b64_encode(ca_pem, strlen(ca_pem));
	if (d.ca_cert == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory encoding the CA certificate");
		goto out;
	}
	for (i = 0; i < cfg->n_services && i < SRV_MAX_SERVICES; i++) {
		svc[i].name = (char *)cfg->services[i].name;
		svc[i].url = (char *)cfg->services[i].url;
	}
	/* Keys sorted, as Go marshals a map (the writer sorts too). */
	qsort(svc, i, sizeof(svc[0]), service_cmp);
	d.services = i > 0 ? svc : NULL;
	d.n_services = i;
	*body_out = idprov_directory_write(&d, len_out);
	if (*body_out == NULL)
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory writing the directory");
out:
	free(d.ca_cert);
	return st;
}

void
srv_h_directory(srv_app *app, const srv_request *req, srv_response *resp)
{
	(void)req;
	pthread_rwlock_rdlock(&app->set_lock);
	srv_respond_copy(resp, 200, app->directory, app->directory_len,
	    "application/json");
	pthread_rwlock_unlock(&app->set_lock);
	srv_respond_outcome(resp, "directory");
}
