/*
 * cmd_renew.c - `idprov renew`: one renewal over mutual TLS, optionally
 * with a new key.
 */
#include <stdio.h>

#include "commands.h"
#include "lib/core/timeutil.h"

static void
usage(void)
{
	printf("usage: idprov renew [--device ID] [--server URL] [--dir DIR]"
	    " [--rotate-key]\n"
	    "  Renews the certificate in the state folder over mutual TLS.\n"
	    "  --device      defaults to the CN of the saved certificate\n"
	    "  --rotate-key  get the new certificate for a new key pair\n"
	    "  An expired certificate cannot be renewed (exit 8): provision\n"
	    "  again with a new OOB secret.\n");
}

int
cmd_renew(int argc, char **argv)
{
	tool_opts o;
	idprov_client *c = NULL;
	idprov_cert_summary s;
	char until[21];
	idprov_status st;
	int rc;

	rc = tool_parse(argc, argv, "dsDr", &o, usage);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	rc = tool_client(&o, &c);
	if (rc != 0)
		goto out;
	st = idprov_client_renew(c, o.rotate_key);
	if (st != IDPROV_OK) {
		rc = tool_fail(c, st);
		goto out;
	}
	if (idprov_client_cert_summary(c, &s) == IDPROV_OK) {
		idprov_time_format(s.not_after, until);
		printf("renewed %s%s: valid until %s\n", s.subject_cn,
		    o.rotate_key ? " with a new key" : "", until);
	}
out:
	idprov_client_free(c);
	return rc;
}
