/*
 * discover.c - find IDProv servers by DNS-SD through avahi-daemon
 * (WIRE.md "Discovery").
 *
 * One private AvahiSimplePoll per call, driven by hand until a deadline,
 * so the call never blocks longer than the caller allows and keeps no
 * state between calls.  Every (interface, protocol) the browser reports is
 * resolved in that same protocol, so a server reachable over IPv4 and IPv6
 * is returned once per address; identical URLs are returned once.
 * Avahi is called through the table of avahi_api.h (linked, or loaded on
 * the first call).
 */
#include <idprov/discover.h>

#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avahi_api.h"

#define DISCOVER_DEFAULT_PATH "/idprov/directory"
#define DISCOVER_MAX_SERVERS 256	/* bound on what a busy link can make us keep */

typedef struct discover_run {
	idpc_avahi av;
	AvahiSimplePoll *poll;
	idprov_found_server *found;
	size_t n_found;
	size_t cap;
	int pending;		/* resolvers not answered yet */
	int all_for_now;	/* the browser has reported its first sweep */
	int failed;		/* the daemon went away or the browser failed */
	int nomem;
	char failure[160];
} discover_run;

static void set_err(char *errbuf, size_t errbuf_len, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void set_err(char *errbuf, size_t errbuf_len, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errbuf_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errbuf_len, fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A TXT path is used only if it is an absolute path of URL-safe printable
 * characters that fits; anything else is ignored so a hostile announcement
 * cannot smuggle a host, a query or a second line into the URL.
 */
static int path_is_acceptable(const char *v, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len >= max || v[0] != '/')
		return 0;
	if (len >= 2 && v[1] == '/')
		return 0;	/* "//host/..." would name another host */
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch <= 0x20 || ch >= 0x7f || strchr("\"<>\\^`{|}#?", ch))
			return 0;
	}
	return 1;
}

/* TXT "path=" else "directory=" else the default path. */
static void path_from_txt(const idpc_avahi *av, AvahiStringList *txt,
    char *out, size_t out_len)
{
	static const char *const keys[] = { "path", "directory" };
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		AvahiStringList *item = av->string_list_find(txt, keys[k]);
		char *key = NULL, *value = NULL;
		size_t size = 0;
		int ok;

		if (item == NULL ||
		    av->string_list_get_pair(item, &key, &value, &size) < 0)
			continue;
		ok = value != NULL && path_is_acceptable(value, size, out_len);
		if (ok)
			snprintf(out, out_len, "%.*s", (int)size, value);
		av->mem_free(key);
		av->mem_free(value);
		if (ok)
			return;
	}
	snprintf(out, out_len, "%s", DISCOVER_DEFAULT_PATH);
}

static int is_link_local_v6(const AvahiAddress *a)
{
	return a->proto == AVAHI_PROTO_INET6 &&
	    a->data.ipv6.address[0] == 0xfe &&
	    (a->data.ipv6.address[1] & 0xc0) == 0x80;
}

/* Fill s->address, s->ifname and s->url; 0 on success. */
static int build_url(const idpc_avahi *av, idprov_found_server *s,
    const AvahiAddress *a, AvahiIfIndex interface)
{
	char ifbuf[IF_NAMESIZE];
	int n;

	if (av->address_snprint(s->address, sizeof(s->address), a) == NULL)
		return -1;
	s->ifname[0] = '\0';
	if (a->proto == AVAHI_PROTO_INET) {
		n = snprintf(s->url, sizeof(s->url), "https://%s:%u%s",
		    s->address, s->port, s->path);
	} else if (is_link_local_v6(a)) {
		/* fe80:: means nothing without its interface (RFC 6874). */
		if (interface < 0 || if_indextoname((unsigned)interface,
		    ifbuf) == NULL)
			return -1;
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifbuf);
		n = snprintf(s->url, sizeof(s->url), "https://[%s%%25%s]:%u%s",
		    s->address, s->ifname, s->port, s->path);
	} else {
		n = snprintf(s->url, sizeof(s->url), "https://[%s]:%u%s",
		    s->address, s->port, s->path);
	}
	return n > 0 && (size_t)n < sizeof(s->url) ? 0 : -1;
}

