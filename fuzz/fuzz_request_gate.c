/*
 * fuzz_request_gate.c - idprovd's request-head gate (server/request_gate.c):
 * any byte stream, fed whole and fed in pieces of a size taken from the
 * input, gives the same verdict (status, which request, how many complete,
 * bytes taken) and the same bytes after the chunk-extension rewrite; a
 * refusal has a status from the documented set and a sentence that goes
 * into JSON as is; the ending handed to evhttp never starts before what
 * it has read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/request_gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
feed(srv_gate *g, unsigned char *p, size_t n, size_t piece)
{
	size_t at = 0, k, used;

	srv_gate_init(g);
	while (at < n) {
		k = n - at < piece ? n - at : piece;
		if (srv_gate_feed(g, p + at, k, &used) != SRV_GATE_PASS)
			break;
		if (used != k)
			abort();
		at += k;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const srv_gate_refusal *a, *b;
	unsigned char *one, *two;
	const char *tail;
	srv_gate ga, gb;
	size_t piece, fill;
	uint64_t cut;

	if (size < 1)
		return 0;
	piece = 1 + data[0] % 17;
	data++;
	size--;
	if ((one = malloc(size + 1)) == NULL || (two = malloc(size + 1)) ==
	    NULL)
		abort();
	memcpy(one, data, size);
	memcpy(two, data, size);
	feed(&ga, one, size, size > 0 ? size : 1);
	feed(&gb, two, size, piece);
	a = srv_gate_refused(&ga);
	b = srv_gate_refused(&gb);
	if ((a == NULL) != (b == NULL) || srv_gate_offset(&ga) !=
	    srv_gate_offset(&gb) || memcmp(one, two, size) != 0)
		abort();
	if (a != NULL) {
		if (a->status != b->status || a->index != b->index ||
		    strcmp(a->reason, b->reason) != 0)
			abort();
		if (a->status != 400 && a->status != 405 && a->status != 413 &&
		    a->status != 417 && a->status != 431 && a->status != 505)
			abort();
		if (strpbrk(a->reason, "\"\\\r\n") != NULL ||
		    (a->status == 405) != (a->allow != 0))
			abort();
		/* evhttp has read at most up to the gate's offset */
		srv_gate_ending(&ga, 0, &cut, &tail, &fill);
		if (cut > srv_gate_offset(&ga) || tail == NULL)
			abort();
		srv_gate_ending(&ga, srv_gate_offset(&ga), &cut, &tail, &fill);
		if (cut > srv_gate_offset(&ga) || fill > 65536)
			abort();
	}
	free(one);
	free(two);
	return 0;
}
