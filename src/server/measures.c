/*
 * measures.c — cases of access and neutralization measures (アクセス・無害化措置): filing by the
 * police or the SDF, the list (with the commission-notice overdue flag), one case with its
 * execution log and history, and the outcome counts for the Diet report. The later steps are in
 * measure_steps.c. acd keeps records and authorisations only: no code here or anywhere in the
 * project accesses or alters a third party's computer.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "measure_outcome.h"
#include "measures.h"

/* Access and confirm the programs (アクセス・プログラムの確認), delete a malicious program, shut
 * down, change settings to block the attacker's re-login, order the administrator to act. */
const char *const measure_actions[] = {
        "access-confirm-programs", "delete-malicious-program", "shut-down",
        "block-relogin",           "order-administrator",      NULL};
static const char *const agencies[] = {"police", "sdf", NULL};
static const char *const urgencies[] = {"normal", "urgent", NULL};

enum acd_status measure_load(struct db_conn *c, const char *id, struct db_rows **r,
                             struct acd_error *e)
{
	const char *p[1] = {id};
	return db_query(c, "SELECT " MEASURE_COLUMNS " FROM measures WHERE id = $1", p, 1, r, e);
}

bool measure_visible(const struct principal *who, const char *org)
{
	return who->role == ROLE_COMMISSION ||
	       (who->role == ROLE_MEASURES_OFFICER && strcmp(who->org, org) == 0);
}

static const struct history measure_history = {"measure_events", "measure", "detail", "measure",
                                               true};

enum acd_status measure_event(struct txn *t, const struct principal *who, const char *id,
                              const char *action, const char *detail, struct acd_error *e)
{
	return api_history_event(t, who, &measure_history, id, action, detail, e);
}

/* target: {"address": an IPv4 or IPv6 address, "location": "domestic" | "abroad"}, nothing else. */
static bool check_target(json_t *v, char *msg, size_t len)
{
	const char *addr = json_string_value(json_object_get(v, "address"));
	const char *loc = json_string_value(json_object_get(v, "location"));
	unsigned char buf[16];
	if (!json_is_object(v) || json_object_size(v) != 2 || !addr || !loc || strlen(addr) > 45) {
		snprintf(msg, len,
		         "target: {\"address\": IP address, \"location\": domestic|abroad}");
		return false;
	}
	if (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1) {
		snprintf(msg, len, "target: address '%s' is not an IPv4 or IPv6 address", addr);
		return false;
	}
	if (strcmp(loc, "domestic") != 0 && strcmp(loc, "abroad") != 0) {
		snprintf(msg, len, "target: location is domestic or abroad");
		return false;
	}
	return true;
}

/* actions: a non-empty list of distinct names from the fixed list — no free-text action. */
static bool check_actions(json_t *v, char *msg, size_t len)
{
	size_t i, j;
	json_t *a;
	if (!json_is_array(v) || json_array_size(v) == 0) {
		snprintf(msg, len, "actions: a non-empty list of actions");
		return false;
	}
	json_array_foreach(v, i, a)
	{
		if (!form_one_of(json_string_value(a), measure_actions)) {
			int n = snprintf(msg, len, "actions: each one of");
			for (int k = 0; measure_actions[k] && n > 0 && (size_t)n < len; k++)
				n += snprintf(msg + n, len - (size_t)n, " %s", measure_actions[k]);
			return false;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(v, j), a)) {
				snprintf(msg, len, "actions: '%s' is listed twice",
				         json_string_value(a));
				return false;
			}
	}
	return true;
}

static const struct form_field case_form[] = {
        {"agency", FORM_ENUM, true, 0, agencies, NULL},
        {"officer", FORM_TEXT, true, 31, NULL, NULL},
        {"target", FORM_CUSTOM, true, 0, NULL, check_target},
        {"harm", FORM_TEXT, true, 4000, NULL, NULL},
        {"urgency", FORM_ENUM, true, 0, urgencies, NULL},
        {"actions", FORM_CUSTOM, true, 0, NULL, check_actions},
};

struct new_case {
	const struct principal *who;
	json_t *body;
	char id[24];
	int status;
	const char *field;
	char why[300];
};

static enum acd_status refuse_case(struct new_case *nc, const char *field, struct acd_error *e,
                                   const char *fmt, const char *a, const char *b)
{
	nc->status = 409;
	nc->field = field;
	snprintf(nc->why, sizeof nc->why, fmt, a, b);
	return acd_fail(e, ACD_ECONFLICT, "%s", nc->why);
}

