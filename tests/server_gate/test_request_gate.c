/*
 * test_request_gate.c - the request-head gate (server/request_gate.c) on
 * its own: sound requests pass and are counted, each kind of bad request
 * is refused with its status, and the verdict never depends on where the
 * bytes are split (every request is also fed split at every byte
 * boundary, and one byte at a time, as TLS records may cut it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/request_gate.h"
#include "lib/core/wire.h"

/* What feeding a whole stream gave. */
typedef struct outcome {
	int status;		/* 0: nothing refused */
	const char *reason;
	uint64_t index;		/* of the refused request */
	uint64_t n_requests;	/* complete before the end or the refusal */
	uint64_t offset;	/* bytes taken */
} outcome;

/* Feed data in pieces of at most `piece` bytes, the first one `first`
 * bytes long (0: no special first piece). */
static outcome
feed_split(const char *data, size_t len, size_t first, size_t piece)
{
	unsigned char *copy = malloc(len + 1);
	outcome o;
	srv_gate g;
	size_t at = 0, k, used;

	assert_non_null(copy);
	memcpy(copy, data, len);
	memset(&o, 0, sizeof(o));
	srv_gate_init(&g);
	while (at < len) {
		k = at == 0 && first > 0 ? first : piece;
		if (k > len - at)
			k = len - at;
		if (srv_gate_feed(&g, copy + at, k, &used) != SRV_GATE_PASS)
			break;
		assert_int_equal(used, k);
		at += k;
	}
	if (srv_gate_refused(&g) != NULL) {
		o.status = srv_gate_refused(&g)->status;
		o.reason = srv_gate_refused(&g)->reason;
		o.index = srv_gate_refused(&g)->index;
	}
	o.n_requests = g.n_requests;
	o.offset = srv_gate_offset(&g);
	free(copy);
	return o;
}

/* Feed the stream whole, then split at every boundary and one byte at a
 * time: the same verdict each time.  Returns the whole-stream one. */
static outcome
feed_all_ways(const char *data, size_t len)
{
	outcome whole = feed_split(data, len, 0, len > 0 ? len : 1), o;
	size_t cut;

	for (cut = 1; cut < len; cut++) {
		o = feed_split(data, len, cut, len);
		if (o.status != whole.status || o.n_requests !=
		    whole.n_requests || o.index != whole.index ||
		    o.offset != whole.offset)
			fail_msg("split at byte %zu of %zu: status %d, %llu "
			    "requests, offset %llu; whole: status %d, %llu "
			    "requests, offset %llu", cut, len, o.status,
			    (unsigned long long)o.n_requests,
			    (unsigned long long)o.offset, whole.status,
			    (unsigned long long)whole.n_requests,
			    (unsigned long long)whole.offset);
	}
	o = feed_split(data, len, 0, 1);
	assert_int_equal(o.status, whole.status);
	assert_int_equal(o.n_requests, whole.n_requests);
	assert_int_equal(o.offset, whole.offset);
	return whole;
}

#define FEED(s) feed_all_ways((s), sizeof(s) - 1)

static void
test_sound_requests_pass(void **state)
{
	outcome o;

	(void)state;
	o = FEED("GET /idprov/directory HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 1);
	/* bare LF line ends, HTTP/1.0, OPTIONS *, absolute-form, a query */
	o = FEED("GET /idprov/directory HTTP/1.0\nHost: x\n\n"
	    "OPTIONS * HTTP/1.1\r\n\r\n"
	    "GET https://127.0.0.1:43776/idprov/directory HTTP/1.1\r\n\r\n"
	    "GET http://localhost?x=1 HTTP/1.1\r\n\r\n"
	    "HEAD /idprov/status/d1?a=%41 HTTP/1.1\r\nX-E:\r\n"
	    "Content-Length: 0\r\n\r\n");
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 5);
}

