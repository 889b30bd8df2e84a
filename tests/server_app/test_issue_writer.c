/*
 * test_issue_writer.c - group commit of issued certificates: jobs from
 * several threads at once are all recorded, each job's `done` runs once
 * with its own result, and stopping the writer records what is queued.
 * Run under ThreadSanitizer in CI (label concurrent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/issue_writer.h"

#define THREADS 4
#define PER_THREAD 200

static char dir[] = "/tmp/idprov-writer-test.XXXXXX";
static char path[256];

typedef struct test_job {
	srv_issue_job job;	/* first */
	char id[32], serial[32];
	atomic_int done_calls;
} test_job;

static atomic_int total_done;

static void
on_done(srv_issue_job *job)
{
	test_job *t = (test_job *)job;

	atomic_fetch_add(&t->done_calls, 1);
	atomic_fetch_add(&total_done, 1);
}

static void
fill(test_job *t, const char *id, const char *serial, time_t now)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->serial, sizeof(t->serial), "%s", serial);
	t->job.rec.kind = SRV_REG_ISSUE_PLAIN;
	t->job.rec.client = (srv_reg_client){ t->id, "192.0.2.1", "",
	    "127.0.0.1", "fp" };
	t->job.rec.cert = (srv_reg_cert){ "PEM", t->serial, now - 300,
	    now + 3600 };
	t->job.rec.now = now;
	t->job.rec.reason = "test";
	t->job.done = on_done;
}

typedef struct producer {
	srv_issue_writer *w;
	test_job *jobs;
	int base;
} producer;

static void *
produce(void *arg)
{
	producer *p = arg;
	time_t now = time(NULL);
	char id[32], serial[32];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		snprintf(id, sizeof(id), "w-%d", p->base + i);
		snprintf(serial, sizeof(serial), "%X", 0x1000 + p->base + i);
		fill(&p->jobs[i], id, serial, now);
		srv_issue_writer_submit(p->w, &p->jobs[i].job);
	}
	return NULL;
}

static void
test_many_threads(void **state)
{
	srv_registry *r = NULL;
	srv_issue_writer *w = NULL;
	static test_job jobs[THREADS][PER_THREAD];
	producer p[THREADS];
	pthread_t th[THREADS];
	srv_reg_device d;
	test_job dup;
	int i, j, found;

	(void)state;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	assert_int_equal(srv_issue_writer_start(r, &w, NULL), IDPROV_OK);
	atomic_store(&total_done, 0);
	for (i = 0; i < THREADS; i++) {
		p[i].w = w;
		p[i].jobs = jobs[i];
		p[i].base = i * PER_THREAD;
		assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]),
		    0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* One more, a duplicate serial, right before the stop: it is
	 * recorded (refused) before the writer ends. */
	fill(&dup, "w-dup", "1000", time(NULL));
	srv_issue_writer_submit(w, &dup.job);
	srv_issue_writer_stop(w);

	assert_int_equal(atomic_load(&total_done), THREADS * PER_THREAD + 1);
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < PER_THREAD; j++) {
			assert_int_equal(atomic_load(&jobs[i][j].done_calls),
			    1);
			assert_int_equal(jobs[i][j].job.rec.st, IDPROV_OK);
		}
	assert_int_equal(atomic_load(&dup.done_calls), 1);
	assert_int_not_equal(dup.job.rec.st, IDPROV_OK);
	/* Every device is in the registry with its own serial. */
	for (i = 0; i < THREADS * PER_THREAD; i += 37) {
		char id[32], serial[32];

		snprintf(id, sizeof(id), "w-%d", i);
		snprintf(serial, sizeof(serial), "%X", 0x1000 + i);
		assert_int_equal(srv_registry_get_device(r, id, &d, &found,
		    NULL), IDPROV_OK);
		assert_true(found);
		assert_string_equal(d.serial, serial);
		srv_reg_device_free(&d);
	}
	assert_int_equal(srv_registry_get_device(r, "w-dup", &d, &found,
	    NULL), IDPROV_OK);
	assert_false(found);
	srv_reg_device_free(&d);
	srv_registry_close(r);
}

/* A writer stopped with nothing queued ends at once. */
static void
test_stop_idle(void **state)
{
	srv_registry *r = NULL;
	srv_issue_writer *w = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/idle.db", dir);
	assert_int_equal(srv_registry_open(path, &r, NULL), IDPROV_OK);
	assert_int_equal(srv_issue_writer_start(r, &w, NULL), IDPROV_OK);
	assert_non_null(w);
	srv_issue_writer_stop(w);
	srv_issue_writer_stop(NULL);	/* allowed, like free(NULL) */
	srv_registry_close(r);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/idprov-writer-test.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_threads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_idle, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