/* A case names an officer designated now (and not revoked), for its agency, within the filing
 * agency; for a computer abroad the police act only through NPA officers (警察庁の職員). */
static enum acd_status insert_case(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_case *nc = arg;
	json_t *target = json_object_get(nc->body, "target");
	const char *agency = json_string_value(json_object_get(nc->body, "agency"));
	const char *officer = json_string_value(json_object_get(nc->body, "officer"));
	const char *location = json_string_value(json_object_get(target, "location"));
	char now[24];
	snprintf(now, sizeof now, "%" PRId64, (int64_t)t->now);
	const char *p[4] = {officer, agency, nc->who->org, now};
	struct db_rows *r;
	enum acd_status st = db_query(
	        t->c,
	        "SELECT id, npa FROM measure_officers WHERE user_id = $1 AND agency = $2 AND "
	        "org = $3 AND valid_from <= CAST($4 AS BIGINT) AND valid_until > CAST($4 AS "
	        "BIGINT) AND (revoked_at IS NULL OR revoked_at > CAST($4 AS BIGINT)) "
	        "ORDER BY npa DESC, id",
	        p, 4, &r, e);
	if (st != ACD_OK)
		return st;
	char designation[24] = "";
	bool npa = false;
	if (db_rows_count(r) > 0) {
		snprintf(designation, sizeof designation, "%s", db_rows_get(r, 0, 0));
		npa = strcmp(db_rows_get(r, 0, 1), "1") == 0;
	}
	db_rows_free(r);
	if (!designation[0])
		return refuse_case(
		        nc, "officer", e,
		        "officer: %s is not a currently designated %s officer of your agency",
		        officer, agency);
	if (strcmp(location, "abroad") == 0 && strcmp(agency, "police") == 0 && !npa)
		return refuse_case(
		        nc, "officer", e,
		        "officer: %s is not an NPA officer; for a computer abroad the %s side "
		        "acts only through NPA officers (警察庁の職員)",
		        officer, agency);
	long long n;
	if ((st = txn_next_number(t, "measure", &n, e)) != ACD_OK)
		return st;
	snprintf(nc->id, sizeof nc->id, "M%lld", n);
	char *actions = json_dumps(json_object_get(nc->body, "actions"), JSON_COMPACT);
	const char *v[12] = {nc->id,
	                     nc->who->org,
	                     agency,
	                     officer,
	                     designation,
	                     nc->who->user,
	                     now,
	                     json_string_value(json_object_get(target, "address")),
	                     location,
	                     json_string_value(json_object_get(nc->body, "harm")),
	                     json_string_value(json_object_get(nc->body, "urgency")),
	                     actions};
	st = db_exec(t->c,
	             "INSERT INTO measures (id, org, agency, officer, designation, filed_by, "
	             "created_at, target_address, target_location, harm, urgency, actions, state) "
	             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open')",
	             v, 12, NULL, e);
	if (st != ACD_OK) {
		free(actions);
		return st;
	}
	char detail[300];
	snprintf(detail, sizeof detail, "agency=%s officer=%s location=%s urgency=%s actions=%s",
	         agency, officer, location, v[10], actions);
	free(actions);
	return measure_event(t, nc->who, nc->id, "file", detail, e);
}

