/*
 * registry.c - the SQLite registry.  One connection, one mutex, prepared
 * statements kept for the life of the process.  Every write that belongs
 * together is one transaction (BEGIN IMMEDIATE, so a writer never has to
 * upgrade a read lock and hit SQLITE_BUSY half-way).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "registry.h"

/* Schema version 1.  A later version adds a step to `migrations`; each
 * step runs in its own transaction together with the new user_version. */
static const char schema_v1[] =
    "CREATE TABLE devices("
    " device_id TEXT PRIMARY KEY NOT NULL,"
    " status TEXT NOT NULL,"		/* approved revoked waiting rejected */
    " cert_pem TEXT, serial TEXT, not_before INTEGER, not_after INTEGER,"
    " ip TEXT NOT NULL DEFAULT '', mac TEXT NOT NULL DEFAULT '',"
    " peer TEXT NOT NULL DEFAULT '',"
    " key_fingerprint TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " issue_count INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0, revoke_reason TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE certificates("
    " serial TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL,"
    " not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
    " issued_at INTEGER NOT NULL,"
    " revoked_at INTEGER, reason_code INTEGER, reason TEXT"
    ");"
    "CREATE INDEX certificates_device ON certificates(device_id);"
    "CREATE INDEX certificates_revoked ON certificates(revoked_at)"
    " WHERE revoked_at IS NOT NULL;"
    "CREATE TABLE pending("
    " device_id TEXT PRIMARY KEY NOT NULL,"
    " ip TEXT NOT NULL DEFAULT '', mac TEXT NOT NULL DEFAULT '',"
    " peer TEXT NOT NULL DEFAULT '',"
    " key_fingerprint TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 1"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " device_id TEXT NOT NULL, peer TEXT NOT NULL,"
    " outcome TEXT NOT NULL, reason TEXT NOT NULL"
    ");"
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "INSERT INTO meta VALUES('crl_number', 0);";

/*
 * Version 2: the certificate's PEM moves from devices to certificates, and
 * devices becomes a rowid table.  A WITHOUT ROWID table keeps whole rows
 * in its interior pages too; with the ~700-byte PEM in them a devices tree
 * of 1,000 rows was 4 levels deep (55 interior pages) and every issuance
 * grew a row in place, splitting pages up the tree: ~8.5 pages written to
 * the WAL per provisioning.  Now an issuance appends the PEM to
 * certificates (append-only, 4 KiB leaves) and updates a small devices row
 * in place.
 */
static const char schema_v2[] =
    "ALTER TABLE certificates ADD COLUMN cert_pem TEXT;"
    "UPDATE certificates SET cert_pem=(SELECT d.cert_pem FROM devices d"
    " WHERE d.serial=certificates.serial);"
    "CREATE TABLE devices_v2("
    " id INTEGER PRIMARY KEY,"
    " device_id TEXT NOT NULL UNIQUE,"
    " status TEXT NOT NULL,"		/* approved revoked waiting rejected */
    " serial TEXT, not_before INTEGER, not_after INTEGER,"
    " ip TEXT NOT NULL DEFAULT '', mac TEXT NOT NULL DEFAULT '',"
    " peer TEXT NOT NULL DEFAULT '',"
    " key_fingerprint TEXT NOT NULL DEFAULT '',"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " issue_count INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0, revoke_reason TEXT"
    ");"
    "INSERT INTO devices_v2(device_id,status,serial,not_before,not_after,"
    " ip,mac,peer,key_fingerprint,first_seen,last_seen,issue_count,revoked,"
    " revoke_reason) SELECT device_id,status,serial,not_before,not_after,"
    " ip,mac,peer,key_fingerprint,first_seen,last_seen,issue_count,revoked,"
    " revoke_reason FROM devices ORDER BY device_id;"
    "DROP TABLE devices;"
    "ALTER TABLE devices_v2 RENAME TO devices;";

/* Few indexes on purpose: every index is one more page written per
 * provisioning.  Listing by status scans devices in deviceID order, and
 * the audit trail is read rarely (sqlite3 by hand). */
static const char *const migrations[] = { schema_v1, schema_v2 };

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_CERT_INSERT, S_DEVICE_ISSUE, S_PENDING_DELETE, S_AUDIT,
	S_PENDING_UPSERT, S_DEVICE_SEEN, S_DEVICE_LOCKOUT, S_DEVICE_OOB,
	S_CERT_REVOKED_AT, S_REVOKED_SINCE, S_DEVICE_RENEW, S_DEVICE_GET, S_PENDING_GET,
	S_DEVICE_COUNT, S_DEVICE_LIST, S_PENDING_COUNT, S_PENDING_LIST,
	S_CERT_REVOKE, S_DEVICE_REVOKE, S_CRL_BUMP, S_CRL_NUMBER, S_CRL_LIST,
	S_AUDIT_PRUNE, S_PENDING_PRUNE,
	S_CERT_BY_SERIAL, S_CERT_REVOKE_SERIAL, S_CERT_INSERT_REVOKED,
	S_DEVICE_REVOKE_CURRENT,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_CERT_INSERT] = "INSERT INTO certificates(serial,device_id,"
	    "not_before,not_after,issued_at,cert_pem) "
	    "VALUES(?1,?2,?3,?4,?5,?6)",
	[S_DEVICE_ISSUE] = "INSERT INTO devices(device_id,status,"
	    "serial,not_before,not_after,ip,mac,peer,key_fingerprint,"
	    "first_seen,last_seen,issue_count,revoked,revoke_reason) "
	    "VALUES(?1,'approved',?2,?3,?4,?5,?6,?7,?8,?9,?9,1,0,NULL) "
	    "ON CONFLICT(device_id) DO UPDATE SET status='approved',"
	    "serial=excluded.serial,"
	    "not_before=excluded.not_before,not_after=excluded.not_after,"
	    "ip=excluded.ip,mac=excluded.mac,peer=excluded.peer,"
	    "key_fingerprint=excluded.key_fingerprint,"
	    "last_seen=excluded.last_seen,issue_count=issue_count+1,"
	    "revoked=0,revoke_reason=NULL",
	[S_PENDING_DELETE] = "DELETE FROM pending WHERE device_id=?1",
	[S_AUDIT] = "INSERT INTO audit(at,device_id,peer,outcome,reason) "
	    "VALUES(?1,?2,?3,?4,?5)",
	[S_PENDING_UPSERT] = "INSERT INTO pending(device_id,ip,mac,peer,"
	    "key_fingerprint,first_seen,last_seen,count) "
	    "VALUES(?1,?2,?3,?4,?5,?6,?6,1) ON CONFLICT(device_id) DO UPDATE "
	    "SET ip=excluded.ip,mac=excluded.mac,peer=excluded.peer,"
	    "key_fingerprint=excluded.key_fingerprint,"
	    "last_seen=excluded.last_seen,count=count+1",
	/* Unauthenticated: never the row of a device that has (or had) a
	 * certificate; that row holds what the last issuance proved. */
	[S_DEVICE_SEEN] = "UPDATE devices SET last_seen=?2,peer=?3 "
	    "WHERE device_id=?1 AND status IN ('waiting','rejected')",
	[S_DEVICE_LOCKOUT] = "INSERT INTO devices(device_id,status,ip,mac,"
	    "peer,key_fingerprint,first_seen,last_seen) "
	    "VALUES(?1,'rejected',?2,?3,?4,?5,?6,?6) ON CONFLICT(device_id) "
	    "DO UPDATE SET status='rejected',peer=excluded.peer,"
	    "last_seen=excluded.last_seen "
	    "WHERE status NOT IN ('approved','revoked')",
	[S_DEVICE_OOB] = "INSERT INTO devices(device_id,status,first_seen,"
	    "last_seen) VALUES(?1,'waiting',?2,?2) ON CONFLICT(device_id) DO "
	    "UPDATE SET status=CASE WHEN status='rejected' THEN (CASE WHEN "
	    "serial IS NOT NULL AND revoked=0 THEN 'approved' ELSE 'waiting' "
	    "END) ELSE status END",
	[S_CERT_REVOKED_AT] = "SELECT revoked_at FROM certificates "
	    "WHERE serial=?1",
	[S_REVOKED_SINCE] = "SELECT 1 FROM certificates WHERE device_id=?1 "
	    "AND revoked_at>?2 LIMIT 1",
	[S_DEVICE_RENEW] = "SELECT serial,revoked FROM devices "
	    "WHERE device_id=?1",
	[S_DEVICE_GET] = "SELECT d.device_id,d.status,d.serial,d.not_before,"
	    "d.not_after,d.ip,d.mac,d.peer,d.key_fingerprint,d.first_seen,"
	    "d.last_seen,d.issue_count,d.revoked,c.cert_pem FROM devices d "
	    "LEFT JOIN certificates c ON c.serial=d.serial "
	    "WHERE d.device_id=?1",
	[S_PENDING_GET] = "SELECT 1 FROM pending WHERE device_id=?1",
	[S_DEVICE_COUNT] = "SELECT count(*) FROM devices "
	    "WHERE ?1 IS NULL OR status=?1",
	[S_DEVICE_LIST] = "SELECT device_id,status,serial,not_before,"
	    "not_after,ip,mac,peer,key_fingerprint,first_seen,last_seen,"
	    "issue_count,revoked FROM devices WHERE ?1 IS NULL OR status=?1 "
	    "ORDER BY device_id LIMIT ?2 OFFSET ?3",
	[S_PENDING_COUNT] = "SELECT count(*) FROM pending",
	[S_PENDING_LIST] = "SELECT device_id,ip,mac,peer,key_fingerprint,"
	    "first_seen,last_seen,count FROM pending ORDER BY device_id "
	    "LIMIT ?1 OFFSET ?2",
	[S_CERT_REVOKE] = "UPDATE certificates SET revoked_at=?2,"
	    "reason_code=?3,reason=?4 WHERE device_id=?1 AND revoked_at IS NULL",
	[S_DEVICE_REVOKE] = "UPDATE devices SET status='revoked',revoked=1,"
	    "revoke_reason=?2 WHERE device_id=?1",
	[S_CRL_BUMP] = "UPDATE meta SET value=value+1 WHERE key='crl_number'",
	[S_CRL_NUMBER] = "SELECT value FROM meta WHERE key='crl_number'",
	[S_CRL_LIST] = "SELECT serial,revoked_at,reason_code FROM certificates "
	    "WHERE revoked_at IS NOT NULL AND not_after>?1 ORDER BY serial",
	[S_AUDIT_PRUNE] = "DELETE FROM audit WHERE id<="
	    "(SELECT max(id) FROM audit)-?1",
	[S_PENDING_PRUNE] = "DELETE FROM pending WHERE device_id IN "
	    "(SELECT device_id FROM pending ORDER BY last_seen DESC, "
	    "device_id LIMIT -1 OFFSET ?1)",
	[S_CERT_BY_SERIAL] = "SELECT device_id,revoked_at FROM certificates "
	    "WHERE serial=?1",
	[S_CERT_REVOKE_SERIAL] = "UPDATE certificates SET revoked_at=?2,"
	    "reason_code=?3,reason=?4 WHERE serial=?1 AND revoked_at IS NULL",
	/* A certificate idprovd did not issue: device_id '' (never a valid
	 * deviceID), so no device's revocation or renewal rule sees it. */
	[S_CERT_INSERT_REVOKED] = "INSERT INTO certificates(serial,device_id,"
	    "not_before,not_after,issued_at,revoked_at,reason_code,reason) "
	    "VALUES(?1,'',0,?2,?3,?3,?4,?5)",
	[S_DEVICE_REVOKE_CURRENT] = "UPDATE devices SET status='revoked',"
	    "revoked=1,revoke_reason=?3 WHERE device_id=?1 AND serial=?2",
};

