/*
 * retention.h — the retention/disposal stage (保存・廃棄) of selected information: rows older
 * than their class's period are deleted, and the deletion is made real in the database files
 * (SQLite: secure_delete, which every connection sets, then a truncating WAL checkpoint;
 * PostgreSQL: VACUUM FULL of the purged tables, a WAL switch and a checkpoint), so a purged
 * value cannot be read back from the disk either.
 *
 * Classes and what they are measured from:
 *   records  selected records (選別後通信情報), from their last packet ("last"; record_chunks.h
 *            says how a chunk with expired and kept records is rewritten): the time the
 *            communication was acquired, not when a late sensor delivered it;
 *   stats    the sensors' statistics lines, from the end of their interval (to_at).
 * Never purged: the audit log (the evidence the commission inspects), approvals, agreements,
 * consents, export decisions, ingest batch ids and counts (exactly-once and the Diet report
 * need them; they hold no content) and the purges table itself.
 *
 * Each purge is one write transaction that deletes, records a `purges` row and an audit
 * entry with the counts only — never what was deleted. `acd purge` runs it with
 * retention_purge; acdd runs the same change in its writer (retention_purge_change) every
 * `retention.purge_interval_hours`, then makes it real with retention_scrub.
 */
#ifndef ACD_RETENTION_H
#define ACD_RETENTION_H

#include "db.h"
#include "keys.h"
#include "timefmt.h"
#include "txn.h"

struct retention {
	acd_time records; /* period; 0 keeps forever */
	acd_time stats;
};

struct purge_result {
	char id[32];
	long long records, stats; /* rows deleted */
	char scrub[256];          /* what making the deletion real did, or why it could not */
	bool scrubbed;
};

/* The purge as a change, for a caller that runs the transaction itself (acdd's writer).
 * With `min_gap` > 0 it purges only when no purge was recorded in (now - min_gap, now] —
 * checked inside the write transaction, which the audit chain's row lock serialises against
 * every other audited change, so two purges never run within the gap, whoever starts them —
 * and otherwise changes nothing and sets `skipped`. The job may be run again (the writer
 * retries a group); each run starts afresh. */
struct retention_purge_job {
	const struct retention *r;
	acd_time now;
	const char *actor;
	acd_time min_gap;
	struct purge_result *out;
	bool skipped;
};
enum acd_status retention_purge_change(struct txn *t, void *arg, struct acd_error *e);

/* Makes a committed purge real in the database files (above); fills out->scrub(bed). */
void retention_scrub(struct db *db, struct purge_result *out);

/* Purges what expired by `now` (the controlled clock; usually time_now()) as `actor`. */
enum acd_status retention_purge(struct db *db, const struct keys *k, const struct retention *r,
                                acd_time now, const char *actor, struct purge_result *out,
                                struct acd_error *e);

#endif
