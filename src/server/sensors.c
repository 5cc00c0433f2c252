/*
 * sensors.c — the registry of sensors (acd-sensor instances at carrier facilities) whose signed
 * batches acdd accepts: id, facility, Ed25519 public key. Registered by an admin; a batch from
 * an unregistered or disabled sensor, or signed by another key, is refused whole.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

struct new_sensor {
	const struct principal *who;
	const char *id, *facility, *public_key;
	bool exists;
};

static enum acd_status insert_sensor(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_sensor *s = arg;
	char at[24];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[5] = {s->id, s->facility, s->public_key, at, s->who->user};
	enum acd_status st = db_exec(t->c,
	                             "INSERT INTO sensors (id, facility, public_key, created_at, "
	                             "created_by) VALUES ($1, $2, $3, $4, $5)",
	                             p, 5, NULL, e);
	if (st != ACD_OK) {
		s->exists = db_error_is_conflict(t->c);
		return st;
	}
	char detail[256];
	snprintf(detail, sizeof detail, "{\"facility\":\"%s\"}", s->facility);
	struct audit_entry a = {s->who->user, role_name(s->who->role), "sensor.add", s->id, NULL,
	                        detail};
	return txn_audit(t, &a, e);
}

/* Sensor ids and facilities are what Contract 3 writes into record ids: [A-Za-z0-9._-]. */
static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
			return false;
	return true;
}

int api_sensor_add(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	struct new_sensor s = {&rq->who, json_string_value(json_object_get(body, "id")),
	                       json_string_value(json_object_get(body, "facility")),
	                       json_string_value(json_object_get(body, "public_key")), false};
	uint8_t pk[KEY_PUBLIC_BYTES];
	size_t n = 0;
	if (!valid_name(s.id))
		reply_error(rp, 400, "invalid", "id", "id: [A-Za-z0-9._-], 1-63 characters");
	else if (!valid_name(s.facility))
		reply_error(rp, 400, "invalid", "facility", "facility: [A-Za-z0-9._-], 1-63 characters");
	else if (!s.public_key || !b64_decode(s.public_key, strlen(s.public_key), pk, sizeof pk, &n) ||
	         n != sizeof pk)
		reply_error(rp, 400, "invalid", "public_key",
		            "public_key: the base64 of a 32-byte Ed25519 public key");
	else if (json_object_size(body) != 3)
		reply_error(rp, 400, "invalid", NULL, "exactly id, facility and public_key");
	else {
		struct acd_error e = {0};
		if (writer_run(rq->srv->writer, insert_sensor, &s, &e) == ACD_OK)
			reply_json(rp, 201, json_pack("{s:s, s:s}", "id", s.id, "facility", s.facility));
		else if (s.exists)
			reply_error(rp, 409, "conflict", "id", "id: sensor %s is already registered", s.id);
		else
			api_store_error(rp, &e);
	}
	json_decref(body);
	return rp->status;
}

int api_sensor_list(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT id, facility, public_key, created_at, disabled FROM sensors ORDER BY id",
	             NULL, 0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(items,
		                      json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", db_rows_get(r, i, 0),
		                                "facility", db_rows_get(r, i, 1), "public_key",
		                                db_rows_get(r, i, 2), "registered_at",
		                                api_time_json(db_rows_get(r, i, 3)), "disabled",
		                                strcmp(db_rows_get(r, i, 4), "1") == 0));
	db_rows_free(r);
	return reply_json(rp, 200, json_pack("{s:o}", "items", items));
}
