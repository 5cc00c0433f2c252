/*
 * ingest.c — sensors post batches of selected records and stats to /api/v1/ingest, each batch
 * signed with the sensor's Ed25519 key over the exact body bytes (header X-ACD-Signature,
 * the sensor named in X-ACD-Sensor). A batch is NDJSON (decision 0018): a header line
 * {"batch","sensor","records":N,"stats":M}, then N record lines, then M stats lines; each
 * line is parsed and checked on its own and stored as sent. acdd checks, before storing anything:
 * the sensor is registered and the signature is its; every record and stats line is well formed and
 * from that sensor; every record names an approval issued for the sensor's facility and lies within
 * it (record_check.h). A batch that fails any check is refused whole, with the reason. A batch id
 * already stored is acknowledged again and stored nothing: at-least-once delivery, exactly-once
 * storage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "approval.h"
#include "batch_frame.h"
#include "record_check.h"
#include "record_chunks.h"
#include "sensor_registry.h"

#define INGEST_APPROVALS_MAX 64 /* distinct approvals one batch may name */
#define SELECTED_LABEL       "selected-communications-information"
#define INGEST_MEDIA_TYPE    "application/x-ndjson"
#define KEY_ROW_TEXT_MAX     48 /* ", ($1, $1026, CAST($2 AS BIGINT) + 1023)" of one key */

/* One approval a batch names, parsed from its signed document. */
struct batch_approval {
	char id[APPROVAL_ID_MAX];
	struct approval a;
	acd_time revoked_at;
};

/* A checked record line: what its row needs. Strings point into the batch's arena, `line`
 * into its copy of the body (the exact bytes the sensor signed, stored as `doc`). */
struct batch_record {
	const char *line, *id, *approval, *direction, *src, *dst;
	acd_time first, last;
	json_int_t proto, packets, bytes;
};

/* A checked stats line; approval NULL when the line names none. */
struct batch_stats {
	const char *line, *approval;
	acd_time from, to;
};

/*
 * A batch as posted: its frame (batch_frame.h: the lines, split in place once the signature
 * is checked, and the header's id and counts). No tree of the whole batch is ever built:
 * each line is parsed, checked and freed in turn, and what storing needs is kept in the
 * small structs above. The arena holds their strings; a JSON string takes at least its
 * length plus two quotes in the body, so body_len bytes always suffice.
 */
struct batch {
	struct batch_frame frame;
	const char *sensor;
	char facility[64];
	char *arena;
	size_t arena_len, arena_used;
	struct batch_record *records;
	struct batch_stats *stats;
	struct batch_approval approvals[INGEST_APPROVALS_MAX];
	size_t n_approvals;
	struct record_line line; /* the record line being checked; its buffers serve them all */
	bool duplicate;
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n_approvals; i++)
		approval_free(&b->approvals[i].a);
	batch_frame_free(&b->frame);
	record_line_free(&b->line);
	free(b->arena);
	free(b->records);
	free(b->stats);
}

/* A copy of `s` in the batch's arena; NULL for NULL (or, never by the bound above, no room). */
static const char *batch_keep(struct batch *b, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	if (n > b->arena_len - b->arena_used)
		return NULL;
	char *p = memcpy(b->arena + b->arena_used, s, n);
	b->arena_used += n;
	return p;
}

/* Finds or loads the approval `id`; NULL (why set) when unknown, never approved, or issued
 * for another facility. */
