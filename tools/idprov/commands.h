/*
 * commands.h - the commands of `idprov` and what they share.
 *
 * Exit codes (the same for every command but `discover`, which documents
 * its own):
 */
#ifndef IDPROV_TOOL_COMMANDS_H
#define IDPROV_TOOL_COMMANDS_H

#include <stddef.h>
#include <idprov/idprov.h>

#define EXIT_OK 0
#define EXIT_FAIL 1		/* anything not listed below */
#define EXIT_USAGE 2		/* bad command line */
#define EXIT_WAITING 3		/* still Waiting for the OOB secret at the deadline */
#define EXIT_REJECTED 4		/* the server rejected the request */
#define EXIT_UNTRUSTED 5	/* the server could not be trusted */
#define EXIT_IO 6		/* the state folder could not be read or written */
#define EXIT_NETWORK 7		/* the server could not be reached */
#define EXIT_EXPIRED 8		/* the certificate expired: a new OOB secret is needed */
#define EXIT_NOT_PROVISIONED 9	/* no certificate yet */

int cmd_provision(int argc, char **argv);
int cmd_renew(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_discover(int argc, char **argv);

/* What the commands' options fill in (opts.c). */
typedef struct tool_opts {
	const char *device;	/* --device */
	const char *server;	/* --server */
	const char *dir;	/* --dir, else $IDPROV_DIR, else ./idprov-state */
	const char *secret_arg;	/* --secret */
	const char *secret_file;/* --secret-file */
	int secret_stdin;	/* --secret-stdin */
	long long timeout;	/* --timeout, seconds; 0 = not given */
	int rotate_key;		/* --rotate-key */
	const char *on_renew;	/* --on-renew */
	int once;		/* --once (run: one step, for tests) */
} tool_opts;

/* Option letters a command accepts, from this set:
 * d device, s server, D dir, S secret (and -file/-stdin), t timeout,
 * r rotate-key, o on-renew, 1 once. */
int tool_parse(int argc, char **argv, const char *accepted, tool_opts *o,
    void (*usage)(void));

/* The state folder from the options or the environment. */
const char *tool_dir(const tool_opts *o);

/* Read the secret from --secret, --secret-file or --secret-stdin.
 * *secret is malloc'd; free it with tool_secret_free.  0 on success,
 * an exit code after printing the reason otherwise; 0 and *secret NULL
 * when none was given and `required` is 0. */
int tool_secret(const tool_opts *o, int required, char **secret,
    size_t *len);
void tool_secret_free(char *secret, size_t len);

/* A client for the options (server set when given).  0 or an exit code. */
int tool_client(const tool_opts *o, idprov_client **c);

/* Print the client's sentence ("idprov: ...") and map st to an exit code. */
int tool_fail(idprov_client *c, idprov_status st);
int tool_exit_code(idprov_status st);

/* "3d 4h", "12m 5s", "expired" */
void tool_fmt_left(long long seconds, char *out, size_t out_len);

#endif
