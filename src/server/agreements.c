/*
 * agreements.c — agreements with operators (当事者協定): the NCO records an agreement with an
 * operator over the operator's prefixes for a period; the operator party, NCO analysts and the
 * commission (which oversees them) read it; the party or an analyst withdraws it, after which
 * it stays readable and covers nothing (agreement_cover.h). Under an agreement the party alone
 * gives consents to other-purpose use (他目的利用) — specific in purpose, scope and recipient,
 * and never for criminal investigation (DOMAIN.md §2) — and withdraws them.
 *
 * Nothing else in acdd asks whether an operator signed: reports and notifications work alike
 * for every operator.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "approval.h"
#include "form.h"

#define AGREEMENT_COLUMNS                                                                          \
	"id, operator, valid_from, valid_until, signed_by, filed_by, created_at, withdrawn_at, "   \
	"withdrawn_by, withdraw_reason"
enum {
	A_ID,
	A_OPERATOR,
	A_FROM,
	A_UNTIL,
	A_SIGNED_BY,
	A_FILED_BY,
	A_CREATED,
	A_WITHDRAWN,
	A_WITHDRAWN_BY,
	A_REASON
};

#define CONSENT_COLUMNS                                                                            \
	"id, agreement, purpose, scope, recipient, valid_until, given_by, created_at, "            \
	"withdrawn_at, withdrawn_by, withdraw_reason"
enum {
	K_ID,
	K_AGREEMENT,
	K_PURPOSE,
	K_SCOPE,
	K_RECIPIENT,
	K_UNTIL,
	K_GIVEN_BY,
	K_CREATED,
	K_WITHDRAWN,
	K_WITHDRAWN_BY,
	K_REASON
};

#define MAX_PREFIXES 1000

static bool check_prefixes(json_t *v, char *msg, size_t len)
{
	size_t i;
	json_t *x;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_PREFIXES) {
		snprintf(msg, len, "prefixes: a list of 1 to %d CIDRs", MAX_PREFIXES);
		return false;
	}
	json_array_foreach(v, i, x)
	{
		struct ip_net n;
		if (!json_is_string(x) || !ip_net_parse(json_string_value(x), &n)) {
			snprintf(msg, len,
			         "prefixes: item %zu is not an IPv4 or IPv6 CIDR without host bits "
			         "(133.5.0.0/16, 2001:db8::/32)",
			         i);
			return false;
		}
	}
	return true;
}

static const struct form_field agreement_fields[] = {
        {"operator", FORM_TEXT, true, 63, NULL, NULL},
        {"prefixes", FORM_CUSTOM, true, 0, NULL, check_prefixes},
        {"valid_from", FORM_TIME, true, 0, NULL, NULL},
        {"valid_until", FORM_TIME, true, 0, NULL, NULL},
        /* who signed for the operator, as the signed document names them */
        {"signed_by", FORM_TEXT, false, 200, NULL, NULL},
};

static const struct form_field consent_fields[] = {
        {"purpose", FORM_TEXT, true, 500, NULL, NULL},
        {"scope", FORM_TEXT, true, 2000, NULL, NULL},
        {"recipient", FORM_TEXT, true, 200, NULL, NULL},
        {"valid_until", FORM_TIME, true, 0, NULL, NULL},
};

static const struct form_field withdraw_fields[] = {
        {"reason", FORM_TEXT, false, 2000, NULL, NULL},
};

#define NFIELDS(f) (sizeof(f) / sizeof((f)[0]))

/* Words that make a purpose criminal investigation (犯罪捜査), which other-purpose use may
 * never serve: checked at the start of words, case-insensitively, so "crime", "criminal"
 * and "prosecution" are caught but "discrimination" is not. */
static const char *const criminal_words[] = {
        "crim",   "prosecut", "law enforcement",      "law-enforcement",
        "indict", "arrest",   "police investigation", NULL};
static const char *const criminal_ja[] = {"犯罪", "捜査", "訴追", "起訴", "検挙", "逮捕", NULL};

bool is_criminal_purpose(const char *s)
{
	for (int k = 0; criminal_ja[k]; k++)
		if (strstr(s, criminal_ja[k]))
			return true;
	for (size_t i = 0; s[i]; i++) {
		if (i > 0 && isalpha((unsigned char)s[i - 1]))
			continue;
		for (int k = 0; criminal_words[k]; k++)
			if (strncasecmp(s + i, criminal_words[k], strlen(criminal_words[k])) == 0)
				return true;
	}
	return false;
}

