/*
 * dnssd.c - publish idprovd as _idprov._tcp through avahi-daemon.
 *
 * Everything Avahi does happens on its own threaded poll, so callbacks run
 * on that thread and the HTTP workers never wait for the daemon.  The
 * client is made with AVAHI_CLIENT_NO_FAIL: when no daemon runs it waits
 * for one instead of failing, and when the daemon goes away (restart) we
 * make a fresh client that publishes again once the daemon is back.
 */
#include "dnssd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>
#include <avahi-common/timeval.h>

#include <idprov/discover.h>

#define DNSSD_DIRECTORY_PATH "/idprov/directory"
#define DNSSD_TXT_PATH "path=" DNSSD_DIRECTORY_PATH

struct srv_dnssd {
	AvahiThreadedPoll *poll;
	AvahiClient *client;	/* NULL only while being replaced */
	AvahiEntryGroup *group;	/* made once the daemon runs */
	char *name;		/* current instance name (avahi_malloc'd) */
	unsigned short port;
	int published_logged;	/* the "published as" line was written */
	int log_info;		/* log level is info or more */
};

/* One line per event, "idprovd: LEVEL: dnssd: ...", like server/log.h's
 * (which needs the server's srv_log, not passed to srv_dnssd_start). */
static void dnssd_log(const char *level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void dnssd_log(const char *level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* As the server's log does: one line, whatever the name holds. */
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "idprovd: %s: dnssd: %s\n", level, line);
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata);

/* Take the next name ("idprov #2", ...) after a collision. */
static void take_alternative_name(srv_dnssd *d)
{
	char *next = avahi_alternative_service_name(d->name);

	if (next == NULL)
		return;		/* out of memory: keep trying the old name */
	dnssd_log("warn", "instance name \"%s\" is already in use on the "
	    "network; trying \"%s\"", d->name, next);
	avahi_free(d->name);
	d->name = next;
	d->published_logged = 0;
}

static void publish(srv_dnssd *d, AvahiClient *c);

static void group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state,
    void *userdata)
{
	srv_dnssd *d = userdata;

	switch (state) {
	case AVAHI_ENTRY_GROUP_ESTABLISHED:
		if (!d->published_logged && d->log_info) {
			dnssd_log("info", "published \"%s\" %s port %u TXT %s",
			    d->name, IDPROV_SERVICE_TYPE, d->port,
			    DNSSD_TXT_PATH);
			d->published_logged = 1;
		}
		break;
	case AVAHI_ENTRY_GROUP_COLLISION:
		/* Someone else on the link probed the same name first. */
		take_alternative_name(d);
		avahi_entry_group_reset(g);
		publish(d, avahi_entry_group_get_client(g));
		break;
	case AVAHI_ENTRY_GROUP_FAILURE:
		dnssd_log("error", "publishing \"%s\" failed: %s", d->name,
		    avahi_strerror(avahi_client_errno(
		    avahi_entry_group_get_client(g))));
		break;
	case AVAHI_ENTRY_GROUP_UNCOMMITED:
	case AVAHI_ENTRY_GROUP_REGISTERING:
		break;
	}
}

/* Add the service to the (empty) entry group and commit it. */
static void publish(srv_dnssd *d, AvahiClient *c)
{
	int tries, ret = AVAHI_OK;

	if (d->group == NULL) {
		d->group = avahi_entry_group_new(c, group_cb, d);
		if (d->group == NULL) {
			dnssd_log("error", "cannot create an Avahi entry "
			    "group: %s", avahi_strerror(avahi_client_errno(c)));
			return;
		}
	}
	if (!avahi_entry_group_is_empty(d->group))
		return;		/* already published or being probed */

	/* A local collision (same name on this very daemon) is reported
	 * here at once rather than through group_cb; bounded retries. */
	for (tries = 0; tries < 100; tries++) {
		ret = avahi_entry_group_add_service(d->group, AVAHI_IF_UNSPEC,
		    AVAHI_PROTO_UNSPEC, 0, d->name, IDPROV_SERVICE_TYPE, NULL,
		    NULL, d->port, DNSSD_TXT_PATH, NULL);
		if (ret != AVAHI_ERR_COLLISION)
			break;
		take_alternative_name(d);
	}
	if (ret < 0) {
		dnssd_log("error", "cannot add service \"%s\": %s", d->name,
		    avahi_strerror(ret));
		return;
	}
	ret = avahi_entry_group_commit(d->group);
	if (ret < 0)
		dnssd_log("error", "cannot commit service \"%s\": %s",
		    d->name, avahi_strerror(ret));
}

#define DNSSD_RETRY_SEC 5	/* how often to look for a D-Bus that was missing */

static void reconnect_cb(AvahiTimeout *t, void *userdata);

static void schedule_reconnect(srv_dnssd *d, unsigned delay_sec)
{
	const AvahiPoll *api = avahi_threaded_poll_get(d->poll);
	struct timeval when;

	if (api->timeout_new(api, avahi_elapse_time(&when, delay_sec * 1000,
	    0), reconnect_cb, d) == NULL)
		dnssd_log("error", "cannot schedule the reconnection to "
		    "avahi-daemon; the service stays unpublished");
}

