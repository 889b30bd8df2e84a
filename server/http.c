/*
 * http.c - the HTTPS layer: sockets, worker threads, connections and the
 * translation between evhttp requests and srv_request/srv_response.
 *
 * Each connection gets a srv_conn hung on its SSL object (ex_data), so
 * that it lives exactly as long as the SSL: OpenSSL frees it through the
 * ex_data free callback when libevent frees the connection.  A per-worker
 * sweep timer enforces the deadlines: libevent's own timeouts only measure
 * silence between reads, so a client trickling one byte a second would
 * never hit them.  A connection past its deadline has its socket shut
 * down, and evhttp frees it through its ordinary error path.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "config_load.h"
#include "http.h"
#include "request_gate.h"
#include "tls.h"
#include "../lib/core/wire.h"

#define SRV_BACKLOG 1024
#define SRV_SWEEP_MS 250
/* The request gate refuses a body over IDPROV_MAX_BODY (JSON 413) before
 * evhttp reads it, from the Content-Length or the chunk sizes, so evhttp
 * never keeps more; its own limits are a backstop that the gate's
 * stricter ones keep it from reaching (its header count goes on through
 * the trailer, hence twice). */
#define SRV_BODY_READ_LIMIT IDPROV_MAX_BODY
#define SRV_EVHTTP_HEADERS_LIMIT (2 * SRV_GATE_MAX_HEAD + 1024)
/* Bytes of requests evhttp has not taken yet that one connection may make
 * us hold: libevent goes on reading while an answer is written (to notice
 * a close), so a client pipelining requests without reading the answers
 * would grow the input buffer without end.  The largest request (evhttp
 * waits for a whole Content-Length body in this buffer) and one TLS
 * record more; a client that does not pipeline never comes near it. */
#define SRV_INPUT_MAX (SRV_GATE_MAX_HEAD + IDPROV_MAX_BODY + 16 * 1024)
/* After the gate's refusal, how long what the client still sends is read
 * and dropped before the connection closes (see conn_done_cb). */
#define SRV_GATE_LINGER_MS 2000
#define SRV_MAX_WORKERS 256
#define SRV_ACCEPT_PAUSE_MS 100
#define SRV_ACCEPT_WARN_MS 60000

enum conn_state {
	CONN_NEW = 0,	/* accepted: handshake and first request */
	CONN_READING,	/* bytes of a request have arrived */
	CONN_BUSY,	/* answered, the response is being written */
	CONN_IDLE,	/* keep-alive, waiting for the next request */
	CONN_REJECT	/* over the connection cap: close at once */
};

typedef struct srv_worker srv_worker;

typedef struct srv_conn {
	srv_worker *w;
	SSL *ssl;
	enum conn_state state;
	long long deadline_ms;	/* monotonic; shut down when passed */
	long long req_start_us;	/* first byte of the current request */
	int nodelay_done;
	int killed;
	int peer_done;
	int close_when_done;	/* after this answer (CONNECT) */
	int gate_busy;		/* the gate is editing the input buffer */
	int gate_answered;	/* the gate's refusal is being written */
	uint64_t n_req;		/* requests handed to request_cb so far */
	srv_gate gate;		/* the framing of the bytes received */
	srv_peer peer;		/* cached: renegotiation is off */
	struct srv_conn *prev, *next;
} srv_conn;

struct srv_worker {
	srv_http *h;
	int id;
	pthread_t thread;
	int started;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound[SRV_MAX_LISTEN];
	size_t n_bound;
	struct event *sweep_ev;
	struct event *stop_ev;
	srv_conn *conns;	/* touched by this worker's thread only */
	int draining;
	long long drain_until_ms;
	long long cap_warned_ms;	/* last "cap reached" warning */
	struct event *resume_ev;	/* re-enables paused listeners */
	int accept_paused;	/* in an accept() failure episode */
	/* Requests answered later (request.h): how many are waiting, on
	 * this worker's thread only; those whose work is done, handed over
	 * by other threads under later_lock, and the event they activate. */
	int n_later;
	int later_lock_init;
	pthread_mutex_t later_lock;
	struct http_later *later_ready;
	struct event *later_ev;
};

struct srv_http {
	srv_app *app;
	srv_log *lg;
	pthread_mutex_t tls_lock;
	SSL_CTX *ctx;
	atomic_int read_timeout_sec;
	atomic_int idle_timeout_sec;
	atomic_int max_connections;
	atomic_int n_conn;
	atomic_llong accept_warned_ms;	/* last "cannot accept" warning */
	int ex_idx;		/* SSL ex_data index of the srv_conn */
	size_t n_addr;
	struct sockaddr_storage addr[SRV_MAX_LISTEN];
	socklen_t addr_len[SRV_MAX_LISTEN];
	int n_workers;
	srv_worker *workers;
};

/* A request answered later (request.h): what its answer and log line
 * need once the handler has returned and the request's own buffers are
 * gone. */
typedef struct http_later {
	srv_later base;		/* first: the handler sees only this */
	srv_worker *w;
	srv_later_fn finish;
	void *arg;
	struct evhttp_request *req;
	enum evhttp_cmd_type cmd;
	char *path;
	char peer_addr[64];
	char peer_cn[256];
	srv_role role;
	long long start_us;
	int must_close;
	srv_response resp;	/* as the handler left it */
	struct http_later *next;	/* in the worker's ready list */
} http_later;

/* Offered to the handler of one request (srv_request.later). */
typedef struct later_slot {
	srv_later_slot base;	/* first */
	srv_worker *w;
	http_later *taken;
} later_slot;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- connections ---- */

/* OpenSSL calls this from SSL_free for every SSL; ours carry a conn. */
static void
conn_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	srv_conn *c = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	atomic_fetch_sub(&c->w->h->n_conn, 1);
	srv_tls_peer_clear(&c->peer);
	free(c);
}

static srv_conn *
conn_of_request(srv_http *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	SSL *ssl;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, h->ex_idx);
}

