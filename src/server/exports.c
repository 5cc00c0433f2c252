/*
 * exports.c — other-purpose use (他目的利用) of selected communications information: giving
 * records out for a purpose other than the approval's. DOMAIN.md §2 and the Basic Policy allow
 * it only
 *   - for cybersecurity, within a recorded, specific consent of the agreement party that
 *     names this purpose and this recipient, with a written-terms document (書面) agreed with
 *     the recipient that fixes purpose and scope; a foreign recipient must also have
 *     confirmed the handling measures (§5);
 *   - under another law only where that law makes provision mandatory (the basis recorded);
 * never for criminal investigation. Everything else is refused with a reason.
 *
 * Every request is a decision: granted or refused, it is stored in `exports` and audited in
 * the same transaction — a refusal changes nothing else. A granted export returns the records
 * once; what was given is not copied anywhere (the row keeps counts and references).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreement_cover.h"
#include "api.h"
#include "form.h"
#include "record_chunks.h"

static const char *const recipient_kinds[] = {"domestic", "foreign", NULL};
static const char *const known_classes[] = {"cybersecurity", "other-law", "criminal-investigation",
                                            NULL};

/* The optional parts are checked in check_parts, where an absent one is a refusal and a
 * malformed one the caller's mistake; here they need only be known fields. */
static bool any_value(json_t *v, char *msg, size_t len)
{
	(void)v, (void)msg, (void)len;
	return true;
}

static const struct form_field export_fields[] = {
        {"approval", FORM_TEXT, true, 64, NULL, NULL},
        {"purpose_class", FORM_TEXT, true, 64, NULL, NULL},
        {"purpose", FORM_TEXT, true, 500, NULL, NULL},
        {"recipient", FORM_TEXT, true, 200, NULL, NULL},
        {"recipient_kind", FORM_ENUM, true, 0, recipient_kinds, NULL},
        {"legal_basis", FORM_CUSTOM, false, 0, NULL, any_value},
        {"terms_document", FORM_CUSTOM, false, 0, NULL, any_value},
        {"records", FORM_CUSTOM, false, 0, NULL, any_value},
};

struct export_req {
	const struct principal *who;
	json_t *body;
	const char *approval, *purpose_class, *purpose, *recipient, *recipient_kind;
	long long after, limit;
	/* results */
	char id[32];
	const char *refused_field; /* NULL when granted */
	char reason[300];
	char consent[64];
	json_t *records;
	char next[24];
};

static enum acd_status refuse(struct export_req *x, const char *field, const char *reason)
{
	x->refused_field = field;
	snprintf(x->reason, sizeof x->reason, "%s", reason);
	return ACD_OK;
}

/* The agreement party of the approval (NULL when it has none: a non-consent kind). */
static enum acd_status approval_party(struct txn *t, const char *approval, char party[64],
                                      struct acd_error *e)
{
	const char *p[1] = {approval};
	struct db_rows *r;
	enum acd_status st =
	        db_query(t->c, "SELECT agreement_party FROM approvals WHERE id = $1", p, 1, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) != 1) {
		db_rows_free(r);
		return acd_fail(e, ACD_ENOTFOUND, "approval: no such approval");
	}
	json_t *ap = db_rows_get(r, 0, 0) ? json_loads(db_rows_get(r, 0, 0), 0, NULL) : NULL;
	const char *op = json_string_value(json_object_get(ap, "operator"));
	snprintf(party, 64, "%s", op ? op : "");
	json_decref(ap);
	db_rows_free(r);
	return ACD_OK;
}

/* The consent that covers the use (its id in x->consent), found the way consent_covers
 * decides, so the row records which consent it relied on. */
static enum acd_status find_consent(struct txn *t, struct export_req *x, const char *party,
                                    struct acd_error *e)
{
	x->consent[0] = '\0';
	if (!consent_covers(t->c, party, x->purpose, x->recipient, t->now))
		return ACD_OK;
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)t->now);
	const char *p[4] = {party, x->purpose, x->recipient, now};
	struct db_rows *r;
	enum acd_status st = db_query(
	        t->c,
	        "SELECT k.id FROM agreement_consents k JOIN agreements a ON a.id = k.agreement "
	        "WHERE a.operator = $1 AND k.purpose = $2 AND k.recipient = $3 AND "
	        "k.withdrawn_at IS NULL AND k.created_at <= CAST($4 AS BIGINT) AND "
	        "CAST($4 AS BIGINT) < k.valid_until ORDER BY k.num DESC",
	        p, 4, &r, e);
	if (st != ACD_OK)
		return st;
	snprintf(x->consent, sizeof x->consent, "%s",
	         db_rows_count(r) ? db_rows_get(r, 0, 0) : "covered");
	db_rows_free(r);
	return ACD_OK;
}

/* Applies the rules in the order the law puts them; fills x->refused_field and x->reason on
 * refusal. */
