/*
 * cmd_discover.c - `idprov discover [--timeout 5s] [--json]`: list the
 * IDProv servers that DNS-SD finds on the local network, one per line
 * ("instance<TAB>URL"), or as a JSON array.
 *
 * Exit status (discover's own, see commands.h): 0 at least one server,
 * 3 none answered in time, 7 (EXIT_NETWORK, as for the other commands)
 * discovery cannot run because no Avahi daemon answers, 2 usage error,
 * 1 anything else.
 */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <idprov/discover.h>

#define DISCOVER_EXIT_USAGE EXIT_USAGE
#define DISCOVER_EXIT_NONE 3
#define DISCOVER_EXIT_NO_DAEMON EXIT_NETWORK
#define DISCOVER_DEFAULT_TIMEOUT_MS 5000

static void discover_usage(FILE *f)
{
	fprintf(f,
	    "usage: idprov discover [--timeout DURATION] [--json]\n"
	    "  Lists the IDProv servers (DNS-SD %s) on the local network.\n"
	    "  --timeout  how long to look, e.g. 5s, 500ms, 1m (default 5s)\n"
	    "  --json     print a JSON array instead of \"instance<TAB>url\"\n"
	    "  Exit status: 0 found, %d none found, %d no Avahi daemon.\n",
	    IDPROV_SERVICE_TYPE, DISCOVER_EXIT_NONE, DISCOVER_EXIT_NO_DAEMON);
}

/* "5s", "500ms", "2m" or a bare number of seconds -> milliseconds. */
static int parse_timeout_ms(const char *s, int *out)
{
	char *end = NULL;
	long long v, mult;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else
		return -1;
	if (v > INT_MAX / mult)
		return -1;
	*out = (int)(v * mult);
	return 0;
}

/* Instance names come from the network: never let one drive the
 * terminal with control characters. */
static void print_clean(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		putchar(ch < 0x20 || ch == 0x7f ? '?' : ch);
	}
}

static int print_json(const idprov_found_server *found, size_t n)
{
	json_t *arr = json_array();
	char *text = NULL;
	size_t i;
	int rc = -1;

	if (arr == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const idprov_found_server *s = &found[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
		    "instance", s->instance, "host", s->host,
		    "address", s->address, "interface", s->ifname,
		    "port", (int)s->port, "path", s->path, "url", s->url);

		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto out;
	}
	text = json_dumps(arr, JSON_INDENT(2));
	if (text == NULL)
		goto out;
	printf("%s\n", text);
	rc = 0;
out:
	free(text);
	json_decref(arr);
	return rc;
}

int cmd_discover(int argc, char **argv)
{
	idprov_found_server *found = NULL;
	size_t n = 0, i;
	int timeout_ms = DISCOVER_DEFAULT_TIMEOUT_MS, json = 0, a, rc;
	char errbuf[256];
	idprov_status st;

	/* argv[0] is the command name. */
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a], *val = NULL;

		if (strcmp(arg, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			discover_usage(stdout);
			return 0;
		}
		if (strcmp(arg, "--timeout") == 0 && a + 1 < argc)
			val = argv[++a];
		else if (strncmp(arg, "--timeout=", 10) == 0)
			val = arg + 10;
		if (val == NULL) {
			/* one sentence, as every other refusal */
			fprintf(stderr, "idprov discover: unknown argument "
			    "\"%s\" (idprov discover --help lists the "
			    "options).\n", arg);
			return DISCOVER_EXIT_USAGE;
		}
		if (parse_timeout_ms(val, &timeout_ms) != 0) {
			fprintf(stderr, "idprov discover: --timeout \"%s\" is "
			    "not a duration such as 5s, 500ms or 1m.\n", val);
			return DISCOVER_EXIT_USAGE;
		}
	}

	st = idprov_discover(timeout_ms, &found, &n, errbuf, sizeof(errbuf));
	if (st == IDPROV_ERR_NOT_FOUND) {
		/* A script reading JSON still gets valid JSON. */
		if (json)
			printf("[]\n");
		fprintf(stderr, "idprov discover: %s.\n", errbuf);
		rc = DISCOVER_EXIT_NONE;
		goto out;
	}
	if (st != IDPROV_OK) {
		fprintf(stderr, "idprov discover: %s.\n", errbuf);
		rc = st == IDPROV_ERR_NETWORK ? DISCOVER_EXIT_NO_DAEMON : EXIT_FAIL;
		goto out;
	}
	if (json) {
		if (print_json(found, n) != 0) {
			fprintf(stderr, "idprov discover: out of memory "
			    "writing JSON.\n");
			rc = EXIT_FAIL;
			goto out;
		}
	} else {
		for (i = 0; i < n; i++) {
			print_clean(found[i].instance);
			printf("\t%s\n", found[i].url);
		}
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
out:
	free(found);
	return rc;
}
