/*
 * oob_store.c - a chained hash map under one mutex.  Holding the lock is
 * short: a lookup plus one HMAC.  The hash is FNV-1a with a random seed,
 * so posted deviceIDs cannot be chosen to collide.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "oob_store.h"

#define INITIAL_BUCKETS 64

typedef struct oob_entry {
	struct oob_entry *next;
	uint64_t hash;
	char *device_id;
	unsigned char *secret;
	size_t secret_len;
	time_t valid_until;
	time_t posted_at;	/* when the administrator posted it */
	int wrong;		/* wrong signatures so far */
	/* Unique per post in this store: a restore puts a secret back only
	 * into the entry it was taken from (see srv_oob_restore). */
	uint64_t generation;
	/* The secret is out with a provisioning (secret == NULL): the entry
	 * stays as a placeholder, absent to everyone, so that a revocation
	 * or a new post in the meantime is seen by the restore. */
	int taken;
	/* Discarded by a lockout (secret == NULL): kept, absent to take and
	 * has, until the secret would have expired or a new post replaces
	 * it, so that the admin device list can tell (srv_oob_locked_out). */
	int locked_out;
} oob_entry;

struct srv_oob_store {
	pthread_mutex_t lock;
	oob_entry **buckets;
	size_t n_buckets;	/* a power of two */
	size_t count;		/* entries, placeholders included */
	size_t n_taken;		/* placeholders: taken or locked out */
	size_t puts_since_sweep;
	uint64_t next_generation;
	uint64_t seed;
};

static uint64_t
hash_id(const srv_oob_store *s, const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ s->seed;

	for (; *id != '\0'; id++) {
		h ^= (unsigned char)*id;
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static void
entry_free(oob_entry *e)
{
	if (e == NULL)
		return;
	if (e->secret != NULL) {
		OPENSSL_cleanse(e->secret, e->secret_len);
		free(e->secret);
	}
	free(e->device_id);
	free(e);
}

static oob_entry *
entry_new(const char *device_id, const void *secret, size_t len,
    time_t valid_until, time_t posted_at)
{
	oob_entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->device_id = strdup(device_id);
	/* +1 so a zero-length secret still has an allocation. */
	e->secret = malloc(len + 1);
	if (e->device_id == NULL || e->secret == NULL) {
		entry_free(e);
		return NULL;
	}
	memcpy(e->secret, secret, len);
	e->secret_len = len;
	e->valid_until = valid_until;
	e->posted_at = posted_at;
	return e;
}

idprov_status
srv_oob_open(srv_oob_store **out, idprov_error *err)
{
	srv_oob_store *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->buckets = calloc(INITIAL_BUCKETS, sizeof(*s->buckets))) ==
	    NULL) {
		free(s);
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory creating the OOB store");
	}
	s->n_buckets = INITIAL_BUCKETS;
	if (RAND_bytes((unsigned char *)&s->seed, sizeof(s->seed)) != 1)
		s->seed = (uint64_t)(uintptr_t)s;
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return IDPROV_OK;
}

void
srv_oob_close(srv_oob_store *s)
{
	size_t i;
	oob_entry *e, *next;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_buckets; i++)
		for (e = s->buckets[i]; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
	free(s->buckets);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The link that points at device_id's entry (or at the NULL ending its
 * chain).  Caller holds the lock. */
static oob_entry **
find_link(srv_oob_store *s, const char *device_id, uint64_t h)
{
	oob_entry **link = &s->buckets[h & (s->n_buckets - 1)];

	while (*link != NULL && ((*link)->hash != h ||
	    strcmp((*link)->device_id, device_id) != 0))
		link = &(*link)->next;
	return link;
}

static void
unlink_free(srv_oob_store *s, oob_entry **link)
{
	oob_entry *e = *link;

	*link = e->next;
	if (e->taken || e->locked_out)
		s->n_taken--;
	entry_free(e);
	s->count--;
}

/* Drop expired entries; amortized over puts so memory stays bounded by
 * what is live. */
static void
sweep(srv_oob_store *s, time_t now)
{
	size_t i;
	oob_entry **link;

	for (i = 0; i < s->n_buckets; i++) {
		link = &s->buckets[i];
		while (*link != NULL) {
			if ((*link)->valid_until <= now)
				unlink_free(s, link);
			else
				link = &(*link)->next;
		}
	}
	s->puts_since_sweep = 0;
}