static const struct batch_approval *batch_approval(struct request *rq, struct batch *b,
                                                   const char *id, char *why, size_t len)
{
	for (size_t i = 0; i < b->n_approvals; i++)
		if (strcmp(b->approvals[i].id, id) == 0)
			return &b->approvals[i];
	if (b->n_approvals == INGEST_APPROVALS_MAX) {
		snprintf(why, len, "more than %d approvals in one batch", INGEST_APPROVALS_MAX);
		return NULL;
	}
	const char *p[1] = {id};
	struct db_rows *r;
	if (db_query(rq->c, "SELECT document, facility, revoked_at FROM approvals WHERE id = $1", p,
	             1, &r, NULL) != ACD_OK) {
		snprintf(why, len, "approval %s: the store failed", id);
		return NULL;
	}
	struct batch_approval *ba = &b->approvals[b->n_approvals];
	const char *doc = db_rows_count(r) == 1 ? db_rows_get(r, 0, 0) : NULL;
	struct acd_error e = {0};
	bool ok = false;
	if (!doc)
		snprintf(why, len, "approval %s: not an approval issued by this office", id);
	else if (strcmp(db_rows_get(r, 0, 1), b->facility) != 0)
		snprintf(why, len, "approval %s: issued for facility %s, not %s", id,
		         db_rows_get(r, 0, 1), b->facility);
	else if (approval_parse((const uint8_t *)doc, strlen(doc), &ba->a, &e) != ACD_OK)
		snprintf(why, len, "approval %s: stored document unreadable: %s", id, e.msg);
	else {
		const char *rev = db_rows_get(r, 0, 2);
		ba->revoked_at = rev ? (acd_time)strtoll(rev, NULL, 10) : INT64_MAX;
		snprintf(ba->id, sizeof ba->id, "%s", id);
		b->n_approvals++;
		ok = true;
	}
	db_rows_free(r);
	return ok ? ba : NULL;
}

/* Fills the reply for a body the framing refused. */
static int reply_frame_error(struct reply *rp, const struct frame_error *err)
{
	return reply_error(rp, err->status, err->code, err->field[0] ? err->field : NULL, "%s",
	                   err->msg);
}

/* Line `at` (1-based in the body) as one JSON object, or NULL with a 400 reply naming
 * `field`. The caller frees the object. */
static json_t *line_object(const struct batch *b, size_t at, const char *field, struct reply *rp)
{
	struct frame_error err;
	json_t *v = batch_frame_object(&b->frame, at, field, &err);
	if (!v)
		reply_frame_error(rp, &err);
	return v;
}

/* records[I], the field a refusal names; formatted only for a refusal, since formatting it
 * for every record was a cost of its own. */
static const char *record_field(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "records[%zu]", i);
	return buf;
}

/* Reads record line `at` into b->line (record_line.h), or fills a 400 naming the field (503
 * out of memory) the way batch_frame_object would for a line that is not a JSON object. */
static bool read_record_line(struct batch *b, size_t at, char *field, size_t flen, struct reply *rp)
{
	const char *text = b->frame.lines[at - 1];
	char why[200];
	if (text[0] && record_line_parse(text, strlen(text), &b->line, why, sizeof why))
		return true;
	record_field(field, flen, at - 2);
	if (!text[0])
		return reply_error(rp, 400, "invalid", field, "%s (line %zu): an empty line", field,
		                   at),
		       false;
	if (b->line.refusal == RL_NOT_JSON)
		reply_error(rp, 400, "malformed_json", field, "%s (line %zu): malformed JSON %s",
		            field, at, why);
	else if (b->line.refusal == RL_NOT_OBJECT)
		reply_error(rp, 400, "invalid", field, "%s (line %zu): not a JSON object", field,
		            at);
	else
		reply_error(rp, 503, "unavailable", NULL, "out of memory for the batch");
	return false;
}

