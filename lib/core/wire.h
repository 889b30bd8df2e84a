/*
 * wire.h - the IDProv messages of spec/WIRE.md: one struct per message, a
 * strict parser and the canonical writer for each.
 *
 * Parsers (jansson) refuse: bodies over IDPROV_MAX_BODY, anything that is
 * not a single JSON object, duplicate keys, a known key with the wrong type,
 * a missing required key, strings with an embedded NUL (\u0000).  Unknown
 * keys are ignored, as Go's decoder does, so newer peers stay compatible.
 * The error sentence names the message and the field, e.g.
 *     "provisioning request: field \"deviceID\" must be a string".
 *
 * Parsers check the JSON shape only; what a field may contain is checked by
 * validate.h (the server and the client decide when).
 *
 * Writers produce exactly the bytes of WIRE.md (field order, compact,
 * Go escaping).  All strings in the structs are heap-allocated and owned by
 * the struct; NULL is written as "" (or null where WIRE.md says so).
 * The *_free functions free the members, not the struct itself, and leave
 * it zeroed; they accept a zeroed struct.
 */
#ifndef IDPROV_CORE_WIRE_H
#define IDPROV_CORE_WIRE_H

#include <stddef.h>
#include "error.h"

#define IDPROV_MAX_BODY (64 * 1024)
#define IDPROV_WIRE_VERSION "1"

#define IDPROV_PATH_DIRECTORY "/idprov/directory"
#define IDPROV_PATH_STATUS "/idprov/status/{deviceID}"
#define IDPROV_PATH_STATUS_PREFIX "/idprov/status/"
#define IDPROV_PATH_OOBSECRET "/idprov/oobsecret"
#define IDPROV_PATH_PROVREQ "/idprov/provreq"
#define IDPROV_PATH_CRL "/idprov/crl"
#define IDPROV_DEFAULT_PORT 43776

/* Provisioning status strings, as on the wire. */
#define IDPROV_STATUS_APPROVED "Approved"
#define IDPROV_STATUS_WAITING "Waiting"
#define IDPROV_STATUS_REJECTED "Rejected"

/* ---- Directory (GET /idprov/directory) ---- */
typedef struct idprov_service_entry {
	char *name;
	char *url;
} idprov_service_entry;

typedef struct idprov_directory {
	char *ep_directory;		/* "directory" (required) */
	char *ep_status;		/* "status" (required) */
	char *ep_post_oob_secret;	/* "postOobSecret" (required) */
	char *ep_post_provision_request;/* "postProvisionRequest" (required) */
	char *ep_crl;			/* "crl" (ours, optional, NULL if absent) */
	char *ca_cert;			/* as on the wire: base64 of PEM, or PEM */
	char *version;
	idprov_service_entry *services;	/* written sorted by name */
	size_t n_services;
} idprov_directory;

idprov_status idprov_directory_parse(const char *body, size_t len,
    idprov_directory *out, idprov_error *err);
/* Returns a malloc'd NUL-terminated string (length in *len_out if not
 * NULL), or NULL when out of memory. */
char *idprov_directory_write(const idprov_directory *d, size_t *len_out);
void idprov_directory_free(idprov_directory *d);

/* ---- OOB secret (POST /idprov/oobsecret) ---- */
typedef struct idprov_oob_secret {
	char *device_id;	/* "deviceID" (required) */
	char *oob_secret;	/* "oobSecret" (required) */
	char *valid_until;	/* "validUntil" (optional; "" = default) */
} idprov_oob_secret;

idprov_status idprov_oob_secret_parse(const char *body, size_t len,
    idprov_oob_secret *out, idprov_error *err);
char *idprov_oob_secret_write(const idprov_oob_secret *m, size_t *len_out);
void idprov_oob_secret_free(idprov_oob_secret *m);

/* ---- Provisioning request (POST /idprov/provreq) ---- */
typedef struct idprov_prov_request {
	char *device_id;	/* "deviceID" (required) */
	char *ip;		/* "ip" (required, may be "" on parse) */
	char *mac;		/* "mac" (optional, default "") */
	char *public_key_pem;	/* "publicKeyPEM" (required) */
	char *signature;	/* "signature" (required) */
} idprov_prov_request;

idprov_status idprov_prov_request_parse(const char *body, size_t len,
    idprov_prov_request *out, idprov_error *err);
char *idprov_prov_request_write(const idprov_prov_request *m,
    size_t *len_out);
void idprov_prov_request_free(idprov_prov_request *m);
/* The request written with "signature" set to sig instead of m->signature
 * (what sign.c signs, with sig = ""); sig NULL means m->signature. */
char *idprov_prov_request_write_sig(const idprov_prov_request *m,
    const char *sig, size_t *len_out);

/* ---- Provisioning response ---- */
typedef struct idprov_prov_response {
	long long retry_sec;	/* "retrySec", omitted when 0 */
	char *status;		/* "status" (required) */
	char *ca_cert;		/* "caCert": plain PEM or "" */
	char *client_cert;	/* "clientCert": plain PEM or "" */
	char *signature;	/* "signature" */
} idprov_prov_response;

idprov_status idprov_prov_response_parse(const char *body, size_t len,
    idprov_prov_response *out, idprov_error *err);
char *idprov_prov_response_write(const idprov_prov_response *m,
    size_t *len_out);
void idprov_prov_response_free(idprov_prov_response *m);
/* As idprov_prov_request_write_sig, for the response. */
char *idprov_prov_response_write_sig(const idprov_prov_response *m,
    const char *sig, size_t *len_out);

/* ---- Status (GET /idprov/status/{deviceID}) ---- */
typedef struct idprov_status_msg {
	char *device_id;	/* "deviceID" */
	char *status;		/* "status" */
	char *ca_cert;		/* "caCert": plain PEM */
	char *client_cert;	/* "clientCert": base64 of PEM; NULL -> null */
} idprov_status_msg;

idprov_status idprov_status_msg_parse(const char *body, size_t len,
    idprov_status_msg *out, idprov_error *err);
char *idprov_status_msg_write(const idprov_status_msg *m, size_t *len_out);
void idprov_status_msg_free(idprov_status_msg *m);

/* ---- Error body: {"error":"..."} (ours) ---- */
char *idprov_error_body_write(const char *reason, size_t *len_out);

#endif