/* Close the socket under libevent's feet: evhttp sees EOF or EPIPE and
 * frees the connection the usual way. */
static void
conn_kill(srv_conn *c)
{
	int fd;

	if (c->killed)
		return;
	fd = SSL_get_fd(c->ssl);
	if (fd >= 0) {
		shutdown(fd, SHUT_RDWR);
		c->killed = 1;
	}
}

/* The client's address, for a log line. */
static void
conn_peer_addr(const srv_conn *c, char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = SSL_get_fd(c->ssl);

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    out, (socklen_t)outsz);
	else if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    out, (socklen_t)outsz);
}

/* The input buffer of c without its bytes from index keep on, then tail
 * and fill spaces: what evhttp is to read in place of what the gate
 * refused (request_gate.h srv_gate_ending). */
static void
gate_rewrite(srv_conn *c, struct evbuffer *buf, size_t keep,
    const char *tail, size_t fill)
{
	char spaces[512];
	struct evbuffer *kept = NULL;
	size_t len = evbuffer_get_length(buf), n;

	c->gate_busy = 1;
	if (keep < len) {
		/* evbuffer has no truncate: move the head aside (whole
		 * chains, no copy), drop the rest, put the head back. */
		if (keep > 0 && ((kept = evbuffer_new()) == NULL ||
		    evbuffer_remove_buffer(buf, kept, keep) != (int)keep)) {
			conn_kill(c);
			goto out;
		}
		evbuffer_drain(buf, evbuffer_get_length(buf));
		if (kept != NULL)
			evbuffer_add_buffer(buf, kept);
	}
	if (tail != NULL)
		evbuffer_add(buf, tail, strlen(tail));
	memset(spaces, ' ', sizeof(spaces));
	for (; fill > 0; fill -= n) {
		n = fill < sizeof(spaces) ? fill : sizeof(spaces);
		evbuffer_add(buf, spaces, n);
	}
out:
	if (kept != NULL)
		evbuffer_free(kept);
	c->gate_busy = 0;
}

/*
 * The gate (request_gate.h) reads the n_added bytes just appended to buf,
 * in place.  This runs before evhttp parses them: bufferevent_openssl's
 * do_read commits the decrypted bytes with evbuffer_commit_space, which
 * runs the buffer's callbacks at once (libevent 2.1.12 buffer.c: no
 * deferral unless evbuffer_defer_callbacks, which nobody calls), and
 * only then triggers evhttp's read callback.  On a refusal, what follows
 * the refused request is dropped, and evhttp gets instead a request, or
 * the end of one, that request_cb answers with the gate's refusal; while
 * that answer is out, whatever more arrives is dropped too.
 */
static void
gate_input(srv_conn *c, struct evbuffer *buf, size_t n_added)
{
	struct evbuffer_iovec v[4];
	struct evbuffer_ptr ptr;
	size_t len = evbuffer_get_length(buf), at, done = 0, used, k;
	uint64_t first_unread, cut;
	const char *tail;
	size_t fill;
	int i, nv, refused = 0;

	if (n_added > len)
		n_added = len;
	at = len - n_added;
	if (srv_gate_refused(&c->gate) != NULL) {
		gate_rewrite(c, buf, at, NULL, 0);
		return;
	}
	first_unread = srv_gate_offset(&c->gate) - at;
	while (done < n_added && !refused) {
		if (evbuffer_ptr_set(buf, &ptr, at + done,
		    EVBUFFER_PTR_SET) != 0 ||
		    (nv = evbuffer_peek(buf, (ev_ssize_t)(n_added - done),
		    &ptr, v, 4)) <= 0) {
			/* cannot happen; unread bytes must not pass */
			conn_kill(c);
			return;
		}
		for (i = 0; i < nv && i < 4 && done < n_added; i++) {
			k = v[i].iov_len < n_added - done ? v[i].iov_len :
			    n_added - done;
			if (srv_gate_feed(&c->gate, v[i].iov_base, k, &used) !=
			    SRV_GATE_PASS) {
				refused = 1;
				break;
			}
			done += k;
		}
	}
	if (!refused)
		return;
	srv_gate_ending(&c->gate, first_unread, &cut, &tail, &fill);
	if (cut < first_unread || cut - first_unread > len) {
		conn_kill(c);	/* cannot happen: evhttp read past the gate */
		return;
	}
	gate_rewrite(c, buf, (size_t)(cut - first_unread), tail, fill);
}

/* The gate's refusal when the request request_cb is called for is the
 * one it refused (counted from 0 on the connection), else NULL. */
static const srv_gate_refusal *
gate_turn(srv_conn *c)
{
	const srv_gate_refusal *rf = srv_gate_refused(&c->gate);
	uint64_t i = c->n_req++;

	return rf != NULL && rf->index == i ? rf : NULL;
}

/* Called whenever decrypted bytes enter the connection's input buffer:
 * the first byte of a request starts its read deadline, and the gate
 * reads every byte before evhttp does. */
static void
conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	srv_conn *c = arg;

	if (info->n_added == 0 || c->gate_busy)
		return;
	if (c->state == CONN_IDLE) {
		c->state = CONN_READING;
		c->deadline_ms = now_ms() + 1000LL *
		    atomic_load(&c->w->h->read_timeout_sec);
		c->req_start_us = now_us();
	} else if (c->state == CONN_NEW) {
		/* The deadline set at accept covers the handshake too. */
		c->state = CONN_READING;
		c->req_start_us = now_us();
	}
	gate_input(c, buf, info->n_added);
	if (evbuffer_get_length(buf) > SRV_INPUT_MAX && !c->killed) {
		if (srv_log_enabled(c->w->h->lg, SRV_LOG_INFO)) {
			char addr[INET6_ADDRSTRLEN] = "-";

			conn_peer_addr(c, addr, sizeof(addr));
			srv_logf(c->w->h->lg, SRV_LOG_INFO, "connection peer=%s "
			    "outcome=\"closed: over %d KiB of requests waiting "
			    "(pipelined faster than they are answered)\"",
			    addr, SRV_INPUT_MAX / 1024);
		}
		conn_kill(c);
	}
}

