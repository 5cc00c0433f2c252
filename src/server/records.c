/*
 * records.c — reading selected communications information (選別後通信情報) back: only NCO
 * analysts, only with a stated purpose, and every call in the audit log (with the purpose and
 * how many records it returned) before a record leaves acdd. The commission inspects the
 * statistics (summed per approval), never record contents.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "record_chunks.h"

int api_records(struct request *rq, struct reply *rp)
{
	const char *approval = request_query(rq, "approval"),
	           *purpose = request_query(rq, "purpose");
	const char *limit_s = request_query(rq, "limit"), *after = request_query(rq, "after");
	char *end = NULL;
	long limit = limit_s ? strtol(limit_s, &end, 10) : 100;
	long long cursor = after ? strtoll(after, &end, 10) : 0;
	if (!approval || !*approval)
		return reply_error(rp, 400, "invalid", "approval", "approval: required");
	if (!purpose || !*purpose || strlen(purpose) > 500)
		return reply_error(
		        rp, 400, "invalid", "purpose",
		        "purpose: required — every read of selected information states why "
		        "(at most 500 bytes)");
	if (limit < 1 || limit > 5000 || (limit_s && *end))
		return reply_error(rp, 400, "invalid", "limit", "limit: 1-5000");
	if (after && (cursor < 0 || *end))
		return reply_error(rp, 400, "invalid", "after",
		                   "after: the cursor a previous page gave");
	json_t *items;
	long long last;
	struct acd_error e = {0};
	if (record_chunks_page(rq->c, approval, cursor, limit, &items, &last, &e) != ACD_OK)
		return api_store_error(rp, &e);
	int n = (int)json_array_size(items);
	char next[24];
	snprintf(next, sizeof next, "%lld", last);
	json_t *out =
	        json_pack("{s:o, s:s?, s:s}", "items", items, "next", n == limit ? next : NULL,
	                  "label", "selected-communications-information");
	char detail[96];
	snprintf(detail, sizeof detail, "{\"records\":%d,\"after\":%lld}", n, cursor);
	return api_reply_audited(rq, rp, out, "records.read", approval, purpose, detail);
}

/* Adds the integer members of `from` into `into` (recursing into objects such as "packets"). */
static void add_counts(json_t *into, json_t *from)
{
	const char *key;
	json_t *v;
	json_object_foreach(from, key, v)
	{
		if (json_is_integer(v)) {
			json_t *cur = json_object_get(into, key);
			json_object_set_new(into, key,
			                    json_integer((cur ? json_integer_value(cur) : 0) +
			                                 json_integer_value(v)));
		} else if (json_is_object(v)) {
			json_t *sub = json_object_get(into, key);
			if (!sub) {
				sub = json_object();
				json_object_set_new(into, key, sub);
			}
			add_counts(sub, v);
		}
	}
}

int api_stats(struct request *rq, struct reply *rp)
{
	/* ?approval=ID sums that approval's lines; without it, the sensors' own lines. */
	const char *approval = request_query(rq, "approval");
	const char *p[1] = {approval};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(
	            rq->c,
	            approval
	                    ? "SELECT doc, from_at, to_at FROM sensor_stats WHERE approval = $1"
	                    : "SELECT doc, from_at, to_at FROM sensor_stats WHERE approval IS NULL",
	            p, approval ? 1 : 0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *sum = json_object();
	acd_time from = INT64_MAX, to = INT64_MIN;
	for (int i = 0; i < db_rows_count(r); i++) {
		json_t *line = json_loads(db_rows_get(r, i, 0), 0, NULL);
		add_counts(sum, line);
		json_decref(line);
		acd_time f = strtoll(db_rows_get(r, i, 1), NULL, 10),
		         t = strtoll(db_rows_get(r, i, 2), NULL, 10);
		from = f < from ? f : from;
		to = t > to ? t : to;
	}
	int lines = db_rows_count(r);
	db_rows_free(r);
	char fs[TIME_STRLEN], ts[TIME_STRLEN];
	time_format(from, fs, sizeof fs);
	time_format(to, ts, sizeof ts);
	json_object_set_new(sum, "type", json_string("stats"));
	json_object_set_new(sum, "approval", approval ? json_string(approval) : json_null());
	json_object_set_new(sum, "from", lines ? json_string(fs) : json_null());
	json_object_set_new(sum, "to", lines ? json_string(ts) : json_null());
	json_object_set_new(sum, "lines", json_integer(lines));
	return api_reply_audited(rq, rp, sum, "stats.read", approval, NULL, NULL);
}