int api_measure_create(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field = NULL;
	char msg[300];
	if (!form_check(body, case_form, sizeof case_form / sizeof case_form[0], true, &field, msg,
	                sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
	} else {
		struct new_case nc = {.who = &rq->who, .body = body};
		struct acd_error e = {0};
		if (writer_run(rq->srv->writer, insert_case, &nc, &e) == ACD_OK)
			reply_json(rp, 201, json_pack("{s:s, s:s}", "id", nc.id, "state", "open"));
		else if (nc.status)
			reply_error(rp, nc.status, "conflict", nc.field, "%s", nc.why);
		else
			api_store_error(rp, &e);
	}
	json_decref(body);
	return rp->status;
}

/* Overdue: executed without prior approval and the commission not yet notified by the due
 * time (事後通知の遅延). */
static bool notice_overdue(struct db_rows *r, int i, acd_time now)
{
	const char *due = db_rows_get(r, i, M_NOTICE_DUE);
	return due && !db_rows_get(r, i, M_CNOTICE_AT) && strtoll(due, NULL, 10) < now;
}

static json_t *measure_json(struct db_rows *r, int i, acd_time now)
{
	json_t *actions = json_loads(db_rows_get(r, i, M_ACTIONS), 0, NULL);
	const char *due = db_rows_get(r, i, M_NOTICE_DUE), *cn = db_rows_get(r, i, M_CNOTICE_AT);
	json_t *o = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:s, s:s, s:o, s:s}", "id",
	        db_rows_get(r, i, M_ID), "org", db_rows_get(r, i, M_ORG), "agency",
	        db_rows_get(r, i, M_AGENCY), "officer", db_rows_get(r, i, M_OFFICER), "designation",
	        db_rows_get(r, i, M_DESIGNATION), "filed_by", db_rows_get(r, i, M_FILED_BY),
	        "created_at", api_time_json(db_rows_get(r, i, M_CREATED_AT)), "target", "address",
	        db_rows_get(r, i, M_ADDRESS), "location", db_rows_get(r, i, M_LOCATION), "harm",
	        db_rows_get(r, i, M_HARM), "urgency", db_rows_get(r, i, M_URGENCY), "actions",
	        actions ? actions : json_array(), "state", db_rows_get(r, i, M_STATE));
	json_object_set_new(o, "approval",
	                    json_pack("{s:s?, s:o, s:s?}", "decided_by",
	                              db_rows_get(r, i, M_DEC_BY), "decided_at",
	                              api_time_json(db_rows_get(r, i, M_DEC_AT)), "reason",
	                              db_rows_get(r, i, M_DEC_REASON)));
	json_object_set_new(o, "consultation",
	                    db_rows_get(r, i, M_CONSULTED_AT)
	                            ? json_pack("{s:o, s:s?}", "at",
	                                        api_time_json(db_rows_get(r, i, M_CONSULTED_AT)),
	                                        "reference", db_rows_get(r, i, M_CONSULT_REF))
	                            : json_null());
	json_object_set_new(o, "first_executed_at", api_time_json(db_rows_get(r, i, M_FIRST_EXEC)));
	json_object_set_new(o, "commission_notice",
	                    json_pack("{s:b, s:o, s:o, s:s?, s:b, s:b}", "required", due != NULL,
	                              "due", api_time_json(due), "given_at", api_time_json(cn),
	                              "reference", db_rows_get(r, i, M_CNOTICE_REF), "overdue",
	                              notice_overdue(r, i, now), "late",
	                              due && cn && strtoll(cn, NULL, 10) > strtoll(due, NULL, 10)));
	json_object_set_new(json_object_get(o, "commission_notice"), "response",
	                    db_rows_get(r, i, M_CRESP)
	                            ? json_pack("{s:s, s:o, s:s?, s:s?}", "response",
	                                        db_rows_get(r, i, M_CRESP), "at",
	                                        api_time_json(db_rows_get(r, i, M_CRESP_AT)), "by",
	                                        db_rows_get(r, i, M_CRESP_BY), "reason",
	                                        db_rows_get(r, i, M_CRESP_REASON))
	                            : json_null());
	json_object_set_new(o, "administrator_notice",
	                    json_pack("{s:o, s:s?}", "given_at",
	                              api_time_json(db_rows_get(r, i, M_ANOTICE_AT)),
	                              "reason_not_given", db_rows_get(r, i, M_ANOTICE_REASON)));
	json_object_set_new(o, "outcome",
	                    db_rows_get(r, i, M_OUTCOME) ? json_string(db_rows_get(r, i, M_OUTCOME))
	                                                 : json_null());
	json_object_set_new(o, "outcome_at", api_time_json(db_rows_get(r, i, M_OUTCOME_AT)));
	json_object_set_new(o, "closed_at", api_time_json(db_rows_get(r, i, M_CLOSED_AT)));
	return o;
}

