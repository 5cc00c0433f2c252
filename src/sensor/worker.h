/*
 * worker.h — one thread of the sensor pipeline: decode → classify → select → extract →
 * export, for the flows that hash to it.
 *
 * With --read every worker reads every file and keeps only the packets whose address pair
 * hashes to it, so all fragments and both directions of a flow meet in one worker, each
 * worker sees the same packet clock, and N workers write the same lines as one. With
 * --interface the kernel spreads packets over the workers (PACKET_FANOUT by flow hash).
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
	struct sensor *sn;
	int id;
	pthread_t thread;
	struct flow_table flows;
	struct frag_table frags;
	struct matcher_scratch *scratch;
	struct slab streams; /* Hyperscan stream state of this worker's flows */
	struct slab sels;    /* record fields of its selected flows */
	struct interval_stats cur;
	bool started;
	acd_time now, next_tick;
	uint64_t packets_read; /* every packet read, owned or not: the record id base */
	uint64_t id_epoch_ms;  /* the run's epoch in record ids (record_id) */
	struct linebuf records;
	uint64_t nrecords;
};

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
