/*
 * conn.c - HTTPS to idprovd with the admin certificate (libcurl), and the
 * server's refusals turned into sentences an administrator can act on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "lib/core/servercert.h"
#include "lib/core/timeutil.h"

#define MAX_RESPONSE (16u << 20)

struct ctl_conn {
	CURL *curl;
	struct curl_slist *headers;
	ctl_settings set;
	char cert_ou[256];	/* OU of our certificate, "" if none */
	int cert_off_ca;	/* 1: our certificate is not signed by --ca */
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	char *data;
	size_t len, cap;
	int too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct sink *s = user;
	size_t n = size * nmemb;

	if (s->len + n + 1 > MAX_RESPONSE) {
		s->too_big = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *p;

		while (cap < s->len + n + 1)
			cap *= 2;
		p = realloc(s->data, cap);
		if (!p)
			return 0;
		s->data = p;
		s->cap = cap;
	}
	memcpy(s->data + s->len, ptr, n);
	s->len += n;
	s->data[s->len] = '\0';
	return n;
}

/* The server certificate judged as Go judges it, as the device library
 * does (lib/core/servercert.h): the Go reference's test bundle has a
 * server certificate with keyUsage certSign|CRLSign only, which OpenSSL's
 * "ssl_server" purpose refuses ("unsuitable certificate purpose"). */
static CURLcode on_ssl_ctx(CURL *curl, void *ssl_ctx, void *userptr)
{
	(void)curl;
	(void)userptr;
	if (idprov_server_cert_use_rule(ssl_ctx, NULL) != IDPROV_OK)
		return CURLE_SSL_CERTPROBLEM;
	/* The admin certificate goes as its file gives it: OpenSSL would
	 * otherwise add the CA from --ca, which the server has and would
	 * decode for nothing (as libidprov, lib/client/http.c). */
	SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_NO_AUTO_CHAIN);
	return CURLE_OK;
}

/* A CA bundle of a few hundred certificates is under 1 MiB. */
#define CA_FILE_MAX (4u << 20)

/* The --ca file: a readable regular file holding a PEM certificate. */
static idprov_status check_ca_file(const char *path, idprov_error *err)
{
	idprov_error why;
	idprov_status st;
	char *text = NULL;
	X509 *ca = NULL;

	idprov_error_clear(&why);
	st = idprov_file_read_regular(path, CA_FILE_MAX, &text, NULL, &why);
	if (st == IDPROV_ERR_INVALID)
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA certificate file %s", why.msg);
	else if (st == IDPROV_ERR_TOO_LARGE)
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA certificate file %s is larger than %u bytes: it "
		    "is not a certificate", path, CA_FILE_MAX);
	else if (st != IDPROV_OK)
		st = idprov_error_set(err, st == IDPROV_ERR_NOMEM ? st :
		    IDPROV_ERR_NOT_FOUND, "the CA certificate file cannot "
		    "be read: %s", why.msg);
	else if (idprov_cert_from_pem(text, &ca, &why) != IDPROV_OK)
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the CA certificate file %s holds no PEM certificate",
		    path);
	X509_free(ca);
	free(text);
	return st;
}

/* A --cert or --key that is a folder, device or pipe: said plainly,
 * before anything tries to read it. */
