/*
 * idprov/idprov.h - the device side of IDProv: get a client certificate
 * from an IDProv server with a one-time out-of-band (OOB) secret, keep it,
 * and renew it over mutual TLS.
 *
 * One opaque handle, idprov_client, per device identity and state folder.
 * Every call returns an idprov_status (IDPROV_OK is 0); on failure
 * idprov_client_errmsg() gives one plain sentence saying what went wrong.
 * A handle is not thread-safe: use it from one thread at a time.
 *
 * The state folder holds (names fixed; the deviceID is never used to build
 * a path):
 *   key.pem   the device's private key, EC P-256, PKCS#8 PEM, mode 0600;
 *             generated once on the first provisioning and reused
 *   cert.pem  the device's current certificate (CN = deviceID)
 *   ca.pem    the server's CA; once present, the server is always verified
 *             against it (and never against the system's CAs)
 *   server.url the URL the certificate came from, so renewals find it
 * Every file is written to a temporary file, fsync'd and renamed, so a
 * crash leaves either the old file or the new one.  key.next.pem exists
 * only for a moment during a key rotation, .ca.pem.new, .server.url.new
 * and .cert.pem.new while an approval is saved (all three are staged
 * before any is put in place; the next call finishes or discards a save
 * that was interrupted).
 *
 * Typical use:
 *     idprov_client *c;
 *     if (idprov_client_new(&c, "sensor-17", "/var/lib/idprov") != IDPROV_OK)
 *             ...;  (on failure *c may still be set: read the message, free)
 *     idprov_client_set_server(c, "https://hub.local:43776");
 *     if (idprov_client_provision(c, secret, strlen(secret),
 *         time(NULL) + 600) != IDPROV_OK)
 *             fprintf(stderr, "%s\n", idprov_client_errmsg(c));
 *     idprov_client_free(c);
 */
#ifndef IDPROV_IDPROV_H
#define IDPROV_IDPROV_H

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <idprov/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idprov_client idprov_client;

/*
 * Create a client for device_id (1-64 bytes of UTF-8, no control
 * characters) keeping its files in state_dir (created with mode 0700 by
 * the first provisioning).  device_id NULL: the CN of the saved
 * certificate.  Nothing is read from the network.  On failure other than
 * IDPROV_ERR_NOMEM, *out is still set so that idprov_client_errmsg() can
 * say why; free it with idprov_client_free().
 */
idprov_status idprov_client_new(idprov_client **out, const char *device_id,
    const char *state_dir);

/* Free the client and everything it holds (NULL is fine). */
void idprov_client_free(idprov_client *c);

/*
 * The sentence that goes with the last failing call, "" after a success.
 * Never NULL, never contains the OOB secret.  Valid until the next call.
 */
const char *idprov_client_errmsg(const idprov_client *c);

/*
 * Use this server: "https://HOST[:PORT]" (the directory is then
 * /idprov/directory) or the full directory URL "https://HOST:PORT/PATH".
 * Only https URLs are accepted.  NULL forgets a URL set earlier: the
 * client then uses server.url from the state folder if there is one, or
 * else discovers a server by DNS-SD (see idprov/discover.h).
 */
idprov_status idprov_client_set_server(idprov_client *c, const char *url);

/*
 * The server URL the client would use now (set, saved or discovered by the
 * last call), or "" if none is known yet.
 */
const char *idprov_client_server(const idprov_client *c);

/*
 * Timeout of one HTTPS exchange (connect, TLS, request, answer), seconds,
 * 1..3600; default 20.  During idprov_client_provision() with a deadline,
 * each exchange is cut further to the time left before it (at least 1 s).
 */
idprov_status idprov_client_set_timeout(idprov_client *c, long seconds);

/*
 * Stop waiting loops early: when *flag becomes non-zero (e.g. in a SIGTERM
 * handler), provisioning and transfers in progress return
 * IDPROV_ERR_TIMEOUT with "stopped on request" within about a second.
 * NULL removes the flag.
 */
void idprov_client_set_stop_flag(idprov_client *c,
    const volatile sig_atomic_t *flag);

