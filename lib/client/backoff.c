/*
 * backoff.c - waits with jitter (see backoff.h).
 */
#include <openssl/rand.h>

#include "backoff.h"

double
idpc_jitter_apply(double base, int pct, uint32_t r)
{
	double u = ((double)r / (double)UINT32_MAX) * 2.0 - 1.0;

	return base * (1.0 + (double)pct / 100.0 * u);
}

double
idpc_jitter(double base, int pct)
{
	uint32_t r = UINT32_MAX / 2;

	/* Without randomness the wait is merely unjittered: still correct. */
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = UINT32_MAX / 2;
	return idpc_jitter_apply(base, pct, r);
}

long
idpc_backoff_next(long current, long first, long max)
{
	if (current < first)
		return first;
	if (current >= max / 2)
		return max;
	return current * 2;
}

long long
idpc_renew_point(long long not_before, long long not_after)
{
	if (not_after <= not_before)
		return not_after;
	return not_before + (not_after - not_before) * 2 / 3;
}

long long
idpc_waiting_base(long long retry_sec, long long dflt, long long max)
{
	if (retry_sec <= 0)
		return dflt;
	return retry_sec > max ? max : retry_sec;
}
