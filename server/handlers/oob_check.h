/*
 * oob_check.h - the rules an OOB secret must follow, shared by the
 * standard endpoint (oobsecret.c) and the bulk admin one.
 */
#ifndef IDPROVD_OOB_CHECK_H
#define IDPROVD_OOB_CHECK_H

#include <time.h>

#include "../app_ctx.h"
#include "../../lib/core/error.h"

#define SRV_OOB_SECRET_MAX 256

/*
 * deviceID valid, secret non-empty and at most SRV_OOB_SECRET_MAX bytes,
 * valid_until ("" or NULL = now + oob_default_sec) RFC 3339, in the
 * future and at most oob_max_sec away.  *until_out gets the expiry.
 */
idprov_status srv_oob_check(const char *device_id, const char *secret,
    const char *valid_until, const srv_settings *set, time_t now,
    time_t *until_out, idprov_error *err);

#endif
