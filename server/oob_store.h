/*
 * oob_store.h - the OOB secrets posted by administrators, in memory only
 * (WIRE.md: a restart forgets them).  One secret per deviceID; a new post
 * replaces the old one; a successful provisioning takes it (one-time
 * use); after `lockout_after` wrong signatures it is discarded.  Expired
 * secrets behave as absent.  Removed secrets are wiped (OPENSSL_cleanse).
 * Thread-safe: one mutex around a hash map.
 */
#ifndef IDPROVD_OOB_STORE_H
#define IDPROVD_OOB_STORE_H

#include <stddef.h>
#include <time.h>

#include "../lib/core/error.h"

typedef struct srv_oob_store srv_oob_store;

idprov_status srv_oob_open(srv_oob_store **out, idprov_error *err);
/* Wipes every secret. */
void srv_oob_close(srv_oob_store *s);

typedef struct srv_oob_new {
	const char *device_id;
	const void *secret;
	size_t secret_len;
	time_t valid_until;
} srv_oob_new;

/* Store n secrets, all or nothing (only memory can fail). */
idprov_status srv_oob_put(srv_oob_store *s, const srv_oob_new *e, size_t n,
    idprov_error *err);

/* Forget device_id's secret (revocation). */
void srv_oob_remove(srv_oob_store *s, const char *device_id);

/* 1 when an unexpired secret is known for device_id. */
int srv_oob_has(srv_oob_store *s, const char *device_id, time_t now);

/* 1 when device_id's last posted secret was discarded by a lockout (and
 * would not have expired yet); a new post clears it. */
int srv_oob_locked_out(srv_oob_store *s, const char *device_id, time_t now);

/* Number of unexpired secrets (for tests and the log). */
size_t srv_oob_count(srv_oob_store *s, time_t now);

typedef enum srv_oob_result {
	SRV_OOB_ABSENT = 0,	/* none, or expired */
	SRV_OOB_WRONG,		/* verify said no; the secret stays */
	SRV_OOB_LOCKED_OUT,	/* verify said no for the lockout_after-th
				 * time: the secret was discarded (wiped;
				 * srv_oob_locked_out says so until it would
				 * have expired or a new post) */
	SRV_OOB_TAKEN		/* verify said yes: the secret is removed and
				 * handed to the caller */
} srv_oob_result;

/* Returns 1 when the secret verifies the request at hand. */
typedef int (*srv_oob_verify_fn)(const unsigned char *secret, size_t len,
    void *ctx);

typedef struct srv_oob_taken {
	unsigned char *secret;	/* wipe with srv_oob_taken_wipe */
	size_t secret_len;
	time_t valid_until;
	time_t posted_at;	/* when the administrator posted it */
	unsigned long long generation;	/* of the entry it came from */
} srv_oob_taken;

/*
 * Look up device_id's secret and call verify with it under the lock, so
 * two requests can never both use one secret.  On SRV_OOB_TAKEN *taken
 * holds the secret and the store keeps a placeholder for it (absent to
 * take, has and count) until srv_oob_used or srv_oob_restore; *wrong_out
 * (if not NULL) gets the wrong-signature count after this call.
 */
srv_oob_result srv_oob_take(srv_oob_store *s, const char *device_id,
    time_t now, int lockout_after, srv_oob_verify_fn verify, void *ctx,
    srv_oob_taken *taken, int *wrong_out);

/* Put a taken secret back (issuance failed after the take), but only if
 * its placeholder is still there: not when a revocation removed it or a
 * new post replaced it meanwhile.  Wipes taken either way. */
void srv_oob_restore(srv_oob_store *s, const char *device_id,
    srv_oob_taken *taken);

/* The taken secret was used (or must go): drop its placeholder, unless a
 * new post replaced it, and wipe taken. */
void srv_oob_used(srv_oob_store *s, const char *device_id,
    srv_oob_taken *taken);

/* Wipe and free a taken secret (its placeholder stays until it expires:
 * prefer srv_oob_used). */
void srv_oob_taken_wipe(srv_oob_taken *taken);

#endif
