/*
 * loadgen.c - idprov-loadgen: N simulated devices at once against a server
 * on loopback, each operation on a new TLS connection (what a device that
 * provisions does), with OpenSSL directly so the client costs as little as
 * possible on the cores it shares with the server.
 *
 *   idprov-loadgen --mode provision --port P --ca CA.pem \
 *       --admin-cert admin.pem --admin-key admin.key \
 *       [--concurrency 16] [--count 5000] [--seconds 20]
 *   idprov-loadgen --mode renew (same options as provision)
 *   idprov-loadgen --mode get --port P [--path /] [--concurrency 16] ...
 *
 * provision: keys and OOB secrets are made before the clock starts; the
 * secrets are posted in bulk (POST /idprov/admin/oobsecrets, chunks under
 * 64 KiB).  Each operation: connect, handshake, signed provisioning
 * request (lib/core), response parsed and its signature verified.
 * renew: every device is provisioned first (not timed); then each
 * operation is a renewal as a provisioned device makes it: a new TLS
 * connection with its certificate (mutual TLS), the server's chain
 * verified against the CA it now has, a request signed with the empty
 * key, Approved checked and signed with the empty key (WIRE.md).
 * get: connect, handshake, GET path, 200 expected.
 *
 * Prints one line of key=value results.  Every loop is bounded by both
 * --count and --seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "lib/core/crypto.h"
#include "lib/core/error.h"
#include "lib/core/sign.h"
#include "lib/core/wire.h"

#define LG_MAX_THREADS 256
#define LG_RESP_MAX (256 * 1024)
#define LG_CHUNK_BYTES (60 * 1024)	/* under the 64 KiB body limit */
#define LG_CHUNK_ENTRIES 5000

typedef struct lg_device {
	char id[32];
	char secret[40];
	char *pub_pem;
	EVP_PKEY *key;		/* renew: the device's key and certificate */
	X509 *cert;
} lg_device;

typedef struct lg {
	const char *mode;
	const char *host;
	int port;
	const char *ca;
	const char *admin_cert, *admin_key;
	const char *path;
	int concurrency;
	long count;
	double seconds;
	const char *prefix;
	const char *server_pids;	/* "123,456": CPU measured around the run */
	struct sockaddr_in addr;
	SSL_CTX *ctx;		/* devices: no client certificate */
	SSL_CTX *admin_ctx;
	SSL_CTX *renew_ctx;	/* devices that have the CA; certificate
				 * set per connection */
	int renewing;		/* renew: 0 while provisioning first */
	lg_device *devs;
	atomic_long next;	/* next operation (index into devs) */
	atomic_long ok, errors;
	double deadline;
	double *lat;		/* per operation, ms; -1 when failed */
	char first_error[256];
	pthread_mutex_t err_lock;
} lg;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
note_error(lg *g, const char *what)
{
	pthread_mutex_lock(&g->err_lock);
	if (g->first_error[0] == '\0')
		snprintf(g->first_error, sizeof(g->first_error), "%s", what);
	pthread_mutex_unlock(&g->err_lock);
}

/* ---- one HTTPS exchange on a fresh connection ---- */

/* A TLS connection; with cert and key (not NULL) as client certificate. */
static SSL *
tls_connect(lg *g, SSL_CTX *ctx, X509 *cert, EVP_PKEY *key, int *fd_out)
{
	int fd, one = 1;
	SSL *ssl;

	*fd_out = -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&g->addr, sizeof(g->addr)) != 0) {
		close(fd);
		return NULL;
	}
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    (cert != NULL && (SSL_use_certificate(ssl, cert) != 1 ||
	    SSL_use_PrivateKey(ssl, key) != 1)) || SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		ERR_clear_error();
		return NULL;
	}
	*fd_out = fd;
	return ssl;
}

