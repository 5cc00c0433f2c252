/*
 * measure_steps.c — every step of an access and neutralization measure (アクセス・無害化措置)
 * after filing, each a check of the case's state and preconditions and, only when they hold,
 * one change plus its event and audit entry in the same transaction; a refusal names the
 * missing precondition and changes nothing.
 *
 *   open ──approval-request──▶ requested ──decision approve──▶ approved ──execution──▶ executing
 *     │                            │       └─decision reject──▶ rejected (outcome rejected)
 *     │ (urgent only) ─execution───┴──────────────────────────────────────▶ executing
 *     └─withdraw (open, requested)──▶ withdrawn          approved ──close──▶ closed (unexecuted)
 *   executing ──close (administrator notice or its reason recorded, and the commission's
 *               notice when executed without approval)──▶ closed (outcome executed)
 *   after a notice afterwards, in any state: the commission's response (acknowledged or an
 *   objection with its reason), once
 *
 * Preconditions of an execution: the commission's prior approval (事前承認), or urgency — then
 * the commission is notified afterwards (事後通知) within the configured period from the first
 * execution; for a computer abroad the prior consultation with the Foreign Minister (外務大臣
 * との事前協議) recorded; the officer still designated. These are records: acdd performs no
 * action on any computer.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "measures.h"

/* Clocks of agencies and acdd differ a little; a log entry further ahead than this is wrong. */
#define CLOCK_SKEW (5 * 60 * ACD_USEC)

struct step;
typedef enum acd_status (*step_fn)(struct txn *t, struct step *s, struct db_rows *r,
                                   struct acd_error *e);

struct step {
	const struct principal *who;
	const struct config *cfg;
	const char *id;
	json_t *body;
	step_fn fn;
	int status;        /* an HTTP status when refused, else 0 */
	const char *field; /* the field or precondition a refusal names */
	char why[300];
	char detail[300]; /* for the event and the audit entry */
	const char *event;
	char state[16]; /* the state after the step */
};

static enum acd_status refuse(struct step *s, int status, const char *field, struct acd_error *e,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum acd_status refuse(struct step *s, int status, const char *field, struct acd_error *e,
                              const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	s->status = status;
	s->field = field;
	return acd_fail(e, ACD_ECONFLICT, "%s", s->why);
}

static bool is(struct db_rows *r, int col, const char *value)
{
	const char *v = db_rows_get(r, 0, col);
	return v && strcmp(v, value) == 0;
}

static acd_time col_time(struct db_rows *r, int col)
{
	const char *v = db_rows_get(r, 0, col);
	return v ? (acd_time)strtoll(v, NULL, 10) : 0;
}

/* Sets the columns named in `set` ("state = $2, …") of the case; $1 is the id. */
static enum acd_status update(struct txn *t, struct step *s, const char *set, const char *const *v,
                              int n, struct acd_error *e)
{
	char sql[512];
	const char *p[8] = {s->id};
	for (int i = 0; i < n && i < 7; i++)
		p[i + 1] = v[i];
	snprintf(sql, sizeof sql, "UPDATE measures SET %s WHERE id = $1", set);
	return db_exec(t->c, sql, p, n + 1, NULL, e);
}

static void fmt_time(acd_time at, char out[24])
{
	snprintf(out, 24, "%" PRId64, (int64_t)at);
}

/* A time the caller gives for something that happened: not ahead of acdd's clock. */
static enum acd_status past_time(struct txn *t, struct step *s, const char *name, acd_time *at,
                                 struct acd_error *e)
{
	if (!form_time(s->body, name, at))
		*at = t->now;
	if (*at > t->now + CLOCK_SKEW)
		return refuse(s, 400, name, e, "%s: in the future", name);
	return ACD_OK;
}

/* Drops a UTF-8 sequence that truncating `s` to its buffer cut short, so the history and the
 * audit log keep valid text (a long reason is kept whole in its own column). */
static void trim_utf8(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (i - 1 + want > n)
		s[i - 1] = '\0';
}

static enum acd_status step_txn(struct txn *t, void *arg, struct acd_error *e)
{
	struct step *s = arg;
	struct db_rows *r;
	enum acd_status st = measure_load(t->c, s->id, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) != 1 || !measure_visible(s->who, db_rows_get(r, 0, M_ORG)))
		st = refuse(s, 404, NULL, e, "no such measure");
	else
		st = s->fn(t, s, r, e);
	db_rows_free(r);
	if (st != ACD_OK)
		return st;
	trim_utf8(s->detail);
	return measure_event(t, s->who, s->id, s->event, s->detail[0] ? s->detail : NULL, e);
}

