/*
 * state.c - files of the state folder (see state.h).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "lib/core/crypto.h"
#include "lib/core/fileio.h"

#define PEM_MAX (64 * 1024)

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

idprov_status
idpc_state_paths(idprov_client *c)
{
	c->path_key = join(c->state_dir, "key.pem");
	c->path_key_next = join(c->state_dir, "key.next.pem");
	c->path_cert = join(c->state_dir, "cert.pem");
	c->path_ca = join(c->state_dir, "ca.pem");
	c->path_url = join(c->state_dir, "server.url");
	c->path_ca_new = join(c->state_dir, ".ca.pem.new");
	c->path_url_new = join(c->state_dir, ".server.url.new");
	c->path_cert_new = join(c->state_dir, ".cert.pem.new");
	if (!c->path_key || !c->path_key_next || !c->path_cert ||
	    !c->path_ca || !c->path_url || !c->path_ca_new ||
	    !c->path_url_new || !c->path_cert_new)
		return idprov_error_set(&c->err, IDPROV_ERR_NOMEM,
		    "out of memory");
	return IDPROV_OK;
}

idprov_status
idpc_state_mkdir(idprov_client *c)
{
	return idprov_mkdir_p(c->state_dir, 0700, &c->err);
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/*
 * A state file that exists must be a regular file: reading a FIFO put in
 * its place would wait forever for a writer, a device never ends.
 * IDPROV_ERR_NOT_FOUND (no message) when it does not exist.
 */
static idprov_status
regular_file(idprov_client *c, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return errno == ENOENT ? IDPROV_ERR_NOT_FOUND :
		    idprov_error_set(&c->err, IDPROV_ERR_IO, "cannot read %s: "
		    "%s", path, strerror(errno));
	if (S_ISREG(sb.st_mode))
		return IDPROV_OK;
	return idprov_error_set(&c->err, IDPROV_ERR_IO, "%s is %s, not a "
	    "regular file", path, S_ISDIR(sb.st_mode) ? "a folder" :
	    S_ISFIFO(sb.st_mode) ? "a pipe" : "a device or socket");
}

/* Make a rename durable. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Rename `from` over `to` if `from` exists. */
static idprov_status
move_staged(idprov_client *c, const char *from, const char *to)
{
	if (rename(from, to) == 0 || errno == ENOENT)
		return IDPROV_OK;
	return idprov_error_set(&c->err, IDPROV_ERR_IO, "could not move %s "
	    "over %s: %s", from, to, strerror(errno));
}

/*
 * Put a staged approval in place: ca.pem, server.url, then cert.pem.
 * Those of the first two already moved by an interrupted run are gone
 * from their staged names, hence "if it exists".
 */
static idprov_status
finish_approval(idprov_client *c)
{
	idprov_status st;

	st = move_staged(c, c->path_ca_new, c->path_ca);
	if (st == IDPROV_OK)
		st = move_staged(c, c->path_url_new, c->path_url);
	if (st != IDPROV_OK)
		return st;
	idprov_file_crash_hook("cert.pem");
	st = move_staged(c, c->path_cert_new, c->path_cert);
	sync_dir(c->state_dir);
	return st;
}

/* Unlink the staged files of an approval that did not reach its commit
 * point. */
static void
discard_staged(idprov_client *c)
{
	(void)unlink(c->path_ca_new);
	(void)unlink(c->path_url_new);
	(void)unlink(c->path_cert_new);
}

/*
 * The temporary files of a save that a crash or a kill left behind, of a
 * staged file or of one saved in place (key.pem, key.next.pem, cert.pem,
 * each saved under the lock): fileio.c names them "." + the file name +
 * "." + 6 characters.
 */
static int
is_staging_temp(const char *name)
{
	static const char *const staged[] = {
		"..ca.pem.new.", "..server.url.new.", "..cert.pem.new.",
		/* saved in place, under the lock too (a kill mid-save) */
		".key.pem.", ".key.next.pem.", ".cert.pem."
	};
	size_t i, n;

	for (i = 0; i < sizeof(staged) / sizeof(staged[0]); i++) {
		n = strlen(staged[i]);
		if (strncmp(name, staged[i], n) == 0 && strlen(name) == n + 6)
			return 1;
	}
	return 0;
}

static void
discard_staging_temps(idprov_client *c)
{
	DIR *d = opendir(c->state_dir);
	struct dirent *e;
	char *path;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!is_staging_temp(e->d_name))
			continue;
		path = join(c->state_dir, e->d_name);
		if (path != NULL)
			(void)unlink(path);
		free(path);
	}
	closedir(d);
}

