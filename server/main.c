/*
 * main.c - idprovd: read the settings, open the application, listen,
 * publish by DNS-SD, then wait for signals.  SIGTERM/SIGINT stop
 * gracefully, SIGHUP reloads the configuration file and the server
 * certificate.  Exit codes: 0 clean stop, 1 cannot start, 2 bad flags.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "app.h"
#include "config.h"
#include "config_load.h"
#include "dnssd.h"
#include "http.h"
#include "log.h"
#include "tls.h"
#include "../lib/core/fileio.h"

#ifndef IDPROV_VERSION
#define IDPROV_VERSION "0.1.0"
#endif

/* Everything the process holds, in one place. */
typedef struct srv_main {
	int argc;
	char **argv;
	srv_config *cfg;	/* the settings in force */
	srv_log log;
	srv_app *app;
	srv_http *http;
	srv_dnssd *dnssd;
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup;
} srv_main;

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	srv_main *m = arg;

	(void)what;
	srv_logf(&m->log, SRV_LOG_INFO, "%s: finishing requests in flight, "
	    "then exiting", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopbreak(m->base);
}

/* Build everything new first; swap only when all of it worked, so a bad
 * reload leaves the server exactly as it was. */
static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	srv_main *m = arg;
	srv_config *cfg;
	srv_cfg_action action;
	idprov_error err;
	SSL_CTX *ctx = NULL;

	(void)sig;
	(void)what;
	idprov_error_clear(&err);
	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		srv_logf(&m->log, SRV_LOG_ERROR, "reload failed: out of memory; "
		    "keeping the running settings");
		return;
	}
	if (srv_config_from_args(cfg, m->argc, m->argv, &action, &err) != 0 ||
	    srv_tls_ctx_new(cfg, &ctx, &err) != IDPROV_OK ||
	    srv_app_reload(m->app, cfg, &err) != IDPROV_OK) {
		srv_logf(&m->log, SRV_LOG_ERROR, "reload failed: %s; keeping the "
		    "running settings", err.msg);
		SSL_CTX_free(ctx);
		free(cfg);
		return;
	}
	srv_http_set_tls(m->http, ctx);
	srv_http_set_limits(m->http, cfg);
	srv_log_set_level(&m->log, cfg->log_level);
	if (cfg->n_listen != m->cfg->n_listen || cfg->workers != m->cfg->workers)
		srv_logf(&m->log, SRV_LOG_WARN, "listen addresses and workers "
		    "change only with a restart");
	free(m->cfg);
	m->cfg = cfg;
	srv_logf(&m->log, SRV_LOG_INFO, "reloaded the configuration and the "
	    "server certificate %s", cfg->server_cert);
}

static int
write_ready_file(srv_main *m, idprov_error *err)
{
	char line[320];
	size_t n;

	srv_http_first_address(m->http, line, sizeof(line) - 1);
	n = strlen(line);
	line[n++] = '\n';
	return idprov_file_write_atomic(m->cfg->ready_file, line, n, 0644,
	    err) == IDPROV_OK ? 0 : -1;
}

static int
start(srv_main *m)
{
	idprov_error err;
	SSL_CTX *ctx = NULL;
	char addr[320];

	idprov_error_clear(&err);
	if (srv_tls_ctx_new(m->cfg, &ctx, &err) != IDPROV_OK)
		goto fail;
	if (srv_app_open(&m->app, m->cfg, &err) != IDPROV_OK) {
		SSL_CTX_free(ctx);
		goto fail;
	}
	if (srv_http_new(m->cfg, m->app, &m->log, ctx, &m->http, &err) !=
	    IDPROV_OK)
		goto fail;
	if ((m->base = event_base_new()) == NULL) {
		idprov_error_set(&err, IDPROV_ERR_NOMEM, "cannot create the "
		    "main event loop");
		goto fail;
	}
	m->sig_term = evsignal_new(m->base, SIGTERM, on_stop, m);
	m->sig_int = evsignal_new(m->base, SIGINT, on_stop, m);
	m->sig_hup = evsignal_new(m->base, SIGHUP, on_reload, m);
	if (m->sig_term == NULL || m->sig_int == NULL || m->sig_hup == NULL ||
	    evsignal_add(m->sig_term, NULL) != 0 ||
	    evsignal_add(m->sig_int, NULL) != 0 ||
	    evsignal_add(m->sig_hup, NULL) != 0) {
		idprov_error_set(&err, IDPROV_ERR_NOMEM, "cannot catch signals");
		goto fail;
	}
	if (srv_http_start(m->http, &err) != IDPROV_OK)
		goto fail;
	/* Published (or, without --dnssd-required, tried) before the line
	 * that says the server is up: a start that fails says only why. */
	if (m->cfg->dnssd_enable &&
	    srv_dnssd_start(m->cfg, srv_http_port(m->http), &m->dnssd, &err) !=
	    IDPROV_OK)
		goto fail;
	srv_http_first_address(m->http, addr, sizeof(addr));
	srv_logf(&m->log, SRV_LOG_INFO, "listening on %s (%zu address%s), "
	    "CA %s, database %s", addr, m->cfg->n_listen > 0 ?
	    m->cfg->n_listen : 2, m->cfg->n_listen == 1 ? "" : "es",
	    m->cfg->ca_cert, m->cfg->db_path);
	if (m->cfg->ready_file[0] != '\0' && write_ready_file(m, &err) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "idprovd: %s\n", err.msg[0] != '\0' ? err.msg :
	    "cannot start");
	return 1;
}

static void
finish(srv_main *m)
{
	srv_http_stop(m->http);
	srv_dnssd_stop(m->dnssd);
	srv_http_free(m->http);
	srv_app_close(m->app);
	if (m->sig_term != NULL)
		event_free(m->sig_term);
	if (m->sig_int != NULL)
		event_free(m->sig_int);
	if (m->sig_hup != NULL)
		event_free(m->sig_hup);
	if (m->base != NULL)
		event_base_free(m->base);
	free(m->cfg);
}

int
main(int argc, char **argv)
{
	srv_main m;
	srv_cfg_action action;
	idprov_error err;
	int rc;

	memset(&m, 0, sizeof(m));
	m.argc = argc;
	m.argv = argv;
	/* A client that hangs up mid-write must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	idprov_error_clear(&err);
	if ((m.cfg = malloc(sizeof(*m.cfg))) == NULL) {
		fprintf(stderr, "idprovd: out of memory\n");
		return 1;
	}
	rc = srv_config_from_args(m.cfg, argc, argv, &action, &err);
	if (rc != 0) {
		fprintf(stderr, "idprovd: %s\n", err.msg);
		free(m.cfg);
		return rc;
	}
	if (action == SRV_CFG_HELP) {
		srv_config_usage(stdout);
		free(m.cfg);
		return 0;
	}
	if (action == SRV_CFG_VERSION) {
		printf("idprovd %s\n", IDPROV_VERSION);
		free(m.cfg);
		return 0;
	}
	srv_log_init(&m.log, m.cfg->log_level);
	if (evthread_use_pthreads() != 0) {
		fprintf(stderr, "idprovd: libevent has no thread support\n");
		free(m.cfg);
		return 1;
	}
	rc = start(&m);
	if (rc == 0)
		event_base_dispatch(m.base);
	finish(&m);
	if (rc == 0)
		srv_logf(&m.log, SRV_LOG_INFO, "stopped");
	return rc;
}