/* WAL frames after which the checkpointer copies the WAL back into the
 * database (SQLite's own automatic checkpoint threshold). */
#define CHECKPOINT_FRAMES 1000
/* WAL frames after which a checkpoint is finished under the registry
 * lock, so that the WAL can start over (see checkpointer). */
#define CHECKPOINT_RESTART_FRAMES (4 * CHECKPOINT_FRAMES)

struct srv_registry {
	pthread_mutex_t lock;
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	long long audit_keep, pending_keep, prune_every;
	long long audits_since_prune;
	/*
	 * The checkpointer: a thread with its own connection that copies the
	 * WAL back into the database (PASSIVE: it never blocks a writer).
	 * SQLite's automatic checkpoint would run it, with its fsyncs, inside
	 * the COMMIT of whichever request crosses the threshold, holding
	 * `lock`: under load both workers then sat idle for milliseconds
	 * (measured: the provisioning rate 0.73x nginx's with it, 0.87x
	 * without).  The commit's WAL hook only signals the thread.
	 */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	int ckpt_started;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	int ckpt_wanted, ckpt_stop;
	int ckpt_asked_at;	/* WAL frames at the last signal; under `lock` */
};

static idprov_status
db_error(srv_registry *r, idprov_error *err, const char *what)
{
	return idprov_error_set(err, IDPROV_ERR_IO, "registry: %s: %s", what,
	    sqlite3_errmsg(r->db));
}

