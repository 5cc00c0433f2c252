/*
 * ingest.c — sensors post batches of selected records and stats to /api/v1/ingest, each batch
 * signed with the sensor's Ed25519 key over the exact body bytes (header X-ACD-Signature,
 * the sensor named in X-ACD-Sensor). acdd checks, before storing anything: the sensor is
 * registered and the signature is its; every record and stats line is well formed and from
 * that sensor; every record names an approval issued for the sensor's facility and lies
 * within it (record_check.h). A batch that fails any check is refused whole, with the reason.
 * A batch id already stored is acknowledged again and stored nothing: at-least-once delivery,
 * exactly-once storage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "approval.h"
#include "record_check.h"
#include "sensor_registry.h"

#define INGEST_APPROVALS_MAX 64 /* distinct approvals one batch may name */
#define SELECTED_LABEL       "selected-communications-information"

/* One approval a batch names, parsed from its signed document. */
struct batch_approval {
	char id[APPROVAL_ID_MAX];
	struct approval a;
	acd_time revoked_at;
};

struct batch {
	const char *id, *sensor;
	char facility[64];
	json_t *records, *stats;
	struct batch_approval approvals[INGEST_APPROVALS_MAX];
	size_t n_approvals;
	bool duplicate;
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n_approvals; i++)
		approval_free(&b->approvals[i].a);
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

/* Checks every record; on failure fills a 400 (malformed) or 403 (outside) reply. */
static bool check_records(struct request *rq, struct reply *rp, struct batch *b)
{
	size_t i;
	json_t *rec;
	char why[300], field[32];
	json_array_foreach(b->records, i, rec)
	{
		snprintf(field, sizeof field, "records[%zu]", i);
		if (!record_well_formed(rec, why, sizeof why)) {
			reply_error(rp, 400, "invalid", field, "%s: %s", field, why);
			return false;
		}
		if (strcmp(json_string_value(json_object_get(rec, "sensor")), b->sensor) != 0) {
			reply_error(rp, 403, "forbidden", field, "%s: from sensor %s, not %s",
			            field, json_string_value(json_object_get(rec, "sensor")),
			            b->sensor);
			return false;
		}
		const struct batch_approval *ba =
		        batch_approval(rq, b, json_string_value(json_object_get(rec, "approval")),
		                       why, sizeof why);
		if (!ba || !record_within(rec, &ba->a, ba->revoked_at, rq->srv->prefixes, why,
		                          sizeof why)) {
			reply_error(rp, 403, "forbidden", field, "%s: %s", field, why);
			return false;
		}
	}
	return true;
}

/* Stats lines: Contract 4's shape, this sensor, an approval of its facility or none. */
static bool check_stats(struct request *rq, struct reply *rp, struct batch *b)
{
	size_t i;
	json_t *s;
	char why[300], field[32];
	json_array_foreach(b->stats, i, s)
	{
		snprintf(field, sizeof field, "stats[%zu]", i);
		acd_time from, to;
		const char *type = json_string_value(json_object_get(s, "type"));
		const char *sensor = json_string_value(json_object_get(s, "sensor"));
		json_t *ap = json_object_get(s, "approval");
		if (!type || strcmp(type, "stats") != 0 || !sensor ||
		    !time_parse(json_string_value(json_object_get(s, "from")) ?: "", &from) ||
		    !time_parse(json_string_value(json_object_get(s, "to")) ?: "", &to) ||
		    !(json_is_null(ap) || json_is_string(ap))) {
			reply_error(
			        rp, 400, "invalid", field,
			        "%s: a Contract 4 stats line (type, sensor, approval, from, to)",
			        field);
			return false;
		}
		if (strcmp(sensor, b->sensor) != 0) {
			reply_error(rp, 403, "forbidden", field, "%s: from sensor %s, not %s",
			            field, sensor, b->sensor);
			return false;
		}
		if (json_is_string(ap) &&
		    !batch_approval(rq, b, json_string_value(ap), why, sizeof why)) {
			reply_error(rp, 403, "forbidden", field, "%s: %s", field, why);
			return false;
		}
	}
	return true;
}

/* Inserts one record with the seq `seq`. */
static enum acd_status insert_record(struct txn *t, const struct batch *b, json_t *rec,
                                     long long seq, const char *now, struct acd_error *e)
{
	acd_time first = 0, last = 0;
	time_parse(json_string_value(json_object_get(rec, "first")), &first);
	time_parse(json_string_value(json_object_get(rec, "last")), &last);
	char seqs[24], fs[24], ls[24], proto[8], pk[24], by[24];
	snprintf(seqs, sizeof seqs, "%lld", seq);
	snprintf(fs, sizeof fs, "%" PRId64, (int64_t)first);
	snprintf(ls, sizeof ls, "%" PRId64, (int64_t)last);
	snprintf(proto, sizeof proto, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(rec, "proto")));
	snprintf(pk, sizeof pk, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(rec, "packets")) +
	                 json_integer_value(json_object_get(rec, "rpackets")));
	snprintf(by, sizeof by, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(rec, "bytes")) +
	                 json_integer_value(json_object_get(rec, "rbytes")));
	char *doc = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	const char *p[16] = {seqs,
	                     json_string_value(json_object_get(rec, "id")),
	                     json_string_value(json_object_get(rec, "approval")),
	                     b->sensor,
	                     b->id,
	                     fs,
	                     ls,
	                     json_string_value(json_object_get(rec, "direction")),
	                     proto,
	                     json_string_value(json_object_get(rec, "src")),
	                     json_string_value(json_object_get(rec, "dst")),
	                     pk,
	                     by,
	                     SELECTED_LABEL,
	                     now,
	                     doc};
	enum acd_status st =
	        db_exec(t->c,
	                "INSERT INTO records (seq, id, approval, sensor, batch, first_at, "
	                "last_at, direction, proto, src, dst, packets, bytes, label, "
	                "stored_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	                "$10, $11, $12, $13, $14, $15, $16)",
	                p, 16, NULL, e);
	free(doc);
	return st;
}

