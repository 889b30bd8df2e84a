/*
 * test_oob_store.c - the OOB store alone: one-time use, replacement,
 * expiry, lockout, restore, many entries, and two threads racing for one
 * secret (exactly one wins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/oob_store.h"

typedef struct want {
	const char *secret;
	int calls;
} want;

static int
verify_eq(const unsigned char *secret, size_t len, void *ctx)
{
	want *w = ctx;

	w->calls++;
	return len == strlen(w->secret) && memcmp(secret, w->secret, len) == 0;
}

static srv_oob_store *
store_with(const char *id, const char *secret, time_t until)
{
	srv_oob_store *s = NULL;
	srv_oob_new e = { id, secret, strlen(secret), until };

	assert_int_equal(srv_oob_open(&s, NULL), IDPROV_OK);
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	return s;
}

static void
test_take_once(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "s3cret", now + 60);
	want w = { "s3cret", 0 };
	srv_oob_taken t;

	(void)state;
	assert_true(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	assert_int_equal(t.secret_len, 6);
	assert_memory_equal(t.secret, "s3cret", 6);
	srv_oob_taken_wipe(&t);
	assert_null(t.secret);
	/* Used once: gone. */
	assert_false(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_ABSENT);
	srv_oob_close(s);
}

static void
test_replace(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "old", now + 60);
	srv_oob_new e = { "d1", "new", 3, now + 60 };
	want w_old = { "old", 0 }, w_new = { "new", 0 };
	srv_oob_taken t;

	(void)state;
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	assert_int_equal(srv_oob_count(s, now), 1);
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w_old, &t,
	    NULL), SRV_OOB_WRONG);
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w_new, &t,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_taken_wipe(&t);
	srv_oob_close(s);
}

static void
test_expired_is_absent(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "x", now + 10);
	want w = { "x", 0 };
	srv_oob_taken t;

	(void)state;
	assert_false(srv_oob_has(s, "d1", now + 10));
	assert_int_equal(srv_oob_take(s, "d1", now + 11, 5, verify_eq, &w,
	    &t, NULL), SRV_OOB_ABSENT);
	assert_int_equal(w.calls, 0);	/* never even compared */
	srv_oob_close(s);
}

static void
test_lockout(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "right", now + 60);
	want bad = { "wrong", 0 }, good = { "right", 0 };
	srv_oob_taken t;
	int wrong = 0;

	(void)state;
	assert_int_equal(srv_oob_take(s, "d1", now, 3, verify_eq, &bad, &t,
	    &wrong), SRV_OOB_WRONG);
	assert_int_equal(wrong, 1);
	assert_int_equal(srv_oob_take(s, "d1", now, 3, verify_eq, &bad, &t,
	    &wrong), SRV_OOB_WRONG);
	assert_int_equal(wrong, 2);
	assert_int_equal(srv_oob_take(s, "d1", now, 3, verify_eq, &bad, &t,
	    &wrong), SRV_OOB_LOCKED_OUT);
	assert_int_equal(wrong, 3);
	/* Discarded: even the right secret finds nothing. */
	assert_int_equal(srv_oob_take(s, "d1", now, 3, verify_eq, &good, &t,
	    NULL), SRV_OOB_ABSENT);
	/* The lockout shows until a new post (review finding 2). */
	assert_false(srv_oob_has(s, "d1", now));
	assert_true(srv_oob_locked_out(s, "d1", now));
	assert_false(srv_oob_locked_out(s, "d1", now + 61));
	assert_int_equal(srv_oob_count(s, now), 0);
	{
		srv_oob_new e = { "d1", "right", 5, now + 60 };

		assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	}
	assert_false(srv_oob_locked_out(s, "d1", now));
	assert_true(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_take(s, "d1", now, 3, verify_eq, &good, &t,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_used(s, "d1", &t);
	srv_oob_close(s);
}

static void
test_restore(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "k", now + 60);
	want w = { "k", 0 };
	srv_oob_taken t;
	srv_oob_new e = { "d1", "newer", 5, now + 60 };
	want w2 = { "newer", 0 };

	(void)state;
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_restore(s, "d1", &t);
	assert_null(t.secret);
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	/* A newer post wins over a restore. */
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	srv_oob_restore(s, "d1", &t);
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w2, &t,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_taken_wipe(&t);
	srv_oob_close(s);
}

/* Security review finding 4: a restore must not bring back a secret that
 * a revocation removed, or that a new post replaced, after the take. */
static void
test_restore_after_remove(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "k", now + 60);
	want w = { "k", 0 };
	srv_oob_taken t;

	(void)state;
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	/* While the secret is out: absent to everyone. */
	assert_false(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_count(s, now), 0);
	srv_oob_remove(s, "d1");		/* a revocation */
	srv_oob_restore(s, "d1", &t);		/* the issuance failed */
	assert_null(t.secret);
	assert_false(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_ABSENT);
	srv_oob_close(s);
}

