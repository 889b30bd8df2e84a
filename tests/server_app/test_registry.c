/*
 * test_registry.c - the SQLite registry alone, on a real file: creation
 * and schema version, reopening, issue/renewal/superseded/revoked rules,
 * pending, lockout, listing with paging, CRL entries and numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "server/registry.h"

static char dir[] = "/tmp/idprov-registry-test.XXXXXX";
static char path[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/idprov-registry-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
issue(srv_registry *r, const char *id, const char *serial, time_t now)
{
	srv_reg_client c = { id, "192.0.2.1", "", "127.0.0.1", "fp" };
	srv_reg_cert cert = { "PEM", serial, now - 300, now + 3600 };

	assert_int_equal(srv_registry_record_issue(r, &c, &cert, now, "test",
	    NULL), IDPROV_OK);
}

static void
test_create_and_version(void **state)
{
	srv_registry *r = NULL;
	sqlite3 *db;
	sqlite3_stmt *s;
	idprov_error err;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, &err), IDPROV_OK);
	srv_registry_close(r);
	/* Reopening an existing database does not migrate again. */
	assert_int_equal(srv_registry_open(path, &r, &err), IDPROV_OK);
	srv_registry_close(r);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), SRV_REGISTRY_SCHEMA_VERSION);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	/* A newer schema is refused by name. */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(srv_registry_open(path, &r, &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "schema version 99"));
}

