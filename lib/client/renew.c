/*
 * renew.c - idprov_client_renew: a new certificate over mutual TLS with
 * the current one, optionally for a new key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include "client.h"
#include "exchange.h"
#include "state.h"
#include "trust.h"
#include "lib/core/crypto.h"
#include "lib/core/sign.h"
#include "lib/core/timeutil.h"

/* The checks that need no network: provisioned, not expired. */
static idprov_status
check_current(idprov_client *c, EVP_PKEY **key, char **ca_pem, X509 **ca)
{
	X509 *cert = NULL;
	idprov_cert_info ci;
	char when[21];
	idprov_status st;

	st = idpc_state_load_cert(c, &cert);
	if (st == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, IDPROV_ERR_STATE,
		    "this device is not provisioned yet: provision it with "
		    "an OOB secret first");
	if (st != IDPROV_OK)
		return st;
	st = idprov_cert_get_info(cert, &ci, &c->err);
	if (st != IDPROV_OK)
		goto out;
	if (ci.not_after <= time(NULL)) {
		idprov_time_format(ci.not_after, when);
		/* The server would refuse the handshake: don't try. */
		st = idprov_error_set(&c->err, IDPROV_ERR_EXPIRED,
		    "the certificate expired at %s and cannot be renewed: "
		    "a new OOB secret is needed (provision again)", when);
		goto out;
	}
	st = idpc_state_load_key(c, key);
	if (st != IDPROV_OK)
		goto out;
	if (!idprov_cert_matches_key(cert, *key)) {
		st = idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "%s is not the certificate of %s", c->path_cert,
		    c->path_key);
		goto out;
	}
	st = idpc_state_load_ca(c, ca_pem, ca);
	if (st == IDPROV_ERR_NOT_FOUND)
		st = idprov_error_set(&c->err, IDPROV_ERR_STATE,
		    "there is no %s to verify the server with: provision "
		    "again", c->path_ca);
out:
	X509_free(cert);
	return st;
}

/*
 * One renewal at a time per certificate: an exclusive lock on cert.pem,
 * held to the end, -1 when another run holds it.  Two renewals with one
 * certificate would otherwise both reach the server, which renews one
 * and refuses the other as superseded ("may be revoked": wrong).  A run
 * that starts once the other has saved opens the new cert.pem, and
 * renews that one.  *fd is -1 when cert.pem cannot be opened (the round
 * then says why).
 */
static int
lock_renewal(const idprov_client *c, int *fd)
{
	*fd = open(c->path_cert, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return 0;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

idprov_status
idprov_client_renew(idprov_client *c, int rotate_key)
{
	idpc_round r;
	idpc_trust_in in = { 0 };
	EVP_PKEY *key = NULL, *new_key = NULL;
	X509 *saved_ca = NULL, *ca = NULL, *cert = NULL;
	char *saved_ca_pem = NULL;
	idprov_status st;
	int lock_fd = -1;

	idprov_error_clear(&c->err);
	memset(&r, 0, sizeof(r));
	st = idpc_state_recover(c);
	if (st != IDPROV_OK)
		goto out;
	st = check_current(c, &key, &saved_ca_pem, &saved_ca);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_resolve_server(c);
	if (st != IDPROV_OK)
		goto out;
	if (rotate_key) {
		st = idprov_key_generate(IDPROV_KEY_EC_P256, &new_key, &c->err);
		if (st != IDPROV_OK)
			goto out;
	}
	if (lock_renewal(c, &lock_fd) != 0) {
		st = idprov_error_set(&c->err, IDPROV_ERR_INVALID, "another "
		    "idprov is renewing %s: nothing was done (run one idprov "
		    "per folder)", c->path_cert);
		goto out;
	}
	r.ca_pem = saved_ca_pem;
	r.cert_file = c->path_cert;
	r.key_file = c->path_key;
	r.key = new_key != NULL ? new_key : key;
	r.secret = "";
	r.secret_len = 0;
	st = idpc_round_run(c, &r);
	if (st != IDPROV_OK)
		goto out;
	c->retry_hint = (long)r.resp.retry_sec;
	if (strcmp(r.resp.status, "Approved") != 0) {
		st = idprov_error_set(&c->err, IDPROV_ERR_REJECTED,
		    "the server refused to renew (%s): the device may be "
		    "revoked; a new OOB secret is needed",
		    strcmp(r.resp.status, "Waiting") == 0 ? "Waiting" :
		    "Rejected");
		goto out;
	}
	if (idprov_prov_response_verify(&r.resp, "", 0, NULL) != IDPROV_OK) {
		st = idprov_error_set(&c->err, IDPROV_ERR_UNTRUSTED,
		    "the renewal response's signature does not verify: "
		    "nothing was saved");
		goto out;
	}
	in.device_id = c->device_id;
	in.host = r.host;
	in.expected_ca = saved_ca;
	in.session_server = NULL;	/* curl verified it against ca.pem */
	in.key = r.key;
	in.resp = &r.resp;
	st = idpc_trust_check(&in, &ca, &cert, &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = idpc_state_save_renewed(c, cert, new_key);
out:
	idpc_round_free(&r);
	EVP_PKEY_free(key);
	EVP_PKEY_free(new_key);
	X509_free(saved_ca);
	X509_free(ca);
	X509_free(cert);
	free(saved_ca_pem);
	if (lock_fd >= 0)
		close(lock_fd);	/* releases the lock */
	return st;
}
