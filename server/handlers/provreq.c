/*
 * provreq.c - POST /idprov/provreq: provisioning, renewal, request by an
 * administrator.  WIRE.md "Decisions of the server":
 *  1. an admin/plugin certificate: issue for any deviceID, sign with "";
 *  2. an iotdevice certificate whose CN is the deviceID, and which the
 *     registry says is neither revoked nor superseded: renewal, sign
 *     with ""; a device certificate for another ID falls through to 3;
 *  3. otherwise the OOB secret decides: none -> Waiting; wrong signature
 *     -> Rejected (the lockout_after-th wrong one discards the secret);
 *     right -> issue, the secret is used up, sign with it.
 * A refused renewal (revoked or superseded certificate, or one the
 * registry does not know while renew_unknown_certificates = no) goes to 3,
 * so a revoked device comes back only through a new OOB secret; without
 * one it is Rejected, not Waiting.
 * The issued certificate is committed to the registry before the answer,
 * by the registry writer thread (issue_writer.h) while this worker serves
 * other connections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/x509.h>

#include "handlers.h"
#include "../issue_writer.h"
#include "../issuer.h"
#include "../oob_store.h"
#include "../registry.h"
#include "../respond.h"
#include "../../lib/core/sign.h"
#include "../../lib/core/validate.h"
#include "../../lib/core/wire.h"

typedef struct provreq_ctx {
	srv_app *app;
	const srv_request *req;
	srv_response *resp;
	idprov_prov_request m;
	EVP_PKEY *key;
	unsigned char spki[SRV_SPKI_MAX];
	size_t spki_len;
	char fingerprint[65];
	srv_settings set;
	time_t now;
} provreq_ctx;

static srv_reg_client
client_of(const provreq_ctx *c)
{
	srv_reg_client rc;

	rc.device_id = c->m.device_id;
	rc.ip = c->m.ip;
	rc.mac = c->m.mac;
	rc.peer = c->req->peer_addr;
	rc.key_fingerprint = c->fingerprint;
	return rc;
}

/* Write the answer, signed with key (len 0: the empty key). */
static void
answer_to(srv_app *app, srv_response *resp, const char *status,
    long long retry_sec, const char *client_cert, const void *key,
    size_t key_len)
{
	idprov_prov_response r;
	idprov_error err;
	int approved = strcmp(status, IDPROV_STATUS_APPROVED) == 0;
	char *body;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.retry_sec = retry_sec;
	r.status = (char *)status;
	r.ca_cert = (char *)(approved ? srv_issuer_ca_pem(app->issuer) : "");
	r.client_cert = (char *)(approved ? client_cert : "");
	/* Waiting and Rejected are unsigned: they prove nothing. */
	if (approved) {
		if ((body = idprov_prov_response_write_signed(&r, key, key_len,
		    &len, &err)) == NULL) {
			srv_respond_error(resp, 500, "error", err.msg);
			return;
		}
	} else {
		body = idprov_prov_response_write(&r, &len);
	}
	srv_respond_body(resp, 200, body, len, NULL);
}

static void
answer(provreq_ctx *c, const char *status, long long retry_sec,
    const char *client_cert, const void *key, size_t key_len)
{
	answer_to(c->app, c->resp, status, retry_sec, client_cert, key,
	    key_len);
}

/* Rejected, with its audit line. */
static void
reject_to(srv_app *app, srv_response *resp, time_t now,
    const char *device_id, const char *peer, const char *why)
{
	idprov_error err;

	/* The audit line matters more than the answer; a failure to write
	 * it does not change what the device is told. */
	srv_registry_audit(app->reg, now, device_id, peer, "rejected", why,
	    &err);
	answer_to(app, resp, IDPROV_STATUS_REJECTED, 0, NULL, NULL, 0);
	srv_respond_outcome(resp, "rejected: %s", why);
}

