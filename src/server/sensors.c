/*
 * sensors.c — the registry of sensors (acd-sensor instances at carrier facilities) whose signed
 * batches acdd accepts: id, facility, Ed25519 public key. Registered by an admin; a batch from
 * an unregistered or disabled sensor, or signed by another key, is refused whole.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "sensor_registry.h"

struct new_sensor {
	const struct principal *who;
	const char *id, *facility, *public_key;
	bool exists;
};

static enum acd_status insert_sensor(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_sensor *s = arg;
	return sensor_register(t, s->who->user, role_name(s->who->role), s->id, s->facility,
	                       s->public_key, &s->exists, e);
}

int api_sensor_add(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	struct new_sensor s = {&rq->who, json_string_value(json_object_get(body, "id")),
	                       json_string_value(json_object_get(body, "facility")),
	                       json_string_value(json_object_get(body, "public_key")), false};
	const char *key;
	json_t *v;
	const char *unknown = NULL;
	json_object_foreach(body, key, v) if (strcmp(key, "id") && strcmp(key, "facility") &&
	                                      strcmp(key, "public_key")) unknown = key;
	if (unknown)
		reply_error(rp, 400, "invalid", unknown, "%s: not a field of a sensor", unknown);
	else if (api_write(rq, rp, insert_sensor, &s))
		reply_json(rp, 201, json_pack("{s:s, s:s}", "id", s.id, "facility", s.facility));
	json_decref(body);
	return rp->status;
}

int api_sensor_list(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT id, facility, public_key, created_at, disabled FROM sensors ORDER BY "
	             "id",
	             NULL, 0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(
		        items, json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", db_rows_get(r, i, 0),
		                         "facility", db_rows_get(r, i, 1), "public_key",
		                         db_rows_get(r, i, 2), "registered_at",
		                         api_time_json(db_rows_get(r, i, 3)), "disabled",
		                         strcmp(db_rows_get(r, i, 4), "1") == 0));
	db_rows_free(r);
	return reply_json(rp, 200, json_pack("{s:o}", "items", items));
}