static void
grow(srv_oob_store *s)
{
	size_t n = s->n_buckets * 2, i;
	oob_entry **b = calloc(n, sizeof(*b)), *e, *next;

	if (b == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < s->n_buckets; i++)
		for (e = s->buckets[i]; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(s->buckets);
	s->buckets = b;
	s->n_buckets = n;
}

idprov_status
srv_oob_put(srv_oob_store *s, const srv_oob_new *e, size_t n,
    idprov_error *err)
{
	oob_entry **made = NULL, **link;
	size_t i;
	idprov_status st = IDPROV_OK;
	time_t now = time(NULL);

	/* Allocate everything before touching the map: all or nothing. */
	if (n > 0 && (made = calloc(n, sizeof(*made))) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory storing OOB secrets");
	for (i = 0; i < n; i++)
		if ((made[i] = entry_new(e[i].device_id, e[i].secret,
		    e[i].secret_len, e[i].valid_until, now)) == NULL) {
			st = idprov_error_set(err, IDPROV_ERR_NOMEM,
			    "out of memory storing OOB secrets");
			goto out;
		}
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		made[i]->hash = hash_id(s, made[i]->device_id);
		made[i]->generation = ++s->next_generation;
		link = find_link(s, made[i]->device_id, made[i]->hash);
		if (*link != NULL)
			unlink_free(s, link);	/* replaced */
		link = &s->buckets[made[i]->hash & (s->n_buckets - 1)];
		made[i]->next = *link;
		*link = made[i];
		made[i] = NULL;
		s->count++;
		s->puts_since_sweep++;
		if (s->count > s->n_buckets)
			grow(s);
	}
	if (s->puts_since_sweep > s->count)
		sweep(s, now);
	pthread_mutex_unlock(&s->lock);
out:
	for (i = 0; made != NULL && i < n; i++)
		entry_free(made[i]);
	free(made);
	return st;
}

void
srv_oob_remove(srv_oob_store *s, const char *device_id)
{
	oob_entry **link;

	pthread_mutex_lock(&s->lock);
	link = find_link(s, device_id, hash_id(s, device_id));
	if (*link != NULL)
		unlink_free(s, link);
	pthread_mutex_unlock(&s->lock);
}

int
srv_oob_has(srv_oob_store *s, const char *device_id, time_t now)
{
	oob_entry **link;
	int has = 0;

	pthread_mutex_lock(&s->lock);
	link = find_link(s, device_id, hash_id(s, device_id));
	if (*link != NULL) {
		if ((*link)->valid_until <= now)
			unlink_free(s, link);
		else if (!(*link)->taken && !(*link)->locked_out)
			has = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return has;
}

size_t
srv_oob_count(srv_oob_store *s, time_t now)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	sweep(s, now);
	n = s->count - s->n_taken;
	pthread_mutex_unlock(&s->lock);
	return n;
}

srv_oob_result
srv_oob_take(srv_oob_store *s, const char *device_id, time_t now,
    int lockout_after, srv_oob_verify_fn verify, void *ctx,
    srv_oob_taken *taken, int *wrong_out)
{
	oob_entry **link, *e;
	srv_oob_result r;
	int wrong = 0;

	memset(taken, 0, sizeof(*taken));
	pthread_mutex_lock(&s->lock);
	link = find_link(s, device_id, hash_id(s, device_id));
	e = *link;
	if (e == NULL) {
		r = SRV_OOB_ABSENT;
	} else if (e->valid_until <= now) {
		unlink_free(s, link);
		r = SRV_OOB_ABSENT;
	} else if (e->taken || e->locked_out) {
		/* Out with another request (absent until it comes back), or
		 * discarded by a lockout. */
		r = SRV_OOB_ABSENT;
	} else if (verify(e->secret, e->secret_len, ctx)) {
		/* Hand the allocation over instead of copying the secret;
		 * the entry stays as a placeholder (srv_oob_restore). */
		taken->secret = e->secret;
		taken->secret_len = e->secret_len;
		taken->valid_until = e->valid_until;
		taken->posted_at = e->posted_at;
		taken->generation = e->generation;
		wrong = e->wrong;
		e->secret = NULL;
		e->secret_len = 0;
		e->taken = 1;
		s->n_taken++;
		r = SRV_OOB_TAKEN;
	} else {
		wrong = ++e->wrong;
		if (lockout_after > 0 && e->wrong >= lockout_after) {
			OPENSSL_cleanse(e->secret, e->secret_len);
			free(e->secret);
			e->secret = NULL;
			e->secret_len = 0;
			e->locked_out = 1;
			s->n_taken++;
			r = SRV_OOB_LOCKED_OUT;
		} else {
			r = SRV_OOB_WRONG;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (wrong_out != NULL)
		*wrong_out = wrong;
	return r;
}

/* The placeholder `taken` was taken from, or NULL when it is gone or
 * replaced.  Caller holds the lock. */
static oob_entry **
placeholder_link(srv_oob_store *s, const char *device_id,
    const srv_oob_taken *taken)
{
	oob_entry **link = find_link(s, device_id, hash_id(s, device_id));

	if (*link == NULL || !(*link)->taken ||
	    (*link)->generation != taken->generation)
		return NULL;
	return link;
}

void
srv_oob_restore(srv_oob_store *s, const char *device_id,
    srv_oob_taken *taken)
{
	oob_entry **link, *e;

	if (taken->secret == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	/* Only into its own placeholder: a revocation (remove) or a new
	 * post (put) since the take removed or replaced it, and then the
	 * secret must stay gone. */
	if ((link = placeholder_link(s, device_id, taken)) != NULL) {
		e = *link;
		e->secret = taken->secret;
		e->secret_len = taken->secret_len;
		e->taken = 0;
		s->n_taken--;
		taken->secret = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	srv_oob_taken_wipe(taken);
}

int
srv_oob_locked_out(srv_oob_store *s, const char *device_id, time_t now)
{
	oob_entry **link;
	int locked = 0;

	pthread_mutex_lock(&s->lock);
	link = find_link(s, device_id, hash_id(s, device_id));
	if (*link != NULL && (*link)->valid_until > now)
		locked = (*link)->locked_out;
	pthread_mutex_unlock(&s->lock);
	return locked;
}

void
srv_oob_used(srv_oob_store *s, const char *device_id, srv_oob_taken *taken)
{
	oob_entry **link;

	pthread_mutex_lock(&s->lock);
	if ((link = placeholder_link(s, device_id, taken)) != NULL)
		unlink_free(s, link);
	pthread_mutex_unlock(&s->lock);
	srv_oob_taken_wipe(taken);
}

void
srv_oob_taken_wipe(srv_oob_taken *taken)
{
	if (taken->secret != NULL) {
		OPENSSL_cleanse(taken->secret, taken->secret_len);
		free(taken->secret);
	}
	memset(taken, 0, sizeof(*taken));
}