/*
 * An issued certificate (on an OOB secret, for an administrator, or a
 * renewal) handed to the registry writer (issue_writer.h) so that this
 * worker serves other connections while it is committed;
 * later_issue_finish answers.  It owns copies of everything: the
 * request's buffers are gone by then.
 */
typedef struct later_issue {
	srv_issue_job job;
	srv_app *app;
	srv_later *later;
	srv_issued cert;
	srv_oob_taken taken;	/* the secret, when has_taken */
	int has_taken;
	char *device_id, *ip, *mac, *peer;
	char fingerprint[65];
	char reason[96];
	long long retry_sec;
	time_t now;
	/* A renewal, checked again inside the committing transaction; when
	 * refused there, the request goes on to its OOB secret (rule 3),
	 * which needs all of it. */
	int renewal;
	char renew_serial[SRV_SERIAL_HEX_MAX];
	idprov_prov_request m;
	unsigned char spki[SRV_SPKI_MAX];
	size_t spki_len;
	srv_settings set;
} later_issue;

static void by_secret(provreq_ctx *c, const char *refused);
static const char *refusal(srv_renewal verdict);

static void
later_issue_free(later_issue *li)
{
	if (li == NULL)
		return;
	if (li->has_taken)
		srv_oob_taken_wipe(&li->taken);
	srv_issued_free(&li->cert);
	free(li->device_id);
	free(li->ip);
	free(li->mac);
	free(li->peer);
	idprov_prov_request_free(&li->m);
	free(li);
}

/* In the writer thread, after the commit. */
static void
later_issue_done(srv_issue_job *job)
{
	later_issue *li = (later_issue *)job;

	srv_later_ready(li->later);
}

/*
 * A renewal refused inside its transaction (another renewal with the same
 * certificate, or a revocation, got there first): as for one refused
 * before, the OOB secret decides.  Whatever that issues is recorded and
 * answered at once (the request's `later` is already taken): a rare path.
 */
static void
renewal_refused(later_issue *li, srv_response *resp)
{
	srv_request req;
	provreq_ctx c;

	memset(&req, 0, sizeof(req));
	req.peer_addr = li->peer;
	memset(&c, 0, sizeof(c));
	c.app = li->app;
	c.req = &req;
	c.resp = resp;
	c.m = li->m;		/* li keeps it and frees it */
	memcpy(c.spki, li->spki, li->spki_len);
	c.spki_len = li->spki_len;
	snprintf(c.fingerprint, sizeof(c.fingerprint), "%s", li->fingerprint);
	c.set = li->set;
	c.now = li->now;
	by_secret(&c, refusal(li->job.rec.verdict));
}

/* Once the certificate's record is committed (or has failed): the OOB
 * secret is used or put back, and the answer made; on the request's own
 * worker thread, or at once when the request could not wait. */
