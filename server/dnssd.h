/*
 * dnssd.h - publish idprovd as _idprov._tcp through the system's Avahi
 * daemon (WIRE.md "Discovery").  Runs its own Avahi threaded poll, so it
 * never blocks the HTTP workers.
 */
#ifndef IDPROVD_DNSSD_H
#define IDPROVD_DNSSD_H

#include "config.h"
#include "../lib/core/error.h"

typedef struct srv_dnssd srv_dnssd;

/*
 * Start publishing `port` with TXT path=<directory path> under the
 * instance name cfg->dnssd_name (another name is taken on a collision;
 * published again when avahi-daemon restarts).  When no Avahi daemon
 * runs: with cfg->dnssd_required, IDPROV_ERR_NETWORK; otherwise one
 * warning is logged, *out is still set, and IDPROV_OK is returned.
 */
idprov_status srv_dnssd_start(const srv_config *cfg, unsigned short port,
    srv_dnssd **out, idprov_error *err);

/* Withdraw the service and stop.  NULL is fine. */
void srv_dnssd_stop(srv_dnssd *d);

#endif
