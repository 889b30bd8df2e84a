/*
 * generate.c - `idprovctl oob generate --count N --prefix P [--out DIR]`:
 * strong secrets for a batch of devices, as a CSV for the factory and one
 * QR code sticker (SVG) per device; --upload posts them too.
 *
 * Both kinds of file hold secrets: they are written atomically with mode
 * 0600, and an existing one is never replaced without --force.  File names
 * come from the generated deviceIDs, whose prefix is checked to be a safe
 * file name part ([A-Za-z0-9._-], not starting with '.').
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "csv.h"
#include "qrsvg.h"
#include "secret.h"
#include "session.h"
#include "upload.h"
#include "validity.h"
#include "lib/core/buf.h"
#include "lib/core/fileio.h"
#include "lib/core/validate.h"

#define MAX_COUNT 100000

static const ctl_opt own[] = {
	{ "count", 1 },
	{ "prefix", 1 },
	{ "out", 1 },
	{ "start", 1 },
	{ "upload", 0 },
	{ "force", 0 },
	{ "quiet", 0 },
	{ "valid-for", 1 },
	{ "valid-until", 1 },
	{ NULL, 0 }
};

/* The signal that asked this run to stop while it writes the batch. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Catch the stop signals (on = 1) while the batch is written, so a Ctrl-C
 * removes the batch's files instead of leaving QR codes whose secrets
 * are in no CSV; or put back what was there (on = 0). */
static void catch_stops(int on, struct sigaction old[3])
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		if (on)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
	}
}

static int prefix_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > 48 || p[0] == '.')
		return 0;
	for (; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	return 1;
}

static int parse_count(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= min &&
	    *out <= max;
}

static void rows_free(ctl_oob_row *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].device_id);
		if (rows[i].secret)
			OPENSSL_cleanse(rows[i].secret, strlen(rows[i].secret));
		free(rows[i].secret);
		free(rows[i].valid_until);
	}
	free(rows);
}

/* The CSV the factory gets: header line, one row per device. */
static char *csv_text(const ctl_oob_row *rows, size_t n, size_t *len)
{
	idprov_buf b = IDPROV_BUF_INIT;

	idprov_buf_append_str(&b, "deviceID,secret,validUntil\n");
	for (size_t i = 0; i < n; i++) {
		idprov_buf_append_str(&b, rows[i].device_id);
		idprov_buf_append_char(&b, ',');
		idprov_buf_append_str(&b, rows[i].secret);
		idprov_buf_append_char(&b, ',');
		idprov_buf_append_str(&b, rows[i].valid_until);
		idprov_buf_append_char(&b, '\n');
	}
	return idprov_buf_take(&b, len);
}

/*
 * A write failed (a full disk, most often) before secrets.csv was saved:
 * the QR codes written so far hold secrets that are in no CSV and were
 * never uploaded, so they are useless.  Remove the ones this run created
 * (and the --out folder if this run made it) and say what is left and how
 * to go on.  Returns CTL_EXIT_OUTPUT.
 */
static int write_failed(const idprov_error *err, const char *dir,
    const ctl_oob_row *rows, const char *fresh, long written, int made_dir)
{
	char path[PATH_MAX];
	long replaced = 0;

	for (long i = 0; i < written; i++) {
		if (!fresh[i]) {
			replaced++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.svg", dir,
		    rows[i].device_id);
		(void)unlink(path);
	}
	if (made_dir)
		(void)rmdir(dir);
	if (replaced == 0)
		ctl_err("%s; nothing of this batch was kept (its secrets were "
		    "neither saved nor uploaded): run the same command again "
		    "once that is fixed", err->msg);
	else
		ctl_err("%s; %ld existing QR code%s in %s %s replaced by %s "
		    "of this failed batch, whose secrets were neither saved "
		    "nor uploaded: run the same command again with --force "
		    "once that is fixed", err->msg, replaced, replaced == 1 ?
		    "" : "s", dir, replaced == 1 ? "was" : "were",
		    replaced == 1 ? "one" : "ones");
	return CTL_EXIT_OUTPUT;
}

