/*
 * main.c - `idprov`, the device's command: a thin shell over libidprov.
 * Each command lives in its own cmd_*.c file and is listed once below.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "provision", cmd_provision, "get a certificate with an OOB secret" },
	{ "renew", cmd_renew, "renew the certificate over mutual TLS" },
	{ "show", cmd_show, "print the saved certificate" },
	{ "run", cmd_run, "stay running: provision if needed, renew in time" },
#ifdef IDPROV_HAVE_CMD_DISCOVER
	{ "discover", cmd_discover, "list IDProv servers found by DNS-SD" },
#endif
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: idprov COMMAND [options]   (idprov COMMAND --help)"
	    "\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 other failure, 2 usage, 3 still "
	    "waiting at the deadline,\n4 rejected, 5 untrusted server, 6 "
	    "state folder I/O, 7 server unreachable,\n8 certificate expired "
	    "(new OOB secret needed), 9 not provisioned\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("idprov %s\n", IDPROV_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "idprov: unknown command \"%s\" (idprov --help "
	    "lists them)\n", argv[1]);
	return EXIT_USAGE;
}