/* A fatal alert we send ends a handshake (or a connection): one line
 * saying who and why, e.g. a client certificate from another CA. */
static void
conn_info_cb(const SSL *ssl, int where, int ret)
{
	srv_conn *c;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "-";
	long vr;
	int fd;

	if (!(where & SSL_CB_WRITE_ALERT) || (ret >> 8) != SSL3_AL_FATAL)
		return;
	if ((c = SSL_get_app_data(ssl)) == NULL ||
	    !srv_log_enabled(c->w->h->lg, SRV_LOG_INFO))
		return;
	fd = SSL_get_fd(ssl);
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			    addr, sizeof(addr));
		else if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			    addr, sizeof(addr));
	}
	vr = SSL_get_verify_result(ssl);
	srv_logf(c->w->h->lg, SRV_LOG_INFO, "tls peer=%s outcome=\"handshake "
	    "failed: %s%s%s\"", addr, SSL_alert_desc_string_long(ret),
	    vr != X509_V_OK ? ": client certificate: " : "",
	    vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "");
}

/* evhttp asks for a bufferevent for each accepted socket. */
static struct bufferevent *
conn_new_cb(struct event_base *base, void *arg)
{
	srv_worker *w = arg;
	srv_http *h = w->h;
	struct bufferevent *bev = NULL;
	srv_conn *c;
	SSL *ssl;
	int n;

	/* A connection was accepted: any descriptor shortage is over. */
	w->accept_paused = 0;
	pthread_mutex_lock(&h->tls_lock);
	ssl = SSL_new(h->ctx);
	pthread_mutex_unlock(&h->tls_lock);
	if (ssl == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	c->w = w;
	c->ssl = ssl;
	c->state = CONN_NEW;
	srv_gate_init(&c->gate);
	c->deadline_ms = now_ms() + 1000LL * atomic_load(&h->read_timeout_sec);
	if (SSL_set_ex_data(ssl, h->ex_idx, c) != 1) {
		free(c);
		SSL_free(ssl);
		return NULL;
	}
	/* For the info callback, which gets no argument of its own. */
	SSL_set_app_data(ssl, c);
	SSL_set_info_callback(ssl, conn_info_cb);
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	n = atomic_fetch_add(&h->n_conn, 1) + 1;

	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);	/* frees c too */
		return NULL;
	}
	evbuffer_add_cb(bufferevent_get_input(bev), conn_input_cb, c);
	if (n > atomic_load(&h->max_connections) || w->draining) {
		/* evhttp sets the socket right after we return; the sweep
		 * runs after that and closes it. */
		c->state = CONN_REJECT;
		c->deadline_ms = 0;
		/* At most one warning a minute per worker: a flood must not
		 * turn into a flood of log lines. */
		if (!w->draining && now_ms() - w->cap_warned_ms >= 60000) {
			w->cap_warned_ms = now_ms();
			srv_logf(h->lg, SRV_LOG_WARN, "connection cap reached: %d "
			    "open (max_connections %d); new connections are "
			    "closed", n - 1, atomic_load(&h->max_connections));
		}
		event_active(w->sweep_ev, EV_TIMEOUT, 1);
	}
	return bev;
}

/* The response of the connection's request has been written. */
static void
conn_done_cb(struct evhttp_request *req, void *arg)
{
	srv_conn *c = arg;

	c->state = CONN_IDLE;
	c->deadline_ms = now_ms() + 1000LL *
	    atomic_load(&c->w->h->idle_timeout_sec);
	if (c->close_when_done)
		conn_kill(c);
	if (c->gate_answered) {
		/*
		 * A lingering close: closing with the client's bytes still
		 * unread (the rest of a refused body) makes the kernel send a
		 * reset, and the client may lose the answer while it is still
		 * sending (curl: "Send failure").  So evhttp must not close
		 * now (it decides after this callback, from the Connection
		 * headers): our side is shut after the answer, what comes is
		 * dropped (gate_input), and the connection ends when the
		 * client closes or SRV_GATE_LINGER_MS have passed.
		 */
		int fd = SSL_get_fd(c->ssl);

		while (evhttp_remove_header(evhttp_request_get_input_headers(
		    req), "Connection") == 0)
			;
		while (evhttp_remove_header(evhttp_request_get_output_headers(
		    req), "Connection") == 0)
			;
		if (fd >= 0)
			shutdown(fd, SHUT_WR);
		c->gate_answered = 0;
		c->deadline_ms = now_ms() + SRV_GATE_LINGER_MS;
	}
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	srv_worker *w = arg;
	long long now = now_ms();
	srv_conn *c;

	(void)fd;
	(void)what;
	for (c = w->conns; c != NULL; c = c->next) {
		if (now >= c->deadline_ms)
			conn_kill(c);
		else if (w->draining && (c->state == CONN_NEW ||
		    c->state == CONN_IDLE))
			conn_kill(c);
	}
	/* A request waiting for its answer (n_later) holds the loop even
	 * when its connection is gone: its work is under way in another
	 * thread, which will hand it back to this one. */
	if (w->draining && w->n_later == 0 &&
	    (w->conns == NULL || now >= w->drain_until_ms))
		event_base_loopbreak(w->base);
}

/* ---- requests ---- */

static srv_method
method_of(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return SRV_METHOD_GET;
	case EVHTTP_REQ_HEAD: return SRV_METHOD_HEAD;
	case EVHTTP_REQ_POST: return SRV_METHOD_POST;
	default: return SRV_METHOD_OTHER;
	}
}

static const char *
method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	default: return "OTHER";
	}
}