static void add_server(discover_run *run, const idprov_found_server *s)
{
	size_t i;

	for (i = 0; i < run->n_found; i++)
		if (strcmp(run->found[i].url, s->url) == 0)
			return;
	if (run->n_found == DISCOVER_MAX_SERVERS)
		return;
	if (run->n_found == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 8;
		idprov_found_server *grown =
		    realloc(run->found, cap * sizeof(*grown));

		if (grown == NULL) {
			run->nomem = 1;
			run->av.simple_poll_quit(run->poll);
			return;
		}
		run->found = grown;
		run->cap = cap;
	}
	run->found[run->n_found++] = *s;
}

static void resolve_cb(AvahiServiceResolver *r, AvahiIfIndex interface,
    AvahiProtocol protocol, AvahiResolverEvent event, const char *name,
    const char *type, const char *domain, const char *host_name,
    const AvahiAddress *a, uint16_t port, AvahiStringList *txt,
    AvahiLookupResultFlags flags, void *userdata)
{
	discover_run *run = userdata;
	idprov_found_server s;

	(void)protocol;
	(void)type;
	(void)domain;
	(void)flags;
	if (event == AVAHI_RESOLVER_FOUND && a != NULL && name != NULL) {
		memset(&s, 0, sizeof(s));
		snprintf(s.instance, sizeof(s.instance), "%s", name);
		snprintf(s.host, sizeof(s.host), "%s",
		    host_name != NULL ? host_name : "");
		s.port = port;
		path_from_txt(&run->av, txt, s.path, sizeof(s.path));
		if (build_url(&run->av, &s, a, interface) == 0)
			add_server(run, &s);
	}
	/* One answer (or failure) per resolver is all we wait for. */
	run->av.service_resolver_free(r);
	run->pending--;
}

static void browse_cb(AvahiServiceBrowser *b, AvahiIfIndex interface,
    AvahiProtocol protocol, AvahiBrowserEvent event, const char *name,
    const char *type, const char *domain, AvahiLookupResultFlags flags,
    void *userdata)
{
	discover_run *run = userdata;
	AvahiClient *c = run->av.service_browser_get_client(b);

	(void)flags;
	switch (event) {
	case AVAHI_BROWSER_NEW:
		/* Resolve in the protocol it was seen on: an IPv6 sighting
		 * gives the IPv6 address, so both families are reported. */
		if (run->av.service_resolver_new(c, interface, protocol, name,
		    type, domain, protocol, 0, resolve_cb, run) != NULL)
			run->pending++;
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
		run->all_for_now = 1;
		break;
	case AVAHI_BROWSER_FAILURE:
		snprintf(run->failure, sizeof(run->failure), "browsing for %s "
		    "failed: %s", IDPROV_SERVICE_TYPE,
		    run->av.error_string(run->av.client_errno(c)));
		run->failed = 1;
		run->av.simple_poll_quit(run->poll);
		break;
	case AVAHI_BROWSER_REMOVE:
	case AVAHI_BROWSER_CACHE_EXHAUSTED:
		break;
	}
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
	discover_run *run = userdata;

	if (state == AVAHI_CLIENT_FAILURE) {
		snprintf(run->failure, sizeof(run->failure), "the Avahi daemon "
		    "went away while browsing: %s",
		    run->av.error_string(run->av.client_errno(c)));
		run->failed = 1;
		run->av.simple_poll_quit(run->poll);
	}
}

static int cmp_server(const void *pa, const void *pb)
{
	const idprov_found_server *a = pa, *b = pb;
	int d = strcmp(a->instance, b->instance);

	return d != 0 ? d : strcmp(a->url, b->url);
}

