/*
 * approvals.c — the commission's prior approval (事前承認) of acquisition measures: an analyst
 * files a request; the commission approves, rejects or asks for a revision (agreement
 * approvals: the office, i.e. another NCO analyst, on a recorded agreement); on approval acdd
 * writes the Contract 2 document and signs it — with the commission's key for the non-consent
 * kinds, the office's for `agreement`, and only then; revocation writes the signed REVOKE
 * document. Every step is an approval_event and an audit entry, so the commission sees the
 * whole history of each approval.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agreement_cover.h"
#include "api.h"
#include "approval.h"

#define APPROVAL_COLUMNS                                                                           \
	"id, kind, facility, selectors, justification, valid_from, valid_until, agreement_party, " \
	"state, requested_by, requested_at, decided_by, decided_at, document, sig, signer, "       \
	"revoked_at, revocation, revocation_sig"
enum {
	A_ID,
	A_KIND,
	A_FACILITY,
	A_SELECTORS,
	A_JUST,
	A_FROM,
	A_UNTIL,
	A_PARTY,
	A_STATE,
	A_REQ_BY,
	A_REQ_AT,
	A_DEC_BY,
	A_DEC_AT,
	A_DOC,
	A_SIG,
	A_SIGNER,
	A_REV_AT,
	A_REV,
	A_REV_SIG
};

/* The Contract 2 document for a request, keys in the contract's order; compact, so the signed
 * bytes are exactly what json_dumps gives for the same request. */
static json_t *approval_document(const char *id, json_t *req)
{
	json_t *doc = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "kind",
	                        json_object_get(req, "kind"), "facility",
	                        json_object_get(req, "facility"), "valid_from",
	                        json_object_get(req, "valid_from"), "valid_until",
	                        json_object_get(req, "valid_until"), "selectors",
	                        json_object_get(req, "selectors"));
	if (json_object_get(req, "agreement_party"))
		json_object_set(doc, "agreement_party", json_object_get(req, "agreement_party"));
	return doc;
}

/* The request field an approval-parser message is about: "approval: field 'selectors.value':
 * …" names it; the rule messages name it in their text. */
static const char *parser_field(const char *msg)
{
	static const char *const fields[] = {
	        "agreement_party", "selectors", "valid_until", "valid_from",
	        "facility",        "kind",      NULL};
	const char *f = strstr(msg, "field '");
	const char *from = f ? f + 7 : msg;
	for (int i = 0; fields[i]; i++)
		if (strncmp(from, fields[i], strlen(fields[i])) == 0 ||
		    (!f && strstr(msg, fields[i])))
			return fields[i];
	return NULL;
}

/* Checks a request the way the sensor will check the document (approval_parse is the
 * sensor's own parser), plus what only a request has. Fills a 400 reply on failure. */
static bool check_request(json_t *req, struct reply *rp)
{
	static const char *const keys[] = {
	        "kind",       "facility",    "selectors",       "justification",
	        "valid_from", "valid_until", "agreement_party", NULL};
	const char *key;
	json_t *v;
	json_object_foreach(req, key, v)
	{
		bool known = false;
		for (int i = 0; keys[i]; i++)
			known = known || strcmp(key, keys[i]) == 0;
		if (!known) {
			reply_error(rp, 400, "invalid", key,
			            "%s: not a field of an approval request", key);
			return false;
		}
	}
	const char *just = json_string_value(json_object_get(req, "justification"));
	if (!just || !*just || strlen(just) > 8000) {
		reply_error(rp, 400, "invalid", "justification",
		            "justification: required text, at most 8000 bytes");
		return false;
	}
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "valid_until" : "valid_from";
		acd_time t;
		const char *s = json_string_value(json_object_get(req, k));
		if (!s || !time_parse(s, &t)) {
			reply_error(rp, 400, "invalid", k, "%s: an RFC 3339 date-time", k);
			return false;
		}
	}
	json_t *doc = approval_document("APR-0000-0000", req);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	struct approval a;
	struct acd_error e = {0};
	enum acd_status st = approval_parse((const uint8_t *)text, strlen(text), &a, &e);
	free(text);
	if (st == ACD_OK) {
		st = approval_check_rules(&a, NULL, a.valid_from, NULL, &e);
		approval_free(&a);
	}
	if (st != ACD_OK) {
		reply_error(rp, 400, "invalid", parser_field(e.msg), "%s",
		            strncmp(e.msg, "approval APR-0000-0000: ", 24) == 0 ? e.msg + 24
		                                                                : e.msg);
		return false;
	}
	return true;
}

