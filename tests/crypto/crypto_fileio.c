/*
 * crypto_fileio.c - atomic writes (content, mode, no leftovers, a crash
 * before the rename keeps the old file), bounded reads, mkdir -p.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/fileio.h"
#include "scratch.h"

static int
setup(void **state)
{
	*state = scratch_dir();
	return 0;
}

static int
teardown(void **state)
{
	scratch_remove(*state);
	return 0;
}

/* The whole file as a string (asserts it exists). */
static char *
slurp(const char *path)
{
	idprov_error err;
	char *buf = NULL;

	assert_int_equal(idprov_file_read(path, 1 << 20, &buf, NULL, &err),
	    IDPROV_OK);
	return buf;
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void
crypto_fileio_write_content_mode_no_leftover(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "a.txt");
	idprov_error err;
	char *got;

	assert_int_equal(idprov_file_write_atomic(path, "hello\n", 6, 0640,
	    &err), IDPROV_OK);
	got = slurp(path);
	assert_string_equal(got, "hello\n");
	free(got);
	assert_int_equal(mode_of(path), 0640);
	/* Only the target: the temporary file was renamed, not left over. */
	assert_int_equal(scratch_count(dir), 1);

	/* Replacing changes content and mode, still one file. */
	assert_int_equal(idprov_file_write_atomic(path, "bye", 3, 0600, &err),
	    IDPROV_OK);
	got = slurp(path);
	assert_string_equal(got, "bye");
	free(got);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(scratch_count(dir), 1);
	free(path);
}

static void
crypto_fileio_write_empty_and_binary(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "bin");
	const unsigned char bytes[] = { 0, 1, 2, 0xff, 0 };
	idprov_error err;
	char *got = NULL;
	size_t len = 99;

	assert_int_equal(idprov_file_write_atomic(path, bytes, sizeof(bytes),
	    0600, &err), IDPROV_OK);
	assert_int_equal(idprov_file_read(path, 100, &got, &len, &err),
	    IDPROV_OK);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(got, bytes, sizeof(bytes));
	free(got);

	assert_int_equal(idprov_file_write_atomic(path, NULL, 0, 0600, &err),
	    IDPROV_OK);
	assert_int_equal(idprov_file_read(path, 0, &got, &len, &err),
	    IDPROV_OK);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
	free(got);
	free(path);
}

static void
crypto_fileio_write_missing_folder_leaves_nothing(void **state)
{
	const char *dir = *state;
	char *missing = scratch_path(dir, "no-such-folder");
	char *path = scratch_path(missing, "x.pem");
	idprov_error err;

	idprov_error_clear(&err);
	assert_int_not_equal(idprov_file_write_atomic(path, "x", 1, 0644,
	    &err), IDPROV_OK);
	/* The sentence names the folder at fault. */
	assert_non_null(strstr(err.msg, "no-such-folder"));
	assert_int_equal(access(missing, F_OK), -1);
	assert_int_equal(scratch_count(dir), 0);
	free(path);
	free(missing);
}

static void
crypto_fileio_write_rejects_folder_names(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "");	/* ends in '/' */
	idprov_error err;

	assert_int_equal(idprov_file_write_atomic(path, "x", 1, 0644, &err),
	    IDPROV_ERR_INVALID);
	assert_int_equal(scratch_count(dir), 0);
	free(path);
}

/*
 * A write that fails (here the file size limit is 0, which binds root
 * too, so CI running as root runs this) leaves the old file as it was
 * and no temporary behind.  The limit is set in a child, so the test
 * process keeps its own.
 */
static void
crypto_fileio_write_failure_keeps_old(void **state)
{
	const char *dir = *state;
	struct rlimit none = { 0, 0 };
	char *path;
	idprov_error err;
	char *got;
	pid_t pid;
	int status;

	path = scratch_path(dir, "keep.txt");
	assert_int_equal(idprov_file_write_atomic(path, "old", 3, 0644, &err),
	    IDPROV_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		idprov_status st;

		/* Else the failing write kills the child with SIGXFSZ. */
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &none) != 0)
			_exit(2);
		idprov_error_clear(&err);
		st = idprov_file_write_atomic(path, "new", 3, 0644, &err);
		/* 0: failed, naming the file; 1: it wrote anyway. */
		_exit(st != IDPROV_OK && strstr(err.msg, "keep.txt") != NULL ?
		    0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	got = slurp(path);
	assert_string_equal(got, "old");
	free(got);
	assert_int_equal(scratch_count(dir), 1);	/* no temporary left */
	free(path);
}

