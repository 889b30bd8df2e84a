/*
 * csv.c - parse and check a whole OOB secret file before anything is sent:
 * an import is all or nothing from the administrator's point of view.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "csv.h"
#include "lib/core/timeutil.h"
#include "lib/core/validate.h"

#define MAX_FIELDS 4	/* one more than allowed, to count "too many" */

typedef struct field {
	char *text;	/* malloc'd, unquoted */
	size_t len;
} field;

static idprov_status add_problem(ctl_oob_table *t, size_t line,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static idprov_status add_problem(ctl_oob_table *t, size_t line,
    const char *fmt, ...)
{
	va_list ap;

	ctl_csv_problem *p;

	if (t->n_problems == t->cap_problems) {
		size_t cap = t->cap_problems ? t->cap_problems * 2 : 16;
		void *np = realloc(t->problems, cap * sizeof(*t->problems));

		if (!np)
			return IDPROV_ERR_NOMEM;
		t->problems = np;
		t->cap_problems = cap;
	}
	p = &t->problems[t->n_problems++];
	p->line = line;
	{
		char body[160];

		va_start(ap, fmt);
		vsnprintf(body, sizeof(body), fmt, ap);
		va_end(ap);
		snprintf(p->msg, sizeof(p->msg), "line %zu: %s", line, body);
	}
	return IDPROV_OK;
}

/* A short printable rendering of a non-secret value for a message. */
static void shown(char *out, size_t size, const char *s)
{
	size_t i, j = 0;

	for (i = 0; s[i] && j + 4 < size; i++)
		out[j++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	if (s[i]) {
		out[j++] = '.';
		out[j++] = '.';
		out[j++] = '.';
	}
	out[j] = '\0';
}

/* Fields may hold secrets, even on lines that are refused: wiped. */
static void fields_free(field *f, int n)
{
	for (int i = 0; i < n; i++) {
		if (f[i].text != NULL)
			OPENSSL_cleanse(f[i].text, strlen(f[i].text));
		free(f[i].text);
	}
}

/*
 * Split one line (no line end) into fields.  Returns 0, or -1 with a
 * static description of the syntax problem in *why, or -2 out of memory.
 */
static int split_line(const char *s, size_t len, field *f, int *nf,
    const char **why)
{
	size_t i = 0;

	*nf = 0;
	for (;;) {
		char *text;
		size_t tl = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		text = malloc(len - i + 1);
		if (!text)
			return -2;
		if (i < len && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					free(text);
					*why = "a quoted field is not closed "
					    "(fields cannot span lines)";
					return -1;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						text[tl++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				text[tl++] = s[i++];
			}
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < len && s[i] != ',') {
				free(text);
				*why = "text follows a closing double quote";
				return -1;
			}
		} else {
			size_t start = i, end;

			while (i < len && s[i] != ',') {
				if (s[i] == '"') {
					free(text);
					*why = "a double quote inside an "
					    "unquoted field (quote the whole "
					    "field and double the quote)";
					return -1;
				}
				i++;
			}
			end = i;
			while (end > start && (s[end - 1] == ' ' ||
			    s[end - 1] == '\t'))
				end--;
			memcpy(text, s + start, end - start);
			tl = end - start;
		}
		text[tl] = '\0';
		if (*nf < MAX_FIELDS) {
			f[*nf].text = text;
			f[*nf].len = tl;
			(*nf)++;
		} else {
			free(text);
			(*nf)++;	/* keep counting for the message */
		}
		if (i >= len)
			return 0;
		i++;	/* the comma */
	}
}

static int is_header(const field *f, int nf)
{
	return (nf == 2 || nf == 3) &&
	    strcasecmp(f[0].text, "deviceID") == 0 &&
	    strcasecmp(f[1].text, "secret") == 0 &&
	    (nf == 2 || strcasecmp(f[2].text, "validUntil") == 0);
}

/* ---- a small open-addressing set of deviceIDs -> first line ---- */
typedef struct seen_set {
	const char **key;
	size_t *line;
	size_t cap;	/* power of two */
	size_t n;
} seen_set;

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int seen_grow(seen_set *z)
{
	size_t cap = z->cap ? z->cap * 2 : 1024;
	const char **key = calloc(cap, sizeof(*key));
	size_t *line = calloc(cap, sizeof(*line));

	if (!key || !line) {
		free(key);
		free(line);
		return -1;
	}
	for (size_t i = 0; i < z->cap; i++) {
		size_t j;

		if (!z->key[i])
			continue;
		j = fnv1a(z->key[i]) & (cap - 1);
		while (key[j])
			j = (j + 1) & (cap - 1);
		key[j] = z->key[i];
		line[j] = z->line[i];
	}
	free(z->key);
	free(z->line);
	z->key = key;
	z->line = line;
	z->cap = cap;
	return 0;
}

/* 0 and *first = 0 when new (and added), *first = its line when seen. */
static int seen_check(seen_set *z, const char *id, size_t line, size_t *first)
{
	size_t j;

	*first = 0;
	if ((z->n + 1) * 2 > z->cap && seen_grow(z) != 0)
		return -1;
	j = fnv1a(id) & (z->cap - 1);
	while (z->key[j]) {
		if (strcmp(z->key[j], id) == 0) {
			*first = z->line[j];
			return 0;
		}
		j = (j + 1) & (z->cap - 1);
	}
	z->key[j] = id;
	z->line[j] = line;
	z->n++;
	return 0;
}

static idprov_status add_row(ctl_oob_table *t, field *f, int nf, size_t line)
{
	ctl_oob_row *r;

	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 256;
		void *np = realloc(t->rows, cap * sizeof(*t->rows));

		if (!np)
			return IDPROV_ERR_NOMEM;
		t->rows = np;
		t->cap_rows = cap;
	}
	r = &t->rows[t->n_rows++];
	r->device_id = f[0].text;
	r->secret = f[1].text;
	if (nf == 3) {
		r->valid_until = f[2].text;
	} else {
		r->valid_until = strdup("");
		if (!r->valid_until) {
			t->n_rows--;
			return IDPROV_ERR_NOMEM;
		}
	}
	r->line = line;
	f[0].text = f[1].text = NULL;
	if (nf == 3)
		f[2].text = NULL;
	return IDPROV_OK;
}

