/*
 * measure_officers.c — the designation (指定) of the officers who may carry out access and
 * neutralization measures (アクセス・無害化措置): a police officer designated by the NPA
 * Commissioner (警察庁長官), or an SDF officer designated by the Minister of Defense, for a
 * period. Police officers of the NPA itself carry the `npa` flag: only they may act on a
 * computer abroad. Recorded by an admin or by the officer's own agency; each designation is
 * audited. A case may only name an officer designated at the time (measures.c).
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
	            "created_by, created_at FROM measure_officers WHERE "
	            "(CAST($1 AS TEXT) IS NULL OR org = $1) ORDER BY created_at, id",
	            p, 1, &r, &e) != ACD_OK)
		return api_store_error(rp, &e);
	json_t *items = json_array();
	for (int i = 0; i < db_rows_count(r); i++)
		json_array_append_new(
		        items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:s, s:o}", "id",
		                         db_rows_get(r, i, 0), "user", db_rows_get(r, i, 1), "org",
		                         db_rows_get(r, i, 2), "agency", db_rows_get(r, i, 3),
		                         "designated_by", db_rows_get(r, i, 4), "npa",
		                         strcmp(db_rows_get(r, i, 5), "1") == 0, "valid_from",
		                         api_time_json(db_rows_get(r, i, 6)), "valid_until",
		                         api_time_json(db_rows_get(r, i, 7)), "created_by",
		                         db_rows_get(r, i, 8), "created_at",
		                         api_time_json(db_rows_get(r, i, 9))));
	db_rows_free(r);
	return reply_json(rp, 200, json_pack("{s:o}", "items", items));
}
