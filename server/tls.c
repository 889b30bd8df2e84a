/*
 * tls.c - the server SSL_CTX and what the client certificate says.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls.h"

/* The id context lets sessions with a verified client certificate be
 * resumed; OpenSSL refuses resumption without one. */
static const unsigned char session_ctx_id[] = "idprovd";

/* Forward secrecy and AEAD only; AES-128 first: as strong as needed here
 * and cheaper per record than AES-256. */
static const char tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384";
static const char tls13_ciphers[] =
    "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
    "TLS_AES_256_GCM_SHA384";

/*
 * Go offers "h2,http/1.1"; we speak HTTP/1.1 only.  Select it when
 * offered, otherwise select nothing (the client then assumes HTTP/1.1):
 * never fail the handshake over ALPN.
 */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned int i = 0;

	(void)ssl;
	(void)arg;
	while (i < inlen) {
		unsigned int n = in[i];

		if (i + 1 + n > inlen)
			break;
		if (n == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)n;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + n;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

idprov_status
srv_tls_ctx_new(const srv_config *cfg, SSL_CTX **out, idprov_error *err)
{
	SSL_CTX *ctx = NULL;
	idprov_status st = IDPROV_ERR_CRYPTO;

	*out = NULL;
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot create the TLS context");
		goto out;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1 ||
	    SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, tls13_ciphers) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the TLS versions, groups or ciphers");
		goto out;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->server_cert) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_IO, "cannot load the "
		    "server certificate %s", cfg->server_cert);
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->server_key,
	    SSL_FILETYPE_PEM) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_IO, "cannot load the "
		    "server key %s", cfg->server_key);
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_INVALID, "the server "
		    "key %s does not belong to the certificate %s",
		    cfg->server_key, cfg->server_cert);
		goto out;
	}
	/*
	 * The CA verifies client certificates, but its name is not sent in
	 * the CertificateRequest (certificate_authorities is optional in TLS
	 * 1.3 and may be empty in 1.2).  Every client we serve holds one
	 * certificate and sends it without looking at the list (OpenSSL,
	 * curl, Go: an empty list accepts any certificate), while decoding
	 * the name costs each connecting client ~0.01 ms (bench/).
	 */
	if (SSL_CTX_load_verify_locations(ctx, cfg->ca_cert, NULL) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_IO, "cannot load the "
		    "CA certificate %s", cfg->ca_cert);
		goto out;
	}
	/*
	 * Build the chain we send once, here.  Left to itself OpenSSL builds
	 * it from the verify store on every handshake (an X509_verify_cert
	 * with an ECDSA verification: ~20% of a handshake's CPU).  A chain
	 * given in the certificate file is kept as it is.  The root is left
	 * out (RFC 8446 4.4.2 allows it): every peer that verifies already has
	 * the CA, and decoding a certificate it does not need costs a device
	 * ~0.15 ms per connection.
	 */
	if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR |
	    SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR | SSL_BUILD_CHAIN_FLAG_NO_ROOT) == 0) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO, "cannot build "
		    "the certificate chain of %s", cfg->server_cert);
		goto out;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	/* Requested, not required; a certificate that does not verify (other
	 * CA, expired, not for client use) fails the handshake. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 2);
	SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	if (SSL_CTX_set_session_id_context(ctx, session_ctx_id,
	    sizeof(session_ctx_id) - 1) != 1) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot set the TLS session context");
		goto out;
	}
	/* No TLS 1.3 tickets: a device opens a new connection days apart
	 * and Go's client keeps no session cache unless told to, so each
	 * ticket would be ~40 us of server CPU per handshake for nothing
	 * (measured with bench/).  TLS 1.2 resumption stays available. */
	SSL_CTX_set_num_tickets(ctx, 0);
	*out = ctx;
	ctx = NULL;
	st = IDPROV_OK;
out:
	SSL_CTX_free(ctx);
	return st;
}

srv_role
srv_tls_role_of_ou(const char *ou)
{
	if (ou == NULL || ou[0] == '\0')
		return SRV_ROLE_OTHER;
	if (strcmp(ou, "admin") == 0 || strcmp(ou, "plugin") == 0)
		return SRV_ROLE_ADMIN;
	if (strcmp(ou, "iotdevice") == 0)
		return SRV_ROLE_DEVICE;
	return SRV_ROLE_OTHER;
}

/* Entry idx of name as UTF-8 into out ("" if it does not fit or holds
 * a NUL). */
static void
name_entry_at(X509_NAME *name, int idx, char *out, size_t outsz)
{
	X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	if (idx < 0 || (e = X509_NAME_get_entry(name, idx)) == NULL)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n > 0 && (size_t)n < outsz && memchr(utf8, '\0', (size_t)n) ==
	    NULL) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(utf8);
}

/* admin beats device beats other. */
static int
role_rank(srv_role r)
{
	switch (r) {
	case SRV_ROLE_ADMIN: return 2;
	case SRV_ROLE_DEVICE: return 1;
	default: return 0;
	}
}

/*
 * Every OU of the subject counts, as in the Go reference (which scans
 * them all): admin if any is admin or plugin, else device if any is
 * iotdevice, else other.  peer->ou is the OU that decided the role (the
 * first OU when none did).
 */
static void
peer_role(X509_NAME *subj, srv_peer *peer)
{
	char ou[sizeof(peer->ou)];
	srv_role r;
	int idx = -1, first = 1;

	peer->role = SRV_ROLE_OTHER;
	while ((idx = X509_NAME_get_index_by_NID(subj,
	    NID_organizationalUnitName, idx)) >= 0) {
		name_entry_at(subj, idx, ou, sizeof(ou));
		r = srv_tls_role_of_ou(ou);
		if (first || role_rank(r) > role_rank(peer->role)) {
			memcpy(peer->ou, ou, sizeof(ou));
			peer->role = r;
		}
		first = 0;
	}
}

void
srv_tls_peer(SSL *ssl, srv_peer *peer)
{
	X509 *cert;
	X509_NAME *subj;

	memset(peer, 0, sizeof(*peer));
	peer->role = SRV_ROLE_NONE;
	cert = SSL_get1_peer_certificate(ssl);
	if (cert == NULL)
		return;
	/* The handshake fails for a bad certificate, but check again: a
	 * certificate is only believed when it verified. */
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		X509_free(cert);
		return;
	}
	subj = X509_get_subject_name(cert);
	name_entry_at(subj, X509_NAME_get_index_by_NID(subj, NID_commonName,
	    -1), peer->cn, sizeof(peer->cn));
	peer_role(subj, peer);
	peer->cert = cert;
}

void
srv_tls_peer_clear(srv_peer *peer)
{
	X509_free(peer->cert);
	memset(peer, 0, sizeof(*peer));
}
