/*
 * log.h - idprovd's log: one line per event on stderr (journald adds the
 * time), "idprovd: LEVEL: message".  Request lines are key=value pairs so
 * they can be grepped.  Nothing that is a secret is ever passed here.
 */
#ifndef IDPROVD_LOG_H
#define IDPROVD_LOG_H

#include <stdatomic.h>
#include <stddef.h>

enum {
	SRV_LOG_ERROR = 0,
	SRV_LOG_WARN = 1,
	SRV_LOG_INFO = 2,
	SRV_LOG_DEBUG = 3
};

/* Owned by the server context; the level may change on SIGHUP while
 * worker threads log, hence atomic. */
typedef struct srv_log {
	atomic_int level;
} srv_log;

void srv_log_init(srv_log *lg, int level);
void srv_log_set_level(srv_log *lg, int level);
int srv_log_enabled(const srv_log *lg, int level);

/* "error", "warn", "info", "debug" -> level, or -1. */
int srv_log_level_parse(const char *name);
const char *srv_log_level_name(int level);

/* One line; control characters in the message are replaced by '?', so
 * a client cannot forge a log line through a path or a deviceID. */
void srv_logf(const srv_log *lg, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Copy s into out (size n, always NUL-terminated) with '"' and '\\'
 * escaped by a backslash, for a value logged inside double quotes: a
 * client cannot end the quotes and add key=value pairs of its own.
 * Returns out.  NULL is copied as "-".
 */
const char *srv_log_quoted(char *out, size_t n, const char *s);

#endif
