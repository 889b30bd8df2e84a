/*
 * session.c - the steps every server command shares, so that each command
 * file holds only what is particular to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/fileio.h"

int ctl_exit_for(idprov_status st)
{
	switch (st) {
	case IDPROV_OK:
		return CTL_EXIT_OK;
	case IDPROV_ERR_NETWORK:
	case IDPROV_ERR_TIMEOUT:
	case IDPROV_ERR_UNTRUSTED:
		return CTL_EXIT_UNREACHABLE;
	case IDPROV_ERR_INVALID:
	case IDPROV_ERR_TOO_LARGE:
		return CTL_EXIT_BAD_INPUT;
	default:
		return CTL_EXIT_REFUSED;
	}
}

int ctl_session_args(const char *cmd, int argc, char **argv,
    const ctl_opt *own, int min_pos, int max_pos, ctl_args *a)
{
	idprov_error err;

	idprov_error_clear(&err);
	if (ctl_args_parse(argc, argv, cmd, own, max_pos, a, &err) !=
	    IDPROV_OK)
		return ctl_usage_error(cmd, "%s", err.msg);
	if (a->help) {
		const ctl_command *c = ctl_command_lookup(cmd);

		if (c) {
			ctl_print_usage(stdout, c);
			printf("%s\n", c->help);
		}
		exit(0);
	}
	if (a->n_pos < min_pos)
		return ctl_usage_error(cmd, "'%s' needs %d argument%s", cmd,
		    min_pos, min_pos == 1 ? "" : "s");
	return 0;
}

int ctl_session_connect(const ctl_args *a, ctl_conn **conn)
{
	ctl_settings_flags fl = {
		ctl_arg(a, "server"), ctl_arg(a, "cert"), ctl_arg(a, "key"),
		ctl_arg(a, "ca"), ctl_arg(a, "config")
	};
	ctl_settings s;
	idprov_error err;
	idprov_status st;

	idprov_error_clear(&err);
	*conn = NULL;
	if ((st = ctl_settings_resolve(&fl, &s, &err)) != IDPROV_OK) {
		ctl_err("%s", err.msg);
		return CTL_EXIT_USAGE;
	}
	if ((st = ctl_conn_open(&s, conn, &err)) != IDPROV_OK) {
		ctl_err("%s", err.msg);
		return st == IDPROV_ERR_NOMEM ? CTL_EXIT_REFUSED :
		    CTL_EXIT_BAD_INPUT;
	}
	return 0;
}

int ctl_session_call(ctl_conn *conn, const char *method, const char *path,
    const char *body, size_t body_len, const char *what, ctl_response *r)
{
	idprov_error err;
	idprov_status st;

	idprov_error_clear(&err);
	st = ctl_conn_request(conn, method, path, body, body_len, r, &err);
	if (st == IDPROV_OK)
		st = ctl_conn_check(conn, r, what, &err);
	if (st == IDPROV_OK)
		return 0;
	ctl_response_free(r);
	ctl_err("%s", err.msg);
	return ctl_exit_for(st);
}

void ctl_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		puts(s);
		free(s);
	}
}

/* ---- table ---- */
void ctl_table_init(ctl_table *t, int n_cols, const char *const *header)
{
	memset(t, 0, sizeof(*t));
	t->n_cols = n_cols;
	ctl_table_add(t, header);
}

void ctl_table_add(ctl_table *t, const char *const *row)
{
	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->cells, cap * (size_t)t->n_cols *
		    sizeof(*p));

		if (!p)
			ctl_die("out of memory");
		t->cells = p;
		t->cap = cap;
	}
	for (int i = 0; i < t->n_cols; i++) {
		char *s = strdup(row[i] && row[i][0] ? row[i] : "-");

		if (!s)
			ctl_die("out of memory");
		/* a cell is one line: control characters become '?', C1
		 * (U+0080..U+009F, two bytes in UTF-8) too: U+009B is CSI */
		for (unsigned char *p = (unsigned char *)s; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				*p = '?';
			else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
				p[0] = p[1] = '?';
		t->cells[t->n_rows * (size_t)t->n_cols + (size_t)i] = s;
	}
	t->n_rows++;
}