/*
 * Make a fresh client.  Used when the daemon went away (the old client is
 * dead for good; the new one waits for the daemon thanks to
 * AVAHI_CLIENT_NO_FAIL and publishes when it is back) and when not even
 * the system bus could be reached (then we simply try again later).  Runs
 * from a timeout rather than inside client_cb so the old client is never
 * freed from within its own callback.
 */
static void reconnect_cb(AvahiTimeout *t, void *userdata)
{
	srv_dnssd *d = userdata;
	const AvahiPoll *api = avahi_threaded_poll_get(d->poll);
	int error = 0;

	api->timeout_free(t);
	if (d->client != NULL)
		avahi_client_free(d->client);	/* frees d->group too */
	d->client = NULL;
	d->group = NULL;
	d->published_logged = 0;
	d->client = avahi_client_new(api, AVAHI_CLIENT_NO_FAIL, client_cb, d,
	    &error);
	if (d->client == NULL)
		schedule_reconnect(d, DNSSD_RETRY_SEC);
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
	srv_dnssd *d = userdata;

	switch (state) {
	case AVAHI_CLIENT_S_RUNNING:
		publish(d, c);
		break;
	case AVAHI_CLIENT_S_COLLISION:
	case AVAHI_CLIENT_S_REGISTERING:
		/* The host name is being (re)registered: withdraw until the
		 * daemon says RUNNING again, then publish anew. */
		if (d->group != NULL)
			avahi_entry_group_reset(d->group);
		break;
	case AVAHI_CLIENT_FAILURE:
		if (avahi_client_errno(c) == AVAHI_ERR_DISCONNECTED) {
			dnssd_log("warn", "avahi-daemon went away; the service "
			    "is published again when it returns");
			schedule_reconnect(d, 0);
		} else {
			dnssd_log("error", "Avahi client failed: %s",
			    avahi_strerror(avahi_client_errno(c)));
		}
		break;
	case AVAHI_CLIENT_CONNECTING:
		break;
	}
}

idprov_status srv_dnssd_start(const srv_config *cfg, unsigned short port,
    srv_dnssd **out, idprov_error *err)
{
	srv_dnssd *d = NULL;
	const char *name;
	int error = 0;
	idprov_status st = IDPROV_OK;

	*out = NULL;
	if (!cfg->dnssd_enable)
		return IDPROV_OK;	/* publishing switched off: nothing runs */
	name = cfg->dnssd_name[0] != '\0' ? cfg->dnssd_name : "idprov";
	if (!avahi_is_valid_service_name(name)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID, "dnssd name "
		    "\"%s\" is not a valid DNS-SD instance name (1 to 63 bytes)",
		    name);
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory "
		    "starting DNS-SD");
		goto out;
	}
	d->port = port;
	d->log_info = cfg->log_level >= 2;
	d->name = avahi_strdup(name);
	d->poll = avahi_threaded_poll_new();
	if (d->name == NULL || d->poll == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory "
		    "starting DNS-SD");
		goto out;
	}
	/* The poll thread is not running yet, so the callbacks that
	 * avahi_client_new makes run here, on this thread. */
	d->client = avahi_client_new(avahi_threaded_poll_get(d->poll),
	    AVAHI_CLIENT_NO_FAIL, client_cb, d, &error);
	if (d->client == NULL ||
	    avahi_client_get_state(d->client) == AVAHI_CLIENT_CONNECTING) {
		if (cfg->dnssd_required) {
			st = idprov_error_set(err, IDPROV_ERR_NETWORK, "no "
			    "avahi-daemon answers on the system bus (%s) and "
			    "DNS-SD is required (dnssd required / "
			    "--dnssd-required)", d->client == NULL ?
			    avahi_strerror(error) : "not running");
			goto out;
		}
		dnssd_log("warn", "no avahi-daemon answers; serving without "
		    "DNS-SD, and publishing \"%s\" once one starts", d->name);
		/* Without even a system bus the client could not be made:
		 * look again from time to time. */
		if (d->client == NULL)
			schedule_reconnect(d, DNSSD_RETRY_SEC);
	}
	if (avahi_threaded_poll_start(d->poll) < 0) {
		st = idprov_error_set(err, IDPROV_ERR_NETWORK, "cannot start "
		    "the Avahi poll thread");
		goto out;
	}
	*out = d;
	d = NULL;
out:
	if (d != NULL) {
		if (d->client != NULL)
			avahi_client_free(d->client);
		if (d->poll != NULL)
			avahi_threaded_poll_free(d->poll);
		avahi_free(d->name);
		free(d);
	}
	return st;
}

void srv_dnssd_stop(srv_dnssd *d)
{
	if (d == NULL)
		return;
	avahi_threaded_poll_stop(d->poll);
	/* Freeing the group makes the daemon send goodbye packets, so
	 * browsers drop the entry at once instead of at TTL expiry. */
	if (d->group != NULL)
		avahi_entry_group_free(d->group);
	if (d->client != NULL)
		avahi_client_free(d->client);
	avahi_threaded_poll_free(d->poll);
	avahi_free(d->name);
	free(d);
}
