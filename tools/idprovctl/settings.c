/*
 * settings.c - the connection settings: options > environment > config
 * file > defaults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <ini.h>
#include <curl/curl.h>

#include "settings.h"
#include "lib/core/fileio.h"

/* A config file is a few lines; a bigger one is not one (a log, a disk
 * image), refused before it is parsed. */
#define CTL_CONFIG_FILE_MAX (1024 * 1024)

struct file_ctx {
	const char *path;
	ctl_settings *out;
	idprov_error *err;
	int failed;
	char dir[CTL_PATH_MAX];	/* folder of the file, for relative paths */
};

static int copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* A path from the file: relative ones are taken from the file's folder. */
static int set_path(char *dst, const char *dir, const char *value)
{
	if (value[0] == '/' || dir[0] == '\0')
		return copy_str(dst, CTL_PATH_MAX, value);
	if (snprintf(dst, CTL_PATH_MAX, "%s/%s", dir, value) >= CTL_PATH_MAX)
		return -1;
	return 0;
}

static int on_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct file_ctx *c = user;
	int bad = 0;

	if (section[0] != '\0') {
		idprov_error_set(c->err, IDPROV_ERR_INVALID,
		    "%s: sections like [%s] are not used; write plain "
		    "'key = value' lines", c->path, section);
		c->failed = 1;
		return 0;
	}
	if (strcmp(name, "server") == 0) {
		if (ctl_server_url_normalise(value, c->out->server,
		    sizeof(c->out->server), c->err) != IDPROV_OK) {
			char why[IDPROV_ERROR_MAX];

			snprintf(why, sizeof(why), "%s", c->err->msg);
			idprov_error_set(c->err, IDPROV_ERR_INVALID,
			    "%s: server: %s", c->path, why);
			c->failed = 1;
			return 0;
		}
		return 1;
	} else if (strcmp(name, "cert") == 0) {
		bad = set_path(c->out->cert, c->dir, value);
	} else if (strcmp(name, "key") == 0) {
		bad = set_path(c->out->key, c->dir, value);
	} else if (strcmp(name, "ca") == 0) {
		bad = set_path(c->out->ca, c->dir, value);
	} else {
		idprov_error_set(c->err, IDPROV_ERR_INVALID,
		    "%s: unknown key '%s' (the keys are server, cert, key "
		    "and ca)", c->path, name);
		c->failed = 1;
		return 0;
	}
	if (bad) {
		idprov_error_set(c->err, IDPROV_ERR_INVALID,
		    "%s: the path for %s is too long", c->path, name);
		c->failed = 1;
		return 0;
	}
	return 1;
}

idprov_status ctl_settings_read_file(const char *path, ctl_settings *out,
    idprov_error *err)
{
	struct file_ctx c;
	idprov_error local, why;
	idprov_status st;
	char *text = NULL;
	const char *slash, *nul;
	size_t len = 0;
	int rc, line = 1;

	if (!err)
		err = &local;
	idprov_error_clear(&why);
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.out = out;
	c.err = err;
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(c.dir)) {
		memcpy(c.dir, path, (size_t)(slash - path));
		c.dir[slash - path] = '\0';
		if (c.dir[0] == '\0')
			strcpy(c.dir, "/");
	}
	/* A regular file of bounded size only: /dev/zero is an endless line
	 * and a folder reads as empty, neither a configuration. */
	st = idprov_file_read_regular(path, CTL_CONFIG_FILE_MAX, &text, &len,
	    &why);
	if (st == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(err, IDPROV_ERR_NOT_FOUND,
		    "the config file %s does not exist", path);
	if (st == IDPROV_ERR_TOO_LARGE)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the config file %s is larger than %d bytes: it is not "
		    "an idprovctl config file", path, CTL_CONFIG_FILE_MAX);
	if (st == IDPROV_ERR_INVALID)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the config file %s", why.msg);
	if (st != IDPROV_OK)
		return idprov_error_set(err, st, "cannot read the config "
		    "file: %s", why.msg);
	/* inih stops at a NUL, which would silently drop the rest. */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		free(text);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s line %d: a NUL byte (the file is not text)", path,
		    line);
	}
	/* inih reads a line into INI_MAX_LINE bytes (its newline and NUL
	 * included) and takes the rest for the next line: a long path
	 * would be cut short, or blamed on a line that is not there. */
	if ((line = idprov_text_long_line(text, INI_MAX_LINE - 2)) != 0) {
		free(text);
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s line %d is longer than %d bytes", path, line,
		    INI_MAX_LINE - 2);
	}
	rc = ini_parse_string(text, on_line, &c);
	free(text);
	if (c.failed)
		return err->status;
	if (rc > 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s line %d: expected 'key = value'", path, rc);
	if (rc < 0)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory reading the config file %s", path);
	if (snprintf(out->config_file, sizeof(out->config_file), "%s",
	    path) >= (int)sizeof(out->config_file))
		out->config_file[0] = '\0';
	return IDPROV_OK;
}

