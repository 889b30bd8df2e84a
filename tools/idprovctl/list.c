/*
 * list.c - `idprovctl list [--pending|--approved|--revoked|--waiting|
 * --rejected] [--json]`: the server's registry, every page of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "session.h"

#define PAGE 1000
/* Ten million devices: far beyond what one idprovd registry serves. */
#define MAX_LISTED 10000000LL

static const ctl_opt own[] = {
	{ "pending", 0 },
	{ "approved", 0 },
	{ "revoked", 0 },
	{ "waiting", 0 },
	{ "rejected", 0 },
	{ "all", 0 },
	{ "json", 0 },
	{ NULL, 0 }
};

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void num(json_t *o, const char *k, char *out, size_t size)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, size, "-");
}

static void print_devices(json_t *items)
{
	static const char *const head[] = { "DEVICE", "STATUS", "SERIAL",
		"NOT AFTER", "LAST SEEN", "OOB" };
	ctl_table t;
	size_t i;
	json_t *d;

	ctl_table_init(&t, 6, head);
	json_array_foreach(items, i, d) {
		/* A lockout leaves an approved device approved, so only
		 * this column shows that its secret was thrown away. */
		const char *oob =
		    json_is_true(json_object_get(d, "oobPending")) ?
		    "pending" :
		    json_is_true(json_object_get(d, "oobLockedOut")) ?
		    "locked out" : "-";
		const char *row[6] = { str(d, "deviceID"), str(d, "status"),
			str(d, "serial"), str(d, "notAfter"),
			str(d, "lastSeen"), oob };

		ctl_table_add(&t, row);
	}
	ctl_table_print(&t, stdout);
	ctl_table_free(&t);
}

static void print_pending(json_t *items)
{
	static const char *const head[] = { "DEVICE", "IP", "MAC", "PEER",
		"FIRST SEEN", "LAST SEEN", "REQUESTS" };
	ctl_table t;
	size_t i;
	json_t *d;

	ctl_table_init(&t, 7, head);
	json_array_foreach(items, i, d) {
		char count[24];

		num(d, "count", count, sizeof(count));
		{
			const char *row[7] = { str(d, "deviceID"),
				str(d, "ip"), str(d, "mac"), str(d, "peer"),
				str(d, "firstSeen"), str(d, "lastSeen"),
				count };

			ctl_table_add(&t, row);
		}
	}
	ctl_table_print(&t, stdout);
	ctl_table_free(&t);
}

int ctl_list(int argc, char **argv)
{
	static const char *const filters[] = { "approved", "revoked",
		"waiting", "rejected", "all" };
	const char *status = "all", *key;
	ctl_conn *conn = NULL;
	json_t *all = json_array();
	long long total = 0;
	int pending, given = 0, rc;
	ctl_args a;

	if ((rc = ctl_session_args("list", argc, argv, own, 0, 0, &a)) != 0)
		goto out;
	pending = ctl_flag(&a, "pending");
	given = pending;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (ctl_flag(&a, filters[i])) {
			status = filters[i];
			given++;
		}
	if (given > 1) {
		rc = ctl_usage_error("list", "give at most one of --pending "
		    "--approved --revoked --waiting --rejected --all");
		goto out;
	}
	key = pending ? "pending" : "devices";
	if ((rc = ctl_session_connect(&a, &conn)) != 0)
		goto out;

	for (long long offset = 0;;) {
		char path[160];
		ctl_response r = { 0 };
		json_error_t jerr;
		json_t *page, *items;
		size_t n;

		if (pending)
			snprintf(path, sizeof(path), "/idprov/admin/pending?"
			    "offset=%lld&limit=%d", offset, PAGE);
		else
			snprintf(path, sizeof(path), "/idprov/admin/devices?"
			    "status=%s&offset=%lld&limit=%d", status, offset,
			    PAGE);
		if ((rc = ctl_session_call(conn, "GET", path, NULL, 0,
		    "the device list", &r)) != 0)
			goto out;
		page = json_loadb(r.body, r.len, 0, &jerr);
		ctl_response_free(&r);
		items = page ? json_object_get(page, key) : NULL;
		if (!json_is_array(items) ||
		    !json_is_integer(json_object_get(page, "total"))) {
			json_decref(page);
			rc = ctl_fail("the server's device list is not the "
			    "JSON of docs/admin-api.md");
			goto out;
		}
		total = json_integer_value(json_object_get(page, "total"));
		n = json_array_size(items);	/* items dies with page */
		json_array_extend(all, items);
		offset += (long long)n;
		json_decref(page);
		/* A page shorter than asked for is the last one (the server
		 * gives at most PAGE), so a "total" larger than what is sent
		 * cannot keep us asking; nor can full pages without end. */
		if (n < PAGE || offset >= total)
			break;
		if (offset >= MAX_LISTED) {
			rc = ctl_fail("the server's device list does not end: "
			    "over %lld devices, more than any registry holds",
			    (long long)MAX_LISTED);
			goto out;
		}
	}

	if (ctl_flag(&a, "json")) {
		json_t *o = json_pack("{s:I,s:O}", "total", (json_int_t)total,
		    key, all);

		ctl_print_json(o);
		json_decref(o);
	} else if (json_array_size(all) == 0) {
		if (pending)
			printf("no device is waiting for a secret\n");
		else
			printf("no %s devices\n", strcmp(status, "all") ==
			    0 ? "known" : status);
	} else if (pending) {
		print_pending(all);
	} else {
		print_devices(all);
	}
out:
	json_decref(all);
	ctl_conn_close(conn);
	return rc;
}