/* The value of the Content-Length header in buf[..end), or NULL. */
static const char *
find_content_length(const char *buf, const char *end)
{
	static const char name[] = "\r\ncontent-length:";
	const char *p;
	size_t i, n = sizeof(name) - 1;

	for (p = buf; p + n <= end; p++) {
		for (i = 0; i < n; i++)
			if ((p[i] | 0x20) != name[i] && !(name[i] < 'a' &&
			    p[i] == name[i]))
				break;
		if (i == n)
			return p + n;
	}
	return NULL;
}

/*
 * Send req (one write) and read the answer: status code into *code, the
 * body into buf (NUL-terminated) and its length into *body_len.  Needs
 * Content-Length (idprovd and nginx both send it).
 */
static int
exchange(SSL *ssl, const char *req, size_t req_len, char *buf, size_t bufsz,
    int *code, char **body, size_t *body_len)
{
	size_t have = 0, head_len, clen;
	char *end;
	const char *cl;
	int n, reads;

	if (SSL_write(ssl, req, (int)req_len) != (int)req_len)
		return -1;
	for (reads = 0; reads < 1000; reads++) {
		n = SSL_read(ssl, buf + have, (int)(bufsz - 1 - have));
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL) {
			if (have >= bufsz - 1)
				return -1;
			continue;
		}
		head_len = (size_t)(end - buf) + 4;
		if ((cl = find_content_length(buf, end)) == NULL)
			return -1;
		clen = strtoul(cl, NULL, 10);
		if (head_len + clen >= bufsz)
			return -1;
		if (have < head_len + clen)
			continue;
		if (sscanf(buf, "HTTP/1.%*d %d", code) != 1)
			return -1;
		*body = buf + head_len;
		*body_len = clen;
		(*body)[clen] = '\0';
		return 0;
	}
	return -1;
}

static void
tls_close(SSL *ssl, int fd)
{
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
}

/* ---- operations ---- */

static int
op_get(lg *g, char *buf, size_t bufsz)
{
	char req[512];
	char *body;
	size_t blen;
	int fd, code = 0, rc = -1, n;
	SSL *ssl;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", g->path, g->host);
	if ((ssl = tls_connect(g, g->ctx, NULL, NULL, &fd)) == NULL) {
		note_error(g, "connect or TLS handshake failed");
		return -1;
	}
	if (exchange(ssl, req, (size_t)n, buf, bufsz, &code, &body, &blen) != 0)
		note_error(g, "no complete HTTP answer");
	else if (code != 200)
		note_error(g, "an answer other than 200");
	else
		rc = 0;
	tls_close(ssl, fd);
	return rc;
}

/* The certificate of an Approved answer, kept for renewals. */
static int
keep_cert(lg_device *d, const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);

	X509_free(d->cert);
	d->cert = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return d->cert != NULL ? 0 : -1;
}

/*
 * A provisioning (renew 0: signed with the device's OOB secret, no
 * client certificate) or a renewal (renew 1: the device's certificate,
 * the server verified, signed with the empty key).  The certificate is
 * kept when g is provisioning before renewals.
 */
