/*
 * avahi_api.c - fill the Avahi function table (see avahi_api.h), from the
 * linked library or from libavahi-client.so.3 loaded on demand.
 */
#include "avahi_api.h"

#include <stdio.h>
#include <string.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#ifdef IDPROV_AVAHI_DLOPEN
#include <dlfcn.h>
#endif

/* The soname of avahi-client 0.x, whose ABI the headers describe. */
#define AVAHI_CLIENT_SONAME "libavahi-client.so.3"

#ifdef IDPROV_AVAHI_DLOPEN
/*
 * The sizeof() makes the compiler check that the table's member has the
 * type the Avahi header gives the function, without referring to it (an
 * operand of sizeof is not evaluated, so nothing is linked).
 */
#define AVAHI_FN(member, function) do {					\
	void *sym_ = dlsym(a->handle, #function);			\
	(void)sizeof(a->member = function);				\
	if (sym_ == NULL) {						\
		missing = #function;					\
		goto out;						\
	}								\
	memcpy(&a->member, &sym_, sizeof(sym_));			\
} while (0)
#else
#define AVAHI_FN(member, function) (a->member = function)
#endif

int
idpc_avahi_open(idpc_avahi *a, char *why, size_t why_len)
{
	const char *missing = NULL;

	memset(a, 0, sizeof(*a));
	if (why != NULL && why_len > 0)
		why[0] = '\0';
#ifdef IDPROV_AVAHI_DLOPEN
	/* RTLD_LOCAL: its symbols (and D-Bus's) stay out of the program's
	 * namespace; dlsym() on the handle still finds avahi-common's.
	 * RTLD_NODELETE: once loaded it stays, as if linked: libdbus keeps
	 * process-wide state that must not vanish under a later call (and
	 * LeakSanitizer would take it for leaks). */
	a->handle = dlopen(AVAHI_CLIENT_SONAME,
	    RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (a->handle == NULL) {
		if (why != NULL && why_len > 0)
			snprintf(why, why_len, "discovery needs %s, which "
			    "could not be loaded (%s); install avahi-client "
			    "or give the server URL", AVAHI_CLIENT_SONAME,
			    dlerror());
		return -1;
	}
#endif
	AVAHI_FN(simple_poll_new, avahi_simple_poll_new);
	AVAHI_FN(simple_poll_free, avahi_simple_poll_free);
	AVAHI_FN(simple_poll_get, avahi_simple_poll_get);
	AVAHI_FN(simple_poll_iterate, avahi_simple_poll_iterate);
	AVAHI_FN(simple_poll_quit, avahi_simple_poll_quit);
	AVAHI_FN(client_new, avahi_client_new);
	AVAHI_FN(client_free, avahi_client_free);
	AVAHI_FN(client_errno, avahi_client_errno);
	AVAHI_FN(service_browser_new, avahi_service_browser_new);
	AVAHI_FN(service_browser_get_client, avahi_service_browser_get_client);
	AVAHI_FN(service_resolver_new, avahi_service_resolver_new);
	AVAHI_FN(service_resolver_free, avahi_service_resolver_free);
	AVAHI_FN(error_string, avahi_strerror);
	AVAHI_FN(address_snprint, avahi_address_snprint);
	AVAHI_FN(string_list_find, avahi_string_list_find);
	AVAHI_FN(string_list_get_pair, avahi_string_list_get_pair);
	AVAHI_FN(mem_free, avahi_free);
	goto out;	/* keeps the label used in linked builds too */
out:
	if (missing != NULL) {
		if (why != NULL && why_len > 0)
			snprintf(why, why_len, "%s has no %s; discovery needs "
			    "avahi-client 0.6 or later", AVAHI_CLIENT_SONAME,
			    missing);
		idpc_avahi_close(a);
		return -1;
	}
	return 0;
}

void
idpc_avahi_close(idpc_avahi *a)
{
#ifdef IDPROV_AVAHI_DLOPEN
	if (a->handle != NULL)
		dlclose(a->handle);
#endif
	memset(a, 0, sizeof(*a));
}
