/*
 * wire.c - the messages of spec/WIRE.md: strict parsers (jansson) and
 * canonical writers (canon.c).
 *
 * Parsing is deliberately stricter than Go's decoder in three ways: exact
 * key names (Go also matches case-insensitively), no duplicate keys, and no
 * wrong-typed or NUL-carrying strings.  Like Go, unknown keys are ignored.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "canon.h"
#include "wire.h"

#define MSG_DIRECTORY	"directory"
#define MSG_OOB		"OOB secret"
#define MSG_PROVREQ	"provisioning request"
#define MSG_PROVRESP	"provisioning response"
#define MSG_STATUS	"status"

/* How get_string treats a key that is absent or null. */
enum field_rule {
	FIELD_REQUIRED,		/* absent or null is an error */
	FIELD_DEFAULT_EMPTY,	/* absent -> "" */
	FIELD_DEFAULT_NULL,	/* absent -> NULL */
	FIELD_NULLABLE		/* absent or null -> NULL */
};

static idprov_status
wire_load(const char *msg, const char *body, size_t len, json_t **root,
    idprov_error *err)
{
	json_error_t jerr;

	*root = NULL;
	if (body == NULL || len == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: the body is empty", msg);
	if (len > IDPROV_MAX_BODY)
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s: the body has %zu bytes, more than the %d allowed",
		    msg, len, IDPROV_MAX_BODY);
	/* NULs are allowed through the loader only so that the check below
	 * can name the field that carries one. */
	*root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (*root == NULL) {
		char *near;

		/* jansson quotes the token it stopped at, which in an OOB
		 * secret message may be the secret: keep only the reason,
		 * unless the token is a duplicated key. */
		if (strcmp(msg, MSG_OOB) == 0 &&
		    json_error_code(&jerr) != json_error_duplicate_key &&
		    (near = strstr(jerr.text, " near ")) != NULL)
			*near = '\0';
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: invalid JSON at line %d column %d: %s", msg,
		    jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: the body is not a JSON object", msg);
	}
	return IDPROV_OK;
}

static idprov_status
dup_string(const char *msg, const char *field, const char *s, char **out,
    idprov_error *err)
{
	*out = strdup(s);
	if (*out == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "%s: out of memory copying field \"%s\"", msg, field);
	return IDPROV_OK;
}

/* A JSON string value as a C string, refusing embedded NULs. */
static idprov_status
take_string(const char *msg, const char *field, json_t *v, char **out,
    idprov_error *err)
{
	const char *s;

	if (!json_is_string(v))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"%s\" must be a string", msg, field);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"%s\" contains a NUL character", msg, field);
	return dup_string(msg, field, s, out, err);
}

static idprov_status
get_string(const char *msg, json_t *obj, const char *key, const char *field,
    enum field_rule rule, char **out, idprov_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || (json_is_null(v) && rule == FIELD_NULLABLE)) {
		switch (rule) {
		case FIELD_REQUIRED:
			break;
		case FIELD_DEFAULT_EMPTY:
			if (v == NULL)
				return dup_string(msg, field, "", out, err);
			break;
		case FIELD_DEFAULT_NULL:
			if (v == NULL)
				return IDPROV_OK;
			break;
		case FIELD_NULLABLE:
			return IDPROV_OK;
		}
		if (v == NULL)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "%s: field \"%s\" is missing", msg, field);
	}
	return take_string(msg, field, v, out, err);
}

/* ------------------------------------------------------------------ */
/* Directory */

static int
service_cmp(const void *a, const void *b)
{
	const idprov_service_entry *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static idprov_status
directory_parse_services(json_t *root, idprov_directory *out,
    idprov_error *err)
{
	json_t *services = json_object_get(root, "services"), *v;
	const char *name;
	char field[96];
	size_t n;
	idprov_status st;

	/* A Go server with a nil map sends null; treat it as no services. */
	if (services == NULL || json_is_null(services))
		return IDPROV_OK;
	if (!json_is_object(services))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"services\" must be an object", MSG_DIRECTORY);
	n = json_object_size(services);
	if (n == 0)
		return IDPROV_OK;
	out->services = calloc(n, sizeof(*out->services));
	if (out->services == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "%s: out of memory reading field \"services\"",
		    MSG_DIRECTORY);
	json_object_foreach(services, name, v) {
		idprov_service_entry *e = &out->services[out->n_services];

		snprintf(field, sizeof(field), "services.%.60s", name);
		st = take_string(MSG_DIRECTORY, field, v, &e->url, err);
		if (st != IDPROV_OK)
			return st;
		st = dup_string(MSG_DIRECTORY, field, name, &e->name, err);
		if (st != IDPROV_OK) {
			free(e->url);
			e->url = NULL;
			return st;
		}
		out->n_services++;
	}
	return IDPROV_OK;
}