static void
free_body(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

static const char *
role_name(srv_role r)
{
	switch (r) {
	case SRV_ROLE_DEVICE: return "device";
	case SRV_ROLE_ADMIN: return "admin";
	case SRV_ROLE_OTHER: return "other";
	default: return "none";
	}
}

/*
 * The decoded path, or NULL when it cannot be served: not absolute, a
 * NUL byte, or ".." anywhere (nothing of ours has it, and refusing it
 * here means no handler ever sees a traversal).
 */
static char *
decode_path(const struct evhttp_uri *uri)
{
	const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	size_t len = 0;
	char *p;

	if (raw == NULL || raw[0] != '/')
		return NULL;
	p = evhttp_uridecode(raw, 0, &len);
	if (p == NULL)
		return NULL;
	if (strlen(p) != len || strstr(p, "..") != NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * The framing of the request's body is ambiguous: more than one
 * Content-Length, a Transfer-Encoding with a Content-Length, or a
 * Transfer-Encoding other than a single "chunked".  libevent reads the
 * body by the first Content-Length it finds; a proxy in front may use
 * another, and whatever follows would be read as a second request
 * (request smuggling, RFC 9112 sections 6.1 and 6.3).  NULL when sound,
 * else the sentence of the 400.
 */
/* RFC 9110 5.6.2: token = 1*tchar. */
static int
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

static const char *
framing_error(struct evhttp_request *req)
{
	struct evkeyvalq *in_h = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	int n_cl = 0, n_te = 0, te_chunked = 0;

	TAILQ_FOREACH(kv, in_h, next) {
		/* libevent keeps "Transfer-Encoding : chunked" as a header
		 * named "Transfer-Encoding " that nothing reads, while a proxy
		 * in front may take it as the real thing: RFC 9112 5.1 says
		 * reject.  Any name that is not a token goes the same way. */
		if (!is_token(kv->key))
			return "the request has a header name that is not a "
			    "token (whitespace before the colon?)";
		if (evutil_ascii_strcasecmp(kv->key, "Content-Length") == 0) {
			/* RFC 9110 8.6: 1*DIGIT.  libevent's strtoll also
			 * takes "+308", which another parser on the path may
			 * read differently. */
			if (kv->value[0] == '\0' || strspn(kv->value,
			    "0123456789") != strlen(kv->value))
				return "the request's Content-Length is not a "
				    "decimal number";
			n_cl++;
		} else if (evutil_ascii_strcasecmp(kv->key,
		    "Transfer-Encoding") == 0) {
			n_te++;
			te_chunked = evutil_ascii_strcasecmp(kv->value,
			    "chunked") == 0;
		}
	}
	if (n_cl > 1)
		return "the request has more than one Content-Length header";
	if (n_te > 0 && n_cl > 0)
		return "the request has both Transfer-Encoding and "
		    "Content-Length headers";
	if (n_te > 1 || (n_te == 1 && !te_chunked))
		return "the request's Transfer-Encoding is not a single "
		    "chunked";
	return NULL;
}

/* resp gets `status` with {"error":msg}; msg holds no character that
 * JSON would need escaped. */
static void
error_reply(srv_response *resp, int status, const char *msg,
    const char *outcome)
{
	size_t n = strlen(msg) + sizeof("{\"error\":\"\"}");

	resp->status = status;
	if ((resp->body = malloc(n)) != NULL)
		resp->body_len = (size_t)snprintf(resp->body, n,
		    "{\"error\":\"%s\"}", msg);
	snprintf(resp->outcome, sizeof(resp->outcome), "%s", outcome);
}

static void
bad_request(srv_response *resp, const char *msg, const char *outcome)
{
	char why[96];

	snprintf(why, sizeof(why), "bad-request: %s", outcome);
	error_reply(resp, 400, msg, why);
}

/* What the answer and its log line need besides the response. */
typedef struct answer_info {
	enum evhttp_cmd_type cmd;
	const char *method;	/* for the log line */
	const char *allow;	/* an Allow header, or NULL */
	const char *path;	/* NULL: not valid */
	const char *peer_addr;	/* NULL: unknown */
	const char *peer_cn;	/* "" when none */
	srv_role role;
	long long start_us;
	int must_close;
} answer_info;

/* Send resp (its body is taken over) as the answer to req; c is the
 * request's connection, NULL when it is gone. */
static void
send_answer(srv_worker *w, struct evhttp_request *req, srv_conn *c,
    const answer_info *a, srv_response *resp)
{
	srv_http *h = w->h;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct evkeyvalq *out_h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	char clen[32];

	if (resp->status < 100 || resp->status > 599)
		resp->status = 500;
	if (resp->body == NULL)
		resp->body_len = 0;
	evhttp_add_header(out_h, "Content-Type", resp->content_type != NULL ?
	    resp->content_type : "application/json");
	snprintf(clen, sizeof(clen), "%zu", resp->body_len);
	evhttp_add_header(out_h, "Content-Length", clen);
	if (w->draining || a->must_close)
		evhttp_add_header(out_h, "Connection", "close");
	/* The gate's 405 (a->allow) or the router's (resp->allow). */
	if (a->allow != NULL || resp->allow != NULL)
		evhttp_add_header(out_h, "Allow", a->allow != NULL ? a->allow :
		    resp->allow);
	/* A HEAD answer has the GET's headers and no body (RFC 9110 9.3.2);
	 * libevent sends whatever is in the buffer, and a kept-alive client
	 * would read the body as the next answer. */
	if (resp->body_len > 0 && a->cmd != EVHTTP_REQ_HEAD) {
		if (evbuffer_add_reference(out, resp->body, resp->body_len,
		    free_body, NULL) != 0)
			free(resp->body);
	} else {
		free(resp->body);
	}
	resp->body = NULL;
	if (c != NULL)
		evhttp_request_set_on_complete_cb(req, conn_done_cb, c);

	if (srv_log_enabled(h->lg, SRV_LOG_INFO)) {
		/* Values a client chooses are quoted and escaped: one request,
		 * one line, and no key=value pairs of the client's making. */
		char qpath[512], qdevice[160], qoutcome[200];

		srv_logf(h->lg, SRV_LOG_INFO, "request method=%s path=\"%s\" "
		    "device=\"%s\" peer=%s role=%s status=%d outcome=\"%s\" "
		    "ms=%.3f", a->method,
		    srv_log_quoted(qpath, sizeof(qpath),
		    a->path != NULL ? a->path : "(invalid)"),
		    srv_log_quoted(qdevice, sizeof(qdevice),
		    resp->device[0] != '\0' ? resp->device :
		    (a->peer_cn[0] != '\0' ? a->peer_cn : "-")),
		    a->peer_addr != NULL ? a->peer_addr : "-",
		    role_name(a->role), resp->status,
		    srv_log_quoted(qoutcome, sizeof(qoutcome),
		    resp->outcome[0] != '\0' ? resp->outcome : "-"),
		    (double)(now_us() - a->start_us) / 1000.0);
	}
	evhttp_send_reply(req, resp->status, NULL, NULL);
	/*
	 * Headers and body sit in separate chains of the output buffer, and
	 * bufferevent_openssl makes one TLS record, one write() and one wakeup
	 * of the client per chain.  A response is a few KB at most: one
	 * contiguous chain sends it as one record.
	 */
	if (evcon != NULL) {
		struct bufferevent *bev =
		    evhttp_connection_get_bufferevent(evcon);

		evbuffer_pullup(bufferevent_get_output(bev), -1);
		/*
		 * evhttp reads while it writes, to notice a close; but a client
		 * that sent its request and then its close_notify (a TLS
		 * half-close) would make that read end the connection before
		 * the answer is written (bufferevent_openssl writes on the next
		 * writable event), and the answer would be lost.  So nothing
		 * is read until the answer is out; evhttp reads again for the
		 * next request, or closes.
		 */
		bufferevent_disable(bev, EV_READ);
	}
}

/* ---- answers that come later (request.h) ---- */

static void later_ready(srv_later *base);

/* srv_later_slot.take: the handler's request will be answered later. */
static srv_later *
later_take(srv_later_slot *slot_base, srv_later_fn finish, void *arg)
{
	later_slot *slot = (later_slot *)slot_base;
	http_later *l;

	if (slot->taken != NULL || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->base.ready = later_ready;
	l->w = slot->w;
	l->finish = finish;
	l->arg = arg;
	slot->taken = l;
	slot->w->n_later++;
	return &l->base;
}

/* srv_later.ready, from any thread: hand l back to its worker. */
static void
later_ready(srv_later *base)
{
	http_later *l = (http_later *)base;
	srv_worker *w = l->w;

	pthread_mutex_lock(&w->later_lock);
	l->next = w->later_ready;
	w->later_ready = l;
	pthread_mutex_unlock(&w->later_lock);
	/* Thread-safe: the bases are made with evthread_use_pthreads on. */
	event_active(w->later_ev, EV_READ, 1);
}

/* On the worker's thread: finish and send every answer that is ready. */
static void
later_cb(evutil_socket_t fd, short what, void *arg)
{
	srv_worker *w = arg;
	http_later *l, *next;
	answer_info a;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->later_lock);
	l = w->later_ready;
	w->later_ready = NULL;
	pthread_mutex_unlock(&w->later_lock);
	for (; l != NULL; l = next) {
		next = l->next;
		l->finish(l->arg, &l->resp);
		memset(&a, 0, sizeof(a));
		a.cmd = l->cmd;
		a.method = method_name(l->cmd);
		a.path = l->path;
		a.peer_addr = l->peer_addr[0] != '\0' ? l->peer_addr : NULL;
		a.peer_cn = l->peer_cn;
		a.role = l->role;
		a.start_us = l->start_us;
		a.must_close = l->must_close;
		/* The connection may have gone meanwhile (its deadline): the
		 * request is then detached, and sending frees it. */
		send_answer(w, l->req, conn_of_request(w->h, l->req), &a,
		    &l->resp);
		free(l->path);
		free(l);
		w->n_later--;
	}
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	srv_worker *w = arg;
	srv_http *h = w->h;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	srv_request r;
	srv_response resp;
	srv_conn *c;
	later_slot slot;
	answer_info a;
	char *path = NULL, *body = NULL, *peer_addr = NULL;
	const char *query = NULL, *framing, *mname = method_name(cmd);
	const char *allow = NULL;
	const srv_gate_refusal *refusal;
	ev_uint16_t peer_port = 0;
	size_t body_len = 0;
	long long start;
	int fd, one = 1, must_close = 0;

	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	memset(&slot, 0, sizeof(slot));
	c = conn_of_request(h, req);
	if (c == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	start = c->state == CONN_READING ? c->req_start_us : now_us();
	c->state = CONN_BUSY;
	/* Writing the answer is bounded by the idle timeout. */
	c->deadline_ms = now_ms() + 1000LL * atomic_load(&h->idle_timeout_sec);
	if (!c->nodelay_done) {
		/* Without it, a response written in two pieces waits ~40 ms
		 * for the client's delayed ACK. */
		fd = SSL_get_fd(c->ssl);
		if (fd >= 0)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		c->nodelay_done = 1;
	}
	if (!c->peer_done) {
		srv_tls_peer(c->ssl, &c->peer);
		c->peer_done = 1;
	}
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &peer_addr, &peer_port);
	if ((refusal = gate_turn(c)) != NULL) {
		/* evhttp read a stand-in (gate_input): the answer is the
		 * gate's, and the connection ends with it. */
		char why[96];

		snprintf(why, sizeof(why), "%s: %s", refusal->kind,
		    refusal->reason);
		error_reply(&resp, refusal->status, refusal->reason, why);
		mname = srv_gate_method_name(&c->gate);
		allow = refusal->allow ? SRV_GATE_ALLOW : NULL;
		must_close = 1;
		c->gate_answered = 1;
		goto reply;
	}

	path = decode_path(evhttp_request_get_evhttp_uri(req));
	/* A CONNECT asks for a tunnel: whatever follows it on this connection
	 * is not meant as a request to us.  libevent ignores "Connection:
	 * close" after a CONNECT, so the socket is shut once the answer is
	 * out. */
	if (cmd == EVHTTP_REQ_CONNECT) {
		must_close = 1;
		c->close_when_done = 1;
	}
	if ((framing = framing_error(req)) != NULL) {
		/* Where this request ends, and so where the next begins, is
		 * not known: the connection cannot be used again. */
		bad_request(&resp, framing, "framing");
		must_close = 1;
		goto reply;
	}
	if (path == NULL) {
		bad_request(&resp, "the request path is not valid", "path");
		goto reply;
	}
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	body_len = evbuffer_get_length(in);
	if (body_len > IDPROV_MAX_BODY) {
		/* The gate refuses such a body before it is read; kept
		 * as a backstop (evhttp's limit is the same). */
		error_reply(&resp, 413, "the request body is over 64 KiB",
		    "too-large");
		goto reply;
	}
	if ((body = malloc(body_len + 1)) == NULL) {
		resp.status = 500;
		snprintf(resp.outcome, sizeof(resp.outcome), "out of memory");
		goto reply;
	}
	if (body_len > 0 && evbuffer_copyout(in, body, body_len) !=
	    (ev_ssize_t)body_len) {
		resp.status = 500;
		goto reply;
	}
	body[body_len] = '\0';

	slot.base.take = later_take;
	slot.w = w;
	r.method = method_of(cmd);
	r.path = path;
	r.query = query;
	r.body = body;
	r.body_len = body_len;
	r.peer_addr = peer_addr != NULL ? peer_addr : "";
	r.role = c->peer.role;
	r.peer_cn = c->peer.cert != NULL ? c->peer.cn : NULL;
	r.peer_ou = c->peer.cert != NULL ? c->peer.ou : NULL;
	r.peer_cert = c->peer.cert;
	r.later = &slot.base;
	srv_app_handle(h->app, &r, &resp);
	if (slot.taken != NULL) {
		/* The answer comes later (later_cb); keep what it needs.
		 * Another thread may already have called ready: later_cb
		 * runs on this thread, after this function. */
		http_later *l = slot.taken;

		l->req = req;
		l->cmd = cmd;
		l->path = path;
		path = NULL;
		snprintf(l->peer_addr, sizeof(l->peer_addr), "%s",
		    peer_addr != NULL ? peer_addr : "");
		snprintf(l->peer_cn, sizeof(l->peer_cn), "%s", c->peer.cn);
		l->role = c->peer.role;
		l->start_us = start;
		l->must_close = must_close;
		l->resp = resp;
		goto out;
	}

reply:
	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	a.method = mname;
	a.allow = allow;
	a.path = path;
	a.peer_addr = peer_addr;
	a.peer_cn = c->peer.cn;
	a.role = c->peer.role;
	a.start_us = start;
	a.must_close = must_close;
	send_answer(w, req, c, &a, &resp);
out:
	if (body != NULL)
		OPENSSL_cleanse(body, body_len);	/* may hold an OOB secret */
	free(body);
	free(path);
}

/* ---- accept() failures ---- */

/*
 * Out of descriptors (EMFILE/ENFILE), accept() fails and leaves the
 * client in the backlog, so the listening socket stays readable: left
 * enabled, the listener would call accept() again at once, forever (one
 * CPU and one log line per try).  Instead the failing listener pauses for
 * SRV_ACCEPT_PAUSE_MS, the connections already open are served as usual
 * (closing them is what frees descriptors), and the log gets one warning
 * per episode, at most one a minute for the whole process.
 */

static int
find_worker_cb(const struct event_base *base, const struct event *ev,
    void *arg)
{
	(void)base;
	if (event_get_callback(ev) != sweep_cb)
		return 0;
	*(srv_worker **)arg = event_get_callback_arg(ev);
	return 1;
}

/* libevent hands the error callback the evhttp (the listener's user data
 * is evhttp's), not our worker; the worker is the owner of the base's
 * sweep timer, which is always pending. */
static srv_worker *
worker_of_base(struct event_base *base)
{
	srv_worker *w = NULL;

	event_base_foreach_event(base, find_worker_cb, &w);
	return w;
}

static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval pause = { 0, SRV_ACCEPT_PAUSE_MS * 1000 };
	srv_worker *w;
	long long now, last;

	(void)arg;
	evconnlistener_disable(lev);
	if ((w = worker_of_base(evconnlistener_get_base(lev))) == NULL)
		return;	/* cannot happen: without the timer, stay paused */
	now = now_ms();
	last = atomic_load(&w->h->accept_warned_ms);
	/* Every worker runs out at once: one of them speaks. */
	if (!w->accept_paused && !w->draining &&
	    now - last >= SRV_ACCEPT_WARN_MS &&
	    atomic_compare_exchange_strong(&w->h->accept_warned_ms, &last,
	    now)) {
		srv_logf(w->h->lg, SRV_LOG_WARN, "cannot accept connections: "
		    "%s; new connections wait while the open ones are "
		    "served%s", strerror(e), e == EMFILE || e == ENFILE ?
		    "; raise the descriptor limit (ulimit -n) or lower "
		    "max_connections" : "");
	}
	w->accept_paused = 1;
	evtimer_add(w->resume_ev, &pause);
}

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	srv_worker *w = arg;
	size_t i;

	(void)fd;
	(void)what;
	/* Once draining, the listeners are gone (n_bound is 0). */
	for (i = 0; i < w->n_bound; i++)
		evconnlistener_enable(evhttp_bound_socket_get_listener(
		    w->bound[i]));
}

/* ---- sockets ---- */

static void
addr_format(const struct sockaddr_storage *ss, unsigned short port,
    char *out, size_t outsz)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    host, sizeof(host));
		snprintf(out, outsz, "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    host, sizeof(host));
		snprintf(out, outsz, "%s:%u", host, port);
	}
}

