/*
 * crl.c - `idprovctl crl [--out FILE] [--json]`: fetch the CA's CRL, check
 * its signature against the CA certificate when one is configured, and
 * show it as text (issuer, updates, revoked serials) or save the DER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ctl.h"
#include "session.h"
#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "lib/core/timeutil.h"
#include "lib/core/wire.h"

static const ctl_opt own[] = {
	{ "out", 1 },
	{ "force", 0 },
	{ "json", 0 },
	{ NULL, 0 }
};

static void asn1_time_str(const ASN1_TIME *t, char out[32])
{
	struct tm tm;

	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		idprov_time_format(timegm(&tm), out);
	else
		strcpy(out, "-");
}

static void serial_hex(const ASN1_INTEGER *s, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	snprintf(out, size, "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static const char *reason_name(X509_REVOKED *rev)
{
	ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason,
	    NULL, NULL);
	long v = e ? ASN1_ENUMERATED_get(e) : -1;

	ASN1_ENUMERATED_free(e);
	switch (v) {
	case -1: return "";
	case 0: return "unspecified";
	case 1: return "keyCompromise";
	case 2: return "cACompromise";
	case 3: return "affiliationChanged";
	case 4: return "superseded";
	case 5: return "cessationOfOperation";
	case 6: return "certificateHold";
	case 8: return "removeFromCRL";
	case 9: return "privilegeWithdrawn";
	case 10: return "aACompromise";
	default: return "other";
	}
}

int ctl_crl(int argc, char **argv)
{
	const unsigned char *p;
	STACK_OF(X509_REVOKED) *revs;
	X509_CRL *crl = NULL;
	X509 *ca = NULL;
	ctl_response r = { 0 };
	ctl_conn *conn = NULL;
	ctl_args a;
	idprov_error err;
	const char *out_path, *ca_path;
	char issuer[512] = "", last[32], next[32];
	const char *verified = "not checked (no CA certificate given)";
	int rc;

	if ((rc = ctl_session_args("crl", argc, argv, own, 0, 0, &a)) != 0)
		return rc;
	idprov_error_clear(&err);
	out_path = ctl_arg(&a, "out");
	if (out_path && (rc = ctl_output_ok(out_path, ctl_flag(&a,
	    "force"))) != 0)
		return rc;
	if ((rc = ctl_session_connect(&a, &conn)) != 0 ||
	    (rc = ctl_session_call(conn, "GET", IDPROV_PATH_CRL, NULL, 0,
	    "the CRL", &r)) != 0)
		goto out;
	p = (const unsigned char *)r.body;
	crl = d2i_X509_CRL(NULL, &p, (long)r.len);
	if (!crl || p != (const unsigned char *)r.body + r.len) {
		rc = ctl_fail("the server's CRL is not one DER X.509 CRL");
		goto out;
	}
	ca_path = ctl_conn_ca(conn);
	if (ca_path[0]) {
		EVP_PKEY *pub;

		if (idprov_cert_load_file(ca_path, &ca, &err) != IDPROV_OK) {
			ctl_err("%s", err.msg);
			rc = CTL_EXIT_BAD_INPUT;
			goto out;
		}
		pub = X509_get0_pubkey(ca);
		if (!pub || X509_CRL_verify(crl, pub) != 1 ||
		    X509_NAME_cmp(X509_CRL_get_issuer(crl),
		    X509_get_subject_name(ca)) != 0) {
			rc = ctl_fail("the server's CRL is not signed by the CA "
			    "%s", ca_path);
			goto out;
		}
		verified = "good (signed by the CA)";
	}
	if (out_path) {
		if (idprov_file_write_atomic(out_path, r.body, r.len, 0644,
		    &err) != IDPROV_OK) {
			ctl_err("%s", err.msg);
			rc = CTL_EXIT_OUTPUT;
			goto out;
		}
		printf("saved the CRL (%zu bytes, DER) to %s\n", r.len,
		    out_path);
		goto out;
	}

	X509_NAME_oneline(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
	asn1_time_str(X509_CRL_get0_lastUpdate(crl), last);
	asn1_time_str(X509_CRL_get0_nextUpdate(crl), next);
	revs = X509_CRL_get_REVOKED(crl);
	if (ctl_flag(&a, "json")) {
		json_t *o = json_object(), *list = json_array();

		for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
			X509_REVOKED *rev = sk_X509_REVOKED_value(revs, i);
			char serial[128], when[32];

			serial_hex(X509_REVOKED_get0_serialNumber(rev), serial,
			    sizeof(serial));
			asn1_time_str(X509_REVOKED_get0_revocationDate(rev),
			    when);
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}",
			    "serial", serial, "revocationDate", when,
			    "reason", reason_name(rev)));
		}
		json_object_set_new(o, "issuer", json_string(issuer));
		json_object_set_new(o, "lastUpdate", json_string(last));
		json_object_set_new(o, "nextUpdate", json_string(next));
		json_object_set_new(o, "signature", json_string(ca ? "good" :
		    "unchecked"));
		json_object_set_new(o, "revoked", list);
		ctl_print_json(o);
		json_decref(o);
		goto out;
	}
	printf("Certificate Revocation List (CRL):\n"
	    "    Issuer: %s\n    Last Update: %s\n    Next Update: %s\n"
	    "    Signature: %s\n", issuer, last, next, verified);
	if (sk_X509_REVOKED_num(revs) <= 0) {
		printf("No Revoked Certificates.\n");
		goto out;
	}
	printf("Revoked Certificates:\n");
	for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		X509_REVOKED *rev = sk_X509_REVOKED_value(revs, i);
		char serial[128], when[32];
		const char *why = reason_name(rev);

		serial_hex(X509_REVOKED_get0_serialNumber(rev), serial,
		    sizeof(serial));
		asn1_time_str(X509_REVOKED_get0_revocationDate(rev), when);
		printf("    Serial Number: %s\n        Revocation Date: %s\n",
		    serial, when);
		if (why[0])
			printf("        Reason: %s\n", why);
	}
out:
	X509_CRL_free(crl);
	X509_free(ca);
	ctl_response_free(&r);
	ctl_conn_close(conn);
	return rc;
}