idprov_status
idprov_directory_parse(const char *body, size_t len, idprov_directory *out,
    idprov_error *err)
{
	json_t *root = NULL, *ep;
	idprov_status st;

	memset(out, 0, sizeof(*out));
	st = wire_load(MSG_DIRECTORY, body, len, &root, err);
	if (st != IDPROV_OK)
		goto out;
	ep = json_object_get(root, "endpoints");
	if (ep == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"endpoints\" is missing", MSG_DIRECTORY);
		goto out;
	}
	if (!json_is_object(ep)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"endpoints\" must be an object", MSG_DIRECTORY);
		goto out;
	}
	if ((st = get_string(MSG_DIRECTORY, ep, "directory",
	    "endpoints.directory", FIELD_REQUIRED, &out->ep_directory,
	    err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, ep, "status", "endpoints.status",
	    FIELD_REQUIRED, &out->ep_status, err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, ep, "postOobSecret",
	    "endpoints.postOobSecret", FIELD_REQUIRED,
	    &out->ep_post_oob_secret, err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, ep, "postProvisionRequest",
	    "endpoints.postProvisionRequest", FIELD_REQUIRED,
	    &out->ep_post_provision_request, err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, ep, "crl", "endpoints.crl",
	    FIELD_DEFAULT_NULL, &out->ep_crl, err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, root, "caCert", "caCert",
	    FIELD_REQUIRED, &out->ca_cert, err)) != IDPROV_OK ||
	    (st = get_string(MSG_DIRECTORY, root, "version", "version",
	    FIELD_REQUIRED, &out->version, err)) != IDPROV_OK)
		goto out;
	st = directory_parse_services(root, out, err);
out:
	json_decref(root);
	if (st != IDPROV_OK)
		idprov_directory_free(out);
	return st;
}

char *
idprov_directory_write(const idprov_directory *d, size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;
	const idprov_service_entry **sorted = NULL;
	size_t i;
	char *out;

	if (d->n_services > 0) {
		sorted = malloc(d->n_services * sizeof(*sorted));
		if (sorted == NULL)
			return NULL;
		for (i = 0; i < d->n_services; i++)
			sorted[i] = &d->services[i];
		qsort(sorted, d->n_services, sizeof(*sorted), service_cmp);
	}
	idprov_buf_append_str(&b, "{");
	idprov_canon_key(&b, "endpoints");
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "directory");
	idprov_canon_cstr(&b, d->ep_directory);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "status");
	idprov_canon_cstr(&b, d->ep_status);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "postOobSecret");
	idprov_canon_cstr(&b, d->ep_post_oob_secret);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "postProvisionRequest");
	idprov_canon_cstr(&b, d->ep_post_provision_request);
	if (d->ep_crl != NULL) {
		idprov_buf_append_char(&b, ',');
		idprov_canon_key(&b, "crl");
		idprov_canon_cstr(&b, d->ep_crl);
	}
	idprov_buf_append_str(&b, "},");
	idprov_canon_key(&b, "caCert");
	idprov_canon_cstr(&b, d->ca_cert);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "version");
	idprov_canon_cstr(&b, d->version);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "services");
	idprov_buf_append_char(&b, '{');
	for (i = 0; i < d->n_services; i++) {
		if (i > 0)
			idprov_buf_append_char(&b, ',');
		idprov_canon_key(&b, sorted[i]->name);
		idprov_canon_cstr(&b, sorted[i]->url);
	}
	idprov_buf_append_str(&b, "}}");
	free(sorted);
	out = idprov_buf_take(&b, len_out);
	return out;
}

void
idprov_directory_free(idprov_directory *d)
{
	size_t i;

	if (d == NULL)
		return;
	free(d->ep_directory);
	free(d->ep_status);
	free(d->ep_post_oob_secret);
	free(d->ep_post_provision_request);
	free(d->ep_crl);
	free(d->ca_cert);
	free(d->version);
	for (i = 0; i < d->n_services; i++) {
		free(d->services[i].name);
		free(d->services[i].url);
	}
	free(d->services);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------ */
/* OOB secret */

/* jansson keeps its own copy of every string: wipe the secret's before
 * the tree is freed (freed heap is handed out again). */
static void
wipe_json_string(json_t *root, const char *key)
{
	json_t *v = root != NULL ? json_object_get(root, key) : NULL;

	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
		    json_string_length(v));
}