/* The prepared statement, reset and unbound, ready to bind. */
static sqlite3_stmt *
stmt(srv_registry *r, enum stmt_id id)
{
	sqlite3_stmt *s = r->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(r->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &r->stmt[id], NULL) != SQLITE_OK)
			return NULL;
		return r->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Run a statement that returns no rows. */
static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE;
}

static int
simple(srv_registry *r, enum stmt_id id)
{
	sqlite3_stmt *s = stmt(r, id);

	return s != NULL && step_done(s);
}

static void
col_copy(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", t != NULL ? (const char *)t : "");
}

/* Keep audit and pending bounded (srv_registry_set_limits). */
static int
prune(srv_registry *r)
{
	sqlite3_stmt *s;

	r->audits_since_prune = 0;
	if ((s = stmt(r, S_AUDIT_PRUNE)) == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, r->audit_keep);
	if (!step_done(s) || (s = stmt(r, S_PENDING_PRUNE)) == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, r->pending_keep);
	return step_done(s);
}

static int
audit_row(srv_registry *r, time_t now, const char *device_id,
    const char *peer, const char *outcome, const char *reason)
{
	sqlite3_stmt *s = stmt(r, S_AUDIT);

	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	bind_text(s, 2, device_id != NULL ? device_id : "");
	bind_text(s, 3, peer != NULL ? peer : "");
	bind_text(s, 4, outcome);
	bind_text(s, 5, reason != NULL ? reason : "");
	if (!step_done(s))
		return 0;
	if (++r->audits_since_prune >= r->prune_every)
		return prune(r);
	return 1;
}

void
srv_registry_set_limits(srv_registry *r, long long audit_keep,
    long long pending_keep, long long prune_every)
{
	pthread_mutex_lock(&r->lock);
	r->audit_keep = audit_keep;
	r->pending_keep = pending_keep;
	r->prune_every = prune_every > 0 ? prune_every : 1;
	pthread_mutex_unlock(&r->lock);
}

static idprov_status
migrate(srv_registry *r, idprov_error *err)
{
	sqlite3_stmt *s = NULL;
	int version = 0, i, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[64];

	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_error(r, err, "cannot read the schema version");
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > n)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "registry: the database has schema version %d, newer than "
		    "this idprovd (%d)", version, n);
	for (i = version; i < n; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", i + 1);
		if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			return db_error(r, err, "cannot start a migration");
		if (sqlite3_exec(r->db, migrations[i], NULL, NULL, NULL) !=
		    SQLITE_OK ||
		    sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			idprov_status st = db_error(r, err,
			    "migration failed");

			sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
			return st;
		}
		if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK)
			return db_error(r, err, "cannot commit a migration");
	}
	return IDPROV_OK;
}