static json_t *text_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Who reads an agreement and its consents: the party, NCO analysts, the commission. */
static bool agreement_visible(const struct principal *p, struct db_rows *r, int i)
{
	return p->role == ROLE_ANALYST || p->role == ROLE_COMMISSION ||
	       (p->role == ROLE_OPERATOR && strcmp(p->org, db_rows_get(r, i, A_OPERATOR)) == 0);
}

static const char *agreement_status(struct db_rows *r, int i, acd_time now)
{
	if (db_rows_get(r, i, A_WITHDRAWN))
		return "withdrawn";
	if (now < strtoll(db_rows_get(r, i, A_FROM), NULL, 10))
		return "pending";
	return now < strtoll(db_rows_get(r, i, A_UNTIL), NULL, 10) ? "active" : "expired";
}

static json_t *agreement_json(struct db_conn *c, struct db_rows *r, int i)
{
	json_t *prefixes = json_array();
	const char *p[1] = {db_rows_get(r, i, A_ID)};
	struct db_rows *pr;
	if (db_query(c,
	             "SELECT prefix FROM agreement_prefixes WHERE agreement = $1 ORDER BY prefix",
	             p, 1, &pr, NULL) == ACD_OK) {
		for (int k = 0; k < db_rows_count(pr); k++)
			json_array_append_new(prefixes, json_string(db_rows_get(pr, k, 0)));
		db_rows_free(pr);
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:o, s:o, s:o}", "id",
	                 db_rows_get(r, i, A_ID), "operator", db_rows_get(r, i, A_OPERATOR),
	                 "prefixes", prefixes, "valid_from",
	                 api_time_json(db_rows_get(r, i, A_FROM)), "valid_until",
	                 api_time_json(db_rows_get(r, i, A_UNTIL)), "signed_by",
	                 text_json(db_rows_get(r, i, A_SIGNED_BY)), "filed_by",
	                 db_rows_get(r, i, A_FILED_BY), "created_at",
	                 api_time_json(db_rows_get(r, i, A_CREATED)), "status",
	                 agreement_status(r, i, time_now()), "withdrawn_at",
	                 api_time_json(db_rows_get(r, i, A_WITHDRAWN)), "withdrawn_by",
	                 text_json(db_rows_get(r, i, A_WITHDRAWN_BY)), "withdraw_reason",
	                 text_json(db_rows_get(r, i, A_REASON)));
}

static json_t *consent_json(struct db_rows *r, int i)
{
	acd_time until = strtoll(db_rows_get(r, i, K_UNTIL), NULL, 10);
	const char *status = db_rows_get(r, i, K_WITHDRAWN) ? "withdrawn"
	                     : time_now() < until           ? "active"
	                                                    : "expired";
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:o}", "id",
	                 db_rows_get(r, i, K_ID), "agreement", db_rows_get(r, i, K_AGREEMENT),
	                 "purpose", db_rows_get(r, i, K_PURPOSE), "scope",
	                 db_rows_get(r, i, K_SCOPE), "recipient", db_rows_get(r, i, K_RECIPIENT),
	                 "valid_until", api_time_json(db_rows_get(r, i, K_UNTIL)), "given_by",
	                 db_rows_get(r, i, K_GIVEN_BY), "given_at",
	                 api_time_json(db_rows_get(r, i, K_CREATED)), "status", status,
	                 "withdrawn_at", api_time_json(db_rows_get(r, i, K_WITHDRAWN)),
	                 "withdrawn_by", text_json(db_rows_get(r, i, K_WITHDRAWN_BY)),
	                 "withdraw_reason", text_json(db_rows_get(r, i, K_REASON)));
}

static enum acd_status load_agreement(struct db_conn *c, const char *id, struct db_rows **r,
                                      struct acd_error *e)
{
	const char *p[1] = {id};
	return db_query(c, "SELECT " AGREEMENT_COLUMNS " FROM agreements WHERE id = $1", p, 1, r,
	                e);
}

/* Loads an agreement the caller may see, or fills a 404. */
static struct db_rows *visible_agreement(struct request *rq, struct reply *rp)
{
	struct db_rows *r = NULL;
	struct acd_error e = {0};
	if (load_agreement(rq->c, rq->params[0], &r, &e) != ACD_OK) {
		api_store_error(rp, &e);
		return NULL;
	}
	if (db_rows_count(r) != 1 || !agreement_visible(&rq->who, r, 0)) {
		db_rows_free(r);
		reply_error(rp, 404, "not_found", NULL, "no such agreement");
		return NULL;
	}
	return r;
}

