/*
 * url.h - the few URL operations the device needs: which server URL gives
 * which directory URL, and where a directory's endpoint points.
 *
 * Only https:// is accepted anywhere: the protocol has no plain-HTTP mode.
 */
#ifndef IDPROV_CLIENT_URL_H
#define IDPROV_CLIENT_URL_H

#include <stddef.h>
#include "lib/core/error.h"

/*
 * "https://host:port" or "https://host:port/" -> ".../idprov/directory";
 * a URL with any other path is taken as the directory URL itself.
 */
idprov_status idpc_url_directory(const char *server, char *out, size_t out_len,
    idprov_error *err);

/*
 * The URL of a directory endpoint: an absolute "https://..." URL as is, a
 * path "/x/y" on the directory's scheme, host and port.  Anything else
 * (relative paths, other schemes, control characters) is refused.
 */
idprov_status idpc_url_endpoint(const char *directory_url,
    const char *endpoint, const char *name, char *out, size_t out_len,
    idprov_error *err);

/* The host of an https URL, without brackets or port, into out. */
idprov_status idpc_url_host(const char *url, char *out, size_t out_len,
    idprov_error *err);

#endif