static void *
checkpointer(void *arg)
{
	srv_registry *r = arg;
	int log;

	pthread_mutex_lock(&r->ckpt_lock);
	for (;;) {
		while (!r->ckpt_wanted && !r->ckpt_stop)
			pthread_cond_wait(&r->ckpt_cond, &r->ckpt_lock);
		if (r->ckpt_stop)
			break;
		r->ckpt_wanted = 0;
		pthread_mutex_unlock(&r->ckpt_lock);
		/* SQLITE_BUSY (another process holds the checkpoint lock) is
		 * fine: the next signal retries. */
		log = 0;
		sqlite3_wal_checkpoint_v2(r->ckpt_db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &log, NULL);
		if (log >= CHECKPOINT_RESTART_FRAMES) {
			/* The WAL starts over only at a write that begins after
			 * a checkpoint copied all of it; under sustained load
			 * commits always come in between, the WAL grows, and
			 * every page lookup slows down.  Now and then, copy the
			 * few frames left with the writers held off. */
			pthread_mutex_lock(&r->lock);
			sqlite3_wal_checkpoint_v2(r->ckpt_db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
			pthread_mutex_unlock(&r->lock);
		}
		pthread_mutex_lock(&r->ckpt_lock);
	}
	pthread_mutex_unlock(&r->ckpt_lock);
	return NULL;
}

/* After each commit on the main connection (its lock held): a signal for
 * every CHECKPOINT_FRAMES frames the WAL grew by.  The WAL restarts from
 * its beginning at a write after a complete checkpoint. */
static int
wal_committed(void *arg, sqlite3 *db, const char *name, int frames)
{
	srv_registry *r = arg;

	(void)db;
	(void)name;
	if (frames < r->ckpt_asked_at)
		r->ckpt_asked_at = 0;
	if (frames - r->ckpt_asked_at >= CHECKPOINT_FRAMES) {
		r->ckpt_asked_at = frames;
		pthread_mutex_lock(&r->ckpt_lock);
		r->ckpt_wanted = 1;
		pthread_cond_signal(&r->ckpt_cond);
		pthread_mutex_unlock(&r->ckpt_lock);
	}
	return SQLITE_OK;
}

/* Open the checkpointer's connection and start it; on failure SQLite's
 * automatic checkpoint stays in charge (slower, not wrong). */
static void
start_checkpointer(srv_registry *r, const char *path)
{
	if (sqlite3_open_v2(path, &r->ckpt_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(r->ckpt_db, "PRAGMA synchronous=NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    pthread_create(&r->ckpt_thread, NULL, checkpointer, r) != 0) {
		sqlite3_close(r->ckpt_db);
		r->ckpt_db = NULL;
		return;
	}
	r->ckpt_started = 1;
	/* Replaces the automatic checkpoint (itself a WAL hook). */
	sqlite3_wal_hook(r->db, wal_committed, r);
}

idprov_status
srv_registry_open(const char *path, srv_registry **out, idprov_error *err)
{
	srv_registry *r;
	idprov_status st = IDPROV_OK;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory opening the registry");
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->ckpt_lock, NULL);
	pthread_cond_init(&r->ckpt_cond, NULL);
	r->audit_keep = 1000000;
	r->pending_keep = 100000;
	r->prune_every = 1000;
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "registry: cannot open %s: %s", path,
		    r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(r->db, 5000);
	/* WAL + NORMAL: a COMMIT is in the WAL file when it returns, which
	 * survives a process crash; fsync happens at checkpoints. */
	if (sqlite3_exec(r->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=OFF;", NULL, NULL,
	    NULL) != SQLITE_OK) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "registry: cannot set up %s: %s", path,
		    sqlite3_errmsg(r->db));
		goto out;
	}
	if ((st = migrate(r, err)) != IDPROV_OK)
		goto out;
	start_checkpointer(r, path);
	*out = r;
	r = NULL;
out:
	srv_registry_close(r);
	return st;
}

void
srv_registry_close(srv_registry *r)
{
	int i;

	if (r == NULL)
		return;
	if (r->ckpt_started) {
		pthread_mutex_lock(&r->ckpt_lock);
		r->ckpt_stop = 1;
		pthread_cond_signal(&r->ckpt_cond);
		pthread_mutex_unlock(&r->ckpt_lock);
		pthread_join(r->ckpt_thread, NULL);
	}
	/* First the checkpointer's connection, so that the last one to close
	 * (the main one) checkpoints and removes the WAL. */
	sqlite3_close(r->ckpt_db);
	if (r->db != NULL)
		sqlite3_wal_hook(r->db, NULL, NULL);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(r->stmt[i]);
	sqlite3_close(r->db);
	pthread_cond_destroy(&r->ckpt_cond);
	pthread_mutex_destroy(&r->ckpt_lock);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Lock and start a write transaction. */
static idprov_status
begin(srv_registry *r, idprov_error *err)
{
	pthread_mutex_lock(&r->lock);
	if (!simple(r, S_BEGIN)) {
		idprov_status st = db_error(r, err,
		    "cannot start a transaction");

		pthread_mutex_unlock(&r->lock);
		return st;
	}
	return IDPROV_OK;
}

/* Commit if ok, else roll back; the lock stays held. */
static idprov_status
end_transaction(srv_registry *r, int ok, const char *what,
    idprov_error *err)
{
	idprov_status st = IDPROV_OK;

	if (ok && !simple(r, S_COMMIT))
		ok = 0;
	if (!ok) {
		st = db_error(r, err, what);
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return st;
}

/* Commit if ok, else roll back; unlock. */
static idprov_status
finish(srv_registry *r, int ok, const char *what, idprov_error *err)
{
	idprov_status st = end_transaction(r, ok, what, err);

	pthread_mutex_unlock(&r->lock);
	return st;
}

/*
 * A transaction that must survive a power cut, not only a crash of the
 * process: synchronous=FULL makes its COMMIT sync the WAL.  Used for
 * revocations, which are rare and must never come back undone; issuing
 * stays at NORMAL (durable against kill -9) for speed.  SQLite refuses to
 * change the level inside a transaction, hence the pair.
 */
static idprov_status
begin_durable(srv_registry *r, idprov_error *err)
{
	idprov_status st;

	pthread_mutex_lock(&r->lock);
	if (sqlite3_exec(r->db, "PRAGMA synchronous=FULL", NULL, NULL,
	    NULL) != SQLITE_OK || !simple(r, S_BEGIN)) {
		st = db_error(r, err, "cannot start a transaction");
		sqlite3_exec(r->db, "PRAGMA synchronous=NORMAL", NULL, NULL,
		    NULL);
		pthread_mutex_unlock(&r->lock);
		return st;
	}
	return IDPROV_OK;
}

static idprov_status
finish_durable(srv_registry *r, int ok, const char *what, idprov_error *err)
{
	idprov_status st = end_transaction(r, ok, what, err);

	sqlite3_exec(r->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	pthread_mutex_unlock(&r->lock);
	return st;
}

/* The rows of an issued certificate (lock held, transaction open). */
static int
write_issue(srv_registry *r, const srv_reg_client *c,
    const srv_reg_cert *cert, time_t now, const char *reason)
{
	sqlite3_stmt *s;

	if ((s = stmt(r, S_CERT_INSERT)) == NULL)
		return 0;
	bind_text(s, 1, cert->serial_hex);
	bind_text(s, 2, c->device_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)cert->not_before);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)cert->not_after);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	bind_text(s, 6, cert->pem);
	if (!step_done(s))
		return 0;
	if ((s = stmt(r, S_DEVICE_ISSUE)) == NULL)
		return 0;
	bind_text(s, 1, c->device_id);
	bind_text(s, 2, cert->serial_hex);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)cert->not_before);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)cert->not_after);
	bind_text(s, 5, c->ip != NULL ? c->ip : "");
	bind_text(s, 6, c->mac != NULL ? c->mac : "");
	bind_text(s, 7, c->peer != NULL ? c->peer : "");
	bind_text(s, 8, c->key_fingerprint != NULL ? c->key_fingerprint : "");
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	if (!step_done(s))
		return 0;
	if ((s = stmt(r, S_PENDING_DELETE)) == NULL)
		return 0;
	bind_text(s, 1, c->device_id);
	if (!step_done(s))
		return 0;
	return audit_row(r, now, c->device_id, c->peer, "approved", reason);
}

