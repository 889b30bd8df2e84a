/*
 * test_client_avahi_api.c - the Avahi table loaded on demand
 * (lib/client/avahi_api.c built with IDPROV_AVAHI_DLOPEN, as the
 * device-sized build uses it): the real libavahi-client.so.3 is not mapped
 * until idpc_avahi_open() first runs, and then what it gives works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <dlfcn.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <avahi-common/error.h>

#include "lib/client/avahi_api.h"

static int
avahi_is_mapped(void)
{
	void *h = dlopen("libavahi-client.so.3", RTLD_NOW | RTLD_NOLOAD);

	if (h == NULL)
		return 0;
	dlclose(h);	/* drops only the reference RTLD_NOLOAD took */
	return 1;
}

static void
test_loaded_on_first_open(void **state)
{
	idpc_avahi av;
	char why[256];

	(void)state;
	assert_false(avahi_is_mapped());
	assert_int_equal(idpc_avahi_open(&av, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_non_null(av.handle);
	assert_true(avahi_is_mapped());
	idpc_avahi_close(&av);
	assert_null(av.handle);
	/* A second discovery finds it loaded already. */
	assert_int_equal(idpc_avahi_open(&av, why, sizeof(why)), 0);
	assert_non_null(av.simple_poll_new);
	idpc_avahi_close(&av);
	printf("libavahi-client.so.3 is mapped only from the first open on\n");
}

static void
test_functions_work(void **state)
{
	idpc_avahi av;
	AvahiSimplePoll *poll;
	AvahiAddress a;
	char text[AVAHI_ADDRESS_STR_MAX];

	(void)state;
	assert_int_equal(idpc_avahi_open(&av, NULL, 0), 0);
	/* Every entry filled, from avahi-client and from avahi-common. */
	assert_non_null(av.client_new);
	assert_non_null(av.client_free);
	assert_non_null(av.client_errno);
	assert_non_null(av.service_browser_new);
	assert_non_null(av.service_browser_get_client);
	assert_non_null(av.service_resolver_new);
	assert_non_null(av.service_resolver_free);
	assert_non_null(av.string_list_get_pair);
	assert_non_null(av.simple_poll_quit);
	assert_non_null(av.mem_free);
	assert_string_equal(av.error_string(AVAHI_ERR_NO_DAEMON),
	    "Daemon not running");
	memset(&a, 0, sizeof(a));
	a.proto = AVAHI_PROTO_INET;
	a.data.ipv4.address = htonl(0x7f000001);
	assert_non_null(av.address_snprint(text, sizeof(text), &a));
	assert_string_equal(text, "127.0.0.1");
	assert_null(av.string_list_find(NULL, "path"));
	poll = av.simple_poll_new();
	assert_non_null(poll);
	assert_non_null(av.simple_poll_get(poll));
	/* Nothing registered and no wait: returns at once. */
	assert_true(av.simple_poll_iterate(poll, 0) >= 0);
	av.simple_poll_free(poll);
	idpc_avahi_close(&av);
	printf("the loaded functions answer like the linked ones\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_on_first_open),
		cmocka_unit_test(test_functions_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
