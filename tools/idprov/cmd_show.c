/*
 * cmd_show.c - `idprov show`: the saved certificate, and when it will be
 * renewed.
 */
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "lib/core/timeutil.h"

/*
 * A name from a certificate, for the terminal: the CA chose it, and an
 * escape sequence in it must not reach the screen.  C0, DEL, C1 (U+0080
 * to U+009F) and bytes that are not UTF-8 become '?', in place.
 */
static void
printable(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t i = 0, k, n;

	while (u[i] != '\0') {
		n = u[i] < 0x80 ? 1 : (u[i] >= 0xC2 && u[i] <= 0xDF) ? 2 :
		    (u[i] >= 0xE0 && u[i] <= 0xEF) ? 3 :
		    (u[i] >= 0xF0 && u[i] <= 0xF4) ? 4 : 0;
		for (k = 1; k < n; k++)
			if ((u[i + k] & 0xC0) != 0x80)
				n = 0;	/* stops at the NUL too */
		if (n == 0 || u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] == 0xC2 && u[i + 1] < 0xA0)) {
			u[i++] = '?';
			continue;
		}
		i += n;
	}
}

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
	printable(s.subject_cn);
	printable(s.subject_ou);
	printable(s.issuer_cn);
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