int api_measure_list(struct request *rq, struct reply *rp)
{
	const char *state = request_query(rq, "state"), *overdue = request_query(rq, "overdue");
	if (overdue && strcmp(overdue, "1") != 0 && strcmp(overdue, "0") != 0)
		return reply_error(rp, 400, "invalid", "overdue", "overdue: 1 or 0");
	const char *org = rq->who.role == ROLE_COMMISSION ? NULL : rq->who.org;
	char now[24];
	acd_time t = time_now();
	snprintf(now, sizeof now, "%" PRId64, (int64_t)t);
	bool only_overdue = overdue && strcmp(overdue, "1") == 0;
	const char *p[3] = {org, state, only_overdue ? now : NULL};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " MEASURE_COLUMNS " FROM measures WHERE "
	             "(CAST($1 AS TEXT) IS NULL OR org = $1) AND "
	             "(CAST($2 AS TEXT) IS NULL OR state = $2) AND "
	             "(CAST($3 AS TEXT) IS NULL OR (notice_due IS NOT NULL AND "
	             " commission_notice_at IS NULL AND notice_due < CAST($3 AS BIGINT))) "
	             "ORDER BY created_at, id",
	             p, 3, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(items, measure_json(r, i, t));
	db_rows_free(r);
	return api_reply_audited(rq, rp, json_pack("{s:o}", "items", items), "measure.list", NULL,
	                         NULL, NULL);
}

/* The execution log and the history of one case, in order. */
static void add_log(struct db_conn *c, const char *id, json_t *o)
{
	const char *p[1] = {id};
	struct db_rows *r;
	json_t *log = json_array(), *hist = json_array();
	if (db_query(c,
	             "SELECT n, at, action, result, by_user, logged_at FROM measure_executions "
	             "WHERE measure = $1 ORDER BY n",
	             p, 1, &r, NULL) == ACD_OK) {
		for (int i = 0; i < db_rows_count(r); i++)
			json_array_append_new(
			        log, json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "n",
			                       (json_int_t)strtoll(db_rows_get(r, i, 0), NULL, 10),
			                       "at", api_time_json(db_rows_get(r, i, 1)), "action",
			                       db_rows_get(r, i, 2), "result", db_rows_get(r, i, 3),
			                       "by", db_rows_get(r, i, 4), "logged_at",
			                       api_time_json(db_rows_get(r, i, 5))));
		db_rows_free(r);
	}
	if (db_query(c,
	             "SELECT at, by_user, role, action, detail FROM measure_events WHERE "
	             "measure = $1 ORDER BY n",
	             p, 1, &r, NULL) == ACD_OK) {
		for (int i = 0; i < db_rows_count(r); i++)
			json_array_append_new(hist, json_pack("{s:o, s:s, s:s, s:s, s:s?}", "at",
			                                      api_time_json(db_rows_get(r, i, 0)),
			                                      "by", db_rows_get(r, i, 1), "role",
			                                      db_rows_get(r, i, 2), "action",
			                                      db_rows_get(r, i, 3), "detail",
			                                      db_rows_get(r, i, 4)));
		db_rows_free(r);
	}
	json_object_set_new(o, "executions", log);
	json_object_set_new(o, "history", hist);
}

int api_measure_get(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (measure_load(rq->c, rq->params[0], &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	if (db_rows_count(r) != 1 || !measure_visible(&rq->who, db_rows_get(r, 0, M_ORG))) {
		db_rows_free(r);
		return reply_error(rp, 404, "not_found", NULL, "no such measure");
	}
	json_t *o = measure_json(r, 0, time_now());
	db_rows_free(r);
	add_log(rq->c, rq->params[0], o);
	return api_reply_audited(rq, rp, o, "measure.read", rq->params[0], NULL, NULL);
}

int api_measure_outcomes(struct request *rq, struct reply *rp)
{
	const char *from = request_query(rq, "from"), *until = request_query(rq, "until");
	const char *agency = request_query(rq, "agency");
	acd_time f, u;
	if (!from || !time_parse(from, &f))
		return reply_error(rp, 400, "invalid", "from", "from: an RFC 3339 date-time");
	if (!until || !time_parse(until, &u) || u <= f)
		return reply_error(rp, 400, "invalid", "until",
		                   "until: an RFC 3339 date-time after from");
	if (agency && !form_one_of(agency, agencies))
		return reply_error(rp, 400, "invalid", "agency", "agency: police or sdf");
	struct measure_outcomes m;
	struct acd_error e = {0};
	if (measures_by_outcome(rq->c, f, u, agency, &m, &e) != ACD_OK)
		return api_store_error(rp, &e);
	return reply_json(
	        rp, 200,
	        json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I}", "from", from, "until", until,
	                  "agency", agency, "executed", (json_int_t)m.executed, "rejected",
	                  (json_int_t)m.rejected, "withdrawn", (json_int_t)m.withdrawn,
	                  "closed-without-execution", (json_int_t)m.closed_without_execution,
	                  "open", (json_int_t)m.open));
}
