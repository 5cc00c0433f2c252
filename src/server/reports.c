/*
 * reports.c — incident reports (特定侵害事象等の報告): one unified form, one window. A
 * submission reaches the sector's ministry and the NCO at once; who may read it follows its
 * TLP and the reader's role (report_visible); follow-ups are numbered R1-2, R1-3 …
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "report_form.h"

#define REPORT_COLUMNS                                                                             \
	"id, operator, sector, filed_by, filed_by_org, tlp, urgency, event_type, anonymous, "      \
	"next_steps, discovered_at, created_at, last_at, reports, doc"
enum {
	C_ID,
	C_OPERATOR,
	C_SECTOR,
	C_FILED_BY,
	C_FILED_BY_ORG,
	C_TLP,
	C_URGENCY,
	C_EVENT,
	C_ANON,
	C_NEXT,
	C_DISCOVERED,
	C_CREATED,
	C_LAST,
	C_REPORTS,
	C_DOC
};

/* Roles that read no report content at all (they see what products give them). */
#define ROLES_NO_REPORTS                                                                           \
	(ROLE_BIT(ROLE_COMMISSION) | ROLE_BIT(ROLE_VENDOR) | ROLE_BIT(ROLE_FOREIGN_PARTNER) |      \
	 ROLE_BIT(ROLE_MEASURES_OFFICER) | ROLE_BIT(ROLE_ADMIN))

/* Who reads a report (issue: TLP:RED — the reporting org, NCO analysts, the sector's
 * ministry; AMBER+STRICT and AMBER — also operators of the same sector; GREEN — also every
 * operator, ministry and council member; CLEAR — every authenticated user but the roles that
 * read no reports). */
static bool report_visible(struct db_conn *c, const struct principal *p, struct db_rows *r, int i)
{
	if (ROLE_BIT(p->role) & ROLES_NO_REPORTS)
		return false;
	const char *op = db_rows_get(r, i, C_OPERATOR), *sector = db_rows_get(r, i, C_SECTOR);
	int rank = tlp_rank(db_rows_get(r, i, C_TLP));
	if (strcmp(p->org, op) == 0 || strcmp(p->org, db_rows_get(r, i, C_FILED_BY_ORG)) == 0 ||
	    p->role == ROLE_ANALYST)
		return true;
	if (p->role == ROLE_MINISTRY) {
		char ministry[64];
		api_sector_ministry(c, sector, ministry);
		if (strcmp(ministry, p->org) == 0)
			return true;
	}
	if (rank >= 1 && p->role == ROLE_OPERATOR && strcmp(p->sector, sector) == 0)
		return true;
	if (rank >= 3 && (p->role == ROLE_OPERATOR || p->role == ROLE_MINISTRY ||
	                  p->role == ROLE_COUNCIL_MEMBER))
		return true;
	return rank >= 4;
}

/* Whether the caller may see who reported an anonymous report. */
static bool sees_reporter(const struct principal *p, struct db_rows *r, int i)
{
	return strcmp(db_rows_get(r, i, C_ANON), "1") != 0 || p->anonymous_reader ||
	       strcmp(p->org, db_rows_get(r, i, C_FILED_BY_ORG)) == 0 ||
	       strcmp(p->org, db_rows_get(r, i, C_OPERATOR)) == 0;
}

