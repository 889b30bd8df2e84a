/*
 * csv.h - the OOB secret file of `idprovctl oob import`:
 *     deviceID,secret[,validUntil]
 * one row a line, comma-separated, an optional header line
 * "deviceID,secret[,validUntil]" (any case), UTF-8 (a leading BOM is
 * skipped), LF or CRLF, blank lines ignored.  A field may be quoted with
 * double quotes ("a,b" and "say ""hi"""), but may not span lines; a quote
 * inside an unquoted field is refused.  Spaces and tabs around an unquoted
 * field are dropped; inside quotes they are kept.
 *
 * The whole file is checked before anything is sent, and every bad line is
 * reported by number.  The messages never contain a secret.
 */
#ifndef IDPROVCTL_CSV_H
#define IDPROVCTL_CSV_H

#include <stddef.h>
#include <time.h>
#include "lib/core/error.h"

#define CTL_SECRET_MAX 256		/* bytes; the server's limit */
#define CTL_CSV_MAX_FILE (64u << 20)	/* bytes */

typedef struct ctl_oob_row {
	char *device_id;
	char *secret;
	char *valid_until;	/* "" = the server's default lifetime */
	size_t line;		/* 1-based line number in the file */
} ctl_oob_row;

typedef struct ctl_csv_problem {
	size_t line;
	char msg[200];		/* "line 7: the secret is empty" */
} ctl_csv_problem;

typedef struct ctl_oob_table {
	ctl_oob_row *rows;
	size_t n_rows, cap_rows;
	ctl_csv_problem *problems;
	size_t n_problems, cap_problems;
} ctl_oob_table;

/*
 * Parse and check data[0..len).  `now` is the time validUntil must be
 * after.  IDPROV_OK when every row is good (out->rows), IDPROV_ERR_INVALID
 * when some are not (out->problems lists all of them, in line order, and
 * err says how many), IDPROV_ERR_NOMEM.  Free with ctl_oob_table_free.
 */
idprov_status ctl_csv_parse_oob(const char *data, size_t len, time_t now,
    ctl_oob_table *out, idprov_error *err);

void ctl_oob_table_free(ctl_oob_table *t);

#endif
