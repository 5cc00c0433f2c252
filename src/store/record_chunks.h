/*
 * record_chunks.h — selected records (選別後通信情報) as the store keeps them (migration 10,
 * docs/decisions/0021): in chunks, rows of table record_chunks, each holding up to
 * RECORD_CHUNK_MAX records of one ingest batch under one approval, as the lines the sensor
 * sent (each ending in \n) in batch order. One row per record cost four B-tree inserts a
 * record; a chunk costs them once for many records, and table record_ids keeps only the
 * (approval, id) key each record needs for exactly-once storage.
 *
 * Invariants: the chunk at `seq` holds n >= 1 records whose seqs are seq .. seq+n-1, so every
 * record keeps its own arrival seq (the read API's cursor) and chunks of one approval never
 * overlap; last_min/last_max are the least and greatest `last` (the record's last packet) of
 * its records; record_ids has exactly one row per stored record, with that record's seq.
 * Writers (ingest, the purge) keep them; readers rely on them.
 *
 * Cost: a page read touches the chunks that hold the page, at most one of them partly before
 * the cursor; a purge reads and parses only the chunks with an expired record.
 */
#ifndef ACD_RECORD_CHUNKS_H
#define ACD_RECORD_CHUNKS_H

#include <jansson.h>

#include "db.h"
#include "timefmt.h"

/* Records a chunk holds at most when ingest builds it (bench/README.md has the measurement
 * that chose it); the schema allows up to 1024. */
#define RECORD_CHUNK_MAX 256

/* Up to `limit` records of `approval` with seq > `after`, in seq order, each parsed from its
 * line (JSON null for a line that does not parse) into *items (a new array, the caller's);
 * *last is the seq of the last one (or `after` when there is none). */
enum acd_status record_chunks_page(struct db_conn *c, const char *approval, long long after,
                                   long long limit, json_t **items, long long *last,
                                   struct acd_error *e);

/* Removes every record whose last packet is before `cutoff`, inside the caller's write
 * transaction: a chunk whose records all expired is deleted; a chunk partly expired is
 * replaced by chunks of its kept records (one for each run of consecutive seqs, each run
 * keeping its records' seqs and lines); the removed records' keys leave record_ids. *purged
 * counts records, not chunks. */
enum acd_status record_chunks_purge(struct db_conn *c, acd_time cutoff, long *purged,
                                    struct acd_error *e);

#endif