static int
op_provision(lg *g, lg_device *d, int renew, char *buf, size_t bufsz)
{
	idprov_prov_request m = { 0 };
	idprov_prov_response r = { 0 };
	char *json = NULL, *req = NULL, *body;
	const char *key = renew ? "" : d->secret;
	size_t jlen = 0, blen, rlen;
	int fd = -1, code = 0, rc = -1, n;
	SSL *ssl = NULL;

	m.device_id = d->id;
	m.ip = "127.0.0.1";
	m.mac = "";
	m.public_key_pem = d->pub_pem;
	if (idprov_prov_request_sign(&m, key, strlen(key), NULL) !=
	    IDPROV_OK || (json = idprov_prov_request_write(&m, &jlen)) == NULL) {
		note_error(g, "cannot sign the provisioning request");
		goto out;
	}
	rlen = jlen + 256;
	if ((req = malloc(rlen)) == NULL)
		goto out;
	n = snprintf(req, rlen, "POST %s HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", IDPROV_PATH_PROVREQ, g->host, jlen);
	if (n < 0 || (size_t)n + jlen >= rlen)
		goto out;
	memcpy(req + n, json, jlen);
	if ((ssl = renew ? tls_connect(g, g->renew_ctx, d->cert, d->key, &fd) :
	    tls_connect(g, g->ctx, NULL, NULL, &fd)) == NULL) {
		note_error(g, "connect or TLS handshake failed");
		goto out;
	}
	if (exchange(ssl, req, (size_t)n + jlen, buf, bufsz, &code, &body,
	    &blen) != 0) {
		note_error(g, "no complete HTTP answer");
		goto out;
	}
	if (code != 200) {
		note_error(g, "the provisioning request was not answered 200");
		goto out;
	}
	if (idprov_prov_response_parse(body, blen, &r, NULL) != IDPROV_OK ||
	    r.status == NULL || strcmp(r.status, IDPROV_STATUS_APPROVED) != 0) {
		note_error(g, "the provisioning response is not Approved");
		goto out;
	}
	if (idprov_prov_response_verify(&r, key, strlen(key), NULL) !=
	    IDPROV_OK) {
		note_error(g, "the provisioning response signature is wrong");
		goto out;
	}
	if (strcmp(g->mode, "renew") == 0 && !g->renewing &&
	    keep_cert(d, r.client_cert) != 0) {
		note_error(g, "the issued certificate cannot be read");
		goto out;
	}
	rc = 0;
out:
	/* m's strings belong to d; only the signature is m's own. */
	free(m.signature);
	idprov_prov_response_free(&r);
	if (ssl != NULL)
		tls_close(ssl, fd);
	free(json);
	free(req);
	return rc;
}

static void *
worker(void *arg)
{
	lg *g = arg;
	char *buf = malloc(LG_RESP_MAX);
	long i;
	double t0;
	int rc;

	if (buf == NULL)
		return NULL;
	for (;;) {
		if (now_s() >= g->deadline)
			break;
		i = atomic_fetch_add(&g->next, 1);
		if (i >= g->count)
			break;
		t0 = now_s();
		if (strcmp(g->mode, "get") == 0)
			rc = op_get(g, buf, LG_RESP_MAX);
		else
			rc = op_provision(g, &g->devs[i], g->renewing, buf,
			    LG_RESP_MAX);
		if (rc == 0) {
			g->lat[i] = (now_s() - t0) * 1000.0;
			atomic_fetch_add(&g->ok, 1);
		} else {
			g->lat[i] = -1;
			atomic_fetch_add(&g->errors, 1);
		}
	}
	free(buf);
	return NULL;
}

/* ---- preparation ---- */

static int
make_devices(lg *g)
{
	EVP_PKEY *key = NULL;
	unsigned char rnd[16];
	long i;
	int j;

	if ((g->devs = calloc((size_t)g->count, sizeof(*g->devs))) == NULL)
		return -1;
	for (i = 0; i < g->count; i++) {
		lg_device *d = &g->devs[i];

		snprintf(d->id, sizeof(d->id), "%s-%06ld", g->prefix, i);
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -1;
		for (j = 0; j < 16; j++)
			snprintf(d->secret + 2 * j, 3, "%02x", rnd[j]);
		if (idprov_key_generate(IDPROV_KEY_EC_P256, &key, NULL) !=
		    IDPROV_OK || idprov_key_public_pem(key, &d->pub_pem, NULL) !=
		    IDPROV_OK)
			return -1;
		d->key = key;	/* a renewal's client certificate key */
		key = NULL;
	}
	return 0;
}

