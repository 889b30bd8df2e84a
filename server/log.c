/*
 * log.c - one line per event on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define SRV_LOG_LINE_MAX 1024

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
srv_log_init(srv_log *lg, int level)
{
	atomic_init(&lg->level, level);
}

void
srv_log_set_level(srv_log *lg, int level)
{
	atomic_store_explicit(&lg->level, level, memory_order_relaxed);
}

int
srv_log_enabled(const srv_log *lg, int level)
{
	return level <= atomic_load_explicit(&lg->level, memory_order_relaxed);
}

int
srv_log_level_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "warning") == 0)
		return SRV_LOG_WARN;
	return -1;
}

const char *
srv_log_level_name(int level)
{
	if (level < 0 || level > SRV_LOG_DEBUG)
		return "info";
	return level_names[level];
}

void
srv_logf(const srv_log *lg, int level, const char *fmt, ...)
{
	char line[SRV_LOG_LINE_MAX];
	va_list ap;
	int n, head;
	size_t i, len;

	if (lg != NULL && !srv_log_enabled(lg, level))
		return;
	head = snprintf(line, sizeof(line), "idprovd: %s: ",
	    srv_log_level_name(level));
	if (head < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + head, sizeof(line) - (size_t)head - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = strlen(line);
	for (i = (size_t)head; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	/* One write per line, so lines of different threads never mix. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

const char *
srv_log_quoted(char *out, size_t n, const char *s)
{
	size_t o = 0;

	if (n == 0)
		return out;
	if (s == NULL)
		s = "-";
	for (; *s != '\0' && o + 1 < n; s++) {
		if (*s == '"' || *s == '\\') {
			if (o + 2 >= n)
				break;
			out[o++] = '\\';
		}
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}
