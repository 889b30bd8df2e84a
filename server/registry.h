/*
 * registry.h - what idprovd remembers across restarts, in SQLite (WAL):
 * devices, issued certificates (for the CRL and the superseded rule),
 * pending requests and an audit trail of every decision.  Never a secret.
 *
 * Durability: journal_mode=WAL with synchronous=NORMAL.  A transaction is
 * in the WAL file when its COMMIT returns, so a process crash (kill -9)
 * never loses it; only a power loss can lose the last transactions.  The
 * provisioning handler commits the issued certificate before it answers:
 * a crash can lose a response, never a record.
 *
 * One connection behind a mutex: SQLite serializes writers anyway, and
 * every call is a few short statements (see docs/server-app.md).
 */
#ifndef IDPROVD_REGISTRY_H
#define IDPROVD_REGISTRY_H

#include <stddef.h>
#include <time.h>

#include "../lib/core/error.h"

typedef struct srv_registry srv_registry;

#define SRV_REGISTRY_SCHEMA_VERSION 2

/* Open (create, migrate) the database at path. */
idprov_status srv_registry_open(const char *path, srv_registry **out,
    idprov_error *err);
void srv_registry_close(srv_registry *r);

/*
 * Unauthenticated requests write rows (pending, audit), so both tables are
 * bounded: every `prune_every` audit lines, audit keeps its newest
 * `audit_keep` rows and pending its `pending_keep` most recently seen.
 * Defaults: 1,000,000, 100,000, every 1000.  Tests set small values.
 */
void srv_registry_set_limits(srv_registry *r, long long audit_keep,
    long long pending_keep, long long prune_every);

/* Who asked, as the provisioning request and the connection say. */
typedef struct srv_reg_client {
	const char *device_id;
	const char *ip;
	const char *mac;
	const char *peer;
	const char *key_fingerprint;
} srv_reg_client;

typedef struct srv_reg_cert {
	const char *pem;
	const char *serial_hex;
	time_t not_before;
	time_t not_after;
} srv_reg_cert;

/* One transaction: the certificate, the device (approved, not revoked,
 * issue count + 1), the device leaves pending, an audit line. */
idprov_status srv_registry_record_issue(srv_registry *r,
    const srv_reg_client *c, const srv_reg_cert *cert, time_t now,
    const char *reason, idprov_error *err);

/*
 * The same for a certificate approved by an OOB secret posted at
 * secret_posted_at, unless one of the device's certificates was revoked
 * after that: then nothing is written and *revoked_meanwhile is 1 (a
 * provisioning that took the secret just before a revocation must not
 * bring the device back).
 */
idprov_status srv_registry_record_secret_issue(srv_registry *r,
    const srv_reg_client *c, const srv_reg_cert *cert, time_t now,
    const char *reason, time_t secret_posted_at, int *revoked_meanwhile,
    idprov_error *err);

/* A request while no secret was known: pending + audit; the device's own
 * row (peer, last_seen) only while it is waiting or rejected: an
 * unauthenticated request never rewrites an approved or revoked device. */
idprov_status srv_registry_record_pending(srv_registry *r,
    const srv_reg_client *c, time_t now, idprov_error *err);

/* Lockout: an unknown, waiting or rejected device becomes "rejected";
 * an approved or revoked one keeps its row (the lockout is anyone's to
 * cause); an audit line either way. */
idprov_status srv_registry_record_lockout(srv_registry *r,
    const srv_reg_client *c, time_t now, idprov_error *err);

/* An audit line alone. */
idprov_status srv_registry_audit(srv_registry *r, time_t now,
    const char *device_id, const char *peer, const char *outcome,
    const char *reason, idprov_error *err);

/* Admins posted OOB secrets: unknown devices become "waiting", a
 * "rejected" one is waiting again (or approved if it has a certificate);
 * one audit line each.  One transaction. */
idprov_status srv_registry_note_oob(srv_registry *r,
    const char *const *device_ids, size_t n, const char *peer,
    const char *actor, time_t now, idprov_error *err);

/* May this certificate (serial of a device certificate whose CN is
 * device_id) renew?  Only the device's current certificate may.  One the
 * registry does not know at all (no certificates row), for a device that
 * has no certificate from idprovd, was issued by the CA holder directly:
 * it may renew only when allow_unknown (renew_unknown_certificates). */
typedef enum srv_renewal {
	SRV_RENEW_OK = 0,
	SRV_RENEW_REVOKED,	/* the certificate or the device is revoked */
	SRV_RENEW_SUPERSEDED,	/* the device has a newer current one */
	SRV_RENEW_UNKNOWN	/* not in the registry, and not allowed */
} srv_renewal;
idprov_status srv_registry_renewal_check(srv_registry *r,
    const char *device_id, const char *serial_hex, int allow_unknown,
    srv_renewal *out, idprov_error *err);

/* A renewal's record_issue with the renewal check inside the same
 * transaction, so that two renewals with one certificate, or a renewal
 * and a revocation, cannot both pass: when the presented certificate
 * (renew_serial_hex) may no longer renew, nothing is written, *out says
 * why and IDPROV_OK is returned; *out is SRV_RENEW_OK when recorded. */