/* POST the secrets in chunks under 64 KiB, over mutual TLS. */
static int
post_secrets(lg *g)
{
	char *body = NULL, *req = NULL, *rbuf = NULL, *rbody;
	size_t cap = LG_CHUNK_BYTES + 1024, len, rblen;
	long i = 0, first;
	int fd, code = 0, n, rc = -1;
	SSL *ssl;

	if ((body = malloc(cap)) == NULL || (req = malloc(cap + 512)) == NULL ||
	    (rbuf = malloc(LG_RESP_MAX)) == NULL)
		goto out;
	while (i < g->count) {
		first = i;
		len = (size_t)snprintf(body, cap, "{\"secrets\":[");
		while (i < g->count && i - first < LG_CHUNK_ENTRIES &&
		    len + 200 < LG_CHUNK_BYTES) {
			len += (size_t)snprintf(body + len, cap - len,
			    "%s{\"deviceID\":\"%s\",\"oobSecret\":\"%s\","
			    "\"validUntil\":\"\"}", i > first ? "," : "",
			    g->devs[i].id, g->devs[i].secret);
			i++;
		}
		len += (size_t)snprintf(body + len, cap - len, "]}");
		n = snprintf(req, cap + 512, "POST /idprov/admin/oobsecrets "
		    "HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n", g->host,
		    len);
		memcpy(req + n, body, len);
		if ((ssl = tls_connect(g, g->admin_ctx, NULL, NULL, &fd)) ==
		    NULL) {
			fprintf(stderr, "loadgen: cannot connect with the admin "
			    "certificate\n");
			goto out;
		}
		if (exchange(ssl, req, (size_t)n + len, rbuf, LG_RESP_MAX, &code,
		    &rbody, &rblen) != 0 || code != 200) {
			fprintf(stderr, "loadgen: posting secrets failed (HTTP "
			    "%d): %.200s\n", code, code ? rbody : "");
			tls_close(ssl, fd);
			goto out;
		}
		tls_close(ssl, fd);
	}
	rc = 0;
out:
	free(body);
	free(req);
	free(rbuf);
	return rc;
}

static int
accept_chain(X509_STORE_CTX *store, void *arg)
{
	(void)store;
	(void)arg;
	return 1;
}

/* verify: check the server's chain against --ca and its address (the
 * admin, and a device that has the CA; a device's first contact does
 * not, WIRE.md "Trust"). */
static SSL_CTX *
client_ctx(const lg *g, const char *cert, const char *key, int verify)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	/* What a Go device negotiates with idprovd: TLS 1.3, X25519. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set1_groups_list(ctx, "X25519");
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
	/* A device has no CA before its first provisioning (leap of faith,
	 * WIRE.md "Trust"), so it does not verify; the admin does. */
	if (verify) {
		if (SSL_CTX_load_verify_locations(ctx, g->ca, NULL) != 1 ||
		    X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx),
		    g->host) != 1 || (cert != NULL &&
		    (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !=
		    1))) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		/* SSL_VERIFY_NONE alone still runs X509_verify_cert on the
		 * server's chain and ignores the result; skip it outright, so
		 * the client's cost does not depend on the chain a server
		 * sends. */
		SSL_CTX_set_cert_verify_callback(ctx, accept_chain, NULL);
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* A client certificate goes alone, as a Go device and libidprov
	 * send it: left to itself OpenSSL would add the CA from the verify
	 * store, which the server has and would decode for nothing. */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	return ctx;
}

/* utime+stime of every PID in the comma-separated list, in ms; -1 if
 * one cannot be read. */
static double
server_cpu_ms(const char *pids)
{
	char path[64], line[1024], list[512];
	char *p, *save = NULL, *rp;
	unsigned long ut, st;
	double total = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int field;
	FILE *f;

	if (pids == NULL || hz <= 0)
		return -1;
	snprintf(list, sizeof(list), "%s", pids);
	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		snprintf(path, sizeof(path), "/proc/%d/stat", atoi(p));
		if ((f = fopen(path, "r")) == NULL)
			return -1;
		rp = fgets(line, sizeof(line), f);
		fclose(f);
		/* The command name may hold spaces: count after its ')'. */
		if (rp == NULL || (rp = strrchr(line, ')')) == NULL)
			return -1;
		rp += 2;
		ut = st = 0;
		for (field = 3; field <= 15 && rp != NULL; field++) {
			if (field == 14)
				ut = strtoul(rp, NULL, 10);
			else if (field == 15)
				st = strtoul(rp, NULL, 10);
			rp = strchr(rp, ' ');
			if (rp != NULL)
				rp++;
		}
		total += (double)(ut + st) * 1000.0 / (double)hz;
	}
	return total;
}

