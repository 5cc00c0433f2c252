/*
 * sensor.h — one acd-sensor run: its configuration and the parts its workers share.
 * Everything here is set up by main before the workers start and is read-only afterwards,
 * except the atomics (stop flag, approvals' force) and what the exporter and the statistics
 * merger guard with their own locks.
 */
#ifndef ACD_SENSOR_H
#define ACD_SENSOR_H

#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdint.h>

#include "approval.h"
#include "export.h"
#include "prefix_table.h"
#include "selection.h"
#include "stats.h"

struct handoff;

struct sensor {
	const char *sensor_id, *facility, *revocations_dir;
	struct approval_keys keys;
	struct prefix_table *prefixes;
	struct selection sel;
	struct exporter out;
	struct stats_merger stats;

	const char **inputs; /* --read files, in order */
	size_t ninputs;
	const char *interface; /* --interface, or NULL */
	pcap_t **live;         /* one handle per worker in live mode */

	int threads;
	/* --read with several threads: worker i follows the address pairs whose hash, scaled to
	 * [0, OWNER_SCALE), is below owner_upto[i] and not below owner_upto[i-1] (worker 0, which
	 * also reads, takes a smaller share); handoffs[i] carries worker i's packets (i >= 1). */
	uint32_t owner_upto[64];
	struct handoff *handoffs;
	acd_time idle_timeout, active_timeout, stats_interval;
	uint32_t max_flows; /* for the whole sensor; each worker gets its share */
	acd_time start_time;

	atomic_bool stop;
	atomic_int workers_done;
	pthread_t main_thread; /* woken with SIGUSR1 when a worker is done */
	pthread_mutex_t error_lock;
	char input_error[600]; /* the first input failure, reported by main */
};

/* Records the first input failure (later ones are dropped: one clear line at exit). */
void sensor_input_error(struct sensor *sn, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