/* Checks one record line; keeps what its row needs in `out`. */
static bool check_record(struct request *rq, struct reply *rp, struct batch *b, size_t i,
                         struct batch_record *out)
{
	char why[300], field[40];
	size_t at = 2 + i;
	if (!read_record_line(b, at, field, sizeof field, rp))
		return false;
	const struct record_line *l = &b->line;
	const char *type = record_line_str(l, RK_TYPE);
	bool ok = false;
	if (type && strcmp(type, "stats") == 0)
		reply_error(rp, 400, "invalid", record_field(field, sizeof field, i),
		            "%s (line %zu): a stats line where a record is expected (the header "
		            "announces %zu records)",
		            field, at, b->frame.n_records);
	else if (!record_line_well_formed(l, why, sizeof why))
		reply_error(rp, 400, "invalid", record_field(field, sizeof field, i), "%s: %s",
		            field, why);
	else if (strcmp(l->v[RK_SENSOR].str, b->sensor) != 0)
		reply_error(rp, 403, "forbidden", record_field(field, sizeof field, i),
		            "%s: from sensor %s, not %s", field, l->v[RK_SENSOR].str, b->sensor);
	else {
		const struct batch_approval *ba =
		        batch_approval(rq, b, l->v[RK_APPROVAL].str, why, sizeof why);
		if (!ba || !record_line_within(l, &ba->a, ba->revoked_at, rq->srv->prefixes, why,
		                               sizeof why))
			reply_error(rp, 403, "forbidden", record_field(field, sizeof field, i),
			            "%s: %s", field, why);
		else
			ok = true;
	}
	if (!ok)
		return false;
	out->line = b->frame.lines[at - 1];
	out->id = batch_keep(b, l->v[RK_ID].str);
	out->approval = batch_keep(b, l->v[RK_APPROVAL].str);
	out->direction = batch_keep(b, l->v[RK_DIRECTION].str);
	out->src = batch_keep(b, l->v[RK_SRC].str);
	out->dst = batch_keep(b, l->v[RK_DST].str);
	time_parse(l->v[RK_FIRST].str, &out->first);
	time_parse(l->v[RK_LAST].str, &out->last);
	out->proto = l->v[RK_PROTO].num;
	/* Both non-negative int64: the sum wraps (as two's complement) rather than overflow. */
	out->packets =
	        (json_int_t)((uint64_t)l->v[RK_PACKETS].num + (uint64_t)l->v[RK_RPACKETS].num);
	out->bytes = (json_int_t)((uint64_t)l->v[RK_BYTES].num + (uint64_t)l->v[RK_RBYTES].num);
	if (!out->id || !out->approval || !out->direction || !out->src || !out->dst) {
		reply_error(rp, 500, "internal", record_field(field, sizeof field, i),
		            "%s: out of room", field);
		return false;
	}
	return true;
}

/* Checks every record line; on failure fills a 400 (malformed) or 403 (outside) reply. */
static bool check_records(struct request *rq, struct reply *rp, struct batch *b)
{
	for (size_t i = 0; i < b->frame.n_records; i++)
		if (!check_record(rq, rp, b, i, &b->records[i]))
			return false;
	return true;
}

/* Stats lines: Contract 4's shape, this sensor, an approval of its facility or none. */
static bool check_one_stats(struct request *rq, struct reply *rp, struct batch *b, size_t i,
                            struct batch_stats *out)
{
	char why[300], field[40];
	size_t at = 2 + b->frame.n_records + i;
	snprintf(field, sizeof field, "stats[%zu]", i);
	json_t *s = line_object(b, at, field, rp);
	if (!s)
		return false;
	bool ok = false;
	const char *type = json_string_value(json_object_get(s, "type"));
	const char *sensor = json_string_value(json_object_get(s, "sensor"));
	json_t *ap = json_object_get(s, "approval");
	if (type && strcmp(type, "stats") != 0 && record_well_formed(s, why, sizeof why))
		reply_error(rp, 400, "invalid", field,
		            "%s (line %zu): a record line where stats are expected (the header "
		            "announces %zu records)",
		            field, at, b->frame.n_records);
	else if (!type || strcmp(type, "stats") != 0 || !sensor ||
	         !time_parse(json_string_value(json_object_get(s, "from")) ?: "", &out->from) ||
	         !time_parse(json_string_value(json_object_get(s, "to")) ?: "", &out->to) ||
	         !(json_is_null(ap) || json_is_string(ap)))
		reply_error(rp, 400, "invalid", field,
		            "%s: a Contract 4 stats line (type, sensor, approval, from, to)",
		            field);
	else if (strcmp(sensor, b->sensor) != 0)
		reply_error(rp, 403, "forbidden", field, "%s: from sensor %s, not %s", field,
		            sensor, b->sensor);
	else if (json_is_string(ap) &&
	         !batch_approval(rq, b, json_string_value(ap), why, sizeof why))
		reply_error(rp, 403, "forbidden", field, "%s: %s", field, why);
	else
		ok = true;
	if (ok) {
		out->line = b->frame.lines[at - 1];
		out->approval = batch_keep(b, json_string_value(ap));
		if (json_is_string(ap) && !out->approval)
			ok = false,
			reply_error(rp, 500, "internal", field, "%s: out of room", field);
	}
	json_decref(s);
	return ok;
}