/* The report as the caller may see it. */
static json_t *report_json(const struct principal *p, struct db_rows *r, int i, bool full)
{
	json_t *doc = json_loads(db_rows_get(r, i, C_DOC), 0, NULL);
	if (!doc)
		doc = json_object();
	bool who = sees_reporter(p, r, i);
	json_object_set_new(doc, "id", json_string(db_rows_get(r, i, C_ID)));
	json_object_set_new(doc, "tlp", json_string(db_rows_get(r, i, C_TLP)));
	json_object_set_new(doc, "operator",
	                    who ? json_string(db_rows_get(r, i, C_OPERATOR)) : json_null());
	json_object_set_new(doc, "filed_by",
	                    who ? json_string(db_rows_get(r, i, C_FILED_BY)) : json_null());
	json_object_set_new(doc, "anonymous",
	                    json_boolean(strcmp(db_rows_get(r, i, C_ANON), "1") == 0));
	json_object_set_new(doc, "reported_at", api_time_json(db_rows_get(r, i, C_CREATED)));
	json_object_set_new(doc, "updated_at", api_time_json(db_rows_get(r, i, C_LAST)));
	json_object_set_new(doc, "reports",
	                    json_integer(strtoll(db_rows_get(r, i, C_REPORTS), NULL, 10)));
	if (!full) {
		/* A listing carries the header fields, not the narrative. */
		json_t *head = json_object();
		static const char *const keep[] = {"id",        "tlp",         "operator",
		                                   "sector",    "urgency",     "event_type",
		                                   "anonymous", "reported_at", "updated_at",
		                                   "reports",   "next_steps",  NULL};
		for (int k = 0; keep[k]; k++)
			if (json_object_get(doc, keep[k]))
				json_object_set(head, keep[k], json_object_get(doc, keep[k]));
		json_decref(doc);
		return head;
	}
	return doc;
}

/* Loads one report row by id; NULL rows when absent. */
static enum acd_status load_report(struct db_conn *c, const char *id, struct db_rows **r,
                                   struct acd_error *e)
{
	const char *p[1] = {id};
	return db_query(c, "SELECT " REPORT_COLUMNS " FROM reports WHERE id = $1", p, 1, r, e);
}

struct new_report {
	const struct principal *who;
	json_t *body;
	const char *operator, * sector;
	char id[32];
};

static enum acd_status insert_report(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_report *nr = arg;
	long long n;
	enum acd_status st = txn_next_number(t, "report", &n, e);
	if (st != ACD_OK)
		return st;
	snprintf(nr->id, sizeof nr->id, "R%lld", n);
	char num[24], at[24], disc[24];
	acd_time d = 0;
	const char *dtext = json_string_value(json_object_get(nr->body, "discovered_at"));
	bool has_disc = dtext && time_parse(dtext, &d);
	snprintf(num, sizeof num, "%lld", n);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(disc, sizeof disc, "%" PRId64, (int64_t)d);
	char *doc = json_dumps(nr->body, JSON_COMPACT | JSON_SORT_KEYS);
	const char *p[15] = {nr->id,
	                     num,
	                     nr->operator,
	                     nr->sector,
	                     nr->who->user,
	                     nr->who->org,
	                     json_string_value(json_object_get(nr->body, "tlp")),
	                     json_string_value(json_object_get(nr->body, "urgency")),
	                     json_string_value(json_object_get(nr->body, "event_type")),
	                     json_is_true(json_object_get(nr->body, "anonymous")) ? "1" : "0",
	                     json_string_value(json_object_get(nr->body, "next_steps")),
	                     has_disc ? disc : NULL,
	                     at,
	                     doc};
	st = db_exec(
	        t->c,
	        "INSERT INTO reports (id, num, operator, sector, filed_by, filed_by_org, tlp, "
	        "urgency, event_type, anonymous, next_steps, discovered_at, created_at, last_at, "
	        "reports, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
	        "$13, 1, $14)",
	        p, 14, NULL, e);
	if (st == ACD_OK) {
		const char *v[5] = {nr->id, "1", at, nr->who->user, doc};
		st = db_exec(t->c,
		             "INSERT INTO report_versions (report, n, at, by_user, body) VALUES "
		             "($1, $2, "
		             "$3, $4, $5)",
		             v, 5, NULL, e);
	}
	free(doc);
	if (st != ACD_OK)
		return st;
	struct audit_entry a = {
	        nr->who->user, role_name(nr->who->role), "report.create", nr->id, NULL, NULL};
	return txn_audit(t, &a, e);
}

/* A report's filer (api_check_filer) must also name the operator's own sector. */
static int check_filer(struct request *rq, struct reply *rp, const char *op, const char *sector,
                       char op_sector[24])
{
	int st = api_check_filer(rq, rp, op, op_sector);
	if (st == 0 && strcmp(sector, op_sector) != 0)
		return reply_error(rp, 400, "invalid", "sector",
		                   "sector: %s files in sector %s, not %s", op, op_sector, sector);
	return st;
}

