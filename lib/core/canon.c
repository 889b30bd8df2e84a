/*
 * canon.c - Go encoding/json string escaping, byte for byte.
 *
 * Go walks the string rune by rune with utf8.DecodeRuneInString, which
 * reports every byte that does not start a valid, shortest-form, non-
 * surrogate sequence as a single-byte RuneError; Marshal writes each such
 * byte as \ufffd.  idprov_utf8_seq_len (utf8.c) follows the same acceptance
 * table (RFC 3629), so the two agree on every input.
 */
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "utf8.h"

/* 1 for the ASCII bytes Go copies as they are: printable, and not
 * '"', '\\', '<', '>' or '&' (which it escapes for HTML safety).  A table,
 * because the strings signed are mostly PEM: thousands of such bytes per
 * message, each tested once. */
static const unsigned char plain_ascii[128] = {
	['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,
	['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1,
	['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
	['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
	['9'] = 1, [':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
	['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
	['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
	['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1,
	['x'] = 1, ['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1,
	['~'] = 1, ['\x7f'] = 1,
};

idprov_status
idprov_canon_string(idprov_buf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, n;
	char esc[7];

	idprov_buf_append_char(b, '"');
	while (i < len) {
		unsigned char c = s[i];
		const char *rep = NULL;
		size_t rep_len = 2;

		if (c < 0x80) {
			if (plain_ascii[c]) {
				i++;
				continue;
			}
			switch (c) {
			case '"':  rep = "\\\""; break;
			case '\\': rep = "\\\\"; break;
			case '\n': rep = "\\n"; break;
			case '\r': rep = "\\r"; break;
			case '\t': rep = "\\t"; break;
			default:
				esc[0] = '\\';
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xF];
				rep = esc;
				rep_len = 6;
				break;
			}
			idprov_buf_append(b, s + start, i - start);
			idprov_buf_append(b, rep, rep_len);
			i++;
			start = i;
			continue;
		}
		n = idprov_utf8_seq_len(s + i, len - i);
		if (n == 0) {
			idprov_buf_append(b, s + start, i - start);
			idprov_buf_append(b, "\\ufffd", 6);
			i++;
			start = i;
			continue;
		}
		/* U+2028 and U+2029 are E2 80 A8 and E2 80 A9: valid JSON but
		 * line terminators to JavaScript, so Go escapes them. */
		if (n == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			idprov_buf_append(b, s + start, i - start);
			idprov_buf_append(b, s[i + 2] == 0xA8 ? "\\u2028" :
			    "\\u2029", 6);
			i += 3;
			start = i;
			continue;
		}
		i += n;
	}
	idprov_buf_append(b, s + start, i - start);
	return idprov_buf_append_char(b, '"');
}

idprov_status
idprov_canon_cstr(idprov_buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	return idprov_canon_string(b, s, strlen(s));
}

idprov_status
idprov_canon_key(idprov_buf *b, const char *key)
{
	idprov_canon_cstr(b, key);
	return idprov_buf_append_char(b, ':');
}

idprov_status
idprov_canon_int(idprov_buf *b, long long v)
{
	char num[32];
	int n;

	n = snprintf(num, sizeof(num), "%lld", v);
	return idprov_buf_append(b, num, (size_t)n);
}
