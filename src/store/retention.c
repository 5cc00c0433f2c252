/* retention.c — see retention.h. */
#include "retention.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record_chunks.h"
#include "txn.h"

/* The cut-off for a period: everything strictly older goes; a zero period keeps all. */
static acd_time cutoff(acd_time now, acd_time period)
{
	return period > 0 ? now - period : INT64_MIN;
}

/* Whether a purge was recorded in (now - gap, now]. */
static enum acd_status purged_within(struct txn *t, acd_time now, acd_time gap, bool *recent,
                                     struct acd_error *e)
{
	char from[24], to[24];
	snprintf(from, sizeof from, "%" PRId64, (int64_t)(now - gap));
	snprintf(to, sizeof to, "%" PRId64, (int64_t)now);
	const char *p[2] = {from, to};
	struct db_rows *r = NULL;
	enum acd_status st = db_query(t->c,
	                              "SELECT COUNT(*) FROM purges WHERE at > CAST($1 AS BIGINT) "
	                              "AND at <= CAST($2 AS BIGINT)",
	                              p, 2, &r, e);
	if (st != ACD_OK)
		return st;
	const char *n = db_rows_count(r) == 1 ? db_rows_get(r, 0, 0) : NULL;
	*recent = n && strcmp(n, "0") != 0;
	db_rows_free(r);
	return ACD_OK;
}