static idprov_status check_regular(const char *path, const char *what,
    idprov_error *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return idprov_error_set(err, errno == ENOENT ?
		    IDPROV_ERR_NOT_FOUND : IDPROV_ERR_IO, "cannot read the %s "
		    "%s: %s", what, path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return idprov_error_set(err, IDPROV_ERR_INVALID, "the %s %s is "
		    "%s, not a regular file", what, path, S_ISDIR(sb.st_mode) ?
		    "a folder" : "a device, pipe or socket");
	return IDPROV_OK;
}

static idprov_status check_files(const ctl_settings *s, char *ou,
    size_t ou_size, int *off_ca, idprov_error *err)
{
	X509 *cert = NULL, *ca = NULL;
	EVP_PKEY *key = NULL;
	idprov_cert_info info;
	idprov_error why;
	idprov_status st = IDPROV_OK;

	ou[0] = '\0';
	idprov_error_clear(&why);
	/* Checked here, not left to the TLS handshake: libcurl reports an
	 * unusable CA file as a failed connection (exit 3), and a pipe or
	 * /dev/zero would make it wait or read forever. */
	if (s->ca[0] && (st = check_ca_file(s->ca, err)) != IDPROV_OK)
		goto out;
	if (s->cert[0] && (st = check_regular(s->cert, "certificate", err)) !=
	    IDPROV_OK)
		goto out;
	if (s->key[0] && (st = check_regular(s->key, "key", err)) !=
	    IDPROV_OK)
		goto out;
	if (!s->cert[0]) {
		if (s->key[0])
			st = idprov_error_set(err, IDPROV_ERR_INVALID,
			    "a key (%s) is given but no certificate: give "
			    "--cert too", s->key);
		goto out;
	}
	if (idprov_cert_load_file(s->cert, &cert, &why) != IDPROV_OK) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "cannot use the certificate %s: %s", s->cert, why.msg);
		goto out;
	}
	if (idprov_cert_get_info(cert, &info, &why) == IDPROV_OK) {
		time_t now = time(NULL);
		char when[21];

		snprintf(ou, ou_size, "%s", info.ou);
		/* Said here: the server's handshake alert would be blamed on
		 * the CA below, as the verify fails on the dates too. */
		if (info.not_after < now || info.not_before > now) {
			idprov_time_format(info.not_after < now ?
			    info.not_after : info.not_before, when);
			st = idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the certificate %s %s %s: an admin certificate "
			    "valid now is needed (idprovctl ca init --keep-ca "
			    "makes a new one)", s->cert, info.not_after < now ?
			    "expired at" : "is not valid before", when);
			goto out;
		}
	}
	/* Usually one CA signs both the server's and the admin's certificate;
	 * knowing ours is not from it explains a refused handshake later. */
	*off_ca = s->ca[0] && idprov_cert_load_file(s->ca, &ca, &why) ==
	    IDPROV_OK && idprov_cert_verify(cert, ca, 0, 0, &why) != IDPROV_OK;
	if (idprov_key_load_file(s->key[0] ? s->key : s->cert, &key, &why) !=
	    IDPROV_OK) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "cannot use the key %s: %s", s->key[0] ? s->key : s->cert,
		    why.msg);
		goto out;
	}
	if (!idprov_cert_matches_key(cert, key))
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the key %s does not belong to the certificate %s",
		    s->key[0] ? s->key : s->cert, s->cert);
out:
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	return st;
}

idprov_status ctl_conn_open(const ctl_settings *s, ctl_conn **out,
    idprov_error *err)
{
	ctl_conn *c;
	idprov_status st;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory");
	c->set = *s;
	if ((st = check_files(s, c->cert_ou, sizeof(c->cert_ou),
	    &c->cert_off_ca, err)) !=
	    IDPROV_OK) {
		free(c);
		return st;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(c->curl = curl_easy_init())) {
		free(c);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot start libcurl");
	}
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c->curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "idprovctl/0.1");
	if (s->ca[0])
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, s->ca);
	curl_easy_setopt(c->curl, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	if (s->cert[0]) {
		curl_easy_setopt(c->curl, CURLOPT_SSLCERT, s->cert);
		curl_easy_setopt(c->curl, CURLOPT_SSLKEY,
		    s->key[0] ? s->key : s->cert);
	}
	*out = c;
	return IDPROV_OK;
}

void ctl_conn_close(ctl_conn *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c);
	curl_global_cleanup();
}

const char *ctl_conn_server(const ctl_conn *c)
{
	return c->set.server;
}

const char *ctl_conn_ca(const ctl_conn *c)
{
	return c->set.ca;
}

static idprov_status network_error(ctl_conn *c, CURLcode rc,
    idprov_error *err)
{
	const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return idprov_error_set(err, IDPROV_ERR_NETWORK,
		    "the server %s is not trusted%s%s: %s", c->set.server,
		    c->set.ca[0] ? " by the CA " : " (give --ca)",
		    c->set.ca[0] ? c->set.ca : "", why);
	case CURLE_SSL_CERTPROBLEM:
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "libcurl cannot use the certificate %s: %s", c->set.cert,
		    why);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
		return idprov_error_set(err, IDPROV_ERR_NETWORK,
		    "cannot reach the server %s: %s", c->set.server, why);
	default:
		if (c->cert_off_ca)
			return idprov_error_set(err, IDPROV_ERR_NETWORK,
			    "the server %s ended the TLS handshake, most likely "
			    "because the certificate %s is not signed by its CA "
			    "(it is not signed by %s): %s", c->set.server,
			    c->set.cert, c->set.ca, why);
		return idprov_error_set(err, IDPROV_ERR_NETWORK,
		    "no HTTPS answer from the server %s: %s", c->set.server,
		    why);
	}
}

