/*
 * config.c - idprovd's settings: defaults, then the INI file (inih), then
 * the flags.  Unknown keys and bad values are errors naming the line, so a
 * typo never silently falls back to a default.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ini.h>

#include "config.h"
#include "config_load.h"
#include "lib/core/fileio.h"
#include "log.h"

#define SRV_TIMEOUT_MAX (3600L)		/* an hour: longer is a mistake */
#define SRV_WORKERS_MAX 256

void
srv_config_defaults(srv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db_path, sizeof(cfg->db_path), "./idprov.db");
	cfg->n_listen = 0;
	cfg->workers = 0;
	cfg->max_connections = 1024;
	cfg->read_timeout_sec = 10;
	cfg->idle_timeout_sec = 30;
	cfg->cert_validity_sec = 7L * 24 * 3600;
	cfg->retry_sec = 30;
	cfg->oob_default_sec = 3L * 24 * 3600;
	cfg->oob_max_sec = 30L * 24 * 3600;
	cfg->lockout_after = 5;
	cfg->crl_days = 7;
	/* Only certificates idprovd issued renew: a restored registry or a
	 * leaked CA-signed certificate must not bring a device in. */
	cfg->renew_unknown_certificates = 1;	/* WIRE.md decision 2 */
	cfg->dnssd_enable = 1;
	cfg->dnssd_required = 0;
	snprintf(cfg->dnssd_name, sizeof(cfg->dnssd_name), "idprov");
	cfg->log_level = SRV_LOG_INFO;
}

int
srv_duration_parse(const char *s, long *out)
{
	long long total = 0, n, unit;
	const char *p = s;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		n = strtoll(p, &end, 10);
		if (errno != 0 || n < 0 || n > 100L * 365 * 24 * 3600)
			return -1;
		switch (*end) {
		case '\0':
			/* A bare number is seconds, but only on its own. */
			if (p != s)
				return -1;
			unit = 1;
			break;
		case 's': unit = 1; end++; break;
		case 'm': unit = 60; end++; break;
		case 'h': unit = 3600; end++; break;
		case 'd': unit = 86400; end++; break;
		case 'w': unit = 7 * 86400; end++; break;
		default:
			return -1;
		}
		total += n * unit;
		if (total > 100LL * 365 * 24 * 3600)
			return -1;
		p = end;
	}
	if (total <= 0)
		return -1;
	*out = (long)total;
	return 0;
}

int
srv_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon, *port_s;
	char *end;
	long port;
	size_t hlen;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		colon = strchr(s, ']');
		if (colon == NULL || colon[1] != ':')
			return -1;
		hlen = (size_t)(colon - s - 1);
		port_s = colon + 2;
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hlen);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - s);
		port_s = colon + 1;
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, s, hlen);
	}
	host[hlen] = '\0';
	if (!isdigit((unsigned char)port_s[0]))
		return -1;
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
		return -1;
	if (s[0] == '[') {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*sin6);
		return 0;
	}
	if (strcmp(host, "*") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	*len = sizeof(*sin);
	return 0;
}

/* ---- setting one value, shared by the file and the flags ---- */

static int
copy_str(char *dst, size_t dstsz, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= dstsz)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int
parse_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_timeout(const char *v, int *out)
{
	long sec;

	if (srv_duration_parse(v, &sec) != 0 || sec > SRV_TIMEOUT_MAX)
		return -1;
	*out = (int)sec;
	return 0;
}

static int
add_listen(srv_config *cfg, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (cfg->n_listen >= SRV_MAX_LISTEN)
		return -1;
	if (srv_listen_parse(v, &ss, &len) != 0)
		return -1;
	if (copy_str(cfg->listen[cfg->n_listen], sizeof(cfg->listen[0]), v))
		return -1;
	cfg->n_listen++;
	return 0;
}

static int
service_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= sizeof(((srv_service *)0)->name))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return 0;
	return 1;
}

static int
add_service(srv_config *cfg, const char *name, const char *url)
{
	srv_service *sv;
	size_t i;

	if (!service_name_ok(name))
		return -1;
	for (i = 0; i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0)
			break;
	if (i == cfg->n_services) {
		if (cfg->n_services >= SRV_MAX_SERVICES)
			return -1;
		cfg->n_services++;
	}
	sv = &cfg->services[i];
	if (copy_str(sv->name, sizeof(sv->name), name) != 0 ||
	    copy_str(sv->url, sizeof(sv->url), url) != 0)
		return -1;
	return 0;
}

