/*
 * http.c - HTTPS exchanges over libcurl (see http.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http.h"
#include "lib/core/servercert.h"
#include "lib/core/wire.h"

typedef struct sink {
	char *data;
	size_t len;
	int too_large;
} sink;

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	sink *s = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (s->len + n > IDPROV_MAX_BODY) {
		s->too_large = 1;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	grown = realloc(s->data, s->len + n + 1);
	if (grown == NULL)
		return 0;
	s->data = grown;
	memcpy(s->data + s->len, ptr, n);
	s->len += n;
	s->data[s->len] = '\0';
	return n;
}

static int
on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const volatile sig_atomic_t *stop = clientp;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return stop != NULL && *stop ? 1 : 0;
}

/* The leaf certificate from curl's certificate info ("Cert:" PEM). */
static X509 *
peer_from_certinfo(CURL *curl)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *item;
	const char *tag = "Cert:";
	X509 *x = NULL;
	BIO *bio;

	if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return NULL;
	for (item = ci->certinfo[0]; item != NULL; item = item->next) {
		if (strncmp(item->data, tag, strlen(tag)) != 0)
			continue;
		bio = BIO_new_mem_buf(item->data + strlen(tag), -1);
		if (bio != NULL)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		break;
	}
	return x;
}

/*
 * When verifying against our CA: Go's rule for the server certificate
 * (lib/core/servercert.h: EKU serverAuth, any or none; key usage not
 * looked at) instead of OpenSSL's "ssl_server" purpose.  curl has set the
 * verify mode before it calls this.
 * The device's certificate (renewal) goes alone, as a Go device sends
 * it: left to itself OpenSSL adds the CA from the verify store, which
 * the server has already; decoding it cost idprovd ~1.5 M instructions
 * (~0.3 ms) per renewal, and the device ~420 bytes.
 */
static CURLcode
on_ssl_ctx(CURL *curl, void *ssl_ctx, void *userptr)
{
	(void)curl;
	(void)userptr;
	if (idprov_server_cert_use_rule(ssl_ctx, NULL) != IDPROV_OK)
		return CURLE_SSL_CERTPROBLEM;
	SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_NO_AUTO_CHAIN);
	return CURLE_OK;
}

static idprov_status
curl_failure(CURLcode rc, const idpc_http_req *req, const sink *s,
    const char *detail, idprov_error *err)
{
	const char *why = detail[0] ? detail : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return idprov_error_set(err, IDPROV_ERR_TIMEOUT,
		    "stopped on request");
	case CURLE_WRITE_ERROR:
		if (s->too_large)
			return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
			    "the answer from %s is over %d bytes", req->url,
			    IDPROV_MAX_BODY);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory reading the answer from %s", req->url);
	case CURLE_PEER_FAILED_VERIFICATION:
		return idprov_error_set(err, IDPROV_ERR_UNTRUSTED,
		    "the server at %s is not trusted: its certificate does "
		    "not verify against the saved CA (%s)", req->url, why);
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the device certificate or key could not be used: %s", why);
	default:
		return idprov_error_set(err, IDPROV_ERR_NETWORK,
		    "no answer from %s: %s", req->url, why);
	}
}