idprov_status ctl_conn_request(ctl_conn *c, const char *method,
    const char *path, const char *body, size_t body_len, ctl_response *r,
    idprov_error *err)
{
	struct sink sink = { 0 };
	char url[2048];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (snprintf(url, sizeof(url), "%s%s", c->set.server, path) >=
	    (int)sizeof(url))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the request URL is too long");
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &sink);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body_len);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST,
	    strcmp(method, body ? "POST" : "GET") == 0 ? NULL : method);
	rc = curl_easy_perform(c->curl);
	/* the body may hold secrets: forget our pointer to it */
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	if (rc != CURLE_OK) {
		free(sink.data);
		if (sink.too_big)
			return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
			    "the server's answer to %s is larger than %u MiB",
			    path, MAX_RESPONSE >> 20);
		return network_error(c, rc, err);
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->code);
	if (!sink.data) {
		sink.data = calloc(1, 1);
		if (!sink.data)
			return idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "out of memory");
	}
	r->body = sink.data;
	r->len = sink.len;
	return IDPROV_OK;
}

/* Bytes in a UTF-8 sequence led by b, 0 if b cannot lead one. */
static size_t utf8_lead_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

/*
 * The server's words go to the administrator's terminal: every control
 * character becomes a space, C0 and DEL, and C1 too (U+0080..U+009F, and
 * any byte that is not part of UTF-8, where a raw 0x9B is CSI on many
 * terminals).  The text only ever shrinks or keeps its length.
 */
void ctl_printable_line(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t len = strlen(s), i = 0, k, n;

	while (i < len) {
		n = utf8_lead_len(u[i]);
		for (k = 1; n > 0 && k < n; k++)
			if (i + k >= len || (u[i + k] & 0xC0) != 0x80)
				n = 0;
		if (n == 0 || u[i] < 0x20 || u[i] == 0x7f ||
		    (n == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0)) {
			/* blank the whole sequence, or the one bad byte */
			memset(u + i, ' ', n ? n : 1);
			i += n ? n : 1;
			continue;
		}
		i += n;
	}
}

/* The server's {"error":"..."} sentence, or a short excerpt of the body,
 * on one printable line. */
static void server_reason(const ctl_response *r, char *out, size_t size)
{
	json_t *j = json_loadb(r->body, r->len, 0, NULL);
	const char *e = NULL;

	if (j && json_is_object(j))
		e = json_string_value(json_object_get(j, "error"));
	if (e)
		snprintf(out, size, "%s", e);
	else
		snprintf(out, size, "%.*s", (int)(r->len < 120 ? r->len : 120),
		    r->body);
	json_decref(j);
	ctl_printable_line(out);
}

idprov_status ctl_conn_check(ctl_conn *c, const ctl_response *r,
    const char *what, idprov_error *err)
{
	char reason[200];

	if (r->code == 200)
		return IDPROV_OK;
	server_reason(r, reason, sizeof(reason));
	if (r->code == 401 || (r->code == 403 && !c->set.cert[0]))
		return idprov_error_set(err, IDPROV_ERR_REJECTED,
		    "the server refused %s: no client certificate was given "
		    "(use --cert and --key with an admin certificate)", what);
	if (r->code == 403) {
		if (c->cert_ou[0] && strcmp(c->cert_ou, "admin") != 0 &&
		    strcmp(c->cert_ou, "plugin") != 0)
			return idprov_error_set(err, IDPROV_ERR_REJECTED,
			    "the server refused the certificate %s: its OU is "
			    "%s, not admin", c->set.cert, c->cert_ou);
		if (!c->cert_ou[0])
			return idprov_error_set(err, IDPROV_ERR_REJECTED,
			    "the server refused the certificate %s: it has no "
			    "OU, and only OU admin or plugin may do this",
			    c->set.cert);
		return idprov_error_set(err, IDPROV_ERR_REJECTED,
		    "the server refused the certificate %s for %s: %s",
		    c->set.cert, what, reason);
	}
	if (r->code == 404)
		return idprov_error_set(err, IDPROV_ERR_NOT_FOUND,
		    "%s: %s", what, reason[0] ? reason :
		    "the server does not know it");
	return idprov_error_set(err, IDPROV_ERR_REJECTED,
	    "the server refused %s (HTTP %ld): %s", what, r->code,
	    reason[0] ? reason : "no reason given");
}

void ctl_response_free(ctl_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

char *ctl_url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~') {
			*o++ = (char)ch;
		} else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}
