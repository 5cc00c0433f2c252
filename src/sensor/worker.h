/*
 * worker.h — one thread of the sensor pipeline: decode → classify → select → extract →
 * export, for the flows that hash to it.
 *
 * With --read, worker 0 reads the files and decodes every packet; each packet goes to the
 * worker that follows its address pair (worker 0 itself, or another through its handoff
 * ring, decision 0022), so all fragments and both directions of a flow meet in one worker.
 * The other workers also get every packet where the packet clock enters a new second, so
 * timeouts and statistics intervals fall at the same packets in every worker, and N workers
 * write the same lines as one. With --interface the kernel spreads packets over the workers
 * (PACKET_FANOUT by flow hash).
 */
#ifndef ACD_WORKER_H
#define ACD_WORKER_H

#include <pthread.h>

#include "flow_table.h"
#include "frag_table.h"
#include "matcher.h"
#include "sensor.h"
#include "slab.h"
#include "stats.h"

struct worker {
	/* Whole cache lines of its own: workers sit side by side in one array, and each writes
	 * its own counters and clock with every packet. */
	_Alignas(64) struct sensor *sn;
	int id;
	pthread_t thread;
	struct flow_table flows;
	struct frag_table frags;
	struct matcher_scratch *scratch;
	struct slab streams;  /* Hyperscan stream state of this worker's flows */
	bool streams_in_slab; /* all of it: this thread named `streams` to the matcher */
	struct slab sels;     /* record fields of its selected flows */
	struct interval_stats cur;
	bool started;
	acd_time now, next_tick;
	uint64_t packets_read; /* every packet read, owned or not: the record id base */
	/* Worker 0 with --read and several threads: its clock at reading (a few packets ahead of
	 * processing) and, per other worker, the second of the last entry handed to it. */
	bool read_started;
	acd_time read_now;
	int64_t *handed_sec;
	uint64_t id_epoch_ms; /* the run's epoch in record ids (record_id) */
	struct linebuf records;
	uint64_t nrecords;
};

/* Splits the address pairs among sn->threads workers (sn->owner_upto); call before
 * worker_init. */
void worker_shares(struct sensor *sn);
bool worker_init(struct worker *w, struct sensor *sn, int id);
void worker_destroy(struct worker *w);
/* Thread entry points: read the files, or the live handle, then flush and report. */
void *worker_run_files(void *arg);
void *worker_run_live(void *arg);

/* One captured packet (exposed for tests and fuzzing). */
void worker_packet(struct worker *w, acd_time ts, int dlt, const uint8_t *data, uint32_t caplen);
/* End of input: flush every flow and the last statistics interval. */
void worker_finish(struct worker *w);

#endif
