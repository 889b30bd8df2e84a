/*
 * settings.h - where idprovctl finds the server and its admin certificate.
 *
 * Precedence, highest first: the options (--server --cert --key --ca),
 * the environment ($IDPROV_SERVER $IDPROV_CERT $IDPROV_KEY $IDPROV_CA),
 * the config file, the defaults.  The config file is --config FILE, else
 * $IDPROV_CONFIG, else $XDG_CONFIG_HOME/idprov/admin.conf, else
 * ~/.config/idprov/admin.conf; only a file named by --config or
 * $IDPROV_CONFIG must exist.  Its lines are `key = value` (keys server,
 * cert, key, ca; '#' or ';' start a comment line); relative paths in it are
 * relative to the file's folder.
 */
#ifndef IDPROVCTL_SETTINGS_H
#define IDPROVCTL_SETTINGS_H

#include "lib/core/error.h"

#define CTL_DEFAULT_SERVER "https://localhost:43776"
#define CTL_PATH_MAX 4096

typedef struct ctl_settings {
	char server[1024];		/* "https://host:port", no trailing '/' */
	char cert[CTL_PATH_MAX];	/* "" = no client certificate */
	char key[CTL_PATH_MAX];		/* "" = the key is in the cert file */
	char ca[CTL_PATH_MAX];		/* "" = the system's trusted CAs */
	char config_file[CTL_PATH_MAX];	/* the file read, "" if none */
} ctl_settings;

/* The values given on the command line; NULL for those not given. */
typedef struct ctl_settings_flags {
	const char *server, *cert, *key, *ca, *config;
} ctl_settings_flags;

/* Resolve the settings in the order above.  IDPROV_ERR_INVALID (with the
 * file and line) for a bad config file or server URL, IDPROV_ERR_NOT_FOUND
 * for a named config file that does not exist. */
idprov_status ctl_settings_resolve(const ctl_settings_flags *flags,
    ctl_settings *out, idprov_error *err);

/* Read one config file into out (only the keys it sets change). */
idprov_status ctl_settings_read_file(const char *path, ctl_settings *out,
    idprov_error *err);

/* Normalise a server URL: "host:port" gets "https://", a trailing '/' is
 * dropped; any scheme but https is refused. */
idprov_status ctl_server_url_normalise(const char *in, char *out,
    size_t out_size, idprov_error *err);

#endif
