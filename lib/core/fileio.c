/*
 * fileio.c - crash-safe file writes, bounded reads, mkdir -p.
 *
 * A save is: temporary file next to the target (so rename is atomic on the
 * same file system), write everything, set the mode, fsync, rename over the
 * target, fsync the folder so the rename itself survives a power cut.
 * Until the rename the old file is untouched; after it the new one is
 * complete.
 */
/* mkostemp (glibc, the BSDs): the temp file must be close-on-exec from
 * birth, or a thread that forks meanwhile leaks it into the child. */
#define _GNU_SOURCE
#include "lib/core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split path into its folder ("." when none) and final component. */
static idprov_status
split_path(const char *path, char *dir, size_t dirsz, const char **base,
    idprov_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		if (dirsz < 2)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "path %s is too long", path);
		strcpy(dir, ".");
		*base = path;
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1;	/* "/file" lives in "/" */
		if (n >= dirsz)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "path %s is too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
	}
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "path %s does not name a file", path);
	return IDPROV_OK;
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
idprov_file_crash_hook(const char *base)
{
	const char *victim = getenv("IDPROV_TEST_CRASH_BEFORE_RENAME");

	if (victim != NULL && strcmp(victim, base) == 0)
		kill(getpid(), SIGKILL);
}

idprov_status
idprov_file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, idprov_error *err)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base = "";
	idprov_status st;
	int fd = -1, dfd = -1, saved;
	int n;

	if (path == NULL || (data == NULL && len > 0))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no path or data to write");
	if ((st = split_path(path, dir, sizeof(dir), &base, err)) != IDPROV_OK)
		return st;
	/* A dot name keeps the half-written file out of casual listings. */
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "path %s is too long", path);

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		tmp[0] = '\0';
		st = idprov_error_set(err, saved == ENOENT ?
		    IDPROV_ERR_NOT_FOUND : IDPROV_ERR_IO,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(saved));
		goto out;
	}
	if (write_all(fd, data, len) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot set the mode of %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot flush %s to disk: %s", tmp, strerror(errno));
		goto out;
	}
	/* close can report a deferred write error (NFS): check it. */
	saved = close(fd);
	fd = -1;
	if (saved != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot close %s: %s", tmp, strerror(errno));
		goto out;
	}

	idprov_file_crash_hook(base);

	if (rename(tmp, path) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';	/* it is the target now: never unlink it */

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot flush folder %s to disk: %s", dir,
		    strerror(errno));
		goto out;
	}
	st = IDPROV_OK;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0] != '\0' && st != IDPROV_OK)
		unlink(tmp);
	return st;
}

/* Read everything from fd, at most max bytes; *out is malloc'd and
 * NUL-terminated.  Reading stops one byte past max, so an endless source
 * (/dev/zero) costs max + 1 bytes, never a hang. */
static idprov_status
read_fd_capped(int fd, const char *path, size_t max, char **out,
    size_t *len_out, idprov_error *err)
{
	char *buf = NULL, *nbuf;
	size_t cap, len = 0, limit;
	idprov_status st;

	/* Read one byte past max so "exactly max" and "over max" differ. */
	limit = max == SIZE_MAX ? SIZE_MAX : max + 1;
	cap = limit < 4096 ? limit : 4096;
	if ((buf = malloc(cap + 1)) == NULL) {
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory reading %s", path);
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap == limit)
				break;
			cap = cap > limit / 2 ? limit : cap * 2;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				st = idprov_error_set(err, IDPROV_ERR_NOMEM,
				    "out of memory reading %s", path);
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			st = idprov_error_set(err, IDPROV_ERR_IO,
			    "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		st = idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (len_out != NULL)
		*len_out = len;
	st = IDPROV_OK;
out:
	free(buf);
	return st;
}

idprov_status
idprov_file_read(const char *path, size_t max, char **out, size_t *len_out,
    idprov_error *err)
{
	idprov_status st;
	int fd;

	if (out == NULL || path == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no path or output for a file read");
	*out = NULL;
	if (len_out != NULL)
		*len_out = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return idprov_error_set(err, errno == ENOENT ?
		    IDPROV_ERR_NOT_FOUND : IDPROV_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	st = read_fd_capped(fd, path, max, out, len_out, err);
	close(fd);
	return st;
}

/* What a file that is not a regular file is, for the message. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

idprov_status
idprov_file_read_regular(const char *path, size_t max, char **out,
    size_t *len_out, idprov_error *err)
{
	struct stat sb;
	idprov_status st;
	int fd, flags;

	if (out == NULL || path == NULL)
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no path or output for a file read");
	*out = NULL;
	if (len_out != NULL)
		*len_out = 0;

	/* O_NONBLOCK: opening a FIFO with no writer would wait forever;
	 * the fstat below refuses it anyway. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return idprov_error_set(err, errno == ENOENT ?
		    IDPROV_ERR_NOT_FOUND : IDPROV_ERR_IO,
		    "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0) {
		st = idprov_error_set(err, IDPROV_ERR_IO, "cannot read %s: %s",
		    path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = idprov_error_set(err, IDPROV_ERR_INVALID,
		    "%s is %s, not a regular file", path,
		    file_kind(sb.st_mode));
		goto out;
	}
	if ((uintmax_t)sb.st_size > (uintmax_t)max) {
		st = idprov_error_set(err, IDPROV_ERR_TOO_LARGE,
		    "%s is larger than %zu bytes", path, max);
		goto out;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	/* The size is checked again while reading: the file may grow. */
	st = read_fd_capped(fd, path, max, out, len_out, err);
out:
	close(fd);
	return st;
}

idprov_status
idprov_mkdir_p(const char *path, mode_t mode, idprov_error *err)
{
	char buf[PATH_MAX];
	struct stat sb;
	size_t len, i;

	if (path == NULL || *path == '\0')
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "no folder name given");
	len = strlen(path);
	if (len >= sizeof(buf))
		return idprov_error_set(err, IDPROV_ERR_INVALID,
		    "folder name %s is too long", path);
	memcpy(buf, path, len + 1);

	/* Create each prefix ending before a '/', then the whole path. */
	for (i = 1; i <= len; i++) {
		if (i < len && buf[i] != '/')
			continue;
		if (i < len && buf[i - 1] == '/')
			continue;	/* "a//b" */
		buf[i] = '\0';
		if (mkdir(buf, mode) != 0) {
			if (errno != EEXIST) {
				idprov_status st = idprov_error_set(err,
				    IDPROV_ERR_IO, "cannot create folder %s: %s",
				    buf, strerror(errno));
				return st;
			}
			if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
				return idprov_error_set(err, IDPROV_ERR_IO,
				    "%s exists and is not a folder", buf);
		}
		if (i < len)
			buf[i] = '/';
	}
	return IDPROV_OK;
}

int
idprov_text_long_line(const char *text, size_t max)
{
	const char *p = text, *end;
	int line = 1;

	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end, line++) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > max)
			return line;
	}
	return 0;
}