/* Check the fields of one data line; adds problems, returns 1 if good. */
static int check_row(ctl_oob_table *t, const field *f, int nf, size_t line,
    time_t now, idprov_status *st)
{
	char show[80];
	idprov_error e;
	int good = 1;

#define PROBLEM(...) do { \
		if ((*st = add_problem(t, line, __VA_ARGS__)) != IDPROV_OK) \
			return 0; \
		good = 0; \
	} while (0)

	if (nf != 2 && nf != 3) {
		PROBLEM("expected 2 or 3 fields (deviceID,secret[,validUntil]), "
		    "found %d", nf);
		return 0;
	}
	if (f[0].len == 0) {
		PROBLEM("the deviceID is empty");
	} else if (idprov_validate_device_id(f[0].text, &e) != IDPROV_OK) {
		PROBLEM("%s", e.msg);
	}
	if (f[1].len == 0)
		PROBLEM("the secret is empty");
	else if (f[1].len > CTL_SECRET_MAX)
		PROBLEM("the secret is longer than %d bytes", CTL_SECRET_MAX);
	else if (strlen(f[1].text) != f[1].len ||
	    !idprov_utf8_valid(f[1].text, f[1].len))
		PROBLEM("the secret is not valid UTF-8 text");
	if (nf == 3 && f[2].len > 0) {
		time_t t_until;

		shown(show, sizeof(show), f[2].text);
		if (idprov_time_parse(f[2].text, &t_until, &e) != IDPROV_OK)
			PROBLEM("validUntil '%s' is not an RFC 3339 time such "
			    "as 2026-12-01T00:00:00Z", show);
		else if (t_until <= now)
			PROBLEM("validUntil %s is in the past", show);
	}
#undef PROBLEM
	return good;
}

idprov_status ctl_csv_parse_oob(const char *data, size_t len, time_t now,
    ctl_oob_table *out, idprov_error *err)
{
	idprov_status st = IDPROV_OK;
	seen_set seen = { 0 };
	size_t pos = 0, line = 0;
	int first_data = 1;

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	if (len > CTL_CSV_MAX_FILE)
		return idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "the file is larger than %u MiB", CTL_CSV_MAX_FILE >> 20);

	while (pos < len) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) : len - pos;
		field f[MAX_FIELDS];
		const char *why = NULL;
		int nf = 0, rc;
		size_t blank = 0;

		pos += ll + (nl ? 1 : 0);
		line++;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		while (blank < ll && (s[blank] == ' ' || s[blank] == '\t'))
			blank++;
		if (blank == ll)
			continue;
		if (memchr(s, '\0', ll) || !idprov_utf8_valid(s, ll)) {
			if ((st = add_problem(out, line,
			    "the line is not valid UTF-8 text")) !=
			    IDPROV_OK)
				goto out;
			first_data = 0;
			continue;
		}
		rc = split_line(s, ll, f, &nf, &why);
		if (rc != 0)	/* the fields before the bad one */
			fields_free(f, nf < MAX_FIELDS ? nf : MAX_FIELDS);
		if (rc == -2) {
			st = IDPROV_ERR_NOMEM;
			goto out;
		}
		if (rc == -1) {
			first_data = 0;
			if ((st = add_problem(out, line, "%s", why)) !=
			    IDPROV_OK)
				goto out;
			continue;
		}
		if (first_data && is_header(f, nf)) {
			first_data = 0;
			fields_free(f, nf < MAX_FIELDS ? nf : MAX_FIELDS);
			continue;
		}
		first_data = 0;
		if (check_row(out, f, nf, line, now, &st)) {
			size_t first = 0;

			if (seen_check(&seen, f[0].text, line, &first) != 0) {
				st = IDPROV_ERR_NOMEM;
			} else if (first) {
				char show[80];

				shown(show, sizeof(show), f[0].text);
				st = add_problem(out, line, "the deviceID %s "
				    "was already given on line %zu", show,
				    first);
			} else {
				/* the row takes over the text the set
				 * points at, so the pointer stays valid */
				st = add_row(out, f, nf, line);
			}
		}
		fields_free(f, nf < MAX_FIELDS ? nf : MAX_FIELDS);
		if (st != IDPROV_OK)
			goto out;
	}
	if (out->n_problems > 0)
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%zu line%s of the file %s bad", out->n_problems,
		    out->n_problems == 1 ? "" : "s",
		    out->n_problems == 1 ? "is" : "are");
	else if (out->n_rows == 0)
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the file has no rows");
out:
	free(seen.key);
	free(seen.line);
	if (st == IDPROV_ERR_NOMEM)
		idprov_error_set(err, st, "out of memory reading the file");
	return st;
}

void ctl_oob_table_free(ctl_oob_table *t)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		if (t->rows[i].secret)
			OPENSSL_cleanse(t->rows[i].secret,
			    strlen(t->rows[i].secret));
		free(t->rows[i].device_id);
		free(t->rows[i].secret);
		free(t->rows[i].valid_until);
	}
	free(t->rows);
	free(t->problems);
	memset(t, 0, sizeof(*t));
}
