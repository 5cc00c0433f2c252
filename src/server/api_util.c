/* api_util.c — see api.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct audit_job {
	const struct audit_entry *entry;
};

static enum acd_status audit_only(struct txn *t, void *arg, struct acd_error *e)
{
	const struct audit_job *j = arg;
	return txn_audit(t, j->entry, e);
}

enum acd_status api_audit_read(struct request *rq, const char *action, const char *object,
                               const char *purpose, const char *detail, struct acd_error *e)
{
	struct audit_entry a = {rq->who.user, role_name(rq->who.role), action, object, purpose,
	                        detail};
	struct audit_job j = {&a};
	return writer_run(rq->srv->writer, audit_only, &j, e);
}

int api_reply_audited(struct request *rq, struct reply *rp, json_t *out, const char *action,
                      const char *object, const char *purpose, const char *detail)
{
	struct acd_error e = {0};
	if (api_audit_read(rq, action, object, purpose, detail, &e) != ACD_OK) {
		json_decref(out);
		return api_store_error(rp, &e);
	}
	return reply_json(rp, 200, out);
}

bool api_write(struct request *rq, struct reply *rp, txn_fn fn, void *arg)
{
	struct acd_error e = {0};
	enum acd_status st = writer_run(rq->srv->writer, fn, arg, &e);
	if (st == ACD_OK)
		return true;
	if (st == ACD_EINPUT || st == ACD_ECONFLICT) {
		/* Changes put "field: message" in e.msg; the field is what precedes ':'. */
		char field[64] = "";
		const char *colon = strchr(e.msg, ':');
		size_t n = colon ? (size_t)(colon - e.msg) : 0;
		if (n > 0 && n < sizeof field && !memchr(e.msg, ' ', n)) {
			memcpy(field, e.msg, n);
			field[n] = '\0';
		}
		reply_error(rp, st == ACD_ECONFLICT ? 409 : 400,
		            st == ACD_ECONFLICT ? "conflict" : "invalid", field[0] ? field : NULL,
		            "%s", e.msg);
	} else if (st == ACD_ENOTFOUND) {
		reply_error(rp, 404, "not_found", NULL, "no such resource");
	} else {
		api_store_error(rp, &e);
	}
	return false;
}

int api_store_error(struct reply *rp, const struct acd_error *e)
{
	return reply_error(rp, 503, "store_unavailable", NULL, "the store failed: %s", e->msg);
}

bool api_org_info(struct db_conn *c, const char *org, char kind[24], char sector[24])
{
	const char *p[1] = {org};
	struct db_rows *r;
	if (db_query(c, "SELECT kind, sector FROM orgs WHERE id = $1", p, 1, &r, NULL) != ACD_OK)
		return false;
	bool found = db_rows_count(r) == 1;
	if (found) {
		const char *s = db_rows_get(r, 0, 1);
		snprintf(kind, 24, "%s", db_rows_get(r, 0, 0));
		snprintf(sector, 24, "%s", s ? s : "");
	}
	db_rows_free(r);
	return found;
}

void api_sector_ministry(struct db_conn *c, const char *sector, char ministry[64])
{
	const char *p[1] = {sector};
	struct db_rows *r;
	ministry[0] = '\0';
	if (db_query(c, "SELECT ministry FROM sectors WHERE id = $1", p, 1, &r, NULL) != ACD_OK)
		return;
	if (db_rows_count(r) == 1)
		snprintf(ministry, 64, "%s", db_rows_get(r, 0, 0));
	db_rows_free(r);
}

json_t *api_time_json(const char *micros)
{
	if (!micros)
		return json_null();
	char buf[TIME_STRLEN];
	time_format((acd_time)strtoll(micros, NULL, 10), buf, sizeof buf);
	return json_string(buf);
}

int api_check_filer(struct request *rq, struct reply *rp, const char *op, char op_sector[24])
{
	char kind[24];
	if (!op || !api_org_info(rq->c, op, kind, op_sector) || strcmp(kind, "operator") != 0)
		return reply_error(rp, 400, "invalid", "operator",
		                   "operator: '%s' is not a known operator", op ? op : "");
	if (rq->who.role == ROLE_OPERATOR && strcmp(op, rq->who.org) != 0)
		return reply_error(rp, 400, "invalid", "operator",
		                   "operator: must be your own organisation (%s)", rq->who.org);
	if (rq->who.role == ROLE_MINISTRY) {
		char ministry[64];
		api_sector_ministry(rq->c, op_sector, ministry);
		if (strcmp(ministry, rq->who.org) != 0)
			return reply_error(rp, 400, "invalid", "operator",
			                   "operator: %s is not in a sector under %s", op,
			                   rq->who.org);
	}
	return 0;
}

enum acd_status api_history_event(struct txn *t, const struct principal *who,
                                  const struct history *h, const char *id, const char *action,
                                  const char *text, struct acd_error *e)
{
	char sql[256];
	const char *p[1] = {id};
	struct db_rows *r;
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE %s = $1", h->table, h->key);
	enum acd_status st = db_query(t->c, sql, p, 1, &r, e);
	if (st != ACD_OK)
		return st;
	char n[24], at[24];
	snprintf(n, sizeof n, "%lld", strtoll(db_rows_get(r, 0, 0), NULL, 10) + 1);
	db_rows_free(r);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *v[7] = {id, n, at, who->user, role_name(who->role), action, text};
	snprintf(
	        sql, sizeof sql,
	        "INSERT INTO %s (%s, n, at, by_user, role, action, %s) VALUES ($1, $2, $3, $4, $5, "
	        "$6, $7)",
	        h->table, h->key, h->text);
	st = db_exec(t->c, sql, v, 7, NULL, e);
	if (st != ACD_OK)
		return st;
	char audit_action[48];
	snprintf(audit_action, sizeof audit_action, "%s.%s", h->audit_prefix, action);
	struct audit_entry a = {who->user, role_name(who->role),          audit_action, id,
	                        NULL,      h->text_in_audit ? text : NULL};
	return txn_audit(t, &a, e);
}
