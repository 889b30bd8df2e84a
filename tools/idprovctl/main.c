/*
 * main.c - idprovctl: find the command named by the leading words of the
 * command line and run it.  Adding a command is one line in the table.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "opts.h"

#ifndef IDPROV_VERSION
#define IDPROV_VERSION "unknown"
#endif

const ctl_command ctl_commands[] = {
	{ { "ca", "init" }, ctl_ca_init,
	    "--dir DIR [--hosts NAME,IP,...] [--org NAME] [--days N] "
	    "[--force | --keep-ca]",
	    "create a CA, a server certificate and an admin certificate" },
	{ { "oob", "set" }, ctl_oob_set,
	    "DEVICE [SECRET|-] [--valid-for 3d | --valid-until TIME]",
	    "give the server a device's OOB secret (- or none: read it from "
	    "standard input)" },
	{ { "oob", "import" }, ctl_oob_import,
	    "FILE.csv [--check] [--quiet]",
	    "check a CSV of deviceID,secret[,validUntil] and upload all of it" },
	{ { "oob", "generate" }, ctl_oob_generate,
	    "--count N --prefix P [--start N] [--out DIR] [--upload] [--force] "
	    "[--quiet] [--valid-for D | --valid-until T]",
	    "make secrets for N devices: a CSV and one QR code SVG each" },
	{ { "status" }, ctl_status, "DEVICE [--json]",
	    "a device's provisioning status and certificate" },
	{ { "list" }, ctl_list,
	    "[--pending|--approved|--revoked|--waiting|--rejected|--all] "
	    "[--json]",
	    "the devices the server knows" },
	{ { "revoke" }, ctl_revoke,
	    "DEVICE | --serial HEX | --certificate FILE [--reason R] [--json]",
	    "revoke a device's certificates, or one certificate of any role "
	    "(the CRL is updated)" },
	{ { "issue" }, ctl_issue,
	    "DEVICE --pubkey FILE [--out FILE] [--ip IP] [--mac MAC] "
	    "[--force]",
	    "get a certificate for a device's public key, as an admin" },
	{ { "crl" }, ctl_crl, "[--out FILE.der] [--force] [--json]",
	    "show the server's CRL, or save it as DER" },
	{ { NULL }, NULL, NULL, NULL }
};

static int
word_count(const ctl_command *c)
{
	int n = 0;

	while (n < CTL_MAX_WORDS && c->words[n] != NULL)
		n++;
	return n;
}

/* "ca init" for the entry, into buf. */
static const char *
command_name(const ctl_command *c, char *buf, size_t size)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < word_count(c); i++) {
		int n = snprintf(buf + used, size - used, "%s%s",
		    i > 0 ? " " : "", c->words[i]);

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

const ctl_command *
ctl_command_lookup(const char *cmd)
{
	const ctl_command *c;
	char name[128];

	for (c = ctl_commands; c->words[0] != NULL; c++)
		if (strcmp(command_name(c, name, sizeof(name)), cmd) == 0)
			return c;
	return NULL;
}

void
ctl_print_usage(FILE *f, const ctl_command *c)
{
	char name[128];

	fprintf(f, "usage: idprovctl %s %s\n", command_name(c, name,
	    sizeof(name)), c->args);
}

static void
verr(const char *fmt, va_list ap)
{
	fputs("idprovctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

int
ctl_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return 1;
}

int
ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	const ctl_command *c = ctl_command_lookup(cmd);
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	if (c != NULL)
		ctl_print_usage(stderr, c);
	return 2;
}

void
ctl_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(1);
}

static void
print_help(FILE *f)
{
	const ctl_command *c;
	char name[128];

	fputs("usage: idprovctl COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (c = ctl_commands; c->words[0] != NULL; c++)
		fprintf(f, "  %-20s %s\n", command_name(c, name, sizeof(name)),
		    c->help);
	fputs("\n  idprovctl help COMMAND   the options of one command\n"
	    "  idprovctl --version      the version\n"
	    "\nconnection options, anywhere on the line:\n"
	    "  --server URL --cert FILE --key FILE --ca FILE --config FILE\n"
	    "  (else $IDPROV_SERVER $IDPROV_CERT $IDPROV_KEY $IDPROV_CA, else\n"
	    "  ~/.config/idprov/admin.conf; see docs/admin-cli.md)\n", f);
}

/* The table entry whose words start argv[0..argc), longest first. */
static const ctl_command *
match(int argc, char **argv)
{
	const ctl_command *c, *best = NULL;
	int i, n;

	for (c = ctl_commands; c->words[0] != NULL; c++) {
		n = word_count(c);
		if (n > argc || (best != NULL && n <= word_count(best)))
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(argv[i], c->words[i]) != 0)
				break;
		if (i == n)
			best = c;
	}
	return best;
}

/* "'oob' is followed by one of: set import generate" when `first` starts
 * longer commands; returns 0 when it starts none. */
static int
next_words(const char *first)
{
	const ctl_command *c;
	char list[256] = "";
	size_t used = 0;

	for (c = ctl_commands; c->words[0] != NULL; c++) {
		if (c->words[1] == NULL || strcmp(c->words[0], first) != 0)
			continue;
		int n = snprintf(list + used, sizeof(list) - used, " %s",
		    c->words[1]);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		return 0;
	ctl_err("'%s' is followed by one of:%s", first, list);
	return 1;
}

int
main(int argc, char **argv)
{
	const ctl_command *c;
	char *words[CTL_MAX_WORDS], **rest;
	int idx[CTL_MAX_WORDS];
	int n, nw, i, j, k, rc;

	if (argc < 2) {
		print_help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("idprovctl %s\n", IDPROV_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if ((c = match(argc - 2, argv + 2)) == NULL ||
		    word_count(c) != argc - 2) {
			ctl_err("there is no command '%s'", argv[2]);
			print_help(stderr);
			return 2;
		}
		ctl_print_usage(stdout, c);
		printf("%s\n", c->help);
		return 0;
	}

	/* The command words may follow connection options
	 * (idprovctl --server U oob set ...): find them, then hand the
	 * command everything else, options included. */
	ctl_words_find(argc, argv, 1, idx, CTL_MAX_WORDS, &nw);
	for (i = 0; i < nw; i++)
		words[i] = argv[idx[i]];
	if (nw == 0 || (c = match(nw, words)) == NULL) {
		if (nw == 0)
			ctl_err("no command given");
		else if (!next_words(words[0]))
			ctl_err("unknown command '%s'", words[0]);
		print_help(stderr);
		return 2;
	}
	n = word_count(c);
	rest = calloc((size_t)argc, sizeof(*rest));
	if (rest == NULL)
		return ctl_fail("out of memory");
	for (i = 1, k = 0, j = 0; i < argc; i++) {
		if (j < n && i == idx[j]) {
			j++;
			continue;
		}
		rest[k++] = argv[i];
	}
	if (k > 0 && (strcmp(rest[0], "--help") == 0 ||
	    strcmp(rest[0], "-h") == 0)) {
		ctl_print_usage(stdout, c);
		printf("%s\n", c->help);
		free(rest);
		return 0;
	}
	rc = c->run(k, rest);
	free(rest);
	return rc;
}