idprov_status
idprov_oob_secret_parse(const char *body, size_t len, idprov_oob_secret *out,
    idprov_error *err)
{
	json_t *root = NULL;
	idprov_status st;

	memset(out, 0, sizeof(*out));
	st = wire_load(MSG_OOB, body, len, &root, err);
	if (st != IDPROV_OK)
		goto out;
	if ((st = get_string(MSG_OOB, root, "deviceID", "deviceID",
	    FIELD_REQUIRED, &out->device_id, err)) != IDPROV_OK ||
	    (st = get_string(MSG_OOB, root, "oobSecret", "oobSecret",
	    FIELD_REQUIRED, &out->oob_secret, err)) != IDPROV_OK ||
	    (st = get_string(MSG_OOB, root, "validUntil", "validUntil",
	    FIELD_DEFAULT_EMPTY, &out->valid_until, err)) != IDPROV_OK)
		goto out;
out:
	wipe_json_string(root, "oobSecret");
	json_decref(root);
	if (st != IDPROV_OK)
		idprov_oob_secret_free(out);
	return st;
}

char *
idprov_oob_secret_write(const idprov_oob_secret *m, size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, m->device_id);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "oobSecret");
	idprov_canon_cstr(&b, m->oob_secret);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "validUntil");
	idprov_canon_cstr(&b, m->valid_until);
	idprov_buf_append_char(&b, '}');
	return idprov_buf_take(&b, len_out);
}

void
idprov_oob_secret_free(idprov_oob_secret *m)
{
	if (m == NULL)
		return;
	/* The secret is wiped, not just freed: freed heap is read again. */
	if (m->oob_secret != NULL)
		OPENSSL_cleanse(m->oob_secret, strlen(m->oob_secret));
	free(m->device_id);
	free(m->oob_secret);
	free(m->valid_until);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Provisioning request */

idprov_status
idprov_prov_request_parse(const char *body, size_t len,
    idprov_prov_request *out, idprov_error *err)
{
	json_t *root = NULL;
	idprov_status st;

	memset(out, 0, sizeof(*out));
	st = wire_load(MSG_PROVREQ, body, len, &root, err);
	if (st != IDPROV_OK)
		goto out;
	if ((st = get_string(MSG_PROVREQ, root, "deviceID", "deviceID",
	    FIELD_REQUIRED, &out->device_id, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVREQ, root, "ip", "ip",
	    FIELD_REQUIRED, &out->ip, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVREQ, root, "mac", "mac",
	    FIELD_DEFAULT_EMPTY, &out->mac, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVREQ, root, "publicKeyPEM", "publicKeyPEM",
	    FIELD_REQUIRED, &out->public_key_pem, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVREQ, root, "signature", "signature",
	    FIELD_REQUIRED, &out->signature, err)) != IDPROV_OK)
		goto out;
out:
	json_decref(root);
	if (st != IDPROV_OK)
		idprov_prov_request_free(out);
	return st;
}

/* The request with `signature` replaced by sig (NULL: the struct's own). */
char *
idprov_prov_request_write_sig(const idprov_prov_request *m, const char *sig,
    size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, m->device_id);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "ip");
	idprov_canon_cstr(&b, m->ip);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "mac");
	idprov_canon_cstr(&b, m->mac);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "publicKeyPEM");
	idprov_canon_cstr(&b, m->public_key_pem);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "signature");
	idprov_canon_cstr(&b, sig != NULL ? sig : m->signature);
	idprov_buf_append_char(&b, '}');
	return idprov_buf_take(&b, len_out);
}

char *
idprov_prov_request_write(const idprov_prov_request *m, size_t *len_out)
{
	return idprov_prov_request_write_sig(m, NULL, len_out);
}

