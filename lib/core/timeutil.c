/*
 * timeutil.c - RFC 3339 times and human durations.
 *
 * Calendar arithmetic is done here (days from civil date) rather than with
 * timegm, so parsing does not depend on the process's time zone or on libc
 * normalizing out-of-range fields: "2026-02-30" is an error, not March 2.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Exactly n decimal digits at *p. */
static int
digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

idprov_status
idprov_time_parse(const char *s, time_t *out, idprov_error *err)
{
	const char *p = s;
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	long long t, off = 0;

	if (s == NULL || s[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the time is empty");
	if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) ||
	    expect(&p, '-') || digits(&p, 2, &d) || expect(&p, 'T') ||
	    digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) ||
	    expect(&p, ':') || digits(&p, 2, &sec))
		goto bad;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;

		p++;
		if (digits(&p, 2, &oh) || expect(&p, ':') ||
		    digits(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
		off = sign * (long long)(oh * 3600 + om * 60);
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the time \"%.40s\" is not a valid date and time", s);
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= off;
	if (sizeof(time_t) < 8 && (t > INT_MAX || t < INT_MIN))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the time \"%.40s\" is out of range", s);
	*out = (time_t)t;
	return IDPROV_OK;
bad:
	return idprov_error_set(err, IDPROV_ERR_INVALID,
	    "the time \"%.40s\" is not RFC 3339 (like 2026-12-01T00:00:00Z)",
	    s);
}

void
idprov_time_format(time_t t, char out[21])
{
	/* Clamped to years 0000-9999 so the text always has 20 characters. */
	static const long long min_t = -62167219200LL;	/* 0000-01-01 */
	static const long long max_t = 253402300799LL;	/* 9999-12-31 ... */
	long long v = (long long)t, days, secs, y, era;
	unsigned doe, yoe, doy, mp, d, m;
	char text[80];

	if (v < min_t)
		v = min_t;
	if (v > max_t)
		v = max_t;
	days = v / 86400;
	secs = v % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* Inverse of days_from_civil. */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Every field is in range by now; the wide buffer only keeps the
	 * compiler's truncation analysis quiet. */
	snprintf(text, sizeof(text), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
	    y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
	memcpy(out, text, 20);
	out[20] = '\0';
}

idprov_status
idprov_duration_parse(const char *s, long long *seconds_out,
    idprov_error *err)
{
	const char *p = s;
	long long total = 0;
	int terms = 0;

	if (s == NULL || s[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the duration is empty");
	while (*p != '\0') {
		long long n = 0, unit;

		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p)) {
			if (n > (LLONG_MAX - 9) / 10)
				goto range;
			n = n * 10 + (*p - '0');
			p++;
		}
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		case '\0':
			/* A bare number: seconds, but only on its own. */
			if (terms > 0)
				goto bad;
			unit = 1;
			break;
		default:
			goto bad;
		}
		if (*p != '\0')
			p++;
		if (n > LLONG_MAX / unit || total > LLONG_MAX - n * unit)
			goto range;
		total += n * unit;
		terms++;
	}
	if (total <= 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the duration \"%.40s\" must be more than zero", s);
	*seconds_out = total;
	return IDPROV_OK;
bad:
	return idprov_error_set(err, IDPROV_ERR_INVALID,
	    "the duration \"%.40s\" is not like 30s, 10m, 2h, 3d, 1w or 1h30m",
	    s);
range:
	return idprov_error_set(err, IDPROV_ERR_INVALID,
	    "the duration \"%.40s\" is too long", s);
}
