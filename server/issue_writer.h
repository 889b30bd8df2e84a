/*
 * issue_writer.h - group commit of issued certificates.
 *
 * A provisioning's only wait on the disk is the commit of its
 * certificate, and one SQLite connection commits one transaction at a
 * time.  Worker threads hand each issued certificate to the writer
 * thread instead of committing it themselves; the writer records
 * whatever has queued up meanwhile in one transaction
 * (srv_registry_record_issues) and then calls each job's `done`.  The
 * workers go on serving other connections while a commit (or a
 * checkpoint's fsync) is under way, and a busy server commits many
 * certificates per transaction.  Nothing is answered before its
 * certificate is committed: `done` is where the answer is made.
 */
#ifndef IDPROVD_ISSUE_WRITER_H
#define IDPROVD_ISSUE_WRITER_H

#include "registry.h"

typedef struct srv_issue_job srv_issue_job;
struct srv_issue_job {
	srv_reg_issue rec;	/* what to record; the result after */
	/* Called in the writer thread once rec holds the result. */
	void (*done)(srv_issue_job *job);
	srv_issue_job *next;	/* the writer's */
};

typedef struct srv_issue_writer srv_issue_writer;

idprov_status srv_issue_writer_start(srv_registry *reg,
    srv_issue_writer **out, idprov_error *err);

/* Queue job; its `done` runs later in the writer thread. */
void srv_issue_writer_submit(srv_issue_writer *w, srv_issue_job *job);

/* Record every job queued so far, call their `done`, stop the thread. */
void srv_issue_writer_stop(srv_issue_writer *w);

#endif
