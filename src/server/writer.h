/*
 * writer.h — group commit: every change acdd makes goes through one writer thread that runs
 * the changes waiting at that moment in one transaction, signs the audit head, commits once —
 * one fsync for the whole group — and only then answers each caller. One refused change does
 * not undo the others: when a change is refused, the group is run again with each change
 * behind a savepoint (docs/decisions/0010), so a job function must only act through its
 * transaction and may run twice. That is how a disk that manages a
 * few thousand fsyncs a second takes many more durable submissions (PLATFORM.md), and how an
 * acknowledged report survives `kill -9`.
 */
#ifndef ACD_WRITER_H
#define ACD_WRITER_H

#include "db.h"
#include "keys.h"
#include "txn.h"

#define WRITER_MAX_GROUP 256

struct writer;

struct writer *writer_start(struct db *db, const struct keys *k, struct acd_error *e);
/* Drains what is queued, then stops the thread. */
void writer_stop(struct writer *w);
/* Runs fn in the next group and returns once the group is durable (or fn refused). fn may be
 * called twice (see above); only the last call's effects are committed. */
enum acd_status writer_run(struct writer *w, txn_fn fn, void *arg, struct acd_error *e);
/* Groups committed and changes run so far, for /metrics. */
void writer_counts(struct writer *w, unsigned long long *groups, unsigned long long *changes);

#endif
