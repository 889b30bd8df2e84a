/*
 * ctl_opts.c - idprovctl's command line: options before or after the
 * command words and positional arguments, and the mistakes it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

static const ctl_opt own[] = {
	{ "reason", 1 },
	{ "json", 0 },
	{ NULL, 0 }
};

static void options_after_positionals(void **state)
{
	char *argv[] = { "dev1", "--server", "https://h:1", "--reason=lost",
		"--json", "--cert", "a.pem" };
	ctl_args a;
	idprov_error err;

	(void)state;
	assert_int_equal(ctl_args_parse(7, argv, "revoke", own, 1, &a, &err),
	    IDPROV_OK);
	assert_int_equal(a.n_pos, 1);
	assert_string_equal(a.pos[0], "dev1");
	assert_string_equal(ctl_arg(&a, "server"), "https://h:1");
	assert_string_equal(ctl_arg(&a, "reason"), "lost");
	assert_string_equal(ctl_arg(&a, "cert"), "a.pem");
	assert_true(ctl_flag(&a, "json"));
	assert_null(ctl_arg(&a, "key"));
	assert_false(ctl_flag(&a, "ca"));
}

static void double_dash_ends_options(void **state)
{
	char *argv[] = { "--", "--json", "-" };
	ctl_args a;
	idprov_error err;

	(void)state;
	assert_int_equal(ctl_args_parse(3, argv, "oob set", own, 2, &a, &err),
	    IDPROV_OK);
	assert_int_equal(a.n_pos, 2);
	assert_string_equal(a.pos[0], "--json");
	assert_string_equal(a.pos[1], "-");
	assert_false(ctl_flag(&a, "json"));
}

static void refuses_mistakes(void **state)
{
	char *unknown[] = { "--bogus" };
	char *twice[] = { "--json", "--json" };
	char *novalue[] = { "--reason" };
	char *flagvalue[] = { "--json=yes" };
	char *toomany[] = { "a", "b" };
	char *shortopt[] = { "-x" };
	ctl_args a;
	idprov_error err;

	(void)state;
	assert_int_equal(ctl_args_parse(1, unknown, "revoke", own, 1, &a,
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "--bogus"));
	assert_int_equal(ctl_args_parse(2, twice, "revoke", own, 1, &a, &err),
	    IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "twice"));
	assert_int_equal(ctl_args_parse(1, novalue, "revoke", own, 1, &a,
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "needs a value"));
	assert_int_equal(ctl_args_parse(1, flagvalue, "revoke", own, 1, &a,
	    &err), IDPROV_ERR_INVALID);
	assert_int_equal(ctl_args_parse(2, toomany, "revoke", own, 1, &a,
	    &err), IDPROV_ERR_INVALID);
	assert_non_null(strstr(err.msg, "'b'"));
	assert_int_equal(ctl_args_parse(1, shortopt, "revoke", own, 1, &a,
	    &err), IDPROV_ERR_INVALID);
}

static void help_is_noticed(void **state)
{
	char *argv[] = { "dev1", "-h" };
	ctl_args a;

	(void)state;
	assert_int_equal(ctl_args_parse(2, argv, "revoke", own, 1, &a, NULL),
	    IDPROV_OK);
	assert_true(a.help);
}

static void words_after_connection_options(void **state)
{
	char *argv[] = { "idprovctl", "--server", "https://h:1", "--ca=ca.pem",
		"oob", "set", "dev1", "--valid-for", "3d" };
	int idx[3], n;

	(void)state;
	ctl_words_find(9, argv, 1, idx, 3, &n);
	assert_int_equal(n, 3);
	assert_int_equal(idx[0], 4);
	assert_int_equal(idx[1], 5);
	assert_int_equal(idx[2], 6);
}

static void words_stop_at_command_options(void **state)
{
	char *argv[] = { "idprovctl", "revoke", "--reason", "oob" };
	int idx[3], n;

	(void)state;
	ctl_words_find(4, argv, 1, idx, 3, &n);
	assert_int_equal(n, 1);
	assert_int_equal(idx[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_after_positionals),
		cmocka_unit_test(double_dash_ends_options),
		cmocka_unit_test(refuses_mistakes),
		cmocka_unit_test(help_is_noticed),
		cmocka_unit_test(words_after_connection_options),
		cmocka_unit_test(words_stop_at_command_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