/* Checks the body against the form, runs the step, replies {id, state} or the refusal. */
static int run_step(struct request *rq, struct reply *rp, const struct form_field *form,
                    size_t nform, step_fn fn, const char *event)
{
	json_t *body = rq->body_len > 0 ? request_json(rq, rp) : json_object();
	if (!body)
		return rp->status;
	const char *field = NULL;
	char msg[300];
	if (!form_check(body, form, nform, true, &field, msg, sizeof msg)) {
		reply_error(rp, 400, "invalid", field, "%s", msg);
		json_decref(body);
		return rp->status;
	}
	struct step s = {.who = &rq->who,
	                 .cfg = &rq->srv->cfg,
	                 .id = rq->params[0],
	                 .body = body,
	                 .fn = fn,
	                 .event = event};
	struct acd_error e = {0};
	if (writer_run(rq->srv->writer, step_txn, &s, &e) == ACD_OK)
		reply_json(rp, 200, json_pack("{s:s, s:s}", "id", s.id, "state", s.state));
	else if (s.status)
		reply_error(rp, s.status,
		            s.status == 404   ? "not_found"
		            : s.status == 403 ? "forbidden"
		            : s.status == 400 ? "invalid"
		                              : "conflict",
		            s.field, "%s", s.why);
	else
		api_store_error(rp, &e);
	json_decref(body);
	return rp->status;
}

/* ── approval request and decision (事前承認) ── */

static enum acd_status approval_request(struct txn *t, struct step *s, struct db_rows *r,
                                        struct acd_error *e)
{
	if (!is(r, M_STATE, "open"))
		return refuse(
		        s, 409, "state", e,
		        "state: approval can be requested only for an open case (this one is %s)",
		        db_rows_get(r, 0, M_STATE));
	const char *v[1] = {"requested"};
	snprintf(s->state, sizeof s->state, "requested");
	const char *note = json_string_value(json_object_get(s->body, "note"));
	snprintf(s->detail, sizeof s->detail, "%s", note ? note : "");
	return update(t, s, "state = $2", v, 1, e);
}

static const struct form_field note_form[] = {{"note", FORM_TEXT, false, 2000, NULL, NULL}};

int api_measure_approval_request(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, note_form, 1, approval_request, "approval-request");
}

static enum acd_status decide(struct txn *t, struct step *s, struct db_rows *r, struct acd_error *e)
{
	if (!is(r, M_STATE, "requested"))
		return refuse(
		        s, 409, "state", e,
		        "state: only a case awaiting approval can be decided (this one is %s)",
		        db_rows_get(r, 0, M_STATE));
	bool approve =
	        strcmp(json_string_value(json_object_get(s->body, "decision")), "approve") == 0;
	const char *reason = json_string_value(json_object_get(s->body, "reason"));
	if (!approve && !reason)
		return refuse(s, 400, "reason", e, "reason: required to reject");
	char at[24];
	fmt_time(t->now, at);
	snprintf(s->state, sizeof s->state, "%s", approve ? "approved" : "rejected");
	snprintf(s->detail, sizeof s->detail, "%s%s%s", s->state, reason ? ": " : "",
	         reason ? reason : "");
	const char *v[4] = {s->state, s->who->user, at, reason};
	if (approve)
		return update(t, s,
		              "state = $2, decided_by = $3, decided_at = $4, decision_reason = $5",
		              v, 4, e);
	return update(t, s,
	              "state = $2, decided_by = $3, decided_at = $4, decision_reason = $5, "
	              "outcome = 'rejected', outcome_at = $4",
	              v, 4, e);
}

static const char *const decisions[] = {"approve", "reject", NULL};
static const struct form_field decision_form[] = {{"decision", FORM_ENUM, true, 0, decisions, NULL},
                                                  {"reason", FORM_TEXT, false, 4000, NULL, NULL}};

