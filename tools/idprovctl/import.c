/*
 * import.c - `idprovctl oob import FILE.csv`: check the whole file, report
 * every bad line, and only then upload (upload.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "csv.h"
#include "session.h"
#include "upload.h"
#include "lib/core/fileio.h"

static const ctl_opt own[] = {
	{ "quiet", 0 },
	{ "check", 0 },		/* validate only, send nothing */
	{ NULL, 0 }
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int ctl_oob_import(int argc, char **argv)
{
	ctl_oob_table table = { 0 };
	ctl_upload_result res;
	struct timespec t0;
	ctl_args a;
	ctl_conn *conn = NULL;
	idprov_error err;
	idprov_status st;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ctl_session_args("oob import", argc, argv, own, 1, 1, &a)) !=
	    0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	idprov_error_clear(&err);
	st = ctl_input_read(a.pos[0], CTL_CSV_MAX_FILE, &data, &len, &err);
	if (st != IDPROV_OK) {
		ctl_err("%s", err.msg);
		return CTL_EXIT_BAD_INPUT;
	}
	st = ctl_csv_parse_oob(data, len, time(NULL), &table, &err);
	OPENSSL_cleanse(data, len);
	free(data);
	if (st != IDPROV_OK) {
		for (size_t i = 0; i < table.n_problems; i++)
			fprintf(stderr, "%s: %s\n", a.pos[0],
			    table.problems[i].msg);
		ctl_err("%s: %s; nothing was uploaded", a.pos[0], err.msg);
		rc = st == IDPROV_ERR_NOMEM ? CTL_EXIT_REFUSED :
		    CTL_EXIT_BAD_INPUT;
		goto out;
	}
	if (ctl_flag(&a, "check")) {
		printf("%s: %zu rows, all good; nothing was uploaded "
		    "(--check)\n", a.pos[0], table.n_rows);
		goto out;
	}
	if ((rc = ctl_session_connect(&a, &conn)) != 0)
		goto out;
	rc = ctl_upload_secrets(conn, table.rows, table.n_rows, a.pos[0],
	    ctl_flag(&a, "quiet"), &res);
	if (rc == 0)
		printf("imported %zu secret%s from %s in %zu request%s "
		    "(%.2f s)\n", res.stored, res.stored == 1 ? "" : "s",
		    a.pos[0], res.requests, res.requests == 1 ? "" : "s",
		    seconds_since(&t0));
out:
	ctl_oob_table_free(&table);
	ctl_conn_close(conn);
	return rc;
}