static enum acd_status audit(struct txn *t, const struct principal *who, const char *action,
                             const char *object, const char *detail, struct acd_error *e)
{
	struct audit_entry a = {who->user, role_name(who->role), action, object, NULL, detail};
	return txn_audit(t, &a, e);
}

struct new_agreement {
	const struct principal *who;
	json_t *body;
	acd_time from, until;
	char id[32];
};

static enum acd_status insert_agreement(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_agreement *a = arg;
	long long n;
	enum acd_status st = txn_next_number(t, "agreement", &n, e);
	if (st != ACD_OK)
		return st;
	snprintf(a->id, sizeof a->id, "AG%lld", n);
	char num[24], from[24], until[24], at[24];
	snprintf(num, sizeof num, "%lld", n);
	snprintf(from, sizeof from, "%" PRId64, (int64_t)a->from);
	snprintf(until, sizeof until, "%" PRId64, (int64_t)a->until);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[8] = {
	        a->id,        num,   json_string_value(json_object_get(a->body, "operator")),
	        from,         until, json_string_value(json_object_get(a->body, "signed_by")),
	        a->who->user, at};
	st = db_exec(
	        t->c,
	        "INSERT INTO agreements (id, num, operator, valid_from, valid_until, signed_by, "
	        "filed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	        p, 8, NULL, e);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(a->body, "prefixes"), i, x)
	{
		if (st != ACD_OK)
			break;
		/* Stored canonical ("2001:DB8::/32" as 2001:db8::/32), so one prefix is one row. */
		struct ip_net net;
		char addr[IPADDR_STRLEN], prefix[IPADDR_STRLEN + 8];
		ip_net_parse(json_string_value(x), &net);
		ipaddr_format(&net.addr, addr, sizeof addr);
		snprintf(prefix, sizeof prefix, "%s/%u", addr, net.bits);
		const char *q[2] = {a->id, prefix};
		st = db_exec(t->c,
		             "INSERT INTO agreement_prefixes (agreement, prefix) VALUES ($1, $2)",
		             q, 2, NULL, e);
		if (st != ACD_OK && db_error_is_conflict(t->c))
			st = acd_fail(e, ACD_EINPUT, "prefixes: %s is listed twice", prefix);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "{\"prefixes\":%zu}",
	         json_array_size(json_object_get(a->body, "prefixes")));
	return st == ACD_OK ? audit(t, a->who, "agreement.create", a->id, detail, e) : st;
}

int api_agreement_create(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400], kind[24], sector[24];
	struct new_agreement a = {.who = &rq->who, .body = body};
	const char *op = json_string_value(json_object_get(body, "operator"));
	if (!form_check(body, agreement_fields, NFIELDS(agreement_fields), true, &field, msg,
	                sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if (!api_org_info(rq->c, op, kind, sector) || strcmp(kind, "operator") != 0)
		reply_error(rp, 400, "invalid", "operator",
		            "operator: '%s' is not a known operator", op);
	else if (form_time(body, "valid_from", &a.from) &&
	         form_time(body, "valid_until", &a.until) && a.from >= a.until)
		reply_error(rp, 400, "invalid", "valid_until",
		            "valid_until: must be after valid_from");
	else if (a.until <= time_now())
		reply_error(rp, 400, "invalid", "valid_until", "valid_until: already past");
	else if (api_write(rq, rp, insert_agreement, &a))
		reply_json(rp, 201,
		           json_pack("{s:s, s:s, s:s}", "id", a.id, "operator", op, "status",
		                     a.from > time_now() ? "pending" : "active"));
	json_decref(body);
	return rp->status;
}

int api_agreement_list(struct request *rq, struct reply *rp)
{
	const char *op = request_query(rq, "operator"), *status = request_query(rq, "status");
	static const char *const statuses[] = {"pending", "active", "expired", "withdrawn", NULL};
	if (status && !form_one_of(status, statuses))
		return reply_error(rp, 400, "invalid", "status",
		                   "status: one of pending active expired withdrawn");
	const char *p[1] = {op};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " AGREEMENT_COLUMNS
	             " FROM agreements WHERE (CAST($1 AS TEXT) IS NULL OR "
	             "operator = $1) "
	             "ORDER BY num",
	             p, 1, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	acd_time now = time_now();
	for (int i = 0; i < db_rows_count(r); i++)
		if (agreement_visible(&rq->who, r, i) &&
		    (!status || strcmp(status, agreement_status(r, i, now)) == 0))
			json_array_append_new(items, agreement_json(rq->c, r, i));
	db_rows_free(r);
	return api_reply_audited(rq, rp, json_pack("{s:o}", "items", items), "agreement.list", NULL,
	                         request_query(rq, "purpose"), NULL);
}

int api_agreement_get(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_agreement(rq, rp);
	if (!r)
		return rp->status;
	struct acd_error e = {0};
	if (api_audit_read(rq, "agreement.read", rq->params[0], request_query(rq, "purpose"), NULL,
	                   &e) != ACD_OK) {
		db_rows_free(r);
		return api_store_error(rp, &e);
	}
	json_t *doc = agreement_json(rq->c, r, 0);
	db_rows_free(r);
	return reply_json(rp, 200, doc);
}

struct withdrawal {
	const struct principal *who;
	const char *table, *id, *agreement, *reason, *action;
};

static enum acd_status withdraw(struct txn *t, void *arg, struct acd_error *e)
{
	struct withdrawal *w = arg;
	char at[24], sql[256];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	/* Only a standing one is withdrawn: a second withdrawal is a conflict, not a new time. */
	snprintf(sql, sizeof sql,
	         "UPDATE %s SET withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4 "
	         "WHERE id = $1 AND withdrawn_at IS NULL",
	         w->table);
	const char *p[4] = {w->id, at, w->who->user, w->reason};
	long changed = 0;
	enum acd_status st = db_exec(t->c, sql, p, 4, &changed, e);
	if (st == ACD_OK && changed != 1)
		return acd_fail(e, ACD_ECONFLICT, "withdrawn_at: %s is already withdrawn", w->id);
	return st == ACD_OK ? audit(t, w->who, w->action, w->id, NULL, e) : st;
}

/* The party's or an analyst's; the commission reads but does not act. */
static bool may_withdraw(const struct principal *p, struct db_rows *r)
{
	return p->role == ROLE_ANALYST ||
	       (p->role == ROLE_OPERATOR && strcmp(p->org, db_rows_get(r, 0, A_OPERATOR)) == 0);
}

/* Reads the optional {"reason"} body of a withdrawal; NULL with an error reply otherwise. */
static json_t *withdraw_body(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	const char *field;
	char msg[300];
	if (body && !form_check(body, withdraw_fields, 1, true, &field, msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
		json_decref(body);
		return NULL;
	}
	return body;
}

int api_agreement_withdraw(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_agreement(rq, rp);
	if (!r)
		return rp->status;
	bool ok = may_withdraw(&rq->who, r);
	db_rows_free(r);
	if (!ok)
		return reply_error(
		        rp, 403, "forbidden", NULL,
		        "only the operator party or an NCO analyst withdraws an agreement");
	json_t *body = withdraw_body(rq, rp);
	if (!body)
		return rp->status;
	struct withdrawal w = {&rq->who,
	                       "agreements",
	                       rq->params[0],
	                       rq->params[0],
	                       json_string_value(json_object_get(body, "reason")),
	                       "agreement.withdraw"};
	if (api_write(rq, rp, withdraw, &w))
		reply_json(rp, 201,
		           json_pack("{s:s, s:s, s:s}", "id", w.id, "status", "withdrawn",
		                     "withdrawn_by", rq->who.user));
	json_decref(body);
	return rp->status;
}

struct new_consent {
	const struct principal *who;
	const char *agreement;
	json_t *body;
	acd_time until;
	char id[32];
};

static enum acd_status insert_consent(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_consent *k = arg;
	struct db_rows *r;
	/* Re-checked in the writer: a withdrawal that won the race leaves nothing to consent to. */
	enum acd_status st = load_agreement(t->c, k->agreement, &r, e);
	if (st != ACD_OK)
		return st;
	bool standing = db_rows_count(r) == 1 && !db_rows_get(r, 0, A_WITHDRAWN);
	acd_time until = db_rows_count(r) == 1 ? strtoll(db_rows_get(r, 0, A_UNTIL), NULL, 10) : 0;
	db_rows_free(r);
	if (!standing)
		return acd_fail(e, ACD_ECONFLICT, "agreement: %s is withdrawn", k->agreement);
	if (k->until > until)
		return acd_fail(e, ACD_EINPUT, "valid_until: after the agreement ends");
	long long n;
	st = txn_next_number(t, "consent", &n, e);
	if (st != ACD_OK)
		return st;
	snprintf(k->id, sizeof k->id, "C%lld", n);
	char num[24], us[24], at[24];
	snprintf(num, sizeof num, "%lld", n);
	snprintf(us, sizeof us, "%" PRId64, (int64_t)k->until);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[9] = {k->id,
	                    num,
	                    k->agreement,
	                    json_string_value(json_object_get(k->body, "purpose")),
	                    json_string_value(json_object_get(k->body, "scope")),
	                    json_string_value(json_object_get(k->body, "recipient")),
	                    us,
	                    k->who->user,
	                    at};
	st = db_exec(
	        t->c,
	        "INSERT INTO agreement_consents (id, num, agreement, purpose, scope, recipient, "
	        "valid_until, given_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
	        p, 9, NULL, e);
	char detail[96];
	snprintf(detail, sizeof detail, "{\"agreement\":\"%s\"}", k->agreement);
	/* A consent to other-purpose use is a decision: audited as one. */
	return st == ACD_OK ? audit(t, k->who, "consent.create", k->id, detail, e) : st;
}

int api_consent_create(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_agreement(rq, rp);
	if (!r)
		return rp->status;
	db_rows_free(r); /* visible to an operator means it is the party */
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400];
	struct new_consent k = {.who = &rq->who, .agreement = rq->params[0], .body = body};
	const char *purpose = json_string_value(json_object_get(body, "purpose"));
	const char *scope = json_string_value(json_object_get(body, "scope"));
	if (!form_check(body, consent_fields, NFIELDS(consent_fields), true, &field, msg,
	                sizeof msg))
		reply_error(rp, 400, "invalid", field, "%s", msg);
	else if (is_criminal_purpose(purpose) || is_criminal_purpose(scope))
		reply_error(rp, 400, "invalid", is_criminal_purpose(purpose) ? "purpose" : "scope",
		            "%s: other-purpose use is for cybersecurity only, never for criminal "
		            "investigation",
		            is_criminal_purpose(purpose) ? "purpose" : "scope");
	else if (form_time(body, "valid_until", &k.until) && k.until <= time_now())
		reply_error(rp, 400, "invalid", "valid_until", "valid_until: already past");
	else if (api_write(rq, rp, insert_consent, &k))
		reply_json(rp, 201,
		           json_pack("{s:s, s:s, s:s}", "id", k.id, "agreement", k.agreement,
		                     "status", "active"));
	json_decref(body);
	return rp->status;
}

int api_consent_list(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_agreement(rq, rp);
	if (!r)
		return rp->status;
	db_rows_free(r);
	const char *p[1] = {rq->params[0]};
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " CONSENT_COLUMNS " FROM agreement_consents WHERE agreement = $1 "
	             "ORDER BY num",
	             p, 1, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(items, consent_json(r, i));
	db_rows_free(r);
	if (api_audit_read(rq, "consent.list", rq->params[0], request_query(rq, "purpose"), NULL,
	                   &e) != ACD_OK) {
		json_decref(items);
		return api_store_error(rp, &e);
	}
	return reply_json(rp, 200,
	                  json_pack("{s:s, s:o}", "agreement", rq->params[0], "items", items));
}

int api_consent_withdraw(struct request *rq, struct reply *rp)
{
	struct db_rows *r = visible_agreement(rq, rp);
	if (!r)
		return rp->status;
	bool ok = may_withdraw(&rq->who, r);
	db_rows_free(r);
	const char *p[2] = {rq->params[1], rq->params[0]};
	struct acd_error e = {0};
	if (db_query(rq->c, "SELECT id FROM agreement_consents WHERE id = $1 AND agreement = $2", p,
	             2, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	int found = db_rows_count(r);
	db_rows_free(r);
	if (!found)
		return reply_error(rp, 404, "not_found", NULL, "no such consent");
	if (!ok)
		return reply_error(rp, 403, "forbidden", NULL,
		                   "only the operator party or an NCO analyst withdraws a consent");
	json_t *body = withdraw_body(rq, rp);
	if (!body)
		return rp->status;
	struct withdrawal w = {&rq->who,
	                       "agreement_consents",
	                       rq->params[1],
	                       rq->params[0],
	                       json_string_value(json_object_get(body, "reason")),
	                       "consent.withdraw"};
	if (api_write(rq, rp, withdraw, &w))
		reply_json(rp, 201,
		           json_pack("{s:s, s:s, s:s, s:s}", "id", w.id, "agreement", w.agreement,
		                     "status", "withdrawn", "withdrawn_by", rq->who.user));
	json_decref(body);
	return rp->status;
}
