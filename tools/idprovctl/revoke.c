/*
 * revoke.c - `idprovctl revoke DEVICE [--reason R]`: revoke every
 * certificate of a device; the server regenerates the CRL before it
 * answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/buf.h"
#include "lib/core/canon.h"
#include "lib/core/validate.h"

#define REASON_MAX 200

static const ctl_opt own[] = {
	{ "reason", 1 },
	{ "json", 0 },
	{ NULL, 0 }
};

int ctl_revoke(int argc, char **argv)
{
	idprov_buf b = IDPROV_BUF_INIT;
	ctl_response r = { 0 };
	ctl_conn *conn = NULL;
	const char *reason;
	json_t *ans = NULL;
	ctl_args a;
	idprov_error err;
	char what[160], *body = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ctl_session_args("revoke", argc, argv, own, 1, 1, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	if (idprov_validate_device_id(a.pos[0], &err) != IDPROV_OK)
		return ctl_usage_error("revoke", "%s", err.msg);
	reason = ctl_arg(&a, "reason");
	if (reason && strlen(reason) > REASON_MAX)
		return ctl_usage_error("revoke", "--reason is longer than %d "
		    "bytes", REASON_MAX);
	idprov_buf_append_char(&b, '{');
	idprov_canon_key(&b, "deviceID");
	idprov_canon_cstr(&b, a.pos[0]);
	if (reason) {
		idprov_buf_append_char(&b, ',');
		idprov_canon_key(&b, "reason");
		idprov_canon_cstr(&b, reason);
	}
	idprov_buf_append_char(&b, '}');
	if (!(body = idprov_buf_take(&b, &len)))
		return ctl_fail("out of memory");
	snprintf(what, sizeof(what), "revoking %s", a.pos[0]);
	if ((rc = ctl_session_connect(&a, &conn)) != 0 ||
	    (rc = ctl_session_call(conn, "POST", "/idprov/admin/revoke", body,
	    len, what, &r)) != 0)
		goto out;
	ans = json_loadb(r.body, r.len, 0, NULL);
	if (ctl_flag(&a, "json")) {
		if (ans)
			ctl_print_json(ans);
		else
			printf("%s\n", r.body);
	} else {
		json_int_t n = ans ? json_integer_value(json_object_get(ans,
		    "revoked")) : 0;

		printf("revoked %s: %lld certificate%s\n", a.pos[0],
		    (long long)n, n == 1 ? "" : "s");
	}
out:
	json_decref(ans);
	free(body);
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
