/*
 * client.c - the idprov_client handle: creation, settings, the saved
 * certificate, and choosing the server.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>

#include "backoff.h"
#include "client.h"
#include "state.h"
#include "url.h"
#include "lib/core/crypto.h"
#include "lib/core/validate.h"
#ifdef IDPROV_HAVE_DISCOVER
#include <idprov/discover.h>
#define DISCOVER_TIMEOUT_MS 5000
#endif

/* No deviceID given: the one the saved certificate was issued to. */
static idprov_status
device_id_from_cert(idprov_client *c)
{
	X509 *cert = NULL;
	idprov_cert_info ci;
	idprov_status st;

	st = idpc_state_recover(c);
	if (st != IDPROV_OK)
		return st;
	st = idpc_state_load_cert(c, &cert);
	if (st == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, IDPROV_ERR_NOT_FOUND,
		    "this device is not provisioned: there is no %s (to "
		    "take the deviceID from)", c->path_cert);
	if (st != IDPROV_OK)
		return st;
	st = idprov_cert_get_info(cert, &ci, &c->err);
	X509_free(cert);
	if (st != IDPROV_OK)
		return st;
	st = idprov_validate_device_id(ci.cn, &c->err);
	if (st != IDPROV_OK)
		return idprov_error_set(&c->err, st, "the CN of %s is not a "
		    "valid deviceID", c->path_cert);
	c->device_id = strdup(ci.cn);
	if (c->device_id == NULL)
		return idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
	return IDPROV_OK;
}

idprov_status
idprov_client_new(idprov_client **out, const char *device_id,
    const char *state_dir)
{
	idprov_client *c;
	idprov_status st;

	if (out == NULL)
		return IDPROV_ERR_INVALID;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return IDPROV_ERR_NOMEM;
	*out = c;
	c->timeout_sec = IDPC_DEFAULT_TIMEOUT;
	/* curl counts its users; each client pairs this with a cleanup. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "libcurl could not be initialized");
	if (state_dir == NULL || state_dir[0] == '\0')
		return idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "the state folder is missing");
	c->state_dir = strdup(state_dir);
	if (c->state_dir == NULL)
		return idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
	st = idpc_state_paths(c);
	if (st != IDPROV_OK)
		return st;
	if (device_id == NULL)
		return device_id_from_cert(c);
	st = idprov_validate_device_id(device_id, &c->err);
	if (st != IDPROV_OK)
		return st;
	c->device_id = strdup(device_id);
	if (c->device_id == NULL)
		return idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
	return IDPROV_OK;
}

void
idprov_client_free(idprov_client *c)
{
	if (c == NULL)
		return;
	free(c->device_id);
	free(c->state_dir);
	free(c->path_key);
	free(c->path_key_next);
	free(c->path_cert);
	free(c->path_ca);
	free(c->path_url);
	free(c->path_ca_new);
	free(c->path_url_new);
	free(c->path_cert_new);
	free(c);
	curl_global_cleanup();
}

const char *
idprov_client_errmsg(const idprov_client *c)
{
	if (c == NULL)
		return "no client (out of memory?)";
	return c->err.msg;
}

idprov_status
idprov_client_set_server(idprov_client *c, const char *url)
{
	char dir[IDPC_URL_MAX];
	idprov_status st;

	idprov_error_clear(&c->err);
	if (url == NULL) {
		c->server_set[0] = '\0';
		return IDPROV_OK;
	}
	st = idpc_url_directory(url, dir, sizeof(dir), &c->err);
	if (st != IDPROV_OK)
		return st;
	snprintf(c->server_set, sizeof(c->server_set), "%s", url);
	return IDPROV_OK;
}

const char *
idprov_client_server(const idprov_client *c)
{
	return c->server_used;
}

idprov_status
idprov_client_set_timeout(idprov_client *c, long seconds)
{
	idprov_error_clear(&c->err);
	if (seconds < 1 || seconds > 3600)
		return idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "the timeout must be 1 to 3600 seconds");
	c->timeout_sec = seconds;
	return IDPROV_OK;
}

void
idprov_client_set_stop_flag(idprov_client *c,
    const volatile sig_atomic_t *flag)
{
	c->stop = flag;
}

long
idprov_client_retry_hint(const idprov_client *c)
{
	return c->retry_hint;
}

const char *
idprov_client_path(const idprov_client *c, idprov_file which)
{
	switch (which) {
	case IDPROV_FILE_KEY:
		return c->path_key;
	case IDPROV_FILE_CERT:
		return c->path_cert;
	case IDPROV_FILE_CA:
		return c->path_ca;
	}
	return NULL;
}

idprov_status
idprov_client_cert_summary(idprov_client *c, idprov_cert_summary *out)
{
	X509 *cert = NULL;
	idprov_cert_info ci;
	struct stat sb;
	time_t start;
	idprov_status st;

	idprov_error_clear(&c->err);
	memset(out, 0, sizeof(*out));
	st = idpc_state_recover(c);
	if (st != IDPROV_OK)
		return st;
	st = idpc_state_load_cert(c, &cert);
	if (st != IDPROV_OK)
		return st;
	st = idprov_cert_get_info(cert, &ci, &c->err);
	X509_free(cert);
	if (st != IDPROV_OK)
		return st;
	memcpy(out->subject_cn, ci.cn, sizeof(out->subject_cn));
	memcpy(out->subject_ou, ci.ou, sizeof(out->subject_ou));
	memcpy(out->issuer_cn, ci.issuer_cn, sizeof(out->issuer_cn));
	memcpy(out->serial_hex, ci.serial_hex, sizeof(out->serial_hex));
	out->not_before = ci.not_before;
	out->not_after = ci.not_after;
	/* Servers backdate notBefore a little; the certificate's life for
	 * us began when we saved it, which matters for short lifetimes. */
	start = ci.not_before;
	if (stat(c->path_cert, &sb) == 0 && sb.st_mtime > start &&
	    sb.st_mtime < ci.not_after)
		start = sb.st_mtime;
	out->renew_at = (time_t)idpc_renew_point(start, ci.not_after);
	/* A hint from the server that issued it this session wins, unless it
	 * would let the certificate lapse. */
	if (c->retry_hint > 0 && start + c->retry_hint < ci.not_after)
		out->renew_at = start + c->retry_hint;
	return IDPROV_OK;
}

