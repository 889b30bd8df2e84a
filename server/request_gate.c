/*
 * request_gate.c - the request-head gate (request_gate.h): one state
 * machine over the bytes of a connection, request after request.
 *
 * Where RFC 9112 lets a server choose, the gate chooses the stricter
 * side whenever evhttp would read the bytes otherwise (a tab before a
 * Content-Length, an empty line before a request, folded header lines, a
 * chunk not followed by CRLF) and refuses; it accepts what evhttp frames
 * exactly as the RFC does.  Requests evhttp cannot parse at all are
 * refused here with a status that fits, never evhttp's page.
 */
#include <string.h>

#include "request_gate.h"
#include "../lib/core/wire.h"

/* Head and trailer states come first: they count against
 * SRV_GATE_MAX_HEAD. */
enum {
	S_RL_START = 0,	/* first byte of a request */
	S_METHOD,
	S_TARGET_START,
	S_TARGET_SLASH,	/* after the first "/" of an origin-form target */
	S_TARGET,	/* the rest of the path and query */
	S_TARGET_STAR,	/* "*" (OPTIONS) */
	S_TARGET_SCHEME,	/* absolute-form: "http://" or "https://" */
	S_TARGET_HOST,
	S_TARGET_PORT,
	S_VERSION,
	S_RL_LF,	/* CR seen at the end of the request line */
	S_HDR_START,	/* first byte of a field line (or the empty line) */
	S_HDR_NAME,
	S_HDR_LEAD,	/* spaces after the colon */
	S_HDR_VALUE,
	S_HDR_LF,	/* CR seen at the end of a field line */
	S_HDR_END_LF,	/* CR seen on the empty line */
	S_BODY,		/* Content-Length bytes, skipped */
	S_CHUNK_START,	/* first hex digit of a chunk size */
	S_CHUNK_SIZE,
	S_CHUNK_EXT,	/* after the size: extensions, ignored */
	S_CHUNK_LF,	/* CR seen at the end of a chunk-size line */
	S_CHUNK_DATA,	/* chunk bytes, skipped */
	S_CHUNK_DATA_CR,	/* the CRLF after a chunk's bytes */
	S_CHUNK_DATA_LF
};

enum {
	M_UNKNOWN = 0, M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_OPTIONS,
	M_PATCH, M_TRACE, M_CONNECT, M_COUNT
};

static const char *const method_names[M_COUNT] = {
	"OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
	"TRACE", "CONNECT"
};

/* The header fields whose values decide the framing, or that evhttp
 * answers itself (Expect). */
enum { FIELD_NONE = 0, FIELD_CL, FIELD_TE, FIELD_EXPECT, FIELD_COUNT };

static const char *const field_names[FIELD_COUNT] = {
	"", "content-length", "transfer-encoding", "expect"
};

#define F_HAVE_CL	0x01	/* a sound Content-Length was read */
#define F_CHUNKED	0x02	/* Transfer-Encoding: chunked was read */
#define F_CL_DIGIT	0x04	/* the Content-Length value has a digit */
#define F_CL_TRAIL	0x08	/* ... and whitespace after it */
#define F_CL_BAD	0x10	/* ... and something that is neither */
#define F_VAL_LONG	0x20	/* a tracked value did not fit val[] */
#define F_HOST		0x40	/* an absolute-form target has a host */

/* Byte classes: 1 tchar (RFC 9110 5.6.2), 2 VCHAR, 4 a byte of a field
 * value (SP, HTAB, VCHAR, obs-text), 8 HEXDIG. */
#define C_TCHAR 1
#define C_VCHAR 2
#define C_FIELD 4
#define C_HEX 8
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 7, 6, 7, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6,
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 6, 6, 6, 6, 6, 6,
	6, 15, 15, 15, 15, 15, 15, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7,
	7, 15, 15, 15, 15, 15, 15, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* The sentences; the ones about framing keep the words of http.c's
 * framing_error, which the gate now answers first. */
#define R_EMPTY "the request line is empty"
#define R_LINE "the request line is not METHOD TARGET HTTP/1.1"
#define R_TARGET "the request target is not a path"
#define R_TARGET_BYTE "the request target has a byte that is not " \
	"visible ASCII"
#define R_VERSION "the request's HTTP version is not supported (HTTP/1.1 " \
	"only)"
#define R_METHOD "the request method is not one idprovd serves (GET, " \
	"HEAD, POST)"
