/*
 * opts.c - what the idprov commands share: options, the secret, the
 * client, exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "commands.h"
#include "lib/core/timeutil.h"

#define SECRET_MAX 4096
#define DEFAULT_DIR "./idprov-state"

enum { OPT_SECRET_FILE = 256, OPT_SECRET_STDIN, OPT_ON_RENEW, OPT_ONCE };

static const struct option long_opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "server", required_argument, NULL, 's' },
	{ "dir", required_argument, NULL, 'D' },
	{ "secret", required_argument, NULL, 'S' },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "secret-stdin", no_argument, NULL, OPT_SECRET_STDIN },
	{ "timeout", required_argument, NULL, 't' },
	{ "rotate-key", no_argument, NULL, 'r' },
	{ "on-renew", required_argument, NULL, OPT_ON_RENEW },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The letter under which `accepted` lists an option. */
static int
letter(int opt)
{
	switch (opt) {
	case OPT_SECRET_FILE:
	case OPT_SECRET_STDIN:
		return 'S';
	case OPT_ON_RENEW:
		return 'o';
	case OPT_ONCE:
		return '1';
	default:
		return opt;
	}
}

/* "timeout" for the value getopt_long returns for --timeout. */
static const char *
long_name(int opt)
{
	const struct option *lo;

	for (lo = long_opts; lo->name != NULL; lo++)
		if (lo->val == opt)
			return lo->name;
	return NULL;
}

int
tool_parse(int argc, char **argv, const char *accepted, tool_opts *o,
    void (*usage)(void))
{
	idprov_error err;
	char seen[OPT_ONCE + 1] = { 0 };
	int opt;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage();
			return -1;
		}
		/* Name the option, not its value: argv[optind - 1] is the
		 * value of an option that takes one. */
		if (opt == '?' && optopt != 0 && long_name(optopt) != NULL &&
		    strncmp(argv[optind - 1], "--", 2) == 0) {
			fprintf(stderr, "idprov %s: the option --%s needs a "
			    "value\n", argv[0], long_name(optopt));
			return EXIT_USAGE;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, "idprov %s: unknown option \"%s\" "
			    "(--help lists the options)\n", argv[0],
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
		if (strchr(accepted, letter(opt)) == NULL) {
			fprintf(stderr, "idprov %s: the option --%s is not one "
			    "of this command's (--help lists them)\n", argv[0],
			    long_name(opt));
			return EXIT_USAGE;
		}
		/* Given twice is a mistake to say, not a value to drop. */
		if (seen[opt]++) {
			fprintf(stderr, "idprov %s: the option --%s is given "
			    "twice\n", argv[0], long_name(opt));
			return EXIT_USAGE;
		}
		switch (opt) {
		case 'd': o->device = optarg; break;
		case 's': o->server = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'S': o->secret_arg = optarg; break;
		case OPT_SECRET_FILE: o->secret_file = optarg; break;
		case OPT_SECRET_STDIN: o->secret_stdin = 1; break;
		case 'r': o->rotate_key = 1; break;
		case OPT_ON_RENEW: o->on_renew = optarg; break;
		case OPT_ONCE: o->once = 1; break;
		case 't':
			if (idprov_duration_parse(optarg, &o->timeout, &err) !=
			    IDPROV_OK) {
				fprintf(stderr, "idprov %s: --timeout: %s\n",
				    argv[0], err.msg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "idprov %s: unexpected argument \"%s\"\n",
		    argv[0], argv[optind]);
		return EXIT_USAGE;
	}
	if ((o->secret_arg != NULL) + (o->secret_file != NULL) +
	    o->secret_stdin > 1) {
		fprintf(stderr, "idprov %s: give the secret one way only "
		    "(--secret, --secret-file or --secret-stdin)\n", argv[0]);
		return EXIT_USAGE;
	}
	return 0;
}

const char *
tool_dir(const tool_opts *o)
{
	const char *env = getenv("IDPROV_DIR");

	if (o->dir != NULL)
		return o->dir;
	if (env != NULL && env[0] != '\0')
		return env;
	return DEFAULT_DIR;
}

/* Up to the first newline of f, without it. */
static int
read_secret(FILE *f, const char *what, char **secret, size_t *len)
{
	char *buf = malloc(SECRET_MAX + 2);
	size_t n;

	if (buf == NULL) {
		fprintf(stderr, "idprov: out of memory\n");
		return EXIT_FAIL;
	}
	n = fread(buf, 1, SECRET_MAX + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "idprov: could not read the secret from %s\n",
		    what);
		tool_secret_free(buf, SECRET_MAX + 2);
		return EXIT_IO;
	}
	buf[n] = '\0';
	/* The line, measured by hand: strcspn would stop at a NUL byte and
	 * cut the secret short without a word. */
	{
		size_t end = 0;

		while (end < n && buf[end] != '\r' && buf[end] != '\n')
			end++;
		if (memchr(buf, '\0', end) != NULL) {
			fprintf(stderr, "idprov: the secret in %s holds a NUL "
			    "byte\n", what);
			tool_secret_free(buf, SECRET_MAX + 2);
			return EXIT_USAGE;
		}
		n = end;
	}
	if (n > SECRET_MAX) {
		fprintf(stderr, "idprov: the secret in %s is over %d bytes\n",
		    what, SECRET_MAX);
		tool_secret_free(buf, SECRET_MAX + 2);
		return EXIT_USAGE;
	}
	buf[n] = '\0';
	*secret = buf;
	*len = n;
	return 0;
}

