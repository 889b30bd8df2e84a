/*
 * request_gate.h - the request-head gate: a small incremental validator
 * of the HTTP/1.1 framing of every request on a connection, fed the
 * decrypted bytes before libevent's evhttp parses them.
 *
 * libevent 2.1 answers some bad requests itself, with its own HTML page
 * and sometimes a 5xx (an unknown method gets 501, a malformed chunk size
 * 413), and it has no hook to change that.  The gate sees every byte
 * first (http.c calls it from the input buffer's callback, which runs
 * before evhttp's read callback), so it refuses such a request before
 * evhttp does, and says with which status and sentence.  It is stricter
 * than evhttp everywhere: whatever the gate lets through, evhttp frames
 * the same way (same request boundaries, same body length), so the two
 * never disagree on where a request ends (no request smuggling).
 *
 * Bounded: no allocation, a fixed struct per connection; each byte is
 * looked at once; bodies are skipped by length, not scanned.
 */
#ifndef IDPROVD_REQUEST_GATE_H
#define IDPROVD_REQUEST_GATE_H

#include <stddef.h>
#include <stdint.h>

/* The header section (request line and header fields, line ends
 * included) and the trailer section of a chunked body, together. */
#define SRV_GATE_MAX_HEAD (16 * 1024)
/* A chunk-size line with its extensions. */
#define SRV_GATE_MAX_CHUNK_LINE 1024
/* The methods idprovd serves, for the Allow header of a 405. */
#define SRV_GATE_ALLOW "GET, HEAD, POST"

typedef enum srv_gate_result {
	SRV_GATE_PASS = 0,	/* every byte fed is sound so far */
	SRV_GATE_REFUSE		/* a request is refused: srv_gate_refusal */
} srv_gate_result;

/* Why and how a request is refused. */
typedef struct srv_gate_refusal {
	int status;		/* 400, 405, 413, 417, 431 or 505 */
	const char *reason;	/* the sentence of {"error":...}: no byte
				 * that JSON would need escaped */
	const char *kind;	/* for the log: "bad-request", "too-large"... */
	int allow;		/* a 405: send Allow: SRV_GATE_ALLOW */
	uint64_t index;		/* the refused request is the connection's
				 * index-th (0 = the first) */
} srv_gate_refusal;

/* Where the refused request stood (srv_gate_ending). */
enum srv_gate_phase {
	SRV_GATE_IN_HEAD = 0,	/* request line or header fields */
	SRV_GATE_IN_CHUNKS,	/* a chunk-size line or a chunk's CRLF */
	SRV_GATE_IN_TRAILER	/* the trailer section */
};

/* One connection's state; zero it with srv_gate_init.  Opaque: only
 * request_gate.c reads the fields. */
typedef struct srv_gate {
	uint8_t state;
	uint8_t phase;
	uint8_t method;
	uint8_t field;		/* the header being read, if one we track */
	uint8_t tok_len;
	uint8_t val_len;
	uint8_t flags;
	uint8_t refused;
	char tok[18];		/* method, version or field name read */
	char val[16];		/* value of a Transfer-Encoding or Expect */
	uint32_t port;		/* absolute-form target: the port */
	uint32_t head_bytes;	/* of a chunked request, for the trailer */
	uint64_t num;		/* Content-Length or chunk size being read */
	uint64_t cl;		/* the request's Content-Length */
	uint64_t left;		/* bytes of body or chunk still to come */
	uint64_t total;		/* chunk bytes of this request so far */
	uint64_t pos;		/* bytes fed since the connection began */
	uint64_t req_start;	/* offset of the current request's first byte */
	uint64_t unit_start;	/* offset of the current line */
	uint64_t sect_start;	/* offset of the current head or trailer */
	uint64_t n_requests;	/* requests complete so far */
	srv_gate_refusal refusal;
} srv_gate;

void srv_gate_init(srv_gate *g);

/*
 * Feed the next n bytes of the connection.  SRV_GATE_REFUSE the first
 * time a request is refused (srv_gate_refused then tells why); the bytes
 * after the one at fault were not looked at, and the gate takes no more
 * (a refused connection is closed).  *used: bytes taken, the one at
 * fault included.
 *
 * p is writable: the byte that separates a chunk size from a chunk
 * extension (";" or a tab) is overwritten with a space, because evhttp
 * refuses extensions but stops reading a chunk size at a space (RFC 9112
 * 7.1.1: a server ignores extensions it does not know).
 */
srv_gate_result srv_gate_feed(srv_gate *g, unsigned char *p, size_t n,
    size_t *used);

/* The refusal, or NULL while every request is sound. */
const srv_gate_refusal *srv_gate_refused(const srv_gate *g);

/* "GET", ..., or "OTHER": the method of the current request, for logs. */
const char *srv_gate_method_name(const srv_gate *g);

/* Bytes fed so far (the offset of the next byte). */
uint64_t srv_gate_offset(const srv_gate *g);

/*
 * After a refusal: what evhttp must see instead of the rest of the
 * connection so that it completes the refused request (as a request of
 * its own the HTTP layer recognises by its index) and reads nothing
 * after it.  first_unread: offset of the first byte evhttp has not taken
 * out of the input buffer.  Out: keep the stream up to *cut (an offset
 * >= first_unread), drop the rest, then append *tail and *fill spaces
 * (a Content-Length body evhttp already expects).
 */
void srv_gate_ending(const srv_gate *g, uint64_t first_unread,
    uint64_t *cut, const char **tail, size_t *fill);

#endif
