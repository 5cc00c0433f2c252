/*
 * api.h — the route handlers of acdd's JSON API, grouped by domain, and the helpers they
 * share. Each handler checks visibility itself (the role gate in http.c is only the first
 * filter): a resource the caller may not see is answered 404, as if it did not exist.
 */
#ifndef ACD_API_H
#define ACD_API_H

#include "http.h"
#include "server.h"

/* system.c */
int api_healthz(struct request *rq, struct reply *rp);
int api_metrics(struct request *rq, struct reply *rp);
int api_openapi(struct request *rq, struct reply *rp);

/* identities.c */
int api_me(struct request *rq, struct reply *rp);
int api_sectors(struct request *rq, struct reply *rp);

/* reports.c — 特定侵害事象等の報告 */
int api_report_create(struct request *rq, struct reply *rp);
int api_report_list(struct request *rq, struct reply *rp);
int api_report_overdue(struct request *rq, struct reply *rp);
int api_report_get(struct request *rq, struct reply *rp);
int api_report_followup(struct request *rq, struct reply *rp);
int api_report_scope(struct request *rq, struct reply *rp);

/* approvals.c — 承認 */
int api_approval_create(struct request *rq, struct reply *rp);
int api_approval_list(struct request *rq, struct reply *rp);
int api_approval_get(struct request *rq, struct reply *rp);
int api_approval_decide(struct request *rq, struct reply *rp);
int api_approval_document(struct request *rq, struct reply *rp);
int api_approval_revoke(struct request *rq, struct reply *rp);
int api_approval_revocation(struct request *rq, struct reply *rp);
int api_keys(struct request *rq, struct reply *rp);

/* ingest.c, records.c — 選別後通信情報 */
int api_ingest(struct request *rq, struct reply *rp);
int api_records(struct request *rq, struct reply *rp);
int api_stats(struct request *rq, struct reply *rp);

/* sensors.c */
int api_sensor_add(struct request *rq, struct reply *rp);
int api_sensor_list(struct request *rq, struct reply *rp);
/* notifications.c — 特定重要電子計算機の届出 */
int api_notification_create(struct request *rq, struct reply *rp);
int api_notification_list(struct request *rq, struct reply *rp);
int api_notification_transition(struct request *rq, struct reply *rp);
int api_notification_get(struct request *rq, struct reply *rp);
int api_notification_change(struct request *rq, struct reply *rp);
int api_notification_retire(struct request *rq, struct reply *rp);

/* agreements.c — 当事者協定 and consents to other-purpose use (他目的利用) */
int api_agreement_create(struct request *rq, struct reply *rp);
int api_agreement_list(struct request *rq, struct reply *rp);
int api_agreement_get(struct request *rq, struct reply *rp);
int api_agreement_withdraw(struct request *rq, struct reply *rp);
int api_consent_create(struct request *rq, struct reply *rp);
int api_consent_list(struct request *rq, struct reply *rp);
int api_consent_withdraw(struct request *rq, struct reply *rp);
/* True when a purpose reads as criminal investigation (犯罪捜査), which other-purpose use may
 * never serve (consents here, exports in exports.c). */
bool is_criminal_purpose(const char *s);

/* exports.c — other-purpose use (他目的利用) of selected information */
int api_export_create(struct request *rq, struct reply *rp);
int api_export_list(struct request *rq, struct reply *rp);

/* oversight.c — the commission's inspection: audit log, its integrity, Diet statistics */
int api_audit_verify(struct request *rq, struct reply *rp);
int api_audit_list(struct request *rq, struct reply *rp);
int api_stats_diet(struct request *rq, struct reply *rp);

/* measure_officers.c, measures.c, measure_steps.c — アクセス・無害化措置 (records and
 * authorisations only) */
/* designation (指定) */
int api_measure_officer_add(struct request *rq, struct reply *rp);
int api_measure_officer_list(struct request *rq, struct reply *rp);
int api_measure_officer_revoke(struct request *rq, struct reply *rp);
/* cases */
int api_measure_create(struct request *rq, struct reply *rp);
int api_measure_list(struct request *rq, struct reply *rp);
int api_measure_get(struct request *rq, struct reply *rp);
int api_measure_outcomes(struct request *rq, struct reply *rp);
/* every later step of a case */
int api_measure_approval_request(struct request *rq, struct reply *rp);
int api_measure_decide(struct request *rq, struct reply *rp);
int api_measure_consultation(struct request *rq, struct reply *rp);
int api_measure_execution(struct request *rq, struct reply *rp);
int api_measure_commission_notice(struct request *rq, struct reply *rp);
int api_measure_commission_response(struct request *rq, struct reply *rp);
int api_measure_admin_notice(struct request *rq, struct reply *rp);
int api_measure_withdraw(struct request *rq, struct reply *rp);
int api_measure_close(struct request *rq, struct reply *rp);

/* Shared helpers (api_util.c). */
/* Records a read of protected data in the audit log, durably, before the data is sent. */
enum acd_status api_audit_read(struct request *rq, const char *action, const char *object,
                               const char *purpose, const char *detail, struct acd_error *e);
/* Replies 200 with `out` once the read is durably audited (api_audit_read); if it cannot
 * be, `out` is dropped and the reply is 503: nothing protected leaves unaudited. */
int api_reply_audited(struct request *rq, struct reply *rp, json_t *out, const char *action,
                      const char *object, const char *purpose, const char *detail);
/* A numbered history of a case (approval_events, measure_events): the table, the column naming
 * the case and the free-text column are the caller's constants, never input. */
struct history {
	const char *table, *key, *text, *audit_prefix;
	bool text_in_audit; /* the text is short structured detail, fit for the audit log */
};
/* Appends the case's next event (number, time, who, role, action, text) with its audit entry
 * "PREFIX.ACTION" inside t. */
enum acd_status api_history_event(struct txn *t, const struct principal *who,
                                  const struct history *h, const char *id, const char *action,
                                  const char *text, struct acd_error *e);
/* Runs a change through the group-commit writer; on failure fills an error reply (400 for
 * the caller's mistakes, 409 conflicts, 503 store failures) and returns false. */
bool api_write(struct request *rq, struct reply *rp, txn_fn fn, void *arg);
/* The organisation's kind and sector ("" when none); false when the org is unknown. */
bool api_org_info(struct db_conn *c, const char *org, char kind[24], char sector[24]);
/* The ministry that has jurisdiction over a sector (所管省庁), or "" when unknown. */
void api_sector_ministry(struct db_conn *c, const char *sector, char ministry[64]);
/* Who may file for an operator (reports, notifications): an operator for its own org, a
 * ministry for the operators of its sectors. Fills op_sector; returns 0, or the status of the
 * 400 reply it filled (field "operator"). */
int api_check_filer(struct request *rq, struct reply *rp, const char *op, char op_sector[24]);
/* "2026-10-09T08:50:00.123456Z" as a JSON string, or null for a NULL column. */
json_t *api_time_json(const char *micros);
/* A store failure during a read. */
int api_store_error(struct reply *rp, const struct acd_error *e);

#endif
