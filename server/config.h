/*
 * config.h - idprovd's settings: defaults, then the INI file (inih), then
 * flags; a flag beats the file.
 */
#ifndef IDPROVD_CONFIG_H
#define IDPROVD_CONFIG_H

#include <stddef.h>

#define SRV_MAX_LISTEN 8
#define SRV_MAX_SERVICES 32

typedef struct srv_service {
	char name[64];
	char url[512];
} srv_service;

typedef struct srv_config {
	char config_file[4096];	/* "" when none was given */
	/* files */
	char ca_dir[4096];	/* holds ca.pem ca.key server.pem server.key */
	char ca_cert[4096];	/* default: ca_dir/ca.pem */
	char ca_key[4096];	/* default: ca_dir/ca.key */
	char server_cert[4096];	/* default: ca_dir/server.pem */
	char server_key[4096];	/* default: ca_dir/server.key */
	char db_path[4096];	/* default: ./idprov.db (or StateDirectory) */
	char ready_file[4096];	/* if set: "ADDR:PORT\n" written once listening */
	/* network */
	char listen[SRV_MAX_LISTEN][300];	/* "127.0.0.1:43776", "[::]:43776" */
	size_t n_listen;	/* 0 -> "[::]:43776" and "0.0.0.0:43776" */
	int workers;		/* 0 -> one per core */
	int max_connections;	/* per process; default 1024 */
	int read_timeout_sec;	/* default 10 */
	int idle_timeout_sec;	/* default 30 */
	/* protocol */
	long cert_validity_sec;	/* default 7 days */
	long retry_sec;		/* Waiting retry; default 30 */
	long oob_default_sec;	/* default OOB lifetime; 3 days */
	long oob_max_sec;	/* the longest validUntil accepted; 30 days */
	int lockout_after;	/* wrong signatures before the secret is
				 * discarded; default 5 */
	long crl_days;		/* CRL nextUpdate; default 7 */
	int renew_unknown_certificates;	/* a CA-signed iotdevice certificate
				 * with no registry row may renew; default 0 */
	srv_service services[SRV_MAX_SERVICES];	/* directory "services" */
	size_t n_services;
	/* discovery */
	int dnssd_enable;	/* default 1 */
	int dnssd_required;	/* default 0: a missing Avahi is a warning */
	char dnssd_name[64];	/* instance name; default "idprov" */
	/* logs */
	int log_level;		/* 0 error, 1 warn, 2 info, 3 debug; default 2 */
} srv_config;

/* Defaults into cfg. */
void srv_config_defaults(srv_config *cfg);

#endif
