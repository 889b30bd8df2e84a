/*
 * query.c - reading key=value pairs out of a query string.
 */
#include <stdlib.h>
#include <string.h>

#include "query.h"

int
srv_query_get(const char *query, const char *key, char *out, size_t outsz)
{
	const char *p = query, *end, *eq;
	size_t klen = strlen(key), vlen;

	if (outsz > 0)
		out[0] = '\0';
	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == klen &&
		    memcmp(p, key, klen) == 0) {
			vlen = (size_t)(end - eq - 1);
			if (vlen >= outsz)
				vlen = outsz - 1;	/* caller checks length */
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p = *end == '&' ? end + 1 : end;
	}
	return 0;
}

static idprov_status
number(const char *query, const char *key, long long def, long long max,
    long long *out, idprov_error *err)
{
	char v[32], *end;
	long long n;

	*out = def;
	if (!srv_query_get(query, key, v, sizeof(v)))
		return IDPROV_OK;
	if (v[0] < '0' || v[0] > '9' || strlen(v) > 18)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s must be a number from 0 to %lld", key, max);
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < 0 || n > max)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s must be a number from 0 to %lld", key, max);
	*out = n;
	return IDPROV_OK;
}

idprov_status
srv_query_paging(const char *query, long long def, long long max,
    long long *offset, long long *limit, idprov_error *err)
{
	idprov_status st;

	if ((st = number(query, "offset", 0, 1000000000LL, offset, err)) !=
	    IDPROV_OK)
		return st;
	return number(query, "limit", def, max, limit, err);
}
