/*
 * client.h - what the files of the device library share: the handle and
 * the internal steps.  Not installed; the public API is idprov/idprov.h.
 */
#ifndef IDPROV_CLIENT_CLIENT_H
#define IDPROV_CLIENT_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <idprov/idprov.h>
#include "lib/core/error.h"

#define IDPC_URL_MAX 1024
#define IDPC_DEFAULT_TIMEOUT 20
#define IDPC_MIN_REQUEST_MS 1000
#define IDPC_DEFAULT_RETRY 30	/* Waiting without a retrySec */
#define IDPC_MAX_WAITING_RETRY 3600	/* the longest unsigned retrySec obeyed */
#define IDPC_BACKOFF_FIRST 1
#define IDPC_BACKOFF_MAX 60
#define IDPC_JITTER_PCT 20

struct idprov_client {
	char *device_id;
	char *state_dir;
	char *path_key;		/* state_dir/key.pem */
	char *path_key_next;	/* state_dir/key.next.pem (rotation) */
	char *path_cert;	/* state_dir/cert.pem */
	char *path_ca;		/* state_dir/ca.pem */
	char *path_url;		/* state_dir/server.url */
	/* An approval staged before it is put in place (state.h) */
	char *path_ca_new;	/* state_dir/.ca.pem.new */
	char *path_url_new;	/* state_dir/.server.url.new */
	char *path_cert_new;	/* state_dir/.cert.pem.new: the commit point */
	char server_set[IDPC_URL_MAX];	/* idprov_client_set_server, or "" */
	char server_used[IDPC_URL_MAX];	/* what the last call used */
	long timeout_sec;
	/* The deadline of the provisioning in progress (0: none): no exchange
	 * may outlast it (idpc_request_timeout_ms). */
	time_t deadline;
	long retry_hint;
	const volatile sig_atomic_t *stop;
	idprov_error err;
};

/* Pick the server URL: set, else server.url, else DNS-SD. */
idprov_status idpc_resolve_server(idprov_client *c);

/* Sleep `seconds`, in slices, returning early (IDPROV_ERR_TIMEOUT) when
 * the stop flag is raised. */
idprov_status idpc_sleep(idprov_client *c, double seconds);

/* Milliseconds left before c->deadline (negative once past), LLONG_MAX
 * without a deadline. */
long long idpc_ms_left(const idprov_client *c);

/* The timeout of the next HTTPS exchange, ms: the per-request timeout,
 * cut to the time left before c->deadline but never under
 * IDPC_MIN_REQUEST_MS, so an exchange begun at the deadline still gets
 * its one try. */
long idpc_request_timeout_ms(const idprov_client *c);

/* 1 when the caller asked to stop. */
int idpc_stopped(const idprov_client *c);

#endif
