/*
 * validity.h - --valid-for DURATION / --valid-until TIME, shared by the
 * commands that post secrets.
 */
#ifndef IDPROVCTL_VALIDITY_H
#define IDPROVCTL_VALIDITY_H

#include "opts.h"

/*
 * The validUntil to send, from --valid-for (now + duration) or
 * --valid-until (an RFC 3339 time in the future), as "YYYY-MM-DDTHH:MM:SSZ"
 * into out (at least 21 bytes); "" when neither is given (the server's
 * default).  Returns 0, or the usage exit code after printing why.
 */
int ctl_validity_from_args(const ctl_args *a, const char *cmd, char out[32]);

#endif