static enum acd_status decide(struct txn *t, struct export_req *x, struct acd_error *e)
{
	char party[64];
	enum acd_status st = approval_party(t, x->approval, party, e);
	if (st != ACD_OK)
		return st;
	if (strcmp(x->purpose_class, "criminal-investigation") == 0 ||
	    is_criminal_purpose(x->purpose))
		return refuse(
		        x,
		        strcmp(x->purpose_class, "criminal-investigation") ? "purpose"
		                                                           : "purpose_class",
		        "selected information is never used for criminal investigation (犯罪捜査)");
	if (strcmp(x->purpose_class, "other-law") == 0) {
		json_t *lb = json_object_get(x->body, "legal_basis");
		if (!lb)
			return refuse(x, "legal_basis",
			              "a request under another law needs its legal basis recorded");
		if (!json_is_true(json_object_get(lb, "mandatory")))
			return refuse(
			        x, "legal_basis",
			        "under another law, communications information is provided only "
			        "when that law makes provision mandatory");
		return ACD_OK;
	}
	if (strcmp(x->purpose_class, "cybersecurity") != 0)
		return refuse(
		        x, "purpose_class",
		        "other-purpose use is allowed only for cybersecurity within the agreement "
		        "party's consent, or under a law that makes provision mandatory");
	if (!party[0])
		return refuse(
		        x, "approval",
		        "the approval is not under an agreement: no party could have consented "
		        "to other-purpose use of what it selected");
	if ((st = find_consent(t, x, party, e)) != ACD_OK)
		return st;
	if (!x->consent[0]) {
		char why[300];
		snprintf(why, sizeof why,
		         "no consent of the agreement party %s in force covers this purpose and "
		         "recipient",
		         party);
		return refuse(x, "consent", why);
	}
	json_t *terms = json_object_get(x->body, "terms_document");
	if (!terms)
		return refuse(
		        x, "terms_document",
		        "no written-terms document with the recipient fixes purpose and scope");
	if (strcmp(x->recipient_kind, "foreign") == 0 &&
	    !json_is_true(json_object_get(terms, "handling_measures_confirmed")))
		return refuse(x, "terms_document",
		              "a foreign recipient must confirm the required handling measures");
	return ACD_OK;
}

/* The records the granted export gives, one page as the read API pages them. */
static enum acd_status take_records(struct txn *t, struct export_req *x, struct acd_error *e)
{
	long long last;
	enum acd_status st =
	        record_chunks_page(t->c, x->approval, x->after, x->limit, &x->records, &last, e);
	if (st != ACD_OK)
		return st;
	if ((long long)json_array_size(x->records) == x->limit)
		snprintf(x->next, sizeof x->next, "%lld", last);
	else
		x->next[0] = '\0';
	return ACD_OK;
}

static char *dump_member(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static enum acd_status record_decision(struct txn *t, struct export_req *x, struct acd_error *e)
{
	long long num;
	enum acd_status st = txn_next_number(t, "export", &num, e);
	if (st != ACD_OK)
		return st;
	snprintf(x->id, sizeof x->id, "EXP-%lld", num);
	char nums[24], at[24], nrec[24];
	snprintf(nums, sizeof nums, "%lld", num);
	snprintf(at, sizeof at, "%lld", (long long)t->now);
	snprintf(nrec, sizeof nrec, "%zu", x->records ? json_array_size(x->records) : 0);
	const char *cls = form_one_of(x->purpose_class, known_classes) ? x->purpose_class : "other";
	char *lb = dump_member(x->body, "legal_basis"),
	     *terms = dump_member(x->body, "terms_document");
	const char *p[15] = {x->id,
	                     nums,
	                     at,
	                     x->who->user,
	                     x->approval,
	                     cls,
	                     x->purpose,
	                     x->recipient,
	                     x->recipient_kind,
	                     lb,
	                     terms,
	                     x->consent[0] ? x->consent : NULL,
	                     x->refused_field ? "refused" : "granted",
	                     x->refused_field ? x->reason : NULL,
	                     nrec};
	st = db_exec(t->c,
	             "INSERT INTO exports (id, num, at, by_user, approval, purpose_class, purpose, "
	             "recipient, recipient_kind, legal_basis, terms, consent, decision, reason, "
	             "records) "
	             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
	             p, 15, NULL, e);
	free(lb);
	free(terms);
	if (st != ACD_OK)
		return st;
	/* The audit entry names the decision, the purpose and the counts, never the records. */
	char detail[400];
	json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:s?, s:s?}", "approval", x->approval, "class",
	                      cls, "recipient_kind", x->recipient_kind, "records",
	                      (json_int_t)(x->records ? json_array_size(x->records) : 0), "refused",
	                      x->refused_field, "consent", x->consent[0] ? x->consent : NULL);
	char *ds = json_dumps(d, JSON_COMPACT);
	snprintf(detail, sizeof detail, "%s", ds ? ds : "{}");
	free(ds);
	json_decref(d);
	struct audit_entry a = {x->who->user,
	                        role_name(x->who->role),
	                        x->refused_field ? "export.refused" : "export.granted",
	                        x->id,
	                        x->purpose,
	                        detail};
	return txn_audit(t, &a, e);
}

