/* measure_outcome.c — see measure_outcome.h. */
#include "measure_outcome.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum acd_status measures_by_outcome(struct db_conn *c, acd_time from, acd_time until,
                                    const char *agency, struct measure_outcomes *out,
                                    struct acd_error *e)
{
	char f[24], u[24];
	snprintf(f, sizeof f, "%" PRId64, (int64_t)from);
	snprintf(u, sizeof u, "%" PRId64, (int64_t)until);
	const char *p[3] = {f, u, agency};
	struct db_rows *r;
	/* Open cases are keyed by filing time, settled ones by when they were settled, so a case
	 * counts once in the period in which it ended. */
	enum acd_status st =
	        db_query(c,
	                 "SELECT COALESCE(outcome, 'open'), COUNT(*) FROM measures WHERE "
	                 "(CAST($3 AS TEXT) IS NULL OR agency = $3) AND "
	                 "((outcome IS NOT NULL AND outcome_at >= CAST($1 AS BIGINT) AND "
	                 "  outcome_at < CAST($2 AS BIGINT)) OR "
	                 " (outcome IS NULL AND created_at >= CAST($1 AS BIGINT) AND "
	                 "  created_at < CAST($2 AS BIGINT))) "
	                 "GROUP BY COALESCE(outcome, 'open')",
	                 p, 3, &r, e);
	if (st != ACD_OK)
		return st;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < db_rows_count(r); i++) {
		const char *o = db_rows_get(r, i, 0);
		long long n = strtoll(db_rows_get(r, i, 1), NULL, 10);
		if (strcmp(o, "executed") == 0)
			out->executed = n;
		else if (strcmp(o, "rejected") == 0)
			out->rejected = n;
		else if (strcmp(o, "withdrawn") == 0)
			out->withdrawn = n;
		else if (strcmp(o, "closed-without-execution") == 0)
			out->closed_without_execution = n;
		else
			out->open = n;
	}
	db_rows_free(r);
	return ACD_OK;
}