void
idprov_prov_request_free(idprov_prov_request *m)
{
	if (m == NULL)
		return;
	free(m->device_id);
	free(m->ip);
	free(m->mac);
	free(m->public_key_pem);
	free(m->signature);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Provisioning response */

idprov_status
idprov_prov_response_parse(const char *body, size_t len,
    idprov_prov_response *out, idprov_error *err)
{
	json_t *root = NULL, *retry;
	idprov_status st;

	memset(out, 0, sizeof(*out));
	st = wire_load(MSG_PROVRESP, body, len, &root, err);
	if (st != IDPROV_OK)
		goto out;
	retry = json_object_get(root, "retrySec");
	if (retry != NULL) {
		if (!json_is_integer(retry) || json_integer_value(retry) < 0) {
			st = idprov_error_set(err, IDPROV_ERR_INVALID,
			    "%s: field \"retrySec\" must be a non-negative "
			    "integer", MSG_PROVRESP);
			goto out;
		}
		out->retry_sec = json_integer_value(retry);
	}
	if ((st = get_string(MSG_PROVRESP, root, "status", "status",
	    FIELD_REQUIRED, &out->status, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVRESP, root, "caCert", "caCert",
	    FIELD_DEFAULT_EMPTY, &out->ca_cert, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVRESP, root, "clientCert", "clientCert",
	    FIELD_DEFAULT_EMPTY, &out->client_cert, err)) != IDPROV_OK ||
	    (st = get_string(MSG_PROVRESP, root, "signature", "signature",
	    FIELD_DEFAULT_EMPTY, &out->signature, err)) != IDPROV_OK)
		goto out;
out:
	json_decref(root);
	if (st != IDPROV_OK)
		idprov_prov_response_free(out);
	return st;
}

char *
idprov_prov_response_write_sig(const idprov_prov_response *m,
    const char *sig, size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_char(&b, '{');
	/* Go's omitempty: a zero retrySec is not written at all. */
	if (m->retry_sec != 0) {
		idprov_canon_key(&b, "retrySec");
		idprov_canon_int(&b, m->retry_sec);
		idprov_buf_append_char(&b, ',');
	}
	idprov_canon_key(&b, "status");
	idprov_canon_cstr(&b, m->status);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "caCert");
	idprov_canon_cstr(&b, m->ca_cert);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "clientCert");
	idprov_canon_cstr(&b, m->client_cert);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "signature");
	idprov_canon_cstr(&b, sig != NULL ? sig : m->signature);
	idprov_buf_append_char(&b, '}');
	return idprov_buf_take(&b, len_out);
}

char *
idprov_prov_response_write(const idprov_prov_response *m, size_t *len_out)
{
	return idprov_prov_response_write_sig(m, NULL, len_out);
}

void
idprov_prov_response_free(idprov_prov_response *m)
{
	if (m == NULL)
		return;
	free(m->status);
	free(m->ca_cert);
	free(m->client_cert);
	free(m->signature);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Status */

idprov_status
idprov_status_msg_parse(const char *body, size_t len, idprov_status_msg *out,
    idprov_error *err)
{
	json_t *root = NULL;
	idprov_status st;

	memset(out, 0, sizeof(*out));
	st = wire_load(MSG_STATUS, body, len, &root, err);
	if (st != IDPROV_OK)
		goto out;
	if ((st = get_string(MSG_STATUS, root, "deviceID", "deviceID",
	    FIELD_REQUIRED, &out->device_id, err)) != IDPROV_OK ||
	    (st = get_string(MSG_STATUS, root, "status", "status",
	    FIELD_REQUIRED, &out->status, err)) != IDPROV_OK ||
	    (st = get_string(MSG_STATUS, root, "caCert", "caCert",
	    FIELD_DEFAULT_EMPTY, &out->ca_cert, err)) != IDPROV_OK ||
	    (st = get_string(MSG_STATUS, root, "clientCert", "clientCert",
	    FIELD_NULLABLE, &out->client_cert, err)) != IDPROV_OK)
		goto out;
out:
	json_decref(root);
	if (st != IDPROV_OK)
		idprov_status_msg_free(out);
	return st;
}

char *
idprov_status_msg_write(const idprov_status_msg *m, size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, m->device_id);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "status");
	idprov_canon_cstr(&b, m->status);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "caCert");
	idprov_canon_cstr(&b, m->ca_cert);
	idprov_buf_append_char(&b, ',');
	idprov_canon_key(&b, "clientCert");
	if (m->client_cert == NULL)
		idprov_buf_append_str(&b, "null");
	else
		idprov_canon_cstr(&b, m->client_cert);
	idprov_buf_append_char(&b, '}');
	return idprov_buf_take(&b, len_out);
}

void
idprov_status_msg_free(idprov_status_msg *m)
{
	if (m == NULL)
		return;
	free(m->device_id);
	free(m->status);
	free(m->ca_cert);
	free(m->client_cert);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Error body (ours) */

char *
idprov_error_body_write(const char *reason, size_t *len_out)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "error");
	idprov_canon_cstr(&b, reason);
	idprov_buf_append_char(&b, '}');
	return idprov_buf_take(&b, len_out);
}