/* The file's keys.  Returns 0, -1 for a bad value, -2 for an unknown
 * key.  `what` gets a description of the expected value. */
static int
set_key(srv_config *cfg, const char *section, const char *key,
    const char *v, const char **what)
{
	long l;
	int lvl;

#define IS(s, k) (strcmp(section, (s)) == 0 && strcmp(key, (k)) == 0)
	*what = "a value";
	if (strcmp(section, "services") == 0) {
		*what = "a service name of letters, digits, '-', '_', '.' "
		    "and a URL";
		return add_service(cfg, key, v);
	}
	if (IS("server", "listen")) {
		*what = "ADDR:PORT (e.g. 127.0.0.1:43776 or [::1]:43776)";
		return add_listen(cfg, v);
	}
	if (IS("server", "workers")) {
		*what = "a number of worker threads from 0 (one per core) "
		    "to 256";
		return parse_int(v, 0, SRV_WORKERS_MAX, &cfg->workers);
	}
	if (IS("server", "max_connections")) {
		*what = "a number from 1 to 1000000";
		return parse_int(v, 1, 1000000, &cfg->max_connections);
	}
	if (IS("server", "read_timeout")) {
		*what = "a duration from 1s to 1h";
		return parse_timeout(v, &cfg->read_timeout_sec);
	}
	if (IS("server", "idle_timeout")) {
		*what = "a duration from 1s to 1h";
		return parse_timeout(v, &cfg->idle_timeout_sec);
	}
	if (IS("server", "db")) {
		*what = "a file path";
		return copy_str(cfg->db_path, sizeof(cfg->db_path), v);
	}
	if (IS("server", "ready_file")) {
		*what = "a file path";
		return copy_str(cfg->ready_file, sizeof(cfg->ready_file), v);
	}
	if (IS("tls", "ca_dir")) {
		*what = "a folder path";
		return copy_str(cfg->ca_dir, sizeof(cfg->ca_dir), v);
	}
	if (IS("tls", "ca_cert")) {
		*what = "a file path";
		return copy_str(cfg->ca_cert, sizeof(cfg->ca_cert), v);
	}
	if (IS("tls", "ca_key")) {
		*what = "a file path";
		return copy_str(cfg->ca_key, sizeof(cfg->ca_key), v);
	}
	if (IS("tls", "cert")) {
		*what = "a file path";
		return copy_str(cfg->server_cert, sizeof(cfg->server_cert), v);
	}
	if (IS("tls", "key")) {
		*what = "a file path";
		return copy_str(cfg->server_key, sizeof(cfg->server_key), v);
	}
	if (IS("provisioning", "validity") || IS("provisioning", "retry") ||
	    IS("provisioning", "oob_default") ||
	    IS("provisioning", "oob_max")) {
		*what = "a duration like 30s, 10m, 2h, 7d or 1w";
		if (srv_duration_parse(v, &l) != 0)
			return -1;
		if (strcmp(key, "validity") == 0)
			cfg->cert_validity_sec = l;
		else if (strcmp(key, "retry") == 0)
			cfg->retry_sec = l;
		else if (strcmp(key, "oob_default") == 0)
			cfg->oob_default_sec = l;
		else
			cfg->oob_max_sec = l;
		return 0;
	}
	if (IS("provisioning", "lockout_after")) {
		*what = "a number from 1 to 1000";
		return parse_int(v, 1, 1000, &cfg->lockout_after);
	}
	if (IS("provisioning", "crl_days")) {
		int d;

		*what = "a number of days from 1 to 3650";
		if (parse_int(v, 1, 3650, &d) != 0)
			return -1;
		cfg->crl_days = d;
		return 0;
	}
	if (IS("provisioning", "renew_unknown_certificates")) {
		*what = "yes or no";
		return parse_bool(v, &cfg->renew_unknown_certificates);
	}
	if (IS("dnssd", "enabled")) {
		*what = "yes or no";
		return parse_bool(v, &cfg->dnssd_enable);
	}
	if (IS("dnssd", "required")) {
		*what = "yes or no";
		return parse_bool(v, &cfg->dnssd_required);
	}
	if (IS("dnssd", "name")) {
		*what = "an instance name of at most 63 bytes";
		return copy_str(cfg->dnssd_name, sizeof(cfg->dnssd_name), v);
	}
	if (IS("log", "level")) {
		*what = "error, warn, info or debug";
		if ((lvl = srv_log_level_parse(v)) < 0)
			return -1;
		cfg->log_level = lvl;
		return 0;
	}
#undef IS
	return -2;
}