idprov_status
idprov_client_cert_expiry(idprov_client *c, time_t *not_after)
{
	idprov_cert_summary s;
	idprov_status st = idprov_client_cert_summary(c, &s);

	*not_after = st == IDPROV_OK ? s.not_after : 0;
	return st;
}

long long
idpc_ms_left(const idprov_client *c)
{
	struct timespec now;

	if (c->deadline == 0)
		return LLONG_MAX;
	/* The deadline is wall-clock time (a time_t the caller gave); time()
	 * may lag CLOCK_REALTIME by a tick, so measure with the latter. */
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return 0;
	/* Deadlines far off either way must not overflow the product. */
	if ((long long)c->deadline > LLONG_MAX / 1000 + (long long)now.tv_sec)
		return LLONG_MAX;
	if ((long long)c->deadline < (long long)now.tv_sec)
		return -1000;
	return ((long long)c->deadline - (long long)now.tv_sec) * 1000 -
	    now.tv_nsec / 1000000;
}

long
idpc_request_timeout_ms(const idprov_client *c)
{
	long long left_ms = idpc_ms_left(c);
	long long full_ms = (long long)c->timeout_sec * 1000;

	if (left_ms < IDPC_MIN_REQUEST_MS)
		left_ms = IDPC_MIN_REQUEST_MS;
	return (long)(left_ms < full_ms ? left_ms : full_ms);
}

int
idpc_stopped(const idprov_client *c)
{
	return c->stop != NULL && *c->stop;
}

idprov_status
idpc_sleep(idprov_client *c, double seconds)
{
	struct timespec ts;
	double slice;

	while (seconds > 0) {
		if (idpc_stopped(c))
			return idprov_error_set(&c->err, IDPROV_ERR_TIMEOUT,
			    "stopped on request");
		/* Slices bound the delay of a stop that lands just before
		 * nanosleep (a signal there would not interrupt it). */
		slice = seconds < 0.5 ? seconds : 0.5;
		ts.tv_sec = (time_t)slice;
		ts.tv_nsec = (long)((slice - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			break;
		seconds -= slice;
	}
	if (idpc_stopped(c))
		return idprov_error_set(&c->err, IDPROV_ERR_TIMEOUT,
		    "stopped on request");
	return IDPROV_OK;
}

#ifdef IDPROV_HAVE_DISCOVER
static idprov_status
discover(idprov_client *c)
{
	idprov_found_server *found = NULL;
	size_t n = 0;
	char why[IDPROV_ERROR_MAX] = "";
	idprov_status st;

	st = idprov_discover(DISCOVER_TIMEOUT_MS, &found, &n, why,
	    sizeof(why));
	if (st == IDPROV_OK && n == 0)
		st = IDPROV_ERR_NOT_FOUND;
	if (st != IDPROV_OK) {
		free(found);
		return idprov_error_set(&c->err, st, "no server set and none "
		    "found by DNS-SD%s%s", why[0] ? ": " : "", why);
	}
	/* The first answer; a network with several servers needs --server. */
	snprintf(c->server_used, sizeof(c->server_used), "%s", found[0].url);
	free(found);
	return IDPROV_OK;
}
#endif

idprov_status
idpc_resolve_server(idprov_client *c)
{
	idprov_status st;

	if (c->server_set[0] != '\0') {
		snprintf(c->server_used, sizeof(c->server_used), "%s",
		    c->server_set);
		return IDPROV_OK;
	}
	st = idpc_state_load_url(c, c->server_used, sizeof(c->server_used));
	/* A server.url that cannot be read (a pipe, a folder) is a damaged
	 * state folder, said as such rather than hidden behind discovery. */
	if (st == IDPROV_OK || st == IDPROV_ERR_IO)
		return st;
	idprov_error_clear(&c->err);
	c->server_used[0] = '\0';
#ifdef IDPROV_HAVE_DISCOVER
	return discover(c);
#else
	return idprov_error_set(&c->err, IDPROV_ERR_STATE, "no server set "
	    "and discovery unavailable: give the server URL");
#endif
}
