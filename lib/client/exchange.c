/*
 * exchange.c - one directory + provisioning request round (exchange.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "http.h"
#include "url.h"
#include "lib/core/b64.h"
#include "lib/core/crypto.h"
#include "lib/core/sign.h"

/* A non-200 answer: retry on 5xx, otherwise say what the server said. */
static idprov_status
http_refused(idprov_client *c, const idpc_http_resp *resp, const char *what)
{
	char reason[256];
	idprov_status st;

	idpc_http_reason(resp, reason, sizeof(reason));
	if (resp->code >= 500)
		st = IDPROV_ERR_NETWORK;
	else if (resp->code == 401 || resp->code == 403)
		st = IDPROV_ERR_REJECTED;
	else
		st = IDPROV_ERR_INVALID;
	return idprov_error_set(&c->err, st, "the server answered %s with "
	    "HTTP %ld%s%s", what, resp->code, reason[0] ? ": " : "", reason);
}

static idprov_status
get_directory(idprov_client *c, idpc_round *r, idprov_directory *dir,
    char *local_ip, size_t ip_len)
{
	idpc_http_req req = { 0 };
	idpc_http_resp resp = { 0 };
	char *pem = NULL;
	idprov_status st;

	st = idpc_url_directory(c->server_used, r->directory_url,
	    sizeof(r->directory_url), &c->err);
	if (st != IDPROV_OK)
		return st;
	req.url = r->directory_url;
	req.ca_pem = r->ca_pem;
	req.timeout_ms = idpc_request_timeout_ms(c);
	req.stop = c->stop;
	st = idpc_http_do(&req, &resp, &c->err);
	if (st != IDPROV_OK)
		goto out;
	if (resp.code != 200) {
		st = http_refused(c, &resp, "the directory request");
		goto out;
	}
	st = idprov_directory_parse(resp.body, resp.len, dir, &c->err);
	if (st != IDPROV_OK)
		goto out;
	if (dir->ca_cert == NULL || dir->ca_cert[0] == '\0') {
		st = idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "the directory has no caCert");
		goto out;
	}
	st = idprov_pem_from_wire(dir->ca_cert, "the directory's caCert", &pem,
	    &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = idprov_cert_from_pem(pem, &r->offered_ca, &c->err);
	if (st == IDPROV_ERR_INVALID)
		st = idprov_error_set(&c->err, st, "the directory's caCert is "
		    "not a PEM or base64 certificate");
	if (st != IDPROV_OK)
		goto out;
	snprintf(local_ip, ip_len, "%s", resp.local_ip);
out:
	free(pem);
	idpc_http_resp_free(&resp);
	return st;
}

static idprov_status
build_request(idprov_client *c, idpc_round *r, const char *ip, char **body,
    size_t *len)
{
	idprov_prov_request m = { 0 };
	idprov_status st;

	*body = NULL;
	m.device_id = strdup(c->device_id);
	/* The field must not be empty; the address we came from is all we
	 * can honestly say. */
	m.ip = strdup(ip[0] ? ip : "0.0.0.0");
	m.mac = strdup("");
	if (m.device_id == NULL || m.ip == NULL || m.mac == NULL) {
		st = idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
		goto out;
	}
	st = idprov_key_public_pem(r->key, &m.public_key_pem, &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = idprov_prov_request_sign(&m, r->secret, r->secret_len, &c->err);
	if (st != IDPROV_OK)
		goto out;
	*body = idprov_prov_request_write(&m, len);
	if (*body == NULL)
		st = idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
out:
	idprov_prov_request_free(&m);
	return st;
}

idprov_status
idpc_round_run(idprov_client *c, idpc_round *r)
{
	idprov_directory dir = { 0 };
	idpc_http_req req = { 0 };
	idpc_http_resp resp = { 0 };
	char provreq_url[IDPC_URL_MAX], local_ip[64] = "";
	char *body = NULL;
	size_t body_len = 0;
	idprov_status st;

	st = get_directory(c, r, &dir, local_ip, sizeof(local_ip));
	if (st != IDPROV_OK)
		goto out;
	st = idpc_url_endpoint(r->directory_url, dir.ep_post_provision_request,
	    "postProvisionRequest", provreq_url, sizeof(provreq_url), &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_url_host(provreq_url, r->host, sizeof(r->host), &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = build_request(c, r, local_ip, &body, &body_len);
	if (st != IDPROV_OK)
		goto out;
	req.url = provreq_url;
	req.body = body;
	req.body_len = body_len;
	req.ca_pem = r->ca_pem;
	req.cert_file = r->cert_file;
	req.key_file = r->key_file;
	req.timeout_ms = idpc_request_timeout_ms(c);
	req.stop = c->stop;
	st = idpc_http_do(&req, &resp, &c->err);
	if (st != IDPROV_OK)
		goto out;
	if (resp.code != 200) {
		st = http_refused(c, &resp, "the provisioning request");
		goto out;
	}
	st = idprov_prov_response_parse(resp.body, resp.len, &r->resp,
	    &c->err);
	if (st != IDPROV_OK)
		goto out;
	r->peer = resp.peer;
	resp.peer = NULL;
out:
	free(body);
	idprov_directory_free(&dir);
	idpc_http_resp_free(&resp);
	return st;
}

void
idpc_round_free(idpc_round *r)
{
	X509_free(r->offered_ca);
	X509_free(r->peer);
	idprov_prov_response_free(&r->resp);
	r->offered_ca = NULL;
	r->peer = NULL;
}
