/*
 * http.h - idprovd's HTTPS layer: libevent's evhttp over
 * bufferevent_openssl, one worker thread per core, each with its own
 * event base and its own SO_REUSEPORT listening socket per address.
 * It turns each request into a srv_request, asks the application
 * (srv_app_handle) and writes the srv_response back.
 *
 * Bounds: a request (TLS handshake included for the first one) must be
 * read within read_timeout of its first byte (of the connection for the
 * first), a keep-alive connection may stay idle idle_timeout, bodies over
 * IDPROV_MAX_BODY get 413, and beyond max_connections new connections are
 * closed at once.
 */
#ifndef IDPROVD_HTTP_H
#define IDPROVD_HTTP_H

#include <stddef.h>
#include <openssl/ssl.h>

#include "app.h"
#include "config.h"
#include "log.h"
#include "../lib/core/error.h"

typedef struct srv_http srv_http;

/*
 * Bind every listening socket (nothing is accepted yet) and prepare the
 * workers.  Takes ownership of ctx, also on failure.  "address already in
 * use" and the like come back as one sentence naming the address.
 */
idprov_status srv_http_new(const srv_config *cfg, srv_app *app,
    srv_log *lg, SSL_CTX *ctx, srv_http **out, idprov_error *err);

/* Start the worker threads: from here on connections are served. */
idprov_status srv_http_start(srv_http *h, idprov_error *err);

/* "127.0.0.1:43776" or "[::1]:43776": the first listener, actual port. */
void srv_http_first_address(const srv_http *h, char *out, size_t outsz);
unsigned short srv_http_port(const srv_http *h);

/* New connections use ctx from now on (takes ownership); open ones keep
 * theirs.  Thread-safe. */
void srv_http_set_tls(srv_http *h, SSL_CTX *ctx);

/* Timeouts and the connection cap from cfg (SIGHUP). Thread-safe. */
void srv_http_set_limits(srv_http *h, const srv_config *cfg);

/* Stop accepting, let requests in flight finish (each bounded by its
 * timeouts), close idle connections, and join the workers. */
void srv_http_stop(srv_http *h);

/* After srv_http_stop (or when never started). NULL is fine. */
void srv_http_free(srv_http *h);

#endif
