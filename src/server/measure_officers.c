/*
 * measure_officers.c — the designation (指定) of the officers who may carry out access and
 * neutralization measures (アクセス・無害化措置): a police officer designated by the NPA
 * Commissioner (警察庁長官), or an SDF officer designated by the Minister of Defense, for a
 * period. Police officers of the NPA itself carry the `npa` flag: only they may act on a
 * computer abroad. Recorded by an admin or by the officer's own agency; each designation is
 * audited. A case may only name an officer designated at the time (measures.c). Whoever may
 * designate may also end a designation early (revoke, with a reason): from then on the officer
 * can be named on no new case and log no execution whose time is after the revocation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "measures.h"

static const char *const agencies[] = {"police", "sdf", NULL};

static const struct form_field officer_form[] = {
        {"user", FORM_TEXT, true, 31, NULL, NULL},
        {"agency", FORM_ENUM, true, 0, agencies, NULL},
        {"designated_by", FORM_TEXT, true, 200, NULL, NULL},
        {"npa", FORM_BOOL, false, 0, NULL, NULL},
        {"valid_from", FORM_TIME, true, 0, NULL, NULL},
        {"valid_until", FORM_TIME, true, 0, NULL, NULL},
};

struct designation {
	const struct principal *who;
	json_t *body;
	char id[24];
	int status;
	const char *field; /* the request field a refusal is about */
	char why[300];
};

static enum acd_status refuse_designation(struct designation *d, int status, const char *field,
                                          const char *msg, struct acd_error *e)
{
	d->status = status;
	d->field = field;
	snprintf(d->why, sizeof d->why, "%s", msg);
	return acd_fail(e, ACD_EINPUT, "%s: %s", field, msg);
}

static enum acd_status insert_designation(struct txn *t, void *arg, struct acd_error *e)
{
	struct designation *d = arg;
	const char *user = json_string_value(json_object_get(d->body, "user"));
	const char *agency = json_string_value(json_object_get(d->body, "agency"));
	bool npa = json_is_true(json_object_get(d->body, "npa"));
	const char *p1[1] = {user};
	struct db_rows *r;
	enum acd_status st =
	        db_query(t->c, "SELECT org, role, disabled FROM users WHERE id = $1", p1, 1, &r, e);
	if (st != ACD_OK)
		return st;
	char org[64] = "";
	bool officer = false;
	if (db_rows_count(r) == 1) {
		snprintf(org, sizeof org, "%s", db_rows_get(r, 0, 0));
		officer = strcmp(db_rows_get(r, 0, 1), "measures-officer") == 0 &&
		          strcmp(db_rows_get(r, 0, 2), "0") == 0;
	}
	db_rows_free(r);
	/* An agency designates its own people only; an unknown user and one of another agency
	 * read alike, so the answer does not tell the caller who exists elsewhere. */
	if (!org[0] || (d->who->role != ROLE_ADMIN && strcmp(org, d->who->org) != 0))
		return refuse_designation(d, 400, "user", "user: no such user in your agency", e);
	if (!officer)
		return refuse_designation(
		        d, 400, "user", "user: only an enabled measures-officer can be designated",
		        e);
	if (npa && strcmp(agency, "police") != 0)
		return refuse_designation(d, 400, "npa",
		                          "npa: only police officers can be NPA officers", e);
	acd_time from, until;
	form_time(d->body, "valid_from", &from);
	form_time(d->body, "valid_until", &until);
	if (until <= from)
		return refuse_designation(d, 400, "valid_until", "valid_until: after valid_from",
		                          e);
	long long n;
	if ((st = txn_next_number(t, "measure-officer", &n, e)) != ACD_OK)
		return st;
	snprintf(d->id, sizeof d->id, "D%lld", n);
	char fs[24], us[24], at[24];
	snprintf(fs, sizeof fs, "%" PRId64, (int64_t)from);
	snprintf(us, sizeof us, "%" PRId64, (int64_t)until);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[10] = {d->id,
	                     user,
	                     org,
	                     agency,
	                     json_string_value(json_object_get(d->body, "designated_by")),
	                     npa ? "1" : "0",
	                     fs,
	                     us,
	                     d->who->user,
	                     at};
	st = db_exec(t->c,
	             "INSERT INTO measure_officers (id, user_id, org, agency, designated_by, npa, "
	             "valid_from, valid_until, created_by, created_at) "
	             "VALUES ($1, $2, $3, $4, $5, CAST($6 AS INTEGER), $7, $8, $9, $10)",
	             p, 10, NULL, e);
	if (st != ACD_OK)
		return st;
	char detail[160];
	snprintf(detail, sizeof detail, "user=%s agency=%s npa=%d", user, agency, npa);
	struct audit_entry a = {
	        d->who->user, role_name(d->who->role), "measure.designate", d->id, NULL, detail};
	return txn_audit(t, &a, e);
}