/* This process's own user+system CPU, in ms: what the load generator
 * costs the cores it shares with the server. */
static double
self_cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* All the devices' operations on --concurrency threads, until --count or
 * --seconds; 0 when every thread started. */
static int
run_threads(lg *g)
{
	pthread_t th[LG_MAX_THREADS];
	int t, started = 0;

	atomic_store(&g->next, 0);
	atomic_store(&g->ok, 0);
	atomic_store(&g->errors, 0);
	g->deadline = now_s() + g->seconds;
	for (t = 0; t < g->concurrency; t++) {
		if (pthread_create(&th[t], NULL, worker, g) != 0)
			break;
		started++;
	}
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	return started == g->concurrency ? 0 : -1;
}

static void
usage(FILE *f)
{
	fputs("usage: idprov-loadgen --mode provision|renew|get --port PORT "
	    "[--host 127.0.0.1]\n"
	    "  [--concurrency 16] [--count 5000] [--seconds 20] [--path /]\n"
	    "  [--ca CA.pem --admin-cert admin.pem --admin-key admin.key] "
	    "(provision, renew)\n"
	    "  [--prefix bench] device ID prefix (provision, renew)\n"
	    "  [--server-pid PID[,PID...]] report the server's CPU time "
	    "per operation\n", f);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'a' },
		{ "admin-cert", required_argument, NULL, 'c' },
		{ "admin-key", required_argument, NULL, 'k' },
		{ "path", required_argument, NULL, 'P' },
		{ "concurrency", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'N' },
		{ "seconds", required_argument, NULL, 's' },
		{ "prefix", required_argument, NULL, 'x' },
		{ "server-pid", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	lg g;
	double t0, elapsed, *sorted, cpu0, cpu1, self0, self1;
	long i, nok = 0;
	int opt, signed_mode;

	memset(&g, 0, sizeof(g));
	g.mode = "provision";
	g.host = "127.0.0.1";
	g.path = "/";
	g.concurrency = 16;
	g.count = 5000;
	g.seconds = 20;
	g.prefix = "bench";
	pthread_mutex_init(&g.err_lock, NULL);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': g.mode = optarg; break;
		case 'H': g.host = optarg; break;
		case 'p': g.port = atoi(optarg); break;
		case 'a': g.ca = optarg; break;
		case 'c': g.admin_cert = optarg; break;
		case 'k': g.admin_key = optarg; break;
		case 'P': g.path = optarg; break;
		case 'n': g.concurrency = atoi(optarg); break;
		case 'N': g.count = atol(optarg); break;
		case 's': g.seconds = atof(optarg); break;
		case 'x': g.prefix = optarg; break;
		case 'S': g.server_pids = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	signed_mode = strcmp(g.mode, "provision") == 0 ||
	    strcmp(g.mode, "renew") == 0;
	if ((strcmp(g.mode, "get") != 0 && !signed_mode) ||
	    g.port <= 0 || g.port > 65535 || g.concurrency < 1 ||
	    g.concurrency > LG_MAX_THREADS || g.count < 1 ||
	    g.count > 10000000 || g.seconds <= 0 || (signed_mode &&
	    (g.ca == NULL || g.admin_cert == NULL || g.admin_key == NULL))) {
		usage(stderr);
		return 2;
	}
	g.addr.sin_family = AF_INET;
	g.addr.sin_port = htons((unsigned short)g.port);
	if (inet_pton(AF_INET, g.host, &g.addr.sin_addr) != 1) {
		fprintf(stderr, "loadgen: --host must be an IPv4 address\n");
		return 2;
	}
	if ((g.ctx = client_ctx(&g, NULL, NULL, 0)) == NULL ||
	    (g.lat = calloc((size_t)g.count, sizeof(double))) == NULL) {
		fprintf(stderr, "loadgen: cannot set up TLS\n");
		return 1;
	}
	if (signed_mode) {
		if ((g.admin_ctx = client_ctx(&g, g.admin_cert,
		    g.admin_key, 1)) == NULL ||
		    (g.renew_ctx = client_ctx(&g, NULL, NULL, 1)) == NULL) {
			fprintf(stderr, "loadgen: cannot load the admin "
			    "certificate %s\n", g.admin_cert);
			return 1;
		}
		if (make_devices(&g) != 0) {
			fprintf(stderr, "loadgen: cannot make device keys\n");
			return 1;
		}
		if (post_secrets(&g) != 0)
			return 1;
	}
	/* Renewals need provisioned devices: provision them all first,
	 * outside the clock. */
	if (strcmp(g.mode, "renew") == 0) {
		if (run_threads(&g) != 0 || atomic_load(&g.ok) != g.count) {
			fprintf(stderr, "loadgen: provisioning before the "
			    "renewals failed (%ld of %ld): %s\n",
			    atomic_load(&g.ok), g.count, g.first_error);
			return 1;
		}
		g.renewing = 1;
	}

	cpu0 = server_cpu_ms(g.server_pids);
	self0 = self_cpu_ms();
	t0 = now_s();
	if (run_threads(&g) != 0)
		note_error(&g, "not every thread started");
	elapsed = now_s() - t0;
	self1 = self_cpu_ms();
	cpu1 = server_cpu_ms(g.server_pids);

	if ((sorted = malloc((size_t)g.count * sizeof(double))) == NULL)
		return 1;
	for (i = 0; i < g.count && i < atomic_load(&g.next); i++)
		if (g.lat[i] > 0)
			sorted[nok++] = g.lat[i];
	qsort(sorted, (size_t)nok, sizeof(double), cmp_double);
	printf("mode=%s concurrency=%d ok=%ld errors=%ld seconds=%.3f "
	    "rate=%.1f p50_ms=%.3f p99_ms=%.3f\n", g.mode, g.concurrency,
	    atomic_load(&g.ok), atomic_load(&g.errors), elapsed,
	    (double)atomic_load(&g.ok) / elapsed,
	    nok ? sorted[nok / 2] : 0.0,
	    nok ? sorted[(size_t)((double)nok * 0.99)] : 0.0);
	if (g.server_pids != NULL && cpu0 >= 0 && cpu1 >= 0)
		printf("server_cpu_ms=%.0f server_cpu_ms_per_op=%.4f\n",
		    cpu1 - cpu0, atomic_load(&g.ok) > 0 ? (cpu1 - cpu0) /
		    (double)atomic_load(&g.ok) : 0.0);
	if (self0 >= 0 && self1 >= 0 && atomic_load(&g.ok) > 0)
		printf("client_cpu_ms_per_op=%.4f\n", (self1 - self0) /
		    (double)atomic_load(&g.ok));
	if (g.first_error[0] != '\0')
		fprintf(stderr, "loadgen: first error: %s\n", g.first_error);
	free(sorted);
	for (i = 0; g.devs != NULL && i < g.count; i++) {
		free(g.devs[i].pub_pem);
		EVP_PKEY_free(g.devs[i].key);
		X509_free(g.devs[i].cert);
	}
	free(g.devs);
	free(g.lat);
	SSL_CTX_free(g.ctx);
	SSL_CTX_free(g.admin_ctx);
	SSL_CTX_free(g.renew_ctx);
	return atomic_load(&g.errors) == 0 && atomic_load(&g.ok) > 0 ? 0 : 1;
}
