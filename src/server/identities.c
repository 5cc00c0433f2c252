/*
 * identities.c — what the API tells a caller about identities: who it is (for the portal and
 * scripts) and the sectors with the ministry answering for each (for filling in forms).
 */
#include "api.h"

int api_me(struct request *rq, struct reply *rp)
{
	const struct principal *p = &rq->who;
	return reply_json(rp, 200,
	                  json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:b, s:b, s:s?}", "user",
	                            p->user, "name", p->name, "org", p->org, "org_kind",
	                            p->org_kind, "sector", p->sector[0] ? p->sector : NULL, "role",
	                            role_name(p->role), "handler", p->handler, "anonymous_reader",
	                            p->anonymous_reader, "clearance",
	                            p->clearance[0] ? p->clearance : NULL));
}

int api_sectors(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c, "SELECT id, name_ja, name_en, ministry FROM sectors ORDER BY id", NULL,
	             0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(
		        items, json_pack("{s:s, s:s, s:s, s:s}", "id", db_rows_get(r, i, 0),
		                         "name_ja", db_rows_get(r, i, 1), "name_en",
		                         db_rows_get(r, i, 2), "ministry", db_rows_get(r, i, 3)));
	db_rows_free(r);
	return reply_json(rp, 200, json_pack("{s:o}", "items", items));
}