static unsigned short
addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void
addr_set_port(struct sockaddr_storage *ss, unsigned short port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* A bound TCP socket for ss. */
static int
make_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static idprov_status
bind_error(const struct sockaddr_storage *ss, idprov_error *err)
{
	char a[300];
	int e = errno;

	addr_format(ss, addr_port(ss), a, sizeof(a));
	if (e == EADDRINUSE)
		return idprov_error_set(err, IDPROV_ERR_IO, "cannot listen on "
		    "%s: the address is already in use", a);
	return idprov_error_set(err, IDPROV_ERR_IO, "cannot listen on %s: %s",
	    a, strerror(e));
}

/*
 * Every address is bound once before any worker starts, so that a port
 * in use is refused before anything listens; for port 0 the probe also
 * picks the port that the listening socket then uses.
 */
static idprov_status
probe_addresses(srv_http *h, idprov_error *err)
{
	struct sockaddr_storage got;
	socklen_t glen;
	unsigned short port = 0;
	size_t i;
	int fd;

	for (i = 0; i < h->n_addr; i++) {
		if (addr_port(&h->addr[i]) == 0 && port != 0)
			addr_set_port(&h->addr[i], port);
		if ((fd = make_socket(&h->addr[i], h->addr_len[i])) < 0)
			return bind_error(&h->addr[i], err);
		if (addr_port(&h->addr[i]) == 0) {
			glen = sizeof(got);
			if (getsockname(fd, (struct sockaddr *)&got, &glen) != 0) {
				close(fd);
				return bind_error(&h->addr[i], err);
			}
			port = addr_port(&got);
			addr_set_port(&h->addr[i], port);
		}
		close(fd);
	}
	return IDPROV_OK;
}

/* ---- workers ---- */

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	srv_worker *w = arg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < w->n_bound; i++)
		evhttp_del_accept_socket(w->http, w->bound[i]);
	w->n_bound = 0;
	w->draining = 1;
	/* Requests in flight have their own deadlines; this only guards
	 * against a bug keeping the process alive. */
	w->drain_until_ms = now_ms() + 1000LL *
	    (atomic_load(&w->h->read_timeout_sec) +
	    atomic_load(&w->h->idle_timeout_sec) + 2);
	sweep_cb(-1, 0, w);
}

