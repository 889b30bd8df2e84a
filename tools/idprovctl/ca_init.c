/*
 * ca_init.c - `idprovctl ca init`: the three certificates an installation
 * starts from.
 *
 *   ca.pem ca.key          the CA (EC P-256, CA:TRUE pathlen 0, 10 years)
 *   server.pem server.key  idprovd's TLS certificate (serverAuth)
 *   admin.pem admin.key    the first admin's client certificate
 *                          (CN admin, OU admin: the OU idprovd checks)
 *
 * Everything is generated and checked in memory before the first file is
 * written, so a bad option or an OpenSSL failure never leaves half a CA
 * folder behind.  The files are then written into a hidden folder inside
 * --dir and renamed into place only once all of them are on disk, so a
 * full disk or any write error leaves --dir as it was (a rerun needs no
 * --force); a folder this run created is removed again.  An existing CA is only replaced with --force: replacing
 * it silently would orphan every certificate it ever issued.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/x509v3.h>

#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "lib/core/validate.h"
#include "ctl.h"
#include "session.h"

#define CMD		"ca init"
#define CA_DAYS		3650	/* ten years */
#define LEAF_DAYS	397	/* what browsers accept for a TLS server */
#define LEAF_DAYS_MAX	CA_DAYS	/* a leaf cannot usefully outlive its CA */
#define MAX_HOSTS	64
#define CN_MAX		64	/* X.520 upper bound for CN, O, OU */
#define ORG_MAX		(CN_MAX - (int)sizeof(" IDProv CA") + 1)
#define DEFAULT_ORG	"idprov"

typedef struct ca_init_opts {
	const char *dir;
	const char *hosts;	/* comma list as typed, NULL for the default */
	const char *org;
	long days;
	int force;
	int keep_ca;	/* reissue server and admin from the CA in dir */
} ca_init_opts;

typedef struct host_list {
	char *given;			/* copy of --hosts, split in place */
	char hostname[HOST_NAME_MAX + 1];
	char mdns[HOST_NAME_MAX + 8];	/* hostname.local */
	char addr[MAX_HOSTS][INET6_ADDRSTRLEN];
	const char *name[MAX_HOSTS + 1];/* NULL-terminated, for the profile */
	int n;
} host_list;

/* One --name value / --name=value; returns 0, or 2 after a usage error. */
static int
take_value(int argc, char **argv, int *i, const char *eq, const char *name,
    const char **slot)
{
	if (*slot != NULL)
		return ctl_usage_error(CMD, "the option --%s is given twice",
		    name);
	if (eq != NULL) {
		*slot = eq + 1;
	} else {
		if (*i + 1 >= argc)
			return ctl_usage_error(CMD, "the option --%s needs a "
			    "value", name);
		*slot = argv[++*i];
	}
	if (**slot == '\0')
		return ctl_usage_error(CMD, "the option --%s has an empty "
		    "value", name);
	return 0;
}

static int
parse_days(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > LEAF_DAYS_MAX)
		return ctl_usage_error(CMD, "--days must be a whole number "
		    "from 1 to %d, not '%s'", LEAF_DAYS_MAX, s);
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, ca_init_opts *o)
{
	const char *days = NULL;
	int i, rc;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		size_t len;

		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return ctl_usage_error(CMD, "'%s' is not an option of "
			    "ca init (it takes no other arguments)", arg);
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);

#define IS(opt) (len == sizeof(opt) - 1 && strncmp(name, opt, len) == 0)
		if (IS("dir"))
			rc = take_value(argc, argv, &i, eq, "dir", &o->dir);
		else if (IS("hosts"))
			rc = take_value(argc, argv, &i, eq, "hosts", &o->hosts);
		else if (IS("org"))
			rc = take_value(argc, argv, &i, eq, "org", &o->org);
		else if (IS("days"))
			rc = take_value(argc, argv, &i, eq, "days", &days);
		else if (IS("force")) {
			if (eq != NULL)
				return ctl_usage_error(CMD, "--force takes no "
				    "value");
			o->force = 1;
			rc = 0;
		} else if (IS("keep-ca")) {
			if (eq != NULL)
				return ctl_usage_error(CMD, "--keep-ca takes "
				    "no value");
			o->keep_ca = 1;
			rc = 0;
		} else
			return ctl_usage_error(CMD, "ca init has no option "
			    "--%.*s", (int)len, name);