/* ---- the INI file ---- */

typedef struct ini_state {
	srv_config *cfg;
	const char *file;
	int line;		/* counted by hand: inih's lineno is optional */
	int listen_from_file;	/* the file's first listen replaces none */
	char msg[IDPROV_ERROR_MAX];
} ini_state;

static int
on_ini_key(void *user, const char *section, const char *name,
    const char *value)
{
	ini_state *st = user;
	const char *what;
	int rc;

	if (st->msg[0] != '\0')
		return 1;	/* keep only the first error */
	if (name == NULL)	/* a bare [section] line, inih >= 51 */
		return 1;
	rc = set_key(st->cfg, section, name, value, &what);
	if (rc == -2) {
		snprintf(st->msg, sizeof(st->msg), "unknown key \"%s\" in "
		    "section [%s]", name, section);
		return 0;
	}
	if (rc != 0) {
		snprintf(st->msg, sizeof(st->msg), "[%s] %s must be %s", section,
		    name, what);
		return 0;
	}
	return 1;
}

/* A configuration file is a few KiB; a bigger one is a mistake (a log
 * or a disk image named by --config), refused before it is parsed. */
#define SRV_CONFIG_FILE_MAX (1024 * 1024)

/* Line of the byte at off (1-based), for a message. */
static int
line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