struct new_request {
	const struct principal *who;
	json_t *req;
	char id[32];
};

/* An approval's history; a reason is free text, so it stays out of the audit detail. */
static const struct history approval_history = {"approval_events", "approval", "reason", "approval",
                                                false};

/* Appends the next event of an approval's history, with its audit entry. */
static enum acd_status approval_event(struct txn *t, const struct principal *who, const char *id,
                                      const char *action, const char *reason, struct acd_error *e)
{
	return api_history_event(t, who, &approval_history, id, action, reason, e);
}

static enum acd_status insert_request(struct txn *t, void *arg, struct acd_error *e)
{
	struct new_request *nr = arg;
	acd_time from, until;
	time_parse(json_string_value(json_object_get(nr->req, "valid_from")), &from);
	time_parse(json_string_value(json_object_get(nr->req, "valid_until")), &until);
	char year[8], counter[32];
	time_t secs = (time_t)(t->now / ACD_USEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
	snprintf(counter, sizeof counter, "approval-%s", year);
	long long n;
	enum acd_status st = txn_next_number(t, counter, &n, e);
	if (st != ACD_OK)
		return st;
	snprintf(nr->id, sizeof nr->id, "APR-%s-%04lld", year, n);
	char *sel = json_dumps(json_object_get(nr->req, "selectors"), JSON_COMPACT);
	json_t *pj = json_object_get(nr->req, "agreement_party");
	char *party = pj ? json_dumps(pj, JSON_COMPACT) : NULL;
	char fs[24], us[24], at[24];
	snprintf(fs, sizeof fs, "%" PRId64, (int64_t)from);
	snprintf(us, sizeof us, "%" PRId64, (int64_t)until);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[10] = {nr->id,
	                     json_string_value(json_object_get(nr->req, "kind")),
	                     json_string_value(json_object_get(nr->req, "facility")),
	                     sel,
	                     json_string_value(json_object_get(nr->req, "justification")),
	                     fs,
	                     us,
	                     party,
	                     nr->who->user,
	                     at};
	st = db_exec(t->c,
	             "INSERT INTO approvals (id, kind, facility, selectors, justification, "
	             "valid_from, valid_until, agreement_party, state, requested_by, requested_at) "
	             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10)",
	             p, 10, NULL, e);
	free(sel);
	free(party);
	if (st != ACD_OK)
		return st;
	return approval_event(t, nr->who, nr->id, "request", NULL, e);
}

int api_approval_create(struct request *rq, struct reply *rp)
{
	json_t *req = request_json(rq, rp);
	if (!req)
		return rp->status;
	if (check_request(req, rp)) {
		struct new_request nr = {.who = &rq->who, .req = req};
		if (api_write(rq, rp, insert_request, &nr))
			reply_json(rp, 201,
			           json_pack("{s:s, s:s}", "id", nr.id, "state", "requested"));
	}
	json_decref(req);
	return rp->status;
}

static enum acd_status load_approval(struct db_conn *c, const char *id, struct db_rows **r,
                                     struct acd_error *e)
{
	const char *p[1] = {id};
	return db_query(c, "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE id = $1", p, 1, r, e);
}

/* An approval as the commission and analysts see it (documents are fetched separately). */
static json_t *approval_json(struct db_rows *r, int i)
{
	json_t *sel = json_loads(db_rows_get(r, i, A_SELECTORS), 0, NULL);
	const char *party = db_rows_get(r, i, A_PARTY);
	json_t *o = json_pack(
	        "{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:o, s:s?, s:o, s:s?, s:o}", "id",
	        db_rows_get(r, i, A_ID), "kind", db_rows_get(r, i, A_KIND), "facility",
	        db_rows_get(r, i, A_FACILITY), "selectors", sel ? sel : json_array(),
	        "justification", db_rows_get(r, i, A_JUST), "valid_from",
	        api_time_json(db_rows_get(r, i, A_FROM)), "valid_until",
	        api_time_json(db_rows_get(r, i, A_UNTIL)), "state", db_rows_get(r, i, A_STATE),
	        "requested_by", db_rows_get(r, i, A_REQ_BY), "requested_at",
	        api_time_json(db_rows_get(r, i, A_REQ_AT)), "decided_by",
	        db_rows_get(r, i, A_DEC_BY), "decided_at",
	        api_time_json(db_rows_get(r, i, A_DEC_AT)), "signer", db_rows_get(r, i, A_SIGNER),
	        "revoked_at", api_time_json(db_rows_get(r, i, A_REV_AT)));
	json_object_set_new(o, "agreement_party", party ? json_loads(party, 0, NULL) : json_null());
	return o;
}

