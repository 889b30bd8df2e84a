/*
 * url.c - server and endpoint URLs (see url.h).  Deliberately small: the
 * URLs come from the user or from a directory, are only ever handed to
 * libcurl, and need just "origin + path" joining.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "url.h"

#define HTTPS "https://"

/* No bytes below 0x21 or DEL: they have no place in a URL we build. */
static int
url_chars_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= 0x20 || ch == 0x7f)
			return 0;
	}
	return 1;
}

/* Length of "https://authority" (where the path starts), or 0 if the URL
 * is not an https URL with a non-empty authority. */
static size_t
url_origin_len(const char *url)
{
	size_t n = strlen(HTTPS), end;

	if (strncmp(url, HTTPS, n) != 0)
		return 0;
	end = n + strcspn(url + n, "/?#");
	if (end == n)
		return 0;
	return end;
}

static idprov_status
url_copy(char *out, size_t out_len, const char *what, idprov_error *err,
    const char *a, size_t a_len, const char *b)
{
	int n = snprintf(out, out_len, "%.*s%s", (int)a_len, a, b);

	if (n < 0 || (size_t)n >= out_len)
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s is too long", what);
	return IDPROV_OK;
}

/*
 * What libcurl would refuse only when asked to connect (a port over 65535,
 * "[::1" unclosed, no host): said now, as a bad URL, not retried as a
 * server that cannot be reached.  A user name or password has no place
 * either: curl would send it to the server in the clear of the request.
 */
static idprov_status
url_parse_check(const char *url, const char *what, idprov_error *err)
{
	CURLU *h = curl_url();
	char *user = NULL;
	CURLUcode rc;
	idprov_status st = IDPROV_OK;

	if (h == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory");
	rc = curl_url_set(h, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK)
		st = idprov_error_set(err, IDPROV_ERR_INVALID, "%s %s is not a "
		    "valid URL: %s", what, url, curl_url_strerror(rc));
	else if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK)
		st = idprov_error_set(err, IDPROV_ERR_INVALID, "%s holds a user "
		    "name or password; an IDProv server takes neither", what);
	curl_free(user);
	curl_url_cleanup(h);
	return st;
}

idprov_status
idpc_url_directory(const char *server, char *out, size_t out_len,
    idprov_error *err)
{
	size_t origin;
	idprov_status st;

	if (server == NULL || *server == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL is empty");
	if (!url_chars_ok(server))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL contains spaces or control characters");
	origin = url_origin_len(server);
	if (origin == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL must start with https:// and name a host");
	if (server[origin] == '\0' || strcmp(server + origin, "/") == 0)
		st = url_copy(out, out_len, "the server URL", err, server,
		    origin, "/idprov/directory");
	else if (server[origin] != '/')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL has a query or fragment but no path");
	else
		st = url_copy(out, out_len, "the server URL", err, server,
		    strlen(server), "");
	return st == IDPROV_OK ? url_parse_check(out, "the server URL", err) :
	    st;
}

idprov_status
idpc_url_endpoint(const char *directory_url, const char *endpoint,
    const char *name, char *out, size_t out_len, idprov_error *err)
{
	size_t origin;
	idprov_status st;

	if (endpoint == NULL || *endpoint == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "directory: endpoint \"%s\" is empty", name);
	if (!url_chars_ok(endpoint))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "directory: endpoint \"%s\" contains spaces or control "
		    "characters", name);
	if (strncmp(endpoint, HTTPS, strlen(HTTPS)) == 0) {
		if (url_origin_len(endpoint) == 0)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "directory: endpoint \"%s\" names no host", name);
		st = url_copy(out, out_len, "a directory endpoint", err,
		    endpoint, strlen(endpoint), "");
		return st == IDPROV_OK ? url_parse_check(out, "a directory "
		    "endpoint", err) : st;
	}
	/* "//host/x" would switch hosts under the look of a path. */
	if (endpoint[0] != '/' || endpoint[1] == '/')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "directory: endpoint \"%s\" is neither a path starting "
		    "with / nor an https URL", name);
	origin = url_origin_len(directory_url);
	if (origin == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the directory URL is not an https URL");
	return url_copy(out, out_len, "a directory endpoint", err,
	    directory_url, origin, endpoint);
}

idprov_status
idpc_url_host(const char *url, char *out, size_t out_len, idprov_error *err)
{
	size_t origin = url_origin_len(url), start = strlen(HTTPS), len;
	const char *host, *at, *end;

	if (origin == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the URL is not an https URL");
	host = url + start;
	/* skip user info, if any */
	at = memchr(host, '@', origin - start);
	if (at != NULL)
		host = at + 1;
	if (*host == '[') {
		host++;
		end = memchr(host, ']', (size_t)(url + origin - host));
		if (end == NULL)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the URL has an unclosed [ in its host");
	} else {
		end = memchr(host, ':', (size_t)(url + origin - host));
		if (end == NULL)
			end = url + origin;
	}
	len = (size_t)(end - host);
	/* a zone id (fe80::1%25eth0) is not part of the certificate name */
	{
		const char *pct = memchr(host, '%', len);
		if (pct != NULL)
			len = (size_t)(pct - host);
	}
	if (len == 0 || len >= out_len)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the URL's host is empty or too long");
	memcpy(out, host, len);
	out[len] = '\0';
	return IDPROV_OK;
}
