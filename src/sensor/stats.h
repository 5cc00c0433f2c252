/*
 * stats.h — what the sensor saw and what each approval selected and discarded, per interval
 * (Contract 4, stats.jsonl). These counts are what the commission inspects and what the Diet
 * report sums, so every packet the sensor reads is counted exactly once.
 *
 * Each worker counts its own packets for the current interval and hands the interval to the
 * merger when it closes; the merger adds up the workers' shares and writes the interval once
 * all of them have reported, in time order.
 */
#ifndef ACD_STATS_H
#define ACD_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "export.h"
#include "selection.h"
#include "timefmt.h"

/* Packet directions as the stats count them: the packet's own source → destination. */
enum pkt_class {
	PC_DOMESTIC_DOMESTIC,
	PC_FOREIGN_FOREIGN,
	PC_FOREIGN_DOMESTIC,
	PC_DOMESTIC_FOREIGN,
	PC_COUNT
};

struct approval_counts {
	uint64_t in_scope, selected, discarded, flows_selected;
};

struct interval_stats {
	acd_time from, to;
	uint64_t packets[PC_COUNT], bytes[PC_COUNT];
	uint64_t decode_errors, not_ip;
	uint64_t orphan_fragments, flows_evicted; /* extensions of Contract 4 */
	struct approval_counts ap[SELECTION_MAX_APPROVALS];
};

struct stats_pending;

struct stats_merger {
	pthread_mutex_t lock;
	int workers;
	const char *sensor_id;
	const struct selection *sel;
	struct exporter *out;
	struct stats_pending *q; /* open intervals, oldest first */
	size_t n, cap;
	struct interval_stats total; /* the whole run, for the closing log line */
};

void stats_merger_init(struct stats_merger *m, int workers, const char *sensor_id,
                       const struct selection *sel, struct exporter *out);
void stats_merger_destroy(struct stats_merger *m);
/* A worker's share of one closed interval. Intervals are identified by `from`. */
void stats_submit(struct stats_merger *m, const struct interval_stats *s);

void stats_add(struct interval_stats *into, const struct interval_stats *s);

#endif