static void
test_restore_after_post_and_remove(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "k", now + 60);
	want w = { "k", 0 }, w2 = { "newer", 0 };
	srv_oob_new e = { "d1", "newer", 5, now + 60 };
	srv_oob_taken t, t2;

	(void)state;
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	/* A new post, then a revocation: the slot is empty again, but it is
	 * not the one the secret came from. */
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	srv_oob_remove(s, "d1");
	srv_oob_restore(s, "d1", &t);
	assert_false(srv_oob_has(s, "d1", now));
	/* A new post, then the first request's secret used meanwhile by
	 * nobody: the restore leaves the newer secret alone, and the newer
	 * one's own take and use work. */
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w2, &t2,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_used(s, "d1", &t2);
	assert_null(t2.secret);
	assert_false(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_count(s, now), 0);
	srv_oob_close(s);
}

/* srv_oob_used after a new post keeps the new secret. */
static void
test_used_keeps_newer(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = store_with("d1", "k", now + 60);
	want w = { "k", 0 }, w2 = { "newer", 0 };
	srv_oob_new e = { "d1", "newer", 5, now + 60 };
	srv_oob_taken t;

	(void)state;
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w, &t,
	    NULL), SRV_OOB_TAKEN);
	assert_int_equal(srv_oob_put(s, &e, 1, NULL), IDPROV_OK);
	srv_oob_used(s, "d1", &t);
	assert_true(srv_oob_has(s, "d1", now));
	assert_int_equal(srv_oob_take(s, "d1", now, 5, verify_eq, &w2, &t,
	    NULL), SRV_OOB_TAKEN);
	srv_oob_used(s, "d1", &t);
	srv_oob_close(s);
}

static void
test_many_and_remove(void **state)
{
	time_t now = time(NULL);
	srv_oob_store *s = NULL;
	static srv_oob_new e[5000];
	static char ids[5000][16];
	size_t i;

	(void)state;
	assert_int_equal(srv_oob_open(&s, NULL), IDPROV_OK);
	for (i = 0; i < 5000; i++) {
		snprintf(ids[i], sizeof(ids[i]), "dev-%zu", i);
		e[i].device_id = ids[i];
		e[i].secret = ids[i];
		e[i].secret_len = strlen(ids[i]);
		e[i].valid_until = now + 60;
	}
	assert_int_equal(srv_oob_put(s, e, 5000, NULL), IDPROV_OK);
	assert_int_equal(srv_oob_count(s, now), 5000);
	for (i = 0; i < 5000; i += 7)
		assert_true(srv_oob_has(s, ids[i], now));
	srv_oob_remove(s, "dev-42");
	assert_false(srv_oob_has(s, "dev-42", now));
	assert_int_equal(srv_oob_count(s, now), 4999);
	assert_false(srv_oob_has(s, "dev-5000", now));
	srv_oob_close(s);
}

typedef struct race {
	srv_oob_store *s;
	int won;
} race;

static void *
racer(void *arg)
{
	race *r = arg;
	want w = { "k", 0 };
	srv_oob_taken t;
	int i;

	for (i = 0; i < 200; i++) {
		char id[16];

		snprintf(id, sizeof(id), "r%d", i);
		if (srv_oob_take(r->s, id, time(NULL), 5, verify_eq, &w, &t,
		    NULL) == SRV_OOB_TAKEN) {
			r->won++;
			srv_oob_taken_wipe(&t);
		}
	}
	return NULL;
}

static void
test_race_one_winner(void **state)
{
	srv_oob_store *s = NULL;
	srv_oob_new e[200];
	char ids[200][16];
	race r[2];
	pthread_t th[2];
	int i;

	(void)state;
	assert_int_equal(srv_oob_open(&s, NULL), IDPROV_OK);
	for (i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof(ids[i]), "r%d", i);
		e[i].device_id = ids[i];
		e[i].secret = "k";
		e[i].secret_len = 1;
		e[i].valid_until = time(NULL) + 60;
	}
	assert_int_equal(srv_oob_put(s, e, 200, NULL), IDPROV_OK);
	for (i = 0; i < 2; i++) {
		r[i].s = s;
		r[i].won = 0;
		assert_int_equal(pthread_create(&th[i], NULL, racer, &r[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* Every secret used exactly once in total. */
	assert_int_equal(r[0].won + r[1].won, 200);
	srv_oob_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_once),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_expired_is_absent),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_restore_after_remove),
		cmocka_unit_test(test_restore_after_post_and_remove),
		cmocka_unit_test(test_used_keeps_newer),
		cmocka_unit_test(test_many_and_remove),
		cmocka_unit_test(test_race_one_winner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