#undef IS
		if (rc != 0)
			return rc;
	}
	if (o->dir == NULL)
		return ctl_usage_error(CMD, "--dir is required (the folder "
		    "for the CA files)");
	o->days = LEAF_DAYS;
	if (days != NULL && (rc = parse_days(days, &o->days)) != 0)
		return rc;
	if (o->force && o->keep_ca)
		return ctl_usage_error(CMD, "--force replaces the CA and "
		    "--keep-ca keeps it: give one of them");
	/* With --keep-ca the default is the kept CA's organisation. */
	if (o->org == NULL && !o->keep_ca)
		o->org = DEFAULT_ORG;
	if (o->org == NULL)
		return 0;
	if (strlen(o->org) > (size_t)ORG_MAX)
		return ctl_usage_error(CMD, "--org is longer than %d bytes",
		    ORG_MAX);
	/* It goes into every certificate's name and onto terminals. */
	if (!idprov_utf8_valid(o->org, strlen(o->org)))
		return ctl_usage_error(CMD, "--org is not UTF-8 text");
	for (i = 0; o->org[i] != '\0'; i++)
		if ((unsigned char)o->org[i] < 0x20 || o->org[i] == 0x7f ||
		    ((unsigned char)o->org[i] == 0xC2 &&
		    (unsigned char)o->org[i + 1] < 0xA0))
			return ctl_usage_error(CMD, "--org holds a control "
			    "character");
	return 0;
}

/* A host name as a SAN dNSName: LDH labels (plus '_'), a leading "*."
 * wildcard allowed, no empty label, at most 253 bytes. */
static int
dns_name_ok(const char *s)
{
	size_t total = strlen(s), label = 0;
	const char *p = s;

	if (total == 0 || total > 253)
		return 0;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

static int
host_ok(const char *s)
{
	unsigned char ip[16];

	return inet_pton(AF_INET, s, ip) == 1 ||
	    inet_pton(AF_INET6, s, ip) == 1 || dns_name_ok(s);
}

static int
host_known(const host_list *h, const char *s)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->name[i], s) == 0)
			return 1;
	return 0;
}

/* Add s (stored in h or a literal) unless it is there already. */
static int
host_add(host_list *h, const char *s)
{
	if (host_known(h, s))
		return 0;
	if (h->n >= MAX_HOSTS)
		return ctl_usage_error(CMD, "--hosts lists more than %d names",
		    MAX_HOSTS);
	h->name[h->n++] = s;
	h->name[h->n] = NULL;
	return 0;
}

/* A default name: silently left out when the list is full. */
static void
host_add_default(host_list *h, const char *s)
{
	if (h->n < MAX_HOSTS && !host_known(h, s)) {
		h->name[h->n++] = s;
		h->name[h->n] = NULL;
	}
}

/*
 * This machine's addresses: a device that finds idprovd by DNS-SD connects
 * to an address, not a name, and checks it against the certificate.
 * Loopback is already in the list; IPv6 link-local addresses need a zone
 * that a certificate cannot carry.
 */