idprov_status
idpc_http_do(const idpc_http_req *req, idpc_http_resp *resp,
    idprov_error *err)
{
	CURL *curl = NULL;
	struct curl_slist *headers = NULL;
	struct curl_blob ca_blob;
	char detail[CURL_ERROR_SIZE] = "";
	sink s = { NULL, 0, 0 };
	char *ip = NULL;
	idprov_status st = IDPROV_OK;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	curl = curl_easy_init();
	if (curl == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "could not start an HTTPS exchange");
		goto out;
	}
	/* Go clients send it even on GET; some servers want it. */
	headers = curl_slist_append(headers, "Content-Type: application/json");
	if (headers == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory building a request");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    req->timeout_ms < 10000 ? req->timeout_ms : 10000L);
	curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* One connection, one session: the captured certificate must be the
	 * one of this very exchange. */
	curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)req->stop);
	if (req->body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
	if (req->ca_pem != NULL) {
		/* Only our CA: no system store, no CA path. */
		ca_blob.data = (void *)req->ca_pem;
		ca_blob.len = strlen(req->ca_pem);
		ca_blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca_blob);
		curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	} else {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->cert_file != NULL) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, req->cert_file);
		curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(curl, CURLOPT_SSLKEY, req->key_file);
		curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
	}

	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		st = curl_failure(rc, req, &s, detail, err);
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->code);
	if (curl_easy_getinfo(curl, CURLINFO_LOCAL_IP, &ip) == CURLE_OK &&
	    ip != NULL) {
		strncpy(resp->local_ip, ip, sizeof(resp->local_ip) - 1);
		resp->local_ip[sizeof(resp->local_ip) - 1] = '\0';
	}
	resp->peer = peer_from_certinfo(curl);
	if (s.data == NULL) {
		s.data = calloc(1, 1);
		if (s.data == NULL) {
			st = idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "out of memory reading an answer");
			goto out;
		}
	}
	resp->body = s.data;
	resp->len = s.len;
	s.data = NULL;
out:
	free(s.data);
	curl_slist_free_all(headers);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	if (st != IDPROV_OK)
		idpc_http_resp_free(resp);
	return st;
}

void
idpc_http_resp_free(idpc_http_resp *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	X509_free(resp->peer);
	memset(resp, 0, sizeof(*resp));
}

/*
 * Length of the well-formed UTF-8 sequence at p (at most `avail` bytes),
 * its code point in *cp; 0 when the bytes there are not UTF-8.
 */
static size_t
utf8_sequence(const unsigned char *p, size_t avail, unsigned long *cp)
{
	size_t len, i;
	unsigned long v;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		v = p[0] & 0x1Fu;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		v = p[0] & 0x0Fu;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		v = p[0] & 0x07u;
	} else {
		return 0;	/* a stray continuation byte, 0xC0/0xC1, 0xF5.. */
	}
	if (len > avail)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0u) != 0x80u)
			return 0;
		v = (v << 6) | (p[i] & 0x3Fu);
	}
	/* overlong, surrogate or beyond Unicode */
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return len;
}

void
idpc_http_reason(const idpc_http_resp *resp, char *out, size_t out_len)
{
	json_t *root, *e;
	unsigned char *u = (unsigned char *)out;
	unsigned long cp;
	size_t i, len, seq, n = 0;

	out[0] = '\0';
	if (resp->body == NULL || resp->len == 0)
		return;
	root = json_loadb(resp->body, resp->len, 0, NULL);
	if (root != NULL) {
		e = json_object_get(root, "error");
		if (json_is_string(e))
			snprintf(out, out_len, "%s", json_string_value(e));
		json_decref(root);
		if (out[0])
			goto clean;
	}
	snprintf(out, out_len, "%.*s", (int)(resp->len > 200 ? 200 : resp->len),
	    resp->body);
clean:
	/*
	 * The reason comes from the network and goes to a terminal: keep it
	 * on one printable line.  Control characters become a space: C0 and
	 * DEL, C1 (U+0080..U+009F; 0x9B alone is CSI on many terminals) and
	 * any byte that is not UTF-8, where a raw 0x80..0x9F would be C1.
	 */
	len = strlen(out);
	for (i = 0; i < len; i += seq) {
		seq = utf8_sequence(u + i, len - i, &cp);
		if (seq == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp <= 0x9f)) {
			u[n++] = ' ';
			if (seq == 0)
				seq = 1;
			continue;
		}
		memmove(u + n, u + i, seq);
		n += seq;
	}
	while (n > 0 && u[n - 1] == ' ')
		n--;
	out[n] = '\0';
}
