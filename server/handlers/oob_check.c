/*
 * oob_check.c - validation of a posted OOB secret.
 */
#include <string.h>

#include "oob_check.h"
#include "../../lib/core/timeutil.h"
#include "../../lib/core/validate.h"

idprov_status
srv_oob_check(const char *device_id, const char *secret,
    const char *valid_until, const srv_settings *set, time_t now,
    time_t *until_out, idprov_error *err)
{
	idprov_status st;
	size_t len;
	time_t t;

	if ((st = idprov_validate_device_id(device_id, err)) != IDPROV_OK)
		return st;
	len = secret != NULL ? strlen(secret) : 0;
	if (len == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "oobSecret is empty");
	if (len > SRV_OOB_SECRET_MAX)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "oobSecret has %zu bytes, more than the %d allowed", len,
		    SRV_OOB_SECRET_MAX);
	/* "" and Go's zero time.Time (what a Go peer marshals for "not
	 * set") both mean the default lifetime. */
	if (valid_until == NULL || valid_until[0] == '\0' ||
	    strcmp(valid_until, "0001-01-01T00:00:00Z") == 0) {
		*until_out = now + set->oob_default_sec;
		return IDPROV_OK;
	}
	if (idprov_time_parse(valid_until, &t, NULL) != IDPROV_OK)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "validUntil is not an RFC 3339 time");
	if (t <= now)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "validUntil is in the past");
	if (t - now > set->oob_max_sec)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "validUntil is more than %ld seconds away (the configured "
		    "maximum)", set->oob_max_sec);
	*until_out = t;
	return IDPROV_OK;
}
