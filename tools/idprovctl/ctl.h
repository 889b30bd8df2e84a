/*
 * ctl.h - how idprovctl's commands plug into main.c.
 *
 * A command is a function in its own file plus one line in main.c's
 * ctl_commands[] table (and its prototype below).  main.c matches the
 * leading words of the command line against the table and calls run()
 * with the arguments that follow the command words: argv[0..argc) holds
 * neither the program name nor the command words.  "-h"/"--help" right
 * after the words prints the command's usage without calling run().
 *
 * The connection options (--server --cert --key --ca --config, opts.h) may
 * also stand before the command words; main.c moves them after.
 *
 * Exit codes (exitcode.h, docs/admin-cli.md): 0 success, 1 failure (the
 * operation failed or was refused), 2 usage (bad command line), 3 the
 * server could not be reached, 4 a bad input file, 5 an output file exists
 * or cannot be written.  Messages go to stderr as one sentence prefixed
 * with "idprovctl: ".
 */
#ifndef IDPROVCTL_CTL_H
#define IDPROVCTL_CTL_H

#include <stdio.h>

#define CTL_MAX_WORDS 3

#if defined(__GNUC__) || defined(__clang__)
#define CTL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CTL_PRINTF(f, a)
#endif

typedef struct ctl_command {
	const char *words[CTL_MAX_WORDS];	/* {"ca", "init"}; rest NULL */
	int (*run)(int argc, char **argv);
	const char *args;	/* usage after the words: "--dir DIR [...]" */
	const char *help;	/* one line for `idprovctl help` */
} ctl_command;

/* The table, in main.c; ends with an entry whose words[0] is NULL. */
extern const ctl_command ctl_commands[];

/* The entry whose words are exactly `cmd` ("ca init"), or NULL. */
const ctl_command *ctl_command_lookup(const char *cmd);
/* "usage: idprovctl ca init --dir DIR ..." on f. */
void ctl_print_usage(FILE *f, const ctl_command *c);

/* "idprovctl: <sentence>" on stderr. */
void ctl_err(const char *fmt, ...) CTL_PRINTF(1, 2);
/* ctl_err, then return 1 (failure). */
int ctl_fail(const char *fmt, ...) CTL_PRINTF(1, 2);
/* ctl_err, then the usage of command `cmd` ("ca init"); returns 2. */
int ctl_usage_error(const char *cmd, const char *fmt, ...)
    CTL_PRINTF(2, 3);
/* ctl_err, then exit(1): for failures deep in helpers. */
_Noreturn void ctl_die(const char *fmt, ...)
    CTL_PRINTF(1, 2);

/* ---- the commands ---- */
int ctl_ca_init(int argc, char **argv);	/* ca_init.c */
int ctl_oob_set(int argc, char **argv);	/* oob.c */
int ctl_oob_import(int argc, char **argv);	/* import.c */
int ctl_oob_generate(int argc, char **argv);	/* generate.c */
int ctl_status(int argc, char **argv);	/* status.c */
int ctl_list(int argc, char **argv);	/* list.c */
int ctl_revoke(int argc, char **argv);	/* revoke.c */
int ctl_issue(int argc, char **argv);	/* issue.c */
int ctl_crl(int argc, char **argv);	/* crl.c */

#endif
