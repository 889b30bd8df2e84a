/*
 * example.c - a device gets its certificate with libidprov, then renews
 * it.  This is the example of the README and docs/client.md; the test
 * client_example builds it against the installed-style library and runs it
 * against a real idprovd.
 *
 *   cc example.c $(pkg-config --cflags --libs idprov) -o example
 *   IDPROV_SECRET=... ./example https://hub.local:43776 sensor-17 /var/lib/idprov
 *
 * The OOB secret comes from the environment (or a file), not the command
 * line, where every user of the device could read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <idprov/idprov.h>

int
main(int argc, char **argv)
{
	const char *secret = getenv("IDPROV_SECRET");
	idprov_client *c = NULL;
	idprov_status st;
	time_t expiry = 0;

	if (argc != 4 || secret == NULL) {
		fprintf(stderr, "usage: IDPROV_SECRET=... %s SERVER-URL "
		    "DEVICE-ID STATE-DIR\n", argv[0]);
		return 2;
	}
	st = idprov_client_new(&c, argv[2], argv[3]);
	if (st == IDPROV_OK)
		st = idprov_client_set_server(c, argv[1]);
	/* Wait up to 10 minutes for the administrator to post the secret. */
	if (st == IDPROV_OK)
		st = idprov_client_provision(c, secret, strlen(secret),
		    time(NULL) + 600);
	if (st == IDPROV_OK)
		st = idprov_client_cert_expiry(c, &expiry);
	if (st != IDPROV_OK) {
		fprintf(stderr, "provisioning failed (%s): %s\n",
		    idprov_status_str(st), idprov_client_errmsg(c));
		idprov_client_free(c);
		return 1;
	}
	printf("certificate %s, key %s, CA %s\n",
	    idprov_client_path(c, IDPROV_FILE_CERT),
	    idprov_client_path(c, IDPROV_FILE_KEY),
	    idprov_client_path(c, IDPROV_FILE_CA));
	printf("valid for %ld more seconds\n", (long)(expiry - time(NULL)));

	/* Later, before it expires (idprov run does this for you): */
	st = idprov_client_renew(c, 0);
	if (st != IDPROV_OK) {
		fprintf(stderr, "renewal failed (%s): %s\n",
		    idprov_status_str(st), idprov_client_errmsg(c));
		idprov_client_free(c);
		return 1;
	}
	printf("renewed\n");
	idprov_client_free(c);
	return 0;
}