#define R_CONNECT "the request method CONNECT is not served (idprovd is " \
	"not a proxy)"
#define R_FOLD "the request has a folded header line (obs-fold)"
#define R_NAME "the request has a header name that is not a token " \
	"(whitespace before the colon?)"
#define R_COLON "the request has a header line without a colon"
#define R_CTL "the request has a control character in a header line"
#define R_CR "the request has a CR that does not end a line"
#define R_CL "the request's Content-Length is not a decimal number"
#define R_CL_TWO "the request has more than one Content-Length header"
#define R_TE_CL "the request has both Transfer-Encoding and " \
	"Content-Length headers"
#define R_TE "the request's Transfer-Encoding is not a single chunked"
#define R_NO_BODY "the request has a body, which HEAD and TRACE do not take"
#define R_EXPECT "the request's Expect is not 100-continue"
#define R_BIG "the request body is over 64 KiB"
#define R_HEAD_BIG "the request's header section is over 16 KiB"
#define R_TRAILER_BIG "the request's header and trailer sections are over " \
	"16 KiB"
#define R_CHUNK "the request's chunk size is not a hex number"
#define R_CHUNK_LINE "the request's chunk-size line is over 1 KiB"
#define R_CHUNK_CTL "the request has a control character in a chunk " \
	"extension"
#define R_CHUNK_END "the request's chunk data is not followed by CRLF"

void
srv_gate_init(srv_gate *g)
{
	memset(g, 0, sizeof(*g));
}

const srv_gate_refusal *
srv_gate_refused(const srv_gate *g)
{
	return g->refused ? &g->refusal : NULL;
}

const char *
srv_gate_method_name(const srv_gate *g)
{
	return g->method < M_COUNT ? method_names[g->method] : "OTHER";
}

uint64_t
srv_gate_offset(const srv_gate *g)
{
	return g->pos;
}

void
srv_gate_ending(const srv_gate *g, uint64_t first_unread, uint64_t *cut,
    const char **tail, size_t *fill)
{
	*fill = 0;
	if (first_unread <= g->req_start) {
		/* evhttp has read nothing of it: a request in its place. */
		*cut = g->req_start;
		*tail = "GET / HTTP/1.1\r\n\r\n";
		return;
	}
	/* evhttp reads whole lines only, and never the current one. */
	*cut = g->unit_start;
	switch (g->phase) {
	case SRV_GATE_IN_HEAD:
		if (g->flags & F_CHUNKED) {
			*tail = "\r\n0\r\n\r\n";
		} else {
			*tail = "\r\n";
			*fill = (g->flags & F_HAVE_CL) ? (size_t)g->cl : 0;
		}
		break;
	case SRV_GATE_IN_CHUNKS:
		*tail = "\r\n0\r\n\r\n";
		break;
	default:
		*tail = "\r\n";
		break;
	}
}

static srv_gate_result
refuse(srv_gate *g, int status, const char *kind, const char *reason)
{
	g->refused = 1;
	g->refusal.status = status;
	g->refusal.kind = kind;
	g->refusal.reason = reason;
	g->refusal.allow = status == 405;
	g->refusal.index = g->n_requests;
	return SRV_GATE_REFUSE;
}

#define BAD(reason) refuse(g, 400, "bad-request", (reason))

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static void
request_begin(srv_gate *g, uint64_t at)
{
	g->state = S_RL_START;
	g->phase = SRV_GATE_IN_HEAD;
	g->method = M_UNKNOWN;
	g->field = FIELD_NONE;
	g->tok_len = 0;
	g->val_len = 0;
	g->flags = 0;
	g->sect_start = at;
	g->cl = 0;
	g->total = 0;
	g->req_start = at;
	g->unit_start = at;
}

static void
request_done(srv_gate *g, uint64_t next)
{
	g->n_requests++;
	request_begin(g, next);
}

static int
method_of(const char *tok, size_t len)
{
	int m;

	for (m = M_GET; m < M_COUNT; m++)
		if (strlen(method_names[m]) == len &&
		    memcmp(method_names[m], tok, len) == 0)
			return m;
	return M_UNKNOWN;
}

