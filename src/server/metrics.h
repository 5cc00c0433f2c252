/*
 * metrics.h — acdd's counters for /metrics (Prometheus text format): requests by route and
 * status class, a latency histogram, and the writer's group commits. Lock-free atomics, since
 * every request touches them.
 */
#ifndef ACD_METRICS_H
#define ACD_METRICS_H

#include <stdatomic.h>

#define METRICS_MAX_ROUTES 96
#define METRICS_BUCKETS    8

struct metrics {
	atomic_ullong by_route[METRICS_MAX_ROUTES][5]; /* status classes 1xx … 5xx */
	atomic_ullong unrouted[5];
	atomic_ullong latency_bucket[METRICS_BUCKETS + 1]; /* the last is +Inf */
	atomic_ullong latency_sum_us;
};

extern const double metrics_bucket_seconds[METRICS_BUCKETS];

/* route is an index into routes[], or -1 for requests that matched none. */
void metrics_observe(struct metrics *m, int route, int status, long long micros);

#endif
