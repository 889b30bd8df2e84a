/*
 * avahi_api.h - the Avahi functions discovery (discover.c) calls, reached
 * through one table so that a build may load libavahi-client only when a
 * discovery actually runs.
 *
 * Linked (the default): the table points at the functions libidprov is
 * linked with.  Loaded (IDPROV_AVAHI_DLOPEN, CMake option
 * IDPROV_DISCOVERY_DLOPEN): idpc_avahi_open() dlopen()s libavahi-client.so.3,
 * and with it D-Bus and libsystemd, when the process first discovers (it
 * then stays loaded), so a device given its server URL never maps them
 * (about 1.1 MB of resident memory; docs/footprint.md), and a device
 * without Avahi installed still provisions with --server.
 */
#ifndef IDPROV_CLIENT_AVAHI_API_H
#define IDPROV_CLIENT_AVAHI_API_H

#include <stddef.h>
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/strlst.h>

typedef struct idpc_avahi {
	void *handle;	/* the dlopen() handle; NULL when linked */
	AvahiSimplePoll *(*simple_poll_new)(void);
	void (*simple_poll_free)(AvahiSimplePoll *);
	const AvahiPoll *(*simple_poll_get)(AvahiSimplePoll *);
	int (*simple_poll_iterate)(AvahiSimplePoll *, int);
	void (*simple_poll_quit)(AvahiSimplePoll *);
	AvahiClient *(*client_new)(const AvahiPoll *, AvahiClientFlags,
	    AvahiClientCallback, void *, int *);
	void (*client_free)(AvahiClient *);
	int (*client_errno)(AvahiClient *);
	AvahiServiceBrowser *(*service_browser_new)(AvahiClient *,
	    AvahiIfIndex, AvahiProtocol, const char *, const char *,
	    AvahiLookupFlags, AvahiServiceBrowserCallback, void *);
	AvahiClient *(*service_browser_get_client)(AvahiServiceBrowser *);
	AvahiServiceResolver *(*service_resolver_new)(AvahiClient *,
	    AvahiIfIndex, AvahiProtocol, const char *, const char *,
	    const char *, AvahiProtocol, AvahiLookupFlags,
	    AvahiServiceResolverCallback, void *);
	int (*service_resolver_free)(AvahiServiceResolver *);
	const char *(*error_string)(int);
	char *(*address_snprint)(char *, size_t, const AvahiAddress *);
	AvahiStringList *(*string_list_find)(AvahiStringList *, const char *);
	int (*string_list_get_pair)(AvahiStringList *, char **, char **,
	    size_t *);
	void (*mem_free)(void *);
} idpc_avahi;

/*
 * Fill *a; 0 on success.  On failure (loaded builds only: the library or
 * one of its functions is missing) why receives one sentence.
 */
int idpc_avahi_open(idpc_avahi *a, char *why, size_t why_len);

/* Let go of the table (the library itself stays loaded); safe on a
 * zeroed table. */
void idpc_avahi_close(idpc_avahi *a);

#endif