/* The request line is complete (its line end was just read). */
static srv_gate_result
request_line_end(srv_gate *g)
{
	const char *v = g->tok;

	if (g->tok_len != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
	    v[7] > '9')
		return BAD(R_LINE);
	if (v[5] != '1')
		return refuse(g, 505, "bad-version", R_VERSION);
	if (g->method == M_UNKNOWN)
		return refuse(g, 405, "bad-method", R_METHOD);
	/* evhttp parses its target as an authority and answers a bad one
	 * with its own page; there is no tunnel to give anyway. */
	if (g->method == M_CONNECT)
		return BAD(R_CONNECT);
	return SRV_GATE_PASS;
}

/* The tracked field a complete name is (none in a trailer). */
static int
field_of(const srv_gate *g)
{
	int f;
	size_t i;

	if (g->phase != SRV_GATE_IN_HEAD)
		return FIELD_NONE;
	for (f = 1; f < FIELD_COUNT; f++) {
		if (g->tok_len != strlen(field_names[f]))
			continue;
		for (i = 0; i < g->tok_len; i++)
			if (lower((unsigned char)g->tok[i]) !=
			    field_names[f][i])
				break;
		if (i == g->tok_len)
			return f;
	}
	return FIELD_NONE;
}

/* Case-insensitive compare of the tracked value (trailing whitespace
 * dropped) with want. */
static int
value_is(srv_gate *g, const char *want)
{
	size_t n = g->val_len, i;

	if (g->flags & F_VAL_LONG)
		return 0;
	while (n > 0 && (g->val[n - 1] == ' ' || g->val[n - 1] == '\t'))
		n--;
	if (n != strlen(want))
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)g->val[i]) != want[i])
			return 0;
	return 1;
}

static int
takes_no_body(const srv_gate *g)
{
	/* evhttp reads no body for these: one would be read as the next
	 * request. */
	return g->method == M_HEAD || g->method == M_TRACE;
}

/* A field line of the head is complete: the rules on the fields that
 * frame the body. */
static srv_gate_result
field_end(srv_gate *g)
{
	switch (g->field) {
	case FIELD_CL:
		if (!(g->flags & F_CL_DIGIT) || (g->flags & F_CL_BAD))
			return BAD(R_CL);
		if (g->flags & F_HAVE_CL)
			return BAD(R_CL_TWO);
		if (g->flags & F_CHUNKED)
			return BAD(R_TE_CL);
		if (g->num > 0 && takes_no_body(g))
			return BAD(R_NO_BODY);
		if (g->num > IDPROV_MAX_BODY)
			return refuse(g, 413, "too-large", R_BIG);
		g->cl = g->num;
		g->flags |= F_HAVE_CL;
		break;
	case FIELD_TE:
		if (g->flags & F_CHUNKED)
			return BAD(R_TE);
		if (g->flags & F_HAVE_CL)
			return BAD(R_TE_CL);
		if (!value_is(g, "chunked"))
			return BAD(R_TE);
		if (takes_no_body(g))
			return BAD(R_NO_BODY);
		g->flags |= F_CHUNKED;
		break;
	case FIELD_EXPECT:
		if (!value_is(g, "100-continue"))
			return refuse(g, 417, "bad-expect", R_EXPECT);
		break;
	default:
		break;
	}
	return SRV_GATE_PASS;
}

/* One byte of a field value. */
static void
field_byte(srv_gate *g, unsigned char c)
{
	switch (g->field) {
	case FIELD_CL:
		if (c >= '0' && c <= '9' && !(g->flags & F_CL_TRAIL)) {
			/* Saturate: anything over the limit is refused. */
			if (g->num <= IDPROV_MAX_BODY)
				g->num = g->num * 10 + (uint64_t)(c - '0');
			g->flags |= F_CL_DIGIT;
		} else if ((c == ' ' || c == '\t') &&
		    (g->flags & F_CL_DIGIT)) {
			g->flags |= F_CL_TRAIL;
		} else {
			/* A tab before the digits too: evhttp would keep it
			 * in the value. */
			g->flags |= F_CL_BAD;
		}
		break;
	case FIELD_TE:
	case FIELD_EXPECT:
		if (g->val_len < sizeof(g->val))
			g->val[g->val_len++] = (char)c;
		else
			g->flags |= F_VAL_LONG;
		break;
	default:
		break;
	}
}

/* The empty line ending the head or the trailer section: at
 * offset `at`, the offset after it. */
