/*
 * main.c - idprovctl: find the command named by the leading words of the
 * command line and run it.  Adding a command is one line in the table.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#ifndef IDPROV_VERSION
#define IDPROV_VERSION "unknown"
#endif

const ctl_command ctl_commands[] = {
	{ { "ca", "init" }, ctl_ca_init,
	    "--dir DIR [--hosts NAME,IP,...] [--org NAME] [--days N] [--force]",
	    "create a CA, a server certificate and an admin certificate" },
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
	    "  idprovctl --version      the version\n", f);
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

int
main(int argc, char **argv)
{
	const ctl_command *c;
	int n;

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

	if ((c = match(argc - 1, argv + 1)) == NULL) {
		ctl_err("unknown command '%s'", argv[1]);
		print_help(stderr);
		return 2;
	}
	n = word_count(c);
	if (argc > 1 + n && (strcmp(argv[1 + n], "--help") == 0 ||
	    strcmp(argv[1 + n], "-h") == 0)) {
		ctl_print_usage(stdout, c);
		printf("%s\n", c->help);
		return 0;
	}
	return c->run(argc - 1 - n, argv + 1 + n);
}
