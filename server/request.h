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

/*
 * An answer that comes later.  A handler that hands its work to another
 * thread (issue_writer.h) calls srv_later_take and returns; the HTTP
 * layer keeps the request open.  When the work is done, any thread calls
 * srv_later_ready, and `finish` runs on the request's own worker thread,
 * with the handler's srv_response to complete; the answer then goes out
 * as for any request.  A srv_request whose `later` is NULL (a handler
 * called directly, as in the unit tests) cannot wait: srv_later_take
 * returns NULL and the handler does the work itself.
 */
struct srv_response;
typedef void (*srv_later_fn)(void *arg, struct srv_response *resp);

/* The HTTP layer's own structures begin with these. */
typedef struct srv_later {
	void (*ready)(struct srv_later *self);
} srv_later;
typedef struct srv_later_slot {
	srv_later *(*take)(struct srv_later_slot *self, srv_later_fn finish,
	    void *arg);
} srv_later_slot;

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
	srv_later_slot *later;	/* NULL: the answer cannot wait */
} srv_request;

typedef struct srv_response {
	int status;		/* HTTP status code */
	char *body;		/* malloc'd, freed by the HTTP layer */
	size_t body_len;
	const char *content_type;	/* static string; default JSON */
	const char *allow;	/* static string: the Allow header of a 405 */
	/* for the request's log line */
	char device[65];	/* deviceID concerned, "" if none */
	char outcome[96];	/* "approved", "waiting", "bad-request: ..." */
} srv_response;

/* NULL when req cannot wait (or out of memory): answer now. */
static inline srv_later *
srv_later_take(const srv_request *req, srv_later_fn finish, void *arg)
{
	return req->later != NULL ? req->later->take(req->later, finish,
	    arg) : NULL;
}

/* From any thread, once: finish(arg, resp) will run and answer. */
static inline void
srv_later_ready(srv_later *l)
{
	l->ready(l);
}

#endif
