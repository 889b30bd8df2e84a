/*
 * test_registry_migrate.c - a registry written by schema version 1 (the
 * certificate's PEM in the devices row) opened by this idprovd: migrated
 * to the current version in place, nothing lost, and usable afterwards.
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

static char dir[64];
static char path[256];

/* Version 1 as idprovd 0.1 created it: the fixture this test migrates. */
static const char v1_database[] =
    "CREATE TABLE devices("
    " device_id TEXT PRIMARY KEY NOT NULL, status TEXT NOT NULL,"
    " cert_pem TEXT, serial TEXT, not_before INTEGER, not_after INTEGER,"
    " ip TEXT NOT NULL DEFAULT '', mac TEXT NOT NULL DEFAULT '',"
    " peer TEXT NOT NULL DEFAULT '', key_fingerprint TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " issue_count INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0, revoke_reason TEXT) WITHOUT ROWID;"
    "CREATE TABLE certificates("
    " serial TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,"
    " not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
    " issued_at INTEGER NOT NULL,"
    " revoked_at INTEGER, reason_code INTEGER, reason TEXT);"
    "CREATE INDEX certificates_device ON certificates(device_id);"
    "CREATE INDEX certificates_revoked ON certificates(revoked_at)"
    " WHERE revoked_at IS NOT NULL;"
    "CREATE TABLE pending("
    " device_id TEXT PRIMARY KEY NOT NULL,"
    " ip TEXT NOT NULL DEFAULT '', mac TEXT NOT NULL DEFAULT '',"
    " peer TEXT NOT NULL DEFAULT '', key_fingerprint TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID;"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " device_id TEXT NOT NULL, peer TEXT NOT NULL,"
    " outcome TEXT NOT NULL, reason TEXT NOT NULL);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "INSERT INTO meta VALUES('crl_number', 3);"
    /* an approved device with its second certificate (the first one
     * superseded), a waiting one, a revoked one */
    "INSERT INTO certificates VALUES('0A','cam-1',100,900,100,NULL,NULL,NULL);"
    "INSERT INTO certificates VALUES('0B','cam-1',200,900,200,NULL,NULL,NULL);"
    "INSERT INTO certificates VALUES('0C','cam-3',100,900,100,150,1,'lost');"
    "INSERT INTO devices VALUES('cam-1','approved','PEM-OF-0B','0B',200,900,"
    " '192.0.2.1','aa:bb','127.0.0.1:5','fp1',100,200,2,0,NULL);"
    "INSERT INTO devices VALUES('cam-2','waiting',NULL,NULL,NULL,NULL,"
    " '','','','',300,300,0,0,NULL);"
    "INSERT INTO devices VALUES('cam-3','revoked','PEM-OF-0C','0C',100,900,"
    " '','','','fp3',100,100,1,1,'lost');"
    "INSERT INTO audit VALUES(1,100,'cam-1','127.0.0.1','approved','test');"
    "PRAGMA user_version=1;";

static int
setup(void **state)
{
	sqlite3 *db;
	int rc;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/idprov-migrate-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, v1_database, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
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
check_device(srv_registry *r, const char *id, const char *status,
    const char *pem, const char *serial)
{
	srv_reg_device d;
	idprov_error err;
	int found = 0;

	assert_int_equal(srv_registry_get_device(r, id, &d, &found, &err),
	    IDPROV_OK);
	assert_true(found);
	assert_string_equal(d.status, status);
	if (pem == NULL)
		assert_null(d.cert_pem);
	else
		assert_string_equal(d.cert_pem, pem);
	assert_string_equal(d.serial, serial);
	srv_reg_device_free(&d);
}

static int
count_rows(const char *sql)
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
test_v1_migrates(void **state)
{
	srv_registry *r = NULL;
	srv_renewal v;
	idprov_error err;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(srv_registry_open(path, &r, &err), IDPROV_OK);
	/* Every device keeps its status, serial and certificate. */
	check_device(r, "cam-1", "approved", "PEM-OF-0B", "0B");
	check_device(r, "cam-2", "waiting", NULL, "");
	check_device(r, "cam-3", "revoked", "PEM-OF-0C", "0C");
	/* The renewal rules still see the current and the superseded one. */
	assert_int_equal(srv_registry_renewal_check(r, "cam-1", "0B", 0, &v,
	    &err), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_OK);
	assert_int_equal(srv_registry_renewal_check(r, "cam-1", "0A", 0, &v,
	    &err), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_SUPERSEDED);
	assert_int_equal(srv_registry_renewal_check(r, "cam-3", "0C", 0, &v,
	    &err), IDPROV_OK);
	assert_int_equal(v, SRV_RENEW_REVOKED);
	/* A new certificate after the migration is stored and read back. */
	{
		srv_reg_client c = { "cam-2", "192.0.2.2", "", "127.0.0.1",
		    "fp2" };
		srv_reg_cert cert = { "PEM-OF-0D", "0D", now - 300, now + 3600 };

		assert_int_equal(srv_registry_record_issue(r, &c, &cert, now,
		    "test", &err), IDPROV_OK);
	}
	check_device(r, "cam-2", "approved", "PEM-OF-0D", "0D");
	srv_registry_close(r);

	assert_int_equal(count_rows("PRAGMA user_version"),
	    SRV_REGISTRY_SCHEMA_VERSION);
	assert_int_equal(count_rows("SELECT count(*) FROM pragma_table_info("
	    "'devices') WHERE name='cert_pem'"), 0);
	assert_int_equal(count_rows("SELECT count(*) FROM devices"), 3);
	assert_int_equal(count_rows("SELECT count(*) FROM certificates"), 4);
	assert_int_equal(count_rows("SELECT count(*) FROM audit"), 2);
	assert_int_equal(count_rows("SELECT value FROM meta WHERE "
	    "key='crl_number'"), 3);
	assert_int_equal(count_rows("SELECT count(*) FROM certificates WHERE "
	    "serial='0C' AND revoked_at=150 AND cert_pem='PEM-OF-0C'"), 1);
	assert_int_equal(count_rows("SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check='ok'"), 1);
	/* Reopening does not migrate again. */
	assert_int_equal(srv_registry_open(path, &r, &err), IDPROV_OK);
	check_device(r, "cam-1", "approved", "PEM-OF-0B", "0B");
	srv_registry_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1_migrates, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