/* A rename that fails (the target is a folder) unlinks the temporary and
 * leaves what was there: runs as root too. */
static void
crypto_fileio_rename_failure_cleans_up(void **state)
{
	const char *dir = *state;
	char *target = scratch_path(dir, "taken");
	char *inside = scratch_path(target, "inner");
	idprov_error err;

	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(idprov_file_write_atomic(inside, "x", 1, 0644, &err),
	    IDPROV_OK);
	idprov_error_clear(&err);
	assert_int_equal(idprov_file_write_atomic(target, "new", 3, 0644,
	    &err), IDPROV_ERR_IO);
	assert_non_null(strstr(err.msg, "taken"));
	assert_int_equal(scratch_count(dir), 1);	/* no temporary left */
	assert_int_equal(scratch_count(target), 1);	/* folder untouched */
	free(inside);
	free(target);
}

/* The file a crash left behind: the dot-named temporary beside target. */
static char *
find_temp(const char *dir, const char *target)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char *found = NULL;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strncmp(e->d_name + 1, target,
		    strlen(target)) == 0 && e->d_name[1 + strlen(target)] == '.')
			found = scratch_path(dir, e->d_name);
	closedir(d);
	return found;
}

static void
crypto_fileio_crash_before_rename_keeps_old(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "state.json");
	char *tmp, *got;
	idprov_error err;
	int status;
	pid_t pid;

	assert_int_equal(idprov_file_write_atomic(path, "old content", 11,
	    0600, &err), IDPROV_OK);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The child must not return into cmocka: _exit only. */
		setenv("IDPROV_TEST_CRASH_BEFORE_RENAME", "state.json", 1);
		idprov_file_write_atomic(path, "new content, longer", 19, 0600,
		    NULL);
		_exit(3);	/* reached only if the hook did not fire */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	got = slurp(path);
	assert_string_equal(got, "old content");
	free(got);
	assert_int_equal(mode_of(path), 0600);

	/* The crash happened after the temporary was complete: the new bytes
	 * are all in it, and it never replaced the target. */
	tmp = find_temp(dir, "state.json");
	assert_non_null(tmp);
	got = slurp(tmp);
	assert_string_equal(got, "new content, longer");
	free(got);
	free(tmp);
	free(path);
}

static void
crypto_fileio_crash_hook_only_for_named_file(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "other.json");
	idprov_error err;
	char *got;

	setenv("IDPROV_TEST_CRASH_BEFORE_RENAME", "state.json", 1);
	assert_int_equal(idprov_file_write_atomic(path, "fine", 4, 0644, &err),
	    IDPROV_OK);
	unsetenv("IDPROV_TEST_CRASH_BEFORE_RENAME");
	got = slurp(path);
	assert_string_equal(got, "fine");
	free(got);
	free(path);
}

static void
crypto_fileio_read_limits(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "ten");
	idprov_error err;
	char *got = (char *)"untouched";
	size_t len = 0;

	assert_int_equal(idprov_file_write_atomic(path, "0123456789", 10, 0644,
	    &err), IDPROV_OK);
	/* Exactly at the limit is fine, and NUL-terminated. */
	assert_int_equal(idprov_file_read(path, 10, &got, &len, &err),
	    IDPROV_OK);
	assert_int_equal(len, 10);
	assert_string_equal(got, "0123456789");
	free(got);
	/* One byte over is refused, with nothing handed out. */
	idprov_error_clear(&err);
	assert_int_equal(idprov_file_read(path, 9, &got, &len, &err),
	    IDPROV_ERR_TOO_LARGE);
	assert_null(got);
	assert_int_equal(err.status, IDPROV_ERR_TOO_LARGE);
	assert_non_null(strstr(err.msg, "ten"));
	/* A large limit with a small file reads it whole. */
	assert_int_equal(idprov_file_read(path, SIZE_MAX, &got, &len, &err),
	    IDPROV_OK);
	assert_int_equal(len, 10);
	free(got);
	free(path);
}