/* Display width of UTF-8 text: one column per code point. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void ctl_table_print(const ctl_table *t, FILE *f)
{
	size_t w[16] = { 0 };
	int nc = t->n_cols < 16 ? t->n_cols : 16;

	for (size_t r = 0; r < t->n_rows; r++)
		for (int c = 0; c < nc; c++) {
			size_t cw = width(t->cells[r * (size_t)t->n_cols +
			    (size_t)c]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->n_rows; r++) {
		for (int c = 0; c < nc; c++) {
			const char *s = t->cells[r * (size_t)t->n_cols +
			    (size_t)c];

			fputs(s, f);
			if (c + 1 < nc)
				for (size_t k = width(s); k < w[c] + 2; k++)
					fputc(' ', f);
		}
		fputc('\n', f);
	}
}

void ctl_table_free(ctl_table *t)
{
	for (size_t i = 0; i < t->n_rows * (size_t)t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* ---- progress ---- */
void ctl_progress_start(ctl_progress *p, size_t total, int quiet)
{
	p->on = !quiet && isatty(STDERR_FILENO);
	p->total = total;
	p->last_pct = -1;
	ctl_progress_update(p, 0);
}

void ctl_progress_update(ctl_progress *p, size_t done)
{
	int pct, bars;
	char bar[41];

	if (!p->on || p->total == 0)
		return;
	pct = (int)(done * 100 / p->total);
	if (pct == p->last_pct)
		return;
	p->last_pct = pct;
	bars = pct * 40 / 100;
	memset(bar, '#', (size_t)bars);
	memset(bar + bars, ' ', (size_t)(40 - bars));
	bar[40] = '\0';
	fprintf(stderr, "\r[%s] %3d%% %zu/%zu", bar, pct, done, p->total);
	fflush(stderr);
}

void ctl_progress_end(ctl_progress *p)
{
	if (p->on)
		fputc('\n', stderr);
}

int ctl_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* All of a pipe, at most max bytes, into *out (NUL-terminated). */
static idprov_status read_pipe(int fd, const char *path, size_t max,
    char **out, size_t *len, idprov_error *err)
{
	size_t used = 0, cap = 4096;
	char *buf = malloc(cap + 1), *grown;
	ssize_t n;

	if (!buf)
		return idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory");
	for (;;) {
		if (used == cap) {
			if (cap > max) {
				free(buf);
				return idprov_error_set(err,
				    IDPROV_ERR_TOO_LARGE, "%s is larger than "
				    "%zu bytes", path, max);
			}
			cap *= 2;
			if (!(grown = realloc(buf, cap + 1))) {
				free(buf);
				return idprov_error_set(err, IDPROV_ERR_NOMEM,
				    "out of memory");
			}
			buf = grown;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return idprov_error_set(err, IDPROV_ERR_IO, "cannot read "
			    "%s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE, "%s is larger "
		    "than %zu bytes", path, max);
	}
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	return IDPROV_OK;
}

idprov_status ctl_input_read(const char *path, size_t max, char **out,
    size_t *len, idprov_error *err)
{
	struct stat st;
	idprov_status rc;
	int fd, flags;

	/* Opened without waiting: a FIFO that nobody writes to would block
	 * open() for ever; this way it reads as empty.  A pipe that has a
	 * writer (oob import <(gpg -d secrets.csv.gpg)) is read whole. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		if ((flags = fcntl(fd, F_GETFL)) != -1)
			(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		*out = NULL;
		rc = read_pipe(fd, path, max, out, len, err);
		close(fd);
		return rc;
	}
	if (fd >= 0)
		close(fd);
	return idprov_file_read(path, max, out, len, err);
}

int ctl_output_ok(const char *path, int force)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	/* The rename would replace a link itself (/dev/stdout), not what
	 * it points to. */
	if (!S_ISREG(st.st_mode)) {
		ctl_err("%s is %s, not a regular file: give another --out",
		    path, S_ISDIR(st.st_mode) ? "a folder" : S_ISLNK(st.st_mode) ?
		    "a symbolic link" : S_ISFIFO(st.st_mode) ? "a pipe" :
		    "a device or socket");
		return CTL_EXIT_OUTPUT;
	}
	if (!force) {
		ctl_err("%s exists; give --force to replace it", path);
		return CTL_EXIT_OUTPUT;
	}
	return 0;
}

int ctl_lock_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}
