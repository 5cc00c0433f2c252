/*
 * purger.h — acdd's own retention purge (保存期間を過ぎた選別後通信情報の消去): a thread that
 * every `retention.purge_interval_hours` runs the purge `acd purge` runs
 * (src/store/retention.h), as a change in the writer like every other change acdd makes, so it
 * is audited the same way (counts, never contents), then makes the deletion real in the files
 * (unless nothing expired and the last scrub finished) and logs one line with the counts. One
 * thread, so acdd never runs two purges at once; the purge is skipped when the store already holds
 * one younger than the interval (`acd purge`, or another acdd on the same PostgreSQL store), so a
 * restart does not purge again, and a daemon restarted more often than the interval still purges.
 */
#ifndef ACD_PURGER_H
#define ACD_PURGER_H

#include "server.h"

struct purger;

/* Starts the thread, which checks every interval, or every minute when the interval is
 * longer; the first check is one such period after the start.
 * Returns NULL without error when the configuration turns purging off. */
struct purger *purger_start(struct server *srv, struct acd_error *e);
/* Waits for a purge in progress, then stops the thread. Call before writer_stop. */
void purger_stop(struct purger *p);

#endif