static int renewal_verdict(srv_registry *r, const char *device_id,
    const char *serial_hex, int allow_unknown, srv_renewal *out);

/* One item of srv_registry_record_issues (lock held, transaction
 * open): 1 when done (written, or refused with nothing to write). */
static int
record_one(srv_registry *r, srv_reg_issue *it)
{
	sqlite3_stmt *s;
	int rc;

	it->revoked_meanwhile = 0;
	it->verdict = SRV_RENEW_OK;
	if (it->kind == SRV_REG_ISSUE_SECRET) {
		if ((s = stmt(r, S_REVOKED_SINCE)) == NULL)
			return 0;
		bind_text(s, 1, it->client.device_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)it->secret_posted_at);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW) {
			/* Revoked after the secret was posted: the secret
			 * belonged to the device as it was before; nothing
			 * is written. */
			it->revoked_meanwhile = 1;
			return 1;
		}
		if (rc != SQLITE_DONE)
			return 0;
	} else if (it->kind == SRV_REG_ISSUE_RENEWAL) {
		if (!renewal_verdict(r, it->client.device_id,
		    it->renew_serial_hex, it->allow_unknown, &it->verdict))
			return 0;
		if (it->verdict != SRV_RENEW_OK)
			return 1;	/* refused: the answer is the caller's */
	}
	return write_issue(r, &it->client, &it->cert, it->now, it->reason);
}

static const char *
record_failure(const srv_reg_issue *it)
{
	return it->kind == SRV_REG_ISSUE_RENEWAL ?
	    "cannot record a renewed certificate" :
	    "cannot record an issued certificate";
}

/*
 * items[0..n-1] in one transaction (lock held): 1 when all were recorded
 * and committed; 0 when one item failed, -1 when the transaction itself
 * did (BEGIN or COMMIT: the database is locked, full...).  On failure
 * nothing of it stays, and *err says why.
 */
static int
record_together(srv_registry *r, srv_reg_issue *const *items, size_t n,
    idprov_error *err)
{
	size_t i;

	if (!simple(r, S_BEGIN)) {
		db_error(r, err, "cannot start a transaction");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!record_one(r, items[i])) {
			db_error(r, err, record_failure(items[i]));
			sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
			return 0;
		}
	if (!simple(r, S_COMMIT)) {
		db_error(r, err, "cannot record issued certificates");
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 1;
}

void
srv_registry_record_issues(srv_registry *r, srv_reg_issue *const *items,
    size_t n)
{
	idprov_error err;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < n; i++) {
		items[i]->st = IDPROV_OK;
		idprov_error_clear(&items[i]->err);
	}
	/*
	 * The common case: all in one transaction.  When an item fails
	 * (which does not happen in normal operation), nothing of the batch
	 * stays and each item is recorded again alone, so that a failure is
	 * only its own.  No savepoint per item: two statements each, for a
	 * case that does not come.  When the transaction itself fails, every
	 * item does, at once (no retry of each behind a locked database).
	 */
	if (n > 1)
		rc = record_together(r, items, n, &err);
	for (i = 0; i < n && rc == 0; i++) {
		srv_reg_issue *it = items[i];

		if (record_together(r, &items[i], 1, &it->err) != 1) {
			it->st = IDPROV_ERR_IO;
			it->revoked_meanwhile = 0;
			it->verdict = SRV_RENEW_OK;
		}
	}
	if (rc < 0)
		for (i = 0; i < n; i++) {
			items[i]->st = IDPROV_ERR_IO;
			items[i]->err = err;
			items[i]->revoked_meanwhile = 0;
			items[i]->verdict = SRV_RENEW_OK;
		}
	pthread_mutex_unlock(&r->lock);
}