int api_report_create(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400], op_sector[24];
	if (!report_form_check(body, true, &field, msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg); /* field may point into body */
		json_decref(body);
		return rp->status;
	}
	struct new_report nr = {.who = &rq->who,
	                        .body = body,
	                        .operator= json_string_value(json_object_get(body, "operator")),
	                        .sector = json_string_value(json_object_get(body, "sector"))};
	if (check_filer(rq, rp, nr.operator, nr.sector, op_sector) != 0) {
		json_decref(body);
		return rp->status;
	}
	if (api_write(rq, rp, insert_report, &nr)) {
		char ministry[64];
		api_sector_ministry(rq->c, nr.sector, ministry);
		reply_json(rp, 201,
		           json_pack("{s:s, s:i, s:s, s:[s,s]}", "id", nr.id, "reports", 1, "tlp",
		                     json_string_value(json_object_get(body, "tlp")),
		                     "delivered_to", ministry, "nco"));
	}
	json_decref(body);
	return rp->status;
}

/* Loads a report the caller may see, or fills a 404. */
static struct db_rows *visible_report(struct request *rq, struct reply *rp, const char *id)
{
	struct db_rows *r = NULL;
	struct acd_error e = {0};
	if (load_report(rq->c, id, &r, &e) != ACD_OK) {
		api_store_error(rp, &e);
		return NULL;
	}
	if (db_rows_count(r) != 1 || !report_visible(rq->c, &rq->who, r, 0)) {
		db_rows_free(r);
		reply_error(rp, 404, "not_found", NULL, "no such report");
		return NULL;
	}
	return r;
}

int api_report_get(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_report(rq, rp, rq->params[0]);
	if (!r)
		return rp->status;
	json_t *doc = report_json(&rq->who, r, 0, true);
	db_rows_free(r);
	/* The history: each report (第N報) with its own id R1, R1-2 … Read before the audit
	 * entry is written, right after the report: a read that follows the audit's commit
	 * finds the store changed and rereads its pages from the file. Nothing is answered
	 * before the read is audited. */
	struct acd_error e = {0};
	const char *p[1] = {rq->params[0]};
	if (db_query(rq->c, "SELECT n, at FROM report_versions WHERE report = $1 ORDER BY n", p, 1,
	             &r, &e) == ACD_OK) {
		json_t *hist = json_array();
		for (int i = 0; i < db_rows_count(r); i++) {
			char vid[48];
			const char *n = db_rows_get(r, i, 0);
			snprintf(vid, sizeof vid, strcmp(n, "1") == 0 ? "%s" : "%s-%s",
			         rq->params[0], n);
			json_array_append_new(hist, json_pack("{s:s, s:o}", "id", vid, "at",
			                                      api_time_json(db_rows_get(r, i, 1))));
		}
		json_object_set_new(doc, "history", hist);
		db_rows_free(r);
	}
	if (api_audit_read(rq, "report.read", rq->params[0], request_query(rq, "purpose"), NULL,
	                   &e) != ACD_OK) {
		json_decref(doc);
		return api_store_error(rp, &e);
	}
	return reply_json(rp, 200, doc);
}

