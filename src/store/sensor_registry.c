/* sensor_registry.c — see sensor_registry.h. */
#include "sensor_registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool sensor_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
		            s[i]))
			return false;
	return true;
}

enum acd_status sensor_register(struct txn *t, const char *actor, const char *actor_role,
                                const char *id, const char *facility, const char *public_key,
                                bool *exists, struct acd_error *e)
{
	uint8_t pk[KEY_PUBLIC_BYTES];
	size_t n = 0;
	*exists = false;
	if (!sensor_name_valid(id))
		return acd_fail(e, ACD_EINPUT, "id: [A-Za-z0-9._-], 1-63 characters");
	if (!sensor_name_valid(facility))
		return acd_fail(e, ACD_EINPUT, "facility: [A-Za-z0-9._-], 1-63 characters");
	if (!public_key || !b64_decode(public_key, strlen(public_key), pk, sizeof pk, &n) ||
	    n != sizeof pk)
		return acd_fail(e, ACD_EINPUT,
		                "public_key: the base64 of a 32-byte Ed25519 public key");
	char at[24];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[5] = {id, facility, public_key, at, actor};
	enum acd_status st = db_exec(t->c,
	                             "INSERT INTO sensors (id, facility, public_key, created_at, "
	                             "created_by) VALUES ($1, $2, $3, $4, $5)",
	                             p, 5, NULL, e);
	if (st != ACD_OK) {
		*exists = db_error_is_conflict(t->c);
		return *exists ? acd_fail(e, ACD_ECONFLICT, "id: sensor %s is already registered",
		                          id)
		               : st;
	}
	char detail[128];
	snprintf(detail, sizeof detail, "{\"facility\":\"%s\"}", facility);
	struct audit_entry a = {actor, actor_role, "sensor.add", id, NULL, detail};
	return txn_audit(t, &a, e);
}

bool sensor_lookup(struct db_conn *c, const char *id, char facility[64],
                   uint8_t pk[KEY_PUBLIC_BYTES])
{
	const char *p[1] = {id};
	struct db_rows *r;
	if (db_query(c, "SELECT facility, public_key FROM sensors WHERE id = $1 AND disabled = 0",
	             p, 1, &r, NULL) != ACD_OK)
		return false;
	size_t n = 0;
	bool ok = db_rows_count(r) == 1;
	if (ok) {
		const char *key = db_rows_get(r, 0, 1);
		snprintf(facility, 64, "%s", db_rows_get(r, 0, 0));
		ok = b64_decode(key, strlen(key), pk, KEY_PUBLIC_BYTES, &n) &&
		     n == KEY_PUBLIC_BYTES;
	}
	db_rows_free(r);
	return ok;
}