/*
 * The secret typed on a terminal: a prompt on stderr, no echo, and one
 * line (read_secret's fread waits for 4 KiB or the end of the input, so
 * Enter alone did nothing).  TCSANOW keeps what was typed ahead.
 */
static int
read_secret_tty(const char *device, char **secret, size_t *len)
{
	struct termios old, quiet;
	char *buf = malloc(SECRET_MAX + 2);
	int echo_off = 0;
	size_t n;

	if (buf == NULL) {
		fprintf(stderr, "idprov: out of memory\n");
		return EXIT_FAIL;
	}
	fprintf(stderr, "OOB secret for %s: ", device != NULL ? device :
	    "this device");
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
	}
	if (fgets(buf, SECRET_MAX + 2, stdin) == NULL)
		buf[0] = '\0';
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);
	n = strcspn(buf, "\r\n");
	if (n > SECRET_MAX) {
		fprintf(stderr, "idprov: the secret typed is over %d bytes\n",
		    SECRET_MAX);
		tool_secret_free(buf, SECRET_MAX + 2);
		return EXIT_USAGE;
	}
	buf[n] = '\0';
	*secret = buf;
	*len = n;
	return 0;
}

/*
 * The secret file for reading.  Opened without waiting: a FIFO that no
 * one writes to would block open() forever; this way it reads as empty.
 * A pipe that has a writer (--secret-file <(...)) is read as usual.
 */
static FILE *
open_secret_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int flags;
	FILE *f;

	if (fd < 0)
		return NULL;
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

int
tool_secret(const tool_opts *o, int required, char **secret, size_t *len)
{
	FILE *f;
	int rc;

	*secret = NULL;
	*len = 0;
	if (o->secret_arg != NULL) {
		*len = strlen(o->secret_arg);
		*secret = strdup(o->secret_arg);
		if (*secret == NULL)
			return EXIT_FAIL;
		rc = 0;
	} else if (o->secret_file != NULL) {
		f = open_secret_file(o->secret_file);
		if (f == NULL) {
			fprintf(stderr, "idprov: cannot open the secret file "
			    "%s: %s\n", o->secret_file, strerror(errno));
			return EXIT_IO;
		}
		rc = read_secret(f, o->secret_file, secret, len);
		fclose(f);
	} else if (o->secret_stdin && isatty(STDIN_FILENO)) {
		rc = read_secret_tty(o->device, secret, len);
	} else if (o->secret_stdin) {
		rc = read_secret(stdin, "standard input", secret, len);
	} else {
		if (!required)
			return 0;
		fprintf(stderr, "idprov: the OOB secret is missing (--secret, "
		    "--secret-file or --secret-stdin)\n");
		return EXIT_USAGE;
	}
	if (rc == 0 && *len == 0) {
		fprintf(stderr, "idprov: the OOB secret is empty\n");
		tool_secret_free(*secret, 0);
		*secret = NULL;
		return EXIT_USAGE;
	}
	return rc;
}

void
tool_secret_free(char *secret, size_t len)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse(secret, len > 0 ? len : strlen(secret));
	free(secret);
}

int
tool_client(const tool_opts *o, idprov_client **c)
{
	idprov_status st;

	st = idprov_client_new(c, o->device, tool_dir(o));
	if (st != IDPROV_OK)
		return tool_fail(*c, st);
	if (o->server != NULL) {
		st = idprov_client_set_server(*c, o->server);
		if (st != IDPROV_OK)
			return tool_fail(*c, st);
	}
	return 0;
}

int
tool_exit_code(idprov_status st)
{
	switch (st) {
	case IDPROV_OK:
		return EXIT_OK;
	case IDPROV_ERR_WAITING:
	case IDPROV_ERR_TIMEOUT:
		return EXIT_WAITING;
	case IDPROV_ERR_REJECTED:
		return EXIT_REJECTED;
	case IDPROV_ERR_UNTRUSTED:
	case IDPROV_ERR_VERIFY:
		return EXIT_UNTRUSTED;
	case IDPROV_ERR_IO:
		return EXIT_IO;
	case IDPROV_ERR_NETWORK:
		return EXIT_NETWORK;
	case IDPROV_ERR_EXPIRED:
		return EXIT_EXPIRED;
	case IDPROV_ERR_STATE:
	case IDPROV_ERR_NOT_FOUND:
		return EXIT_NOT_PROVISIONED;
	default:
		return EXIT_FAIL;
	}
}

int
tool_fail(idprov_client *c, idprov_status st)
{
	const char *msg = idprov_client_errmsg(c);

	fprintf(stderr, "idprov: %s\n", msg[0] ? msg : idprov_status_str(st));
	return tool_exit_code(st);
}

void
tool_fmt_left(long long s, char *out, size_t out_len)
{
	if (s <= 0)
		snprintf(out, out_len, "now");
	else if (s >= 86400)
		snprintf(out, out_len, "%lldd %lldh", s / 86400,
		    s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, out_len, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, out_len, "%lldm %llds", s / 60, s % 60);
	else
		snprintf(out, out_len, "%llds", s);
}