/* One certificate, as its own batch; the rest of *it is zero. */
static idprov_status
record_single(srv_registry *r, srv_reg_issue *it, srv_reg_issue_kind kind,
    const srv_reg_client *c, const srv_reg_cert *cert, time_t now,
    const char *reason, idprov_error *err)
{
	it->kind = kind;
	it->client = *c;
	it->cert = *cert;
	it->now = now;
	it->reason = reason;
	srv_registry_record_issues(r, &it, 1);
	if (it->st != IDPROV_OK && err != NULL)
		*err = it->err;
	return it->st;
}

idprov_status
srv_registry_record_issue(srv_registry *r, const srv_reg_client *c,
    const srv_reg_cert *cert, time_t now, const char *reason,
    idprov_error *err)
{
	srv_reg_issue it;

	memset(&it, 0, sizeof(it));
	return record_single(r, &it, SRV_REG_ISSUE_PLAIN, c, cert, now, reason,
	    err);
}

idprov_status
srv_registry_record_secret_issue(srv_registry *r, const srv_reg_client *c,
    const srv_reg_cert *cert, time_t now, const char *reason,
    time_t secret_posted_at, int *revoked_meanwhile, idprov_error *err)
{
	srv_reg_issue it;
	idprov_status st;

	memset(&it, 0, sizeof(it));
	it.secret_posted_at = secret_posted_at;
	st = record_single(r, &it, SRV_REG_ISSUE_SECRET, c, cert, now, reason,
	    err);
	*revoked_meanwhile = it.revoked_meanwhile;
	return st;
}

/* ?1 deviceID ?2 ip ?3 mac ?4 peer ?5 key fingerprint ?6 now: the
 * parameters of the pending and lockout upserts. */
static void
bind_client(sqlite3_stmt *s, const srv_reg_client *c, time_t now)
{
	bind_text(s, 1, c->device_id);
	bind_text(s, 2, c->ip != NULL ? c->ip : "");
	bind_text(s, 3, c->mac != NULL ? c->mac : "");
	bind_text(s, 4, c->peer != NULL ? c->peer : "");
	bind_text(s, 5, c->key_fingerprint != NULL ? c->key_fingerprint : "");
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
}

