/*
 * prefix_table.h — the domestic prefix table (Contract 1): is this address domestic (国内)?
 *
 * Loaded from CIDR lines, `domestic CIDR` / `foreign CIDR` lines and RIR delegated-statistics
 * lines, plus the fixed list of non-global ranges that always count as domestic. The answer
 * is a set question, not a longest-match one: domestic = (listed ∪ non-global) minus the
 * explicit `foreign` exceptions. So the loader compiles everything into sorted, disjoint
 * domestic intervals. An IPv4 lookup reads 2 bits for its /16 (none, all or some of it is
 * domestic) and only for "some" the /16's index entry and a search of its few intervals; IPv6
 * is a binary search. Immutable after loading: safe to share between threads without locks.
 * Memory: 16 KiB of /16 classes and 512 KiB for the IPv4 index, plus 8 (IPv4) or 32 (IPv6)
 * bytes an interval.
 */
#ifndef ACD_PREFIX_TABLE_H
#define ACD_PREFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "ipaddr.h"

struct prefix_table;

/* Loads FILE. `country` selects RIR lines (NULL means "JP"). Any malformed line fails the
 * whole load with "FILE:LINE: what is wrong". */
enum acd_status prefix_table_load(const char *path, const char *country, struct prefix_table **out,
                                  struct acd_error *e);
/* The same over text in memory; `name` is used in error messages. */
enum acd_status prefix_table_parse(const char *text, size_t len, const char *name,
                                   const char *country, struct prefix_table **out,
                                   struct acd_error *e);
void prefix_table_free(struct prefix_table *t);

bool prefix_table_is_domestic(const struct prefix_table *t, const struct ip_addr *a);

/* What was loaded, for the start-up log: counts of lines by kind. */
struct prefix_table_summary {
	size_t cidr_lines, rir_lines, rir_skipped, foreign_lines;
	size_t v4_intervals, v6_intervals;
};
void prefix_table_summary(const struct prefix_table *t, struct prefix_table_summary *s);
/* The i-th `foreign` exception as text ("203.0.113.0/24"), for logging; false past the end. */
bool prefix_table_foreign_line(const struct prefix_table *t, size_t i, char *buf, size_t len);

#endif
