/*
 * measure_outcome.h — how access and neutralization measures (アクセス・無害化措置) ended, counted
 * for a period: what the Diet report (国会報告) states. A case has one outcome once it is
 * settled and the time it was settled (outcome_at):
 *   executed                 — at the first logged execution (an execution cannot be undone);
 *   rejected                 — at the commission's refusal;
 *   withdrawn                — when the agency withdrew it before a decision;
 *   closed-without-execution — when an approved case was closed unexecuted.
 * Cases still open have no outcome and are counted as `open` by their filing time.
 */
#ifndef ACD_MEASURE_OUTCOME_H
#define ACD_MEASURE_OUTCOME_H

#include "db.h"
#include "timefmt.h"

struct measure_outcomes {
	long long executed, rejected, withdrawn, closed_without_execution;
	long long open; /* filed in the period and not settled yet */
};

/* Counts the measures settled in [from, until) by outcome (and those filed in the period and
 * still open), for one agency ("police", "sdf") or both (agency NULL). One query; reads only. */
enum acd_status measures_by_outcome(struct db_conn *c, acd_time from, acd_time until,
                                    const char *agency, struct measure_outcomes *out,
                                    struct acd_error *e);

#endif
