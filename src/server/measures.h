/*
 * measures.h — what the files of access and neutralization measures (アクセス・無害化措置)
 * share: a case row as loaded, who may see it, and the event that records each step.
 * The API only records and authorises; nothing in acdd acts on any computer.
 */
#ifndef ACD_MEASURES_H
#define ACD_MEASURES_H

#include <stdbool.h>

#include "api.h"

#define MEASURE_COLUMNS                                                                            \
	"id, org, agency, officer, designation, filed_by, created_at, target_address, "            \
	"target_location, harm, urgency, actions, state, decided_by, decided_at, "                 \
	"decision_reason, consulted_at, consultation_ref, first_executed_at, notice_due, "         \
	"commission_notice_at, commission_notice_ref, admin_notice_at, admin_notice_reason, "      \
	"outcome, outcome_at, closed_at, commission_response, commission_response_at, "            \
	"commission_response_by, commission_response_reason"
enum {
	M_ID,
	M_ORG,
	M_AGENCY,
	M_OFFICER,
	M_DESIGNATION,
	M_FILED_BY,
	M_CREATED_AT,
	M_ADDRESS,
	M_LOCATION,
	M_HARM,
	M_URGENCY,
	M_ACTIONS,
	M_STATE,
	M_DEC_BY,
	M_DEC_AT,
	M_DEC_REASON,
	M_CONSULTED_AT,
	M_CONSULT_REF,
	M_FIRST_EXEC,
	M_NOTICE_DUE,
	M_CNOTICE_AT,
	M_CNOTICE_REF,
	M_ANOTICE_AT,
	M_ANOTICE_REASON,
	M_OUTCOME,
	M_OUTCOME_AT,
	M_CLOSED_AT,
	M_CRESP,
	M_CRESP_AT,
	M_CRESP_BY,
	M_CRESP_REASON
};

/* The fixed list of actions a case may authorise (措置の内容); never free text. */
extern const char *const measure_actions[];

/* Loads one case (0 or 1 rows). */
enum acd_status measure_load(struct db_conn *c, const char *id, struct db_rows **r,
                             struct acd_error *e);
/* The commission sees every case; an agency's officers see their agency's. */
bool measure_visible(const struct principal *who, const char *org);
/* Appends the next step of a case's history, with its audit entry. */
enum acd_status measure_event(struct txn *t, const struct principal *who, const char *id,
                              const char *action, const char *detail, struct acd_error *e);

#endif
