/* writer.c — see writer.h. */
#include "writer.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct job {
	txn_fn fn;
	void *arg;
	enum acd_status status;
	struct acd_error err;
	sem_t answered; /* posted once status is final; only this job's caller waits on it */
	struct job *next;
};

struct writer {
	struct db *db;
	const struct keys *keys;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;
	struct job *head, *tail;
	bool stopping;
	unsigned long long groups, changes;
	acd_time head_file_at;   /* when the audit head file was last written */
	struct audit_chain last; /* the chain tail as of the last commit */
	bool head_file_stale;    /* `last` is newer than the head file */
};

/* Runs one change behind a savepoint; a refused change is undone alone, and the chain tail
 * goes back to where it was. */
static void run_guarded(struct txn *t, struct job *j)
{
	struct audit_chain saved = t->chain;
	j->status = db_savepoint(t->c, "job", &j->err);
	if (j->status != ACD_OK)
		return;
	j->status = j->fn(t, j->arg, &j->err);
	if (j->status == ACD_OK) {
		j->status = db_release_savepoint(t->c, "job", &j->err);
	} else {
		db_rollback_to(t->c, "job");
		db_release_savepoint(t->c, "job", NULL);
		t->chain = saved;
	}
}

/* Fails every job of a group whose transaction could not commit. */
static void fail_group(struct job *g, const struct acd_error *why)
{
	for (struct job *j = g; j; j = j->next)
		if (j->status == ACD_OK) {
			j->status = why->status;
			j->err = *why;
		}
}

static void write_head_file(struct writer *w, acd_time now)
{
	struct acd_error e = {0};
	if (audit_write_head_file(w->keys, &w->last, &e) != ACD_OK)
		log_warnx("writer: %s", e.msg);
	w->head_file_at = now;
	w->head_file_stale = false;
}

/* One attempt at a group: begin, every job, sign the audit head, commit. Unguarded, the
 * jobs run without savepoints (two statements, and on PostgreSQL two round trips, fewer per
 * job); the first refusal then abandons the attempt and returns false so the group is run
 * again guarded, where a refused change is undone alone. Returns true once every job has its
 * final status. */
static bool try_group(struct writer *w, struct db_conn *c, struct job *g, bool guarded)
{
	struct txn t = {.c = c, .now = time_now()};
	struct acd_error e = {0};
	for (struct job *j = g; j; j = j->next)
		j->status = ACD_OK;
	enum acd_status st = db_begin(c, DB_WRITE, &e);
	if (st == ACD_OK)
		st = audit_begin(c, &t.chain, &e);
	if (st != ACD_OK) {
		db_rollback(c);
		fail_group(g, &e);
		return true;
	}
	for (struct job *j = g; j; j = j->next) {
		if (guarded) {
			run_guarded(&t, j);
		} else if ((j->status = j->fn(&t, j->arg, &j->err)) != ACD_OK) {
			db_rollback(c);
			return false;
		}
	}
	st = audit_sign_head(c, &t.chain, w->keys, t.now, &e);
	if (st == ACD_OK)
		st = db_commit(c, &e);
	if (st != ACD_OK) {
		db_rollback(c);
		log_warnx("writer: group of changes not committed: %s", e.msg);
		fail_group(g, &e);
		return true;
	}
	w->last = t.chain;
	w->head_file_stale = t.chain.seq > 0;
	/* The head file outside the database trails by at most a second (audit.h). */
	if (w->head_file_stale && t.now - w->head_file_at >= ACD_USEC)
		write_head_file(w, t.now);
	return true;
}

/* Runs a group in one transaction: unguarded first, guarded when a change was refused
 * (docs/decisions/0010). */
static void run_group(struct writer *w, struct db_conn *c, struct job *g)
{
	if (!try_group(w, c, g, false))
		try_group(w, c, g, true);
}

/* Answers each caller of a finished group; a job lives on its caller's stack, so it is not
 * touched after its semaphore is posted. */
static void answer_group(struct job *g)
{
	while (g) {
		struct job *next = g->next;
		sem_post(&g->answered);
		g = next;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct db_conn *c = db_acquire(w->db);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head && w->stopping)
			break;
		/* Take up to WRITER_MAX_GROUP queued jobs as one group. */
		struct job *g = w->head, *last = g;
		int n = 1;
		while (last->next && n < WRITER_MAX_GROUP) {
			last = last->next;
			n++;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&w->mu);
		run_group(w, c, g);
		/* Counted before anyone is answered, so a caller's change is in /metrics when it
		 * returns. */
		pthread_mutex_lock(&w->mu);
		w->groups++;
		w->changes += (unsigned long long)n;
		pthread_mutex_unlock(&w->mu);
		/* Only the group's own callers wake: a broadcast would wake every waiting request
		 * thread for each group, and a context switch is what costs most here. */
		answer_group(g);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	if (w->head_file_stale)
		write_head_file(w, time_now());
	db_release(w->db, c);
	return NULL;
}

struct writer *writer_start(struct db *db, const struct keys *k, struct acd_error *e)
{
	struct writer *w = calloc(1, sizeof *w);
	if (!w) {
		acd_fail(e, ACD_EDB, "out of memory");
		return NULL;
	}
	w->db = db;
	w->keys = k;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		free(w);
		acd_fail(e, ACD_EDB, "cannot start the writer thread");
		return NULL;
	}
	return w;
}

void writer_stop(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	free(w);
}

enum acd_status writer_run(struct writer *w, txn_fn fn, void *arg, struct acd_error *e)
{
	struct job j = {.fn = fn, .arg = arg};
	sem_init(&j.answered, 0, 0);
	pthread_mutex_lock(&w->mu);
	/* j stays on this stack until the writer posts j.answered, and this function does not
	 * return before that, so the queue never holds a dead job. */
	if (w->tail)
		w->tail->next = &j;
	else
		w->head = &j; // cppcheck-suppress autoVariables
	w->tail = &j;         // cppcheck-suppress autoVariables
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	while (sem_wait(&j.answered) != 0)
		; /* EINTR */
	sem_destroy(&j.answered);
	if (j.status != ACD_OK && e)
		*e = j.err;
	return j.status;
}

void writer_counts(struct writer *w, unsigned long long *groups, unsigned long long *changes)
{
	pthread_mutex_lock(&w->mu);
	*groups = w->groups;
	*changes = w->changes;
	pthread_mutex_unlock(&w->mu);
}
