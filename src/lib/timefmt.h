/*
 * timefmt.h — time as acd stores it: signed 64-bit microseconds since the Unix epoch, UTC,
 * and its one textual form in records, RFC 3339 with microseconds and "Z".
 */
#ifndef ACD_TIMEFMT_H
#define ACD_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t acd_time; /* microseconds since 1970-01-01T00:00:00Z */

#define ACD_USEC    1000000LL
#define TIME_STRLEN 32

/* "2026-10-09T08:50:00.123456Z" */
void time_format(acd_time t, char *buf, size_t len);
/* Accepts RFC 3339 date-times: "2026-10-01T00:00:00Z", fractions of any length up to
 * microseconds, and numeric offsets ("+09:00"). False on anything else. */
bool time_parse(const char *s, acd_time *out);
/* The wall clock. */
acd_time time_now(void);

#endif
