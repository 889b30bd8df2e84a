/*
 * crypto_threads.c - idprovd issues certificates from several worker
 * threads with one shared CA key, and saves files while others do: the
 * helpers must hold no hidden shared state.  Run under ThreadSanitizer
 * (label concurrent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "lib/core/crypto.h"
#include "lib/core/fileio.h"
#include "scratch.h"

#define THREADS	4
#define ROUNDS	12

typedef struct shared {
	X509 *ca;
	EVP_PKEY *ca_key;
	const char *dir;
} shared;

typedef struct worker {
	const shared *s;
	int id;
	int failures;
	char why[IDPROV_ERROR_MAX + 64];
	char serial[ROUNDS][80];
} worker;

static void
note(worker *w, const char *what, const idprov_error *err)
{
	if (w->failures++ == 0)
		snprintf(w->why, sizeof(w->why), "thread %d: %s: %s", w->id,
		    what, err != NULL ? err->msg : "");
}

static void *
run(void *arg)
{
	worker *w = arg;
	char name[64], *path, content[96];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		EVP_PKEY *key = NULL;
		X509 *cert = NULL;
		idprov_cert_info info;
		idprov_error err;
		idprov_cert_profile p = { .ou = "iotdevice", .client_auth = 1,
		    .days = 7 };

		snprintf(name, sizeof(name), "dev-%d-%d", w->id, i);
		p.cn = name;
		if (idprov_key_generate(IDPROV_KEY_EC_P256, &key, &err) ||
		    idprov_cert_issue(&p, key, w->s->ca, w->s->ca_key, &cert,
		    &err)) {
			note(w, "issue", &err);
		} else if (idprov_cert_verify(cert, w->s->ca,
		    X509_PURPOSE_SSL_CLIENT, 0, &err)) {
			note(w, "verify", &err);
		} else if (idprov_cert_get_info(cert, &info, &err) ||
		    strcmp(info.cn, name) != 0) {
			note(w, "info", &err);
		} else {
			snprintf(w->serial[i], sizeof(w->serial[i]), "%s",
			    info.serial_hex);
			/* Everyone rewrites one shared file, and its own. */
			snprintf(content, sizeof(content), "written by %s\n",
			    name);
			path = scratch_path(w->s->dir, "shared.txt");
			if (idprov_file_write_atomic(path, content,
			    strlen(content), 0644, &err))
				note(w, "shared write", &err);
			free(path);
			path = scratch_path(w->s->dir, name);
			if (idprov_cert_save_file(path, cert, &err))
				note(w, "save", &err);
			free(path);
		}
		X509_free(cert);
		EVP_PKEY_free(key);
	}
	return NULL;
}

static void
crypto_threads_issue_and_write(void **state)
{
	shared s;
	worker w[THREADS];
	pthread_t t[THREADS];
	const idprov_cert_profile cap = { .cn = "Thread CA", .is_ca = 1,
	    .days = 30 };
	idprov_error err;
	char *dir = scratch_dir(), *path, *got = NULL;
	int i, j, k, l;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.dir = dir;
	assert_int_equal(idprov_key_generate(IDPROV_KEY_EC_P256, &s.ca_key,
	    &err), IDPROV_OK);
	assert_int_equal(idprov_cert_issue(&cap, s.ca_key, NULL, NULL, &s.ca,
	    &err), IDPROV_OK);

	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].s = &s;
		w[i].id = i;
		assert_int_equal(pthread_create(&t[i], NULL, run, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < THREADS; i++)
		if (w[i].failures != 0)
			fail_msg("%d failures, first: %s", w[i].failures,
			    w[i].why);

	/* Every serial is distinct. */
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < ROUNDS; j++)
			for (k = i; k < THREADS; k++)
				for (l = (k == i ? j + 1 : 0); l < ROUNDS; l++)
					assert_string_not_equal(w[i].serial[j],
					    w[k].serial[l]);

	/* The shared file is one whole version, and no temporary is left:
	 * the shared file plus one certificate per issue. */
	path = scratch_path(dir, "shared.txt");
	assert_int_equal(idprov_file_read(path, 100, &got, NULL, &err),
	    IDPROV_OK);
	assert_int_equal(strncmp(got, "written by dev-", 15), 0);
	assert_non_null(strchr(got, '\n'));
	assert_int_equal(strchr(got, '\n')[1], '\0');
	assert_int_equal(scratch_count(dir), 1 + THREADS * ROUNDS);
	free(got);
	free(path);

	X509_free(s.ca);
	EVP_PKEY_free(s.ca_key);
	scratch_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crypto_threads_issue_and_write),
	};

	return cmocka_run_group_tests_name("crypto_threads", tests, NULL,
	    NULL);
}
