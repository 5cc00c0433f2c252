/*
 * agreement_cover.h — what a recorded agreement (当事者協定) and its consents allow, for the
 * parts that act on them (agreement approvals, analysis results returned to the party,
 * other-purpose use 他目的利用). Deny is the default: no agreement, a withdrawn one, one outside
 * its validity, an unparsable argument — all answer false.
 *
 * `at` is the time of the use being decided (usually now): a withdrawal takes effect at its
 * recorded time, so a use after it is not covered even when the traffic is older.
 */
#ifndef ACD_AGREEMENT_COVER_H
#define ACD_AGREEMENT_COVER_H

#include <stdbool.h>

#include "db.h"
#include "timefmt.h"

/* True when an agreement with `operator`, valid at `at` and not withdrawn by then, has a
 * prefix that contains all of `cidr` (an address or CIDR, IPv4 or IPv6). */
bool agreement_covers(struct db_conn *c, const char *operator, const char * cidr, acd_time at);

/* True when the operator, party to an agreement in force at `at`, gave a consent in force at
 * `at` for exactly this purpose and recipient (a consent is specific: no wildcards). */
bool consent_covers(struct db_conn *c, const char *operator, const char * purpose,
                    const char *recipient, acd_time at);

#endif
