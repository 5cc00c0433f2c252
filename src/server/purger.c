/* purger.c — see purger.h. */
#include "purger.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "retention.h"

#define CHECK_MAX (60 * ACD_USEC) /* a long interval is checked this often */

struct purger {
	struct server *srv;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	bool stopping;
	bool scrub_owed; /* the last scrub did not finish (a reader blocked the checkpoint) */
};

/* One check: purge in the writer unless a purge younger than the interval is stored. The
 * scrub runs when rows went or the last one was not finished: a VACUUM FULL of the records
 * table when nothing was deleted would only lock it. */
static void purge_if_due(struct purger *p)
{
	struct server *srv = p->srv;
	struct retention r = {srv->cfg.retain_records, srv->cfg.retain_stats};
	struct purge_result out;
	struct retention_purge_job j = {.r = &r,
	                                .now = time_now(),
	                                .actor = "acdd",
	                                .min_gap = srv->cfg.purge_interval,
	                                .out = &out};
	struct acd_error e = {0};
	if (writer_run(srv->writer, retention_purge_change, &j, &e) != ACD_OK) {
		log_warnx("purge: not done: %s", e.msg);
		return;
	}
	if (j.skipped)
		return;
	if (out.records == 0 && out.stats == 0 && !p->scrub_owed) {
		log_info("purge %s: nothing expired", out.id);
		return;
	}
	retention_scrub(srv->db, &out);
	p->scrub_owed = !out.scrubbed;
	log_info("purge %s: %lld records and %lld statistics lines deleted; %s%s", out.id,
	         out.records, out.stats, out.scrubbed ? "" : "NOT SCRUBBED: ", out.scrub);
}

/* Sleeps `span` or until stopped; returns false when stopping. */
static bool nap(struct purger *p, acd_time span)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(span / ACD_USEC);
	until.tv_nsec += (long)(span % ACD_USEC) * 1000;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (!p->stopping && pthread_cond_timedwait(&p->wake, &p->mu, &until) == 0)
		;
	bool go_on = !p->stopping;
	pthread_mutex_unlock(&p->mu);
	return go_on;
}

static void *purger_main(void *arg)
{
	struct purger *p = arg;
	acd_time every = p->srv->cfg.purge_interval;
	if (every > CHECK_MAX)
		every = CHECK_MAX;
	/* Not at once: a start is busy enough, and a store just restored or copied is looked at
	 * first. Each nap starts after the previous purge ended, so with an interval under
	 * CHECK_MAX the next one is never found too young by a hair. */
	while (nap(p, every))
		purge_if_due(p);
	return NULL;
}

struct purger *purger_start(struct server *srv, struct acd_error *e)
{
	if (srv->cfg.purge_interval <= 0)
		return NULL;
	struct purger *p = calloc(1, sizeof *p);
	if (!p) {
		acd_fail(e, ACD_EDB, "out of memory");
		return NULL;
	}
	p->srv = srv;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, purger_main, p) != 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->wake);
		free(p);
		acd_fail(e, ACD_EDB, "cannot start the purge thread");
		return NULL;
	}
	return p;
}

void purger_stop(struct purger *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->wake);
	free(p);
}