static bool check_stats(struct request *rq, struct reply *rp, struct batch *b)
{
	for (size_t i = 0; i < b->frame.n_stats; i++)
		if (!check_one_stats(rq, rp, b, i, &b->stats[i]))
			return false;
	return true;
}

/* The text of one INSERT of the keys of a chunk of `rows` records: $1 the approval, $2 the
 * first record's seq, $3 … the ids. ON CONFLICT DO NOTHING keeps the transaction usable on
 * PostgreSQL when a record is already stored; the caller sees it in the count of rows
 * inserted and names the record (name_conflict). */
static char *record_ids_insert_sql(size_t rows)
{
	static const char head[] = "INSERT INTO record_ids (approval, id, seq) VALUES ";
	static const char tail[] = " ON CONFLICT DO NOTHING";
	size_t cap = sizeof head + rows * KEY_ROW_TEXT_MAX + sizeof tail, len = 0;
	char *sql = malloc(cap);
	if (!sql)
		return NULL;
	len += (size_t)snprintf(sql, cap, "%s", head);
	for (size_t r = 0; r < rows; r++)
		len += (size_t)snprintf(sql + len, cap - len,
		                        "%s($1, $%zu, CAST($2 AS BIGINT) + %zu)", r ? ", " : "",
		                        r + 3, r);
	snprintf(sql + len, cap - len, "%s", tail);
	return sql;
}

/* One chunk being stored: records order[at .. at+rows) of the batch, under one approval,
 * with the seqs first_seq+at on. */
struct chunk {
	const size_t *order;
	size_t at, rows;
	long long first_seq;
};

/* A record of the chunk was not inserted: the one whose stored seq is not the seq it was
 * given is already stored (from another batch, or twice in this one). */
static enum acd_status name_conflict(struct txn *t, const struct batch *b, const struct chunk *ch,
                                     struct acd_error *e)
{
	for (size_t k = ch->at; k < ch->at + ch->rows; k++) {
		size_t i = ch->order[k];
		const struct batch_record *v = &b->records[i];
		const char *p[2] = {v->approval, v->id};
		struct db_rows *r;
		enum acd_status st =
		        db_query(t->c, "SELECT seq FROM record_ids WHERE approval = $1 AND id = $2",
		                 p, 2, &r, e);
		if (st != ACD_OK)
			return st;
		bool mine = db_rows_count(r) == 1 &&
		            strtoll(db_rows_get(r, 0, 0), NULL, 10) == ch->first_seq + (long long)k;
		db_rows_free(r);
		/* The same record id under the same approval in another batch: the sensor was run
		 * twice over the same input under one sensor id. Storing it again would double it;
		 * refusing for good (409) keeps the sensor from retrying what cannot succeed. */
		if (!mine)
			return acd_fail(
			        e, ACD_ECONFLICT,
			        "records[%zu]: record %s of %s is already stored from another "
			        "batch (the same input sent twice under one sensor id?)",
			        i, v->id, v->approval);
	}
	return acd_fail(e, ACD_ECONFLICT, "records: a record of %s is already stored",
	                b->records[ch->order[ch->at]].approval);
}

/* The chunk's lines as sent, each ending in \n, in a buffer of the caller's; NULL on ENOMEM. */
static char *chunk_docs(const struct batch *b, const struct chunk *ch, char **buf, size_t *cap)
{
	size_t need = 1;
	for (size_t k = ch->at; k < ch->at + ch->rows; k++)
		need += strlen(b->records[ch->order[k]].line) + 1;
	if (need > *cap) {
		char *p = realloc(*buf, need);
		if (!p)
			return NULL;
		*buf = p;
		*cap = need;
	}
	char *d = *buf;
	for (size_t k = ch->at; k < ch->at + ch->rows; k++) {
		const char *line = b->records[ch->order[k]].line;
		size_t len = strlen(line);
		memcpy(d, line, len);
		d += len;
		*d++ = '\n';
	}
	*d = '\0';
	return *buf;
}

