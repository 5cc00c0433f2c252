/*
 * oversight.c — what the commission (監理委員会) inspects after approval (承認後の継続的な検査):
 * the audit log and its integrity, and the annual statistics for the Diet report (国会報告).
 * All of it is counts, ids and purposes — never record contents, which stay analyst-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "diet_stats.h"

int api_audit_verify(struct request *rq, struct reply *rp)
{
	char head[1200];
	snprintf(head, sizeof head, "%s/audit-head", rq->srv->keys.dir);
	struct audit_verdict v;
	struct acd_error e = {0};
	if (audit_verify(rq->c, rq->srv->keys.audit_pk, head, &v, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *out = json_pack("{s:b, s:I, s:I}", "intact", v.intact, "entries",
	                        (json_int_t)v.entries, "signed_heads", (json_int_t)v.heads);
	if (!v.intact) {
		json_object_set_new(out, "first_bad", json_integer(v.first_bad));
		json_object_set_new(out, "message", json_string(v.message));
	}
	return api_reply_audited(rq, rp, out, "audit.verify", NULL, NULL, NULL);
}

int api_audit_list(struct request *rq, struct reply *rp)
{
	const char *after = request_query(rq, "after"), *limit_s = request_query(rq, "limit");
	const char *action = request_query(rq, "action");
	char *end = NULL;
	long long cursor = after ? strtoll(after, &end, 10) : 0;
	if (after && (cursor < 0 || *end))
		return reply_error(rp, 400, "invalid", "after",
		                   "after: the cursor a previous page gave");
	long limit = limit_s ? strtol(limit_s, &end, 10) : 100;
	if (limit < 1 || limit > 1000 || (limit_s && *end))
		return reply_error(rp, 400, "invalid", "limit", "limit: 1-1000");
	char cs[24], ls[24];
	snprintf(cs, sizeof cs, "%lld", cursor);
	snprintf(ls, sizeof ls, "%ld", limit);
	const char *p[3] = {cs, ls, action};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT seq, at, actor, role, action, object, purpose, detail FROM audit_log "
	             "WHERE seq > CAST($1 AS BIGINT) AND (CAST($3 AS TEXT) IS NULL OR action = $3) "
	             "ORDER BY seq LIMIT CAST($2 AS BIGINT)",
	             p, 3, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	int n = db_rows_count(r);
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		const char *detail = db_rows_get(r, i, 7);
		json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
		json_array_append_new(
		        items,
		        json_pack("{s:I, s:o, s:s, s:s, s:s, s:s?, s:s?, s:o}", "seq",
		                  (json_int_t)strtoll(db_rows_get(r, i, 0), NULL, 10), "at",
		                  api_time_json(db_rows_get(r, i, 1)), "actor",
		                  db_rows_get(r, i, 2), "role", db_rows_get(r, i, 3), "action",
		                  db_rows_get(r, i, 4), "object", db_rows_get(r, i, 5), "purpose",
		                  db_rows_get(r, i, 6), "detail",
		                  d ? d : (detail ? json_string(detail) : json_null())));
	}
	json_t *out = json_pack("{s:o, s:s?}", "items", items, "next",
	                        n == limit ? db_rows_get(r, n - 1, 0) : NULL);
	db_rows_free(r);
	/* Reading the log is itself recorded, so inspection is inspectable too. */
	char detail[64];
	snprintf(detail, sizeof detail, "{\"entries\":%d,\"after\":%lld}", n, cursor);
	return api_reply_audited(rq, rp, out, "audit.read", action, NULL, detail);
}

int api_stats_diet(struct request *rq, struct reply *rp)
{
	const char *y = request_query(rq, "year"), *format = request_query(rq, "format");
	char *end = NULL;
	long year = y ? strtol(y, &end, 10) : 0;
	if (!y || *end || year < 2000 || year > 2999)
		return reply_error(
		        rp, 400, "invalid", "year",
		        "year: the fiscal year YYYY (1 April YYYY 00:00 JST to 1 April YYYY+1)");
	if (format && strcmp(format, "json") && strcmp(format, "html"))
		return reply_error(rp, 400, "invalid", "format", "format: json or html");
	json_t *stats = NULL;
	struct acd_error e = {0};
	if (diet_stats(rq->c, (int)year, &stats, &e) != ACD_OK)
		return api_store_error(rp, &e);
	if (api_audit_read(rq, "stats.diet", y, NULL, NULL, &e) != ACD_OK) {
		json_decref(stats);
		return api_store_error(rp, &e);
	}
	if (!format || strcmp(format, "html"))
		return reply_json(rp, 200, stats);
	rp->text = diet_stats_html(stats);
	rp->content_type = "text/html; charset=utf-8";
	json_decref(stats);
	return rp->status = 200;
}
