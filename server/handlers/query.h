/*
 * query.h - the query string of the admin list endpoints
 * (status=S&offset=N&limit=N).  Values are plain: no percent-decoding is
 * needed for them, and a value that would need it is refused.
 */
#ifndef IDPROVD_QUERY_H
#define IDPROVD_QUERY_H

#include <stddef.h>

#include "../../lib/core/error.h"

/* The value of key in query (NULL is fine) into out; 1 if present. */
int srv_query_get(const char *query, const char *key, char *out,
    size_t outsz);

/* offset (default 0) and limit (default def, at most max) from query;
 * 400-worthy errors name the parameter. */
idprov_status srv_query_paging(const char *query, long long def,
    long long max, long long *offset, long long *limit, idprov_error *err);

#endif
