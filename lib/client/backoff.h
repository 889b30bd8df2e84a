/*
 * backoff.h - how long to wait before asking again.
 *
 * Many devices powered on together must not ask in lock-step, so every
 * wait gets +-IDPC_JITTER_PCT % of random jitter.  The arithmetic is kept
 * apart from the randomness so it can be tested exactly.
 */
#ifndef IDPROV_CLIENT_BACKOFF_H
#define IDPROV_CLIENT_BACKOFF_H

#include <stdint.h>

/* base * (1 + pct/100 * u), u = r mapped onto [-1, 1]. */
double idpc_jitter_apply(double base, int pct, uint32_t r);

/* base with +-pct % jitter from the OpenSSL random generator. */
double idpc_jitter(double base, int pct);

/* The wait before asking again after Waiting: the server's retrySec, the
 * default when it sent none (<= 0), at most `max` since a Waiting answer
 * is unsigned and anyone on the path could set it. */
long long idpc_waiting_base(long long retry_sec, long long dflt,
    long long max);

/* The next unreachable-server wait: first, then doubling, capped at max. */
long idpc_backoff_next(long current, long first, long max);

/* When to renew a certificate valid from not_before to not_after when the
 * server gave no hint: two thirds into its life. */
long long idpc_renew_point(long long not_before, long long not_after);

#endif