enum acd_status retention_purge_change(struct txn *t, void *arg, struct acd_error *e)
{
	struct retention_purge_job *j = arg;
	memset(j->out, 0, sizeof *j->out);
	j->skipped = false;
	if (j->min_gap > 0) {
		enum acd_status st = purged_within(t, j->now, j->min_gap, &j->skipped, e);
		if (st != ACD_OK || j->skipped)
			return st;
	}
	char rc[24], sc[24], nows[24];
	snprintf(rc, sizeof rc, "%" PRId64, (int64_t)cutoff(j->now, j->r->records));
	snprintf(sc, sizeof sc, "%" PRId64, (int64_t)cutoff(j->now, j->r->stats));
	snprintf(nows, sizeof nows, "%" PRId64, (int64_t)j->now);
	const char *ps[1] = {sc};
	long nrec = 0, nstat = 0;
	enum acd_status st = record_chunks_purge(t->c, cutoff(j->now, j->r->records), &nrec, e);
	if (st == ACD_OK)
		st = db_exec(t->c, "DELETE FROM sensor_stats WHERE to_at < CAST($1 AS BIGINT)", ps,
		             1, &nstat, e);
	long long num = 0;
	if (st == ACD_OK)
		st = txn_next_number(t, "purge", &num, e);
	if (st != ACD_OK)
		return st;
	snprintf(j->out->id, sizeof j->out->id, "PURGE-%lld", num);
	j->out->records = nrec;
	j->out->stats = nstat;
	char nr[24], ns[24];
	snprintf(nr, sizeof nr, "%ld", nrec);
	snprintf(ns, sizeof ns, "%ld", nstat);
	const char *p[7] = {j->out->id, nows, rc, sc, nr, ns, j->actor};
	st = db_exec(t->c,
	             "INSERT INTO purges (id, at, records_before, stats_before, records, stats, "
	             "by_actor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	             p, 7, NULL, e);
	if (st != ACD_OK)
		return st;
	/* Counts only: the log is kept forever, so it must not keep what the purge removed. */
	char detail[128];
	snprintf(detail, sizeof detail, "{\"records\":%ld,\"stats\":%ld,\"at\":%s}", nrec, nstat,
	         nows);
	struct audit_entry a = {j->actor, "system", "retention.purge", j->out->id, NULL, detail};
	return txn_audit(t, &a, e);
}

/* SQLite: secure_delete (set on every connection, db_sqlite.c) zeroed the freed cells and
 * pages in the WAL frames the delete wrote; the old frames that still hold the inserted rows
 * go when the checkpoint copies the zeroed pages into the main file and truncates the WAL. */
static void scrub_sqlite(struct db_conn *c, struct purge_result *out)
{
	struct acd_error e = {0};
	struct db_rows *r = NULL;
	if (db_query(c, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, &r, &e) != ACD_OK) {
		snprintf(out->scrub, sizeof out->scrub, "wal_checkpoint failed: %s", e.msg);
		return;
	}
	/* Column 0 is 1 when a reader kept the checkpoint from finishing. */
	const char *busy = db_rows_count(r) == 1 ? db_rows_get(r, 0, 0) : "1";
	out->scrubbed = busy && strcmp(busy, "0") == 0;
	snprintf(out->scrub, sizeof out->scrub, "%s",
	         out->scrubbed ? "secure_delete; WAL checkpointed and truncated"
	                       : "WAL checkpoint blocked by a reader: purged pages remain in the "
	                         "WAL until the next purge");
	db_rows_free(r);
}

/* PostgreSQL: plain VACUUM leaves dead tuple bytes in free page space; VACUUM FULL writes the
 * kept rows to new files and drops the old ones at the next checkpoint. The WAL still holds
 * the inserts (and the delete's full-page images) until its segments are removed: a WAL
 * switch and a checkpoint make them removable, and the cluster must run with
 * wal_recycle = off so they are unlinked rather than renamed for reuse (decision 0015).
 * CHECKPOINT and pg_switch_wal need privileges the store's role may lack: then say so. */
#define SCRUB_WAIT_MS 30000 /* for transactions older than the purge to end */

static const char *first_value(struct db_rows *r)
{
	return db_rows_count(r) == 1 ? db_rows_get(r, 0, 0) : NULL;
}

/* VACUUM FULL copies a deleted row into the new files as long as some transaction may still
 * see it, and the purged values would survive the rewrite:
 *  - another backend of this database holding a snapshot taken before the purge committed
 *    (an open REPEATABLE READ transaction; autovacuum's ANALYZE takes one too);
 *  - a transaction anywhere in the cluster that was running when the purge committed:
 *    VACUUM FULL's own snapshot then reaches back to it (xids are cluster-wide), and its
 *    horizon with it. A concurrent test's write in another database did this in one of
 *    five full test runs.
 * So wait until neither holds for an xid taken after the purge. False (with out->scrub
 * saying why) when one still does after SCRUB_WAIT_MS. */
static bool older_snapshots_gone(struct db_conn *c, struct purge_result *out)
{
	struct acd_error e = {0};
	struct db_rows *r = NULL;
	if (db_query(c, "SELECT txid_current()", NULL, 0, &r, &e) != ACD_OK || !first_value(r)) {
		snprintf(out->scrub, sizeof out->scrub, "txid_current failed: %s", e.msg);
		db_rows_free(r);
		return false;
	}
	char after[32];
	snprintf(after, sizeof after, "%s", first_value(r));
	db_rows_free(r);
	const char *p[1] = {after};
	for (int waited = 0;; waited += 50) {
		/* age(xmin) counts back from the next xid, as the snapshot's xmax does: a backend
		 * whose xmin is older than `after` has the larger age. This statement's own
		 * snapshot (it has no xid) has as xmin the oldest xid still running anywhere. */
		r = NULL;
		if (db_query(c,
		             "SELECT 'backend ' || pid FROM pg_stat_activity "
		             "WHERE datname = current_database() AND pid <> pg_backend_pid() "
		             "AND backend_xmin IS NOT NULL AND age(backend_xmin) > "
		             "pg_snapshot_xmax(pg_current_snapshot())::text::bigint "
		             "- CAST($1 AS BIGINT) "
		             "UNION ALL SELECT 'a transaction of the cluster' "
		             "WHERE pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
		             "< CAST($1 AS BIGINT) LIMIT 1",
		             p, 1, &r, &e) != ACD_OK) {
			snprintf(out->scrub, sizeof out->scrub, "pg_stat_activity failed: %s",
			         e.msg);
			return false;
		}
		const char *who = db_rows_count(r) > 0 ? db_rows_get(r, 0, 0) : NULL;
		if (!who) {
			db_rows_free(r);
			return true;
		}
		if (waited >= SCRUB_WAIT_MS) {
			snprintf(out->scrub, sizeof out->scrub,
			         "VACUUM FULL not run: a transaction older than the purge (%s) can "
			         "still see the purged rows; they stay in the files until the next "
			         "purge",
			         who);
			db_rows_free(r);
			return false;
		}
		db_rows_free(r);
		struct timespec ms50 = {0, 50 * 1000 * 1000};
		nanosleep(&ms50, NULL);
	}
}

static void scrub_pg(struct db_conn *c, struct purge_result *out)
{
	if (!older_snapshots_gone(c, out))
		return;
	static const char *const steps[] = {"VACUUM FULL record_chunks",
	                                    "VACUUM FULL record_ids",
	                                    "VACUUM FULL sensor_stats",
	                                    "SELECT pg_switch_wal()",
	                                    "CHECKPOINT",
	                                    NULL};
	for (int i = 0; steps[i]; i++) {
		struct acd_error e = {0};
		struct db_rows *r = NULL;
		if (db_query(c, steps[i], NULL, 0, &r, &e) != ACD_OK) {
			snprintf(out->scrub, sizeof out->scrub, "%s failed: %s", steps[i], e.msg);
			return;
		}
		db_rows_free(r);
	}
	out->scrubbed = true;
	snprintf(out->scrub, sizeof out->scrub,
	         "VACUUM FULL; WAL switched and checkpointed (old segments go with "
	         "wal_recycle=off)");
}

void retention_scrub(struct db *db, struct purge_result *out)
{
	struct db_conn *c = db_acquire(db);
	if (db_kind(db) == DB_SQLITE)
		scrub_sqlite(c, out);
	else
		scrub_pg(c, out);
	db_release(db, c);
}

enum acd_status retention_purge(struct db *db, const struct keys *k, const struct retention *r,
                                acd_time now, const char *actor, struct purge_result *out,
                                struct acd_error *e)
{
	memset(out, 0, sizeof *out);
	struct retention_purge_job j = {r, now, actor, 0, out, false};
	enum acd_status st = txn_run(db, k, retention_purge_change, &j, e);
	if (st != ACD_OK)
		return st;
	retention_scrub(db, out);
	return ACD_OK;
}
