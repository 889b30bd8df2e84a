/*
 * app_ctx.h - the application context shared by app.c and the handlers.
 *
 * Everything mutable the server keeps lives here (no globals).  Settings
 * that SIGHUP may change are copied into `set` and read under `set_lock`;
 * the OOB store, the registry and the issuer guard themselves.
 */
#ifndef IDPROVD_APP_CTX_H
#define IDPROVD_APP_CTX_H

#include <pthread.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "app.h"
#include "config.h"
#include "request.h"

struct srv_oob_store;
struct srv_registry;
struct srv_issuer;
struct srv_issue_writer;

/* What srv_app_reload may change. */
typedef struct srv_settings {
	long cert_validity_sec;
	long retry_sec;
	long oob_default_sec;
	long oob_max_sec;
	int lockout_after;
	long crl_days;
	int renew_unknown;	/* renew_unknown_certificates */
} srv_settings;

struct srv_app {
	pthread_rwlock_t set_lock;	/* guards set and directory */
	srv_settings set;
	char *directory;		/* the cached directory body */
	size_t directory_len;

	struct srv_oob_store *oob;
	struct srv_registry *reg;
	struct srv_issuer *issuer;
	/* Commits issued certificates in batches (issue_writer.h). */
	struct srv_issue_writer *writer;

	pthread_mutex_t crl_lock;	/* guards crl, and orders rebuilds */
	unsigned char *crl;		/* the current CRL, DER */
	size_t crl_len;
	/* The same CRL parsed, for the per-request check of the client
	 * certificate (srv_app_handle); NULL when it lists nothing.  Read
	 * under crl_parsed_lock, which a rebuild holds only to swap it. */
	pthread_rwlock_t crl_parsed_lock;
	X509_CRL *crl_parsed;
};

/* A consistent copy of the current settings. */
void srv_app_settings(srv_app *app, srv_settings *out);

/* Build and sign a new CRL from the registry and make it current. */
idprov_status srv_app_refresh_crl(srv_app *app, idprov_error *err);

#endif
