/*
 * json_body.h - strict reading of the admin endpoints' JSON bodies, the
 * way the core's parsers read the standard messages: one object, no
 * duplicate keys, strings without NUL, errors that name the field.
 */
#ifndef IDPROVD_JSON_BODY_H
#define IDPROVD_JSON_BODY_H

#include <stddef.h>
#include <jansson.h>

#include "../../lib/core/error.h"

/* Parse body as one JSON object; what names the message in errors. */
idprov_status srv_json_object(const char *body, size_t len, const char *what,
    json_t **out, idprov_error *err);

/* A string member (borrowed).  required: absent is an error; otherwise
 * absent gives *out = NULL. */
idprov_status srv_json_string(json_t *obj, const char *key, int required,
    const char *what, const char **out, idprov_error *err);

#endif