static void
section_end(srv_gate *g, uint64_t next)
{
	if (g->phase == SRV_GATE_IN_TRAILER) {
		request_done(g, next);
	} else if (g->flags & F_CHUNKED) {
		g->phase = SRV_GATE_IN_CHUNKS;
		g->state = S_CHUNK_START;
		g->unit_start = next;
		g->head_bytes = (uint32_t)(next - g->sect_start);
	} else if (g->cl > 0) {
		g->state = S_BODY;
		g->left = g->cl;
	} else {
		request_done(g, next);
	}
}

static void
line_begin(srv_gate *g, uint64_t next)
{
	g->state = S_HDR_START;
	g->unit_start = next;
}

/* The chunk-size line is complete. */
static void
chunk_line_end(srv_gate *g, uint64_t next)
{
	if (g->num == 0) {
		/* Head and trailer share SRV_GATE_MAX_HEAD, as they share
		 * evhttp's header list. */
		g->phase = SRV_GATE_IN_TRAILER;
		g->sect_start = next - g->head_bytes;
		line_begin(g, next);
	} else {
		g->left = g->num;
		g->total += g->num;
		g->state = S_CHUNK_DATA;
	}
}

/*
 * The next byte of the piece, in the same trip through srv_gate_feed's
 * loop: a sound head goes from one part to the next (method, target,
 * version, each field line) without paying for the loop's limit checks
 * and switch each time.  The state must already say where it is.
 */
#define NEXT() do {							\
	if (++i == lim)							\
		goto next_piece;					\
	c = p[i];							\
	cls = byte_class[c];						\
} while (0)

