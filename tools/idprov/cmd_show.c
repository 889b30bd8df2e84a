/*
 * cmd_show.c - `idprov show`: the saved certificate, and when it will be
 * renewed.
 */
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "lib/core/timeutil.h"

static void
usage(void)
{
	printf("usage: idprov show [--device ID] [--dir DIR]\n"
	    "  Prints the subject, issuer, validity and time to renewal of the\n"
	    "  saved certificate (exit 9 when there is none).\n");
}

int
cmd_show(int argc, char **argv)
{
	tool_opts o;
	idprov_client *c = NULL;
	idprov_cert_summary s;
	char nb[21], na[21], ra[21], left[32], renew_left[32];
	time_t now = time(NULL);
	idprov_status st;
	int rc;

	rc = tool_parse(argc, argv, "dD", &o, usage);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	rc = tool_client(&o, &c);
	if (rc != 0)
		goto out;
	st = idprov_client_cert_summary(c, &s);
	if (st != IDPROV_OK) {
		rc = tool_fail(c, st);
		goto out;
	}
	idprov_time_format(s.not_before, nb);
	idprov_time_format(s.not_after, na);
	idprov_time_format(s.renew_at, ra);
	tool_fmt_left((long long)(s.not_after - now), left, sizeof(left));
	tool_fmt_left((long long)(s.renew_at - now), renew_left,
	    sizeof(renew_left));
	printf("subject:     CN=%s, OU=%s\n", s.subject_cn, s.subject_ou);
	printf("issuer:      CN=%s\n", s.issuer_cn);
	printf("serial:      %s\n", s.serial_hex);
	printf("not before:  %s\n", nb);
	printf("not after:   %s (%s)\n", na,
	    s.not_after > now ? left : "EXPIRED: a new OOB secret is needed");
	printf("renew at:    %s (in %s)\n", ra, renew_left);
	printf("certificate: %s\n", idprov_client_path(c, IDPROV_FILE_CERT));
	printf("key:         %s\n", idprov_client_path(c, IDPROV_FILE_KEY));
	printf("ca:          %s\n", idprov_client_path(c, IDPROV_FILE_CA));
	rc = s.not_after > now ? EXIT_OK : EXIT_EXPIRED;
out:
	idprov_client_free(c);
	return rc;
}
