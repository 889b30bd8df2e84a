/*
 * opts.h - idprovctl's command line: long options anywhere on the line
 * (before or after the command words and positional arguments), as
 * "--name value" or "--name=value"; "--" ends the options.
 *
 * Every command accepts the connection options (CTL_CONN_OPTS) besides its
 * own, so `idprovctl oob set --server U dev1` and
 * `idprovctl --server U oob set dev1` mean the same.
 */
#ifndef IDPROVCTL_OPTS_H
#define IDPROVCTL_OPTS_H

#include "lib/core/error.h"

#define CTL_MAX_OPTS 32
#define CTL_MAX_POS 16

typedef struct ctl_opt {
	const char *name;	/* without the leading "--"; NULL ends a list */
	int takes_value;
} ctl_opt;

/* The options every command understands: server cert key ca config. */
extern const ctl_opt ctl_conn_opts[];

typedef struct ctl_args {
	const ctl_opt *spec[CTL_MAX_OPTS];	/* known options, both lists */
	const char *value[CTL_MAX_OPTS];	/* NULL when absent; "" for a flag */
	int n_spec;
	const char *pos[CTL_MAX_POS];		/* positional arguments, in order */
	int n_pos;
	int help;				/* -h or --help was given */
} ctl_args;

/*
 * Parse argv[0..argc) (no program name, no command words) against the
 * connection options plus `own` (may be NULL).  `cmd` names the command in
 * error sentences ("oob set").  IDPROV_ERR_INVALID with a sentence for an
 * unknown option, a missing value, an option given twice, or more than
 * max_pos positional arguments.
 */
idprov_status ctl_args_parse(int argc, char **argv, const char *cmd,
    const ctl_opt *own, int max_pos, ctl_args *out, idprov_error *err);

/* The value of --name, "" for a flag that was given, NULL when absent. */
const char *ctl_arg(const ctl_args *a, const char *name);
/* 1 when --name was given. */
int ctl_flag(const ctl_args *a, const char *name);

/*
 * Find the command words: the leading positional arguments of argv[from..
 * argc), skipping connection options (and their values) placed before or
 * between them, and stopping at the first other option.  Their indexes go
 * to idx[0..*n) (at most max).
 */
void ctl_words_find(int argc, char **argv, int from, int idx[], int max,
    int *n);

#endif