/* What libcurl would only refuse when connecting (a port over 65535,
 * "[::1" unclosed, no host) is a configuration error, said now; so is a
 * user name or password, which curl would send to the server. */
static idprov_status url_parse_check(const char *url, idprov_error *err)
{
	CURLU *h = curl_url();
	char *user = NULL;
	CURLUcode rc;
	idprov_status st = IDPROV_OK;

	if (!h)
		return idprov_error_set(err, IDPROV_ERR_NOMEM, "out of memory");
	rc = curl_url_set(h, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK)
		st = idprov_error_set(err, IDPROV_ERR_INVALID, "the server URL "
		    "%s is not a valid URL: %s", url, curl_url_strerror(rc));
	else if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK)
		st = idprov_error_set(err, IDPROV_ERR_INVALID, "the server URL "
		    "holds a user name or password; idprovd takes neither "
		    "(the admin certificate is the login)");
	curl_free(user);
	curl_url_cleanup(h);
	return st;
}

idprov_status ctl_server_url_normalise(const char *in, char *out,
    size_t out_size, idprov_error *err)
{
	const char *sep = strstr(in, "://");
	size_t n;
	int w;

	if (in[0] == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL is empty");
	/* First, so that no message below echoes such bytes; a host name
	 * outside ASCII is given in its xn-- form. */
	for (const char *p = in; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the server URL contains a space or a control "
			    "character");
		else if ((unsigned char)*p >= 0x80)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "the server URL contains a byte that is not ASCII "
			    "(write a host name in its xn-- form)");
	if (sep && strncasecmp(in, "https://", 8) != 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL %s is not https://: idprovctl talks to "
		    "idprovd only over HTTPS", in);
	w = snprintf(out, out_size, "%s%s", sep ? "" : "https://", in);
	if (w < 0 || (size_t)w >= out_size)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL is too long");
	n = strlen(out);
	while (n > 8 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n <= 8)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the server URL %s has no host", in);
	return url_parse_check(out, err);
}

static idprov_status take(char *dst, size_t size, const char *value,
    const char *what, idprov_error *err)
{
	if (copy_str(dst, size, value) != 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "the %s path is too long", what);
	return IDPROV_OK;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

idprov_status ctl_settings_resolve(const ctl_settings_flags *flags,
    ctl_settings *out, idprov_error *err)
{
	char dflt[CTL_PATH_MAX];
	const char *file = NULL;
	int must_exist = 1;
	idprov_status st;
	const char *v;

	memset(out, 0, sizeof(*out));
	strcpy(out->server, CTL_DEFAULT_SERVER);

	if (flags->config) {
		file = flags->config;
	} else if ((v = env("IDPROV_CONFIG")) != NULL) {
		file = v;
	} else {
		must_exist = 0;
		if ((v = env("XDG_CONFIG_HOME")) != NULL)
			snprintf(dflt, sizeof(dflt), "%s/idprov/admin.conf", v);
		else if ((v = env("HOME")) != NULL)
			snprintf(dflt, sizeof(dflt),
			    "%s/.config/idprov/admin.conf", v);
		else
			dflt[0] = '\0';
		file = dflt[0] ? dflt : NULL;
	}
	if (file) {
		st = ctl_settings_read_file(file, out, err);
		if (st == IDPROV_ERR_NOT_FOUND && !must_exist)
			idprov_error_clear(err);
		else if (st != IDPROV_OK)
			return st;
	}

	if ((v = flags->server ? flags->server : env("IDPROV_SERVER")) &&
	    (st = ctl_server_url_normalise(v, out->server, sizeof(out->server),
	    err)) != IDPROV_OK)
		return st;
	if ((v = flags->cert ? flags->cert : env("IDPROV_CERT")) &&
	    (st = take(out->cert, sizeof(out->cert), v, "cert", err)) !=
	    IDPROV_OK)
		return st;
	if ((v = flags->key ? flags->key : env("IDPROV_KEY")) &&
	    (st = take(out->key, sizeof(out->key), v, "key", err)) != IDPROV_OK)
		return st;
	if ((v = flags->ca ? flags->ca : env("IDPROV_CA")) &&
	    (st = take(out->ca, sizeof(out->ca), v, "ca", err)) != IDPROV_OK)
		return st;
	return IDPROV_OK;
}
