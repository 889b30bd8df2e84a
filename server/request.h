/*
 * request.h - what the HTTP layer (http.c) hands to the application
 * (app.c and handlers/) and what it gets back.  The application never sees
 * a socket, a libevent object or an SSL*; it sees the request below.
 */
#ifndef IDPROVD_REQUEST_H
#define IDPROVD_REQUEST_H

#include <stddef.h>
#include <openssl/x509.h>

/* Who is calling, decided by the client certificate (WIRE.md
 * "Authorization by certificate").  The HTTP layer only fills peer_cert
 * with a certificate that verified against our CA during the handshake. */
typedef enum srv_role {
	SRV_ROLE_NONE = 0,	/* no client certificate */
	SRV_ROLE_DEVICE,	/* OU iotdevice; peer_cn is the deviceID */
	SRV_ROLE_ADMIN,		/* OU admin or plugin */
	SRV_ROLE_OTHER		/* a CA-signed certificate with no rights */
} srv_role;

typedef enum srv_method {
	SRV_METHOD_OTHER = 0,
	SRV_METHOD_GET,
	SRV_METHOD_HEAD,
	SRV_METHOD_POST
} srv_method;

typedef struct srv_request {
	srv_method method;
	const char *path;	/* decoded path, no query string */
	const char *query;	/* raw query string or NULL */
	const char *body;	/* not NUL-terminated; may contain NULs */
	size_t body_len;	/* <= IDPROV_MAX_BODY (the HTTP layer sends 413
				 * for more) */
	const char *peer_addr;	/* "192.0.2.1" or "::1", no port */
	srv_role role;
	const char *peer_cn;	/* client certificate CN or NULL */
	const char *peer_ou;	/* client certificate OU or NULL */
	X509 *peer_cert;	/* verified client certificate or NULL */
} srv_request;

typedef struct srv_response {
	int status;		/* HTTP status code */
	char *body;		/* malloc'd, freed by the HTTP layer */
	size_t body_len;
	const char *content_type;	/* static string; default JSON */
	/* for the request's log line */
	char device[65];	/* deviceID concerned, "" if none */
	char outcome[96];	/* "approved", "waiting", "bad-request: ..." */
} srv_response;

#endif