/*
 * Get a certificate with the OOB secret (secret_len bytes, any bytes; the
 * administrator gave the server the same secret).  Fetches the directory,
 * generates key.pem if there is none, sends the signed request and:
 *  - Waiting: asks again after the server's retrySec (default 30 s, +-20 %
 *    jitter) until `deadline` (absolute time; 0 = ask once), then
 *    IDPROV_ERR_TIMEOUT (IDPROV_ERR_WAITING when deadline is 0);
 *  - Rejected: IDPROV_ERR_REJECTED;
 *  - Approved: verifies the response signature with the secret, that the
 *    CA in it is the CA the directory offered, that the server certificate
 *    of the TLS session chains to that CA, and that the certificate is for
 *    our key and our deviceID and valid now; then saves ca.pem, cert.pem
 *    and server.url, all or none.  Any failed check: IDPROV_ERR_UNTRUSTED
 *    and nothing saved.  The save failing (disk full): IDPROV_ERR_IO,
 *    nothing saved, and since the server has spent the one-time secret,
 *    the message says an administrator must post a new one.
 * Server unreachable: retried with exponential backoff (1 s doubling to
 * 60 s, with jitter) until the deadline, then IDPROV_ERR_NETWORK.
 * The deadline bounds the whole call: every HTTPS exchange (connect and
 * total) is cut to the time left before it, a new round is begun only
 * while at least 1 s is left, and an exchange always gets at least 1 s, so
 * the call returns about 1 s after the deadline at the latest (plus a
 * DNS-SD look-up of up to 5 s when no server is set or saved).
 * Without ca.pem the first exchanges cannot verify the server; the checks
 * above close that gap (docs/client.md, "Trust").  With ca.pem, the server
 * must present a certificate of that CA.
 */
idprov_status idprov_client_provision(idprov_client *c, const void *secret,
    size_t secret_len, time_t deadline);

/*
 * Renew the certificate over mutual TLS with the current cert.pem and
 * key.pem, verifying the server against ca.pem; one attempt.  The response
 * must verify with the empty key and pass the same certificate checks as
 * provisioning.  rotate_key != 0: a new key pair is generated and
 * certified; the old pair stays in place until the new certificate is
 * saved.  IDPROV_ERR_EXPIRED when the certificate has expired (a new OOB
 * secret and idprov_client_provision() are needed), IDPROV_ERR_STATE when
 * the device is not provisioned.
 */
idprov_status idprov_client_renew(idprov_client *c, int rotate_key);

/* Summary of the saved certificate, for display and scheduling. */
typedef struct idprov_cert_summary {
	char subject_cn[256];
	char subject_ou[256];
	char issuer_cn[256];
	char serial_hex[80];
	time_t not_before;
	time_t not_after;
	/* When to renew: the server's last retrySec hint (this process) if
	 * any, else two thirds into the validity, both counted from when
	 * cert.pem was saved (servers backdate notBefore). */
	time_t renew_at;
} idprov_cert_summary;

/*
 * Read cert.pem: IDPROV_ERR_NOT_FOUND when the device is not provisioned.
 * Expiry alone: idprov_client_cert_expiry().
 */
idprov_status idprov_client_cert_summary(idprov_client *c,
    idprov_cert_summary *out);
idprov_status idprov_client_cert_expiry(idprov_client *c, time_t *not_after);

/*
 * The server's last retrySec hint in seconds (Waiting: when to ask again;
 * Approved: when to renew), 0 if it sent none.
 */
long idprov_client_retry_hint(const idprov_client *c);

/* Which file of the state folder. */
typedef enum idprov_file {
	IDPROV_FILE_KEY = 0,	/* key.pem */
	IDPROV_FILE_CERT,	/* cert.pem */
	IDPROV_FILE_CA		/* ca.pem */
} idprov_file;

/*
 * Full path of a state file, for handing to a TLS library (e.g. an MQTT
 * client).  Valid as long as the client.  NULL for an unknown value.
 */
const char *idprov_client_path(const idprov_client *c, idprov_file which);

#ifdef __cplusplus
}
#endif
#endif