/*
 * A copy of --out without trailing slashes, so that the README's
 * "--out batch-7/" reports batch-7/secrets.csv, not batch-7//secrets.csv.
 * "/" stays "/".  NULL when out of memory.
 */
static char *folder_name(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strndup(dir, n);
}

int ctl_oob_generate(int argc, char **argv)
{
	const char *prefix, *dir;
	ctl_oob_row *rows = NULL;
	ctl_conn *conn = NULL;
	ctl_upload_result res;
	char until[32], path[PATH_MAX];
	char *dir_copy = NULL;
	long count, start = 1;
	int digits, rc, force, made_dir = 0;
	long written = 0;	/* SVGs of this batch on disk */
	char *fresh = NULL;	/* per row: its SVG did not exist before */
	ctl_args a;
	idprov_error err;
	char *text = NULL;
	size_t len = 0;
	struct sigaction old_sa[3];
	int caught = 0, lock = -1;

	if ((rc = ctl_session_args("oob generate", argc, argv, own, 0, 0,
	    &a)) != 0)
		return rc;
	if (!ctl_arg(&a, "count") || !ctl_arg(&a, "prefix"))
		return ctl_usage_error("oob generate", "--count and --prefix "
		    "are needed");
	if (!parse_count(ctl_arg(&a, "count"), 1, MAX_COUNT, &count))
		return ctl_usage_error("oob generate", "--count must be a "
		    "number from 1 to %d", MAX_COUNT);
	if (ctl_arg(&a, "start") && !parse_count(ctl_arg(&a, "start"), 0,
	    100000000L, &start))
		return ctl_usage_error("oob generate", "--start must be a "
		    "number from 0 to 100000000");
	prefix = ctl_arg(&a, "prefix");
	if (!prefix_ok(prefix))
		return ctl_usage_error("oob generate", "--prefix must be 1 to "
		    "48 of the characters A-Z a-z 0-9 . _ - and not start with "
		    "'.' (it becomes part of file names)");
	if ((rc = ctl_validity_from_args(&a, "oob generate", until)) != 0)
		return rc;
	dir = ctl_arg(&a, "out") ? ctl_arg(&a, "out") : ".";
	force = ctl_flag(&a, "force");
	digits = snprintf(NULL, 0, "%ld", start + count - 1);
	if (digits < 4)
		digits = 4;

	rows = calloc((size_t)count, sizeof(*rows));
	if (!rows)
		return ctl_fail("out of memory");
	idprov_error_clear(&err);
	for (long i = 0; i < count; i++) {
		char id[IDPROV_DEVICE_ID_MAX + 8];
		char sec[CTL_SECRET_CHARS + 1];

		snprintf(id, sizeof(id), "%s%0*ld", prefix, digits, start + i);
		if (idprov_validate_device_id(id, &err) != IDPROV_OK) {
			rc = ctl_usage_error("oob generate", "%s", err.msg);
			goto out;
		}
		if (ctl_secret_generate(sec, &err) != IDPROV_OK) {
			rc = ctl_fail("%s", err.msg);
			goto out;
		}
		rows[i].device_id = strdup(id);
		rows[i].secret = strdup(sec);
		rows[i].valid_until = strdup(until);
		rows[i].line = (size_t)i + 2;	/* CSV line (after header) */
		OPENSSL_cleanse(sec, sizeof(sec));
		if (!rows[i].device_id || !rows[i].secret ||
		    !rows[i].valid_until) {
			rc = ctl_fail("out of memory");
			goto out;
		}
	}

	if (!(dir_copy = folder_name(dir))) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	dir = dir_copy;
	/* Refuse before writing anything, so a batch is never half replaced. */
	made_dir = !ctl_path_exists(dir);
	if (idprov_mkdir_p(dir, 0700, &err) != IDPROV_OK) {
		ctl_err("%s", err.msg);
		rc = CTL_EXIT_OUTPUT;
		goto out;
	}
	/* Two batches at once would both find the folder free and mix
	 * their QR codes under one CSV. */
	lock = ctl_lock_dir(dir);
	if (!force) {
		snprintf(path, sizeof(path), "%s/secrets.csv", dir);
		if (ctl_path_exists(path)) {
			ctl_err("%s exists; give --force to replace it", path);
			rc = CTL_EXIT_OUTPUT;
			goto out;
		}
		for (long i = 0; i < count; i++) {
			snprintf(path, sizeof(path), "%s/%s.svg", dir,
			    rows[i].device_id);
			if (ctl_path_exists(path)) {
				ctl_err("%s exists; give --force to replace "
				    "it", path);
				rc = CTL_EXIT_OUTPUT;
				goto out;
			}
		}
	}
	if (!(fresh = calloc((size_t)count, 1))) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	catch_stops(1, old_sa);
	caught = 1;
	for (long i = 0; i < count; i++) {
		char *payload = ctl_qr_payload(rows[i].device_id,
		    rows[i].secret);
		char *svg = NULL;
		size_t svg_len = 0;
		idprov_status st;

		if (!payload) {
			rc = ctl_fail("out of memory");
			goto out;
		}
		st = ctl_qr_svg(payload, rows[i].device_id, &svg, &svg_len,
		    &err);
		OPENSSL_cleanse(payload, strlen(payload));
		free(payload);
		if (st == IDPROV_OK) {
			snprintf(path, sizeof(path), "%s/%s.svg", dir,
			    rows[i].device_id);
			fresh[i] = !ctl_path_exists(path);
			st = idprov_file_write_atomic(path, svg, svg_len, 0600,
			    &err);
			if (st == IDPROV_OK)
				written = i + 1;
			OPENSSL_cleanse(svg, svg_len);
		}
		free(svg);
		if (st == IDPROV_OK && stop_signal)
			st = idprov_error_set(&err, IDPROV_ERR_IO, "stopped by "
			    "signal %d", (int)stop_signal);
		if (st != IDPROV_OK) {
			rc = write_failed(&err, dir, rows, fresh, written,
			    made_dir);
			goto out;
		}
	}
	text = csv_text(rows, (size_t)count, &len);
	if (!text) {
		rc = ctl_fail("out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/secrets.csv", dir);
	if (idprov_file_write_atomic(path, text, len, 0600, &err) !=
	    IDPROV_OK) {
		rc = write_failed(&err, dir, rows, fresh, written, made_dir);
		goto out;
	}
	/* The batch is whole: a stop from now on ends the run as usual. */
	catch_stops(0, old_sa);
	caught = 0;
	if (stop_signal)
		raise(stop_signal);
	printf("generated %ld secret%s: %s and %ld QR code%s (%s%0*ld.svg ... "
	    "%s%0*ld.svg) in %s\n", count, count == 1 ? "" : "s", path, count,
	    count == 1 ? "" : "s", prefix, digits, start, prefix, digits,
	    start + count - 1, dir);

	if (ctl_flag(&a, "upload")) {
		if ((rc = ctl_session_connect(&a, &conn)) != 0)
			goto out;
		rc = ctl_upload_secrets(conn, rows, (size_t)count, path,
		    ctl_flag(&a, "quiet"), &res);
		if (rc == 0)
			printf("uploaded %zu secret%s in %zu request%s\n",
			    res.stored, res.stored == 1 ? "" : "s",
			    res.requests, res.requests == 1 ? "" : "s");
	}
out:
	if (text) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	rows_free(rows, (size_t)count);
	free(fresh);
	free(dir_copy);
	ctl_conn_close(conn);
	if (lock >= 0)
		close(lock);	/* releases the flock */
	if (caught) {
		/* What was written is removed: end as the signal would have. */
		catch_stops(0, old_sa);
		if (stop_signal)
			raise(stop_signal);
	}
	return rc;
}
