/*
 * provision.c - idprov_client_provision: from an OOB secret to a saved
 * certificate (idprov/idprov.h, WIRE.md "Trust").
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "client.h"
#include "exchange.h"
#include "state.h"
#include "trust.h"
#include "lib/core/sign.h"

/*
 * Seconds to wait before the next round, at most `want`: a round begins
 * only while an exchange can still get IDPC_MIN_REQUEST_MS before the
 * deadline (so --timeout bounds the whole call, give or take that); -1
 * when there is no time for another round.
 */
static double
wait_before_round(const idprov_client *c, double want)
{
	long long left_ms = idpc_ms_left(c);
	double spare;

	if (left_ms < IDPC_MIN_REQUEST_MS)
		return -1.0;
	spare = (double)(left_ms - IDPC_MIN_REQUEST_MS) / 1000.0;
	return want < spare ? want : spare;
}

/* Say that the network failure is final: retried until the deadline. */
static void
gave_up(idprov_client *c)
{
	char last[IDPROV_ERROR_MAX];

	memcpy(last, c->err.msg, sizeof(last));
	idprov_error_set(&c->err, IDPROV_ERR_NETWORK, "%s (tried again with "
	    "backoff until the deadline)", last);
}

static idprov_status
accept_approved(idprov_client *c, idpc_round *r, const void *secret,
    size_t secret_len, X509 *saved_ca)
{
	idpc_trust_in in = { 0 };
	X509 *ca = NULL, *cert = NULL;
	idprov_status st;

	if (idprov_prov_response_verify(&r->resp, secret, secret_len, NULL) !=
	    IDPROV_OK)
		return idprov_error_set(&c->err, IDPROV_ERR_UNTRUSTED,
		    "the Approved response's signature does not verify with "
		    "the OOB secret: the server is not the one the secret was "
		    "given to, or someone changed the answer: nothing was "
		    "saved");
	in.device_id = c->device_id;
	in.host = r->host;
	/* With a saved CA, curl verified the session against it, and the
	 * response must carry that same CA. */
	in.expected_ca = saved_ca != NULL ? saved_ca : r->offered_ca;
	in.session_server = saved_ca != NULL ? NULL : r->peer;
	in.key = r->key;
	in.resp = &r->resp;
	if (saved_ca == NULL && r->peer == NULL)
		return idprov_error_set(&c->err, IDPROV_ERR_UNTRUSTED,
		    "the server certificate of the session could not be "
		    "captured, so the server cannot be trusted: nothing was "
		    "saved");
	st = idpc_trust_check(&in, &ca, &cert, &c->err);
	if (st != IDPROV_OK)
		return st;
	st = idpc_state_save_provisioned(c, ca, cert, r->directory_url);
	X509_free(ca);
	X509_free(cert);
	return st;
}

idprov_status
idprov_client_provision(idprov_client *c, const void *secret,
    size_t secret_len, time_t deadline)
{
	idpc_round r;
	EVP_PKEY *key = NULL;
	X509 *saved_ca = NULL;
	char *saved_ca_pem = NULL;
	long backoff = 0;
	double wait;
	idprov_status st;

	idprov_error_clear(&c->err);
	c->retry_hint = 0;
	c->deadline = deadline;
	memset(&r, 0, sizeof(r));
	if (secret == NULL || secret_len == 0) {
		st = idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "the OOB secret is empty");
		goto out;
	}
	st = idpc_state_mkdir(c);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_state_recover(c);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_resolve_server(c);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_state_load_ca(c, &saved_ca_pem, &saved_ca);
	if (st == IDPROV_ERR_NOT_FOUND)
		idprov_error_clear(&c->err);
	else if (st != IDPROV_OK)
		goto out;
	st = idpc_state_key(c, &key);
	if (st != IDPROV_OK)
		goto out;

	for (;;) {
		idpc_round_free(&r);
		memset(&r, 0, sizeof(r));
		r.ca_pem = saved_ca_pem;
		r.key = key;
		r.secret = secret;
		r.secret_len = secret_len;
		st = idpc_round_run(c, &r);
		if (st == IDPROV_ERR_NETWORK) {
			if (deadline == 0)
				goto out;
			backoff = idpc_backoff_next(backoff,
			    IDPC_BACKOFF_FIRST, IDPC_BACKOFF_MAX);
			wait = wait_before_round(c, idpc_jitter((double)backoff,
			    IDPC_JITTER_PCT));
			if (wait < 0) {
				gave_up(c);
				goto out;
			}
			st = idpc_sleep(c, wait);
			if (st != IDPROV_OK)
				goto out;
			continue;
		}
		if (st != IDPROV_OK)
			goto out;
		backoff = 0;
		c->retry_hint = (long)r.resp.retry_sec;
		if (strcmp(r.resp.status, "Waiting") == 0) {
			if (deadline == 0) {
				st = idprov_error_set(&c->err,
				    IDPROV_ERR_WAITING, "the server has no OOB "
				    "secret for this device yet: ask the "
				    "administrator to post it, then try again");
				goto out;
			}
			wait = wait_before_round(c, idpc_jitter(
			    (double)idpc_waiting_base(r.resp.retry_sec,
			    IDPC_DEFAULT_RETRY, IDPC_MAX_WAITING_RETRY),
			    IDPC_JITTER_PCT));
			if (wait < 0) {
				st = idprov_error_set(&c->err,
				    IDPROV_ERR_TIMEOUT, "the deadline passed "
				    "while the server was still waiting for "
				    "the administrator to post this device's "
				    "OOB secret");
				goto out;
			}
			st = idpc_sleep(c, wait);
			if (st != IDPROV_OK)
				goto out;
			continue;
		}
		if (strcmp(r.resp.status, "Rejected") == 0) {
			st = idprov_error_set(&c->err, IDPROV_ERR_REJECTED,
			    "the server rejected the provisioning request: "
			    "the OOB secret is wrong, or the device is locked "
			    "out or revoked");
			goto out;
		}
		if (strcmp(r.resp.status, "Approved") != 0) {
			st = idprov_error_set(&c->err, IDPROV_ERR_INVALID,
			    "the provisioning response has an unknown status");
			goto out;
		}
		st = accept_approved(c, &r, secret, secret_len, saved_ca);
		goto out;
	}
out:
	c->deadline = 0;
	idpc_round_free(&r);
	EVP_PKEY_free(key);
	X509_free(saved_ca);
	free(saved_ca_pem);
	return st;
}
