/*
 * fuzz_timeutil.c - RFC 3339 times (validUntil) and durations (flags and
 * configuration).
 *
 * A time that parses must format to the fixed 20-character UTC form and,
 * within the years 0000-9999 the format clamps to (an offset can carry a
 * parsed time just outside them), parse back to the same instant; a
 * duration that parses is positive.  A refusal always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, out[21];
	time_t t = 0, again = 0;
	long long secs = 0;
	idprov_error err;

	text = strndup((const char *)data, size);
	if (text == NULL)
		abort();
	if (idprov_time_parse(text, &t, &err) == IDPROV_OK) {
		memset(out, 'x', sizeof(out));
		idprov_time_format(t, out);
		if (strlen(out) != 20 || out[19] != 'Z' || out[10] != 'T')
			abort();
		if (idprov_time_parse(out, &again, &err) != IDPROV_OK)
			abort();
		if ((long long)t >= -62167219200LL &&
		    (long long)t <= 253402300799LL && again != t)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	if (idprov_duration_parse(text, &secs, &err) == IDPROV_OK) {
		if (secs <= 0)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(text);
	return 0;
}
