/*
 * exitcode.h - what idprovctl's exit status means (docs/admin-cli.md).
 * Scripts branch on these, so they never change meaning.
 */
#ifndef IDPROVCTL_EXITCODE_H
#define IDPROVCTL_EXITCODE_H

#include <idprov/status.h>

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1,	/* the server refused or the operation failed */
	CTL_EXIT_USAGE = 2,	/* bad command line or configuration */
	CTL_EXIT_UNREACHABLE = 3,/* no HTTPS conversation with the server */
	CTL_EXIT_BAD_INPUT = 4,	/* an input file (CSV, key, certificate) is bad */
	CTL_EXIT_OUTPUT = 5	/* an output file exists or cannot be written */
};

/* The exit status for a failing idprov_status from a command's work. */
int ctl_exit_for(idprov_status st);

#endif