static void
test_pipelined_bodies(void **state)
{
	static const char s[] =
	    "POST /idprov/provreq HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
	    "{\"a\":"
	    "POST /idprov/provreq HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Expect: 100-continue\r\n\r\n"
	    "3;name=value\r\nabc\r\n2 ; q=\"x;y\"\r\nde\r\n"
	    "0\r\nX-Trailer: 1\r\n\r\n"
	    "POST /idprov/provreq HTTP/1.1\r\ntransfer-encoding:  CHUNKED \r\n"
	    "\r\n1\nz\n0\n\n"
	    "GET /idprov/directory HTTP/1.1\r\ncontent-length:  0 \t\r\n\r\n";
	outcome o;

	(void)state;
	o = FEED(s);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 4);
	assert_int_equal(o.offset, sizeof(s) - 1);
}

/* The body is skipped by its length: bytes that would be refused in a
 * head are not looked at. */
static void
test_body_not_scanned(void **state)
{
	outcome o;

	(void)state;
	o = FEED("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\0\x7f\n"
	    "GET / HTTP/1.1\r\n\r\n");
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 2);
}

static void
test_chunk_extension_made_space(void **state)
{
	unsigned char s[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n1a;n=v\r\n";
	char *semi = strchr((char *)s, ';');
	size_t used;
	srv_gate g;

	(void)state;
	srv_gate_init(&g);
	assert_int_equal(srv_gate_feed(&g, s, sizeof(s) - 1, &used),
	    SRV_GATE_PASS);
	/* evhttp stops a chunk size at a space and ignores the rest. */
	assert_int_equal(*semi, ' ');
}

struct bad {
	const char *what;
	const char *data;
	int status;
};

static const struct bad bad[] = {
	{ "an empty line before a request", "\r\nGET / HTTP/1.1\r\n\r\n", 400 },
	{ "an unknown method", "FOO / HTTP/1.1\r\n\r\n", 405 },
	{ "a lower-case method", "get / HTTP/1.1\r\n\r\n", 405 },
	{ "a method of 40 letters",
	  "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX / HTTP/1.1\r\n\r\n", 405 },
	{ "CONNECT", "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n", 400 },
	{ "a binary method", "\x16\x03\x01 / HTTP/1.1\r\n\r\n", 400 },
	{ "two spaces", "GET  / HTTP/1.1\r\n\r\n", 400 },
	{ "no version", "GET /idprov/directory\r\n\r\n", 400 },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505 },
	{ "the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505 },
	{ "HTTP/1.12", "GET / HTTP/1.12\r\n\r\n", 400 },
	{ "http/1.1", "GET / http/1.1\r\n\r\n", 400 },
	{ "a space after the version", "GET / HTTP/1.1 \r\n\r\n", 400 },
	{ "a target of //", "GET //idprov HTTP/1.1\r\n\r\n", 400 },
	{ "a target without a slash", "GET idprov HTTP/1.1\r\n\r\n", 400 },
	{ "a target with a byte over 0x7f", "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",
	  400 },
	{ "an absolute-form with a user", "GET http://u@h/ HTTP/1.1\r\n\r\n",
	  400 },
	{ "an absolute-form with port 65536",
	  "GET http://h:65536/ HTTP/1.1\r\n\r\n", 400 },
	{ "an absolute-form without a host", "GET http:/// HTTP/1.1\r\n\r\n",
	  400 },
	{ "a bare CR", "GET / HTTP/1.1\rHost: x\r\r", 400 },
	{ "obs-fold", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400 },
	{ "a space before the colon",
	  "GET / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 400 },
	{ "no colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400 },
	{ "a NUL in a value", "GET / HTTP/1.1\r\nA: a\0b\r\n\r\n", 400 },
	{ "an empty Content-Length",
	  "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400 },
	{ "Content-Length +12",
	  "POST / HTTP/1.1\r\nContent-Length: +12\r\n\r\n", 400 },
	{ "Content-Length 0x10",
	  "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400 },
	{ "Content-Length 12, 12",
	  "POST / HTTP/1.1\r\nContent-Length: 12, 12\r\n\r\n", 400 },
	{ "Content-Length 1 2",
	  "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400 },
	{ "a tab before the Content-Length",
	  "POST / HTTP/1.1\r\nContent-Length:\t12\r\n\r\n", 400 },
	{ "two Content-Length",
	  "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
	  400 },
	{ "Content-Length and chunked",
	  "POST / HTTP/1.1\r\nContent-Length: 1\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "chunked and Content-Length",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "Content-Length: 1\r\n\r\n", 400 },
	{ "chunked twice",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "gzip, chunked",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400 },
	{ "a tab before chunked",
	  "POST / HTTP/1.1\r\nTransfer-Encoding:\tchunked\r\n\r\n", 400 },
	{ "a HEAD with a body", "HEAD / HTTP/1.1\r\nContent-Length: 3\r\n\r\n",
	  400 },
	{ "a chunked TRACE", "TRACE / HTTP/1.1\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n", 400 },
	{ "Content-Length 65537",
	  "POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", 413 },
	{ "Content-Length of 30 digits",
	  "POST / HTTP/1.1\r\nContent-Length: 123456789012345678901234567890"
	  "\r\n\r\n", 413 },
	{ "Expect: nonsense", "POST / HTTP/1.1\r\nExpect: nonsense\r\n\r\n",
	  417 },
	{ "a chunk size that is not hex",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
	{ "a negative chunk size",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n", 400 },
	{ "a chunk size 0x10",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n", 400 },
	{ "an empty line for a chunk size",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n0\r\n\r\n",
	  400 },
	{ "a chunk size of 17 hex digits",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "10000000000000000\r\n", 413 },
	{ "a chunk not followed by CRLF",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
	  400 },
	{ "a NUL in a chunk extension",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;a\0\r\n",
	  400 },
	{ "a bad trailer line",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
	  "Bad Name: x\r\n\r\n", 400 },
};

static void
test_bad_requests_refused(void **state)
{
	outcome o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Strings with a NUL: up to the terminating one. */
		size_t len = strlen(bad[i].data);

		if (strstr(bad[i].what, "NUL") != NULL)
			len += 1 + strlen(bad[i].data + len + 1);
		o = feed_all_ways(bad[i].data, len);
		if (o.status != bad[i].status)
			fail_msg("%s: expected %d, got %d (%s)", bad[i].what,
			    bad[i].status, o.status, o.reason != NULL ?
			    o.reason : "passed");
		assert_non_null(o.reason);
		assert_int_equal(o.index, 0);
		/* The sentence goes into JSON as is. */
		assert_null(strpbrk(o.reason, "\"\\\r\n"));
		printf("ok: %s -> %d %s\n", bad[i].what, o.status, o.reason);
	}
}

/* A head of n bytes: request line, filler header, empty line. */
static char *
head_of(size_t n)
{
	static const char rl[] = "GET / HTTP/1.1\r\nX: ";
	char *s = malloc(n + 1);

	assert_non_null(s);
	memcpy(s, rl, sizeof(rl) - 1);
	memset(s + sizeof(rl) - 1, 'a', n - (sizeof(rl) - 1) - 4);
	memcpy(s + n - 4, "\r\n\r\n", 5);
	return s;
}

static void
test_head_limit(void **state)
{
	char *s;
	outcome o;

	(void)state;
	s = head_of(SRV_GATE_MAX_HEAD);
	o = feed_split(s, SRV_GATE_MAX_HEAD, 0, 1000);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 1);
	free(s);
	s = head_of(SRV_GATE_MAX_HEAD + 1);
	o = feed_split(s, SRV_GATE_MAX_HEAD + 1, 0, 1000);
	assert_int_equal(o.status, 431);
	free(s);
}

/* A chunked request's head and trailer share the limit: 10 KiB of head
 * leave 6 KiB of trailer. */
static void
test_trailer_shares_head_limit(void **state)
{
	static const char te[] = "Transfer-Encoding: chunked\r\n\r\n"
	    "1\r\nz\r\n0\r\n";
	size_t head = 10 * 1024, trailer, n;
	char *s = malloc(SRV_GATE_MAX_HEAD * 2);
	outcome o;

	(void)state;
	assert_non_null(s);
	for (trailer = 5 * 1024; trailer <= 7 * 1024; trailer += 2 * 1024) {
		/* head_of's last CRLF is the end of a field line here */
		char *h = head_of(head);

		n = head - 2;
		memcpy(s, h, n);
		free(h);
		memcpy(s + n, te, sizeof(te) - 1);
		n += sizeof(te) - 1;
		memcpy(s + n, "T: ", 3);
		memset(s + n + 3, 't', trailer - 7);
		memcpy(s + n + trailer - 4, "\r\n\r\n", 4);
		n += trailer;
		o = feed_split(s, n, 0, 777);
		if (trailer < 6 * 1024) {
			assert_int_equal(o.status, 0);
			assert_int_equal(o.n_requests, 1);
		} else {
			assert_int_equal(o.status, 431);
		}
	}
	free(s);
}

/* Chunks adding up to 64 KiB pass; one byte more is refused at the
 * chunk size, before its bytes. */
static void
test_chunked_total_limit(void **state)
{
	static const char head[] = "POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n";
	size_t cap = sizeof(head) + 5 * (IDPROV_MAX_BODY / 4 + 16) + 64, n;
	char *s = malloc(cap);
	outcome o;
	int i;

	(void)state;
	assert_non_null(s);
	for (int extra = 0; extra <= 1; extra++) {
		n = (size_t)snprintf(s, cap, "%s", head);
		for (i = 0; i < 4; i++) {
			size_t k = IDPROV_MAX_BODY / 4 + (i == 3 ? extra : 0);

			n += (size_t)snprintf(s + n, cap - n, "%zx\r\n", k);
			memset(s + n, 'b', k);
			n += k;
			n += (size_t)snprintf(s + n, cap - n, "\r\n");
		}
		n += (size_t)snprintf(s + n, cap - n, "0\r\n\r\n");
		o = feed_split(s, n, 0, 4096);
		if (extra == 0) {
			assert_int_equal(o.status, 0);
			assert_int_equal(o.n_requests, 1);
		} else {
			assert_int_equal(o.status, 413);
			/* refused at the fourth size line, its bytes unseen */
			assert_true(o.offset < n - IDPROV_MAX_BODY / 4);
		}
	}
	free(s);
}

static void
test_content_length_limit(void **state)
{
	static const char ok[] = "POST / HTTP/1.1\r\nContent-Length: 65536"
	    "\r\n\r\n";
	char *s = malloc(sizeof(ok) + IDPROV_MAX_BODY);
	outcome o;

	(void)state;
	assert_non_null(s);
	memcpy(s, ok, sizeof(ok) - 1);
	memset(s + sizeof(ok) - 1, '{', IDPROV_MAX_BODY);
	o = feed_split(s, sizeof(ok) - 1 + IDPROV_MAX_BODY, 0, 16384);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.n_requests, 1);
	free(s);
	/* refused at the end of the Content-Length line */
	o = FEED("POST / HTTP/1.1\r\nContent-Length: 65537\r\nX: y\r\n\r\n");
	assert_int_equal(o.status, 413);
	assert_int_equal(o.offset,
	    sizeof("POST / HTTP/1.1\r\nContent-Length: 65537\r\n") - 1);
}

/* The refused request's index counts the sound ones before it. */
static void
test_refusal_index(void **state)
{
	outcome o;

	(void)state;
	o = FEED("GET / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 2"
	    "\r\n\r\n{}FOO / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
	assert_int_equal(o.status, 405);
	assert_int_equal(o.index, 2);
	assert_int_equal(o.n_requests, 2);
}

/* What evhttp is given instead of the rest (srv_gate_ending). */
static void
ending_of(const char *data, uint64_t first_unread, uint64_t want_cut,
    const char *want_tail, size_t want_fill)
{
	unsigned char *copy = (unsigned char *)strdup(data);
	const char *tail;
	uint64_t cut;
	size_t fill, used;
	srv_gate g;

	assert_non_null(copy);
	srv_gate_init(&g);
	assert_int_equal(srv_gate_feed(&g, copy, strlen(data), &used),
	    SRV_GATE_REFUSE);
	srv_gate_ending(&g, first_unread, &cut, &tail, &fill);
	assert_int_equal(cut, want_cut);
	assert_string_equal(tail, want_tail);
	assert_int_equal(fill, want_fill);
	free(copy);
}

static void
test_ending(void **state)
{
	static const char get[] = "GET / HTTP/1.1\r\n\r\n";
	static const char rl[] = "POST / HTTP/1.1\r\n";
	static const char cl[] = "POST / HTTP/1.1\r\nContent-Length: 7\r\n";
	static const char te[] = "POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\n";
	static const char body[] = "POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n2\r\nab\r\n";
	static const char trailer[] = "POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n0\r\nA: b\r\n";
	char s[256];

	(void)state;
	/* evhttp has read nothing of the refused request: a stand-in */
	snprintf(s, sizeof(s), "%sFOO / HTTP/1.1\r\n\r\n", get);
	ending_of(s, 0, sizeof(get) - 1, "GET / HTTP/1.1\r\n\r\n", 0);
	/* it has read the request line: end the head */
	snprintf(s, sizeof(s), "%sBad Name: x\r\n", rl);
	ending_of(s, sizeof(rl) - 1, sizeof(rl) - 1, "\r\n", 0);
	/* ... and a Content-Length evhttp will wait for */
	snprintf(s, sizeof(s), "%sBad Name: x\r\n", cl);
	ending_of(s, sizeof(cl) - 1, sizeof(cl) - 1, "\r\n", 7);
	snprintf(s, sizeof(s), "%sBad Name: x\r\n", te);
	ending_of(s, sizeof(te) - 1, sizeof(te) - 1, "\r\n0\r\n\r\n", 0);
	/* in the chunks: a last chunk where the bad size line was */
	snprintf(s, sizeof(s), "%szz\r\n", body);
	ending_of(s, sizeof(body) - 1, sizeof(body) - 1, "\r\n0\r\n\r\n", 0);
	/* in the trailer: the end of it */
	snprintf(s, sizeof(s), "%sB c: d\r\n", trailer);
	ending_of(s, sizeof(trailer) - 1, sizeof(trailer) - 1, "\r\n", 0);
}

/* After a refusal the gate takes nothing more. */
static void
test_refused_takes_nothing(void **state)
{
	unsigned char a[] = "FOO / HTTP/1.1\r\n\r\n", b[] = "GET / HTTP/1.1";
	size_t used;
	srv_gate g;

	(void)state;
	srv_gate_init(&g);
	assert_int_equal(srv_gate_feed(&g, a, sizeof(a) - 1, &used),
	    SRV_GATE_REFUSE);
	assert_int_equal(srv_gate_feed(&g, b, sizeof(b) - 1, &used),
	    SRV_GATE_REFUSE);
	assert_int_equal(used, 0);
	assert_string_equal(srv_gate_method_name(&g), "OTHER");
	assert_int_equal(srv_gate_refused(&g)->allow, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sound_requests_pass),
		cmocka_unit_test(test_pipelined_bodies),
		cmocka_unit_test(test_body_not_scanned),
		cmocka_unit_test(test_chunk_extension_made_space),
		cmocka_unit_test(test_bad_requests_refused),
		cmocka_unit_test(test_head_limit),
		cmocka_unit_test(test_trailer_shares_head_limit),
		cmocka_unit_test(test_chunked_total_limit),
		cmocka_unit_test(test_content_length_limit),
		cmocka_unit_test(test_refusal_index),
		cmocka_unit_test(test_ending),
		cmocka_unit_test(test_refused_takes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