static void
hosts_add_interfaces(host_list *h)
{
	struct ifaddrs *ifs, *ifa;
	int used = 0;

	if (getifaddrs(&ifs) != 0)
		return;
	for (ifa = ifs; ifa != NULL && used < MAX_HOSTS; ifa = ifa->ifa_next) {
		const void *a;
		int fam;

		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		fam = ifa->ifa_addr->sa_family;
		if (fam == AF_INET) {
			a = &((const struct sockaddr_in *)(const void *)
			    ifa->ifa_addr)->sin_addr;
		} else if (fam == AF_INET6) {
			const struct in6_addr *a6 = &((const struct
			    sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_LOOPBACK(a6))
				continue;
			a = a6;
		} else {
			continue;
		}
		if (inet_ntop(fam, a, h->addr[used], sizeof(h->addr[used])) ==
		    NULL)
			continue;
		host_add_default(h, h->addr[used]);
		used++;
	}
	freeifaddrs(ifs);
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/*
 * The server's names: --hosts as given, or localhost, 127.0.0.1, ::1, this
 * machine's host name (and its .local mDNS name) and its addresses.  *cn
 * gets the first given host, or the machine's host name.  Returns 0,
 * 1 (out of memory) or 2 (bad --hosts).
 */
static int
hosts_build(const char *given, host_list *h, const char **cn)
{
	char *p, *item, *next;
	int rc;

	if (given != NULL) {
		if ((h->given = strdup(given)) == NULL)
			return ctl_fail("out of memory");
		for (p = h->given; p != NULL; p = next) {
			next = strchr(p, ',');
			if (next != NULL)
				*next++ = '\0';
			item = trim(p);
			if (*item == '\0')
				return ctl_usage_error(CMD, "--hosts has an "
				    "empty entry");
			if (!host_ok(item))
				return ctl_usage_error(CMD, "--hosts entry "
				    "'%.80s' is neither an IP address nor a "
				    "DNS name", item);
			if ((rc = host_add(h, item)) != 0)
				return rc;
		}
		*cn = h->name[0];
		return 0;
	}

	*cn = "localhost";
	host_add_default(h, "localhost");
	host_add_default(h, "127.0.0.1");
	host_add_default(h, "::1");
	if (gethostname(h->hostname, HOST_NAME_MAX) == 0 &&
	    dns_name_ok(h->hostname)) {
		*cn = h->hostname;
		host_add_default(h, h->hostname);
		if (strchr(h->hostname, '.') == NULL) {
			snprintf(h->mdns, sizeof(h->mdns), "%s.local",
			    h->hostname);
			if (dns_name_ok(h->mdns))
				host_add_default(h, h->mdns);
		}
	}
	hosts_add_interfaces(h);
	return 0;
}

static int
join(char *out, size_t size, const char *dir, const char *file)
{
	int n = snprintf(out, size, "%s/%s", dir, file);

	return n >= 0 && (size_t)n < size;
}

/* 1 if something (even a dangling symlink) is at path; -1 on error. */
static int
exists(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static void
date_of(time_t t, char out[11])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 11, "%Y-%m-%d",
	    &tm) == 0)
		strcpy(out, "?");
}

/* The CA already in the folder, for --keep-ca: it must be a CA, valid now,
 * and ca.key must be its key. */
static int
load_ca(char path[][PATH_MAX], X509 **ca, EVP_PKEY **key,
    idprov_cert_info *info)
{
	idprov_error err;
	idprov_status st;

	idprov_error_clear(&err);
	if ((st = idprov_cert_load_file(path[1], ca, &err)) != IDPROV_OK ||
	    (st = idprov_key_load_file(path[0], key, &err)) != IDPROV_OK) {
		if (st == IDPROV_ERR_NOT_FOUND)
			return ctl_fail("%s: there is no CA to keep (run ca init "
			    "without --keep-ca first)", err.msg);
		return ctl_fail("%s", err.msg);
	}
	if (idprov_cert_get_info(*ca, info, &err) != IDPROV_OK)
		return ctl_fail("%s", err.msg);
	if (!info->is_ca)
		return ctl_fail("%s is not a CA certificate", path[1]);
	if (!idprov_cert_matches_key(*ca, *key))
		return ctl_fail("%s is not the key of %s", path[0], path[1]);
	if (idprov_cert_verify(*ca, *ca, 0, 0, &err) != IDPROV_OK)
		return ctl_fail("%s cannot issue any more: %s", path[1],
		    err.msg);
	return 0;
}

/* Remove the staging folder and whatever is in it (only files this run
 * wrote: the finished ones and any temporary file a failed save left). */
static void
stage_remove(const char *stage)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(stage)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (join(p, sizeof(p), stage, de->d_name))
				(void)unlink(p);
		}
		closedir(d);
	}
	(void)rmdir(stage);
}