static void *
worker_main(void *arg)
{
	srv_worker *w = arg;
	int i;

	event_base_dispatch(w->base);
	/* Free the connections here, in the thread that owns them; the
	 * non-blocking passes run libevent's deferred frees. */
	evhttp_free(w->http);
	w->http = NULL;
	for (i = 0; i < 4; i++)
		event_base_loop(w->base, EVLOOP_NONBLOCK);
	return NULL;
}

static idprov_status
worker_init(srv_http *h, srv_worker *w, int id, const srv_config *cfg,
    idprov_error *err)
{
	struct evconnlistener *lev;
	struct timeval sweep = { 0, SRV_SWEEP_MS * 1000 };
	size_t i;
	int fd;

	w->h = h;
	w->id = id;
	w->cap_warned_ms = -60000;
	/* Not EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, although it saves ~6
	 * epoll_ctl per connection: its epoll_ctl DEL runs after the close,
	 * when another worker may already have accepted a socket with the same
	 * number (harmless for the kernel, ENOENT, but a data race on the
	 * descriptor for ThreadSanitizer). */
	if ((w->base = event_base_new()) == NULL ||
	    (w->http = evhttp_new(w->base)) == NULL ||
	    (w->sweep_ev = event_new(w->base, -1, EV_PERSIST, sweep_cb,
	    w)) == NULL ||
	    (w->stop_ev = event_new(w->base, -1, 0, stop_cb, w)) == NULL ||
	    (w->resume_ev = evtimer_new(w->base, accept_resume_cb, w)) ==
	    NULL ||
	    (w->later_ev = event_new(w->base, -1, 0, later_cb, w)) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot create the event loop of a worker");
	if (pthread_mutex_init(&w->later_lock, NULL) != 0)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "cannot create a worker's lock");
	w->later_lock_init = 1;
	event_add(w->sweep_ev, &sweep);
	/* The gate enforces the real limits first (JSON 413 and 431). */
	evhttp_set_max_body_size(w->http, SRV_BODY_READ_LIMIT);
	evhttp_set_max_headers_size(w->http, SRV_EVHTTP_HEADERS_LIMIT);
	/* Backstop: should evhttp ever refuse a body itself, it reads and
	 * drops it before answering, so the client is not cut off. */
	evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
	/* A backstop for a stalled write; reads are bounded by the sweep. */
	evhttp_set_timeout(w->http, cfg->idle_timeout_sec +
	    cfg->read_timeout_sec);
	/* Every method libevent knows reaches the application, which answers
	 * 405 in JSON (left out, TRACE and CONNECT got libevent's HTML 501). */
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT);
	evhttp_set_default_content_type(w->http, "application/json");
	evhttp_set_bevcb(w->http, conn_new_cb, w);
	evhttp_set_gencb(w->http, request_cb, w);
	/*
	 * One listening socket per address, shared by every worker (each
	 * holds its own descriptor of it): whichever worker is free takes
	 * the next connection.  With a socket per worker (SO_REUSEPORT) the
	 * kernel hashed connections to workers, so one queued connections
	 * while the other sat idle: ~3% fewer requests per second on two
	 * cores (bench/, docs/performance.md).
	 */
	for (i = 0; i < h->n_addr; i++) {
		if (id == 0) {
			if ((fd = make_socket(&h->addr[i], h->addr_len[i])) < 0)
				return bind_error(&h->addr[i], err);
			if (listen(fd, SRV_BACKLOG) != 0) {
				close(fd);
				return bind_error(&h->addr[i], err);
			}
		} else if ((fd = fcntl(evhttp_bound_socket_get_fd(
		    h->workers[0].bound[i]), F_DUPFD_CLOEXEC, 0)) < 0) {
			return idprov_error_set(err, IDPROV_ERR_IO, "cannot "
			    "share the listening socket: %s", strerror(errno));
		}
		/* backlog 0: the socket already listens. */
		lev = evconnlistener_new(w->base, NULL, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
		if (lev == NULL) {
			close(fd);
			return idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "cannot create a listener");
		}
		if ((w->bound[w->n_bound] = evhttp_bind_listener(w->http,
		    lev)) == NULL) {
			evconnlistener_free(lev);
			return idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "cannot create a listener");
		}
		/* After evhttp_bind_listener, which sets the accept callback. */
		evconnlistener_set_error_cb(lev, accept_error_cb);
		w->n_bound++;
	}
	return IDPROV_OK;
}

