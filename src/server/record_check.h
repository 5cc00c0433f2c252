/*
 * record_check.h — does a selected record (Contract 4) lie within the approval it names? acdd
 * checks every record of every batch with its own copy of the prefix table before storing
 * anything: the direction the record claims must be the one its addresses have, the kind must
 * allow it, its time must be inside the validity window and before any revocation, and each
 * selector it names must exist in the approval and actually match the record (ip: the foreign
 * end for foreign-domestic and agreement; domain: a name the record carries; content: a
 * signature the record lists with that selector's id).
 *
 * Two forms of each check: on a line record_line_parse read (what ingest uses for every
 * record line), and on a jansson tree (stats lines use record_well_formed to tell a record
 * sent where stats belong; both tree functions are the reference fuzz_record_line holds the
 * line functions to, message for message).
 */
#ifndef ACD_RECORD_CHECK_H
#define ACD_RECORD_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "approval.h"
#include "prefix_table.h"
#include "record_line.h"

/* Every key Contract 4 lists, with its JSON type: a record missing one, or with another type,
 * is malformed. Returns false with `why` naming the key. */
bool record_well_formed(json_t *rec, char *why, size_t len);

/* True when the well-formed record lies within the approval; else false with `why`. */
bool record_within(json_t *rec, const struct approval *a, acd_time revoked_at,
                   const struct prefix_table *pt, char *why, size_t len);

/* The same two checks, with the same messages, on a parsed line. */
bool record_line_well_formed(const struct record_line *l, char *why, size_t len);
bool record_line_within(const struct record_line *l, const struct approval *a, acd_time revoked_at,
                        const struct prefix_table *pt, char *why, size_t len);

#endif