static int
load_file(srv_config *cfg, const char *path, idprov_error *err)
{
	ini_state st;
	idprov_error why;
	char *text = NULL;
	const char *nul;
	size_t len = 0;
	int line, rc = 1;

	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.file = path;
	idprov_error_clear(&why);
	/* A regular file of bounded size only: /dev/zero is an endless line
	 * and a folder reads as empty, neither a configuration. */
	if (idprov_file_read_regular(path, SRV_CONFIG_FILE_MAX, &text, &len,
	    &why) != IDPROV_OK) {
		if (why.status == IDPROV_ERR_TOO_LARGE)
			idprov_error_set(err, IDPROV_ERR_TOO_LARGE, "the "
			    "configuration file %s is larger than %d bytes",
			    path, SRV_CONFIG_FILE_MAX);
		else if (why.status == IDPROV_ERR_INVALID)	/* not a file */
			idprov_error_set(err, why.status, "the configuration "
			    "file %s", why.msg);
		else
			idprov_error_set(err, why.status, "cannot read the "
			    "configuration file: %s", why.msg);
		goto out;
	}
	/* inih stops at a NUL, which would silently drop the rest. */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		idprov_error_set(err, IDPROV_ERR_INVALID, "%s line %d: a NUL "
		    "byte (the file is not text)", path,
		    line_of(text, (size_t)(nul - text)));
		goto out;
	}
	/* inih reads a line into INI_MAX_LINE bytes (its newline and NUL
	 * included) and takes the rest for the next line: a long path would
	 * be cut short, or a syntax error blamed on a line that is not
	 * there. */
	if ((line = idprov_text_long_line(text, INI_MAX_LINE - 2)) != 0) {
		idprov_error_set(err, IDPROV_ERR_INVALID, "%s line %d is longer "
		    "than %d bytes", path, line, INI_MAX_LINE - 2);
		goto out;
	}
	line = ini_parse_string(text, on_ini_key, &st);
	if (line != 0) {
		if (st.msg[0] == '\0')
			snprintf(st.msg, sizeof(st.msg), "%s",
			    "syntax error (expected [section] or key = value)");
		idprov_error_set(err, IDPROV_ERR_INVALID, "%s line %d: %s", path,
		    line, st.msg);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

/* ---- flags ---- */

enum {
	OPT_CONFIG = 256, OPT_CA_DIR, OPT_CA_CERT, OPT_CA_KEY, OPT_CERT,
	OPT_KEY, OPT_DB, OPT_LISTEN, OPT_WORKERS, OPT_READY_FILE,
	OPT_NO_DNSSD, OPT_DNSSD_NAME, OPT_DNSSD_REQUIRED, OPT_VALIDITY,
	OPT_RETRY, OPT_OOB_DEFAULT, OPT_OOB_MAX, OPT_LOCKOUT, OPT_CRL_DAYS,
	OPT_LOG_LEVEL, OPT_MAX_CONN, OPT_READ_TIMEOUT, OPT_IDLE_TIMEOUT,
	OPT_SERVICE, OPT_HELP, OPT_VERSION, OPT_RENEW_UNKNOWN
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "ca-dir", required_argument, NULL, OPT_CA_DIR },
	{ "ca-cert", required_argument, NULL, OPT_CA_CERT },
	{ "ca-key", required_argument, NULL, OPT_CA_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "db", required_argument, NULL, OPT_DB },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
	{ "read-timeout", required_argument, NULL, OPT_READ_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "ready-file", required_argument, NULL, OPT_READY_FILE },
	{ "no-dnssd", no_argument, NULL, OPT_NO_DNSSD },
	{ "dnssd-name", required_argument, NULL, OPT_DNSSD_NAME },
	{ "dnssd-required", no_argument, NULL, OPT_DNSSD_REQUIRED },
	{ "validity", required_argument, NULL, OPT_VALIDITY },
	{ "retry", required_argument, NULL, OPT_RETRY },
	{ "oob-default", required_argument, NULL, OPT_OOB_DEFAULT },
	{ "oob-max", required_argument, NULL, OPT_OOB_MAX },
	{ "lockout-after", required_argument, NULL, OPT_LOCKOUT },
	{ "crl-days", required_argument, NULL, OPT_CRL_DAYS },
	{ "renew-unknown-certificates", required_argument, NULL,
	    OPT_RENEW_UNKNOWN },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

void
srv_config_usage(FILE *out)
{
	fputs(
"usage: idprovd --ca-dir DIR [--listen ADDR:PORT] [--db FILE] [flags]\n"
"IDProv provisioning server (HTTPS).  A flag beats the configuration file.\n"
"\n"
"  --config FILE         INI configuration file (default: none)\n"
"  --ca-dir DIR          folder written by 'idprovctl ca init' holding\n"
"                        ca.pem ca.key server.pem server.key (default: none)\n"
"  --ca-cert FILE        CA certificate (default: DIR/ca.pem)\n"
"  --ca-key FILE         CA private key (default: DIR/ca.key)\n"
"  --cert FILE           server certificate (default: DIR/server.pem)\n"
"  --key FILE            server private key (default: DIR/server.key)\n"
"  --db FILE             registry database (default: ./idprov.db)\n"
"  --listen ADDR:PORT    listen address, repeatable; IPv6 as [::1]:PORT;\n"
"                        port 0 picks a free port\n"
"                        (default: [::]:43776 and 0.0.0.0:43776)\n"
"  --workers N           worker threads, 0 = one per core (default: 0)\n"
"  --max-connections N   open connections at most; more are closed at once\n"
"                        (default: 1024)\n"
"  --read-timeout DUR    time to complete the TLS handshake and a request\n"
"                        (default: 10s)\n"
"  --idle-timeout DUR    keep-alive time between requests (default: 30s)\n"
"  --ready-file FILE     write \"ADDR:PORT\" of the first listener there once\n"
"                        listening (default: none)\n"
"  --no-dnssd            do not publish _idprov._tcp (default: publish)\n"
"  --dnssd-name NAME     DNS-SD instance name (default: idprov)\n"
"  --dnssd-required      fail to start without avahi-daemon (default: warn)\n"
"  --validity DUR        validity of issued certificates (default: 7d)\n"
"  --retry DUR           retrySec sent with Waiting (default: 30s)\n"
"  --oob-default DUR     lifetime of an OOB secret without validUntil\n"
"                        (default: 3d)\n"
"  --oob-max DUR         longest validUntil accepted (default: 30d)\n"
"  --lockout-after N     wrong signatures before a secret is discarded\n"
"                        (default: 5)\n"
"  --crl-days N          CRL nextUpdate in days (default: 7)\n"
"  --renew-unknown-certificates yes|no\n"
"                        a CA-signed device certificate the registry does\n"
"                        not know may renew (default: yes)\n"
"  --service NAME=URL    a directory service entry, repeatable (default: none)\n"
"  --log-level LEVEL     error, warn, info or debug (default: info)\n"
"  --help                this text\n"
"  --version             the version\n"
"\n"
"DUR is a duration like 30s, 10m, 2h, 7d, 1w or 1h30m.\n"
"Signals: SIGTERM/SIGINT finish requests in flight and exit; SIGHUP\n"
"reloads the configuration file and the server certificate and key.\n",
	    out);
}

static int
flag_error(idprov_error *err, const char *flag, const char *what)
{
	idprov_error_set(err, IDPROV_ERR_INVALID, "--%s must be %s", flag,
	    what);
	return 2;
}

/* Apply one flag.  Returns 0 or 2. */
static int
apply_flag(srv_config *cfg, int opt, const char *arg, int *listen_seen,
    idprov_error *err)
{
	const char *name = NULL, *what = "a value";
	char sname[64];
	const char *eq;
	long l;
	size_t i;
	int rc = 0, lvl;

	for (i = 0; long_opts[i].name != NULL; i++)
		if (long_opts[i].val == opt)
			name = long_opts[i].name;
	switch (opt) {
	case OPT_CONFIG: return 0;	/* handled before */
	case OPT_CA_DIR:
		what = "a folder path";
		rc = copy_str(cfg->ca_dir, sizeof(cfg->ca_dir), arg);
		break;
	case OPT_CA_CERT:
		what = "a file path";
		rc = copy_str(cfg->ca_cert, sizeof(cfg->ca_cert), arg);
		break;
	case OPT_CA_KEY:
		what = "a file path";
		rc = copy_str(cfg->ca_key, sizeof(cfg->ca_key), arg);
		break;
	case OPT_CERT:
		what = "a file path";
		rc = copy_str(cfg->server_cert, sizeof(cfg->server_cert), arg);
		break;
	case OPT_KEY:
		what = "a file path";
		rc = copy_str(cfg->server_key, sizeof(cfg->server_key), arg);
		break;
	case OPT_DB:
		what = "a file path";
		rc = copy_str(cfg->db_path, sizeof(cfg->db_path), arg);
		break;
	case OPT_READY_FILE:
		what = "a file path";
		rc = copy_str(cfg->ready_file, sizeof(cfg->ready_file), arg);
		break;
	case OPT_LISTEN:
		/* The flags' addresses replace the file's. */
		if (!*listen_seen) {
			cfg->n_listen = 0;
			*listen_seen = 1;
		}
		what = "ADDR:PORT (e.g. 127.0.0.1:43776 or [::1]:0), at most 8 "
		    "times";
		rc = add_listen(cfg, arg);
		break;
	case OPT_WORKERS:
		what = "a number from 0 (one per core) to 256";
		rc = parse_int(arg, 0, SRV_WORKERS_MAX, &cfg->workers);
		break;
	case OPT_MAX_CONN:
		what = "a number from 1 to 1000000";
		rc = parse_int(arg, 1, 1000000, &cfg->max_connections);
		break;
	case OPT_READ_TIMEOUT:
		what = "a duration from 1s to 1h";
		rc = parse_timeout(arg, &cfg->read_timeout_sec);
		break;
	case OPT_IDLE_TIMEOUT:
		what = "a duration from 1s to 1h";
		rc = parse_timeout(arg, &cfg->idle_timeout_sec);
		break;
	case OPT_NO_DNSSD:
		cfg->dnssd_enable = 0;
		break;
	case OPT_DNSSD_REQUIRED:
		cfg->dnssd_required = 1;
		break;
	case OPT_DNSSD_NAME:
		what = "a name of 1 to 63 bytes";
		rc = copy_str(cfg->dnssd_name, sizeof(cfg->dnssd_name), arg);
		break;
	case OPT_VALIDITY: case OPT_RETRY: case OPT_OOB_DEFAULT:
	case OPT_OOB_MAX:
		what = "a duration like 30s, 10m, 2h, 7d or 1w";
		if ((rc = srv_duration_parse(arg, &l)) != 0)
			break;
		if (opt == OPT_VALIDITY)
			cfg->cert_validity_sec = l;
		else if (opt == OPT_RETRY)
			cfg->retry_sec = l;
		else if (opt == OPT_OOB_DEFAULT)
			cfg->oob_default_sec = l;
		else
			cfg->oob_max_sec = l;
		break;
	case OPT_LOCKOUT:
		what = "a number from 1 to 1000";
		rc = parse_int(arg, 1, 1000, &cfg->lockout_after);
		break;
	case OPT_CRL_DAYS:
		what = "a number of days from 1 to 3650";
		if ((rc = parse_int(arg, 1, 3650, &lvl)) == 0)
			cfg->crl_days = lvl;
		break;
	case OPT_RENEW_UNKNOWN:
		what = "yes or no";
		rc = parse_bool(arg, &cfg->renew_unknown_certificates);
		break;
	case OPT_SERVICE:
		what = "NAME=URL with a name of letters, digits, '-', '_', '.'";
		eq = strchr(arg, '=');
		if (eq == NULL || (size_t)(eq - arg) >= sizeof(sname)) {
			rc = -1;
			break;
		}
		memcpy(sname, arg, (size_t)(eq - arg));
		sname[eq - arg] = '\0';
		rc = add_service(cfg, sname, eq + 1);
		break;
	case OPT_LOG_LEVEL:
		what = "error, warn, info or debug";
		if ((lvl = srv_log_level_parse(arg)) < 0)
			rc = -1;
		else
			cfg->log_level = lvl;
		break;
	default:
		return 0;
	}
	if (rc != 0)
		return flag_error(err, name != NULL ? name : "?", what);
	return 0;
}

/* Fill the paths left empty from ca_dir and check that the CA is there. */
static int
derive_paths(srv_config *cfg, idprov_error *err)
{
	struct {
		char *dst;
		size_t sz;
		const char *file;
	} d[] = {
		{ cfg->ca_cert, sizeof(cfg->ca_cert), "ca.pem" },
		{ cfg->ca_key, sizeof(cfg->ca_key), "ca.key" },
		{ cfg->server_cert, sizeof(cfg->server_cert), "server.pem" },
		{ cfg->server_key, sizeof(cfg->server_key), "server.key" },
	};
	struct stat sb;
	size_t i;
	int n;

	if (cfg->ca_dir[0] != '\0') {
		if (stat(cfg->ca_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			idprov_error_set(err, IDPROV_ERR_NOT_FOUND, "the CA "
			    "folder %s does not exist (create it with "
			    "'idprovctl ca init --dir %s')", cfg->ca_dir,
			    cfg->ca_dir);
			return 1;
		}
	}
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (d[i].dst[0] != '\0')
			continue;
		if (cfg->ca_dir[0] == '\0') {
			idprov_error_set(err, IDPROV_ERR_INVALID, "no CA is "
			    "configured: give --ca-dir DIR (or --ca-cert, "
			    "--ca-key, --cert and --key)");
			return 1;
		}
		n = snprintf(d[i].dst, d[i].sz, "%s/%s", cfg->ca_dir,
		    d[i].file);
		if (n < 0 || (size_t)n >= d[i].sz) {
			idprov_error_set(err, IDPROV_ERR_INVALID, "the CA folder "
			    "path is too long");
			return 1;
		}
	}
	return 0;
}

int
srv_config_from_args(srv_config *cfg, int argc, char **argv,
    srv_cfg_action *action, idprov_error *err)
{
	const char *config_file = NULL;
	int opt, rc, listen_seen = 0;

	*action = SRV_CFG_RUN;
	srv_config_defaults(cfg);
	opterr = 0;

	/* First pass: --config, --help, --version and flag syntax. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG:
			config_file = optarg;
			break;
		case 'h': case OPT_HELP:
			*action = SRV_CFG_HELP;
			return 0;
		case 'V': case OPT_VERSION:
			*action = SRV_CFG_VERSION;
			return 0;
		case ':':
			idprov_error_set(err, IDPROV_ERR_INVALID, "%s needs a "
			    "value (see idprovd --help)", argv[optind - 1]);
			return 2;
		case '?':
			idprov_error_set(err, IDPROV_ERR_INVALID, "unknown flag "
			    "%s (see idprovd --help)", argv[optind - 1]);
			return 2;
		default:
			break;
		}
	}
	if (optind < argc) {
		idprov_error_set(err, IDPROV_ERR_INVALID, "unexpected argument "
		    "\"%s\" (see idprovd --help)", argv[optind]);
		return 2;
	}
	if (config_file != NULL) {
		if (copy_str(cfg->config_file, sizeof(cfg->config_file),
		    config_file) != 0) {
			idprov_error_set(err, IDPROV_ERR_INVALID, "--config "
			    "must be a file path");
			return 2;
		}
		if ((rc = load_file(cfg, config_file, err)) != 0)
			return rc;
	}

	/* Second pass: the flags, over the file. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", long_opts, NULL)) != -1)
		if ((rc = apply_flag(cfg, opt, optarg, &listen_seen, err)) != 0)
			return rc;
	return derive_paths(cfg, err);
}