int api_measure_officer_add(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field = NULL;
	char msg[256];
	if (!form_check(body, officer_form, sizeof officer_form / sizeof officer_form[0], true,
	                &field, msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
	} else {
		struct designation d = {.who = &rq->who, .body = body};
		struct acd_error e = {0};
		if (writer_run(rq->srv->writer, insert_designation, &d, &e) == ACD_OK)
			reply_json(rp, 201, json_pack("{s:s}", "id", d.id));
		else if (d.status)
			reply_error(rp, d.status, "invalid", d.field, "%s", d.why);
		else
			api_store_error(rp, &e);
	}
	json_decref(body);
	return rp->status;
}

int api_measure_officer_list(struct request *rq, struct reply *rp)
{
	/* Measures officers see their own agency's designations; the commission and admins all. */
	const char *org = rq->who.role == ROLE_MEASURES_OFFICER ? rq->who.org : NULL;
	const char *p[1] = {org};
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(
	            rq->c,
	            "SELECT id, user_id, org, agency, designated_by, npa, valid_from, valid_until, "
	            "created_by, created_at, revoked_at, revoked_by, revoke_reason "
	            "FROM measure_officers WHERE "
	            "(CAST($1 AS TEXT) IS NULL OR org = $1) ORDER BY created_at, id",
	            p, 1, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++) {
		json_t *o = json_pack(
		        "{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:s, s:o}", "id",
		        db_rows_get(r, i, 0), "user", db_rows_get(r, i, 1), "org",
		        db_rows_get(r, i, 2), "agency", db_rows_get(r, i, 3), "designated_by",
		        db_rows_get(r, i, 4), "npa", strcmp(db_rows_get(r, i, 5), "1") == 0,
		        "valid_from", api_time_json(db_rows_get(r, i, 6)), "valid_until",
		        api_time_json(db_rows_get(r, i, 7)), "created_by", db_rows_get(r, i, 8),
		        "created_at", api_time_json(db_rows_get(r, i, 9)));
		json_object_set_new(o, "revoked",
		                    db_rows_get(r, i, 10)
		                            ? json_pack("{s:o, s:s?, s:s?}", "at",
		                                        api_time_json(db_rows_get(r, i, 10)), "by",
		                                        db_rows_get(r, i, 11), "reason",
		                                        db_rows_get(r, i, 12))
		                            : json_null());
		json_array_append_new(items, o);
	}
	db_rows_free(r);
	return reply_json(rp, 200, json_pack("{s:o}", "items", items));
}

/* ── ending a designation early (指定の取消し) ── */

static const struct form_field revoke_form[] = {{"reason", FORM_TEXT, true, 2000, NULL, NULL}};

struct revocation {
	const struct principal *who;
	const char *id;
	const char *reason;
	int status;
	const char *field;
	char why[300];
};

static enum acd_status refuse_revocation(struct revocation *v, int status, const char *field,
                                         const char *msg, struct acd_error *e)
{
	v->status = status;
	v->field = field;
	snprintf(v->why, sizeof v->why, "%s", msg);
	return acd_fail(e, status == 404 ? ACD_ENOTFOUND : ACD_ECONFLICT, "%s", msg);
}

static enum acd_status revoke_designation(struct txn *t, void *arg, struct acd_error *e)
{
	struct revocation *v = arg;
	const char *p1[1] = {v->id};
	struct db_rows *r;
	enum acd_status st = db_query(
	        t->c, "SELECT org, valid_until, revoked_at FROM measure_officers WHERE id = $1", p1,
	        1, &r, e);
	if (st != ACD_OK)
		return st;
	bool found = db_rows_count(r) == 1 &&
	             (v->who->role == ROLE_ADMIN || strcmp(db_rows_get(r, 0, 0), v->who->org) == 0);
	bool revoked = found && db_rows_get(r, 0, 2);
	bool ended = found && strtoll(db_rows_get(r, 0, 1), NULL, 10) <= t->now;
	db_rows_free(r);
	/* Another agency's designation reads as absent (0013). */
	if (!found)
		return refuse_revocation(v, 404, NULL, "no such designation", e);
	if (revoked)
		return refuse_revocation(v, 409, "revoked", "revoked: already revoked", e);
	if (ended)
		return refuse_revocation(v, 409, "valid_until",
		                         "valid_until: the designation has already ended", e);
	char at[24];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *p[4] = {v->id, at, v->who->user, v->reason};
	st = db_exec(t->c,
	             "UPDATE measure_officers SET revoked_at = $2, revoked_by = $3, "
	             "revoke_reason = $4 WHERE id = $1",
	             p, 4, NULL, e);
	if (st != ACD_OK)
		return st;
	char detail[2100];
	snprintf(detail, sizeof detail, "reason=%s", v->reason);
	struct audit_entry a = {
	        v->who->user, role_name(v->who->role), "measure.revoke", v->id, NULL, detail};
	return txn_audit(t, &a, e);
}

int api_measure_officer_revoke(struct request *rq, struct reply *rp)
{
	json_t *body = request_json(rq, rp);
	if (!body)
		return rp->status;
	const char *field = NULL;
	char msg[256];
	if (!form_check(body, revoke_form, sizeof revoke_form / sizeof revoke_form[0], true, &field,
	                msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
	} else {
		struct revocation v = {.who = &rq->who,
		                       .id = rq->params[0],
		                       .reason =
		                               json_string_value(json_object_get(body, "reason"))};
		struct acd_error e = {0};
		if (writer_run(rq->srv->writer, revoke_designation, &v, &e) == ACD_OK)
			reply_json(rp, 200, json_pack("{s:s, s:b}", "id", v.id, "revoked", 1));
		else if (v.status)
			reply_error(rp, v.status, v.status == 404 ? "not_found" : "conflict",
			            v.field, "%s", v.why);
		else
			api_store_error(rp, &e);
	}
	json_decref(body);
	return rp->status;
}