int api_approval_list(struct request *rq, struct reply *rp)
{
	const char *state = request_query(rq, "state"), *kind = request_query(rq, "kind");
	const char *p[2] = {state, kind};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE "
	             "(CAST($1 AS TEXT) IS NULL OR state = $1) AND "
	             "(CAST($2 AS TEXT) IS NULL OR kind = $2) ORDER BY requested_at, id",
	             p, 2, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(items, approval_json(r, i));
	db_rows_free(r);
	return api_reply_audited(rq, rp, json_pack("{s:o}", "items", items), "approval.list", NULL,
	                         NULL, NULL);
}

int api_approval_get(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (load_approval(rq->c, rq->params[0], &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	if (db_rows_count(r) != 1) {
		db_rows_free(r);
		return reply_error(rp, 404, "not_found", NULL, "no such approval");
	}
	json_t *o = approval_json(r, 0);
	db_rows_free(r);
	const char *p[1] = {rq->params[0]};
	json_t *hist = json_array();
	if (db_query(rq->c,
	             "SELECT n, at, by_user, role, action, reason FROM approval_events WHERE "
	             "approval = $1 ORDER BY n",
	             p, 1, &r, &e) == ACD_OK) {
		for (int i = 0; i < db_rows_count(r); i++)
			json_array_append_new(hist, json_pack("{s:o, s:s, s:s, s:s, s:s?}", "at",
			                                      api_time_json(db_rows_get(r, i, 1)),
			                                      "by", db_rows_get(r, i, 2), "role",
			                                      db_rows_get(r, i, 3), "action",
			                                      db_rows_get(r, i, 4), "reason",
			                                      db_rows_get(r, i, 5)));
		db_rows_free(r);
	}
	json_object_set_new(o, "history", hist);
	return api_reply_audited(rq, rp, o, "approval.read", rq->params[0], NULL, NULL);
}

struct decision {
	const struct principal *who;
	const struct keys *keys;
	const char *id, *decision, *reason;
	int status;    /* an HTTP status when the decision is refused, else 0 */
	char why[300]; /* … and why */
};

/* Refuses the decision inside the transaction (nothing is written). */
static enum acd_status refuse(struct decision *d, int status, struct acd_error *e, const char *msg)
{
	d->status = status;
	snprintf(d->why, sizeof d->why, "%s", msg);
	return acd_fail(e, ACD_EINPUT, "decision: %s", msg);
}

/* For an agreement approval: a recorded, unwithdrawn agreement must cover every prefix of the
 * party over the whole validity window, checked now (the office signs only while it does). */
static bool party_covered(struct db_conn *c, const char *party_json, acd_time now, acd_time from,
                          acd_time until)
{
	json_t *party = json_loads(party_json ? party_json : "", 0, NULL);
	const char *op = json_string_value(json_object_get(party, "operator"));
	json_t *prefixes = json_object_get(party, "prefixes");
	bool ok = op && json_array_size(prefixes) > 0;
	size_t i;
	json_t *pfx;
	json_array_foreach(prefixes, i, pfx)
	{
		const char *cidr = json_string_value(pfx);
		ok = ok && cidr && agreement_covers(c, op, cidr, now) &&
		     agreement_covers(c, op, cidr, from > now ? from : now) &&
		     agreement_covers(c, op, cidr, until);
	}
	json_decref(party);
	return ok;
}

/* Approve: writes and signs the document. */
static enum acd_status sign_document(struct txn *t, struct decision *d, struct db_rows *r,
                                     struct acd_error *e)
{
	bool agreement = strcmp(db_rows_get(r, 0, A_KIND), "agreement") == 0;
	const uint8_t *sk = agreement ? d->keys->office_sk : d->keys->commission_sk;
	if (!(agreement ? d->keys->has_office : d->keys->has_commission))
		return refuse(d, 503, e, "the signing key is not installed on this server");
	if (agreement && !party_covered(t->c, db_rows_get(r, 0, A_PARTY), t->now,
	                                strtoll(db_rows_get(r, 0, A_FROM), NULL, 10),
	                                strtoll(db_rows_get(r, 0, A_UNTIL), NULL, 10)))
		return refuse(
		        d, 409, e,
		        "no recorded, unwithdrawn agreement covers the party's prefixes for the "
		        "whole validity period");
	json_t *req = json_pack("{s:s, s:s, s:o, s:o, s:o}", "kind", db_rows_get(r, 0, A_KIND),
	                        "facility", db_rows_get(r, 0, A_FACILITY), "valid_from",
	                        api_time_json(db_rows_get(r, 0, A_FROM)), "valid_until",
	                        api_time_json(db_rows_get(r, 0, A_UNTIL)), "selectors",
	                        json_loads(db_rows_get(r, 0, A_SELECTORS), 0, NULL));
	if (agreement)
		json_object_set_new(req, "agreement_party",
		                    json_loads(db_rows_get(r, 0, A_PARTY), 0, NULL));
	json_t *doc = approval_document(d->id, req);
	json_decref(req);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	char sig[128], at[24];
	sig_sign_b64((const uint8_t *)text, strlen(text), sk, sig, sizeof sig);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[6] = {d->id, d->who->user, at,
	                    text,  sig,          agreement ? "office" : "commission"};
	enum acd_status st = db_exec(t->c,
	                             "UPDATE approvals SET state = 'approved', decided_by = $2, "
	                             "decided_at = $3, document = $4, sig = $5, signer = $6 "
	                             "WHERE id = $1",
	                             p, 6, NULL, e);
	free(text);
	return st;
}

static enum acd_status decide(struct txn *t, void *arg, struct acd_error *e)
{
	struct decision *d = arg;
	struct db_rows *r;
	enum acd_status st = load_approval(t->c, d->id, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) != 1) {
		db_rows_free(r);
		return refuse(d, 404, e, "no such approval");
	}
	bool agreement = strcmp(db_rows_get(r, 0, A_KIND), "agreement") == 0;
	if (strcmp(db_rows_get(r, 0, A_STATE), "requested") != 0)
		st = refuse(d, 409, e, "only a request in state 'requested' can be decided");
	else if (d->who->role == ROLE_ANALYST && !agreement)
		st = refuse(
		        d, 403, e,
		        "only the commission approves non-consent acquisition (foreign-foreign, "
		        "foreign-domestic)");
	else if (d->who->role == ROLE_COMMISSION && agreement)
		st = refuse(d, 403, e,
		            "agreement approvals are issued by the office on a recorded agreement");
	else if (strcmp(db_rows_get(r, 0, A_REQ_BY), d->who->user) == 0)
		st = refuse(d, 403, e, "a request is decided by someone other than its requester");
	else if (strcmp(d->decision, "approve") == 0)
		st = sign_document(t, d, r, e);
	else {
		char at[24];
		snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
		const char *p[4] = {d->id,
		                    strcmp(d->decision, "reject") == 0 ? "rejected" : "revise",
		                    d->who->user, at};
		st = db_exec(t->c,
		             "UPDATE approvals SET state = $2, decided_by = $3, decided_at = $4 "
		             "WHERE id = $1",
		             p, 4, NULL, e);
	}
	db_rows_free(r);
	if (st != ACD_OK)
		return st;
	return approval_event(t, d->who, d->id, d->decision, d->reason, e);
}

int api_approval_decide(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *dec = json_string_value(json_object_get(body, "decision"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	json_t *rj = json_object_get(body, "reason");
	if (!dec || (strcmp(dec, "approve") && strcmp(dec, "reject") && strcmp(dec, "revise")))
		reply_error(rp, 400, "invalid", "decision", "decision: approve, reject or revise");
	else if ((rj && !json_is_string(rj)) || (strcmp(dec, "approve") && (!reason || !*reason)))
		reply_error(rp, 400, "invalid", "reason",
		            "reason: text, required to reject or ask for a revision");
	else if (json_object_size(body) > (size_t)(rj ? 2 : 1))
		reply_error(rp, 400, "invalid", NULL, "only decision and reason may be given");
	else {
		struct decision d = {&rq->who, &rq->srv->keys, rq->params[0], dec, reason, 0, ""};
		struct acd_error e = {0};
		if (writer_run(rq->srv->writer, decide, &d, &e) == ACD_OK)
			reply_json(rp, 200,
			           json_pack("{s:s, s:s}", "id", d.id, "state",
			                     strcmp(dec, "approve") == 0  ? "approved"
			                     : strcmp(dec, "reject") == 0 ? "rejected"
			                                                  : "revise"));
		else if (d.status)
			reply_error(rp, d.status, d.status == 404 ? "not_found" : "conflict", NULL,
			            "%s", d.why);
		else
			api_store_error(rp, &e);
	}
	json_decref(body);
	return rp->status;
}

int api_approval_document(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (load_approval(rq->c, rq->params[0], &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	bool found = db_rows_count(r) == 1 && db_rows_get(r, 0, A_DOC);
	json_t *o = found ? json_pack("{s:s, s:s}", "json", db_rows_get(r, 0, A_DOC), "sig",
	                              db_rows_get(r, 0, A_SIG))
	                  : NULL;
	db_rows_free(r);
	if (!found)
		return reply_error(rp, 404, "not_found", NULL,
		                   "no signed document for this approval");
	return reply_json(rp, 200, o);
}

struct revocation_job {
	const struct principal *who;
	const struct keys *keys;
	const char *id, *reason;
	int status;
	char why[300];
	char *json, sig[128];
};

static enum acd_status revoke(struct txn *t, void *arg, struct acd_error *e)
{
	struct revocation_job *j = arg;
	struct db_rows *r;
	enum acd_status st = load_approval(t->c, j->id, &r, e);
	if (st != ACD_OK)
		return st;
	bool found = db_rows_count(r) == 1;
	bool agreement = found && strcmp(db_rows_get(r, 0, A_KIND), "agreement") == 0;
	bool approved = found && strcmp(db_rows_get(r, 0, A_STATE), "approved") == 0;
	db_rows_free(r);
	const char *why = !found      ? "no such approval"
	                  : !approved ? "only an approved, unrevoked approval can be revoked"
	                  : (j->who->role == ROLE_ANALYST && !agreement)
	                          ? "only the commission revokes non-consent approvals"
	                          : NULL;
	if (why) {
		j->status = !found ? 404 : !approved ? 409 : 403;
		snprintf(j->why, sizeof j->why, "%s", why);
		return acd_fail(e, ACD_EINPUT, "revoke: %s", why);
	}
	/* The revocation is signed by the key that signed the approval (Contract 2). */
	const uint8_t *sk = agreement ? j->keys->office_sk : j->keys->commission_sk;
	char at[TIME_STRLEN], ats[24];
	time_format(t->now, at, sizeof at);
	json_t *doc = json_pack("{s:s, s:s}", "revokes", j->id, "at", at);
	j->json = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	sig_sign_b64((const uint8_t *)j->json, strlen(j->json), sk, j->sig, sizeof j->sig);
	snprintf(ats, sizeof ats, "%" PRId64, (int64_t)t->now);
	const char *p[4] = {j->id, ats, j->json, j->sig};
	st = db_exec(t->c,
	             "UPDATE approvals SET state = 'revoked', revoked_at = $2, revocation = $3, "
	             "revocation_sig = $4 WHERE id = $1",
	             p, 4, NULL, e);
	if (st != ACD_OK)
		return st;
	return approval_event(t, j->who, j->id, "revoke", j->reason, e);
}

int api_approval_revoke(struct request *rq, struct reply *rp)
{
	const char *reason = NULL;
	json_t *body = NULL;
	if (rq->body_len > 0) {
		body = request_json(rq, rp);
		if (!body)
			return rp->status;
		reason = json_string_value(json_object_get(body, "reason"));
	}
	struct revocation_job j = {&rq->who, &rq->srv->keys, rq->params[0], reason, 0, "", NULL,
	                           ""};
	struct acd_error e = {0};
	if (writer_run(rq->srv->writer, revoke, &j, &e) == ACD_OK)
		reply_json(rp, 200, json_pack("{s:s, s:s}", "json", j.json, "sig", j.sig));
	else if (j.status)
		reply_error(rp, j.status,
		            j.status == 404   ? "not_found"
		            : j.status == 403 ? "forbidden"
		                              : "conflict",
		            NULL, "%s", j.why);
	else
		api_store_error(rp, &e);
	free(j.json);
	json_decref(body);
	return rp->status;
}

int api_approval_revocation(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (load_approval(rq->c, rq->params[0], &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	bool found = db_rows_count(r) == 1 && db_rows_get(r, 0, A_REV);
	json_t *o = found ? json_pack("{s:s, s:s}", "json", db_rows_get(r, 0, A_REV), "sig",
	                              db_rows_get(r, 0, A_REV_SIG))
	                  : NULL;
	db_rows_free(r);
	if (!found)
		return reply_error(rp, 404, "not_found", NULL, "this approval is not revoked");
	return reply_json(rp, 200, o);
}

int api_keys(struct request *rq, struct reply *rp)
{
	const struct keys *k = &rq->srv->keys;
	char c[64], o[64];
	b64_encode(k->commission_pk, sizeof k->commission_pk, c, sizeof c);
	b64_encode(k->office_pk, sizeof k->office_pk, o, sizeof o);
	return reply_json(rp, 200,
	                  json_pack("{s:s?, s:s?}", "commission", k->has_commission ? c : NULL,
	                            "office", k->has_office ? o : NULL));
}