idprov_status srv_registry_record_renewal(srv_registry *r,
    const srv_reg_client *c, const srv_reg_cert *cert, time_t now,
    const char *reason, const char *renew_serial_hex, int allow_unknown,
    srv_renewal *out, idprov_error *err);

/*
 * Issued certificates recorded together: the three functions above, for
 * many certificates in one transaction (one commit, one set of WAL
 * frames for pages they share: group commit).  A refusal (revoked
 * meanwhile, renewal superseded) is an item's result, not a failure.
 * When an item fails, the batch is undone and every item recorded again
 * alone, so one item's failure is only its own; when the transaction
 * itself cannot start or commit, every item fails.  The results are in
 * the items.
 */
typedef enum srv_reg_issue_kind {
	SRV_REG_ISSUE_PLAIN,	/* srv_registry_record_issue */
	SRV_REG_ISSUE_SECRET,	/* srv_registry_record_secret_issue */
	SRV_REG_ISSUE_RENEWAL	/* srv_registry_record_renewal */
} srv_reg_issue_kind;

typedef struct srv_reg_issue {
	srv_reg_issue_kind kind;
	srv_reg_client client;
	srv_reg_cert cert;
	time_t now;
	const char *reason;
	time_t secret_posted_at;	/* SECRET */
	const char *renew_serial_hex;	/* RENEWAL */
	int allow_unknown;		/* RENEWAL */
	/* results */
	idprov_status st;
	idprov_error err;
	int revoked_meanwhile;		/* SECRET: nothing was written */
	srv_renewal verdict;		/* RENEWAL: nothing written unless OK */
} srv_reg_issue;

void srv_registry_record_issues(srv_registry *r, srv_reg_issue *const *items,
    size_t n);

typedef struct srv_reg_device {
	char device_id[72];
	char status[16];	/* approved revoked waiting rejected */
	char *cert_pem;		/* malloc'd, NULL when none */
	char serial[80];
	time_t not_before, not_after;	/* 0 when none */
	char ip[72], mac[72], peer[72], key_fingerprint[72];
	time_t first_seen, last_seen;
	long long issue_count;
	int revoked;
} srv_reg_device;
void srv_reg_device_free(srv_reg_device *d);

/* *found = 0 when the registry has no such device. */
idprov_status srv_registry_get_device(srv_registry *r, const char *device_id,
    srv_reg_device *out, int *found, idprov_error *err);
idprov_status srv_registry_is_pending(srv_registry *r, const char *device_id,
    int *pending, idprov_error *err);

/* Paging, sorted by deviceID; status NULL or "all" for every device.
 * The callback gets each row (cert_pem not loaded). */
typedef void (*srv_reg_device_fn)(const srv_reg_device *d, void *ctx);
idprov_status srv_registry_list_devices(srv_registry *r, const char *status,
    long long offset, long long limit, srv_reg_device_fn fn, void *ctx,
    long long *total, idprov_error *err);

typedef struct srv_reg_pending {
	char device_id[72];
	char ip[72], mac[72], peer[72], key_fingerprint[72];
	time_t first_seen, last_seen;
	long long count;
} srv_reg_pending;
typedef void (*srv_reg_pending_fn)(const srv_reg_pending *p, void *ctx);
idprov_status srv_registry_list_pending(srv_registry *r, long long offset,
    long long limit, srv_reg_pending_fn fn, void *ctx, long long *total,
    idprov_error *err);

/* Revoke every unrevoked certificate of the device; *count how many,
 * *found = 0 when the device is unknown.  reason_code is RFC 5280's
 * CRLReason; reason is the admin's text (may be "").  actor (the admin
 * certificate's CN) goes into the audit line, as in note_oob. */
idprov_status srv_registry_revoke(srv_registry *r, const char *device_id,
    const char *reason, int reason_code, const char *peer, const char *actor,
    time_t now, int *found, long long *count, idprov_error *err);

/*
 * Revoke one certificate by serial (upper-case hex without leading zero
 * bytes, as srv_hex_upper writes an ASN1_INTEGER's content).  A serial of
 * the registry is marked revoked (and its device too when it is the
 * device's current certificate); an unknown serial (an admin certificate
 * from `idprovctl ca init`, a device certificate made outside) is
 * added as a revoked row of no device, listed in the CRL until not_after.
 * *newly = 0 when it was revoked already (nothing changes);
 * device_id gets the certificate's device ("" when none).  Durable as
 * srv_registry_revoke.
 */
idprov_status srv_registry_revoke_serial(srv_registry *r,
    const char *serial_hex, time_t not_after, const char *reason,
    int reason_code, const char *peer, const char *actor, time_t now,
    char *device_id, size_t device_id_size, int *newly, idprov_error *err);

/* Revoked certificates not yet expired at `now`, and the next CRL number
 * (incremented and stored). */
typedef void (*srv_reg_revoked_fn)(const char *serial_hex, time_t revoked_at,
    int reason_code, void *ctx);
idprov_status srv_registry_crl_entries(srv_registry *r, time_t now,
    srv_reg_revoked_fn fn, void *ctx, unsigned long long *crl_number,
    idprov_error *err);

#endif