idprov_status
srv_registry_record_pending(srv_registry *r, const srv_reg_client *c,
    time_t now, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	int ok = 0;

	if ((st = begin(r, err)) != IDPROV_OK)
		return st;
	if ((s = stmt(r, S_PENDING_UPSERT)) == NULL)
		goto out;
	bind_client(s, c, now);
	if (!step_done(s))
		goto out;
	if ((s = stmt(r, S_DEVICE_SEEN)) == NULL)
		goto out;
	bind_text(s, 1, c->device_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	bind_text(s, 3, c->peer != NULL ? c->peer : "");
	if (!step_done(s))
		goto out;
	ok = audit_row(r, now, c->device_id, c->peer, "waiting",
	    "no OOB secret is known for the device");
out:
	return finish(r, ok, "cannot record a pending request", err);
}

idprov_status
srv_registry_record_lockout(srv_registry *r, const srv_reg_client *c,
    time_t now, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	int ok = 0;

	if ((st = begin(r, err)) != IDPROV_OK)
		return st;
	if ((s = stmt(r, S_DEVICE_LOCKOUT)) == NULL)
		goto out;
	bind_client(s, c, now);
	if (!step_done(s))
		goto out;
	ok = audit_row(r, now, c->device_id, c->peer, "rejected",
	    "too many wrong signatures: the OOB secret was discarded");
out:
	return finish(r, ok, "cannot record a lockout", err);
}

idprov_status
srv_registry_audit(srv_registry *r, time_t now, const char *device_id,
    const char *peer, const char *outcome, const char *reason,
    idprov_error *err)
{
	idprov_status st = IDPROV_OK;

	pthread_mutex_lock(&r->lock);
	if (!audit_row(r, now, device_id, peer, outcome, reason))
		st = db_error(r, err, "cannot write the audit trail");
	pthread_mutex_unlock(&r->lock);
	return st;
}

idprov_status
srv_registry_note_oob(srv_registry *r, const char *const *device_ids,
    size_t n, const char *peer, const char *actor, time_t now,
    idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	size_t i;
	int ok = 0;
	char why[128];

	snprintf(why, sizeof(why), "OOB secret posted by %s",
	    actor != NULL ? actor : "an administrator");

	if ((st = begin(r, err)) != IDPROV_OK)
		return st;
	for (i = 0; i < n; i++) {
		if ((s = stmt(r, S_DEVICE_OOB)) == NULL)
			goto out;
		bind_text(s, 1, device_ids[i]);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		if (!step_done(s) || !audit_row(r, now, device_ids[i], peer,
		    "oob-secret", why))
			goto out;
	}
	ok = 1;
out:
	return finish(r, ok, "cannot record posted OOB secrets", err);
}

/* The renewal rule (lock held): 1 when *out is decided, 0 on a
 * database error. */
static int
renewal_verdict(srv_registry *r, const char *device_id,
    const char *serial_hex, int allow_unknown, srv_renewal *out)
{
	sqlite3_stmt *s;
	int rc;

	*out = SRV_RENEW_OK;
	if ((s = stmt(r, S_CERT_REVOKED_AT)) == NULL)
		return 0;
	bind_text(s, 1, serial_hex);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*out = SRV_RENEW_REVOKED;
	else if (rc == SQLITE_DONE && !allow_unknown)
		*out = SRV_RENEW_UNKNOWN;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return 0;
	if (*out != SRV_RENEW_OK)
		return 1;
	if ((s = stmt(r, S_DEVICE_RENEW)) == NULL)
		return 0;
	bind_text(s, 1, device_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *cur = sqlite3_column_text(s, 0);

		if (sqlite3_column_int(s, 1) != 0)
			*out = SRV_RENEW_REVOKED;
		else if (cur != NULL &&
		    strcmp((const char *)cur, serial_hex) != 0)
			*out = SRV_RENEW_SUPERSEDED;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

idprov_status
srv_registry_renewal_check(srv_registry *r, const char *device_id,
    const char *serial_hex, int allow_unknown, srv_renewal *out,
    idprov_error *err)
{
	idprov_status st = IDPROV_OK;

	pthread_mutex_lock(&r->lock);
	if (!renewal_verdict(r, device_id, serial_hex, allow_unknown, out))
		st = db_error(r, err, "cannot check a renewal");
	pthread_mutex_unlock(&r->lock);
	return st;
}

idprov_status
srv_registry_record_renewal(srv_registry *r, const srv_reg_client *c,
    const srv_reg_cert *cert, time_t now, const char *reason,
    const char *renew_serial_hex, int allow_unknown, srv_renewal *out,
    idprov_error *err)
{
	srv_reg_issue it;
	idprov_status st;

	memset(&it, 0, sizeof(it));
	it.renew_serial_hex = renew_serial_hex;
	it.allow_unknown = allow_unknown;
	st = record_single(r, &it, SRV_REG_ISSUE_RENEWAL, c, cert, now,
	    reason, err);
	*out = it.verdict;
	return st;
}

static void
device_from_row(sqlite3_stmt *s, srv_reg_device *d)
{
	col_copy(s, 0, d->device_id, sizeof(d->device_id));
	col_copy(s, 1, d->status, sizeof(d->status));
	col_copy(s, 2, d->serial, sizeof(d->serial));
	d->not_before = (time_t)sqlite3_column_int64(s, 3);
	d->not_after = (time_t)sqlite3_column_int64(s, 4);
	col_copy(s, 5, d->ip, sizeof(d->ip));
	col_copy(s, 6, d->mac, sizeof(d->mac));
	col_copy(s, 7, d->peer, sizeof(d->peer));
	col_copy(s, 8, d->key_fingerprint, sizeof(d->key_fingerprint));
	d->first_seen = (time_t)sqlite3_column_int64(s, 9);
	d->last_seen = (time_t)sqlite3_column_int64(s, 10);
	d->issue_count = sqlite3_column_int64(s, 11);
	d->revoked = sqlite3_column_int(s, 12);
}

void
srv_reg_device_free(srv_reg_device *d)
{
	if (d == NULL)
		return;
	free(d->cert_pem);
	d->cert_pem = NULL;
}

idprov_status
srv_registry_get_device(srv_registry *r, const char *device_id,
    srv_reg_device *out, int *found, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st = IDPROV_OK;
	const unsigned char *pem;
	int rc;

	memset(out, 0, sizeof(*out));
	*found = 0;
	pthread_mutex_lock(&r->lock);
	if ((s = stmt(r, S_DEVICE_GET)) == NULL) {
		st = db_error(r, err, "cannot read a device");
		goto out;
	}
	bind_text(s, 1, device_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		device_from_row(s, out);
		pem = sqlite3_column_text(s, 13);
		if (pem != NULL && (out->cert_pem =
		    strdup((const char *)pem)) == NULL)
			st = idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "out of memory reading a device");
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		st = db_error(r, err, "cannot read a device");
	}
	sqlite3_reset(s);
out:
	pthread_mutex_unlock(&r->lock);
	return st;
}

idprov_status
srv_registry_is_pending(srv_registry *r, const char *device_id, int *pending,
    idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st = IDPROV_OK;
	int rc;

	*pending = 0;
	pthread_mutex_lock(&r->lock);
	if ((s = stmt(r, S_PENDING_GET)) == NULL) {
		st = db_error(r, err, "cannot read pending requests");
		goto out;
	}
	bind_text(s, 1, device_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*pending = 1;
	else if (rc != SQLITE_DONE)
		st = db_error(r, err, "cannot read pending requests");
	sqlite3_reset(s);
out:
	pthread_mutex_unlock(&r->lock);
	return st;
}

/* count(*) of a statement already bound. */
static int
count_rows(sqlite3_stmt *s, long long *total)
{
	int ok = sqlite3_step(s) == SQLITE_ROW;

	if (ok)
		*total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return ok;
}

idprov_status
srv_registry_list_devices(srv_registry *r, const char *status,
    long long offset, long long limit, srv_reg_device_fn fn, void *ctx,
    long long *total, idprov_error *err)
{
	sqlite3_stmt *s;
	srv_reg_device d;
	idprov_status st = IDPROV_OK;
	int rc;

	if (status != NULL && strcmp(status, "all") == 0)
		status = NULL;
	*total = 0;
	pthread_mutex_lock(&r->lock);
	if ((s = stmt(r, S_DEVICE_COUNT)) == NULL)
		goto fail;
	bind_text(s, 1, status);
	if (!count_rows(s, total))
		goto fail;
	if ((s = stmt(r, S_DEVICE_LIST)) == NULL)
		goto fail;
	bind_text(s, 1, status);
	sqlite3_bind_int64(s, 2, limit);
	sqlite3_bind_int64(s, 3, offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		device_from_row(s, &d);
		fn(&d, ctx);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	goto out;
fail:
	st = db_error(r, err, "cannot list devices");
out:
	pthread_mutex_unlock(&r->lock);
	return st;
}

idprov_status
srv_registry_list_pending(srv_registry *r, long long offset, long long limit,
    srv_reg_pending_fn fn, void *ctx, long long *total, idprov_error *err)
{
	sqlite3_stmt *s;
	srv_reg_pending p;
	idprov_status st = IDPROV_OK;
	int rc;

	*total = 0;
	pthread_mutex_lock(&r->lock);
	if ((s = stmt(r, S_PENDING_COUNT)) == NULL || !count_rows(s, total))
		goto fail;
	if ((s = stmt(r, S_PENDING_LIST)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, limit);
	sqlite3_bind_int64(s, 2, offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		col_copy(s, 0, p.device_id, sizeof(p.device_id));
		col_copy(s, 1, p.ip, sizeof(p.ip));
		col_copy(s, 2, p.mac, sizeof(p.mac));
		col_copy(s, 3, p.peer, sizeof(p.peer));
		col_copy(s, 4, p.key_fingerprint, sizeof(p.key_fingerprint));
		p.first_seen = (time_t)sqlite3_column_int64(s, 5);
		p.last_seen = (time_t)sqlite3_column_int64(s, 6);
		p.count = sqlite3_column_int64(s, 7);
		fn(&p, ctx);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	goto out;
fail:
	st = db_error(r, err, "cannot list pending requests");
out:
	pthread_mutex_unlock(&r->lock);
	return st;
}

idprov_status
srv_registry_revoke(srv_registry *r, const char *device_id,
    const char *reason, int reason_code, const char *peer, const char *actor,
    time_t now, int *found, long long *count, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	int ok = 0;
	char why[320];

	snprintf(why, sizeof(why), "revoked by %s: %s",
	    actor != NULL ? actor : "an administrator",
	    reason != NULL ? reason : "");

	*found = 0;
	*count = 0;
	if ((st = begin_durable(r, err)) != IDPROV_OK)
		return st;
	if ((s = stmt(r, S_CERT_REVOKE)) == NULL)
		goto out;
	bind_text(s, 1, device_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_int(s, 3, reason_code);
	bind_text(s, 4, reason);
	if (!step_done(s))
		goto out;
	*count = sqlite3_changes(r->db);
	if ((s = stmt(r, S_DEVICE_REVOKE)) == NULL)
		goto out;
	bind_text(s, 1, device_id);
	bind_text(s, 2, reason);
	if (!step_done(s))
		goto out;
	*found = sqlite3_changes(r->db) > 0;
	if (*found)
		ok = audit_row(r, now, device_id, peer, "revoked", why);
	else
		ok = 1;		/* nothing changed: commit the no-op */
out:
	return finish_durable(r, ok, "cannot revoke", err);
}

idprov_status
srv_registry_revoke_serial(srv_registry *r, const char *serial_hex,
    time_t not_after, const char *reason, int reason_code, const char *peer,
    const char *actor, time_t now, char *device_id, size_t device_id_size,
    int *newly, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	int ok = 0, rc, known = 0, was_revoked = 0;
	char why[400];

	*newly = 0;
	if (device_id_size > 0)
		device_id[0] = '\0';
	if ((st = begin_durable(r, err)) != IDPROV_OK)
		return st;
	if ((s = stmt(r, S_CERT_BY_SERIAL)) == NULL)
		goto out;
	bind_text(s, 1, serial_hex);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		known = 1;
		col_copy(s, 0, device_id, device_id_size);
		was_revoked = sqlite3_column_type(s, 1) != SQLITE_NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto out;
	if (was_revoked) {
		ok = 1;		/* nothing changes: commit the no-op */
		goto out;
	}
	if (known) {
		if ((s = stmt(r, S_CERT_REVOKE_SERIAL)) == NULL)
			goto out;
		bind_text(s, 1, serial_hex);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		sqlite3_bind_int(s, 3, reason_code);
		bind_text(s, 4, reason);
		if (!step_done(s))
			goto out;
		/* The device's current certificate: the device is revoked
		 * too, as `revoke DEVICE` would do. */
		if (device_id[0] != '\0') {
			if ((s = stmt(r, S_DEVICE_REVOKE_CURRENT)) == NULL)
				goto out;
			bind_text(s, 1, device_id);
			bind_text(s, 2, serial_hex);
			bind_text(s, 3, reason);
			if (!step_done(s))
				goto out;
		}
	} else {
		if ((s = stmt(r, S_CERT_INSERT_REVOKED)) == NULL)
			goto out;
		bind_text(s, 1, serial_hex);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)not_after);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
		sqlite3_bind_int(s, 4, reason_code);
		bind_text(s, 5, reason);
		if (!step_done(s))
			goto out;
	}
	*newly = 1;
	snprintf(why, sizeof(why), "certificate %s revoked by %s: %s",
	    serial_hex, actor != NULL ? actor : "an administrator",
	    reason != NULL ? reason : "");
	ok = audit_row(r, now, device_id, peer, "revoked", why);
out:
	return finish_durable(r, ok, "cannot revoke", err);
}

idprov_status
srv_registry_crl_entries(srv_registry *r, time_t now, srv_reg_revoked_fn fn,
    void *ctx, unsigned long long *crl_number, idprov_error *err)
{
	sqlite3_stmt *s;
	idprov_status st;
	int ok = 0, rc;

	if ((st = begin(r, err)) != IDPROV_OK)
		return st;
	if (!simple(r, S_CRL_BUMP) || (s = stmt(r, S_CRL_NUMBER)) == NULL)
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		goto out;
	}
	*crl_number = (unsigned long long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if ((s = stmt(r, S_CRL_LIST)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(s, 0),
		    (time_t)sqlite3_column_int64(s, 1),
		    sqlite3_column_int(s, 2), ctx);
	sqlite3_reset(s);
	ok = rc == SQLITE_DONE;
out:
	return finish(r, ok, "cannot read revoked certificates", err);
}