static void
crypto_fileio_read_large_file(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "big");
	size_t n = 300000, len = 0;
	char *data = malloc(n), *got = NULL;
	idprov_error err;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(idprov_file_write_atomic(path, data, n, 0644, &err),
	    IDPROV_OK);
	assert_int_equal(idprov_file_read(path, n, &got, &len, &err),
	    IDPROV_OK);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	free(got);
	assert_int_equal(idprov_file_read(path, n - 1, &got, &len, &err),
	    IDPROV_ERR_TOO_LARGE);
	free(data);
	free(path);
}

static void
crypto_fileio_read_not_found(void **state)
{
	const char *dir = *state;
	char *path = scratch_path(dir, "absent.pem");
	idprov_error err;
	char *got = NULL;

	idprov_error_clear(&err);
	assert_int_equal(idprov_file_read(path, 100, &got, NULL, &err),
	    IDPROV_ERR_NOT_FOUND);
	assert_null(got);
	assert_non_null(strstr(err.msg, "absent.pem"));
	/* A folder is not a file: an I/O error, not a crash. */
	assert_int_equal(idprov_file_read(dir, 100, &got, NULL, &err),
	    IDPROV_ERR_IO);
	assert_null(got);
	free(path);
}

static void
crypto_fileio_mkdir_p(void **state)
{
	const char *dir = *state;
	char *deep = scratch_path(dir, "a/b//c/");
	char *c = scratch_path(dir, "a/b/c");
	char *file = scratch_path(dir, "a/file");
	char *under_file = scratch_path(dir, "a/file/x");
	idprov_error err;
	mode_t old = umask(022);

	assert_int_equal(idprov_mkdir_p(deep, 0700, &err), IDPROV_OK);
	assert_int_equal(mode_of(c), 0700);
	/* Again: existing folders are fine. */
	assert_int_equal(idprov_mkdir_p(c, 0700, &err), IDPROV_OK);
	/* A file in the way is an error naming it. */
	assert_int_equal(idprov_file_write_atomic(file, "x", 1, 0644, &err),
	    IDPROV_OK);
	idprov_error_clear(&err);
	assert_int_not_equal(idprov_mkdir_p(under_file, 0700, &err),
	    IDPROV_OK);
	assert_non_null(strstr(err.msg, "file"));
	assert_int_not_equal(idprov_mkdir_p(file, 0700, &err), IDPROV_OK);
	umask(old);
	free(deep);
	free(c);
	free(file);
	free(under_file);
}

/* The first line over the limit is named; the newline does not count. */
static void
crypto_fileio_text_long_line(void **state)
{
	(void)state;
	assert_int_equal(idprov_text_long_line("", 3), 0);
	assert_int_equal(idprov_text_long_line("abc\nabc\n", 3), 0);
	assert_int_equal(idprov_text_long_line("abc\nabcd\nx\n", 3), 2);
	assert_int_equal(idprov_text_long_line("a\n\nabcd", 3), 3);
	assert_int_equal(idprov_text_long_line("\n\n\nabc", 3), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_write_content_mode_no_leftover, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_write_empty_and_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_write_missing_folder_leaves_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_write_rejects_folder_names, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_write_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_rename_failure_cleans_up, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_crash_before_rename_keeps_old, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    crypto_fileio_crash_hook_only_for_named_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(crypto_fileio_read_limits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_fileio_read_large_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_fileio_read_not_found,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(crypto_fileio_mkdir_p, setup,
		    teardown),
		cmocka_unit_test(crypto_fileio_text_long_line),
	};

	return cmocka_run_group_tests_name("crypto_fileio", tests, NULL, NULL);
}