int api_measure_decide(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, decision_form, 2, decide, "decision");
}

/* ── prior consultation with the Foreign Minister (外務大臣との事前協議) ── */

static bool settled(struct db_rows *r)
{
	return is(r, M_STATE, "rejected") || is(r, M_STATE, "withdrawn") ||
	       is(r, M_STATE, "closed");
}

static enum acd_status consultation(struct txn *t, struct step *s, struct db_rows *r,
                                    struct acd_error *e)
{
	if (!is(r, M_LOCATION, "abroad"))
		return refuse(
		        s, 409, "target", e,
		        "target: the computer is domestic; the Foreign Minister is consulted only "
		        "for a computer abroad");
	if (settled(r) || db_rows_get(r, 0, M_FIRST_EXEC))
		return refuse(
		        s, 409, "state", e,
		        "state: the consultation is recorded before execution, on an open case");
	if (db_rows_get(r, 0, M_CONSULTED_AT))
		return refuse(s, 409, "consultation", e, "consultation: already recorded");
	acd_time at;
	enum acd_status st = past_time(t, s, "at", &at, e);
	if (st != ACD_OK)
		return st;
	char ats[24];
	fmt_time(at, ats);
	const char *ref = json_string_value(json_object_get(s->body, "reference"));
	const char *v[2] = {ats, ref};
	snprintf(s->state, sizeof s->state, "%s", db_rows_get(r, 0, M_STATE));
	snprintf(s->detail, sizeof s->detail, "reference=%s", ref);
	return update(t, s, "consulted_at = $2, consultation_ref = $3", v, 2, e);
}

static const struct form_field consultation_form[] = {
        {"at", FORM_TIME, true, 0, NULL, NULL}, {"reference", FORM_TEXT, true, 200, NULL, NULL}};

int api_measure_consultation(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, consultation_form, 2, consultation, "consultation");
}

/* ── the execution log ── */

/* True when the case lists the action (the case's own authorised list). */
static bool case_lists(struct db_rows *r, const char *action)
{
	json_t *a = json_loads(db_rows_get(r, 0, M_ACTIONS), 0, NULL);
	size_t i;
	json_t *v;
	bool found = false;
	json_array_foreach(a, i, v) found = found || strcmp(json_string_value(v), action) == 0;
	json_decref(a);
	return found;
}

/* The officer's designation still holds at `at`: within its period and not revoked before. */
static bool still_designated(struct db_conn *c, struct db_rows *r, acd_time at)
{
	char ats[24];
	fmt_time(at, ats);
	const char *p[2] = {db_rows_get(r, 0, M_DESIGNATION), ats};
	struct db_rows *d;
	if (db_query(c,
	             "SELECT 1 FROM measure_officers WHERE id = $1 AND valid_from <= CAST($2 AS "
	             "BIGINT) AND valid_until > CAST($2 AS BIGINT) AND (revoked_at IS NULL OR "
	             "revoked_at > CAST($2 AS BIGINT))",
	             p, 2, &d, NULL) != ACD_OK)
		return false;
	bool ok = db_rows_count(d) == 1;
	db_rows_free(d);
	return ok;
}

/* Every precondition of an execution, in the order a reader checks them; the first missing
 * one is the reason given. */
