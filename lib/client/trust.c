/*
 * trust.c - what makes an Approved response acceptable (see trust.h).
 *
 * Before it has a CA, the device talked to *some* server without checking
 * it.  The response signature (made with the OOB secret, which only the
 * real server knows) vouches for the CA inside it.  If that CA is the one
 * the directory offered and the TLS server we talked to holds a server
 * certificate of it, the unverified session was with the real server after
 * all.  If not, a man in the middle may have relayed it: refuse.
 */
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <openssl/x509v3.h>

#include "trust.h"
#include "lib/core/b64.h"
#include "lib/core/crypto.h"
#include "lib/core/servercert.h"

static int
host_matches(X509 *cert, const char *host)
{
	/* An IP address must be in an IP SAN, a name in a DNS SAN/CN. */
	if (X509_check_ip_asc(cert, host, 0) == 1)
		return 1;
	return X509_check_host(cert, host, strlen(host), 0, NULL) == 1;
}

idprov_status
idpc_trust_check(const idpc_trust_in *in, X509 **ca_out, X509 **cert_out,
    idprov_error *err)
{
	const idprov_prov_response *r = in->resp;
	X509 *ca = NULL, *cert = NULL;
	char *pem = NULL;
	idprov_cert_info ci;
	idprov_error why;
	time_t now = time(NULL);
	idprov_status st = IDPROV_ERR_UNTRUSTED;

	*ca_out = NULL;
	*cert_out = NULL;
	idprov_error_clear(&why);
	if (r->ca_cert == NULL || r->ca_cert[0] == '\0' ||
	    r->client_cert == NULL || r->client_cert[0] == '\0') {
		idprov_error_set(err, st, "the Approved response lacks caCert "
		    "or clientCert");
		goto out;
	}
	if (idprov_pem_from_wire(r->ca_cert, "caCert", &pem, &why) !=
	    IDPROV_OK || idprov_cert_from_pem(pem, &ca, &why) != IDPROV_OK) {
		idprov_error_set(err, st, "the response's caCert is not a "
		    "certificate: %s", why.msg);
		goto out;
	}
	free(pem);
	pem = NULL;
	if (X509_cmp(ca, in->expected_ca) != 0) {
		idprov_error_set(err, st, "the CA in the signed response is "
		    "not the CA the server offered for this session; someone "
		    "may be in the middle: nothing was saved");
		goto out;
	}
	if (idprov_cert_get_info(ca, &ci, &why) != IDPROV_OK || !ci.is_ca ||
	    idprov_cert_verify(ca, ca, 0, now, &why) != IDPROV_OK) {
		idprov_error_set(err, st, "the response's caCert is not a "
		    "valid self-signed CA certificate%s%s",
		    why.msg[0] ? ": " : "", why.msg);
		goto out;
	}
	if (in->session_server != NULL) {
		/* The chain here, the server's EKU below
		 * (lib/core/servercert.h). */
		if (idprov_cert_verify(in->session_server, ca, 0, now, &why) !=
		    IDPROV_OK) {
			idprov_error_set(err, st, "the server certificate of "
			    "the TLS session does not chain to the CA in the "
			    "signed response (%s); someone may be in the "
			    "middle: nothing was saved", why.msg);
			goto out;
		}
		if (idprov_server_cert_check(in->session_server, &why) !=
		    IDPROV_OK) {
			idprov_error_set(err, st, "the server certificate of "
			    "the TLS session is not for TLS servers (extended "
			    "key usage): nothing was saved");
			goto out;
		}
		if (in->host != NULL && !host_matches(in->session_server,
		    in->host)) {
			idprov_error_set(err, st, "the server certificate of "
			    "the TLS session is not for host %s: nothing was "
			    "saved", in->host);
			goto out;
		}
	}
	if (idprov_pem_from_wire(r->client_cert, "clientCert", &pem, &why) !=
	    IDPROV_OK || idprov_cert_from_pem(pem, &cert, &why) != IDPROV_OK) {
		idprov_error_set(err, st, "the response's clientCert is not a "
		    "certificate: %s", why.msg);
		goto out;
	}
	if (!idprov_cert_matches_key(cert, in->key)) {
		idprov_error_set(err, st, "the certificate in the response is "
		    "for another key, not this device's: nothing was saved");
		goto out;
	}
	if (idprov_cert_get_info(cert, &ci, &why) != IDPROV_OK) {
		idprov_error_set(err, st, "the certificate in the response "
		    "cannot be read: %s", why.msg);
		goto out;
	}
	if (strcmp(ci.cn, in->device_id) != 0) {
		idprov_error_set(err, st, "the certificate in the response is "
		    "for another deviceID, not \"%s\": nothing was saved",
		    in->device_id);
		goto out;
	}
	if (ci.not_before > now || ci.not_after <= now) {
		idprov_error_set(err, st, "the certificate in the response is "
		    "not valid now (check the device's clock): nothing was "
		    "saved");
		goto out;
	}
	/* WIRE.md: an issued certificate is not a CA.  One that is could
	 * sign certificates for other deviceIDs under a CA without a path
	 * length limit. */
	if (ci.is_ca) {
		idprov_error_set(err, st, "the certificate in the response is a "
		    "CA certificate, not a device's: nothing was saved");
		goto out;
	}
	if (idprov_cert_verify(cert, ca, X509_PURPOSE_SSL_CLIENT, now, &why) !=
	    IDPROV_OK) {
		idprov_error_set(err, st, "the certificate in the response does "
		    "not verify against the CA: %s", why.msg);
		goto out;
	}
	*ca_out = ca;
	*cert_out = cert;
	ca = NULL;
	cert = NULL;
	st = IDPROV_OK;
out:
	free(pem);
	X509_free(ca);
	X509_free(cert);
	return st;
}
