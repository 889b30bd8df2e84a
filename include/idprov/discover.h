/*
 * idprov/discover.h - find IDProv servers on the local network by DNS-SD
 * (service type _idprov._tcp, TXT path=... or directory=...), through the
 * system's Avahi daemon.
 */
#ifndef IDPROV_DISCOVER_H
#define IDPROV_DISCOVER_H

#include <stddef.h>
#include <idprov/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IDPROV_SERVICE_TYPE "_idprov._tcp"

typedef struct idprov_found_server {
	char instance[64];	/* DNS-SD instance name, e.g. "idprov" */
	char host[256];		/* host name the service resolved to */
	char address[64];	/* "192.0.2.1", "fe80::1" (no brackets) */
	char ifname[32];	/* interface, for link-local IPv6; else "" */
	unsigned short port;
	char path[256];		/* directory path from TXT, or the default */
	char url[512];		/* https://ADDRESS:PORT + path; IPv6 in [],
				 * link-local with %25ifname */
} idprov_found_server;

/*
 * Browse and resolve for at most timeout_ms milliseconds and return every
 * server found (*found is malloc'd; free() it; *n_found may be 0 with
 * IDPROV_ERR_NOT_FOUND).  IDPROV_ERR_NETWORK when no Avahi daemon runs.
 * errbuf (may be NULL) receives one sentence on failure.
 */
idprov_status idprov_discover(int timeout_ms, idprov_found_server **found,
    size_t *n_found, char *errbuf, size_t errbuf_len);

#ifdef __cplusplus
}
#endif
#endif
