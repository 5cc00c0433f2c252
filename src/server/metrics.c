/* metrics.c — see metrics.h; the text rendering lives with the /metrics route. */
#include "metrics.h"

const double metrics_bucket_seconds[METRICS_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005,
                                                        0.01,   0.025, 0.1,    1.0};

void metrics_observe(struct metrics *m, int route, int status, long long micros)
{
	int cls = status / 100 - 1;
	if (cls < 0 || cls > 4)
		cls = 4;
	if (route >= 0 && route < METRICS_MAX_ROUTES)
		atomic_fetch_add(&m->by_route[route][cls], 1);
	else
		atomic_fetch_add(&m->unrouted[cls], 1);
	int b = 0;
	while (b < METRICS_BUCKETS && (double)micros / 1e6 > metrics_bucket_seconds[b])
		b++;
	atomic_fetch_add(&m->latency_bucket[b], 1);
	atomic_fetch_add(&m->latency_sum_us, (unsigned long long)(micros > 0 ? micros : 0));
}