static enum acd_status export_txn(struct txn *t, void *arg, struct acd_error *e)
{
	struct export_req *x = arg;
	x->refused_field = NULL;
	json_decref(x->records);
	x->records = NULL;
	enum acd_status st = decide(t, x, e);
	if (st == ACD_OK && !x->refused_field)
		st = take_records(t, x, e);
	if (st == ACD_OK)
		st = record_decision(t, x, e);
	return st;
}

/* Shape checks of the optional parts: a malformed document is the caller's mistake (400),
 * an absent one is a refusal (the rules decide). */
static bool check_parts(json_t *body, struct export_req *x, const char **field, char *msg,
                        size_t len)
{
	json_t *lb = json_object_get(body, "legal_basis");
	json_t *terms = json_object_get(body, "terms_document");
	json_t *recs = json_object_get(body, "records");
	if (lb && (!json_is_object(lb) || !json_string_length(json_object_get(lb, "law")) ||
	           !json_string_length(json_object_get(lb, "article")) ||
	           !json_is_boolean(json_object_get(lb, "mandatory")))) {
		*field = "legal_basis";
		snprintf(msg, len, "legal_basis: {law, article, mandatory: true|false}");
		return false;
	}
	acd_time date;
	if (terms &&
	    (!json_is_object(terms) || !json_string_length(json_object_get(terms, "reference")) ||
	     !form_time(terms, "date", &date))) {
		*field = "terms_document";
		snprintf(msg, len, "terms_document: {reference, date (RFC 3339), …}");
		return false;
	}
	json_t *after = json_object_get(recs, "after"), *limit = json_object_get(recs, "limit");
	x->after = json_is_integer(after) ? json_integer_value(after) : 0;
	x->limit = json_is_integer(limit) ? json_integer_value(limit) : 1000;
	if ((recs && !json_is_object(recs)) || (after && !json_is_integer(after)) ||
	    (limit && !json_is_integer(limit)) || x->after < 0 || x->limit < 1 || x->limit > 5000) {
		*field = "records";
		snprintf(msg, len, "records: {after: the cursor, limit: 1-5000}");
		return false;
	}
	return true;
}

int api_export_create(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field;
	char msg[400];
	struct export_req x = {.who = &rq->who, .body = body};
	x.approval = json_string_value(json_object_get(body, "approval"));
	x.purpose_class = json_string_value(json_object_get(body, "purpose_class"));
	x.purpose = json_string_value(json_object_get(body, "purpose"));
	x.recipient = json_string_value(json_object_get(body, "recipient"));
	x.recipient_kind = json_string_value(json_object_get(body, "recipient_kind"));
	if (!form_check(body, export_fields, sizeof export_fields / sizeof export_fields[0], true,
	                &field, msg, sizeof msg) ||
	    !check_parts(body, &x, &field, msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
	} else if (api_write(rq, rp, export_txn, &x)) {
		if (x.refused_field) {
			json_t *err =
			        json_pack("{s:s, s:s, s:s, s:s}", "error", "refused", "message",
			                  x.reason, "field", x.refused_field, "export", x.id);
			reply_json(rp, 403, err);
		} else {
			reply_json(rp, 201,
			           json_pack("{s:s, s:s, s:s, s:s, s:O, s:s?, s:s}", "id", x.id,
			                     "decision", "granted", "purpose", x.purpose,
			                     "recipient", x.recipient, "records", x.records, "next",
			                     x.next[0] ? x.next : NULL, "label",
			                     "selected-communications-information"));
		}
	}
	json_decref(x.records);
	json_decref(body);
	return rp->status;
}

int api_export_list(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c,
	             "SELECT id, at, by_user, approval, purpose_class, purpose, recipient, "
	             "recipient_kind, legal_basis, terms, consent, decision, reason, records FROM "
	             "exports ORDER BY num",
	             NULL, 0, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++) {
		const char *lb = db_rows_get(r, i, 8), *terms = db_rows_get(r, i, 9);
		json_array_append_new(
		        items,
		        json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s?, s:s, "
		                  "s:s?, "
		                  "s:I}",
		                  "id", db_rows_get(r, i, 0), "at",
		                  api_time_json(db_rows_get(r, i, 1)), "by", db_rows_get(r, i, 2),
		                  "approval", db_rows_get(r, i, 3), "purpose_class",
		                  db_rows_get(r, i, 4), "purpose", db_rows_get(r, i, 5),
		                  "recipient", db_rows_get(r, i, 6), "recipient_kind",
		                  db_rows_get(r, i, 7), "legal_basis",
		                  lb ? json_loads(lb, 0, NULL) : json_null(), "terms_document",
		                  terms ? json_loads(terms, 0, NULL) : json_null(), "consent",
		                  db_rows_get(r, i, 10), "decision", db_rows_get(r, i, 11),
		                  "reason", db_rows_get(r, i, 12), "records",
		                  (json_int_t)strtoll(db_rows_get(r, i, 13), NULL, 10)));
	}
	db_rows_free(r);
	return api_reply_audited(rq, rp, json_pack("{s:o}", "items", items), "export.list", NULL,
	                         NULL, NULL);
}
