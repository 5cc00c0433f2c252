/*
 * routes.c — every endpoint of acdd in one table: method, path, handler, the roles that may
 * call it (deny is the default: a role not listed gets 403), and what the OpenAPI document
 * says of it. More specific paths come before the {id} patterns they would otherwise match.
 */
#include "api.h"

#define R(x)      ROLE_BIT(ROLE_##x)
#define PUBLIC    0u
#define REPORTERS (R(OPERATOR) | R(MINISTRY))
#define OVERSEERS (R(MINISTRY) | R(ANALYST))
/* Who may read report content at all (TLP then decides which reports); the commission,
 * vendors, foreign partners, measures officers and admins see what products give them. */
#define REPORT_READERS                                                                             \
	(R(OPERATOR) | R(MINISTRY) | R(ANALYST) | R(COUNCIL_MEMBER) | R(COUNCIL_FRIEND))
#define AGREEMENT_READERS (R(OPERATOR) | R(ANALYST) | R(COMMISSION))

const struct route routes[] = {
        {"GET", "/healthz", api_healthz, PUBLIC, "Liveness and store reachability", NULL},
        {"GET", "/metrics", api_metrics, PUBLIC, "Prometheus metrics", NULL},
        {"GET", "/api/v1/openapi.json", api_openapi, PUBLIC, "This OpenAPI document", NULL},

        {"GET", "/api/v1/me", api_me, ROLES_ALL, "The caller: user, org, role, flags", NULL},
        {"GET", "/api/v1/sectors", api_sectors, ROLES_ALL,
         "The 15 critical-infrastructure sectors and their ministries", NULL},

        {"POST", "/api/v1/reports", api_report_create, REPORTERS,
         "File an incident report (特定侵害事象等の報告), first report", "Report"},
        {"GET", "/api/v1/reports", api_report_list, REPORT_READERS,
         "List the reports visible to the caller (filters: sector, urgency, tlp, event_type, "
         "operator, after, limit)",
         NULL},
        {"GET", "/api/v1/reports/overdue", api_report_overdue, OVERSEERS,
         "Open reports whose follow-up or final report is overdue", NULL},
        {"GET", "/api/v1/reports/{id}", api_report_get, REPORT_READERS,
         "One report with its history (404 when not visible)", NULL},
        {"POST", "/api/v1/reports/{id}/followups", api_report_followup, REPORTERS,
         "Add a follow-up report (第N報): any subset of the form's fields", "ReportFollowup"},
        {"POST", "/api/v1/reports/{id}/scope", api_report_scope, REPORTERS,
         "Narrow the sharing scope, or widen it with the reporter's consent", "ScopeChange"},

        {"GET", "/api/v1/keys", api_keys, PUBLIC,
         "The public keys sensors verify approvals with (commission, office)", NULL},
        {"POST", "/api/v1/approvals", api_approval_create, R(ANALYST),
         "File an acquisition request (kind, facility, selectors, justification, period)",
         "ApprovalRequest"},
        {"GET", "/api/v1/approvals", api_approval_list, R(ANALYST) | R(COMMISSION),
         "List approvals (filters: state, kind)", NULL},
        {"GET", "/api/v1/approvals/{id}", api_approval_get, R(ANALYST) | R(COMMISSION),
         "One approval with its whole history", NULL},
        {"POST", "/api/v1/approvals/{id}/decision", api_approval_decide, R(COMMISSION) | R(ANALYST),
         "Approve, reject or ask for a revision (commission; the office for agreement kind)",
         "Decision"},
        {"GET", "/api/v1/approvals/{id}/document", api_approval_document,
         R(ANALYST) | R(COMMISSION) | R(ADMIN), "The signed Contract 2 document {json, sig}", NULL},
        {"POST", "/api/v1/approvals/{id}/revoke", api_approval_revoke, R(COMMISSION) | R(ANALYST),
         "Revoke: the signed REVOKE-<id> document {json, sig} (office for agreement kind)",
         "Revocation"},
        {"GET", "/api/v1/approvals/{id}/revocation", api_approval_revocation,
         R(ANALYST) | R(COMMISSION) | R(ADMIN), "The signed REVOKE document again", NULL},
        {"POST", "/api/v1/ingest", api_ingest, PUBLIC,
         "A sensor's signed batch of selected records and stats (X-ACD-Sensor, "
         "X-ACD-Signature: Ed25519 over the body); a repeated batch id is stored once",
         "IngestBatch"},
        {"GET", "/api/v1/records", api_records, R(ANALYST),
         "Selected records of one approval (approval, purpose required; limit, after), audited",
         NULL},
        {"GET", "/api/v1/stats", api_stats, R(ANALYST) | R(COMMISSION),
         "The sensors' statistics summed, for one approval (?approval=ID) or overall", NULL},
        {"POST", "/api/v1/sensors", api_sensor_add, R(ADMIN),
         "Register a sensor {id, facility, public_key}", "Sensor"},
        {"GET", "/api/v1/sensors", api_sensor_list, R(ADMIN) | R(ANALYST) | R(COMMISSION),
         "The registered sensors", NULL},
        {"POST", "/api/v1/notifications", api_notification_create, REPORTERS,
         "Notify a specific critical computer (特定重要電子計算機の届出)", "Notification"},
        {"GET", "/api/v1/notifications", api_notification_list, REPORTERS | R(ANALYST),
         "List the notifications visible to the caller (filters: operator, category, sector, "
         "active, after, limit)",
         NULL},
        {"GET", "/api/v1/notifications/transition", api_notification_transition, OVERSEERS,
         "Per operator: notifications due in the transition period after enforcement or on "
         "introduction, and the late ones",
         NULL},
        {"GET", "/api/v1/notifications/{id}", api_notification_get, REPORTERS | R(ANALYST),
         "One notification with its history (404 when not visible)", NULL},
        {"POST", "/api/v1/notifications/{id}/changes", api_notification_change, REPORTERS,
         "Change a notification: a new revision, the history kept", "NotificationChange"},
        {"POST", "/api/v1/notifications/{id}/retire", api_notification_retire, REPORTERS,
         "Retire a notification (the computer is no longer in use)", "Retirement"},

        {"POST", "/api/v1/agreements", api_agreement_create, R(ANALYST),
         "Record an agreement with an operator (当事者協定)", "Agreement"},
        {"GET", "/api/v1/agreements", api_agreement_list, AGREEMENT_READERS,
         "List the agreements visible to the caller (filters: operator, status)", NULL},
        {"GET", "/api/v1/agreements/{id}", api_agreement_get, AGREEMENT_READERS,
         "One agreement (404 when not visible)", NULL},
        {"POST", "/api/v1/agreements/{id}/withdraw", api_agreement_withdraw,
         R(OPERATOR) | R(ANALYST), "Withdraw an agreement; it stays readable", "Withdrawal"},
        {"POST", "/api/v1/agreements/{id}/consents", api_consent_create, R(OPERATOR),
         "The party's consent to other-purpose use (他目的利用), never criminal investigation",
         "Consent"},
        {"GET", "/api/v1/agreements/{id}/consents", api_consent_list, AGREEMENT_READERS,
         "The consents given under an agreement", NULL},
        {"POST", "/api/v1/agreements/{id}/consents/{cid}/withdraw", api_consent_withdraw,
         R(OPERATOR) | R(ANALYST), "Withdraw a consent", "Withdrawal"},

        /* アクセス・無害化措置: records and authorisations only; acdd acts on no computer. */
        {"POST", "/api/v1/measures/officers", api_measure_officer_add,
         R(ADMIN) | R(MEASURES_OFFICER),
         "Designate an officer (指定): user, agency, designated_by, npa, valid period",
         "MeasureOfficer"},
        {"GET", "/api/v1/measures/officers", api_measure_officer_list,
         R(ADMIN) | R(MEASURES_OFFICER) | R(COMMISSION),
         "The designations (an agency sees its own)", NULL},
        {"POST", "/api/v1/measures/officers/{id}/revoke", api_measure_officer_revoke,
         R(ADMIN) | R(MEASURES_OFFICER),
         "End a designation early, with a reason: the officer can be named on no new case "
         "(another agency's designation: 404)",
         "DesignationRevocation"},
        {"GET", "/api/v1/measures/outcomes", api_measure_outcomes, R(COMMISSION) | R(ANALYST),
         "Measures settled in a period by outcome, for the Diet report (from, until, agency)",
         NULL},
        {"POST", "/api/v1/measures", api_measure_create, R(MEASURES_OFFICER),
         "File a case: agency, designated officer, target, harm, urgency, actions", "Measure"},
        {"GET", "/api/v1/measures", api_measure_list, R(MEASURES_OFFICER) | R(COMMISSION),
         "The cases visible to the caller (filters: state, overdue=1 for commission notices "
         "past due)",
         NULL},
        {"GET", "/api/v1/measures/{id}", api_measure_get, R(MEASURES_OFFICER) | R(COMMISSION),
         "One case with its execution log and history (404 when not visible)", NULL},
        {"POST", "/api/v1/measures/{id}/approval-request", api_measure_approval_request,
         R(MEASURES_OFFICER), "Ask the commission for prior approval (事前承認)", "Note"},
        {"POST", "/api/v1/measures/{id}/decision", api_measure_decide, R(COMMISSION),
         "The commission approves or rejects (reason required to reject)", "MeasureDecision"},
        {"POST", "/api/v1/measures/{id}/consultation", api_measure_consultation,
         R(MEASURES_OFFICER), "Record the prior consultation with the Foreign Minister",
         "MeasureNotice"},
        {"POST", "/api/v1/measures/{id}/executions", api_measure_execution, R(MEASURES_OFFICER),
         "Log an execution (at, action from the case's list, result); refused unless its "
         "preconditions hold",
         "MeasureExecution"},
        {"POST", "/api/v1/measures/{id}/commission-notice", api_measure_commission_notice,
         R(MEASURES_OFFICER), "Notify the commission after an urgent execution (事後通知)",
         "MeasureNotice"},
        {"POST", "/api/v1/measures/{id}/commission-response", api_measure_commission_response,
         R(COMMISSION),
         "The commission's response to a notice afterwards: acknowledged, or objection with a "
         "reason; once",
         "CommissionResponse"},
        {"POST", "/api/v1/measures/{id}/administrator-notice", api_measure_admin_notice,
         R(MEASURES_OFFICER),
         "Record the notice to the computer's administrator, or why it was not given",
         "AdministratorNotice"},
        {"POST", "/api/v1/measures/{id}/withdraw", api_measure_withdraw, R(MEASURES_OFFICER),
         "Withdraw a case not yet decided or executed", "Withdrawal"},
        {"POST", "/api/v1/measures/{id}/close", api_measure_close, R(MEASURES_OFFICER),
         "Close a case (executed: after the notices)", "Note"},
        {"POST", "/api/v1/exports", api_export_create, R(ANALYST),
         "Other-purpose use (他目的利用) of one approval's records: granted only for "
         "cybersecurity within a consent and written terms, or under a law that makes provision "
         "mandatory; never criminal investigation. Refusals (403) are recorded and audited",
         "Export"},
        {"GET", "/api/v1/exports", api_export_list, R(ANALYST) | R(COMMISSION),
         "Every other-purpose use request and its decision (no record contents)", NULL},
        {"GET", "/api/v1/audit", api_audit_list, R(COMMISSION) | R(ADMIN),
         "Audit log entries (after, limit, action); reading is itself audited", NULL},
        {"GET", "/api/v1/audit/verify", api_audit_verify, R(COMMISSION) | R(ADMIN),
         "Verify the audit chain and its signed heads (as `acd audit verify`)", NULL},
        {"GET", "/api/v1/stats/diet", api_stats_diet, R(COMMISSION) | R(ANALYST),
         "The Diet report's statistics for fiscal year ?year=YYYY (1 April JST); "
         "&format=html for a printable page",
         NULL},
};

const size_t route_count = sizeof routes / sizeof routes[0];