/* fsync a folder, so the renames into it survive a power cut. */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
ctl_ca_init(int argc, char **argv)
{
	static const char *const files[] = {
		"ca.key", "ca.pem", "server.key", "server.pem", "admin.key",
		"admin.pem"
	};
	char path[6][PATH_MAX], until[11], server_cn[CN_MAX + 1];
	char stage[PATH_MAX] = "", staged[6][PATH_MAX];
	char ca_cn[sizeof(((idprov_cert_info *)0)->cn)];
	char org[sizeof(((idprov_cert_info *)0)->org)];
	ca_init_opts o;
	host_list hosts;
	idprov_error err;
	idprov_cert_info info;
	EVP_PKEY *ca_key = NULL, *srv_key = NULL, *adm_key = NULL;
	X509 *ca = NULL, *srv = NULL, *adm = NULL;
	const char *cn = NULL;
	size_t i, first, moved = 0;
	int rc, e, made_dir = 0, lock = -1;
	sigset_t stop_sigs, old_sigs;

	memset(&hosts, 0, sizeof(hosts));
	idprov_error_clear(&err);
	/* A Ctrl-C or SIGTERM waits until the folder holds the whole new set
	 * or none of it: killed part way, the staging folder (with ca.key)
	 * or half of the renames would stay behind. */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGHUP);
	sigaddset(&stop_sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop_sigs, &old_sigs);
	if ((rc = parse_args(argc, argv, &o)) != 0 ||
	    (rc = hosts_build(o.hosts, &hosts, &cn)) != 0)
		goto out;
	/* A CN over 64 bytes is refused by X.509; the SANs carry the name. */
	snprintf(server_cn, sizeof(server_cn), "%s",
	    strlen(cn) <= CN_MAX ? cn : "idprovd");
	for (i = 0; i < 6; i++)
		if (!join(path[i], sizeof(path[i]), o.dir, files[i])) {
			rc = ctl_usage_error(CMD, "--dir %s is too long",
			    o.dir);
			goto out;
		}

	if (o.keep_ca) {
		lock = ctl_lock_dir(o.dir);	/* one run at a time */
		if ((rc = load_ca(path, &ca, &ca_key, &info)) != 0)
			goto out;
		snprintf(org, sizeof(org), "%s", o.org != NULL ? o.org :
		    info.org);
		snprintf(ca_cn, sizeof(ca_cn), "%s", info.cn);
	} else {
		if ((e = exists(o.dir)) < 0) {
			rc = ctl_fail("cannot look at %s: %s", o.dir,
			    strerror(errno));
			goto out;
		}
		made_dir = e == 0;
		if (idprov_mkdir_p(o.dir, 0700, &err) != IDPROV_OK) {
			rc = ctl_fail("%s", err.msg);
			goto out;
		}
		/* two runs at once: the second would replace the CA the
		 * first reported, without --force */
		lock = ctl_lock_dir(o.dir);
		for (i = 0; i < 2 && !o.force; i++) {
			if ((e = exists(path[i])) == 0)
				continue;
			if (e < 0)
				rc = ctl_fail("cannot look at %s: %s", path[i],
				    strerror(errno));
			else
				rc = ctl_fail("%s already exists: refusing to "
				    "replace the CA without --force (every "
				    "certificate it issued would stop being "
				    "trusted; --keep-ca renews only the server "
				    "and admin certificates)", path[i]);
			goto out;
		}
		snprintf(org, sizeof(org), "%s", o.org);
		snprintf(ca_cn, sizeof(ca_cn), "%s IDProv CA", o.org);
	}

	{
		const idprov_cert_profile ca_p = {
			.cn = ca_cn, .org = org, .is_ca = 1, .days = CA_DAYS
		};
		const idprov_cert_profile srv_p = {
			.cn = server_cn, .org = org, .server_auth = 1,
			.sans = hosts.name, .days = o.days
		};
		const idprov_cert_profile adm_p = {
			.cn = "admin", .ou = "admin", .org = org,
			.client_auth = 1, .days = o.days
		};

		if ((ca == NULL && (idprov_key_generate(IDPROV_KEY_EC_P256,
		    &ca_key, &err) || idprov_cert_issue(&ca_p, ca_key, NULL,
		    NULL, &ca, &err))) ||
		    idprov_key_generate(IDPROV_KEY_EC_P256, &srv_key, &err) ||
		    idprov_key_generate(IDPROV_KEY_EC_P256, &adm_key, &err) ||
		    idprov_cert_issue(&srv_p, srv_key, ca, ca_key, &srv,
		    &err) ||
		    idprov_cert_issue(&adm_p, adm_key, ca, ca_key, &adm,
		    &err)) {
			rc = ctl_fail("cannot create the certificates: %s",
			    err.msg);
			goto out;
		}
	}
	/* Cheap insurance: never write a set that does not verify. */
	if (idprov_cert_verify(srv, ca, X509_PURPOSE_SSL_SERVER, 0, &err) ||
	    idprov_cert_verify(adm, ca, X509_PURPOSE_SSL_CLIENT, 0, &err)) {
		rc = ctl_fail("the new certificates do not verify: %s",
		    err.msg);
		goto out;
	}

	/* All files are written into a hidden folder next to their targets
	 * (same file system, so rename is atomic), then renamed into place:
	 * a full disk never leaves part of a set.  A kept CA is not
	 * rewritten: its files stay byte for byte. */
	first = o.keep_ca ? 2 : 0;
	/* A folder where a file goes would stop the renames half way. */
	for (i = first; i < 6; i++) {
		struct stat sb;

		if (lstat(path[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = ctl_fail("%s is a folder, not a file: move it away "
			    "and run the same command again", path[i]);
			goto out;
		}
	}
	if (!join(stage, sizeof(stage), o.dir, ".ca-init.XXXXXX")) {
		stage[0] = '\0';
		rc = ctl_usage_error(CMD, "--dir %s is too long", o.dir);
		goto out;
	}
	if (mkdtemp(stage) == NULL) {
		rc = ctl_fail("cannot create a temporary folder in %s: %s; "
		    "nothing was written", o.dir, strerror(errno));
		stage[0] = '\0';
		goto out;
	}
	for (i = first; i < 6; i++)
		if (!join(staged[i], sizeof(staged[i]), stage, files[i])) {
			rc = ctl_usage_error(CMD, "--dir %s is too long",
			    o.dir);
			goto out;
		}
	if ((!o.keep_ca && (idprov_key_save_file(staged[0], ca_key, &err) ||
	    idprov_cert_save_file(staged[1], ca, &err))) ||
	    idprov_key_save_file(staged[2], srv_key, &err) ||
	    idprov_cert_save_file(staged[3], srv, &err) ||
	    idprov_key_save_file(staged[4], adm_key, &err) ||
	    idprov_cert_save_file(staged[5], adm, &err)) {
		/* err names a staging file that is gone now: keep its
		 * reason ("No space left on device") and name the folder. */
		const char *why = strrchr(err.msg, ':');

		if (why != NULL)
			why += why[1] == ' ' ? 2 : 1;

		rc = ctl_fail("cannot write the new files into %s: %s; nothing "
		    "was changed in %s: run the same command again once that "
		    "is fixed", o.dir, why != NULL && *why != '\0' ? why : err.msg,
		    o.dir);
		goto out;
	}
	for (i = first; i < 6; i++, moved++)
		if (rename(staged[i], path[i]) != 0) {
			e = errno;
			if (moved == 0) {
				rc = ctl_fail("cannot move %s into %s: %s; "
				    "nothing was changed in %s", files[i],
				    o.dir, strerror(e), o.dir);
				goto out;
			}
			rc = ctl_fail("cannot move %s into %s: %s; %zu of the "
			    "%zu new files were moved, so the folder holds a "
			    "mixed set: run the same command again with %s",
			    files[i], o.dir, strerror(e), moved, 6 - first,
			    o.keep_ca ? "--keep-ca" : "--force");
			goto out;
		}
	if (sync_dir(o.dir) != 0) {
		rc = ctl_fail("cannot flush the folder %s to disk: %s", o.dir,
		    strerror(errno));
		goto out;
	}

	if (idprov_cert_get_info(ca, &info, &err) != IDPROV_OK) {
		rc = ctl_fail("%s", err.msg);
		goto out;
	}
	date_of(info.not_after, until);
	printf("%s CA \"%s\" in %s (valid until %s)\n", o.keep_ca ? "kept" :
	    "created", ca_cn, o.dir, until);
	if (!o.keep_ca)
		printf("  ca.pem ca.key          the CA; keep ca.key secret\n");
	printf("  server.pem server.key  idprovd's certificate, CN %s, for",
	    server_cn);
	for (i = 0; hosts.name[i] != NULL; i++)
		printf("%s%s", i > 0 ? ", " : " ", hosts.name[i]);
	printf("\n  admin.pem admin.key    the admin client certificate "
	    "(CN admin, OU admin)\n");
	printf("CA certificate SHA-256 fingerprint: %s\n", info.fingerprint);
	rc = 0;
out:
	if (stage[0] != '\0')
		stage_remove(stage);
	/* A folder this run made holds nothing after a failure: remove it
	 * (rmdir refuses if anything else appeared in it meanwhile). */
	if (rc != 0 && made_dir && moved == 0)
		(void)rmdir(o.dir);
	if (lock >= 0)
		close(lock);	/* releases the flock */
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(adm_key);
	X509_free(ca);
	X509_free(srv);
	X509_free(adm);
	free(hosts.given);
	fflush(stdout);
	sigprocmask(SIG_SETMASK, &old_sigs, NULL);
	return rc;
}
