/*
 * cmd_run.c - `idprov run`: the long-lived mode of a device.  Provision if
 * needed, then renew when the server's retrySec says or two thirds into
 * the certificate's life (with jitter), back off while the server is
 * unreachable, run --on-renew after each new certificate, and exit 0 on
 * SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "lib/client/backoff.h"
#include "lib/core/timeutil.h"

#define RUN_JITTER_PCT 10
#define BACKOFF_FIRST 1
#define BACKOFF_MAX 60
/* Provisioning in run mode waits for the administrator until stopped. */
#define FOREVER (10L * 365 * 86400)

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(void)
{
	printf("usage: idprov run --device ID [--secret S | --secret-file F | "
	    "--secret-stdin]\n"
	    "                  [--server URL] [--dir DIR] [--timeout D] "
	    "[--rotate-key]\n"
	    "                  [--on-renew CMD] [--once]\n"
	    "  Stays running: provisions when there is no certificate (a secret\n"
	    "  is needed then), renews at the server's retrySec or two thirds\n"
	    "  into the certificate's life, retries with backoff while the\n"
	    "  server is unreachable, and exits 0 on SIGTERM.\n"
	    "  --on-renew CMD  run by /bin/sh after each new certificate, with\n"
	    "                  IDPROV_CERT, IDPROV_KEY, IDPROV_CA in its environment\n"
	    "  --timeout D     give up provisioning after D (default: never)\n"
	    "  --once          one step (provision or renew), then exit\n");
}

static void logline(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* One line per event on stderr, with the time. */
static void
logline(const char *fmt, ...)
{
	char now[21];
	va_list ap;

	idprov_time_format(time(NULL), now);
	fprintf(stderr, "%s idprov: ", now);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Sleep until stopped or `seconds` pass. */
static void
nap(double seconds)
{
	struct timespec ts;
	double slice;

	while (seconds > 0 && !stop_flag) {
		slice = seconds < 1.0 ? seconds : 1.0;
		ts.tv_sec = (time_t)slice;
		ts.tv_nsec = (long)((slice - (double)ts.tv_sec) * 1e9);
		(void)nanosleep(&ts, NULL);
		seconds -= slice;
	}
}

static void
on_renew(const tool_opts *o, idprov_client *c)
{
	pid_t pid, w;
	int status = 0;

	if (o->on_renew == NULL)
		return;
	pid = fork();
	if (pid < 0) {
		logline("could not start the --on-renew command: %s",
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		setenv("IDPROV_CERT", idprov_client_path(c, IDPROV_FILE_CERT), 1);
		setenv("IDPROV_KEY", idprov_client_path(c, IDPROV_FILE_KEY), 1);
		setenv("IDPROV_CA", idprov_client_path(c, IDPROV_FILE_CA), 1);
		execl("/bin/sh", "sh", "-c", o->on_renew, (char *)NULL);
		_exit(127);
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w == pid && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		logline("the --on-renew command failed (%s)", WIFEXITED(status) ?
		    "non-zero exit" : "killed by a signal");
}

static int
provision(const tool_opts *o, idprov_client *c, int expired, char **secret,
    size_t *secret_len)
{
	idprov_status st;
	int rc;

	/* A secret file is read again each time: after an expiry the
	 * operator may have put a new secret there. */
	if (o->secret_file != NULL && access(o->secret_file, F_OK) == 0) {
		tool_secret_free(*secret, *secret_len);
		*secret = NULL;
		rc = tool_secret(o, 1, secret, secret_len);
		if (rc != 0)
			return rc;
	}
	if (*secret == NULL) {
		fprintf(stderr, "idprov: this device has %s and no OOB secret "
		    "was given (--secret-file, --secret-stdin or --secret)\n",
		    expired ? "an expired certificate" : "no certificate yet");
		return expired ? EXIT_EXPIRED : EXIT_NOT_PROVISIONED;
	}
	logline("provisioning %s", o->device);
	st = idprov_client_provision(c, *secret, *secret_len, time(NULL) +
	    (o->timeout > 0 ? (time_t)o->timeout : FOREVER));
	if (st != IDPROV_OK)
		return stop_flag ? EXIT_OK : tool_fail(c, st);
	logline("provisioned; certificate in %s",
	    idprov_client_path(c, IDPROV_FILE_CERT));
	on_renew(o, c);
	return -1;
}

/* One renewal attempt; -1 to go on, or an exit code. */
static int
renew(const tool_opts *o, idprov_client *c, long *backoff)
{
	idprov_status st = idprov_client_renew(c, o->rotate_key);

	if (st == IDPROV_OK) {
		*backoff = 0;
		logline("renewed; certificate in %s",
		    idprov_client_path(c, IDPROV_FILE_CERT));
		on_renew(o, c);
		return -1;
	}
	if (stop_flag)
		return EXIT_OK;
	if (st == IDPROV_ERR_NETWORK) {
		*backoff = idpc_backoff_next(*backoff, BACKOFF_FIRST,
		    BACKOFF_MAX);
		logline("%s; trying again later", idprov_client_errmsg(c));
		if (o->once)
			return tool_exit_code(st);
		nap(idpc_jitter((double)*backoff, 20));
		return -1;
	}
	return tool_fail(c, st);
}

int
cmd_run(int argc, char **argv)
{
	tool_opts o;
	idprov_client *c = NULL;
	idprov_cert_summary s;
	struct sigaction sa;
	char *secret = NULL;
	size_t secret_len = 0;
	long backoff = 0;
	double wait;
	idprov_status st;
	int rc;

	rc = tool_parse(argc, argv, "dsDStro1", &o, usage);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.device == NULL) {
		fprintf(stderr, "idprov run: --device is required\n");
		return EXIT_USAGE;
	}
	/* A secret file is read only when a provisioning needs it: once the
	 * device is provisioned the one-time secret may be gone. */
	if (o.secret_file == NULL) {
		rc = tool_secret(&o, 0, &secret, &secret_len);
		if (rc != 0)
			goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits end early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	rc = tool_client(&o, &c);
	if (rc != 0)
		goto out;
	idprov_client_set_stop_flag(c, &stop_flag);

	rc = -1;
	while (rc < 0 && !stop_flag) {
		st = idprov_client_cert_summary(c, &s);
		if (st == IDPROV_ERR_NOT_FOUND || (st == IDPROV_OK &&
		    s.not_after <= time(NULL))) {
			rc = provision(&o, c, st == IDPROV_OK, &secret,
			    &secret_len);
		} else if (st != IDPROV_OK) {
			rc = tool_fail(c, st);
		} else {
			wait = (double)(s.renew_at - time(NULL));
			if (wait > 0 && !o.once) {
				wait = idpc_jitter(wait, RUN_JITTER_PCT);
				/* never past the end of the certificate */
				if (wait >= (double)(s.not_after - time(NULL)))
					wait = (double)(s.renew_at - time(NULL));
				nap(wait);
				if (stop_flag)
					break;
			}
			rc = renew(&o, c, &backoff);
		}
		if (o.once && rc < 0)
			rc = EXIT_OK;
	}
	if (stop_flag) {
		logline("stopped");
		rc = EXIT_OK;
	}
out:
	tool_secret_free(secret, secret_len);
	idprov_client_free(c);
	return rc;
}
