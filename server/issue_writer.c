/*
 * issue_writer.c - the writer thread of issue_writer.h.
 */
#include <pthread.h>
#include <stdlib.h>
#ifdef __linux__
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "issue_writer.h"

/* At most this many certificates per transaction: a bound on the time
 * the registry lock is held, so the few synchronous users of the
 * registry (status, admin lists) do not wait long behind a backlog. */
#define SRV_ISSUE_BATCH_MAX 64

/*
 * The writer's nice value above the workers'.  When the cores are busy,
 * a writer that always ran at once would commit one certificate at a
 * time; a lower priority lets it run a little later, when several have
 * queued up, and commit them together (measured under the benchmark's
 * load: ~1.9 certificates per transaction at the workers' priority, ~4
 * at +10, and less server CPU per provisioning).  On an idle machine it
 * still runs at once.  Weight 110 against a busy worker's 1024 is still
 * thousands of commits a second: the writer cannot starve.
 */
#define SRV_ISSUE_WRITER_NICE 10

struct srv_issue_writer {
	srv_registry *reg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	srv_issue_job *head, *tail;	/* FIFO, under lock */
	int stop;
};

static void *
writer_main(void *arg)
{
	srv_issue_writer *w = arg;
	srv_reg_issue *items[SRV_ISSUE_BATCH_MAX];
	srv_issue_job *jobs[SRV_ISSUE_BATCH_MAX];
	size_t n, i;

#ifdef __linux__
	/* Linux keeps a nice value per thread; failing is harmless (the
	 * batches are then smaller). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    getpriority(PRIO_PROCESS, 0) + SRV_ISSUE_WRITER_NICE);
#endif

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == NULL) {	/* stopping, nothing left */
			pthread_mutex_unlock(&w->lock);
			break;
		}
		for (n = 0; n < SRV_ISSUE_BATCH_MAX && w->head != NULL; n++) {
			jobs[n] = w->head;
			w->head = w->head->next;
		}
		if (w->head == NULL)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);

		for (i = 0; i < n; i++)
			items[i] = &jobs[i]->rec;
		srv_registry_record_issues(w->reg, items, n);
		for (i = 0; i < n; i++)
			jobs[i]->done(jobs[i]);
	}
	return NULL;
}

idprov_status
srv_issue_writer_start(srv_registry *reg, srv_issue_writer **out,
    idprov_error *err)
{
	srv_issue_writer *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory for the registry writer");
	w->reg = reg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return idprov_error_set(err, IDPROV_ERR_IO,
		    "cannot start the registry writer thread");
	}
	*out = w;
	return IDPROV_OK;
}

void
srv_issue_writer_submit(srv_issue_writer *w, srv_issue_job *job)
{
	int was_empty;

	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	was_empty = w->head == NULL;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	/* A writer with jobs queued is awake already, or about to take
	 * them: only the first job of a batch needs to wake it. */
	if (was_empty)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
srv_issue_writer_stop(srv_issue_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