static enum acd_status execution_allowed(struct txn *t, struct step *s, struct db_rows *r,
                                         const char *action, acd_time at, struct acd_error *e)
{
	if (settled(r))
		return refuse(s, 409, "state", e, "state: the case is %s; nothing more is executed",
		              db_rows_get(r, 0, M_STATE));
	if (strcmp(s->who->user, db_rows_get(r, 0, M_OFFICER)) != 0)
		return refuse(
		        s, 403, "officer", e,
		        "officer: only the case's designated officer (%s) logs its executions",
		        db_rows_get(r, 0, M_OFFICER));
	if (!case_lists(r, action))
		return refuse(s, 400, "action", e,
		              "action: '%s' is not among this case's actions %s", action,
		              db_rows_get(r, 0, M_ACTIONS));
	bool approved = db_rows_get(r, 0, M_DEC_AT) && !is(r, M_STATE, "rejected");
	bool urgent = is(r, M_URGENCY, "urgent");
	if (!approved && !urgent)
		return refuse(
		        s, 409, "approval", e,
		        "approval: the commission has not approved this measure and it is not "
		        "urgent; request and obtain approval first (事前承認)");
	if (approved && !db_rows_get(r, 0, M_FIRST_EXEC) && at < col_time(r, M_DEC_AT) && !urgent)
		return refuse(s, 409, "approval", e,
		              "approval: the execution's time precedes the commission's approval");
	if (is(r, M_LOCATION, "abroad") && !db_rows_get(r, 0, M_CONSULTED_AT))
		return refuse(s, 409, "consultation", e,
		              "consultation: the computer is abroad; record the prior consultation "
		              "with the Foreign Minister (外務大臣との事前協議) first");
	if (is(r, M_LOCATION, "abroad") && at < col_time(r, M_CONSULTED_AT))
		return refuse(
		        s, 409, "consultation", e,
		        "consultation: the execution's time precedes the consultation with the "
		        "Foreign Minister");
	if (at < col_time(r, M_CREATED_AT) - CLOCK_SKEW && !urgent)
		return refuse(s, 409, "at", e, "at: before the case was filed");
	if (!still_designated(t->c, r, at))
		return refuse(s, 409, "officer", e,
		              "officer: %s's designation does not cover the execution's time",
		              db_rows_get(r, 0, M_OFFICER));
	return ACD_OK;
}