static void
later_issue_finish(void *arg, srv_response *resp)
{
	later_issue *li = arg;
	const srv_reg_issue *rec = &li->job.rec;

	if (rec->st != IDPROV_OK) {
		/* Nothing was issued: the secret stays usable, unless a
		 * revocation or a new post came in meanwhile. */
		if (li->has_taken) {
			srv_oob_restore(li->app->oob, li->device_id, &li->taken);
			li->has_taken = 0;
		}
		srv_respond_error(resp, 500, "error", rec->err.msg);
	} else if (rec->revoked_meanwhile) {
		/* The secret is the revoked device's: it goes. */
		srv_oob_used(li->app->oob, li->device_id, &li->taken);
		li->has_taken = 0;
		reject_to(li->app, resp, li->now, li->device_id, li->peer,
		    "revoked while this request was handled");
	} else if (li->renewal && rec->verdict != SRV_RENEW_OK) {
		renewal_refused(li, resp);
	} else {
		answer_to(li->app, resp, IDPROV_STATUS_APPROVED, li->retry_sec,
		    li->cert.pem, li->has_taken ? li->taken.secret :
		    (const unsigned char *)"", li->has_taken ?
		    li->taken.secret_len : 0);
		if (resp->status == 200)
			srv_respond_outcome(resp, "approved (%s) serial %s",
			    li->reason, li->cert.serial_hex);
		if (li->has_taken) {
			srv_oob_used(li->app->oob, li->device_id, &li->taken);
			li->has_taken = 0;
		}
	}
	later_issue_free(li);
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/*
 * Record an issued certificate and answer: by the registry writer, the
 * answer later (later_issue_finish), or, when the request cannot wait (a
 * handler called directly), the same record and the same answer now.
 * *cert and *taken (when not NULL) are taken over on success (1), and for
 * a renewal (renew_serial: the presented certificate's) the parsed
 * request c->m too; 0: out of memory, nothing was taken over.
 */
static int
issue_recorded(provreq_ctx *c, srv_issued *cert, srv_oob_taken *taken,
    const char *reason, const char *renew_serial)
{
	later_issue *li;
	srv_reg_issue *rec;

	if ((li = calloc(1, sizeof(*li))) == NULL)
		return 0;
	li->app = c->app;
	li->now = c->now;
	li->retry_sec = c->set.cert_validity_sec / 2;	/* renew at half-life */
	li->device_id = dup_or_empty(c->m.device_id);
	li->ip = dup_or_empty(c->m.ip);
	li->mac = dup_or_empty(c->m.mac);
	li->peer = dup_or_empty(c->req->peer_addr);
	if (li->device_id == NULL || li->ip == NULL || li->mac == NULL ||
	    li->peer == NULL) {
		later_issue_free(li);
		return 0;
	}
	snprintf(li->fingerprint, sizeof(li->fingerprint), "%s",
	    c->fingerprint);
	snprintf(li->reason, sizeof(li->reason), "%s", reason);
	li->cert = *cert;
	memset(cert, 0, sizeof(*cert));
	if (taken != NULL) {
		li->taken = *taken;
		memset(taken, 0, sizeof(*taken));
		li->has_taken = 1;
	}
	rec = &li->job.rec;
	rec->kind = taken != NULL ? SRV_REG_ISSUE_SECRET : SRV_REG_ISSUE_PLAIN;
	if (renew_serial != NULL) {
		li->renewal = 1;
		snprintf(li->renew_serial, sizeof(li->renew_serial), "%s",
		    renew_serial);
		li->m = c->m;
		memset(&c->m, 0, sizeof(c->m));
		memcpy(li->spki, c->spki, c->spki_len);
		li->spki_len = c->spki_len;
		li->set = c->set;
		rec->kind = SRV_REG_ISSUE_RENEWAL;
		rec->renew_serial_hex = li->renew_serial;
		rec->allow_unknown = c->set.renew_unknown;
	}
	rec->client.device_id = li->device_id;
	rec->client.ip = li->ip;
	rec->client.mac = li->mac;
	rec->client.peer = li->peer;
	rec->client.key_fingerprint = li->fingerprint;
	rec->cert.pem = li->cert.pem;
	rec->cert.serial_hex = li->cert.serial_hex;
	rec->cert.not_before = li->cert.not_before;
	rec->cert.not_after = li->cert.not_after;
	rec->now = li->now;
	rec->reason = li->reason;
	rec->secret_posted_at = li->has_taken ? li->taken.posted_at : 0;
	li->job.done = later_issue_done;
	if (c->app->writer != NULL &&
	    (li->later = srv_later_take(c->req, later_issue_finish, li)) !=
	    NULL) {
		srv_issue_writer_submit(c->app->writer, &li->job);
		return 1;
	}
	srv_registry_record_issues(c->app->reg, &rec, 1);
	later_issue_finish(li, c->resp);
	return 1;
}

/*
 * Issue a certificate, commit it, answer Approved: issue_recorded answers
 * once it is committed.  On an OOB secret (taken), the secret goes with
 * the certificate; a renewal (renew_serial: the presented certificate's)
 * is signed with the empty key, and checked again inside the committing
 * transaction (finding F4).  1: issue_recorded answers; 0: the response
 * is a 500, nothing was issued and *taken is still the caller's.
 */
static int
issue(provreq_ctx *c, const char *reason, const char *renew_serial,
    srv_oob_taken *taken)
{
	srv_issued cert;
	idprov_error err;

	if (srv_issuer_issue(c->app->issuer, c->m.device_id, c->spki,
	    c->spki_len, c->set.cert_validity_sec, c->now, &cert, &err) !=
	    IDPROV_OK) {
		srv_respond_error(c->resp, 500, "error", err.msg);
		return 0;
	}
	if (issue_recorded(c, &cert, taken, reason, renew_serial))
		return 1;
	srv_issued_free(&cert);
	srv_respond_error(c->resp, 500, "error",
	    "out of memory recording the certificate");
	return 0;
}

static void
reject(provreq_ctx *c, const char *why)
{
	reject_to(c->app, c->resp, c->now, c->m.device_id, c->req->peer_addr,
	    why);
}

static int
verify_cb(const unsigned char *secret, size_t len, void *vctx)
{
	const provreq_ctx *c = vctx;

	return idprov_prov_request_verify(&c->m, secret, len, NULL) ==
	    IDPROV_OK;
}

/* Rule 3.  `refused` is why a renewal was refused, or NULL. */
static void
by_secret(provreq_ctx *c, const char *refused)
{
	srv_oob_taken taken;
	srv_reg_client cl = client_of(c);
	srv_reg_device dev;
	idprov_error err;
	char why[96];
	int wrong = 0, found = 0;

	switch (srv_oob_take(c->app->oob, c->m.device_id, c->now,
	    c->set.lockout_after, verify_cb, c, &taken, &wrong)) {
	case SRV_OOB_TAKEN:
		/* The secret goes with the certificate (issue_recorded);
		 * when nothing was issued it stays usable, unless a
		 * revocation or a new post came in meanwhile. */
		if (issue(c, refused != NULL ?
		    "new OOB secret after a refused renewal" : "OOB secret",
		    NULL, &taken) == 0)
			srv_oob_restore(c->app->oob, c->m.device_id, &taken);
		return;
	case SRV_OOB_WRONG:
		snprintf(why, sizeof(why), "wrong signature (%d of %d)", wrong,
		    c->set.lockout_after);
		reject(c, why);
		return;
	case SRV_OOB_LOCKED_OUT:
		srv_registry_record_lockout(c->app->reg, &cl, c->now, &err);
		answer(c, IDPROV_STATUS_REJECTED, 0, NULL, NULL, 0);
		srv_respond_outcome(c->resp, "rejected: wrong signature, "
		    "locked out, secret discarded");
		return;
	case SRV_OOB_ABSENT:
		break;
	}
	if (refused != NULL) {
		reject(c, refused);
		return;
	}
	/* Locked out or revoked devices are told so until an admin posts
	 * a new secret (WIRE.md: Rejected, ours). */
	if (srv_registry_get_device(c->app->reg, c->m.device_id, &dev, &found,
	    &err) == IDPROV_OK && found && (strcmp(dev.status, "rejected") ==
	    0 || strcmp(dev.status, "revoked") == 0)) {
		snprintf(why, sizeof(why), "device is %s; a new OOB secret is "
		    "needed", dev.status);
		srv_reg_device_free(&dev);
		reject(c, why);
		return;
	}
	srv_reg_device_free(&dev);
	if (srv_registry_record_pending(c->app->reg, &cl, c->now, &err) !=
	    IDPROV_OK) {
		srv_respond_error(c->resp, 500, "error", err.msg);
		return;
	}
	answer(c, IDPROV_STATUS_WAITING, c->set.retry_sec, NULL, NULL, 0);
	srv_respond_outcome(c->resp, "waiting: no OOB secret");
}

/* Serial of the client certificate as upper-case hex. */
static void
peer_serial(X509 *cert, char *out, size_t outsz)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(cert);

	out[0] = '\0';
	if (s != NULL)
		srv_hex_upper(ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s), out, outsz);
}

