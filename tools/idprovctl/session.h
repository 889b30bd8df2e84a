/*
 * session.h - what every server command does first: parse its options,
 * resolve the connection settings, open the HTTPS connection; and the
 * printing helpers the commands share.
 */
#ifndef IDPROVCTL_SESSION_H
#define IDPROVCTL_SESSION_H

#include <stddef.h>
#include <jansson.h>

#include "conn.h"
#include "exitcode.h"
#include "opts.h"
#include "settings.h"

/*
 * Parse argv for command `cmd` (e.g. "oob set") with its own options and
 * between min_pos and max_pos positional arguments.  Returns 0, or the exit
 * code after printing the problem (and the usage).
 */
int ctl_session_args(const char *cmd, int argc, char **argv,
    const ctl_opt *own, int min_pos, int max_pos, ctl_args *a);

/* Resolve the settings from a's options and connect.  Returns 0, or the
 * exit code after printing one sentence. */
int ctl_session_connect(const ctl_args *a, ctl_conn **conn);

/*
 * Send one request and check the answer (ctl_conn_check).  On success
 * returns 0 with the answer in r (free it); otherwise prints the sentence
 * and returns the exit code (r is freed).
 */
int ctl_session_call(ctl_conn *conn, const char *method, const char *path,
    const char *body, size_t body_len, const char *what, ctl_response *r);

/* Print a JSON value on stdout, indented, with a newline. */
void ctl_print_json(json_t *v);

/* ---- a human table: columns sized to their widest cell ---- */
typedef struct ctl_table {
	int n_cols;
	size_t n_rows, cap;
	char **cells;		/* n_rows * n_cols, malloc'd strings */
} ctl_table;

void ctl_table_init(ctl_table *t, int n_cols, const char *const *header);
/* Add a row of n_cols strings (NULL is printed as "-"). */
void ctl_table_add(ctl_table *t, const char *const *row);
void ctl_table_print(const ctl_table *t, FILE *f);
void ctl_table_free(ctl_table *t);

/* ---- progress on a terminal ---- */
typedef struct ctl_progress {
	int on;			/* stderr is a terminal and not quiet */
	size_t total;
	int last_pct;
} ctl_progress;

void ctl_progress_start(ctl_progress *p, size_t total, int quiet);
void ctl_progress_update(ctl_progress *p, size_t done);
void ctl_progress_end(ctl_progress *p);

/* 1 if path exists (any kind of file). */
int ctl_path_exists(const char *path);

/* Wait for an exclusive flock on the folder dir, so that two runs writing
 * into it (ca init, oob generate) do not both find it free and mix their
 * files.  The descriptor to close() when done, or -1 when no lock can be
 * had (the run then goes on unlocked). */
int ctl_lock_dir(const char *dir);

/* An --out FILE may be written: it does not exist, or it is a regular file
 * and force is set.  Anything else (a device such as /dev/null, a link
 * such as /dev/stdout, a folder, a pipe) is never replaced, --force or
 * not: the save renames over the path.  0, or CTL_EXIT_OUTPUT after the
 * message. */
int ctl_output_ok(const char *path, int force);

/* Read an input file (CSV, key, certificate) of at most max bytes, as
 * idprov_file_read does; a pipe is read without waiting for a writer to
 * come (a FIFO nobody writes to reads as empty, never a hang), so
 * <(command) works. */
idprov_status ctl_input_read(const char *path, size_t max, char **out,
    size_t *len, idprov_error *err);

#endif