static enum acd_status insert_stats(struct txn *t, const struct batch *b, json_t *s, size_t n,
                                    struct acd_error *e)
{
	acd_time from = 0, to = 0;
	time_parse(json_string_value(json_object_get(s, "from")), &from);
	time_parse(json_string_value(json_object_get(s, "to")), &to);
	char ns[24], fs[24], ts[24];
	snprintf(ns, sizeof ns, "%zu", n);
	snprintf(fs, sizeof fs, "%" PRId64, (int64_t)from);
	snprintf(ts, sizeof ts, "%" PRId64, (int64_t)to);
	char *doc = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
	const char *p[7] = {b->id, ns, b->sensor, json_string_value(json_object_get(s, "approval")),
	                    fs,    ts, doc};
	enum acd_status st =
	        db_exec(t->c,
	                "INSERT INTO sensor_stats (batch, n, sensor, approval, from_at, "
	                "to_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	                p, 7, NULL, e);
	free(doc);
	return st;
}

static enum acd_status store_batch(struct txn *t, void *arg, struct acd_error *e)
{
	struct batch *b = arg;
	size_t nrec = json_array_size(b->records), nstat = json_array_size(b->stats);
	char now[24], nr[24], ns[24];
	snprintf(now, sizeof now, "%" PRId64, (int64_t)t->now);
	snprintf(nr, sizeof nr, "%zu", nrec);
	snprintf(ns, sizeof ns, "%zu", nstat);
	const char *p[5] = {b->id, b->sensor, now, nr, ns};
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
	size_t i;
	json_t *v;
	json_array_foreach(b->records, i, v)
	{
		st = insert_record(t, b, v, last - (long long)nrec + 1 + (long long)i, now, e);
		/* The same record id under the same approval in another batch: the sensor was run
		 * twice over the same input under one sensor id. Storing it again would double it;
		 * refusing for good (409) keeps the sensor from retrying what cannot succeed. */
		if (st != ACD_OK && db_error_is_conflict(t->c))
			return acd_fail(
			        e, ACD_ECONFLICT,
			        "records[%zu]: record %s of %s is already stored from another "
			        "batch (the same input sent twice under one sensor id?)",
			        i, json_string_value(json_object_get(v, "id")),
			        json_string_value(json_object_get(v, "approval")));
		if (st != ACD_OK)
			return st;
	}
	json_array_foreach(b->stats, i, v)
	{
		st = insert_stats(t, b, v, i, e);
		if (st != ACD_OK)
			return st;
	}
	char detail[160];
	snprintf(detail, sizeof detail, "{\"sensor\":\"%s\",\"records\":%zu,\"stats\":%zu}",
	         b->sensor, nrec, nstat);
	struct audit_entry a = {b->sensor, "sensor", "ingest.batch", b->id, NULL, detail};
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

/* The batch's own fields; fills a 400 reply on failure. */
static bool read_batch(json_t *body, struct batch *b, struct reply *rp)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) if (strcmp(key, "batch") && strcmp(key, "sensor") &&
	                                      strcmp(key, "sent_at") && strcmp(key, "records") &&
	                                      strcmp(key, "stats"))
	{
		reply_error(rp, 400, "invalid", key, "%s: not a field of a batch", key);
		return false;
	}
	b->id = json_string_value(json_object_get(body, "batch"));
	b->records = json_object_get(body, "records");
	b->stats = json_object_get(body, "stats");
	size_t sl = strlen(b->sensor);
	if (!b->id || strlen(b->id) > 128 || strncmp(b->id, b->sensor, sl) != 0 ||
	    b->id[sl] != ':' || !b->id[sl + 1])
		return reply_error(rp, 400, "invalid", "batch",
		                   "batch: \"SENSOR:UNIQUE\" of at most 128 bytes"),
		       false;
	const char *s = json_string_value(json_object_get(body, "sensor"));
	if (!s || strcmp(s, b->sensor) != 0)
		return reply_error(rp, 400, "invalid", "sensor",
		                   "sensor: must equal X-ACD-Sensor (%s)", b->sensor),
		       false;
	if (!json_is_array(b->records) || !json_is_array(b->stats))
		return reply_error(rp, 400, "invalid",
		                   json_is_array(b->records) ? "stats" : "records",
		                   "records and stats: arrays (possibly empty)"),
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
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	if (read_batch(body, &b, rp)) {
		if (batch_seen(rq->c, b.id)) {
			reply_json(rp, 200, json_pack("{s:s, s:b}", "batch", b.id, "duplicate", 1));
		} else if (check_records(rq, rp, &b) && check_stats(rq, rp, &b)) {
			struct acd_error e = {0};
			enum acd_status st = writer_run(rq->srv->writer, store_batch, &b, &e);
			if (st == ACD_ECONFLICT)
				reply_error(rp, 409, "conflict", NULL, "%s", e.msg);
			else if (st == ACD_OK || b.duplicate)
				reply_json(
				        rp, 200,
				        json_pack("{s:s, s:b, s:i, s:i}", "batch", b.id,
				                  "duplicate", b.duplicate, "records",
				                  b.duplicate ? 0 : (int)json_array_size(b.records),
				                  "stats",
				                  b.duplicate ? 0 : (int)json_array_size(b.stats)));
			else
				api_store_error(rp, &e);
		}
	}
	batch_free(&b);
	json_decref(body);
	return rp->status;
}