static void
test_renewal_rules(void **state)
{
	srv_registry *r = NULL;
	srv_renewal v;
	time_t now = time(NULL);
	int found;
	long long n;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	/* Unknown device and certificate: made by the CA holder, may renew
	 * when renew_unknown_certificates allows it (1), not otherwise. */
	assert_int_equal(srv_registry_renewal_check(r, "d1", "AA", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "AA", 0, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_UNKNOWN);
	issue(r, "d1", "01", now);
	issue(r, "d1", "02", now);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "02", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	/* The registry's own current certificate renews either way. */
	assert_int_equal(srv_registry_renewal_check(r, "d1", "02", 0, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "01", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_SUPERSEDED);
	assert_int_equal(srv_registry_revoke(r, "d1", "stolen", 0, "p",
	    "admin", now, &found, &n, NULL), IDPROV_OK);
	assert_true(found);
	assert_int_equal(n, 2);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "02", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_REVOKED);
	/* Revoking again changes nothing; unknown devices are not found. */
	assert_int_equal(srv_registry_revoke(r, "d1", "", 0, "p", "admin",
	    now, &found, &n, NULL), IDPROV_OK);
	assert_int_equal(n, 0);
	assert_int_equal(srv_registry_revoke(r, "zz", "", 0, "p", "admin",
	    now, &found, &n, NULL), IDPROV_OK);
	assert_false(found);
	/* A new issue clears the revoked state. */
	issue(r, "d1", "03", now);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "03", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	srv_registry_close(r);
}

/* The renewal rule checked in the issuing transaction (finding F4): the
 * second renewal with one certificate, or one after a revocation, writes
 * nothing. */
static void
test_record_renewal(void **state)
{
	srv_registry *r = NULL;
	srv_reg_client c = { "d2", "192.0.2.1", "", "127.0.0.1", "fp" };
	srv_reg_cert b = { "PEM-B", "0B", 0, 0 }, x = { "PEM-C", "0C", 0, 0 };
	srv_reg_device d;
	srv_renewal v;
	time_t now = time(NULL);
	int found;
	long long n;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "d2", "0A", now);
	assert_int_equal(srv_registry_record_renewal(r, &c, &b, now, "renewal",
	    "0A", 1, &v, NULL), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	/* 0A again: superseded by 0B, nothing written. */
	assert_int_equal(srv_registry_record_renewal(r, &c, &x, now, "renewal",
	    "0A", 1, &v, NULL), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_SUPERSEDED);
	assert_int_equal(srv_registry_get_device(r, "d2", &d, &found, NULL),
	    IDPROV_OK);
	assert_true(found);
	assert_string_equal(d.serial, "0B");
	assert_int_equal(d.issue_count, 2);
	srv_reg_device_free(&d);
	/* After a revocation the current certificate cannot renew either,
	 * and the device stays revoked. */
	assert_int_equal(srv_registry_revoke(r, "d2", "stolen", 0, "p",
	    "admin", now, &found, &n, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_record_renewal(r, &c, &x, now, "renewal",
	    "0B", 1, &v, NULL), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_REVOKED);
	assert_int_equal(srv_registry_get_device(r, "d2", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "revoked");
	assert_string_equal(d.serial, "0B");
	srv_reg_device_free(&d);
	/* The registry is still usable: no transaction was left open. */
	issue(r, "d3", "0D", now);
	srv_registry_close(r);
}

typedef struct collect {
	char ids[16][100];
	int n;
} collect;

static void
on_device(const srv_reg_device *d, void *ctx)
{
	collect *c = ctx;

	snprintf(c->ids[c->n++], sizeof(c->ids[0]), "%s:%s", d->device_id,
	    d->status);
}

static void
on_revoked(const char *serial, time_t at, int reason, void *ctx)
{
	collect *c = ctx;

	(void)at;
	snprintf(c->ids[c->n++], sizeof(c->ids[0]), "%s/%d", serial, reason);
}

static void
test_lists_and_crl(void **state)
{
	srv_registry *r = NULL;
	time_t now = time(NULL);
	srv_reg_client p = { "w1", "10.0.0.1", "", "127.0.0.1", "fp" };
	const char *oob[] = { "o1", "x1" };
	collect c;
	long long total, n;
	unsigned long long num1 = 0, num2 = 0;
	int found, pending;
	srv_reg_device d;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "a1", "0A", now);
	issue(r, "b1", "0B", now);
	assert_int_equal(srv_registry_note_oob(r, oob, 2, "127.0.0.1",
	    "admin", now, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_record_pending(r, &p, now, NULL),
	    IDPROV_OK);
	assert_int_equal(srv_registry_is_pending(r, "w1", &pending, NULL),
	    IDPROV_OK);
	assert_true(pending);
	p.device_id = "x1";
	assert_int_equal(srv_registry_record_lockout(r, &p, now, NULL),
	    IDPROV_OK);

	memset(&c, 0, sizeof(c));
	assert_int_equal(srv_registry_list_devices(r, "all", 0, 100, on_device,
	    &c, &total, NULL), IDPROV_OK);
	assert_int_equal(total, 4);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.ids[0], "a1:approved");
	assert_string_equal(c.ids[2], "o1:waiting");
	assert_string_equal(c.ids[3], "x1:rejected");
	memset(&c, 0, sizeof(c));
	assert_int_equal(srv_registry_list_devices(r, "approved", 1, 1,
	    on_device, &c, &total, NULL), IDPROV_OK);
	assert_int_equal(total, 2);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.ids[0], "b1:approved");

	/* A new secret after a lockout: waiting again. */
	oob[0] = "x1";
	assert_int_equal(srv_registry_note_oob(r, oob, 1, "127.0.0.1",
	    "admin", now, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_get_device(r, "x1", &d, &found, NULL),
	    IDPROV_OK);
	assert_true(found);
	assert_string_equal(d.status, "waiting");
	srv_reg_device_free(&d);

	/* CRL: numbers grow, revoked serials with their reason. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(srv_registry_crl_entries(r, now, on_revoked, &c,
	    &num1, NULL), IDPROV_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(srv_registry_revoke(r, "a1", "keyCompromise", 1,
	    "p", "admin", now, &found, &n, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_crl_entries(r, now, on_revoked, &c,
	    &num2, NULL), IDPROV_OK);
	assert_true(num2 > num1);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.ids[0], "0A/1");
	/* Expired certificates leave the CRL. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(srv_registry_crl_entries(r, now + 7200, on_revoked,
	    &c, &num2, NULL), IDPROV_OK);
	assert_int_equal(c.n, 0);

	/* Issued: no longer pending. */
	issue(r, "w1", "0C", now);
	assert_int_equal(srv_registry_is_pending(r, "w1", &pending, NULL),
	    IDPROV_OK);
	assert_false(pending);
	srv_registry_close(r);
}

static int
count_of(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void
test_bounded_tables(void **state)
{
	srv_registry *r = NULL;
	srv_reg_client p = { NULL, "10.0.0.1", "", "127.0.0.1", "fp" };
	char id[32];
	int i, pending;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	srv_registry_set_limits(r, 20, 10, 5);
	/* 50 different deviceIDs ask without a secret, one second apart. */
	for (i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "flood-%02d", i);
		p.device_id = id;
		assert_int_equal(srv_registry_record_pending(r, &p,
		    (time_t)(1000 + i), NULL), IDPROV_OK);
	}
	srv_registry_close(r);
	assert_true(count_of("SELECT count(*) FROM audit") <= 20 + 5);
	assert_true(count_of("SELECT count(*) FROM pending") <= 10 + 5);
	/* The newest are the ones kept. */
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_is_pending(r, "flood-49", &pending,
	    NULL), IDPROV_OK);
	assert_true(pending);
	assert_int_equal(srv_registry_is_pending(r, "flood-00", &pending,
	    NULL), IDPROV_OK);
	assert_false(pending);
	srv_registry_close(r);
}

/* A provisioning whose OOB secret was posted before a revocation writes
 * nothing: it took the secret just before the revocation removed it, and
 * must not bring the device back.  A secret posted after the revocation
 * (how a revoked device comes back) issues as usual. */
static void
test_secret_issue_after_revocation(void **state)
{
	srv_registry *r = NULL;
	srv_renewal v;
	srv_reg_client c = { "d5", "192.0.2.5", "", "127.0.0.1", "fp" };
	srv_reg_cert late = { "PEM", "52", 0, 0 };
	srv_reg_cert back = { "PEM", "53", 0, 0 };
	time_t now = time(NULL);
	int found, meanwhile = -1;
	long long n;

	(void)state;
	late.not_before = back.not_before = now - 300;
	late.not_after = back.not_after = now + 3600;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "d5", "51", now - 100);
	/* The secret was posted at now-50, the revocation came at now. */
	assert_int_equal(srv_registry_revoke(r, "d5", "stolen", 0, "p",
	    "admin", now, &found, &n, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_record_secret_issue(r, &c, &late, now,
	    "OOB secret", now - 50, &meanwhile, NULL), IDPROV_OK);
	assert_int_equal(meanwhile, 1);
	assert_int_equal(srv_registry_renewal_check(r, "d5", "52", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_not_equal(v, SRV_RENEW_OK);	/* 52 was never recorded */
	/* A secret posted after the revocation brings the device back. */
	assert_int_equal(srv_registry_record_secret_issue(r, &c, &back,
	    now + 10, "OOB secret", now + 5, &meanwhile, NULL), IDPROV_OK);
	assert_int_equal(meanwhile, 0);
	assert_int_equal(srv_registry_renewal_check(r, "d5", "53", 1, &v, NULL),
	    IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	srv_registry_close(r);
}

/* Review finding 2: unauthenticated requests (pending, lockout) never
 * rewrite the row of an approved or revoked device. */
static void
test_unauthenticated_keeps_approved(void **state)
{
	srv_registry *r = NULL;
	srv_reg_client p = { "a1", "198.51.100.9", "", "203.0.113.9", "evil" };
	srv_reg_device d;
	time_t now = time(NULL);
	int found, pending;
	long long n;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "a1", "0A", now - 100);
	issue(r, "r1", "0R", now - 100);
	assert_int_equal(srv_registry_revoke(r, "r1", "stolen", 0, "p",
	    "admin", now - 50, &found, &n, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_record_pending(r, &p, now, NULL),
	    IDPROV_OK);
	assert_int_equal(srv_registry_record_lockout(r, &p, now, NULL),
	    IDPROV_OK);
	p.device_id = "r1";
	assert_int_equal(srv_registry_record_pending(r, &p, now, NULL),
	    IDPROV_OK);
	assert_int_equal(srv_registry_record_lockout(r, &p, now, NULL),
	    IDPROV_OK);
	assert_int_equal(srv_registry_get_device(r, "a1", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "approved");
	assert_string_equal(d.peer, "127.0.0.1");
	assert_int_equal(d.last_seen, now - 100);
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_get_device(r, "r1", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "revoked");
	assert_string_equal(d.peer, "127.0.0.1");
	srv_reg_device_free(&d);
	/* They are recorded where untrusted data belongs: pending. */
	assert_int_equal(srv_registry_is_pending(r, "a1", &pending, NULL),
	    IDPROV_OK);
	assert_true(pending);
	/* A device with no certificate is still marked by a lockout. */
	p.device_id = "w1";
	assert_int_equal(srv_registry_record_lockout(r, &p, now, NULL),
	    IDPROV_OK);
	assert_int_equal(srv_registry_get_device(r, "w1", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "rejected");
	srv_reg_device_free(&d);
	srv_registry_close(r);
}

static void
on_revoked_serial(const char *serial_hex, time_t revoked_at, int code,
    void *ctx)
{
	char *seen = ctx;

	(void)revoked_at;
	(void)code;
	strcat(seen, serial_hex);
	strcat(seen, ";");
}

/* Review finding 3: one certificate by serial, known or not. */
static void
test_revoke_serial(void **state)
{
	srv_registry *r = NULL;
	srv_reg_device d;
	srv_renewal v;
	time_t now = time(NULL);
	unsigned long long num;
	char dev[72], seen[256] = "";
	int newly, found;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "d1", "01", now);
	issue(r, "d1", "02", now);
	/* An admin certificate the registry never saw. */
	assert_int_equal(srv_registry_revoke_serial(r, "ADM1", now + 3600,
	    "left", 0, "p", "admin", now, dev, sizeof(dev), &newly, NULL),
	    IDPROV_OK);
	assert_true(newly);
	assert_string_equal(dev, "");
	assert_int_equal(srv_registry_revoke_serial(r, "ADM1", now + 3600,
	    "left", 0, "p", "admin", now, dev, sizeof(dev), &newly, NULL),
	    IDPROV_OK);
	assert_false(newly);
	/* d1's superseded certificate: the device stays approved. */
	assert_int_equal(srv_registry_revoke_serial(r, "01", 0, "", 1, "p",
	    "admin", now, dev, sizeof(dev), &newly, NULL), IDPROV_OK);
	assert_true(newly);
	assert_string_equal(dev, "d1");
	assert_int_equal(srv_registry_get_device(r, "d1", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "approved");
	srv_reg_device_free(&d);
	/* d1's current certificate: the device is revoked with it. */
	assert_int_equal(srv_registry_revoke_serial(r, "02", 0, "", 1, "p",
	    "admin", now, dev, sizeof(dev), &newly, NULL), IDPROV_OK);
	assert_int_equal(srv_registry_get_device(r, "d1", &d, &found, NULL),
	    IDPROV_OK);
	assert_string_equal(d.status, "revoked");
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_renewal_check(r, "d1", "02", 1, &v,
	    NULL), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_REVOKED);
	assert_int_equal(srv_registry_crl_entries(r, now, on_revoked_serial,
	    seen, &num, NULL), IDPROV_OK);
	assert_string_equal(seen, "01;02;ADM1;");
	srv_registry_close(r);
}

/* Group commit (srv_registry_record_issues): in one batch, an item that
 * fails (a serial already recorded), a secret issue for a device revoked
 * after its secret was posted, and a refused renewal write nothing and
 * undo nothing of the others; the good items are all committed. */
static void
test_batch(void **state)
{
	srv_registry *r = NULL;
	srv_reg_issue a, dup, late, ren, b, *items[5];
	srv_reg_device d;
	srv_renewal v;
	time_t now = time(NULL);
	int found;
	long long n;

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	issue(r, "b-rev", "B0", now - 100);
	assert_int_equal(srv_registry_revoke(r, "b-rev", "stolen", 0, "p",
	    "admin", now - 10, &found, &n, NULL), IDPROV_OK);
	issue(r, "b-old", "B1", now - 100);
	issue(r, "b-old", "B2", now - 90);	/* B1 is superseded */

	memset(&a, 0, sizeof(a));
	a.kind = SRV_REG_ISSUE_PLAIN;
	a.client = (srv_reg_client){ "b-a", "192.0.2.1", "", "127.0.0.1",
	    "fp" };
	a.cert = (srv_reg_cert){ "PEM-A", "BA", now - 300, now + 3600 };
	a.now = now;
	a.reason = "test";
	dup = a;
	dup.client.device_id = "b-dup";	/* serial BA again: fails */
	late = a;
	late.kind = SRV_REG_ISSUE_SECRET;
	late.client.device_id = "b-rev";
	late.cert.serial_hex = "BC";
	late.secret_posted_at = now - 50;	/* before the revocation */
	ren = a;
	ren.kind = SRV_REG_ISSUE_RENEWAL;
	ren.client.device_id = "b-old";
	ren.cert.serial_hex = "BD";
	ren.renew_serial_hex = "B1";
	ren.allow_unknown = 1;
	b = a;
	b.client.device_id = "b-b";
	b.cert.serial_hex = "BB";
	items[0] = &a;
	items[1] = &dup;
	items[2] = &late;
	items[3] = &ren;
	items[4] = &b;
	srv_registry_record_issues(r, items, 5);

	assert_int_equal(a.st, IDPROV_OK);
	assert_int_not_equal(dup.st, IDPROV_OK);
	assert_non_null(strstr(dup.err.msg, "cannot record"));
	assert_int_equal(late.st, IDPROV_OK);
	assert_int_equal(late.revoked_meanwhile, 1);
	assert_int_equal(ren.st, IDPROV_OK);
	assert_int_equal(ren.verdict, SRV_RENEW_SUPERSEDED);
	assert_int_equal(b.st, IDPROV_OK);

	assert_int_equal(srv_registry_get_device(r, "b-a", &d, &found, NULL),
	    IDPROV_OK);
	assert_true(found);
	assert_string_equal(d.serial, "BA");
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_get_device(r, "b-b", &d, &found, NULL),
	    IDPROV_OK);
	assert_true(found);
	assert_string_equal(d.status, "approved");
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_get_device(r, "b-dup", &d, &found,
	    NULL), IDPROV_OK);
	assert_false(found);
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_get_device(r, "b-rev", &d, &found,
	    NULL), IDPROV_OK);
	assert_string_equal(d.status, "revoked");
	assert_string_equal(d.serial, "B0");
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_get_device(r, "b-old", &d, &found,
	    NULL), IDPROV_OK);
	assert_string_equal(d.serial, "B2");
	srv_reg_device_free(&d);
	assert_int_equal(srv_registry_renewal_check(r, "b-b", "BB", 0, &v,
	    NULL), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);	/* BB is known: committed */

	/* Every item of a batch fails together when the transaction cannot
	 * start: here, another connection holds the write lock. */
	{
		sqlite3 *db;
		srv_reg_issue c = a;

		c.client.device_id = "b-c";
		c.cert.serial_hex = "BE";
		items[0] = &c;
		items[1] = &b;	/* BB again */
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL), SQLITE_OK);
		srv_registry_record_issues(r, items, 2);
		assert_int_not_equal(c.st, IDPROV_OK);
		assert_int_not_equal(b.st, IDPROV_OK);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		/* The registry is usable again, and nothing of it was
		 * written. */
		assert_int_equal(srv_registry_get_device(r, "b-c", &d, &found,
		    NULL), IDPROV_OK);
		assert_false(found);
		srv_reg_device_free(&d);
		issue(r, "b-c", "BE", now);
	}
	srv_registry_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_renewal_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_renewal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lists_and_crl, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bounded_tables, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_secret_issue_after_revocation, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unauthenticated_keeps_approved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_serial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
