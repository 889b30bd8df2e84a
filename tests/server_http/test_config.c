/*
 * test_config.c - idprovd's flag and INI parsing (server/config.c):
 * durations, listen addresses, precedence, and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "server/config.h"
#include "server/config_load.h"

static char tmpdir[512];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/srvcfg.XXXXXX",
	    base != NULL ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *name, const char *text, char *path, size_t pathsz)
{
	FILE *f;

	snprintf(path, pathsz, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Run srv_config_from_args on a NULL-terminated list of arguments. */
static int
run(srv_config *cfg, idprov_error *err, ...)
{
	char *argv[32];
	int argc = 0;
	srv_cfg_action action;
	va_list ap;

	argv[argc++] = "idprovd";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	idprov_error_clear(err);
	return srv_config_from_args(cfg, argc, argv, &action, err);
}

static void
durations(void **state)
{
	long s;

	(void)state;
	assert_int_equal(srv_duration_parse("30s", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(srv_duration_parse("7d", &s), 0);
	assert_int_equal(s, 7 * 86400);
	assert_int_equal(srv_duration_parse("1h30m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(srv_duration_parse("2w", &s), 0);
	assert_int_equal(s, 14 * 86400);
	assert_int_equal(srv_duration_parse("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(srv_duration_parse("", &s), -1);
	assert_int_equal(srv_duration_parse("0s", &s), -1);
	assert_int_equal(srv_duration_parse("5x", &s), -1);
	assert_int_equal(srv_duration_parse("-5s", &s), -1);
	assert_int_equal(srv_duration_parse("1h30", &s), -1);
	assert_int_equal(srv_duration_parse("d", &s), -1);
	assert_int_equal(srv_duration_parse("99999999999999999999s", &s), -1);
	assert_int_equal(srv_duration_parse("200y", &s), -1);
}

static void
listen_addresses(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	(void)state;
	assert_int_equal(srv_listen_parse("127.0.0.1:43776", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 43776);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(srv_listen_parse("[::1]:0", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 0);
	assert_int_equal(srv_listen_parse("*:8443", &ss, &len), 0);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(srv_listen_parse("[::]:43776", &ss, &len), 0);
	assert_int_equal(srv_listen_parse("localhost:43776", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("127.0.0.1", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("127.0.0.1:65536", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("127.0.0.1:-1", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("127.0.0.1:80x", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("::1:43776", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("[::1]43776", &ss, &len), -1);
	assert_int_equal(srv_listen_parse("[]:1", &ss, &len), -1);
	assert_int_equal(srv_listen_parse(":1", &ss, &len), -1);
}

static void
defaults_and_derived_paths(void **state)
{
	srv_config cfg;
	idprov_error err;
	char path[600];

	(void)state;
	assert_int_equal(run(&cfg, &err, "--ca-dir", tmpdir, NULL), 0);
	assert_int_equal(cfg.n_listen, 0);
	assert_int_equal(cfg.max_connections, 1024);
	assert_int_equal(cfg.read_timeout_sec, 10);
	assert_int_equal(cfg.idle_timeout_sec, 30);
	assert_int_equal(cfg.cert_validity_sec, 7L * 86400);
	assert_int_equal(cfg.dnssd_enable, 1);
	assert_string_equal(cfg.dnssd_name, "idprov");
	assert_string_equal(cfg.db_path, "./idprov.db");
	snprintf(path, sizeof(path), "%s/server.key", tmpdir);
	assert_string_equal(cfg.server_key, path);
	snprintf(path, sizeof(path), "%s/ca.pem", tmpdir);
	assert_string_equal(cfg.ca_cert, path);
}

static void
flag_beats_file(void **state)
{
	srv_config cfg;
	idprov_error err;
	char ini[600], text[1200];

	(void)state;
	snprintf(text, sizeof(text),
	    "[server]\nlisten = 127.0.0.1:1\nlisten = [::1]:1\n"
	    "workers = 3\nread_timeout = 1m\n"
	    "[tls]\nca_dir = %s\ncert = /file/server.pem\n"
	    "[provisioning]\nvalidity = 2d\nretry = 45s\nlockout_after = 7\n"
	    "[dnssd]\nenabled = no\nname = from-file\n"
	    "[log]\nlevel = debug\n"
	    "[services]\nmqtt = mqtts://file:8883\nweb = https://file/\n",
	    tmpdir);
	write_file("a.ini", text, ini, sizeof(ini));
	assert_int_equal(run(&cfg, &err, "--config", ini, "--listen",
	    "127.0.0.1:0", "--validity", "1d", "--service",
	    "mqtt=mqtts://flag:8883", "--log-level", "warn", NULL), 0);
	/* The flag's --listen replaces both of the file's. */
	assert_int_equal(cfg.n_listen, 1);
	assert_string_equal(cfg.listen[0], "127.0.0.1:0");
	assert_int_equal(cfg.workers, 3);
	assert_int_equal(cfg.read_timeout_sec, 60);
	assert_int_equal(cfg.cert_validity_sec, 86400);
	assert_int_equal(cfg.retry_sec, 45);
	assert_int_equal(cfg.lockout_after, 7);
	assert_int_equal(cfg.dnssd_enable, 0);
	assert_string_equal(cfg.dnssd_name, "from-file");
	assert_int_equal(cfg.log_level, 1);
	assert_string_equal(cfg.server_cert, "/file/server.pem");
	assert_int_equal(cfg.n_services, 2);
	assert_string_equal(cfg.services[0].name, "mqtt");
	assert_string_equal(cfg.services[0].url, "mqtts://flag:8883");
	assert_string_equal(cfg.services[1].url, "https://file/");
}

static void
bad_files_name_the_line(void **state)
{
	srv_config cfg;
	idprov_error err;
	char ini[600];

	(void)state;
	write_file("b.ini", "[server]\n\nworkers = 2\nlisten_adress = x\n", ini,
	    sizeof(ini));
	assert_int_equal(run(&cfg, &err, "--config", ini, "--ca-dir", tmpdir,
	    NULL), 1);
	assert_non_null(strstr(err.msg, "line 4"));
	assert_non_null(strstr(err.msg, "listen_adress"));

	write_file("c.ini", "[server]\nmax_connections = 0\n", ini, sizeof(ini));
	assert_int_equal(run(&cfg, &err, "--config", ini, "--ca-dir", tmpdir,
	    NULL), 1);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "max_connections"));

	write_file("d.ini", "[dnssd]\nenabled = maybe\n", ini, sizeof(ini));
	assert_int_equal(run(&cfg, &err, "--config", ini, "--ca-dir", tmpdir,
	    NULL), 1);
	assert_non_null(strstr(err.msg, "yes or no"));

	write_file("e.ini", "[services]\nbad name = x\n", ini, sizeof(ini));
	assert_int_equal(run(&cfg, &err, "--config", ini, "--ca-dir", tmpdir,
	    NULL), 1);
	assert_non_null(strstr(err.msg, "line 2"));
}

static void
bad_flags_are_usage_errors(void **state)
{
	srv_config cfg;
	idprov_error err;

	(void)state;
	assert_int_equal(run(&cfg, &err, "--bogus", NULL), 2);
	assert_non_null(strstr(err.msg, "--bogus"));
	assert_int_equal(run(&cfg, &err, "--workers", "-1", NULL), 2);
	assert_int_equal(run(&cfg, &err, "--workers", "257", NULL), 2);
	assert_int_equal(run(&cfg, &err, "--read-timeout", "2h", NULL), 2);
	assert_int_equal(run(&cfg, &err, "--service", "novalue", NULL), 2);
	assert_int_equal(run(&cfg, &err, "--log-level", "loud", NULL), 2);
	assert_int_equal(run(&cfg, &err, "stray", NULL), 2);
	assert_int_equal(run(&cfg, &err, "--listen", "1.2.3.4:1", "--listen",
	    "1.2.3.4:2", "--listen", "1.2.3.4:3", "--listen", "1.2.3.4:4",
	    "--listen", "1.2.3.4:5", "--listen", "1.2.3.4:6", "--listen",
	    "1.2.3.4:7", "--listen", "1.2.3.4:8", "--listen", "1.2.3.4:9",
	    NULL), 2);
	/* No CA at all, or a missing folder: a configuration error. */
	assert_int_equal(run(&cfg, &err, NULL), 1);
	assert_non_null(strstr(err.msg, "--ca-dir"));
	assert_int_equal(run(&cfg, &err, "--ca-dir", "/nonexistent/ca", NULL),
	    1);
	assert_non_null(strstr(err.msg, "/nonexistent/ca"));
}

static void
help_and_version(void **state)
{
	srv_config cfg;
	srv_cfg_action action;
	idprov_error err;
	char *argv[] = { "idprovd", "--bogus", "--help", NULL };
	char *argv2[] = { "idprovd", "--version", NULL };

	(void)state;
	/* Flags are read in order: a bad flag before --help is reported. */
	assert_int_equal(srv_config_from_args(&cfg, 3, argv, &action, &err), 2);
	assert_int_equal(srv_config_from_args(&cfg, 2, argv2, &action, &err), 0);
	assert_int_equal(action, SRV_CFG_VERSION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(listen_addresses),
		cmocka_unit_test(defaults_and_derived_paths),
		cmocka_unit_test(flag_beats_file),
		cmocka_unit_test(bad_files_name_the_line),
		cmocka_unit_test(bad_flags_are_usage_errors),
		cmocka_unit_test(help_and_version),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