/* Finish an approval staged whole, discard one staged in part. */
static idprov_status
recover_approval(idprov_client *c)
{
	discard_staging_temps(c);
	if (exists(c->path_cert_new))
		return finish_approval(c);
	if (exists(c->path_ca_new) || exists(c->path_url_new)) {
		discard_staged(c);
		sync_dir(c->state_dir);
	}
	return IDPROV_OK;
}

/*
 * Saves and recovery of one state folder exclude each other (another
 * idprov reading the folder must not discard what this one is staging):
 * an exclusive flock on the folder, -1 when there is no folder yet (then
 * there is nothing to recover either) or no lock to be had.
 */
static int
lock_state(const idprov_client *c)
{
	int fd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void
unlock_state(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

idprov_status
idpc_state_recover(idprov_client *c)
{
	EVP_PKEY *next = NULL;
	X509 *cert = NULL;
	idprov_status st;
	int lock = lock_state(c);

	st = recover_approval(c);
	if (st != IDPROV_OK)
		goto out;
	if (!exists(c->path_key_next))
		goto out;
	/* A key.next.pem we cannot read is no better than none. */
	if (regular_file(c, c->path_key_next) == IDPROV_OK &&
	    regular_file(c, c->path_cert) == IDPROV_OK &&
	    idprov_key_load_file(c->path_key_next, &next, NULL) == IDPROV_OK &&
	    idprov_cert_load_file(c->path_cert, &cert, NULL) == IDPROV_OK &&
	    idprov_cert_matches_key(cert, next)) {
		/* cert.pem was committed for the new key: finish. */
		if (rename(c->path_key_next, c->path_key) != 0) {
			st = idprov_error_set(&c->err, IDPROV_ERR_IO,
			    "could not move %s over %s: %s", c->path_key_next,
			    c->path_key, strerror(errno));
			goto out;
		}
	} else if (unlink(c->path_key_next) != 0 && errno != ENOENT) {
		st = idprov_error_set(&c->err, IDPROV_ERR_IO,
		    "could not remove the unfinished %s: %s", c->path_key_next,
		    strerror(errno));
		goto out;
	}
	sync_dir(c->state_dir);
out:
	unlock_state(lock);
	EVP_PKEY_free(next);
	X509_free(cert);
	return st;
}

idprov_status
idpc_state_load_ca(idprov_client *c, char **pem, X509 **ca)
{
	char *text = NULL;
	idprov_status st;

	*pem = NULL;
	*ca = NULL;
	if ((st = regular_file(c, c->path_ca)) == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, st, "there is no %s",
		    c->path_ca);
	if (st != IDPROV_OK)
		return st;
	st = idprov_file_read(c->path_ca, PEM_MAX, &text, NULL, &c->err);
	if (st != IDPROV_OK)
		return st;
	st = idprov_cert_from_pem(text, ca, &c->err);
	if (st != IDPROV_OK) {
		free(text);
		return idprov_error_set(&c->err, st,
		    "%s holds no readable certificate", c->path_ca);
	}
	*pem = text;
	return IDPROV_OK;
}

idprov_status
idpc_state_load_cert(idprov_client *c, X509 **cert)
{
	idprov_status st;

	*cert = NULL;
	if ((st = regular_file(c, c->path_cert)) == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, st, "this device is not "
		    "provisioned: there is no %s", c->path_cert);
	if (st != IDPROV_OK)
		return st;
	return idprov_cert_load_file(c->path_cert, cert, &c->err);
}

idprov_status
idpc_state_load_key(idprov_client *c, EVP_PKEY **key)
{
	idprov_status st;

	*key = NULL;
	if ((st = regular_file(c, c->path_key)) == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, st, "there is no device key "
		    "%s", c->path_key);
	if (st != IDPROV_OK)
		return st;
	return idprov_key_load_file(c->path_key, key, &c->err);
}

idprov_status
idpc_state_key(idprov_client *c, EVP_PKEY **key)
{
	idprov_status st;
	/* Two runs on one folder must not each make and save a key, the
	 * second replacing the one the first asks a certificate for. */
	int lock = lock_state(c);

	*key = NULL;
	if ((st = regular_file(c, c->path_key)) == IDPROV_OK) {
		st = idprov_key_load_file(c->path_key, key, &c->err);
		goto out;
	}
	if (st != IDPROV_ERR_NOT_FOUND)
		goto out;
	st = idprov_key_generate(IDPROV_KEY_EC_P256, key, &c->err);
	if (st != IDPROV_OK)
		goto out;
	st = idprov_key_save_file(c->path_key, *key, &c->err);
	if (st != IDPROV_OK) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
out:
	unlock_state(lock);
	return st;
}

idprov_status
idpc_state_load_url(idprov_client *c, char *out, size_t out_len)
{
	char *text = NULL;
	size_t len = 0;
	idprov_status st;

	out[0] = '\0';
	if ((st = regular_file(c, c->path_url)) == IDPROV_ERR_NOT_FOUND)
		return idprov_error_set(&c->err, st, "there is no %s",
		    c->path_url);
	if (st != IDPROV_OK)
		return st;
	st = idprov_file_read(c->path_url, out_len, &text, &len, &c->err);
	if (st != IDPROV_OK)
		return st;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0 || len >= out_len) {
		free(text);
		return idprov_error_set(&c->err, IDPROV_ERR_INVALID,
		    "%s is empty or too long", c->path_url);
	}
	memcpy(out, text, len + 1);
	free(text);
	return IDPROV_OK;
}

/* The approval's three files, each saved whole (fileio.h) under its
 * staged name; .cert.pem.new last, as it marks the set complete. */
static idprov_status
stage_approval(idprov_client *c, X509 *ca, X509 *cert,
    const char *directory_url)
{
	char line[IDPC_URL_MAX + 2];
	int n;
	idprov_status st;

	n = snprintf(line, sizeof(line), "%s\n", directory_url);
	if (n < 0 || (size_t)n >= sizeof(line))
		return idprov_error_set(&c->err, IDPROV_ERR_TOO_LARGE,
		    "the server URL is too long to save");
	st = idprov_cert_save_file(c->path_ca_new, ca, &c->err);
	if (st == IDPROV_OK)
		st = idprov_file_write_atomic(c->path_url_new, line,
		    (size_t)n, 0644, &c->err);
	if (st == IDPROV_OK)
		st = idprov_cert_save_file(c->path_cert_new, cert, &c->err);
	return st;
}

idprov_status
idpc_state_save_provisioned(idprov_client *c, X509 *ca, X509 *cert,
    const char *directory_url)
{
	char why[IDPROV_ERROR_MAX];
	idprov_status st;
	int lock = lock_state(c);

	discard_staged(c);
	st = stage_approval(c, ca, cert, directory_url);
	if (st != IDPROV_OK) {
		/* Nothing of this approval is kept, and the server will not
		 * answer the same secret again. */
		memcpy(why, c->err.msg, sizeof(why));
		discard_staged(c);
		sync_dir(c->state_dir);
		st = idprov_error_set(&c->err, st, "the OOB secret was used "
		    "up but the certificate could not be saved, so an "
		    "administrator must post a new secret for this device: %s",
		    why);
		goto out;
	}
	st = finish_approval(c);
	if (st != IDPROV_OK) {
		memcpy(why, c->err.msg, sizeof(why));
		st = idprov_error_set(&c->err, st, "%s; the certificate is "
		    "saved beside it and the next idprov command puts it in "
		    "place", why);
	}
out:
	unlock_state(lock);
	return st;
}

idprov_status
idpc_state_save_renewed(idprov_client *c, X509 *cert, EVP_PKEY *new_key)
{
	idprov_status st;
	/* Under the lock, so recovery never takes our half-saved file for
	 * one a killed run left. */
	int lock = lock_state(c);

	if (new_key == NULL) {
		EVP_PKEY *cur = NULL;

		/* Another run may have rotated the key since this one read
		 * it: then the new certificate is for a key that is gone,
		 * and saving it would leave a pair that does not match. */
		st = idpc_state_load_key(c, &cur);
		if (st == IDPROV_OK && !idprov_cert_matches_key(cert, cur))
			st = idprov_error_set(&c->err, IDPROV_ERR_INVALID, "%s "
			    "changed while this renewal ran (another idprov on "
			    "the same folder?): its new certificate was not "
			    "saved, the folder keeps the other run's key and "
			    "certificate", c->path_key);
		if (st == IDPROV_OK)
			st = idprov_cert_save_file(c->path_cert, cert, &c->err);
		EVP_PKEY_free(cur);
		unlock_state(lock);
		return st;
	}
	st = idprov_key_save_file(c->path_key_next, new_key, &c->err);
	if (st == IDPROV_OK) {
		st = idprov_cert_save_file(c->path_cert, cert, &c->err);
		if (st != IDPROV_OK)
			(void)unlink(c->path_key_next);
	}
	unlock_state(lock);
	if (st != IDPROV_OK)
		return st;
	/* The commit point has passed; finishing is what recover does. */
	return idpc_state_recover(c);
}