idprov_status
srv_http_new(const srv_config *cfg, srv_app *app, srv_log *lg,
    SSL_CTX *ctx, srv_http **out, idprov_error *err)
{
	static const char *const defaults[] = { "[::]:43776", "0.0.0.0:43776" };
	srv_http *h;
	idprov_status st;
	size_t i;
	long ncpu;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		SSL_CTX_free(ctx);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory starting the HTTP layer");
	}
	h->app = app;
	h->lg = lg;
	h->ctx = ctx;
	pthread_mutex_init(&h->tls_lock, NULL);
	atomic_init(&h->n_conn, 0);
	atomic_init(&h->accept_warned_ms, -SRV_ACCEPT_WARN_MS);
	atomic_init(&h->read_timeout_sec, cfg->read_timeout_sec);
	atomic_init(&h->idle_timeout_sec, cfg->idle_timeout_sec);
	atomic_init(&h->max_connections, cfg->max_connections);
	h->ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_ex_free);
	if (h->ex_idx <= 0) {
		st = idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "cannot register the connection data");
		goto fail;
	}

	h->n_addr = cfg->n_listen > 0 ? cfg->n_listen : 2;
	for (i = 0; i < h->n_addr; i++) {
		const char *a = cfg->n_listen > 0 ? cfg->listen[i] : defaults[i];

		if (srv_listen_parse(a, &h->addr[i], &h->addr_len[i]) != 0) {
			st = idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the listen address \"%s\" is not ADDR:PORT", a);
			goto fail;
		}
	}
	if ((st = probe_addresses(h, err)) != IDPROV_OK)
		goto fail;

	h->n_workers = cfg->workers;
	if (h->n_workers <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		h->n_workers = ncpu > 0 ? (int)ncpu : 1;
	}
	if (h->n_workers > SRV_MAX_WORKERS)
		h->n_workers = SRV_MAX_WORKERS;
	if ((h->workers = calloc((size_t)h->n_workers,
	    sizeof(*h->workers))) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory starting the workers");
		goto fail;
	}
	for (i = 0; i < (size_t)h->n_workers; i++)
		if ((st = worker_init(h, &h->workers[i], (int)i, cfg, err)) !=
		    IDPROV_OK)
			goto fail;
	*out = h;
	return IDPROV_OK;