int api_report_list(struct request *rq, struct reply *rp)
{
	/* Filters: sector, urgency, tlp, event_type, operator; paging by `after` (a number). */
	const char *sector = request_query(rq, "sector"), *urgency = request_query(rq, "urgency");
	const char *tlp = request_query(rq, "tlp"), *event = request_query(rq, "event_type");
	const char *op = request_query(rq, "operator"), *after = request_query(rq, "after");
	const char *limit_s = request_query(rq, "limit");
	long limit = limit_s ? strtol(limit_s, NULL, 10) : 100;
	if (limit < 1 || limit > 1000)
		return reply_error(rp, 400, "invalid", "limit", "limit: 1-1000");
	if (tlp && tlp_rank(tlp) < 0)
		return reply_error(rp, 400, "invalid", "tlp",
		                   "tlp: red, amber+strict, amber, green or clear");
	char after_num[24] = "0";
	if (after && sscanf(after, "R%23[0-9]", after_num) != 1)
		return reply_error(rp, 400, "invalid", "after", "after: a report id such as R12");
	const char *p[6] = {after_num, sector, urgency, tlp, event, op};
	struct db_rows *r;
	struct acd_error e = {0};
	/* Visibility is decided row by row in C (report_visible), so read in pages until full. */
	if (db_query(rq->c,
	             "SELECT " REPORT_COLUMNS " FROM reports WHERE num > CAST($1 AS BIGINT) "
	             "AND (CAST($2 AS TEXT) IS NULL OR sector = $2) "
	             "AND (CAST($3 AS TEXT) IS NULL OR urgency = $3) "
	             "AND (CAST($4 AS TEXT) IS NULL OR tlp = $4) "
	             "AND (CAST($5 AS TEXT) IS NULL OR event_type = $5) "
	             "AND (CAST($6 AS TEXT) IS NULL OR (operator = $6 AND anonymous = 0)) "
	             "ORDER BY num LIMIT 5000",
	             p, 6, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	const char *last = NULL;
	for (int i = 0; i < db_rows_count(r) && (long)json_array_size(items) < limit; i++)
		if (report_visible(rq->c, &rq->who, r, i)) {
			json_array_append_new(items, report_json(&rq->who, r, i, false));
			last = db_rows_get(r, i, C_ID);
		}
	json_t *out = json_pack("{s:o, s:s?}", "items", items, "next",
	                        (long)json_array_size(items) == limit ? last : NULL);
	db_rows_free(r);
	return api_reply_audited(rq, rp, out, "report.list", NULL, request_query(rq, "purpose"),
	                         NULL);
}

struct followup {
	const struct principal *who;
	const char *id;
	json_t *body;
	char new_id[48];
};

/* Merges the follow-up into the report's current state and records it as the next 第N報. */
static enum acd_status insert_followup(struct txn *t, void *arg, struct acd_error *e)
{
	struct followup *f = arg;
	struct db_rows *r;
	enum acd_status st = load_report(t->c, f->id, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) != 1) {
		db_rows_free(r);
		return acd_fail(e, ACD_ENOTFOUND, "report not found");
	}
	long long n = strtoll(db_rows_get(r, 0, C_REPORTS), NULL, 10) + 1;
	json_t *doc = json_loads(db_rows_get(r, 0, C_DOC), 0, NULL);
	db_rows_free(r);
	if (!doc)
		return acd_fail(e, ACD_EDB, "report %s: stored document unreadable", f->id);
	json_object_update(doc, f->body);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	char *body = json_dumps(f->body, JSON_COMPACT | JSON_SORT_KEYS);
	char ns[24], at[24];
	snprintf(ns, sizeof ns, "%lld", n);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(f->new_id, sizeof f->new_id, "%s-%lld", f->id, n);
	const char *p[7] = {f->id,
	                    ns,
	                    at,
	                    json_string_value(json_object_get(doc, "tlp")),
	                    json_string_value(json_object_get(doc, "urgency")),
	                    json_string_value(json_object_get(doc, "next_steps")),
	                    text};
	st = db_exec(t->c,
	             "UPDATE reports SET reports = $2, last_at = $3, tlp = $4, urgency = $5, "
	             "next_steps = $6, doc = $7 WHERE id = $1",
	             p, 7, NULL, e);
	if (st == ACD_OK) {
		const char *v[5] = {f->id, ns, at, f->who->user, body};
		st = db_exec(t->c,
		             "INSERT INTO report_versions (report, n, at, by_user, body) VALUES "
		             "($1, $2, "
		             "$3, $4, $5)",
		             v, 5, NULL, e);
	}
	json_decref(doc);
	free(text);
	free(body);
	if (st != ACD_OK)
		return st;
	struct audit_entry a = {
	        f->who->user, role_name(f->who->role), "report.followup", f->new_id, NULL, NULL};
	return txn_audit(t, &a, e);
}

/* Only the reporting side (the operator, or the ministry that filed) adds to a report. */
static bool is_reporter(const struct principal *p, struct db_rows *r)
{
	return strcmp(p->org, db_rows_get(r, 0, C_OPERATOR)) == 0 ||
	       strcmp(p->org, db_rows_get(r, 0, C_FILED_BY_ORG)) == 0;
}

int api_report_followup(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_report(rq, rp, rq->params[0]);
	if (!r)
		return rp->status;
	bool mine = is_reporter(&rq->who, r);
	int old_rank = tlp_rank(db_rows_get(r, 0, C_TLP));
	char op[64], sector[24];
	snprintf(op, sizeof op, "%s", db_rows_get(r, 0, C_OPERATOR));
	snprintf(sector, sizeof sector, "%s", db_rows_get(r, 0, C_SECTOR));
	db_rows_free(r);
	if (!mine)
		return reply_error(rp, 403, "forbidden", NULL,
		                   "only the reporting organisation adds follow-ups");
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400];
	const char *tlp = json_string_value(json_object_get(body, "tlp"));
	const char *bop = json_string_value(json_object_get(body, "operator"));
	const char *bsec = json_string_value(json_object_get(body, "sector"));
	if (!report_form_check(body, false, &field, msg, sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if (json_object_size(body) == 0)
		reply_error(rp, 400, "invalid", NULL, "a follow-up carries at least one field");
	else if (tlp && tlp_rank(tlp) > old_rank)
		reply_error(
		        rp, 400, "invalid", "tlp",
		        "tlp: a follow-up may only narrow the sharing scope; widening needs the "
		        "reporter's consent (POST /api/v1/reports/%s/scope)",
		        rq->params[0]);
	else if ((bop && strcmp(bop, op) != 0) || (bsec && strcmp(bsec, sector) != 0))
		reply_error(rp, 400, "invalid", bop && strcmp(bop, op) ? "operator" : "sector",
		            "%s: a follow-up cannot move a report to another operator or sector",
		            bop && strcmp(bop, op) ? "operator" : "sector");
	else if (json_object_get(body, "anonymous"))
		reply_error(rp, 400, "invalid", "anonymous",
		            "anonymous: fixed by the first report");
	else {
		struct followup f = {.who = &rq->who, .id = rq->params[0], .body = body};
		if (api_write(rq, rp, insert_followup, &f))
			reply_json(rp, 201,
			           json_pack("{s:s, s:s}", "id", f.new_id, "report", f.id));
	}
	json_decref(body);
	return rp->status;
}

struct scope_change {
	const struct principal *who;
	const char *id, *from, *to, *reason;
	bool consent;
};

static enum acd_status change_scope(struct txn *t, void *arg, struct acd_error *e)
{
	struct scope_change *s = arg;
	char at[24];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[2] = {s->id, s->to};
	enum acd_status st =
	        db_exec(t->c, "UPDATE reports SET tlp = $2 WHERE id = $1", p, 2, NULL, e);
	/* The stored document keeps the current TLP too, so follow-ups merge onto it. */
	if (st == ACD_OK) {
		struct db_rows *r;
		st = load_report(t->c, s->id, &r, e);
		if (st != ACD_OK)
			return st;
		json_t *doc = json_loads(db_rows_get(r, 0, C_DOC), 0, NULL);
		db_rows_free(r);
		json_object_set_new(doc, "tlp", json_string(s->to));
		char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		const char *d[2] = {s->id, text};
		st = db_exec(t->c, "UPDATE reports SET doc = $2 WHERE id = $1", d, 2, NULL, e);
		free(text);
		json_decref(doc);
	}
	if (st == ACD_OK) {
		const char *v[7] = {
		        s->id, at, s->who->user, s->from, s->to, s->consent ? "1" : "0", s->reason};
		st = db_exec(
		        t->c,
		        "INSERT INTO report_scope_changes (report, at, by_user, from_tlp, to_tlp, "
		        "consent, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		        v, 7, NULL, e);
	}
	if (st != ACD_OK)
		return st;
	char detail[128];
	snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\",\"consent\":%s}", s->from,
	         s->to, s->consent ? "true" : "false");
	struct audit_entry a = {s->who->user,
	                        role_name(s->who->role),
	                        s->consent ? "report.scope.widen" : "report.scope.narrow",
	                        s->id,
	                        NULL,
	                        detail};
	return txn_audit(t, &a, e);
}

int api_report_scope(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_report(rq, rp, rq->params[0]);
	if (!r)
		return rp->status;
	bool mine = is_reporter(&rq->who, r);
	char from[24];
	snprintf(from, sizeof from, "%s", db_rows_get(r, 0, C_TLP));
	db_rows_free(r);
	if (!mine)
		return reply_error(rp, 403, "forbidden", NULL,
		                   "only the reporting organisation sets the sharing scope");
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *to = json_string_value(json_object_get(body, "tlp"));
	json_t *consent = json_object_get(body, "consent");
	const char *reason = json_string_value(json_object_get(body, "reason"));
	const char *key;
	json_t *v;
	const char *unknown = NULL;
	json_object_foreach(body, key, v) if (strcmp(key, "tlp") && strcmp(key, "consent") &&
	                                      strcmp(key, "reason")) unknown = key;
	if (unknown)
		reply_error(rp, 400, "invalid", unknown, "%s: not a field of a scope change",
		            unknown);
	else if (tlp_rank(to) < 0)
		reply_error(rp, 400, "invalid", "tlp",
		            "tlp: red, amber+strict, amber, green or clear");
	else if (consent && !json_is_boolean(consent))
		reply_error(rp, 400, "invalid", "consent", "consent: true or false");
	else if (tlp_rank(to) > tlp_rank(from) && !json_is_true(consent))
		reply_error(
		        rp, 400, "invalid", "consent",
		        "consent: widening the sharing scope from %s to %s needs the reporter's "
		        "recorded consent (\"consent\": true)",
		        from, to);
	else {
		struct scope_change s = {&rq->who, rq->params[0], from,
		                         to,       reason,        tlp_rank(to) > tlp_rank(from)};
		if (api_write(rq, rp, change_scope, &s))
			reply_json(
			        rp, 200,
			        json_pack("{s:s, s:s, s:s}", "id", s.id, "tlp", to, "from", from));
	}
	json_decref(body);
	return rp->status;
}

int api_report_overdue(struct request *rq, struct reply *rp)
{
	/* Open reports (next_steps not "done") whose follow-up or final report is late, as the
	 * configured deadlines say; first reports filed late after discovery are flagged too. */
	const struct config *cfg = &rq->srv->cfg;
	char now[24];
	snprintf(now, sizeof now, "%" PRId64, (int64_t)time_now());
	const char *p[1] = {now};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " REPORT_COLUMNS " FROM reports WHERE next_steps IS NULL OR "
	             "next_steps <> 'done' ORDER BY num",
	             p, 0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	acd_time t_now = time_now();
	for (int i = 0; i < db_rows_count(r); i++) {
		if (!report_visible(rq->c, &rq->who, r, i))
			continue;
		acd_time created = strtoll(db_rows_get(r, i, C_CREATED), NULL, 10);
		acd_time last = strtoll(db_rows_get(r, i, C_LAST), NULL, 10);
		const char *disc = db_rows_get(r, i, C_DISCOVERED);
		bool late_first = disc && created - strtoll(disc, NULL, 10) > cfg->first_report;
		bool followup_due = t_now - last > cfg->followup;
		bool final_due = t_now - created > cfg->final_report;
		if (!followup_due && !final_due)
			continue;
		char due[TIME_STRLEN];
		time_format(followup_due ? last + cfg->followup : created + cfg->final_report, due,
		            sizeof due);
		json_t *item = report_json(&rq->who, r, i, false);
		json_object_set_new(item, "overdue", json_string(final_due ? "final" : "followup"));
		json_object_set_new(item, "due_at", json_string(due));
		json_object_set_new(item, "late_first_report", json_boolean(late_first));
		json_array_append_new(items, item);
	}
	db_rows_free(r);
	return api_reply_audited(rq, rp, json_pack("{s:o}", "items", items), "report.overdue", NULL,
	                         NULL, NULL);
}