/* Why a renewal was refused, for the audit trail and the log. */
static const char *
refusal(srv_renewal verdict)
{
	switch (verdict) {
	case SRV_RENEW_REVOKED:
		return "renewal refused: the certificate is revoked";
	case SRV_RENEW_UNKNOWN:
		return "renewal refused: the certificate is not in the "
		    "registry (renew_unknown_certificates = no)";
	default:
		return "renewal refused: the certificate is superseded";
	}
}

static idprov_status
validate(provreq_ctx *c, idprov_error *err)
{
	idprov_status st;

	if ((st = idprov_validate_device_id(c->m.device_id, err)) !=
	    IDPROV_OK)
		return st;
	if (c->m.ip == NULL || c->m.ip[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID, "ip is empty");
	if ((st = idprov_validate_ip(c->m.ip, err)) != IDPROV_OK ||
	    (st = idprov_validate_mac(c->m.mac != NULL ? c->m.mac : "",
	    err)) != IDPROV_OK)
		return st;
	/* The common P-256 key comes back as its DER, which goes into the
	 * certificate as it is: no EVP_PKEY is built.  Any other key is
	 * decoded and re-encoded in the form the issuer expects. */
	if ((st = idprov_validate_public_key_pem_spki(c->m.public_key_pem,
	    &c->key, c->spki, &c->spki_len, err)) != IDPROV_OK ||
	    (c->spki_len == 0 && (st = srv_spki_der(c->key, c->spki,
	    &c->spki_len, err)) != IDPROV_OK)) {
		/* Every sentence names the field, even "EC curve X is not
		 * accepted". */
		if (err != NULL && strstr(err->msg, "publicKeyPEM") == NULL) {
			char msg[IDPROV_ERROR_MAX];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			idprov_error_set(err, st, "publicKeyPEM: %s", msg);
		}
		return st;
	}
	srv_spki_fingerprint(c->app->issuer, c->spki, c->spki_len,
	    c->fingerprint);
	return IDPROV_OK;
}

void
srv_h_provreq(srv_app *app, const srv_request *req, srv_response *resp)
{
	provreq_ctx c;
	idprov_error err;
	char serial[SRV_SERIAL_HEX_MAX];

	memset(&c, 0, sizeof(c));
	idprov_error_clear(&err);
	c.app = app;
	c.req = req;
	c.resp = resp;
	c.now = time(NULL);
	if (idprov_prov_request_parse(req->body, req->body_len, &c.m, &err) !=
	    IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	srv_respond_device(resp, c.m.device_id);
	if (validate(&c, &err) != IDPROV_OK) {
		srv_respond_error(resp, 400, "bad-request", err.msg);
		goto out;
	}
	srv_app_settings(app, &c.set);

	if (req->role == SRV_ROLE_ADMIN) {
		char why[96];

		snprintf(why, sizeof(why), "request by administrator %.60s",
		    req->peer_cn != NULL ? req->peer_cn : "");
		issue(&c, why, NULL, NULL);
		goto out;
	}
	if (req->role == SRV_ROLE_DEVICE && req->peer_cn != NULL &&
	    req->peer_cert != NULL &&
	    strcmp(req->peer_cn, c.m.device_id) == 0) {
		/* Whether this certificate may still renew (not revoked, not
		 * superseded) is decided once, inside the transaction that
		 * records the new one (finding F4), so that the worker never
		 * waits for the registry here; a refusal goes on to the OOB
		 * secret (renewal_refused).  A refused renewal costs a
		 * signature that is thrown away: rare, and never sent. */
		peer_serial(req->peer_cert, serial, sizeof(serial));
		issue(&c, "renewal", serial, NULL);
		goto out;
	}
	by_secret(&c, NULL);
out:
	EVP_PKEY_free(c.key);
	idprov_prov_request_free(&c.m);
}
