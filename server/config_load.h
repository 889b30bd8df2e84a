/*
 * config_load.h - filling a srv_config (config.h) from the INI file and
 * the command line: defaults, then the file named by --config, then the
 * flags, so a flag beats the file.  Every key is documented in
 * docs/server-config.md.
 */
#ifndef IDPROVD_CONFIG_LOAD_H
#define IDPROVD_CONFIG_LOAD_H

#include <stdio.h>
#include <sys/socket.h>

#include "config.h"
#include "../lib/core/error.h"

/* What the command line asks for. */
typedef enum srv_cfg_action {
	SRV_CFG_RUN = 0,
	SRV_CFG_HELP,
	SRV_CFG_VERSION
} srv_cfg_action;

/*
 * Build cfg from argv (defaults, file, flags) and fill the derived paths
 * (ca_dir/ca.pem ...).  Returns 0 on success, 2 for a bad flag and 1 for
 * a bad configuration (file unreadable, unknown key, bad value: the
 * sentence names the file and line).  Not thread-safe (getopt); called
 * from the main thread only, at start and on SIGHUP.
 */
int srv_config_from_args(srv_config *cfg, int argc, char **argv,
    srv_cfg_action *action, idprov_error *err);

/* The --help text: every flag with its default. */
void srv_config_usage(FILE *out);

/* Parse "ADDR:PORT" ("127.0.0.1:43776", "[::1]:0", "[::]:43776",
 * "*:43776" for every IPv4 address) into a socket address. */
int srv_listen_parse(const char *s, struct sockaddr_storage *ss,
    socklen_t *len);

/* "30s", "10m", "2h", "7d", "1w", sums like "1h30m", or plain seconds;
 * > 0.  Returns 0, or -1 when s is not such a duration. */
int srv_duration_parse(const char *s, long *out);

#endif
