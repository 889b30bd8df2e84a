/*
 * validity.c - how long a posted secret stays usable.
 */
#include <time.h>

#include "ctl.h"
#include "validity.h"
#include "lib/core/timeutil.h"

int ctl_validity_from_args(const ctl_args *a, const char *cmd, char out[32])
{
	const char *vf = ctl_arg(a, "valid-for");
	const char *vu = ctl_arg(a, "valid-until");
	idprov_error err;
	time_t t;

	out[0] = '\0';
	idprov_error_clear(&err);
	if (vf && vu)
		return ctl_usage_error(cmd, "give --valid-for or --valid-until, "
		    "not both");
	if (vf) {
		long long secs;

		if (idprov_duration_parse(vf, &secs, &err) != IDPROV_OK)
			return ctl_usage_error(cmd, "--valid-for: %s", err.msg);
		idprov_time_format(time(NULL) + (time_t)secs, out);
	} else if (vu) {
		if (idprov_time_parse(vu, &t, &err) != IDPROV_OK)
			return ctl_usage_error(cmd, "--valid-until: %s",
			    err.msg);
		if (t <= time(NULL))
			return ctl_usage_error(cmd, "--valid-until %s is in "
			    "the past", vu);
		idprov_time_format(t, out);
	}
	return 0;
}