static enum acd_status execution(struct txn *t, struct step *s, struct db_rows *r,
                                 struct acd_error *e)
{
	const char *action = json_string_value(json_object_get(s->body, "action"));
	acd_time at;
	enum acd_status st = past_time(t, s, "at", &at, e);
	if (st == ACD_OK)
		st = execution_allowed(t, s, r, action, at, e);
	if (st != ACD_OK)
		return st;
	const char *p[1] = {s->id};
	struct db_rows *c;
	if ((st = db_query(t->c, "SELECT COUNT(*) FROM measure_executions WHERE measure = $1", p, 1,
	                   &c, e)) != ACD_OK)
		return st;
	char n[24], ats[24], now[24];
	snprintf(n, sizeof n, "%lld", strtoll(db_rows_get(c, 0, 0), NULL, 10) + 1);
	db_rows_free(c);
	fmt_time(at, ats);
	fmt_time(t->now, now);
	const char *result = json_string_value(json_object_get(s->body, "result"));
	const char *v[7] = {s->id, n, ats, action, result, s->who->user, now};
	if ((st = db_exec(
	             t->c,
	             "INSERT INTO measure_executions (measure, n, at, action, result, by_user, "
	             "logged_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	             v, 7, NULL, e)) != ACD_OK)
		return st;
	snprintf(s->state, sizeof s->state, "executing");
	snprintf(s->detail, sizeof s->detail, "#%s %s", n, action);
	if (db_rows_get(r, 0, M_FIRST_EXEC))
		return ACD_OK;
	/* The first execution settles the outcome; without prior approval it starts the period
	 * in which the commission must be notified (事後通知). */
	char due[24];
	bool approved = db_rows_get(r, 0, M_DEC_AT) != NULL;
	fmt_time(at + s->cfg->commission_notice, due);
	const char *u[2] = {ats, approved ? NULL : due};
	return update(t, s,
	              "state = 'executing', first_executed_at = $2, notice_due = $3, "
	              "outcome = 'executed', outcome_at = $2",
	              u, 2, e);
}

static bool check_action(json_t *v, char *msg, size_t len)
{
	if (form_one_of(json_string_value(v), measure_actions))
		return true;
	int n = snprintf(msg, len, "action: one of");
	for (int k = 0; measure_actions[k] && n > 0 && (size_t)n < len; k++)
		n += snprintf(msg + n, len - (size_t)n, " %s", measure_actions[k]);
	return false;
}

static const struct form_field execution_form[] = {
        {"at", FORM_TIME, true, 0, NULL, NULL},
        {"action", FORM_CUSTOM, true, 0, NULL, check_action},
        {"result", FORM_TEXT, true, 4000, NULL, NULL}};

int api_measure_execution(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, execution_form, 3, execution, "execution");
}

/* ── notices afterwards: to the commission (事後通知) and to the administrator (管理者への通知) ──
 */

static enum acd_status commission_notice(struct txn *t, struct step *s, struct db_rows *r,
                                         struct acd_error *e)
{
	if (!db_rows_get(r, 0, M_NOTICE_DUE))
		return refuse(s, 409, "state", e,
		              "state: a notice to the commission follows only an urgent execution "
		              "without its prior approval");
	if (db_rows_get(r, 0, M_CNOTICE_AT))
		return refuse(s, 409, "commission_notice", e, "commission_notice: already given");
	acd_time at;
	enum acd_status st = past_time(t, s, "at", &at, e);
	if (st != ACD_OK)
		return st;
	if (at < col_time(r, M_FIRST_EXEC))
		return refuse(s, 400, "at", e,
		              "at: a notice afterwards is given after the execution");
	char ats[24];
	fmt_time(at, ats);
	const char *ref = json_string_value(json_object_get(s->body, "reference"));
	const char *v[2] = {ats, ref};
	snprintf(s->state, sizeof s->state, "%s", db_rows_get(r, 0, M_STATE));
	snprintf(s->detail, sizeof s->detail, "%s reference=%s",
	         at > col_time(r, M_NOTICE_DUE) ? "late" : "in time", ref);
	return update(t, s, "commission_notice_at = $2, commission_notice_ref = $3", v, 2, e);
}

static const struct form_field commission_notice_form[] = {
        {"at", FORM_TIME, true, 0, NULL, NULL}, {"reference", FORM_TEXT, true, 200, NULL, NULL}};

int api_measure_commission_notice(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, commission_notice_form, 2, commission_notice, "commission-notice");
}

/* The commission's response to the notice afterwards: acknowledged, or an objection with
 * its reason; once. It changes neither the state nor the notice's flags (due, overdue,
 * late): those say when the agency acted, this what the commission made of it. */
static enum acd_status commission_response(struct txn *t, struct step *s, struct db_rows *r,
                                           struct acd_error *e)
{
	const char *response = json_string_value(json_object_get(s->body, "response"));
	const char *reason = json_string_value(json_object_get(s->body, "reason"));
	if (strcmp(response, "objection") == 0 && !reason)
		return refuse(s, 400, "reason", e, "reason: required for an objection");
	if (!db_rows_get(r, 0, M_NOTICE_DUE))
		return refuse(
		        s, 409, "commission_notice", e,
		        "commission_notice: this case was not executed without prior approval; "
		        "there is no notice afterwards to respond to");
	if (!db_rows_get(r, 0, M_CNOTICE_AT))
		return refuse(s, 409, "commission_notice", e,
		              "commission_notice: the agency has not notified the commission yet");
	if (db_rows_get(r, 0, M_CRESP))
		return refuse(s, 409, "commission_response", e,
		              "commission_response: already recorded (%s)",
		              db_rows_get(r, 0, M_CRESP));
	char at[24];
	fmt_time(t->now, at);
	const char *v[4] = {response, at, s->who->user, reason};
	snprintf(s->state, sizeof s->state, "%s", db_rows_get(r, 0, M_STATE));
	snprintf(s->detail, sizeof s->detail, "%s%s%s", response, reason ? ": " : "",
	         reason ? reason : "");
	return update(t, s,
	              "commission_response = $2, commission_response_at = $3, "
	              "commission_response_by = $4, commission_response_reason = $5",
	              v, 4, e);
}

static const char *const responses[] = {"acknowledged", "objection", NULL};
static const struct form_field commission_response_form[] = {
        {"response", FORM_ENUM, true, 0, responses, NULL},
        {"reason", FORM_TEXT, false, 4000, NULL, NULL}};

int api_measure_commission_response(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, commission_response_form, 2, commission_response,
	                "commission-response");
}