idprov_status idprov_discover(int timeout_ms, idprov_found_server **found,
    size_t *n_found, char *errbuf, size_t errbuf_len)
{
	discover_run run;
	AvahiClient *client = NULL;
	AvahiServiceBrowser *browser = NULL;
	long long deadline;
	int error = 0;
	idprov_status st = IDPROV_OK;

	memset(&run, 0, sizeof(run));
	if (errbuf != NULL && errbuf_len > 0)
		errbuf[0] = '\0';
	if (found == NULL || n_found == NULL) {
		set_err(errbuf, errbuf_len, "idprov_discover needs somewhere "
		    "to put the servers it finds");
		return IDPROV_ERR_INVALID;
	}
	*found = NULL;
	*n_found = 0;
	if (timeout_ms <= 0) {
		set_err(errbuf, errbuf_len, "the discovery timeout must be "
		    "positive, not %d ms", timeout_ms);
		return IDPROV_ERR_INVALID;
	}
	deadline = now_ms() + timeout_ms;

	if (idpc_avahi_open(&run.av, run.failure, sizeof(run.failure)) != 0) {
		set_err(errbuf, errbuf_len, "%s", run.failure);
		return IDPROV_ERR_NETWORK;
	}
	run.poll = run.av.simple_poll_new();
	if (run.poll == NULL) {
		set_err(errbuf, errbuf_len, "out of memory starting discovery");
		st = IDPROV_ERR_NOMEM;
		goto out;
	}
	/* No AVAHI_CLIENT_NO_FAIL: a device should hear at once that no
	 * daemon runs rather than wait out its timeout. */
	client = run.av.client_new(run.av.simple_poll_get(run.poll), 0,
	    client_cb, &run, &error);
	if (client == NULL) {
		set_err(errbuf, errbuf_len, "no Avahi daemon is running (%s), "
		    "so servers cannot be discovered; start avahi-daemon or "
		    "give the server URL", run.av.error_string(error));
		st = IDPROV_ERR_NETWORK;
		goto out;
	}
	browser = run.av.service_browser_new(client, AVAHI_IF_UNSPEC,
	    AVAHI_PROTO_UNSPEC, IDPROV_SERVICE_TYPE, NULL, 0, browse_cb, &run);
	if (browser == NULL) {
		set_err(errbuf, errbuf_len, "cannot browse for %s: %s",
		    IDPROV_SERVICE_TYPE,
		    run.av.error_string(run.av.client_errno(client)));
		st = IDPROV_ERR_NETWORK;
		goto out;
	}

	/* Stop at the deadline, or earlier once the first sweep is over,
	 * something was found and every resolver has answered.  Finding
	 * nothing yet is no reason to stop early: a server may still be
	 * probing its name. */
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0 || run.failed || run.nomem)
			break;
		if (run.all_for_now && run.pending == 0 && run.n_found > 0)
			break;
		if (run.av.simple_poll_iterate(run.poll, (int)left) != 0)
			break;
	}

	if (run.nomem) {
		set_err(errbuf, errbuf_len, "out of memory during discovery");
		st = IDPROV_ERR_NOMEM;
		goto out;
	}
	if (run.n_found == 0) {
		if (run.failed) {
			set_err(errbuf, errbuf_len, "%s", run.failure);
			st = IDPROV_ERR_NETWORK;
		} else {
			set_err(errbuf, errbuf_len, "no IDProv server (%s) "
			    "answered within %d ms", IDPROV_SERVICE_TYPE,
			    timeout_ms);
			st = IDPROV_ERR_NOT_FOUND;
		}
		goto out;
	}
	qsort(run.found, run.n_found, sizeof(run.found[0]), cmp_server);
	*found = run.found;
	*n_found = run.n_found;
	run.found = NULL;
out:
	/* Freeing the client frees its browser and pending resolvers. */
	if (client != NULL)
		run.av.client_free(client);
	if (run.poll != NULL)
		run.av.simple_poll_free(run.poll);
	idpc_avahi_close(&run.av);
	free(run.found);
	return st;
}
