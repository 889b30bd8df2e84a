/*
 * timeutil.h - RFC 3339 times and human durations.
 */
#ifndef IDPROV_CORE_TIMEUTIL_H
#define IDPROV_CORE_TIMEUTIL_H

#include <stddef.h>
#include <time.h>
#include "error.h"

/* "2026-12-01T00:00:00Z", "2026-12-01T01:00:00+01:00", fractional seconds
 * allowed and dropped.  Strict: anything else is IDPROV_ERR_INVALID. */
idprov_status idprov_time_parse(const char *s, time_t *out,
    idprov_error *err);

/* UTC, "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void idprov_time_format(time_t t, char out[21]);

/* "30s", "10m", "2h", "3d", "1w", or a plain number of seconds; > 0.
 * Sums like "1h30m" are accepted. */
idprov_status idprov_duration_parse(const char *s, long long *seconds_out,
    idprov_error *err);

#endif
