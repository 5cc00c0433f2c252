/*
 * notifications.c — notifications of specific critical computers (特定重要電子計算機の届出):
 * filed by the operator (or for it by its sector's ministry), visible at once to the operator,
 * the sector's ministry and NCO analysts and to nobody else (404). A change adds a version
 * and a retirement closes the notification; neither deletes anything (decision 0008). Each
 * notification carries its duty: computers introduced before enforcement are due within the
 * transition period after it, later ones on introduction; custom-designed products
 * (専用設計品) are recorded but exempt.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "cpe.h"
#include "form.h"

#define NOTIFICATION_COLUMNS                                                                       \
	"id, operator, sector, filed_by, filed_by_org, category, custom_design, introduced_at, "   \
	"filed_at, updated_at, versions, retired_at, retired_by, retire_reason, doc"
enum {
	C_ID,
	C_OPERATOR,
	C_SECTOR,
	C_FILED_BY,
	C_FILED_BY_ORG,
	C_CATEGORY,
	C_CUSTOM,
	C_INTRODUCED,
	C_FILED,
	C_UPDATED,
	C_VERSIONS,
	C_RETIRED,
	C_RETIRED_BY,
	C_REASON,
	C_DOC
};

static const char *const categories[] = {
        "firewall",       "vpn",    "auth-server",    "os",    "cloud-service",
        "control-system", "server", "network-device", "other", NULL};

static bool check_cpe(json_t *v, char *msg, size_t len)
{
	char why[160];
	struct cpe_name n;
	if (!json_is_string(v)) {
		snprintf(msg, len,
		         "cpe: a CPE 2.3 name such as cpe:2.3:o:vendor:product:1.0:*:*:*:*:*:*:*");
		return false;
	}
	if (cpe_parse(json_string_value(v), json_string_length(v), &n, why, sizeof why))
		return true;
	snprintf(msg, len, "cpe: not a CPE 2.3 name (%s)", why);
	return false;
}

/* The notification form; a change carries any subset of it but the operator. */
static const struct form_field fields[] = {
        {"operator", FORM_TEXT, true, 63, NULL, NULL},
        {"category", FORM_ENUM, true, 0, categories, NULL},
        {"vendor", FORM_TEXT, true, 200, NULL, NULL},
        {"product", FORM_TEXT, true, 200, NULL, NULL},
        {"version", FORM_TEXT, false, 100, NULL, NULL},
        {"cpe", FORM_CUSTOM, false, 0, NULL, check_cpe},
        {"system", FORM_TEXT, true, 1000, NULL, NULL},
        {"custom_design", FORM_BOOL, false, 0, NULL, NULL},
        {"introduced_at", FORM_TIME, true, 0, NULL, NULL},
        {"reason", FORM_TEXT, false, 2000, NULL, NULL}, /* why a change was made */
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

/* enforced_at plus `months` calendar months on Japan's calendar (the law counts months by
 * date, not by days), at the same time of day; the 31st of a shorter month becomes its last
 * day. The deadline is exclusive: a filing at it is late. */
static acd_time add_months_jst(acd_time at, int months)
{
	const acd_time jst = 9 * 3600;
	time_t secs = (time_t)(at / ACD_USEC) + jst;
	struct tm tm;
	gmtime_r(&secs, &tm);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int mon = tm.tm_mon + months;
	tm.tm_year += mon / 12;
	tm.tm_mon = mon % 12;
	int y = tm.tm_year + 1900;
	int last = mdays[tm.tm_mon] +
	           (tm.tm_mon == 1 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	return ((acd_time)timegm(&tm) - jst) * ACD_USEC + at % ACD_USEC;
}

/* The filing duty of one notification: its kind, when it was due, and whether it was late. */
struct duty {
	const char *kind; /* "transitional", "on-introduction" or "exempt" */
	acd_time due;
	bool late;
};

static struct duty notification_duty(const struct config *cfg, struct db_rows *r, int i)
{
	struct duty d = {"exempt", 0, false};
	acd_time introduced = strtoll(db_rows_get(r, i, C_INTRODUCED), NULL, 10);
	acd_time filed = strtoll(db_rows_get(r, i, C_FILED), NULL, 10);
	if (strcmp(db_rows_get(r, i, C_CUSTOM), "1") == 0)
		return d;
	if (introduced < cfg->enforced_at) {
		d.kind = "transitional";
		d.due = add_months_jst(cfg->enforced_at, cfg->transition_months);
	} else {
		d.kind = "on-introduction";
		d.due = introduced + cfg->notification_due;
	}
	d.late = filed >= d.due;
	return d;
}

static json_t *time_json(acd_time t)
{
	char buf[TIME_STRLEN];
	time_format(t, buf, sizeof buf);
	return json_string(buf);
}

/* Who sees a notification: the operator, the org that filed it, the sector's ministry and NCO
 * analysts. */
static bool notification_visible(struct db_conn *c, const struct principal *p, struct db_rows *r,
                                 int i)
{
	if (p->role == ROLE_ANALYST)
		return true;
	if (p->role == ROLE_OPERATOR)
		return strcmp(p->org, db_rows_get(r, i, C_OPERATOR)) == 0;
	if (p->role != ROLE_MINISTRY)
		return false;
	char ministry[64];
	api_sector_ministry(c, db_rows_get(r, i, C_SECTOR), ministry);
	return strcmp(ministry, p->org) == 0 ||
	       strcmp(p->org, db_rows_get(r, i, C_FILED_BY_ORG)) == 0;
}

static json_t *notification_json(const struct config *cfg, struct db_rows *r, int i)
{
	json_t *doc = json_loads(db_rows_get(r, i, C_DOC), 0, NULL);
	if (!doc)
		doc = json_object();
	struct duty d = notification_duty(cfg, r, i);
	json_object_set_new(doc, "id", json_string(db_rows_get(r, i, C_ID)));
	json_object_set_new(doc, "operator", json_string(db_rows_get(r, i, C_OPERATOR)));
	json_object_set_new(doc, "sector", json_string(db_rows_get(r, i, C_SECTOR)));
	json_object_set_new(doc, "filed_by", json_string(db_rows_get(r, i, C_FILED_BY)));
	json_object_set_new(doc, "filed_at", api_time_json(db_rows_get(r, i, C_FILED)));
	json_object_set_new(doc, "updated_at", api_time_json(db_rows_get(r, i, C_UPDATED)));
	json_object_set_new(doc, "revision",
	                    json_integer(strtoll(db_rows_get(r, i, C_VERSIONS), NULL, 10)));
	json_object_set_new(doc, "active", json_boolean(db_rows_get(r, i, C_RETIRED) == NULL));
	json_object_set_new(doc, "retired_at", api_time_json(db_rows_get(r, i, C_RETIRED)));
	const char *reason = db_rows_get(r, i, C_REASON);
	json_object_set_new(doc, "retire_reason", reason ? json_string(reason) : json_null());
	json_object_set_new(doc, "duty",
	                    json_pack("{s:s, s:o, s:b}", "kind", d.kind, "due_at",
	                              d.due ? time_json(d.due) : json_null(), "late", d.late));
	return doc;
}

static enum acd_status load_notification(struct db_conn *c, const char *id, struct db_rows **r,
                                         struct acd_error *e)
{
	const char *p[1] = {id};
	return db_query(c, "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE id = $1", p, 1,
	                r, e);
}

/* Loads a notification the caller may see, or fills a 404. */
static struct db_rows *visible_notification(struct request *rq, struct reply *rp)
{
	struct db_rows *r = NULL;
	struct acd_error e = {0};
	if (load_notification(rq->c, rq->params[0], &r, &e) != ACD_OK) {
		api_store_error(rp, &e);
		return NULL;
	}
	if (db_rows_count(r) != 1 || !notification_visible(rq->c, &rq->who, r, 0)) {
		db_rows_free(r);
		reply_error(rp, 404, "not_found", NULL, "no such notification");
		return NULL;
	}
	return r;
}

/* The stored description: the form's fields but operator and reason, times canonical. */
static char *describe(json_t *body)
{
	json_t *doc = json_object();
	for (size_t i = 1; i < N_FIELDS - 1; i++) {
		json_t *v = json_object_get(body, fields[i].name);
		acd_time t;
		if (fields[i].kind == FORM_TIME && form_time(body, fields[i].name, &t))
			json_object_set_new(doc, fields[i].name, time_json(t));
		else
			json_object_set(doc, fields[i].name, v ? v : json_null());
	}
	if (!json_is_true(json_object_get(doc, "custom_design")))
		json_object_set_new(doc, "custom_design", json_false());
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

struct notification_write {
	const struct principal *who;
	const char *id; /* a change or retirement: the notification */
	json_t *body;   /* the filing or the change (merged onto the current state) */
	const char *op, *sector, *reason;
	acd_time retired_at; /* a retirement: when the computer left service */
	bool has_retired_at; /* else it left now */
	char new_id[32];
	long long revision;
};

static enum acd_status add_version(struct txn *t, const char *id, long long n, const char *kind,
                                   const char *by, const char *doc, const char *reason,
                                   struct acd_error *e)
{
	char ns[24], at[24];
	snprintf(ns, sizeof ns, "%lld", n);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *v[7] = {id, ns, kind, at, by, doc, reason};
	return db_exec(
	        t->c,
	        "INSERT INTO notification_versions (notification, n, kind, at, by_user, doc, "
	        "reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	        v, 7, NULL, e);
}

static enum acd_status audit(struct txn *t, const struct principal *who, const char *action,
                             const char *object, struct acd_error *e)
{
	struct audit_entry a = {who->user, role_name(who->role), action, object, NULL, NULL};
	return txn_audit(t, &a, e);
}

static enum acd_status insert_notification(struct txn *t, void *arg, struct acd_error *e)
{
	struct notification_write *w = arg;
	long long n;
	enum acd_status st = txn_next_number(t, "notification", &n, e);
	if (st != ACD_OK)
		return st;
	snprintf(w->new_id, sizeof w->new_id, "N%lld", n);
	acd_time introduced = 0;
	form_time(w->body, "introduced_at", &introduced);
	char num[24], at[24], intro[24];
	snprintf(num, sizeof num, "%lld", n);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(intro, sizeof intro, "%" PRId64, (int64_t)introduced);
	char *doc = describe(w->body);
	const char *p[11] = {w->new_id,
	                     num,
	                     w->op,
	                     w->sector,
	                     w->who->user,
	                     w->who->org,
	                     json_string_value(json_object_get(w->body, "category")),
	                     json_is_true(json_object_get(w->body, "custom_design")) ? "1" : "0",
	                     intro,
	                     at,
	                     doc};
	st = db_exec(
	        t->c,
	        "INSERT INTO notifications (id, num, operator, sector, filed_by, filed_by_org, "
	        "category, custom_design, introduced_at, filed_at, updated_at, versions, doc) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11)",
	        p, 11, NULL, e);
	if (st == ACD_OK)
		st = add_version(t, w->new_id, 1, "filed", w->who->user, doc, NULL, e);
	free(doc);
	w->revision = 1;
	return st == ACD_OK ? audit(t, w->who, "notification.create", w->new_id, e) : st;
}

int api_notification_create(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400], sector[24];
	struct notification_write w = {.who = &rq->who, .body = body};
	if (!form_check(body, fields, N_FIELDS, true, &field, msg, sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if (json_object_get(body, "reason"))
		reply_error(rp, 400, "invalid", "reason", "reason: only a change carries a reason");
	else if (api_check_filer(rq, rp, json_string_value(json_object_get(body, "operator")),
	                         sector) == 0) {
		w.op = json_string_value(json_object_get(body, "operator"));
		w.sector = sector;
		if (api_write(rq, rp, insert_notification, &w)) {
			char ministry[64];
			api_sector_ministry(rq->c, sector, ministry);
			reply_json(rp, 201,
			           json_pack("{s:s, s:i, s:s, s:[s,s]}", "id", w.new_id, "revision",
			                     1, "operator", w.op, "delivered_to", ministry, "nco"));
		}
	}
	json_decref(body);
	return rp->status;
}

int api_notification_get(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_notification(rq, rp);
	if (!r)
		return rp->status;
	struct acd_error e = {0};
	if (api_audit_read(rq, "notification.read", rq->params[0], request_query(rq, "purpose"),
	                   NULL, &e) != ACD_OK) {
		db_rows_free(r);
		return api_store_error(rp, &e);
	}
	json_t *doc = notification_json(&rq->srv->cfg, r, 0);
	db_rows_free(r);
	const char *p[1] = {rq->params[0]};
	if (db_query(rq->c,
	             "SELECT n, kind, at, by_user, doc, reason FROM notification_versions WHERE "
	             "notification = $1 ORDER BY n",
	             p, 1, &r, &e) != ACD_OK) {
		json_decref(doc);
		return api_store_error(rp, &e);
	}
	json_t *hist = json_array();
	for (int i = 0; i < db_rows_count(r); i++) {
		const char *reason = db_rows_get(r, i, 5);
		json_t *state = json_loads(db_rows_get(r, i, 4), 0, NULL);
		json_array_append_new(
		        hist,
		        json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "revision",
		                  (json_int_t)strtoll(db_rows_get(r, i, 0), NULL, 10), "kind",
		                  db_rows_get(r, i, 1), "at", api_time_json(db_rows_get(r, i, 2)),
		                  "by", db_rows_get(r, i, 3), "state", state ? state : json_null(),
		                  "reason", reason ? json_string(reason) : json_null()));
	}
	db_rows_free(r);
	json_object_set_new(doc, "history", hist);
	return reply_json(rp, 200, doc);
}

int api_notification_list(struct request *rq, struct reply *rp)
{
	const char *op = request_query(rq, "operator"), *cat = request_query(rq, "category");
	const char *sector = request_query(rq, "sector"), *active = request_query(rq, "active");
	const char *after = request_query(rq, "after"), *limit_s = request_query(rq, "limit");
	char *end = NULL;
	long limit = limit_s ? strtol(limit_s, &end, 10) : 100;
	if (limit < 1 || limit > 1000 || (end && *end))
		return reply_error(rp, 400, "invalid", "limit", "limit: 1-1000");
	if (cat && !form_one_of(cat, categories))
		return reply_error(rp, 400, "invalid", "category",
		                   "category: one of firewall vpn auth-server os cloud-service "
		                   "control-system server network-device other");
	if (active && strcmp(active, "true") && strcmp(active, "false"))
		return reply_error(rp, 400, "invalid", "active", "active: true or false");
	char after_num[24] = "0";
	if (after && sscanf(after, "N%23[0-9]", after_num) != 1)
		return reply_error(rp, 400, "invalid", "after",
		                   "after: a notification id such as N12");
	const char *act = active ? (strcmp(active, "true") == 0 ? "1" : "0") : NULL;
	const char *p[5] = {after_num, op, cat, sector, act};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE num > $1 "
	             "AND (CAST($2 AS TEXT) IS NULL OR operator = $2) "
	             "AND (CAST($3 AS TEXT) IS NULL OR category = $3) "
	             "AND (CAST($4 AS TEXT) IS NULL OR sector = $4) AND (CAST($5 AS TEXT) IS NULL "
	             "OR "
	             "(CAST($5 AS TEXT) = '1' AND retired_at IS NULL) OR "
	             "(CAST($5 AS TEXT) = '0' AND retired_at IS NOT NULL)) "
	             "ORDER BY num LIMIT 5000",
	             p, 5, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	const char *last = NULL;
	for (int i = 0; i < db_rows_count(r) && (long)json_array_size(items) < limit; i++)
		if (notification_visible(rq->c, &rq->who, r, i)) {
			json_array_append_new(items, notification_json(&rq->srv->cfg, r, i));
			last = db_rows_get(r, i, C_ID);
		}
	json_t *out = json_pack("{s:o, s:s?}", "items", items, "next",
	                        (long)json_array_size(items) == limit ? last : NULL);
	db_rows_free(r);
	return api_reply_audited(rq, rp, out, "notification.list", NULL,
	                         request_query(rq, "purpose"), NULL);
}

/* Who may change or retire: the operator itself, or the ministry over its sector. */
static bool may_amend(struct db_conn *c, const struct principal *p, struct db_rows *r)
{
	if (p->role == ROLE_OPERATOR)
		return strcmp(p->org, db_rows_get(r, 0, C_OPERATOR)) == 0;
	if (p->role != ROLE_MINISTRY)
		return false;
	char ministry[64];
	api_sector_ministry(c, db_rows_get(r, 0, C_SECTOR), ministry);
	return strcmp(ministry, p->org) == 0;
}

/* Re-reads the row inside the writer's transaction: a notification retired meanwhile is a
 * conflict, not a lost update. */
static enum acd_status current(struct txn *t, const char *id, json_t **doc, long long *n,
                               struct acd_error *e)
{
	struct db_rows *r;
	enum acd_status st = load_notification(t->c, id, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) != 1)
		st = acd_fail(e, ACD_ENOTFOUND, "notification not found");
	else if (db_rows_get(r, 0, C_RETIRED))
		st = acd_fail(e, ACD_ECONFLICT, "retired_at: %s is retired; file a new one", id);
	else {
		*n = strtoll(db_rows_get(r, 0, C_VERSIONS), NULL, 10) + 1;
		*doc = json_loads(db_rows_get(r, 0, C_DOC), 0, NULL);
		if (!*doc)
			st = acd_fail(e, ACD_EDB, "notification %s: stored document unreadable",
			              id);
	}
	db_rows_free(r);
	return st;
}

static enum acd_status change_notification(struct txn *t, void *arg, struct acd_error *e)
{
	struct notification_write *w = arg;
	json_t *doc;
	enum acd_status st = current(t, w->id, &doc, &w->revision, e);
	if (st != ACD_OK)
		return st;
	json_object_update(doc, w->body);
	json_object_del(doc, "reason");
	char *text = describe(doc);
	acd_time introduced = 0;
	form_time(doc, "introduced_at", &introduced);
	char ns[24], at[24], intro[24];
	snprintf(ns, sizeof ns, "%lld", w->revision);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(intro, sizeof intro, "%" PRId64, (int64_t)introduced);
	const char *p[7] = {w->id,
	                    ns,
	                    at,
	                    json_string_value(json_object_get(doc, "category")),
	                    json_is_true(json_object_get(doc, "custom_design")) ? "1" : "0",
	                    intro,
	                    text};
	st = db_exec(t->c,
	             "UPDATE notifications SET versions = $2, updated_at = $3, category = $4, "
	             "custom_design = $5, introduced_at = $6, doc = $7 WHERE id = $1",
	             p, 7, NULL, e);
	if (st == ACD_OK)
		st = add_version(t, w->id, w->revision, "changed", w->who->user, text, w->reason,
		                 e);
	json_decref(doc);
	free(text);
	return st == ACD_OK ? audit(t, w->who, "notification.change", w->id, e) : st;
}

static enum acd_status retire_notification(struct txn *t, void *arg, struct acd_error *e)
{
	struct notification_write *w = arg;
	json_t *doc;
	enum acd_status st = current(t, w->id, &doc, &w->revision, e);
	if (st != ACD_OK)
		return st;
	acd_time introduced = 0;
	form_time(doc, "introduced_at", &introduced);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	char ns[24], at[24], retired[24];
	snprintf(ns, sizeof ns, "%lld", w->revision);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(retired, sizeof retired, "%" PRId64,
	         (int64_t)(w->has_retired_at ? w->retired_at : t->now));
	if ((w->has_retired_at ? w->retired_at : t->now) < introduced)
		st = acd_fail(e, ACD_EINPUT, "retired_at: before the computer was introduced");
	const char *p[6] = {w->id, ns, at, retired, w->who->user, w->reason};
	if (st == ACD_OK)
		st = db_exec(
		        t->c,
		        "UPDATE notifications SET versions = $2, updated_at = $3, retired_at = $4, "
		        "retired_by = $5, retire_reason = $6 WHERE id = $1",
		        p, 6, NULL, e);
	if (st == ACD_OK)
		st = add_version(t, w->id, w->revision, "retired", w->who->user, text, w->reason,
		                 e);
	free(text);
	return st == ACD_OK ? audit(t, w->who, "notification.retire", w->id, e) : st;
}

/* The checks a change or retirement shares: visible (else 404), amendable (else 403), body. */
static json_t *amend_body(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_notification(rq, rp);
	if (!r)
		return NULL;
	bool ok = may_amend(rq->c, &rq->who, r);
	db_rows_free(r);
	if (!ok) {
		reply_error(rp, 403, "forbidden", NULL,
		            "only the operator or its sector's ministry amends a notification");
		return NULL;
	}
	return request_json(rq, rp);
}

int api_notification_change(struct request *rq, struct reply *rp)
{
	json_t *body = amend_body(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400];
	json_t *op = json_object_get(body, "operator");
	if (!form_check(body, fields, N_FIELDS, false, &field, msg, sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if (op)
		reply_error(rp, 400, "invalid", "operator",
		            "operator: a change cannot move a notification to another operator");
	else if (json_object_size(body) == 0 ||
	         (json_object_size(body) == 1 && json_object_get(body, "reason")))
		reply_error(rp, 400, "invalid", NULL, "a change carries at least one field");
	else {
		struct notification_write w = {
		        .who = &rq->who,
		        .id = rq->params[0],
		        .body = body,
		        .reason = json_string_value(json_object_get(body, "reason"))};
		if (api_write(rq, rp, change_notification, &w))
			reply_json(rp, 201,
			           json_pack("{s:s, s:I}", "id", w.id, "revision",
			                     (json_int_t)w.revision));
	}
	json_decref(body);
	return rp->status;
}

static const struct form_field retire_fields[] = {
        {"retired_at", FORM_TIME, false, 0, NULL, NULL},
        {"reason", FORM_TEXT, true, 2000, NULL, NULL},
};

int api_notification_retire(struct request *rq, struct reply *rp)
{
	json_t *body = amend_body(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400];
	struct notification_write w = {.who = &rq->who, .id = rq->params[0]};
	if (!form_check(body, retire_fields, 2, true, &field, msg, sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if ((w.has_retired_at = form_time(body, "retired_at", &w.retired_at)) &&
	         w.retired_at > time_now())
		reply_error(rp, 400, "invalid", "retired_at", "retired_at: not in the future");
	else {
		w.reason = json_string_value(json_object_get(body, "reason"));
		if (api_write(rq, rp, retire_notification, &w))
			reply_json(rp, 201,
			           json_pack("{s:s, s:I, s:b}", "id", w.id, "revision",
			                     (json_int_t)w.revision, "active", 0));
	}
	json_decref(body);
	return rp->status;
}

/* One operator's standing under the notification duty. */
struct standing {
	json_t *late;
	int filed, exempt, transitional, on_introduction, active;
};

static json_t *standing_json(const char *op, const char *sector, const struct standing *s,
                             acd_time deadline, acd_time now)
{
	/* "late" once any filing missed its due date; "none-filed" when nothing came in by the
	 * transitional deadline; otherwise "in-time" (or "open" while the deadline runs). */
	const char *status = json_array_size(s->late) ? "late"
	                     : s->filed == 0          ? (now >= deadline ? "none-filed" : "open")
	                     : now >= deadline        ? "in-time"
	                                              : "open";
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:O}", "operator", op, "sector",
	                 sector, "status", status, "filed", s->filed, "active", s->active, "exempt",
	                 s->exempt, "transitional", s->transitional, "on_introduction",
	                 s->on_introduction, "late", s->late);
}

/* Adds up one operator's notifications. */
static enum acd_status operator_standing(struct db_conn *c, const struct config *cfg,
                                         const char *op, struct standing *s, struct acd_error *e)
{
	const char *p[1] = {op};
	struct db_rows *r;
	enum acd_status st = db_query(c,
	                              "SELECT " NOTIFICATION_COLUMNS
	                              " FROM notifications WHERE operator = $1 ORDER BY num",
	                              p, 1, &r, e);
	if (st != ACD_OK)
		return st;
	for (int k = 0; k < db_rows_count(r); k++) {
		struct duty d = notification_duty(cfg, r, k);
		s->filed++;
		s->active += db_rows_get(r, k, C_RETIRED) == NULL;
		s->exempt += strcmp(d.kind, "exempt") == 0;
		s->transitional += strcmp(d.kind, "transitional") == 0;
		s->on_introduction += strcmp(d.kind, "on-introduction") == 0;
		if (d.late)
			json_array_append_new(s->late,
			                      json_pack("{s:s, s:s, s:o, s:o}", "id",
			                                db_rows_get(r, k, C_ID), "kind", d.kind,
			                                "due_at", time_json(d.due), "filed_at",
			                                api_time_json(db_rows_get(r, k, C_FILED))));
	}
	db_rows_free(r);
	return ACD_OK;
}

int api_notification_transition(struct request *rq, struct reply *rp)
{
	const struct config *cfg = &rq->srv->cfg;
	acd_time deadline = add_months_jst(cfg->enforced_at, cfg->transition_months);
	struct db_rows *ops;
	struct acd_error e = {0};
	/* Every operator the caller oversees, with or without notifications: one that filed
	 * nothing is what a ministry most needs to see. */
	const char *p[2] = {rq->who.role == ROLE_ANALYST ? "1" : "0", rq->who.org};
	if (db_query(rq->c,
	             "SELECT o.id, o.sector FROM orgs o JOIN sectors s ON s.id = o.sector "
	             "WHERE o.kind = 'operator' AND (CAST($1 AS TEXT) = '1' OR s.ministry = $2) "
	             "ORDER BY o.id",
	             p, 2, &ops, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	acd_time now = time_now();
	enum acd_status st = ACD_OK;
	for (int i = 0; i < db_rows_count(ops) && st == ACD_OK; i++) {
		struct standing s = {.late = json_array()};
		st = operator_standing(rq->c, cfg, db_rows_get(ops, i, 0), &s, &e);
		if (st == ACD_OK)
			json_array_append_new(items, standing_json(db_rows_get(ops, i, 0),
			                                           db_rows_get(ops, i, 1), &s,
			                                           deadline, now));
		json_decref(s.late);
	}
	db_rows_free(ops);
	if (st == ACD_OK)
		st = api_audit_read(rq, "notification.transition", NULL, NULL, NULL, &e);
	if (st != ACD_OK) {
		json_decref(items);
		return api_store_error(rp, &e);
	}
	return reply_json(rp, 200,
	                  json_pack("{s:o, s:i, s:o, s:I, s:o}", "enforced_at",
	                            time_json(cfg->enforced_at), "transition_months",
	                            cfg->transition_months, "deadline", time_json(deadline),
	                            "due_days_after_introduction",
	                            (json_int_t)(cfg->notification_due / (86400 * ACD_USEC)),
	                            "items", items));
}
