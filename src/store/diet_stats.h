/*
 * diet_stats.h — the annual statistics the commission reports to the Diet (国会報告) and the
 * three-year law review needs (附則第7条), for one Japanese fiscal year: 1 April YYYY 00:00 JST
 * up to, not including, 1 April YYYY+1 00:00 JST. Counts only, never content, so the
 * commission may read all of it.
 *
 *   approvals            per kind: requested, granted, rejected, revoked (approval events
 *                        in the year: a request filed again after "revise" counts again)
 *   reports              per sector: incident reports first filed in the year
 *   notifications        per sector: notifications first filed in the year
 *   packets              seen per direction (the sensors' own lines), in_scope, selected and
 *                        discarded per approval kind (per-approval lines), by the start of
 *                        each stats interval
 *   records              stored (ingest batches received) and purged (retention runs)
 *   other_purpose_uses   export requests (他目的利用) granted and refused, per purpose class
 *   foreign_provisions   export requests to foreign recipients, granted and refused
 *   measures             per outcome, from the measures table (migration 6, measures
 *                        branch): SELECT outcome, COUNT(*) FROM measures WHERE created_at in
 *                        the year GROUP BY outcome. A store without that table has taken no
 *                        measures and reports {} (and "measures_table": false).
 * Every known kind, direction and sector is present with 0, so two years compare key by key.
 */
#ifndef ACD_DIET_STATS_H
#define ACD_DIET_STATS_H

#include <jansson.h>

#include "db.h"

/* Builds the object for fiscal year `year` (2000-2999) on connection c, in one read
 * transaction so the sections agree; *out is a new reference. */
enum acd_status diet_stats(struct db_conn *c, int year, json_t **out, struct acd_error *e);

/* The same object as a printable, self-contained HTML page (malloc'd). */
char *diet_stats_html(const json_t *stats);

#endif
