/*
 * config.h — acdd's configuration: what the law or an ordinance may change without a new
 * build (report deadlines per stage, the notification transition period, body limits).
 * Read from `--config FILE` (JSON); every key is optional and falls back to the default here.
 *
 *   {"report_deadlines": {"first_hours": 24, "followup_days": 7, "final_days": 30},
 *    "notification_transition": {"enforced_at": "2027-11-01T00:00:00+09:00", "months": 6,
 *                                "due_days": 30},
 *    "measures": {"commission_notice_hours": 24},
 *    "retention": {"records_days": 365, "stats_days": 1830, "purge_interval_hours": 24}}
 *
 * Retention (保存期間) has no period in the Act yet; the defaults keep records a year and
 * statistics five fiscal years (the Diet report and the three-year law review need them).
 * The audit log has no period: it is the evidence, and it holds no content. acdd purges by
 * itself when the last purge is `purge_interval_hours` old (fractions allowed, down to one
 * second, for tests; 0 leaves purging to `acd purge`).
 */
#ifndef ACD_CONFIG_H
#define ACD_CONFIG_H

#include "error.h"
#include "timefmt.h"

struct config {
	acd_time first_report;     /* a first report is due this long after discovery */
	acd_time followup;         /* an open report is due a follow-up this long after its last */
	acd_time final_report;     /* the final report is due this long after the first */
	acd_time enforced_at;      /* enforcement of the notification duty */
	int transition_months;     /* computers in use then must be notified within this */
	acd_time notification_due; /* later ones are late when filed this long after introduction */
	acd_time commission_notice; /* an urgent measure executed without prior approval: the
	                             * commission is notified within this of the first execution */

	/* Retention: selected records go this long after their last packet, the sensors'
	 * statistics lines this long after their interval ends. */
	acd_time retain_records;
	acd_time retain_stats;
	acd_time purge_interval; /* acdd's own purge runs this often; 0: never */
};

void config_defaults(struct config *c);
/* Reads FILE over the defaults; a wrong key type or an unknown key is an error naming it. */
enum acd_status config_load(const char *path, struct config *c, struct acd_error *e);

#endif