static enum acd_status admin_notice(struct txn *t, struct step *s, struct db_rows *r,
                                    struct acd_error *e)
{
	json_t *given = json_object_get(s->body, "given_at");
	const char *reason = json_string_value(json_object_get(s->body, "reason_not_given"));
	if ((given && !json_is_null(given)) == (reason != NULL))
		return refuse(s, 400, "given_at", e,
		              "given_at: give either given_at or reason_not_given, not both");
	if (!is(r, M_STATE, "executing"))
		return refuse(
		        s, 409, "state", e,
		        "state: the administrator is notified after an execution (this case is "
		        "%s)",
		        db_rows_get(r, 0, M_STATE));
	if (db_rows_get(r, 0, M_ANOTICE_AT) || db_rows_get(r, 0, M_ANOTICE_REASON))
		return refuse(s, 409, "administrator_notice", e,
		              "administrator_notice: already recorded");
	char ats[24] = "";
	if (!reason) {
		acd_time at;
		enum acd_status st = past_time(t, s, "given_at", &at, e);
		if (st != ACD_OK)
			return st;
		if (at < col_time(r, M_FIRST_EXEC))
			return refuse(s, 400, "given_at", e,
			              "given_at: before the first execution");
		fmt_time(at, ats);
	}
	const char *v[2] = {reason ? NULL : ats, reason};
	snprintf(s->state, sizeof s->state, "executing");
	snprintf(s->detail, sizeof s->detail, "%s%s", reason ? "not given: " : "given",
	         reason ? reason : "");
	return update(t, s, "admin_notice_at = $2, admin_notice_reason = $3", v, 2, e);
}

static const struct form_field admin_notice_form[] = {
        {"given_at", FORM_TIME, false, 0, NULL, NULL},
        {"reason_not_given", FORM_TEXT, false, 2000, NULL, NULL}};

int api_measure_admin_notice(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, admin_notice_form, 2, admin_notice, "administrator-notice");
}

/* ── ending a case ── */

static enum acd_status withdraw(struct txn *t, struct step *s, struct db_rows *r,
                                struct acd_error *e)
{
	if (!is(r, M_STATE, "open") && !is(r, M_STATE, "requested"))
		return refuse(
		        s, 409, "state", e,
		        "state: only a case not yet decided or executed can be withdrawn (this one "
		        "is %s)",
		        db_rows_get(r, 0, M_STATE));
	char at[24];
	fmt_time(t->now, at);
	const char *v[1] = {at};
	snprintf(s->state, sizeof s->state, "withdrawn");
	snprintf(s->detail, sizeof s->detail, "%s",
	         json_string_value(json_object_get(s->body, "reason")));
	return update(t, s,
	              "state = 'withdrawn', outcome = 'withdrawn', outcome_at = $2, closed_at = $2",
	              v, 1, e);
}

static const struct form_field reason_form[] = {{"reason", FORM_TEXT, true, 2000, NULL, NULL}};

int api_measure_withdraw(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, reason_form, 1, withdraw, "withdraw");
}

static enum acd_status close_case(struct txn *t, struct step *s, struct db_rows *r,
                                  struct acd_error *e)
{
	bool executed = is(r, M_STATE, "executing");
	if (!executed && !is(r, M_STATE, "approved"))
		return refuse(s, 409, "state", e,
		              "state: only an approved or executed case is closed (this one is %s; "
		              "withdraw an undecided one)",
		              db_rows_get(r, 0, M_STATE));
	if (executed && !db_rows_get(r, 0, M_ANOTICE_AT) && !db_rows_get(r, 0, M_ANOTICE_REASON))
		return refuse(
		        s, 409, "administrator_notice", e,
		        "administrator_notice: record the notice to the computer's administrator "
		        "(or why it could not be given) before closing");
	if (executed && db_rows_get(r, 0, M_NOTICE_DUE) && !db_rows_get(r, 0, M_CNOTICE_AT))
		return refuse(s, 409, "commission_notice", e,
		              "commission_notice: executed without prior approval; notify the "
		              "commission before closing");
	char at[24];
	fmt_time(t->now, at);
	const char *v[1] = {at};
	snprintf(s->state, sizeof s->state, "closed");
	const char *note = json_string_value(json_object_get(s->body, "note"));
	snprintf(s->detail, sizeof s->detail, "%s%s%s",
	         executed ? "executed" : "closed-without-execution", note ? ": " : "",
	         note ? note : "");
	if (executed)
		return update(t, s, "state = 'closed', closed_at = $2", v, 1, e);
	return update(t, s,
	              "state = 'closed', closed_at = $2, outcome = 'closed-without-execution', "
	              "outcome_at = $2",
	              v, 1, e);
}

int api_measure_close(struct request *rq, struct reply *rp)
{
	return run_step(rq, rp, note_form, 1, close_case, "close");
}