/* Stores one chunk: its records' keys (a clash names the record), then the chunk row. */
static enum acd_status insert_chunk(struct txn *t, const struct batch *b, const struct chunk *ch,
                                    const char *keys_sql, const char *now, char **docs,
                                    size_t *docs_cap, struct acd_error *e)
{
	const char *p[2 + RECORD_CHUNK_MAX];
	char seq[24], n[24], lo[24], hi[24];
	const struct batch_record *first = &b->records[ch->order[ch->at]];
	acd_time last_min = INT64_MAX, last_max = INT64_MIN;
	snprintf(seq, sizeof seq, "%lld", ch->first_seq + (long long)ch->at);
	p[0] = first->approval;
	p[1] = seq;
	for (size_t k = 0; k < ch->rows; k++) {
		const struct batch_record *v = &b->records[ch->order[ch->at + k]];
		p[2 + k] = v->id;
		last_min = v->last < last_min ? v->last : last_min;
		last_max = v->last > last_max ? v->last : last_max;
	}
	long changed = 0;
	enum acd_status st = db_exec(t->c, keys_sql, p, (int)(2 + ch->rows), &changed, e);
	if (st == ACD_OK && (size_t)changed != ch->rows)
		st = name_conflict(t, b, ch, e);
	if (st != ACD_OK)
		return st;
	if (!chunk_docs(b, ch, docs, docs_cap))
		return acd_fail(e, ACD_EDB, "store: out of memory for a chunk");
	snprintf(n, sizeof n, "%zu", ch->rows);
	snprintf(lo, sizeof lo, "%" PRId64, (int64_t)last_min);
	snprintf(hi, sizeof hi, "%" PRId64, (int64_t)last_max);
	const char *row[10] = {seq, first->approval, b->sensor, b->frame.id, n, lo,
	                       hi,  SELECTED_LABEL,  now,       *docs};
	return db_exec(t->c,
	               "INSERT INTO record_chunks (seq, approval, sensor, batch, n, last_min, "
	               "last_max, label, stored_at, docs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	               "$9, $10)",
	               row, 10, NULL, e);
}

/* The batch's record indexes grouped by approval (first appearance first), batch order
 * inside each group; NULL on ENOMEM. */
static size_t *approval_order(const struct batch *b)
{
	size_t n = b->frame.n_records, k = 0;
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	bool *taken = calloc(n ? n : 1, sizeof *taken);
	if (!order || !taken) {
		free(order);
		free(taken);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		for (size_t j = i; j < n; j++)
			if (!taken[j] &&
			    strcmp(b->records[j].approval, b->records[i].approval) == 0) {
				taken[j] = true;
				order[k++] = j;
			}
	}
	free(taken);
	return order;
}

/* Stores the batch's records in chunks (record_chunks.h): per approval, in batch order, up
 * to RECORD_CHUNK_MAX a chunk, the seqs from first_seq on in that order; each line exactly
 * as the sensor sent it. */
static enum acd_status insert_records(struct txn *t, const struct batch *b, long long first_seq,
                                      const char *now, struct acd_error *e)
{
	size_t n = b->frame.n_records;
	size_t *order = approval_order(b);
	char *full = NULL, *sql = NULL, *docs = NULL;
	size_t docs_cap = 0;
	enum acd_status st = order ? ACD_OK : acd_fail(e, ACD_EDB, "store: out of memory");
	for (size_t at = 0; st == ACD_OK && at < n;) {
		/* The chunk: up to RECORD_CHUNK_MAX records of the approval of order[at]. */
		const char *approval = b->records[order[at]].approval;
		size_t rows = 1;
		while (at + rows < n && rows < RECORD_CHUNK_MAX &&
		       strcmp(b->records[order[at + rows]].approval, approval) == 0)
			rows++;
		if (rows == RECORD_CHUNK_MAX && !full)
			full = record_ids_insert_sql(rows);
		if (rows < RECORD_CHUNK_MAX) {
			free(sql);
			sql = record_ids_insert_sql(rows);
		}
		const char *text = rows == RECORD_CHUNK_MAX ? full : sql;
		if (!text) {
			st = acd_fail(e, ACD_EDB, "store: out of memory for an insert");
			break;
		}
		struct chunk ch = {order, at, rows, first_seq};
		st = insert_chunk(t, b, &ch, text, now, &docs, &docs_cap, e);
		at += rows;
	}
	free(order);
	free(full);
	free(sql);
	free(docs);
	return st;
}

