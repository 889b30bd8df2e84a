/*
 * test_timeutil.c - RFC 3339 times and durations.
 */
#include "core_test.h"
#include "lib/core/timeutil.h"

static void
expect_time(const char *s, long long want)
{
	idprov_error err;
	time_t t = 0;

	if (idprov_time_parse(s, &t, &err) != IDPROV_OK) {
		print_error("expected \"%s\" to parse: %s\n", s, err.msg);
		fail();
	}
	if ((long long)t != want) {
		print_error("\"%s\": expected %lld, got %lld\n", s, want,
		    (long long)t);
		fail();
	}
}

static void
expect_time_refused(const char *s)
{
	idprov_error err;
	time_t t = 12345;

	if (idprov_time_parse(s, &t, &err) != IDPROV_ERR_INVALID) {
		print_error("expected \"%s\" to be refused\n", s);
		fail();
	}
	assert_int_equal(t, 12345);
	assert_msg_has(err.msg, "time");
}

static void
time_parse_rfc3339(void **state)
{
	(void)state;
	expect_time("1970-01-01T00:00:00Z", 0);
	expect_time("2026-12-01T00:00:00Z", 1796083200);
	expect_time("2026-12-01T01:00:00+01:00", 1796083200);
	expect_time("2026-11-30T19:00:00-05:00", 1796083200);
	expect_time("2026-12-01T05:30:00+05:30", 1796083200);
	expect_time("2026-12-01T00:00:00.5Z", 1796083200);
	expect_time("2026-12-01T00:00:00.999999999+00:00", 1796083200);
	expect_time("2024-02-29T12:00:00Z", 1709208000);
	expect_time("2000-02-29T00:00:00Z", 951782400);
	expect_time("1969-12-31T23:59:59Z", -1);
	expect_time("2038-01-19T03:14:08Z", 2147483648LL);
	expect_time("9999-12-31T23:59:59Z", 253402300799LL);
}

static void
time_parse_refusals(void **state)
{
	(void)state;
	expect_time_refused("");
	expect_time_refused(NULL);
	expect_time_refused("2026-12-01");
	expect_time_refused("2026-12-01T00:00:00");		/* no zone */
	expect_time_refused("2026-12-01 00:00:00Z");
	expect_time_refused("2026-12-01t00:00:00Z");
	expect_time_refused("2026-12-01T00:00:00z");
	expect_time_refused("2026-12-01T00:00Z");
	expect_time_refused("2026-12-01T00:00:00.Z");
	expect_time_refused("2026-12-01T00:00:00+0100");
	expect_time_refused("2026-12-01T00:00:00+24:00");
	expect_time_refused("2026-12-01T00:00:00+01:60");
	expect_time_refused("2026-12-01T00:00:00Z ");
	expect_time_refused(" 2026-12-01T00:00:00Z");
	expect_time_refused("2026-13-01T00:00:00Z");
	expect_time_refused("2026-00-01T00:00:00Z");
	expect_time_refused("2026-02-29T00:00:00Z");		/* not leap */
	expect_time_refused("1900-02-29T00:00:00Z");
	expect_time_refused("2026-04-31T00:00:00Z");
	expect_time_refused("2026-12-00T00:00:00Z");
	expect_time_refused("2026-12-01T24:00:00Z");
	expect_time_refused("2026-12-01T00:60:00Z");
	expect_time_refused("2026-12-01T00:00:60Z");
	expect_time_refused("+2026-12-01T00:00:00Z");
	expect_time_refused("20261-12-01T00:00:00Z");
	expect_time_refused("2026-1-01T00:00:00Z");
}

static void
time_format_and_back(void **state)
{
	static const long long samples[] = { 0, 1, -1, 951782400, 1709208000,
	    1796083200, 2147483648LL, 253402300799LL };
	char out[21];
	size_t i;

	(void)state;
	idprov_time_format(1796083200, out);
	assert_string_equal(out, "2026-12-01T00:00:00Z");
	idprov_time_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	idprov_time_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	idprov_time_format(1709251199, out);
	assert_string_equal(out, "2024-02-29T23:59:59Z");
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		time_t t = 0;

		idprov_time_format((time_t)samples[i], out);
		assert_int_equal(strlen(out), 20);
		assert_int_equal(idprov_time_parse(out, &t, NULL), IDPROV_OK);
		assert_int_equal((long long)t, samples[i]);
	}
	/* Beyond year 9999 the text is clamped, never longer. */
	idprov_time_format((time_t)999999999999LL, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void
expect_duration(const char *s, long long want)
{
	idprov_error err;
	long long got = 0;

	if (idprov_duration_parse(s, &got, &err) != IDPROV_OK) {
		print_error("expected \"%s\" to parse: %s\n", s, err.msg);
		fail();
	}
	assert_int_equal(got, want);
}

static void
expect_duration_refused(const char *s)
{
	idprov_error err;
	long long got = 77;

	if (idprov_duration_parse(s, &got, &err) != IDPROV_ERR_INVALID) {
		print_error("expected duration \"%s\" to be refused\n", s);
		fail();
	}
	assert_int_equal(got, 77);
	assert_msg_has(err.msg, "duration");
}

static void
duration_parse(void **state)
{
	(void)state;
	expect_duration("30s", 30);
	expect_duration("10m", 600);
	expect_duration("2h", 7200);
	expect_duration("3d", 259200);
	expect_duration("1w", 604800);
	expect_duration("1h30m", 5400);
	expect_duration("1d2h3m4s", 93784);
	expect_duration("3600", 3600);
	expect_duration("1", 1);
	expect_duration("90m", 5400);
	expect_duration("0h1s", 1);
}

static void
duration_refusals(void **state)
{
	(void)state;
	expect_duration_refused("");
	expect_duration_refused(NULL);
	expect_duration_refused("0");
	expect_duration_refused("0s");
	expect_duration_refused("0h0m");
	expect_duration_refused("-5s");
	expect_duration_refused("+5s");
	expect_duration_refused("s");
	expect_duration_refused("1h30");	/* a bare number only alone */
	expect_duration_refused("5x");
	expect_duration_refused("5 s");
	expect_duration_refused(" 5s");
	expect_duration_refused("5S");
	expect_duration_refused("1.5h");
	expect_duration_refused("99999999999999999999");
	expect_duration_refused("9999999999999999w");
	expect_duration_refused("9223372036854775807s1s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(time_parse_rfc3339),
		cmocka_unit_test(time_parse_refusals),
		cmocka_unit_test(time_format_and_back),
		cmocka_unit_test(duration_parse),
		cmocka_unit_test(duration_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
