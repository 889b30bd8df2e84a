/*
 * ctl_settings.c - where idprovctl's connection settings come from:
 * options > environment > config file > defaults, and the config file's
 * `key = value` format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "settings.h"

static char dir[256];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void clear_env(void)
{
	unsetenv("IDPROV_SERVER");
	unsetenv("IDPROV_CERT");
	unsetenv("IDPROV_KEY");
	unsetenv("IDPROV_CA");
	unsetenv("IDPROV_CONFIG");
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ctl_settings.XXXXXX");
	assert_non_null(mkdtemp(dir));
	clear_env();
	/* no default file is found: HOME and XDG point at an empty folder */
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void defaults_without_anything(void **state)
{
	ctl_settings_flags fl = { 0 };
	ctl_settings s;

	(void)state;
	clear_env();
	assert_int_equal(ctl_settings_resolve(&fl, &s, NULL), IDPROV_OK);
	assert_string_equal(s.server, CTL_DEFAULT_SERVER);
	assert_string_equal(s.cert, "");
	assert_string_equal(s.config_file, "");
}

static void file_then_env_then_flags(void **state)
{
	char conf[300], want[400];
	ctl_settings_flags fl = { 0 };
	ctl_settings s;
	idprov_error err;

	(void)state;
	clear_env();
	snprintf(conf, sizeof(conf), "%s/admin.conf", dir);
	write_file(conf, "# idprovctl\n"
	    "server = hub.example:43776/\n"
	    "cert = admin.pem\n"
	    "key=/abs/admin.key\n"
	    "; a comment\n"
	    "ca = ca.pem\n");
	fl.config = conf;
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err), IDPROV_OK);
	assert_string_equal(s.server, "https://hub.example:43776");
	snprintf(want, sizeof(want), "%s/admin.pem", dir);
	assert_string_equal(s.cert, want);	/* relative to the file */
	assert_string_equal(s.key, "/abs/admin.key");
	assert_string_equal(s.config_file, conf);

	setenv("IDPROV_SERVER", "https://env:1", 1);
	setenv("IDPROV_CERT", "env.pem", 1);
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err), IDPROV_OK);
	assert_string_equal(s.server, "https://env:1");
	assert_string_equal(s.cert, "env.pem");
	snprintf(want, sizeof(want), "%s/ca.pem", dir);
	assert_string_equal(s.ca, want);	/* still from the file */

	fl.server = "https://flag:2";
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err), IDPROV_OK);
	assert_string_equal(s.server, "https://flag:2");
	assert_string_equal(s.cert, "env.pem");

	/* $IDPROV_CONFIG names the file when --config does not */
	fl.config = NULL;
	fl.server = NULL;
	clear_env();
	setenv("IDPROV_CONFIG", conf, 1);
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err), IDPROV_OK);
	assert_string_equal(s.server, "https://hub.example:43776");
	clear_env();
}

static void default_file_location(void **state)
{
	char folder[300], conf[340];
	ctl_settings_flags fl = { 0 };
	ctl_settings s;

	(void)state;
	clear_env();
	snprintf(folder, sizeof(folder), "%s/idprov", dir);
	mkdir(folder, 0700);
	snprintf(conf, sizeof(conf), "%s/admin.conf", folder);
	write_file(conf, "server = https://xdg:3\n");
	assert_int_equal(ctl_settings_resolve(&fl, &s, NULL), IDPROV_OK);
	assert_string_equal(s.server, "https://xdg:3");
	unlink(conf);
}

static void bad_files(void **state)
{
	char conf[300];
	ctl_settings_flags fl = { 0 };
	ctl_settings s;
	idprov_error err;

	(void)state;
	clear_env();
	snprintf(conf, sizeof(conf), "%s/bad.conf", dir);
	fl.config = conf;
	write_file(conf, "server = https://a:1\nport = 5\n");
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "unknown key 'port'"));
	write_file(conf, "[admin]\nserver = https://a:1\n");
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "[admin]"));
	write_file(conf, "server = https://a:1\nthis line has no equals\n");
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "line 2"));
	write_file(conf, "server = http://plain:80\n");
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "HTTPS"));
	/* a file named on purpose must exist */
	snprintf(conf, sizeof(conf), "%s/missing.conf", dir);
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "missing.conf"));
}

/* Files that are not config files: refused with a sentence naming them,
 * never read as empty (a folder) or read forever (/dev/zero). */
static void not_regular_files(void **state)
{
	char conf[340];
	ctl_settings_flags fl = { 0 };
	ctl_settings s;
	idprov_error err;
	FILE *f;

	(void)state;
	clear_env();
	fl.config = "/dev/zero";
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "/dev/zero is a device"));
	fl.config = dir;
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "is a folder"));
	snprintf(conf, sizeof(conf), "%s/nul.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	{
		static const char text[] = "server = https://a:1\n\0port = 5\n";

		assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f),
		    sizeof(text) - 1);
	}
	fclose(f);
	fl.config = conf;
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "line 2: a NUL byte"));
	unlink(conf);
	/* the default file too, though it need not exist */
	fl.config = NULL;
	snprintf(conf, sizeof(conf), "%s/idprov", dir);
	mkdir(conf, 0700);
	snprintf(conf, sizeof(conf), "%s/idprov/admin.conf", dir);
	assert_int_equal(mkdir(conf, 0700), 0);
	assert_int_equal(ctl_settings_resolve(&fl, &s, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "admin.conf is a folder"));
	rmdir(conf);
}

static void url_forms(void **state)
{
	char out[100];

	(void)state;
	assert_int_equal(ctl_server_url_normalise("127.0.0.1:43776", out,
	    sizeof(out), NULL), IDPROV_OK);
	assert_string_equal(out, "https://127.0.0.1:43776");
	assert_int_equal(ctl_server_url_normalise("HTTPS://[::1]:5//", out,
	    sizeof(out), NULL), IDPROV_OK);
	assert_string_equal(out, "HTTPS://[::1]:5");
	assert_int_equal(ctl_server_url_normalise("https://", out, sizeof(out),
	    NULL), IDPROV_ERR_INVALID);
	assert_int_equal(ctl_server_url_normalise("ftp://x", out, sizeof(out),
	    NULL), IDPROV_ERR_INVALID);
	assert_int_equal(ctl_server_url_normalise("https://a b", out,
	    sizeof(out), NULL), IDPROV_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_anything),
		cmocka_unit_test(file_then_env_then_flags),
		cmocka_unit_test(default_file_location),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(not_regular_files),
		cmocka_unit_test(url_forms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