fail:
	srv_http_free(h);
	return st;
}

idprov_status
srv_http_start(srv_http *h, idprov_error *err)
{
	sigset_t all, old;
	int i, rc;

	/* Workers never take signals: the main thread's loop does. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < h->n_workers; i++) {
		rc = pthread_create(&h->workers[i].thread, NULL, worker_main,
		    &h->workers[i]);
		if (rc != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "cannot start a worker thread: %s", strerror(rc));
		}
		h->workers[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return IDPROV_OK;
}

void
srv_http_first_address(const srv_http *h, char *out, size_t outsz)
{
	addr_format(&h->addr[0], addr_port(&h->addr[0]), out, outsz);
}

unsigned short
srv_http_port(const srv_http *h)
{
	return addr_port(&h->addr[0]);
}

void
srv_http_set_tls(srv_http *h, SSL_CTX *ctx)
{
	SSL_CTX *old;

	pthread_mutex_lock(&h->tls_lock);
	old = h->ctx;
	h->ctx = ctx;
	pthread_mutex_unlock(&h->tls_lock);
	/* Open connections hold their own reference (SSL_new). */
	SSL_CTX_free(old);
}

void
srv_http_set_limits(srv_http *h, const srv_config *cfg)
{
	atomic_store(&h->read_timeout_sec, cfg->read_timeout_sec);
	atomic_store(&h->idle_timeout_sec, cfg->idle_timeout_sec);
	atomic_store(&h->max_connections, cfg->max_connections);
}

void
srv_http_stop(srv_http *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n_workers; i++)
		if (h->workers[i].started)
			event_active(h->workers[i].stop_ev, EV_TIMEOUT, 1);
	for (i = 0; i < h->n_workers; i++)
		if (h->workers[i].started) {
			pthread_join(h->workers[i].thread, NULL);
			h->workers[i].started = 0;
		}
}

void
srv_http_free(srv_http *h)
{
	srv_worker *w;
	int i;

	if (h == NULL)
		return;
	for (i = 0; h->workers != NULL && i < h->n_workers; i++) {
		w = &h->workers[i];
		if (w->http != NULL)
			evhttp_free(w->http);	/* never started */
		if (w->base != NULL)
			event_base_loop(w->base, EVLOOP_NONBLOCK);
		if (w->sweep_ev != NULL)
			event_free(w->sweep_ev);
		if (w->stop_ev != NULL)
			event_free(w->stop_ev);
		if (w->resume_ev != NULL)
			event_free(w->resume_ev);
		if (w->later_ev != NULL)
			event_free(w->later_ev);
		if (w->later_lock_init)
			pthread_mutex_destroy(&w->later_lock);
		if (w->base != NULL)
			event_base_free(w->base);
	}
	free(h->workers);
	if (h->ex_idx > 0)
		CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL, h->ex_idx);
	SSL_CTX_free(h->ctx);
	pthread_mutex_destroy(&h->tls_lock);
	free(h);
}
