/*
 * respond.c - filling a srv_response.  Every answer goes through here so
 * that status, content type and log fields are always set together.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "respond.h"
#include "../lib/core/wire.h"

void
srv_respond_body(srv_response *resp, int status, char *body, size_t len,
    const char *content_type)
{
	free(resp->body);
	if (body == NULL) {
		/* Out of memory: say so with a constant body if we still can. */
		static const char oom[] = "{\"error\":\"out of memory\"}";
		resp->body = malloc(sizeof(oom));
		if (resp->body != NULL)
			memcpy(resp->body, oom, sizeof(oom));
		resp->body_len = resp->body != NULL ? sizeof(oom) - 1 : 0;
		resp->status = 500;
		resp->content_type = SRV_CT_JSON;
		srv_respond_outcome(resp, "error: out of memory");
		return;
	}
	resp->body = body;
	resp->body_len = len;
	resp->status = status;
	resp->content_type = content_type != NULL ? content_type : SRV_CT_JSON;
}

void
srv_respond_copy(srv_response *resp, int status, const void *data,
    size_t len, const char *content_type)
{
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, data, len);
		copy[len] = '\0';
	}
	srv_respond_body(resp, status, copy, len, content_type);
}

void
srv_respond_error(srv_response *resp, int status, const char *kind,
    const char *reason)
{
	size_t len = 0;
	char *body = idprov_error_body_write(reason, &len);

	srv_respond_body(resp, status, body, len, SRV_CT_JSON);
	if (body != NULL)
		srv_respond_outcome(resp, "%s: %s", kind, reason);
}

void
srv_respond_device(srv_response *resp, const char *device)
{
	if (device == NULL)
		device = "";
	snprintf(resp->device, sizeof(resp->device), "%s", device);
}

void
srv_respond_outcome(srv_response *resp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp->outcome, sizeof(resp->outcome), fmt, ap);
	va_end(ap);
}

void
srv_respond_not_found(srv_response *resp)
{
	srv_respond_error(resp, 404, "not-found", "no such endpoint");
}

/* allow: the endpoint's methods, "GET, HEAD" or "POST" (RFC 9110 15.5.6:
 * a 405 says which are allowed). */
void
srv_respond_bad_method(srv_response *resp, const char *allow)
{
	srv_respond_error(resp, 405, "bad-method",
	    "method not allowed on this endpoint");
	resp->allow = allow;
}

void
srv_respond_unauthorized(srv_response *resp, const srv_request *req)
{
	if (req->role == SRV_ROLE_NONE)
		srv_respond_error(resp, 401, "unauthorized",
		    "a client certificate is required");
	else
		srv_respond_error(resp, 403, "forbidden",
		    "the client certificate does not allow this");
}
