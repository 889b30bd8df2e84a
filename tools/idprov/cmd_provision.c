/*
 * cmd_provision.c - `idprov provision`: get the first certificate with an
 * OOB secret, waiting for the administrator up to --timeout.
 */
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "lib/core/timeutil.h"

#define DEFAULT_TIMEOUT (10 * 60)

static void
usage(void)
{
	printf("usage: idprov provision --device ID (--secret S | --secret-file F"
	    " | --secret-stdin)\n"
	    "                        [--server URL] [--dir DIR] [--timeout 10m]\n"
	    "  Gets a certificate for device ID with its one-time OOB secret.\n"
	    "  --server   https://HOST:PORT (default: saved, else DNS-SD)\n"
	    "  --dir      state folder (default $IDPROV_DIR, else ./idprov-state)\n"
	    "  --timeout  how long to wait for the administrator (default 10m)\n"
	    "  --secret-file F reads the first line of F; --secret-stdin reads\n"
	    "  standard input, so the secret need not show in the process list.\n");
}

int
cmd_provision(int argc, char **argv)
{
	tool_opts o;
	idprov_client *c = NULL;
	idprov_cert_summary s;
	char *secret = NULL;
	size_t secret_len = 0;
	char until[21];
	idprov_status st;
	int rc;

	rc = tool_parse(argc, argv, "dsDSt", &o, usage);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.device == NULL) {
		fprintf(stderr, "idprov provision: --device is required\n");
		return EXIT_USAGE;
	}
	rc = tool_secret(&o, 1, &secret, &secret_len);
	if (rc != 0)
		goto out;
	rc = tool_client(&o, &c);
	if (rc != 0)
		goto out;
	st = idprov_client_provision(c, secret, secret_len, time(NULL) +
	    (o.timeout > 0 ? (time_t)o.timeout : DEFAULT_TIMEOUT));
	if (st != IDPROV_OK) {
		rc = tool_fail(c, st);
		goto out;
	}
	if (idprov_client_cert_summary(c, &s) == IDPROV_OK) {
		idprov_time_format(s.not_after, until);
		printf("provisioned %s: %s, valid until %s\n", o.device,
		    idprov_client_path(c, IDPROV_FILE_CERT), until);
	}
	rc = EXIT_OK;
out:
	tool_secret_free(secret, secret_len);
	idprov_client_free(c);
	return rc;
}
