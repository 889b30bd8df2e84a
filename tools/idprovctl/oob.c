/*
 * oob.c - `idprovctl oob set DEVICE [SECRET|-]`: give the server one
 * device's OOB secret.  With "-" (or no SECRET) the secret is read from
 * standard input, so it never shows in the process list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "csv.h"
#include "session.h"
#include "validity.h"
#include "lib/core/validate.h"
#include "lib/core/wire.h"

static const ctl_opt own[] = {
	{ "valid-for", 1 },
	{ "valid-until", 1 },
	{ NULL, 0 }
};

/* One line from stdin, without echo on a terminal: 0, -1 when it is
 * longer than size - 1 bytes, -2 when it holds a NUL byte (which would
 * cut the secret short unseen). */
static int read_secret(const char *device, char *out, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	int echo_off = 0, ch, rc = 0;
	size_t n = 0;

	if (tty) {
		fprintf(stderr, "secret for %s: ", device);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH,
			    &quiet) == 0;
		}
	}
	while ((ch = getc(stdin)) != EOF && ch != '\n') {
		if (n + 1 >= size) {
			rc = -1;	/* longer than the buffer */
			break;
		}
		if (ch == '\0')
			rc = -2;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (tty)
		fputc('\n', stderr);
	if (rc != 0)
		return rc;
	while (n > 0 && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

int ctl_oob_set(int argc, char **argv)
{
	char secret[CTL_SECRET_MAX + 3];
	char until[32];
	idprov_oob_secret m = { 0 };
	ctl_args a;
	ctl_conn *conn = NULL;
	ctl_response r = { 0 };
	idprov_error err;
	char *body = NULL, what[160];
	size_t len = 0;
	int rc;

	memset(secret, 0, sizeof(secret));
	if ((rc = ctl_session_args("oob set", argc, argv, own, 1, 2, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	if (idprov_validate_device_id(a.pos[0], &err) != IDPROV_OK)
		return ctl_usage_error("oob set", "%s", err.msg);
	if ((rc = ctl_validity_from_args(&a, "oob set", until)) != 0)
		return rc;

	if (a.n_pos < 2 || strcmp(a.pos[1], "-") == 0) {
		int got = read_secret(a.pos[0], secret, sizeof(secret));

		if (got == -2) {
			rc = ctl_usage_error("oob set", "the secret on standard "
			    "input holds a NUL byte");
			goto out;
		}
		if (got != 0 || strlen(secret) > CTL_SECRET_MAX) {
			rc = ctl_usage_error("oob set", "the secret is longer "
			    "than %d bytes", CTL_SECRET_MAX);
			goto out;
		}
	} else if (strlen(a.pos[1]) > CTL_SECRET_MAX) {
		rc = ctl_usage_error("oob set", "the secret is longer than %d "
		    "bytes", CTL_SECRET_MAX);
		goto out;
	} else {
		snprintf(secret, sizeof(secret), "%s", a.pos[1]);
	}
	if (secret[0] == '\0') {
		rc = ctl_usage_error("oob set", "the secret is empty");
		goto out;
	}
	if (!idprov_utf8_valid(secret, strlen(secret))) {
		rc = ctl_usage_error("oob set", "the secret is not UTF-8 text");
		goto out;
	}

	m.device_id = (char *)a.pos[0];
	m.oob_secret = secret;
	m.valid_until = until;
	body = idprov_oob_secret_write(&m, &len);
	if (!body) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	if ((rc = ctl_session_connect(&a, &conn)) != 0)
		goto out;
	snprintf(what, sizeof(what), "the secret of %s", a.pos[0]);
	if ((rc = ctl_session_call(conn, "POST", IDPROV_PATH_OOBSECRET, body,
	    len, what, &r)) != 0)
		goto out;
	if (until[0])
		printf("the secret of %s is set, valid until %s\n", a.pos[0],
		    until);
	else
		printf("the secret of %s is set, valid for the server's default "
		    "lifetime\n", a.pos[0]);
out:
	if (body) {
		OPENSSL_cleanse(body, len);
		free(body);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