srv_gate_result
srv_gate_feed(srv_gate *g, unsigned char *p, size_t n, size_t *used)
{
	srv_gate_result r = SRV_GATE_PASS;
	uint64_t base = g->pos;
	size_t i = 0, lim;
	unsigned char c, cls;

	if (g->refused) {
		*used = 0;
		return SRV_GATE_REFUSE;
	}
	while (i < n && r == SRV_GATE_PASS) {
		lim = n;
		if (g->state < S_BODY) {
			/* The limit, from offsets: lim is where this piece may
			 * be read to without passing it, so the runs below
			 * need no count of their own. */
			uint64_t seen = base + i - g->sect_start;

			if (seen >= SRV_GATE_MAX_HEAD) {
				r = refuse(g, 431, "too-large",
				    g->phase == SRV_GATE_IN_TRAILER ?
				    R_TRAILER_BIG : R_HEAD_BIG);
				break;
			}
			if (SRV_GATE_MAX_HEAD - seen < n - i)
				lim = i + (size_t)(SRV_GATE_MAX_HEAD - seen);
		} else if (g->state == S_BODY || g->state == S_CHUNK_DATA) {
			/* Bodies are skipped by length, without a look. */
			size_t k = n - i;

			if ((uint64_t)k > g->left)
				k = (size_t)g->left;
			i += k;
			g->left -= k;
			if (g->left > 0)
				break;
			if (g->state == S_BODY) {
				request_done(g, base + i);
			} else {
				g->state = S_CHUNK_DATA_CR;
				g->unit_start = base + i;
			}
			continue;
		} else if (g->state < S_CHUNK_DATA && base + i - g->unit_start >=
		    SRV_GATE_MAX_CHUNK_LINE) {
			r = BAD(R_CHUNK_LINE);
			break;
		}
		c = p[i];
		cls = byte_class[c];
		switch (g->state) {
		case S_RL_START:
			if (c == '\r' || c == '\n') {
				r = BAD(R_EMPTY);
				break;
			}
			g->state = S_METHOD;
			/* FALLTHROUGH */
		case S_METHOD:
			while (cls & C_TCHAR) {
				if (g->tok_len < sizeof(g->tok))
					g->tok[g->tok_len] = (char)c;
				if (g->tok_len < 255)
					g->tok_len++;
				NEXT();
			}
			if (c == ' ' && g->tok_len > 0) {
				g->method = (uint8_t)(g->tok_len <=
				    sizeof(g->tok) ? method_of(g->tok,
				    g->tok_len) : M_UNKNOWN);
				g->tok_len = 0;
				g->state = S_TARGET_START;
				NEXT();
				goto target_start;
			}
			r = BAD(R_LINE);
			break;
		case S_TARGET_START:
		target_start:
			if (c == '/') {
				g->state = S_TARGET_SLASH;
				NEXT();
				goto target_slash;
			} else if (c == '*') {
				g->state = S_TARGET_STAR;
			} else if (c == 'h' || c == 'H') {
				g->tok[0] = 'h';
				g->tok_len = 1;
				g->state = S_TARGET_SCHEME;
			} else {
				r = BAD(R_TARGET);
			}
			break;
		case S_TARGET_SLASH:
		target_slash:
			/* evhttp takes "//x" for an authority. */
			if (c == '/') {
				r = BAD(R_TARGET);
				break;
			} else if (c == ' ') {
				g->state = S_VERSION;
				NEXT();
				goto version;
			}
			g->state = S_TARGET;
			/* FALLTHROUGH */
		case S_TARGET:
			/* Most of a request line: one tight run. */
			while (cls & C_VCHAR)
				NEXT();
			if (c == ' ') {
				g->state = S_VERSION;
				NEXT();
				goto version;
			}
			r = BAD(c == '\r' || c == '\n' ? R_LINE : R_TARGET_BYTE);
			break;
		case S_TARGET_STAR:
			if (c == ' ')
				g->state = S_VERSION;
			else
				r = BAD(R_TARGET);
			break;
		case S_TARGET_SCHEME: {
			static const char http[] = "http://", https[] =
			    "https://";
			size_t k = g->tok_len;

			g->tok[k] = (char)lower(c);
			g->tok_len++;
			if ((k < 7 && memcmp(g->tok, http, k + 1) == 0) ||
			    memcmp(g->tok, https, k + 1) == 0) {
				if ((k == 6 && g->tok[4] == ':') || k == 7) {
					g->tok_len = 0;
					g->state = S_TARGET_HOST;
				}
			} else {
				r = BAD(R_TARGET);
			}
			break;
		}
		case S_TARGET_HOST:
			/* Letters, digits, "." and "-" only: evhttp's
			 * authority parser accepts all of them, and refuses
			 * some of what RFC 3986 allows beyond. */
			if ((cls & C_HEX) || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || c == '.' || c == '-') {
				g->flags |= F_HOST;
			} else if (!(g->flags & F_HOST)) {
				r = BAD(R_TARGET);
			} else if (c == ':') {
				g->port = 0;
				g->state = S_TARGET_PORT;
			} else if (c == '/' || c == '?') {
				g->state = S_TARGET;
			} else if (c == ' ') {
				g->state = S_VERSION;
			} else {
				r = BAD(R_TARGET);
			}
			break;
		case S_TARGET_PORT:
			if (c >= '0' && c <= '9') {
				g->port = g->port * 10 + (uint32_t)(c - '0');
				if (g->port > 65535)
					r = BAD(R_TARGET);
			} else if (c == '/' || c == '?') {
				g->state = S_TARGET;
			} else if (c == ' ') {
				g->state = S_VERSION;
			} else {
				r = BAD(R_TARGET);
			}
			break;
		case S_VERSION:
		version:
			while ((cls & C_VCHAR) && g->tok_len < 8) {
				g->tok[g->tok_len++] = (char)c;
				NEXT();
			}
			/* A CRLF read as its LF, when both are here. */
			if (c == '\r' && i + 1 < lim && p[i + 1] == '\n')
				c = p[++i];
			if (c == '\r') {
				g->state = S_RL_LF;
			} else if (c == '\n') {
				if ((r = request_line_end(g)) != SRV_GATE_PASS)
					break;
				line_begin(g, base + i + 1);
				NEXT();
				goto field_line;
			} else {
				r = BAD(R_LINE);
			}
			break;
		case S_RL_LF:
			if (c != '\n')
				r = BAD(R_CR);
			else if ((r = request_line_end(g)) == SRV_GATE_PASS)
				line_begin(g, base + i + 1);
			break;
		case S_HDR_START:
		field_line:
			if (c == '\r' && i + 1 < lim && p[i + 1] == '\n')
				c = p[++i];
			if (c == '\r') {
				g->state = S_HDR_END_LF;
				break;
			} else if (c == '\n') {
				section_end(g, base + i + 1);
				break;
			} else if (c == ' ' || c == '\t') {
				r = BAD(R_FOLD);
				break;
			} else if (!(cls & C_TCHAR)) {
				r = BAD(R_NAME);
				break;
			}
			g->tok_len = 0;
			g->state = S_HDR_NAME;
			/* FALLTHROUGH */
		case S_HDR_NAME:
			/* Kept as long as a tracked name, for field_of. */
			while (cls & C_TCHAR) {
				if (g->tok_len < sizeof(g->tok))
					g->tok[g->tok_len] = (char)c;
				if (g->tok_len < 255)
					g->tok_len++;
				NEXT();
			}
			if (c == ':') {
				g->field = (uint8_t)field_of(g);
				g->num = 0;
				g->val_len = 0;
				g->flags &= (uint8_t)~(F_CL_DIGIT |
				    F_CL_TRAIL | F_CL_BAD | F_VAL_LONG);
				/* evhttp drops the spaces (not tabs) before a
				 * value. */
				g->state = S_HDR_LEAD;
				do
					NEXT();
				while (c == ' ');
				g->state = S_HDR_VALUE;
				goto value;
			}
			r = BAD(c == '\r' || c == '\n' ? R_COLON : R_NAME);
			break;
		case S_HDR_LEAD:
			/* evhttp drops the spaces (not tabs) before a value. */
			if (c == ' ')
				break;
			g->state = S_HDR_VALUE;
			/* FALLTHROUGH */
		case S_HDR_VALUE:
		value:
			if (g->field == FIELD_NONE) {
				while (cls & C_FIELD)
					NEXT();
			} else {
				while (cls & C_FIELD) {
					field_byte(g, c);
					NEXT();
				}
			}
			if (c == '\r' && i + 1 < lim && p[i + 1] == '\n')
				c = p[++i];
			if (c == '\r') {
				g->state = S_HDR_LF;
			} else if (c == '\n') {
				if ((r = field_end(g)) != SRV_GATE_PASS)
					break;
				line_begin(g, base + i + 1);
				NEXT();
				goto field_line;
			} else {
				r = BAD(R_CTL);
			}
			break;
		case S_HDR_LF:
			if (c != '\n')
				r = BAD(R_CR);
			else if ((r = field_end(g)) == SRV_GATE_PASS)
				line_begin(g, base + i + 1);
			break;
		case S_HDR_END_LF:
			if (c != '\n')
				r = BAD(R_CR);
			else
				section_end(g, base + i + 1);
			break;
		case S_CHUNK_START:
			if (!(cls & C_HEX)) {
				r = BAD(R_CHUNK);
				break;
			}
			g->num = 0;
			g->state = S_CHUNK_SIZE;
			/* FALLTHROUGH */
		case S_CHUNK_SIZE:
			if (cls & C_HEX) {
				g->num = g->num * 16 + (uint64_t)(c <= '9' ?
				    c - '0' : lower(c) - 'a' + 10);
				/* Refused before it can overflow. */
				if (g->total + g->num > IDPROV_MAX_BODY)
					r = refuse(g, 413, "too-large", R_BIG);
			} else if (c == ';' || c == '\t' || c == ' ') {
				/* evhttp stops at a space and ignores the
				 * rest; it refuses anything else. */
				p[i] = ' ';
				g->state = S_CHUNK_EXT;
			} else if (c == '\r') {
				g->state = S_CHUNK_LF;
			} else if (c == '\n') {
				chunk_line_end(g, base + i + 1);
			} else {
				r = BAD(R_CHUNK);
			}
			break;
		case S_CHUNK_EXT:
			if (cls & C_FIELD)
				break;
			if (c == '\r')
				g->state = S_CHUNK_LF;
			else if (c == '\n')
				chunk_line_end(g, base + i + 1);
			else
				r = BAD(R_CHUNK_CTL);
			break;
		case S_CHUNK_LF:
			if (c != '\n')
				r = BAD(R_CR);
			else
				chunk_line_end(g, base + i + 1);
			break;
		case S_CHUNK_DATA_CR:
			if (c == '\r') {
				g->state = S_CHUNK_DATA_LF;
			} else if (c == '\n') {
				g->state = S_CHUNK_START;
				g->unit_start = base + i + 1;
			} else {
				r = BAD(R_CHUNK_END);
			}
			break;
		case S_CHUNK_DATA_LF:
			if (c != '\n') {
				r = BAD(R_CR);
			} else {
				g->state = S_CHUNK_START;
				g->unit_start = base + i + 1;
			}
			break;
		default:
			r = BAD(R_LINE);
			break;
		}
		i++;
next_piece:
		;
	}
	g->pos = base + i;
	*used = i;
	return r;
}

#undef NEXT