static enum acd_status insert_stats(struct txn *t, const struct batch *b,
                                    const struct batch_stats *s, size_t n, struct acd_error *e)
{
	char ns[24], fs[24], ts[24];
	snprintf(ns, sizeof ns, "%zu", n);
	snprintf(fs, sizeof fs, "%" PRId64, (int64_t)s->from);
	snprintf(ts, sizeof ts, "%" PRId64, (int64_t)s->to);
	const char *p[7] = {b->frame.id, ns, b->sensor, s->approval, fs, ts, s->line};
	return db_exec(t->c,
	               "INSERT INTO sensor_stats (batch, n, sensor, approval, from_at, "
	               "to_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	               p, 7, NULL, e);
}

static enum acd_status store_batch(struct txn *t, void *arg, struct acd_error *e)
{
	struct batch *b = arg;
	size_t nrec = b->frame.n_records, nstat = b->frame.n_stats;
	char now[24], nr[24], ns[24];
	snprintf(now, sizeof now, "%" PRId64, (int64_t)t->now);
	snprintf(nr, sizeof nr, "%zu", nrec);
	snprintf(ns, sizeof ns, "%zu", nstat);
	const char *p[5] = {b->frame.id, b->sensor, now, nr, ns};
	enum acd_status st =
	        db_exec(t->c,
	                "INSERT INTO ingest_batches (id, sensor, received_at, records, "
	                "stats) VALUES ($1, $2, $3, $4, $5)",
	                p, 5, NULL, e);
	if (st != ACD_OK) {
		/* The same batch in the same group, or from another acdd: stored once already. */
		b->duplicate = db_error_is_conflict(t->c);
		return st;
	}
	/* Take nrec sequence numbers at once: one counter update a batch, not a record. */
	const char *cp[1] = {nr};
	st = db_exec(t->c,
	             "UPDATE counters SET value = value + CAST($1 AS BIGINT) WHERE name = 'record'",
	             cp, 1, NULL, e);
	struct db_rows *r;
	if (st == ACD_OK)
		st = db_query(t->c, "SELECT value FROM counters WHERE name = 'record'", NULL, 0, &r,
		              e);
	if (st != ACD_OK)
		return st;
	long long last = strtoll(db_rows_get(r, 0, 0), NULL, 10);
	db_rows_free(r);
	st = insert_records(t, b, last - (long long)nrec + 1, now, e);
	if (st != ACD_OK)
		return st;
	for (size_t i = 0; i < nstat; i++) {
		st = insert_stats(t, b, &b->stats[i], i, e);
		if (st != ACD_OK)
			return st;
	}
	char detail[160];
	snprintf(detail, sizeof detail, "{\"sensor\":\"%s\",\"records\":%zu,\"stats\":%zu}",
	         b->sensor, nrec, nstat);
	struct audit_entry a = {b->sensor, "sensor", "ingest.batch", b->frame.id, NULL, detail};
	return txn_audit(t, &a, e);
}

/* Authenticates the batch: a registered sensor and its signature over the exact bytes. */
static bool authenticate_sensor(struct request *rq, struct reply *rp, const char *sensor,
                                char facility[64])
{
	const char *sig = http_header(rq, "X-ACD-Signature");
	uint8_t pk[KEY_PUBLIC_BYTES];
	if (!sensor || !sensor_lookup(rq->c, sensor, facility, pk)) {
		reply_error(rp, 401, "unauthenticated", "sensor",
		            "sensor: not a registered sensor (X-ACD-Sensor)");
		return false;
	}
	if (!sig || !sig_verify_b64((const uint8_t *)(rq->body ? rq->body : ""), rq->body_len, sig,
	                            strlen(sig), pk)) {
		reply_error(rp, 401, "unauthenticated", "signature",
		            "signature: X-ACD-Signature is not sensor %s's signature over the body",
		            sensor);
		return false;
	}
	return true;
}

/* True when the request says it carries NDJSON; else a 415 naming the type expected. */
static bool ndjson_body(struct request *rq, struct reply *rp)
{
	const char *ct = http_header(rq, "Content-Type");
	size_t n = strlen(INGEST_MEDIA_TYPE);
	if (ct && strncasecmp(ct, INGEST_MEDIA_TYPE, n) == 0 &&
	    (!ct[n] || ct[n] == ';' || ct[n] == ' '))
		return true;
	reply_error(rp, 415, "unsupported_media_type", NULL,
	            "a batch is " INGEST_MEDIA_TYPE ": the batch header line, then its record "
	            "lines, then its stats lines, each ending in \\n");
	return false;
}

/* The batch's frame (its lines and header) and room for what its lines' rows need; fills
 * a 400 (or 503) reply on failure. */
static bool read_batch(struct request *rq, struct reply *rp, struct batch *b)
{
	struct frame_error err;
	if (!batch_frame_parse(rq->body, rq->body_len, b->sensor, &b->frame, &err))
		return reply_frame_error(rp, &err), false;
	b->arena = malloc(rq->body_len);
	b->arena_len = rq->body_len;
	b->records = calloc(b->frame.n_records ? b->frame.n_records : 1, sizeof *b->records);
	b->stats = calloc(b->frame.n_stats ? b->frame.n_stats : 1, sizeof *b->stats);
	if (!b->arena || !b->records || !b->stats)
		return reply_error(rp, 503, "unavailable", NULL, "out of memory for the batch"),
		       false;
	return true;
}

/* True when this batch id is stored already. */
static bool batch_seen(struct db_conn *c, const char *id)
{
	const char *p[1] = {id};
	struct db_rows *r;
	if (db_query(c, "SELECT 1 FROM ingest_batches WHERE id = $1", p, 1, &r, NULL) != ACD_OK)
		return false;
	bool seen = db_rows_count(r) == 1;
	db_rows_free(r);
	return seen;
}

int api_ingest(struct request *rq, struct reply *rp)
{
	struct batch b = {.sensor = http_header(rq, "X-ACD-Sensor")};
	if (!rq->srv->prefixes)
		return reply_error(
		        rp, 503, "no_prefix_table", NULL,
		        "acdd checks records against its own prefix table: start it with "
		        "--prefixes FILE");
	if (!authenticate_sensor(rq, rp, b.sensor, b.facility))
		return rp->status;
	if (!ndjson_body(rq, rp))
		return rp->status;
	if (read_batch(rq, rp, &b)) {
		if (batch_seen(rq->c, b.frame.id)) {
			reply_json(rp, 200,
			           json_pack("{s:s, s:b}", "batch", b.frame.id, "duplicate", 1));
		} else if (check_records(rq, rp, &b) && check_stats(rq, rp, &b)) {
			struct acd_error e = {0};
			enum acd_status st = writer_run(rq->srv->writer, store_batch, &b, &e);
			if (st == ACD_ECONFLICT)
				reply_error(rp, 409, "conflict", NULL, "%s", e.msg);
			else if (st == ACD_OK || b.duplicate)
				reply_json(rp, 200,
				           json_pack("{s:s, s:b, s:i, s:i}", "batch", b.frame.id,
				                     "duplicate", b.duplicate, "records",
				                     b.duplicate ? 0 : (int)b.frame.n_records,
				                     "stats",
				                     b.duplicate ? 0 : (int)b.frame.n_stats));
			else
				api_store_error(rp, &e);
		}
	}
	batch_free(&b);
	return rp->status;
}
