/*
 * json_body.c - jansson with the strict flags.
 */
#include <string.h>

#include "json_body.h"
#include "../../lib/core/wire.h"

idprov_status
srv_json_object(const char *body, size_t len, const char *what, json_t **out,
    idprov_error *err)
{
	json_error_t je;
	json_t *root;

	*out = NULL;
	if (body == NULL || len == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: the body is empty", what);
	if (len > IDPROV_MAX_BODY)
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s: the body is larger than %d bytes", what,
		    IDPROV_MAX_BODY);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		char *near;

		/* jansson quotes the token it stopped at, which inside a
		 * string is that string so far: in a bulk OOB post, a secret.
		 * Keep only the reason (a duplicated key is safe to name). */
		if (json_error_code(&je) != json_error_duplicate_key &&
		    (near = strstr(je.text, " near ")) != NULL)
			*near = '\0';
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: not valid JSON at byte %d: %s", what, je.position,
		    je.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: the body must be a JSON object", what);
	}
	*out = root;
	return IDPROV_OK;
}

idprov_status
srv_json_string(json_t *obj, const char *key, int required, const char *what,
    const char **out, idprov_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "%s: field \"%s\" is missing", what, key);
		return IDPROV_OK;
	}
	if (!json_is_string(v))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"%s\" must be a string", what, key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s: field \"%s\" contains a NUL character", what, key);
	*out = json_string_value(v);
	return IDPROV_OK;
}
